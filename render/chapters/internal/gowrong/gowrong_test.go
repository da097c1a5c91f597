package gowrong

import (
	"testing"
	"time"
)

// A frame gives the search what its update has left of FrameTarget, never
// more than FrameBudget and never less than MinSlice.
func TestSliceIsWhatTheFrameHasLeft(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct{ elapsed, want time.Duration }{
		{0, FrameBudget},
		{FrameTarget - FrameBudget, FrameBudget},
		{FrameTarget - 3*ms, 3 * ms},
		{FrameTarget - MinSlice, MinSlice},
		{FrameTarget, MinSlice},
		{30 * ms, MinSlice},
	} {
		if got := Slice(tc.elapsed); got != tc.want {
			t.Errorf("after %v of the update: a slice of %v, want %v", tc.elapsed, got, tc.want)
		}
	}
}
