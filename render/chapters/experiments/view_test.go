package experiments

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	expt "github.com/ringlab/ringlab/experiments"
	"github.com/ringlab/ringlab/experiments/plot"
	"github.com/ringlab/ringlab/render/chapters/internal/chaptertest"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

var (
	measure = chaptertest.Measure
	desktop = chaptertest.Desktop
	idle    = chaptertest.Idle
)

// newLab starts a paused lab on the page alone, stepping unitsMax units of
// work per frame instead of a time share, so that frames are repeatable.
func newLab(t *testing.T, unitsMax float64) (*lab.Lab, *Page) {
	t.Helper()
	p := New()
	p.share = frameShare{unitsMax: unitsMax}
	l, err := lab.New([]lab.Chapter{p}, measure, lab.Options{Seed: 1, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	l.Update(idle(), desktop)
	return l, p
}

func press(t *testing.T, l *lab.Lab, id string) {
	t.Helper()
	if msg := l.Command(`{"type":"press","value":"` + id + `"}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
}

// small are knob values that keep each sweep to a fraction of a second
// while still covering several points and seeds.
var small = map[string]expt.Values{
	"movement":     {"seeds": 3, "nodes_max": 6, "keys": 2000},
	"balance":      {"seeds": 4, "vnodes_max": 100},
	"dynamo":       {"seeds": 3, "tokens_max": 16, "partitions": 256},
	"availability": {"seeds": 3, "vnodes_max": 16, "trials": 50},
	"staleness":    {"seeds": 2, "trials": 20, "t_max": 6, "model_trials": 500},
	"latency":      {"seeds": 2, "ops": 30},
	"conflicts":    {"seeds": 2, "clients_max": 4, "skew_max": 10, "ops": 40},
	"merkle":       {"seeds": 2, "keys": 1000, "depth": 6},
	"gossip":       {"seeds": 2, "nodes_max": 16},
}

// setKnobs sets the page's knobs for the shown experiment.
func setKnobs(p *Page, v expt.Values) {
	for name, x := range v {
		p.values[p.cur][name] = x
	}
}

// runToEnd runs the shown experiment through the lab's frames and returns
// how many frames it took.
func runToEnd(t *testing.T, l *lab.Lab, p *Page) int {
	t.Helper()
	press(t, l, "exp-run")
	frames := 0
	for p.Running() {
		l.Update(idle(), desktop)
		frames++
		if frames > 200_000 {
			t.Fatalf("%s: sweep not done after %d frames (progress %.3f)", p.Experiment(), frames, p.Progress())
		}
	}
	return frames
}

// TestMenuListsEveryExperiment: the menu has each experiment of package
// experiments exactly once, so none is unreachable from the lab.
func TestMenuListsEveryExperiment(t *testing.T) {
	var got, want []string
	for _, e := range menu {
		got = append(got, e.name)
	}
	for _, e := range expt.All() {
		want = append(want, e.Name)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("menu has %v, package experiments %v", got, want)
	}
	for name := range small {
		if menuIndex(name) < 0 {
			t.Errorf("test knobs for %q, which the menu lacks", name)
		}
	}
}

// TestSteppedSweepEqualsComplete runs every experiment through the page's
// frame loop, a few units of work per frame, and compares each table's CSV
// with the one Complete (what `sim sweep` prints) gives for the same knobs.
func TestSteppedSweepEqualsComplete(t *testing.T) {
	l, p := newLab(t, 1)
	for i, e := range menu {
		p.choose(i)
		setKnobs(p, small[e.name])
		runToEnd(t, l, p)
		if s := p.sweeps[i]; s.frames < 2 || s.steps < s.frames {
			t.Errorf("%s: %d steps in %d frame(s): the sweep was not spread over frames", e.name, s.steps, s.frames)
		}
		run, err := p.all[i].Start(p.values[i])
		if err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		want := run.Complete()
		got := p.Tables()
		if len(got) != len(want) {
			t.Fatalf("%s: %d tables through the page, %d from Complete", e.name, len(got), len(want))
		}
		for j := range want {
			if g, w := got[j].CSV(), want[j].CSV(); !bytes.Equal(g, w) {
				t.Errorf("%s table %s: the page's CSV differs from Complete's\npage:\n%s\ncomplete:\n%s", e.name, want[j].Name, g, w)
			}
		}
		if p.Progress() != 1 || !strings.HasPrefix(p.Status(), "Measured") {
			t.Errorf("%s: after the sweep progress %v, status %q", e.name, p.Progress(), p.Status())
		}
	}
}

// TestProgressAndCancel: a running sweep shows its progress growing frame
// by frame; Cancel stops it where it is, keeps the points measured, and
// leaves Run available again.
func TestProgressAndCancel(t *testing.T) {
	l, p := newLab(t, 1)
	setKnobs(p, small["movement"])
	press(t, l, "exp-run")
	if !p.Running() {
		t.Fatal("Run did not start a sweep")
	}
	last := p.Progress()
	for i := range 5 {
		l.Update(idle(), desktop)
		if got := p.Progress(); got <= last || got >= 1 {
			t.Fatalf("frame %d: progress %v after %v, want it to grow and stay under 1", i, got, last)
		}
		last = p.Progress()
	}
	if s := p.Status(); !strings.Contains(s, "Measuring") {
		t.Errorf("status while running: %q", s)
	}
	if !strings.Contains(texts(l), p.Status()[:len("Measuring… ")]) {
		t.Errorf("the status line is not on screen:\n%s", texts(l))
	}
	press(t, l, "exp-cancel")
	if p.Running() {
		t.Fatal("Cancel did not stop the sweep")
	}
	at := p.Progress()
	measured := string(p.Tables()[0].CSV())
	for range 5 {
		l.Update(idle(), desktop)
	}
	if p.Progress() != at || string(p.Tables()[0].CSV()) != measured {
		t.Errorf("the sweep went on after Cancel: progress %v -> %v", at, p.Progress())
	}
	if !strings.HasPrefix(p.Status(), "Cancelled at") {
		t.Errorf("status after Cancel: %q", p.Status())
	}
	t0 := p.Tables()[0]
	some := false
	for _, r := range t0.Rows {
		some = some || len(r.Samples[t0.Col("ring_moved")]) > 0
	}
	if !some {
		t.Error("no measured point was kept after Cancel")
	}
	if p.run.Disabled || !p.cancel.Disabled {
		t.Errorf("after Cancel: Run disabled %v, Cancel disabled %v", p.run.Disabled, p.cancel.Disabled)
	}
	// Run again measures from scratch, to the end.
	runToEnd(t, l, p)
	if p.Progress() != 1 {
		t.Errorf("second run ended at progress %v", p.Progress())
	}
}

// TestRunElsewhereCancelsTheFirst: one sweep runs at a time; starting a
// second experiment's sweep cancels the first.
func TestRunElsewhereCancelsTheFirst(t *testing.T) {
	l, p := newLab(t, 1)
	setKnobs(p, small["movement"])
	press(t, l, "exp-run")
	l.Update(idle(), desktop)
	press(t, l, "exp-next")
	if p.Experiment() != "balance" {
		t.Fatalf("next shows %q", p.Experiment())
	}
	if p.cancel.Disabled || p.cancel.Label != "Cancel the movement sweep" {
		t.Errorf("while movement runs, balance's Cancel reads %q (disabled %v)", p.cancel.Label, p.cancel.Disabled)
	}
	setKnobs(p, small["balance"])
	press(t, l, "exp-run")
	if first := p.sweeps[menuIndex("movement")]; first.state != sweepCancelled {
		t.Errorf("movement's sweep is %v after balance started, want cancelled", first.state)
	}
}

// texts is every text of the last frame, one per line.
func texts(l *lab.Lab) string {
	var b strings.Builder
	for i := range l.Frame().Layers {
		for _, tx := range l.Frame().Layers[i].Texts {
			b.WriteString(tx.S + "\n")
		}
	}
	return b.String()
}

// vertexColors counts the scene's vertices by colour and opacity.
func vertexColors(l *lab.Lab) map[frame.Color]int {
	out := map[frame.Color]int{}
	for _, b := range l.Frame().Layers[frame.LayerScene].Batches() {
		for _, v := range b.Verts {
			out[v.C]++
		}
	}
	return out
}

// TestFinishedSweepDrawsAPlot is the page's signature: after a small
// movement sweep, the scene holds the axis titles with their units, tick
// labels, the legend's four series (both measurements and both
// predictions), and geometry in each measured series' colour: its line and
// markers opaque, its band across seeds translucent.
func TestFinishedSweepDrawsAPlot(t *testing.T) {
	l, p := newLab(t, 50)
	setKnobs(p, small["movement"])
	runToEnd(t, l, p)
	l.Update(idle(), desktop)
	got := texts(l)
	for _, want := range []string{
		"nodes before the join (N) (nodes)",                  // x axis title with its unit
		"fraction of keys",                                   // y axis title: the unit
		"hash % N", "N/(N+1)", "ring, 100 vnodes", "1/(N+1)", // legend
		"Keys moved when one node joins", // the figure's title
		"Source: design guide, sections 1 and 2",
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("no text %q in the frame:\n%s", want, got)
		}
	}
	// The x axis runs over N = 1..6: its tick labels are on screen.
	for _, tick := range []string{"2", "4", "6"} {
		if !strings.Contains(got, "\n"+tick+"\n") {
			t.Errorf("no x tick label %q", tick)
		}
	}
	colors := vertexColors(l)
	for _, hex := range plot.Palette[:2] {
		st := figureStyle{th: &ui.Theme{}}
		c := st.color(hex)
		if colors[c] == 0 {
			t.Errorf("no opaque geometry in %s (a series and its markers)", hex)
		}
		if colors[c.WithAlpha(0.2)] == 0 {
			t.Errorf("no translucent geometry in %s (the band across seeds)", hex)
		}
	}
	// The table view shows the same numbers and the command that prints them.
	p.show = showTable
	l.Update(idle(), desktop)
	got = texts(l)
	if !strings.Contains(got, "sim sweep -experiment movement -seed 1 -seeds 3") {
		t.Errorf("table view lacks the sim sweep command:\n%s", got)
	}
	tab := p.Tables()[0]
	mean, sd := tab.Rows[3].Summary(tab.Col("modulo_moved")).Rounded()
	if cell := mean + " ± " + sd; !strings.Contains(got, "\n"+cell+"\n") {
		t.Errorf("table view lacks modulo_moved at N=4 (%s):\n%s", cell, got)
	}
}

// TestBeforeRunThePredictionIsPlotted: an experiment not yet measured
// shows its prediction alone and says how to measure it.
func TestBeforeRunThePredictionIsPlotted(t *testing.T) {
	l, _ := newLab(t, 1)
	got := texts(l)
	for _, want := range []string{"N/(N+1)", "1/(N+1)", "Not measured yet"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q before the run:\n%s", want, got)
		}
	}
	if strings.Contains(got, "hash % N\n") {
		t.Error("a measured series is in the legend before any measurement")
	}
}

// TestMultiTableResultsSelectable: an experiment with several tables
// offers them in the result menu, and picking one plots it.
func TestMultiTableResultsSelectable(t *testing.T) {
	l, p := newLab(t, 50)
	if err := p.Open("merkle"); err != nil {
		t.Fatal(err)
	}
	setKnobs(p, small["merkle"])
	runToEnd(t, l, p)
	if p.tableDD.Bounds().W == 0 || len(p.tableDD.Options) != 2 {
		t.Fatalf("result menu: %v at %v", p.tableDD.Options, p.tableDD.Bounds())
	}
	p.tableDD.OnChange(1)
	l.Update(idle(), desktop)
	got := texts(l)
	if !strings.Contains(got, "Bytes exchanged: Merkle comparison against a full exchange\n") || !strings.Contains(got, "full exchange\n") {
		t.Errorf("second table not plotted:\n%s", got)
	}
	files := l.Exports()
	if len(files) != 2 || files[0].Name != "merkle-merkle_bytes.csv" || files[1].Name != "merkle-merkle_bytes.json" {
		t.Fatalf("exports: %v", names(files))
	}
	if !bytes.Equal(files[0].Data, p.Tables()[1].CSV()) || !bytes.Equal(files[1].Data, p.Tables()[1].JSON()) {
		t.Error("exported bytes are not the shown table's CSV and JSON")
	}
}

func names(fs []lab.File) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

// TestNothingToExportBeforeARun: the page offers no files until it has
// measured something.
func TestNothingToExportBeforeARun(t *testing.T) {
	l, _ := newLab(t, 1)
	if fs := l.Exports(); fs != nil {
		t.Errorf("exports before a run: %v", names(fs))
	}
}

// TestKnobsAreTheExperimentsParams: the knobs on screen are the shown
// experiment's parameters, seeds included, at their defaults; a knob
// change reaches the next run.
func TestKnobsAreTheExperimentsParams(t *testing.T) {
	l, p := newLab(t, 50)
	for i, e := range p.all {
		p.choose(i)
		l.Update(idle(), desktop)
		for j, k := range e.Params {
			s := p.knobs[i][j]
			if s.Bounds().W == 0 || s.Value != int64(k.Default) || s.ID() != "exp-knob-"+k.Name {
				t.Errorf("%s knob %s: stepper %s value %d at %v", e.Name, k.Name, s.ID(), s.Value, s.Bounds())
			}
		}
	}
	p.choose(menuIndex("gossip"))
	l.Update(idle(), desktop)
	seeds := p.knobs[p.cur][1]
	seeds.Set(2)
	p.knobs[p.cur][2].Set(8) // nodes_max
	runToEnd(t, l, p)
	if v := p.sweeps[p.cur].run.Values(); v["seeds"] != 2 || v["nodes_max"] != 8 {
		t.Errorf("the run did not take the knobs: %v", v)
	}
	if n := len(p.Tables()[0].Rows); n != 2 { // 4 and 8 nodes
		t.Errorf("gossip up to 8 nodes has %d rows, want 2", n)
	}
}

// TestLegendsAndTitlesInFull: for every figure of every experiment, each
// legend label and the x axis title are on screen whole, not cut to fit.
func TestLegendsAndTitlesInFull(t *testing.T) {
	eachResultShown(t, showPlot, func(name string, tab expt.Table, got string) {
		f, err := plot.Build(tab, plot.Rect{W: 4000, H: 3000}, plot.Options{})
		if err != nil {
			t.Fatalf("%s/%s: %v", name, tab.Name, err)
		}
		for _, want := range append([]string{f.XTitle.S}, legendLabels(f)...) {
			if !strings.Contains(got, "\n"+want+"\n") {
				t.Errorf("%s/%s: %q is not on screen whole", name, tab.Name, want)
			}
		}
	})
}

// eachResultShown measures every experiment with its small knobs in the
// desktop window and, showing each of its tables in view (showPlot or
// showTable), calls check with the experiment's name, the table and the
// frame's texts, one per line.
func eachResultShown(t *testing.T, view int, check func(name string, tab expt.Table, got string)) {
	t.Helper()
	eachResultShownAt(t, view, desktop, func(name string, tab expt.Table, got string, _ *Page) { check(name, tab, got) })
}

// eachResultShownAt is eachResultShown in a window of the given size, the
// page passed on too.
func eachResultShownAt(t *testing.T, view int, size lab.Size, check func(name string, tab expt.Table, got string, p *Page)) {
	t.Helper()
	l, p := newLab(t, 1000)
	for i, e := range menu {
		p.choose(i)
		setKnobs(p, small[e.name])
		runToEnd(t, l, p)
		p.show = view
		for j, tab := range p.Tables() {
			p.tables[i] = j
			l.Update(idle(), size)
			check(e.name, tab, texts(l), p)
		}
	}
}

func legendLabels(f plot.Figure) []string {
	var out []string
	for _, e := range f.Legend {
		out = append(out, e.Text.S)
	}
	return out
}

func TestFormatCell(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    float64
		want string
	}{
		{"not measured", math.NaN(), "—"},
		{"whole", 10000, "10000"},
		{"four significant digits", 0.0699, "0.0699"},
		{"trailing zeros dropped", 0.08, "0.08"},
		{"rounded", 0.0123456, "0.01235"},
		{"large fraction", 123.456, "123.5"},
		{"tiny", 0.00001234, "1.23e-05"},
		{"negative", -0.5, "-0.5"},
	} {
		if got := formatCell(tc.v); got != tc.want {
			t.Errorf("%s: formatCell(%v) = %q, want %q", tc.name, tc.v, got, tc.want)
		}
	}
}

// TestSameNumbersAsSimSweep compares the page's stepped sweep, a unit of
// work per frame, with CSV printed by `sim sweep` on the desktop for the
// same knobs (testdata, written by the commands below). Run under js/wasm
// it checks that the browser measures the numbers the headless runner
// prints.
//
//	sim sweep -experiment movement -seeds 3 -nodes_max 6 -keys 2000 -csv -table movement > testdata/sim-movement.csv
//	sim sweep -experiment gossip -seeds 2 -nodes_max 16 -csv -table gossip > testdata/sim-gossip.csv
func TestSameNumbersAsSimSweep(t *testing.T) {
	l, p := newLab(t, 1)
	for _, name := range []string{"movement", "gossip"} {
		want, err := os.ReadFile(filepath.Join("testdata", "sim-"+name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Open(name); err != nil {
			t.Fatal(err)
		}
		setKnobs(p, small[name])
		runToEnd(t, l, p)
		if got := p.Tables()[0].CSV(); !bytes.Equal(got, want) {
			t.Errorf("%s: the page measured\n%s\nsim sweep printed\n%s", name, got, want)
		}
	}
}

// A sweep's status says how long it took as elapsed.Brief writes it:
// milliseconds under a second, not "0.0 s".
func TestStatusSaysHowLongTheSweepTook(t *testing.T) {
	l, p := newLab(t, 1000)
	p.choose(0)
	setKnobs(p, small[menu[0].name])
	runToEnd(t, l, p)
	if got := p.Status(); !regexp.MustCompile(`^Measured in (\d+ ms|\d+\.\d s) over \d+ frames`).MatchString(got) {
		t.Errorf("status %q", got)
	}
}
