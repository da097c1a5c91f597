package job

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
)

func config(nodes, n, w, r int, mode core.Mode, v core.Versioning) core.Config {
	cfg := core.DefaultConfig()
	cfg.Nodes, cfg.VNodes, cfg.N, cfg.W, cfg.R, cfg.Mode, cfg.Versioning = nodes, 8, n, w, r, mode, v
	return cfg
}

// scenarios are searches of each kind the lab asks: a stale read found, a
// space exhausted, a lost write under last-write-wins with skew, a pinned
// script with a partition budget.
func scenarios(t *testing.T) map[string]explore.Scenario {
	t.Helper()
	script := func(s string) explore.Script {
		sc, err := explore.ParseScript(s)
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	lww := config(3, 3, 1, 1, core.Strict, core.LWW)
	lww.SkewTicks = []int64{0, 0, 30}
	return map[string]explore.Scenario{
		"stale found": {Config: config(3, 3, 1, 1, core.Strict, core.VectorClocks),
			Script: script("c1: put k v1 ; c2: get k"), Property: core.PropStale},
		"exhausted": {Config: config(3, 3, 2, 2, core.Strict, core.VectorClocks),
			Script: script("c1: put k v1 ; c2: get k"), Property: core.PropStale},
		"lost with skew": {Config: lww, Script: script("c1: put k v1 | c2: put k v2"), Property: core.PropLost, SettleTicks: 2000},
		"pinned, a partition": {Config: config(4, 3, 2, 2, core.Sloppy, core.VectorClocks),
			Script: script("c1@n0: put k v1 ; c2@n1: get k"), Budget: explore.Budget{Partitions: 1}, Property: core.PropStale},
		"down from the start": {Config: config(4, 3, 1, 1, core.Strict, core.VectorClocks),
			Script: script("c1: put k v1 ; c2: get k"), Property: core.PropStale, Down: []core.NodeID{1}},
		"siblings": {Config: config(3, 3, 1, 1, core.Strict, core.VectorClocks),
			Script: script("c1: put k v1 | c2: put k v2 ; c1: get k"), Property: core.PropSiblings, K: 1},
	}
}

// A job sent as JSON and run gives the report the search gives in
// process, counterexample and all, and that report comes back whole
// through a message's JSON.
func TestAJobSentAsJSONSearchesAsTheScenarioDoes(t *testing.T) {
	bounds := explore.Bounds{MaxStates: 50_000}
	for name, sc := range scenarios(t) {
		t.Run(name, func(t *testing.T) {
			s, err := explore.New(sc, bounds)
			if err != nil {
				t.Fatal(err)
			}
			want := s.Run()
			data, err := json.Marshal(FromScenario(sc, bounds))
			if err != nil {
				t.Fatal(err)
			}
			j, err := Decode(data)
			if err != nil {
				t.Fatalf("decode %s: %v", data, err)
			}
			var last Message
			Run(j, nil, 100, func(*explore.Search) string { return "" }, func(m Message) { last = m })
			if !last.Final() || last.Error != "" {
				t.Fatalf("the last message %+v is not an outcome", last)
			}
			out, err := json.Marshal(last)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeMessage(out)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Report, want) {
				t.Errorf("through JSON: %+v\nin process: %+v", got.Report, want)
			}
			if name != "exhausted" && want.Counterexample == nil {
				t.Errorf("the scenario found nothing: %+v", want)
			}
		})
	}
}

