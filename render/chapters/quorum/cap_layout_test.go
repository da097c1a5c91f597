package quorum

import (
	"fmt"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
)

// capRuns are the chapter's two clusters driven directly: the preset's
// sloppy one (AP) and its strict twin (CP), fed the same commands.
type capRuns struct{ cp, ap *coreRun }

func newCAPRuns(t *testing.T) capRuns {
	t.Helper()
	p := NewCAP().Preset(1)
	ap := newCoreRun(t, p)
	p.Config.Mode = core.Strict
	cp := newCoreRun(t, p)
	rs := capRuns{cp: cp, ap: ap}
	rs.run(30) // the preset's write and reads finish
	return rs
}

func (rs capRuns) apply(t *testing.T, cmd core.Command) {
	t.Helper()
	rs.cp.apply(t, cmd)
	rs.ap.apply(t, cmd)
}

func (rs capRuns) run(ticks int) {
	rs.cp.run(ticks)
	rs.ap.run(ticks)
}

// split cuts the chapter's minority off, as the split button does.
func (rs capRuns) split(t *testing.T) {
	rs.apply(t, core.Command{Kind: core.CmdPartition, Groups: [][]core.NodeID{capMinority, {2, 3, 4}}})
}

// requests sends a put (value non-empty) or a get of the key from each
// side of the partition, as the write and read buttons do.
func (rs capRuns) requests(t *testing.T, key, value string) {
	for _, side := range []struct {
		node   core.NodeID
		client int
		prefix string
	}{{0, capClientLeft, "L"}, {capNodes - 1, capClientRight, "R"}} {
		cmd := core.Command{Kind: core.CmdGet, Node: side.node, Client: side.client, Key: key}
		if value != "" {
			cmd = core.Command{Kind: core.CmdPut, Node: side.node, Client: side.client, Key: key, Value: side.prefix + value, WithContext: true}
		}
		rs.apply(t, cmd)
	}
}

// capSide is what a panel shows of a run; its drops are the lost
// messages of the last few ticks.
func (r *coreRun) capSide(key string) capSide {
	v := r.cl.View()
	var drops []core.Event
	for _, e := range r.recent() {
		if e.Kind == core.EvMsgDrop {
			drops = append(drops, e)
		}
	}
	return capSide{v: &v, hist: kept{r.cl}, drops: drops, pref: r.cl.PreferenceList(key, v.Config.N)}
}

// allLabels are every label of a panel's layout.
func (lay capPanelLayout) allLabels() []label {
	out := append([]label(nil), lay.heads...)
	if lay.wall != nil {
		out = append(out, lay.wallLabel)
	}
	for _, n := range lay.nodes {
		out = append(out, n.texts...)
	}
	return append(append(out, lay.notes...), lay.tally...)
}

// Chapter areas the CAP picture is laid out in, from the desktop window's
// to a course page's iframe and a frame too short for the nodes.
var capAreas = []struct {
	name      string
	scale     float64
	area      frame.Rect
	showNodes bool
}{
	{"desktop", 1, frame.Rect{X: 0, Y: 80, W: 900, H: 676}, true},
	{"2x", 2, frame.Rect{X: 0, Y: 160, W: 1800, H: 1352}, true},
	{"laptop", 1, frame.Rect{X: 10, Y: 60, W: 700, H: 480}, true},
	{"iframe", 1, frame.Rect{X: 0, Y: 90, W: 600, H: 280}, true},
	{"course page's 640x400 frame", 1, frame.Rect{X: 0, Y: 88, W: 640, H: 230}, true},
	{"short", 1, frame.Rect{X: 0, Y: 0, W: 480, H: 180}, false},
}

