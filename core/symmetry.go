package core

import (
	"cmp"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
	"github.com/ringlab/ringlab/core/vclock"
)

// Symmetry is a group of renamings of the nodes under which a scenario's
// runs are alike: renaming the nodes of a reachable state gives a state
// that is reachable too, by the renamed steps, and has the same future up
// to the renaming. In strict mode with vector clocks, nodes that are
// replicas of the same keys (and nodes that replicate none of them), with
// the same clock skew and not named by the script, are such a group: the
// coordinator sends to the whole preference list and treats its members
// alike. The schedule search finds the group (it knows the scenario); the
// cluster only renames.
type Symmetry struct {
	perms, invs [][]NodeID
	// blind names every node of an orbit (the nodes the group renames
	// into one another) alike, and the others as themselves.
	blind, identity []NodeID
	key             uint64 // tells the digests kept on nodes and messages apart
	// rels relabels the clients and their values with each renaming (nil:
	// as they are), relOf is the index of its relabeling among those the
	// group was made with (WithRelabelings; 0: none), and blindRel names
	// every client and value of an orbit alike.
	rels     []*relabel
	relOf    []int
	blindRel *relabel
}

var symmetryKeys atomic.Uint64

// blindBase and above name orbits (Symmetry.blind), apart from node ids.
const blindBase NodeID = 0x4000

// NewSymmetry makes a group of its elements, each a permutation of the
// node ids 0..n-1 (perm[i] is the new name of node i); the identity must be
// one of them.
func NewSymmetry(perms [][]NodeID) (*Symmetry, error) {
	if len(perms) == 0 {
		return nil, fmt.Errorf("symmetry: no permutation")
	}
	s := &Symmetry{key: symmetryKeys.Add(1)}
	identity := false
	for _, p := range perms {
		if len(p) != len(perms[0]) {
			return nil, fmt.Errorf("symmetry: permutations of %d and %d nodes", len(perms[0]), len(p))
		}
		inv := make([]NodeID, len(p))
		seen := make([]bool, len(p))
		id := true
		for i, x := range p {
			if int(x) >= len(p) || seen[x] {
				return nil, fmt.Errorf("symmetry: %v is not a permutation of n0..n%d", p, len(p)-1)
			}
			seen[x], inv[x] = true, NodeID(i)
			id = id && int(x) == i
		}
		if id && !identity { // the identity first (RenamedStateHash)
			identity = true
			s.perms = slices.Insert(s.perms, 0, slices.Clone(p))
			s.invs = slices.Insert(s.invs, 0, inv)
			continue
		}
		s.perms = append(s.perms, slices.Clone(p))
		s.invs = append(s.invs, inv)
	}
	if !identity {
		return nil, fmt.Errorf("symmetry: the identity is not among the permutations")
	}
	s.rels, s.relOf = make([]*relabel, len(s.perms)), make([]int, len(s.perms))
	s.identity = slices.Clone(s.perms[0])
	s.blind = make([]NodeID, len(s.identity))
	for x := range s.blind {
		least, moved := NodeID(x), false
		for _, p := range s.perms {
			least, moved = min(least, p[x]), moved || int(p[x]) != x
		}
		s.blind[x] = NodeID(x)
		if moved {
			s.blind[x] = blindBase + least
		}
	}
	return s, nil
}

// A Relabeling renames the clients of a script and the values they write:
// Clients[c] is client c's new name and Values[v] value v's (a client or a
// value not named keeps its own). Where clients do alike (c1 writes v1 and
// c2 v2 at once, then both read), relabeling a reachable state gives a
// reachable state, by the relabeled steps, with the same future relabeled:
// nothing a node does reads a client's name or compares values (siblings
// are ordered by their dots), only the history and the clients' contexts
// name them.
type Relabeling struct {
	Clients map[int]int
	Values  map[string]string
}

// relabel is a Relabeling as the hasher applies it: pairs, searched (a
// script has a handful of clients and values).
type relabel struct {
	clients [][2]int
	values  [][2]string
}

