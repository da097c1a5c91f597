package core

import (
	"github.com/ringlab/ringlab/core/merkle"
)

// message is one simulated network message. It is immutable from the moment
// it is sent until it is delivered or dropped; then the cluster recycles it
// (see releaseMessage), so nothing may keep a *message past its handler.
// The slices it carries are not recycled (versions in particular end up in
// storage and requests), except members, which no handler keeps.
type message struct {
	id          uint64
	kind        MsgKind
	from, to    NodeID
	req         RequestID
	sendTick    int64
	deliverTick int64
	// drop is decided when the message is sent (loss, or a partition already
	// between the two ends); "" means it is delivered unless, by its deliver
	// tick, the destination is down or cut off.
	drop string

	key      string
	keyHash  uint64
	versions []*version // put, get reply, repair, handoff: the versions carried
	hintFor  NodeID     // put to a stand-in, handoff: the node the write is meant for
	ok       bool       // repair ack: the replica now holds the versions

	members []memberEntry // gossip: the sender's membership view

	merkle *merklePayload // Merkle exchanges' (apart: most messages have none)

	hashOf [2]uint64  // stateHasher.messageHash's, without and with timestamps; 0: not known
	sym    symDigests // renamedMessageHash's
}

// merklePayload is what a Merkle exchange's message carries.
type merklePayload struct {
	probes []rangeProbe  // Merkle request/reply: one level of one or more ranges
	leaves []leafRef     // keys push/reply: the differing leaves
	keys   []keyVersions // keys push/reply: the sender's keys in those leaves
}

// rangeProbe is a Merkle probe for the key range (start, end].
type rangeProbe struct {
	start, end uint64
	probe      merkle.Probe
}

// leafRef names one leaf of one range's tree.
type leafRef struct {
	start, end uint64
	leaf       int
}

// keyVersions is a key with its versions, as anti-entropy ships it.
type keyVersions struct {
	key      string
	hash     uint64
	versions []*version
}

// send puts a message on the network. A message to oneself is delivered in
// the same tick, never lost. Latency and loss are drawn from the network
// stream, always in the same order, so the decisions of later messages do
// not depend on which earlier messages were lost. It copies *msg into a
// recycled message and keeps no reference to msg, so callers pass the address
// of a message literal, which stays on their stack.
func (c *Cluster) send(msg *message) {
	m := c.newMessage()
	*m = *msg
	c.msgSeq++
	m.id = c.msgSeq
	m.sendTick = c.now
	if m.from == m.to {
		m.deliverTick = c.now
	} else if c.cfg.Scripted {
		c.hold(m)
		return
	} else {
		m.deliverTick = c.now + c.rng().net.between(c.cfg.LatencyMinTicks, c.cfg.LatencyMaxTicks)
		if c.cfg.Loss > 0 && c.rng().net.float() < c.cfg.Loss {
			m.drop = "lost"
		} else if c.partitioned(m.from, m.to) {
			m.drop = "partition"
		}
	}
	c.counters.MessagesSent++
	c.emit(&Event{Kind: EvMsgSend, From: m.from, To: m.to, Request: m.req, Msg: m.kind, MsgID: m.id, DeliverTick: m.deliverTick, Key: m.key})
	c.schedule(item{tick: m.deliverTick, kind: itemDeliver, msg: m})
}

// newMessage takes a message from the free list, or allocates one.
func (c *Cluster) newMessage() *message {
	if m := takeFree(&c.scratch.msgs); m != nil {
		return m
	}
	return new(message)
}

// releaseMessage returns a delivered or dropped message, which only this
// cluster holds, to the scratch's free list, and its membership buffer to
// the gossip buffers.
func (c *Cluster) releaseMessage(m *message) {
	s := c.scratch
	if m.members != nil && len(s.memberBufs) < scratchMessagesMax {
		s.memberBufs = append(s.memberBufs, m.members[:0])
	}
	if len(s.msgs) < scratchMessagesMax {
		*m = message{}
		s.msgs = append(s.msgs, m)
	}
}

// deliver hands a due message to its destination, or drops it, then
// recycles it.
func (c *Cluster) deliver(m *message) {
	c.deliverTo(m)
	c.releaseMessage(m)
}

func (c *Cluster) deliverTo(m *message) {
	reason := m.drop
	dst := c.nodes[m.to]
	switch {
	case reason != "":
	case !dst.up:
		reason = m.to.String() + " is down"
	case c.partitioned(m.from, m.to):
		reason = "partition"
	}
	if reason != "" {
		c.counters.MessagesDropped++
		c.emit(&Event{Kind: EvMsgDrop, From: m.from, To: m.to, Request: m.req, Msg: m.kind, MsgID: m.id, DeliverTick: m.deliverTick, Key: m.key, Text: reason})
		return
	}
	c.emit(&Event{Kind: EvMsgDeliver, From: m.from, To: m.to, Request: m.req, Msg: m.kind, MsgID: m.id, DeliverTick: m.deliverTick, Key: m.key})
	n := dst
	switch m.kind {
	case MsgGetReq, MsgPutReq, MsgRepair:
		// A replica that answers a read, or is given versions it may hold
		// already, takes itself to change (Cluster.w) only when it does:
		// a clone whose step changes nothing of it keeps sharing it.
	default:
		n = c.w(dst.id)
	}
	c.step(n, m)
}

// partitioned reports whether a and b are in different partition groups.
func (c *Cluster) partitioned(a, b NodeID) bool {
	if c.groupOf == nil {
		return false
	}
	return c.group(a) != c.group(b)
}

// group is the partition group of n; nodes no group lists share group 0.
func (c *Cluster) group(n NodeID) int {
	if int(n) < len(c.groupOf) {
		return c.groupOf[n]
	}
	return 0
}

// step dispatches a delivered message to the handler of its kind.
func (c *Cluster) step(n *node, m *message) {
	switch m.kind {
	case MsgPutReq:
		c.handlePutReq(n, m)
	case MsgPutAck:
		c.handlePutAck(n, m)
	case MsgGetReq:
		c.handleGetReq(n, m)
	case MsgGetResp:
		c.handleGetResp(n, m)
	case MsgRepair:
		c.handleRepair(n, m)
	case MsgRepairAck:
		c.handleRepairAck(n, m)
	case MsgHandoff:
		c.handleHandoff(n, m)
	case MsgHandoffAck:
		c.handleHandoffAck(n, m)
	case MsgGossip, MsgGossipReply:
		c.handleGossip(n, m)
	case MsgMerkleReq, MsgMerkleResp:
		c.handleMerkleProbe(n, m)
	case MsgKeysPush, MsgKeysReply:
		c.handleKeys(n, m)
	case MsgTransfer:
		c.handleTransfer(n, m)
	case MsgTransferAck:
		c.handleTransferAck(n, m)
	}
}
