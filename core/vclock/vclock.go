// Package vclock implements the vector clocks that version values in the
// simulated store, with Dynamo-style truncation and the dots of dotted
// version vectors.
//
// A Clock is a set of (node, counter) entries. The coordinator of a write bumps
// its own entry; comparing two clocks tells whether one version descends from
// the other (keep the descendant) or whether they are concurrent (keep both as
// siblings). Each entry also remembers the logical tick at which it last grew,
// so that a clock that has grown past a size threshold can drop its oldest
// entries, as Dynamo does. Truncation may make the store see two ordered
// versions as concurrent (an extra sibling), never the reverse.
//
// Clock is an immutable value, safe to keep across frames and to share: every
// method returns a new Clock whose storage is freshly allocated, and no method
// mutates its receiver. The zero Clock is the empty clock.
//
// Canonical form: entries are kept sorted by node, one per node, and an entry
// with counter 0 is never stored (it means the same as no entry). New and
// Parse normalise their input to this form, so two clocks that mean the same
// thing have the same entries, String and Hash.
package vclock

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"

	"github.com/ringlab/ringlab/core/ids"
)

// Entry is one node's component of a clock.
type Entry struct {
	Node    ids.NodeID
	Counter uint64
	// Tick is the logical time at which this entry last grew; only truncation
	// reads it. It takes no part in Compare, String or Hash.
	Tick int64
}

// Clock is a vector clock. See the package comment for its invariants.
type Clock struct {
	entries []Entry // sorted by Node, unique nodes, every Counter > 0
}

// New returns the clock holding the given entries. The input may be in any
// order; entries of the same node combine as in Merge (largest counter,
// latest tick), and entries with counter 0 are dropped.
func New(entries ...Entry) Clock {
	es := make([]Entry, 0, len(entries))
	for _, e := range entries {
		if e.Counter > 0 {
			es = append(es, e)
		}
	}
	if len(es) == 0 {
		return Clock{}
	}
	slices.SortFunc(es, func(a, b Entry) int { return int(a.Node) - int(b.Node) })
	out := es[:1]
	for _, e := range es[1:] {
		last := &out[len(out)-1]
		if e.Node == last.Node {
			last.Counter = max(last.Counter, e.Counter)
			last.Tick = max(last.Tick, e.Tick)
			continue
		}
		out = append(out, e)
	}
	return Clock{entries: slices.Clip(out)}
}

// Entries returns a copy of the clock's entries, sorted by node.
func (c Clock) Entries() []Entry {
	return slices.Clone(c.entries)
}

// Len is the number of nodes with a non-zero counter.
func (c Clock) Len() int { return len(c.entries) }

// EntryAt returns the i-th entry in node order, for 0 <= i < Len(), without
// copying the clock as Entries does.
func (c Clock) EntryAt(i int) Entry { return c.entries[i] }

// DominatesWithTicks reports whether c >= o entry-wise in counters and in
// ticks: every node of o is in c with a counter and a Tick at least o's.
// Exactly then c.Merge(o) has c's entries, ticks included, so a caller that
// only reads clocks may keep c instead of merging. It does not allocate.
func (c Clock) DominatesWithTicks(o Clock) bool {
	x, y := c.entries, o.entries
	if len(y) > len(x) {
		return false
	}
	i := 0
	for _, e := range y {
		for i < len(x) && x[i].Node < e.Node {
			i++
		}
		if i == len(x) || x[i].Node != e.Node || x[i].Counter < e.Counter || x[i].Tick < e.Tick {
			return false
		}
		i++
	}
	return true
}

