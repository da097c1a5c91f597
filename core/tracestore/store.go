// Package tracestore keeps the recent part of a run's trace: its events and
// its client operations, by tick, within a budget of bytes. Whatever draws
// or checks a run (the lab's pictures and event log, the linearizability
// check, a space-time diagram, a counterexample found by a schedule
// search) reads the run here, so a run of any length takes bounded memory.
//
// The store holds a window of ticks, Start() to End(): every event of those
// ticks, and every operation that returned within them or is still
// pending (some that returned earlier may stay a little longer). When the
// bytes it holds pass the budget, the oldest ticks leave, whole; the run
// itself is not lost, since it can be rebuilt from its seed and recorded
// commands (see lab.Timeline), and what must cover the whole run (the
// counters, the oracle's verdicts, the trace digest) is kept by core.
//
// A Store is fed in the order of the run: Add with each batch of new
// events, Sync with the cluster after them. Going back in time (a scrub)
// is Cut(t): the run is deterministic, so the ticks after t come again as
// the run plays forward. The store is not safe for concurrent use.
package tracestore

import (
	"sort"
	"unsafe"

	"github.com/ringlab/ringlab/core"
)

// DefaultBudgetBytes is the window's size when none is given: about 300,000
// events of the default five-node cluster with four clients, some 30,000
// ticks. Chosen so that the whole lab stays well under 512 MB in a browser
// tab (the Go heap holds about twice what is live between collections).
const DefaultBudgetBytes = 64 << 20

// Events are kept in chunks, and the window leaves a chunk at a time: a
// chunk holds about a sixteenth of the budget's events, between
// chunkLenMin and chunkLenMax.
const (
	chunkLenMin = 64
	chunkLenMax = 4096
	// eventBytesTypical sizes the chunks: an event of the default cluster
	// with its strings.
	eventBytesTypical = 240
)

// chunkLenFor is the chunk length for a budget.
func chunkLenFor(budget int64) int {
	return int(min(max(budget/(16*eventBytesTypical), chunkLenMin), chunkLenMax))
}

// OpSource is where operations come from: a *core.Cluster. Ops are numbered
// from 0 in invocation order for the whole run.
type OpSource interface {
	// HistoryLen is how many operations the run has invoked so far.
	HistoryLen() int
	// OpAt is operation i as it is now, if the source still keeps it.
	OpAt(i int) (core.Op, bool)
}

// Store is the retained window of a run's trace.
type Store struct {
	budget int64
	bytes  int64

	// chunks hold the events from the window's start on, in trace order;
	// only the last chunk is not full.
	chunks [][]core.Event
	start  int64 // the first tick of the window
	end    int64 // the last tick seen (Sync or Add)

	ops     []core.Op // ops[i] is operation opBase+i
	opBase  int
	pending []int // numbers of the operations kept that had not returned

	eventsDropped int
	opsDropped    int
	lastSeq       uint64 // the trace position of the last event added
	chunkLen      int
	// spare is the last chunk that left the window, reused for the next
	// one (its old events are overwritten, so their strings are freed).
	spare []core.Event
}

// New makes an empty store that holds at most about budgetBytes (0 or less
// means DefaultBudgetBytes).
func New(budgetBytes int64) *Store {
	if budgetBytes <= 0 {
		budgetBytes = DefaultBudgetBytes
	}
	return &Store{budget: budgetBytes, chunkLen: chunkLenFor(budgetBytes)}
}

// SetBudget changes the budget (0 or less: DefaultBudgetBytes); a smaller
// one lets the oldest ticks go at the next Add or Sync.
func (s *Store) SetBudget(b int64) {
	if b <= 0 {
		b = DefaultBudgetBytes
	}
	s.budget = b
	s.chunkLen = chunkLenFor(b)
}

// Budget is the most bytes the window holds.
func (s *Store) Budget() int64 { return s.budget }

// Start is the first tick of the window: the events of every tick from it
// to End are here.
func (s *Store) Start() int64 { return s.start }

// End is the last tick the store has seen.
func (s *Store) End() int64 { return s.end }

