package repair

import (
	"fmt"
	"github.com/ringlab/ringlab/render/chapters/internal/runtrace"
	"math"
	"slices"
	"strconv"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/chapters/measureit"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// defaultVictim is the node the chapter crashes when none is selected.
const defaultVictim core.NodeID = 2

// Failures is chapter 9: gossip spreading membership, failure detection by
// missing heartbeats, and hinted handoff of the writes made during an
// outage.
type Failures struct {
	// measure links to the experiments that measure this chapter's claim.
	measure measureit.Links
	trace   runtrace.Trace

	crash, write, join *ui.Button
	hits               []hit
}

// NewFailures makes chapter 9.
func NewFailures() *Failures {
	return &Failures{trace: runtrace.New(failureEventKinds)}
}

func failureEventKinds(k core.EventKind) bool {
	switch k {
	case core.EvGossip, core.EvMembership, core.EvNodeState, core.EvHintStored, core.EvHintHandedOff:
		return true
	}
	return false
}

func (c *Failures) Info() lab.ChapterInfo {
	return lab.ChapterInfo{
		ID:      "failures",
		Title:   "Failure handling: gossip, failure detection, hinted handoff",
		Summary: "Left: nodes gossiping (purple) and hints (dashed). Right: each row is what one node believes about every node, with its heartbeat count.",
		TryThis: "Crash n2 and watch its column: each row turns to suspect (triangle), then dead (square). Write a key n2 owns: a stand-in keeps a hint. Restart n2: the hint is handed back. Add a node: its column fills in row by row.",
	}
}

// Preset: five nodes with gossip every 6 ticks, suspicion after 30 ticks
// without a heartbeat and death after 90. Merkle sync is off so that only
// the handoff can bring a missed write back.
func (c *Failures) Preset(seed uint64) lab.Preset {
	cfg := watchableConfig(seed)
	cfg.AntiEntropyIntervalTicks = 0
	return lab.Preset{Config: cfg}
}

func (c *Failures) Parts() lab.Parts { return lab.PartsAll }

// victim is the node the crash button acts on: the inspected node, else n2.
func victim(x *lab.Context) core.NodeID {
	v := x.View
	if v != nil && x.Selected != core.NoNode && int(x.Selected) < len(v.Nodes) && v.Nodes[x.Selected].InRing {
		return x.Selected
	}
	return defaultVictim
}

func (c *Failures) Controls(x *lab.Context) []ui.Widget {
	if c.measure == nil {
		c.measure = measureit.NewLinks("gossip")
	}
	if c.crash == nil {
		c.crash = ui.NewButton("failures-crash", "", "Crash the node (click a node to pick another), or restart it", nil)
		c.write = ui.NewButton("failures-write", "", "A client writes a key whose replicas include that node", nil)
		c.join = ui.NewButton("failures-join", "Add a node (join)", "A new node joins through a seed; the others learn of it by gossip", nil)
	}
	v := x.View
	id := victim(x)
	down := v != nil && int(id) < len(v.Nodes) && !v.Nodes[id].Up
	if down {
		c.crash.Label = "Restart " + id.String()
	} else {
		c.crash.Label = "Crash " + id.String()
	}
	c.crash.OnClick = func() { c.toggleCrash(x, id) }
	c.write.Label = "Write a key " + id.String() + " stores"
	c.write.OnClick = func() { c.writeKey(x, id) }
	c.join.OnClick = func() {
		if _, err := x.Apply(core.Command{Kind: core.CmdJoin}); err != nil {
			x.Notify("Join refused: " + err.Error())
		}
	}
	hinted := false
	if v != nil {
		for _, n := range v.Nodes {
			hinted = hinted || len(n.Hints) > 0
		}
	}
	c.crash.Primary = !down && !hinted || down && hinted
	c.write.Primary = down && !hinted
	return append([]ui.Widget{c.crash, c.write, c.join}, c.measure.Buttons(x)...)
}

func (c *Failures) toggleCrash(x *lab.Context, id core.NodeID) {
	kind := core.CmdCrash
	if x.View != nil && int(id) < len(x.View.Nodes) && !x.View.Nodes[id].Up {
		kind = core.CmdRestart
	}
	if _, err := x.Apply(core.Command{Kind: kind, Node: id}); err != nil {
		x.Notify("Refused: " + err.Error())
	}
}

// ownedKey is the first key "item:<i>" whose replicas include id.
func ownedKey(cl *core.Cluster, id core.NodeID, n int) (string, bool) {
	for i := range 10000 {
		k := "item:" + strconv.Itoa(i)
		if slices.Contains(cl.PreferenceList(k, n), id) {
			return k, true
		}
	}
	return "", false
}

// writeKey puts a key that id replicates, through the first other node
// that is up.
func (c *Failures) writeKey(x *lab.Context, id core.NodeID) {
	v := x.View
	if v == nil {
		return
	}
	key, ok := ownedKey(x.Cluster(), id, v.Config.N)
	if !ok {
		x.Notify("No key is replicated on " + id.String() + ".")
		return
	}
	coord := core.NoNode
	for _, n := range v.Nodes {
		if n.ID != id && n.Up && n.InRing {
			coord = n.ID
			break
		}
	}
	if coord == core.NoNode {
		x.Notify("No other node is up to take the write.")
		return
	}
	// The values are numbered by the chapter's writes so far in the run.
	writes := 1
	for op := range x.Cluster().Ops() {
		if op.Client == 1 && op.Kind == core.OpPut {
			writes++
		}
	}
	if _, err := x.Apply(core.Command{Kind: core.CmdPut, Node: coord, Client: 1, Key: key, Value: "v" + strconv.Itoa(writes)}); err != nil {
		x.Notify("Write refused: " + err.Error())
	}
}

func (c *Failures) Enter(x *lab.Context) {
	c.trace.Reset()
}

func (c *Failures) Update(x *lab.Context) { c.trace.Sync(x) }

func (c *Failures) NodeAt(x, y float64) (core.NodeID, bool) { return nodeAt(c.hits, x, y) }

// viewsDiffer counts the running nodes whose beliefs (the status of every
// node, or not knowing it) differ from the most common belief among them;
// heartbeat numbers are left out, as they always move.
func viewsDiffer(v *core.View) (differ, live int) {
	var rows []string
	for _, n := range v.Nodes {
		if !n.Up || !n.InRing {
			continue
		}
		row := make([]byte, len(v.Nodes))
		for i := range row {
			row[i] = '?'
		}
		for _, m := range n.Membership {
			if int(m.Node) < len(row) {
				row[m.Node] = '0' + byte(m.Status)
			}
		}
		rows = append(rows, string(row))
	}
	best := 0
	for _, r := range rows {
		same := 0
		for _, o := range rows {
			if o == r {
				same++
			}
		}
		best = max(best, same)
	}
	return len(rows) - best, len(rows)
}

// detection describes how the running nodes came to believe the latest
// crashed node suspect and dead.
type detection struct {
	node             core.NodeID
	crashTick        int64
	live             int   // running nodes other than the crashed one
	suspect, dead    int   // of them, how many believe it suspect (or worse) / dead
	suspectTicks     int64 // the first suspicion, ticks after the crash (-1: none)
	deadTicksMax     int64 // the last of the live nodes to mark it dead (-1: not all)
	restarted        bool
	restartTick      int64
	handedOff        int // hints for it handed back since the restart
	hintsOutstanding int
}

// latestDetection follows the most recent crash in the trace.
func latestDetection(events []core.Event, v *core.View) (detection, bool) {
	d := detection{node: core.NoNode, suspectTicks: -1, deadTicksMax: -1}
	start := -1
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if e.Kind == core.EvNodeState && !e.Up {
			d.node, d.crashTick, start = e.From, e.Tick, i
			break
		}
	}
	if start < 0 {
		return d, false
	}
	deadAt := map[core.NodeID]int64{}
	suspectAt := map[core.NodeID]int64{}
	for _, e := range events[start+1:] {
		switch {
		case e.Kind == core.EvNodeState && e.From == d.node && e.Up:
			d.restarted, d.restartTick = true, e.Tick
		case e.Kind == core.EvMembership && e.Peer == d.node && !d.restarted:
			if e.Status == core.Suspect || e.Status == core.Dead {
				if _, ok := suspectAt[e.From]; !ok {
					suspectAt[e.From] = e.Tick
				}
			}
			if e.Status == core.Dead {
				deadAt[e.From] = e.Tick
			}
		case e.Kind == core.EvHintHandedOff && e.Peer == d.node && d.restarted:
			d.handedOff++
		}
	}
	for _, n := range v.Nodes {
		if !n.Up || !n.InRing || n.ID == d.node {
			continue
		}
		for _, h := range n.Hints {
			if h.For == d.node {
				d.hintsOutstanding++
			}
		}
		d.live++
		if t, ok := suspectAt[n.ID]; ok {
			d.suspect++
			if d.suspectTicks < 0 || t-d.crashTick < d.suspectTicks {
				d.suspectTicks = t - d.crashTick
			}
		}
		if t, ok := deadAt[n.ID]; ok {
			d.dead++
			d.deadTicksMax = max(d.deadTicksMax, t-d.crashTick)
		}
	}
	if d.dead < d.live {
		d.deadTicksMax = -1
	}
	return d, true
}

