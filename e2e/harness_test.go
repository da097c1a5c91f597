//go:build !js

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ringlab/ringlab/cmd/serve/site"
)

const (
	// readyTimeout bounds the wait for the first frame. Generous: the browser renders in
	// software, and a machine running the whole test suite on two cores is slow.
	readyTimeout = 2 * time.Minute
	// tabTimeout bounds one test's use of its tab.
	tabTimeout = 4 * time.Minute
)

// shared holds what the browser tests share: one server for the built site and one browser.
// Both start on first use and stop in TestMain.
var shared struct {
	siteOnce sync.Once
	siteURL  string
	siteErr  error
	server   *httptest.Server

	foreignOnce sync.Once
	foreign     *httptest.Server

	browserOnce   sync.Once
	browser       context.Context
	browserErr    error
	stopBrowser   []func()
	userDataDir   string
	browserLogsMu sync.Mutex
	browserLogs   []string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.server != nil {
		shared.server.Close()
	}
	if shared.foreign != nil {
		shared.foreign.Close()
	}
	for i := len(shared.stopBrowser) - 1; i >= 0; i-- {
		shared.stopBrowser[i]()
	}
	if shared.userDataDir != "" {
		os.RemoveAll(shared.userDataDir)
	}
	os.Exit(code)
}

// requireE2E skips the test unless the end-to-end tests are on.
func requireE2E(t *testing.T) {
	t.Helper()
	if os.Getenv("RINGLAB_E2E") != "1" {
		t.Skip("end-to-end test: runs only with RINGLAB_E2E=1, after the site and the desktop binary are built (make test does both)")
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// outDir is where the tests leave screenshots and measured figures for people to look at.
func outDir(t *testing.T) string {
	t.Helper()
	dir := envOr("RINGLAB_E2E_OUT", "out")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func saveArtifact(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(outDir(t), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	return abs
}

// siteURL serves the built site the way `make serve` does, on a free loopback port, and
// returns its base URL (ending in "/"). Under /missing-wasm/ it serves the same site with the
// wasm answering 404, to show the page's load-failure message; under /slow-wasm/ the wasm
// trickles in, a quarter megabyte every 50 ms, to watch the progress bar move.
func siteURL(t *testing.T) string {
	t.Helper()
	shared.siteOnce.Do(func() {
		dist := envOr("RINGLAB_DIST", filepath.Join("..", "dist"))
		if _, err := os.Stat(filepath.Join(dist, "build.json")); err != nil {
			shared.siteErr = fmt.Errorf("%s is not a built site (%v): run make dist first", dist, err)
			return
		}
		files := site.Handler(os.DirFS(dist))
		mux := http.NewServeMux()
		mux.Handle("/", files)
		mux.Handle("/missing-wasm/", http.StripPrefix("/missing-wasm", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, ".wasm") {
				http.NotFound(w, r)
				return
			}
			files.ServeHTTP(w, r)
		})))
		mux.Handle("/slow-wasm/", http.StripPrefix("/slow-wasm", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, ".wasm") {
				files.ServeHTTP(w, r)
				return
			}
			data, err := os.ReadFile(filepath.Join(dist, filepath.FromSlash(path.Clean(r.URL.Path))))
			if err != nil {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/wasm")
			const chunk = 256 << 10
			for i := 0; i < len(data); i += chunk {
				if _, err := w.Write(data[i:min(len(data), i+chunk)]); err != nil {
					return // the page went away
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		})))
		// Pages that play a course page around the lab (testdata/*.html).
		mux.Handle("/e2e/", http.StripPrefix("/e2e/", http.FileServer(http.Dir("testdata"))))
		shared.server = httptest.NewServer(mux)
		shared.siteURL = shared.server.URL + "/"
	})
	if shared.siteErr != nil {
		t.Fatal(shared.siteErr)
	}
	return shared.siteURL
}

// foreignURL serves testdata/ from a second loopback port: a page of another origin than the
// lab's, for the postMessage tests. It returns the base URL, ending in "/".
func foreignURL(t *testing.T) string {
	t.Helper()
	shared.foreignOnce.Do(func() {
		shared.foreign = httptest.NewServer(http.FileServer(http.Dir("testdata")))
	})
	return shared.foreign.URL + "/"
}

// chromiumFlags are the browser's switches: WebGL 2 rendered in software (SwiftShader through
// ANGLE), and nothing that reaches out to the network or changes between runs.
func chromiumFlags(userDataDir string) []chromedp.ExecAllocatorOption {
	opts := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	opts = append(opts,
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(1280, 800),
		chromedp.UserDataDir(userDataDir),
	)
	// chromedp adds --no-sandbox when it runs as root, where Chromium's sandbox cannot start.
	if path := os.Getenv("RINGLAB_CHROMIUM"); path != "" {
		opts = append(opts, chromedp.ExecPath(path))
	} else if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		opts = append(opts, chromedp.ExecPath("/usr/bin/chromium"))
	}
	return opts
}

