package summary

import (
	"testing"

	"github.com/ringlab/ringlab/render/chapters/internal/layoutcheck"
	"github.com/ringlab/ringlab/render/lab"
)

func chapters() []lab.Chapter { return []lab.Chapter{New()} }

// The store view after a workload has run, then checked (the verdict's
// details shown), the table view, and the knobs tab of the compact layout
// (the wide layout shows the store instead), at every window size from a
// 480x360 iframe to a 2x desktop.
func TestPicturesAreReadable(t *testing.T) {
	layoutcheck.Check(t, chapters, measure, "summary", func(t *testing.T, l *lab.Lab, _ lab.Chapter) {
		runTo(t, l, 200)
	})
	layoutcheck.Check(t, chapters, measure, "summary", func(t *testing.T, l *lab.Lab, _ lab.Chapter) {
		runTo(t, l, 400)
		if msg := l.Command(`{"type":"press","value":"summary-check"}`); msg != "" {
			t.Fatal(msg)
		}
	})
	layoutcheck.Check(t, chapters, measure, "summary", func(t *testing.T, l *lab.Lab, ch lab.Chapter) {
		ch.(*Chapter).ShowTable()
	})
	layoutcheck.Check(t, chapters, measure, "summary", func(t *testing.T, l *lab.Lab, ch lab.Chapter) {
		ch.(*Chapter).view = viewKnobs
	})
}
