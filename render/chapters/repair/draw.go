package repair

import (
	"math"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
)

// pen bundles what every drawing helper needs for one frame.
type pen struct {
	l  *frame.Layer
	x  *lab.Context
	fs float64 // body font size in device pixels
	lh float64 // line height of the body font
}

func newPen(x *lab.Context, l *frame.Layer) pen {
	fs := x.Theme.Font()
	return pen{l: l, x: x, fs: fs, lh: frame.LineHeight(fs)}
}

func (p pen) u(v float64) float64 { return p.x.Theme.U(v) }

// text writes one line, shortened to fit maxW.
func (p pen) text(x, y, size float64, c frame.Color, align frame.Align, s string, maxW float64) {
	if fit := frame.Fit(p.x.Measure, s, size, maxW); fit != "" {
		p.l.Label(x, y, size, c, align, fit)
	}
}

// label is one line of text placed by a layout: x and the alignment say
// where it stands across, y is the top of its line box (as
// frame.Layer.Label takes it).
type label struct {
	x, y, size float64
	c          frame.Color
	align      frame.Align
	s          string
}

func (t label) draw(l *frame.Layer) { l.Label(t.x, t.y, t.size, t.c, t.align, t.s) }

// box is the rectangle the label covers, its width measured with m.
func (t label) box(m frame.Measurer) frame.Rect {
	return frame.LabelBox(m, t.x, t.y, t.size, t.align, t.s)
}

// overlapsAny reports whether r overlaps one of boxes.
func overlapsAny(r frame.Rect, boxes []frame.Rect) bool {
	for _, b := range boxes {
		if r.Overlaps(b) {
			return true
		}
	}
	return false
}

// width is the width of s at size.
func (p pen) width(s string, size float64) float64 { return p.x.Measure.Width(s, size) }

// para writes wrapped lines from the top of r and returns the height used.
func (p pen) para(r frame.Rect, c frame.Color, s string) float64 {
	y := r.Y
	for _, line := range frame.Wrap(p.x.Measure, s, p.fs, r.W) {
		if y+p.lh > r.Bottom() {
			break
		}
		p.l.Label(r.X, y, p.fs, c, frame.AlignStart, frame.Fit(p.x.Measure, line, p.fs, r.W))
		y += p.lh
	}
	return y - r.Y
}

// bigNumber draws the number that matters, large, with its caption under it,
// right-aligned at x; it returns the height used.
func (p pen) bigNumber(x, y float64, value string, c frame.Color, caption string, maxW float64) float64 {
	big := p.u(34)
	p.text(x, y, big, c, frame.AlignEnd, value, maxW)
	p.text(x, y+frame.LineHeight(big), p.fs, p.x.Theme.TextDim, frame.AlignEnd, caption, maxW)
	return frame.LineHeight(big) + p.lh
}

// arrow strokes a line from (x0,y0) to (x1,y1) with a head at the end.
func (p pen) arrow(x0, y0, x1, y1, width float64, c frame.Color, dashed bool) {
	dx, dy := x1-x0, y1-y0
	n := math.Hypot(dx, dy)
	if n < 1 {
		return
	}
	ux, uy := dx/n, dy/n
	head := p.u(9)
	bx, by := x1-ux*head, y1-uy*head
	if dashed {
		p.dashed(x0, y0, bx, by, width, c)
	} else {
		p.l.Line(x0, y0, bx, by, width, c)
	}
	w := head * 0.55
	p.l.Tri(float32(x1), float32(y1), float32(bx-uy*w), float32(by+ux*w), float32(bx+uy*w), float32(by-ux*w), c)
}

// dashed strokes a dashed segment.
func (p pen) dashed(x0, y0, x1, y1, width float64, c frame.Color) {
	dx, dy := x1-x0, y1-y0
	n := math.Hypot(dx, dy)
	if n < 1 {
		return
	}
	dash, gap := p.u(7), p.u(5)
	for s := 0.0; s < n; s += dash + gap {
		e := min(s+dash, n)
		p.l.Line(x0+dx*s/n, y0+dy*s/n, x0+dx*e/n, y0+dy*e/n, width, c)
	}
}

// dashedBox outlines r with dashes.
func (p pen) dashedBox(r frame.Rect, width float64, c frame.Color) {
	p.dashed(r.X, r.Y, r.Right(), r.Y, width, c)
	p.dashed(r.Right(), r.Y, r.Right(), r.Bottom(), width, c)
	p.dashed(r.Right(), r.Bottom(), r.X, r.Bottom(), width, c)
	p.dashed(r.X, r.Bottom(), r.X, r.Y, width, c)
}