func (r *relabel) client(c int) int {
	if r == nil {
		return c
	}
	return renamedBy(r.clients, c)
}

func (r *relabel) value(v string) string {
	if r == nil {
		return v
	}
	return renamedBy(r.values, v)
}

// renamedBy is x's new name in pairs (old, new): x itself if none.
func renamedBy[K comparable](pairs [][2]K, x K) K {
	for _, p := range pairs {
		if p[0] == x {
			return p[1]
		}
	}
	return x
}

// movedPairs is a permutation m as the pairs (old, new) it moves, sorted,
// or an error if m is no permutation of the names it has.
func movedPairs[K cmp.Ordered](m map[K]K, what string) ([][2]K, error) {
	var pairs [][2]K
	images := map[K]bool{}
	for from, to := range m {
		if from != to {
			pairs = append(pairs, [2]K{from, to})
		}
		images[to] = true
	}
	for from := range m {
		if !images[from] {
			return nil, fmt.Errorf("symmetry: relabeling %v is not a permutation of its %s", m, what)
		}
	}
	slices.SortFunc(pairs, func(a, b [2]K) int { return cmp.Compare(a[0], b[0]) })
	return pairs, nil
}

// blindClientBase and above name orbits of clients (Symmetry.blindRel),
// and values of an orbit are named by the least of them after a zero byte
// (no value has one: a script's values are words).
const blindClientBase = 1 << 20

// WithRelabelings is the group of s's renamings, each also taken with
// each relabeling of the clients (and with none): the relabelings, with
// the identity, must be a group of their own (closed under composition),
// each relabeling permuting the clients and the values it names. Its
// renamings are numbered renaming by renaming, the relabelings within
// (Relabeling(i) says which).
func (s *Symmetry) WithRelabelings(rs []Relabeling) (*Symmetry, error) {
	rels := []*relabel{nil}
	for _, r := range rs {
		clients, err := movedPairs(r.Clients, "clients")
		if err != nil {
			return nil, err
		}
		values, err := movedPairs(r.Values, "values")
		if err != nil {
			return nil, err
		}
		rl := &relabel{clients: clients, values: values}
		if len(rl.clients) == 0 && len(rl.values) == 0 {
			return nil, fmt.Errorf("symmetry: a relabeling that renames nothing")
		}
		rels = append(rels, rl)
	}
	// Closed: each composition of two is one of them.
	for _, a := range rels {
		for _, b := range rels {
			found := false
			for _, c := range rels {
				found = found || sameRelabel(a, b, c)
			}
			if !found {
				return nil, fmt.Errorf("symmetry: the relabelings are not a group (two of them make one that is not among them)")
			}
		}
	}
	g := &Symmetry{key: symmetryKeys.Add(1), blind: s.blind, identity: s.identity}
	for i := range s.perms {
		for j, r := range rels {
			g.perms = append(g.perms, s.perms[i])
			g.invs = append(g.invs, s.invs[i])
			g.rels = append(g.rels, r)
			g.relOf = append(g.relOf, j)
		}
	}
	// Orbits: each client and value named by the least it is relabeled to.
	g.blindRel = &relabel{
		clients: orbitNames(rels, func(r *relabel) [][2]int { return r.clients }, func(least int) int { return blindClientBase + least }),
		values:  orbitNames(rels, func(r *relabel) [][2]string { return r.values }, func(least string) string { return "\x00" + least }),
	}
	return g, nil
}

// orbitNames names each client (or value) that a relabeling of rels
// moves by the least of those the group takes it to, through name.
func orbitNames[K cmp.Ordered](rels []*relabel, of func(*relabel) [][2]K, name func(least K) K) [][2]K {
	var out [][2]K
	for _, r := range rels[1:] {
		for _, p := range of(r) {
			if slices.ContainsFunc(out, func(x [2]K) bool { return x[0] == p[0] }) {
				continue
			}
			least := p[0]
			for _, q := range rels[1:] {
				least = min(least, renamedBy(of(q), p[0]))
			}
			out = append(out, [2]K{p[0], name(least)})
		}
	}
	return out
}

