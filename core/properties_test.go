package core

import (
	"slices"
	"strings"
	"testing"
)

// The oracle keeps the stale-read count as the run goes; it must agree,
// operation by operation, with the definition applied to the whole history
// (a naive reference: every get against every put).
func TestOracleMatchesPropertyDefinitions(t *testing.T) {
	for _, tc := range []struct {
		name       string
		versioning Versioning
		mode       Mode
		w, r       int
		faults     []FaultKind
		skew       []int64
	}{
		{"vc sloppy W=R=1 partitions", VectorClocks, Sloppy, 1, 1, []FaultKind{"partition", "crash"}, nil},
		{"lww sloppy W=R=1 partitions", LWW, Sloppy, 1, 1, []FaultKind{"partition", "crash"}, nil},
		{"lww strict W=R=2 skew", LWW, Strict, 2, 2, []FaultKind{"crash", "skew"}, []int64{0, 7, -5}},
		{"vc strict W=1 R=2 loss", VectorClocks, Strict, 1, 2, []FaultKind{"loss", "partition"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Versioning, cfg.Mode, cfg.W, cfg.R, cfg.SkewTicks = tc.versioning, tc.mode, tc.w, tc.r, tc.skew
			cfg.Workload = Workload{Clients: 5, Keys: 3, PutFraction: 0.5, Ops: 600, ThinkTicksMax: 6, KeyPrefix: "k"}
			cfg.Faults = Faults{Kinds: tc.faults, EveryTicks: 90, DurationTicks: 60}
			c := mustNew(t, cfg)
			c.RunUntil(3000)
			h := c.History()
			want := map[int]bool{}
			for _, v := range StaleReads(h, tc.versioning) {
				want[v.Op] = true
			}
			for i, op := range h {
				if op.Stale != want[i] {
					t.Errorf("op %d (%+v): oracle says stale=%v, the definition %v", i, op, op.Stale, want[i])
				}
			}
			if got := c.Counters().StaleReads; got != len(want) {
				t.Errorf("StaleReads = %d, the definition counts %d", got, len(want))
			}
			if len(want) == 0 && tc.w == 1 {
				t.Errorf("no stale read at all with W=R=1 under partitions: the test shows nothing")
			}
		})
	}
}

// Last-write-wins with many writers and strict quorums with the read
// write-back is linearizable, and its reads return the newest timestamp:
// none is stale. Under the old causal definition the same run counted a
// stale read each time a get returned a concurrent write that beat an
// acknowledged one by timestamp.
func TestLWWManyWritersHasNoStaleReads(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Mode, cfg.Versioning = Strict, LWW
	cfg.Workload = Workload{Clients: 8, Keys: 2, PutFraction: 0.6, Ops: 800, ThinkTicksMax: 4, KeyPrefix: "k"}
	c := mustNew(t, cfg)
	c.RunUntil(3000)
	h := c.History()
	k := c.Counters()
	if k.GetsOK < 100 {
		t.Fatalf("too few gets: %+v", k)
	}
	if k.StaleReads != 0 {
		t.Errorf("%d stale reads in a strict W=R=2 last-write-wins run", k.StaleReads)
	}
	// The causal reading would have called many of them stale: check that
	// the run is the one the definition is about.
	causal := len(StaleReads(h, VectorClocks))
	if causal == 0 {
		t.Errorf("no get returned a concurrent write beating an acknowledged one: the test shows nothing")
	}
	t.Logf("gets %d, stale by timestamp order 0, by causal order %d", k.GetsOK, causal)
}

