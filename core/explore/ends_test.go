package explore

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// A state whose every end was met already is not expanded (endsMet): a
// search that expands it meets the same final histories, each first at
// the same depth, and gives the same answer and counterexample, trying
// more states. Where gets wait for the write-back (strict, read repair)
// most of the states near the end are such states.
func TestStatesWhoseEndsWereMetAreNotExpanded(t *testing.T) {
	cases := sleepCases()
	strict := smallConfig()
	strict.Nodes, strict.W, strict.R = 3, 2, 2
	weak := strict
	weak.W, weak.R, weak.ReadRepair = 1, 1, false
	sloppy := smallConfig()
	sloppy.Mode, sloppy.W, sloppy.R = core.Sloppy, 2, 2
	cases = append(cases,
		searchCase{"two writers then two readers", strict, "c1: put k v1 | c2: put k v2 ; c1: get k | c2: get k", core.PropStale, Budget{}},
		searchCase{"two readers, a crash", strict, "c1: put k v1 ; c1: get k | c2: get k", core.PropMonotonic, Budget{Crashes: 1}},
		searchCase{"W=1 R=1, a stale read", weak, "c1: put k v1 ; c2: get k | c3: get k", core.PropStale, Budget{}},
		searchCase{"sloppy, a partition, a stale read", sloppy, "c1: put k v1 ; c2: get k", core.PropStale, Budget{Partitions: 1}},
	)
	spared, writeBack := 0, 0
	for _, c := range cases {
		sc := Scenario{Config: c.cfg, Script: mustScript(t, c.script), Property: c.prop, Budget: c.budget, K: 1}
		foreseen, tried, all := sameEndsMetOrNot(t, c.name, sc)
		if foreseen > 0 {
			spared++
		}
		if c.cfg.Mode == core.Strict && c.cfg.ReadRepair && c.prop != core.PropLost && foreseen == 0 {
			t.Errorf("%s: no state spared, with gets waiting for the write-back", c.name)
		}
		if c.name == "two writers then two readers" {
			writeBack = all - tried
		}
	}
	if spared < len(cases)/2 || writeBack == 0 {
		t.Errorf("%d of %d scenarios spared states; two writers then two readers spared %d tries: want most, and some", spared, len(cases), writeBack)
	}
}

// The same on random scenarios: three or four nodes, two to four
// operations, W and R of 1 to 3, strict or sloppy, read repair or not, a
// crash and a partition or not, any property of the history. (The tests
// that compare with the search without reductions tell apart a failure at
// once from a timeout, which the properties do not, and so keep every
// final state: there no state's ends are weighed.)
func TestEndsMetOnRandomScenarios(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" {
		t.Skip("searches each scenario twice")
	}
	rng := rand.New(rand.NewPCG(5, 77))
	props := []core.Property{core.PropSiblings, core.PropStale, core.PropMonotonic, core.PropRYW, core.PropStale}
	compared, spared := 0, 0
	for tries := 0; compared < 40 && tries < 400; tries++ {
		cfg := smallConfig()
		cfg.Nodes = 3 + rng.IntN(2)
		cfg.W, cfg.R = 1+rng.IntN(3), 1+rng.IntN(3)
		cfg.ReadRepair = rng.IntN(4) != 0
		if rng.IntN(4) == 0 {
			cfg.Mode = core.Sloppy
		}
		script := randomScript(rng, 2+rng.IntN(3), func(i int) string {
			if rng.IntN(3) == 0 {
				return fmt.Sprintf("@n%d", rng.IntN(cfg.Nodes))
			}
			return ""
		}, func(i int) int { return 1 + rng.IntN(3) })
		parsed, err := ParseScript(script)
		if err != nil {
			continue
		}
		sc := Scenario{Config: cfg, Script: parsed, Property: props[rng.IntN(len(props))], K: 1 + rng.IntN(2),
			Budget: Budget{Crashes: rng.IntN(2), Partitions: rng.IntN(2)}}
		if probe, err := New(sc, Bounds{MaxStates: 100_000}); err != nil || !probe.Run().Done || probe.Report().CutBy != "" {
			continue // too large to search twice here
		}
		name := fmt.Sprintf("%q %d nodes W=%d R=%d %v, read repair %v, %+v, %s", script, cfg.Nodes, cfg.W, cfg.R, cfg.Mode, cfg.ReadRepair, sc.Budget, sc.Property)
		compared++
		if foreseen, _, _ := sameEndsMetOrNot(t, name, sc); foreseen > 0 {
			spared++
		}
	}
	if compared < 40 || spared < compared/3 {
		t.Errorf("%d scenarios compared, %d of them with states not expanded: want 40, a third", compared, spared)
	}
}

// sameEndsMetOrNot searches sc with the states whose ends were met left
// unexpanded and with every state expanded, and fails t unless both give
// the same answer and counterexample and, without a violation, the same
// final histories (up to the renamings the search takes), each first at
// the same depth, with no more states tried. It returns how many states
// were not expanded, and the states each search tried.
func sameEndsMetOrNot(t *testing.T, name string, sc Scenario) (foreseen, tried, all int) {
	t.Helper()
	run := func(off bool) (*Search, Report, map[uint64]int) {
		s, err := New(sc, Bounds{MaxStates: 300_000})
		if err != nil {
			t.Fatal(err)
		}
		s.foreseeOff = off
		first := map[uint64]int{}
		s.onFinal = func(cl *core.Cluster, depth int) {
			h := s.finalDigest(cl, s.historyDigest(cl, 0))
			if d, ok := first[h]; !ok || depth < d {
				first[h] = depth
			}
		}
		return s, s.Run(), first
	}
	s, r, met := run(false)
	_, e, expanded := run(true)
	t.Logf("%s: %d final histories; %d states tried, %d expanding every state; %d not expanded",
		name, len(expanded), r.States, e.States, s.foreseen)
	if r.CutBy != "" || e.CutBy != "" {
		t.Fatalf("%s: cut: %+v %+v", name, r, e)
	}
	if r.Violated != e.Violated || r.Exhausted != e.Exhausted || fmt.Sprint(r.Counterexample) != fmt.Sprint(e.Counterexample) {
		t.Errorf("%s: answers differ:\n%+v\n%+v", name, r, e)
	}
	if !r.Violated {
		// (A search that found a violation stops at its level: the
		// histories met up to there.)
		if len(met) != len(expanded) {
			t.Errorf("%s: %d final histories, %d expanding every state", name, len(met), len(expanded))
		}
		for h, d := range expanded {
			if m, ok := met[h]; !ok || m != d {
				t.Errorf("%s: a history first met at depth %d expanding every state is met at %d (0: never)", name, d, m)
			}
		}
	}
	if r.States > e.States {
		t.Errorf("%s: %d states tried, more than the %d expanding every state", name, r.States, e.States)
	}
	return s.foreseen, r.States, e.States
}
