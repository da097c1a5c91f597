package ring

// lowerBound is the index of the first element of the ascending slice hs
// that is >= h, or len(hs) if there is none.
//
// It halves the candidate range without a data-dependent branch: each step
// moves base with a conditional move, so the loop runs exactly ceil(log2 n)
// times whatever h is and the branch predictor never guesses wrong.
// Invariant: the answer lies in [base, base+n].
func lowerBound(hs []uint64, h uint64) int {
	n := len(hs)
	if n == 0 {
		return 0
	}
	base := 0
	for n > 1 {
		half := n >> 1
		if hs[base+half] < h {
			base += half
		}
		n -= half
	}
	if hs[base] < h {
		base++
	}
	return base
}
