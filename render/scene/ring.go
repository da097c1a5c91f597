package scene

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/ring"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/runfmt"
)

// NodeState is what the lab shows about a physical node.
type NodeState uint8

const (
	StateUp        NodeState = iota // running, and no running node suspects it
	StateSuspected                  // running, but some running node believes it suspect or dead
	StateDown                       // crashed
	StateLeft                       // left the ring for good (not drawn on the ring)
)

func (s NodeState) String() string {
	return [...]string{"up", "suspected", "down", "left"}[s]
}

// StateOf derives the shown state of v.Nodes[i]. "Down" is the truth of the
// simulation; "suspected" is the belief of other running nodes (Suspicion
// says how many).
func StateOf(v *core.View, i int) NodeState {
	switch runfmt.NodeStatus(v, i) {
	case "left":
		return StateLeft
	case "down":
		return StateDown
	}
	if by, _ := Suspicion(v, i); by > 0 {
		return StateSuspected
	}
	return StateUp
}

// Suspicion counts whose belief a "suspected" state is: the running nodes
// other than v.Nodes[i] that believe it suspect or dead (by), among those
// running (of).
func Suspicion(v *core.View, i int) (by, of int) {
	n := &v.Nodes[i]
	for j := range v.Nodes {
		o := &v.Nodes[j]
		if j == i || !o.Up || !o.InRing {
			continue
		}
		of++
		k, found := slices.BinarySearchFunc(o.Membership, n.ID, func(m core.MemberView, id core.NodeID) int {
			return int(m.Node) - int(id)
		})
		if found && (o.Membership[k].Status == core.Suspect || o.Membership[k].Status == core.Dead) {
			by++
		}
	}
	return by, of
}

// StateText is the shown state of v.Nodes[i] in words; a suspicion says
// whose it is: "suspected by 1 of 2" (running nodes).
func StateText(v *core.View, i int) string {
	st := StateOf(v, i)
	if st != StateSuspected {
		return st.String()
	}
	by, of := Suspicion(v, i)
	return fmt.Sprintf("suspected by %d of %d", by, of)
}

// Geom places the ring on screen. Angles are measured clockwise from the top
// (12 o'clock); a position on the ring is hash / 2^64 of a full turn.
type Geom struct{ CX, CY, R float64 }

// Angle is the screen angle (radians, for cos/sin in y-down coordinates) of
// a hash.
func Angle(hash uint64) float64 {
	return -math.Pi/2 + 2*math.Pi*(float64(hash)/(1<<64))
}

// At is the point at the given angle and radius.
func (g Geom) At(angle, r float64) (x, y float64) {
	s, c := math.Sincos(angle)
	return g.CX + r*c, g.CY + r*s
}

// Input is everything a ring picture depends on.
type Input struct {
	View *core.View
	// Phase is how far the simulation is into the current tick, in [0, 1):
	// messages are drawn at View.Tick + Phase.
	Phase float64
	// Recent are events of the last few ticks (drops, quorums) to flash.
	Recent []core.Event
	Area   frame.Rect
	Scale  float64
	// Selected is the node the inspector shows, or core.NoNode.
	Selected core.NodeID
	Measure  frame.Measurer
}

// NodePlace is where a physical node is drawn.
type NodePlace struct {
	ID    core.NodeID
	State NodeState
	// StateText is the state in words (StateText), for the label.
	StateText string
	X, Y      float64
	R         float64 // glyph radius; also the click target
	Angle     float64
}

// MessagePlace is where a message in flight is drawn this frame.
type MessagePlace struct {
	Msg      core.Message
	Progress float64 // 0 at SendTick, 1 at DeliverTick
	X, Y     float64
}

// Ring builds ring pictures. Keep one across frames: it reuses its memory,
// and it re-sorts the keys only when it is given a different View.
type Ring struct {
	Geom     Geom
	Nodes    []NodePlace
	Messages []MessagePlace
	// Keys is the number of distinct keys drawn; KeysByOwner counts them per
	// owner (indexed by NodeID), for the legend and for tests.
	Keys        int
	KeysByOwner []int

	keyHashes []uint64 // distinct key hashes of the cached view
	keyOwners []core.NodeID
	cached    *core.View
	angles    []float64

	// static holds the picture of the ring, its virtual nodes and the key
	// marks, which change only when the ring, the stored keys or the
	// geometry do; staticFor is what it was drawn from. At 64 nodes x 256
	// virtual nodes and 10,000 keys it is 150,000 vertices, too many to
	// recompute every frame.
	static    frame.Layer
	staticFor staticKey
	staticOK  bool
	ringSeen  []core.RingPoint
	keysSeen  []uint64
}

