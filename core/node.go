package core

import (
	"cmp"
	"slices"
	"sort"
	"strings"

	"github.com/ringlab/ringlab/core/merkle"
	"github.com/ringlab/ringlab/core/ring"
)

// node is one simulated storage node. Only its own methods and the message
// handlers addressed to it read or change it: a node learns about others
// only through messages.
//
// Durable state (store, hints, counters, heartbeat, ringMembers) survives a
// crash; everything else is rebuilt on restart.
type node struct {
	// (Small fields first and together: a node is copied on every change
	// in a clone, so its size counts.)
	id     NodeID
	up     bool
	inRing bool // joined and not yet left (the agreed ring's view of it)
	// leaving is set by CmdLeave: the node announces it, hands its keys
	// over, and stops; gone is set when it has stopped for good.
	leaving bool
	gone    bool
	// leaveHeard is set once a peer's gossip shows it has heard of the
	// leave; handOverAt is when a leaving node starts handing its keys over.
	leaveHeard bool
	// The View cache's flags: whether the store or the hints changed since
	// they were last shown (see shown).
	keysChanged, hintsChanged bool
	// epoch counts incarnations; timers set in an earlier one are ignored.
	epoch      uint32
	weight     float64
	handOverAt int64
	skew       int64

	// Durable.
	store       map[string]*keyState
	hints       map[hintKey]*hint
	counters    map[string]uint64 // the last dot counter this node minted per key
	heartbeat   uint64
	ringMembers []ringMember // the members of this node's ring, as last known

	// In memory.
	members  []member   // indexed by NodeID; known == false for nodes never heard of
	ring     *ring.Ring // never changed in place: may be shared (see ringFor)
	requests requestList
	trees    map[arc]ownTree // per key range this node replicates (own ring arcs)
	extra    []arcTree       // trees for arcs of a peer's ring that are not ours
	// arcsOf: the arcs of ring this node replicates and their preference
	// lists; see replicatedArcs.
	arcsOf *arcsCache
	// transfers are the keys being handed over because the node no longer
	// replicates them (see transfer.go).
	transfers map[string]*transfer
	// unreplicated lists, sorted, the keys of store that ring does not make
	// this node replicate: what a transfer pass hands over (nil: not
	// computed). See unreplicatedKeys.
	unreplicated *keysCache

	// Copy-on-write (see cow.go): own is this node's owner token; the maps
	// are this node's to change in place only while tagged with it.
	own                                       cowOwner
	storeOwn, hintsOwn, countersOwn, treesOwn cowOwner
	membersOwn                                cowOwner
	// holder is the token (Cluster.own) of the cluster that may change
	// this node in place; clones share nodes until then (Cluster.w).
	holder cowOwner
	// hashOf is its state hash's digest (0: not known) until it next
	// changes (Cluster.w): with the tick left out, with timestamps, with
	// the tick but no timestamps (stateHasher.nodeHash).
	hashOf [3]uint64
	// sym is renamedNodeHash's, until the node next changes.
	sym nodeDigests

	// The View cache (see view.go): the keys and hints as last shown
	// (keysChanged and hintsChanged say whether they changed since).
	shown *shownNode
}

// arcsCache is what replicatedArcs found for a ring and N (width): the
// arcs the node replicates and their preference lists, N wide. It is
// replaced whole, never changed, so clones share it.
type arcsCache struct {
	ring  *ring.Ring
	width int
	arcs  []arc
	prefs []NodeID
}

// keysCache is a node's unreplicated keys for a ring and N (width). It is
// replaced whole, never changed in place, so clones share it.
type keysCache struct {
	ring  *ring.Ring
	width int
	keys  []string
}

// keyState is a key as one replica stores it: its sibling set, sorted by dot.
// It is never changed once stored (node.setKey replaces it): clones and the
// View cache share it.
type keyState struct {
	hash     uint64
	versions []*version
	digest   uint64 // setDigest(versions), the key's Merkle item digest
}

type hintKey struct {
	key   string
	owner NodeID
}

// hint is a write a stand-in keeps for the node it was meant for. Like
// keyState, it is replaced (node.setHint), never changed in place.
type hint struct {
	hash     uint64
	versions []*version
}

type ringMember struct {
	id     NodeID
	weight float64
}

// arc is a key range (start, end] of a ring; end names it.
type arc struct{ start, end uint64 }

func (a arc) contains(h uint64) bool {
	switch {
	case a.start == a.end:
		return true
	case a.start < a.end:
		return h > a.start && h <= a.end
	default:
		return h > a.start || h <= a.end
	}
}

type arcTree struct {
	arc  arc
	tree *merkle.Tree
	own  cowOwner // see writableExtra
}

func newNode(id NodeID, weight float64, skew int64) *node {
	own := newOwner()
	return &node{
		id:          id,
		weight:      weight,
		up:          true,
		inRing:      true,
		skew:        skew,
		store:       map[string]*keyState{},
		hints:       map[hintKey]*hint{},
		counters:    map[string]uint64{},
		trees:       map[arc]ownTree{},
		own:         own,
		storeOwn:    own,
		hintsOwn:    own,
		countersOwn: own,
		membersOwn:  own,
		treesOwn:    own,
	}
}

