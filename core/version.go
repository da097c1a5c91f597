package core

import (
	"encoding/binary"
	"slices"
	"strconv"

	"github.com/cespare/xxhash/v2"
	"github.com/ringlab/ringlab/core/vclock"
)

// version is one stored value of a key, versioned as a dotted version
// vector: dot names the write (its coordinator and that coordinator's
// counter for the key), context is the exact set of writes the client's put
// carried (what it had read), and clock = context + dot, truncated to
// VClockMax, is the vector clock the lab displays.
//
// Versions are immutable once minted: slices of versions are shared between
// replicas, messages and snapshots, and are replaced, never edited.
//
// Supersession is decided by dots alone: a version A supersedes B when A's
// context holds B's dot. Truncation shortens contexts too (see
// causal.truncate), so it can make a replica keep an extra sibling, never
// drop a version whose write the newer one had not seen.
type version struct {
	value     string
	dot       vclock.Dot
	context   causal
	past      causal // context + dot: every write this version has seen
	clock     vclock.Clock
	timestamp int64  // coordinator's tick plus its skew: only LWW compares it
	label     string // "key=value [clock]", made once when the version is minted
	// clockText is clock.String(), formatted once when the version is
	// minted (see mintLabels) since label needs it; "" for versions made
	// otherwise. The rest of the View's text is formatted when shown.
	clockText string
}

// mintLabels formats, once, the text events show of a new version of key.
func (v *version) mintLabels(key string) {
	v.clockText = v.clock.String()
	v.label = key + "=" + v.value + " " + v.clockText
}

// supersedes reports whether a has seen b's write.
func (a *version) supersedes(b *version) bool { return a.context.covers(b.dot) }

// lwwAfter orders versions for last-write-wins: larger timestamp, then larger
// dot, wins. The order is total, so every replica picks the same winner.
func (a *version) lwwAfter(b *version) bool {
	if a.timestamp != b.timestamp {
		return a.timestamp > b.timestamp
	}
	if a.dot.Node != b.dot.Node {
		return a.dot.Node > b.dot.Node
	}
	return a.dot.Counter > b.dot.Counter
}

func dotLess(a, b vclock.Dot) bool {
	if a.Node != b.Node {
		return a.Node < b.Node
	}
	return a.Counter < b.Counter
}

// describe renders "key=value [clock]" for events.
func (v *version) describe(key string) string {
	if v.label != "" {
		return v.label
	}
	return key + "=" + v.value + " " + v.clock.String()
}

func (v *version) view() VersionView {
	clock := v.clockText
	if clock == "" {
		clock = v.clock.String()
	}
	return VersionView{Value: v.value, Clock: clock, Dot: v.dot.String(), Timestamp: v.timestamp}
}

func viewVersions(vs []*version) []VersionView {
	out := make([]VersionView, len(vs))
	for i := range vs {
		out[i] = vs[i].view()
	}
	return out
}

// causalPast is every write a version has seen, itself included.
func (v *version) causalPast() causal { return v.past }

// mergedPast is the context a get hands the client: the union of the
// returned versions' causal pasts.
func mergedPast(vs []*version) causal {
	var c causal
	for i := range vs {
		c = c.merge(vs[i].causalPast())
	}
	return c
}

// scratch is the buffers a cluster and its clones share: pastMerger's,
// the bucket arrays of emptied queues (Cluster.processDue), texts, and
// nodes, requests and messages to reuse.
type scratch struct {
	pastMerger
	buckets []*[queueBuckets][]item
	texts   map[string]string // a failed request's texts (text)
	// nodes and reqs are nodes and requests no cluster holds any more
	// (recycle), to copy nodes and requests into.
	nodes []*node
	reqs  []*request
	// msgs are messages delivered or dropped, and memberBufs the
	// membership buffers they carried (Cluster.releaseMessage).
	msgs       []*message
	memberBufs [][]memberEntry
}

// takeFree takes the last of *free (nil when there is none).
func takeFree[T any](free *[]*T) *T {
	n := len(*free)
	if n == 0 {
		return nil
	}
	x := (*free)[n-1]
	(*free)[n-1] = nil
	*free = (*free)[:n-1]
	return x
}

