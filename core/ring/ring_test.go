package ring

import (
	"math"
	"slices"
	"testing"

	"github.com/ringlab/ringlab/core/ids"
)

// handRing has three nodes at hand-picked positions:
//
//	100:n0  200:n1  300:n0  400:n2  500:n2  600:n1
//
// so the owner of any hash can be read off by eye.
func handRing() *Ring {
	return fromPoints(2,
		Point{Hash: 100, Node: 0, Index: 0}, Point{Hash: 200, Node: 1, Index: 0},
		Point{Hash: 300, Node: 0, Index: 1}, Point{Hash: 400, Node: 2, Index: 0},
		Point{Hash: 500, Node: 2, Index: 1}, Point{Hash: 600, Node: 1, Index: 1})
}

func TestOwnerHandPlaced(t *testing.T) {
	r := handRing()
	tests := []struct {
		name      string
		hash      uint64
		wantIndex int
		wantOwner ids.NodeID
	}{
		{"zero goes to the first point", 0, 0, 0},
		{"just below a point", 99, 0, 0},
		{"exactly on a point belongs to it", 100, 0, 0},
		{"just past a point goes to the next", 101, 1, 1},
		{"middle of an arc", 350, 3, 2},
		{"exactly on the last point", 600, 5, 1},
		{"past the last point wraps to the first", 601, 0, 0},
		{"top of the space wraps to the first", math.MaxUint64, 0, 0},
	}
	for _, tt := range tests {
		if got := r.Search(tt.hash); got != tt.wantIndex {
			t.Errorf("%s: Search(%d) = %d, want %d", tt.name, tt.hash, got, tt.wantIndex)
		}
		got, ok := r.Owner(tt.hash)
		if !ok || got != tt.wantOwner {
			t.Errorf("%s: Owner(%d) = %v, %v; want %v, true", tt.name, tt.hash, got, ok, tt.wantOwner)
		}
	}
}

func TestPreferenceListHandPlaced(t *testing.T) {
	r := handRing()
	tests := []struct {
		name string
		hash uint64
		n    int
		want []ids.NodeID
	}{
		{"primary only", 150, 1, []ids.NodeID{1}},
		{"two distinct neighbours", 150, 2, []ids.NodeID{1, 0}},
		{"skips the second point of a chosen node", 350, 2, []ids.NodeID{2, 1}},
		{"wraps past the top", 550, 3, []ids.NodeID{1, 0, 2}},
		{"from the top of the space", math.MaxUint64, 3, []ids.NodeID{0, 1, 2}},
		{"more replicas than nodes gives every node", 250, 5, []ids.NodeID{0, 2, 1}},
		{"zero replicas gives none", 250, 0, nil},
		{"negative replicas gives none", 250, -1, nil},
	}
	for _, tt := range tests {
		got := r.PreferenceList(tt.hash, tt.n)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: PreferenceList(%d, %d) = %v, want %v", tt.name, tt.hash, tt.n, got, tt.want)
		}
		walk := r.PreferenceWalk(tt.hash, tt.n)
		var chosen []ids.NodeID
		for _, step := range walk {
			if step.Chosen {
				chosen = append(chosen, step.Point.Node)
			}
		}
		if !slices.Equal(chosen, tt.want) {
			t.Errorf("%s: chosen steps of PreferenceWalk(%d, %d) = %v, want %v", tt.name, tt.hash, tt.n, chosen, tt.want)
		}
	}
}

func TestPreferenceWalkRecordsSkippedPoints(t *testing.T) {
	// From 350: 400:n2 chosen, 500:n2 skipped, 600:n1 chosen, 100:n0 chosen.
	got := handRing().PreferenceWalk(350, 3)
	want := []WalkStep{
		{Point{Hash: 400, Node: 2, Index: 0}, true},
		{Point{Hash: 500, Node: 2, Index: 1}, false},
		{Point{Hash: 600, Node: 1, Index: 1}, true},
		{Point{Hash: 100, Node: 0, Index: 0}, true},
	}
	if !slices.Equal(got, want) {
		t.Errorf("PreferenceWalk(350, 3) = %v, want %v", got, want)
	}
}

