package ui

import "sync"

// QueuedKind is what a queued input event is.
type QueuedKind uint8

const (
	QueuedPress   QueuedKind = iota + 1 // the primary button went down
	QueuedRelease                       // the primary button went up
	QueuedKey                           // a key went down (or repeats)
)

// QueuedEvent is one input event as the platform reported it, between
// frames.
type QueuedEvent struct {
	Kind QueuedKind
	Key  Key // QueuedKey
}

// InputQueue keeps the button presses and key presses that arrive between
// two frames, so that none is lost when a frame is slow: a lab that only
// polled the button's state once a frame would miss a press and release
// that both happened in between (a quick tap at a few frames per second).
//
// Push may be called from any goroutine (an event callback); Fill is called
// by the frame loop.
type InputQueue struct {
	mu   sync.Mutex
	evs  []QueuedEvent
	down bool // the button's state after the events handed out so far
}

// queueMax bounds the events kept: a stalled frame loop does not make the
// queue grow without end (the oldest are kept; the rest are dropped).
const queueMax = 256

// Push adds an event.
func (q *InputQueue) Push(e QueuedEvent) {
	q.mu.Lock()
	if len(q.evs) < queueMax {
		q.evs = append(q.evs, e)
	}
	q.mu.Unlock()
}

// Fill sets a frame's button and key fields (MousePressed, MouseReleased,
// MouseDown, Keys) from the queued events, in the order they happened. A
// frame takes at most one button change: a press and its release queued
// together are handed out over two frames, so that a widget sees the press
// and then the release, as with a slower tap. Keys queued after a button
// change wait for the next frame too, so that they act on what the click
// focused. What Fill does not take stays for the next frames.
func (q *InputQueue) Fill(in *Input) {
	q.mu.Lock()
	defer q.mu.Unlock()
	in.MousePressed, in.MouseReleased = false, false
	in.Keys = in.Keys[:0]
	n := 0
	changed := false
	for ; n < len(q.evs); n++ {
		e := q.evs[n]
		if changed {
			break
		}
		switch e.Kind {
		case QueuedPress:
			in.MousePressed, q.down, changed = true, true, true
		case QueuedRelease:
			in.MouseReleased, q.down, changed = true, false, true
		case QueuedKey:
			in.Keys = append(in.Keys, e.Key)
		}
	}
	q.evs = append(q.evs[:0], q.evs[n:]...)
	in.MouseDown = q.down
}

// Pending is how many events wait for the next frames.
func (q *InputQueue) Pending() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.evs)
}
