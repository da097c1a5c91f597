package explore

import "github.com/ringlab/ringlab/core"

// choice is one step the search may take.
type choice struct {
	cmd   core.Command
	op    int // the script operation an issue starts; -1 otherwise
	split int // a partition's split (Search.splits)
	// to is the one node a delivery, a timeout, a crash or a restart acts
	// on (the message's destination, the request's coordinator, the node),
	// from and kind a delivery's sender and message kind; sl names a
	// delivery or a timeout in sleep sets.
	to, from core.NodeID
	kind     core.MsgKind
	sl       sleeper
	// pre is a step taken at the choice's node just before it, as one
	// choice: a crash before an issue (crashBeforeIssue), a restart
	// before an issue or a delivery (restartBeforeStep).
	pre pre
	// replica: a delivery of a request to a replica (a read or a write),
	// which the next step must follow up (stepsWait).
	replica bool
	// members, when not 0, makes the choice a quorum's completion
	// (talliesWait): the targets (by node bit) whose answers to request
	// cmd.Request, coordinated by to, complete its quorum, taken as one
	// choice of several steps: fresh are those whose replica's step is
	// taken in it first (the others' replies are held already), then
	// every member's reply is delivered (applyQuorum). kind is the
	// replies' kind. extra is how many steps it takes beyond one.
	members, fresh uint32
	extra          uint8
	// block: a replica's step that follows up one just taken (stepsWait):
	// the steps before it in their block (followUp.others) still wait.
	block bool
	// thenReply: a replica's step and then the delivery of the reply it
	// sends, as one choice of two steps (answersFollow).
	thenReply bool
	// tail: the timeouts of every request whose client waits, in the
	// order of their ids, as one choice of 1+extra steps (deferTimeouts).
	tail bool
}

// steps is how many steps a choice takes.
func (ch choice) steps() int {
	switch {
	case ch.members != 0 || ch.tail:
		return 1 + int(ch.extra)
	case ch.pre != preNone || ch.thenReply:
		return 2
	}
	return 1
}

// A followUp is what the step after a replica's step must be (stepsWait):
// a step at the same node that depends on it (node+1; 0: none, no
// replica's step was just taken), or the delivery of the reply it sent
// (reply: its digest; 0 if the reply is inert).
type followUp struct {
	reply uint64
	node  uint8
	// read: the replica's step was a read (a get's request), not a write;
	// which steps at its node depend on it follows (dependent).
	read bool
	// open: the step before was a replica's step of the same kind at the
	// same node, which depends neither on this one nor on its reply: so
	// the reply may not come next, and the run must end just before a
	// step that depends on both (stepsWait).
	open bool
	// tally: the reply it sent would only count toward its request's
	// quorum, which waits (talliesWait): so a step that depends on it
	// must come next.
	tally bool
	// others are the nodes (bits, all below node) of the replica's steps
	// taken before it in a block (talliesWait: widen) that still wait for
	// a step that depends on them, othersRead those of them that were
	// reads: the block's end must depend on them all.
	others, othersRead uint32
}

// A pre is the step a choice of two takes first: none, a crash or a
// restart of its node.
type pre uint8

const (
	preNone pre = iota
	preCrash
	preRestart
)

// preCommand is the command of the step a choice takes first.
func (ch choice) preCommand() core.Command {
	kind := core.CmdCrash
	if ch.pre == preRestart {
		kind = core.CmdRestart
	}
	return core.Command{Kind: kind, Node: ch.node()}
}

// node is the node a choice acts on: an issue's coordinator, or to.
func (ch choice) node() core.NodeID {
	if ch.op >= 0 {
		return ch.cmd.Node
	}
	return ch.to
}

