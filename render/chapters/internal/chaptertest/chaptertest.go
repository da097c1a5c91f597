// Package chaptertest holds what the chapter packages' tests share: the
// font measurer, the usual window, an idle input, and opening a paused lab
// on a chapter as a person would see it after one frame.
package chaptertest

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// Measure measures text in Go Regular, the lab's font. It is not safe for
// concurrent use; the chapter tests do not run in parallel.
var Measure = &frame.GoRegular{}

// Desktop is the usual desktop window, at 1x.
var Desktop = lab.Size{W: 1280, H: 800, Scale: 1}

// Idle is a frame's input with no key, button or pointer on the lab.
func Idle() *ui.Input { return &ui.Input{MouseX: -1, MouseY: -1} }

// Open starts a paused lab on chapters at chapter id ("" for the first)
// with seed, runs one frame at Desktop, and fails the test if the lab
// could not start or opened another chapter.
func Open(t testing.TB, chapters []lab.Chapter, id string, seed uint64) *lab.Lab {
	t.Helper()
	l, err := lab.New(chapters, Measure, lab.Options{Chapter: id, Seed: seed, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	l.Update(Idle(), Desktop)
	if got := l.Chapter().Info().ID; id != "" && got != id {
		t.Fatalf("the lab opened chapter %q, want %q", got, id)
	}
	return l
}

// Glyph is a node's glyph found in a picture: a disc of the node's colour
// on a black one of the same centre (how the chapters without a ring draw
// an up node).
type Glyph struct {
	X, Y, R float64
	C       frame.Color
}

// glyphSegments is the number of segments the chapters' node glyphs use.
const glyphSegments = 24

// NodeGlyphs finds the node glyphs in a layer's geometry: a disc of
// glyphSegments segments in black followed by a coloured one of the same
// centre.
func NodeGlyphs(l *frame.Layer) []Glyph {
	var out []Glyph
	black := frame.RGB(0x000000)
	for _, b := range l.Batches() {
		vs := b.Verts
		disc := func(i int) (cx, cy, r float64, c frame.Color, ok bool) {
			if i+glyphSegments >= len(vs) {
				return 0, 0, 0, frame.Color{}, false
			}
			ctr := vs[i]
			r = math.Hypot(float64(vs[i+1].X-ctr.X), float64(vs[i+1].Y-ctr.Y))
			if r < 2 {
				return 0, 0, 0, frame.Color{}, false
			}
			for k := 1; k <= glyphSegments; k++ {
				v := vs[i+k]
				if v.C != ctr.C || math.Abs(math.Hypot(float64(v.X-ctr.X), float64(v.Y-ctr.Y))-r) > 0.05 {
					return 0, 0, 0, frame.Color{}, false
				}
			}
			return float64(ctr.X), float64(ctr.Y), r, ctr.C, true
		}
		for i := 0; i+2*(glyphSegments+1) <= len(vs); i++ {
			x0, y0, r0, c0, ok0 := disc(i)
			if !ok0 || c0 != black {
				continue
			}
			x1, y1, r1, c1, ok1 := disc(i + glyphSegments + 1)
			if !ok1 || c1 == black || math.Abs(x1-x0) > 0.01 || math.Abs(y1-y0) > 0.01 || r1 >= r0 {
				continue
			}
			out = append(out, Glyph{X: x0, Y: y0, R: r0, C: c1})
			i += 2*(glyphSegments+1) - 1
		}
	}
	return out
}

// Click presses the primary button at (x, y) for one frame at Desktop.
func Click(l *lab.Lab, x, y float64) {
	l.Update(&ui.Input{MouseX: x, MouseY: y, MousePressed: true, MouseDown: true}, Desktop)
	l.Update(&ui.Input{MouseX: x, MouseY: y, MouseReleased: true}, Desktop)
}

// NodeOfColour is the node of the view that wears colour c (scene.NodeColor),
// or core.NoNode: a test finds the node a drawn glyph stands for by it.
func NodeOfColour(v *core.View, c frame.Color) core.NodeID {
	for _, n := range v.Nodes {
		if scene.NodeColor(n.ID) == c {
			return n.ID
		}
	}
	return core.NoNode
}

// ViewText is what the diagram or the history view says of its selection
// (the page's state().viewText), as of the last frame.
func ViewText(t testing.TB, l *lab.Lab) string {
	t.Helper()
	var st struct {
		ViewText string `json:"viewText"`
	}
	if err := json.Unmarshal([]byte(l.State()), &st); err != nil {
		t.Fatal(err)
	}
	return st.ViewText
}
