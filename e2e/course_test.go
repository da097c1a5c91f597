//go:build !js

package e2e

// Course pages (issue 5): links that reproduce a run, embedding, the postMessage API, exports and
// replay files, and the page's accessibility. The lab side of each is the bridge of version 2
// (window.ringlabBridge.link, loadState, exportFile, loadReplay); a test that needs a bridge
// function this build does not have skips and names it.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// requireBridge fails the test when the lab in win (a JavaScript expression for a window, such
// as "window" or a frame's contentWindow) lacks one of the named bridge functions: a function
// removed from the bridge is a failure, never a skipped test.
func requireBridge(t *testing.T, tb *tab, win string, names ...string) {
	t.Helper()
	for _, name := range names {
		expr := fmt.Sprintf(`typeof (%s).ringlabBridge.%s === "function"`, win, name)
		if !eval[bool](t, tb, expr) {
			t.Fatalf("the lab's bridge has no %s() (render/bridge_js.go): the page API lost it", name)
		}
	}
}

// callCDP sends one DevTools command through the tab.
func callCDP[P, R any](t *testing.T, tb *tab, cmd cdp.Command[P, R], params P) {
	t.Helper()
	err := chromedp.Do(tb.ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, cmd, params)
		return err
	}))
	if err != nil {
		t.Fatalf("%s: %v", cmd.Method, err)
	}
}

// navigateTo loads an absolute URL, or about:blank first when only the fragment would change
// (which the browser treats as a move within the page, not a new load).
func (tb *tab) navigateTo(t *testing.T, rawURL string) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(rawURL)); err != nil {
		t.Fatalf("loading %s: %v", rawURL, err)
	}
}

// pause stops the run and waits until the lab says so.
func (tb *tab) pause(t *testing.T) {
	t.Helper()
	tb.mustCommand(t, `{type: "pause"}`)
	waitFor(t, tb, `ringlab.state().paused === true`, 20*time.Second, "the lab pauses")
}

// runCommands sends commands (JavaScript object literals) in order, each accepted.
func (tb *tab) runCommands(t *testing.T, literals ...string) {
	t.Helper()
	for _, c := range literals {
		tb.mustCommand(t, c)
	}
}

// sleep lets the page run for d.
func (tb *tab) sleep(t *testing.T, d time.Duration) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, chromedp.Sleep(d)); err != nil {
		t.Fatal(err)
	}
}

// noticeShown is the page's notice element as a person would see it.
type noticeShown struct {
	Visible bool    `json:"visible"`
	Text    string  `json:"text"`
	Top     float64 `json:"top"`
	Bottom  float64 `json:"bottom"`
}

const noticeJS = `(() => {
	const n = document.getElementById("notice");
	const r = n.getBoundingClientRect();
	return {visible: !n.hidden && r.width > 40 && r.height > 10 && r.top >= 0 && r.bottom <= window.innerHeight,
		text: document.getElementById("notice-text").innerText, top: r.top, bottom: r.bottom};
})()`

// A run changed by hand (a configuration value, a crash, a put, ticks run) is written as a
// link; the page opened with that link in a fresh tab reproduces the same run: the same tick
// and the same trace digest. Copy link puts page address + fragment on the clipboard.
func TestLinkRoundTrip(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "#v=1&chapter=quorums&seed=5")
	requireBridge(t, tb, "window", "link", "loadState")
	tb.pause(t)
	start := tb.state(t)
	tb.runCommands(t,
		`{type: "core", cmd: {kind: "set", param: "w", num: 1}}`,
		`{type: "run", value: 60}`,
		`{type: "core", cmd: {kind: "crash", node: 2}}`,
		`{type: "run", value: 40}`,
		`{type: "core", cmd: {kind: "put", node: 0, client: 1, key: "cart", value: "red"}}`,
		`{type: "run", value: 45}`,
	)
	wantTick := start.Tick + 145
	waitFor(t, tb, fmt.Sprintf(`ringlab.state().tick === %d`, wantTick), 30*time.Second, "the commands are applied")
	before := tb.state(t)
	link := eval[string](t, tb, `ringlab.link()`)
	if !strings.HasPrefix(link, "#v=1&") {
		t.Fatalf("ringlab.link() = %q, want a fragment starting #v=1&", link)
	}
	if before.Recorded < 3 || before.Digest == "" {
		t.Fatalf("the run recorded %d commands, digest %q; want the three commands and a digest", before.Recorded, before.Digest)
	}
	t.Logf("link (%d characters): %s", len(link), link)

	fresh := openLab(t, viewport1x, link)
	waitFor(t, fresh, fmt.Sprintf(`ringlab.state().tick === %d`, before.Tick), 60*time.Second, "the linked run reaches the same tick")
	after := fresh.state(t)
	if after.Digest != before.Digest {
		t.Errorf("opened from the link, the run's digest at tick %d is %s, want %s", after.Tick, after.Digest, before.Digest)
	}
	if after.Chapter != before.Chapter || string(after.Seed) != string(before.Seed) || !after.Paused {
		t.Errorf("opened from the link: chapter %q seed %s paused %v; want chapter %q seed %s paused", after.Chapter, after.Seed, after.Paused, before.Chapter, before.Seed)
	}
	wantConfig, _ := json.Marshal(before.Config)
	gotConfig, _ := json.Marshal(after.Config)
	if string(gotConfig) != string(wantConfig) {
		t.Errorf("opened from the link, the configuration is\n%s\nwant\n%s", gotConfig, wantConfig)
	}
	if notice := eval[noticeShown](t, fresh, noticeJS); notice.Visible {
		t.Errorf("a good link shows a notice: %q", notice.Text)
	}

	// Copy link: the page's address with the fragment, on the clipboard.
	origin := strings.TrimSuffix(siteURL(t), "/")
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		callCDP(t, tb, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: origin,
		})
	}
	copied, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`ringlabCopyLink(ringlab.link())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("Copy link: %v", err)
	}
	clip, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("reading the clipboard: %v", err)
	}
	if want := origin + "/" + link; !copied || clip != want {
		t.Errorf("Copy link: copied %v, clipboard %q; want %q", copied, clip, want)
	}
	if notice := eval[noticeShown](t, tb, noticeJS); !notice.Visible || !strings.Contains(notice.Text, "Link copied") {
		t.Errorf("after Copy link the notice shows %v %q, want it to say the link was copied", notice.Visible, notice.Text)
	}
	// The lab's own Copy link button goes through the same page function.
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`navigator.clipboard.writeText("").then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("clearing the clipboard: %v", err)
	}
	tb.mustCommand(t, `{type: "press", value: "copylink"}`)
	want := origin + "/" + link
	deadline := time.Now().Add(10 * time.Second)
	for clip = ""; clip != want && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		clip, _ = chromedp.Run(tb.ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	}
	if clip != want {
		t.Errorf("the lab's Copy link button left %q on the clipboard, want %q", clip, want)
	}

	// A new fragment in the same page (hashchange) opens that run without a reload.
	eval[chromedp.Void](t, fresh, `window.__samePage = true; location.hash = "#v=1&chapter=naive-hashing&seed=9"`)
	waitFor(t, fresh, `ringlab.state().chapter === "naive-hashing" && ringlab.state().seed === 9`, 30*time.Second, "a changed fragment opens its run")
	if !eval[bool](t, fresh, `window.__samePage === true`) {
		t.Errorf("the page reloaded on a change of fragment")
	}
}

