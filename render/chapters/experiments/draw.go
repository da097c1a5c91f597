package experiments

import (
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/experiments/plot"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
)

// figureStyle is how a plot.Figure is painted: sizes in device pixels and
// the theme's colours.
type figureStyle struct {
	th      *ui.Theme
	measure frame.Measurer
	size    float64 // label font size
}

// figureOptions sizes the plot's margins for the font the labels are
// painted in: the character width is the widest average over the texts the
// figure will hold, so that no label is wider than the room made for it.
func figureOptions(st figureStyle, labels []string) plot.Options {
	cw := st.measure.Width("0", st.size)
	for _, s := range labels {
		if n := len([]rune(s)); n > 0 {
			cw = max(cw, st.measure.Width(s, st.size)/float64(n))
		}
	}
	return plot.Options{Band: plot.BandMinMax, CharWidth: cw, LineHeight: frame.LineHeight(st.size)}
}

// color turns a figure colour ("#RRGGBB") into a frame colour. Black, the
// figure's colour for baselines, becomes the theme's text colour: the page
// is dark.
func (st figureStyle) color(hex string) frame.Color {
	v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	if err != nil || v == 0 {
		return st.th.Text
	}
	return frame.RGB(uint32(v))
}

// textPos is where frame.Label puts a figure text: frame texts are placed
// by the top of their line box and a horizontal alignment.
func (st figureStyle) textPos(t plot.Text) (x, y float64, align frame.Align) {
	lh := frame.LineHeight(st.size)
	y = t.At.Y
	switch t.V {
	case plot.AlignMiddle:
		y -= lh / 2
	case plot.AlignEnd:
		y -= lh
	}
	align = frame.AlignStart
	switch t.H {
	case plot.AlignMiddle:
		align = frame.AlignCenter
	case plot.AlignEnd:
		align = frame.AlignEnd
	}
	return t.At.X, y, align
}

func (st figureStyle) label(l *frame.Layer, t plot.Text, c frame.Color, room float64) {
	if t.S == "" {
		return
	}
	x, y, align := st.textPos(t)
	l.Label(x, y, st.size, c, align, frame.Fit(st.measure, t.S, st.size, room))
}

