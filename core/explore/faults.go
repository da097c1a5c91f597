package explore

import (
	"math/bits"
	"slices"

	"github.com/ringlab/ringlab/core"
)

// crashMatters reports whether a crash of node n alone, as a step of its
// own, can give a history, or a schedule to it as short, that no other
// choice gives (s.pendBuf holds st's pending requests). For a property of
// the history (faultsSubsumed) only when n coordinates requests whose
// clients wait (the crash fails them): two or more (their timeouts would
// take a step each), or one while an operation not yet issued may still be
// issued at n (the crash makes it fail at once there, one step sooner than
// the timeout and then a crash with the issue). A crash that fails one
// request, with no operation left that may go to n, gives the history of
// that request's timeout, in as many steps: what n would have done after a
// timeout (repairs from late replies) or been sent can be held instead.
// The crash that makes a later operation issued at n fail at once is taken
// with that issue (crashBeforeIssue). Any other crash can go, with its
// restart, holding instead every message the schedule delivered to n while
// it was down (lost there) or after it came back to a request the crash
// had made it forget (ignored there): n's storage, hints, dot counters and
// view are the same either way (the background mechanisms do not run
// during the search), every other step is taken alike, and the history is
// the same, one step shorter. So a shortest counterexample never needs
// another crash. Sleep sets stay sound: whether it matters changes only by
// steps on n and by issues, and a crash never sleeps, while the deliveries
// and timeouts that do sleep, on other nodes, leave it as it was.
func (s *Search) crashMatters(st *state, n core.NodeID) bool {
	if s.full || !s.faultsSubsumed() {
		return true
	}
	switch waiting := s.waitingAt(n); {
	case waiting >= 2:
		return true
	case waiting == 0:
		return false
	}
	for i, op := range s.ops {
		if st.reqs[i] == 0 && (op.Node == core.NoNode || op.Node == n) {
			return true
		}
	}
	return false
}

// crashesSpent reports whether st is told as if its crash budget were
// spent: for a property of the history, once every operation was issued
// and no node coordinates two requests whose clients wait, no crash is
// ever a choice again (crashMatters: a crash alone only at a node with two
// waiting, or one while an operation may still be issued there; and
// crashBeforeIssue only with an issue), whatever the budget left, since
// waiting requests only end and nothing more is issued. A state that has
// a crash left is then the same to the search as one that used it, and
// the two are one state: a schedule whose crash failed a request early
// meets, in the next group, the schedules where it timed out instead.
func (s *Search) crashesSpent(st *state) bool {
	switch {
	case st.crashes >= s.sc.Budget.Crashes:
		return true
	case !s.faultsSubsumed():
		return false
	}
	for _, r := range st.reqs[:len(s.ops)] {
		if r == 0 {
			return false
		}
	}
	var coordinating uint64
	s.spentBuf = st.c.AppendPending(s.spentBuf[:0])
	for _, p := range s.spentBuf {
		if coordinating&(1<<p.Coordinator) != 0 {
			return false
		}
		coordinating |= 1 << p.Coordinator
	}
	return true
}

// waitingAt is how many of s.pendBuf, the requests whose clients wait,
// node n coordinates.
func (s *Search) waitingAt(n core.NodeID) int {
	k := 0
	for _, p := range s.pendBuf {
		if p.Coordinator == n {
			k++
		}
	}
	return k
}

// Choices of two steps.
//
// crashBeforeIssue: for a property of the history, a crash of a node n that
// coordinates no request whose client waits is tried only as one choice
// with an operation issued at n, just before it (the operation fails at
// once, having written nothing). A schedule with such a crash elsewhere
// gives the history of one with the crash moved there, no longer: until
// the first operation issued at n after it, n answers no client, so (as in
// crashMatters) what n would have lost or ignored can be held instead and
// the steps between are taken alike; if n restarts before any operation is
// issued there, or none is, the crash can go (crashMatters).
//
// restartBeforeStep: likewise a node that is down is restarted only as one
// choice with a step on it, just before it: a delivery to it or an
// operation issued there. Nothing else reads whether a node is up (a
// message is lost, or not, when it is delivered; the other nodes' views
// change only by gossip, which does not run during the search), so a
// restart moves to just before the next step on its node, and one with
// none after it can go.
//
// Moving a step keeps the schedule's length, so such a choice counts two
// steps: the state it leads to waits a level before it is met
// (Search.later), and the search stays breadth first. Nothing is asleep in
// it, and it never sleeps (so sleep sets stay sound, doing less).
// TestReductionsReachEveryHistory compares the final histories, and the
// shortest schedules to them, with the search without reductions.

