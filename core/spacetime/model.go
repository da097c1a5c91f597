// Package spacetime indexes a run's trace by time and place: every message
// from its send to its delivery or loss, every client operation from its
// invocation to its answer (with the messages of its request), and for every
// node the spans it was down, the side of the partition it was on and its
// clock skew. The space-time diagram and the client-history view draw from
// it and the ShiViz export writes it, so all of them show the same run.
//
// A Model is built incrementally from the events the core emits (Add), at a
// cost proportional to their number, never to the run's length. It answers
// for any tick up to the newest event it has seen: what a picture at tick t
// shows is computed from the model and t alone (messages sent after t are
// not there; messages that arrive after t are still in flight at t), so
// scrubbing back needs no rebuild. Events it has already seen (by sequence
// number) are ignored, so a timeline that replays ticks may feed them again;
// after a fork, Truncate drops what the new future replaces.
package spacetime

import (
	"slices"
	"sort"
	"strings"

	"github.com/ringlab/ringlab/core"
)

// Pending marks the end tick of a message still in flight or of an
// operation not yet answered.
const Pending = -1

// Msg is one message of the run.
type Msg struct {
	ID       uint64
	Kind     core.MsgKind
	From, To core.NodeID
	Request  core.RequestID // the client request it belongs to, or 0
	Key      string
	Send     int64 // tick it was sent
	Due      int64 // tick it was due to arrive
	// End is the tick it was delivered or lost, Pending while in flight.
	End    int64
	Lost   bool
	Reason string // why it was lost: "lost", "partition", "n2 is down"

	SendSeq, EndSeq uint64 // the trace positions of its send and its end
}

// Arrived reports whether the message had reached its receiver by tick t.
func (m *Msg) Arrived(t int64) bool { return m.End != Pending && m.End <= t && !m.Lost }

// LostBy reports whether the message had been lost by tick t.
func (m *Msg) LostBy(t int64) bool { return m.End != Pending && m.End <= t && m.Lost }

// InFlight reports whether the message was on its way at tick t: sent, and
// neither delivered nor lost yet.
func (m *Msg) InFlight(t int64) bool { return m.Send <= t && (m.End == Pending || m.End > t) }

// Store is one node storing the version a put wrote: one of the key's
// replicas, or a stand-in that keeps it as a hint for an unreachable one.
type Store struct {
	Node core.NodeID
	Tick int64
	Seq  uint64
	// Hint is set when Node keeps the version as a hint for For.
	Hint bool
	For  core.NodeID
}

// Op is one client operation: a put or a get from its invocation (the
// coordinator starts the request) to its answer.
type Op struct {
	Request     core.RequestID
	Client      int
	Kind        core.OpKind
	Key         string
	Coordinator core.NodeID
	Start       int64
	End         int64 // Pending until answered
	StartSeq    uint64
	EndSeq      uint64
	OK          bool
	Values      []string // a get's answer, one per sibling
	Err         string
	// Value is a put's value and Version the label of the version its
	// coordinator minted ("cart=v1.1 [n0:1]"); empty for gets and for puts
	// whose coordinator was down.
	Value, Version string
	versionSeq     uint64
	// Quorum is the tick the coordinator had W acks or R replies, Pending if
	// it never did; QuorumSeq orders replies before and after it.
	Quorum    int64
	QuorumSeq uint64
	Need      int // W or R, once the coordinator reached or missed it
	needSeq   uint64
	// Stored lists the replicas that stored the put's version, in order.
	Stored []Store
}

// Answered reports whether the client had its answer by tick t.
func (o *Op) Answered(t int64) bool { return o.End != Pending && o.End <= t }

// Span is a stretch of ticks [From, To); To is Pending while it lasts.
type Span struct {
	Node     core.NodeID
	From, To int64
	Text     string
}

// Covers reports whether tick t lies in the span as seen at tick now.
func (s Span) Covers(t int64) bool { return t >= s.From && (s.To == Pending || t < s.To) }

// Partition is the network's split from tick From until To (Pending while
// it lasts): Groups are the sides, each sorted.
type Partition struct {
	From, To int64
	Groups   [][]core.NodeID
}

