// Package experiments is the lab's experiments page: pick one of the
// sweeps of package experiments, read the claim it tests and where the
// claim comes from, set its knobs, run it, and see the measurement beside
// the prediction as a plot (bands span the seeds) or as a table.
//
// A sweep runs inside the page's frame loop: every frame takes Step(1) at
// a time from the run until the frame's time share is spent, so the page
// keeps drawing and answering while it measures, and Cancel just stops
// stepping. The tables do not depend on how the work is cut into steps,
// so the page shows the numbers `sim sweep` prints for the same knobs.
//
// Chapters link here with Link, which opens the page on one experiment
// through lab.Context.OpenChapter. The page offers the shown table as CSV
// and JSON through lab.Exporter (Lab.Exports), named as `sim sweep -out`
// names them; the plot as a PNG is the lab's capture of the view (the
// Save menu's picture), which holds the figure with its title, axes and
// legend. The table view prints the `sim sweep` command line that gives
// the same numbers.
package experiments

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ringlab/ringlab/core"
	expt "github.com/ringlab/ringlab/experiments"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// ID is the page's stable ID, used in links.
const ID = "experiments"

// frameBudget is the time a frame spends stepping a sweep: about half of a
// 60 Hz frame, leaving the rest to drawing and the browser.
const frameBudget = 8 * time.Millisecond

// Views of the result.
const (
	showPlot = iota
	showTable
)

// Page is the experiments page (a lab.Chapter).
type Page struct {
	all    []expt.Experiment // in menu order
	cur    int               // the menu entry shown
	values []expt.Values     // each entry's knob values
	sweeps []*sweep          // each entry's latest sweep, or nil
	active *sweep            // the sweep being measured, or nil
	tables []int             // each entry's shown table
	show   int               // showPlot or showTable
	page   int               // the table view's page of rows

	// preview is the current entry's tables before it is measured: the
	// predictions alone, for the values in previewKey.
	preview    []expt.Table
	previewKey string

	// share bounds each frame's work; tests set a number of units
	// instead of the clock, to make the frames deterministic.
	share frameShare

	menuDD     *ui.Dropdown
	prev, next *ui.Button
	run        *ui.Button
	cancel     *ui.Button
	viewTabs   *ui.Tabs
	tableDD    *ui.Dropdown
	defaults   *ui.Button
	rowsPrev   *ui.Button
	rowsNext   *ui.Button
	knobs      [][]*ui.Stepper // each entry's knob steppers, in Params order

	// In a small picture the knobs are behind knobsBtn (knobsShown), and
	// knobs that do not fit are paged with knobsMore.
	knobsBtn   *ui.Button
	knobsShown bool
	knobsMore  *ui.Button
	knobPage   int // the page of knobs shown
	knobPages  int // how many pages the knobs took in the last layout

	// widths are the table view's column widths for the table, room and
	// font digested in widthsKey (columnWidths wraps the headers at many
	// widths; a table being measured changes a few times a second).
	widths    []float64
	rowLines  int  // the table's rows' lines at those widths (columnWidths)
	grouped   bool // the widths leave the group column out (tableLayout)
	headLines int  // the most lines a header takes at those widths
	widthsKey uint64
}

// Chapters returns the page, for the lab's list after the chapters.
func Chapters() []lab.Chapter { return []lab.Chapter{New()} }

// New makes the page on the first experiment of the menu. It panics if the
// menu names an experiment package experiments does not have (a build
// mistake, caught by the package's tests).
func New() *Page {
	all, err := lookupAll()
	if err != nil {
		panic(err)
	}
	p := &Page{all: all, values: make([]expt.Values, len(all)), sweeps: make([]*sweep, len(all)), tables: make([]int, len(all))}
	p.share = frameShare{budget: frameBudget}
	names := make([]string, len(all))
	for i, e := range all {
		p.values[i] = e.Defaults()
		names[i] = fmt.Sprintf("%d. %s", i+1, menu[i].short)
		var ks []*ui.Stepper
		for _, k := range e.Params {
			ks = append(ks, p.newKnob(i, k))
		}
		p.knobs = append(p.knobs, ks)
	}
	p.menuDD = ui.NewDropdown("exp-menu", "", "Which experiment (Up/Down to switch)", names, 0, func(i int) { p.choose(i) })
	p.prev = ui.NewButton("exp-prev", "◄ Previous", "The previous experiment", func() { p.choose(p.cur - 1) })
	p.next = ui.NewButton("exp-next", "Next ►", "The next experiment", func() { p.choose(p.cur + 1) })
	p.run = ui.NewButton("exp-run", "Run the sweep", "Measure every point of the sweep with the knobs as set", func() { p.Run() })
	p.run.Primary = true
	p.cancel = ui.NewButton("exp-cancel", "Cancel", "Stop measuring; the points measured so far stay", func() { p.Cancel() })
	p.viewTabs = ui.NewTabs("exp-view", "Left and Right arrows switch", []string{"Plot", "Table"}, 0, func(i int) { p.show = i })
	p.tableDD = ui.NewDropdown("exp-table", "Result", "The experiment's figures (Up/Down to switch)", nil, 0, func(i int) {
		p.tables[p.cur] = i
		p.page = 0
	})
	p.defaults = ui.NewButton("exp-defaults", "Default knobs", "Set every knob back to its default", func() { p.resetKnobs() })
	p.rowsPrev = ui.NewButton("exp-rows-prev", "◄ Rows", "Earlier rows of the table", func() { p.page = max(p.page-1, 0) })
	p.rowsNext = ui.NewButton("exp-rows-next", "Rows ►", "Later rows of the table", func() { p.page++ })
	p.knobsBtn = ui.NewButton("exp-knobs", knobsShowLabel, "Show the knobs in place of the plot, or the plot again",
		func() { p.knobsShown = !p.knobsShown })
	p.knobsMore = ui.NewButton("exp-knobs-more", "More knobs ►", "The next page of knobs", func() {
		p.knobPage = (p.knobPage + 1) % max(p.knobPages, 1)
	})
	return p
}

