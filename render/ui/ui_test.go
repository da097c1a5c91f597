package ui

import (
	"math"
	"testing"

	"github.com/ringlab/ringlab/render/frame"
)

var measure = &frame.GoRegular{}

func newManager() *Manager {
	th := DefaultTheme(1)
	m := NewManager(&th, measure)
	m.Screen = frame.Rect{W: 800, H: 600}
	return m
}

// frameWith runs one frame with the given widgets and input.
func frameWith(m *Manager, in Input, ws ...Widget) {
	m.Begin()
	m.Add(ws...)
	m.Handle(&in)
}

func keys(ks ...Key) Input { return Input{Keys: ks, MouseX: -1, MouseY: -1} }

func TestTabOrderWrapsThroughNoFocusAndSkipsDisabled(t *testing.T) {
	a := NewButton("a", "A", "", nil)
	b := NewButton("b", "B", "", nil)
	b.Disabled = true
	c := NewButton("c", "C", "", nil)
	m := newManager()
	steps := []struct {
		name  string
		in    Input
		focus string
		first bool
		last  bool
	}{
		{"first Tab focuses the first widget", keys(KeyTab), "a", true, false},
		{"Tab skips the disabled widget", keys(KeyTab), "c", false, true},
		{"Tab past the last clears focus so the page may move on", keys(KeyTab), "", false, false},
		{"Shift+Tab from nothing focuses the last", Input{Keys: []Key{KeyTab}, Shift: true}, "c", false, true},
		{"Shift+Tab goes back", Input{Keys: []Key{KeyTab}, Shift: true}, "a", true, false},
		{"Shift+Tab before the first clears focus", Input{Keys: []Key{KeyTab}, Shift: true}, "", false, false},
	}
	for _, s := range steps {
		frameWith(m, s.in, a, b, c)
		if m.Focus() != s.focus {
			t.Fatalf("%s: focus %q, want %q", s.name, m.Focus(), s.focus)
		}
		first, last := m.FocusEdge()
		if first != s.first || last != s.last {
			t.Fatalf("%s: edge (first %v, last %v), want (%v, %v)", s.name, first, last, s.first, s.last)
		}
		if s.focus != "" && !m.FocusVisible() {
			t.Fatalf("%s: keyboard focus must show the ring", s.name)
		}
	}
}

func TestButtonActivatesOnEnterSpaceAndClick(t *testing.T) {
	cases := []struct {
		name  string
		input []Input
		want  int
	}{
		{"Enter", []Input{keys(KeyTab), keys(KeyEnter)}, 1},
		{"Space", []Input{keys(KeyTab), keys(KeySpace)}, 1},
		{"arrow does nothing", []Input{keys(KeyTab), keys(KeyRight)}, 0},
		{"click: press then release inside", []Input{
			{MouseX: 15, MouseY: 15, MouseDown: true, MousePressed: true},
			{MouseX: 16, MouseY: 15, MouseReleased: true}}, 1},
		{"press inside, release outside cancels", []Input{
			{MouseX: 15, MouseY: 15, MouseDown: true, MousePressed: true},
			{MouseX: 300, MouseY: 300, MouseReleased: true}}, 0},
	}
	for _, tc := range cases {
		clicks := 0
		b := NewButton("b", "Go", "", func() { clicks++ })
		b.SetBounds(frame.Rect{X: 10, Y: 10, W: 60, H: 30})
		m := newManager()
		for _, in := range tc.input {
			frameWith(m, in, b)
		}
		if clicks != tc.want {
			t.Errorf("%s: %d clicks, want %d", tc.name, clicks, tc.want)
		}
	}
}

