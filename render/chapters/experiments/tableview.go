package experiments

import (
	"math"
	"strconv"
	"strings"

	expt "github.com/ringlab/ringlab/experiments"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
)

// headerLabelWMax bounds a column's share of the width taken by its
// header: longer labels wrap to a second line.
const headerLabelWMax = 190

// tableLayout is where the table view's parts go.
type tableLayout struct {
	cols       []tableCol
	header     frame.Rect
	rows       frame.Rect // the body, rowH per row
	rowH       float64
	perPage    int
	pages      int
	footer     frame.Rect // the equivalent command line
	prev, next frame.Rect // row pages, when there is more than one
}

// tableCol is one column of the table view.
type tableCol struct {
	head  string // label
	unit  string
	col   int // index into Table.Columns; -1 for the group
	x, w  float64
	cells []string
}

// formatCell writes a number with about four significant digits, whole
// numbers in full, and "—" for no value (a point not measured yet).
func formatCell(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case v == math.Trunc(v) && math.Abs(v) < 1e12:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case math.Abs(v) >= 0.001:
		decimals := max(0, 3-int(math.Floor(math.Log10(math.Abs(v)))))
		s := strconv.FormatFloat(v, 'f', decimals, 64)
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// tableColumns are the table's columns as the view shows them: the group,
// then every column; a measured one reads "mean ± sd" over the seeds.
func tableColumns(t expt.Table) []tableCol {
	var cols []tableCol
	if t.Group != "" {
		c := tableCol{head: t.Group, col: -1}
		for _, r := range t.Rows {
			c.cells = append(c.cells, r.Group)
		}
		cols = append(cols, c)
	}
	for i, col := range t.Columns {
		c := tableCol{head: col.Label, unit: col.Unit, col: i}
		for _, r := range t.Rows {
			s := col.ShowValue(r.Values[i], formatCell)
			if col.Role == expt.Measured && len(r.Samples[i]) > 1 {
				s += " ± " + formatCell(r.Summary(i).StdDev)
			}
			c.cells = append(c.cells, s)
		}
		cols = append(cols, c)
	}
	return cols
}

func (p *Page) tableLayout(x *lab.Context, r frame.Rect) tableLayout {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	t, _ := p.table()
	var tl tableLayout
	inner := r.Inset(u(10))
	tl.cols = tableColumns(t)
	total := 0.0
	for i := range tl.cols {
		c := &tl.cols[i]
		w := min(x.Measure.Width(c.head, size), u(headerLabelWMax))
		w = max(w, x.Measure.Width(c.unit, size)+u(12))
		for _, s := range c.cells {
			w = max(w, x.Measure.Width(s, size))
		}
		c.w = w + u(18)
		total += c.w
	}
	scale := 1.0
	if total > inner.W {
		scale = inner.W / total
	}
	cx := inner.X
	for i := range tl.cols {
		tl.cols[i].x, tl.cols[i].w = cx, tl.cols[i].w*scale
		cx += tl.cols[i].w
	}

	var rest frame.Rect
	tl.header, rest = inner.CutTop(3*lh + u(6))
	tl.footer, rest = rest.CutBottom(3*lh + th.ControlHeight() + u(12))
	tl.rowH = lh + u(4)
	tl.perPage = max(int(rest.H/tl.rowH), 1)
	tl.rows = rest
	tl.pages = max((len(t.Rows)+tl.perPage-1)/tl.perPage, 1)
	btns := frame.Rect{X: tl.footer.X, Y: tl.footer.Bottom() - th.ControlHeight(), W: tl.footer.W, H: th.ControlHeight()}
	tl.prev, btns = btns.CutLeft(u(100))
	_, btns = btns.CutLeft(u(8))
	tl.next, _ = btns.CutLeft(u(100))
	return tl
}

// drawTable draws one page of the table's rows under a header of labels
// and units, and under them the `sim sweep` command that prints the same
// numbers.
func (p *Page) drawTable(x *lab.Context, r frame.Rect, l *frame.Layer) {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	t, _ := p.table()
	tl := p.tableLayout(x, r)
	page := min(p.page, tl.pages-1)
	for _, c := range tl.cols {
		room := c.w - u(12)
		head := wrapMax(x.Measure, c.head, size, room, 2)
		y := tl.header.Y
		for _, s := range head {
			l.Label(c.x+u(6), y, size, th.Text, frame.AlignStart, s)
			y += lh
		}
		if c.unit != "" {
			l.Label(c.x+u(6), tl.header.Y+2*lh, size, th.TextDim, frame.AlignStart, frame.Fit(x.Measure, "("+c.unit+")", size, room))
		}
	}
	l.Rect(frame.Rect{X: tl.header.X, Y: tl.header.Bottom() - u(2), W: tl.header.W, H: u(1)}, th.Border)
	first := page * tl.perPage
	for i := first; i < min(first+tl.perPage, len(t.Rows)); i++ {
		y := tl.rows.Y + float64(i-first)*tl.rowH
		if (i-first)%2 == 1 {
			l.Rect(frame.Rect{X: tl.rows.X, Y: y, W: tl.rows.W, H: tl.rowH}, th.Control)
		}
		for _, c := range tl.cols {
			l.Label(c.x+u(6), y+u(2), size, th.Text, frame.AlignStart, frame.Fit(x.Measure, c.cells[i], size, c.w-u(12)))
		}
	}
	info := "Rows " + strconv.Itoa(min(first+1, len(t.Rows))) + "–" + strconv.Itoa(min(first+tl.perPage, len(t.Rows))) +
		" of " + strconv.Itoa(len(t.Rows)) + "; measured: mean ± sd over the seeds. The same numbers, headless:"
	y := tl.footer.Y + u(4)
	for _, s := range wrapMax(x.Measure, info, size, tl.footer.W, 1) {
		l.Label(tl.footer.X, y, size, th.TextDim, frame.AlignStart, s)
		y += lh
	}
	for _, s := range wrapMax(x.Measure, p.Command(), size, tl.footer.W, 2) {
		l.Label(tl.footer.X, y, size, th.Text, frame.AlignStart, s)
		y += lh
	}
}
