package ui

import (
	"math"
	"strconv"

	"github.com/ringlab/ringlab/render/frame"
)

// Button runs OnClick when clicked, or on Enter or Space while focused.
type Button struct {
	base
	Label   string
	OnClick func()
	// Primary draws the button filled with the accent colour: the one action
	// a newcomer should take next.
	Primary bool
	pressed bool // the pointer went down on it and has not been released
}

// NewButton makes a button.
func NewButton(id, label, tooltip string, onClick func()) *Button {
	return &Button{base: base{id: id, tip: tooltip}, Label: label, OnClick: onClick}
}

func (b *Button) activate() {
	if !b.Disabled && b.OnClick != nil {
		b.OnClick()
	}
}

func (b *Button) Mouse(c *Context, in *Input) bool {
	if in.MousePressed {
		b.pressed = true
		c.Capture(b.id)
	}
	if in.MouseReleased && b.pressed {
		b.pressed = false
		if b.bounds.Contains(in.MouseX, in.MouseY) {
			b.activate()
		}
	}
	return true
}

func (b *Button) Key(c *Context, k Key, _ bool) bool {
	if k == KeyEnter || k == KeySpace {
		b.activate()
		return true
	}
	return false
}

func (b *Button) Draw(c *Context, l, _ *frame.Layer) {
	bg, fg := fill(c, b.id, b.Disabled), textColor(c, b.Disabled)
	if b.Primary && !b.Disabled {
		bg, fg = c.Theme.ControlOn, c.Theme.TextOnAccent
		if c.Hovered(b.id) {
			bg = bg.Mix(frame.RGB(0xffffff), 0.2)
		}
	}
	l.Rect(b.bounds, bg)
	l.Outline(b.bounds, c.Theme.U(1), c.Theme.Border)
	centredLabel(c, l, b.bounds, b.Label, fg)
}

// Toggle is an on/off switch with a label.
type Toggle struct {
	base
	Label    string
	On       bool
	OnChange func(on bool)
}

// NewToggle makes a toggle.
func NewToggle(id, label, tooltip string, on bool, onChange func(bool)) *Toggle {
	return &Toggle{base: base{id: id, tip: tooltip}, Label: label, On: on, OnChange: onChange}
}

// Flip turns the toggle over and tells OnChange, as a click does; a
// disabled toggle stays as it is.
func (t *Toggle) Flip() { t.flip() }

func (t *Toggle) flip() {
	if t.Disabled {
		return
	}
	t.On = !t.On
	if t.OnChange != nil {
		t.OnChange(t.On)
	}
}

func (t *Toggle) Mouse(c *Context, in *Input) bool {
	if in.MousePressed {
		t.flip()
	}
	return true
}

func (t *Toggle) Key(c *Context, k Key, _ bool) bool {
	if k == KeyEnter || k == KeySpace {
		t.flip()
		return true
	}
	return false
}

func (t *Toggle) Draw(c *Context, l, _ *frame.Layer) {
	th := c.Theme
	l.Rect(t.bounds, fill(c, t.id, t.Disabled))
	l.Outline(t.bounds, th.U(1), th.Border)
	// The switch: a track with a knob left (off) or right (on), and the
	// words on/off so the state does not rest on colour alone.
	tw, thh := th.U(30), th.U(14)
	track := frame.Rect{X: t.bounds.X + th.U(8), Y: t.bounds.Y + (t.bounds.H-thh)/2, W: tw, H: thh}
	knob := frame.Rect{X: track.X + th.U(2), Y: track.Y + th.U(2), W: thh - th.U(4), H: thh - th.U(4)}
	state := "off"
	if t.On {
		l.Rect(track, th.ControlOn)
		knob.X = track.Right() - knob.W - th.U(2)
		state = "on"
	} else {
		l.Rect(track, th.Background)
		l.Outline(track, th.U(1), th.TextDim)
	}
	l.Rect(knob, th.Text)
	size := th.Font()
	x := track.Right() + th.U(8)
	label := frame.Fit(c.Measure, t.Label+": "+state, size, t.bounds.Right()-x-th.U(4))
	l.Label(x, t.bounds.Y+(t.bounds.H-frame.LineHeight(size))/2, size, textColor(c, t.Disabled), frame.AlignStart, label)
}

