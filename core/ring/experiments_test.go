package ring

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core/ids"
)

func TestMovementOnGrowth(t *testing.T) {
	// Going from N to N+1 nodes, modulo placement moves about N/(N+1) of the
	// keys; the ring moves only the new node's share, about 1/(N+1), and
	// every key it moves goes to the new node.
	tests := []struct {
		name   string
		nodes  int
		vnodes int
		seed   uint64
	}{
		{"4 to 5 nodes", 4, 200, 1},
		{"10 to 11 nodes", 10, 200, 2},
		{"20 to 21 nodes", 20, 200, 3},
		{"10 to 11 nodes, another seed", 10, 200, 4},
	}
	for _, tt := range tests {
		res, err := MeasureMovement(MovementSpec{Nodes: tt.nodes, Add: 1, VNodes: tt.vnodes, Keys: 40_000, Seed: tt.seed})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		n := float64(tt.nodes)
		if want := n / (n + 1); math.Abs(res.Modulo.MovedFraction-want) > 0.02 {
			t.Errorf("%s: modulo moved %.3f of keys, want about N/(N+1) = %.3f", tt.name, res.Modulo.MovedFraction, want)
		}
		if res.Modulo.OnlyChangedNodes {
			t.Errorf("%s: modulo moved keys only to the new node; it should reshuffle keys among old nodes too", tt.name)
		}
		// With 200 vnodes a node's share is within about 3 standard
		// deviations (7% each) of its fair share 1/(N+1).
		if want := 1 / (n + 1); math.Abs(res.Ring.MovedFraction-want) > 0.25*want {
			t.Errorf("%s: the ring moved %.4f of keys, want about 1/(N+1) = %.4f", tt.name, res.Ring.MovedFraction, want)
		}
		if !res.Ring.OnlyChangedNodes || res.Ring.StrayMoves != 0 {
			t.Errorf("%s: the ring moved %d keys between old nodes; every move must go to the new node", tt.name, res.Ring.StrayMoves)
		}
		flowed := 0
		for _, f := range res.Ring.Flows {
			flowed += f.Keys
			if f.To != res.Added[0] || !slices.Contains(res.NodesBefore, f.From) {
				t.Errorf("%s: %d keys flowed from %v to %v, want only old nodes to the new node %v", tt.name, f.Keys, f.From, f.To, res.Added[0])
			}
		}
		if flowed != res.Ring.Moved {
			t.Errorf("%s: the ring's flows total %d keys, but %d moved", tt.name, flowed, res.Ring.Moved)
		}
		// The key sample estimates the exact changed arc within sampling error.
		p := res.RingArcFraction
		if sigma := math.Sqrt(p * (1 - p) / 40_000); math.Abs(res.Ring.MovedFraction-p) > 5*sigma {
			t.Errorf("%s: the ring moved %.4f of the keys but %.4f of the hash space changed owner", tt.name, res.Ring.MovedFraction, p)
		}
		if want := 1 / (n + 1); res.IdealFraction != want {
			t.Errorf("%s: IdealFraction = %v, want %v", tt.name, res.IdealFraction, want)
		}
	}
}

