package lab

import (
	"fmt"
	"math"
	"strconv"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
)

// Side-panel tabs.
const (
	tabInspector = iota
	tabEvents
	tabCounters
)

// tabNames name the tabs in commands.
var tabNames = []string{"inspector", "events", "counters"}

// shellWidgets are the lab's own controls.
type shellWidgets struct {
	prev, next, help *ui.Button
	chapter          *ui.Dropdown
	copyLink         *ui.Button
	save             *ui.Dropdown
	panel            *ui.Button // shows or hides the side panel (compact layout)
	play, stepBtn    *ui.Button
	reset            *ui.Button
	speed            *ui.Slider
	timeline         *ui.Slider
	seed             *ui.Stepper
	tabs             *ui.Tabs
	node             *ui.Dropdown
	crash            *ui.Button
	showMsgs         *ui.Toggle
	view             *ui.Dropdown
	// The fork bar's buttons (fork.go).
	forkUndo, forkClose *ui.Button
	// The job bar's button (job.go).
	jobCancel *ui.Button
}

func (l *Lab) buildWidgets() {
	w := &l.w
	w.prev = ui.NewButton("prev", "◄ Prev", "Previous chapter", func() { l.setChapter(l.cur - 1) })
	w.next = ui.NewButton("next", "Next ►", "Next chapter", func() { l.setChapter(l.cur + 1) })
	w.help = ui.NewButton("help", "? Help", "Keyboard shortcuts (?)", func() { l.help = true })
	w.chapter = ui.NewDropdown("chapter", "", "Jump to a chapter", nil, 0, func(i int) { l.setChapter(i) })
	w.copyLink = ui.NewButton("copylink", "Copy link", "Copy a link that reopens this run at this tick", func() { l.copyLink() })
	w.save = ui.NewDropdown("save", "", "Save the picture, the event log, the client history, a replay file, or the page's table",
		nil, -1, func(i int) {
			if i >= 0 && i < len(l.saveKinds) {
				l.save(l.saveKinds[i])
			}
		})
	l.syncSaveMenu()
	w.save.Menu = true
	w.save.Placeholder = "Save"
	w.panel = ui.NewButton("panel", "Panel ◄", "Show or hide the side panel: the chapter's controls, inspector, events and counters", func() { l.panelOpen = !l.panelOpen })
	w.play = ui.NewButton("play", "► Play", "Play or pause the simulation (Space)", func() { l.paused = !l.paused })
	w.play.Primary = true
	w.stepBtn = ui.NewButton("step", "Step", "Advance one tick (Right arrow or .)", func() { l.paused = true; l.step(1) })
	w.reset = ui.NewButton("reset", "Reset", "Restart this chapter from tick 0 with the same seed", func() { l.reset() })
	w.speed = ui.NewLogSlider("speed", "Speed", "Ticks per second, log scale (+ and -)", SpeedMin, SpeedMax, SpeedDefault, func(v float64) { l.speed = v })
	w.speed.Format = describeSpeed
	w.timeline = ui.NewSlider("timeline", "Tick", "Drag back to replay an earlier moment; acting there forks the run (Left arrow steps back). In a long run the hatched start is summarised", 0, 0, 1, 0, func(v float64) { l.seek(int64(v)) })
	w.seed = ui.NewStepper("seed", "Seed", "Type a number and press Enter: the same seed gives the same run", 0, math.MaxInt64, 1, 0, func(v int64) { l.setSeed(uint64(v)) })
	w.tabs = ui.NewTabs("tabs", "Side panel (Left and Right arrows switch)", []string{"Inspector", "Events", "Counters"}, 0, func(i int) { l.tab = i })
	w.node = ui.NewDropdown("node", "Node", "Which node the inspector shows", nil, 0, func(i int) { l.selectByIndex(i) })
	w.node.Placeholder = "none"
	w.crash = ui.NewButton("crash", "Crash", "Crash or restart the inspected node", func() { l.toggleCrash() })
	w.showMsgs = ui.NewToggle("showmsgs", "Show messages", "List every message send and delivery in the log", false, func(on bool) { l.showMsgs = on })
	w.view = ui.NewDropdown("view", "", "Show the chapter's picture, the run's space-time diagram, or the clients' history (v)",
		viewLabels, 0, func(i int) {
			if i >= 0 && i < len(ViewNames) {
				l.switchMode(ViewNames[i])
			}
		})
	opts := make([]string, len(l.chapters))
	for i, c := range l.chapters {
		opts[i] = fmt.Sprintf("%d. %s", i+1, c.Info().Title)
	}
	w.chapter.Options = opts
	l.forkWidgets()
	w.jobCancel = l.newJobCancel()
}

