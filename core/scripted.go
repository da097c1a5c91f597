package core

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/cespare/xxhash/v2"
)

// The scripted network (Config.Scripted).
//
// In a scripted run nothing happens on its own: a message between two nodes
// is held until CmdDeliver delivers it (at the tick the command is applied)
// or CmdDrop loses it; a request's timeout and half-timeout fire only by
// CmdTimeout; gossip, hand-off and anti-entropy rounds are not scheduled
// (CmdAntiEntropy still starts one exchange). Crashes, restarts and
// partitions are the ordinary commands, and clients issue puts and gets
// at the coordinator the command names. A message a node sends itself is
// still delivered in the same tick: it is not a network choice. So a
// schedule, every choice of the network, the timers, the faults and the
// clients, is a Config with Scripted set and a list of Recorded commands,
// which Replay and the lab replay like any other run.
//
// CmdSettle ends scripted mode: the held messages are released into the
// network (delivered after LatencyMinTicks, at least one tick, in send
// order), the pending requests' timers and the background rounds start, and
// the settle proceeds as in any run.

// hold keeps a message sent in a scripted run until a command decides it.
func (c *Cluster) hold(m *message) {
	m.deliverTick = c.now + max(1, c.cfg.LatencyMinTicks) // shown as its earliest arrival
	c.counters.MessagesSent++
	c.emit(&Event{Kind: EvMsgSend, From: m.from, To: m.to, Request: m.req, Msg: m.kind, MsgID: m.id, DeliverTick: m.deliverTick, Key: m.key})
	c.held = append(c.held, m)
}

// heldCopy is a held message's copy to release into the network: clones
// share held messages (Clone), which are never changed or recycled once
// held.
func heldCopy(m *message) *message {
	cp := *m
	cp.members = slices.Clone(m.members) // recycled after delivery
	return &cp
}

// heldIndex finds a held message by id (held is in id order).
func (c *Cluster) heldIndex(id uint64) (int, bool) {
	i := sort.Search(len(c.held), func(i int) bool { return c.held[i].id >= id })
	return i, i < len(c.held) && c.held[i].id == id
}

// requestAt finds a pending request and its coordinator (to read).
func (c *Cluster) requestAt(id RequestID) (*node, *request) {
	for _, n := range c.nodes {
		if r := n.requests.get(id); r != nil {
			return n, r
		}
	}
	return nil, nil
}

func (c *Cluster) validateScripted(cmd Command) error {
	if !c.cfg.Scripted {
		return fmt.Errorf("%s: only a scripted run (config scripted) takes this command", cmd.Kind)
	}
	switch cmd.Kind {
	case CmdDeliver, CmdDrop:
		if _, ok := c.heldIndex(cmd.Msg); !ok {
			return fmt.Errorf("%s: message %d is not in flight", cmd.Kind, cmd.Msg)
		}
	case CmdTimeout:
		_, r := c.requestAt(cmd.Request)
		switch {
		case r == nil || r.done:
			return fmt.Errorf("timeout: request %d is not pending", cmd.Request)
		case cmd.Param != "" && cmd.Param != "half":
			return fmt.Errorf("timeout: param %q must be empty (the timeout) or \"half\" (the sloppy half-timeout)", cmd.Param)
		case cmd.Param == "half" && c.cfg.Mode != Sloppy:
			return fmt.Errorf("timeout: a half-timeout exists only with sloppy quorums")
		}
	}
	return nil
}

func (c *Cluster) applyScripted(cmd Command) {
	switch cmd.Kind {
	case CmdDeliver, CmdDrop:
		i, _ := c.heldIndex(cmd.Msg)
		m := *c.held[i] // a copy: clones share held messages, never changed once held
		c.held = slices.Delete(c.held, i, i+1)
		m.deliverTick = c.now
		if cmd.Kind == CmdDrop {
			m.drop = "dropped"
		}
		c.deliverTo(&m) // and not recycled: the copy is its own
	case CmdTimeout:
		n, _ := c.requestAt(cmd.Request)
		n = c.w(n.id)
		if cmd.Param == "half" {
			c.tickHalfTimeout(n, cmd.Request)
		} else {
			c.tickTimeout(n, cmd.Request)
		}
	}
}