// find returns the position of n's entry, or where it would be inserted.
// Clocks usually hold a handful of entries, so a plain loop over them (no
// callback, as slices.BinarySearchFunc takes) is the cheapest search; larger
// clocks are bisected first. It runs for every Get and Covers.
func (c Clock) find(n ids.NodeID) (int, bool) {
	es := c.entries
	lo, hi := 0, len(es)
	for hi-lo > 8 {
		m := int(uint(lo+hi) >> 1)
		if es[m].Node < n {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for i := lo; i < hi; i++ {
		if es[i].Node >= n {
			return i, es[i].Node == n
		}
	}
	return hi, hi < len(es) && es[hi].Node == n
}

// Get returns n's counter, 0 when the clock has no entry for n.
func (c Clock) Get(n ids.NodeID) uint64 {
	if i, ok := c.find(n); ok {
		return c.entries[i].Counter
	}
	return 0
}

// Increment returns c with n's counter raised by one: what the coordinator of
// a write does to the context it was given. The entry's Tick becomes tick (or
// stays, if it was already later).
func (c Clock) Increment(n ids.NodeID, tick int64) Clock {
	return c.Set(n, c.Get(n)+1, tick)
}

// Set returns c with n's counter raised to counter; a counter not above the
// current one leaves the clock as it was (counters never go down). When the
// entry grows, its Tick becomes tick (or stays, if it was already later).
// Adding a write's dot to its causal context is c.Set(d.Node, d.Counter, tick).
func (c Clock) Set(n ids.NodeID, counter uint64, tick int64) Clock {
	i, found := c.find(n)
	if found {
		out := slices.Clone(c.entries)
		if counter > out[i].Counter {
			out[i].Counter = counter
			out[i].Tick = max(out[i].Tick, tick)
		}
		return Clock{entries: out}
	}
	if counter == 0 {
		return Clock{entries: slices.Clone(c.entries)}
	}
	out := make([]Entry, 0, len(c.entries)+1)
	out = append(out, c.entries[:i]...)
	out = append(out, Entry{Node: n, Counter: counter, Tick: tick})
	out = append(out, c.entries[i:]...)
	return Clock{entries: out}
}

// Merge returns the entry-wise maximum of c and o: the smallest clock that
// descends from both. For a node present in both, Tick is the later of the two.
func (c Clock) Merge(o Clock) Clock {
	if len(c.entries)+len(o.entries) == 0 {
		return Clock{}
	}
	return Clock{entries: slices.Clip(AppendMerge(make([]Entry, 0, len(c.entries)+len(o.entries)), c, o))}
}

// AppendMerge appends the entries of a.Merge(b), in node order, to dst and
// returns the extended slice, as append does: it allocates only when dst
// lacks room for len(a)+len(b) more entries. dst must not share storage with
// a or b.
func AppendMerge(dst []Entry, a, b Clock) []Entry {
	return appendMerge(dst, a.entries, b.entries)
}

// appendMerge is AppendMerge of two canonical entry lists.
func appendMerge(dst, x, y []Entry) []Entry {
	dst = slices.Grow(dst, len(x)+len(y))
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i].Node < y[j].Node:
			dst = append(dst, x[i])
			i++
		case x[i].Node > y[j].Node:
			dst = append(dst, y[j])
			j++
		default:
			dst = append(dst, Entry{
				Node:    x[i].Node,
				Counter: max(x[i].Counter, y[j].Counter),
				Tick:    max(x[i].Tick, y[j].Tick),
			})
			i++
			j++
		}
	}
	dst = append(dst, x[i:]...)
	return append(dst, y[j:]...)
}

// Merger merges many clocks into one with a single allocation, where
// folding Merge over them would allocate once per clock: Add merges into
// buffers the Merger keeps, reused from one merge to the next, and Clock
// copies the result out. The zero Merger is empty and ready to use.
type Merger struct {
	acc, spare []Entry // acc: the merge so far; spare: room for the next one
}

// Reset empties the Merger, keeping its buffers.
func (m *Merger) Reset() { m.acc = m.acc[:0] }

// Add merges c into the Merger's clock.
func (m *Merger) Add(c Clock) {
	if len(c.entries) == 0 {
		return
	}
	m.spare = appendMerge(m.spare[:0], m.acc, c.entries)
	m.acc, m.spare = m.spare, m.acc
}

