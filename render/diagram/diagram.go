// Package diagram lays out the space-time diagram of a run: one lane per
// node and one per client, time running left to right, every message an
// arrow from its send on the sender's lane to its delivery on the
// receiver's, lost messages ending in a cross where they were lost, client
// operations as intervals on their client's lane, and crashes, partitions
// and clock skew as shaded spans. It also lays out the per-key client
// history. Everything is computed from a spacetime.Model and the tick on
// screen, as plain geometry (package frame), so it is tested without a
// display and shows the same picture after any scrub, fork or replay.
package diagram

import (
	"math"
	"strconv"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/spacetime"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/scene"
)

// Group is a family of messages the filter shows or hides together.
type Group uint8

const (
	GroupWrites Group = iota // put requests and their acks
	GroupReads               // get requests and their replies
	GroupRepair              // read repair, hinted hand-off, key transfers
	GroupGossip              // membership gossip
	GroupMerkle              // Merkle anti-entropy
	GroupCount
)

var groupNames = [GroupCount]string{"writes", "reads", "repair and hand-off", "gossip", "Merkle"}

// String names the group as the filter's buttons do.
func (g Group) String() string {
	if g < GroupCount {
		return groupNames[g]
	}
	return "group" + strconv.Itoa(int(g))
}

// GroupOf is the filter group of a message kind.
func GroupOf(k core.MsgKind) Group {
	switch k {
	case core.MsgPutReq, core.MsgPutAck:
		return GroupWrites
	case core.MsgGetReq, core.MsgGetResp:
		return GroupReads
	case core.MsgGossip, core.MsgGossipReply:
		return GroupGossip
	case core.MsgMerkleReq, core.MsgMerkleResp, core.MsgKeysPush, core.MsgKeysReply:
		return GroupMerkle
	}
	return GroupRepair
}

// Filter selects what the diagram draws.
type Filter struct {
	// Hide hides a group of messages.
	Hide [GroupCount]bool
	// Key, when set, keeps only messages and operations of that key.
	Key string
}

// DefaultFilter hides gossip, which drowns everything else in a busy run.
func DefaultFilter() Filter {
	var f Filter
	f.Hide[GroupGossip] = true
	return f
}

// Shows reports whether the filter lets message g through.
func (f *Filter) Shows(g *spacetime.Msg) bool {
	return !f.Hide[GroupOf(g.Kind)] && (f.Key == "" || g.Key == f.Key)
}

// ItemKind says what a selection or a hit is.
type ItemKind uint8

const (
	ItemNone ItemKind = iota
	ItemOp            // a client operation (ID is its request)
	ItemMsg           // a message (ID is its id)
)

// Item names a selectable thing of the diagram.
type Item struct {
	Kind ItemKind
	ID   uint64
}

// Input is everything a diagram depends on besides the model.
type Input struct {
	Area frame.Rect
	// Cursor is the tick on screen: nothing after it is drawn, and messages
	// that had not arrived by then are cut at the cursor.
	Cursor int64
	// From and To are the ticks at the left and right edges.
	From, To int64
	Filter   Filter
	Selected Item
	// Stale tells the reads the oracle counts as stale; Lost the
	// acknowledged puts lost at the cursor: no version on their key's
	// replicas has seen them, nor does a stand-in's hint
	// (core.Cluster.WriteLost); Unexplained the
	// operations no linearization explains (the check's verdict);
	// Linearized those in the longest linearizable prefix the check found.
	// Any may be nil.
	Stale, Lost, Unexplained, Linearized func(core.RequestID) bool
	// History lays out the client-history view instead: one lane per client
	// (of Filter.Key, when set), the operations as intervals, no node lanes
	// and no messages.
	History bool
	// TextSize is the label size in device pixels; 0 leaves labels out.
	TextSize float64
	Measure  frame.Measurer
}

// Lane is one row of the diagram.
type Lane struct {
	Node   core.NodeID // core.NoNode on a client's lane
	Client int         // the client, on a client's lane
	Y      float64     // the lane's centre line
	Label  string
}

