package core

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Limits on a Config, chosen so that a mistyped number fails with a clear
// message instead of exhausting memory.
const (
	MaxNodes         = 4096 // initial nodes plus joins
	MaxVNodes        = 4096 // ring points per unit of weight
	MaxWeight        = 64.0
	MaxLatencyTicks  = 100_000
	MaxIntervalTicks = 1_000_000
	MaxSkewTicks     = 1_000_000
	MaxMerkleDepth   = 16
	MaxClients       = 4096
	MaxKeys          = 1 << 20
)

// Clone is a deep copy of c: its slices are its own. Every slice field of
// Config is copied here (config_test.go checks that none is shared).
func (c Config) Clone() Config {
	c.Weights = slices.Clone(c.Weights)
	c.SkewTicks = slices.Clone(c.SkewTicks)
	c.Faults.Kinds = slices.Clone(c.Faults.Kinds)
	return c
}

// DefaultConfig is the lab's starting point: five nodes of 32 virtual nodes,
// N=3 W=2 R=2 with a sloppy quorum and vector clocks, a network of 2..6 ticks
// without loss, and the background mechanisms (gossip, handoff, anti-entropy)
// running at rates an animation can follow. No workload and no faults.
func DefaultConfig() Config {
	return Config{
		Nodes:                    5,
		VNodes:                   32,
		N:                        3,
		W:                        2,
		R:                        2,
		Mode:                     Sloppy,
		Versioning:               VectorClocks,
		LatencyMinTicks:          2,
		LatencyMaxTicks:          6,
		RequestTimeoutTicks:      40,
		ReadRepair:               true,
		GossipIntervalTicks:      10,
		SuspectAfterTicks:        40,
		DeadAfterTicks:           120,
		HandoffIntervalTicks:     20,
		AntiEntropyIntervalTicks: 100,
		MerkleDepth:              4,
		Seed:                     1,
	}
}

// Validate reports the first field that is out of range, in one sentence
// naming the field, its value and what is allowed.
func (c Config) Validate() error {
	switch {
	case c.Nodes < 1 || c.Nodes > MaxNodes:
		return fmt.Errorf("nodes=%d must be between 1 and %d", c.Nodes, MaxNodes)
	case c.VNodes < 1 || c.VNodes > MaxVNodes:
		return fmt.Errorf("vnodes=%d must be between 1 and %d", c.VNodes, MaxVNodes)
	case len(c.Weights) > c.Nodes:
		return fmt.Errorf("weights has %d entries but there are only %d nodes", len(c.Weights), c.Nodes)
	}
	for i, w := range c.Weights {
		if !(w > 0 && w <= MaxWeight) {
			return fmt.Errorf("weight of n%d=%v must be greater than 0 and at most %v", i, w, MaxWeight)
		}
	}
	switch {
	case c.N < 1 || c.N > c.Nodes:
		return fmt.Errorf("N=%d must be between 1 and the number of nodes (%d)", c.N, c.Nodes)
	case c.W < 1 || c.W > c.N:
		return fmt.Errorf("W=%d must be between 1 and N=%d", c.W, c.N)
	case c.R < 1 || c.R > c.N:
		return fmt.Errorf("R=%d must be between 1 and N=%d", c.R, c.N)
	case c.Mode > Sloppy:
		return fmt.Errorf("mode=%d must be 0 (strict) or 1 (sloppy)", c.Mode)
	case c.Versioning > LWW:
		return fmt.Errorf("versioning=%d must be 0 (vector clocks) or 1 (last write wins)", c.Versioning)
	case c.VClockMax < 0 || c.VClockMax > MaxNodes:
		return fmt.Errorf("vclock_max=%d must be between 0 (no truncation) and %d", c.VClockMax, MaxNodes)
	case c.LatencyMinTicks < 0 || c.LatencyMinTicks > MaxLatencyTicks:
		return fmt.Errorf("latency_min=%d must be between 0 and %d ticks", c.LatencyMinTicks, MaxLatencyTicks)
	case c.LatencyMaxTicks < c.LatencyMinTicks || c.LatencyMaxTicks > MaxLatencyTicks:
		return fmt.Errorf("latency_max=%d must be between latency_min=%d and %d ticks", c.LatencyMaxTicks, c.LatencyMinTicks, MaxLatencyTicks)
	case !(c.Loss >= 0 && c.Loss <= 1):
		return fmt.Errorf("loss=%v must be a probability between 0 and 1", c.Loss)
	case len(c.SkewTicks) > MaxNodes:
		return fmt.Errorf("skew has %d entries; at most %d are allowed", len(c.SkewTicks), MaxNodes)
	}
	for i, s := range c.SkewTicks {
		if s < -MaxSkewTicks || s > MaxSkewTicks {
			return fmt.Errorf("skew of n%d=%d must be between -%d and %d ticks", i, s, MaxSkewTicks, MaxSkewTicks)
		}
	}
	if err := checkInterval("timeout", c.RequestTimeoutTicks, 1); err != nil {
		return err
	}
	if err := checkInterval("gossip_every", c.GossipIntervalTicks, 0); err != nil {
		return err
	}
	if c.GossipIntervalTicks > 0 {
		if err := checkInterval("suspect_after", c.SuspectAfterTicks, 1); err != nil {
			return err
		}
		if c.DeadAfterTicks < c.SuspectAfterTicks || c.DeadAfterTicks > MaxIntervalTicks {
			return fmt.Errorf("dead_after=%d must be between suspect_after=%d and %d ticks", c.DeadAfterTicks, c.SuspectAfterTicks, MaxIntervalTicks)
		}
	}
	if err := checkInterval("handoff_every", c.HandoffIntervalTicks, 0); err != nil {
		return err
	}
	if err := checkInterval("antientropy_every", c.AntiEntropyIntervalTicks, 0); err != nil {
		return err
	}
	if c.MerkleDepth < 0 || c.MerkleDepth > MaxMerkleDepth {
		return fmt.Errorf("merkle_depth=%d must be between 0 and %d", c.MerkleDepth, MaxMerkleDepth)
	}
	if err := c.Workload.validate(); err != nil {
		return err
	}
	if err := c.Faults.validate(); err != nil {
		return err
	}
	if c.Scripted && (c.Workload.Clients > 0 || len(c.Faults.Kinds) > 0 || c.Loss > 0) {
		return fmt.Errorf("scripted: the workload, the fault injector and loss must be off (in a scripted run every choice is a command)")
	}
	return nil
}

