package explore

import (
	"slices"
	"strings"

	"github.com/ringlab/ringlab/core"
)

// maxRenamings bounds the group of renamings a state is hashed under (each
// costs a digest of the state).
const maxRenamings = 24

// symmetry finds the nodes the scenario cannot tell apart, so that the
// search counts a state and its renamings once (core.Symmetry): in strict
// mode with vector clocks, nodes that replicate the same keys of the
// script (for each key, both in its preference list or both out), with the
// same clock skew, that the script does not pin. A coordinator sends to the
// whole preference list, every replica is asked alike, and a client may
// call any node, so renaming such nodes in a reachable state gives a
// reachable state with the same future, renamed; the properties of the
// history do not name nodes. Not for the lost write (its settle runs
// anti-entropy and hand-off, which walk the ring), under last-write-wins
// or truncated clocks (the tick and node ids break ties), nor in sloppy
// mode (stand-ins are taken in ring order). It returns nil and no classes
// when there is nothing to rename; otherwise the group and the classes of
// interchangeable nodes it renames within, each of at least two nodes,
// written "{n1 n2 n3}".
func symmetry(sc Scenario, c *core.Cluster) (*core.Symmetry, string) {
	cfg := c.Config()
	if sc.Property == core.PropLost || cfg.Mode != core.Strict || cfg.Versioning != core.VectorClocks || cfg.VClockMax > 0 {
		return nil, ""
	}
	var keys []string
	pinned := map[core.NodeID]bool{}
	for _, op := range sc.Script.Ops() {
		if !slices.Contains(keys, op.Key) {
			keys = append(keys, op.Key)
		}
		if op.Node != core.NoNode {
			pinned[op.Node] = true
		}
	}
	type signature struct {
		replicates string // a byte per key: in its preference list or not
		skew       int64
	}
	var sigs []signature
	var classes [][]core.NodeID
	for n := range core.NodeID(cfg.Nodes) {
		if pinned[n] {
			continue
		}
		var sig signature
		for _, k := range keys {
			if slices.Contains(c.PreferenceList(k, cfg.N), n) {
				sig.replicates += "1"
			} else {
				sig.replicates += "0"
			}
		}
		if int(n) < len(cfg.SkewTicks) {
			sig.skew = cfg.SkewTicks[n]
		}
		i := slices.Index(sigs, sig)
		if i < 0 {
			sigs, classes = append(sigs, sig), append(classes, nil)
			i = len(classes) - 1
		}
		classes[i] = append(classes[i], n)
	}
	// The smaller classes first, as many as the bound on renamings takes.
	slices.SortStableFunc(classes, func(a, b []core.NodeID) int { return len(a) - len(b) })
	var used [][]core.NodeID
	size := 1
	for _, cl := range classes {
		if f := factorial(len(cl)); len(cl) >= 2 && size*f <= maxRenamings {
			used, size = append(used, cl), size*f
		}
	}
	if size == 1 {
		return nil, ""
	}
	identity := make([]core.NodeID, cfg.Nodes)
	for i := range identity {
		identity[i] = core.NodeID(i)
	}
	perms := [][]core.NodeID{identity}
	for _, cl := range used {
		var next [][]core.NodeID
		for _, p := range perms {
			for _, order := range permutations(cl) {
				q := slices.Clone(p)
				for i, n := range cl {
					q[n] = order[i]
				}
				next = append(next, q)
			}
		}
		perms = next
	}
	sym, err := core.NewSymmetry(perms)
	if err != nil {
		panic("explore: " + err.Error()) // permutations built above
	}
	var text []string
	for _, cl := range used {
		var names []string
		for _, n := range cl {
			names = append(names, n.String())
		}
		text = append(text, "{"+strings.Join(names, " ")+"}")
	}
	return sym, strings.Join(text, " ")
}

func factorial(n int) int {
	f := 1
	for i := 2; i <= n; i++ {
		f *= i
	}
	return f
}

// permutations lists every order of xs, the given order first.
func permutations(xs []core.NodeID) [][]core.NodeID {
	if len(xs) <= 1 {
		return [][]core.NodeID{slices.Clone(xs)}
	}
	var out [][]core.NodeID
	for i := range xs {
		rest := slices.Concat(xs[:i:i], xs[i+1:])
		for _, p := range permutations(rest) {
			out = append(out, append([]core.NodeID{xs[i]}, p...))
		}
	}
	return out
}
