package lab

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/ui"
	"github.com/ringlab/ringlab/runfmt"
)

// framed gives l a frame budget of asks Overrun calls (each after a few
// ticks) and returns an Update that starts a new frame: work spread across
// frames is then measured in frames, whatever the machine's speed.
func framed(l *Lab, asks int) func() {
	calls := 0
	l.Overrun = func() bool { calls++; return calls > asks }
	return func() {
		calls = 0
		l.Update(idle(), desktop)
	}
}

func TestRunCommandIsSpreadAcrossFrames(t *testing.T) {
	l := newLinkLab(t, Options{Seed: 2, Paused: true})
	frame := framed(l, 4)
	frame()
	command(t, l, `{"type":"run","value":1000000}`)
	command(t, l, `{"type":"seek","value":3}`) // waits for the run
	frame()
	s := state(t, l)
	if s.Job == nil || s.Job.Total != 1_000_000 || s.Job.Done <= 0 || s.Job.Done > 200 {
		t.Fatalf("after one frame: job %+v, tick %d; want a run command that advanced a frame's share", s.Job, s.Tick)
	}
	if s.Tick == 3 {
		t.Fatal("the seek queued after the run was applied before it")
	}
	before := s.Tick
	frame()
	if s := state(t, l); s.Tick <= before || s.Job == nil {
		t.Fatalf("second frame: tick %d (was %d), job %+v", s.Tick, before, s.Job)
	}
	// The run's events stream to the log frame by frame.
	if len(state(t, l).LogTail) == 0 {
		t.Error("no events logged while the run goes on")
	}
	// Cancel stops it where it got to, and the waiting seek then applies.
	command(t, l, `{"type":"cancel"}`)
	frame()
	s = state(t, l)
	if s.Job != nil || !strings.Contains(s.Notice, "stopped at tick") {
		t.Fatalf("after cancel: job %+v, notice %q", s.Job, s.Notice)
	}
	frame()
	if s := state(t, l); s.Tick != 3 {
		t.Errorf("the seek queued behind the run: tick %d, want 3", s.Tick)
	}
}

func TestJobBarOffersOnlyCancel(t *testing.T) {
	l := newLinkLab(t, Options{Seed: 2, Paused: true})
	frame := framed(l, 2)
	frame()
	command(t, l, `{"type":"run","value":100000}`)
	frame()
	l.mgr.Begin()
	l.addWidgets()
	var ids []string
	for _, w := range l.mgr.Widgets() {
		ids = append(ids, w.ID())
	}
	if strings.Join(ids, " ") != "job-cancel" {
		t.Fatalf("controls during a job: %v, want only job-cancel", ids)
	}
	// Esc cancels, as the button does.
	l.Overrun = func() bool { return true }
	l.Update(&ui.Input{MouseX: -1, MouseY: -1, Keys: []ui.Key{ui.KeyEscape}}, desktop)
	if s := state(t, l); s.Job != nil {
		t.Errorf("Esc left the job running: %+v", s.Job)
	}
}

// heavyLink is a link within the budget whose rebuild takes many frames.
func heavyLink(tick int64) string {
	return fmt.Sprintf("#v=1&chapter=sandbox&seed=5&nodes=12&gossip_every=1&tick=%d&paused=1", tick)
}

