package vclock

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"

	"github.com/ringlab/ringlab/core/ids"
)

// mustParse builds a clock from its printed form, for readable tables.
func mustParse(t testing.TB, s string) Clock {
	t.Helper()
	c, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return c
}

func TestNewNormalises(t *testing.T) {
	tests := []struct {
		name    string
		entries []Entry
		want    []Entry
	}{
		{"no entries is the empty clock", nil, nil},
		{"zero counters are dropped", []Entry{{Node: 1, Counter: 0, Tick: 5}}, nil},
		{"unsorted input is sorted by node",
			[]Entry{{Node: 3, Counter: 1}, {Node: 0, Counter: 2}},
			[]Entry{{Node: 0, Counter: 2}, {Node: 3, Counter: 1}}},
		{"duplicate nodes keep the larger counter and the later tick",
			[]Entry{{Node: 2, Counter: 5, Tick: 1}, {Node: 2, Counter: 3, Tick: 9}},
			[]Entry{{Node: 2, Counter: 5, Tick: 9}}},
	}
	for _, tt := range tests {
		got := New(tt.entries...).Entries()
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: New(%v).Entries() = %v, want %v", tt.name, tt.entries, got, tt.want)
		}
	}
}

func TestIncrementAndSet(t *testing.T) {
	tests := []struct {
		name string
		step func(Clock) Clock
		from string
		want []Entry
	}{
		{"increment on the empty clock adds an entry",
			func(c Clock) Clock { return c.Increment(2, 7) }, "[]",
			[]Entry{{Node: 2, Counter: 1, Tick: 7}}},
		{"increment bumps an existing entry and records the tick",
			func(c Clock) Clock { return c.Increment(0, 4) }, "[n0:2 n3:1]",
			[]Entry{{Node: 0, Counter: 3, Tick: 4}, {Node: 3, Counter: 1}}},
		{"increment inserts a new node in order",
			func(c Clock) Clock { return c.Increment(1, 3) }, "[n0:2 n3:1]",
			[]Entry{{Node: 0, Counter: 2}, {Node: 1, Counter: 1, Tick: 3}, {Node: 3, Counter: 1}}},
		{"set raises a counter",
			func(c Clock) Clock { return c.Set(3, 9, 2) }, "[n0:2 n3:1]",
			[]Entry{{Node: 0, Counter: 2}, {Node: 3, Counter: 9, Tick: 2}}},
		{"set never lowers a counter nor moves its tick",
			func(c Clock) Clock { return c.Set(0, 1, 8) }, "[n0:2 n3:1]",
			[]Entry{{Node: 0, Counter: 2}, {Node: 3, Counter: 1}}},
		{"set to zero of an absent node adds nothing",
			func(c Clock) Clock { return c.Set(5, 0, 8) }, "[n0:2]",
			[]Entry{{Node: 0, Counter: 2}}},
		{"a tick earlier than the entry's own does not move it back",
			func(c Clock) Clock { return c.Set(0, 3, 1) }, "[]",
			[]Entry{{Node: 0, Counter: 3, Tick: 1}}},
	}
	for _, tt := range tests {
		got := tt.step(mustParse(t, tt.from)).Entries()
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: from %s got %v, want %v", tt.name, tt.from, got, tt.want)
		}
	}

	c := New(Entry{Node: 0, Counter: 1, Tick: 10}).Set(0, 2, 3)
	if got := c.Entries()[0].Tick; got != 10 {
		t.Errorf("growing an entry at an earlier tick: Tick = %d, want it to stay 10", got)
	}
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name, a, b, want string
	}{
		{"empty with empty", "[]", "[]", "[]"},
		{"empty is the identity", "[n1:3]", "[]", "[n1:3]"},
		{"disjoint nodes are united", "[n0:1]", "[n2:4]", "[n0:1 n2:4]"},
		{"shared nodes take the max", "[n0:5 n1:1]", "[n0:2 n1:7]", "[n0:5 n1:7]"},
		{"interleaved nodes", "[n0:1 n2:2 n4:3]", "[n1:1 n2:5 n5:1]", "[n0:1 n1:1 n2:5 n4:3 n5:1]"},
	}
	for _, tt := range tests {
		got := mustParse(t, tt.a).Merge(mustParse(t, tt.b)).String()
		if got != tt.want {
			t.Errorf("%s: %s.Merge(%s) = %s, want %s", tt.name, tt.a, tt.b, got, tt.want)
		}
	}

	a := New(Entry{Node: 0, Counter: 1, Tick: 9}, Entry{Node: 1, Counter: 4, Tick: 2})
	b := New(Entry{Node: 0, Counter: 3, Tick: 5}, Entry{Node: 1, Counter: 4, Tick: 6})
	want := []Entry{{Node: 0, Counter: 3, Tick: 9}, {Node: 1, Counter: 4, Tick: 6}}
	if got := a.Merge(b).Entries(); !slices.Equal(got, want) {
		t.Errorf("merge keeps the later tick of each node: got %v, want %v", got, want)
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       Order
	}{
		{"two empty clocks", "[]", "[]", Equal},
		{"same entries", "[n0:2 n3:1]", "[n0:2 n3:1]", Equal},
		{"empty happened before anything", "[]", "[n1:1]", Before},
		{"anything happened after empty", "[n1:1]", "[]", After},
		{"one counter behind", "[n0:1 n1:2]", "[n0:2 n1:2]", Before},
		{"one counter ahead", "[n0:3 n1:2]", "[n0:2 n1:2]", After},
		{"b knows an extra node", "[n0:1]", "[n0:1 n5:1]", Before},
		{"a knows an extra node", "[n0:1 n5:1]", "[n0:1]", After},
		{"disjoint nodes are concurrent", "[n0:1]", "[n1:1]", Concurrent},
		{"crossed counters are concurrent", "[n0:2 n1:1]", "[n0:1 n1:2]", Concurrent},
		{"extra node against a higher counter", "[n0:1 n2:1]", "[n0:2]", Concurrent},
		{"concurrency decided by the last entry", "[n0:1 n1:1 n9:1]", "[n0:2 n1:1]", Concurrent},
	}
	for _, tt := range tests {
		a, b := mustParse(t, tt.a), mustParse(t, tt.b)
		if got := Compare(a, b); got != tt.want {
			t.Errorf("%s: Compare(%s, %s) = %v, want %v", tt.name, tt.a, tt.b, got, tt.want)
		}
		wantDescends := tt.want == Equal || tt.want == After
		if got := a.Descends(b); got != wantDescends {
			t.Errorf("%s: %s.Descends(%s) = %v, want %v", tt.name, tt.a, tt.b, got, wantDescends)
		}
	}
}

