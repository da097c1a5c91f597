package lab

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

var measure = &frame.GoRegular{}

// renamed is the sandbox under another ID, so navigation has somewhere to go.
type renamed struct {
	*ringChapter
	id string
}

func (r renamed) Info() ChapterInfo {
	i := r.ringChapter.Info()
	i.ID, i.Title = r.id, "Second "+r.id
	return i
}

func newLab(t *testing.T, opts Options) *Lab {
	t.Helper()
	l, err := New([]Chapter{newRingChapter(), renamed{newRingChapter(), "second"}}, measure, opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var desktop = Size{W: 1280, H: 800, Scale: 1}

func idle() *ui.Input { return &ui.Input{MouseX: -1, MouseY: -1} }

func state(t *testing.T, l *Lab) State {
	t.Helper()
	var s State
	if err := json.Unmarshal([]byte(l.State()), &s); err != nil {
		t.Fatalf("state JSON: %v\n%s", err, l.State())
	}
	return s
}

func TestParseCommand(t *testing.T) {
	cases := []struct {
		name, json string
		ok         bool
	}{
		{"play", `{"type":"play"}`, true},
		{"speed", `{"type":"speed","value":120}`, true},
		{"chapter by id", `{"type":"chapter","value":"sandbox"}`, true},
		{"chapter by number", `{"type":"chapter","value":2}`, true},
		{"core put", `{"type":"core","cmd":{"kind":"put","node":1,"key":"a","value":"x"}}`, true},
		{"not JSON", `{type:play}`, false},
		{"empty", ``, false},
		{"no type", `{}`, false},
		{"unknown type", `{"type":"explode"}`, false},
		{"unknown field", `{"type":"play","extra":1}`, false},
		{"speed without value", `{"type":"speed"}`, false},
		{"speed as text", `{"type":"speed","value":"fast"}`, false},
		{"speed too high", `{"type":"speed","value":1e12}`, false},
		{"negative seed", `{"type":"seed","value":-3}`, false},
		{"fractional seed", `{"type":"seed","value":1.5}`, false},
		{"chapter zero", `{"type":"chapter","value":0}`, false},
		{"core without cmd", `{"type":"core"}`, false},
		{"run", `{"type":"run","value":500}`, true},
		{"run zero", `{"type":"run","value":0}`, false},
		{"run fraction", `{"type":"run","value":1.5}`, false},
		{"press", `{"type":"press","value":"play"}`, true},
		{"press nothing", `{"type":"press","value":""}`, false},
		{"core without kind", `{"type":"core","cmd":{}}`, false},
		// What a link could not carry is refused at once, not recorded.
		{"core unknown kind", `{"type":"core","cmd":{"kind":"explode"}}`, false},
		{"core key too long", `{"type":"core","cmd":{"kind":"put","node":1,"key":"` + strings.Repeat("k", 60000) + `","value":"x"}}`, false},
		{"core client out of range", `{"type":"core","cmd":{"kind":"put","node":1,"client":100000,"key":"a","value":"x"}}`, false},
		{"core deliver", `{"type":"core","cmd":{"kind":"deliver","msg":3}}`, true},
		{"speed null (NaN)", `{"type":"speed","value":null}`, false},
		{"two objects", `{"type":"play"}{"type":"pause"}`, false},
		{"huge", `{"type":"play","value":"` + strings.Repeat("x", commandJSONMax) + `"}`, false},
	}
	for _, tc := range cases {
		_, err := ParseCommand(tc.json)
		if tc.name == "speed null (NaN)" && err != nil && !strings.Contains(err.Error(), "got null") {
			t.Errorf("%s: %v does not say it got null", tc.name, err)
		}
		if (err == nil) != tc.ok {
			t.Errorf("%s: error %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans lines: %q", tc.name, err)
		}
	}
}

func TestCommandsApplyOnlyInUpdate(t *testing.T) {
	l := newLab(t, Options{Seed: 3, Paused: true})
	l.Update(idle(), desktop)
	before := state(t, l)
	for _, c := range []string{`{"type":"step"}`, `{"type":"step"}`, `{"type":"speed","value":100}`,
		`{"type":"core","cmd":{"kind":"crash","node":2}}`} {
		if msg := l.Command(c); msg != "" {
			t.Fatalf("%s refused: %s", c, msg)
		}
	}
	if msg := l.Command(`{"type":"nonsense"}`); msg == "" {
		t.Fatal("a malformed command was accepted")
	}
	if s := state(t, l); s.Tick != before.Tick || s.Speed != before.Speed {
		t.Fatalf("commands changed the state before Update: %+v", s)
	}
	l.Update(idle(), desktop)
	s := state(t, l)
	if s.Tick != before.Tick+2 || s.Speed != 100 || !s.Paused {
		t.Errorf("after Update: tick %d speed %v paused %v; want tick %d, speed 100, paused", s.Tick, s.Speed, s.Paused, before.Tick+2)
	}
	if s.Nodes[2].Up || s.Nodes[2].Status != "down" {
		t.Errorf("n2 after crash command: %+v", s.Nodes[2])
	}
	if s.Recorded != 1 {
		t.Errorf("recorded %d commands, want the crash", s.Recorded)
	}
}

func TestKeyboardShortcuts(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Paused: true, Speed: 10})
	l.Update(idle(), desktop)
	steps := []struct {
		name  string
		in    ui.Input
		check func(s State) string
	}{
		{"Space plays", ui.Input{Keys: []ui.Key{ui.KeySpace}}, func(s State) string {
			if s.Paused {
				return "still paused"
			}
			return ""
		}},
		{"Space again pauses", ui.Input{Keys: []ui.Key{ui.KeySpace}}, func(s State) string {
			if !s.Paused {
				return "still playing"
			}
			return ""
		}},
		{"+ doubles the speed", ui.Input{Chars: []rune{'+'}}, func(s State) string {
			if s.Speed != 20 {
				return fmt.Sprintf("speed %v, want 20", s.Speed)
			}
			return ""
		}},
		{"- halves it", ui.Input{Chars: []rune{'-', '-'}}, func(s State) string {
			if s.Speed != 5 {
				return fmt.Sprintf("speed %v, want 5", s.Speed)
			}
			return ""
		}},
		{"? opens help", ui.Input{Chars: []rune{'?'}}, func(s State) string {
			if !s.Help {
				return "no help"
			}
			return ""
		}},
		{"Space does nothing under help", ui.Input{Keys: []ui.Key{ui.KeySpace}}, func(s State) string {
			if !s.Paused || !s.Help {
				return "help must be modal"
			}
			return ""
		}},
		{"Esc closes help", ui.Input{Keys: []ui.Key{ui.KeyEscape}}, func(s State) string {
			if s.Help {
				return "help still open"
			}
			return ""
		}},
		{"Tab focuses the first control", ui.Input{Keys: []ui.Key{ui.KeyTab}}, func(s State) string {
			if s.Focus != "prev" && s.Focus != "chapter" {
				return "focus " + s.Focus
			}
			return ""
		}},
	}
	for _, st := range steps {
		in := st.in
		in.MouseX, in.MouseY = -1, -1
		l.Update(&in, desktop)
		if msg := st.check(state(t, l)); msg != "" {
			t.Fatalf("%s: %s", st.name, msg)
		}
	}
	// Right arrow steps one tick when nothing focused uses it.
	l.mgr.SetFocus("")
	tick := state(t, l).Tick
	l.Update(&ui.Input{Keys: []ui.Key{ui.KeyRight}, MouseX: -1, MouseY: -1}, desktop)
	if got := state(t, l).Tick; got != tick+1 {
		t.Errorf("Right arrow: tick %d, want %d", got, tick+1)
	}
	l.Update(&ui.Input{Keys: []ui.Key{ui.KeyLeft}, MouseX: -1, MouseY: -1}, desktop)
	if got := state(t, l).Tick; got != tick {
		t.Errorf("Left arrow: tick %d, want back at %d", got, tick)
	}
}

