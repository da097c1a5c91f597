package experiments

import (
	"cmp"
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
	rowLines    int // 1, or 2 where a cell takes two lines (cellLines)
	perPage     int
	// pageEntries are the body's lines, page by page: where the group
	// column does not fit beside the others (grouped), each group's
	// label heads its rows, as a line of its own, and no column holds it.
	pageEntries [][]tableEntry
	grouped     bool
	pages       int
	footer      frame.Rect // the equivalent command line
	prev, next  frame.Rect // row pages, when there is more than one
}

// A tableEntry is one line of the table view's body: a table row (row),
// or a group's heading (row -1, group its label).
type tableEntry struct {
	row   int
	group string
}

// pagedEntries cuts the body into pages of perPage lines each: the rows in
// order and, if grouped, each group's label before its first row, and
// again atop a page that begins within the group.
func pagedEntries(groups []string, grouped bool, perPage int) [][]tableEntry {
	var pages [][]tableEntry
	var page []tableEntry
	add := func(e tableEntry) {
		if len(page) == perPage {
			pages, page = append(pages, page), nil
		}
		page = append(page, e)
	}
	for i, g := range groups {
		if grouped && (i == 0 || g != groups[i-1] || len(page) == perPage) {
			if len(page) >= perPage-1 {
				// A heading is never the last line of a page.
				pages, page = append(pages, page), nil
			}
			add(tableEntry{row: -1, group: g})
		}
		add(tableEntry{row: i})
	}
	if len(page) > 0 || len(pages) == 0 {
		pages = append(pages, page)
	}
	return pages
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
	// The header may take as many lines as leave room for rowsLeast rows
	// (of one line: where the cells take two, fewer rows fit under it),
	// and where the headers are cut at that, more, as long as rowsFew
	// rows fit.
	linesFor := func(rows int) int {
		return min(max(int((inner.H-footerH-u(6)-float64(rows)*(lh+u(4)))/lh), headerLinesLeast), headerLinesMax)
	}
	lines, most := linesFor(rowsLeast), linesFor(rowsFew)
	if key := widthsKey(tl.cols, size, inner.W, lines, most); key != p.widthsKey || p.widths == nil {
		for p.headLines = lines; ; p.headLines++ {
			p.widths, p.rowLines = columnWidths(x.Measure, tl.cols, size, inner.W, u(18), u(12), u(headerLabelWMax), p.headLines)
			p.grouped = false
			if t.Group != "" && (p.rowLines > 1 || p.widths[0] > inner.W/3) {
				// The group's labels as headings over their rows give the
				// other columns the room.
				p.widths, p.rowLines = columnWidths(x.Measure, tl.cols[1:], size, inner.W, u(18), u(12), u(headerLabelWMax), p.headLines)
				p.grouped = true
			}
			if p.headLines >= most || headersFit(x.Measure, tl.cols, p.grouped, p.widths, size, u(12), p.headLines) {
				break
			}
		}
		p.widthsKey = key
	}
	lines = p.headLines
	if p.grouped {
		tl.cols, tl.grouped = tl.cols[1:], true
	}
	widths := p.widths
	tl.rowLines = p.rowLines
	tl.rowH = float64(tl.rowLines)*lh + u(4)
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
	tl.perPage = max(int(rest.H/tl.rowH), 2)
	tl.rows = rest
	groups := make([]string, len(t.Rows))
	for i, r := range t.Rows {
		groups[i] = r.Group
	}
	tl.pageEntries = pagedEntries(groups, tl.grouped, tl.perPage)
	tl.pages = len(tl.pageEntries)
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
// A header takes at most linesMax lines. Where the cells on one line are
// wider than avail, the rows take two lines (rowLines 2), and the columns
// that gain most by it break their cells in two (cellLines); where even
// two lines are too wide, the widest columns give way (narrowest).
func columnWidths(m frame.Measurer, cols []tableCol, size, avail, pad, inset, labelMax float64, linesMax int) (widths []float64, rowLines int) {
	n := len(cols)
	least, want := make([]float64, n), make([]float64, n)
	two := make([]float64, n) // the least on two lines
	var sumLeast, sumWant float64
	for i, c := range cols {
		w, w2 := 0.0, 0.0
		for _, s := range c.cells {
			w = max(w, m.Width(s, size))
			w2 = max(w2, twoLineWidth(m, s, size))
		}
		words := strings.Fields(c.head)
		if c.unit != "" {
			words = append(words, strings.Fields(unitText(c.unit))...)
		}
		for _, word := range words {
			w = max(w, m.Width(word, size))
			w2 = max(w2, m.Width(word, size))
		}
		least[i], two[i] = w+pad, w2+pad
		head := min(m.Width(c.head, size), labelMax)
		if c.unit != "" {
			head = max(head, m.Width(unitText(c.unit), size))
		}
		want[i] = max(least[i], head+pad)
		sumLeast += least[i]
		sumWant += want[i]
	}
	rowLines = 1
	switch {
	case sumWant <= avail:
		return want, 1
	case sumLeast > avail:
		// Two lines a row: the columns that gain most by it first, until
		// the cells fit.
		rowLines = 2
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(two[b]-least[b], two[a]-least[a]) })
		for _, i := range order {
			if sumLeast <= avail {
				break
			}
			sumLeast -= least[i] - two[i]
			least[i] = two[i]
		}
		if sumLeast > avail {
			return narrowest(least, avail), 2
		}
	}
	// The fewest header lines that fit: each column at the least width
	// that wraps its header into that many.
	widths = slices.Clone(least)
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
	return widths, rowLines
}

