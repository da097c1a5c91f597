package experiments

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"

	"github.com/ringlab/ringlab/core/ids"
)

func init() {
	register(Experiment{
		Name:  "availability",
		Title: "Virtual nodes and availability under node failures",
		Summary: "After k random node failures, the chance that some key range keeps fewer than W of its N replicas grows with the vnodes per node, " +
			"while the expected fraction of keys affected does not.",
		Params: append(commonKnobs(10),
			Knob{Name: "nodes", Help: "physical nodes", Default: 10, Min: 3, Max: 64},
			Knob{Name: "n", Help: "replicas per key N", Default: 3, Min: 1, Max: 8},
			Knob{Name: "w", Help: "replicas a quorum needs (W, or R for reads)", Default: 2, Min: 1, Max: 8},
			Knob{Name: "failures_max", Help: "largest number k of failed nodes; one series per k from 1", Default: 3, Min: 1, Max: 8},
			Knob{Name: "vnodes_max", Help: "largest vnodes per node; the sweep doubles from 1", Default: 256, Min: 1, Max: 1024},
			Knob{Name: "trials", Help: "random failure sets drawn per seed", Default: 200, Min: 1, Max: 100_000},
		),
		build: buildAvailability,
	})
}

func buildAvailability(v Values) (*sweep, error) {
	s := &sweep{}
	nodes, replicas, need := v.Int("nodes"), v.Int("n"), v.Int("w")
	switch {
	case replicas > nodes:
		return nil, fmt.Errorf("n=%d must be at most nodes=%d", replicas, nodes)
	case need > replicas:
		return nil, fmt.Errorf("w=%d must be at most n=%d", need, replicas)
	case v.Int("failures_max") > nodes:
		return nil, fmt.Errorf("failures_max=%d must be at most nodes=%d", v.Int("failures_max"), nodes)
	}
	// A range loses its quorum when more than N-W of its replicas are down.
	lethal := replicas - need + 1
	any := s.newTable(Table{
		Name:  "availability",
		Title: "Chance that some key range loses its quorum",
		Claim: fmt.Sprintf("A range loses its quorum when %d of its %d replicas are down. With V vnodes per node there are N·V ranges with many different replica sets, "+
			"so k failures hit some range's quorum more often as V grows: about 1-(1-q)^(nodes·V), where q is the chance that one random replica set loses it.", lethal, replicas),
		Source: "design guide, sections 3, 4 and 6 (ring preference lists)",
		Group:  "failures",
		X:      "vnodes",
		LogX:   true,
		Columns: []Column{
			{Name: "vnodes", Label: "virtual nodes per node", Unit: "vnodes", Role: Param},
			{Name: "p_unavailable", Label: "some range lost its quorum", Unit: "probability", Role: Measured},
			{Name: "p_theory", Label: "independent-ranges approximation", Unit: "probability", Role: Predicted, Predicts: "p_unavailable"},
		},
	})
	frac := s.newTable(Table{
		Name:   "availability_keys",
		Title:  "Fraction of the key space that lost its quorum",
		Claim:  "The expected fraction of keys without a quorum is q whatever the vnodes: more vnodes spread an outage over more, smaller ranges.",
		Source: "design guide, sections 3 and 4",
		Group:  "failures",
		X:      "vnodes",
		LogX:   true,
		Columns: []Column{
			{Name: "vnodes", Label: "virtual nodes per node", Unit: "vnodes", Role: Param},
			{Name: "keys_unavailable", Label: "key space without a quorum", Unit: "fraction of keys", Role: Measured},
			{Name: "keys_theory", Label: "q", Unit: "fraction of keys", Role: Predicted, Predicts: "keys_unavailable"},
		},
	})
	point := 0
	for k := 1; k <= v.Int("failures_max"); k++ {
		group := "k=" + strconv.Itoa(k) + " failed"
		q := hypergeometricTail(nodes, k, replicas, lethal)
		for _, vn := range powersOfTwo(1, v.Int("vnodes_max")) {
			ranges := float64(nodes * vn)
			row := any.addRow(group, map[string]float64{"vnodes": float64(vn), "p_theory": 1 - math.Pow(1-q, ranges)})
			frow := frac.addRow(group, map[string]float64{"vnodes": float64(vn), "keys_theory": q})
			trials := v.Int("trials")
			// Estimated for Progress: there are at most C(nodes, replicas)
			// distinct replica sets, one per range at most.
			sets := min(nodes*vn, int(binomial(nodes, replicas)))
			estimate := float64(nodes*vn*(replicas+2)+trials*(nodes+sets)) / itemsPerUnit
			for rep := 0; rep < v.Int("seeds"); rep++ {
				seed := cellSeed(v.Seed(), point, rep)
				k, vn := k, vn
				s.cells = append(s.cells, cell{cost: estimate, start: func(m *meter) stepFn {
					run := newAvailabilityRun(nodes, vn, replicas, lethal, k, trials, seed, m)
					return func(m *meter) bool {
						if !run.step(m) {
							return false
						}
						p, f := run.result()
						any.record(row, "p_unavailable", p)
						frac.record(frow, "keys_unavailable", f)
						return true
					}
				}})
			}
			point++
		}
	}
	return s, nil
}

