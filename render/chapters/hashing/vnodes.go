package hashing

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/ring"
	"github.com/ringlab/ringlab/render/chapters/measureit"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// Virtual-node and weight ranges offered by the chapter's controls.
const (
	vnodesMin    = 1
	vnodesMax    = 512
	weightMax    = 8
	vnodesKeys   = 10000
	vnodesServer = 5
)

// VirtualNodes is chapter 3: many points per server even out the load, and
// a leaving server's keys spread over many servers instead of one.
type VirtualNodes struct {
	// measure links to the experiments that measure this chapter's claim.
	measure measureit.Links
	keys    keySample

	vnodes *ui.Slider
	server *ui.Dropdown
	weight *ui.Stepper
	remove *ui.Button

	stamp  string
	ch     change
	loads  []serverLoad // servers on the ring, in node order
	stats  ring.LoadStats
	flows  []ring.Flow // where the last leaver's keys went, most keys first
	leaver core.NodeID
	bars   []barPlace
}

// serverLoad is one server's bar: its keys and its fair share of them.
type serverLoad struct {
	ID     core.NodeID
	Weight float64
	Points int
	Keys   int
	Fair   float64 // keys it would hold if load followed weight exactly
}

// barPlace is where a server's bar was drawn, for clicks and tests.
type barPlace struct {
	ID   core.NodeID
	Rect frame.Rect
}

// NewVirtualNodes makes chapter 3.
func NewVirtualNodes() *VirtualNodes { return &VirtualNodes{leaver: core.NoNode} }

func (c *VirtualNodes) Info() lab.ChapterInfo {
	return lab.ChapterInfo{
		ID:      "virtual-nodes",
		Title:   "Virtual nodes: evening out the load",
		Summary: "Bars are keys per server (10,000 keys); the strip is the ring cut open, coloured by owner. More points per server make the arcs, and the bars, more even.",
		TryThis: "Raise the virtual nodes from 1 to 256: predict std-dev/mean falls like 1/√vnodes, from near 1 to under 0.1. Then remove a server: at 1 vnode one neighbour takes all its keys; at 64 they spread over every other server.",
	}
}

// Preset is five servers with a single point each: the uneven start.
func (c *VirtualNodes) Preset(seed uint64) lab.Preset {
	cfg := core.DefaultConfig()
	cfg.Seed = seed
	cfg.Nodes = vnodesServer
	cfg.VNodes = 1
	cfg.N, cfg.W, cfg.R = 1, 1, 1
	cfg.AntiEntropyIntervalTicks = 0
	return lab.Preset{Config: cfg}
}

func (c *VirtualNodes) Parts() lab.Parts { return lab.PartsAll }

// snapPow2 rounds v to the nearest power of two (in log terms) within the
// slider's range: the slider moves through 1, 2, 4 ... 512.
func snapPow2(v float64) int {
	if !(v > 1) {
		return vnodesMin
	}
	return min(vnodesMax, 1<<int(math.Round(math.Log2(v))))
}