// faultsSubsumed reports whether lost messages (drops, and the cross-cut
// deliveries a partition turns into losses) can be left out of the search
// without changing its answer. For a property of the history (every one but
// the lost write) they can: a message the schedule never delivers is held
// to the end, and to the history a message held to the end is the same as
// one lost, while one held may still be delivered later. So any schedule
// with a drop or a partition gives the same history as a shorter one
// without them, in which the messages lost stay held, and a shortest
// counterexample never contains one. The lost-write property is different:
// it settles the cluster, which delivers what is still held; its losses
// wait for the end instead (losses).
func (s *Search) faultsSubsumed() bool {
	return !s.full && s.sc.Property != core.PropLost
}

// A loss is a way to lose messages still in flight after the last return
// (the lost-write property): the steps that lose them, taken from the
// terminal state t.
type loss struct {
	t     *state
	steps []core.Command
}

// losses lists every way to lose what is in flight in t, a state where
// every operation returned, within the budget of drops and partitions left:
// each set of messages lost once, by its fewest steps. The search settles
// t after each (check) as it does t itself.
//
// Losing a message changes nothing a node sees, so it can wait: in scripted
// mode a partition's only effect is that deliveries across its cut become
// losses (core decides partitions at delivery), and until the schedule's
// end (the last return) a message lost is the same to every node, request
// and timer as one held. Any schedule with drops and partitions therefore
// reaches, with the same steps and as many of them, the state of one that
// holds the messages it lost and loses them after the last return: drops
// there, and each partition started then with the same cut, its losses,
// and its heal. So the search leaves faults out until the last return, and
// then tries every set of held messages they could lose. And since losses
// leave the nodes as they were, many of those states settle alike
// (Search.settled).
func (s *Search) losses(t *state) []loss {
	if s.sc.Property != core.PropLost || s.full {
		return nil
	}
	held := t.c.Held()
	if !s.full {
		// Losing an inert message is the same as holding it.
		held = slices.DeleteFunc(held, func(m core.Message) bool { return t.c.Inert(m.ID) })
	}
	if len(held) > 64 {
		panic("explore: more than 64 messages in flight") // scripts are a handful of operations
	}
	// The sets reachable, by the messages lost (a bit per held message)
	// and the partitions used: the fewest steps, and how.
	type key struct {
		lost  uint64
		parts int
	}
	type way struct {
		from  key
		steps []core.Command // from from to here
		cost  int            // steps from t to here
	}
	best := map[key]way{{}: {}}
	order := []key{{}} // the keys in the order first reached
	// add records a way to reach to from from, unless one as short is
	// known. Each stage extends only keys of the stage before, whose
	// costs are final by then.
	add := func(from, to key, steps []core.Command) {
		w, seen := best[to]
		if !seen {
			order = append(order, to)
		}
		if c := best[from].cost + len(steps); !seen || c < w.cost {
			best[to] = way{from: from, steps: steps, cost: c}
		}
	}
	// Drops first, then each partition: a drop loses one message in one
	// step, a partition any of those crossing its cut, in a step each
	// besides its start (and the heal of the one before it).
	for d := 0; d < s.sc.Budget.Drops-t.drops; d++ {
		for _, k := range slices.Clone(order) {
			if k.parts != 0 || bits.OnesCount64(k.lost) != d {
				continue
			}
			for i, m := range held {
				if k.lost&(1<<i) == 0 {
					add(k, key{lost: k.lost | 1<<i}, []core.Command{{Kind: core.CmdDrop, Msg: m.ID}})
				}
			}
		}
	}
	splits := s.splits()
	for p := 0; p < s.sc.Budget.Partitions-t.parts; p++ {
		for _, k := range slices.Clone(order) {
			if k.parts != p {
				continue
			}
			for _, sp := range splits {
				var cross []int
				for i, m := range held {
					if k.lost&(1<<i) == 0 && (sp.side>>m.From)&1 != (sp.side>>m.To)&1 {
						cross = append(cross, i)
					}
				}
				for sub := uint64(1); sub < 1<<len(cross); sub++ {
					var steps []core.Command
					if k.parts > 0 {
						steps = append(steps, core.Command{Kind: core.CmdHeal})
					}
					steps = append(steps, core.Command{Kind: core.CmdPartition, Groups: sp.groups})
					lost := k.lost
					for j, i := range cross {
						if sub&(1<<j) != 0 {
							lost |= 1 << i
							steps = append(steps, core.Command{Kind: core.CmdDeliver, Msg: held[i].ID})
						}
					}
					add(k, key{lost: lost, parts: k.parts + 1}, steps)
				}
			}
		}
	}
	// One way per set lost, the shortest (the first found among equals).
	chosen := map[uint64]key{}
	for _, k := range order[1:] {
		if c, ok := chosen[k.lost]; !ok || best[k].cost < best[c].cost {
			chosen[k.lost] = k
		}
	}
	var out []loss
	for _, k := range order[1:] {
		if chosen[k.lost] != k {
			continue
		}
		var chain [][]core.Command
		for x := k; x != (key{}); x = best[x].from {
			chain = append(chain, best[x].steps)
		}
		slices.Reverse(chain)
		out = append(out, loss{t: t, steps: slices.Concat(chain...)})
	}
	return out
}

