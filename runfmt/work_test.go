package runfmt

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ringlab/ringlab/core"
)

// growingLink is a 498-byte link that once froze the page for 22 s and then
// ran it out of memory: one node of 1024 virtual nodes, then 24 joins of
// weight 64 (every node keeps its own copy of a ring of 1.6 million points).
func growingLink() string {
	var acts []string
	for i := range 24 {
		acts = append(acts, fmt.Sprintf("%d:join:weight=64", i))
	}
	return "#v=1&chapter=summary&nodes=1&vnodes=1024&n=1&w=1&r=1&clients=0&faults=none&a=" + strings.Join(acts, "~")
}

func TestLinkThatGrowsTheClusterIsRefused(t *testing.T) {
	k := ParseLink(growingLink())
	if !k.Usable() {
		t.Fatalf("link not parsed: %v", k.Notices)
	}
	r, _ := k.Run("summary", 1, Preset{Config: core.DefaultConfig()})
	_, err := Shared.RunWork(r, Preset{Config: core.DefaultConfig()})
	var we *WorkError
	if !errors.As(err, &we) {
		t.Fatalf("RunWork = %v, want a WorkError", err)
	}
	// The first join already makes one copy of the cluster too large:
	// two nodes each holding 66,560 points is fine, so the refusal names
	// a later join and says why.
	if !strings.Contains(err.Error(), "join at tick") || !strings.Contains(err.Error(), "MB") {
		t.Errorf("refusal %q should name the join and the memory", err)
	}
	// The same cluster without the joins is within the limits.
	r.Actions = nil
	if _, err := Shared.RunWork(r, Preset{Config: core.DefaultConfig()}); err != nil {
		t.Errorf("the link's starting cluster alone: %v", err)
	}
}

// heavyReplay is within every static limit (128 nodes x 64 virtual nodes,
// 256 clients, 65,536 keys, every timer and fault every tick) at tick
// 100,000: rebuilding it once blocked the page for 55 s, then ran it out
// of memory.
func heavyReplay(tick int64) []byte {
	return fmt.Appendf(nil, `{"format":"ringlab-replay","version":2,"chapter":"summary","seed":1,"tick":%d,
"config":{"nodes":128,"vnodes":64,"n":3,"w":2,"r":2,"mode":1,"versioning":0,"latency_min":1,"latency_max":2,
"loss":0,"timeout":40,"read_repair":true,"gossip_every":1,"suspect_after":40,"dead_after":120,"handoff_every":1,
"antientropy_every":1,"merkle_depth":2,"seed":1,
"workload":{"clients":256,"keys":65536,"put_fraction":0.5,"ops":0,"think_max":0,"key_prefix":"k"},
"faults":{"kinds":["crash","partition"],"every":1,"duration":1}},"actions":[]}`, tick)
}

func TestHeavyReplayIsRefusedBeforeItRuns(t *testing.T) {
	_, err := ParseReplay(heavyReplay(100_000))
	var we *WorkError
	if !errors.As(err, &we) {
		t.Fatalf("ParseReplay = %v, want a WorkError", err)
	}
	if !strings.Contains(err.Error(), "work units") || !strings.Contains(err.Error(), "ticks of this configuration") {
		t.Errorf("refusal %q should give the estimate and the furthest tick within the budget", err)
	}
	// A few hundred ticks of the same configuration are within the budget.
	if _, err := ParseReplay(heavyReplay(500)); err != nil {
		t.Errorf("the heavy configuration at tick 500: %v", err)
	}
}

func TestLongRunsOfTheDefaultsReopen(t *testing.T) {
	// The lab reaches some 350,000 ticks in 30 s at top speed; a run that
	// long must reopen, and the budget must end somewhere.
	cfg := core.DefaultConfig()
	cfg.Workload = core.Workload{Clients: 4, Keys: 8, PutFraction: 0.5, ThinkTicksMax: 10, KeyPrefix: "k"}
	cfg.Faults = core.Faults{Kinds: []core.FaultKind{core.FaultCrash}, EveryTicks: 200, DurationTicks: 100}
	if _, err := Shared.Work(cfg, nil, 1_000_000); err != nil {
		t.Errorf("a million ticks of the defaults with a workload: %v", err)
	}
	if _, err := Shared.Work(cfg, nil, Shared.Tick); err == nil {
		t.Errorf("%d ticks: accepted, want refused as over the budget", Shared.Tick)
	}
}

