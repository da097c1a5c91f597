// Package sandbox is the live cluster with every control: the ring, the
// messages in flight, the inspector, the log and the counters. The summary
// chapter shows it beside its knobs.
package sandbox

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// Sandbox is the live cluster with every control: the ring, the messages
// in flight, the inspector, the log and the counters.
type Sandbox struct {
	ring  scene.Ring
	write *ui.Button
	read  *ui.Button
	split *ui.Button
}

// New makes the sandbox chapter.
func New() *Sandbox { return &Sandbox{} }

func (s *Sandbox) Info() lab.ChapterInfo {
	return lab.ChapterInfo{
		ID:      "sandbox",
		Title:   "Sandbox: the whole store, live",
		Summary: "Each mark inside the ring is a key, coloured by the node that owns it; dots are messages: orange writes, green reads, blue answers.",
		TryThis: "Press Play, then click a node and crash it. Writes to its keys go to a stand-in that keeps a hint; restart the node and watch the hint handed back.",
	}
}

// lab.Preset is the default cluster with a light client workload, so that
// pressing Play shows traffic at once.
func (s *Sandbox) Preset(seed uint64) lab.Preset {
	cfg := core.DefaultConfig()
	cfg.Seed = seed
	if cfg.Workload.Clients == 0 {
		cfg.Workload.Clients = 2
		cfg.Workload.Keys = max(cfg.Workload.Keys, 24)
		cfg.Workload.PutFraction = 0.5
		cfg.Workload.ThinkTicksMax = max(cfg.Workload.ThinkTicksMax, 12)
		if cfg.Workload.KeyPrefix == "" {
			cfg.Workload.KeyPrefix = "cart:"
		}
	}
	return lab.Preset{Config: cfg}
}

func (s *Sandbox) Parts() lab.Parts { return lab.PartsAll }

func (s *Sandbox) Controls(x *lab.Context) []ui.Widget {
	if s.write == nil {
		s.write = ui.NewButton("sandbox-write", "Write a key", "Send a put from a client through the inspected node (or the next one)", nil)
		s.read = ui.NewButton("sandbox-read", "Read it back", "Send a get of the last written key", nil)
		s.split = ui.NewButton("sandbox-split", "Split the network", "Partition the nodes into two halves, or heal the partition", nil)
	}
	// Callbacks are bound to this frame's context.
	s.write.OnClick = func() { s.doWrite(x) }
	s.read.OnClick = func() { s.doRead(x) }
	s.read.Disabled = s.lastWritten(x) == ""
	s.split.OnClick = func() { s.doSplit(x) }
	if x.View != nil && len(x.View.Groups) > 0 {
		s.split.Label = "Heal the partition"
	} else {
		s.split.Label = "Split the network"
	}
	return []ui.Widget{s.write, s.read, s.split}
}

// coordinator is the inspected node if it is up, else the next up node in
// turn.
func (s *Sandbox) coordinator(x *lab.Context) (core.NodeID, bool) {
	v := x.View
	if v == nil || len(v.Nodes) == 0 {
		return core.NoNode, false
	}
	for _, n := range v.Nodes {
		if n.ID == x.Selected && n.Up && n.InRing {
			return n.ID, true
		}
	}
	// Round robin over the nodes, from the number of requests the buttons
	// sent so far in the run (client 0's).
	next := 0
	for op := range x.Cluster().Ops() {
		if op.Client == 0 {
			next++
		}
	}
	for range v.Nodes {
		n := v.Nodes[next%len(v.Nodes)]
		next++
		if n.Up && n.InRing {
			return n.ID, true
		}
	}
	return core.NoNode, false
}

func (s *Sandbox) doWrite(x *lab.Context) {
	node, ok := s.coordinator(x)
	if !ok {
		x.Notify("No node is up to take the write: restart one first.")
		return
	}
	writes := 1
	for op := range x.Cluster().Ops() {
		if op.Client == 0 && op.Kind == core.OpPut {
			writes++
		}
	}
	key := "cart:" + strconv.Itoa(writes%8)
	if _, err := x.Apply(core.Command{Kind: core.CmdPut, Node: node, Key: key, Value: "v" + strconv.Itoa(writes)}); err != nil {
		x.Notify("Write refused: " + err.Error())
	}
}