func (c *VirtualNodes) Controls(x *lab.Context) []ui.Widget {
	if c.measure == nil {
		c.measure = measureit.NewLinks("balance", "dynamo")
	}
	if c.vnodes == nil {
		c.vnodes = ui.NewLogSlider("vnodes", "Virtual nodes", "Ring points per server (per unit of weight), log scale: 1, 2, 4 ... 512",
			vnodesMin, vnodesMax, 1, nil)
		c.vnodes.Format = func(v float64) string { return strconv.Itoa(snapPow2(v)) }
		c.server = ui.NewDropdown("vnodes-server", "Server", "The server whose weight the stepper below sets, and that Remove takes away", nil, 0, nil)
		c.weight = ui.NewStepper("vnodes-weight", "Weight", "Capacity of the chosen server: a weight of 2 gets twice the points and about twice the keys",
			1, weightMax, 1, 1, nil)
		c.remove = ui.NewButton("vnodes-remove", "Remove a server", "The chosen server leaves the ring: see where its keys go", nil)
	}
	v := x.View
	if v == nil {
		return append([]ui.Widget{c.vnodes, c.server, c.weight, c.remove}, c.measure.Buttons(x)...)
	}
	cfg := v.Config
	c.vnodes.Value = float64(cfg.VNodes)
	c.vnodes.OnChange = func(val float64) {
		n := snapPow2(val)
		c.vnodes.Value = float64(n)
		if n == cfg.VNodes {
			return
		}
		next := cloneConfig(cfg)
		next.VNodes = n
		if err := x.Restart(next); err != nil {
			x.Notify("Cannot change the virtual nodes: " + err.Error())
		}
	}

	// The server choice is the inspector's selection, so clicking a bar
	// and picking in the list are the same thing.
	chosen := c.chosen(x)
	c.server.Options = c.server.Options[:0]
	c.server.Selected = -1
	var choices []core.NodeID
	for _, n := range v.Nodes {
		if n.InRing {
			if n.ID == chosen {
				c.server.Selected = len(choices)
			}
			choices = append(choices, n.ID)
			c.server.Options = append(c.server.Options, n.ID.String())
		}
	}
	c.server.OnChange = func(i int) {
		if i >= 0 && i < len(choices) {
			x.Select(choices[i])
		}
	}

	initial := int(chosen) < cfg.Nodes
	c.weight.Disabled = !initial
	if !c.weight.Editing() {
		c.weight.Value = int64(math.Round(weightOf(cfg, chosen)))
	}
	c.weight.Label = "Weight of " + chosen.String() + ":"
	c.weight.OnChange = func(w int64) {
		next := cloneConfig(cfg)
		for len(next.Weights) < next.Nodes {
			next.Weights = append(next.Weights, 1)
		}
		next.Weights[chosen] = float64(w)
		if err := x.Restart(next); err != nil {
			x.Notify("Cannot change the weight: " + err.Error())
		}
	}

	canLeave := slices.Contains(upInRing(v), chosen) && countInRing(v) > 1
	c.remove.Disabled = !canLeave
	c.remove.Label = "Remove " + chosen.String()
	c.remove.OnClick = func() { leaveServer(x, chosen) }
	return append([]ui.Widget{c.vnodes, c.server, c.weight, c.remove}, c.measure.Buttons(x)...)
}

// chosen is the server the weight stepper and Remove act on: the selected
// node if it is on the ring, else the first one on the ring.
func (c *VirtualNodes) chosen(x *lab.Context) core.NodeID {
	v := x.View
	first := core.NoNode
	for _, n := range v.Nodes {
		if !n.InRing {
			continue
		}
		if n.ID == x.Selected {
			return n.ID
		}
		if first == core.NoNode {
			first = n.ID
		}
	}
	return first
}

// weightOf is an initial node's configured weight (1 if unset).
func weightOf(cfg core.Config, n core.NodeID) float64 {
	if int(n) < len(cfg.Weights) && cfg.Weights[n] > 0 {
		return cfg.Weights[n]
	}
	return 1
}

func cloneConfig(cfg core.Config) core.Config {
	cfg.Weights = slices.Clone(cfg.Weights)
	cfg.SkewTicks = slices.Clone(cfg.SkewTicks)
	cfg.Faults.Kinds = slices.Clone(cfg.Faults.Kinds)
	return cfg
}

func (c *VirtualNodes) Enter(x *lab.Context) {
	c.stamp = ""
	c.sync(x)
}

func (c *VirtualNodes) Update(x *lab.Context) { c.sync(x) }

func (c *VirtualNodes) NodeAt(px, py float64) (core.NodeID, bool) {
	for _, b := range c.bars {
		if b.Rect.Contains(px, py) {
			return b.ID, true
		}
	}
	return core.NoNode, false
}

func (c *VirtualNodes) sync(x *lab.Context) {
	v := x.View
	if v == nil {
		return
	}
	cfg := v.Config
	ch := lastChange(cfg, x.Cluster().Recorded())
	stamp := fmt.Sprintf("%s|%s|%d", membershipKey(ch.Before), membershipKey(ch.After), cfg.VNodes)
	if stamp == c.stamp {
		return
	}
	c.stamp, c.ch = stamp, ch
	hashes := c.keys.get(vnodesKeys)
	now := viewRing(v.Ring)

	c.loads = c.loads[:0]
	totalWeight := 0.0
	for _, n := range v.Nodes {
		if n.InRing {
			c.loads = append(c.loads, serverLoad{ID: n.ID, Weight: n.Weight})
			totalWeight += n.Weight
		}
	}
	slot := map[core.NodeID]int{}
	for i, s := range c.loads {
		slot[s.ID] = i
	}
	for _, p := range v.Ring {
		if i, ok := slot[p.Node]; ok {
			c.loads[i].Points++
		}
	}
	for _, h := range hashes {
		if o, ok := now.Owner(h); ok {
			if i, listed := slot[o]; listed {
				c.loads[i].Keys++
			}
		}
	}
	relative := make([]float64, len(c.loads))
	for i := range c.loads {
		s := &c.loads[i]
		s.Fair = float64(len(hashes)) * s.Weight / totalWeight
		relative[i] = float64(s.Keys) / s.Fair
	}
	c.stats = ring.Stats(relative)

	c.flows, c.leaver = nil, core.NoNode
	if ch.Kind == core.CmdLeave {
		c.leaver = ch.Node
		c.flows = ring.Flows(ring.Moves(ringOf(ch.Before, cfg.VNodes), now, hashes))
		slices.SortStableFunc(c.flows, func(a, b ring.Flow) int { return b.Keys - a.Keys })
	}
}