// A link with values the lab cannot use still starts the lab, with the chapter's defaults in
// their place and a visible notice that names them; a fragment too long is ignored whole.
func TestBadFragmentFallsBack(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "#v=1&chapter=quorums")
	base := tb.state(t)
	baseConfig, _ := json.Marshal(base.Config)
	if notice := eval[noticeShown](t, tb, noticeJS); notice.Visible {
		t.Errorf("a good link shows a notice: %q", notice.Text)
	}

	tests := []struct {
		name        string
		fragment    string
		wantChapter string
		wantSaid    []string // the notice names these
	}{
		{name: "W greater than N", fragment: "#v=1&chapter=quorums&n=3&w=5", wantChapter: "quorums", wantSaid: []string{"w"}},
		{name: "negative values", fragment: "#v=1&chapter=quorums&nodes=-4&seed=-3", wantChapter: "quorums", wantSaid: []string{"seed", "nodes"}},
		{name: "values that are not numbers", fragment: "#v=1&chapter=quorums&r=lots&latmax=fast", wantChapter: "quorums", wantSaid: []string{"r=", "latmax="}},
		{name: "absurdly large values", fragment: "#v=1&chapter=quorums&nodes=99999999999&tick=1e30", wantChapter: "quorums", wantSaid: []string{"nodes=", "tick="}},
		{name: "a fragment over 64 KiB", fragment: "#v=1&chapter=quorums&a=" + strings.Repeat("1:put~", 12000), wantChapter: "naive-hashing", wantSaid: []string{"longer than"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb.navigateTo(t, siteURL(t)+tt.fragment)
			tb.awaitReady(t)
			s := tb.state(t)
			if s.Chapter != tt.wantChapter {
				t.Errorf("%s: chapter %q, want %q", tt.name, s.Chapter, tt.wantChapter)
			}
			if string(s.Seed) != "1" {
				t.Errorf("%s: seed %s, want the default 1", tt.name, s.Seed)
			}
			if tt.wantChapter == base.Chapter {
				if got, _ := json.Marshal(s.Config); string(got) != string(baseConfig) {
					t.Errorf("%s: the configuration is\n%s\nwant the chapter's defaults\n%s", tt.name, got, baseConfig)
				}
			}
			waitFor(t, tb, `!document.getElementById("notice").hidden`, 10*time.Second, tt.name+": the notice appears")
			notice := eval[noticeShown](t, tb, noticeJS)
			if !notice.Visible {
				t.Errorf("%s: the notice is not visible: %+v", tt.name, notice)
			}
			for _, word := range tt.wantSaid {
				if !strings.Contains(notice.Text, word) {
					t.Errorf("%s: the notice %q does not name %q", tt.name, notice.Text, word)
				}
			}
			t.Logf("%s: notice %q", tt.name, notice.Text)
			if i == 0 {
				_, path := tb.screenshot(t, "browser-bad-link.png")
				t.Logf("screenshot: %s", path)
			}
		})
	}

	// A fragment with nothing usable, opened in a running page, leaves the run as it is.
	t.Run("nothing usable in a running page", func(t *testing.T) {
		tb.navigateTo(t, siteURL(t)+"#v=1&chapter=quorums&seed=4")
		tb.awaitReady(t)
		requireBridge(t, tb, "window", "loadState")
		tb.pause(t)
		before := tb.state(t)
		eval[chromedp.Void](t, tb, `document.getElementById("notice-dismiss").click(); location.hash = "#v=9&seed=zzz"`)
		waitFor(t, tb, `!document.getElementById("notice").hidden`, 10*time.Second, "the notice says why the fragment was not opened")
		tb.sleep(t, 300*time.Millisecond)
		after := tb.state(t)
		if after.Chapter != before.Chapter || after.Tick != before.Tick || after.Digest != before.Digest {
			t.Errorf("an unusable fragment changed the run: %s tick %d %s -> %s tick %d %s", before.Chapter, before.Tick, before.Digest, after.Chapter, after.Tick, after.Digest)
		}
		t.Logf("notice: %q", eval[noticeShown](t, tb, noticeJS).Text)
	})
}

// courseFrame is what the course-page test reads of one embedded lab.
type courseFrame struct {
	Chapter       string  `json:"chapter"`
	Ready         string  `json:"ready"` // the course page heard ringlab:v1:ready
	Embed         bool    `json:"embed"`
	OpenTabShown  bool    `json:"openTabShown"`
	OpenTabHref   string  `json:"openTabHref"`
	CueShown      bool    `json:"cueShown"`
	FrameWidth    float64 `json:"frameWidth"`
	FrameHeight   float64 `json:"frameHeight"`
	CanvasWidth   float64 `json:"canvasWidth"`
	CanvasHeight  float64 `json:"canvasHeight"`
	CanvasPixelsW int     `json:"canvasPixelsW"`
	Snippet       string  `json:"snippet"`
}

const courseFramesJS = `Array.from(document.querySelectorAll("section.lesson")).map((lesson) => {
	const w = lesson.querySelector("iframe").contentWindow;
	const canvas = w.document.querySelector("body > canvas");
	const box = canvas.getBoundingClientRect();
	const open = w.document.getElementById("open-tab");
	return {
		chapter: w.ringlab.state().chapter,
		ready: lesson.dataset.ready || "",
		embed: w.ringlab.prefs.embed,
		openTabShown: !open.hidden && open.getBoundingClientRect().width > 40,
		openTabHref: open.href,
		cueShown: !w.document.getElementById("cue").hidden,
		frameWidth: w.innerWidth,
		frameHeight: w.innerHeight,
		canvasWidth: box.width,
		canvasHeight: box.height,
		canvasPixelsW: canvas.width,
		snippet: lesson.querySelector("pre").textContent,
	};
})`

