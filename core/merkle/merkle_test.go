package merkle

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// item is one stored (key, content) pair.
type item struct{ key, digest uint64 }

// xx16 is the documented pair hash, written out independently of the package.
func xx16(a, b uint64) uint64 {
	buf := binary.LittleEndian.AppendUint64(nil, a)
	buf = binary.LittleEndian.AppendUint64(buf, b)
	return xxhash.Sum64(buf)
}

// reference builds every node of a tree from scratch, recursively, from the
// documented definition: leaf = sum of xx16(key, digest) over its items;
// inner = xx16(left, right), or 0 when both are 0. It returns the nodes
// as levels[level][index].
func reference(depth int, items []item) [][]uint64 {
	levels := make([][]uint64, depth+1)
	for l := range levels {
		levels[l] = make([]uint64, 1<<l)
	}
	for _, it := range items {
		levels[depth][LeafIndex(it.key, depth)] += xx16(it.key, it.digest)
	}
	var fill func(level, index int) uint64
	fill = func(level, index int) uint64 {
		if level == depth {
			return levels[level][index]
		}
		l, r := fill(level+1, 2*index), fill(level+1, 2*index+1)
		h := uint64(0)
		if l != 0 || r != 0 {
			h = xx16(l, r)
		}
		levels[level][index] = h
		return h
	}
	fill(0, 0)
	return levels
}

// checkAgainst fails unless every node of t equals the reference.
func checkAgainst(t *testing.T, name string, tree *Tree, items []item) {
	t.Helper()
	want := reference(tree.Depth(), items)
	for level := range want {
		for index, h := range want[level] {
			if got := tree.Hash(level, index); got != h {
				t.Fatalf("%s: node (%d, %d) = %#x, built from scratch = %#x", name, level, index, got, h)
			}
		}
	}
}

func randomItems(rng *rand.Rand, n int) []item {
	items := make([]item, n)
	for i := range items {
		items[i] = item{key: rng.Uint64(), digest: rng.Uint64()}
	}
	return items
}

func TestNewClampsDepth(t *testing.T) {
	tests := []struct {
		name        string
		depth, want int
	}{
		{"negative becomes a single leaf", -3, 0},
		{"zero is a single leaf", 0, 0},
		{"ordinary", 10, 10},
		{"largest allowed", MaxDepth, MaxDepth},
		{"too deep is clamped", MaxDepth + 5, MaxDepth},
	}
	for _, tt := range tests {
		tree := New(tt.depth)
		if tree.Depth() != tt.want || tree.Leaves() != 1<<tt.want || tree.Root() != 0 {
			t.Errorf("%s: New(%d) has depth %d, %d leaves, root %#x; want depth %d, %d leaves, root 0",
				tt.name, tt.depth, tree.Depth(), tree.Leaves(), tree.Root(), tt.want, 1<<tt.want)
		}
	}
}

func TestIncrementalMatchesRebuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, depth := range []int{0, 1, 3, 6} {
		tree := New(depth)
		var live []item
		for op := range 600 {
			name := fmt.Sprintf("depth %d op %d", depth, op)
			switch r := rng.IntN(10); {
			case r < 5 || len(live) == 0:
				it := item{key: rng.Uint64(), digest: rng.Uint64()}
				tree.Add(it.key, it.digest)
				live = append(live, it)
			case r < 8:
				k := rng.IntN(len(live))
				next := rng.Uint64()
				tree.Update(live[k].key, live[k].digest, next)
				live[k].digest = next
			default:
				k := rng.IntN(len(live))
				tree.Remove(live[k].key, live[k].digest)
				live = slices.Delete(live, k, k+1)
			}
			if op%50 == 0 || op == 599 {
				checkAgainst(t, name, tree, live)
			}
		}
	}
}

func TestAddIsOrderIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	items := randomItems(rng, 500)
	forward, shuffled := New(5), New(5)
	for _, it := range items {
		forward.Add(it.key, it.digest)
	}
	order := rng.Perm(len(items))
	for _, k := range order {
		shuffled.Add(items[k].key, items[k].digest)
	}
	if !slices.Equal(forward.nodes, shuffled.nodes) {
		t.Errorf("adding 500 items in another order changed the tree (roots %#x vs %#x)", forward.Root(), shuffled.Root())
	}
}

func TestRemoveUndoesAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	tree := New(6)
	base := randomItems(rng, 200)
	for _, it := range base {
		tree.Add(it.key, it.digest)
	}
	before := slices.Clone(tree.nodes)
	extra := item{key: rng.Uint64(), digest: rng.Uint64()}
	tree.Add(extra.key, extra.digest)
	if tree.Root() == before[0] {
		t.Fatalf("adding an item left the root unchanged")
	}
	tree.Remove(extra.key, extra.digest)
	if !slices.Equal(tree.nodes, before) {
		t.Errorf("Remove after Add did not restore the tree")
	}
	for _, it := range base {
		tree.Remove(it.key, it.digest)
	}
	if slices.ContainsFunc(tree.nodes, func(h uint64) bool { return h != 0 }) {
		t.Errorf("removing every item left non-zero hashes; want the empty tree")
	}
}

func TestUpdate(t *testing.T) {
	a, b := New(4), New(4)
	a.Add(42, 1)
	b.Add(42, 2)
	a.Update(42, 1, 2)
	if !slices.Equal(a.nodes, b.nodes) {
		t.Errorf("Update(42, 1, 2) differs from adding digest 2 directly")
	}
	before := slices.Clone(a.nodes)
	a.Update(42, 2, 2)
	if !slices.Equal(a.nodes, before) {
		t.Errorf("an update to the same digest changed the tree")
	}
}

func TestItemsAreBoundToTheirKeys(t *testing.T) {
	// Two replicas hold the same digests under swapped keys: they disagree.
	a, b := New(0), New(0)
	a.Add(1, 100)
	a.Add(2, 200)
	b.Add(1, 200)
	b.Add(2, 100)
	if a.Root() == b.Root() {
		t.Errorf("swapping the contents of two keys went unnoticed")
	}
}

func TestLeafIndexSpreadsOneRange(t *testing.T) {
	// Keys of one ring range share their top 12 bits, here 0xABC: taking the
	// top bits directly would put every key in one leaf.
	const depth, keys = 8, 1 << 16
	rng := rand.New(rand.NewPCG(4, 4))
	counts := make([]int, 1<<depth)
	for range keys {
		key := 0xABC<<52 | rng.Uint64()>>12
		leaf := LeafIndex(key, depth)
		if leaf < 0 || leaf >= 1<<depth {
			t.Fatalf("LeafIndex(%#x, %d) = %d, out of range", key, depth, leaf)
		}
		counts[leaf]++
	}
	mean := keys / (1 << depth)
	lo, hi := slices.Min(counts), slices.Max(counts)
	// With 256 keys per leaf on average the spread of an even hash is about 16.
	if float64(hi) > 1.3*float64(mean) || float64(lo) < 0.7*float64(mean) {
		t.Errorf("keys of one range fill leaves unevenly: min %d, max %d, mean %d", lo, hi, mean)
	}
	if LeafIndex(12345, 0) != 0 || LeafIndex(12345, -1) != 0 {
		t.Errorf("a depth-0 tree has only leaf 0")
	}
	if got := LeafIndex(12345, MaxDepth+3); got != LeafIndex(12345, MaxDepth) {
		t.Errorf("LeafIndex does not clamp depth like New: %d", got)
	}
}

// diffNaive is the reference for Diff's leaves: compare every leaf.
func diffNaive(a, b *Tree) []int {
	var leaves []int
	for i := range a.Leaves() {
		if a.Hash(a.Depth(), i) != b.Hash(b.Depth(), i) {
			leaves = append(leaves, i)
		}
	}
	return leaves
}

