package ring

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/ringlab/ringlab/core/ids"
)

const (
	// MaxVNodesPerWeight is the largest number of virtual nodes per unit of
	// weight that New accepts; larger requests are clamped to it.
	MaxVNodesPerWeight = 1 << 16
	// MaxPointsPerNode bounds the points one node may place (its weight
	// times the vnodes per weight); Add refuses a weight that exceeds it.
	MaxPointsPerNode = 1 << 20
)

// Point is one virtual node: a position on the ring and the physical node it
// stands for.
type Point struct {
	Hash  uint64
	Node  ids.NodeID
	Index int // which of the node's virtual nodes: VNodeHash(Node, Index) == Hash
}

// Ring is a consistent-hash ring of weighted physical nodes. The zero value
// is not usable; call New. A Ring is not safe for concurrent mutation; Clone
// gives an independent copy.
//
// The points are kept sorted by hash (ties by node, then by index) as three
// parallel slices, so that a lookup binary-searches a dense []uint64.
type Ring struct {
	vnodesPerWeight int
	hashes          []uint64     // ascending
	owners          []ids.NodeID // owners[i] is the node of hashes[i]
	indexes         []uint32     // indexes[i] is the virtual-node index of hashes[i]
	members         []member     // sorted by node
}

// member is one physical node on the ring.
type member struct {
	node   ids.NodeID
	weight float64
	points int
}

// New returns an empty ring on which a node of weight 1 gets vnodesPerWeight
// points. Values below 1 are raised to 1 (plain consistent hashing, one
// point per node) and values above MaxVNodesPerWeight are lowered to it.
func New(vnodesPerWeight int) *Ring {
	return &Ring{vnodesPerWeight: min(max(vnodesPerWeight, 1), MaxVNodesPerWeight)}
}

// VNodesPerWeight is the number of points a node of weight 1 gets, after clamping.
func (r *Ring) VNodesPerWeight() int { return r.vnodesPerWeight }

// PointCount is the number of points a node of the given weight gets on a
// ring with vnodesPerWeight points per unit of weight:
// max(1, round(weight*vnodesPerWeight)). It fails for a weight that is not a
// positive finite number or that would give more than MaxPointsPerNode points.
func PointCount(weight float64, vnodesPerWeight int) (int, error) {
	if !(weight > 0) || math.IsInf(weight, 1) {
		return 0, fmt.Errorf("ring: weight must be a positive finite number, got %v", weight)
	}
	points := math.Round(weight * float64(vnodesPerWeight))
	if points > MaxPointsPerNode {
		return 0, fmt.Errorf("ring: weight %v times %d vnodes gives %.0f points, more than the %d allowed per node",
			weight, vnodesPerWeight, points, MaxPointsPerNode)
	}
	return max(1, int(points)), nil
}

// Add places node n with the given weight (capacity; 1 is the ordinary node).
// It fails if n is already on the ring, if n is ids.None, or if the weight is
// invalid (see PointCount); the ring is then unchanged.
//
// Add is incremental: only the new node's points are sorted, then merged
// into the existing ones in place, in O(points + k log k) for k new points.
func (r *Ring) Add(n ids.NodeID, weight float64) error {
	if n == ids.None {
		return errors.New("ring: cannot add the reserved node id ids.None")
	}
	pos, found := r.memberPos(n)
	if found {
		return fmt.Errorf("ring: node %v is already on the ring", n)
	}
	count, err := PointCount(weight, r.vnodesPerWeight)
	if err != nil {
		return err
	}

	hashes := make([]uint64, count)
	for i := range hashes {
		hashes[i] = VNodeHash(n, i)
	}
	r.place(n, weight, pos, hashes)
	return nil
}

