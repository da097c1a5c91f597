package ui

import "github.com/ringlab/ringlab/render/frame"

// tooltipDelayFrames is how long the pointer rests on a widget before its
// tooltip shows (at 60 updates per second, half a second).
const tooltipDelayFrames = 30

// Manager routes input to the widgets registered for this frame and keeps
// the focus, the hover, the pointer capture and the open popup between
// frames. Widgets are identified by ID, so the caller may rebuild its widget
// list every frame.
type Manager struct {
	ctx     Context
	widgets []Widget // this frame's widgets, in focus order

	focus        string
	focusVisible bool // focus came from the keyboard: draw the focus ring
	hover        string
	hoverFrames  int
	capture      string
	popup        string

	// Unhandled are the keys and characters no widget used this frame, for
	// the caller's global shortcuts.
	UnhandledKeys  []Key
	UnhandledChars []rune
	// Screen is the drawable area; tooltips and popups stay inside it.
	Screen frame.Rect
	// PointerOverUI is true when the pointer was over a widget or popup this
	// frame, so a click there must not also select something beneath.
	PointerOverUI bool
}

// NewManager returns a manager that measures text with m.
func NewManager(theme *Theme, m frame.Measurer) *Manager {
	mg := &Manager{}
	mg.ctx = Context{Theme: theme, Measure: m, m: mg}
	return mg
}

// Context is the context widgets get from this manager.
func (m *Manager) Context() *Context { return &m.ctx }

// Begin starts a frame: forget the previous frame's widgets.
func (m *Manager) Begin() {
	m.widgets = m.widgets[:0]
	m.UnhandledKeys = m.UnhandledKeys[:0]
	m.UnhandledChars = m.UnhandledChars[:0]
	m.PointerOverUI = false
}

// Add registers a visible widget; the order of Add calls is the Tab order.
func (m *Manager) Add(ws ...Widget) { m.widgets = append(m.widgets, ws...) }

// Focus is the id of the focused widget, or "".
func (m *Manager) Focus() string { return m.focus }

// FocusVisible reports whether the focus ring is drawn.
func (m *Manager) FocusVisible() bool { return m.focusVisible && m.focus != "" }

// SetFocus moves the focus to a widget (or clears it with ""), showing the ring.
func (m *Manager) SetFocus(id string) {
	m.focus = id
	m.focusVisible = id != ""
	if m.popup != "" && m.popup != id {
		m.popup = ""
	}
}

// FocusEdge reports whether the focused widget is the first and/or the last
// focusable widget: the page uses it to let Tab leave the canvas there.
func (m *Manager) FocusEdge() (first, last bool) {
	order := m.focusable()
	if m.focus == "" || len(order) == 0 {
		return false, false
	}
	return order[0].ID() == m.focus, order[len(order)-1].ID() == m.focus
}

// PopupOpen reports whether any popup (an open dropdown) is showing.
func (m *Manager) PopupOpen() bool { return m.popup != "" }

func (m *Manager) find(id string) Widget {
	if id == "" {
		return nil
	}
	for _, w := range m.widgets {
		if w.ID() == id {
			return w
		}
	}
	return nil
}

func (m *Manager) focusable() []Widget {
	out := make([]Widget, 0, len(m.widgets))
	for _, w := range m.widgets {
		if w.Focusable() {
			out = append(out, w)
		}
	}
	return out
}

// moveFocus implements Tab (dir +1) and Shift+Tab (dir -1). Past either end
// the focus is cleared, so the next Tab starts again at the other end and the
// page may let the key leave the canvas.
func (m *Manager) moveFocus(dir int) {
	order := m.focusable()
	if len(order) == 0 {
		m.SetFocus("")
		return
	}
	at := -1
	for i, w := range order {
		if w.ID() == m.focus {
			at = i
		}
	}
	var next int
	switch {
	case at < 0 && dir > 0:
		next = 0
	case at < 0:
		next = len(order) - 1
	default:
		next = at + dir
	}
	if next < 0 || next >= len(order) {
		m.SetFocus("")
		return
	}
	m.SetFocus(order[next].ID())
}

