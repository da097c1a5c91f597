package lab_test

import (
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/chapters"
	"github.com/ringlab/ringlab/render/lab"
)

// TestTitlesInFullOnTheDesktop: in the desktop window the top bar shows
// each chapter's title whole ("Chapter 3 of 11 · ..." where that fits,
// the title alone where it does not), except a title too long for the
// bar even alone, which is cut at its end.
func TestTitlesInFullOnTheDesktop(t *testing.T) {
	for _, ch := range chapters.All() {
		info := ch.Info()
		l := truthLab(t, lab.Options{Chapter: info.ID})
		shown := frameTexts(l)
		whole := false
		for _, s := range shown {
			if s == info.Title || strings.HasSuffix(s, " · "+info.Title) {
				whole = true
			}
		}
		if !whole && len(info.Title) < 50 {
			t.Errorf("%s: the title %q is not on screen whole: %q", info.ID, info.Title, shown[:min(len(shown), 6)])
		}
	}
}

// frameTexts is every text of the last frame, layer by layer.
func frameTexts(l *lab.Lab) []string {
	var out []string
	for i := range l.Frame().Layers {
		for _, tx := range l.Frame().Layers[i].Texts {
			out = append(out, tx.S)
		}
	}
	return out
}
