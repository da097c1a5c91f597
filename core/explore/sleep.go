package explore

import (
	"encoding/binary"
	"slices"

	"github.com/cespare/xxhash/v2"
	"github.com/ringlab/ringlab/core"
)

// Sleep sets.
//
// Deliveries to different nodes commute: delivered in either order, two
// messages leave the same state (each changes only its destination, what it
// sends is held, and two answers in either order leave the history the same
// to the state hash, which keeps the order of invocations against returns
// only). So do a request's timeout and a step on a node other than its
// coordinator, and a crash or a restart and a step on another node (a
// crash fails the requests its node coordinates: answers like any other),
// and a client's operation issued at a node and a delivery to another that
// answers no client (a request, a replica's write).
// Deduplication already meets both orders in one state; sleep sets spare
// the search generating it twice. When a state's steps are tried in order,
// each delivery or timeout tried is "asleep" in the states that the later,
// independent steps lead to: from there, taking it reaches a state the
// earlier order reaches too, with as many steps (Godefroid's sleep sets;
// the states are the same, fewer are generated). A sleeping step stays
// asleep along steps independent of it and wakes at the first that is not
// (a step on its node, or an issue where it may answer a client).
//
// Two things keep that sound here, with states deduplicated breadth first:
//
//   - A state met again on its level keeps only what was asleep on every way
//     there (meet); met renamed, nothing (its sleep set names other
//     messages). So a step asleep in a state was taken, on each way to it,
//     from a state one level up whose step to this one it commutes with;
//     and the state it led to was expanded without that step asleep, or on
//     an earlier level.
//   - The order that covers a sleeping step must not stop short: a state
//     where every operation returned is not expanded, nor is one past the
//     depth bound. A step that may answer the last client (awake) is never
//     left asleep, so the covering state, which holds an answer fewer, is
//     expanded; and covering orders have the same length.
//
// A step may leave a delivery to another node dead (core.Cluster.Inert),
// and so not offered: a step on a request's coordinator (a reply, a
// timeout, a crash) its requests, and a step on a replica (a write) a
// get's reply from it, once it holds the answer. A request delivered dead
// changes nothing, so the state that order would reach is the one the step
// alone reaches, met already, one step shorter. A reply delivered dead
// still tells its coordinator who answered, and a restart taken with a
// delivery (restartBeforeStep) is no choice once the delivery is dead: so
// a step on the sender of such a delivery does not stay asleep along it
// (independent), and the order that takes the step first covers the other.
//
// TestSleepSetsVisitEveryState compares the states and their depths with
// and without sleep sets; TestStepsJudgedIndependentCommute tries both
// orders of the steps judged independent on random runs.

// sleepAfter is the sleep set of the state that choice ch leads to from st:
// what was asleep in st, and what was tried from st before ch, that ch
// commutes with.
func (s *Search) sleepAfter(st *state, ch choice) []sleeper {
	if !s.por || s.full {
		return nil
	}
	if ch.cmd.Kind == core.CmdTimeout && ch.cmd.Param == "" && s.deferTimeouts() {
		return nil // the group ended with it (deferTimeouts)
	}
	if ch.replica || ch.thenReply {
		return nil // a step that follows it up comes next (stepsWait)
	}
	if len(s.arena) > cap(s.arena)-len(st.sleep)-len(s.done) {
		s.arena = make([]sleeper, 0, max(1024, len(st.sleep)+len(s.done)))
	}
	out := s.arena[len(s.arena):len(s.arena)]
	add := func(x sleeper) {
		if !independent(x, ch) {
			return
		}
		for _, y := range out {
			if y.digest == x.digest {
				return
			}
		}
		out = append(out, x)
	}
	for _, x := range st.sleep {
		add(x)
	}
	for _, x := range s.done {
		add(x)
	}
	if len(out) == 0 {
		return nil
	}
	out = slices.Clip(out) // what follows in the block is another's
	s.arena = s.arena[:len(s.arena)+len(out)]
	return out
}

