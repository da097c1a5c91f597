package quorum

import (
	"fmt"
	"strconv"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/chapters/internal/gowrong"
	"github.com/ringlab/ringlab/render/chapters/internal/runtrace"
	"github.com/ringlab/ringlab/render/chapters/measureit"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

const (
	quorumNodes = 7
	// quorumNMax leaves two nodes that are not replicas of the key, to
	// coordinate the write and the read from outside the replica set.
	quorumNMax   = quorumNodes - 2
	quorumKey    = "balance"
	quorumWriter = 1 // client numbers of the chapter's writes and reads
	quorumReader = 2
)

// Quorums is chapter 6: N, W and R. A write goes to the key's N replicas
// and returns after W acks; a read after R replies. The replicas that acked
// the last write and those that answered the last read are marked, and
// their overlap highlighted: when W + R > N they must share one.
type Quorums struct {
	// measure links to the experiments that measure this chapter's claim.
	measure measureit.Links
	n, w, r *ui.Stepper
	write   *ui.Button
	read    *ui.Button
	split   *ui.Button
	crash   *ui.Button
	// goWrong is the "Can this go wrong?" search (canitgo.go).
	goWrong *gowrong.Control

	// trace keeps the run's events about the key; lastWrite and lastRead
	// are read from it at the tick on screen.
	trace     runtrace.Trace
	lastWrite quorumTrack
	lastRead  quorumTrack

	places map[core.NodeID]frame.Rect // where each node was drawn
}

// quorumTrack follows one request through the event trace: the replicas
// it reached, those that answered (in arrival order), and how many it
// waited for.
type quorumTrack struct {
	id   core.RequestID
	need int
	// got are the replicas the request was delivered to, in order.
	got     []core.NodeID
	answers []core.NodeID
	reached bool
	failed  bool
}

// quorumEvent reports whether the chapter's picture needs e: the key's
// requests, their messages to and from the replicas, and their outcome.
func quorumEvent(e *core.Event) bool {
	if e.Key != quorumKey {
		return false
	}
	switch e.Kind {
	case core.EvRequestStart, core.EvQuorumReached, core.EvQuorumFailed:
		return true
	case core.EvMsgDeliver:
		switch e.Msg {
		case core.MsgPutReq, core.MsgGetReq, core.MsgPutAck, core.MsgGetResp:
			return true
		}
	}
	return false
}

// lastRequests finds the last write and read of the key in the trace, as
// far as they got: requests sent from anywhere (the buttons, the page, a
// replay) count. need is the W and R of the configuration on screen until
// the request reports its own.
func lastRequests(evs []core.Event, cfg core.Config) (write, read quorumTrack) {
	for i := range evs {
		e := &evs[i]
		if e.Kind == core.EvRequestStart {
			if e.Op == core.OpPut {
				write = quorumTrack{id: e.Request, need: cfg.W}
			} else {
				read = quorumTrack{id: e.Request, need: cfg.R}
			}
			continue
		}
		for _, t := range []*quorumTrack{&write, &read} {
			if t.id == 0 || e.Request != t.id {
				continue
			}
			switch e.Kind {
			case core.EvMsgDeliver:
				switch e.Msg {
				case core.MsgPutReq, core.MsgGetReq:
					if !contains(t.got, e.To) {
						t.got = append(t.got, e.To)
					}
				case core.MsgPutAck, core.MsgGetResp:
					t.answers = append(t.answers, e.From)
				}
			case core.EvQuorumReached:
				t.reached, t.need = true, e.Need
			case core.EvQuorumFailed:
				t.failed, t.need = true, e.Need
			}
		}
	}
	return write, read
}

// set is the quorum the request waited for: the first need answers (all of
// them while it still waits).
func (t quorumTrack) set() []core.NodeID {
	if t.reached && len(t.answers) > t.need {
		return t.answers[:t.need]
	}
	return t.answers
}

// NewQuorums makes chapter 6.
func NewQuorums() *Quorums { return &Quorums{trace: runtrace.NewFiltered(quorumEvent)} }

func (c *Quorums) Info() lab.ChapterInfo {
	return lab.ChapterInfo{
		ID:      "quorums",
		Title:   "Quorums: N, W and R",
		Summary: "Every request goes to the key's N replicas; a write returns after W acks, a read after R replies. If W + R > N the two sets must share a replica.",
		TryThis: "Set W = 1 and R = 1, Split, then Write and Read. Predict: the read misses the write and \"stale reads\" goes up. Try again with W = 2, R = 2: the write fails instead, and no read is stale. Can this go wrong? asks it of every schedule: yes at W = R = 1 (Show me), no at W = R = 2.",
	}
}

// Preset: seven nodes, N=3 W=2 R=2 in strict mode (only the key's own
// replicas count, so the overlap argument holds), without read repair so
// that a read returns as soon as R replicas replied. The key is written
// once at the start.
func (c *Quorums) Preset(seed uint64) lab.Preset {
	cfg := baseConfig(seed)
	cfg.Nodes = quorumNodes
	cfg.VNodes = 8
	cfg.N, cfg.W, cfg.R = 3, 2, 2
	cfg.Mode = core.Strict
	cfg.ReadRepair = false
	return lab.Preset{Config: cfg, Script: []core.Recorded{
		{Tick: 0, Cmd: core.Command{Kind: core.CmdPut, Node: 0, Client: quorumWriter, Key: quorumKey, Value: "v0", WithContext: true}},
	}}
}

func (c *Quorums) Parts() lab.Parts { return lab.PartsAll }

// roles are the key's replicas in preference order, the node that
// coordinates the chapter's writes and the one that coordinates its reads
// (the first and last nodes outside the replica set).
func roles(x *lab.Context) (pref []core.NodeID, writer, reader core.NodeID) {
	v := x.View
	pref = x.Cluster().PreferenceList(quorumKey, v.Config.N)
	var others []core.NodeID
	for _, n := range v.Nodes {
		if n.InRing && !contains(pref, n.ID) {
			others = append(others, n.ID)
		}
	}
	switch len(others) {
	case 0:
		return pref, pref[0], pref[len(pref)-1]
	case 1:
		return pref, others[0], others[0]
	}
	return pref, others[0], others[len(others)-1]
}

func (c *Quorums) Controls(x *lab.Context) []ui.Widget {
	if c.measure == nil {
		c.measure = measureit.NewLinks("staleness", "latency")
	}
	if c.n == nil {
		c.n = ui.NewStepper("quorum-n", "N =", "Replicas per key (cluster default)", 1, quorumNMax, 1, 3, nil)
		c.w = ui.NewStepper("quorum-w", "W =", "Acks a write waits for", 1, 3, 1, 2, nil)
		c.r = ui.NewStepper("quorum-r", "R =", "Replies a read waits for", 1, 3, 1, 2, nil)
		c.write = ui.NewButton("quorum-write", "Write", "Send a put of the key through the writer", nil)
		c.write.Primary = true
		c.read = ui.NewButton("quorum-read", "Read", "Send a get of the key through the reader", nil)
		c.split = ui.NewButton("quorum-split", "Split", "Cut the writer and the first replica off from the rest, or heal", nil)
		c.crash = ui.NewButton("quorum-crash", "Crash", "Crash the last replica of the key, or restart it", nil)
	}
	cfg := x.View.Config
	for _, s := range []struct {
		st  *ui.Stepper
		val int
		max int
	}{{c.n, cfg.N, quorumNMax}, {c.w, cfg.W, cfg.N}, {c.r, cfg.R, cfg.N}} {
		s.st.Max = int64(s.max)
		if !s.st.Editing() {
			s.st.Value = int64(s.val)
		}
	}
	c.n.OnChange = func(v int64) { c.setN(x, int(v)) }
	c.w.OnChange = func(v int64) { c.set(x, "w", int(v)) }
	c.r.OnChange = func(v int64) { c.set(x, "r", int(v)) }

	pref, writer, reader := roles(x)
	c.write.Label = "Write " + quorumKey + " via " + writer.String()
	c.write.OnClick = func() { c.doWrite(x) }
	c.read.Label = "Read " + quorumKey + " via " + reader.String()
	c.read.OnClick = func() { c.doRead(x) }
	c.split.OnClick = func() { c.doSplit(x) }
	if len(x.View.Groups) > 0 {
		c.split.Label = "Heal the partition"
	} else {
		c.split.Label = "Split: {" + writer.String() + " " + pref[0].String() + "} | the rest"
	}
	c.crash.OnClick = func() { c.doCrash(x) }
	if down := c.downReplica(x, pref); down != core.NoNode {
		c.crash.Label = "Restart " + down.String()
	} else {
		c.crash.Label = fmt.Sprintf("Crash %v (replica %d)", pref[len(pref)-1], len(pref))
	}
	ws := append([]ui.Widget{c.n, c.w, c.r, c.write, c.read, c.split, c.crash}, c.goWrongWidgets(x)...)
	return append(ws, c.measure.Buttons(x)...)
}

// setN changes N, first lowering W and R when they would exceed it.
func (c *Quorums) setN(x *lab.Context, n int) {
	cfg := x.View.Config
	if cfg.W > n {
		c.set(x, "w", n)
	}
	if cfg.R > n {
		c.set(x, "r", n)
	}
	c.set(x, "n", n)
}

func (c *Quorums) set(x *lab.Context, param string, v int) {
	if _, err := x.Apply(core.Command{Kind: core.CmdSet, Param: param, Num: float64(v)}); err != nil {
		x.Notify("Setting " + param + " refused: " + err.Error())
	}
}

func (c *Quorums) doWrite(x *lab.Context) {
	_, writer, _ := roles(x)
	// The values are numbered by the writes made so far in the run (the
	// preset's v0 is the first).
	_, err := x.Apply(core.Command{Kind: core.CmdPut, Node: writer, Client: quorumWriter, Key: quorumKey,
		Value: "v" + strconv.Itoa(putsOf(x.Cluster().History(), quorumWriter, quorumKey)), WithContext: true})
	if err != nil {
		x.Notify("Write refused: " + err.Error())
	}
}

func (c *Quorums) doRead(x *lab.Context) {
	_, _, reader := roles(x)
	if _, err := x.Apply(core.Command{Kind: core.CmdGet, Node: reader, Client: quorumReader, Key: quorumKey}); err != nil {
		x.Notify("Read refused: " + err.Error())
	}
}

func (c *Quorums) doSplit(x *lab.Context) {
	cmd := core.Command{Kind: core.CmdHeal}
	if len(x.View.Groups) == 0 {
		pref, writer, _ := roles(x)
		cut := []core.NodeID{writer, pref[0]}
		var rest []core.NodeID
		for _, n := range x.View.Nodes {
			if n.InRing && !contains(cut, n.ID) {
				rest = append(rest, n.ID)
			}
		}
		cmd = core.Command{Kind: core.CmdPartition, Groups: [][]core.NodeID{cut, rest}}
	}
	if _, err := x.Apply(cmd); err != nil {
		x.Notify(string(cmd.Kind) + " refused: " + err.Error())
	}
}

// downReplica is a crashed replica of the key, or NoNode.
func (c *Quorums) downReplica(x *lab.Context, pref []core.NodeID) core.NodeID {
	for _, id := range pref {
		if n := nodeOf(x.View, id); n != nil && !n.Up {
			return id
		}
	}
	return core.NoNode
}

func (c *Quorums) doCrash(x *lab.Context) {
	pref, _, _ := roles(x)
	cmd := core.Command{Kind: core.CmdCrash, Node: pref[len(pref)-1]}
	if down := c.downReplica(x, pref); down != core.NoNode {
		cmd = core.Command{Kind: core.CmdRestart, Node: down}
	}
	if _, err := x.Apply(cmd); err != nil {
		x.Notify(string(cmd.Kind) + " refused: " + err.Error())
	}
}

// putsOf counts the puts of a client on a key in the history.
func putsOf(hist []core.Op, client int, key string) int {
	n := 0
	for _, op := range hist {
		if op.Kind == core.OpPut && op.Client == client && op.Key == key {
			n++
		}
	}
	return n
}

func (c *Quorums) Enter(x *lab.Context) {
	c.trace.Reset()
	c.Update(x)
}

// Update reads the last write and read, and their acks and replies, from
// the run's trace up to the tick on screen.
func (c *Quorums) Update(x *lab.Context) {
	if c.goWrong != nil {
		p, ok := goWrongProblem(x)
		c.goWrong.Update(x, p, ok)
	}
	c.trace.Sync(x)
	if x.View == nil {
		return
	}
	c.lastWrite, c.lastRead = lastRequests(c.trace.Events, x.View.Config)
}

func (c *Quorums) NodeAt(px, py float64) (core.NodeID, bool) {
	for id, r := range c.places {
		if r.Contains(px, py) {
			return id, true
		}
	}
	return core.NoNode, false
}

// OverlapSentence is the pigeonhole argument for the configuration, in the
// words the chapter shows.
func OverlapSentence(n, w, r int) (string, bool) {
	if w+r > n {
		return fmt.Sprintf("W + R = %d > N = %d: at least one replica is in both", w+r, n), true
	}
	return fmt.Sprintf("W + R = %d <= N = %d: the sets can miss each other", w+r, n), false
}

// meanLatency is the mean latency, in ticks, of the successful operations
// on the key of one client, and how many there were. (The last one's
// latency is in the line that describes it.)
func meanLatency(hist []core.Op, client int) (mean float64, count int) {
	var sum int64
	for _, op := range hist {
		if op.Client != client || op.Key != quorumKey || !op.OK || op.ReturnTick < 0 {
			continue
		}
		sum += op.ReturnTick - op.InvokeTick
		count++
	}
	if count > 0 {
		mean = float64(sum) / float64(count)
	}
	return mean, count
}

func (c *Quorums) Build(x *lab.Context, area frame.Rect, l *frame.Layer) {
	v := x.View
	if v == nil {
		return
	}
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size) + u(3)
	big := u(22)
	pad := u(14)
	cfg := v.Config
	pref, writer, reader := roles(x)
	c.places = map[core.NodeID]frame.Rect{}

	// The rule, large: the inequality and what it promises.
	inner := area.Inset(pad)
	y := inner.Y
	sentence, overlap := OverlapSentence(cfg.N, cfg.W, cfg.R)
	col := scene.Green.Mix(th.Text, 0.3)
	if !overlap {
		col = scene.Orange
	}
	l.Label(inner.X, y, big, col, frame.AlignStart, frame.Fit(x.Measure, sentence, big, inner.W))
	y += frame.LineHeight(big) + u(4)
	// The bottom holds the counters (bigNum) under at least one line of
	// text; in a very short frame the sentences under the rule give way.
	bigNum := u(30)
	countersMin := lh + u(8) + frame.LineHeight(bigNum) + lh + u(4)
	// The replicas' picture needs a card of one line per replica at the
	// least (drawCard and drawCoordinator shed their second line when
	// short): the sentences under the rule give way to it.
	replicas := float64(max(len(pref), 1))
	midMin := max(replicas*(frame.LineHeight(size)+u(6))+(replicas-1)*u(4), u(56))
	partition := "Partition: dashed frames mark the writer's side (A); messages across the line are lost."
	switch {
	case inner.Bottom()-y >= 2*lh+u(14)+countersMin+midMin:
		l.Label(inner.X, y, size, th.TextDim, frame.AlignStart, frame.Fit(x.Measure,
			fmt.Sprintf("A write asks all %d replicas and returns after W = %d acks; a read returns after R = %d replies.", cfg.N, cfg.W, cfg.R), size, inner.W))
		y += lh
		if len(v.Groups) > 0 {
			l.Label(inner.X, y, size, scene.Vermillion.Mix(th.Text, 0.3), frame.AlignStart, frame.Fit(x.Measure, partition, size, inner.W))
		}
		y += lh + u(14)
	case len(v.Groups) > 0 && inner.Bottom()-y >= lh+u(6)+countersMin+midMin:
		l.Label(inner.X, y, size, scene.Vermillion.Mix(th.Text, 0.3), frame.AlignStart, frame.Fit(x.Measure, partition, size, inner.W))
		y += lh + u(6)
	default:
		y += u(6)
	}

	// In a short frame the lines about the last write and read go first,
	// then the replicas' picture: the rule, the overlap and the counters
	// stay.
	textLines := 3
	countersH := func() float64 { return float64(textLines)*lh + u(8) + frame.LineHeight(bigNum) + lh + u(4) }
	if inner.Bottom()-y-countersH() < midMin+u(60) {
		textLines = 1
	}
	if inner.Bottom()-y < countersH() {
		textLines = 0
	}
	counters, mid := frame.Rect{X: inner.X, Y: y, W: inner.W, H: inner.Bottom() - y}.CutBottom(countersH())
	if mid.H-u(8) >= midMin {
		mid.H -= u(8) // a gap above the lines of text, where there is room
	}
	showMid := mid.H >= midMin

	// The middle: writer, the replicas, reader.
	wset, rset := c.lastWrite.set(), c.lastRead.set()
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
	center := func(r frame.Rect) point { return point{r.X + r.W/2, r.Y + r.H/2} }
	// Message endpoints: the coordinator boxes' inner edges and the cards'
	// outer edges, so that lines do not cross the text.
	anchor := func(id core.NodeID, toward core.NodeID) (point, bool) {
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
	var both []core.NodeID
	for _, id := range pref {
		if contains(wset, id) && contains(rset, id) {
			both = append(both, id)
		}
	}
	if showMid {
		// Faint fan-out lines: every request goes to all N replicas.
		for _, id := range pref {
			a, _ := anchor(writer, id)
			b, _ := anchor(id, writer)
			l.Line(a.X, a.Y, b.X, b.Y, u(1), th.Border)
			a, _ = anchor(reader, id)
			b, _ = anchor(id, reader)
			l.Line(a.X, a.Y, b.X, b.Y, u(1), th.Border)
		}
		now := float64(v.Tick) + x.Phase
		for _, m := range v.InFlight {
			if m.Key != quorumKey || m.From == m.To {
				continue
			}
			// A reply travels back along its request's path.
			other := m.To
			if scene.IsReply(m.Kind) {
				other = m.From
			}
			coord := m.From
			if scene.IsReply(m.Kind) {
				coord = m.To
			}
			a, ok1 := anchor(m.From, coord)
			b, ok2 := anchor(m.To, coord)
			if !ok1 || !ok2 || other == coord {
				continue
			}
			drawMessage(l, u(1), a, b, progressOf(m, now), m.Kind)
		}
		for _, e := range x.Recent {
			if e.Kind != core.EvMsgDrop || e.Key != quorumKey {
				continue
			}
			coord := e.From
			if _, isCard := cards[e.From]; isCard {
				coord = e.To
			}
			a, ok1 := anchor(e.From, coord)
			b, ok2 := anchor(e.To, coord)
			if ok1 && ok2 && e.From != e.To {
				drawCross(l, flightAt(a, b, 0.55), u(6), u(2.5), scene.Vermillion)
			}
		}

		// The side of the partition that holds the writer (the side the split
		// button cuts off) gets a dashed vermillion frame around each node.
		if len(v.Groups) > 0 {
			framed := []struct {
				id core.NodeID
				r  frame.Rect
			}{{writer, writerBox}, {reader, readerBox}}
			for _, id := range pref {
				framed = append(framed, struct {
					id core.NodeID
					r  frame.Rect
				}{id, cards[id]})
			}
			for _, f := range framed {
				if groupOf(v, f.id) == groupOf(v, writer) {
					dashedRect(l, f.r.Inset(-u(7)), u(2), u(8), u(5), scene.Vermillion)
				}
			}
		}
		c.drawCoordinator(x, l, writerBox, writer, "writer", "client "+strconv.Itoa(quorumWriter))
		c.drawCoordinator(x, l, readerBox, reader, "reader", "client "+strconv.Itoa(quorumReader))
		for i, id := range pref {
			c.drawCard(x, l, cards[id], id, i, contains(wset, id), contains(rset, id))
		}

		// Legend of the tags, under the replicas, when it fits above the
		// counters.
		if gy, lhs := cardY+stackH+u(26), frame.LineHeight(size); gy+max(u(8), lhs/2) <= mid.Bottom() {
			gx := cardX
			l.Rect(frame.Rect{X: gx, Y: gy - u(8), W: u(16), H: u(16)}, scene.Orange)
			// An entry that would run past the picture is left out.
			fits := func(label string) bool { return gx+u(22)+x.Measure.Width(label, size) <= mid.Right() }
			if fits("acked the last write") {
				l.Label(gx+u(22), gy-lhs/2, size, th.TextDim, frame.AlignStart, "acked the last write")
			}
			gx += u(22) + x.Measure.Width("acked the last write", size) + u(22)
			d := u(9)
			if fits("answered the last read") {
				l.Quad(float32(gx+d), float32(gy-d), float32(gx+2*d), float32(gy), float32(gx+d), float32(gy+d), float32(gx), float32(gy), scene.SkyBlue)
				l.Label(gx+2*d+u(6), gy-lhs/2, size, th.TextDim, frame.AlignStart, "answered the last read")
			}
			gx += 2*d + u(6) + x.Measure.Width("answered the last read", size) + u(22)
			if fits("in both") {
				l.Outline(frame.Rect{X: gx, Y: gy - u(8), W: u(16), H: u(16)}, u(3), scene.Yellow)
				l.Label(gx+u(22), gy-lhs/2, size, th.TextDim, frame.AlignStart, "in both")
			}
		}

	}

	// What the last write and read did, and the overlap.
	hist := x.Cluster().History()
	lines := []string{c.opLine(x, hist, c.lastWrite, "write", "acked by"), c.opLine(x, hist, c.lastRead, "read", "replies from")}
	overlapLine, missed := overlapText(c.lastWrite, c.lastRead, both)
	lines = append(lines, overlapLine)
	lines = lines[len(lines)-textLines:]
	ty := counters.Y
	for i, t := range lines {
		tc := th.Text
		if i == len(lines)-1 && missed {
			tc = scene.Orange
		}
		l.Label(counters.X, ty, size, tc, frame.AlignStart, frame.Fit(x.Measure, t, size, counters.W))
		ty += lh
	}
	ty += u(8)
	k := v.Counters
	latency := func(client int) string {
		mean, count := meanLatency(hist, client)
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
		l.Label(cx, ty, bigNum, cc, frame.AlignStart, frame.Fit(x.Measure, cell.value, bigNum, cw-u(8)))
		l.Label(cx, ty+frame.LineHeight(bigNum), size, th.TextDim, frame.AlignStart, frame.Fit(x.Measure, cell.label, size, cw-u(8)))
	}
}

// overlapText is the line about the last write's and read's sets, and
// whether it says the read missed an acknowledged write. A failed write
// has no acknowledged value to miss: the line says whether the read's set
// met the replicas the write reached (which keep its value, unacknowledged).
func overlapText(w, r quorumTrack, both []core.NodeID) (string, bool) {
	switch {
	case w.id == 0 || r.id == 0 || !r.reached || r.id < w.id:
		return "Send a write and then a read to see their sets overlap (or not).", false
	case w.failed:
		var met []core.NodeID
		for _, id := range r.set() {
			if contains(w.got, id) {
				met = append(met, id)
			}
		}
		if len(met) > 0 {
			return "The write failed, so a read that misses it is not stale; the read's set met the replicas it reached at " + names(met) + ", which keep its value unacknowledged.", false
		}
		return "The write failed, so a read that misses it is not stale; the read's set (" + names(r.set()) + ") missed the replicas it reached (" + names(w.got) + ").", false
	case !w.reached:
		return "The last write is still waiting for its acks: a read now may or may not see it.", false
	case len(both) > 0:
		return "In both sets: " + names(both) + ", so the read saw the last write's replica.", false
	}
	return "No replica is in both sets: the read could not see the last write.", true
}

// opLine describes the last write or read: who answered, how it ended.
func (c *Quorums) opLine(x *lab.Context, hist []core.Op, t quorumTrack, what, answered string) string {
	if t.id == 0 {
		return "No " + what + " yet."
	}
	op, ok := findOp(hist, t.id)
	if !ok {
		return ""
	}
	head := fmt.Sprintf("Last %s", what)
	if op.Kind == core.OpPut {
		head += " (" + op.Value + ")"
	}
	head += " via " + op.Coordinator.String()
	set := t.set()
	who := answered + " " + names(set)
	if len(set) == 0 {
		who = "no answer yet"
	}
	switch {
	case op.ReturnTick < 0:
		return fmt.Sprintf("%s: %s, waiting for %d of %d…", head, who, t.need, t.need)
	case !op.OK && op.Kind == core.OpPut && len(t.got) > 0:
		keep := "keeps"
		if len(t.got) > 1 {
			keep = "keep"
		}
		return fmt.Sprintf("%s FAILED after %d ticks: it reached %s, %d of W = %d acks; %s %s %s, unacknowledged.",
			head, op.ReturnTick-op.InvokeTick, names(t.got), len(t.answers), t.need, names(t.got), keep, op.Value)
	case !op.OK:
		return fmt.Sprintf("%s FAILED after %d ticks: %s (needed %d).", head, op.ReturnTick-op.InvokeTick, who, t.need)
	case op.Kind == core.OpGet:
		stale := ""
		if op.Stale {
			stale = " (stale: it missed an acknowledged write)"
		}
		return fmt.Sprintf("%s: %s; answered %s in %d ticks%s.", head, who, valuesText(op.Values), op.ReturnTick-op.InvokeTick, stale)
	}
	return fmt.Sprintf("%s: %s in %d ticks.", head, who, op.ReturnTick-op.InvokeTick)
}

// drawCoordinator draws the node a client sends its requests through.
func (c *Quorums) drawCoordinator(x *lab.Context, l *frame.Layer, r frame.Rect, id core.NodeID, role, client string) {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	c.places[id] = r
	l.Rect(r, th.Panel)
	l.Outline(r, u(1), th.Border)
	n := nodeOf(x.View, id)
	up := n != nil && n.Up
	if r.H < u(60) {
		// A short box: the node and its role on one line.
		cy := r.Y + r.H/2
		drawNodeGlyph(l, u(1), point{r.X + u(20), cy}, min(u(11), r.H/2-u(3)), id, up)
		l.Label(r.X+u(38), cy-lh/2, size, th.Text, frame.AlignStart, frame.Fit(x.Measure, id.String()+" "+role, size, r.W-u(42)))
		return
	}
	drawNodeGlyph(l, u(1), point{r.X + u(20), r.Y + u(22)}, u(11), id, up)
	l.Label(r.X+u(38), r.Y+u(22)-lh/2, size, th.Text, frame.AlignStart, id.String()+" "+role)
	l.Label(r.X+u(10), r.Y+u(44), size, th.TextDim, frame.AlignStart, frame.Fit(x.Measure, client+c.sideText(x, id), size, r.W-u(16)))
}

// sideText names the node's side of the partition, if there is one.
func (c *Quorums) sideText(x *lab.Context, id core.NodeID) string {
	switch groupOf(x.View, id) {
	case -1:
		return ""
	case 0:
		return " · side A"
	}
	return " · side B"
}

// drawCard draws replica i of the key: its state, the value it stores, and
// whether it is in the last write set (W), the last read set (R) or both.
func (c *Quorums) drawCard(x *lab.Context, l *frame.Layer, r frame.Rect, id core.NodeID, i int, inW, inR bool) {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	c.places[id] = r
	n := nodeOf(x.View, id)
	up := n != nil && n.Up
	l.Rect(r, th.Control)
	if inW && inR {
		// The overlap: a thick yellow frame and the words "in both".
		l.Outline(r.Inset(-u(4)), u(4), scene.Yellow)
	} else {
		l.Outline(r, u(1), th.Border)
	}
	gy := r.Y + r.H/2
	drawNodeGlyph(l, u(1), point{r.X + u(22), gy}, min(u(12), r.H/2-u(4)), id, up)
	state := "up"
	if !up {
		state = "down"
	}
	title := fmt.Sprintf("%v · replica %d · %s%s", id, i+1, state, c.sideText(x, id))
	// Tags on the right: W (orange, square) and R (sky blue, diamond).
	tx := r.Right() - u(70)
	valueW := tx - u(10) - (r.X + u(42))
	if inW && inR {
		valueW -= x.Measure.Width("in both", size) + u(10)
	}
	vals, _ := storedValues(x.View, id, quorumKey)
	value := quorumKey + " = " + valuesText(vals)
	if r.H < 2*lh+u(12) {
		// A short card: one line, the node and its value first, then as
		// much of the rest as fits, whole parts only.
		line := fmt.Sprintf("%v · %s", id, value)
		for _, more := range []string{fmt.Sprintf(" · replica %d", i+1), " · " + state, c.sideText(x, id)} {
			if more == "" || x.Measure.Width(line+more, size) > valueW {
				break
			}
			line += more
		}
		l.Label(r.X+u(42), gy-lh/2, size, th.Text, frame.AlignStart, frame.Fit(x.Measure, line, size, valueW))
	} else {
		l.Label(r.X+u(42), r.Y+u(6), size, th.Text, frame.AlignStart, frame.Fit(x.Measure, title, size, r.W-u(120)))
		l.Label(r.X+u(42), r.Y+u(6)+lh, size, th.TextDim, frame.AlignStart, frame.Fit(x.Measure, value, size, valueW))
	}
	if inW {
		l.Rect(frame.Rect{X: tx, Y: gy - u(11), W: u(22), H: u(22)}, scene.Orange)
		l.Label(tx+u(11), gy-lh/2, size, scene.Black, frame.AlignCenter, "W")
	}
	if inR {
		cx, d := tx+u(44), u(14)
		l.Quad(float32(cx), float32(gy-d), float32(cx+d), float32(gy), float32(cx), float32(gy+d), float32(cx-d), float32(gy), scene.SkyBlue)
		l.Label(cx, gy-lh/2, size, scene.Black, frame.AlignCenter, "R")
	}
	if inW && inR {
		l.Label(tx-u(10), gy-lh/2, size, scene.Yellow, frame.AlignEnd, "in both")
	}
}

// goWrongWidgets are the "Can this go wrong?" control's buttons (canitgo.go).
func (c *Quorums) goWrongWidgets(x *lab.Context) []ui.Widget {
	if c.goWrong == nil {
		c.goWrong = newGoWrong()
	}
	p, ok := goWrongProblem(x)
	return c.goWrong.Widgets(x, p, ok)
}