func (c *Failures) Build(x *lab.Context, area frame.Rect, l *frame.Layer) {
	p := newPen(x, l)
	u := p.u
	th := x.Theme
	v := x.View
	c.hits = c.hits[:0]
	if v == nil {
		return
	}
	in, compact := compactFrame(p, area)
	differ, live := viewsDiffer(v)
	h := heading{title: "Who believes what", numW: 230}
	if differ == 0 {
		h.value, h.valueC = "views agree", scene.Green
		h.caption = fmt.Sprintf("all %d running nodes agree", live)
		h.shortCaption = fmt.Sprintf("all %d", live)
	} else {
		word := "views differ"
		if differ == 1 {
			word = "view differs"
		}
		h.value, h.valueC = fmt.Sprintf("%d %s", differ, word), scene.Orange
		h.caption = fmt.Sprintf("of %d running nodes", live)
		h.shortCaption = fmt.Sprintf("of %d", live)
	}
	cfg := v.Config
	h.lines = []headLine{
		{c.detectionLine(v), th.Text},
		{fmt.Sprintf("Gossip every %d ticks · suspect after %d ticks without a heartbeat · dead after %d", cfg.GossipIntervalTicks, cfg.SuspectAfterTicks, cfg.DeadAfterTicks), th.TextDim},
	}
	// The matrix needs a row per node at least a line tall, under its
	// column names; the story line and the legend come while it has them.
	matrixMin := float64(len(v.Nodes)+1)*p.lh + u(6)
	keep := 0
	if compact && in.H-frame.LineHeight(u(24))-u(8)-p.lh >= matrixMin {
		keep = 1
	}
	rest := h.draw(p, in, compact, keep)
	lg := c.legend(p)
	if rows := lg.fit(p, rest.W, rest.H-matrixMin); rows > 0 {
		var area frame.Rect
		area, rest = rest.CutBottom(lg.height(p, rows))
		lg.draw(p, area, rows)
	}
	// The cluster's circle needs room for its labels around it; a small
	// frame shows the matrix alone.
	circleW := min(rest.W*0.42, rest.H+u(40))
	matrix := rest
	if min(circleW, rest.H)/2-u(50) >= u(45) {
		var circle frame.Rect
		circle, matrix = rest.CutLeft(circleW)
		_, matrix = matrix.CutLeft(u(16))
		lay := layOutCluster(v, c.trace.Events, x.Selected, th, x.Measure, circle)
		c.hits = append(c.hits, lay.hits...)
		drawCluster(p, lay)
	}
	c.drawMatrix(p, matrix, v, compact)
}

