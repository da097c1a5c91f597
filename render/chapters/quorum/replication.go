package quorum

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/ring"
	"github.com/ringlab/ringlab/render/chapters/internal/runtrace"
	"github.com/ringlab/ringlab/render/chapters/measureit"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// replicationKeys are the keys the chapter writes at the start and offers in
// its key list.
var replicationKeys = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"}

const (
	// walkTicksPerStep is how many simulated ticks the walk spends on each
	// virtual node it visits: slow enough to follow at the default speed.
	walkTicksPerStep = 3
	replicationNodes = 6
	// replicationVNodes is small, so that each virtual node is visible and
	// a walk often meets a second point of a server it already chose.
	replicationVNodes = 4
)

// Replication is chapter 4: the preference list of a key is found by
// walking clockwise from the key and skipping virtual nodes of servers
// already chosen; the key survives the loss of N-1 of those servers.
type Replication struct {
	// measure links to the experiments that measure this chapter's claim.
	measure measureit.Links
	ring    scene.Ring
	keyList *ui.Dropdown
	read    *ui.Button
	crash   *ui.Button
	restart *ui.Button

	key       int   // index in replicationKeys
	walkStart int64 // tick at which the walk of the current key began

	// placement is the ring rebuilt from the View's nodes, for the walk.
	placement     *ring.Ring
	placementView *core.View

	// trace keeps the reads of the chapter's keys and their replies;
	// lastGet and getReplies are the last read of the chosen key and who
	// answered it (in arrival order), as of the tick on screen.
	trace      runtrace.Trace
	lastGet    core.RequestID
	getReplies []core.NodeID
}

// NewReplication makes chapter 4.
func NewReplication() *Replication { return &Replication{trace: runtrace.NewFiltered(readEvent)} }

func (c *Replication) Info() lab.ChapterInfo {
	return lab.ChapterInfo{
		ID:      "replication",
		Title:   "Replication: the preference list",
		Summary: "From the key's place, walk clockwise and take each server not yet chosen, until N = 3 distinct servers hold the key.",
		TryThis: "Watch the walk skip a second point of a server it already has. Predict: crash two of the three replicas and \"Read\" still answers; crash the third and the read fails.",
	}
}

// Preset: six servers with four virtual nodes each, three replicas per key,
// and reads and writes that need one answer (R = W = 1), in strict mode so
// that a read only ever asks the key's own replicas. Every key is written
// once at the start.
func (c *Replication) Preset(seed uint64) lab.Preset {
	cfg := baseConfig(seed)
	cfg.Nodes = replicationNodes
	cfg.VNodes = replicationVNodes
	cfg.N, cfg.W, cfg.R = 3, 1, 1
	cfg.Mode = core.Strict
	var script []core.Recorded
	for i, k := range replicationKeys {
		script = append(script, core.Recorded{Tick: 0, Cmd: core.Command{
			Kind: core.CmdPut, Node: core.NodeID(i % replicationNodes), Key: k, Value: k[:1] + "1",
		}})
	}
	return lab.Preset{Config: cfg, Script: script}
}

func (c *Replication) Parts() lab.Parts { return lab.PartsAll }

func (c *Replication) Controls(x *lab.Context) []ui.Widget {
	if c.measure == nil {
		c.measure = measureit.NewLinks("availability")
	}
	if c.keyList == nil {
		c.keyList = ui.NewDropdown("replication-key", "Key", "Which key's preference list to walk (Up/Down)", replicationKeys, c.key, nil)
		c.read = ui.NewButton("replication-read", "Read", "Send a get of the key through a server that is not one of its replicas", nil)
		c.read.Primary = true
		c.crash = ui.NewButton("replication-crash", "Crash a replica", "Crash the next replica of the key that is still up", nil)
		c.restart = ui.NewButton("replication-restart", "Restart crashed servers", "Bring every crashed server back", nil)
	}
	c.keyList.OnChange = func(i int) { c.pickKey(x, i) }
	c.keyList.Selected = c.key
	key := replicationKeys[c.key]
	c.read.Label = "Read " + key
	c.read.OnClick = func() { c.doRead(x) }
	c.crash.OnClick = func() { c.doCrash(x) }
	c.restart.OnClick = func() { c.doRestart(x) }

	pref := c.preferenceList(x.View)
	next, up := core.NoNode, 0
	for i, id := range pref {
		if n := nodeOf(x.View, id); n != nil && n.Up {
			up++
			if next == core.NoNode {
				next = id
				c.crash.Label = fmt.Sprintf("Crash %v (replica %d of %d)", id, i+1, len(pref))
			}
		}
	}
	c.crash.Disabled = next == core.NoNode
	if next == core.NoNode {
		c.crash.Label = fmt.Sprintf("All %d replicas are down", len(pref))
	}
	c.restart.Disabled = true
	if x.View != nil {
		for _, n := range x.View.Nodes {
			if !n.Up && n.InRing {
				c.restart.Disabled = false
			}
		}
	}
	return append([]ui.Widget{c.keyList, c.read, c.crash, c.restart}, c.measure.Buttons(x)...)
}

