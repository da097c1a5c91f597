package e2e

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/core/explore/job"
)

// searchSample is one reading of the page while a search runs.
type searchSample struct {
	Notice      string  `json:"notice"`
	UpdateMsMax float64 `json:"updateMsMax"`
	SearchMsMax float64 `json:"searchMsMax"`
	FPS         float64 `json:"fps"`
}

// sliceTally is state().searchSlices.
type sliceTally struct {
	Count         int     `json:"count"`
	Over          int     `json:"over8ms"`
	MaxMs         float64 `json:"maxMs"`
	OverCollected int     `json:"over8msCollected"`
}

const searchSampleJS = `(() => { const s = ringlab.state(); return {notice: s.notice, updateMsMax: s.updateMsMax, searchMsMax: s.searchMsMax, fps: s.fps}; })()`

// recordJobsJS wraps the page's search host (loader.js) so that the jobs
// the lab hands it are kept in window.searchJobs, for the test to run the
// same search natively.
const recordJobsJS = `(() => {
	const host = window.ringlabSearch;
	window.searchJobs = [];
	window.ringlabSearch = Object.assign({}, host, { start(job) { window.searchJobs.push(job); return host.start(job); } });
	return host.available();
})()`

// nativeSeconds runs a job as the worker does, natively, and returns the
// time it took and its outcome.
func nativeSeconds(t *testing.T, text string) (float64, explore.Report) {
	t.Helper()
	j, err := job.Decode([]byte(text))
	if err != nil {
		t.Fatalf("the page's job %q: %v", text, err)
	}
	var last job.Message
	start := time.Now()
	job.Run(j, nil, 512, func(*explore.Search) string { return "" }, func(m job.Message) { last = m })
	return time.Since(start).Seconds(), last.Report
}

// searchAnswered reports whether a notice is one of the control's verdicts.
func searchAnswered(notice string) bool {
	return strings.HasPrefix(notice, "Yes: ") || strings.HasPrefix(notice, "No schedule")
}

// askInBrowser presses a chapter's "Can this go wrong?" and samples the
// page every tenth of a second until the answer shows; it returns the
// answer, the samples taken while searching and the time it took.
func askInBrowser(t *testing.T, tb *tab, id string) (string, []searchSample, time.Duration) {
	t.Helper()
	// An earlier answer still showing is dismissed first, as Esc does.
	if eval[string](t, tb, `ringlab.state().notice`) != "" {
		tb.focusCanvas(t)
		tb.pressKey(t, "Escape", "Escape", 27, "")
		waitFor(t, tb, `ringlab.state().notice === ""`, 10*time.Second, "Esc dismisses the notice")
	}
	tb.mustCommand(t, `{type: "press", value: "`+id+`"}`)
	start := time.Now()
	var samples []searchSample
	for time.Since(start) < 120*time.Second {
		s := eval[searchSample](t, tb, searchSampleJS)
		if searchAnswered(s.Notice) {
			return s.Notice, samples, time.Since(start)
		}
		samples = append(samples, s)
		tb.sleep(t, 20*time.Millisecond)
	}
	t.Fatalf("%s: no answer within two minutes", id)
	return "", nil, 0
}

var statesInAnswer = regexp.MustCompile(`(\d+) states`)

