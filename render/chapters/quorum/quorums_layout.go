package quorum

import (
	"fmt"
	"strconv"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// quorumsScene is what the quorums picture is made from: the run at the
// tick on screen, the roles of its nodes and the last write and read.
type quorumsScene struct {
	v      *core.View
	hist   kept
	recent []core.Event // the last few ticks' events: dropped messages are crossed out
	phase  float64      // how far the run is into the next tick
	// pref are the key's replicas in preference order; writer and reader
	// coordinate the chapter's writes and reads.
	pref           []core.NodeID
	writer, reader core.NodeID
	write, read    quorumTrack
}

// quorumsLayout is where the quorums picture's parts go: the rule and the
// sentences under it, the writer, replicas and reader with the messages
// between them, the legend, the lines about the last requests and the
// counters.
type quorumsLayout struct {
	rule  label
	notes []label // what the rule means, and the partition when there is one
	// showMid says whether the replicas' picture fits; the fields up to
	// legend are empty when it does not.
	showMid bool
	fans    [][2]point // the request paths, writer's then reader's, per replica
	flights []flight
	drops   []point      // where a lost message is crossed out
	framed  []frame.Rect // dashed frames of the nodes on the writer's side
	boxes   []nodeBox    // the writer, the reader, then the replicas in order
	legend  quorumsLegend
	lines   []label // the last write, the last read, their overlap
	cells   []label // the counters: each value, then its caption
	// places are the nodes' boxes, for clicks.
	places map[core.NodeID]frame.Rect
}

// flight is a message in flight between two places of the picture.
type flight struct {
	from, to point
	progress float64
	kind     core.MsgKind
}

// nodeBox is a node drawn as a box: a coordinator, or a replica card with
// its tags for the last write set (W) and read set (R).
type nodeBox struct {
	id      core.NodeID
	up      bool
	r       frame.Rect
	fill    frame.Color
	outline frame.Rect // where the box's frame is stroked, outlineW wide
	// outlineW and outlineC are the frame's width and colour: a thick
	// yellow one marks a replica in both sets.
	outlineW float64
	outlineC frame.Color
	glyph    point
	glyphR   float64
	texts    []label
	wTag     frame.Rect // the W square; empty when the node did not ack the last write
	rTag     []point    // the R diamond's corners; nil when it did not answer the last read
	tags     []label    // "W", "R" and "in both", as they apply
}

// quorumsLegend explains the tags, under the replicas: the W square always
// (while the legend fits at all), the other entries when they fit.
type quorumsLegend struct {
	square  frame.Rect
	diamond []point
	both    frame.Rect
	texts   []label
}

// quorumsBands are the picture's horizontal bands: the replicas' picture
// (mid) and the lines and counters under it.
type quorumsBands struct {
	mid, counters frame.Rect
	showMid       bool
	textLines     int // lines about the last requests that fit, from the last
}

// layOutQuorums places the quorums picture in area. th gives the units,
// font sizes and colours; m measures text.
func layOutQuorums(s quorumsScene, th *ui.Theme, m frame.Measurer, area frame.Rect) quorumsLayout {
	lay := quorumsLayout{places: map[core.NodeID]frame.Rect{}}
	inner := area.Inset(th.U(14))
	bands := lay.layOutRule(s, th, m, inner)
	wset, rset := s.write.set(), s.read.set()
	var both []core.NodeID
	for _, id := range s.pref {
		if contains(wset, id) && contains(rset, id) {
			both = append(both, id)
		}
	}
	lay.showMid = bands.showMid
	if bands.showMid {
		lay.layOutReplicas(s, th, m, bands.mid)
	}
	lay.layOutCounters(s, th, m, bands, both)
	return lay
}

// layOutRule places the rule, large, and as many sentences under it as
// leave the replicas' picture and the counters their room, and divides the
// rest of inner between them.
func (lay *quorumsLayout) layOutRule(s quorumsScene, th *ui.Theme, m frame.Measurer, inner frame.Rect) quorumsBands {
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size) + u(3)
	big := u(22)
	cfg := s.v.Config
	y := inner.Y
	sentence, overlap := OverlapSentence(cfg.N, cfg.W, cfg.R)
	col := scene.Green.Mix(th.Text, 0.3)
	if !overlap {
		col = scene.Orange
	}
	lay.rule = label{inner.X, y, big, col, frame.AlignStart, frame.Fit(m, sentence, big, inner.W)}
	y += frame.LineHeight(big) + u(4)
	// The bottom holds the counters (bigNum) under at least one line of
	// text; in a very short frame the sentences under the rule give way.
	bigNum := u(30)
	countersMin := lh + u(8) + frame.LineHeight(bigNum) + lh + u(4)
	// The replicas' picture needs a card of one line per replica at the
	// least (a card or a coordinator sheds its second line when short):
	// the sentences under the rule give way to it.
	replicas := float64(max(len(s.pref), 1))
	midMin := max(replicas*(frame.LineHeight(size)+u(6))+(replicas-1)*u(4), u(56))
	partition := label{inner.X, 0, size, scene.Vermillion.Mix(th.Text, 0.3), frame.AlignStart,
		frame.Fit(m, "Partition: dashed frames mark the writer's side (A); messages across the line are lost.", size, inner.W)}
	parted := len(s.v.Groups) > 0
	switch {
	case inner.Bottom()-y >= 2*lh+u(14)+countersMin+midMin:
		lay.notes = append(lay.notes, label{inner.X, y, size, th.TextDim, frame.AlignStart, frame.Fit(m,
			fmt.Sprintf("A write asks all %d replicas and returns after W = %d acks; a read returns after R = %d replies.", cfg.N, cfg.W, cfg.R), size, inner.W)})
		y += lh
		if parted {
			partition.y = y
			lay.notes = append(lay.notes, partition)
		}
		y += lh + u(14)
	case parted && inner.Bottom()-y >= lh+u(6)+countersMin+midMin:
		partition.y = y
		lay.notes = append(lay.notes, partition)
		y += lh + u(6)
	default:
		y += u(6)
	}

	// In a short frame the lines about the last write and read go first,
	// then the replicas' picture: the rule, the overlap and the counters
	// stay.
	b := quorumsBands{textLines: 3}
	countersH := func() float64 { return float64(b.textLines)*lh + u(8) + frame.LineHeight(bigNum) + lh + u(4) }
	if inner.Bottom()-y-countersH() < midMin+u(60) {
		b.textLines = 1
	}
	if inner.Bottom()-y < countersH() {
		b.textLines = 0
	}
	b.counters, b.mid = frame.Rect{X: inner.X, Y: y, W: inner.W, H: inner.Bottom() - y}.CutBottom(countersH())
	if b.mid.H-u(8) >= midMin {
		b.mid.H -= u(8) // a gap above the lines of text, where there is room
	}
	b.showMid = b.mid.H >= midMin
	return b
}

