package lab

import "github.com/ringlab/ringlab/core"

// RunTrace is every event of the current run from tick 0 up to the current
// tick, rebuilt by replaying the run's configuration and the commands
// recorded up to now on a fresh cluster; the live cluster is not touched.
//
// Chapters that draw history (a key's version graph, the last Merkle
// exchange) keep the events they need as the run goes; they call this only
// when they find a gap in the trace's sequence numbers, which happens when
// a scrub rebuilt the live cluster from a checkpoint.
func (x *Context) RunTrace() ([]core.Event, error) {
	tl := x.lab.tl
	now := tl.Now()
	rec := tl.Recorded()
	n := 0
	for n < len(rec) && rec[n].Tick <= now {
		n++
	}
	c, err := core.Replay(tl.Config(), rec[:n], now)
	if err != nil {
		return nil, err
	}
	return c.Events(), nil
}