// Slider picks a number in [Min, Max]. With Log set the track is
// logarithmic (Min must then be positive) and arrow keys multiply the value
// by a fixed factor; otherwise they add Step.
type Slider struct {
	base
	Label    string
	Min, Max float64
	Value    float64
	Step     float64 // linear sliders: arrow-key step; values snap to it
	Log      bool
	// LogStepsPerDecade is how many arrow presses take a log slider through
	// a factor of ten (default 6).
	LogStepsPerDecade int
	Format            func(v float64) string // the value as shown; default %g
	OnChange          func(v float64)
	// Floor, when above Min, marks the values below it as summarised (a
	// timeline's ticks no longer kept): that part of the track is hatched.
	// They can still be chosen; the owner decides what that means.
	Floor float64
}

// NewSlider makes a linear slider.
func NewSlider(id, label, tooltip string, lo, hi, step, value float64, onChange func(float64)) *Slider {
	return &Slider{base: base{id: id, tip: tooltip}, Label: label, Min: lo, Max: hi, Step: step, Value: value, OnChange: onChange}
}

// NewLogSlider makes a logarithmic slider; lo must be positive.
func NewLogSlider(id, label, tooltip string, lo, hi, value float64, onChange func(float64)) *Slider {
	return &Slider{base: base{id: id, tip: tooltip}, Label: label, Min: lo, Max: hi, Log: true, Value: value, OnChange: onChange}
}

// fraction maps a value to its position along the track, in [0, 1].
func (s *Slider) fraction(v float64) float64 {
	if s.Max <= s.Min {
		return 0
	}
	var f float64
	if s.Log {
		f = math.Log(v/s.Min) / math.Log(s.Max/s.Min)
	} else {
		f = (v - s.Min) / (s.Max - s.Min)
	}
	return min(max(f, 0), 1)
}

// valueAt is the inverse of fraction, snapped to Step for linear sliders.
func (s *Slider) valueAt(f float64) float64 {
	f = min(max(f, 0), 1)
	if s.Log {
		return s.Min * math.Pow(s.Max/s.Min, f)
	}
	v := s.Min + f*(s.Max-s.Min)
	if s.Step > 0 {
		v = s.Min + math.Round((v-s.Min)/s.Step)*s.Step
	}
	return v
}

// Set changes the value (clamped) and reports the change through OnChange.
func (s *Slider) Set(v float64) {
	v = min(max(v, s.Min), s.Max)
	if v == s.Value {
		return
	}
	s.Value = v
	if s.OnChange != nil {
		s.OnChange(v)
	}
}

// nudge moves the value by n arrow-key steps (negative: down).
func (s *Slider) nudge(n int) {
	if s.Log {
		per := s.LogStepsPerDecade
		if per <= 0 {
			per = 6
		}
		s.Set(s.Value * math.Pow(10, float64(n)/float64(per)))
		return
	}
	step := s.Step
	if step <= 0 {
		step = (s.Max - s.Min) / 20
	}
	s.Set(s.Value + float64(n)*step)
}

// parts splits the slider into its label, track and value, on one line:
// "Speed ──●── 8 ticks/s". The value's room is at least that of the minimum's
// text, so that the track moves little as the value changes.
func (s *Slider) parts(c *Context) (label, track, value frame.Rect) {
	th := c.Theme
	size := th.Font()
	inner := s.bounds.Inset(th.U(8))
	lw := c.Measure.Width(s.Label, size)
	vw := max(c.Measure.Width(s.text(), size), c.Measure.Width(s.format(s.Min), size))
	// The track keeps at least a third of the width; labels give way.
	room := inner.W * 2 / 3
	if lw+vw+th.U(24) > room {
		scale := room / (lw + vw + th.U(24))
		lw, vw = lw*scale, vw*scale
	}
	label, rest := inner.CutLeft(lw)
	value, rest = rest.CutRight(vw)
	_, rest = rest.CutLeft(th.U(12))
	_, rest = rest.CutRight(th.U(12))
	h := th.U(6)
	track = frame.Rect{X: rest.X, Y: rest.Y + (rest.H-h)/2, W: rest.W, H: h}
	return label, track, value
}

