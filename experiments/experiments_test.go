package experiments

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// run completes experiment name with the given parameters.
func run(t *testing.T, name string, set map[string]float64) []Table {
	t.Helper()
	e, ok := Lookup(name)
	if !ok {
		t.Fatalf("no experiment %q", name)
	}
	r, err := e.Start(set)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r.Complete()
}

// value is the mean of column col in the row of group whose x is x.
func value(t *testing.T, tb Table, group string, x float64, col string) Summary {
	t.Helper()
	xc, c := tb.Col(tb.X), tb.Col(col)
	for _, r := range tb.Rows {
		if r.Group == group && r.Values[xc] == x {
			if tb.Columns[c].Role == Measured {
				return r.Summary(c)
			}
			return Summary{N: 1, Mean: r.Values[c], Min: r.Values[c], Max: r.Values[c]}
		}
	}
	t.Fatalf("%s: no row %q at %s=%v", tb.Name, group, tb.X, x)
	return Summary{}
}

func table(t *testing.T, tables []Table, name string) Table {
	t.Helper()
	for _, tb := range tables {
		if tb.Name == name {
			return tb
		}
	}
	t.Fatalf("no table %q", name)
	return Table{}
}

func TestMovementModuloFourToFiveMovesEightyPercent(t *testing.T) {
	tb := run(t, "movement", map[string]float64{"nodes_max": 4, "seeds": 2, "keys": 20_000})[0]
	if got := value(t, tb, "", 4, "modulo_moved").Mean; math.Abs(got-0.8) > 0.03 {
		t.Errorf("modulo 4 -> 5 moved %.4f of the keys, want 0.80 +- 0.03", got)
	}
	if got := value(t, tb, "", 4, "ring_moved").Mean; math.Abs(got-0.2) > 0.05 {
		t.Errorf("ring 4 -> 5 moved %.4f of the keys, want about 1/5", got)
	}
}

func TestBalanceAtHundredVNodes(t *testing.T) {
	tb := run(t, "balance", map[string]float64{"nodes": 10, "seeds": 20, "vnodes_max": 100})[0]
	if got := value(t, tb, "", 100, "cv").Mean; got < 0.07 || got > 0.13 {
		t.Errorf("std-dev/mean at 100 vnodes = %.4f, want between 0.07 and 0.13", got)
	}
	if one, hundred := value(t, tb, "", 1, "cv").Mean, value(t, tb, "", 100, "cv").Mean; one/hundred < 5 {
		t.Errorf("cv at 1 vnode %.3f / at 100 vnodes %.3f = %.1f, want about sqrt(100) = 10 (at least 5)", one, hundred, one/hundred)
	}
}

func TestMerkleOneDivergentKeyCostsAFewHundredBytes(t *testing.T) {
	tables := run(t, "merkle", map[string]float64{"keys": 10_000, "seeds": 3})
	b := table(t, tables, "merkle_bytes")
	got := value(t, b, "", 1, "bytes")
	if got.Max > 1000 || got.Min < 100 {
		t.Errorf("one divergent key among 10,000: %v..%v bytes, want a few hundred", got.Min, got.Max)
	}
	if full := value(t, b, "", 1, "full_bytes").Mean; full != 160_000 {
		t.Errorf("full exchange %v bytes, want 16 bytes x 10,000 keys", full)
	}
	h := table(t, tables, "merkle")
	if got := value(t, h, "", 1, "hashes"); got.Max != 1+2*10 {
		t.Errorf("one divergent key, depth 10: %v hashes, want exactly 1 + 2*10 = 21", got.Max)
	}
	for _, r := range h.Rows {
		d := r.Values[h.Col("divergent")]
		if got := r.Summary(h.Col("hashes")).Max; got > 1+2*d*10 {
			t.Errorf("%v divergent keys: %v hashes, above the bound 1 + 2*d*depth", d, got)
		}
	}
}

