package plot

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ringlab/ringlab/experiments"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func TestLinearTicks(t *testing.T) {
	for _, tc := range []struct {
		name        string
		lo, hi      float64
		want        []float64
		first, last float64
	}{
		{"unit fractions", 0, 1, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}, 0, 1},
		{"range extended to round ends", 0, 0.93, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}, 0, 1},
		{"counts", 3, 97, []float64{0, 20, 40, 60, 80, 100}, 0, 100},
		{"tiny steps snap to their decimals", 0.1, 0.35, []float64{0.1, 0.15, 0.2, 0.25, 0.3, 0.35}, 0.1, 0.35},
		{"negative to positive", -3, 4, []float64{-4, -2, 0, 2, 4}, -4, 4},
		{"flat series at zero", 0, 0, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}, 0, 1},
	} {
		got, first, last := LinearTicks(tc.lo, tc.hi, 6)
		if !slices.Equal(got, tc.want) || first != tc.first || last != tc.last {
			t.Errorf("%s: LinearTicks(%v, %v) = %v [%v, %v], want %v [%v, %v]", tc.name, tc.lo, tc.hi, got, first, last, tc.want, tc.first, tc.last)
		}
	}
}

func TestLogTicks(t *testing.T) {
	for _, tc := range []struct {
		name        string
		lo, hi      float64
		want        []float64
		first, last float64
	}{
		{"under three decades: 1-2-5", 1, 50, []float64{1, 2, 5, 10, 20, 50, 100}, 1, 100},
		{"three decades: powers only", 30, 3840, []float64{10, 100, 1000, 10000}, 10, 10000},
		{"within one decade", 0.04, 0.09, []float64{0.01, 0.02, 0.05, 0.1}, 0.01, 0.1},
	} {
		got, first, last := LogTicks(tc.lo, tc.hi)
		if len(got) != len(tc.want) || first != tc.first || last != tc.last {
			t.Fatalf("%s: LogTicks(%v, %v) = %v [%v, %v], want %v [%v, %v]", tc.name, tc.lo, tc.hi, got, first, last, tc.want, tc.first, tc.last)
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-12*tc.want[i] {
				t.Errorf("%s: tick %d = %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
}

func TestScaleMap(t *testing.T) {
	for _, tc := range []struct {
		name  string
		s     Scale
		v     float64
		want  float64
		valid bool
	}{
		{"linear x", Scale{Min: 0, Max: 10, From: 100, To: 300}, 2.5, 150, true},
		{"linear y runs upwards", Scale{Min: 0, Max: 1, From: 400, To: 100}, 0.25, 325, true},
		{"log x, one decade per third", Scale{Min: 1, Max: 1000, Log: true, From: 0, To: 300}, 100, 200, true},
		{"log cannot show zero", Scale{Min: 1, Max: 1000, Log: true, From: 0, To: 300}, 0, 0, false},
		{"NaN is no point", Scale{Min: 0, Max: 1, From: 0, To: 1}, math.NaN(), 0, false},
	} {
		got, ok := tc.s.Map(tc.v)
		if ok != tc.valid || (ok && math.Abs(got-tc.want) > 1e-9) {
			t.Errorf("%s: Map(%v) = %v, %v; want %v, %v", tc.name, tc.v, got, ok, tc.want, tc.valid)
		}
	}
}

func TestFormatTick(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 0.05: "0.05", 2: "2", 1500: "1500", 10000: "10k", 12500: "12.5k", 2e6: "2M", -20000: "-20k"} {
		if got := FormatTick(v); got != want {
			t.Errorf("FormatTick(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestDashSegments(t *testing.T) {
	line := []Point{{0, 0}, {20, 0}}
	got := DashSegments(line, []float64{5, 5})
	want := [][]Point{{{0, 0}, {5, 0}}, {{10, 0}, {15, 0}}}
	if !slices.EqualFunc(got, want, func(a, b []Point) bool { return slices.Equal(a, b) }) {
		t.Errorf("straight line: got %v, want %v", got, want)
	}
	// A dash continues round a corner: the first dash of 6 takes 4 along x
	// and 2 along y.
	corner := DashSegments([]Point{{0, 0}, {4, 0}, {4, 10}}, []float64{6, 2})
	if len(corner) == 0 || !slices.Equal(corner[0], []Point{{0, 0}, {4, 0}, {4, 2}}) {
		t.Errorf("corner: first dash %v, want [{0 0} {4 0} {4 2}]", corner)
	}
	if solid := DashSegments(line, nil); len(solid) != 1 || len(solid[0]) != 2 {
		t.Errorf("no pattern: got %v, want the whole line", solid)
	}
}

func TestMarkerPolygonStaysWithinRadius(t *testing.T) {
	c := Point{50, 50}
	for m := Circle; m < None; m++ {
		poly := MarkerPolygon(m, c, 5)
		if len(poly) < 3 {
			t.Errorf("%v: %d points, want a polygon", m, len(poly))
		}
		for _, p := range poly {
			if d := math.Hypot(p.X-c.X, p.Y-c.Y); d > 5+1e-9 || d < 1 {
				t.Errorf("%v: point %v at distance %v from the centre, want within (1, 5]", m, p, d)
			}
		}
	}
	if MarkerPolygon(None, c, 5) != nil {
		t.Error("None: want no outline")
	}
}

// sampleTable is a small grouped table with a prediction and a reference.
func sampleTable() experiments.Table {
	nan := math.NaN()
	return experiments.Table{
		Name: "sample", Title: "Sample", Group: "scheme", X: "n",
		Columns: []experiments.Column{
			{Name: "n", Label: "nodes", Unit: "nodes", Role: experiments.Param},
			{Name: "moved", Label: "moved", Unit: "fraction of keys", Role: experiments.Measured},
			{Name: "theory", Label: "theory", Unit: "fraction of keys", Role: experiments.Predicted, Predicts: "moved"},
			{Name: "all", Label: "everything", Unit: "fraction of keys", Role: experiments.Reference, Predicts: "moved"},
		},
		Rows: []experiments.Row{
			{Group: "modulo", Values: []float64{1, 0.5, 0.5, 1}, Samples: [][]float64{nil, {0.4, 0.6}, nil, nil}},
			{Group: "modulo", Values: []float64{4, 0.8, 0.8, 1}, Samples: [][]float64{nil, {0.8, 0.8}, nil, nil}},
			{Group: "ring", Values: []float64{1, 0.5, 0.5, 1}, Samples: [][]float64{nil, {0.5, 0.5}, nil, nil}},
			{Group: "ring", Values: []float64{4, nan, 0.2, 1}, Samples: [][]float64{nil, {}, nil, nil}},
		},
	}
}

func TestBuildMapsSeriesBandsAndLegend(t *testing.T) {
	f, err := Build(sampleTable(), Rect{0, 0, 640, 400}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, s := range f.Series {
		labels = append(labels, s.Label)
	}
	wantLabels := []string{"modulo", "modulo: theory", "everything", "ring", "ring: theory"}
	if !slices.Equal(labels, wantLabels) {
		t.Fatalf("series %q, want %q", labels, wantLabels)
	}
	modulo, theory, ring := f.Series[0], f.Series[1], f.Series[3]
	if modulo.Color != Palette[0] || theory.Color != Palette[0] || ring.Color != Palette[1] {
		t.Errorf("colours %s %s %s: a prediction shares its measurement's colour, groups differ", modulo.Color, theory.Color, ring.Color)
	}
	if modulo.Marker == ring.Marker || theory.Marker != None || theory.Dash == nil || modulo.Dash != nil {
		t.Errorf("markers %v/%v, dashes %v/%v: measurements solid with distinct markers, predictions dashed without", modulo.Marker, ring.Marker, modulo.Dash, theory.Dash)
	}
	// The x axis runs 0..4 (linear, from zero) and the y axis 0..1.
	px := func(x float64) float64 { return f.Frame.X + x/4*f.Frame.W }
	py := func(y float64) float64 { return f.Frame.Y + f.Frame.H - y*f.Frame.H }
	if got := modulo.Markers; len(got) != 2 || math.Abs(got[1].X-px(4)) > 1e-9 || math.Abs(got[1].Y-py(0.8)) > 1e-9 {
		t.Errorf("modulo markers %v, want the second at (%v, %v)", got, px(4), py(0.8))
	}
	if len(ring.Markers) != 1 {
		t.Errorf("ring has %d markers; the unmeasured point must be skipped", len(ring.Markers))
	}
	// The modulo band spans min..max: 0.4..0.6 at n=1, 0.8 at n=4.
	band := f.Bands[0].Polygon
	want := []Point{{px(1), py(0.6)}, {px(4), py(0.8)}, {px(4), py(0.8)}, {px(1), py(0.4)}}
	for i := range want {
		if math.Abs(band[i].X-want[i].X) > 1e-9 || math.Abs(band[i].Y-want[i].Y) > 1e-9 {
			t.Fatalf("band %v, want %v", band, want)
		}
	}
	if len(f.Legend) != len(f.Series) || f.Legend[0].Sample[0].X <= f.Frame.X+f.Frame.W {
		t.Errorf("legend %v: one entry per series, right of the frame at this width", f.Legend)
	}
	if f.X.Title != "nodes (nodes)" || f.Y.Title != "fraction of keys" {
		t.Errorf("axis titles %q, %q", f.X.Title, f.Y.Title)
	}
}

func TestBuildGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		bounds Rect
		opt    Options
	}{
		{"wide_minmax", Rect{0, 0, 640, 400}, Options{}},
		{"narrow_stddev", Rect{10, 20, 360, 300}, Options{Band: BandStdDev}},
	} {
		f, err := Build(sampleTable(), tc.bounds, tc.opt)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := f.String()
		path := filepath.Join("testdata", tc.name+".golden")
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run go test -update to create it)", tc.name, err)
		}
		if got != string(want) {
			t.Errorf("%s: figure differs from %s:\n%s", tc.name, path, got)
		}
	}
}

func TestBuildLogAxesDropUnplottableValues(t *testing.T) {
	tb := sampleTable()
	tb.LogX, tb.LogY = true, true
	tb.Rows[0].Values[1] = 0 // log y cannot show 0: the line breaks there
	f, err := Build(tb, Rect{0, 0, 640, 400}, Options{Band: BandNone})
	if err != nil {
		t.Fatal(err)
	}
	if !f.X.Scale.Log || !f.Y.Scale.Log {
		t.Fatalf("axes not logarithmic: %+v %+v", f.X.Scale, f.Y.Scale)
	}
	if n := len(f.Series[0].Markers); n != 1 {
		t.Errorf("modulo markers %d, want 1 (the zero is dropped)", n)
	}
	if len(f.Bands) != 0 {
		t.Errorf("BandNone drew %d bands", len(f.Bands))
	}
}