func (c *Replication) pickKey(x *lab.Context, i int) {
	if i < 0 || i >= len(replicationKeys) {
		return
	}
	c.key = i
	c.walkStart = x.View.Tick
	c.lastGet, c.getReplies = lastRead(c.trace.Events, replicationKeys[c.key])
}

// readEvent reports whether the chapter needs e: a read of one of its keys
// starting, and the replies to reads.
func readEvent(e *core.Event) bool {
	return (e.Kind == core.EvRequestStart && e.Op == core.OpGet && slices.Contains(replicationKeys, e.Key)) ||
		(e.Kind == core.EvMsgDeliver && e.Msg == core.MsgGetResp)
}

// lastRead is the last read of key in the trace (sent from anywhere: the
// button, the page) and the replicas that answered it, in arrival order.
func lastRead(evs []core.Event, key string) (core.RequestID, []core.NodeID) {
	var id core.RequestID
	var from []core.NodeID
	for _, e := range evs {
		switch {
		case e.Kind == core.EvRequestStart && e.Key == key:
			id, from = e.Request, nil
		case e.Kind == core.EvMsgDeliver && id != 0 && e.Request == id:
			from = append(from, e.From)
		}
	}
	return id, from
}

// coordinator is the first up server that is not a replica of the key (so
// the read visibly fans out to the replicas), else any up server.
func (c *Replication) coordinator(v *core.View) (core.NodeID, bool) {
	pref := c.preferenceList(v)
	for _, n := range v.Nodes {
		if n.Up && n.InRing && !contains(pref, n.ID) {
			return n.ID, true
		}
	}
	for _, n := range v.Nodes {
		if n.Up && n.InRing {
			return n.ID, true
		}
	}
	return core.NoNode, false
}

func (c *Replication) doRead(x *lab.Context) {
	coord, ok := c.coordinator(x.View)
	if !ok {
		x.Notify("Every server is down: restart one to coordinate the read.")
		return
	}
	if _, err := x.Apply(core.Command{Kind: core.CmdGet, Node: coord, Key: replicationKeys[c.key]}); err != nil {
		x.Notify("Read refused: " + err.Error())
	}
}

func (c *Replication) doCrash(x *lab.Context) {
	for _, id := range c.preferenceList(x.View) {
		if n := nodeOf(x.View, id); n != nil && n.Up {
			if _, err := x.Apply(core.Command{Kind: core.CmdCrash, Node: id}); err != nil {
				x.Notify("Crash refused: " + err.Error())
			}
			return
		}
	}
}

func (c *Replication) doRestart(x *lab.Context) {
	for _, n := range x.View.Nodes {
		if !n.Up && n.InRing {
			if _, err := x.Apply(core.Command{Kind: core.CmdRestart, Node: n.ID}); err != nil {
				x.Notify("Restart refused: " + err.Error())
				return
			}
		}
	}
}

// Enter starts on the first key whose walk skips at least one virtual node,
// so that the skip is on screen without a search.
func (c *Replication) Enter(x *lab.Context) {
	c.key = 0
	c.trace.Reset()
	c.placementView = nil
	for i, k := range replicationKeys {
		if hasSkip(c.walk(x.View, k)) {
			c.key = i
			break
		}
	}
	c.walkStart = x.View.Tick
}

func hasSkip(steps []ring.WalkStep) bool {
	for _, s := range steps {
		if !s.Chosen {
			return true
		}
	}
	return false
}

// Update reads the last read of the key and its replies from the run's
// trace up to the tick on screen.
func (c *Replication) Update(x *lab.Context) {
	if x.View != nil && x.View.Tick < c.walkStart {
		c.walkStart = x.View.Tick // scrubbed back before the walk began
	}
	c.trace.Sync(x)
	c.lastGet, c.getReplies = lastRead(c.trace.Events, replicationKeys[c.key])
}

func (c *Replication) NodeAt(px, py float64) (core.NodeID, bool) { return c.ring.NodeAt(px, py) }