// layOutReplicas places the middle of the picture in mid: the writer on
// the left, the replicas' cards in a column, the reader on the right, the
// request paths between them, the messages in flight and those lost, the
// partition's frames and the legend.
func (lay *quorumsLayout) layOutReplicas(s quorumsScene, th *ui.Theme, m frame.Measurer, mid frame.Rect) {
	u := th.U
	size := th.Font()
	pref, writer, reader := s.pref, s.writer, s.reader
	replicas := float64(max(len(pref), 1))
	colW := min(u(150), mid.W*0.2)
	boxH := min(u(80), mid.H)
	writerBox := frame.Rect{X: mid.X, Y: mid.Y + (mid.H-boxH)/2, W: colW, H: boxH}
	readerBox := frame.Rect{X: mid.Right() - colW, Y: writerBox.Y, W: colW, H: boxH}
	cardW := min(u(300), mid.W-2*colW-u(60))
	cardGap := u(10)
	if replicas*(2*frame.LineHeight(size)+u(12))+(replicas-1)*cardGap > mid.H {
		cardGap = u(4)
	}
	cardH := min(u(62), (mid.H-cardGap*float64(len(pref)-1))/float64(max(len(pref), 1)))
	stackH := float64(len(pref))*cardH + float64(len(pref)-1)*cardGap
	cardX := mid.X + (mid.W-cardW)/2
	cardY := mid.Y + (mid.H-stackH)/2
	cards := map[core.NodeID]frame.Rect{}
	for i, id := range pref {
		cards[id] = frame.Rect{X: cardX, Y: cardY + float64(i)*(cardH+cardGap), W: cardW, H: cardH}
	}
	anchor := quorumsAnchors(cards, writer, writerBox, reader, readerBox)
	lay.layOutMessages(s, cards, anchor)

	// The side of the partition that holds the writer (the side the split
	// button cuts off) gets a dashed frame around each node.
	if len(s.v.Groups) > 0 {
		frameIfWriters := func(id core.NodeID, r frame.Rect) {
			if groupOf(s.v, id) == groupOf(s.v, writer) {
				lay.framed = append(lay.framed, r.Inset(-u(7)))
			}
		}
		frameIfWriters(writer, writerBox)
		frameIfWriters(reader, readerBox)
		for _, id := range pref {
			frameIfWriters(id, cards[id])
		}
	}
	lay.boxes = append(lay.boxes,
		coordinatorBox(s.v, th, m, writerBox, writer, "writer", "client "+strconv.Itoa(quorumWriter)),
		coordinatorBox(s.v, th, m, readerBox, reader, "reader", "client "+strconv.Itoa(quorumReader)))
	wset, rset := s.write.set(), s.read.set()
	for i, id := range pref {
		lay.boxes = append(lay.boxes, replicaCard(s.v, th, m, cards[id], id, i, contains(wset, id), contains(rset, id)))
	}
	for _, b := range lay.boxes {
		lay.places[b.id] = b.r
	}
	lay.legend = layOutQuorumsLegend(th, m, mid, cardX, cardY+stackH+u(26))
}