func TestTruncate(t *testing.T) {
	// Ticks: n0 grew at 5, n1 at 1, n2 at 9, n3 at 1.
	clock := New(
		Entry{Node: 0, Counter: 4, Tick: 5},
		Entry{Node: 1, Counter: 2, Tick: 1},
		Entry{Node: 2, Counter: 7, Tick: 9},
		Entry{Node: 3, Counter: 1, Tick: 1},
	)
	tests := []struct {
		name       string
		maxEntries int
		want       string
	}{
		{"no bound", 0, "[n0:4 n1:2 n2:7 n3:1]"},
		{"negative means no bound", -3, "[n0:4 n1:2 n2:7 n3:1]"},
		{"bound above the size", 10, "[n0:4 n1:2 n2:7 n3:1]"},
		{"bound equal to the size", 4, "[n0:4 n1:2 n2:7 n3:1]"},
		{"drop one: oldest tie goes to the lower node", 3, "[n0:4 n2:7 n3:1]"},
		{"drop two: both tick-1 entries go", 2, "[n0:4 n2:7]"},
		{"keep only the most recent", 1, "[n2:7]"},
	}
	for _, tt := range tests {
		got := clock.Truncate(tt.maxEntries)
		if got.String() != tt.want {
			t.Errorf("%s: Truncate(%d) = %s, want %s", tt.name, tt.maxEntries, got, tt.want)
		}
	}
	// Ticks survive truncation, so a second truncation still drops by age.
	if got := clock.Truncate(3).Truncate(2).String(); got != "[n0:4 n2:7]" {
		t.Errorf("Truncate(3).Truncate(2) = %s, want [n0:4 n2:7]", got)
	}
}

func TestStringParseRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		clock Clock
		want  string
	}{
		{"empty", Clock{}, "[]"},
		{"one entry", New(Entry{Node: 4, Counter: 1}), "[n4:1]"},
		{"sorted by node", New(Entry{Node: 3, Counter: 1}, Entry{Node: 0, Counter: 2}), "[n0:2 n3:1]"},
		{"large values", New(Entry{Node: 65534, Counter: 1<<64 - 1}), "[n65534:18446744073709551615]"},
	}
	for _, tt := range tests {
		s := tt.clock.String()
		if s != tt.want {
			t.Errorf("%s: String() = %q, want %q", tt.name, s, tt.want)
		}
		back, err := Parse(s)
		if err != nil {
			t.Errorf("%s: Parse(%q): %v", tt.name, s, err)
			continue
		}
		if Compare(back, tt.clock) != Equal || back.String() != s {
			t.Errorf("%s: Parse(%q) = %s, want the same clock", tt.name, s, back)
		}
	}

	lenient := map[string]string{
		"[ n3:1   n0:2 ]": "[n0:2 n3:1]",
		"[n1:1]":          "[n1:1]",
		"[ ]":             "[]",
	}
	for in, want := range lenient {
		if got := mustParse(t, in).String(); got != want {
			t.Errorf("Parse(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, input, wantInError string
	}{
		{"empty string", "", `want "[" first`},
		{"no brackets", "n0:1", `want "[" first`},
		{"missing closing bracket", "[n0:1", `want "]" last`},
		{"no colon", "[n0]", "want node:counter"},
		{"bad node prefix", "[x0:1]", "not a node name"},
		{"node with padding zero", "[n01:1]", "not a node name"},
		{"node with a sign", "[n+1:1]", "not a node name"},
		{"node out of range", "[n65535:1]", "not a node name"},
		{"counter not a number", "[n0:two]", "not a decimal number"},
		{"negative counter", "[n0:-1]", "not a decimal number"},
		{"counter overflows", "[n0:18446744073709551616]", "not a decimal number"},
		{"zero counter", "[n0:0]", "at least 1"},
		{"duplicate node", "[n0:1 n0:2]", "n0 appears twice"},
		{"comma separated", "[n0:1,n1:1]", "not a decimal number"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.input)
		if err == nil {
			t.Errorf("%s: Parse(%q) succeeded, want an error", tt.name, tt.input)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantInError) || !strings.Contains(err.Error(), tt.input) {
			t.Errorf("%s: Parse(%q) error %q, want it to quote the input and say %q",
				tt.name, tt.input, err, tt.wantInError)
		}
	}
}

func TestHash(t *testing.T) {
	a := New(Entry{Node: 0, Counter: 2, Tick: 1}, Entry{Node: 3, Counter: 1, Tick: 8})
	b := New(Entry{Node: 3, Counter: 1, Tick: 0}, Entry{Node: 0, Counter: 2, Tick: 99})
	if a.Hash() != b.Hash() {
		t.Errorf("equal clocks with different ticks hash differently: %x vs %x", a.Hash(), b.Hash())
	}
	distinct := []string{"[]", "[n0:1]", "[n1:1]", "[n0:2]", "[n0:1 n1:1]", "[n0:256]", "[n256:1]"}
	seen := map[uint64]string{}
	for _, s := range distinct {
		h := mustParse(t, s).Hash()
		if prev, dup := seen[h]; dup {
			t.Errorf("%s and %s hash alike: %#x", prev, s, h)
		}
		seen[h] = s
	}
	// The byte layout is a contract (recorded trace digests depend on it).
	layout := []byte{
		0, 0, 2, 0, 0, 0, 0, 0, 0, 0, // n0:2
		3, 0, 1, 0, 0, 0, 0, 0, 0, 0, // n3:1
	}
	if got, want := mustParse(t, "[n0:2 n3:1]").Hash(), xxhash.Sum64(layout); got != want {
		t.Errorf("Hash([n0:2 n3:1]) = %#x, want xxhash64 of the documented layout %#x", got, want)
	}
	var big []Entry // more entries than Hash keeps on the stack
	for n := range 40 {
		big = append(big, Entry{Node: ids.NodeID(n), Counter: 1})
	}
	if New(big...).Hash() == New(big[:39]...).Hash() {
		t.Errorf("a 40-entry clock hashes like its first 39 entries")
	}
}

func TestDots(t *testing.T) {
	if got := (Dot{Node: 0, Counter: 2}).String(); got != "n0:2" {
		t.Errorf("Dot.String() = %q, want n0:2", got)
	}
	ctx := mustParse(t, "[n0:2 n3:1]")
	covers := []struct {
		dot  Dot
		want bool
	}{
		{Dot{0, 1}, true}, {Dot{0, 2}, true}, {Dot{0, 3}, false},
		{Dot{3, 1}, true}, {Dot{1, 1}, false},
	}
	for _, tt := range covers {
		if got := ctx.Covers(tt.dot); got != tt.want {
			t.Errorf("%s.Covers(%s) = %v, want %v", ctx, tt.dot, got, tt.want)
		}
	}
}

// version is a stored value as the store keeps it under dotted version
// vectors: the dot of the write that made it and the context its client read.
type version struct {
	dot     Dot
	context Clock
}

func (v version) clock(tick int64) Clock { return v.context.Set(v.dot.Node, v.dot.Counter, tick) }

// supersedes is the dotted rule: a new version replaces an old one only if the
// new write's context had seen the old write.
func (v version) supersedes(old version) bool { return v.context.Covers(old.dot) }

func TestBlindWritesBySameNodeAreConcurrentUnderDots(t *testing.T) {
	const coordinator ids.NodeID = 0
	// Two clients write the same key without reading first (empty context);
	// the same node coordinates both, giving them counters 1 and 2.
	first := version{dot: Dot{coordinator, 1}, context: Clock{}}
	second := version{dot: Dot{coordinator, 2}, context: Clock{}}

	// Plain vector clocks wrongly order them: [n0:1] happened before [n0:2],
	// so the first write would be discarded.
	if got := Compare(first.clock(1), second.clock(2)); got != Before {
		t.Fatalf("plain clocks: Compare(%s, %s) = %v, want before (the flaw dots fix)",
			first.clock(1), second.clock(2), got)
	}
	// With dots neither supersedes the other: both stay as siblings.
	if second.supersedes(first) || first.supersedes(second) {
		t.Errorf("blind writes %s and %s: one supersedes the other, want concurrent siblings",
			first.dot, second.dot)
	}
	// A client that read both siblings writes with their merged context and
	// supersedes both, like a shopping-cart union.
	merged := first.clock(1).Merge(second.clock(2))
	third := version{dot: Dot{coordinator, 3}, context: merged}
	if !third.supersedes(first) || !third.supersedes(second) {
		t.Errorf("write with context %s should supersede %s and %s", merged, first.dot, second.dot)
	}
}

// randomClock draws a clock over nodes 0..nodes-1 with small counters, so that
// random pairs are often equal or ordered, not only concurrent.
func randomClock(rng *rand.Rand, nodes int) Clock {
	var es []Entry
	for n := range nodes {
		if rng.IntN(3) == 0 {
			continue
		}
		es = append(es, Entry{Node: ids.NodeID(n), Counter: uint64(rng.IntN(3)), Tick: rng.Int64N(20)})
	}
	return New(es...)
}

// compareNaive is the reference: look up every node of either clock.
func compareNaive(a, b Clock) Order {
	nodes := map[ids.NodeID]bool{}
	for _, e := range a.Entries() {
		nodes[e.Node] = true
	}
	for _, e := range b.Entries() {
		nodes[e.Node] = true
	}
	aLess, bLess := false, false
	for n := range nodes {
		if a.Get(n) < b.Get(n) {
			aLess = true
		}
		if b.Get(n) < a.Get(n) {
			bLess = true
		}
	}
	switch {
	case aLess && bLess:
		return Concurrent
	case aLess:
		return Before
	case bLess:
		return After
	}
	return Equal
}

func TestCompareMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[Order]int{}
	for i := range 20000 {
		a, b := randomClock(rng, 6), randomClock(rng, 6)
		if rng.IntN(4) == 0 {
			b = a.Increment(ids.NodeID(rng.IntN(6)), 0) // make ordered pairs common
		}
		got, want := Compare(a, b), compareNaive(a, b)
		if got != want {
			t.Fatalf("case %d: Compare(%s, %s) = %v, naive reference says %v", i, a, b, got, want)
		}
		seen[got]++
		if rev := Compare(b, a); rev != mirror(got) {
			t.Fatalf("case %d: Compare(%s, %s) = %v but reversed = %v", i, a, b, got, rev)
		}
	}
	for _, o := range []Order{Equal, Before, After, Concurrent} {
		if seen[o] == 0 {
			t.Errorf("random clocks never produced %v: the property test is too narrow", o)
		}
	}
}