func TestUnusedKeysReachTheCaller(t *testing.T) {
	b := NewButton("b", "Go", "", nil)
	m := newManager()
	frameWith(m, keys(KeyTab), b)
	frameWith(m, Input{Keys: []Key{KeyRight, KeySpace}, Chars: []rune{'?'}}, b)
	if len(m.UnhandledKeys) != 1 || m.UnhandledKeys[0] != KeyRight {
		t.Errorf("unhandled keys %v, want [Right] (Space activated the button)", m.UnhandledKeys)
	}
	if len(m.UnhandledChars) != 1 || m.UnhandledChars[0] != '?' {
		t.Errorf("unhandled chars %q, want ?", m.UnhandledChars)
	}
}

func TestToggleFlipsOnKeys(t *testing.T) {
	var got []bool
	tg := NewToggle("t", "Traffic", "", false, func(on bool) { got = append(got, on) })
	m := newManager()
	frameWith(m, keys(KeyTab), tg)
	frameWith(m, keys(KeySpace), tg)
	frameWith(m, keys(KeyEnter), tg)
	if len(got) != 2 || !got[0] || got[1] || tg.On {
		t.Errorf("toggle changes %v, final %v; want [true false], false", got, tg.On)
	}
}

func TestSliderKeys(t *testing.T) {
	cases := []struct {
		name  string
		s     *Slider
		key   Key
		shift bool
		want  float64
	}{
		{"linear right adds a step", NewSlider("s", "N", "", 1, 5, 1, 3, nil), KeyRight, false, 4},
		{"linear left subtracts a step", NewSlider("s", "N", "", 1, 5, 1, 3, nil), KeyLeft, false, 2},
		{"linear clamps at max", NewSlider("s", "N", "", 1, 5, 1, 5, nil), KeyUp, false, 5},
		{"linear Home goes to min", NewSlider("s", "N", "", 1, 5, 1, 3, nil), KeyHome, false, 1},
		{"linear End goes to max", NewSlider("s", "N", "", 1, 5, 1, 3, nil), KeyEnd, false, 5},
		{"log right multiplies by 10^(1/6)", NewLogSlider("s", "Speed", "", 1, 1e6, 10, nil), KeyRight, false, 10 * math.Pow(10, 1.0/6)},
		{"log shift+right multiplies by 10^(5/6)", NewLogSlider("s", "Speed", "", 1, 1e6, 10, nil), KeyRight, true, 10 * math.Pow(10, 5.0/6)},
		{"log left divides", NewLogSlider("s", "Speed", "", 1, 1e6, 10, nil), KeyLeft, false, 10 / math.Pow(10, 1.0/6)},
		{"log clamps at min", NewLogSlider("s", "Speed", "", 1, 1e6, 1, nil), KeyDown, false, 1},
	}
	for _, tc := range cases {
		if !tc.s.Key(nil, tc.key, tc.shift) {
			t.Errorf("%s: key not used", tc.name)
		}
		if math.Abs(tc.s.Value-tc.want) > 1e-9*tc.want {
			t.Errorf("%s: value %v, want %v", tc.name, tc.s.Value, tc.want)
		}
	}
}

func TestLogSliderTrackIsLogarithmic(t *testing.T) {
	s := NewLogSlider("s", "Speed", "", 1, 10000, 1, nil)
	for _, tc := range []struct{ v, f float64 }{{1, 0}, {10, 0.25}, {100, 0.5}, {10000, 1}} {
		if f := s.fraction(tc.v); math.Abs(f-tc.f) > 1e-12 {
			t.Errorf("fraction(%v) = %v, want %v", tc.v, f, tc.f)
		}
		if v := s.valueAt(tc.f); math.Abs(v-tc.v) > 1e-9*tc.v {
			t.Errorf("valueAt(%v) = %v, want %v", tc.f, v, tc.v)
		}
	}
}

