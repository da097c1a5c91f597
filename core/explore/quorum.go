package explore

import (
	"math/bits"

	"github.com/ringlab/ringlab/core"
)

// Tallies wait.
//
// An answer to a request that still waits for two or more (a put's ack
// with W-1 or fewer counted, a get's reply with R-1 or fewer: a tally)
// changes one thing, at its coordinator: that request's count of who
// answered, and for a get the merge of what they answered. Nothing reads
// that count but the request's other answers (the one that reaches the
// quorum answers the client), its timeout and its coordinator's crash; and
// with strict quorums (no half-timeout to read which targets answered)
// those last two end the request whatever the count, leaving the answers
// still held inert: the state, as the digest reads it, is the same. So in
// a schedule each tally can be moved later, to just before the answer that
// reaches its request's quorum, or left out, held, when none comes, and
// the history is the same, in no more steps. The search therefore never
// delivers a tally on its own: it completes a quorum in one choice of
// several steps (a quorum's completion), for each set of targets whose
// answers would reach it, among those whose reply is held and those whose
// request is (fresh): each fresh one's replica's step first (with its
// node's restart, if it is down: restartBeforeStep), then every member's
// reply, in node order. A replica's step whose reply would be a tally then
// comes on its own only just before a step at its node that depends on it
// (followUp.tally; stepsWait): otherwise it moves into the completion that
// delivers its reply, or is left out. Where the answers are not all alike
// to the count (sloppy quorums, whose half-timeout asks stand-ins for
// whichever targets have not answered), tallies are delivered as any
// other reply.
//
// A completion's state waits for its level (Search.postpone), so the
// search stays breadth first; nothing is asleep in it and it never sleeps.
// TestReductionsReachEveryHistory and the other comparisons with the
// search without reductions check that every final history is still
// reached, at its shortest depth; TestTalliesWait that the searches it
// shortens reach the same histories with fewer states.
func (s *Search) talliesWait() bool {
	return s.stepsWait() && s.cfg.Mode == core.Strict && s.nodes <= 32 && !s.talliesOff
}

// A quorumWait is a request whose client waits, and how many answers
// its quorum still needs (core.Cluster.QuorumLeft).
type quorumWait struct {
	id    core.RequestID
	coord core.NodeID
	left  int
}

// waitingQuorums gathers c's pending requests' quorums in s.quorumBuf.
func (s *Search) waitingQuorums(c *core.Cluster) {
	s.quorumBuf = s.quorumBuf[:0]
	s.pendBuf = c.AppendPending(s.pendBuf[:0])
	for _, p := range s.pendBuf {
		s.quorumBuf = append(s.quorumBuf, quorumWait{id: p.ID, coord: p.Coordinator, left: c.QuorumLeft(p.ID)})
	}
}

// answer reports whether a message kind answers a client's request:
// a replica's ack of a put, or its reply to a get.
func answer(k core.MsgKind) bool { return k == core.MsgPutAck || k == core.MsgGetResp }

// tally reports whether held message m is a tally (s.quorumBuf is its
// state's).
func (s *Search) tally(m core.HeldStep) bool {
	if !answer(m.Kind) {
		return false
	}
	for _, q := range s.quorumBuf {
		if q.id == m.Req {
			return m.To == q.coord && q.left >= 2
		}
	}
	return false
}

// quorums adds to out the completions of the quorums that wait for two
// or more answers (s.quorumBuf), in cluster c, whose held messages are
// held (HeldSteps).
func (s *Search) quorums(c *core.Cluster, held []core.HeldStep, out []choice) []choice {
	for _, q := range s.quorumBuf {
		if q.left < 2 {
			continue
		}
		var replied, fresh, down uint32
		kind := core.MsgPutAck
		for _, m := range held {
			if m.Req != q.id || m.Inert {
				continue
			}
			switch {
			case answer(m.Kind) && m.To == q.coord:
				replied |= 1 << m.From
				kind = m.Kind
			case (m.Kind == core.MsgPutReq || m.Kind == core.MsgGetReq) && m.From == q.coord:
				fresh |= 1 << m.To
				if m.Kind == core.MsgGetReq {
					kind = core.MsgGetResp
				}
				if !c.NodeUp(m.To) {
					down |= 1 << m.To
				}
			}
		}
		all := replied | fresh
		for sub := all; sub != 0; sub = (sub - 1) & all {
			if bits.OnesCount32(sub) != q.left {
				continue
			}
			f := sub & fresh
			steps := q.left + bits.OnesCount32(f) + bits.OnesCount32(f&down)
			out = append(out, choice{cmd: core.Command{Kind: core.CmdDeliver, Request: q.id}, op: -1,
				to: q.coord, from: q.coord, kind: kind, members: sub, fresh: f, extra: uint8(steps - 1)})
		}
	}
	return out
}

