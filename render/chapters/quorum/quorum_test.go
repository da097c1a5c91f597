package quorum

import (
	"slices"
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

// newLab opens the lab, paused, on one of this package's chapters.
func newLab(t *testing.T, chapter string) *lab.Lab {
	t.Helper()
	return chaptertest.Open(t, Chapters(), chapter, 1)
}

// run advances the lab's run by ticks, a few ticks per frame as a fast
// playback would.
func run(t *testing.T, l *lab.Lab, ticks int) {
	t.Helper()
	for ticks > 0 {
		n := min(ticks, 4)
		for range n {
			if msg := l.Command(`{"type":"step"}`); msg != "" {
				t.Fatal(msg)
			}
		}
		l.Update(idle(), desktop)
		ticks -= n
	}
}

// click presses a chapter button as a person would: the pointer goes down
// and up on it, in two frames.
func click(t *testing.T, l *lab.Lab, b *ui.Button) {
	t.Helper()
	if b.Disabled {
		t.Fatalf("button %q is disabled", b.Label)
	}
	r := b.Bounds()
	if r.W <= 0 {
		t.Fatalf("button %q is not on screen", b.Label)
	}
	x, y := r.X+r.W/2, r.Y+r.H/2
	l.Update(&ui.Input{MouseX: x, MouseY: y, MouseDown: true, MousePressed: true}, desktop)
	l.Update(&ui.Input{MouseX: x, MouseY: y, MouseReleased: true}, desktop)
}

// texts are the labels of a layer of the last frame.
func texts(l *lab.Lab, layer int) []string {
	var out []string
	for _, tx := range l.Frame().Layers[layer].Texts {
		out = append(out, tx.S)
	}
	return out
}

func hasText(l *lab.Lab, s string) bool {
	return slices.ContainsFunc(texts(l, frame.LayerScene), func(t string) bool { return strings.Contains(t, s) })
}

// opsOf are the history entries of one client.
func opsOf(hist []core.Op, client int) []core.Op {
	var out []core.Op
	for _, op := range hist {
		if op.Client == client {
			out = append(out, op)
		}
	}
	return out
}

func TestChaptersHaveStableIDsAndTryThis(t *testing.T) {
	want := []string{"replication", "cap", "quorums"}
	chs := Chapters()
	if len(chs) != len(want) {
		t.Fatalf("%d chapters, want %d", len(chs), len(want))
	}
	for i, c := range chs {
		info := c.Info()
		if info.ID != want[i] {
			t.Errorf("chapter %d: id %q, want %q", i, info.ID, want[i])
		}
		if info.Title == "" || info.Summary == "" || !strings.Contains(info.TryThis, "Predict") {
			t.Errorf("%s: title, summary and a try-this with a prediction are required: %+v", info.ID, info)
		}
		p := c.Preset(7)
		if err := p.Config.Validate(); err != nil {
			t.Errorf("%s: preset config: %v", info.ID, err)
		}
	}
}
