package repair

import (
	"slices"
	"testing"
)

// The chapter's "try this": after n1 misses a write of one cold key, one
// exchange n0 <-> n1 repairs exactly that key, and the hashes it sent are
// far fewer than the keys in the compared ranges.
func TestMerkleTryThis(t *testing.T) {
	l := newLab(t, "merkle", 1)
	ch := l.Chapter().(*Merkle)
	click(t, l, ch.diverge)
	advance(t, l, 60)
	if len(l.View().Groups) != 0 {
		t.Fatalf("the partition did not heal after the writes")
	}
	cold, hot := chapterKeys(l.Timeline().Cluster())
	if got := missedKeys(l.View()); got != 2 {
		t.Fatalf("n1 misses %d keys, want 2 (%s, %s)", got, cold, hot)
	}
	click(t, l, ch.sync)
	advance(t, l, 60)
	ex := ch.ex
	if !ex.started {
		t.Fatal("no exchange seen")
	}
	slices.Sort(ex.Repaired)
	want := []string{cold, hot}
	slices.Sort(want)
	if !slices.Equal(ex.Repaired, want) {
		t.Errorf("the exchange repaired %v, want exactly %v", ex.Repaired, want)
	}
	if ex.Hashes*4 > ex.KeysInRanges {
		t.Errorf("%d hashes exchanged for %d keys in the compared ranges: want under a quarter", ex.Hashes, ex.KeysInRanges)
	}
	if got := missedKeys(l.View()); got != 0 {
		t.Errorf("n1 still misses %d keys after the exchange", got)
	}
	t.Logf("hashes %d, keys in ranges %d, keys sent %d, ranges %d", ex.Hashes, ex.KeysInRanges, ex.KeysSent, len(ex.ranges))
	checkSceneText(t, l)
}