// quorumDepends reports whether a choice is a quorum's completion with a
// replica's step at node n that depends on one there just taken, a read
// (read) or a write: a write there after a read, a read after a write
// (dependent). (Its step at its coordinator, its last reply, is weighed
// as a reply's: local.)
func quorumDepends(ch choice, n core.NodeID, read bool) bool {
	return ch.members != 0 && ch.fresh&(1<<n) != 0 && (ch.kind == core.MsgGetResp) != read
}

// dependsOnAll reports whether choice ch depends on every replica's step
// of a block still waiting (followUp.others), at the nodes others, the
// reads among them at othersRead: a quorum's completion with a replica's
// step of the other kind there, or a step local there that depends on it.
func dependsOnAll(ch choice, others, othersRead uint32) bool {
	for o := others; o != 0; o &= o - 1 {
		n := core.NodeID(bits.TrailingZeros32(o))
		read := othersRead&(1<<n) != 0
		l, ok := local(ch)
		if !quorumDepends(ch, n, read) && !(ok && l == n && dependent(read, ch)) {
			return false
		}
	}
	return true
}

// widen adds to kept, the choices right after a replica's step in st
// (stepsWait), the replica's steps at other nodes that may come next in a
// block: a run of replica's steps at several nodes that one quorum's
// completion depends on, each node's before the next's (node order), so
// that the completion comes just after them all. A replica's step moves
// later to just before the first step that depends on it, and when that
// is a completion, which takes steps at several nodes at once, several of
// them may wait for it: writes at two replicas that a get's completion
// then reads, say. Such a step is offered only where one of the choices
// now (out) would close the block: a completion that depends on every
// step in it, and on this one.
func (s *Search) widen(st *state, held []core.HeldStep, out, kept []choice, offered func(core.HeldStep) bool) []choice {
	f := st.after
	n := core.NodeID(f.node - 1)
	others, othersRead := f.others|1<<n, f.othersRead
	if f.read {
		othersRead |= 1 << n
	}
	for _, m := range held {
		if m.To <= n || !offered(m) {
			continue
		}
		read := m.Kind == core.MsgGetReq
		closable := false
		for _, ch := range out {
			if ch.members != 0 && quorumDepends(ch, m.To, read) && dependsOnAll(ch, others, othersRead) {
				closable = true
				break
			}
		}
		if !closable {
			continue
		}
		ch := choice{cmd: core.Command{Kind: core.CmdDeliver, Msg: m.ID}, op: -1, to: m.To, from: m.From, kind: m.Kind, replica: true, block: true}
		if !st.c.NodeUp(m.To) {
			ch.pre = preRestart
		}
		kept = append(kept, ch)
	}
	return kept
}

// applyQuorum takes a quorum's completion's steps on c (talliesWait),
// each after a tick, and tells rec each command taken (if rec is not
// nil). Which members are fresh it reads from c: those whose reply is not
// held.
func applyQuorum(c *core.Cluster, ch choice, rec func(core.Command)) {
	do := func(cmd core.Command) {
		c.Tick()
		if _, err := c.Apply(cmd); err != nil {
			panic("explore: a quorum's step was refused: " + err.Error()) // completions are built valid
		}
		if rec != nil {
			rec(cmd)
		}
	}
	q, coord := ch.cmd.Request, ch.to
	for m := ch.members; m != 0; m &= m - 1 {
		n := core.NodeID(bits.TrailingZeros32(m))
		if _, replied := c.HeldOf(q, n, coord); replied {
			continue
		}
		id, ok := c.HeldOf(q, coord, n)
		if !ok {
			panic("explore: a quorum's member has neither its request nor its reply held")
		}
		if !c.NodeUp(n) {
			do(core.Command{Kind: core.CmdRestart, Node: n})
		}
		do(core.Command{Kind: core.CmdDeliver, Msg: id})
	}
	for m := ch.members; m != 0; m &= m - 1 {
		n := core.NodeID(bits.TrailingZeros32(m))
		id, ok := c.HeldOf(q, n, coord)
		if !ok {
			panic("explore: a quorum's member sent no reply")
		}
		do(core.Command{Kind: core.CmdDeliver, Msg: id})
	}
}

