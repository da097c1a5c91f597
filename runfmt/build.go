package runfmt

import (
	"fmt"

	"github.com/ringlab/ringlab/core"
)

// Rebuild says how to run a Run or a Replay headless.
type Rebuild struct {
	// Until is the tick to stop at; negative: the run's own tick, or where
	// it opens when it names none.
	Until int64
	// Events keeps the cluster's event trace (Events returns it from tick
	// 0); without, only its digest covers the events.
	Events bool
	// Lenient skips a command the simulation refuses, as the lab does when
	// it opens a link, and names it in the notices; otherwise it is an
	// error.
	Lenient bool
}

// Run runs r, as the lab rebuilds it, and returns the cluster at the tick
// asked for. p is the preset of r's chapter for r.Seed. Every command is
// applied, those after the tick on a copy, so a refused command is found
// whatever the tick.
func (b Rebuild) Run(r Run, p Preset) (*core.Cluster, []string, error) {
	cfg := r.ConfigFor(p)
	if err := cfg.Validate(); err != nil {
		return nil, nil, fmt.Errorf("configuration: %w", err)
	}
	script := r.Script(p)
	rec := make([]core.Recorded, 0, len(script)+len(r.Actions))
	rec = append(append(rec, script...), r.Actions...)
	until := b.Until
	if until < 0 {
		until = r.Tick
	}
	if until < 0 {
		until = r.OpensAt(p)
	}
	return b.replayTo(cfg, rec, len(script), until)
}

// Replay runs a replay file's run.
func (b Rebuild) Replay(r Replay) (*core.Cluster, []string, error) {
	until := b.Until
	if until < 0 {
		until = r.Tick
	}
	cfg := r.Config
	cfg.Seed = r.Seed
	return b.replayTo(cfg, r.Actions, 0, until)
}

// replayTo applies rec (the first scripted of them the preset's script) to
// a cluster started with cfg, and returns it at tick until. Commands after
// until are applied to a copy, to check that the simulation takes them.
// The preset's script is never skipped, even when lenient.
func (b Rebuild) replayTo(cfg core.Config, rec []core.Recorded, scripted int, until int64) (*core.Cluster, []string, error) {
	c, err := core.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	c.DiscardEvents(!b.Events) // the digest covers every event either way
	var at *core.Cluster
	var notices []string
	for i, a := range rec {
		if at == nil && a.Tick > until {
			c.RunUntil(until)
			at = c.Clone()
		}
		what := fmt.Sprintf("action %d (%s at tick %d)", i+1-scripted, a.Cmd.Kind, a.Tick)
		if i < scripted {
			what = fmt.Sprintf("scripted %s at tick %d", a.Cmd.Kind, a.Tick)
		}
		var err error
		if a.Tick < c.Now() {
			err = fmt.Errorf("%s is before tick %d", what, c.Now())
		} else {
			c.RunUntil(a.Tick)
			if _, e := c.Apply(a.Cmd); e != nil {
				err = fmt.Errorf("%s was refused: %v", what, e)
			}
		}
		if err != nil {
			if !b.Lenient || i < scripted {
				return nil, nil, err
			}
			notices = append(notices, "skipped "+err.Error())
		}
	}
	if at == nil {
		c.RunUntil(until)
		at = c
	}
	return at, notices, nil
}
