// Package frame describes one picture of the lab as plain data: coloured
// triangles in a few batches, text labels, and the layers they are painted
// in. Everything that decides what the lab shows writes into a Frame; the
// Ebitengine game only paints it, so the picture can be built and checked
// without a display.
//
// Coordinates are device pixels with the origin at the top left. A Frame
// keeps its slices between frames: Reset empties it without freeing memory,
// so building the same picture again does not allocate.
package frame

import "math"

// Color is a straight-alpha colour with components in [0, 1].
type Color struct{ R, G, B, A float32 }

// RGB makes an opaque colour from 0xRRGGBB.
func RGB(hex uint32) Color {
	return Color{
		R: float32(hex>>16&0xff) / 255,
		G: float32(hex>>8&0xff) / 255,
		B: float32(hex&0xff) / 255,
		A: 1,
	}
}

// WithAlpha returns c with its opacity replaced.
func (c Color) WithAlpha(a float32) Color { c.A = a; return c }

// Mix returns the colour t of the way from c to d (t in [0, 1]).
func (c Color) Mix(d Color, t float32) Color {
	return Color{
		R: c.R + (d.R-c.R)*t,
		G: c.G + (d.G-c.G)*t,
		B: c.B + (d.B-c.B)*t,
		A: c.A + (d.A-c.A)*t,
	}
}

// Hex renders the colour as #rrggbb (opacity is left out).
func (c Color) Hex() string {
	const digits = "0123456789abcdef"
	b := []byte{'#', 0, 0, 0, 0, 0, 0}
	for i, v := range [3]float32{c.R, c.G, c.B} {
		n := int(math.Round(float64(v) * 255))
		b[1+2*i] = digits[n>>4&0xf]
		b[2+2*i] = digits[n&0xf]
	}
	return string(b)
}

// Vertex is one corner of a triangle.
type Vertex struct {
	X, Y float32
	C    Color
}

// BatchVertexMax is the most vertices one batch holds: indices are 16-bit,
// as Ebitengine's DrawTriangles takes them.
const BatchVertexMax = 1 << 16

// Batch is a set of triangles painted by one draw call.
type Batch struct {
	Verts []Vertex
	Idx   []uint16
}

// Align places a text horizontally relative to its X.
type Align uint8

const (
	AlignStart  Align = iota // X is the left edge
	AlignCenter              // X is the middle
	AlignEnd                 // X is the right edge
)

// Text is one line of text. Y is the top of the line box; Size is the font
// size in device pixels.
type Text struct {
	X, Y  float32
	Size  float32
	C     Color
	Align Align
	S     string
}

// Layer is geometry painted first, then the texts on top of it.
type Layer struct {
	batches []Batch
	used    int // batches[:used] hold this frame's geometry
	Texts   []Text
}

// Reset empties the layer and keeps its memory.
func (l *Layer) Reset() {
	for i := range l.batches[:l.used] {
		l.batches[i].Verts = l.batches[i].Verts[:0]
		l.batches[i].Idx = l.batches[i].Idx[:0]
	}
	l.used = 0
	l.Texts = l.Texts[:0]
}

// Batches returns the non-empty batches of this frame, in paint order.
func (l *Layer) Batches() []Batch { return l.batches[:l.used] }

// VertexCount is the number of vertices in all batches.
func (l *Layer) VertexCount() int {
	n := 0
	for _, b := range l.Batches() {
		n += len(b.Verts)
	}
	return n
}

// reserve returns the batch that will take n more vertices, opening a new
// one when the current batch would overflow 16-bit indices.
func (l *Layer) reserve(n int) *Batch {
	if l.used > 0 && len(l.batches[l.used-1].Verts)+n <= BatchVertexMax {
		return &l.batches[l.used-1]
	}
	if l.used == len(l.batches) {
		l.batches = append(l.batches, Batch{})
	}
	l.used++
	return &l.batches[l.used-1]
}

// Tri adds one triangle.
func (l *Layer) Tri(x0, y0, x1, y1, x2, y2 float32, c Color) {
	b := l.reserve(3)
	base := uint16(len(b.Verts))
	b.Verts = append(b.Verts, Vertex{x0, y0, c}, Vertex{x1, y1, c}, Vertex{x2, y2, c})
	b.Idx = append(b.Idx, base, base+1, base+2)
}

// Quad adds a convex quadrilateral given by its corners in order.
func (l *Layer) Quad(x0, y0, x1, y1, x2, y2, x3, y3 float32, c Color) {
	b := l.reserve(4)
	base := uint16(len(b.Verts))
	b.Verts = append(b.Verts, Vertex{x0, y0, c}, Vertex{x1, y1, c}, Vertex{x2, y2, c}, Vertex{x3, y3, c})
	b.Idx = append(b.Idx, base, base+1, base+2, base, base+2, base+3)
}

