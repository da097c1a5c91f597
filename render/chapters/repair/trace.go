package repair

import (
	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/lab"
)

// trace keeps the events of the current run that a chapter draws from, from
// tick 0 to the current tick, across frames and scrubs. The lab hands a
// chapter only the events of each frame; a picture of history (a version
// graph, the last Merkle exchange) needs all of them.
//
// Events carry their position in the run's trace (Seq, from 1), so a gap is
// detected exactly: when the next event is not lastSeq+1 the trace is
// rebuilt by replaying the run (lab.Context.RunTrace). Going back in time
// only cuts the tail, since the run is deterministic.
type trace struct {
	keep func(core.EventKind) bool
	// events are the kept events, in trace order.
	events []core.Event
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

func newTrace(keep func(core.EventKind) bool) trace { return trace{keep: keep} }

// reset forgets everything: a new run starts.
func (t *trace) reset() {
	t.events, t.ticks = t.events[:0], t.ticks[:0]
	t.lastSeq, t.tick = 0, 0
}

// sync brings the trace to the context's tick with the frame's events.
func (t *trace) sync(x *lab.Context) {
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
func (t *trace) forget(start int64) {
	i := 0
	for i < len(t.ticks) && t.ticks[i].tick < start {
		i++
	}
	if i == 0 || i < len(t.ticks)/4 {
		return
	}
	t.ticks = append(t.ticks[:0], t.ticks[i:]...)
	j := 0
	for j < len(t.events) && t.events[j].Tick < start {
		j++
	}
	n := copy(t.events, t.events[j:])
	clear(t.events[n:])
	t.events = t.events[:n]
}

func (t *trace) add(e core.Event) {
	if n := len(t.ticks); n > 0 && t.ticks[n-1].tick == e.Tick {
		t.ticks[n-1].seq = e.Seq
	} else {
		t.ticks = append(t.ticks, tickSeq{e.Tick, e.Seq})
	}
	t.lastSeq = e.Seq
	if t.keep == nil || t.keep(e.Kind) {
		t.events = append(t.events, e)
	}
}

// cut drops everything after tick now.
func (t *trace) cut(now int64) {
	i := len(t.ticks)
	for i > 0 && t.ticks[i-1].tick > now {
		i--
	}
	t.ticks = t.ticks[:i]
	t.lastSeq = 0
	if i > 0 {
		t.lastSeq = t.ticks[i-1].seq
	}
	j := len(t.events)
	for j > 0 && t.events[j-1].Seq > t.lastSeq {
		j--
	}
	t.events = t.events[:j]
	t.tick = now
}

func (t *trace) rebuild(x *lab.Context) {
	evs, err := x.RunTrace()
	t.reset()
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