// detectionLine is the story of the latest crash in one line.
func (c *Failures) detectionLine(v *core.View) string {
	d, ok := latestDetection(c.trace.Events, v)
	if !ok {
		return "No node has crashed yet."
	}
	s := fmt.Sprintf("%v crashed at tick %d: ", d.node, d.crashTick)
	switch {
	case d.restarted:
		s = fmt.Sprintf("%v is back since tick %d: %d %s handed back", d.node, d.restartTick, d.handedOff, pluralWord(d.handedOff, "hint"))
		if d.hintsOutstanding > 0 {
			s += fmt.Sprintf(", %d waiting", d.hintsOutstanding)
		}
	case d.deadTicksMax >= 0:
		s += fmt.Sprintf("all %d running nodes marked it dead within %d ticks", d.live, d.deadTicksMax)
	case d.suspect > 0:
		s += fmt.Sprintf("suspected by %d of %d, marked dead by %d", d.suspect, d.live, d.dead)
	default:
		s += "no one has noticed yet"
	}
	return s
}

// drawCluster draws the circle where lay puts its parts: the gossip
// lines, the hint arrows with their framed labels, the handoff arrows,
// then the nodes (a triangle when suspected, a grey ring when they left)
// with their names.
func drawCluster(p pen, lay clusterLayout) {
	u := p.u
	th := p.x.Theme
	l := p.l
	for _, g := range lay.gossip {
		l.Line(g.x0, g.y0, g.x1, g.y1, u(2.5), g.c)
	}
	for _, h := range lay.hints {
		p.arrow(h.x0, h.y0, h.x1, h.y1, u(2.5), scene.Vermillion, true)
		if h.text.s != "" {
			l.Rect(h.box, th.Background)
			l.Outline(h.box, u(1), scene.Vermillion)
			h.text.draw(l)
		}
	}
	for _, h := range lay.handoffs {
		p.arrow(h.x0, h.y0, h.x1, h.y1, u(3), scene.Vermillion, false)
		if h.text.s != "" {
			h.text.draw(l)
		}
	}
	gr := lay.glyphR
	for _, n := range lay.nodes {
		x0, y0 := n.x, n.y
		switch n.state {
		case scene.StateSuspected:
			h := gr * 1.25
			l.Tri(float32(x0), float32(y0-h), float32(x0+h), float32(y0+h*0.75), float32(x0-h), float32(y0+h*0.75), scene.Black)
			h -= u(2)
			l.Tri(float32(x0), float32(y0-h), float32(x0+h), float32(y0+h*0.75), float32(x0-h), float32(y0+h*0.75), scene.NodeColor(n.id))
		case scene.StateLeft:
			l.Annulus(x0, y0, gr, u(2), 24, scene.Grey)
		default:
			p.nodeGlyph(x0, y0, gr, n.id, n.up)
		}
		if n.selected {
			l.Annulus(x0, y0, gr+u(6), u(2.5), 32, th.Text)
		}
		if n.text.s != "" {
			n.text.draw(l)
		}
	}
}

