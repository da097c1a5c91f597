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
}

// queue is a binary min-heap of items, written out (rather than through
// container/heap) so that pushing an item does not allocate.
type queue []item

func (q queue) less(i, j int) bool {
	if q[i].tick != q[j].tick {
		return q[i].tick < q[j].tick
	}
	return q[i].seq < q[j].seq
}

func (q *queue) push(it item) {
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

// pop removes the first item; the queue must not be empty.
func (q *queue) pop() item {
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
	r   *rand.Rand
}

// Stream identities: each is mixed with the seed so that the streams differ.
const (
	streamNetwork uint64 = iota + 1
	streamWorkload
	streamGossip
	streamFaults
	streamAntiEntropy
)

func newStream(seed, id uint64) *stream {
	s := &stream{}
	s.pcg.Seed(seed, id*0x9e3779b97f4a7c15+0x632be59bd9b4e019)
	s.r = rand.New(&s.pcg)
	return s
}

func (s *stream) clone() *stream {
	c := &stream{pcg: s.pcg}
	c.r = rand.New(&c.pcg)
	return c
}

// intn is uniform in [0, n); n must be positive.
func (s *stream) intn(n int) int { return s.r.IntN(n) }

// between is uniform in [lo, hi].
func (s *stream) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + s.r.Int64N(hi-lo+1)
}

func (s *stream) float() float64 { return s.r.Float64() }
