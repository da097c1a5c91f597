package lab

import (
	"fmt"
	"strings"

	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
)

// ChapterPicture describes, as text, what the current chapter drew in the
// last frame: its picture (every triangle and label of the scene layer)
// and the labels of its own controls (the side panel's rows and the
// controls it placed in its picture). The lab's own bars (title, notice,
// fork bar, transport, timeline, tabs) are left out.
func ChapterPicture(l *Lab) string {
	var b strings.Builder
	f := &l.frame
	sc := &f.Layers[frame.LayerScene]
	for i, bt := range sc.Batches() {
		fmt.Fprintf(&b, "batch %d: %d verts %d idx\n", i, len(bt.Verts), len(bt.Idx))
		for _, v := range bt.Verts {
			fmt.Fprintf(&b, " %.1f,%.1f %s%.2f", v.X, v.Y, v.C.Hex(), v.C.A)
		}
		b.WriteByte('\n')
	}
	for _, t := range sc.Texts {
		fmt.Fprintf(&b, "text %.1f,%.1f %.0f %s %q\n", t.X, t.Y, t.Size, t.C.Hex(), t.S)
	}
	in := func(t frame.Text) bool {
		x, y := float64(t.X)+0.5, float64(t.Y)+0.5
		if l.layout.fork.Contains(x, y) {
			return false // the lab's fork bar, over the picture
		}
		if l.layout.scene.Contains(x, y) {
			return true
		}
		for _, r := range l.layout.controls {
			if r.Contains(x, y) {
				return true
			}
		}
		return false
	}
	for _, t := range f.Layers[frame.LayerUI].Texts {
		if in(t) {
			fmt.Fprintf(&b, "control %.1f,%.1f %s %q\n", t.X, t.Y, t.C.Hex(), t.S)
		}
	}
	return b.String()
}

// StripShown is what the chapter strip of the last frame shows: the ids of
// the chapter's buttons in it, whether its try-this is drawn, and the
// picture's area.
func StripShown(l *Lab) (buttons []string, tryThis bool, scene frame.Rect) {
	for _, b := range l.stripBtns {
		for _, w := range l.mgr.Widgets() {
			if w == ui.Widget(b) && b.Bounds().W > 0 && l.layout.screen.Contains(b.Bounds().X, b.Bounds().Y) {
				buttons = append(buttons, b.ID())
			}
		}
	}
	want := "Try this: " + strings.Fields(l.Chapter().Info().TryThis)[0]
	for _, t := range l.frame.Layers[frame.LayerUI].Texts {
		if strings.HasPrefix(t.S, want) && l.layout.strip.Contains(float64(t.X)+1, float64(t.Y)+1) {
			tryThis = true
		}
	}
	return buttons, tryThis, l.layout.scene
}
