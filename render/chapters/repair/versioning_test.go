package repair

import (
	"slices"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// The chapter's "try this", through its own buttons: two writes on the two
// sides of the partition become two siblings on every replica after the
// heal; the merge (a read, then a put of the union with the read's
// context) leaves one version; under last-write-wins with n0's clock ahead
// the same story loses one acknowledged write, which the chapter counts and
// a settled copy of the run confirms.
func TestVersioningTryThis(t *testing.T) {
	l := newLab(t, "versioning", 1)
	ch := l.Chapter().(*Versioning)
	click(t, l, ch.left)
	click(t, l, ch.right)
	advance(t, l, 60)
	if ch.graph.Live != 2 {
		t.Fatalf("during the partition: %d live versions, want 2 (milk, eggs)", ch.graph.Live)
	}
	click(t, l, ch.split) // heal
	advance(t, l, 300)
	v := l.View()
	for _, n := range l.Timeline().Cluster().PreferenceList(vcKey, v.Config.N) {
		if got := stored(v, n, vcKey); !slices.Equal(got, []string{"milk", "eggs"}) && !slices.Equal(got, []string{"eggs", "milk"}) {
			t.Errorf("after the heal replica %v stores %v, want the siblings milk and eggs", n, got)
		}
	}
	if ch.graph.Live != 2 || !hasText(l, "sibling") {
		t.Errorf("after the heal the graph shows %d live versions (sibling label shown: %v), want 2", ch.graph.Live, hasText(l, "sibling"))
	}

	click(t, l, ch.merge)
	advance(t, l, 200)
	v = l.View()
	for _, n := range l.Timeline().Cluster().PreferenceList(vcKey, v.Config.N) {
		if got := stored(v, n, vcKey); !slices.Equal(got, []string{"eggs+milk"}) {
			t.Errorf("after the merge replica %v stores %v, want [eggs+milk]", n, got)
		}
	}
	if ch.graph.Live != 1 {
		t.Errorf("after the merge %d live versions, want 1", ch.graph.Live)
	}
	merged := ch.graph.versions[len(ch.graph.versions)-1]
	if merged.Value != "eggs+milk" || merged.Depth != 1 {
		t.Errorf("newest version %+v, want eggs+milk one column right of the siblings", merged)
	}
	supersedes := 0
	for _, e := range ch.graph.edges {
		if ch.graph.versions[e.From] == merged && !e.LWW {
			supersedes++
		}
	}
	if supersedes != 2 {
		t.Errorf("the merged version has %d edges, want one to each sibling", supersedes)
	}

	// Last-write-wins with skew: the toggle splits the network again.
	ch.lww.OnChange(true)
	update(t, l)
	if v := l.View(); v.Config.Versioning != core.LWW || len(v.Groups) == 0 || v.Nodes[leftCoord].SkewTicks != skewTicks {
		t.Fatalf("after the switch: versioning %v, groups %v, n0 skew %d", v.Config.Versioning, v.Groups, v.Nodes[leftCoord].SkewTicks)
	}
	click(t, l, ch.left)
	advance(t, l, 10)
	click(t, l, ch.right)
	advance(t, l, 60)
	click(t, l, ch.split)
	advance(t, l, 300)
	g := ch.graph
	if g.key != lwwKey || g.LostAcked != 1 || g.Live != 1 {
		t.Fatalf("last-write-wins graph of %q: %d lost, %d live; want 1 lost, 1 live", g.key, g.LostAcked, g.Live)
	}
	var lost *versionNode
	for _, n := range g.versions {
		if n.Lost {
			lost = n
		}
	}
	if lost.Value != "eggs" || !lost.Acked || lost.Coord != rightCoord {
		t.Errorf("lost version %+v, want the right client's acknowledged eggs", lost)
	}
	if !hasText(l, "acknowledged write lost") || !hasText(l, "LOST, though acknowledged") {
		t.Errorf("the loss is not on screen: %q", sceneTexts(l))
	}
	rep := l.Timeline().Cluster().Clone().Settle(3000)
	if rep.LostWrites != 1 {
		t.Errorf("a settled copy of the run counts %d lost writes (%v), want 1", rep.LostWrites, rep.Lost)
	}
	checkSceneText(t, l)
}

// Right after the merge, while the merged version has reached some replicas
// and the others still hold the two siblings it replaced, the heading
// counts one current version and no card calls itself a sibling: the old
// ones are replaced, still on the replicas the merge has not reached.
func TestVersioningMergeInFlightIsNotThreeSiblings(t *testing.T) {
	l := newLab(t, "versioning", 1)
	ch := l.Chapter().(*Versioning)
	click(t, l, ch.left)
	click(t, l, ch.right)
	advance(t, l, 60)
	click(t, l, ch.split) // heal
	advance(t, l, 300)
	click(t, l, ch.merge)
	caught := false
	for range 200 {
		advance(t, l, 1)
		var merged, old int
		for _, n := range ch.graph.versions {
			switch {
			case n.Held == 0:
			case n.Value == "eggs+milk":
				merged++
			default:
				old++
			}
		}
		if merged == 0 || old == 0 {
			continue
		}
		caught = true
		if ch.graph.Live != 1 {
			t.Errorf("tick %d: %d current versions while the merge spreads, want 1", l.View().Tick, ch.graph.Live)
		}
		if hasText(l, "sibling ·") || hasText(l, "3 versions") {
			t.Errorf("tick %d: the merge's spread is shown as siblings: %q", l.View().Tick, sceneTexts(l))
		}
		if !hasText(l, "replaced; still on") {
			t.Errorf("tick %d: the replaced siblings still held are not labelled so: %q", l.View().Tick, sceneTexts(l))
		}
		break
	}
	if !caught {
		t.Fatal("never saw the merged version on some replicas and the siblings on others")
	}
}

// Switching to last-write-wins moves the clients to another key, and the
// picture says so rather than renaming the key silently.
func TestVersioningLWWSaysItChangesTheKey(t *testing.T) {
	l := newLab(t, "versioning", 1)
	ch := l.Chapter().(*Versioning)
	if !strings.Contains(ch.lww.Label, lwwKey) {
		t.Errorf("the toggle %q does not name the key it switches to", ch.lww.Label)
	}
	ch.lww.OnChange(true)
	update(t, l)
	update(t, l)
	if !hasText(l, "the clients now write “"+lwwKey+"”") {
		t.Errorf("after the switch the picture does not say the key changed: %q", sceneTexts(l))
	}
}

// Before any put the picture says which buttons make one by their names,
// not where they are (a course page's frame keeps them behind Panel).
func TestEmptyVersioningNamesItsButtons(t *testing.T) {
	l := newLab(t, "versioning", 1)
	update(t, l)
	joined := strings.Join(sceneTexts(l), " ")
	if !strings.Contains(joined, "Press Left client adds \"") || !strings.Contains(joined, " or Right client adds \"") || strings.Contains(joined, "on the right") {
		t.Errorf("the empty picture says %q", joined)
	}
}