// The example course page loads its three labs in embed mode; each becomes ready and says so to
// the page, none takes the focus, each offers "Open in new tab" with its run, and each follows
// its frame's size. The snippets carry the site's address.
func TestCoursePage(t *testing.T) {
	requireE2E(t)
	tb := newTab(t, viewport{width: 1280, height: 900, scale: 1})
	tb.navigate(t, "embed-example.html")
	waitFor(t, tb, `Array.from(document.querySelectorAll("iframe")).every((f) => f.contentWindow.ringlab)`, 30*time.Second, "the three frames load the page")
	ctx, cancel := context.WithTimeout(tb.ctx, 2*readyTimeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`Promise.all(Array.from(document.querySelectorAll("iframe")).map((f) => f.contentWindow.ringlab.ready)).then(() => true)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("the three labs did not all become ready: %v", err)
	}
	waitFor(t, tb, `Array.from(document.querySelectorAll("section.lesson")).every((l) => l.dataset.ready === "true")`, 20*time.Second,
		"the course page hears ringlab:v1:ready from each lab")

	frames := eval[[]courseFrame](t, tb, courseFramesJS)
	wantChapters := []string{"naive-hashing", "quorums", "merkle"}
	origin := strings.TrimSuffix(siteURL(t), "/")
	for i, f := range frames {
		if i >= len(wantChapters) || f.Chapter != wantChapters[i] {
			t.Errorf("frame %d shows chapter %q, want %q", i, f.Chapter, wantChapters[min(i, len(wantChapters)-1)])
		}
		if !f.Embed || !f.OpenTabShown || !f.CueShown {
			t.Errorf("frame %d: embed %v, Open in new tab shown %v, click-to-start cue shown %v; want all", i, f.Embed, f.OpenTabShown, f.CueShown)
		}
		// The site serves index.html as "/".
		href := strings.Replace(f.OpenTabHref, origin+"/index.html#", origin+"/#", 1)
		if !strings.HasPrefix(href, origin+"/#v=1&") || !strings.Contains(href, "chapter="+wantChapters[min(i, len(wantChapters)-1)]) {
			t.Errorf("frame %d: Open in new tab goes to %q; want %s/#v=1&... with the run and without embed mode", i, f.OpenTabHref, origin)
		}
		if abs(f.CanvasWidth-f.FrameWidth) > 1 || abs(f.CanvasHeight-f.FrameHeight) > 1 {
			t.Errorf("frame %d: the canvas is %vx%v in a %vx%v frame; want it to fill the frame", i, f.CanvasWidth, f.CanvasHeight, f.FrameWidth, f.FrameHeight)
		}
		wantSrc := origin + "/index.html?embed=1#v=1&amp;chapter=" + wantChapters[min(i, len(wantChapters)-1)]
		if !strings.Contains(f.Snippet, `src="`+wantSrc+`"`) || !strings.Contains(f.Snippet, `allow="fullscreen; clipboard-write"`) {
			t.Errorf("frame %d: the snippet does not embed %s with allow=\"fullscreen; clipboard-write\":\n%s", i, wantSrc, f.Snippet)
		}
	}
	if len(frames) != len(wantChapters) {
		t.Fatalf("the course page has %d labs, want %d", len(frames), len(wantChapters))
	}
	if active := eval[string](t, tb, `document.activeElement.tagName`); active != "BODY" {
		t.Errorf("after the labs loaded the focus is on %s, want the page's body: a lab took the focus", active)
	}

	tb.sleep(t, 1500*time.Millisecond) // let the labs run a moment before the pictures
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	t.Logf("the course page: %s", saveArtifact(t, "browser-embed-example.png", png))
	shot, err := chromedp.Run(tb.ctx, chromedp.Screenshot(chromedp.CSS(`section[data-chapter="quorums"] iframe`)))
	if err != nil {
		t.Fatalf("screenshot of a frame: %v", err)
	}
	t.Logf("one embedded lab: %s", saveArtifact(t, "browser-embed-frame.png", shot))
	if reason := blankReason(measureImage(decodePNG(t, shot))); reason != "" {
		t.Errorf("the embedded lab looks blank: %s", reason)
	}

	// The page narrows the first frame: the lab follows.
	eval[chromedp.Void](t, tb, `document.querySelector("iframe").style.width = "480px"`)
	waitFor(t, tb, `(() => {
		const w = document.querySelector("iframe").contentWindow;
		const c = w.document.querySelector("body > canvas");
		return w.innerWidth < 500 && Math.abs(c.getBoundingClientRect().width - w.innerWidth) <= 1 && Math.abs(c.width - w.innerWidth * w.devicePixelRatio) <= 2;
	})()`, 20*time.Second, "the lab follows its frame when the page narrows it")
	shot, err = chromedp.Run(tb.ctx, chromedp.Screenshot(chromedp.CSS(`section[data-chapter="naive-hashing"] iframe`)))
	if err != nil {
		t.Fatalf("screenshot of the narrowed frame: %v", err)
	}
	t.Logf("the narrowed frame: %s", saveArtifact(t, "browser-embed-narrow.png", shot))
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// parentMessage is one message the test parent page received from the lab.
type parentMessage struct {
	Origin string `json:"origin"`
	Data   struct {
		Type  string `json:"type"`
		Verb  string `json:"verb"`
		Error string `json:"error"`
		State *struct {
			Chapter      string `json:"chapter"`
			ChapterIndex int    `json:"chapterIndex"`
			Tick         int64  `json:"tick"`
			Seed         uint64 `json:"seed"`
			Paused       bool   `json:"paused"`
			Link         string `json:"link"`
		} `json:"state"`
	} `json:"data"`
}

// parentPage opens testdata/parent.html: the lab in a frame with labQuery, beside a page of the
// second origin, and waits for the lab's ready message.
func parentPage(t *testing.T, labQuery string) *tab {
	t.Helper()
	tb := newTab(t, viewport1x)
	q := url.Values{}
	q.Set("lab", labQuery)
	q.Set("hash", "#v=1&chapter=naive-hashing")
	q.Set("foreign", foreignURL(t)+"foreign.html")
	tb.navigate(t, "e2e/parent.html?"+q.Encode())
	waitFor(t, tb, `window.received.some((m) => m.data && m.data.type === "ringlab:v1:ready")`, readyTimeout, "the lab tells its parent it is ready")
	waitFor(t, tb, `window.foreignReady`, 20*time.Second, "the page of the other origin loads")
	requireBridge(t, tb, `document.getElementById("lab").contentWindow`, "link", "loadState")
	return tb
}

func received(t *testing.T, tb *tab) []parentMessage {
	t.Helper()
	return eval[[]parentMessage](t, tb, `window.received`)
}

// The postMessage API both ways: the lab says it is ready and how its run changes; the parent
// loads a state, plays, pauses, steps, changes chapter and sets parameters. Malformed messages
// are ignored with a warning and do not stop the lab; a page of another origin is not obeyed
// unless ?host= names it.
func TestPostMessageAPI(t *testing.T) {
	requireE2E(t)
	tb := parentPage(t, "embed=1")
	siteOrigin := strings.TrimSuffix(siteURL(t), "/")
	foreignOrigin := strings.TrimSuffix(foreignURL(t), "/")

	msgs := received(t, tb)
	ready := msgs[slices.IndexFunc(msgs, func(m parentMessage) bool { return m.Data.Type == "ringlab:v1:ready" })]
	if ready.Origin != siteOrigin || ready.Data.State == nil || ready.Data.State.Chapter != "naive-hashing" || !strings.HasPrefix(ready.Data.State.Link, "#v=1") {
		t.Errorf("the ready message %+v (state %+v); want it from %s with the chapter and a link", ready, ready.Data.State, siteOrigin)
	}

	const labStateJS = `labState()`
	steps := []struct {
		name    string
		message string // a JavaScript object literal
		until   string // a JavaScript condition on s, the lab's state
	}{
		{"pause", `{type: "ringlab:v1:pause"}`, `s.paused`},
		{"chapter by id", `{type: "ringlab:v1:chapter", value: "quorums"}`, `s.chapter === "quorums"`},
		// nodes and vnodes start a new run with that cluster; the others are commands in the run.
		{"set nodes", `{type: "ringlab:v1:set", param: "nodes", value: 6}`, `s.config.nodes === 6`},
		{"set w", `{type: "ringlab:v1:set", param: "w", value: 1}`, `labLink().includes("set:param=w:num=1")`},
		{"set mode by name", `{type: "ringlab:v1:set", param: "mode", value: "ap"}`, `labLink().includes("set:param=mode:num=1")`},
		{"set read repair off", `{type: "ringlab:v1:set", param: "readrepair", value: false}`, `labLink().includes("set:param=read_repair")`},
		{"set a node's clock skew", `{type: "ringlab:v1:set", param: "skew:n2", value: 40}`, `labLink().includes("set:param=skew%3An2:num=40") || labLink().includes("set:param=skew:n2:num=40")`},
		{"step", `{type: "ringlab:v1:step"}`, `s.paused && s.tick === window.tickBefore + 1`},
		{"play", `{type: "ringlab:v1:play"}`, `!s.paused && s.tick > window.tickBefore + 2`},
		{"chapter by number", `{type: "ringlab:v1:chapter", value: 8}`, `s.chapter === "merkle"`},
		{"load a state", `{type: "ringlab:v1:load", state: "#v=1&chapter=cap&seed=4&paused=1"}`, `s.chapter === "cap" && s.seed === 4 && s.paused`},
	}
	for _, st := range steps {
		eval[chromedp.Void](t, tb, `window.tickBefore = labState().tick; send(`+st.message+`)`)
		waitFor(t, tb, `(() => { const s = `+labStateJS+`; return `+st.until+`; })()`, 30*time.Second, "postMessage "+st.name)
	}
	waitFor(t, tb, `window.received.some((m) => m.data.type === "ringlab:v1:state" && m.data.state.chapter === "cap" && m.data.state.seed === 4)`,
		10*time.Second, "the lab tells its parent the state it was given")
	var states int
	for _, m := range received(t, tb) {
		if m.Data.Type == "ringlab:v1:state" {
			states++
		}
	}
	t.Logf("the parent received %d state messages for %d commands (debounced)", states, len(steps))

	// A command the lab refuses comes back as an error for the parent.
	eval[chromedp.Void](t, tb, `send({type: "ringlab:v1:set", param: "w", value: "lots"})`)
	waitFor(t, tb, `window.received.some((m) => m.data.type === "ringlab:v1:error" && m.data.verb === "set")`, 10*time.Second, "a refused set is reported to the parent")

	// Malformed messages: each ignored with a warning; the lab keeps its state and keeps running.
	before := eval[labState](t, tb, labStateJS)
	malformed := []string{
		`42`, `null`, `"ringlab:v1:play"`, `[{type: "ringlab:v1:play"}]`, `{}`, `{type: 7}`,
		`{type: "other:v1:play"}`, `{type: "ringlab:v2:play"}`, `{type: "ringlab:v1:explode"}`,
		`{type: "ringlab:v1:chapter", value: {id: "quorums"}}`, `{type: "ringlab:v1:load", state: 12}`,
		`{type: "ringlab:v1:set", param: "__proto__", value: 1}`, `{type: "ringlab:v1:set", param: "nodes", value: 1e9}`,
		`{type: "ringlab:v1:set", param: "w", value: NaN}`, `{type: "ringlab:v1:load", state: "#" + "x".repeat(200000)}`,
		`{type: "ringlab:v1:play", toString: null, valueOf: null}`,
	}
	warningsBefore := countLines(tb.consoleLines(), "Ringlab:")
	for _, m := range malformed[:len(malformed)-1] {
		eval[chromedp.Void](t, tb, `send(`+m+`)`)
	}
	// Well formed, but the lab has no such chapter: it says so on screen and changes nothing.
	eval[chromedp.Void](t, tb, `send({type: "ringlab:v1:chapter", value: "no-such-chapter"})`)
	tb.sleep(t, 1500*time.Millisecond)
	after := eval[labState](t, tb, labStateJS)
	if after.Chapter != before.Chapter || after.Tick != before.Tick || after.Digest != before.Digest || !after.Paused {
		t.Errorf("malformed messages changed the run: %s tick %d paused %v -> %s tick %d paused %v", before.Chapter, before.Tick, before.Paused, after.Chapter, after.Tick, after.Paused)
	}
	if warnings := countLines(tb.consoleLines(), "Ringlab:") - warningsBefore; warnings < len(malformed)-1 {
		t.Errorf("%d console warnings for %d malformed messages; want one each", warnings, len(malformed)-1)
	}
	if failed := eval[bool](t, tb, `!document.getElementById("lab").contentDocument.getElementById("failure").hidden`); failed {
		t.Fatalf("malformed messages stopped the lab")
	}
	// The last one is a well-formed play with odd extra fields: obeyed.
	eval[chromedp.Void](t, tb, `send(`+malformed[len(malformed)-1]+`)`)
	waitFor(t, tb, `(() => { const s = labState(); return !s.paused && s.tick > `+fmt.Sprint(after.Tick)+`; })()`, 30*time.Second, "after the malformed messages the lab still obeys")

	// Another origin is not obeyed.
	eval[chromedp.Void](t, tb, `send({type: "ringlab:v1:pause"})`)
	waitFor(t, tb, `labState().paused`, 20*time.Second, "pause")
	eval[chromedp.Void](t, tb, `sendForeign({type: "ringlab:v1:play"}); sendForeign({type: "ringlab:v1:chapter", value: "failures"})`)
	tb.sleep(t, 1500*time.Millisecond)
	if s := eval[labState](t, tb, labStateJS); !s.Paused || s.Chapter != "cap" {
		t.Errorf("a page of another origin (%s) changed the lab: paused %v chapter %q", foreignOrigin, s.Paused, s.Chapter)
	}
	if countLines(tb.consoleLines(), "ignored a message from "+foreignOrigin) < 2 {
		t.Errorf("no console warning for the messages from %s; console:\n%s", foreignOrigin, strings.Join(tb.consoleLines(), "\n"))
	}

	t.Run("host names the other origin", func(t *testing.T) {
		tb := parentPage(t, "embed=1&host="+url.QueryEscape(foreignOrigin))
		eval[chromedp.Void](t, tb, `send({type: "ringlab:v1:pause"})`)
		waitFor(t, tb, `labState().paused`, 20*time.Second, "pause")
		eval[chromedp.Void](t, tb, `sendForeign({type: "ringlab:v1:chapter", value: "failures"}); sendForeign({type: "ringlab:v1:play"})`)
		waitFor(t, tb, `(() => { const s = labState(); return s.chapter === "failures" && !s.paused; })()`, 30*time.Second,
			"with ?host= naming it, the other origin's messages are obeyed")
	})
}

func countLines(lines []string, substring string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, substring) {
			n++
		}
	}
	return n
}

// waitForFile waits for a finished download in dir and returns its content.
func waitForFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	path := filepath.Join(dir, name)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(path); err == nil && len(data) > 0 {
			if _, err := os.Stat(path + ".crdownload"); os.IsNotExist(err) {
				return data
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	t.Fatalf("no download %s in %s within 30 s (found %q)", name, dir, names)
	return nil
}

// clickPageControl focuses one of the page's controls (they show while focused) and clicks it
// as a person would.
func (tb *tab) clickPageControl(t *testing.T, id string) {
	t.Helper()
	eval[chromedp.Void](t, tb, `document.getElementById("`+id+`").focus()`)
	if err := chromedp.Do(tb.ctx, chromedp.Click(chromedp.ID(id))); err != nil {
		t.Fatalf("clicking #%s: %v", id, err)
	}
}

// The page's Save buttons download the picture (made by the lab, not read from the canvas),
// the event log and the client history as CSV, and a replay file that opens the same run.
func TestExports(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "#v=1&chapter=quorums&seed=3")
	requireBridge(t, tb, "window", "exportFile", "loadReplay")
	dir := t.TempDir()
	callCDP(t, tb, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir})
	tb.pause(t)
	tb.runCommands(t, `{type: "press", value: "quorum-write"}`, `{type: "run", value: 40}`, `{type: "press", value: "quorum-read"}`, `{type: "run", value: 40}`)
	waitFor(t, tb, `ringlab.state().recorded >= 2 && !ringlab.state().job`, 20*time.Second, "the writes and reads are recorded")
	tb.sleep(t, 300*time.Millisecond)
	s := tb.state(t)
	base := fmt.Sprintf("ringlab-%s-seed%s-t%d", s.Chapter, s.Seed, s.Tick)

	tb.clickPageControl(t, "save-png")
	img := decodePNG(t, waitForFile(t, dir, base+".png"))
	stats := measureImage(img)
	if reason := blankReason(stats); reason != "" {
		t.Errorf("the exported picture looks blank: %s", reason)
	}
	if w := eval[int](t, tb, `document.querySelector("body > canvas").width`); stats.width != w {
		t.Errorf("the exported picture is %d px wide, the canvas %d", stats.width, w)
	}
	t.Logf("picture: %v", stats)

	tb.clickPageControl(t, "save-events")
	events := string(waitForFile(t, dir, base+"-events.csv"))
	tb.clickPageControl(t, "save-history")
	history := string(waitForFile(t, dir, base+"-history.csv"))
	for name, text := range map[string]string{"events": events, "history": history} {
		lines := strings.Split(strings.TrimSpace(text), "\n")
		if len(lines) < 2 || !strings.Contains(lines[0], "tick") {
			t.Errorf("the %s CSV has %d lines, header %q; want a header naming tick and rows", name, len(lines), lines[0])
		}
	}
	tb.clickPageControl(t, "save-shiviz")
	if log := string(waitForFile(t, dir, base+"-shiviz.log")); !strings.HasPrefix(log, "(?<") || !strings.Contains(log, `{"`) {
		t.Errorf("the ShiViz log does not start with its parser's expression and clocks: %.120q", log)
	}
	tb.clickPageControl(t, "save-replay")
	replay := waitForFile(t, dir, base+"-replay.json")
	var parsed map[string]any
	if err := json.Unmarshal(replay, &parsed); err != nil {
		t.Fatalf("the replay file is not JSON: %v", err)
	}
	saveArtifact(t, "replay-example.json", replay)

	// The replay opens the same run, after the run on screen has moved on.
	tb.runCommands(t, `{type: "seed", value: 77}`)
	waitFor(t, tb, `ringlab.state().seed === 77`, 20*time.Second, "another run")
	path := filepath.Join(dir, base+"-replay.json")
	if err := chromedp.Do(tb.ctx, chromedp.SetUploadFiles(chromedp.ID("replay-file"), []string{path})); err != nil {
		t.Fatalf("choosing the replay file: %v", err)
	}
	waitFor(t, tb, fmt.Sprintf(`(() => { const s = ringlab.state(); return s.tick === %d && s.digest === %q; })()`, s.Tick, s.Digest), 30*time.Second,
		"the saved replay reopens the run at the same tick with the same digest")
}

// Where the frame may not download files, Save says so and offers the new-tab link.
func TestSandboxedFrameCannotDownload(t *testing.T) {
	requireE2E(t)
	tb := newTab(t, viewport1x)
	tb.navigate(t, "e2e/sandboxed.html")
	const lab = `document.getElementById("lab").contentWindow`
	waitFor(t, tb, lab+`.ringlab !== undefined`, 30*time.Second, "the frame loads the lab")
	ctx, cancel := context.WithTimeout(tb.ctx, readyTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](lab+`.ringlab.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("the sandboxed lab did not become ready: %v", err)
	}
	if eval[bool](t, tb, lab+`.ringlabPrefs.downloads`) {
		t.Fatalf("in a frame sandboxed without allow-downloads, ringlabPrefs.downloads is true")
	}
	eval[chromedp.Void](t, tb, lab+`.document.getElementById("save-events").click()`)
	type shown struct {
		Text        string `json:"text"`
		OpenTab     bool   `json:"openTab"`
		OpenTabHref string `json:"openTabHref"`
	}
	waitFor(t, tb, `!`+lab+`.document.getElementById("notice").hidden`, 10*time.Second, "Save says why it cannot")
	got := eval[shown](t, tb, `(() => { const d = `+lab+`.document; return {text: d.getElementById("notice-text").textContent,
		openTab: !d.getElementById("notice-open-tab").hidden, openTabHref: d.getElementById("notice-open-tab").href}; })()`)
	if !strings.Contains(got.Text, "may not download") || !got.OpenTab || !strings.Contains(got.OpenTabHref, "#v=1&chapter=quorums") {
		t.Errorf("Save in a sandboxed frame shows %+v; want a notice that downloads are not allowed and the new-tab link with the run", got)
	}
}

// A damaged, truncated or hostile replay file, opened with the file picker or dropped on the
// page, shows an error and leaves the run as it was (same tick, same digest).
func TestCorruptReplayLeavesRunUntouched(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "#v=1&chapter=quorums&seed=3")
	requireBridge(t, tb, "window", "exportFile", "loadReplay")
	tb.pause(t)
	tb.runCommands(t, `{type: "press", value: "quorum-write"}`, `{type: "run", value: 30}`)
	waitFor(t, tb, `ringlab.state().recorded >= 1 && !ringlab.state().job`, 20*time.Second, "the write is recorded")
	good, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`ringlab.exportFile("replay.json").then((f) => f.error ? Promise.reject(new Error(f.error)) : new TextDecoder().decode(f.data))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("exporting the replay: %v", err)
	}
	tb.runCommands(t, `{type: "run", value: 25}`) // the run on screen differs from the file's
	waitFor(t, tb, `ringlab.state().recorded >= 1 && ringlab.state().tick > 30 && !ringlab.state().job`, 20*time.Second, "the run moves on")
	tb.sleep(t, 200*time.Millisecond)
	before := tb.state(t)

	flipped := []byte(good)
	for i := len(flipped) / 3; i < len(flipped)/3+40 && i < len(flipped); i++ {
		flipped[i] ^= 0x5a
	}
	var hostile map[string]any
	if err := json.Unmarshal([]byte(good), &hostile); err != nil {
		t.Fatalf("the exported replay is not JSON: %v", err)
	}
	hostile["tick"] = 1e18
	hostileJSON, _ := json.Marshal(hostile)
	files := []struct {
		name    string
		content string
	}{
		{"truncated.json", good[:len(good)/2]},
		{"flipped-bytes.json", string(flipped)},
		{"not-json.json", "this is not a replay"},
		{"empty.json", ""},
		{"wrong-shape.json", `[1, 2, 3]`},
		{"deeply-nested.json", strings.Repeat("[", 100000) + strings.Repeat("]", 100000)},
		{"huge-tick.json", string(hostileJSON)},
		{"too-large.json", `{"pad": "` + strings.Repeat("x", 5<<20) + `"}`},
		{"binary.json", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"},
	}
	dir := t.TempDir()
	for i, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, []byte(f.content), 0o644); err != nil {
			t.Fatal(err)
		}
		eval[chromedp.Void](t, tb, `document.getElementById("notice").hidden = true`)
		how := "file picker"
		if i%2 == 0 {
			if err := chromedp.Do(tb.ctx, chromedp.SetUploadFiles(chromedp.ID("replay-file"), []string{path})); err != nil {
				t.Fatalf("%s: choosing the file: %v", f.name, err)
			}
		} else {
			how = "drop"
			// A drop of the file on the page, as a drag from the desktop ends.
			data, _ := json.Marshal(f.content)
			eval[chromedp.Void](t, tb, `(() => {
				const dt = new DataTransfer();
				dt.items.add(new File([`+string(data)+`], "`+f.name+`", {type: "application/json"}));
				window.dispatchEvent(new DragEvent("dragenter", {dataTransfer: dt, cancelable: true}));
				window.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, cancelable: true}));
			})()`)
		}
		waitFor(t, tb, `!document.getElementById("notice").hidden`, 20*time.Second, f.name+" ("+how+"): an error shows")
		text := eval[string](t, tb, `document.getElementById("notice-text").textContent`)
		if !strings.Contains(text, "Replay not loaded") {
			t.Errorf("%s (%s): the notice says %q; want it to say the replay was not loaded and why", f.name, how, text)
		}
		tb.sleep(t, 250*time.Millisecond) // a few frames: time for a change, if there were one
		after := tb.state(t)
		if after.Tick != before.Tick || after.Digest != before.Digest || after.Chapter != before.Chapter || !after.Paused {
			t.Errorf("%s (%s) changed the run: tick %d %s -> tick %d %s", f.name, how, before.Tick, before.Digest, after.Tick, after.Digest)
		}
		if hidden := eval[bool](t, tb, `document.getElementById("drop-zone").hidden`); !hidden {
			t.Errorf("%s (%s): the drop zone still shows after the drop", f.name, how)
		}
		t.Logf("%s (%s): %q", f.name, how, text)
	}
	_, path := tb.screenshot(t, "browser-replay-error.png")
	t.Logf("screenshot: %s", path)
}

