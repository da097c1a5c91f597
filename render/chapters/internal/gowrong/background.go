package gowrong

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringlab/ringlab/check"
	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/core/explore/job"
)

// Background starts a job on a goroutine of its own: on the desktop, the
// native search at full speed, the frames reading its progress as they
// read a worker's in the browser. It is cut at the job's heap bound
// (MaxHeapMB over the heap when it began) and stops when cancelled.
func Background(j job.Job) Remote {
	limit, start := uint64(j.MaxHeapMB)<<20, heapBytes()
	return inBackground(func(cancelled func() bool, post func(job.Message)) {
		job.Run(j, check.ForSearch(10*time.Second), 512, func(s *explore.Search) string {
			switch {
			case cancelled():
				return "cancel"
			case s.WatchMemory(heapBytes()-min(start, heapBytes()), limit):
				return "memory"
			}
			return ""
		}, post)
	})
}

// inBackground runs a search (run, told how to see it was cancelled and
// where to post) on a goroutine of its own. A panic there ends it with a
// message that says so (job.Message.Stopped), rather than the program.
func inBackground(run func(cancelled func() bool, post func(job.Message))) Remote {
	b := &background{}
	post := func(m job.Message) {
		b.mu.Lock()
		b.last, b.posted = m, true
		b.mu.Unlock()
	}
	go func() {
		defer func() {
			if r := recover(); r != nil {
				post(job.Message{Error: fmt.Sprint(r), Stopped: true})
			}
		}()
		run(b.cancelled.Load, post)
	}()
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
