//go:build js && wasm

// Command searchworker runs one schedule search (core/explore/job) inside
// a browser's Web Worker, so that the lab's page never spends its own
// thread on it: web/search-worker.js sets globalThis.ringlabSearchPost (a
// function taking one message's JSON) and runs this program, which waits
// for the job's JSON (jobText), posts the search's progress at most every
// tenth of a second, then its outcome, and exits. A job it cannot read
// gets one message with the error.
package main

import (
	"encoding/json"
	"runtime/debug"
	"syscall/js"
	"time"

	"github.com/ringlab/ringlab/check"
	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/core/explore/job"
	"github.com/ringlab/ringlab/internal/memstat"
)

// progressEvery is the least time between two progress messages; batch is
// the states tried between two looks at the clock and the heap.
const (
	progressEvery = 100 * time.Millisecond
	batch         = 512
)

func main() {
	g := js.Global()
	postFn := g.Get("ringlabSearchPost")
	if postFn.Type() != js.TypeFunction {
		g.Get("console").Call("error", "searchworker: globalThis.ringlabSearchPost is not a function")
		return
	}
	post := func(m job.Message) {
		b, err := json.Marshal(m)
		if err != nil {
			b, _ = json.Marshal(job.Message{Error: "the search's report could not be written: " + err.Error()})
		}
		postFn.Invoke(string(b))
	}
	text, ok := jobText(g)
	took := time.Now()
	if !ok {
		post(job.Message{Error: "the search worker was given no job"})
		return
	}
	j, err := job.Decode([]byte(text))
	if err != nil {
		post(job.Message{Error: err.Error()})
		return
	}
	heapLimit := uint64(j.MaxHeapMB) << 20
	// The worker does nothing else, and its collector runs on the search's
	// own thread: it collects when the heap has grown fourfold since the
	// last collection (a quarter faster than the default twofold, in the
	// two-writers benchmark under Node.js), or sooner near twice the bound
	// on the live heap, which the search is cut at.
	debug.SetGCPercent(400)
	if heapLimit > 0 {
		debug.SetMemoryLimit(int64(2 * heapLimit))
	}
	last := time.Now()
	job.Run(j, check.ForSearch(10*time.Second), batch, func(s *explore.Search) string {
		if s.WatchMemory(memstat.Live(), heapLimit) {
			return "memory"
		}
		return ""
	}, func(m job.Message) {
		if !m.Final() && time.Since(last) < progressEvery {
			return
		}
		last = time.Now()
		if m.Final() {
			m.SearchMs = float64(time.Since(took).Microseconds()) / 1000
		}
		post(m)
	})
}

// jobText is the job's JSON: globalThis.ringlabSearchJob if the worker set
// it before the program started, or else the one the worker hands to
// globalThis.ringlabSearchRun, which the program defines and then tells
// the worker of by calling globalThis.ringlabSearchReady: so a worker can
// start the program ahead of its job (loader.js keeps one waiting), and
// the job, when it comes, starts at once.
func jobText(g js.Value) (string, bool) {
	if text := g.Get("ringlabSearchJob"); text.Type() == js.TypeString {
		return text.String(), true
	}
	ready := g.Get("ringlabSearchReady")
	if ready.Type() != js.TypeFunction {
		return "", false
	}
	jobs := make(chan string, 1)
	run := js.FuncOf(func(_ js.Value, args []js.Value) any {
		text := ""
		if len(args) == 1 && args[0].Type() == js.TypeString {
			text = args[0].String()
		}
		select {
		case jobs <- text: // the first job; a program runs one
		default:
		}
		return nil
	})
	defer run.Release()
	g.Set("ringlabSearchRun", run)
	ready.Invoke()
	if text, ok := warmUp(jobs); ok {
		return text, true
	}
	// Warmed up, and still waiting: the page may want to know
	// (ringlabSearch.spareWarmed).
	if warmed := g.Get("ringlabSearchWarmed"); warmed.Type() == js.TypeFunction {
		warmed.Invoke()
	}
	return <-jobs, true
}

// Warming up: the engine first runs the program's code as compiled quickly,
// and compiles the functions that turn out to be hot again, better, in the
// background; in a search of a second or so most of the time goes before
// that (in headless Chromium the same N=5 W=3 R=3 search took 0.94 s in its
// page's first worker and 0.47 to 0.66 s in the next ones, which share the
// compiled module). So a worker waiting for its job searches a small
// scenario meanwhile, for at most warmFor (and warmStates a search),
// looking for its job every warmLook, and gives it up the moment the job
// comes.
const (
	warmFor    = 300 * time.Millisecond
	warmStates = 10_000
	warmLook   = 4 * time.Millisecond
)

// The warm-up searches two writers and a read on four nodes with a crash,
// again and again if it ends, until the job comes or warmFor is spent.
// Without the crash (as it first was) the reductions now exhaust it in
// some 5,000 states, a tenth of warmFor, on none of a crash's paths, and a
// job with a crash then ran its first tenths of a second on code compiled
// quickly (the four in turn with a crash took 0.74 s in a worker, 0.56 s
// in the next one; with the crash, 0.69 to 0.80 s against 0.83 to 0.99 s
// in the first worker, three runs each). Warming up on the other
// chapters' paths as well (sloppy quorums with a partition,
// last-write-wins with skew and the lost write, each scenario an equal
// share of warmFor) made the searches with a crash slower, in three runs
// each, alternating: 0.61 to 0.87 s against 0.43 to 0.68 s, and 3.98 to
// 4.96 s against 3.56 to 3.70 s for two writers then two readers. The
// engine compiles its better code for a function once, for what was
// running when it did, and every worker of the page shares it.
func warmSearch() (*explore.Search, error) {
	cfg := core.DefaultConfig()
	cfg.Nodes, cfg.Mode = 4, core.Strict
	script, err := explore.ParseScript("c1: put k v1 | c2: put k v2 ; c1: get k")
	if err != nil {
		return nil, err
	}
	return explore.New(explore.Scenario{Config: cfg, Script: script, Property: core.PropStale, Budget: explore.Budget{Crashes: 1}},
		explore.Bounds{MaxStates: warmStates})
}

// warmUp searches (warmSearch) until the job comes (returned, true) or
// warmFor is spent (false).
func warmUp(jobs <-chan string) (string, bool) {
	start := time.Now()
	for time.Since(start) < warmFor {
		s, err := warmSearch()
		if err != nil {
			return "", false
		}
		for done := false; !done && time.Since(start) < warmFor; {
			for look := time.Now(); !done && time.Since(look) < warmLook; {
				done = s.Step(64)
			}
			// Sleeping hands the thread back to the worker's event loop,
			// which delivers the job if it came.
			time.Sleep(time.Millisecond)
			select {
			case text := <-jobs:
				return text, true
			default:
			}
		}
	}
	return "", false
}
