package summary

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

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
	// The longest linearizable prefix, in words and underlined.
	if len(v.Linearized) == 0 || !strings.Contains(v.Words, "The longest order the check found explains ") {
		t.Errorf("the verdict gives no longest linearizable prefix: %d operations, %q", len(v.Linearized), v.Words)
	}
	if txt := viewText(t, l); !strings.Contains(txt, "underlined in blue: the longest order found") {
		t.Errorf("the diagram's caption does not say what the underline means: %q", txt)
	}
	for _, id := range v.Linearized {
		if slices.Contains(v.Unexplained, id) {
			continue
		}
		mustCommand(t, l, fmt.Sprintf(`{"type":"select","value":"op:%d"}`, id))
		l.Update(idle(), desktop)
		if txt := viewText(t, l); !strings.Contains(txt, "in the longest order the check found") {
			t.Errorf("selecting operation %d of the prefix does not say so: %q", id, txt)
		}
		break
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

func viewText(t *testing.T, l *lab.Lab) string { return chaptertest.ViewText(t, l) }

// The try-this, step by step as a reader follows it: its two halves differ
// only in the quorums, and give a violation (reads that missed acknowledged
// writes, counted by reason) and then a linearizable history.
func TestTryThis(t *testing.T) {
	l, c := newLab(t, 1)
	choose := func(d *ui.Dropdown, label string) {
		t.Helper()
		i := slices.Index(d.Options, label)
		if i < 0 {
			t.Fatalf("%s offers no %q: %q", d.ID(), label, d.Options)
		}
		d.Selected = i
		d.OnChange(i)
		l.Update(idle(), desktop)
	}
	choose(c.vers, "Last write wins")
	choose(c.mode, "CP: strict quorums")
	choose(c.faults, "Partitions")
	setWR := func(w, r int64) {
		c.w.Set(w)
		c.r.Set(r)
		l.Update(idle(), desktop)
	}
	setWR(1, 1)
	if got := searchAnswer(t, l, c); !strings.HasPrefix(got, "Yes: a write via n0 then a read via n1 (any message order, any timeout, a partition) can give a stale read") {
		t.Errorf("W=1, R=1: Can this go wrong? answers %q", got)
	}
	checkAt := func(tick int64) (string, []string) {
		t.Helper()
		runTo(t, l, tick)
		click(l, c.check)
		for frames := 0; c.job != nil && frames < 2000; frames++ {
			l.Update(idle(), desktop)
		}
		return c.VerdictLines(l.Timeline().Now())
	}
	head, details := checkAt(2000)
	if head != "Not linearizable" || !strings.Contains(details[0], "a read missed an acknowledged write") {
		t.Errorf("W=1, R=1: %s %q; want reads that missed acknowledged writes", head, details)
	}
	// Every operation of the first violation is named by its request.
	shown := strings.Join(details, "\n")
	for _, op := range c.verdict.Violations[0].Ops {
		if req := "(req " + strconv.FormatUint(uint64(op.Request), 10) + ")"; !strings.Contains(shown, req) {
			t.Errorf("operation %s is not named in the verdict:\n%s", req, shown)
		}
	}
	// On a laptop browser's page, 657 pixels tall, the verdict still names
	// the operations that prove it.
	if len(details) < 3 {
		t.Fatalf("the verdict names no operation: %q", details)
	}
	laptop := desktop
	laptop.W, laptop.H = 1280, 657
	l.Update(idle(), laptop)
	req := strconv.FormatUint(uint64(c.verdict.Violations[0].Ops[0].Request), 10)
	if !strings.Contains(texts(l), "(req "+req) {
		t.Errorf("at 1280x657 the verdict does not name request %s:\n%s", req, texts(l))
	}
	first := l.View().Config

	mustCommand(t, l, `{"type":"reset"}`)
	l.Update(idle(), desktop)
	second := l.View().Config
	if second.W != 2 || second.R != 2 {
		t.Fatalf("after Reset W=%d R=%d, want 2 and 2", second.W, second.R)
	}
	second.W, second.R = first.W, first.R
	if !reflect.DeepEqual(first, second) {
		t.Errorf("the halves differ in more than W and R:\n%+v\n%+v", first, second)
	}
	if got := searchAnswer(t, l, c); !strings.HasPrefix(got, "No schedule of a write via n0 then a read via n1 (any message order, any timeout, a partition) gives a stale read: ") ||
		!strings.HasSuffix(got, "exhaustive.") {
		t.Errorf("W=2, R=2: Can this go wrong? answers %q", got)
	}
	head, details = checkAt(2000)
	if head != "Linearizable" {
		t.Errorf("W=2, R=2: %s %q; want Linearizable", head, details)
	}
	if n := l.View().Counters.StaleReads; n != 0 {
		t.Errorf("W=2, R=2: %d stale reads beside a linearizable verdict", n)
	}
}