// Arrow is one message drawn from its send to its end, or to the cursor.
type Arrow struct {
	Msg            *spacetime.Msg
	X0, Y0, X1, Y1 float64
	Lost           bool // ends in a cross at (X1, Y1)
	InFlight       bool // cut at the cursor
	Color          frame.Color
	Dim            bool // outside the selected request
}

// Bar is one client operation on its client's lane.
type Bar struct {
	Op      *spacetime.Op
	Rect    frame.Rect
	Label   string
	Pending bool // not answered by the cursor: the bar runs to it
	Failed  bool
	Stale   bool
	Lost    bool // an acknowledged put no replica keeps now (Input.Lost)
	Marked  bool // no linearization explains it
	// Explained: in the longest linearizable prefix the check found.
	Explained bool
	Dim       bool
	// CoordY is the coordinator's lane: a connector joins it to the bar.
	CoordY float64
}

// ShadeKind is what a shaded span means.
type ShadeKind uint8

const (
	ShadeDown      ShadeKind = iota // the node was down
	ShadePartition                  // the node was on one side of a partition (Side)
	ShadeSkew                       // the node's clock was skewed
)

// Shade is a shaded stretch of a lane.
type Shade struct {
	Kind ShadeKind
	Rect frame.Rect
	Side int    // the partition side, from 0
	Text string // "down (crashed)", "side 2 of 2", "clock +5"
}

// Layout is one laid-out diagram.
type Layout struct {
	In      Input
	Plot    frame.Rect // where time runs; lane labels are left of it
	LaneH   float64
	Lanes   []Lane
	Arrows  []Arrow
	Bars    []Bar
	Shades  []Shade
	CursorX float64
	// Request is what the selected operation did, when an operation is
	// selected; Missed the write a selected stale read did not return.
	Request spacetime.Request
	Missed  *spacetime.Op
	Why     string

	nodeLane   []int           // lane index by node id, -1 for none
	clientLane []int           // lane index by client number, -1 for none
	related    map[uint64]bool // messages of the selected request
}

// lostAt is how far along its way a message lost in the network is drawn.
const lostAt = 0.6

// LabelWidth is the width of the lane labels' column.
const LabelWidth = 40

// X is the x of tick t.
func (l *Layout) X(t float64) float64 {
	span := float64(max(l.In.To-l.In.From, 1))
	return l.Plot.X + (t-float64(l.In.From))/span*l.Plot.W
}

// Tick is the tick at x (the inverse of X), rounded to the nearest.
func (l *Layout) Tick(x float64) int64 {
	span := float64(max(l.In.To-l.In.From, 1))
	return l.In.From + int64(math.Round((x-l.Plot.X)/max(l.Plot.W, 1)*span))
}

// NodeY is the centre line of node n's lane.
func (l *Layout) NodeY(n core.NodeID) (float64, bool) {
	if int(n) >= len(l.nodeLane) || l.nodeLane[n] < 0 {
		return 0, false
	}
	return l.Lanes[l.nodeLane[n]].Y, true
}

// ClientY is the centre line of client c's lane.
func (l *Layout) ClientY(c int) (float64, bool) {
	if c < 0 || c >= len(l.clientLane) || l.clientLane[c] < 0 {
		return 0, false
	}
	return l.Lanes[l.clientLane[c]].Y, true
}

// Build lays out the diagram of m for in. Its cost follows the messages and
// operations inside [in.From, in.To], not the run's length.
func Build(m *spacetime.Model, in Input) *Layout {
	l := new(Layout)
	l.Build(m, in)
	return l
}

