package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// TestQuickTapsAreNotLost: a key pressed and released, and a click pressed
// and released, each between two frames (sent back to back, with no frame
// in between) still act: the lab queues the page's input events rather than
// polling the keys and the button once a frame.
func TestQuickTapsAreNotLost(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "")
	tb.focusCanvas(t)
	dispatch := func(params ...any) {
		t.Helper()
		err := chromedp.Do(tb.ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			// Back to back: no frame runs between them.
			for _, p := range params {
				var err error
				switch p := p.(type) {
				case input.DispatchKeyEventParams:
					_, err = cdp.Call(ctx, target, input.DispatchKeyEvent, p)
				case input.DispatchMouseEventParams:
					_, err = cdp.Call(ctx, target, input.DispatchMouseEvent, p)
				}
				if err != nil {
					return err
				}
			}
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
	}
	before := tb.state(t).Paused
	space := func(typ input.DispatchKeyEventType) input.DispatchKeyEventParams {
		return input.DispatchKeyEventParams{Type: typ, Key: " ", Code: "Space", WindowsVirtualKeyCode: 32, NativeVirtualKeyCode: 32}
	}
	dispatch(space(input.DispatchKeyEventTypeKeyDown), space(input.DispatchKeyEventTypeKeyUp))
	waitFor(t, tb, fmt.Sprintf(`ringlab.state().paused === %v`, !before), 30*time.Second, "a quick Space tap toggles pause")

	// The Play button sits at the left end of the transport bar.
	x, y := 50.0, float64(viewport1x.height)-22
	click := func(typ input.DispatchMouseEventType) input.DispatchMouseEventParams {
		return input.DispatchMouseEventParams{Type: typ, X: x, Y: y, Button: input.MouseButtonLeft, ClickCount: 1}
	}
	dispatch(input.DispatchMouseEventParams{Type: input.DispatchMouseEventTypeMouseMoved, X: x, Y: y})
	tb.pressKey(t, "Shift", "ShiftLeft", 16, "") // a frame passes with the pointer over the button
	dispatch(click(input.DispatchMouseEventTypeMousePressed), click(input.DispatchMouseEventTypeMouseReleased))
	waitFor(t, tb, fmt.Sprintf(`ringlab.state().paused === %v`, before), 30*time.Second, "a quick click on Play toggles pause back")
}