// knobStep is the stepper's increment for a knob: a tenth of the default's
// order of magnitude (1 for small knobs), so that a few presses make a
// visible change; Shift multiplies it by ten.
func knobStep(k expt.Knob) int64 {
	if k.Default < 100 {
		return 1
	}
	return int64(math.Pow(10, math.Floor(math.Log10(k.Default))-1))
}

// knobLabel is a knob's name as the stepper shows it: "nodes_max" reads
// "nodes max".
func knobLabel(k expt.Knob) string { return strings.ReplaceAll(k.Name, "_", " ") }

func (p *Page) newKnob(entry int, k expt.Knob) *ui.Stepper {
	s := ui.NewStepper("exp-knob-"+k.Name, knobLabel(k), k.Help+fmt.Sprintf(" (%g to %g)", k.Min, k.Max),
		int64(k.Min), int64(k.Max), knobStep(k), int64(k.Default), nil)
	s.OnChange = func(v int64) { p.values[entry][k.Name] = float64(v) }
	return s
}

func (p *Page) resetKnobs() {
	e := p.all[p.cur]
	p.values[p.cur] = e.Defaults()
	for i, k := range e.Params {
		p.knobs[p.cur][i].Value = int64(k.Default)
	}
}

// choose shows menu entry i (clamped to the menu).
func (p *Page) choose(i int) {
	i = min(max(i, 0), len(p.all)-1)
	p.cur = i
	p.menuDD.Selected = i
	p.page = 0
	p.knobPage = 0
}

// Open shows the experiment called name (lab.Opener).
func (p *Page) Open(name string) error {
	i := menuIndex(name)
	if i < 0 {
		return fmt.Errorf("no experiment %q; the page has %s", name, expt.Names())
	}
	p.choose(i)
	return nil
}

// Experiment is the name of the experiment shown.
func (p *Page) Experiment() string { return p.all[p.cur].Name }

// Run starts measuring the shown experiment with its knobs as set,
// replacing its previous result. A sweep of another experiment still in
// progress is cancelled: one sweep runs at a time.
func (p *Page) Run() error {
	if p.active != nil {
		p.active.cancel()
		p.active = nil
	}
	s, err := newSweep(p.all[p.cur], p.values[p.cur])
	if err != nil {
		return err
	}
	p.sweeps[p.cur] = s
	p.active = s
	p.tables[p.cur] = min(p.tables[p.cur], len(s.tables)-1)
	return nil
}

// Cancel stops the sweep in progress, if any.
func (p *Page) Cancel() {
	if p.active != nil {
		p.active.cancel()
		p.active = nil
	}
}

// Running reports whether a sweep is being measured.
func (p *Page) Running() bool { return p.active != nil }

// Progress is the shown experiment's sweep progress from 0 to 1 (0 when
// it has none).
func (p *Page) Progress() float64 {
	if s := p.sweeps[p.cur]; s != nil {
		return s.Progress()
	}
	return 0
}

// PageStatus reports the shown experiment and its sweep (lab.PageReporter):
// the page's state in the lab's State and its item in links.
func (p *Page) PageStatus() lab.PageStatus {
	s := p.sweeps[p.cur]
	return lab.PageStatus{Item: p.Experiment(), Running: s != nil && s == p.active, Progress: p.Progress(),
		Done: s != nil && s.state == sweepDone}
}

// Tables are the shown experiment's tables: those of its latest sweep
// (complete, partial or cancelled), or before any sweep its predictions
// alone.
func (p *Page) Tables() []expt.Table {
	if s := p.sweeps[p.cur]; s != nil {
		return s.tables
	}
	key := p.valuesKey(p.cur)
	if p.preview == nil || p.previewKey != key {
		p.preview, p.previewKey = nil, key
		if r, err := p.all[p.cur].Start(p.values[p.cur]); err == nil {
			p.preview = r.Tables()
		}
	}
	return p.preview
}

