package lab

import (
	"errors"
	"fmt"
	"math"
	"runtime/metrics"
	"strconv"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/tracestore"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
)

// The retained window. A run of any length keeps, besides its checkpoints,
// only a window of its recent trace: the events and client operations of
// the last ticks, within a budget of bytes (tracestore.Store). What the
// window lets go is folded into what must cover the whole run, which core
// keeps: the counters, the oracle's per-key summaries (stale reads, lost
// writes) and the trace digest. The live cluster and the checkpoints forget
// their client history before the window too (core.Cluster.ForgetBefore).
//
// The ticks before the window can still be rebuilt: the run is its seed
// and recorded commands, so replaying it from tick 0 (Timeline.Restart)
// brings every tick back.

// ErrSummarised is returned by GoTo for a tick before the retained window.
var ErrSummarised = errors.New("the run before the retained window is summarised, not kept")

// Trace is the run's retained window of events and operations.
func (t *Timeline) Trace() *tracestore.Store { return t.store }

// Start is the first tick GoTo accepts: the start of the retained window.
func (t *Timeline) Start() int64 { return t.store.Start() }

// SetWindowBytes sets the retained window's budget (0 or less: the
// default); it applies from the next tick on.
func (t *Timeline) SetWindowBytes(n int64) { t.store.SetBudget(n) }

// record feeds events drained from the live cluster, and its operations,
// to the store, and lets the cluster and the checkpoints forget what left
// the window.
func (t *Timeline) record(evs []core.Event) {
	t.store.Add(evs)
	t.store.Sync(t.c, t.c.Now())
	if start := t.store.Start(); start > t.forgot {
		t.forgot = start
		t.c.ForgetBefore(start)
		for _, cp := range t.cps {
			cp.c.ForgetBefore(start)
		}
	}
}

// setQuiet starts (or ends) a stretch of replayed ticks whose events go to
// the store only: the events already held for Events are stored first, so
// that the store sees the run in order (it skips them when Events returns
// them later).
func (t *Timeline) setQuiet(on bool) {
	if on {
		t.windowEvents()
	}
	t.quiet = on
}

// Restart replays the run from tick 0: the cluster is rebuilt from the
// configuration and the recorded commands become the run's future (played
// again as it goes on; acting first forks it, as after a scrub back). The
// window then fills again from tick 0.
func (t *Timeline) Restart() {
	t.c = t.cps[0].c.Clone()
	clear(t.cps[1:])
	t.cps = t.cps[:1]
	t.everyTks = checkpointEveryTicks
	clear(t.held)
	t.held = t.held[:0]
	t.next, t.head, t.forgot = 0, 0, 0
	t.store.Reset()
	t.applyDue()
	t.record(t.takeEvents())
}

// notifySummarised says that tick t, asked for, is before the retained
// window, and offers to replay the run from its start.
func (l *Lab) notifySummarised(t int64) {
	start := l.tl.Start()
	l.notify(fmt.Sprintf("Tick %d is before tick %d, where the kept part of this long run begins: the early part is summarised (it still counts in the counters and verdicts).", t, start))
	if l.noticeButton == nil {
		l.noticeButton = ui.NewButton("notice-rewind", "Replay from tick 0", "Rebuild the run from its seed and recorded commands, from tick 0 (paused)", func() { l.rewind() })
	}
	l.noticeAct = l.noticeButton
}

// rewind replays the run from tick 0, paused: the recorded commands are
// its future, so playing on rebuilds the same run (acting first forks it).
func (l *Lab) rewind() {
	l.tl.Restart()
	l.paused = true
	l.acc = 0
	l.dirty = true
	l.log = append(l.log[:0], logLine{tick: 0, text: "replayed from tick 0; playing on rebuilds the same run"})
	l.recent = l.recent[:0]
	l.notify("Replayed from tick 0: press Play to run it again; the same seed and commands give the same run.")
}

