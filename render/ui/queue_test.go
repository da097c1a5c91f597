package ui

import (
	"slices"
	"testing"

	"github.com/ringlab/ringlab/render/frame"
)

// A tap (press and release) and a key that all arrive between two frames
// are handed out over the next frames in order, and the tap clicks the
// button under the pointer: polling the button's state once a frame would
// have seen it up both times and lost the click.
func TestQueuedQuickTapIsNotLost(t *testing.T) {
	clicks := 0
	b := NewButton("b", "Go", "", func() { clicks++ })
	b.SetBounds(frame.Rect{X: 10, Y: 10, W: 60, H: 30})
	m := newManager()
	var q InputQueue
	q.Push(QueuedEvent{Kind: QueuedPress})
	q.Push(QueuedEvent{Kind: QueuedRelease})
	q.Push(QueuedEvent{Kind: QueuedKey, Key: KeyRight})
	type step struct {
		pressed, released, down bool
		keys                    []Key
	}
	want := []step{{pressed: true, down: true}, {released: true}, {keys: []Key{KeyRight}}, {}}
	for i, w := range want {
		in := Input{MouseX: 20, MouseY: 20}
		q.Fill(&in)
		got := step{in.MousePressed, in.MouseReleased, in.MouseDown, slices.Clone(in.Keys)}
		if got.pressed != w.pressed || got.released != w.released || got.down != w.down || !slices.Equal(got.keys, w.keys) {
			t.Errorf("frame %d: %+v, want %+v", i+1, got, w)
		}
		frameWith(m, in, b)
	}
	if clicks != 1 {
		t.Errorf("%d clicks, want the tap's one", clicks)
	}
	if q.Pending() != 0 {
		t.Errorf("%d events left", q.Pending())
	}
}

// Keys queued together all arrive in one frame, in order; a held button
// stays down across frames until its release.
func TestQueuedKeysAndHeldButton(t *testing.T) {
	var q InputQueue
	q.Push(QueuedEvent{Kind: QueuedKey, Key: KeyTab})
	q.Push(QueuedEvent{Kind: QueuedKey, Key: KeyTab})
	q.Push(QueuedEvent{Kind: QueuedPress})
	var in Input
	q.Fill(&in)
	if !slices.Equal(in.Keys, []Key{KeyTab, KeyTab}) || !in.MousePressed {
		t.Fatalf("first frame: keys %v pressed %v, want two Tabs and the press", in.Keys, in.MousePressed)
	}
	for range 3 {
		q.Fill(&in)
		if !in.MouseDown || in.MousePressed {
			t.Fatalf("while held: down %v pressed %v", in.MouseDown, in.MousePressed)
		}
	}
	q.Push(QueuedEvent{Kind: QueuedRelease})
	q.Fill(&in)
	if in.MouseDown || !in.MouseReleased {
		t.Errorf("after the release: down %v released %v", in.MouseDown, in.MouseReleased)
	}
}
