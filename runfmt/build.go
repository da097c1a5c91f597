package runfmt

import (
	"fmt"

	"github.com/ringlab/ringlab/core"
)

// Rebuild runs r headless, as the lab rebuilds it, and returns the cluster
// at tick until (negative: the run's own tick, or where it opens when it
// names none). p is the preset of r's chapter for r.Seed. Every command is
// applied, those after until on a copy, so a run with a command the
// simulation refuses fails whatever until is; the error names it. With
// events, the cluster keeps its event trace (Events returns it from tick
// 0); without, only its digest.
func Rebuild(r Run, p Preset, until int64, events bool) (*core.Cluster, error) {
	cfg := r.ConfigFor(p)
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	script := r.Script(p)
	rec := make([]core.Recorded, 0, len(script)+len(r.Actions))
	rec = append(append(rec, script...), r.Actions...)
	if until < 0 {
		until = r.Tick
	}
	if until < 0 {
		until = r.OpensAt(p)
	}
	return replayTo(cfg, rec, len(script), until, events)
}

// replayTo applies rec (the first scripted of them the preset's script) to
// a cluster started with cfg, and returns it at tick until. Commands after
// until are applied to a copy, to check that the simulation takes them.
func replayTo(cfg core.Config, rec []core.Recorded, scripted int, until int64, events bool) (*core.Cluster, error) {
	c, err := core.New(cfg)
	if err != nil {
		return nil, err
	}
	c.DiscardEvents(!events) // the digest covers every event either way
	var at *core.Cluster
	for i, a := range rec {
		if at == nil && a.Tick > until {
			c.RunUntil(until)
			at = c.Clone()
		}
		what := fmt.Sprintf("action %d (%s at tick %d)", i+1-scripted, a.Cmd.Kind, a.Tick)
		if i < scripted {
			what = fmt.Sprintf("scripted %s at tick %d", a.Cmd.Kind, a.Tick)
		}
		if a.Tick < c.Now() {
			return nil, fmt.Errorf("%s is before tick %d", what, c.Now())
		}
		c.RunUntil(a.Tick)
		if _, err := c.Apply(a.Cmd); err != nil {
			return nil, fmt.Errorf("%s was refused: %v", what, err)
		}
	}
	if at == nil {
		c.RunUntil(until)
		at = c
	}
	return at, nil
}

// RebuildReplay runs a replay file's run headless to tick until (negative:
// the file's tick); events as for Rebuild.
func RebuildReplay(r Replay, until int64, events bool) (*core.Cluster, error) {
	if until < 0 {
		until = r.Tick
	}
	cfg := r.Config
	cfg.Seed = r.Seed
	return replayTo(cfg, r.Actions, 0, until, events)
}