// pageControlsInTabOrder are the page's controls, in the order Tab reaches them after the lab's
// own: in embed mode with a notice showing, all of them.
var pageControlsInTabOrder = []string{"back-to-lab", "copy-link", "save-png", "save-events", "save-history", "save-shiviz", "save-replay", "open-replay", "open-tab", "notice-dismiss"}

// Tab reaches every control: the lab's own, then each of the page's in a sensible order, each
// visible with a focus ring when it has the focus; Shift+Tab walks back.
func TestTabReachesEveryControl(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "?embed=1#v=1&chapter=quorums&seed=abc")
	waitFor(t, tb, `!document.getElementById("notice").hidden`, 10*time.Second, "the notice about the bad seed shows")
	tb.focusCanvas(t)
	const onCanvas = `document.activeElement === document.querySelector("body > canvas")`
	var labControls []string
	for i := 0; i < 80 && eval[bool](t, tb, onCanvas); i++ {
		labControls = append(labControls, eval[string](t, tb, `String(ringlab.state().focus)`))
		tb.pressTab(t)
	}
	if eval[bool](t, tb, onCanvas) {
		t.Fatalf("Tab did not leave the lab after %d presses", len(labControls))
	}
	t.Logf("the lab's controls in Tab order: %q", labControls)

	type focused struct {
		ID        string  `json:"id"`
		Width     float64 `json:"width"`
		Height    float64 `json:"height"`
		InView    bool    `json:"inView"`
		Outline   string  `json:"outline"`
		OutlinePx float64 `json:"outlinePx"`
	}
	const focusedJS = `(() => {
		const e = document.activeElement;
		const r = e.getBoundingClientRect();
		const cs = getComputedStyle(e);
		return {id: e.id, width: r.width, height: r.height,
			inView: r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight,
			outline: cs.outlineStyle, outlinePx: parseFloat(cs.outlineWidth) || 0};
	})()`
	var order []string
	for i := range pageControlsInTabOrder {
		f := eval[focused](t, tb, focusedJS)
		order = append(order, f.ID)
		if f.ID != pageControlsInTabOrder[i] {
			break
		}
		if f.Width < 20 || f.Height < 16 || !f.InView || f.Outline == "none" || f.OutlinePx < 2 {
			t.Errorf("#%s with the focus: %vx%v px, in view %v, outline %s %v px; want it visible with a focus ring", f.ID, f.Width, f.Height, f.InView, f.Outline, f.OutlinePx)
		}
		if i == 1 {
			_, path := tb.screenshot(t, "browser-page-controls.png")
			t.Logf("the page's controls: %s", path)
		}
		tb.pressTab(t)
	}
	if !slices.Equal(order, pageControlsInTabOrder) {
		t.Fatalf("Tab after the lab reaches %q; want %q", order, pageControlsInTabOrder)
	}
	// Back with Shift+Tab: the same controls in reverse, then into the lab.
	tb.pressShiftTab(t) // from wherever the last Tab went, back to the last control
	if id := eval[string](t, tb, `document.activeElement.id`); id != pageControlsInTabOrder[len(pageControlsInTabOrder)-1] {
		t.Logf("after the last control Tab left the page; Shift+Tab came back to %q", id)
		eval[chromedp.Void](t, tb, `document.getElementById("notice-dismiss").focus()`)
	}
	for i := len(pageControlsInTabOrder) - 2; i >= 0; i-- {
		tb.pressShiftTab(t)
		if id := eval[string](t, tb, `document.activeElement.id`); id != pageControlsInTabOrder[i] {
			t.Fatalf("Shift+Tab reached %q, want %q", id, pageControlsInTabOrder[i])
		}
	}
	tb.pressShiftTab(t)
	waitFor(t, tb, onCanvas, 5*time.Second, "Shift+Tab from the first page control goes back into the lab")
}

