package core

import (
	"strconv"
	"testing"
)

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

// benchSize is a cluster shape for the View and Clone benchmarks.
type benchSize struct {
	name          string
	nodes, vnodes int
	keys          int // written once each through client puts before measuring
}

var benchSizes = []benchSize{
	{"5nodes", 5, 32, 64},
	{"64x256", 64, 256, 10000},
}

// benchCluster builds a cluster of the given shape holding s.keys keys (each
// on N=3 replicas), written by puts spread over the coordinators, with a
// light client workload running on them, as the lab's sandbox at its
// largest size.
func benchCluster(b *testing.B, s benchSize) *Cluster {
	b.Helper()
	cfg := DefaultConfig()
	cfg.Nodes, cfg.VNodes, cfg.Seed = s.nodes, s.vnodes, 3
	cfg.Workload = Workload{Clients: 4, Keys: s.keys, PutFraction: 0.5, ThinkTicksMax: 8, KeyPrefix: "k"}
	c, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	c.DiscardEvents(true)
	for i := range s.keys {
		cmd := Command{Kind: CmdPut, Node: NodeID(i % s.nodes), Key: "k" + strconv.Itoa(i), Value: "v"}
		if _, err := c.Apply(cmd); err != nil {
			b.Fatal(err)
		}
		if i%500 == 499 {
			c.Tick()
		}
	}
	c.RunUntil(c.Now() + 200)
	stored := 0
	for _, n := range c.nodes {
		stored += len(n.store)
	}
	if stored < s.keys*c.cfg.N {
		b.Fatalf("%d key replicas stored, want at least %d", stored, s.keys*c.cfg.N)
	}
	return c
}

// BenchmarkView measures View: "same-tick" calls it again with nothing
// changed, "after-tick" advances one tick (the workload writes a few keys)
// and then calls it, as the lab does whenever the tick changes; "tick-only"
// is the tick alone, to subtract.
func BenchmarkView(b *testing.B) {
	for _, s := range benchSizes {
		c := benchCluster(b, s)
		_ = c.View() // measure the steady state, not the first View
		b.Run(s.name+"/same-tick", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = c.View()
			}
		})
		b.Run(s.name+"/after-tick", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Tick()
				_ = c.View()
			}
		})
		b.Run(s.name+"/tick-only", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Tick()
			}
		})
	}
}

// BenchmarkClone measures Clone ("clone"), and a clone followed by 20 ticks
// of the clone ("clone+20ticks"), which includes whatever the clone copies
// later, on first write, instead of at once.
func BenchmarkClone(b *testing.B) {
	for _, s := range benchSizes {
		c := benchCluster(b, s)
		b.Run(s.name+"/clone", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = c.Clone()
			}
		})
		b.Run(s.name+"/clone+20ticks", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				x := c.Clone()
				x.RunUntil(x.Now() + 20)
			}
		})
	}
}

// BenchmarkSiblings runs 1, 64 and 2,048 clients writing (and reading) one
// key under vector clocks until 3,000 operations are done: concurrent
// writers pile up siblings, hundreds per key at 2,048 writers. It reports
// simulated events per second and the mean versions a read returned; the
// cost of an event should grow at most linearly with the sibling count.
func BenchmarkSiblings(b *testing.B) {
	for _, writers := range []int{1, 64, 2048} {
		b.Run("writers="+strconv.Itoa(writers), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Seed = 5
			cfg.Workload = Workload{Clients: writers, Keys: 1, PutFraction: 0.5, Ops: 3000, ThinkTicksMax: 10, KeyPrefix: "k"}
			events, reads, versions := 0, 0, 0
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				c, err := New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				c.DiscardEvents(true)
				for k := c.Counters(); k.OpsAttempted < cfg.Workload.Ops || k.OpsSucceeded+k.OpsFailed < k.OpsAttempted; k = c.Counters() {
					c.Tick()
				}
				k := c.Counters()
				events += k.Events
				for n, count := range k.SiblingReads {
					reads += count
					versions += n * count
				}
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(versions)/float64(max(reads, 1)), "versions/read")
		})
	}
}