// endScripted turns a scripted run into an ordinary one (CmdSettle).
func (c *Cluster) endScripted() {
	if !c.cfg.Scripted {
		return
	}
	cfg := *c.cfg
	cfg.Scripted = false
	c.cfg = &cfg
	for _, m := range c.held {
		m = heldCopy(m)
		m.deliverTick = c.now + max(1, c.cfg.LatencyMinTicks)
		c.schedule(item{tick: m.deliverTick, kind: itemDeliver, msg: m})
	}
	c.held = nil
	for i := range c.nodes {
		if !c.nodes[i].up {
			continue
		}
		n := c.w(NodeID(i))
		for _, id := range n.sortedRequestIDs() {
			c.scheduleRequestTimers(n, id, c.cfg.RequestTimeoutTicks)
		}
		c.scheduleTimers(n)
	}
}

// Held lists the messages a scripted run holds, in send order.
func (c *Cluster) Held() []Message {
	out := make([]Message, len(c.held))
	for i, m := range c.held {
		out[i] = Message{ID: m.id, Kind: m.kind, From: m.from, To: m.to, Request: m.req,
			Key: m.key, SendTick: m.sendTick, DeliverTick: m.deliverTick}
	}
	return out
}

// A HeldStep is a held message as a schedule search weighs delivering it.
type HeldStep struct {
	ID       uint64
	Kind     MsgKind
	From, To NodeID
	// Req is the request the message is for: a client's put or get (its
	// requests to the replicas, their replies), or one that repairs.
	Req RequestID
	// Inert: delivering it changes nothing the run can still act on
	// (Inert).
	Inert bool
	// Straggler: a replica's write (a put's, not a hint, or a read
	// repair's) that is not inert and whose request's client has its
	// answer: delivering it changes the replica's store and nothing else
	// (its ack is inert, and under vector clocks stores merge in any
	// order alike), so only a read of that replica can tell when it came.
	Straggler bool
	// Digest is the message's content as StateHash sees it (not its id):
	// two held messages with the same digest are delivered alike, and the
	// same message keeps its digest in every state of a run that holds it.
	Digest uint64
}

// HeldSteps is Held for a schedule search, appended to dst: one call for
// what it weighs of each held message, in send order.
func (c *Cluster) HeldSteps(dst []HeldStep) []HeldStep {
	h, timed := c.heldHasher()
	for i := range c.held {
		dst = append(dst, c.heldStep(h, timed, i))
	}
	return dst
}

// HeldStepsInert is HeldSteps with the held messages that are inert
// known already (InertHeld, taken of this state).
func (c *Cluster) HeldStepsInert(dst []HeldStep, inert uint64) []HeldStep {
	h, _ := c.heldHasher()
	for i, m := range c.held {
		in := inert&(1<<i) != 0
		dst = append(dst, HeldStep{ID: m.id, Kind: m.kind, From: m.from, To: m.to, Req: m.req,
			Inert: in, Straggler: !in && c.straggler(m), Digest: h.messageHash(m)})
	}
	return dst
}

// heldHasher readies the hasher for heldStep.
func (c *Cluster) heldHasher() (h *stateHasher, timed bool) {
	h = c.readyHasher()
	h.perm, h.inv, h.lww = nil, nil, c.cfg.Versioning == LWW
	return h, c.timeIsState()
}

// heldStep is HeldSteps' entry for the i-th held message.
func (c *Cluster) heldStep(h *stateHasher, timed bool, i int) HeldStep {
	m := c.held[i]
	inert := !timed && c.inertAt(i)
	return HeldStep{ID: m.id, Kind: m.kind, From: m.from, To: m.to, Req: m.req,
		Inert: inert, Straggler: !timed && !inert && c.straggler(m), Digest: h.messageHash(m)}
}

// HeldCount is how many messages are held (HeldSteps' length).
func (c *Cluster) HeldCount() int { return len(c.held) }

// NewestHeld is the id, sender and receiver of the message held last (sent
// last), if any is held: LastHeld without weighing it.
func (c *Cluster) NewestHeld() (id uint64, from, to NodeID, ok bool) {
	if len(c.held) == 0 {
		return 0, NoNode, NoNode, false
	}
	m := c.held[len(c.held)-1]
	return m.id, m.from, m.to, true
}

// LastHeld is HeldSteps' entry for the message held last (sent last), if
// any is held.
func (c *Cluster) LastHeld() (HeldStep, bool) {
	if len(c.held) == 0 {
		return HeldStep{}, false
	}
	h, timed := c.heldHasher()
	return c.heldStep(h, timed, len(c.held)-1), true
}

// straggler reports whether m is a replica write whose request's client
// has its answer (HeldStep.Straggler): the conditions of deadWrite but the
// last, that the replica holds what it carries.
func (c *Cluster) straggler(m *message) bool {
	switch {
	case m.kind != MsgPutReq && m.kind != MsgRepair,
		m.kind == MsgPutReq && m.hintFor != NoNode && m.hintFor != m.to,
		c.cfg.Versioning != VectorClocks || c.contextTruncated:
		return false
	}
	req := c.nodes[m.from].requests.get(m.req)
	return req == nil || req.done
}

