package lab

import (
	"testing"
	"time"
)

// A slice tally counts only updates that searched, those over the goal
// apart, and keeps the longest.
func TestSliceTally(t *testing.T) {
	var tl SliceTally
	for _, d := range []time.Duration{0, 3 * time.Millisecond, 0, SliceGoal, SliceGoal + time.Microsecond, 12500 * time.Microsecond, time.Millisecond} {
		tl.Add(d)
	}
	if want := (SliceTally{Count: 5, Over: 2, MaxMs: 12.5}); tl != want {
		t.Errorf("tally %+v, want %+v", tl, want)
	}
}

// Whole updates over the goal are told apart by whether a collection
// finished during them.
func TestUpdateTallyTellsCollections(t *testing.T) {
	var tl SliceTally
	tl.AddUpdate(9*time.Millisecond, 1)
	tl.AddUpdate(10*time.Millisecond, 0)
	tl.AddUpdate(2*time.Millisecond, 3)
	if want := (SliceTally{Count: 3, Over: 2, MaxMs: 10, OverCollected: 1}); tl != want {
		t.Errorf("tally %+v, want %+v", tl, want)
	}
}
