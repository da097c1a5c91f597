package experiments

import (
	"github.com/ringlab/ringlab/core"
)

// quietConfig is a cluster whose background mechanisms are off, for
// experiments that watch one mechanism at a time: strict quorums, no read
// repair, no gossip, handoff or anti-entropy, no workload or faults.
func quietConfig(nodes, n, w, r int, latencyMin, latencyMax int64, seed uint64) core.Config {
	cfg := core.DefaultConfig()
	cfg.Nodes, cfg.N, cfg.W, cfg.R = nodes, n, w, r
	cfg.Mode = core.Strict
	cfg.ReadRepair = false
	cfg.LatencyMinTicks, cfg.LatencyMaxTicks = latencyMin, latencyMax
	cfg.RequestTimeoutTicks = 1000 + 4*latencyMax
	cfg.GossipIntervalTicks = 0
	cfg.HandoffIntervalTicks = 0
	cfg.AntiEntropyIntervalTicks = 0
	cfg.Seed = seed
	return cfg
}

// outsiders lists the nodes that are not among key's n replicas, in order:
// a coordinator chosen among them reaches every replica over the network,
// which is what the latency models assume.
func outsiders(c *core.Cluster, key string, n, nodes int) []core.NodeID {
	pref := c.PreferenceList(key, n)
	var out []core.NodeID
	for i := 0; i < nodes; i++ {
		id := core.NodeID(i)
		isReplica := false
		for _, p := range pref {
			isReplica = isReplica || p == id
		}
		if !isReplica {
			out = append(out, id)
		}
	}
	return out
}

// mustApply applies a command the experiment built to be valid.
func mustApply(c *core.Cluster, cmd core.Command) core.RequestID {
	id, err := c.Apply(cmd)
	if err != nil {
		panic("experiments: " + string(cmd.Kind) + ": " + err.Error())
	}
	return id
}