// shorten pulls both ends of a segment in by d, so arrows stop at glyphs.
func shorten(x0, y0, x1, y1, d float64) (float64, float64, float64, float64) {
	dx, dy := x1-x0, y1-y0
	n := math.Hypot(dx, dy)
	if n <= 2*d {
		return x0, y0, x1, y1
	}
	ux, uy := dx/n*d, dy/n*d
	return x0 + ux, y0 + uy, x1 - ux, y1 - uy
}

// drawMatrix draws the membership views: row = the viewer, column = the
// node it has an opinion about; each cell shows the status by colour and
// shape and the heartbeat the viewer last heard. A compact matrix leaves
// out its caption and the viewers' state words (the row's glyph shows
// it); cells too narrow for a heartbeat show the status shape alone.
func (c *Failures) drawMatrix(p pen, r frame.Rect, v *core.View, compact bool) {
	u := p.u
	th := p.x.Theme
	l := p.l
	n := len(v.Nodes)
	gr := u(7)
	headW := u(92)
	top := r.Y
	if compact {
		headW = 2*gr + u(16) + p.width("n00", p.fs)
	} else {
		p.text(r.X, r.Y, p.fs, th.TextDim, frame.AlignStart, "row: the node that believes · column: about whom", r.W)
		top += u(24)
	}
	cellW := min(u(84), (r.W-headW)/float64(max(n, 1)))
	cellH := min(u(44), (r.Bottom()-top-p.lh-u(6))/float64(max(n, 1)))
	heartbeats := cellW >= u(32)+p.width("000", p.fs) // room for the glyph and three digits
	for j, nv := range v.Nodes {
		x0 := r.X + headW + float64(j)*cellW
		p.text(x0+cellW/2, top, p.fs, th.Text, frame.AlignCenter, nv.ID.String(), cellW)
	}
	top += p.lh + u(6)
	for i, viewer := range v.Nodes {
		y0 := top + float64(i)*cellH
		row := frame.Rect{X: r.X, Y: y0, W: headW + float64(n)*cellW, H: cellH - u(2)}
		if i%2 == 0 {
			l.Rect(row, th.Panel)
		}
		ty := y0 + (row.H-p.lh)/2
		p.nodeGlyph(r.X+gr+u(4), y0+row.H/2, gr, viewer.ID, viewer.Up)
		c.hits = append(c.hits, hit{viewer.ID, r.X + gr + u(4), y0 + row.H/2, gr + u(4)})
		name := viewer.ID.String()
		col := th.Text
		if !viewer.Up {
			name += " down"
			col = th.TextDim
		} else if !viewer.InRing {
			name += " left"
			col = th.TextDim
		}
		if compact {
			name = viewer.ID.String()
		}
		p.text(r.X+2*gr+u(12), ty, p.fs, col, frame.AlignStart, name, headW-2*gr-u(14))
		if !viewer.Up {
			msg := "crashed: no view (it starts afresh on restart)"
			if w := float64(n)*cellW - u(12); p.width(msg, p.fs) > w {
				msg = "crashed: no view"
			}
			p.text(r.X+headW+u(8), ty, p.fs, th.TextDim, frame.AlignStart, msg, float64(n)*cellW-u(12))
			continue
		}
		for j, target := range v.Nodes {
			x0 := r.X + headW + float64(j)*cellW
			cell := frame.Rect{X: x0 + u(2), Y: y0 + u(1), W: cellW - u(4), H: row.H - u(2)}
			m, known := memberOf(viewer.Membership, target.ID)
			if i == j {
				l.Outline(cell, u(1), th.Border)
			}
			gy := cell.Y + cell.H/2
			gs := min(u(7), cell.H/2-u(1))
			if !heartbeats {
				p.statusGlyph(cell.X+cell.W/2, gy, gs, m.Status, known)
				continue
			}
			gx := cell.X + u(14)
			p.statusGlyph(gx, gy, gs, m.Status, known)
			txt := "?"
			if known {
				txt = strconv.FormatUint(m.Heartbeat, 10)
			}
			p.text(gx+u(12), gy-p.lh/2, p.fs, th.Text, frame.AlignStart, txt, cell.Right()-gx-u(14))
		}
	}
}