// quorumsAnchors returns where messages start and end: the coordinator
// boxes' inner edges and the cards' outer edges, so that lines do not
// cross the text. A node that is neither has no anchor.
func quorumsAnchors(cards map[core.NodeID]frame.Rect, writer core.NodeID, writerBox frame.Rect, reader core.NodeID, readerBox frame.Rect) func(id, toward core.NodeID) (point, bool) {
	center := func(r frame.Rect) point { return point{r.X + r.W/2, r.Y + r.H/2} }
	return func(id, toward core.NodeID) (point, bool) {
		if r, ok := cards[id]; ok {
			p := center(r)
			if toward == writer {
				p.X = r.X
			} else {
				p.X = r.Right()
			}
			return p, true
		}
		switch id {
		case writer:
			p := center(writerBox)
			p.X = writerBox.Right()
			return p, true
		case reader:
			p := center(readerBox)
			p.X = readerBox.X
			return p, true
		}
		return point{}, false
	}
}

// layOutMessages places the faint request paths (every request goes to all
// N replicas), the key's messages in flight along them and the crosses of
// the messages lost in the last few ticks.
func (lay *quorumsLayout) layOutMessages(s quorumsScene, cards map[core.NodeID]frame.Rect, anchor func(id, toward core.NodeID) (point, bool)) {
	path := func(from, to, coord core.NodeID) (a, b point, ok bool) {
		a, ok1 := anchor(from, coord)
		b, ok2 := anchor(to, coord)
		return a, b, ok1 && ok2
	}
	for _, id := range s.pref {
		for _, coord := range []core.NodeID{s.writer, s.reader} {
			a, _ := anchor(coord, id)
			b, _ := anchor(id, coord)
			lay.fans = append(lay.fans, [2]point{a, b})
		}
	}
	now := float64(s.v.Tick) + s.phase
	for _, msg := range s.v.InFlight {
		if msg.Key != quorumKey || msg.From == msg.To {
			continue
		}
		// A reply travels back along its request's path.
		other, coord := msg.To, msg.From
		if scene.IsReply(msg.Kind) {
			other, coord = msg.From, msg.To
		}
		a, b, ok := path(msg.From, msg.To, coord)
		if !ok || other == coord {
			continue
		}
		lay.flights = append(lay.flights, flight{a, b, progressOf(msg, now), msg.Kind})
	}
	for _, e := range s.recent {
		if e.Kind != core.EvMsgDrop || e.Key != quorumKey {
			continue
		}
		coord := e.From
		if _, isCard := cards[e.From]; isCard {
			coord = e.To
		}
		if a, b, ok := path(e.From, e.To, coord); ok && e.From != e.To {
			lay.drops = append(lay.drops, flightAt(a, b, 0.55))
		}
	}
}

