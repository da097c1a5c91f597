package summary

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringlab/ringlab/render/lab"
)

// heapInUse is the Go heap in use after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// TestSoakHeapLevelsOff plays the summary chapter's run at top speed (every
// frame its 4,096 ticks, as a machine fast enough would) and samples the
// heap: once the retained window is full, the heap must stop growing.
//
// By default it runs 400,000 ticks with an 8 MB window (a few seconds);
// RINGLAB_SOAK=1 runs ten million ticks with the default window (minutes),
// and RINGLAB_SOAK_TICKS=n any length. It logs the heap at each million
// ticks: the README's figures come from it.
func TestSoakHeapLevelsOff(t *testing.T) {
	ticks, window := int64(400_000), int64(8<<20)
	if os.Getenv("RINGLAB_SOAK") == "1" {
		ticks, window = 10_000_000, 0
	}
	if s := os.Getenv("RINGLAB_SOAK_TICKS"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 100_000 {
			t.Fatalf("RINGLAB_SOAK_TICKS=%q: give a number of ticks, at least 100000", s)
		}
		ticks, window = n, 0
	}
	ch := New()
	l, err := lab.New([]lab.Chapter{ch}, measure, lab.Options{Seed: 1, Speed: lab.SpeedMax, WindowBytes: window})
	if err != nil {
		t.Fatal(err)
	}
	budget := l.Timeline().Trace().Budget()
	base := heapInUse()
	// Samples at every tenth of the run.
	var samples []uint64
	var filledAt int64 = -1
	next := ticks / 10
	nextLog := int64(1_000_000)
	lastLog := time.Now()
	// Bytes allocated per tick over the tenth of the run after the window
	// filled, and over the last tenth: a frame's work must not grow with
	// the run's length (a copy sized by the whole run made the heap's
	// traffic, and with it the process's memory and its time per tick, grow
	// with the run while the heap in use stayed flat).
	type mark struct {
		tick  int64
		alloc uint64
	}
	var firstFrom, firstTo, lastFrom mark
	totalAlloc := func() uint64 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.TotalAlloc
	}
	for l.Timeline().Now() < ticks {
		l.Update(idle(), desktop)
		now := l.Timeline().Now()
		if filledAt < 0 && l.Timeline().Start() > 0 {
			filledAt = now
			firstFrom = mark{now, totalAlloc()}
		}
		if filledAt >= 0 && firstTo.tick == 0 && now >= filledAt+ticks/10 {
			firstTo = mark{now, totalAlloc()}
		}
		if lastFrom.tick == 0 && now >= ticks-ticks/10 {
			lastFrom = mark{now, totalAlloc()}
		}
		if now >= next {
			samples = append(samples, heapInUse())
			next += ticks / 10
		}
		if now >= nextLog {
			m := l.MemoryNow()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			t.Logf("tick %d: heap in use %.1f MB (obtained from the system %.0f MB); window %d ticks, %d events (%.1f MB), %d ops; %.1f s since the last line",
				now, float64(heapInUse())/(1<<20), float64(ms.Sys)/(1<<20), m.Ticks, m.Events, float64(m.Bytes)/(1<<20), m.Ops, time.Since(lastLog).Seconds())
			lastLog = time.Now()
			nextLog += 1_000_000
		}
	}
	if filledAt < 0 || filledAt > ticks/2 {
		t.Fatalf("the window filled at tick %d of %d: the run is too short to tell", filledAt, ticks)
	}
	m := l.MemoryNow()
	t.Logf("%d ticks: window %d..%d, %d events in %.1f MB (%.0f bytes an event with the operations), heap %.1f MB",
		ticks, m.Start, m.End, m.Events, float64(m.Bytes)/(1<<20), float64(m.Bytes)/float64(m.Events), float64(samples[len(samples)-1])/(1<<20))
	mb := make([]string, len(samples))
	for i, s := range samples {
		mb[i] = strconv.FormatFloat(float64(s)/(1<<20), 'f', 1, 64)
	}
	t.Logf("heap in use at each tenth of the run, MB: %s", strings.Join(mb, " "))
	// Levels off: the last samples are no larger than the largest of the
	// first ones after the window filled, give or take the window's size
	// (a frame's events, some 45,000 at this speed and up to 12 MB, are
	// still held when a sample is taken; a checkpoint more). A run that
	// kept its trace would grow by some 90 MB here.
	var early uint64
	for i, s := range samples {
		at := int64(i+1) * ticks / 10
		if at > filledAt && at <= ticks/2 {
			early = max(early, s)
		}
	}
	if early == 0 {
		early = samples[len(samples)/2]
	}
	for i, s := range samples[len(samples)/2:] {
		if s > early+uint64(budget) {
			t.Errorf("heap %.1f MB at sample %d, up from %.1f MB once the window was full: still growing",
				float64(s)/(1<<20), len(samples)/2+i+1, float64(early)/(1<<20))
		}
	}
	if firstTo.tick > 0 && firstTo.tick <= lastFrom.tick {
		early := float64(firstTo.alloc-firstFrom.alloc) / float64(firstTo.tick-firstFrom.tick)
		late := float64(totalAlloc()-lastFrom.alloc) / float64(l.Timeline().Now()-lastFrom.tick)
		t.Logf("allocated %.0f bytes a tick once the window filled (ticks %d..%d), %.0f in the last tenth of the run",
			early, firstFrom.tick, firstTo.tick, late)
		if late > 1.3*early {
			t.Errorf("allocation per tick grows with the run: %.0f bytes a tick at its end, %.0f once the window filled", late, early)
		}
	}
	// And a bound: the window, the cluster's copy of its operations, the
	// checkpoints and the lab, within three windows and 48 MB.
	if last, bound := samples[len(samples)-1], base+3*uint64(budget)+48<<20; last > bound {
		t.Errorf("heap in use %.1f MB after %d ticks, bound %.1f MB", float64(last)/(1<<20), ticks, float64(bound)/(1<<20))
	}
}