// choices lists the steps possible in st, in a fixed order.
func (s *Search) choices(st *state) []choice {
	c := st.c
	out := s.choiceBuf[:0] // the last state's are all tried
	// Clients: the operations of the current group not yet issued.
	first := 0
	for first < len(s.ops) && st.reqs[first] != 0 {
		first++
	}
	if first < len(s.ops) && s.groupReturned(st, first) {
		for i := first; i < s.groupEnd[first]; i++ {
			if st.reqs[i] != 0 {
				continue
			}
			op := s.ops[i]
			for n := 0; n < s.nodes; n++ {
				if op.Node != core.NoNode && core.NodeID(n) != op.Node {
					continue
				}
				out = append(out, choice{cmd: s.issue(i, core.NodeID(n)), op: i})
			}
		}
	}
	issues := len(out)
	var held []core.HeldStep
	if st.inertKnown {
		held = c.HeldStepsInert(s.heldBuf[:0], st.inert)
	} else {
		held = c.HeldSteps(s.heldBuf[:0])
	}
	s.heldBuf = held
	tallies := s.talliesWait()
	if tallies {
		s.waitingQuorums(c)
	}
	for _, m := range held {
		if !s.full && m.Inert || s.stepsWait() && replicaStep(m.Kind) || tallies && s.tally(m) {
			continue // delivered, held or lost, all the same; or see stepsWait, talliesWait
		}
		if s.faultsSubsumed() && !c.NodeUp(m.To) {
			// To a node that is down, delivery loses the message, which
			// for a property of the history is the same as holding it to
			// the end (as with drops and partitions: faultsSubsumed); it
			// may be delivered after a restart, taken with it
			// (restartBeforeStep).
			out = append(out, choice{cmd: core.Command{Kind: core.CmdDeliver, Msg: m.ID}, op: -1, to: m.To, from: m.From, kind: m.Kind, pre: preRestart})
			continue
		}
		out = append(out, choice{cmd: core.Command{Kind: core.CmdDeliver, Msg: m.ID}, op: -1,
			to: m.To, from: m.From, kind: m.Kind, sl: deliverySleeper(m)})
	}
	if tallies {
		out = s.quorums(c, held, out) // (s.pendBuf is st's already: waitingQuorums)
	} else {
		s.pendBuf = c.AppendPending(s.pendBuf[:0])
	}
	deferred, tailed := s.deferTimeouts(), false
	for _, p := range s.pendBuf {
		i := s.opOf(st, p.ID)
		switch {
		case !deferred:
			out = append(out, choice{cmd: core.Command{Kind: core.CmdTimeout, Request: p.ID}, op: -1,
				to: p.Coordinator, sl: timeoutSleeper(i, false, p.Coordinator)})
		case !tailed && !st.tailed && (i < 0 || s.groupIssued(st, i)):
			// The group's tail, every waiting request's timeout, as one
			// choice (deferTimeouts). Never asleep: the order that would
			// cover it, the timeouts first, ends the group's other steps.
			tailed = true
			out = append(out, choice{cmd: core.Command{Kind: core.CmdTimeout, Request: p.ID}, op: -1, to: p.Coordinator,
				tail: true, extra: uint8(len(s.pendBuf) - 1)})
		}
		if s.cfg.Mode == core.Sloppy && i >= 0 && st.half&(1<<i) == 0 {
			out = append(out, choice{cmd: core.Command{Kind: core.CmdTimeout, Request: p.ID, Param: "half"}, op: -1,
				to: p.Coordinator, sl: timeoutSleeper(i, true, p.Coordinator)})
		}
	}
	if s.full {
		out = s.networkFaults(st, held, out)
	}
	// Otherwise drops and partitions add nothing to a property of the
	// history (faultsSubsumed), and the lost write's wait for the end
	// (losses).
	for n := 0; n < s.nodes; n++ {
		id := core.NodeID(n)
		switch {
		case !c.NodeUp(id):
			if !s.faultsSubsumed() { // else taken with a step on id (restartBeforeStep)
				out = append(out, choice{cmd: core.Command{Kind: core.CmdRestart, Node: id}, op: -1, to: id})
			}
		case st.crashes < s.sc.Budget.Crashes && s.crashMatters(st, id):
			out = append(out, choice{cmd: core.Command{Kind: core.CmdCrash, Node: id}, op: -1, to: id})
		}
	}
	if s.faultsSubsumed() {
		for _, ch := range out[:issues] {
			switch n := ch.cmd.Node; {
			case !c.NodeUp(n):
				ch.pre = preRestart
				out = append(out, ch)
			case st.crashes < s.sc.Budget.Crashes && s.waitingAt(n) == 0:
				ch.pre = preCrash
				out = append(out, ch)
			}
		}
	}
	if s.stepsWait() {
		out = s.withReplicaSteps(st, held, out)
	}
	s.choiceBuf = out
	return out
}

