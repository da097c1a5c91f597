package quorum

import (
	"slices"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/ring"
	"github.com/ringlab/ringlab/render/frame"
)

// The walk drawn for every key is core/ring's, over a ring rebuilt from the
// View: it skips only points of servers already chosen, and its chosen
// servers are the cluster's own preference list.
func TestReplicationWalkSkipsChosenServersAndMatchesCore(t *testing.T) {
	l := newLab(t, "replication")
	c := l.Chapter().(*Replication)
	v := l.View()
	rebuilt := c.ringOf(v).Points()
	if len(rebuilt) != len(v.Ring) {
		t.Fatalf("rebuilt ring has %d points, the view %d", len(rebuilt), len(v.Ring))
	}
	for i, p := range rebuilt {
		if q := v.Ring[i]; p.Hash != q.Hash || p.Node != q.Node || p.Index != q.Index {
			t.Fatalf("point %d: rebuilt %+v, view %+v", i, p, q)
		}
	}
	skipping := 0
	for _, key := range replicationKeys {
		steps := c.walk(v, key)
		var chosen []core.NodeID
		for i, s := range steps {
			already := slices.Contains(chosen, s.Point.Node)
			if s.Chosen == already {
				t.Errorf("%s step %d (%s): chosen=%v but its server was already chosen=%v",
					key, i, ring.VNodeLabel(s.Point.Node, s.Point.Index), s.Chosen, already)
			}
			if s.Chosen {
				chosen = append(chosen, s.Point.Node)
			} else {
				skipping++
			}
		}
		want := l.Timeline().Cluster().PreferenceList(key, v.Config.N)
		if !slices.Equal(chosen, want) {
			t.Errorf("%s: walk chose %v, core's preference list is %v", key, chosen, want)
		}
		if len(chosen) != v.Config.N {
			t.Errorf("%s: %d distinct servers, want N=%d", key, len(chosen), v.Config.N)
		}
	}
	if skipping == 0 {
		t.Error("no key's walk skips a virtual node: the chapter would never show a skip")
	}
	if !hasSkip(c.walk(v, replicationKeys[c.key])) {
		t.Errorf("the chapter opens on %s, whose walk skips nothing", replicationKeys[c.key])
	}
}

func TestReplicationSurvivesNMinusOneFailures(t *testing.T) {
	l := newLab(t, "replication")
	c := l.Chapter().(*Replication)
	key := replicationKeys[c.key]
	pref := l.Timeline().Cluster().PreferenceList(key, 3)
	run(t, l, 20) // the preset's writes reach every replica

	read := func() core.Op {
		t.Helper()
		click(t, l, c.read)
		id := c.lastGet
		run(t, l, 40) // longer than the request timeout
		op, ok := l.Timeline().Cluster().Op(id)
		if !ok || op.ReturnTick < 0 {
			t.Fatalf("read %d did not finish: %+v", id, op)
		}
		if contains(pref, op.Coordinator) {
			t.Errorf("the read went through replica %v; it should fan out from a non-replica", op.Coordinator)
		}
		return op
	}
	cases := []struct {
		name   string
		crash  int // replicas crashed in total before the read
		wantOK bool
	}{
		{"all replicas up", 0, true},
		{"one replica down", 1, true},
		{"N-1 replicas down", 2, true},
		{"all N replicas down", 3, false},
	}
	crashed := 0
	for _, tc := range cases {
		for crashed < tc.crash {
			click(t, l, c.crash)
			crashed++
		}
		for i, id := range pref {
			if up := nodeOf(l.View(), id).Up; up != (i >= crashed) {
				t.Fatalf("%s: replica %d (%v) up=%v after %d crashes in preference order", tc.name, i+1, id, up, crashed)
			}
		}
		op := read()
		if op.OK != tc.wantOK {
			t.Fatalf("%s: read ok=%v (%s), want ok=%v", tc.name, op.OK, op.Err, tc.wantOK)
		}
		if !tc.wantOK {
			if !c.crash.Disabled {
				t.Errorf("%s: the crash button should be disabled with every replica down", tc.name)
			}
			continue
		}
		if want := []string{key[:1] + "1"}; !slices.Equal(op.Values, want) {
			t.Errorf("%s: read answered %v, want %v", tc.name, op.Values, want)
		}
		// The answer came from a replica that is still up: the one the
		// trace shows replying first.
		if len(c.getReplies) == 0 || !slices.Contains(pref[crashed:], c.getReplies[0]) {
			t.Errorf("%s: answered by %v; the replicas still up are %v", tc.name, c.getReplies, pref[crashed:])
		}
		if !hasText(l, "answered "+key[:1]+"1") {
			t.Errorf("%s: the answer is not on screen: %q", tc.name, texts(l, frame.LayerScene))
		}
	}
	if !hasText(l, "FAILED") {
		t.Errorf("the failed read is not on screen: %q", texts(l, frame.LayerScene))
	}
	click(t, l, c.restart)
	for _, id := range pref {
		if !nodeOf(l.View(), id).Up {
			t.Errorf("restart left %v down", id)
		}
	}
}

// The signature: the walk, step by step, in the strip under the ring, with
// the replicas numbered and the skipped points named.
func TestReplicationShowsTheWalk(t *testing.T) {
	l := newLab(t, "replication")
	c := l.Chapter().(*Replication)
	steps := c.walk(l.View(), replicationKeys[c.key])
	if hasText(l, "replica 3") {
		t.Error("the whole walk shows at tick 0: it should unfold step by step")
	}
	run(t, l, walkTicksPerStep*len(steps))
	for i, s := range steps {
		if !hasText(l, ring.VNodeLabel(s.Point.Node, s.Point.Index)) {
			t.Errorf("step %d (%s) is not in the strip", i, ring.VNodeLabel(s.Point.Node, s.Point.Index))
		}
		if !s.Chosen && !hasText(l, "skip: "+s.Point.Node.String()+" has it") {
			t.Errorf("skipped step %d is not marked as skipped", i)
		}
	}
	for _, want := range []string{"replica 1", "replica 2", "replica 3", "key " + replicationKeys[c.key]} {
		if !hasText(l, want) {
			t.Errorf("%q is not on screen", want)
		}
	}
	// Picking another key starts its walk over.
	c.keyList.OnChange((c.key + 1) % len(replicationKeys))
	l.Update(idle(), desktop)
	if hasText(l, "replica 3") {
		t.Error("a new key's walk should start over")
	}
}
