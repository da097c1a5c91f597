//go:build !js

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// pageTiming is ringlab.timing plus what the browser's resource timing says about the wasm.
type pageTiming struct {
	LoaderStartMs     float64 `json:"loaderStartMs"`
	WasmRequestedMs   float64 `json:"wasmRequestedMs"`
	WasmLoadedMs      float64 `json:"wasmLoadedMs"`
	GoStartedMs       float64 `json:"goStartedMs"`
	FirstFrameMs      float64 `json:"firstFrameMs"`
	WasmBytes         int64   `json:"wasmBytes"`
	WasmBytesExpected int64   `json:"wasmBytesExpected"`
	WasmEncodedBytes  int64   `json:"wasmEncodedBytes"`  // as sent over the wire
	WasmDecodedBytes  int64   `json:"wasmDecodedBytes"`  // after the browser decompressed it
	ProgressValue     float64 `json:"progressValue"`     // the progress bar at the end
	ProgressMax       float64 `json:"progressMax"`       //
	LoadingHidden     bool    `json:"loadingHidden"`     // the loading screen is gone
	FailureHidden     bool    `json:"failureHidden"`     // no failure message
	DevicePixelRatio  float64 `json:"devicePixelRatio"`  //
	CanvasWidthPx     int     `json:"canvasWidthPx"`     // the canvas backing store
	CanvasHeightPx    int     `json:"canvasHeightPx"`    //
	CanvasCSSWidth    float64 `json:"canvasCSSWidth"`    // the canvas on the page
	CanvasCSSHeight   float64 `json:"canvasCSSHeight"`   //
	ViewportCSSWidth  float64 `json:"viewportCSSWidth"`  //
	ViewportCSSHeight float64 `json:"viewportCSSHeight"` //
}

const pageTimingJS = `(() => {
	const wasm = performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm")) || {};
	const canvas = document.querySelector("body > canvas");
	const box = canvas.getBoundingClientRect();
	const bar = document.getElementById("progress");
	return Object.assign({}, ringlab.timing, {
		wasmEncodedBytes: wasm.encodedBodySize || 0,
		wasmDecodedBytes: wasm.decodedBodySize || 0,
		progressValue: bar.value,
		progressMax: bar.max,
		loadingHidden: document.getElementById("loading").hidden,
		failureHidden: document.getElementById("failure").hidden,
		devicePixelRatio: window.devicePixelRatio,
		canvasWidthPx: canvas.width,
		canvasHeightPx: canvas.height,
		canvasCSSWidth: box.width,
		canvasCSSHeight: box.height,
		viewportCSSWidth: window.innerWidth,
		viewportCSSHeight: window.innerHeight,
	});
})()`