// paintFigure paints f in its painting order: the frame's background,
// gridlines, bands across seeds, series (dashed where the figure says,
// with markers), axes with ticks and tick labels, the axis titles and the
// legend. The frame cannot turn text, so the y axis title is written
// level, above the y axis, in the room the figure leaves over its frame.
func paintFigure(l *frame.Layer, f plot.Figure, st figureStyle) {
	th := st.th
	u := th.U
	fr := frame.Rect{X: f.Frame.X, Y: f.Frame.Y, W: f.Frame.W, H: f.Frame.H}
	l.Rect(fr, th.Background)
	grid := th.Border.Mix(th.Background, 0.45)
	for _, g := range f.Grid {
		l.Line(g[0].X, g[0].Y, g[1].X, g[1].Y, u(1), grid)
	}
	for _, b := range f.Bands {
		paintBand(l, b.Polygon, st.color(b.Color).WithAlpha(float32(b.Opacity)))
	}
	for _, s := range f.Series {
		c := st.color(s.Color)
		w := u(s.Width)
		dash := scaled(s.Dash, th.Scale)
		for _, seg := range s.Segments {
			paintPolyline(l, seg, dash, w, c)
		}
		for _, p := range s.Markers {
			paintMarker(l, s.Marker, p, u(4.5), c, th.Background)
		}
	}
	// Axes, over the data, with outward ticks.
	axis := th.TextDim
	l.Line(f.X.Line[0].X, f.X.Line[0].Y, f.X.Line[1].X, f.X.Line[1].Y, u(1.5), axis)
	l.Line(f.Y.Line[0].X, f.Y.Line[0].Y, f.Y.Line[1].X, f.Y.Line[1].Y, u(1.5), axis)
	for _, t := range f.X.Ticks {
		l.Line(t.Pos, fr.Bottom(), t.Pos, fr.Bottom()+u(4), u(1), axis)
	}
	for _, t := range f.Y.Ticks {
		l.Line(fr.X-u(4), t.Pos, fr.X, t.Pos, u(1), axis)
	}
	// Tick labels too close to show them all are thinned to every k-th.
	xk := st.labelStride(f.X.Labels, false)
	xRoom := fr.W / float64(max(len(f.X.Labels), 1)) * float64(xk)
	for i, t := range f.X.Labels {
		if i%xk == 0 {
			t.At.Y += u(2)
			st.label(l, t, th.TextDim, xRoom)
		}
	}
	yk := st.labelStride(f.Y.Labels, true)
	for i, t := range f.Y.Labels {
		if i%yk == 0 {
			t.At.X -= u(2)
			st.label(l, t, th.TextDim, fr.X-f.Bounds.X)
		}
	}
	// The x axis title may run past the frame's ends, unless the legend
	// reaches down to it.
	xRoomTitle := fr.W
	if n := len(f.Legend); n > 0 && f.Legend[n-1].Text.At.Y < fr.Bottom() {
		cx := f.XTitle.At.X
		xRoomTitle = 2 * min(cx-f.Bounds.X, f.Bounds.X+f.Bounds.W-cx)
	}
	st.label(l, f.XTitle, th.Text, xRoomTitle)
	// The title sits above the frame and above the highest tick label,
	// which is centred on the frame's top edge and reaches half a line
	// above it.
	titleBottom := fr.Y - u(6)
	for _, t := range f.Y.Labels {
		_, top, _ := st.textPos(t)
		titleBottom = min(titleBottom, top-u(2))
	}
	yTitle := plot.Text{S: f.YTitle.S, At: plot.Point{X: f.Bounds.X, Y: titleBottom}, H: plot.AlignStart, V: plot.AlignEnd}
	st.label(l, yTitle, th.Text, f.Bounds.W)
	for _, e := range f.Legend {
		c := st.color(e.Color)
		paintPolyline(l, e.Sample[:], scaled(e.Dash, th.Scale), u(2), c)
		if e.Marker != plot.None {
			mid := plot.Point{X: (e.Sample[0].X + e.Sample[1].X) / 2, Y: e.Sample[0].Y}
			paintMarker(l, e.Marker, mid, u(4.5), c, th.Background)
		}
		st.label(l, e.Text, th.Text, f.Bounds.X+f.Bounds.W-e.Text.At.X)
	}
}

// labelStride is the smallest k such that every k-th of the tick labels
// ts (in axis order) keeps clear of the next one shown: along y by its
// line height, along x by its width and a gap.
func (st figureStyle) labelStride(ts []plot.Text, vertical bool) int {
	gap := st.th.U(6)
	lh := frame.LineHeight(st.size)
	span := func(t plot.Text) (lo, hi float64) {
		if vertical {
			_, y, _ := st.textPos(t)
			return y, y + lh
		}
		x, _, align := st.textPos(t)
		w := st.measure.Width(t.S, st.size)
		switch align {
		case frame.AlignCenter:
			x -= w / 2
		case frame.AlignEnd:
			x -= w
		}
		return x, x + w
	}
	for k := 1; k < len(ts); k++ {
		clear := true
		for i := 0; i+k < len(ts) && clear; i += k {
			alo, ahi := span(ts[i])
			blo, bhi := span(ts[i+k])
			clear = ahi+gap <= blo || bhi+gap <= alo
		}
		if clear {
			return k
		}
	}
	return max(len(ts), 1)
}

