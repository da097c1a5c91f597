package core

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// renamedHash is the state's digest under one renaming (perm nil: the
// identity, written as SymmetricStateHash writes it).
func renamedHash(c *Cluster, perm []NodeID) uint64 {
	if perm == nil {
		perm = make([]NodeID, len(c.nodes))
		for i := range perm {
			perm[i] = NodeID(i)
		}
	}
	inv := make([]NodeID, len(perm))
	for i, x := range perm {
		inv[x] = NodeID(i)
	}
	sym := &Symmetry{perms: [][]NodeID{perm}, invs: [][]NodeID{inv}, key: symmetryKeys.Add(1)}
	return c.SymmetricStateHash(sym)
}

// mirror is cmd, taken in run c, renamed by perm for run d, which has run
// the renamed commands so far: the same operations at the renamed
// coordinators, the renamed faults, and the deliveries of the messages
// that correspond (the same request, kind and renamed ends).
func mirror(t *testing.T, cmd Command, c, d *Cluster, perm []NodeID) Command {
	t.Helper()
	switch cmd.Kind {
	case CmdPut, CmdGet, CmdCrash, CmdRestart:
		cmd.Node = perm[cmd.Node]
	case CmdPartition:
		var gs [][]NodeID
		for _, g := range cmd.Groups {
			var r []NodeID
			for _, n := range g {
				r = append(r, perm[n])
			}
			gs = append(gs, r)
		}
		cmd.Groups = gs
	case CmdDeliver, CmdDrop:
		var m Message
		for _, x := range c.Held() {
			if x.ID == cmd.Msg {
				m = x
			}
		}
		found := 0
		for _, x := range d.Held() {
			if x.Kind == m.Kind && x.Request == m.Request && x.From == perm[m.From] && x.To == perm[m.To] {
				cmd.Msg = x.ID
				found++
			}
		}
		if found != 1 {
			t.Fatalf("%d messages in the renamed run match %+v renamed by %v: %+v", found, m, perm, d.Held())
		}
	}
	return cmd
}

// The nodes of a strict cluster whose keys all have every node as a
// replica are interchangeable: a run and its renaming (every command
// renamed) stay renamings of each other at every step, with histories
// alike up to the coordinators' names, and SymmetricStateHash tells them
// the same; the digest under one renaming is that of the renamed run.
func TestRenamedRunsHashAlike(t *testing.T) {
	for _, repair := range []bool{true, false} {
		cfg := scriptedConfig()
		cfg.Nodes, cfg.N, cfg.W, cfg.R = 3, 3, 2, 2
		cfg.Versioning, cfg.Mode, cfg.ReadRepair = VectorClocks, Strict, repair
		perms := [][]NodeID{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
		sym, err := NewSymmetry(perms)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(3, 4))
		for round := range 6 {
			perm := perms[1+round%5]
			c, d := mustNew(t, cfg), mustNew(t, cfg)
			value := 0
			for step := range 150 {
				cmd := randomScriptedCommand(rng, c, &value)
				if cmd.Kind == CmdPartition {
					cmd.Groups = [][]NodeID{{cmd.Groups[0][len(cmd.Groups[0])-1]}}
				}
				dcmd := mirror(t, cmd, c, d, perm)
				c.Tick()
				d.Tick()
				c.Apply(cmd)
				d.Apply(dcmd)
				if renamedHash(c, perm) != renamedHash(d, nil) {
					t.Fatalf("repair=%v, round %d, step %d (%+v): the run renamed by %v hashes unlike the renamed run", repair, round, step, cmd, perm)
				}
				if c.SymmetricStateHash(sym) != d.SymmetricStateHash(sym) {
					t.Fatalf("repair=%v, round %d, step %d: the symmetric hashes differ", repair, round, step)
				}
				ch, dh := c.History(), d.History()
				for i := range ch {
					a, b := ch[i], dh[i]
					if a.Value != b.Value || a.OK != b.OK || a.Coordinator != perm[b.Coordinator] && perm[a.Coordinator] != b.Coordinator || len(a.Values) != len(b.Values) {
						t.Fatalf("repair=%v, round %d, step %d: op %d is %+v in the run and %+v renamed", repair, round, step, i, a, b)
					}
				}
			}
		}
	}
}

