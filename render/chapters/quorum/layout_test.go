package quorum

import (
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// coreRun drives a chapter's cluster directly, without the lab: its
// preset, then commands and ticks, keeping every event.
type coreRun struct {
	cl     *core.Cluster
	events []core.Event
}

func newCoreRun(t *testing.T, p lab.Preset) *coreRun {
	t.Helper()
	cl, err := core.New(p.Config)
	if err != nil {
		t.Fatal(err)
	}
	r := &coreRun{cl: cl}
	for _, rec := range p.Script {
		r.tickTo(rec.Tick)
		r.apply(t, rec.Cmd)
	}
	return r
}

// apply applies cmd now and keeps its events.
func (r *coreRun) apply(t *testing.T, cmd core.Command) {
	t.Helper()
	if _, err := r.cl.Apply(cmd); err != nil {
		t.Fatalf("%+v: %v", cmd, err)
	}
	r.events = append(r.events, r.cl.Events()...)
}

// run advances ticks ticks.
func (r *coreRun) run(ticks int) { r.tickTo(r.cl.Now() + int64(ticks)) }

func (r *coreRun) tickTo(tick int64) {
	for r.cl.Now() < tick {
		r.cl.Tick()
		r.events = append(r.events, r.cl.Events()...)
	}
}

// recent are the events of the last few ticks, as the lab passes them.
func (r *coreRun) recent() []core.Event {
	var out []core.Event
	for _, e := range r.events {
		if e.Tick > r.cl.Now()-12 {
			out = append(out, e)
		}
	}
	return out
}

// labelsInside fails for every non-empty label that leaves bound (by more
// than a pixel, as layoutcheck allows) or overlaps another (by more than a
// pixel).
func labelsInside(t *testing.T, name string, m frame.Measurer, bound frame.Rect, labels []label) {
	t.Helper()
	var shown []label
	for _, lb := range labels {
		if lb.s != "" {
			shown = append(shown, lb)
		}
	}
	for i, a := range shown {
		ab := a.box(m)
		if !rectInside(ab, bound) {
			t.Errorf("%s: %q at %v leaves the area %v", name, a.s, ab, bound)
		}
		for _, b := range shown[i+1:] {
			if ab.Inset(1).Overlaps(b.box(m).Inset(1)) {
				t.Errorf("%s: %q at (%.0f,%.0f) overlaps %q at (%.0f,%.0f)", name, a.s, a.x, a.y, b.s, b.x, b.y)
			}
		}
	}
}

// themeAt is the lab's theme at a device scale.
func themeAt(scale float64) ui.Theme { return ui.DefaultTheme(scale) }

// rectInside reports whether r lies in bound, give or take a pixel.
func rectInside(r, bound frame.Rect) bool {
	b := bound.Inset(-1)
	return r.X >= b.X && r.Y >= b.Y && r.Right() <= b.Right() && r.Bottom() <= b.Bottom()
}
