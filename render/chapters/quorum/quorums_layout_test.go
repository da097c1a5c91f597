package quorum

import (
	"fmt"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/scene"
)

// quorumsRun is the quorums chapter's cluster after its preset's write.
func quorumsRun(t *testing.T) *coreRun {
	t.Helper()
	r := newCoreRun(t, NewQuorums().Preset(1))
	r.run(20)
	return r
}

// quorumsScene is the quorums picture's input at the run's tick.
func (r *coreRun) quorumsScene() quorumsScene {
	v := r.cl.View()
	pref := r.cl.PreferenceList(quorumKey, v.Config.N)
	writer, reader := coordinators(&v, pref)
	write, read := lastRequests(r.events, v.Config)
	return quorumsScene{v: &v, hist: kept{r.cl}, recent: r.recent(), pref: pref, writer: writer, reader: reader, write: write, read: read}
}

// quorumsWrite and quorumsRead send the chapter's write and read, as its
// buttons do.
func (r *coreRun) quorumsWrite(t *testing.T, value string) {
	s := r.quorumsScene()
	r.apply(t, core.Command{Kind: core.CmdPut, Node: s.writer, Client: quorumWriter, Key: quorumKey, Value: value, WithContext: true})
}

func (r *coreRun) quorumsRead(t *testing.T) {
	s := r.quorumsScene()
	r.apply(t, core.Command{Kind: core.CmdGet, Node: s.reader, Client: quorumReader, Key: quorumKey})
}

// allLabels are every label of a quorums layout.
func (lay quorumsLayout) allLabels() []label {
	out := append([]label{lay.rule}, lay.notes...)
	for _, b := range lay.boxes {
		out = append(append(out, b.texts...), b.tags...)
	}
	out = append(out, lay.legend.texts...)
	out = append(out, lay.lines...)
	return append(out, lay.cells...)
}

// Chapter areas the quorums picture is laid out in: the desktop window's,
// a 2x screen's, and smaller ones down to a course page's iframe.
var quorumsAreas = []struct {
	name  string
	scale float64
	area  frame.Rect
}{
	{"desktop", 1, frame.Rect{X: 0, Y: 80, W: 900, H: 676}},
	{"2x", 2, frame.Rect{X: 0, Y: 160, W: 1800, H: 1352}},
	{"laptop", 1, frame.Rect{X: 10, Y: 60, W: 700, H: 480}},
	{"iframe", 1, frame.Rect{X: 0, Y: 90, W: 600, H: 240}},
}

// In every area and state, the writer, each replica and the reader are
// placed, inside the area and apart from each other; the texts stay in the
// area and do not overlap; a replica's frame (the thick one of the
// overlap) stays in the area too.
func TestQuorumsLayoutPlacesEveryNodeInsideTheArea(t *testing.T) {
	r := quorumsRun(t)
	states := map[string]quorumsScene{"after the preset": r.quorumsScene()}
	r.quorumsWrite(t, "v1")
	r.run(2)
	states["a write in flight"] = r.quorumsScene()
	r.run(30)
	r.quorumsRead(t)
	r.run(30)
	states["after a write and a read"] = r.quorumsScene()
	r.apply(t, core.Command{Kind: core.CmdPartition, Groups: [][]core.NodeID{{0, 1}, {2, 3, 4, 5, 6}}})
	r.quorumsWrite(t, "v2")
	r.run(3)
	states["a write under a partition"] = r.quorumsScene()

	for sname, s := range states {
		for _, a := range quorumsAreas {
			name := fmt.Sprintf("%s, %s", sname, a.name)
			th := themeAt(a.scale)
			lay := layOutQuorums(s, &th, measure, a.area)
			if !lay.showMid {
				t.Errorf("%s: the replicas' picture is left out", name)
				continue
			}
			want := append([]core.NodeID{s.writer, s.reader}, s.pref...)
			if len(lay.boxes) != len(want) {
				t.Errorf("%s: %d boxes, want %d (writer, reader, %d replicas)", name, len(lay.boxes), len(want), len(s.pref))
			}
			for i, b := range lay.boxes {
				if i < len(want) && b.id != want[i] {
					t.Errorf("%s: box %d is %v, want %v", name, i, b.id, want[i])
				}
				if !rectInside(b.r, a.area) || !rectInside(b.outline, a.area) {
					t.Errorf("%s: %v's box %v (frame %v) leaves the area %v", name, b.id, b.r, b.outline, a.area)
				}
				if !b.r.Contains(b.glyph.X-b.glyphR, b.glyph.Y-b.glyphR) || !b.r.Contains(b.glyph.X+b.glyphR, b.glyph.Y+b.glyphR) {
					t.Errorf("%s: %v's glyph at %v leaves its box %v", name, b.id, b.glyph, b.r)
				}
				for _, c := range lay.boxes[i+1:] {
					if b.r.Overlaps(c.r) {
						t.Errorf("%s: the boxes of %v and %v overlap", name, b.id, c.id)
					}
				}
			}
			for _, id := range want {
				if _, ok := lay.places[id]; !ok {
					t.Errorf("%s: %v has no place to click", name, id)
				}
			}
			labelsInside(t, name, measure, a.area, lay.allLabels())
		}
	}
}

