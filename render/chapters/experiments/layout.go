package experiments

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	expt "github.com/ringlab/ringlab/experiments"
	"github.com/ringlab/ringlab/experiments/plot"
	"github.com/ringlab/ringlab/internal/elapsed"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// Text limits of the header: the claim and its source are cut to these
// many lines (the full text is in the table's JSON and in `sim sweep`).
const (
	claimLinesMax  = 4
	sourceLinesMax = 2
)

// layout is where the page's parts go this frame.
type layout struct {
	// compact is the layout of a small picture (a course page's iframe, a
	// small window): the plot takes the picture's width, the knobs are
	// behind the Knobs button, the claim is cut short and the source left
	// out.
	compact    bool
	title      frame.Rect
	prev, next frame.Rect
	claim      []string // wrapped lines
	source     []string
	textAt     frame.Rect // where the claim and source start
	knobHead   frame.Rect // the knobs' caption; empty in the compact layout
	knobs      []frame.Rect
	knobsMore  frame.Rect // the button to the next page of knobs, when they do not fit
	knobsBtn   frame.Rect // Knobs / Hide knobs, in the compact layout
	run        frame.Rect
	cancel     frame.Rect
	defaults   frame.Rect
	status     frame.Rect
	result     frame.Rect // the plot or the table, with its heading
}

// compactLayout reports whether a picture of inner size w x h (in device
// pixels) takes the compact layout: the knobs column and a plot beside it
// need about 600 x 440 px at 1x.
func compactLayout(th *ui.Theme, w, h float64) bool {
	return w < th.U(600) || h < th.U(440)
}

// tableRoomW is the least width of the picture (at 1x) at which the table
// view keeps the knobs beside it: narrower, the table takes the width and
// the knobs are behind the Knobs button, as in the compact layout (a
// table's columns and their "mean ± sd" need the room more than a plot).
const tableRoomW = 720

// plotMinH is the least height the compact layout keeps for the plot
// before it gives lines to the claim.
const plotMinH = 150

func (p *Page) layout(x *lab.Context, area frame.Rect) layout {
	th := x.Theme
	u := th.U
	inner := area.Inset(u(14))
	if compactLayout(th, inner.W, inner.H) || p.show == showTable && inner.W < u(tableRoomW) {
		return p.compactLayout(x, inner)
	}
	size := th.Font()
	lh := frame.LineHeight(size)
	var lay layout

	row, rest := inner.CutTop(th.ControlHeight())
	lay.next, row = row.CutRight(u(96))
	_, row = row.CutRight(u(8))
	lay.prev, row = row.CutRight(u(118))
	_, lay.title = row.CutRight(u(12))

	_, rest = rest.CutTop(u(8))
	t, _ := p.table()
	lay.claim = wrapMax(x.Measure, "Predicted: "+t.Claim, size, rest.W, claimLinesMax)
	lay.source = wrapMax(x.Measure, "Source: "+t.Source, size, rest.W, sourceLinesMax)
	lay.textAt, rest = rest.CutTop(lh * float64(len(lay.claim)+len(lay.source)))
	_, rest = rest.CutTop(u(12))

	knobW := u(230)
	if inner.W < u(720) {
		knobW = u(180)
	}
	var col frame.Rect
	col, rest = rest.CutLeft(knobW)
	_, rest = rest.CutLeft(u(16))
	lay.knobHead, col = col.CutTop(lh + u(6))
	// Run, Cancel and Default knobs under the knobs; the knobs take the
	// rest of the column, a page at a time when they do not all fit.
	rowH := th.ControlHeight() + u(6)
	count := len(p.all[p.cur].Params)
	fit := max(int((col.H-3*rowH-u(4)+u(6))/rowH), 1)
	shown := min(count, fit)
	if count > fit {
		shown = max(fit-1, 1) // one row for the More button
	}
	p.knobPages = (count + shown - 1) / shown
	p.knobPage = min(p.knobPage, p.knobPages-1)
	from := p.knobPage * shown
	for i := range count {
		if i < from || i >= from+shown {
			lay.knobs = append(lay.knobs, frame.Rect{})
			continue
		}
		var r frame.Rect
		r, col = col.CutTop(th.ControlHeight())
		lay.knobs = append(lay.knobs, r)
		_, col = col.CutTop(u(6))
	}
	if count > shown {
		lay.knobsMore, col = col.CutTop(th.ControlHeight())
		_, col = col.CutTop(u(6))
	}
	_, col = col.CutTop(u(4))
	for _, r := range []*frame.Rect{&lay.run, &lay.cancel, &lay.defaults} {
		*r, col = col.CutTop(th.ControlHeight())
		_, col = col.CutTop(u(6))
	}

	lay.status, rest = rest.CutTop(th.ControlHeight())
	_, lay.result = rest.CutTop(u(10))
	return lay
}