func startBrowser(t *testing.T) context.Context {
	t.Helper()
	shared.browserOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ringlab-chromium-")
		if err != nil {
			shared.browserErr = err
			return
		}
		shared.userDataDir = dir
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromiumFlags(dir)...)
		shared.stopBrowser = append(shared.stopBrowser, cancelAlloc)
		logf := func(format string, args ...any) {
			shared.browserLogsMu.Lock()
			defer shared.browserLogsMu.Unlock()
			shared.browserLogs = append(shared.browserLogs, fmt.Sprintf(format, args...))
		}
		browserCtx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(logf))
		shared.stopBrowser = append(shared.stopBrowser, cancelBrowser)
		// The first run starts the browser; it must not carry a timeout (that would end the
		// browser with it), so a watchdog reports a browser that never answers.
		started := make(chan error, 1)
		go func() { started <- chromedp.Do(browserCtx) }()
		select {
		case err = <-started:
		case <-time.After(time.Minute):
			err = errors.New("Chromium did not start within a minute")
		}
		if err != nil {
			shared.browserErr = fmt.Errorf("starting Chromium: %w", err)
			return
		}
		shared.browser = browserCtx
	})
	if shared.browserErr != nil {
		t.Fatal(shared.browserErr)
	}
	return shared.browser
}

// tab is one browser tab for one test, with the page's console output kept for failures.
type tab struct {
	ctx    context.Context
	cancel context.CancelFunc // closes the tab

	mu      sync.Mutex
	console []string
}

func (tb *tab) record(line string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.console = append(tb.console, line)
}

func (tb *tab) consoleLines() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.console...)
}

// viewport is the page size in CSS pixels and the device pixel ratio.
type viewport struct {
	width, height int64
	scale         float64
}

var viewport1x = viewport{width: 1280, height: 800, scale: 1}

// newTab opens a tab with the viewport set. The tab closes when the test ends; if the test
// failed, the page's console output is logged.
func newTab(t *testing.T, vp viewport) *tab {
	t.Helper()
	browser := startBrowser(t)
	tabCtx, cancelTab := chromedp.NewContext(browser)
	t.Cleanup(cancelTab)
	// The tab's first run creates it; the timeout goes on a context derived after that.
	if err := chromedp.Do(tabCtx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	tb := &tab{cancel: cancelTab}
	err := chromedp.Listen(tabCtx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, arg := range ev.Args {
				if len(arg.Value) > 0 {
					parts = append(parts, string(arg.Value))
				} else {
					parts = append(parts, arg.Description)
				}
			}
			tb.record(fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " ")))
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			tb.record(fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
		}
	})
	if err != nil {
		t.Fatalf("listening to the tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tabCtx, tabTimeout)
	t.Cleanup(cancel)
	tb.ctx = ctx
	t.Cleanup(func() {
		if t.Failed() {
			for _, line := range tb.consoleLines() {
				t.Logf("page %s", line)
			}
		}
	})
	// Focus emulation: the tab behaves as the focused window, as it would for a person
	// using the lab, so document.hasFocus() and focus events work in headless mode.
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(vp.width, vp.height, chromedp.EmulateScale(vp.scale)),
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
			return err
		}),
	)
	if err != nil {
		t.Fatalf("setting up the tab: %v", err)
	}
	return tb
}

// close closes the tab before the test ends.
func (tb *tab) close() { tb.cancel() }

// navigate loads the page at the site URL plus suffix (a query string or a path).
func (tb *tab) navigate(t *testing.T, suffix string) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, chromedp.Navigate(siteURL(t)+suffix)); err != nil {
		t.Fatalf("loading %s: %v", suffix, err)
	}
}

