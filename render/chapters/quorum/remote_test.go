package quorum

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/core/explore/job"
	"github.com/ringlab/ringlab/render/chapters/internal/gowrong"
	"github.com/ringlab/ringlab/render/lab"
)

// A search that stopped on a fault of its own (Stopped: a panic in the
// worker) ends with a notice that says so, and is not searched again in
// the frames, which would stop the same way.
func TestAStoppedRemoteSearchIsNotRetried(t *testing.T) {
	made := remoteHost(t, "")
	old := gowrong.StartRemote
	gowrong.StartRemote = func(j job.Job) gowrong.Remote {
		f := old(j).(*fakeRemote)
		f.msgs = []job.Message{{Error: "the search stopped with exit code 2", Stopped: true}}
		return f
	}
	l := newLab(t, "quorums")
	c := l.Chapter().(*Quorums)
	run(t, l, 4)
	click(t, l, c.goWrong.Ask)
	for frames := 0; !c.goWrong.Finished; frames++ {
		if frames > 10 {
			t.Fatal("no answer")
		}
		l.Update(idle(), desktop)
	}
	if got, want := l.Notice(), "The search failed: the search stopped with exit code 2"; got != want {
		t.Errorf("notice %q, want %q", got, want)
	}
	if c.goWrong.Search != nil || c.goWrong.Report.Counterexample != nil || !(*made)[0].cancelled {
		t.Errorf("after the stop: frames search %v, report %+v, cancelled %v", c.goWrong.Search != nil, c.goWrong.Report, (*made)[0].cancelled)
	}
}

// fakeRemote runs the job it is given in full when started (job.Run, as
// the worker does, through JSON) and hands its messages out one per poll
// after a first poll with nothing, as a worker's arrive over frames.
type fakeRemote struct {
	msgs      []job.Message
	polls     int
	cancelled bool
	fail      string // posted instead of the outcome
}

func (f *fakeRemote) Poll() (job.Message, bool) {
	f.polls++
	if f.polls == 1 {
		return job.Message{}, false
	}
	i := min(f.polls-2, len(f.msgs)-1)
	return f.msgs[i], true
}

func (f *fakeRemote) Cancel() { f.cancelled = true }

func (f *fakeRemote) Where() string { return "worker" }

// remoteHost installs a StartRemote that makes fakeRemotes (failing with
// fail, when set), and returns the ones it made.
func remoteHost(t *testing.T, fail string) *[]*fakeRemote {
	t.Helper()
	var made []*fakeRemote
	old := gowrong.StartRemote
	t.Cleanup(func() { gowrong.StartRemote = old })
	gowrong.StartRemote = func(j job.Job) gowrong.Remote {
		b, err := json.Marshal(j)
		if err != nil {
			t.Fatal(err)
		}
		j, err = job.Decode(b)
		if err != nil {
			t.Fatalf("the job does not decode: %v", err)
		}
		f := &fakeRemote{fail: fail}
		if fail != "" {
			f.msgs = []job.Message{{Error: fail}}
		} else {
			job.Run(j, nil, 8, func(*explore.Search) string { return "" }, func(m job.Message) { f.msgs = append(f.msgs, m) })
		}
		made = append(made, f)
		return f
	}
	return &made
}

func searchWhere(t *testing.T, l *lab.Lab) string {
	where, _ := searchWhereWhy(t, l)
	return where
}

// searchWhereWhy is state().searchWhere, with searchFallback.
func searchWhereWhy(t *testing.T, l *lab.Lab) (where, fallback string) {
	t.Helper()
	var st struct {
		Where    string `json:"searchWhere"`
		Fallback string `json:"searchFallback"`
	}
	if err := json.Unmarshal([]byte(l.State()), &st); err != nil {
		t.Fatal(err)
	}
	return st.Where, st.Fallback
}

