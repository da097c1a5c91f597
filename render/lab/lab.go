// Package lab is the application model of Ringlab: the run being shown
// (a scrubbable Timeline of the simulated cluster), the transport (play,
// pause, step, speed), the chapters and their navigation, the node
// inspector, the event log, the help overlay, and the commands that scripts
// and the page send. It lays out and builds each frame as plain data
// (package frame) and never imports Ebitengine, so all of it is tested
// without a display; package render only feeds it input and paints.
package lab

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/internal/memstat"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
	"github.com/ringlab/ringlab/runfmt"
)

// Speed limits, in simulated ticks per second of real time. The top speed
// is thousands of ticks per frame at 60 frames per second.
const (
	SpeedMin     = runfmt.SpeedMin
	SpeedMax     = runfmt.SpeedMax
	SpeedDefault = runfmt.SpeedDefault
	// UpdatesPerSecond is the rate at which Update is called.
	UpdatesPerSecond = 60
)

// Options start a lab.
type Options struct {
	// Chapter is a chapter ID or its 1-based number; "" is the first.
	Chapter string
	Seed    uint64
	// Speed in ticks per second; 0 is SpeedDefault.
	Speed float64
	// Paused starts the run paused.
	Paused bool
	// Notices are shown on screen at start (for example, which URL values
	// were ignored and why).
	Notices []string
	// ReducedMotion draws message flights as jump cuts: no sub-tick
	// interpolation (Context.Phase stays 0); package scene draws a message at
	// its destination (scene.SetReducedMotion, which the host sets).
	ReducedMotion bool
	// Embed selects the compact layout for a small frame: a one-row title
	// bar, the side panel behind a Panel button, no seed box.
	Embed bool
	// View is the view to start in: ViewScene (""), ViewDiagram or
	// ViewHistory.
	View string
	// WindowBytes is the budget of the run's retained window of events and
	// client operations (tracestore); 0 is tracestore.DefaultBudgetBytes.
	WindowBytes int64
	// Link, when set, is the run to open (from OptionsFromFragment): its
	// configuration, actions and tick, in the chapter and with the seed
	// above. What cannot be used falls back to the chapter's preset, with
	// a notice.
	Link *runfmt.Link
}

// logLine is one entry of the event log.
type logLine struct {
	tick int64
	kind core.EventKind
	text string
}

const (
	logLinesMax = 400
	// noticeFrames is how long a notice stays (10 s), unless dismissed.
	noticeFrames = 10 * UpdatesPerSecond
	// recentTicks is how far back Context.Recent reaches.
	recentTicks = 3
	recentMax   = 2048
)

