package lab

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
)

// manyControls is the ring chapter with many controls and a long try-this.
type manyControls struct {
	*ringChapter
	many []ui.Widget
	try  string
}

func newManyControls(n int) manyControls {
	c := manyControls{ringChapter: newRingChapter(), try: strings.Repeat("Set a knob, press a button and predict what the picture will show. ", 6)}
	for i := range n {
		c.many = append(c.many, ui.NewButton(fmt.Sprintf("busy-%d", i), fmt.Sprintf("Control %d", i), "", func() {}))
	}
	return c
}

func (c manyControls) Info() ChapterInfo {
	i := c.ringChapter.Info()
	i.ID = "busy"
	i.TryThis = c.try
	return i
}

func (c manyControls) Controls(x *Context) []ui.Widget { return c.many }

// Beside the picture, every chapter control stays in the side panel: where
// the panel cannot also hold the try-this box over them, the box heads the
// picture, as wide as it, whole. Where the panel holds both, the box stays
// in it.
func TestControlsComeBeforeTheTryThisBox(t *testing.T) {
	for _, tc := range []struct {
		size  Size
		above bool
	}{
		{Size{W: 960, H: 600, Scale: 1}, true},
		{Size{W: 1024, H: 700, Scale: 1}, true},
		{Size{W: 1280, H: 800, Scale: 1}, false},
		{Size{W: 2560, H: 1600, Scale: 2}, false},
	} {
		c := newManyControls(9)
		l, err := New([]Chapter{c}, measure, Options{Seed: 1, Paused: true})
		if err != nil {
			t.Fatal(err)
		}
		l.Update(idle(), tc.size)
		l.Update(idle(), tc.size)
		for _, w := range c.many {
			if b := w.Bounds(); b.W <= 0 || !within(b, l.layout.panel) {
				t.Errorf("%v: %s at %+v, not in the side panel %+v", tc.size, w.ID(), b, l.layout.panel)
			}
		}
		try, scene, panel := l.layout.tryThis, l.layout.scene, l.layout.panel
		if got := within(try, panel); got == tc.above || try.H == 0 {
			t.Errorf("%v: the try-this box %+v in the panel %v, want %v", tc.size, try, got, !tc.above)
		}
		if tc.above && (try.Bottom() > scene.Y || try.X < scene.X-1 || try.W < scene.W/2) {
			t.Errorf("%v: the box %+v does not head the picture %+v", tc.size, try, scene)
		}
		// Its text is whole: every line within the box.
		lines := 0
		for _, tx := range l.Frame().Layers {
			for _, s := range tx.Texts {
				if strings.HasPrefix(c.Info().TryThis, s.S) || strings.Contains(c.Info().TryThis, s.S) && len(s.S) > 20 {
					lines++
					if float64(s.Y) > try.Bottom() || strings.HasSuffix(s.S, "…") {
						t.Errorf("%v: try-this line %q at y %v, out of its box %+v", tc.size, s.S, s.Y, try)
					}
				}
			}
		}
		if lines == 0 {
			t.Errorf("%v: no line of the try-this text drawn", tc.size)
		}
	}
}

// within reports whether r lies inside bound.
func within(r, bound frame.Rect) bool {
	return r.X >= bound.X && r.Y >= bound.Y && r.Right() <= bound.Right()+1e-9 && r.Bottom() <= bound.Bottom()+1e-9
}

// Where the side panel beside the picture cannot show every control (nine
// in a 800x500 window), the lab takes its compact layout: the picture the
// window's width, and every control in the panel its button opens. A
// chapter with a few controls keeps the panel beside the picture there.
func TestAWindowTooShortForTheControlsIsCompact(t *testing.T) {
	small := Size{W: 800, H: 500, Scale: 1}
	c := newManyControls(9)
	l, err := New([]Chapter{c}, measure, Options{Seed: 1, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	l.Update(idle(), small)
	if !l.layout.compact || l.layout.scene.W < small.W-1 {
		t.Fatalf("nine controls at 800x500: compact %v, picture %+v", l.layout.compact, l.layout.scene)
	}
	if msg := l.Command(`{"type":"press","value":"panel"}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), small)
	l.Update(idle(), small)
	for _, w := range c.many {
		if b := w.Bounds(); b.W <= 0 || !within(b, l.layout.panel) {
			t.Errorf("%s at %+v, not in the open panel %+v", w.ID(), b, l.layout.panel)
		}
	}
	few := newManyControls(3)
	few.try = "Press a button and predict what the picture will show."
	l, err = New([]Chapter{few}, measure, Options{Seed: 1, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	l.Update(idle(), small)
	if l.layout.compact {
		t.Error("three controls and a short try-this at 800x500: compact")
	}
}