// Run posts progress as it goes (not final, the states growing), then one
// outcome, last; stop cuts the search where it says, by the bound it names.
func TestRunPostsProgressThenTheOutcome(t *testing.T) {
	j := FromScenario(scenarios(t)["exhausted"], explore.Bounds{})
	var msgs []Message
	Run(j, nil, 10, func(*explore.Search) string { return "" }, func(m Message) { msgs = append(msgs, m) })
	if len(msgs) < 3 {
		t.Fatalf("%d messages for a search of hundreds of states in tens", len(msgs))
	}
	for i, m := range msgs[:len(msgs)-1] {
		if m.Final() {
			t.Fatalf("message %d of %d is final: %+v", i, len(msgs), m)
		}
		if i > 0 && m.Report.States < msgs[i-1].Report.States {
			t.Errorf("message %d went back from %d states to %d", i, msgs[i-1].Report.States, m.Report.States)
		}
	}
	if last := msgs[len(msgs)-1]; !last.Final() || !last.Report.Exhausted {
		t.Errorf("the last message %+v is not the exhaustive outcome", last)
	}

	batches := 0
	var cut []Message
	Run(j, nil, 10, func(*explore.Search) string {
		if batches++; batches == 3 {
			return "memory"
		}
		return ""
	}, func(m Message) { cut = append(cut, m) })
	last := cut[len(cut)-1]
	if len(cut) != 3 || !last.Final() || last.Report.CutBy != "memory" || last.Report.Exhausted || last.Report.Violated {
		t.Errorf("cut at the third batch: %d messages, the last %+v", len(cut), last.Report)
	}
}

// A job that cannot run says why in one message, and Decode takes a job
// whole or not at all.
func TestBadJobsSayWhy(t *testing.T) {
	bad := FromScenario(scenarios(t)["exhausted"], explore.Bounds{})
	bad.Script = "c1: put k"
	var msgs []Message
	Run(bad, nil, 10, func(*explore.Search) string { return "" }, func(m Message) { msgs = append(msgs, m) })
	if len(msgs) != 1 || msgs[0].Error == "" || !msgs[0].Final() {
		t.Errorf("a script that does not parse: %+v", msgs)
	}
	bad = FromScenario(scenarios(t)["exhausted"], explore.Bounds{})
	bad.Config.W = 5
	msgs = nil
	Run(bad, nil, 10, func(*explore.Search) string { return "" }, func(m Message) { msgs = append(msgs, m) })
	if len(msgs) != 1 || !strings.Contains(msgs[0].Error, "W") {
		t.Errorf("W > N: %+v", msgs)
	}

	good, _ := json.Marshal(FromScenario(scenarios(t)["exhausted"], explore.Bounds{}))
	if _, err := Decode(good); err != nil {
		t.Fatalf("a good job: %v", err)
	}
	for name, data := range map[string]string{
		"not JSON":       "put k v1",
		"an array":       "[]",
		"unknown field":  strings.Replace(string(good), `"script"`, `"scirpt"`, 1),
		"two objects":    string(good) + string(good),
		"negative heap":  strings.Replace(string(good), `"bounds"`, `"max_heap_mb":-1,"bounds"`, 1),
		"a wrong type":   `{"script": 7}`,
		"nothing at all": "",
	} {
		if _, err := Decode([]byte(data)); err == nil {
			t.Errorf("%s: decoded %q", name, data)
		}
	}
	if _, err := DecodeMessage([]byte("{")); err == nil {
		t.Error("a message cut short decoded")
	}
}

// Whatever a page hands the worker, the job is refused or run, with a
// clear message either way, never a panic.
func FuzzJobNeverPanics(f *testing.F) {
	for _, sc := range scenarios(&testing.T{}) {
		b, _ := json.Marshal(FromScenario(sc, explore.Bounds{MaxStates: 50}))
		f.Add(b)
	}
	f.Add([]byte(`{"config":{"nodes":1000000,"vnodes":64,"n":3,"w":2,"r":2},"script":"c1: put k v1","bounds":{"max_states":10}}`))
	f.Add([]byte(`{"config":{"nodes":3,"n":3,"w":9,"r":2},"script":"c1: get k"}`))
	f.Add([]byte(`{"config":{"nodes":3,"vnodes":8,"n":3,"w":1,"r":1,"mode":"cp","versioning":"lww"},"script":"c1: put k v1 | c2: put k v2","property":"lost","settle_ticks":10000000000}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := Decode(data)
		if err != nil {
			return
		}
		j.Bounds.MaxStates = min(max(j.Bounds.MaxStates, 1), 50)
		j.Bounds.MaxDepth = min(max(j.Bounds.MaxDepth, 1), 20)
		var last Message
		Run(j, nil, 10, func(*explore.Search) string { return "" }, func(m Message) { last = m })
		if !last.Final() {
			t.Errorf("the last message %+v is not final", last)
		}
	})
}
