package core

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"
	"strings"

	"github.com/cespare/xxhash/v2"
)

// StateHash is a 64-bit digest of everything that decides what a scripted
// run can still do and what its properties say: each node's state (up,
// storage, hints, dot counters, membership, the requests it coordinates),
// the partition, the held messages, the clients' contexts and the client
// history. It leaves out what only names things or times them: message
// ids (two orders of the same sends give the same messages other ids),
// ticks (the history keeps only the order of invocations and returns, as
// the properties use them; under last-write-wins, or with truncated
// clocks, the tick is included, since it becomes timestamps and truncation
// order; only then do the versions' timestamps count), the trace and the
// counters. Unless the tick is included, it also leaves out what can never
// act again: the inert messages (Inert) and the bookkeeping of answered
// requests (of a put, all of it; of a get, all but what decides a read
// repair of a late reply), so that states that differ only in which late
// replies arrived meet. Two states with the same hash are
// taken to be the same by the schedule search (xxhash64: a collision among
// the few million states of a bounded search is unlikely, not impossible).
func (c *Cluster) StateHash() uint64 { return c.stateHash(true, false) }

// ExactStateHash is StateHash with what can never act again kept in: the
// bookkeeping of requests already answered and the inert messages (Inert).
// Searches that compare their answers with and without that reduction use
// it.
func (c *Cluster) ExactStateHash() uint64 { return c.stateHash(true, true) }

// SettleHash is StateHash without the partition, which Settle heals before
// anything else: two states with the same SettleHash settle alike.
func (c *Cluster) SettleHash() uint64 { return c.stateHash(false, false) }

func (c *Cluster) stateHash(partition, exact bool) uint64 {
	h := c.readyHasher()
	h.wholes++
	h.out, h.lww, h.exact = h.out[:0], c.cfg.Versioning == LWW, exact || c.timeIsState()
	if c.timeIsState() {
		h.i(c.now)
	}
	h.u(uint64(c.cfg.Versioning))
	for i := range c.nodes {
		h.u(h.nodeHash(c.nodes[h.at(i)]))
	}
	if partition {
		h.u(uint64(len(c.groupOf)))
		if h.perm == nil {
			for _, g := range c.groupOf {
				h.u(uint64(g))
			}
		} else {
			// Groups numbered by first appearance, in renamed order.
			var seen [64]int
			k := 0
			for i := range c.groupOf {
				g, j := c.group(h.at(i)), 0
				for j < k && seen[j] != g {
					j++
				}
				if j == k && k < len(seen) {
					seen[k] = g
					k++
				}
				h.u(uint64(j))
			}
		}
	}
	msgs := h.msgs[:0]
	inert := h.inertOf(c)
	for i, m := range c.held {
		if inert != nil && inert[i] {
			continue // the same held, delivered or lost (Inert)
		}
		msgs = append(msgs, h.messageHash(m))
	}
	slices.Sort(msgs)
	h.u(uint64(len(msgs)))
	for _, x := range msgs {
		h.u(x)
	}
	h.msgs = msgs
	h.u(c.restHash())
	return xxhash.Sum64(h.out)
}

// restHash digests the clients' contexts and the history (each operation,
// and how many operations had been invoked when it returned: the real-time
// order the properties see), as stateHash writes them. Under the identity
// naming of a search's own digest (RenamedStateHash(sym, 0)), taken for
// every state it generates, the digest is kept until either changes
// (setClientCtx, and where the history is added to or changed).
func (c *Cluster) restHash() uint64 {
	h := c.hasher
	keep := h.perm != nil && !h.blind && !h.exact && h.rel == nil && identity(h.perm)
	if keep && c.rest != 0 && keepNodeHashes {
		return c.rest
	}
	outer := h.apart()
	ctxs := c.clientCtx // by client and key
	if h.rel != nil {
		// By the clients' new names.
		ctxs = append(h.ctxs[:0], ctxs...)
		slices.SortFunc(ctxs, func(a, b clientContext) int {
			return cmp.Or(cmp.Compare(h.rel.client(a.k.client), h.rel.client(b.k.client)), strings.Compare(a.k.key, b.k.key))
		})
		h.ctxs = ctxs
	}
	for _, e := range ctxs {
		h.i(int64(h.rel.client(e.k.client)))
		h.s(e.k.key)
		h.causal(e.ctx)
	}
	h.history(c, true, false)
	x := h.joined(outer)
	if keep {
		c.rest = x
	}
	return x
}

