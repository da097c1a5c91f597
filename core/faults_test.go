package core

import "testing"

// TestEachFaultStrikesAndIsUndone: every kind, alone in the injector,
// strikes at EveryTicks and is undone DurationTicks later, from its
// typed undo record.
func TestEachFaultStrikesAndIsUndone(t *testing.T) {
	struck := map[FaultKind]func(c *Cluster) bool{
		FaultCrash: func(c *Cluster) bool {
			for _, n := range c.View().Nodes {
				if !n.Up {
					return true
				}
			}
			return false
		},
		FaultPartition: func(c *Cluster) bool { return len(c.View().Groups) > 0 },
		FaultLoss:      func(c *Cluster) bool { return c.Config().Loss > 0 },
		FaultSkew: func(c *Cluster) bool {
			for _, n := range c.View().Nodes {
				if n.SkewTicks != 0 {
					return true
				}
			}
			return false
		},
	}
	if len(struck) != len(FaultKinds) {
		t.Fatalf("the test covers %d kinds, the injector has %d", len(struck), len(FaultKinds))
	}
	for _, kind := range FaultKinds {
		cfg := DefaultConfig()
		cfg.Seed = 4
		cfg.Faults = Faults{Kinds: []FaultKind{kind}, EveryTicks: 50, DurationTicks: 20}
		c, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		on := struck[kind]
		c.RunUntil(49)
		if on(c) {
			t.Errorf("%s: in force before the first strike", kind)
		}
		c.RunUntil(50)
		if !on(c) {
			t.Errorf("%s: not in force at tick 50", kind)
		}
		c.RunUntil(70)
		if on(c) {
			t.Errorf("%s: still in force at tick 70, after its duration", kind)
		}
		// A clone carries the pending undo: the copy heals too.
		c.RunUntil(100)
		x := c.Clone()
		x.RunUntil(120)
		if !on(c) || on(x) {
			t.Errorf("%s: the original in force %v at 100, the clone %v at 120", kind, on(c), on(x))
		}
	}
}
