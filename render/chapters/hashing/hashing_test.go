package hashing

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/ring"
	"github.com/ringlab/ringlab/render/chapters/internal/chaptertest"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

var (
	measure = chaptertest.Measure
	desktop = chaptertest.Desktop
	idle    = chaptertest.Idle
)

// newLab opens the lab on one of this package's chapters, paused.
func newLab(t *testing.T, chapter string) *lab.Lab {
	t.Helper()
	return chaptertest.Open(t, Chapters(), chapter, 1)
}

// do sends page commands and runs one frame so they take effect.
func do(t *testing.T, l *lab.Lab, cmds ...string) {
	t.Helper()
	for _, c := range cmds {
		if msg := l.Command(c); msg != "" {
			t.Fatalf("%s refused: %s", c, msg)
		}
	}
	l.Update(idle(), desktop)
	if n := l.Notice(); n != "" {
		t.Fatalf("after %v the lab shows a notice: %s", cmds, n)
	}
}

const join = `{"type":"core","cmd":{"kind":"join"}}`

func leave(n core.NodeID) string {
	return fmt.Sprintf(`{"type":"core","cmd":{"kind":"leave","node":%d}}`, n)
}

// texts gathers the scene layer's labels.
func texts(l *lab.Lab) []string {
	var out []string
	for _, tx := range l.Frame().Layers[frame.LayerScene].Texts {
		out = append(out, tx.S)
	}
	return out
}

func hasText(l *lab.Lab, want string) bool {
	return slices.ContainsFunc(texts(l), func(s string) bool { return strings.Contains(s, want) })
}

func TestChapterIDsAreStableAndComplete(t *testing.T) {
	want := []string{"naive-hashing", "consistent-hashing", "virtual-nodes"}
	for i, c := range Chapters() {
		info := c.Info()
		if info.ID != want[i] {
			t.Errorf("chapter %d: id %q, want %q", i+1, info.ID, want[i])
		}
		if info.Title == "" || info.Summary == "" || info.TryThis == "" {
			t.Errorf("%s: title, summary and try-this must all be written: %+v", info.ID, info)
		}
		if err := c.Preset(7).Config.Validate(); err != nil {
			t.Errorf("%s: preset: %v", info.ID, err)
		}
	}
}

func TestMemberHistoryFollowsJoinsAndLeaves(t *testing.T) {
	cfg := core.Config{Nodes: 3, Weights: []float64{2}}
	rec := []core.Recorded{
		{Tick: 1, Cmd: core.Command{Kind: core.CmdJoin}},
		{Tick: 2, Cmd: core.Command{Kind: core.CmdPut, Key: "a"}},
		{Tick: 3, Cmd: core.Command{Kind: core.CmdLeave, Node: 1}},
		{Tick: 4, Cmd: core.Command{Kind: core.CmdJoin, Weight: 3}},
	}
	h := memberHistory(cfg, rec)
	want := []string{
		"n0*2 n1*1 n2*1 ",
		"n0*2 n1*1 n2*1 n3*1 ",
		"n0*2 n2*1 n3*1 ",
		"n0*2 n2*1 n3*1 n4*3 ",
	}
	if len(h) != len(want) {
		t.Fatalf("%d memberships, want %d", len(h), len(want))
	}
	for i := range want {
		if got := membershipKey(h[i]); got != want[i] {
			t.Errorf("after change %d: %q, want %q", i, got, want[i])
		}
	}
	ch := lastChange(cfg, rec)
	if ch.Kind != core.CmdJoin || ch.Node != 4 || ch.Tick != 4 || ch.Changes != 3 {
		t.Errorf("last change %+v, want the join of n4 at tick 4, the third change", ch)
	}
}

