package explore

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// A replica's steps taken only just before a step that depends on them
// (stepsWait: a read or write of the same store, a crash of its node, or
// the delivery of the reply they sent) keep every final history, each
// first by a schedule of the same length, on scenarios where reads and
// writes of one store interleave (directed, concurrent writes and reads,
// and random ones, with crashes and without), and they cut states: the
// reduced search meets fewer with them than without, and takes them on
// its way. (TestReductionsReachEveryHistory, with crashes, fails if a
// replica's step to a node that is down is not offered with its restart.)
func TestWaitingStepsReachEveryHistory(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" {
		t.Skip("a search of a dozen scenarios three times")
	}
	strict := smallConfig()
	strict.Nodes = 3
	sloppy := smallConfig()
	sloppy.Nodes, sloppy.Mode = 4, core.Sloppy
	noRepair := strict
	noRepair.ReadRepair = false
	weak := strict
	weak.W, weak.R = 1, 1
	type scenario struct {
		name   string
		cfg    core.Config
		script string
		budget Budget
	}
	scenarios := []scenario{
		{"a write then a read", strict, "c1: put k v1 ; c2: get k", Budget{}},
		{"pinned, a write then two reads", strict, "c1@n0: put k v1 ; c2@n1: get k | c3@n2: get k", Budget{}},
		{"pinned, two writes then a read", strict, "c1@n0: put k v1 | c2@n1: put k v2 ; c3@n2: get k", Budget{}},
		{"W=1 R=1, writes in turn then a read", weak, "c1: put k v1 ; c2: put k v2 ; c1: get k", Budget{}},
		{"without read repair, a write then a read", noRepair, "c1: put k v1 ; c2: get k", Budget{}},
		{"sloppy, two writes then a read", sloppy, "c1@n0: put k v1 | c2@n1: put k v2 ; c3@n2: get k", Budget{}},
		{"a write and a read at once", strict, "c1@n0: put k v1 | c2@n1: get k", Budget{}},
		{"W=1 R=1, a write and a read at once", weak, "c1: put k v1 | c2: get k", Budget{}},
		{"without read repair, a write and two reads at once", noRepair, "c1@n0: put k v1 | c2@n1: get k | c3@n2: get k", Budget{}},
		{"sloppy, a write and a read at once", sloppy, "c1@n0: put k v1 | c2@n1: get k", Budget{}},
		// With crashes: a replica's step before its node's crash, or
		// taken with its restart.
		{"a crash, a write and a read at once", strict, "c1@n0: put k v1 | c2@n1: get k", Budget{Crashes: 1}},
		{"W=1 R=1, a crash, a write then reads", weak, "c1@n0: put k v1 ; c2@n1: get k | c3@n2: get k", Budget{Crashes: 1}},
		{"two crashes, a write and a read at once", strict, "c1@n0: put k v1 | c2@n2: get k", Budget{Crashes: 2}},
	}
	rng := rand.New(rand.NewPCG(13, 17))
	for len(scenarios) < 24 {
		sc, _, ok := randomCrashScenario(rng, core.PropSiblings)
		g := sc.Script.Groups
		if !ok || len(g) < 2 || g[0][0].Kind != core.OpPut || g[len(g)-1][0].Kind != core.OpGet {
			continue // a write that may straggle, and a read after it
		}
		name := fmt.Sprintf("%q, %v W=%d R=%d, read repair %v", sc.Script.String(), sc.Config.Mode, sc.Config.W, sc.Config.R, sc.Config.ReadRepair)
		budget := Budget{}
		if len(scenarios)%2 == 0 { // half of them with their crashes
			budget, name = sc.Budget, fmt.Sprintf("%s, %d crashes", name, sc.Budget.Crashes)
		}
		scenarios = append(scenarios, scenario{name, sc.Config, sc.Script.String(), budget})
	}
	searched, with, without, waiting := 0, 0, 0, 0
	for _, tc := range scenarios {
		sc := Scenario{Config: tc.cfg, Script: mustScript(t, tc.script), Property: core.PropSiblings, K: MaxOps, Budget: tc.budget}
		if _, ok := sameFinalHistories(t, sc, tc.name); !ok {
			continue
		}
		searched++
		for _, late := range []bool{true, false} {
			s, err := New(sc, Bounds{MaxStates: 150_000})
			if err != nil {
				t.Fatal(err)
			}
			if !s.late {
				t.Fatalf("%s: a replica's steps do not wait", tc.name)
			}
			s.late = late
			s.onNew = func(uint64, int) {
				if s.cur != nil && s.curAt > 0 && s.curChoices[s.curAt-1].replica {
					waiting++
				}
			}
			r := s.Run()
			if late {
				with += r.DistinctStates
			} else {
				without += r.DistinctStates
			}
		}
	}
	t.Logf("%d scenarios searched whole: %d distinct states with a replica's steps waiting, %d without; %d states right after one", searched, with, without, waiting)
	if searched < 16 || waiting == 0 || with >= without {
		t.Errorf("%d scenarios searched (want 16), %d states right after a replica's step, %d distinct states against %d without", searched, waiting, with, without)
	}
}

