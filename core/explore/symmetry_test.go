package explore

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// mirrorCommand renames a step taken in run c for run d, which took the
// renamed steps so far: an operation at the renamed coordinator, a crash or
// restart of the renamed node, the delivery of the message that
// corresponds (the same request and kind, the renamed ends).
func mirrorCommand(t *testing.T, cmd core.Command, c, d *core.Cluster, perm []core.NodeID) core.Command {
	t.Helper()
	switch cmd.Kind {
	case core.CmdPut, core.CmdGet, core.CmdCrash, core.CmdRestart:
		cmd.Node = perm[cmd.Node]
	case core.CmdDeliver:
		var m core.Message
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
			t.Fatalf("%d messages of the renamed run match %+v renamed by %v", found, m, perm)
		}
	}
	return cmd
}

// The group symmetry finds is one of the scenario's runs: any schedule the
// search could take, renamed by any of the group's renamings, is a schedule
// too (every renamed step can be taken) and ends in a state the symmetric
// hash takes for the same.
func TestSymmetryRenamesRunsIntoRuns(t *testing.T) {
	five := smallConfig()
	five.Nodes, five.W, five.R = 5, 2, 2
	skewed := five
	skewed.SkewTicks = []int64{0, 0, 0, 0, 7}
	cases := []struct {
		name    string
		cfg     core.Config
		script  string
		classes string
	}{
		{"four nodes", smallConfig(), "c1: put k v1 | c2: put k v2 ; c1: get k", "{n1 n2 n3}"},
		{"five nodes, two keys", five, "c1: put k v1 | c2: put j v2 ; c1: get k ; c2: get j", ""},
		{"five nodes, a skewed one", skewed, "c1: put k v1 ; c2: get k", ""},
		{"five nodes, a pinned one", five, "c1@n1: put k v1 ; c2: get k", ""},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range cases {
		sc := Scenario{Config: tc.cfg, Script: mustScript(t, tc.script), Property: core.PropStale, Budget: Budget{Crashes: 1}}
		s, err := New(sc, Bounds{})
		if err != nil {
			t.Fatal(err)
		}
		if s.sym == nil {
			t.Fatalf("%s: no interchangeable nodes", tc.name)
		}
		if tc.classes != "" && s.report.Interchangeable != tc.classes {
			t.Errorf("%s: interchangeable %q, want %q", tc.name, s.report.Interchangeable, tc.classes)
		}
		t.Logf("%s: %s, %d renamings", tc.name, s.report.Interchangeable, s.sym.Size())
		for walk := range 40 {
			perm := s.sym.Renaming(1 + walk%(s.sym.Size()-1))
			root := s.level[0]
			cur, d := &state{c: root.c.Clone()}, root.c.Clone()
			for depth := 0; depth < 40; depth++ {
				chs := s.choices(cur)
				if len(chs) == 0 {
					break
				}
				ch := chs[rng.IntN(len(chs))]
				next := new(state)
				s.step(cur, ch, next)
				c := next.c
				// Each of its steps (a crash or a restart just before, a
				// quorum's), renamed.
				var cmds []core.Command
				applyTold(cur.c.Clone(), ch, func(cmd core.Command) { cmds = append(cmds, cmd) })
				e := cur.c.Clone()
				for _, cmd := range cmds {
					dcmd := mirrorCommand(t, cmd, e, d, perm)
					e.Tick()
					if _, err := e.Apply(cmd); err != nil {
						t.Fatal(err)
					}
					d.Tick()
					if _, err := d.Apply(dcmd); err != nil {
						t.Fatalf("%s: the renamed step %+v cannot be taken: %v", tc.name, dcmd, err)
					}
				}
				if c.SymmetricStateHash(s.sym) != d.SymmetricStateHash(s.sym) {
					t.Fatalf("%s, walk %d, step %d (%+v): the run renamed by %v is not the renamed run", tc.name, walk, depth, ch.cmd, perm)
				}
				cur = next
			}
		}
	}
}

// No renaming where the nodes are not alike: sloppy quorums (stand-ins in
// ring order), last-write-wins and truncated clocks (the tick and the node
// ids break ties), the lost write (its settle walks the ring), every node
// pinned.
func TestSymmetryOnlyWhereNodesAreAlike(t *testing.T) {
	base := Scenario{Config: smallConfig(), Script: mustScript(t, "c1: put k v1 ; c2: get k"), Property: core.PropStale}
	for _, tc := range []struct {
		name string
		edit func(*Scenario)
	}{
		{"sloppy", func(s *Scenario) { s.Config.Mode = core.Sloppy }},
		{"lww", func(s *Scenario) { s.Config.Versioning = core.LWW }},
		{"truncated clocks", func(s *Scenario) { s.Config.VClockMax = 2 }},
		{"lost write", func(s *Scenario) { s.Property = core.PropLost }},
		{"pinned", func(s *Scenario) { s.Script = mustScript(t, "c1@n1: put k v1 ; c2@n2: get k ; c1@n3: get k") }},
	} {
		sc := base
		tc.edit(&sc)
		s, err := New(sc, Bounds{})
		if err != nil {
			t.Fatal(err)
		}
		if s.sym != nil || s.report.Interchangeable != "" {
			t.Errorf("%s: renamings %q", tc.name, s.report.Interchangeable)
		}
	}
	s, _ := New(base, Bounds{})
	if s.sym == nil {
		t.Error("strict, vector clocks, any coordinator: no renaming")
	}
}

// A relabelCase is a scenario whose clients do alike.
type relabelCase struct {
	name   string
	cfg    core.Config
	script string
	budget Budget
}

// threeNodes is three nodes, N=3, strict, with W=R=2 and with W=R=1.
func threeNodes() (strict, weak core.Config) {
	strict = smallConfig()
	strict.Nodes, strict.W, strict.R = 3, 2, 2
	weak = strict
	weak.W, weak.R = 1, 1
	return strict, weak
}

// relabeled is a history with its clients and values relabeled by r.
func relabeled(h []core.Op, r core.Relabeling) []core.Op {
	out := make([]core.Op, len(h))
	for i, op := range h {
		if c, ok := r.Clients[op.Client]; ok {
			op.Client = c
		}
		if v, ok := r.Values[op.Value]; ok {
			op.Value = v
		}
		vals := slices.Clone(op.Values)
		for j, v := range vals {
			if w, ok := r.Values[v]; ok {
				vals[j] = w
			}
		}
		op.Values = vals
		out[i] = op
	}
	return out
}

// Which scripts map onto themselves when their clients are renamed, with
// the values they write: the same operations in the same groups, pins
// kept, a value onto one value.
func TestRelabelingsOfScripts(t *testing.T) {
	for _, tc := range []struct {
		script  string
		classes string
		count   int // relabelings, the identity left out
	}{
		{"c1: put k v1 | c2: put k v2 ; c1: get k | c2: get k", "{c1 c2}", 1},
		{"c1: put k v1 | c2: put k v2", "{c1 c2}", 1},
		{"c1: put k v1 | c2: put k v2 | c3: put k v3", "{c1 c2 c3}", 5},
		{"c1: put k v1 ; c2: get k | c3: get k", "{c2 c3}", 1},
		{"c1: put k v1 | c2: put k v2 ; c3: get k", "{c1 c2}", 1},
		{"c1@n0: put k v1 | c2@n0: put k v2", "{c1 c2}", 1},
		{"c1: put k v1 | c2: put k v2 ; c1: get k", "", 0},
		{"c1: put k v1 | c2: put j v2", "", 0},
		{"c1@n1: put k v1 | c2@n2: put k v2", "", 0},
		{"c1: put k v1 ; c2: put k v2", "", 0},
		{"c1: put k v1 ; c2: get k", "", 0},
		{"c1: put k v1 | c2: get k", "", 0},
		{"c1: put k v1 | c2: put k v2 ; c1: put j v1 | c2: put j v3", "", 0}, // v1 would go to v2 and to v3
	} {
		rels, maps, classes := relabelings(mustScript(t, tc.script))
		if classes != tc.classes || len(rels) != tc.count || len(maps) != tc.count {
			t.Errorf("%q: classes %q, %d relabelings, want %q, %d", tc.script, classes, len(rels), tc.classes, tc.count)
		}
		ops := mustScript(t, tc.script).Ops()
		for i, r := range rels {
			for j, op := range ops {
				img := ops[maps[i][j]]
				want := op
				if c, ok := r.Clients[op.Client]; ok {
					want.Client = c
				}
				if v, ok := r.Values[op.Value]; ok {
					want.Value = v
				}
				if img != want {
					t.Errorf("%q: relabeling %v takes %v to %v", tc.script, r, op, img)
				}
			}
		}
	}
}

// Relabeling alike clients with their values keeps what the search finds:
// on scenarios whose clients do alike, the reduced search reaches every
// final history the full one does, up to the relabelings, each first at
// the same depth, and meets fewer states than with nodes renamed alone.
func TestRelabeledSearchReachesEveryHistory(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" {
		t.Skip("searches each scenario three times")
	}
	strict, weak := threeNodes()
	for _, tc := range []relabelCase{
		{"two writers then two readers, W=1 R=1", weak, "c1@n0: put k v1 | c2@n0: put k v2 ; c1@n1: get k | c2@n1: get k", Budget{}},
		{"two writers then a reader", strict, "c1@n0: put k v1 | c2@n0: put k v2 ; c3@n1: get k", Budget{}},
		{"a writer then two readers, W=1 R=1", weak, "c1: put k v1 ; c2: get k | c3: get k", Budget{}},
		{"two writers then a reader, a crash", weak, "c1@n0: put k v1 | c2@n0: put k v2 ; c3@n1: get k", Budget{Crashes: 1}},
		{"three writers then a reader", weak, "c1@n0: put k v1 | c2@n0: put k v2 | c3@n0: put k v3 ; c4@n1: get k", Budget{}},
	} {
		sc := Scenario{Config: tc.cfg, Script: mustScript(t, tc.script), Property: core.PropSiblings, K: MaxOps, Budget: tc.budget}
		canon := historiesUpTo(sc.Script, core.RealTimeAll.Reads)
		search := func(full, relabelOn bool) (map[string]int, Report) {
			relabel = relabelOn
			defer func() { relabel = true }()
			return finalHistoriesAs(t, sc, full, canon)
		}
		reduced, r := search(false, true)
		full, f := search(true, false)
		_, n := search(false, false)
		if r.CutBy != "" || f.CutBy != "" || r.Violated || f.Violated {
			t.Fatalf("%s: reduced %+v, full %+v", tc.name, r, f)
		}
		if r.AlikeClients == "" || n.AlikeClients != "" {
			t.Fatalf("%s: alike clients %q, %q with relabeling off", tc.name, r.AlikeClients, n.AlikeClients)
		}
		sameHistories(t, tc.name, reduced, full)
		if r.DistinctStates >= n.DistinctStates {
			t.Errorf("%s: %d distinct states relabeling alike clients, %d without", tc.name, r.DistinctStates, n.DistinctStates)
		}
		t.Logf("%s: %d histories up to relabeling; %d distinct states, %d without relabeling, %d full", tc.name, len(full), r.DistinctStates, n.DistinctStates, f.DistinctStates)
	}
}