// selectByIndex selects the i-th node listed in the node dropdown.
func (l *Lab) selectByIndex(i int) {
	choices := l.nodeChoices()
	if i < 0 || i >= len(choices) {
		return
	}
	l.selectNode(choices[i].cluster, choices[i].id)
}

// selectedNode is the inspected node in its cluster's view, or nil.
func (l *Lab) selectedNode() *core.NodeView {
	v := l.clusterView(l.selCluster)
	if v == nil || l.selected == core.NoNode {
		return nil
	}
	for i := range v.Nodes {
		if v.Nodes[i].ID == l.selected {
			return &v.Nodes[i]
		}
	}
	return nil
}

func (l *Lab) toggleCrash() {
	n := l.selectedNode()
	if n == nil {
		return
	}
	kind := core.CmdCrash
	if !n.Up {
		kind = core.CmdRestart
	}
	if _, err := l.apply(core.Command{Kind: kind, Node: n.ID}); err != nil {
		l.notify(err.Error())
	}
	l.refresh()
}

// syncSaveMenu lists in the Save menu the kinds the current page offers
// now (exportKindsNow): the run's files, and the page's table once it has
// one. Asking a page for its files encodes them, so on such a page the
// list is refreshed only while the menu has the focus (a click or Enter
// opens it only then) and the rest of the time may be stale, unseen.
func (l *Lab) syncSaveMenu() {
	if _, pageFiles := l.Chapter().(Exporter); pageFiles && l.mgr.Focus() != l.w.save.ID() && len(l.w.save.Options) > 0 {
		return
	}
	kinds := l.exportKindsNow()
	opts := l.w.save.Options[:0]
	for _, k := range kinds {
		opts = append(opts, exportLabels[k])
	}
	l.w.save.Options = opts
}

// syncWidgets shows the model's state on controls the model can change by
// itself (shortcuts, commands from the page).
func (l *Lab) syncWidgets() {
	w := &l.w
	l.syncSaveMenu()
	switch {
	case l.layout.compact && l.paused:
		w.play.Label = "►"
	case l.layout.compact:
		w.play.Label = "■"
	case l.paused:
		w.play.Label = "► Play"
	default:
		w.play.Label = "■ Pause"
	}
	w.speed.Value = l.speed
	w.speed.Format = l.describeSpeedNow
	w.timeline.Max = float64(l.tl.Head())
	w.timeline.Value = float64(l.tl.Now())
	w.timeline.Floor = float64(l.tl.Start())
	w.timeline.Format = func(v float64) string {
		s := strconv.FormatInt(int64(v), 10) + " / " + strconv.FormatInt(l.tl.Head(), 10)
		if start := l.tl.Start(); start > 0 {
			// The retained window begins at start; before it is hatched.
			s += ", kept from " + strconv.FormatInt(start, 10)
		}
		return s
	}
	if !w.seed.Editing() {
		w.seed.Value = int64(min(l.seed, math.MaxInt64))
	}
	w.prev.Disabled = l.cur == 0
	w.next.Disabled = l.cur == len(l.chapters)-1
	w.chapter.Selected = l.cur
	w.tabs.Selected = l.tab
	w.showMsgs.On = l.showMsgs
	w.node.Options = w.node.Options[:0]
	w.node.Selected = -1
	for i, ch := range l.nodeChoices() {
		w.node.Options = append(w.node.Options, ch.label)
		if ch.id == l.selected && ch.cluster == l.selCluster {
			w.node.Selected = i
		}
	}
	if n := l.selectedNode(); n != nil {
		w.crash.Disabled = !n.InRing
		if n.Up {
			w.crash.Label = "Crash " + n.ID.String()
		} else {
			w.crash.Label = "Restart " + n.ID.String()
		}
		if len(l.clusterNames()) == 2 {
			// The other cluster replays the lab's commands: a crash is
			// one in both.
			w.crash.Label += " in both"
		}
	} else {
		w.crash.Disabled = true
		w.crash.Label = "Crash"
	}
}