// compactLayout lays the page out in a small picture: a row with the
// title and the previous/next arrows; a row with Run (Cancel while it
// runs), the Knobs button and a short status; the claim in as many lines
// as leave the plot plotMinH; then the plot, or the knobs in a grid when
// the Knobs button is on.
func (p *Page) compactLayout(x *lab.Context, inner frame.Rect) layout {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	ch := th.ControlHeight()
	lay := layout{compact: true}
	button := func(label string) float64 { return x.Measure.Width(label, size) + u(28) }

	row, rest := inner.CutTop(ch)
	lay.next, row = row.CutRight(u(40))
	_, row = row.CutRight(u(4))
	lay.prev, row = row.CutRight(u(40))
	_, lay.title = row.CutRight(u(10))
	_, rest = rest.CutTop(u(6))

	row, rest = rest.CutTop(ch)
	runW := max(button(runLabel), button(runAgainLabel), button("Cancel"))
	if runW > row.W*0.4 {
		runW = max(button(runShortLabel), button("Cancel"))
	}
	lay.run, row = row.CutLeft(runW)
	lay.cancel = lay.run
	_, row = row.CutLeft(u(6))
	lay.knobsBtn, row = row.CutLeft(max(button(knobsShowLabel), button(knobsHideLabel)))
	_, lay.status = row.CutLeft(u(10))
	_, rest = rest.CutTop(u(6))

	t, _ := p.table()
	lines := int((rest.H - u(plotMinH) - u(6)) / lh)
	if lines > 0 {
		lay.claim = wrapMax(x.Measure, "Predicted: "+t.Claim, size, rest.W, min(lines, 2))
		lay.textAt, rest = rest.CutTop(lh * float64(len(lay.claim)))
		_, rest = rest.CutTop(u(6))
	}
	lay.result = rest
	lay.knobs = make([]frame.Rect, len(p.all[p.cur].Params))
	if p.knobsShown {
		p.knobGrid(x, rest.Inset(u(8)), &lay)
	}
	return lay
}

// knobGrid places the knobs and Default knobs in columns over r, a page
// at a time (with a More button) when they do not all fit.
func (p *Page) knobGrid(x *lab.Context, r frame.Rect, lay *layout) {
	th := x.Theme
	u := th.U
	gap := u(8)
	colW := u(180)
	cols := max(int((r.W+gap)/(colW+gap)), 1)
	colW = (r.W - float64(cols-1)*gap) / float64(cols)
	rowH := th.ControlHeight() + u(6)
	rows := max(int((r.H+u(6))/rowH), 1)
	slots := cols * rows
	count := len(p.all[p.cur].Params)
	shown := min(count, max(slots-1, 1)) // one slot for Default knobs
	if count > shown {
		shown = max(slots-2, 1) // and one for More
	}
	p.knobPages = (count + shown - 1) / shown
	p.knobPage = min(p.knobPage, p.knobPages-1)
	from := p.knobPage * shown
	slot := func(i int) frame.Rect {
		col, row := i/rows, i%rows
		return frame.Rect{X: r.X + float64(col)*(colW+gap), Y: r.Y + float64(row)*rowH, W: colW, H: th.ControlHeight()}
	}
	n := 0
	for i := range count {
		lay.knobs[i] = frame.Rect{}
		if i >= from && i < from+shown {
			lay.knobs[i] = slot(n)
			n++
		}
	}
	if count > shown {
		lay.knobsMore = slot(n)
		n++
	}
	lay.defaults = slot(n)
}