// Where the host runs searches apart (a Web Worker in the browser), the
// control hands the chapter's scenario over, steps nothing in the frames,
// shows the progress the search posts, and answers with the same verdict
// and the same Show me as a search in the frames.
func TestCanThisGoWrongRunsApartWhereTheHostCan(t *testing.T) {
	inFrames := newLab(t, "quorums")
	run(t, inFrames, 4)
	setWR(t, inFrames, 1, 1)
	want := searchInLab(t, inFrames)
	wantCE := inFrames.Chapter().(*Quorums).goWrong.Report.Counterexample

	made := remoteHost(t, "")
	l := newLab(t, "quorums")
	c := l.Chapter().(*Quorums)
	run(t, l, 4)
	setWR(t, l, 1, 1)
	click(t, l, c.goWrong.Ask)
	if len(*made) != 1 {
		t.Fatalf("%d remote searches started", len(*made))
	}
	r := (*made)[0]
	if len(r.msgs) < 3 {
		t.Fatalf("the search posted %d messages", len(r.msgs))
	}
	// Before the first message the button counts the initial state.
	posted := map[string]bool{"Searching: 1 state (Cancel)": true}
	for _, m := range r.msgs {
		posted["Searching: "+lab.Plural(m.Report.DistinctStates, "state")+" (Cancel)"] = true
	}
	shown := map[string]bool{}
	for frames := 0; !c.goWrong.Finished; frames++ {
		if frames > len(r.msgs)+5 {
			t.Fatalf("no answer after %d frames of %d messages", frames, len(r.msgs))
		}
		if c.goWrong.Search != nil {
			t.Fatal("the frames step a search that runs apart")
		}
		if label := c.goWrong.Ask.Label; frames > 0 && !c.goWrong.Finished {
			if !posted[label] {
				t.Errorf("the button says %q, a count the search never posted", label)
			}
			shown[label] = true
		}
		l.Update(idle(), desktop)
	}
	if len(shown) < len(r.msgs)-2 {
		t.Errorf("the button showed %d counts of the %d the search posted", len(shown), len(r.msgs))
	}
	if got := l.Notice(); got != want {
		t.Errorf("apart: %q\nin the frames: %q", got, want)
	}
	if !r.cancelled {
		t.Error("the remote search was not let go after its answer")
	}
	if got := searchWhere(t, l); got != "worker" {
		t.Errorf("state().searchWhere = %q, want worker", got)
	}
	l.Update(idle(), desktop)
	click(t, l, c.goWrong.Show)
	l.Update(idle(), desktop)
	if v := l.View(); v.Tick != wantCE.Tick || v.Counters.StaleReads != 1 || !v.Config.Scripted {
		t.Errorf("Show me opened tick %d (want %d) with %d stale reads", v.Tick, wantCE.Tick, v.Counters.StaleReads)
	}
}

// Cancel, and a change of the problem, stop a search running apart; a
// remote search that fails is searched again in the frames, to the same
// answer.
func TestARemoteSearchStopsAndFallsBack(t *testing.T) {
	made := remoteHost(t, "")
	l := newLab(t, "quorums")
	c := l.Chapter().(*Quorums)
	run(t, l, 4)
	click(t, l, c.goWrong.Ask)
	l.Update(idle(), desktop)
	if !c.goWrong.Searching() {
		t.Fatal("no search under way")
	}
	click(t, l, c.goWrong.Ask) // Cancel
	if r := (*made)[0]; !r.cancelled || c.goWrong.Searching() {
		t.Errorf("after Cancel: remote cancelled %v, searching %v", r.cancelled, c.goWrong.Searching())
	}
	click(t, l, c.goWrong.Ask)
	setWR(t, l, 2, 1)
	l.Update(idle(), desktop)
	if r := (*made)[1]; !r.cancelled || c.goWrong.Searching() {
		t.Errorf("after W changed: remote cancelled %v, searching %v", r.cancelled, c.goWrong.Searching())
	}

	inFrames := newLab(t, "quorums")
	run(t, inFrames, 4)
	gowrong.StartRemote = nil
	want := searchInLab(t, inFrames)
	made = remoteHost(t, "the search worker failed: out of memory")
	l = newLab(t, "quorums")
	run(t, l, 4)
	if got := searchInLab(t, l); got != want {
		t.Errorf("after the worker failed: %q, want %q", got, want)
	}
	if got, why := searchWhereWhy(t, l); got != "frames" || why != "the search worker failed: out of memory" || !(*made)[0].cancelled {
		t.Errorf("after the worker failed: searchWhere %q (fallback %q), cancelled %v", got, why, (*made)[0].cancelled)
	}
	if strings.Contains(l.Notice(), "worker") {
		t.Errorf("the notice speaks of the worker: %q", l.Notice())
	}
}

// The host is asked to ready a remote search (PrepareRemote: in the
// browser, a worker started ahead of its job) once for each control, when
// its chapter first shows it, and not by a chapter without one.
func TestControlsPrepareTheirRemoteWhenFirstShown(t *testing.T) {
	old := gowrong.PrepareRemote
	t.Cleanup(func() { gowrong.PrepareRemote = old })
	prepared := 0
	gowrong.PrepareRemote = func() { prepared++ }
	for _, tc := range []struct {
		chapter string
		want    int
	}{{"replication", 0}, {"quorums", 1}, {"cap", 2}} {
		prepared = 0
		l := newLab(t, tc.chapter)
		for range 5 {
			l.Update(idle(), desktop)
		}
		if prepared != tc.want {
			t.Errorf("%s: the remote was prepared %d times in five frames, want %d", tc.chapter, prepared, tc.want)
		}
	}
}
