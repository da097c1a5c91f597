package lab

import (
	"strconv"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/runfmt"
)

// OpenSchedule opens a run given as a configuration and its commands (a
// schedule the search found, core/explore) in the current chapter, at tick,
// paused, as a replay file would open it: at the start of the next frame,
// and if it cannot be rebuilt the run on screen stays and a notice says why.
// It opens on the space-time diagram with operation op (its index in the
// history, as the search names the violating one) selected and explained;
// op negative selects nothing.
func (x *Context) OpenSchedule(cfg core.Config, schedule []core.Recorded, tick int64, op int) {
	r := runfmt.Replay{Format: runfmt.ReplayFormat, Version: runfmt.ReplayVersion, Chapter: x.lab.Chapter().Info().ID,
		View: ViewDiagram, Seed: cfg.Seed, Tick: tick, Config: cfg, Actions: schedule}
	if op >= 0 {
		// Requests are numbered from 1 in the order they start, as the
		// history is.
		r.Select = "op:" + strconv.Itoa(op+1)
	}
	// No notice once it is open: the diagram selects the violating
	// operation and says under it what went wrong, and a notice would
	// cover the controls that step through the schedule.
	x.lab.enqueue(action{kind: "replay", replay: &r, quiet: true})
}