// The page loads the wasm through a server that gzips it, as static hosts do, counts the
// progress against the size recorded at build time, and becomes ready. The time to the first
// frame is measured here and written to out/timing.json; it is a figure for the README, not a
// pass/fail threshold.
func TestPageBecomesReady(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "")
	timing := eval[pageTiming](t, tb, pageTimingJS)

	if !timing.LoadingHidden || !timing.FailureHidden {
		t.Errorf("after ready the loading screen is hidden %v and the failure message hidden %v; want both hidden", timing.LoadingHidden, timing.FailureHidden)
	}
	if timing.WasmBytes != timing.WasmBytesExpected || timing.WasmBytes <= 0 {
		t.Errorf("the loader counted %d wasm bytes, build.json recorded %d", timing.WasmBytes, timing.WasmBytesExpected)
	}
	if timing.ProgressMax != float64(timing.WasmBytesExpected) || timing.ProgressValue != timing.ProgressMax {
		t.Errorf("the progress bar ended at %v of %v, want %d of %d", timing.ProgressValue, timing.ProgressMax, timing.WasmBytesExpected, timing.WasmBytesExpected)
	}
	// The server compressed the wasm, so its Content-Length was not the size counted against:
	// this is the case the build-time size exists for.
	if timing.WasmEncodedBytes <= 0 || timing.WasmEncodedBytes >= timing.WasmDecodedBytes {
		t.Errorf("the wasm was not sent compressed: %d bytes on the wire, %d decoded", timing.WasmEncodedBytes, timing.WasmDecodedBytes)
	}
	if !(0 < timing.LoaderStartMs && timing.LoaderStartMs <= timing.WasmRequestedMs &&
		timing.WasmRequestedMs <= timing.WasmLoadedMs && timing.WasmLoadedMs <= timing.GoStartedMs &&
		timing.GoStartedMs <= timing.FirstFrameMs) {
		t.Errorf("the load steps are out of order: %+v", timing)
	}

	// The browser keeps the code compiled from the wasm only once a visit has run a while
	// (after its busiest functions are optimised), so the first visit lasts a few seconds.
	// Then the page is reloaded in the same tab, as a person working on it does, and opened
	// in a new tab, as on a second visit (the first tab closed first, so that the two labs do
	// not share the processor).
	time.Sleep(5 * time.Second)
	tb.navigate(t, "")
	tb.awaitReady(t)
	reload := eval[pageTiming](t, tb, pageTimingJS)
	tb.close()
	again := openLab(t, viewport1x, "")
	second := eval[pageTiming](t, again, pageTimingJS)

	for _, run := range []struct {
		name string
		t    pageTiming
	}{{"first visit", timing}, {"reload", reload}, {"second visit, new tab", second}} {
		t.Logf("%s: first frame %.0f ms after navigation start (loader started %.0f, wasm requested %.0f, downloaded and compiled %.0f, Go main %.0f)",
			run.name, run.t.FirstFrameMs, run.t.LoaderStartMs, run.t.WasmRequestedMs, run.t.WasmLoadedMs, run.t.GoStartedMs)
	}
	t.Logf("wasm: %d bytes, %d bytes on the wire (gzip)", timing.WasmDecodedBytes, timing.WasmEncodedBytes)
	figures, _ := json.MarshalIndent(map[string]any{"firstVisit": timing, "reload": reload, "secondVisit": second}, "", "  ")
	path := saveArtifact(t, "timing.json", append(figures, '\n'))
	t.Logf("figures written to %s", path)
}

// While the wasm downloads, the progress bar moves against the uncompressed size recorded
// at build time, and says how far it is in words.
func TestProgressBarMoves(t *testing.T) {
	requireE2E(t)
	tb := newTab(t, viewport1x)
	tb.navigate(t, "slow-wasm/")
	waitFor(t, tb, `(() => { const p = document.getElementById("progress"); return p.value > 0 && p.value < p.max; })()`,
		30*time.Second, "the progress bar shows a part of the download")
	type progress struct {
		Value    float64 `json:"value"`
		Max      float64 `json:"max"`
		Text     string  `json:"text"`
		Expected float64 `json:"expected"`
	}
	p := eval[progress](t, tb, `({
		value: document.getElementById("progress").value,
		max: document.getElementById("progress").max,
		text: document.getElementById("loading-text").textContent,
		expected: ringlab.timing.wasmBytesExpected,
	})`)
	if p.Max != p.Expected || p.Expected <= 0 {
		t.Errorf("the progress bar counts to %v, build.json recorded %v bytes", p.Max, p.Expected)
	}
	wantTotal := fmt.Sprintf("of %.1f MB", p.Expected/1e6)
	if !strings.HasPrefix(p.Text, "Loading the lab") || !strings.Contains(p.Text, wantTotal) {
		t.Errorf("the loading text is %q; want it to say %q", p.Text, wantTotal)
	}
	_, path := tb.screenshot(t, "browser-loading.png")
	t.Logf("progress %.0f of %.0f bytes, %q (%s)", p.Value, p.Max, p.Text, path)
}

