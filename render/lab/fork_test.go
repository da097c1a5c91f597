package lab

import (
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
)

func uiTexts(l *Lab) string {
	var b strings.Builder
	for _, t := range l.frame.Layers[frame.LayerUI].Texts {
		b.WriteString(t.S)
		b.WriteByte('\n')
	}
	return b.String()
}

// Acting in the past forks the run: the canvas says so (what was dropped,
// with the timeline's dropped part) and Undo brings the dropped future
// back, the same run as before.
func TestForkShowsOnTheCanvasAndUndoes(t *testing.T) {
	l := newLab(t, Options{Seed: 3, Paused: true})
	l.Update(idle(), desktop)
	run(t, l, `{"type":"run","value":60}`, `{"type":"press","value":"sandbox-write"}`, `{"type":"run","value":60}`)
	head := l.tl.Head()
	digest := l.tl.Cluster().Digest()
	recorded := len(l.tl.Recorded())
	run(t, l, `{"type":"seek","value":30}`)
	if l.fork != nil || strings.Contains(uiTexts(l), "Forked") {
		t.Fatal("a scrub alone shows a fork")
	}
	run(t, l, `{"type":"press","value":"sandbox-split"}`)
	if l.fork == nil {
		t.Fatal("pressing a button in the past forked the run without a note")
	}
	want := "Forked at tick 30: the run's future (ticks 31–120, 1 command) was dropped."
	if !strings.Contains(uiTexts(l), want) {
		t.Errorf("the canvas does not say %q:\n%s", want, uiTexts(l))
	}
	if f, sc := l.layout.fork, l.layout.scene; f.H == 0 || f.H > sc.H/4 || f.Bottom() != sc.Bottom() || f.X != sc.X || f.W != sc.W {
		t.Errorf("the fork bar %+v is not over the picture %+v", l.layout.fork, l.layout.scene)
	}
	if got := l.tl.Head(); got != 30 {
		t.Fatalf("after the fork the head is %d, want 30", got)
	}
	run(t, l, `{"type":"press","value":"fork-undo"}`)
	if l.fork != nil {
		t.Error("the bar stays after Undo")
	}
	if got := l.tl.Head(); got != head {
		t.Errorf("after Undo the run reaches tick %d, want %d", got, head)
	}
	if got := l.tl.Now(); got != 30 {
		t.Errorf("after Undo the run is at tick %d, want 30 (where it forked)", got)
	}
	if got := len(l.tl.Recorded()); got != recorded {
		t.Errorf("after Undo %d commands recorded, want %d", got, recorded)
	}
	run(t, l, `{"type":"seek","value":120}`)
	if got := l.tl.Cluster().Digest(); got != digest {
		t.Errorf("the undone run differs at tick 120: digest %s, want %s", got, digest)
	}
	// Esc dismisses the bar and keeps the fork.
	run(t, l, `{"type":"seek","value":30}`, `{"type":"press","value":"sandbox-split"}`)
	l.Update(&ui.Input{MouseX: -1, MouseY: -1, Keys: []ui.Key{ui.KeyEscape}}, desktop)
	if l.fork != nil || l.tl.Head() != 30 {
		t.Errorf("Esc: bar %v, head %d; want the bar gone and the fork kept", l.fork != nil, l.tl.Head())
	}
}

// Stepping back with the Left arrow while a chapter button has the focus
// moves the focus to the timeline, so that the Space or Enter that follows
// cannot press the button in the past and fork the run by accident.
func TestLeftArrowCannotForkThroughAFocusedButton(t *testing.T) {
	l := newLab(t, Options{Seed: 3, Paused: true})
	l.Update(idle(), desktop)
	run(t, l, `{"type":"run","value":40}`)
	l.mgr.SetFocus("sandbox-write")
	head, recorded := l.tl.Head(), len(l.tl.Recorded())
	key := func(k ui.Key) { l.Update(&ui.Input{MouseX: -1, MouseY: -1, Keys: []ui.Key{k}}, desktop) }
	key(ui.KeyLeft)
	key(ui.KeyLeft)
	if got := l.tl.Now(); got != 38 {
		t.Fatalf("two Left arrows went to tick %d, want 38", got)
	}
	if got := l.mgr.Focus(); got != "timeline" {
		t.Errorf("after stepping back the focus is on %q, want the timeline", got)
	}
	key(ui.KeySpace)
	key(ui.KeyEnter)
	if l.tl.Head() < head || len(l.tl.Recorded()) != recorded || l.fork != nil {
		t.Errorf("Space and Enter after stepping back forked the run: head %d (was %d), %d commands (were %d)",
			l.tl.Head(), head, len(l.tl.Recorded()), recorded)
	}
}
