package diagram

import (
	"math"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/scene"
)

// Colours of the diagram besides the message palette.
var (
	laneStripe = frame.RGB(0x1c1f26)
	laneLine   = frame.RGB(0x3b404c)
	cursorLine = frame.RGB(0xf2f2f2)
	downShade  = frame.RGB(0x8a8f99).WithAlpha(0.35)
	skewShade  = scene.Yellow.WithAlpha(0.8)
	// Partition sides take the palette's blue and orange, faintly.
	sideShades = [...]frame.Color{scene.Blue.WithAlpha(0.22), scene.Orange.WithAlpha(0.18), scene.Purple.WithAlpha(0.2), scene.Green.WithAlpha(0.2)}
	staleMark  = scene.Vermillion
	// unexplainedMark outlines operations no linearization explains;
	// explainedMark underlines those of the longest linearizable prefix.
	unexplainedMark = scene.Purple
	explainedMark   = scene.SkyBlue
)

// SideColor is the shade of partition side i (for legends).
func SideColor(i int) frame.Color { return sideShades[i%len(sideShades)] }

// Draw paints the layout into layer. Geometry is batched into the layer's
// few draw calls; labels are added only where TextSize leaves room for
// them, so a small frame keeps its arrows and drops its words first.
func (l *Layout) Draw(layer *frame.Layer) {
	in := &l.In
	// Lanes.
	for i, ln := range l.Lanes {
		if i%2 == 1 {
			layer.Rect(frame.Rect{X: l.Plot.X, Y: ln.Y - l.LaneH/2, W: l.Plot.W, H: l.LaneH}, laneStripe)
		}
	}
	for _, s := range l.Shades {
		switch s.Kind {
		case ShadePartition:
			layer.Rect(s.Rect, SideColor(s.Side))
		case ShadeDown:
			layer.Rect(s.Rect, downShade)
		case ShadeSkew:
			layer.Rect(s.Rect, skewShade)
		}
	}
	for _, ln := range l.Lanes {
		layer.Line(l.Plot.X, ln.Y, l.CursorX, ln.Y, 1, laneLine)
	}
	if in.TextSize > 0 {
		for _, a := range l.Axis(in.TextSize * 5) {
			layer.Line(a.X, l.Plot.Y, a.X, l.Plot.Bottom(), 1, laneStripe.Mix(laneLine, 0.5))
		}
	}
	// Client operations, with a connector to their coordinator.
	for i := range l.Bars {
		b := &l.Bars[i]
		c := scene.Orange
		if b.Op.Kind == core.OpGet {
			c = scene.Green
		}
		alpha := float32(0.85)
		if b.Pending {
			alpha = 0.5
		}
		if b.Dim {
			alpha = 0.18
		}
		if !in.History && b.CoordY != 0 {
			conn := c.WithAlpha(alpha * 0.6)
			layer.Line(b.Rect.X, b.Rect.Y+b.Rect.H/2, b.Rect.X, b.CoordY, 1, conn)
			if !b.Pending {
				layer.Line(b.Rect.Right(), b.Rect.Y+b.Rect.H/2, b.Rect.Right(), b.CoordY, 1, conn)
			}
		}
		layer.Rect(b.Rect, c.WithAlpha(alpha))
		if b.Explained {
			layer.Rect(frame.Rect{X: b.Rect.X, Y: b.Rect.Bottom() + 1.5, W: b.Rect.W, H: 2}, explainedMark)
		}
		switch {
		case b.Marked:
			layer.Outline(b.Rect.Inset(-2), 2, unexplainedMark)
		case b.Stale || b.Lost:
			layer.Outline(b.Rect.Inset(-1), 2, staleMark)
		case b.Failed:
			// A failed operation is crossed through.
			layer.Line(b.Rect.X, b.Rect.Y, b.Rect.Right(), b.Rect.Bottom(), 1.5, staleMark.WithAlpha(alpha))
		}
		if l.selectedBar(b) {
			layer.Outline(b.Rect.Inset(-selectOutset), 1.5, cursorLine)
		}
	}
	// Messages.
	for i := range l.Arrows {
		a := &l.Arrows[i]
		c := a.Color
		width := 1.5
		if a.Dim {
			c = c.WithAlpha(0.15)
			width = 1
		}
		if in.Selected.Kind == ItemMsg && a.Msg.ID == in.Selected.ID {
			width = 3
		}
		layer.Line(a.X0, a.Y0, a.X1, a.Y1, width, c)
		switch {
		case a.Lost:
			cross(layer, a.X1, a.Y1, 4, staleMark.WithAlpha(c.A))
		case a.InFlight:
			layer.Disc(a.X1, a.Y1, 2.5, 8, c)
		default:
			head(layer, a.X0, a.Y0, a.X1, a.Y1, 5, c)
		}
	}
	layer.Line(l.CursorX, l.Plot.Y, l.CursorX, l.Plot.Bottom(), 1.5, cursorLine.WithAlpha(0.7))
	l.drawLabels(layer)
}

