package explore

import (
	"fmt"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// A state where every operation returned is told apart by its history
// alone (admitFinal). Told apart whole instead, as any other state, the
// search tries the same states in the same order: it gives the same
// answer and counterexample, it meets the same final histories, each first
// at the same depth, and the final states of one history break the same
// properties, every one of them.
func TestFinalStatesToldApartByTheirHistory(t *testing.T) {
	var cases []searchCase
	for _, c := range sleepCases() {
		if c.prop != core.PropLost {
			cases = append(cases, c)
		}
	}
	weak := smallConfig()
	weak.Nodes, weak.W, weak.R = 3, 1, 1
	weak.ReadRepair = false
	lww := smallConfig()
	lww.Versioning = core.LWW
	lww.Nodes, lww.W, lww.R = 3, 2, 2
	lww.SkewTicks = []int64{0, 0, -40}
	cases = append(cases,
		searchCase{"W=1 R=1, a stale read", weak, "c1: put k v1 ; c2: get k", core.PropStale, Budget{}},
		searchCase{"two writers, siblings", smallConfig(), "c1: put k v1 | c2: put k v2 ; c3: get k", core.PropSiblings, Budget{}},
		searchCase{"skewed last-write-wins, a write then a read", lww, "c1: put k v1 ; c2: get k", core.PropStale, Budget{}},
	)
	if testing.Short() {
		cases = cases[:3]
	}
	for _, c := range cases {
		sc := Scenario{Config: c.cfg, Script: mustScript(t, c.script), Property: c.prop, Budget: c.budget, K: 1}
		run := func(whole bool) (Report, map[uint64]int) {
			s, err := New(sc, Bounds{MaxStates: 300_000})
			if err != nil {
				t.Fatal(err)
			}
			// (Both expand the states whose every end was met, which
			// only the search by history can tell: endsMet.)
			s.wholeFinals, s.foreseeOff = whole, true
			first := map[uint64]int{}
			verdicts := map[uint64]string{}
			s.onFinal = func(cl *core.Cluster, depth int) {
				h := s.finalDigest(cl, s.historyDigest(cl, 0)) // least over the renamings
				if d, ok := first[h]; !ok || depth < d {
					first[h] = depth
				}
				v := verdictsOf(cl)
				if w, ok := verdicts[h]; ok && w != v {
					t.Errorf("%s: one history digest, two verdicts: %s and %s", c.name, w, v)
				}
				verdicts[h] = v
			}
			return s.Run(), first
		}
		r, byHistory := run(false)
		w, whole := run(true)
		t.Logf("%s: %d final histories; %d distinct states, %d told apart whole", c.name, len(whole), r.DistinctStates, w.DistinctStates)
		if r.CutBy != "" || w.CutBy != "" {
			t.Fatalf("%s: cut: %+v %+v", c.name, r, w)
		}
		if r.Violated != w.Violated || r.Exhausted != w.Exhausted || r.Depth != w.Depth || r.States != w.States ||
			fmt.Sprint(r.Counterexample) != fmt.Sprint(w.Counterexample) {
			t.Errorf("%s: by history %+v, whole %+v", c.name, r, w)
		}
		if r.DistinctStates > w.DistinctStates {
			t.Errorf("%s: more distinct states by history (%d) than whole (%d)", c.name, r.DistinctStates, w.DistinctStates)
		}
		if len(byHistory) != len(whole) {
			t.Errorf("%s: %d final histories by history, %d whole", c.name, len(byHistory), len(whole))
		}
		for h, d := range whole {
			if byHistory[h] != d {
				t.Errorf("%s: a history first met in %d steps, by history in %d (0: never)", c.name, d, byHistory[h])
			}
		}
	}
}

// verdictsOf is which operations break each property of the history.
func verdictsOf(c *core.Cluster) string {
	out := ""
	for _, p := range []core.Property{core.PropStale, core.PropRYW, core.PropMonotonic, core.PropSiblings} {
		for _, v := range c.Violations(p, 1) {
			out += fmt.Sprintf("%s:%d ", p, v.Op)
		}
	}
	return out
}
