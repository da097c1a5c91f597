package repair

import (
	"slices"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// The chapter's "try this": crash n2; every running node marks it suspect
// and then dead within the configured timeouts (plus one gossip round, the
// period at which a node revises its beliefs); a write n2 should store goes
// to a stand-in with a hint, which is handed off after n2 restarts.
func TestFailuresTryThis(t *testing.T) {
	l := newLab(t, "failures", 1)
	ch := l.Chapter().(*Failures)
	advance(t, l, 60)
	if d, _ := viewsDiffer(l.View()); d != 0 {
		t.Fatalf("before any failure %d views differ", d)
	}
	cfg := l.View().Config
	click(t, l, ch.crash)
	crashTick := l.View().Tick
	advance(t, l, int(cfg.DeadAfterTicks+2*cfg.GossipIntervalTicks))
	d, ok := latestDetection(ch.trace.Events, l.View())
	if !ok || d.node != defaultVictim || d.crashTick != crashTick {
		t.Fatalf("detection %+v, want the crash of n2 at tick %d", d, crashTick)
	}
	if d.live != 4 || d.suspect != 4 || d.dead != 4 {
		t.Fatalf("of %d running nodes %d suspect and %d dead n2, want all 4", d.live, d.suspect, d.dead)
	}
	if bound := cfg.SuspectAfterTicks + cfg.GossipIntervalTicks; d.suspectTicks > bound {
		t.Errorf("first suspicion %d ticks after the crash, want within %d", d.suspectTicks, bound)
	}
	// n2's last heartbeat may still travel from node to node after the
	// crash, so a viewer's clock starts when it last heard one: it marks n2
	// dead after DeadAfterTicks of silence, at its next gossip round.
	if bound := cfg.DeadAfterTicks + 3*cfg.GossipIntervalTicks; d.deadTicksMax < 0 || d.deadTicksMax > bound {
		t.Errorf("last node marked n2 dead %d ticks after the crash, want within %d", d.deadTicksMax, bound)
	}
	deadAt := map[core.NodeID]int64{}
	for _, e := range ch.trace.Events {
		if e.Kind == core.EvMembership && e.Peer == defaultVictim && e.Status == core.Dead {
			deadAt[e.From] = e.Tick
		}
	}
	for _, n := range l.View().Nodes {
		if !n.Up {
			continue
		}
		m, _ := memberOf(n.Membership, defaultVictim)
		if m.Status != core.Dead {
			t.Errorf("%v believes n2 is %v", n.ID, m.Status)
			continue
		}
		if silence := deadAt[n.ID] - m.HeardTick; silence <= cfg.DeadAfterTicks || silence > cfg.DeadAfterTicks+cfg.GossipIntervalTicks {
			t.Errorf("%v marked n2 dead after %d ticks of silence, want in (%d, %d]", n.ID, silence, cfg.DeadAfterTicks, cfg.DeadAfterTicks+cfg.GossipIntervalTicks)
		}
	}
	if !hasText(l, "n2 down") || !hasText(l, "marked it dead") {
		t.Errorf("the crash and its detection are not on screen: %q", sceneTexts(l))
	}

	click(t, l, ch.write)
	advance(t, l, 40)
	key, _ := ownedKey(l.Timeline().Cluster(), defaultVictim, cfg.N)
	standIn := core.NoNode
	for _, n := range l.View().Nodes {
		for _, h := range n.Hints {
			if h.For == defaultVictim && h.Key == key {
				standIn = n.ID
			}
		}
	}
	if standIn == core.NoNode {
		t.Fatalf("no stand-in holds a hint for n2's key %s", key)
	}
	if !hasText(l, "hint: "+key) {
		t.Errorf("the hint is not drawn: %q", sceneTexts(l))
	}

	click(t, l, ch.crash) // restart
	advance(t, l, int(4*cfg.HandoffIntervalTicks+4*cfg.GossipIntervalTicks))
	v := l.View()
	if got := stored(v, defaultVictim, key); !slices.Equal(got, []string{"v1"}) {
		t.Errorf("after the restart n2 stores %v for %s, want [v1]", got, key)
	}
	if len(v.Nodes[standIn].Hints) != 0 {
		t.Errorf("stand-in %v still holds %+v", standIn, v.Nodes[standIn].Hints)
	}
	d, _ = latestDetection(ch.trace.Events, v)
	if !d.restarted || d.handedOff != 1 {
		t.Errorf("after the restart: %+v, want one hint handed off", d)
	}
	checkSceneText(t, l)
}

// A join is a membership change that spreads by gossip: right after it the
// views differ (the others have not heard of the new node), and within a
// few gossip rounds they agree again.
func TestFailuresJoinSpreadsByGossip(t *testing.T) {
	l := newLab(t, "failures", 3)
	ch := l.Chapter().(*Failures)
	advance(t, l, 30)
	click(t, l, ch.join)
	advance(t, l, 2)
	if d, live := viewsDiffer(l.View()); live != 6 || d == 0 {
		t.Fatalf("just after the join %d of %d views differ, want some", d, live)
	}
	if !hasText(l, "differ") {
		t.Errorf("disagreement not on screen: %q", sceneTexts(l))
	}
	for round := 0; round < 20; round++ {
		advance(t, l, 6)
		if d, _ := viewsDiffer(l.View()); d == 0 {
			if !hasText(l, "views agree") {
				t.Errorf("agreement not on screen")
			}
			return
		}
	}
	t.Errorf("views still differ 120 ticks after the join")
}

// A running node is "suspected" by the nodes that cannot hear it, not by
// everyone: across a partition of {n0 n1} from {n2 n3 n4}, the label says
// how many of the running nodes hold the suspicion.
func TestFailuresSuspicionSaysWhose(t *testing.T) {
	l := newLab(t, "failures", 1)
	mustCommand(t, l, `{"type":"core","cmd":{"kind":"partition","groups":[[0,1],[2,3,4]]}}`)
	update(t, l)
	cfg := l.View().Config
	advance(t, l, int(cfg.SuspectAfterTicks+3*cfg.GossipIntervalTicks))
	if !hasText(l, "n0 suspected by 3 of 4") {
		t.Errorf("n0's label does not say that the 3 nodes across the partition suspect it: %q", sceneTexts(l))
	}
	for _, s := range sceneTexts(l) {
		if strings.HasSuffix(s, " suspected") {
			t.Errorf("label %q does not say whose suspicion it is", s)
		}
	}
}
