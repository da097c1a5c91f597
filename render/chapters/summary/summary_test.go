package summary

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/chapters/internal/chaptertest"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

var (
	measure = chaptertest.Measure
	desktop = chaptertest.Desktop
	idle    = chaptertest.Idle
)

// newLab starts a paused lab on the summary chapter alone.
func newLab(t *testing.T, seed uint64) (*lab.Lab, *Chapter) {
	t.Helper()
	ch := New()
	l, err := lab.New([]lab.Chapter{ch}, measure, lab.Options{Seed: seed, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	l.Update(idle(), desktop)
	return l, ch
}

// click presses and releases the mouse on a widget, as a user would.
func click(l *lab.Lab, w ui.Widget) {
	b := w.Bounds()
	x, y := b.X+b.W/2, b.Y+b.H/2
	l.Update(&ui.Input{MouseX: x, MouseY: y, MouseDown: true, MousePressed: true}, desktop)
	l.Update(&ui.Input{MouseX: x, MouseY: y, MouseReleased: true}, desktop)
}

// runTo plays the run until tick (at 64 ticks a frame), then pauses.
func runTo(t *testing.T, l *lab.Lab, tick int64) {
	t.Helper()
	for _, c := range []string{`{"type":"speed","value":3840}`, `{"type":"play"}`} {
		if msg := l.Command(c); msg != "" {
			t.Fatal(msg)
		}
	}
	for l.Timeline().Now() < tick {
		l.Update(idle(), desktop)
	}
	if msg := l.Command(`{"type":"pause"}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
}

// texts is every text of the last frame, one per line.
func texts(l *lab.Lab) string {
	var b strings.Builder
	for i := range l.Frame().Layers {
		for _, tx := range l.Frame().Layers[i].Texts {
			b.WriteString(tx.S + "\n")
		}
	}
	return b.String()
}

// TestTryThis performs the chapter's prompt through its knobs and its
// Check button: weak quorums under partitions give a violation that names
// operations; strict W=2, R=2 quorums with last-write-wins and only crashes
// give a linearizable history.
func TestTryThis(t *testing.T) {
	cases := []struct {
		name   string
		knobs  func(c *Chapter)
		faults int // index into faultChoices: a restart
		want   string
	}{
		{"W=1 R=1 with partitions", func(c *Chapter) {
			c.w.Set(1)
			c.r.Set(1)
		}, 2, "Not linearizable"},
		{"CP W=2 R=2 last write wins with crashes", func(c *Chapter) {
			c.mode.OnChange(int(core.Strict))
			c.vers.OnChange(int(core.LWW))
			c.w.Set(2)
			c.r.Set(2)
		}, 1, "Linearizable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, c := newLab(t, 1)
			c.faults.OnChange(tc.faults)
			l.Update(idle(), desktop) // the restart happens here
			if got := l.View().Config.Faults.Kinds; !slices.Equal(got, faultChoices[tc.faults].kinds) {
				t.Fatalf("faults knob: run has faults %v", got)
			}
			tc.knobs(c)
			l.Update(idle(), desktop)
			cfg := l.View().Config
			runTo(t, l, 2000)
			click(l, c.check)
			// The check runs a slice per frame.
			for i := 0; c.job != nil && i < 600; i++ {
				l.Update(idle(), desktop)
			}
			head, details := c.VerdictLines(l.Timeline().Now())
			if head != tc.want {
				t.Fatalf("W=%d R=%d mode=%d versioning=%d: verdict %q %v, want %q",
					cfg.W, cfg.R, cfg.Mode, cfg.Versioning, head, details, tc.want)
			}
			if c.verdict.Ops < 100 {
				t.Errorf("only %d operations checked by tick 2000", c.verdict.Ops)
			}
			if tc.want == "Not linearizable" {
				// Every operation of the first violation is named on
				// screen by its request.
				v := c.verdict.Violations[0]
				shown := strings.Join(details, "\n")
				if len(v.Ops) == 0 {
					t.Fatalf("violation of %s names no operations", v.Key)
				}
				for _, op := range v.Ops {
					if req := "(req " + strconv.FormatUint(uint64(op.Request), 10) + ")"; !strings.Contains(shown, req) {
						t.Errorf("operation %s of key %s is not named in the verdict:\n%s", req, v.Key, shown)
					}
				}
			}
			if !strings.Contains(texts(l), tc.want+"\n") {
				t.Errorf("the verdict %q is not on screen", tc.want)
			}
		})
	}
}

// TestSignatureElements: the store view shows the verdict box and the
// knobs; the second view shows every row of the summary table, each with a
// link button to its chapter.
func TestSignatureElements(t *testing.T) {
	l, c := newLab(t, 1)
	if !strings.Contains(texts(l), "Not checked yet\n") {
		t.Errorf("the verdict box is missing from the store view:\n%s", texts(l))
	}
	for _, k := range c.knobs() {
		if b := k.Bounds(); b.W <= 0 || b.H <= 0 {
			t.Errorf("knob %s has no place in the store view", k.ID())
		}
	}
	click(l, c.tabs) // the middle of the tabs is the second tab's left edge
	if c.view != viewMap {
		b := c.tabs.Bounds()
		l.Update(&ui.Input{MouseX: b.X + b.W*0.75, MouseY: b.Y + b.H/2, MouseDown: true, MousePressed: true}, desktop)
		l.Update(&ui.Input{MouseX: b.X + b.W*0.75, MouseY: b.Y + b.H/2, MouseReleased: true}, desktop)
	}
	if c.view != viewMap {
		t.Fatal("clicking the second tab did not show the summary table")
	}
	shown := texts(l)
	for i, r := range Rows {
		if !strings.Contains(shown, r.Concern+"\n") {
			t.Errorf("row %d %q is not on screen", i, r.Concern)
		}
		if b := c.links[i].Bounds(); b.W <= 0 || b.H <= 0 {
			t.Errorf("row %d %q has no link button", i, r.Concern)
		}
	}
	if strings.Contains(shown, "Not checked yet\n") {
		t.Error("the table view still shows the verdict box")
	}
}

// TestTableFitsSmallWindows: every row of the table has its place, without
// overlapping the next, at the smallest supported window and at 2x.
func TestTableFitsSmallWindows(t *testing.T) {
	for _, sz := range []lab.Size{{W: 1024, H: 700, Scale: 1}, {W: 2048, H: 1400, Scale: 2}, desktop} {
		ch := New()
		ch.ShowTable()
		l, err := lab.New([]lab.Chapter{ch}, measure, lab.Options{Seed: 1, Paused: true})
		if err != nil {
			t.Fatal(err)
		}
		l.Update(idle(), sz)
		for i, b := range ch.links {
			r := b.Bounds()
			if r.W <= 0 {
				t.Errorf("%vx%v: row %d has no link", sz.W, sz.H, i)
				continue
			}
			if i > 0 && r.Y < ch.links[i-1].Bounds().Bottom() {
				t.Errorf("%vx%v: link %d overlaps link %d", sz.W, sz.H, i, i-1)
			}
		}
	}
}

// TestCheckNamesTheWindow: in a run longer than its retained window the
// check covers the window, says which ticks, and says that it did not
// check before them.
func TestCheckNamesTheWindow(t *testing.T) {
	ch := New()
	l, err := lab.New([]lab.Chapter{ch}, measure, lab.Options{Seed: 4, Paused: true, WindowBytes: 512 << 10})
	if err != nil {
		t.Fatal(err)
	}
	l.Update(idle(), desktop)
	runTo(t, l, 12000)
	start := l.Timeline().Start()
	if start == 0 {
		t.Fatal("the window still starts at tick 0")
	}
	click(l, ch.check)
	frames := 0
	for ; ch.job != nil && frames < 600; frames++ {
		l.Update(idle(), desktop)
	}
	head, details := ch.VerdictLines(l.Timeline().Now())
	all := strings.Join(details, "\n")
	if head == "Checking" || head == "Not checked yet" {
		t.Fatalf("no verdict after %d frames: %q %v", frames, head, details)
	}
	if want := "ticks " + strconv.FormatInt(start, 10) + " to "; !strings.Contains(all, want) {
		t.Errorf("the verdict does not name the window (%q):\n%s", want, all)
	}
	if !strings.Contains(all, "Not checked past the window") {
		t.Errorf("the verdict does not say what it did not check:\n%s", all)
	}
	if ops := ch.verdict.Ops; ops == 0 || ops >= l.Timeline().Cluster().HistoryLen() {
		t.Errorf("checked %d operations of the run's %d: want the window's", ops, l.Timeline().Cluster().HistoryLen())
	}
}

// The verdict is of the run at the tick it was taken: scrubbed back before
// that tick it says so, and a fork before it drops it (it was a verdict on
// another run).
func TestVerdictFollowsTheRun(t *testing.T) {
	l, c := newLab(t, 1)
	runTo(t, l, 300)
	click(l, c.check)
	if head, _ := c.VerdictLines(l.Timeline().Now()); head == "Not checked yet" {
		t.Fatal("the check did not run")
	}
	mustCommand(t, l, `{"type":"seek","value":200}`)
	l.Update(idle(), desktop)
	if _, details := c.VerdictLines(l.Timeline().Now()); !strings.Contains(strings.Join(details, " "), "later than the tick on screen") {
		t.Errorf("scrubbed back before the check, the verdict does not say it is of a later tick: %v", details)
	}
	mustCommand(t, l, `{"type":"core","cmd":{"kind":"crash","node":1}}`)
	l.Update(idle(), desktop)
	l.Update(idle(), desktop)
	if head, _ := c.VerdictLines(l.Timeline().Now()); head != "Not checked yet" {
		t.Errorf("after a fork before the checked tick the verdict %q stays", head)
	}
}

func mustCommand(t *testing.T, l *lab.Lab, cmd string) {
	t.Helper()
	if msg := l.Command(cmd); msg != "" {
		t.Fatal(msg)
	}
}

// The verdict is drawn on the time views: a failed check outlines the
// operations no single order explains and says why, selecting one says it
// is one of them, and a passing check says it passed.
func TestVerdictOnTheTimeViews(t *testing.T) {
	l, c := newLab(t, 1)
	runTo(t, l, 1500)
	click(l, c.check)
	for frames := 0; c.job != nil && frames < 600; frames++ {
		l.Update(idle(), desktop)
	}
	v, ok := c.Verdict(l.Timeline().Now())
	if !ok || v.OK || len(v.Unexplained) == 0 {
		t.Fatalf("at the defaults the check finds no violation to draw: %+v (%v)", v, ok)
	}
	mustCommand(t, l, `{"type":"view","value":"diagram"}`)
	l.Update(idle(), desktop)
	if txt := viewText(t, l); !strings.HasPrefix(txt, "Not linearizable as of tick ") {
		t.Errorf("the diagram's caption does not give the verdict: %q", txt)
	}
	mustCommand(t, l, fmt.Sprintf(`{"type":"select","value":"op:%d"}`, v.Unexplained[0]))
	l.Update(idle(), desktop)
	if txt := viewText(t, l); !strings.Contains(txt, "one of the operations no single order explains") {
		t.Errorf("selecting an unexplained operation does not say so: %q", txt)
	}

	// One writer per key, last-write-wins, W=R=N: the check passes, and
	// the view says so.
	l2, c2 := newLab(t, 2)
	for _, k := range []string{`"w","value":3`, `"r","value":3`, `"versioning","value":"lww"`, `"single_writer","value":1`} {
		mustCommand(t, l2, `{"type":"knob","name":`+k+`}`)
		l2.Update(idle(), desktop)
	}
	l2.Update(idle(), desktop)
	runTo(t, l2, 300)
	click(l2, c2.check)
	for frames := 0; c2.job != nil && frames < 600; frames++ {
		l2.Update(idle(), desktop)
	}
	mustCommand(t, l2, `{"type":"view","value":"history"}`)
	l2.Update(idle(), desktop)
	if v, _ := c2.Verdict(l2.Timeline().Now()); !v.OK {
		t.Fatalf("one writer per key with W=R=N does not pass: %s", v.Words)
	}
	if txt := viewText(t, l2); !strings.HasPrefix(txt, "Linearizable as of tick ") {
		t.Errorf("a passing check is not said on the history view: %q", txt)
	}
}

func viewText(t *testing.T, l *lab.Lab) string {
	t.Helper()
	var st struct {
		ViewText string `json:"viewText"`
	}
	if err := json.Unmarshal([]byte(l.State()), &st); err != nil {
		t.Fatal(err)
	}
	return st.ViewText
}