// ringlab.state() answers with the documented fields and sane values, and the lab runs.
func TestStateAnswers(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "")
	s := tb.state(t)
	if s.Chapter == "" {
		t.Errorf("state.chapter is empty")
	}
	if s.ChapterIndex < 0 {
		t.Errorf("state.chapterIndex = %d, want >= 0", s.ChapterIndex)
	}
	if s.Tick < 0 {
		t.Errorf("state.tick = %d, want >= 0", s.Tick)
	}
	var seed float64
	if err := json.Unmarshal(s.Seed, &seed); err != nil {
		var seedText string
		if err := json.Unmarshal(s.Seed, &seedText); err != nil || seedText == "" {
			t.Errorf("state.seed = %s, want a number or a non-empty string", s.Seed)
		}
	}
	if s.Speed <= 0 || math.IsInf(s.Speed, 0) {
		t.Errorf("state.speed = %v, want a positive number", s.Speed)
	}
	if s.Config == nil || s.Counters == nil {
		t.Errorf("state.config = %v and state.counters = %v, want objects", s.Config, s.Counters)
	}
	if len(s.Nodes) == 0 {
		t.Fatalf("state.nodes is empty")
	}
	seen := make(map[string]bool)
	for i, n := range s.Nodes {
		if n.Name == "" || n.Status == "" || len(n.ID) == 0 {
			t.Errorf("state.nodes[%d] = %+v: want an id, a name and a status", i, n)
		}
		if seen[n.Name] {
			t.Errorf("state.nodes[%d]: the name %q appears twice", i, n.Name)
		}
		seen[n.Name] = true
	}

	// The lab reports its actual rates once it has run for a moment.
	tb.mustCommand(t, `{type: "play"}`)
	waitFor(t, tb, `(() => { const s = ringlab.state(); return s.fps > 0 && s.tps > 0; })()`, 20*time.Second, "the lab reports its frame and update rates")
	s = tb.state(t)
	t.Logf("state: chapter %q, tick %d, %d nodes, %.1f FPS, %.1f TPS", s.Chapter, s.Tick, len(s.Nodes), s.FPS, s.TPS)
}

// Space on the focused canvas toggles play and pause.
func TestSpaceTogglesPause(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "")
	tb.focusCanvas(t)
	before := tb.state(t).Paused

	tb.pressSpace(t)
	waitFor(t, tb, fmt.Sprintf(`ringlab.state().paused === %v`, !before), 30*time.Second,
		fmt.Sprintf("Space changes paused from %v to %v", before, !before))

	tb.pressSpace(t)
	waitFor(t, tb, fmt.Sprintf(`ringlab.state().paused === %v`, before), 30*time.Second,
		fmt.Sprintf("a second Space changes paused back to %v", before))
}