// statusGlyph draws what one node believes about another, with a shape per
// status so the meaning never rests on colour alone: alive a disc, suspect
// a triangle, dead a crossed square, left a bar, unknown a hollow ring.
func (p pen) statusGlyph(cx, cy, r float64, s core.Status, known bool) {
	l := p.l
	u := p.u(1)
	switch {
	case !known:
		l.Annulus(cx, cy, r*0.8, 1.5*u, 20, scene.Grey)
	case s == core.Alive:
		l.Disc(cx, cy, r, 20, scene.Black)
		l.Disc(cx, cy, r-1.5*u, 20, scene.Green)
	case s == core.Suspect:
		h := r * 1.15
		l.Tri(float32(cx), float32(cy-h), float32(cx+h), float32(cy+h*0.8), float32(cx-h), float32(cy+h*0.8), scene.Black)
		h -= 2 * u
		l.Tri(float32(cx), float32(cy-h), float32(cx+h), float32(cy+h*0.8), float32(cx-h), float32(cy+h*0.8), scene.Orange)
	case s == core.Dead:
		l.Rect(frame.Rect{X: cx - r, Y: cy - r, W: 2 * r, H: 2 * r}, scene.Vermillion)
		l.Line(cx-r*0.6, cy-r*0.6, cx+r*0.6, cy+r*0.6, 2*u, scene.Black)
		l.Line(cx-r*0.6, cy+r*0.6, cx+r*0.6, cy-r*0.6, 2*u, scene.Black)
	case s == core.Left:
		l.Rect(frame.Rect{X: cx - r, Y: cy - r*0.3, W: 2 * r, H: r * 0.6}, scene.Grey)
	}
}

// statusName is the word for a believed status ("unknown" when the
// viewer has no entry for the node).
func statusName(s core.Status, known bool) string {
	if !known {
		return "unknown"
	}
	return s.String()
}

// nodeGlyph draws a physical node in its colour: a disc when up, a crossed
// grey square when down.
func (p pen) nodeGlyph(cx, cy, r float64, id core.NodeID, up bool) {
	l := p.l
	u := p.u(1)
	if !up {
		l.Rect(frame.Rect{X: cx - r, Y: cy - r, W: 2 * r, H: 2 * r}, scene.Grey)
		l.Rect(frame.Rect{X: cx - r + 2*u, Y: cy - r + 2*u, W: 2*r - 4*u, H: 2*r - 4*u}, scene.Black)
		l.Line(cx-r*0.6, cy-r*0.6, cx+r*0.6, cy+r*0.6, 2*u, scene.Grey)
		l.Line(cx-r*0.6, cy+r*0.6, cx+r*0.6, cy-r*0.6, 2*u, scene.Grey)
		return
	}
	l.Disc(cx, cy, r, 24, scene.Black)
	l.Disc(cx, cy, r-1.5*u, 24, scene.NodeColor(id))
}

// nodeUp reports whether node id exists and is up in the view.
func nodeUp(v *core.View, id core.NodeID) bool {
	return v != nil && int(id) < len(v.Nodes) && v.Nodes[id].Up
}

// hit is a clickable node drawn in the last picture.
type hit struct {
	id      core.NodeID
	x, y, r float64
}

func nodeAt(hits []hit, x, y float64) (core.NodeID, bool) {
	for _, h := range hits {
		if math.Hypot(x-h.x, y-h.y) <= h.r {
			return h.id, true
		}
	}
	return core.NoNode, false
}

// heading is a chapter's top strip: a title and lines of status on the
// left, the number that matters on the right.
type heading struct {
	title string
	// lines are status lines under the title, most important first.
	lines []headLine
	// value is the number that matters, in valueC, with its caption;
	// shortCaption replaces the caption in a compact heading. An empty
	// value leaves the number out.
	value                 string
	valueC                frame.Color
	caption, shortCaption string
	// numW is the width of the number's column in a full heading, in
	// layout units.
	numW float64
}

type headLine struct {
	s string
	c frame.Color
}

// headingFullH is the height of a full heading, in layout units: the title
// and two lines beside the large number and its caption.
const headingFullH = 84

