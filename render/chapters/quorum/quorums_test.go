package quorum

import (
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
)

func TestOverlapSentence(t *testing.T) {
	cases := []struct {
		name    string
		n, w, r int
		want    string
		overlap bool
	}{
		{"majorities", 3, 2, 2, "W + R = 4 > N = 3: at least one replica is in both", true},
		{"one and one", 3, 1, 1, "W + R = 2 <= N = 3: the sets can miss each other", false},
		{"exactly N", 4, 2, 2, "W + R = 4 <= N = 4: the sets can miss each other", false},
		{"write all, read one", 3, 3, 1, "W + R = 4 > N = 3: at least one replica is in both", true},
	}
	for _, tc := range cases {
		got, overlap := OverlapSentence(tc.n, tc.w, tc.r)
		if got != tc.want || overlap != tc.overlap {
			t.Errorf("%s: %q overlap=%v, want %q overlap=%v", tc.name, got, overlap, tc.want, tc.overlap)
		}
	}
}

// setWR sets W and R with the chapter's steppers.
func setWR(t *testing.T, l *lab.Lab, w, r int) {
	t.Helper()
	c := l.Chapter().(*Quorums)
	c.w.Set(int64(w))
	c.r.Set(int64(r))
	l.Update(idle(), desktop)
	if cfg := l.View().Config; cfg.W != w || cfg.R != r {
		t.Fatalf("after the steppers: W=%d R=%d, want %d and %d", cfg.W, cfg.R, w, r)
	}
}

// The try-this: with N=3 and a partition that leaves the writer with one
// replica, W=1 R=1 lets a read miss an acknowledged write (a stale read is
// counted), while W=2 R=2 fails the write instead and no read is stale.
func TestQuorumsStaleReadOnlyWhenSetsCanMiss(t *testing.T) {
	cases := []struct {
		name      string
		w, r      int
		writeOK   bool
		wantStale bool
	}{
		{"W=1 R=1 under a partition", 1, 1, true, true},
		{"W=2 R=2 under a partition", 2, 2, false, false},
	}
	for _, tc := range cases {
		l := newLab(t, "quorums")
		c := l.Chapter().(*Quorums)
		run(t, l, 20) // the preset's write reaches every replica
		setWR(t, l, tc.w, tc.r)
		click(t, l, c.split)
		click(t, l, c.write)
		w := c.lastWrite.id
		run(t, l, 40)
		click(t, l, c.read)
		r := c.lastRead.id
		run(t, l, 40)
		hist := kept{l.Timeline().Cluster()}
		wop, _ := hist.op(w)
		rop, _ := hist.op(r)
		if wop.OK != tc.writeOK {
			t.Errorf("%s: write ok=%v (%s), want %v", tc.name, wop.OK, wop.Err, tc.writeOK)
		}
		if !rop.OK {
			t.Errorf("%s: read failed (%s); the reader's side holds two replicas", tc.name, rop.Err)
		}
		stale := l.View().Counters.StaleReads
		if (stale > 0) != tc.wantStale || rop.Stale != tc.wantStale {
			t.Errorf("%s: stale reads %d (read stale=%v, answered %v), want stale=%v", tc.name, stale, rop.Stale, rop.Values, tc.wantStale)
		}
		// The sets drawn are those of the trace: the write acked only by the
		// replica on its side, the read answered from the other side.
		pref := l.Timeline().Cluster().PreferenceList(quorumKey, 3)
		if ws := c.lastWrite.set(); len(ws) != 1 || ws[0] != pref[0] {
			t.Errorf("%s: write set %v, want just %v (the replica on the writer's side)", tc.name, ws, pref[0])
		}
		rs := c.lastRead.set()
		if len(rs) != tc.r || contains(rs, pref[0]) {
			t.Errorf("%s: read set %v, want %d replicas from the reader's side", tc.name, rs, tc.r)
		}
		if tc.writeOK && !hasText(l, "No replica is in both sets") {
			t.Errorf("%s: the empty overlap is not stated on screen", tc.name)
		}
		if !tc.writeOK {
			// The write failed after reaching the writer's replica: no
			// read can miss it, and the line says so rather than claiming
			// the read missed the last write.
			if hasText(l, "No replica is in both sets") {
				t.Errorf("%s: the screen says the read missed the write, but the write failed", tc.name)
			}
			if want := "it reached " + pref[0].String() + ", 1 of W = 2 acks; " + pref[0].String() + " keeps v1, unacknowledged."; !hasText(l, want) {
				t.Errorf("%s: no %q on screen: %q", tc.name, want, texts(l, frame.LayerScene))
			}
			if !hasText(l, "The write failed, so a read that misses it is not stale; the read's set ("+names(rs)+") missed the replicas it reached ("+pref[0].String()+").") {
				t.Errorf("%s: the overlap line does not explain the failed write: %q", tc.name, texts(l, frame.LayerScene))
			}
		}
	}
}