// Side is the index of the group node n is on, or -1.
func (p *Partition) Side(n core.NodeID) int {
	for i, g := range p.Groups {
		if _, ok := slices.BinarySearch(g, n); ok {
			return i
		}
	}
	return -1
}

// Skew is a node's clock offset from tick From on.
type Skew struct {
	Node  core.NodeID
	From  int64
	Ticks int64
}

// Model is the space-time index of one run. The zero value is not ready:
// use New.
type Model struct {
	nodes   int
	clients []int // sorted client numbers that issued operations

	// msgs are ascending by send, which is also ascending by id: the core
	// numbers messages as it sends them. Lookups by id bisect.
	msgs    []Msg
	flying  []int // indices of messages in flight at the newest event, ascending
	spanMax int64 // the longest send-to-end of any finished message

	// ops are ascending by start, and so by request id.
	ops       []Op
	pending   []int          // indices of operations not answered at the newest event, ascending
	opSpanMax int64          // the longest invocation-to-answer of any answered operation
	putAt     map[string]int // version label -> index of the put that minted it
	reqMsgs   map[core.RequestID][]int

	downs []Span
	parts []Partition
	skews []Skew

	seq  uint64 // the newest event seen
	tick int64  // its tick
}

// New starts an empty model of a run of cfg: its initial nodes and skews.
func New(cfg core.Config) *Model {
	m := &Model{
		nodes:   cfg.Nodes,
		putAt:   map[string]int{},
		reqMsgs: map[core.RequestID][]int{},
	}
	for i, s := range cfg.SkewTicks {
		if s != 0 {
			m.skews = append(m.skews, Skew{Node: core.NodeID(i), Ticks: s})
		}
	}
	return m
}

// Seq is the sequence number of the newest event the model has seen.
func (m *Model) Seq() uint64 { return m.seq }

// Tick is the tick of the newest event the model has seen.
func (m *Model) Tick() int64 { return m.tick }

// Nodes is the number of node lanes (initial nodes plus those that joined).
func (m *Model) Nodes() int { return m.nodes }

// Clients are the clients that issued operations, ascending.
func (m *Model) Clients() []int { return m.clients }

// Msgs is every message, ascending by send. The caller must not change it.
func (m *Model) Msgs() []Msg { return m.msgs }

// Ops is every operation, ascending by invocation. The caller must not
// change it.
func (m *Model) Ops() []Op { return m.ops }

// Downs are the spans nodes were down, in the order they started.
func (m *Model) Downs() []Span { return m.downs }

// Partitions are the network's splits, in order.
func (m *Model) Partitions() []Partition { return m.parts }

// Skews are the clock offsets set during the run (and at its start).
func (m *Model) Skews() []Skew { return m.skews }

// Op returns the operation of request id.
func (m *Model) Op(id core.RequestID) (*Op, bool) {
	i, ok := m.opIndex(id)
	if !ok {
		return nil, false
	}
	return &m.ops[i], true
}

func (m *Model) opIndex(id core.RequestID) (int, bool) {
	if n := len(m.ops); n > 0 && m.ops[n-1].Request == id {
		return n - 1, true // the usual case: the newest request
	}
	i := sort.Search(len(m.ops), func(i int) bool { return m.ops[i].Request >= id })
	return i, i < len(m.ops) && m.ops[i].Request == id
}

func (m *Model) msgIndex(id uint64) (int, bool) {
	i := sort.Search(len(m.msgs), func(i int) bool { return m.msgs[i].ID >= id })
	return i, i < len(m.msgs) && m.msgs[i].ID == id
}

// Msg returns the message with id.
func (m *Model) Msg(id uint64) (*Msg, bool) {
	i, ok := m.msgIndex(id)
	if !ok {
		return nil, false
	}
	return &m.msgs[i], true
}

// RequestMsgs are the messages of request id (its requests to replicas,
// their replies, and the read repairs it caused), ascending by send.
func (m *Model) RequestMsgs(id core.RequestID) []*Msg {
	idx := m.reqMsgs[id]
	out := make([]*Msg, len(idx))
	for i, j := range idx {
		out[i] = &m.msgs[j]
	}
	return out
}

