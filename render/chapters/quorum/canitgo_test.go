package quorum

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/render/chapters/internal/gowrong"
	"github.com/ringlab/ringlab/render/lab"
)

// searchInLab presses "Can this go wrong?" and runs frames until the
// search has answered; it returns the notice.
func searchInLab(t *testing.T, l *lab.Lab) string {
	t.Helper()
	return ask(t, l, l.Chapter().(*Quorums).goWrong)
}

// ask clicks a "Can this go wrong?" control, runs frames until its search
// answers, checking that the button shows the search under way, and
// returns the lab's notice.
func ask(t *testing.T, l *lab.Lab, g *gowrong.Control) string {
	t.Helper()
	click(t, l, g.Ask)
	for frames := 0; !g.Finished; frames++ {
		if frames > 20_000 {
			t.Fatalf("the search did not finish in %d frames: %+v", frames, g.Report)
		}
		if frames == 1 && !strings.HasPrefix(g.Ask.Label, "Searching: ") {
			t.Errorf("while searching the button says %q", g.Ask.Label)
		}
		l.Update(idle(), desktop)
	}
	return l.Notice()
}

// W=1 R=1: the search finds a stale read, and Show me opens it as the
// run on screen, where the read is stale.
func TestCanThisGoWrongFindsAndShowsAStaleRead(t *testing.T) {
	l := newLab(t, "quorums")
	c := l.Chapter().(*Quorums)
	run(t, l, 4)
	setWR(t, l, 1, 1)
	notice := searchInLab(t, l)
	if !strings.HasPrefix(notice, "Yes: a write via n0 then a read via n6 (any message order, any timeout) can give a stale read, in ") {
		t.Fatalf("notice %q", notice)
	}
	l.Update(idle(), desktop) // lays the new Show me button out
	click(t, l, c.goWrong.Show)
	l.Update(idle(), desktop)
	v := l.View()
	ce := c.goWrong.Report.Counterexample
	if !v.Config.Scripted || v.Tick != ce.Tick || v.Counters.StaleReads != 1 {
		t.Errorf("after Show me: scripted=%v tick %d (want %d), %d stale reads (notice %q)", v.Config.Scripted, v.Tick, ce.Tick, v.Counters.StaleReads, l.Notice())
	}
	// It opens on the diagram, the stale read selected and explained.
	var st struct {
		View     string `json:"view"`
		ViewText string `json:"viewText"`
	}
	if err := json.Unmarshal([]byte(l.State()), &st); err != nil {
		t.Fatal(err)
	}
	if st.View != "diagram" || !strings.Contains(st.ViewText, "Stale: it missed") {
		t.Errorf("after Show me: view %q, caption %q; want the diagram explaining the stale read", st.View, st.ViewText)
	}
	// No notice is left over the diagram's controls (the verdict was read,
	// and the diagram says what went wrong).
	if n := l.Notice(); n != "" {
		t.Errorf("after Show me the notice %q covers the diagram", n)
	}
}

// The search starts from the cluster as it is on screen: a replica crashed
// there is down at the start of every schedule (free to restart), the
// verdict says so, and Show me opens a run where it is down from its first
// tick. Restarting it on screen asks another question: the answer goes.
func TestCanThisGoWrongStartsWithTheNodesDownOnScreen(t *testing.T) {
	l := newLab(t, "quorums")
	c := l.Chapter().(*Quorums)
	run(t, l, 4)
	setWR(t, l, 1, 1)
	click(t, l, c.crash) // the key's last replica, n1
	run(t, l, 2)
	if d := l.View().DownNow(); len(d) != 1 || d[0] != 1 {
		t.Fatalf("down on screen: %v, want [n1]", d)
	}
	notice := searchInLab(t, l)
	if !strings.HasPrefix(notice, "Yes: a write via n0 then a read via n6 (any message order, any timeout), with n1 down at the start (free to restart) can give a stale read, in ") {
		t.Fatalf("notice %q", notice)
	}
	ce := c.goWrong.Report.Counterexample
	if first := ce.Schedule[0]; first.Tick != 0 || first.Cmd.Kind != core.CmdCrash || first.Cmd.Node != 1 {
		t.Fatalf("the schedule begins %+v, want n1's crash at tick 0", first)
	}
	restarted := false
	for _, r := range ce.Schedule {
		restarted = restarted || r.Cmd.Kind == core.CmdRestart && r.Cmd.Node == 1
	}
	l.Update(idle(), desktop)
	click(t, l, c.goWrong.Show)
	l.Update(idle(), desktop)
	v := l.View()
	if v.Tick != ce.Tick || v.Counters.StaleReads != 1 || v.Nodes[1].Up != restarted {
		t.Errorf("after Show me: tick %d (want %d), %d stale reads, n1 up %v (restarted in the schedule: %v)", v.Tick, ce.Tick, v.Counters.StaleReads, v.Nodes[1].Up, restarted)
	}

	// Back in a live run with n1 down, the answer holds; once n1 is up
	// again it is another cluster's.
	l2 := newLab(t, "quorums")
	c2 := l2.Chapter().(*Quorums)
	run(t, l2, 4)
	setWR(t, l2, 1, 1)
	click(t, l2, c2.crash)
	run(t, l2, 2)
	searchInLab(t, l2)
	l2.Update(idle(), desktop)
	if !c2.goWrong.Finished {
		t.Fatal("the answer went with n1 still down")
	}
	click(t, l2, c2.crash) // now "Restart n1"
	run(t, l2, 2)
	if c2.goWrong.Finished {
		t.Error("the answer for n1 down stays once n1 is up")
	}
}