func TestGossipRoundsGrowLikeLogN(t *testing.T) {
	tb := run(t, "gossip", map[string]float64{"nodes_max": 64, "seeds": 4})[0]
	for _, n := range []float64{4, 8, 16, 32, 64} {
		got, want := value(t, tb, "", n, "rounds").Mean, math.Log2(n)
		if got < want/2 || got > 2*want+2 {
			t.Errorf("%v nodes: %.2f rounds, want within [log2(n)/2, 2 log2(n)+2] around log2(n) = %.1f", n, got, want)
		}
	}
	small, large := value(t, tb, "", 4, "rounds").Mean, value(t, tb, "", 64, "rounds").Mean
	if large <= small || large > 4*small {
		t.Errorf("rounds at 64 nodes %.2f vs 4 nodes %.2f: want growth, and far less than the 16x of linear growth", large, small)
	}
}

func TestDynamoStrategyThreeBeatsOneAtEqualMetadata(t *testing.T) {
	tb := run(t, "dynamo", map[string]float64{"seeds": 4, "tokens_max": 64})[0]
	for _, tokens := range []float64{1, 2, 4, 8, 16, 32, 64} {
		meta := 30 * tokens
		s1, s3 := value(t, tb, strategy1, meta, "efficiency").Mean, value(t, tb, strategy3, meta, "efficiency").Mean
		if s3 <= s1 {
			t.Errorf("metadata %v: strategy 3 efficiency %.3f, strategy 1 %.3f; want strategy 3 ahead", meta, s3, s1)
		}
	}
}

func TestStalenessFallsWithTimeAndVanishesForStrictQuorums(t *testing.T) {
	tb := run(t, "staleness", map[string]float64{"seeds": 3, "trials": 150, "t_max": 32, "model_trials": 2000})[0]
	for _, r := range tb.Rows {
		s := r.Summary(tb.Col("p_stale"))
		if strings.HasSuffix(r.Group, "W=2 R=2") && (s.N == 0 || s.Max != 0) {
			t.Errorf("%s wait %v: stale probability %v over %d seeds, want exactly 0 (W+R>N)", r.Group, r.Values[tb.Col("wait")], s.Max, s.N)
		}
	}
	fresh, later, late := value(t, tb, "N=3 W=1 R=1", 0, "p_stale").Mean, value(t, tb, "N=3 W=1 R=1", 4, "p_stale").Mean, value(t, tb, "N=3 W=1 R=1", 32, "p_stale").Mean
	if !(fresh > later && later >= late) || fresh == 0 || late != 0 {
		t.Errorf("W=1 R=1: stale probability %.3f at 0 ticks, %.3f at 4, %.3f at 32; want > 0, falling, 0 once every replica has the write", fresh, later, late)
	}
	if model := value(t, tb, "N=3 W=1 R=1", 0, "p_model").Mean; math.Abs(model-fresh) > 0.05 {
		t.Errorf("W=1 R=1 at 0 ticks: measured %.3f, WARS model %.3f; want within 0.05", fresh, model)
	}
}

func TestLatencyGrowsWithQuorumSize(t *testing.T) {
	tb := run(t, "latency", map[string]float64{"seeds": 2, "ops": 60})[0]
	for _, g := range []string{latencyPuts, latencyGets} {
		p1, p3 := value(t, tb, g, 1, "p50").Mean, value(t, tb, g, 3, "p50").Mean
		if p3 <= p1 {
			t.Errorf("%s: median %.1f ticks at quorum 3, %.1f at quorum 1; want slower with a larger quorum", g, p3, p1)
		}
		if m := value(t, tb, g, 2, "p50_model").Mean; math.Abs(m-value(t, tb, g, 2, "p50").Mean) > 2 {
			t.Errorf("%s: quorum 2 median %.1f, order-statistic model %.0f; want within 2 ticks", g, value(t, tb, g, 2, "p50").Mean, m)
		}
	}
}

