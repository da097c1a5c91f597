package quorum

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// capHalves are the rectangles of the two clusters' panels in area: side by
// side, with a margin around them and a gap between.
func capHalves(th *ui.Theme, area frame.Rect) (left, right frame.Rect) {
	u := th.U
	left, right = area.Inset(u(8)).CutLeft((area.W - u(16) - u(12)) / 2)
	_, right = right.CutLeft(u(12))
	return left, right
}

// capPanelLayout is where one cluster's panel puts its parts: the mode's
// header, the nodes on the two sides of the partition line with the
// messages about the key between them, the notes under them (the legend,
// how the mode answers, the last requests) and the tally at the bottom.
type capPanelLayout struct {
	panel  frame.Rect
	bar    frame.Rect // the accent strip along the top; empty with no view
	accent frame.Color
	heads  []label // the mode's title and, when there is room, its motto
	// showNodes says whether the nodes' row fits; the fields up to notes
	// are empty when it does not.
	showNodes bool
	glyphR    float64
	wall      []point // the partition line's ends; nil when the network is whole
	wallLabel label
	flights   []flight
	drops     []capDrop
	nodes     []capNode
	// legendRing is where the legend's replica ring goes, when its entry
	// fits (legendShown).
	legendRing  point
	legendShown bool
	notes       []label
	tally       []label
	tallyLine   bool // the tally's counts on one line (capPanelBands)
	// places are the nodes' centres, for clicks.
	places map[core.NodeID]point
}

// capDrop is a lost message, crossed out in a colour that fades with age.
type capDrop struct {
	at point
	c  frame.Color
}

// capNode is one node of a panel: its glyph, whether it wears the ring of
// the inspected node and that of a replica of the key, and its name and
// values under it.
type capNode struct {
	id                core.NodeID
	at                point
	up                bool
	selected, replica bool
	texts             []label
}

// capPanelBands are the heights a panel gives its parts, and how the
// nodes' row and the tally are drawn in them: each node a glyph of up to
// glyph radius with nodeLines lines under it (its name, its value, a
// hint it holds), the tally's counts big over their captions or, in a
// short panel, on one line (tallyLine).
type capPanelBands struct {
	headH, tallyH    float64
	motto, showNodes bool
	glyph            float64
	nodeLines        int
	tallyLine        bool
}

// layOutCAPPanel places one cluster's panel in area: s is the cluster (its
// view nil when it does not exist), key the chapter's key, selected the
// inspected node when it is this cluster's (else core.NoNode) and phase how
// far the run is into the next tick.
func layOutCAPPanel(s capSide, key string, selected core.NodeID, phase float64, th *ui.Theme, m frame.Measurer, area frame.Rect) capPanelLayout {
	u := th.U
	size := th.Font()
	big := u(22)
	lay := capPanelLayout{panel: area, places: map[core.NodeID]point{}}
	if s.v == nil {
		return lay
	}
	inner := area.Inset(u(12))
	title, motto := "AP · sloppy quorum", "answers from whatever replicas it reaches"
	lay.accent = scene.Orange
	if s.v.Config.Mode == core.Strict {
		title, motto = "CP · strict quorum", "refuses what it cannot confirm"
		lay.accent = scene.SkyBlue
	}
	lay.bar = frame.Rect{X: area.X, Y: area.Y, W: area.W, H: u(4)}
	b := capBands(th, inner)
	lay.showNodes = b.showNodes
	lay.heads = append(lay.heads, label{inner.X, inner.Y, big, lay.accent, frame.AlignStart, title})
	if b.motto {
		lay.heads = append(lay.heads, label{inner.X, inner.Y + frame.LineHeight(big), size, th.TextDim, frame.AlignStart, frame.Fit(m, motto, size, inner.W)})
	}
	if b.showNodes {
		y := lay.layOutCAPNodes(s, key, selected, phase, th, m, inner, inner.Y+b.headH, b)
		lay.layOutCAPNotes(s, key, th, m, inner, y, inner.Bottom()-b.tallyH)
	}
	lay.layOutCAPTally(s, key, th, m, inner, b)
	lay.tallyLine = b.tallyLine
	return lay
}

// capBands decides what a panel of inner size shows: in a short panel the
// motto goes first, then the replicas' values under the tally, then the
// nodes shrink (a smaller glyph, no line for a hint), then the tally's
// counts go on one line; only a panel too short for all that leaves the
// nodes out. The tally of what the mode gave up stays. The text between
// nodes and tally fills what is left.
func capBands(th *ui.Theme, inner frame.Rect) capPanelBands {
	u := th.U
	lh := frame.LineHeight(th.Font()) + u(3)
	big := u(22)
	bigNum := u(30)
	b := capPanelBands{tallyH: frame.LineHeight(bigNum) + lh + u(8) + 2*lh, motto: true, glyph: u(18), nodeLines: 3}
	rowH := func() float64 { return 2*b.glyph + u(12) + float64(b.nodeLines)*lh + lh + u(8) }
	fits := func() bool { return b.headH+rowH()+b.tallyH <= inner.H }
	b.headH = frame.LineHeight(big) + lh + u(30)
	if !fits() {
		b.headH = frame.LineHeight(big) + u(16)
		b.motto = false
	}
	if !fits() {
		b.tallyH = frame.LineHeight(bigNum) + lh
	}
	if !fits() {
		b.glyph, b.nodeLines = u(11), 2
	}
	if !fits() {
		// The counts on one line, if that lets the nodes in; else the
		// panel has the room for them big.
		big := b
		b.tallyH, b.tallyLine = lh, true
		if !fits() {
			b = big
		}
	}
	b.showNodes = fits()
	return b
}