func TestAppendPreferenceListKeepsPrefix(t *testing.T) {
	dst := []ids.NodeID{7, 8}
	got := handRing().AppendPreferenceList(dst, 350, 2)
	if want := []ids.NodeID{7, 8, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("AppendPreferenceList onto [n7 n8] = %v, want %v (the prefix is kept, and its nodes do not count as chosen)", got, want)
	}
}

func TestRangeOfHandPlaced(t *testing.T) {
	r := handRing()
	tests := []struct {
		name             string
		ring             *Ring
		hash             uint64
		wantStart, wantE uint64
	}{
		{"inside an arc", r, 250, 200, 300},
		{"on the point that ends the arc", r, 300, 200, 300},
		{"first arc wraps from the last point", r, 50, 600, 100},
		{"past the last point is in the first arc", r, 700, 600, 100},
		{"one point owns the whole ring", fromPoints(1, pt(42, 3)), 7, 42, 42},
		{"empty ring", New(1), 7, 0, 0},
	}
	for _, tt := range tests {
		start, end := tt.ring.RangeOf(tt.hash)
		if start != tt.wantStart || end != tt.wantE {
			t.Errorf("%s: RangeOf(%d) = (%d, %d], want (%d, %d]", tt.name, tt.hash, start, end, tt.wantStart, tt.wantE)
		}
	}
}

func TestEmptyRing(t *testing.T) {
	r := New(8)
	if got := r.Search(5); got != -1 {
		t.Errorf("Search on an empty ring = %d, want -1", got)
	}
	if n, ok := r.Owner(5); ok || n != ids.None {
		t.Errorf("Owner on an empty ring = %v, %v; want ids.None, false", n, ok)
	}
	if got := r.PreferenceList(5, 3); len(got) != 0 {
		t.Errorf("PreferenceList on an empty ring = %v, want empty", got)
	}
	if got := r.PreferenceWalk(5, 3); len(got) != 0 {
		t.Errorf("PreferenceWalk on an empty ring = %v, want empty", got)
	}
	if got := r.ArcShares(); len(got) != 0 {
		t.Errorf("ArcShares on an empty ring = %v, want empty", got)
	}
}