// Commands are applied; malformed ones are refused with a reason and leave the lab running.
func TestCommands(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "")

	tb.mustCommand(t, `{type: "pause"}`)
	waitFor(t, tb, `ringlab.state().paused === true`, 10*time.Second, "pause is applied")
	tick := tb.state(t).Tick
	chromedp.Do(tb.ctx, chromedp.Sleep(300*time.Millisecond))
	if after := tb.state(t).Tick; after != tick {
		t.Errorf("paused, the tick moved from %d to %d", tick, after)
	}
	tb.mustCommand(t, `{type: "step"}`)
	waitFor(t, tb, fmt.Sprintf(`ringlab.state().tick > %d`, tick), 10*time.Second, "step advances the tick while paused")
	if s := tb.state(t); !s.Paused {
		t.Errorf("step unpaused the lab")
	}

	malformed := []struct {
		name string
		expr string // evaluates to {ok, error}
	}{
		{name: "null", expr: `ringlab.command(null)`},
		{name: "a string", expr: `ringlab.command("pause")`},
		{name: "an array", expr: `ringlab.command([{type: "pause"}])`},
		{name: "no type", expr: `ringlab.command({})`},
		{name: "a numeric type", expr: `ringlab.command({type: 42})`},
		{name: "an unknown type", expr: `ringlab.command({type: "no-such-command"})`},
		{name: "a speed that is not a number", expr: `ringlab.command({type: "speed", value: "fast"})`},
		{name: "a cyclic object", expr: `(() => { const c = {type: "pause"}; c.self = c; return ringlab.command(c); })()`},
		{name: "a chapter that does not exist", expr: `ringlab.command({type: "chapter", value: -3})`},
		{name: "an unknown field", expr: `ringlab.command({type: "pause", colour: "red"})`},
		{name: "a core command without a kind", expr: `ringlab.command({type: "core", cmd: {}})`},
	}
	for _, m := range malformed {
		reply := eval[commandReply](t, tb, m.expr)
		if reply.OK || strings.TrimSpace(reply.Error) == "" {
			t.Errorf("command with %s: reply %+v, want ok false with an error message", m.name, reply)
		}
	}
	// The bridge itself, as a script that skips ringlab.command would call it: it answers ""
	// when it queued a command and a reason when it refused one.
	bridgeCalls := []struct {
		name string
		expr string // evaluates to the bridge's reply
	}{
		{name: "text that is not JSON", expr: `window.ringlabBridge.command("{not json")`},
		{name: "an empty string", expr: `window.ringlabBridge.command("")`},
		{name: "JSON with trailing data", expr: `window.ringlabBridge.command('{"type":"pause"} {"type":"play"}')`},
		{name: "a number", expr: `window.ringlabBridge.command(42)`},
		{name: "no argument", expr: `window.ringlabBridge.command()`},
		{name: "a megabyte of text", expr: `window.ringlabBridge.command('{"type":"' + "x".repeat(1 << 20) + '"}')`},
	}
	for _, c := range bridgeCalls {
		if reply := eval[string](t, tb, `String(`+c.expr+`)`); strings.TrimSpace(reply) == "" {
			t.Errorf("bridge command with %s: empty reply (queued), want a reason for refusing it", c.name)
		}
	}

	// The lab still answers and still runs.
	tick = tb.state(t).Tick
	tb.mustCommand(t, `{type: "play"}`)
	waitFor(t, tb, fmt.Sprintf(`(() => { const s = ringlab.state(); return !s.paused && s.tick > %d; })()`, tick), 30*time.Second,
		"after the malformed commands, play runs the lab")
	if hidden := eval[bool](t, tb, `document.getElementById("failure").hidden`); !hidden {
		t.Errorf("the failure message is showing: %q", eval[string](t, tb, `document.getElementById("failure").innerText`))
	}
}

// The canvas shows a drawn frame at 1x and 2x device pixel ratio, with a backing store at the
// device's resolution so that text stays crisp. The screenshots stay in out/ to be looked at.
func TestCanvasNotBlank(t *testing.T) {
	requireE2E(t)
	for _, vp := range []viewport{viewport1x, {width: 1280, height: 800, scale: 2}} {
		t.Run(fmt.Sprintf("scale %g", vp.scale), func(t *testing.T) {
			tb := openLab(t, vp, "")
			// Let the lab run a moment, so the frame is a running one and not the first.
			chromedp.Do(tb.ctx, chromedp.Sleep(1500*time.Millisecond))
			timing := eval[pageTiming](t, tb, pageTimingJS)
			data, path := tb.screenshot(t, fmt.Sprintf("browser-%gx.png", vp.scale))
			img := decodePNG(t, data)
			s := measureImage(img)
			t.Logf("%s: %v", path, s)
			if reason := blankReason(s); reason != "" {
				t.Errorf("the screenshot at scale %g looks blank: %s (%s)", vp.scale, reason, path)
			}
			if want := int(float64(vp.width) * vp.scale); s.width != want {
				t.Errorf("screenshot width %d px, want %d", s.width, want)
			}
			// The canvas fills the page...
			if math.Abs(timing.CanvasCSSWidth-timing.ViewportCSSWidth) > 1 || math.Abs(timing.CanvasCSSHeight-timing.ViewportCSSHeight) > 1 {
				t.Errorf("the canvas is %vx%v CSS px in a %vx%v page; want it to fill the page",
					timing.CanvasCSSWidth, timing.CanvasCSSHeight, timing.ViewportCSSWidth, timing.ViewportCSSHeight)
			}
			// ...at the device's resolution.
			wantW := timing.CanvasCSSWidth * timing.DevicePixelRatio
			if math.Abs(float64(timing.CanvasWidthPx)-wantW) > 2 {
				t.Errorf("the canvas backing store is %d px wide for %v CSS px at ratio %v; want about %.0f",
					timing.CanvasWidthPx, timing.CanvasCSSWidth, timing.DevicePixelRatio, wantW)
			}
		})
	}
}