// sameRelabel reports whether relabeling by a then b is relabeling by c.
func sameRelabel(a, b, c *relabel) bool {
	var cs []int
	var vs []string
	for _, r := range []*relabel{a, b, c} {
		if r == nil {
			continue
		}
		for _, p := range r.clients {
			cs = append(cs, p[0])
		}
		for _, p := range r.values {
			vs = append(vs, p[0])
		}
	}
	for _, x := range cs {
		if b.client(a.client(x)) != c.client(x) {
			return false
		}
	}
	for _, x := range vs {
		if b.value(a.value(x)) != c.value(x) {
			return false
		}
	}
	return true
}

// Relabeling is the index, among the relabelings the group was made with
// (WithRelabelings, counted from 1; 0: none), of the clients' relabeling
// that goes with the group's i-th renaming.
func (s *Symmetry) Relabeling(i int) int {
	if i < len(s.relOf) {
		return s.relOf[i]
	}
	return 0
}

// relabel is the relabeling of the clients that goes with the i-th
// renaming (nil: none).
func (s *Symmetry) relabel(i int) *relabel {
	if i < len(s.rels) {
		return s.rels[i]
	}
	return nil
}

// Size is the number of renamings in the group.
func (s *Symmetry) Size() int { return len(s.perms) }

// SymmetricStateHash is StateHash up to the group's renamings: each node
// is digested with the nodes of every orbit named alike (which no renaming
// changes), the state is digested whole under the renamings that put those
// node digests in the least order (most often one; several when nodes are
// alike), and the least of those digests is the answer. Node ids are renamed, and what was
// in the order of node ids (versions, clock entries, targets, hints) is
// taken as a set. Two states one renaming apart have the same symmetric
// hash. A group of one is StateHash's content, taken the same way.
func (c *Cluster) SymmetricStateHash(sym *Symmetry) uint64 {
	return c.symmetricStateHash(sym, 0, false, nil)
}

// SymmetricStateHashFrom is SymmetricStateHash for a state whose digest
// under the identity, own, was just taken (RenamedStateHash(sym, 0), with
// no step since): where the identity is one of the renamings to digest
// whole, own is its digest, not taken again.
func (c *Cluster) SymmetricStateHashFrom(sym *Symmetry, own uint64) uint64 {
	return c.symmetricStateHash(sym, own, true, nil)
}

// SymmetricStateHashSalted is SymmetricStateHash (or, known, ...From own)
// of a state that its caller keeps more of, which the group's
// relabelings of the clients rename too: each digest is taken xor the
// salt of its renaming's relabeling (salts[sym.Relabeling(i)]), the
// caller's digest of what it keeps, relabeled alike.
func (c *Cluster) SymmetricStateHashSalted(sym *Symmetry, own uint64, known bool, salts []uint64) uint64 {
	return c.symmetricStateHash(sym, own, known, salts)
}

