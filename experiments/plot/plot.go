// Package plot turns an experiments.Table into a description of a figure in
// pixels: axes with round tick values, titles with units, one polyline with
// markers per measured series, a band across seeds behind it, its
// prediction dashed in the same colour, and a legend. It draws nothing:
// the render layer paints the Figure, and tests print it as text.
//
// Colours are the Okabe-Ito palette, which stays distinguishable under the
// common colour-vision deficiencies; every series also has its own marker
// shape, and predictions and references their own dash patterns, so that
// colour is never the only signal.
package plot

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ringlab/ringlab/experiments"
)

// Palette is the Okabe-Ito palette without black, in the order series take it.
var Palette = []string{"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}

// ReferenceColor draws baselines (experiments.Reference columns).
const ReferenceColor = "#000000"

// Dash patterns, in pixels: on, off, on, off...
var (
	PredictionDash = []float64{6, 4}
	ReferenceDash  = []float64{2, 3}
)

// Point is a position in pixels, y growing downwards.
type Point struct{ X, Y float64 }

// Rect is a pixel rectangle.
type Rect struct{ X, Y, W, H float64 }

// Align places a text relative to its anchor point.
type Align uint8

const (
	AlignStart Align = iota // left of the text (or top) at the anchor
	AlignMiddle
	AlignEnd
)

// Text is a label to paint. H and V say which part of the text sits at
// At; Vertical text reads bottom to top (a y axis title).
type Text struct {
	S        string
	At       Point
	H, V     Align
	Vertical bool
}

// Marker is the shape drawn at each point of a measured series.
type Marker uint8

const (
	Circle Marker = iota
	Square
	TriangleUp
	Diamond
	TriangleDown
	Cross
	Plus
	None // predictions and references have no markers
)

var markerNames = []string{"circle", "square", "triangle-up", "diamond", "triangle-down", "cross", "plus", "none"}

func (m Marker) String() string { return markerNames[m] }

// Series is one polyline. Segments are the runs of consecutive points that
// could be placed (a missing or unplottable value breaks the line).
type Series struct {
	Label    string
	Color    string
	Marker   Marker
	Dash     []float64 // nil: solid
	Width    float64
	Segments [][]Point
	Markers  []Point // where to draw Marker
}

// Band is the spread of a series across seeds, as a closed polygon: the
// upper edge left to right, then the lower edge right to left.
type Band struct {
	Color   string
	Opacity float64
	Polygon []Point
}

// Axis is one axis: its line, scale, ticks and title.
type Axis struct {
	Title  string
	Scale  Scale
	Ticks  []Tick
	Line   [2]Point
	Labels []Text // one per tick
}

// LegendEntry is one legend line: a sample of the series' stroke and
// marker from Sample[0] to Sample[1], and its label.
type LegendEntry struct {
	Label  string
	Color  string
	Marker Marker
	Dash   []float64
	Sample [2]Point
	Text   Text
}

// Figure is everything to paint, in painting order: grid, bands, series,
// axes, texts, legend.
type Figure struct {
	Bounds, Frame Rect
	Title         Text
	Grid          [][2]Point
	Bands         []Band
	Series        []Series
	X, Y          Axis
	XTitle        Text
	YTitle        Text
	Legend        []LegendEntry
}

// BandKind selects what a band spans.
type BandKind uint8

const (
	BandMinMax BandKind = iota // from the lowest to the highest seed
	BandStdDev                 // mean ± one standard deviation
	BandNone
)

// Options tune a figure. The zero value is usable.
type Options struct {
	Band BandKind
	// CharWidth and LineHeight are the label font's advance and line
	// height in pixels, used to make room for labels (defaults 7 and 14).
	CharWidth, LineHeight float64
	// Columns restricts the measured columns drawn (by name); nil draws all.
	Columns []string
}

// Build lays out a figure of t inside bounds.
func Build(t experiments.Table, bounds Rect, opt Options) (Figure, error) {
	if opt.CharWidth <= 0 {
		opt.CharWidth = 7
	}
	if opt.LineHeight <= 0 {
		opt.LineHeight = 14
	}
	xCol := t.Col(t.X)
	if xCol < 0 {
		return Figure{}, fmt.Errorf("plot: table %s has no x column %q", t.Name, t.X)
	}
	lines := collect(t, xCol, opt)
	if len(lines) == 0 {
		return Figure{}, fmt.Errorf("plot: table %s has nothing to draw", t.Name)
	}

	// Data ranges over everything drawn.
	xs, ys := []float64{}, []float64{}
	for _, l := range lines {
		for _, p := range l.points {
			xs = append(xs, p.x)
			ys = append(ys, p.y, p.lo, p.hi)
		}
	}
	xScale := chooseScale(xs, t.LogX, 6)
	yScale := chooseScale(ys, t.LogY, 6)

	f := Figure{Bounds: bounds}
	lh, cw := opt.LineHeight, opt.CharWidth
	// Legend: to the right when there is room, else below.
	var legendW float64
	longest := 0
	for _, l := range lines {
		longest = max(longest, len([]rune(l.label)))
	}
	legendRight := bounds.W >= 560
	if legendRight {
		legendW = min(float64(longest)*cw+40, bounds.W*0.4)
	}
	legendH := 0.0
	if !legendRight {
		legendH = float64(len(lines))*lh + lh/2
	}
	yLabelW := 0.0
	yTicks, yLo, yHi := ticksFor(yScale)
	for _, v := range yTicks {
		yLabelW = max(yLabelW, float64(len(FormatTick(v)))*cw)
	}
	left := bounds.X + lh*1.5 + yLabelW + 8
	top := bounds.Y + lh*2
	right := bounds.X + bounds.W - legendW - 10
	bottom := bounds.Y + bounds.H - lh*2.5 - legendH - 6
	f.Frame = Rect{X: left, Y: top, W: max(right-left, 1), H: max(bottom-top, 1)}
	fr := f.Frame

	xTicks, xLo, xHi := ticksFor(xScale)
	f.X = Axis{Title: axisTitle(t.Columns[xCol]), Scale: Scale{Min: xLo, Max: xHi, Log: xScale.log, From: fr.X, To: fr.X + fr.W},
		Line: [2]Point{{fr.X, fr.Y + fr.H}, {fr.X + fr.W, fr.Y + fr.H}}}
	f.Y = Axis{Title: yTitle(t, lines), Scale: Scale{Min: yLo, Max: yHi, Log: yScale.log, From: fr.Y + fr.H, To: fr.Y},
		Line: [2]Point{{fr.X, fr.Y}, {fr.X, fr.Y + fr.H}}}
	for _, v := range xTicks {
		px, _ := f.X.Scale.Map(v)
		f.X.Ticks = append(f.X.Ticks, Tick{Value: v, Pos: px, Label: FormatTick(v)})
		f.X.Labels = append(f.X.Labels, Text{S: FormatTick(v), At: Point{px, fr.Y + fr.H + 4}, H: AlignMiddle, V: AlignStart})
		f.Grid = append(f.Grid, [2]Point{{px, fr.Y}, {px, fr.Y + fr.H}})
	}
	for _, v := range yTicks {
		py, _ := f.Y.Scale.Map(v)
		f.Y.Ticks = append(f.Y.Ticks, Tick{Value: v, Pos: py, Label: FormatTick(v)})
		f.Y.Labels = append(f.Y.Labels, Text{S: FormatTick(v), At: Point{fr.X - 4, py}, H: AlignEnd, V: AlignMiddle})
		f.Grid = append(f.Grid, [2]Point{{fr.X, py}, {fr.X + fr.W, py}})
	}
	f.Title = Text{S: t.Title, At: Point{bounds.X + bounds.W/2, bounds.Y + lh*0.5}, H: AlignMiddle, V: AlignStart}
	f.XTitle = Text{S: f.X.Title, At: Point{fr.X + fr.W/2, fr.Y + fr.H + lh + 8}, H: AlignMiddle, V: AlignStart}
	f.YTitle = Text{S: f.Y.Title, At: Point{bounds.X + 2, fr.Y + fr.H/2}, H: AlignMiddle, V: AlignStart, Vertical: true}

	for _, l := range lines {
		s := Series{Label: l.label, Color: l.color, Marker: l.marker, Dash: l.dash, Width: 2}
		if l.dash != nil {
			s.Width = 1.5
		}
		var seg []Point
		var upper, lower []Point
		for _, p := range l.points {
			px, okx := f.X.Scale.Map(p.x)
			py, oky := f.Y.Scale.Map(p.y)
			if !okx || !oky {
				if len(seg) > 0 {
					s.Segments = append(s.Segments, seg)
					seg = nil
				}
				continue
			}
			pt := Point{px, py}
			seg = append(seg, pt)
			if l.marker != None {
				s.Markers = append(s.Markers, pt)
			}
			if l.band && opt.Band != BandNone {
				hi, okh := f.Y.Scale.Map(p.hi)
				lo, okl := f.Y.Scale.Map(p.lo)
				if okh && okl {
					upper = append(upper, Point{px, hi})
					lower = append(lower, Point{px, lo})
				}
			}
		}
		if len(seg) > 0 {
			s.Segments = append(s.Segments, seg)
		}
		if len(upper) >= 2 {
			slices.Reverse(lower)
			f.Bands = append(f.Bands, Band{Color: l.color, Opacity: 0.2, Polygon: append(upper, lower...)})
		}
		f.Series = append(f.Series, s)
	}

	// Legend entries, in series order.
	lx, ly := fr.X+fr.W+14, fr.Y
	if !legendRight {
		lx, ly = fr.X, bounds.Y+bounds.H-legendH
	}
	for i, s := range f.Series {
		y := ly + float64(i)*lh + lh/2
		f.Legend = append(f.Legend, LegendEntry{Label: s.Label, Color: s.Color, Marker: s.Marker, Dash: s.Dash,
			Sample: [2]Point{{lx, y}, {lx + 22, y}},
			Text:   Text{S: s.Label, At: Point{lx + 28, y}, H: AlignStart, V: AlignMiddle}})
	}
	return f, nil
}

// scaleChoice is the data range of one axis and whether it is logarithmic.
type scaleChoice struct {
	lo, hi float64
	log    bool
}

// chooseScale takes the range of the finite values; a log scale keeps only
// the positive ones, and falls back to linear when there are none. A
// linear range of non-negative values starts at 0, so that bars of
// fractions and counts are read from zero.
func chooseScale(vs []float64, log bool, _ int) scaleChoice {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) || (log && v <= 0) {
			continue
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	if math.IsInf(lo, 1) {
		if log {
			return chooseScale(vs, false, 0)
		}
		return scaleChoice{lo: 0, hi: 1}
	}
	if !log && lo > 0 {
		lo = 0
	}
	return scaleChoice{lo: lo, hi: hi, log: log}
}

func ticksFor(s scaleChoice) (ticks []float64, lo, hi float64) {
	if s.log {
		return LogTicks(s.lo, s.hi)
	}
	return LinearTicks(s.lo, s.hi, 6)
}

// axisTitle is a column's label with its unit: "wait (ticks)".
func axisTitle(c experiments.Column) string {
	if c.Unit == "" {
		return c.Label
	}
	return c.Label + " (" + c.Unit + ")"
}

// yTitle names the y axis by the units of the measured columns drawn.
func yTitle(t experiments.Table, lines []line) string {
	var units []string
	for _, l := range lines {
		if l.role == experiments.Measured && !slices.Contains(units, l.unit) && l.unit != "" {
			units = append(units, l.unit)
		}
	}
	return strings.Join(units, ", ")
}

// line is one series in data coordinates.
type line struct {
	label, color, unit string
	role               experiments.Role
	marker             Marker
	dash               []float64
	band               bool
	points             []dataPoint
}

type dataPoint struct{ x, y, lo, hi float64 }

// collect makes the series: for each measured column, one per group (each
// its own colour and marker), followed by its predictions in that colour,
// dashed; references are black and dotted.
func collect(t experiments.Table, xCol int, opt Options) []line {
	groups := t.Groups()
	var measured []int
	for i, c := range t.Columns {
		if c.Role == experiments.Measured && (opt.Columns == nil || slices.Contains(opt.Columns, c.Name)) {
			measured = append(measured, i)
		}
	}
	var out []line
	colour := 0
	for _, m := range measured {
		mc := t.Columns[m]
		for _, g := range groups {
			c := Palette[colour%len(Palette)]
			marker := Marker(colour % int(None))
			colour++
			out = append(out, seriesOf(t, xCol, m, g, seriesLabel(mc.Label, g, len(measured)), c, marker, nil, opt.Band))
			for i, pc := range t.Columns {
				if pc.Predicts != mc.Name {
					continue
				}
				switch pc.Role {
				case experiments.Predicted:
					out = append(out, seriesOf(t, xCol, i, g, seriesLabel(pc.Label, g, 0), c, None, PredictionDash, BandNone))
				case experiments.Reference:
					if g == groups[0] || !sameAcrossGroups(t, i) {
						label := pc.Label
						if !sameAcrossGroups(t, i) {
							label = seriesLabel(pc.Label, g, 0)
						}
						out = append(out, seriesOf(t, xCol, i, g, label, ReferenceColor, None, ReferenceDash, BandNone))
					}
				}
			}
		}
	}
	// Drop series with nothing to draw (a prediction known only at some
	// points still draws those).
	return slices.DeleteFunc(out, func(l line) bool { return len(l.points) == 0 })
}

// seriesLabel names a series: its label without groups; the group alone
// for the measurement when the table measures one column (measuredColumns
// is 1); else "group: label". Predictions pass 0, so they always keep
// their label.
func seriesLabel(label, group string, measuredColumns int) string {
	switch {
	case group == "":
		return label
	case measuredColumns == 1:
		return group
	}
	return group + ": " + label
}

// sameAcrossGroups reports whether column col has the same values in every
// group at equal x (a baseline that does not depend on the group).
func sameAcrossGroups(t experiments.Table, col int) bool {
	seen := map[float64]float64{}
	xCol := t.Col(t.X)
	for _, r := range t.Rows {
		x, v := r.Values[xCol], r.Values[col]
		if math.IsNaN(v) {
			continue
		}
		if w, ok := seen[x]; ok && w != v {
			return false
		}
		seen[x] = v
	}
	return true
}

func seriesOf(t experiments.Table, xCol, col int, group, label, color string, marker Marker, dash []float64, band BandKind) line {
	c := t.Columns[col]
	l := line{label: label, color: color, unit: c.Unit, role: c.Role, marker: marker, dash: dash, band: c.Role == experiments.Measured}
	for _, r := range t.Rows {
		if r.Group != group || math.IsNaN(r.Values[col]) {
			continue
		}
		p := dataPoint{x: r.Values[xCol], y: r.Values[col], lo: r.Values[col], hi: r.Values[col]}
		if c.Role == experiments.Measured {
			s := r.Summary(col)
			switch band {
			case BandMinMax:
				p.lo, p.hi = s.Min, s.Max
			case BandStdDev:
				p.lo, p.hi = s.Mean-s.StdDev, s.Mean+s.StdDev
			}
		}
		l.points = append(l.points, p)
	}
	slices.SortStableFunc(l.points, func(a, b dataPoint) int { return cmpFloat(a.x, b.x) })
	return l
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
