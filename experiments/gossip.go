package experiments

import (
	"math"

	"github.com/ringlab/ringlab/core"
)

func init() {
	register(Experiment{
		Name:    "gossip",
		Title:   "Gossip: rounds until every node knows of a join",
		Summary: "News spread by push-pull gossip (each node exchanges views with one random peer per round) reaches every node in O(log n) rounds.",
		Params: append(commonKnobs(5),
			Knob{Name: "nodes_max", Help: "largest cluster; the sweep doubles from 4", Default: 64, Min: 4, Max: 512},
			Knob{Name: "interval", Help: "ticks between a node's gossip rounds", Default: 10, Min: 2, Max: 1000},
		),
		build: buildGossip,
	})
}

// gossipRoundsMax is when a gossip cell gives up waiting.
const gossipRoundsMax = 200

func buildGossip(v Values) (*sweep, error) {
	s := &sweep{}
	interval := int64(v.Int("interval"))
	t := s.newTable(Table{
		Name:   "gossip",
		Title:  "Gossip rounds until every node has heard of a new node",
		Claim:  "With every node gossiping with one random peer per round, news of a join reaches all n nodes in about log2(n) rounds (O(log n)).",
		Source: "design guide, section 9; DeCandia et al. 2007, section 4.8",
		X:      "nodes",
		LogX:   true,
		Columns: []Column{
			{Name: "nodes", Label: "nodes before the join", Unit: "nodes", Role: Param},
			{Name: "rounds", Label: "rounds until all know", Unit: "gossip rounds", Role: Measured},
			{Name: "log2_n", Label: "log2(n)", Unit: "gossip rounds", Role: Predicted, Predicts: "rounds"},
		},
	})
	for point, n := range powersOfTwo(4, v.Int("nodes_max")) {
		row := t.addRow("", map[string]float64{"nodes": float64(n), "log2_n": math.Log2(float64(n))})
		for rep := 0; rep < v.Int("seeds"); rep++ {
			cfg := quietConfig(n, 1, 1, 1, 1, min(interval/2, 6), cellSeed(v.Seed(), point, rep))
			cfg.GossipIntervalTicks = interval
			// Nobody is suspected while the news spreads.
			cfg.SuspectAfterTicks = gossipRoundsMax * interval * 2
			cfg.DeadAfterTicks = cfg.SuspectAfterTicks
			// Estimated for Progress: two warm-up rounds, then about
			// log2(n) + 1 rounds until all know.
			cost := Work{NodeTicks: (n + 1) * int(interval) * (int(math.Log2(float64(n))) + 3)}.Units()
			s.add(point, rep, cell{cost: cost, start: func(m *meter) stepFn {
				run := newGossipRun(cfg, n)
				m.nodeTicks(n)
				return func(m *meter) bool {
					if !run.step(m) {
						return false
					}
					t.record(row, "rounds", run.rounds)
					return true
				}
			}})
		}
	}
	return s, nil
}

// gossipRun lets a cluster warm up for two gossip rounds, joins a node,
// and counts the rounds until every original node has put it on its ring.
type gossipRun struct {
	c        *core.Cluster
	n        int
	interval int64
	joinTick int64 // -1 until the join
	joined   core.NodeID
	knows    []bool
	known    int
	rounds   float64
}

func newGossipRun(cfg core.Config, n int) *gossipRun {
	c, err := core.New(cfg)
	if err != nil {
		panic("experiments: gossip: " + err.Error()) // the knobs keep the config valid
	}
	c.DiscardEvents(false)
	return &gossipRun{c: c, n: n, interval: cfg.GossipIntervalTicks, joinTick: -1, joined: core.NodeID(n), knows: make([]bool, n)}
}

// step simulates one tick at a time until m is full; it reports whether
// the rounds are counted.
func (g *gossipRun) step(m *meter) (finished bool) {
	for !m.full() {
		if g.joinTick < 0 && g.c.Now() >= 2*g.interval {
			g.c.Events() // what happened before the join does not count
			mustApply(g.c, core.Command{Kind: core.CmdJoin})
			g.joinTick = g.c.Now()
		}
		g.c.Tick()
		if g.joinTick < 0 {
			m.nodeTicks(g.n)
		} else {
			m.nodeTicks(g.n + 1)
		}
		for _, ev := range g.c.Events() {
			if g.joinTick >= 0 && ev.Kind == core.EvRingChange && ev.Peer == g.joined && ev.From != core.NoNode && int(ev.From) < g.n && !g.knows[ev.From] {
				g.knows[ev.From] = true
				g.known++
			}
		}
		elapsed := g.c.Now() - g.joinTick
		if g.joinTick >= 0 && (g.known == g.n || elapsed >= gossipRoundsMax*g.interval) {
			g.rounds = float64(elapsed) / float64(g.interval)
			return true
		}
	}
	return false
}