// contrast is one text element's contrast against what is behind it.
type contrast struct {
	Name  string  `json:"name"`
	Ratio float64 `json:"ratio"`
	Fg    string  `json:"fg"`
	Bg    string  `json:"bg"`
}

// contrastJS measures the WCAG contrast ratio of each element named by a selector against its
// first ancestor with a background; a translucent background is composited over both white and
// black (the lab's picture may be either behind it) and the worse ratio is kept.
const contrastJS = `((selectors) => {
	const parse = (c) => (c.match(/[\d.]+/g) || []).map(Number);
	const lum = ([r, g, b]) => {
		const ch = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
		return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
	};
	const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
	const over = (c, base) => { const a = c.length > 3 ? c[3] : 1; return [0, 1, 2].map((i) => a * c[i] + (1 - a) * base[i]); };
	const out = [];
	for (const sel of selectors) {
		for (const el of document.querySelectorAll(sel)) {
			const fg = parse(getComputedStyle(el).color);
			let node = el, bg = null;
			while (node && node.nodeType === 1) {
				const c = parse(getComputedStyle(node).backgroundColor);
				if (c.length === 3 || (c.length > 3 && c[3] > 0)) { bg = c; break; }
				node = node.parentElement;
			}
			bg = bg || [255, 255, 255];
			const worst = Math.min(ratio(over(fg, over(bg, [255, 255, 255])), over(bg, [255, 255, 255])),
				ratio(over(fg, over(bg, [0, 0, 0])), over(bg, [0, 0, 0])));
			out.push({name: sel + (el.id ? "#" + el.id : ""), ratio: Math.round(worst * 100) / 100,
				fg: getComputedStyle(el).color, bg: String(bg)});
		}
	}
	return out;
})`

