package lab

import (
	"testing"
	"time"

	"github.com/ringlab/ringlab/core"
)

func testConfig() core.Config {
	cfg := core.DefaultConfig()
	cfg.Seed = 7
	cfg.Workload = core.Workload{Clients: 2, Keys: 10, PutFraction: 0.5, ThinkTicksMax: 6, KeyPrefix: "k"}
	return cfg
}

func mustTimeline(t *testing.T, cfg core.Config) *Timeline {
	t.Helper()
	tl, err := NewTimeline(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// upTo is the part of a record at or before tick.
func upTo(rec []core.Recorded, tick int64) []core.Recorded {
	n := 0
	for n < len(rec) && rec[n].Tick <= tick {
		n++
	}
	return rec[:n]
}

func steps(tl *Timeline, n int) {
	for range n {
		tl.Step()
	}
}

// script applies a few user actions at fixed ticks while advancing to end.
func script(t *testing.T, tl *Timeline, end int64) {
	t.Helper()
	acts := []core.Recorded{
		{Tick: 5, Cmd: core.Command{Kind: core.CmdPut, Node: 0, Key: "cart:1", Value: "a"}},
		{Tick: 5, Cmd: core.Command{Kind: core.CmdGet, Node: 1, Key: "cart:1"}},
		{Tick: 90, Cmd: core.Command{Kind: core.CmdCrash, Node: 2}},
		{Tick: 150, Cmd: core.Command{Kind: core.CmdPut, Node: 3, Key: "cart:1", Value: "b"}},
		{Tick: 260, Cmd: core.Command{Kind: core.CmdRestart, Node: 2}},
	}
	for _, a := range acts {
		for tl.Now() < a.Tick {
			tl.Step()
		}
		if _, err := tl.Apply(a.Cmd); err != nil {
			t.Fatalf("apply %s at %d: %v", a.Cmd.Kind, a.Tick, err)
		}
	}
	for tl.Now() < end {
		tl.Step()
	}
}

func TestScrubBackThenForwardGivesTheSameDigest(t *testing.T) {
	tl := mustTimeline(t, testConfig())
	script(t, tl, 400)
	want := tl.Cluster().Digest()
	for _, back := range []int64{0, 1, 5, 63, 64, 65, 91, 150, 399} {
		if err := tl.GoTo(back); err != nil {
			t.Fatalf("back to %d: %v", back, err)
		}
		if tl.Now() != back {
			t.Fatalf("back to %d: now %d", back, tl.Now())
		}
		ref, err := core.Replay(tl.Config(), upTo(tl.Recorded(), back), back)
		if err != nil {
			t.Fatal(err)
		}
		if got := tl.Cluster().Digest(); got != ref.Digest() {
			t.Errorf("at tick %d after scrubbing back: digest %s, core.Replay says %s", back, got, ref.Digest())
		}
		if err := tl.GoTo(400); err != nil {
			t.Fatalf("forward from %d: %v", back, err)
		}
		if got := tl.Cluster().Digest(); got != want {
			t.Errorf("back to %d then forward to 400: digest %s, want %s", back, got, want)
		}
	}
}

func TestPlayingForwardAfterScrubReplaysRecordedCommands(t *testing.T) {
	tl := mustTimeline(t, testConfig())
	script(t, tl, 300)
	want := tl.Cluster().Digest()
	if err := tl.GoTo(40); err != nil {
		t.Fatal(err)
	}
	steps(tl, 260) // play, not jump: the crash at 90 and the rest come back
	if got := tl.Cluster().Digest(); got != want {
		t.Errorf("replaying by steps from 40 to 300: digest %s, want %s", got, want)
	}
	if len(tl.Recorded()) != 5 {
		t.Errorf("recorded %d commands, want the 5 of the script", len(tl.Recorded()))
	}
}

func TestActingInThePastForks(t *testing.T) {
	tl := mustTimeline(t, testConfig())
	script(t, tl, 300)
	if err := tl.GoTo(100); err != nil {
		t.Fatal(err)
	}
	if _, err := tl.Apply(core.Command{Kind: core.CmdCrash, Node: 4}); err != nil {
		t.Fatal(err)
	}
	if tl.Head() != 100 {
		t.Errorf("after forking at 100, head %d, want 100", tl.Head())
	}
	rec := tl.Recorded()
	// Kept: the three commands up to tick 100 (two at 5, crash n2 at 90),
	// then the new crash of n4; dropped: the put at 150 and the restart at 260.
	if len(rec) != 4 || rec[3].Tick != 100 || rec[3].Cmd.Node != 4 {
		t.Fatalf("recorded after fork: %+v", rec)
	}
	if err := tl.GoTo(200); err == nil {
		t.Error("the dropped future must no longer be reachable")
	}
	steps(tl, 100)
	ref, err := core.Replay(tl.Config(), tl.Recorded(), 200)
	if err != nil {
		t.Fatal(err)
	}
	if tl.Cluster().Digest() != ref.Digest() {
		t.Error("the forked run differs from a replay of its own record")
	}
}

func TestRejectedCommandInThePastDoesNotFork(t *testing.T) {
	tl := mustTimeline(t, testConfig())
	script(t, tl, 300)
	if err := tl.GoTo(100); err != nil {
		t.Fatal(err)
	}
	if _, err := tl.Apply(core.Command{Kind: core.CmdCrash, Node: 999}); err == nil {
		t.Fatal("crashing a node that does not exist must fail")
	}
	if tl.Head() != 300 || len(tl.Recorded()) != 5 {
		t.Errorf("a rejected command forked the run: head %d, %d recorded", tl.Head(), len(tl.Recorded()))
	}
}

func TestCheckpointsStayBounded(t *testing.T) {
	cfg := testConfig()
	cfg.Workload = core.Workload{}
	tl := mustTimeline(t, cfg)
	tl.everyTks = 2 // many checkpoints without many ticks
	steps(tl, 2*tl.cpsMax*3)
	if len(tl.cps) > tl.cpsMax {
		t.Errorf("%d checkpoints, want at most %d", len(tl.cps), tl.cpsMax)
	}
	for i := 1; i < len(tl.cps); i++ {
		if tl.cps[i].tick <= tl.cps[i-1].tick {
			t.Fatalf("checkpoints out of order at %d: %d then %d", i, tl.cps[i-1].tick, tl.cps[i].tick)
		}
	}
	if tl.cps[0].tick != 0 {
		t.Errorf("first checkpoint at %d, want 0", tl.cps[0].tick)
	}
}

func TestGoToOutsideTheRunFails(t *testing.T) {
	tl := mustTimeline(t, testConfig())
	steps(tl, 10)
	for _, tick := range []int64{-1, 11, 1 << 40} {
		if err := tl.GoTo(tick); err == nil {
			t.Errorf("GoTo(%d) with head 10 succeeded", tick)
		}
	}
}

// TestCheckpointMemoryBudget: small clusters keep the most checkpoints,
// the largest (64 nodes x 256 virtual nodes, about 28 MB a clone)
// keeps few enough that they fit the budget.
func TestCheckpointMemoryBudget(t *testing.T) {
	small := core.DefaultConfig()
	big := core.DefaultConfig()
	big.Nodes, big.VNodes = 64, 256
	if got := checkpointsFor(small); got != checkpointsMax {
		t.Errorf("default cluster keeps %d checkpoints, want %d", got, checkpointsMax)
	}
	got := checkpointsFor(big)
	if got < checkpointsMin || int64(got)*checkpointBytes(big) > checkpointBytesBudget {
		t.Errorf("64x256 cluster keeps %d checkpoints of ~%d MB: outside %d..budget %d MB",
			got, checkpointBytes(big)>>20, checkpointsMin, checkpointBytesBudget>>20)
	}
}

// TestEventsAcrossCheckpointsArriveOnceInOrder: the Timeline drains the
// live cluster before each checkpoint clone; Events must still hand every
// event over exactly once, in trace order, and checkpoints must hold none
// (or every scrub would copy them).
func TestEventsAcrossCheckpointsArriveOnceInOrder(t *testing.T) {
	tl := mustTimeline(t, testConfig())
	tl.everyTks = 3
	var seqs []uint64
	for range 40 {
		steps(tl, 7) // several checkpoints per batch of events
		for _, e := range tl.Events() {
			seqs = append(seqs, e.Seq)
		}
	}
	if len(seqs) == 0 {
		t.Fatal("no events in 280 ticks of workload")
	}
	for i, s := range seqs {
		if s != uint64(i+1) {
			t.Fatalf("event %d has seq %d: events lost, repeated or out of order", i, s)
		}
	}
	for _, cp := range tl.cps {
		if n := len(cp.c.Events()); n > 0 {
			t.Errorf("checkpoint at tick %d holds %d undrained events", cp.tick, n)
		}
	}
}

// TestScrubBackStartsEventsAfresh: after a rebuild, the replayed ticks are
// not news, and stepping on yields the events of the new ticks only.
func TestScrubBackStartsEventsAfresh(t *testing.T) {
	tl := mustTimeline(t, testConfig())
	steps(tl, 600)
	if err := tl.GoTo(300); err != nil {
		t.Fatal(err)
	}
	if evs := tl.Events(); len(evs) > 0 {
		t.Fatalf("GoTo(300) left %d replayed events (first at tick %d)", len(evs), evs[0].Tick)
	}
	steps(tl, 20)
	evs := tl.Events()
	if len(evs) == 0 {
		t.Fatal("no events in ticks 301..320 of a workload")
	}
	for _, e := range evs {
		if e.Tick <= 300 || e.Tick > 320 {
			t.Fatalf("event at tick %d after stepping 301..320", e.Tick)
		}
	}
}

// BenchmarkScrub measures going back to tick 3900 of a 4000-tick run
// against rebuilding that tick by replaying from tick 0, in one run, and
// reports their ratio (scrub/replay: lower is better; a scrub costs one
// Clone plus replaying less than a checkpoint spacing).
func BenchmarkScrub(b *testing.B) {
	cfg := testConfig()
	tl, err := NewTimeline(cfg)
	if err != nil {
		b.Fatal(err)
	}
	for range 4000 {
		tl.Step()
	}
	tl.Events()
	const target = 3900
	var scrub, replay time.Duration
	for b.Loop() {
		if err := tl.GoTo(tl.Head()); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := tl.GoTo(target); err != nil {
			b.Fatal(err)
		}
		scrub += time.Since(start)
		start = time.Now()
		if _, err := core.Replay(cfg, upTo(tl.Recorded(), target), target); err != nil {
			b.Fatal(err)
		}
		replay += time.Since(start)
	}
	b.ReportMetric(float64(scrub.Nanoseconds())/float64(b.N), "ns/scrub")
	b.ReportMetric(float64(replay.Nanoseconds())/float64(b.N), "ns/replay")
	b.ReportMetric(float64(scrub)/float64(replay), "scrub/replay")
	b.ReportMetric(float64(tl.everyTks), "ticks/checkpoint")
}
func BenchmarkGoToBack(b *testing.B) {
	cfg := testConfig()
	tl, err := NewTimeline(cfg)
	if err != nil {
		b.Fatal(err)
	}
	for range 2000 {
		tl.Step()
	}
	b.Run("from-checkpoint", func(b *testing.B) {
		for b.Loop() {
			_ = tl.GoTo(1000)
			_ = tl.GoTo(1990)
		}
	})
	b.Run("replay-from-zero", func(b *testing.B) {
		for b.Loop() {
			_, _ = core.Replay(cfg, upTo(tl.Recorded(), 1000), 1000)
		}
	})
}
