package repair

import (
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/chapters/internal/chaptertest"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
)

// checkGlyphsSelect clicks every node glyph of the picture and fails when
// the click does not select that node for the inspector; with nothing
// selected, the inspector's hint must speak of the picture on screen (no
// ring in these chapters).
func checkGlyphsSelect(t *testing.T, l *lab.Lab, name string) {
	t.Helper()
	mustCommand(t, l, `{"type":"select","value":""}`)
	update(t, l)
	hint := ""
	for _, tx := range l.Frame().Layers[frame.LayerUI].Texts {
		if strings.Contains(tx.S, "Click") || strings.Contains(tx.S, "pick one") {
			hint += tx.S + " "
		}
	}
	if hint == "" || strings.Contains(hint, "ring") {
		t.Errorf("%s: the inspector's hint is %q; want one that speaks of this picture, which has no ring", name, hint)
	}
	glyphs := chaptertest.NodeGlyphs(&l.Frame().Layers[frame.LayerScene])
	if len(glyphs) == 0 {
		t.Fatalf("%s: no node glyph found in the picture", name)
	}
	for _, g := range glyphs {
		id := chaptertest.NodeOfColour(l.View(), g.C)
		chaptertest.Click(l, g.X, g.Y)
		if got := l.Selected(); got != id {
			t.Errorf("%s: a click on %v's glyph at (%.0f,%.0f) selects %v", name, id, g.X, g.Y, got)
		}
		mustCommand(t, l, `{"type":"select","value":""}`)
		update(t, l)
	}
}

// Every node the repair chapters draw selects itself when clicked, and the
// inspector's hint says where to click.
func TestRepairChaptersNodesAreClickable(t *testing.T) {
	l := newLab(t, "merkle", 1)
	ch := l.Chapter().(*Merkle)
	click(t, l, ch.diverge)
	advance(t, l, 60)
	click(t, l, ch.sync)
	advance(t, l, 60)
	checkGlyphsSelect(t, l, "merkle")

	l = newLab(t, "versioning", 1)
	advance(t, l, 20)
	checkGlyphsSelect(t, l, "versioning")

	l = newLab(t, "failures", 1)
	advance(t, l, 20)
	checkGlyphsSelect(t, l, "failures")
}
