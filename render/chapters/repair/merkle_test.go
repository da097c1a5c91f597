package repair

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
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

// A course page opens the chapter at tick 0 (tick=0 in its link), while the
// preset's workload is still writing. The buttons wait for it, saying so on screen; pressed on
// the first frame each is enabled, the exchange still repairs exactly the
// two missed keys with few hashes.
func TestMerkleEarliestPresses(t *testing.T) {
	for _, seed := range []uint64{1, 2, 5} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			l, err := lab.New(Chapters(), measure, lab.OptionsFromFragment(fmt.Sprintf("#v=1&chapter=merkle&seed=%d&tick=0", seed), lab.Options{Paused: true}))
			if err != nil {
				t.Fatal(err)
			}
			update(t, l)
			if tick := l.View().Tick; tick != 0 {
				t.Fatalf("the link opened at tick %d, want 0 (before the workload)", tick)
			}
			ch := l.Chapter().(*Merkle)
			if !ch.diverge.Disabled || !ch.sync.Disabled {
				t.Fatalf("at tick 0 the buttons are enabled (diverge %v, sync %v), want both disabled while the workload writes",
					!ch.diverge.Disabled, !ch.sync.Disabled)
			}
			if !hasText(l, "Setting up: writing the chapter's keys") {
				t.Errorf("no setting-up line at tick 0; scene texts: %q", sceneTexts(l))
			}
			waitEnabled := func(b *ui.Button) {
				t.Helper()
				for range 1000 {
					if !b.Disabled {
						return
					}
					advance(t, l, 1)
				}
				t.Fatalf("button %q still disabled at tick %d", b.Label, l.View().Tick)
			}
			waitEnabled(ch.diverge)
			p := workloadProgress(l.View(), l.Timeline().Cluster().History())
			if !p.written || p.done != p.total || !l.View().Config.ReadRepair {
				t.Fatalf("diverge enabled at tick %d with the workload at %+v, read repair %v", l.View().Tick, p, l.View().Config.ReadRepair)
			}
			t.Logf("enabled at tick %d", l.View().Tick)
			click(t, l, ch.diverge)
			waitEnabled(ch.sync)
			cold, hot := chapterKeys(l.Timeline().Cluster())
			if got := missedKeys(l.View()); got != 2 {
				t.Fatalf("n1 misses %d keys when Compare is enabled, want 2 (%s, %s)", got, cold, hot)
			}
			click(t, l, ch.sync)
			advance(t, l, 60)
			ex := ch.ex
			slices.Sort(ex.Repaired)
			want := []string{cold, hot}
			slices.Sort(want)
			if !slices.Equal(ex.Repaired, want) {
				t.Errorf("the exchange repaired %v, want exactly %v", ex.Repaired, want)
			}
			if ex.Hashes*4 > ex.KeysInRanges {
				t.Errorf("%d hashes exchanged for %d keys in the compared ranges: want under a quarter", ex.Hashes, ex.KeysInRanges)
			}
			if ex.KeysSent*4 > ex.KeysInRanges {
				t.Errorf("%d keys sent of %d in the compared ranges: want only the differing buckets' (under a quarter)", ex.KeysSent, ex.KeysInRanges)
			}
			t.Logf("hashes %d, keys in ranges %d, keys sent %d", ex.Hashes, ex.KeysInRanges, ex.KeysSent)
		})
	}
}

