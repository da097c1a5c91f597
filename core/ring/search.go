package ring

import (
	"math/bits"
	"unsafe"
)

// lowerBound is the index of the first element of the ascending slice hs
// that is >= h, or len(hs) if there is none.
//
// The loop has no data-dependent branch: each step computes "hs[mid] < h" as
// the borrow of a subtraction and turns it into a mask, so it runs exactly
// ceil(log2 n) times whatever h is, and the branch predictor, which would
// guess wrong half the time on random keys, is never consulted. (The
// compiler keeps an "if" here as a branch, not a conditional move.)
//
// Invariant: the answer lies in [base, base+n]. Every index read,
// base+half and then base, is below base+n <= len(hs), so the reads skip
// the bounds checks through unsafe; TestLowerBoundMatchesSortSearch checks
// the result against sort.Search.
func lowerBound(hs []uint64, h uint64) int {
	n := len(hs)
	if n == 0 {
		return 0
	}
	first := unsafe.Pointer(unsafe.SliceData(hs))
	base := 0
	for n > 1 {
		half := n >> 1
		mid := *(*uint64)(unsafe.Add(first, uintptr(base+half)*8)) // hs[base+half]
		_, less := bits.Sub64(mid, h, 0)                           // 1 if mid < h, else 0
		base += half & -int(less)
		n -= half
	}
	_, less := bits.Sub64(*(*uint64)(unsafe.Add(first, uintptr(base)*8)), h, 0)
	return base + int(less)
}
