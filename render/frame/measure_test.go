package frame

import (
	"math"
	"slices"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

func TestLabelBoxFollowsTheAlignment(t *testing.T) {
	m := &GoRegular{}
	w := m.Width("ring", 12)
	for align, x := range map[Align]float64{AlignStart: 100, AlignCenter: 100 - w/2, AlignEnd: 100 - w} {
		if b := LabelBox(m, 100, 20, 12, align, "ring"); b.X != x || b.W != w || b.Y != 20 || b.H != LineHeight(12) {
			t.Errorf("align %v: box %+v, want x %v width %v", align, b, x, w)
		}
	}
}

// Width caches glyphs and kerning pairs; it must measure as the font's own
// look-ups do, pair by pair (uncachedWidth), for ASCII, kerned pairs,
// spaces, runes past ASCII and runes the font lacks, measured again once
// cached.
func TestWidthMeasuresAsTheFontDoes(t *testing.T) {
	m := &GoRegular{}
	for _, s := range []string{
		"", "ring", "AVATAR To Ty Wa yo", "W + R = 2 <= N = 3", "Can this go wrong?",
		"W + R ≤ N → stale", "naïve hash % N", "\ttab\x01", "  two  spaces ", "n0 → n4: put k=v1 (ctx {n0:1})",
		"零 mixed 文字 AV", "LT\u00a0Ay",
	} {
		want := uncachedWidth(t, s, 13)
		for range 2 {
			if got := m.Width(s, 13); math.Abs(got-want) > 1e-9 {
				t.Errorf("Width(%q) = %v, the font's look-ups give %v", s, got, want)
			}
		}
	}
}

// uncachedWidth measures s with the font's look-ups alone; a space with
// nothing kerned before it (at the start, after such a space, after a rune
// the font lacks) is not kerned with what follows, as Width does.
func uncachedWidth(t *testing.T, s string, size float64) float64 {
	t.Helper()
	f, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	upem := fixed.Int26_6(f.UnitsPerEm())
	var total float64
	var prev sfnt.GlyphIndex
	for _, r := range s {
		idx, err := f.GlyphIndex(&buf, r)
		if err != nil {
			continue
		}
		if prev == 0 && r == ' ' {
			adv, _ := f.GlyphAdvance(&buf, idx, upem, font.HintingNone)
			total += float64(adv) / float64(upem)
			continue
		}
		if prev != 0 {
			if k, err := f.Kern(&buf, prev, idx, upem, font.HintingNone); err == nil {
				total += float64(k) / float64(upem)
			}
		}
		if adv, err := f.GlyphAdvance(&buf, idx, upem, font.HintingNone); err == nil {
			total += float64(adv) / float64(upem)
		}
		prev = idx
	}
	return total * size
}

// fixedWidth measures every rune as one unit.
type fixedWidth struct{}

func (fixedWidth) Width(s string, size float64) float64 {
	return float64(len([]rune(s))) * size
}

// Wrap breaks at spaces, keeps a word longer than the width on its own
// line, runs of spaces collapse to one, and a newline always breaks.
func TestWrapBreaksAtSpaces(t *testing.T) {
	for _, tc := range []struct {
		s     string
		width float64
		want  []string
	}{
		{"put k v1 to n0 n1 n2", 8, []string{"put k v1", "to n0 n1", "n2"}},
		{"a  b   c", 3, []string{"a b", "c"}},
		{"overlong word", 4, []string{"overlong", "word"}},
		{"first\nsecond line", 20, []string{"first", "second line"}},
		{"W ≤ N → ok", 5, []string{"W ≤ N", "→ ok"}},
		{"", 5, nil},
		{" lead", 5, []string{"lead"}},
	} {
		if got := Wrap(fixedWidth{}, tc.s, 1, tc.width); !slices.Equal(got, tc.want) {
			t.Errorf("Wrap(%q, %v) = %q, want %q", tc.s, tc.width, got, tc.want)
		}
	}
}