func mirror(o Order) Order {
	switch o {
	case Before:
		return After
	case After:
		return Before
	}
	return o
}

func TestMergeLaws(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	same := func(x, y Clock) bool { return slices.Equal(x.Entries(), y.Entries()) }
	for i := range 5000 {
		a, b, c := randomClock(rng, 5), randomClock(rng, 5), randomClock(rng, 5)
		if !same(a.Merge(b), b.Merge(a)) {
			t.Fatalf("case %d: merge not commutative for %s, %s", i, a, b)
		}
		if !same(a.Merge(b).Merge(c), a.Merge(b.Merge(c))) {
			t.Fatalf("case %d: merge not associative for %s, %s, %s", i, a, b, c)
		}
		if !same(a.Merge(a), a) {
			t.Fatalf("case %d: merge not idempotent for %s", i, a)
		}
		m := a.Merge(b)
		if !m.Descends(a) || !m.Descends(b) {
			t.Fatalf("case %d: %s.Merge(%s) = %s does not descend from both", i, a, b, m)
		}
		// The merge is the least upper bound: it equals any input that already
		// descends from the other.
		if a.Descends(b) && Compare(m, a) != Equal {
			t.Fatalf("case %d: %s descends from %s but their merge is %s", i, a, b, m)
		}
		for _, e := range m.Entries() {
			if e.Counter != max(a.Get(e.Node), b.Get(e.Node)) {
				t.Fatalf("case %d: merge of %s and %s has %s:%d", i, a, b, e.Node, e.Counter)
			}
		}
	}
}

