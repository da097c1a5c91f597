package explore

import (
	"reflect"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// A search whose states keep no cluster until expanded, each rebuilt from
// the trail, searches exactly as one that keeps them all: the same report
// (states generated, distinct, depth, counterexample) on the scenarios of
// the sleep-set test (strict, sloppy, pinned, skewed, crashes, partitions,
// the lost write) and on three with a counterexample.
func TestRebuiltStatesSearchAlike(t *testing.T) {
	type scenario struct {
		name string
		sc   Scenario
	}
	var cases []scenario
	for _, tc := range sleepCases() {
		cases = append(cases, scenario{tc.name, Scenario{Config: tc.cfg, Script: mustScript(t, tc.script), Property: tc.prop, Budget: tc.budget, K: 5}})
	}
	weak := smallConfig()
	weak.W, weak.R = 1, 1
	sloppy := smallConfig()
	sloppy.Mode = core.Sloppy
	lww := smallConfig()
	lww.Versioning, lww.SkewTicks = core.LWW, []int64{0, 0, 30}
	cases = append(cases,
		scenario{"weak quorum, stale", Scenario{Config: weak, Script: mustScript(t, "c1: put k v1 ; c2: get k"), Property: core.PropStale}},
		scenario{"sloppy, a partition, stale", Scenario{Config: sloppy, Script: mustScript(t, "c1@n0: put k v1 ; c2@n1: get k"), Property: core.PropStale, Budget: Budget{Partitions: 1}}},
		scenario{"skew, lost", Scenario{Config: lww, Script: mustScript(t, "c1: put k v1 | c2: put k v2"), Property: core.PropLost}},
	)
	if testing.Short() {
		cases = cases[:3]
	}
	for _, tc := range cases {
		run := func(hold int) (Report, int) {
			defer func(max, few int) { holdStates, holdFew = max, few }(holdStates, holdFew)
			holdStates, holdFew = hold, hold
			s, err := New(tc.sc, Bounds{MaxStates: 300_000})
			if err != nil {
				t.Fatal(err)
			}
			return s.Run(), s.rebuilds
		}
		kept, none := run(1 << 30)
		rebuilt, steps := run(0)
		if none != 0 || steps == 0 {
			t.Fatalf("%s: %d steps replayed keeping every cluster, %d keeping none", tc.name, none, steps)
		}
		if !reflect.DeepEqual(kept, rebuilt) {
			t.Errorf("%s: keeping the clusters %+v\nrebuilding them %+v", tc.name, kept, rebuilt)
		}
		t.Logf("%s: %d distinct states expanded from rebuilt clusters, %d steps replayed", tc.name, rebuilt.Expanded, steps)
	}
}

// A level that outgrows holdStates keeps the clusters of its first
// holdFew states only, from then on, and so does every level once the
// search is told to Shed; the search is the same.
func TestALargeLevelKeepsFewClusters(t *testing.T) {
	sc := Scenario{Config: smallConfig(), Script: mustScript(t, "c1: put k v1 | c2: put k v2 ; c1: get k"), Property: core.PropStale}
	sc.Config.W, sc.Config.R = 2, 2
	search := func(max, few int, check func(*Search)) Report {
		defer func(max, few int) { holdStates, holdFew = max, few }(holdStates, holdFew)
		holdStates, holdFew = max, few
		s, err := New(sc, Bounds{})
		if err != nil {
			t.Fatal(err)
		}
		for !s.Step(50) {
			check(s)
		}
		return s.Report()
	}
	all := search(1<<30, 1<<30, func(*Search) {})
	outgrown := 0
	some := search(300, 60, func(s *Search) {
		kept := 0
		for _, st := range s.next {
			if st.c != nil {
				kept++
			}
		}
		switch {
		case len(s.next)-s.bare > 300:
			outgrown++
			if kept > 60 {
				t.Fatalf("a level of %d states keeps %d clusters, want 60", len(s.next), kept)
			}
		case kept+s.bare != len(s.next):
			t.Fatalf("a level of %d states keeps %d clusters, want all but the %d that waited for it without", len(s.next), kept, s.bare)
		}
	})
	if outgrown == 0 {
		t.Fatal("no level outgrew 300 states")
	}
	if !reflect.DeepEqual(all, some) {
		t.Errorf("keeping every cluster %+v\nkeeping a few of large levels %+v", all, some)
	}
	// Shed, as a caller short of memory asks: from then on no level keeps
	// more than holdFew.
	calls := 0
	shed := search(1<<30, 200, func(s *Search) {
		if calls++; calls == 20 {
			s.Shed()
		}
		kept := 0
		for _, st := range s.next {
			if st.c != nil {
				kept++
			}
		}
		if calls >= 20 && kept > 200 {
			t.Fatalf("after Shed a level of %d states keeps %d clusters, want at most 200", len(s.next), kept)
		}
	})
	if !reflect.DeepEqual(all, shed) {
		t.Errorf("keeping every cluster %+v\nshedding them %+v", all, shed)
	}
}

// WatchMemory: nothing below three fifths of the bound, Shed past them,
// cut past the bound; no bound, nothing.
func TestWatchMemory(t *testing.T) {
	for _, tc := range []struct {
		used, bound uint64
		cut, shed   bool
	}{
		{100, 0, false, false},
		{50, 100, false, false},
		{60, 100, false, false},
		{61, 100, false, true},
		{100, 100, false, true},
		{101, 100, true, false},
	} {
		s, err := New(Scenario{Config: smallConfig(), Script: mustScript(t, "c1: put k v1"), Property: core.PropStale}, Bounds{})
		if err != nil {
			t.Fatal(err)
		}
		if cut := s.WatchMemory(tc.used, tc.bound); cut != tc.cut {
			t.Errorf("%d of %d: cut %v, want %v", tc.used, tc.bound, cut, tc.cut)
		}
		if shed := s.holdLevel == s.holdFew; shed != tc.shed {
			t.Errorf("%d of %d: shed %v, want %v", tc.used, tc.bound, shed, tc.shed)
		}
	}
}
