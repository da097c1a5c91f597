package core

import "testing"

// KnobsNow keeps the clock skews set while the run went: a cluster started
// with it has them from its first tick.
func TestKnobsNowKeepsTheSkewsSet(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SkewTicks = []int64{5}
	c := mustNew(t, cfg)
	c.RunUntil(10)
	for _, cmd := range []Command{{Kind: CmdSet, Param: "skew:n3", Num: 300}, {Kind: CmdSet, Param: "skew:n0", Num: -2}} {
		if _, err := c.Apply(cmd); err != nil {
			t.Fatal(err)
		}
	}
	v := c.View()
	knobs := v.KnobsNow()
	if len(v.Config.SkewTicks) != 1 || v.Config.SkewTicks[0] != 5 {
		t.Fatalf("the view's own config changed: %v", v.Config.SkewTicks)
	}
	fresh := mustNew(t, knobs)
	for _, n := range fresh.View().Nodes {
		if want := v.Nodes[n.ID].SkewTicks; n.SkewTicks != want {
			t.Errorf("n%d starts with skew %d, want %d as on screen", n.ID, n.SkewTicks, want)
		}
	}
	if fresh.View().Nodes[3].SkewTicks != 300 {
		t.Error("the skew set on n3 is not kept")
	}
}

// DownNow names the nodes crashed and not restarted, in order, and not a
// node that left the ring (it is down too, but not a member).
func TestDownNowNamesTheCrashedNodes(t *testing.T) {
	c := mustNew(t, DefaultConfig())
	c.RunUntil(10)
	if d := func() []NodeID { v := c.View(); return v.DownNow() }(); d != nil {
		t.Fatalf("every node up: DownNow() = %v", d)
	}
	for _, cmd := range []Command{{Kind: CmdCrash, Node: 3}, {Kind: CmdCrash, Node: 1}, {Kind: CmdCrash, Node: 2}, {Kind: CmdRestart, Node: 2}, {Kind: CmdLeave, Node: 4}} {
		if _, err := c.Apply(cmd); err != nil {
			t.Fatal(err)
		}
	}
	c.RunUntil(400)
	v := c.View()
	if got := v.DownNow(); len(got) != 2 || got[0] != 1 || got[1] != 3 {
		t.Errorf("DownNow() = %v, want [n1 n3]", got)
	}
}
