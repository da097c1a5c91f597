package ring

import (
	"cmp"
	"slices"

	"github.com/ringlab/ringlab/core/ids"
)

// fromPoints builds a ring whose points sit at the given hashes instead of
// at their VNodeHash, so that tests can place them by hand. Each node's
// weight is its number of points divided by vnodesPerWeight.
func fromPoints(vnodesPerWeight int, points ...Point) *Ring {
	r := New(vnodesPerWeight)
	sorted := slices.Clone(points)
	slices.SortFunc(sorted, comparePoints)
	counts := map[ids.NodeID]int{}
	for _, p := range sorted {
		r.hashes = append(r.hashes, p.Hash)
		r.owners = append(r.owners, p.Node)
		r.indexes = append(r.indexes, uint32(p.Index))
		counts[p.Node]++
	}
	for n, c := range counts {
		r.members = append(r.members, member{node: n, weight: float64(c) / float64(r.vnodesPerWeight), points: c})
	}
	slices.SortFunc(r.members, func(a, b member) int { return cmp.Compare(a.node, b.node) })
	return r
}

// comparePoints is the ring's documented order: by hash, then node, then index.
func comparePoints(a, b Point) int {
	if c := cmp.Compare(a.Hash, b.Hash); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Node, b.Node); c != 0 {
		return c
	}
	return cmp.Compare(a.Index, b.Index)
}

// pt is a hand-placed point, index 0.
func pt(hash uint64, node ids.NodeID) Point { return Point{Hash: hash, Node: node} }
