package explore

import (
	"fmt"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// A state whose every end was met already is not expanded (endsMet): a
// search that expands it meets the same final histories, each first at
// the same depth, and gives the same answer and counterexample, trying
// more states. Where gets wait for the write-back (strict, read repair)
// most of the states near the end are such states.
func TestStatesWhoseEndsWereMetAreNotExpanded(t *testing.T) {
	type tc struct {
		name   string
		cfg    core.Config
		script string
		prop   core.Property
		budget Budget
	}
	var cases []tc
	for _, c := range sleepCases() {
		cases = append(cases, tc{c.name, c.cfg, c.script, c.prop, c.budget})
	}
	strict := smallConfig()
	strict.Nodes, strict.W, strict.R = 3, 2, 2
	weak := strict
	weak.W, weak.R, weak.ReadRepair = 1, 1, false
	sloppy := smallConfig()
	sloppy.Mode, sloppy.W, sloppy.R = core.Sloppy, 2, 2
	cases = append(cases,
		tc{"two writers then two readers", strict, "c1: put k v1 | c2: put k v2 ; c1: get k | c2: get k", core.PropStale, Budget{}},
		tc{"two readers, a crash", strict, "c1: put k v1 ; c1: get k | c2: get k", core.PropMonotonic, Budget{Crashes: 1}},
		tc{"W=1 R=1, a stale read", weak, "c1: put k v1 ; c2: get k | c3: get k", core.PropStale, Budget{}},
		tc{"sloppy, a partition, a stale read", sloppy, "c1: put k v1 ; c2: get k", core.PropStale, Budget{Partitions: 1}},
	)
	spared, writeBack := 0, 0
	for _, c := range cases {
		sc := Scenario{Config: c.cfg, Script: mustScript(t, c.script), Property: c.prop, Budget: c.budget, K: 1}
		run := func(off bool) (*Search, Report, map[uint64]int) {
			s, err := New(sc, Bounds{MaxStates: 300_000})
			if err != nil {
				t.Fatal(err)
			}
			s.foreseeOff = off
			first := map[uint64]int{}
			s.onFinal = func(cl *core.Cluster, depth int) {
				h := s.finalDigest(cl, s.historyDigest(cl, 0))
				if d, ok := first[h]; !ok || depth < d {
					first[h] = depth
				}
			}
			return s, s.Run(), first
		}
		s, r, met := run(false)
		_, all, expanded := run(true)
		t.Logf("%s: %d final histories; %d states tried, %d expanding every state; %d not expanded",
			c.name, len(expanded), r.States, all.States, s.foreseen)
		if r.CutBy != "" || all.CutBy != "" {
			t.Fatalf("%s: cut: %+v %+v", c.name, r, all)
		}
		if r.Violated != all.Violated || r.Exhausted != all.Exhausted || fmt.Sprint(r.Counterexample) != fmt.Sprint(all.Counterexample) {
			t.Errorf("%s: answers differ:\n%+v\n%+v", c.name, r, all)
		}
		if !r.Violated {
			// (A search that found a violation stops at its level: the
			// histories met up to there.)
			if len(met) != len(expanded) {
				t.Errorf("%s: %d final histories, %d expanding every state", c.name, len(met), len(expanded))
			}
			for h, d := range expanded {
				if e, ok := met[h]; !ok || e != d {
					t.Errorf("%s: a history first met at depth %d expanding every state is met at %d (0: never)", c.name, d, e)
				}
			}
		}
		if r.States > all.States {
			t.Errorf("%s: %d states tried, more than the %d expanding every state", c.name, r.States, all.States)
		}
		if s.foreseen > 0 {
			spared++
		}
		if c.cfg.Mode == core.Strict && c.cfg.ReadRepair && c.prop != core.PropLost && s.foreseen == 0 {
			t.Errorf("%s: no state spared, with gets waiting for the write-back", c.name)
		}
		if c.script == "c1: put k v1 | c2: put k v2 ; c1: get k | c2: get k" {
			writeBack = all.States - r.States
		}
	}
	if spared < len(cases)/2 || writeBack == 0 {
		t.Errorf("%d of %d scenarios spared states; two writers then two readers spared %d tries: want most, and some", spared, len(cases), writeBack)
	}
}
