package core

import (
	"slices"

	"github.com/ringlab/ringlab/core/vclock"
)

// causal is an exact set of writes (dots): a version vector vv, meaning every
// counter 1..vv[n] of every node n, plus the dots beyond it (the "dot
// cloud"), sorted and never covered by vv.
//
// Why not a plain vector: a coordinator mints its dots per key from one
// counter, so a client whose context holds n3:3 need not have seen n3:2 (a
// concurrent write the same node coordinated for another client). A version
// vector [n3:3] would claim it had, and a put carrying it would wrongly
// supersede n3:2, losing an acknowledged write. The cloud keeps such a dot
// apart until the writes below it are seen too, at which point it folds into
// the vector. Clouds stay tiny in practice: a get that sees every sibling
// fills the gaps.
type causal struct {
	vv    vclock.Clock
	cloud []vclock.Dot
}

// covers reports whether the set holds write d.
func (c causal) covers(d vclock.Dot) bool {
	if c.vv.Covers(d) {
		return true
	}
	// Clouds hold a few dots: a plain scan beats a binary search with a
	// callback, and it runs for every supersession test.
	for _, x := range c.cloud {
		if x == d {
			return true
		}
		if dotLess(d, x) { // sorted: d would have come before
			return false
		}
	}
	return false
}

func compareDot(a, b vclock.Dot) int {
	switch {
	case dotLess(a, b):
		return -1
	case a == b:
		return 0
	}
	return 1
}

// add returns the set with write d added, at logical time tick (the tick
// only orders entries for truncation).
func (c causal) add(d vclock.Dot, tick int64) causal {
	if c.covers(d) {
		return c
	}
	if c.vv.Get(d.Node)+1 == d.Counter {
		return causal{vv: c.vv.Set(d.Node, d.Counter, tick), cloud: c.cloud}.compact(tick)
	}
	cloud := make([]vclock.Dot, 0, len(c.cloud)+1)
	i, _ := slices.BinarySearchFunc(c.cloud, d, compareDot)
	cloud = append(append(append(cloud, c.cloud[:i]...), d), c.cloud[i:]...)
	return causal{vv: c.vv, cloud: cloud}
}

// merge is the union of two sets.
//
// Sets are immutable, so merging with an empty set returns the other one
// itself, without copying: the result is the same as the general merge's
// (a valid set never has a cloud dot covered by or contiguous with its
// vector, so compacting it changes nothing).
//
// Likewise, when one set holds the other and its vector also has the later
// tick of every shared entry (vclock.DominatesWithTicks), the general merge
// would rebuild that set entry for entry, ticks included: it is returned
// itself, so that merging the causal pasts of a get's replies, where one
// usually descends from the others, allocates nothing.
func (c causal) merge(o causal) causal {
	if o.empty() {
		return c
	}
	if c.empty() {
		return o
	}
	if c.holds(o) {
		return c
	}
	if o.holds(c) {
		return o
	}
	return c.mergeAll(o)
}

// mergeAll is merge without the shortcuts: the vectors' merge, then the
// clouds' dots it does not cover, folded into it where contiguous.
func (c causal) mergeAll(o causal) causal {
	if len(o.cloud) == 0 && len(c.cloud) == 0 {
		return causal{vv: c.vv.Merge(o.vv)}
	}
	out := causal{vv: c.vv.Merge(o.vv)}
	for _, d := range c.cloud {
		if !out.vv.Covers(d) {
			out.cloud = append(out.cloud, d)
		}
	}
	for _, d := range o.cloud {
		if !out.vv.Covers(d) {
			out.cloud = append(out.cloud, d)
		}
	}
	slices.SortFunc(out.cloud, compareDot)
	out.cloud = slices.Compact(out.cloud)
	return out.compact(0)
}

// holds reports whether merging o into c would give c back unchanged: c's
// vector dominates o's, ticks included, and c covers every dot of o's cloud.
// Cloud dots of c stay as they are, since a valid set has none that c's
// vector covers or that is contiguous with it.
func (c causal) holds(o causal) bool {
	if !c.vv.DominatesWithTicks(o.vv) {
		return false
	}
	for _, d := range o.cloud {
		if !c.covers(d) {
			return false
		}
	}
	return true
}

func (c causal) empty() bool { return c.vv.Len() == 0 && len(c.cloud) == 0 }

// compact folds cloud dots that have become contiguous with vv into it.
func (c causal) compact(tick int64) causal {
	if len(c.cloud) == 0 {
		return c
	}
	changed := true
	for changed {
		changed = false
		rest := c.cloud[:0:0]
		for _, d := range c.cloud {
			switch {
			case c.vv.Covers(d):
				changed = true
			case c.vv.Get(d.Node)+1 == d.Counter:
				c.vv = c.vv.Set(d.Node, d.Counter, tick)
				changed = true
			default:
				rest = append(rest, d)
			}
		}
		c.cloud = rest
	}
	if len(c.cloud) == 0 {
		c.cloud = nil
	}
	return c
}

// clock is the vector the lab displays: vv raised to the largest dot of the
// cloud for each node. It over-approximates the set, so it is shown, never
// used to decide supersession.
func (c causal) clock(tick int64) vclock.Clock {
	v := c.vv
	for _, d := range c.cloud {
		if v.Get(d.Node) < d.Counter { // Set would copy v unchanged otherwise
			v = v.Set(d.Node, d.Counter, tick)
		}
	}
	return v
}

// maxCounter is n's counter in clock(): the largest counter of n's writes
// the set holds or skips over, without building the clock.
func (c causal) maxCounter(n NodeID) uint64 {
	m := c.vv.Get(n)
	for _, d := range c.cloud {
		if d.Node == n {
			m = max(m, d.Counter)
		}
	}
	return m
}

// truncate bounds the vector to maxEntries as Dynamo does (dropping the
// least recently updated entries) and drops cloud dots of nodes no longer
// in it. It only ever removes writes from the set, so a truncated context
// can make a replica keep an extra sibling, never drop a write.
func (c causal) truncate(maxEntries int) causal {
	if maxEntries <= 0 || c.vv.Len() <= maxEntries {
		return c
	}
	out := causal{vv: c.vv.Truncate(maxEntries)}
	for _, d := range c.cloud {
		if out.vv.Get(d.Node) > 0 || c.vv.Get(d.Node) == 0 {
			out.cloud = append(out.cloud, d)
		}
	}
	return out
}

// String renders the set: the vector, then any cloud dots in braces.
func (c causal) String() string {
	s := c.vv.String()
	if len(c.cloud) > 0 {
		s += "+{"
		for i, d := range c.cloud {
			if i > 0 {
				s += " "
			}
			s += d.String()
		}
		s += "}"
	}
	return s
}
