package lab

import (
	"strings"
	"testing"

	"github.com/ringlab/ringlab/runfmt"
)

func TestOptionsFromFragment(t *testing.T) {
	def := Options{Seed: 1}
	cases := []struct {
		name     string
		frag     string
		chapter  string
		seed     uint64
		speed    float64
		paused   bool
		noticeOf string // a word the notice must contain; "" for no notice
	}{
		{"empty", "", "", 1, 0, false, ""},
		{"chapter and seed", "#v=1&chapter=2&seed=7", "2", 7, 0, false, ""},
		{"without hash sign", "chapter=sandbox&speed=120&paused=1", "sandbox", 1, 120, true, ""},
		{"unknown keys ignored silently", "#v=1&colour=blue&seed=9", "", 9, 0, false, ""},
		{"negative seed", "#seed=-4", "", 1, 0, false, "seed"},
		{"non-numeric seed", "#seed=abc", "", 1, 0, false, "seed"},
		{"absurd seed", "#seed=99999999999999999999999", "", 1, 0, false, "seed"},
		{"speed out of range", "#speed=0", "", 1, 0, false, "speed"},
		{"bad paused", "#paused=maybe", "", 1, 0, false, "paused"},
		{"future version", "#v=9&seed=3", "", 3, 0, false, "version"},
		{"over-long", "#seed=" + strings.Repeat("1", runfmt.FragmentMax), "", 1, 0, false, "longer"},
		{"broken escape keeps the good values", "#seed=5&x=%zz", "", 5, 0, false, "Ignored"},
	}
	for _, tc := range cases {
		o := OptionsFromFragment(tc.frag, def)
		if o.Chapter != tc.chapter || o.Seed != tc.seed || o.Speed != tc.speed || o.Paused != tc.paused {
			t.Errorf("%s: got chapter %q seed %d speed %v paused %v", tc.name, o.Chapter, o.Seed, o.Speed, o.Paused)
		}
		notice := strings.Join(o.Notices, " ")
		if tc.noticeOf == "" && notice != "" {
			t.Errorf("%s: unexpected notice %q", tc.name, notice)
		}
		if tc.noticeOf != "" && !strings.Contains(notice, tc.noticeOf) {
			t.Errorf("%s: notice %q does not mention %q", tc.name, notice, tc.noticeOf)
		}
	}
}
