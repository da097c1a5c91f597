package spacetime

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// staleRun builds the quorums chapter's classic stale read: N=3, W=1, R=1,
// strict quorums, no background repair. v1 reaches every replica; then the
// key's first replica is cut off, v2 is written through it (acknowledged by
// itself alone), and a get through the second replica answers v1.
func staleRun(t *testing.T) (*core.Cluster, []core.Event, []core.NodeID) {
	t.Helper()
	cfg := core.DefaultConfig()
	cfg.W, cfg.R = 1, 1
	cfg.Mode = core.Strict
	cfg.ReadRepair = false
	cfg.GossipIntervalTicks = 0
	cfg.AntiEntropyIntervalTicks = 0
	c, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pl := c.PreferenceList("k", 3)
	var evs []core.Event
	run := func(ticks int64) {
		for i := int64(0); i < ticks; i++ {
			c.Tick()
		}
		evs = append(evs, c.Events()...)
	}
	apply := func(cmd core.Command) {
		if _, err := c.Apply(cmd); err != nil {
			t.Fatalf("%v: %v", cmd.Kind, err)
		}
	}
	apply(core.Command{Kind: core.CmdPut, Node: pl[0], Client: 1, Key: "k", Value: "v1"})
	run(20)
	var rest []core.NodeID
	for i := 0; i < cfg.Nodes; i++ {
		if core.NodeID(i) != pl[0] {
			rest = append(rest, core.NodeID(i))
		}
	}
	apply(core.Command{Kind: core.CmdPartition, Groups: [][]core.NodeID{{pl[0]}, rest}})
	apply(core.Command{Kind: core.CmdPut, Node: pl[0], Client: 1, Key: "k", Value: "v2"})
	run(20)
	// A coordinator that is not a replica, so the get waits for a reply.
	coord := core.NoNode
	for _, n := range rest {
		if !slices.Contains(pl, n) {
			coord = n
			break
		}
	}
	apply(core.Command{Kind: core.CmdGet, Node: coord, Client: 2, Key: "k"})
	run(20)
	return c, evs, pl
}

func TestModelIndexesAStaleRead(t *testing.T) {
	c, evs, pl := staleRun(t)
	m := New(c.Config())
	m.Add(evs)

	if got := m.Clients(); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Fatalf("clients = %v, want [1 2]", got)
	}
	ops := m.Ops()
	if len(ops) != 3 {
		t.Fatalf("%d operations, want 3", len(ops))
	}
	put1, put2, get := &ops[0], &ops[1], &ops[2]
	if put1.Value != "v1" || put2.Value != "v2" || !put2.OK || get.Kind != core.OpGet {
		t.Fatalf("operations: %+v", ops)
	}
	if !reflect.DeepEqual(get.Values, []string{"v1"}) {
		t.Fatalf("the get answered %v, want [v1]", get.Values)
	}
	hist := c.History()
	if !hist[2].Stale {
		t.Fatalf("the oracle does not call the get stale: %+v", hist[2])
	}

	// v2 stayed on the cut-off replica: its sends across the partition were lost.
	var lost int
	for _, g := range m.RequestMsgs(put2.Request) {
		if g.Kind == core.MsgPutReq && g.To != pl[0] {
			if !g.Lost || g.Reason != "partition" {
				t.Errorf("put v2 to %s: lost=%v reason=%q, want lost to the partition", g.To, g.Lost, g.Reason)
			}
			lost++
		}
	}
	if lost != 2 {
		t.Errorf("%d of v2's requests to other replicas, want 2", lost)
	}
	if len(put2.Stored) != 1 || put2.Stored[0].Node != pl[0] {
		t.Errorf("v2 stored on %+v, want only %s", put2.Stored, pl[0])
	}

	missed, ok := m.Missed(get)
	if !ok || missed != put2 {
		t.Fatalf("Missed = %+v, %v; want the put of v2", missed, ok)
	}
	r, ok := m.Explain(get.Request, m.Tick())
	if !ok || len(r.Counted) != 1 {
		t.Fatalf("Explain: %+v, %v; want one counted reply (R=1)", r, ok)
	}
	if !reflect.DeepEqual(r.Asked, pl) {
		t.Errorf("the get asked %v, want the preference list %v", r.Asked, pl)
	}
	why := m.WhyStale(get, missed)
	want := r.Counted[0].From.String() + " answered; the write of v2 had reached only " + pl[0].String()
	if why != want {
		t.Errorf("WhyStale = %q, want %q", why, want)
	}

	parts := m.Partitions()
	if len(parts) != 1 || parts[0].To != Pending || parts[0].Side(pl[0]) == parts[0].Side(pl[1]) {
		t.Errorf("partitions = %+v", parts)
	}
}

