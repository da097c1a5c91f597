package experiments

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"
	expt "github.com/ringlab/ringlab/experiments"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
)

// headerLabelWMax bounds a column's share of the width taken by its
// header: longer labels wrap to a second line.
const headerLabelWMax = 190

// tableLayout is where the table view's parts go.
type tableLayout struct {
	cols        []tableCol
	header      frame.Rect
	headerLines int        // the longest column header's
	rows        frame.Rect // the body, rowH per row
	rowH        float64
	perPage     int
	pages       int
	footer      frame.Rect // the equivalent command line
	prev, next  frame.Rect // row pages, when there is more than one
}

// tableCol is one column of the table view.
type tableCol struct {
	head  string // label
	unit  string
	col   int // index into Table.Columns; -1 for the group
	x, w  float64
	cells []string
	// The header's lines (tableLayout): the label's from the top, the
	// unit's, in brackets, on the last ones.
	headLines, unitLines []string
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
// then every column; a measured one reads "mean ± sd" over the seeds
// (Summary.Rounded).
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
				mean, sd := r.Summary(i).Rounded()
				s = col.ShowValue(r.Values[i], func(float64) string { return mean }) + " ± " + sd
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
	footerH := 3*lh + th.ControlHeight() + u(12)
	tl.rowH = lh + u(4)
	// The header may take as many lines as leave room for rowsLeast rows.
	lines := int((inner.H - footerH - u(6) - rowsLeast*tl.rowH) / lh)
	lines = min(max(lines, headerLinesLeast), headerLinesMax)
	if key := widthsKey(tl.cols, size, inner.W, lines); key != p.widthsKey || p.widths == nil {
		p.widths, p.widthsKey = columnWidths(x.Measure, tl.cols, size, inner.W, u(18), u(12), u(headerLabelWMax), lines), key
	}
	widths := p.widths
	cx := inner.X
	for i := range tl.cols {
		c := &tl.cols[i]
		c.x, c.w = cx, widths[i]
		cx += c.w
		c.headLines, c.unitLines = headerLines(x.Measure, c.head, c.unit, size, c.w-u(12), lines)
		tl.headerLines = max(tl.headerLines, len(c.headLines)+len(c.unitLines))
	}

	var rest frame.Rect
	tl.header, rest = inner.CutTop(float64(tl.headerLines)*lh + u(6))
	tl.footer, rest = rest.CutBottom(footerH)
	tl.perPage = max(int(rest.H/tl.rowH), 1)
	tl.rows = rest
	tl.pages = max((len(t.Rows)+tl.perPage-1)/tl.perPage, 1)
	btns := frame.Rect{X: tl.footer.X, Y: tl.footer.Bottom() - th.ControlHeight(), W: tl.footer.W, H: th.ControlHeight()}
	tl.prev, btns = btns.CutLeft(u(100))
	_, btns = btns.CutLeft(u(8))
	tl.next, _ = btns.CutLeft(u(100))
	return tl
}

// columnWidths sizes the table's columns to share avail, each with pad
// beside its text and inset (part of pad) on either side of it: every
// column as wide as its widest cell, so that no number is cut, and as
// wide as its header's widest word; then the headers as short as the
// room allows (the fewest lines the tallest wraps to), and what room is
// left to the headers that want more, up to labelMax of label a line.
// A header takes at most linesMax lines. Where the cells alone are wider
// than avail, the widest columns give way (narrowest).
func columnWidths(m frame.Measurer, cols []tableCol, size, avail, pad, inset, labelMax float64, linesMax int) []float64 {
	n := len(cols)
	least, want := make([]float64, n), make([]float64, n)
	var sumLeast, sumWant float64
	for i, c := range cols {
		w := 0.0
		for _, s := range c.cells {
			w = max(w, m.Width(s, size))
		}
		words := strings.Fields(c.head)
		if c.unit != "" {
			words = append(words, strings.Fields(unitText(c.unit))...)
		}
		for _, word := range words {
			w = max(w, m.Width(word, size))
		}
		least[i] = w + pad
		head := min(m.Width(c.head, size), labelMax)
		if c.unit != "" {
			head = max(head, m.Width(unitText(c.unit), size))
		}
		want[i] = max(least[i], head+pad)
		sumLeast += least[i]
		sumWant += want[i]
	}
	switch {
	case sumWant <= avail:
		return want
	case sumLeast > avail:
		return narrowest(least, avail)
	}
	// The fewest header lines that fit: each column at the least width
	// that wraps its header into that many.
	widths := slices.Clone(least)
	for lines := 2; lines <= linesMax; lines++ {
		sum := 0.0
		for i, c := range cols {
			widths[i] = least[i]
			if !headerFits(m, c, size, widths[i]-inset, lines) {
				lo, hi := least[i], want[i]
				for hi-lo > 1 {
					mid := (lo + hi) / 2
					if headerFits(m, c, size, mid-inset, lines) {
						hi = mid
					} else {
						lo = mid
					}
				}
				widths[i] = hi
			}
			sum += widths[i]
		}
		if sum <= avail {
			break
		}
		if lines == linesMax {
			copy(widths, least)
		}
	}
	// The rest to the headers that want more, in proportion.
	sum, more := 0.0, 0.0
	for i := range widths {
		sum += widths[i]
		more += want[i] - widths[i]
	}
	if more > 0 {
		share := min((avail-sum)/more, 1)
		for i := range widths {
			widths[i] += (want[i] - widths[i]) * share
		}
	}
	return widths
}