// wrapMax wraps s to width and keeps at most n lines, the last cut with an
// ellipsis when text was left over.
func wrapMax(m frame.Measurer, s string, size, width float64, n int) []string {
	lines := frame.Wrap(m, s, size, width)
	if len(lines) > n {
		rest := strings.Join(lines[n-1:], " ")
		lines = append(lines[:n-1], frame.Fit(m, rest, size, width))
	}
	return lines
}

// Labels of the buttons the compact layout sizes itself by.
const (
	runLabel       = "Run the sweep"
	runAgainLabel  = "Run the sweep again"
	runShortLabel  = "Run again"
	knobsShowLabel = "Knobs"
	knobsHideLabel = "Hide knobs"
)

// SceneControls places the previous/next buttons, the knobs with Run,
// Cancel and Default knobs under them and, in the table view, the row
// pages, inside the picture. In the compact layout Run and Cancel share a
// place (Cancel while the shown experiment is measured), and the knobs
// are shown only while the Knobs button is on.
func (p *Page) SceneControls(x *lab.Context, area frame.Rect) []ui.Widget {
	lay := p.layout(x, area)
	hide := func(w ui.Widget) { w.SetBounds(frame.Rect{}) }
	p.prev.SetBounds(lay.prev)
	p.next.SetBounds(lay.next)
	p.prev.Disabled = p.cur == 0
	p.next.Disabled = p.cur == len(p.all)-1
	p.prev.Label, p.next.Label = "◄ Previous", "Next ►"
	if lay.compact {
		p.prev.Label, p.next.Label = "◄", "►"
	}
	ws := []ui.Widget{p.prev, p.next}
	p.bindRun(x)
	hide(p.knobsBtn)
	if lay.compact {
		if lay.run.W < x.Measure.Width(p.run.Label, x.Theme.Font())+x.Theme.U(28) {
			p.run.Label = strings.Replace(p.run.Label, " the sweep", "", 1)
		}
		measuring := p.active != nil && p.active == p.sweeps[p.cur]
		if measuring {
			hide(p.run)
			p.cancel.SetBounds(lay.cancel)
			ws = append(ws, p.cancel)
		} else {
			hide(p.cancel)
			p.run.SetBounds(lay.run)
			ws = append(ws, p.run)
		}
		p.knobsBtn.Label = knobsShowLabel
		if p.knobsShown {
			p.knobsBtn.Label = knobsHideLabel
		}
		p.knobsBtn.SetBounds(lay.knobsBtn)
		ws = append(ws, p.knobsBtn)
	}
	for i, ks := range p.knobs {
		for j, k := range ks {
			if i != p.cur || lay.knobs[j].W == 0 {
				hide(k)
				continue
			}
			if !k.Editing() {
				k.Value = int64(p.values[i][p.all[i].Params[j].Name])
			}
			k.SetBounds(lay.knobs[j])
			ws = append(ws, k)
		}
	}
	hide(p.knobsMore)
	if lay.knobsMore.W > 0 {
		p.knobsMore.Label = fmt.Sprintf("More knobs (%d/%d) ►", p.knobPage+1, p.knobPages)
		p.knobsMore.SetBounds(lay.knobsMore)
		ws = append(ws, p.knobsMore)
	}
	if !lay.compact {
		p.run.SetBounds(lay.run)
		p.cancel.SetBounds(lay.cancel)
		ws = append(ws, p.run, p.cancel)
	}
	hide(p.defaults)
	if lay.defaults.W > 0 {
		p.defaults.SetBounds(lay.defaults)
		ws = append(ws, p.defaults)
	}
	hide(p.rowsPrev)
	hide(p.rowsNext)
	if p.show == showTable && !(lay.compact && p.knobsShown) {
		tl := p.tableLayout(x, lay.result)
		if tl.pages > 1 {
			p.page = min(p.page, tl.pages-1)
			p.rowsPrev.Disabled = p.page == 0
			p.rowsNext.Disabled = p.page >= tl.pages-1
			p.rowsPrev.SetBounds(tl.prev)
			p.rowsNext.SetBounds(tl.next)
			ws = append(ws, p.rowsPrev, p.rowsNext)
		}
	}
	return ws
}

