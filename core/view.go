package core

import (
	"maps"
	"slices"
	"sort"

	"github.com/ringlab/ringlab/core/merkle"
)

// View is a snapshot of the whole cluster that shares no memory with it.
func (c *Cluster) View() View {
	v := View{
		Tick:     c.now,
		Config:   cloneConfig(c.cfg),
		Ring:     ringPoints(c.ring),
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
	for _, it := range c.q {
		if it.kind == itemDeliver {
			m := it.msg
			v.InFlight = append(v.InFlight, Message{ID: m.id, Kind: m.kind, From: m.from, To: m.to, Request: m.req,
				Key: m.key, SendTick: m.sendTick, DeliverTick: m.deliverTick})
		}
	}
	sort.Slice(v.InFlight, func(i, j int) bool { return v.InFlight[i].ID < v.InFlight[j].ID })
	for _, n := range c.nodes {
		for _, id := range n.sortedRequestIDs() {
			r := n.requests[id]
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

func (c *Cluster) nodeView(n *node) NodeView {
	nv := NodeView{ID: n.id, Up: n.up, Weight: n.weight, InRing: n.inRing, SkewTicks: n.skew,
		Keys: []KeyView{}, Hints: []HintView{}, Membership: []MemberView{}}
	for _, k := range n.sortedKeys() {
		ks := n.store[k]
		nv.Keys = append(nv.Keys, KeyView{Key: k, Hash: ks.hash, Versions: viewVersions(ks.versions)})
	}
	for _, hk := range n.sortedHints() {
		nv.Hints = append(nv.Hints, HintView{Key: hk.key, For: hk.owner, Versions: viewVersions(n.hints[hk].versions)})
	}
	for id := range n.members {
		m := &n.members[id]
		if m.known {
			nv.Membership = append(nv.Membership, MemberView{Node: NodeID(id), Heartbeat: m.heartbeat, Status: m.status, HeardTick: m.heardTick})
		}
	}
	return nv
}

// Clone returns a deep, independent copy: continuing the copy gives the
// same trace as continuing the original (the lab keeps clones as timeline
// checkpoints). Messages and versions are immutable and so shared.
func (c *Cluster) Clone() *Cluster {
	x := *c
	x.cfg = cloneConfig(c.cfg)
	x.q = slices.Clone(c.q)
	for i := range x.q { // messages are recycled once delivered: copy them
		if m := x.q[i].msg; m != nil {
			cp := *m
			cp.members = slices.Clone(m.members)
			x.q[i].msg = &cp
		}
	}
	x.msgFree, x.memberBufs = nil, nil
	x.aeArcs, x.aePrefs, x.transferKeys = nil, nil, nil
	x.nodes = make([]*node, len(c.nodes))
	for i, n := range c.nodes {
		x.nodes[i] = n.clone()
	}
	x.ring = c.ring.Clone()
	x.members = nil
	x.groups = nil
	for _, g := range c.groups {
		x.groups = append(x.groups, slices.Clone(g))
	}
	x.groupOf = slices.Clone(c.groupOf)
	x.rngNet, x.rngWork, x.rngGossip = c.rngNet.clone(), c.rngWork.clone(), c.rngGossip.clone()
	x.rngFault, x.rngAE = c.rngFault.clone(), c.rngAE.clone()
	x.trace = c.trace.clone()
	x.counters = c.Counters()
	x.history = c.history.clone() // an Op's Values are never changed once set
	x.recorded = c.Recorded()
	x.oracle = c.oracle.clone()
	x.clientCtx = maps.Clone(c.clientCtx)
	x.work.seq = slices.Clone(c.work.seq)
	x.changeBuf = nil
	return &x
}

func (n *node) clone() *node {
	x := *n
	x.store = make(map[string]*keyState, len(n.store))
	for k, ks := range n.store {
		cp := *ks
		x.store[k] = &cp
	}
	x.hints = make(map[hintKey]*hint, len(n.hints))
	for k, h := range n.hints {
		cp := *h
		x.hints[k] = &cp
	}
	x.counters = maps.Clone(n.counters)
	x.ringMembers = slices.Clone(n.ringMembers)
	x.members = slices.Clone(n.members)
	if n.ring != nil {
		x.ring = n.ring.Clone()
	}
	x.requests = make(map[RequestID]*request, len(n.requests))
	for id, r := range n.requests {
		x.requests[id] = r.clone()
	}
	x.trees = make(map[arc]*merkle.Tree, len(n.trees))
	for a, t := range n.trees {
		x.trees[a] = t.Clone()
	}
	x.extra = nil
	for _, e := range n.extra {
		x.extra = append(x.extra, arcTree{e.arc, e.tree.Clone()})
	}
	x.prefBuf = nil
	x.transfers = make(map[string]*transfer, len(n.transfers))
	for k, tr := range n.transfers {
		cp := *tr
		cp.acked = slices.Clone(tr.acked)
		x.transfers[k] = &cp
	}
	return &x
}

func (r *request) clone() *request {
	x := *r
	x.targets = slices.Clone(r.targets)
	x.ext = slices.Clone(r.ext)
	return &x
}

func sortedKeysOf[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
