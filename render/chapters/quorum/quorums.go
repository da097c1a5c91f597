package quorum

import (
	"fmt"
	"strconv"
	"strings"

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
	pref = x.Cluster().PreferenceList(quorumKey, x.View.Config.N)
	writer, reader = coordinators(x.View, pref)
	return pref, writer, reader
}

// coordinators are the nodes that coordinate the chapter's writes and
// reads given the key's replicas pref: the first and last nodes, by ID,
// of the ring that are not replicas (one node does both when it is the
// only one; the first and last replicas do when there is none).
func coordinators(v *core.View, pref []core.NodeID) (writer, reader core.NodeID) {
	var others []core.NodeID
	for _, n := range v.Nodes {
		if n.InRing && !contains(pref, n.ID) {
			others = append(others, n.ID)
		}
	}
	switch len(others) {
	case 0:
		return pref[0], pref[len(pref)-1]
	case 1:
		return others[0], others[0]
	}
	return others[0], others[len(others)-1]
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
		var names []string
		for _, n := range splitCut(writer, pref) {
			names = append(names, n.String())
		}
		c.split.Label = "Split: {" + strings.Join(names, " ") + "} | the rest"
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
		Value: "v" + strconv.Itoa(putsOf(kept{x.Cluster()}, quorumWriter, quorumKey)), WithContext: true})
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
		cut := splitCut(writer, pref)
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

// splitCut is the side Split cuts off: the writer and the key's first
// replica, or the writer alone when it is that replica (a cluster of no
// more nodes than N, as a schedule search's counterexample may be).
func splitCut(writer core.NodeID, pref []core.NodeID) []core.NodeID {
	if writer == pref[0] {
		return []core.NodeID{writer}
	}
	return []core.NodeID{writer, pref[0]}
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
func putsOf(hist kept, client int, key string) int {
	n := 0
	for op := range hist.all() {
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
func meanLatency(hist kept, client int) (mean float64, count int) {
	var sum int64
	for op := range hist.all() {
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

// Build lays the picture out (layOutQuorums) and draws it.
func (c *Quorums) Build(x *lab.Context, area frame.Rect, l *frame.Layer) {
	v := x.View
	if v == nil {
		return
	}
	pref, writer, reader := roles(x)
	lay := layOutQuorums(quorumsScene{
		v: v, hist: kept{x.Cluster()}, recent: x.Recent, phase: x.Phase,
		pref: pref, writer: writer, reader: reader,
		write: c.lastWrite, read: c.lastRead,
	}, x.Theme, x.Measure, area)
	c.places = lay.places
	drawQuorums(l, x.Theme, lay)
}

// drawQuorums draws the picture where lay puts it: the rule, the replicas'
// picture (request paths, messages, frames, boxes, legend) and the lines
// and counters.
func drawQuorums(l *frame.Layer, th *ui.Theme, lay quorumsLayout) {
	u := th.U
	lay.rule.draw(l)
	drawLabels(l, lay.notes)
	for _, f := range lay.fans {
		l.Line(f[0].X, f[0].Y, f[1].X, f[1].Y, u(1), th.Border)
	}
	for _, f := range lay.flights {
		drawMessage(l, u(1), f.from, f.to, f.progress, f.kind)
	}
	for _, p := range lay.drops {
		drawCross(l, p, u(6), u(2.5), scene.Vermillion)
	}
	for _, r := range lay.framed {
		dashedRect(l, r, u(2), u(8), u(5), scene.Vermillion)
	}
	for _, b := range lay.boxes {
		b.draw(l, u(1))
	}
	if lg := lay.legend; lg.square.W > 0 {
		l.Rect(lg.square, scene.Orange)
		if lg.diamond != nil {
			drawQuad(l, lg.diamond, scene.SkyBlue)
		}
		if lg.both.W > 0 {
			l.Outline(lg.both, u(3), scene.Yellow)
		}
		drawLabels(l, lg.texts)
	}
	drawLabels(l, lay.lines)
	drawLabels(l, lay.cells)
}

// draw draws the box, its glyph, its texts and its tags; u is one layout
// unit.
func (b nodeBox) draw(l *frame.Layer, u float64) {
	l.Rect(b.r, b.fill)
	l.Outline(b.outline, b.outlineW, b.outlineC)
	drawNodeGlyph(l, u, b.glyph, b.glyphR, b.id, b.up)
	drawLabels(l, b.texts)
	if b.wTag.W > 0 {
		l.Rect(b.wTag, scene.Orange)
	}
	if b.rTag != nil {
		drawQuad(l, b.rTag, scene.SkyBlue)
	}
	drawLabels(l, b.tags)
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
func opLine(hist kept, t quorumTrack, what, answered string) string {
	if t.id == 0 {
		return "No " + what + " yet."
	}
	op, ok := hist.op(t.id)
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
		// How many of the quorum have answered so far.
		noun, q := "acks", "W"
		if op.Kind == core.OpGet {
			noun, q = "replies", "R"
		}
		return fmt.Sprintf("%s: %s; %d of %s = %d %s so far…", head, who, len(set), q, t.need, noun)
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

// sideText names the node's side of the partition, if there is one.
func sideText(v *core.View, id core.NodeID) string {
	switch groupOf(v, id) {
	case -1:
		return ""
	case 0:
		return " · side A"
	}
	return " · side B"
}

// goWrongWidgets are the "Can this go wrong?" control's buttons (canitgo.go).
func (c *Quorums) goWrongWidgets(x *lab.Context) []ui.Widget {
	if c.goWrong == nil {
		c.goWrong = newGoWrong()
	}
	p, ok := goWrongProblem(x)
	return c.goWrong.Widgets(x, p, ok)
}
