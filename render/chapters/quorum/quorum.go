// Package quorum holds the chapters on keeping more than one copy of a key:
// replication along the ring (the preference-list walk), the CAP choice a
// partition forces (a strict and a sloppy cluster fed the same requests),
// and tunable quorums N, W and R (the overlap of write and read sets).
//
// Every picture is drawn from the real run: the cluster's View, its event
// trace and its history. Placement alone (the walk) is recomputed with
// core/ring from the View's nodes. Nothing here imports Ebitengine.
package quorum

import (
	"iter"
	"math"
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
)

// Chapters returns this part's chapters, in order.
func Chapters() []lab.Chapter {
	return []lab.Chapter{NewReplication(), NewCAP(), NewQuorums()}
}

// baseConfig is the quiet cluster the three chapters start from: no
// workload and no faults, so that every request on screen is one the
// learner (or the preset) sent, and a timeout short enough that a request
// which cannot gather its quorum fails while the learner still watches.
func baseConfig(seed uint64) core.Config {
	cfg := core.DefaultConfig()
	cfg.Seed = seed
	cfg.RequestTimeoutTicks = 24
	return cfg
}

// nodeOf is the node with the given ID in v, or nil.
func nodeOf(v *core.View, id core.NodeID) *core.NodeView {
	if v == nil {
		return nil
	}
	if int(id) < len(v.Nodes) && v.Nodes[id].ID == id { // nodes are sorted by dense IDs
		return &v.Nodes[id]
	}
	for i := range v.Nodes {
		if v.Nodes[i].ID == id {
			return &v.Nodes[i]
		}
	}
	return nil
}

// storedValues are the values node id stores for key (more than one:
// siblings), and the values it keeps as hints for other nodes.
func storedValues(v *core.View, id core.NodeID, key string) (values, hinted []string) {
	n := nodeOf(v, id)
	if n == nil {
		return nil, nil
	}
	for _, k := range n.Keys {
		if k.Key == key {
			for _, ver := range k.Versions {
				values = append(values, ver.Value)
			}
		}
	}
	for _, h := range n.Hints {
		if h.Key == key {
			for _, ver := range h.Versions {
				hinted = append(hinted, ver.Value)
			}
		}
	}
	return values, hinted
}

// groupOf is the index of the partition group that holds id, or -1 when
// the network is whole. Nodes no group lists form a group of their own,
// numbered len(v.Groups), as the core treats them.
func groupOf(v *core.View, id core.NodeID) int {
	if len(v.Groups) == 0 {
		return -1
	}
	for i, g := range v.Groups {
		for _, m := range g {
			if m == id {
				return i
			}
		}
	}
	return len(v.Groups)
}

// reachable reports whether messages between a and b get through the
// partition (crashes aside).
func reachable(v *core.View, a, b core.NodeID) bool {
	return groupOf(v, a) == groupOf(v, b)
}

// kept reads the history a cluster keeps in place, at the tick on screen:
// the pictures read it every frame, and a copy of a long run's history
// each frame is garbage the frame pays for. The zero kept is an empty
// history.
type kept struct{ c *core.Cluster }

// all yields the operations in invocation order.
func (k kept) all() iter.Seq[core.Op] {
	if k.c == nil {
		return func(func(core.Op) bool) {}
	}
	return k.c.Ops()
}

// newestFirst yields the operations, the last invoked first.
func (k kept) newestFirst() iter.Seq[core.Op] {
	return func(yield func(core.Op) bool) {
		if k.c == nil {
			return
		}
		for i := k.c.HistoryLen() - 1; i >= k.c.HistoryForgotten(); i-- {
			if op, ok := k.c.OpAt(i); ok && !yield(op) {
				return
			}
		}
	}
}

// op is the history entry of request id, if it is kept.
func (k kept) op(id core.RequestID) (core.Op, bool) {
	if k.c == nil {
		return core.Op{}, false
	}
	return k.c.Op(id)
}

// requestOf is the in-progress view of request id, if it is still running.
func requestOf(v *core.View, id core.RequestID) (core.RequestView, bool) {
	for _, r := range v.Requests {
		if r.ID == id {
			return r, true
		}
	}
	return core.RequestView{}, false
}

// names renders nodes as "n0 n1 n2".
func names(ids []core.NodeID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return strings.Join(s, " ")
}

