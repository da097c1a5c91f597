package core

import (
	"slices"

	"github.com/ringlab/ringlab/core/merkle"
)

// RangeView is one key range a node replicates by its own ring, with the
// root of the Merkle tree it keeps for it.
type RangeView struct {
	Start    uint64   `json:"start"`    // the range is (Start, End] on the ring
	End      uint64   `json:"end"`      // names the range, as Event.Range does
	Replicas []NodeID `json:"replicas"` // its preference list by the node's ring
	Root     uint64   `json:"root"`     // 0 when the node stores no key in it
	Keys     int      `json:"keys"`     // keys the node stores in it
}

// MerkleRanges lists the key ranges node n replicates, by its own ring, in
// ring order; nil for a node that is down or does not exist. Reading them
// changes nothing in the cluster.
func (c *Cluster) MerkleRanges(n NodeID) []RangeView {
	if int(n) >= len(c.nodes) || c.nodes[n].ring == nil {
		return nil
	}
	nd := c.nodes[n]
	arcs, prefs := c.appendReplicatedArcs(nd, nil, nil)
	out := make([]RangeView, 0, len(arcs))
	for i, a := range arcs {
		rv := RangeView{Start: a.start, End: a.end, Root: c.peekTree(nd, a).Root()}
		for _, p := range prefs[i*c.cfg.N : (i+1)*c.cfg.N] {
			if p != NoNode {
				rv.Replicas = append(rv.Replicas, p)
			}
		}
		for _, ks := range nd.store {
			if len(ks.versions) > 0 && a.contains(ks.hash) {
				rv.Keys++
			}
		}
		out = append(out, rv)
	}
	return out
}

// MerkleTree is node n's Merkle tree of the range that ends at rangeEnd (a
// point of n's ring, or a range a peer compared with n, as EvMerkleCompare's
// Range names it): levels[0] is the root, levels[l] holds the 2^l hashes of
// level l, and the last level the leaves; a copy. ok is false when n is down
// or has no such range.
func (c *Cluster) MerkleTree(n NodeID, rangeEnd uint64) (levels [][]uint64, ok bool) {
	nd, a, ok := c.rangeOf(n, rangeEnd)
	if !ok {
		return nil, false
	}
	t := c.peekTree(nd, a)
	levels = make([][]uint64, t.Depth()+1)
	for l := range levels {
		levels[l] = make([]uint64, 1<<l)
		for i := range levels[l] {
			levels[l][i] = t.Hash(l, i)
		}
	}
	return levels, true
}

// MerkleLeafKeys lists, sorted, the keys node n stores in one leaf (bucket)
// of its tree of the range that ends at rangeEnd; nil when there is no such
// range or leaf.
func (c *Cluster) MerkleLeafKeys(n NodeID, rangeEnd uint64, leaf int) []string {
	nd, a, ok := c.rangeOf(n, rangeEnd)
	if !ok || leaf < 0 || leaf >= 1<<c.cfg.MerkleDepth {
		return nil
	}
	var out []string
	for k, ks := range nd.store {
		if len(ks.versions) > 0 && a.contains(ks.hash) && merkle.LeafIndex(ks.hash, c.cfg.MerkleDepth) == leaf {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// rangeOf finds the range of n's ring ending at rangeEnd, or a range of a
// peer's ring that n keeps a tree for.
func (c *Cluster) rangeOf(n NodeID, rangeEnd uint64) (*node, arc, bool) {
	if int(n) >= len(c.nodes) || c.nodes[n].ring == nil || c.nodes[n].ring.Len() == 0 {
		return nil, arc{}, false
	}
	nd := c.nodes[n]
	if s, e := nd.ring.RangeOf(rangeEnd); e == rangeEnd {
		return nd, arc{s, e}, true
	}
	for _, x := range nd.extra {
		if x.arc.end == rangeEnd {
			return nd, x.arc, true
		}
	}
	return nil, arc{}, false
}

// peekTree is treeFor without its side effect: a tree not kept yet is built
// for the caller and not stored.
func (c *Cluster) peekTree(n *node, a arc) *merkle.Tree {
	if t := n.tree(a); t != nil {
		return t
	}
	for _, x := range n.extra {
		if x.arc == a {
			return x.tree
		}
	}
	return c.buildTree(n, a)
}