func TestTabReachesEveryControlAndReportsTheEnd(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Paused: true})
	l.Update(idle(), desktop)
	var order []string
	for range 40 {
		l.Update(&ui.Input{Keys: []ui.Key{ui.KeyTab}, MouseX: -1, MouseY: -1}, desktop)
		s := state(t, l)
		if s.Focus == "" {
			break
		}
		order = append(order, s.Focus)
		if s.FocusLast && s.Focus != "seed" {
			t.Errorf("focusLast on %q, want it on the seed, the last control", s.Focus)
		}
	}
	// prev is disabled on the first chapter, "read it back" has nothing to
	// read yet, and crash has no node selected: Tab skips them.
	want := "chapter next view copylink save help sandbox-write sandbox-split tabs node play step speed reset timeline seed"
	if got := strings.Join(order, " "); got != want {
		t.Errorf("Tab order:\n got %s\nwant %s", got, want)
	}
}

func TestChapterNavigation(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Chapter: "second"})
	l.Update(idle(), desktop)
	if s := state(t, l); s.Chapter != "second" || s.ChapterIndex != 2 {
		t.Fatalf("start at second: %s %d", s.Chapter, s.ChapterIndex)
	}
	l.w.prev.OnClick()
	l.Update(idle(), desktop)
	if s := state(t, l); s.Chapter != "sandbox" || s.ChapterIndex != 1 || s.Tick != 0 {
		t.Fatalf("prev: %s %d tick %d", s.Chapter, s.ChapterIndex, s.Tick)
	}
	if !l.w.prev.Disabled || l.w.next.Disabled {
		t.Error("on the first chapter prev must be disabled and next enabled")
	}
	l.Command(`{"type":"chapter","value":2}`)
	l.Update(idle(), desktop)
	if s := state(t, l); s.Chapter != "second" {
		t.Errorf("chapter command: %s", s.Chapter)
	}
	bad := newLab(t, Options{Seed: 1, Chapter: "nowhere"})
	bad.Update(idle(), desktop)
	if s := state(t, bad); s.Chapter != "sandbox" || !strings.Contains(s.Notice, "nowhere") {
		t.Errorf("unknown chapter must fall back with a notice: %s %q", s.Chapter, s.Notice)
	}
}