// withReplicaSteps adds to a state's choices (out, which has none of a
// replica's steps) those that may be taken now (stepsWait): every request
// to a replica that is not inert, but a straggler only to a node where a
// read may be taken. Right after a replica's step, the choices are only
// the steps at its node that may depend on it (a replica's step of the
// other kind, a crash, and the local steps that write there after a read,
// or read there after a write: dependent), a replica's step there of the
// same kind where one of those may close the run, and the delivery of the
// reply it sent (not in a run); unless there are none of those: then, in
// a run, none (it cannot be closed), and otherwise every step.
func (s *Search) withReplicaSteps(st *state, held []core.HeldStep, out []choice) []choice {
	readers, again := readersIn(out, held)
	offered := func(m core.HeldStep) bool {
		return replicaStep(m.Kind) && !m.Inert && !(m.Straggler && readers&(1<<m.To) == 0)
	}
	// add adds the replica's steps offered (to node only, if not NoNode;
	// there, reads only if reads, writes only if writes); with their
	// replies (answersFollow) if follow.
	var afterRead, afterWrite uint64
	deps, all := false, out // the state's choices but the replica's steps
	add := func(out []choice, only core.NodeID, reads, writes, follow bool) []choice {
		block := only != core.NoNode // following up one just taken
		follow = follow && s.talliesWait()
		if follow && !deps {
			afterRead, afterWrite, deps = dependents(all, held)
		}
		for _, m := range held {
			if !offered(m) || only != core.NoNode && (m.To != only || !reads && m.Kind == core.MsgGetReq || !writes && m.Kind != core.MsgGetReq) {
				continue
			}
			// Never asleep, nor anything after it (sleepAfter). To a node
			// that is down, taken with its restart (restartBeforeStep).
			ch := choice{cmd: core.Command{Kind: core.CmdDeliver, Msg: m.ID}, op: -1, to: m.To, from: m.From, kind: m.Kind, replica: true, block: block}
			up := st.c.NodeUp(m.To)
			if !up {
				ch.pre = preRestart
			}
			after := afterWrite
			if m.Kind == core.MsgGetReq {
				after = afterRead
			}
			if follow && up && after&(1<<m.To) == 0 {
				// Nothing there may depend on it (answersFollow).
				if s.leftFor(m) >= 2 {
					continue // a tally's: only in its quorum's completion
				}
				ch.replica, ch.thenReply = false, true
			}
			out = append(out, ch)
		}
		return out
	}
	if f := st.after; f.node != 0 {
		n := core.NodeID(f.node - 1)
		kept := s.keptBuf[:0]
		closes := false // a step there that depends on every replica's step of its kind
		for _, ch := range out {
			// A crash there too: after it the step could not be taken (a
			// replica that is down takes no request). (No scenario of the
			// tests reaches a history only through a replica's step just
			// before its node's crash; offering it costs a few states, a
			// fifth of a percent of the four in turn with a crash.)
			crash := ch.cmd.Kind == core.CmdCrash && ch.to == n
			l, ok := local(ch)
			dep := ok && l == n && dependent(f.read, ch) || crash || quorumDepends(ch, n, f.read)
			reply := f.reply != 0 && !f.open && ch.sl.delivery && ch.sl.digest == f.reply
			if (dep || reply) && dependsOnAll(ch, f.others, f.othersRead) {
				closes = closes || dep
				kept = append(kept, ch)
			}
		}
		for _, m := range held {
			// (A straggler closes a run of reads only if a read may still
			// follow once the run's next is taken: offered.)
			closes = closes || offered(m) && m.To == n && (m.Kind == core.MsgGetReq) != f.read &&
				!(m.Straggler && again&(1<<n) == 0)
		}
		// The replica's steps there of the other kind depend on it; those
		// of its kind do not, and come next only in a run that a step
		// depending on both closes (followUp.open).
		// (Of the other kind, with its reply if nothing depends on it,
		// unless a block waits: answersFollow.)
		kept = add(kept, n, !f.read, f.read, f.others == 0)
		if closes {
			kept = add(kept, n, f.read, !f.read, false)
		}
		if len(kept) == 0 && !f.open && !f.tally && f.others == 0 {
			return add(out, core.NoNode, true, true, true) // nothing depends on it
		}
		if s.talliesWait() {
			kept = s.widen(st, held, out, kept, offered)
		}
		s.keptBuf = kept
		return append(out[:0], kept...) // none: a run that no step can close
	}
	return add(out, core.NoNode, true, true, true)
}