// Add indexes events, oldest first. Events at or before the newest one
// already seen (by sequence number) are skipped.
func (m *Model) Add(events []core.Event) {
	for i := range events {
		e := &events[i]
		if e.Seq <= m.seq {
			continue
		}
		m.seq, m.tick = e.Seq, e.Tick
		m.add(e)
	}
}

func (m *Model) add(e *core.Event) {
	switch e.Kind {
	case core.EvMsgSend:
		i := len(m.msgs)
		m.msgs = append(m.msgs, Msg{ID: e.MsgID, Kind: e.Msg, From: e.From, To: e.To, Request: e.Request, Key: e.Key,
			Send: e.Tick, Due: e.DeliverTick, End: Pending, SendSeq: e.Seq})
		m.flying = append(m.flying, i)
		if e.Request != 0 {
			m.reqMsgs[e.Request] = append(m.reqMsgs[e.Request], i)
		}
	case core.EvMsgDeliver, core.EvMsgDrop:
		i, ok := m.msgIndex(e.MsgID)
		if !ok {
			return // sent before the model's first event
		}
		g := &m.msgs[i]
		g.End, g.EndSeq = e.Tick, e.Seq
		if e.Kind == core.EvMsgDrop {
			g.Lost, g.Reason = true, e.Text
		}
		m.spanMax = max(m.spanMax, g.End-g.Send)
		if k, found := slices.BinarySearch(m.flying, i); found {
			m.flying = slices.Delete(m.flying, k, k+1)
		}
	case core.EvRequestStart:
		m.pending = append(m.pending, len(m.ops))
		m.ops = append(m.ops, Op{Request: e.Request, Client: e.Client, Kind: e.Op, Key: e.Key, Coordinator: e.From,
			Start: e.Tick, End: Pending, StartSeq: e.Seq, Quorum: Pending})
		if k, found := slices.BinarySearch(m.clients, e.Client); !found {
			m.clients = slices.Insert(m.clients, k, e.Client)
		}
	case core.EvVersionCreated:
		if o, ok := m.Op(e.Request); ok {
			o.Version, o.versionSeq = e.Version, e.Seq
			o.Value = versionValue(e.Key, e.Version)
			m.putAt[e.Version], _ = m.opIndex(e.Request)
		}
	case core.EvVersionStored:
		if i, ok := m.putAt[e.Version]; ok {
			o := &m.ops[i]
			o.Stored = append(o.Stored, Store{Node: e.To, Tick: e.Tick, Seq: e.Seq})
		}
	case core.EvHintStored:
		if o, ok := m.Op(e.Request); ok && o.Kind == core.OpPut {
			o.Stored = append(o.Stored, Store{Node: e.To, Tick: e.Tick, Seq: e.Seq, Hint: true, For: e.Peer})
		}
	case core.EvQuorumReached:
		if o, ok := m.Op(e.Request); ok {
			o.Quorum, o.QuorumSeq, o.Need, o.needSeq = e.Tick, e.Seq, e.Need, e.Seq
		}
	case core.EvQuorumFailed:
		if o, ok := m.Op(e.Request); ok {
			o.Need, o.needSeq = e.Need, e.Seq
		}
	case core.EvRequestDone:
		if o, ok := m.Op(e.Request); ok {
			o.End, o.EndSeq, o.OK = e.Tick, e.Seq, e.OK
			m.opSpanMax = max(m.opSpanMax, o.End-o.Start)
			i, _ := m.opIndex(e.Request)
			if k, found := slices.BinarySearch(m.pending, i); found {
				m.pending = slices.Delete(m.pending, k, k+1)
			}
			o.Values = e.Values
			if !e.OK {
				o.Err = e.Text
			}
		}
	case core.EvNodeState:
		m.nodeState(e)
	case core.EvPartition:
		m.partition(e)
	case core.EvConfigChange:
		if name, val, ok := strings.Cut(e.Text, "="); ok {
			if node, isSkew := strings.CutPrefix(name, "skew:"); isSkew {
				if id, ok := parseNode(node); ok {
					m.skews = append(m.skews, Skew{Node: id, From: e.Tick, Ticks: parseInt(val)})
				}
			}
		}
	}
}

