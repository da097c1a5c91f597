package core

import "testing"

// BenchmarkSimulator runs a 5-node N=3 cluster under a steady workload with
// every background mechanism on, and reports simulated events per second.
func BenchmarkSimulator(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Workload = Workload{Clients: 8, Keys: 64, PutFraction: 0.5, ThinkTicksMax: 4, KeyPrefix: "k"}
	c, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	c.DiscardEvents(true)
	b.ReportAllocs()
	b.ResetTimer()
	start := c.Counters().Events
	for i := 0; i < b.N; i++ {
		c.Tick()
	}
	events := c.Counters().Events - start
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/tick")
}
