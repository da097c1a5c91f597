package repair

import (
	"fmt"
	"github.com/ringlab/ringlab/render/chapters/internal/gowrong"
	"github.com/ringlab/ringlab/render/chapters/internal/runtrace"
	"slices"
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/chapters/measureit"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// The versioning chapter's cast: a left and a right client behind a
// partition, each calling a coordinator on its own side, and a third client
// that reads and merges after the heal.
const (
	leftCoord  core.NodeID = 0
	rightCoord core.NodeID = 3
	mergeCoord core.NodeID = 2

	leftClient  = 1
	rightClient = 2
	mergeClient = 3

	// vcKey is the key written under vector clocks, lwwKey the one written
	// after switching to last-write-wins, so that each graph tells one story.
	vcKey  = "cart"
	lwwKey = "basket"

	// skewTicks is how far the left coordinator's clock runs ahead under
	// last-write-wins.
	skewTicks = 300
)

// Items the clients add, in turn.
var (
	leftItems  = []string{"milk", "bread", "jam", "rice"}
	rightItems = []string{"eggs", "tea", "salt", "figs"}
)

// partitionGroups splits the five nodes into the left and right sides.
var partitionGroups = [][]core.NodeID{{0, 1}, {2, 3, 4}}

// Versioning is chapter 7: a key's version graph under vector clocks and
// under last-write-wins.
type Versioning struct {
	// measure links to the experiments that measure this chapter's claim.
	measure measureit.Links
	trace   runtrace.Trace
	graph   versionGraph

	left, right, split, merge *ui.Button
	lww                       *ui.Toggle
	hits                      []hit
	// goWrong is the "Can this go wrong?" search (canitgo.go).
	goWrong *gowrong.Control
}

// NewVersioning makes chapter 7.
func NewVersioning() *Versioning {
	return &Versioning{trace: runtrace.New(versionEventKinds)}
}

func (c *Versioning) Info() lab.ChapterInfo {
	return lab.ChapterInfo{
		ID:      "versioning",
		Title:   "Versioning: vector clocks and last-write-wins",
		Summary: "Each card is one version of the cart with its vector clock; an arrow points from a version to the one it replaced.",
		TryThis: "The network is split. Let the left and the right client each write the cart, then heal: predict 2 siblings. Merge them: 1 version. Then switch to last-write-wins and repeat: one acknowledged write vanishes. Can this go wrong? then searches every schedule of two such writes: with last-write-wins Show me opens one that loses a write; with vector clocks there is none.",
	}
}

// Preset: five nodes split into {n0 n1} and {n2 n3 n4}, with sloppy
// quorums (writes on both sides succeed through stand-ins) and the
// background mechanisms fast enough to watch replicas converge after the
// heal.
func (c *Versioning) Preset(seed uint64) lab.Preset {
	cfg := watchableConfig(seed)
	cfg.AntiEntropyIntervalTicks = 60
	return lab.Preset{Config: cfg, Script: []core.Recorded{
		{Tick: 0, Cmd: core.Command{Kind: core.CmdPartition, Groups: partitionGroups}},
	}}
}

func (c *Versioning) Parts() lab.Parts { return lab.PartsAll }

// currentKey is the key the chapter writes: one per versioning mode.
func currentKey(v *core.View) string {
	if v != nil && v.Config.Versioning == core.LWW {
		return lwwKey
	}
	return vcKey
}

// liveKey is currentKey of the live cluster.
func liveKey(x *lab.Context) string {
	if x.Cluster().Config().Versioning == core.LWW {
		return lwwKey
	}
	return vcKey
}

// nextItem is the item a side adds next: one more than it has written to
// the key so far (from the trace, so a scrub or a replay agrees).
func (c *Versioning) nextItem(key string, coord core.NodeID, items []string) string {
	n := 0
	for _, e := range c.trace.Events {
		if e.Kind == core.EvVersionCreated && e.Key == key && e.From == coord {
			n++
		}
	}
	return items[n%len(items)]
}

func (c *Versioning) Controls(x *lab.Context) []ui.Widget {
	if c.measure == nil {
		c.measure = measureit.NewLinks("conflicts")
	}
	if c.left == nil {
		c.left = ui.NewButton("versioning-left", "", "The left client puts its item through n0", nil)
		c.right = ui.NewButton("versioning-right", "", "The right client puts its item through n3", nil)
		c.split = ui.NewButton("versioning-split", "", "Split the network into {n0 n1} and {n2 n3 n4}, or heal it", nil)
		c.merge = ui.NewButton("versioning-merge", "Merge: read, write the union", "A third client reads every sibling and writes their union with the context it read", nil)
		c.lww = ui.NewToggle("versioning-lww", "Last-write-wins on “"+lwwKey+"”", "Keep only the version with the larger timestamp; n0's clock runs 300 ticks ahead, and the clients write a fresh key, "+lwwKey, false, nil)
	}
	v := x.View
	key := currentKey(v)
	lww := v != nil && v.Config.Versioning == core.LWW
	split := v != nil && len(v.Groups) > 0
	li, ri := c.nextItem(key, leftCoord, leftItems), c.nextItem(key, rightCoord, rightItems)
	c.left.Label = fmt.Sprintf("Left client adds %q", li)
	c.right.Label = fmt.Sprintf("Right client adds %q", ri)
	// Clicks read the live cluster: the view may be a frame behind a
	// command applied this frame (the switch to last-write-wins).
	c.left.OnClick = func() {
		k := liveKey(x)
		c.write(x, leftCoord, leftClient, k, c.nextItem(k, leftCoord, leftItems))
	}
	c.right.OnClick = func() {
		k := liveKey(x)
		c.write(x, rightCoord, rightClient, k, c.nextItem(k, rightCoord, rightItems))
	}
	c.left.Disabled = !nodeUp(v, leftCoord)
	c.right.Disabled = !nodeUp(v, rightCoord)
	if split {
		c.split.Label = "Heal the partition"
	} else {
		c.split.Label = "Split the network"
	}
	c.split.OnClick = func() { c.toggleSplit(x) }
	c.merge.OnClick = func() { c.startMerge(x, liveKey(x)) }
	_, merging := mergeRead(x.Cluster().History())
	c.merge.Disabled = lww || merging || !nodeUp(v, mergeCoord)
	c.lww.On = lww
	c.lww.OnChange = func(on bool) { c.setLWW(x, on) }

	// The next step of the story is the primary button.
	c.left.Primary, c.right.Primary, c.split.Primary, c.merge.Primary = false, false, false, false
	switch {
	case c.sideWrites(key, leftCoord) == 0:
		c.left.Primary = true
	case c.sideWrites(key, rightCoord) == 0:
		c.right.Primary = true
	case split:
		c.split.Primary = true
	case !lww && c.graph.Live > 1:
		c.merge.Primary = true
	}
	ws := append([]ui.Widget{c.left, c.right, c.split, c.merge, c.lww}, c.goWrongWidgets(x)...)
	return append(ws, c.measure.Buttons(x)...)
}

// sideWrites counts the versions of key that coord minted.
func (c *Versioning) sideWrites(key string, coord core.NodeID) int {
	if key != c.graph.key {
		return 0
	}
	n := 0
	for _, ver := range c.graph.versions {
		if ver.Coord == coord {
			n++
		}
	}
	return n
}

func (c *Versioning) write(x *lab.Context, coord core.NodeID, client int, key, item string) {
	if _, err := x.Apply(core.Command{Kind: core.CmdPut, Node: coord, Client: client, Key: key, Value: item, WithContext: true}); err != nil {
		x.Notify("Write refused: " + err.Error())
	}
}

func (c *Versioning) toggleSplit(x *lab.Context) {
	cmd := core.Command{Kind: core.CmdPartition, Groups: partitionGroups}
	if x.View != nil && len(x.View.Groups) > 0 {
		cmd = core.Command{Kind: core.CmdHeal}
	}
	if _, err := x.Apply(cmd); err != nil {
		x.Notify("Refused: " + err.Error())
	}
}

// startMerge sends the merging client's read; Update writes the union when
// the read returns.
func (c *Versioning) startMerge(x *lab.Context, key string) {
	if _, err := x.Apply(core.Command{Kind: core.CmdGet, Node: mergeCoord, Client: mergeClient, Key: key}); err != nil {
		x.Notify("Read refused: " + err.Error())
	}
}

// mergeRead is the merging client's last operation in the history when it
// is a read, and whether that read is still waiting for its answer.
func mergeRead(hist []core.Op) (core.Op, bool) {
	for i := len(hist) - 1; i >= 0; i-- {
		if op := hist[i]; op.Client == mergeClient {
			return op, op.Kind == core.OpGet && op.ReturnTick < 0
		}
	}
	return core.Op{}, false
}

// setLWW switches the versioning mode. Last-write-wins comes with n0's
// clock running ahead and the network split again, so that the next two
// writes are concurrent and one of them carries the larger timestamp.
func (c *Versioning) setLWW(x *lab.Context, on bool) {
	cmds := []core.Command{{Kind: core.CmdSet, Param: "versioning"}}
	if on {
		cmds = []core.Command{
			{Kind: core.CmdSet, Param: "versioning", Num: 1},
			{Kind: core.CmdSet, Param: "skew:" + leftCoord.String(), Num: skewTicks},
		}
		if x.View != nil && len(x.View.Groups) == 0 {
			cmds = append(cmds, core.Command{Kind: core.CmdPartition, Groups: partitionGroups})
		}
	}
	for _, cmd := range cmds {
		if _, err := x.Apply(cmd); err != nil {
			x.Notify("Refused: " + err.Error())
			return
		}
	}
}

func (c *Versioning) Enter(x *lab.Context) {
	c.trace.Reset()
	c.graph = versionGraph{}
}

func (c *Versioning) Update(x *lab.Context) {
	c.trace.Sync(x)
	if c.goWrong != nil {
		p, ok := goWrongProblem(x)
		c.goWrong.Update(x, p, ok)
	}
	if x.View == nil {
		return
	}
	key := currentKey(x.View)
	// The merge's write follows its read's answer, in the live run only: in
	// a replayed past it is already recorded (and in the history, so the
	// merging client's last operation is no longer the read).
	if last, _ := mergeRead(x.Cluster().History()); last.Kind == core.OpGet && x.AtHead() {
		for _, e := range x.Events {
			if e.Kind != core.EvRequestDone || e.Request != last.Request {
				continue
			}
			switch {
			case !e.OK:
				x.Notify("The merging read failed: " + e.Text)
			case len(e.Values) < 2:
				x.Notify(fmt.Sprintf("The read found %s: nothing to merge yet.", lab.Plural(len(e.Values), "version")))
			default:
				union := unionOfItems(e.Values)
				if _, err := x.Apply(core.Command{Kind: core.CmdPut, Node: mergeCoord, Client: mergeClient, Key: e.Key, Value: union, WithContext: true}); err != nil {
					x.Notify("Merge write refused: " + err.Error())
				}
			}
		}
	}
	c.graph = buildVersionGraph(key, c.trace.Events, x.View)
}

// unionOfItems merges carts written as "a+b": every item once, sorted.
func unionOfItems(values []string) string {
	var items []string
	for _, v := range values {
		for _, it := range strings.Split(v, "+") {
			if it != "" && !slices.Contains(items, it) {
				items = append(items, it)
			}
		}
	}
	slices.Sort(items)
	return strings.Join(items, "+")
}

func (c *Versioning) NodeAt(x, y float64) (core.NodeID, bool) { return nodeAt(c.hits, x, y) }

// Card sizes in layout units.
const (
	cardW   = 210
	cardH   = 70
	cardGap = 14
)

func (c *Versioning) Build(x *lab.Context, area frame.Rect, l *frame.Layer) {
	p := newPen(x, l)
	u := p.u
	th := x.Theme
	v := x.View
	c.hits = c.hits[:0]
	if v == nil {
		return
	}
	in, compact := compactFrame(p, area)
	g := &c.graph

	// Heading: what the picture is, and the number that matters.
	mode := "vector clocks: concurrent writes are kept as siblings"
	if v.Config.Versioning == core.LWW {
		mode = fmt.Sprintf("last-write-wins: the larger timestamp wins (n0's clock is %+d ticks off)", v.Nodes[leftCoord].SkewTicks)
	}
	netText := "Network: whole"
	if len(v.Groups) > 0 {
		netText = "Network: split into left {n0 n1} and right {n2 n3 n4}"
	}
	h := heading{title: "Versions of the key “" + g.key + "”", numW: 250,
		lines: []headLine{{"Mode: " + mode, th.TextDim}, {netText, th.TextDim}}}
	if v.Config.Versioning == core.LWW {
		h.lines = append(h.lines, headLine{"Under last-write-wins the clients now write “" + lwwKey + "”, a fresh key: “" + vcKey + "” keeps its story.", th.TextDim})
	}
	if g.LostAcked > 0 {
		h.value, h.valueC = fmt.Sprint(g.LostAcked), scene.Vermillion
		h.caption = "acknowledged " + pluralWord(g.LostAcked, "write") + " lost"
		h.shortCaption = pluralWord(g.LostAcked, "write") + " lost"
	} else {
		h.value, h.valueC = fmt.Sprint(g.Live), scene.Orange
		h.caption = pluralWord(g.Live, "version") + " kept on the replicas"
		h.shortCaption = pluralWord(g.Live, "version") + " kept"
	}
	// The graph keeps room for two rows of cards (two siblings) and the
	// line saying how many are not shown; the heading's mode line, the
	// legend and the nodes' stores follow while it has them.
	cards := cardSize(p, compact)
	graphMin := u(6) + 2*cards.H + cards.gap + p.lh + u(4)
	keep := 0
	if compact && in.H-frame.LineHeight(u(24))-u(8)-p.lh >= graphMin {
		keep = 1
	}
	rest := h.draw(p, in, compact, keep)
	storeCols := 2
	if in.W >= u(700) {
		storeCols = 3
	}
	storeRows := (len(v.Nodes) + storeCols - 1) / storeCols
	storeH := u(24) + float64(storeRows+1)*(p.lh+u(4))
	lg := c.legend(p)
	if rows := lg.fit(p, rest.W, rest.H-graphMin); rows > 0 {
		var area frame.Rect
		area, rest = rest.CutBottom(lg.height(p, rows))
		lg.draw(p, area, rows)
	}
	if rest.H-storeH >= graphMin {
		var store frame.Rect
		store, rest = rest.CutBottom(storeH)
		c.drawStores(p, store, v, g.key, storeCols)
	}
	c.drawGraph(p, rest, g, cards)
}

// cards are the version cards' size and spacing, in device pixels.
type cards struct {
	W, H, gap float64
	status    bool // room for the status line
}

// cardSize is the size of a card: in a compact picture a card leaves out
// its status line (its colour and outline still tell it).
func cardSize(p pen, compact bool) cards {
	u := p.u
	if compact {
		return cards{W: u(cardW), H: u(5) + frame.LineHeight(u(17)) + p.lh + u(6), gap: u(8)}
	}
	return cards{W: u(cardW), H: u(cardH), gap: u(cardGap), status: true}
}

func pluralWord(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// drawGraph lays the versions out in columns by depth (a version to the
// right of every version it replaced) and draws the replacement arrows.
// When the columns do not all fit, the newest ones are shown; cards narrow
// down to fit three columns first.
func (c *Versioning) drawGraph(p pen, area frame.Rect, g *versionGraph, cs cards) {
	u := p.u
	th := p.x.Theme
	if len(g.versions) == 0 {
		// The buttons by their names: where they are depends on the
		// layout (a course page's frame keeps them behind Panel).
		press := "a client's button"
		if c.left != nil && c.right != nil {
			press = c.left.Label + " or " + c.right.Label // (each quotes its item)
		}
		p.para(frame.Rect{X: area.X, Y: area.Y + u(20), W: area.W, H: area.H}, th.TextDim,
			"No version of “"+g.key+"” yet. Press "+press+": its put becomes the first card here.")
		return
	}
	gap := cs.gap
	cw, ch := cs.W, cs.H
	deepest := 0
	for _, n := range g.versions {
		deepest = max(deepest, n.Depth)
	}
	if want := min(deepest+1, 3); want > 1 {
		cw = max(u(120), min(cw, (area.W-float64(want-1)*gap*3)/float64(want)))
	}
	cols := max(1, int((area.W+gap*3)/(cw+gap*3)))
	firstCol := max(0, deepest-cols+1)
	// Keep the newest versions that fit: per column at most rows cards,
	// with a line under them to say how many are not shown.
	pick := func(h float64) []int {
		rows := max(1, int((h-u(6)+gap)/(ch+gap)))
		perCol := map[int]int{}
		var shown []int
		for i := len(g.versions) - 1; i >= 0; i-- {
			d := g.versions[i].Depth - firstCol
			if d < 0 || perCol[d] >= rows {
				continue
			}
			perCol[d]++
			shown = append(shown, i)
		}
		slices.Reverse(shown)
		return shown
	}
	shown := pick(area.H)
	hidden := len(g.versions) - len(shown)
	if hidden > 0 {
		shown = pick(area.H - p.lh - u(4))
		hidden = len(g.versions) - len(shown)
	}
	maxDepth := 0
	for _, i := range shown {
		maxDepth = max(maxDepth, g.versions[i].Depth-firstCol)
	}
	colStep := cw + gap*3
	if maxDepth > 0 {
		colStep = min(colStep*1.6, (area.W-cw)/float64(maxDepth))
	}
	place := map[int]frame.Rect{}
	rowOf := map[int]int{}
	for _, i := range shown {
		d := g.versions[i].Depth - firstCol
		r := rowOf[d]
		rowOf[d]++
		place[i] = frame.Rect{X: area.X + float64(d)*colStep, Y: area.Y + u(6) + float64(r)*(ch+gap), W: cw, H: ch}
	}
	// Arrows first, so cards sit on top of them.
	for _, e := range g.edges {
		a, okA := place[e.From]
		b, okB := place[e.To]
		if !okA || !okB {
			continue
		}
		col, w := th.Text, u(2)
		if e.LWW {
			col = scene.Vermillion
		}
		x0, y0 := a.X, a.Y+a.H/2
		x1, y1 := b.Right(), b.Y+b.H/2
		if a.X <= b.X { // same column (should not happen) or leftwards: go under
			x0, y0, x1, y1 = a.X+a.W/2, a.Bottom(), b.X+b.W/2, b.Y
		}
		p.arrow(x0, y0, x1, y1, w, col, e.LWW)
	}
	for _, i := range shown {
		c.drawCard(p, place[i], g.versions[i], g.Live > 1, cs.status)
	}
	if hidden > 0 {
		p.text(area.Right(), area.Bottom()-p.lh, p.fs, th.TextDim, frame.AlignEnd, fmt.Sprintf("%s not shown", lab.Plural(hidden, "older version")), area.W)
	}
}

// drawCard draws one version: filled while some node keeps it, outlined
// once replaced, crossed out and labelled when a write was lost.
func (c *Versioning) drawCard(p pen, r frame.Rect, n *versionNode, siblings, withStatus bool) {
	u := p.u
	th := p.x.Theme
	l := p.l
	live := n.Held+n.Hinted > 0
	accent := scene.Green
	status := ""
	switch {
	case n.Lost:
		accent = scene.Vermillion
		status = "LOST, though acknowledged"
	case live && n.Outdated:
		accent = scene.Grey
		status = "replaced; still " + holdText(n)
	case live && siblings:
		accent = scene.Orange
		status = "sibling · " + holdText(n)
	case live:
		status = "current · " + holdText(n)
	case n.Dropped:
		accent = scene.Vermillion
		status = "dropped by timestamp"
	default:
		accent = scene.Grey
		status = "replaced by a newer version"
	}
	if live {
		l.Rect(r, th.Control)
		l.Rect(frame.Rect{X: r.X, Y: r.Y, W: u(6), H: r.H}, accent)
		l.Outline(r, u(2), accent)
	} else {
		l.Rect(r, th.Background)
		if n.Lost || n.Dropped {
			p.dashedBox(r, u(2), accent)
		} else {
			l.Outline(r, u(1), accent)
		}
	}
	tx := r.X + u(14)
	tw := r.W - u(20)
	valueCol := th.Text
	if !live {
		valueCol = th.TextDim
	}
	p.text(tx, r.Y+u(5), u(17), valueCol, frame.AlignStart, n.Value, tw)
	coord := ""
	if n.Coord != core.NoNode {
		coord = " via " + n.Coord.String()
	}
	p.text(tx, r.Y+u(5)+frame.LineHeight(u(17)), p.fs, th.TextDim, frame.AlignStart, n.Clock+coord, tw)
	stCol := th.TextDim
	if n.Lost {
		stCol = scene.Vermillion
	}
	if withStatus {
		p.text(tx, r.Y+u(5)+frame.LineHeight(u(17))+p.lh, p.fs, stCol, frame.AlignStart, status, tw)
	}
	if n.Lost { // a cross in the corner: the loss does not rest on colour
		d, cx, cy := u(6), r.Right()-u(12), r.Y+u(12)
		l.Line(cx-d, cy-d, cx+d, cy+d, u(2.5), scene.Vermillion)
		l.Line(cx-d, cy+d, cx+d, cy-d, u(2.5), scene.Vermillion)
	}
}

func holdText(n *versionNode) string {
	s := "on " + lab.Plural(n.Held, "node")
	if n.Hinted > 0 {
		s += " + " + lab.Plural(n.Hinted, "hint")
	}
	return s
}

// drawStores lists what every node holds of the key, in cols columns: its
// replicas' sibling sets and the hints stand-ins keep for them.
func (c *Versioning) drawStores(p pen, r frame.Rect, v *core.View, key string, cols int) {
	u := p.u
	th := p.x.Theme
	l := p.l
	l.Rect(frame.Rect{X: r.X, Y: r.Y + u(6), W: r.W, H: u(1)}, th.Border)
	y := r.Y + u(14)
	pref := p.x.Cluster().PreferenceList(key, v.Config.N)
	p.text(r.X, y, p.fs, th.TextDim, frame.AlignStart, "What each node holds of “"+key+"” (replicas: "+joinIDs(pref)+")", r.W)
	y += p.lh + u(4)
	colW := r.W / float64(cols)
	rows := (len(v.Nodes) + cols - 1) / cols
	for i, nv := range v.Nodes {
		cx := r.X + float64(i/rows)*colW
		cy := y + float64(i%rows)*(p.lh+u(4))
		gr := u(7)
		p.nodeGlyph(cx+gr, cy+p.lh/2, gr, nv.ID, nv.Up)
		c.hits = append(c.hits, hit{nv.ID, cx + gr, cy + p.lh/2, gr + u(4)})
		var parts []string
		for _, kv := range nv.Keys {
			if kv.Key == key {
				vals := make([]string, len(kv.Versions))
				for j, ver := range kv.Versions {
					vals[j] = ver.Value
				}
				parts = append(parts, strings.Join(vals, " | "))
			}
		}
		for _, h := range nv.Hints {
			if h.Key == key {
				vals := make([]string, len(h.Versions))
				for j, ver := range h.Versions {
					vals[j] = ver.Value
				}
				parts = append(parts, "hint for "+h.For.String()+": "+strings.Join(vals, " | "))
			}
		}
		txt := nv.ID.String() + ": "
		if len(parts) == 0 {
			txt += "—"
		} else {
			txt += strings.Join(parts, "; ")
		}
		if !nv.Up {
			txt += " (down)"
		}
		p.text(cx+gr*2+u(8), cy, p.fs, th.Text, frame.AlignStart, txt, colW-gr*2-u(16))
	}
}

// legend is the version graph's legend: the arrows and the sibling.
func (c *Versioning) legend(p pen) legend {
	u := p.u
	th := p.x.Theme
	return legend{top: u(6), gap: u(8), space: u(22), entries: []legendEntry{
		{u(30), func(x0, cy float64) { p.arrow(x0+u(30), cy, x0, cy, u(2), th.Text, false) }, "replaced (the new write had seen it)"},
		{u(30), func(x0, cy float64) { p.arrow(x0+u(30), cy, x0, cy, u(2), scene.Vermillion, true) }, "dropped by timestamp (never seen)"},
		{u(16), func(x0, cy float64) { p.l.Rect(frame.Rect{X: x0, Y: cy - u(6), W: u(16), H: u(12)}, scene.Orange) }, "sibling"},
	}}
}

func joinIDs(ids []core.NodeID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return strings.Join(s, " ")
}

// NodeHint says where the picture's nodes are (lab.NodeHinter).
func (c *Versioning) NodeHint() string { return "Click a node in the list of what each node holds" }
