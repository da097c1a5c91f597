package lab

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
)

// build paints the whole frame from the model.
func (l *Lab) build(sz Size) {
	th := &l.theme
	f := &l.frame
	f.Reset(sz.W, sz.H, sz.Scale, th.Background)
	scene := &f.Layers[frame.LayerScene]
	uiL := &f.Layers[frame.LayerUI]
	over := &f.Layers[frame.LayerOverlay]
	lay := &l.layout
	x := l.context()

	if l.timeViewShown() {
		l.drawTimeView(scene)
	} else {
		l.Chapter().Build(x, lay.scene, scene)
	}

	uiL.Rect(lay.top, th.Panel)
	if lay.panel.W > 0 {
		uiL.Rect(lay.panel, th.Panel)
		uiL.Rect(frame.Rect{X: lay.panel.X, Y: lay.panel.Y, W: th.U(1), H: lay.panel.H}, th.Border)
	}
	if lay.bottom.H > 0 {
		uiL.Rect(lay.bottom, th.Panel)
		uiL.Rect(frame.Rect{X: 0, Y: lay.bottom.Y, W: lay.bottom.W, H: th.U(1)}, th.Border)
	}
	if lay.pageStrip.H > 0 {
		// The page's cue and link sit on this strip as on a footer.
		uiL.Rect(lay.pageStrip, th.Panel)
		uiL.Rect(frame.Rect{X: 0, Y: lay.pageStrip.Y, W: lay.pageStrip.W, H: th.U(1)}, th.Border)
	}
	uiL.Rect(frame.Rect{X: 0, Y: lay.top.Bottom() - th.U(1), W: lay.top.W, H: th.U(1)}, th.Border)
	l.drawTitle(uiL)
	l.drawTryThis(uiL)
	l.drawStrip(uiL)
	l.drawTabContent(uiL)
	l.drawFork(uiL)
	l.drawJob(uiL)
	l.drawNotice(over)
	l.mgr.Draw(uiL, over)
	if l.help {
		l.drawHelp(over)
	}
}

func (l *Lab) drawTitle(layer *frame.Layer) {
	if l.layout.compact {
		return // the chapter list names the chapter; there is no room for more
	}
	th := &l.theme
	u := th.U
	info := l.Chapter().Info()
	t := l.layout.top
	big := th.U(20)
	name := "Ringlab"
	x0 := t.X + u(16)
	layer.Label(x0, t.Y+u(11), big, th.Text, frame.AlignStart, name)
	nameW := l.measure.Width(name, big) + u(14)
	size := th.Font() + u(2)
	room := l.layout.titleW - nameW
	// Where the whole heading is too long, the chapter's title alone: the
	// chapter list beside it numbers the chapter.
	head := fmt.Sprintf("Chapter %d of %d · %s", l.cur+1, len(l.chapters), info.Title)
	if l.measure.Width(head, size) > room {
		head = info.Title
	}
	layer.Label(x0+nameW, t.Y+u(14), size, th.Text, frame.AlignStart, frame.Fit(l.measure, head, size, room))
	// The one-line explanation spans the whole bar under the navigation.
	layer.Label(x0, t.Y+u(50), th.Font(), th.TextDim, frame.AlignStart,
		frame.Fit(l.measure, info.Summary, th.Font(), t.W-u(32)))
}

func (l *Lab) drawNotice(layer *frame.Layer) {
	r := l.layout.notice
	if l.notice == "" || r.H == 0 {
		return
	}
	th := &l.theme
	// Black on the palette's yellow: a contrast of about 14:1.
	layer.Rect(r, th.Focus)
	r = l.placeNoticeAction()
	size := th.Font()
	lines := l.noticeLines(r.W)
	lh := frame.LineHeight(size)
	y := r.Y + (r.H-lh*float64(len(lines)))/2
	for i, line := range lines {
		layer.Label(r.X+th.U(16), y+lh*float64(i), size, frame.RGB(0x000000), frame.AlignStart, line)
	}
}

// noticeMaxLines bounds the notice bar: a longer notice is cut at the end
// of its last line.
const noticeMaxLines = 4

// noticeLines is the notice's text wrapped to a bar whose text room (the
// action button left out) is w wide: the layout sizes the bar by it, so a
// long verdict shows whole rather than cut at the edge.
func (l *Lab) noticeLines(w float64) []string {
	th := &l.theme
	size := th.Font()
	room := w - th.U(32)
	lines := frame.Wrap(l.measure, l.notice+"  (Esc to dismiss)", size, room)
	if len(lines) > noticeMaxLines {
		rest := strings.Join(lines[noticeMaxLines-1:], " ")
		lines = append(lines[:noticeMaxLines-1], frame.Fit(l.measure, rest, size, room))
	}
	return lines
}