func TestSliderDragFollowsPointerOutsideItsBounds(t *testing.T) {
	s := NewSlider("s", "R", "", 0, 10, 1, 5, nil)
	s.SetBounds(frame.Rect{X: 100, Y: 100, W: 300, H: 40})
	m := newManager()
	tr := s.track(m.Context())
	frameWith(m, Input{MouseX: tr.X + tr.W/2, MouseY: 120, MouseDown: true, MousePressed: true}, s)
	if s.Value != 5 {
		t.Fatalf("press in the middle: %v, want 5", s.Value)
	}
	frameWith(m, Input{MouseX: 900, MouseY: 500, MouseDown: true}, s)
	if s.Value != 10 {
		t.Fatalf("drag far right while captured: %v, want 10", s.Value)
	}
	frameWith(m, Input{MouseX: 900, MouseY: 500, MouseReleased: true}, s)
	frameWith(m, Input{MouseX: 0, MouseY: 0, MouseDown: true}, s)
	if s.Value != 10 {
		t.Fatalf("after release the slider must not follow: %v", s.Value)
	}
}

func TestStepperTypingAndKeys(t *testing.T) {
	cases := []struct {
		name  string
		chars string
		keys  []Key
		want  int64
	}{
		{"typed digits apply on Enter", "42", []Key{KeyEnter}, 42},
		{"Escape cancels typing", "42", []Key{KeyEscape}, 7},
		{"Backspace edits the typed number", "429", []Key{KeyBackspace, KeyEnter}, 42},
		{"Up adds the step", "", []Key{KeyUp}, 8},
		{"Down at the minimum stays", "", []Key{KeyDown, KeyDown, KeyDown, KeyDown, KeyDown, KeyDown, KeyDown, KeyDown}, 0},
		{"typed value above max is clamped", "99999999999999999999999", []Key{KeyEnter}, 1000},
	}
	for _, tc := range cases {
		s := NewStepper("seed", "Seed", "", 0, 1000, 1, 7, nil)
		for _, r := range tc.chars {
			s.Char(nil, r)
		}
		for _, k := range tc.keys {
			s.Key(nil, k, false)
		}
		if s.Value != tc.want || s.Editing() {
			t.Errorf("%s: value %d editing %v, want %d and not editing", tc.name, s.Value, s.Editing(), tc.want)
		}
	}
}

func TestDropdownKeyboard(t *testing.T) {
	var picked []int
	d := NewDropdown("d", "Chapter", "", []string{"one", "two", "three"}, 0, func(i int) { picked = append(picked, i) })
	d.SetBounds(frame.Rect{X: 0, Y: 0, W: 200, H: 30})
	m := newManager()
	frameWith(m, keys(KeyTab), d)
	frameWith(m, keys(KeyDown), d) // closed: changes directly
	if d.Selected != 1 {
		t.Fatalf("Down on a closed dropdown: selected %d, want 1", d.Selected)
	}
	frameWith(m, keys(KeyEnter), d)
	if !m.PopupOpen() {
		t.Fatal("Enter must open the list")
	}
	frameWith(m, keys(KeyDown, KeyDown), d) // highlight clamps at the end
	frameWith(m, keys(KeyEscape), d)
	if m.PopupOpen() || d.Selected != 1 {
		t.Fatalf("Escape must close without choosing: open %v selected %d", m.PopupOpen(), d.Selected)
	}
	frameWith(m, keys(KeySpace), d)
	frameWith(m, keys(KeyUp), d)
	frameWith(m, keys(KeyEnter), d)
	if m.PopupOpen() || d.Selected != 0 {
		t.Fatalf("Enter picks the highlighted row: open %v selected %d", m.PopupOpen(), d.Selected)
	}
	if want := []int{1, 0}; len(picked) != 2 || picked[0] != want[0] || picked[1] != want[1] {
		t.Errorf("OnChange calls %v, want %v", picked, want)
	}
}

