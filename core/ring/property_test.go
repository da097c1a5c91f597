package ring

import (
	"fmt"
	"math"
	"math/big"
	randv1 "math/rand"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"testing/quick"

	"github.com/ringlab/ringlab/core/ids"
)

// naiveRing is the reference: it rebuilds every point from the membership
// on each change, and answers every query with a linear scan.
type naiveRing struct {
	vnodes  int
	weights map[ids.NodeID]float64
	points  []Point
}

func newNaiveRing(vnodes int) *naiveRing {
	return &naiveRing{vnodes: vnodes, weights: map[ids.NodeID]float64{}}
}

func (nr *naiveRing) rebuild() {
	nr.points = nr.points[:0]
	for n, w := range nr.weights {
		count := max(1, int(math.Round(w*float64(nr.vnodes))))
		for i := 0; i < count; i++ {
			nr.points = append(nr.points, Point{Hash: HashKey(VNodeLabel(n, i)), Node: n, Index: i})
		}
	}
	slices.SortFunc(nr.points, comparePoints)
}

// search is the index of the first point at or after h, wrapping.
func naiveSearch(points []Point, h uint64) int {
	for i, p := range points {
		if p.Hash >= h {
			return i
		}
	}
	if len(points) == 0 {
		return -1
	}
	return 0
}

func naivePreferenceList(points []Point, h uint64, n int) []ids.NodeID {
	var chosen []ids.NodeID
	seen := map[ids.NodeID]bool{}
	start := naiveSearch(points, h)
	if start < 0 {
		return nil
	}
	for k := 0; k < len(points) && len(chosen) < n; k++ {
		p := points[(start+k)%len(points)]
		if !seen[p.Node] {
			seen[p.Node] = true
			chosen = append(chosen, p.Node)
		}
	}
	return chosen
}

// naiveArcShares sums arcs with arbitrary-precision integers.
func naiveArcShares(points []Point) map[ids.NodeID]float64 {
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	sums := map[ids.NodeID]*big.Int{}
	for i, p := range points {
		if sums[p.Node] == nil {
			sums[p.Node] = new(big.Int)
		}
		prev := points[(i+len(points)-1)%len(points)].Hash
		arc := new(big.Int).Sub(new(big.Int).SetUint64(p.Hash), new(big.Int).SetUint64(prev))
		if arc.Sign() < 0 || (i == 0 && arc.Sign() == 0) {
			arc.Add(arc, two64)
		}
		sums[p.Node].Add(sums[p.Node], arc)
	}
	shares := map[ids.NodeID]float64{}
	for n, s := range sums {
		f, _ := new(big.Rat).SetFrac(s, two64).Float64()
		shares[n] = f
	}
	return shares
}

// probeHashes mixes random hashes with the hard cases: the ends of the
// space, and each side of a few points.
func probeHashes(rng *rand.Rand, points []Point) []uint64 {
	probes := []uint64{0, 1, math.MaxUint64}
	for range 40 {
		probes = append(probes, rng.Uint64())
	}
	for range min(len(points), 10) {
		h := points[rng.IntN(len(points))].Hash
		probes = append(probes, h-1, h, h+1)
	}
	return probes
}

// checkAgainst compares every query of r with the linear-scan reference.
func checkAgainst(t *testing.T, step string, r *Ring, points []Point, probes []uint64) {
	t.Helper()
	nodeCount := r.NodeCount()
	for _, h := range probes {
		want := naiveSearch(points, h)
		if got := r.Search(h); got != want {
			t.Fatalf("%s: Search(%#x) = %d, linear scan says %d", step, h, got, want)
		}
		owner, ok := r.Owner(h)
		if want < 0 {
			if ok {
				t.Fatalf("%s: Owner(%#x) on an empty ring reported ok", step, h)
			}
			continue
		}
		if !ok || owner != points[want].Node {
			t.Fatalf("%s: Owner(%#x) = %v, %v; linear scan says %v", step, h, owner, ok, points[want].Node)
		}
		start, end := r.RangeOf(h)
		if end != points[want].Hash || start != points[(want+len(points)-1)%len(points)].Hash {
			t.Fatalf("%s: RangeOf(%#x) = (%#x, %#x], point %d is %+v", step, h, start, end, want, points[want])
		}
		for n := 1; n <= nodeCount+1; n++ {
			wantList := naivePreferenceList(points, h, n)
			if got := r.PreferenceList(h, n); !slices.Equal(got, wantList) {
				t.Fatalf("%s: PreferenceList(%#x, %d) = %v, linear scan says %v", step, h, n, got, wantList)
			}
		}
	}
}