func TestAvailabilityMoreVNodesMoreOutagesSameKeyShare(t *testing.T) {
	tables := run(t, "availability", map[string]float64{"seeds": 4, "vnodes_max": 64, "trials": 100})
	any, keys := table(t, tables, "availability"), table(t, tables, "availability_keys")
	if got := value(t, any, "k=1 failed", 64, "p_unavailable").Max; got != 0 {
		t.Errorf("one failure with N=3 W=2: some range lost its quorum with probability %v, want 0", got)
	}
	few, many := value(t, any, "k=2 failed", 1, "p_unavailable").Mean, value(t, any, "k=2 failed", 64, "p_unavailable").Mean
	if !(many > few) || many < 0.95 {
		t.Errorf("two failures: %.2f at 1 vnode, %.2f at 64; want more likely with more vnodes, near certain at 64", few, many)
	}
	q := value(t, keys, "k=2 failed", 64, "keys_theory").Mean
	if got := value(t, keys, "k=2 failed", 64, "keys_unavailable").Mean; math.Abs(got-q) > 0.02 {
		t.Errorf("two failures at 64 vnodes: %.4f of the keys lost their quorum, want about q = %.4f", got, q)
	}
}

func TestConflictsLWWLosesVectorClocksKeep(t *testing.T) {
	tables := run(t, "conflicts", map[string]float64{"seeds": 2, "clients_max": 8, "skew_max": 100, "ops": 120})
	clients, skew, hist := table(t, tables, "conflicts_clients"), table(t, tables, "conflicts_skew"), table(t, tables, "siblings")
	for _, tb := range []Table{clients, skew} {
		for _, r := range tb.Rows {
			if s := r.Summary(tb.Col("vc_lost")); s.N == 0 || s.Max != 0 {
				t.Errorf("%s at %v: vector clocks lost %v of acknowledged writes (%d seeds), want none", tb.Name, r.Values[tb.Col(tb.X)], s.Max, s.N)
			}
		}
	}
	if one, eight := value(t, clients, "", 1, "lww_lost").Mean, value(t, clients, "", 8, "lww_lost").Mean; eight <= one || eight < 0.1 {
		t.Errorf("LWW lost %.3f with 1 client and %.3f with 8; want losses to grow with concurrency", one, eight)
	}
	if none, large := value(t, skew, "", 0, "lww_lost").Mean, value(t, skew, "", 100, "lww_lost").Mean; none != 0 || large <= 0 {
		t.Errorf("one client: LWW lost %.3f without skew and %.3f with 100 ticks; want 0, then losses", none, large)
	}
	if single := value(t, hist, "1 client", 1, "reads").Mean; single != 1 {
		t.Errorf("one client: %.3f of reads saw one version, want all", single)
	}
	if sib := value(t, clients, "", 8, "vc_sibling_reads").Mean; sib <= 0 {
		t.Errorf("8 clients on 4 keys: no read saw siblings")
	}
}

// TestIncrementalEqualsAllAtOnce runs every experiment at small sizes once
// in single-unit steps and once at a go, and wants the same bytes.
func TestIncrementalEqualsAllAtOnce(t *testing.T) {
	small := map[string]map[string]float64{
		"movement":     {"nodes_max": 3, "seeds": 2, "keys": 500},
		"balance":      {"seeds": 10, "vnodes_max": 500},
		"dynamo":       {"seeds": 2, "tokens_max": 16, "partitions": 4096},
		"merkle":       {"seeds": 2, "keys": 200, "depth": 4},
		"availability": {"seeds": 2, "vnodes_max": 4, "trials": 2000},
		"staleness":    {"seeds": 1, "trials": 5, "t_max": 4, "model_trials": 100},
		"latency":      {"seeds": 1, "ops": 10},
		"conflicts":    {"seeds": 1, "clients_max": 2, "skew_max": 2, "ops": 20},
		"gossip":       {"seeds": 1, "nodes_max": 8},
	}
	for _, e := range All() {
		set, ok := small[e.Name]
		if !ok {
			t.Errorf("%s: no small parameters in this test", e.Name)
			continue
		}
		whole, err := e.Start(set)
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		stepped, _ := e.Start(set)
		steps, last := 0, 0.0
		for !stepped.Step(1) {
			steps++
			p := stepped.Progress()
			if p < last || p >= 1 {
				t.Fatalf("%s: progress went from %v to %v before the end", e.Name, last, p)
			}
			last = p
		}
		if stepped.Progress() != 1 || !stepped.Done() {
			t.Errorf("%s: finished with progress %v", e.Name, stepped.Progress())
		}
		a, b := encodeAll(whole.Complete()), encodeAll(stepped.Tables())
		if !bytes.Equal(a, b) {
			t.Errorf("%s: %d single-unit steps gave other tables than one complete run", e.Name, steps)
		}
		if steps == 0 {
			t.Errorf("%s: finished in one Step(1); the work is not spread", e.Name)
		}
	}
}