// widthsKey digests what columnWidths sizes the columns by.
func widthsKey(cols []tableCol, size, avail float64, lines int) uint64 {
	d := xxhash.New()
	var b [8]byte
	for _, x := range []float64{size, avail, float64(lines), float64(len(cols))} {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
		d.Write(b[:])
	}
	for _, c := range cols {
		for _, s := range append([]string{c.head, c.unit}, c.cells...) {
			d.WriteString(s)
			d.Write([]byte{0})
		}
		d.Write([]byte{1})
	}
	return d.Sum64()
}

// headerFits reports whether column c's header wraps into lines lines
// width wide.
func headerFits(m frame.Measurer, c tableCol, size, width float64, lines int) bool {
	k := len(frame.Wrap(m, c.head, size, width))
	if c.unit != "" {
		k += len(frame.Wrap(m, unitText(c.unit), size, width))
	}
	return k <= lines
}

// A column's header has its label's lines from the top and its unit's at
// the bottom, all the columns' as many as the longest needs: up to
// headerLinesMax where the table leaves room for rowsLeast rows under
// it, and at least headerLinesLeast anyway.
const (
	headerLinesMax   = 7
	headerLinesLeast = 3
	rowsLeast        = 8
)

// unitText is a unit as the header writes it.
func unitText(unit string) string { return "(" + unit + ")" }

// headerLines wraps a column's label and unit into lines width wide, at
// most linesMax of them, the unit's at least one. Where even that does not
// hold them, or a word is wider than the column, the lines are cut.
func headerLines(m frame.Measurer, head, unit string, size, width float64, linesMax int) (headLines, unitLines []string) {
	fit := func(lines []string) []string {
		for i, s := range lines {
			lines[i] = frame.Fit(m, s, size, width)
		}
		return lines
	}
	if unit == "" {
		return fit(wrapMax(m, head, size, width, linesMax)), nil
	}
	unitLines = frame.Wrap(m, unitText(unit), size, width)
	headLines = wrapMax(m, head, size, width, max(linesMax-len(unitLines), linesMax-2, 1))
	unitLines = wrapMax(m, unitText(unit), size, width, max(linesMax-len(headLines), 1))
	return fit(headLines), fit(unitLines)
}

// narrowest fits widths into avail by narrowing the widest first: each
// column keeps its width or a common cap, whichever is less, so that the
// narrow columns (most often numbers) stay whole while a long label is
// cut.
func narrowest(widths []float64, avail float64) []float64 {
	sorted := slices.Sorted(slices.Values(widths))
	rest := avail
	for i, w := range sorted {
		level := rest / float64(len(sorted)-i)
		if w > level {
			for j := range widths {
				widths[j] = min(widths[j], level)
			}
			return widths
		}
		rest -= w
	}
	return widths
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
		for i, s := range c.headLines {
			l.Label(c.x+u(6), tl.header.Y+float64(i)*lh, size, th.Text, frame.AlignStart, s)
		}
		for i, s := range c.unitLines {
			l.Label(c.x+u(6), tl.header.Y+float64(tl.headerLines-len(c.unitLines)+i)*lh, size, th.TextDim, frame.AlignStart, s)
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
