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

// A paragraph cut short by its box says so: its last line ends with an
// ellipsis; one that fits is whole.
func TestParagraphShowsWhereItIsCut(t *testing.T) {
	text := "Click a node in the list of what each node holds, or pick one above, to see what it stores and what it believes about the others."
	all := paragraphLines(measure, text, 14, 200, 20)
	if strings.Join(all, " ") != text {
		t.Fatalf("with room: %q", all)
	}
	cut := paragraphLines(measure, text, 14, 200, len(all)-1)
	if len(cut) != len(all)-1 || !strings.HasSuffix(cut[len(cut)-1], "…") {
		t.Errorf("one row short: %q", cut)
	}
	for _, line := range cut {
		if measure.Width(line, 14) > 200 {
			t.Errorf("%q is wider than the box", line)
		}
	}
	if got := paragraphLines(measure, text, 14, 200, 0); got != nil {
		t.Errorf("no room: %q", got)
	}
}