// Stats describe the window, for figures and for the page's state.
type Stats struct {
	Start, End int64 // the ticks held, inclusive
	Events     int   // events held
	Ops        int   // operations held
	Bytes      int64 // their estimated size
	Budget     int64
	// EventsDropped and OpsDropped count what has left the window.
	EventsDropped int
	OpsDropped    int
}

// Stats describes the window now.
func (s *Store) Stats() Stats {
	return Stats{Start: s.start, End: s.end, Events: s.eventCount(), Ops: len(s.ops), Bytes: s.bytes,
		Budget: s.budget, EventsDropped: s.eventsDropped, OpsDropped: s.opsDropped}
}

func (s *Store) eventCount() (n int) {
	for _, ch := range s.chunks {
		n += len(ch)
	}
	return n
}

// Reset empties the store for a new run.
func (s *Store) Reset() {
	*s = Store{budget: s.budget, chunkLen: s.chunkLen}
}

// EventBytes is the estimated memory of one event held by the store: the
// struct and the strings it owns.
func EventBytes(e *core.Event) int64 {
	n := int64(unsafe.Sizeof(*e)) + int64(len(e.Key)+len(e.Version)+len(e.Text))
	for _, v := range e.Values {
		n += int64(unsafe.Sizeof(v)) + int64(len(v))
	}
	return n
}

// OpBytes is the estimated memory of one operation held by the store.
func OpBytes(op *core.Op) int64 {
	n := int64(unsafe.Sizeof(*op)) + int64(len(op.Key)+len(op.Value)+len(op.Err))
	for _, v := range op.Values {
		n += int64(unsafe.Sizeof(v)) + int64(len(v))
	}
	return n
}

// Add appends events of the run in trace order, and lets the oldest ticks
// go if the window is over its budget. Events already added (by their
// trace position, Seq) are skipped, so a batch may be offered twice.
func (s *Store) Add(evs []core.Event) {
	for i := range evs {
		e := &evs[i]
		if e.Seq <= s.lastSeq {
			continue
		}
		s.lastSeq = e.Seq
		if n := len(s.chunks); n == 0 || len(s.chunks[n-1]) >= s.chunkLen {
			s.chunks = append(s.chunks, s.newChunk())
		}
		last := &s.chunks[len(s.chunks)-1]
		*last = append(*last, *e)
		s.bytes += EventBytes(e)
		s.end = max(s.end, e.Tick)
	}
	s.trim()
}

// Sync brings the operations up to date with src at tick now: new ones are
// added, and those that have returned since the last Sync are updated.
func (s *Store) Sync(src OpSource, now int64) {
	s.end = max(s.end, now)
	keep := s.pending[:0]
	for _, i := range s.pending {
		if i < s.opBase {
			continue
		}
		op, ok := src.OpAt(i)
		if !ok {
			continue
		}
		held := &s.ops[i-s.opBase]
		s.bytes += OpBytes(&op) - OpBytes(held)
		*held = op
		if op.ReturnTick < 0 {
			keep = append(keep, i)
		}
	}
	s.pending = keep
	for i := s.opBase + len(s.ops); i < src.HistoryLen(); i++ {
		op, ok := src.OpAt(i)
		if !ok {
			// The source forgot it already: it returned long ago.
			op = core.Op{Request: 0, ReturnTick: now}
		}
		s.ops = append(s.ops, op)
		s.bytes += OpBytes(&op)
		if op.ReturnTick < 0 {
			s.pending = append(s.pending, i)
		}
	}
	s.trim()
}

// newChunk is an empty chunk: the spare, or a new one.
func (s *Store) newChunk() []core.Event {
	if cap(s.spare) >= s.chunkLen {
		ch := s.spare[:0]
		s.spare = nil
		return ch
	}
	return make([]core.Event, 0, s.chunkLen)
}

// trim lets whole chunks of the oldest events go while the window is over
// budget, then the operations that returned before the new start.
func (s *Store) trim() {
	for s.bytes > s.budget && len(s.chunks) > 1 {
		ch := s.chunks[0]
		for i := range ch {
			s.bytes -= EventBytes(&ch[i])
		}
		s.eventsDropped += len(ch)
		// The window starts at a whole tick: the rest of the last tick
		// dropped leaves too.
		s.start = ch[len(ch)-1].Tick + 1
		s.chunks[0] = nil
		s.chunks = s.chunks[1:]
		s.spare = ch[:0]
		s.dropEventsBefore(s.start)
		s.dropOps()
	}
}

