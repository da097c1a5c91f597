package core

import (
	"strconv"
	"testing"
	"unsafe"
)

// A failed request's text is kept once in the scratch clusters share, so
// that failing requests alike in many clones makes one string; texts that
// differ stay apart, and past scratchTextsMax texts none is kept.
func TestScratchTextsAreShared(t *testing.T) {
	var s scratch
	a := s.text([]byte("timed out: 1 of 2 acks (from n1)"))
	b := s.text([]byte("timed out: 1 of 2 acks (from n1)"))
	if a != b || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Errorf("the same text twice made two strings: %q, %q", a, b)
	}
	if c := s.text([]byte("timed out: 1 of 2 acks (from n2)")); c == a {
		t.Errorf("two texts read alike: %q", c)
	}
	for i := range 2 * scratchTextsMax {
		s.text(strconv.AppendInt(nil, int64(i), 10))
	}
	if len(s.texts) != scratchTextsMax {
		t.Errorf("%d texts kept, want at most %d", len(s.texts), scratchTextsMax)
	}
}
