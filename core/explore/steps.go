package explore

import (
	"slices"

	"github.com/ringlab/ringlab/core"
)

// A trailStep is a state's entry in Search.trail.
type trailStep struct {
	parent int32 // -1: the root
	mv     move
}

// record gives st its place in the trail, after its parent's.
func (s *Search) record(st *state) {
	st.at = int32(len(s.trail))
	s.trail = append(s.trail, trailStep{parent: st.parent, mv: st.mv})
}

// step makes the child of st by one choice, in child: a tick, then the command.
func (s *Search) step(st *state, ch choice, child *state) {
	c := st.c.CloneInto(s.spare)
	s.spare = nil
	id, steps := applyTold(c, ch, nil)
	depth := st.depth + steps
	*child = state{c: c, parent: st.at, mv: s.moveOf(ch), depth: depth, reqs: st.reqs,
		half: st.half, parts: st.parts, crashes: st.crashes, drops: st.drops}
	if ch.pre == preCrash {
		child.crashes++
	}
	switch ch.cmd.Kind {
	case core.CmdPut, core.CmdGet:
		child.reqs[ch.op] = id
	case core.CmdTimeout:
		if ch.cmd.Param == "half" {
			child.half |= 1 << s.opOf(st, ch.cmd.Request)
		}
	case core.CmdDrop:
		child.drops++
	case core.CmdPartition:
		child.parts++
	case core.CmdCrash:
		child.crashes++
	}
	for _, r := range child.reqs[:len(s.ops)] {
		if r != 0 {
			if c.Returned(r) {
				child.returned++
			}
		}
	}
	child.answered = child.returned != st.returned
	if ch.replica || ch.thenReply && steps == 1 {
		read := ch.kind == core.MsgGetReq
		child.after = followUp{node: uint8(ch.to) + 1, read: read,
			open: st.after.node == uint8(ch.to)+1 && st.after.read == read}
		if f := st.after; f.node != 0 && ch.block {
			// In a block: what waits still does, and so does the step
			// before, unless it was at the same node (widen).
			child.after.others, child.after.othersRead = f.others, f.othersRead
			if prev := f.node - 1; prev != uint8(ch.to) {
				child.after.others |= 1 << prev
				if f.read {
					child.after.othersRead |= 1 << prev
				}
			}
		}
		// The reply it sent, if it sent one, is the newest held.
		if c.HeldCount() == st.c.HeldCount() {
			if m, ok := c.LastHeld(); ok && m.From == ch.to && m.To == ch.from && !m.Inert {
				if s.talliesWait() && answer(m.Kind) && c.QuorumLeft(m.Req) >= 2 {
					child.after.tally = true // (talliesWait)
				} else {
					child.after.reply = m.Digest
				}
			}
		}
	}
	child.spent = s.crashesSpent(child)
}

// apply takes a choice's steps on c: a tick, then the command (after a
// tick and the step it takes first, if it has one). It returns the id of a
// request the command started.
func apply(c *core.Cluster, ch choice) core.RequestID {
	id, _ := applyTold(c, ch, nil)
	return id
}

// applyTold is apply, telling rec each command it takes (if rec is not
// nil), and how many steps it took.
func applyTold(c *core.Cluster, ch choice, rec func(core.Command)) (core.RequestID, int) {
	if ch.members != 0 {
		applyQuorum(c, ch, rec)
		return 0, ch.steps()
	}
	if ch.thenReply {
		if applyThenReply(c, ch, rec) {
			return 0, 2
		}
		return 0, 1
	}
	if ch.tail {
		var buf [MaxOps]core.PendingRequest
		pending := c.AppendPending(buf[:0])
		for _, p := range pending {
			cmd := core.Command{Kind: core.CmdTimeout, Request: p.ID}
			c.Tick()
			if _, err := c.Apply(cmd); err != nil {
				panic("explore: a timeout was refused: " + err.Error())
			}
			if rec != nil {
				rec(cmd)
			}
		}
		return 0, len(pending)
	}
	if ch.pre != preNone {
		c.Tick()
		if _, err := c.Apply(ch.preCommand()); err != nil {
			panic("explore: a step before a choice was refused: " + err.Error())
		}
		if rec != nil {
			rec(ch.preCommand())
		}
	}
	c.Tick()
	id, err := c.Apply(ch.cmd)
	if err != nil {
		panic("explore: a choice was refused: " + err.Error()) // choices are built valid
	}
	if rec != nil {
		rec(ch.cmd)
	}
	return id, ch.steps()
}

// holdStates is how many states of a level keep their cluster until
// they are expanded (Search.holdMax), and holdFew how many do in a level
// that has more: the others are rebuilt then. A level of a few hundred
// thousand states keeps them all, its clusters sharing most of what they
// hold with one another (a few hundred bytes each, against a step replayed
// for each state rebuilt, a tenth of the search's time), and a level of
// millions, most of whose memory they would be, keeps the first. Variables
// so that tests can make every state rebuilt.
var holdStates, holdFew = 300_000, 100_000

// A rebuiltState is a cluster rebuilt (Search.rebuild): the state's place
// in the trail, and its cluster.
type rebuiltState struct {
	at int32
	c  *core.Cluster
}