// layOutQuorumsLegend places the legend of the tags with its first swatch
// at (x, gy) (gy is the entries' middle), when it fits in mid above the
// counters. An entry that would run past the picture is left out.
func layOutQuorumsLegend(th *ui.Theme, m frame.Measurer, mid frame.Rect, x, gy float64) quorumsLegend {
	u := th.U
	size := th.Font()
	lhs := frame.LineHeight(size)
	var lg quorumsLegend
	if gy+max(u(8), lhs/2) > mid.Bottom() {
		return lg
	}
	const acked, answered, both = "acked the last write", "answered the last read", "in both"
	gx := x
	lg.square = frame.Rect{X: gx, Y: gy - u(8), W: u(16), H: u(16)}
	fits := func(s string) bool { return gx+u(22)+m.Width(s, size) <= mid.Right() }
	entry := func(x float64, s string) label { return label{x, gy - lhs/2, size, th.TextDim, frame.AlignStart, s} }
	if fits(acked) {
		lg.texts = append(lg.texts, entry(gx+u(22), acked))
	}
	gx += u(22) + m.Width(acked, size) + u(22)
	d := u(9)
	if fits(answered) {
		lg.diamond = []point{{gx + d, gy - d}, {gx + 2*d, gy}, {gx + d, gy + d}, {gx, gy}}
		lg.texts = append(lg.texts, entry(gx+2*d+u(6), answered))
	}
	gx += 2*d + u(6) + m.Width(answered, size) + u(22)
	if fits(both) {
		lg.both = frame.Rect{X: gx, Y: gy - u(8), W: u(16), H: u(16)}
		lg.texts = append(lg.texts, entry(gx+u(22), both))
	}
	return lg
}

// layOutCounters places the lines about the last write and read and their
// overlap (the last textLines of them), and the counters under them.
func (lay *quorumsLayout) layOutCounters(s quorumsScene, th *ui.Theme, m frame.Measurer, b quorumsBands, both []core.NodeID) {
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size) + u(3)
	bigNum := u(30)
	counters := b.counters
	lines := []string{opLine(s.hist, s.write, "write", "acked by"), opLine(s.hist, s.read, "read", "replies from")}
	overlapLine, missed := overlapText(s.write, s.read, both)
	lines = append(lines, overlapLine)
	lines = lines[len(lines)-b.textLines:]
	ty := counters.Y
	for i, t := range lines {
		tc := th.Text
		if i == len(lines)-1 && missed {
			tc = scene.Orange
		}
		lay.lines = append(lay.lines, label{counters.X, ty, size, tc, frame.AlignStart, frame.Fit(m, t, size, counters.W)})
		ty += lh
	}
	ty += u(8)
	k := s.v.Counters
	latency := func(client int) string {
		mean, count := meanLatency(s.hist, client)
		if count == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f", mean)
	}
	cells := []struct {
		label, value string
		alarm        bool
	}{
		{"stale reads", strconv.Itoa(k.StaleReads), k.StaleReads > 0},
		{"writes ok / failed", fmt.Sprintf("%d / %d", k.PutsOK, k.PutsFailed), k.PutsFailed > 0},
		{"reads ok / failed", fmt.Sprintf("%d / %d", k.GetsOK, k.GetsFailed), k.GetsFailed > 0},
		{"write ticks, mean", latency(quorumWriter), false},
		{"read ticks, mean", latency(quorumReader), false},
	}
	cw := counters.W / float64(len(cells))
	for i, cell := range cells {
		cx := counters.X + float64(i)*cw
		cc := th.Text
		if cell.alarm {
			cc = scene.Orange
		}
		lay.cells = append(lay.cells,
			label{cx, ty, bigNum, cc, frame.AlignStart, frame.Fit(m, cell.value, bigNum, cw-u(8))},
			label{cx, ty + frame.LineHeight(bigNum), size, th.TextDim, frame.AlignStart, frame.Fit(m, cell.label, size, cw-u(8))})
	}
}

