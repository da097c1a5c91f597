package explore

import (
	"testing"
	"time"

	"github.com/ringlab/ringlab/core"
)

// BenchmarkSearch measures the search against the simulator in the same
// run: states explored per second, and the cost of one explored state (a
// clone, a tick, one command and a state hash) as a multiple of one
// simulator event (the lab's default cluster under a workload, every
// background mechanism on). The two are timed alternately, so machine load
// shifts both alike; read the ratio, not the absolute figures.
func BenchmarkSearch(b *testing.B) {
	cfg := smallConfig()
	cfg.W, cfg.R = 2, 2
	sc := Scenario{Config: cfg, Script: mustScript(b, "c1: put k v1 ; c2: get k"), Property: core.PropStale}

	sim := core.DefaultConfig()
	sim.Workload = core.Workload{Clients: 8, Keys: 50, PutFraction: 0.5, ThinkTicksMax: 5, KeyPrefix: "k"}
	c, err := core.New(sim)
	if err != nil {
		b.Fatal(err)
	}
	c.DiscardEvents(true)
	c.RunUntil(2000) // past the start-up

	var searchTime, simTime time.Duration
	states, events := 0, 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		s, err := New(sc, Bounds{})
		if err != nil {
			b.Fatal(err)
		}
		r := s.Run()
		searchTime += time.Since(t0)
		states += r.States

		t0 = time.Now()
		e0 := c.Counters().Events
		for c.Counters().Events-e0 < r.States {
			c.Tick()
		}
		simTime += time.Since(t0)
		events += c.Counters().Events - e0
	}
	perState := float64(searchTime) / float64(states)
	perEvent := float64(simTime) / float64(events)
	b.ReportMetric(float64(states)/searchTime.Seconds(), "states/s")
	b.ReportMetric(float64(events)/simTime.Seconds(), "events/s")
	b.ReportMetric(perState/perEvent, "event-costs/state")
}