// dependent reports whether a step local to a replica's node (local) may
// depend on the replica's step just taken there, a read (a get's request)
// or a write: a write there after a read, a read there after a write. A
// get issued there reads its node's store and writes nothing there; a
// get's reply delivered there reads none of it (its read repair may write
// it: a merge, alike in either order with another write); a put issued
// there writes its version there, and reads the node's counter, which a
// write moves on; a sloppy half-timeout may do either.
func dependent(read bool, ch choice) bool {
	switch {
	case ch.cmd.Kind == core.CmdGet:
		return !read
	case ch.cmd.Kind == core.CmdDeliver && ch.kind == core.MsgGetResp:
		return read
	}
	return true
}

// replicaStep reports whether a message is a request to a replica: a
// read (a get's) or a write (a put's, a read repair's).
func replicaStep(k core.MsgKind) bool {
	return k == core.MsgGetReq || k == core.MsgPutReq || k == core.MsgRepair
}

// local reports whether a choice that is not a replica's step may yet
// read or write a replica's store, and at which node: its own, through a
// request it sends itself, delivered at once. An operation issued there
// (the coordinator as one of its replicas), a sloppy half-timeout there
// (which may ask its own node to stand in), a get's reply delivered there
// (its read repair may write the coordinator's own store).
func local(ch choice) (core.NodeID, bool) {
	switch {
	case ch.cmd.Kind == core.CmdGet || ch.cmd.Kind == core.CmdPut:
		return ch.cmd.Node, true
	case ch.cmd.Kind == core.CmdTimeout && ch.cmd.Param == "half",
		ch.cmd.Kind == core.CmdDeliver && ch.kind == core.MsgGetResp:
		return ch.to, true
	}
	return 0, false
}

// groupReturned reports whether every operation before op's group returned.
func (s *Search) groupReturned(st *state, op int) bool {
	for i := 0; i < op; i++ {
		if s.groupEnd[i] > op {
			break // op's own group
		}
		if !st.c.Returned(st.reqs[i]) {
			return false
		}
	}
	return true
}

// groupIssued reports whether every operation of op's group was issued.
func (s *Search) groupIssued(st *state, op int) bool {
	for i := s.groupStart[op]; i < s.groupEnd[op]; i++ {
		if st.reqs[i] == 0 {
			return false
		}
	}
	return true
}

