package experiments

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/ringlab/ringlab/core/ids"
	"github.com/ringlab/ringlab/core/ring"
)

func init() {
	register(Experiment{
		Name:  "dynamo",
		Title: "Dynamo's three partitioning strategies",
		Summary: "Load-balancing efficiency (mean load / max load) against the membership metadata each node keeps, " +
			"counted two ways: tokens only, and as Dynamo's paper counts it (strategy 2 also keeps its partition map). " +
			"Equal-sized partitions with Q/S tokens per node (strategy 3) balance best for the least metadata.",
		Params: append(commonKnobs(10),
			Knob{Name: "nodes", Help: "physical nodes S (the paper uses 30)", Default: 30, Min: 2, Max: 256},
			Knob{Name: "n", Help: "replicas per key N (the paper uses 3)", Default: 3, Min: 1, Max: 8},
			Knob{Name: "tokens_max", Help: "largest tokens per node T (strategies 1 and 2) and Q/S (strategy 3); the sweep doubles from 1", Default: 128, Min: 1, Max: 1024},
			Knob{Name: "partitions", Help: "Q, the fixed number of equal partitions of strategy 2", Default: 4096, Min: 1, Max: 1 << 16},
		),
		build: buildDynamo,
	})
}

// The strategies, as the rows' groups name them.
const (
	strategy1 = "strategy 1: T random tokens, partition by token"
	strategy2 = "strategy 2: T random tokens, Q equal partitions"
	strategy3 = "strategy 3: Q/S tokens per node, equal partitions"
)

// buildDynamo measures each strategy's efficiency once per point and seed
// and writes it to two tables that differ only in how the membership
// metadata of strategy 2 is counted:
//
//   - "dynamo" counts what places the data: the S·T tokens of strategies 1
//     and 2, the Q = S·(Q/S) partitions of strategy 3. Counted so, strategy
//     2 measures level with strategy 1: with Q much larger than S·T, each
//     of its equal partitions goes to the preference list found from the
//     partition's end, so a node's share is its token ranges' share
//     rounded to whole partitions, which is strategy 1's load. (Strategy 2
//     uses strategy 1's token placement at the same T and seed, so the two
//     lines differ by the partitioning alone.)
//   - "dynamo-paper" counts as section 6.2 of the paper does: a node of
//     strategy 2 keeps the token positions and also the map of the Q
//     partitions to their nodes, S·T + Q entries. Its points then sit Q
//     entries to the right of strategy 1's at the same T, and at equal
//     metadata it ranks last, as in the paper's figure 8.
func buildDynamo(v Values) (*sweep, error) {
	s := &sweep{}
	nodes, replicas, q2 := v.Int("nodes"), v.Int("n"), v.Int("partitions")
	replicas = min(replicas, nodes)
	source := `DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007, section 6.2 and figure 8`
	columns := func(metadata string) []Column {
		return []Column{
			{Name: "metadata", Label: metadata, Unit: "entries", Role: Param},
			{Name: "tokens", Label: "tokens per node (T, or Q/S)", Unit: "tokens", Role: Param},
			{Name: "efficiency", Label: "load-balancing efficiency", Unit: "mean load / max load", Role: Measured},
		}
	}
	byTokens := s.newTable(Table{
		Name:  "dynamo",
		Title: "Efficiency · tokens only",
		Claim: fmt.Sprintf("Counting only the tokens, strategy 2 measures level with strategy 1 (on the same token placements the two "+
			"lines coincide): each of its Q = %d equal partitions, far more than the S·T tokens, goes to the preference list at the "+
			"partition's end, so a node's share is its token ranges' share rounded to 1/Q: strategy 1's load. Strategy 3 balances best. "+
			"The second figure also counts strategy 2's partition map, as the paper does.", q2),
		Source:  source,
		Group:   "strategy",
		X:       "metadata",
		LogX:    true,
		Columns: columns("membership metadata: tokens (strategies 1, 2) or partitions (3)"),
	})
	paper := s.newTable(Table{
		Name:  "dynamo-paper",
		Title: "Efficiency · as the paper counts",
		Claim: fmt.Sprintf("At equal metadata strategy 3 balances best and strategy 2 worst, as in the paper's figure 8: besides its S·T tokens "+
			"a strategy 2 node keeps the map of all Q = %d partitions, so each of its points sits %d entries to the right of "+
			"strategy 1's at the same T, where strategy 1 affords many more tokens.", q2, q2),
		Source:  source,
		Group:   "strategy",
		X:       "metadata",
		LogX:    true,
		Columns: columns("membership metadata: tokens, plus Q partition entries for strategy 2"),
	})
	for si, strategy := range []string{strategy1, strategy2, strategy3} {
		for ti, tokens := range powersOfTwo(1, v.Int("tokens_max")) {
			metadata := nodes * tokens
			if strategy == strategy2 && metadata > q2 {
				// The paper's strategy 2 keeps Q much larger than S·T.
				continue
			}
			paperMetadata := metadata
			if strategy == strategy2 {
				paperMetadata += q2
			}
			row := byTokens.addRow(strategy, map[string]float64{"metadata": float64(metadata), "tokens": float64(tokens)})
			paperRow := paper.addRow(strategy, map[string]float64{"metadata": float64(paperMetadata), "tokens": float64(tokens)})
			// Strategies 1 and 2 share a seed (hence a token placement)
			// per T; strategy 3 has its own.
			point := ti
			if si == 2 {
				point = 1<<16 + ti
			}
			for rep := 0; rep < v.Int("seeds"); rep++ {
				seed := cellSeed(v.Seed(), point, rep)
				strategy, tokens := strategy, tokens
				// Tokens placed (a label hashed and sorted: four items
				// each), then one preference list per partition, four
				// items per replica found (the walk and the load added).
				items := 4*metadata + 4*metadata*replicas
				if strategy == strategy2 {
					items = 4*metadata + 4*q2*replicas
				}
				s.cells = append(s.cells, once(items, func() {
					rng := rand.New(rand.NewPCG(seed, 0x64796e616d6f)) // "dynamo"
					var loads []float64
					switch strategy {
					case strategy1:
						loads = tokenLoads(tokenRing(nodes, tokens, rng), replicas)
					case strategy2:
						loads = equalPartitionLoads(tokenRing(nodes, tokens, rng), q2, replicas)
					default:
						loads = assignedPartitionLoads(nodes, tokens, replicas, rng)
					}
					st := ring.Stats(loads)
					byTokens.record(row, "efficiency", st.Mean/st.Max)
					paper.record(paperRow, "efficiency", st.Mean/st.Max)
				}))
			}
		}
	}
	return s, nil
}

