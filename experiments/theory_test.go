package experiments

import (
	"math"
	"math/rand/v2"
	"testing"
)

// With one point per node the shares are uniform spacings, whose expected
// maximum is H_n/n: max/mean is the harmonic number H_n.
func TestMaxOverMeanSharesOnePointIsHarmonic(t *testing.T) {
	for _, n := range []int{2, 3, 10, 64, 256} {
		h := 0.0
		for i := 1; i <= n; i++ {
			h += 1 / float64(i)
		}
		if got := maxOverMeanShares(n, 1); math.Abs(got-h) > 1e-6 {
			t.Errorf("n=%d: %v, want H_n = %v", n, got, h)
		}
	}
}

// Against draws of Dirichlet(v, ..., v) shares, as sums of v exponentials.
func TestMaxOverMeanSharesMatchesDraws(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ n, v int }{{10, 5}, {10, 50}, {4, 200}} {
		const draws = 4000
		sum, sumSq := 0.0, 0.0
		x := make([]float64, tc.n)
		for range draws {
			total, top := 0.0, 0.0
			for i := range x {
				x[i] = 0
				for range tc.v {
					x[i] += rng.ExpFloat64()
				}
				total += x[i]
				top = max(top, x[i])
			}
			r := top / total * float64(tc.n)
			sum += r
			sumSq += r * r
		}
		mean := sum / draws
		se := math.Sqrt((sumSq/draws - mean*mean) / draws)
		if got := maxOverMeanShares(tc.n, tc.v); math.Abs(got-mean) > 4*se {
			t.Errorf("n=%d v=%d: %v, draws give %v ± %v", tc.n, tc.v, got, mean, se)
		}
	}
}

func TestGammaPKnownValues(t *testing.T) {
	for _, tc := range []struct{ a, x, want float64 }{
		{1, 1, 1 - math.Exp(-1)},
		{1, 5, 1 - math.Exp(-5)},
		{2, 3, 1 - 4*math.Exp(-3)},         // 1 - e^-x (1 + x)
		{3, 0.5, 1 - 1.625*math.Exp(-0.5)}, // 1 - e^-x (1 + x + x²/2)
		{3, 10, 1 - 61*math.Exp(-10)},
	} {
		if got := gammaP(tc.a, tc.x); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("P(%v, %v) = %v, want %v", tc.a, tc.x, got, tc.want)
		}
	}
}
