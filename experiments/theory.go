package experiments

import "math"

// maxOverMeanShares is the expected max/mean of the shares of the hash
// space that n nodes get from v random ring points each, computed exactly
// (up to numerical integration).
//
// Derivation: the n·v points cut the ring into n·v arcs whose lengths are
// uniform spacings, Dirichlet(1, ..., 1); a node owns v of them, and sums
// of disjoint groups of Dirichlet components are again Dirichlet, so the
// nodes' shares are Dirichlet(v, ..., v). Such shares are X_i / S for
// independent X_i ~ Gamma(v, 1) with S = X_1 + ... + X_n, and the shares
// are independent of S, so E[max X_i] = E[S]·E[max share] = n·v·E[max
// share]. Hence max/mean = n·E[max share] = E[max X_i] / v, and
// E[max X_i] = ∫_0^∞ (1 - P(v, x)^n) dx, where P is the regularized lower
// incomplete gamma function (the Gamma(v, 1) distribution function).
//
// The same shares give std-dev/mean sqrt((n-1)/(n·v+1)), the cv_theory
// column.
func maxOverMeanShares(n, v int) float64 {
	if n <= 1 {
		return 1
	}
	a := float64(v)
	sd := math.Sqrt(a)
	// Below lo, P(v, x)^n is below 1e-30 for any n, so the integrand is 1;
	// above hi, 1 - P^n < n·Q(v, hi), negligible for n <= 4096.
	lo := max(0, a-12*sd-10)
	hi := a + 14*sd + 3*math.Log(float64(n)) + 40
	const steps = 4000 // even, for Simpson's rule
	h := (hi - lo) / steps
	f := func(x float64) float64 { return -math.Expm1(float64(n) * math.Log(max(gammaP(a, x), 1e-300))) }
	sum := f(lo) + f(hi)
	for i := 1; i < steps; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * f(lo+float64(i)*h)
	}
	return (lo + sum*h/3) / a
}

// gammaP is the regularized lower incomplete gamma function P(a, x) for
// a > 0, x >= 0: by its power series below x = a+1, by the continued
// fraction of Q = 1 - P above.
func gammaP(a, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x < a+1:
		// P(a, x) = x^a e^-x / Γ(a+1) · Σ_k x^k / ((a+1)(a+2)...(a+k)).
		term, sum := 1.0, 1.0
		for k := 1; k < 100000; k++ {
			term *= x / (a + float64(k))
			sum += term
			if term < sum*1e-16 {
				break
			}
		}
		lg, _ := math.Lgamma(a + 1)
		return math.Min(1, sum*math.Exp(a*math.Log(x)-x-lg))
	}
	return 1 - gammaQcf(a, x)
}

// gammaQcf is Q(a, x) = 1 - P(a, x) for x >= a+1, from the continued
// fraction Q = x^a e^-x / Γ(a) · 1/(x+1-a- 1·(1-a)/(x+3-a- 2·(2-a)/(x+5-a- ...))),
// evaluated forwards by the modified Lentz method.
func gammaQcf(a, x float64) float64 {
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	f := d
	for i := 1; i < 100000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		delta := d * c
		f *= delta
		if math.Abs(delta-1) < 1e-16 {
			break
		}
	}
	lg, _ := math.Lgamma(a)
	return math.Exp(a*math.Log(x)-x-lg) * f
}