// Each property on a small hand-made run.
func TestPropertiesOnHandMadeRuns(t *testing.T) {
	cfg := quietConfig()
	cfg.Mode, cfg.W, cfg.R = Strict, 1, 1
	c := mustNew(t, cfg)
	key := keyOwnedBy(t, c, "k", 0, 1, 2)
	// c1 writes on n0 alone (partitioned), then reads at n1: stale, and a
	// read-your-writes violation.
	mustApply(t, c, Command{Kind: CmdPartition, Groups: [][]NodeID{{0}}})
	waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Client: 1, Node: 0, Key: key, Value: "a"}), 50)
	waitOp(t, c, mustApply(t, c, Command{Kind: CmdGet, Client: 1, Node: 1, Key: key}), 50)
	// c2 reads a at n0, then nothing at n2: stale and not monotonic.
	waitOp(t, c, mustApply(t, c, Command{Kind: CmdGet, Client: 2, Node: 0, Key: key}), 50)
	waitOp(t, c, mustApply(t, c, Command{Kind: CmdGet, Client: 2, Node: 2, Key: key}), 50)
	h := c.History()
	ops := func(vs []Violation) []int {
		var out []int
		for _, v := range vs {
			out = append(out, v.Op)
		}
		return out
	}
	for _, tc := range []struct {
		p    Property
		want []int
	}{
		{PropStale, []int{1, 3}},
		{PropRYW, []int{1}},
		{PropMonotonic, []int{3}},
		{PropSiblings, nil},
	} {
		got := ops(HistoryViolations(tc.p, 1, h, VectorClocks))
		if sprintInts(got) != sprintInts(tc.want) {
			t.Errorf("%s: violations at ops %v, want %v", tc.p, got, tc.want)
		}
	}
	if v := MonotonicReads(h, VectorClocks); len(v) == 1 && !strings.Contains(v[0].Text, "c2's get") {
		t.Errorf("monotonic text %q does not name the get", v[0].Text)
	}
}

func sprintInts(xs []int) string {
	var b strings.Builder
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(itoa(x))
	}
	return b.String()
}

// Two concurrent puts under vector clocks leave siblings that a later get
// returns; under last-write-wins the same get returns one version.
func TestSiblingsProperty(t *testing.T) {
	for _, tc := range []struct {
		v    Versioning
		want int
	}{{VectorClocks, 1}, {LWW, 0}} {
		cfg := quietConfig()
		cfg.Versioning = tc.v
		c := mustNew(t, cfg)
		key := keyOwnedBy(t, c, "k", 0, 1, 2)
		a := mustApply(t, c, Command{Kind: CmdPut, Client: 1, Node: 0, Key: key, Value: "a"})
		b := mustApply(t, c, Command{Kind: CmdPut, Client: 2, Node: 1, Key: key, Value: "b"})
		waitOp(t, c, a, 50)
		waitOp(t, c, b, 50)
		c.RunUntil(c.Now() + 20)
		waitOp(t, c, mustApply(t, c, Command{Kind: CmdGet, Client: 3, Node: 2, Key: key}), 50)
		if got := len(Siblings(c.History(), 1)); got != tc.want {
			t.Errorf("versioning %v: %d sibling violations, want %d", tc.v, got, tc.want)
		}
	}
}

func TestParseProperty(t *testing.T) {
	for _, tc := range []struct {
		in   string
		p    Property
		k    int
		fail string
	}{
		{"stale", PropStale, 1, ""},
		{"siblings:3", PropSiblings, 3, ""},
		{"siblings", PropSiblings, 1, ""},
		{"siblings:0", "", 0, "K must be"},
		{"stale:2", "", 0, "takes no argument"},
		{"fresh", "", 0, "unknown; allowed"},
	} {
		p, k, err := ParseProperty(tc.in)
		if tc.fail != "" {
			if err == nil || !strings.Contains(err.Error(), tc.fail) {
				t.Errorf("%q: error %v, want one containing %q", tc.in, err, tc.fail)
			}
			continue
		}
		if err != nil || p != tc.p || k != tc.k {
			t.Errorf("%q: %v %d %v", tc.in, p, k, err)
		}
	}
}

