package lab

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/spacetime"
	"github.com/ringlab/ringlab/render/diagram"
	"github.com/ringlab/ringlab/render/ui"
)

func command(t *testing.T, l *Lab, text string) {
	t.Helper()
	if err := l.Command(text); err != "" {
		t.Fatalf("%s: %v", text, err)
	}
}

func TestViewCommandAndState(t *testing.T) {
	l := newLab(t, Options{Seed: 3, Paused: true})
	l.Update(idle(), desktop)
	if s := state(t, l); s.View != ViewScene {
		t.Fatalf("view %q at start, want scene", s.View)
	}
	command(t, l, `{"type":"view","value":"diagram"}`)
	l.Update(idle(), desktop)
	if s := state(t, l); s.View != ViewDiagram {
		t.Fatalf("view %q, want diagram", s.View)
	}
	for _, bad := range []string{`{"type":"view","value":"radar"}`, `{"type":"view","value":3}`, `{"type":"view"}`} {
		if err := l.Command(bad); err == "" {
			t.Errorf("%s accepted", bad)
		}
	}
	l.Update(idle(), desktop)
	if s := state(t, l); s.View != ViewDiagram || s.Notice != "" {
		t.Errorf("after bad commands: view %q, notice %q", s.View, s.Notice)
	}
	// The v key cycles the views.
	l.Update(&ui.Input{Chars: []rune{'v'}, MouseX: -1, MouseY: -1}, desktop)
	if s := state(t, l); s.View != ViewHistory {
		t.Errorf("v after diagram gives %q, want history", s.View)
	}
	for _, bad := range []string{`{"type":"select","value":"op:x"}`, `{"type":"select","value":"msg:0"}`, `{"type":"select","value":"op:"}`} {
		if err := l.Command(bad); err == "" {
			t.Errorf("%s accepted", bad)
		}
	}
	command(t, l, `{"type":"run","value":100}`)
	command(t, l, `{"type":"select","value":"op:1"}`)
	l.Update(idle(), desktop)
	if s := state(t, l); l.tv.sel != (diagram.Item{Kind: diagram.ItemOp, ID: 1}) || !strings.Contains(s.ViewText, "via n") {
		t.Errorf("select op:1: selection %+v, view text %q", l.tv.sel, s.ViewText)
	}
	command(t, l, `{"type":"select","value":"op:99999"}`)
	l.Update(idle(), desktop)
	if s := state(t, l); !strings.Contains(s.Notice, "no operation 99999") || l.tv.sel.ID != 1 {
		t.Errorf("select op:99999: notice %q, selection %+v", s.Notice, l.tv.sel)
	}
	bad, err := New([]Chapter{newRingChapter()}, measure, Options{View: "radar"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(bad.Notice(), `Ignored view="radar" is not a view`) || bad.tv.mode != ViewScene {
		t.Errorf("Options.View radar: notice %q, view %q", bad.Notice(), bad.tv.mode)
	}
}

// freshModel is the diagram model rebuilt from the run's trace at the
// current tick, by replaying it from the start.
func freshModel(t *testing.T, l *Lab) *spacetime.Model {
	t.Helper()
	evs, err := l.context().RunTrace()
	if err != nil {
		t.Fatal(err)
	}
	m := spacetime.New(l.tl.Config())
	m.Add(evs)
	return m
}

// diagramAt is what the diagram lays out at the current tick, as data.
func diagramAt(l *Lab, m *spacetime.Model) *diagram.Layout {
	in := l.timeInput()
	in.Stale = nil
	return diagram.Build(m, in)
}

func sameDiagram(a, b *diagram.Layout) bool {
	if len(a.Arrows) != len(b.Arrows) || len(a.Bars) != len(b.Bars) || len(a.Shades) != len(b.Shades) || !reflect.DeepEqual(a.Lanes, b.Lanes) {
		return false
	}
	for i := range a.Arrows {
		x, y := a.Arrows[i], b.Arrows[i]
		if x.Msg.ID != y.Msg.ID || x.X0 != y.X0 || x.Y0 != y.Y0 || x.X1 != y.X1 || x.Y1 != y.Y1 || x.Lost != y.Lost || x.InFlight != y.InFlight {
			return false
		}
	}
	for i := range a.Bars {
		x, y := a.Bars[i], b.Bars[i]
		if x.Op.Request != y.Op.Request || x.Rect != y.Rect || x.Label != y.Label || x.Pending != y.Pending {
			return false
		}
	}
	return reflect.DeepEqual(a.Shades, b.Shades)
}

// TestDiagramIsTheRunAtTheTickOnScreen plays, scrubs back, forks and plays
// on, and checks after each that the diagram the lab draws equals the one
// built from a fresh replay of the run to the tick on screen.
func TestDiagramIsTheRunAtTheTickOnScreen(t *testing.T) {
	l := newLab(t, Options{Seed: 5, Paused: true, View: ViewDiagram})
	l.Update(idle(), desktop)
	check := func(when string) {
		t.Helper()
		if l.tv.model == nil {
			t.Fatalf("%s: no model", when)
		}
		got, want := diagramAt(l, l.tv.model), diagramAt(l, freshModel(t, l))
		if !sameDiagram(got, want) {
			t.Fatalf("%s (tick %d): the diagram differs from a replay's (%d arrows, %d bars; replay %d, %d)",
				when, l.tl.Now(), len(got.Arrows), len(got.Bars), len(want.Arrows), len(want.Bars))
		}
		if len(want.Arrows) == 0 {
			t.Fatalf("%s: an empty diagram proves nothing", when)
		}
	}
	command(t, l, `{"type":"run","value":300}`)
	l.Update(idle(), desktop)
	check("after playing to 300")
	command(t, l, `{"type":"seek","value":120}`)
	l.Update(idle(), desktop)
	check("after scrubbing back to 120")
	// Acting in the past forks: the model must drop the old future.
	command(t, l, `{"type":"core","cmd":{"kind":"crash","node":2}}`)
	l.Update(idle(), desktop)
	command(t, l, `{"type":"run","value":80}`)
	l.Update(idle(), desktop)
	check("after a fork at 120 and 80 more ticks")
	command(t, l, `{"type":"seek","value":150}`)
	l.Update(idle(), desktop)
	check("after scrubbing back into the fork")
}

// TestClickingAnOperationExplainsItAndMovesTheTimeline clicks an
// operation's bar in the diagram.
func TestClickingAnOperationExplainsItAndMovesTheTimeline(t *testing.T) {
	l := newLab(t, Options{Seed: 5, Paused: true, View: ViewDiagram})
	l.Update(idle(), desktop)
	command(t, l, `{"type":"run","value":200}`)
	l.Update(idle(), desktop)
	lay := &l.tv.layout
	var bar *diagram.Bar
	for i := range lay.Bars {
		if b := &lay.Bars[i]; !b.Pending && b.Op.Kind == core.OpGet && b.Op.OK && b.Rect.W > 6 {
			bar = b
		}
	}
	if bar == nil {
		t.Fatalf("no answered get among %d bars", len(lay.Bars))
	}
	id, end := bar.Op.Request, bar.Op.End
	x, y := bar.Rect.X+bar.Rect.W/2, bar.Rect.Y+bar.Rect.H/2
	l.Update(&ui.Input{MouseX: x, MouseY: y, MouseDown: true, MousePressed: true}, desktop)
	l.Update(&ui.Input{MouseX: x, MouseY: y, MouseReleased: true}, desktop)
	l.Update(idle(), desktop)
	if l.tv.sel != (diagram.Item{Kind: diagram.ItemOp, ID: uint64(id)}) {
		t.Fatalf("selection %+v, want the get %d", l.tv.sel, id)
	}
	if s := state(t, l); s.Tick != end {
		t.Errorf("the timeline is at %d, want the get's answer at %d", s.Tick, end)
	}
	if c := l.timeCaption(); !strings.Contains(c, "get ") || !strings.Contains(c, "replies counted") {
		t.Errorf("caption %q does not explain the get", c)
	}
	// Keyboard: [ selects the previous operation, ] comes back.
	l.Update(&ui.Input{Chars: []rune{'['}, MouseX: -1, MouseY: -1}, desktop)
	if l.tv.sel.Kind != diagram.ItemOp || l.tv.sel.ID == uint64(id) {
		t.Errorf("[ kept the selection at %+v", l.tv.sel)
	}
	l.Update(&ui.Input{Chars: []rune{']'}, MouseX: -1, MouseY: -1}, desktop)
	if l.tv.sel.ID != uint64(id) {
		t.Errorf("] after [ selects %d, want %d", l.tv.sel.ID, id)
	}
}

func TestTimeViewsReachableByTab(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Paused: true, View: ViewDiagram})
	l.Update(idle(), desktop)
	order := strings.Join(tabOrder(t, l, desktop), " ")
	for _, id := range []string{"view", "view-prevop", "view-nextop", "view-zoomin", "view-follow", "view-gossip"} {
		if !strings.Contains(order, id) {
			t.Errorf("Tab does not reach %s: %s", id, order)
		}
	}
	if strings.Contains(order, "sandbox-split") && !strings.Contains(order, "sandbox-write") {
		t.Errorf("odd order %s", order)
	}
}