// Lab is the whole application state. Update and everything it calls run
// on one goroutine; Command and State may be called from any goroutine.
type Lab struct {
	chapters []Chapter
	cur      int
	seed     uint64
	tl       *Timeline

	paused   bool
	speed    float64
	acc      float64 // simulated ticks owed to the next frame (fraction kept)
	viewTick int64
	view     *core.View
	dirty    bool // the cluster changed since view was taken
	events   []core.Event
	recent   []core.Event
	log      []logLine

	// override replaces the chapter's preset configuration (a "config"
	// command) until another chapter is chosen.
	override *core.Config
	// runRev counts changes to what a link of the run holds besides the
	// tick (a command recorded, a new run); it keys the cached link.
	runRev int

	selected core.NodeID
	// selCluster is the cluster of selected (see Clusters).
	selCluster int
	// stripBtns are the chapter's buttons the chapter strip shows.
	stripBtns []*ui.Button
	// fork is the fork bar's note after an action in the past forked the
	// run, or nil.
	fork *forkNote
	// limits are runfmt.Shared: what the lab lets a run from outside be,
	// and holds what it records to (a test may lower them).
	limits runfmt.Limits
	// job is work spread across frames (job.go); jobFrames counts the
	// frames it has had.
	job       *job
	jobFrames int
	help      bool
	notice    string
	noticeAge int
	// noticeAct is the notice's action button, or nil (window.go).
	noticeAct    *ui.Button
	noticeButton *ui.Button
	// windowBytes is the retained window's budget (Options.WindowBytes);
	// memory is the last measure of it and of the heap (window.go).
	windowBytes int64
	memory      Memory
	memoryAt    int64
	lines       lineSkip // see skipLine
	showMsgs    bool
	tab         int

	fps, tps     float64
	ticksWindow  [UpdatesPerSecond]int
	ticksAt      int
	ticksPerSec  float64
	frameCounter int64
	// updateTimes are the last second's Update durations (the time each
	// held its frame), updateMax the longest of them.
	updateTimes [UpdatesPerSecond]time.Duration
	updateAt    int
	updateMax   time.Duration
	// searchTimes are, for the same updates, the time each spent stepping
	// a schedule search (Context.SpentSearching), searchMax the longest.
	searchTimes [UpdatesPerSecond]time.Duration
	searchNow   time.Duration
	searchMax   time.Duration
	// slices tallies every update that stepped a search, since the lab
	// began (state().searchSlices).
	slices SliceTally
	// searchUpdates tallies the whole updates (not only their search part)
	// of the same frames: with the search in a worker, what the frames
	// took while it ran; searchWhere is where the last search ran.
	searchUpdates SliceTally
	// allUpdates tallies every update (state().updates).
	allUpdates  SliceTally
	searchWhere string
	// searchFallback is why the last search that was to run apart ran in
	// the frames instead (its worker's error), or "".
	searchFallback string
	updateStart    time.Time // when this Update began (Context.UpdateElapsed)

	theme   ui.Theme
	measure frame.Measurer
	mgr     *ui.Manager
	frame   frame.Frame
	layout  layout
	w       shellWidgets
	ctx     Context
	// tv is the state of the space-time diagram and history views.
	tv timeView
	// runID counts the runs installed: a new run, not a new command.
	runID int

	// Overrun, when set, is asked every few simulated ticks during
	// an Update whether the frame's time budget is spent; the remaining
	// ticks of that frame are then skipped (the run stays deterministic;
	// only its pace drops).
	Overrun func() bool

	// Page side: the host (clipboard, files), the published link, and the
	// news for the page (TakePageNews).
	host        Host
	linkRev     int
	linkBase    *linkSnapshot
	linkNow     atomic.Pointer[linkSnapshot]
	feed        []string
	feedDropped int
	newsAt      int64
	sentKey     changeKey

	// saveKinds are the export kinds the Save menu lists, row by row
	// (exportKindsNow, refreshed every frame).
	saveKinds []string

	// reducedMotion draws message flights as jump cuts (Context.Phase is
	// always 0, and see scene.SetReducedMotion); embed compacts the layout.
	reducedMotion bool
	embed         bool
	// unfocused is true while the lab's canvas (or window) does not have
	// the keyboard: see SetKeyboardFocus.
	unfocused bool
	noInput   ui.Input
	panelOpen bool // the side panel, in the compact layout

	mu    sync.Mutex
	queue []action
	// sequence are commands applied one per Update, before the queue's
	// (CommandSequence).
	sequence []action
	state    atomic.Pointer[stateSnapshot] // the last Update's state
	// tabsShown are the labels of the tab strips on screen (lower-cased),
	// for the "tab" command's check on other goroutines.
	tabsShown atomic.Pointer[[]string]
}

// New starts a lab on the given chapters (at least one).
func New(chapters []Chapter, measure frame.Measurer, opts Options) (*Lab, error) {
	if len(chapters) == 0 {
		return nil, fmt.Errorf("lab: no chapters")
	}
	l := &Lab{chapters: chapters, seed: opts.Seed, paused: opts.Paused, selected: core.NoNode, measure: measure,
		reducedMotion: opts.ReducedMotion, embed: opts.Embed, windowBytes: opts.WindowBytes}
	l.speed = SpeedDefault
	l.limits = runfmt.Shared
	if opts.Speed > 0 {
		l.speed = min(max(opts.Speed, SpeedMin), SpeedMax)
	}
	l.theme = ui.DefaultTheme(1)
	l.mgr = ui.NewManager(&l.theme, measure)
	l.buildWidgets()
	l.buildTimeWidgets()
	notices := append([]string(nil), opts.Notices...)
	cur := 0
	if opts.Chapter != "" {
		i, err := l.chapterIndex(opts.Chapter)
		if err != nil {
			notices = append(notices, fmt.Sprintf("Ignored chapter=%q: %v; showing %q.", opts.Chapter, err, chapters[0].Info().Title))
		} else {
			cur = i
		}
	}
	if opts.Link != nil {
		if opts.Link.Chapter != "" {
			if i, err := l.chapterIndex(opts.Link.Chapter); err == nil {
				cur = i
			}
		}
		notices = append(notices, l.openLink(opts.Link, cur, false)...)
	} else if err := l.enter(cur); err != nil {
		return nil, err
	}
	// The flag's view wins over the link's.
	if opts.View != "" {
		if v, err := ParseView(opts.View); err != nil {
			notices = append(notices, "Ignored view="+err.Error()+".")
		} else {
			l.setView(v)
		}
	}
	if len(notices) > 0 {
		l.notify(strings.Join(notices, " "))
	}
	l.publishState()
	return l, nil
}