// ringOf rebuilds the agreed ring from the View's nodes (cached per View).
func (c *Replication) ringOf(v *core.View) *ring.Ring {
	if v == nil {
		return nil
	}
	if c.placementView == v && c.placement != nil {
		return c.placement
	}
	r := ring.New(v.Config.VNodes)
	for _, n := range v.Nodes {
		if n.InRing {
			_ = r.Add(n.ID, n.Weight) // weights in a View were accepted by the same ring
		}
	}
	c.placement, c.placementView = r, v
	return r
}

// walk is core/ring's preference walk of key over the View's ring.
func (c *Replication) walk(v *core.View, key string) []ring.WalkStep {
	r := c.ringOf(v)
	if r == nil {
		return nil
	}
	return r.PreferenceWalk(ring.HashKey(key), v.Config.N)
}

// preferenceList is the chosen servers of the walk, in order.
func (c *Replication) preferenceList(v *core.View) []core.NodeID {
	var out []core.NodeID
	for _, s := range c.walk(v, replicationKeys[c.key]) {
		if s.Chosen {
			out = append(out, s.Point.Node)
		}
	}
	return out
}

// revealed is how far the walk animation has got: the number of steps shown
// and the fraction of the way to the next one.
func (c *Replication) revealed(x *lab.Context, steps int) (shown int, frac float64) {
	t := (float64(x.View.Tick-c.walkStart) + x.Phase) / walkTicksPerStep
	if t >= float64(steps-1) || x.ReducedMotion {
		return steps, 0
	}
	return int(t) + 1, t - math.Floor(t)
}

func (c *Replication) Build(x *lab.Context, area frame.Rect, l *frame.Layer) {
	v := x.View
	if v == nil {
		return
	}
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size) + u(3)
	big := u(20)
	pad := u(14)
	key := replicationKeys[c.key]
	steps := c.walk(v, key)
	shown, frac := c.revealed(x, len(steps))
	pref := c.preferenceList(v)

	top, rest := area.CutTop(pad + frame.LineHeight(big) + 2*lh + u(6))
	stripH := u(24) + lh + 2*lh + u(24)
	strip, ringArea := rest.CutBottom(stripH)
	// The ring needs room for its node labels around it; in a small frame
	// it is left out and the strip, which lists the same walk, stays.
	if min(ringArea.W, ringArea.H) < u(240) {
		strip, _ = rest.CutTop(stripH)
		ringArea = frame.Rect{}
	}
	c.ring.Build(&scene.Input{
		View: v, Phase: x.Phase, Recent: x.Recent, Area: ringArea,
		Scale: th.Scale, Selected: x.Selected, Measure: x.Measure,
	}, l)
	if ringArea.W > 0 {
		c.drawWalkOnRing(x, l, key, steps, shown, frac)
	}

	// Status: the preference list as it stands, replicas up, the last read.
	tx := top.X + pad
	y := top.Y + pad
	head := fmt.Sprintf("Preference list of %s (N = %d):", key, v.Config.N)
	l.Label(tx, y, big, th.Text, frame.AlignStart, head)
	hx := tx + x.Measure.Width(head, big) + u(10)
	for _, s := range steps[:shown] {
		if !s.Chosen {
			continue
		}
		name := s.Point.Node.String()
		col := scene.NodeColor(s.Point.Node)
		if n := nodeOf(v, s.Point.Node); n != nil && !n.Up {
			name += " (down)"
			col = scene.Grey
		}
		l.Label(hx, y, big, col, frame.AlignStart, name)
		hx += x.Measure.Width(name+"  ", big)
	}
	y += frame.LineHeight(big) + u(6)
	up := 0
	for _, id := range pref {
		if n := nodeOf(v, id); n != nil && n.Up {
			up++
		}
	}
	var verdict string
	col := th.Text
	switch {
	case up == len(pref):
		verdict = fmt.Sprintf("All %d replicas up.", up)
	case up >= v.Config.R:
		verdict = fmt.Sprintf("%d of %d replicas up: a read needs R = %d answer, so %s is still served.", up, len(pref), v.Config.R, key)
		col = scene.Green.Mix(th.Text, 0.35)
	default:
		verdict = fmt.Sprintf("%d of %d replicas up: fewer than R = %d servers that hold %s can answer, so a read fails.", up, len(pref), v.Config.R, key)
		col = scene.Vermillion.Mix(th.Text, 0.3)
	}
	l.Label(tx, y, size, col, frame.AlignStart, frame.Fit(x.Measure, verdict, size, top.W-2*pad))
	y += lh
	l.Label(tx, y, size, th.Text, frame.AlignStart, frame.Fit(x.Measure, c.readLine(x, key), size, top.W-2*pad))

	c.drawStrip(x, strip, l, key, steps, shown)
}