// A notice over the diagram or the history (a replay loaded, a link
// opened) leaves the view's own controls in sight and in reach: it lies
// under them, over the plot, within the picture.
func TestNoticeLeavesTheTimeViewsControlsInReach(t *testing.T) {
	for _, view := range []string{ViewDiagram, ViewHistory} {
		l := newLab(t, Options{Seed: 1, Paused: true, View: view})
		l.Update(idle(), desktop)
		l.notify("Loaded the replay: a long enough notice to take a whole line, seed 1, 12 actions, tick 40.")
		l.Update(idle(), desktop)
		n, scene := l.layout.notice, l.layout.scene
		if n.H == 0 || n.Y < scene.Y || n.Y+n.H > scene.Y+scene.H {
			t.Fatalf("%s: the notice %+v is not within the picture %+v", view, n, scene)
		}
		ws := l.timeWidgets()
		if len(ws) < 5 {
			t.Fatalf("%s: %d of the view's controls have room", view, len(ws))
		}
		for _, w := range ws {
			if w.Bounds().Overlaps(n) {
				t.Errorf("%s: the notice %+v covers %s %+v", view, n, w.ID(), w.Bounds())
			}
		}
	}
}

// TestViewTravelsWithLinksAndReplays: the link and the replay file carry
// the view; a link naming an unknown view opens the run in the scene with
// a notice.
func TestViewTravelsWithLinksAndReplays(t *testing.T) {
	l := newLab(t, Options{Seed: 4, Paused: true})
	l.Update(idle(), desktop)
	command(t, l, `{"type":"run","value":60}`)
	command(t, l, `{"type":"view","value":"history"}`)
	l.Update(idle(), desktop)
	link := l.Link()
	if !strings.Contains(link, "view=history") {
		t.Fatalf("link %q does not carry the view", link)
	}
	o := newLab(t, Options{Seed: 1, Paused: true})
	o.Update(idle(), desktop)
	if msg := o.LoadState(link); msg != "" {
		t.Fatalf("LoadState: %q", msg)
	}
	o.Update(idle(), desktop)
	if s := state(t, o); s.View != ViewHistory || s.Tick != 60 || s.Digest != state(t, l).Digest {
		t.Errorf("reopened: view %q tick %d", s.View, s.Tick)
	}
	// An unknown view: the run opens, in the scene, with a notice.
	bad := strings.Replace(link, "view=history", "view=radar", 1)
	if msg := o.LoadState(bad); msg != "" {
		t.Fatalf("LoadState: %q", msg)
	}
	o.Update(idle(), desktop)
	if s := state(t, o); s.View != ViewScene || s.Tick != 60 || !strings.Contains(s.Notice, `"radar" is not a view`) {
		t.Errorf("view=radar: view %q tick %d notice %q", s.View, s.Tick, s.Notice)
	}
	// Replay files carry it too.
	f, err := l.Export("replay.json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(f.Data), `"view": "history"`) {
		t.Fatalf("replay without the view:\n%s", f.Data)
	}
	if msg := o.LoadReplay(f.Data); msg != "" {
		t.Fatalf("LoadReplay: %q", msg)
	}
	o.Update(idle(), desktop)
	if s := state(t, o); s.View != ViewHistory {
		t.Errorf("replay opened in view %q", s.View)
	}
}