func TestClickNodeThenCrashIt(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Paused: true})
	l.Update(idle(), desktop)
	sb := l.Chapter().(*ringChapter)
	n := sb.ring.Nodes[1]
	l.Update(&ui.Input{MouseX: n.X, MouseY: n.Y, MouseDown: true, MousePressed: true}, desktop)
	l.Update(&ui.Input{MouseX: n.X, MouseY: n.Y, MouseReleased: true}, desktop)
	if l.Selected() != n.ID {
		t.Fatalf("clicked %v, selected %v", n.ID, l.Selected())
	}
	b := l.w.crash.Bounds()
	l.Update(&ui.Input{MouseX: b.X + 5, MouseY: b.Y + 5, MouseDown: true, MousePressed: true}, desktop)
	l.Update(&ui.Input{MouseX: b.X + 5, MouseY: b.Y + 5, MouseReleased: true}, desktop)
	if s := state(t, l); s.Nodes[n.ID].Up {
		t.Fatalf("crash button did not crash %v", n.ID)
	}
	if l.w.crash.Label != "Restart "+n.ID.String() {
		t.Errorf("crash button now reads %q", l.w.crash.Label)
	}
}

func TestScrubWithTimelineThenForkByCommand(t *testing.T) {
	l := newLab(t, Options{Seed: 5, Speed: UpdatesPerSecond * 64})
	for range 3 {
		l.Update(idle(), desktop)
	}
	head := l.Timeline().Head()
	if head < 100 {
		t.Fatalf("head %d after 3 fast frames", head)
	}
	l.Command(fmt.Sprintf(`{"type":"seek","value":%d}`, head/2))
	l.Update(idle(), desktop)
	s := state(t, l)
	if s.Tick != head/2 || s.Head != head || !s.Paused {
		t.Fatalf("after seek: tick %d head %d paused %v", s.Tick, s.Head, s.Paused)
	}
	l.Command(`{"type":"core","cmd":{"kind":"crash","node":0}}`)
	l.Update(idle(), desktop)
	if s := state(t, l); s.Head != head/2 {
		t.Errorf("acting in the past must fork: head %d, want %d", s.Head, head/2)
	}
}

// checkLayout finds overlapping controls, controls off screen, and text
// smaller than 13 px at 1x.
func checkLayout(t *testing.T, name string, l *Lab, sz Size) {
	t.Helper()
	ws := l.mgr.Widgets()
	for i, a := range ws {
		ra := a.Bounds()
		if ra.W <= 0 || ra.H <= 0 {
			t.Errorf("%s: %s has no size", name, a.ID())
			continue
		}
		if ra.X < 0 || ra.Y < 0 || ra.Right() > sz.W+0.5 || ra.Bottom() > sz.H+0.5 {
			t.Errorf("%s: %s at %+v is off the %vx%v screen", name, a.ID(), ra, sz.W, sz.H)
		}
		for _, b := range ws[i+1:] {
			if ra.Overlaps(b.Bounds()) {
				t.Errorf("%s: %s %+v overlaps %s %+v", name, a.ID(), ra, b.ID(), b.Bounds())
			}
		}
	}
	f := l.Frame()
	for li := range f.Layers {
		for _, tx := range f.Layers[li].Texts {
			if float64(tx.Size) < 13*sz.Scale-1e-9 {
				t.Errorf("%s: text %q at %.1f px, want at least %.0f", name, tx.S, tx.Size, 13*sz.Scale)
			}
		}
	}
}

