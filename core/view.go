package core

import (
	"maps"
	"slices"
	"sort"
)

// View is a snapshot of the whole cluster: later changes to the cluster
// never show in it. To stay cheap at thousands of keys it shares memory with
// the cluster's View cache: the slices of a node's keys, hints and versions,
// and the ring, are built once and reused by every later View (and Views of
// clones) until they change, when new ones are built. A View's slices must
// therefore be treated as read-only.
func (c *Cluster) View() View {
	if c.shownRing == nil {
		c.shownRing = ringPoints(c.ring)
	}
	v := View{
		Tick:     c.now,
		Config:   cloneConfig(*c.cfg),
		Ring:     c.shownRing,
		Counters: c.Counters(),
	}
	for _, n := range c.nodes {
		v.Nodes = append(v.Nodes, c.nodeView(n))
	}
	if c.groups != nil {
		v.Groups = make([][]NodeID, len(c.groups))
		for i, g := range c.groups {
			v.Groups[i] = slices.Clone(g)
		}
	}
	c.q.each(func(it *item) {
		if it.kind == itemDeliver {
			m := it.msg
			v.InFlight = append(v.InFlight, Message{ID: m.id, Kind: m.kind, From: m.from, To: m.to, Request: m.req,
				Key: m.key, SendTick: m.sendTick, DeliverTick: m.deliverTick})
		}
	})
	for _, m := range c.held {
		v.InFlight = append(v.InFlight, Message{ID: m.id, Kind: m.kind, From: m.from, To: m.to, Request: m.req,
			Key: m.key, SendTick: m.sendTick, DeliverTick: m.deliverTick})
	}
	sort.Slice(v.InFlight, func(i, j int) bool { return v.InFlight[i].ID < v.InFlight[j].ID })
	for _, n := range c.nodes {
		for _, id := range n.sortedRequestIDs() {
			r := n.requests.get(id)
			if r.done {
				continue
			}
			rv := RequestView{ID: id, Kind: r.kind, Key: r.key, Coordinator: n.id, StartTick: r.start, Need: r.w}
			if r.kind == OpGet {
				rv.Need = r.r
			}
			for _, t := range r.targets {
				rv.Replicas = append(rv.Replicas, t.node)
				if t.answered {
					rv.Answered = append(rv.Answered, t.node)
				}
			}
			v.Requests = append(v.Requests, rv)
		}
	}
	sort.Slice(v.Requests, func(i, j int) bool { return v.Requests[i].ID < v.Requests[j].ID })
	return v
}

// shownNode is a node's keys and hints as View last showed them. It is
// never changed once built: successive Views, and the Views of clones,
// share it. keys[i] shows states[i]; hints[i] shows hintStates[i].
type shownNode struct {
	keys       []KeyView
	states     []*keyState
	hints      []HintView
	hintStates []*hint
}

func (c *Cluster) nodeView(n *node) NodeView {
	nv := NodeView{ID: n.id, Up: n.up, Weight: n.weight, InRing: n.inRing, SkewTicks: n.skew,
		Membership: []MemberView{}}
	if n.shown == nil || n.keysChanged || n.hintsChanged {
		n.shown = n.reshow(n.shown)
		n.keysChanged, n.hintsChanged = false, false
	}
	nv.Keys, nv.Hints = n.shown.keys, n.shown.hints
	for id := range n.members {
		m := &n.members[id]
		if m.known {
			nv.Membership = append(nv.Membership, MemberView{Node: NodeID(id), Heartbeat: m.heartbeat, Status: m.status, HeardTick: m.heardTick})
		}
	}
	return nv
}

// reshow builds a node's shownNode, reusing from the previous one (old,
// possibly nil) the views of keys and hints that have not been replaced
// since (keyStates and hints are never changed in place, so the same
// pointer means the same content), and old's slices whole when nothing in
// them changed.
func (n *node) reshow(old *shownNode) *shownNode {
	if old == nil {
		old = &shownNode{}
	}
	x := &shownNode{keys: old.keys, states: old.states, hints: old.hints, hintStates: old.hintStates}
	if old.keys == nil || n.keysChanged {
		x.keys, x.states = make([]KeyView, 0, len(n.store)), make([]*keyState, 0, len(n.store))
		j := 0
		for _, k := range n.sortedKeys() {
			ks := n.store[k]
			for j < len(old.keys) && old.keys[j].Key < k {
				j++
			}
			kv := KeyView{Key: k, Hash: ks.hash}
			if j < len(old.keys) && old.keys[j].Key == k && old.states[j] == ks {
				kv = old.keys[j]
			} else {
				kv.Versions = viewVersions(ks.versions)
			}
			x.keys = append(x.keys, kv)
			x.states = append(x.states, ks)
		}
	}
	if old.hints == nil || n.hintsChanged {
		x.hints, x.hintStates = make([]HintView, 0, len(n.hints)), make([]*hint, 0, len(n.hints))
		was := make(map[*hint]int, len(old.hintStates))
		for i, h := range old.hintStates {
			was[h] = i
		}
		for _, hk := range n.sortedHints() {
			h := n.hints[hk]
			hv := HintView{Key: hk.key, For: hk.owner}
			// A hint may move whole to another owner (retargetHint): reuse
			// its view only under the same key and owner.
			if i, ok := was[h]; ok && old.hints[i].Key == hk.key && old.hints[i].For == hk.owner {
				hv = old.hints[i]
			} else {
				hv.Versions = viewVersions(h.versions)
			}
			x.hints = append(x.hints, hv)
			x.hintStates = append(x.hintStates, h)
		}
	}
	return x
}

