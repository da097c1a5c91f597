// Package layoutcheck checks, in tests, that a chapter's picture is readable
// at every window size the lab is shown at: the desktop window, a 2x screen,
// and the small iframes of course pages (the compact embed layout).
//
// A picture is readable when every label of the scene layer is at least
// 13 px at 1x, uses only glyphs the font has, stays inside the area the
// chapter was given, and overlaps no other label; and when every control
// the chapter lays out in its picture is inside that area and covers no
// label.
package layoutcheck

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// Window is a window size and whether the lab runs embedded in a page.
type Window struct {
	lab.Size
	Embed bool
}

func (w Window) String() string {
	s := fmt.Sprintf("%vx%v@%vx", w.W, w.H, w.Scale)
	if w.Embed {
		s += " embedded"
	}
	return s
}

// Windows are the sizes every chapter must be readable at: the course
// pages' iframes (embedded, 480x300 to 800x500: 16:10 frames in 480 and 600
// px columns, and the course page's own 530x330 and 560x350 among them),
// the smallest supported
// desktop window, the usual one, and the usual one on a 2x screen.
var Windows = []Window{
	{Size: lab.Size{W: 480, H: 300, Scale: 1}, Embed: true},
	{Size: lab.Size{W: 480, H: 360, Scale: 1}, Embed: true},
	{Size: lab.Size{W: 530, H: 330, Scale: 1}, Embed: true},
	{Size: lab.Size{W: 560, H: 350, Scale: 1}, Embed: true},
	{Size: lab.Size{W: 600, H: 375, Scale: 1}, Embed: true},
	{Size: lab.Size{W: 640, H: 400, Scale: 1}, Embed: true},
	{Size: lab.Size{W: 800, H: 500, Scale: 1}, Embed: true},
	{Size: lab.Size{W: 800, H: 500, Scale: 1}},
	{Size: lab.Size{W: 1024, H: 700, Scale: 1}},
	{Size: lab.Size{W: 1280, H: 800, Scale: 1}},
	{Size: lab.Size{W: 2560, H: 1600, Scale: 2}},
	// Laptop browsers: a 1366x768 screen less the browser's bars, and a
	// 1280x800 one less them.
	{Size: lab.Size{W: 1366, H: 625, Scale: 1}},
	{Size: lab.Size{W: 1280, H: 657, Scale: 1}},
}

// TransportMinW is the narrowest window, in CSS pixels, whose transport bar
// must show every control's text in full at every speed: laptop browsers
// (1366x625, 1280x657) and larger desktop windows.
const TransportMinW = 1024

// Speeds are the speeds the transport bar is checked at: every doubling
// from the slowest, and the top speed.
func Speeds() []float64 {
	var out []float64
	for v := float64(lab.SpeedMin); ; v = min(v*2, lab.SpeedMax) {
		out = append(out, v)
		if v == lab.SpeedMax {
			return out
		}
	}
}

// MinTextPx is the smallest text size allowed at 1x.
const MinTextPx = 13

// Story brings a chapter to the moment to check (its busiest picture). ch
// is the chapter itself (l.Chapter() is a wrapper that records the area).
// It starts after one frame at 1280x800 and may run frames at any size;
// the check renders at each window after.
type Story func(t *testing.T, l *lab.Lab, ch lab.Chapter)

// Check opens the chapter id of the set newChapters returns (a fresh set
// per window, since chapters keep state), plays story, renders a frame at
// each of Windows and reports every problem of the picture as a test error
// naming the chapter and the window.
func Check(t *testing.T, newChapters func() []lab.Chapter, m *frame.GoRegular, id string, story Story) {
	t.Helper()
	for _, w := range Windows {
		chs := newChapters()
		rec := make([]lab.Chapter, len(chs))
		var inner lab.Chapter
		last := new(picture)
		for i, c := range chs {
			rec[i] = wrap(c, last)
			if c.Info().ID == id {
				inner = c
			}
		}
		if inner == nil {
			t.Fatalf("no chapter %q", id)
		}
		l, err := lab.New(rec, m, lab.Options{Chapter: id, Seed: 1, Paused: true, Embed: w.Embed})
		if err != nil {
			t.Fatal(err)
		}
		idle := &ui.Input{MouseX: -1, MouseY: -1}
		// The story starts from a first frame, as the lab shows it. In a
		// small frame the chapter's controls are in the side panel, which
		// is open while the story plays and closed for the check.
		desktop := lab.Size{W: 1280, H: 800, Scale: 1}
		l.Update(idle, desktop)
		togglePanel := func() {
			if msg := l.Command(`{"type":"press","value":"panel"}`); msg != "" {
				t.Fatalf("%s at %v: the Panel button: %s", id, w, msg)
			}
			l.Update(idle, desktop)
		}
		if w.Embed {
			togglePanel()
		}
		if story != nil {
			story(t, l, inner)
		}
		if w.Embed {
			togglePanel()
		}
		// Two frames: the first lays out controls at the new size, the
		// second paints with them.
		l.Update(idle, w.Size)
		l.Update(idle, w.Size)
		for _, p := range Problems(l.Frame(), last.area, last.widgets, m) {
			t.Errorf("%s at %v: %s", id, w, p)
		}
		if !w.Embed && w.W/w.Scale >= TransportMinW {
			checkTransport(t, l, id, w)
		}
	}
}

