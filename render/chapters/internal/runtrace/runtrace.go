// Package runtrace keeps the events of a lab run that a chapter draws from,
// from the start of the run's retained window to the tick on screen, whatever way the run got there
// (played, scrubbed, forked, opened from a link or a replay file).
package runtrace

import (
	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/lab"
)

// Trace keeps the events of the current run that a chapter draws from, from
// tick 0 to the current tick, across frames and scrubs. The lab hands a
// chapter only the events of each frame; a picture of history (a version
// graph, the last Merkle exchange) needs all of them.
//
// Events carry their position in the run's trace (Seq, from 1), so a gap is
// detected exactly: when the next event is not lastSeq+1 the trace is
// rebuilt by replaying the run (lab.Context.RunTrace). Going back in time
// only cuts the tail, since the run is deterministic.
type Trace struct {
	keep func(*core.Event) bool
	// Events are the kept events, in trace order. Callers read them only.
	Events []core.Event
	// ticks[i] is the last sequence number of the trace at the end of a
	// tick, ascending by tick: after a scrub back to tick t, the trace
	// continues from the entry of the last tick <= t.
	ticks   []tickSeq
	lastSeq uint64
	tick    int64
	// rebuilt counts rebuilds by replay, for tests.
	rebuilt int
}

type tickSeq struct {
	tick int64
	seq  uint64
}

// New makes a trace that keeps the events of the kinds keep accepts (all of
// them for nil).
func New(kinds func(core.EventKind) bool) Trace {
	if kinds == nil {
		return Trace{}
	}
	return Trace{keep: func(e *core.Event) bool { return kinds(e.Kind) }}
}

// NewFiltered makes a trace that keeps the events keep accepts.
func NewFiltered(keep func(*core.Event) bool) Trace { return Trace{keep: keep} }

// Rebuilt counts the rebuilds by replay so far.
func (t *Trace) Rebuilt() int { return t.rebuilt }

// From is the first tick the trace keeps (0 when it keeps none): the start
// of the run's retained window, give or take the quarter forget waits for.
func (t *Trace) From() int64 {
	if len(t.ticks) == 0 {
		return 0
	}
	return t.ticks[0].tick
}

// Reset forgets everything: a new run starts.
func (t *Trace) Reset() {
	t.Events, t.ticks = t.Events[:0], t.ticks[:0]
	t.lastSeq, t.tick = 0, 0
}

// Sync brings the trace to the context's tick with the frame's events.
func (t *Trace) Sync(x *lab.Context) {
	if x.View == nil {
		return
	}
	now := x.View.Tick
	if now < t.tick {
		t.cut(now)
	}
	for i, e := range x.Events {
		if e.Seq <= t.lastSeq {
			continue // already kept (a replayed tick)
		}
		if e.Seq != t.lastSeq+1 {
			t.rebuild(x)
			return
		}
		t.add(x.Events[i])
	}
	// A run opened at a later tick (a link, a replay file) hands over only
	// part of its events, or none: a tail the frame did not bring is a gap
	// too. The cluster counts every event it emitted.
	if emitted := uint64(x.Cluster().Counters().Events); emitted > t.lastSeq {
		t.rebuild(x)
		return
	}
	t.tick = now
	t.forget(x.Trace().Start())
}

// forget drops what is before the run's retained window (lab.Context.Trace):
// a long run keeps only its recent past, here as in the lab. It waits until
// a quarter of what is kept is older, so that it copies rarely.
func (t *Trace) forget(start int64) {
	i := 0
	for i < len(t.ticks) && t.ticks[i].tick < start {
		i++
	}
	if i == 0 || i < len(t.ticks)/4 {
		return
	}
	t.ticks = append(t.ticks[:0], t.ticks[i:]...)
	j := 0
	for j < len(t.Events) && t.Events[j].Tick < start {
		j++
	}
	n := copy(t.Events, t.Events[j:])
	clear(t.Events[n:])
	t.Events = t.Events[:n]
}

func (t *Trace) add(e core.Event) {
	if n := len(t.ticks); n > 0 && t.ticks[n-1].tick == e.Tick {
		t.ticks[n-1].seq = e.Seq
	} else {
		t.ticks = append(t.ticks, tickSeq{e.Tick, e.Seq})
	}
	t.lastSeq = e.Seq
	if t.keep == nil || t.keep(&e) {
		t.Events = append(t.Events, e)
	}
}

// cut drops everything after tick now.
func (t *Trace) cut(now int64) {
	i := len(t.ticks)
	for i > 0 && t.ticks[i-1].tick > now {
		i--
	}
	t.ticks = t.ticks[:i]
	t.lastSeq = 0
	if i > 0 {
		t.lastSeq = t.ticks[i-1].seq
	}
	j := len(t.Events)
	for j > 0 && t.Events[j-1].Seq > t.lastSeq {
		j--
	}
	t.Events = t.Events[:j]
	t.tick = now
}

func (t *Trace) rebuild(x *lab.Context) {
	evs, err := x.RunTrace()
	t.Reset()
	t.rebuilt++
	if err != nil {
		x.Notify("Could not rebuild the history of this run: " + err.Error())
		return
	}
	for i := range evs {
		t.add(evs[i])
	}
	t.tick = x.View.Tick
}
