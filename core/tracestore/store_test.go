package tracestore

import (
	"slices"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// run is a busy five-node cluster with four clients, fed into a store as
// a front end would, a tick at a time.
type run struct {
	c   *core.Cluster
	s   *Store
	all []core.Event // every event of the run, for reference
}

func newRun(t testing.TB, budget int64) *run {
	t.Helper()
	cfg := core.DefaultConfig()
	cfg.Seed = 9
	cfg.Workload = core.Workload{Clients: 4, Keys: 8, PutFraction: 0.5, ThinkTicksMax: 10, KeyPrefix: "k"}
	cfg.Loss = 0.05
	c, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &run{c: c, s: New(budget)}
}

func (r *run) to(tick int64) {
	for r.c.Now() < tick {
		r.c.Tick()
		evs := r.c.Events()
		r.all = append(r.all, evs...)
		r.s.Add(evs)
		r.s.Sync(r.c, r.c.Now())
	}
}

func TestWindowStaysWithinBudget(t *testing.T) {
	const budget = 2 << 20
	r := newRun(t, budget)
	r.to(20000)
	st := r.s.Stats()
	if st.Bytes > budget {
		t.Errorf("holds %d bytes, budget %d", st.Bytes, budget)
	}
	if st.Start == 0 || st.EventsDropped == 0 || st.OpsDropped == 0 {
		t.Fatalf("nothing left the window in 20,000 ticks: %+v", st)
	}
	if st.Events+st.EventsDropped != len(r.all) {
		t.Errorf("held %d + dropped %d != %d events", st.Events, st.EventsDropped, len(r.all))
	}
	// The bytes counted are those of what is held.
	var sum int64
	r.s.EachEvent(st.Start, st.End, func(e *core.Event) bool { sum += EventBytes(e); return true })
	for _, op := range r.s.ops {
		sum += OpBytes(&op)
	}
	if sum != st.Bytes {
		t.Errorf("Bytes = %d, recounted %d", st.Bytes, sum)
	}
	// Every event of the window's ticks is held, in order.
	var want []core.Event
	for _, e := range r.all {
		if e.Tick >= st.Start {
			want = append(want, e)
		}
	}
	got := r.s.Events(st.Start, st.End)
	if len(got) != len(want) || got[0].Seq != want[0].Seq || got[len(got)-1].Seq != want[len(want)-1].Seq {
		t.Errorf("window holds %d events, want %d", len(got), len(want))
	}
}

func TestOpsOfTheWindowMatchTheCluster(t *testing.T) {
	r := newRun(t, 1<<20)
	r.to(15000)
	st := r.s.Stats()
	byReq := map[core.RequestID]core.Op{}
	for _, op := range r.c.History() {
		byReq[op.Request] = op
	}
	held := r.s.History()
	if len(held) == 0 {
		t.Fatal("no operations held")
	}
	for _, op := range held {
		want := byReq[op.Request]
		if op.ReturnTick != want.ReturnTick || op.OK != want.OK || !slices.Equal(op.Values, want.Values) || op.Stale != want.Stale {
			t.Fatalf("op %d: held %+v, cluster %+v", op.Request, op, want)
		}
	}
	// Every operation that returned in the window is held.
	heldReq := map[core.RequestID]bool{}
	for _, op := range held {
		heldReq[op.Request] = true
	}
	for _, op := range r.c.History() {
		if (op.ReturnTick >= st.Start || op.ReturnTick < 0) && !heldReq[op.Request] {
			t.Fatalf("op %d returned at %d, in the window from %d, is not held", op.Request, op.ReturnTick, st.Start)
		}
	}
	if len(held) > 2*len(r.c.History())/3 {
		t.Errorf("holds %d of the run's %d operations: the window kept too many", len(held), len(r.c.History()))
	}
}

func TestCutThenReplayIsTheSame(t *testing.T) {
	r := newRun(t, 64<<20)
	r.to(6000)
	before := r.s.Events(0, 6000)
	opsBefore := r.s.History()
	// Go back to tick 5000, rebuilding the cluster by replay.
	r.s.Cut(5000)
	for _, e := range r.s.Events(0, 1<<40) {
		if e.Tick > 5000 {
			t.Fatalf("event at tick %d after a cut to 5000", e.Tick)
		}
	}
	c, err := core.Replay(r.c.Config(), nil, 5000)
	if err != nil {
		t.Fatal(err)
	}
	c.Events()
	r.c = c
	r.s.Sync(r.c, 5000)
	r.to(6000)
	after := r.s.Events(0, 6000)
	if len(after) != len(before) || after[len(after)-1].Seq != before[len(before)-1].Seq {
		t.Fatalf("after cut and replay: %d events, before %d", len(after), len(before))
	}
	opsAfter := r.s.History()
	if len(opsAfter) != len(opsBefore) {
		t.Fatalf("%d ops after, %d before", len(opsAfter), len(opsBefore))
	}
	for i := range opsAfter {
		if opsAfter[i].Request != opsBefore[i].Request || opsAfter[i].ReturnTick != opsBefore[i].ReturnTick {
			t.Fatalf("op %d differs after cut and replay", i)
		}
	}
}

func TestCutBeforeTheStartEmptiesTheWindow(t *testing.T) {
	r := newRun(t, 1<<20)
	r.to(15000)
	start := r.s.Start()
	r.s.Cut(start - 10)
	st := r.s.Stats()
	if st.Events != 0 || st.Start != start-9 {
		t.Errorf("after a cut before the start: %+v", st)
	}
}

func TestMessagesPairSendsWithTheirEnds(t *testing.T) {
	r := newRun(t, 4<<20)
	r.to(3000)
	msgs := r.s.Messages(2000, 2100)
	if len(msgs) == 0 {
		t.Fatal("no messages")
	}
	fates := map[Fate]int{}
	for _, m := range msgs {
		fates[m.Fate]++
		end := m.End
		if m.Fate == InFlight {
			end = r.s.End()
		}
		if end < 2000 || (m.Send >= 0 && m.Send > 2100) {
			t.Errorf("message %d lives %d..%d, outside 2000..2100", m.ID, m.Send, end)
		}
		if m.Fate == Delivered && m.End != m.Due {
			t.Errorf("message %d delivered at %d, due at %d", m.ID, m.End, m.Due)
		}
		if m.Fate == Dropped && m.Why == "" {
			t.Errorf("message %d dropped without a reason", m.ID)
		}
	}
	if fates[Delivered] == 0 || fates[Dropped] == 0 {
		t.Errorf("fates %v: want deliveries and drops (loss is 5%%)", fates)
	}
	// Against a direct count from the whole trace.
	sends := 0
	for _, e := range r.all {
		if e.Kind == core.EvMsgSend && e.Tick >= 2000 && e.Tick <= 2100 {
			sends++
		}
	}
	got := 0
	for _, m := range msgs {
		if m.Send >= 2000 {
			got++
		}
	}
	if got != sends {
		t.Errorf("%d messages sent in 2000..2100, the trace has %d sends", got, sends)
	}
}
