package experiments

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The exact availability column: with one vnode per node the ring is a
// cycle, and for nodes=10, N=3, W=2 two failures are fatal exactly when
// they lie within three consecutive nodes: 20 of the 45 pairs. The Monte
// Carlo measurement agrees with the exact value within its spread.
func TestAvailabilityExactColumn(t *testing.T) {
	tables := run(t, "availability", map[string]float64{"seeds": 6, "vnodes_max": 8, "trials": 400})
	tb := table(t, tables, "availability")
	if got := value(t, tb, "k=2 failed", 1, "p_exact").Mean; math.Abs(got-20.0/45) > 1e-12 {
		t.Errorf("k=2, one vnode: p_exact %v, want 20/45", got)
	}
	for _, r := range tb.Rows {
		exact := r.Values[tb.Col("p_exact")]
		s := r.Summary(tb.Col("p_unavailable"))
		// Each seed's estimate has a binomial spread of at most 0.5/sqrt(400)
		// around its ring's exact value; the mean of 6 a sixth of the variance.
		if math.IsNaN(exact) || math.Abs(s.Mean-exact) > 4*0.025/math.Sqrt(6) {
			t.Errorf("%s at %v vnodes: measured %.4f, exact %.4f", r.Group, r.Values[tb.Col("vnodes")], s.Mean, exact)
		}
	}
}

// safeSets against a brute-force count over every failure set.
func TestSafeSetsMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for trial := range 300 {
		nodes := 3 + rng.IntN(8)
		k := 1 + rng.IntN(nodes)
		lethal := 1 + rng.IntN(3)
		var sets []replicaSet
		for range 1 + rng.IntN(12) {
			sets = append(sets, replicaSet{mask: rng.Uint64() & (1<<uint(nodes) - 1)})
		}
		want := 0
		for f := uint64(0); f < 1<<uint(nodes); f++ {
			if bits.OnesCount64(f) != k {
				continue
			}
			safe := true
			for _, s := range sets {
				safe = safe && bits.OnesCount64(s.mask&f) < lethal
			}
			if safe {
				want++
			}
		}
		s := newSafeSets(nodes, k, lethal, sets)
		for !s.done {
			s.step(1 + rng.IntN(5))
		}
		if s.safe != float64(want) || s.overflow {
			t.Fatalf("trial %d: nodes %d k %d lethal %d sets %v: %v safe (overflow %v), brute force %d", trial, nodes, k, lethal, sets, s.safe, s.overflow, want)
		}
	}
}

// The balance table's max/mean prediction is the exact expectation, not
// the large-N asymptote: over 100 seeds it lies within four standard
// errors of the measurement at every size.
func TestBalanceMaxTheoryIsClose(t *testing.T) {
	tb := table(t, run(t, "balance", map[string]float64{"seeds": 100, "vnodes_max": 200}), "balance")
	for _, r := range tb.Rows {
		s := r.Summary(tb.Col("max_over_mean"))
		want := r.Values[tb.Col("max_theory")]
		if se := s.StdDev / math.Sqrt(float64(s.N)); math.Abs(s.Mean-want) > 4*se {
			t.Errorf("%v vnodes: max/mean %.4f ± %.4f (se), theory %.4f", r.Values[tb.Col("vnodes")], s.Mean, se, want)
		}
	}
}

// Each seed samples its own keys, so hash-modulo placement's moved
// fraction varies across seeds like a binomial proportion.
func TestMovementModuloVariesAcrossSeeds(t *testing.T) {
	tb := run(t, "movement", map[string]float64{"nodes_max": 3, "seeds": 8, "keys": 2000})[0]
	for n := 1.0; n <= 3; n++ {
		s := value(t, tb, "", n, "modulo_moved")
		p := n / (n + 1)
		if binomial := math.Sqrt(p * (1 - p) / 2000); s.StdDev < binomial/3 || s.StdDev > 3*binomial {
			t.Errorf("N=%v: modulo moved sd %.4f across seeds, want about %.4f (keys drawn per seed)", n, s.StdDev, binomial)
		}
	}
}

// The sibling histogram's last bucket counts that many versions or more,
// and says so.
func TestSiblingHistogramLastBucketIsOpen(t *testing.T) {
	tb := table(t, run(t, "conflicts", map[string]float64{"seeds": 1, "clients_max": 1, "skew_max": 0, "ops": 10}), "siblings")
	c := tb.Columns[tb.Col("versions")]
	if got := c.ShowValue(siblingBuckets, func(x float64) string { return "5" }); got != "5+" {
		t.Errorf("last bucket shows %q, want 5+", got)
	}
	if got := c.ShowValue(siblingBuckets-1, func(x float64) string { return "4" }); got != "4" {
		t.Errorf("bucket 4 shows %q, want 4", got)
	}
	if !strings.Contains(c.Label, "5+") {
		t.Errorf("label %q does not explain the open last bucket", c.Label)
	}
}

// Where there are too many failure sets to count, the exact column is
// empty, and only the first ring of the row pays for finding that out.
func TestAvailabilityExactGivesUpOnHugeCounts(t *testing.T) {
	start := time.Now()
	tables := run(t, "availability", map[string]float64{"seeds": 20, "nodes": 64, "failures_max": 8, "vnodes_max": 1, "trials": 10})
	tb := table(t, tables, "availability")
	if got := value(t, tb, "k=8 failed", 1, "p_exact").Mean; !math.IsNaN(got) {
		t.Errorf("k=8 of 64 nodes, one vnode: p_exact %v, want no value", got)
	}
	if got := value(t, tb, "k=2 failed", 1, "p_exact").Mean; math.IsNaN(got) {
		t.Errorf("k=2 of 64 nodes: no exact value")
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the sweep took %v", d)
	}
}

// Position walks the points in order, each through its seeds.
func TestRunPosition(t *testing.T) {
	e, _ := Lookup("movement")
	r, err := e.Start(map[string]float64{"nodes_max": 3, "seeds": 2, "keys": 20_000}) // a step per run
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for {
		p, ps, s, ss, ok := r.Position()
		if !ok || ps != 3 || ss != 2 {
			t.Fatalf("position %d of %d, seed %d of %d, ok %v", p, ps, s, ss, ok)
		}
		seen = append(seen, strconv.Itoa(p)+"."+strconv.Itoa(s))
		if r.Done() {
			break
		}
		for done, _ := r.Runs(); ; {
			r.Step(1)
			if now, _ := r.Runs(); now > done || r.Done() {
				break
			}
		}
	}
	if got := strings.Join(seen, " "); !strings.HasPrefix(got, "1.1 1.2 2.1") || !strings.HasSuffix(got, "3.2") {
		t.Errorf("positions %s", got)
	}
	st, _ := Lookup("staleness")
	rs, _ := st.Start(map[string]float64{"seeds": 1, "trials": 5, "t_max": 4, "model_trials": 100})
	if _, _, _, _, ok := rs.Position(); ok {
		t.Errorf("staleness runs a model per point besides its seeds, yet has a position")
	}
}
