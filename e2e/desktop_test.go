//go:build !js

package e2e

import (
	"image"
	"image/color"
	"os"
	"testing"
)

// The desktop binary's -screenshot output (written under Xvfb by `make test`) shows a drawn
// frame of the window's size, not a blank or black image.
func TestDesktopScreenshot(t *testing.T) {
	requireE2E(t)
	path := os.Getenv("RINGLAB_DESKTOP_PNG")
	if path == "" {
		t.Skip("RINGLAB_DESKTOP_PNG names no screenshot; make test writes one with bin/ringlab-desktop -screenshot")
	}
	s := measureImage(readPNG(t, path))
	t.Logf("%s: %v", path, s)
	if reason := blankReason(s); reason != "" {
		t.Errorf("the desktop screenshot looks blank: %s (%s)", reason, path)
	}
	if s.width < 640 || s.height < 400 {
		t.Errorf("the desktop screenshot is %dx%d; want at least 640x400", s.width, s.height)
	}
}

// The desktop build draws the space-time diagram of a run in three chapters
// (`make test` writes the screenshots: a write then a read in the quorums
// chapter, a write in the failures chapter, the summary's workload): each
// is a drawn frame with message arrows in the palette's colours, writes in
// orange and gossip or replies beside them, not a blank or a scene.
func TestDesktopDiagrams(t *testing.T) {
	requireE2E(t)
	prefix := os.Getenv("RINGLAB_DESKTOP_DIAGRAMS")
	if prefix == "" {
		t.Skip("RINGLAB_DESKTOP_DIAGRAMS names no screenshots; make test writes them with bin/ringlab-desktop -view diagram")
	}
	for _, ch := range []string{"quorums", "failures", "summary"} {
		path := prefix + "-" + ch + ".png"
		img := readPNG(t, path)
		s := measureImage(img)
		if reason := blankReason(s); reason != "" {
			t.Errorf("%s looks blank: %s", path, reason)
			continue
		}
		// The plot: the picture's area below the diagram's controls, left of
		// the side panel (whose buttons are sky blue too).
		plot := img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(image.Rect(0, 160, s.width*68/100, s.height*86/100))
		orange := countNear(plot, plotOrange, 24)
		purple := countNear(plot, color.RGBA{0xCC, 0x79, 0xA7, 0xFF}, 24)
		blue := countNear(plot, color.RGBA{0x56, 0xB4, 0xE9, 0xFF}, 24)
		t.Logf("%s: %v; orange %d, purple %d, sky blue %d pixels", path, s, orange, purple, blue)
		if orange < 500 {
			t.Errorf("%s: %d orange pixels; the diagram shows no write (arrows or bars)", path, orange)
		}
		if purple+blue < 5000 {
			t.Errorf("%s: %d purple and sky-blue pixels; the diagram shows no gossip or reply arrows", path, purple+blue)
		}
	}
}

// The desktop build answers "Can this go wrong?" from its search on a goroutine of its own
// (`make test` presses it in the quorums chapter and photographs the window 240 updates on,
// at 60 a second; the search takes milliseconds): the answer's notice, on the game's yellow,
// spans the band under the header of the picture.
func TestDesktopCanThisGoWrong(t *testing.T) {
	requireE2E(t)
	path := os.Getenv("RINGLAB_DESKTOP_GOWRONG")
	if path == "" {
		t.Skip("RINGLAB_DESKTOP_GOWRONG names no screenshot; make test writes one with bin/ringlab-desktop -do press")
	}
	img := readPNG(t, path)
	s := measureImage(img)
	area := image.Rect(0, s.height*10/100, s.width*70/100, s.height*16/100)
	band := img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(area)
	yellow := countNear(band, color.RGBA{0xF0, 0xE4, 0x42, 0xFF}, 24)
	t.Logf("%s: %v; %d yellow pixels of %d in the notice's band", path, s, yellow, area.Dx()*area.Dy())
	if yellow < area.Dx()*area.Dy()/2 {
		t.Errorf("%s: %d yellow pixels of %d under the header: no answer's notice", path, yellow, area.Dx()*area.Dy())
	}
}
