package quorum

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/ring"
	"github.com/ringlab/ringlab/core/tracestore"
	"github.com/ringlab/ringlab/render/chapters/internal/gowrong"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

const (
	capNodes = 5
	// capClientLeft and capClientRight are the clients that send the
	// chapter's requests on each side of the partition; each carries its
	// own context, so its write supersedes what it last read.
	capClientLeft  = 1
	capClientRight = 2
)

// capMinority are the nodes the split button cuts off.
var capMinority = []core.NodeID{0, 1}

// CAP is chapter 5: the same requests sent to two clusters that differ only
// in what they do when a partition hides replicas. The lab's run is the AP
// cluster (sloppy quorum); a twin replays its commands in CP mode (strict
// quorum), drawn side by side.
type CAP struct {
	key    string
	twin   twin
	panels [2]capPanel // 0: CP, 1: AP

	split *ui.Button
	move  *ui.Button
	write *ui.Button
	read  *ui.Button
	// goWrong are "Can CP go wrong?" and "Can AP go wrong?", by panel
	// (capgowrong.go).
	goWrong [2]*gowrong.Control
}

// capPanel is one cluster's picture: where its nodes were drawn.
type capPanel struct {
	places map[core.NodeID]point
	r      float64
}

// NewCAP makes chapter 5.
func NewCAP() *CAP { return &CAP{key: capKey(capConfig(1))} }

func (c *CAP) Info() lab.ChapterInfo {
	return lab.ChapterInfo{
		ID:      "cap",
		Title:   "CAP: what a partition forces",
		Summary: "Two clusters get the same requests. CP refuses what it cannot confirm; AP answers from whatever it reaches and reconciles later.",
		TryThis: "Press Split, then Write and Read: each sends the same request from both sides. Predict: CP fails the left side's requests; AP answers them but its reads go stale. Heal, wait, and Read again: AP's replicas hold both writes. Then predict which cluster any schedule at all could make read stale, and ask: Can CP go wrong? Can AP go wrong?",
	}
}

// capConfig is the chapter's cluster: the lab's default store (N=3, W=2,
// R=2, sloppy) with a timeout long enough for a sloppy request to try
// stand-ins after half of it.
func capConfig(seed uint64) core.Config {
	cfg := baseConfig(seed)
	cfg.Nodes = capNodes
	cfg.VNodes = 8
	cfg.Mode = core.Sloppy
	return cfg
}

// capKey is the first "cart:i" whose replicas all sit outside the minority
// the split button cuts off: the cut-off side then reaches none of them,
// and CP cannot serve it there at all.
func capKey(cfg core.Config) string {
	r := ring.New(cfg.VNodes)
	for i := range cfg.Nodes {
		_ = r.Add(core.NodeID(i), 1)
	}
	for i := range capKeySearchMax {
		k := "cart:" + strconv.Itoa(i)
		pref := r.PreferenceList(ring.HashKey(k), cfg.N)
		if !slices.ContainsFunc(pref, func(id core.NodeID) bool { return contains(capMinority, id) }) {
			return k
		}
	}
	return "cart:0" // not reached for the chapter's ring (a test checks it)
}

// capKeySearchMax bounds the search for the chapter's key; about one key in
// ten has all three replicas among the three nodes of the majority.
const capKeySearchMax = 1000

// Preset writes the cart once, then lets each side's client read it so
// that their later writes carry a context.
func (c *CAP) Preset(seed uint64) lab.Preset {
	cfg := capConfig(seed)
	return lab.Preset{Config: cfg, Script: []core.Recorded{
		{Tick: 0, Cmd: core.Command{Kind: core.CmdPut, Node: 2, Key: c.key, Value: "v0"}},
		{Tick: 14, Cmd: core.Command{Kind: core.CmdGet, Node: 0, Client: capClientLeft, Key: c.key}},
		{Tick: 14, Cmd: core.Command{Kind: core.CmdGet, Node: capNodes - 1, Client: capClientRight, Key: c.key}},
	}}
}

func (c *CAP) Parts() lab.Parts { return lab.PartsAll }