func TestLayoutFollowsTheWindow(t *testing.T) {
	for _, sz := range []Size{{1280, 800, 1}, {2560, 1600, 2}, {800, 600, 1}, {1600, 1200, 2}, {1920, 1080, 1}} {
		l := newLab(t, Options{Seed: 1, Paused: true})
		l.Update(idle(), sz)
		name := fmt.Sprintf("%vx%v@%v", sz.W, sz.H, sz.Scale)
		checkLayout(t, name, l, sz)
		if l.layout.scene.W < 300*sz.Scale*0.9 || l.layout.scene.H < 300*sz.Scale {
			t.Errorf("%s: ring area %+v too small", name, l.layout.scene)
		}
	}
}

func TestSmallFrameGolden(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Paused: true})
	l.Update(idle(), Size{W: 1024, H: 700, Scale: 1})
	var buf bytes.Buffer
	f := l.Frame()
	for li, name := range []string{"scene", "ui", "overlay"} {
		fmt.Fprintf(&buf, "layer %s: %d batches\n", name, len(f.Layers[li].Batches()))
		for _, tx := range f.Layers[li].Texts {
			fmt.Fprintf(&buf, "  %q at (%.0f,%.0f) %.0fpx\n", tx.S, tx.X, tx.Y, tx.Size)
		}
	}
	for _, w := range l.mgr.Widgets() {
		r := w.Bounds()
		fmt.Fprintf(&buf, "widget %s at (%.0f,%.0f) %.0fx%.0f\n", w.ID(), r.X, r.Y, r.W, r.H)
	}
	golden := "testdata/small_frame.golden"
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("frame differs from %s:\n--- got\n%s", golden, buf.Bytes())
	}
}

func TestEveryTextHasGlyphs(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Chapter: "second", Notices: []string{"a notice"}})
	l.Update(idle(), desktop)
	l.Command(`{"type":"help"}`)
	l.Command(`{"type":"step"}`)
	l.Update(idle(), desktop)
	for _, tab := range []int{tabInspector, tabEvents, tabCounters} {
		l.tab = tab
		l.selected = 1
		l.Update(&ui.Input{Keys: []ui.Key{ui.KeyTab}, MouseX: -1, MouseY: -1}, desktop)
		f := l.Frame()
		for li := range f.Layers {
			for _, tx := range f.Layers[li].Texts {
				if miss := measure.Missing(tx.S); len(miss) > 0 {
					t.Errorf("tab %d: text %q uses %q, which Go Regular cannot draw", tab, tx.S, string(miss))
				}
			}
		}
	}
}

func TestConfigSelectAndTabCommands(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Paused: true})
	l.Update(idle(), desktop)
	for _, c := range []string{
		`{"type":"config","value":{"nodes":8,"vnodes":4,"n":3,"w":2,"r":2,"latency_min":1,"latency_max":2,"timeout":20}}`,
		`{"type":"select","value":"n6"}`,
		`{"type":"tab","value":"counters"}`,
	} {
		if msg := l.Command(c); msg != "" {
			t.Fatalf("%s: %s", c, msg)
		}
	}
	for _, bad := range []string{
		`{"type":"config","value":{"nodes":2,"n":3}}`,
		`{"type":"config","value":{"nodes":5,"colour":1}}`,
		`{"type":"select","value":"x9"}`,
		`{"type":"tab","value":"nowhere"}`,
	} {
		if msg := l.Command(bad); msg == "" {
			t.Errorf("%s was accepted", bad)
		}
	}
	l.Update(idle(), desktop)
	s := state(t, l)
	if len(s.Nodes) != 8 || s.Config.VNodes != 4 || s.Selected != "n6" || l.tab != tabCounters {
		t.Errorf("after config/select/tab: %d nodes, vnodes %d, selected %q, tab %d", len(s.Nodes), s.Config.VNodes, s.Selected, l.tab)
	}
	l.Command(`{"type":"reset"}`)
	l.Update(idle(), desktop)
	if s := state(t, l); len(s.Nodes) != 8 {
		t.Errorf("reset must keep the loaded configuration: %d nodes", len(s.Nodes))
	}
}