// checkSteps checks that steps are exactly the top-down walk: ordered by
// level then index, the root first, each other node a child of a differing
// node, every child of every differing inner node present, and Equal true
// exactly when the two hashes are equal.
func checkSteps(t *testing.T, name string, a, b *Tree, steps []Step) {
	t.Helper()
	type node struct{ level, index int }
	seen := map[node]bool{}
	for k, s := range steps {
		if k == 0 && (s.Level != 0 || s.Index != 0) {
			t.Fatalf("%s: first step %+v is not the root", name, s)
		}
		if k > 0 {
			p := steps[k-1]
			if s.Level < p.Level || (s.Level == p.Level && s.Index <= p.Index) {
				t.Fatalf("%s: step %d %+v comes after %+v", name, k, s, p)
			}
			if !seen[node{s.Level - 1, s.Index / 2}] {
				t.Fatalf("%s: step %+v under a parent that was equal or not visited", name, s)
			}
		}
		if eq := a.Hash(s.Level, s.Index) == b.Hash(s.Level, s.Index); s.Equal != eq {
			t.Fatalf("%s: step %+v, but the hashes are equal=%v", name, s, eq)
		}
		if !s.Equal {
			seen[node{s.Level, s.Index}] = true
		}
	}
	visited := map[node]bool{}
	for _, s := range steps {
		visited[node{s.Level, s.Index}] = true
	}
	for n := range seen {
		if n.level < a.Depth() && (!visited[node{n.level + 1, 2 * n.index}] || !visited[node{n.level + 1, 2*n.index + 1}]) {
			t.Fatalf("%s: differing node %+v has a child that was not compared", name, n)
		}
	}
}

func TestDiffMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for round := range 200 {
		depth := rng.IntN(8)
		a := New(depth)
		shared := randomItems(rng, rng.IntN(300))
		for _, it := range shared {
			a.Add(it.key, it.digest)
		}
		b := a.Clone()
		// Diverge by a few writes on either side; remember the keys touched.
		wantLeaves := map[int]bool{}
		for range rng.IntN(6) {
			it := item{key: rng.Uint64(), digest: rng.Uint64()}
			side := a
			if rng.IntN(2) == 0 {
				side = b
			}
			side.Add(it.key, it.digest)
			wantLeaves[LeafIndex(it.key, depth)] = true
		}
		name := fmt.Sprintf("round %d (depth %d)", round, depth)
		res, err := Diff(a, b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if naive := diffNaive(a, b); !slices.Equal(res.Leaves, naive) {
			t.Fatalf("%s: Diff leaves %v, full compare of leaves %v", name, res.Leaves, naive)
		}
		var touched []int
		for l := range wantLeaves {
			touched = append(touched, l)
		}
		slices.Sort(touched)
		if !slices.Equal(res.Leaves, touched) {
			t.Fatalf("%s: Diff leaves %v, leaves of the keys written on one side %v", name, res.Leaves, touched)
		}
		if res.HashesCompared != len(res.Steps) {
			t.Fatalf("%s: HashesCompared %d but %d steps", name, res.HashesCompared, len(res.Steps))
		}
		if maxCompared := 1 + 2*len(res.Leaves)*depth; res.HashesCompared > maxCompared {
			t.Fatalf("%s: compared %d hashes for %d differing leaves, bound is %d", name, res.HashesCompared, len(res.Leaves), maxCompared)
		}
		checkSteps(t, name, a, b, res.Steps)
		back, _ := Diff(b, a)
		if !slices.Equal(back.Steps, res.Steps) {
			t.Fatalf("%s: Diff(b, a) walks differently from Diff(a, b)", name)
		}
	}
}

func TestDiffOfIdenticalTreesComparesOneHash(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, n := range []int{0, 1, 1000} {
		a, b := New(10), New(10)
		for _, it := range randomItems(rng, n) {
			a.Add(it.key, it.digest)
			b.Add(it.key, it.digest)
		}
		res, err := Diff(a, b)
		if err != nil {
			t.Fatal(err)
		}
		want := []Step{{Level: 0, Index: 0, Equal: true}}
		if res.HashesCompared != 1 || !slices.Equal(res.Steps, want) || len(res.Leaves) != 0 {
			t.Errorf("%d identical items: %+v, want one equal root comparison", n, res)
		}
	}
}