// place merges the points of a new node n into the ring: hashes[i] is the
// position of its virtual node i; pos is where n goes in r.members. Only the
// new points are sorted; the merge runs in place from the back.
func (r *Ring) place(n ids.NodeID, weight float64, pos int, hashes []uint64) {
	type fresh struct {
		hash  uint64
		index uint32
	}
	count := len(hashes)
	added := make([]fresh, count)
	for i, h := range hashes {
		added[i] = fresh{hash: h, index: uint32(i)}
	}
	slices.SortFunc(added, func(a, b fresh) int {
		if c := cmp.Compare(a.hash, b.hash); c != 0 {
			return c
		}
		return cmp.Compare(a.index, b.index)
	})

	// Merge from the back so that no existing point is overwritten before it
	// has been moved to its final slot.
	old := len(r.hashes)
	total := old + count
	r.hashes = slices.Grow(r.hashes, count)[:total]
	r.owners = slices.Grow(r.owners, count)[:total]
	r.indexes = slices.Grow(r.indexes, count)[:total]
	i, j := old-1, count-1
	for w := total - 1; j >= 0; w-- {
		// The existing point goes last if it sorts after the new one; with
		// equal hashes the smaller node id comes first.
		if i >= 0 && (r.hashes[i] > added[j].hash || (r.hashes[i] == added[j].hash && r.owners[i] > n)) {
			r.hashes[w], r.owners[w], r.indexes[w] = r.hashes[i], r.owners[i], r.indexes[i]
			i--
		} else {
			r.hashes[w], r.owners[w], r.indexes[w] = added[j].hash, n, added[j].index
			j--
		}
	}
	r.members = slices.Insert(r.members, pos, member{node: n, weight: weight, points: count})
}

// Remove takes node n and all its points off the ring, in O(points). It
// reports whether n was on the ring.
func (r *Ring) Remove(n ids.NodeID) bool {
	pos, found := r.memberPos(n)
	if !found {
		return false
	}
	w := 0
	for i, owner := range r.owners {
		if owner == n {
			continue
		}
		r.hashes[w], r.owners[w], r.indexes[w] = r.hashes[i], owner, r.indexes[i]
		w++
	}
	r.hashes, r.owners, r.indexes = r.hashes[:w], r.owners[:w], r.indexes[:w]
	r.members = slices.Delete(r.members, pos, pos+1)
	return true
}

func (r *Ring) memberPos(n ids.NodeID) (int, bool) {
	return slices.BinarySearchFunc(r.members, n, func(m member, n ids.NodeID) int { return cmp.Compare(m.node, n) })
}

// Has reports whether node n is on the ring.
func (r *Ring) Has(n ids.NodeID) bool {
	_, found := r.memberPos(n)
	return found
}

// Weight is the weight node n was added with, or 0 if it is not on the ring.
func (r *Ring) Weight(n ids.NodeID) float64 {
	if pos, found := r.memberPos(n); found {
		return r.members[pos].weight
	}
	return 0
}

// NodePoints is the number of points node n has on the ring (0 if absent).
func (r *Ring) NodePoints(n ids.NodeID) int {
	if pos, found := r.memberPos(n); found {
		return r.members[pos].points
	}
	return 0
}

// Nodes lists the physical nodes on the ring in ascending order (a new slice).
func (r *Ring) Nodes() []ids.NodeID {
	nodes := make([]ids.NodeID, len(r.members))
	for i, m := range r.members {
		nodes[i] = m.node
	}
	return nodes
}

// NodeAt is Nodes()[i], without making the list.
func (r *Ring) NodeAt(i int) ids.NodeID { return r.members[i].node }

// NodeCount is the number of physical nodes on the ring.
func (r *Ring) NodeCount() int { return len(r.members) }

// Len is the number of points (virtual nodes) on the ring.
func (r *Ring) Len() int { return len(r.hashes) }

// PointAt is the i-th point in clockwise order from hash 0; it panics unless
// 0 <= i < Len().
func (r *Ring) PointAt(i int) Point {
	return Point{Hash: r.hashes[i], Node: r.owners[i], Index: int(r.indexes[i])}
}

// Points lists every point in clockwise order from hash 0 (a new slice).
// Points with equal hashes are ordered by node, then by index.
func (r *Ring) Points() []Point {
	points := make([]Point, len(r.hashes))
	for i := range points {
		points[i] = r.PointAt(i)
	}
	return points
}

// Clone returns a ring that shares no memory with r.
func (r *Ring) Clone() *Ring {
	return &Ring{
		vnodesPerWeight: r.vnodesPerWeight,
		hashes:          slices.Clone(r.hashes),
		owners:          slices.Clone(r.owners),
		indexes:         slices.Clone(r.indexes),
		members:         slices.Clone(r.members),
	}
}

