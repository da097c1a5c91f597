package plot

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MarkerPolygon outlines marker m centred on c with radius r (half its
// width). Every outline is star-shaped around c, so a triangle fan from c
// fills it; None gives nil.
func MarkerPolygon(m Marker, c Point, r float64) []Point {
	poly := func(corners int, phase float64) []Point {
		out := make([]Point, corners)
		for i := range out {
			a := phase + 2*math.Pi*float64(i)/float64(corners)
			out[i] = Point{c.X + r*math.Cos(a), c.Y + r*math.Sin(a)}
		}
		return out
	}
	// arms is a plus of four arms of half-width w, turned by phase.
	arms := func(phase float64) []Point {
		w := r * 0.3
		l := math.Sqrt(r*r - w*w) // the arm's corners stay on the circle of radius r
		base := []Point{{w, -w}, {l, -w}, {l, w}, {w, w}, {w, l}, {-w, l}, {-w, w}, {-l, w}, {-l, -w}, {-w, -w}, {-w, -l}, {w, -l}}
		out := make([]Point, len(base))
		sin, cos := math.Sincos(phase)
		for i, p := range base {
			out[i] = Point{c.X + p.X*cos - p.Y*sin, c.Y + p.X*sin + p.Y*cos}
		}
		return out
	}
	switch m {
	case Circle:
		return poly(16, 0)
	case Square:
		return poly(4, math.Pi/4)
	case TriangleUp:
		return poly(3, -math.Pi/2)
	case Diamond:
		return poly(4, 0)
	case TriangleDown:
		return poly(3, math.Pi/2)
	case Cross:
		return arms(math.Pi / 4)
	case Plus:
		return arms(0)
	}
	return nil
}

// DashSegments cuts a polyline into the drawn pieces of a dash pattern
// (on, off, on, off... in pixels), continuing the pattern across corners.
// A nil or empty pattern gives the whole polyline as one piece.
func DashSegments(points []Point, pattern []float64) [][]Point {
	if len(points) < 2 {
		return nil
	}
	total := 0.0
	for _, d := range pattern {
		total += max(d, 0)
	}
	if total == 0 {
		return [][]Point{append([]Point(nil), points...)}
	}
	var out [][]Point
	cur := []Point{points[0]}
	k, left := 0, max(pattern[0], 0) // the pattern entry in progress and what is left of it
	on := true
	for i := 1; i < len(points); i++ {
		a, b := points[i-1], points[i]
		seg := math.Hypot(b.X-a.X, b.Y-a.Y)
		pos := 0.0
		for seg-pos > left {
			pos += left
			t := pos / seg
			p := Point{a.X + (b.X-a.X)*t, a.Y + (b.Y-a.Y)*t}
			if on {
				cur = append(cur, p)
				out = append(out, cur)
				cur = nil
			} else {
				cur = []Point{p}
			}
			on = !on
			k = (k + 1) % len(pattern)
			left = max(pattern[k], 0)
		}
		left -= seg - pos
		if on {
			cur = append(cur, b)
		}
	}
	if on && len(cur) >= 2 {
		out = append(out, cur)
	}
	return out
}

// String prints the figure as text, one element per line, with
// coordinates rounded to a tenth of a pixel: golden tests compare it.
func (f Figure) String() string {
	var b strings.Builder
	pt := func(p Point) string { return num(p.X) + "," + num(p.Y) }
	pts := func(ps []Point) string {
		s := make([]string, len(ps))
		for i, p := range ps {
			s[i] = pt(p)
		}
		return strings.Join(s, " ")
	}
	text := func(t Text) string {
		v := ""
		if t.Vertical {
			v = " vertical"
		}
		return fmt.Sprintf("%q at %s align %d,%d%s", t.S, pt(t.At), t.H, t.V, v)
	}
	fmt.Fprintf(&b, "figure %s frame %s\n", rect(f.Bounds), rect(f.Frame))
	fmt.Fprintf(&b, "title %s\n", text(f.Title))
	for _, a := range []struct {
		name string
		axis Axis
		t    Text
	}{{"x", f.X, f.XTitle}, {"y", f.Y, f.YTitle}} {
		log := ""
		if a.axis.Scale.Log {
			log = " log"
		}
		fmt.Fprintf(&b, "axis %s %s..%s%s line %s title %s\n", a.name, num(a.axis.Scale.Min), num(a.axis.Scale.Max), log, pts(a.axis.Line[:]), text(a.t))
		for _, t := range a.axis.Ticks {
			fmt.Fprintf(&b, "  tick %s at %s %q\n", num(t.Value), num(t.Pos), t.Label)
		}
	}
	for _, band := range f.Bands {
		fmt.Fprintf(&b, "band %s %s: %s\n", band.Color, num(band.Opacity), pts(band.Polygon))
	}
	for _, s := range f.Series {
		fmt.Fprintf(&b, "series %q %s %s dash %v width %s\n", s.Label, s.Color, s.Marker, s.Dash, num(s.Width))
		for _, seg := range s.Segments {
			fmt.Fprintf(&b, "  line %s\n", pts(seg))
		}
	}
	for _, e := range f.Legend {
		fmt.Fprintf(&b, "legend %q %s %s dash %v sample %s\n", e.Label, e.Color, e.Marker, e.Dash, pts(e.Sample[:]))
	}
	return b.String()
}

func rect(r Rect) string { return num(r.X) + "," + num(r.Y) + " " + num(r.W) + "x" + num(r.H) }

// num rounds to a tenth and drops a trailing ".0".
func num(v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		return "0"
	}
	return s
}
