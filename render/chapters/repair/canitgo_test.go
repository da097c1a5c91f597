package repair

import (
	"strconv"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/chapters/internal/chaptertest"
	"github.com/ringlab/ringlab/render/lab"
)

// searchInLab presses "Can this go wrong?" and runs frames until the
// search has answered; it returns the notice.
func searchInLab(t *testing.T, l *lab.Lab) string {
	t.Helper()
	c := l.Chapter().(*Versioning)
	update(t, l) // lays the control out
	click(t, l, c.goWrong.Ask)
	for frames := 0; !c.goWrong.Finished; frames++ {
		if frames > 20_000 {
			t.Fatalf("the search did not finish in %d frames: %+v", frames, c.goWrong.Report)
		}
		l.Update(idle(), desktop)
	}
	return l.Notice()
}

// With vector clocks no schedule of two concurrent writes loses one: the
// search is exhaustive and says so.
func TestCanThisGoWrongVectorClocksKeepBothWrites(t *testing.T) {
	l := newLab(t, "versioning", 1)
	notice := searchInLab(t, l)
	if !strings.HasPrefix(notice, "No schedule of two concurrent writes of cart via n0 and n2 on its 3 replicas with vector clocks") ||
		!strings.Contains(notice, "gives a lost acknowledged write") || !strings.HasSuffix(notice, "exhaustive.") {
		t.Errorf("notice %q", notice)
	}
}

// With last-write-wins one of the two acknowledged writes is lost, and
// Show me opens the schedule as the run on screen, where the loss counts.
func TestCanThisGoWrongLastWriteWinsLosesAWrite(t *testing.T) {
	l := newLab(t, "versioning", 1)
	c := l.Chapter().(*Versioning)
	update(t, l)
	c.lww.OnChange(true)
	update(t, l)
	update(t, l)
	notice := searchInLab(t, l)
	if !strings.HasPrefix(notice, "Yes: two concurrent writes of "+lwwKey+" via n0 and n2 on its 3 replicas with last-write-wins") ||
		!strings.Contains(notice, "can give a lost acknowledged write") {
		t.Fatalf("notice %q", notice)
	}
	// The search is of the cluster on screen: n0's clock ahead, so the
	// write lost is the right client's, whose timestamp is the smaller.
	if sk := c.goWrong.Report.Counterexample.Config.SkewTicks; len(sk) == 0 || sk[leftCoord] != skewTicks {
		t.Errorf("the search's skews %v leave out n0's %d on screen", sk, skewTicks)
	}
	update(t, l) // lays the new Show me button out
	click(t, l, c.goWrong.Show)
	update(t, l)
	ce := c.goWrong.Report.Counterexample
	v := l.View()
	rep := l.Timeline().Cluster().Clone().Settle(1000)
	if v.Tick != ce.Tick || v.Config.Nodes != 3 || rep.LostWrites != 1 {
		t.Errorf("after Show me: tick %d (want %d), %d nodes, %d lost writes (want 1)", v.Tick, ce.Tick, v.Config.Nodes, rep.LostWrites)
	}
	// The diagram selects the put whose write was lost, and says it is
	// lost: of the run at the tick on screen, so not at the tick its put
	// was acknowledged, when two replicas held it.
	got := chaptertest.ViewText(t, l)
	if want := "put " + lwwKey + "=right by client 2"; !strings.HasPrefix(got, want) || !strings.Contains(got, "acks counted") || !strings.Contains(got, "Lost: no replica of "+lwwKey+" holds it now") {
		t.Errorf("after Show me the diagram says %q, want it to start %q and say it is lost", got, want)
	}
	acked := ce.Schedule[len(ce.Schedule)-1].Tick - 1 // before the timeout and the settle
	if msg := l.Command(`{"type":"seek","value":` + strconv.FormatInt(acked, 10) + `}`); msg != "" {
		t.Fatal(msg)
	}
	update(t, l)
	update(t, l)
	if got := chaptertest.ViewText(t, l); !strings.HasPrefix(got, "put "+lwwKey+"=right") || strings.Contains(got, "Lost") {
		t.Errorf("at tick %d the diagram says %q: the put is not lost yet", acked, got)
	}
}