// The quorums chapter's "Can this go wrong?" in the browser: the search
// runs in a Web Worker (state().searchWhere), and at the chapter's W = R =
// 2 answers that no schedule gives a stale read, exhaustively; at W = R = 1
// it finds one, and Show me opens it on the diagram. Records how long a
// frame's update took while the search ran (state().updateMsMax and
// searchUpdates, the goal: at most 8 ms) against the same page
// idle, and how long the page took to answer against the same job run
// natively in this process, in e2e/out/gowrong.json.
func TestCanThisGoWrongInTheBrowser(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "#v=1&chapter=quorums")
	defer tb.close()
	tb.mustCommand(t, `{type: "pause"}`)
	// The first seconds after load are the browser's compiling.
	tb.sleep(t, 5*time.Second)
	var idle []float64
	for range 3 {
		tb.sleep(t, time.Second)
		idle = append(idle, eval[float64](t, tb, `ringlab.state().updateMsMax`))
	}

	if !eval[bool](t, tb, recordJobsJS) {
		t.Fatal("the page offers no search worker (window.ringlabSearch.available())")
	}
	firstBefore := eval[sliceTally](t, tb, `ringlab.state().searchUpdates`)
	answer, samples, took := askInBrowser(t, tb, "quorum-gowrong")
	firstAfter := eval[sliceTally](t, tb, `ringlab.state().searchUpdates`)
	first := sliceTally{Count: firstAfter.Count - firstBefore.Count, Over: firstAfter.Over - firstBefore.Over, MaxMs: firstAfter.MaxMs,
		OverCollected: firstAfter.OverCollected - firstBefore.OverCollected}
	if where := eval[string](t, tb, `ringlab.state().searchWhere`); where != "worker" {
		t.Errorf("the search ran in %q, not in a worker", where)
	}
	if !strings.HasPrefix(answer, "No schedule of a write via n0 then a read via n6") || !strings.HasSuffix(answer, "exhaustive.") {
		t.Fatalf("W=2, R=2: %q", answer)
	}
	m := statesInAnswer.FindStringSubmatch(answer)
	if m == nil {
		t.Fatalf("the answer names no number of states: %q", answer)
	}
	states, _ := strconv.Atoi(m[1])
	busy, stepping := []float64{0}, []float64{0}
	for _, s := range samples {
		busy = append(busy, s.UpdateMsMax)
		stepping = append(stepping, s.SearchMsMax)
	}
	// (Reading a worker's progress takes a frame a few microseconds, which
	// searchMsMax may round to 0; the tally counts the updates all the same.)
	if slices.Max(stepping) == 0 && len(samples) > 2 && first.Count == 0 {
		t.Errorf("state().searchMsMax stayed 0 through %d samples of a search, and searchUpdates counted none", len(samples))
	}
	figures := map[string]any{
		"states": states, "seconds": took.Seconds(), "statesPerSecond": float64(states) / took.Seconds(),
		"idleUpdateMsMax": slices.Max(idle), "searchUpdateMsMax": slices.Max(busy),
		"searchStepMsMax": slices.Max(stepping), "samples": samples, "wholeUpdates": first,
	}
	t.Logf("the search of %d states answered in %.1f s in the page (%.0f states a second); the longest update while searching %.1f ms (the search's part at most %.1f ms), idle %.1f ms; of the %d whole updates while it ran %d over 8 ms (%d finishing a garbage collection)",
		states, took.Seconds(), float64(states)/took.Seconds(), slices.Max(busy), slices.Max(stepping), slices.Max(idle), first.Count, first.Over, first.OverCollected)

	// A longer search, N=5 W=3 R=3 (114 distinct states since tallies
	// wait for their quorum, 4,334 before; an update or a few in the
	// page, too short to time, hence workerAgainstNative below): every
	// update that stepped it is tallied by the page
	// (state().searchSlices), so the frames it held past 8 ms are counted,
	// not sampled.
	before := eval[sliceTally](t, tb, `ringlab.state().searchSlices`)
	beforeWhole := eval[sliceTally](t, tb, `ringlab.state().searchUpdates`)
	tb.mustCommand(t, `{type: "knob", name: "n", value: 5}`)
	tb.mustCommand(t, `{type: "knob", name: "w", value: 3}`)
	tb.mustCommand(t, `{type: "knob", name: "r", value: 3}`)
	answer, _, took = askInBrowser(t, tb, "quorum-gowrong")
	if !strings.HasPrefix(answer, "No schedule of a write via ") || !strings.HasSuffix(answer, "exhaustive.") {
		t.Fatalf("N=5, W=3, R=3: %q", answer)
	}
	after := eval[sliceTally](t, tb, `ringlab.state().searchSlices`)
	afterWhole := eval[sliceTally](t, tb, `ringlab.state().searchUpdates`)
	long := sliceTally{Count: after.Count - before.Count, Over: after.Over - before.Over, MaxMs: after.MaxMs}
	whole := sliceTally{Count: afterWhole.Count - beforeWhole.Count, Over: afterWhole.Over - beforeWhole.Over, MaxMs: afterWhole.MaxMs,
		OverCollected: afterWhole.OverCollected - beforeWhole.OverCollected}
	if long.Count < 2 {
		t.Errorf("searchSlices counted %d updates of a %.1f s search: %+v then %+v", long.Count, took.Seconds(), before, after)
	}
	if where := eval[string](t, tb, `ringlab.state().searchWhere`); where != "worker" {
		t.Errorf("the long search ran in %q, not in a worker (the worker's error: %q)", where,
			eval[string](t, tb, `ringlab.state().searchFallback || ""`))
	}
	m = statesInAnswer.FindStringSubmatch(answer)
	// The same job, natively, in this process: the page's answer time
	// against it (the page's includes starting the worker and up to a frame
	// and a sample of polling).
	jobs := eval[[]string](t, tb, `window.searchJobs`)
	if len(jobs) != 2 {
		t.Fatalf("the page handed %d jobs to its worker, want 2", len(jobs))
	}
	native, report := nativeSeconds(t, jobs[1])
	// The search's own time in its worker (loader.js), without the frames
	// the lab takes to hand the job over and to read the answer.
	worker := eval[float64](t, tb, `window.ringlabSearch.lastSearchMs()`) / 1000
	if worker <= 0 {
		t.Errorf("the page's search host timed no search in its worker (lastSearchMs %.3f s)", worker)
	}
	if got := strconv.Itoa(report.DistinctStates); got != m[1] || !report.Exhausted {
		t.Errorf("natively the job gives %s states (exhausted %v), the page %s", got, report.Exhausted, m[1])
	}
	t.Logf("N=5, W=3, R=3: %s states in %.2f s in its worker, %.2f s natively (%.1fx), answered in %.2f s in the page (%.1fx); %d updates polled it, the longest poll over the page's life %.2f ms; of the %d whole updates while it ran %d over 8 ms (%d of them finishing a garbage collection), the longest %.1f ms",
		m[1], worker, native, worker/native, took.Seconds(), took.Seconds()/native, long.Count, after.MaxMs, whole.Count, whole.Over, whole.OverCollected, whole.MaxMs)
	figures["long"] = map[string]any{"answer": answer, "seconds": took.Seconds(), "nativeSeconds": native, "ratio": took.Seconds() / native,
		"workerSeconds": worker, "workerRatio": worker / native,
		"slices": long.Count, "over8ms": long.Over, "maxMsEver": after.MaxMs, "wholeUpdates": whole}
	// Two canonical jobs: one short, where the worker's fixed costs
	// weigh, and one long, where the search's own speed does.
	figures["canonical"] = workerAgainstNative(t, tb, canonicalJobs[0])
	figures["canonicalLong"] = workerAgainstNative(t, tb, canonicalJobs[1])
	b, _ := json.MarshalIndent(figures, "", "  ")
	saveArtifact(t, "gowrong.json", b)

	tb.mustCommand(t, `{type: "knob", name: "w", value: 1}`)
	tb.mustCommand(t, `{type: "knob", name: "r", value: 1}`)
	tb.mustCommand(t, `{type: "knob", name: "n", value: 3}`)
	// A worker that fails (here: handed a job it cannot read, which the
	// search's own program refuses) leaves the frames to search, to the
	// same answer; so does a page without workers.
	eval[bool](t, tb, `(() => {
		const host = window.ringlabSearch;
		window.realSearchHost = host;
		window.ringlabSearch = Object.assign({}, host, { start(job) { return host.start("{" + job); } });
		return true;
	})()`)
	broken, _, _ := askInBrowser(t, tb, "quorum-gowrong")
	if where := eval[string](t, tb, `ringlab.state().searchWhere`); where != "frames" {
		t.Errorf("after the worker failed the search ran in %q", where)
	}
	eval[bool](t, tb, `(() => { window.ringlabSearch = undefined; return true; })()`)
	noWorkers, _, _ := askInBrowser(t, tb, "quorum-gowrong")
	if where := eval[string](t, tb, `ringlab.state().searchWhere`); where != "frames" {
		t.Errorf("without workers the search ran in %q", where)
	}
	// A search that stopped on a fault of its own ({error, stopped}, as
	// search-worker.js posts when the program exits with an error) ends
	// with a notice, and is not searched again in the frames.
	eval[bool](t, tb, `(() => {
		window.ringlabSearch = Object.assign({}, window.realSearchHost, {
			poll(id) { return JSON.stringify({ error: "the search stopped with exit code 2", stopped: true }); },
		});
		return true;
	})()`)
	tb.focusCanvas(t)
	tb.pressKey(t, "Escape", "Escape", 27, "")
	waitFor(t, tb, `ringlab.state().notice === ""`, 10*time.Second, "Esc dismisses the notice")
	tb.mustCommand(t, `{type: "press", value: "quorum-gowrong"}`)
	waitFor(t, tb, `ringlab.state().notice.startsWith("The search failed: the search stopped with exit code 2")`, 20*time.Second,
		"a stopped search says so")
	if where := eval[string](t, tb, `ringlab.state().searchWhere`); where != "worker" {
		t.Errorf("a stopped search was searched again in %q", where)
	}
	eval[bool](t, tb, `(() => { window.ringlabSearch = window.realSearchHost; return true; })()`)
	answer, _, _ = askInBrowser(t, tb, "quorum-gowrong")
	if !strings.HasPrefix(answer, "Yes: a write via n0 then a read via n6") {
		t.Fatalf("W=1, R=1: %q", answer)
	}
	if broken != answer || noWorkers != answer {
		t.Errorf("in the frames the answer differs from the worker's:\nworker failed: %q\nno workers:    %q\nworker:        %q", broken, noWorkers, answer)
	}
	tb.mustCommand(t, `{type: "press", value: "quorum-gowrong-show"}`)
	waitFor(t, tb, `(() => { const s = ringlab.state(); return s.view === "diagram" && s.config.scripted && s.counters.stale_reads === 1; })()`,
		20*time.Second, "Show me opens the stale read on the diagram")
	tb.screenshot(t, "gowrong-quorums.png")
}