// Get returns n's counter in the Merger's clock, as Clock.Get does.
func (m *Merger) Get(n ids.NodeID) uint64 {
	if i, ok := (Clock{entries: m.acc}).find(n); ok {
		return m.acc[i].Counter
	}
	return 0
}

// Set raises n's counter in the Merger's clock to counter, as Clock.Set
// does (a counter not above the current one changes nothing; an entry that
// grows takes the later of its Tick and tick), in place.
func (m *Merger) Set(n ids.NodeID, counter uint64, tick int64) {
	i, found := (Clock{entries: m.acc}).find(n)
	switch {
	case found:
		if e := &m.acc[i]; counter > e.Counter {
			e.Counter = counter
			e.Tick = max(e.Tick, tick)
		}
	case counter > 0:
		m.acc = slices.Insert(m.acc, i, Entry{Node: n, Counter: counter, Tick: tick})
	}
}

// Clock returns the merge of every clock added since the last Reset, with
// the changes Set made: the same entries, ticks included, as folding Merge
// and Set over the same clocks in the same order. Its storage is
// freshly allocated (none for the empty clock).
func (m *Merger) Clock() Clock {
	if len(m.acc) == 0 {
		return Clock{}
	}
	return Clock{entries: slices.Clone(m.acc)}
}

// Truncate bounds the clock to maxEntries entries, as Dynamo does: when
// Len() > maxEntries > 0 it drops the entries with the oldest Tick (on equal
// ticks, the lower node first) until maxEntries remain. maxEntries <= 0 means
// "no bound" and returns c unchanged (as a copy).
func (c Clock) Truncate(maxEntries int) Clock {
	drop := len(c.entries) - maxEntries
	if maxEntries <= 0 || drop <= 0 {
		return Clock{entries: slices.Clone(c.entries)}
	}
	byAge := slices.Clone(c.entries)
	slices.SortFunc(byAge, func(a, b Entry) int {
		if a.Tick != b.Tick {
			if a.Tick < b.Tick {
				return -1
			}
			return 1
		}
		return int(a.Node) - int(b.Node)
	})
	kept := byAge[drop:]
	slices.SortFunc(kept, func(a, b Entry) int { return int(a.Node) - int(b.Node) })
	return Clock{entries: slices.Clone(kept)}
}

// Order is the causal relation between two clocks.
type Order int

const (
	Equal      Order = iota // same counters for every node
	Before                  // Compare(a, b) == Before: b descends from a, a != b
	After                   // Compare(a, b) == After: a descends from b, a != b
	Concurrent              // neither descends from the other: a genuine conflict
)

// String names the order: "equal", "before", "after" or "concurrent".
func (o Order) String() string {
	switch o {
	case Equal:
		return "equal"
	case Before:
		return "before"
	case After:
		return "after"
	case Concurrent:
		return "concurrent"
	}
	return "Order(" + strconv.Itoa(int(o)) + ")"
}

// Compare tells how a relates to b, in one linear pass over both clocks:
// Before means a happened before b (b descends from a), After the reverse.
// It returns as soon as each clock is known to be ahead of the other somewhere.
func Compare(a, b Clock) Order {
	x, y := a.entries, b.entries
	aAhead, bAhead := false, false // some entry of a (b) exceeds the other's
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i].Node < y[j].Node:
			aAhead = true
			i++
		case x[i].Node > y[j].Node:
			bAhead = true
			j++
		default:
			if x[i].Counter > y[j].Counter {
				aAhead = true
			} else if x[i].Counter < y[j].Counter {
				bAhead = true
			}
			i++
			j++
		}
		if aAhead && bAhead {
			return Concurrent
		}
	}
	// Stored counters are never 0, so a leftover entry is ahead of absence.
	aAhead = aAhead || i < len(x)
	bAhead = bAhead || j < len(y)
	switch {
	case aAhead && bAhead:
		return Concurrent
	case aAhead:
		return After
	case bAhead:
		return Before
	}
	return Equal
}

