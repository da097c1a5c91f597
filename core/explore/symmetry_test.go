package explore

import (
	"math/rand/v2"
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
				dcmd := mirrorCommand(t, ch.cmd, cur.c, d, perm)
				next := new(state)
				s.step(cur, ch, next)
				c := next.c
				if ch.pre != preNone { // a crash or a restart just before
					pre := ch.preCommand()
					pre.Node = perm[pre.Node]
					d.Tick()
					if _, err := d.Apply(pre); err != nil {
						t.Fatalf("%s: the renamed %v cannot be taken: %v", tc.name, pre.Kind, err)
					}
				}
				d.Tick()
				if _, err := d.Apply(dcmd); err != nil {
					t.Fatalf("%s: the renamed step %+v cannot be taken: %v", tc.name, dcmd, err)
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