// readLine describes the last read from the history and the trace.
func (c *Replication) readLine(x *lab.Context, key string) string {
	if c.lastGet == 0 {
		return "Press \"Read " + key + "\" to send a get through a server that is not a replica."
	}
	if r, ok := requestOf(x.View, c.lastGet); ok && len(r.Answered) < r.Need {
		return fmt.Sprintf("Read of %s via %v: asked %s, waiting for %d of %d answer…", key, r.Coordinator, names(r.Replicas), r.Need-len(r.Answered), r.Need)
	}
	op, ok := x.Cluster().Op(c.lastGet)
	switch {
	case !ok:
		return ""
	case op.ReturnTick < 0:
		return fmt.Sprintf("Read of %s via %v: waiting…", key, op.Coordinator)
	case op.OK:
		from := ""
		if len(c.getReplies) > 0 {
			from = " (answer from " + c.getReplies[0].String() + ")"
		}
		return fmt.Sprintf("Read of %s via %v answered %s%s in %d ticks.", key, op.Coordinator, valuesText(op.Values), from, op.ReturnTick-op.InvokeTick)
	default:
		return fmt.Sprintf("Read of %s via %v FAILED: %s.", key, op.Coordinator, op.Err)
	}
}

// drawWalkOnRing marks the key's place, the arc walked so far, and each
// virtual node visited: a numbered disc for a server taken, a hollow
// crossed circle for a point skipped.
func (c *Replication) drawWalkOnRing(x *lab.Context, l *frame.Layer, key string, steps []ring.WalkStep, shown int, frac float64) {
	th := x.Theme
	u := th.U
	g := c.ring.Geom
	if g.R <= 0 {
		return
	}
	h := ring.HashKey(key)
	ka := scene.Angle(h)
	// The key: a white bar across the ring band, tied by a dashed line to
	// its name in the middle of the ring, where nothing else is drawn.
	x0, y0 := g.At(ka, g.R+u(8))
	x1, y1 := g.At(ka, g.R-u(22))
	l.Line(x0, y0, x1, y1, u(3), scene.TextColor)
	big := u(20)
	label := "key " + key
	lw := x.Measure.Width(label, big)
	box := frame.Rect{X: g.CX - lw/2 - u(8), Y: g.CY - frame.LineHeight(big)/2 - u(4), W: lw + u(16), H: frame.LineHeight(big) + u(8)}
	// Each visited point gets a numbered badge on a spoke into the ring,
	// one step deeper than the last, so that points close together on the
	// ring stay apart. On a small ring a deep badge can reach the middle:
	// the key's name (which the heading also gives) then gives way.
	badgeAt := func(i int, s ring.WalkStep) (float64, float64) {
		return g.At(scene.Angle(s.Point.Hash), g.R-u(34)-float64(i%8)*u(20))
	}
	named := true
	for i, s := range steps[:shown] {
		px, py := badgeAt(i, s)
		if box.Inset(-u(10)).Contains(px, py) {
			named = false
		}
	}
	if named {
		dashed(l, g.CX, g.CY, x1, y1, u(1.5), u(5), u(5), scene.TextDim)
		l.Rect(box, th.Background)
		l.Label(g.CX, g.CY-frame.LineHeight(big)/2, big, scene.TextColor, frame.AlignCenter, label)
	}

	if shown == 0 {
		return
	}
	// The arc walked so far: from the key clockwise to the newest step, and
	// part of the way on to the next one while the walk moves.
	clockwiseFrom := func(a float64) float64 {
		for a < ka {
			a += 2 * math.Pi
		}
		return a
	}
	end := clockwiseFrom(scene.Angle(steps[shown-1].Point.Hash))
	if shown < len(steps) {
		next := clockwiseFrom(scene.Angle(steps[shown].Point.Hash))
		if next < end { // the walk wrapped past the key's own angle
			next += 2 * math.Pi
		}
		end += (next - end) * frac
	}
	walkR := g.R - u(14)
	segs := max(2, int((end-ka)/(2*math.Pi)*180))
	for i := range segs {
		a0 := ka + (end-ka)*float64(i)/float64(segs)
		a1 := ka + (end-ka)*float64(i+1)/float64(segs)
		px0, py0 := g.At(a0, walkR)
		px1, py1 := g.At(a1, walkR)
		l.Line(px0, py0, px1, py1, u(3), scene.TextColor.WithAlpha(0.85))
	}
	// An arrowhead at the front of the walk, pointing clockwise.
	fx, fy := g.At(end, walkR)
	tx, ty := -math.Sin(end), math.Cos(end) // clockwise tangent in y-down space
	nx, ny := math.Cos(end), math.Sin(end)
	a := u(7)
	l.Tri(float32(fx+tx*a), float32(fy+ty*a), float32(fx-tx*a/2+nx*a*0.7), float32(fy-ty*a/2+ny*a*0.7),
		float32(fx-tx*a/2-nx*a*0.7), float32(fy-ty*a/2-ny*a*0.7), scene.TextColor)

	n := 0
	for i, s := range steps[:shown] {
		an := scene.Angle(s.Point.Hash)
		sx, sy := g.At(an, g.R-u(4))
		px, py := badgeAt(i, s)
		col := scene.NodeColor(s.Point.Node)
		if s.Chosen {
			n++
			l.Line(sx, sy, px, py, u(2), col)
			l.Disc(px, py, u(10), 20, scene.Black)
			l.Disc(px, py, u(8.5), 20, col)
			l.Label(px, py-frame.LineHeight(u(13))/2, u(13), scene.Black, frame.AlignCenter, strconv.Itoa(n))
		} else {
			dashed(l, sx, sy, px, py, u(2), u(4), u(3), col)
			l.Disc(px, py, u(9), 20, th.Background)
			l.Annulus(px, py, u(8), u(2), 20, col)
			drawCross(l, point{px, py}, u(4.5), u(2), scene.TextColor)
		}
	}
}

