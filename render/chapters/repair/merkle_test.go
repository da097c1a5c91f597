package repair

import (
	"fmt"
	"slices"
	"testing"

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