func (m *Model) nodeState(e *core.Event) {
	if int(e.From) >= m.nodes {
		m.nodes = int(e.From) + 1
	}
	if !e.Up {
		m.downs = append(m.downs, Span{Node: e.From, From: e.Tick, To: Pending, Text: e.Text})
		return
	}
	for i := len(m.downs) - 1; i >= 0; i-- {
		if d := &m.downs[i]; d.Node == e.From && d.To == Pending {
			d.To = e.Tick
			return
		}
	}
}

func (m *Model) partition(e *core.Event) {
	if n := len(m.parts); n > 0 && m.parts[n-1].To == Pending {
		m.parts[n-1].To = e.Tick
	}
	if e.Text == "healed" {
		return
	}
	groups, ok := core.ParseGroups(e.Text)
	if !ok {
		return
	}
	m.parts = append(m.parts, Partition{From: e.Tick, To: Pending, Groups: groups})
}

// versionValue is the value in a version label "key=value [clock]".
func versionValue(key, label string) string {
	v := strings.TrimPrefix(label, key+"=")
	if i := strings.LastIndex(v, " ["); i >= 0 {
		v = v[:i]
	}
	return v
}

func parseNode(s string) (core.NodeID, bool) {
	if len(s) < 2 || s[0] != 'n' {
		return 0, false
	}
	v := parseInt(s[1:])
	if v < 0 || v >= int64(core.NoNode) {
		return 0, false
	}
	return core.NodeID(v), true
}

// parseInt reads a decimal integer (as the core writes them), or -1.
func parseInt(s string) int64 {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return -1
	}
	var v int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		return -v
	}
	return v
}

// MsgsBetween calls f for every message that is on screen for a picture of
// ticks [from, to]: sent by to and not ended before from. It visits them in
// send order and stops when f returns false. Its cost is proportional to
// the messages in that range (plus those sent before it and still in flight
// at the newest event), not to the run.
func (m *Model) MsgsBetween(from, to int64, f func(*Msg) bool) {
	// Messages sent before from-spanMax ended before from, unless still in
	// flight; those are visited first, from the in-flight list.
	lo := from - m.spanMax
	first := sort.Search(len(m.msgs), func(i int) bool { return m.msgs[i].Send >= lo })
	for _, i := range m.flying {
		if i >= first {
			break
		}
		if !f(&m.msgs[i]) {
			return
		}
	}
	for i := first; i < len(m.msgs) && m.msgs[i].Send <= to; i++ {
		g := &m.msgs[i]
		if g.End != Pending && g.End < from {
			continue
		}
		if !f(g) {
			return
		}
	}
}

// OpsBetween calls f for every operation that overlaps ticks [from, to], in
// invocation order, and stops when f returns false. Like MsgsBetween, its
// cost follows the operations in that range, not the run.
func (m *Model) OpsBetween(from, to int64, f func(*Op) bool) {
	lo := from - m.opSpanMax
	first := sort.Search(len(m.ops), func(i int) bool { return m.ops[i].Start >= lo })
	for _, i := range m.pending {
		if i >= first {
			break
		}
		if !f(&m.ops[i]) {
			return
		}
	}
	for i := first; i < len(m.ops) && m.ops[i].Start <= to; i++ {
		o := &m.ops[i]
		if o.End != Pending && o.End < from {
			continue
		}
		if !f(o) {
			return
		}
	}
}