// Cluster.Violations, which reads a short history in place, says what
// HistoryViolations says of a copy of the history, for every property of
// the history, in short runs and in one whose history spans chunks.
func TestViolationsReadInPlaceAgree(t *testing.T) {
	for _, ops := range []int{40, 3 * chunkLen} {
		cfg := DefaultConfig()
		cfg.W, cfg.R = 1, 1
		cfg.Workload = Workload{Clients: 6, Keys: 3, PutFraction: 0.5, ThinkTicksMax: 3, KeyPrefix: "k"}
		c := mustNew(t, cfg)
		for c.HistoryLen() < ops {
			c.Tick()
		}
		for _, p := range []Property{PropStale, PropRYW, PropMonotonic, PropSiblings} {
			got, want := c.Violations(p, 1), HistoryViolations(p, 1, c.History(), cfg.Versioning)
			if !slices.Equal(got, want) {
				t.Errorf("%d operations, %s: in place %d violations, on a copy %d", ops, p, len(got), len(want))
			}
			if ops > chunkLen && len(want) == 0 && p == PropStale {
				t.Errorf("%d operations at W=R=1: no stale read to compare", ops)
			}
		}
	}
}

// Ops yields the operations History returns, in order, and stops when the
// loop does.
func TestOpsYieldsTheHistory(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Workload = Workload{Clients: 4, Keys: 3, PutFraction: 0.5, ThinkTicksMax: 3, KeyPrefix: "k"}
	c := mustNew(t, cfg)
	for c.HistoryLen() < 2*chunkLen+10 {
		c.Tick()
	}
	var got []Op
	for op := range c.Ops() {
		got = append(got, op)
	}
	want := c.History()
	if len(got) != len(want) {
		t.Fatalf("Ops yielded %d operations, History has %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Request != want[i].Request || got[i].ReturnTick != want[i].ReturnTick || !slices.Equal(got[i].Values, want[i].Values) {
			t.Fatalf("operation %d: Ops %+v, History %+v", i, got[i], want[i])
		}
	}
	n := 0
	for range c.Ops() {
		if n++; n == 5 {
			break
		}
	}
	if n != 5 {
		t.Errorf("a loop that stops at 5 ran %d times", n)
	}
}

// What each property reads of real time (Property.RealTime): the pairs of
// operations its definition asks "did a return before b began?" of.
func TestWhatEachPropertyReadsOfRealTime(t *testing.T) {
	put := func(c int, k string) *Op { return &Op{Client: c, Kind: OpPut, Key: k} }
	get := func(c int, k string) *Op { return &Op{Client: c, Kind: OpGet, Key: k} }
	pairs := []struct {
		name string
		a, b *Op
	}{
		{"a put, then a get of its key", put(1, "k"), get(2, "k")},
		{"a get, then a put", get(2, "k"), put(1, "k")},
		{"a put, then a get of another key", put(1, "k"), get(2, "j")},
		{"two puts", put(1, "k"), put(2, "k")},
		{"two gets", get(1, "k"), get(2, "k")},
		{"a client's put, then its get", put(1, "k"), get(1, "k")},
		{"a client's two gets", get(1, "k"), get(1, "k")},
	}
	for _, tc := range []struct {
		p    Property
		want []bool // by pairs
	}{
		{PropStale, []bool{true, false, false, false, false, true, false}},
		{PropLinearizable, []bool{true, true, true, true, true, true, true}},
		{PropRYW, []bool{false, false, false, false, false, true, true}},
		{PropMonotonic, []bool{false, false, false, false, false, true, true}},
		{PropSiblings, []bool{false, false, false, false, false, false, false}},
		{PropLost, []bool{false, false, false, false, false, false, false}},
	} {
		rt := tc.p.RealTime()
		for i, pr := range pairs {
			if got := rt.Reads(pr.a, pr.b); got != tc.want[i] {
				t.Errorf("%s reads %s: %v, want %v", tc.p, pr.name, got, tc.want[i])
			}
		}
	}
	if got := RealTimeAsInvoked.Reads(get(1, "k"), put(2, "j")); !got {
		t.Error("the history as invoked keeps every pair")
	}
}
