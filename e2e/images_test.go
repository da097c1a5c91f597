//go:build !js

package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"
)

// imageStats summarises a screenshot well enough to tell a drawn frame from a blank one.
type imageStats struct {
	width, height   int
	distinctColours int
	dominant        color.RGBA
	dominantShare   float64 // of all pixels, 0..1
}

func (s imageStats) String() string {
	return fmt.Sprintf("%dx%d, %d distinct colours, most common %02x%02x%02x on %.1f%% of pixels",
		s.width, s.height, s.distinctColours, s.dominant.R, s.dominant.G, s.dominant.B, 100*s.dominantShare)
}

func measureImage(img image.Image) imageStats {
	b := img.Bounds()
	counts := make(map[color.RGBA]int)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			counts[c]++
		}
	}
	s := imageStats{width: b.Dx(), height: b.Dy(), distinctColours: len(counts)}
	best := -1
	for c, n := range counts {
		// Ties broken by the colour value, so the summary does not depend on map order.
		if n > best || (n == best && colourKey(c) < colourKey(s.dominant)) {
			best, s.dominant = n, c
		}
	}
	if total := b.Dx() * b.Dy(); total > 0 {
		s.dominantShare = float64(best) / float64(total)
	}
	return s
}

func colourKey(c color.RGBA) uint32 {
	return uint32(c.R)<<24 | uint32(c.G)<<16 | uint32(c.B)<<8 | uint32(c.A)
}

// Thresholds for "something was drawn": a frame of the lab has a ring, coloured nodes and
// anti-aliased text, so many colours and at least a few percent of the pixels off the
// background; a blank, black or uniformly cleared frame has a handful of colours and one of
// them nearly everywhere.
const (
	minDistinctColours = 32
	maxDominantShare   = 0.99
)

// blankReason says why the image does not look like a drawn frame, or "" when it does.
func blankReason(s imageStats) string {
	switch {
	case s.width == 0 || s.height == 0:
		return "the image is empty"
	case s.distinctColours < minDistinctColours:
		return fmt.Sprintf("only %d distinct colours (want at least %d)", s.distinctColours, minDistinctColours)
	case s.dominantShare > maxDominantShare:
		return fmt.Sprintf("one colour covers %.1f%% of the image (want at most %.0f%%)", 100*s.dominantShare, 100*maxDominantShare)
	}
	return ""
}

func decodePNG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decoding PNG: %v", err)
	}
	return img
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return decodePNG(t, data)
}

// The blank check itself, on images whose answer is known; runs without a browser.
func TestBlankReason(t *testing.T) {
	uniform := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range uniform.Pix {
		uniform.Pix[i] = 0xff
	}

	// A dark background with a small message: a few colours, one of them nearly everywhere.
	message := image.NewRGBA(image.Rect(0, 0, 200, 100))
	for y := 0; y < 100; y++ {
		for x := 0; x < 200; x++ {
			message.Set(x, y, color.RGBA{11, 13, 18, 255})
		}
	}
	for x := 80; x < 120; x++ {
		message.Set(x, 50, color.RGBA{uint8(x), 200, 200, 255})
	}

	// A drawn frame: a gradient with a background, many colours, none dominant.
	drawn := image.NewRGBA(image.Rect(0, 0, 128, 128))
	for y := 0; y < 128; y++ {
		for x := 0; x < 128; x++ {
			drawn.Set(x, y, color.RGBA{uint8(2 * x), uint8(2 * y), 90, 255})
		}
	}

	tests := []struct {
		name      string
		img       image.Image
		wantBlank bool
	}{
		{name: "empty image", img: image.NewRGBA(image.Rect(0, 0, 0, 0)), wantBlank: true},
		{name: "uniform white", img: uniform, wantBlank: true},
		{name: "background with a small message", img: message, wantBlank: true},
		{name: "many colours, no dominant one", img: drawn, wantBlank: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := measureImage(tt.img)
			reason := blankReason(s)
			if (reason != "") != tt.wantBlank {
				t.Errorf("%s: blankReason = %q for %v; want blank %v", tt.name, reason, s, tt.wantBlank)
			}
		})
	}
}
