// Package ids holds the identifiers shared by every layer of the simulated
// store, so that leaf packages (ring, vclock, merkle) need not import each other.
package ids

import "strconv"

// NodeID names one physical node of the simulated cluster. Nodes are numbered
// from zero in the order they joined; a number is never reused.
type NodeID uint16

// None is the NodeID that stands for "no node" (for example the source of an
// event that no node caused).
const None NodeID = 0xFFFF

// String renders the node as the lab writes it everywhere: n0, n1, ...
func (n NodeID) String() string {
	if n == None {
		return "-"
	}
	return "n" + strconv.Itoa(int(n))
}

// Parse reads a node name written by String ("n3"); ok is false for anything else.
func Parse(s string) (NodeID, bool) {
	if len(s) < 2 || s[0] != 'n' {
		return 0, false
	}
	v, err := strconv.Atoi(s[1:])
	if err != nil || v < 0 || v >= int(None) {
		return 0, false
	}
	return NodeID(v), true
}