// layout is where everything goes this frame, in device pixels.
type layout struct {
	screen frame.Rect
	top    frame.Rect // title bar
	notice frame.Rect // over the picture's top when a notice shows
	fork   frame.Rect // over the picture's bottom after a fork (fork.go)
	// strip holds the chapter's primary buttons and its try-this above the
	// picture in the compact layout with the panel closed (strip.go).
	strip    frame.Rect
	stripTry []frame.Text
	scene    frame.Rect // the chapter's picture
	panel    frame.Rect // the side panel
	tryThis  frame.Rect
	tryAbove bool         // the try-this box heads the picture (fitSide)
	controls []frame.Rect // one row per chapter control
	tabs     frame.Rect
	content  frame.Rect // the selected tab's content
	bottom   frame.Rect // transport bar
	// pageStrip is kept empty in embed mode, just above the transport bar:
	// the page lays its own click-to-start cue and "Open in new tab" link
	// over the frame there (see embedStripH).
	pageStrip frame.Rect
	titleW    float64 // room for the title text
	compact   bool    // the small-frame layout (embed mode, small windows)
}

// embedStripH is the height, in CSS pixels, of the strip the lab leaves to
// the page in embed mode. Its top edge is always embedStripH plus one
// transport row (rowH, 44 px), or two rows where the frame is under 600 CSS
// px wide, above the frame's bottom edge: web/style.css places the cue and
// the link inside it by those lengths alone, whatever bar the chapter has.
const embedStripH = 40

// embedStripFrameMinH is the shortest frame, in CSS pixels, that keeps the
// strip: in a shorter one the chapter needs those pixels more, and the
// page's cue and link lie over the bottom of its picture (the course page
// sizes its frames at least 420 px tall).
const embedStripFrameMinH = 400

// controlsH is the height the chapter's controls take in one column.
func (l *Lab) controlsH() float64 {
	th := &l.theme
	return float64(len(l.Chapter().Controls(l.context()))) * (th.ControlHeight() + th.U(8))
}

// tryH is the try-this box's height w wide.
func (l *Lab) tryH(w float64) float64 {
	th := &l.theme
	u := th.U
	size := th.Font()
	lines := frame.Wrap(l.measure, l.Chapter().Info().TryThis, size, w-u(20))
	return u(10) + frame.LineHeight(size)*float64(1+len(lines)) + u(10)
}

// sideBySide is where the side panel and the picture go in a window of
// size sz that keeps the panel beside the picture (not compact).
func (l *Lab) sideBySide(sz Size) (panel, scene frame.Rect) {
	th := &l.theme
	u := th.U
	_, rest := frame.Rect{W: sz.W, H: sz.H}.CutTop(u(78))
	rowH := th.ControlHeight() + u(14)
	bottomH := rowH
	parts := l.Chapter().Parts()
	if sz.W < u(960) && parts&PartTimeline != 0 {
		bottomH = 2 * rowH
	}
	if parts&(PartTransport|PartTimeline|PartSeed) != 0 {
		_, rest = rest.CutBottom(bottomH)
	}
	panelW := min(max(sz.W*0.3, u(300)), u(380))
	if sz.W-panelW < u(300) {
		panelW = max(sz.W-u(300), u(220))
	}
	return rest.CutRight(panelW)
}