// staticKey is the geometry the static layer was drawn for.
type staticKey struct {
	area  frame.Rect
	scale float64
}

// owner is the node of the first ring point at or after h (wrapping).
func owner(points []core.RingPoint, h uint64) core.NodeID {
	if len(points) == 0 {
		return core.NoNode
	}
	i, _ := slices.BinarySearchFunc(points, h, func(p core.RingPoint, h uint64) int {
		switch {
		case p.Hash < h:
			return -1
		case p.Hash > h:
			return 1
		}
		return 0
	})
	if i == len(points) {
		i = 0
	}
	return points[i].Node
}

// collectKeys gathers the distinct keys stored anywhere and their owners on
// the agreed ring, once per view.
func (s *Ring) collectKeys(v *core.View) {
	if s.cached == v {
		return
	}
	s.cached = v
	s.keyHashes = s.keyHashes[:0]
	for i := range v.Nodes {
		for _, k := range v.Nodes[i].Keys {
			s.keyHashes = append(s.keyHashes, k.Hash)
		}
	}
	slices.Sort(s.keyHashes)
	s.keyHashes = slices.Compact(s.keyHashes)
	s.keyOwners = s.keyOwners[:0]
	for _, h := range s.keyHashes {
		s.keyOwners = append(s.keyOwners, owner(v.Ring, h))
	}
}

// Build draws the ring picture for in into l.
func (s *Ring) Build(in *Input, l *frame.Layer) {
	v := in.View
	u := in.Scale
	a := in.Area
	s.Nodes = s.Nodes[:0]
	s.Messages = s.Messages[:0]
	if v == nil || a.W <= 0 || a.H <= 0 {
		return
	}
	s.collectKeys(v)
	side := min(a.W, a.H)
	labelRoom := 36 * u
	r := max(side/2-labelRoom-30*u, 20*u)
	s.Geom = Geom{CX: a.X + a.W/2, CY: a.Y + a.H/2, R: r}
	key := staticKey{area: a, scale: u}
	if !s.staticOK || s.staticFor != key || !slices.Equal(s.ringSeen, v.Ring) || !slices.Equal(s.keysSeen, s.keyHashes) {
		s.static.Reset()
		s.buildStatic(v, u, &s.static)
		s.staticFor, s.staticOK = key, true
		s.ringSeen = append(s.ringSeen[:0], v.Ring...)
		s.keysSeen = append(s.keysSeen[:0], s.keyHashes...)
	}
	l.Append(&s.static)

	s.placeNodes(in)
	s.drawMessages(in, l)
	s.drawNodes(in, l)
	s.drawRecent(in, l)
}

// buildStatic draws the ring, its virtual nodes and the key marks, and
// counts the keys per owner.
func (s *Ring) buildStatic(v *core.View, u float64, l *frame.Layer) {
	g := s.Geom
	r := g.R

	// The ring, coloured arc by arc: each arc belongs to the node of the
	// point that ends it (clockwise), as do the keys that fall in it.
	band := 6 * u
	segs := segmentsFor(r, u)
	if len(v.Ring) == 0 {
		l.Annulus(g.CX, g.CY, r, band, segs, RingTrack)
	}
	for i, p := range v.Ring {
		prev := v.Ring[(i+len(v.Ring)-1)%len(v.Ring)].Hash
		a0, a1 := Angle(prev), Angle(p.Hash)
		if i == 0 {
			a0 -= 2 * math.Pi // the arc that wraps through the top
		}
		if len(v.Ring) == 1 {
			a0 = a1 - 2*math.Pi
		}
		arc(l, g, a0, a1, r-band/2, r+band/2, segs, NodeColor(p.Node).WithAlpha(0.8))
	}
	// Virtual nodes: a tick on the outside of the ring, longer when there
	// are few, so that chapter-sized rings show each one clearly.
	tick := 10 * u
	width := 2 * u
	if len(v.Ring) > 256 {
		tick, width = 6*u, max(1, u)
	}
	for _, p := range v.Ring {
		an := Angle(p.Hash)
		x0, y0 := g.At(an, r+band/2)
		x1, y1 := g.At(an, r+band/2+tick)
		l.Line(x0, y0, x1, y1, width, NodeColor(p.Node))
	}
	// Keys: a short radial mark inside the ring in the owner's colour.
	s.Keys = len(s.keyHashes)
	s.KeysByOwner = s.KeysByOwner[:0]
	for i, h := range s.keyHashes {
		o := s.keyOwners[i]
		if o != core.NoNode {
			for int(o) >= len(s.KeysByOwner) {
				s.KeysByOwner = append(s.KeysByOwner, 0)
			}
			s.KeysByOwner[o]++
		}
		an := Angle(h)
		x0, y0 := g.At(an, r-band/2-2*u)
		x1, y1 := g.At(an, r-band/2-10*u)
		l.Line(x0, y0, x1, y1, max(1.5*u, 1), NodeColor(o))
	}
}

