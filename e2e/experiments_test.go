//go:build !js

package e2e

// The experiments page (issue 6) in the browser: a sweep runs to completion across frames
// without freezing the page, its plot is drawn, and its table is exported through the bridge.

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"image"
	"image/color"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// experimentsState is the part of ringlab.state() the experiments page adds: State.Page.
type experimentsState struct {
	Chapter string `json:"chapter"`
	Frame   int64  `json:"frame"`
	Page    *struct {
		ID       string  `json:"id"`
		Item     string  `json:"item"`
		Running  bool    `json:"running"`
		Progress float64 `json:"progress"`
		Done     bool    `json:"done"`
	} `json:"page"`
}

func experimentsPageState(t *testing.T, tb *tab) experimentsState {
	t.Helper()
	return eval[experimentsState](t, tb, `ringlab.state()`)
}

// exportedFile is what ringlabBridge.exportFile resolves to, with the bytes as text.
type exportedFile struct {
	Name  string `json:"name"`
	MIME  string `json:"mime"`
	Text  string `json:"text"`
	Error string `json:"error"`
}

// exportFileJS calls the bridge's exportFile and decodes the bytes as UTF-8 text.
const exportFileJS = `(async (kind) => {
	const f = await window.ringlabBridge.exportFile(kind);
	if (f.error) { return {error: f.error}; }
	return {name: f.name, mime: f.mime, text: new TextDecoder().decode(f.data)};
})`

func exportFromBridge(t *testing.T, tb *tab, kind string) exportedFile {
	t.Helper()
	f, err := chromedp.Run(tb.ctx, chromedp.Evaluate[exportedFile](exportFileJS+fmt.Sprintf("(%q)", kind), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("exportFile(%q): %v", kind, err)
	}
	return f
}

// plotOrange is the colour of the plot's first series (experiments/plot.Palette[0], Okabe-Ito
// orange): on the movement experiment, keys moved under hash % N. Nothing else on the page
// is orange, so its pixels are the plot's.
var plotOrange = color.RGBA{0xE6, 0x9F, 0x00, 0xff}

// countNear counts the pixels within tolerance of c on every channel.
func countNear(img image.Image, c color.RGBA, tolerance int) int {
	near := func(a, b uint8) bool { d := int(a) - int(b); return -tolerance <= d && d <= tolerance }
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			if near(p.R, c.R) && near(p.G, c.G) && near(p.B, c.B) {
				n++
			}
		}
	}
	return n
}

// A link opens the experiments page on the movement experiment; Run measures the sweep over
// many frames to the end (the page keeps drawing meanwhile), the measured series appear in
// the plot beside the dashed prediction, and the table downloads as CSV with the header
// `sim sweep` writes. The screenshots stay in out/ to be looked at.
func TestExperimentSweepInTheBrowser(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "#v=1&chapter=experiments&item=movement")
	if !eval[bool](t, tb, `typeof window.ringlabBridge.exportFile === "function"`) {
		t.Fatal("the lab's bridge has no exportFile()")
	}
	waitFor(t, tb, `ringlab.state().page !== undefined`, 20*time.Second, "the experiments page reports its state")
	s := experimentsPageState(t, tb)
	if s.Chapter != "experiments" || s.Page == nil || s.Page.ID != "experiments" || s.Page.Item != "movement" || s.Page.Done || s.Page.Running {
		t.Fatalf("the link opened %q with page %+v; want the experiments page on movement, not yet run", s.Chapter, s.Page)
	}
	if f := exportFromBridge(t, tb, "table.csv"); f.Error == "" {
		t.Errorf("table.csv was exported before any sweep: %s", f.Name)
	}
	beforeData, beforePath := tb.screenshot(t, "browser-experiments-before.png")
	before := countNear(decodePNG(t, beforeData), plotOrange, 24)
	t.Logf("before the run: %s, %d orange pixels", beforePath, before)

	tb.mustCommand(t, `{type: "press", value: "exp-run"}`)
	started := experimentsPageState(t, tb).Frame
	waitFor(t, tb, `(() => { const p = ringlab.state().page; return p && p.done === true; })()`, 3*time.Minute, "the movement sweep finishes")
	s = experimentsPageState(t, tb)
	if s.Page.Progress != 1 || s.Page.Running || s.Page.Item != "movement" {
		t.Errorf("after the sweep: %+v", s.Page)
	}
	// Spread across frames: the page drew frames while it measured.
	if frames := s.Frame - started; frames < 2 {
		t.Errorf("the sweep finished within %d frames: it was not spread across frames", frames)
	}
	t.Logf("the sweep ran across %d frames", s.Frame-started)

	data, path := tb.screenshot(t, "browser-experiments-movement.png")
	img := decodePNG(t, data)
	stats := measureImage(img)
	t.Logf("after the run: %s: %v", path, stats)
	if reason := blankReason(stats); reason != "" {
		t.Errorf("the experiments page looks blank: %s (%s)", reason, path)
	}
	// The measured series (solid, with markers) add to the dashed prediction of the same
	// colour: the plot is there and shows the measurement.
	after := countNear(img, plotOrange, 24)
	t.Logf("orange plot pixels: %d before the run, %d after", before, after)
	if after < 400 || after < before*3/2 {
		t.Errorf("the plot's first series has %d orange pixels after the run and %d before; want the measured line drawn (%s)", after, before, path)
	}

	f := exportFromBridge(t, tb, "table.csv")
	if f.Error != "" {
		t.Fatalf("exportFile(table.csv): %s", f.Error)
	}
	rows, err := csv.NewReader(strings.NewReader(f.Text)).ReadAll()
	if err != nil {
		t.Fatalf("%s does not parse as CSV: %v", f.Name, err)
	}
	if len(rows) < 2 {
		t.Fatalf("%s has %d rows; want a header and measured rows", f.Name, len(rows))
	}
	header := strings.Join(rows[0], ",")
	for _, want := range []string{"nodes (nodes)", "modulo_moved (fraction of keys)", "ring_moved (fraction of keys)", "modulo_theory (fraction of keys)"} {
		if !strings.Contains(header, want) {
			t.Errorf("%s header %q lacks %q", f.Name, header, want)
		}
	}
	if f.Name != "movement-movement.csv" || f.MIME != "text/csv" {
		t.Errorf("table.csv came as %q (%s), want movement-movement.csv (text/csv)", f.Name, f.MIME)
	}
	saveArtifact(t, "experiments-movement.csv", []byte(f.Text))
	if j := exportFromBridge(t, tb, "table.json"); j.Error != "" || !bytes.HasPrefix(bytes.TrimSpace([]byte(j.Text)), []byte("{")) {
		t.Errorf("exportFile(table.json): %q, error %q", j.Name, j.Error)
	}

	// The table view, switched by command, lists the same numbers; the link names the item.
	tb.mustCommand(t, `{type: "tab", value: "table"}`)
	shownAt := experimentsPageState(t, tb).Frame
	waitFor(t, tb, fmt.Sprintf(`ringlab.state().frame > %d`, shownAt+2), 20*time.Second, "the table view is drawn")
	if link := eval[string](t, tb, `window.ringlabBridge.link()`); !strings.Contains(link, "item=movement") {
		t.Errorf("the link %q does not name the experiment", link)
	}
	_, tablePath := tb.screenshot(t, "browser-experiments-table.png")
	t.Logf("table view: %s", tablePath)
}