// A canonicalJob is a scenario of the search's speed goal (README: N=3, one
// crash, up to four operations) that the worker is timed on.
type canonicalJob struct {
	name, script string
}

var canonicalJobs = []canonicalJob{
	// About 11,000 distinct states, a fifth of a second natively.
	{"four in turn with a crash", "c1: put k v1 ; c2: get k ; c1: put k v2 ; c2: get k"},
	// About 81,000 distinct states, over a second natively.
	{"two writers then two readers with a crash", "c1: put k v1 | c2: put k v2 ; c1: get k | c2: get k"},
}

// workerAgainstNative hands the page's search host a canonical scenario
// long enough to time and returns its time in the worker against the same
// job run natively here (the median of three runs), in the same minutes,
// with the page's updates meanwhile against as long with a worker busy
// with something else.
func workerAgainstNative(t *testing.T, tb *tab, cj canonicalJob) map[string]any {
	t.Helper()
	cfg := core.DefaultConfig()
	cfg.Nodes, cfg.Mode = 3, core.Strict
	script, err := explore.ParseScript(cj.script)
	if err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(job.FromScenario(explore.Scenario{Config: cfg, Script: script, Property: core.PropStale,
		Budget: explore.Budget{Crashes: 1}}, explore.Bounds{MaxStates: 1_000_000}))
	if err != nil {
		t.Fatal(err)
	}
	quoted, _ := json.Marshal(string(j))
	// The job goes to a worker that had the page's idle time to start and
	// warm up, as a reader's click after a search does; one asked at once
	// after another search may find the spare not yet started, and take a
	// worker with none of the engine's better code for the search's hot
	// functions yet (the short job took 0.66 to 0.71 s so, 0.40 to 0.50 s
	// once warmed).
	eval[any](t, tb, `window.ringlabSearch.warm()`)
	waitFor(t, tb, `window.ringlabSearch.spareWarmed()`, 60*time.Second, "the spare search worker warms up")
	updatesBefore := eval[sliceTally](t, tb, `ringlab.state().updates`)
	id := eval[float64](t, tb, `window.ringlabSearch.start(`+string(quoted)+`)`)
	poll := `window.ringlabSearch.poll(` + strconv.Itoa(int(id)) + `)`
	waitFor(t, tb, poll+`.includes('"done":true') || `+poll+`.includes('"error"')`, 120*time.Second, "the worker answers "+cj.name)
	var m job.Message
	if err := json.Unmarshal([]byte(eval[string](t, tb, poll)), &m); err != nil || m.Error != "" {
		t.Fatalf("the worker's answer: %v %q", err, m.Error)
	}
	// The search's own time in the worker (from the program taking the
	// job to its outcome), and the page's (from the job posted to the
	// answer read: with the worker's start-up, if the job came before the
	// worker was ready).
	worker, answered := m.SearchMs/1000, eval[float64](t, tb, `window.ringlabSearch.lastSearchMs()`)/1000
	if worker <= 0 || answered < worker {
		t.Errorf("%s: the worker timed its search at %.3f s, the page at %.3f s", cj.name, worker, answered)
	}
	searching := tallySince(eval[sliceTally](t, tb, `ringlab.state().updates`), updatesBefore)
	eval[any](t, tb, `window.ringlabSearch.cancel(`+strconv.Itoa(int(id))+`)`)
	// The same page's updates, for as long, with a worker busy with
	// something else (a loop of arithmetic), and with none: what the
	// machine's cores being shared does to the frames, searching or not.
	busy, idle := updatesWhile(t, tb, worker, true), updatesWhile(t, tb, worker, false)
	// Natively, the median of three runs: a job of a fifth of a second,
	// in a process that shares two cores with the browser, varies by half
	// from one run to the next.
	var natives []float64
	var report explore.Report
	for range 3 {
		var s float64
		s, report = nativeSeconds(t, string(j))
		natives = append(natives, s)
	}
	native := slices.Sorted(slices.Values(natives))[1]
	if report.DistinctStates != m.Report.DistinctStates || !report.Exhausted {
		t.Errorf("%s: %d distinct states natively (exhausted %v), %d in the worker", cj.name, report.DistinctStates, report.Exhausted, m.Report.DistinctStates)
	}
	t.Logf("%s: %d states in %.2f s in the worker (answered in %.2f s), %.2f s natively (median of %.2f) (%.1fx); the page's updates meanwhile: %d, %d over 8 ms (%d finishing a garbage collection); for as long with a worker busy with no search %d, %d over 8 ms; idle %d, %d over 8 ms",
		cj.name, m.Report.DistinctStates, worker, answered, native, natives, worker/native, searching.Count, searching.Over, searching.OverCollected, busy.Count, busy.Over, idle.Count, idle.Over)
	return map[string]any{"job": cj.name, "script": cj.script, "states": m.Report.DistinctStates, "workerSeconds": worker, "answeredSeconds": answered, "nativeSeconds": native, "nativeRuns": natives, "ratio": worker / native,
		"updatesSearching": searching, "updatesBusyWorker": busy, "updatesIdle": idle}
}