func (c *CAP) Controls(x *lab.Context) []ui.Widget {
	if c.split == nil {
		c.split = ui.NewButton("cap-split", "Split", "Partition the network, or heal it", nil)
		c.move = ui.NewButton("cap-move", "Move a node", "Move the inspected node to the other side of the partition", nil)
		c.write = ui.NewButton("cap-write", "Write", "Send the same put to both clusters from each side", nil)
		c.read = ui.NewButton("cap-read", "Read", "Send the same get to both clusters from each side", nil)
	}
	v := x.View
	parted := v != nil && len(v.Groups) > 0
	c.split.OnClick = func() { c.doSplit(x) }
	c.move.OnClick = func() { c.doMove(x) }
	c.write.OnClick = func() { c.doRequests(x, core.CmdPut) }
	c.read.OnClick = func() { c.doRequests(x, core.CmdGet) }
	if parted {
		c.split.Label = "Heal the partition"
		c.split.Primary = false
		c.write.Label = "Write " + c.key + " from both sides"
		c.read.Label = "Read " + c.key + " from both sides"
	} else {
		c.split.Label = "Split: {" + names(capMinority) + "} | the rest"
		c.split.Primary = true
		c.write.Label = "Write " + c.key
		c.read.Label = "Read " + c.key
	}
	c.move.Disabled = x.Selected == core.NoNode
	switch {
	case x.Selected == core.NoNode:
		c.move.Label = "Click a node to move it across"
	case parted:
		c.move.Label = "Move " + x.Selected.String() + " to the other side"
	default:
		c.move.Label = "Cut off " + x.Selected.String() + " alone"
	}
	return append([]ui.Widget{c.split, c.write, c.read, c.move}, c.goWrongWidgets(x)...)
}

func (c *CAP) doSplit(x *lab.Context) {
	cmd := core.Command{Kind: core.CmdHeal}
	if len(x.View.Groups) == 0 {
		var rest []core.NodeID
		for _, n := range x.View.Nodes {
			if n.InRing && !contains(capMinority, n.ID) {
				rest = append(rest, n.ID)
			}
		}
		cmd = core.Command{Kind: core.CmdPartition, Groups: [][]core.NodeID{slices.Clone(capMinority), rest}}
	}
	if _, err := x.Apply(cmd); err != nil {
		x.Notify(string(cmd.Kind) + " refused: " + err.Error())
	}
}

// sides are the two sides of the partition, left first: the group the
// split button cuts off (or the first group) and every other node. With no
// partition every node is on the left.
func sides(v *core.View) (left, right []core.NodeID) {
	for _, n := range v.Nodes {
		if !n.InRing {
			continue
		}
		if len(v.Groups) > 0 && groupOf(v, n.ID) != 0 {
			right = append(right, n.ID)
		} else {
			left = append(left, n.ID)
		}
	}
	return left, right
}

func (c *CAP) doMove(x *lab.Context) {
	sel := x.Selected
	if sel == core.NoNode {
		return
	}
	left, right := sides(x.View)
	if len(x.View.Groups) == 0 {
		left, right = []core.NodeID{sel}, slices.DeleteFunc(left, func(id core.NodeID) bool { return id == sel })
	} else if i := slices.Index(left, sel); i >= 0 {
		left = slices.Delete(left, i, i+1)
		right = append(right, sel)
	} else if i := slices.Index(right, sel); i >= 0 {
		right = slices.Delete(right, i, i+1)
		left = append(left, sel)
	}
	cmd := core.Command{Kind: core.CmdHeal}
	if len(left) > 0 && len(right) > 0 {
		slices.Sort(left)
		slices.Sort(right)
		cmd = core.Command{Kind: core.CmdPartition, Groups: [][]core.NodeID{left, right}}
	}
	if _, err := x.Apply(cmd); err != nil {
		x.Notify(string(cmd.Kind) + " refused: " + err.Error())
	}
}

// doRequests sends a put or a get of the key from each side (once when the
// network is whole). The twin replays the same commands.
func (c *CAP) doRequests(x *lab.Context, kind core.CommandKind) {
	left, right := sides(x.View)
	round := strconv.Itoa(c.writeRounds(kept{x.Cluster()}) + 1)
	send := func(side []core.NodeID, client int, prefix string) {
		for _, id := range side {
			if n := nodeOf(x.View, id); n != nil && n.Up {
				cmd := core.Command{Kind: kind, Node: id, Client: client, Key: c.key}
				if kind == core.CmdPut {
					cmd.Value = prefix + round
					cmd.WithContext = true
				}
				if _, err := x.Apply(cmd); err != nil {
					x.Notify(string(kind) + " refused: " + err.Error())
				}
				return
			}
		}
	}
	if len(right) == 0 {
		send(left, capClientLeft, "v")
		return
	}
	send(left, capClientLeft, "L")
	send(right, capClientRight, "R")
}

// writeRounds counts the presses of Write so far in the run: the puts of
// the key by the chapter's clients, those sent at one tick counted once.
func (c *CAP) writeRounds(hist kept) int {
	n, last := 0, int64(-1)
	for op := range hist.all() {
		if op.Kind != core.OpPut || op.Key != c.key || op.Client != capClientLeft && op.Client != capClientRight {
			continue
		}
		if op.InvokeTick != last {
			n++
			last = op.InvokeTick
		}
	}
	return n
}

