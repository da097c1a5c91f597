package repair

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/chapters/internal/layoutcheck"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
)

// Every chapter, in its story's busiest moment, at every window size from a
// 480x360 iframe to a 2x desktop: no label overlaps another or leaves the
// picture, none is under 13 px at 1x, every glyph exists.
func TestPicturesAreReadable(t *testing.T) {
	cases := []struct {
		id    string
		story layoutcheck.Story
	}{
		{"versioning", func(t *testing.T, l *lab.Lab, c lab.Chapter) {
			ch := c.(*Versioning)
			click(t, l, ch.left)
			click(t, l, ch.right)
			click(t, l, ch.split)
			advance(t, l, 200)
			click(t, l, ch.merge)
			advance(t, l, 100)
			click(t, l, ch.left)
			advance(t, l, 30)
		}},
		{"merkle", func(t *testing.T, l *lab.Lab, c lab.Chapter) {
			ch := c.(*Merkle)
			click(t, l, ch.diverge)
			advance(t, l, 60)
			click(t, l, ch.read)
			click(t, l, ch.sync)
			advance(t, l, 60)
		}},
		{"failures", func(t *testing.T, l *lab.Lab, c lab.Chapter) {
			ch := c.(*Failures)
			click(t, l, ch.crash)
			advance(t, l, 50)
			click(t, l, ch.write)
			click(t, l, ch.join)
			advance(t, l, 20)
		}},
	}
	for _, tc := range cases {
		layoutcheck.Check(t, Chapters, measure, tc.id, tc.story)
	}
}

// findText returns the first scene label containing sub.
func findText(l *lab.Lab, sub string) (frame.Text, bool) {
	for _, tx := range l.Frame().Layers[frame.LayerScene].Texts {
		if strings.Contains(tx.S, sub) {
			return tx, true
		}
	}
	return frame.Text{}, false
}

// The version graph: after the merge the two siblings are cards with their
// clocks, and the merged version's card stands to their right.
func TestVersionGraphIsDrawn(t *testing.T) {
	l := newLab(t, "versioning", 1)
	ch := l.Chapter().(*Versioning)
	click(t, l, ch.left)
	click(t, l, ch.right)
	click(t, l, ch.split)
	advance(t, l, 200)
	click(t, l, ch.merge)
	advance(t, l, 100)
	milk, ok1 := findExact(l, "milk")
	eggs, ok2 := findExact(l, "eggs")
	merged, ok3 := findExact(l, "eggs+milk")
	if !ok1 || !ok2 || !ok3 {
		t.Fatalf("cards missing: %q", sceneTexts(l))
	}
	if milk.X != eggs.X || merged.X <= milk.X+100 {
		t.Errorf("siblings at x=%v and %v, merge at x=%v: want siblings in one column and the merge to their right", milk.X, eggs.X, merged.X)
	}
	for _, clock := range []string{"[n0:1]", "[n3:1]", "n2:1"} {
		if !hasText(l, clock) {
			t.Errorf("clock %s not drawn: %q", clock, sceneTexts(l))
		}
	}
}

// The two trees: n0's on the left, n1's on the right, each with the
// compared nodes that differed from the root down to a leaf.
func TestMerkleTreesAreDrawnSideBySide(t *testing.T) {
	l := newLab(t, "merkle", 1)
	ch := l.Chapter().(*Merkle)
	click(t, l, ch.diverge)
	advance(t, l, 60)
	click(t, l, ch.sync)
	advance(t, l, 60)
	left, ok1 := findText(l, "n0's tree")
	right, ok2 := findText(l, "n1's tree")
	if !ok1 || !ok2 || right.X <= left.X+200 || right.Y != left.Y {
		t.Fatalf("tree titles at %+v and %+v: want n1's to the right of n0's on one line", left, right)
	}
	depth := l.View().Config.MerkleDepth
	states := ch.ex.states(depth)
	for lv := range depth + 1 {
		if !containsState(states[lv], comparedDiffer) {
			t.Errorf("level %d has no differing node: the descent did not reach the leaves", lv)
		}
	}
	if !containsState(states[1], comparedEqual) && !containsState(states[2], comparedEqual) {
		t.Errorf("no equal subtree was skipped: %v", states)
	}
	mid := right.X - 30 // the right tree's title starts after its node glyph
	// Hash labels on a differing (vermillion) box are black.
	var differL, differR int
	for _, tx := range l.Frame().Layers[frame.LayerScene].Texts {
		if tx.C == scene.Black && len(tx.S) == 4 {
			if tx.X < mid {
				differL++
			} else {
				differR++
			}
		}
	}
	if differL == 0 || differL != differR {
		t.Errorf("%d differing nodes labelled on the left, %d on the right: want the same, at least one", differL, differR)
	}
	for _, id := range []core.NodeID{merkleA, merkleB} {
		levels, ok := l.Timeline().Cluster().MerkleTree(id, ch.ex.Shown)
		if !ok {
			t.Fatalf("%v has no tree of the shown range", id)
		}
		if root := fmt.Sprintf("%04x", levels[0][0]>>48); !hasText(l, root) {
			t.Errorf("%v's root hash %s is not drawn", id, root)
		}
	}
	if !hasText(l, "bucket") || !hasText(l, "cold:") {
		t.Errorf("the differing buckets' keys are not listed: %q", sceneTexts(l))
	}
}

// findExact returns the scene label that is exactly s.
func findExact(l *lab.Lab, s string) (frame.Text, bool) {
	for _, tx := range l.Frame().Layers[frame.LayerScene].Texts {
		if tx.S == s {
			return tx, true
		}
	}
	return frame.Text{}, false
}

func containsState(s []nodeState, want nodeState) bool {
	for _, x := range s {
		if x == want {
			return true
		}
	}
	return false
}

// The membership matrix: one column per node and, for each running viewer,
// one heartbeat per node; a crashed viewer's row says it has no view.
func TestMembershipMatrixIsDrawn(t *testing.T) {
	l := newLab(t, "failures", 1)
	ch := l.Chapter().(*Failures)
	advance(t, l, 30)
	click(t, l, ch.crash)
	advance(t, l, 10)
	v := l.View()
	numbers := 0
	for _, tx := range l.Frame().Layers[frame.LayerScene].Texts {
		if _, err := strconv.ParseUint(tx.S, 10, 64); err == nil {
			numbers++
		}
	}
	up := 0
	for _, n := range v.Nodes {
		if n.Up {
			up++
		}
	}
	if want := up * len(v.Nodes); numbers < want {
		t.Errorf("%d heartbeat cells drawn, want %d (%d running viewers x %d nodes)", numbers, want, up, len(v.Nodes))
	}
	if !hasText(l, "no view") {
		t.Errorf("the crashed viewer's row is not marked")
	}
	for _, n := range v.Nodes {
		if _, ok := findText(l, n.ID.String()); !ok {
			t.Errorf("no header for %v", n.ID)
		}
	}
	if m, _ := memberOf(v.Nodes[0].Membership, core.NodeID(defaultVictim)); m.Heartbeat == 0 {
		t.Errorf("n0 never heard a heartbeat of n2 before the crash")
	}
}
