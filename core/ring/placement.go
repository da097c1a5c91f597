package ring

import (
	"cmp"
	"math"
	"math/bits"
	"slices"

	"github.com/ringlab/ringlab/core/ids"
)

// Placement maps a key's hash to the node that owns it. *Ring and Modulo
// implement it, so the measurements below compare the two schemes.
type Placement interface {
	// Owner is the node owning hash h; ok is false when there is no node.
	Owner(h uint64) (node ids.NodeID, ok bool)
}

var (
	_ Placement = (*Ring)(nil)
	_ Placement = Modulo{}
)

// Modulo is the naive placement the guide opens with: key hash h belongs to
// Nodes[h % len(Nodes)]. Adding or removing a node changes len(Nodes) and
// with it the owner of almost every key.
type Modulo struct {
	Nodes []ids.NodeID
}

// Owner is Nodes[h % len(Nodes)]; ok is false when Nodes is empty.
func (m Modulo) Owner(h uint64) (ids.NodeID, bool) {
	if len(m.Nodes) == 0 {
		return ids.None, false
	}
	return m.Nodes[h%uint64(len(m.Nodes))], true
}

// Share is the fraction of the hash space (or of a key sample) one node owns.
type Share struct {
	Node     ids.NodeID
	Fraction float64
}

// ArcShares is the exact fraction of the 2^64 hash space each node owns: the
// sum of the arcs (previous point, point] of its points. Arc lengths are
// summed as 128-bit integers, so the only rounding is the final conversion
// to float64. The result is sorted by node; the fractions sum to 1 (up to
// that rounding) unless the ring is empty, in which case it is empty.
func (r *Ring) ArcShares() []Share {
	type wide struct{ hi, lo uint64 } // hi*2^64 + lo
	sums := make([]wide, len(r.members))
	count := len(r.hashes)
	coincide := count > 0 && r.hashes[0] == r.hashes[count-1]
	for i := 0; i < count; i++ {
		var length wide
		switch {
		case coincide:
			// All points coincide (a single point, in practice): the
			// first one in order owns the whole ring, the rest nothing.
			if i == 0 {
				length = wide{hi: 1}
			}
		case i == 0:
			length.lo = r.hashes[0] - r.hashes[count-1] // wraps past zero
		default:
			length.lo = r.hashes[i] - r.hashes[i-1]
		}
		pos, _ := r.memberPos(r.owners[i])
		var carry uint64
		sums[pos].lo, carry = bits.Add64(sums[pos].lo, length.lo, 0)
		sums[pos].hi += length.hi + carry
	}
	shares := make([]Share, len(r.members))
	for i, m := range r.members {
		shares[i] = Share{Node: m.node, Fraction: float64(sums[i].hi) + float64(sums[i].lo)/(1<<64)}
	}
	return shares
}

// KeyCounts counts the keys (given by their hashes) that p places on each of
// nodes, in the order of nodes. Keys owned by a node not listed, or by no
// node, are not counted.
func KeyCounts(p Placement, nodes []ids.NodeID, hashes []uint64) []int {
	slot := make(map[ids.NodeID]int, len(nodes))
	for i, n := range nodes {
		slot[n] = i
	}
	counts := make([]int, len(nodes))
	for _, h := range hashes {
		owner, ok := p.Owner(h)
		if !ok {
			continue
		}
		if i, listed := slot[owner]; listed {
			counts[i]++
		}
	}
	return counts
}

// Move is a key whose owner differs between two placements.
type Move struct {
	Index    int        // position of the key in the hashes passed to Moves
	From, To ids.NodeID // ids.None where a placement has no node
}

// Moves lists, in key order, the keys whose owner under after differs from
// their owner under before.
func Moves(before, after Placement, hashes []uint64) []Move {
	var moves []Move
	for i, h := range hashes {
		from, _ := before.Owner(h)
		to, _ := after.Owner(h)
		if from != to {
			moves = append(moves, Move{Index: i, From: from, To: to})
		}
	}
	return moves
}

// Flow counts the keys that moved from one node to another.
type Flow struct {
	From ids.NodeID `json:"from"`
	To   ids.NodeID `json:"to"`
	Keys int        `json:"keys"`
}

// Flows totals moves by (From, To) pair, sorted by From, then To.
func Flows(moves []Move) []Flow {
	var t flowTally
	for _, m := range moves {
		t.add(m.From, m.To)
	}
	return t.flows()
}

// flowTally accumulates moves per (from, to) pair.
type flowTally map[[2]ids.NodeID]int

func (t *flowTally) add(from, to ids.NodeID) {
	if *t == nil {
		*t = flowTally{}
	}
	(*t)[[2]ids.NodeID{from, to}]++
}

func (t flowTally) flows() []Flow {
	flows := make([]Flow, 0, len(t))
	for pair, keys := range t {
		flows = append(flows, Flow{From: pair[0], To: pair[1], Keys: keys})
	}
	slices.SortFunc(flows, func(a, b Flow) int {
		if c := cmp.Compare(a.From, b.From); c != 0 {
			return c
		}
		return cmp.Compare(a.To, b.To)
	})
	return flows
}

// LoadStats summarises the load of a set of nodes. StdDev is the population
// standard deviation; CV = StdDev/Mean (the coefficient of variation) and
// MaxOverMean = Max/Mean are 0 when Mean is 0.
type LoadStats struct {
	Mean        float64 `json:"mean"`
	StdDev      float64 `json:"std_dev"`
	Min         float64 `json:"min"`
	Max         float64 `json:"max"`
	CV          float64 `json:"cv"`
	MaxOverMean float64 `json:"max_over_mean"`
}

// Stats computes LoadStats over loads; it is all zeros for no loads.
func Stats(loads []float64) LoadStats {
	if len(loads) == 0 {
		return LoadStats{}
	}
	s := LoadStats{Min: loads[0], Max: loads[0]}
	var sum float64
	for _, x := range loads {
		sum += x
		s.Min = min(s.Min, x)
		s.Max = max(s.Max, x)
	}
	s.Mean = sum / float64(len(loads))
	var squares float64
	for _, x := range loads {
		d := x - s.Mean
		squares += d * d
	}
	s.StdDev = math.Sqrt(squares / float64(len(loads)))
	if s.Mean != 0 {
		s.CV = s.StdDev / s.Mean
		s.MaxOverMean = s.Max / s.Mean
	}
	return s
}
