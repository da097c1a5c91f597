package runfmt

import (
	"slices"

	"github.com/ringlab/ringlab/core"
)

// NodeSummary is one node as the lab's state reports it.
type NodeSummary struct {
	ID     core.NodeID `json:"id"`
	Name   string      `json:"name"`
	Up     bool        `json:"up"`
	Status string      `json:"status"` // up, suspected, down, left
	Keys   int         `json:"keys"`
	Hints  int         `json:"hints"`
}

// NodeStatus is the state node v.Nodes[i] is shown in: "left" once it left
// the ring, "down" when crashed, "suspected" when some other node that is
// up suspects it or counts it dead, else "up".
func NodeStatus(v *core.View, i int) string {
	n := &v.Nodes[i]
	switch {
	case !n.InRing:
		return "left"
	case !n.Up:
		return "down"
	}
	for j := range v.Nodes {
		o := &v.Nodes[j]
		if j == i || !o.Up || !o.InRing {
			continue
		}
		k, found := slices.BinarySearchFunc(o.Membership, n.ID, func(m core.MemberView, id core.NodeID) int {
			return int(m.Node) - int(id)
		})
		if found && (o.Membership[k].Status == core.Suspect || o.Membership[k].Status == core.Dead) {
			return "suspected"
		}
	}
	return "up"
}

// Nodes summarises every node of v.
func Nodes(v *core.View) []NodeSummary {
	out := make([]NodeSummary, len(v.Nodes))
	for i, n := range v.Nodes {
		out[i] = NodeSummary{ID: n.ID, Name: n.ID.String(), Up: n.Up, Status: NodeStatus(v, i),
			Keys: len(n.Keys), Hints: len(n.Hints)}
	}
	return out
}