// drawStrip lists the walk step by step: each visited virtual node, and
// whether its server was taken or skipped. It is the chapter's signature.
func (c *Replication) drawStrip(x *lab.Context, area frame.Rect, l *frame.Layer, key string, steps []ring.WalkStep, shown int) {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	pad := u(14)
	l.Rect(area.Inset(u(6)), th.Panel)
	x0 := area.X + pad
	y := area.Y + u(12)
	l.Label(x0, y, size, th.TextDim, frame.AlignStart,
		frame.Fit(x.Measure, "The walk, clockwise from "+key+": each point is a virtual node; a server already chosen is skipped.", size, area.W-2*pad))
	y += lh + u(8)
	if len(steps) == 0 {
		return
	}
	gap := u(16)
	chipW := min(u(128), (area.W-2*pad-gap*float64(len(steps)-1))/float64(len(steps)))
	chipH := 2*lh + u(10)
	n := 0
	for i, s := range steps {
		r := frame.Rect{X: x0 + float64(i)*(chipW+gap), Y: y, W: chipW, H: chipH}
		if i >= shown {
			l.Outline(r, u(1), th.Border)
			continue
		}
		vnode := ring.VNodeLabel(s.Point.Node, s.Point.Index)
		var line2 string
		if s.Chosen {
			n++
			l.Rect(r, scene.NodeColor(s.Point.Node))
			line2 = "replica " + strconv.Itoa(n)
			l.Label(r.X+u(8), r.Y+u(5), size, scene.Black, frame.AlignStart, frame.Fit(x.Measure, vnode, size, r.W-u(12)))
			l.Label(r.X+u(8), r.Y+u(5)+lh, size, scene.Black, frame.AlignStart, frame.Fit(x.Measure, line2, size, r.W-u(12)))
		} else {
			l.Rect(r, th.Control)
			// A dashed border: skipped does not rest on colour alone.
			dashed(l, r.X, r.Y, r.Right(), r.Y, u(2), u(6), u(4), scene.NodeColor(s.Point.Node))
			dashed(l, r.X, r.Bottom(), r.Right(), r.Bottom(), u(2), u(6), u(4), scene.NodeColor(s.Point.Node))
			line2 = "skip: " + s.Point.Node.String() + " has it"
			l.Label(r.X+u(8), r.Y+u(5), size, th.Text, frame.AlignStart, frame.Fit(x.Measure, vnode, size, r.W-u(12)))
			l.Label(r.X+u(8), r.Y+u(5)+lh, size, th.TextDim, frame.AlignStart, frame.Fit(x.Measure, line2, size, r.W-u(12)))
		}
		if i+1 < len(steps) && i+1 < shown {
			ax := r.Right() + gap/2
			ay := r.Y + chipH/2
			a := u(5)
			l.Tri(float32(ax-a/2), float32(ay-a), float32(ax+a/2+u(1)), float32(ay), float32(ax-a/2), float32(ay+a), th.TextDim)
		}
	}
}

// NodeHint says where the picture's nodes are (lab.NodeHinter).
func (c *Replication) NodeHint() string { return "Click a node on the ring" }
