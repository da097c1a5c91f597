package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/ringlab/ringlab/core/ids"
	"github.com/ringlab/ringlab/core/ring"
)

// movementReport is the JSON of `sim movement`: the ring package's
// measurement plus the expectation for hash-modulo placement.
type movementReport struct {
	Command string `json:"command"`
	ring.MovementResult
	// ModuloExpectedFraction is the fraction of a uniformly spread key
	// space that changes owner under hash-modulo placement for this
	// change, counted exactly over one period of both moduli.
	ModuloExpectedFraction float64 `json:"modulo_expected_fraction"`
}

func runMovement(args []string, stdout io.Writer) error {
	fs := newFlagSet("movement", "Counts the sample keys that change owner when nodes join or leave, under\n"+
		"hash-modulo placement and on a consistent-hash ring holding the same nodes.")
	spec := ring.MovementSpec{}
	fs.IntVar(&spec.Nodes, "nodes", 4, fmt.Sprintf("nodes before the change (1..%d)", ring.MaxExperimentNodes))
	fs.IntVar(&spec.Add, "add", 1, "nodes that join")
	fs.IntVar(&spec.Remove, "remove", 0, "nodes that leave (at most nodes-1); add+remove >= 1")
	fs.IntVar(&spec.VNodes, "vnodes", 100, "virtual nodes (ring points) per node")
	fs.IntVar(&spec.Keys, "keys", 100_000, fmt.Sprintf("keys in the sample (1..%d)", ring.MaxExperimentKeys))
	fs.Uint64Var(&spec.Seed, "seed", 1, "seed choosing the node ids and which nodes leave")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := spec.Validate(); err != nil {
		return usagef("%v", err)
	}
	res, err := ring.MeasureMovement(spec)
	if err != nil {
		return err
	}
	after := nodesAfter(res)
	report := movementReport{
		Command:                "movement",
		MovementResult:         res,
		ModuloExpectedFraction: moduloMovedFraction(res.NodesBefore, after),
	}
	if *asJSON {
		return writeJSON(stdout, report)
	}
	return writeMovementText(stdout, report)
}

// nodesAfter is the modulo node list after the change, as MeasureMovement
// builds it: the nodes that stayed, in order, then the ones that joined.
func nodesAfter(res ring.MovementResult) []ids.NodeID {
	var after []ids.NodeID
	for _, n := range res.NodesBefore {
		if !slices.Contains(res.Removed, n) {
			after = append(after, n)
		}
	}
	return append(after, res.Added...)
}

// moduloMovedFraction is the fraction of hashes h whose owner
// before[h % len(before)] differs from after[h % len(after)], for h uniform.
// The pair of residues repeats with period lcm(len(before), len(after)), so
// counting one period is exact (up to the negligible bias of 2^64 not being
// a multiple of the period).
func moduloMovedFraction(before, after []ids.NodeID) float64 {
	if len(before) == 0 || len(after) == 0 {
		return 1
	}
	period := len(before) / gcd(len(before), len(after)) * len(after)
	moved := 0
	for r := 0; r < period; r++ {
		if before[r%len(before)] != after[r%len(after)] {
			moved++
		}
	}
	return float64(moved) / float64(period)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func writeMovementText(w io.Writer, r movementReport) error {
	s := r.Spec
	_, err := fmt.Fprintf(w,
		"movement: %d nodes, %d joining, %d leaving (%d after); %d vnodes per node; %d keys; seed %d\n"+
			"  modulo: %d keys moved (%s; expected %s); every move to or from a changed node: %s%s\n"+
			"  ring:   %d keys moved (%s; exact arc %s; ideal %s); every move to or from a changed node: %s%s\n",
		s.Nodes, s.Add, s.Remove, s.Nodes+s.Add-s.Remove, s.VNodes, s.Keys, s.Seed,
		r.Modulo.Moved, percent(r.Modulo.MovedFraction), percent(r.ModuloExpectedFraction),
		yesNo(r.Modulo.OnlyChangedNodes), strayNote(r.Modulo),
		r.Ring.Moved, percent(r.Ring.MovedFraction), percent(r.RingArcFraction), percent(r.IdealFraction),
		yesNo(r.Ring.OnlyChangedNodes), strayNote(r.Ring))
	return err
}

func strayNote(o ring.MovementOutcome) string {
	if o.StrayMoves == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d moved between nodes that stayed)", o.StrayMoves)
}