// placeNoticeAction puts the notice's action button at the right end of
// the notice bar, and returns the room left for the notice's text.
func (l *Lab) placeNoticeAction() frame.Rect {
	r := l.layout.notice
	if l.noticeButton != nil {
		l.noticeButton.SetBounds(frame.Rect{})
	}
	if l.noticeAct == nil || l.notice == "" || r.H == 0 {
		return r
	}
	th := &l.theme
	w := l.measure.Width(l.noticeAct.Label, th.Font()) + th.U(24)
	b, rest := r.CutRight(w + th.U(8))
	b = b.Inset(th.U(3))
	b.W -= th.U(5)
	l.noticeAct.SetBounds(b)
	return rest
}

// Memory is what State.memory reports: the Go heap, and the run's retained
// window (see tracestore.Stats).
type Memory struct {
	// HeapInUse is the bytes of the Go heap's spans in use (live objects
	// and the garbage not yet swept); GoTotal all the memory the Go runtime
	// has mapped (in a browser, about the wasm memory's size).
	HeapInUse uint64 `json:"heapInUse"`
	GoTotal   uint64 `json:"goTotal"`
	// HeapLive is the heap the last collection found live: steadier than
	// HeapInUse, which rises and falls with the garbage between collections.
	HeapLive uint64 `json:"heapLive"`
	// The retained window: its first and last tick, how many ticks,
	// events and operations it holds, and their estimated bytes.
	Start   int64 `json:"windowStart"`
	End     int64 `json:"windowEnd"`
	Ticks   int64 `json:"windowTicks"`
	Events  int   `json:"windowEvents"`
	Ops     int   `json:"windowOps"`
	Bytes   int64 `json:"windowBytes"`
	Budget  int64 `json:"windowBudget"`
	Dropped int   `json:"eventsDropped"` // events that have left the window
}

// memoryEveryFrames is how often the heap is measured (reading the
// runtime's figures costs little, but not nothing).
const memoryEveryFrames = 15

var memorySamples = []metrics.Sample{
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/memory/classes/heap/unused:bytes"},
	{Name: "/memory/classes/total:bytes"},
	{Name: "/gc/heap/live:bytes"},
}

// measureMemory refreshes l.memory: the window every frame, the heap every
// memoryEveryFrames.
func (l *Lab) measureMemory() {
	st := l.tl.Trace().Stats()
	m := &l.memory
	m.Start, m.End, m.Ticks = st.Start, st.End, st.End-st.Start+1
	m.Events, m.Ops, m.Bytes, m.Budget, m.Dropped = st.Events, st.Ops, st.Bytes, st.Budget, st.EventsDropped
	if l.frameCounter-l.memoryAt < memoryEveryFrames && l.memoryAt > 0 {
		return
	}
	l.memoryAt = l.frameCounter
	metrics.Read(memorySamples)
	v := func(i int) uint64 {
		if memorySamples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return memorySamples[i].Value.Uint64()
	}
	m.HeapInUse = v(0) + v(1)
	m.GoTotal = v(2)
	m.HeapLive = v(3)
}

// MemoryNow is the last measure of the heap and the retained window.
func (l *Lab) MemoryNow() Memory { return l.memory }

