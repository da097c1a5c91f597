package lab

import (
	"strconv"
	"testing"
	"time"

	"github.com/ringlab/ringlab/core"
)

// bigLab is a lab on the sandbox with 64 nodes x 256 virtual nodes holding
// keysWanted keys (each on N=3 replicas), settled, with a light client
// workload running on them: the size issue 3 asks to stay fluid.
func bigLab(tb testing.TB, keysWanted int) *Lab {
	tb.Helper()
	l, err := New([]Chapter{newRingChapter()}, measure, Options{Seed: 3})
	if err != nil {
		tb.Fatal(err)
	}
	cfg := core.DefaultConfig()
	cfg.Nodes, cfg.VNodes = 64, 256
	cfg.Seed = 3
	cfg.Workload = core.Workload{Clients: 4, Keys: keysWanted, PutFraction: 0.5, ThinkTicksMax: 8, KeyPrefix: "k"}
	l.perform(action{kind: "config", config: cfg})
	// Write every key once through the command path (spread over
	// coordinators), then run until the writes have landed.
	for i := range keysWanted {
		cmd := core.Command{Kind: core.CmdPut, Node: core.NodeID(i % cfg.Nodes), Key: "k" + strconv.Itoa(i), Value: "v"}
		if _, err := l.tl.Apply(cmd); err != nil {
			tb.Fatal(err)
		}
		if i%500 == 499 {
			l.step(1)
			l.tl.Events()
		}
	}
	for range 200 {
		l.step(1)
		l.tl.Events()
	}
	l.dirty = true
	l.Update(idle(), desktop)
	if got := l.Chapter().(*ringChapter).ring.Keys; got != keysWanted {
		tb.Fatalf("the ring shows %d keys, want %d", got, keysWanted)
	}
	return l
}

// BenchmarkFrameBig is one lab frame (Update: input, the simulation at the
// default speed, the view, the chapter's picture and the whole shell) at
// 64 nodes x 256 virtual nodes and 10,000 keys. It reports the share of a
// 60 Hz frame's 16.7 ms budget, and the same for frames that advance a tick
// (at the default speed most frames only interpolate).
func BenchmarkFrameBig(b *testing.B) {
	l := bigLab(b, 10000)
	in := idle()
	const budget = time.Second / UpdatesPerSecond
	var worst time.Duration
	var ticking time.Duration
	ticks := 0
	for b.Loop() {
		before := l.tl.Now()
		start := time.Now()
		l.Update(in, desktop)
		d := time.Since(start)
		worst = max(worst, d)
		if l.tl.Now() != before {
			ticking += d
			ticks++
		}
	}
	per := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(per/float64(budget.Nanoseconds()), "budget/frame")
	if ticks > 0 {
		b.ReportMetric(float64(ticking.Nanoseconds())/float64(ticks)/float64(budget.Nanoseconds()), "budget/tickframe")
	}
	b.ReportMetric(float64(worst.Nanoseconds())/float64(budget.Nanoseconds()), "budget/worst")
}
