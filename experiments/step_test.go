package experiments

import (
	"slices"
	"testing"
	"time"
)

// maxStepUnits bounds the work of one Step(1) at the default sizes. Every
// piece that can be cut is at most a fraction of a unit past the budget of
// one; the largest piece that cannot is one movement measurement (10,000
// keys on 12 and 13 nodes, 6.7 units), which core/ring measures whole.
const maxStepUnits = 7

// defaultsOneSeed are an experiment's default parameters with one seed:
// the seeds repeat cells of the same size, so one is enough to meet the
// largest.
func defaultsOneSeed() map[string]float64 { return map[string]float64{"seeds": 1} }

// TestStepWorkIsBounded steps every experiment at its default sizes one
// unit at a time and wants no Step(1) to do more than maxStepUnits of work,
// counted by the engine (hashes, node-ticks, items), not timed.
func TestStepWorkIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every experiment at its default sizes")
	}
	for _, e := range All() {
		r, err := e.Start(defaultsOneSeed())
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		var worst Work
		steps := 0
		for done := false; !done; steps++ {
			done = r.Step(1)
			if w := r.LastStep(); w.Units() > worst.Units() {
				worst = w
			}
		}
		if worst.Units() > maxStepUnits {
			t.Errorf("%s: the largest Step(1) did %.2f units of work (%+v), want at most %v", e.Name, worst.Units(), worst, maxStepUnits)
		}
		if total := r.TotalWork().Units(); total/float64(steps) < 0.5 && steps > 1 {
			t.Errorf("%s: %d steps averaged %.2f units; Step(1) should do about one", e.Name, steps, total/float64(steps))
		}
	}
}

// TestStepSplitsLargeCells checks that the cells that used to be one long
// piece are cut: a Merkle comparison over 10,000 keys and a gossip run of
// 64 nodes each take many steps, and no step exceeds the bound.
func TestStepSplitsLargeCells(t *testing.T) {
	for _, tc := range []struct {
		name       string
		experiment string
		set        map[string]float64
		stepsMin   int
	}{
		// The last cell changes every key: building one tree is
		// keys*(depth+3) hashes, 10,000*13/4096 = 32 units, and changing
		// them keys*(depth+4) more.
		{"merkle, 10,000 keys, all divergent", "merkle", map[string]float64{"seeds": 1, "keys": 10_000}, 60},
		// 64 nodes for 2 rounds of 10 ticks before the join, then at
		// least as many to spread the news: 64*40 node-ticks, 40 units.
		{"gossip at 64 nodes", "gossip", map[string]float64{"seeds": 1, "nodes_max": 64}, 40},
	} {
		e, _ := Lookup(tc.experiment)
		r, err := e.Start(tc.set)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		// Count the steps that work on the last (largest) cell.
		last := len(r.s.cells) - 1
		cellSteps := 0
		for steps := 0; !r.Done(); steps++ {
			onLast := r.next == last
			r.Step(1)
			if u := r.LastStep().Units(); u > maxStepUnits {
				t.Errorf("%s: step %d did %.2f units (%+v)", tc.name, steps, u, r.LastStep())
			}
			if onLast {
				cellSteps++
			}
		}
		if cellSteps < tc.stepsMin {
			t.Errorf("%s: the last cell took %d Step(1) calls, want at least %d", tc.name, cellSteps, tc.stepsMin)
		}
	}
}

// BenchmarkWorstStep steps each experiment at its default sizes (one seed)
// one unit at a time, as the lab does within a frame, and reports the
// slowest Step(1) (the least of the iterations' worst, to leave out
// pauses of the machine), the mean step, and the work of the largest step.
// ns/op is the whole sweep.
func BenchmarkWorstStep(b *testing.B) {
	for _, e := range All() {
		b.Run(e.Name, func(b *testing.B) {
			worstNs := time.Duration(1<<63 - 1)
			var meanNs float64
			var worstUnits, nsPerUnit float64
			for range b.N {
				r, err := e.Start(defaultsOneSeed())
				if err != nil {
					b.Fatal(err)
				}
				var durations []time.Duration
				var sweep time.Duration
				for done := false; !done; {
					start := time.Now()
					done = r.Step(1)
					d := time.Since(start)
					durations = append(durations, d)
					sweep += d
					worstUnits = max(worstUnits, r.LastStep().Units())
				}
				worstNs = min(worstNs, slices.Max(durations))
				meanNs = float64(sweep) / float64(len(durations))
				nsPerUnit = float64(sweep) / r.TotalWork().Units()
			}
			b.ReportMetric(float64(worstNs)/1e6, "worst-step-ms")
			b.ReportMetric(meanNs/1e6, "mean-step-ms")
			b.ReportMetric(nsPerUnit/1e6, "ms/unit")
			b.ReportMetric(worstUnits, "worst-step-units")
		})
	}
}
