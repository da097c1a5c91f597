package lab

import (
	"strings"

	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
)

// The chapter strip: in the compact layout (embeds, small windows) with the
// side panel closed, the chapter's primary buttons and its try-this stay on
// the canvas, in a strip above the picture, so that a caption or the
// try-this that names a button names one the reader can see. The rest of
// the chapter's controls stay behind Panel.
//
// It shows in frames of at least stripMinW x stripMinH CSS pixels (the
// smallest embed the lab supports with them); smaller frames keep the
// whole height for the picture.
const (
	stripMinW = 560
	stripMinH = 350
)

// stripButtons are the chapter's controls the strip shows: its primary
// buttons, or its first button when none is primary.
func stripButtons(ctrls []ui.Widget) []*ui.Button {
	var out []*ui.Button
	var first *ui.Button
	for _, w := range ctrls {
		b, ok := w.(*ui.Button)
		if !ok {
			continue
		}
		if first == nil {
			first = b
		}
		if b.Primary {
			out = append(out, b)
		}
	}
	if len(out) == 0 && first != nil {
		out = append(out, first)
	}
	return out
}

// layoutStrip cuts the chapter strip from the top of rest (the space
// between the bars) when the frame has room for it, places its buttons and
// its try-this lines, and returns what is left for the picture.
func (l *Lab) layoutStrip(sz Size, rest frame.Rect) frame.Rect {
	th := &l.theme
	u := th.U
	lay := &l.layout
	lay.strip, lay.stripTry = frame.Rect{}, nil
	l.stripBtns = l.stripBtns[:0]
	if sz.W < u(stripMinW)-0.5 || sz.H < u(stripMinH)-0.5 {
		return rest
	}
	inner := frame.Rect{X: rest.X + u(8), Y: rest.Y + u(5), W: rest.W - u(16), H: rest.H - u(10)}
	ctrls := l.Chapter().Controls(l.context())
	btns := stripButtons(ctrls)
	info := l.Chapter().Info()
	if len(btns) == 0 && info.TryThis == "" {
		return rest
	}
	size := th.Font()
	lh := frame.LineHeight(size)
	btnH := th.ControlHeight()
	x, y := inner.X, inner.Y
	for _, b := range btns {
		w := min(l.measure.Width(b.Label, size)+u(28), inner.W)
		if x+w > inner.Right()+0.5 {
			break
		}
		b.SetBounds(frame.Rect{X: x, Y: y, W: w, H: btnH})
		l.stripBtns = append(l.stripBtns, b)
		x += w + u(8)
	}
	// The try-this goes beside the buttons, or under them when they take
	// most of the width: one to three lines as the frame's height allows,
	// the last one cut with an ellipsis when the text is longer (it is
	// whole in the panel).
	tx, ty, tw := x+u(6), y, inner.Right()-x-u(6)
	below := tw < inner.W*0.45
	if below {
		tx, ty, tw = inner.X+u(6), y+btnH+u(6), inner.W-u(6)
	}
	// Short frames keep one line, so that the picture keeps its diagram.
	maxLines := 1
	switch {
	case rest.H >= u(330) && !below:
		maxLines = 3
	case rest.H >= u(270):
		maxLines = 2
	}
	lines := frame.Wrap(l.measure, "Try this: "+info.TryThis, size, tw-u(6))
	if len(lines) > maxLines {
		cut := strings.Join(lines[maxLines-1:], " ")
		lines = append(lines[:maxLines-1], frame.Fit(l.measure, cut, size, tw-u(6)))
	}
	textH := float64(len(lines)) * lh
	h := max(btnH, textH)
	if below {
		h = btnH + u(6) + textH
	} else {
		// Centre the text on the buttons' row when it is shorter.
		ty = y + max(0, (btnH-textH)/2)
	}
	for i, s := range lines {
		lay.stripTry = append(lay.stripTry, frame.Text{X: float32(tx), Y: float32(ty + float64(i)*lh), S: s})
	}
	lay.strip, rest = rest.CutTop(h + u(10))
	return rest
}

// drawStrip draws the strip's background and its try-this (the buttons
// are drawn as widgets).
func (l *Lab) drawStrip(layer *frame.Layer) {
	lay := &l.layout
	if lay.strip.H == 0 {
		return
	}
	th := &l.theme
	layer.Rect(lay.strip, th.Panel)
	layer.Rect(frame.Rect{X: 0, Y: lay.strip.Bottom() - th.U(1), W: lay.strip.Right(), H: th.U(1)}, th.Border)
	size := th.Font()
	for i, t := range lay.stripTry {
		if i == 0 {
			layer.Rect(frame.Rect{X: float64(t.X) - th.U(10), Y: float64(t.Y), W: th.U(4), H: frame.LineHeight(size) * float64(len(lay.stripTry))}, th.ControlOn)
		}
		layer.Label(float64(t.X), float64(t.Y), size, th.Text, frame.AlignStart, t.S)
	}
}