// history writes the history as the properties read it (StaleReads and
// the others, package check): each operation's client, kind, key, value and
// success, the versions it wrote and read, and the real-time order, as how
// many operations had been invoked when each returned. coordinators adds
// each operation's coordinator, which no property reads but the state
// does, and whether a failure came at once; ticks the invocation and
// return ticks (where time is part of the state, and the state's digest
// does not have the tick already).
func (h *stateHasher) history(c *Cluster, coordinators, ticks bool) {
	h.u(uint64(c.history.len()))
	if h.named {
		// By the operations' names, not in the order they were invoked.
		for _, i := range h.byName() {
			h.op(c, h.names[i].op, coordinators, ticks)
		}
		return
	}
	c.history.all(func(op *Op) bool {
		h.op(c, op, coordinators, ticks)
		return true
	})
}

// op writes one operation of the history (history).
func (h *stateHasher) op(c *Cluster, op *Op, coordinators, ticks bool) {
	self := op
	if op.ReturnTick < 0 {
		op = h.endedAs(op) // (EndedHistoryHash)
	}
	h.i(int64(h.rel.client(op.Client)))
	h.u(uint64(op.Kind))
	h.s(op.Key)
	h.s(h.rel.value(op.Value))
	// Its coordinator while it waits. Once it returned, nothing reads
	// which node coordinated it: no property, and no step (what the
	// coordinator still keeps of it, a get's late replies to repair,
	// is in that node's digest), so unless the digest is exact, states
	// that differ only there are one. How it failed, as its client saw
	// it (at once, its coordinator down, or after waiting), no
	// property reads either, but the tests that compare the histories
	// the search reaches tell them apart (crashBeforeIssue).
	switch {
	case !coordinators:
	case h.exact || op.ReturnTick < 0:
		h.u(1)
		h.nd(op.Coordinator)
	default:
		h.u(0)
	}
	if coordinators {
		h.b(!op.OK && op.ReturnTick == op.InvokeTick)
	}
	h.b(op.OK)
	h.versions(op.read)
	if op.written == nil {
		h.u(0)
	} else {
		h.u(1)
		h.version(op.written)
	}
	if ticks {
		h.i(op.InvokeTick)
		h.i(op.ReturnTick)
	}
	// When it returned, as the operations invoked before it: what the
	// properties read of real time. Of a failed operation they read
	// nothing of it (a failed get told its client nothing, a failed put
	// may take effect at any time after it began: properties.go,
	// check.ForSearch), nor does any step, so unless the digest is
	// exact, states that differ only there are one: a crash that
	// fails a request early meets the schedules where it timed out at
	// its group's end.
	switch {
	case op.ReturnTick < 0:
		h.i(-1)
	case !op.OK && !h.exact:
		h.i(-2)
	case h.named:
		h.before(c.realTime, op, self)
	default:
		invoked := 0
		c.history.all(func(o *Op) bool {
			if o.invokeSeq < op.returnSeq {
				invoked++
			}
			return true
		})
		h.i(int64(invoked))
	}
}

// EndedHistoryHash is RenamedHistoryHash(sym, i) (HistoryHash where sym is
// nil) of the history as it will read once every operation still waiting
// has returned: the j-th of them, in the order they began, with what it
// would return now (Decided) if bit j of ok is set, and failed otherwise.
// Of a state that is Decided and whose operations have all begun, these
// are the digests of every history it can end in: the same digests a
// search takes of the states where they end (HistoryHash,
// TestEndedHistoriesAreTheHistoriesRunsEndIn).
func (c *Cluster) EndedHistoryHash(sym *Symmetry, i int, ok uint64) uint64 {
	h := c.readyHasher()
	h.ended = h.ended[:0]
	j := 0
	c.history.all(func(op *Op) bool {
		if op.ReturnTick >= 0 {
			return true
		}
		e := endedOp{of: op, as: *op}
		e.as.ReturnTick, e.as.returnSeq = c.now, math.MaxUint64 // after every invocation
		if e.as.OK = ok>>j&1 == 1; e.as.OK {
			if _, r := c.requestAt(op.Request); r != nil && r.kind == OpPut {
				e.as.written = r.version
			} else if r != nil {
				e.as.read = r.result
			}
		}
		h.ended = append(h.ended, e)
		j++
		return true
	})
	var x uint64
	if sym == nil {
		x = c.HistoryHash()
	} else {
		x = c.RenamedHistoryHash(sym, i)
	}
	h.ended = h.ended[:0]
	return x
}