// recycle keeps the nodes dead, a cluster its caller is done with (see
// CloneInto), held alone, and the requests they alone held.
func (s *scratch) recycle(dead *Cluster) {
	for _, n := range dead.nodes {
		if n.holder != dead.own || len(s.nodes) == scratchNodesMax {
			continue
		}
		s.nodes = append(s.nodes, n)
		for _, r := range n.requests {
			if r.own == n.own && len(s.reqs) < scratchNodesMax {
				s.reqs = append(s.reqs, r)
			}
		}
	}
}

// scratchNodesMax bounds the nodes, and the requests, scratch keeps;
// scratchMessagesMax its messages and membership buffers.
const (
	scratchNodesMax    = 64
	scratchMessagesMax = 1024
)

// scratchBucketsMax bounds the bucket arrays scratch keeps.
const scratchBucketsMax = 4

// text is b as a string, the same string as the last time b was the same
// text (up to scratchTextsMax texts kept).
func (s *scratch) text(b []byte) string {
	if t, ok := s.texts[string(b)]; ok {
		return t
	}
	t := string(b)
	if s.texts == nil {
		s.texts = map[string]string{}
	}
	if len(s.texts) < scratchTextsMax {
		s.texts[t] = t
	}
	return t
}

// scratchTextsMax bounds the texts scratch keeps.
const scratchTextsMax = 1024

// pastMerger computes mergedPast with one allocation (two when a dot
// cloud remains) instead of one or more per version, in buffers it keeps
// from one get to the next. It merges the vectors of all the pasts, then
// folds in their cloud dots in order, each one contiguous with the vector
// joining it: the same set, ticks included, as folding merge, since the
// union of sets does not depend on the grouping, an entry's tick is the
// latest of that node's entries in the inputs either way, and folding a
// cloud dot never adds an entry (a valid set has no cloud dot n:1 while its
// vector lacks n), so never adds a tick.
type pastMerger struct {
	vv      vclock.Merger
	dots    []vclock.Dot
	changes []change // storeVersions'
}

// merge returns mergedPast(vs).
func (pm *pastMerger) merge(vs []*version) causal {
	switch len(vs) {
	case 0:
		return causal{}
	case 1:
		return vs[0].past
	}
	m := &pm.vv
	m.Reset()
	for i := range vs {
		m.Add(vs[i].past.vv)
	}
	dots := pm.dots[:0]
	for i := range vs {
		for _, d := range vs[i].past.cloud {
			if m.Get(d.Node) < d.Counter {
				dots = append(dots, d)
			}
		}
	}
	slices.SortFunc(dots, compareDot)
	var cloud []vclock.Dot
	for i, d := range dots {
		if i > 0 && d == dots[i-1] {
			continue
		}
		// Dots come by node, then counter: each one either extends the
		// vector (and perhaps makes the next one contiguous) or stays.
		switch have := m.Get(d.Node); {
		case d.Counter <= have:
		case d.Counter == have+1:
			m.Set(d.Node, d.Counter, 0)
		default:
			cloud = append(cloud, d)
		}
	}
	pm.dots = dots[:0]
	return causal{vv: m.Clock(), cloud: cloud}
}

// mergedClock is the vector clock of a sibling set, for display.
func mergedClock(vs []*version) vclock.Clock {
	var c vclock.Clock
	for i := range vs {
		switch {
		case c.DominatesWithTicks(vs[i].clock): // the merge would be c
		case vs[i].clock.DominatesWithTicks(c): // the merge would be vs[i].clock
			c = vs[i].clock
		default:
			c = c.Merge(vs[i].clock)
		}
	}
	return c
}

