package explore

import (
	"testing"

	"github.com/ringlab/ringlab/core"
)

// BenchmarkSearchStates is the search of one small scenario (exhausted:
// 440 states, 267 distinct, n1 n2 n3 interchangeable), reported as states per second of the clock; run natively
// and under js/wasm back to back, it gives the browser's cost as a ratio.
// (cmd/sim's BenchmarkExplore compares it with the simulator in processor
// time.)
func BenchmarkSearchStates(b *testing.B) {
	cfg := smallConfig()
	cfg.W, cfg.R = 2, 2
	sc := Scenario{Config: cfg, Script: mustScript(b, "c1: put k v1 ; c2: get k"), Property: core.PropStale}
	states := 0
	for i := 0; i < b.N; i++ {
		s, err := New(sc, Bounds{})
		if err != nil {
			b.Fatal(err)
		}
		states += s.Run().States
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
}

// BenchmarkSearchLostWritePartition is the lost-write search of two
// concurrent puts with one partition (4 nodes, N=3 W=2 R=2, vector
// clocks): exhausted, no lost write. Most of its states are the ways to
// lose what is still in flight after the last return.
func BenchmarkSearchLostWritePartition(b *testing.B) {
	benchSafe(b, "c1: put k v1 | c2: put k v2", core.PropLost, Budget{Partitions: 1})
}

// BenchmarkSearchTwoWritersThenARead is the search of two concurrent
// writes and a read after them, any coordinators (4 nodes, N=3 W=2 R=2
// strict, vector clocks): exhausted, no stale read.
func BenchmarkSearchTwoWritersThenARead(b *testing.B) {
	benchSafe(b, "c1: put k v1 | c2: put k v2 ; c1: get k", core.PropStale, Budget{})
}

// benchSafe searches a script on 4 nodes, N=3 W=2 R=2, whose whole space
// has no violation, and reports states per second.
func benchSafe(b *testing.B, script string, p core.Property, budget Budget) {
	cfg := smallConfig()
	cfg.W, cfg.R = 2, 2
	sc := Scenario{Config: cfg, Script: mustScript(b, script), Property: p, Budget: budget}
	states := 0
	for i := 0; i < b.N; i++ {
		s, err := New(sc, Bounds{})
		if err != nil {
			b.Fatal(err)
		}
		r := s.Run()
		if !r.Exhausted || r.Violated {
			b.Fatalf("want exhausted, no violation: %+v", r)
		}
		states += r.States
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
}