// The tags show exactly the last write's acks (W) and the last read's
// replies (R), and the thick frame exactly the replicas in both; with
// W = R = 1 across a partition the sets miss each other and no replica
// is framed.
func TestQuorumsLayoutTagsExactlyTheSets(t *testing.T) {
	check := func(name string, s quorumsScene, wantBoth bool) {
		t.Helper()
		th := themeAt(1)
		lay := layOutQuorums(s, &th, measure, quorumsAreas[0].area)
		ws, rs := s.write.set(), s.read.set()
		if len(ws) == 0 || len(rs) == 0 {
			t.Fatalf("%s: write set %v, read set %v: want both answered", name, ws, rs)
		}
		both := 0
		for _, b := range lay.boxes[2:] {
			inW, inR := contains(ws, b.id), contains(rs, b.id)
			if (b.wTag.W > 0) != inW {
				t.Errorf("%s: %v has a W tag %v, in the write set %v: %v", name, b.id, b.wTag, ws, inW)
			}
			if (b.rTag != nil) != inR {
				t.Errorf("%s: %v has an R tag %v, in the read set %v: %v", name, b.id, b.rTag, rs, inR)
			}
			if (b.outlineC == scene.Yellow) != (inW && inR) {
				t.Errorf("%s: %v framed in yellow: %v, in both sets: %v", name, b.id, b.outlineC == scene.Yellow, inW && inR)
			}
			if inW && inR {
				both++
			}
		}
		if (both > 0) != wantBoth {
			t.Errorf("%s: %d replicas in both sets, want some: %v", name, both, wantBoth)
		}
	}

	r := quorumsRun(t)
	r.quorumsWrite(t, "v1")
	r.run(30)
	r.quorumsRead(t)
	r.run(30)
	check("W=2 R=2", r.quorumsScene(), true)

	r = quorumsRun(t)
	r.apply(t, core.Command{Kind: core.CmdSet, Param: "w", Num: 1})
	r.apply(t, core.Command{Kind: core.CmdSet, Param: "r", Num: 1})
	s := r.quorumsScene()
	r.apply(t, core.Command{Kind: core.CmdPartition, Groups: [][]core.NodeID{{s.writer, s.pref[0]}, remove(s, s.writer, s.pref[0])}})
	r.quorumsWrite(t, "v1")
	r.run(40)
	r.quorumsRead(t)
	r.run(40)
	s = r.quorumsScene()
	check("W=1 R=1 across a partition", s, false)
	th := themeAt(1)
	lay := layOutQuorums(s, &th, measure, quorumsAreas[0].area)
	// The writer's side: the writer and the first replica are framed.
	if len(lay.framed) != 2 {
		t.Errorf("%d nodes framed as the writer's side, want 2: %v", len(lay.framed), lay.framed)
	}
}

// remove is the ring's nodes but the given ones.
func remove(s quorumsScene, ids ...core.NodeID) []core.NodeID {
	var out []core.NodeID
	for _, n := range s.v.Nodes {
		if n.InRing && !contains(ids, n.ID) {
			out = append(out, n.ID)
		}
	}
	return out
}

