package lab

import (
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
)

// The help overlay fits the screen, from the desktop to a course page's
// small frame: every shortcut's description whole (wrapped where the
// screen is narrow, never cut), and the box, with its closing line, on
// screen.
func TestHelpFitsTheScreen(t *testing.T) {
	for _, sz := range []Size{desktop, {W: 960, H: 600, Scale: 1}, {W: 640, H: 400, Scale: 1}, {W: 480, H: 360, Scale: 1}, {W: 960, H: 720, Scale: 2}} {
		th := ui.DefaultTheme(sz.Scale)
		scr := frame.Rect{W: sz.W, H: sz.H}
		h := layoutHelp(measure, &th, scr)
		if h.box.X < 0 || h.box.Y < 0 || h.box.Right() > scr.W || h.box.Bottom() > scr.H {
			t.Errorf("%v: the box %+v is not on the %vx%v screen", sz, h.box, scr.W, scr.H)
		}
		for i, r := range h.rows {
			joined := strings.Join(r.lines, " ")
			if joined != Shortcuts[i][1] {
				t.Errorf("%v: %q reads %q", sz, Shortcuts[i][1], r.lines)
			}
			for _, line := range r.lines {
				if w := measure.Width(line, h.size); h.box.X+h.pad+h.keyW+h.pad+w > h.box.Right() {
					t.Errorf("%v: %q runs out of the box", sz, line)
				}
			}
		}
	}
}
