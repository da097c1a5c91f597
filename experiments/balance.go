package experiments

import (
	"math"

	"github.com/ringlab/ringlab/core/ring"
)

func init() {
	register(Experiment{
		Name:    "balance",
		Title:   "Load spread against virtual nodes per node",
		Summary: "The spread of the nodes' shares of the ring (std-dev/mean) falls like 1/sqrt(vnodes).",
		Params: append(commonKnobs(20),
			Knob{Name: "nodes", Help: "physical nodes on the ring", Default: 10, Min: 2, Max: 256},
			Knob{Name: "vnodes_max", Help: "largest vnodes per node; the sweep runs 1, 2, 5, 10, 20, ... up to it", Default: 500, Min: 1, Max: 4096},
		),
		build: buildBalance,
	})
}

// oneTwoFive lists 1, 2, 5, 10, 20, 50, ... up to limit.
func oneTwoFive(limit int) []int {
	var out []int
	for decade := 1; decade <= limit; decade *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*decade <= limit {
				out = append(out, m*decade)
			}
		}
	}
	return out
}

// powersOfTwo lists 1, 2, 4, ... up to limit.
func powersOfTwo(from, limit int) []int {
	var out []int
	for x := from; x <= limit; x *= 2 {
		out = append(out, x)
	}
	return out
}

func buildBalance(v Values) (*sweep, error) {
	s := &sweep{}
	nodes := v.Int("nodes")
	t := s.newTable(Table{
		Name:  "balance",
		Title: "Load spread across nodes",
		Claim: "With V random points per node, a node's share of the ring has std-dev/mean sqrt((N-1)/(N·V+1)), about 1/sqrt(V): " +
			"quadrupling the vnodes halves the spread. The shares are Dirichlet(V, ..., V), so the heaviest node carries on average E[max of N Gamma(V, 1)]/V times the mean " +
			"(computed by numerical integration; 1 + sqrt(2·ln N)·(std-dev/mean) is only its large-N asymptote and overstates it at these sizes).",
		Source: "design guide, section 3; core/ring BalanceResult.ExpectedArcCV; experiments/theory.go maxOverMeanShares",
		X:      "vnodes",
		LogX:   true,
		LogY:   true,
		Columns: []Column{
			{Name: "vnodes", Label: "virtual nodes per node", Unit: "vnodes", Role: Param},
			{Name: "cv", Label: "std-dev / mean", Unit: "ratio", Role: Measured},
			{Name: "cv_theory", Label: "sqrt((N-1)/(N·V+1))", Unit: "ratio", Role: Predicted, Predicts: "cv"},
			{Name: "max_over_mean", Label: "max / mean", Unit: "ratio", Role: Measured},
			{Name: "max_theory", Label: "E[max] / mean, Dirichlet shares", Unit: "ratio", Role: Predicted, Predicts: "max_over_mean"},
		},
	})
	for point, vn := range oneTwoFive(v.Int("vnodes_max")) {
		spec := ring.BalanceSpec{Nodes: nodes, VNodes: vn, Keys: 1, Seeds: 1}
		if err := spec.Validate(); err != nil {
			return nil, err
		}
		n, vf := float64(nodes), float64(vn)
		cv := math.Sqrt((n - 1) / (n*vf + 1))
		row := t.addRow("", map[string]float64{"vnodes": vf, "cv_theory": cv, "max_theory": maxOverMeanShares(nodes, vn)})
		for rep := 0; rep < v.Int("seeds"); rep++ {
			spec.Seed = cellSeed(v.Seed(), point, rep)
			spec := spec
			// The ring's points are labelled and hashed, sorted and their
			// arcs summed: eight items each.
			s.add(point, rep, once(8*nodes*vn, func() {
				res, err := ring.MeasureBalance(spec)
				if err != nil {
					panic("experiments: balance: " + err.Error()) // validated above
				}
				// Arc shares are exact: the key sample (one key) is unused.
				t.record(row, "cv", res.Arc.CV)
				t.record(row, "max_over_mean", res.Arc.MaxOverMean)
			}))
		}
	}
	return s, nil
}
