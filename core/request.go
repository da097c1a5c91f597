package core

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/ringlab/ringlab/core/ring"
	"github.com/ringlab/ringlab/core/vclock"
)

// request is a client put or get that a coordinator is running. It lives in
// the coordinator's memory (a crash loses it) until every replica it
// contacted has answered or it times out.
type request struct {
	id       RequestID
	kind     OpKind
	client   int
	key      string
	hash     uint64
	n, w, r  int
	start    int64
	targets  []target
	ext      []NodeID   // the whole ring in preference order, for stand-ins (sloppy)
	extNext  int        // next position of ext to try as a stand-in
	version  *version   // put: the version minted
	carried  []*version // put: {version}, what every put message carries
	acks     int        // put: acks received
	replies  int        // get: replies received
	merged   []*version
	result   []*version // get: what the client is (or will be) told
	reached  bool       // the W or R quorum has been reported
	upToDate int        // strict get: replicas known to hold result
	done     bool       // the client has its answer
	op       int        // index in the history; -1 when the history is not kept
	opOwn    *Op        // the operation itself when the history is not kept
	workload bool       // issued by a workload client
	// own is the owner token (node.own) of the node that may change the
	// request in place: a clone of the node shares its requests, and each
	// side copies one before it first changes it (Cluster.writableRequest).
	own cowOwner
	// inline holds targets when they fit, so that a request and its
	// copies (a schedule search makes one for most states) need no list of
	// their own: targets then points into it (see setTargets).
	inline [4]target
}

// setTargets makes ts, copied, the request's targets, in inline when they
// fit. A request is copied only by cloneInto, which calls it, since a
// plain copy's targets would point into the original's inline.
func (r *request) setTargets(ts []target) {
	if len(ts) <= len(r.inline) {
		r.targets = append(r.inline[:0], ts...)
	} else {
		r.targets = slices.Clone(ts)
	}
}

// target is one node a request was sent to.
type target struct {
	node     NodeID
	hintFor  NodeID // a stand-in keeps the write for this owner; NoNode for an owner
	answered bool
	holds    bool       // get: known to hold result
	reply    []*version // get: the reply, kept until the quorum is judged
	repaired bool       // get: a repair was sent to it
}

func (r *request) target(n NodeID) *target {
	for i := range r.targets {
		if r.targets[i].node == n {
			return &r.targets[i]
		}
	}
	return nil
}

func (r *request) hasTarget(n NodeID) bool { return r.target(n) != nil }

// clientOp describes an operation a client asks a coordinator to run.
type clientOp struct {
	kind        OpKind
	client      int
	coordinator NodeID
	key         string
	value       string
	withContext bool
	n, w, r     int
	workload    bool
}

type clientKey struct {
	client int
	key    string
}