func (c *VirtualNodes) Build(x *lab.Context, area frame.Rect, l *frame.Layer) {
	c.sync(x)
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	if x.View == nil || len(c.loads) == 0 {
		return
	}
	body := area.Inset(u(16))
	vn := x.View.Config.VNodes

	head, rest := body.CutTop(statHeight(x))
	drawStats(x, l, head, []stat{
		{Caption: "Spread: std-dev / mean", Value: strconv.FormatFloat(c.stats.CV, 'f', 3, 64),
			Note: "of keys per server vs fair share"},
		{Caption: "Busiest server: max / mean", Value: strconv.FormatFloat(c.stats.MaxOverMean, 'f', 2, 64) + "×",
			Note: "1.00× would be perfectly even"},
		{Caption: "Theory: about 1/√vnodes", Value: strconv.FormatFloat(1/math.Sqrt(float64(vn)), 'f', 3, 64),
			Note: fmt.Sprintf("1/√%d, for %s per server", vn, plural(vn, "point"))},
	})

	_, rest = rest.CutTop(u(8))
	stripCap, rest := rest.CutTop(lh + u(4))
	strip, rest := rest.CutTop(u(22))
	l.Label(stripCap.X, stripCap.Y, size, th.TextDim, frame.AlignStart,
		frame.Fit(x.Measure, fmt.Sprintf("The ring cut open at 0 and unrolled: %s points, each arc in its owner's colour", thousands(len(x.View.Ring))), size, stripCap.W))
	c.drawStrip(x, strip, l)
	_, rest = rest.CutTop(u(14))

	chart := rest
	var side frame.Rect
	if c.ch.Kind == core.CmdLeave || rest.W > u(560) {
		chart, side = rest.CutLeft(rest.W * 0.62)
		_, side = side.CutLeft(u(24))
	}
	c.drawHistogram(x, chart, l)
	if side.W > 0 {
		c.drawFlows(x, side, l)
	}
}

// drawStrip draws the whole hash space left to right, each arc in the
// colour of the point that ends it.
func (c *VirtualNodes) drawStrip(x *lab.Context, r frame.Rect, l *frame.Layer) {
	pts := x.View.Ring
	l.Rect(r, scene.RingTrack)
	if len(pts) == 0 {
		return
	}
	pos := func(h uint64) float64 { return r.X + r.W*float64(h)/(1<<64) }
	// The last arc wraps past the top: it covers both ends of the strip.
	wrap := scene.NodeColor(pts[0].Node)
	l.Rect(frame.Rect{X: pos(pts[len(pts)-1].Hash), Y: r.Y, W: r.Right() - pos(pts[len(pts)-1].Hash), H: r.H}, wrap)
	prev := r.X
	for _, p := range pts {
		end := pos(p.Hash)
		l.Rect(frame.Rect{X: prev, Y: r.Y, W: max(end-prev, 0.5), H: r.H}, scene.NodeColor(p.Node))
		prev = end
	}
}

