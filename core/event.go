package core

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"slices"
	"strconv"
	"strings"
)

// trace is the event log: the events not yet drained, and a running sha256
// of a compact binary encoding of every event emitted.
type trace struct {
	seq     uint64
	events  []Event
	discard bool // keep hashing and counting, but buffer nothing
	// digest is the running sha256; nil skips it (SkipDigest). (Behind a
	// pointer: a schedule search's clusters, which skip it, copy the
	// struct for every state.)
	digest *traceDigest
}

type traceDigest struct {
	sum hash.Hash
	buf []byte // encoded events not yet written to sum
}

const traceFlushBytes = 8 << 10

func newTrace() trace { return trace{digest: &traceDigest{sum: sha256.New()}} }

func (t *trace) clone() trace {
	x := *t
	x.events = append([]Event(nil), t.events...)
	for i := range x.events {
		x.events[i].Values = append([]string(nil), t.events[i].Values...)
	}
	if t.digest == nil {
		return x
	}
	state, err := t.digest.sum.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic("core: cannot copy the trace digest: " + err.Error())
	}
	x.digest = &traceDigest{sum: sha256.New(), buf: append([]byte(nil), t.digest.buf...)}
	if err := x.digest.sum.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		panic("core: cannot copy the trace digest: " + err.Error())
	}
	return x
}

// Node fields that apply to each kind of event; the others are NoNode.
const (
	useFrom = 1 << iota
	useTo
	usePeer
)

var eventNodes = [...]uint8{
	EvMsgSend:        useFrom | useTo,
	EvMsgDeliver:     useFrom | useTo,
	EvMsgDrop:        useFrom | useTo,
	EvRequestStart:   useFrom,
	EvQuorumReached:  useFrom,
	EvQuorumFailed:   useFrom,
	EvRequestDone:    useFrom,
	EvVersionCreated: useFrom,
	EvVersionStored:  useTo,
	EvSiblingCreated: useTo,
	EvSuperseded:     useTo,
	EvLWWDiscard:     useTo,
	EvHintStored:     useTo | usePeer,
	EvHintHandedOff:  useFrom | usePeer,
	EvReadRepair:     useFrom | useTo,
	EvMerkleCompare:  useFrom | useTo,
	EvMerkleKeys:     useFrom | useTo,
	EvGossip:         useFrom | useTo,
	EvNodeState:      useFrom,
	EvMembership:     useFrom | usePeer,
	EvPartition:      0,
	EvRingChange:     useFrom | usePeer,
	EvConfigChange:   0,
	EvTransfer:       useFrom | useTo,
	EvTransferDone:   useFrom,
}

// emit appends an event to the trace at the current tick. It fills in ev's
// sequence number and tick (and clears node fields the kind does not use)
// and keeps no reference to ev: callers pass the address of an event built
// in place, which saves copying the struct at every event.
func (c *Cluster) emit(ev *Event) {
	t := &c.trace
	t.seq++
	ev.Seq = t.seq
	ev.Tick = c.now
	use := eventNodes[ev.Kind]
	if use&useFrom == 0 {
		ev.From = NoNode
	}
	if use&useTo == 0 {
		ev.To = NoNode
	}
	if use&usePeer == 0 {
		ev.Peer = NoNode
	}
	c.counters.Events++
	if d := t.digest; d != nil {
		if d.buf = appendEvent(d.buf, ev); len(d.buf) >= traceFlushBytes {
			d.sum.Write(d.buf)
			d.buf = d.buf[:0]
		}
	}
	if !t.discard {
		t.events = append(t.events, *ev)
	}
}

// appendEvent is the digest's encoding of an event: every field, integers as
// varints (signed ones zigzag-encoded, as encoding/binary's AppendVarint)
// and strings length-prefixed, in declaration order. It reserves room once
// and writes in place: it runs for every event.
func appendEvent(b []byte, e *Event) []byte {
	size := eventFixedMax + len(e.Key) + len(e.Version) + len(e.Text) + binary.MaxVarintLen64*(3+len(e.Values))
	for _, v := range e.Values {
		size += len(v)
	}
	p := len(b)
	b = slices.Grow(b, size)[:p+size]
	p = putUvarint(b, p, e.Seq)
	p = putVarint(b, p, e.Tick)
	b[p], b[p+1], b[p+2], b[p+3] = byte(e.Kind), byte(e.Op), byte(e.Msg), byte(e.Status)
	binary.LittleEndian.PutUint16(b[p+4:], uint16(e.From))
	binary.LittleEndian.PutUint16(b[p+6:], uint16(e.To))
	binary.LittleEndian.PutUint16(b[p+8:], uint16(e.Peer))
	p += 10
	p = putUvarint(b, p, uint64(e.Request))
	p = putVarint(b, p, int64(e.Client))
	p = putUvarint(b, p, e.MsgID)
	p = putVarint(b, p, e.DeliverTick)
	p = putString(b, p, e.Key)
	p = putString(b, p, e.Version)
	p = putUvarint(b, p, uint64(len(e.Values)))
	for _, v := range e.Values {
		p = putString(b, p, v)
	}
	var flags byte
	if e.OK {
		flags |= 1
	}
	if e.Equal {
		flags |= 2
	}
	if e.Up {
		flags |= 4
	}
	b[p] = flags
	p++
	p = putVarint(b, p, int64(e.Count))
	p = putVarint(b, p, int64(e.Need))
	p = putUvarint(b, p, e.Range)
	p = putVarint(b, p, int64(e.Level))
	p = putVarint(b, p, int64(e.Index))
	// Hash and PeerHash are left out: they follow from the trees, which the
	// earlier events determine, and leaving them out keeps the digest of
	// every run shared before they were recorded.
	p = putString(b, p, e.Text)
	return b[:p]
}