// Any schedule the search could take, renamed by any renaming of the
// group with the clients' relabeling that goes with it, is one it could
// take too (the renamed step is among the renamed state's choices), and
// the two states have one digest where they are digested up to
// renamings (the cluster's and the search's own state of each operation,
// relabeled: Search.salt).
func TestRelabelingsRenameRunsIntoRuns(t *testing.T) {
	three, weak := threeNodes()
	for _, tc := range []relabelCase{
		{"two writers then two readers", three, "c1: put k v1 | c2: put k v2 ; c1: get k | c2: get k", Budget{}},
		{"four nodes, two writers then two readers", smallConfig(), "c1: put k v1 | c2: put k v2 ; c1: get k | c2: get k", Budget{}},
		{"a writer then three readers, W=1 R=1", weak, "c1: put k v1 ; c2: get k | c3: get k | c4: get k", Budget{}},
		{"two writers then a reader, a crash", three, "c1: put k v1 | c2: put k v2 ; c3: get k", Budget{Crashes: 1}},
	} {
		sc := Scenario{Config: tc.cfg, Script: mustScript(t, tc.script), Property: core.PropStale, Budget: tc.budget}
		s, err := New(sc, Bounds{})
		if err != nil {
			t.Fatal(err)
		}
		rels, _, _ := relabelings(sc.Script)
		if s.sym == nil || len(rels) == 0 || s.sym.Size() != (1+len(rels))*(s.sym.Size()/(1+len(rels))) {
			t.Fatalf("%s: no relabeling", tc.name)
		}
		rng := rand.New(rand.NewPCG(5, 6))
		for walk := range 60 {
			g := 1 + walk%(s.sym.Size()-1)
			perm, r := s.sym.Renaming(g), s.sym.Relabeling(g)
			if r == 0 {
				continue
			}
			rel := rels[r-1]
			root := s.level[0]
			cur, mir := &state{c: root.c.Clone()}, &state{c: root.c.Clone()}
			for depth := 0; depth < 40; depth++ {
				chs := slices.Clone(s.choices(cur))
				if len(chs) == 0 {
					break
				}
				ch := chs[rng.IntN(len(chs))]
				want := ch.cmd
				if ch.members == 0 {
					want = mirrorCommand(t, ch.cmd, cur.c, mir.c, perm)
				}
				if c, ok := rel.Clients[want.Client]; ok && ch.op >= 0 {
					want.Client = c
				}
				if v, ok := rel.Values[want.Value]; ok {
					want.Value = v
				}
				var mch *choice
				for _, x := range s.choices(mir) {
					if x.cmd.Kind == want.Kind && x.cmd.Node == want.Node && x.cmd.Client == want.Client &&
						x.cmd.Value == want.Value && x.cmd.Msg == want.Msg && x.cmd.Request == want.Request &&
						x.cmd.Param == want.Param && x.pre == ch.pre && (ch.pre == preNone || x.node() == perm[ch.node()]) &&
						x.members == renamedBits(ch.members, perm) && (ch.members == 0 || x.to == perm[ch.to]) {
						mch = &x
						break
					}
				}
				if mch == nil {
					t.Fatalf("%s, walk %d, step %d: %+v renamed (%+v) is not among the renamed state's choices", tc.name, walk, depth, ch.cmd, want)
				}
				next, mnext := new(state), new(state)
				s.step(cur, ch, next)
				s.step(mir, *mch, mnext)
				// (A state right after a replica's step names the node and
				// the reply the next step must follow up: told by its own
				// digest, stepsWait.)
				if next.after.node == 0 && s.hash(next) != s.hash(mnext) {
					t.Fatalf("%s, walk %d, step %d (%+v): the run renamed by %v, relabeled by %v, has another digest", tc.name, walk, depth, ch.cmd, perm, rel)
				}
				cur, mir = next, mnext
			}
		}
	}
}

// renamedBits is a set of nodes (bits) renamed by perm.
func renamedBits(m uint32, perm []core.NodeID) uint32 {
	var out uint32
	for n := range perm {
		if m&(1<<n) != 0 {
			out |= 1 << perm[n]
		}
	}
	return out
}
