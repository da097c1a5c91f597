package quorum

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
)

// CP: no schedule of a write via the majority then a read via the cut-off
// side gives a stale read, exhaustively; AP: one does, and Show me opens it
// as the chapter's run, where the AP cluster's read is stale and the CP
// cluster drawn beside it replays the same requests.
func TestCAPCanItGoWrongCPNoAPYes(t *testing.T) {
	l := newLab(t, "cap")
	c := l.Chapter().(*CAP)
	run(t, l, 4)
	l.Update(idle(), desktop) // lays the questions out
	if c.goWrong[0] == nil || c.goWrong[0].Ask.Label != "Can CP go wrong?" || c.goWrong[1].Ask.Label != "Can AP go wrong?" {
		t.Fatalf("the chapter's questions are missing: %+v", c.goWrong)
	}
	notice := ask(t, l, c.goWrong[0])
	want := "No schedule of a write of " + c.key + " via n2 then a read via n0 on the CP cluster (any message order, any timeout, one partition) gives a stale read: "
	if !strings.HasPrefix(notice, want) || !strings.HasSuffix(notice, "exhaustive.") {
		t.Fatalf("CP's answer %q\nwant it to begin %q", notice, want)
	}
	if ce := c.goWrong[0].Report.Counterexample; ce != nil {
		t.Fatalf("CP has a counterexample: %+v", ce)
	}
	if r := c.goWrong[0].Report; r.DistinctStates < 15 || r.Depth < 8 {
		t.Errorf("CP's search saw %d distinct states, %d steps deep: it cannot have tried the schedules of a write and a read", r.DistinctStates, r.Depth)
	}

	t.Logf("CP: %s (depth %d)", notice, c.goWrong[0].Report.Depth)
	notice = ask(t, l, c.goWrong[1])
	t.Logf("AP: %s", notice)
	if !strings.HasPrefix(notice, "Yes: a write of "+c.key+" via n2 then a read via n0 on the AP cluster (any message order, any timeout, one partition) can give a stale read, in ") {
		t.Fatalf("AP's answer %q", notice)
	}
	ce := c.goWrong[1].Report.Counterexample
	if ce.Config.Mode != core.Sloppy {
		t.Fatalf("AP's counterexample runs in mode %v", ce.Config.Mode)
	}
	l.Update(idle(), desktop) // lays Show me out
	click(t, l, c.goWrong[1].Show)
	l.Update(idle(), desktop)
	v := l.View()
	if !v.Config.Scripted || v.Config.Mode != core.Sloppy || v.Tick != ce.Tick || v.Counters.StaleReads != 1 {
		t.Errorf("after Show me: scripted=%v mode %v tick %d (want %d), %d stale reads (notice %q)",
			v.Config.Scripted, v.Config.Mode, v.Tick, ce.Tick, v.Counters.StaleReads, l.Notice())
	}
	if c.twin.c == nil || c.twin.cfg.Mode != core.Strict || c.twin.c.Now() != v.Tick {
		t.Fatalf("the CP cluster beside it is not at the same tick in strict mode: %+v", c.twin.cfg)
	}
	if c.twin.err != nil {
		t.Errorf("the CP cluster could not replay the schedule: %v", c.twin.err)
	}
	if n := c.twin.c.View().Counters.StaleReads; n != 0 {
		t.Errorf("the CP cluster replaying the same requests read stale %d times", n)
	}
	var st struct {
		View     string `json:"view"`
		ViewText string `json:"viewText"`
	}
	if err := json.Unmarshal([]byte(l.State()), &st); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(st.View, "diagram") || !strings.Contains(st.ViewText, "Stale: it missed") {
		t.Errorf("after Show me: view %q, caption %q; want the diagram explaining the stale read", st.View, st.ViewText)
	}
}

// Both questions asked at once: a frame gives one search its slice, CP's
// first, and then the other; both answer.
func TestCAPBothQuestionsTakeTurns(t *testing.T) {
	l := newLab(t, "cap")
	c := l.Chapter().(*CAP)
	run(t, l, 4)
	l.Update(idle(), desktop)
	cp, ap := c.goWrong[0], c.goWrong[1]
	click(t, l, cp.Ask)
	// CP's own search may answer in the click's frame: in its place, as if
	// it were the one asked, one that takes tens of frames or more
	// (19,910 distinct states, a tenth of a second natively), so that
	// however fast the machine it is still under way when AP is asked.
	cfg := core.DefaultConfig()
	cfg.Nodes, cfg.Mode = 4, core.Strict
	sc := explore.Scenario{Config: cfg, Property: core.PropStale, Budget: explore.Budget{Crashes: 1},
		Script: explore.Script{Groups: [][]explore.Op{
			{{Client: 1, Node: core.NoNode, Kind: core.OpPut, Key: "k", Value: "v1"},
				{Client: 2, Node: core.NoNode, Kind: core.OpPut, Key: "k", Value: "v2"}},
			{{Client: 1, Node: core.NoNode, Kind: core.OpGet, Key: "k"}},
		}}}
	longer, err := explore.New(sc, explore.Bounds{})
	if err != nil {
		t.Fatal(err)
	}
	cp.Search, cp.Finished, cp.Report = longer, false, longer.Report()
	click(t, l, ap.Ask)
	if cp.Finished || ap.Search == nil {
		t.Fatalf("after both clicks: CP finished %v, AP searching %v", cp.Finished, ap.Search != nil)
	}
	apStart := ap.Search.Report().States // the first state, not yet stepped from
	for frames := 0; !cp.Finished || !ap.Finished; frames++ {
		if frames > 20_000 {
			t.Fatalf("no answers in %d frames", frames)
		}
		if !cp.Finished && ap.Search.Report().States > apStart {
			t.Fatalf("AP's search ran while CP's was under way (%d states)", ap.Report.States)
		}
		l.Update(idle(), desktop)
	}
	if cp.Report.Violated || !cp.Report.Exhausted || !ap.Report.Violated {
		t.Errorf("CP %+v\nAP %+v", cp.Report, ap.Report)
	}
}