// compactFigure fits f to a small picture: the frame reaches up to just
// under the y axis title (the page does not paint the figure's own
// title), and the legend goes right of the frame when its labels take at
// most half the width, else under the x axis title in as many columns as
// fit.
func compactFigure(f *plot.Figure, st figureStyle) {
	u := st.th.U
	lh := frame.LineHeight(st.size)
	b := f.Bounds
	right, bottom := b.X+b.W, b.Y+b.H
	longest := 0.0
	for _, e := range f.Legend {
		longest = max(longest, st.measure.Width(e.Text.S, st.size))
	}
	entryW := longest + u(28)
	xMargin := 2*lh + u(10) // the x tick labels and the x axis title
	to := plot.Rect{X: f.Frame.X, Y: b.Y + 1.5*lh + u(4)}
	var legendX, legendY, colW float64
	cols := 1
	switch {
	case len(f.Legend) == 0:
		to.W, to.H = right-u(10)-to.X, bottom-xMargin-to.Y
	case entryW <= (right-to.X)/2:
		to.W, to.H = right-entryW-u(16)-to.X, bottom-xMargin-to.Y
		legendX, legendY = to.X+to.W+u(12), to.Y
	default:
		colW = entryW + u(24)
		cols = max(int((right-to.X)/colW), 1)
		rows := (len(f.Legend) + cols - 1) / cols
		to.W = right - u(10) - to.X
		to.H = bottom - float64(rows)*lh - u(4) - xMargin - to.Y
		legendX, legendY = to.X, to.Y+to.H+xMargin
	}
	if to.W < 2*lh || to.H < 2*lh {
		return // no room to gain: keep the figure as built
	}
	refit(f, to)
	for i := range f.Legend {
		e := &f.Legend[i]
		col, row := i%cols, i/cols
		x, y := legendX+float64(col)*colW, legendY+float64(row)*lh+lh/2
		e.Sample = [2]plot.Point{{X: x, Y: y}, {X: x + u(22), Y: y}}
		e.Text.At = plot.Point{X: x + u(28), Y: y}
	}
}

func scaled(pattern []float64, s float64) []float64 {
	if pattern == nil {
		return nil
	}
	out := make([]float64, len(pattern))
	for i, d := range pattern {
		out[i] = d * s
	}
	return out
}

// paintPolyline strokes a polyline, cut into dashes when pattern is set;
// solid joints get a disc so that corners do not show notches.
func paintPolyline(l *frame.Layer, pts []plot.Point, pattern []float64, width float64, c frame.Color) {
	for _, piece := range plot.DashSegments(pts, pattern) {
		for i := 1; i < len(piece); i++ {
			l.Line(piece[i-1].X, piece[i-1].Y, piece[i].X, piece[i].Y, width, c)
			if i < len(piece)-1 {
				l.Disc(piece[i].X, piece[i].Y, width/2, 8, c)
			}
		}
	}
}

// paintMarker fills marker m at p, over a disc of the background a little
// larger, so that markers stand out from the lines and bands under them.
func paintMarker(l *frame.Layer, m plot.Marker, p plot.Point, r float64, c, bg frame.Color) {
	poly := plot.MarkerPolygon(m, p, r)
	if len(poly) < 3 {
		return
	}
	halo := plot.MarkerPolygon(m, p, r+1.5)
	fan(l, p, halo, bg)
	fan(l, p, poly, c)
}

// fan fills a polygon that is star-shaped around centre.
func fan(l *frame.Layer, centre plot.Point, poly []plot.Point, c frame.Color) {
	for i := range poly {
		a, b := poly[i], poly[(i+1)%len(poly)]
		l.Tri(float32(centre.X), float32(centre.Y), float32(a.X), float32(a.Y), float32(b.X), float32(b.Y), c)
	}
}

// paintBand fills a band polygon (its upper edge left to right, then its
// lower edge right to left) as one quadrilateral between each pair of
// neighbouring x positions.
func paintBand(l *frame.Layer, poly []plot.Point, c frame.Color) {
	n := len(poly) / 2
	if n < 2 || len(poly) != 2*n {
		return
	}
	upper := poly[:n]
	lower := func(i int) plot.Point { return poly[2*n-1-i] }
	for i := 0; i+1 < n; i++ {
		a, b := upper[i], upper[i+1]
		d, e := lower(i), lower(i+1)
		l.Quad(float32(a.X), float32(a.Y), float32(b.X), float32(b.Y), float32(e.X), float32(e.Y), float32(d.X), float32(d.Y), c)
	}
}

