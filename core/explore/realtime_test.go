package explore

import (
	"runtime"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// A search digests its states keeping only what the property reads of real
// time (core.Property.RealTime, core.Cluster.DigestRealTime), with the
// operations named by client, not by the order they were invoked in. So
// it reaches, each first at the same depth as the search without
// reductions, every final history as the property reads it (the pairs it
// reads of "returned before began", written by historyRead), and meets
// fewer states than when its digests keep every pair. Scenarios where the
// property holds, so that both searches go to the end.
func TestDigestsKeepWhatThePropertyReads(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" {
		t.Skip("searches each scenario three times")
	}
	strict, weak := threeNodes()
	for _, tc := range []struct {
		name   string
		p      core.Property
		cfg    core.Config
		script string
		budget Budget
	}{
		{"stale: a put and a get, then a get", core.PropStale, strict, "c1@n0: put k v1 | c2@n1: get k ; c3: get k", Budget{}},
		{"stale: a put and a get, a crash", core.PropStale, strict, "c1@n0: put k v1 | c2@n1: get k", Budget{Crashes: 1}},
		{"read-your-writes: a put and a get, then the writer's get", core.PropRYW, strict, "c1@n0: put k v1 | c2@n1: get k ; c1@n1: get k", Budget{}},
		{"monotonic reads: a get and a put, then the reader's get", core.PropMonotonic, strict, "c1@n0: get k | c2@n1: put k v1 ; c1@n2: get k", Budget{}},
		{"siblings: a put and a get, then a put, a crash", core.PropSiblings, weak, "c1@n0: put k v1 | c2@n1: get k ; c3@n2: put k v2", Budget{Crashes: 1}},
	} {
		sc := Scenario{Config: tc.cfg, Script: mustScript(t, tc.script), Property: tc.p, K: MaxOps, Budget: tc.budget}
		rt := tc.p.RealTime()
		write := historiesUpTo(sc.Script, rt.Reads)
		reduced, r := finalHistoriesKeeping(t, sc, false, rt, write)
		full, f := finalHistoriesKeeping(t, sc, true, rt, write)
		_, all := finalHistoriesKeeping(t, sc, false, core.RealTimeAll, write)
		if r.CutBy != "" || f.CutBy != "" || r.Violated || f.Violated || all.Violated {
			t.Fatalf("%s: reduced %+v, full %+v", tc.name, r, f)
		}
		sameHistories(t, tc.name, reduced, full)
		if r.DistinctStates >= all.DistinctStates {
			t.Errorf("%s: %d distinct states keeping what %s reads of real time, %d keeping it all", tc.name, r.DistinctStates, tc.p, all.DistinctStates)
		}
		t.Logf("%s: %d histories as %s reads them; %d distinct states, %d keeping all of real time, %d full", tc.name, len(full), tc.p, r.DistinctStates, all.DistinctStates, f.DistinctStates)
	}
}
