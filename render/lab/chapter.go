package lab

import (
	"time"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
	"github.com/ringlab/ringlab/runfmt"
)

// ChapterInfo is what the lab shows about a chapter around its picture.
type ChapterInfo struct {
	ID      string // stable, used in links: "sandbox", "naive-hashing"
	Title   string // "Consistent hashing"
	Summary string // one line: what the picture shows
	TryThis string // the suggested action and what to predict
}

// Preset is where a chapter's run starts: a configuration and commands
// applied at given ticks (the scenario).
type Preset = runfmt.Preset

// Parts selects the lab's standard controls and panels a chapter shows.
type Parts uint32

const (
	PartTransport Parts = 1 << iota // play/pause, step, speed
	PartTimeline                    // the scrubbable timeline and reset
	PartSeed                        // the editable seed
	PartInspector                   // the node inspector (click a node)
	PartEventLog                    // the event log
	PartCounters                    // the run's counters

	PartsAll = PartTransport | PartTimeline | PartSeed | PartInspector | PartEventLog | PartCounters
)

// Chapter is one scene of the lab. The lab owns the run (a Timeline built
// from the chapter's Preset), the transport, the side panels and the input;
// a chapter adds its own controls and draws its picture.
type Chapter interface {
	Info() ChapterInfo
	// Preset is the run the chapter starts from for a seed.
	Preset(seed uint64) Preset
	// Parts is which standard controls and panels the chapter shows.
	Parts() Parts
	// Controls are the chapter's own widgets, in Tab order, laid out in
	// the side panel one per row. The lab calls it every frame.
	Controls(x *Context) []ui.Widget
	// Enter is called when the chapter becomes current and after every
	// reset or seed change, with the fresh run in x.
	Enter(x *Context)
	// Update runs once per frame after the simulation advanced.
	Update(x *Context)
	// Build draws the chapter's picture into area.
	Build(x *Context, area frame.Rect, l *frame.Layer)
	// NodeAt is the node drawn at a point of the last picture, if any; a
	// click there selects it for the inspector.
	NodeAt(x, y float64) (core.NodeID, bool)
}

// Context is what a chapter sees of the lab during one frame.
type Context struct {
	lab *Lab
	// View is a snapshot of the live cluster at the current tick.
	View *core.View
	// Phase is how far the simulation is into the next tick, in [0, 1).
	Phase float64
	// Events are those of this frame; Recent those of the last few ticks.
	Events []core.Event
	Recent []core.Event
	Theme  *ui.Theme
	// Measure measures text in the face the lab paints with.
	Measure frame.Measurer
	// Selected is the node shown in the inspector, or core.NoNode, and
	// SelectedCluster its cluster (0 but in a chapter that runs several,
	// see Clusters).
	Selected        core.NodeID
	SelectedCluster int
	// Seed is the run's seed.
	Seed uint64
	// ReducedMotion is the user's wish for no animation: draw changes as
	// jump cuts (a message at its destination, nothing that fades or
	// flashes). Phase is then always 0, and scene.Progress returns 1.
	ReducedMotion bool
}

// Cluster gives read access to the live cluster (NodeRing, PreferenceList,
// History, Counters...). Change it only through Apply.
func (x *Context) Cluster() *core.Cluster { return x.lab.tl.Cluster() }

// UpdateElapsed is the time this frame's update has taken so far (the
// simulation's ticks included): work a chapter spreads across frames sizes
// its slice by what the frame has left.
func (x *Context) UpdateElapsed() time.Duration { return time.Since(x.lab.updateStart) }

// SpentSearching adds d to the time this update spent on a schedule
// search, which runs where says ("frames": stepped in the update; "worker":
// apart from the lab's thread, d then being the time to read its
// progress): ringlab.state().searchMsMax reports the longest of the last
// second's, what the search itself took of a frame, and searchWhere where
// the last one ran.
func (x *Context) SpentSearching(d time.Duration, where string) {
	x.lab.searchNow += d
	x.lab.searchWhere = where
}