// chapterIndex resolves an ID or a 1-based number.
func (l *Lab) chapterIndex(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > len(l.chapters) {
			return 0, fmt.Errorf("chapter number must be 1..%d", len(l.chapters))
		}
		return n - 1, nil
	}
	for i, c := range l.chapters {
		if c.Info().ID == s {
			return i, nil
		}
	}
	return 0, fmt.Errorf("no chapter named %q", s)
}

// enter makes chapter i current and starts its run from its preset (or,
// for the current chapter, from the configuration a "config" command or a
// chapter's Restart put in force).
func (l *Lab) enter(i int) error {
	var override *core.Config
	if i == l.cur {
		override = l.override
	}
	b, err := l.buildRun(i, Run{Seed: l.seed, Config: override, ScriptKept: -1, Tick: -1}, true)
	if err != nil {
		return err
	}
	l.install(b)
	return nil
}

// Chapter is the current chapter.
func (l *Lab) Chapter() Chapter { return l.chapters[l.cur] }

// Timeline is the current run.
func (l *Lab) Timeline() *Timeline { return l.tl }

// View is the snapshot of the current tick.
func (l *Lab) View() *core.View { return l.view }

// Paused reports whether the run is paused.
func (l *Lab) Paused() bool { return l.paused }

// Speed is the chosen speed in ticks per second.
func (l *Lab) Speed() float64 { return l.speed }

// Selected is the node shown in the inspector, or core.NoNode.
func (l *Lab) Selected() core.NodeID { return l.selected }

// HelpOpen reports whether the help overlay shows.
func (l *Lab) HelpOpen() bool { return l.help }

// Notice is the notice on screen, or "".
func (l *Lab) Notice() string { return l.notice }

// Focus is the id of the focused control, or "".
func (l *Lab) Focus() string { return l.mgr.Focus() }

// SetRates records the measured frames and updates per second, reported in
// State.
func (l *Lab) SetRates(fps, tps float64) { l.fps, l.tps = fps, tps }

func (l *Lab) notify(msg string) {
	l.notice, l.noticeAge = msg, 0
	l.noticeAct = nil
}

// apply performs a command on the run, keeping the view and log current.
func (l *Lab) apply(cmd core.Command) (core.RequestID, error) {
	if cmd.Kind == core.CmdJoin || cmd.Kind == core.CmdSet {
		// What the lab records must reopen: a change that makes the
		// cluster too large for a shared run is refused here.
		s := runfmt.ShapeAt(l.tl.Config(), l.tl.Recorded(), l.tl.Now())
		s.Apply(cmd)
		if err := l.limits.CheckShape(s); err != nil {
			return 0, err
		}
	}
	l.forkTimeModel()
	note := l.forkNoteNow()
	id, err := l.tl.Apply(cmd)
	if err == nil {
		if note != nil {
			l.fork = note
		}
		l.dirty = true
		l.runRev++
		l.collectEvents()
	}
	return id, err
}

// overrunEveryTicks is how often step asks Overrun at most: a tick of a
// busy cluster takes some 30 to 100 microseconds, so a frame overruns its
// budget by well under a millisecond. A heavier configuration asks more
// often (overrunEvery), down to every tick: a frame then overruns by at
// most one tick, held to runfmt.WorkPerTickMax.
const overrunEveryTicks = 8

// overrunCheckUnits is about the work between two questions to Overrun.
const overrunCheckUnits = 400

// overrunEvery is how many ticks of a run with cfg go between two
// questions to Overrun.
func overrunEvery(cfg core.Config) int {
	return min(max(int(overrunCheckUnits/runfmt.ShapeOf(cfg).WorkPerTick()), 1), overrunEveryTicks)
}

// step advances the run by n ticks (or fewer if Overrun says so) and
// returns how many it ran.
func (l *Lab) step(n int) int {
	done := 0
	for done < n {
		l.tl.Step()
		done++
		if done%l.tl.checkEvery == 0 && l.Overrun != nil && l.Overrun() {
			break
		}
	}
	if done > 0 {
		l.dirty = true
	}
	return done
}