// String is one line for the desktop's -memory flag: "tick 1200000: heap
// 142 MB in use (310 MB mapped); window ticks 1180000..1200000 (20001
// ticks), 231000 events, 9100 ops, 63.9 MB of 64 MB".
func (m Memory) String() string {
	mb := func(b uint64) string { return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MB" }
	return fmt.Sprintf("heap %s in use, %s live (%s mapped); window ticks %d..%d (%d ticks), %d events, %d ops, %s of %s",
		mb(m.HeapInUse), mb(m.HeapLive), mb(m.GoTotal), m.Start, m.End, m.Ticks, m.Events, m.Ops, mb(uint64(m.Bytes)), mb(uint64(m.Budget)))
}

// describeSpeedNow is the speed control's text: the chosen speed, and while
// the run plays slower than that (the frame's time ran out first), the
// rate achieved over the last second: "4096 ticks/frame (runs 310)".
func (l *Lab) describeSpeedNow(v float64) string {
	s := describeSpeed(v)
	if l.paused || v != l.speed || l.speed < UpdatesPerSecond {
		return s
	}
	perFrame := l.ticksPerSec / UpdatesPerSecond
	if perFrame >= 0.95*l.speed/UpdatesPerSecond || l.frameCounter < int64(len(l.ticksWindow)) {
		return s
	}
	return s + " (runs " + strconv.FormatFloat(math.Round(perFrame), 'f', 0, 64) + ")"
}

// windowEvents is every event of the retained window up to now, those not
// yet taken by Events included (they stay news for Events).
func (t *Timeline) windowEvents() []core.Event {
	t.holdEvents()
	for _, h := range t.held {
		t.store.Add(h)
	}
	return t.store.Events(t.store.Start(), t.Now())
}

// fromTick is "" for a file that covers the run from tick 0, else
// "-from-t<tick>": exports of a long run name the ticks they cover (the
// base name already ends with the current tick).
func fromTick(t int64) string {
	if t <= 0 {
		return ""
	}
	return "-from-t" + strconv.FormatInt(t, 10)
}

// windowHistory is the client operations of the retained window: every
// operation while the run is shorter than the window (as the cluster keeps
// them), else those that returned from Start on or are still pending.
func (t *Timeline) windowHistory() []core.Op {
	if t.store.Start() == 0 {
		return t.c.History()
	}
	return t.store.History()
}

// Trace is the run's retained window of events and client operations: what
// a picture of the run's recent past, or a check of it, reads.
func (x *Context) Trace() *tracestore.Store { return x.lab.tl.Trace() }

// The retained window's budget as a setting, in megabytes.
const (
	WindowMBMin = 8
	WindowMBMax = 4096
)

// WindowBytesFromMB turns a window setting in megabytes (desktop
// -window-mb, the page's ?window=) into Options.WindowBytes: 0 is the
// default; a value outside WindowMBMin..WindowMBMax gives the default and a
// notice saying why.
func WindowBytesFromMB(mb int) (int64, string) {
	switch {
	case mb == 0:
		return 0, ""
	case mb < WindowMBMin || mb > WindowMBMax:
		return 0, fmt.Sprintf("Ignored window=%d: the retained window must be %d to %d MB; using %d MB.",
			mb, WindowMBMin, WindowMBMax, tracestore.DefaultBudgetBytes>>20)
	}
	return int64(mb) << 20, ""
}

// replayTo replays the run from tick 0 to tick (Restart, then the ticks
// played without showing their events): what opening a run at a tick
// before its retained window takes.
func (t *Timeline) replayTo(tick int64) {
	t.Restart()
	t.setQuiet(true)
	for t.Now() < tick {
		t.Step()
	}
	t.setQuiet(false)
}

// lineSkip is skipLine's count through one batch of events.
type lineSkip struct {
	batch    *core.Event // the batch's first event, to know a new batch
	shown    int         // its events the log shows
	n        int         // of those, how many seen so far
	feedRoom int         // lines the page's feed still takes
}

// skipLine is called by collectEvents for each event of evs the log shows,
// in order, and says whether to skip writing it out. At top speed a frame
// brings tens of thousands of events: only those the log keeps (the last
// logLinesMax) and those the page's feed takes (the first feedMax) are
// written; the others are only counted as dropped from the feed.
func (l *Lab) skipLine(evs []core.Event) bool {
	s := &l.lines
	if s.batch != &evs[0] {
		*s = lineSkip{batch: &evs[0], feedRoom: max(feedMax-len(l.feed), 0)}
		for i := range evs {
			if l.showMsgs || !noisy(evs[i].Kind) {
				s.shown++
			}
		}
	}
	s.n++
	if s.n <= s.shown-logLinesMax && s.n > s.feedRoom {
		l.feedDropped++
		return true
	}
	return false
}
