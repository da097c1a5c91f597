package experiments

import (
	"math"
	"testing"
)

// Rounded writes the spread to two significant digits and the mean to its
// decimal place, as measurements are reported.
func TestRoundedMeanAndSpread(t *testing.T) {
	for _, tc := range []struct {
		name          string
		mean, sd      float64
		wantM, wantSD string
	}{
		{"small spread", 0.49931, 0.004123, "0.4993", "0.0041"},
		{"spread sets the place", 0.51082, 0.02021, "0.511", "0.020"},
		{"whole numbers", 3204.4, 15.3, "3204", "15"},
		{"spread wider than the mean's digits", 0.5, 20, "0", "20"},
		{"mean caps the place at four digits", 1234.5678, 0.000123, "1235", "0.0001"},
		{"mean zero", 0, 0.0123, "0.000", "0.012"},
		{"no spread: the mean's four digits", 0.5, 0, "0.5", "0"},
		{"no spread, whole", 42, 0, "42", "0"},
		{"negative", -2.3456, 0.12, "-2.35", "0.12"},
		{"tiny", 0.0000123, 0.0000031, "0.0000123", "0.0000031"},
		{"not measured", math.NaN(), math.NaN(), "NaN", "NaN"},
	} {
		m, sd := Summary{Mean: tc.mean, StdDev: tc.sd}.Rounded()
		if m != tc.wantM || sd != tc.wantSD {
			t.Errorf("%s: Rounded(%v, %v) = %q ± %q, want %q ± %q", tc.name, tc.mean, tc.sd, m, sd, tc.wantM, tc.wantSD)
		}
	}
}