// With W = N, one replica down blocks every write; restarting it lets
// writes through again.
func TestQuorumsWriteAllBlockedByOneDownReplica(t *testing.T) {
	l := newLab(t, "quorums")
	c := l.Chapter().(*Quorums)
	c.w.Set(3)
	l.Update(idle(), desktop)
	if l.View().Config.W != 3 {
		t.Fatalf("W=%d after setting it to N", l.View().Config.W)
	}
	write := func() core.Op {
		click(t, l, c.write)
		id := c.lastWrite.id
		run(t, l, 40)
		op, _ := l.Timeline().Cluster().Op(id)
		return op
	}
	if op := write(); !op.OK {
		t.Fatalf("W=N with every replica up: write failed: %s", op.Err)
	}
	click(t, l, c.crash)
	if op := write(); op.OK {
		t.Errorf("W=N with one replica down: the write succeeded")
	}
	click(t, l, c.crash) // restart
	if op := write(); !op.OK {
		t.Errorf("W=N after the restart: write failed: %s", op.Err)
	}
}

// Lowering N below W and R lowers them first, so that every setting the
// stepper offers is accepted.
func TestQuorumsLoweringNLowersWAndR(t *testing.T) {
	l := newLab(t, "quorums")
	c := l.Chapter().(*Quorums)
	c.n.Set(1)
	l.Update(idle(), desktop)
	if cfg := l.View().Config; cfg.N != 1 || cfg.W != 1 || cfg.R != 1 {
		t.Errorf("after N=1: N=%d W=%d R=%d", cfg.N, cfg.W, cfg.R)
	}
	if l.Notice() != "" {
		t.Errorf("a setting was refused: %s", l.Notice())
	}
	c.n.Set(quorumNMax)
	l.Update(idle(), desktop)
	if got := l.View().Config.N; got != quorumNMax {
		t.Errorf("N=%d, want %d", got, quorumNMax)
	}
}

// The signature: the rule sentence and, after a write and a read with
// W + R > N, the overlap highlighted on a replica in both sets.
func TestQuorumsHighlightsTheOverlap(t *testing.T) {
	l := newLab(t, "quorums")
	c := l.Chapter().(*Quorums)
	if !hasText(l, "W + R = 4 > N = 3: at least one replica is in both") {
		t.Error("the rule for N=3 W=2 R=2 is not on screen")
	}
	run(t, l, 20)
	click(t, l, c.read)
	run(t, l, 30)
	if !c.lastRead.reached {
		t.Fatal("the read did not reach its quorum")
	}
	var both []core.NodeID
	for _, id := range c.lastWrite.set() {
		if contains(c.lastRead.set(), id) {
			both = append(both, id)
		}
	}
	if len(both) == 0 {
		t.Fatalf("write set %v and read set %v do not overlap with W+R>N", c.lastWrite.set(), c.lastRead.set())
	}
	if !hasText(l, "in both") || !hasText(l, "In both sets: "+names(both)) {
		t.Errorf("the overlap %v is not highlighted", both)
	}
	setWR(t, l, 1, 1)
	if !hasText(l, "W + R = 2 <= N = 3: the sets can miss each other") {
		t.Error("the rule for W=1 R=1 is not on screen")
	}
}

// A course page's 16:10 frame in a 600 px column is 375 px tall: the chapter
// still draws the writer, the three replicas and the reader there, the
// replicas as one-line cards, with nothing overlapping (readable_test checks
// the labels at this size).
func TestQuorumsDrawsItsReplicasInASmallFrame(t *testing.T) {
	l, err := lab.New(Chapters(), measure, lab.Options{Chapter: "quorums", Seed: 1, Paused: true, Embed: true})
	if err != nil {
		t.Fatal(err)
	}
	small := lab.Size{W: 600, H: 375, Scale: 1}
	l.Update(idle(), small)
	l.Update(idle(), small)
	c := l.Chapter().(*Quorums)
	if len(c.places) != 5 {
		t.Fatalf("in a 600x375 frame the picture places %d nodes, want the writer, 3 replicas and the reader", len(c.places))
	}
	var rects []frame.Rect
	for _, r := range c.places {
		rects = append(rects, r)
	}
	for i := range rects {
		for j := i + 1; j < len(rects); j++ {
			if rects[i].Overlaps(rects[j]) {
				t.Errorf("boxes %+v and %+v overlap", rects[i], rects[j])
			}
		}
	}
}

// While a write waits, its line counts the acks it has of the W it needs,
// and names them as acks (a read's: replies of R).
func TestQuorumsPendingWriteCountsItsAcks(t *testing.T) {
	l := newLab(t, "quorums")
	c := l.Chapter().(*Quorums)
	run(t, l, 4)
	click(t, l, c.write)
	run(t, l, 1)
	joined := strings.Join(texts(l, frame.LayerScene), "\n")
	if !strings.Contains(joined, "no answer yet; 0 of W = 2 acks so far…") {
		t.Errorf("the pending write's line: %q", joined)
	}
}
