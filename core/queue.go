package core

import "math/rand/v2"

// itemKind names what a scheduled item does when its tick comes.
type itemKind uint8

const (
	itemDeliver     itemKind = iota + 1 // a message arrives (or is dropped)
	itemGossip                          // a node's gossip round
	itemHandoff                         // a node's hinted-handoff round
	itemAntiEntropy                     // a node's Merkle exchange round
	itemHalfTimeout                     // a sloppy request re-sends to stand-ins
	itemTimeout                         // a request gives up
	itemClient                          // a workload client issues its next op
	itemFault                           // the fault injector strikes
	itemFaultUndo                       // the fault injector undoes one fault
	itemLeaveStop                       // a leaving node stops
)

// item is one entry of the event queue. Items are ordered by (tick, seq):
// seq is the order in which they were scheduled, so items due at the same
// tick run in a deterministic order.
type item struct {
	tick  int64
	seq   uint64
	kind  itemKind
	node  NodeID
	epoch uint32 // a node's incarnation when a timer was set: stale timers are ignored
	req   RequestID
	arg   int64
	msg   *message
	undo  *faultUndo // itemFaultUndo: how to undo the fault (never changed once scheduled)
}

// queueBuckets is how many ticks ahead the queue keeps in buckets (a power
// of two). It covers the default timers (the longest, anti-entropy, is 100
// ticks), so in a default cluster the overflow heap stays empty.
const queueBuckets = 128

// queue is the event queue, ordered by (tick, seq). Ticks are small
// integers and nearly every item is due within a few ticks, so it is a
// calendar queue: a ring of buckets, one per tick from the current tick
// (base) to base+queueBuckets-1, each a list in scheduling order, plus a
// heap (far) for the items due later. Within a bucket, scheduling order is
// seq order, so a bucket is drained front to back. Far items move into
// their bucket when their tick enters the window (advance), before
// anything else can be scheduled for that tick: they were scheduled
// earlier, so they keep their place ahead of it, exactly as in a single
// heap ordered by (tick, seq) (queue_test.go checks this against one).
//
// Nothing is ever scheduled before the current tick.
//
// The buckets are allocated when first needed and a clone of a queue with
// nothing in them shares none (a scripted run's queue is nearly always
// empty, and the schedule search clones it millions of times).
type queue struct {
	buckets *[queueBuckets][]item
	base    int64 // the tick of the current bucket
	head    int   // items of the current bucket already taken
	count   int   // items queued (not yet taken)
	far     heap
}

// push queues an item; it.tick must not be before the last tick popDue
// was called with.
func (q *queue) push(it item) {
	if it.tick < q.base {
		panic("core: an item was scheduled before the current tick")
	}
	q.count++
	if it.tick-q.base >= queueBuckets {
		q.far.push(it)
		return
	}
	if q.buckets == nil {
		q.buckets = new([queueBuckets][]item)
	}
	b := &q.buckets[it.tick&(queueBuckets-1)]
	*b = append(*b, it)
}

// popDue removes and returns the first item due at or before now, if any.
// now must not go backwards between calls.
func (q *queue) popDue(now int64) (item, bool) {
	if q.count == 0 {
		// Nothing queued: move the window to now at once (advancing tick
		// by tick would only empty empty buckets).
		if q.buckets != nil {
			cur := &q.buckets[q.base&(queueBuckets-1)]
			*cur = (*cur)[:0]
		}
		q.head = 0
		q.base = max(q.base, now)
		return item{}, false
	}
	if q.buckets == nil {
		q.buckets = new([queueBuckets][]item) // far items will move in
	}
	for {
		b := &q.buckets[q.base&(queueBuckets-1)]
		if q.head < len(*b) {
			it := (*b)[q.head]
			(*b)[q.head] = item{} // drop the message pointer for the collector
			q.head++
			q.count--
			return it, true
		}
		if q.base >= now {
			return item{}, false
		}
		q.advance()
	}
}

// advance moves the window one tick on: the current bucket (all taken) is
// emptied for reuse, and far items due at the tick that enters the window
// move into its bucket.
func (q *queue) advance() {
	b := &q.buckets[q.base&(queueBuckets-1)]
	*b = (*b)[:0]
	q.head = 0
	q.base++
	last := q.base + queueBuckets - 1
	for len(q.far) > 0 && q.far[0].tick <= last {
		it := q.far.pop()
		nb := &q.buckets[it.tick&(queueBuckets-1)]
		*nb = append(*nb, it)
	}
}

