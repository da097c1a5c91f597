package lab

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/tracestore"
	"github.com/ringlab/ringlab/runfmt"
)

// Timeline is a run that can be scrubbed. A run is deterministic (config,
// seed and the recorded commands with their ticks), so going back to tick t
// means rebuilding it: start from the nearest checkpoint (a Clone of the
// cluster taken every few ticks) at or before t and replay the commands
// recorded since. Acting in the past forks the run: the commands recorded
// after that tick are dropped, and the new one takes their place.
//
// Invariant between calls: every recorded command with Tick <= Now() has
// been applied to the live cluster, and no later one has.
//
// Cost of a scrub: going back to any tick costs one Clone of the nearest
// checkpoint plus replaying fewer than checkpoint-spacing ticks. Two things
// keep it so. Checkpoints hold no undrained events (the Timeline drains the
// live cluster's events into its own buffer before cloning it, since Clone
// copies the buffered trace), and the replay after a rebuild buffers no
// events at all: the ticks replayed were already shown once.
type Timeline struct {
	cfg  core.Config
	c    *core.Cluster
	rec  []core.Recorded // the whole run, possibly past Now() after a scrub back
	next int             // rec[:next] are applied to c
	head int64           // the furthest tick this run has reached

	// cps[i] is the cluster at cps[i].tick before the commands of that tick,
	// ascending by tick; cps[0] is tick 0.
	cps      []checkpoint
	everyTks int64
	cpsMax   int // checkpointsFor(cfg)

	// held are event batches drained from the live cluster before a
	// checkpoint clone and not yet taken by Events, oldest first.
	held [][]core.Event

	// store is the retained window of the run's events and operations
	// (window.go); quiet sends the events of replayed ticks there only,
	// not to Events; forgot is the tick before which the live cluster and
	// the checkpoints have forgotten their history (the store's start).
	store  *tracestore.Store
	quiet  bool
	forgot int64
	// checkEvery is how many ticks go between two questions whether a
	// frame's time is spent (overrunEvery).
	checkEvery int
}

type checkpoint struct {
	tick int64
	c    *core.Cluster
}

const (
	// checkpointEveryTicks is the initial spacing of checkpoints; it doubles
	// whenever the run holds more than checkpointsFor(cfg) of them, so that
	// memory stays bounded and a rebuild replays at most one spacing.
	checkpointEveryTicks = 128
	checkpointsMax       = 48
	checkpointsMin       = 8
	// checkpointBytesBudget bounds the memory all checkpoints of a run may
	// take, by the estimate of checkpointBytes.
	checkpointBytesBudget = 256 << 20
)

// checkpointBytes estimates the memory of one checkpoint (a Clone) of a
// cluster run with cfg, from the two structures that dominate it in a large
// cluster: every node's own copy of the ring (16 bytes a point), and every
// node's Merkle trees (one per key range it replicates, 2^(depth+1) hashes
// each). At 64 nodes x 256 virtual nodes it gives 29 MB; 28 MB was measured.
func checkpointBytes(cfg core.Config) int64 { return runfmt.CheckpointBytes(cfg) }

// checkpointsFor is how many checkpoints a run with cfg keeps: as many as
// the memory budget allows, between checkpointsMin and checkpointsMax.
func checkpointsFor(cfg core.Config) int {
	return int(min(max(checkpointBytesBudget/checkpointBytes(cfg), checkpointsMin), checkpointsMax))
}

// NewTimeline starts a run at tick 0.
func NewTimeline(cfg core.Config) (*Timeline, error) {
	c, err := core.New(cfg)
	if err != nil {
		return nil, err
	}
	t := &Timeline{cfg: cfg, c: c, everyTks: checkpointEveryTicks, cpsMax: checkpointsFor(cfg), store: tracestore.New(0),
		checkEvery: overrunEvery(cfg)}
	t.cps = []checkpoint{{tick: c.Now(), c: c.Clone()}}
	return t, nil
}

// Config is the run's configuration.
func (t *Timeline) Config() core.Config { return t.cfg }

// Cluster is the live cluster. Callers read from it; they change it only
// through the Timeline, which records what they do.
func (t *Timeline) Cluster() *core.Cluster { return t.c }

// Now is the live cluster's tick.
func (t *Timeline) Now() int64 { return t.c.Now() }

// Head is the furthest tick the run has reached; GoTo accepts 0..Head.
func (t *Timeline) Head() int64 { return t.head }

// Events returns the events of the live run since the last call, oldest
// first, and forgets them. Callers take events here, never from
// Cluster().Events(), which would miss those the Timeline holds.
func (t *Timeline) Events() []core.Event {
	evs := t.takeEvents()
	t.record(evs)
	return evs
}

func (t *Timeline) takeEvents() []core.Event {
	evs := t.c.Events()
	if len(t.held) == 0 {
		return evs
	}
	n := len(evs)
	for _, h := range t.held {
		n += len(h)
	}
	all := make([]core.Event, 0, n)
	for _, h := range t.held {
		all = append(all, h...)
	}
	all = append(all, evs...)
	clear(t.held)
	t.held = t.held[:0]
	return all
}

