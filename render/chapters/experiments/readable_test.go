package experiments

import (
	"testing"

	"github.com/ringlab/ringlab/render/chapters/internal/layoutcheck"
	"github.com/ringlab/ringlab/render/lab"
)

// The page before a run (predictions only), after a finished sweep, and
// with the knobs shown in place of the plot (the compact layout's Knobs
// button; the wide layout shows them anyway) on the experiment with the
// most knobs, at every window size from a 480x360 iframe to a 2x desktop.
func TestPageIsReadable(t *testing.T) {
	chapters := func() []lab.Chapter {
		p := New()
		p.share = frameShare{unitsMax: 1e9}
		return []lab.Chapter{p}
	}
	layoutcheck.Check(t, chapters, measure, "experiments", nil)
	layoutcheck.Check(t, chapters, measure, "experiments", func(t *testing.T, l *lab.Lab, ch lab.Chapter) {
		p := ch.(*Page)
		setKnobs(p, small[p.Experiment()])
		runToEnd(t, l, p)
	})
	layoutcheck.Check(t, chapters, measure, "experiments", func(t *testing.T, l *lab.Lab, ch lab.Chapter) {
		p := ch.(*Page)
		p.choose(menuIndex("staleness"))
		p.knobsShown = true
	})
}