func (c *CAP) Enter(x *lab.Context) {
	// The twin replays the run from its start, so it starts from the
	// run's first configuration in the other mode (a live switch of the
	// mode since is mirrored as it is replayed: twin.sync).
	cfg := x.RunConfig()
	cfg.Mode = otherMode(cfg.Mode)
	// A scripted run (a schedule the search found) names the deliveries and
	// timeouts of its own messages, which the other mode does not send
	// alike: the twin gets the same requests over an ordinary network.
	cfg.Scripted = false
	c.twin.reset(cfg)
	c.twin.sync(x.Cluster())
}

func (c *CAP) Update(x *lab.Context) {
	c.twin.sync(x.Cluster())
	c.updateGoWrong(x)
}

func (c *CAP) NodeAt(px, py float64) (core.NodeID, bool) {
	_, id, ok := c.ClusterNodeAt(px, py)
	return id, ok
}

// The chapter's two clusters for the inspector and the event log
// (lab.Clusters): the lab's run is cluster 0, the twin cluster 1.

// twinStrict reports whether the twin is the CP cluster (the lab's run is
// then the AP one).
func (c *CAP) twinStrict() bool {
	if c.twin.c != nil {
		return c.twin.c.Config().Mode == core.Strict // a live set may have switched it
	}
	return c.twin.cfg.Mode == core.Strict
}

func (c *CAP) ClusterNames() []string {
	if c.twinStrict() {
		return []string{"AP", "CP"}
	}
	return []string{"CP", "AP"}
}

func (c *CAP) ClusterView(i int) *core.View {
	if i != 1 || c.twin.c == nil {
		return nil
	}
	v := c.twin.c.View()
	return &v
}

func (c *CAP) ClusterEvents(i int) []core.Event {
	if i != 1 {
		return nil
	}
	return c.twin.take()
}

// ClusterRun is the twin's run for the time views (lab.ClusterTracer).
func (c *CAP) ClusterRun(i int) (*core.Cluster, *tracestore.Store, int, bool) {
	if i != 1 || c.twin.c == nil {
		return nil, nil, 0, false
	}
	return c.twin.c, &c.twin.trace, c.twin.rev, true
}

// clusterOfPanel is the cluster drawn in panel p (0: CP, 1: AP).
func (c *CAP) clusterOfPanel(p int) int {
	if (p == 0) == c.twinStrict() {
		return 1
	}
	return 0
}

func (c *CAP) ClusterNodeAt(px, py float64) (int, core.NodeID, bool) {
	for i, p := range c.panels {
		for id, q := range p.places {
			if (px-q.X)*(px-q.X)+(py-q.Y)*(py-q.Y) <= p.r*p.r*2 {
				return c.clusterOfPanel(i), id, true
			}
		}
	}
	return 0, core.NoNode, false
}

// NodeHint says where the picture's nodes are (lab.NodeHinter).
func (c *CAP) NodeHint() string { return "Click a node in either cluster" }

// capSide is what one cluster shows: its view, history, dropped messages.
type capSide struct {
	v     *core.View
	hist  kept
	drops []core.Event
	pref  []core.NodeID
}

// Build lays out and draws the two clusters' panels side by side, CP's on
// the left (layOutCAPPanel, drawCAPPanel).
func (c *CAP) Build(x *lab.Context, area frame.Rect, l *frame.Layer) {
	if x.View == nil {
		return
	}
	u := x.Theme.U
	live := capSide{v: x.View, hist: kept{x.Cluster()}, drops: x.Recent, pref: x.Cluster().PreferenceList(c.key, x.View.Config.N)}
	var other capSide
	if c.twin.c != nil {
		tv := c.twin.c.View()
		other = capSide{v: &tv, hist: kept{c.twin.c}, drops: c.twin.drops, pref: c.twin.c.PreferenceList(c.key, tv.Config.N)}
	}
	cp, ap := other, live
	if x.View.Config.Mode == core.Strict {
		cp, ap = live, other
	}
	// A line under the panels says why the other cluster is not a replay
	// of this one, when it is not.
	note, noteColor := "", x.Theme.TextDim
	switch {
	case c.twin.err != nil:
		note, noteColor = "The second cluster could not replay a command: "+c.twin.err.Error(), scene.Vermillion
	case x.View.Config.Scripted:
		note = "This run's network is a found schedule; the other cluster gets the same requests, its messages delivered in their own time."
	}
	panels := area
	if note != "" {
		panels.H -= u(26)
	}
	leftR, rightR := capHalves(x.Theme, panels)
	for i, panel := range []struct {
		s capSide
		r frame.Rect
	}{{cp, leftR}, {ap, rightR}} {
		// The inspected node wears a ring in its own cluster's panel only.
		selected := core.NoNode
		if x.SelectedCluster == c.clusterOfPanel(i) {
			selected = x.Selected
		}
		lay := layOutCAPPanel(panel.s, c.key, selected, x.Phase, x.Theme, x.Measure, panel.r)
		c.panels[i] = capPanel{places: lay.places, r: lay.glyphR}
		drawCAPPanel(l, x.Theme, lay)
	}
	if note != "" {
		l.Label(area.X+u(14), area.Bottom()-u(24), x.Theme.Font(), noteColor, frame.AlignStart,
			frame.Fit(x.Measure, note, x.Theme.Font(), area.W-u(28)))
	}
}