// rebuild is the cluster of the state at place at in the trail, replayed
// from the root along the steps the trail keeps. The clusters of the
// states on the way are kept (Search.rebuilt), and the next rebuild starts
// from the last of them on its own way: the states of a level are expanded
// in the order they were met, which is their parents' order, so siblings
// and cousins follow each other and most rebuilds replay a step or two.
func (s *Search) rebuild(at int32) *core.Cluster {
	var path []int32
	for i := at; s.trail[i].parent >= 0; i = s.trail[i].parent {
		path = append(path, i)
	}
	if len(path) == 0 {
		return s.root.Clone()
	}
	slices.Reverse(path)
	// The longest start of the way already rebuilt.
	k := 0
	for k < len(path) && k < len(s.rebuilt) && s.rebuilt[k].at == path[k] {
		k++
	}
	s.rebuilt = s.rebuilt[:k]
	c := s.root
	if k > 0 {
		c = s.rebuilt[k-1].c
	}
	for _, i := range path[k:] {
		mv := s.trail[i].mv
		next := c.Clone()
		apply(next, s.choiceOf(mv))
		s.rebuilds++
		c = next
		s.rebuilt = append(s.rebuilt, rebuiltState{at: i, c: c})
	}
	// The state's own cluster is its expansion's, not kept here: the
	// states it leads to are met on the next level, after this one's.
	s.rebuilt = s.rebuilt[:len(s.rebuilt)-1]
	return c
}

// move is a step as a state keeps it, small: the command is rebuilt from
// it (Search.command) only for a counterexample, and the states of a
// search are many.
type move struct {
	id      uint64 // the message (deliver, drop) or the request (timeout)
	kind    uint8  // in moveKinds
	half    bool   // a half-timeout
	pre     pre    // a step before it (choice.pre), at preNode
	op      int8   // the script operation an issue starts
	node    core.NodeID
	preNode core.NodeID
	split   int16 // a partition's split
}

var moveKinds = []core.CommandKind{core.CmdPut, core.CmdGet, core.CmdDeliver, core.CmdDrop,
	core.CmdTimeout, core.CmdCrash, core.CmdRestart, core.CmdHeal, core.CmdPartition}

// quorumMove is a move's kind for a quorum's completion (talliesWait):
// its id is the request's and its members' bits above them, its node
// the coordinator.
const quorumMove = 255

// thenReplyMove is a move's kind for a replica's step and its reply
// (answersFollow): its id is the request's message.
const thenReplyMove = 254

// tailMove is a move's kind for a group's tail (deferTimeouts).
const tailMove = 253

// moveOf is the move of a choice.
func (s *Search) moveOf(ch choice) move {
	if ch.members != 0 {
		return move{kind: quorumMove, id: uint64(ch.cmd.Request) | uint64(ch.members)<<32, node: ch.to, op: -1}
	}
	if ch.thenReply {
		return move{kind: thenReplyMove, id: ch.cmd.Msg, op: -1}
	}
	if ch.tail {
		return move{kind: tailMove, op: -1}
	}
	m := move{kind: uint8(slices.Index(moveKinds, ch.cmd.Kind)), node: ch.cmd.Node,
		op: int8(ch.op), split: int16(ch.split), half: ch.cmd.Param == "half", pre: ch.pre}
	if ch.pre != preNone {
		m.preNode = ch.node()
	}
	switch ch.cmd.Kind {
	case core.CmdDeliver, core.CmdDrop:
		m.id = ch.cmd.Msg
	case core.CmdTimeout:
		m.id = uint64(ch.cmd.Request)
	}
	return m
}

// choiceOf is the choice a move took.
func (s *Search) choiceOf(m move) choice {
	switch m.kind {
	case quorumMove:
		return choice{cmd: core.Command{Kind: core.CmdDeliver, Request: core.RequestID(m.id & (1<<32 - 1))},
			op: -1, to: m.node, members: uint32(m.id >> 32)}
	case thenReplyMove:
		return choice{cmd: core.Command{Kind: core.CmdDeliver, Msg: m.id}, op: -1, thenReply: true}
	case tailMove:
		return choice{cmd: core.Command{Kind: core.CmdTimeout}, op: -1, tail: true}
	}
	return choice{cmd: s.command(m), op: int(m.op), to: m.preNode, pre: m.pre}
}

// command is the command a move applied (one of one step).
func (s *Search) command(m move) core.Command {
	cmd := core.Command{Kind: moveKinds[m.kind]}
	switch cmd.Kind {
	case core.CmdPut, core.CmdGet:
		return s.issue(int(m.op), m.node)
	case core.CmdDeliver, core.CmdDrop:
		cmd.Msg = m.id
	case core.CmdTimeout:
		cmd.Request = core.RequestID(m.id)
		if m.half {
			cmd.Param = "half"
		}
	case core.CmdCrash, core.CmdRestart:
		cmd.Node = m.node
	case core.CmdPartition:
		cmd.Groups = s.splits()[m.split].groups
	}
	return cmd
}

// issue is the command that issues script operation i at node n.
func (s *Search) issue(i int, n core.NodeID) core.Command {
	op := s.ops[i]
	cmd := core.Command{Kind: core.CmdGet, Client: op.Client, Node: n, Key: op.Key}
	if op.Kind == core.OpPut {
		cmd.Kind, cmd.Value, cmd.WithContext = core.CmdPut, op.Value, true
	}
	return cmd
}
