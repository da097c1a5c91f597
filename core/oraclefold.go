package core

import (
	"slices"
	"sort"

	"github.com/ringlab/ringlab/core/ring"
	"github.com/ringlab/ringlab/core/vclock"
)

// Folding the oracle, so that a run of any length keeps it small.
//
// The stale-read test (oracle.missed) needs an acknowledged dot's order of
// acknowledgement (its seq) only to compare it with the floor of a get:
// the acknowledgements made before the get began. Every get still pending
// began at or after the smallest floor recorded (readFloor), and every
// later get begins after the current ackSeq, so a dot whose seq is at most
// that minimum counts for every get still to be judged: its seq no longer
// matters. Such dots are folded into spans of counters per key and
// coordinator (ackedKey.folded), which hold the same set in a few words
// however long the run. Folding is exact: missed, and lostWrites, give the
// same answers with and without it (TestOracleFoldIsExact).
//
// A span set has a gap where a dot was minted but never acknowledged (a
// failed put). To stay bounded even then, a key's coordinator keeps at most
// foldSpansMax spans; past that the lowest gap is filled, counting its dots
// as acknowledged (oracle.gapsFilled counts them). That can only matter to
// a get or a settled replica whose causal past lacks writes more than
// foldSpansMax failed puts older than the coordinator's newest, and it
// errs towards reporting a stale read or a lost write, never hiding one.

// span is the counters lo..hi (inclusive) of one coordinator.
type span struct{ lo, hi uint64 }

const (
	// foldAfter is how many unfolded dots a key's coordinator keeps before
	// its ackPut tries to fold them.
	foldAfter = 16
	// foldSpansMax bounds the spans of one key's coordinator.
	foldSpansMax = 64
)

// minFloor is the smallest floor any get still to be judged can have.
func (o *oracle) minFloor() uint64 {
	m := o.ackSeq
	for _, f := range o.readFloor {
		m = min(m, f.floor)
	}
	return m
}

// fold moves the dots of a (already owned) key's coordinator n whose seq no
// longer matters into its spans.
func (o *oracle) fold(a *ackedKey, n NodeID) {
	if o.noFold {
		return
	}
	ds := a.byNode[n]
	if len(ds) <= foldAfter {
		return
	}
	floor := o.minFloor()
	keep := ds[:0]
	spans := a.folded[n]
	for _, d := range ds {
		if d.seq > floor {
			keep = append(keep, d)
			continue
		}
		spans = addToSpans(spans, d.counter)
	}
	for len(spans) > foldSpansMax {
		o.gapsFilled += spans[1].lo - spans[0].hi - 1
		spans[1].lo = spans[0].lo
		spans = spans[1:]
	}
	clear(ds[len(keep):])
	a.byNode[n] = keep
	if a.folded == nil {
		a.folded = map[NodeID][]span{}
	}
	a.folded[n] = spans
}

// addToSpans adds counter c to a sorted set of disjoint, non-adjacent spans.
func addToSpans(s []span, c uint64) []span {
	i := sort.Search(len(s), func(i int) bool { return s[i].hi+1 >= c })
	switch {
	case i < len(s) && s[i].lo <= c && c <= s[i].hi:
		return s
	case i < len(s) && s[i].hi+1 == c:
		s[i].hi = c
		if i+1 < len(s) && s[i+1].lo == c+1 {
			s[i].hi = s[i+1].hi
			s = slices.Delete(s, i+1, i+2)
		}
		return s
	case i < len(s) && s[i].lo == c+1:
		s[i].lo = c
		return s
	}
	return slices.Insert(s, i, span{c, c})
}

// missedFolded reports whether seen lacks a folded dot of coordinator n.
func (a *ackedKey) missedFolded(n NodeID, seen causal) bool {
	spans := a.folded[n]
	covered := seen.vv.Get(n)
	for i := len(spans) - 1; i >= 0 && spans[i].hi > covered; i-- {
		// The dots a causal set holds beyond its vector are few (its
		// cloud), so this stops at the first counter the cloud lacks.
		for c := spans[i].hi; c >= max(spans[i].lo, covered+1); c-- {
			if !seen.covers(vclock.Dot{Node: n, Counter: c}) {
				return true
			}
		}
	}
	return false
}

// cloneFolded copies a key's spans for a copy-on-write copy of it.
func (a *ackedKey) cloneFolded() map[NodeID][]span {
	if a.folded == nil {
		return nil
	}
	out := make(map[NodeID][]span, len(a.folded))
	for n, s := range a.folded {
		out[n] = slices.Clone(s)
	}
	return out
}

// lostWrites lists the acknowledged puts that no version on their key's
// replicas (on the agreed ring, cluster N) has seen: "key=value (dot)", or
// "key (dot)" for a put whose value the cluster no longer keeps (see
// ForgetBefore).
func (c *Cluster) lostWrites() []string {
	var lost []string
	name := c.lostNamer()
	c.lostDots(func(key string, dot vclock.Dot) { lost = append(lost, name(key, dot)) })
	sort.Strings(lost)
	return lost
}

// lostNamer names lost writes as lostWrites does, key by key: the values
// of a key's acknowledged puts are looked up once, when it is first
// named.
func (c *Cluster) lostNamer() func(key string, dot vclock.Dot) string {
	values := map[vclock.Dot]string{}
	named := ""
	return func(key string, dot vclock.Dot) string {
		if named != key {
			named = key
			clear(values)
			c.oracle.puts.all(func(p *ackedPut) bool {
				if p.key == key {
					values[p.dot] = p.value
				}
				return true
			})
		}
		if v, ok := values[dot]; ok {
			return key + "=" + v + " (" + dot.String() + ")"
		}
		return key + " (" + dot.String() + ")"
	}
}