// The page's own text, and the example course page's, has a contrast of at least 4.5:1; the
// event log is mirrored, as text, in a polite live region that is present but not seen.
func TestPageAccessibility(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "?embed=1#v=1&chapter=quorums&seed=abc")
	pageText := []string{"#loading h1", "#loading-text", "#failure h1", "#failure p", "#cue", "#after-lab button", "#open-tab", "#notice-text", "#notice button", "#notice a", "#drop-zone p"}
	check := func(tb *tab, where string, selectors []string) {
		t.Helper()
		list, _ := json.Marshal(selectors)
		for _, c := range eval[[]contrast](t, tb, contrastJS+`(`+string(list)+`)`) {
			if c.Ratio < 4.5 {
				t.Errorf("%s: %s has contrast %.2f:1 (%s on %s), want at least 4.5:1", where, c.Name, c.Ratio, c.Fg, c.Bg)
			}
		}
	}
	check(tb, "the lab page", pageText)

	const live = `document.getElementById("log-live")`
	tb.mustCommand(t, `{type: "core", cmd: {kind: "put", node: 0, client: 1, key: "cart", value: "red"}}`)
	tb.mustCommand(t, `{type: "play"}`)
	waitFor(t, tb, `Array.from(`+live+`.children).some((p) => p.textContent.startsWith("tick "))`, 30*time.Second, "the live region receives event-log lines")
	type region struct {
		Live  string   `json:"live"`
		Role  string   `json:"role"`
		Width float64  `json:"width"`
		Lines []string `json:"lines"`
	}
	r := eval[region](t, tb, `(() => { const e = `+live+`; return {live: e.getAttribute("aria-live"), role: e.getAttribute("role"),
		width: e.getBoundingClientRect().width, lines: Array.from(e.children).map((p) => p.textContent)}; })()`)
	if r.Live != "polite" || r.Role != "log" || r.Width > 1 {
		t.Errorf("the live region: aria-live %q, role %q, %v px wide; want polite, log, and visually hidden", r.Live, r.Role, r.Width)
	}
	t.Logf("live region: %d lines: %q", len(r.Lines), r.Lines)

	example := newTab(t, viewport1x)
	example.navigate(t, "embed-example.html")
	check(example, "the example course page", []string{"h1", "h2", "h3", "p", "figcaption", "pre", "button", "a"})
}