// awaitReady waits for window.ringlab.ready; on failure it reports what the page shows.
func (tb *tab) awaitReady(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, readyTimeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.ringlab.ready.then(() => true)`, chromedp.EvalAwaitPromise))
	if err != nil {
		shown, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("the lab did not become ready: %v\npage text: %q", err, shown)
	}
}

// openLab opens the lab in a new tab and waits for its first frame.
func openLab(t *testing.T, vp viewport, suffix string) *tab {
	t.Helper()
	tb := newTab(t, vp)
	tb.navigate(t, suffix)
	tb.awaitReady(t)
	return tb
}

// eval evaluates a JavaScript expression in the page and decodes its value into T.
func eval[T any](t *testing.T, tb *tab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript expression until it is truthy, and fails the test with the
// description when it does not become so within the timeout.
func waitFor(t *testing.T, tb *tab, expr string, timeout time.Duration, description string) {
	t.Helper()
	_, err := chromedp.Run(tb.ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		t.Fatalf("%s: not within %v (%s: %v)", description, timeout, expr, err)
	}
}

// labState is ringlab.state() as the page API documents it.
type labState struct {
	Chapter      string          `json:"chapter"`
	ChapterIndex int             `json:"chapterIndex"`
	Tick         int64           `json:"tick"`
	Seed         json.RawMessage `json:"seed"`
	Paused       bool            `json:"paused"`
	Speed        float64         `json:"speed"`
	Config       map[string]any  `json:"config"`
	Nodes        []labNode       `json:"nodes"`
	Counters     map[string]any  `json:"counters"`
	FPS          float64         `json:"fps"`
	TPS          float64         `json:"tps"`
	Focus        json.RawMessage `json:"focus"`
	Digest       string          `json:"digest"`
	Notice       string          `json:"notice"`
	Recorded     int             `json:"recorded"`
}

type labNode struct {
	ID     json.RawMessage `json:"id"`
	Name   string          `json:"name"`
	Up     bool            `json:"up"`
	Status string          `json:"status"`
	Keys   json.RawMessage `json:"keys"`
	Hints  json.RawMessage `json:"hints"`
}

// stateFields are the fields every state must carry.
var stateFields = []string{"chapter", "chapterIndex", "tick", "seed", "paused", "speed", "config", "nodes", "counters", "fps", "tps", "focus"}

// state reads ringlab.state(), checking that every documented field is present.
func (tb *tab) state(t *testing.T) labState {
	t.Helper()
	raw := eval[[]byte](t, tb, `ringlab.state()`)
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatalf("ringlab.state() is not an object: %v: %s", err, raw)
	}
	for _, name := range stateFields {
		if _, ok := fields[name]; !ok {
			t.Errorf("ringlab.state() has no field %q: %s", name, raw)
		}
	}
	var s labState
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("ringlab.state() has a field of the wrong type: %v: %s", err, raw)
	}
	return s
}

// commandReply is what ringlab.command returns.
type commandReply struct {
	OK    bool   `json:"ok"`
	Error string `json:"error"`
}

// command sends a command (a JavaScript object literal) and returns the reply.
func (tb *tab) command(t *testing.T, literal string) commandReply {
	t.Helper()
	return eval[commandReply](t, tb, `ringlab.command(`+literal+`)`)
}

// mustCommand sends a command that must be accepted.
func (tb *tab) mustCommand(t *testing.T, literal string) {
	t.Helper()
	if r := tb.command(t, literal); !r.OK {
		t.Fatalf("ringlab.command(%s) refused: %s", literal, r.Error)
	}
}

// focusCanvas gives the lab's canvas the keyboard focus, as a click would, without clicking
// somewhere in the lab that might press one of its controls.
func (tb *tab) focusCanvas(t *testing.T) {
	t.Helper()
	eval[chromedp.Void](t, tb, `document.querySelector("body > canvas").focus()`)
	waitFor(t, tb, `document.activeElement === document.querySelector("body > canvas")`, 5*time.Second, "the canvas takes the focus")
}

// holdFramesJS resolves after four animation frames: Ebitengine updates in animation frames,
// so a key held that long is seen by at least one update however slow the machine is.
const holdFramesJS = `new Promise((resolve) => {
	let frames = 0;
	const next = () => (++frames >= 4 ? resolve(true) : requestAnimationFrame(next));
	requestAnimationFrame(next);
})`

// pressKey presses and releases a key, holding it for a few frames and then waiting a few
// more: Ebitengine polls the keyboard once per update, so a press shorter than a frame can be
// missed, and a second press before an update has seen the release is no new press.
func (tb *tab) pressKey(t *testing.T, key, code string, keyCode int64, text string, modifiers ...chromedp.Modifier) {
	t.Helper()
	down := input.DispatchKeyEventParams{
		Type: input.DispatchKeyEventTypeKeyDown, Key: key, Code: code,
		WindowsVirtualKeyCode: keyCode, NativeVirtualKeyCode: keyCode, Text: text, UnmodifiedText: text,
	}
	for _, m := range modifiers {
		down.Modifiers |= int64(m)
	}
	up := down
	up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
	err := chromedp.Do(tb.ctx,
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, input.DispatchKeyEvent, down)
			return err
		}),
		chromedp.Sleep(50*time.Millisecond),
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](holdFramesJS, chromedp.EvalAwaitPromise)(ctx, target)
			return err
		}),
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, input.DispatchKeyEvent, up)
			return err
		}),
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](holdFramesJS, chromedp.EvalAwaitPromise)(ctx, target)
			return err
		}),
	)
	if err != nil {
		t.Fatalf("pressing %s: %v", key, err)
	}
}

func (tb *tab) pressSpace(t *testing.T) { tb.pressKey(t, " ", "Space", 32, " ") }
func (tb *tab) pressTab(t *testing.T)   { tb.pressKey(t, "Tab", "Tab", 9, "") }
func (tb *tab) pressShiftTab(t *testing.T) {
	tb.pressKey(t, "Tab", "Tab", 9, "", chromedp.ModifierShift)
}

// screenshot captures the viewport as PNG, saves it under name and returns it decoded.
func (tb *tab) screenshot(t *testing.T, name string) ([]byte, string) {
	t.Helper()
	data, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return data, saveArtifact(t, name, data)
}
