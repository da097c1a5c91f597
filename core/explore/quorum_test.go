package explore

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// Tallies wait for the answer that completes their quorum (talliesWait):
// the search reaches every final history the search without reductions
// does, each first at the same depth, with fewer states than when tallies
// are delivered as any other reply. On four nodes with N=3 a request
// coordinated by n0, which holds no replica of k, counts every answer
// from the network, so with W=2 or R=2 its first answer is a tally.
func TestTalliesWait(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" {
		t.Skip("searches each scenario three times")
	}
	strict := smallConfig()
	noRepair := strict
	noRepair.ReadRepair = false
	allWrite := strict
	allWrite.W, allWrite.R = 3, 1
	allRead := strict
	allRead.W, allRead.R = 1, 3
	for _, tc := range []struct {
		name   string
		cfg    core.Config
		script string
		budget Budget
	}{
		{"a put and a get at n0", strict, "c1@n0: put k v1 | c2@n0: get k", Budget{}},
		{"a put at n0, then a get, a crash", strict, "c1@n0: put k v1 ; c2@n0: get k", Budget{Crashes: 1}},
		{"a put and a get at n0, no read repair", noRepair, "c1@n0: put k v1 | c2@n0: get k", Budget{}},
		{"W=3: a put at n0 and a get", allWrite, "c1@n0: put k v1 | c2@n1: get k", Budget{}},
		{"R=3: a put and a get at n0", allRead, "c1@n1: put k v1 | c2@n0: get k", Budget{}},
		{"two puts at n0", strict, "c1@n0: put k v1 | c2@n0: put k v2", Budget{Crashes: 1}},
	} {
		sc := Scenario{Config: tc.cfg, Script: mustScript(t, tc.script), Property: core.PropStale, Budget: tc.budget}
		write := historiesUpTo(sc.Script, core.RealTimeAll.Reads)
		reduced, r := finalHistoriesOf(t, sc, false, core.RealTimeAll, write, nil)
		full, f := finalHistoriesOf(t, sc, true, core.RealTimeAll, write, nil)
		_, off := finalHistoriesOf(t, sc, false, core.RealTimeAll, write, func(s *Search) { s.talliesOff = true })
		if r.CutBy != "" || f.CutBy != "" || off.CutBy != "" {
			t.Fatalf("%s: cut: reduced %+v, full %+v, tallies delivered %+v", tc.name, r, f, off)
		}
		sameHistories(t, tc.name, reduced, full)
		if r.DistinctStates >= off.DistinctStates {
			t.Errorf("%s: %d distinct states with tallies waiting, %d without", tc.name, r.DistinctStates, off.DistinctStates)
		}
		t.Logf("%s: %d histories; %d distinct states, %d with tallies delivered, %d full", tc.name, len(full), r.DistinctStates, off.DistinctStates, f.DistinctStates)
	}
}

// Random small scenarios on four strict nodes, where a request that n0
// coordinates waits for W or R answers from the network (W and R of 1 to
// 3, read repair on or off, up to one crash, coordinators pinned or not):
// the search with tallies waiting reaches the final histories of the
// search without reductions, each first at the same depth.
func TestTalliesWaitOnRandomScenarios(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" {
		t.Skip("searches each scenario twice, once without reductions")
	}
	rng := rand.New(rand.NewPCG(3, 12))
	compared, shortened := 0, 0
	for tries := 0; compared < 12 && tries < 100; tries++ {
		cfg := smallConfig()
		cfg.W, cfg.R = 1+rng.IntN(3), 1+rng.IntN(3)
		cfg.ReadRepair = rng.IntN(2) == 0
		script := randomScript(rng, 2+rng.IntN(2), func(i int) string {
			if i == 0 || rng.IntN(2) == 0 {
				return fmt.Sprintf("@n%d", rng.IntN(2)) // n0 or n1
			}
			return ""
		}, func(i int) int { return 1 + i%2 })
		parsed, err := ParseScript(script)
		if err != nil {
			continue
		}
		// A property no schedule breaks, so that both searches go to the end.
		sc := Scenario{Config: cfg, Script: parsed, Property: core.PropSiblings, K: MaxOps, Budget: Budget{Crashes: rng.IntN(2)}}
		name := fmt.Sprintf("%q W=%d R=%d, read repair %v, %d crashes", script, cfg.W, cfg.R, cfg.ReadRepair, sc.Budget.Crashes)
		write := historiesUpTo(sc.Script, core.RealTimeAll.Reads)
		full, f := finalHistoriesOf(t, sc, true, core.RealTimeAll, write, nil)
		if f.CutBy != "" || f.Violated {
			continue
		}
		reduced, r := finalHistoriesOf(t, sc, false, core.RealTimeAll, write, nil)
		_, off := finalHistoriesOf(t, sc, false, core.RealTimeAll, write, func(s *Search) { s.talliesOff = true })
		compared++
		if r.DistinctStates < off.DistinctStates {
			shortened++
		}
		sameHistories(t, name, reduced, full)
		t.Logf("%s: %d histories; %d distinct states, %d with tallies delivered, %d full", name, len(full), r.DistinctStates, off.DistinctStates, f.DistinctStates)
	}
	if compared < 12 || shortened < compared/2 {
		t.Errorf("%d scenarios compared, %d of them shortened by tallies waiting: want 12, most", compared, shortened)
	}
}