// Answers follow.
//
// A replica's step that nothing at its node may depend on (no step there
// that reads what it writes or writes what it read: dependents) is taken
// only just before the delivery of its reply (stepsWait), or, when the
// reply would be a tally, in its quorum's completion (talliesWait). So
// where tallies wait, such a step whose reply would complete its request
// is offered with its reply as one choice of two steps, and its state in
// between, which would have that reply as its only choice, is not kept;
// and such a step whose reply would be a tally is not offered alone at
// all. With a step at its node that may depend on it, it comes alone as
// before. (Under talliesWait, and for a node that is up.)

// dependents is where a step that may depend on a replica's step could
// come right after it, among a state's choices out (no replica's step
// among them) and its held messages: the nodes (bits) with such a step
// after a read there (afterRead) or after a write (afterWrite). A held
// replica's step that is inert stays so after one of the other kind there:
// a read leaves a dead write dead (the replica still holds what it
// carries), and a write a dead read (a replica's versions only grow, so
// one that absorbed the get's answer still does: core.Cluster.Inert).
func dependents(out []choice, held []core.HeldStep) (afterRead, afterWrite uint64, ok bool) {
	for _, ch := range out {
		if ch.cmd.Kind == core.CmdCrash {
			afterRead |= 1 << ch.to
			afterWrite |= 1 << ch.to
		}
		if l, ok := local(ch); ok {
			if dependent(true, ch) {
				afterRead |= 1 << l
			}
			if dependent(false, ch) {
				afterWrite |= 1 << l
			}
		}
		if ch.members != 0 {
			if ch.kind == core.MsgGetResp {
				afterWrite |= uint64(ch.fresh) // it reads there
			} else {
				afterRead |= uint64(ch.fresh) // it writes there
			}
		}
	}
	// A straggler is offered only where a read may follow it
	// (withReplicaSteps): after a read there, where another read may.
	_, again := readersIn(out, held)
	for _, m := range held {
		if m.Inert {
			continue
		}
		switch m.Kind {
		case core.MsgGetReq:
			afterWrite |= 1 << m.To
		case core.MsgPutReq, core.MsgRepair:
			if !m.Straggler || again&(1<<m.To) != 0 {
				afterRead |= 1 << m.To
			}
		}
	}
	return afterRead, afterWrite, true
}

// leftFor is how many answers the quorum of held message m's request
// still needs, if m is one of its requests to a replica (a put's or a
// get's) and the client waits (s.quorumBuf); 0 otherwise.
func (s *Search) leftFor(m core.HeldStep) int {
	if m.Kind != core.MsgPutReq && m.Kind != core.MsgGetReq {
		return 0
	}
	for _, q := range s.quorumBuf {
		if q.id == m.Req && q.coord == m.From {
			return q.left
		}
	}
	return 0
}

// applyThenReply takes a replica's step and then, if the reply it sent
// is not inert, that reply's delivery (answersFollow) on c, each after a
// tick, telling rec each command taken (if rec is not nil). It reports
// whether it delivered the reply.
func applyThenReply(c *core.Cluster, ch choice, rec func(core.Command)) bool {
	before := c.HeldCount()
	c.Tick()
	if _, err := c.Apply(ch.cmd); err != nil {
		panic("explore: a replica's step was refused: " + err.Error())
	}
	if rec != nil {
		rec(ch.cmd)
	}
	id, _, _, ok := c.NewestHeld()
	if !ok || c.HeldCount() != before || c.Inert(id) {
		return false // no reply, or one that changes nothing: held
	}
	reply := core.Command{Kind: core.CmdDeliver, Msg: id}
	c.Tick()
	if _, err := c.Apply(reply); err != nil {
		panic("explore: a reply was refused: " + err.Error())
	}
	if rec != nil {
		rec(reply)
	}
	return true
}

// readersIn is where a read may be taken, among a state's choices out (no
// replica's step among them) and held messages: the nodes (bits) where a
// get may be issued or a get's request is held (readers), and where one
// may still be after a get's request held there is delivered (again).
func readersIn(out []choice, held []core.HeldStep) (readers, again uint64) {
	for _, ch := range out {
		if n, ok := local(ch); ok && ch.cmd.Kind != core.CmdPut && ch.cmd.Kind != core.CmdDeliver {
			readers |= 1 << n
			again |= 1 << n
		}
	}
	for _, m := range held {
		if m.Kind == core.MsgGetReq && !m.Inert {
			again |= readers & (1 << m.To)
			readers |= 1 << m.To
		}
	}
	return readers, again
}