// seek moves the run to tick t, pausing it; the log restarts there.
func (l *Lab) seek(t int64) {
	t = min(max(t, 0), l.tl.Head())
	if t < l.tl.Start() {
		l.notifySummarised(t)
		t = l.tl.Start()
	}
	if t == l.tl.Now() {
		return
	}
	l.paused = true
	now := l.tl.Now()
	back := t < now
	// Context.Recent is part of the picture at t: when the cluster is
	// rebuilt (going back, or far forward), the last recentTicks ticks are
	// replayed with their events, so that it holds what it would hold had
	// the run been played straight to t.
	if back || t-recentTicks-1 > now {
		if err := l.replayRecentAt(t); err != nil {
			l.notify(err.Error())
			return
		}
	} else if err := l.tl.GoTo(t); err != nil {
		l.notify(err.Error())
		return
	}
	l.acc = 0
	l.dirty = true
	if back {
		l.log = append(l.log[:0], logLine{tick: t, text: "went back to tick " + strconv.FormatInt(t, 10) + "; acting now forks the run"})
	}
}

// replayRecent rebuilds Context.Recent for a run whose cluster was rebuilt
// at its current tick without events (a link, a replay file).
func (l *Lab) replayRecent() {
	if err := l.replayRecentAt(l.tl.Now()); err != nil {
		l.notify(err.Error())
	}
}

// replayRecentAt moves the run to tick t through the last recentTicks
// ticks before it, replayed with their events, so that Context.Recent
// holds what it would hold had the run been played straight to t: it is
// part of the picture at t. Near the start of the retained window the
// replay starts at the window's start: the ticks before it are summarised.
func (l *Lab) replayRecentAt(t int64) error {
	if err := l.tl.GoTo(max(t-recentTicks-1, l.tl.Start())); err != nil {
		return err
	}
	l.tl.Events() // already shown, or skipped over
	if err := l.tl.GoTo(t); err != nil {
		return err
	}
	l.recent = l.recent[:0]
	for _, e := range l.tl.Events() {
		if recentKind(e.Kind) {
			l.recent = append(l.recent, e)
		}
	}
	return nil
}

// recentKind reports whether Context.Recent keeps events of kind k.
func recentKind(k core.EventKind) bool {
	return k == core.EvMsgDrop || k == core.EvQuorumReached || k == core.EvQuorumFailed
}

// reset restarts the current chapter from its preset with the current seed.
func (l *Lab) reset() {
	if err := l.enter(l.cur); err != nil {
		l.notify(err.Error())
	}
}

func (l *Lab) setSeed(seed uint64) {
	l.seed = seed
	l.reset()
}

func (l *Lab) setChapter(i int) {
	if i < 0 || i >= len(l.chapters) {
		return
	}
	prev := l.cur
	if err := l.enter(i); err != nil {
		l.notify(err.Error())
		if i != prev {
			_ = l.enter(prev)
		}
	}
}

func (l *Lab) setSpeed(v float64) {
	if math.IsNaN(v) {
		return
	}
	l.speed = min(max(v, SpeedMin), SpeedMax)
	l.w.speed.Value = l.speed
}

// collectEvents drains the cluster's new events into the frame's events,
// the recent buffer and the log.
func (l *Lab) collectEvents() {
	evs := l.tl.Events()
	l.events = append(l.events, evs...)
	prefix := ""
	if len(evs) > 0 {
		if names := l.clusterNames(); names != nil {
			prefix = names[0] + " · "
		}
	}
	for _, e := range evs {
		if recentKind(e.Kind) {
			l.recent = append(l.recent, e)
		}
		if !l.showMsgs && noisy(e.Kind) || l.skipLine(evs) {
			continue
		}
		line := logLine{tick: e.Tick, kind: e.Kind, text: prefix + e.String()}
		l.log = append(l.log, line)
		l.feedLine(line)
	}
	if n := len(l.log) - logLinesMax; n > 0 {
		l.log = append(l.log[:0], l.log[n:]...)
	}
	l.syncTimeModel(evs)
	if n := len(l.recent) - recentMax; n > 0 {
		l.recent = append(l.recent[:0], l.recent[n:]...)
	}
}

// noisy events are hidden from the log unless "Show messages" is on: every
// message send and delivery, and gossip, would drown the rest.
func noisy(k core.EventKind) bool {
	switch k {
	case core.EvMsgSend, core.EvMsgDeliver, core.EvGossip, core.EvMerkleCompare:
		return true
	}
	return false
}