// HeldOf is the id of the message held from node from to node to for
// request id, if one is (the first, in send order).
func (c *Cluster) HeldOf(id RequestID, from, to NodeID) (uint64, bool) {
	for _, m := range c.held {
		if m.req == id && m.from == from && m.to == to {
			return m.id, true
		}
	}
	return 0, false
}

// QuorumLeft is how many more answers request id waits for before its
// coordinator has its quorum (W acks for a put, R replies for a get,
// counting its own answer when it is a replica); 0 once it has it, and
// for a request that is not pending (answered, timed out, or lost in a
// crash). Until then an answer only counts: the request's answer when
// the quorum is reached does not depend on the order its answers came in.
func (c *Cluster) QuorumLeft(id RequestID) int {
	_, r := c.requestAt(id)
	switch {
	case r == nil || r.done || r.reached:
		return 0
	case r.kind == OpPut:
		return max(0, r.w-r.acks)
	}
	return max(0, r.r-r.replies)
}

// TimeIsState reports whether the tick is part of a scripted run's state
// (StateHash): under last-write-wins, or with truncated vector clocks. Then
// no two steps commute, since each takes its own tick.
func (c *Cluster) TimeIsState() bool { return c.timeIsState() }

// PendingRequest is a request whose client has no answer yet.
type PendingRequest struct {
	ID          RequestID
	Kind        OpKind
	Coordinator NodeID
}

// Pending lists the requests whose clients are still waiting, by id.
func (c *Cluster) Pending() []PendingRequest { return c.AppendPending(nil) }