// A LostWrite is an acknowledged put that no version on its key's replicas
// has seen: its index in History, its request, and its name as
// SettleReport.Lost gives it.
type LostWrite struct {
	Op      int
	Request RequestID
	Name    string
}

// LostWriteOps are the lost writes Settle counts (SettleReport.Lost) whose
// puts the history still keeps (ForgetBefore), in history order: what a
// lost write's counterexample points at.
func (c *Cluster) LostWriteOps() []LostWrite {
	type keyDot struct {
		key string
		dot vclock.Dot
	}
	names := map[keyDot]string{}
	name := c.lostNamer()
	c.lostDots(func(key string, dot vclock.Dot) { names[keyDot{key, dot}] = name(key, dot) })
	var out []LostWrite
	i := 0
	c.history.all(func(op *Op) bool {
		if op.Kind == OpPut && op.OK && op.written != nil {
			if n, ok := names[keyDot{op.Key, op.written.dot}]; ok {
				out = append(out, LostWrite{Op: i, Request: op.Request, Name: n})
			}
		}
		i++
		return true
	})
	return out
}

// WriteLost reports whether request id, an acknowledged put the history
// keeps, is lost now: no version on its key's replicas has seen it (as
// LostWriteOps has it, for one put, without a pass over the history), nor
// does a hint a stand-in keeps for one of them, which hand-off would
// bring back. False for anything else.
func (c *Cluster) WriteLost(id RequestID) bool {
	i := int(id) - 1 // requests are numbered in the order they start, as the history is
	if i < c.history.first() || i >= c.history.len() {
		return false
	}
	op := c.history.peek(i)
	if op.Kind != OpPut || !op.OK || op.written == nil {
		return false
	}
	dot := op.written.dot
	if c.replicasPast(op.Key).covers(dot) {
		return false
	}
	for _, n := range c.nodes {
		for hk, h := range n.hints {
			if hk.key == op.Key && mergedPast(h.versions).covers(dot) {
				return false
			}
		}
	}
	return true
}

// replicasPast is every write the versions of key on its replicas (on the
// agreed ring, cluster N) have seen.
func (c *Cluster) replicasPast(key string) causal {
	var past causal
	for _, r := range c.ring.PreferenceList(ring.HashKey(key), c.cfg.N) {
		if ks := c.nodes[r].store[key]; ks != nil {
			past = past.merge(mergedPast(ks.versions))
		}
	}
	return past
}

// lostDots calls f with each acknowledged put that no version on its
// key's replicas has seen, key by key in order.
func (c *Cluster) lostDots(f func(key string, dot vclock.Dot)) {
	keys := make([]string, 0, len(c.oracle.keys))
	for k := range c.oracle.keys {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		a := c.oracle.keys[key]
		past := c.replicasPast(key)
		for _, n := range a.nodes {
			covered := past.vv.Get(n)
			for _, d := range a.byNode[n] {
				if dot := (vclock.Dot{Node: n, Counter: d.counter}); d.counter > covered && !past.covers(dot) {
					f(key, dot)
				}
			}
			for _, s := range a.folded[n] {
				for ctr := max(s.lo, covered+1); ctr <= s.hi && s.hi > covered; ctr++ {
					if dot := (vclock.Dot{Node: n, Counter: ctr}); !past.covers(dot) {
						f(key, dot)
					}
				}
			}
		}
	}
}

// ForgetBefore lets the cluster forget, of the run before tick before, what
// only a record of it needs: the client operations that returned before
// then (whole chunks of History at a time, so some may stay longer), and
// the values of the puts acknowledged before then. The counters, the
// oracle's verdicts (stale reads, lost writes) and the trace digest stay
// those of the whole run. A long run calls it as its retained window moves
// on; nothing else changes, so the run stays deterministic.
func (c *Cluster) ForgetBefore(before int64) {
	if c.history.dropFront(func(op *Op) bool { return op.ReturnTick >= 0 && op.ReturnTick < before }) != nil {
		c.historyFrom = max(c.historyFrom, before)
		c.rest = 0
	}
	c.oracle.puts.dropFront(func(p *ackedPut) bool { return p.ackTick < before })
}

// HistoryFrom is the tick from which History is whole: every operation
// that returned at or after it, or is still pending, is in History. It is 0
// until ForgetBefore forgets something.
func (c *Cluster) HistoryFrom() int64 { return c.historyFrom }

// HistoryForgotten is how many client operations ForgetBefore has dropped.
func (c *Cluster) HistoryForgotten() int { return c.history.first() }

// HistoryLen is how many client operations the run has invoked, forgotten
// ones included: operations are numbered 0..HistoryLen()-1 in invocation
// order.
func (c *Cluster) HistoryLen() int { return c.history.len() }

// Returned reports whether the operation of request id has returned to
// its client; false when the history does not keep it. Unlike Op, it
// copies nothing: a schedule search asks it of every operation at every
// step.
func (c *Cluster) Returned(id RequestID) bool {
	i := int(id) - 1
	if i < c.history.first() || i >= c.history.len() {
		return false
	}
	return c.history.peek(i).ReturnTick >= 0
}

// OpAt is operation i as the client sees it now, if the cluster still
// keeps it (see ForgetBefore).
func (c *Cluster) OpAt(i int) (Op, bool) {
	if i < c.history.first() || i >= c.history.len() {
		return Op{}, false
	}
	op := c.history.get(i)
	op.Values = slices.Clone(op.Values)
	return op, true
}
