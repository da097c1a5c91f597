package experiments

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	expt "github.com/ringlab/ringlab/experiments"
	"github.com/ringlab/ringlab/experiments/plot"
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
	title      frame.Rect
	prev, next frame.Rect
	claim      []string // wrapped lines
	source     []string
	textAt     frame.Rect // where the claim and source start
	knobHead   frame.Rect
	knobs      []frame.Rect
	run        frame.Rect
	cancel     frame.Rect
	defaults   frame.Rect
	status     frame.Rect
	result     frame.Rect // the plot or the table, with its heading
}

func (p *Page) layout(x *lab.Context, area frame.Rect) layout {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	var lay layout
	inner := area.Inset(u(14))

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
	for range p.all[p.cur].Params {
		var r frame.Rect
		r, col = col.CutTop(th.ControlHeight())
		lay.knobs = append(lay.knobs, r)
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

// SceneControls places the previous/next buttons, the knobs with Run,
// Cancel and Default knobs under them and, in the table view, the row
// pages, inside the picture.
func (p *Page) SceneControls(x *lab.Context, area frame.Rect) []ui.Widget {
	lay := p.layout(x, area)
	hide := func(w ui.Widget) { w.SetBounds(frame.Rect{}) }
	p.prev.SetBounds(lay.prev)
	p.next.SetBounds(lay.next)
	p.prev.Disabled = p.cur == 0
	p.next.Disabled = p.cur == len(p.all)-1
	ws := []ui.Widget{p.prev, p.next}
	for i, ks := range p.knobs {
		for j, k := range ks {
			if i != p.cur {
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
	p.bindRun(x)
	p.run.SetBounds(lay.run)
	p.cancel.SetBounds(lay.cancel)
	p.defaults.SetBounds(lay.defaults)
	ws = append(ws, p.run, p.cancel, p.defaults)
	hide(p.rowsPrev)
	hide(p.rowsNext)
	if p.show == showTable {
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
	l.Label(lay.knobHead.X, lay.knobHead.Y, size, th.TextDim, frame.AlignStart,
		frame.Fit(x.Measure, "Knobs (hover one for help)", size, lay.knobHead.W))

	p.drawStatus(x, lay.status, l)
	l.Rect(lay.result, th.Panel)
	switch p.show {
	case showPlot:
		p.drawPlot(x, lay.result.Inset(u(10)), l)
	case showTable:
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
		msg = fmt.Sprintf("Measured in %.1f s over %d frames; the bands span the %s seeds.", s.busy.Seconds(), s.frames, p.formatValue(s, "seeds"))
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

// drawStatus draws the progress bar, its percentage in words, and the
// status text.
func (p *Page) drawStatus(x *lab.Context, r frame.Rect, l *frame.Layer) {
	th := x.Theme
	u := th.U
	size := th.Font()
	bar, text := r.CutLeft(min(u(200), r.W*0.35))
	bar = frame.Rect{X: bar.X, Y: bar.Y + bar.H/2 - u(7), W: bar.W, H: u(14)}
	l.Rect(bar, th.Control)
	done := bar
	done.W = bar.W * p.Progress()
	l.Rect(done, th.ControlOn)
	l.Outline(bar, u(1), th.Border)
	_, text = text.CutLeft(u(12))
	lines := wrapMax(x.Measure, p.Status(), size, text.W, 2)
	lh := frame.LineHeight(size)
	y := text.Y + (text.H-lh*float64(len(lines)))/2
	for _, s := range lines {
		l.Label(text.X, y, size, th.Text, frame.AlignStart, s)
		y += lh
	}
}

// figure lays out the shown table's plot in r, with the page's font.
func (p *Page) figure(x *lab.Context, r frame.Rect) (plot.Figure, figureStyle, error) {
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
	if err == nil {
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
func (p *Page) drawPlot(x *lab.Context, r frame.Rect, l *frame.Layer) {
	th := x.Theme
	size := th.Font()
	t, _ := p.table()
	head, body := r.CutTop(frame.LineHeight(size*1.1) + th.U(4))
	l.Label(head.X+head.W/2, head.Y, size*1.1, th.Text, frame.AlignCenter, frame.Fit(x.Measure, t.Title, size*1.1, head.W))
	f, st, err := p.figure(x, body)
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