// AppendPending is Pending appended to dst.
func (c *Cluster) AppendPending(dst []PendingRequest) []PendingRequest {
	out := dst
	for _, n := range c.nodes {
		for _, r := range n.requests {
			if !r.done {
				out = append(out, PendingRequest{ID: r.id, Kind: r.kind, Coordinator: n.id})
			}
		}
	}
	slices.SortFunc(out[len(dst):], func(a, b PendingRequest) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// timeIsState reports whether the tick decides what a run can still do:
// under last-write-wins it becomes timestamps, and truncated vector clocks
// drop their oldest entries by it.
func (c *Cluster) timeIsState() bool {
	return c.cfg.Versioning == LWW || c.cfg.VClockMax > 0
}

// Inert reports whether delivering the held message id would change nothing
// the scripted run can still do or show: a reply to a request whose client
// already has its answer, which only updates the coordinator's bookkeeping
// of who answered (a put's late ack, a repair's ack, a get's late reply
// that holds the answer already, cannot be repaired, or comes from a
// replica that holds the answer by now, whose repair would change
// nothing: sealed); a request whose reply would be such a reply
// (deadRead); a write for an answered request of versions the replica
// holds already, or has seen superseded (deadWrite). Delivered, held to
// the end, dropped or lost to a partition, it is all the same, so a search
// need not try delivering it. Where the tick is part of the state (under
// last-write-wins, or with truncated clocks) no step is inert: each one
// ticks.
func (c *Cluster) Inert(id uint64) bool {
	i, ok := c.heldIndex(id)
	return ok && !c.timeIsState() && c.inertAt(i)
}

// inertAt is Inert of held message i, whatever the tick's part.
func (c *Cluster) inertAt(i int) bool {
	m := c.held[i]
	switch m.kind {
	case MsgPutAck, MsgRepairAck, MsgGetResp:
	case MsgPutReq, MsgRepair:
		return c.deadWrite(m)
	case MsgGetReq:
		return c.deadRead(m)
	default:
		return false
	}
	req := c.nodes[m.to].requests.get(m.req)
	switch {
	case req == nil:
		return true // retired, timed out or lost in a crash: handlers ignore it
	case !req.done:
		return false
	case m.kind != MsgGetResp:
		return true
	}
	// A late reply to an answered get: read repair may still act on it.
	t := req.target(m.from)
	if t == nil || t.answered {
		return true
	}
	if !req.reached {
		return false // a get that timed out may yet reach R and repair
	}
	return containsAll(m.versions, req.result) || c.sealed(req, t)
}

// deadWrite reports whether a replica write (a put's or a read repair's)
// would change nothing the run can still act on: its request's client has
// its answer (so the ack is inert), and the replica holds already what it
// carries, or versions that supersede it. A replica's versions only grow
// (vector clocks: a merge keeps what supersedes what it had; a crash keeps
// the store), so such a write stays dead. A hint is kept apart, and is
// never taken to be dead.
func (c *Cluster) deadWrite(m *message) bool {
	if m.kind == MsgPutReq && m.hintFor != NoNode && m.hintFor != m.to || c.cfg.Versioning != VectorClocks || c.contextTruncated {
		return false // a hint (handlePutReq), or versions a merge may drop
	}
	if req := c.nodes[m.from].requests.get(m.req); req != nil && !req.done {
		return false // (nil: timed out, or lost in a crash: acks are ignored)
	}
	return c.absorbs(m.to, m.key, m.versions)
}

// absorbs reports whether node n holds the versions vs of key already, or
// versions that supersede them: under vector clocks (deadWrite, sealed),
// storing them would change nothing (mergeInto keeps a version only if no
// version held has its dot or has seen it), and it stays true, since what
// a node holds only grows. It allocates nothing: the search asks it of
// every write held, in every state.
func (c *Cluster) absorbs(n NodeID, key string, vs []*version) bool {
	var held []*version
	if ks := c.nodes[n].store[key]; ks != nil {
		held = ks.versions
	}
	for _, b := range vs {
		if misses(held, b, VectorClocks) {
			return false
		}
	}
	return true
}

// sealed reports whether a late reply of target t to an answered get
// that reached its R replies can set off nothing: t answered already, or
// was repaired, or would not be (no read repair, a stand-in), or the
// replica holds the answer already or what supersedes it (then its repair
// would be a dead write).
func (c *Cluster) sealed(req *request, t *target) bool {
	return t.answered || !c.cfg.ReadRepair || t.hintFor != NoNode || t.repaired ||
		c.cfg.Versioning == VectorClocks && !c.contextTruncated && c.absorbs(t.node, req.key, req.result)
}

// deadRead reports whether a read's request to a replica would change
// nothing the run can still act on: whatever the replica holds when it
// arrives, the reply it makes is inert (inertAt) — its get is answered,
// and the reply can no longer count nor set off a repair. A read changes
// nothing at the replica.
func (c *Cluster) deadRead(m *message) bool {
	req := c.nodes[m.from].requests.get(m.req)
	switch {
	case req == nil:
		return true // timed out, or lost in a crash: the reply is ignored
	case !req.done:
		return false
	}
	t := req.target(m.to)
	return t == nil || t.answered || req.reached && c.sealed(req, t)
}

// Op is the history entry of request id (requests are numbered in the
// order they start, as the history is), if the cluster still keeps it.
func (c *Cluster) Op(id RequestID) (Op, bool) {
	return c.OpAt(int(id) - 1)
}

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

// Decided reports whether what each operation still waiting would return,
// if it succeeded, is known by now, and how many wait: a put's version is
// made when it begins, and a get's result once R replicas answered (a
// strict get with read repair then waits for W replicas to hold it, which
// changes nothing it returns). Every operation still waiting then either
// succeeds so or fails, and once all have begun, the histories a schedule
// from here can end in are those EndedHistoryHash digests, whatever comes
// first: none of them begins after another returns. Not where the tick is
// part of the history's digest (TimeIsState), nor where an operation
// waits that no node's request stands for.
func (c *Cluster) Decided() (waiting int, ok bool) {
	if c.timeIsState() || c.historyDiscarded {
		return 0, false
	}
	ok = true
	c.history.all(func(op *Op) bool {
		if op.ReturnTick >= 0 {
			return true
		}
		waiting++
		_, r := c.requestAt(op.Request)
		ok = r != nil && !r.done && (r.kind == OpPut && r.version != nil || r.kind == OpGet && r.reached)
		return ok
	})
	return waiting, ok
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
func (h *stateHasher) i(x int64)  { h.u(uint64(x)<<1 ^ uint64(x>>63)) } // as binary.AppendVarint
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

// NodeUp reports whether node n exists and is up.
func (c *Cluster) NodeUp(n NodeID) bool { return int(n) < len(c.nodes) && c.nodes[n].up }

// PartitionSide reports whether the network is cut, and which of the nodes
// n0..n63 are on n0's side of the cut, as a bit mask (bit i for node i).
func (c *Cluster) PartitionSide() (uint64, bool) {
	if c.groupOf == nil {
		return 0, false
	}
	var side uint64
	for i := 0; i < len(c.nodes) && i < 64; i++ {
		if !c.partitioned(0, NodeID(i)) {
			side |= 1 << i
		}
	}
	return side, true
}
