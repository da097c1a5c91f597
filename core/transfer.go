package core

import "slices"

// Key transfers on membership changes, as in Dynamo (section 4.9 of the
// paper): when a join or a leave takes a node off a key's preference list,
// that node pushes the key to the key's current replicas (by its own ring)
// and drops its copy only once every one of them has acknowledged holding
// those versions. Until then it keeps the key, so a transfer lost on the
// network or sent to a replica that is down is simply retried at the next
// handoff round: a membership change never loses an acknowledged write.
//
// A leaving node has already taken itself off its own ring, so it transfers
// every key it stores (and its hints, which it folds into its storage when
// it leaves), starting once gossip has had three rounds to spread the news;
// it keeps running until it has handed everything over, then stops for good.

// transfer is a node's pending hand-over of one key it no longer replicates.
type transfer struct {
	versions []*version // what was sent: the node's versions at the time
	targets  []NodeID   // the key's replicas by the node's ring when sent
	acked    []bool     // per target
}

// transferPass pushes every key n stores but no longer replicates (by its own
// ring) to the key's replicas, resending only to the targets that have not
// acknowledged the same versions yet.
func (c *Cluster) transferPass(n *node) {
	if !n.up || n.ring == nil || n.ring.NodeCount() == 0 || (n.leaving && c.now < n.handOverAt) {
		return
	}
	for _, k := range c.unreplicatedKeys(n) {
		ks := n.store[k]
		if len(ks.versions) == 0 {
			continue
		}
		targets := n.ring.PreferenceList(ks.hash, c.cfg.N)
		tr := n.transfers[k]
		if tr == nil || !sameDots(tr.versions, ks.versions) || !slices.Equal(tr.targets, targets) {
			tr = &transfer{versions: ks.versions, targets: targets, acked: make([]bool, len(targets))}
			if n.transfers == nil {
				n.transfers = map[string]*transfer{}
			}
			n.transfers[k] = tr
		}
		why := "no longer a replica"
		if n.leaving {
			why = "leaving the ring"
		}
		for i, t := range tr.targets {
			if tr.acked[i] {
				continue
			}
			c.emit(&Event{Kind: EvTransfer, From: n.id, To: t, Key: k, Count: len(tr.versions), Text: why})
			c.send(&message{kind: MsgTransfer, from: n.id, to: t, key: k, keyHash: ks.hash, versions: tr.versions})
		}
	}
}

