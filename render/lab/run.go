package lab

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/diagram"
	"github.com/ringlab/ringlab/runfmt"
)

// Run is a run as links and replay files describe it (runfmt.Run).
type Run = runfmt.Run

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
	for _, s := range r.Script(p) {
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
	// go to the retained window only (a long run would buffer millions).
	tl.setQuiet(true)
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
	tl.setQuiet(false)
	b.quiet = len(r.Actions) > 0 || r.Tick > r.OpensAt(p)
	if r.Tick >= 0 && r.Tick < tl.Now() {
		if err := tl.GoTo(r.Tick); errors.Is(err, ErrSummarised) {
			tl.replayTo(r.Tick) // a tick the window has let go: the later actions become the future
		} else if err != nil {
			return builtRun{}, err
		}
	}
	return b, nil
}

// install makes a built run the lab's current one and tells its chapter.
func (l *Lab) install(b builtRun) {
	l.override = b.override
	l.cur, l.tl, l.seed = b.idx, b.tl, b.seed
	l.runID++
	l.tv.model, l.tv.sel = nil, diagram.Item{}
	l.tl.SetWindowBytes(l.windowBytes)
	l.acc = 0
	l.log = l.log[:0]
	l.recent = l.recent[:0]
	l.events = l.events[:0]
	l.selectNode(0, core.NoNode)
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
	if l.timeViewShown() {
		r.View = l.tv.mode
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
	view := ViewScene
	if r.View != "" {
		if view, err = ParseView(r.View); err != nil {
			return err
		}
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
	l.setView(view)
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
func (l *Lab) openLink(k *runfmt.Link, idx int) ([]string, error) {
	// The lab's seed is already the link's.
	r, notices := k.Run(l.chapters[idx].Info().ID, l.seed, l.chapters[idx].Preset(l.seed))
	if k.Item != "" {
		// Before the chapter is entered, so that its Enter sees the item.
		if err := l.openItem(idx, k.Item); err != nil {
			notices = append(notices, fmt.Sprintf("Ignored item=%s: %v.", runfmt.Clip(k.Item), err))
		}
	}
	r.Paused, r.Speed = l.paused, l.speed
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
	view := ViewScene
	if k.View != "" {
		v, err := ParseView(k.View)
		if err != nil {
			notices = append(notices, "Ignored view="+err.Error()+".")
		} else {
			view = v
		}
	}
	l.setView(view)
	return notices, nil
}