// An endedOp is an operation still waiting (of) as it would end (as):
// EndedHistoryHash.
type endedOp struct {
	of *Op
	as Op
}

// endedAs is what stands in for op, waiting, in the digest being taken:
// itself unless EndedHistoryHash's.
func (h *stateHasher) endedAs(op *Op) *Op {
	for i := range h.ended {
		if h.ended[i].of == op {
			return &h.ended[i].as
		}
	}
	return op
}

// HistoryHash is a digest of the history as the properties read it
// (stateHasher.history): two states with one digest break the same
// properties of the history (HistoryViolations, linearizability), whatever
// the nodes hold and whatever is in flight. A schedule search tells apart by
// it alone the states where every operation returned.
func (c *Cluster) HistoryHash() uint64 { return c.historyHash(nil, nil) }

// RenamedHistoryHash is HistoryHash under the group's i-th renaming of the
// nodes (the dots of the versions written and read renamed): the least over
// the renamings is the same for a history and its renamings.
func (c *Cluster) RenamedHistoryHash(sym *Symmetry, i int) uint64 {
	if len(sym.perms[0]) != len(c.nodes) {
		return c.HistoryHash()
	}
	return c.historyHash(sym.perms[i], sym.relabel(i))
}

func (c *Cluster) historyHash(perm []NodeID, rel *relabel) uint64 {
	h := c.readyHasher()
	h.out, h.perm, h.inv, h.blind, h.rel = h.out[:0], perm, nil, false, rel
	h.lww, h.exact = c.cfg.Versioning == LWW, c.timeIsState()
	h.history(c, false, c.timeIsState())
	h.perm, h.rel = nil, nil
	return xxhash.Sum64(h.out)
}

// inertOf is which of c's held messages are inert (Cluster.inertAt), or
// nil when the digest keeps them all (exact). The digests of one state
// under several renamings (symmetricStateHash) reuse the first's.
func (h *stateHasher) inertOf(c *Cluster) []bool {
	if h.exact {
		return nil
	}
	if h.inertKept && len(h.inert) == len(c.held) {
		return h.inert
	}
	h.inert = h.inert[:0]
	for i := range c.held {
		h.inert = append(h.inert, c.inertAt(i))
	}
	h.inertFor = c
	return h.inert
}

// InertHeld is which of the held messages (bit i: the i-th, in send order)
// the digest of c just taken (StateHash, RenamedStateHash,
// SymmetricStateHash...) found inert, as HeldSteps would: so that a
// search that keeps the flags with the state need not weigh every held
// message again when it lists the state's steps (HeldStepsInert). ok is
// false where they are not known: an exact digest (which weighs none),
// more than 64 held, or another cluster digested since.
func (c *Cluster) InertHeld() (inert uint64, ok bool) {
	h := c.hasher
	if h == nil || h.inertFor != c || len(h.inert) != len(c.held) || len(c.held) > 64 || c.timeIsState() {
		return 0, false
	}
	for i, x := range h.inert {
		if x {
			inert |= 1 << i
		}
	}
	return inert, true
}

// identity reports whether perm names every node as itself.
func identity(perm []NodeID) bool {
	for i, x := range perm {
		if NodeID(i) != x {
			return false
		}
	}
	return true
}

// DigestRealTime makes the cluster's digests (StateHash, the renamed and
// symmetric ones, HistoryHash, the held messages' digests) keep of the
// history's real-time order only the pairs rt reads (Property.RealTime),
// and name each operation, and the requests and messages it made, by its
// client and its place among the client's operations, not by when it was
// invoked: two states of a schedule search that differ only in the order
// in which concurrent operations were invoked, or in orders the property
// does not read, have one digest. Their futures are alike up to that
// naming (no step reads the history), and the property gives them the
// same verdict. RealTimeAsInvoked, the default, keeps it all. Set before
// the first digest: digests kept on the nodes and messages are not taken
// again.
func (c *Cluster) DigestRealTime(rt RealTime) {
	c.realTime = rt
	c.rest = 0
}

// readyHasher is the cluster's hasher, made ready to digest it: with its
// operations named where the digests name them (DigestRealTime).
func (c *Cluster) readyHasher() *stateHasher {
	if c.hasher == nil {
		c.hasher = new(stateHasher)
	}
	h := c.hasher
	h.named = c.realTime != RealTimeAsInvoked && !c.historyDiscarded
	h.names, h.namesOf = h.names[:0], c
	return h
}

