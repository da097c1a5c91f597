// Package ui is the lab's own small widget set: button, toggle, slider,
// number stepper, dropdown, tabs and tooltips, with a focus manager that
// makes every control reachable and operable from the keyboard.
//
// Widgets know nothing of Ebitengine. Each frame the caller lays them out
// (SetBounds), registers the visible ones with a Manager in focus order,
// hands the Manager an Input snapshot, and asks it to draw into frame
// layers. Callbacks (OnClick, OnChange) run synchronously inside Handle.
package ui

import (
	"github.com/ringlab/ringlab/render/frame"
)

// Key is a key the widgets react to, independent of any input library.
type Key uint8

const (
	KeyNone Key = iota
	KeyTab
	KeyEnter
	KeySpace
	KeyEscape
	KeyLeft
	KeyRight
	KeyUp
	KeyDown
	KeyHome
	KeyEnd
	KeyPageUp
	KeyPageDown
	KeyBackspace
)

var keyNames = [...]string{"none", "Tab", "Enter", "Space", "Escape", "Left", "Right", "Up", "Down", "Home", "End", "PageUp", "PageDown", "Backspace"}

func (k Key) String() string {
	if int(k) < len(keyNames) {
		return keyNames[k]
	}
	return "key?"
}

// Input is what the user did during one frame, in device pixels.
type Input struct {
	MouseX, MouseY float64
	MouseDown      bool // the primary button is held
	MousePressed   bool // the primary button went down this frame
	MouseReleased  bool // the primary button went up this frame
	WheelY         float64
	Keys           []Key  // keys pressed this frame, key repeat included
	Shift          bool   // Shift is held
	Chars          []rune // characters typed this frame ('?', '+', digits...)
}

// Theme holds the colours and sizes every widget draws with. Sizes are in
// layout units and multiplied by Scale to give device pixels.
type Theme struct {
	Scale    float64
	FontSize float64 // body text, in layout units

	Background   frame.Color
	Panel        frame.Color
	Control      frame.Color
	ControlHover frame.Color
	ControlOn    frame.Color // a pressed toggle, the selected tab, a slider's filled part
	Border       frame.Color
	Text         frame.Color
	TextDim      frame.Color // secondary text; still at least 4.5:1 on Panel
	TextOnAccent frame.Color
	Focus        frame.Color
	Disabled     frame.Color
}

// DefaultTheme is the lab's dark theme at the given device scale. Text
// colours keep a contrast of at least 4.5:1 against Background, Panel and
// Control (checked by a test).
func DefaultTheme(scale float64) Theme {
	return Theme{
		Scale:        scale,
		FontSize:     14,
		Background:   frame.RGB(0x15171c),
		Panel:        frame.RGB(0x20232a),
		Control:      frame.RGB(0x2f333d),
		ControlHover: frame.RGB(0x3b404c),
		ControlOn:    frame.RGB(0x56b4e9), // Okabe-Ito sky blue
		Border:       frame.RGB(0x5a6070),
		Text:         frame.RGB(0xf2f2f2),
		TextDim:      frame.RGB(0xb4b9c4),
		TextOnAccent: frame.RGB(0x000000),
		Focus:        frame.RGB(0xf0e442), // Okabe-Ito yellow
		Disabled:     frame.RGB(0x8a8f99),
	}
}

// U converts layout units to device pixels.
func (t *Theme) U(v float64) float64 { return v * t.Scale }

// Font is the body font size in device pixels.
func (t *Theme) Font() float64 { return t.FontSize * t.Scale }

// ControlHeight is the height of a one-line control in device pixels.
func (t *Theme) ControlHeight() float64 { return t.U(30) }

// Context is what a widget sees while it handles input or draws.
type Context struct {
	Theme   *Theme
	Measure frame.Measurer
	m       *Manager
}

// Focused reports whether the widget with this id has the focus.
func (c *Context) Focused(id string) bool { return c.m.focus == id }

// Hovered reports whether the pointer is over the widget with this id.
func (c *Context) Hovered(id string) bool { return c.m.hover == id }

// Capture routes pointer input to the widget until the button is released
// (a slider being dragged keeps moving when the pointer leaves it).
func (c *Context) Capture(id string) { c.m.capture = id }

// OpenPopup marks the widget's popup open; only one popup is open at a time.
func (c *Context) OpenPopup(id string) { c.m.popup = id }

// ClosePopup closes any open popup.
func (c *Context) ClosePopup() { c.m.popup = "" }

// PopupOpen reports whether the widget's popup is open.
func (c *Context) PopupOpen(id string) bool { return c.m.popup == id }

// Widget is one control.
type Widget interface {
	ID() string
	Bounds() frame.Rect
	SetBounds(r frame.Rect)
	// Focusable is false for disabled controls; they are skipped by Tab.
	Focusable() bool
	// Tooltip is a short hint shown on hover or keyboard focus ("" for none).
	Tooltip() string
	// Mouse handles the pointer while it is over the widget, or while the
	// widget holds the capture; it reports whether it used the input.
	Mouse(c *Context, in *Input) bool
	// Key handles a key while the widget has the focus.
	Key(c *Context, k Key, shift bool) bool
	// Char handles a typed character while the widget has the focus.
	Char(c *Context, r rune) bool
	// Draw paints the widget; popups go to the overlay layer.
	Draw(c *Context, l, overlay *frame.Layer)
}

// popupWidget is a widget whose open popup extends beyond its bounds.
type popupWidget interface {
	Widget
	PopupBounds(c *Context) frame.Rect
}

// base carries what every widget has.
type base struct {
	id       string
	bounds   frame.Rect
	tip      string
	Disabled bool
}

func (b *base) ID() string               { return b.id }
func (b *base) Bounds() frame.Rect       { return b.bounds }
func (b *base) SetBounds(r frame.Rect)   { b.bounds = r }
func (b *base) Focusable() bool          { return !b.Disabled }
func (b *base) Tooltip() string          { return b.tip }
func (b *base) SetTooltip(s string)      { b.tip = s }
func (b *base) Char(*Context, rune) bool { return false }

func fill(c *Context, id string, disabled bool) frame.Color {
	switch {
	case disabled:
		return c.Theme.Panel
	case c.Hovered(id):
		return c.Theme.ControlHover
	default:
		return c.Theme.Control
	}
}

func textColor(c *Context, disabled bool) frame.Color {
	if disabled {
		return c.Theme.Disabled
	}
	return c.Theme.Text
}

// centredLabel draws s centred in r, shortened to fit.
func centredLabel(c *Context, l *frame.Layer, r frame.Rect, s string, col frame.Color) {
	size := c.Theme.Font()
	s = frame.Fit(c.Measure, s, size, r.W-c.Theme.U(8))
	l.Label(r.X+r.W/2, r.Y+(r.H-frame.LineHeight(size))/2, size, col, frame.AlignCenter, s)
}