// TestModelAtEarlierTicks checks that what the model says of a tick depends
// on that tick alone: messages and operations still open then are open.
func TestModelAtEarlierTicks(t *testing.T) {
	c, evs, _ := staleRun(t)
	m := New(c.Config())
	m.Add(evs)
	get := &m.Ops()[2]
	at := get.Start
	if get.Answered(at) {
		t.Fatalf("the get is answered at its own start")
	}
	if !strings.HasSuffix(get.Label(at), "get k") || get.Label(m.Tick()) != "get k -> [v1]" {
		t.Errorf("labels %q, %q", get.Label(at), get.Label(m.Tick()))
	}
	var flying int
	m.MsgsBetween(at, at, func(g *Msg) bool {
		if g.InFlight(at) {
			flying++
		}
		return true
	})
	if flying == 0 {
		t.Errorf("no message in flight when the get starts")
	}
	r, _ := m.Explain(get.Request, at)
	if len(r.Counted) != 0 || len(r.Msgs) == 0 {
		t.Errorf("at its start the get has counted %d replies and %d messages", len(r.Counted), len(r.Msgs))
	}
}

// TestMsgsBetweenMatchesAScan checks the windowed query against a plain
// scan of every message, for many windows of a busy run.
func TestMsgsBetweenMatchesAScan(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.Workload = core.Workload{Clients: 4, Keys: 6, PutFraction: 0.5, ThinkTicksMax: 5, KeyPrefix: "k"}
	cfg.Faults = core.Faults{Kinds: []core.FaultKind{"crash", "partition", "loss"}, EveryTicks: 60, DurationTicks: 40}
	c, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := New(cfg)
	for i := 0; i < 600; i++ {
		c.Tick()
		m.Add(c.Events())
	}
	for from := int64(0); from < 600; from += 37 {
		for _, width := range []int64{0, 5, 50} {
			to := from + width
			var got, want []uint64
			m.MsgsBetween(from, to, func(g *Msg) bool { got = append(got, g.ID); return true })
			for i := range m.Msgs() {
				g := &m.Msgs()[i]
				if g.Send <= to && (g.End == Pending || g.End >= from) {
					want = append(want, g.ID)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("[%d, %d]: %d messages, a scan finds %d", from, to, len(got), len(want))
			}
			var gotOps, wantOps []core.RequestID
			m.OpsBetween(from, to, func(o *Op) bool { gotOps = append(gotOps, o.Request); return true })
			for _, o := range m.Ops() {
				if o.Start <= to && (o.End == Pending || o.End >= from) {
					wantOps = append(wantOps, o.Request)
				}
			}
			slices.Sort(gotOps)
			if !slices.Equal(gotOps, wantOps) {
				t.Fatalf("[%d, %d]: ops %v, a scan finds %v", from, to, gotOps, wantOps)
			}
		}
	}
	if len(m.Downs()) == 0 && len(m.Partitions()) == 0 {
		t.Errorf("the fault injector left no span")
	}
}

// TestTruncateEqualsAModelOfThePrefix: forgetting the events after a fork
// point leaves exactly the model of the events up to it.
func TestTruncateEqualsAModelOfThePrefix(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.Workload = core.Workload{Clients: 3, Keys: 4, PutFraction: 0.5, ThinkTicksMax: 5, KeyPrefix: "k"}
	cfg.Faults = core.Faults{Kinds: []core.FaultKind{"crash", "partition"}, EveryTicks: 50, DurationTicks: 30}
	c, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var evs []core.Event
	for i := 0; i < 400; i++ {
		c.Tick()
		evs = append(evs, c.Events()...)
	}
	for cut := 1; cut < len(evs); cut += 1 + cut/3 {
		full := New(cfg)
		full.Add(evs)
		full.Add(evs[:cut]) // already seen: ignored
		prefix := New(cfg)
		prefix.Add(evs[:cut])
		full.Truncate(evs[cut-1].Seq, evs[cut-1].Tick)
		if !sameModel(full, prefix) {
			t.Fatalf("truncated at event %d: the model differs from a model of the prefix (part %d)", cut, diffAt)
		}
	}
}

var diffAt int

func sameModel(a, b *Model) bool {
	norm := func(m *Model) []any {
		ops := slices.Clone(m.ops)
		for i := range ops {
			if len(ops[i].Stored) == 0 {
				ops[i].Stored = nil
			}
			if len(ops[i].Values) == 0 {
				ops[i].Values = nil
			}
		}
		return []any{m.nodes, slices.Clip(m.clients), slices.Clip(m.msgs), ops, slices.Clip(m.flying), slices.Clip(m.pending),
			m.downs, m.parts, m.skews, m.seq, m.tick, len(m.putAt), len(m.reqMsgs)}
	}
	x, y := norm(a), norm(b)
	for i := range x {
		if !reflect.DeepEqual(x[i], y[i]) {
			if vx, vy := reflect.ValueOf(x[i]), reflect.ValueOf(y[i]); vx.Kind() == reflect.Slice && vx.Len() == 0 && vy.Len() == 0 {
				continue
			}
			diffAt = i
			return false
		}
	}
	return true
}

// TestForgetKeepsTheWindow: after Forget, queries inside the window answer
// as before, and nothing that ended before it is kept.
func TestForgetKeepsTheWindow(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.Workload = core.Workload{Clients: 3, Keys: 4, PutFraction: 0.5, ThinkTicksMax: 5, KeyPrefix: "k"}
	c, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := New(cfg)
	for i := 0; i < 500; i++ {
		c.Tick()
		m.Add(c.Events())
	}
	ids := func(from, to int64) []uint64 {
		var out []uint64
		m.MsgsBetween(from, to, func(g *Msg) bool { out = append(out, g.ID); return true })
		return out
	}
	before := ids(300, 500)
	n := len(m.Msgs())
	m.Forget(300)
	if len(m.Msgs()) >= n {
		t.Fatalf("Forget(300) kept %d of %d messages", len(m.Msgs()), n)
	}
	if after := ids(300, 500); !slices.Equal(before, after) {
		t.Fatalf("the window [300, 500] changed: %d messages, then %d", len(before), len(after))
	}
	for _, g := range m.Msgs() {
		if g.End != Pending && g.End < 300 {
			t.Fatalf("message %d ended at %d and was kept", g.ID, g.End)
		}
		if got, ok := m.Msg(g.ID); !ok || got.ID != g.ID {
			t.Fatalf("message %d not found by id after Forget", g.ID)
		}
	}
	for _, o := range m.Ops() {
		if got, ok := m.Op(o.Request); !ok || got.Request != o.Request {
			t.Fatalf("operation %d not found by id after Forget", o.Request)
		}
	}
	// The model keeps growing correctly after a Forget.
	for i := 0; i < 100; i++ {
		c.Tick()
		m.Add(c.Events())
	}
	full := New(cfg)
	if full.Tick() != 0 || m.Tick() != 600 {
		t.Fatalf("ticks %d, %d", full.Tick(), m.Tick())
	}
}