// TestRingMatchesNaiveReference applies random adds and removes to a ring
// and, after each one, checks that the incrementally maintained ring holds
// exactly the points of a fresh build, and that every query agrees with a
// linear scan.
func TestRingMatchesNaiveReference(t *testing.T) {
	weights := []float64{0.3, 0.5, 1, 1, 1, 1.5, 2, 3}
	for seed := range uint64(12) {
		rng := rand.New(rand.NewPCG(seed, 1))
		vnodes := []int{1, 2, 5, 16, 40}[seed%5]
		r, ref := New(vnodes), newNaiveRing(vnodes)
		for op := range 60 {
			n := ids.NodeID(rng.IntN(12))
			var step string
			if r.Has(n) && rng.IntN(3) > 0 {
				step = fmt.Sprintf("seed %d op %d remove %v", seed, op, n)
				if !r.Remove(n) {
					t.Fatalf("%s: Remove reported the node absent", step)
				}
				delete(ref.weights, n)
			} else if !r.Has(n) {
				w := weights[rng.IntN(len(weights))]
				step = fmt.Sprintf("seed %d op %d add %v weight %v", seed, op, n, w)
				if err := r.Add(n, w); err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				ref.weights[n] = w
			} else {
				continue
			}
			ref.rebuild()
			if got := r.Points(); !slices.Equal(got, ref.points) {
				t.Fatalf("%s: the ring's %d points differ from a fresh build's %d", step, len(got), len(ref.points))
			}
			wantNodes := make([]ids.NodeID, 0, len(ref.weights))
			for n := range ref.weights {
				wantNodes = append(wantNodes, n)
			}
			slices.Sort(wantNodes)
			if got := r.Nodes(); !slices.Equal(got, wantNodes) {
				t.Fatalf("%s: Nodes() = %v, want %v", step, got, wantNodes)
			}
			for _, n := range wantNodes {
				if r.Weight(n) != ref.weights[n] {
					t.Fatalf("%s: Weight(%v) = %v, want %v", step, n, r.Weight(n), ref.weights[n])
				}
			}
			checkAgainst(t, step, r, ref.points, probeHashes(rng, ref.points))
			if len(ref.points) > 0 {
				wantShares := naiveArcShares(ref.points)
				for _, s := range r.ArcShares() {
					if math.Abs(s.Fraction-wantShares[s.Node]) > 1e-15 {
						t.Fatalf("%s: ArcShares gives %v %v, exact sum is %v", step, s.Node, s.Fraction, wantShares[s.Node])
					}
				}
			}
		}
	}
}

// TestMergeWithEqualHashes drives the incremental merge with points crowded
// into a tiny range of hashes, so that ties (which real hashes almost never
// produce) are common: the result must still be the documented order.
func TestMergeWithEqualHashes(t *testing.T) {
	for seed := range uint64(30) {
		rng := rand.New(rand.NewPCG(seed, 2))
		r := New(1)
		var all []Point
		for n := range ids.NodeID(6) {
			n = (n * 5) % 6 // join out of id order
			hashes := make([]uint64, 1+rng.IntN(5))
			for i := range hashes {
				hashes[i] = uint64(rng.IntN(8))
				all = append(all, Point{Hash: hashes[i], Node: n, Index: i})
			}
			pos, _ := r.memberPos(n)
			r.place(n, float64(len(hashes)), pos, hashes)
			var want []Point
			for _, p := range all {
				if r.Has(p.Node) {
					want = append(want, p)
				}
			}
			want = fromPoints(1, want...).Points()
			if got := r.Points(); !slices.Equal(got, want) {
				t.Fatalf("seed %d after placing n%d: points %v, want %v", seed, n, got, want)
			}
			checkAgainst(t, fmt.Sprintf("seed %d after placing n%d", seed, n), r, want, []uint64{0, 1, 3, 4, 7, 8, math.MaxUint64})
		}
		gone := ids.NodeID(rng.IntN(6))
		r.Remove(gone)
		var want []Point
		for _, p := range all {
			if p.Node != gone {
				want = append(want, p)
			}
		}
		want = fromPoints(1, want...).Points()
		if got := r.Points(); !slices.Equal(got, want) {
			t.Fatalf("seed %d after removing n%d: points %v, want %v", seed, gone, got, want)
		}
	}
}

// TestLowerBoundMatchesSortSearch checks the branch-free search against the
// standard library on arbitrary sorted slices (with duplicates) and probes.
func TestLowerBoundMatchesSortSearch(t *testing.T) {
	property := func(values []uint64, probes []uint64, small bool) bool {
		if small { // crowd values so that duplicates and exact hits are common
			for i := range values {
				values[i] %= 16
			}
			for i := range probes {
				probes[i] %= 18
			}
		}
		slices.Sort(values)
		probes = append(probes, 0, math.MaxUint64)
		for _, h := range probes {
			want := sort.Search(len(values), func(i int) bool { return values[i] >= h })
			if lowerBound(values, h) != want {
				return false
			}
		}
		return true
	}
	if err := quick.Check(property, &quick.Config{MaxCount: 2000, Rand: randv1.New(randv1.NewSource(1))}); err != nil {
		t.Error(err)
	}
}
