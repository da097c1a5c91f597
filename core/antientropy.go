package core

import (
	"slices"

	"github.com/ringlab/ringlab/core/merkle"
)

// tickAntiEntropy starts one Merkle exchange of n with a peer replica: the
// given peer, or one picked at random among the nodes n believes alive that
// replicate some key range with it (by n's own ring). The exchange covers
// every range the two share, batched: each message carries one level of
// every range still being compared, so a whole sync takes depth+1 round
// trips however many ranges there are. Equal roots end a range's
// comparison at once; only the children of differing tree nodes are sent
// on, and at the leaves only the keys of differing buckets are exchanged.
func (c *Cluster) tickAntiEntropy(n *node, peer NodeID) {
	if n.ring == nil || n.ring.NodeCount() < 2 {
		return
	}
	arcs, prefs := c.replicatedArcs(n)
	width := c.cfg.N
	prefOf := func(i int) []NodeID { return prefs[i*width : i*width+width] }
	if peer == NoNode {
		var cands []NodeID
		for i := range arcs {
			for _, p := range prefOf(i) {
				if p != NoNode && p != n.id && n.believesUp(p) && !slices.Contains(cands, p) {
					cands = append(cands, p)
				}
			}
		}
		if len(cands) == 0 {
			return
		}
		slices.Sort(cands)
		peer = cands[c.rng().ae.intn(len(cands))]
	}
	shared := 0
	for i := range arcs {
		if slices.Contains(prefOf(i), peer) {
			shared++
		}
	}
	// One allocation for every root probe of the round: each probe's Hashes
	// is one element of roots, and all share rootIndexes (probes are read
	// only once sent).
	probes := make([]rangeProbe, 0, shared)
	roots := make([]uint64, shared)
	for i, a := range arcs {
		if slices.Contains(prefOf(i), peer) {
			k := len(probes)
			roots[k] = c.treeFor(n, a).Root()
			probes = append(probes, rangeProbe{a.start, a.end, merkle.Probe{Level: 0, Indexes: rootIndexes, Hashes: roots[k : k+1 : k+1]}})
		}
	}
	if len(probes) == 0 {
		return
	}
	c.sendProbes(n, peer, MsgMerkleReq, probes)
}

// replicatedArcs is appendReplicatedArcs of n's ring, kept on n until its
// ring or N changes: a ring is never changed in place, so its pointer names
// its content. The slices are shared (with clones too): read only.
func (c *Cluster) replicatedArcs(n *node) ([]arc, []NodeID) {
	if a := n.arcsOf; a == nil || a.ring != n.ring || a.width != c.cfg.N {
		// A new cache, never the old one refilled: a clone may share it.
		arcs, prefs := c.appendReplicatedArcs(n, nil, nil)
		n.arcsOf = &arcsCache{ring: n.ring, width: c.cfg.N, arcs: arcs, prefs: prefs}
	}
	return n.arcsOf.arcs, n.arcsOf.prefs
}

// rootIndexes is the Indexes of every root probe (what merkle's RootProbe
// gives), shared by them all: probes are never changed once made.
var rootIndexes = []int{0}

// appendReplicatedArcs appends the arcs of n's ring that n replicates to
// arcs, in ring order, and their preference lists laid end to end to prefs
// (arc i's list is prefs[i*N : i*N+N], padded with NoNode).
func (c *Cluster) appendReplicatedArcs(n *node, arcs []arc, prefs []NodeID) ([]arc, []NodeID) {
	count, width := n.ring.Len(), c.cfg.N
	if count == 0 {
		return arcs, prefs
	}
	prev := n.ring.PointAt(count - 1).Hash
	for i := 0; i < count; i++ {
		p := n.ring.PointAt(i)
		a := arc{prev, p.Hash}
		prev = p.Hash
		if a.start == a.end && count > 1 {
			continue // two points at one hash: an empty arc
		}
		at := len(prefs)
		prefs = n.ring.AppendPreferenceList(prefs, p.Hash, width)
		for len(prefs) < at+width {
			prefs = append(prefs, NoNode)
		}
		if slices.Contains(prefs[at:], n.id) {
			arcs = append(arcs, a)
		} else {
			prefs = prefs[:at]
		}
	}
	return arcs, prefs
}

func (c *Cluster) sendProbes(n *node, to NodeID, kind MsgKind, probes []rangeProbe) {
	for _, p := range probes {
		c.counters.MerkleHashes += len(p.probe.Hashes)
	}
	c.send(&message{kind: kind, from: n.id, to: to, merkle: &merklePayload{probes: probes}})
}

// handleMerkleProbe compares the peer's hashes of one level with n's own
// trees, and answers with n's hashes of the children of the nodes that
// differ, or, at the leaves, with the keys of the differing buckets.
func (c *Cluster) handleMerkleProbe(n *node, m *message) {
	var next []rangeProbe
	var leaves []leafRef
	for _, rp := range m.merkle.probes {
		a := arc{rp.start, rp.end}
		tree := c.treeFor(n, a)
		reply, err := tree.Answer(rp.probe)
		if err != nil {
			continue // a probe of another tree shape: nothing to compare
		}
		// Steps are in probe order, one per probed hash: the event keeps
		// both hashes as they were compared, so a picture of the exchange
		// needs nothing from the trees as they are later.
		for j, st := range reply.Steps {
			c.emit(&Event{Kind: EvMerkleCompare, From: n.id, To: m.from, Range: rp.end, Level: st.Level, Index: st.Index, Equal: st.Equal,
				Hash: tree.Hash(st.Level, st.Index), PeerHash: rp.probe.Hashes[j]})
		}
		for _, l := range reply.Leaves {
			leaves = append(leaves, leafRef{rp.start, rp.end, l})
		}
		if len(reply.Next.Indexes) > 0 {
			next = append(next, rangeProbe{rp.start, rp.end, reply.Next})
		}
	}
	if len(next) > 0 {
		kind := MsgMerkleResp
		if m.kind == MsgMerkleResp {
			kind = MsgMerkleReq
		}
		c.sendProbes(n, m.from, kind, next)
	}
	if len(leaves) > 0 {
		keys := c.keysInLeaves(n, leaves)
		c.sendKeys(n, m.from, MsgKeysPush, leaves, keys)
	}
}

func (c *Cluster) sendKeys(n *node, to NodeID, kind MsgKind, leaves []leafRef, keys []keyVersions) {
	c.counters.MerkleKeys += len(keys)
	c.emit(&Event{Kind: EvMerkleKeys, From: n.id, To: to, Count: len(keys)})
	c.send(&message{kind: kind, from: n.id, to: to, merkle: &merklePayload{leaves: leaves, keys: keys}})
}

// handleKeys merges the keys of differing buckets. The receiver of a push
// answers with its own keys of those buckets whose versions differ from
// what the pusher sent, so both sides end with the union.
func (c *Cluster) handleKeys(n *node, m *message) {
	mp := m.merkle
	for _, kv := range mp.keys {
		c.storeVersions(n, kv.key, kv.hash, kv.versions, 0)
	}
	if m.kind != MsgKeysPush {
		return
	}
	var reply []keyVersions
	j := 0
	for _, kv := range c.keysInLeaves(n, mp.leaves) {
		for j < len(mp.keys) && mp.keys[j].key < kv.key {
			j++
		}
		if j < len(mp.keys) && mp.keys[j].key == kv.key && sameDots(mp.keys[j].versions, kv.versions) {
			continue
		}
		reply = append(reply, kv)
	}
	if len(reply) > 0 {
		c.sendKeys(n, m.from, MsgKeysReply, mp.leaves, reply)
	}
}