func (l *Lab) drawTryThis(layer *frame.Layer) {
	th := &l.theme
	r := l.layout.tryThis
	if r.H == 0 {
		return
	}
	layer.Rect(r, th.Control)
	layer.Rect(frame.Rect{X: r.X, Y: r.Y, W: th.U(4), H: r.H}, th.ControlOn)
	size := th.Font()
	lh := frame.LineHeight(size)
	x, y := r.X+th.U(14), r.Y+th.U(10)
	layer.Label(x, y, size, th.ControlOn, frame.AlignStart, "Try this")
	for _, line := range frame.Wrap(l.measure, l.Chapter().Info().TryThis, size, r.W-th.U(20)) {
		y += lh
		layer.Label(x, y, size, th.Text, frame.AlignStart, line)
	}
}

// paragraph writes text into r from the top, wrapped to r's width without
// indenting continuation lines, and stops at the bottom.
func (l *Lab) paragraph(layer *frame.Layer, r frame.Rect, text string, col frame.Color) {
	size := l.theme.Font()
	lh := frame.LineHeight(size) + l.theme.U(2)
	for i, line := range paragraphLines(l.measure, text, size, r.W, int((r.H+1e-9)/lh)) {
		layer.Label(r.X, r.Y+float64(i)*lh, size, col, frame.AlignStart, line)
	}
}

// paragraphLines wraps text into at most rows lines width wide: where it
// takes more, the last line ends with an ellipsis, so that a cut is seen.
func paragraphLines(m frame.Measurer, text string, size, width float64, rows int) []string {
	lines := frame.Wrap(m, text, size, width)
	if rows <= 0 {
		return nil
	}
	if len(lines) > rows {
		rest := strings.Join(lines[rows-1:], " ") // wider than a line: Fit cuts it with an ellipsis
		lines = append(lines[:rows-1], frame.Fit(m, rest, size, width))
	}
	return lines
}

// textRows writes lines into r from the top, wrapping long ones, and stops
// at the bottom; it returns how many rows it wrote.
func (l *Lab) textRows(layer *frame.Layer, r frame.Rect, lines []string, col frame.Color) int {
	size := l.theme.Font()
	lh := frame.LineHeight(size) + l.theme.U(2)
	n := 0
	for _, s := range lines {
		// Long lines wrap, with the continuation indented.
		for i, part := range frame.Wrap(l.measure, s, size, r.W-l.theme.U(12)) {
			y := r.Y + float64(n)*lh
			if y+lh > r.Bottom() {
				return n
			}
			x := r.X
			if i > 0 {
				x += l.theme.U(12)
			}
			layer.Label(x, y, size, col, frame.AlignStart, frame.Fit(l.measure, part, size, r.Right()-x))
			n++
		}
	}
	return n
}

func (l *Lab) drawTabContent(layer *frame.Layer) {
	c := l.layout.content
	if c.H <= 0 {
		return
	}
	th := &l.theme
	parts := l.Chapter().Parts()
	switch l.tab {
	case tabInspector:
		if parts&PartInspector == 0 {
			l.textRows(layer, c, []string{"This chapter has no inspector."}, th.TextDim)
			return
		}
		_, body := c.CutTop(th.ControlHeight() + th.U(10))
		n := l.selectedNode()
		if n == nil {
			l.paragraph(layer, body, l.nodeHint(), th.TextDim)
			return
		}
		lines := inspectorLines(l.clusterView(l.selCluster), n)
		if names := l.clusterNames(); names != nil && l.selCluster < len(names) {
			lines[0] = names[l.selCluster] + " cluster: " + lines[0]
		}
		l.textRows(layer, body, lines, th.Text)
	case tabEvents:
		_, body := c.CutTop(th.ControlHeight() + th.U(10))
		lh := frame.LineHeight(th.Font()) + th.U(2)
		rows := int(body.H / lh)
		// Newest at the bottom: take lines from the end until their wrapped
		// rows fill the panel.
		start, used := len(l.log), 0
		for start > 0 {
			e := l.log[start-1]
			n := len(frame.Wrap(l.measure, "t"+strconv.FormatInt(e.tick, 10)+"  "+e.text, th.Font(), body.W-th.U(12)))
			if used+n > rows {
				break
			}
			used += n
			start--
		}
		lines := make([]string, 0, len(l.log)-start)
		for _, e := range l.log[start:] {
			lines = append(lines, "t"+strconv.FormatInt(e.tick, 10)+"  "+e.text)
		}
		if len(lines) == 0 {
			lines = append(lines, "Nothing has happened yet: press Play.")
		}
		l.textRows(layer, body, lines, th.Text)
	case tabCounters:
		l.drawCounters(layer, c)
	}
}