// startRequest is a client calling coordinator op.coordinator. A down
// coordinator fails the operation at once.
func (c *Cluster) startRequest(op clientOp) RequestID {
	c.reqSeq++
	id := c.reqSeq
	c.counters.OpsAttempted++
	c.clientSeq++
	invoked := Op{
		Request: id, Client: op.client, Kind: op.kind, Key: op.key, Coordinator: op.coordinator,
		Value: op.value, InvokeTick: c.now, ReturnTick: -1, invokeSeq: c.clientSeq,
	}
	req := &request{
		id: id, kind: op.kind, client: op.client, key: op.key, hash: ring.HashKey(op.key),
		n: pick(op.n, c.cfg.N), w: pick(op.w, c.cfg.W), r: pick(op.r, c.cfg.R),
		start: c.now, op: -1, workload: op.workload,
	}
	if c.historyDiscarded {
		own := invoked // kept apart, so that invoked stays on the stack
		req.opOwn = &own
	} else {
		req.op = c.history.add(invoked)
		c.rest = 0
	}
	c.oracle.beginOp(c, req)
	if c.sessions != nil && op.kind == OpGet {
		c.sessions.getStarted(clientKey{op.client, op.key}, invoked.invokeSeq)
	}
	coord := c.w(op.coordinator)
	c.emit(&Event{Kind: EvRequestStart, From: coord.id, Request: id, Op: op.kind, Client: op.client, Key: op.key})
	if !coord.up {
		c.finishRequest(req, false, nil, "coordinator "+coord.id.String()+" is down")
		return id
	}
	req.own = coord.own
	coord.requests.add(req)
	c.chooseTargets(coord, req)

	if op.kind == OpPut {
		var ctx causal
		if op.withContext || op.workload {
			full := c.clientCtx.get(clientKey{op.client, op.key})
			ctx = full.truncate(c.cfg.VClockMax)
			if ctx.vv.Len() < full.vv.Len() {
				c.contextTruncated = true // see foldVC
			}
		}
		counter := max(coord.counters[op.key], ctx.maxCounter(coord.id)) + 1
		coord.setCounter(op.key, counter)
		dot := vclock.Dot{Node: coord.id, Counter: counter}
		past := ctx.add(dot, c.now)
		clock := past.clock(c.now)
		if c.cfg.VClockMax > 0 && clock.Len() > c.cfg.VClockMax { // clocks are immutable: within the bound, no copy
			clock = clock.Truncate(c.cfg.VClockMax)
		}
		req.version = &version{
			value:     op.value,
			dot:       dot,
			context:   ctx,
			past:      past,
			clock:     clock,
			timestamp: c.now + coord.skew,
		}
		req.version.mintLabels(op.key)
		c.emit(&Event{Kind: EvVersionCreated, From: coord.id, Request: id, Key: op.key, Version: req.version.label})
		req.carried = []*version{req.version}
	}
	for i := range req.targets {
		c.sendToTarget(coord, req, &req.targets[i])
	}
	if !c.cfg.Scripted { // in a scripted run the timers fire by CmdTimeout
		c.scheduleRequestTimers(coord, id, c.cfg.RequestTimeoutTicks)
	}
	return id
}

// scheduleRequestTimers sets a request's timeout, after the given ticks,
// and in sloppy mode its half-timeout.
func (c *Cluster) scheduleRequestTimers(coord *node, id RequestID, after int64) {
	c.schedule(item{tick: c.now + after, kind: itemTimeout, node: coord.id, epoch: coord.epoch, req: id})
	if c.cfg.Mode == Sloppy && after >= 2 {
		c.schedule(item{tick: c.now + after/2, kind: itemHalfTimeout, node: coord.id, epoch: coord.epoch, req: id})
	}
}

func pick(override, def int) int {
	if override > 0 {
		return override
	}
	return def
}

// chooseTargets picks whom a request goes to, from the coordinator's own
// ring. Strict: the key's N replicas. Sloppy: the replicas the coordinator
// believes alive, and for each one it does not, the next node down the ring
// that it believes alive, as a stand-in holding a hint for it.
func (c *Cluster) chooseTargets(coord *node, req *request) {
	var buf [8]NodeID // most preference lists: no allocation
	pref := coord.ring.AppendPreferenceList(buf[:0], req.hash, req.n)
	req.targets = req.inline[:0]
	if c.cfg.Mode == Strict {
		for _, p := range pref {
			req.targets = append(req.targets, target{node: p, hintFor: NoNode})
		}
		return
	}
	req.extNext = len(pref)
	var skipped []NodeID
	for _, p := range pref {
		if coord.believesUp(p) {
			req.targets = append(req.targets, target{node: p, hintFor: NoNode})
		} else {
			skipped = append(skipped, p)
		}
	}
	for _, owner := range skipped {
		if standIn, ok := c.nextStandIn(coord, req); ok {
			req.targets = append(req.targets, target{node: standIn, hintFor: owner})
		} else { // nobody else to ask: try the owner after all
			req.targets = append(req.targets, target{node: owner, hintFor: NoNode})
		}
	}
}