// opNames is the names of the operations of the cluster being digested,
// by their place in its history, made when first needed (the digests of
// most nodes and messages are kept, and need none).
func (h *stateHasher) opNames() []opName {
	if c := h.namesOf; c != nil {
		h.namesOf = nil
		c.history.all(func(op *Op) bool {
			k := 0
			for _, o := range h.names {
				if o.op.Client == op.Client {
					k++
				}
			}
			h.names = append(h.names, opName{op: op, k: k})
			return true
		})
	}
	return h.names
}

// An opName is an operation's name in the digests (DigestRealTime): its
// client (as the hasher relabels it) and k, its place among that client's.
type opName struct {
	op *Op
	k  int
}

// name is o's name under the hasher's relabeling, a number.
func (h *stateHasher) name(o opName) uint64 {
	return uint64(h.rel.client(o.op.Client))<<16 | uint64(o.k)
}

// req writes a request's id, or its operation's name where the digests
// name them (a request no operation made, by its id).
func (h *stateHasher) req(id RequestID) {
	if h.named {
		for _, o := range h.opNames() {
			if o.op.Request == id {
				h.u(1<<63 | h.name(o))
				return
			}
		}
	}
	h.u(uint64(id))
}

// byName is the history's operations (their indexes in names) in the
// order of their names.
func (h *stateHasher) byName() []int {
	h.order = h.order[:0]
	for i := range h.opNames() {
		h.order = append(h.order, i)
	}
	slices.SortFunc(h.order, func(i, j int) int { return cmp.Compare(h.name(h.names[i]), h.name(h.names[j])) })
	return h.order
}

// before writes, of an operation that returned, what rt reads of when: the
// names of the operations that began before it returned and with which rt
// pairs it (those it does not precede, in real time). self is a in the
// history (a may stand in for it: EndedHistoryHash).
func (h *stateHasher) before(rt RealTime, a, self *Op) {
	set := h.pairs[:0]
	for _, o := range h.opNames() {
		if b := o.op; b != self && b.invokeSeq < a.returnSeq && rt.Reads(a, b) {
			set = append(set, h.name(o))
		}
	}
	h.set(set)
	h.pairs = set
}

// stateHasher writes what a state hash covers into out, hashed in one go
// (the same digest as writing each piece to an xxhash.Digest, for less).
type stateHasher struct {
	out []byte
	lww bool // timestamps count only under last-write-wins
	// exact keeps what can never act again (the bookkeeping of answered
	// requests, inert messages), as it must when the tick is part of the
	// state (Cluster.timeIsState): every step counts.
	exact bool
	// A renaming of the nodes (SymmetricStateHash): perm[i] is node i's
	// new name, inv its inverse, pi its index in a group of symSize
	// identified by symKey; nil perm: none.
	perm, inv   []NodeID
	pi, symSize int
	symKey      uint64
	blind       bool // perm names orbits, not nodes (Symmetry.blind)
	// rel relabels the clients and the values they write (nil: none;
	// Symmetry.rels).
	rel        *relabel
	least, row []uint64 // SymmetricStateHash's scratch
	wholes     int      // states digested whole (tests count them)
	// inert is which held messages are inert (inertOf); inertKept says it
	// is the cluster's being digested, unchanged since it was made.
	inert     []bool
	inertKept bool
	inertFor  *Cluster // whose held messages inert is of (InertHeld)
	blinds    []uint64
	ties      []int
	nb        []byte // a node's (nodeHash), kept between calls
	// Scratch for a node's sorted keys, hints and requests, and for the
	// held messages' digests and the clients' keys.
	msgs  []uint64
	ctxs  contexts
	keys  []string
	hints []hintKey
	reqs  []RequestID
	// names are the history's operations as the digests name them
	// (readyHasher), if named, once made (opNames: namesOf is the
	// cluster they are still to be made of); order and pairs are
	// byName's and before's scratch.
	names   []opName
	namesOf *Cluster
	named   bool
	order   []int
	pairs   []uint64
	// ended stands in for the operations still waiting, as they would
	// end (EndedHistoryHash); none otherwise.
	ended []endedOp
}

// apart starts a digest of its own (a node's, a message's) in nb, and
// returns what out held, for joined.
func (h *stateHasher) apart() []byte {
	outer := h.out
	h.out = h.nb[:0]
	return outer
}