func TestPredictedModuloMovedMatchesACountOverKeys(t *testing.T) {
	mk := func(idList ...int) []member {
		out := make([]member, len(idList))
		for i, id := range idList {
			out[i] = member{id: core.NodeID(id), weight: 1}
		}
		return out
	}
	hashes := ring.KeyHashes(200_000)
	cases := []struct {
		name          string
		before, after []member
		formula       float64 // the closed form, where there is one; else -1
	}{
		{"4 to 5 servers", mk(0, 1, 2, 3), mk(0, 1, 2, 3, 4), 4.0 / 5},
		{"9 to 10 servers", mk(0, 1, 2, 3, 4, 5, 6, 7, 8), mk(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 9.0 / 10},
		{"the newest of 5 leaves", mk(0, 1, 2, 3, 4), mk(0, 1, 2, 3), 4.0 / 5},
		{"a middle server of 5 leaves", mk(0, 1, 2, 3, 4), mk(0, 1, 3, 4), -1},
		{"no change", mk(0, 1, 2), mk(0, 1, 2), 0},
	}
	for _, tc := range cases {
		got := predictedModuloMoved(tc.before, tc.after)
		if tc.formula >= 0 && math.Abs(got-tc.formula) > 1e-12 {
			t.Errorf("%s: predicted %v, want %v", tc.name, got, tc.formula)
		}
		counted := float64(countMoved(owners(nil, moduloOf(tc.before), hashes), owners(nil, moduloOf(tc.after), hashes))) / float64(len(hashes))
		if math.Abs(got-counted) > 0.005 {
			t.Errorf("%s: predicted %v, but %v of a 200,000-key sample moved", tc.name, got, counted)
		}
	}
}

func TestChangedArcsAgreeWithKeyByKeyOwners(t *testing.T) {
	hashes := ring.KeyHashes(20_000)
	mk := func(n int) []member {
		var out []member
		for i := range n {
			out = append(out, member{id: core.NodeID(i), weight: 1})
		}
		return out
	}
	cases := []struct {
		name          string
		before, after []member
		vnodes        int
	}{
		{"join at 1 vnode", mk(4), mk(5), 1},
		{"leave at 1 vnode", mk(5), mk(4), 1},
		{"join at 16 vnodes", mk(4), mk(5), 16},
		{"a middle server leaves at 8 vnodes", mk(5), slices.Delete(mk(5), 2, 3), 8},
	}
	for _, tc := range cases {
		before := ringOf(tc.before, tc.vnodes)
		after := ringOf(tc.after, tc.vnodes)
		var pts []core.RingPoint
		for _, p := range after.Points() {
			pts = append(pts, core.RingPoint{Hash: p.Hash, Node: p.Node, Index: p.Index})
		}
		arcs := changedArcs(before, pts)
		inArc := func(h uint64) (changedArc, bool) {
			for _, a := range arcs {
				if (a.Start < a.End && h > a.Start && h <= a.End) || (a.Start >= a.End && (h > a.Start || h <= a.End)) {
					return a, true
				}
			}
			return changedArc{}, false
		}
		for _, h := range hashes {
			from, _ := before.Owner(h)
			to, _ := after.Owner(h)
			a, in := inArc(h)
			if (from != to) != in {
				t.Fatalf("%s: key hash %#x moved %v->%v but in a changed arc: %v", tc.name, h, from, to, in)
			}
			if in && (a.From != from || a.To != to) {
				t.Fatalf("%s: key hash %#x moved %v->%v, its arc says %v->%v", tc.name, h, from, to, a.From, a.To)
			}
		}
		if tc.vnodes == 1 && len(arcs) != 1 {
			t.Errorf("%s: %d changed arcs, want exactly one with one point per server", tc.name, len(arcs))
		}
	}
}

func TestRebuiltRingMatchesTheClusterRing(t *testing.T) {
	// The "before" placements are rebuilt from the membership; the rebuild
	// must be the ring the cluster itself holds for the same members.
	l := newLab(t, "virtual-nodes")
	do(t, l, join, leave(1))
	v := l.View()
	ch := lastChange(v.Config, l.Timeline().Cluster().Recorded())
	rebuilt := ringOf(ch.After, v.Config.VNodes).Points()
	if len(rebuilt) != len(v.Ring) {
		t.Fatalf("rebuilt ring has %d points, the cluster's %d", len(rebuilt), len(v.Ring))
	}
	for i, p := range rebuilt {
		if q := v.Ring[i]; p.Hash != q.Hash || p.Node != q.Node {
			t.Fatalf("point %d: rebuilt %v@%#x, cluster %v@%#x", i, p.Node, p.Hash, q.Node, q.Hash)
		}
	}
}

// Chapter 1's try-this: a fifth server joins four.
func TestNaiveFifthServerMovesMostKeysUnderModuloAndFewOnTheRing(t *testing.T) {
	l := newLab(t, "naive-hashing")
	c := l.Chapter().(*Naive)
	if m, r := c.movedFraction(); m != 0 || r != 0 {
		t.Fatalf("before any change: moved %v under modulo, %v on the ring; want none", m, r)
	}
	do(t, l, join)
	modulo, onRing := c.movedFraction()
	t.Logf("4 -> 5 servers: %.3f moved under hash %% N, %.3f on a ring of %d points per server", modulo, onRing, c.ringVNodes)
	if modulo < 0.75 || modulo > 0.85 {
		t.Errorf("4 -> 5 servers moved %.3f of the keys under hash %% N, want 0.75..0.85", modulo)
	}
	if onRing < 0.15 || onRing > 0.25 {
		t.Errorf("4 -> 5 servers moved %.3f of the keys on the ring, want 0.15..0.25", onRing)
	}
	if math.Abs(c.predicted-0.8) > 1e-12 {
		t.Errorf("predicted %v, want N/(N+1) = 0.8", c.predicted)
	}
	// The counter on screen says the same.
	want := thousands(c.movedModulo) + " / " + thousands(naiveKeysDefault)
	if !hasText(l, want) || !hasText(l, "predicted N/(N+1) = 4/5 = 80.0%") {
		t.Errorf("the counter %q and the prediction are not on screen: %q", want, texts(l))
	}
}

func TestNaiveButtonsAreRecordedCommands(t *testing.T) {
	l := newLab(t, "naive-hashing")
	c := l.Chapter().(*Naive)
	c.add.OnClick()
	l.Update(idle(), desktop)
	do(t, l, `{"type":"step"}`, `{"type":"step"}`, `{"type":"step"}`)
	if got := c.remove.Label; got != "Remove n4" {
		t.Errorf("after a join the remove button reads %q, want Remove n4", got)
	}
	c.remove.OnClick()
	l.Update(idle(), desktop)
	rec := l.Timeline().Recorded()
	if len(rec) != 2 || rec[0].Cmd.Kind != core.CmdJoin || rec[1].Cmd.Kind != core.CmdLeave || rec[1].Cmd.Node != 4 || rec[1].Tick <= rec[0].Tick {
		t.Fatalf("recorded %+v, want a join then the leave of n4", rec)
	}
	// n4 came and went: the last change takes the 5 servers back to 4.
	if c.ch.Kind != core.CmdLeave || len(c.ch.Before) != 5 || len(c.ch.After) != 4 {
		t.Errorf("last change %+v, want n4 leaving five servers", c.ch)
	}
	// Scrubbing back before the leave shows the join again.
	l.Command(fmt.Sprintf(`{"type":"seek","value":%d}`, rec[0].Tick))
	l.Update(idle(), desktop)
	if c.ch.Kind != core.CmdJoin {
		t.Errorf("at the join's tick the chapter shows %q", c.ch.Kind)
	}
}

func TestNaiveGridHasOneSquarePerKeyAndTheCounter(t *testing.T) {
	for _, keys := range keyCounts {
		t.Run(thousands(keys)+" keys", func(t *testing.T) {
			l := newLab(t, "naive-hashing")
			c := l.Chapter().(*Naive)
			for i, n := range keyCounts {
				if n == keys {
					c.count.OnChange(i)
				}
			}
			do(t, l, join)
			area := l.Frame().Layers[frame.LayerScene]
			squares := 0
			total := 0
			for _, b := range c.blocks {
				total += len(b.Keys)
				if b.Rect.W <= 0 || b.Rect.H <= 0 {
					t.Errorf("block %v drawn with no size", b.Server)
				}
			}
			if total != keys || len(c.blocks) != 4 {
				t.Fatalf("%d keys in %d blocks, want %d keys in one block per original server", total, len(c.blocks), keys)
			}
			for i, a := range c.blocks {
				for _, b := range c.blocks[i+1:] {
					if a.Rect.Overlaps(b.Rect) {
						t.Errorf("blocks %v and %v overlap", a.Server, b.Server)
					}
				}
			}
			// One quad per key, plus a dark centre for each moved key.
			for _, bt := range area.Batches() {
				squares += len(bt.Idx) / 6
			}
			if squares < keys+c.movedModulo {
				t.Errorf("%d quads drawn for %d keys of which %d moved", squares, keys, c.movedModulo)
			}
			if c.cell < 3 {
				t.Errorf("cells of %.0f px are too small to see", c.cell)
			}
			if !hasText(l, thousands(c.movedModulo)+" / "+thousands(keys)) {
				t.Errorf("the moved counter is not on screen: %q", texts(l))
			}
		})
	}
}

// Chapter 2's try-this: a server joins, then one leaves.
func TestConsistentJoinMovesOneArcToTheNewServer(t *testing.T) {
	l := newLab(t, "consistent-hashing")
	c := l.Chapter().(*Consistent)
	do(t, l, join)
	if len(c.flows) != 1 || c.flows[0].To != 4 {
		t.Fatalf("moves %+v, want every moved key going to the new server n4", c.flows)
	}
	if len(c.arcs) != 1 || c.arcs[0].To != 4 || c.arcs[0].From != c.flows[0].From {
		t.Errorf("changed arcs %+v, want one arc handed from %v to n4", c.arcs, c.flows[0].From)
	}
	// The moved share is the new server's arc: its exact share of the ring,
	// up to sampling error.
	share := ringOf(c.ch.After, 1).ArcShares()
	var n4 float64
	for _, s := range share {
		if s.Node == 4 {
			n4 = s.Fraction
		}
	}
	moved := float64(c.moved) / float64(len(c.after))
	sigma := math.Sqrt(n4 * (1 - n4) / float64(len(c.after)))
	if math.Abs(moved-n4) > 4*sigma {
		t.Errorf("moved %.4f of the keys, but n4's arc is %.4f of the ring", moved, n4)
	}
	if !hasText(l, "all "+c.flows[0].From.String()+" to n4") {
		t.Errorf("the flow is not named on screen: %q", texts(l))
	}
}

func TestConsistentAverageMoveIsAboutOneOverNPlusOne(t *testing.T) {
	// One join's share is one random arc; over many joins it averages
	// 1/(N+1). Join servers one by one from 4 and compare the mean of
	// moved*(N+1) with 1.
	l := newLab(t, "consistent-hashing")
	c := l.Chapter().(*Consistent)
	c.count.OnChange(slices.Index(keyCounts, 10000))
	const joins = 40
	sum := 0.0
	for range joins {
		do(t, l, join)
		if len(c.flows) != 1 || c.flows[0].To != c.ch.Node {
			t.Fatalf("join of %v: moves %+v, want all to the new server", c.ch.Node, c.flows)
		}
		sum += float64(c.moved) / float64(len(c.after)) * float64(len(c.ch.After))
	}
	mean := sum / joins
	t.Logf("mean of moved share times (N+1) over %d joins: %.3f", joins, mean)
	if mean < 0.7 || mean > 1.3 {
		t.Errorf("mean of moved share times (N+1) over %d joins is %.3f, want about 1", joins, mean)
	}
}

func TestConsistentLeaveHandsTheArcToTheNextServerClockwise(t *testing.T) {
	l := newLab(t, "consistent-hashing")
	c := l.Chapter().(*Consistent)
	before := slices.Clone(l.View().Ring)
	do(t, l, leave(2))
	// The next point clockwise after n2's is its heir.
	i := slices.IndexFunc(before, func(p core.RingPoint) bool { return p.Node == 2 })
	heir := before[(i+1)%len(before)].Node
	if len(c.flows) != 1 || c.flows[0].From != 2 || c.flows[0].To != heir {
		t.Fatalf("moves %+v, want all of n2's keys to %v", c.flows, heir)
	}
}

func TestConsistentRingAndWalkAreDrawn(t *testing.T) {
	l := newLab(t, "consistent-hashing")
	c := l.Chapter().(*Consistent)
	// Every server is on the ring, at its point.
	if len(c.places) != 4 {
		t.Fatalf("%d server points drawn, want 4", len(c.places))
	}
	for _, p := range c.places {
		d := math.Hypot(p.X-c.geom.CX, p.Y-c.geom.CY)
		if math.Abs(d-c.geom.R) > 0.5 {
			t.Errorf("%v drawn %.1f px from the centre, the ring's radius is %.1f", p.ID, d, c.geom.R)
		}
		if id, ok := c.NodeAt(p.X, p.Y); !ok || id != p.ID {
			t.Errorf("a click on %v finds %v, %v", p.ID, id, ok)
		}
	}
	// The walk runs through its stages and ends at the owner the ring gives.
	_, owner, sweep, ok := c.walk(l.View())
	if !ok {
		t.Fatal("no walk")
	}
	want, _ := ringOf(c.ch.After, 1).OwnerOfKey(ring.KeyName(c.walkKey))
	if owner.Node != want {
		t.Errorf("the walk ends at %v, the ring says %v owns %s", owner.Node, want, ring.KeyName(c.walkKey))
	}
	seen := map[int]bool{}
	for range walkHashFrames + walkTurnFrames + 10 {
		st, _ := c.walkStage(sweep, false)
		seen[st] = true
		l.Update(idle(), desktop)
	}
	if !seen[0] || !seen[1] || !seen[2] {
		t.Errorf("walk stages seen %v, want 0, 1 and 2", seen)
	}
	if !hasText(l, "► 3. "+owner.Node.String()+" owns "+ring.KeyName(c.walkKey)) {
		t.Errorf("the last step is not shown as reached: %q", texts(l))
	}
	c.look.OnClick()
	if c.walkKey != walkStride {
		t.Errorf("Look up another key chose key %d, want %d", c.walkKey, walkStride)
	}
}

// vnodesCV restarts chapter 3 with the given vnodes through its slider and
// returns the std-dev/mean shown.
func vnodesCV(t *testing.T, l *lab.Lab, vnodes int) float64 {
	t.Helper()
	c := l.Chapter().(*VirtualNodes)
	c.vnodes.Set(float64(vnodes))
	l.Update(idle(), desktop)
	if got := l.View().Config.VNodes; got != vnodes {
		t.Fatalf("slider set to %d, the run has %d vnodes", vnodes, got)
	}
	if !hasText(l, fmt.Sprintf("%.3f", c.stats.CV)) {
		t.Errorf("std-dev/mean %.3f is not on screen", c.stats.CV)
	}
	return c.stats.CV
}

// Chapter 3's try-this, first half: more points even out the load.
func TestVirtualNodesEvenOutTheLoad(t *testing.T) {
	l := newLab(t, "virtual-nodes")
	one := l.Chapter().(*VirtualNodes).stats.CV
	many := vnodesCV(t, l, 256)
	if one < 4*many {
		t.Errorf("std-dev/mean %.3f at 1 vnode and %.3f at 256: want the first several times larger", one, many)
	}
	if many > 0.1 || many > 2/math.Sqrt(256) {
		t.Errorf("std-dev/mean %.3f at 256 vnodes, want under 0.1 (1/√256 = 0.0625)", many)
	}
	t.Logf("std-dev/mean: %.3f at 1 vnode, %.3f at 256", one, many)
	back := vnodesCV(t, l, 1)
	if back != one {
		t.Errorf("back at 1 vnode std-dev/mean is %.3f, was %.3f", back, one)
	}
}

// Chapter 3's try-this, second half: where a leaving server's keys go.
func TestVirtualNodesSpreadALeaversKeys(t *testing.T) {
	cases := []struct {
		vnodes        int
		receiversMin  int
		receiversMax  int
		receiversWant string
	}{
		{1, 1, 1, "exactly one"},
		{64, 2, 4, "more than one"},
		{256, 2, 4, "more than one"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d vnodes", tc.vnodes), func(t *testing.T) {
			l := newLab(t, "virtual-nodes")
			vnodesCV(t, l, tc.vnodes)
			c := l.Chapter().(*VirtualNodes)
			l.Command(`{"type":"select","value":"n2"}`)
			l.Update(idle(), desktop)
			if c.remove.Label != "Remove n2" {
				t.Fatalf("remove button reads %q", c.remove.Label)
			}
			c.remove.OnClick()
			l.Update(idle(), desktop)
			if c.leaver != 2 {
				t.Fatalf("leaver %v, want n2", c.leaver)
			}
			if n := len(c.flows); n < tc.receiversMin || n > tc.receiversMax {
				t.Errorf("n2's keys went to %d servers (%+v), want %s", n, c.flows, tc.receiversWant)
			}
			for _, f := range c.flows {
				if f.From != 2 {
					t.Errorf("a key moved %v->%v: only n2's keys may move when n2 leaves", f.From, f.To)
				}
			}
			if !hasText(l, fmt.Sprintf("went to %s", plural(len(c.flows), "server"))) {
				t.Errorf("the receivers are not named on screen: %q", texts(l))
			}
		})
	}
}