// tallySince is what a tally of updates counted since an earlier reading
// of it (its longest: over the lab's life).
func tallySince(now, before sliceTally) sliceTally {
	return sliceTally{Count: now.Count - before.Count, Over: now.Over - before.Over, MaxMs: now.MaxMs,
		OverCollected: now.OverCollected - before.OverCollected}
}

// updatesWhile tallies the page's updates (state().updates) over the
// given seconds, with a Web Worker spinning on arithmetic all along (busy)
// or none.
func updatesWhile(t *testing.T, tb *tab, seconds float64, busy bool) sliceTally {
	t.Helper()
	before := eval[sliceTally](t, tb, `ringlab.state().updates`)
	if busy {
		ms := strconv.Itoa(int(seconds * 1000))
		eval[bool](t, tb, `(() => { const src = "const end = Date.now() + `+ms+`; let x = 0; while (Date.now() < end) { x += Math.sqrt(x + 1); } postMessage(x);"; window.busyWorker = new Worker(URL.createObjectURL(new Blob([src]))); return true; })()`)
	}
	tb.sleep(t, time.Duration(seconds*float64(time.Second)))
	if busy {
		eval[bool](t, tb, `(() => { window.busyWorker.terminate(); return true; })()`)
	}
	return tallySince(eval[sliceTally](t, tb, `ringlab.state().updates`), before)
}