// inspectorLines describes one node: state, membership view, hints, keys.
func inspectorLines(v *core.View, n *core.NodeView) []string {
	state := "up"
	if !n.Up {
		state = "down (crashed)"
	}
	if !n.InRing {
		state = "left the ring"
	}
	points := 0
	for _, p := range v.Ring {
		if p.Node == n.ID {
			points++
		}
	}
	out := []string{
		fmt.Sprintf("%v is %s · weight %g · %d virtual nodes", n.ID, state, n.Weight, points),
		fmt.Sprintf("Stores %d keys · holds %d hints", len(n.Keys), len(n.Hints)),
	}
	if len(n.Membership) > 0 {
		var b strings.Builder
		b.WriteString("Believes: ")
		for i, m := range n.Membership {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(m.Node.String() + " " + m.Status.String())
		}
		out = append(out, b.String())
	}
	for _, h := range n.Hints {
		out = append(out, fmt.Sprintf("hint %s for %v (%d versions)", h.Key, h.For, len(h.Versions)))
	}
	for _, k := range n.Keys {
		vals := make([]string, len(k.Versions))
		for i, ver := range k.Versions {
			vals[i] = ver.Value + " " + ver.Clock
		}
		s := k.Key + " = " + strings.Join(vals, " | ")
		if len(k.Versions) > 1 {
			s += fmt.Sprintf(" (%d siblings)", len(k.Versions))
		}
		out = append(out, s)
	}
	return out
}

func (l *Lab) drawCounters(layer *frame.Layer, r frame.Rect) {
	th := &l.theme
	if l.view == nil {
		return
	}
	c := l.view.Counters
	rows := []struct {
		name string
		v    int
	}{
		{"Requests attempted", c.OpsAttempted},
		{"Requests succeeded", c.OpsSucceeded},
		{"Requests failed", c.OpsFailed},
		{"Puts ok / failed", -1},
		{"Gets ok / failed", -2},
		{"Stale reads", c.StaleReads},
		{"Most siblings seen", c.SiblingsMax},
		{"LWW discards", c.LWWDiscards},
		{"Hints stored / handed off", -3},
		{"Read repairs", c.ReadRepairs},
		{"Merkle hashes / keys sent", -4},
		{"Messages sent / dropped", -5},
		{"Gossip exchanges", c.GossipExchanges},
	}
	size := th.Font()
	// Rows close up (down to no gap) before any is left out.
	lh := max(min(frame.LineHeight(size)+th.U(3), r.H/float64(len(rows))), frame.LineHeight(size))
	for i, row := range rows {
		y := r.Y + float64(i)*lh
		if y+lh > r.Bottom() {
			break
		}
		val := strconv.Itoa(row.v)
		switch row.v {
		case -1:
			val = fmt.Sprintf("%d / %d", c.PutsOK, c.PutsFailed)
		case -2:
			val = fmt.Sprintf("%d / %d", c.GetsOK, c.GetsFailed)
		case -3:
			val = fmt.Sprintf("%d / %d", c.HintsStored, c.HintsHandedOff)
		case -4:
			val = fmt.Sprintf("%d / %d", c.MerkleHashes, c.MerkleKeys)
		case -5:
			val = fmt.Sprintf("%d / %d", c.MessagesSent, c.MessagesDropped)
		}
		layer.Label(r.X, y, size, th.TextDim, frame.AlignStart, row.name)
		layer.Label(r.Right(), y, size, th.Text, frame.AlignEnd, val)
	}
}

