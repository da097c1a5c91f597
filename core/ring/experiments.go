package ring

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/cespare/xxhash/v2"
	"github.com/ringlab/ringlab/core/ids"
)

// Limits of the movement and balance experiments, chosen so that the
// largest one still runs in seconds (and fits a browser tab's memory).
const (
	MaxExperimentNodes  = 1024       // nodes in the cluster, after any additions
	MaxExperimentPoints = 1 << 22    // ring points: nodes times vnodes
	MaxExperimentKeys   = 10_000_000 // keys sampled
	MaxExperimentSeeds  = 1000       // seeds averaged by MeasureBalance
)

// KeyName is the name of key i of an experiment's sample: "key-<i>".
func KeyName(i int) string { return "key-" + strconv.Itoa(i) }

// keyHash is HashKey(KeyName(i)) without allocating.
func keyHash(i int) uint64 {
	var buf [4 + 20]byte
	return xxhash.Sum64(strconv.AppendInt(append(buf[:0], "key-"...), int64(i), 10))
}

// KeyHashes hashes the sample keys KeyName(0) .. KeyName(count-1).
func KeyHashes(count int) []uint64 {
	hashes := make([]uint64, max(count, 0))
	for i := range hashes {
		hashes[i] = keyHash(i)
	}
	return hashes
}

// SampleNodeIDs draws count distinct node ids (none of them ids.None) from
// rng, in the order drawn. The experiments name their nodes this way so that
// each seed places the nodes at different points of the ring. It panics if
// count exceeds the number of usable ids.
func SampleNodeIDs(count int, rng *rand.Rand) []ids.NodeID {
	if count > int(ids.None) {
		panic(fmt.Sprintf("ring: cannot draw %d distinct node ids, only %d exist", count, int(ids.None)))
	}
	seen := make(map[ids.NodeID]bool, count)
	nodes := make([]ids.NodeID, 0, max(count, 0))
	for len(nodes) < count {
		n := ids.NodeID(rng.IntN(int(ids.None)))
		if !seen[n] {
			seen[n] = true
			nodes = append(nodes, n)
		}
	}
	return nodes
}

// experimentRand is the generator of an experiment with the given seed; the
// second word keeps these streams apart from other users of the same seed.
func experimentRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x72696e675f6c6162)) // "ring_lab"
}

// MovementSpec describes one membership change to measure: a cluster of
// Nodes nodes loses Remove of them and gains Add new ones.
type MovementSpec struct {
	Nodes  int    `json:"nodes"`  // nodes before the change, 1..MaxExperimentNodes
	Add    int    `json:"add"`    // nodes joining, >= 0
	Remove int    `json:"remove"` // nodes leaving, 0..Nodes-1; Add+Remove >= 1
	VNodes int    `json:"vnodes"` // ring points per node (every node has weight 1)
	Keys   int    `json:"keys"`   // sample size: keys KeyName(FirstKey) .. KeyName(FirstKey+Keys-1)
	Seed   uint64 `json:"seed"`   // picks the node ids and which nodes leave
	// FirstKey starts the key sample, 0 by default; a sweep that gives each
	// repetition its own keys varies it, so that hash-modulo placement,
	// whose moves depend on the keys alone, varies too.
	FirstKey int `json:"first_key,omitempty"`
}

// Validate reports, in one line, the first field that is out of range and
// the range allowed.
func (s MovementSpec) Validate() error {
	switch {
	case s.Nodes < 1 || s.Nodes > MaxExperimentNodes:
		return fmt.Errorf("nodes must be between 1 and %d, got %d", MaxExperimentNodes, s.Nodes)
	case s.Add < 0 || s.Nodes+s.Add > MaxExperimentNodes:
		return fmt.Errorf("add must be between 0 and %d (nodes+add <= %d), got %d", MaxExperimentNodes-s.Nodes, MaxExperimentNodes, s.Add)
	case s.Remove < 0 || s.Remove >= s.Nodes:
		return fmt.Errorf("remove must be between 0 and nodes-1 = %d (at least one node stays), got %d", s.Nodes-1, s.Remove)
	case s.Add+s.Remove < 1:
		return fmt.Errorf("add or remove must be at least 1: a change of membership is what is measured")
	case s.VNodes < 1 || s.VNodes > MaxExperimentPoints/(s.Nodes+s.Add):
		return fmt.Errorf("vnodes must be between 1 and %d for %d nodes (at most %d ring points), got %d",
			MaxExperimentPoints/(s.Nodes+s.Add), s.Nodes+s.Add, MaxExperimentPoints, s.VNodes)
	case s.Keys < 1 || s.Keys > MaxExperimentKeys:
		return fmt.Errorf("keys must be between 1 and %d, got %d", MaxExperimentKeys, s.Keys)
	case s.FirstKey < 0 || s.FirstKey > math.MaxInt64-MaxExperimentKeys:
		return fmt.Errorf("first key must be between 0 and %d, got %d", math.MaxInt64-MaxExperimentKeys, s.FirstKey)
	}
	return nil
}