// ringlabPrefs carries embed mode, reduced motion and downloads to the lab.
func TestPrefsReachTheLab(t *testing.T) {
	requireE2E(t)
	type prefs struct {
		Embed         bool `json:"embed"`
		ReducedMotion bool `json:"reducedMotion"`
		Downloads     bool `json:"downloads"`
	}
	tests := []struct {
		name  string
		query string
		want  prefs
	}{
		{name: "plain page", query: "", want: prefs{Downloads: true}},
		{name: "embed, reduced motion, no downloads", query: "?embed=1&motion=reduce&downloads=0", want: prefs{Embed: true, ReducedMotion: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := openLab(t, viewport1x, tt.query)
			if got := eval[prefs](t, tb, `window.ringlabPrefs`); got != tt.want {
				t.Errorf("%s: ringlabPrefs = %+v, want %+v", tt.name, got, tt.want)
			}
		})
	}
}

// Headless Chromium pictures of chapters 1, 6 and 8 after their "try this" action, for people to
// look at (issue 4), each checked for content.
func TestChapterScreenshots(t *testing.T) {
	requireE2E(t)
	tests := []struct {
		number   int
		chapter  string
		commands []string
	}{
		{1, "naive-hashing", []string{`{type: "press", value: "naive-add"}`, `{type: "run", value: 5}`}},
		{6, "quorums", []string{
			`{type: "core", cmd: {kind: "set", param: "w", num: 1}}`, `{type: "core", cmd: {kind: "set", param: "r", num: 1}}`,
			`{type: "press", value: "quorum-split"}`, `{type: "run", value: 5}`,
			`{type: "press", value: "quorum-write"}`, `{type: "run", value: 12}`,
			`{type: "press", value: "quorum-read"}`, `{type: "run", value: 12}`,
		}},
		{8, "merkle", []string{`{type: "run", value: 310}`, `{type: "press", value: "merkle-diverge"}`, `{type: "run", value: 60}`, `{type: "press", value: "merkle-sync"}`, `{type: "run", value: 40}`}},
	}
	for _, tt := range tests {
		t.Run(tt.chapter, func(t *testing.T) {
			tb := openLab(t, viewport1x, fmt.Sprintf("#v=1&chapter=%s&seed=1", tt.chapter))
			tb.pause(t)
			// One command per frame, as a person's clicks come: a chapter reacts to a
			// press in its own update.
			for _, c := range tt.commands {
				tb.mustCommand(t, c)
				if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](holdFramesJS, chromedp.EvalAwaitPromise)); err != nil {
					t.Fatal(err)
				}
			}
			var ticks int
			for _, c := range tt.commands {
				var n int
				if _, err := fmt.Sscanf(c, `{type: "run", value: %d}`, &n); err == nil {
					ticks += n
				}
			}
			waitFor(t, tb, fmt.Sprintf(`ringlab.state().recorded >= 1 && ringlab.state().tick >= %d`, ticks), 20*time.Second, "the chapter's action is done")
			tb.sleep(t, 700*time.Millisecond)
			s := tb.state(t)
			if s.ChapterIndex != tt.number {
				t.Errorf("chapter %q is number %d, want %d", tt.chapter, s.ChapterIndex, tt.number)
			}
			data, path := tb.screenshot(t, fmt.Sprintf("browser-chapter-%d.png", tt.number))
			stats := measureImage(decodePNG(t, data))
			if reason := blankReason(stats); reason != "" {
				t.Errorf("chapter %d looks blank: %s", tt.number, reason)
			}
			t.Logf("chapter %d at tick %d: %s (%v)", tt.number, s.Tick, path, stats)
		})
	}
}