// Truncate forgets every event after sequence number seq (the run forked
// there): messages and operations begun later are removed, and those that
// ended later are in flight or pending again.
func (m *Model) Truncate(seq uint64, tick int64) {
	if seq >= m.seq {
		return
	}
	m.seq, m.tick = seq, tick
	k := sort.Search(len(m.msgs), func(i int) bool { return m.msgs[i].SendSeq > seq })
	m.msgs = m.msgs[:k]
	m.flying = m.flying[:0]
	m.spanMax = 0
	for i := range m.msgs {
		g := &m.msgs[i]
		if g.End != Pending && g.EndSeq > seq {
			g.End, g.EndSeq, g.Lost, g.Reason = Pending, 0, false, ""
		}
		if g.End == Pending {
			m.flying = append(m.flying, i)
		} else {
			m.spanMax = max(m.spanMax, g.End-g.Send)
		}
	}
	for id, idx := range m.reqMsgs {
		n := sort.SearchInts(idx, k)
		if n == 0 {
			delete(m.reqMsgs, id)
		} else {
			m.reqMsgs[id] = idx[:n]
		}
	}
	j := sort.Search(len(m.ops), func(i int) bool { return m.ops[i].StartSeq > seq })
	for _, o := range m.ops[j:] {
		if o.Version != "" {
			delete(m.putAt, o.Version)
		}
	}
	m.ops = m.ops[:j]
	m.clients = m.clients[:0]
	m.pending = m.pending[:0]
	m.opSpanMax = 0
	for i := range m.ops {
		o := &m.ops[i]
		if o.End != Pending && o.EndSeq > seq {
			o.End, o.EndSeq, o.OK, o.Values, o.Err = Pending, 0, false, nil, ""
		}
		if o.End == Pending {
			m.pending = append(m.pending, i)
		} else {
			m.opSpanMax = max(m.opSpanMax, o.End-o.Start)
		}
		if o.Quorum != Pending && o.QuorumSeq > seq {
			o.Quorum, o.QuorumSeq = Pending, 0
		}
		if o.needSeq > seq {
			o.Need, o.needSeq = 0, 0
		}
		if o.Version != "" && o.versionSeq > seq {
			delete(m.putAt, o.Version)
			o.Version, o.Value, o.versionSeq = "", "", 0
		}
		n := sort.Search(len(o.Stored), func(i int) bool { return o.Stored[i].Seq > seq })
		o.Stored = o.Stored[:n]
		if k, found := slices.BinarySearch(m.clients, o.Client); !found {
			m.clients = slices.Insert(m.clients, k, o.Client)
		}
	}
	m.downs = truncSpans(m.downs, tick)
	for len(m.parts) > 0 && m.parts[len(m.parts)-1].From > tick {
		m.parts = m.parts[:len(m.parts)-1]
	}
	if n := len(m.parts); n > 0 && m.parts[n-1].To > tick {
		m.parts[n-1].To = Pending
	}
	for len(m.skews) > 0 && m.skews[len(m.skews)-1].From > tick {
		m.skews = m.skews[:len(m.skews)-1]
	}
}

// truncSpans drops spans begun after tick and reopens those that ended
// after it. Spans are kept in start order.
func truncSpans(s []Span, tick int64) []Span {
	for len(s) > 0 && s[len(s)-1].From > tick {
		s = s[:len(s)-1]
	}
	for i := range s {
		if s[i].To > tick {
			s[i].To = Pending
		}
	}
	return s
}

// Forget drops messages and operations that ended before tick, to bound the
// model's memory to a window of the run; spans, partitions and skews are
// small and kept. Pictures of ticks before the window lose those items.
func (m *Model) Forget(before int64) {
	kept := m.msgs[:0]
	remap := make(map[int]int, len(m.msgs))
	for i, g := range m.msgs {
		if g.End != Pending && g.End < before {
			continue
		}
		remap[i] = len(kept)
		kept = append(kept, g)
	}
	clear(m.msgs[len(kept):])
	m.msgs = kept
	for k, i := range m.flying {
		m.flying[k] = remap[i]
	}
	for id, idx := range m.reqMsgs {
		out := idx[:0]
		for _, i := range idx {
			if j, ok := remap[i]; ok {
				out = append(out, j)
			}
		}
		if len(out) == 0 {
			delete(m.reqMsgs, id)
		} else {
			m.reqMsgs[id] = out
		}
	}
	keptOps := m.ops[:0]
	for _, o := range m.ops {
		if o.End != Pending && o.End < before {
			if o.Version != "" {
				delete(m.putAt, o.Version)
			}
			continue
		}
		keptOps = append(keptOps, o)
	}
	clear(m.ops[len(keptOps):])
	m.ops = keptOps
	m.pending = m.pending[:0]
	for i := range m.ops {
		if v := m.ops[i].Version; v != "" {
			m.putAt[v] = i
		}
		if m.ops[i].End == Pending {
			m.pending = append(m.pending, i)
		}
	}
}