// nextStandIn is the next node past the preference list that the coordinator
// believes alive and has not yet asked.
func (c *Cluster) nextStandIn(coord *node, req *request) (NodeID, bool) {
	if req.ext == nil { // walked only when a stand-in is needed
		req.ext = coord.ring.PreferenceList(req.hash, coord.ring.NodeCount())
	}
	for req.extNext < len(req.ext) {
		cand := req.ext[req.extNext]
		req.extNext++
		if coord.believesUp(cand) && !req.hasTarget(cand) {
			return cand, true
		}
	}
	return NoNode, false
}

func (c *Cluster) sendToTarget(coord *node, req *request, t *target) {
	m := message{from: coord.id, to: t.node, req: req.id, key: req.key, keyHash: req.hash, hintFor: t.hintFor}
	if req.kind == OpPut {
		m.kind = MsgPutReq
		m.versions = req.carried
	} else {
		m.kind = MsgGetReq
	}
	c.send(&m)
}

// handlePutReq: a replica stores the version (a stand-in keeps it as a hint)
// and acknowledges. n may be shared with a clone (deliverTo): what changes
// it takes it first.
func (c *Cluster) handlePutReq(n *node, m *message) {
	if m.hintFor != NoNode && m.hintFor != n.id {
		c.storeHint(c.w(n.id), m.key, m.keyHash, m.hintFor, m.versions, m.req)
	} else {
		c.storeVersions(n, m.key, m.keyHash, m.versions, m.req)
	}
	c.send(&message{kind: MsgPutAck, from: n.id, to: m.from, req: m.req, key: m.key})
}

func (c *Cluster) handlePutAck(n *node, m *message) {
	req := c.writableRequest(n, m.req)
	if req == nil {
		return
	}
	t := req.target(m.from)
	if t == nil || t.answered {
		return
	}
	t.answered = true
	req.acks++
	if !req.done && req.acks >= req.w {
		req.reached = true
		c.emit(&Event{Kind: EvQuorumReached, From: n.id, Request: req.id, Op: OpPut, Key: req.key, Count: req.acks, Need: req.w})
		c.finishRequest(req, true, nil, "")
	}
	c.maybeRetire(n, req)
}

// handleGetReq: a replica answers with every version it has of the key.
// n may be shared with a clone (deliverTo): it is not changed.
func (c *Cluster) handleGetReq(n *node, m *message) {
	c.send(&message{kind: MsgGetResp, from: n.id, to: m.from, req: m.req, key: m.key, keyHash: m.keyHash,
		versions: c.versionsOf(n, m.key)})
}

// handleGetResp gathers replies. At R replies the coordinator has its
// answer: the merge of the replies. In sloppy mode (or without read repair)
// it answers at once and repairs stale replicas in the background, as
// Dynamo does. In strict mode with read repair it first makes sure W
// replicas hold the answer (counting up-to-date repliers and acknowledged
// repairs): the write-back that makes strict quorums linearizable (ABD).
func (c *Cluster) handleGetResp(n *node, m *message) {
	req := c.writableRequest(n, m.req)
	if req == nil {
		return
	}
	t := req.target(m.from)
	if t == nil || t.answered {
		return
	}
	t.answered = true
	req.replies++
	if req.reached {
		c.judgeReply(n, req, t, m.versions)
	} else {
		t.reply = m.versions
		req.merged = c.mergeSets(req.merged, m.versions)
		if req.replies < req.r {
			return
		}
		req.reached = true
		req.result = req.merged
		c.emit(&Event{Kind: EvQuorumReached, From: n.id, Request: req.id, Op: OpGet, Key: req.key, Count: req.replies, Need: req.r})
		for i := range req.targets {
			if t := &req.targets[i]; t.answered {
				c.judgeReply(n, req, t, t.reply)
				t.reply = nil
			}
		}
	}
	c.maybeFinishGet(req)
	c.maybeRetire(n, req)
}