// restartable reports whether a down node may come back: it is on the ring,
// or it was leaving and had not finished handing its keys over.
func (n *node) restartable() bool { return n.inRing || (n.leaving && !n.gone) }

// sortedKeys lists the keys a node stores, for anything ordered.
func (n *node) sortedKeys() []string {
	keys := make([]string, 0, len(n.store))
	for k := range n.store {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (n *node) sortedHints() []hintKey {
	hs := make([]hintKey, 0, len(n.hints))
	for h := range n.hints {
		hs = append(hs, h)
	}
	slices.SortFunc(hs, compareHintKeys)
	return hs
}

// compareHintKeys orders hints by owner, then key.
func compareHintKeys(a, b hintKey) int {
	if a.owner != b.owner {
		return cmp.Compare(a.owner, b.owner)
	}
	return strings.Compare(a.key, b.key)
}

// versionsOf is what the node answers a get with: its stored versions of key
// merged with any it holds as hints for others (a stand-in serves what it
// keeps, as in Dynamo's sloppy quorum).
func (c *Cluster) versionsOf(n *node, key string) []*version {
	var vs []*version
	if ks := n.store[key]; ks != nil {
		vs = ks.versions
	}
	if len(n.hints) == 0 {
		return vs
	}
	for _, hk := range n.sortedHints() {
		if hk.key == key {
			vs = c.mergeSets(vs, n.hints[hk].versions)
		}
	}
	return vs
}

// mergeInto merges incoming into set (neither is changed) as the fold of
// mergeVersion over incoming does, and returns the new set with the
// changes appended to changes (foldVC skips listing them unless report is
// set). Under vector clocks,
// while no context has been truncated, it takes foldVC's linear way; the
// tests' invariant checking compares it with the fold every time.
func (c *Cluster) mergeInto(set, incoming []*version, changes []change, report bool) ([]*version, []change) {
	mode := c.cfg.Versioning
	if mode == VectorClocks && !c.contextTruncated {
		from := len(changes)
		out, changes, ok := foldVC(set, incoming, &c.scratch.pastMerger, changes, report)
		if ok {
			if c.oracle.check {
				c.checkFold(set, incoming, out, changes[from:], report)
			}
			return out, changes
		}
	}
	for i := range incoming { // changes are collected either way; a caller not reporting ignores them
		set, changes = mergeVersion(set, incoming[i], mode, changes)
	}
	return set, changes
}

// mergeSets merges every version of b into a, as the package's mergeSets
// does, by mergeInto.
func (c *Cluster) mergeSets(a, b []*version) []*version {
	if len(a) == 0 && (c.cfg.Versioning == VectorClocks || len(b) <= 1) {
		return b
	}
	if sameDots(a, b) {
		return a
	}
	out, _ := c.mergeInto(a, b, nil, false)
	return out
}

// checkFold records a violation when foldVC's set or changes differ from
// the fold of mergeVersion over the same versions.
func (c *Cluster) checkFold(set, incoming, got []*version, gotChanges []change, report bool) {
	want := set
	var wantChanges []change
	for i := range incoming {
		want, wantChanges = mergeVersion(want, incoming[i], VectorClocks, wantChanges)
	}
	same := sameDots(got, want)
	if report {
		same = same && len(gotChanges) == len(wantChanges)
		for i := 0; same && i < len(gotChanges); i++ {
			same = gotChanges[i].kind == wantChanges[i].kind && gotChanges[i].v.dot == wantChanges[i].v.dot
		}
	}
	if !same {
		c.oracle.violations = append(c.oracle.violations, "the linear merge of sibling sets differs from merging one version at a time")
	}
}

// storeVersions merges incoming versions of key into the node's storage and
// emits what changed; req is the request that caused it (0 for background
// mechanisms). It reports whether the stored set changed. n may be shared
// with a clone (deliverTo): it is taken to change only if it does.
func (c *Cluster) storeVersions(n *node, key string, hash uint64, incoming []*version, req RequestID) bool {
	ks := n.store[key]
	var old []*version
	if ks != nil {
		old = ks.versions
	}
	set, changes := c.mergeInto(old, incoming, c.scratch.changes[:0], true)
	for i := range changes {
		ch := &changes[i]
		if ch.kind == EvLWWDiscard {
			c.counters.LWWDiscards++
		}
		c.emit(&Event{Kind: ch.kind, To: n.id, Request: req, Key: key, Version: ch.v.describe(key)})
	}
	c.scratch.changes = changes[:0]
	if sameDots(old, set) {
		return false
	}
	n = c.w(n.id) // n may be shared with a clone until now (deliverTo)
	var oldDigest uint64
	if ks != nil {
		hash, oldDigest = ks.hash, ks.digest
	}
	ks = &keyState{hash: hash, versions: set, digest: setDigest(set)}
	n.setKey(key, ks)
	if len(old) == 0 {
		c.noteStoredKey(n, key, hash)
	}
	if len(set) > 1 && len(set) > len(old) {
		c.emit(&Event{Kind: EvSiblingCreated, To: n.id, Request: req, Key: key, Count: len(set)})
		c.counters.SiblingsMax = max(c.counters.SiblingsMax, len(set))
	}
	c.updateTrees(n, hash, len(old) > 0, oldDigest, ks.digest)
	c.checkNoRegress(n, key, old, set)
	return true
}

// storeHint keeps versions for an unreachable owner.
func (c *Cluster) storeHint(n *node, key string, hash uint64, owner NodeID, vs []*version, req RequestID) {
	hk := hintKey{key, owner}
	h := n.hints[hk]
	if h == nil {
		h = &hint{hash: hash}
		n.setHint(hk, h)
	}
	merged := c.mergeSets(h.versions, vs)
	if sameDots(merged, h.versions) {
		return
	}
	n.setHint(hk, &hint{hash: h.hash, versions: merged})
	c.counters.HintsStored++
	c.emit(&Event{Kind: EvHintStored, To: n.id, Peer: owner, Request: req, Key: key, Version: describeSet(key, vs)})
}

func describeSet(key string, vs []*version) string {
	if len(vs) == 1 {
		return vs[0].describe(key)
	}
	// One buffer: adding the values one by one would copy the text so far
	// at every value, a cost quadratic in the number of siblings.
	clock := mergedClock(vs).String()
	size := len(key) + 2 + len(clock) + len(vs)
	for i := range vs {
		size += len(vs[i].value)
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(key)
	b.WriteByte('=')
	for i := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(vs[i].value)
	}
	b.WriteByte(' ')
	b.WriteString(clock)
	return b.String()
}

// rebuildRing rebuilds the node's own ring from its membership view (every
// known node that has not left) and forgets its Merkle trees, which are
// rebuilt from storage when next needed.
func (c *Cluster) rebuildRing(n *node) {
	// A new slice: clones share ringMembers (it is never changed in place).
	members := make([]ringMember, 0, len(n.members))
	for id := range n.members {
		m := &n.members[id]
		if m.known && !m.left {
			members = append(members, ringMember{NodeID(id), m.weight})
		}
	}
	n.ring = c.ringFor(c.cfg.VNodes, members)
	n.ringMembers = members
	n.forgetTrees()
}

// treeFor returns the node's Merkle tree of the key range a, building it
// from storage if needed. Ranges of the node's own ring are kept and updated
// on every write; a range of a peer's differing ring view is kept in a short
// list until the node's ring changes.
func (c *Cluster) treeFor(n *node, a arc) *merkle.Tree {
	if s, e := n.ring.RangeOf(a.end); s == a.start && e == a.end {
		if t := n.tree(a); t != nil {
			return t
		}
		t := c.buildTree(n, a)
		n.keepTree(a, t)
		return t
	}
	for _, x := range n.extra {
		if x.arc == a {
			return x.tree
		}
	}
	t := c.buildTree(n, a)
	if len(n.extra) >= 64 {
		n.extra = n.extra[1:]
	}
	n.extra = append(n.extra, arcTree{a, t, n.own})
	return t
}

func (c *Cluster) buildTree(n *node, a arc) *merkle.Tree {
	t := merkle.New(c.cfg.MerkleDepth)
	for _, ks := range n.store { // a leaf is a sum: the order of Adds does not matter
		if len(ks.versions) > 0 && a.contains(ks.hash) {
			t.Add(ks.hash, ks.digest)
		}
	}
	return t
}

// updateTrees applies one key's new digest to the trees that cover it.
func (c *Cluster) updateTrees(n *node, hash uint64, had bool, oldDigest, newDigest uint64) {
	if n.ring == nil || n.ring.Len() == 0 {
		return
	}
	apply := func(t *merkle.Tree) {
		if had {
			t.Update(hash, oldDigest, newDigest)
		} else {
			t.Add(hash, newDigest)
		}
	}
	s, e := n.ring.RangeOf(hash)
	if t := n.writableTree(arc{s, e}); t != nil {
		apply(t)
	}
	for i := range n.extra {
		if n.extra[i].arc.contains(hash) {
			apply(n.writableExtra(i))
		}
	}
}

// keysInLeaves lists the node's keys that fall in the given leaves, sorted by
// key.
func (c *Cluster) keysInLeaves(n *node, leaves []leafRef) []keyVersions {
	var out []keyVersions
	for _, k := range n.sortedKeys() {
		ks := n.store[k]
		if len(ks.versions) == 0 {
			continue
		}
		for _, l := range leaves {
			if (arc{l.start, l.end}).contains(ks.hash) && merkle.LeafIndex(ks.hash, c.cfg.MerkleDepth) == l.leaf {
				out = append(out, keyVersions{key: k, hash: ks.hash, versions: ks.versions})
				break
			}
		}
	}
	return out
}

// believesUp reports whether n thinks m is alive (not suspect, dead or gone).
func (n *node) believesUp(m NodeID) bool {
	if m == n.id {
		return true
	}
	if int(m) >= len(n.members) || !n.members[m].known {
		return false
	}
	return n.members[m].status == Alive
}