func (c *Cluster) symmetricStateHash(sym *Symmetry, own uint64, known bool, salts []uint64) uint64 {
	if len(sym.perms[0]) != len(c.nodes) {
		return c.StateHash()
	}
	h := c.readyHasher()
	n := len(c.nodes)
	// Each node's digest with the nodes of each orbit named alike: the
	// same whatever the renaming, so computed once.
	h.perm, h.inv, h.blind, h.symKey, h.symSize = sym.blind, sym.identity, true, sym.key, len(sym.perms)
	h.rel = sym.blindRel
	h.lww, h.exact = c.cfg.Versioning == LWW, c.timeIsState()
	blind := h.blinds[:0]
	for _, nd := range c.nodes {
		blind = append(blind, h.nodeHash(nd))
	}
	// Refined by what else names each node: the messages in flight to and
	// from it (digested with the orbits named alike, and only those the
	// state hash counts) and the operations it coordinates (by their place
	// in the history). No renaming changes what names a node, renamed, so
	// the order stays one of the state's alone; but nodes alike in
	// themselves that the rest of the state treats apart no longer tie,
	// and fewer renamings are digested whole.
	// The flags of the digest as it is, just taken when known, serve
	// every digest of this state below.
	h.inertKept = known
	inert := h.inertOf(c)
	h.inertKept = true
	for i, m := range c.held {
		if inert != nil && inert[i] {
			continue
		}
		d := h.messageHash(m)
		if int(m.to) < n {
			blind[m.to] += mix64(d ^ 0x746f) // "to"
		}
		if int(m.from) < n {
			blind[m.from] += mix64(d ^ 0x66726f6d) // "from"
		}
	}
	// (Of the operations that wait: the state's digest names no other's
	// coordinator, stateHasher.history.)
	j := uint64(0)
	c.history.all(func(op *Op) bool {
		j++
		if int(op.Coordinator) < n && op.ReturnTick < 0 {
			name := j
			if h.named { // by its name (DigestRealTime), blindly relabeled
				name = h.name(h.opNames()[j-1])
			}
			blind[op.Coordinator] += mix64(name ^ 0x636f6f7264) // "coord"
		}
		return true
	})
	h.blinds, h.blind = blind, false
	// The renamings that put those digests in the least order.
	least, row := h.least[:0], h.row[:0]
	ties := h.ties[:0]
	for i, inv := range sym.invs {
		row = row[:0]
		for j := range n {
			row = append(row, blind[inv[j]])
		}
		switch x := slices.Compare(row, least); {
		case i == 0 || x < 0:
			least = append(least[:0], row...)
			ties = append(ties[:0], i)
		case x == 0:
			ties = append(ties, i)
		}
	}
	h.least, h.row = least, row
	best := uint64(0)
	for k, i := range ties {
		var x uint64
		if i == 0 && known {
			x = own
		} else {
			h.perm, h.inv, h.pi, h.rel = sym.perms[i], sym.invs[i], i, sym.relabel(i)
			x = c.stateHash(true, false)
		}
		if salts != nil {
			x ^= salts[sym.Relabeling(i)]
		}
		if k == 0 || x < best {
			best = x
		}
	}
	h.ties = ties
	h.perm, h.inv, h.rel = nil, nil, nil
	h.inertKept = false
	return best
}

// RenamedStateHash is the state's digest under the group's i-th renaming,
// taken as SymmetricStateHash takes each. Under the identity (i = 0) it
// tells a state met again as itself, for less than SymmetricStateHash, and
// the node digests it computes serve SymmetricStateHash after it.
func (c *Cluster) RenamedStateHash(sym *Symmetry, i int) uint64 {
	if len(sym.perms[0]) != len(c.nodes) {
		return c.StateHash()
	}
	h := c.readyHasher()
	h.perm, h.inv, h.pi, h.symKey, h.symSize = sym.perms[i], sym.invs[i], i, sym.key, len(sym.perms)
	h.rel = sym.relabel(i)
	x := c.stateHash(true, false)
	h.perm, h.inv, h.rel = nil, nil, nil
	return x
}

// nd writes a node id, renamed.
func (h *stateHasher) nd(id NodeID) { h.u(uint64(h.renamed(id))) }

// renamed is a node id's new name.
func (h *stateHasher) renamed(id NodeID) NodeID {
	if h.perm != nil && int(id) < len(h.perm) {
		return h.perm[id]
	}
	return id
}

// at is the node whose new name is i.
func (h *stateHasher) at(i int) NodeID {
	if h.inv != nil && i < len(h.inv) {
		return h.inv[i]
	}
	return NodeID(i)
}

// cut digests what was written since start and takes it back.
func (h *stateHasher) cut(start int) uint64 {
	x := xxhash.Sum64(h.out[start:])
	h.out = h.out[:start]
	return x
}