// joined is the digest of what was written since apart; out holds outer
// again.
func (h *stateHasher) joined(outer []byte) uint64 {
	x := xxhash.Sum64(h.out)
	h.nb, h.out = h.out, outer
	return x
}

func (h *stateHasher) u(x uint64) {
	if x < 0x80 { // most are: flags, counts, node ids, small counters
		h.out = append(h.out, byte(x))
		return
	}
	h.out = binary.AppendUvarint(h.out, x)
}

func (h *stateHasher) i(x int64) { h.u(uint64(x)<<1 ^ uint64(x>>63)) } // as binary.AppendVarint

func (h *stateHasher) s(x string) { h.u(uint64(len(x))); h.out = append(h.out, x...) }

func (h *stateHasher) b(x bool) {
	if x {
		h.u(1)
	} else {
		h.u(0)
	}
}

func (h *stateHasher) causal(x causal) {
	if h.perm != nil {
		h.renamedCausal(x)
		return
	}
	h.u(uint64(x.vv.Len()))
	for i := 0; i < x.vv.Len(); i++ {
		e := x.vv.EntryAt(i)
		h.u(uint64(e.Node))
		h.u(e.Counter)
	}
	h.u(uint64(len(x.cloud)))
	for _, d := range x.cloud {
		h.u(uint64(d.Node))
		h.u(d.Counter)
	}
}

func (h *stateHasher) version(v *version) {
	h.nd(v.dot.Node)
	h.u(v.dot.Counter)
	h.s(h.rel.value(v.value))
	if h.lww {
		h.i(v.timestamp)
	}
	h.causal(v.context)
}

func (h *stateHasher) versions(vs []*version) {
	if h.perm != nil && !h.blind && len(vs) > 1 {
		// Renamed, a list ordered by node ids is out of order. Each
		// version of a key has a dot of its own, so under a renaming
		// (one name a node) the renamed dots order the list again.
		var buf [8]*version
		sorted := append(buf[:0], vs...)
		slices.SortFunc(sorted, func(a, b *version) int {
			return cmp.Or(cmp.Compare(h.renamed(a.dot.Node), h.renamed(b.dot.Node)), cmp.Compare(a.dot.Counter, b.dot.Counter))
		})
		vs = sorted
	}
	if h.perm != nil && h.blind {
		// Named blindly, nodes alike share a name, and with it their
		// dots: a set.
		var buf [8]uint64
		ds := buf[:0]
		for _, v := range vs {
			start := len(h.out)
			h.version(v)
			ds = append(ds, h.cut(start))
		}
		h.set(ds)
		return
	}
	h.u(uint64(len(vs)))
	for _, v := range vs {
		h.version(v)
	}
}

// keepNodeHashes lets nodeHash keep each node's digest (tests turn it off
// to compare).
var keepNodeHashes = true

// nodeHash digests a node, kept on it until it next changes (Cluster.w
// forgets it): a search's step changes a node or two, and a clone shares
// the others with the state it came from.
func (h *stateHasher) nodeHash(n *node) uint64 {
	i := 0
	switch {
	case h.lww:
		i = 1
	case h.exact:
		i = 2
	}
	if h.perm != nil {
		return h.renamedNodeHash(n)
	}
	if x := n.hashOf[i]; x != 0 && keepNodeHashes {
		return x
	}
	outer := h.apart()
	h.node(n)
	x := h.joined(outer)
	n.hashOf[i] = x
	return x
}