// eventFixedMax bounds the bytes of an encoded event other than its
// strings and their length prefixes: 12 varints, 4 kind bytes, 3 node ids
// and the flags.
const eventFixedMax = 12*binary.MaxVarintLen64 + 4 + 3*2 + 1

// putUvarint writes v as encoding/binary's AppendUvarint would at b[p:],
// which must have room, and returns the position after it.
func putUvarint(b []byte, p int, v uint64) int {
	for v >= 0x80 {
		b[p] = byte(v) | 0x80
		v >>= 7
		p++
	}
	b[p] = byte(v)
	return p + 1
}

// putVarint writes v zigzag-encoded, as encoding/binary's AppendVarint.
func putVarint(b []byte, p int, v int64) int {
	return putUvarint(b, p, uint64(v)<<1^uint64(v>>63))
}

func putString(b []byte, p int, s string) int {
	p = putUvarint(b, p, uint64(len(s)))
	return p + copy(b[p:], s)
}

// Events returns the events emitted since the last call, oldest first, and
// forgets them.
func (c *Cluster) Events() []Event {
	ev := c.trace.events
	c.trace.events = nil
	return ev
}

// DiscardEvents stops (or resumes) buffering events for Events; the digest
// and the counters still see every event. Long headless runs that never
// call Events use it to keep memory flat.
func (c *Cluster) DiscardEvents(discard bool) {
	c.trace.discard = discard
	if discard {
		c.trace.events = nil
	}
}

// SkipDigest stops folding events into the trace digest, for good: a
// schedule search's clusters are compared by their state (StateHash), and a
// counterexample is replayed afresh for its digest, so they need none, and
// cloning one is cheaper without it. Digest then returns "".
func (c *Cluster) SkipDigest() {
	c.trace.digest = nil
}

// Digest is the hex sha256 of the whole event trace so far ("" after
// SkipDigest).
func (c *Cluster) Digest() string {
	d := c.trace.digest
	if d == nil {
		return ""
	}
	if len(d.buf) > 0 {
		d.sum.Write(d.buf)
		d.buf = d.buf[:0]
	}
	return hex.EncodeToString(d.sum.Sum(nil))
}

var msgNames = [...]string{
	MsgPutReq:      "put",
	MsgPutAck:      "put-ack",
	MsgGetReq:      "get",
	MsgGetResp:     "get-reply",
	MsgRepair:      "repair",
	MsgRepairAck:   "repair-ack",
	MsgHandoff:     "handoff",
	MsgHandoffAck:  "handoff-ack",
	MsgGossip:      "gossip",
	MsgGossipReply: "gossip-reply",
	MsgMerkleReq:   "merkle",
	MsgMerkleResp:  "merkle-reply",
	MsgKeysPush:    "keys",
	MsgKeysReply:   "keys-reply",
	MsgTransfer:    "transfer",
	MsgTransferAck: "transfer-ack",
}

// String names a message kind as the event log writes it.
func (k MsgKind) String() string {
	if int(k) < len(msgNames) && msgNames[k] != "" {
		return msgNames[k]
	}
	return "msg" + strconv.Itoa(int(k))
}

// String names a status: "alive", "suspect", "dead", "left".
func (s Status) String() string {
	switch s {
	case Alive:
		return "alive"
	case Suspect:
		return "suspect"
	case Dead:
		return "dead"
	case Left:
		return "left"
	}
	return "status" + strconv.Itoa(int(s))
}

// String is "put" or "get".
func (k OpKind) String() string {
	switch k {
	case OpPut:
		return "put"
	case OpGet:
		return "get"
	}
	return "op" + strconv.Itoa(int(k))
}

