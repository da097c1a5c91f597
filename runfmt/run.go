// Package runfmt is the lab's run format: what a run is (Run, and the
// chapter Preset it is measured against), its two encodings (the link
// fragment "#v=1&..." and the replay file), the files exported from it
// (events.csv, history.csv), and rebuilding it without a display. The lab,
// the headless runner (sim replay) and the tests share it, so a run shared
// as a link or a file opens the same everywhere, with the same digest.
//
// It depends on core only: it draws nothing and does no I/O.
package runfmt

import (
	"fmt"
	"strconv"

	"github.com/ringlab/ringlab/core"
)

// Preset is what a chapter starts from for a seed: its configuration and
// the commands its script applies at given ticks.
type Preset struct {
	Config core.Config
	Script []core.Recorded
}

// Run describes a run completely enough to rebuild it: the chapter that
// shows it, the seed, the configuration, the commands recorded with their
// ticks, and the tick on screen. A link (#v=1&...) and a replay file are two
// encodings of a Run; rebuilding one gives the same trace digest at Tick.
type Run struct {
	Chapter string // chapter ID (or 1-based number)
	// Item is the item the chapter shows, for a chapter opened on one
	// (the experiments page's experiment); "" for none.
	Item string
	// View names the way the chapter shows the run (a diagram, a history,
	// the scene), for chapters that offer more than one; "" is the
	// chapter's own choice. It does not change the run.
	View string
	// Select names the item the view selects, explained under it: "op:N"
	// (a client operation, by its request id) or "msg:N" (a message); ""
	// for none. It does not change the run.
	Select string
	Seed   uint64
	// Config replaces the configuration of the chapter's preset; nil keeps
	// the preset's. Its Seed field is ignored (Seed above wins).
	Config *core.Config
	// ScriptKept is how many of the preset's scripted commands are applied
	// before Actions; negative means all of them. A run that was forked
	// inside its script (scrubbed back before a scripted command, then acted
	// on) keeps fewer.
	ScriptKept int
	// Actions are the commands recorded after the kept script commands,
	// ordered by tick.
	Actions []core.Recorded
	// Tick is the tick on screen; the run is built up to the later of Tick
	// and the last action's tick, then moved to Tick (so later actions are
	// the run's future, reachable by scrubbing forward). Negative means
	// where the script and actions end.
	Tick   int64
	Paused bool
	// Speed in ticks per second; 0 keeps the current speed.
	Speed float64
}

// Script is the part of the preset's script the run keeps.
func (r Run) Script(p Preset) []core.Recorded {
	script := p.Script
	if r.ScriptKept >= 0 && r.ScriptKept < len(script) {
		script = script[:r.ScriptKept]
	}
	return script
}

// OpensAt is the tick the run is shown at when it is opened without a tick
// (Tick negative): after the kept script commands and the actions. A
// chapter whose preset scripts its start opens after that start.
func (r Run) OpensAt(p Preset) int64 {
	script := r.Script(p)
	var t int64
	if len(script) > 0 {
		t = script[len(script)-1].Tick
	}
	if len(r.Actions) > 0 {
		t = max(t, r.Actions[len(r.Actions)-1].Tick)
	}
	return t
}

// ConfigFor is the configuration the run starts with: Config, or the
// preset's, with the run's seed.
func (r Run) ConfigFor(p Preset) core.Config {
	cfg := p.Config
	if r.Config != nil {
		cfg = *r.Config
	}
	cfg.Seed = r.Seed
	return cfg
}

// Speed limits, in simulated ticks per second of real time, as the lab
// accepts them (60 updates a second, at most 4096 ticks each).
const (
	SpeedMin     = 1
	SpeedMax     = 60 * 4096
	SpeedDefault = 8
)

// ItemMax bounds a chapter item's name, ViewMax a view's.
const (
	ItemMax = 64
	ViewMax = 32
)

// Limits bound runs that come from outside (links and replay files); the
// work of rebuilding one is bounded too (Work, WorkBudget). The
// core accepts much larger clusters, but a link must not be able to stall
// or exhaust the page: these bound the memory of one checkpoint and the
// work of rebuilding the run when it opens. They are bounds on work, not
// part of the encodings: a run is its seed, configuration and commands, so
// a run far longer than any window a lab keeps of its trace is written the
// same way, and raising Tick changes no link or file.
type Limits struct {
	Nodes, VNodes, Clients, Keys int
	Actions                      int
	Tick                         int64
	// CheckpointBytes bounds CheckpointBytes(cfg).
	CheckpointBytes int64
	// Budget bounds the work of rebuilding a run (Work): WorkBudget.
	Budget float64
}

// Shared are the limits of every run opened from a link or a file.
var Shared = Limits{
	Nodes:           128,
	VNodes:          1024,
	Clients:         256,
	Keys:            1 << 16,
	Actions:         4096,
	Tick:            100_000_000,
	CheckpointBytes: 64 << 20,
	Budget:          WorkBudget,
}

// CheckpointBytes estimates the memory of one copy (a Clone) of a cluster
// started with cfg (Shape.CheckpointBytes).
func CheckpointBytes(cfg core.Config) int64 { return ShapeOf(cfg).CheckpointBytes() }

// Check reports why cfg is valid for the core but too large for a run
// opened from a link or a file, or nil.
func (lim Limits) Check(cfg core.Config) error {
	switch {
	case cfg.Nodes > lim.Nodes:
		return fmt.Errorf("nodes=%d is more than a shared run may have (%d)", cfg.Nodes, lim.Nodes)
	case cfg.VNodes > lim.VNodes:
		return fmt.Errorf("vnodes=%d is more than a shared run may have (%d)", cfg.VNodes, lim.VNodes)
	case len(cfg.SkewTicks) > lim.Nodes:
		return fmt.Errorf("skew has %d entries; a shared run may have %d", len(cfg.SkewTicks), lim.Nodes)
	case cfg.Workload.Clients > lim.Clients:
		return fmt.Errorf("clients=%d is more than a shared run may have (%d)", cfg.Workload.Clients, lim.Clients)
	case cfg.Workload.Keys > lim.Keys:
		return fmt.Errorf("keys=%d is more than a shared run may have (%d)", cfg.Workload.Keys, lim.Keys)
	}
	return lim.CheckShape(ShapeOf(cfg))
}

// Valid checks cfg both against the core's rules and the limits.
func (lim Limits) Valid(cfg core.Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	return lim.Check(cfg)
}

// ValidConfig checks cfg against the core's rules and the Shared limits.
func ValidConfig(cfg core.Config) error { return Shared.Valid(cfg) }

// Clip shortens a value quoted back to the user.
func Clip(s string) string {
	if len(s) > 24 {
		return strconv.Quote(s[:24]) + "…"
	}
	return strconv.Quote(s)
}
