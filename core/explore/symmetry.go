package explore

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
)

// relabel lets the search count a state and its relabelings of alike
// clients once (tests compare the search without).
var relabel = true

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
// written "{n1 n2 n3}". With them come the relabelings of the clients
// that map the script to itself (relabelings), their classes (written
// "{c1 c2}") and how they rename the operations; a group of those alone
// where no nodes are alike.
func symmetry(sc Scenario, c *core.Cluster) (sym *core.Symmetry, nodes, clients string, opMaps [][]int) {
	cfg := c.Config()
	if sc.Property == core.PropLost || cfg.Mode != core.Strict || cfg.Versioning != core.VectorClocks || cfg.VClockMax > 0 {
		return nil, "", "", nil
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
		down       bool // from the start (Scenario.Down)
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
		sig.down = slices.Contains(sc.Down, n)
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
	var rels []core.Relabeling
	var maps [][]int
	if relabel {
		rels, maps, clients = relabelings(sc.Script)
	}
	if size*(1+len(rels)) > maxRenamings*2 {
		rels, maps, clients = nil, nil, "" // each relabeling costs a digest of every state
	}
	if size == 1 && len(rels) == 0 {
		return nil, "", "", nil
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
	if err == nil && len(rels) > 0 {
		sym, err = sym.WithRelabelings(rels)
	}
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
	if len(rels) > 0 {
		opMaps = append([][]int{nil}, maps...)
	}
	return sym, strings.Join(text, " "), clients, opMaps
}

// relabelings finds the renamings of the script's clients, with the
// values they write, that map the script to itself: each group's
// operations onto the same group's, the same kind, key and pinned node,
// a put's value onto the image's value (a value onto one value only).
// Relabeling a run of such a script by one gives a run of it (no node reads
// a client's name, nor compares values, core.Relabeling), and the
// properties of the history treat every client alike, so a state and its
// relabelings are one. It returns the relabelings but the identity, how
// each renames the operations (maps[r][i]: op i's image), and the classes
// of clients they move ("{c1 c2}").
func relabelings(script Script) (rels []core.Relabeling, maps [][]int, classes string) {
	ops := script.Ops()
	var clients []int
	for _, op := range ops {
		if !slices.Contains(clients, op.Client) {
			clients = append(clients, op.Client)
		}
	}
	slices.Sort(clients)
	if len(clients) < 2 || len(clients) > 5 {
		return nil, nil, "" // at most 120 orders to try
	}
	moved := map[int]bool{}
	all := orders(len(clients))
	for _, order := range all[1:] { // all[0] is the identity
		to := map[int]int{}
		for i, c := range clients {
			to[c] = clients[order[i]]
		}
		m, values, ok := imageOf(script, to)
		if !ok {
			continue
		}
		r := core.Relabeling{Clients: map[int]int{}, Values: values}
		for from, x := range to {
			if from != x {
				r.Clients[from], moved[from] = x, true
			}
		}
		rels, maps = append(rels, r), append(maps, m)
	}
	// Classes: clients one relabeling or another takes into one another.
	var text []string
	done := map[int]bool{}
	for _, c := range clients {
		if !moved[c] || done[c] {
			continue
		}
		class := []int{c}
		for _, r := range rels {
			if x, ok := r.Clients[c]; ok && !slices.Contains(class, x) {
				class = append(class, x)
			}
		}
		slices.Sort(class)
		var names []string
		for _, x := range class {
			done[x] = true
			names = append(names, "c"+strconv.Itoa(x))
		}
		text = append(text, "{"+strings.Join(names, " ")+"}")
	}
	return rels, maps, strings.Join(text, " ")
}

// imageOf renames the script's clients by to and reports whether that maps
// it onto itself, with the image of each operation and the values' renaming.
func imageOf(script Script, to map[int]int) (image []int, values map[string]string, ok bool) {
	values = map[string]string{}
	start := 0
	for _, g := range script.Groups {
		for _, op := range g {
			j := slices.IndexFunc(g, func(o Op) bool { return o.Client == to[op.Client] })
			if j < 0 {
				return nil, nil, false
			}
			o := g[j]
			if o.Kind != op.Kind || o.Key != op.Key || o.Node != op.Node {
				return nil, nil, false
			}
			if op.Kind == core.OpPut {
				if v, seen := values[op.Value]; seen && v != o.Value {
					return nil, nil, false
				}
				values[op.Value] = o.Value
			}
			image = append(image, start+j)
		}
		start += len(g)
	}
	// A value's image is one value; two values onto one is no renaming.
	seen := map[string]bool{}
	for _, v := range values {
		if seen[v] {
			return nil, nil, false
		}
		seen[v] = true
	}
	for from := range values {
		if !seen[from] {
			return nil, nil, false
		}
	}
	for from, v := range values {
		if from == v {
			delete(values, from)
		}
	}
	return image, values, true
}

// orders lists every order of 0..n-1, the identity first.
func orders(n int) [][]int {
	xs := make([]core.NodeID, n)
	for i := range xs {
		xs[i] = core.NodeID(i)
	}
	var out [][]int
	for _, p := range permutations(xs) {
		o := make([]int, n)
		for i, x := range p {
			o[i] = int(x)
		}
		out = append(out, o)
	}
	return out
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
