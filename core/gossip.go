package core

// member is one entry of a node's membership view.
type member struct {
	known     bool
	left      bool
	heartbeat uint64
	heardTick int64 // the viewer's tick when heartbeat last grew
	status    Status
	weight    float64
}

// memberEntry is what gossip carries about one node.
type memberEntry struct {
	id        NodeID
	heartbeat uint64
	left      bool
	weight    float64
}

func (n *node) learn(id NodeID) *member {
	n.ownMembers()
	for int(id) >= len(n.members) {
		n.members = append(n.members, member{})
	}
	return &n.members[id]
}

// viewEntries is the node's membership view as gossip carries it, in a
// buffer recycled from an earlier gossip message when there is one.
func (c *Cluster) viewEntries(n *node) []memberEntry {
	var out []memberEntry
	if bufs := c.scratch.memberBufs; len(bufs) > 0 {
		out = bufs[len(bufs)-1]
		c.scratch.memberBufs = bufs[:len(bufs)-1]
	}
	for id := range n.members {
		m := &n.members[id]
		if m.known {
			out = append(out, memberEntry{NodeID(id), m.heartbeat, m.left, m.weight})
		}
	}
	return out
}

// tickGossip is one gossip round of n: bump its own heartbeat, revise what
// it believes about the others, and push its view to a random peer it
// believes alive (which answers with its own: push-pull).
func (c *Cluster) tickGossip(n *node) {
	self := n.learn(n.id)
	n.heartbeat++
	self.heartbeat = n.heartbeat
	self.heardTick = c.now
	c.maybeUpdateStatuses(n)

	var live, dead []NodeID
	for id := range n.members {
		m := &n.members[id]
		if NodeID(id) == n.id || !m.known || m.left {
			continue
		}
		if m.status == Dead {
			dead = append(dead, NodeID(id))
		} else {
			live = append(live, NodeID(id))
		}
	}
	if len(live) > 0 {
		c.sendGossip(n, live[c.rng().gossip.intn(len(live))])
	}
	// Also probe a node believed dead, with probability dead/(live+dead+1), as
	// Cassandra does: otherwise two sides of a healed partition that each
	// believe the other dead would never gossip again.
	if len(dead) > 0 && c.rng().gossip.intn(len(live)+1+len(dead)) < len(dead) {
		c.sendGossip(n, dead[c.rng().gossip.intn(len(dead))])
	}
}

func (c *Cluster) sendGossip(n *node, peer NodeID) {
	c.send(&message{kind: MsgGossip, from: n.id, to: peer, members: c.viewEntries(n)})
}

// maybeUpdateStatuses revises n's belief about every node from how long ago
// it last heard that node's heartbeat grow.
func (c *Cluster) maybeUpdateStatuses(n *node) {
	n.ownMembers()
	for id := range n.members {
		m := &n.members[id]
		if !m.known || m.left || NodeID(id) == n.id {
			continue
		}
		age := c.now - m.heardTick
		status := Alive
		switch {
		case age > c.cfg.DeadAfterTicks:
			status = Dead
		case age > c.cfg.SuspectAfterTicks:
			status = Suspect
		}
		if status != m.status {
			m.status = status
			c.emit(&Event{Kind: EvMembership, From: n.id, Peer: NodeID(id), Status: status})
		}
	}
}

// handleGossip merges a peer's view; a push is answered with the receiver's
// view (taken after the merge, so the initiator learns what both knew).
func (c *Cluster) handleGossip(n *node, m *message) {
	if m.kind == MsgGossip {
		c.counters.GossipExchanges++
		c.emit(&Event{Kind: EvGossip, From: m.from, To: n.id})
	}
	c.mergeView(n, m.members)
	if n.leaving && !n.leaveHeard {
		for _, e := range m.members {
			if e.id == n.id && e.left {
				n.leaveHeard = true
			}
		}
	}
	if m.kind == MsgGossip {
		c.send(&message{kind: MsgGossipReply, from: n.id, to: m.from, members: c.viewEntries(n)})
	}
}

// mergeView takes, for every node, the larger heartbeat. A node heard of for
// the first time joins n's ring; a node announced as left leaves it. Failure
// suspicion never changes the ring (as in Dynamo): it only steers sloppy
// quorums and handoff.
func (c *Cluster) mergeView(n *node, entries []memberEntry) {
	ringChanged := false
	for _, e := range entries {
		if e.id == n.id {
			continue
		}
		m := n.learn(e.id)
		switch {
		case !m.known:
			*m = member{known: true, left: e.left, heartbeat: e.heartbeat, heardTick: c.now, weight: e.weight}
			if e.left {
				m.status = Left
			}
			c.emit(&Event{Kind: EvMembership, From: n.id, Peer: e.id, Status: m.status})
			if !e.left {
				ringChanged = true
				c.emit(&Event{Kind: EvRingChange, From: n.id, Peer: e.id, Text: "joined"})
			}
			continue
		case e.left && !m.left:
			m.left = true
			m.status = Left
			ringChanged = true
			c.emit(&Event{Kind: EvMembership, From: n.id, Peer: e.id, Status: Left})
			c.emit(&Event{Kind: EvRingChange, From: n.id, Peer: e.id, Text: "left"})
		}
		if e.heartbeat > m.heartbeat {
			m.heartbeat = e.heartbeat
			m.heardTick = c.now
			if !m.left && m.status != Alive {
				m.status = Alive
				c.emit(&Event{Kind: EvMembership, From: n.id, Peer: e.id, Status: Alive})
			}
		}
	}
	if ringChanged {
		c.rebuildRing(n)
		c.transferPass(n)
	}
}

// freshView is what a node knows when it (re)starts: itself and the members
// of its ring as last recorded durably, all presumed alive with heartbeats
// unknown (0) until gossip brings news.
func (c *Cluster) freshView(n *node, known []ringMember) {
	n.ownMembers()
	n.members = n.members[:0]
	for _, rm := range known {
		m := n.learn(rm.id)
		*m = member{known: true, heardTick: c.now, weight: rm.weight}
	}
	self := n.learn(n.id)
	*self = member{known: true, heartbeat: n.heartbeat, heardTick: c.now, weight: n.weight, left: n.leaving}
	if n.leaving {
		self.status = Left
	}
	c.rebuildRing(n)
}