// layOutCAPNodes places the nodes in a row from y, the left side of the
// partition, its line and the right side, with the key's messages in
// flight between them and those lost crossed out; it returns where the
// notes under the row start.
func (lay *capPanelLayout) layOutCAPNodes(s capSide, key string, selected core.NodeID, phase float64, th *ui.Theme, m frame.Measurer, inner frame.Rect, y float64, b capPanelBands) float64 {
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size) + u(3)
	v := s.v
	left, right := sides(v)
	order := append(slices.Clone(left), right...)
	slot := inner.W / float64(max(len(order), 1))
	if len(right) > 0 {
		slot = (inner.W - u(24)) / float64(len(order))
	}
	glyph := min(b.glyph, slot*0.22)
	cy := y + glyph + u(4)
	for i, id := range order {
		gx := inner.X + slot*(float64(i)+0.5)
		if len(right) > 0 && i >= len(left) {
			gx += u(24)
		}
		lay.places[id] = point{gx, cy}
	}
	lay.glyphR = glyph
	rowBottom := cy + glyph + u(8) + float64(b.nodeLines)*lh
	wallX := 0.0
	if len(right) > 0 {
		wallX = inner.X + slot*float64(len(left)) + u(12)
		lay.wall = []point{{wallX, y - u(10)}, {wallX, rowBottom + u(4)}}
		lay.wallLabel = label{wallX, rowBottom + u(6), size, scene.Vermillion.Mix(th.Text, 0.3), frame.AlignCenter, "partition"}
	}
	lay.layOutCAPMessages(s, key, float64(v.Tick)+phase, wallX)
	for _, id := range order {
		q := lay.places[id]
		n := capNode{id: id, at: q, up: nodeOf(v, id).Up, selected: id == selected, replica: contains(s.pref, id)}
		ty := cy + glyph + u(8)
		n.texts = append(n.texts, label{q.X, ty, size, th.Text, frame.AlignCenter, id.String()})
		vals, hinted := storedValues(v, id, key)
		line := 1
		if len(vals) > 0 {
			n.texts = append(n.texts, label{q.X, ty + lh, size, th.Text, frame.AlignCenter, frame.Fit(m, valuesText(vals), size, slot-u(4))})
			line++
		}
		if len(hinted) > 0 && line < b.nodeLines {
			n.texts = append(n.texts, label{q.X, ty + float64(line)*lh, size, th.TextDim, frame.AlignCenter, frame.Fit(m, "hint "+valuesText(hinted), size, slot-u(4))})
		}
		lay.nodes = append(lay.nodes, n)
	}
	return rowBottom + lh + u(8)
}

// layOutCAPMessages places the key's messages in flight at tick now and
// the crosses of the messages lost in the last twinRecentTicks: a message
// lost to the partition is crossed out where its path meets the
// partition line at wallX (0: no line).
func (lay *capPanelLayout) layOutCAPMessages(s capSide, key string, now, wallX float64) {
	v := s.v
	for _, msg := range v.InFlight {
		if msg.Key != key || msg.Kind == core.MsgGossip || msg.Kind == core.MsgGossipReply {
			continue
		}
		a, ok1 := lay.places[msg.From]
		b, ok2 := lay.places[msg.To]
		if !ok1 || !ok2 || msg.From == msg.To {
			continue
		}
		lay.flights = append(lay.flights, flight{a, b, progressOf(msg, now), msg.Kind})
	}
	for _, e := range s.drops {
		a, ok1 := lay.places[e.From]
		b, ok2 := lay.places[e.To]
		if !ok1 || !ok2 || e.From == e.To || e.Key != key && e.Msg != core.MsgGossip {
			continue
		}
		age := now - float64(e.Tick)
		if age < 0 || age > twinRecentTicks {
			continue
		}
		at := flightAt(a, b, 0.5)
		if wallX > 0 && groupOf(v, e.From) != groupOf(v, e.To) && b.X != a.X {
			at = flightAt(a, b, min(max((wallX-a.X)/(b.X-a.X), 0), 1))
			at.X = wallX
		}
		lay.drops = append(lay.drops, capDrop{at, scene.Vermillion.WithAlpha(float32(1 - age/twinRecentTicks))})
	}
}