// unreplicatedKeys lists, sorted, the keys n stores that its ring does not
// make it replicate (all of them once it is leaving). The list is kept on n:
// rebuilt by scanning the store when n's ring or N has changed since, and
// otherwise brought up to date as keys are stored (noteStoredKey) and
// dropped (noteDroppedKey), so a transfer pass touches only these keys.
// The slice is shared: read only.
func (c *Cluster) unreplicatedKeys(n *node) []string {
	if !c.unreplicatedValid(n) {
		var keys []string // a new slice, never the old one refilled: a clone may share it
		for k, ks := range n.store {
			if !c.replicates(n, ks.hash) {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		n.unreplicated = &keysCache{ring: n.ring, width: c.cfg.N, keys: keys}
	}
	return n.unreplicated.keys
}

// withKeys is u for other keys.
func (u *keysCache) withKeys(keys []string) *keysCache {
	return &keysCache{ring: u.ring, width: u.width, keys: keys}
}

// unreplicatedValid reports whether n.unreplicated is up to date for n's
// ring and N, so that a stored or dropped key must be reflected in it.
func (c *Cluster) unreplicatedValid(n *node) bool {
	u := n.unreplicated
	return u != nil && u.ring == n.ring && u.width == c.cfg.N
}

// noteStoredKey adds a key n has just started storing to n's unreplicated
// keys, if n does not replicate it.
func (c *Cluster) noteStoredKey(n *node, key string, hash uint64) {
	if !c.unreplicatedValid(n) || c.replicates(n, hash) {
		return
	}
	u := n.unreplicated
	if i, found := slices.BinarySearch(u.keys, key); !found {
		n.unreplicated = u.withKeys(slices.Insert(slices.Clip(u.keys), i, key)) // Clip: a copy, never in place
	}
}

// noteDroppedKey removes a key n no longer stores from its unreplicated keys.
func (c *Cluster) noteDroppedKey(n *node, key string) {
	if !c.unreplicatedValid(n) {
		return
	}
	u := n.unreplicated
	if i, found := slices.BinarySearch(u.keys, key); found {
		n.unreplicated = u.withKeys(slices.Delete(slices.Clone(u.keys), i, i+1))
	}
}

// replicates reports whether n is on the preference list of a key at hash,
// by n's own ring (never, once n is leaving: it is off its own ring): whether
// the arc holding hash is one of those n replicates. Every hash of an arc
// has the arc's preference list, and the arcs are in ring order (ascending
// ends, the one wrapping past zero first), so the candidate is the first
// replicated arc ending at or after hash, or the first one when none does.
func (c *Cluster) replicates(n *node, hash uint64) bool {
	arcs, _ := c.replicatedArcs(n)
	if len(arcs) == 0 {
		return false
	}
	i, j := 0, len(arcs) // the first arc ending at or after hash is in [i, j]
	for i < j {
		m := int(uint(i+j) >> 1)
		if arcs[m].end < hash {
			i = m + 1
		} else {
			j = m
		}
	}
	if i == len(arcs) {
		i = 0
	}
	return arcs[i].contains(hash)
}

// handleTransfer: a replica stores the versions handed to it and
// acknowledges them.
func (c *Cluster) handleTransfer(n *node, m *message) {
	c.storeVersions(n, m.key, m.keyHash, m.versions, 0)
	c.send(&message{kind: MsgTransferAck, from: n.id, to: m.from, key: m.key, keyHash: m.keyHash, versions: m.versions})
}

// handleTransferAck marks a target as holding the versions sent; when every
// target has them, and the node still holds exactly those versions and
// still does not replicate the key, it drops its copy.
func (c *Cluster) handleTransferAck(n *node, m *message) {
	tr := n.transfers[m.key]
	if tr == nil || !sameDots(tr.versions, m.versions) {
		return // an answer to an earlier transfer of other versions
	}
	if i := slices.Index(tr.targets, m.from); i >= 0 {
		tr.acked[i] = true
	}
	if slices.Contains(tr.acked, false) {
		return
	}
	delete(n.transfers, m.key)
	ks := n.store[m.key]
	if ks == nil || !sameDots(ks.versions, tr.versions) || c.replicates(n, ks.hash) {
		return // it changed meanwhile: the next pass decides again
	}
	c.dropKey(n, m.key, ks)
	c.emit(&Event{Kind: EvTransferDone, From: n.id, Key: m.key, Text: joinNodes(tr.targets)})
}

// dropKey removes a key from a node's storage and from its Merkle trees.
// The node's dot counter for the key stays (it is what keeps its dots
// unique).
func (c *Cluster) dropKey(n *node, key string, ks *keyState) {
	n.deleteKey(key)
	c.noteDroppedKey(n, key)
	if n.ring == nil || n.ring.Len() == 0 {
		return
	}
	s, e := n.ring.RangeOf(ks.hash)
	if t := n.writableTree(arc{s, e}); t != nil {
		t.Remove(ks.hash, ks.digest)
	}
	for i := range n.extra {
		if n.extra[i].arc.contains(ks.hash) {
			n.writableExtra(i).Remove(ks.hash, ks.digest)
		}
	}
}

// foldHints moves a leaving node's hints into its storage, so that they are
// transferred with everything else to the keys' current replicas (the
// intended owners among them).
func (c *Cluster) foldHints(n *node) {
	for _, hk := range n.sortedHints() {
		h := n.hints[hk]
		n.deleteHint(hk)
		c.storeVersions(n, hk.key, h.hash, h.versions, 0)
	}
}

// checkLeave runs when a leaving node's stop timer fires (first three gossip
// rounds after the leave): the node stops if it has handed everything over
// and some peer's gossip has shown that the news of its leave got out (a
// node that stopped unheard, say behind a partition, would stay on every
// other ring for good); otherwise it retries its transfers and checks again
// later.
func (c *Cluster) checkLeave(n *node) {
	if len(n.store) == 0 && len(n.hints) == 0 && n.leaveHeard {
		c.finishLeave(n)
		return
	}
	c.foldHints(n)
	c.transferPass(n)
	c.schedule(item{tick: c.now + c.leaveRetryTicks(), kind: itemLeaveStop, node: n.id, epoch: n.epoch})
}

func (c *Cluster) leaveRetryTicks() int64 {
	return max(c.cfg.HandoffIntervalTicks, c.cfg.GossipIntervalTicks, 2*c.cfg.LatencyMaxTicks, 1)
}

// finishLeave stops a leaving node for good.
func (c *Cluster) finishLeave(n *node) {
	if !n.up {
		return
	}
	c.stopNode(n, "left")
	n.gone = true
}