// Tab walks through the lab's own controls, each once, then leaves the canvas (Ebitengine
// alone would trap it) for the page's control after it; the click-to-start cue appears;
// Shift+Tab comes back into the lab; Enter on the page's control gives the focus back too.
func TestTabLeavesCanvas(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "")
	tb.focusCanvas(t)
	if cueHidden := eval[bool](t, tb, `document.getElementById("cue").hidden`); !cueHidden {
		t.Errorf("the click-to-start cue shows while the lab has the focus")
	}

	// A generous bound on the number of the lab's controls: a Tab that never leaves fails.
	const maxTabs = 80
	const onCanvas = `document.activeElement === document.querySelector("body > canvas")`
	var visited []string
	seen := make(map[string]bool)
	for len(visited) <= maxTabs && eval[bool](t, tb, onCanvas) {
		tb.pressTab(t)
		if !eval[bool](t, tb, onCanvas) {
			break
		}
		focus := eval[string](t, tb, `String(ringlab.state().focus)`)
		if seen[focus] {
			t.Fatalf("Tab came back to the lab's control %q before leaving the canvas; order so far %q", focus, visited)
		}
		seen[focus] = true
		visited = append(visited, focus)
	}
	if eval[bool](t, tb, onCanvas) {
		t.Fatalf("after %d Tabs the focus is still on the canvas; controls visited %q", len(visited), visited)
	}
	t.Logf("Tab visited %d of the lab's controls, then left the canvas: %q", len(visited), visited)
	if id := eval[string](t, tb, `document.activeElement.id`); id != "back-to-lab" {
		t.Errorf("Tab from the canvas landed on %q, want #back-to-lab", eval[string](t, tb, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	if w := eval[float64](t, tb, `document.activeElement.getBoundingClientRect().width`); w < 20 {
		t.Errorf("the focused control is %v px wide: not visible", w)
	}
	waitFor(t, tb, `!document.getElementById("cue").hidden`, 5*time.Second, "the click-to-start cue shows once the lab has lost the focus")
	_, path := tb.screenshot(t, "browser-tab-out.png")
	t.Logf("after Tab: %s", path)

	tb.pressShiftTab(t)
	waitFor(t, tb, onCanvas, 5*time.Second, "Shift+Tab from the page's control goes back into the lab")

	tb.pressTab(t)
	if eval[bool](t, tb, onCanvas) {
		// The lab kept its focus on a control; walk out again.
		for i := 0; i <= maxTabs && eval[bool](t, tb, onCanvas); i++ {
			tb.pressTab(t)
		}
	}
	waitFor(t, tb, `document.activeElement.id === "back-to-lab"`, 5*time.Second, "Tab leaves the canvas again")
	tb.pressKey(t, "Enter", "Enter", 13, "\r")
	waitFor(t, tb, onCanvas, 5*time.Second, "Enter on Back to the lab returns the focus to the canvas")
	waitFor(t, tb, `document.getElementById("cue").hidden`, 5*time.Second, "the cue hides again")
}

// failurePage loads the page and waits for its failure message.
func failurePage(t *testing.T, tb *tab, suffix string) (text, readyError string) {
	t.Helper()
	tb.navigate(t, suffix)
	waitFor(t, tb, `!document.getElementById("failure").hidden`, 60*time.Second, "the failure message appears")
	text = eval[string](t, tb, `document.getElementById("failure").innerText`)
	readyError, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`ringlab.ready.then(() => "resolved", (e) => "rejected: " + e.message)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	return text, readyError
}

// Without WebGL 2 the page says so in words, and the lab does not start. (The wasm download
// starts alongside the check, so that the check costs other visitors no time; it is abandoned.)
func TestWebGL2MissingMessage(t *testing.T) {
	requireE2E(t)
	tb := newTab(t, viewport1x)
	const noWebGL2 = `(() => {
		const getContext = HTMLCanvasElement.prototype.getContext;
		HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
			return type === "webgl2" ? null : getContext.call(this, type, ...rest);
		};
	})();`
	err := chromedp.Do(tb.ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: noWebGL2})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	text, ready := failurePage(t, tb, "")
	for _, want := range []string{"Ringlab could not start", "WebGL 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("the message does not say %q:\n%s", want, text)
		}
	}
	if !strings.HasPrefix(ready, "rejected: ") || !strings.Contains(ready, "WebGL 2") {
		t.Errorf("ringlab.ready: %s; want rejected with the reason", ready)
	}
	if started := eval[bool](t, tb, `window.ringlabBridge !== undefined || ringlab.timing.goStartedMs !== null`); started {
		t.Errorf("the lab started although the browser cannot draw it")
	}
	_, path := tb.screenshot(t, "browser-no-webgl2.png")
	t.Logf("message: %q (%s)", text, path)
}

// A wasm that cannot be fetched gives a message naming the file and the server's answer.
func TestWasmLoadFailureMessage(t *testing.T) {
	requireE2E(t)
	tb := newTab(t, viewport1x)
	text, ready := failurePage(t, tb, "missing-wasm/")
	for _, want := range []string{"Ringlab could not start", ".wasm", "404"} {
		if !strings.Contains(text, want) {
			t.Errorf("the message does not say %q:\n%s", want, text)
		}
	}
	if !strings.HasPrefix(ready, "rejected: ") {
		t.Errorf("ringlab.ready: %s; want rejected", ready)
	}
	if reply := eval[commandReply](t, tb, `ringlab.command({type: "play"})`); reply.OK || reply.Error == "" {
		t.Errorf("a command on a page that failed to load: %+v, want refused with a reason", reply)
	}
	_, path := tb.screenshot(t, "browser-missing-wasm.png")
	t.Logf("message: %q (%s)", text, path)
}

// ringlab.reducedMotion follows the system preference, and ?motion= overrides it.
func TestReducedMotion(t *testing.T) {
	requireE2E(t)
	tests := []struct {
		name       string
		preference string // prefers-reduced-motion as emulated; "" for none
		query      string
		want       bool
	}{
		{name: "no preference", want: false},
		{name: "system asks for less motion", preference: "reduce", want: true},
		{name: "query forces reduced motion", query: "?motion=reduce", want: true},
		{name: "query overrides the system", preference: "reduce", query: "?motion=full", want: false},
		{name: "unknown query value keeps the system's", preference: "reduce", query: "?motion=sometimes", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTab(t, viewport1x)
			if tt.preference != "" {
				err := chromedp.Do(tb.ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
					_, err := cdp.Call(ctx, target, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
						Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: tt.preference}},
					})
					return err
				}))
				if err != nil {
					t.Fatal(err)
				}
			}
			tb.navigate(t, tt.query)
			if got := eval[bool](t, tb, `ringlab.reducedMotion`); got != tt.want {
				t.Errorf("%s: ringlab.reducedMotion = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}