func (s *Slider) track(c *Context) frame.Rect {
	_, t, _ := s.parts(c)
	return t
}

func (s *Slider) Mouse(c *Context, in *Input) bool {
	if s.Disabled {
		return true
	}
	if in.MousePressed {
		c.Capture(s.id)
	}
	if in.MouseDown && (in.MousePressed || c.m.capture == s.id) {
		t := s.track(c)
		s.Set(s.valueAt((in.MouseX - t.X) / t.W))
	}
	if in.WheelY != 0 && c.m.capture == "" {
		if in.WheelY > 0 {
			s.nudge(1)
		} else {
			s.nudge(-1)
		}
	}
	return true
}

func (s *Slider) Key(c *Context, k Key, shift bool) bool {
	big := 1
	if shift {
		big = 5
	}
	switch k {
	case KeyRight, KeyUp:
		s.nudge(big)
	case KeyLeft, KeyDown:
		s.nudge(-big)
	case KeyPageUp:
		s.nudge(5)
	case KeyPageDown:
		s.nudge(-5)
	case KeyHome:
		s.Set(s.Min)
	case KeyEnd:
		s.Set(s.Max)
	default:
		return false
	}
	return true
}

func (s *Slider) text() string { return s.format(s.Value) }

func (s *Slider) format(v float64) string {
	if s.Format != nil {
		return s.Format(v)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func (s *Slider) Draw(c *Context, l, _ *frame.Layer) {
	th := c.Theme
	l.Rect(s.bounds, fill(c, s.id, s.Disabled))
	size := th.Font()
	lr, t, vr := s.parts(c)
	top := s.bounds.Y + (s.bounds.H-frame.LineHeight(size))/2
	l.Label(lr.X, top, size, textColor(c, s.Disabled), frame.AlignStart, frame.Fit(c.Measure, s.Label, size, lr.W+1))
	l.Label(vr.Right(), top, size, textColor(c, s.Disabled), frame.AlignEnd, frame.Fit(c.Measure, s.text(), size, vr.W+1))
	l.Rect(t, th.Background)
	f := s.fraction(s.Value)
	done := t
	done.W = t.W * f
	l.Rect(done, th.ControlOn)
	if s.Floor > s.Min {
		// Hatching: short dark bars across the summarised part.
		end := t.X + t.W*s.fraction(s.Floor)
		step, bar := th.U(6), th.U(2)
		for x := t.X; x < end; x += step {
			l.Rect(frame.Rect{X: x, Y: t.Y - th.U(2), W: min(bar, end-x), H: t.H + th.U(4)}, th.TextDim)
		}
	}
	kw := th.U(8)
	knob := frame.Rect{X: t.X + t.W*f - kw/2, Y: t.Y - th.U(4), W: kw, H: t.H + th.U(8)}
	l.Rect(knob, th.Text)
}

// Stepper edits an integer: [-] value [+], arrow keys, the mouse wheel, or
// typing digits (Enter applies, Escape cancels, Backspace deletes).
type Stepper struct {
	base
	Label    string
	Min, Max int64
	Step     int64
	Value    int64
	OnChange func(v int64)
	editing  bool
	edit     []byte // digits typed so far
}

// NewStepper makes a stepper.
func NewStepper(id, label, tooltip string, lo, hi, step, value int64, onChange func(int64)) *Stepper {
	return &Stepper{base: base{id: id, tip: tooltip}, Label: label, Min: lo, Max: hi, Step: step, Value: value, OnChange: onChange}
}

// Editing reports whether digits are being typed.
func (s *Stepper) Editing() bool { return s.editing }

// Set changes the value (clamped) and reports it through OnChange.
func (s *Stepper) Set(v int64) {
	v = min(max(v, s.Min), s.Max)
	if v == s.Value {
		return
	}
	s.Value = v
	if s.OnChange != nil {
		s.OnChange(v)
	}
}

func (s *Stepper) add(n int64) {
	step := max(s.Step, 1)
	v := s.Value + n*step
	if n > 0 && v < s.Value { // overflow
		v = s.Max
	}
	if n < 0 && v > s.Value {
		v = s.Min
	}
	s.Set(v)
}

func (s *Stepper) parts(c *Context) (minus, value, plus frame.Rect) {
	bw := c.Theme.U(30)
	minus, rest := s.bounds.CutLeft(bw)
	plus, value = rest.CutRight(bw)
	return
}

func (s *Stepper) commit() {
	if !s.editing {
		return
	}
	s.editing = false
	if len(s.edit) == 0 {
		return
	}
	v, err := strconv.ParseInt(string(s.edit), 10, 64)
	if err != nil { // too many digits
		v = s.Max
	}
	s.Set(v)
}

func (s *Stepper) Mouse(c *Context, in *Input) bool {
	if s.Disabled {
		return true
	}
	minus, _, plus := s.parts(c)
	if in.MousePressed {
		s.commit()
		switch {
		case minus.Contains(in.MouseX, in.MouseY):
			s.add(-1)
		case plus.Contains(in.MouseX, in.MouseY):
			s.add(1)
		}
	}
	if in.WheelY > 0 {
		s.add(1)
	} else if in.WheelY < 0 {
		s.add(-1)
	}
	return true
}

func (s *Stepper) Key(c *Context, k Key, shift bool) bool {
	n := int64(1)
	if shift {
		n = 10
	}
	switch k {
	case KeyUp, KeyRight:
		s.commit()
		s.add(n)
	case KeyDown, KeyLeft:
		s.commit()
		s.add(-n)
	case KeyPageUp:
		s.commit()
		s.add(10)
	case KeyPageDown:
		s.commit()
		s.add(-10)
	case KeyEnter:
		s.commit()
	case KeyEscape:
		if !s.editing {
			return false
		}
		s.editing = false
	case KeyBackspace:
		if !s.editing {
			s.editing, s.edit = true, strconv.AppendInt(s.edit[:0], s.Value, 10)
		}
		if len(s.edit) > 0 {
			s.edit = s.edit[:len(s.edit)-1]
		}
	default:
		return false
	}
	return true
}

// stepperDigitsMax bounds typed input (an int64 has 19 digits).
const stepperDigitsMax = 19

func (s *Stepper) Char(c *Context, r rune) bool {
	if r < '0' || r > '9' || s.Disabled {
		return false
	}
	if !s.editing {
		s.editing, s.edit = true, s.edit[:0]
	}
	if len(s.edit) < stepperDigitsMax {
		s.edit = append(s.edit, byte(r))
	}
	return true
}

func (s *Stepper) Draw(c *Context, l, _ *frame.Layer) {
	th := c.Theme
	minus, value, plus := s.parts(c)
	fg := textColor(c, s.Disabled)
	l.Rect(s.bounds, th.Background)
	l.Rect(minus, fill(c, s.id, s.Disabled))
	l.Rect(plus, fill(c, s.id, s.Disabled))
	l.Outline(s.bounds, th.U(1), th.Border)
	centredLabel(c, l, minus, "−", fg)
	centredLabel(c, l, plus, "+", fg)
	txt := s.Label + " " + strconv.FormatInt(s.Value, 10)
	if s.editing {
		txt = s.Label + " " + string(s.edit) + "|"
	}
	centredLabel(c, l, value, txt, fg)
}

// Dropdown picks one of Options. Closed, Up/Down change the choice directly;
// Enter or Space opens the list, arrows move through it, Enter picks, Escape
// closes without changing.
type Dropdown struct {
	base
	Label    string
	Options  []string
	Selected int
	OnChange func(i int)
	// Placeholder is shown when nothing is selected (Selected < 0).
	Placeholder string
	// Menu makes it a menu of actions: picking a row always calls OnChange
	// and the control keeps showing Placeholder; arrow keys on the closed
	// control do nothing (they must not fire an action by accident).
	Menu      bool
	highlight int
}

// NewDropdown makes a dropdown.
func NewDropdown(id, label, tooltip string, options []string, selected int, onChange func(int)) *Dropdown {
	return &Dropdown{base: base{id: id, tip: tooltip}, Label: label, Options: options, Selected: selected, OnChange: onChange}
}

func (d *Dropdown) choose(i int) {
	if i < 0 || i >= len(d.Options) {
		return
	}
	if d.Menu {
		d.Selected = -1
		if d.OnChange != nil {
			d.OnChange(i)
		}
		return
	}
	changed := i != d.Selected
	d.Selected = i
	if changed && d.OnChange != nil {
		d.OnChange(i)
	}
}

func (d *Dropdown) rowHeight(c *Context) float64 { return c.Theme.ControlHeight() }

// PopupBounds is where the open list is drawn: below the control, or above
// it when the screen has no room below.
// The list is at least as wide as its longest row, and stays on screen.
func (d *Dropdown) PopupBounds(c *Context) frame.Rect {
	h := d.rowHeight(c) * float64(len(d.Options))
	w := d.bounds.W
	for _, o := range d.Options {
		w = max(w, c.Measure.Width("• "+o, c.Theme.Font())+c.Theme.U(24))
	}
	r := frame.Rect{X: d.bounds.X, Y: d.bounds.Bottom(), W: w, H: h}
	if scr := c.m.Screen; scr.W > 0 && r.Right() > scr.Right() {
		r.X = max(scr.Right()-w, scr.X)
	}
	if scr := c.m.Screen; scr.H > 0 && r.Bottom() > scr.Bottom() {
		r.Y = d.bounds.Y - h
	}
	return r
}

func (d *Dropdown) Mouse(c *Context, in *Input) bool {
	if d.Disabled || !in.MousePressed {
		if c.PopupOpen(d.id) {
			p := d.PopupBounds(c)
			if p.Contains(in.MouseX, in.MouseY) {
				d.highlight = int((in.MouseY - p.Y) / d.rowHeight(c))
			}
		}
		return true
	}
	if c.PopupOpen(d.id) {
		p := d.PopupBounds(c)
		if p.Contains(in.MouseX, in.MouseY) {
			d.choose(int((in.MouseY - p.Y) / d.rowHeight(c)))
		}
		c.ClosePopup()
		return true
	}
	d.highlight = max(d.Selected, 0)
	c.OpenPopup(d.id)
	return true
}

func (d *Dropdown) Key(c *Context, k Key, _ bool) bool {
	open := c.PopupOpen(d.id)
	if !open && d.Menu && k != KeyEnter && k != KeySpace {
		return false
	}
	switch k {
	case KeyEnter, KeySpace:
		if open {
			d.choose(d.highlight)
			c.ClosePopup()
		} else {
			d.highlight = max(d.Selected, 0)
			c.OpenPopup(d.id)
		}
	case KeyEscape:
		if !open {
			return false
		}
		c.ClosePopup()
	case KeyUp, KeyLeft:
		if open {
			d.highlight = max(d.highlight-1, 0)
		} else {
			d.choose(d.Selected - 1)
		}
	case KeyDown, KeyRight:
		if open {
			d.highlight = min(d.highlight+1, len(d.Options)-1)
		} else {
			d.choose(d.Selected + 1)
		}
	case KeyHome:
		d.highlight = 0
		if !open {
			d.choose(0)
		}
	case KeyEnd:
		d.highlight = len(d.Options) - 1
		if !open {
			d.choose(len(d.Options) - 1)
		}
	default:
		return false
	}
	return true
}

func (d *Dropdown) Draw(c *Context, l, overlay *frame.Layer) {
	th := c.Theme
	l.Rect(d.bounds, fill(c, d.id, d.Disabled))
	l.Outline(d.bounds, th.U(1), th.Border)
	size := th.Font()
	cur := d.Placeholder
	if d.Selected >= 0 && d.Selected < len(d.Options) {
		cur = d.Options[d.Selected]
	}
	txt := cur
	if d.Label != "" {
		txt = d.Label + ": " + cur
	}
	y := d.bounds.Y + (d.bounds.H-frame.LineHeight(size))/2
	l.Label(d.bounds.X+th.U(8), y, size, textColor(c, d.Disabled), frame.AlignStart,
		frame.Fit(c.Measure, txt, size, d.bounds.W-th.U(32)))
	// A downward triangle marks it as a list.
	ax, ay, a := d.bounds.Right()-th.U(16), d.bounds.Y+d.bounds.H/2, th.U(5)
	l.Tri(float32(ax-a), float32(ay-a/2), float32(ax+a), float32(ay-a/2), float32(ax), float32(ay+a/2), textColor(c, d.Disabled))
	if !c.PopupOpen(d.id) {
		return
	}
	p := d.PopupBounds(c)
	overlay.Rect(p.Inset(-th.U(1)), th.Border)
	overlay.Rect(p, th.Panel)
	rh := d.rowHeight(c)
	for i, o := range d.Options {
		row := frame.Rect{X: p.X, Y: p.Y + float64(i)*rh, W: p.W, H: rh}
		fg := th.Text
		if i == d.highlight {
			overlay.Rect(row, th.ControlOn)
			fg = th.TextOnAccent
		}
		mark := "  "
		if i == d.Selected {
			mark = "• "
		}
		overlay.Label(row.X+th.U(8), row.Y+(rh-frame.LineHeight(size))/2, size, fg, frame.AlignStart,
			frame.Fit(c.Measure, mark+o, size, row.W-th.U(16)))
	}
}

// Tabs picks one of several pages; Left/Right move between tabs.
type Tabs struct {
	base
	Labels   []string
	Selected int
	OnChange func(i int)
}

// NewTabs makes a tab strip.
func NewTabs(id, tooltip string, labels []string, selected int, onChange func(int)) *Tabs {
	return &Tabs{base: base{id: id, tip: tooltip}, Labels: labels, Selected: selected, OnChange: onChange}
}

func (t *Tabs) choose(i int) {
	if i < 0 || i >= len(t.Labels) || i == t.Selected {
		return
	}
	t.Selected = i
	if t.OnChange != nil {
		t.OnChange(i)
	}
}

func (t *Tabs) tab(i int) frame.Rect {
	w := t.bounds.W / float64(max(len(t.Labels), 1))
	return frame.Rect{X: t.bounds.X + float64(i)*w, Y: t.bounds.Y, W: w, H: t.bounds.H}
}

func (t *Tabs) Mouse(c *Context, in *Input) bool {
	if in.MousePressed {
		for i := range t.Labels {
			if t.tab(i).Contains(in.MouseX, in.MouseY) {
				t.choose(i)
			}
		}
	}
	return true
}

func (t *Tabs) Key(c *Context, k Key, _ bool) bool {
	switch k {
	case KeyLeft:
		t.choose(t.Selected - 1)
	case KeyRight:
		t.choose(t.Selected + 1)
	case KeyHome:
		t.choose(0)
	case KeyEnd:
		t.choose(len(t.Labels) - 1)
	default:
		return false
	}
	return true
}

func (t *Tabs) Draw(c *Context, l, _ *frame.Layer) {
	th := c.Theme
	for i, lab := range t.Labels {
		r := t.tab(i)
		if i == t.Selected {
			l.Rect(r, th.Panel)
			l.Rect(frame.Rect{X: r.X, Y: r.Bottom() - th.U(3), W: r.W, H: th.U(3)}, th.ControlOn)
			centredLabel(c, l, r, lab, th.Text)
		} else {
			l.Rect(r, fill(c, t.id, false))
			centredLabel(c, l, r, lab, th.TextDim)
		}
	}
}