func TestLinkIsRebuiltAcrossFramesWhileTheRunStays(t *testing.T) {
	l := newLinkLab(t, Options{Seed: 9, Paused: true})
	frame := framed(l, 25)
	frame()
	command(t, l, `{"type":"run","value":40}`)
	for frame(); state(t, l).Job != nil; frame() {
	}
	before := state(t, l)
	if msg := l.LoadState(heavyLink(3000)); msg != "" {
		t.Fatal(msg)
	}
	command(t, l, `{"type":"knob","name":"w","value":1}`) // posted right after the load
	frame()
	s := state(t, l)
	if s.Job == nil || s.Job.Title != "Opening the link" || s.Job.Total != 3000 {
		t.Fatalf("after one frame: job %+v", s.Job)
	}
	if s.Digest != before.Digest || s.Tick != before.Tick || s.Seed != before.Seed {
		t.Fatalf("the run on screen changed while the link was rebuilt: tick %d seed %d", s.Tick, s.Seed)
	}
	frames := 1
	for ; state(t, l).Job != nil && frames < 2000; frames++ {
		frame()
	}
	s = state(t, l)
	if s.Tick != 3000 || s.Seed != 5 || s.Config.Nodes != 12 || frames < 10 {
		t.Fatalf("after %d frames: tick %d seed %d nodes %d", frames, s.Tick, s.Seed, s.Config.Nodes)
	}
	frame() // the knob command, which waited for the load (if it was not done inside the last frame)
	if w := l.tl.Cluster().Config().W; w != 1 {
		t.Errorf("the knob posted after the load applied to the old run: W=%d on the loaded one", w)
	}
	// The same link opened at once, with the lab, then the same knob,
	// gives the same run.
	o := newLinkLab(t, OptionsFromFragment(heavyLink(3000), Options{Seed: 1}))
	command(t, o, `{"type":"knob","name":"w","value":1}`)
	o.Update(idle(), desktop)
	if got, want := o.tl.Cluster().Digest(), l.tl.Cluster().Digest(); got != want {
		t.Errorf("rebuilt across frames: digest %s; at once: %s", want, got)
	}
}

func TestCancelledLinkLeavesTheRun(t *testing.T) {
	l := newLinkLab(t, Options{Seed: 9, Paused: true})
	frame := framed(l, 3)
	frame()
	command(t, l, `{"type":"run","value":40}`)
	for frame(); state(t, l).Job != nil; frame() {
	}
	before := state(t, l)
	if msg := l.LoadState(heavyLink(3000)); msg != "" {
		t.Fatal(msg)
	}
	frame()
	frame()
	command(t, l, `{"type":"cancel"}`)
	frame()
	s := state(t, l)
	if s.Job != nil || s.Digest != before.Digest || s.Seed != before.Seed || s.Tick != before.Tick {
		t.Fatalf("after cancel: job %+v, tick %d, seed %d", s.Job, s.Tick, s.Seed)
	}
	if !strings.Contains(s.Notice, "cancelled") || !strings.Contains(s.Notice, "unchanged") {
		t.Errorf("notice %q", s.Notice)
	}
}

// growingLink once froze the page for 22 s and then ran it out of memory.
func growingLink() string {
	var acts []string
	for i := range 24 {
		acts = append(acts, fmt.Sprintf("%d:join:weight=64", i))
	}
	return "#v=1&chapter=sandbox&nodes=1&vnodes=1024&n=1&w=1&r=1&a=" + strings.Join(acts, "~")
}

func TestHostileInputsAreRefusedAtOnce(t *testing.T) {
	l := busyLab(t)
	before := state(t, l)
	unchanged := func(what string) {
		t.Helper()
		if s := state(t, l); s.Digest != before.Digest || s.Tick != before.Tick || s.Job != nil {
			t.Errorf("%s: the run changed (tick %d) or a job started (%+v)", what, s.Tick, s.Job)
		}
	}
	// A link that grows the cluster by recorded joins.
	if msg := l.LoadState(growingLink()); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
	if s := state(t, l); !strings.Contains(s.Notice, "Link not opened") || !strings.Contains(s.Notice, "join") {
		t.Errorf("growing link: notice %q", s.Notice)
	}
	unchanged("growing link")
	// Configurations over the limits, by config and by knob.
	for _, c := range []string{`{"type":"config","value":{"nodes":4096,"vnodes":4096,"n":3,"w":2,"r":2}}`,
		`{"type":"config","value":{"nodes":128,"vnodes":1024,"n":3,"w":2,"r":2}}`} {
		if msg := l.Command(c); !strings.Contains(msg, "config:") {
			t.Errorf("%s: %q, want a refusal", c, msg)
		}
	}
	command(t, l, `{"type":"knob","name":"vnodes","value":1024}`)
	command(t, l, `{"type":"knob","name":"nodes","value":128}`)
	l.Update(idle(), desktop)
	l.Update(idle(), desktop)
	if s := state(t, l); !strings.Contains(s.Notice, "Setting refused") {
		t.Errorf("nodes=128 after vnodes=1024: notice %q", s.Notice)
	}
	// A node that does not exist, refused by the call itself.
	if msg := l.Command(`{"type":"core","cmd":{"kind":"crash","node":999}}`); !strings.Contains(msg, "n999 does not exist") {
		t.Errorf("crash n999: %q", msg)
	}
	// A replay too heavy to rebuild.
	heavy := fmt.Appendf(nil, `{"format":"ringlab-replay","version":2,"chapter":"sandbox","seed":1,"tick":100000,
"config":{"nodes":128,"vnodes":64,"n":3,"w":2,"r":2,"latency_min":1,"latency_max":2,"timeout":40,"gossip_every":1,
"suspect_after":40,"dead_after":120,"handoff_every":1,"antientropy_every":1,"merkle_depth":2,"seed":1,
"workload":{"clients":256,"keys":65536,"put_fraction":0.5,"key_prefix":"k"}},"actions":[]}`)
	if msg := l.LoadReplay(heavy); !strings.Contains(msg, "work units") {
		t.Errorf("heavy replay: %q", msg)
	}
}

