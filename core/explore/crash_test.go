package explore

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// Random small scenarios with one or two crashes (strict and sloppy, W and
// R of 1 or 2, read repair on or off, coordinators pinned or not, the
// history properties) get the same answer, with a counterexample of the
// same length, with every reduction as without any: sleep sets, inert
// replies, interchangeable nodes, crashes tried only where they matter and
// no delivery to a node that is down among them. None of these scenarios
// needs a crash to break its property (the answers stay the same with no
// crash tried at all), so this does not show that crashMatters keeps every
// crash that matters: its comment argues that. (Not under js/wasm: the
// same search, four times slower.)
func TestRandomCrashScenariosKeepTheAnswer(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" {
		t.Skip("a search of twenty scenarios twice")
	}
	rng := rand.New(rand.NewPCG(7, 11))
	props := []core.Property{core.PropStale, core.PropRYW, core.PropMonotonic, core.PropSiblings}
	searched, violated := 0, 0
	for tries := 0; searched < 20 && tries < 200; tries++ {
		cfg := smallConfig()
		cfg.Nodes = 3
		cfg.W, cfg.R = 1+rng.IntN(2), 1+rng.IntN(2)
		if rng.IntN(3) == 0 {
			cfg.Mode, cfg.Nodes = core.Sloppy, 4
		}
		cfg.ReadRepair = rng.IntN(2) == 0
		script := ""
		for i := range 2 + rng.IntN(2) {
			if i > 0 {
				script += []string{" ; ", " | "}[rng.IntN(2)]
			}
			pin := ""
			if rng.IntN(2) == 0 {
				pin = fmt.Sprintf("@n%d", rng.IntN(cfg.Nodes))
			}
			if rng.IntN(2) == 0 {
				script += fmt.Sprintf("c%d%s: put k v%d", 1+rng.IntN(2), pin, i)
			} else {
				script += fmt.Sprintf("c%d%s: get k", 1+rng.IntN(2), pin)
			}
		}
		parsed, err := ParseScript(script)
		if err != nil {
			continue // a client twice in one concurrent group
		}
		sc := Scenario{Config: cfg, Script: parsed, Property: props[rng.IntN(len(props))], Budget: Budget{Crashes: 1 + rng.IntN(2)}, K: 1}
		b := Bounds{MaxStates: 150_000}
		reduced, err := New(sc, b)
		if err != nil {
			t.Fatalf("%s: %v", script, err)
		}
		full, _ := New(sc, b)
		full.full = true
		r, f := reduced.Run(), full.Run()
		if r.CutBy != "" || f.CutBy != "" {
			continue
		}
		searched++
		if r.Violated {
			violated++
		}
		name := fmt.Sprintf("%q %v, %v W=%d R=%d, read repair %v, %d crashes", script, sc.Property, cfg.Mode, cfg.W, cfg.R, cfg.ReadRepair, sc.Budget.Crashes)
		if r.Violated != f.Violated || r.Exhausted != f.Exhausted {
			t.Errorf("%s: reduced violated %v exhausted %v, full %v %v", name, r.Violated, r.Exhausted, f.Violated, f.Exhausted)
		} else if r.Violated && len(r.Counterexample.Schedule) != len(f.Counterexample.Schedule) {
			t.Errorf("%s: counterexamples of %d and %d steps", name, len(r.Counterexample.Schedule), len(f.Counterexample.Schedule))
		}
	}
	t.Logf("%d scenarios searched whole both ways, %d of them violated", searched, violated)
	if searched < 20 || violated == 0 || violated == searched {
		t.Errorf("%d scenarios searched, %d violated: want 20, some of each", searched, violated)
	}
}