// TestTicksFollowFramesExactly: a playing run advances by the speed's
// ticks per frame at UpdatesPerSecond, whole over whole seconds whatever
// the rounding of the per-frame fractions; this is what makes a screenshot
// run after N frames repeatable.
func TestTicksFollowFramesExactly(t *testing.T) {
	for _, tc := range []struct {
		speed  float64
		frames int
		want   int64
	}{
		{SpeedDefault, 240, 32},
		{SpeedDefault, 60, 8},
		{3, 600, 30},
		{7.5, 240, 30},
		{0.1 * UpdatesPerSecond, 30, 3},
		{UpdatesPerSecond, 100, 100},
		{2.5 * UpdatesPerSecond, 10, 25},
	} {
		l := newLab(t, Options{Seed: 1, Speed: tc.speed})
		for range tc.frames {
			l.Update(idle(), desktop)
		}
		if got := l.Timeline().Now(); got != tc.want {
			t.Errorf("%v ticks/s for %d frames: tick %d, want %d", tc.speed, tc.frames, got, tc.want)
		}
	}
}

// A command sequence (the desktop's -do flags) applies one command per
// Update, in order, ahead of the page's commands; a bad command refuses
// the whole sequence.
func TestCommandSequenceAppliesOnePerFrame(t *testing.T) {
	l := newLinkLab(t, Options{Seed: 3, Paused: true})
	l.Update(idle(), desktop)
	if err := l.CommandSequence([]string{`{"type":"run","value":5}`, `{"type":"nonsense"}`}); err == nil || !strings.Contains(err.Error(), "command 2") {
		t.Fatalf("a sequence with a bad second command: error %v, want one naming command 2", err)
	}
	if n := l.SequenceLeft(); n != 0 {
		t.Fatalf("a refused sequence left %d commands queued", n)
	}
	if err := l.CommandSequence([]string{`{"type":"run","value":5}`, `{"type":"run","value":7}`, `{"type":"seek","value":2}`}); err != nil {
		t.Fatal(err)
	}
	if msg := l.Command(`{"type":"run","value":100}`); msg != "" {
		t.Fatal(msg)
	}
	// Frame 1: the sequence's first command, then the page's.
	for i, want := range []int64{105, 112, 2, 2} {
		l.Update(idle(), desktop)
		if got := l.View().Tick; got != want {
			t.Errorf("after frame %d the run is at tick %d, want %d", i+1, got, want)
		}
	}
	if n := l.SequenceLeft(); n != 0 {
		t.Errorf("%d sequence commands left after all were applied", n)
	}
}

// state().updateMsMax is the longest Update of the last second: a long one
// shows until a second of frames has passed, then no more.
func TestUpdateMsMaxIsTheLastSecondsLongest(t *testing.T) {
	l := newLab(t, Options{Seed: 1})
	l.Update(idle(), desktop)
	l.timeUpdate(2*time.Second, 0) // as if this frame's work had held it
	l.Update(idle(), desktop)
	if got := state(t, l).UpdateMsMax; got < 2000 {
		t.Fatalf("after a 2 s update, updateMsMax = %v", got)
	}
	for range UpdatesPerSecond - 2 {
		l.Update(idle(), desktop)
	}
	if got := state(t, l).UpdateMsMax; got < 2000 {
		t.Fatalf("the 2 s update was forgotten within the second: updateMsMax = %v", got)
	}
	l.Update(idle(), desktop)
	l.Update(idle(), desktop)
	if got := state(t, l).UpdateMsMax; got >= 2000 || got <= 0 {
		t.Errorf("a second after the 2 s update, updateMsMax = %v", got)
	}
}

// state().updates tallies every update by its whole time, searching or
// not, over the lab's life: each counts once, a long one as over the goal,
// and only updates that stepped a search count in searchUpdates.
func TestUpdatesTallyEveryUpdate(t *testing.T) {
	l := newLab(t, Options{Seed: 1})
	l.Update(idle(), desktop)
	before := state(t, l).Updates
	for range 5 {
		l.Update(idle(), desktop)
	}
	l.timeUpdate(20*time.Millisecond, 0) // as if a frame had been held
	l.Update(idle(), desktop)
	st := state(t, l)
	if got := st.Updates.Count - before.Count; got != 7 {
		t.Errorf("%d updates counted, want 7", got)
	}
	// (At least the held one: a busy machine may hold another.)
	if got := st.Updates.Over - before.Over; got < 1 || st.Updates.MaxMs < 20 {
		t.Errorf("%d updates over 8 ms, the longest %v ms; want the 20 ms one among them", got, st.Updates.MaxMs)
	}
	if st.SearchUpdates.Count != 0 {
		t.Errorf("no search ran, but searchUpdates counted %d", st.SearchUpdates.Count)
	}
}
