// Package gowrong is the chapters' "Can this go wrong?" control: it
// searches every schedule of a small scenario built from the chapter's
// configuration (core/explore), a slice of work per frame, for the
// chapter's property, and then either offers "Show me" (the shortest
// counterexample, opened as the run on screen) or says that no schedule
// within the bound breaks it.
package gowrong

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/core/explore/job"
	"github.com/ringlab/ringlab/internal/memstat"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

const (
	// Work is the search's step: states tried, about 0.2 ms natively
	// (50 microseconds a state) and three times that in the browser. A
	// frame takes steps until FrameBudget is spent, so it overshoots the
	// budget by one step at most and the lab keeps its frame rate.
	Work = 4
	// FrameBudget is the most time a frame gives the search.
	FrameBudget = 4 * time.Millisecond
	// FrameTarget is what a frame's update should take in all, the
	// search's slice included, leaving the rest of 8 ms to laying out and
	// drawing: the slice is what the update has left of it.
	FrameTarget = 6 * time.Millisecond
	// MinSlice is the least a frame gives the search, so that it goes on
	// however busy the frames.
	MinSlice = time.Millisecond
	// MaxStates bounds the distinct states searched.
	MaxStates = 200_000
)

// MaxHeapGrowth bounds the heap a search may add (every state waiting to
// be searched holds a copy of the cluster, some kilobytes): with the run's
// retained window it keeps the tab under its 512 MB target. A variable so
// that tests can lower it.
var MaxHeapGrowth uint64 = 256 << 20

// heapBytes is the live heap as the last collection found it: unlike
// the heap in use, it does not swing with the garbage between two
// collections, so a search is measured by what it keeps.
var heapBytes = memstat.Live

// Problem is what a chapter asks: the scenario to search, the words that
// name it in the verdict ("a write via n0 then a read via n6 (any message
// order, any timeout)") and the violation's noun ("a stale read"). ok is
// false when the chapter has nothing to ask now.
type Problem struct {
	Scenario explore.Scenario
	Words    string
	Noun     string
}

// Control is the control's state: the search in progress or its answer.
// The answer holds only while the chapter's problem stays the one searched.
// A search runs apart from the lab's thread where the host offers that
// (StartRemote: a Web Worker in the browser, a goroutine on the desktop),
// and is stepped in the frames' slices otherwise (Search).
type Control struct {
	Ask, Show *ui.Button
	Search    *explore.Search // the search the frames step, if it runs here
	Report    explore.Report
	Finished  bool
	// Where the last search ran: "frames", or apart (remote): "worker",
	// "background".
	Where     string
	remote    Remote
	searched  Problem
	heapStart uint64 // the heap when the search began
	prepared  bool   // PrepareRemote was called for it
	id        string
	question  string // Ask's label when idle
}

// New makes a control whose buttons' ids begin with id ("quorum-gowrong");
// tip is Ask's tooltip, what it searches.
func New(id, tip string) *Control { return NewAsking(id, "Can this go wrong?", tip) }

// NewAsking makes a control whose Ask button reads question ("Can CP go
// wrong?") where a chapter asks about one of several clusters.
func NewAsking(id, question, tip string) *Control {
	g := &Control{id: id, question: question}
	g.Ask = ui.NewButton(id, question, tip, nil)
	g.Show = ui.NewButton(id+"-show", "Show me", "Open the shortest schedule found that breaks it", nil)
	return g
}

// current drops a search, or its answer, once the chapter's problem is no
// longer the one searched: Show me opens only a schedule of the cluster on
// screen.
func (g *Control) current(p Problem, ok bool) {
	if (g.Search != nil || g.remote != nil || g.Finished) && (!ok || !reflect.DeepEqual(p, g.searched)) {
		g.stop()
	}
}

// stop drops the search and its answer (a remote one is cancelled).
func (g *Control) stop() {
	if g.remote != nil {
		g.remote.Cancel()
	}
	g.Search, g.remote, g.Finished = nil, nil, false
}

// Widgets are the control's buttons for this frame: Ask (or its progress
// and Cancel), then Show me once a counterexample was found.
func (g *Control) Widgets(x *lab.Context, p Problem, ok bool) []ui.Widget {
	if !g.prepared && PrepareRemote != nil {
		g.prepared = true
		PrepareRemote()
	}
	g.current(p, ok)
	g.Ask.Disabled = !ok
	switch {
	case g.Searching():
		g.Ask.Label = "Searching: " + lab.Plural(g.Report.DistinctStates, "state") + " (Cancel)"
		g.Ask.OnClick = g.stop
	default:
		g.Ask.Label = g.question
		g.Ask.OnClick = func() { g.start(x, p) }
	}
	out := []ui.Widget{g.Ask}
	if g.Finished && g.Report.Counterexample != nil {
		ce := g.Report.Counterexample
		g.Show.OnClick = func() { x.OpenSchedule(ce.Config, ce.Schedule, ce.Tick, ce.Op) }
		out = append(out, g.Show)
	}
	return out
}

// bounds are the bounds of the lab's searches.
var bounds = explore.Bounds{MaxStates: MaxStates}