// MovementOutcome is what one placement scheme did with the key sample.
type MovementOutcome struct {
	Moved         int     `json:"moved"`          // keys whose owner changed
	MovedFraction float64 `json:"moved_fraction"` // Moved / Keys
	// OnlyChangedNodes is true when every moved key came from a node that
	// left or went to a node that joined: no key moved between two nodes
	// that stayed. StrayMoves counts the keys that did.
	OnlyChangedNodes bool `json:"only_changed_nodes"`
	StrayMoves       int  `json:"stray_moves"`
	// Flows says from whom to whom the keys moved.
	Flows []Flow `json:"flows"`
}

// MovementResult compares hash-modulo placement with the ring across one
// membership change.
type MovementResult struct {
	Spec        MovementSpec `json:"spec"`
	NodesBefore []ids.NodeID `json:"nodes_before"` // the cluster before, in Modulo order
	Added       []ids.NodeID `json:"added"`
	Removed     []ids.NodeID `json:"removed"`
	// IdealFraction is the least any placement that stays perfectly
	// balanced could move: the removed nodes' share must go, and the added
	// nodes must receive theirs: max(Remove/Nodes, Add/(Nodes-Remove+Add)).
	IdealFraction float64 `json:"ideal_fraction"`
	// RingArcFraction is the exact fraction of the hash space whose owner
	// changed on the ring; the ring's MovedFraction estimates it.
	RingArcFraction float64         `json:"ring_arc_fraction"`
	Modulo          MovementOutcome `json:"modulo"`
	Ring            MovementOutcome `json:"ring"`
}

// MeasureMovement applies the change described by spec to a Modulo
// placement and to a ring (Spec.VNodes points per node) holding the same
// nodes, and counts the sample keys that change owner under each.
//
// The Nodes+Add node ids are drawn with SampleNodeIDs from the seed: the
// first Nodes form the cluster (in that order for Modulo), the rest join;
// the nodes that leave are then drawn from the cluster. The Modulo placement
// after the change keeps the remaining nodes in their order and appends the
// new ones, as an operator growing a hash-mod-N cluster would.
func MeasureMovement(spec MovementSpec) (MovementResult, error) {
	if err := spec.Validate(); err != nil {
		return MovementResult{}, err
	}
	rng := experimentRand(spec.Seed)
	all := SampleNodeIDs(spec.Nodes+spec.Add, rng)
	before, added := all[:spec.Nodes], all[spec.Nodes:]
	removed := make([]ids.NodeID, spec.Remove)
	for i, k := range rng.Perm(spec.Nodes)[:spec.Remove] {
		removed[i] = before[k]
	}

	var after []ids.NodeID
	for _, n := range before {
		if !slices.Contains(removed, n) {
			after = append(after, n)
		}
	}
	after = append(after, added...)

	ringBefore := New(spec.VNodes)
	for _, n := range before {
		if err := ringBefore.Add(n, 1); err != nil {
			return MovementResult{}, err
		}
	}
	ringAfter := ringBefore.Clone()
	for _, n := range removed {
		ringAfter.Remove(n)
	}
	for _, n := range added {
		if err := ringAfter.Add(n, 1); err != nil {
			return MovementResult{}, err
		}
	}

	result := MovementResult{
		Spec:        spec,
		NodesBefore: slices.Clone(before),
		Added:       slices.Clone(added),
		Removed:     removed,
		IdealFraction: max(float64(spec.Remove)/float64(spec.Nodes),
			float64(spec.Add)/float64(len(after))),
		RingArcFraction: ChangedArcFraction(ringBefore, ringAfter),
	}
	// A move is accounted to the change when it leaves a removed node or
	// reaches an added one.
	changed := make(map[ids.NodeID]bool, len(added)+len(removed))
	for _, n := range added {
		changed[n] = true
	}
	for _, n := range removed {
		changed[n] = true
	}
	flows := make([]flowTally, 2)
	tally := func(o *MovementOutcome, t *flowTally, from, to ids.NodeID) {
		if from == to {
			return
		}
		o.Moved++
		t.add(from, to)
		if !changed[from] && !changed[to] {
			o.StrayMoves++
		}
	}
	moduloBefore, moduloAfter := Modulo{Nodes: before}, Modulo{Nodes: after}
	for i := spec.FirstKey; i < spec.FirstKey+spec.Keys; i++ {
		h := keyHash(i)
		from, _ := moduloBefore.Owner(h)
		to, _ := moduloAfter.Owner(h)
		tally(&result.Modulo, &flows[0], from, to)
		from, _ = ringBefore.Owner(h)
		to, _ = ringAfter.Owner(h)
		tally(&result.Ring, &flows[1], from, to)
	}
	for i, o := range []*MovementOutcome{&result.Modulo, &result.Ring} {
		o.MovedFraction = float64(o.Moved) / float64(spec.Keys)
		o.OnlyChangedNodes = o.StrayMoves == 0
		o.Flows = flows[i].flows()
	}
	return result, nil
}