// Build lays out the diagram again into l, reusing its memory: a view
// that redraws every frame keeps one Layout.
func (l *Layout) Build(m *spacetime.Model, in Input) {
	*l = Layout{
		In: in, Lanes: l.Lanes[:0], Arrows: l.Arrows[:0], Bars: l.Bars[:0], Shades: l.Shades[:0],
		nodeLane: l.nodeLane[:0], clientLane: l.clientLane[:0],
	}
	if in.To <= in.From {
		l.In.To = in.From + 1
	}
	labelW := 0.0
	if in.TextSize > 0 {
		labelW = LabelWidth * in.TextSize / 12
	}
	_, l.Plot = in.Area.CutLeft(labelW)
	l.Plot = frame.Rect{X: l.Plot.X, Y: l.Plot.Y, W: max(l.Plot.W-4, 1), H: l.Plot.H}

	// Lanes: nodes, then clients.
	clients := m.Clients()
	if in.Filter.Key != "" {
		clients = clientsOfKey(m, in.Filter.Key)
	}
	nodes := m.Nodes()
	if in.History {
		nodes = 0
	}
	n := nodes + len(clients)
	l.LaneH = in.Area.H / float64(max(n, 1))
	for i := 0; i < nodes; i++ {
		id := core.NodeID(i)
		l.nodeLane = append(l.nodeLane, len(l.Lanes))
		l.Lanes = append(l.Lanes, Lane{Node: id, Y: in.Area.Y + (float64(len(l.Lanes))+0.5)*l.LaneH, Label: id.String()})
	}
	for _, c := range clients {
		for len(l.clientLane) <= c {
			l.clientLane = append(l.clientLane, -1)
		}
		l.clientLane[c] = len(l.Lanes)
		label := "c" + strconv.Itoa(c)
		if c == 0 {
			label = "you"
		}
		l.Lanes = append(l.Lanes, Lane{Node: core.NoNode, Client: c, Y: in.Area.Y + (float64(len(l.Lanes))+0.5)*l.LaneH, Label: label})
	}
	l.CursorX = l.X(float64(in.Cursor))

	// The selection.
	if in.Selected.Kind == ItemOp {
		if r, ok := m.Explain(core.RequestID(in.Selected.ID), in.Cursor); ok {
			l.Request = r
			l.related = map[uint64]bool{}
			for _, g := range r.Msgs {
				l.related[g.ID] = true
			}
			if in.Stale != nil && in.Stale(r.Op.Request) && r.Op.Answered(in.Cursor) {
				if p, ok := m.Missed(r.Op); ok {
					l.Missed = p
					l.Why = m.WhyStale(r.Op, p)
					for _, g := range m.RequestMsgs(p.Request) {
						l.related[g.ID] = true
					}
				}
			}
		}
	}

	last := min(in.To, in.Cursor)
	if !in.History {
		l.shades(m)
		m.MsgsBetween(in.From, last, func(g *spacetime.Msg) bool {
			if in.Filter.Shows(g) {
				l.arrow(g)
			}
			return true
		})
	}
	m.OpsBetween(in.From, last, func(o *spacetime.Op) bool {
		if in.Filter.Key == "" || o.Key == in.Filter.Key {
			l.bar(o)
		}
		return true
	})
}

func clientsOfKey(m *spacetime.Model, key string) []int {
	var out []int
	seen := map[int]bool{}
	for _, o := range m.Ops() {
		if o.Key == key && !seen[o.Client] {
			seen[o.Client] = true
			out = append(out, o.Client)
		}
	}
	sortInts(out)
	return out
}