// Clone returns an independent copy: continuing the copy gives the same
// trace as continuing the original (the lab keeps clones as timeline
// checkpoints), and nothing done to one ever shows in the other.
//
// It is cheap because the two share, copy-on-write, what is large and
// mostly unchanged between checkpoints (see cow.go): the nodes themselves
// (each copied when first changed), storage, hints, dot counters, Merkle
// trees, rings, membership views, the history, the held messages and the
// View cache. Messages and versions are immutable and so shared too. Reads
// fill caches in what is shared (a node's View cache and state digest, a
// message's digest), and a cluster and its clones share scratch buffers and
// the allocations they recycle (scratch), so they must be used by one
// goroutine at a time, like every method of one cluster.
func (c *Cluster) Clone() *Cluster { return c.CloneInto(nil) }

// CloneInto is Clone written over dst, a cluster its caller is done with
// (nil: a new one), whose struct and lists of nodes and held messages it
// reuses: a schedule search recycles the clusters of the states it finds
// it has seen before. Nothing may use dst, nor keep any of its parts,
// afterwards but through the clone.
func (c *Cluster) CloneInto(dst *Cluster) *Cluster {
	if dst == nil || dst == c {
		dst = new(Cluster)
	}
	dst.changing()
	nodes, held := dst.nodes[:0], dst.held[:0]
	// The nodes dst changed since it was made are its alone (no clone of
	// it shares them: cloning dst would have given it a new token), and so
	// are the requests those nodes copied (node.own tags them): they go to
	// the scratch, for the changes of the clusters sharing it to copy
	// nodes and requests into (Cluster.w, Cluster.writableRequest).
	if dst.own != 0 {
		c.scratch.recycle(dst)
	}
	*dst = *c
	x := dst
	x.q = c.q.clone()
	x.q.each(func(it *item) { // messages are recycled once delivered: copy them
		if m := it.msg; m != nil {
			cp := *m
			cp.members = slices.Clone(m.members)
			it.msg = &cp
		}
	})
	x.held = append(held, c.held...)    // shared: never changed once held
	x.nodes = append(nodes, c.nodes...) // shared until changed (Cluster.w)
	x.rings = slices.Clip(c.rings)
	x.groups = nil
	for _, g := range c.groups {
		x.groups = append(x.groups, slices.Clone(g))
	}
	x.groupOf = slices.Clone(c.groupOf)
	x.trace = c.trace.clone()
	// counters came with *c: their histogram is shared, never changed in
	// place (finishRequest).
	x.history = c.history.clone()        // an Op's Values are never changed once set
	x.recorded = slices.Clip(c.recorded) // append-only, entries never changed: an append copies
	x.oracle = c.oracle.clone()
	x.sessions = c.sessions.clone()
	c.own, x.own = newOwner(), newOwner() // clientCtx is shared

	x.work.seq = slices.Clone(c.work.seq)
	return x
}

// clone copies n for a clone of the cluster: what is small or changes all
// the time is copied now, the rest is shared copy-on-write (n.share).
func (n *node) clone() *node { return n.cloneInto(new(node)) }

// cloneInto is clone written over x, a node no cluster holds any more,
// whose lists it reuses.
func (n *node) cloneInto(x *node) *node {
	reqs, extra, more := x.requests[:0], x.extra[:0], x.sym.more
	*x = *n
	n.share(x)
	// ringMembers is shared: rebuildRing replaces it whole.
	// members is shared until changed (ownMembers).
	// The requests are shared until changed (Cluster.writableRequest).
	x.requests = append(reqs, n.requests...)
	x.extra = append(extra, n.extra...) // the trees in it are shared (writableExtra)
	x.sym.more = more                   // x's own (Cluster.w clears it), or nil
	x.transfers = nil
	if len(n.transfers) > 0 {
		x.transfers = make(map[string]*transfer, len(n.transfers))
	}
	for k, tr := range n.transfers {
		cp := *tr
		cp.acked = slices.Clone(tr.acked)
		x.transfers[k] = &cp
	}
	return x
}

// cloneInto copies r over x (a new request, or one no node holds any
// more).
func (r *request) cloneInto(x *request) *request {
	*x = *r
	x.setTargets(r.targets)
	x.ext = slices.Clone(r.ext) // nil is not empty: not walked yet
	if r.opOwn != nil {
		op := *r.opOwn
		x.opOwn = &op
	}
	return x
}

func sortedKeysOf[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