// set writes digests as a set: sorted.
func (h *stateHasher) set(ds []uint64) {
	slices.Sort(ds)
	h.u(uint64(len(ds)))
	for _, d := range ds {
		h.u(d)
	}
}

func (h *stateHasher) renamedCausal(x causal) {
	var buf [8]vclock.Dot
	es := buf[:0]
	for i := 0; i < x.vv.Len(); i++ {
		e := x.vv.EntryAt(i)
		es = append(es, vclock.Dot{Node: h.perm[e.Node], Counter: e.Counter})
	}
	h.dots(es)
	es = es[:0]
	for _, d := range x.cloud {
		es = append(es, vclock.Dot{Node: h.perm[d.Node], Counter: d.Counter})
	}
	h.dots(es)
}

func (h *stateHasher) dots(ds []vclock.Dot) {
	slices.SortFunc(ds, func(a, b vclock.Dot) int {
		if a.Node != b.Node {
			return cmp.Compare(a.Node, b.Node)
		}
		return cmp.Compare(a.Counter, b.Counter)
	})
	h.u(uint64(len(ds)))
	for _, d := range ds {
		h.u(uint64(d.Node))
		h.u(d.Counter)
	}
}

// renamedNodeHash is nodeHash under the renaming, kept on the node by the
// renaming's index until the node next changes; blindly named (h.blind),
// kept after those.
func (h *stateHasher) renamedNodeHash(n *node) uint64 {
	d := &n.sym
	if d.key != h.symKey { // another group's
		*d = nodeDigests{symDigests: symDigests{key: h.symKey}}
	}
	var kept *uint64
	if !h.blind && h.pi > 0 && h.symSize <= len(d.few)+1 {
		kept = &d.few[h.pi-1]
	} else {
		kept = h.kept(&d.symDigests)
	}
	if *kept != 0 && keepNodeHashes {
		return *kept
	}
	outer := h.apart()
	h.node(n)
	*kept = h.joined(outer)
	return *kept
}

// nodeDigests are a node's symDigests, with those under the renamings of
// a group of up to six (three nodes alike, the most common) inline: a
// search's step changes a node and hashes it under several renamings.
type nodeDigests struct {
	symDigests
	few [5]uint64
}

// symDigests keeps a node's or a held message's digests under the
// renamings of one Symmetry (key): blindly named and under the identity
// inline, since most states need no other, the others in more, by the
// renaming's index, made when first needed (a node keeps those of a small
// group inline too: nodeDigests). Zero: not known.
type symDigests struct {
	key          uint64
	blind, ident uint64
	more         []uint64
}

// kept is where the digest under the renaming being hashed (or under the
// blind naming) is kept in d: made anew for another Symmetry.
func (h *stateHasher) kept(d *symDigests) *uint64 {
	if d.key != h.symKey {
		*d = symDigests{key: h.symKey}
	}
	switch {
	case h.blind:
		return &d.blind
	case h.pi == 0:
		return &d.ident
	}
	if len(d.more) != h.symSize {
		// Made for this one alone: carved from a block shared by many,
		// any one of them still held kept the whole block (digests were
		// 188 MB of a 1.2 GB heap in a search with a crash on four nodes,
		// 49 MB made one by one, and the search no slower).
		d.more = make([]uint64, h.symSize)
	}
	return &d.more[h.pi]
}

// renamedMessageHash is messageHash under the renaming, kept on the held
// message (which never changes) by the renaming's index.
func (h *stateHasher) renamedMessageHash(m *message) uint64 {
	kept := h.kept(&m.sym)
	if *kept == 0 {
		outer := h.apart()
		h.message(m)
		*kept = h.joined(outer)
	}
	return *kept
}

// Renaming is the group's i-th renaming (0 <= i < Size; 0 is the
// identity): element n is node n's new name.
func (s *Symmetry) Renaming(i int) []NodeID { return slices.Clone(s.perms[i]) }

// mix64 scrambles x (SplitMix64's finalizer), so that sums of mixed
// digests stand for multisets.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
