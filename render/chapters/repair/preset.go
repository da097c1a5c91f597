package repair

import "github.com/ringlab/ringlab/core"

// watchableConfig is the default cluster with timings short enough to
// watch the background mechanisms at the lab's speed: one to three ticks per
// message, a request given up after 24, gossip every 6 ticks, a node suspected
// after 30 ticks without a heartbeat and declared dead after 90, and hints
// offered back every 10.
func watchableConfig(seed uint64) core.Config {
	cfg := core.DefaultConfig()
	cfg.Seed = seed
	cfg.LatencyMinTicks, cfg.LatencyMaxTicks = 1, 3
	cfg.RequestTimeoutTicks = 24
	cfg.GossipIntervalTicks = 6
	cfg.SuspectAfterTicks = 30
	cfg.DeadAfterTicks = 90
	cfg.HandoffIntervalTicks = 10
	return cfg
}
