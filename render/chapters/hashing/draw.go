package hashing

import (
	"math"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
)

// bigSize is the font size of the numbers that matter, in layout units.
const bigSize = 30

// stat is a headline number: a caption above, the value large, a note below.
type stat struct {
	Caption string
	Value   string
	Note    string
	// Mark is drawn as a swatch before the caption, tying the number to a
	// colour in the picture; zero alpha draws none.
	Mark frame.Color
}

// statHeight is the height drawStats uses.
func statHeight(x *lab.Context) float64 {
	th := x.Theme
	return frame.LineHeight(th.Font()) + frame.LineHeight(th.U(bigSize)) + frame.LineHeight(th.Font())
}

// drawStats lays out stats side by side in r, each in an equal column.
func drawStats(x *lab.Context, l *frame.Layer, r frame.Rect, stats []stat) {
	th := x.Theme
	u := th.U
	size := th.Font()
	big := u(bigSize)
	colW := r.W / float64(len(stats))
	for i, s := range stats {
		cx := r.X + float64(i)*colW
		w := colW - u(16)
		y := r.Y
		tx := cx
		if s.Mark.A > 0 {
			d := u(10)
			l.Rect(frame.Rect{X: cx, Y: y + (frame.LineHeight(size)-d)/2, W: d, H: d}, s.Mark)
			tx += d + u(6)
		}
		l.Label(tx, y, size, th.TextDim, frame.AlignStart, frame.Fit(x.Measure, s.Caption, size, w-(tx-cx)))
		y += frame.LineHeight(size)
		l.Label(cx, y, big, th.Text, frame.AlignStart, frame.Fit(x.Measure, s.Value, big, w))
		y += frame.LineHeight(big)
		l.Label(cx, y, size, th.Text, frame.AlignStart, frame.Fit(x.Measure, s.Note, size, w))
	}
}

// legendItem is one entry of a legend row.
type legendItem struct {
	draw  func(cx, cy, r float64)
	label string
}

// drawLegend writes items left to right in r, dropping those that do not fit.
func drawLegend(x *lab.Context, l *frame.Layer, r frame.Rect, items []legendItem) {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	y := r.Y + (r.H-lh)/2
	gx := r.X
	for _, it := range items {
		w := u(16) + x.Measure.Width(it.label, size)
		if gx+w > r.Right() {
			return
		}
		it.draw(gx+u(6), y+lh/2, u(6))
		l.Label(gx+u(16), y, size, th.Text, frame.AlignStart, it.label)
		gx += w + u(16)
	}
}

// swatch is a legend mark: a square of colour c.
func swatch(l *frame.Layer, c frame.Color) func(cx, cy, r float64) {
	return func(cx, cy, r float64) { l.Rect(frame.Rect{X: cx - r, Y: cy - r, W: 2 * r, H: 2 * r}, c) }
}

// dim is a node colour pushed towards the background: a key that stayed.
func dim(c frame.Color, bg frame.Color) frame.Color { return c.Mix(bg, 0.72) }

// arcBand fills the band between radii r0 and r1 from angle a0 to a1
// (a1 > a0), in about segs pieces per full turn.
func arcBand(l *frame.Layer, g scene.Geom, a0, a1, r0, r1 float64, segs int, c frame.Color) {
	n := max(1, int(math.Ceil((a1-a0)/(2*math.Pi)*float64(segs))))
	step := (a1 - a0) / float64(n)
	for i := range n {
		b0, b1 := a0+float64(i)*step, a0+float64(i+1)*step
		x0, y0 := g.At(b0, r0)
		x1, y1 := g.At(b0, r1)
		x2, y2 := g.At(b1, r1)
		x3, y3 := g.At(b1, r0)
		l.Quad(float32(x0), float32(y0), float32(x1), float32(y1), float32(x2), float32(y2), float32(x3), float32(y3), c)
	}
}

// clockwise is the angle from a to b going clockwise, in [0, 2π): the screen
// angles of scene.Angle grow clockwise.
func clockwise(a, b float64) float64 {
	d := math.Mod(b-a, 2*math.Pi)
	if d < 0 {
		d += 2 * math.Pi
	}
	return d
}

// serverDisc draws a server's glyph: a disc in its colour with a dark rim.
func serverDisc(l *frame.Layer, x, y, r float64, id core.NodeID) {
	l.Disc(x, y, r, 24, scene.Black)
	l.Disc(x, y, r*0.8, 24, scene.NodeColor(id))
}

// placedLabels are labels placed so that none overlaps another or leaves
// the picture: each takes the first of its texts that fits, or is left out.
type placedLabels struct {
	texts []frame.Text
	boxes []frame.Rect
}

// place adds a label at at's position, size and alignment with the first
// of texts (longest first) whose box is inside area and clear of the
// labels placed before.
func (p *placedLabels) place(m frame.Measurer, area frame.Rect, at frame.Text, texts ...string) bool {
	for _, s := range texts {
		box := frame.LabelBox(m, float64(at.X), float64(at.Y), float64(at.Size), at.Align, s)
		if box.X < area.X || box.Y < area.Y || box.Right() > area.Right() || box.Bottom() > area.Bottom() {
			continue
		}
		clear := true
		for _, b := range p.boxes {
			if b.Overlaps(box) {
				clear = false
				break
			}
		}
		if !clear {
			continue
		}
		at.S = s
		p.texts = append(p.texts, at)
		p.boxes = append(p.boxes, box)
		return true
	}
	return false
}

// draw adds the placed labels to l.
func (p *placedLabels) draw(l *frame.Layer) {
	for _, t := range p.texts {
		l.Label(float64(t.X), float64(t.Y), float64(t.Size), t.C, t.Align, t.S)
	}
}
