// Package merkle implements the hash trees that replicas compare during
// anti-entropy, to find the keys on which they disagree without shipping
// every key.
//
// # The tree
//
// A Tree covers one key range. It is a complete binary tree of depth d with
// 2^d leaves; level 0 holds the root and level d the leaves. Each key falls in
// one leaf (LeafIndex). A leaf's value is the sum, modulo 2^64, of one item
// hash per stored item, item = mix(keyHash, itemDigest), where itemDigest
// stands for what the replica stores under the key (for example the hash of
// its versions). A sum is order-independent and can be undone, so one write
// changes its leaf in O(1) (Add, Remove, Update) and then rehashes only the
// d inner nodes on the leaf's path to the root: the tree is never rebuilt. An
// inner node is xxhash64 of its children's two values (left then right, 8
// little-endian bytes each), except that a node whose children are both 0 is 0:
// an empty subtree costs nothing to compare, and two empty trees are equal.
//
// # Comparing two trees
//
// Diff compares two local trees top-down: the roots first; if they are equal
// the whole range is in sync after one comparison. Otherwise it descends,
// level by level, only into the children of the nodes that differed. For k
// differing leaves this compares at most 1 + 2·k·d hashes, rather than every
// key. Diff's Steps list each comparison in the order a level-by-level
// exchange makes it, which is what the simulator traces and the lab animates.
//
// # The exchange protocol
//
// Two replicas A and B do not share memory, so the same walk runs over
// messages, one level per message, with the roles alternating:
//
//  1. A sends p := a.RootProbe(): level 0, index 0, A's root hash.
//  2. The receiver R answers with r := R.Answer(p). Answer compares each
//     probed hash with R's own node (r.Steps). If none differ, r.InSync is
//     true and the exchange ends. If the probe was at the leaf level,
//     r.Leaves lists the differing buckets, and the replicas go on to exchange
//     the keys of only those buckets. Otherwise r.Next carries R's own hashes
//     of both children of every differing node, one level down.
//  3. R sends r.Next to the other replica, which answers it as in step 2, and
//     so on until a reply is in sync or names the differing leaves.
//
// Each probe carries only hashes on divergent paths, so the hashes sent in the
// whole exchange equal Diff's HashesCompared, and the differing leaves are the
// same as Diff's. Children and CompareLevel are the primitives Answer is made
// of, for callers that shape their own messages.
//
// Trees of different depths cannot be compared: Diff, CompareLevel and Answer
// return an error (the cluster uses one depth for every range).
package merkle