// Recorded is the whole run's command list (including commands past Now
// after a scrub back). The caller must not modify it.
func (t *Timeline) Recorded() []core.Recorded { return t.rec }

// Apply performs cmd at the current tick and records it. If the run had a
// future (the user scrubbed back), that future is dropped first: the run
// forks here. A command the cluster rejects is not recorded and forks nothing.
func (t *Timeline) Apply(cmd core.Command) (core.RequestID, error) {
	probe := t.c
	forking := t.next < len(t.rec) || t.head > t.Now()
	if forking {
		// Try the command on a copy so a rejected command leaves the
		// future intact.
		t.holdEvents()
		probe = t.c.Clone()
	}
	id, err := probe.Apply(cmd)
	if err != nil {
		return 0, err
	}
	if forking {
		t.c = probe
		t.rec = t.rec[:t.next]
		t.head = t.Now()
		for len(t.cps) > 1 && t.cps[len(t.cps)-1].tick > t.head {
			t.cps = t.cps[:len(t.cps)-1]
		}
	}
	t.rec = append(t.rec, core.Recorded{Tick: t.Now(), Cmd: cmd})
	t.next = len(t.rec)
	return id, nil
}

// Step advances the live cluster by one tick, replaying recorded commands
// of the new tick if the run has a future there.
func (t *Timeline) Step() {
	t.c.Tick()
	if t.quiet {
		t.record(t.c.Events())
	}
	now := t.Now()
	if now >= t.cps[len(t.cps)-1].tick+t.everyTks {
		t.addCheckpoint()
	}
	t.applyDue()
	t.head = max(t.head, now)
}

// applyDue applies the recorded commands of the current tick.
func (t *Timeline) applyDue() {
	now := t.Now()
	for t.next < len(t.rec) && t.rec[t.next].Tick <= now {
		// A recorded command was accepted when first applied; the run is
		// deterministic, so it is accepted again.
		_, _ = t.c.Apply(t.rec[t.next].Cmd)
		t.next++
	}
}

// holdEvents moves the live cluster's buffered events to the Timeline, so
// that a Clone does not copy them.
func (t *Timeline) holdEvents() {
	if evs := t.c.Events(); len(evs) > 0 {
		t.held = append(t.held, evs)
	}
}

func (t *Timeline) addCheckpoint() {
	t.holdEvents()
	t.cps = append(t.cps, checkpoint{tick: t.Now(), c: t.c.Clone()})
	if len(t.cps) <= t.cpsMax {
		return
	}
	// Thin out: keep tick 0 and every other checkpoint after it.
	kept := t.cps[:1]
	for i := 2; i < len(t.cps); i += 2 {
		kept = append(kept, t.cps[i])
	}
	clear(t.cps[len(kept):])
	t.cps = kept
	t.everyTks *= 2
}

// ErrOutsideRun is returned by GoTo for a tick outside 0..Head.
var ErrOutsideRun = errors.New("tick outside the recorded run")

// GoTo moves the live cluster to tick (0 <= tick <= Head), with every
// command recorded up to and including that tick applied. Going forward
// within reach steps (and the events of those ticks are news for Events);
// anything else rebuilds from the nearest checkpoint, and Events then
// starts afresh at tick: what was replayed was already shown.
func (t *Timeline) GoTo(tick int64) error {
	if tick < 0 || tick > t.head {
		return fmt.Errorf("go to tick %d: %w (0..%d)", tick, ErrOutsideRun, t.head)
	}
	if tick < t.store.Start() {
		return fmt.Errorf("go to tick %d: %w (kept: %d..%d)", tick, ErrSummarised, t.store.Start(), t.head)
	}
	now := t.Now()
	if tick == now {
		return nil
	}
	i, found := slices.BinarySearchFunc(t.cps, tick, func(cp checkpoint, tick int64) int {
		return cmp.Compare(cp.tick, tick)
	})
	if !found {
		i--
	}
	cp := t.cps[i]
	// After a scrub back the store ends at now (Cut): going forward again,
	// the ticks after it must be recorded as they are passed, so they are
	// stepped rather than rebuilt quietly from a later checkpoint.
	if tick > now && (cp.tick <= now || t.store.End() < tick) {
		for t.Now() < tick {
			t.Step()
		}
		return nil
	}
	// The ticks up to tick are in the store already; those after it will
	// come again as the run plays on.
	t.record(t.takeEvents())
	t.store.Cut(tick)
	t.c = cp.c.Clone()
	clear(t.held)
	t.held = t.held[:0]
	t.next, _ = slices.BinarySearchFunc(t.rec, cp.tick, func(r core.Recorded, tick int64) int {
		return cmp.Compare(r.Tick, tick)
	})
	// rec is ordered by tick, and BinarySearchFunc finds the first command
	// at cp.tick, none of which the checkpoint has applied.
	t.c.DiscardEvents(true)
	t.applyDue()
	quiet := t.quiet
	t.quiet = false
	for t.Now() < tick {
		t.Step()
	}
	t.quiet = quiet
	t.c.DiscardEvents(false)
	t.store.Sync(t.c, tick)
	return nil
}