// sideFit is how a window that may keep the side panel beside the picture
// shares it out: the panel and the picture (sideBySide), and whether the
// panel holds every chapter control with the try-this box (holds): in the
// panel, or, where it cannot hold both, heading the picture, as wide as
// it (tryAbove, the box's band tryH high), unless that would take more
// than a third of the picture. Where it does not hold them the layout is
// compact.
type sideFit struct {
	panel, scene frame.Rect
	holds        bool
	tryAbove     bool
	tryH         float64
}

func (l *Lab) fitSide(sz Size) sideFit {
	u := l.theme.U
	f := sideFit{}
	f.panel, f.scene = l.sideBySide(sz)
	inner := f.panel.Inset(u(12))
	ctrlH := l.controlsH()
	switch {
	case ctrlH > inner.H:
	case l.tryH(inner.W)+u(10)+ctrlH <= inner.H:
		f.holds = true
	default:
		f.tryH = l.tryH(f.scene.W-u(16)) + u(16) // the box inset by 8 in its band
		f.holds = f.tryH <= f.scene.H/3
		f.tryAbove = f.holds
	}
	return f
}

func (l *Lab) computeLayout(sz Size) {
	th := &l.theme
	u := th.U
	lay := &l.layout
	lay.screen = frame.Rect{W: sz.W, H: sz.H}
	// Compact in embed mode, or in a window too small for the side panel
	// beside the picture, or for the chapter's controls in it.
	var side sideFit
	lay.compact = l.embed || sz.W < u(720) || sz.H < u(480)
	if !lay.compact {
		side = l.fitSide(sz)
		lay.compact = !side.holds
	}
	rest := lay.screen
	if lay.compact {
		lay.top, rest = rest.CutTop(th.ControlHeight() + u(14))
	} else {
		lay.top, rest = rest.CutTop(u(78))
	}
	parts := l.Chapter().Parts()

	// The transport bar takes one row, or two on narrow screens.
	rowH := th.ControlHeight() + u(14)
	bottomH := rowH
	narrow := sz.W < u(960)
	if lay.compact {
		narrow = sz.W < u(600)
	}
	if narrow && parts&PartTimeline != 0 {
		bottomH = 2 * rowH
	}
	if parts&(PartTransport|PartTimeline|PartSeed) != 0 {
		lay.bottom, rest = rest.CutBottom(bottomH)
	} else {
		lay.bottom = frame.Rect{}
	}
	lay.pageStrip = frame.Rect{}
	if l.embed && sz.H >= u(embedStripFrameMinH) {
		// A chapter with a shorter bar (or none) leaves the difference to
		// the strip, so that its top stays where the page expects it.
		barH := rowH
		if narrow {
			barH = 2 * rowH
		}
		lay.pageStrip, rest = rest.CutBottom(u(embedStripH) + barH - lay.bottom.H)
	}
	switch {
	case !lay.compact:
		lay.panel, lay.scene = side.panel, side.scene
	case l.panelOpen:
		// The panel covers the picture, which keeps its size beneath (so
		// the chapter's drawing does not jump when the panel closes).
		lay.panel, lay.scene = rest, rest
	default:
		lay.panel, lay.scene = frame.Rect{}, l.layoutStrip(sz, rest)
	}
	if lay.compact && l.panelOpen || !lay.compact {
		lay.strip, lay.stripTry = frame.Rect{}, nil
		l.stripBtns = l.stripBtns[:0]
	}
	// Beside the picture, the chapter's controls come before the
	// try-this box: where the panel cannot hold both, the box heads the
	// picture instead, as wide as it.
	lay.tryAbove = !lay.compact && side.tryAbove
	if lay.tryAbove {
		lay.tryThis, lay.scene = lay.scene.CutTop(side.tryH)
		lay.tryThis = lay.tryThis.Inset(u(8))
	}
	// A notice lies over the top of the picture: it moves nothing, so a
	// click aimed at a control while it appears still lands there.
	lay.notice = frame.Rect{}
	if l.notice != "" {
		w := lay.scene.W
		if l.noticeAct != nil {
			w -= l.measure.Width(l.noticeAct.Label, th.Font()) + u(32) // its button (placeNoticeAction)
		}
		extra := float64(len(l.noticeLines(w))-1) * frame.LineHeight(th.Font())
		lay.notice, _ = lay.scene.CutTop(min(u(34)+extra, lay.scene.H))
	}

	// Side panel: try-this box, chapter controls, tabs, tab content. In the
	// compact layout the controls take two columns where there is room,
	// and what does not fit goes: first the try-this box, then the tabs.
	lay.controls = lay.controls[:0]
	lay.tabs, lay.content = frame.Rect{}, frame.Rect{}
	if !lay.tryAbove {
		lay.tryThis = frame.Rect{}
	}
	if lay.panel.W > 0 {
		inner := lay.panel.Inset(u(12))
		if lay.compact {
			inner = lay.panel.Inset(u(8)) // every row counts in a small frame
		}
		size := th.Font()
		x := l.context()
		n := len(l.Chapter().Controls(x))
		cols := 1
		if lay.compact && inner.W >= u(420) {
			cols = 2
		}
		rows := (n + cols - 1) / cols
		ctrlH := float64(rows) * (th.ControlHeight() + u(8))
		tryLines := frame.Wrap(l.measure, l.Chapter().Info().TryThis, size, inner.W-u(20))
		tryH := u(10) + frame.LineHeight(size)*float64(1+len(tryLines)) + u(10)
		wantTabs := parts&(PartInspector|PartEventLog|PartCounters) != 0
		tabsH := u(4) + th.ControlHeight() + u(10) + th.ControlHeight() + frame.LineHeight(size)
		showTry := !lay.tryAbove
		if lay.compact {
			if tryH+u(10)+ctrlH+tabsH > inner.H {
				showTry = false
			}
			if ctrlH+tabsH > inner.H {
				wantTabs = false
			}
		}
		if showTry {
			lay.tryThis, inner = inner.CutTop(tryH)
			_, inner = inner.CutTop(u(10))
		}
		colW := (inner.W - float64(cols-1)*u(8)) / float64(cols)
		for i := range n {
			r, c := i/cols, i%cols
			y := inner.Y + float64(r)*(th.ControlHeight()+u(8))
			if y+th.ControlHeight() > inner.Bottom() {
				break // no room: the control is left out this frame
			}
			lay.controls = append(lay.controls, frame.Rect{X: inner.X + float64(c)*(colW+u(8)), Y: y, W: colW, H: th.ControlHeight()})
		}
		_, inner = inner.CutTop(min(ctrlH, inner.H))
		if wantTabs && inner.H >= tabsH {
			_, inner = inner.CutTop(u(4))
			lay.tabs, lay.content = inner.CutTop(th.ControlHeight())
			_, lay.content = lay.content.CutTop(u(10))
		}
	}

	// Title bar: chapter navigation, sharing and help on the right.
	t := lay.top.Inset(u(7))
	if !lay.compact {
		t = lay.top.Inset(u(10))
	}
	gap := u(8)
	row := frame.Rect{X: t.X, Y: t.Y, W: t.W, H: th.ControlHeight()}
	var r frame.Rect
	cut := func(w ui.Widget, width float64) {
		r, row = row.CutRight(width)
		w.SetBounds(r)
		_, row = row.CutRight(gap)
	}
	if lay.compact {
		gap = u(6)
		l.w.prev.Label, l.w.next.Label, l.w.help.Label = "◄", "►", "?"
		l.w.copyLink.Label = "Link"
		l.w.panel.Label = "Panel ◄"
		if l.panelOpen {
			l.w.panel.Label = "Panel ►"
		}
		cut(l.w.help, u(34))
		cut(l.w.save, u(64))
		cut(l.w.copyLink, u(50))
		l.w.view.SetBounds(frame.Rect{})
		if l.timeViewsOffered() && sz.W >= u(viewMenuCompactMinW) {
			cut(l.w.view, u(96))
		}
		cut(l.w.panel, u(78))
		cut(l.w.next, u(34))
		r, row = row.CutLeft(u(34))
		l.w.prev.SetBounds(r)
		_, row = row.CutLeft(gap)
		l.w.chapter.SetBounds(row)
		lay.titleW = 0
	} else {
		l.w.prev.Label, l.w.next.Label, l.w.help.Label = "◄ Prev", "Next ►", "? Help"
		l.w.copyLink.Label = "Copy link"
		l.w.panel.SetBounds(frame.Rect{})
		cut(l.w.help, u(76))
		cut(l.w.save, u(76))
		cut(l.w.copyLink, u(92))
		l.w.view.SetBounds(frame.Rect{})
		if l.timeViewsOffered() {
			cut(l.w.view, u(104))
		}
		cut(l.w.next, u(80))
		r, row = row.CutRight(min(u(260), max(u(120), row.W*0.35)))
		l.w.chapter.SetBounds(r)
		_, row = row.CutRight(gap)
		cut(l.w.prev, u(80))
		lay.titleW = row.W - u(16)
	}

	// Transport bar.
	b := lay.bottom.Inset(u(7))
	row1, row2 := b, frame.Rect{}
	if bottomH > rowH {
		row1, row2 = b.CutTop(th.ControlHeight())
		_, row2 = row2.CutTop(u(14))
	}
	place := func(w ui.Widget, width float64, show bool) {
		if !show {
			w.SetBounds(frame.Rect{})
			return
		}
		var r frame.Rect
		r, row1 = row1.CutLeft(width)
		w.SetBounds(r)
		_, row1 = row1.CutLeft(gap)
	}
	tr := parts&PartTransport != 0
	if lay.compact {
		place(l.w.play, u(44), tr)
		place(l.w.stepBtn, u(56), tr)
		if row2.W > 0 {
			// Two rows: the speed takes what the reset button leaves.
			place(l.w.speed, max(row1.W-u(64)-gap, u(120)), tr)
		} else {
			place(l.w.speed, u(190), tr)
		}
	} else {
		place(l.w.play, u(104), tr)
		place(l.w.stepBtn, u(70), tr)
		place(l.w.speed, max(u(250), l.speedSliderW()), tr)
	}
	resetW := u(76)
	if lay.compact {
		resetW = u(64)
	}
	place(l.w.reset, resetW, parts&PartTimeline != 0)
	l.w.seed.SetBounds(frame.Rect{})
	if parts&PartSeed != 0 && !lay.compact {
		var r frame.Rect
		r, row1 = row1.CutRight(u(170))
		l.w.seed.SetBounds(r)
		_, row1 = row1.CutRight(gap)
	}
	if parts&PartTimeline != 0 {
		if row2.W > 0 {
			l.w.timeline.SetBounds(row2)
		} else {
			l.w.timeline.SetBounds(row1)
		}
	}

	if l.timeViewShown() {
		l.layoutTimeView(lay.scene)
		// The diagram's and the history's own controls head the picture:
		// the notice lies just under them, over the plot's top, so that
		// they stay in sight and in reach (Op, zoom, Follow) while it shows.
		if n := lay.notice; n.H > 0 {
			y := l.tv.strip.Y + l.tv.strip.H + u(4)
			lay.notice.Y = min(y, lay.scene.Y+lay.scene.H-n.H)
		}
	}

	// Side-panel widgets.
	l.w.tabs.SetBounds(lay.tabs)
	c := lay.content
	top, _ := c.CutTop(th.ControlHeight())
	nodeR, crashR := top.CutLeft(top.W * 0.45)
	_, crashR = crashR.CutLeft(gap)
	l.w.node.SetBounds(nodeR)
	l.w.crash.SetBounds(crashR)
	l.w.showMsgs.SetBounds(top)
	l.layoutFork()
}