func memberOf(ms []core.MemberView, id core.NodeID) (core.MemberView, bool) {
	i, ok := slices.BinarySearchFunc(ms, id, func(m core.MemberView, id core.NodeID) int { return int(m.Node) - int(id) })
	if !ok {
		return core.MemberView{}, false
	}
	return ms[i], true
}

// legend is the picture's legend: what a node believes of another, and
// the lines between nodes.
func (c *Failures) legend(p pen) legend {
	u := p.u
	var es []legendEntry
	for _, s := range []core.Status{core.Alive, core.Suspect, core.Dead} {
		es = append(es, legendEntry{u(14), func(x0, cy float64) { p.statusGlyph(x0+u(7), cy, u(7), s, true) }, statusName(s, true)})
	}
	es = append(es,
		legendEntry{u(14), func(x0, cy float64) { p.statusGlyph(x0+u(7), cy, u(7), 0, false) }, "not heard of"},
		legendEntry{u(24), func(x0, cy float64) { p.l.Line(x0, cy, x0+u(24), cy, u(2.5), scene.Purple) }, "gossip"},
		legendEntry{u(28), func(x0, cy float64) { p.arrow(x0, cy, x0+u(28), cy, u(2.5), scene.Vermillion, true) }, "hint"},
	)
	return legend{top: u(8), gap: u(6), space: u(18), entries: es}
}

// NodeHint says where the picture's nodes are (lab.NodeHinter).
func (c *Failures) NodeHint() string {
	return "Click a node in the circle or at the start of a table row"
}
