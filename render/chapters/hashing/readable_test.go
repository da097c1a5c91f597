package hashing

import (
	"testing"

	"github.com/ringlab/ringlab/render/chapters/internal/layoutcheck"
	"github.com/ringlab/ringlab/render/lab"
)

// Every chapter after a join and a leave (the picture's busiest moment),
// at every window size from a 480x360 iframe to a 2x desktop.
func TestPicturesAreReadable(t *testing.T) {
	for _, id := range []string{"naive-hashing", "consistent-hashing", "virtual-nodes"} {
		layoutcheck.Check(t, Chapters, measure, id, func(t *testing.T, l *lab.Lab, _ lab.Chapter) {
			do(t, l, join, `{"type":"step"}`)
			do(t, l, leave(1))
		})
	}
}
