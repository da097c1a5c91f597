package lab

import (
	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/runfmt"
)

// OpenSchedule opens a run given as a configuration and its commands (a
// schedule the search found, core/explore) in the current chapter, at tick,
// paused, as a replay file would open it: at the start of the next frame,
// and if it cannot be rebuilt the run on screen stays and a notice says why.
func (x *Context) OpenSchedule(cfg core.Config, schedule []core.Recorded, tick int64) {
	r := runfmt.Replay{Format: runfmt.ReplayFormat, Version: runfmt.ReplayVersion, Chapter: x.lab.Chapter().Info().ID,
		Seed: cfg.Seed, Tick: tick, Config: cfg, Actions: schedule}
	x.lab.enqueue(action{kind: "replay", replay: &r})
}
