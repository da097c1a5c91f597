package repair

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/chapters/internal/chaptertest"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

var (
	measure = chaptertest.Measure
	desktop = chaptertest.Desktop
	idle    = chaptertest.Idle
)

// newLab starts a paused lab on this package's chapters at chapter id.
func newLab(t *testing.T, id string, seed uint64) *lab.Lab {
	t.Helper()
	l := chaptertest.Open(t, Chapters(), id, seed)
	if n := l.Notice(); strings.Contains(n, "refused") {
		t.Fatalf("notice: %s", n)
	}
	return l
}

// update runs one frame and fails the test on a notice (a refused action).
func update(t *testing.T, l *lab.Lab) {
	t.Helper()
	l.Update(idle(), desktop)
	if n := l.Notice(); n != "" && strings.Contains(n, "refused") {
		t.Fatalf("notice: %s", n)
	}
}

// advance runs the simulation ticks ticks, a few per frame, so that the
// chapter sees the run as the lab would show it.
func advance(t *testing.T, l *lab.Lab, ticks int) {
	t.Helper()
	const perFrame = 5
	for ticks > 0 {
		k := min(ticks, perFrame)
		mustCommand(t, l, fmt.Sprintf(`{"type":"speed","value":%d}`, k*lab.UpdatesPerSecond))
		mustCommand(t, l, `{"type":"play"}`)
		update(t, l)
		mustCommand(t, l, `{"type":"pause"}`)
		ticks -= k
	}
	update(t, l)
}

func mustCommand(t *testing.T, l *lab.Lab, cmd string) {
	t.Helper()
	if msg := l.Command(cmd); msg != "" {
		t.Fatalf("%s: %s", cmd, msg)
	}
}

// click presses a chapter button as a person would after the last frame.
func click(t *testing.T, l *lab.Lab, b *ui.Button) {
	t.Helper()
	if b.Disabled {
		t.Fatalf("button %q is disabled", b.Label)
	}
	b.OnClick()
	update(t, l)
}

// sceneTexts are the texts of the chapter's picture in the last frame.
func sceneTexts(l *lab.Lab) []string {
	var out []string
	for _, tx := range l.Frame().Layers[frame.LayerScene].Texts {
		out = append(out, tx.S)
	}
	return out
}

func hasText(l *lab.Lab, sub string) bool {
	for _, s := range sceneTexts(l) {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// stored is what node n stores for key in the lab's view, sorted as stored.
func stored(v *core.View, n core.NodeID, key string) []string {
	for _, k := range v.Nodes[n].Keys {
		if k.Key == key {
			var out []string
			for _, ver := range k.Versions {
				out = append(out, ver.Value)
			}
			return out
		}
	}
	return nil
}

// checkSceneText fails on scene text smaller than 13 px at 1x or with
// glyphs the font lacks.
func checkSceneText(t *testing.T, l *lab.Lab) {
	t.Helper()
	for _, tx := range l.Frame().Layers[frame.LayerScene].Texts {
		if tx.Size < 13 {
			t.Errorf("text %q at %.1f px, want at least 13", tx.S, tx.Size)
		}
		if miss := measure.Missing(tx.S); len(miss) > 0 {
			t.Errorf("text %q uses %q, which the font cannot draw", tx.S, string(miss))
		}
	}
}