// The symmetric hash tells apart what no renaming makes alike, and a
// group must be one of permutations with the identity.
func TestSymmetricStateHashSeparates(t *testing.T) {
	cfg := scriptedConfig()
	cfg.Nodes, cfg.N = 3, 3
	cfg.Versioning, cfg.Mode = VectorClocks, Strict
	sym, err := NewSymmetry([][]NodeID{{1, 0, 2}, {0, 1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	a, b := mustNew(t, cfg), mustNew(t, cfg)
	a.Tick()
	b.Tick()
	a.Apply(Command{Kind: CmdPut, Node: 0, Client: 1, Key: "k", Value: "v1"})
	b.Apply(Command{Kind: CmdPut, Node: 0, Client: 1, Key: "k", Value: "v2"})
	if a.SymmetricStateHash(sym) == b.SymmetricStateHash(sym) {
		t.Error("two puts of different values hash alike")
	}
	if sym.Renaming(0)[0] != 0 || sym.Renaming(0)[1] != 1 {
		t.Errorf("the first renaming is %v, not the identity", sym.Renaming(0))
	}
	c := mustNew(t, cfg)
	c.Tick()
	c.Apply(Command{Kind: CmdPut, Node: 1, Client: 1, Key: "k", Value: "v1"})
	e := mustNew(t, cfg)
	e.Tick()
	e.Apply(Command{Kind: CmdPut, Node: 2, Client: 1, Key: "k", Value: "v1"})
	if a.SymmetricStateHash(sym) != c.SymmetricStateHash(sym) {
		t.Error("puts at n0 and n1, which the group swaps, hash unlike")
	}
	if a.SymmetricStateHash(sym) == e.SymmetricStateHash(sym) {
		t.Error("puts at n0 and n2, which the group does not swap, hash alike")
	}
	for _, bad := range [][][]NodeID{nil, {{1, 0, 2}}, {{0, 1, 2}, {0, 0, 2}}, {{0, 1, 2}, {0, 1}}} {
		if _, err := NewSymmetry(bad); err == nil {
			t.Errorf("NewSymmetry(%v) took it", bad)
		}
	}
}

// The digests kept on nodes under each renaming (inline for a group of up
// to six, in a slice for a larger one) are current: after every step of
// random runs, with clones taking steps of their own, every renamed digest
// and the symmetric one (taken whole, or from the identity's digest) equal
// those computed afresh.
func TestRenamedDigestsKeptAreCurrent(t *testing.T) {
	cfg := scriptedConfig()
	cfg.Nodes, cfg.N, cfg.W, cfg.R = 4, 4, 2, 2
	cfg.Versioning, cfg.Mode = VectorClocks, Strict
	var small, large [][]NodeID // n1..n3, and all four
	for _, p := range permutations([]NodeID{0, 1, 2, 3}) {
		if p[0] == 0 {
			small = append(small, p)
		}
		large = append(large, p)
	}
	groups := make([]*Symmetry, 0, 2)
	for _, perms := range [][][]NodeID{small, large} {
		sym, err := NewSymmetry(perms)
		if err != nil {
			t.Fatal(err)
		}
		groups = append(groups, sym)
	}
	for g, sym := range groups {
		randomClonedRun(t, cfg, 5, uint64(g), 200, func(step int, c *Cluster) {
			for i := range sym.Size() {
				if got, want := c.RenamedStateHash(sym, i), afresh(func() uint64 { return c.RenamedStateHash(sym, i) }); got != want {
					t.Fatalf("step %d, group of %d, renaming %d: kept %x, afresh %x", step, sym.Size(), i, got, want)
				}
			}
			want := afresh(func() uint64 { return c.SymmetricStateHash(sym) })
			if got := c.SymmetricStateHash(sym); got != want {
				t.Fatalf("step %d, group of %d: symmetric kept %x, afresh %x", step, sym.Size(), got, want)
			}
			if got := c.SymmetricStateHashFrom(sym, c.RenamedStateHash(sym, 0)); got != want {
				t.Fatalf("step %d, group of %d: symmetric from the identity's digest %x, afresh %x", step, sym.Size(), got, want)
			}
		})
	}
}

// permutations lists every ordering of ids.
func permutations(ids []NodeID) [][]NodeID {
	if len(ids) <= 1 {
		return [][]NodeID{slices.Clone(ids)}
	}
	var out [][]NodeID
	for i := range ids {
		rest := append(slices.Clone(ids[:i]), ids[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]NodeID{ids[i]}, p...))
		}
	}
	return out
}

// Two nodes alike in themselves but not in what is in flight (a get asked
// both replicas, one has answered and holds nothing more for it) do not tie:
// the symmetric hash digests one renaming whole, not both, and still
// equals that of the run renamed.
func TestTrafficBreaksTies(t *testing.T) {
	cfg := scriptedConfig()
	cfg.Nodes, cfg.N, cfg.W, cfg.R = 3, 3, 2, 2
	cfg.Versioning, cfg.Mode = VectorClocks, Strict
	swap := []NodeID{0, 2, 1}
	sym, err := NewSymmetry([][]NodeID{{0, 1, 2}, swap})
	if err != nil {
		t.Fatal(err)
	}
	c, d := mustNew(t, cfg), mustNew(t, cfg)
	for _, run := range []struct {
		c     *Cluster
		reply NodeID
	}{{c, 1}, {d, 2}} {
		run.c.Tick()
		mustApply(t, run.c, Command{Kind: CmdGet, Node: 0, Client: 1, Key: "k"})
		run.c.Tick()
		mustApply(t, run.c, Command{Kind: CmdDeliver, Msg: heldTo(t, run.c, MsgGetReq, run.reply)})
	}
	c.SymmetricStateHash(sym) // the node digests kept
	before := c.hasher.wholes
	got := c.SymmetricStateHash(sym)
	if n := c.hasher.wholes - before; n != 1 {
		t.Errorf("%d renamings digested whole, want 1: the traffic should tell n1 from n2", n)
	}
	if want := d.SymmetricStateHash(sym); got != want {
		t.Errorf("the run and its renaming hash %x and %x", got, want)
	}
	if c.RenamedStateHash(sym, 1) != d.RenamedStateHash(sym, 0) {
		t.Error("the run renamed hashes unlike the renamed run")
	}
}

// A relabeling renames a client together with the values it writes: a
// state and its relabeling have one symmetric digest, a state where only
// the client or only the value changed does not; and a set of relabelings
// must be permutations that make a group.
func TestRelabelingsRenameClientsWithTheirValues(t *testing.T) {
	cfg := scriptedConfig()
	cfg.Nodes, cfg.N, cfg.W, cfg.R = 3, 3, 2, 2
	cfg.Versioning, cfg.Mode = VectorClocks, Strict
	base, err := NewSymmetry([][]NodeID{{0, 1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	swap := Relabeling{Clients: map[int]int{1: 2, 2: 1}, Values: map[string]string{"v1": "v2", "v2": "v1"}}
	sym, err := base.WithRelabelings([]Relabeling{swap})
	if err != nil {
		t.Fatal(err)
	}
	if sym.Size() != 2 || sym.Relabeling(0) != 0 || sym.Relabeling(1) != 1 {
		t.Fatalf("size %d, relabelings %d %d", sym.Size(), sym.Relabeling(0), sym.Relabeling(1))
	}
	put := func(client int, value string) *Cluster {
		c := mustNew(t, cfg)
		c.Tick()
		if _, err := c.Apply(Command{Kind: CmdPut, Client: client, Node: 0, Key: "k", Value: value}); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the coordinator's own write and one more
			c.Tick()
			if _, err := c.Apply(Command{Kind: CmdDeliver, Msg: c.Held()[0].ID}); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	a, b := put(1, "v1"), put(2, "v2")
	if a.SymmetricStateHash(sym) != b.SymmetricStateHash(sym) {
		t.Error("c1 writing v1 and c2 writing v2 are one state relabeled, but digest apart")
	}
	if a.SymmetricStateHash(base) == b.SymmetricStateHash(base) {
		t.Error("without the relabeling they digest alike")
	}
	for _, c := range []*Cluster{put(1, "v2"), put(2, "v1")} {
		if c.SymmetricStateHash(sym) == a.SymmetricStateHash(sym) {
			t.Error("a client writing the other's value digests as a relabeling")
		}
	}
	for _, bad := range [][]Relabeling{
		{{Clients: map[int]int{1: 2}}},                        // not a permutation
		{{Values: map[string]string{"v1": "v2", "v2": "v2"}}}, // nor this
		{{}}, // renames nothing
		{{Clients: map[int]int{1: 2, 2: 3, 3: 1}}},                                                    // without its square: no group
		{swap, {Clients: map[int]int{1: 2, 2: 1}, Values: map[string]string{"v1": "v3", "v3": "v1"}}}, // two swaps that compose to neither
	} {
		if _, err := base.WithRelabelings(bad); err == nil {
			t.Errorf("relabelings %v: no error", bad)
		}
	}
}
