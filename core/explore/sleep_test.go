package explore

import (
	"math/rand/v2"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// A searchCase is a scenario the tests of several reductions search.
type searchCase struct {
	name   string
	cfg    core.Config
	script string
	prop   core.Property
	budget Budget
}

// sleepCases are scenarios with no violation, whose spaces are searched
// whole: with and without sleep sets, the same states must be met.
func sleepCases() []searchCase {
	strict := smallConfig()
	strict.Nodes, strict.W, strict.R = 3, 2, 2
	strict4 := smallConfig()
	strict4.W, strict4.R = 2, 2
	sloppy := strict4
	sloppy.Mode = core.Sloppy
	sloppy.W, sloppy.R = 1, 1
	noRepair := strict
	noRepair.ReadRepair = false
	skewed := strict4
	skewed.SkewTicks = []int64{0, 0, 5}
	return []searchCase{
		{"strict, two writers then a read", strict, "c1: put k v1 | c2: put k v2 ; c1: get k", core.PropStale, Budget{}},
		{"strict, a crash", strict, "c1: put k v1 ; c2: get k", core.PropStale, Budget{Crashes: 1}},
		{"four nodes, a writer and a reader at once", strict4, "c1: put k v1 | c2: get k", core.PropStale, Budget{}},
		{"four nodes, skewed (no renamings)", skewed, "c1: put k v1 | c2: put k v2", core.PropSiblings, Budget{}},
		{"sloppy, pinned", sloppy, "c1@n0: put k v1 | c2@n1: put k v2 ; c3@n2: get k", core.PropSiblings, Budget{}},
		{"without read repair, two reads", noRepair, "c1: put k v1 ; c2: get k | c3: get k", core.PropStale, Budget{}},
		{"lost write, a partition", strict, "c1: put k v1 | c2: put k v2", core.PropLost, Budget{Partitions: 1}},
		{"lost write, a crash", strict4, "c1@n1: put k v1 | c2@n2: put k v2", core.PropLost, Budget{Crashes: 1}},
		{"four nodes, a crash", strict4, "c1: put k v1 | c2: get k", core.PropStale, Budget{Crashes: 1}},
		{"sloppy, two crashes", sloppy, "c1@n0: put k v1 ; c2@n1: get k", core.PropSiblings, Budget{Crashes: 2}},
	}
}

// Sleep sets only spare generating a state again: every distinct state of
// the search without them is met, at the same depth, and the answers agree.
func TestSleepSetsVisitEveryState(t *testing.T) {
	cases := sleepCases()
	if testing.Short() {
		cases = cases[:2]
	}
	for _, tc := range cases {
		sc := Scenario{Config: tc.cfg, Script: mustScript(t, tc.script), Property: tc.prop, Budget: tc.budget, K: 5}
		run := func(por bool) (Report, map[uint64]int) {
			s, err := New(sc, Bounds{MaxStates: 300_000})
			if err != nil {
				t.Fatal(err)
			}
			s.por = s.por && por
			seen := map[uint64]int{}
			s.onNew = func(h uint64, depth int) { seen[h] = depth }
			return s.Run(), seen
		}
		r, with := run(true)
		f, without := run(false)
		t.Logf("%s: %d states generated with sleep sets, %d without; %d distinct", tc.name, r.States, f.States, f.DistinctStates)
		if !f.Exhausted || f.Violated {
			t.Fatalf("%s: want a safe space searched whole: %+v", tc.name, f)
		}
		if r.Exhausted != f.Exhausted || r.Violated != f.Violated || r.DistinctStates != f.DistinctStates || r.Depth != f.Depth {
			t.Errorf("%s: with sleep sets %+v, without %+v", tc.name, r, f)
		}
		missed := 0
		for h, d := range without {
			if dw, ok := with[h]; !ok || dw != d {
				missed++
			}
		}
		if missed > 0 || len(with) != len(without) {
			t.Errorf("%s: %d of %d states missed or met at another depth with sleep sets (%d met)", tc.name, missed, len(without), len(with))
		}
		if r.States > f.States {
			t.Errorf("%s: sleep sets generated more states (%d) than none (%d)", tc.name, r.States, f.States)
		}
	}
}

// The steps that sleep sets take to commute do: on random runs, for each
// pair of choices a, b that independent says commute, b can still be taken
// after a and a after b, and the two orders reach the same state; or b is
// a delivery that a left dead, and a taken after b reaches where b taken
// after a all the same would: the order that covers the other.
func TestStepsJudgedIndependentCommute(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	pairs, dead := 0, 0
	for _, tc := range sleepCases() {
		sc := Scenario{Config: tc.cfg, Script: mustScript(t, tc.script), Property: tc.prop, Budget: tc.budget, K: 5}
		walkRuns(t, sc, 12, 30, rng, func(s *Search, st *state, chs []choice) {
			for _, a := range chs {
				for _, b := range chs {
					if b.sl.digest == 0 || b.sl == a.sl || !independent(b.sl, a) {
						continue
					}
					if a.cmd.Kind == core.CmdTimeout && a.cmd.Param == "" && s.deferTimeouts() || a.replica || a.members != 0 || a.thenReply {
						continue // nothing sleeps after it (sleepAfter)
					}
					pairs++
					ab, ok1 := s.takeBoth(st, a, b)
					ba, ok2 := s.takeBoth(st, b, a)
					if !ok1 && !ok2 {
						t.Fatalf("%s: %v and %v each leave the other dead", tc.name, a.cmd, b.cmd)
					}
					if !ok1 {
						ab = s.takeDead(t, tc.name, st, a, b)
						dead++
					}
					if !ok2 {
						ba = s.takeDead(t, tc.name, st, b, a)
						dead++
					}
					if ab != ba {
						t.Fatalf("%s: %v then %v and the other order differ", tc.name, a.cmd, b.cmd)
					}
				}
			}
		})
	}
	if pairs < 1000 {
		t.Fatalf("only %d pairs tried", pairs)
	}
	t.Logf("%d pairs, %d of them a delivery left dead by the other step", pairs, dead)
}

// takeDead is for a choice b that is no choice after a: b must be a
// delivery that a left dead (core.Cluster.Inert: a step on a request's
// coordinator may, or on the replica of a get's reply), and it returns the
// search's digest after a then b taken all the same (a reply still tells
// its coordinator who answered), for the other order to be compared with.
func (s *Search) takeDead(t *testing.T, name string, st *state, a, b choice) uint64 {
	t.Helper()
	var mid, end state
	s.step(st, a, &mid)
	if b.cmd.Kind != core.CmdDeliver || !mid.c.Inert(b.cmd.Msg) {
		t.Fatalf("%s: %v is no choice after %v", name, b.cmd, a.cmd)
	}
	b.pre = preNone // the delivery alone (to a node that is down: lost)
	s.step(&mid, b, &end)
	return s.hash(&end)
}

// takeBoth takes choice a from st, then the choice of the result that is b
// (the same sleeper, or for a crash, a restart or an issue the same
// command, with a crash before it or not), and
// returns the search's digest of where it ends.
func (s *Search) takeBoth(st *state, a, b choice) (uint64, bool) {
	var mid, end state
	s.step(st, a, &mid)
	for _, c := range s.choices(&mid) {
		if (b.sl.digest != 0 && c.sl == b.sl) || (b.sl.digest == 0 && c.sl.digest == 0 && c.cmd.Kind == b.cmd.Kind && c.cmd.Node == b.cmd.Node && c.op == b.op && c.pre == b.pre) {
			s.step(&mid, c, &end)
			return s.hash(&end), true
		}
	}
	return 0, false
}

// For a property of the history a timeout waits for its group
// (deferTimeouts): on random runs, no timeout is offered while an
// operation of its group is still to be issued, and then the timeouts of
// every waiting request come as one choice, the group's tail, after which
// the group has ended; the lost write, settled, is offered every timeout
// alone, at once.
func TestTimeoutsWaitForTheirGroup(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	tails, early := 0, 0
	for _, tc := range sleepCases() {
		sc := Scenario{Config: tc.cfg, Script: mustScript(t, tc.script), Property: tc.prop, Budget: tc.budget, K: 5}
		s, err := New(sc, Bounds{})
		if err != nil {
			t.Fatal(err)
		}
		deferred := s.deferTimeouts()
		for walk := 0; walk < 20; walk++ {
			st := s.level[0]
			for depth := 0; depth < 40 && st.returned < len(s.ops); depth++ {
				chs := append([]choice(nil), s.choices(st)...)
				if len(chs) == 0 {
					break
				}
				for _, ch := range chs {
					timeout := ch.cmd.Kind == core.CmdTimeout && ch.cmd.Param == ""
					switch {
					case timeout && deferred != ch.tail:
						t.Fatalf("%s: a timeout offered alone (%v) where they wait for their group (%v)", tc.name, !ch.tail, deferred)
					case timeout && deferred && !s.groupIssued(st, s.opOf(st, ch.cmd.Request)):
						t.Fatalf("%s: a timeout offered before its group was issued", tc.name)
					case timeout && !s.groupIssued(st, s.opOf(st, ch.cmd.Request)):
						early++ // the lost write: any time
					case ch.tail:
						tails++
						var end state
						s.step(st, ch, &end)
						if p := end.c.Pending(); len(p) > 0 || end.depth != st.depth+len(st.c.Pending()) {
							t.Fatalf("%s: the group's tail left %d requests waiting, in %d steps", tc.name, len(p), end.depth-st.depth)
						}
					}
				}
				var next state
				s.step(st, chs[rng.IntN(len(chs))], &next)
				st = &next
			}
		}
	}
	if tails == 0 || early == 0 {
		t.Errorf("%d group's tails offered, %d timeouts offered early (the lost write): want some of each", tails, early)
	}
}

// In the last group the tail is not offered again after a step that
// answered no client (state.tailed): its history was met a step sooner. A
// search offering it after every step meets the same distinct states and
// the same histories, each first at the same depth, trying more states.
// (Both expand the states whose every end was met, which would spare most
// of the tails offered again: endsMet.)
func TestTheLastTailIsOfferedOnce(t *testing.T) {
	fewer := 0
	for _, tc := range sleepCases() {
		sc := Scenario{Config: tc.cfg, Script: mustScript(t, tc.script), Property: tc.prop, Budget: tc.budget, K: 5}
		run := func(again bool) (Report, map[uint64]int) {
			s, err := New(sc, Bounds{MaxStates: 300_000})
			if err != nil {
				t.Fatal(err)
			}
			s.tailAgain, s.foreseeOff = again, true
			seen := map[uint64]int{}
			s.onNew = func(h uint64, depth int) { seen[h] = depth }
			return s.Run(), seen
		}
		once, a := run(false)
		again, b := run(true)
		if once.DistinctStates != again.DistinctStates || once.Violated != again.Violated || once.Depth != again.Depth || once.Exhausted != again.Exhausted {
			t.Errorf("%s: offered once %+v, again %+v", tc.name, once, again)
		}
		for h, d := range b {
			if a[h] != d {
				t.Fatalf("%s: a state or history met at depth %d offering the tail again, at %d (0: never) offering it once", tc.name, d, a[h])
			}
		}
		if once.States > again.States {
			t.Errorf("%s: %d states tried offering the tail once, %d offering it again", tc.name, once.States, again.States)
		}
		if once.States < again.States {
			fewer++
		}
		t.Logf("%s: %d states tried offering the tail once, %d offering it again", tc.name, once.States, again.States)
	}
	if fewer < 3 {
		t.Errorf("%d scenarios tried fewer states offering the tail once: want 3 or more", fewer)
	}
}