// The time view's selection travels in links: a link written while an
// operation is selected names it (select=op:N), and opening it selects it
// again; one scrubbed back to before the operation began names nothing;
// a link naming an operation the run does not have opens the run with a
// notice and nothing selected.
func TestSelectionTravelsInLinks(t *testing.T) {
	l := newLab(t, Options{Seed: 3, Paused: true})
	command(t, l, `{"type":"view","value":"diagram"}`)
	command(t, l, `{"type":"run","value":100}`)
	command(t, l, `{"type":"select","value":"op:2"}`)
	l.Update(idle(), desktop)
	link := l.Link()
	if !strings.Contains(link, "&select=op%3A2&") {
		t.Fatalf("the link does not name the selection: %s", link)
	}
	o := newLab(t, Options{Paused: true})
	if msg := o.LoadState(link); msg != "" {
		t.Fatal(msg)
	}
	o.Update(idle(), desktop)
	if s := state(t, o); o.tv.sel != (diagram.Item{Kind: diagram.ItemOp, ID: 2}) || s.ViewText != state(t, l).ViewText || s.Notice != "" {
		t.Errorf("opened: selection %+v, view text %q (want %q), notice %q", o.tv.sel, s.ViewText, state(t, l).ViewText, s.Notice)
	}

	start := l.tv.model.Ops()[1].Start
	command(t, l, `{"type":"seek","value":`+strconv.FormatInt(start-1, 10)+`}`)
	l.Update(idle(), desktop)
	if link := l.Link(); strings.Contains(link, "select=") {
		t.Errorf("scrubbed to before the operation began, the link still names it: %s", link)
	}

	bad := strings.Replace(link, "select=op%3A2", "select=op%3A999", 1)
	p := newLab(t, Options{Paused: true})
	if msg := p.LoadState(bad); msg != "" {
		t.Fatal(msg)
	}
	p.Update(idle(), desktop)
	if s := state(t, p); p.tv.sel != (diagram.Item{}) || !strings.Contains(s.Notice, "no operation 999") || s.Tick != state(t, o).Tick {
		t.Errorf("select=op:999: selection %+v, notice %q, tick %d", p.tv.sel, s.Notice, s.Tick)
	}
}
