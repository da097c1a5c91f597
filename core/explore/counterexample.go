package explore

import (
	"slices"

	"github.com/ringlab/ringlab/core"
)

// violated checks the property in a new state; it returns why (or "") and
// the violating operation.
func (s *Search) violated(child *state) (string, int) {
	switch s.sc.Property {
	case core.PropLost:
		if child.returned < len(s.ops) {
			return "", -1
		}
		// Losses after the last return leave the nodes as they were, so
		// many of those states settle alike: each is settled once.
		key := child.c.SettleHash()
		as, ok := s.settled[key]
		if !ok {
			as.why, as.op = s.settle(child.c.Clone())
			s.settled[key] = as
		}
		return as.why, as.op
	}
	if !child.answered {
		return "", -1 // the history's results did not change
	}
	if s.sc.Property == core.PropLinearizable {
		h := child.c.History()
		if why := s.sc.Linearizable(h); why != "" {
			return "not linearizable: " + why, len(h) - 1
		}
		return "", -1
	}
	vs := child.c.Violations(s.sc.Property, s.sc.K)
	if len(vs) == 0 {
		return "", -1
	}
	return vs[0].Text, vs[0].Op
}

// found ends the search with the schedule to st, which breaks the
// property.
func (s *Search) found(st *state, why string, op int) {
	s.finish(s.counterexample(st, nil, why, op))
}

// counterexample is the schedule to st and then the steps after it: the
// moves to st replayed from the root, each step's command as taken.
func (s *Search) counterexample(st *state, after []core.Command, why string, op int) *Counterexample {
	var moves []move
	for i := st.at; s.trail[i].parent >= 0; i = s.trail[i].parent {
		moves = append(moves, s.trail[i].mv)
	}
	slices.Reverse(moves)
	var path []core.Command
	c := s.root.Clone()
	for _, mv := range moves {
		applyTold(c, s.choiceOf(mv), func(cmd core.Command) { path = append(path, cmd) })
	}
	path = append(path, after...)
	ce := &Counterexample{Config: s.cfg, Op: op, Violation: why, Tick: int64(len(path))}
	for _, n := range s.sc.Down {
		// Down from the start: at tick 0, before the first step.
		ce.Schedule = append(ce.Schedule, core.Recorded{Cmd: core.Command{Kind: core.CmdCrash, Node: n}})
	}
	for i, cmd := range path {
		ce.Schedule = append(ce.Schedule, core.Recorded{Tick: int64(i + 1), Cmd: cmd})
	}
	if s.sc.Property == core.PropLost {
		ce.Schedule = append(ce.Schedule, core.Recorded{Tick: ce.Tick, Cmd: core.Command{Kind: core.CmdSettle}})
		ce.Tick += s.sc.SettleTicks
	}
	return ce
}

func (s *Search) finish(ce *Counterexample) {
	s.report.Violated, s.report.Done = true, true
	s.report.Depth = steps(ce)
	s.report.Counterexample = ce
}

// steps is a counterexample's length in steps (Counterexample.Steps).
func steps(ce *Counterexample) int { return ce.Steps() }

// Steps is the counterexample's length in steps: its schedule but what
// stands before the first step (the nodes down from the start, at tick 0)
// and a lost write's settle.
func (ce *Counterexample) Steps() int {
	n := 0
	for _, r := range ce.Schedule {
		if r.Tick > 0 && r.Cmd.Kind != core.CmdSettle {
			n++
		}
	}
	return n
}
