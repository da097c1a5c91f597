package lab

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
)

// tabOrder presses Tab until the focus leaves the controls and returns the
// ids in the order they were focused.
func tabOrder(t *testing.T, l *Lab, sz Size) []string {
	t.Helper()
	var order []string
	for range 60 {
		l.Update(&ui.Input{Keys: []ui.Key{ui.KeyTab}, MouseX: -1, MouseY: -1}, sz)
		f := l.Focus()
		if f == "" {
			break
		}
		order = append(order, f)
	}
	return order
}

// filled is the sandbox's run and controls with a picture that paints all
// of the area the lab gives it, down to a line of text on its bottom edge,
// so that a test sees every pixel handed to the chapter.
type filled struct{ *ringChapter }

func (f filled) Build(x *Context, area frame.Rect, layer *frame.Layer) {
	layer.Rect(area, frame.RGB(0x203040))
	size := x.Theme.Font()
	layer.Label(area.X, area.Bottom()-frame.LineHeight(size), size, x.Theme.Text, frame.AlignStart, "bottom line")
}

// withParts is a chapter showing only the given standard parts.
type withParts struct {
	Chapter
	parts Parts
}

func (w withParts) Parts() Parts { return w.parts }

// pageStripTopCSS is how far above the frame's bottom edge, in CSS pixels,
// web/style.css expects the top of the embed strip: one transport row of
// 44 px, two below 600 px of width, plus the strip itself.
func pageStripTopCSS(sz Size) float64 {
	rows := 1.0
	if sz.W/sz.Scale < 600 {
		rows = 2
	}
	return rows*44 + embedStripH
}

// checkPageStripEmpty reports anything of the chapter's picture (the scene
// layer's triangles and texts) and any control inside the embed strip.
func checkPageStripEmpty(t *testing.T, name string, l *Lab) {
	t.Helper()
	strip := l.layout.pageStrip
	inner := strip.Inset(0.5) // a shape may end exactly on the strip's edge
	for _, w := range l.mgr.Widgets() {
		if w.Bounds().Overlaps(inner) {
			t.Errorf("%s: control %s %+v in the page's strip %+v", name, w.ID(), w.Bounds(), strip)
		}
	}
	scene := &l.Frame().Layers[frame.LayerScene]
	for _, b := range scene.Batches() {
		for i := 0; i+2 < len(b.Idx); i += 3 {
			v0, v1, v2 := b.Verts[b.Idx[i]], b.Verts[b.Idx[i+1]], b.Verts[b.Idx[i+2]]
			x0, x1 := min(v0.X, v1.X, v2.X), max(v0.X, v1.X, v2.X)
			y0, y1 := min(v0.Y, v1.Y, v2.Y), max(v0.Y, v1.Y, v2.Y)
			box := frame.Rect{X: float64(x0), Y: float64(y0), W: float64(x1 - x0), H: float64(y1 - y0)}
			if box.Overlaps(inner) {
				t.Fatalf("%s: the chapter paints a triangle %+v in the page's strip %+v", name, box, strip)
			}
		}
	}
	for _, tx := range scene.Texts {
		box := frame.Rect{X: float64(tx.X), Y: float64(tx.Y), W: 1, H: frame.LineHeight(float64(tx.Size))}
		if box.Y < inner.Bottom() && inner.Y < box.Bottom() {
			t.Errorf("%s: the chapter's text %q at y %.0f is in the page's strip %+v", name, tx.S, tx.Y, strip)
		}
	}
}

