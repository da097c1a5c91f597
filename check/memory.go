package check

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringlab/ringlab/internal/memstat"
)

// heapBytes reads the heap the memory bound watches: bytes in heap
// objects, live or not yet swept. Tests replace it.
var heapBytes = memstat.Objects

// memoryPollEvery is how often the bound is checked.
const memoryPollEvery = 5 * time.Millisecond

// memoryGuard watches the heap while a check runs: once it has grown more
// than limit bytes above where it started, tripped is set and trip closed.
type memoryGuard struct {
	tripped atomic.Bool
	trip    chan struct{}
	done    chan struct{}
	once    sync.Once
}

// watchMemory starts a guard; limit 0 watches nothing (trip never closes).
func watchMemory(limit uint64) *memoryGuard {
	g := &memoryGuard{trip: make(chan struct{}), done: make(chan struct{})}
	if limit == 0 {
		return g
	}
	read := heapBytes
	base := read()
	over := func() bool { return read() > base+limit }
	if over() { // already (only a test's heap grows this fast)
		g.tripped.Store(true)
		close(g.trip)
		return g
	}
	go func() {
		t := time.NewTicker(memoryPollEvery)
		defer t.Stop()
		for {
			if over() {
				g.tripped.Store(true)
				close(g.trip)
				return
			}
			select {
			case <-g.done:
				return
			case <-t.C:
			}
		}
	}()
	return g
}

// stop ends the watch.
func (g *memoryGuard) stop() { g.once.Do(func() { close(g.done) }) }

// megabytes writes a byte count as "512 MB" (MiB, as the flags count).
func megabytes(b uint64) string {
	return strconv.FormatUint((b+1<<20-1)>>20, 10) + " MB"
}
