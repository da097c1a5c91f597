package render

import (
	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"github.com/ringlab/ringlab/render/ui"
)

// keyMap maps the keys the widgets know to Ebitengine's.
var keyMap = []struct {
	eb     ebiten.Key
	ui     ui.Key
	repeat bool // held down, it repeats
}{
	{ebiten.KeyTab, ui.KeyTab, true},
	{ebiten.KeyEnter, ui.KeyEnter, false},
	{ebiten.KeyNumpadEnter, ui.KeyEnter, false},
	{ebiten.KeySpace, ui.KeySpace, false},
	{ebiten.KeyEscape, ui.KeyEscape, false},
	{ebiten.KeyArrowLeft, ui.KeyLeft, true},
	{ebiten.KeyArrowRight, ui.KeyRight, true},
	{ebiten.KeyArrowUp, ui.KeyUp, true},
	{ebiten.KeyArrowDown, ui.KeyDown, true},
	{ebiten.KeyHome, ui.KeyHome, false},
	{ebiten.KeyEnd, ui.KeyEnd, false},
	{ebiten.KeyPageUp, ui.KeyPageUp, true},
	{ebiten.KeyPageDown, ui.KeyPageDown, true},
	{ebiten.KeyBackspace, ui.KeyBackspace, true},
}

// Key repeat: after repeatDelayFrames held, once every repeatEveryFrames.
const (
	repeatDelayFrames = 24
	repeatEveryFrames = 4
)

// inputReader turns Ebitengine's input state into a ui.Input each frame,
// reusing its slices.
//
// Ebitengine reports the button's and the keys' state once a frame, so a
// press and release that both fall between two frames would be lost. Where
// the platform hands the events over as they happen (the browser, see
// bridge_js.go), they are queued instead: queue, when set, gives the
// button's presses and releases and the key presses, a frame at a time in
// the order they happened (ui.InputQueue).
type inputReader struct {
	in    ui.Input
	chars []rune
	queue *ui.InputQueue
}

func (r *inputReader) read() *ui.Input {
	in := &r.in
	x, y := ebiten.CursorPosition()
	in.MouseX, in.MouseY = float64(x), float64(y)
	in.MouseDown = ebiten.IsMouseButtonPressed(ebiten.MouseButtonLeft)
	in.MousePressed = inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft)
	in.MouseReleased = inpututil.IsMouseButtonJustReleased(ebiten.MouseButtonLeft)
	_, in.WheelY = ebiten.Wheel()
	in.Shift = ebiten.IsKeyPressed(ebiten.KeyShift)
	in.Keys = in.Keys[:0]
	for _, k := range keyMap {
		d := inpututil.KeyPressDuration(k.eb)
		if d == 1 || (k.repeat && d > repeatDelayFrames && (d-repeatDelayFrames)%repeatEveryFrames == 0) {
			in.Keys = append(in.Keys, k.ui)
		}
	}
	if r.queue != nil {
		held := in.MouseDown
		r.queue.Fill(in)
		if !in.MousePressed {
			// A release the page never reported (outside the canvas) does
			// not leave the button held.
			in.MouseDown = in.MouseDown && held
		}
	}
	r.chars = ebiten.AppendInputChars(r.chars[:0])
	in.Chars = in.Chars[:0]
	for _, c := range r.chars {
		if c != ' ' { // Space arrives as a key
			in.Chars = append(in.Chars, c)
		}
	}
	return in
}

// queuedKey is the key of a browser KeyboardEvent's code, and whether it
// repeats when held.
func queuedKey(code string) (k ui.Key, repeat, ok bool) {
	for _, m := range keyMap {
		if m.eb.String() == code {
			return m.ui, m.repeat, true
		}
	}
	return ui.KeyNone, false, false
}
