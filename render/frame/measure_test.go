package frame

import "testing"

func TestLabelBoxFollowsTheAlignment(t *testing.T) {
	m := &GoRegular{}
	w := m.Width("ring", 12)
	for align, x := range map[Align]float64{AlignStart: 100, AlignCenter: 100 - w/2, AlignEnd: 100 - w} {
		if b := LabelBox(m, 100, 20, 12, align, "ring"); b.X != x || b.W != w || b.Y != 20 || b.H != LineHeight(12) {
			t.Errorf("align %v: box %+v, want x %v width %v", align, b, x, w)
		}
	}
}
