package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// stepCommands sends commands one per few frames, as a person's clicks come.
func (tb *tab) stepCommands(t *testing.T, literals ...string) {
	t.Helper()
	for _, c := range literals {
		tb.mustCommand(t, c)
		if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](holdFramesJS, chromedp.EvalAwaitPromise)); err != nil {
			t.Fatal(err)
		}
	}
}

// staleReadCommands make the quorums chapter's stale read: W = R = 1, the
// writer and the first replica cut off, a write, then a read on the other side.
var staleReadCommands = []string{
	`{type: "core", cmd: {kind: "set", param: "w", num: 1}}`, `{type: "core", cmd: {kind: "set", param: "r", num: 1}}`,
	`{type: "press", value: "quorum-split"}`, `{type: "run", value: 5}`,
	`{type: "press", value: "quorum-write"}`, `{type: "run", value: 12}`,
	`{type: "press", value: "quorum-read"}`, `{type: "run", value: 12}`,
}

// TestDiagramExplainsAStaleRead opens the quorums chapter, makes a stale read, switches to
// the space-time diagram, selects the stale read and photographs it; the view's words name
// the write it missed. A view the lab does not know is refused and changes nothing.
func TestDiagramExplainsAStaleRead(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "#v=1&chapter=quorums&seed=1")
	tb.pause(t)
	tb.stepCommands(t, staleReadCommands...)
	waitFor(t, tb, `ringlab.state().counters.stale_reads >= 1`, 20*time.Second, "a stale read")
	tb.stepCommands(t, `{type: "view", value: "diagram"}`, `{type: "select", value: "stale"}`)
	waitFor(t, tb, `ringlab.state().view === "diagram" && (ringlab.state().viewText || "").includes("Stale:")`, 20*time.Second,
		"the diagram explains the stale read")
	before := tb.state(t)
	if r := tb.command(t, `{type: "view", value: "radar"}`); r.OK || !strings.Contains(r.Error, "not a view") {
		t.Errorf("view radar: %+v", r)
	}
	tb.sleep(t, 300*time.Millisecond)
	text := eval[string](t, tb, `ringlab.state().viewText`)
	if s := tb.state(t); s.Digest != before.Digest || s.Tick != before.Tick || eval[string](t, tb, `ringlab.state().view`) != "diagram" {
		t.Errorf("a refused view changed the run or the view")
	}
	if !strings.Contains(text, "had reached") {
		t.Errorf("the explanation does not say where the write was: %q", text)
	}
	if link := eval[string](t, tb, `ringlab.link()`); !strings.Contains(link, "view=diagram") {
		t.Errorf("the link does not carry the view: %s", link)
	}
	data, path := tb.screenshot(t, "browser-diagram-stale-read.png")
	if reason := blankReason(measureImage(decodePNG(t, data))); reason != "" {
		t.Errorf("the diagram looks blank: %s", reason)
	}
	t.Logf("%s: %s", path, text)
}

// TestDiagramInAnEmbeddedFrame opens the diagram from a link in a frame of the course example's
// 480 px height: the arrows are kept even where labels are dropped.
func TestDiagramInAnEmbeddedFrame(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport{width: 768, height: 480, scale: 1}, "?embed=1#v=1&chapter=failures&seed=2&tick=300&view=diagram")
	waitFor(t, tb, `ringlab.state().view === "diagram" && ringlab.state().tick >= 300`, 30*time.Second, "the diagram at tick 300")
	tb.sleep(t, 500*time.Millisecond)
	data, path := tb.screenshot(t, "browser-diagram-embed.png")
	if reason := blankReason(measureImage(decodePNG(t, data))); reason != "" {
		t.Errorf("the embedded diagram looks blank: %s", reason)
	}
	t.Logf("%s", path)
}
