package core

import (
	"testing"
	"unsafe"
)

// A schedule search copies a Cluster for every new state and a node for
// every node a step changes, and keeps messages by the thousand: each
// struct stays within the allocator's size class it was fitted to (384,
// 208 and 448 bytes; a Cluster 896 with the 8-byte header the runtime
// puts before an object of more than 512 bytes that holds pointers), since
// a field added past one costs every state the next class up (a Cluster of
// 1,032 bytes took 1,152).
func TestSearchStructsFitTheirSizeClasses(t *testing.T) {
	for _, s := range []struct {
		name      string
		size, max uintptr
	}{
		{"Cluster", unsafe.Sizeof(Cluster{}), 888},
		{"node", unsafe.Sizeof(node{}), 384},
		{"message", unsafe.Sizeof(message{}), 208},
		{"request", unsafe.Sizeof(request{}), 448},
	} {
		if s.size > s.max {
			t.Errorf("%s is %d bytes, over its size class of %d", s.name, s.size, s.max)
		}
	}
}
