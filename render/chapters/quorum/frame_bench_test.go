package quorum

import (
	"testing"

	"github.com/ringlab/ringlab/render/lab"
)

// BenchmarkPausedQuorumsFrame is one update of the quorums chapter, paused,
// at 1280x800: the layout and text of a frame with nothing moving, most of
// it measuring and wrapping text (frame.GoRegular). It reports allocations;
// run it beside an older build for the ratio.
func BenchmarkPausedQuorumsFrame(b *testing.B) {
	l, err := lab.New(Chapters(), measure, lab.OptionsFromFragment("#v=1&chapter=quorums", lab.Options{Paused: true}))
	if err != nil {
		b.Fatal(err)
	}
	sz := lab.Size{W: 1280, H: 800, Scale: 1}
	for range 10 {
		l.Update(idle(), sz)
	}
	b.ReportAllocs()
	for b.Loop() {
		l.Update(idle(), sz)
	}
}