// indexOfDot finds the version with dot d in a set kept sorted by dot.
func indexOfDot(vs []*version, d vclock.Dot) (int, bool) {
	lo, hi := 0, len(vs)
	for lo < hi {
		m := (lo + hi) / 2
		if dotLess(vs[m].dot, d) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(vs) && vs[lo].dot == d
}

// containsAll reports whether set holds every version of want (by dot).
func containsAll(set, want []*version) bool {
	for i := range want {
		if _, ok := indexOfDot(set, want[i].dot); !ok {
			return false
		}
	}
	return true
}

// sameDots reports whether two sets hold the same versions.
func sameDots(a, b []*version) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].dot != b[i].dot {
			return false
		}
	}
	return true
}

// setDigest hashes a sibling set (its dots, timestamps and values), the item
// digest of a key in the Merkle trees: two replicas with the same versions
// have the same digest.
func setDigest(vs []*version) uint64 {
	var buf [34]byte
	var d uint64
	for i := range vs {
		binary.LittleEndian.PutUint64(buf[0:], d)
		binary.LittleEndian.PutUint16(buf[8:], uint16(vs[i].dot.Node))
		binary.LittleEndian.PutUint64(buf[10:], vs[i].dot.Counter)
		binary.LittleEndian.PutUint64(buf[18:], uint64(vs[i].timestamp))
		binary.LittleEndian.PutUint64(buf[26:], xxhash.Sum64String(vs[i].value))
		d = xxhash.Sum64(buf[:])
	}
	return d
}

// change is one effect of merging a version into a sibling set, reported so
// that the caller can emit events.
type change struct {
	kind EventKind // EvVersionStored, EvSuperseded or EvLWWDiscard
	v    *version
}

// mergeVersion merges incoming into set (sorted by dot; not modified) under
// the given versioning, and returns the new set (sorted by dot) and what
// changed. An incoming version already present, or already superseded by a
// version of the set, changes nothing.
//
// Vector clocks keep every version no other version supersedes (siblings).
// Last-write-wins keeps only the lwwAfter-largest version; dropping a
// version whose dot the winner's context does not cover is the silent loss
// of a concurrent write (EvLWWDiscard).
func mergeVersion(set []*version, incoming *version, mode Versioning, changes []change) ([]*version, []change) {
	if _, ok := indexOfDot(set, incoming.dot); ok {
		return set, changes
	}
	for i := range set {
		if set[i].supersedes(incoming) {
			return set, changes
		}
	}
	if mode == LWW {
		winner := incoming
		for i := range set {
			if set[i].lwwAfter(winner) {
				winner = set[i]
			}
		}
		if winner != incoming {
			return set, append(changes, change{EvLWWDiscard, incoming})
		}
		changes = append(changes, change{EvVersionStored, incoming})
		for i := range set {
			kind := EvLWWDiscard
			if incoming.supersedes(set[i]) {
				kind = EvSuperseded
			}
			changes = append(changes, change{kind, set[i]})
		}
		return []*version{incoming}, changes
	}
	out := make([]*version, 0, len(set)+1)
	changes = append(changes, change{EvVersionStored, incoming})
	inserted := false
	for i := range set {
		if incoming.supersedes(set[i]) {
			changes = append(changes, change{EvSuperseded, set[i]})
			continue
		}
		if !inserted && dotLess(incoming.dot, set[i].dot) {
			out = append(out, incoming)
			inserted = true
		}
		out = append(out, set[i])
	}
	if !inserted {
		out = append(out, incoming)
	}
	return out, changes
}