// contains reports whether ids holds id.
func contains(ids []core.NodeID, id core.NodeID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// valuesText renders a get's answer or a replica's versions: "v1",
// "a1 | b1" for siblings, "nothing" when there is none.
func valuesText(vals []string) string {
	if len(vals) == 0 {
		return "nothing"
	}
	return strings.Join(vals, " | ")
}

// dashed strokes a dashed segment: dash and gap are lengths along it.
func dashed(l *frame.Layer, x0, y0, x1, y1, width, dash, gap float64, c frame.Color) {
	n := math.Hypot(x1-x0, y1-y0)
	if n == 0 || dash <= 0 {
		return
	}
	ux, uy := (x1-x0)/n, (y1-y0)/n
	for s := 0.0; s < n; s += dash + gap {
		e := min(s+dash, n)
		l.Line(x0+ux*s, y0+uy*s, x0+ux*e, y0+uy*e, width, c)
	}
}

// dashedRect strokes the outline of r with dashes.
func dashedRect(l *frame.Layer, r frame.Rect, width, dash, gap float64, c frame.Color) {
	dashed(l, r.X, r.Y, r.Right(), r.Y, width, dash, gap, c)
	dashed(l, r.Right(), r.Y, r.Right(), r.Bottom(), width, dash, gap, c)
	dashed(l, r.Right(), r.Bottom(), r.X, r.Bottom(), width, dash, gap, c)
	dashed(l, r.X, r.Bottom(), r.X, r.Y, width, dash, gap, c)
}

// point is a place on screen.
type point struct{ X, Y float64 }

// label is one line of text placed by a layout: x and the alignment say
// where it stands across, y is the top of its line box (as
// frame.Layer.Label takes it), and s is already shortened to its room.
type label struct {
	x, y, size float64
	c          frame.Color
	align      frame.Align
	s          string
}

func (t label) draw(l *frame.Layer) { l.Label(t.x, t.y, t.size, t.c, t.align, t.s) }

// box is the rectangle the label covers, its width measured with m.
func (t label) box(m frame.Measurer) frame.Rect {
	return frame.LabelBox(m, t.x, t.y, t.size, t.align, t.s)
}

// drawLabels draws ts in order.
func drawLabels(l *frame.Layer, ts []label) {
	for _, t := range ts {
		t.draw(l)
	}
}

// drawQuad fills the convex quadrilateral with the corners q, in order.
func drawQuad(l *frame.Layer, q []point, c frame.Color) {
	l.Quad(float32(q[0].X), float32(q[0].Y), float32(q[1].X), float32(q[1].Y),
		float32(q[2].X), float32(q[2].Y), float32(q[3].X), float32(q[3].Y), c)
}

// flightAt is where a message is at progress t in [0, 1] on a gently
// curved path from a to b (curved so that a request and its reply, which
// travel the same pair, stay apart: the curve bends to the sender's left).
func flightAt(a, b point, t float64) point {
	mx, my := (a.X+b.X)/2, (a.Y+b.Y)/2
	dx, dy := b.X-a.X, b.Y-a.Y
	cx, cy := mx-dy*0.12, my+dx*0.12
	p, q, r := (1-t)*(1-t), 2*(1-t)*t, t*t
	return point{p*a.X + q*cx + r*b.X, p*a.Y + q*cy + r*b.Y}
}

// drawMessage draws one message in flight between two places: a disc for a
// request, a diamond for a reply (so direction does not rest on colour),
// with a faint trail along the path already flown.
func drawMessage(l *frame.Layer, u float64, from, to point, progress float64, kind core.MsgKind) point {
	c := scene.MessageColor(kind)
	const pieces = 8
	prev := from
	for i := 1; i <= pieces; i++ {
		q := flightAt(from, to, progress*float64(i)/pieces)
		l.Line(prev.X, prev.Y, q.X, q.Y, 1.5*u, c.WithAlpha(0.35))
		prev = q
	}
	p := flightAt(from, to, progress)
	if scene.IsReply(kind) {
		d := 6 * u
		l.Quad(float32(p.X), float32(p.Y-d), float32(p.X+d), float32(p.Y), float32(p.X), float32(p.Y+d), float32(p.X-d), float32(p.Y), scene.Black)
		d -= 1.5 * u
		l.Quad(float32(p.X), float32(p.Y-d), float32(p.X+d), float32(p.Y), float32(p.X), float32(p.Y+d), float32(p.X-d), float32(p.Y), c)
	} else {
		l.Disc(p.X, p.Y, 5*u, 12, scene.Black)
		l.Disc(p.X, p.Y, 4*u, 12, c)
	}
	return p
}

// drawCross marks a dropped message.
func drawCross(l *frame.Layer, p point, d, width float64, c frame.Color) {
	l.Line(p.X-d, p.Y-d, p.X+d, p.Y+d, width, c)
	l.Line(p.X-d, p.Y+d, p.X+d, p.Y-d, width, c)
}

// drawNodeGlyph draws a node as the ring does: a disc in its colour when up,
// a crossed-out grey square when down.
func drawNodeGlyph(l *frame.Layer, u float64, p point, r float64, id core.NodeID, up bool) {
	if up {
		l.Disc(p.X, p.Y, r, 24, scene.Black)
		l.Disc(p.X, p.Y, r-1.5*u, 24, scene.NodeColor(id))
		return
	}
	l.Rect(frame.Rect{X: p.X - r, Y: p.Y - r, W: 2 * r, H: 2 * r}, scene.Grey)
	l.Rect(frame.Rect{X: p.X - r + 2*u, Y: p.Y - r + 2*u, W: 2*r - 4*u, H: 2*r - 4*u}, scene.Black)
	drawCross(l, p, r*0.6, 2*u, scene.Grey)
}

// progressOf is how far message m is along its flight at tick now.
func progressOf(m core.Message, now float64) float64 { return scene.Progress(m, now) }