// deferTimeouts reports whether timeouts wait for the end of their group.
//
// For a property of the history, when an operation times out changes
// nothing the properties read: they read only the puts acknowledged and
// the gets answered (a failed get is left out, a failed put may take
// effect at any time after it began: core.HistoryViolations,
// check.ForSearch), and a failure's time only orders it against what
// begins after it, which for a failed operation no property reads. And a
// request that timed out is as one that waits while its coordinator hears
// nothing more of it: the replies and acks that come after are ignored,
// its requests to replicas answer nothing (core.Cluster.Inert), while its
// writes already sent still land. So a schedule with a timeout before a
// step of another kind, in the timeout's group, gives the history, as the
// properties read it, of the same schedule with the timeout moved to just
// before the group's end (holding what would have reached the request
// meanwhile), and no longer: the timeouts of a group are tried only once
// each of its operations was issued, and then all at once, as one choice
// (the group's tail: every waiting request's timeout, in the order of
// their ids; failures in either order are one history to the properties),
// after which the group has ended. That cuts the states where a failed
// operation's messages interleave with everything else. A crash that
// fails a waiting request is a step of its own (crashMatters). In the last
// group, whose tail ends the schedule in a state told by its history
// alone, the tail is not offered again after a step that answered no
// client (state.tailed): the history it would end in was met already, a
// step sooner.
// (The lost write settles the nodes, and the full search tries all.
// Where the tick is part of the state, under last-write-wins or truncated
// clocks, moving a timeout moves the ticks of the steps after it, and with
// them the timestamps of the writes they issue: not there either.)
func (s *Search) deferTimeouts() bool {
	return !s.full && !s.timed && s.sc.Property != core.PropLost
}

// stepsWait reports whether a replica's steps wait for what they are for.
//
// A replica's step is the delivery of a request to a replica: a read (a
// get's request: it answers with what the replica holds) or a write (a
// put's request, a read repair: it merges what it carries into the store,
// and acknowledges). It changes the replica's store (a write) and sends
// one reply; nothing else. So, in a schedule, it can be moved later past
// every step but those that depend on it: under vector clocks writes to
// a store merge alike in either order and reads change nothing, so only a
// read of the same store depends on a write there, and only a write on a
// read there (the replica's steps of the other kind, and the steps at its
// node that may read or write their own node's store at once, local: an
// operation issued there, a sloppy half-timeout there, a get's reply
// there, whose read repair may write the coordinator's own replica; of
// these a get issued there only reads, and a get's reply there only
// writes: dependent), and the delivery of the reply it sent. The steps in between are taken alike: none of them reads or
// writes what it does, a step it would have made dead or inert (a write
// it supersedes, a late reply it seals) is only offered more, not less,
// before it, and a request that stops waiting meanwhile (answered, timed
// out) makes the step a straggler (below) or dead. Moved so, each replica's
// step ends just before one that depends on it, in a run of such steps at
// its node, or is left out, held, when none follows: the same history, as
// the properties read it, and no longer schedule. So the search takes a
// replica's step only as the step just before another at its node that
// may depend on it or the delivery of its reply (state.after): after one,
// the choices are only the steps at its node that depend on it (the
// replica's steps of the other kind among them) and that reply. Replica's
// steps of its kind there depend on it no more than on their own: they
// come next only where a step that depends on both may follow, in a run
// of them that must end just before such a step, so the reply of a step
// in such a run does not come next (followUp.open). A straggler, a write whose
// request's client has its answer (core.HeldStep.Straggler; its ack is
// inert), is offered only where a read may follow it. Such steps never
// sleep and nothing sleeps after them: the coordinators' steps (replies,
// acks, timeouts) and the issues, offered as before, are all that sleep
// sets see. With crashes, a crash of its node is such a step too: a
// replica that is down takes no request, so moved past the crash the step
// would be lost instead (or, if the node restarts, taken after, with the
// restart: a replica's step to a node that is down is offered so,
// restartBeforeStep). Not where the tick is part of the state, nor for
// the lost write, which settles the nodes; and with renamings a
// state right after a replica's step is told by its own digest (the node
// the next step must be on has no name up to them). Where tallies wait
// (talliesWait), a replica's step whose reply is a tally is followed only
// by a step that depends on it, and several of them, at several nodes,
// may come in a block just before a quorum's completion that depends on
// them all (widen).
func (s *Search) stepsWait() bool { return s.late && !s.full }

func (s *Search) opOf(st *state, id core.RequestID) int {
	for i, r := range st.reqs[:len(s.ops)] {
		if r == id {
			return i
		}
	}
	return -1
}
