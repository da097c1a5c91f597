package core

import (
	"maps"
	"slices"
	"sync/atomic"

	"github.com/ringlab/ringlab/core/merkle"
	"github.com/ringlab/ringlab/core/ring"
)

// Copy-on-write between a cluster and its clones.
//
// Clone copies no storage, hint, dot-counter or Merkle data: the clone and
// the original share it, and each side copies a piece only before it first
// changes it. A node's owner token decides what it may change in place: a
// piece of data tagged with the node's current token was made by (or copied
// for) this node since the last Clone; anything else may be shared. Clone
// gives both the original's and the clone's nodes fresh tokens, so all that
// existed before the Clone becomes shared for both.
//
// Three kinds of data are never changed in place and need no tag: versions
// (see version), keyStates and hints (replaced whole on every change), and a
// node's ring (rebuilt as a new ring on every membership change; see
// ringFor).

// cowOwner is an owner token: each newOwner is distinct, and the zero
// token is a new cluster's (and its first data's).
type cowOwner uint64

// ownerSeq numbers the tokens. It is the one thing clusters that share
// nothing else share, and separate clusters may run in separate goroutines
// (tests do), hence the atomic counter in a single-threaded core.
var ownerSeq atomic.Uint64

func newOwner() cowOwner { return cowOwner(ownerSeq.Add(1)) }

// ownTree is a Merkle tree with the token of the node that may change it.
type ownTree struct {
	tree *merkle.Tree
	own  cowOwner
}

// w is node id, to change: a clone shares its nodes with the original, and
// each side copies a node (node.clone) before it first changes it. A node
// is the cluster's to change in place only while its holder is the
// cluster's own token, which Clone renews on both sides. Every change to a
// node goes through a pointer w returned, taken before any other pointer
// to it in the same change.
func (c *Cluster) w(id NodeID) *node {
	n := c.nodes[id]
	if n.holder != c.own {
		if x := takeFree(&c.scratch.nodes); x != nil {
			n = n.cloneInto(x)
		} else {
			n = n.clone()
		}
		n.holder = c.own
		c.nodes[id] = n
	}
	n.hashOf = [3]uint64{} // it may change now
	n.sym.blind, n.sym.ident, n.sym.few = 0, 0, [5]uint64{}
	clear(n.sym.more)
	return n
}

// ownMembers makes n's membership view its own before a change (a clone of
// the node shares it).
func (n *node) ownMembers() {
	if n.membersOwn != n.own {
		n.members = slices.Clone(n.members)
		n.membersOwn = n.own
	}
}

// share makes everything n holds shared: n and its clone x (a shallow copy
// of n) each get a fresh owner token.
func (n *node) share(x *node) {
	n.own, x.own = newOwner(), newOwner()
}

// ownStore makes n's store map n's own before a change.
func (n *node) ownStore() {
	if n.storeOwn != n.own {
		n.store = maps.Clone(n.store)
		n.storeOwn = n.own
	}
}

// setKey replaces the stored state of key (keyStates are never changed in
// place: they may be shared with a clone and with earlier Views' caches).
func (n *node) setKey(key string, ks *keyState) {
	n.ownStore()
	n.store[key] = ks
	n.keysChanged = true
}

func (n *node) deleteKey(key string) {
	n.ownStore()
	delete(n.store, key)
	n.keysChanged = true
}

// setHint replaces the hint hk (hints, like keyStates, are never changed in
// place).
func (n *node) setHint(hk hintKey, h *hint) {
	if n.hintsOwn != n.own {
		n.hints = maps.Clone(n.hints)
		n.hintsOwn = n.own
	}
	n.hints[hk] = h
	n.hintsChanged = true
}

func (n *node) deleteHint(hk hintKey) {
	if n.hintsOwn != n.own {
		n.hints = maps.Clone(n.hints)
		n.hintsOwn = n.own
	}
	delete(n.hints, hk)
	n.hintsChanged = true
}

func (n *node) setCounter(key string, counter uint64) {
	if n.countersOwn != n.own {
		n.counters = maps.Clone(n.counters)
		n.countersOwn = n.own
	}
	n.counters[key] = counter
}

// tree is n's kept tree of arc a, or nil; to read only.
func (n *node) tree(a arc) *merkle.Tree { return n.trees[a].tree }

// keepTree keeps t, which n alone holds, as its tree of arc a.
func (n *node) keepTree(a arc, t *merkle.Tree) {
	if n.treesOwn != n.own {
		n.trees = maps.Clone(n.trees)
		n.treesOwn = n.own
	}
	n.trees[a] = ownTree{t, n.own}
}

// writableTree is n's tree of arc a, copied first if it is shared; nil when
// n keeps no tree of a.
func (n *node) writableTree(a arc) *merkle.Tree {
	ot, ok := n.trees[a]
	if !ok {
		return nil
	}
	if ot.own != n.own {
		ot.tree = ot.tree.Clone()
		n.keepTree(a, ot.tree)
	}
	return ot.tree
}

// writableExtra is n.extra[i]'s tree, copied first if it is shared.
func (n *node) writableExtra(i int) *merkle.Tree {
	x := &n.extra[i]
	if x.own != n.own {
		x.tree = x.tree.Clone()
		x.own = n.own
	}
	return x.tree
}

// forgetTrees drops every Merkle tree n keeps (they are rebuilt from
// storage when next needed).
func (n *node) forgetTrees() {
	if n.treesOwn == n.own {
		clear(n.trees)
	} else {
		n.trees = map[arc]ownTree{}
		n.treesOwn = n.own
	}
	n.extra = nil
}

// ringCacheMax bounds the rings a cluster remembers for reuse.
const ringCacheMax = 8

// ringFor returns a ring of the given members with vnodes points per unit
// of weight. Rings are never changed once built, so nodes whose views agree
// share one ring (64 nodes x 256 vnodes would otherwise hold 64 copies of
// the same 16,384 points), and a clone shares its nodes' rings with the
// original. The agreed ring is offered for reuse too.
func (c *Cluster) ringFor(vnodes int, members []ringMember) *ring.Ring {
	same := func(r *ring.Ring) bool {
		if r.VNodesPerWeight() != ring.New(vnodes).VNodesPerWeight() || r.NodeCount() != len(members) {
			return false
		}
		for _, m := range members {
			if !r.Has(m.id) || r.Weight(m.id) != m.weight {
				return false
			}
		}
		return true
	}
	if same(c.ring) {
		return c.ring
	}
	for _, r := range c.rings {
		if same(r) {
			return r
		}
	}
	r := ring.New(vnodes)
	for _, m := range members {
		_ = r.Add(m.id, m.weight)
	}
	// A new slice each time: the cache's backing array may be shared with
	// a clone.
	keep := c.rings[max(0, len(c.rings)-ringCacheMax+1):]
	c.rings = append(slices.Clip(keep), r)
	return r
}

// changeRing applies a membership change to the agreed ring. The agreed
// ring is shared (with nodes' rings, clones and the View cache), so the
// change is made on a copy.
func (c *Cluster) changeRing(change func(r *ring.Ring)) {
	r := c.ring.Clone()
	change(r)
	c.ring = r
	c.shownRing = nil
}

// setClientCtx records a client's causal context of a key (causal values
// are never changed in place, so only the list needs copying).
func (c *Cluster) setClientCtx(ck clientKey, ctx causal) {
	if c.clientCtxOwn != c.own {
		c.clientCtx = append(make(contexts, 0, len(c.clientCtx)+1), c.clientCtx...)
		c.clientCtxOwn = c.own
	}
	c.clientCtx = c.clientCtx.set(ck, ctx)
	c.rest = 0
}