func TestTruncateKeepsMostRecent(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 2000 {
		c := randomClock(rng, 8)
		limit := 1 + rng.IntN(6)
		got := c.Truncate(limit)
		if got.Len() != min(limit, c.Len()) {
			t.Fatalf("case %d: %s.Truncate(%d) has %d entries", i, c, limit, got.Len())
		}
		if !c.Descends(got) {
			t.Fatalf("case %d: truncation %s invented history not in %s", i, got, c)
		}
		// Every dropped entry is no more recent than every kept one.
		kept := got.Entries()
		for _, e := range c.Entries() {
			if got.Get(e.Node) != 0 {
				continue
			}
			for _, k := range kept {
				if e.Tick > k.Tick || (e.Tick == k.Tick && e.Node > k.Node) {
					t.Fatalf("case %d: %s.Truncate(%d) dropped %v but kept older %v", i, c, limit, e, k)
				}
			}
		}
	}
}

// TestImmutable checks that no method changes its receiver or returns
// storage shared with it or with another result.
func TestImmutable(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 2000 {
		c := randomClock(rng, 5)
		o := randomClock(rng, 5)
		before, otherBefore := c.Entries(), o.Entries()
		n := ids.NodeID(rng.IntN(6))
		results := map[string]Clock{
			"Increment": c.Increment(n, 50),
			"Set":       c.Set(n, uint64(rng.IntN(4)), 50),
			"Merge":     c.Merge(o),
			"Truncate":  c.Truncate(rng.IntN(4)),
		}
		if !slices.Equal(c.Entries(), before) || !slices.Equal(o.Entries(), otherBefore) {
			t.Fatalf("case %d: receiver or argument changed: %v -> %v", i, before, c.Entries())
		}
		for name, r := range results {
			if sharesStorage(r, c) || sharesStorage(r, o) {
				t.Fatalf("case %d: %s result %s shares storage with an input", i, name, r)
			}
		}
		// Writing into a returned slice must not reach the clock.
		if es := c.Entries(); len(es) > 0 {
			es[0].Counter += 100
			if slices.Equal(c.Entries(), es) {
				t.Fatalf("case %d: Entries() aliases the clock", i)
			}
		}
		// A result with spare capacity would let a later append in one clock
		// overwrite another's entries.
		for name, r := range results {
			if cap(r.entries) != len(r.entries) {
				t.Fatalf("case %d: %s result has spare capacity %d > %d", i, name, cap(r.entries), len(r.entries))
			}
		}
	}
}