func (h *stateHasher) node(n *node) {
	h.b(n.up)
	h.i(n.skew)
	h.keys = h.keys[:0]
	for k := range n.store {
		h.keys = append(h.keys, k)
	}
	slices.Sort(h.keys)
	for _, k := range h.keys {
		h.s(k)
		h.versions(n.store[k].versions)
	}
	h.u(uint64(len(n.hints)))
	h.hints = h.hints[:0]
	for hk := range n.hints {
		h.hints = append(h.hints, hk)
	}
	slices.SortFunc(h.hints, compareHintKeys)
	if h.perm == nil {
		for _, hk := range h.hints {
			h.s(hk.key)
			h.u(uint64(hk.owner))
			h.versions(n.hints[hk].versions)
		}
	} else {
		var buf [8]uint64
		ds := buf[:0]
		for _, hk := range h.hints {
			start := len(h.out)
			h.s(hk.key)
			h.nd(hk.owner)
			h.versions(n.hints[hk].versions)
			ds = append(ds, h.cut(start))
		}
		h.set(ds)
	}
	h.keys = h.keys[:0] // the store's are written
	for k := range n.counters {
		h.keys = append(h.keys, k)
	}
	slices.Sort(h.keys)
	for _, k := range h.keys {
		h.s(k)
		h.u(n.counters[k])
	}
	h.u(uint64(len(n.members)))
	if h.blind { // which node is which is not known: a set
		// Each member packed whole in a word (a name, a flag and a
		// status, all small), so the set sorts words, not digests.
		var buf [16]uint64
		ds := buf[:0]
		for i, m := range n.members {
			id := NodeID(i)
			if int(id) < len(h.perm) {
				id = h.perm[id]
			}
			known := uint64(0)
			if m.known {
				known = 1
			}
			ds = append(ds, uint64(id)<<32|known<<16|uint64(m.status))
		}
		h.set(ds)
	} else {
		for i := range n.members {
			m := n.members[h.at(i)]
			h.b(m.known)
			h.u(uint64(m.status))
		}
	}
	kept := 0
	for _, r := range n.requests {
		if h.exact || !r.done || r.kind == OpGet {
			kept++
		}
	}
	h.u(uint64(kept))
	// In id order; where the operations are named (DigestRealTime), ids
	// follow the order of invocation, which the names leave out: a set
	// (of two or more).
	set := h.named && kept > 1
	var buf [8]uint64
	ds := buf[:0]
	for _, r := range n.requests {
		if !h.exact && r.done && r.kind != OpGet {
			continue
		}
		start := len(h.out)
		h.request(r)
		if set {
			ds = append(ds, h.cut(start))
		}
	}
	if set {
		h.set(ds)
	}
}

// request writes a request a node coordinates (node).
func (h *stateHasher) request(r *request) {
	h.req(r.id)
	if !h.exact && r.done && r.reached {
		// An answered get whose late replies may still be repaired
		// (Inert): what decides a repair. (An answered put is left out:
		// nothing comes of it any more.)
		h.versions(r.result)
		h.targets(r.targets, false)
		return
	}
	h.b(r.done)
	h.b(r.reached)
	h.u(uint64(r.acks))
	h.u(uint64(r.replies))
	h.u(uint64(r.upToDate))
	h.u(uint64(r.extNext))
	h.versions(r.merged)
	h.versions(r.result)
	h.targets(r.targets, true)
}

// targets writes a request's targets: all they hold, or (all false) what
// decides a late reply's repair.
func (h *stateHasher) targets(ts []target, all bool) {
	if h.perm != nil && !h.blind {
		// Renamed, the preference order is not theirs; but a request's
		// targets are distinct nodes, so their new names order them.
		var buf [8]target
		sorted := append(buf[:0], ts...)
		slices.SortFunc(sorted, func(a, b target) int { return cmp.Compare(h.renamed(a.node), h.renamed(b.node)) })
		ts = sorted
	}
	var buf [8]uint64
	ds := buf[:0]
	blind := h.perm != nil && h.blind
	if !blind {
		h.u(uint64(len(ts)))
	}
	for _, t := range ts {
		start := len(h.out)
		h.nd(t.node)
		h.nd(t.hintFor)
		h.b(t.answered)
		if all {
			h.b(t.holds)
		}
		h.b(t.repaired)
		if all {
			h.versions(t.reply)
		}
		if blind { // alike nodes share a name: a set
			ds = append(ds, h.cut(start))
		}
	}
	if blind {
		h.set(ds)
	}
}

// message writes a held message's content, not its id.
func (h *stateHasher) message(m *message) {
	h.u(uint64(m.kind))
	h.nd(m.from)
	h.nd(m.to)
	h.req(m.req)
	h.s(m.key)
	switch m.kind {
	case MsgPutReq, MsgGetReq, MsgHandoff, MsgHandoffAck:
		h.nd(m.hintFor)
	default: // unset: zero, which names no node
		h.u(uint64(m.hintFor))
	}
	h.b(m.ok)
	h.versions(m.versions)
}

// messageHash digests a held message by its content, kept on the message
// (0: not yet known): a held message never changes once held (heldCopy),
// and clones share it.
func (h *stateHasher) messageHash(m *message) uint64 {
	if h.perm != nil {
		return h.renamedMessageHash(m)
	}
	i := 0
	if h.lww {
		i = 1
	}
	if m.hashOf[i] == 0 {
		outer := h.apart()
		h.message(m)
		m.hashOf[i] = h.joined(outer)
	}
	return m.hashOf[i]
}