// Right after a replica's step at a node, the steps at that node that do
// not depend on it are not offered: after a read (a get's request), a get
// issued there (a read too); after a write, a get's reply delivered there
// (its read repair only writes). Each of them commutes with the replica's
// step, which it may be taken before instead (the cluster's digest is the
// same in either order, on random runs), while the steps there that do
// depend on it stay offered: a put issued there after a read, a get issued
// there after a write.
func TestAReplicasStepIsFollowedOnlyByWhatDependsOnIt(t *testing.T) {
	scripts := []string{
		"c1: put k v1 ; c2: get k | c3: get k",
		"c1: put k v1 | c2: get k ; c3: get k | c1: put k v2",
		"c1: get k | c2: put k v1 ; c1: put k v2 | c2: get k",
	}
	var left, kept [2]int // [0] after a read, [1] after a write
	walkScripts(t, scripts, 150, rand.New(rand.NewPCG(5, 9)), func(script string, s *Search, st *state, chs []choice) {
	replicaSteps:
		for _, r := range chs {
			if !r.replica || r.pre != preNone {
				continue
			}
			read := r.kind == core.MsgGetReq
			var after state
			s.step(st, r, &after)
			next := slices.Clone(s.choices(&after)) // (sameChoice below takes others)
			for _, y := range next {
				reply := y.cmd.Kind == core.CmdDeliver && !replicaStep(y.kind) && y.members == 0 && y.from == r.to && y.to == r.from
				if n, ok := local(y); y.to != r.to && !(ok && n == r.to) && !reply {
					continue replicaSteps // none follows it up: every step is offered
				}
			}
			i := 1
			if read {
				i = 0
			}
			for _, x := range chs {
				if n, ok := local(x); x.replica || x.pre != preNone || !ok || n != r.to {
					continue
				}
				offered := false
				for _, y := range next {
					offered = offered || y.cmd.Kind == x.cmd.Kind && y.cmd.Node == x.cmd.Node && y.op == x.op && y.sl == x.sl &&
						y.cmd.Msg == x.cmd.Msg && y.cmd.Request == x.cmd.Request && y.members == x.members && y.tail == x.tail
				}
				if dependent(read, x) {
					if x.cmd.Kind == core.CmdDeliver || x.cmd.Kind == core.CmdTimeout {
						continue // may be left dead, or asleep
					}
					if !offered {
						t.Fatalf("%s: %v after a replica's step at %v (read %v) is not offered", script, x.cmd, r.to, read)
					}
					kept[i]++
					continue
				}
				if offered {
					t.Fatalf("%s: %v offered right after a replica's step at %v that it does not depend on (read %v)", script, x.cmd, r.to, read)
				}
				left[i]++
				var a, b, ab, ba state
				s.step(st, r, &a)
				s.step(&a, x, &ab)
				s.step(st, x, &b)
				y, ok := s.sameChoice(&b, r)
				if !ok {
					t.Fatalf("%s: %v is no choice after %v", script, r.cmd, x.cmd)
				}
				y.replica, y.thenReply = true, false // the step alone
				s.step(&b, y, &ba)
				if ab.c.StateHash() != ba.c.StateHash() {
					t.Fatalf("%s: %v and %v differ in either order", script, r.cmd, x.cmd)
				}
			}
		}
	})
	t.Logf("after a read: %d gets issued left out, %d puts kept; after a write: %d replies left out, %d issues kept", left[0], kept[0], left[1], kept[1])
	if left[0] == 0 || left[1] == 0 || kept[0] == 0 || kept[1] == 0 {
		t.Errorf("left out %v, kept %v: want some of each", left, kept)
	}
}

// sameChoice is the choice of st that delivers the message r delivers (a
// replica's step), found by its message.
func (s *Search) sameChoice(st *state, r choice) (choice, bool) {
	for _, c := range s.choices(st) {
		if c.cmd.Kind == r.cmd.Kind && c.cmd.Msg == r.cmd.Msg {
			return c, true
		}
	}
	return choice{}, false
}