func TestJoinsPastTheLimitsAreRefused(t *testing.T) {
	l := newLinkLab(t, Options{Seed: 3, Paused: true})
	l.Update(idle(), desktop)
	command(t, l, `{"type":"knob","name":"vnodes","value":1024}`)
	l.Update(idle(), desktop)
	refused := 0
	for i := range 40 {
		if msg := l.Command(`{"type":"core","cmd":{"kind":"join","weight":8}}`); msg != "" {
			t.Fatalf("join %d: %s", i, msg)
		}
		l.Update(idle(), desktop)
		if strings.Contains(state(t, l).Notice, "join refused") {
			refused++
			break
		}
	}
	if refused == 0 {
		t.Fatal("40 joins of weight 8 at 1024 virtual nodes were all taken")
	}
	// Whatever was taken reopens.
	link := l.Link()
	o := newLinkLab(t, OptionsFromFragment(link, Options{Seed: 1}))
	o.Update(idle(), desktop)
	for state(t, o).Job != nil {
		o.Update(idle(), desktop)
	}
	if got, want := o.tl.Cluster().Digest(), l.tl.Cluster().Digest(); got != want {
		t.Errorf("the run reopened from its link has digest %s, want %s (notice %q)", got, want, state(t, o).Notice)
	}
}

func TestLongRunSaysWhyItCannotBeShared(t *testing.T) {
	l := newLinkLab(t, Options{Seed: 3, Paused: true})
	// A budget of a few hundred ticks of this configuration, so that the
	// test need not run the millions the lab's own budget allows.
	l.limits.Budget = 100 * runfmt.ShapeOf(l.tl.Config()).WorkPerTick()
	l.Update(idle(), desktop)
	run(t, l, `{"type":"run","value":90}`)
	l.copyLink()
	if strings.Contains(l.notice, "not copied") {
		t.Fatalf("a run within the budget: notice %q", l.notice)
	}
	run(t, l, `{"type":"run","value":20}`)
	l.copyLink()
	if !strings.Contains(l.notice, "Link not copied") || !strings.Contains(l.notice, "too long to reopen") {
		t.Errorf("copy link of a run over the budget: notice %q", l.notice)
	}
	l.save(ExportReplay)
	if !strings.Contains(l.notice, "Replay not saved") {
		t.Errorf("save replay of a run over the budget: notice %q", l.notice)
	}
}

