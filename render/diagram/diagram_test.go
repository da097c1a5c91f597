package diagram

import (
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/spacetime"
	"github.com/ringlab/ringlab/render/frame"
)

// trace is a hand-made run of three nodes: client 1 puts k through n0,
// which sends to n1 (delivered at 4) and n2 (lost to a partition at 5);
// n1 acks (delivered at 7); the client is answered at 7. n2 crashes at 8
// and restarts at 12; a gossip message n1 -> n0 is in flight from 9 to 14.
func trace() []core.Event {
	seq := uint64(0)
	ev := func(e core.Event) core.Event { seq++; e.Seq = seq; return e }
	return []core.Event{
		ev(core.Event{Tick: 1, Kind: core.EvRequestStart, From: 0, Request: 1, Op: core.OpPut, Client: 1, Key: "k"}),
		ev(core.Event{Tick: 1, Kind: core.EvVersionCreated, From: 0, Request: 1, Key: "k", Version: "k=v1 [n0:1]"}),
		ev(core.Event{Tick: 1, Kind: core.EvPartition, Text: "{n0 n1} | {n2}"}),
		ev(core.Event{Tick: 1, Kind: core.EvMsgSend, From: 0, To: 1, Msg: core.MsgPutReq, MsgID: 1, Request: 1, Key: "k", DeliverTick: 4}),
		ev(core.Event{Tick: 1, Kind: core.EvMsgSend, From: 0, To: 2, Msg: core.MsgPutReq, MsgID: 2, Request: 1, Key: "k", DeliverTick: 5}),
		ev(core.Event{Tick: 4, Kind: core.EvMsgDeliver, From: 0, To: 1, Msg: core.MsgPutReq, MsgID: 1, Request: 1, Key: "k", DeliverTick: 4}),
		ev(core.Event{Tick: 4, Kind: core.EvVersionStored, To: 1, Key: "k", Version: "k=v1 [n0:1]"}),
		ev(core.Event{Tick: 4, Kind: core.EvMsgSend, From: 1, To: 0, Msg: core.MsgPutAck, MsgID: 3, Request: 1, Key: "k", DeliverTick: 7}),
		ev(core.Event{Tick: 5, Kind: core.EvMsgDrop, From: 0, To: 2, Msg: core.MsgPutReq, MsgID: 2, Request: 1, Key: "k", DeliverTick: 5, Text: "partition"}),
		ev(core.Event{Tick: 7, Kind: core.EvMsgDeliver, From: 1, To: 0, Msg: core.MsgPutAck, MsgID: 3, Request: 1, Key: "k", DeliverTick: 7}),
		ev(core.Event{Tick: 7, Kind: core.EvQuorumReached, From: 0, Request: 1, Op: core.OpPut, Key: "k", Count: 2, Need: 2}),
		ev(core.Event{Tick: 7, Kind: core.EvRequestDone, From: 0, Request: 1, Op: core.OpPut, Client: 1, Key: "k", OK: true}),
		ev(core.Event{Tick: 8, Kind: core.EvNodeState, From: 2, Up: false, Text: "crashed"}),
		ev(core.Event{Tick: 9, Kind: core.EvMsgSend, From: 1, To: 0, Msg: core.MsgGossip, MsgID: 4, DeliverTick: 14}),
		ev(core.Event{Tick: 12, Kind: core.EvNodeState, From: 2, Up: true, Text: "restarted"}),
		ev(core.Event{Tick: 14, Kind: core.EvMsgDeliver, From: 1, To: 0, Msg: core.MsgGossip, MsgID: 4, DeliverTick: 14}),
	}
}

func model() *spacetime.Model {
	cfg := core.DefaultConfig()
	cfg.Nodes = 3
	m := spacetime.New(cfg)
	m.Add(trace())
	return m
}

// area is 1000 px of plot over ticks 0..20: 50 px a tick, lanes 100 px.
var area = frame.Rect{X: 0, Y: 0, W: 1004, H: 400}

