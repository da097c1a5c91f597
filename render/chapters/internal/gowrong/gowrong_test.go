package gowrong

import (
	"testing"
	"time"

	"github.com/ringlab/ringlab/core/explore"
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

// The verdict counts states as the search did: with interchangeable
// nodes or alike clients, a state and its renamings once, and it says so.
func TestVerdictSaysHowStatesWereCounted(t *testing.T) {
	p := Problem{Words: "a write then a read", Noun: "a stale read"}
	r := explore.Report{Exhausted: true, Done: true, DistinctStates: 178}
	if got, want := Verdict(r, p), "No schedule of a write then a read gives a stale read: 178 states, exhaustive."; got != want {
		t.Errorf("verdict %q, want %q", got, want)
	}
	r.Interchangeable = "{n1 n2 n3}"
	if got, want := Verdict(r, p), "No schedule of a write then a read gives a stale read: 178 states (alike nodes counted once), exhaustive."; got != want {
		t.Errorf("verdict %q, want %q", got, want)
	}
	r.AlikeClients = "{c1 c2}"
	if got, want := Verdict(r, p), "No schedule of a write then a read gives a stale read: 178 states (alike nodes and clients counted once), exhaustive."; got != want {
		t.Errorf("verdict %q, want %q", got, want)
	}
	r.Interchangeable = ""
	if got, want := Verdict(r, p), "No schedule of a write then a read gives a stale read: 178 states (alike clients counted once), exhaustive."; got != want {
		t.Errorf("verdict %q, want %q", got, want)
	}
}

// The codecs warmed as the browser's program starts write a job and read
// back a whole answer.
func TestWarmCodecs(t *testing.T) {
	if err := WarmCodecs(); err != nil {
		t.Fatal(err)
	}
}
