package core

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
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