// judgeReply marks a replier as holding the result, or repairs it.
func (c *Cluster) judgeReply(n *node, req *request, t *target, reply []*version) {
	if containsAll(reply, req.result) {
		if !t.holds {
			t.holds = true
			req.upToDate++
		}
		return
	}
	if c.cfg.ReadRepair && t.hintFor == NoNode && !t.repaired {
		t.repaired = true
		c.counters.ReadRepairs++
		c.emit(&Event{Kind: EvReadRepair, From: n.id, To: t.node, Request: req.id, Key: req.key, Version: describeSet(req.key, req.result)})
		c.send(&message{kind: MsgRepair, from: n.id, to: t.node, req: req.id, key: req.key, keyHash: req.hash, versions: req.result})
	}
}

// maybeFinishGet answers the client once the get may return.
func (c *Cluster) maybeFinishGet(req *request) {
	if req.done || !req.reached {
		return
	}
	if c.cfg.Mode == Strict && c.cfg.ReadRepair && req.upToDate < req.w {
		return
	}
	c.finishRequest(req, true, req.result, "")
}

// handleRepair stores a read repair's versions; n may be shared with a
// clone (deliverTo).
func (c *Cluster) handleRepair(n *node, m *message) {
	c.storeVersions(n, m.key, m.keyHash, m.versions, m.req)
	c.send(&message{kind: MsgRepairAck, from: n.id, to: m.from, req: m.req, key: m.key, ok: true})
}

func (c *Cluster) handleRepairAck(n *node, m *message) {
	req := c.writableRequest(n, m.req)
	if req == nil {
		return
	}
	if t := req.target(m.from); t != nil && !t.holds {
		t.holds = true
		req.upToDate++
	}
	c.maybeFinishGet(req)
	c.maybeRetire(n, req)
}

// maybeRetire forgets a finished request once nothing more can come of it.
func (c *Cluster) maybeRetire(n *node, req *request) {
	if !req.done {
		return
	}
	for i := range req.targets {
		t := &req.targets[i]
		if !t.answered || (t.repaired && !t.holds) {
			return
		}
	}
	n.requests.remove(req.id)
}

// tickHalfTimeout: in sloppy mode, replicas that have not answered within
// half the timeout are replaced by stand-ins further down the ring.
func (c *Cluster) tickHalfTimeout(n *node, id RequestID) {
	req := c.writableRequest(n, id)
	if req == nil || req.done {
		return
	}
	count := len(req.targets)
	for i := 0; i < count; i++ {
		t := req.targets[i]
		if t.answered {
			continue
		}
		standIn, ok := c.nextStandIn(n, req)
		if !ok {
			return
		}
		owner := t.hintFor
		if owner == NoNode {
			owner = t.node
		}
		req.targets = append(req.targets, target{node: standIn, hintFor: owner})
		c.sendToTarget(n, req, &req.targets[len(req.targets)-1])
	}
}

// tickTimeout fails a request that has not been answered in time.
func (c *Cluster) tickTimeout(n *node, id RequestID) {
	req := c.writableRequest(n, id)
	if req == nil {
		return
	}
	n.requests.remove(id)
	if req.done {
		return
	}
	c.failRequest(n, req, "timed out")
}

func (c *Cluster) failRequest(n *node, req *request, why string) {
	got, need, what := req.acks, req.w, "acks"
	if req.kind == OpGet {
		got, need, what = req.replies, req.r, "replies"
		if req.reached { // strict write-back could not reach W replicas
			got, need, what = req.upToDate, req.w, "replicas holding the answer"
		}
	}
	// Written into one buffer, and the same text shared (scratch.text): a
	// schedule search fails requests by the hundred thousand, with a few
	// texts.
	var buf [96]byte
	b := buf[:0]
	b = append(append(b, why...), ": "...)
	b = append(strconv.AppendInt(b, int64(got), 10), " of "...)
	b = append(append(strconv.AppendInt(b, int64(need), 10), ' '), what...)
	from := false
	for _, t := range req.targets {
		if !t.answered {
			continue
		}
		if b = append(b, ' '); !from {
			b, from = append(b, "(from "...), true
		}
		b = strconv.AppendInt(append(b, 'n'), int64(t.node), 10)
	}
	if from {
		b = append(b, ')')
	}
	text := c.scratch.text(b)
	c.emit(&Event{Kind: EvQuorumFailed, From: n.id, Request: req.id, Op: req.kind, Key: req.key, Count: got, Need: need, Text: text})
	c.finishRequest(req, false, nil, text)
}

