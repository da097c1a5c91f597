package experiments

import (
	"fmt"

	"github.com/ringlab/ringlab/core/ring"
)

func init() {
	register(Experiment{
		Name:    "movement",
		Title:   "Keys moved when a cluster grows from N to N+1 nodes",
		Summary: "hash(key) % N moves about N/(N+1) of the keys when a node joins; the ring moves about 1/(N+1), all of them to the new node.",
		Params: append(commonKnobs(5),
			Knob{Name: "nodes_max", Help: "largest cluster size N before the join (N runs from 1)", Default: 12, Min: 1, Max: 256},
			Knob{Name: "vnodes", Help: "ring points per node", Default: 100, Min: 1, Max: 1024},
			Knob{Name: "keys", Help: "keys sampled per measurement", Default: 10_000, Min: 100, Max: 1_000_000},
		),
		build: buildMovement,
	})
}

func buildMovement(v Values) (*sweep, error) {
	s := &sweep{}
	vnodes := v.Int("vnodes")
	t := s.newTable(Table{
		Name:   "movement",
		Title:  "Keys moved when one node joins",
		Claim:  "Going from N to N+1 nodes, modulo placement remaps N/(N+1) of the keys; a ring remaps 1/(N+1), the new node's share.",
		Source: "design guide, sections 1 and 2",
		X:      "nodes",
		Columns: []Column{
			{Name: "nodes", Label: "nodes before the join (N)", Unit: "nodes", Role: Param},
			{Name: "modulo_moved", Label: "hash % N", Unit: "fraction of keys", Role: Measured},
			{Name: "modulo_theory", Label: "N/(N+1)", Unit: "fraction of keys", Role: Predicted, Predicts: "modulo_moved"},
			{Name: "ring_moved", Label: fmt.Sprintf("ring, %d vnodes", vnodes), Unit: "fraction of keys", Role: Measured},
			{Name: "ring_theory", Label: "1/(N+1)", Unit: "fraction of keys", Role: Predicted, Predicts: "ring_moved"},
		},
	})
	for n := 1; n <= v.Int("nodes_max"); n++ {
		nf := float64(n)
		row := t.addRow("", map[string]float64{"nodes": nf, "modulo_theory": nf / (nf + 1), "ring_theory": 1 / (nf + 1)})
		spec := ring.MovementSpec{Nodes: n, Add: 1, VNodes: vnodes, Keys: v.Int("keys")}
		if err := spec.Validate(); err != nil {
			return nil, err
		}
		for rep := 0; rep < v.Int("seeds"); rep++ {
			spec.Seed = cellSeed(v.Seed(), n, rep)
			// Each repetition samples its own keys: hash-modulo placement
			// moves a key or not by its hash alone, so with the same keys
			// every seed would measure the same fraction.
			spec.FirstKey = int(spec.Seed >> 24)
			spec := spec
			// Each key is hashed, located twice by each scheme and its
			// move tallied (two items each); both rings are built (a
			// label hashed and sorted per point, four items) and their
			// arcs compared.
			items := 10*spec.Keys + 4*(2*n+1)*vnodes
			s.add(n-1, rep, once(items, func() {
				res, err := ring.MeasureMovement(spec)
				if err != nil {
					panic("experiments: movement: " + err.Error()) // validated above
				}
				t.record(row, "modulo_moved", res.Modulo.MovedFraction)
				t.record(row, "ring_moved", res.Ring.MovedFraction)
			}))
		}
	}
	return s, nil
}