// Descends reports whether c >= o entry-wise: c has seen every write o has.
// A clock descends from itself.
func (c Clock) Descends(o Clock) bool {
	ord := Compare(c, o)
	return ord == Equal || ord == After
}

// String renders the clock as the lab shows it: "[n0:2 n3:1]", or "[]" for
// the empty clock. Ticks are not shown.
func (c Clock) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range c.entries {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(e.Node.String())
		b.WriteByte(':')
		b.WriteString(strconv.FormatUint(e.Counter, 10))
	}
	b.WriteByte(']')
	return b.String()
}

// Parse reads a clock written by String. Entries may come in any order and be
// separated by any run of spaces; every Tick is 0. It rejects a missing
// bracket, a malformed node or counter, a counter of 0 (String never writes
// one) and a node named twice.
func Parse(s string) (Clock, error) {
	fail := func(format string, args ...any) (Clock, error) {
		return Clock{}, fmt.Errorf("vclock: cannot parse %q: %s", s, fmt.Sprintf(format, args...))
	}
	inner, ok := strings.CutPrefix(s, "[")
	if !ok {
		return fail(`want "[" first, as in "[n0:2 n3:1]"`)
	}
	inner, ok = strings.CutSuffix(inner, "]")
	if !ok {
		return fail(`want "]" last, as in "[n0:2 n3:1]"`)
	}
	fields := strings.Fields(inner)
	entries := make([]Entry, 0, len(fields))
	seen := make(map[ids.NodeID]bool, len(fields))
	for _, f := range fields {
		name, count, ok := strings.Cut(f, ":")
		if !ok {
			return fail("entry %q: want node:counter, as in n0:2", f)
		}
		n, ok := ids.Parse(name)
		if !ok || n.String() != name {
			return fail("entry %q: node %q is not a node name such as n0", f, name)
		}
		// ParseUint accepts only decimal digits here (base 10, no sign).
		c, err := strconv.ParseUint(count, 10, 64)
		if err != nil {
			return fail("entry %q: counter %q is not a decimal number below 2^64", f, count)
		}
		if c == 0 {
			return fail("entry %q: counter must be at least 1 (an absent node means 0)", f)
		}
		if seen[n] {
			return fail("node %s appears twice", n)
		}
		seen[n] = true
		entries = append(entries, Entry{Node: n, Counter: c})
	}
	return New(entries...), nil
}

// Hash is a stable 64-bit digest of the clock's (node, counter) pairs, for
// Merkle leaves and trace digests: two clocks have the same Hash when they
// are Equal (ticks are ignored). It is xxhash64 of, for each entry in node
// order, the node as 2 little-endian bytes then the counter as 8; this layout
// is part of the contract, since digests of recorded traces depend on it.
func (c Clock) Hash() uint64 {
	const entrySize = 10
	var stack [16 * entrySize]byte // clocks are small; larger ones spill to the heap
	b := stack[:0]
	for _, e := range c.entries {
		b = binary.LittleEndian.AppendUint16(b, uint16(e.Node))
		b = binary.LittleEndian.AppendUint64(b, e.Counter)
	}
	return xxhash.Sum64(b)
}

// Dot identifies one write: the coordinator and the counter it gave that
// write. In dotted version vectors a stored version keeps its dot apart from
// its causal context (the clock the client read), so a new write supersedes
// an old version only if its context Covers the old version's dot. Two blind
// writes coordinated by the same node thus stay concurrent, where plain vector
// clocks ([n0:1] then [n0:2]) would wrongly order them and lose the first.
type Dot struct {
	Node    ids.NodeID
	Counter uint64
}

// String renders the dot as "n0:2".
func (d Dot) String() string {
	return d.Node.String() + ":" + strconv.FormatUint(d.Counter, 10)
}

// Covers reports whether c has seen the write identified by d:
// c.Get(d.Node) >= d.Counter.
func (c Clock) Covers(d Dot) bool {
	return c.Get(d.Node) >= d.Counter
}