// table is the shown table, or false when there is none.
func (p *Page) table() (expt.Table, bool) {
	ts := p.Tables()
	if len(ts) == 0 {
		return expt.Table{}, false
	}
	return ts[min(p.tables[p.cur], len(ts)-1)], true
}

// valuesKey identifies entry i's knob values, in Params order.
func (p *Page) valuesKey(i int) string {
	var b strings.Builder
	b.WriteString(p.all[i].Name)
	for _, k := range p.all[i].Params {
		b.WriteString(" -" + k.Name + "=" + strconv.FormatFloat(p.values[i][k.Name], 'f', -1, 64))
	}
	return b.String()
}

// Command is the `sim sweep` command line that measures the shown
// experiment with the knobs as set, printing CSV.
func (p *Page) Command() string {
	var b strings.Builder
	b.WriteString("sim sweep -experiment " + p.all[p.cur].Name)
	for _, k := range p.all[p.cur].Params {
		b.WriteString(" -" + k.Name + " " + strconv.FormatFloat(p.values[p.cur][k.Name], 'f', -1, 64))
	}
	return b.String() + " -csv"
}

// ExportFiles offers the shown table as CSV and JSON, named as
// `sim sweep -out` names them, once the experiment has been measured
// (lab.Exporter).
func (p *Page) ExportFiles() []lab.File {
	if p.sweeps[p.cur] == nil {
		return nil
	}
	t, ok := p.table()
	if !ok {
		return nil
	}
	base := p.all[p.cur].Name + "-" + t.Name
	return []lab.File{
		{Name: base + ".csv", MIME: "text/csv", Data: t.CSV()},
		{Name: base + ".json", MIME: "application/json", Data: t.JSON()},
	}
}

func (p *Page) Info() lab.ChapterInfo {
	return lab.ChapterInfo{
		ID:    ID,
		Title: "Experiments: measure the claims",
		Summary: "Each experiment tests one prediction of the guide or the Dynamo paper over many seeds: " +
			"solid lines and bands are measured, dashed lines predicted.",
		TryThis: menu[p.cur].tryThis,
	}
}

// Preset is a small idle cluster: the page measures sweeps, not this run.
func (p *Page) Preset(seed uint64) lab.Preset {
	cfg := core.DefaultConfig()
	cfg.Seed = seed
	cfg.Nodes = 1
	cfg.N, cfg.W, cfg.R = 1, 1, 1
	return lab.Preset{Config: cfg}
}

// Parts: the page has none of the run's controls or panels.
func (p *Page) Parts() lab.Parts { return 0 }

// Controls are the experiment menu, the plot/table switch and, for
// experiments with several figures, the figure menu. Run and Cancel sit
// under the knobs, in the picture (see SceneControls).
func (p *Page) Controls(x *lab.Context) []ui.Widget {
	p.menuDD.Selected = p.cur
	p.viewTabs.Selected = p.show
	ws := []ui.Widget{p.menuDD, p.viewTabs}
	if ts := p.Tables(); len(ts) > 1 {
		p.tableDD.Options = p.tableDD.Options[:0]
		for _, t := range ts {
			p.tableDD.Options = append(p.tableDD.Options, t.Title)
		}
		p.tableDD.Selected = min(p.tables[p.cur], len(ts)-1)
		ws = append(ws, p.tableDD)
	} else {
		p.tableDD.SetBounds(frame.Rect{})
	}
	return ws
}

// bindRun labels and binds Run and Cancel for this frame.
func (p *Page) bindRun(x *lab.Context) {
	p.run.Label = runLabel
	if s := p.sweeps[p.cur]; s != nil && s != p.active {
		p.run.Label = runAgainLabel
	}
	p.run.OnClick = func() {
		if err := p.Run(); err != nil {
			x.Notify("Not run: " + err.Error())
		}
	}
	p.run.Disabled = p.active != nil && p.active == p.sweeps[p.cur]
	p.cancel.Disabled = p.active == nil
	p.cancel.Label = "Cancel"
	if p.active != nil && p.active != p.sweeps[p.cur] {
		p.cancel.Label = "Cancel the " + p.active.experiment + " sweep"
	}
}

// Enter keeps the page as it was: sweeps are not part of the lab's run,
// so a reset or a seed change of the run leaves them alone.
func (p *Page) Enter(x *lab.Context) {}

// Update advances the sweep in progress by one frame's share.
func (p *Page) Update(x *lab.Context) {
	if p.active == nil {
		return
	}
	if p.active.advance(p.share) {
		p.active = nil
	}
}

func (p *Page) NodeAt(x, y float64) (core.NodeID, bool) { return core.NoNode, false }
