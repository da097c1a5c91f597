package quorum

import (
	"fmt"
	"reflect"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// The "Can this go wrong?" control: it searches every schedule of the
// chapter's scenario (a write of the key via the writer, then a read of it
// via the reader, on the chapter's cluster and quorums: any order of the
// messages, any timeout firing early, no crash or partition) for a stale
// read, a slice of work per frame, and then opens the shortest
// counterexample or says that none exists within the bound.

const (
	// goWrongWork is the search's work per frame (states expanded): about
	// 2 ms natively (70 states of 30 microseconds), so a frame keeps its
	// 60 fps; the write-then-read search of the default quorums (12,768
	// states) takes about three seconds.
	goWrongWork = 16
	// goWrongStates bounds the distinct states searched.
	goWrongStates = 200_000
)

type goWrong struct {
	ask, show *ui.Button
	search    *explore.Search
	report    explore.Report
	finished  bool
	// scenario names what was searched, for the verdict; searched is it.
	scenario string
	searched explore.Scenario
}

// current drops a search, or its result, once the chapter's configuration
// or roles are no longer the ones searched: Show me opens only a schedule
// of the cluster on screen.
func (g *goWrong) current(x *lab.Context) {
	if g.search == nil || x.View == nil {
		return
	}
	_, writer, reader := roles(x)
	if !reflect.DeepEqual(goWrongScenario(x.View.Config, writer, reader), g.searched) {
		g.search, g.finished = nil, false
	}
}

// goWrongScenario is the scenario the control searches for a
// configuration: the chapter's write of its key via writer, then a read via
// reader, for a stale read.
func goWrongScenario(cfg core.Config, writer, reader core.NodeID) explore.Scenario {
	cfg.Workload, cfg.Faults, cfg.Loss = core.Workload{}, core.Faults{}, 0
	script := explore.Script{Groups: [][]explore.Op{
		{{Client: quorumWriter, Node: writer, Kind: core.OpPut, Key: quorumKey, Value: "v1"}},
		{{Client: quorumReader, Node: reader, Kind: core.OpGet, Key: quorumKey}},
	}}
	return explore.Scenario{Config: cfg, Script: script, Property: core.PropStale}
}

func (g *goWrong) widgets(x *lab.Context) []ui.Widget {
	g.current(x)
	if g.ask == nil {
		g.ask = ui.NewButton("quorum-gowrong", "Can this go wrong?", "Search every schedule of a write via the writer then a read via the reader (any message order, any timeout) for a "+core.PropStale.Describe(), nil)
		g.show = ui.NewButton("quorum-gowrong-show", "Show me", "Open the shortest schedule found that gives a stale read", nil)
	}
	switch {
	case g.search != nil && !g.finished:
		g.ask.Label = fmt.Sprintf("Searching: %d states (Cancel)", g.report.DistinctStates)
		g.ask.OnClick = func() { g.search, g.finished = nil, false }
	default:
		g.ask.Label = "Can this go wrong?"
		g.ask.OnClick = func() { g.start(x) }
	}
	out := []ui.Widget{g.ask}
	if g.finished && g.report.Counterexample != nil {
		ce := g.report.Counterexample
		g.show.OnClick = func() { x.OpenSchedule(ce.Config, ce.Schedule, ce.Tick, ce.Op) }
		out = append(out, g.show)
	}
	return out
}

func (g *goWrong) start(x *lab.Context) {
	_, writer, reader := roles(x)
	sc := goWrongScenario(x.View.Config, writer, reader)
	s, err := explore.New(sc, explore.Bounds{MaxStates: goWrongStates})
	if err != nil {
		x.Notify("Cannot search this configuration: " + err.Error())
		return
	}
	g.search, g.report, g.finished, g.searched = s, s.Report(), false, sc
	g.scenario = fmt.Sprintf("a write via %v then a read via %v (any message order, any timeout)", writer, reader)
}

// update advances the search by one slice and reports the outcome once.
func (g *goWrong) update(x *lab.Context) {
	g.current(x)
	if g.search == nil || g.finished {
		return
	}
	g.finished = g.search.Step(goWrongWork)
	g.report = g.search.Report()
	if g.finished {
		x.Notify(goWrongVerdict(g.report, g.scenario))
	}
}

// goWrongVerdict says what the search found, in the words the lab shows.
func goWrongVerdict(r explore.Report, scenario string) string {
	switch {
	case r.Violated:
		return fmt.Sprintf("Yes: %s can give a stale read, in %d steps (%d states searched). Show me opens it.", scenario, len(r.Counterexample.Schedule), r.DistinctStates)
	case r.Exhausted:
		return fmt.Sprintf("No schedule of %s gives a stale read: %d states, exhaustive.", scenario, r.DistinctStates)
	}
	return fmt.Sprintf("No stale read found in %d states of %s, but the search stopped at its %s bound: not exhaustive.", r.DistinctStates, scenario, r.CutBy)
}
