package quorum

import (
	"testing"

	"github.com/ringlab/ringlab/render/chapters/internal/layoutcheck"
	"github.com/ringlab/ringlab/render/lab"
)

// Every chapter a few ticks in, and after its main action has run, at
// every window size from a 480x360 iframe to a 2x desktop.
func TestPicturesAreReadable(t *testing.T) {
	stories := []struct {
		id    string
		story layoutcheck.Story
	}{
		{"replication", func(t *testing.T, l *lab.Lab, _ lab.Chapter) { run(t, l, 3) }},
		{"cap", func(t *testing.T, l *lab.Lab, _ lab.Chapter) { run(t, l, 3) }},
		{"quorums", func(t *testing.T, l *lab.Lab, _ lab.Chapter) { run(t, l, 3) }},
	}
	for _, s := range stories {
		layoutcheck.Check(t, Chapters, measure, s.id, s.story)
	}
}
