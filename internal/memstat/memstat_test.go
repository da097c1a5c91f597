package memstat

import (
	"runtime"
	"testing"
)

var keep [][]byte

// Both figures are read (the metrics exist in this Go) and follow what is
// allocated: 64 MB held shows in the live heap after a collection and in
// the objects before it.
func TestFiguresFollowTheHeap(t *testing.T) {
	runtime.GC()
	live, objects := Live(), Objects()
	if live == 0 || objects == 0 {
		t.Fatalf("live %d, objects %d: a metric is missing", live, objects)
	}
	for range 64 {
		keep = append(keep, make([]byte, 1<<20))
	}
	if got := Objects(); got < objects+60<<20 {
		t.Errorf("objects %d after 64 MB more, %d before", got, objects)
	}
	runtime.GC()
	if got := Live(); got < live+60<<20 {
		t.Errorf("live %d after 64 MB more, %d before", got, live)
	}
	keep = nil
}

// Collections counts the collections the runtime finishes.
func TestCollectionsCount(t *testing.T) {
	before := Collections()
	runtime.GC()
	runtime.GC()
	if got := Collections(); got < before+2 {
		t.Errorf("%d collections after two more, %d before", got, before)
	}
}
