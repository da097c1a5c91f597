package lab

import "github.com/ringlab/ringlab/core"

// RunTrace is every event of the current run's retained window, up to the
// current tick: from tick 0 while the run is shorter than the window
// (Timeline.Start is 0), else from Start. The run is not replayed: the
// window holds them (tracestore).
//
// Chapters that draw history (a key's version graph, the last Merkle
// exchange) keep the events they need as the run goes; they call this only
// when they find a gap in the trace's sequence numbers, which happens when
// a scrub rebuilt the live cluster from a checkpoint.
func (x *Context) RunTrace() ([]core.Event, error) {
	return x.lab.tl.windowEvents(), nil
}
