package core

// tickHandoff is one hinted-handoff round: for every hint whose owner the
// holder believes alive, send the versions to the owner. The hint is dropped
// only when the owner acknowledges, so a lost handoff is retried next round.
//
// A hint for a node that has left the ring goes to the key's first replica
// on the holder's ring instead (or into the holder's own storage when it is
// itself a replica).
func (c *Cluster) tickHandoff(n *node) {
	c.transferPass(n) // retries the hand-over of keys the node no longer replicates
	if len(n.hints) == 0 {
		return
	}
	for _, hk := range n.sortedHints() {
		h := n.hints[hk]
		owner := hk.owner
		if int(owner) < len(n.members) && n.members[owner].left {
			c.retargetHint(n, hk, h)
			continue
		}
		if !n.believesUp(owner) {
			continue
		}
		c.send(&message{kind: MsgHandoff, from: n.id, to: owner, key: hk.key, keyHash: h.hash, hintFor: owner, versions: h.versions})
	}
}

func (c *Cluster) retargetHint(n *node, hk hintKey, h *hint) {
	n.deleteHint(hk)
	pref := n.ring.PreferenceList(h.hash, c.cfg.N)
	for _, p := range pref {
		if p == n.id {
			c.storeVersions(n, hk.key, h.hash, h.versions, 0)
			return
		}
	}
	if len(pref) == 0 {
		return
	}
	nk := hintKey{hk.key, pref[0]}
	if old := n.hints[nk]; old != nil {
		n.setHint(nk, &hint{hash: old.hash, versions: c.mergeSets(old.versions, h.versions)})
	} else {
		n.setHint(nk, h)
	}
}

// handleHandoff: the owner stores what its stand-in kept for it.
func (c *Cluster) handleHandoff(n *node, m *message) {
	c.storeVersions(n, m.key, m.keyHash, m.versions, 0)
	c.send(&message{kind: MsgHandoffAck, from: n.id, to: m.from, key: m.key, keyHash: m.keyHash, hintFor: n.id, versions: m.versions})
}

// handleHandoffAck drops from the hint the versions the owner now has; the
// hint goes when nothing is left in it.
func (c *Cluster) handleHandoffAck(n *node, m *message) {
	hk := hintKey{m.key, m.from}
	h := n.hints[hk]
	if h == nil {
		return
	}
	rest := h.versions[:0:0]
	for i := range h.versions {
		if _, ok := indexOfDot(m.versions, h.versions[i].dot); !ok {
			rest = append(rest, h.versions[i])
		}
	}
	if len(rest) > 0 {
		n.setHint(hk, &hint{hash: h.hash, versions: rest})
		return
	}
	n.deleteHint(hk)
	c.counters.HintsHandedOff++
	c.emit(&Event{Kind: EvHintHandedOff, From: n.id, Peer: m.from, Key: m.key})
}