// cellLines are the lines a cell takes in a column width wide, in a row of
// rowLines: the cell whole where it fits (or the row has one line, where it
// is cut to fit); otherwise two, a measured "mean ± sd" broken before the
// "±", a label after the most words that fit (the rest cut if it does not).
func cellLines(m frame.Measurer, s string, size, width float64, rowLines int) []string {
	if rowLines < 2 || m.Width(s, size) <= width {
		return []string{frame.Fit(m, s, size, width)}
	}
	a, b := splitTwo(m, s, size, width)
	return []string{frame.Fit(m, a, size, width), frame.Fit(m, b, size, width)}
}

// splitTwo breaks a cell into two lines, as cellLines does, width wide.
func splitTwo(m frame.Measurer, s string, size, width float64) (string, string) {
	if mean, sd, ok := strings.Cut(s, " ± "); ok {
		return mean, "± " + sd
	}
	words := strings.Fields(s)
	k := 1
	for k < len(words) && m.Width(strings.Join(words[:k+1], " "), size) <= width {
		k++
	}
	return strings.Join(words[:k], " "), strings.Join(words[k:], " ")
}

// twoLineWidth is the least width at which a cell breaks into two lines
// that both fit (splitTwo): a measured one's wider half, a label's at its
// best break between words.
func twoLineWidth(m frame.Measurer, s string, size float64) float64 {
	if mean, sd, ok := strings.Cut(s, " ± "); ok {
		return max(m.Width(mean, size), m.Width("± "+sd, size))
	}
	words := strings.Fields(s)
	best := m.Width(s, size)
	for k := 1; k < len(words); k++ {
		best = min(best, max(m.Width(strings.Join(words[:k], " "), size), m.Width(strings.Join(words[k:], " "), size)))
	}
	return best
}

// headersFit reports whether every column's header (but the group's, if
// grouped: the group heads its rows) wraps whole into lines lines at its
// width (widths, inset on either side).
func headersFit(m frame.Measurer, cols []tableCol, grouped bool, widths []float64, size, inset float64, lines int) bool {
	if grouped {
		cols = cols[1:]
	}
	for i, c := range cols {
		if !headerFits(m, c, size, widths[i]-inset, lines) || m.Width(longestWord(c), size) > widths[i]-inset {
			return false
		}
	}
	return true
}

// longestWord is the widest word of a column's header and unit, by length.
func longestWord(c tableCol) string {
	w := ""
	for _, s := range strings.Fields(c.head + " " + unitText(c.unit)) {
		if len(s) > len(w) {
			w = s
		}
	}
	return w
}

// widthsKey digests what the columns are sized by (columnWidths, and the
// header lines tried: lines to most).
func widthsKey(cols []tableCol, size, avail float64, lines, most int) uint64 {
	d := xxhash.New()
	var b [8]byte
	for _, x := range []float64{size, avail, float64(lines), float64(most), float64(len(cols))} {
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
// it, or where the headers are cut at that, rowsFew, and at least
// headerLinesLeast anyway.
const (
	headerLinesMax   = 7
	headerLinesLeast = 3
	rowsLeast        = 8
	rowsFew          = 4
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
	first, last, stripe := -1, -1, 0
	for k, e := range tl.pageEntries[page] {
		y := tl.rows.Y + float64(k)*tl.rowH
		if e.row < 0 {
			// A group's heading, across the table, on as many lines as
			// a row has.
			for j, line := range wrapMax(x.Measure, e.group, size, tl.rows.W-u(12), tl.rowLines) {
				l.Label(tl.rows.X+u(6), y+u(2)+float64(j)*lh, size, th.ControlOn, frame.AlignStart, line)
			}
			stripe = 0
			continue
		}
		if first < 0 {
			first = e.row
		}
		last = e.row
		if stripe%2 == 1 {
			l.Rect(frame.Rect{X: tl.rows.X, Y: y, W: tl.rows.W, H: tl.rowH}, th.Control)
		}
		stripe++
		for _, c := range tl.cols {
			for j, line := range cellLines(x.Measure, c.cells[e.row], size, c.w-u(12), tl.rowLines) {
				l.Label(c.x+u(6), y+u(2)+float64(j)*lh, size, th.Text, frame.AlignStart, line)
			}
		}
	}
	info := "Rows " + strconv.Itoa(first+1) + "–" + strconv.Itoa(last+1) +
		" of " + strconv.Itoa(len(t.Rows)) + "; mean ± sd over the seeds. Headless:"
	if len(t.Rows) == 0 {
		info = "No rows; the same numbers, headless:"
	}
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