// Two replica's steps of one kind at one node (two reads, or two writes)
// do not depend on each other: the first comes right before the second
// only in a run that a step depending on both closes (a step there of the
// other kind, or a crash there), so after the second its reply is not
// offered, and every step offered is one at that node; and the second is
// offered after the first only where such a step may follow. On random
// runs, states right after such a pair are met. (A run may end with no
// step offered: the step that would have closed it is dead after it.)
func TestARunOfReplicasStepsOfOneKindWaitsToBeClosed(t *testing.T) {
	scripts := []string{
		"c1: put k v1 | c2: put k v2 ; c1: get k | c2: get k",
		"c1: put k v1 ; c2: get k | c3: get k | c1: put k v2",
		"c1: get k | c2: get k | c3: put k v1",
	}
	runs, pairs, readRuns := 0, 0, 0
	walkScripts(t, scripts, 60, rand.New(rand.NewPCG(21, 4)), func(script string, s *Search, st *state, chs []choice) {
		if st.after.node == 0 {
			return
		}
		n := core.NodeID(st.after.node) - 1
		closer := false
		for _, ch := range chs {
			l, ok := local(ch)
			// None follows it up (every step is offered), or one does.
			closer = closer || ch.to != n && !(ok && l == n) && !(ch.sl.delivery && ch.sl.digest == st.after.reply) ||
				(ch.replica || ch.thenReply) && ch.to == n && (ch.kind == core.MsgGetReq) != st.after.read ||
				ok && l == n && dependent(st.after.read, ch) || ch.cmd.Kind == core.CmdCrash && ch.to == n
		}
		for _, ch := range chs {
			if ch.replica && ch.to == n && (ch.kind == core.MsgGetReq) == st.after.read {
				if !closer {
					t.Fatalf("%s: %v offered after a replica's step of its kind at %v, with nothing to close the run", script, ch.cmd, n)
				}
				pairs++
				// A read leaves nothing dead: after a second one, what
				// closes the run is still offered (a straggler's write
				// only where a read may still follow).
				var next state
				s.step(st, ch, &next)
				if st.after.read && len(s.choices(&next)) == 0 {
					t.Fatalf("%s: a run of reads at %v that nothing closes", script, n)
				}
				readRuns++
			}
		}
		if st.after.open {
			runs++
			for _, ch := range chs {
				if l, ok := local(ch); ch.sl.delivery && ch.sl.digest == st.after.reply || !(ok && l == n || ch.to == n) {
					t.Fatalf("%s: %v offered in a run of replica's steps at %v", script, ch.cmd, n)
				}
			}
		}
	})
	t.Logf("%d states in a run of replica's steps of one kind, %d such steps offered (%d after a read)", runs, pairs, readRuns)
	if runs == 0 || pairs == 0 {
		t.Errorf("%d states in a run, %d steps of one kind offered after another: want some", runs, pairs)
	}
}

// walkScripts takes random runs of each script (three nodes, N=3 W=2 R=2
// strict), walks of them, each up to 40 steps (walkRuns).
func walkScripts(t *testing.T, scripts []string, walks int, rng *rand.Rand, visit func(script string, s *Search, st *state, chs []choice)) {
	t.Helper()
	cfg := smallConfig()
	cfg.Nodes, cfg.W, cfg.R = 3, 2, 2
	for _, script := range scripts {
		sc := Scenario{Config: cfg, Script: mustScript(t, script), Property: core.PropSiblings, K: MaxOps}
		walkRuns(t, sc, walks, 40, rng, func(s *Search, st *state, chs []choice) { visit(script, s, st, chs) })
	}
}

// walkRuns takes walks random runs of sc, each up to steps steps or its
// last answer, every step a random choice of the search's; visit sees
// each state on the way with its choices (a copy), before the step is
// taken.
func walkRuns(t *testing.T, sc Scenario, walks, steps int, rng *rand.Rand, visit func(s *Search, st *state, chs []choice)) {
	t.Helper()
	for range walks {
		s, err := New(sc, Bounds{})
		if err != nil {
			t.Fatal(err)
		}
		st := s.level[0]
		for depth := 0; depth < steps && st.returned < len(s.ops); depth++ {
			chs := append([]choice(nil), s.choices(st)...)
			if len(chs) == 0 {
				break
			}
			visit(s, st, chs)
			var next state
			s.step(st, chs[rng.IntN(len(chs))], &next)
			st = &next
		}
	}
}
