package lab_test

import (
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/lab"
)

// "press" turns a toggle over, as a click does: the versioning chapter's
// last-write-wins switch, by its id, switches the run's versioning and
// back, paused as well as playing.
func TestPressTurnsAToggleOver(t *testing.T) {
	l := truthLab(t, lab.Options{Chapter: "versioning"})
	shown := func() string { return strings.Join(frameTexts(l), "\n") }
	if got := shown(); !strings.Contains(got, "Mode: vector clocks") {
		t.Fatalf("the chapter does not open with vector clocks:\n%s", got)
	}
	for _, want := range []string{"Mode: last-write-wins", "Mode: vector clocks"} {
		do(t, l, `{"type":"press","value":"versioning-lww"}`)
		l.Update(truthIdle(), truthSize)
		if got := shown(); !strings.Contains(got, want) {
			t.Fatalf("after pressing the toggle, no %q:\n%s", want, got)
		}
	}
	// An id that names nothing on screen is said so, naming both kinds.
	if msg := l.Command(`{"type":"press","value":"no-such-toggle"}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(truthIdle(), truthSize)
	if n := l.Notice(); !strings.Contains(n, "No button or toggle no-such-toggle") {
		t.Errorf("notice %q", n)
	}
}
