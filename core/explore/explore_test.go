package explore

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

func smallConfig() core.Config {
	cfg := core.DefaultConfig()
	cfg.Nodes, cfg.VNodes = 4, 8
	cfg.Mode = core.Strict
	return cfg
}

func mustScript(t testing.TB, s string) Script {
	t.Helper()
	sc, err := ParseScript(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func search(t *testing.T, sc Scenario, b Bounds) Report {
	t.Helper()
	s, err := New(sc, b)
	if err != nil {
		t.Fatal(err)
	}
	return s.Run()
}

// checkReplay replays a counterexample and checks that the property is
// broken at its end, as the search said.
func checkReplay(t *testing.T, sc Scenario, r Report) {
	t.Helper()
	ce := r.Counterexample
	if ce == nil {
		t.Fatalf("no counterexample in %+v", r)
	}
	c, err := core.Replay(ce.Config, ce.Schedule, ce.Tick)
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	if sc.Property == core.PropLost {
		if rep := c.Settle(1000); rep.LostWrites == 0 {
			t.Errorf("the replay lost no write: %+v", rep)
		}
		// The violating operation is the put the violation names, lost
		// in the replay.
		named := false
		for _, lw := range c.LostWriteOps() {
			named = named || (lw.Op == ce.Op && strings.HasSuffix(ce.Violation, ": "+lw.Name))
		}
		if !named {
			t.Errorf("op %d is not the lost put %q names; the replay lost %+v", ce.Op, ce.Violation, c.LostWriteOps())
		}
		return
	}
	vs := core.HistoryViolations(sc.Property, sc.K, c.History(), ce.Config.Versioning)
	if len(vs) == 0 || vs[0].Op != ce.Op || vs[0].Text != ce.Violation {
		t.Errorf("the replay's violations %+v do not reproduce op %d: %s", vs, ce.Op, ce.Violation)
	}
}

// N=3 W=1 R=1: a read that begins after the write was acknowledged can ask
// a replica the write has not reached.
func TestWeakQuorumStaleReadFoundInAFewSteps(t *testing.T) {
	cfg := smallConfig()
	cfg.W, cfg.R = 1, 1
	sc := Scenario{Config: cfg, Script: mustScript(t, "c1: put k v1 ; c2: get k"), Property: core.PropStale}
	r := search(t, sc, Bounds{})
	if !r.Violated || r.Depth > 4 {
		t.Fatalf("want a stale read within 4 steps: %+v", r)
	}
	if !strings.Contains(r.Counterexample.Violation, "c2's get k returned nothing, missing c1's put k=v1") {
		t.Errorf("violation %q", r.Counterexample.Violation)
	}
	checkReplay(t, sc, r)
}

// N=3 W=2 R=2 strict with the read write-back: no schedule gives a stale
// read, and the whole space is searched.
func TestStrictQuorumNoStaleReadExhausted(t *testing.T) {
	if testing.Short() {
		t.Skip("searches the whole space")
	}
	cfg := smallConfig()
	cfg.W, cfg.R = 2, 2
	sc := Scenario{Config: cfg, Script: mustScript(t, "c1: put k v1 ; c2: get k"), Property: core.PropStale, Budget: Budget{Drops: 1}}
	r := search(t, sc, Bounds{})
	if r.Violated || !r.Exhausted {
		t.Fatalf("want no stale read, exhausted: %+v", r)
	}
	t.Logf("%+v", r)
}

// Sloppy quorums with one partition: the write's acknowledgements may come
// from stand-ins, so W+R>N does not make the read overlap it. The shortest
// counterexample needs no partition at all: replicas slow to answer (the
// half-timeout firing) are enough to bring stand-ins in.
func TestSloppyQuorumPartitionStaleRead(t *testing.T) {
	cfg := smallConfig()
	cfg.Mode = core.Sloppy
	cfg.W, cfg.R = 2, 2
	sc := Scenario{Config: cfg, Script: mustScript(t, "c1: put k v1 ; c2: get k"), Property: core.PropStale, Budget: Budget{Partitions: 1}}
	r := search(t, sc, Bounds{})
	if !r.Violated {
		t.Fatalf("want a stale read: %+v", r)
	}
	checkReplay(t, sc, r)
	standIns := false
	for _, rec := range r.Counterexample.Schedule {
		standIns = standIns || rec.Cmd.Kind == core.CmdPartition || rec.Cmd.Param == "half"
	}
	if !standIns {
		t.Errorf("the counterexample brings in no stand-in: %+v", r.Counterexample.Schedule)
	}
}

// Last-write-wins with a clock running ahead on one node: a later write,
// acknowledged, loses to an earlier one and is lost. Vector clocks keep
// both as siblings instead.
func TestSkewLosesWritesUnderLWWNotUnderVectorClocks(t *testing.T) {
	script := "c1: put k v1 ; c2: put k v2 ; c1: get k"
	cfg := smallConfig()
	cfg.W, cfg.R = 2, 2
	cfg.SkewTicks = []int64{20}
	lww := cfg
	lww.Versioning = core.LWW
	sc := Scenario{Config: lww, Script: mustScript(t, script), Property: core.PropLost}
	r := search(t, sc, Bounds{MaxStates: 200_000})
	if !r.Violated {
		t.Fatalf("last-write-wins: want a lost write: %+v", r)
	}
	checkReplay(t, sc, r)

	vc := Scenario{Config: cfg, Script: mustScript(t, script), Property: core.PropSiblings, K: 1}
	r = search(t, vc, Bounds{})
	if !r.Violated {
		t.Fatalf("vector clocks: want siblings: %+v", r)
	}
	checkReplay(t, vc, r)
}

// Vector clocks in the same scenario lose no write (a bounded search: the
// settle after every schedule makes the whole space slow).
func TestVectorClocksLoseNoWriteUnderSkew(t *testing.T) {
	if testing.Short() {
		t.Skip("settles thousands of schedules")
	}
	cfg := smallConfig()
	cfg.W, cfg.R = 2, 2
	cfg.SkewTicks = []int64{20}
	sc := Scenario{Config: cfg, Script: mustScript(t, "c1@n0: put k v1 ; c2@n1: put k v2"), Property: core.PropLost}
	r := search(t, sc, Bounds{})
	if r.Violated || !r.Exhausted {
		t.Fatalf("want no lost write, exhausted: %+v", r)
	}
}

// The step API does the same search in slices, and stops at the bounds.
func TestStepAndBounds(t *testing.T) {
	cfg := smallConfig()
	cfg.W, cfg.R = 2, 2
	sc := Scenario{Config: cfg, Script: mustScript(t, "c1: put k v1 ; c2: get k"), Property: core.PropStale}
	whole := search(t, sc, Bounds{MaxStates: 50})
	s, _ := New(sc, Bounds{MaxStates: 50})
	steps := 0
	for !s.Step(7) {
		steps++
	}
	if r := s.Report(); r != whole || steps < 10 {
		t.Errorf("stepped by 7: %+v after %d steps, in one go %+v", r, steps, whole)
	}
	// A step of one tries one state at most, however many choices the
	// state it comes from has: a caller slicing by time waits for one.
	s, _ = New(sc, Bounds{MaxStates: 50})
	for prev := s.Report().States; !s.Step(1); prev = s.Report().States {
		if got := s.Report().States - prev; got > 1 {
			t.Fatalf("Step(1) tried %d states", got)
		}
	}
	if r := s.Report(); r != whole {
		t.Errorf("stepped by 1: %+v, in one go %+v", r, whole)
	}
	if whole.Exhausted || whole.CutBy != "states" || whole.DistinctStates != 50 {
		t.Errorf("cut by states: %+v", whole)
	}
	r := search(t, sc, Bounds{MaxDepth: 3})
	if r.Exhausted || r.CutBy != "depth" || r.Depth != 3 {
		t.Errorf("cut by depth: %+v", r)
	}
}

func TestScenarioErrors(t *testing.T) {
	cfg := smallConfig()
	ok := Scenario{Config: cfg, Script: mustScript(t, "c1: get k"), Property: core.PropStale}
	for _, tc := range []struct {
		name string
		edit func(*Scenario)
		want string
	}{
		{"W>N", func(s *Scenario) { s.Config.W = 4 }, "W=4 must be between 1 and N=3"},
		{"budget", func(s *Scenario) { s.Budget.Drops = 9 }, "drops=9 must be between 0 and 3"},
		{"property", func(s *Scenario) { s.Property = "fresh" }, "property \"fresh\" is unknown"},
		{"pinned", func(s *Scenario) { s.Script = mustScript(t, "c1@n7: get k") }, "pins n7"},
		{"checker", func(s *Scenario) { s.Property = core.PropLinearizable }, "needs a checker"},
		{"settle", func(s *Scenario) { s.SettleTicks = 1e9 }, "settle ticks=1000000000 must be between 0"},
		{"negative settle", func(s *Scenario) { s.SettleTicks = -1 }, "settle ticks=-1 must be between 0"},
	} {
		sc := ok
		tc.edit(&sc)
		if _, err := New(sc, Bounds{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := New(ok, Bounds{MaxDepth: -1}); err == nil {
		t.Errorf("a negative depth was accepted")
	}
}

func TestParseScript(t *testing.T) {
	s, err := ParseScript("c1: put k v1 | c2@n1: put k v2 ; c1: get k")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); got != "c1: put k v1 | c2@n1: put k v2 ; c1: get k" {
		t.Errorf("round trip: %q", got)
	}
	if len(s.Groups) != 2 || s.Groups[0][1].Node != 1 || s.Groups[1][0].Kind != core.OpGet {
		t.Errorf("parsed %+v", s)
	}
	for _, tc := range []struct{ in, want string }{
		{"", "empty"},
		{"c1 put k v", "expected"},
		{"c0: get k", "c1 to c9"},
		{"c1@x: get k", "coordinator"},
		{"c1: take k", "put KEY VALUE"},
		{"c1: put k v | c1: get k", "twice in one concurrent group"},
		{"c1: put k v ; c2: put k v", "written twice"},
		{"c1: get a; c1: get b; c1: get c; c1: get d; c1: get e; c1: get f; c1: get g; c1: get h; c1: get i", "at most 8"},
	} {
		if _, err := ParseScript(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.want)
		}
	}
}

// The narration tells the counterexample in words, one line a step.
func TestNarrate(t *testing.T) {
	cfg := smallConfig()
	cfg.W, cfg.R = 1, 1
	sc := Scenario{Config: cfg, Script: mustScript(t, "c1: put k v1 ; c2: get k"), Property: core.PropStale}
	r := search(t, sc, Bounds{})
	lines, err := Narrate(r.Counterexample)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(lines, "\n")
	if len(lines) != len(r.Counterexample.Schedule) ||
		!strings.Contains(text, "c1's put k=v1 starts at n") ||
		!strings.Contains(text, "c1's put k=v1 is acknowledged") ||
		!strings.Contains(text, "c2's get k returns nothing (what its first R=1 replies held, once W=1 replicas hold it)") {
		t.Errorf("narration:\n%s", text)
	}
	t.Logf("\n%s", text)
	// Without the write-back a get answers at R replies: nothing to add.
	sc.Config.ReadRepair = false
	lines, err = Narrate(search(t, sc, Bounds{}).Counterexample)
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(lines, "\n"); !strings.HasSuffix(text, "c2's get k returns nothing") {
		t.Errorf("narration without read repair:\n%s", text)
	}
}

// The reductions (faultsSubsumed, losses, inert messages and the state
// hash's leaving out what can never act again) change how much is
// searched, never the answer: with them and without, each scenario is
// violated or not alike, with a counterexample of the same length, and an
// exhausted space stays exhausted.
func TestReductionsKeepTheAnswer(t *testing.T) {
	strict := smallConfig()
	strict.Nodes, strict.W, strict.R = 3, 2, 2
	sloppy := strict
	sloppy.Nodes = 4
	sloppy.Mode = core.Sloppy
	weak := strict
	weak.W, weak.R = 1, 1
	lww := strict
	lww.Versioning = core.LWW
	lww.SkewTicks = []int64{20}
	noRepair := strict
	noRepair.ReadRepair = false
	sloppyWeak := sloppy
	sloppyWeak.W, sloppyWeak.R = 1, 1
	// Four nodes, any coordinators: n0 replicates no key, the others are
	// interchangeable (symmetry).
	strict4 := smallConfig()
	strict4.W, strict4.R = 2, 2
	weak4 := strict4
	weak4.W, weak4.R = 1, 1
	cases := []struct {
		name   string
		cfg    core.Config
		script string
		prop   core.Property
		budget Budget
	}{
		{"strict stale, a partition", strict, "c1: put k v1 ; c2: get k", core.PropStale, Budget{Partitions: 1}},
		{"strict stale, a drop", strict, "c1: put k v1 ; c2: get k", core.PropStale, Budget{Drops: 1}},
		{"weak stale, a partition", weak, "c1: put k v1 ; c2: get k", core.PropStale, Budget{Partitions: 1}},
		{"sloppy stale, a partition and a drop", sloppy, "c1: put k v1 ; c2: get k", core.PropStale, Budget{Partitions: 1, Drops: 1}},
		{"strict read-your-writes, a partition", strict, "c1: put k v1 ; c1: get k", core.PropRYW, Budget{Partitions: 1}},
		{"strict lost, a partition", strict, "c1@n0: put k v1 | c2@n1: put k v2", core.PropLost, Budget{Partitions: 1}},
		{"lww lost, a partition", lww, "c1@n0: put k v1 ; c2@n1: put k v2", core.PropLost, Budget{Partitions: 1}},
		{"weak lost, a partition and a drop", weak, "c1@n0: put k v1", core.PropLost, Budget{Partitions: 1, Drops: 1}},
		// No faults: what the inert messages and answered requests save.
		{"strict stale, two writers then a read", strict, "c1@n0: put k v1 | c2@n1: put k v2 ; c1@n2: get k", core.PropStale, Budget{}},
		{"weak stale, two writers then a read", weak, "c1@n0: put k v1 | c2@n1: put k v2 ; c1: get k", core.PropStale, Budget{}},
		{"strict siblings", strict, "c1@n0: put k v1 | c2@n1: put k v2 ; c1: get k", core.PropSiblings, Budget{}},
		{"weak monotonic reads", weak, "c1: put k v1 ; c2@n1: get k ; c2@n2: get k", core.PropMonotonic, Budget{}},
		{"without read repair, two reads", noRepair, "c1@n0: put k v1 ; c2@n1: get k ; c3@n2: get k", core.PropStale, Budget{}},
		{"sloppy weak stale, a crash", sloppyWeak, "c1@n0: put k v1 ; c2@n1: get k", core.PropStale, Budget{Crashes: 1}},
		{"strict lost, a crash", strict, "c1@n0: put k v1 | c2@n1: put k v2", core.PropLost, Budget{Crashes: 1}},
		// Interchangeable nodes.
		{"four nodes strict stale", strict4, "c1: put k v1 ; c2: get k", core.PropStale, Budget{}},
		{"four nodes strict stale, a crash", strict4, "c1: put k v1 ; c2: get k", core.PropStale, Budget{Crashes: 1}},
		{"four nodes weak stale", weak4, "c1: put k v1 ; c2: get k", core.PropStale, Budget{}},
		{"four nodes weak siblings", weak4, "c1: put k v1 | c2: put k v2 ; c1: get k", core.PropSiblings, Budget{}},
		{"three nodes strict read-your-writes", strict, "c1: put k v1 ; c1: get k", core.PropRYW, Budget{Crashes: 1}},
		// Crashes offered only where they matter (crashMatters).
		{"weak stale, two writers then a read, a crash", weak, "c1@n0: put k v1 | c2@n1: put k v2 ; c1: get k", core.PropStale, Budget{Crashes: 1}},
		{"strict siblings, a crash", strict, "c1@n0: put k v1 | c2@n1: put k v2 ; c1: get k", core.PropSiblings, Budget{Crashes: 1}},
		{"weak read-your-writes, a crash", weak, "c1: put k v1 ; c1: get k", core.PropRYW, Budget{Crashes: 1}},
		{"weak monotonic reads, a crash", weak, "c1: put k v1 ; c2@n1: get k ; c2@n2: get k", core.PropMonotonic, Budget{Crashes: 1}},
		// Clients alike, with their values (relabelings).
		{"weak stale, two writers then two readers", weak, "c1: put k v1 | c2: put k v2 ; c1: get k | c2: get k", core.PropStale, Budget{}},
		{"strict siblings, two writers then two readers", strict, "c1: put k v1 | c2: put k v2 ; c1: get k | c2: get k", core.PropSiblings, Budget{}},
		{"four nodes weak read-your-writes, two writers then two readers", weak4, "c1: put k v1 | c2: put k v2 ; c1: get k | c2: get k", core.PropRYW, Budget{}},
		{"strict stale, a write then two readers", strict, "c1@n0: put k v1 ; c2@n1: get k | c3@n1: get k", core.PropStale, Budget{}},
		{"strict stale, two writers, a crash", strict, "c1@n0: put k v1 | c2@n0: put k v2 ; c3@n1: get k", core.PropStale, Budget{Crashes: 1}},
	}
	if testing.Short() {
		cases = cases[2:3]
	}
	for _, tc := range cases {
		sc := Scenario{Config: tc.cfg, Script: mustScript(t, tc.script), Property: tc.prop, Budget: tc.budget}
		if tc.prop == core.PropSiblings {
			sc.K = 1
		}
		b := Bounds{MaxStates: 400_000}
		reduced, err := New(sc, b)
		if err != nil {
			t.Fatal(err)
		}
		full, _ := New(sc, b)
		full.setFull()
		r, f := reduced.Run(), full.Run()
		t.Logf("%s: reduced %d states (%d distinct), full %d (%d); violated %v/%v, exhausted %v/%v",
			tc.name, r.States, r.DistinctStates, f.States, f.DistinctStates, r.Violated, f.Violated, r.Exhausted, f.Exhausted)
		if f.CutBy == "states" {
			t.Fatalf("%s: the full search was cut by states: make the case smaller", tc.name)
		}
		if r.Violated != f.Violated || r.Exhausted != f.Exhausted || r.Depth > f.Depth {
			t.Errorf("%s: reduced %+v, full %+v", tc.name, r, f)
		}
		if r.Violated && len(r.Counterexample.Schedule) != len(f.Counterexample.Schedule) {
			t.Errorf("%s: counterexamples of %d and %d steps", tc.name, len(r.Counterexample.Schedule), len(f.Counterexample.Schedule))
		}
		if r.Violated {
			checkReplay(t, sc, r)
		}
		if tc.cfg.Mode == core.Strict && tc.prop != core.PropLost && !strings.Contains(tc.script, "@") && r.Interchangeable == "" {
			t.Errorf("%s: no interchangeable nodes were found", tc.name)
		}
		if alike := strings.Contains(tc.name, "readers") || strings.Contains(tc.name, "two writers, a crash"); alike != (r.AlikeClients != "") && tc.prop != core.PropLost && tc.cfg.Mode == core.Strict {
			t.Errorf("%s: alike clients %q", tc.name, r.AlikeClients)
		}
		if r.States > f.States || !r.Violated && r.States == f.States {
			t.Errorf("%s: the reduced search generated %d states, the full one %d", tc.name, r.States, f.States)
		}
		faults := tc.budget.Partitions > 0 || tc.budget.Drops > 0
		if want := tc.prop != core.PropLost && faults; r.Subsumed != want {
			t.Errorf("%s: report says faults subsumed %v, want %v", tc.name, r.Subsumed, want)
		}
	}
}

// terminals runs a lost-write search and returns the first few states in
// which every operation returned and something is still in flight.
func terminals(t *testing.T, sc Scenario, want int) []*state {
	t.Helper()
	s, err := New(sc, Bounds{})
	if err != nil {
		t.Fatal(err)
	}
	var out []*state
	seen := map[*state]bool{}
	for !s.Step(1) && len(out) < want {
		for _, l := range s.checks {
			if !seen[l.t] && len(l.t.c.Held()) >= 3 {
				seen[l.t] = true
				out = append(out, l.t)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no terminal state with messages in flight")
	}
	return out
}

// losses lists each set of messages a budget can lose after the last
// return once, by its fewest steps: the same sets, and the same step
// counts, as a search of every order of drops, partitions, deliveries
// across the cut and heals.
func TestLossesAreEveryWayToLoseByFewestSteps(t *testing.T) {
	cfg := smallConfig()
	cfg.W, cfg.R = 2, 2
	for _, b := range []Budget{{Drops: 1}, {Partitions: 1}, {Partitions: 1, Drops: 1}, {Partitions: 2}, {Drops: 2}} {
		sc := Scenario{Config: cfg, Script: mustScript(t, "c1: put k v1 | c2: put k v2"), Property: core.PropLost, Budget: b}
		s, _ := New(sc, Bounds{})
		for _, st := range terminals(t, sc, 5) {
			// Inert messages are the same lost or held (core.Cluster.Inert).
			held := slices.DeleteFunc(st.c.Held(), func(m core.Message) bool { return st.c.Inert(m.ID) })
			want := bruteLosses(held, b, s.nodes)
			got := map[uint64]int{}
			for _, l := range s.losses(st) {
				c := st.c.Clone()
				for _, cmd := range l.steps {
					c.Tick()
					if _, err := c.Apply(cmd); err != nil {
						t.Fatalf("%+v: step %v refused: %v", b, cmd, err)
					}
				}
				var lost uint64
				left := c.Held()
				for i, m := range held {
					if !slices.ContainsFunc(left, func(x core.Message) bool { return x.ID == m.ID }) {
						lost |= 1 << i
					}
				}
				if _, dup := got[lost]; dup {
					t.Errorf("%+v: the set %b is listed twice", b, lost)
				}
				got[lost] = len(l.steps)
			}
			if !maps.Equal(got, want) {
				t.Errorf("%+v, %d held: losses %v, every order gives %v", b, len(held), got, want)
			}
		}
	}
}

// bruteLosses tries every order of fault steps on the held messages and
// returns each nonempty set lost with its fewest steps.
func bruteLosses(held []core.Message, b Budget, nodes int) map[uint64]int {
	type st struct {
		lost         uint64
		drops, parts int
		side         uint64 // n0's side of the partition in force, 0 if none
	}
	dist := map[st]int{{}: 0}
	queue := []st{{}}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		var next []st
		for i := range held {
			if x.lost&(1<<i) != 0 {
				continue
			}
			if x.drops < b.Drops {
				y := x
				y.lost |= 1 << i
				y.drops++
				next = append(next, y)
			}
			m := held[i]
			if x.side != 0 && (x.side>>m.From)&1 != (x.side>>m.To)&1 {
				y := x
				y.lost |= 1 << i
				next = append(next, y)
			}
		}
		if x.side != 0 {
			y := x
			y.side = 0
			next = append(next, y)
		} else if x.parts < b.Partitions {
			for mask := 0; mask < 1<<(nodes-1)-1; mask++ {
				y := x
				y.side = uint64(mask)<<1 | 1
				y.parts++
				next = append(next, y)
			}
		}
		for _, y := range next {
			if _, ok := dist[y]; !ok {
				dist[y] = dist[x] + 1
				queue = append(queue, y)
			}
		}
	}
	out := map[uint64]int{}
	for x, d := range dist {
		if x.lost == 0 {
			continue
		}
		if e, ok := out[x.lost]; !ok || d < e {
			out[x.lost] = d
		}
	}
	return out
}

// A lost write that needs messages lost after the last return: the search
// finds it by its losses, as short as the search that tries faults at every
// step, and the schedule replays to a state that lost them. (The settle is
// replaced by one that calls a write lost when two messages were.)
func TestLossesAfterTheLastReturnFindTheShortest(t *testing.T) {
	cfg := smallConfig()
	cfg.Nodes, cfg.W, cfg.R = 3, 2, 2
	twoLost := func(c *core.Cluster) (string, int) {
		if c.Counters().MessagesDropped >= 2 {
			return "two messages lost", -1
		}
		return "", -1
	}
	for _, b := range []Budget{{Drops: 2}, {Partitions: 1}, {Partitions: 1, Drops: 1}} {
		sc := Scenario{Config: cfg, Script: mustScript(t, "c1@n0: put k v1"), Property: core.PropLost, Budget: b}
		reduced, _ := New(sc, Bounds{})
		full, _ := New(sc, Bounds{})
		full.setFull()
		reduced.settle, full.settle = twoLost, twoLost
		r, f := reduced.Run(), full.Run()
		t.Logf("%+v: reduced %d states, depth %d; full %d states, depth %d", b, r.States, r.Depth, f.States, f.Depth)
		if !r.Violated || !f.Violated {
			t.Fatalf("%+v: want both violated: reduced %+v, full %+v", b, r, f)
		}
		if steps(r.Counterexample) != steps(f.Counterexample) || r.Depth != steps(r.Counterexample) {
			t.Errorf("%+v: reduced %d steps (depth %d), full %d", b, steps(r.Counterexample), r.Depth, steps(f.Counterexample))
		}
		ce := r.Counterexample
		c, err := core.Replay(ce.Config, ce.Schedule[:len(ce.Schedule)-1], int64(steps(ce)))
		if err != nil {
			t.Fatal(err)
		}
		if c.Counters().MessagesDropped < 2 {
			t.Errorf("%+v: the replay lost %d messages: %v", b, c.Counters().MessagesDropped, ce.Schedule)
		}
	}
}

// For a property of the history a crash is offered alone only where it
// can give another history, or a shorter schedule to one (crashMatters):
// at a node that coordinates two requests whose clients wait, or one while
// an operation not yet issued may go there. A crash that makes an
// operation fail at once is offered with its issue (crashBeforeIssue), at
// a node that coordinates none. For the lost write, and in the search
// without reductions, a crash is offered alone everywhere, never with an
// issue.
func TestCrashOfferedWhereItMatters(t *testing.T) {
	crashes := func(s *Search, st *state) (alone, withIssue []core.NodeID) {
		for _, ch := range s.choices(st) {
			switch {
			case ch.cmd.Kind == core.CmdCrash:
				alone = append(alone, ch.cmd.Node)
			case ch.pre == preCrash:
				withIssue = append(withIssue, ch.cmd.Node)
			}
		}
		return alone, withIssue
	}
	isIssue := func(_ *state, ch choice) bool { return ch.op >= 0 && ch.pre == preNone }
	isDelivery := func(_ *state, ch choice) bool { return ch.cmd.Kind == core.CmdDeliver }
	all := []core.NodeID{0, 1, 2, 3}
	for _, tc := range []struct {
		script string
		prop   core.Property
		full   bool
		// the crashes offered alone and with an issue at the start, after
		// the first group is issued, and after it returned
		alone, withIssue [3][]core.NodeID
	}{
		// n0's put waits, and no operation left may go to n0: its timeout
		// gives what a crash would.
		{"c1@n0: put k v1 ; c2@n1: get k", core.PropStale, false, [3][]core.NodeID{nil, nil, nil}, [3][]core.NodeID{{0}, nil, {1}}},
		// The get may go to n0: crashed, it fails there at once.
		{"c1@n0: put k v1 ; c2: get k", core.PropStale, false, [3][]core.NodeID{nil, {0}, nil}, [3][]core.NodeID{{0}, nil, {0, 1, 2, 3}}},
		// Two requests wait at n0: a crash fails both in one step.
		{"c1@n0: put k v1 | c2@n0: get k", core.PropStale, false, [3][]core.NodeID{nil, {0}, nil}, [3][]core.NodeID{{0, 0}, nil, nil}},
		{"c1@n0: put k v1 ; c2@n1: get k", core.PropStale, true, [3][]core.NodeID{all, all, all}, [3][]core.NodeID{}},
		{"c1@n0: put k v1 ; c2@n1: get k", core.PropLost, false, [3][]core.NodeID{all, all, all}, [3][]core.NodeID{}},
	} {
		s, st := searchFrom(t, tc.script, tc.prop, tc.full)
		for phase := range 3 {
			alone, withIssue := crashes(s, st)
			if !slices.Equal(alone, tc.alone[phase]) || !slices.Equal(withIssue, tc.withIssue[phase]) {
				t.Errorf("%q %v, full %v, phase %d: crashes offered alone at %v and with an issue at %v, want %v and %v",
					tc.script, tc.prop, tc.full, phase, alone, withIssue, tc.alone[phase], tc.withIssue[phase])
			}
			switch phase { // on to the next phase
			case 0:
				for st.reqs[0] == 0 || len(s.sc.Script.Groups[0]) > 1 && st.reqs[1] == 0 {
					st = stepBy(t, s, st, isIssue)
				}
			case 1:
				for st.returned < len(s.sc.Script.Groups[0]) {
					st = stepBy(t, s, st, isDelivery)
				}
			}
		}
	}
}

// A crash taken with an issue is two steps: its state is two levels on,
// the operation failed at once, and its schedule (crash, then issue)
// replays to the same state.
func TestCrashBeforeIssueIsTwoSteps(t *testing.T) {
	s, st := searchFrom(t, "c1@n0: put k v1 ; c2@n1: get k", core.PropStale, false)
	st = stepBy(t, s, st, func(_ *state, ch choice) bool { return ch.op >= 0 && ch.pre == preNone })
	for st.returned == 0 {
		st = stepBy(t, s, st, func(_ *state, ch choice) bool { return ch.cmd.Kind == core.CmdDeliver })
	}
	end := stepBy(t, s, st, func(_ *state, ch choice) bool { return ch.pre == preCrash })
	if end.depth != st.depth+2 || end.crashes != 1 || end.c.NodeUp(1) {
		t.Fatalf("depth %d after %d, %d crashes, n1 up %v", end.depth, st.depth, end.crashes, end.c.NodeUp(1))
	}
	if op, _ := end.c.Op(end.reqs[1]); op.OK || op.ReturnTick != op.InvokeTick {
		t.Errorf("the get at the crashed n1: %+v, want failed at once", op)
	}
	ce := s.counterexample(end, nil, "", 1)
	n := len(ce.Schedule)
	if n != end.depth || ce.Schedule[n-2].Cmd.Kind != core.CmdCrash || ce.Schedule[n-1].Cmd.Kind != core.CmdGet {
		t.Fatalf("schedule %+v", ce.Schedule)
	}
	c, err := core.Replay(ce.Config, ce.Schedule, ce.Tick)
	if err != nil {
		t.Fatal(err)
	}
	c.DigestRealTime(core.PropStale.RealTime()) // as the search's states are
	if c.StateHash() != end.c.StateHash() {
		t.Error("the schedule replays to another state")
	}
}

// For a property of the history a message to a node that is down is not
// delivered (that would only lose it, the same as holding it to the end),
// and the node is not restarted alone: a restart is taken with the step on
// the node it is for, a delivery there or an issue (restartBeforeStep).
// For the lost write, whose settling delivers what is held, and in the
// search without reductions, a delivery to a down node and a restart alone
// are offered.
func TestNoDeliveryToADownNode(t *testing.T) {
	for _, tc := range []struct {
		prop core.Property
		full bool
		// deliveries to the down node offered alone, a restart alone, and
		// restarts with a delivery and with an issue
		alone, restart, withDelivery, withIssue bool
	}{
		{core.PropStale, false, false, false, true, true},
		{core.PropStale, true, true, true, false, false},
		{core.PropLost, false, true, true, false, false},
	} {
		s, st := searchFrom(t, "c1@n0: put k v1 | c2: get k | c3: get k", tc.prop, tc.full)
		// Issue the put at n0 (its requests to the replicas are held), then
		// crash a replica it wrote to: alone, or where a crash alone would
		// not matter, with c2's get issued there (c3's is still to issue).
		st = stepBy(t, s, st, func(_ *state, ch choice) bool { return ch.cmd.Kind == core.CmdPut && ch.pre == preNone })
		st = stepBy(t, s, st, func(st *state, ch choice) bool {
			return (ch.cmd.Kind == core.CmdCrash || ch.pre == preCrash && ch.op == 1) && heldTo(st, ch.cmd.Node)
		})
		node := core.NoNode
		for n := range core.NodeID(st.c.Config().Nodes) {
			if !st.c.NodeUp(n) {
				node = n
			}
		}
		var alone, restart, withDelivery, withIssue bool
		for _, ch := range s.choices(st) {
			switch {
			case ch.cmd.Kind == core.CmdDeliver && ch.to == node:
				alone = alone || ch.pre == preNone
				withDelivery = withDelivery || ch.pre == preRestart
			case ch.cmd.Kind == core.CmdRestart:
				restart = true
			case ch.pre == preRestart && ch.op >= 0:
				withIssue = true
			}
		}
		if alone != tc.alone || restart != tc.restart || withDelivery != tc.withDelivery || withIssue != tc.withIssue {
			t.Errorf("%v, full %v, %v down: delivery alone %v, restart alone %v, restart with a delivery %v, with an issue %v; want %v %v %v %v",
				tc.prop, tc.full, node, alone, restart, withDelivery, withIssue, tc.alone, tc.restart, tc.withDelivery, tc.withIssue)
		}
	}
}

// searchFrom is a search of script on the small cluster (W = R = 2, one
// crash allowed) for p, with or without reductions, and its first state.
func searchFrom(t *testing.T, script string, p core.Property, full bool) (*Search, *state) {
	t.Helper()
	cfg := smallConfig()
	cfg.W, cfg.R = 2, 2
	s, err := New(Scenario{Config: cfg, Script: mustScript(t, script), Property: p, Budget: Budget{Crashes: 1}}, Bounds{})
	if err != nil {
		t.Fatal(err)
	}
	if full {
		s.setFull()
	}
	return s, s.level[0]
}

// stepBy takes from st the first choice that pick accepts, and returns the
// state it leads to, recorded in the trail (as if met: its schedule can be
// rebuilt).
func stepBy(t *testing.T, s *Search, st *state, pick func(*state, choice) bool) *state {
	t.Helper()
	for _, ch := range s.choices(st) {
		if pick(st, ch) {
			next := new(state)
			s.step(st, ch, next)
			s.record(next)
			return next
		}
	}
	t.Fatalf("no choice to take among %d", len(s.choices(st)))
	return nil
}

// heldTo reports whether a message to n is held in st.
func heldTo(st *state, n core.NodeID) bool {
	for _, m := range st.c.Held() {
		if m.To == n {
			return true
		}
	}
	return false
}