// W=2 R=2 strict with the read write-back: no schedule breaks it, and the
// lab says the search was exhaustive.
func TestCanThisGoWrongStrictMajoritiesExhaustive(t *testing.T) {
	l := newLab(t, "quorums")
	run(t, l, 4)
	setWR(t, l, 2, 2) // the chapter's quorums are strict
	notice := searchInLab(t, l)
	if !strings.HasPrefix(notice, "No schedule of a write via n0 then a read via n6 (any message order, any timeout) gives a stale read: ") || !strings.HasSuffix(notice, "exhaustive.") {
		t.Errorf("notice %q", notice)
	}
}

// A search answers for the configuration it searched: once W changes, its
// Show me is gone (it would open a schedule of another cluster).
func TestCanThisGoWrongForgetsAnotherConfiguration(t *testing.T) {
	l := newLab(t, "quorums")
	c := l.Chapter().(*Quorums)
	run(t, l, 4)
	setWR(t, l, 1, 1)
	searchInLab(t, l)
	if !c.goWrong.Finished || c.goWrong.Report.Counterexample == nil {
		t.Fatal("the search found no stale read at W=1 R=1")
	}
	setWR(t, l, 2, 1)
	l.Update(idle(), desktop)
	if c.goWrong.Finished || c.goWrong.Search != nil {
		t.Error("the search's answer (and its Show me) stays after W changed")
	}
}

// A search that would outgrow its share of the heap stops, says so, and
// lets its states go.
func TestCanThisGoWrongStopsAtItsMemoryBound(t *testing.T) {
	l := newLab(t, "quorums")
	c := l.Chapter().(*Quorums)
	run(t, l, 4)
	defer func(old uint64) { gowrong.MaxHeapGrowth = old }(gowrong.MaxHeapGrowth)
	gowrong.MaxHeapGrowth = 1
	runtime.GC() // the search starts from a collected heap: what it adds shows
	click(t, l, c.goWrong.Ask)
	if c.goWrong.Search == nil && !c.goWrong.Finished {
		t.Fatal("no search started")
	}
	// The chapter's own scenario is searched whole in a frame or two (it
	// may have answered in the click's); in its place, as if it were the
	// one asked, a scenario whose search takes many more.
	cfg := core.DefaultConfig()
	cfg.Nodes, cfg.Mode = 4, core.Strict
	sc := explore.Scenario{Config: cfg, Property: core.PropStale, Script: explore.Script{Groups: [][]explore.Op{
		{{Client: 1, Node: core.NoNode, Kind: core.OpPut, Key: "k", Value: "v1"}, {Client: 2, Node: core.NoNode, Kind: core.OpPut, Key: "k", Value: "v2"}},
		{{Client: 1, Node: core.NoNode, Kind: core.OpGet, Key: "k"}},
	}}}
	big, err := explore.New(sc, explore.Bounds{MaxStates: gowrong.MaxStates})
	if err != nil {
		t.Fatal(err)
	}
	c.goWrong.Search, c.goWrong.Finished, c.goWrong.Report = big, false, big.Report()
	for frames := 0; !c.goWrong.Finished; frames++ {
		if frames > 20_000 {
			t.Fatalf("the search did not finish in %d frames: %+v", frames, c.goWrong.Report)
		}
		l.Update(idle(), desktop)
	}
	notice := l.Notice()
	if !strings.HasSuffix(notice, "but the search stopped at its memory bound: not exhaustive.") {
		t.Errorf("notice %q", notice)
	}
	if c.goWrong.Search != nil || c.goWrong.Report.Exhausted {
		t.Errorf("after the memory bound: search kept %v, report %+v", c.goWrong.Search != nil, c.goWrong.Report)
	}
}

// state().searchMsMax is the time the search took of an update: above zero
// while the search runs, zero again a second of updates after it answered,
// and never more than the update itself. state().searchSlices counts every
// update that searched, and only those.
func TestStateReportsTheSearchesShareOfAnUpdate(t *testing.T) {
	l := newLab(t, "quorums")
	c := l.Chapter().(*Quorums)
	run(t, l, 4)
	var st struct {
		UpdateMsMax  float64        `json:"updateMsMax"`
		SearchMsMax  float64        `json:"searchMsMax"`
		SearchSlices lab.SliceTally `json:"searchSlices"`
	}
	read := func() {
		t.Helper()
		if err := json.Unmarshal([]byte(l.State()), &st); err != nil {
			t.Fatal(err)
		}
	}
	click(t, l, c.goWrong.Ask) // the update of the release starts the search and steps it
	searched := 1
	if !c.goWrong.Finished {
		searched++
	}
	l.Update(idle(), desktop)
	read()
	if st.SearchMsMax <= 0 || st.SearchMsMax > st.UpdateMsMax {
		t.Errorf("while searching: searchMsMax %v, updateMsMax %v", st.SearchMsMax, st.UpdateMsMax)
	}
	for frames := 0; !c.goWrong.Finished; frames++ {
		if frames > 20_000 {
			t.Fatal("the search did not finish")
		}
		l.Update(idle(), desktop)
		searched++
	}
	for range lab.UpdatesPerSecond {
		l.Update(idle(), desktop)
	}
	read()
	if st.SearchMsMax != 0 {
		t.Errorf("a second after the answer: searchMsMax %v", st.SearchMsMax)
	}
	if s := st.SearchSlices; s.Count != searched || s.MaxMs <= 0 || s.Over > s.Count {
		t.Errorf("searchSlices %+v after %d updates that searched", s, searched)
	}
}