import (
	"encoding/binary"
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// MaxDepth bounds a tree to 2^20 leaves (2^21-1 nodes, 16 MiB of hashes).
const MaxDepth = 20

// Tree is a Merkle tree over one key range. It is not safe for concurrent use
// (the simulator is single-threaded); Clone gives an independent copy.
type Tree struct {
	depth int
	// nodes is heap-ordered: the node at (level, index) is at (1<<level)-1+index,
	// so its children are at 2p+1 and 2p+2 and its parent at (p-1)/2.
	nodes []uint64
}

// New returns an empty tree with 2^depth leaves. depth is clamped to
// [0, MaxDepth]: 0 gives a single leaf that is also the root.
func New(depth int) *Tree {
	depth = clampDepth(depth)
	return &Tree{depth: depth, nodes: make([]uint64, 1<<(depth+1)-1)}
}

func clampDepth(depth int) int { return min(max(depth, 0), MaxDepth) }

// Depth is the number of levels below the root.
func (t *Tree) Depth() int { return t.depth }

// Leaves is the number of leaves, 2^Depth().
func (t *Tree) Leaves() int { return 1 << t.depth }

// LeafIndex returns the leaf (bucket) of a key in a tree of the given depth
// (clamped as in New). keyHash is typically the key's position on the ring;
// the keys of one ring range share their top bits, so the bucket comes from
// the top bits of a remixed keyHash (a bijective 64-bit finaliser), which
// spreads a range's keys evenly over the leaves.
func LeafIndex(keyHash uint64, depth int) int {
	depth = clampDepth(depth)
	if depth == 0 {
		return 0
	}
	return int(remix(keyHash) >> (64 - depth))
}

// remix is the 64-bit finaliser of MurmurHash3: every input bit affects every
// output bit.
func remix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// itemHash is the contribution of one stored item to its leaf. Hashing the key
// and digest together (rather than adding them) keeps items independent under
// the leaf's sum: two replicas that swapped the versions of two keys differ.
func itemHash(keyHash, itemDigest uint64) uint64 {
	return pairHash(keyHash, itemDigest)
}

// pairHash is xxhash64 of a and b as 16 little-endian bytes.
func pairHash(a, b uint64) uint64 {
	var buf [16]byte
	binary.LittleEndian.PutUint64(buf[:8], a)
	binary.LittleEndian.PutUint64(buf[8:], b)
	return xxhash.Sum64(buf[:])
}

// innerHash combines two children; an empty subtree stays 0.
func innerHash(left, right uint64) uint64 {
	if left == 0 && right == 0 {
		return 0
	}
	return pairHash(left, right)
}

// Add records that the range holds an item (the key keyHash with content
// itemDigest). Adding the same item twice counts it twice.
func (t *Tree) Add(keyHash, itemDigest uint64) {
	t.addToLeaf(LeafIndex(keyHash, t.depth), itemHash(keyHash, itemDigest))
}

// Remove undoes one Add of the same item.
func (t *Tree) Remove(keyHash, itemDigest uint64) {
	t.addToLeaf(LeafIndex(keyHash, t.depth), -itemHash(keyHash, itemDigest))
}

// Update replaces an item's digest: Remove(keyHash, oldDigest) then
// Add(keyHash, newDigest), with one pass up the tree.
func (t *Tree) Update(keyHash, oldDigest, newDigest uint64) {
	if oldDigest == newDigest {
		return
	}
	t.addToLeaf(LeafIndex(keyHash, t.depth), itemHash(keyHash, newDigest)-itemHash(keyHash, oldDigest))
}

// addToLeaf adds delta (mod 2^64) to a leaf and rehashes its path to the root.
func (t *Tree) addToLeaf(leaf int, delta uint64) {
	p := 1<<t.depth - 1 + leaf
	t.nodes[p] += delta
	for p > 0 {
		p = (p - 1) / 2
		t.nodes[p] = innerHash(t.nodes[2*p+1], t.nodes[2*p+2])
	}
}

// Root is the hash of the whole range; 0 when the range holds nothing.
func (t *Tree) Root() uint64 { return t.nodes[0] }

// Hash returns the node at (level, index): level 0 is the root (index 0),
// level Depth() holds the leaves (index 0 to Leaves()-1). It panics when the
// node does not exist.
func (t *Tree) Hash(level, index int) uint64 {
	if !t.valid(level, index) {
		panic(fmt.Sprintf("merkle: no node (%d, %d) in a tree of depth %d", level, index, t.depth))
	}
	return t.nodes[1<<level-1+index]
}

func (t *Tree) valid(level, index int) bool {
	return level >= 0 && level <= t.depth && index >= 0 && index < 1<<level
}

// Children returns the hashes of the two children of the inner node (level,
// index): (level+1, 2*index) and (level+1, 2*index+1). It panics when the
// node does not exist or is a leaf.
func (t *Tree) Children(level, index int) (left, right uint64) {
	if !t.valid(level, index) || level == t.depth {
		panic(fmt.Sprintf("merkle: no inner node (%d, %d) in a tree of depth %d", level, index, t.depth))
	}
	p := 1<<level - 1 + index
	return t.nodes[2*p+1], t.nodes[2*p+2]
}

// Clone returns an independent copy of the tree.
func (t *Tree) Clone() *Tree {
	return &Tree{depth: t.depth, nodes: append([]uint64(nil), t.nodes...)}
}

// Reset empties the tree, keeping its depth.
func (t *Tree) Reset() { clear(t.nodes) }

// Step is one comparison of the same tree node in two trees.
type Step struct {
	Level, Index int
	Equal        bool
}

// DiffResult is the outcome of a top-down comparison.
type DiffResult struct {
	// Steps are the comparisons in the order a level-by-level exchange makes
	// them: by level, then by index.
	Steps []Step
	// Leaves are the indexes of the differing leaves, ascending.
	Leaves []int
	// HashesCompared is len(Steps): the number of hash pairs compared, which
	// is also the number of hashes one side sends in the exchange protocol.
	HashesCompared int
}

// Diff compares a and b top-down: the roots, then only the children of nodes
// that differ. It returns an error when the depths differ.
func Diff(a, b *Tree) (DiffResult, error) {
	if a.depth != b.depth {
		return DiffResult{}, fmt.Errorf("merkle: cannot compare trees of depth %d and %d", a.depth, b.depth)
	}
	var res DiffResult
	// The indexes to compare at the current level, ascending, and those of
	// the next level; the two buffers swap at each level.
	frontier, next := make([]int, 1, 64), make([]int, 0, 64)
	for level := 0; len(frontier) > 0; level++ {
		base := 1<<level - 1
		next = next[:0]
		for _, i := range frontier {
			equal := a.nodes[base+i] == b.nodes[base+i]
			res.Steps = append(res.Steps, Step{Level: level, Index: i, Equal: equal})
			if equal {
				continue
			}
			if level == a.depth {
				res.Leaves = append(res.Leaves, i)
			} else {
				next = append(next, 2*i, 2*i+1)
			}
		}
		frontier, next = next, frontier
	}
	res.HashesCompared = len(res.Steps)
	return res, nil
}

// CompareLevel compares the hashes another replica sent for some nodes of one
// level (theirs[k] is its hash of node (level, indexes[k])) with this tree's,
// and returns the indexes whose hashes differ, in the order given. It returns
// an error when the lengths differ or a node does not exist in mine.
func CompareLevel(mine *Tree, level int, indexes []int, theirs []uint64) (differing []int, err error) {
	err = mine.compareLevel(level, indexes, theirs, func(index int, equal bool) {
		if !equal {
			differing = append(differing, index)
		}
	})
	return differing, err
}

// compareLevel validates a level's hashes against t, then reports each
// comparison in the order given.
func (t *Tree) compareLevel(level int, indexes []int, theirs []uint64, visit func(index int, equal bool)) error {
	if len(indexes) != len(theirs) {
		return fmt.Errorf("merkle: %d indexes but %d hashes", len(indexes), len(theirs))
	}
	for _, i := range indexes {
		if !t.valid(level, i) {
			return fmt.Errorf("merkle: no node (%d, %d) in a tree of depth %d", level, i, t.depth)
		}
	}
	base := 1<<level - 1
	for k, i := range indexes {
		visit(i, t.nodes[base+i] == theirs[k])
	}
	return nil
}

// Probe is one message of the exchange protocol: the sender's hashes of some
// nodes of one level. Hashes[k] is the hash of node (Level, Indexes[k]).
type Probe struct {
	Level   int
	Indexes []int
	Hashes  []uint64
}

// RootProbe opens an exchange: the root's hash.
func (t *Tree) RootProbe() Probe {
	return Probe{Level: 0, Indexes: []int{0}, Hashes: []uint64{t.nodes[0]}}
}

// Reply is a replica's answer to a Probe.
type Reply struct {
	// Steps are this replica's comparisons of the probed nodes, in probe order.
	Steps []Step
	// InSync is true when every probed node was equal: the exchange is over.
	InSync bool
	// Leaves are the differing leaves when the probe was at the leaf level,
	// in probe order (ascending in an exchange opened by RootProbe): the
	// buckets whose keys the replicas must now exchange.
	Leaves []int
	// Next probes one level down when inner nodes differed: this replica's
	// hashes of both children of each differing node, to send to the peer.
	Next Probe
}

// Answer compares a probe with t and builds the reply described in the
// package comment. It returns an error when the probe names nodes t does not
// have, for example when the peer's tree has another depth.
func (t *Tree) Answer(p Probe) (Reply, error) {
	var r Reply
	var differing []int
	err := t.compareLevel(p.Level, p.Indexes, p.Hashes, func(index int, equal bool) {
		r.Steps = append(r.Steps, Step{Level: p.Level, Index: index, Equal: equal})
		if !equal {
			differing = append(differing, index)
		}
	})
	if err != nil {
		return Reply{}, err
	}
	switch {
	case len(differing) == 0:
		r.InSync = true
	case p.Level == t.depth:
		r.Leaves = differing
	default:
		r.Next = Probe{
			Level:   p.Level + 1,
			Indexes: make([]int, 0, 2*len(differing)),
			Hashes:  make([]uint64, 0, 2*len(differing)),
		}
		for _, i := range differing {
			left, right := t.Children(p.Level, i)
			r.Next.Indexes = append(r.Next.Indexes, 2*i, 2*i+1)
			r.Next.Hashes = append(r.Next.Hashes, left, right)
		}
	}
	return r, nil
}