// FuzzWholeRuns feeds the lab whole runs: a link (with its actions), a replay file and a
// sequence of page commands, each frame's work bounded as in the browser.
// Whatever it accepts must leave it answering, end its jobs (or be
// cancelled), and whatever it records must reopen from its own link to the
// same run.
func FuzzWholeRuns(f *testing.F) {
	f.Add("#v=1&chapter=sandbox&seed=3&tick=40&a=5:put:node=n1:key=k:value=v~9:crash:node=n2", `{"type":"run","value":30}`+"\n"+`{"type":"core","cmd":{"kind":"join","weight":2}}`, "")
	f.Add(growingLink(), `{"type":"core","cmd":{"kind":"crash","node":999}}`, "")
	f.Add(heavyLink(400), `{"type":"knob","name":"nodes","value":3}`+"\n"+`{"type":"run","value":25}`, "")
	f.Add("#v=1&chapter=second&nodes=2&n=1&w=1&r=1", `{"type":"core","cmd":{"kind":"leave","node":1}}`+"\n"+`{"type":"rewind"}`+"\n"+`{"type":"run","value":10}`, "")
	f.Add("#v=1", `{"type":"config","value":{"nodes":6,"vnodes":8,"n":2,"w":1,"r":1}}`+"\n"+`{"type":"knob","name":"gossip_every","value":1}`+"\n"+`{"type":"run","value":100}`+"\n"+`{"type":"seek","value":20}`+"\n"+`{"type":"core","cmd":{"kind":"put","node":0,"key":"a","value":"b"}}`, "")
	f.Add("", `{"type":"run","value":10}`, `{"format":"ringlab-replay","version":2,"chapter":"sandbox","seed":3,"tick":60,"config":{"nodes":4,"vnodes":8,"n":3,"w":2,"r":2,"latency_min":1,"latency_max":3,"timeout":20,"gossip_every":5,"suspect_after":20,"dead_after":60,"handoff_every":10,"antientropy_every":50,"merkle_depth":3,"seed":3},"actions":[{"tick":5,"cmd":{"kind":"put","node":1,"key":"a","value":"x"}},{"tick":9,"cmd":{"kind":"join","weight":2}},{"tick":20,"cmd":{"kind":"crash","node":4}}]}`)
	f.Fuzz(func(t *testing.T, fragment, commands, replay string) {
		if len(fragment) > 4096 || len(commands) > 4096 || len(replay) > 8192 {
			return
		}
		l := newLinkLab(t, Options{Seed: 1, Paused: true})
		l.limits.Budget = 2e5 // a fraction of a second of work per input
		frame := framed(l, 8)
		frame()
		l.LoadState(fragment)
		if replay != "" {
			l.LoadReplay([]byte(replay))
		}
		for _, c := range strings.Split(commands, "\n") {
			l.Command(c)
		}
		for i := 0; ; i++ {
			frame()
			if state(t, l).Job == nil && len(l.queue) == 0 {
				break
			}
			if i == 300 {
				l.cancelJob()
			}
			if i > 400 {
				t.Fatalf("the lab is still busy after %d frames: %+v", i, state(t, l).Job)
			}
		}
		if l.reopenable() != nil {
			return // the lab says so before sharing it
		}
		link := l.Link()
		o := newLinkLab(t, OptionsFromFragment(link, Options{Seed: 1}))
		for i := 0; state(t, o).Job != nil && i < 400; i++ {
			o.Update(idle(), desktop)
		}
		if got, want := o.tl.Cluster().Digest(), l.tl.Cluster().Digest(); got != want || o.tl.Now() != l.tl.Now() {
			t.Errorf("the lab's own link %s reopens at tick %d with digest %s; the lab is at tick %d with %s (notice %q)",
				link, o.tl.Now(), got, l.tl.Now(), want, state(t, o).Notice)
		}
	})
}

// A heavy configuration asks whether the frame's time is spent after every
// tick, a light one every few ticks.
func TestOverrunIsAskedOftenerForHeavyTicks(t *testing.T) {
	light := core.DefaultConfig()
	heavy := light
	heavy.Nodes, heavy.VNodes = 128, 64
	heavy.GossipIntervalTicks, heavy.AntiEntropyIntervalTicks, heavy.HandoffIntervalTicks = 1, 1, 1
	if got := overrunEvery(light); got != overrunEveryTicks {
		t.Errorf("defaults: every %d ticks, want %d", got, overrunEveryTicks)
	}
	if got := overrunEvery(heavy); got != 1 {
		t.Errorf("128 nodes with every timer at 1 tick: every %d ticks, want every tick", got)
	}
}
