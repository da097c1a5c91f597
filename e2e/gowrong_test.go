package e2e

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
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
	Count int     `json:"count"`
	Over  int     `json:"over8ms"`
	MaxMs float64 `json:"maxMs"`
}

const searchSampleJS = `(() => { const s = ringlab.state(); return {notice: s.notice, updateMsMax: s.updateMsMax, searchMsMax: s.searchMsMax, fps: s.fps}; })()`

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
		tb.sleep(t, 100*time.Millisecond)
	}
	t.Fatalf("%s: no answer within two minutes", id)
	return "", nil, 0
}

var statesInAnswer = regexp.MustCompile(`(\d+) states`)

// The quorums chapter's "Can this go wrong?" in the browser: at the
// chapter's W = R = 2 the search runs a slice per frame and answers that no
// schedule gives a stale read, exhaustively; at W = R = 1 it finds one, and
// Show me opens it on the diagram. Records how long a frame's update took
// while the search ran (state().updateMsMax, the goal: at most
// 8 ms) against the same page idle, and the search's states per second in
// the page, in e2e/out/gowrong.json.
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

	answer, samples, took := askInBrowser(t, tb, "quorum-gowrong")
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
	if slices.Max(stepping) == 0 && len(samples) > 2 {
		t.Errorf("state().searchMsMax stayed 0 through %d samples of a search", len(samples))
	}
	figures := map[string]any{
		"states": states, "seconds": took.Seconds(), "statesPerSecond": float64(states) / took.Seconds(),
		"idleUpdateMsMax": slices.Max(idle), "searchUpdateMsMax": slices.Max(busy),
		"searchStepMsMax": slices.Max(stepping), "samples": samples,
	}
	t.Logf("the search of %d states answered in %.1f s in the page (%.0f states a second); the longest update while searching %.1f ms (the search's part at most %.1f ms), idle %.1f ms",
		states, took.Seconds(), float64(states)/took.Seconds(), slices.Max(busy), slices.Max(stepping), slices.Max(idle))

	// A longer search, N=5 W=3 R=3 (tens of thousands of states, seconds
	// in the page): every update that stepped it is tallied by the page
	// (state().searchSlices), so the frames it held past 8 ms are counted,
	// not sampled.
	before := eval[sliceTally](t, tb, `ringlab.state().searchSlices`)
	tb.mustCommand(t, `{type: "knob", name: "n", value: 5}`)
	tb.mustCommand(t, `{type: "knob", name: "w", value: 3}`)
	tb.mustCommand(t, `{type: "knob", name: "r", value: 3}`)
	answer, _, took = askInBrowser(t, tb, "quorum-gowrong")
	if !strings.HasPrefix(answer, "No schedule of a write via ") || !strings.HasSuffix(answer, "exhaustive.") {
		t.Fatalf("N=5, W=3, R=3: %q", answer)
	}
	after := eval[sliceTally](t, tb, `ringlab.state().searchSlices`)
	long := sliceTally{Count: after.Count - before.Count, Over: after.Over - before.Over, MaxMs: after.MaxMs}
	if long.Count < 2 {
		t.Errorf("searchSlices counted %d updates of a %.1f s search: %+v then %+v", long.Count, took.Seconds(), before, after)
	}
	m = statesInAnswer.FindStringSubmatch(answer)
	t.Logf("N=5, W=3, R=3: %s states in %.1f s, %d updates searched, %d of them over 8 ms; the longest search part over the page's life %.1f ms",
		m[1], took.Seconds(), long.Count, long.Over, after.MaxMs)
	figures["long"] = map[string]any{"answer": answer, "seconds": took.Seconds(), "slices": long.Count, "over8ms": long.Over, "maxMsEver": after.MaxMs}
	b, _ := json.MarshalIndent(figures, "", "  ")
	saveArtifact(t, "gowrong.json", b)

	tb.mustCommand(t, `{type: "knob", name: "w", value: 1}`)
	tb.mustCommand(t, `{type: "knob", name: "r", value: 1}`)
	tb.mustCommand(t, `{type: "knob", name: "n", value: 3}`)
	answer, _, _ = askInBrowser(t, tb, "quorum-gowrong")
	if !strings.HasPrefix(answer, "Yes: a write via n0 then a read via n6") {
		t.Fatalf("W=1, R=1: %q", answer)
	}
	tb.mustCommand(t, `{type: "press", value: "quorum-gowrong-show"}`)
	waitFor(t, tb, `(() => { const s = ringlab.state(); return s.view === "diagram" && s.config.scripted && s.counters.stale_reads === 1; })()`,
		20*time.Second, "Show me opens the stale read on the diagram")
	tb.screenshot(t, "gowrong-quorums.png")
}
