package quorum

import (
	"reflect"

	"github.com/ringlab/ringlab/core"
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
}

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
}

// sync brings the twin to the live cluster's tick, applying the commands
// the live run has recorded since the last sync.
func (t *twin) sync(live *core.Cluster) {
	rec := live.Recorded()
	now := live.Now()
	rebuilt := false
	// A long run keeps its client history only from its retained window on:
	// once caught up, the twin keeps as much.
	defer func() {
		if t.c != nil {
			t.c.ForgetBefore(live.HistoryFrom())
		}
	}()
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
		// Catching up replays history: its events are not news.
		c.DiscardEvents(true)
		rebuilt = true
	}
	// A rebuild replays history quietly up to the ticks whose dropped
	// messages are still marked; their events are kept, as when playing.
	quiet := rebuilt
	hear := func(tick int64) {
		if quiet && tick >= now-twinRecentTicks {
			t.c.RunUntil(max(now-twinRecentTicks-1, t.c.Now()))
			t.c.DiscardEvents(false)
			quiet = false
		}
	}
	for _, r := range rec[len(t.applied):] {
		hear(r.Tick)
		t.c.RunUntil(r.Tick)
		if _, err := t.c.Apply(r.Cmd); err != nil && t.err == nil {
			t.err = err
		}
		t.applied = append(t.applied, r)
	}
	hear(now)
	t.c.RunUntil(now)
	if rebuilt {
		t.newsSeq = uint64(t.c.Counters().Events)
	}
	keep := t.drops[:0]
	for _, e := range t.drops {
		if e.Tick >= now-twinRecentTicks {
			keep = append(keep, e)
		}
	}
	t.drops = keep
	for _, e := range t.c.Events() {
		if e.Kind == core.EvMsgDrop && e.Tick >= now-twinRecentTicks {
			t.drops = append(t.drops, e)
		}
		if e.Seq > t.newsSeq {
			t.news = append(t.news, e)
		}
	}
	if n := len(t.news) - twinNewsMax; n > 0 {
		t.news = append(t.news[:0], t.news[n:]...)
	}
}
