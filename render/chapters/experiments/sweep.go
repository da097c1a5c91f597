package experiments

import (
	"time"

	expt "github.com/ringlab/ringlab/experiments"
)

// Sweep state, as the status line tells it.
type sweepState uint8

const (
	sweepRunning sweepState = iota
	sweepDone
	sweepCancelled
)

// sweep is one run of an experiment, spread over frames: each frame calls
// advance, which takes Step(1) at a time until the frame's share is spent.
// The run's tables do not depend on how its work was cut into steps, so a
// sweep measured here gives the numbers `sim sweep` prints for the same
// values.
type sweep struct {
	experiment string
	run        *expt.Run
	state      sweepState
	frames     int           // frames that advanced the run
	steps      int           // Step calls
	units      float64       // work done, in experiments' units
	busy       time.Duration // time spent in Step, over all frames
	// progress is the run's Progress when it was cancelled (the run itself
	// is dropped then).
	progress float64
	tables   []expt.Table // the tables as of the last frame that advanced
}

func newSweep(e expt.Experiment, values expt.Values) (*sweep, error) {
	run, err := e.Start(values)
	if err != nil {
		return nil, err
	}
	s := &sweep{experiment: e.Name, run: run}
	s.tables = run.Tables()
	return s, nil
}

// frameShare bounds one frame's work: the sweep stops stepping once
// unitsMax units are done or once it has stepped for budget (a zero field
// sets no bound). At least one step is taken per frame, so a sweep always
// progresses.
type frameShare struct {
	unitsMax float64
	budget   time.Duration
}

// advance does one frame's share of the sweep and reports whether the
// sweep is over (done or cancelled).
func (s *sweep) advance(share frameShare) bool {
	if s.state != sweepRunning {
		return true
	}
	start := time.Now()
	used := 0.0
	for {
		done := s.run.Step(1)
		s.steps++
		used += s.run.LastStep().Units()
		if done {
			s.state = sweepDone
			break
		}
		if share.unitsMax > 0 && used >= share.unitsMax {
			break
		}
		if share.budget > 0 && time.Since(start) >= share.budget {
			break
		}
	}
	s.frames++
	s.units += used
	s.busy += time.Since(start)
	s.tables = s.run.Tables()
	return s.state != sweepRunning
}

// cancel stops the sweep where it is; its tables keep what was measured.
func (s *sweep) cancel() {
	if s.state != sweepRunning {
		return
	}
	s.progress = s.run.Progress()
	s.state = sweepCancelled
}

// Progress is the fraction of the sweep's work done, from 0 to 1.
func (s *sweep) Progress() float64 {
	if s.state == sweepCancelled {
		return s.progress
	}
	return s.run.Progress()
}
