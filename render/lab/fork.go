package lab

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
)

// forkNote is what the fork bar on the canvas says after an action in the
// past forked the run: the run forked at tick at and dropped its future,
// up to tick head with cmds recorded commands. undo is the run as it was
// before, which Undo rebuilds (up to head again).
type forkNote struct {
	at, head int64
	cmds     int
	undo     Run
	frames   int // how long the bar has shown
}

// forkFrames is how long the fork bar stays (20 s), unless dismissed.
const forkFrames = 2 * noticeFrames

// forkNoteNow describes the fork that applying a command now would make,
// or nil when the run has no future to drop.
func (l *Lab) forkNoteNow() *forkNote {
	tl := l.tl
	now := tl.Now()
	rec := tl.Recorded()
	cmds := 0
	for _, r := range rec {
		if r.Tick > now {
			cmds++
		}
	}
	if now >= tl.Head() && cmds == 0 {
		return nil
	}
	r := l.CurrentRun()
	// The Timeline reuses its command list's memory when it forks.
	r.Actions = slices.Clone(r.Actions)
	r.Paused = true
	return &forkNote{at: now, head: tl.Head(), cmds: cmds, undo: r}
}

// text is the bar's sentence.
func (f *forkNote) text() string {
	dropped := "ticks " + strconv.FormatInt(f.at+1, 10) + "–" + strconv.FormatInt(f.head, 10)
	if f.head <= f.at+1 {
		dropped = "tick " + strconv.FormatInt(f.head, 10)
	}
	if f.cmds > 0 {
		dropped += ", " + Plural(f.cmds, "command")
	}
	return fmt.Sprintf("Forked at tick %d: the run's future (%s) was dropped.", f.at, dropped)
}

// undoFork rebuilds the run as it was before the fork, at the tick of the
// fork, with its future reachable again up to the tick it had reached.
func (l *Lab) undoFork() {
	f := l.fork
	if f == nil {
		return
	}
	l.fork = nil
	r := f.undo
	idx, err := l.chapterIndex(r.Chapter)
	var rb *builder
	if err == nil {
		// Rebuilt up to the tick the run had reached, across frames (a
		// long run's future is long), then back to the tick of the fork.
		at := r.Tick
		r.Tick = max(r.Tick, f.head)
		rb, err = l.newBuilder(idx, r, true)
		r.Tick = at
	}
	if err != nil {
		l.notify("Could not undo the fork: " + err.Error())
		return
	}
	l.startJob(&job{title: "Undoing the fork", build: rb,
		fail: func(err error) { l.notify("Could not undo the fork: " + err.Error()) },
		done: func(b builtRun) {
			if err := l.installRun(r, b); err != nil {
				l.notify("Could not undo the fork: " + err.Error())
				return
			}
			if err := l.replayRecentAt(r.Tick); err != nil {
				l.notify(err.Error())
			}
			l.dirty = true
			l.log = append(l.log[:0], logLine{tick: l.tl.Now(), text: "undid the fork: the run's future is back, up to tick " + strconv.FormatInt(l.tl.Head(), 10)})
		}})
}

// forkWidgets are the fork bar's buttons.
func (l *Lab) forkWidgets() {
	l.w.forkUndo = ui.NewButton("fork-undo", "Undo", "Bring back the run's future as it was before the fork", func() { l.undoFork() })
	l.w.forkUndo.Primary = true
	l.w.forkClose = ui.NewButton("fork-close", "×", "Keep the fork and hide this bar (Esc)", func() { l.fork = nil })
}

// layoutFork places the fork bar over the bottom of the picture (it moves
// nothing) and its buttons at its right end.
func (l *Lab) layoutFork() {
	u := l.theme.U
	lay := &l.layout
	lay.fork = frame.Rect{}
	if l.fork == nil || lay.scene.H < u(120) {
		return
	}
	h := min(l.theme.ControlHeight()+u(8), lay.scene.H)
	lay.fork, _ = lay.scene.CutBottom(h)
	btnH := l.theme.ControlHeight()
	y := lay.fork.Y + (h-btnH)/2
	closeW := btnH
	undoW := u(72)
	l.w.forkClose.SetBounds(frame.Rect{X: lay.fork.Right() - u(6) - closeW, Y: y, W: closeW, H: btnH})
	l.w.forkUndo.SetBounds(frame.Rect{X: lay.fork.Right() - u(12) - closeW - undoW, Y: y, W: undoW, H: btnH})
}

// drawFork draws the fork bar: the sentence, and the run's timeline with
// its dropped part, where there is room.
func (l *Lab) drawFork(layer *frame.Layer) {
	f := l.fork
	r := l.layout.fork
	if f == nil || r.H == 0 {
		return
	}
	th := &l.theme
	u := th.U
	layer.Rect(r, th.Panel)
	layer.Rect(frame.Rect{X: r.X, Y: r.Y, W: r.W, H: u(2)}, th.Focus)
	size := th.Font()
	right := l.w.forkUndo.Bounds().X - u(12)
	x := r.X + u(12)
	// The timeline: what is kept (0..at) and what was dropped (at..head).
	barW := min(u(160), (right-x)*0.3)
	if barW >= u(60) && f.head > 0 {
		bx := right - barW
		by := r.Y + r.H/2 - u(4)
		kept := barW * float64(f.at) / float64(max(f.head, f.at, 1))
		layer.Rect(frame.Rect{X: bx, Y: by, W: kept, H: u(8)}, th.ControlOn)
		for sx := bx + kept; sx < bx+barW; sx += u(6) {
			layer.Rect(frame.Rect{X: sx, Y: by, W: min(u(3), bx+barW-sx), H: u(8)}, frame.RGB(0xD55E00))
		}
		right = bx - u(12)
	}
	layer.Label(x, r.Y+(r.H-frame.LineHeight(size))/2, size, th.Text, frame.AlignStart,
		frame.Fit(l.measure, f.text(), size, right-x))
}

// keyLeftStepsBack steps the run back one tick (the Left arrow). A chapter
// button that had the focus loses it to the timeline: a Space or Enter that
// follows then plays or scrubs rather than pressing the button in the past,
// which would fork the run.
func (l *Lab) keyLeftStepsBack() {
	l.seek(l.tl.Now() - 1)
	if id := l.mgr.Focus(); id != "" && id != l.w.timeline.ID() {
		l.mgr.SetFocus(l.w.timeline.ID())
	}
}

// Plural writes "1 key", "2 keys": the count and the noun, with an s when
// the count is not one.
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