func encodeAll(tables []Table) []byte {
	var b bytes.Buffer
	for _, tb := range tables {
		b.Write(tb.JSON())
		b.Write(tb.CSV())
	}
	return b.Bytes()
}

func TestStartRejectsBadParameters(t *testing.T) {
	e, _ := Lookup("movement")
	for _, tc := range []struct {
		name string
		set  map[string]float64
		want string
	}{
		{"unknown", map[string]float64{"nodez": 3}, `unknown parameter "nodez"; allowed: seed, seeds, nodes_max, vnodes, keys`},
		{"too large", map[string]float64{"keys": 1e9}, "keys=1000000000 must be a whole number between 100 and 1000000"},
		{"fractional", map[string]float64{"seeds": 2.5}, "seeds=2.5 must be a whole number"},
	} {
		if _, err := e.Start(tc.set); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to say %q", tc.name, err, tc.want)
		}
	}
	if _, ok := Lookup("nonesuch"); ok {
		t.Error("Lookup found an experiment that does not exist")
	}
}

func TestTableEncodingsAreDeterministic(t *testing.T) {
	tb := Table{
		Name: "demo", Title: "Demo", Claim: "c", Source: "s", Group: "g", X: "x",
		Columns: []Column{
			{Name: "x", Label: "x", Unit: "nodes", Role: Param},
			{Name: "y", Label: "y", Unit: "keys", Role: Measured},
			{Name: "y_theory", Label: "theory", Role: Predicted, Predicts: "y"},
		},
	}
	r := tb.addRow("a", map[string]float64{"x": 1, "y_theory": 0.5})
	tb.record(r, "y", 1)
	tb.record(r, "y", 3)
	tb.record(r, "y", math.NaN()) // not a sample
	tb.addRow("b", map[string]float64{"x": 2})
	wantCSV := "g,x (nodes),y (keys),y_sd (keys),y_min (keys),y_max (keys),y_n,y_theory\n" +
		"a,1,2,1.4142135623730951,1,3,2,0.5\n" +
		"b,2,,,,,0,\n"
	if got := string(tb.CSV()); got != wantCSV {
		t.Errorf("CSV:\n%s\nwant:\n%s", got, wantCSV)
	}
	wantJSON := `{
  "name": "demo",
  "title": "Demo",
  "claim": "c",
  "source": "s",
  "group": "g",
  "x": "x",
  "columns": [
    {
      "name": "x",
      "label": "x",
      "unit": "nodes",
      "role": "param"
    },
    {
      "name": "y",
      "label": "y",
      "unit": "keys",
      "role": "measured"
    },
    {
      "name": "y_theory",
      "label": "theory",
      "unit": "",
      "role": "predicted",
      "predicts": "y"
    }
  ],
  "rows": [
    {
      "group": "a",
      "values": [
        1,
        2,
        0.5
      ],
      "samples": [
        null,
        [
          1,
          3
        ],
        null
      ]
    },
    {
      "group": "b",
      "values": [
        2,
        null,
        null
      ],
      "samples": [
        null,
        [],
        null
      ]
    }
  ]
}
`
	if got := string(tb.JSON()); got != wantJSON {
		t.Errorf("JSON:\n%s\nwant:\n%s", got, wantJSON)
	}
	var back Table
	if err := json.Unmarshal(tb.JSON(), &back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.JSON(), tb.JSON()) {
		t.Errorf("JSON does not read back to the same table:\n%s", back.JSON())
	}
}