// fitLegend makes room for the legend's labels in full. plot.Build puts
// the legend right of the frame in at most 0.4 of the width, which cuts
// long labels ("k=1 failed: independent-ranges approximation"); when a
// label does not fit there, the frame takes the whole width and the
// legend goes under the x axis title, in as many columns as fit.
func fitLegend(f *plot.Figure, st figureStyle) {
	if len(f.Legend) == 0 {
		return
	}
	u := st.th.U
	longest := 0.0
	for _, e := range f.Legend {
		longest = max(longest, st.measure.Width(e.Text.S, st.size))
	}
	right := f.Bounds.X + f.Bounds.W
	if f.Legend[0].Text.At.X+longest <= right-u(4) {
		return
	}
	lh := frame.LineHeight(st.size)
	entryW := longest + u(28) + u(24)
	cols := max(int((right-f.Frame.X)/entryW), 1)
	rows := (len(f.Legend) + cols - 1) / cols
	legendH := float64(rows)*lh + lh/2
	bottomMargin := f.Bounds.Y + f.Bounds.H - (f.Frame.Y + f.Frame.H)
	to := plot.Rect{X: f.Frame.X, Y: f.Frame.Y, W: right - u(10) - f.Frame.X}
	to.H = f.Bounds.Y + f.Bounds.H - legendH - bottomMargin - to.Y
	if to.H < f.Frame.H/2 {
		return // too little height: keep the cut labels beside the frame
	}
	refit(f, to)
	top := to.Y + to.H + bottomMargin
	for i := range f.Legend {
		e := &f.Legend[i]
		col, row := i%cols, i/cols
		x, y := to.X+float64(col)*entryW, top+float64(row)*lh+lh/2
		e.Sample = [2]plot.Point{{X: x, Y: y}, {X: x + u(22), Y: y}}
		e.Text.At = plot.Point{X: x + u(28), Y: y}
	}
}

// refit moves the figure's frame, and everything drawn in it or along its
// axes, to the rectangle to: the scales are linear in pixels (logarithmic
// axes included), so mapping the old frame onto the new one maps every
// point to where plot.Build would have put it.
func refit(f *plot.Figure, to plot.Rect) {
	from := f.Frame
	mx := func(x float64) float64 { return to.X + (x-from.X)*to.W/from.W }
	my := func(y float64) float64 { return to.Y + (y-from.Y)*to.H/from.H }
	mp := func(p plot.Point) plot.Point { return plot.Point{X: mx(p.X), Y: my(p.Y)} }
	mps := func(ps []plot.Point) {
		for i := range ps {
			ps[i] = mp(ps[i])
		}
	}
	for i := range f.Grid {
		mps(f.Grid[i][:])
	}
	for i := range f.Bands {
		mps(f.Bands[i].Polygon)
	}
	for i := range f.Series {
		for _, seg := range f.Series[i].Segments {
			mps(seg)
		}
		mps(f.Series[i].Markers)
	}
	mps(f.X.Line[:])
	mps(f.Y.Line[:])
	dy := (to.Y + to.H) - (from.Y + from.H)
	dx := to.X - from.X
	for i := range f.X.Ticks {
		f.X.Ticks[i].Pos = mx(f.X.Ticks[i].Pos)
		f.X.Labels[i].At = plot.Point{X: mx(f.X.Labels[i].At.X), Y: f.X.Labels[i].At.Y + dy}
	}
	for i := range f.Y.Ticks {
		f.Y.Ticks[i].Pos = my(f.Y.Ticks[i].Pos)
		f.Y.Labels[i].At = plot.Point{X: f.Y.Labels[i].At.X + dx, Y: my(f.Y.Labels[i].At.Y)}
	}
	f.X.Scale.From, f.X.Scale.To = to.X, to.X+to.W
	f.Y.Scale.From, f.Y.Scale.To = to.Y+to.H, to.Y
	f.XTitle.At = plot.Point{X: to.X + to.W/2, Y: f.XTitle.At.Y + dy}
	f.Frame = to
}