// capTally is what a mode gave up, counted from its run.
type capTally struct {
	failed, stale, siblingsMax, hints int
	agree                             bool
	replicaText                       string
}

func tallyOf(s capSide, key string) capTally {
	t := capTally{
		failed:      s.v.Counters.OpsFailed,
		stale:       s.v.Counters.StaleReads,
		siblingsMax: s.v.Counters.SiblingsMax,
	}
	var sets []string
	var parts []string
	for _, id := range s.pref {
		vals, _ := storedValues(s.v, id, key)
		sorted := slices.Clone(vals)
		slices.Sort(sorted)
		sets = append(sets, strings.Join(sorted, "|"))
		parts = append(parts, id.String()+" "+valuesText(vals))
	}
	for _, n := range s.v.Nodes {
		for _, h := range n.Hints {
			if h.Key == key {
				t.hints++
			}
		}
	}
	t.agree = t.hints == 0 && len(slices.Compact(slices.Clone(sets))) <= 1
	t.replicaText = strings.Join(parts, " · ")
	return t
}

// drawCAPPanel draws one cluster's panel where lay puts its parts: the
// panel and its accent, the header, the partition line, the messages and
// crosses, the nodes with their rings, the notes and the tally.
func drawCAPPanel(l *frame.Layer, th *ui.Theme, lay capPanelLayout) {
	u := th.U
	l.Rect(lay.panel, th.Panel)
	l.Rect(lay.bar, lay.accent)
	drawLabels(l, lay.heads)
	if lay.wall != nil {
		dashed(l, lay.wall[0].X, lay.wall[0].Y, lay.wall[1].X, lay.wall[1].Y, u(3), u(8), u(5), scene.Vermillion)
		lay.wallLabel.draw(l)
	}
	for _, f := range lay.flights {
		drawMessage(l, u(1), f.from, f.to, f.progress, f.kind)
	}
	for _, d := range lay.drops {
		drawCross(l, d.at, u(6), u(2.5), d.c)
	}
	for _, n := range lay.nodes {
		q, glyph := n.at, lay.glyphR
		drawNodeGlyph(l, u(1), q, glyph, n.id, n.up)
		if n.selected {
			l.Annulus(q.X, q.Y, glyph+u(9), u(2.5), 32, th.Focus)
		}
		if n.replica {
			// Replicas of the key wear a white ring.
			l.Annulus(q.X, q.Y, glyph+u(4), u(2), 28, scene.TextColor)
		}
		drawLabels(l, n.texts)
	}
	if lay.legendShown {
		l.Annulus(lay.legendRing.X, lay.legendRing.Y, u(7), u(2), 20, scene.TextColor)
	}
	drawLabels(l, lay.notes)
	drawLabels(l, lay.tally)
}

// describeOp renders one request as the chapter lists it: side, verb,
// outcome.
func describeOp(op core.Op) string {
	side := "left"
	if op.Client == capClientRight {
		side = "right"
	}
	verb := "read"
	if op.Kind == core.OpPut {
		verb = "write " + op.Value
	}
	switch {
	case op.ReturnTick < 0:
		return fmt.Sprintf("%s %s via %v: waiting…", side, verb, op.Coordinator)
	case !op.OK:
		why := op.Err
		if i := strings.Index(why, ":"); i > 0 {
			why = why[:i]
		}
		return fmt.Sprintf("%s %s via %v: FAILED (%s)", side, verb, op.Coordinator, why)
	case op.Kind == core.OpGet && op.Stale:
		return fmt.Sprintf("%s read via %v: %s (stale)", side, op.Coordinator, valuesText(op.Values))
	case op.Kind == core.OpGet:
		return fmt.Sprintf("%s read via %v: %s", side, op.Coordinator, valuesText(op.Values))
	}
	return fmt.Sprintf("%s %s via %v: ok", side, verb, op.Coordinator)
}
