package repair

import (
	"slices"

	"github.com/ringlab/ringlab/core"
)

// versionGraph is the history of one key's versions, rebuilt from the
// trace: every version a coordinator minted, and an edge from each version
// to each version it made a replica drop. The events say what was dropped
// and why; the dropping version is the one the same replica stored in the
// same merge (EvVersionStored precedes the EvSuperseded it causes), or,
// when an incoming version loses by timestamp, the one the replica kept.
type versionGraph struct {
	key      string
	versions []*versionNode // in the order they were minted
	edges    []versionEdge
	// LostAcked counts acknowledged writes that a replica dropped by
	// timestamp and that no node holds any more: silently lost.
	LostAcked int
	// Live counts the current versions: those some node stores (or keeps
	// as a hint) now that no newer version has replaced anywhere. Two or
	// more are siblings. A replaced version still stored on a replica the
	// newer one has not reached yet is Outdated, not counted.
	Live int
}

// versionNode is one version of the key.
type versionNode struct {
	Label   string // "key=value [clock]", as events name it
	Value   string
	Clock   string
	Coord   core.NodeID
	Minted  int64
	Acked   bool // the client was told the put succeeded
	Held    int  // nodes that store it now
	Hinted  int  // stand-ins that keep it as a hint now
	Dropped bool // some replica dropped it by timestamp (last-write-wins)
	Seen    bool // some replica dropped it for a version that had seen it
	Lost    bool // acknowledged, dropped by timestamp, held nowhere
	// Outdated: still held somewhere, but a newer version that had seen it
	// replaced it on some replica (the rest have not received it yet).
	Outdated bool
	Depth    int // longest chain of drops below it: its column
	req      core.RequestID
}

// versionEdge: From made a replica drop To. LWW marks a drop by timestamp
// (From had not seen To); otherwise From superseded To.
type versionEdge struct {
	From, To int
	LWW      bool
}

// versionEventKinds are the events the graph is built from.
func versionEventKinds(k core.EventKind) bool {
	switch k {
	case core.EvVersionCreated, core.EvVersionStored, core.EvSuperseded, core.EvLWWDiscard,
		core.EvSiblingCreated, core.EvRequestDone:
		return true
	}
	return false
}

// buildVersionGraph builds the graph of key from the events (in trace
// order) and the current view.
func buildVersionGraph(key string, events []core.Event, v *core.View) versionGraph {
	g := versionGraph{key: key}
	index := map[string]int{}
	find := func(label string) int {
		if i, ok := index[label]; ok {
			return i
		}
		value, clock := splitLabel(key, label)
		g.versions = append(g.versions, &versionNode{Label: label, Value: value, Clock: clock, Coord: core.NoNode, Minted: -1})
		index[label] = len(g.versions) - 1
		return len(g.versions) - 1
	}
	edgeSeen := map[versionEdge]bool{}
	addEdge := func(e versionEdge) {
		if e.From != e.To && !edgeSeen[e] {
			edgeSeen[e] = true
			g.edges = append(g.edges, e)
		}
	}
	// What each replica holds of the key, and the version it stored last.
	held := map[core.NodeID][]int{}
	lastStored := map[core.NodeID]int{}
	for _, e := range events {
		if e.Key != key {
			continue
		}
		switch e.Kind {
		case core.EvVersionCreated:
			i := find(e.Version)
			n := g.versions[i]
			n.Coord, n.Minted, n.req = e.From, e.Tick, e.Request
		case core.EvRequestDone:
			if e.Op != core.OpPut || !e.OK {
				continue
			}
			for _, n := range g.versions {
				if n.req == e.Request {
					n.Acked = true
				}
			}
		case core.EvVersionStored:
			i := find(e.Version)
			lastStored[e.To] = i
			if !slices.Contains(held[e.To], i) {
				held[e.To] = append(held[e.To], i)
			}
		case core.EvSuperseded:
			i := find(e.Version)
			g.versions[i].Seen = true
			if w, ok := lastStored[e.To]; ok {
				addEdge(versionEdge{From: w, To: i})
			}
			held[e.To] = slices.DeleteFunc(held[e.To], func(j int) bool { return j == i })
		case core.EvLWWDiscard:
			i := find(e.Version)
			g.versions[i].Dropped = true
			if slices.Contains(held[e.To], i) {
				// The incoming version won and this one was stored.
				if w, ok := lastStored[e.To]; ok {
					addEdge(versionEdge{From: w, To: i, LWW: true})
				}
				held[e.To] = slices.DeleteFunc(held[e.To], func(j int) bool { return j == i })
			} else {
				// The incoming version lost to what the replica keeps.
				for _, w := range held[e.To] {
					addEdge(versionEdge{From: w, To: i, LWW: true})
				}
			}
		}
	}
	if v != nil {
		for _, nv := range v.Nodes {
			for _, kv := range nv.Keys {
				if kv.Key != key {
					continue
				}
				for _, ver := range kv.Versions {
					if i, ok := index[key+"="+ver.Value+" "+ver.Clock]; ok {
						g.versions[i].Held++
					}
				}
			}
			for _, h := range nv.Hints {
				if h.Key != key {
					continue
				}
				for _, ver := range h.Versions {
					if i, ok := index[key+"="+ver.Value+" "+ver.Clock]; ok {
						g.versions[i].Hinted++
					}
				}
			}
		}
	}
	replaced := map[int]bool{}
	for _, e := range g.edges {
		if !e.LWW {
			replaced[e.To] = true
		}
	}
	for i, n := range g.versions {
		if n.Held+n.Hinted > 0 {
			if replaced[i] {
				n.Outdated = true
			} else {
				g.Live++
			}
		} else if n.Acked && n.Dropped {
			n.Lost = true
			g.LostAcked++
		}
	}
	g.layout()
	return g
}

// layout gives each version its depth: 0 for a version that made nobody
// drop anything, else one more than the deepest version it dropped. Drops
// follow causality or a total timestamp order, so there is no cycle; the
// visiting mark guards against one all the same.
func (g *versionGraph) layout() {
	out := make([][]int, len(g.versions))
	for _, e := range g.edges {
		out[e.From] = append(out[e.From], e.To)
	}
	state := make([]uint8, len(g.versions)) // 0 new, 1 visiting, 2 done
	var depth func(i int) int
	depth = func(i int) int {
		switch state[i] {
		case 1:
			return 0
		case 2:
			return g.versions[i].Depth
		}
		state[i] = 1
		d := 0
		for _, j := range out[i] {
			d = max(d, depth(j)+1)
		}
		g.versions[i].Depth = d
		state[i] = 2
		return d
	}
	for i := range g.versions {
		depth(i)
	}
}

// splitLabel takes "key=value [clock]" apart.
func splitLabel(key, label string) (value, clock string) {
	rest := label
	if len(rest) > len(key)+1 && rest[:len(key)+1] == key+"=" {
		rest = rest[len(key)+1:]
	}
	for i := len(rest) - 1; i >= 0; i-- {
		if rest[i] == '[' && i > 0 && rest[i-1] == ' ' {
			return rest[:i-1], rest[i:]
		}
	}
	return rest, ""
}