// tokenRing places nodes (ids drawn from rng, so each seed places them
// differently) at T pseudo-random tokens each.
func tokenRing(nodes, tokens int, rng *rand.Rand) *ring.Ring {
	r := ring.New(tokens)
	for _, n := range ring.SampleNodeIDs(nodes, rng) {
		if err := r.Add(n, 1); err != nil {
			panic("experiments: dynamo: " + err.Error()) // ids are distinct and valid
		}
	}
	return r
}

// tokenLoads is strategy 1: the ranges between consecutive tokens are the
// partitions; each range is stored on the preference list that starts at
// its end token. A node's load is the fraction of the key space it stores
// (summed over its replicas), so uniform keys give it that share of requests.
func tokenLoads(r *ring.Ring, replicas int) []float64 {
	loads := map[ids.NodeID]float64{}
	var pref []ids.NodeID
	count := r.Len()
	for i := 0; i < count; i++ {
		end, start := r.PointAt(i).Hash, r.PointAt((i+count-1)%count).Hash
		length := float64(end-start) / (1 << 64) // wraps past zero for i == 0
		if count == 1 {
			length = 1
		}
		pref = r.AppendPreferenceList(pref[:0], end, replicas)
		for _, n := range pref {
			loads[n] += length
		}
	}
	return sortedLoads(r.Nodes(), loads)
}

// equalPartitionLoads is strategy 2: the key space is cut into q equal
// partitions, each stored on the preference list found by walking the
// tokens clockwise from the partition's end.
func equalPartitionLoads(r *ring.Ring, q, replicas int) []float64 {
	loads := map[ids.NodeID]float64{}
	var pref []ids.NodeID
	step := ^uint64(0)/uint64(q) + 1 // 2^64 / q, rounded up
	for p := 0; p < q; p++ {
		end := uint64(p+1)*step - 1
		pref = r.AppendPreferenceList(pref[:0], end, replicas)
		for _, n := range pref {
			loads[n] += 1 / float64(q)
		}
	}
	return sortedLoads(r.Nodes(), loads)
}

// assignedPartitionLoads is strategy 3: Q = nodes·tokens equal partitions,
// each node given tokens of them at random; a partition is stored on the
// first N distinct nodes met walking the partitions clockwise from it.
func assignedPartitionLoads(nodes, tokens, replicas int, rng *rand.Rand) []float64 {
	q := nodes * tokens
	owner := make([]int, q)
	for i, p := range rng.Perm(q) {
		owner[p] = i / tokens
	}
	loads := make([]float64, nodes)
	chosen := make([]int, 0, replicas)
	for p := 0; p < q; p++ {
		chosen = chosen[:0]
		for k := 0; k < q && len(chosen) < replicas; k++ {
			if o := owner[(p+k)%q]; !slices.Contains(chosen, o) {
				chosen = append(chosen, o)
			}
		}
		for _, o := range chosen {
			loads[o] += 1 / float64(q)
		}
	}
	return loads
}

// sortedLoads lists the loads in node order (nodes with no load count 0).
func sortedLoads(nodes []ids.NodeID, loads map[ids.NodeID]float64) []float64 {
	out := make([]float64, len(nodes))
	for i, n := range nodes {
		out[i] = loads[n]
	}
	return out
}