// Rect fills an axis-aligned rectangle.
func (l *Layer) Rect(r Rect, c Color) {
	if r.W <= 0 || r.H <= 0 {
		return
	}
	x0, y0, x1, y1 := float32(r.X), float32(r.Y), float32(r.X+r.W), float32(r.Y+r.H)
	l.Quad(x0, y0, x1, y0, x1, y1, x0, y1, c)
}

// Outline strokes the inside edge of a rectangle with the given width.
func (l *Layer) Outline(r Rect, width float64, c Color) {
	w := min(width, r.W/2, r.H/2)
	l.Rect(Rect{r.X, r.Y, r.W, w}, c)
	l.Rect(Rect{r.X, r.Y + r.H - w, r.W, w}, c)
	l.Rect(Rect{r.X, r.Y + w, w, r.H - 2*w}, c)
	l.Rect(Rect{r.X + r.W - w, r.Y + w, w, r.H - 2*w}, c)
}

// Line strokes a segment of the given width with square ends.
func (l *Layer) Line(x0, y0, x1, y1, width float64, c Color) {
	dx, dy := x1-x0, y1-y0
	n := math.Hypot(dx, dy)
	if n == 0 {
		return
	}
	nx, ny := -dy/n*width/2, dx/n*width/2
	l.Quad(float32(x0+nx), float32(y0+ny), float32(x1+nx), float32(y1+ny),
		float32(x1-nx), float32(y1-ny), float32(x0-nx), float32(y0-ny), c)
}

// Disc fills a circle approximated by the given number of segments (at least 3).
func (l *Layer) Disc(cx, cy, r float64, segments int, c Color) {
	segments = max(segments, 3)
	b := l.reserve(segments + 1)
	base := uint16(len(b.Verts))
	b.Verts = append(b.Verts, Vertex{float32(cx), float32(cy), c})
	for i := range segments {
		s, co := math.Sincos(2 * math.Pi * float64(i) / float64(segments))
		b.Verts = append(b.Verts, Vertex{float32(cx + r*co), float32(cy + r*s), c})
	}
	for i := range segments {
		next := (i + 1) % segments
		b.Idx = append(b.Idx, base, base+1+uint16(i), base+1+uint16(next))
	}
}

// Annulus strokes a circle of radius r with the given width, centred on r.
func (l *Layer) Annulus(cx, cy, r, width float64, segments int, c Color) {
	segments = max(segments, 3)
	b := l.reserve(2 * segments)
	base := uint16(len(b.Verts))
	ri, ro := r-width/2, r+width/2
	for i := range segments {
		s, co := math.Sincos(2 * math.Pi * float64(i) / float64(segments))
		b.Verts = append(b.Verts,
			Vertex{float32(cx + ri*co), float32(cy + ri*s), c},
			Vertex{float32(cx + ro*co), float32(cy + ro*s), c})
	}
	for i := range segments {
		j := (i + 1) % segments
		a, bo, c2, d := base+uint16(2*i), base+uint16(2*i+1), base+uint16(2*j+1), base+uint16(2*j)
		b.Idx = append(b.Idx, a, bo, c2, a, c2, d)
	}
}

// Label adds a line of text.
func (l *Layer) Label(x, y, size float64, c Color, align Align, s string) {
	l.Texts = append(l.Texts, Text{X: float32(x), Y: float32(y), Size: float32(size), C: c, Align: align, S: s})
}

// Layer names, in paint order.
const (
	LayerScene   = iota // the chapter's picture (ring, keys, messages)
	LayerUI             // panels and controls
	LayerOverlay        // open dropdowns, tooltips, the help overlay
	LayerCount
)

// Frame is one whole picture.
type Frame struct {
	W, H       float64 // device pixels
	Scale      float64 // device pixels per layout unit (the device scale factor)
	Background Color
	Layers     [LayerCount]Layer
}

// Reset empties every layer for a picture of the given size.
func (f *Frame) Reset(w, h, scale float64, bg Color) {
	f.W, f.H, f.Scale, f.Background = w, h, scale, bg
	for i := range f.Layers {
		f.Layers[i].Reset()
	}
}

// BatchCount is the number of triangle batches over all layers: the number
// of geometry draw calls that painting the frame costs.
func (f *Frame) BatchCount() int {
	n := 0
	for i := range f.Layers {
		n += len(f.Layers[i].Batches())
	}
	return n
}

// Append adds a copy of src's geometry and texts on top of what l holds, as
// if src's drawing calls were repeated on l. Pictures that rarely change
// are built once into their own Layer and appended every frame.
func (l *Layer) Append(src *Layer) {
	for _, sb := range src.Batches() {
		b := l.reserve(len(sb.Verts))
		base := uint16(len(b.Verts))
		b.Verts = append(b.Verts, sb.Verts...)
		if base == 0 {
			b.Idx = append(b.Idx, sb.Idx...)
			continue
		}
		for _, i := range sb.Idx {
			b.Idx = append(b.Idx, base+i)
		}
	}
	l.Texts = append(l.Texts, src.Texts...)
}
