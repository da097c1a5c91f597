package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ringlab/ringlab/experiments"
)

// sweepBudget is the longest a sweep may be estimated to take before sim
// sweep refuses to start it without -force.
var sweepBudget = 10 * time.Minute // a variable so that tests can lower it

// sweepProbe is how long sim sweep runs a sweep to measure its speed
// before estimating the whole (the work is kept: the sweep goes on from
// there), and sweepOneSeedProbe how long at most it runs one seed of every
// point for the same purpose (see estimateSweep). The estimate is within
// a factor of about two of the time taken on an unloaded machine, and
// errs high on a busy one.
const (
	sweepProbe        = 300 * time.Millisecond
	sweepOneSeedProbe = time.Second
)

// Progress on a terminal is redrawn this often; elsewhere (asked for with
// -progress) a line is written this often.
const (
	progressTerminalEvery = 200 * time.Millisecond
	progressLineEvery     = 2 * time.Second
)

// stderrOut is where progress goes: run's stderr.
var stderrOut io.Writer = os.Stderr

// isTerminal reports whether w is a terminal (a character device); tests
// replace it.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// now is the clock of the estimates; tests replace it.
var now = time.Now

// progressMeter writes a sweep's progress: on a terminal, one line
// redrawn in place and erased at the end; elsewhere a line every few
// seconds.
type progressMeter struct {
	w          io.Writer
	terminal   bool
	name       string
	seeds      int
	start, out time.Time
	from       float64 // the sweep's progress when the meter started
	drawn      bool
}

func newProgressMeter(w io.Writer, terminal bool, name string, seeds int, r *experiments.Run) *progressMeter {
	t := now()
	return &progressMeter{w: w, terminal: terminal, name: name, seeds: seeds, start: t, out: t, from: r.Progress()}
}

// update writes the progress of r if it is time to.
func (p *progressMeter) update(r *experiments.Run) {
	t := now()
	every := progressLineEvery
	if p.terminal {
		every = progressTerminalEvery
	}
	if t.Sub(p.out) < every {
		return
	}
	p.out = t
	line := progressLine(p.name, r, p.seeds, p.from, t.Sub(p.start))
	if p.terminal {
		fmt.Fprintf(p.w, "\r%s\x1b[K", line)
		p.drawn = true
		return
	}
	fmt.Fprintln(p.w, line)
}

// finish erases the redrawn line.
func (p *progressMeter) finish() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// progressLine is e.g. "sweep gossip: 42% · point 5 of 8, seed 312 of
// 1000 · about 1m10s left" (or, for a sweep whose runs are not one point at
// one seed each, "170 of 400 runs"), the time left at the pace since the
// progress was from.
func progressLine(name string, r *experiments.Run, seeds int, from float64, elapsed time.Duration) string {
	f := r.Progress()
	var b strings.Builder
	fmt.Fprintf(&b, "sweep %s: %d%% · ", name, int(100*f))
	if point, points, seed, of, ok := r.Position(); ok {
		fmt.Fprintf(&b, "point %d of %d, seed %d of %d", point, points, seed, of)
	} else {
		done, total := r.Runs()
		fmt.Fprintf(&b, "%d of %d runs (%d seeds per point)", done, total, seeds)
	}
	if f > from {
		left := time.Duration(float64(elapsed) * (1 - f) / (f - from))
		fmt.Fprintf(&b, " · about %s left", roughDuration(left))
	}
	return b.String()
}

// roughDuration writes d to the second below ten minutes, to the minute
// above: "45s", "3m10s", "2h14m".
func roughDuration(d time.Duration) string {
	switch {
	case d < 10*time.Minute:
		return d.Round(time.Second).String()
	case d < 100*time.Hour:
		s := d.Round(time.Minute).String()
		return strings.TrimSuffix(s, "0s")
	}
	return fmt.Sprintf("%.0f days", d.Hours()/24)
}

// estimateSweep estimates how long the sweep r of experiment e takes; ok
// is false when it needs no estimate because it finished while being
// measured.
//
// First r itself runs for sweepProbe (its work is kept). A sweep runs its
// points in order, usually the cheapest first, so that alone would
// underestimate; then one seed of every point (the sweep with -seeds 1,
// which costs what one repetition of the whole sweep costs) runs for up to
// sweepOneSeedProbe, and the estimate is its time times the seeds. If it
// was cut short, its time over the share of its estimated work done,
// times the seeds, or r's own pace if that is slower.
func estimateSweep(e experiments.Experiment, r *experiments.Run) (estimate time.Duration, ok bool) {
	start := now()
	for !r.Done() && now().Sub(start) < sweepProbe {
		r.Step(16)
	}
	if r.Done() {
		return 0, false
	}
	estimate = time.Duration(float64(now().Sub(start)) / max(r.Progress(), 1e-9))
	values := r.Values()
	seeds := values["seeds"]
	values["seeds"] = 1
	one, err := e.Start(values)
	if err != nil || seeds <= 1 {
		return estimate, true
	}
	start = now()
	for !one.Done() && now().Sub(start) < sweepOneSeedProbe {
		one.Step(16)
	}
	perSeed := time.Duration(float64(now().Sub(start)) / max(one.Progress(), 1e-9) * seeds)
	if one.Done() {
		return perSeed, true
	}
	return max(estimate, perSeed), true
}