// refresh takes a new view if the cluster changed, and prunes old recent events.
func (l *Lab) refresh() {
	if l.dirty || l.view == nil {
		v := l.tl.Cluster().View()
		l.view = &v
		l.dirty = false
	}
	now := l.tl.Now()
	keep := l.recent[:0]
	for _, e := range l.recent {
		if e.Tick >= now-recentTicks {
			keep = append(keep, e)
		}
	}
	l.recent = keep
}

func (l *Lab) context() *Context {
	l.ctx = Context{
		lab:      l,
		View:     l.view,
		Phase:    l.phase(),
		Events:   l.events,
		Recent:   l.recent,
		Theme:    &l.theme,
		Measure:  l.measure,
		Selected: l.selected,

		SelectedCluster: l.selCluster,
		Seed:            l.seed,

		ReducedMotion: l.reducedMotion,
	}
	return &l.ctx
}

// phase is how far into the next tick the animation is: meaningful only
// when ticks are slower than frames.
func (l *Lab) phase() float64 {
	if l.paused || l.speed >= UpdatesPerSecond || l.reducedMotion {
		return 0
	}
	return max(l.acc, 0)
}

// Size is the drawable area in device pixels and the device scale factor
// (device pixels per CSS pixel or per logical point).
type Size struct {
	W, H  float64
	Scale float64
}

// Update runs one frame: queued commands, input, the simulation, and the
// frame to paint.
func (l *Lab) Update(in *ui.Input, sz Size) {
	start := time.Now()
	l.updateStart = start
	collections := memstat.Collections()
	l.frameCounter++
	l.events = l.events[:0]
	if sz.Scale <= 0 {
		sz.Scale = 1
	}
	l.theme.Scale = sz.Scale
	l.mgr.Screen = frame.Rect{W: sz.W, H: sz.H}

	// Lay out before the queued commands too, so that a "press" finds the
	// controls of this frame's layout, and again after (they may have
	// changed the chapter).
	l.computeLayout(sz)
	l.drainQueue()
	l.computeLayout(sz)
	l.handleInput(in)

	ran := 0
	if l.job != nil {
		// The job has the frame's time; the run on screen waits.
		before := l.tl.Now()
		l.advanceJob()
		ran = int(max(l.tl.Now()-before, 0))
	} else if !l.paused {
		l.acc += l.speed / UpdatesPerSecond
		// The tolerance keeps a whole number of ticks per second whole
		// over many frames (8 ticks/s is 32 ticks after 240 frames, not
		// 31 and a rounding error).
		n := int(l.acc + tickTolerance)
		l.acc -= float64(n)
		ran = l.step(n)
		if ran < n {
			l.acc = 0
		}
	}
	l.ticksWindow[l.ticksAt] = ran
	l.ticksAt = (l.ticksAt + 1) % len(l.ticksWindow)
	sum := 0
	for _, t := range l.ticksWindow {
		sum += t
	}
	l.ticksPerSec = float64(sum) * UpdatesPerSecond / float64(len(l.ticksWindow))

	l.collectEvents()
	l.refresh()
	l.measureMemory()
	if l.notice != "" {
		l.noticeAge++
		if l.noticeAge > noticeFrames {
			l.notice = ""
		}
	}
	if l.fork != nil {
		l.fork.frames++
		if l.fork.frames > forkFrames {
			l.fork = nil
		}
	}
	x := l.context()
	l.Chapter().Update(x)
	l.collectClusterEvents()
	l.syncWidgets()
	l.build(sz)
	l.timeUpdate(time.Since(start), memstat.Collections()-collections)
	l.publishState()
}

// timeUpdate records how long this Update took, and the longest of the
// last second's: what ringlab.state().updateMsMax reports, so that work the
// lab does across frames (a search, a check, a replay) can be seen to leave
// each frame its time.
// collected is how many garbage collections the runtime finished during it.
func (l *Lab) timeUpdate(d time.Duration, collected uint64) {
	l.updateTimes[l.updateAt] = d
	if l.searchNow > 0 {
		l.searchUpdates.AddUpdate(d, collected)
	}
	l.allUpdates.AddUpdate(max(d, time.Nanosecond), collected)
	l.slices.Add(l.searchNow)
	l.searchTimes[l.updateAt], l.searchNow = l.searchNow, 0
	l.updateAt = (l.updateAt + 1) % len(l.updateTimes)
	l.updateMax = slices.Max(l.updateTimes[:])
	l.searchMax = slices.Max(l.searchTimes[:])
}