// Build draws the header (title, claim, source), the knobs' caption, the
// status line with its progress bar, and the plot or the table.
func (p *Page) Build(x *lab.Context, area frame.Rect, l *frame.Layer) {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	lay := p.layout(x, area)

	big := size * 1.25
	e := p.all[p.cur]
	l.Label(lay.title.X, lay.title.Y+(lay.title.H-frame.LineHeight(big))/2, big, th.Text, frame.AlignStart,
		frame.Fit(x.Measure, e.Title, big, lay.title.W))
	y := lay.textAt.Y
	for _, s := range lay.claim {
		l.Label(lay.textAt.X, y, size, th.Text, frame.AlignStart, s)
		y += lh
	}
	for _, s := range lay.source {
		l.Label(lay.textAt.X, y, size, th.TextDim, frame.AlignStart, s)
		y += lh
	}
	if lay.knobHead.W > 0 {
		l.Label(lay.knobHead.X, lay.knobHead.Y, size, th.TextDim, frame.AlignStart,
			frame.Fit(x.Measure, "Knobs (hover one for help)", size, lay.knobHead.W))
	}

	p.drawStatus(x, lay.status, lay.compact, l)
	l.Rect(lay.result, th.Panel)
	switch {
	case lay.compact && p.knobsShown:
		// The knobs are controls over the panel.
	case p.show == showPlot:
		inset := u(10)
		if lay.compact {
			inset = u(6)
		}
		p.drawPlot(x, lay.result.Inset(inset), lay.compact, l)
	case p.show == showTable:
		p.drawTable(x, lay.result, l)
	}
}

// Status is the status line's text for the shown experiment.
func (p *Page) Status() string {
	s := p.sweeps[p.cur]
	if s == nil {
		return "Not measured yet: the dashed lines are the prediction. Press Run the sweep."
	}
	pct := func(f float64) string { return strconv.Itoa(int(math.Floor(f*100))) + "%" }
	var msg string
	switch s.state {
	case sweepRunning:
		msg = "Measuring… " + pct(s.Progress()) + " done; the plot fills in as points are measured."
	case sweepDone:
		msg = fmt.Sprintf("Measured in %s over %d frames; the bands span the %s seeds.", elapsed.Brief(s.busy), s.frames, p.formatValue(s, "seeds"))
	case sweepCancelled:
		msg = "Cancelled at " + pct(s.progress) + ": the points measured so far are shown."
	}
	if s.run != nil && p.valuesKeyOf(s) != p.valuesKey(p.cur) {
		msg += " Knobs changed since: run again to measure them."
	}
	return msg
}

func (p *Page) formatValue(s *sweep, name string) string {
	return strconv.FormatFloat(s.run.Values()[name], 'f', -1, 64)
}

// valuesKeyOf identifies the knob values a sweep was started with.
func (p *Page) valuesKeyOf(s *sweep) string {
	v := s.run.Values()
	var b strings.Builder
	b.WriteString(s.experiment)
	e, _ := expt.Lookup(s.experiment)
	for _, k := range e.Params {
		b.WriteString(" -" + k.Name + "=" + strconv.FormatFloat(v[k.Name], 'f', -1, 64))
	}
	return b.String()
}

