package diagram

import (
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/spacetime"
	"github.com/ringlab/ringlab/render/frame"
)

// busyModel runs a busy cluster (every message kind, faults) until the
// model holds at least msgs messages, and returns it with its last tick.
func busyModel(b *testing.B, msgs int) (*spacetime.Model, *core.Cluster) {
	b.Helper()
	cfg := core.DefaultConfig()
	cfg.Nodes = 8
	cfg.Workload = core.Workload{Clients: 16, Keys: 64, PutFraction: 0.5, ThinkTicksMax: 4, KeyPrefix: "k"}
	cfg.Faults = core.Faults{Kinds: []core.FaultKind{"crash", "partition", "loss"}, EveryTicks: 200, DurationTicks: 100}
	c, err := core.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	m := spacetime.New(cfg)
	for len(m.Msgs()) < msgs {
		c.Tick()
		m.Add(c.Events())
	}
	return m, c
}

// BenchmarkFrame20kMessages lays out and draws one frame of the diagram
// whose window holds 20,000 messages (gossip shown too), and reports it as
// a share of the 16.7 ms frame budget.
func BenchmarkFrame20kMessages(b *testing.B) {
	m, _ := busyModel(b, 20_000)
	first := m.Msgs()[0].Send
	in := Input{Area: frame.Rect{W: 1280, H: 640}, Cursor: m.Tick(), From: first, To: m.Tick(), TextSize: 12, Measure: fixedWidth{}}
	var layer frame.Layer
	var l Layout
	for b.Loop() {
		layer.Reset()
		l.Build(m, in)
		l.Draw(&layer)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/16.7e6, "frame-budget")
}

// BenchmarkModelAdd indexes one tick's events into models that already
// hold a short run and a run of about a million events: the cost per event
// must not grow with the run's length (ns/event is the figure to compare).
func BenchmarkModelAdd(b *testing.B) {
	for _, size := range []struct {
		name string
		msgs int
	}{{"run=10k-msgs", 10_000}, {"run=450k-msgs", 450_000}} {
		b.Run(size.name, func(b *testing.B) {
			m, c := busyModel(b, size.msgs)
			// Pre-compute the next ticks' events, so only Add is timed.
			var batches [][]core.Event
			events := 0
			for range 2000 {
				c.Tick()
				evs := c.Events()
				events += len(evs)
				batches = append(batches, evs)
			}
			b.ResetTimer()
			done := 0
			for i := 0; b.Loop(); i++ {
				if i == len(batches) {
					b.StopTimer()
					m2, _ := busyModel(b, size.msgs)
					m, i = m2, 0
					b.StartTimer()
				}
				m.Add(batches[i])
				done += len(batches[i])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(done, 1)), "ns/event")
		})
	}
}