// Each cluster's panel fits its half of the picture: the halves do not
// overlap, and in each every node of the ring is placed once with its
// rings inside the half, and the texts stay inside it without overlapping.
// In a frame too short for the nodes the header and tally still fit.
func TestCAPPanelLayoutFitsItsHalf(t *testing.T) {
	key := NewCAP().key
	rs := newCAPRuns(t)
	states := map[string]capRuns{}
	states["after the preset"] = rs
	rs = newCAPRuns(t)
	rs.split(t)
	rs.requests(t, key, "1")
	rs.run(60)
	rs.requests(t, key, "")
	rs.run(8)
	states["a write and a read under the partition"] = rs

	for sname, rs := range states {
		for _, a := range capAreas {
			th := themeAt(a.scale)
			left, right := capHalves(&th, a.area)
			if left.Overlaps(right) || !rectInside(left, a.area) || !rectInside(right, a.area) {
				t.Fatalf("%s: halves %v and %v of %v", a.name, left, right, a.area)
			}
			for _, p := range []struct {
				name string
				run  *coreRun
				half frame.Rect
			}{{"CP", rs.cp, left}, {"AP", rs.ap, right}} {
				name := fmt.Sprintf("%s, %s, %s", sname, a.name, p.name)
				s := p.run.capSide(key)
				lay := layOutCAPPanel(s, key, core.NoNode, 0, &th, measure, p.half)
				if lay.showNodes != a.showNodes {
					t.Errorf("%s: nodes shown %v, want %v", name, lay.showNodes, a.showNodes)
				}
				if a.showNodes && (len(lay.nodes) != capNodes || len(lay.places) != capNodes) {
					t.Errorf("%s: %d nodes and %d places, want %d", name, len(lay.nodes), len(lay.places), capNodes)
				}
				ring := lay.glyphR + th.U(9) + th.U(2.5)/2 // the widest ring, the inspected node's
				for _, n := range lay.nodes {
					box := frame.Rect{X: n.at.X - ring, Y: n.at.Y - ring, W: 2 * ring, H: 2 * ring}
					if !rectInside(box, p.half) {
						t.Errorf("%s: %v at %v (rings to %v) leaves the half %v", name, n.id, n.at, box, p.half)
					}
				}
				if want := 6; len(lay.tally) < want && !(lay.tallyLine && len(lay.tally) == 3) {
					t.Errorf("%s: %d tally labels, want the three counts with captions", name, len(lay.tally))
				}
				if lay.tallyLine && !lay.showNodes {
					t.Errorf("%s: the counts went on one line, and still the nodes do not fit", name)
				}
				labelsInside(t, name, measure, p.half, lay.allLabels())
			}
		}
	}
}

// Under the partition the minority stands left of the partition line and
// the rest right of it; the white ring marks exactly the key's replicas,
// and the inspected node's ring only that node. A lost message between the
// sides is crossed out on the line.
func TestCAPPanelLayoutDrawsTheSidesAndRings(t *testing.T) {
	key := NewCAP().key
	rs := newCAPRuns(t)
	rs.split(t)
	rs.requests(t, key, "1")
	rs.run(3)
	th := themeAt(1)
	left, right := capHalves(&th, capAreas[0].area)
	for _, p := range []struct {
		name string
		run  *coreRun
		half frame.Rect
	}{{"CP", rs.cp, left}, {"AP", rs.ap, right}} {
		s := p.run.capSide(key)
		lay := layOutCAPPanel(s, key, 3, 0, &th, measure, p.half)
		if lay.wall == nil {
			t.Fatalf("%s: no partition line under a partition", p.name)
		}
		wallX := lay.wall[0].X
		for _, n := range lay.nodes {
			if minority := contains(capMinority, n.id); minority != (n.at.X < wallX) {
				t.Errorf("%s: %v at x=%.0f, the line at %.0f; in the minority: %v", p.name, n.id, n.at.X, wallX, minority)
			}
			if n.replica != contains(s.pref, n.id) {
				t.Errorf("%s: %v wears the replica ring: %v; replicas %v", p.name, n.id, n.replica, s.pref)
			}
			if n.selected != (n.id == 3) {
				t.Errorf("%s: %v wears the inspected node's ring: %v, n3 is inspected", p.name, n.id, n.selected)
			}
		}
		if len(lay.drops) == 0 {
			t.Errorf("%s: no lost message crossed out after requests across the partition", p.name)
		}
		for _, d := range lay.drops {
			if d.at.X != wallX {
				t.Errorf("%s: a message lost across the partition is crossed out at %v, off the line at x=%.0f", p.name, d.at, wallX)
			}
		}
	}
}
