package explore

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// A node down from the start (Scenario.Down) is down in the first state:
// a put pinned to it, with no crash in the budget, can only be answered
// once the search restarts it. The shortest counterexample crashes it at
// tick 0, before its first step, restarts it, and replays to the
// violation; the narration says so and does not count the crash as a
// step. Without Down, the same script needs no restart.
func TestANodeDownFromTheStartMayRestart(t *testing.T) {
	cfg := smallConfig()
	cfg.W, cfg.R = 1, 1
	sc := Scenario{Config: cfg, Script: mustScript(t, "c1@n1: put k v1 ; c2: get k"), Property: core.PropStale}
	up := search(t, sc, Bounds{})
	sc.Down = []core.NodeID{1}
	down := search(t, sc, Bounds{})
	if !up.Violated || !down.Violated {
		t.Fatalf("want a stale read both ways: %+v, %+v", up, down)
	}
	kinds := func(ce *Counterexample) (out []core.CommandKind) {
		for _, r := range ce.Schedule {
			out = append(out, r.Cmd.Kind)
		}
		return out
	}
	ce := down.Counterexample
	first := ce.Schedule[0]
	if first.Tick != 0 || first.Cmd.Kind != core.CmdCrash || first.Cmd.Node != 1 {
		t.Errorf("the schedule starts with %+v, want n1's crash at tick 0", first)
	}
	if !slices.Contains(kinds(ce), core.CmdRestart) {
		t.Errorf("a put at n1 was answered without n1's restart: %v", kinds(ce))
	}
	if slices.Contains(kinds(up.Counterexample), core.CmdRestart) || slices.Contains(kinds(up.Counterexample), core.CmdCrash) {
		t.Errorf("with every node up, the schedule has a crash or a restart: %v", kinds(up.Counterexample))
	}
	if got, want := ce.Steps(), len(ce.Schedule)-1; got != want || down.Depth != want {
		t.Errorf("Steps() = %d, depth %d: want %d (the crash at tick 0 is not a step)", got, down.Depth, want)
	}
	if ce.Steps() <= up.Counterexample.Steps() {
		t.Errorf("a restart is a step more: %d steps down, %d up", ce.Steps(), up.Counterexample.Steps())
	}
	checkReplay(t, sc, down)
	lines, err := Narrate(ce)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(lines[0], "n1 is down from the start") || !strings.HasPrefix(lines[1], " 1. ") {
		t.Errorf("narration begins %q, %q", lines[0], lines[1])
	}
}

// A node down from the start is told apart from the nodes alike but up:
// with n1 down, only n2 and n3 (k's other replicas) are interchangeable.
func TestADownNodeIsNotInterchangeableWithUpOnes(t *testing.T) {
	cfg := smallConfig()
	sc := Scenario{Config: cfg, Script: mustScript(t, "c1: put k v1 ; c2: get k"), Property: core.PropStale}
	all := search(t, sc, Bounds{})
	sc.Down = []core.NodeID{1}
	down := search(t, sc, Bounds{})
	if all.Interchangeable != "{n1 n2 n3}" || down.Interchangeable != "{n2 n3}" {
		t.Errorf("interchangeable: all up %q, n1 down %q; want {n1 n2 n3} and {n2 n3}", all.Interchangeable, down.Interchangeable)
	}
	if !down.Exhausted || down.Violated {
		t.Errorf("W=2 R=2 strict with n1 down: %+v, want exhausted, no stale read", down)
	}
}

// Every reduction keeps the histories with nodes down from the start too
// (random small scenarios, as TestReductionsReachEveryHistory, some with
// an operation failed at once at a node that is down), each first by a
// schedule of the same length; but of a failed get, no property reads
// what returned before it began (it told its client nothing), and the
// reduced search may reach such a get begun before a reply came back only
// by a longer schedule than the full one: with n2 down, a read answered by
// n1, then n1's crash and a get that fails there before n1's reply
// arrives (the replica's step is followed by the steps at n1 that depend
// on it, stepsWait, and a get there does not). So of a failed get the
// histories compared keep no "returned before it began".
func TestReductionsReachEveryHistoryWithNodesDown(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" {
		t.Skip("a search of eight scenarios twice")
	}
	rng := rand.New(rand.NewPCG(13, 17))
	searched, failedAtOnce := 0, 0
	for tries := 0; searched < 8 && tries < 200; tries++ {
		sc, name, ok := randomCrashScenario(rng, core.PropSiblings)
		if !ok {
			continue
		}
		sc.Budget.Crashes = rng.IntN(2)
		sc.Down = []core.NodeID{core.NodeID(rng.IntN(sc.Config.Nodes))}
		name += ", " + sc.Down[0].String() + " down from the start"
		full, ok := sameFinalHistoriesReading(t, sc, name, func(_, b *core.Op) bool { return b.Kind != core.OpGet || b.OK })
		if !ok {
			continue
		}
		searched++
		for h := range full {
			if strings.Contains(h, "failed at once") {
				failedAtOnce++
			}
		}
	}
	if searched < 8 || failedAtOnce == 0 {
		t.Errorf("%d scenarios searched whole, %d histories with an operation failed at once: want 8, some", searched, failedAtOnce)
	}
}

// Bad Down lists say what is wrong.
func TestBadDownListsSayWhy(t *testing.T) {
	cfg := smallConfig()
	for _, tc := range []struct {
		down []core.NodeID
		want string
	}{
		{[]core.NodeID{4}, "down: n4 is not a node (the nodes are n0..n3)"},
		{[]core.NodeID{1, 2, 1}, "down: n1 is named twice"},
	} {
		sc := Scenario{Config: cfg, Script: mustScript(t, "c1: put k v1"), Property: core.PropStale, Down: tc.down}
		if _, err := New(sc, Bounds{}); err == nil || err.Error() != tc.want {
			t.Errorf("down %v: %v, want %q", tc.down, err, tc.want)
		}
	}
}
