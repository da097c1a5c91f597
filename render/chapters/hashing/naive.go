package hashing

import (
	"fmt"
	"math"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/chapters/measureit"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// keyCounts are the sample sizes the key dropdowns offer.
var keyCounts = []int{1000, 2000, 4000, 10000}

// naiveKeysDefault is the sample the naive chapter starts with.
const naiveKeysDefault = 4000

// flashFrames is how long the keys that just moved flash after a change.
const flashFrames = 45

// Naive is chapter 1: keys placed by hash % N, and what a change of N does
// to them, beside what a ring would have moved.
type Naive struct {
	// measure links to the experiments that measure this chapter's claim.
	measure  measureit.Links
	keyCount int
	keys     keySample

	add, remove *ui.Button
	count       *ui.Dropdown

	// The analysis of the last change, recomputed when it is stale.
	stamp       string
	ch          change
	modBefore   []core.NodeID // owner of each key under hash % N before the change
	modAfter    []core.NodeID // ... and after it
	ringBefore  []core.NodeID
	ringAfter   []core.NodeID
	movedModulo int
	movedRing   int
	predicted   float64 // expected moved fraction under hash % N
	ringVNodes  int
	perServer   []int      // keys per server after the change, in the order of ch.After
	flash       int        // frames of flash left
	seenChanges int        // ch.Changes when the flash was last started
	blocks      []keyBlock // the grid as last drawn
	cell        float64
}

// NewNaive makes chapter 1.
func NewNaive() *Naive { return &Naive{keyCount: naiveKeysDefault} }

func (c *Naive) Info() lab.ChapterInfo {
	return lab.ChapterInfo{
		ID:      "naive-hashing",
		Title:   "Naive hashing: hash % N",
		Summary: "Each square is a key, coloured by the server hash % N picks; after a server joins or leaves, bright squares moved (cache misses), dim ones stayed.",
		TryThis: "Guess what share of the keys moves when one more server joins, then press Add a server. With N servers hash % N moves about N/(N+1) of them (80% from 4 servers to 5); a ring would move about 1/(N+1) (20%).",
	}
}

// Preset is four servers with no traffic: this chapter is about where keys
// go, not about requests. The ring it compares with has 64 points per
// server, enough for its share to sit close to 1/N.
func (c *Naive) Preset(seed uint64) lab.Preset {
	return lab.Preset{Config: placementConfig(seed, 64)}
}

func (c *Naive) Parts() lab.Parts { return lab.PartsAll }

func (c *Naive) Controls(x *lab.Context) []ui.Widget {
	if c.measure == nil {
		c.measure = measureit.NewLinks("movement")
	}
	if c.add == nil {
		c.add = ui.NewButton("naive-add", "Add a server", "A new server joins: N becomes N+1", nil)
		c.add.Primary = true
		c.remove = ui.NewButton("naive-remove", "Remove a server", "The newest server leaves: N becomes N-1", nil)
		c.count = keyCountDropdown("naive-keys", "How many keys the grid shows")
	}
	c.add.OnClick = func() { joinServer(x) }
	victim, ok := newestServer(x.View)
	c.remove.Disabled = !ok
	c.remove.Label = "Remove a server"
	if ok {
		c.remove.Label = "Remove " + victim.String()
	}
	c.remove.OnClick = func() {
		// The view of this frame may predate a command applied in the same
		// frame; ask the cluster which server is newest now.
		now := x.Cluster().View()
		if id, ok := newestServer(&now); ok {
			leaveServer(x, id)
		}
	}
	for i, n := range keyCounts {
		if n == c.keyCount {
			c.count.Selected = i
		}
	}
	c.count.OnChange = func(i int) { c.keyCount = keyCounts[i] }
	return append([]ui.Widget{c.add, c.remove, c.count}, c.measure.Buttons(x)...)
}

// joinServer applies a join; a refusal is shown as a notice.
func joinServer(x *lab.Context) {
	if _, err := x.Apply(core.Command{Kind: core.CmdJoin}); err != nil {
		x.Notify("Join refused: " + err.Error())
	}
}

// leaveServer applies a leave of n; a refusal is shown as a notice.
func leaveServer(x *lab.Context, n core.NodeID) {
	if _, err := x.Apply(core.Command{Kind: core.CmdLeave, Node: n}); err != nil {
		x.Notify("Leave refused: " + err.Error())
	}
}

// newestServer is the highest-numbered server that can leave: on the ring,
// up, and not the last one.
func newestServer(v *core.View) (core.NodeID, bool) {
	up := upInRing(v)
	if len(up) == 0 || len(v.Ring) == 0 || countInRing(v) < 2 {
		return core.NoNode, false
	}
	return up[len(up)-1], true
}

func countInRing(v *core.View) int {
	n := 0
	for _, nv := range v.Nodes {
		if nv.InRing {
			n++
		}
	}
	return n
}

func (c *Naive) Enter(x *lab.Context) {
	c.stamp = ""
	c.flash = 0
	c.sync(x)
	c.seenChanges = c.ch.Changes
}

func (c *Naive) Update(x *lab.Context) {
	c.sync(x)
	if x.ReducedMotion {
		// No flash: the picture is a jump cut to the run at the tick.
		c.seenChanges, c.flash = c.ch.Changes, 0
		return
	}
	if c.ch.Changes != c.seenChanges {
		c.seenChanges = c.ch.Changes
		if c.ch.Changes > 0 {
			c.flash = flashFrames
		}
	} else if c.flash > 0 {
		c.flash--
	}
}

func (c *Naive) NodeAt(x, y float64) (core.NodeID, bool) { return core.NoNode, false }

// sync recomputes the placements when the membership, the ring's points
// per server or the sample size changed.
func (c *Naive) sync(x *lab.Context) {
	if x.View == nil {
		return
	}
	cfg := x.View.Config
	ch := lastChange(cfg, x.Cluster().Recorded())
	stamp := fmt.Sprintf("%s|%s|%d|%d", membershipKey(ch.Before), membershipKey(ch.After), cfg.VNodes, c.keyCount)
	if stamp == c.stamp {
		return
	}
	c.stamp, c.ch, c.ringVNodes = stamp, ch, cfg.VNodes
	hashes := c.keys.get(c.keyCount)
	c.modBefore = owners(c.modBefore, moduloOf(ch.Before), hashes)
	c.modAfter = owners(c.modAfter, moduloOf(ch.After), hashes)
	c.ringBefore = owners(c.ringBefore, ringOf(ch.Before, cfg.VNodes), hashes)
	c.ringAfter = owners(c.ringAfter, viewRing(x.View.Ring), hashes)
	c.movedModulo = countMoved(c.modBefore, c.modAfter)
	c.movedRing = countMoved(c.ringBefore, c.ringAfter)
	c.predicted = predictedModuloMoved(ch.Before, ch.After)
	c.perServer = c.perServer[:0]
	for _, m := range ch.After {
		n := 0
		for _, o := range c.modAfter {
			if o == m.id {
				n++
			}
		}
		c.perServer = append(c.perServer, n)
	}
}

// predictionText names the expected moved share in the learner's terms.
func (c *Naive) predictionText() string {
	a, b := len(c.ch.Before), len(c.ch.After)
	switch {
	case c.ch.Kind == "":
		return "add or remove a server to see"
	case b == a+1 && c.ch.Kind == core.CmdJoin:
		return fmt.Sprintf("predicted N/(N+1) = %d/%d = %s", a, b, percent(c.predicted))
	default:
		return fmt.Sprintf("predicted for %d to %d servers: %s", a, b, percent(c.predicted))
	}
}

func (c *Naive) Build(x *lab.Context, area frame.Rect, l *frame.Layer) {
	c.sync(x)
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	pad := u(16)
	body := area.Inset(pad)
	total := len(c.modAfter)
	if total == 0 {
		return
	}

	// Headline numbers.
	head, rest := body.CutTop(statHeight(x))
	n := len(c.ch.After)
	ringNote := fmt.Sprintf("%s · about 1/(N+1) = %s", percent(float64(c.movedRing)/float64(total)), percent(1/float64(max(n, 1))))
	if c.ch.Kind == core.CmdLeave {
		ringNote = fmt.Sprintf("%s · about 1/N = %s", percent(float64(c.movedRing)/float64(total)), percent(1/float64(max(len(c.ch.Before), 1))))
	}
	if c.ch.Kind == "" {
		ringNote = "nothing has changed yet"
	}
	drawStats(x, l, head, []stat{
		{Caption: "Keys moved by hash % N (cache misses)", Value: thousands(c.movedModulo) + " / " + thousands(total),
			Note: percent(float64(c.movedModulo)/float64(total)) + " · " + c.predictionText(), Mark: scene.Vermillion},
		{Caption: fmt.Sprintf("A ring (%d points per server) would move", c.ringVNodes), Value: thousands(c.movedRing) + " / " + thousands(total),
			Note: ringNote},
	})

	// What changed, in words.
	line, rest := rest.CutTop(lh + u(14))
	what := fmt.Sprintf("%d servers (%s): each key goes to server number hash %% %d. Add or remove one to change N.", n, nodeList(c.ch.After), n)
	if c.ch.Kind != "" {
		verb := "joined"
		if c.ch.Kind == core.CmdLeave {
			verb = "left"
		}
		what = fmt.Sprintf("%v %s: hash %% %d became hash %% %d, so almost every key now maps to another server.", c.ch.Node, verb, len(c.ch.Before), n)
	}
	l.Label(line.X, line.Y+u(6), size, th.Text, frame.AlignStart, frame.Fit(x.Measure, what, size, line.W))

	legend, gridArea := rest.CutBottom(lh + u(12))
	c.drawGrid(x, gridArea, l)
	c.drawLegend(x, legend, l)
}

// gridFor picks the largest square cell that fits count cells in r, and the
// number of columns.
func gridFor(r frame.Rect, count int) (cell float64, cols int) {
	if count <= 0 || r.W < 1 || r.H < 1 {
		return 0, 0
	}
	cell = math.Floor(math.Sqrt(r.W * r.H / float64(count)))
	for ; cell > 1; cell-- {
		cols = int(r.W / cell)
		rows := (count + cols - 1) / max(cols, 1)
		if cols > 0 && float64(rows)*cell <= r.H {
			return cell, cols
		}
	}
	return 1, max(1, int(r.W))
}

// keyBlock is the part of the grid that holds the keys one server owned
// before the last change.
type keyBlock struct {
	Server core.NodeID
	Keys   []int // indexes into the sample
	Moved  int
	Rect   frame.Rect // the block's cells, as drawn
}

// drawGrid draws one block per server that held keys before the last
// change, each key a square in the colour of the server it maps to now:
// bright with a dark centre if the change moved it (a cache miss), dim if it
// stayed. Before any change every key is bright and in its block's colour.
func (c *Naive) drawGrid(x *lab.Context, r frame.Rect, l *frame.Layer) {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	c.blocks = c.blocks[:0]
	for _, m := range c.ch.Before {
		c.blocks = append(c.blocks, keyBlock{Server: m.id})
	}
	for i, o := range c.modBefore {
		for b := range c.blocks {
			if c.blocks[b].Server == o {
				c.blocks[b].Keys = append(c.blocks[b].Keys, i)
				if c.modAfter[i] != o {
					c.blocks[b].Moved++
				}
				break
			}
		}
	}
	if len(c.blocks) == 0 {
		return
	}
	// The gap between blocks shrinks with many servers (a link may ask for
	// 64), so that every block keeps most of its share of the width.
	gapX := min(u(14), 0.25*r.W/float64(len(c.blocks)))
	colW := (r.W - gapX*float64(len(c.blocks)-1)) / float64(len(c.blocks))
	head := 2*lh + u(6)
	most := 0
	for _, b := range c.blocks {
		most = max(most, len(b.Keys))
	}
	cell, cols := gridFor(frame.Rect{W: colW, H: r.H - head}, most)
	c.cell = cell
	if cols == 0 {
		return
	}
	gap := 0.0
	if cell >= 5 {
		gap = max(1, math.Floor(cell/8))
	}
	changed := c.ch.Kind != ""
	flashT := float32(c.flash) / flashFrames
	for bi := range c.blocks {
		b := &c.blocks[bi]
		bx := r.X + float64(bi)*(colW+gapX)
		sw := u(10)
		l.Rect(frame.Rect{X: bx, Y: r.Y + (lh-sw)/2, W: sw, H: sw}, scene.NodeColor(b.Server))
		title := b.Server.String() + " held " + thousands(len(b.Keys))
		if !changed {
			title = b.Server.String() + " holds " + thousands(len(b.Keys))
		}
		l.Label(bx+sw+u(6), r.Y, size, th.Text, frame.AlignStart, frame.Fit(x.Measure, title, size, colW-sw-u(6)))
		if changed {
			note := thousands(b.Moved) + " moved away"
			l.Label(bx, r.Y+lh, size, th.TextDim, frame.AlignStart, frame.Fit(x.Measure, note, size, colW))
		}
		gy := r.Y + head
		rows := (len(b.Keys) + cols - 1) / cols
		b.Rect = frame.Rect{X: bx, Y: gy, W: float64(min(cols, len(b.Keys))) * cell, H: float64(rows) * cell}
		for j, i := range b.Keys {
			px := bx + float64(j%cols)*cell
			py := gy + float64(j/cols)*cell
			sq := frame.Rect{X: px, Y: py, W: cell - gap, H: cell - gap}
			o := c.modAfter[i]
			col := scene.NodeColor(o)
			switch {
			case !changed:
				l.Rect(sq, col)
			case o != b.Server:
				l.Rect(sq, col.Mix(frame.RGB(0xffffff), 0.55*flashT))
				if cell >= 4 {
					m := math.Max(1, math.Round((cell-gap)/3))
					l.Rect(frame.Rect{X: px + (cell-gap-m)/2, Y: py + (cell-gap-m)/2, W: m, H: m}, scene.Black)
				}
			default:
				l.Rect(sq, dim(col, th.Background))
			}
		}
	}
}

func (c *Naive) drawLegend(x *lab.Context, r frame.Rect, l *frame.Layer) {
	th := x.Theme
	var items []legendItem
	for i, m := range c.ch.After {
		items = append(items, legendItem{draw: swatch(l, scene.NodeColor(m.id)), label: m.id.String() + " " + thousands(c.perServer[i])})
	}
	if c.ch.Kind != "" {
		items = append(items,
			legendItem{draw: func(cx, cy, rr float64) {
				l.Rect(frame.Rect{X: cx - rr, Y: cy - rr, W: 2 * rr, H: 2 * rr}, scene.Orange)
				l.Rect(frame.Rect{X: cx - rr/3, Y: cy - rr/3, W: 2 * rr / 3, H: 2 * rr / 3}, scene.Black)
			}, label: "moved: a miss"},
			legendItem{draw: swatch(l, dim(scene.Orange, th.Background)), label: "stayed"},
		)
	}
	drawLegend(x, l, r, items)
}

// movedFraction is what the counter shows, for tests: keys moved under
// hash % N and on the ring, over the sample size.
func (c *Naive) movedFraction() (modulo, onRing float64) {
	if len(c.modAfter) == 0 {
		return 0, 0
	}
	t := float64(len(c.modAfter))
	return float64(c.movedModulo) / t, float64(c.movedRing) / t
}

// NodeHint: the picture's servers are columns, not clickable nodes
// (lab.NodeHinter).
func (c *Naive) NodeHint() string { return "" }