// split is a partition into two sides: side has a bit per node on n0's.
type split struct {
	side   uint64
	groups [][]core.NodeID
}

// splits lists every split of the nodes into two sides, n0's side named by
// the other nodes it holds.
func (s *Search) splits() []split {
	if s.splitList != nil {
		return s.splitList
	}
	var out []split
	for mask := 0; mask < 1<<(s.nodes-1)-1; mask++ {
		a := []core.NodeID{0}
		var b []core.NodeID
		for n := 1; n < s.nodes; n++ {
			if mask&(1<<(n-1)) != 0 {
				a = append(a, core.NodeID(n))
			} else {
				b = append(b, core.NodeID(n))
			}
		}
		out = append(out, split{side: uint64(mask)<<1 | 1, groups: [][]core.NodeID{a, b}})
	}
	s.splitList = out
	return out
}

// networkFaults appends every drop, partition and heal possible in st: the
// search without reductions (full), which tests compare with.
func (s *Search) networkFaults(st *state, held []core.HeldStep, out []choice) []choice {
	if st.drops < s.sc.Budget.Drops {
		for _, m := range held {
			out = append(out, choice{cmd: core.Command{Kind: core.CmdDrop, Msg: m.ID}, op: -1})
		}
	}
	if _, cut := st.c.PartitionSide(); cut {
		out = append(out, choice{cmd: core.Command{Kind: core.CmdHeal}, op: -1})
	} else if st.parts < s.sc.Budget.Partitions {
		for i, split := range s.splits() {
			out = append(out, choice{cmd: core.Command{Kind: core.CmdPartition, Groups: split.groups}, op: -1, split: i})
		}
	}
	return out
}

// check settles the terminal state after a loss (losses); a lost write
// found waits until no shorter schedule can be (Step).
func (s *Search) check(l loss) {
	c := l.t.c.Clone()
	for _, cmd := range l.steps {
		c.Tick()
		if _, err := c.Apply(cmd); err != nil {
			panic("explore: a loss was refused: " + err.Error()) // losses are built valid
		}
	}
	s.report.States++
	s.report.Steps += len(l.steps)
	key := c.SettleHash()
	as, seen := s.settled[key]
	if !seen {
		s.report.DistinctStates++
		as.why, as.op = s.settle(c)
		s.settled[key] = as
	}
	if as.why != "" && (s.waiting == nil || l.t.depth+len(l.steps) < steps(s.waiting)) {
		s.waiting = s.counterexample(l.t, l.steps, as.why, as.op)
	}
	if s.report.DistinctStates >= s.bounds.MaxStates {
		s.cut("states")
	}
}

// settleLost settles c and says which acknowledged write it lost, or "",
// and the put that wrote it: its index in the history (-1 if none).
func (s *Search) settleLost(c *core.Cluster) (why string, op int) {
	rep := c.Settle(s.sc.SettleTicks)
	if rep.LostWrites == 0 {
		return "", -1
	}
	op = -1
	for _, lw := range c.LostWriteOps() {
		if lw.Name == rep.Lost[0] {
			op = lw.Op
			break
		}
	}
	return "lost write after settling: " + rep.Lost[0], op
}