// TestEmbedLayoutFitsSmallFrames: in embed mode at course-page sizes no two
// controls overlap, everything is on screen, the picture keeps most of the
// frame and the transport stays; the side panel opens from its button. The
// strip above the transport bar where the page puts its cue and its "Open
// in new tab" link holds nothing of the chapter, even one that paints all
// of its area, in frames at least embedStripFrameMinH tall; shorter frames
// keep those pixels for the picture.
func TestEmbedLayoutFitsSmallFrames(t *testing.T) {
	sizes := []Size{{W: 480, H: 360, Scale: 1}, {W: 640, H: 400, Scale: 1}, {W: 960, H: 720, Scale: 2},
		{W: 560, H: 420, Scale: 1}, {W: 1200, H: 840, Scale: 2}}
	for _, sz := range sizes {
		for _, panel := range []bool{false, true} {
			name := fmt.Sprintf("%vx%v@%v panel %v", sz.W, sz.H, sz.Scale, panel)
			l, err := New([]Chapter{filled{newRingChapter()}}, measure, Options{Seed: 1, Paused: true, Embed: true, Notices: []string{"a notice takes a row too"}})
			if err != nil {
				t.Fatal(err)
			}
			l.Update(idle(), sz)
			if panel {
				l.w.panel.OnClick()
			}
			l.Update(idle(), sz)
			checkLayout(t, name, l, sz)
			lay := l.layout
			if !lay.compact {
				t.Fatalf("%s: not the compact layout", name)
			}
			if lay.scene.W*lay.scene.H < 0.4*sz.W*sz.H {
				t.Errorf("%s: the picture has %+v of the frame", name, lay.scene)
			}
			strip := lay.pageStrip
			if sz.H/sz.Scale < embedStripFrameMinH {
				if strip.H != 0 {
					t.Errorf("%s: a page strip %+v in a frame under %v px tall", name, strip, embedStripFrameMinH)
				}
				continue
			}
			if strip.H < embedStripH*sz.Scale || strip.W != sz.W || strip.Bottom() != lay.bottom.Y {
				t.Errorf("%s: page strip %+v, want %v px high and full width just above the bar %+v", name, strip, embedStripH*sz.Scale, lay.bottom)
			}
			if lay.scene.Overlaps(strip) || lay.panel.Overlaps(strip) {
				t.Errorf("%s: the picture %+v or the panel %+v reaches into the page strip %+v", name, lay.scene, lay.panel, strip)
			}
			checkPageStripEmpty(t, name, l)
		}
	}
}

// TestEmbedLayoutKeepsItsControls: in embed mode at course-page sizes every
// standard control stays, the panel opens between the bars, the seed box
// is left out and the notice moves no control.
func TestEmbedLayoutKeepsItsControls(t *testing.T) {
	for _, sz := range []Size{{W: 480, H: 360, Scale: 1}, {W: 640, H: 400, Scale: 1}, {W: 960, H: 720, Scale: 2}, {W: 1200, H: 840, Scale: 2}} {
		for _, panel := range []bool{false, true} {
			name := fmt.Sprintf("%vx%v@%v panel %v", sz.W, sz.H, sz.Scale, panel)
			l := newLab(t, Options{Seed: 1, Paused: true, Embed: true, Notices: []string{"a notice takes a row too"}})
			l.Update(idle(), sz)
			if panel {
				l.w.panel.OnClick()
			}
			l.Update(idle(), sz)
			checkLayout(t, name, l, sz)
			lay := l.layout
			ids := map[string]bool{}
			for _, w := range l.mgr.Widgets() {
				ids[w.ID()] = true
			}
			for _, want := range []string{"play", "step", "speed", "timeline", "chapter", "copylink", "save", "panel"} {
				if !ids[want] {
					t.Errorf("%s: %s is missing", name, want)
				}
			}
			// With the panel closed, frames of at least 560x350 CSS pixels
			// keep the chapter's first (or primary) button in the strip.
			strip := !panel && sz.W/sz.Scale >= stripMinW && sz.H/sz.Scale >= stripMinH
			if ids["sandbox-write"] != (panel || strip) || ids["sandbox-split"] != panel {
				t.Errorf("%s: chapter controls shown %v, %v; want %v, %v", name, ids["sandbox-write"], ids["sandbox-split"], panel || strip, panel)
			}
			if panel && (lay.panel.Bottom() > lay.bottom.Y || lay.panel.Y < lay.top.Bottom()) {
				t.Errorf("%s: the panel %+v leaves its place between the bars", name, lay.panel)
			}
			if ids["seed"] {
				t.Errorf("%s: the seed box shows in a small frame", name)
			}
			// The notice lies over the picture: no control moves when it
			// comes or goes.
			before := map[string]frame.Rect{}
			for _, w := range l.mgr.Widgets() {
				before[w.ID()] = w.Bounds()
			}
			l.notice = ""
			l.Update(idle(), sz)
			for _, w := range l.mgr.Widgets() {
				if b, ok := before[w.ID()]; ok && b != w.Bounds() {
					t.Errorf("%s: %s moved from %+v to %+v when the notice went", name, w.ID(), b, w.Bounds())
				}
			}
		}
	}
}