// foldVC is, under vector clocks, the fold of mergeVersion over incoming
// (each version in turn, in incoming's order) into set: the same set and
// the same changes in the same order, in time linear in the sizes of the
// two sets (times the size of a causal past) where the fold takes time
// proportional to their product, and with one new set where the fold makes
// one per version stored. ok is false, and nothing is done, when incoming
// is not sorted by dot without repeats; the caller then folds.
//
// It relies on two facts the caller must guarantee (Cluster.mergeInto
// does):
//   - set and incoming are sibling sets: sorted by dot, and no version of
//     one supersedes another of the same set;
//   - supersession is transitive over their versions (x supersedes y and y
//     supersedes z imply x supersedes z). It is while every context is a
//     union of causal pasts, each of which holds the pasts of the writes it
//     names; a truncated context breaks it.
//
// Under these, what the fold does at each step depends on set and incoming
// alone, not on the steps before: an incoming version b whose dot set
// lacks is stored exactly when no version of set supersedes it (no stored b
// supersedes another b, and a version of set removed by a stored b' that
// superseded b would make b' supersede b), which is when set's union of
// causal pasts does not cover b's dot; a version a of set is dropped
// exactly when a stored b supersedes it, which is when the stored
// versions' union of pasts covers a's dot; and it is reported after the
// first such b. (A past is a context plus the version's own dot, which
// differs from every dot tested against it here.)
func foldVC(set, incoming []*version, pm *pastMerger, changes []change, report bool) (_ []*version, _ []change, ok bool) {
	for i := 1; i < len(incoming); i++ {
		if !dotLess(incoming[i-1].dot, incoming[i].dot) {
			return set, changes, false
		}
	}
	// The incoming versions whose dots set lacks.
	var fresh []*version
	i := 0
	for _, b := range incoming {
		for i < len(set) && dotLess(set[i].dot, b.dot) {
			i++
		}
		if i < len(set) && set[i].dot == b.dot {
			continue
		}
		fresh = append(fresh, b)
	}
	if len(fresh) > 0 && len(set) > 0 {
		known := pm.merge(set)
		kept := fresh[:0]
		for _, b := range fresh {
			if !known.covers(b.dot) {
				kept = append(kept, b)
			}
		}
		fresh = kept
	}
	if len(fresh) == 0 {
		return set, changes, true
	}
	seen := pm.merge(fresh)
	out := make([]*version, 0, len(set)+len(fresh))
	var dropped []*version
	j := 0
	for _, a := range set {
		for j < len(fresh) && dotLess(fresh[j].dot, a.dot) {
			out = append(out, fresh[j])
			j++
		}
		if seen.covers(a.dot) {
			dropped = append(dropped, a)
			continue
		}
		out = append(out, a)
	}
	out = append(out, fresh[j:]...)
	if !report {
		return out, changes, true
	}
	// Each dropped version is reported after the first stored version
	// that supersedes it, in dot order among those.
	by := make([]int, len(dropped))
	for d, a := range dropped {
		for by[d] < len(fresh)-1 && !fresh[by[d]].supersedes(a) {
			by[d]++
		}
	}
	// A counting sort by reporting version: start[k] is where the versions
	// reported after fresh[k] begin in order, each group in dot order.
	start := make([]int, len(fresh)+1)
	for _, k := range by {
		start[k+1]++
	}
	for k := 1; k < len(start); k++ {
		start[k] += start[k-1]
	}
	order := make([]*version, len(dropped))
	next := slices.Clone(start)
	for d, a := range dropped {
		order[next[by[d]]] = a
		next[by[d]]++
	}
	for k, b := range fresh {
		changes = append(changes, change{EvVersionStored, b})
		for _, a := range order[start[k]:start[k+1]] {
			changes = append(changes, change{EvSuperseded, a})
		}
	}
	return out, changes, true
}

// mergeSets merges every version of b into a without reporting changes.
//
// Both are sibling sets as stored (sorted by dot, none superseding
// another), and sets are never changed in place, so when a is empty or
// holds the same versions as b, the merge is b or a itself: merging a
// vector-clock set into nothing, one version at a time, rebuilds it as it
// was, and merging versions already present changes nothing. (Under
// last-write-wins only a single version is taken as is: a set of several
// kept from before a switch to LWW would be cut to its winner.)
func mergeSets(a, b []*version, mode Versioning) []*version {
	if len(a) == 0 && (mode == VectorClocks || len(b) <= 1) {
		return b
	}
	if sameDots(a, b) {
		return a
	}
	for i := range b {
		a, _ = mergeVersion(a, b[i], mode, nil)
	}
	return a
}

// formatValues lists the values of a set, for events and the history.
func formatValues(vs []*version) []string {
	if len(vs) == 0 {
		return nil
	}
	out := make([]string, len(vs))
	for i := range vs {
		out[i] = vs[i].value
	}
	return out
}

func itoa(v int) string { return strconv.Itoa(v) }