// The desktop's -do flags press the chapter's buttons one frame apart, so
// a figure of an exchange can be made from the command line: miss two
// writes, let the run go on, compare the trees.
func TestMerkleFromACommandSequence(t *testing.T) {
	l := newLab(t, "merkle", 1)
	err := l.CommandSequence([]string{
		`{"type":"press","value":"merkle-diverge"}`,
		`{"type":"run","value":60}`,
		`{"type":"press","value":"merkle-sync"}`,
		`{"type":"run","value":60}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		update(t, l)
		if n := l.Notice(); n != "" {
			t.Fatalf("notice while the sequence ran: %s", n)
		}
	}
	ex := l.Chapter().(*Merkle).ex
	if !ex.started || len(ex.Repaired) != 2 {
		t.Fatalf("after the sequence the exchange started %v and repaired %v, want the two missed keys", ex.started, ex.Repaired)
	}
	if got := missedKeys(l.View()); got != 0 {
		t.Errorf("n1 still misses %d keys", got)
	}
}

// hexLabels are the scene's four-hex-digit labels (the trees' hashes), by
// side of the picture: left of x are n0's, right of it n1's, each side's
// in drawing order (the root first).
func hexLabels(l *lab.Lab, x float32) (left, right []frame.Text) {
	for _, tx := range l.Frame().Layers[frame.LayerScene].Texts {
		if len(tx.S) != 4 || strings.Trim(tx.S, "0123456789abcdef") != "" {
			continue
		}
		if tx.X < x {
			left = append(left, tx)
		} else {
			right = append(right, tx)
		}
	}
	return left, right
}

// After "Compare trees" repaired n1, the picture shows the exchange as it
// happened: each tree's hashes as they were compared (the roots differed,
// so their labels differ), taken from the comparisons' events, with the
// repaired leaves marked; that the trees are in sync now is a separate
// line. Scrubbing back into the exchange and forward again, or reopening
// the run from its link, draws the same.
func TestMerklePictureShowsTheExchangeAsCompared(t *testing.T) {
	l := newLab(t, "merkle", 1)
	ch := l.Chapter().(*Merkle)
	click(t, l, ch.diverge)
	advance(t, l, 60)
	click(t, l, ch.sync)
	advance(t, l, 3)
	if !hasText(l, "under way") || hasText(l, "in sync") {
		t.Errorf("while the exchange runs the picture does not say so; scene texts: %q", sceneTexts(l))
	}
	advance(t, l, 57)
	if !hasText(l, "in sync") || !hasText(l, fmt.Sprintf("Now, tick %d", l.View().Tick)) {
		t.Errorf("no \"Now, tick %d: in sync\" line after the repair; scene texts: %q", l.View().Tick, sceneTexts(l))
	}
	mid := float32(desktop.W-340) / 2 // the side panel is on the right
	left, right := hexLabels(l, mid)
	if len(left) == 0 || len(left) != len(right) {
		t.Fatalf("hash labels: %d on n0's side, %d on n1's, want the same positive number", len(left), len(right))
	}
	if left[0].S == right[0].S {
		t.Errorf("both roots are labelled %s, though the exchange found them different: the picture shows the trees now, not as compared", left[0].S)
	}
	// The root labels are the root comparison's hashes.
	var root core.Event
	for _, e := range ch.trace.Events {
		if e.Kind == core.EvMerkleCompare && e.Level == 0 && e.Range == ch.ex.Shown && e.Tick == ch.ex.start {
			root = e
		}
	}
	a, b := root.Hash, root.PeerHash
	if root.From == merkleB {
		a, b = b, a
	}
	if want := [2]string{fmt.Sprintf("%04x", a>>48), fmt.Sprintf("%04x", b>>48)}; [2]string{left[0].S, right[0].S} != want {
		t.Errorf("root labels %s and %s, want the compared hashes %s and %s", left[0].S, right[0].S, want[0], want[1])
	}
	// Every compared node is labelled; the labels differ exactly where the
	// comparison found the hashes different.
	states, hashes := ch.ex.compared(l.View().Config.MerkleDepth, merkleA, merkleB)
	for lv := range states {
		for i, st := range states[lv] {
			if st != notCompared && (hashes[0][lv][i] == hashes[1][lv][i]) != (st == comparedEqual) {
				t.Errorf("node %d.%d: hashes %x and %x, state %d", lv, i, hashes[0][lv][i], hashes[1][lv][i], st)
			}
		}
	}
	if !hasText(l, "repaired on n1") {
		t.Errorf("the differing buckets do not name the repaired keys; scene texts: %q", sceneTexts(l))
	}
	before := sceneTexts(l)
	end := l.View().Tick
	mustCommand(t, l, fmt.Sprintf(`{"type":"seek","value":%d}`, ch.ex.start+1))
	update(t, l)
	mustCommand(t, l, fmt.Sprintf(`{"type":"seek","value":%d}`, end))
	update(t, l)
	if after := sceneTexts(l); !slices.Equal(before, after) {
		t.Errorf("after scrubbing back into the exchange and forward again the picture says\n%q\nwant\n%q", after, before)
	}
	link := l.Link()
	k, err := lab.New(Chapters(), measure, lab.OptionsFromFragment(link[strings.Index(link, "#"):], lab.Options{Paused: true}))
	if err != nil {
		t.Fatal(err)
	}
	update(t, k)
	if got := sceneTexts(k); !slices.Equal(before, got) {
		t.Errorf("the run reopened from its link says\n%q\nwant\n%q", got, before)
	}
}

// The legend names all four marks, on a second row where one does not
// hold them (a 960x600 window), not the first two alone.
func TestMerkleLegendKeepsEveryEntry(t *testing.T) {
	for _, sz := range []lab.Size{desktop, {W: 960, H: 600, Scale: 1}} {
		l := newLab(t, "merkle", 1)
		l.Update(idle(), sz)
		l.Update(idle(), sz)
		joined := strings.Join(sceneTexts(l), "\n")
		for _, want := range []string{"hashes differed: both children compared", "hashes equal: subtree skipped", "never compared", "key repaired"} {
			if !strings.Contains(joined, "\n"+want+"\n") && !strings.HasSuffix(joined, "\n"+want) {
				t.Errorf("%vx%v: the legend lacks %q", sz.W, sz.H, want)
			}
		}
	}
}

// In a course page's frame too short for the legend's two rows, one row
// keeps what fits on it rather than the legend going.
func TestMerkleLegendKeepsARowInAShortFrame(t *testing.T) {
	l, err := lab.New(Chapters(), measure, lab.Options{Chapter: "merkle", Seed: 1, Paused: true, Embed: true})
	if err != nil {
		t.Fatal(err)
	}
	sz := lab.Size{W: 728, H: 480, Scale: 1}
	l.Update(idle(), sz)
	l.Update(idle(), sz)
	joined := strings.Join(sceneTexts(l), "\n")
	if !strings.Contains(joined, "hashes differed: both children compared") {
		t.Errorf("the legend in a 728x480 frame: %q", joined)
	}
}