// String is "strict" or "sloppy".
func (m Mode) String() string {
	if m == Strict {
		return "strict"
	}
	return "sloppy"
}

// String is "vc" or "lww".
func (v Versioning) String() string {
	if v == VectorClocks {
		return "vc"
	}
	return "lww"
}

// String describes the event in plain language for the event log. It
// depends only on the event's fields, so it is as deterministic as the
// trace.
func (e Event) String() string {
	var b strings.Builder
	op := func() string { return e.Op.String() + "(" + e.Key + ")" }
	w := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
	}
	from, to, peer := e.From.String(), e.To.String(), e.Peer.String()
	switch e.Kind {
	case EvMsgSend:
		w(from, " sends ", e.Msg.String(), keyInParens(e.Key), " to ", to, ", due at tick ", i64(e.DeliverTick))
	case EvMsgDeliver:
		w(to, " receives ", e.Msg.String(), keyInParens(e.Key), " from ", from)
	case EvMsgDrop:
		w(e.Msg.String(), keyInParens(e.Key), " from ", from, " to ", to, " is dropped: ", e.Text)
	case EvRequestStart:
		w(from, " coordinates ", op(), " for client ", strconv.Itoa(e.Client))
	case EvQuorumReached:
		noun, letter := "acks", "W"
		if e.Op == OpGet {
			noun, letter = "replies", "R"
		}
		w(from, ": ", op(), " quorum reached, ", strconv.Itoa(e.Count), " ", noun, " (", letter, "=", strconv.Itoa(e.Need), ")")
	case EvQuorumFailed:
		w(from, ": ", op(), " failed, ", e.Text)
	case EvRequestDone:
		w("client ", strconv.Itoa(e.Client), ": ", op())
		switch {
		case !e.OK:
			w(" failed: ", e.Text)
		case e.Op == OpGet && len(e.Values) == 0:
			w(" returns nothing")
		case e.Op == OpGet:
			w(" returns [", strings.Join(e.Values, " "), "]")
		default:
			w(" ok")
		}
	case EvVersionCreated:
		w(from, " creates version ", e.Version)
	case EvVersionStored:
		w(to, " stores ", e.Version)
	case EvSiblingCreated:
		w(to, " now keeps ", strconv.Itoa(e.Count), " siblings of ", e.Key)
	case EvSuperseded:
		w(to, " drops ", e.Version, ", superseded")
	case EvLWWDiscard:
		w(to, " discards ", e.Version, " by timestamp: a concurrent write is lost")
	case EvHintStored:
		w(to, " stores a hint for ", peer, ": ", e.Key)
	case EvHintHandedOff:
		w(from, " hands ", e.Key, " off to ", peer, " and drops the hint")
	case EvReadRepair:
		w(from, " repairs ", to, ": ", e.Version)
	case EvMerkleCompare:
		verdict := "differ"
		if e.Equal {
			verdict = "equal"
		}
		w(from, " and ", to, " compare range ", hexRange(e.Range), " tree node ", strconv.Itoa(e.Level), ".", strconv.Itoa(e.Index), ": ", verdict)
	case EvMerkleKeys:
		w(from, " sends ", strconv.Itoa(e.Count), " keys of differing leaves to ", to)
	case EvGossip:
		w(from, " gossips with ", to)
	case EvNodeState:
		w(from, " ", e.Text)
	case EvMembership:
		w(from, " now believes ", peer, " is ", e.Status.String())
	case EvPartition:
		if e.Text == "healed" {
			w("the partition heals")
		} else {
			w("partition: ", e.Text)
		}
	case EvRingChange:
		if e.From == NoNode {
			w(peer, " ", e.Text, " the ring")
		} else {
			w(from, " learns that ", peer, " ", e.Text, " the ring")
		}
	case EvConfigChange:
		w("set ", e.Text)
	case EvTransfer:
		w(from, " hands ", e.Key, " (", strconv.Itoa(e.Count), " version")
		if e.Count != 1 {
			w("s")
		}
		w(") to replica ", to, ": ", from, " is ", e.Text)
	case EvTransferDone:
		w(from, " drops its copy of ", e.Key, ": the replicas ", e.Text, " have it")
	default:
		w("event ", strconv.Itoa(int(e.Kind)))
	}
	return b.String()
}

func keyInParens(k string) string {
	if k == "" {
		return ""
	}
	return "(" + k + ")"
}

func i64(v int64) string { return strconv.FormatInt(v, 10) }

// hexRange abbreviates a range id to its top 32 bits, as the lab labels arcs.
func hexRange(r uint64) string {
	s := strconv.FormatUint(r>>32, 16)
	return "0x" + strings.Repeat("0", 8-len(s)) + s
}