func TestMovementOnShrink(t *testing.T) {
	res, err := MeasureMovement(MovementSpec{Nodes: 10, Remove: 1, VNodes: 200, Keys: 40_000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Removed) != 1 || !slices.Contains(res.NodesBefore, res.Removed[0]) {
		t.Fatalf("Removed = %v, want one of the nodes before %v", res.Removed, res.NodesBefore)
	}
	if math.Abs(res.Ring.MovedFraction-0.1) > 0.025 {
		t.Errorf("removing 1 of 10 nodes moved %.4f of keys on the ring, want about 0.1", res.Ring.MovedFraction)
	}
	if !res.Ring.OnlyChangedNodes {
		t.Errorf("removing a node moved %d keys that it did not own", res.Ring.StrayMoves)
	}
	if res.Modulo.MovedFraction < 0.8 {
		t.Errorf("removing 1 of 10 nodes moved only %.3f of keys under modulo, want most of them", res.Modulo.MovedFraction)
	}
}

// TestRingMovesExactlyTheChangedNodesKeys checks the movement with Moves on
// whole key lists: a join takes keys only for itself, a leave hands off
// exactly the keys the leaving node owned, and nothing else moves.
func TestRingMovesExactlyTheChangedNodesKeys(t *testing.T) {
	hashes := KeyHashes(20_000)
	before := New(50)
	for n := range ids.NodeID(6) {
		if err := before.Add(n, 1); err != nil {
			t.Fatal(err)
		}
	}
	joined := before.Clone()
	if err := joined.Add(6, 1); err != nil {
		t.Fatal(err)
	}
	joins := Moves(before, joined, hashes)
	gained := KeyCounts(joined, []ids.NodeID{6}, hashes)[0]
	if len(joins) != gained || gained == 0 {
		t.Errorf("n6 joined and gained %d keys, but %d keys moved", gained, len(joins))
	}
	for _, m := range joins {
		if m.To != 6 {
			t.Fatalf("after n6 joined, key %d moved from %v to %v", m.Index, m.From, m.To)
		}
	}

	left := before.Clone()
	left.Remove(2)
	leaves := Moves(before, left, hashes)
	owned := KeyCounts(before, []ids.NodeID{2}, hashes)[0]
	if len(leaves) != owned || owned == 0 {
		t.Errorf("n2 left owning %d keys, but %d keys moved", owned, len(leaves))
	}
	for _, m := range leaves {
		if m.From != 2 {
			t.Fatalf("after n2 left, key %d moved from %v to %v", m.Index, m.From, m.To)
		}
		if next := before.PreferenceList(hashes[m.Index], 2)[1]; m.To != next {
			t.Fatalf("key %d of n2 went to %v, want the next node clockwise %v", m.Index, m.To, next)
		}
	}
}

func TestMovementSpecValidate(t *testing.T) {
	ok := MovementSpec{Nodes: 10, Add: 1, VNodes: 100, Keys: 1000}
	tests := []struct {
		name    string
		edit    func(*MovementSpec)
		wantErr string // empty: valid
	}{
		{"valid growth", func(*MovementSpec) {}, ""},
		{"valid shrink", func(s *MovementSpec) { s.Add, s.Remove = 0, 3 }, ""},
		{"no nodes", func(s *MovementSpec) { s.Nodes = 0 }, "nodes must be"},
		{"too many nodes", func(s *MovementSpec) { s.Nodes = MaxExperimentNodes + 1 }, "nodes must be"},
		{"negative add", func(s *MovementSpec) { s.Add = -1 }, "add must be"},
		{"growth past the node limit", func(s *MovementSpec) { s.Add = MaxExperimentNodes }, "add must be"},
		{"removing every node", func(s *MovementSpec) { s.Add, s.Remove = 0, 10 }, "remove must be"},
		{"negative remove", func(s *MovementSpec) { s.Remove = -2 }, "remove must be"},
		{"no change", func(s *MovementSpec) { s.Add = 0 }, "add or remove"},
		{"zero vnodes", func(s *MovementSpec) { s.VNodes = 0 }, "vnodes must be"},
		{"too many points", func(s *MovementSpec) { s.VNodes = MaxExperimentPoints }, "vnodes must be"},
		{"no keys", func(s *MovementSpec) { s.Keys = 0 }, "keys must be"},
		{"too many keys", func(s *MovementSpec) { s.Keys = MaxExperimentKeys + 1 }, "keys must be"},
	}
	for _, tt := range tests {
		spec := ok
		tt.edit(&spec)
		err := spec.Validate()
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)):
			t.Errorf("%s: Validate() = %v, want an error starting %q", tt.name, err, tt.wantErr)
		case err != nil && strings.Contains(err.Error(), "\n"):
			t.Errorf("%s: the error %q spans several lines", tt.name, err)
		}
		if _, mErr := MeasureMovement(spec); (mErr == nil) != (err == nil) {
			t.Errorf("%s: MeasureMovement error %v disagrees with Validate %v", tt.name, mErr, err)
		}
	}
}

func TestBalanceSpecValidate(t *testing.T) {
	ok := BalanceSpec{Nodes: 10, VNodes: 100, Keys: 1000, Seeds: 2}
	tests := []struct {
		name    string
		edit    func(*BalanceSpec)
		wantErr string
	}{
		{"valid", func(*BalanceSpec) {}, ""},
		{"no nodes", func(s *BalanceSpec) { s.Nodes = 0 }, "nodes must be"},
		{"zero vnodes", func(s *BalanceSpec) { s.VNodes = 0 }, "vnodes must be"},
		{"too many points", func(s *BalanceSpec) { s.VNodes = MaxExperimentPoints }, "vnodes must be"},
		{"no keys", func(s *BalanceSpec) { s.Keys = -5 }, "keys must be"},
		{"no seeds", func(s *BalanceSpec) { s.Seeds = 0 }, "seeds must be"},
		{"too many seeds", func(s *BalanceSpec) { s.Seeds = MaxExperimentSeeds + 1 }, "seeds must be"},
	}
	for _, tt := range tests {
		spec := ok
		tt.edit(&spec)
		err := spec.Validate()
		if tt.wantErr == "" && err != nil {
			t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
		}
		if tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)) {
			t.Errorf("%s: Validate() = %v, want an error starting %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestExperimentsAreDeterministic(t *testing.T) {
	spec := MovementSpec{Nodes: 6, Add: 2, Remove: 1, VNodes: 20, Keys: 2000, Seed: 9}
	a, _ := MeasureMovement(spec)
	b, _ := MeasureMovement(spec)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("MeasureMovement twice with seed 9 gave different results")
	}
	spec.Seed = 10
	if c, _ := MeasureMovement(spec); slices.Equal(c.NodesBefore, a.NodesBefore) {
		t.Errorf("seeds 9 and 10 drew the same nodes %v", a.NodesBefore)
	}
	if !a.Ring.OnlyChangedNodes {
		t.Errorf("a join plus a leave moved %d keys between nodes that stayed", a.Ring.StrayMoves)
	}

	bs := BalanceSpec{Nodes: 5, VNodes: 10, Keys: 1000, Seeds: 3, Seed: 4}
	x, _ := MeasureBalance(bs)
	y, _ := MeasureBalance(bs)
	if !reflect.DeepEqual(x, y) {
		t.Errorf("MeasureBalance twice gave different results")
	}
	for i, s := range x.Samples {
		if s.Seed != 4+uint64(i) || len(s.Nodes) != 5 {
			t.Errorf("sample %d: seed %d with %d nodes, want seed %d with 5 nodes", i, s.Seed, len(s.Nodes), 4+i)
		}
	}
}