// speedSliderW is the width the speed slider needs for its caption and its
// widest value ("4096 ticks/frame") in full, beside a track that keeps the
// third of the slider it is given (see ui.Slider): the text keeps its
// place whatever the speed.
func (l *Lab) speedSliderW() float64 {
	th := &l.theme
	size := th.Font()
	widest := 0.0
	for v := float64(SpeedMin); ; v = min(v*2, SpeedMax) {
		widest = max(widest, l.measure.Width(describeSpeed(v), size))
		if v == SpeedMax {
			break
		}
	}
	text := l.measure.Width(l.w.speed.Label, size) + widest + th.U(24)
	return text*3/2 + 2*th.U(8) + th.U(2)
}

// TransportBar is where the transport bar (play, step, speed, reset, the
// timeline and the seed) was laid out in the last Update; empty when the
// chapter shows none.
func (l *Lab) TransportBar() frame.Rect { return l.layout.bottom }

// addWidgets registers the visible widgets in Tab order, which follows the
// screen from top to bottom:
//
//  1. title bar, left to right: Prev, the chapter list, Next, (Panel, in the
//     compact layout), Copy link, Save, Help;
//  2. the chapter's own controls (side panel), then those it places in
//     its picture;
//  3. the side panel: its tabs, then the open tab's controls;
//  4. the transport bar: Play, Step, Speed, Reset, the timeline, the seed.
func (l *Lab) addWidgets() {
	if l.job != nil {
		l.addJobWidgets()
		return
	}
	parts := l.Chapter().Parts()
	m := l.mgr
	m.Add(l.w.prev, l.w.chapter, l.w.next)
	if l.layout.compact {
		m.Add(l.w.panel)
	}
	if l.w.view.Bounds().W > 0 {
		m.Add(l.w.view)
	}
	m.Add(l.w.copyLink, l.w.save, l.w.help)
	if l.placeNoticeAction(); l.noticeAct != nil && l.notice != "" && l.layout.notice.H > 0 {
		m.Add(l.noticeAct)
	}
	if l.layout.panel.W > 0 {
		ctrls := l.Chapter().Controls(l.context())
		for i, w := range ctrls {
			if i >= len(l.layout.controls) {
				break // no room in a small frame
			}
			w.SetBounds(l.layout.controls[i])
			m.Add(w)
		}
	}
	if l.layout.strip.H > 0 && l.layout.panel.W == 0 {
		// The strip's buttons are the chapter's own, bound to this frame.
		l.Chapter().Controls(l.context())
		for _, b := range l.stripBtns {
			m.Add(b)
		}
	}
	if l.layout.fork.W > 0 {
		m.Add(l.w.forkUndo, l.w.forkClose)
	}
	if l.timeViewShown() {
		if !(l.layout.compact && l.layout.panel.W > 0) {
			m.Add(l.timeWidgets()...)
		}
	} else if sc, ok := l.Chapter().(SceneControls); ok && !(l.layout.compact && l.layout.panel.W > 0) {
		// A control the chapter could not fit inside its picture (in a
		// small frame) is left out rather than drawn over the bars.
		scene := l.layout.scene.Inset(-0.5)
		for _, w := range sc.SceneControls(l.context(), l.layout.scene) {
			if b := w.Bounds(); b.X >= scene.X && b.Y >= scene.Y && b.Right() <= scene.Right() && b.Bottom() <= scene.Bottom() {
				m.Add(w)
			}
		}
	}
	if l.layout.tabs.W > 0 {
		m.Add(l.w.tabs)
		switch l.tab {
		case tabInspector:
			if parts&PartInspector != 0 {
				m.Add(l.w.node, l.w.crash)
			}
		case tabEvents:
			m.Add(l.w.showMsgs)
		}
	}
	if parts&PartTransport != 0 {
		m.Add(l.w.play, l.w.stepBtn, l.w.speed)
	}
	if parts&PartTimeline != 0 {
		m.Add(l.w.reset, l.w.timeline)
	}
	if parts&PartSeed != 0 && l.w.seed.Bounds().W > 0 {
		m.Add(l.w.seed)
	}
}