func (l *Layout) drawLabels(layer *frame.Layer) {
	in := &l.In
	size := in.TextSize
	if size <= 0 {
		return
	}
	for _, a := range l.Axis(size * 5) {
		layer.Label(a.X, l.Plot.Bottom()+size*0.2, size*0.85, scene.TextDim, frame.AlignCenter, a.Label)
	}
	labelSize := min(size, l.LaneH*0.7)
	if labelSize >= 7 {
		for _, ln := range l.Lanes {
			c := scene.TextDim
			if ln.Node != core.NoNode {
				c = scene.NodeColor(ln.Node)
			}
			layer.Label(l.Plot.X-6, ln.Y-labelSize*0.6, labelSize, c, frame.AlignEnd, ln.Label)
		}
	}
	// Operation labels only where a lane is tall enough for a line above
	// the bar, and only where the bar's text fits before the next one.
	if l.LaneH < size*1.9 || in.Measure == nil {
		return
	}
	opSize := size * 0.85
	// Each bar's room: up to the next bar on its client's lane (the bars
	// are in the order the operations began, every client's together).
	rooms := make([]float64, len(l.Bars))
	nextX := make([]float64, len(l.Lanes)) // by lane: where the next bar starts
	for i := range nextX {
		nextX[i] = l.Plot.Right() + 4
	}
	for i := len(l.Bars) - 1; i >= 0; i-- {
		b := &l.Bars[i]
		lane := l.clientLane[b.Op.Client]
		rooms[i] = nextX[lane] - b.Rect.X - 4
		nextX[lane] = b.Rect.X
	}
	for i := range l.Bars {
		b := &l.Bars[i]
		if b.Dim {
			continue
		}
		text, ok := barLabel(in.Measure, b, opSize, rooms[i])
		if !ok {
			continue
		}
		c := scene.TextColor
		if b.Stale || b.Lost || b.Failed {
			c = staleMark.Mix(scene.TextColor, 0.35)
		}
		layer.Label(b.Rect.X, l.labelBottom(b)-frame.LineHeight(opSize), opSize, c, frame.AlignStart, text)
	}
}

// barLabel is the longest of a bar's labels that fits in room: the whole
// ("get k -> [v1 v2] (stale)"), then the operation and how it ended
// ("get k (stale)", "put k failed"), then the operation alone ("get k").
// Not ok: none fits.
func barLabel(m frame.Measurer, b *Bar, size, room float64) (string, bool) {
	mark := ""
	switch {
	case b.Stale:
		mark = " (stale)"
	case b.Lost:
		mark = " (lost)"
	case b.Failed:
		mark = " failed"
	}
	short := b.Op.Kind.String() + " " + b.Op.Key
	whole := b.Label
	if !b.Failed {
		whole += mark // (a failed one's label says so)
	}
	for _, s := range []string{whole, short + mark, short} {
		if m.Width(s, size) <= room {
			return s, true
		}
	}
	return "", false
}

// selectOutset is how far the selection's outline stands off its bar.
const selectOutset = 4

func (l *Layout) selectedBar(b *Bar) bool {
	return l.In.Selected.Kind == ItemOp && uint64(b.Op.Request) == l.In.Selected.ID
}

// labelBottom is where an operation's label ends above its bar: clear of
// the outlines drawn round it (the selection's, the check's marks).
func (l *Layout) labelBottom(b *Bar) float64 {
	switch {
	case l.selectedBar(b):
		return b.Rect.Y - selectOutset - 1
	case b.Marked:
		return b.Rect.Y - 3
	case b.Stale || b.Lost:
		return b.Rect.Y - 2
	}
	return b.Rect.Y
}

// head draws an arrowhead at (x1, y1) pointing along the segment.
func head(layer *frame.Layer, x0, y0, x1, y1, size float64, c frame.Color) {
	dx, dy := x1-x0, y1-y0
	n := math.Hypot(dx, dy)
	if n < 1 {
		return
	}
	ux, uy := dx/n, dy/n
	bx, by := x1-ux*size, y1-uy*size
	px, py := -uy*size*0.5, ux*size*0.5
	layer.Tri(float32(x1), float32(y1), float32(bx+px), float32(by+py), float32(bx-px), float32(by-py), c)
}

// cross draws an x of half-width r at (x, y): where a message was lost.
func cross(layer *frame.Layer, x, y, r float64, c frame.Color) {
	layer.Line(x-r, y-r, x+r, y+r, 2, c)
	layer.Line(x-r, y+r, x+r, y-r, 2, c)
}
