package summary

import (
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/lab"
)

// searchAnswer presses Can this go wrong? and runs frames until it has
// answered; it returns the notice.
func searchAnswer(t *testing.T, l *lab.Lab, c *Chapter) string {
	t.Helper()
	click(l, c.goWrong.Ask)
	for frames := 0; !c.goWrong.Finished; frames++ {
		if frames > 20_000 {
			t.Fatalf("no answer in %d frames: %+v", frames, c.goWrong.Report)
		}
		l.Update(idle(), desktop)
	}
	return l.Notice()
}

// Known answers on the summary's knobs: strict W=2, R=2 quorums with read
// repair cannot give a stale read, even with a partition, and the search
// says it looked everywhere; W=1, R=1 can, and Show me opens the schedule.
func TestCanThisGoWrongOnTheKnobs(t *testing.T) {
	l, c := newLab(t, 1)
	mustCommand(t, l, `{"type":"knob","name":"mode","value":"cp"}`)
	mustCommand(t, l, `{"type":"knob","name":"faults","value":"partition"}`)
	l.Update(idle(), desktop)
	if got := searchAnswer(t, l, c); !strings.HasPrefix(got, "No schedule of a write via n0 then a read via n1 (any message order, any timeout, a partition) gives a stale read: ") ||
		!strings.HasSuffix(got, "exhaustive.") {
		t.Errorf("CP W=2 R=2 with a partition: %q", got)
	}
	mustCommand(t, l, `{"type":"knob","name":"w","value":1}`)
	mustCommand(t, l, `{"type":"knob","name":"r","value":1}`)
	l.Update(idle(), desktop)
	if c.goWrong.Finished {
		t.Error("the answer for W=2, R=2 stays after W and R changed")
	}
	if got := searchAnswer(t, l, c); !strings.HasPrefix(got, "Yes: a write via n0 then a read via n1") {
		t.Fatalf("CP W=1 R=1 with a partition: %q", got)
	}
	l.Update(idle(), desktop)
	click(l, c.goWrong.Show)
	l.Update(idle(), desktop)
	if v := l.View(); !v.Config.Scripted || v.Counters.StaleReads != 1 {
		t.Errorf("Show me opened tick %d, scripted %v, %d stale reads (notice %q)", v.Tick, v.Config.Scripted, v.Counters.StaleReads, l.Notice())
	}
}

// A node crashed on screen is down at the start of the search's schedules
// (free to restart), and the verdict names it; strict W=2, R=2 quorums
// still give no stale read.
func TestCanThisGoWrongStartsWithTheNodesDownOnScreen(t *testing.T) {
	l, c := newLab(t, 1)
	mustCommand(t, l, `{"type":"knob","name":"mode","value":"cp"}`)
	mustCommand(t, l, `{"type":"core","cmd":{"kind":"crash","node":3}}`)
	l.Update(idle(), desktop)
	got := searchAnswer(t, l, c)
	if !strings.HasPrefix(got, "No schedule of a write via n0 then a read via n1 (any message order, any timeout, no fault), with n3 down at the start (free to restart) gives a stale read: ") ||
		!strings.HasSuffix(got, "exhaustive.") {
		t.Errorf("CP W=2 R=2 with n3 down: %q", got)
	}
	if d := c.goWrong.Report; d.Violated {
		t.Errorf("a stale read found: %+v", d)
	}
}
