package lab

import "time"

// SliceGoal is the most time one frame's update should spend stepping a
// schedule search: the goal, which a slice (gowrong.Slice, at most
// 4 ms plus one step) is sized to keep.
const SliceGoal = 8 * time.Millisecond

// SliceTally counts the updates that stepped a schedule search ("Can this
// go wrong?"), those that spent longer than SliceGoal on it, and the
// longest, in milliseconds: over a page's life, where searchMsMax covers
// only the last second.
type SliceTally struct {
	Count int     `json:"count"`
	Over  int     `json:"over8ms"`
	MaxMs float64 `json:"maxMs"`
	// OverCollected counts, of the Over, those during which the Go
	// runtime finished a garbage collection (AddUpdate): what was the
	// page's own program pausing, rather than the work it was doing.
	OverCollected int `json:"over8msCollected,omitempty"`
}

// Add counts one update's time d spent searching (none: not counted).
func (t *SliceTally) Add(d time.Duration) {
	if d <= 0 {
		return
	}
	t.Count++
	if d > SliceGoal {
		t.Over++
	}
	t.MaxMs = max(t.MaxMs, round2(float64(d)/float64(time.Millisecond)))
}

// AddUpdate counts one whole update of time d, during which the runtime
// finished collected garbage collections.
func (t *SliceTally) AddUpdate(d time.Duration, collected uint64) {
	t.Add(d)
	if d > SliceGoal && collected > 0 {
		t.OverCollected++
	}
}
