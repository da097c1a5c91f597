package repair

import (
	"fmt"
	"math"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// failuresRun drives the failures chapter's cluster directly, without the
// lab, keeping every event.
type failuresRun struct {
	cl     *core.Cluster
	events []core.Event
}

func newFailuresRun(t *testing.T) *failuresRun {
	t.Helper()
	cl, err := core.New(NewFailures().Preset(1).Config)
	if err != nil {
		t.Fatal(err)
	}
	r := &failuresRun{cl: cl}
	r.run(20)
	return r
}

func (r *failuresRun) apply(t *testing.T, cmd core.Command) {
	t.Helper()
	if _, err := r.cl.Apply(cmd); err != nil {
		t.Fatalf("%+v: %v", cmd, err)
	}
	r.events = append(r.events, r.cl.Events()...)
}

func (r *failuresRun) run(ticks int) {
	for range ticks {
		r.cl.Tick()
		r.events = append(r.events, r.cl.Events()...)
	}
}

// write puts a key id replicates through coord, as the write button does.
func (r *failuresRun) write(t *testing.T, id, coord core.NodeID) {
	t.Helper()
	key, ok := ownedKey(r.cl, id, r.cl.Config().N)
	if !ok {
		t.Fatalf("no key replicated on %v", id)
	}
	r.apply(t, core.Command{Kind: core.CmdPut, Node: coord, Client: 1, Key: key, Value: "v"})
}

// layout lays the circle out in rect at scale, n1 inspected.
func (r *failuresRun) layout(scale float64, rect frame.Rect) (clusterLayout, *core.View, ui.Theme) {
	v := r.cl.View()
	th := ui.DefaultTheme(scale)
	return layOutCluster(&v, r.events, 1, &th, measure, rect), &v, th
}

// texts are the circle's labels that are shown.
func (lay clusterLayout) texts() []label {
	var out []label
	for _, n := range lay.nodes {
		out = append(out, n.text)
	}
	for _, a := range append(append([]clusterArrow(nil), lay.hints...), lay.handoffs...) {
		out = append(out, a.text)
	}
	var shown []label
	for _, t := range out {
		if t.s != "" {
			shown = append(shown, t)
		}
	}
	return shown
}

// Rectangles the circle is laid out in: the desktop window's, a 2x
// screen's, and the smallest the chapter still draws the circle in.
var clusterRects = []struct {
	name  string
	scale float64
	r     frame.Rect
}{
	{"desktop", 1, frame.Rect{X: 16, Y: 170, W: 370, H: 540}},
	{"2x", 2, frame.Rect{X: 32, Y: 340, W: 740, H: 1080}},
	{"small", 1, frame.Rect{X: 8, Y: 120, W: 200, H: 190}},
}

// In every state and size each node is placed once, its glyph and the
// inspected node's ring inside the rectangle, clickable where it is drawn;
// the names, hint and handoff labels shown do not overlap, and a hint's
// box holds its label.
func TestClusterLayoutPlacesEveryNodeInside(t *testing.T) {
	states := map[string]*failuresRun{}
	r := newFailuresRun(t)
	states["quiet"] = r
	r = newFailuresRun(t)
	r.apply(t, core.Command{Kind: core.CmdCrash, Node: 2})
	r.run(40)
	r.write(t, 2, 0)
	r.run(5)
	states["n2 suspected, a hint held for it"] = r
	r = newFailuresRun(t)
	for range 3 {
		r.apply(t, core.Command{Kind: core.CmdJoin})
	}
	r.apply(t, core.Command{Kind: core.CmdCrash, Node: 4})
	r.run(100)
	states["eight nodes, n4 dead"] = r
	r = newFailuresRun(t)
	for range 9 {
		r.apply(t, core.Command{Kind: core.CmdJoin})
	}
	r.run(10)
	states["fourteen nodes, names crowded"] = r

	for sname, r := range states {
		for _, c := range clusterRects {
			name := fmt.Sprintf("%s, %s", sname, c.name)
			lay, v, th := r.layout(c.scale, c.r)
			if len(lay.nodes) != len(v.Nodes) || len(lay.hits) != len(v.Nodes) {
				t.Fatalf("%s: %d nodes placed and %d clickable, want %d", name, len(lay.nodes), len(lay.hits), len(v.Nodes))
			}
			ring := lay.glyphR + th.U(6) + th.U(2.5)/2
			for i, n := range lay.nodes {
				if n.id != v.Nodes[i].ID {
					t.Errorf("%s: node %d is %v, want %v", name, i, n.id, v.Nodes[i].ID)
				}
				if n.x-ring < c.r.X || n.x+ring > c.r.Right() || n.y-ring < c.r.Y || n.y+ring > c.r.Bottom() {
					t.Errorf("%s: %v at (%.0f,%.0f) with its ring leaves %v", name, n.id, n.x, n.y, c.r)
				}
				if h := lay.hits[i]; h.id != n.id || h.x != n.x || h.y != n.y {
					t.Errorf("%s: %v is clicked at (%.0f,%.0f), drawn at (%.0f,%.0f)", name, h.id, h.x, h.y, n.x, n.y)
				}
				if n.selected != (n.id == 1) {
					t.Errorf("%s: %v wears the inspected node's ring: %v; n1 is inspected", name, n.id, n.selected)
				}
			}
			shown := lay.texts()
			for i, a := range shown {
				for _, b := range shown[i+1:] {
					if a.box(measure).Overlaps(b.box(measure)) {
						t.Errorf("%s: %q at (%.0f,%.0f) overlaps %q at (%.0f,%.0f)", name, a.s, a.x, a.y, b.s, b.x, b.y)
					}
				}
			}
			for _, h := range lay.hints {
				if h.text.s != "" && !boxHolds(h.box, h.text.box(measure)) {
					t.Errorf("%s: hint label %q at %v outside its box %v", name, h.text.s, h.text.box(measure), h.box)
				}
			}
		}
	}
}

// boxHolds reports whether r lies in b.
func boxHolds(b, r frame.Rect) bool {
	return r.X >= b.X && r.Y >= b.Y && r.Right() <= b.Right() && r.Bottom() <= b.Bottom()
}

// A crashed node is drawn down; every hint a stand-in holds is an arrow
// from the stand-in to the node it writes for, stopping short of both
// glyphs. Restarted, the node is drawn suspected while the others still
// believe it dead, and the handoff is an arrow to it.
func TestClusterLayoutShowsHintsAndHandoffs(t *testing.T) {
	r := newFailuresRun(t)
	r.apply(t, core.Command{Kind: core.CmdCrash, Node: 2})
	r.run(40)
	r.write(t, 2, 0)
	r.run(5)
	rect := clusterRects[0].r
	lay, v, th := r.layout(1, rect)
	if n := lay.nodes[2]; n.state != scene.StateDown || n.up {
		t.Errorf("n2 crashed 45 ticks ago is drawn %v (up: %v), want down", n.state, n.up)
	}
	var want [][2]core.NodeID
	for _, n := range v.Nodes {
		for _, h := range n.Hints {
			want = append(want, [2]core.NodeID{n.ID, h.For})
		}
	}
	if len(want) == 0 || len(lay.hints) != len(want) {
		t.Fatalf("%d hint arrows for the hints %v", len(lay.hints), want)
	}
	gap := lay.glyphR + th.U(4)
	for i, h := range lay.hints {
		from, to := lay.nodes[want[i][0]], lay.nodes[want[i][1]]
		if d0, d1 := math.Hypot(h.x0-from.x, h.y0-from.y), math.Hypot(h.x1-to.x, h.y1-to.y); math.Abs(d0-gap) > 1e-9 || math.Abs(d1-gap) > 1e-9 {
			t.Errorf("the hint arrow %v→%v ends %.1f and %.1f px from the glyphs' centres, want %.1f", from.id, to.id, d0, d1, gap)
		}
		if h.text.s == "" {
			t.Errorf("the only hint's label %v→%v is left out", from.id, to.id)
		}
	}

	r.apply(t, core.Command{Kind: core.CmdRestart, Node: 2})
	r.run(1)
	if lay, _, _ = r.layout(1, rect); lay.nodes[2].state != scene.StateSuspected || !lay.nodes[2].up {
		t.Errorf("n2 just restarted is drawn %v, want suspected", lay.nodes[2].state)
	}
	for range 60 {
		r.run(1)
		if lay, _, _ = r.layout(1, rect); len(lay.handoffs) > 0 {
			break
		}
	}
	if len(lay.handoffs) == 0 {
		t.Fatal("no handoff arrow within 60 ticks of the restart")
	}
	for _, h := range lay.handoffs {
		to := lay.nodes[2]
		if math.Abs(math.Hypot(h.x1-to.x, h.y1-to.y)-gap) > 1e-9 {
			t.Errorf("the handoff arrow ends at (%.0f,%.0f), not at n2 (%.0f,%.0f)", h.x1, h.y1, to.x, to.y)
		}
	}
}