// segmentsFor is how many straight pieces make a smooth circle of radius r.
func segmentsFor(r, u float64) int {
	return min(max(int(2*math.Pi*r/(6*u)), 48), 720)
}

// arc fills the band between radii r0 and r1 from angle a0 to a1, with at
// least one piece and about segs pieces per full turn.
func arc(l *frame.Layer, g Geom, a0, a1, r0, r1 float64, segs int, c frame.Color) {
	n := max(1, int(math.Ceil((a1-a0)/(2*math.Pi)*float64(segs))))
	step := (a1 - a0) / float64(n)
	for i := range n {
		b0, b1 := a0+float64(i)*step, a0+float64(i+1)*step
		x0, y0 := g.At(b0, r0)
		x1, y1 := g.At(b0, r1)
		x2, y2 := g.At(b1, r1)
		x3, y3 := g.At(b1, r0)
		l.Quad(float32(x0), float32(y0), float32(x1), float32(y1), float32(x2), float32(y2), float32(x3), float32(y3), c)
	}
}

// placeNodes puts each physical node on a circle outside the ring at the
// angle of its first virtual node, then pushes neighbours apart until the
// glyphs do not touch.
func (s *Ring) placeNodes(in *Input) {
	v, u, g := in.View, in.Scale, s.Geom
	count := 0
	for i := range v.Nodes {
		if v.Nodes[i].InRing {
			count++
		}
	}
	if count == 0 {
		return
	}
	orbit := g.R + 28*u
	// Glyphs shrink when many nodes share the orbit.
	glyph := min(11*u, math.Pi*orbit/float64(count)*0.42)
	for i := range v.Nodes {
		n := &v.Nodes[i]
		if !n.InRing {
			continue
		}
		s.Nodes = append(s.Nodes, NodePlace{ID: n.ID, State: StateOf(v, i), StateText: StateText(v, i), R: glyph,
			Angle: Angle(ring.VNodeHash(n.ID, 0))})
	}
	slices.SortFunc(s.Nodes, func(a, b NodePlace) int {
		if a.Angle != b.Angle {
			if a.Angle < b.Angle {
				return -1
			}
			return 1
		}
		return int(a.ID) - int(b.ID)
	})
	if len(s.Nodes) > 1 {
		sep := min((2*glyph+6*u)/orbit, 2*math.Pi/float64(len(s.Nodes))*0.98)
		spread(s.Nodes, sep)
	}
	for i := range s.Nodes {
		s.Nodes[i].X, s.Nodes[i].Y = g.At(s.Nodes[i].Angle, orbit)
	}
	slices.SortFunc(s.Nodes, func(a, b NodePlace) int { return int(a.ID) - int(b.ID) })
}

// spread pushes angularly sorted places apart until neighbours are at least
// sep radians apart, keeping their order. len(p)*sep must be below 2π.
func spread(p []NodePlace, sep float64) {
	n := len(p)
	for range 200 {
		moved := false
		for i := range n {
			j := (i + 1) % n
			gap := p[j].Angle - p[i].Angle
			if j == 0 {
				gap += 2 * math.Pi
			}
			if gap < sep-1e-9 {
				push := (sep - gap) / 2
				p[i].Angle -= push
				p[j].Angle += push
				moved = true
			}
		}
		if !moved {
			return
		}
	}
}

