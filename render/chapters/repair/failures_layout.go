package repair

import (
	"fmt"
	"math"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// clusterLayout is where the failures chapter's circle puts its parts: the
// last gossip exchanges, the hints stand-ins hold, the recent handoffs and
// the nodes with their names.
type clusterLayout struct {
	glyphR   float64 // the nodes' glyph radius
	gossip   []gossipLine
	hints    []clusterArrow // dashed, from a stand-in to the node it writes for
	handoffs []clusterArrow // solid, to the node that was back
	nodes    []clusterNode
	// hits are where a click selects a node.
	hits []hit
}

// gossipLine is one gossip exchange of the last interval, fading with age.
type gossipLine struct {
	x0, y0, x1, y1 float64
	c              frame.Color
}

// clusterArrow is an arrow between two nodes, its ends pulled in to the
// glyphs' edges, and its label: a hint's is drawn on a framed box. A label
// that would cover another is left out (text.s empty, box empty).
type clusterArrow struct {
	x0, y0, x1, y1 float64
	box            frame.Rect
	text           label
}

// clusterNode is one node on the circle: its shown state picks the glyph,
// and its name (with the state in words where it fits) goes above or
// under it. A name that would cover another is left out (text.s empty).
type clusterNode struct {
	id       core.NodeID
	x, y     float64
	state    scene.NodeState
	up       bool
	selected bool
	text     label
}

// layOutCluster places the nodes of v on a circle in r, with the gossip,
// hints and handoffs of events (the chapter's trace) between them;
// selected is the inspected node.
func layOutCluster(v *core.View, events []core.Event, selected core.NodeID, th *ui.Theme, m frame.Measurer, r frame.Rect) clusterLayout {
	u := th.U
	n := len(v.Nodes)
	var lay clusterLayout
	if n == 0 {
		return lay
	}
	cx, cy := r.X+r.W/2, r.Y+r.H/2
	rad := min(r.W, r.H)/2 - u(50)
	gr := u(13)
	lay.glyphR = gr
	pos := make([][2]float64, n)
	for i := range v.Nodes {
		a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(n)
		pos[i] = [2]float64{cx + rad*math.Cos(a), cy + rad*math.Sin(a)}
	}
	now := v.Tick
	window := max(v.Config.GossipIntervalTicks, 1)
	for _, e := range events {
		if e.Tick <= now-window || int(e.From) >= n || int(e.To) >= n {
			continue
		}
		if e.Kind == core.EvGossip {
			age := float64(now-e.Tick) / float64(window)
			a, b := pos[e.From], pos[e.To]
			lay.gossip = append(lay.gossip, gossipLine{a[0], a[1], b[0], b[1], scene.Purple.WithAlpha(float32(1 - 0.7*age))})
		}
	}
	// Node labels are placed first; a hint's or handoff's label is left
	// out where it would cover one of them or another.
	placed := lay.layOutClusterNodes(v, pos, cy, rad, selected, th, m)
	placed = lay.layOutHints(v, pos, placed, th, m)
	lay.layOutHandoffs(events, now, pos, placed, th, m)
	return lay
}

// layOutClusterNodes places each node at pos with its name: under the
// glyph, or above it in the top half of the circle (centre y cy, radius
// rad). A name that would cover one placed before it loses its state
// words (the glyph shows the state), then is left out. It returns the
// names' boxes.
func (lay *clusterLayout) layOutClusterNodes(v *core.View, pos [][2]float64, cy, rad float64, selected core.NodeID, th *ui.Theme, m frame.Measurer) []frame.Rect {
	u := th.U
	fs := th.Font()
	lh := frame.LineHeight(fs)
	gr := lay.glyphR
	var placed []frame.Rect
	for i, nv := range v.Nodes {
		x0, y0 := pos[i][0], pos[i][1]
		node := clusterNode{id: nv.ID, x: x0, y: y0, state: scene.StateOf(v, i), up: nv.Up, selected: nv.ID == selected}
		lay.hits = append(lay.hits, hit{nv.ID, x0, y0, gr + u(6)})
		col := th.Text
		if !nv.Up {
			col = th.TextDim
		}
		s := nv.ID.String()
		if node.state != scene.StateUp {
			s += " " + scene.StateText(v, i)
		}
		ly := y0 + gr + u(6)
		if y0 < cy-rad*0.5 {
			ly = y0 - gr - u(6) - lh
		}
		node.text = label{x0, ly, fs, col, frame.AlignCenter, s}
		b := node.text.box(m)
		if overlapsAny(b, placed) {
			node.text.s = nv.ID.String()
			b = node.text.box(m)
		}
		if overlapsAny(b, placed) {
			node.text.s = ""
		} else {
			placed = append(placed, b)
		}
		lay.nodes = append(lay.nodes, node)
	}
	return placed
}

// layOutHints places a dashed arrow from each stand-in to each node it
// holds hints for, labelled with the key (or the count of keys) on a
// framed box where it covers nothing placed; it returns placed with the
// boxes added.
func (lay *clusterLayout) layOutHints(v *core.View, pos [][2]float64, placed []frame.Rect, th *ui.Theme, m frame.Measurer) []frame.Rect {
	u := th.U
	fs := th.Font()
	lh := frame.LineHeight(fs)
	n := len(pos)
	type pair struct{ from, to core.NodeID }
	hints := map[pair][]string{}
	var order []pair
	for _, nv := range v.Nodes {
		for _, h := range nv.Hints {
			k := pair{nv.ID, h.For}
			if _, ok := hints[k]; !ok {
				order = append(order, k)
			}
			hints[k] = append(hints[k], h.Key)
		}
	}
	for _, k := range order {
		if int(k.from) >= n || int(k.to) >= n {
			continue
		}
		a, b := pos[k.from], pos[k.to]
		var ar clusterArrow
		ar.x0, ar.y0, ar.x1, ar.y1 = shorten(a[0], a[1], b[0], b[1], lay.glyphR+u(4))
		keys := hints[k]
		s := "hint: " + keys[0]
		if len(keys) > 1 {
			s = fmt.Sprintf("%d hints", len(keys))
		}
		mx, my := (ar.x0+ar.x1)/2, (ar.y0+ar.y1)/2
		w := m.Width(s, fs) + u(10)
		box := frame.Rect{X: mx - w/2, Y: my - lh/2 - u(2), W: w, H: lh + u(4)}
		if !overlapsAny(box, placed) {
			placed = append(placed, box)
			ar.box = box
			ar.text = label{mx, box.Y + u(2), fs, th.Text, frame.AlignCenter, s}
		}
		lay.hints = append(lay.hints, ar)
	}
	return placed
}

// layOutHandoffs places a solid arrow for each hint handed off in the 12
// ticks before now, labelled with its key where the label covers nothing
// placed.
func (lay *clusterLayout) layOutHandoffs(events []core.Event, now int64, pos [][2]float64, placed []frame.Rect, th *ui.Theme, m frame.Measurer) {
	u := th.U
	fs := th.Font()
	n := len(pos)
	for _, e := range events {
		if e.Kind != core.EvHintHandedOff || e.Tick <= now-12 || int(e.From) >= n || int(e.Peer) >= n {
			continue
		}
		a, b := pos[e.From], pos[e.Peer]
		var ar clusterArrow
		ar.x0, ar.y0, ar.x1, ar.y1 = shorten(a[0], a[1], b[0], b[1], lay.glyphR+u(4))
		text := label{(ar.x0 + ar.x1) / 2, (ar.y0+ar.y1)/2 + u(6), fs, scene.Vermillion, frame.AlignCenter, "handed off " + e.Key}
		if lb := text.box(m); !overlapsAny(lb, placed) {
			placed = append(placed, lb)
			ar.text = text
		}
		lay.handoffs = append(lay.handoffs, ar)
	}
}