// ChangedArcFraction is the exact fraction of the 2^64 hash space whose
// owner differs between two rings, found by walking the union of their
// points: between two consecutive points of the union neither ring changes
// owner. It is 0 for two empty rings and 1 when exactly one is empty.
func ChangedArcFraction(before, after *Ring) float64 {
	switch {
	case before.Len() == 0 && after.Len() == 0:
		return 0
	case before.Len() == 0 || after.Len() == 0:
		return 1
	}
	cuts := make([]uint64, 0, before.Len()+after.Len())
	cuts = append(cuts, before.hashes...)
	cuts = append(cuts, after.hashes...)
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	if len(cuts) == 1 {
		// One position holds every point: each ring has one owner for all.
		a, _ := before.Owner(cuts[0])
		b, _ := after.Owner(cuts[0])
		if a != b {
			return 1
		}
		return 0
	}
	var hi, lo uint64 // the changed length, hi*2^64 + lo
	for i, end := range cuts {
		a, _ := before.Owner(end)
		b, _ := after.Owner(end)
		if a == b {
			continue
		}
		start := cuts[(i+len(cuts)-1)%len(cuts)]
		var carry uint64
		lo, carry = bits.Add64(lo, end-start, 0) // wraps past zero for i == 0
		hi += carry
	}
	return float64(hi) + float64(lo)/(1<<64)
}

// BalanceSpec describes a balance measurement: rings of Nodes nodes with
// VNodes points each (weight 1), one per seed Seed, Seed+1, ...,
// Seed+Seeds-1, each loaded with the same key sample.
type BalanceSpec struct {
	Nodes  int    `json:"nodes"`  // 1..MaxExperimentNodes
	VNodes int    `json:"vnodes"` // 1..MaxExperimentPoints/Nodes
	Keys   int    `json:"keys"`   // sample size: keys KeyName(0) .. KeyName(Keys-1)
	Seeds  int    `json:"seeds"`  // rings averaged, 1..MaxExperimentSeeds
	Seed   uint64 `json:"seed"`   // the first seed
}

// Validate reports, in one line, the first field that is out of range and
// the range allowed.
func (s BalanceSpec) Validate() error {
	switch {
	case s.Nodes < 1 || s.Nodes > MaxExperimentNodes:
		return fmt.Errorf("nodes must be between 1 and %d, got %d", MaxExperimentNodes, s.Nodes)
	case s.VNodes < 1 || s.VNodes > MaxExperimentPoints/s.Nodes:
		return fmt.Errorf("vnodes must be between 1 and %d for %d nodes (at most %d ring points), got %d",
			MaxExperimentPoints/s.Nodes, s.Nodes, MaxExperimentPoints, s.VNodes)
	case s.Keys < 1 || s.Keys > MaxExperimentKeys:
		return fmt.Errorf("keys must be between 1 and %d, got %d", MaxExperimentKeys, s.Keys)
	case s.Seeds < 1 || s.Seeds > MaxExperimentSeeds:
		return fmt.Errorf("seeds must be between 1 and %d, got %d", MaxExperimentSeeds, s.Seeds)
	}
	return nil
}