// TestEmbedPageStripStaysPut: web/style.css places the page's cue and link
// by fixed lengths from the frame's bottom edge, so the strip's top must
// not move with the chapter's bar; outside embed mode there is no strip.
func TestEmbedPageStripStaysPut(t *testing.T) {
	sizes := []Size{{W: 560, H: 420, Scale: 1}, {W: 800, H: 500, Scale: 1}, {W: 1100, H: 800, Scale: 2}, {W: 1600, H: 1000, Scale: 2}}
	cases := []struct {
		name  string
		parts Parts
	}{
		{"all parts", PartsAll},
		{"transport without timeline", PartTransport},
		{"no bar", 0},
	}
	for _, c := range cases {
		for _, sz := range sizes {
			name := fmt.Sprintf("%s at %vx%v@%v", c.name, sz.W, sz.H, sz.Scale)
			for _, embed := range []bool{true, false} {
				l, err := New([]Chapter{withParts{filled{newRingChapter()}, c.parts}}, measure, Options{Seed: 1, Paused: true, Embed: embed})
				if err != nil {
					t.Fatal(err)
				}
				l.Update(idle(), sz)
				strip := l.layout.pageStrip
				if !embed {
					if strip.H != 0 {
						t.Errorf("%s, not embedded: page strip %+v", name, strip)
					}
					continue
				}
				if got, want := sz.H-strip.Y, pageStripTopCSS(sz)*sz.Scale; got != want {
					t.Errorf("%s: strip top %v px above the bottom edge, want %v", name, got, want)
				}
				if got, want := strip.H, embedStripH*sz.Scale; got < want {
					t.Errorf("%s: strip %v px high, want at least %v", name, got, want)
				}
				checkPageStripEmpty(t, name, l)
			}
		}
	}
}

// TestTabOrderFollowsTheScreen documents the shell's Tab order: the title
// bar left to right, the chapter's controls, the side panel, the transport.
func TestTabOrderFollowsTheScreen(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Chapter: "second", Paused: true})
	l.Update(idle(), desktop)
	got := strings.Join(tabOrder(t, l, desktop), " ")
	// Next is disabled on the last chapter, and so skipped.
	want := "prev chapter view copylink save help sandbox-write sandbox-split tabs node play step speed reset timeline seed"
	if got != want {
		t.Errorf("desktop Tab order:\n got %s\nwant %s", got, want)
	}
	e := newLab(t, Options{Seed: 1, Chapter: "second", Paused: true, Embed: true})
	small := Size{W: 480, H: 360, Scale: 1}
	e.Update(idle(), small)
	if got, want := strings.Join(tabOrder(t, e, small), " "), "prev chapter panel copylink save help play step speed reset timeline"; got != want {
		t.Errorf("embed Tab order:\n got %s\nwant %s", got, want)
	}
	e.w.panel.OnClick()
	e.Update(idle(), small)
	if got, want := strings.Join(tabOrder(t, e, small), " "), "prev chapter panel copylink save help sandbox-write sandbox-split tabs node play step speed reset timeline"; got != want {
		t.Errorf("embed Tab order with the panel open:\n got %s\nwant %s", got, want)
	}
	// The focused control gets a ring on the overlay, in the focus colour.
	e.mgr.SetFocus("copylink")
	e.Update(idle(), small)
	ring := false
	for _, b := range e.Frame().Layers[2].Batches() {
		for _, v := range b.Verts {
			ring = ring || (v.C == e.theme.Focus)
		}
	}
	if !ring {
		t.Error("no focus ring drawn around the focused control")
	}
}

// TestSaveMenuIsKeyboardOperableAndSafe: arrows on the closed menu do not
// fire an export; Enter opens it, Down and Enter pick the second row.
func TestSaveMenuIsKeyboardOperableAndSafe(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Paused: true})
	h := &recordingHost{}
	l.SetHost(h)
	l.Update(idle(), desktop)
	l.mgr.SetFocus("save")
	press := func(k ui.Key) { l.Update(&ui.Input{Keys: []ui.Key{k}, MouseX: -1, MouseY: -1}, desktop) }
	press(ui.KeyDown)
	press(ui.KeyUp)
	if len(h.saved) != 0 {
		t.Fatalf("arrows on the closed menu exported %v", h.saved)
	}
	press(ui.KeyEnter)
	press(ui.KeyDown)
	press(ui.KeyEnter)
	if len(h.saved) != 1 || h.saved[0] != ExportEvents {
		t.Fatalf("exported %v, want the event log", h.saved)
	}
	if l.Notice() != "saved "+ExportEvents {
		t.Errorf("notice %q", l.Notice())
	}
	l.w.copyLink.OnClick()
	if h.link != l.Link() || l.Notice() != "copied" {
		t.Errorf("Copy link gave %q and notice %q", h.link, l.Notice())
	}
	// Without a host the link is shown.
	l.SetHost(nil)
	l.w.copyLink.OnClick()
	if !strings.Contains(l.Notice(), "#v=1&chapter=sandbox") {
		t.Errorf("notice %q does not show the link", l.Notice())
	}
}