// StatusShort is the status in a few words, for the compact layout.
func (p *Page) StatusShort() string {
	s := p.sweeps[p.cur]
	pct := func(f float64) string { return strconv.Itoa(int(math.Floor(f*100))) + "%" }
	switch {
	case s == nil:
		return "Not measured yet"
	case s.state == sweepRunning:
		return "Measuring… " + pct(s.Progress())
	case s.run != nil && p.valuesKeyOf(s) != p.valuesKey(p.cur):
		return "Knobs changed: run again"
	case s.state == sweepCancelled:
		return "Cancelled at " + pct(s.progress)
	}
	return "Done: " + p.formatValue(s, "seeds") + " seeds"
}

// drawStatus draws the progress bar, its percentage in words, and the
// status text (in one short line when compact).
func (p *Page) drawStatus(x *lab.Context, r frame.Rect, compact bool, l *frame.Layer) {
	th := x.Theme
	u := th.U
	size := th.Font()
	barW := min(u(200), r.W*0.35)
	if compact {
		barW = min(u(60), r.W*0.3)
	}
	bar, text := r.CutLeft(barW)
	bar = frame.Rect{X: bar.X, Y: bar.Y + bar.H/2 - u(7), W: bar.W, H: u(14)}
	l.Rect(bar, th.Control)
	done := bar
	done.W = bar.W * p.Progress()
	l.Rect(done, th.ControlOn)
	l.Outline(bar, u(1), th.Border)
	_, text = text.CutLeft(u(10))
	lines := wrapMax(x.Measure, p.Status(), size, text.W, 2)
	if compact {
		lines = []string{frame.Fit(x.Measure, p.StatusShort(), size, text.W)}
	}
	lh := frame.LineHeight(size)
	y := text.Y + (text.H-lh*float64(len(lines)))/2
	for _, s := range lines {
		l.Label(text.X, y, size, th.Text, frame.AlignStart, s)
		y += lh
	}
}

// figure lays out the shown table's plot in r, with the page's font.
func (p *Page) figure(x *lab.Context, r frame.Rect, compact bool) (plot.Figure, figureStyle, error) {
	st := figureStyle{th: x.Theme, measure: x.Measure, size: x.Theme.Font()}
	t, ok := p.table()
	if !ok {
		return plot.Figure{}, st, fmt.Errorf("no table")
	}
	var labels []string
	for _, c := range t.Columns {
		labels = append(labels, c.Label)
	}
	labels = append(labels, t.Groups()...)
	f, err := plot.Build(t, plot.Rect{X: r.X, Y: r.Y, W: r.W, H: r.H}, figureOptions(st, labels))
	switch {
	case err == nil && compact:
		compactFigure(&f, st)
	case err == nil:
		fitLegend(&f, st)
	}
	if err == nil && f.YTitle.S == "" {
		// Before any measurement the figure names no unit for the y axis
		// (it takes them from measured series): name the predictions'.
		var units []string
		for _, c := range t.Columns {
			if c.Role != expt.Param && c.Unit != "" && !slices.Contains(units, c.Unit) {
				units = append(units, c.Unit)
			}
		}
		f.YTitle.S = strings.Join(units, ", ")
	}
	return f, st, err
}

// drawPlot draws the table's title and its figure.
func (p *Page) drawPlot(x *lab.Context, r frame.Rect, compact bool, l *frame.Layer) {
	th := x.Theme
	size := th.Font()
	t, _ := p.table()
	body := r
	// A short compact plot leaves out the figure's title: the page's
	// title above says what is measured.
	if !compact || r.H >= th.U(240) {
		var head frame.Rect
		head, body = r.CutTop(frame.LineHeight(size*1.1) + th.U(4))
		l.Label(head.X+head.W/2, head.Y, size*1.1, th.Text, frame.AlignCenter, frame.Fit(x.Measure, t.Title, size*1.1, head.W))
	}
	f, st, err := p.figure(x, body, compact)
	if err != nil {
		msg := "Nothing to plot yet: press Run the sweep."
		if p.sweeps[p.cur] != nil {
			msg = "Nothing measured yet."
		}
		l.Label(body.X+body.W/2, body.Y+body.H/2, size, th.TextDim, frame.AlignCenter, msg)
		return
	}
	paintFigure(l, f, st)
}