// NodeAt is the node whose glyph contains the point, if any.
func (s *Ring) NodeAt(x, y float64) (core.NodeID, bool) {
	for _, n := range s.Nodes {
		if math.Hypot(x-n.X, y-n.Y) <= n.R*1.4 {
			return n.ID, true
		}
	}
	return core.NoNode, false
}

func (s *Ring) place(id core.NodeID) (NodePlace, bool) {
	i, found := slices.BinarySearchFunc(s.Nodes, id, func(p NodePlace, id core.NodeID) int { return int(p.ID) - int(id) })
	if !found {
		return NodePlace{}, false
	}
	return s.Nodes[i], true
}

// flight is the path of a message: a quadratic curve from sender to
// receiver that bends towards the ring's centre, so that messages between
// neighbours do not run along the node orbit.
func (s *Ring) flight(from, to NodePlace, t float64) (x, y float64) {
	cx := s.Geom.CX + ((from.X+to.X)/2-s.Geom.CX)*0.35
	cy := s.Geom.CY + ((from.Y+to.Y)/2-s.Geom.CY)*0.35
	a, b, c := (1-t)*(1-t), 2*(1-t)*t, t*t
	return a*from.X + b*cx + c*to.X, a*from.Y + b*cy + c*to.Y
}

// reducedMotion is the user's wish for no animation (the page's
// prefers-reduced-motion, the desktop's -reduced-motion). It is one setting
// for the whole program, made once at start by the host.
var reducedMotion atomic.Bool

// SetReducedMotion turns jump cuts on or off: with them on, Progress is 1 for
// every message (a message shows at its destination, never between), and
// the ring draws no trails and no fading marks.
func SetReducedMotion(on bool) { reducedMotion.Store(on) }

// ReducedMotion reports whether jump cuts are on.
func ReducedMotion() bool { return reducedMotion.Load() }

// Progress is how far a message is along its flight at time now (ticks,
// fractional), clamped to [0, 1]; always 1 with reduced motion.
func Progress(m core.Message, now float64) float64 {
	if reducedMotion.Load() {
		return 1
	}
	span := float64(m.DeliverTick - m.SendTick)
	if span <= 0 {
		return 1
	}
	return min(max((now-float64(m.SendTick))/span, 0), 1)
}

func (s *Ring) drawMessages(in *Input, l *frame.Layer) {
	u := in.Scale
	now := float64(in.View.Tick) + in.Phase
	for _, m := range in.View.InFlight {
		from, ok1 := s.place(m.From)
		to, ok2 := s.place(m.To)
		if !ok1 || !ok2 || m.From == m.To {
			continue
		}
		p := Progress(m, now)
		x, y := s.flight(from, to, p)
		s.Messages = append(s.Messages, MessagePlace{Msg: m, Progress: p, X: x, Y: y})
		c := MessageColor(m.Kind)
		if m.Kind != core.MsgGossip && m.Kind != core.MsgGossipReply && !ReducedMotion() {
			// A faint trail along the path already flown.
			const pieces = 8
			px, py := from.X, from.Y
			for i := 1; i <= pieces; i++ {
				qx, qy := s.flight(from, to, p*float64(i)/pieces)
				l.Line(px, py, qx, qy, 1.5*u, c.WithAlpha(0.35))
				px, py = qx, qy
			}
		}
		if IsReply(m.Kind) {
			d := 5 * u
			l.Quad(float32(x), float32(y-d), float32(x+d), float32(y), float32(x), float32(y+d), float32(x-d), float32(y), c)
		} else {
			l.Disc(x, y, 4.5*u, 12, Black)
			l.Disc(x, y, 3.5*u, 12, c)
		}
	}
}