// lastWritten is the key of the last write of the sandbox's button (its
// requests are client 0's) in the run up to the tick on screen, or "".
func (s *Sandbox) lastWritten(x *lab.Context) string {
	c := x.Cluster() // the kept operations from the newest, without copying them all
	for i := c.HistoryLen() - 1; i >= c.HistoryForgotten(); i-- {
		if op, ok := c.OpAt(i); ok && op.Client == 0 && op.Kind == core.OpPut {
			return op.Key
		}
	}
	return ""
}

func (s *Sandbox) doRead(x *lab.Context) {
	node, ok := s.coordinator(x)
	key := s.lastWritten(x)
	if !ok || key == "" {
		return
	}
	if _, err := x.Apply(core.Command{Kind: core.CmdGet, Node: node, Key: key}); err != nil {
		x.Notify("Read refused: " + err.Error())
	}
}

func (s *Sandbox) doSplit(x *lab.Context) {
	v := x.View
	if v == nil {
		return
	}
	if len(v.Groups) > 0 {
		_, err := x.Apply(core.Command{Kind: core.CmdHeal})
		if err != nil {
			x.Notify("Heal refused: " + err.Error())
		}
		return
	}
	var a, b []core.NodeID
	for i, n := range v.Nodes {
		if !n.InRing {
			continue
		}
		if i < len(v.Nodes)/2 {
			a = append(a, n.ID)
		} else {
			b = append(b, n.ID)
		}
	}
	if len(a) == 0 || len(b) == 0 {
		x.Notify("A partition needs at least two nodes.")
		return
	}
	if _, err := x.Apply(core.Command{Kind: core.CmdPartition, Groups: [][]core.NodeID{a, b}}); err != nil {
		x.Notify("Partition refused: " + err.Error())
	}
}

func (s *Sandbox) Enter(x *lab.Context) {}

func (s *Sandbox) Update(x *lab.Context) {}

func (s *Sandbox) NodeAt(x, y float64) (core.NodeID, bool) { return s.ring.NodeAt(x, y) }

// sandboxTextRows is how many lines of status the sandbox keeps above the
// ring: the totals, then the partition and the requests in progress.
const sandboxTextRows = 3

func (s *Sandbox) Build(x *lab.Context, area frame.Rect, l *frame.Layer) {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size) + u(2)
	pad := u(14)
	// The status lines and the legend get bands of their own, so that the
	// ring never runs under them.
	// In a small picture the ring comes first: the legend goes, then all
	// but the first status line, rather than squeeze the ring below
	// ringMinH (scene.Ring needs about that much for its circle and the
	// node labels around it).
	ringMinH := u(180)
	textRows := sandboxTextRows
	if area.H-pad-float64(textRows)*lh < ringMinH {
		textRows = 1
	}
	top, rest := area.CutTop(pad + float64(textRows)*lh)
	legendH := float64(s.legendRows(x, rest.W))*lh + u(16)
	legend, ringArea := frame.Rect{}, rest
	if rest.H-legendH >= ringMinH {
		legend, ringArea = rest.CutBottom(legendH)
	}
	s.ring.Build(&scene.Input{
		View: x.View, Phase: x.Phase, Recent: x.Recent, Area: ringArea,
		Scale: th.Scale, Selected: x.Selected, Measure: x.Measure,
	}, l)
	var lines []string
	if v := x.View; v != nil {
		lines = append(lines, fmt.Sprintf("Tick %d · %s · %s · %s in flight", v.Tick,
			lab.Plural(len(v.Nodes), "node"), lab.Plural(s.ring.Keys, "key"), lab.Plural(len(v.InFlight), "message")))
		if len(v.Groups) > 0 {
			txt := "Partition:"
			for i, g := range v.Groups {
				if i > 0 {
					txt += " |"
				}
				txt += " " + joinNodes(g)
			}
			lines = append(lines, txt)
		}
		for i := len(v.Requests) - 1; i >= 0 && len(lines) < textRows; i-- {
			r := v.Requests[i]
			verb, what := "put", "acks"
			if r.Kind == core.OpGet {
				verb, what = "get", "replies"
			}
			lines = append(lines, fmt.Sprintf("%s(%s) via %v: %d of %d %s", verb, r.Key, r.Coordinator, len(r.Answered), r.Need, what))
		}
	}
	lines = lines[:min(len(lines), textRows)]
	for i, s := range lines {
		col := th.TextDim
		if i > 0 {
			col = th.Text
		}
		l.Label(top.X+pad, top.Y+pad+float64(i)*lh, size, col, frame.AlignStart, frame.Fit(x.Measure, s, size, top.W-2*pad))
	}
	if legend.H > 0 {
		s.drawLegend(x, legend, l)
	}
}