// sharesStorage reports whether two clocks' backing arrays overlap.
func sharesStorage(a, b Clock) bool {
	for i := range a.entries {
		for j := range b.entries {
			if &a.entries[i] == &b.entries[j] {
				return true
			}
		}
	}
	return false
}

func TestOrderString(t *testing.T) {
	for o, want := range map[Order]string{Equal: "equal", Before: "before", After: "after", Concurrent: "concurrent", 9: "Order(9)"} {
		if got := o.String(); got != want {
			t.Errorf("Order(%d).String() = %q, want %q", int(o), got, want)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	// Two 8-entry clocks that agree everywhere but the last entry, so the
	// comparison walks the whole of both.
	var es []Entry
	for n := range 8 {
		es = append(es, Entry{Node: ids.NodeID(2 * n), Counter: uint64(10 + n)})
	}
	x := New(es...)
	y := x.Increment(14, 1)
	b.ReportAllocs()
	for b.Loop() {
		if Compare(x, y) != Before {
			b.Fatal("wrong order")
		}
	}
}

func BenchmarkMerge(b *testing.B) {
	var xs, ys []Entry
	for n := range 8 {
		xs = append(xs, Entry{Node: ids.NodeID(2 * n), Counter: uint64(n + 1)})
		ys = append(ys, Entry{Node: ids.NodeID(2*n + 1), Counter: uint64(n + 1)})
	}
	x, y := New(xs...), New(ys...)
	b.ReportAllocs()
	for b.Loop() {
		_ = x.Merge(y)
	}
}

func BenchmarkHash(b *testing.B) {
	var es []Entry
	for n := range 8 {
		es = append(es, Entry{Node: ids.NodeID(n), Counter: uint64(n + 1)})
	}
	c := New(es...)
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Hash()
	}
}

// mergeNaive is the reference merge: for every node of either clock, the
// larger counter and the later tick.
func mergeNaive(a, b Clock) []Entry {
	byNode := map[ids.NodeID]Entry{}
	for _, c := range []Clock{a, b} {
		for _, e := range c.Entries() {
			old := byNode[e.Node]
			byNode[e.Node] = Entry{Node: e.Node, Counter: max(old.Counter, e.Counter), Tick: max(old.Tick, e.Tick)}
		}
	}
	var out []Entry
	for n := range ids.NodeID(8) {
		if e, ok := byNode[n]; ok {
			out = append(out, e)
		}
	}
	return out
}

// lowered returns a clock below c: some entries dropped, some counters or
// ticks lowered, so that pairs (c, lowered(c)) exercise domination.
func lowered(rng *rand.Rand, c Clock) Clock {
	var es []Entry
	for _, e := range c.Entries() {
		switch rng.IntN(4) {
		case 0: // dropped
			continue
		case 1:
			e.Counter = uint64(rng.Int64N(int64(e.Counter) + 1))
		case 2:
			e.Tick = rng.Int64N(e.Tick + 1)
		}
		es = append(es, e)
	}
	return New(es...)
}

func TestAppendMergeMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for i := range 5000 {
		a, b := randomClock(rng, 6), randomClock(rng, 6)
		if rng.IntN(2) == 0 {
			b = lowered(rng, a)
		}
		want := mergeNaive(a, b)
		prefix := []Entry{{Node: 7, Counter: 9, Tick: 9}}
		got := AppendMerge(slices.Clone(prefix), a, b)
		if !slices.Equal(got[:1], prefix) || !slices.Equal(got[1:], want) {
			t.Fatalf("case %d: AppendMerge(%v, %s, %s) = %v, want the prefix then %v", i, prefix, a, b, got, want)
		}
		if m := a.Merge(b).Entries(); !slices.Equal(m, want) {
			t.Fatalf("case %d: %s.Merge(%s) = %v, want %v", i, a, b, m, want)
		}
	}
}

