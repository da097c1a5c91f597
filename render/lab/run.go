package lab

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

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
// run, all at once. A strict build fails on any refused action; a lenient
// one skips it and says so in notices.
func (l *Lab) buildRun(idx int, r Run, strict bool) (builtRun, error) {
	rb, err := l.newBuilder(idx, r, strict)
	if err != nil {
		return builtRun{}, err
	}
	for {
		done, err := rb.advance(nil)
		if err != nil {
			return builtRun{}, err
		}
		if done {
			return rb.b, nil
		}
	}
}

// builder rebuilds a run a share at a time (advance), so that a long run
// from a link or a file can be rebuilt across frames while the lab keeps
// drawing; buildRun runs one to the end at once.
type builder struct {
	id      string
	r       Run
	strict  bool
	tl      *Timeline
	b       builtRun
	script  []core.Recorded
	si, ai  int   // the next script command and action to apply
	end     int64 // the tick the build steps to
	stepped bool  // the steps to end are done
}

// newBuilder checks r's configuration and starts its timeline at tick 0.
func (l *Lab) newBuilder(idx int, r Run, strict bool) (*builder, error) {
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
			return nil, fmt.Errorf("chapter %q: preset: %w", id, err)
		}
		return nil, fmt.Errorf("chapter %q: configuration: %w", id, err)
	}
	tl, err := NewTimeline(cfg)
	if err != nil {
		return nil, fmt.Errorf("chapter %q: %w", id, err)
	}
	return &builder{id: id, r: r, strict: strict, tl: tl, script: r.Script(p), end: r.Tick,
		b: builtRun{idx: idx, seed: r.Seed, tl: tl, override: override}}, nil
}

// stepTo steps the timeline to tick t, asking stop every few ticks; it
// reports whether it got there.
func (rb *builder) stepTo(t int64, stop func() bool) bool {
	for n := 0; rb.tl.Now() < t; n++ {
		if every := rb.tl.checkEvery; stop != nil && n%every == every-1 && stop() {
			return false
		}
		rb.tl.Step()
	}
	return true
}

// progress is how far the build has come: the tick reached and the tick it
// builds to (known once the actions are applied; until then the last
// action's).
func (rb *builder) progress() (now, total int64) {
	total = rb.end
	if a := rb.r.Actions; len(a) > 0 {
		total = max(total, a[len(a)-1].Tick)
	}
	if n := len(rb.script); n > 0 {
		total = max(total, rb.script[n-1].Tick)
	}
	return rb.tl.Now(), max(total, rb.tl.Now())
}

// advance goes on with the build until it is done or stop (asked every
// few ticks; nil never stops) says the frame's time is spent.
func (rb *builder) advance(stop func() bool) (bool, error) {
	tl := rb.tl
	for ; rb.si < len(rb.script); rb.si++ {
		s := rb.script[rb.si]
		if !rb.stepTo(s.Tick, stop) {
			return false, nil
		}
		if _, err := tl.Apply(s.Cmd); err != nil {
			return false, fmt.Errorf("chapter %q: scripted %s at tick %d: %w", rb.id, s.Cmd.Kind, s.Tick, err)
		}
	}
	// The replayed ticks after the script were never shown: their events
	// go to the retained window only (a long run would buffer millions).
	tl.setQuiet(true)
	for ; rb.ai < len(rb.r.Actions); rb.ai++ {
		a := rb.r.Actions[rb.ai]
		if a.Tick < tl.Now() {
			err := fmt.Errorf("action %d (%s) is at tick %d, before tick %d", rb.ai+1, a.Cmd.Kind, a.Tick, tl.Now())
			if rb.strict {
				return false, err
			}
			rb.b.notices = append(rb.b.notices, "skipped "+err.Error())
			continue
		}
		if !rb.stepTo(a.Tick, stop) {
			return false, nil
		}
		if _, err := tl.Apply(a.Cmd); err != nil {
			err := fmt.Errorf("action %d (%s at tick %d) was refused: %v", rb.ai+1, a.Cmd.Kind, a.Tick, err)
			if rb.strict {
				return false, err
			}
			rb.b.notices = append(rb.b.notices, "skipped "+err.Error())
			continue
		}
		rb.end = max(rb.end, a.Tick)
	}
	if !rb.stepped {
		if !rb.stepTo(rb.end, stop) {
			return false, nil
		}
		rb.stepped = true
	}
	tl.setQuiet(false)
	r := rb.r
	rb.b.quiet = len(r.Actions) > 0 || r.Tick > lastTick(rb.script) // r.OpensAt
	if r.Tick >= 0 && r.Tick < tl.Now() {
		if err := tl.GoTo(r.Tick); errors.Is(err, ErrSummarised) {
			tl.replayTo(r.Tick) // a tick the window has let go: the later actions become the future
		} else if err != nil {
			return false, err
		}
	}
	return true, nil
}

// lastTick is the tick of the last of a script's commands (0 for none).
func lastTick(script []core.Recorded) int64 {
	if len(script) == 0 {
		return 0
	}
	return script[len(script)-1].Tick
}

// install makes a built run the lab's current one and tells its chapter.
func (l *Lab) install(b builtRun) {
	l.override = b.override
	if b.idx != l.cur {
		l.tv.cluster = "" // cluster names are the chapter's
	}
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
		r.View, r.Select = l.viewName(), l.selectionName()
	}
	cfg := l.tl.Config()
	presetCfg := p.Config
	presetCfg.Seed = l.seed
	if !reflect.DeepEqual(cfg, presetCfg) {
		r.Config = &cfg
	}
	return r
}