func TestVirtualNodesHistogramBarsFollowTheKeys(t *testing.T) {
	l := newLab(t, "virtual-nodes")
	c := l.Chapter().(*VirtualNodes)
	if len(c.bars) != vnodesServer {
		t.Fatalf("%d bars, want one per server (%d)", len(c.bars), vnodesServer)
	}
	// Bars are side by side, inside the scene, and their drawn heights
	// follow the key counts: the tallest bar is the busiest server.
	total := 0
	busiest := 0
	for i, s := range c.loads {
		total += s.Keys
		if s.Keys > c.loads[busiest].Keys {
			busiest = i
		}
		if i > 0 && c.bars[i].Rect.X <= c.bars[i-1].Rect.Right() {
			t.Errorf("bar %v is not right of bar %v", c.bars[i].ID, c.bars[i-1].ID)
		}
	}
	if total != vnodesKeys {
		t.Errorf("bars hold %d keys, want all %d", total, vnodesKeys)
	}
	if id, ok := c.NodeAt(c.bars[busiest].Rect.X+1, c.bars[busiest].Rect.Bottom()-1); !ok || id != c.loads[busiest].ID {
		t.Errorf("a click on the busiest bar finds %v, %v", id, ok)
	}
	if !hasText(l, c.loads[busiest].ID.String()+": "+thousands(c.loads[busiest].Keys)) {
		t.Errorf("the busiest bar's label is missing: %q", texts(l))
	}
}

