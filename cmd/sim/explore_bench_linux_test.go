package main

import (
	"syscall"
	"testing"
	"time"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
)

// cpuTime is the processor time this process has used: unlike the clock,
// it does not grow while other programs hold the processors.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkExplore measures the schedule search against the simulator in
// the same run, in processor time: states explored per second, and the
// cost of one explored state (a clone, a tick, one command or the few of
// a choice of several steps, and a state hash) as a multiple of one
// simulator event (the lab's default cluster under a workload, every
// background mechanism on), and of one step. The two alternate, so
// what disturbs one disturbs the other; read the ratio. On the default
// four nodes, strict W=2 R=2, for a stale read: a write then a read (149
// states), and two of the canonical scenarios, two writers then a read
// and four operations in turn (tens and hundreds of thousands).
func BenchmarkExplore(b *testing.B) {
	for _, tc := range []struct{ name, script string }{
		{"WriteThenRead", "c1: put k v1 ; c2: get k"},
		{"TwoWritersThenARead", "c1: put k v1 | c2: put k v2 ; c1: get k"},
		{"FourInTurn", "c1: put k v1 ; c2: get k ; c1: put k v2 ; c2: get k"},
	} {
		b.Run(tc.name, func(b *testing.B) { benchExplore(b, tc.script) })
	}
}

func benchExplore(b *testing.B, src string) {
	cfg := core.DefaultConfig()
	cfg.Nodes, cfg.VNodes, cfg.Mode = 4, 8, core.Strict
	script, err := explore.ParseScript(src)
	if err != nil {
		b.Fatal(err)
	}
	sc := explore.Scenario{Config: cfg, Script: script, Property: core.PropStale}

	sim := core.DefaultConfig()
	sim.Workload = core.Workload{Clients: 8, Keys: 50, PutFraction: 0.5, ThinkTicksMax: 5, KeyPrefix: "k"}
	c, err := core.New(sim)
	if err != nil {
		b.Fatal(err)
	}
	c.DiscardEvents(true)
	c.RunUntil(2000) // past the start-up

	var searchTime, simTime time.Duration
	states, steps, events := 0, 0, 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := cpuTime(b)
		s, err := explore.New(sc, explore.Bounds{})
		if err != nil {
			b.Fatal(err)
		}
		r := s.Run()
		searchTime += cpuTime(b) - t0
		states += r.States
		steps += r.Steps

		t0 = cpuTime(b)
		e0 := c.Counters().Events
		// Ten events a state: long enough a stretch (about as long as the
		// search) that the collection of the search's garbage, which lands
		// in it, is not most of it.
		for c.Counters().Events-e0 < 10*r.States {
			c.Tick()
		}
		simTime += cpuTime(b) - t0
		events += c.Counters().Events - e0
	}
	b.ReportMetric(float64(states)/searchTime.Seconds(), "states/cpu-s")
	b.ReportMetric(float64(events)/simTime.Seconds(), "events/cpu-s")
	b.ReportMetric((float64(searchTime)/float64(states))/(float64(simTime)/float64(events)), "event-costs/state")
	// A state a choice of several steps leads to costs each of them.
	b.ReportMetric((float64(searchTime)/float64(steps))/(float64(simTime)/float64(events)), "event-costs/step")
}