type recordingHost struct {
	link  string
	saved []string
}

func (h *recordingHost) CopyLink(link string) string { h.link = link; return "copied" }
func (h *recordingHost) Save(kind string, f File) string {
	h.saved = append(h.saved, kind)
	return "saved " + kind
}

// TestPageNewsIsBatched: the page hears of changes and log lines at most
// once every newsEveryFrames frames, at most newsLinesMax lines a time with
// the rest counted, and not at all while nothing changes.
func TestPageNewsIsBatched(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Paused: true})
	l.Update(idle(), desktop)
	l.Command(`{"type":"toggle"}`)
	l.Command(`{"type":"speed","value":600}`)
	l.Command(`{"type":"core","cmd":{"kind":"crash","node":3}}`)
	calls, lastAt := 0, int64(-newsEveryFrames)
	var changes []Change
	sawMore := false
	for range 120 {
		l.Update(idle(), desktop)
		change, lines := l.TakePageNews()
		if change == "" && lines == nil {
			continue
		}
		calls++
		if l.frameCounter-lastAt < newsEveryFrames {
			t.Fatalf("news at frame %d, %d frames after the last", l.frameCounter, l.frameCounter-lastAt)
		}
		lastAt = l.frameCounter
		if change != "" {
			var c Change
			if err := json.Unmarshal([]byte(change), &c); err != nil {
				t.Fatal(err)
			}
			changes = append(changes, c)
		}
		if len(lines) > newsLinesMax+1 {
			t.Fatalf("%d lines in one call", len(lines))
		}
		if len(lines) == newsLinesMax+1 {
			sawMore = strings.HasPrefix(lines[newsLinesMax], "and ") && strings.HasSuffix(lines[newsLinesMax], " more events")
		}
	}
	if calls == 0 || calls > 120/newsEveryFrames+1 {
		t.Errorf("%d calls in 120 frames", calls)
	}
	if len(changes) != 1 || changes[0].Paused || changes[0].Chapter != "sandbox" || !strings.Contains(changes[0].Link, "crash:node=n3") {
		t.Errorf("changes %+v, want one: playing, with the crash in its link", changes)
	}
	if !sawMore {
		t.Error("a busy run never summed up its extra lines")
	}
	// A pause is news again.
	l.Command(`{"type":"pause"}`)
	for range newsEveryFrames + 1 {
		l.Update(idle(), desktop)
		if change, _ := l.TakePageNews(); change != "" {
			return
		}
	}
	t.Error("pausing was not reported")
}

// TestReducedMotionKeepsPhaseZero: chapters interpolate with Phase, which
// stays 0 under reduced motion even at slow speeds.
func TestReducedMotionKeepsPhaseZero(t *testing.T) {
	for _, reduced := range []bool{false, true} {
		l := newLab(t, Options{Seed: 1, Speed: 4, ReducedMotion: reduced})
		sawPhase := false
		for range 20 {
			l.Update(idle(), desktop)
			x := l.context()
			sawPhase = sawPhase || x.Phase > 0
			if x.ReducedMotion != reduced {
				t.Fatalf("Context.ReducedMotion %v", x.ReducedMotion)
			}
		}
		if sawPhase == reduced {
			t.Errorf("reduced motion %v: saw a phase above 0: %v", reduced, sawPhase)
		}
	}
}