// checkTransport sets each of Speeds and fails on transport bar text that
// is cut short (frame.Fit's ellipsis) or missing.
func checkTransport(t *testing.T, l *lab.Lab, id string, w Window) {
	t.Helper()
	idle := &ui.Input{MouseX: -1, MouseY: -1}
	before := l.Speed()
	for _, v := range Speeds() {
		if msg := l.Command(fmt.Sprintf(`{"type":"speed","value":%g}`, v)); msg != "" {
			t.Fatalf("%s: speed %g: %s", id, v, msg)
		}
		l.Update(idle, w.Size)
		for _, p := range TransportProblems(l.Frame(), l.TransportBar()) {
			t.Errorf("%s at %v, speed %g: %s", id, w, v, p)
		}
	}
	_ = l.Command(fmt.Sprintf(`{"type":"speed","value":%g}`, before))
}

// TransportProblems lists the texts of the transport bar (bar, in the UI
// layer) that are cut short, and fails when the bar shows no text at all.
func TransportProblems(f *frame.Frame, bar frame.Rect) []string {
	var out []string
	n := 0
	for _, tx := range f.Layers[frame.LayerUI].Texts {
		if !bar.Contains(float64(tx.X), float64(tx.Y)+1) {
			continue
		}
		n++
		if strings.HasSuffix(tx.S, "…") {
			out = append(out, fmt.Sprintf("%q is cut short", tx.S))
		}
	}
	if bar.H > 0 && n == 0 {
		out = append(out, fmt.Sprintf("the transport bar %v shows no text", bar))
	}
	return out
}

// Problems lists what makes the scene layer of f unreadable, given the area
// the chapter drew in and the controls it placed there.
func Problems(f *frame.Frame, area frame.Rect, widgets []ui.Widget, m *frame.GoRegular) []string {
	var out []string
	texts := f.Layers[frame.LayerScene].Texts
	bound := area.Inset(-1)
	boxes := make([]frame.Rect, len(texts))
	for i, tx := range texts {
		boxes[i] = Box(tx, m)
		if float64(tx.Size) < MinTextPx*f.Scale-1e-9 {
			out = append(out, fmt.Sprintf("%q is %.1f px, under %d px at 1x", tx.S, tx.Size/float32(f.Scale), MinTextPx))
		}
		if miss := m.Missing(tx.S); len(miss) > 0 {
			out = append(out, fmt.Sprintf("%q uses %q, which the font cannot draw", tx.S, string(miss)))
		}
		if !inside(boxes[i], bound) {
			out = append(out, fmt.Sprintf("%q at %v leaves the picture %v", tx.S, boxes[i], area))
		}
	}
	for i := range texts {
		a := boxes[i].Inset(1)
		for j := i + 1; j < len(texts); j++ {
			if a.Overlaps(boxes[j].Inset(1)) {
				out = append(out, fmt.Sprintf("%q at (%.0f,%.0f) overlaps %q at (%.0f,%.0f)",
					texts[i].S, texts[i].X, texts[i].Y, texts[j].S, texts[j].X, texts[j].Y))
			}
		}
	}
	for i, w := range widgets {
		b := w.Bounds()
		if b.W <= 0 || b.H <= 0 {
			continue // left out on purpose this frame
		}
		if !inside(b, bound) {
			out = append(out, fmt.Sprintf("control %d at %v leaves the picture %v", i, b, area))
			continue
		}
		for j, v := range widgets[i+1:] {
			if c := v.Bounds(); c.W > 0 && b.Inset(1).Overlaps(c.Inset(1)) {
				out = append(out, fmt.Sprintf("control %d at %v overlaps control %d at %v", i, b, i+1+j, c))
			}
		}
		for k, tx := range texts {
			if b.Inset(1).Overlaps(boxes[k].Inset(1)) {
				out = append(out, fmt.Sprintf("control %d at %v covers %q", i, b, tx.S))
			}
		}
	}
	return out
}

// Box is the rectangle a label covers.
func Box(tx frame.Text, m *frame.GoRegular) frame.Rect {
	return frame.LabelBox(m, float64(tx.X), float64(tx.Y), float64(tx.Size), tx.Align, tx.S)
}

func inside(r, bound frame.Rect) bool {
	return r.X >= bound.X && r.Y >= bound.Y && r.Right() <= bound.Right() && r.Bottom() <= bound.Bottom()
}

// picture is what a chapter was given and placed in its last frame.
type picture struct {
	area    frame.Rect
	widgets []ui.Widget // the controls it laid out in its picture
}

// recorder is a chapter that remembers its last picture.
type recorder struct {
	lab.Chapter
	last *picture
}

func (r recorder) Build(x *lab.Context, area frame.Rect, l *frame.Layer) {
	r.last.area = area
	r.Chapter.Build(x, area, l)
}

// sceneRecorder is a recorder of a chapter with controls in its picture.
type sceneRecorder struct {
	recorder
	sc lab.SceneControls
}

func (r sceneRecorder) SceneControls(x *lab.Context, area frame.Rect) []ui.Widget {
	ws := r.sc.SceneControls(x, area)
	r.last.widgets = ws
	return ws
}

func wrap(c lab.Chapter, last *picture) lab.Chapter {
	r := recorder{Chapter: c, last: last}
	if sc, ok := c.(lab.SceneControls); ok {
		return sceneRecorder{recorder: r, sc: sc}
	}
	return r
}