func (g *Control) start(x *lab.Context, p Problem) {
	g.stop()
	// A scenario the search refuses is told at once, in the lab's words.
	// Where the search runs apart, the frame that asks only checks it: the
	// search is made here only if the frames are to step it (the first
	// one made in a page takes milliseconds of a frame).
	if err := p.Scenario.Validate(); err != nil {
		x.Notify("Cannot search this configuration: " + err.Error())
		return
	}
	// Until the search reports, its first state, as a search not yet
	// stepped counts it.
	g.Report, g.searched = explore.Report{States: 1, DistinctStates: 1}, p
	if StartRemote != nil {
		j := job.FromScenario(p.Scenario, bounds)
		j.MaxHeapMB = int(MaxHeapGrowth >> 20)
		if r := StartRemote(j); r != nil {
			g.remote, g.Where = r, r.Where()
			return
		}
	}
	g.inFramesFromStart(x, p)
}

// inFramesFromStart has the frames search p from its start; a scenario
// the search refuses ends it with a notice.
func (g *Control) inFramesFromStart(x *lab.Context, p Problem) {
	s, err := explore.New(p.Scenario, bounds)
	if err != nil {
		g.Finished = true
		x.Notify("Cannot search this configuration: " + err.Error())
		return
	}
	g.Report = s.Report()
	g.inFrames(s)
}

// inFrames has the frames step s.
func (g *Control) inFrames(s *explore.Search) {
	g.Search, g.Where = s, "frames"
	g.heapStart = heapBytes()
}

// Slice is the time a frame gives the search when its update has taken
// elapsed so far: what is left of FrameTarget, between MinSlice and
// FrameBudget.
func Slice(elapsed time.Duration) time.Duration {
	return min(max(FrameTarget-elapsed, MinSlice), FrameBudget)
}

// Searching reports whether a search is under way (not yet answered).
func (g *Control) Searching() bool { return (g.Search != nil || g.remote != nil) && !g.Finished }

// Update advances the search by one slice, or reads where a remote one is,
// and reports the outcome once, as a notice.
func (g *Control) Update(x *lab.Context, p Problem, ok bool) {
	g.current(p, ok)
	if g.remote != nil {
		g.poll(x, p)
		return
	}
	if g.Search == nil || g.Finished {
		return
	}
	start, slice := time.Now(), Slice(x.UpdateElapsed())
	for !g.Finished && time.Since(start) < slice {
		g.Finished = g.Search.Step(Work)
	}
	x.SpentSearching(time.Since(start), g.Where)
	g.Report = g.Search.Report()
	if !g.Finished && g.Search.WatchMemory(heapBytes()-min(g.heapStart, heapBytes()), MaxHeapGrowth) {
		g.Finished, g.Report.CutBy = true, "memory"
	}
	if g.Finished {
		x.Notify(Verdict(g.Report, p))
		g.Search = nil // the answer is kept; the states searched are let go
	}
}

// poll reads a remote search's last message. A remote search that could
// not start (no worker) is searched in the frames instead, from the start.
// One that stopped on a fault of
// its own ends with a notice: the frames would stop the same way, and take
// the lab with them.
func (g *Control) poll(x *lab.Context, p Problem) {
	start := time.Now()
	m, ok := g.remote.Poll()
	defer func() { x.SpentSearching(max(time.Since(start), time.Nanosecond), g.Where) }()
	switch {
	case !ok:
		return
	case m.Stopped:
		g.remote.Cancel()
		g.remote, g.Finished, g.Report = nil, true, explore.Report{}
		x.Notify("The search failed: " + m.Error)
		return
	case m.Error != "":
		g.remote.Cancel()
		g.remote = nil
		x.SearchFellBack(m.Error)
		g.inFramesFromStart(x, p)
		return
	}
	g.Report = m.Report
	if m.Report.Done {
		g.remote.Cancel()
		g.remote, g.Finished = nil, true
		x.Notify(Verdict(g.Report, p))
	}
}

// Verdict says what the search found, in the words the lab shows.
func Verdict(r explore.Report, p Problem) string {
	states := lab.Plural(r.DistinctStates, "state")
	switch alike := r.Interchangeable != ""; {
	case alike && r.AlikeClients != "":
		// Replicas alike are interchangeable, and clients that do alike
		// (explore.Report): a state and its renamings are one.
		states += " (alike nodes and clients counted once)"
	case alike:
		states += " (alike nodes counted once)"
	case r.AlikeClients != "":
		states += " (alike clients counted once)"
	}
	switch {
	case r.Violated:
		return fmt.Sprintf("Yes: %s can give %s, in %d steps (%s searched). Show me opens it.", p.Words, p.Noun, r.Counterexample.Steps(), states)
	case r.Exhausted:
		return fmt.Sprintf("No schedule of %s gives %s: %s, exhaustive.", p.Words, p.Noun, states)
	}
	return fmt.Sprintf("No schedule found of %s that gives %s in %s, but the search stopped at its %s bound: not exhaustive.", p.Words, p.Noun, states, r.CutBy)
}

// WithDown is a problem's words (Problem.Words) with the nodes its search
// starts with down (explore.Scenario.Down) named: "..., with n1 down at
// the start (free to restart)". The words alone when none is.
func WithDown(words string, down []core.NodeID) string {
	if len(down) == 0 {
		return words
	}
	names := make([]string, len(down))
	for i, n := range down {
		names[i] = n.String()
	}
	return words + ", with " + strings.Join(names, " and ") + " down at the start (free to restart)"
}
