package quorum

import (
	"math"
	"reflect"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/tracestore"
)

// twin is a second cluster that replays every command of the lab's run at
// the same tick, under a different configuration (the other CAP mode). It
// is rebuilt from the start whenever the run goes back in time or forks, so
// scrubbing the timeline moves both clusters together. The twin is a real
// run of the core: what it shows is what that configuration would have done
// with the same requests.
type twin struct {
	cfg     core.Config
	c       *core.Cluster
	applied []core.Recorded // the lab's commands replayed so far
	err     error           // a command the twin refused (the runs diverged)
	// drops are the twin's dropped messages of the last few ticks, for the
	// crosses its picture draws.
	drops []core.Event
	// news are the twin's events not yet taken for the event log (take);
	// newsSeq is the last event of a catch-up replay, which is not news.
	news    []core.Event
	newsSeq uint64
	// trace is the twin's recent events, catch-up replays included, for
	// the time views (lab.ClusterTracer); rev counts the rebuilds, after
	// which its events start over.
	trace tracestore.Store
	rev   int
	now   int64 // the tick of the sync under way
}

// twinTraceBytes is the twin's trace window: a quarter of the lab's own,
// plenty for the diagram's recent ticks.
const twinTraceBytes = tracestore.DefaultBudgetBytes / 4

// twinCatchUpTicks is how far a catch-up replay runs before its events
// are moved to the trace, so that replaying a long run never buffers more
// than a window's worth.
const twinCatchUpTicks = 1024

// twinNewsMax bounds the news kept between two takes.
const twinNewsMax = 4096

// take returns the twin's events since the last take, oldest first, and
// forgets them: what it did while the lab's run advanced, never what it
// replayed to catch up after a scrub or a fork.
func (t *twin) take() []core.Event {
	n := t.news
	t.news = nil
	return n
}

// twinRecentTicks is how long a dropped message stays marked.
const twinRecentTicks = 3

// reset starts the twin over with cfg.
func (t *twin) reset(cfg core.Config) {
	t.cfg = cfg
	t.c, t.applied, t.err, t.drops = nil, nil, nil, nil
	t.news, t.newsSeq = nil, 0
	t.trace = *tracestore.New(twinTraceBytes)
	t.rev++
}

// sync brings the twin to the live cluster's tick, applying the commands
// the live run has recorded since the last sync.
func (t *twin) sync(live *core.Cluster) {
	rec := live.Recorded()
	now := live.Now()
	// A long run keeps its client history only from its retained window on:
	// once caught up, the twin keeps as much.
	defer func() {
		if t.c != nil {
			t.c.ForgetBefore(live.HistoryFrom())
		}
	}()
	keep := t.drops[:0]
	for _, e := range t.drops {
		if e.Tick >= now-twinRecentTicks {
			keep = append(keep, e)
		}
	}
	t.drops, t.now = keep, now
	rebuilt := false
	if t.c == nil || now < t.c.Now() || len(rec) < len(t.applied) ||
		!reflect.DeepEqual(rec[:len(t.applied)], t.applied) {
		c, err := core.New(t.cfg)
		if err != nil {
			t.err = err
			t.c = nil
			return
		}
		t.c, t.applied, t.err, t.drops = c, nil, nil, nil
		t.news = nil
		t.trace = *tracestore.New(twinTraceBytes)
		t.rev++
		// Catching up replays history: its events go to the trace, but
		// none of them is news.
		t.newsSeq = math.MaxUint64
		rebuilt = true
	}
	for _, r := range rec[len(t.applied):] {
		t.runUntil(r.Tick)
		if !t.cfg.Scripted && r.Cmd.Kind.Scripted() {
			// The live run's network is scripted and the twin's is not:
			// its own network chooses for it.
			t.applied = append(t.applied, r)
			continue
		}
		cmd := r.Cmd
		if cmd.Kind == core.CmdSet && cmd.Param == "mode" {
			// The twin is the other mode: a run switched to CP makes it
			// AP, and the other way round.
			cmd.Num = float64(otherMode(core.Mode(cmd.Num)))
		}
		if _, err := t.c.Apply(cmd); err != nil && t.err == nil {
			t.err = err
		}
		t.applied = append(t.applied, r)
	}
	t.runUntil(now)
	t.keep(t.c.Events())
	if rebuilt {
		t.newsSeq = uint64(t.c.Counters().Events)
	}
	if n := len(t.news) - twinNewsMax; n > 0 {
		t.news = append(t.news[:0], t.news[n:]...)
	}
}

// otherMode is the CAP mode that m is not.
func otherMode(m core.Mode) core.Mode {
	if m == core.Strict {
		return core.Sloppy
	}
	return core.Strict
}

// runUntil advances the twin to tick to (if it is behind), moving its
// events to the trace as it goes.
func (t *twin) runUntil(to int64) {
	for t.c.Now() < to {
		t.c.RunUntil(min(to, t.c.Now()+twinCatchUpTicks))
		t.keep(t.c.Events())
	}
}

// keep takes events the twin just made: they go to the trace (with the
// twin's operations as they are after them), the dropped messages of the
// last few ticks before the sync's tick are marked, and the rest is news.
func (t *twin) keep(evs []core.Event) {
	for _, e := range evs {
		if e.Kind == core.EvMsgDrop && e.Tick >= t.now-twinRecentTicks {
			t.drops = append(t.drops, e)
		}
		if e.Seq > t.newsSeq {
			t.news = append(t.news, e)
		}
	}
	t.trace.Add(evs)
	t.trace.Sync(t.c, t.c.Now())
}
