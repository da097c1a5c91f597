//go:build js && wasm

package main

import (
	"syscall/js"
	"testing"
)

// A worker started ahead of its job warms up, and takes the job the moment
// it comes (handed over by the worker's event loop, as search-worker.js
// does), not after the warm-up: warmUp hands the thread back to the event
// loop while it searches. Run under Node.js (make wasm-unit-test).
func TestAJobComingDuringTheWarmUpIsTakenAtOnce(t *testing.T) {
	g := js.Global()
	const job = `{"script":"c1: put k v1"}`
	handOver := js.FuncOf(func(js.Value, []js.Value) any {
		g.Get("ringlabSearchRun").Invoke(job)
		return nil
	})
	defer handOver.Release()
	ready := js.FuncOf(func(js.Value, []js.Value) any {
		// The job comes a little later, from the event loop.
		g.Call("setTimeout", handOver, 10)
		return nil
	})
	defer ready.Release()

	jobs := make(chan string, 1)
	run := js.FuncOf(func(_ js.Value, args []js.Value) any {
		jobs <- args[0].String()
		return nil
	})
	defer run.Release()
	g.Set("ringlabSearchRun", run)
	defer g.Delete("ringlabSearchRun")
	ready.Invoke()
	text, ok := warmUp(jobs)
	if !ok || text != job {
		t.Fatalf("warmUp returned %q, %v: it did not take the job that came while it ran", text, ok)
	}
}

// Without a job to wait for, the warm-up ends by itself.
func TestTheWarmUpEnds(t *testing.T) {
	if text, ok := warmUp(make(chan string)); ok || text != "" {
		t.Fatalf("warmUp returned %q, %v with no job coming", text, ok)
	}
}

// The warm-up's scenario is one the search takes (a scenario it refused
// would end the warm-up at once), and it searches it to a report:
// exhausted, violated or cut at warmStates.
func TestTheWarmScenarioIsSearched(t *testing.T) {
	s, err := warmSearch()
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Run(); r.States == 0 || !r.Exhausted && !r.Violated && r.DistinctStates < warmStates {
		t.Errorf("the warm scenario: %+v", r)
	}
}

// A worker whose warm-up ran to its end before the job came tells the page
// so (ringlabSearchWarmed: ringlabSearch.spareWarmed in loader.js), and
// then still takes its job.
func TestAWarmedWorkerSaysSoAndTakesItsJob(t *testing.T) {
	g := js.Global()
	const job = `{"script":"c1: put k v1"}`
	warmed := 0
	ready := js.FuncOf(func(js.Value, []js.Value) any { return nil })
	defer ready.Release()
	onWarmed := js.FuncOf(func(js.Value, []js.Value) any {
		warmed++
		g.Get("ringlabSearchRun").Invoke(job) // the job comes once the page knows
		return nil
	})
	defer onWarmed.Release()
	g.Set("ringlabSearchReady", ready)
	g.Set("ringlabSearchWarmed", onWarmed)
	defer g.Delete("ringlabSearchReady")
	defer g.Delete("ringlabSearchWarmed")
	// Were the page never told, the job would come late, and the test
	// fail rather than wait for ever.
	late := js.FuncOf(func(js.Value, []js.Value) any {
		g.Get("ringlabSearchRun").Invoke(job)
		return nil
	})
	defer late.Release()
	timer := g.Call("setTimeout", late, 5000)
	defer g.Call("clearTimeout", timer)
	text, ok := jobText(g)
	if !ok || text != job || warmed != 1 {
		t.Fatalf("jobText returned %q, %v, with the page told %d times that the worker warmed up", text, ok, warmed)
	}
}