// independent reports whether the sleeping step x commutes with choice ch:
// ch is a delivery, a timeout, a crash or a restart, on another node; or a
// client's operation issued at another node, when x is a delivery that
// answers no client (an answer and an invocation in either order are
// another history; a sloppy half-timeout was seen not to commute with it).
func independent(x sleeper, ch choice) bool {
	switch ch.cmd.Kind {
	case core.CmdDeliver:
		// A step on the node that sent ch's message may leave the message
		// dead (core.Cluster.Inert): a request, once its coordinator is
		// done; a get's reply, once its replica holds the answer. Delivered
		// dead, a request changes nothing, but a reply still tells its
		// coordinator who answered, and a restart taken first
		// (restartBeforeStep) is no choice without its delivery: then the
		// other order does not cover this one.
		return x.to != ch.to && (x.to != ch.from || ch.pre == preNone && ch.kind != core.MsgGetResp)
	case core.CmdTimeout, core.CmdCrash, core.CmdRestart:
		return x.to != ch.to
	case core.CmdPut, core.CmdGet:
		return x.delivery && !x.ends && x.to != ch.cmd.Node
	}
	return false
}

// meet narrows the sleep set of p, a state of the next level met again by
// choice ch from st, to what is asleep on both ways there.
func (s *Search) meet(p *state, st *state, ch choice) {
	if p == nil || len(p.sleep) == 0 {
		return
	}
	other := s.sleepAfter(st, ch)
	kept := p.sleep[:0]
	for _, x := range p.sleep {
		for _, y := range other {
			if y.digest == x.digest {
				kept = append(kept, x)
				break
			}
		}
	}
	p.sleep = kept
}

// awake leaves out of chs the deliveries asleep in st, but those that may
// answer the last operation still waiting, which could end the schedule
// (see the comment above).
func (s *Search) awake(st *state, chs []choice) []choice {
	if len(st.sleep) == 0 {
		return chs
	}
	last := len(s.ops)-st.returned <= 1
	out := chs[:0]
	for _, ch := range chs {
		if ch.sl.digest != 0 && !(last && ch.sl.ends) && asleep(st.sleep, ch.sl.digest) {
			continue
		}
		out = append(out, ch)
	}
	return out
}

func asleep(sleep []sleeper, digest uint64) bool {
	for _, x := range sleep {
		if x.digest == digest {
			return true
		}
	}
	return false
}

// timeoutSleeper names, in sleep sets, the timeout of script operation op
// (its half-timeout when half), whose coordinator is coord: by the
// operation, since its request's id may differ between two ways to one
// state. A request that is no script operation's is not named (never
// asleep).
func timeoutSleeper(op int, half bool, coord core.NodeID) sleeper {
	if op < 0 {
		return sleeper{}
	}
	var buf [16]byte // on the stack: choices names every timeout this way
	b := binary.LittleEndian.AppendUint64(append(buf[:0], "timeout"...), uint64(op))
	if half {
		b = append(b, 'h')
	}
	return sleeper{digest: xxhash.Sum64(b) | 1, to: coord, ends: !half}
}

// sleeper is a delivery or a timeout as a sleep set names it (sleep.go): a
// delivery by the message's content (core.HeldStep.Digest), which is the
// same in every state that holds it, whatever ids the messages got on the
// way there; a timeout by its operation (timeoutSleeper). A zero digest:
// never asleep.
type sleeper struct {
	digest uint64
	to     core.NodeID
	// ends: the step may answer a client (a put's ack, a get's reply, a
	// repair's ack, a timeout), and so may end the schedule.
	ends     bool
	delivery bool
}

// deliverySleeper names held message m in sleep sets.
func deliverySleeper(m core.HeldStep) sleeper {
	ends := m.Kind == core.MsgPutAck || m.Kind == core.MsgGetResp || m.Kind == core.MsgRepairAck
	return sleeper{digest: m.Digest, to: m.To, ends: ends, delivery: true}
}