// balanceReport is the JSON of `sim balance`.
type balanceReport struct {
	Command       string           `json:"command"`
	Spec          ring.BalanceSpec `json:"spec"`
	Arc           ring.LoadStats   `json:"arc"` // fraction of the hash space per node, averaged over seeds
	Key           ring.LoadStats   `json:"key"` // sample keys per node, averaged over seeds
	ExpectedArcCV float64          `json:"expected_arc_cv"`
	ExpectedKeyCV float64          `json:"expected_key_cv"`
	PerSeed       []seedBalance    `json:"per_seed"`
}

// seedBalance is the spread of one seed's ring.
type seedBalance struct {
	Seed           uint64  `json:"seed"`
	ArcCV          float64 `json:"arc_cv"`
	ArcMaxOverMean float64 `json:"arc_max_over_mean"`
	KeyCV          float64 `json:"key_cv"`
	KeyMaxOverMean float64 `json:"key_max_over_mean"`
}

func runBalance(args []string, stdout io.Writer) error {
	fs := newFlagSet("balance", "Builds one ring per seed and measures how evenly it spreads the hash space\n"+
		"(arc based) and a key sample (key based) over the nodes, averaged over the seeds.")
	spec := ring.BalanceSpec{}
	fs.IntVar(&spec.Nodes, "nodes", 10, fmt.Sprintf("nodes on the ring (1..%d)", ring.MaxExperimentNodes))
	fs.IntVar(&spec.VNodes, "vnodes", 100, "virtual nodes (ring points) per node")
	fs.IntVar(&spec.Keys, "keys", 100_000, fmt.Sprintf("keys in the sample (1..%d)", ring.MaxExperimentKeys))
	fs.IntVar(&spec.Seeds, "seeds", 10, fmt.Sprintf("rings to average, seeds seed..seed+seeds-1 (1..%d)", ring.MaxExperimentSeeds))
	fs.Uint64Var(&spec.Seed, "seed", 1, "first seed")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if err := spec.Validate(); err != nil {
		return usagef("%v", err)
	}
	res, err := ring.MeasureBalance(spec)
	if err != nil {
		return err
	}
	report := balanceReport{
		Command:       "balance",
		Spec:          res.Spec,
		Arc:           res.Arc,
		Key:           res.Key,
		ExpectedArcCV: res.ExpectedArcCV,
		ExpectedKeyCV: res.ExpectedKeyCV,
		PerSeed:       make([]seedBalance, len(res.Samples)),
	}
	for i, s := range res.Samples {
		report.PerSeed[i] = seedBalance{Seed: s.Seed, ArcCV: s.Arc.CV, ArcMaxOverMean: s.Arc.MaxOverMean,
			KeyCV: s.Key.CV, KeyMaxOverMean: s.Key.MaxOverMean}
	}
	if *asJSON {
		return writeJSON(stdout, report)
	}
	s := report.Spec
	_, err = fmt.Fprintf(stdout,
		"balance: %d nodes, %d vnodes per node, %d keys, %d seeds from %d (means over seeds)\n"+
			"  arc based: mean share %s, std-dev/mean %s (theory %s), max/mean %.3f, min/mean %.3f\n"+
			"  key based: mean %.1f keys, std-dev/mean %s (theory %s), max/mean %.3f, min/mean %.3f\n",
		s.Nodes, s.VNodes, s.Keys, s.Seeds, s.Seed,
		percent(report.Arc.Mean), percent(report.Arc.CV), percent(report.ExpectedArcCV),
		report.Arc.MaxOverMean, ratio(report.Arc.Min, report.Arc.Mean),
		report.Key.Mean, percent(report.Key.CV), percent(report.ExpectedKeyCV),
		report.Key.MaxOverMean, ratio(report.Key.Min, report.Key.Mean))
	return err
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