// SearchFellBack records why a search that was to run apart (a worker)
// runs in the frames instead: ringlab.state().searchFallback, for those
// who test the page to read (the lab's words do not change).
func (x *Context) SearchFellBack(why string) { x.lab.searchFallback = why }

// RunConfig is the configuration the run started with; the live settings
// changed since are commands in the run (Cluster().Config() has them
// applied).
func (x *Context) RunConfig() core.Config { return x.lab.tl.Config() }

// Apply performs a command on the run at the current tick. It is recorded
// (so scrubbing replays it), and applying it in the past forks the run.
func (x *Context) Apply(cmd core.Command) (core.RequestID, error) { return x.lab.apply(cmd) }

// AtHead reports whether the tick on screen is the furthest the run has
// reached, with no recorded command after it: what a chapter applies now
// continues the run rather than forking it. A chapter that acts on its own
// when something happens (a reply arrives) acts only then: in a replayed
// past, what it did is already recorded and replays by itself.
func (x *Context) AtHead() bool {
	tl := x.lab.tl
	rec := tl.Recorded()
	return tl.Now() >= tl.Head() && (len(rec) == 0 || rec[len(rec)-1].Tick <= tl.Now())
}

// Select shows a node in the inspector (core.NoNode to clear).
func (x *Context) Select(id core.NodeID) {
	x.lab.selectNode(0, id)
	x.Selected, x.SelectedCluster = id, 0
}

// Notify shows a short message to the user in the notice bar.
func (x *Context) Notify(msg string) { x.lab.notify(msg) }

// SceneControls is implemented by chapters that lay out some of their own
// widgets inside their picture rather than in the side panel (a column of
// knobs, links in a table). The lab calls it every frame, after Controls,
// with the area the picture gets; the chapter sets each widget's bounds
// there. The widgets join the Tab order after the side panel's controls.
type SceneControls interface {
	SceneControls(x *Context, area frame.Rect) []ui.Widget
}

// Verdict is a linearizability verdict on the run on screen, as the time
// views show it: Unexplained are the operations no single order of the
// history explains (empty when it passed), Linearized the longest
// linearizable prefix the check found of a failing key's history (the
// operations one order does explain, underlined), Words the verdict in a
// few sentences.
type Verdict struct {
	OK          bool
	Unexplained []core.RequestID
	Linearized  []core.RequestID
	Words       string
}

// Verdicter is a chapter that checks its run's client history: the diagram
// and history views mark the operations its verdict cannot explain and say
// what it found. Verdict reports false when there is no verdict on the run
// at tick now (none taken, or one of another run).
type Verdicter interface {
	Verdict(now int64) (Verdict, bool)
}

// Restart starts the current chapter's run again from tick 0 with cfg in
// place of its preset's configuration, as the page's "config" command does:
// the seed is kept (cfg.Seed is overwritten with it), the preset's script is
// replayed, and cfg stays in force across resets until another chapter is
// chosen. It is for settings that shape a run from its start (virtual
// nodes, weights) and so cannot be a recorded command. The restart happens
// at the start of the next Update; an invalid cfg is refused with the
// reason and nothing changes.
func (x *Context) Restart(cfg core.Config) error {
	cfg.Seed = x.lab.seed
	// Held to the limits of a shared run, as the page's config command
	// is: what the lab runs can be saved and reopened.
	if err := x.lab.limits.Valid(cfg); err != nil {
		return err
	}
	x.lab.enqueue(action{kind: "config", config: cfg})
	return nil
}

// GoToChapter makes the chapter with this ID (or 1-based number) current,
// at the start of the next frame.
func (x *Context) GoToChapter(id string) error {
	if _, err := x.lab.chapterIndex(id); err != nil {
		return err
	}
	x.lab.enqueue(action{kind: "chapter", chapter: id})
	return nil
}

// ChapterTitle is the 1-based number and title of the chapter with this ID,
// for links between chapters.
func (x *Context) ChapterTitle(id string) (number int, title string, ok bool) {
	i, err := x.lab.chapterIndex(id)
	if err != nil {
		return 0, "", false
	}
	return i + 1, x.lab.chapters[i].Info().Title, true
}