func TestVirtualNodesWeightDoublesAServersShare(t *testing.T) {
	l := newLab(t, "virtual-nodes")
	vnodesCV(t, l, 256)
	c := l.Chapter().(*VirtualNodes)
	l.Command(`{"type":"select","value":"n1"}`)
	l.Update(idle(), desktop)
	c.weight.Set(2)
	l.Update(idle(), desktop)
	v := l.View()
	if len(v.Config.Weights) < 2 || v.Config.Weights[1] != 2 || v.Config.VNodes != 256 {
		t.Fatalf("after the stepper: weights %v, vnodes %d", v.Config.Weights, v.Config.VNodes)
	}
	var n1 serverLoad
	for _, s := range c.loads {
		if s.ID == 1 {
			n1 = s
		}
	}
	if n1.Points != 512 {
		t.Errorf("n1 of weight 2 has %d points, want 512", n1.Points)
	}
	// Its fair share is 2/6 of the keys; with 256 points the real share is
	// close to it.
	if math.Abs(float64(n1.Keys)/n1.Fair-1) > 0.2 {
		t.Errorf("n1 holds %d keys against a fair share of %.0f", n1.Keys, n1.Fair)
	}
}

// The lab's state names the chapter after a join and a leave (the page
// reads it to build links).
func TestStateNamesTheChapter(t *testing.T) {
	for _, id := range []string{"naive-hashing", "consistent-hashing", "virtual-nodes"} {
		l := newLab(t, id)
		do(t, l, join, `{"type":"step"}`)
		do(t, l, leave(1))
		var st lab.State
		if err := json.Unmarshal([]byte(l.State()), &st); err != nil {
			t.Fatal(err)
		}
		if st.Chapter != id {
			t.Errorf("state names chapter %q, want %q", st.Chapter, id)
		}
	}
}