func TestAppendMergeUsesRoomInDst(t *testing.T) {
	a, b := mustParse(t, "[n0:1 n2:3]"), mustParse(t, "[n1:2 n2:1]")
	buf := make([]Entry, 0, 8)
	allocs := testing.AllocsPerRun(100, func() { buf = AppendMerge(buf[:0], a, b) })
	if allocs != 0 {
		t.Errorf("AppendMerge into a buffer with room allocated %v times per call, want 0", allocs)
	}
	if got := New(buf...).String(); got != "[n0:1 n1:2 n2:3]" {
		t.Errorf("AppendMerge wrote %s, want [n0:1 n1:2 n2:3]", got)
	}
}

func TestDominatesWithTicks(t *testing.T) {
	tests := []struct {
		name string
		c, o Clock
		want bool
	}{
		{"both empty", Clock{}, Clock{}, true},
		{"anything dominates the empty clock", New(Entry{Node: 1, Counter: 2, Tick: 5}), Clock{}, true},
		{"the empty clock dominates nothing else", Clock{}, New(Entry{Node: 1, Counter: 1}), false},
		{"equal entries", New(Entry{Node: 1, Counter: 2, Tick: 5}), New(Entry{Node: 1, Counter: 2, Tick: 5}), true},
		{"larger counter, later tick", New(Entry{Node: 1, Counter: 3, Tick: 6}), New(Entry{Node: 1, Counter: 2, Tick: 5}), true},
		{"larger counter but earlier tick", New(Entry{Node: 1, Counter: 3, Tick: 4}), New(Entry{Node: 1, Counter: 2, Tick: 5}), false},
		{"smaller counter, later tick", New(Entry{Node: 1, Counter: 1, Tick: 9}), New(Entry{Node: 1, Counter: 2, Tick: 5}), false},
		{"missing a node of o", New(Entry{Node: 1, Counter: 3, Tick: 9}), New(Entry{Node: 1, Counter: 1}, Entry{Node: 2, Counter: 1}), false},
		{"extra nodes of its own", New(Entry{Node: 0, Counter: 1}, Entry{Node: 1, Counter: 3, Tick: 9}, Entry{Node: 4, Counter: 1}), New(Entry{Node: 1, Counter: 1}), true},
	}
	for _, tt := range tests {
		if got := tt.c.DominatesWithTicks(tt.o); got != tt.want {
			t.Errorf("%s: %v.DominatesWithTicks(%v) = %v, want %v", tt.name, tt.c.Entries(), tt.o.Entries(), got, tt.want)
		}
	}
}

// TestDominatesWithTicksMeansMergeKeepsReceiver checks the contract against
// Merge: c dominates o exactly when merging o into c changes no entry of c.
func TestDominatesWithTicksMeansMergeKeepsReceiver(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	dominated := 0
	for i := range 5000 {
		c := randomClock(rng, 6)
		o := randomClock(rng, 6)
		if rng.IntN(2) == 0 {
			o = lowered(rng, c)
		}
		want := slices.Equal(c.Merge(o).Entries(), c.Entries())
		if got := c.DominatesWithTicks(o); got != want {
			t.Fatalf("case %d: %v.DominatesWithTicks(%v) = %v, but merging changes the receiver: %v", i, c.Entries(), o.Entries(), got, !want)
		}
		if want {
			dominated++
			if !c.Descends(o) {
				t.Fatalf("case %d: %s dominates %s with ticks but does not descend from it", i, c, o)
			}
		}
	}
	if dominated < 500 {
		t.Fatalf("only %d of 5000 random pairs dominated: the test no longer exercises the true case", dominated)
	}
}