func TestDropdownClickPicksRow(t *testing.T) {
	d := NewDropdown("d", "", "", []string{"one", "two", "three"}, 0, nil)
	d.SetBounds(frame.Rect{X: 0, Y: 0, W: 200, H: 30})
	other := NewButton("under", "Under", "", nil)
	other.SetBounds(frame.Rect{X: 0, Y: 60, W: 200, H: 30}) // under the popup's third row
	clicked := false
	other.OnClick = func() { clicked = true }
	m := newManager()
	frameWith(m, Input{MouseX: 10, MouseY: 10, MouseDown: true, MousePressed: true}, d, other)
	frameWith(m, Input{MouseX: 10, MouseY: 10, MouseReleased: true}, d, other)
	// The popup starts at y=30 with rows of ControlHeight (30): y=75 is row 1.
	frameWith(m, Input{MouseX: 10, MouseY: 75, MouseDown: true, MousePressed: true}, d, other)
	frameWith(m, Input{MouseX: 10, MouseY: 75, MouseReleased: true}, d, other)
	if d.Selected != 1 || m.PopupOpen() {
		t.Errorf("click on the second row: selected %d open %v, want 1 and closed", d.Selected, m.PopupOpen())
	}
	if clicked {
		t.Error("a click on the open popup must not reach the widget beneath it")
	}
}

func TestTabsArrowKeys(t *testing.T) {
	tb := NewTabs("tabs", "", []string{"Inspector", "Events", "Counters"}, 0, nil)
	for _, tc := range []struct {
		key  Key
		want int
	}{{KeyRight, 1}, {KeyRight, 2}, {KeyRight, 2}, {KeyHome, 0}, {KeyLeft, 0}, {KeyEnd, 2}} {
		tb.Key(nil, tc.key, false)
		if tb.Selected != tc.want {
			t.Fatalf("after %v: tab %d, want %d", tc.key, tb.Selected, tc.want)
		}
	}
}

func TestFocusRingAndTooltipAreDrawn(t *testing.T) {
	b := NewButton("b", "Play", "Space plays and pauses", nil)
	b.SetBounds(frame.Rect{X: 100, Y: 100, W: 80, H: 30})
	m := newManager()
	frameWith(m, keys(KeyTab), b)
	var l, ov frame.Layer
	m.Draw(&l, &ov)
	if ov.VertexCount() == 0 {
		t.Fatal("keyboard focus drew no focus ring")
	}
	found := false
	for _, tx := range ov.Texts {
		if tx.S == "Space plays and pauses" {
			found = true
		}
	}
	if !found {
		t.Errorf("keyboard focus must show the tooltip; overlay texts: %+v", ov.Texts)
	}
	// A mouse click focuses without the ring.
	frameWith(m, Input{MouseX: 110, MouseY: 110, MouseDown: true, MousePressed: true}, b)
	if m.FocusVisible() {
		t.Error("a click must not show the keyboard focus ring")
	}
}

// contrast is the WCAG 2 contrast ratio of two colours.
func contrast(a, b frame.Color) float64 {
	lum := func(c frame.Color) float64 {
		ch := func(v float32) float64 {
			x := float64(v)
			if x <= 0.03928 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(c.R) + 0.7152*ch(c.G) + 0.0722*ch(c.B)
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func TestThemeTextContrast(t *testing.T) {
	th := DefaultTheme(1)
	pairs := []struct {
		name   string
		fg, bg frame.Color
	}{
		{"text on background", th.Text, th.Background},
		{"text on panel", th.Text, th.Panel},
		{"text on control", th.Text, th.Control},
		{"text on hovered control", th.Text, th.ControlHover},
		{"dim text on panel", th.TextDim, th.Panel},
		{"dim text on control", th.TextDim, th.Control},
		{"dim text on background", th.TextDim, th.Background},
		{"disabled text on panel", th.Disabled, th.Panel},
		{"text on accent", th.TextOnAccent, th.ControlOn},
		{"tooltip text", th.Background, th.Text},
	}
	for _, p := range pairs {
		if r := contrast(p.fg, p.bg); r < 4.5 {
			t.Errorf("%s: contrast %.2f, want >= 4.5", p.name, r)
		}
	}
}