func joinNodes(ns []NodeID) string {
	s := ""
	for i, n := range ns {
		if i > 0 {
			s += " "
		}
		s += n.String()
	}
	return s
}

// finishRequest gives the client its answer and records it.
func (c *Cluster) finishRequest(req *request, ok bool, result []*version, errText string) {
	req.done = true
	op := req.opOwn
	if req.op >= 0 {
		op = c.history.at(req.op)
		c.rest = 0
	}
	op.ReturnTick = c.now
	c.clientSeq++
	op.returnSeq = c.clientSeq
	op.OK = ok
	op.Err = errText
	if ok {
		c.counters.OpsSucceeded++
	} else {
		c.counters.OpsFailed++
	}
	ck := clientKey{req.client, req.key}
	if s := c.sessions; s != nil {
		switch {
		case req.kind == OpPut && ok:
			s.putAcked(ck, req.version, op.returnSeq, c.cfg.Versioning)
		case req.kind == OpGet:
			s.getDone(ck, op.invokeSeq, op.returnSeq, ok, result, c.cfg.Versioning)
		}
	}
	switch {
	case req.kind == OpPut && ok:
		c.counters.PutsOK++
		op.written = req.version
		c.setClientCtx(ck, c.clientCtx.get(ck).merge(req.version.causalPast()))
		c.oracle.ackPut(c, req)
	case req.kind == OpPut:
		c.counters.PutsFailed++
	case ok:
		c.counters.GetsOK++
		op.Values = formatValues(result)
		op.read = result
		// A new histogram each time: clones share the old one (CloneInto).
		sr := make([]int, max(len(c.counters.SiblingReads), len(result)+1))
		copy(sr, c.counters.SiblingReads)
		sr[len(result)]++
		c.counters.SiblingReads = sr
		c.counters.SiblingsReadMax = max(c.counters.SiblingsReadMax, len(result))
		seen := c.scratch.merge(result)
		c.setClientCtx(ck, seen)
		if c.oracle.staleRead(req, seen, result, c.cfg.Versioning) {
			op.Stale = true
			c.counters.StaleReads++
		}
	default:
		c.counters.GetsFailed++
		c.oracle.forget(req.id)
	}
	c.emit(&Event{Kind: EvRequestDone, From: op.Coordinator, Request: req.id, Op: req.kind, Client: req.client, Key: req.key, OK: ok, Values: op.Values, Text: errText})
	if req.workload {
		c.clientDone(req.client)
	}
}

// requestList is the requests a node coordinates, in id order (ids grow:
// a new one goes last). A node has a few at once: a list is cheaper than a
// map to search and to copy (a clone copies it), and it is in order.
type requestList []*request

func (l requestList) find(id RequestID) (int, bool) {
	return slices.BinarySearchFunc(l, id, func(r *request, id RequestID) int { return cmp.Compare(r.id, id) })
}

// get is request id, or nil.
func (l requestList) get(id RequestID) *request {
	if i, ok := l.find(id); ok {
		return l[i]
	}
	return nil
}

// writableRequest is request id, n's to change (copied first if n shares
// it with a clone of itself); nil when n coordinates no such request.
func (c *Cluster) writableRequest(n *node, id RequestID) *request {
	i, ok := n.requests.find(id)
	if !ok {
		return nil
	}
	r := n.requests[i]
	if r.own != n.own {
		x := takeFree(&c.scratch.reqs)
		if x == nil {
			x = new(request)
		}
		r = r.cloneInto(x)
		r.own = n.own
		n.requests[i] = r
	}
	return r
}

func (l *requestList) add(r *request) {
	i, _ := l.find(r.id)
	*l = slices.Insert(*l, i, r)
}

func (l *requestList) remove(id RequestID) {
	if i, ok := l.find(id); ok {
		*l = slices.Delete(*l, i, i+1)
	}
}