// legendNodes and legendMessages are the legend's two groups of labels.
var (
	legendNodes    = []string{"node up", "suspected", "down"}
	legendMessages = []string{"write", "read", "answer", "gossip", "repair, hand-off"}
)

// legendWidth is the width of one group of legend entries.
func legendWidth(x *lab.Context, labels []string) float64 {
	w := 0.0
	for _, s := range labels {
		w += x.Theme.U(30) + x.Measure.Width(s, x.Theme.Font())
	}
	return w
}

// legendRows is 1 when the legend fits one row of width w, else 2 (node
// states on the first, messages on the second).
func (s *Sandbox) legendRows(x *lab.Context, w float64) int {
	if x.Theme.U(30)+legendWidth(x, legendNodes)+legendWidth(x, legendMessages) <= w {
		return 1
	}
	return 2
}

// drawLegend explains the shapes and colours, in one row or two.
func (s *Sandbox) drawLegend(x *lab.Context, area frame.Rect, l *frame.Layer) {
	th := x.Theme
	u := th.U
	size := th.Font()
	rows := s.legendRows(x, area.W)
	lineH := frame.LineHeight(size) + u(2)
	y := area.Y + (area.H-float64(rows)*lineH)/2
	gx := area.X + u(20)
	mark := func(draw func(cx, cy float64), label string) {
		if rows == 2 && label == legendMessages[0] {
			gx, y = area.X+u(20), y+lineH // messages start the second row
		}
		cy := y + frame.LineHeight(size)/2
		w := u(12) + x.Measure.Width(label, size)
		if gx+w > area.Right() {
			return // no room: drop the rest rather than overlap
		}
		draw(gx, cy)
		l.Label(gx+u(12), y, size, th.Text, frame.AlignStart, label)
		gx += w + u(18)
	}
	r := u(6)
	mark(func(cx, cy float64) { l.Disc(cx, cy, r, 16, scene.Orange) }, "node up")
	mark(func(cx, cy float64) {
		l.Tri(float32(cx), float32(cy-r), float32(cx+r), float32(cy+r*0.75), float32(cx-r), float32(cy+r*0.75), scene.Orange)
	}, "suspected")
	mark(func(cx, cy float64) {
		l.Rect(frame.Rect{X: cx - r, Y: cy - r, W: 2 * r, H: 2 * r}, scene.Grey)
		l.Line(cx-r*0.6, cy-r*0.6, cx+r*0.6, cy+r*0.6, u(2), frame.RGB(0))
		l.Line(cx-r*0.6, cy+r*0.6, cx+r*0.6, cy-r*0.6, u(2), frame.RGB(0))
	}, "down")
	gx += u(10)
	dot := func(c frame.Color) func(cx, cy float64) {
		return func(cx, cy float64) { l.Disc(cx, cy, u(4.5), 12, c) }
	}
	mark(dot(scene.Orange), "write")
	mark(dot(scene.Green), "read")
	mark(func(cx, cy float64) {
		d := u(5)
		l.Quad(float32(cx), float32(cy-d), float32(cx+d), float32(cy), float32(cx), float32(cy+d), float32(cx-d), float32(cy), scene.SkyBlue)
	}, "answer")
	mark(dot(scene.Purple), "gossip")
	mark(dot(scene.Vermillion), "repair, hand-off")
}

// joinNodes renders a list of nodes as "n0 n1 n2".
func joinNodes(ids []core.NodeID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return strings.Join(s, " ")
}
