package lab

import (
	"fmt"
	"reflect"

	"github.com/ringlab/ringlab/core"
)

// Run describes a run completely enough to rebuild it: the chapter that
// shows it, the seed, the configuration, the commands recorded with their
// ticks, and the tick on screen. A link (#v=1&...) and a replay file are two
// encodings of a Run; rebuilding one gives the same trace digest at Tick.
type Run struct {
	Chapter string // chapter ID (or 1-based number)
	// Item is the item the chapter shows, for a chapter opened on one
	// (Opener, PageReporter: the experiments page's experiment); "" for
	// none. Links carry it; replay files do not.
	Item string
	Seed uint64
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

// opensAt is the tick the run is shown at when it is opened without a tick
// (Tick negative): after the kept script commands and the actions. A
// chapter whose preset scripts its start opens after that start.
func (r Run) opensAt(script []core.Recorded) int64 {
	if r.ScriptKept >= 0 && r.ScriptKept < len(script) {
		script = script[:r.ScriptKept]
	}
	var t int64
	if len(script) > 0 {
		t = script[len(script)-1].Tick
	}
	if len(r.Actions) > 0 {
		t = max(t, r.Actions[len(r.Actions)-1].Tick)
	}
	return t
}

// Limits on runs that come from outside (links and replay files). The core
// accepts much larger clusters, but a link must not be able to stall or
// exhaust the page: these bound the memory of one checkpoint and the work
// of rebuilding the run when it opens.
const (
	runNodesMax      = 128
	runVNodesMax     = 1024
	runClientsMax    = 256
	runKeysMax       = 1 << 16
	runActionsMax    = 4096
	runTickMax       = 100_000
	runCheckpointMax = 64 << 20 // bytes, by checkpointBytes
)

// checkRunLimits reports why cfg is valid for the core but too large for a
// run opened from a link or a file, or nil.
func checkRunLimits(cfg core.Config) error {
	switch {
	case cfg.Nodes > runNodesMax:
		return fmt.Errorf("nodes=%d is more than a shared run may have (%d)", cfg.Nodes, runNodesMax)
	case cfg.VNodes > runVNodesMax:
		return fmt.Errorf("vnodes=%d is more than a shared run may have (%d)", cfg.VNodes, runVNodesMax)
	case cfg.Workload.Clients > runClientsMax:
		return fmt.Errorf("clients=%d is more than a shared run may have (%d)", cfg.Workload.Clients, runClientsMax)
	case cfg.Workload.Keys > runKeysMax:
		return fmt.Errorf("keys=%d is more than a shared run may have (%d)", cfg.Workload.Keys, runKeysMax)
	case checkpointBytes(cfg) > runCheckpointMax:
		return fmt.Errorf("%d nodes with %d virtual nodes each would take more memory than a shared run may use", cfg.Nodes, cfg.VNodes)
	}
	return nil
}

// validRunConfig checks cfg both against the core's rules and the limits
// on shared runs.
func validRunConfig(cfg core.Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	return checkRunLimits(cfg)
}

// builtRun is a run rebuilt off to the side, ready to replace the current one.
type builtRun struct {
	idx      int
	seed     uint64
	tl       *Timeline
	override *core.Config
	notices  []string // actions that were refused and skipped (lenient builds)
	quiet    bool     // ticks after the script were replayed without events
}

// buildRun rebuilds r for chapter idx without touching the lab's current
// run. A strict build fails on any refused action; a lenient one skips it
// and says so in notices.
func (l *Lab) buildRun(idx int, r Run, strict bool) (builtRun, error) {
	ch := l.chapters[idx]
	id := ch.Info().ID
	p := ch.Preset(r.Seed)
	cfg := p.Config
	var override *core.Config
	if r.Config != nil {
		cfg = *r.Config
	}
	cfg.Seed = r.Seed
	if r.Config != nil {
		presetCfg := p.Config
		presetCfg.Seed = r.Seed
		if !reflect.DeepEqual(cfg, presetCfg) {
			o := cfg
			override = &o
		}
	}
	if err := cfg.Validate(); err != nil {
		if r.Config == nil {
			return builtRun{}, fmt.Errorf("chapter %q: preset: %w", id, err)
		}
		return builtRun{}, fmt.Errorf("chapter %q: configuration: %w", id, err)
	}
	tl, err := NewTimeline(cfg)
	if err != nil {
		return builtRun{}, fmt.Errorf("chapter %q: %w", id, err)
	}
	script := p.Script
	if r.ScriptKept >= 0 && r.ScriptKept < len(script) {
		script = script[:r.ScriptKept]
	}
	for _, s := range script {
		for tl.Now() < s.Tick {
			tl.Step()
		}
		if _, err := tl.Apply(s.Cmd); err != nil {
			return builtRun{}, fmt.Errorf("chapter %q: scripted %s at tick %d: %w", id, s.Cmd.Kind, s.Tick, err)
		}
	}
	b := builtRun{idx: idx, seed: r.Seed, tl: tl, override: override}
	end := r.Tick
	// The replayed ticks after the script were never shown: their events
	// are not kept (a long run would buffer millions of them).
	tl.holdEvents()
	tl.c.DiscardEvents(true)
	for i, a := range r.Actions {
		if a.Tick < tl.Now() {
			err := fmt.Errorf("action %d (%s) is at tick %d, before tick %d", i+1, a.Cmd.Kind, a.Tick, tl.Now())
			if strict {
				return builtRun{}, err
			}
			b.notices = append(b.notices, "skipped "+err.Error())
			continue
		}
		for tl.Now() < a.Tick {
			tl.Step()
		}
		if _, err := tl.Apply(a.Cmd); err != nil {
			err := fmt.Errorf("action %d (%s at tick %d) was refused: %v", i+1, a.Cmd.Kind, a.Tick, err)
			if strict {
				return builtRun{}, err
			}
			b.notices = append(b.notices, "skipped "+err.Error())
			continue
		}
		end = max(end, a.Tick)
	}
	for tl.Now() < end {
		tl.Step()
	}
	tl.c.DiscardEvents(false)
	b.quiet = len(r.Actions) > 0 || r.Tick > r.opensAt(p.Script)
	if r.Tick >= 0 && r.Tick < tl.Now() {
		if err := tl.GoTo(r.Tick); err != nil {
			return builtRun{}, err
		}
	}
	return b, nil
}

// install makes a built run the lab's current one and tells its chapter.
func (l *Lab) install(b builtRun) {
	l.override = b.override
	l.cur, l.tl, l.seed = b.idx, b.tl, b.seed
	l.acc = 0
	l.log = l.log[:0]
	l.recent = l.recent[:0]
	l.events = l.events[:0]
	l.selected = core.NoNode
	l.fork = nil
	l.runRev++
	l.dirty = true
	if b.quiet {
		l.replayRecent()
	}
	l.refresh()
	l.w.chapter.Selected = b.idx
	l.w.seed.Value = int64(min(b.seed, 1<<63-1))
	l.Chapter().Enter(l.context())
}

// CurrentRun describes the run on screen. Rebuilt (LoadRun), it gives the
// same trace digest at the same tick.
func (l *Lab) CurrentRun() Run {
	ch := l.Chapter()
	p := ch.Preset(l.seed)
	rec := l.tl.Recorded()
	kept := 0
	for kept < len(p.Script) && kept < len(rec) && reflect.DeepEqual(rec[kept], p.Script[kept]) {
		kept++
	}
	r := Run{
		Chapter:    ch.Info().ID,
		Item:       l.pageItem(),
		Seed:       l.seed,
		ScriptKept: -1,
		Actions:    rec[kept:],
		Tick:       l.tl.Now(),
		Paused:     l.paused,
		Speed:      l.speed,
	}
	if kept < len(p.Script) {
		r.ScriptKept = kept
	}
	cfg := l.tl.Config()
	presetCfg := p.Config
	presetCfg.Seed = l.seed
	if !reflect.DeepEqual(cfg, presetCfg) {
		r.Config = &cfg
	}
	return r
}

// LoadRun replaces the current run with r, rebuilt strictly: if any part
// of it cannot be used, the current run is left as it was and the error
// says why. It must run on the frame loop (inside Update, or before the
// first one).
func (l *Lab) LoadRun(r Run) error {
	idx, err := l.chapterIndex(r.Chapter)
	if err != nil {
		return fmt.Errorf("chapter %q: %v", r.Chapter, err)
	}
	b, err := l.buildRun(idx, r, true)
	if err != nil {
		return err
	}
	if r.Item != "" {
		if err := l.openItem(idx, r.Item); err != nil {
			return fmt.Errorf("item %q: %v", r.Item, err)
		}
	}
	l.install(b)
	l.paused = r.Paused
	if r.Speed > 0 {
		l.setSpeed(r.Speed)
	}
	return nil
}

// openLink loads a link's run in chapter idx, with the lab's seed (already
// the link's). It falls back rather than fails: configuration keys that
// cannot be used keep the preset's values, refused actions are skipped, and
// if the run still cannot be rebuilt the chapter starts from its preset.
// The notices say what was ignored; the error is only that of the preset.
func (l *Lab) openLink(k *Link, idx int) ([]string, error) {
	p := l.chapters[idx].Preset(l.seed)
	base := p.Config
	base.Seed = l.seed
	cfg, changed, notices := k.resolveConfig(base)
	if k.Item != "" {
		// Before the chapter is entered, so that its Enter sees the item.
		if err := l.openItem(idx, k.Item); err != nil {
			notices = append(notices, fmt.Sprintf("Ignored item=%s: %v.", clip(k.Item), err))
		}
	}
	r := Run{Chapter: l.chapters[idx].Info().ID, Seed: l.seed, ScriptKept: k.ScriptKept,
		Actions: k.Actions, Tick: k.Tick, Paused: l.paused, Speed: l.speed}
	if changed {
		r.Config = &cfg
	}
	b, err := l.buildRun(idx, r, false)
	if err != nil {
		notices = append(notices, "Could not rebuild the linked run ("+err.Error()+"); showing the chapter from its start.")
		l.cur = idx
		return notices, l.enter(idx)
	}
	switch len(b.notices) {
	case 0:
	case 1:
		notices = append(notices, "From the link: "+b.notices[0]+".")
	default:
		notices = append(notices, fmt.Sprintf("From the link: %d actions skipped; the first: %s.", len(b.notices), b.notices[0]))
	}
	l.install(b)
	return notices, nil
}