// draw lays the heading out at the top of in and returns the rest. A full
// heading shows the number large with its caption under it and every line.
// A compact one, for a short picture, puts a smaller number and its short
// caption on the title's row and keeps only the first keep lines.
func (h heading) draw(p pen, in frame.Rect, compact bool, keep int) frame.Rect {
	u := p.u
	th := p.x.Theme
	if !compact {
		head, rest := in.CutTop(u(headingFullH))
		nums, words := head.CutRight(u(h.numW))
		if h.value != "" {
			p.bigNumber(nums.Right(), nums.Y, h.value, h.valueC, h.caption, u(h.numW))
		}
		p.text(words.X, words.Y, u(18), th.Text, frame.AlignStart, h.title, words.W)
		for i, ln := range h.lines {
			p.text(words.X, words.Y+u(28)+float64(i)*p.lh, p.fs, ln.c, frame.AlignStart, ln.s, words.W-u(8))
		}
		return rest
	}
	big := u(24)
	rowH := frame.LineHeight(big)
	numW := 0.0
	if h.value != "" {
		capt := h.shortCaption
		if capt == "" {
			capt = h.caption
		}
		valW := p.width(h.value, big)
		capW := min(p.width(capt, p.fs), in.W*0.6-valW-u(6))
		x := in.Right() - capW
		if capW >= min(p.width(capt, p.fs), 3*p.width("…", p.fs)) {
			p.text(x, in.Y+rowH-p.lh-u(2), p.fs, th.TextDim, frame.AlignStart, capt, capW)
		} else {
			x, capW = in.Right(), 0
		}
		p.text(x-u(6), in.Y, big, h.valueC, frame.AlignEnd, h.value, in.W*0.6)
		numW = in.Right() - (x - u(6) - valW)
	}
	p.text(in.X, in.Y+rowH-frame.LineHeight(u(18))-u(1), u(18), th.Text, frame.AlignStart, h.title, in.W-numW-u(12))
	y := in.Y + rowH + u(2)
	for _, ln := range h.lines[:min(keep, len(h.lines))] {
		p.text(in.X, y, p.fs, ln.c, frame.AlignStart, ln.s, in.W)
		y += p.lh
	}
	_, rest := in.CutTop(y - in.Y + u(6))
	return rest
}

// compactFrame is the inner rectangle of a chapter's area and whether the
// picture is short enough to need a compact layout: small frames get a
// narrower margin.
func compactFrame(p pen, area frame.Rect) (in frame.Rect, compact bool) {
	u := p.u
	pad := u(16)
	if area.H < u(360) {
		pad = u(8)
	}
	in = area.Inset(pad)
	return in, in.H < u(330)
}

// A legend is a row of swatches, each with its words, wrapped onto more
// rows where one does not hold them: top above the first row, gap between
// a swatch and its words, space between two entries. The chapters of this
// package draw theirs with it.
type legend struct {
	entries         []legendEntry
	top, gap, space float64
}

// A legendEntry is a swatch w wide, which draw paints from x0 on its row's
// centre line cy, and its words.
type legendEntry struct {
	w     float64
	draw  func(x0, cy float64)
	label string
}

// places puts the entries in rows width wide, left to right, starting a
// row where an entry would run past width: each entry's row and x.
func (g legend) places(p pen, width float64) (rows []int, xs []float64) {
	x, row := 0.0, 0
	for _, e := range g.entries {
		w := e.w + g.gap + p.width(e.label, p.fs)
		if x > 0 && x+w > width {
			x, row = 0, row+1
		}
		rows, xs = append(rows, row), append(xs, x)
		x += w + g.space
	}
	return rows, xs
}

// rows is how many rows the whole legend takes width wide.
func (g legend) rows(p pen, width float64) int {
	rows, _ := g.places(p, width)
	if len(rows) == 0 {
		return 0
	}
	return rows[len(rows)-1] + 1
}

// height is the band rows rows of the legend take.
func (g legend) height(p pen, rows int) float64 {
	return g.top + float64(rows)*(p.lh+p.u(4))
}

// fit is how many rows of the legend to draw width wide in room of
// height: all it takes, or where those do not fit one row of the entries
// that fit on it, or none.
func (g legend) fit(p pen, width, room float64) int {
	n := g.rows(p, width)
	switch {
	case g.height(p, n) <= room:
		return n
	case g.height(p, 1) <= room:
		return 1
	}
	return 0
}

// draw paints the entries placed on the first rows rows of r; those
// placed past them are left out.
func (g legend) draw(p pen, r frame.Rect, rows int) {
	th := p.x.Theme
	at, xs := g.places(p, r.W)
	for i, e := range g.entries {
		if at[i] >= rows {
			continue
		}
		x, y := r.X+xs[i], r.Y+g.top+float64(at[i])*(p.lh+p.u(4))
		e.draw(x, y+p.lh/2)
		p.text(x+e.w+g.gap, y, p.fs, th.Text, frame.AlignStart, e.label, r.Right()-(x+e.w+g.gap))
	}
}