// availabilityRun builds a ring (node ids from the seed), then draws
// trials sets of k failed nodes, in pieces, and measures the fraction of
// sets that leave some range with lethal or more replicas down, and the
// mean fraction of the key space in such ranges.
type availabilityRun struct {
	nodes, lethal, k, trials int
	rng                      *rand.Rand
	sets                     []replicaSet // distinct replica sets, in ring order of first range
	done, hit                int          // trials drawn, and those that hit some range
	lost                     float64      // key space without a quorum, summed over trials
}

// replicaSet is the replica set of one or more ranges, as a bit mask over
// the ring's nodes, with the fraction of the key space those ranges cover.
type replicaSet struct {
	mask  uint64
	share float64
}

// availabilityChunkTrials is how many trials run between checks of the meter.
const availabilityChunkTrials = 16

func newAvailabilityRun(nodes, vnodes, replicas, lethal, k, trials int, seed uint64, m *meter) *availabilityRun {
	a := &availabilityRun{nodes: nodes, lethal: lethal, k: k, trials: trials,
		rng: rand.New(rand.NewPCG(seed, 0x617661696c))} // "avail"
	r := tokenRing(nodes, vnodes, a.rng)
	bit := map[ids.NodeID]uint64{}
	for i, n := range r.Nodes() {
		bit[n] = 1 << uint(i)
	}
	index := map[uint64]int{} // mask -> position in sets
	count := r.Len()
	var pref []ids.NodeID
	for i := 0; i < count; i++ {
		end, start := r.PointAt(i).Hash, r.PointAt((i+count-1)%count).Hash
		share := float64(end-start) / (1 << 64)
		if count == 1 {
			share = 1
		}
		var mask uint64
		pref = r.AppendPreferenceList(pref[:0], end, replicas)
		for _, n := range pref {
			mask |= bit[n]
		}
		if j, ok := index[mask]; ok {
			a.sets[j].share += share
		} else {
			index[mask] = len(a.sets)
			a.sets = append(a.sets, replicaSet{mask, share})
		}
	}
	// The points placed and sorted, and each range's walk.
	m.items(count * (replicas + 2))
	return a
}

// step draws trials until m is full; it reports whether all are drawn.
func (a *availabilityRun) step(m *meter) bool {
	for !m.full() && a.done < a.trials {
		end := min(a.done+availabilityChunkTrials, a.trials)
		m.items((end - a.done) * (a.nodes + len(a.sets)))
		for ; a.done < end; a.done++ {
			var failed uint64
			for _, i := range a.rng.Perm(a.nodes)[:a.k] {
				failed |= 1 << uint(i)
			}
			some := false
			for _, s := range a.sets {
				if bits.OnesCount64(s.mask&failed) >= a.lethal {
					some = true
					a.lost += s.share
				}
			}
			if some {
				a.hit++
			}
		}
	}
	return a.done == a.trials
}

// result is the chance that some range lost its quorum, and the mean
// fraction of the key space that did.
func (a *availabilityRun) result() (pSome, keyFraction float64) {
	return float64(a.hit) / float64(a.trials), a.lost / float64(a.trials)
}

// hypergeometricTail is the chance that a random set of replicas of size n
// drawn from nodes includes at least lethal of k failed nodes.
func hypergeometricTail(nodes, k, n, lethal int) float64 {
	var p float64
	for j := lethal; j <= min(n, k); j++ {
		p += binomial(k, j) * binomial(nodes-k, n-j) / binomial(nodes, n)
	}
	return p
}

// binomial is C(n, k) as a float64 (0 when k is out of range).
func binomial(n, k int) float64 {
	if k < 0 || k > n {
		return 0
	}
	c := 1.0
	for i := 1; i <= k; i++ {
		c = c * float64(n-k+i) / float64(i)
	}
	return c
}