// dropEventsBefore removes the events of ticks before t from the front.
func (s *Store) dropEventsBefore(t int64) {
	for len(s.chunks) > 0 {
		ch := s.chunks[0]
		k := sort.Search(len(ch), func(i int) bool { return ch[i].Tick >= t })
		for i := range k {
			s.bytes -= EventBytes(&ch[i])
		}
		s.eventsDropped += k
		if k < len(ch) || len(s.chunks) == 1 {
			// Clear the dropped part, so its strings are freed; the chunk's
			// array goes when the rest of it does.
			clear(ch[:k])
			s.chunks[0] = ch[k:]
			return
		}
		s.chunks[0] = nil
		s.chunks = s.chunks[1:]
	}
}

// dropOps removes, from the front, the operations that returned before the
// window's start.
func (s *Store) dropOps() {
	k := 0
	for k < len(s.ops) && s.ops[k].ReturnTick >= 0 && s.ops[k].ReturnTick < s.start {
		s.bytes -= OpBytes(&s.ops[k])
		k++
	}
	if k == 0 {
		return
	}
	s.opsDropped += k
	s.opBase += k
	// Clear what leaves (its strings are freed); the array is replaced
	// when appends outgrow it.
	clear(s.ops[:k])
	s.ops = s.ops[k:]
}

// Cut goes back to tick t: the events of later ticks and the operations
// invoked after t are dropped, and those that returned after t are pending
// again (the next Sync reads them afresh). A tick before Start empties the
// window, which then starts after t: the ticks before Start cannot be
// brought back here; a caller that needs them replays the run from tick 0
// into a Reset store.
func (s *Store) Cut(t int64) {
	for n := len(s.chunks); n > 0; n = len(s.chunks) {
		ch := s.chunks[n-1]
		k := sort.Search(len(ch), func(i int) bool { return ch[i].Tick > t })
		for i := k; i < len(ch); i++ {
			s.bytes -= EventBytes(&ch[i])
		}
		clear(ch[k:])
		if k > 0 {
			s.chunks[n-1] = ch[:k]
			break
		}
		s.chunks[n-1] = nil
		s.chunks = s.chunks[:n-1]
	}
	s.lastSeq = 0
	if n := len(s.chunks); n > 0 {
		ch := s.chunks[n-1]
		s.lastSeq = ch[len(ch)-1].Seq
	}
	k := len(s.ops)
	for k > 0 && s.ops[k-1].InvokeTick > t {
		k--
		s.bytes -= OpBytes(&s.ops[k])
	}
	clear(s.ops[k:])
	s.ops = s.ops[:k]
	s.pending = s.pending[:0]
	for i := range s.ops {
		op := &s.ops[i]
		if op.ReturnTick > t || op.ReturnTick < 0 {
			s.bytes -= OpBytes(op)
			*op = core.Op{Request: op.Request, Client: op.Client, Kind: op.Kind, Key: op.Key,
				Coordinator: op.Coordinator, Value: op.Value, InvokeTick: op.InvokeTick, ReturnTick: -1}
			s.bytes += OpBytes(op)
			s.pending = append(s.pending, s.opBase+i)
		}
	}
	s.end = t
	if t < s.start {
		s.start = t + 1
	}
}

// EachEvent calls f with every event held of ticks from..to (inclusive), in
// trace order, until f returns false. f must not keep or change e.
func (s *Store) EachEvent(from, to int64, f func(e *core.Event) bool) {
	from = max(from, s.start)
	c := sort.Search(len(s.chunks), func(i int) bool {
		ch := s.chunks[i]
		return ch[len(ch)-1].Tick >= from
	})
	for ; c < len(s.chunks); c++ {
		ch := s.chunks[c]
		i := sort.Search(len(ch), func(i int) bool { return ch[i].Tick >= from })
		for ; i < len(ch); i++ {
			if ch[i].Tick > to {
				return
			}
			if !f(&ch[i]) {
				return
			}
		}
	}
}