func TestControlsAreReachedByTabInPanelOrder(t *testing.T) {
	want := map[string][]string{
		"naive-hashing":      {"naive-add", "naive-remove", "naive-keys"},
		"consistent-hashing": {"ring-add", "ring-remove", "ring-lookup", "ring-keys"},
		"virtual-nodes":      {"vnodes", "vnodes-server", "vnodes-weight", "vnodes-remove"},
	}
	for id, ids := range want {
		l := newLab(t, id)
		var order []string
		for range 30 {
			l.Update(&ui.Input{Keys: []ui.Key{ui.KeyTab}, MouseX: -1, MouseY: -1}, desktop)
			if f := l.Focus(); slices.Contains(ids, f) {
				order = append(order, f)
			}
		}
		// Tab wraps, so each control is met at least once; the first
		// visits must be in panel order.
		if len(order) < len(ids) || !slices.Equal(order[:len(ids)], ids) {
			t.Errorf("%s: Tab met the chapter's controls as %v, want %v first", id, order, ids)
		}
	}
}

func TestKeyboardAddsAServer(t *testing.T) {
	l := newLab(t, "naive-hashing")
	for i := 0; i < 30 && l.Focus() != "naive-add"; i++ {
		l.Update(&ui.Input{Keys: []ui.Key{ui.KeyTab}, MouseX: -1, MouseY: -1}, desktop)
	}
	if l.Focus() != "naive-add" {
		t.Fatalf("Tab never reached Add a server; focus is %q", l.Focus())
	}
	l.Update(&ui.Input{Keys: []ui.Key{ui.KeyEnter}, MouseX: -1, MouseY: -1}, desktop)
	if rec := l.Timeline().Recorded(); len(rec) != 1 || rec[0].Cmd.Kind != core.CmdJoin {
		t.Errorf("Enter on Add a server recorded %+v, want one join", rec)
	}
}