func TestDiffFindsOneKeyAmongTenThousand(t *testing.T) {
	const depth = 10
	rng := rand.New(rand.NewPCG(7, 7))
	a := New(depth)
	items := randomItems(rng, 10000)
	for _, it := range items {
		a.Add(it.key, it.digest)
	}
	b := a.Clone()
	stale := items[4321]
	b.Update(stale.key, stale.digest, stale.digest+1)

	res, err := Diff(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{LeafIndex(stale.key, depth)}; !slices.Equal(res.Leaves, want) {
		t.Fatalf("differing leaves %v, want %v (the stale key's bucket)", res.Leaves, want)
	}
	// The root, then both children of the one differing node on each level.
	if want := 2*depth + 1; res.HashesCompared != want {
		t.Errorf("compared %d hashes, want %d", res.HashesCompared, want)
	}
	inLeaf := 0
	for _, it := range items {
		if LeafIndex(it.key, depth) == res.Leaves[0] {
			inLeaf++
		}
	}
	hashBytes := 8 * res.HashesCompared
	t.Logf("found 1 stale key of %d: %d hashes (%d bytes), then %d keys of one bucket instead of %d",
		len(items), res.HashesCompared, hashBytes, inLeaf, len(items))
	if hashBytes > 400 || inLeaf > 50 {
		t.Errorf("%d bytes of hashes and %d keys to exchange: not narrowed to one bucket", hashBytes, inLeaf)
	}
}

func TestDiffErrorsOnDepthMismatch(t *testing.T) {
	_, err := Diff(New(3), New(4))
	if err == nil || !strings.Contains(err.Error(), "depth 3 and 4") {
		t.Errorf("Diff of depths 3 and 4: error %v, want one naming both depths", err)
	}
}

// exchange runs the message protocol between two replicas, starting at a,
// and returns every step made, the differing leaves and the hashes sent.
func exchange(t *testing.T, a, b *Tree) (steps []Step, leaves []int, hashesSent int) {
	t.Helper()
	probe := a.RootProbe()
	receiver, other := b, a
	for {
		hashesSent += len(probe.Hashes)
		reply, err := receiver.Answer(probe)
		if err != nil {
			t.Fatalf("Answer(%+v): %v", probe, err)
		}
		steps = append(steps, reply.Steps...)
		if reply.InSync || reply.Leaves != nil {
			return steps, reply.Leaves, hashesSent
		}
		probe = reply.Next
		receiver, other = other, receiver
	}
}

func TestExchangeProtocolMatchesDiff(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for round := range 100 {
		depth := rng.IntN(9)
		a := New(depth)
		for _, it := range randomItems(rng, rng.IntN(400)) {
			a.Add(it.key, it.digest)
		}
		b := a.Clone()
		for range rng.IntN(8) {
			side := a
			if rng.IntN(2) == 0 {
				side = b
			}
			side.Add(rng.Uint64(), rng.Uint64())
		}
		want, err := Diff(a, b)
		if err != nil {
			t.Fatal(err)
		}
		steps, leaves, sent := exchange(t, a, b)
		name := fmt.Sprintf("round %d (depth %d)", round, depth)
		if !slices.Equal(steps, want.Steps) {
			t.Fatalf("%s: exchange steps %v, Diff steps %v", name, steps, want.Steps)
		}
		if !slices.Equal(leaves, want.Leaves) {
			t.Fatalf("%s: exchange leaves %v, Diff leaves %v", name, leaves, want.Leaves)
		}
		if sent != want.HashesCompared {
			t.Fatalf("%s: exchange sent %d hashes, Diff compared %d", name, sent, want.HashesCompared)
		}
	}
}

func TestCompareLevelAndChildren(t *testing.T) {
	a := New(2)
	a.Add(7, 1)
	leaf := LeafIndex(7, 2)
	left, right := a.Children(1, leaf/2)
	if leaf%2 == 0 && (left == 0 || right != 0) || leaf%2 == 1 && (left != 0 || right == 0) {
		t.Errorf("Children(1, %d) = %#x, %#x; want only the side of leaf %d set", leaf/2, left, right, leaf)
	}
	if l, r := a.Children(0, 0); a.Root() != xx16(l, r) {
		t.Errorf("root is not the pair hash of its children")
	}
	theirs := []uint64{a.Hash(2, 0), a.Hash(2, 1) + 1, a.Hash(2, 2), a.Hash(2, 3) + 1}
	got, err := CompareLevel(a, 2, []int{0, 1, 2, 3}, theirs)
	if err != nil || !slices.Equal(got, []int{1, 3}) {
		t.Errorf("CompareLevel = %v, %v; want [1 3]", got, err)
	}

	errs := []struct {
		name    string
		level   int
		indexes []int
		hashes  []uint64
		want    string
	}{
		{"lengths differ", 1, []int{0, 1}, []uint64{0}, "2 indexes but 1 hashes"},
		{"index past the level", 1, []int{2}, []uint64{0}, "no node (1, 2)"},
		{"level below the leaves", 3, []int{0}, []uint64{0}, "no node (3, 0)"},
		{"negative index", 0, []int{-1}, []uint64{0}, "no node (0, -1)"},
	}
	for _, tt := range errs {
		_, err := CompareLevel(a, tt.level, tt.indexes, tt.hashes)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: CompareLevel error %v, want %q", tt.name, err, tt.want)
		}
		if _, err := a.Answer(Probe{Level: tt.level, Indexes: tt.indexes, Hashes: tt.hashes}); err == nil {
			t.Errorf("%s: Answer accepted a malformed probe", tt.name)
		}
	}
}