// In a frame under 400 px tall the lab keeps no strip for the page, so "Open in new tab" shrinks
// to its arrow over the picture's corner, keeping its words as its accessible name; in a taller
// frame it is written out.
func TestShortFrameOpenTabLink(t *testing.T) {
	requireE2E(t)
	type link struct {
		Shown bool    `json:"shown"`
		Width float64 `json:"width"`
		Name  string  `json:"name"`
		Title string  `json:"title"`
	}
	const read = `(() => {
		const a = document.getElementById("open-tab");
		return {shown: !a.hidden, width: a.getBoundingClientRect().width, name: a.textContent, title: a.title};
	})()`
	for _, tc := range []struct {
		vp      viewport
		maxW    float64
		minW    float64
		picture string
	}{
		{vp: viewport{width: 600, height: 375, scale: 1}, maxW: 48, picture: "browser-embed-short.png"},
		{vp: viewport{width: 600, height: 480, scale: 1}, minW: 100},
	} {
		tb := openLab(t, tc.vp, "?embed=1#v=1&chapter=quorums&seed=3")
		got := eval[link](t, tb, read)
		if !got.Shown || !strings.Contains(got.Name, "Open in new tab") || got.Title != "Open in new tab" {
			t.Errorf("%dx%d: the link is shown %v, named %q, titled %q; want shown, named and titled \"Open in new tab\"", tc.vp.width, tc.vp.height, got.Shown, got.Name, got.Title)
		}
		if tc.maxW > 0 && got.Width > tc.maxW {
			t.Errorf("%dx%d: the link is %.0f px wide; want its arrow only, at most %.0f px", tc.vp.width, tc.vp.height, got.Width, tc.maxW)
		}
		if tc.minW > 0 && got.Width < tc.minW {
			t.Errorf("%dx%d: the link is %.0f px wide; want its words written out", tc.vp.width, tc.vp.height, got.Width)
		}
		if tc.picture != "" {
			_, path := tb.screenshot(t, tc.picture)
			t.Logf("%dx%d: %s", tc.vp.width, tc.vp.height, path)
		}
		tb.close()
	}
}