// Events returns copies of the events held of ticks from..to (inclusive).
func (s *Store) Events(from, to int64) []core.Event {
	var out []core.Event
	s.EachEvent(from, to, func(e *core.Event) bool {
		out = append(out, *e)
		return true
	})
	return out
}

// Ops returns the operations held whose span of ticks (invoke to return,
// or to End while pending) meets from..to, in invocation order. The
// returned values share nothing with the store.
func (s *Store) Ops(from, to int64) []core.Op {
	var out []core.Op
	for i := range s.ops {
		op := s.ops[i]
		if op.Request == 0 && op.Kind == 0 {
			continue // a placeholder for an operation the source had forgotten
		}
		if op.InvokeTick > to {
			break
		}
		ret := op.ReturnTick
		if ret < 0 {
			ret = s.end
		}
		if ret < from {
			continue
		}
		op.Values = append([]string(nil), op.Values...)
		out = append(out, op)
	}
	return out
}

// History is every operation held, in invocation order: what a check of
// the window reads.
func (s *Store) History() []core.Op { return s.Ops(-1<<62, 1<<62) }

// Fate is what became of a message.
type Fate uint8

const (
	InFlight  Fate = iota // neither delivered nor dropped by the window's end
	Delivered             // reached its destination at End
	Dropped               // lost at End; Why says why
)

// String is "in flight", "delivered" or "dropped".
func (f Fate) String() string {
	switch f {
	case Delivered:
		return "delivered"
	case Dropped:
		return "dropped"
	}
	return "in flight"
}

// Message is one message's life, from its send event to its delivery or
// drop: an arrow of a space-time diagram.
type Message struct {
	ID       uint64
	Kind     core.MsgKind
	From, To core.NodeID
	Request  core.RequestID
	Key      string
	Send     int64 // tick of the send; -1 if it was sent before the ticks scanned
	Due      int64 // the tick it was due at, from the send event
	End      int64 // tick it was delivered or dropped; -1 while in flight
	Fate     Fate
	Why      string // for a drop: the reason
	// SendSeq and EndSeq are the trace positions of the send and of the
	// delivery or drop (0 if not among the events scanned).
	SendSeq, EndSeq uint64
}

// MessageLookbackTicks is how far before the asked range Messages looks for
// the sends of messages still in flight in it. Latencies are far shorter.
const MessageLookbackTicks = 4096

// Messages returns the messages alive during ticks from..to (sent, in
// flight, delivered or dropped then), ordered by send (or, for those sent
// before the ticks scanned, by end), from the events held.
func (s *Store) Messages(from, to int64) []Message {
	byID := map[uint64]int{}
	var out []Message
	s.EachEvent(from-MessageLookbackTicks, s.end, func(e *core.Event) bool {
		switch e.Kind {
		case core.EvMsgSend:
			if e.Tick > to {
				return false
			}
			byID[e.MsgID] = len(out)
			out = append(out, Message{ID: e.MsgID, Kind: e.Msg, From: e.From, To: e.To, Request: e.Request,
				Key: e.Key, Send: e.Tick, Due: e.DeliverTick, End: -1, SendSeq: e.Seq})
		case core.EvMsgDeliver, core.EvMsgDrop:
			i, ok := byID[e.MsgID]
			if !ok {
				if e.Tick < from || e.Tick > to {
					return true
				}
				i = len(out)
				out = append(out, Message{ID: e.MsgID, Kind: e.Msg, From: e.From, To: e.To, Request: e.Request,
					Key: e.Key, Send: -1, Due: e.Tick})
			}
			m := &out[i]
			m.End, m.EndSeq = e.Tick, e.Seq
			if e.Kind == core.EvMsgDeliver {
				m.Fate = Delivered
			} else {
				m.Fate, m.Why = Dropped, e.Text
			}
			delete(byID, e.MsgID)
		}
		return true
	})
	// Keep those whose life meets from..to.
	kept := out[:0]
	for _, m := range out {
		end := m.End
		if end < 0 {
			end = s.end
		}
		if end >= from && (m.Send < 0 || m.Send <= to) {
			kept = append(kept, m)
		}
	}
	return kept
}
