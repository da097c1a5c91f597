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
		Claim: fmt.Sprintf("A range loses its quorum when %d of its %d replicas are down; with more vnodes per node (V) there are more distinct replica sets, "+
			"so k failures hit some quorum more often as V grows. Exactly: on a given ring, the share of all C(nodes, k) sets of failed nodes that leave "+
			"some replica set with %d or more failed, averaged over the seeds' rings (- where too many sets to count). One vnode makes the ring a cycle: "+
			"nodes=10, N=3, W=2, k=2 gives 20 of 45 pairs, 0.444. The independent-ranges estimate 1-(1-q)^(nodes·V) overstates it, as ranges share nodes.",
			lethal, replicas, lethal),
		Source: "design guide, sections 3, 4 and 6 (ring preference lists); experiments/availability.go safeSets",
		Group:  "failures",
		X:      "vnodes",
		LogX:   true,
		Columns: []Column{
			{Name: "vnodes", Label: "virtual nodes per node", Unit: "vnodes", Role: Param},
			{Name: "p_unavailable", Label: "some range lost its quorum", Unit: "probability", Role: Measured},
			{Name: "p_exact", Label: "exact, over every failure set", Unit: "probability", Role: Predicted, Predicts: "p_unavailable"},
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
			row := any.addRow(group, map[string]float64{"vnodes": float64(vn)})
			frow := frac.addRow(group, map[string]float64{"vnodes": float64(vn), "keys_theory": q})
			trials := v.Int("trials")
			// Estimated for Progress: there are at most C(nodes, replicas)
			// distinct replica sets, one per range at most; counting the
			// safe failure sets tries each of at most C(nodes, k) sets.
			sets := min(nodes*vn, int(binomial(nodes, replicas)))
			count := min(binomial(nodes, k)*float64(1+sets*replicas/nodes), exactWorkMax)
			estimate := (float64(nodes*vn*(replicas+2)+trials*(nodes+sets)) + count) / itemsPerUnit
			exact := &meanOf{}
			for rep := 0; rep < v.Int("seeds"); rep++ {
				seed := cellSeed(v.Seed(), point, rep)
				k, vn := k, vn
				s.add(point, rep, cell{cost: estimate, start: func(m *meter) stepFn {
					run := newAvailabilityRun(nodes, vn, replicas, lethal, k, trials, seed, m)
					if exact.nan() { // another ring of this row had too many sets to count
						run.safe.done, run.safe.overflow = true, true
					}
					return func(m *meter) bool {
						if !run.step(m) {
							return false
						}
						p, f, pExact := run.result()
						any.record(row, "p_unavailable", p)
						frac.record(frow, "keys_unavailable", f)
						exact.add(pExact)
						any.setValue(row, "p_exact", exact.mean())
						return true
					}
				}})
			}
			point++
		}
	}
	return s, nil
}

// meanOf is the running mean of values, NaN once any value is NaN.
type meanOf struct {
	sum float64
	n   int
}

// nan reports whether the mean is NaN for good: some value was.
func (a *meanOf) nan() bool { return math.IsNaN(a.sum) }

func (a *meanOf) add(x float64) { a.sum += x; a.n++ }

func (a *meanOf) mean() float64 {
	if a.n == 0 {
		return math.NaN()
	}
	return a.sum / float64(a.n)
}

// availabilityRun builds a ring (node ids from the seed), then draws
// trials sets of k failed nodes, in pieces, and measures the fraction of
// sets that leave some range with lethal or more replicas down, and the
// mean fraction of the key space in such ranges; then it counts the same
// fraction exactly, over every set of k failed nodes (safeSets).
type availabilityRun struct {
	nodes, lethal, k, trials int
	rng                      *rand.Rand
	sets                     []replicaSet // distinct replica sets, in ring order of first range
	done, hit                int          // trials drawn, and those that hit some range
	lost                     float64      // key space without a quorum, summed over trials
	safe                     safeSets
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
	a.safe = newSafeSets(nodes, k, lethal, a.sets)
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
	for !m.full() && a.done == a.trials && !a.safe.done {
		m.items(a.safe.step(availabilityChunkTrials * 64))
	}
	return a.safe.done
}

// result is the chance that some range lost its quorum, the mean fraction
// of the key space that did, and the exact chance over every failure set
// (NaN when there were too many to count).
func (a *availabilityRun) result() (pSome, keyFraction, pExact float64) {
	return float64(a.hit) / float64(a.trials), a.lost / float64(a.trials), a.safe.pUnavailable()
}

// exactWorkMax bounds the work of counting the safe failure sets of one
// ring, in items (a few tens of milliseconds natively); a ring that needs
// more gets no exact value, and the other rings of its row are not counted.
const exactWorkMax = 1 << 20

// safeSets counts the sets of k failed nodes that leave every replica set
// with fewer than lethal failed members, by a depth-first search over
// failure sets in increasing node order that abandons a prefix as soon as
// some replica set reaches lethal (adding nodes only makes that worse, so
// no extension of the prefix is safe). Safe sets are then counted one by
// one, so the search costs about the number of safe prefixes, far fewer
// than C(nodes, k) when most failure sets are fatal. It runs in pieces
// (step), resuming where it stopped.
//
// The exact chance that some range loses its quorum is then
// 1 - safe/C(nodes, k): failure sets are equally likely.
type safeSets struct {
	nodes, k, lethal int
	of               [][]uint64 // of[i]: the replica sets (masks) holding node i
	chosen           []int      // the failed nodes so far, increasing
	failed           uint64     // chosen as a mask
	next             int        // the next node to try at this depth
	safe             float64
	work             int
	done, overflow   bool
}

func newSafeSets(nodes, k, lethal int, sets []replicaSet) safeSets {
	s := safeSets{nodes: nodes, k: k, lethal: lethal, of: make([][]uint64, nodes)}
	for _, rs := range sets {
		for i := range nodes {
			if rs.mask&(1<<uint(i)) != 0 {
				s.of[i] = append(s.of[i], rs.mask)
			}
		}
	}
	return s
}

// step runs about budget items of the search and returns the items done.
func (s *safeSets) step(budget int) int {
	start := s.work
	for !s.done && s.work-start < budget {
		depth := len(s.chosen)
		switch {
		case depth == s.k:
			s.safe++
			s.pop()
		case s.next > s.nodes-(s.k-depth): // too few nodes left to reach k
			if depth == 0 {
				s.done = true
				break
			}
			s.pop()
		default:
			x := s.next
			s.next++
			s.work += 1 + len(s.of[x])
			if s.canFail(x) {
				s.chosen = append(s.chosen, x)
				s.failed |= 1 << uint(x)
				s.next = x + 1
			}
		}
		if s.work > exactWorkMax {
			s.done, s.overflow = true, true
		}
	}
	return s.work - start
}

func (s *safeSets) pop() {
	x := s.chosen[len(s.chosen)-1]
	s.chosen = s.chosen[:len(s.chosen)-1]
	s.failed &^= 1 << uint(x)
	s.next = x + 1
}

// canFail reports whether node x may fail besides the chosen ones with
// every replica set keeping its quorum.
func (s *safeSets) canFail(x int) bool {
	f := s.failed | 1<<uint(x)
	for _, m := range s.of[x] {
		if bits.OnesCount64(m&f) >= s.lethal {
			return false
		}
	}
	return true
}

// pUnavailable is the exact chance that k random failures leave some range
// without a quorum, NaN if the count was abandoned.
func (s *safeSets) pUnavailable() float64 {
	if s.overflow || !s.done {
		return math.NaN()
	}
	return 1 - s.safe/binomial(s.nodes, s.k)
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
