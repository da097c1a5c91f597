package core

import (
	"fmt"
	"testing"
)

// The counts kept as operations complete equal those of the definitions
// on the whole history, over runs that break the guarantees in many ways:
// weak quorums, sloppy quorums, last-write-wins with skew, crashes,
// partitions and loss.
func TestSessionCountsMatchTheHistory(t *testing.T) {
	broke := 0
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"vector clocks, W=R=1, partitions", func(c *Config) { c.W, c.R = 1, 1; c.Faults.Kinds = []FaultKind{FaultPartition} }},
		{"last-write-wins, skew, crashes", func(c *Config) {
			c.Versioning = LWW
			c.SkewTicks = []int64{30, -20, 0, 10, 0}
			c.Faults.Kinds = []FaultKind{FaultCrash, FaultSkew}
		}},
		{"strict, loss", func(c *Config) { c.Mode = Strict; c.Faults.Kinds = []FaultKind{FaultLoss} }},
		{"one key, many writers", func(c *Config) { c.W, c.R = 1, 1; c.Workload.Keys = 1; c.Workload.Clients = 12 }},
	} {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", tc.name, seed), func(t *testing.T) {
				cfg := DefaultConfig()
				cfg.Seed = seed
				cfg.Workload = Workload{Clients: 6, Keys: 3, PutFraction: 0.5, ThinkTicksMax: 6, KeyPrefix: "k"}
				cfg.Faults = Faults{EveryTicks: 150, DurationTicks: 80}
				tc.edit(&cfg)
				c, err := New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				c.TrackSessions()
				for range 3000 {
					c.Tick()
					c.Events()
					if c.Now()%500 == 0 {
						// A clone carries the counts on, separately.
						x := c.Clone()
						x.Tick()
						c.Tick()
					}
				}
				h := c.History()
				ryw, mono := c.SessionViolations()
				wantRYW, wantMono := len(ReadYourWrites(h, cfg.Versioning)), len(MonotonicReads(h, cfg.Versioning))
				if ryw != wantRYW || mono != wantMono {
					t.Errorf("counted %d read-your-writes and %d monotonic-read violations; the history has %d and %d", ryw, mono, wantRYW, wantMono)
				}
				if wantRYW+wantMono > 0 {
					broke++
				}
			})
		}
	}
	if broke < 4 {
		t.Errorf("only %d runs broke a session guarantee: the comparison proves little", broke)
	}
}