// tickTolerance absorbs the rounding of the per-frame tick fractions.
const tickTolerance = 1e-9

// SetKeyboardFocus tells the lab whether its canvas (in the page) or its
// window (on the desktop) has the keyboard; the host calls it before every
// Update. When the focus leaves, the lab's focused control loses its focus
// ring and tooltip, an open menu closes, and no pointer hover shows a
// tooltip until the focus comes back; the next Tab inside the lab then
// starts at its first control and Shift+Tab at its last (the focus
// "wraps" from nothing). Commands from the page work either way.
func (l *Lab) SetKeyboardFocus(has bool) {
	if !has && !l.unfocused {
		l.mgr.SetFocus("")
	}
	l.unfocused = !has
}

// Frame is the picture built by the last Update.
func (l *Lab) Frame() *frame.Frame { return &l.frame }

func (l *Lab) handleInput(in *ui.Input) {
	if l.unfocused {
		// The keys go elsewhere and the pointer is not the lab's: nothing
		// hovers, nothing is pressed (a click on the canvas focuses it
		// before the lab sees the press).
		l.noInput = ui.Input{MouseX: -1, MouseY: -1}
		in = &l.noInput
	}
	l.mgr.Begin()
	l.addWidgets()
	if l.help {
		// The overlay is modal: only the keys that close it work.
		for _, k := range in.Keys {
			if k == ui.KeyEscape || k == ui.KeyEnter {
				l.help = false
			}
		}
		for _, r := range in.Chars {
			if r == '?' {
				l.help = false
			}
		}
		if in.MousePressed {
			l.help = false
		}
		return
	}
	if l.notice != "" && in.MousePressed && l.layout.notice.Contains(in.MouseX, in.MouseY) {
		// A press on the notice dismisses it and goes no further: the
		// notice lies over the picture and whatever controls it holds.
		l.notice = ""
		l.noInput = *in
		l.noInput.MousePressed, l.noInput.MouseDown = false, false
		in = &l.noInput
	}
	l.mgr.Handle(in)
	if l.job != nil {
		// Only Cancel works while a job runs (Esc too): the run on
		// screen is not the one being built.
		for _, k := range l.mgr.UnhandledKeys {
			if k == ui.KeyEscape {
				l.cancelJob()
			}
		}
		return
	}
	for _, k := range l.mgr.UnhandledKeys {
		switch k {
		case ui.KeySpace:
			l.paused = !l.paused
		case ui.KeyRight:
			l.paused = true
			l.step(1)
		case ui.KeyLeft:
			l.keyLeftStepsBack()
		case ui.KeyEscape:
			switch {
			case l.notice != "":
				l.notice = ""
			case l.fork != nil:
				l.fork = nil
			case l.selected != core.NoNode:
				l.selected = core.NoNode
			}
		}
	}
	for _, r := range l.mgr.UnhandledChars {
		switch r {
		case '?':
			l.help = true
		case '.':
			l.paused = true
			l.step(1)
		case '+', '=':
			l.setSpeed(l.speed * 2)
		case '-', '_':
			l.setSpeed(l.speed / 2)
		case 'v':
			if l.timeViewsOffered() {
				l.switchMode(ViewNames[(slices.Index(ViewNames, l.tv.mode)+1)%len(ViewNames)])
			}
		}
	}
	if l.timeViewShown() {
		l.handleTimeInput(in)
		return
	}
	if in.MousePressed && !l.mgr.PointerOverUI && l.layout.scene.Contains(in.MouseX, in.MouseY) &&
		!l.layout.fork.Contains(in.MouseX, in.MouseY) &&
		!l.layout.panel.Contains(in.MouseX, in.MouseY) {
		if i, id, ok := l.nodeAt(in.MouseX, in.MouseY); ok {
			l.selectNode(i, id)
			l.tab = tabInspector
			l.w.tabs.Selected = tabInspector
		}
	}
}

// describeSpeed renders a speed for the speed slider.
func describeSpeed(v float64) string {
	if v < UpdatesPerSecond {
		return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + " ticks/s"
	}
	perFrame := math.Round(v / UpdatesPerSecond)
	if perFrame == 1 {
		return "1 tick/frame"
	}
	return strconv.FormatFloat(perFrame, 'f', 0, 64) + " ticks/frame"
}

// nodeName renders a node or "-".
func nodeName(id core.NodeID) string { return id.String() }