func checkInterval(name string, v, lowest int64) error {
	if v < lowest || v > MaxIntervalTicks {
		return fmt.Errorf("%s=%d must be between %d and %d ticks", name, v, lowest, MaxIntervalTicks)
	}
	return nil
}

func (w Workload) validate() error {
	switch {
	case w.Clients < 0 || w.Clients > MaxClients:
		return fmt.Errorf("workload clients=%d must be between 0 and %d", w.Clients, MaxClients)
	case w.Clients == 0:
		return nil
	case w.Keys < 1 || w.Keys > MaxKeys:
		return fmt.Errorf("workload keys=%d must be between 1 and %d", w.Keys, MaxKeys)
	case !(w.PutFraction >= 0 && w.PutFraction <= 1):
		return fmt.Errorf("workload put_fraction=%v must be between 0 and 1", w.PutFraction)
	case w.Ops < 0:
		return fmt.Errorf("workload ops=%d must be 0 (no limit) or more", w.Ops)
	case w.ThinkTicksMax < 0 || w.ThinkTicksMax > MaxIntervalTicks:
		return fmt.Errorf("workload think_max=%d must be between 0 and %d ticks", w.ThinkTicksMax, MaxIntervalTicks)
	}
	return nil
}

func (f Faults) validate() error {
	for _, k := range f.Kinds {
		if !slices.Contains(FaultKinds, k) {
			return fmt.Errorf("fault %q is unknown; allowed: %s", k, strings.Join(FaultKindNames(), ", "))
		}
	}
	if len(f.Kinds) == 0 {
		return nil
	}
	if err := checkInterval("faults every", f.EveryTicks, 1); err != nil {
		return err
	}
	return checkInterval("faults duration", f.DurationTicks, 1)
}

// withParam returns c with one CmdSet parameter changed, validated as a
// whole; it names the parameter in its error. The parameters are the live
// knobs (knobs.go), by any of their spellings.
func (c Config) withParam(param string, num float64) (Config, error) {
	k, ok := LookupKnob(param)
	if !ok || !k.Live {
		return c, fmt.Errorf("set: unknown parameter %q; allowed: %s, skew:nK", param, strings.Join(LiveKnobNames(), ", "))
	}
	if k.Name == "loss" && c.Scripted && num != 0 {
		return c, fmt.Errorf("set loss=%v: a scripted run has no random loss; drop messages with the drop command", num)
	}
	if err := k.setNum(&c, num); err != nil {
		return c, err
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("set %s=%s: %w", param, strconv.FormatFloat(num, 'g', -1, 64), err)
	}
	return c, nil
}

// WithParam is c with one live knob changed as CmdSet would change it (by
// any of the knob's spellings), validated as a whole; the error names the
// parameter. Per-node skew ("skew:nK") is not a Config field and is not
// taken here.
func (c Config) WithParam(param string, num float64) (Config, error) {
	return c.withParam(param, num)
}
