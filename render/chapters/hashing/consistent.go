package hashing

import (
	"fmt"
	"math"
	"slices"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/ring"
	"github.com/ringlab/ringlab/render/chapters/measureit"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// consistentKeysDefault is the sample the ring chapter starts with.
const consistentKeysDefault = 2000

// Walk timing, in frames: the key appears, the walk sweeps clockwise at
// walkTurnFrames per full turn (never shorter than walkSweepMinFrames), and
// the owner stays lit afterwards.
const (
	walkHashFrames     = 30
	walkTurnFrames     = 150
	walkSweepMinFrames = 24
)

// walkStride spaces the keys "Look up another key" visits, so that
// successive lookups land in different parts of the ring.
const walkStride = 389

// Consistent is chapter 2: servers and keys on one ring, one point per
// server; a lookup walks clockwise to the first server point, and a join or
// leave moves only the keys of one arc.
type Consistent struct {
	// measure links to the experiments that measure this chapter's claim.
	measure  measureit.Links
	keyCount int
	keys     keySample

	add, remove, look *ui.Button
	count             *ui.Dropdown

	stamp      string
	ch         change
	before     []core.NodeID // owner of each key before the last change
	after      []core.NodeID // ... and now, on the cluster's ring
	moved      int
	flows      []ring.Flow
	moduloMove int
	arcs       []changedArc
	perServer  map[core.NodeID]int

	// The lookup being animated.
	walkKey   int
	walkFrame int // c.frame when the lookup began
	frame     int

	places []serverPlace // where the last picture drew each server point
	geom   scene.Geom
}

// changedArc is a stretch (Start, End] of the ring whose keys changed owner.
type changedArc struct {
	Start, End uint64
	From, To   core.NodeID
}

// serverPlace is a server point as drawn.
type serverPlace struct {
	ID    core.NodeID
	Hash  uint64
	X, Y  float64
	R     float64
	Angle float64
}

// NewConsistent makes chapter 2.
func NewConsistent() *Consistent { return &Consistent{keyCount: consistentKeysDefault} }

func (c *Consistent) Info() lab.ChapterInfo {
	return lab.ChapterInfo{
		ID:      "consistent-hashing",
		Title:   "Consistent hashing: the ring",
		Summary: "Servers (discs) and keys (marks inside the ring) hash onto one circle; a key belongs to the first server point clockwise from it.",
		TryThis: "Press Add a server. Predict: only the keys on one arc, just before the new server, move, and all of them come from one neighbour. Then remove a server: its arc goes to the next server clockwise.",
	}
}

// Preset is four servers with one point each on the ring and no traffic.
func (c *Consistent) Preset(seed uint64) lab.Preset {
	return lab.Preset{Config: placementConfig(seed, 1)}
}

func (c *Consistent) Parts() lab.Parts { return lab.PartsAll }

func (c *Consistent) Controls(x *lab.Context) []ui.Widget {
	if c.measure == nil {
		c.measure = measureit.NewLinks("movement")
	}
	if c.add == nil {
		c.add = ui.NewButton("ring-add", "Add a server", "A new server joins at one point of the ring", nil)
		c.add.Primary = true
		c.remove = ui.NewButton("ring-remove", "Remove a server", "The selected server (or the newest) leaves the ring", nil)
		c.look = ui.NewButton("ring-lookup", "Look up another key", "Walk clockwise from a key to the server that owns it", nil)
		c.count = keyCountDropdown("ring-keys", "How many keys the ring shows")
	}
	c.add.OnClick = func() { joinServer(x) }
	victim, ok := c.leaver(x)
	c.remove.Disabled = !ok
	c.remove.Label = "Remove a server"
	if ok {
		c.remove.Label = "Remove " + victim.String()
	}
	c.remove.OnClick = func() {
		// The view of this frame may predate a command applied in the same
		// frame; decide on the cluster as it is now.
		now := *x
		v := x.Cluster().View()
		now.View = &v
		if id, ok := c.leaver(&now); ok {
			leaveServer(x, id)
		}
	}
	c.look.OnClick = func() { c.lookUp((c.walkKey + walkStride) % c.keyCount) }
	for i, n := range keyCounts {
		if n == c.keyCount {
			c.count.Selected = i
		}
	}
	c.count.OnChange = func(i int) {
		c.keyCount = keyCounts[i]
		c.lookUp(c.walkKey % c.keyCount)
	}
	return append([]ui.Widget{c.add, c.remove, c.look, c.count}, c.measure.Buttons(x)...)
}

// leaver is the server Remove takes away: the selected one if it can
// leave, else the newest.
func (c *Consistent) leaver(x *lab.Context) (core.NodeID, bool) {
	if x.View == nil || countInRing(x.View) < 2 {
		return core.NoNode, false
	}
	if slices.Contains(upInRing(x.View), x.Selected) {
		return x.Selected, true
	}
	return newestServer(x.View)
}

// lookUp starts the walk of key i.
func (c *Consistent) lookUp(i int) { c.walkKey, c.walkFrame = i, c.frame }

func (c *Consistent) Enter(x *lab.Context) {
	c.stamp = ""
	c.walkKey = 0
	c.lookUp(0)
	c.sync(x)
}

func (c *Consistent) Update(x *lab.Context) {
	c.frame++
	c.sync(x)
}

func (c *Consistent) NodeAt(px, py float64) (core.NodeID, bool) {
	for _, p := range c.places {
		if math.Hypot(px-p.X, py-p.Y) <= p.R*1.6 {
			return p.ID, true
		}
	}
	return core.NoNode, false
}

func (c *Consistent) sync(x *lab.Context) {
	if x.View == nil {
		return
	}
	cfg := x.View.Config
	ch := lastChange(cfg, x.Cluster().Recorded())
	stamp := fmt.Sprintf("%s|%s|%d|%d", membershipKey(ch.Before), membershipKey(ch.After), cfg.VNodes, c.keyCount)
	if stamp == c.stamp {
		return
	}
	c.stamp, c.ch = stamp, ch
	hashes := c.keys.get(c.keyCount)
	beforeRing := ringOf(ch.Before, cfg.VNodes)
	c.before = owners(c.before, beforeRing, hashes)
	c.after = owners(c.after, viewRing(x.View.Ring), hashes)
	c.moved = countMoved(c.before, c.after)
	c.flows = ring.Flows(ring.Moves(beforeRing, viewRing(x.View.Ring), hashes))
	c.moduloMove = countMoved(owners(nil, moduloOf(ch.Before), hashes), owners(nil, moduloOf(ch.After), hashes))
	c.arcs = changedArcs(beforeRing, x.View.Ring)
	c.perServer = map[core.NodeID]int{}
	for _, o := range c.after {
		c.perServer[o]++
	}
	if c.walkKey >= c.keyCount {
		c.walkKey = 0
	}
}

// changedArcs lists the stretches of the ring whose owner differs between
// the before ring and the after points, merged where adjacent, in clockwise
// order from hash 0. Every hash in the stretch between two consecutive
// points of either ring has one owner on each ring, so it is enough to
// compare owners at those points.
func changedArcs(before *ring.Ring, after []core.RingPoint) []changedArc {
	var cuts []uint64
	for _, p := range before.Points() {
		cuts = append(cuts, p.Hash)
	}
	for _, p := range after {
		cuts = append(cuts, p.Hash)
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	if len(cuts) == 0 {
		return nil
	}
	var arcs []changedArc
	for i, end := range cuts {
		start := cuts[(i+len(cuts)-1)%len(cuts)]
		from, _ := before.Owner(end)
		to, _ := viewRing(after).Owner(end)
		if from == to {
			continue
		}
		if n := len(arcs); n > 0 && arcs[n-1].End == start && arcs[n-1].From == from && arcs[n-1].To == to {
			arcs[n-1].End = end
			continue
		}
		arcs = append(arcs, changedArc{Start: start, End: end, From: from, To: to})
	}
	// The first and last arcs join across hash 0 when they continue each other.
	if n := len(arcs); n > 1 && arcs[n-1].End == arcs[0].Start && arcs[n-1].From == arcs[0].From && arcs[n-1].To == arcs[0].To {
		arcs[0].Start = arcs[n-1].Start
		arcs = arcs[:n-1]
	}
	return arcs
}

// walkStage is where the lookup animation is: 0 the key is placed, 1 the
// walk sweeps clockwise (progress in [0, 1]), 2 the owner is found.
func (c *Consistent) walkStage(sweep float64, reduced bool) (stage int, progress float64) {
	t := c.frame - c.walkFrame
	if reduced {
		return 2, 1 // a jump cut to the owner
	}
	if t < walkHashFrames {
		return 0, 0
	}
	t -= walkHashFrames
	frames := max(float64(walkSweepMinFrames), sweep/(2*math.Pi)*walkTurnFrames)
	if float64(t) < frames {
		return 1, float64(t) / frames
	}
	return 2, 1
}

func (c *Consistent) Build(x *lab.Context, area frame.Rect, l *frame.Layer) {
	c.sync(x)
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	body := area.Inset(u(16))
	total := len(c.after)
	if total == 0 || x.View == nil {
		return
	}

	head, rest := body.CutTop(statHeight(x))
	c.drawStats(x, head, l)
	// In a small frame the ring keeps its room: the walk's steps go first,
	// then the legend.
	var steps, legend frame.Rect
	if rest.H-(3*lh+u(8))-(lh+u(10)) >= u(200) {
		steps, rest = rest.CutBottom(3*lh + u(8))
	}
	if rest.H-(lh+u(10)) >= u(160) {
		legend, rest = rest.CutBottom(lh + u(10))
	}
	c.drawRing(x, rest, l)
	if steps.H > 0 {
		c.drawWalkSteps(x, steps, l)
	}
	items := []legendItem{
		{draw: func(cx, cy, r float64) { serverDisc(l, cx, cy, r, 0) }, label: "server point"},
		{draw: func(cx, cy, r float64) { l.Line(cx, cy-r, cx, cy+r, u(2), scene.SkyBlue) }, label: "key"},
	}
	if c.ch.Kind != "" {
		items = append(items,
			legendItem{draw: func(cx, cy, r float64) {
				l.Rect(frame.Rect{X: cx - r, Y: cy - r, W: 2 * r, H: 2 * r}, scene.TextColor.WithAlpha(0.16))
				l.Rect(frame.Rect{X: cx - r, Y: cy - r, W: u(1.5), H: 2 * r}, scene.TextColor)
			}, label: "the arc that changed hands"},
			legendItem{draw: func(cx, cy, r float64) { l.Line(cx, cy-r, cx, cy+r, u(3), scene.Orange) }, label: "moved key (long, bright)"})
	}
	items = append(items, legendItem{draw: func(cx, cy, r float64) { diamond(l, cx, cy, r, scene.TextColor) }, label: "lookup"})
	if legend.H > 0 {
		drawLegend(x, l, legend, items)
	}
}

func (c *Consistent) drawStats(x *lab.Context, r frame.Rect, l *frame.Layer) {
	total := len(c.after)
	n := len(c.ch.After)
	moved := stat{Caption: "Keys moved on the ring", Value: thousands(c.moved) + " / " + thousands(total)}
	switch c.ch.Kind {
	case "":
		moved.Note = "nothing has changed yet: add or remove a server"
	case core.CmdJoin:
		moved.Note = fmt.Sprintf("%s %s · mean 1/(N+1): %.0f%%", percent(float64(c.moved)/float64(total)), c.flowText(), 100/float64(n))
	default:
		moved.Note = fmt.Sprintf("%s %s · mean 1/N: %.0f%%", percent(float64(c.moved)/float64(total)), c.flowText(), 100/float64(max(len(c.ch.Before), 1)))
	}
	mod := stat{Caption: "hash % N would have moved", Value: thousands(c.moduloMove) + " / " + thousands(total),
		Note: percent(float64(c.moduloMove)/float64(total)) + " of the keys"}
	if c.ch.Kind == "" {
		mod.Note = fmt.Sprintf("%d servers, one point each", n)
	}
	drawStats(x, l, r, []stat{moved, mod})
}

// flowText says where the moved keys went: "all from n0 to n4".
func (c *Consistent) flowText() string {
	switch len(c.flows) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("· all %v to %v", c.flows[0].From, c.flows[0].To)
	}
	return fmt.Sprintf("· %d different moves", len(c.flows))
}

func diamond(l *frame.Layer, cx, cy, r float64, col frame.Color) {
	l.Quad(float32(cx), float32(cy-r), float32(cx+r), float32(cy), float32(cx), float32(cy+r), float32(cx-r), float32(cy), col)
}

func (c *Consistent) drawRing(x *lab.Context, area frame.Rect, l *frame.Layer) {
	th := x.Theme
	u := th.U
	v := x.View
	side := min(area.W, area.H)
	r := side/2 - u(58)
	if r < u(60) {
		// A short frame: the labels go beside the ring, or are left out.
		r = max(area.H/2-u(24), u(30))
	}
	g := scene.Geom{CX: area.X + area.W/2, CY: area.Y + area.H/2, R: r}
	c.geom = g
	segs := min(max(int(2*math.Pi*r/(5*u(1))), 64), 720)
	band := u(10)

	// The ring, each arc in the colour of the point that ends it.
	l.Annulus(g.CX, g.CY, r, band, segs, scene.RingTrack)
	for i, p := range v.Ring {
		prev := v.Ring[(i+len(v.Ring)-1)%len(v.Ring)].Hash
		a1 := scene.Angle(p.Hash)
		a0 := a1 - clockwise(scene.Angle(prev), a1)
		if len(v.Ring) == 1 {
			a0 = a1 - 2*math.Pi
		}
		arcBand(l, g, a0, a1, r-band/2, r+band/2, segs, scene.NodeColor(p.Node).WithAlpha(0.85))
	}
	// The arcs whose keys changed owner: a pale wedge from the centre with
	// dashed edges, so that it reads apart from every server's colour.
	for _, a := range c.arcs {
		a1 := scene.Angle(a.End)
		a0 := a1 - clockwise(scene.Angle(a.Start), a1)
		if a.Start == a.End {
			a0 = a1 - 2*math.Pi
		}
		arcBand(l, g, a0, a1, 0, r+band/2+u(12), segs, scene.TextColor.WithAlpha(0.16))
		dashedSpoke(l, g, a0, r+band/2+u(12), u)
		dashedSpoke(l, g, a1, r+band/2+u(12), u)
	}
	// Keys: radial marks inside the ring in their owner's colour; after a
	// change, moved keys are long and bright and the others short and dim.
	hashes := c.keys.get(c.keyCount)
	changed := c.ch.Kind != ""
	for i, h := range hashes {
		an := scene.Angle(h)
		o := c.after[i]
		col := scene.NodeColor(o)
		r0, r1, w := r-band/2-u(3), r-band/2-u(11), u(1.5)
		if changed {
			if c.before[i] != o {
				r1, w = r-band/2-u(18), u(2)
			} else {
				col = dim(col, th.Background)
			}
		}
		x0, y0 := g.At(an, r0)
		x1, y1 := g.At(an, r1)
		l.Line(x0, y0, x1, y1, max(w, 1), col)
	}

	c.drawWalk(x, g, band, l)
	c.drawServers(x, g, area, l)
}

// walk is the lookup of the chosen key on the cluster's ring: the key's
// hash, the point that owns it and the angle swept to reach it.
func (c *Consistent) walk(v *core.View) (h uint64, owner core.RingPoint, sweep float64, ok bool) {
	if len(v.Ring) == 0 {
		return 0, core.RingPoint{}, 0, false
	}
	h = c.keys.get(c.keyCount)[c.walkKey]
	i, _ := slices.BinarySearchFunc(v.Ring, h, func(p core.RingPoint, h uint64) int {
		switch {
		case p.Hash < h:
			return -1
		case p.Hash > h:
			return 1
		}
		return 0
	})
	if i == len(v.Ring) {
		i = 0 // past the top of the ring: wrap to the first point
	}
	owner = v.Ring[i]
	return h, owner, clockwise(scene.Angle(h), scene.Angle(owner.Hash)), true
}

func (c *Consistent) drawWalk(x *lab.Context, g scene.Geom, band float64, l *frame.Layer) {
	u := x.Theme.U
	h, owner, sweep, ok := c.walk(x.View)
	if !ok {
		return
	}
	stage, p := c.walkStage(sweep, x.ReducedMotion)
	a0 := scene.Angle(h)
	rw := g.R - band/2 - u(26)
	// The key: a diamond just inside the key marks, with a spoke to the ring.
	kx, ky := g.At(a0, rw)
	sx, sy := g.At(a0, g.R)
	l.Line(kx, ky, sx, sy, u(2), scene.TextColor)
	diamond(l, kx, ky, u(8), scene.Black)
	diamond(l, kx, ky, u(6), scene.TextColor)
	if stage == 0 {
		return
	}
	// The walk so far: a white arc clockwise from the key, with a head.
	a1 := a0 + sweep*p
	segs := min(max(int(2*math.Pi*g.R/(5*u(1))), 64), 720)
	if a1 > a0 {
		arcBand(l, g, a0, a1, rw-u(2), rw+u(2), segs, scene.TextColor)
	}
	hx, hy := g.At(a1, rw)
	l.Disc(hx, hy, u(5), 16, scene.TextColor)
	if stage == 2 {
		ox, oy := g.At(scene.Angle(owner.Hash), rw)
		px, py := g.At(scene.Angle(owner.Hash), g.R)
		l.Line(ox, oy, px, py, u(2), scene.TextColor)
	}
}

func (c *Consistent) drawServers(x *lab.Context, g scene.Geom, area frame.Rect, l *frame.Layer) {
	th := x.Theme
	u := th.U
	size := th.Font()
	v := x.View
	c.places = c.places[:0]
	_, owner, sweep, ok := c.walk(v)
	stage, _ := c.walkStage(sweep, x.ReducedMotion)
	for _, p := range v.Ring {
		an := scene.Angle(p.Hash)
		px, py := g.At(an, g.R)
		c.places = append(c.places, serverPlace{ID: p.Node, Hash: p.Hash, X: px, Y: py, R: u(10), Angle: an})
	}
	// Labels sit outside the ring; a label too close to the previous one
	// moves further out so that neighbours do not overlap.
	labelR := make([]float64, len(c.places))
	for i, p := range c.places {
		labelR[i] = g.R + u(26)
		if i > 0 && clockwise(c.places[i-1].Angle, p.Angle)*g.R < u(44) && labelR[i-1] < g.R+u(40) {
			labelR[i] = g.R + u(46)
		}
	}
	var labels placedLabels
	for i, p := range c.places {
		if ok && stage == 2 && p.Hash == owner.Hash {
			l.Annulus(p.X, p.Y, p.R+u(5), u(3), 32, scene.TextColor)
		}
		if p.ID == x.Selected {
			l.Annulus(p.X, p.Y, p.R+u(5), u(2), 32, scene.Yellow)
		}
		serverDisc(l, p.X, p.Y, p.R, p.ID)
		lx, ly := g.At(p.Angle, labelR[i])
		align := frame.AlignCenter
		switch cos := math.Cos(p.Angle); {
		case cos > 0.3:
			align = frame.AlignStart
		case cos < -0.3:
			align = frame.AlignEnd
		}
		// The key count is dropped first when the label has no room.
		labels.place(x.Measure, area, frame.Text{X: float32(lx), Y: float32(ly - frame.LineHeight(size)/2), Size: float32(size), C: th.Text, Align: align},
			fmt.Sprintf("%v · %s keys", p.ID, thousands(c.perServer[p.ID])), p.ID.String())
	}
	labels.draw(l)
}

func (c *Consistent) drawWalkSteps(x *lab.Context, r frame.Rect, l *frame.Layer) {
	th := x.Theme
	size := th.Font()
	lh := frame.LineHeight(size)
	h, owner, sweep, ok := c.walk(x.View)
	if !ok {
		return
	}
	stage, _ := c.walkStage(sweep, x.ReducedMotion)
	name := ring.KeyName(c.walkKey)
	lines := []string{
		fmt.Sprintf("1. Hash %s: it lands %s of the way round the ring.", name, percent(float64(h)/(1<<64))),
		fmt.Sprintf("2. Walk clockwise to the first server point: %v, at %s.", owner.Node, percent(float64(owner.Hash)/(1<<64))),
		fmt.Sprintf("3. %v owns %s. Only a server joining on the stretch between them could take it over.", owner.Node, name),
	}
	for i, s := range lines {
		col := th.TextDim
		if i <= stage {
			col = th.Text
		}
		if i == stage {
			s = "► " + s
		}
		l.Label(r.X, r.Y+th.U(8)+float64(i)*lh, size, col, frame.AlignStart, frame.Fit(x.Measure, s, size, r.W))
	}
}

// dashedSpoke draws a dashed radius at angle an from the centre out to r.
func dashedSpoke(l *frame.Layer, g scene.Geom, an, r float64, u func(float64) float64) {
	dash := u(6)
	for d := 0.0; d < r; d += 2 * dash {
		x0, y0 := g.At(an, d)
		x1, y1 := g.At(an, min(d+dash, r))
		l.Line(x0, y0, x1, y1, u(1.5), scene.TextColor)
	}
}

// NodeHint says where the picture's nodes are (lab.NodeHinter).
func (c *Consistent) NodeHint() string { return "Click a node on the ring" }