// drawHistogram draws one bar per server: its keys, with a white line at
// its fair share; labels name the server, its weight and its points.
func (c *VirtualNodes) drawHistogram(x *lab.Context, r frame.Rect, l *frame.Layer) {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	c.bars = c.bars[:0]
	title, r := r.CutTop(lh + u(6))
	l.Label(title.X, title.Y, size, th.Text, frame.AlignStart, frame.Fit(x.Measure, "Keys per server (white line: fair share for its weight)", size, title.W))
	labels, plot := r.CutBottom(2*lh + u(6))
	_, plot = plot.CutTop(u(8))
	top := 0.0
	for _, s := range c.loads {
		top = max(top, float64(s.Keys), s.Fair)
	}
	if top == 0 || plot.H <= 0 {
		return
	}
	n := len(c.loads)
	slotW := plot.W / float64(n)
	barW := min(slotW*0.7, u(90))
	l.Rect(frame.Rect{X: plot.X, Y: plot.Bottom(), W: plot.W, H: u(1)}, th.Border)
	chosen := c.chosen(x)
	for i, s := range c.loads {
		cx := plot.X + slotW*(float64(i)+0.5)
		h := plot.H * float64(s.Keys) / top
		bar := frame.Rect{X: cx - barW/2, Y: plot.Bottom() - h, W: barW, H: h}
		c.bars = append(c.bars, barPlace{ID: s.ID, Rect: frame.Rect{X: bar.X, Y: plot.Y, W: barW, H: plot.H}})
		if s.ID == chosen {
			l.Outline(bar.Inset(-u(4)), u(2), scene.TextColor)
		}
		l.Rect(bar, scene.NodeColor(s.ID))
		fy := plot.Bottom() - plot.H*s.Fair/top
		l.Rect(frame.Rect{X: bar.X - u(6), Y: fy - u(1.5), W: barW + u(12), H: u(3)}, scene.Black)
		l.Rect(frame.Rect{X: bar.X - u(5), Y: fy - u(1), W: barW + u(10), H: u(2)}, scene.TextColor)
		name := s.ID.String()
		if s.Weight != 1 {
			name += " ×" + strconv.FormatFloat(s.Weight, 'g', -1, 64)
		}
		name += ": " + thousands(s.Keys)
		l.Label(cx, labels.Y+u(4), size, th.Text, frame.AlignCenter, frame.Fit(x.Measure, name, size, slotW))
		l.Label(cx, labels.Y+u(4)+lh, size, th.TextDim, frame.AlignCenter, frame.Fit(x.Measure, plural(s.Points, "point"), size, slotW))
	}
}

// drawFlows shows where the last server to leave sent its keys: one bar per
// receiving server, or a hint before any server has left.
func (c *VirtualNodes) drawFlows(x *lab.Context, r frame.Rect, l *frame.Layer) {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	if c.ch.Kind != core.CmdLeave {
		hint := "Remove a server to see where its keys go: with one point per server they all land on its clockwise neighbour; with many, every server takes a share."
		for i, line := range wrapWithin(x, hint, size, r.W, r.H) {
			l.Label(r.X, r.Y+float64(i)*lh, size, th.TextDim, frame.AlignStart, line)
		}
		return
	}
	total := 0
	for _, f := range c.flows {
		total += f.Keys
	}
	receivers := len(c.flows)
	title := fmt.Sprintf("%v left: its %s keys went to %s", c.leaver, thousands(total), plural(receivers, "server"))
	y := r.Y
	for _, line := range wrapWithin(x, title, size, r.W, r.H) {
		l.Label(r.X, y, size, th.Text, frame.AlignStart, line)
		y += lh
	}
	y += u(8)
	most := 1
	for _, f := range c.flows {
		most = max(most, f.Keys)
	}
	nameW := x.Measure.Width("n000", size) + u(8)
	countW := x.Measure.Width("10,000", size) + u(8)
	rowH := min(lh+u(8), max((r.Bottom()-y)/float64(max(receivers, 1)), lh))
	for _, f := range c.flows {
		if y+lh > r.Bottom() {
			break
		}
		l.Label(r.X, y, size, th.Text, frame.AlignStart, f.To.String())
		barW := (r.W - nameW - countW) * float64(f.Keys) / float64(most)
		l.Rect(frame.Rect{X: r.X + nameW, Y: y + u(2), W: max(barW, u(2)), H: lh - u(4)}, scene.NodeColor(f.To))
		l.Label(r.X+nameW+barW+u(6), y, size, th.Text, frame.AlignStart, thousands(f.Keys))
		y += rowH
	}
}

// wrapWithin wraps text to width w and keeps the lines that fit in height
// h; when some are left out, the last kept line ends in an ellipsis.
func wrapWithin(x *lab.Context, text string, size, w, h float64) []string {
	lines := frame.Wrap(x.Measure, text, size, w)
	keep := max(int(h/frame.LineHeight(size)), 0)
	if len(lines) <= keep {
		return lines
	}
	lines = lines[:keep]
	if keep > 0 {
		lines[keep-1] = frame.Fit(x.Measure, lines[keep-1]+" …", size, w)
	}
	return lines
}

// plural writes "1 point", "2 points".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return thousands(n) + " " + noun + "s"
}

// NodeHint says where the picture's nodes are (lab.NodeHinter).
func (c *VirtualNodes) NodeHint() string { return "Click a node on the ring" }