// A search worker handed its job during its warm-up (the job comes while
// the program sleeps between two looks for it) answers, exits, and says
// nothing more: a timer its runtime set may fire after the program exited,
// which wasm_exec.js reports by throwing, and search-worker.js keeps that
// from the page (whose worker.onerror would take it for the search's
// error, as it once did to the canonical job's answer). Five workers, the
// job coming 5 to 45 ms after the program: each must answer, and none
// report an error within a third of a second of its answer.
func TestASearchWorkerThatExitedStaysQuiet(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "#v=1&chapter=quorums")
	defer tb.close()
	tb.mustCommand(t, `{type: "pause"}`)
	cfg := core.DefaultConfig()
	cfg.Nodes, cfg.Mode = 3, core.Strict
	script, err := explore.ParseScript("c1: put k v1 ; c2: get k")
	if err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(job.FromScenario(explore.Scenario{Config: cfg, Script: script, Property: core.PropStale}, explore.Bounds{}))
	if err != nil {
		t.Fatal(err)
	}
	quoted, _ := json.Marshal(string(j))
	type outcome struct {
		Done   bool     `json:"done"`
		Errors []string `json:"errors"`
	}
	got, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]outcome](`(async () => {
		const wasm = (await (await fetch("build.json")).json()).search;
		const module = await WebAssembly.compile(await (await fetch(wasm)).arrayBuffer());
		const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
		const out = [];
		for (let i = 0; i < 5; i++) {
			const w = new Worker("search-worker.js");
			const o = { done: false, errors: [] };
			w.onerror = (e) => { e.preventDefault(); o.errors.push(e.message || "an error"); };
			w.onmessage = (e) => { if (String(e.data).includes('"done":true')) o.done = true; };
			w.postMessage({ module });
			await sleep(5 + 10 * i);
			w.postMessage({ job: `+string(quoted)+` });
			const start = performance.now();
			while (!o.done && o.errors.length === 0 && performance.now() - start < 20000) {
				await sleep(5);
			}
			await sleep(300);
			w.terminate();
			out.push(o);
		}
		return out;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range got {
		if !o.Done || len(o.Errors) > 0 {
			t.Errorf("worker %d (its job %d ms after its program): answered %v, errors %q", i, 5+10*i, o.Done, o.Errors)
		}
	}
}
