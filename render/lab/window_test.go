package lab

import (
	"errors"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// windowLab is a sandbox lab whose retained window is small (256 KB, a few
// thousand ticks), played at top speed until the window has moved on from
// tick 0, then paused.
func windowLab(t *testing.T) *Lab {
	t.Helper()
	l, err := New([]Chapter{newRingChapter()}, measure, Options{Seed: 3, WindowBytes: 256 << 10, Speed: SpeedMax})
	if err != nil {
		t.Fatal(err)
	}
	for l.tl.Start() < 2000 {
		l.Update(idle(), desktop)
	}
	l.paused = true
	l.Update(idle(), desktop)
	return l
}

func TestWindowMovesOnAndTheClusterForgets(t *testing.T) {
	l := windowLab(t)
	st := l.tl.Trace().Stats()
	if st.Bytes > st.Budget {
		t.Errorf("window holds %d bytes, budget %d", st.Bytes, st.Budget)
	}
	// The cluster forgets whole chunks of operations: run on until the
	// window has passed a few.
	l.paused = false
	for l.tl.Cluster().HistoryForgotten() < 2*chunkOps {
		l.Update(idle(), desktop)
	}
	l.paused = true
	l.Update(idle(), desktop)
	st = l.tl.Trace().Stats()
	if got := l.tl.Cluster().HistoryFrom(); got == 0 || got > st.Start {
		t.Errorf("the live cluster's history starts at %d, the window at %d", got, st.Start)
	}
	for _, cp := range l.tl.cps[1:] {
		if cp.c.HistoryLen() > 2*chunkOps && cp.c.HistoryForgotten() == 0 {
			t.Errorf("checkpoint at tick %d keeps its whole history", cp.tick)
		}
	}
	m := l.StateNow().Memory
	if m.Start != st.Start || m.Events != st.Events || m.Ticks != st.End-st.Start+1 || m.HeapInUse == 0 || m.HeapLive == 0 {
		t.Errorf("state's memory %+v does not match the window %+v", m, st)
	}
}

// chunkOps is core's history chunk: a cluster forgets whole chunks.
const chunkOps = 1024

func TestScrubJustAfterTheWindowStart(t *testing.T) {
	l := windowLab(t)
	start := l.tl.Start()
	l.seek(start + 1)
	if l.tl.Now() != start+1 || l.notice != "" {
		t.Fatalf("seek to %d (window from %d): at %d, notice %q", start+1, start, l.tl.Now(), l.notice)
	}
	if evs := l.tl.Trace().Events(start, start+1); len(evs) == 0 {
		t.Error("no events kept for the window's first ticks")
	}
	l.seek(start)
	if l.tl.Now() != start || l.notice != "" {
		t.Fatalf("seek to the window's start %d: at %d, notice %q", start, l.tl.Now(), l.notice)
	}
}

func TestScrubJustBeforeTheWindowStartOffersAReplay(t *testing.T) {
	l := windowLab(t)
	head, digest := l.tl.Now(), l.tl.Cluster().Digest()
	start := l.tl.Start()
	l.seek(start - 1)
	if l.tl.Now() != start {
		t.Errorf("seek to %d, before the window's start %d: at %d, want the start", start-1, start, l.tl.Now())
	}
	if !strings.Contains(l.notice, "summarised") || l.noticeAct == nil {
		t.Fatalf("notice %q (action %v): want it to say the early part is summarised and offer a replay", l.notice, l.noticeAct)
	}
	if err := l.tl.GoTo(start - 1); err == nil {
		t.Error("Timeline.GoTo before the window's start succeeded")
	}
	// The offered replay, pressed as a user would.
	l.Update(idle(), desktop)
	if msg := l.Command(`{"type":"press","value":"notice-rewind"}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
	if l.tl.Now() != 0 || l.tl.Start() != 0 || !l.paused {
		t.Fatalf("after the replay: tick %d, window from %d, paused %v; want tick 0, paused", l.tl.Now(), l.tl.Start(), l.paused)
	}
	// Early ticks can be reached again, and the run is the same one.
	for l.tl.Now() < start-1 {
		l.tl.Step()
	}
	l.tl.Events()
	if l.tl.Start() > start-1 {
		t.Fatalf("after replaying to %d the window starts at %d", start-1, l.tl.Start())
	}
	for l.tl.Now() < head {
		l.tl.Step()
		l.tl.Events()
	}
	if got := l.tl.Cluster().Digest(); got != digest {
		t.Errorf("replayed to tick %d: digest %s, want %s", head, got, digest)
	}
}

func TestLongRunExportsNameTheirTicks(t *testing.T) {
	l := windowLab(t)
	f, err := l.Export(ExportEvents)
	if err != nil {
		t.Fatal(err)
	}
	if want := "-events-from-t"; !strings.Contains(f.Name, want) {
		t.Errorf("events file %q does not say where it starts", f.Name)
	}
	lines := strings.Count(string(f.Data), "\n")
	if st := l.tl.Trace().Stats(); lines < st.Events/2 || lines > st.Events+1 {
		t.Errorf("events file has %d lines, the window %d events", lines, st.Events)
	}
	h, err := l.Export(ExportHistory)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.Name, "-history-from-t") {
		t.Errorf("history file %q does not say where it starts", h.Name)
	}
}

func TestSpeedControlShowsTheAchievedRate(t *testing.T) {
	l, err := New([]Chapter{newRingChapter()}, measure, Options{Seed: 3, Speed: 200 * UpdatesPerSecond})
	if err != nil {
		t.Fatal(err)
	}
	// A frame's time runs out after 40 ticks.
	asked := 0
	l.Overrun = func() bool { asked++; return asked%(40/overrunEveryTicks) == 0 }
	for range 2 * UpdatesPerSecond {
		l.Update(idle(), desktop)
	}
	got := l.w.speed.Format(l.w.speed.Value)
	if !strings.Contains(got, "(runs 40)") {
		t.Errorf("speed control says %q; want the 40 ticks a frame achieved", got)
	}
	l.Overrun = nil
	for range 2 * UpdatesPerSecond {
		l.Update(idle(), desktop)
	}
	if got := l.w.speed.Format(l.w.speed.Value); strings.Contains(got, "runs") {
		t.Errorf("speed control says %q at full speed", got)
	}
}

// A run opened at a tick its window has already let go (a link whose
// actions run far past its tick) is replayed to that tick, with the later
// actions as its future.
func TestTimelineReplaysToATickBeforeItsWindow(t *testing.T) {
	cfg := newRingChapter().Preset(3).Config
	tl, err := NewTimeline(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tl.SetWindowBytes(256 << 10)
	tl.setQuiet(true)
	for tl.Now() < 6000 {
		tl.Step()
	}
	tl.setQuiet(false)
	if _, err := tl.Apply(core.Command{Kind: core.CmdCrash, Node: 1}); err != nil {
		t.Fatal(err)
	}
	digest := tl.Cluster().Digest()
	if tl.Start() < 1000 {
		t.Fatalf("the window starts at %d: too early for the test", tl.Start())
	}
	if err := tl.GoTo(500); !errors.Is(err, ErrSummarised) {
		t.Fatalf("GoTo(500) with the window from %d: %v, want ErrSummarised", tl.Start(), err)
	}
	tl.replayTo(500)
	if tl.Now() != 500 || tl.Start() > 500 {
		t.Fatalf("replayed to tick %d, window from %d", tl.Now(), tl.Start())
	}
	for tl.Now() < 6000 {
		tl.Step()
		tl.Events()
	}
	if tl.Cluster().Digest() != digest {
		t.Error("replayed to tick 6000, the digest differs: the crash recorded at 6000 was not replayed")
	}
}

// At top speed a frame brings tens of thousands of events: the log keeps
// the last logLinesMax of them, written out, and the page's feed the first.
func TestTopSpeedFrameLogsItsLastEvents(t *testing.T) {
	l, err := New([]Chapter{busyChapter{}}, measure, Options{Seed: 3, Speed: SpeedMax})
	if err != nil {
		t.Fatal(err)
	}
	l.Update(idle(), desktop)
	l.TakePageNews()
	l.feed, l.feedDropped = nil, 0
	l.Update(idle(), desktop)
	var shown []string
	for _, e := range l.events {
		if !noisy(e.Kind) {
			shown = append(shown, e.String())
		}
	}
	if len(shown) <= logLinesMax {
		t.Fatalf("only %d log lines in a top-speed frame", len(shown))
	}
	if len(l.log) != logLinesMax {
		t.Fatalf("log holds %d lines, want %d", len(l.log), logLinesMax)
	}
	for i, line := range l.log {
		if want := shown[len(shown)-logLinesMax+i]; line.text != want {
			t.Fatalf("log line %d is %q, want %q", i, line.text, want)
		}
	}
	if len(l.feed) == 0 || !strings.HasSuffix(l.feed[0], shown[0]) || len(l.feed)+l.feedDropped != len(shown) {
		t.Errorf("feed: %d lines + %d dropped for %d shown; first %q", len(l.feed), l.feedDropped, len(shown), l.feed[0])
	}
}
