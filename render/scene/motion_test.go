package scene

import (
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
)

// TestReducedMotionDrawsMessagesAtTheirDestination: with reduced motion a
// message in flight is drawn where it will arrive, at every tick and phase
// of its flight, with no trail; without it, it moves.
func TestReducedMotionDrawsMessagesAtTheirDestination(t *testing.T) {
	t.Cleanup(func() { SetReducedMotion(false) })
	area := frame.Rect{W: 800, H: 600}
	msg := core.Message{ID: 1, Kind: core.MsgPutReq, From: 0, To: 3, SendTick: 10, DeliverTick: 16}
	picture := func(tick int64, phase float64) (MessagePlace, NodePlace, int) {
		v := viewOf(5, 4, 0)
		v.Tick = tick
		v.InFlight = []core.Message{msg}
		var s Ring
		var l frame.Layer
		s.Build(&Input{View: v, Phase: phase, Area: area, Scale: 1, Selected: core.NoNode}, &l)
		if len(s.Messages) != 1 {
			t.Fatalf("tick %d: %d messages drawn, want 1", tick, len(s.Messages))
		}
		to, _ := s.place(msg.To)
		return s.Messages[0], to, l.VertexCount()
	}
	// Without: the message moves between frames.
	a, _, _ := picture(11, 0)
	b, _, _ := picture(13, 0.5)
	if a.X == b.X && a.Y == b.Y {
		t.Fatal("without reduced motion the message does not move")
	}
	_, _, withTrail := picture(15, 0.5)

	SetReducedMotion(true)
	for _, at := range []struct {
		tick  int64
		phase float64
	}{{10, 0}, {11, 0.25}, {13, 0.5}, {15, 0.99}} {
		m, to, verts := picture(at.tick, at.phase)
		if m.Progress != 1 || m.X != to.X || m.Y != to.Y {
			t.Errorf("tick %d phase %v: message at (%.1f,%.1f) progress %v, want at its destination (%.1f,%.1f)",
				at.tick, at.phase, m.X, m.Y, m.Progress, to.X, to.Y)
		}
		if verts >= withTrail {
			t.Errorf("tick %d: %d vertices, not fewer than the %d with a trail", at.tick, verts, withTrail)
		}
	}
	if p := Progress(msg, 12.3); p != 1 {
		t.Errorf("Progress with reduced motion = %v, want 1", p)
	}
}