func (s *Ring) drawNodes(in *Input, l *frame.Layer) {
	u := in.Scale
	g := s.Geom
	size := max(13*u, min(14*u, s.nodeLabelSize(u)))
	for _, n := range s.Nodes {
		c := NodeColor(n.ID)
		r := n.R
		if n.ID == in.Selected {
			l.Annulus(n.X, n.Y, r+5*u, 2.5*u, 32, TextColor)
		}
		switch n.State {
		case StateUp:
			l.Disc(n.X, n.Y, r, 24, Black)
			l.Disc(n.X, n.Y, r-1.5*u, 24, c)
		case StateSuspected:
			// A triangle, point up: a warning sign in the node's colour.
			h := r * 1.25
			l.Tri(float32(n.X), float32(n.Y-h), float32(n.X+h), float32(n.Y+h*0.75), float32(n.X-h), float32(n.Y+h*0.75), Black)
			h -= 2 * u
			l.Tri(float32(n.X), float32(n.Y-h), float32(n.X+h), float32(n.Y+h*0.75), float32(n.X-h), float32(n.Y+h*0.75), c)
		case StateDown:
			// A grey square crossed out.
			l.Rect(frame.Rect{X: n.X - r, Y: n.Y - r, W: 2 * r, H: 2 * r}, Grey)
			l.Rect(frame.Rect{X: n.X - r + 2*u, Y: n.Y - r + 2*u, W: 2*r - 4*u, H: 2*r - 4*u}, Black)
			l.Line(n.X-r*0.6, n.Y-r*0.6, n.X+r*0.6, n.Y+r*0.6, 2*u, Grey)
			l.Line(n.X-r*0.6, n.Y+r*0.6, n.X+r*0.6, n.Y-r*0.6, 2*u, Grey)
		}
		label := n.ID.String()
		if n.State != StateUp {
			label += " " + n.StateText
		}
		// The label sits outside the glyph, on the side away from the ring.
		lx, ly := g.At(n.Angle, math.Hypot(n.X-g.CX, n.Y-g.CY)+r+10*u)
		align := frame.AlignStart
		cos := math.Cos(n.Angle)
		switch {
		case cos < -0.3:
			align = frame.AlignEnd
		case cos < 0.3:
			align = frame.AlignCenter
		}
		ty := ly - frame.LineHeight(size)/2
		if math.Sin(n.Angle) < -0.7 {
			ty = ly - frame.LineHeight(size)
		} else if math.Sin(n.Angle) > 0.7 {
			ty = ly
		}
		col := TextColor
		if n.State == StateDown {
			col = TextDim
		}
		l.Label(lx, ty, size, col, align, label)
	}
}

// nodeLabelSize keeps labels from colliding when many nodes share the orbit.
func (s *Ring) nodeLabelSize(u float64) float64 {
	if len(s.Nodes) <= 24 {
		return 14 * u
	}
	return 13 * u
}

// recentTicks is how long a drop mark stays on screen.
const recentTicks = 2.0

func (s *Ring) drawRecent(in *Input, l *frame.Layer) {
	u := in.Scale
	now := float64(in.View.Tick) + in.Phase
	for _, e := range in.Recent {
		if e.Kind != core.EvMsgDrop {
			continue
		}
		age := now - float64(e.Tick)
		if age < 0 || age > recentTicks {
			continue
		}
		from, ok1 := s.place(e.From)
		to, ok2 := s.place(e.To)
		if !ok1 || !ok2 || e.From == e.To {
			continue
		}
		x, y := s.flight(from, to, 0.6)
		alpha := float32(1 - age/recentTicks)
		if ReducedMotion() {
			alpha = 1 // a steady mark for its whole time: nothing fades
		}
		d := 5 * u
		l.Line(x-d, y-d, x+d, y+d, 2.5*u, Vermillion.WithAlpha(alpha))
		l.Line(x-d, y+d, x+d, y-d, 2.5*u, Vermillion.WithAlpha(alpha))
	}
}

// Describe writes the last picture as text: node places, key counts and
// messages, with coordinates rounded to whole pixels. Golden tests compare it.
func (s *Ring) Describe(w io.Writer) {
	fmt.Fprintf(w, "ring centre (%.0f,%.0f) radius %.0f\n", s.Geom.CX, s.Geom.CY, s.Geom.R)
	for _, n := range s.Nodes {
		fmt.Fprintf(w, "node %v %v at (%.0f,%.0f) r %.0f colour %s\n", n.ID, n.State, n.X, n.Y, n.R, NodeColor(n.ID).Hex())
	}
	fmt.Fprintf(w, "keys %d:", s.Keys)
	for id, c := range s.KeysByOwner {
		if c > 0 {
			fmt.Fprintf(w, " n%d=%d", id, c)
		}
	}
	fmt.Fprintln(w)
	for _, m := range s.Messages {
		fmt.Fprintf(w, "message %d kind %d %v->%v at %s of its flight (%.0f,%.0f)\n",
			m.Msg.ID, m.Msg.Kind, m.Msg.From, m.Msg.To, strconv.FormatFloat(m.Progress, 'f', 2, 64), m.X, m.Y)
	}
}