// Shortcuts is the help overlay's content: key and what it does.
var Shortcuts = [][2]string{
	{"Space", "play / pause (activates a focused button instead)"},
	{"Right arrow or .", "pause and advance one tick"},
	{"Left arrow", "go back one tick (the focus moves to the timeline; acting then forks the run, with Undo)"},
	{"+ / -", "double / halve the speed"},
	{"Tab / Shift+Tab", "move between controls"},
	{"Enter or Space", "press the focused button, open a list"},
	{"Arrow keys", "adjust the focused slider, stepper, list or tabs"},
	{"digits, Enter", "type a seed in the focused Seed box"},
	{"Click a node", "inspect it; crash or restart it there"},
	{"v", "switch the view: the chapter's scene, the space-time diagram, the clients' history"},
	{"Click, [ / ]", "in the diagram or history: explain a bar or an arrow; the previous / next operation"},
	{"Drag, wheel", "in the diagram or history: pan, zoom"},
	{"?", "show or hide this help"},
	{"Esc", "close this help, a list or the notice"},
}

func (l *Lab) drawHelp(layer *frame.Layer) {
	th := &l.theme
	u := th.U
	scr := l.layout.screen
	layer.Rect(scr, frame.RGB(0x000000).WithAlpha(0.6))
	h := layoutHelp(l.measure, th, scr)
	layer.Rect(h.box.Inset(-u(2)), th.Border)
	layer.Rect(h.box, th.Panel)
	x := h.box.X + h.pad
	y := h.box.Y + h.pad
	if h.tight {
		layer.Label(x, y, h.size, th.Text, frame.AlignStart, helpTitle+" · "+helpClose)
	} else {
		layer.Label(x, y, u(18), th.Text, frame.AlignStart, helpTitle)
	}
	y += h.titleH
	for _, r := range h.rows {
		layer.Label(x, y, h.size, th.ControlOn, frame.AlignStart, r.key)
		for _, line := range r.lines {
			layer.Label(x+h.keyW+h.pad, y, h.size, th.Text, frame.AlignStart, line)
			y += h.lineH
		}
		y += h.gap
	}
	if !h.tight {
		layer.Label(x, h.box.Bottom()-u(30), h.size, th.TextDim, frame.AlignStart, helpClose)
	}
}

const (
	helpTitle = "Keyboard shortcuts"
	helpClose = "Press Esc or ? to close."
)

// helpLayout is where the help overlay's parts go: the box, with pad
// inside it, the title's height titleH, and each shortcut's key and
// description, wrapped to the box, at size (lineH a line, gap between two
// shortcuts) and keyW of keys' column. tight: the title is one line of
// text size with the closing words after it, and no closing line.
type helpLayout struct {
	box               frame.Rect
	size, lineH, gap  float64
	pad, titleH, keyW float64
	tight             bool
	rows              []helpRow
}

type helpRow struct {
	key   string
	lines []string
}

// layoutHelp fits the shortcuts into the screen: each description on one
// line where the screen is wide enough, wrapped where it is not, and in a
// short frame (a course page's) closer together, then with a one-line
// title, then smaller, until the box fits.
func layoutHelp(m frame.Measurer, th *ui.Theme, scr frame.Rect) helpLayout {
	u := th.U
	var h helpLayout
	for _, try := range []struct {
		scale, gap float64
		tight      bool
	}{{1, 6, false}, {1, 2, false}, {1, 1, true}, {0.9, 1, true}, {0.8, 0, true}, {0.7, 0, true}} {
		h = helpLayout{size: th.Font() * try.scale, gap: u(try.gap), tight: try.tight, pad: u(24), titleH: u(40)}
		h.lineH = frame.LineHeight(h.size)
		bottom := u(40) // the closing line
		if h.tight {
			h.pad, h.titleH, bottom = u(12), h.lineH+u(6), u(8)
		}
		descW := 0.0
		for _, s := range Shortcuts {
			h.keyW = max(h.keyW, m.Width(s[0], h.size))
			descW = max(descW, m.Width(s[1], h.size))
		}
		w := min(h.keyW+descW+3*h.pad, scr.W-u(24))
		room := w - h.keyW - 3*h.pad
		lines := 0
		for _, s := range Shortcuts {
			r := helpRow{key: s[0], lines: frame.Wrap(m, s[1], h.size, room)}
			for i, line := range r.lines {
				r.lines[i] = frame.Fit(m, line, h.size, room) // a word wider than the room
			}
			lines += len(r.lines)
			h.rows = append(h.rows, r)
		}
		ht := h.pad + h.titleH + float64(lines)*h.lineH + float64(len(Shortcuts))*h.gap + bottom
		h.box = frame.Rect{X: scr.X + (scr.W-w)/2, Y: scr.Y + max((scr.H-ht)/2, u(8)), W: w, H: ht}
		if ht <= scr.H-u(16) {
			return h
		}
	}
	return h
}