// TestFocusLeavesWithTheKeyboard: when the canvas loses the keyboard (Tab
// left it, or the window lost the focus) the focus ring and its tooltip go,
// and so does a hover tooltip; back in the canvas, Tab starts at the first
// control and Shift+Tab at the last.
func TestFocusLeavesWithTheKeyboard(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Paused: true})
	l.Update(idle(), desktop)
	tab := func(shift bool) {
		l.Update(&ui.Input{Keys: []ui.Key{ui.KeyTab}, Shift: shift, MouseX: -1, MouseY: -1}, desktop)
	}
	for range 3 {
		tab(false)
	}
	if l.Focus() == "" || l.mgr.TooltipFor() == "" {
		t.Fatalf("after three Tabs: focus %q, tooltip %q", l.Focus(), l.mgr.TooltipFor())
	}
	ringShown := func() bool {
		for _, b := range l.Frame().Layers[frame.LayerOverlay].Batches() {
			for _, v := range b.Verts {
				if v.C == l.theme.Focus {
					return true
				}
			}
		}
		return false
	}
	if !ringShown() {
		t.Fatal("no focus ring drawn while a control has the focus")
	}

	l.SetKeyboardFocus(false)
	l.Update(idle(), desktop)
	if f, tip := l.Focus(), l.mgr.TooltipFor(); f != "" || tip != "" || ringShown() {
		t.Errorf("after the canvas lost the keyboard: focus %q, tooltip %q, ring drawn %v", f, tip, ringShown())
	}
	// The pointer resting on a control shows no tooltip meanwhile.
	b := l.w.play.Bounds()
	over := &ui.Input{MouseX: b.X + b.W/2, MouseY: b.Y + b.H/2}
	for range 60 {
		l.Update(over, desktop)
	}
	if tip := l.mgr.TooltipFor(); tip != "" {
		t.Errorf("hover tooltip %q while the lab does not have the keyboard", tip)
	}

	for _, tc := range []struct {
		name  string
		shift bool
		first bool
	}{
		{"Tab", false, true},
		{"Shift+Tab", true, false},
	} {
		l.SetKeyboardFocus(false)
		l.Update(idle(), desktop)
		l.SetKeyboardFocus(true)
		tab(tc.shift)
		first, last := l.mgr.FocusEdge()
		if l.Focus() == "" || first != tc.first || last == tc.first {
			t.Errorf("%s back into the canvas: focus %q (first %v, last %v)", tc.name, l.Focus(), first, last)
		}
	}
}

// TestNoticeOverlaysAndSwallowsItsClick: a notice moves nothing below the
// title bar (a click aimed at a control as it appears still lands there),
// and a press on the notice itself dismisses it without reaching what lies
// under it.
func TestNoticeOverlaysAndSwallowsItsClick(t *testing.T) {
	sz := Size{W: 1280, H: 800, Scale: 1}
	l := newLab(t, Options{Seed: 1, Paused: true})
	l.Update(idle(), sz)
	scene, panel := l.layout.scene, l.layout.panel
	l.notify("something happened")
	l.Update(idle(), sz)
	if l.layout.scene != scene || l.layout.panel != panel {
		t.Errorf("the notice moved the picture %+v -> %+v or the panel %+v -> %+v", scene, l.layout.scene, panel, l.layout.panel)
	}
	n := l.layout.notice
	if n.H == 0 || !scene.Contains(n.X+1, n.Y+1) {
		t.Fatalf("the notice %+v does not lie over the picture %+v", n, scene)
	}
	sel := l.selected
	x, y := n.X+n.W/2, n.Y+n.H/2
	l.Update(&ui.Input{MouseX: x, MouseY: y, MouseDown: true, MousePressed: true}, sz)
	l.Update(&ui.Input{MouseX: x, MouseY: y, MouseReleased: true}, sz)
	if l.notice != "" {
		t.Errorf("a press on the notice left it: %q", l.notice)
	}
	if l.selected != sel {
		t.Errorf("the press went through the notice and selected %v", l.selected)
	}
}

// A notice longer than the bar wraps: the bar grows a line for each line of
// text (up to noticeMaxLines), so a long verdict reads whole at 1280 pixels
// and in a narrow frame, with its action button beside it; a short one
// keeps one line.
func TestLongNoticeWrapsWhole(t *testing.T) {
	long := "Yes: a write of key-17 via n2 then a read via n0 on the AP cluster (any message order, any timeout, one partition) can give a stale read, in 7 steps (5,123 states searched). Show me opens it."
	for _, sz := range []Size{desktop, {W: 800, H: 600, Scale: 1}} {
		l := newLab(t, Options{})
		l.Update(idle(), sz)
		l.notify("Short.")
		l.Update(idle(), sz)
		oneLine := l.layout.notice.H
		l.notify(long)
		l.noticeAct = &ui.Button{Label: "Show me"}
		l.Update(idle(), sz)
		var got []string
		for _, tx := range l.Frame().Layers[frame.LayerOverlay].Texts {
			if tx.Y >= float32(l.layout.notice.Y) && tx.Y < float32(l.layout.notice.Bottom()) && tx.S != "Show me" {
				got = append(got, tx.S)
			}
		}
		text := strings.Join(got, " ")
		if text != long+"  (Esc to dismiss)" && strings.Join(strings.Fields(text), " ") != strings.Join(strings.Fields(long+" (Esc to dismiss)"), " ") {
			t.Errorf("%vx%v: the notice reads %q", sz.W, sz.H, text)
		}
		if len(got) < 2 || l.layout.notice.H <= oneLine {
			t.Errorf("%vx%v: %d lines in a bar %v high (one line: %v)", sz.W, sz.H, len(got), l.layout.notice.H, oneLine)
		}
	}
}