// Every request path and every message in flight runs between two boxes:
// its ends are the middles of a box's left or right edge, so that lines do
// not cross the text. Messages lost to a partition are crossed out
// between the boxes.
func TestQuorumsLayoutMessagesRunBetweenBoxes(t *testing.T) {
	r := quorumsRun(t)
	r.quorumsWrite(t, "v1")
	r.run(2)
	s := r.quorumsScene()
	th := themeAt(1)
	lay := layOutQuorums(s, &th, measure, quorumsAreas[0].area)
	if want := 2 * len(s.pref); len(lay.fans) != want {
		t.Errorf("%d request paths, want %d (writer's and reader's to each replica)", len(lay.fans), want)
	}
	if len(lay.flights) == 0 {
		t.Fatal("no message in flight two ticks after a write")
	}
	onEdge := func(p point) bool {
		for _, b := range lay.boxes {
			if (p.X == b.r.X || p.X == b.r.Right()) && p.Y == b.r.Y+b.r.H/2 {
				return true
			}
		}
		return false
	}
	for _, f := range lay.fans {
		if !onEdge(f[0]) || !onEdge(f[1]) {
			t.Errorf("request path %v to %v does not run between box edges", f[0], f[1])
		}
	}
	for _, f := range lay.flights {
		if !onEdge(f.from) || !onEdge(f.to) || f.progress < 0 || f.progress > 1 {
			t.Errorf("message %v from %v to %v at %.2f does not run between box edges", f.kind, f.from, f.to, f.progress)
		}
	}

	r.run(30)
	r.apply(t, core.Command{Kind: core.CmdPartition, Groups: [][]core.NodeID{{s.writer, s.pref[0]}, remove(s, s.writer, s.pref[0])}})
	r.quorumsWrite(t, "v2")
	r.run(12) // the requests across the line arrive, and are lost
	s = r.quorumsScene()
	lay = layOutQuorums(s, &th, measure, quorumsAreas[0].area)
	writer, reader := lay.boxes[0].r, lay.boxes[1].r
	lost := 0
	for _, e := range s.recent {
		if e.Kind == core.EvMsgDrop && e.Key == quorumKey {
			lost++
		}
	}
	if lost == 0 || len(lay.drops) != lost {
		t.Fatalf("%d crosses for the %d messages of the key lost across the partition", len(lay.drops), lost)
	}
	for _, p := range lay.drops {
		if p.X <= writer.Right() || p.X >= reader.X {
			t.Errorf("a lost message is crossed out at %v, not between the writer %v and the reader %v", p, writer, reader)
		}
	}
}

// A frame too short for the replicas' picture keeps the rule and the
// counters, inside it; it places no node.
func TestQuorumsLayoutShortFrameKeepsTheRuleAndCounters(t *testing.T) {
	s := quorumsRun(t).quorumsScene()
	th := themeAt(1)
	area := frame.Rect{X: 0, Y: 0, W: 480, H: 150}
	lay := layOutQuorums(s, &th, measure, area)
	if lay.showMid || len(lay.boxes) != 0 || len(lay.places) != 0 {
		t.Errorf("in %v: the replicas' picture is shown (%d boxes)", area, len(lay.boxes))
	}
	if lay.rule.s == "" || len(lay.cells) != 10 {
		t.Errorf("in %v: rule %q, %d counter labels; want the rule and 5 counters with captions", area, lay.rule.s, len(lay.cells))
	}
	labelsInside(t, "short frame", measure, area, lay.allLabels())
}

// Split cuts off the writer and the key's first replica; in a cluster of
// no more nodes than N the writer is that replica, and is named once.
func TestSplitCutNamesEachNodeOnce(t *testing.T) {
	for _, tc := range []struct {
		nodes, n int
		want     string
	}{
		{7, 3, "[n0 n4]"},
		{3, 3, "[n1]"},
	} {
		cfg := NewQuorums().Preset(1).Config
		cfg.Nodes, cfg.N = tc.nodes, tc.n
		c, err := core.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		v := c.View()
		pref := c.PreferenceList(quorumKey, tc.n)
		writer, _ := coordinators(&v, pref)
		if got := fmt.Sprint(splitCut(writer, pref)); got != tc.want {
			t.Errorf("%d nodes, N=%d (replicas %v, writer %v): cut %s, want %s", tc.nodes, tc.n, pref, writer, got, tc.want)
		}
	}
}
