package frame

import (
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Measurer tells how wide a line of text is at a font size. Layout uses it
// to size controls and to shorten text that would overflow.
type Measurer interface {
	// Width is the advance of s at size (both in device pixels).
	Width(s string, size float64) float64
}

// GoRegular measures text set in the Go Regular font, the face the lab
// paints with, from the font's own advance widths and kerning. It is safe
// for concurrent use.
type GoRegular struct {
	once sync.Once
	f    *sfnt.Font
	err  error
	// advances caches the advance of each ASCII rune at 1 unit per em,
	// index its glyph (both 0 where the font has none), and kern the
	// kerning of each pair of them, filled as pairs are met (kerned says
	// which are): a frame measures hundreds of strings, and the font's
	// look-ups cost more than the rest of a frame's layout.
	advances [128]float64
	index    [128]sfnt.GlyphIndex
	kern     [128][128]float64
	kerned   [128][128]bool
	mu       sync.Mutex
	buf      sfnt.Buffer
}

func (g *GoRegular) load() {
	g.f, g.err = sfnt.Parse(goregular.TTF)
	if g.err != nil {
		return
	}
	upem := fixed.Int26_6(g.f.UnitsPerEm())
	for r := range 128 {
		idx, err := g.f.GlyphIndex(&g.buf, rune(r))
		if err != nil || idx == 0 {
			continue
		}
		adv, err := g.f.GlyphAdvance(&g.buf, idx, upem, font.HintingNone)
		if err == nil {
			g.advances[r] = float64(adv) / float64(upem)
			g.index[r] = idx
		}
	}
}

// Width implements Measurer.
func (g *GoRegular) Width(s string, size float64) float64 {
	g.once.Do(g.load)
	if g.err != nil {
		return float64(len(s)) * size * 0.55
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	upem := fixed.Int26_6(g.f.UnitsPerEm())
	var total float64
	// prev is the glyph before (0: none, or a space at the start or after
	// one, which is not kerned), prevRune its rune.
	var prev sfnt.GlyphIndex
	var prevRune rune
	for _, r := range s {
		ascii := r < 128 && g.advances[r] > 0
		if ascii && prev == 0 {
			total += g.advances[r]
			prev, prevRune = 0, r
			if r != ' ' {
				prev = g.index[r]
			}
			continue
		}
		var idx sfnt.GlyphIndex
		if ascii {
			idx = g.index[r]
		} else {
			var err error
			if idx, err = g.f.GlyphIndex(&g.buf, r); err != nil {
				continue
			}
		}
		if prev != 0 {
			if ascii && prevRune < 128 && g.advances[prevRune] > 0 {
				total += g.kernASCII(prevRune, r, upem)
			} else {
				total += g.kernGlyphs(prev, idx, upem)
			}
		}
		if ascii {
			total += g.advances[r]
		} else if adv, err := g.f.GlyphAdvance(&g.buf, idx, upem, font.HintingNone); err == nil {
			total += float64(adv) / float64(upem)
		}
		prev, prevRune = idx, r
	}
	return total * size
}

// kernASCII is kernGlyphs of two ASCII runes the font has, from the cache.
func (g *GoRegular) kernASCII(a, b rune, upem fixed.Int26_6) float64 {
	if !g.kerned[a][b] {
		g.kern[a][b], g.kerned[a][b] = g.kernGlyphs(g.index[a], g.index[b], upem), true
	}
	return g.kern[a][b]
}

// kernGlyphs is the kerning between two glyphs at 1 unit per em.
func (g *GoRegular) kernGlyphs(a, b sfnt.GlyphIndex, upem fixed.Int26_6) float64 {
	k, err := g.f.Kern(&g.buf, a, b, upem, font.HintingNone)
	if err != nil {
		return 0
	}
	return float64(k) / float64(upem)
}

// Missing returns the runes of s that Go Regular has no glyph for (they
// would be painted as empty boxes).
func (g *GoRegular) Missing(s string) []rune {
	g.once.Do(g.load)
	if g.err != nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []rune
	for _, r := range s {
		if r < 128 && (r < ' ' || g.advances[r] > 0 || r == ' ') {
			continue
		}
		if idx, err := g.f.GlyphIndex(&g.buf, r); err != nil || idx == 0 {
			out = append(out, r)
		}
	}
	return out
}

// LineHeight is the height of a line box for a font size: the distance
// Ebitengine's text package advances between lines of Go Regular.
func LineHeight(size float64) float64 { return size * 1.2 }

// Fit returns s, shortened with an ellipsis if needed, so that it is at most
// maxWidth wide at size.
func Fit(m Measurer, s string, size, maxWidth float64) string {
	if m.Width(s, size) <= maxWidth {
		return s
	}
	const ellipsis = "…"
	r := []rune(s)
	lo, hi := 0, len(r)
	for lo < hi { // longest prefix that fits with the ellipsis
		mid := (lo + hi + 1) / 2
		if m.Width(string(r[:mid])+ellipsis, size) <= maxWidth {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return ""
	}
	return string(r[:lo]) + ellipsis
}

// Wrap breaks s into lines no wider than maxWidth at size, at spaces; a
// single word wider than maxWidth gets a line of its own.
func Wrap(m Measurer, s string, size, maxWidth float64) []string {
	var lines []string
	line := ""
	start := 0 // where the word being read began
	flush := func(end int) {
		word := s[start:end]
		if word == "" {
			return
		}
		cand := word
		if line != "" {
			cand = line + " " + word
		}
		if line != "" && m.Width(cand, size) > maxWidth {
			lines = append(lines, line)
			line = word
		} else {
			line = cand
		}
	}
	for i, r := range s {
		if r == ' ' || r == '\n' {
			flush(i)
			start = i + 1
			if r == '\n' {
				lines = append(lines, line)
				line = ""
			}
		}
	}
	flush(len(s))
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// LabelBox is the rectangle a label covers when painted by Layer.Label
// with these arguments: x and align say where it stands across, y is the
// top of its line box; the width is measured with m.
func LabelBox(m Measurer, x, y, size float64, align Align, s string) Rect {
	w := m.Width(s, size)
	switch align {
	case AlignCenter:
		x -= w / 2
	case AlignEnd:
		x -= w
	}
	return Rect{X: x, Y: y, W: w, H: LineHeight(size)}
}
