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
			s, err := New(tc.sc, Bounds{MaxStates: 300_000})
			if err != nil {
				t.Fatal(err)
			}
			s.holdMax = hold
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