func TestArcSharesHandPlaced(t *testing.T) {
	const quarter = 1 << 62
	tests := []struct {
		name string
		ring *Ring
		want []Share
	}{
		{"single point owns everything", fromPoints(1, pt(12345, 4)), []Share{{4, 1}}},
		{"two coinciding points: the first in order owns everything",
			fromPoints(1, pt(9, 5), pt(9, 2)), []Share{{2, 1}, {5, 0}}},
		{"quarters, wrap arc included",
			// n0 owns (3q, 2^64) and [0, 0]: a quarter; n1 owns (0, 2q]: a half.
			fromPoints(1, pt(0, 0), pt(quarter, 1), pt(2*quarter, 1), pt(3*quarter, 2)),
			[]Share{{0, 0.25}, {1, 0.5}, {2, 0.25}}},
		{"hand ring", handRing(), []Share{
			// n0: (600, 2^64)+[0,100] and (200,300]; n1: (100,200] and (500,600].
			{0, float64(math.MaxUint64-600+101+100) / (1 << 64)},
			{1, 200.0 / (1 << 64)},
			{2, 200.0 / (1 << 64)},
		}},
	}
	for _, tt := range tests {
		got := tt.ring.ArcShares()
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: ArcShares() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestChangedArcFractionHandPlaced(t *testing.T) {
	const quarter = 1 << 62
	before := fromPoints(1, pt(quarter, 0), pt(3*quarter, 1))
	// n2 joins at 2q: it takes (q, 2q] from n1, a quarter of the space.
	join := fromPoints(1, pt(quarter, 0), pt(2*quarter, 2), pt(3*quarter, 1))
	// n0 leaves: n1 takes everything n0 had, a half.
	leave := fromPoints(1, pt(3*quarter, 1))
	tests := []struct {
		name          string
		before, after *Ring
		want          float64
	}{
		{"identical rings", before, before.Clone(), 0},
		{"one node joins", before, join, 0.25},
		{"one node leaves", before, leave, 0.5},
		{"both empty", New(1), New(1), 0},
		{"to an empty ring", before, New(1), 1},
	}
	for _, tt := range tests {
		if got := ChangedArcFraction(tt.before, tt.after); got != tt.want {
			t.Errorf("%s: ChangedArcFraction = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAddRejects(t *testing.T) {
	r := New(4)
	if err := r.Add(1, 1); err != nil {
		t.Fatalf("Add(n1, 1) on an empty ring: %v", err)
	}
	tests := []struct {
		name   string
		node   ids.NodeID
		weight float64
	}{
		{"node already present", 1, 1},
		{"reserved id", ids.None, 1},
		{"zero weight", 2, 0},
		{"negative weight", 2, -1},
		{"NaN weight", 2, math.NaN()},
		{"infinite weight", 2, math.Inf(1)},
		{"weight beyond the point limit", 2, MaxPointsPerNode},
	}
	for _, tt := range tests {
		before := r.Points()
		if err := r.Add(tt.node, tt.weight); err == nil {
			t.Errorf("%s: Add(%v, %v) succeeded, want an error", tt.name, tt.node, tt.weight)
		}
		if !slices.Equal(r.Points(), before) || r.NodeCount() != 1 {
			t.Errorf("%s: a refused Add changed the ring", tt.name)
		}
	}
}

func TestPointCountsAndWeights(t *testing.T) {
	tests := []struct {
		name       string
		vnodes     int
		weight     float64
		wantVNodes int
		wantPoints int
	}{
		{"weight one", 10, 1, 10, 10},
		{"double weight", 10, 2, 10, 20},
		{"fraction rounds to nearest", 10, 0.26, 10, 3},
		{"tiny weight still gets one point", 10, 0.01, 10, 1},
		{"vnodes below one are clamped to one", 0, 3, 1, 3},
		{"vnodes above the maximum are clamped", MaxVNodesPerWeight + 5, 1, MaxVNodesPerWeight, MaxVNodesPerWeight},
	}
	for _, tt := range tests {
		r := New(tt.vnodes)
		if got := r.VNodesPerWeight(); got != tt.wantVNodes {
			t.Errorf("%s: VNodesPerWeight() = %d, want %d", tt.name, got, tt.wantVNodes)
		}
		if err := r.Add(3, tt.weight); err != nil {
			t.Fatalf("%s: Add: %v", tt.name, err)
		}
		if r.Len() != tt.wantPoints || r.NodePoints(3) != tt.wantPoints {
			t.Errorf("%s: Len() = %d, NodePoints = %d, want %d", tt.name, r.Len(), r.NodePoints(3), tt.wantPoints)
		}
		if r.Weight(3) != tt.weight {
			t.Errorf("%s: Weight = %v, want %v", tt.name, r.Weight(3), tt.weight)
		}
		for i := range r.Len() {
			p := r.PointAt(i)
			if p.Node != 3 || p.Hash != VNodeHash(3, p.Index) {
				t.Errorf("%s: point %d = %+v, not vnode %d of n3", tt.name, i, p, p.Index)
			}
		}
	}
}

func TestMembership(t *testing.T) {
	r := New(3)
	for _, n := range []ids.NodeID{5, 1, 3} {
		if err := r.Add(n, 1); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := r.Nodes(), []ids.NodeID{1, 3, 5}; !slices.Equal(got, want) {
		t.Errorf("Nodes() = %v, want %v (ascending)", got, want)
	}
	if !r.Has(3) || r.Has(4) || r.NodeCount() != 3 || r.Len() != 9 {
		t.Errorf("after adding n5 n1 n3: Has(3)=%v Has(4)=%v NodeCount=%d Len=%d", r.Has(3), r.Has(4), r.NodeCount(), r.Len())
	}
	if !r.Remove(3) || r.Remove(3) || r.Has(3) || r.Weight(3) != 0 || r.Len() != 6 {
		t.Errorf("Remove(3) twice: Has=%v Weight=%v Len=%d", r.Has(3), r.Weight(3), r.Len())
	}
	for _, p := range r.Points() {
		if p.Node == 3 {
			t.Errorf("point %+v of a removed node is still on the ring", p)
		}
	}
}

func TestCloneIsIndependent(t *testing.T) {
	r := New(4)
	_ = r.Add(1, 1)
	_ = r.Add(2, 1)
	c := r.Clone()
	want := r.Points()
	_ = c.Add(3, 1)
	c.Remove(1)
	if !slices.Equal(r.Points(), want) || !slices.Equal(r.Nodes(), []ids.NodeID{1, 2}) {
		t.Errorf("changing a clone changed the original")
	}
}

func TestModuloOwner(t *testing.T) {
	m := Modulo{Nodes: []ids.NodeID{7, 3, 9}}
	tests := []struct {
		hash uint64
		want ids.NodeID
	}{{0, 7}, {1, 3}, {2, 9}, {3, 7}, {1000, 3}, {math.MaxUint64, 7}} // 2^64-1 = 3*k
	for _, tt := range tests {
		if got, ok := m.Owner(tt.hash); !ok || got != tt.want {
			t.Errorf("Modulo.Owner(%d) = %v, %v; want %v", tt.hash, got, ok, tt.want)
		}
	}
	if _, ok := (Modulo{}).Owner(5); ok {
		t.Errorf("Owner on an empty Modulo reported ok")
	}
}

func TestKeyCountsAndMoves(t *testing.T) {
	before := Modulo{Nodes: []ids.NodeID{0, 1}}
	after := Modulo{Nodes: []ids.NodeID{0, 1, 2}}
	hashes := []uint64{0, 1, 2, 3, 4, 5}
	// before: 0 1 0 1 0 1; after: 0 1 2 0 1 2.
	if got, want := KeyCounts(after, []ids.NodeID{2, 0, 1, 8}, hashes), []int{2, 2, 2, 0}; !slices.Equal(got, want) {
		t.Errorf("KeyCounts = %v, want %v", got, want)
	}
	if got, want := KeyCounts(before, []ids.NodeID{1}, hashes), []int{3}; !slices.Equal(got, want) {
		t.Errorf("KeyCounts over a subset = %v, want %v", got, want)
	}
	want := []Move{{2, 0, 2}, {3, 1, 0}, {4, 0, 1}, {5, 1, 2}}
	if got := Moves(before, after, hashes); !slices.Equal(got, want) {
		t.Errorf("Moves = %v, want %v", got, want)
	}
	wantFlows := []Flow{{From: 0, To: 1, Keys: 1}, {From: 0, To: 2, Keys: 1}, {From: 1, To: 0, Keys: 1}, {From: 1, To: 2, Keys: 1}}
	if got := Flows(Moves(before, after, hashes)); !slices.Equal(got, wantFlows) {
		t.Errorf("Flows = %v, want %v", got, wantFlows)
	}
	if got := Flows(append(want, Move{9, 1, 2})); !slices.Contains(got, Flow{From: 1, To: 2, Keys: 2}) {
		t.Errorf("Flows with two moves n1->n2 = %v, want a flow of 2 keys", got)
	}
	if got := Moves(Modulo{}, before, hashes[:1]); !slices.Equal(got, []Move{{0, ids.None, 0}}) {
		t.Errorf("Moves from an empty placement = %v, want a move from ids.None", got)
	}
}

func TestStats(t *testing.T) {
	tests := []struct {
		name  string
		loads []float64
		want  LoadStats
	}{
		{"empty", nil, LoadStats{}},
		{"all zero", []float64{0, 0}, LoadStats{}},
		{"even", []float64{5, 5, 5}, LoadStats{Mean: 5, Min: 5, Max: 5, MaxOverMean: 1}},
		// mean 5, deviations -3 -1 1 3 -> variance (9+1+1+9)/4 = 5.
		{"spread", []float64{2, 4, 6, 8}, LoadStats{Mean: 5, StdDev: math.Sqrt(5), Min: 2, Max: 8, CV: math.Sqrt(5) / 5, MaxOverMean: 1.6}},
	}
	for _, tt := range tests {
		if got := Stats(tt.loads); got != tt.want {
			t.Errorf("%s: Stats(%v) = %+v, want %+v", tt.name, tt.loads, got, tt.want)
		}
	}
}

func TestHashes(t *testing.T) {
	// Published XXH64 test vectors (seed 0), which pin the hash function:
	// every saved trace and figure depends on it.
	if got := HashKey(""); got != 0xef46db3751d8e999 {
		t.Errorf("HashKey(\"\") = %#x, want the XXH64 of the empty input 0xef46db3751d8e999", got)
	}
	if got := HashKey("a"); got != 0xd24ec4f1a98c6e5b {
		t.Errorf("HashKey(\"a\") = %#x, want 0xd24ec4f1a98c6e5b", got)
	}
	labels := []struct {
		node  ids.NodeID
		index int
		want  string
	}{{3, 17, "n3#17"}, {0, 0, "n0#0"}, {65534, math.MaxInt64, "n65534#9223372036854775807"}, {2, -1, "n2#-1"}}
	for _, l := range labels {
		if got := VNodeLabel(l.node, l.index); got != l.want {
			t.Errorf("VNodeLabel(%d, %d) = %q, want %q", l.node, l.index, got, l.want)
		}
		if got, want := VNodeHash(l.node, l.index), HashKey(l.want); got != want {
			t.Errorf("VNodeHash(%d, %d) = %#x, want HashKey(%q) = %#x", l.node, l.index, got, l.want, want)
		}
	}
	if got, want := VNodeHash(ids.None, 1), HashKey("-#1"); got != want {
		t.Errorf("VNodeHash(None, 1) = %#x, want HashKey(\"-#1\") = %#x", got, want)
	}
	for i := range 1000 {
		if keyHash(i) != HashKey(KeyName(i)) {
			t.Fatalf("keyHash(%d) differs from HashKey(%q)", i, KeyName(i))
		}
	}
}

func TestHotPathsDoNotAllocate(t *testing.T) {
	r := New(64)
	for n := range ids.NodeID(8) {
		_ = r.Add(n, 1)
	}
	dst := make([]ids.NodeID, 0, 3)
	var sink uint64
	checks := []struct {
		name string
		f    func()
	}{
		{"Owner", func() { n, _ := r.Owner(12345); sink += uint64(n) }},
		{"OwnerOfKey", func() { n, _ := r.OwnerOfKey("cart:42"); sink += uint64(n) }},
		{"AppendPreferenceList", func() { dst = r.AppendPreferenceList(dst[:0], 12345, 3) }},
		{"VNodeHash", func() { sink += VNodeHash(12, 345) }},
		{"keyHash", func() { sink += keyHash(12345) }},
	}
	for _, c := range checks {
		if allocs := testing.AllocsPerRun(100, c.f); allocs != 0 {
			t.Errorf("%s allocates %v times per call, want 0", c.name, allocs)
		}
	}
	_ = sink
}

// NodeAt(i) is the i-th of Nodes(), after adds and removes alike.
func TestNodeAtIsNodes(t *testing.T) {
	r := New(8)
	for _, n := range []ids.NodeID{4, 1, 7, 2} {
		if err := r.Add(n, 1); err != nil {
			t.Fatal(err)
		}
	}
	r.Remove(7)
	nodes := r.Nodes()
	if r.NodeCount() != len(nodes) {
		t.Fatalf("NodeCount %d, Nodes %v", r.NodeCount(), nodes)
	}
	for i, n := range nodes {
		if got := r.NodeAt(i); got != n {
			t.Errorf("NodeAt(%d) = %v, Nodes()[%d] = %v", i, got, i, n)
		}
	}
}
