package gowrong

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringlab/ringlab/check"
	"github.com/ringlab/ringlab/core/explore/job"
)

// Background starts a job on a goroutine of its own: on the desktop, the
// native search at full speed, the frames reading its progress as they
// read a worker's in the browser. It is cut at the job's heap bound
// (MaxHeapMB over the heap when it began) and stops when cancelled.
func Background(j job.Job) Remote {
	b := &background{}
	limit, start := uint64(j.MaxHeapMB)<<20, heapBytes()
	go job.Run(j, check.ForSearch(10*time.Second), 512, func() string {
		switch {
		case b.cancelled.Load():
			return "cancel"
		case limit > 0 && heapBytes() > start+limit:
			return "memory"
		}
		return ""
	}, func(m job.Message) {
		b.mu.Lock()
		b.last, b.posted = m, true
		b.mu.Unlock()
	})
	return b
}

// background is a search on its own goroutine: its last message, and
// whether it was cancelled.
type background struct {
	mu        sync.Mutex
	last      job.Message
	posted    bool
	cancelled atomic.Bool
}

func (b *background) Poll() (job.Message, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last, b.posted
}

func (b *background) Cancel() { b.cancelled.Store(true) }

func (b *background) Where() string { return "background" }