func TestAccessorsPanicOutOfRange(t *testing.T) {
	tree := New(2)
	cases := []struct {
		name string
		call func()
	}{
		{"Hash below the leaves", func() { tree.Hash(3, 0) }},
		{"Hash index past the level", func() { tree.Hash(1, 2) }},
		{"Children of a leaf", func() { tree.Children(2, 0) }},
	}
	for _, c := range cases {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			c.call()
		}()
	}
}

func TestCloneAndReset(t *testing.T) {
	a := New(3)
	a.Add(1, 1)
	b := a.Clone()
	b.Add(2, 2)
	if a.Root() == b.Root() {
		t.Errorf("a write to a clone changed the original")
	}
	root := b.Root()
	a.Reset()
	if a.Root() != 0 || a.Depth() != 3 || b.Root() != root {
		t.Errorf("Reset: root %#x depth %d, clone root changed %v", a.Root(), a.Depth(), b.Root() != root)
	}
	if res, _ := Diff(a, New(3)); res.HashesCompared != 1 || !res.Steps[0].Equal {
		t.Errorf("a reset tree differs from a new one")
	}
}

func BenchmarkUpdate(b *testing.B) {
	for _, depth := range []int{6, 10, 16} {
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			tree := New(depth)
			b.ReportAllocs()
			var k uint64
			for b.Loop() {
				k++
				tree.Update(k, k, k+1)
			}
		})
	}
}

func BenchmarkDiff(b *testing.B) {
	const depth = 10
	rng := rand.New(rand.NewPCG(9, 9))
	base := New(depth)
	for _, it := range randomItems(rng, 10000) {
		base.Add(it.key, it.digest)
	}
	for _, k := range []int{0, 1, 16, 256} {
		other := base.Clone()
		for range k {
			other.Add(rng.Uint64(), rng.Uint64())
		}
		b.Run(fmt.Sprintf("differing=%d", k), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Diff(base, other); err != nil {
					b.Fatal(err)
				}
			}
		})
		// The baseline: compare every leaf, as a replica without inner
		// hashes would have to.
		b.Run(fmt.Sprintf("differing=%d/all-leaves", k), func(b *testing.B) {
			for b.Loop() {
				_ = diffNaive(base, other)
			}
		})
	}
}