// Search is the index of the point that owns hash h: the first point
// clockwise at or after h, wrapping past the top of the space to point 0.
// It is -1 when the ring is empty.
func (r *Ring) Search(h uint64) int {
	i := lowerBound(r.hashes, h)
	if i == len(r.hashes) {
		if i == 0 {
			return -1
		}
		return 0
	}
	return i
}

// Owner is the node that owns hash h (its primary replica); ok is false when
// the ring is empty. It does not allocate.
func (r *Ring) Owner(h uint64) (node ids.NodeID, ok bool) {
	i := lowerBound(r.hashes, h)
	if i == len(r.hashes) {
		if i == 0 {
			return ids.None, false
		}
		i = 0
	}
	return r.owners[i], true
}

// OwnerOfKey is Owner(HashKey(key)).
func (r *Ring) OwnerOfKey(key string) (ids.NodeID, bool) {
	return r.Owner(HashKey(key))
}

// AppendPreferenceList appends to dst the preference list of hash h and
// returns the extended slice: the first n distinct physical nodes met walking
// clockwise from h, skipping points whose node is already chosen. When the
// ring has fewer than n nodes it appends all of them (callers compare the
// length with n); n <= 0 or an empty ring appends nothing. It does not
// allocate when dst has room for n more nodes.
func (r *Ring) AppendPreferenceList(dst []ids.NodeID, h uint64, n int) []ids.NodeID {
	n = min(n, len(r.members))
	if n <= 0 {
		return dst
	}
	hashes, owners := r.hashes, r.owners
	i := lowerBound(hashes, h)
	if i == len(hashes) {
		i = 0
	}
	start := len(dst)
	dst = append(dst, owners[i])
	// Every node has at least one point, so one lap always finds n distinct
	// nodes; the step bound only guards the loop.
	for steps := 1; len(dst)-start < n && steps < len(owners); steps++ {
		i++
		if i == len(owners) {
			i = 0
		}
		if owner := owners[i]; !slices.Contains(dst[start:], owner) {
			dst = append(dst, owner)
		}
	}
	return dst
}

// PreferenceList is AppendPreferenceList(nil, h, n).
func (r *Ring) PreferenceList(h uint64, n int) []ids.NodeID {
	return r.AppendPreferenceList(make([]ids.NodeID, 0, min(max(n, 0), len(r.members))), h, n)
}

// WalkStep is one point visited while building a preference list.
type WalkStep struct {
	Point  Point
	Chosen bool // false: skipped, because its node was already chosen
}

// PreferenceWalk replays the walk of PreferenceList(h, n) point by point, for
// drawing: every point visited, in order, and whether its node was chosen.
// The chosen steps, in order, are exactly PreferenceList(h, n).
func (r *Ring) PreferenceWalk(h uint64, n int) []WalkStep {
	n = min(n, len(r.members))
	if n <= 0 {
		return nil
	}
	var steps []WalkStep
	chosen := make([]ids.NodeID, 0, n)
	i := r.Search(h)
	for visited := 0; len(chosen) < n && visited < len(r.hashes); visited++ {
		p := r.PointAt(i)
		isNew := !slices.Contains(chosen, p.Node)
		if isNew {
			chosen = append(chosen, p.Node)
		}
		steps = append(steps, WalkStep{Point: p, Chosen: isNew})
		if i++; i == len(r.hashes) {
			i = 0
		}
	}
	return steps
}

// RangeOf is the arc (start, end] of the ring that contains hash h: end is
// the hash of the point that owns h and start the hash of the point before
// it (wrapping past zero). Every hash in one arc has the same preference
// list, so end names the key range (the Merkle trees are kept per range).
// With a single point the arc is the whole ring and start == end; on an
// empty ring both are 0.
func (r *Ring) RangeOf(h uint64) (start, end uint64) {
	i := r.Search(h)
	if i < 0 {
		return 0, 0
	}
	prev := i - 1
	if prev < 0 {
		prev = len(r.hashes) - 1
	}
	return r.hashes[prev], r.hashes[i]
}