func sortInts(s []int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// clampX keeps an x inside the plot, for items that begin before it.
func (l *Layout) clampX(x float64) float64 {
	return min(max(x, l.Plot.X), l.Plot.X+l.Plot.W)
}

func (l *Layout) arrow(g *spacetime.Msg) {
	y0, ok0 := l.NodeY(g.From)
	y1, ok1 := l.NodeY(g.To)
	if !ok0 || !ok1 {
		return
	}
	cur := l.In.Cursor
	a := Arrow{Msg: g, X0: l.X(float64(g.Send)), Y0: y0, Color: scene.MessageColor(g.Kind)}
	end := g.End
	switch {
	case g.InFlight(cur):
		// Drawn up to the cursor along its way to the receiver.
		a.InFlight = true
		total := float64(max(g.Due-g.Send, 1))
		f := min(float64(cur-g.Send)/total, 1)
		a.X1 = l.X(float64(cur))
		a.Y1 = y0 + (y1-y0)*f
	default:
		a.X1, a.Y1 = l.X(float64(end)), y1
		a.Lost = g.Lost
		if g.Lost && (g.Reason == "lost" || g.Reason == "partition") {
			// A message lost in the network stops part of the way, where the
			// cross is drawn; one refused by a down receiver reaches its lane.
			a.X1 = a.X0 + (a.X1-a.X0)*lostAt
			a.Y1 = y0 + (y1-y0)*lostAt
		}
	}
	if l.related != nil && !l.related[g.ID] {
		a.Dim = true
	}
	l.Arrows = append(l.Arrows, a)
}

func (l *Layout) bar(o *spacetime.Op) {
	y, ok := l.ClientY(o.Client)
	if !ok {
		return
	}
	cur := l.In.Cursor
	end := o.End
	pending := !o.Answered(cur)
	if pending {
		end = cur
	}
	x0, x1 := l.clampX(l.X(float64(o.Start))), l.clampX(l.X(float64(end)))
	h := max(l.LaneH*0.5, 3)
	b := Bar{
		Op:        o,
		Rect:      frame.Rect{X: x0, Y: y - h/2, W: max(x1-x0, 3), H: h},
		Pending:   pending,
		Failed:    !pending && !o.OK,
		Stale:     !pending && l.In.Stale != nil && l.In.Stale(o.Request),
		Lost:      !pending && o.OK && o.Kind == core.OpPut && l.In.Lost != nil && l.In.Lost(o.Request),
		Marked:    l.In.Unexplained != nil && l.In.Unexplained(o.Request),
		Label:     o.Label(cur),
		Explained: l.In.Linearized != nil && l.In.Linearized(o.Request),
	}
	if cy, ok := l.NodeY(o.Coordinator); ok {
		b.CoordY = cy
	}
	if l.related != nil && !l.In.History {
		// In the history every operation of the key is the story: none is dimmed.
		sel := core.RequestID(l.In.Selected.ID)
		b.Dim = o.Request != sel && (l.Missed == nil || o.Request != l.Missed.Request)
	}
	l.Bars = append(l.Bars, b)
}

func (l *Layout) shades(m *spacetime.Model) {
	from, to := l.In.From, min(l.In.To, l.In.Cursor)
	if to < from {
		return
	}
	span := func(a, b int64) (float64, float64, bool) {
		if b == spacetime.Pending || b > to {
			b = to
		}
		if a < from {
			a = from
		}
		if a > b {
			return 0, 0, false
		}
		return l.X(float64(a)), l.X(float64(b)), true
	}
	for _, p := range m.Partitions() {
		if p.From > to {
			continue
		}
		x0, x1, ok := span(p.From, p.To)
		if !ok {
			continue
		}
		for side, g := range p.Groups {
			for _, n := range g {
				y, ok := l.NodeY(n)
				if !ok {
					continue
				}
				l.Shades = append(l.Shades, Shade{Kind: ShadePartition, Side: side,
					Rect: frame.Rect{X: x0, Y: y - l.LaneH/2, W: max(x1-x0, 1), H: l.LaneH},
					Text: "side " + strconv.Itoa(side+1) + " of " + strconv.Itoa(len(p.Groups))})
			}
		}
	}
	for _, d := range m.Downs() {
		if d.From > to {
			continue
		}
		x0, x1, ok := span(d.From, d.To)
		y, okY := l.NodeY(d.Node)
		if !ok || !okY {
			continue
		}
		h := l.LaneH * 0.6
		l.Shades = append(l.Shades, Shade{Kind: ShadeDown, Rect: frame.Rect{X: x0, Y: y - h/2, W: max(x1-x0, 1), H: h},
			Text: "down (" + d.Text + ")"})
	}
	skews := m.Skews()
	for i, s := range skews {
		if s.Ticks == 0 || s.From > to {
			continue
		}
		until := int64(spacetime.Pending)
		for _, t := range skews[i+1:] {
			if t.Node == s.Node {
				until = t.From
				break
			}
		}
		x0, x1, ok := span(s.From, until)
		y, okY := l.NodeY(s.Node)
		if !ok || !okY {
			continue
		}
		h := max(l.LaneH*0.12, 2)
		sign := "+"
		if s.Ticks < 0 {
			sign = ""
		}
		l.Shades = append(l.Shades, Shade{Kind: ShadeSkew, Rect: frame.Rect{X: x0, Y: y + l.LaneH/2 - h, W: max(x1-x0, 1), H: h},
			Text: "clock " + sign + strconv.FormatInt(s.Ticks, 10)})
	}
}

// Hit is what lies under a point of the diagram.
type Hit struct {
	Item Item
	Tick int64 // the tick under the point
}

// HitTest finds the operation bar or the message arrow under (x, y),
// within slop pixels; bars win over arrows, and the nearest arrow wins.
func (l *Layout) HitTest(x, y, slop float64) (Hit, bool) {
	if !l.Plot.Contains(x, y) {
		return Hit{}, false
	}
	h := Hit{Tick: l.Tick(x)}
	for i := len(l.Bars) - 1; i >= 0; i-- {
		b := &l.Bars[i]
		if b.Rect.Inset(-slop).Contains(x, y) {
			h.Item = Item{Kind: ItemOp, ID: uint64(b.Op.Request)}
			return h, true
		}
	}
	best, bestD := -1, slop
	for i := range l.Arrows {
		a := &l.Arrows[i]
		if d := segmentDistance(x, y, a.X0, a.Y0, a.X1, a.Y1); d <= bestD {
			best, bestD = i, d
		}
	}
	if best < 0 {
		return h, false
	}
	h.Item = Item{Kind: ItemMsg, ID: l.Arrows[best].Msg.ID}
	return h, true
}

// segmentDistance is the distance from (px, py) to the segment (x0, y0)-(x1, y1).
func segmentDistance(px, py, x0, y0, x1, y1 float64) float64 {
	dx, dy := x1-x0, y1-y0
	n := dx*dx + dy*dy
	t := 0.0
	if n > 0 {
		t = min(max(((px-x0)*dx+(py-y0)*dy)/n, 0), 1)
	}
	return math.Hypot(px-(x0+t*dx), py-(y0+t*dy))
}

// Follow is the time range that keeps the cursor in view as the run
// advances: span ticks wide with the cursor near the right edge. Early in a
// run, while the run is shorter than span, the whole run fills the width.
func Follow(cursor, span int64) (from, to int64) {
	span = max(span, 8)
	to = cursor + span/8
	from = to - span
	if from < 0 {
		from, to = 0, max(cursor+cursor/8, 16)
	}
	return from, to
}

// AxisTick is one labelled tick of the time axis.
type AxisTick struct {
	X     float64
	Label string
}

// Axis lists the labelled ticks of the range shown, at a round step (1, 2
// or 5 times a power of ten) that leaves at least minGap pixels between
// labels.
func (l *Layout) Axis(minGap float64) []AxisTick {
	span := float64(max(l.In.To-l.In.From, 1))
	perPx := span / max(l.Plot.W, 1)
	step := int64(1)
	for float64(step)/perPx < minGap {
		switch s := step; {
		case isPow10(s):
			step = 2 * s
		case isPow10(s / 2):
			step = s / 2 * 5
		default:
			step = s * 2
		}
	}
	var out []AxisTick
	first := (l.In.From + step - 1) / step * step
	for t := first; t <= l.In.To; t += step {
		out = append(out, AxisTick{X: l.X(float64(t)), Label: strconv.FormatInt(t, 10)})
	}
	return out
}

func isPow10(v int64) bool {
	for v >= 10 && v%10 == 0 {
		v /= 10
	}
	return v == 1
}