func TestEntryAt(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for i := range 200 {
		c := randomClock(rng, 6)
		es := c.Entries()
		if c.Len() != len(es) {
			t.Fatalf("case %d: Len() = %d, Entries() has %d", i, c.Len(), len(es))
		}
		for j := range es {
			if got := c.EntryAt(j); got != es[j] {
				t.Fatalf("case %d: EntryAt(%d) = %v, Entries()[%d] = %v", i, j, got, j, es[j])
			}
		}
	}
	c := mustParse(t, "[n0:1 n3:2]")
	if allocs := testing.AllocsPerRun(100, func() { _ = c.EntryAt(1); _ = c.DominatesWithTicks(c) }); allocs != 0 {
		t.Errorf("EntryAt and DominatesWithTicks allocated %v times per call, want 0", allocs)
	}
}

// Get and Set find entries of clocks of every size, small ones by a scan and
// large ones by bisection first, as a lookup by node would.
func TestFindMatchesLookup(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for i := range 300 {
		nodes := 1 + rng.IntN(60)
		var es []Entry
		want := map[ids.NodeID]uint64{}
		for n := range nodes {
			if rng.IntN(2) == 0 {
				c := uint64(1 + rng.IntN(9))
				es = append(es, Entry{Node: ids.NodeID(n), Counter: c})
				want[ids.NodeID(n)] = c
			}
		}
		c := New(es...)
		for n := range ids.NodeID(nodes + 1) {
			if got := c.Get(n); got != want[n] {
				t.Fatalf("case %d: %s.Get(%s) = %d, want %d", i, c, n, got, want[n])
			}
			j, found := c.find(n)
			wantJ, wantFound := slices.BinarySearchFunc(c.entries, n, func(e Entry, n ids.NodeID) int { return int(e.Node) - int(n) })
			if j != wantJ || found != wantFound {
				t.Fatalf("case %d: %s.find(%s) = %d, %v; want %d, %v", i, c, n, j, found, wantJ, wantFound)
			}
		}
	}
}

// A Merger gives what folding Merge gives, ticks included, for any number of
// clocks, and is reusable after Reset.
func TestMergerMatchesFoldedMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	var m Merger
	for i := range 2000 {
		m.Reset()
		var want Clock
		var cs []Clock
		for range rng.IntN(6) {
			c := randomClock(rng, 6)
			if len(cs) > 0 && rng.IntN(3) == 0 {
				c = lowered(rng, cs[len(cs)-1])
			}
			cs = append(cs, c)
			want = want.Merge(c)
			m.Add(c)
		}
		if got := m.Clock(); !slices.Equal(got.Entries(), want.Entries()) {
			t.Fatalf("case %d: Merger of %v gives %v, folding Merge gives %v", i, cs, got.Entries(), want.Entries())
		}
	}
	a, b, c := mustParse(t, "[n0:1 n2:3]"), mustParse(t, "[n1:2]"), mustParse(t, "[n2:4 n3:1]")
	if allocs := testing.AllocsPerRun(100, func() { m.Reset(); m.Add(a); m.Add(b); m.Add(c); _ = m.Clock() }); allocs != 1 {
		t.Errorf("merging three clocks with a warm Merger allocated %v times, want 1 (the result)", allocs)
	}
}

// A Merger's Get and Set behave as Clock's on the merged clock.
func TestMergerSetMatchesClockSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	var m Merger
	for i := range 2000 {
		a, b := randomClock(rng, 6), randomClock(rng, 6)
		m.Reset()
		m.Add(a)
		m.Add(b)
		want := a.Merge(b)
		for range rng.IntN(4) {
			n, counter, tick := ids.NodeID(rng.IntN(7)), uint64(rng.IntN(4)), rng.Int64N(20)
			want = want.Set(n, counter, tick)
			m.Set(n, counter, tick)
		}
		for n := range ids.NodeID(7) {
			if got := m.Get(n); got != want.Get(n) {
				t.Fatalf("case %d: Merger.Get(%s) = %d, want %d", i, n, got, want.Get(n))
			}
		}
		if got := m.Clock(); !slices.Equal(got.Entries(), want.Entries()) {
			t.Fatalf("case %d: Merger gives %v, Merge and Set give %v", i, got.Entries(), want.Entries())
		}
	}
}