// BalanceSample is the balance of the ring built from one seed. Arc loads
// are the fractions of the hash space the nodes own (ArcShares); key loads
// are the numbers of sample keys they own.
type BalanceSample struct {
	Seed  uint64       `json:"seed"`
	Nodes []ids.NodeID `json:"nodes"` // drawn with SampleNodeIDs, sorted
	Arc   LoadStats    `json:"arc"`
	Key   LoadStats    `json:"key"`
}

// BalanceResult is the load balance of the ring, averaged over seeds.
type BalanceResult struct {
	Spec BalanceSpec `json:"spec"`
	// Arc and Key are the field-by-field means of the samples' statistics.
	Arc LoadStats `json:"arc"`
	Key LoadStats `json:"key"`
	// ExpectedArcCV is the theory for Arc.CV: with uniformly random points,
	// a node's share of the space has variance (N-1)/(N^2 (N V + 1)), so the
	// root-mean-square CV is sqrt((N-1)/(N V + 1)), about 1/sqrt(V) for many
	// nodes: quadrupling the vnodes halves the spread.
	ExpectedArcCV float64 `json:"expected_arc_cv"`
	// ExpectedKeyCV adds the sampling noise of Keys keys, (N-1)/Keys, to
	// the squared arc CV (an approximation, close when Keys >> N).
	ExpectedKeyCV float64         `json:"expected_key_cv"`
	Samples       []BalanceSample `json:"samples"`
}

// MeasureBalance builds one ring per seed, with node ids drawn by
// SampleNodeIDs, and measures how evenly it spreads the hash space and the
// key sample over the nodes.
func MeasureBalance(spec BalanceSpec) (BalanceResult, error) {
	if err := spec.Validate(); err != nil {
		return BalanceResult{}, err
	}
	n, v, k := float64(spec.Nodes), float64(spec.VNodes), float64(spec.Keys)
	arcCV2 := (n - 1) / (n*v + 1)
	result := BalanceResult{
		Spec:          spec,
		ExpectedArcCV: math.Sqrt(arcCV2),
		ExpectedKeyCV: math.Sqrt(arcCV2 + (n-1)/k),
		Samples:       make([]BalanceSample, spec.Seeds),
	}
	hashes := KeyHashes(spec.Keys)
	arcLoads := make([]float64, spec.Nodes)
	keyLoads := make([]float64, spec.Nodes)
	for s := range result.Samples {
		seed := spec.Seed + uint64(s)
		r := New(spec.VNodes)
		for _, node := range SampleNodeIDs(spec.Nodes, experimentRand(seed)) {
			if err := r.Add(node, 1); err != nil {
				return BalanceResult{}, err
			}
		}
		nodes := r.Nodes()
		for i, share := range r.ArcShares() {
			arcLoads[i] = share.Fraction
		}
		for i, count := range KeyCounts(r, nodes, hashes) {
			keyLoads[i] = float64(count)
		}
		result.Samples[s] = BalanceSample{Seed: seed, Nodes: nodes, Arc: Stats(arcLoads), Key: Stats(keyLoads)}
	}
	result.Arc = meanStats(result.Samples, func(b BalanceSample) LoadStats { return b.Arc })
	result.Key = meanStats(result.Samples, func(b BalanceSample) LoadStats { return b.Key })
	return result, nil
}

// meanStats averages each field of the selected statistics over the samples.
func meanStats(samples []BalanceSample, pick func(BalanceSample) LoadStats) LoadStats {
	var m LoadStats
	for _, b := range samples {
		s := pick(b)
		m.Mean += s.Mean
		m.StdDev += s.StdDev
		m.Min += s.Min
		m.Max += s.Max
		m.CV += s.CV
		m.MaxOverMean += s.MaxOverMean
	}
	count := float64(len(samples))
	m.Mean /= count
	m.StdDev /= count
	m.Min /= count
	m.Max /= count
	m.CV /= count
	m.MaxOverMean /= count
	return m
}