func build(cursor int64, f Filter, sel Item) *Layout {
	return Build(model(), Input{Area: area, Cursor: cursor, From: 0, To: 20, Filter: f, Selected: sel})
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func arrowOf(t *testing.T, l *Layout, id uint64) Arrow {
	t.Helper()
	for _, a := range l.Arrows {
		if a.Msg.ID == id {
			return a
		}
	}
	t.Fatalf("no arrow for message %d among %d", id, len(l.Arrows))
	return Arrow{}
}

func TestLanesNodesThenClients(t *testing.T) {
	l := build(20, Filter{}, Item{})
	want := []string{"n0", "n1", "n2", "c1"}
	if len(l.Lanes) != len(want) {
		t.Fatalf("%d lanes, want %v", len(l.Lanes), want)
	}
	for i, w := range want {
		if l.Lanes[i].Label != w || !near(l.Lanes[i].Y, 50+100*float64(i)) {
			t.Errorf("lane %d: %q at y=%v, want %q at %v", i, l.Lanes[i].Label, l.Lanes[i].Y, w, 50+100*float64(i))
		}
	}
}

func TestArrowEndpointsAtLanesAndTicks(t *testing.T) {
	l := build(20, Filter{}, Item{})
	a := arrowOf(t, l, 1) // n0 -> n1, sent 1, delivered 4
	if !near(a.X0, 50) || !near(a.Y0, 50) || !near(a.X1, 200) || !near(a.Y1, 150) || a.Lost || a.InFlight {
		t.Errorf("put n0->n1: %+v", a)
	}
	ack := arrowOf(t, l, 3) // n1 -> n0, sent 4, delivered 7
	if !near(ack.X0, 200) || !near(ack.Y0, 150) || !near(ack.X1, 350) || !near(ack.Y1, 50) {
		t.Errorf("ack n1->n0: %+v", ack)
	}
}

func TestLostMessageEndsInACrossOnItsWay(t *testing.T) {
	l := build(20, Filter{}, Item{})
	a := arrowOf(t, l, 2) // n0 -> n2, lost to the partition at 5
	if !a.Lost || a.InFlight {
		t.Fatalf("lost message: %+v", a)
	}
	// 60% of the way from (50, 50) to (250, 250).
	if !near(a.X1, 50+0.6*200) || !near(a.Y1, 50+0.6*200) {
		t.Errorf("the cross is at (%v, %v), want (170, 170)", a.X1, a.Y1)
	}
	if a.Msg.Reason != "partition" {
		t.Errorf("reason %q", a.Msg.Reason)
	}
}

func TestInFlightArrowIsCutAtTheCursor(t *testing.T) {
	l := build(10, Filter{}, Item{}) // the gossip message (9 -> 14) is in flight; gossip shown
	a := arrowOf(t, l, 4)
	if !a.InFlight || !near(a.X1, 500) {
		t.Fatalf("in-flight arrow: %+v, want cut at x=500", a)
	}
	// One fifth of its way from n1 (150) to n0 (50).
	if !near(a.Y1, 150-100*0.2) {
		t.Errorf("cut at y=%v, want 130", a.Y1)
	}
	// At tick 3 the put to n1 is in flight and the ack not yet sent.
	early := build(3, Filter{}, Item{})
	if !arrowOf(t, early, 1).InFlight {
		t.Errorf("the put to n1 is not in flight at tick 3")
	}
	for _, a := range early.Arrows {
		if a.Msg.ID >= 3 {
			t.Errorf("message %d, sent after tick 3, is drawn at tick 3", a.Msg.ID)
		}
	}
}

func TestFilterHidesGossipByDefault(t *testing.T) {
	l := build(20, DefaultFilter(), Item{})
	for _, a := range l.Arrows {
		if a.Msg.Kind == core.MsgGossip {
			t.Fatalf("gossip drawn with the default filter")
		}
	}
	if len(l.Arrows) != 3 {
		t.Errorf("%d arrows, want the put's 3", len(l.Arrows))
	}
	f := Filter{Key: "other"}
	if l := build(20, f, Item{}); len(l.Arrows) != 0 || len(l.Bars) != 0 {
		t.Errorf("key filter kept %d arrows, %d bars", len(l.Arrows), len(l.Bars))
	}
}

func TestShadesForPartitionAndCrash(t *testing.T) {
	l := build(20, Filter{}, Item{})
	var sides, downs int
	for _, s := range l.Shades {
		switch s.Kind {
		case ShadePartition:
			sides++
			if s.Rect.X != 50 || !near(s.Rect.W, 950) {
				t.Errorf("partition shade %+v, want from x=50 to the cursor", s.Rect)
			}
		case ShadeDown:
			downs++
			if !near(s.Rect.X, 400) || !near(s.Rect.W, 200) || s.Text != "down (crashed)" {
				t.Errorf("down shade %+v %q, want x 400..600", s.Rect, s.Text)
			}
		}
	}
	if sides != 3 || downs != 1 {
		t.Errorf("%d partition shades (want one per node), %d down", sides, downs)
	}
}

func TestOperationBarAndSelection(t *testing.T) {
	l := build(20, DefaultFilter(), Item{Kind: ItemOp, ID: 1})
	if len(l.Bars) != 1 {
		t.Fatalf("%d bars", len(l.Bars))
	}
	b := l.Bars[0]
	if !near(b.Rect.X, 50) || !near(b.Rect.Right(), 350) || !near(b.CoordY, 50) || b.Pending || b.Label != "put k=v1" {
		t.Errorf("bar %+v", b)
	}
	r := l.Request
	if r.Op == nil || len(r.Asked) != 2 || len(r.Counted) != 1 || r.Counted[0].ID != 3 {
		t.Fatalf("selection: asked %v, counted %v", r.Asked, r.Counted)
	}
	// At tick 5 the same operation is pending: its bar runs to the cursor.
	p := build(5, DefaultFilter(), Item{Kind: ItemOp, ID: 1})
	if !p.Bars[0].Pending || !near(p.Bars[0].Rect.Right(), 250) || len(p.Request.Counted) != 0 {
		t.Errorf("at tick 5: %+v, counted %d", p.Bars[0], len(p.Request.Counted))
	}
}

func TestHitTest(t *testing.T) {
	l := build(20, Filter{}, Item{})
	// On the put arrow n0 -> n1, halfway: (125, 100).
	h, ok := l.HitTest(125, 100, 4)
	if !ok || h.Item != (Item{Kind: ItemMsg, ID: 1}) {
		t.Errorf("hit at the put arrow: %+v, %v", h, ok)
	}
	// On the client's bar.
	h, ok = l.HitTest(200, 350, 2)
	if !ok || h.Item != (Item{Kind: ItemOp, ID: 1}) || h.Tick != 4 {
		t.Errorf("hit at the bar: %+v, %v", h, ok)
	}
	if _, ok := l.HitTest(900, 250, 2); ok {
		t.Errorf("hit on empty space")
	}
}

func TestHistoryViewHasClientLanesOnly(t *testing.T) {
	l := Build(model(), Input{Area: area, Cursor: 20, From: 0, To: 20, History: true})
	if len(l.Lanes) != 1 || l.Lanes[0].Label != "c1" || len(l.Arrows) != 0 || len(l.Bars) != 1 {
		t.Errorf("history: lanes %+v, %d arrows, %d bars", l.Lanes, len(l.Arrows), len(l.Bars))
	}
}

func TestFollowKeepsTheCursorInView(t *testing.T) {
	for _, c := range []int64{0, 5, 100, 180, 10_000} {
		from, to := Follow(c, 200)
		if c < from || c > to || from < 0 || to-from > 200 || to-from < min(c, 16) {
			t.Errorf("Follow(%d, 200) = %d..%d", c, from, to)
		}
		if c >= 200 && to-from != 200 {
			t.Errorf("Follow(%d, 200) = %d..%d: not 200 ticks wide once the run is longer", c, from, to)
		}
	}
}

func TestAxisStepsAreRoundAndApart(t *testing.T) {
	for _, span := range []int64{20, 160, 1000, 65536} {
		l := Build(model(), Input{Area: area, Cursor: span, From: 0, To: span})
		ticks := l.Axis(60)
		if len(ticks) < 2 {
			t.Fatalf("span %d: %d axis ticks", span, len(ticks))
		}
		for i := 1; i < len(ticks); i++ {
			if ticks[i].X-ticks[i-1].X < 60-1e-9 {
				t.Errorf("span %d: labels %s and %s only %.1f px apart", span, ticks[i-1].Label, ticks[i].Label, ticks[i].X-ticks[i-1].X)
			}
		}
		step, _ := strconv.Atoi(ticks[1].Label)
		first, _ := strconv.Atoi(ticks[0].Label)
		step -= first
		if !isPow10(int64(step)) && !isPow10(int64(step/2)) && !isPow10(int64(step/5)) {
			t.Errorf("span %d: step %d is not 1, 2 or 5 times a power of ten", span, step)
		}
	}
}

func TestDrawKeepsArrowsWhenLabelsDoNotFit(t *testing.T) {
	var layer frame.Layer
	small := Build(model(), Input{Area: frame.Rect{W: 300, H: 60}, Cursor: 20, From: 0, To: 20, TextSize: 12, Measure: fixedWidth{}})
	small.Draw(&layer)
	if layer.VertexCount() == 0 {
		t.Fatal("nothing drawn")
	}
	for _, tx := range layer.Texts {
		if tx.S == "put k=v1" {
			t.Errorf("an operation label is drawn in 15 px lanes")
		}
	}
	layer.Reset()
	big := Build(model(), Input{Area: area, Cursor: 20, From: 0, To: 20, TextSize: 12, Measure: fixedWidth{}})
	big.Draw(&layer)
	found := false
	for _, tx := range layer.Texts {
		found = found || tx.S == "put k=v1"
	}
	if !found {
		t.Errorf("no operation label in 100 px lanes")
	}
}

type fixedWidth struct{}

func (fixedWidth) Width(s string, size float64) float64 { return float64(len(s)) * size * 0.55 }

// The check's verdict on the bars: the operations no order explains are
// marked, those of the longest linearizable prefix underlined, the rest
// neither.
func TestVerdictMarksOnBars(t *testing.T) {
	in := Input{Area: area, Cursor: 20, From: 0, To: 20, Filter: DefaultFilter(),
		Unexplained: func(id core.RequestID) bool { return id == 1 }}
	if b := Build(model(), in).Bars[0]; !b.Marked || b.Explained {
		t.Errorf("unexplained: marked %v, explained %v", b.Marked, b.Explained)
	}
	in.Unexplained = nil
	in.Linearized = func(id core.RequestID) bool { return id == 1 }
	if b := Build(model(), in).Bars[0]; b.Marked || !b.Explained {
		t.Errorf("in the prefix: marked %v, explained %v", b.Marked, b.Explained)
	}
	in.Linearized = func(id core.RequestID) bool { return id == 2 }
	if b := Build(model(), in).Bars[0]; b.Marked || b.Explained {
		t.Errorf("neither: marked %v, explained %v", b.Marked, b.Explained)
	}
}

// An operation's label sits above its bar, clear of the outline the
// selection draws round it (which stands off the bar), selected or not.
func TestOperationLabelClearsTheSelection(t *testing.T) {
	for _, sel := range []Item{{}, {Kind: ItemOp, ID: 1}} {
		var layer frame.Layer
		l := Build(model(), Input{Area: area, Cursor: 20, From: 0, To: 20, TextSize: 12, Measure: fixedWidth{}, Filter: DefaultFilter(), Selected: sel})
		l.Draw(&layer)
		b := l.Bars[0]
		top := b.Rect.Y
		if sel.Kind == ItemOp {
			top -= selectOutset + 0.75 // the outline's outer edge
		}
		found := false
		for _, tx := range layer.Texts {
			if tx.S != b.Label {
				continue
			}
			found = true
			if bottom := float64(tx.Y) + frame.LineHeight(float64(tx.Size)); bottom > top+1e-3 {
				t.Errorf("selected %v: the label ends at %.1f, below the top of what is drawn round its bar (%.1f)", sel.Kind == ItemOp, bottom, top)
			}
		}
		if !found {
			t.Fatalf("selected %v: no label %q", sel.Kind == ItemOp, b.Label)
		}
	}
}

// A put the run lost is marked as a stale read is: outlined, its label
// saying so; a read is never marked lost.
func TestLostPutIsMarked(t *testing.T) {
	var layer frame.Layer
	in := Input{Area: area, Cursor: 20, From: 0, To: 20, TextSize: 12, Measure: fixedWidth{}, Filter: DefaultFilter(),
		Lost: func(id core.RequestID) bool { return id == 1 }}
	l := Build(model(), in)
	b := l.Bars[0]
	if !b.Lost || b.Op.Kind != core.OpPut {
		t.Fatalf("the put's bar: lost %v", b.Lost)
	}
	l.Draw(&layer)
	found := false
	for _, tx := range layer.Texts {
		found = found || tx.S == b.Label+" (lost)"
	}
	if !found {
		t.Errorf("no label %q", b.Label+" (lost)")
	}
	in.Lost = nil
	if Build(model(), in).Bars[0].Lost {
		t.Error("marked lost with no Lost given")
	}
}

// An operation's label is drawn only where it ends before the next bar on
// its client's lane, whatever other clients began in between: client 1's
// long put at tick 2 has 50 px before its next put at tick 3, though
// client 2's put began between them in the model's order.
func TestOperationLabelStopsAtItsClientsNextBar(t *testing.T) {
	seq := uint64(0)
	ev := func(e core.Event) core.Event { seq++; e.Seq = seq; return e }
	put := func(tick, end int64, req core.RequestID, client int, key, version string) []core.Event {
		return []core.Event{
			ev(core.Event{Tick: tick, Kind: core.EvRequestStart, From: 0, Request: req, Op: core.OpPut, Client: client, Key: key}),
			ev(core.Event{Tick: tick, Kind: core.EvVersionCreated, From: 0, Request: req, Key: key, Version: version}),
			ev(core.Event{Tick: end, Kind: core.EvRequestDone, From: 0, Request: req, Op: core.OpPut, Client: client, Key: key, OK: true}),
		}
	}
	cfg := core.DefaultConfig()
	cfg.Nodes = 3
	m := spacetime.New(cfg)
	var evs []core.Event
	evs = append(evs, put(2, 3, 1, 1, "a-rather-long-key-name", "a-rather-long-key-name=v1 [n0:1]")...)
	evs = append(evs, put(2, 3, 2, 2, "k", "k=v1 [n0:2]")...)
	evs = append(evs, put(3, 4, 3, 1, "k", "k=v2 [n0:3]")...)
	slices.SortStableFunc(evs, func(a, b core.Event) int { return int(a.Tick - b.Tick) })
	for i := range evs {
		evs[i].Seq = uint64(i + 1)
	}
	m.Add(evs)
	l := Build(m, Input{Area: area, Cursor: 20, From: 0, To: 20, TextSize: 12, Measure: fixedWidth{}, History: true})
	var layer frame.Layer
	l.Draw(&layer)
	drawn := map[string]bool{}
	for _, tx := range layer.Texts {
		drawn[tx.S] = true
	}
	if len(l.Bars) != 3 || l.Bars[1].Op.Client != 2 {
		t.Fatalf("bars %d, the second of client %d: want client 2's between client 1's", len(l.Bars), l.Bars[1].Op.Client)
	}
	if drawn["put a-rather-long-key-name=v1"] {
		t.Error("client 1's long label is drawn over its next bar")
	}
	if !drawn["put k=v2"] || !drawn["put k=v1"] {
		t.Errorf("the short labels are not drawn: %v", drawn)
	}
}

// Where a bar's whole label does not fit, a shorter one that does is
// drawn: the operation and how it ended, then the operation alone.
func TestBarLabelShortensToFit(t *testing.T) {
	op := &spacetime.Op{Kind: core.OpGet, Key: "k"}
	b := &Bar{Op: op, Label: "get k -> [v1 v2]", Stale: true}
	w := func(s string) float64 { return fixedWidth{}.Width(s, 10) }
	for _, tc := range []struct {
		room float64
		want string
	}{
		{w("get k -> [v1 v2] (stale)"), "get k -> [v1 v2] (stale)"},
		{w("get k -> [v1 v2] (stale)") - 1, "get k (stale)"},
		{w("get k (stale)") - 1, "get k"},
		{w("get k") - 1, ""},
	} {
		got, ok := barLabel(fixedWidth{}, b, 10, tc.room)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("room %.0f: %q %v, want %q", tc.room, got, ok, tc.want)
		}
	}
	failed := &Bar{Op: &spacetime.Op{Kind: core.OpPut, Key: "k"}, Label: "put k=v1 failed", Failed: true}
	if got, _ := barLabel(fixedWidth{}, failed, 10, 1000); got != "put k=v1 failed" {
		t.Errorf("a failed put's label: %q", got)
	}
	if got, _ := barLabel(fixedWidth{}, failed, 10, w("put k failed")); got != "put k failed" {
		t.Errorf("a failed put's short label: %q", got)
	}
}