// coordinatorBox lays out the node a client sends its requests through:
// its glyph and role, and in a tall box the client and its side.
func coordinatorBox(v *core.View, th *ui.Theme, m frame.Measurer, r frame.Rect, id core.NodeID, role, client string) nodeBox {
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	n := nodeOf(v, id)
	b := nodeBox{id: id, up: n != nil && n.Up, r: r, fill: th.Panel, outline: r, outlineW: u(1), outlineC: th.Border}
	if r.H < u(60) {
		// A short box: the node and its role on one line.
		cy := r.Y + r.H/2
		b.glyph, b.glyphR = point{r.X + u(20), cy}, min(u(11), r.H/2-u(3))
		b.texts = []label{{r.X + u(38), cy - lh/2, size, th.Text, frame.AlignStart, frame.Fit(m, id.String()+" "+role, size, r.W-u(42))}}
		return b
	}
	b.glyph, b.glyphR = point{r.X + u(20), r.Y + u(22)}, u(11)
	b.texts = []label{
		{r.X + u(38), r.Y + u(22) - lh/2, size, th.Text, frame.AlignStart, id.String() + " " + role},
		{r.X + u(10), r.Y + u(44), size, th.TextDim, frame.AlignStart, frame.Fit(m, client+sideText(v, id), size, r.W-u(16))},
	}
	return b
}

// replicaCard lays out replica i of the key: its state, the value it
// stores, and whether it is in the last write set (W), the last read set
// (R) or both.
func replicaCard(v *core.View, th *ui.Theme, m frame.Measurer, r frame.Rect, id core.NodeID, i int, inW, inR bool) nodeBox {
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	n := nodeOf(v, id)
	b := nodeBox{id: id, up: n != nil && n.Up, r: r, fill: th.Control, outline: r, outlineW: u(1), outlineC: th.Border}
	if inW && inR {
		// The overlap: a thick yellow frame and the words "in both".
		b.outline, b.outlineW, b.outlineC = r.Inset(-u(4)), u(4), scene.Yellow
	}
	gy := r.Y + r.H/2
	b.glyph, b.glyphR = point{r.X + u(22), gy}, min(u(12), r.H/2-u(4))
	state := "up"
	if !b.up {
		state = "down"
	}
	title := fmt.Sprintf("%v · replica %d · %s%s", id, i+1, state, sideText(v, id))
	// Tags on the right: W (orange, square) and R (sky blue, diamond).
	tx := r.Right() - u(70)
	valueW := tx - u(10) - (r.X + u(42))
	if inW && inR {
		valueW -= m.Width("in both", size) + u(10)
	}
	vals, _ := storedValues(v, id, quorumKey)
	value := quorumKey + " = " + valuesText(vals)
	if r.H < 2*lh+u(12) {
		// A short card: one line, the node and its value first, then as
		// much of the rest as fits, whole parts only.
		line := fmt.Sprintf("%v · %s", id, value)
		for _, more := range []string{fmt.Sprintf(" · replica %d", i+1), " · " + state, sideText(v, id)} {
			if more == "" || m.Width(line+more, size) > valueW {
				break
			}
			line += more
		}
		b.texts = []label{{r.X + u(42), gy - lh/2, size, th.Text, frame.AlignStart, frame.Fit(m, line, size, valueW)}}
	} else {
		b.texts = []label{
			{r.X + u(42), r.Y + u(6), size, th.Text, frame.AlignStart, frame.Fit(m, title, size, r.W-u(120))},
			{r.X + u(42), r.Y + u(6) + lh, size, th.TextDim, frame.AlignStart, frame.Fit(m, value, size, valueW)},
		}
	}
	if inW {
		b.wTag = frame.Rect{X: tx, Y: gy - u(11), W: u(22), H: u(22)}
		b.tags = append(b.tags, label{tx + u(11), gy - lh/2, size, scene.Black, frame.AlignCenter, "W"})
	}
	if inR {
		cx, d := tx+u(44), u(14)
		b.rTag = []point{{cx, gy - d}, {cx + d, gy}, {cx, gy + d}, {cx - d, gy}}
		b.tags = append(b.tags, label{cx, gy - lh/2, size, scene.Black, frame.AlignCenter, "R"})
	}
	if inW && inR {
		b.tags = append(b.tags, label{tx - u(10), gy - lh/2, size, scene.Yellow, frame.AlignEnd, "in both"})
	}
	return b
}
