package hashing

import (
	"fmt"
	"testing"

	"github.com/ringlab/ringlab/render/lab"
)

// A link may give the chapter many servers: every server's block of keys is
// still drawn, side by side, each key a visible square.
func TestNaiveDrawsManyServers(t *testing.T) {
	for _, n := range []int{16, 64} {
		l, err := lab.New(Chapters(), measure, lab.OptionsFromFragment(fmt.Sprintf("#v=1&chapter=naive-hashing&seed=3&nodes=%d", n), lab.Options{Paused: true}))
		if err != nil {
			t.Fatal(err)
		}
		l.Update(idle(), desktop)
		c := l.Chapter().(*Naive)
		if len(c.blocks) != n {
			t.Fatalf("%d servers: %d blocks drawn", n, len(c.blocks))
		}
		if c.cell < 2 {
			t.Errorf("%d servers: key squares of %.1f px", n, c.cell)
		}
		keys := 0
		for i, b := range c.blocks {
			keys += len(b.Keys)
			if b.Rect.W <= 0 || b.Rect.H <= 0 {
				t.Errorf("%d servers: the block of %v is %+v", n, b.Server, b.Rect)
			}
			if i > 0 && b.Rect.X < c.blocks[i-1].Rect.X+c.blocks[i-1].Rect.W {
				t.Errorf("%d servers: the blocks of %v and %v overlap", n, c.blocks[i-1].Server, b.Server)
			}
		}
		if keys != len(c.modBefore) {
			t.Errorf("%d servers: %d keys in the blocks, want all %d", n, keys, len(c.modBefore))
		}
	}
}