// layOutCAPNotes places, from y down to bottom, the legend of the replica
// ring, how the mode answers, and the learner's last requests, newest
// last: as many as fit, up to four, so that the newest is never the one
// left out. A line that would run past bottom is left out.
func (lay *capPanelLayout) layOutCAPNotes(s capSide, key string, th *ui.Theme, m frame.Measurer, inner frame.Rect, y, bottom float64) {
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size) + u(3)
	note := func(x0, y0 float64, col frame.Color, t string) bool {
		if y0+frame.LineHeight(size) > bottom {
			return false
		}
		lay.notes = append(lay.notes, label{x0, y0, size, col, frame.AlignStart, t})
		return true
	}
	if note(inner.X+u(22), y, th.TextDim, frame.Fit(m, "a replica of "+key+"; under each node, the value it stores", size, inner.W-u(22))) {
		lay.legendRing, lay.legendShown = point{inner.X + u(8), y + lh/2}, true
	}
	y += lh + u(10)
	cfg := s.v.Config
	how := fmt.Sprintf("A write needs W = %d acks and a read R = %d replies from the key's own replicas; a side that reaches fewer waits until the request times out.", cfg.W, cfg.R)
	if cfg.Mode != core.Strict {
		how = fmt.Sprintf("A write needs W = %d acks and a read R = %d replies; replicas it cannot reach are replaced by stand-ins on its side, which keep the write as a hint and hand it over after the heal.", cfg.W, cfg.R)
	}
	for _, line := range frame.Wrap(m, how, size, inner.W) {
		note(inner.X, y, th.TextDim, line)
		y += lh
	}
	y += u(12)

	note(inner.X, y, th.TextDim, "Last requests:")
	y += lh
	rows := min(4, max(int((bottom-y+1e-9)/lh), 1))
	var lines []string
	for op := range s.hist.newestFirst() {
		if len(lines) == rows {
			break
		}
		if op.Client != capClientLeft && op.Client != capClientRight || op.Key != key {
			continue
		}
		lines = append(lines, describeOp(op))
	}
	if len(lines) == 0 {
		lines = append(lines, "none yet")
	}
	slices.Reverse(lines)
	for _, t := range lines {
		col := th.Text
		if strings.Contains(t, "FAILED") {
			col = scene.Vermillion.Mix(th.Text, 0.3)
		} else if strings.Contains(t, "stale") {
			col = scene.Orange.Mix(th.Text, 0.3)
		}
		note(inner.X, y, col, frame.Fit(m, t, size, inner.W))
		y += lh
	}
}

// layOutCAPTally places what the mode gave up, counted, in the bottom
// tallyH of inner, and under it whether the replicas agree and what they
// hold when there is room.
func (lay *capPanelLayout) layOutCAPTally(s capSide, key string, th *ui.Theme, m frame.Measurer, inner frame.Rect, b capPanelBands) {
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size) + u(3)
	bigNum := u(30)
	t := tallyOf(s, key)
	y := inner.Bottom() - b.tallyH
	cells := []struct {
		label, short string
		n            int
	}{{"failed requests", "failed", t.failed}, {"stale reads", "stale", t.stale}, {"most siblings", "max siblings", t.siblingsMax}}
	if b.tallyLine {
		// A short panel's: each count before its caption, one after the
		// other on one line; the short captions if the long do not fit.
		texts := func(short bool) (out []string, w float64) {
			for _, cell := range cells {
				text := strconv.Itoa(cell.n) + " " + cell.label
				if short {
					text = strconv.Itoa(cell.n) + " " + cell.short
				}
				out = append(out, text)
				w += m.Width(text, size)
			}
			return out, w
		}
		line, w := texts(false)
		if w+float64(len(cells)-1)*u(12) > inner.W {
			line, w = texts(true)
		}
		gap := max((inner.W-w)/float64(len(cells)-1), u(12))
		x := inner.X
		for i, cell := range cells {
			col := th.Text
			if cell.n > 0 {
				col = scene.Orange
			}
			lay.tally = append(lay.tally, label{x, y, size, col, frame.AlignStart, frame.Fit(m, line[i], size, inner.Right()-x)})
			x += m.Width(line[i], size) + gap
		}
		return
	}
	cw := inner.W / float64(len(cells))
	for i, cell := range cells {
		cx := inner.X + float64(i)*cw
		col := th.Text
		if cell.n > 0 {
			col = scene.Orange
		}
		lay.tally = append(lay.tally,
			label{cx, y, bigNum, col, frame.AlignStart, strconv.Itoa(cell.n)},
			label{cx, y + frame.LineHeight(bigNum), size, th.TextDim, frame.AlignStart, frame.Fit(m, cell.label, size, cw-u(6))})
	}
	y += frame.LineHeight(bigNum) + lh + u(8)
	if y+2*lh > inner.Bottom()+1e-9 {
		return
	}
	agree := "Replicas of " + key + " agree"
	if !t.agree {
		agree = "Replicas of " + key + " disagree"
		if t.hints > 0 {
			agree += " · " + lab.Plural(t.hints, "hint") + " waiting"
		}
	}
	lay.tally = append(lay.tally,
		label{inner.X, y, size, th.Text, frame.AlignStart, frame.Fit(m, agree+":", size, inner.W)},
		label{inner.X, y + lh, size, th.TextDim, frame.AlignStart, frame.Fit(m, t.replicaText, size, inner.W)})
}