// each calls f with every queued item, in no particular order.
func (q *queue) each(f func(*item)) {
	for i := 0; q.buckets != nil && i < queueBuckets; i++ {
		b := q.buckets[i]
		if int64(i) == q.base&(queueBuckets-1) {
			b = b[q.head:]
		}
		for j := range b {
			f(&b[j])
		}
	}
	for j := range q.far {
		f(&q.far[j])
	}
}

// clone copies the queue (the items themselves; their messages are shared).
func (q *queue) clone() queue {
	x := *q
	x.buckets = nil
	if q.buckets != nil && q.count > len(q.far) {
		x.buckets = new([queueBuckets][]item)
		for i := range q.buckets {
			if len(q.buckets[i]) > 0 {
				x.buckets[i] = append([]item(nil), q.buckets[i]...)
			}
		}
	} else {
		x.head = 0 // the current bucket holds only taken items
	}
	x.far = append(heap(nil), q.far...)
	return x
}

// release empties the queue of its buckets (it must hold no item) and
// returns them, all empty, for another queue (Cluster.processDue).
func (q *queue) release() *[queueBuckets][]item {
	b := q.buckets
	cur := &b[q.base&(queueBuckets-1)]
	*cur = (*cur)[:0] // items taken, all of them (the others are empty)
	q.buckets, q.head = nil, 0
	return b
}

// heap is a binary min-heap of items by (tick, seq), written out (rather
// than through container/heap) so that pushing an item does not allocate.
type heap []item

func (q heap) less(i, j int) bool {
	if q[i].tick != q[j].tick {
		return q[i].tick < q[j].tick
	}
	return q[i].seq < q[j].seq
}

func (q *heap) push(it item) {
	*q = append(*q, it)
	h := *q
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

// pop removes the first item; the heap must not be empty.
func (q *heap) pop() item {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h[last] = item{}
	h = h[:last]
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(h) {
			break
		}
		m := l
		if r := l + 1; r < len(h) && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}

// stream is one independent random sequence. It keeps the generator's state
// as a value so that Clone can copy it exactly.
type stream struct {
	pcg rand.PCG
	r   *rand.Rand // over &pcg, made on first use (rnd): a copy of the stream drops it
}

// Stream identities: each is mixed with the seed so that the streams differ.
const (
	streamNetwork uint64 = iota + 1
	streamWorkload
	streamGossip
	streamFaults
	streamAntiEntropy
)

func newStream(seed, id uint64) stream {
	var s stream
	s.pcg.Seed(seed, id*0x9e3779b97f4a7c15+0x632be59bd9b4e019)
	return s
}

// copied is the stream for a copy of the cluster that holds it: the same
// state, and no Rand over the original's generator. (A Rand holds nothing
// but its source, so making it afresh changes no draw.)
func (s stream) copied() stream { return stream{pcg: s.pcg} }

// streams are a cluster's random streams.
type streams struct {
	net, work, gossip, fault, ae stream
	own                          cowOwner // the cluster's (Cluster.own) that may draw from them
}

// rng is the cluster's streams, to draw from: copied first if shared with
// a clone.
func (c *Cluster) rng() *streams {
	if c.rngs.own != c.own {
		s := streams{net: c.rngs.net.copied(), work: c.rngs.work.copied(), gossip: c.rngs.gossip.copied(),
			fault: c.rngs.fault.copied(), ae: c.rngs.ae.copied(), own: c.own}
		c.rngs = &s
	}
	return c.rngs
}

// rnd is the stream's Rand.
func (s *stream) rnd() *rand.Rand {
	if s.r == nil {
		s.r = rand.New(&s.pcg)
	}
	return s.r
}

// intn is uniform in [0, n); n must be positive.
func (s *stream) intn(n int) int { return s.rnd().IntN(n) }

// between is uniform in [lo, hi].
func (s *stream) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + s.rnd().Int64N(hi-lo+1)
}

func (s *stream) float() float64 {
	return s.rnd().Float64()
}