func TestTickTooHeavyForAFrameIsRefused(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.Nodes, cfg.VNodes = 128, 128
	cfg.GossipIntervalTicks, cfg.AntiEntropyIntervalTicks, cfg.HandoffIntervalTicks = 1, 1, 1
	cfg.LatencyMinTicks = 0
	cfg.Workload = core.Workload{Clients: 256, Keys: 1024, PutFraction: 0.5, KeyPrefix: "k"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := ValidConfig(cfg); err == nil || !strings.Contains(err.Error(), "one tick") {
		t.Errorf("ValidConfig = %v, want a refusal of the tick's work", err)
	}
}

func TestShapeFollowsJoinsAndSets(t *testing.T) {
	cfg := core.DefaultConfig()
	s := ShapeOf(cfg)
	if s.Nodes() != 5 || s.Points() != 5*32 {
		t.Fatalf("shape of the defaults: %d nodes, %d points", s.Nodes(), s.Points())
	}
	before := s.CheckpointBytes()
	s.Apply(core.Command{Kind: core.CmdJoin, Weight: 2})
	if s.Nodes() != 6 || s.Points() != 7*32 {
		t.Errorf("after a join of weight 2: %d nodes, %d points", s.Nodes(), s.Points())
	}
	s.Apply(core.Command{Kind: core.CmdSet, Param: "n", Num: 5})
	if s.Cfg.N != 5 {
		t.Errorf("set n=5 left N=%d", s.Cfg.N)
	}
	if s.CheckpointBytes() <= before {
		t.Errorf("a larger cluster's copy is estimated no larger: %d <= %d", s.CheckpointBytes(), before)
	}
	// A set the core would refuse changes nothing.
	s.Apply(core.Command{Kind: core.CmdSet, Param: "n", Num: 50})
	if s.Cfg.N != 5 {
		t.Errorf("a refused set changed N to %d", s.Cfg.N)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// BenchmarkWorkEstimate reports, for configurations from the defaults to
// the heaviest a shared run may have, the measured time of a tick against
// the estimate (ns per work unit: 1000 when a unit is exactly a
// microsecond). The README records the spread.
func BenchmarkWorkEstimate(b *testing.B) {
	heavy := core.DefaultConfig()
	heavy.Nodes, heavy.VNodes = 128, 64
	heavy.GossipIntervalTicks, heavy.AntiEntropyIntervalTicks, heavy.HandoffIntervalTicks = 1, 1, 1
	heavy.Workload = core.Workload{Clients: 256, Keys: 1 << 16, PutFraction: 0.5, KeyPrefix: "k"}
	work := core.DefaultConfig()
	work.Workload = core.Workload{Clients: 4, Keys: 16, PutFraction: 0.5, ThinkTicksMax: 10, KeyPrefix: "k"}
	big := core.DefaultConfig()
	big.Nodes = 64
	gossip := big
	gossip.GossipIntervalTicks = 1
	clients := core.DefaultConfig()
	clients.Nodes = 16
	clients.Workload = core.Workload{Clients: 256, Keys: 1 << 16, PutFraction: 0.5, KeyPrefix: "k"}
	for _, tc := range []struct {
		name string
		cfg  core.Config
	}{{"defaults", core.DefaultConfig()}, {"workload", work}, {"64nodes", big}, {"64nodes-gossip1", gossip},
		{"256clients", clients}, {"heaviest", heavy}} {
		b.Run(tc.name, func(b *testing.B) {
			c, err := core.New(tc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			c.DiscardEvents(true)
			c.RunUntil(200) // past the start's burst
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				c.Tick()
			}
			perTick := float64(time.Since(start).Nanoseconds()) / float64(b.N)
			b.ReportMetric(perTick/ShapeOf(tc.cfg).WorkPerTick(), "ns/unit")
		})
	}
}