// LoadRun replaces the current run with r, rebuilt strictly and at once:
// if any part of it cannot be used, the current run is left as it was and
// the error says why. It must run on the frame loop (inside Update, or
// before the first one).
func (l *Lab) LoadRun(r Run) error {
	idx, err := l.chapterIndex(r.Chapter)
	if err != nil {
		return fmt.Errorf("chapter %q: %v", r.Chapter, err)
	}
	if r.View != "" {
		if _, err := ParseView(r.View); err != nil {
			return err
		}
	}
	b, err := l.buildRun(idx, r, true)
	if err != nil {
		return err
	}
	return l.installRun(r, b)
}

// installRun makes the built run b of r the lab's, opening r's item and
// view and taking its pause and speed.
func (l *Lab) installRun(r Run, b builtRun) error {
	view := ViewScene
	if r.View != "" {
		v, err := ParseView(r.View)
		if err != nil {
			return err
		}
		view = v
	}
	if r.Item != "" {
		if err := l.openItem(b.idx, r.Item); err != nil {
			return fmt.Errorf("item %q: %v", r.Item, err)
		}
	}
	l.install(b)
	l.setView(view)
	if r.Select != "" && l.timeCluster() == 0 {
		// (A link names items of the lab's run only: selectionName.)
		l.selectViewItem(r.Select) // says so if the run has no such item
	}
	l.paused = r.Paused
	if r.Speed > 0 {
		l.setSpeed(r.Speed)
	}
	return nil
}

// linkSyncWork is the most work a link opened with the lab (Options.Link)
// is rebuilt with at once, before the first frame; a heavier one opens the
// chapter first and is rebuilt across frames with a progress bar.
const linkSyncWork = 2e6

// openLink loads a link's run in chapter idx. It falls back rather than
// fails: configuration keys that cannot be used keep the preset's values
// and refused actions are skipped (the notices say so). A run over the
// work budget is not opened at all; one that cannot be rebuilt shows the
// chapter from its start. async rebuilds it across frames (a job); without,
// it is rebuilt at once if its work is small, and the returned notices are
// those known now (the job's come as a notice when it ends).
func (l *Lab) openLink(k *runfmt.Link, idx int, async bool) []string {
	seed := l.seed
	if k.SeedSet {
		seed = k.Seed
	}
	paused, speed := l.paused, l.speed
	if k.PausedSet {
		paused = k.Paused
	}
	if k.Speed > 0 {
		speed = min(max(k.Speed, SpeedMin), SpeedMax)
	}
	p := l.chapters[idx].Preset(seed)
	r, notices := k.Run(l.chapters[idx].Info().ID, seed, p)
	r.Paused, r.Speed = paused, speed
	fallback := func(why string) {
		// The link's seed, pause and speed still apply to the chapter.
		l.seed, l.paused = seed, paused
		l.setSpeed(speed)
		notices = append(notices, why)
		l.cur = idx
		if err := l.enter(idx); err != nil {
			notices = append(notices, err.Error())
		}
	}
	work, err := l.limits.RunWork(r, p)
	if err != nil {
		if async {
			return append(notices, "Link not opened: "+err.Error()+". The run on screen is unchanged.")
		}
		fallback("Link not opened: " + err.Error() + "; showing the chapter from its start.")
		return notices
	}
	rb, err := l.newBuilder(idx, r, false)
	if err != nil {
		fallback("Could not rebuild the linked run (" + err.Error() + "); showing the chapter from its start.")
		return notices
	}
	finish := func(b builtRun) []string {
		var ns []string
		switch len(b.notices) {
		case 0:
		case 1:
			ns = append(ns, "From the link: "+b.notices[0]+".")
		default:
			ns = append(ns, fmt.Sprintf("From the link: %d actions skipped; the first: %s.", len(b.notices), b.notices[0]))
		}
		item := r.Item
		r.Item = ""
		if item != "" {
			// Before the chapter is entered, so that its Enter sees the item.
			if err := l.openItem(idx, item); err != nil {
				ns = append(ns, fmt.Sprintf("Ignored item=%s: %v.", runfmt.Clip(item), err))
			}
		}
		view := r.View
		if _, err := ParseView(view); view != "" && err != nil {
			ns = append(ns, "Ignored view="+err.Error()+".")
			r.View = ""
		}
		if err := l.installRun(r, b); err != nil {
			ns = append(ns, err.Error())
		}
		return ns
	}
	if async || work > linkSyncWork {
		if !async {
			// Before the first frame: the chapter from its start, then the
			// link's run when it is rebuilt.
			if err := l.enter(idx); err != nil {
				return append(notices, err.Error())
			}
			l.cur = idx
		}
		l.startJob(&job{title: "Opening the link", build: rb,
			fail: func(err error) {
				l.notify("Could not rebuild the linked run (" + err.Error() + "); the run on screen is unchanged.")
			},
			done: func(b builtRun) {
				if ns := finish(b); len(ns) > 0 {
					l.notify(strings.Join(ns, " "))
				}
			}})
		return notices
	}
	for {
		done, err := rb.advance(nil)
		if err != nil {
			fallback("Could not rebuild the linked run (" + err.Error() + "); showing the chapter from its start.")
			return notices
		}
		if done {
			return append(notices, finish(rb.b)...)
		}
	}
}
