package plot

import (
	"math"
	"strconv"
	"strings"
)

// Tick is one labelled value on an axis; Pos is its pixel coordinate along
// the axis (x for the horizontal axis, y for the vertical one).
type Tick struct {
	Value float64
	Pos   float64
	Label string
}

// Scale maps data values to pixels along one axis.
type Scale struct {
	Min, Max float64 // the data range shown
	Log      bool    // base-10 logarithmic; Min and Max are then > 0
	From, To float64 // pixels of Min and Max (To < From for a y axis)
}

// Map is the pixel of value v; ok is false for a value a log scale cannot
// show (v <= 0) or a NaN.
func (s Scale) Map(v float64) (px float64, ok bool) {
	if math.IsNaN(v) || (s.Log && v <= 0) {
		return 0, false
	}
	lo, hi, x := s.Min, s.Max, v
	if s.Log {
		lo, hi, x = math.Log10(lo), math.Log10(hi), math.Log10(v)
	}
	if hi == lo {
		return (s.From + s.To) / 2, true
	}
	return s.From + (x-lo)/(hi-lo)*(s.To-s.From), true
}

// niceStep is the 1, 2 or 5 times a power of ten closest above raw.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	exp := math.Floor(math.Log10(raw))
	base := math.Pow(10, exp)
	for _, m := range []float64{1, 2, 5, 10} {
		if m*base >= raw*(1-1e-9) {
			return m * base
		}
	}
	return 10 * base
}

// LinearTicks chooses about target (at least 2) evenly spaced round ticks
// covering [lo, hi], and returns them with the extended range they span:
// the axis runs from the first tick to the last.
func LinearTicks(lo, hi float64, target int) (ticks []float64, first, last float64) {
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi == lo {
		// A flat series: a unit (or proportional) range around it.
		pad := math.Max(math.Abs(lo)*0.1, 1)
		if lo >= 0 && lo-pad < 0 {
			lo, hi = 0, lo+pad
		} else {
			lo, hi = lo-pad, hi+pad
		}
	}
	step := niceStep((hi - lo) / float64(max(target-1, 1)))
	from := math.Floor(lo/step+1e-9) * step
	to := math.Ceil(hi/step-1e-9) * step
	for i := 0; ; i++ {
		v := from + float64(i)*step
		if v > to+step*1e-9 {
			break
		}
		// Snap values such as 0.30000000000000004 to the step's decimals.
		ticks = append(ticks, roundTo(v, step))
	}
	return ticks, ticks[0], ticks[len(ticks)-1]
}

// LogTicks chooses ticks for a base-10 logarithmic axis covering [lo, hi]
// (both > 0): the powers of ten, plus 2 and 5 times them when the range
// spans fewer than three decades. The axis runs from the power of ten at
// or below lo to the one at or above hi.
func LogTicks(lo, hi float64) (ticks []float64, first, last float64) {
	if hi < lo {
		lo, hi = hi, lo
	}
	a := math.Floor(math.Log10(lo) + 1e-9)
	b := math.Ceil(math.Log10(hi) - 1e-9)
	if b == a {
		b = a + 1
	}
	sub := b-a < 3
	for e := a; e <= b; e++ {
		p := math.Pow(10, e)
		ticks = append(ticks, p)
		if sub && e < b {
			ticks = append(ticks, 2*p, 5*p)
		}
	}
	return ticks, math.Pow(10, a), math.Pow(10, b)
}

// roundTo rounds v to the decimals of step.
func roundTo(v, step float64) float64 {
	d := decimals(step)
	p := math.Pow(10, float64(d))
	r := math.Round(v*p) / p
	if r == 0 {
		return 0 // no "-0"
	}
	return r
}

// decimals is how many decimals a tick step needs (0 for whole steps).
func decimals(step float64) int {
	d := 0
	for d < 12 && math.Abs(step*math.Pow(10, float64(d))-math.Round(step*math.Pow(10, float64(d)))) > 1e-9*math.Pow(10, float64(d)) {
		d++
	}
	return d
}

// FormatTick writes a tick value compactly: 0.05, 2, 1,500 as "1500",
// 10,000 as "10k", 2,000,000 as "2M".
func FormatTick(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6 && math.Mod(a, 1e5) == 0:
		return trimZeros(strconv.FormatFloat(v/1e6, 'f', 1, 64)) + "M"
	case a >= 1e4 && math.Mod(a, 100) == 0:
		return trimZeros(strconv.FormatFloat(v/1e3, 'f', 1, 64)) + "k"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