func TestSampleNodeIDs(t *testing.T) {
	got := SampleNodeIDs(500, rand.New(rand.NewPCG(1, 2)))
	sorted := slices.Clone(got)
	slices.Sort(sorted)
	if len(got) != 500 || len(slices.Compact(sorted)) != 500 || slices.Contains(got, ids.None) {
		t.Errorf("SampleNodeIDs(500) did not give 500 distinct usable ids")
	}
	if again := SampleNodeIDs(500, rand.New(rand.NewPCG(1, 2))); !slices.Equal(got, again) {
		t.Errorf("the same generator state drew different ids")
	}
}

// TestBalanceImprovesWithVNodes checks the spread of load against the
// theory: the coefficient of variation of each node's share falls like
// 1/sqrt(vnodes), about 10% at 100 vnodes.
func TestBalanceImprovesWithVNodes(t *testing.T) {
	cv := map[int]BalanceResult{}
	for _, vnodes := range []int{10, 100, 1000} {
		res, err := MeasureBalance(BalanceSpec{Nodes: 32, VNodes: vnodes, Keys: 100_000, Seeds: 8, Seed: 100})
		if err != nil {
			t.Fatal(err)
		}
		cv[vnodes] = res
		if got, want := res.Arc.CV, res.ExpectedArcCV; math.Abs(got-want) > 0.2*want {
			t.Errorf("%d vnodes: arc CV %.4f, theory %.4f", vnodes, got, want)
		}
		if got, want := res.Key.CV, res.ExpectedKeyCV; math.Abs(got-want) > 0.2*want {
			t.Errorf("%d vnodes: key CV %.4f, theory %.4f", vnodes, got, want)
		}
		if math.Abs(res.Arc.Mean-1.0/32) > 1e-12 || res.Key.Mean != 100_000.0/32 {
			t.Errorf("%d vnodes: mean arc %v and keys %v per node, want 1/32 and 100000/32", vnodes, res.Arc.Mean, res.Key.Mean)
		}
	}
	if got := cv[100].Arc.CV; got < 0.07 || got > 0.13 {
		t.Errorf("arc CV at 100 vnodes = %.4f, want between 0.07 and 0.13", got)
	}
	for _, pair := range [][2]int{{10, 100}, {100, 1000}} {
		ratio := cv[pair[0]].Arc.CV / cv[pair[1]].Arc.CV
		if ratio < math.Sqrt(10)*0.75 || ratio > math.Sqrt(10)*1.3 {
			t.Errorf("arc CV at %d vnodes / at %d vnodes = %.2f, want about sqrt(10) = 3.16", pair[0], pair[1], ratio)
		}
	}
	if cv[1000].Arc.MaxOverMean >= cv[10].Arc.MaxOverMean {
		t.Errorf("the busiest node's load over the mean did not fall with more vnodes: %.3f at 10, %.3f at 1000",
			cv[10].Arc.MaxOverMean, cv[1000].Arc.MaxOverMean)
	}
}

// TestWeightScalesShare gives one node weight 2 among nodes of weight 1 and
// checks that it owns about twice their share, of the space and of keys.
func TestWeightScalesShare(t *testing.T) {
	hashes := KeyHashes(60_000)
	for heavy := range ids.NodeID(5) {
		r := New(1000)
		for n := range ids.NodeID(5) {
			w := 1.0
			if n == heavy {
				w = 2
			}
			if err := r.Add(n, w); err != nil {
				t.Fatal(err)
			}
		}
		if r.NodePoints(heavy) != 2000 {
			t.Errorf("heavy n%d has %d points, want 2000", heavy, r.NodePoints(heavy))
		}
		var heavyShare, lightShare float64
		for _, s := range r.ArcShares() {
			if s.Node == heavy {
				heavyShare = s.Fraction
			} else {
				lightShare += s.Fraction / 4
			}
		}
		if ratio := heavyShare / lightShare; ratio < 1.8 || ratio > 2.2 {
			t.Errorf("weight 2 on n%d: arc share %.4f vs %.4f for weight 1, ratio %.2f, want about 2", heavy, heavyShare, lightShare, ratio)
		}
		counts := KeyCounts(r, r.Nodes(), hashes)
		light := float64(len(hashes)-counts[heavy]) / 4
		if ratio := float64(counts[heavy]) / light; ratio < 1.8 || ratio > 2.2 {
			t.Errorf("weight 2 on n%d: %d keys vs %.0f for weight 1, ratio %.2f, want about 2", heavy, counts[heavy], light, ratio)
		}
	}
}