// Handle applies one frame of input to the widgets.
func (m *Manager) Handle(in *Input) {
	c := &m.ctx
	// A widget that went away loses focus, capture and popup.
	if m.find(m.focus) == nil {
		m.focus = ""
	}
	if m.find(m.capture) == nil {
		m.capture = ""
	}
	if m.find(m.popup) == nil {
		m.popup = ""
	}

	hit := m.hit(in.MouseX, in.MouseY)
	hitID := ""
	if hit != nil {
		hitID = hit.ID()
		m.PointerOverUI = true
	}
	if hitID != m.hover {
		m.hover, m.hoverFrames = hitID, 0
	} else {
		m.hoverFrames++
	}

	switch {
	case m.capture != "":
		if w := m.find(m.capture); w != nil {
			w.Mouse(c, in)
		}
		m.PointerOverUI = true
		if !in.MouseDown {
			m.capture = ""
		}
	case hit != nil:
		if in.MousePressed {
			if m.popup != "" && m.popup != hitID {
				m.popup = ""
			}
			if hit.Focusable() {
				m.focus, m.focusVisible = hitID, false
			}
		}
		hit.Mouse(c, in)
	case in.MousePressed:
		m.popup = ""
		m.focus = ""
	}

	for _, k := range in.Keys {
		if k == KeyTab {
			if in.Shift {
				m.moveFocus(-1)
			} else {
				m.moveFocus(1)
			}
			continue
		}
		w := m.find(m.focus)
		if w != nil && w.Key(c, k, in.Shift) {
			if k != KeyEscape {
				m.focusVisible = true
			}
			continue
		}
		if k == KeyEscape && m.popup != "" {
			m.popup = ""
			continue
		}
		m.UnhandledKeys = append(m.UnhandledKeys, k)
	}
	for _, r := range in.Chars {
		if w := m.find(m.focus); w != nil && w.Char(c, r) {
			continue
		}
		m.UnhandledChars = append(m.UnhandledChars, r)
	}
}

// hit finds the widget under the point: an open popup first, then the
// widgets in reverse order of registration (later ones are drawn on top).
func (m *Manager) hit(x, y float64) Widget {
	if p, ok := m.find(m.popup).(popupWidget); ok && p.PopupBounds(&m.ctx).Contains(x, y) {
		return p
	}
	for i := len(m.widgets) - 1; i >= 0; i-- {
		if m.widgets[i].Bounds().Contains(x, y) {
			return m.widgets[i]
		}
	}
	return nil
}

// Draw paints every widget, the focus ring and any tooltip.
func (m *Manager) Draw(l, overlay *frame.Layer) {
	c := &m.ctx
	for _, w := range m.widgets {
		w.Draw(c, l, overlay)
	}
	if w := m.find(m.focus); w != nil && m.focusVisible {
		ring := w.Bounds().Inset(-c.Theme.U(3))
		overlay.Outline(ring, c.Theme.U(2), c.Theme.Focus)
	}
	var tipFor Widget
	if w := m.find(m.hover); w != nil && m.hoverFrames >= tooltipDelayFrames && m.capture == "" {
		tipFor = w
	} else if w := m.find(m.focus); w != nil && m.focusVisible {
		tipFor = w
	}
	if tipFor != nil && tipFor.Tooltip() != "" && m.popup == "" {
		drawTooltip(c, overlay, m.Screen, tipFor.Bounds(), tipFor.Tooltip())
	}
}

// TooltipFor returns the tooltip that Draw would show this frame, or "".
func (m *Manager) TooltipFor() string {
	if w := m.find(m.hover); w != nil && m.hoverFrames >= tooltipDelayFrames {
		return w.Tooltip()
	}
	if w := m.find(m.focus); w != nil && m.focusVisible {
		return w.Tooltip()
	}
	return ""
}

// drawTooltip places a one-line hint above the anchor, or below it when
// there is no room above, kept inside the screen horizontally.
func drawTooltip(c *Context, l *frame.Layer, screen, anchor frame.Rect, tip string) {
	t := c.Theme
	size := t.Font()
	pad := t.U(6)
	w := c.Measure.Width(tip, size) + 2*pad
	h := frame.LineHeight(size) + 2*pad
	x := anchor.X + anchor.W/2 - w/2
	if screen.W > 0 {
		x = min(x, screen.Right()-w-t.U(4))
	}
	x = max(x, t.U(4))
	y := anchor.Y - h - t.U(6)
	if y < 0 {
		y = anchor.Bottom() + t.U(6)
	}
	box := frame.Rect{X: x, Y: y, W: w, H: h}
	l.Rect(box, t.Text)
	l.Label(box.X+pad, box.Y+pad, size, t.Background, frame.AlignStart, tip)
}

// Widgets are this frame's registered widgets, in Tab order.
func (m *Manager) Widgets() []Widget { return m.widgets }
