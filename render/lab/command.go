package lab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/ids"
	"github.com/ringlab/ringlab/render/ui"
	"github.com/ringlab/ringlab/runfmt"
)

// action is a command from outside the frame loop (the page, a script,
// flags), parsed and waiting for the next Update.
type action struct {
	kind    string
	num     float64
	chapter string
	item    string // "chapter": the item to open the chapter on (Opener)
	node    core.NodeID
	cluster string // "select": the cluster's name ("CP"), "" for the lab's run
	cmd     core.Command
	config  core.Config
	knob    func(*core.Config) // "knob": the change to a setting that restarts the run
	link    *runfmt.Link       // "link": a fragment to open (LoadState)
	replay  *runfmt.Replay     // "replay": a checked replay file (LoadReplay)
	// quiet: "replay" says nothing once loaded (a schedule the search
	// found, opened by Show me: the view it opens on explains it).
	quiet bool
}

// commandJSON is the wire form of Command's argument. Value is kept raw: it
// is a number for speed and seed, a string or a number for chapter.
type commandJSON struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
	Item  *string         `json:"item"`
	Cmd   *core.Command   `json:"cmd"`
	Name  *string         `json:"name"`
}

// itemMax bounds a chapter item's name.
const itemMax = runfmt.ItemMax

// runTicksMax bounds one "run" command.
const runTicksMax = 1_000_000

// commandJSONMax bounds the text Command accepts.
const commandJSONMax = 64 << 10

// ParseCommand checks a command from the page and returns it ready to queue.
// Accepted: {"type":"play"} "pause" "toggle" "step" "reset" "help"
// "rewind" (replays the run from tick 0, its commands kept as its future),
// {"type":"speed","value":ticksPerSecond}, {"type":"seed","value":n},
// {"type":"chapter","value":"id" or 1-based number} (optionally with
// "item": the chapter opens on that item, as Lab.OpenChapter does:
// {"type":"chapter","value":"experiments","item":"movement"}),
// {"type":"seek","value":tick}, {"type":"select","value":"n2" or ""; "CP n2"
// names a cluster in a chapter that runs several, see Clusters; for the
// diagram and history views, "op:12" the operation of request 12, "msg:40"
// message 40, "stale" the latest stale read},
// {"type":"view","value":"scene"|"diagram"|"history"} (the chapter's
// picture, the run's space-time diagram, or the clients' history),
// {"type":"tab","value":name} (a side-panel tab, "inspector"|"events"|
// "counters", or a tab of a strip the page shows, by its label in any
// case: "plot"|"table" on the experiments page),
// {"type":"config","value":<core.Config>} (restarts the chapter's run with
// it), {"type":"knob","name":"read_repair","value":0} (one knob of
// core.Knobs by any of its spellings, its value as a link writes it: a
// knob the set command takes is a recorded set command, any other
// restarts the chapter's run with it changed), {"type":"core","cmd":<core.Command>}, {"type":"press","value":"id"}
// (presses the button with that id among the controls on screen, or turns
// over the toggle with it),
// {"type":"run","value":ticks} (pauses, then advances that many ticks, up
// to runTicksMax, across as many frames as their work needs: State.Job
// shows the progress, and the commands queued after it wait for it),
// {"type":"cancel"} (stops the work State.Job shows: a run stops where it
// got to, a link or replay being rebuilt is dropped), {"type":"save","value":"png"|"events.csv"|
// "history.csv"|"replay.json"|"table.csv"|"table.json"} (as the Save menu:
// through the host; the table kinds when the page offers them).
//
// "run" advances the lab's run, the simulated cluster. The experiments page
// shows no run (its Parts are none): its sweep is separate work, measured a
// frame's share at a time so that the page never freezes, and finishing it
// inside one command would freeze it. Start a sweep there with
// {"type":"press","value":"exp-run"} and follow State.Page (progress, done).
func ParseCommand(text string) (action, error) {
	var a action
	if len(text) > commandJSONMax {
		return a, fmt.Errorf("command longer than %d bytes", commandJSONMax)
	}
	var c commandJSON
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return a, fmt.Errorf("command is not valid JSON of the expected shape: %v", err)
	}
	if dec.More() {
		return a, errors.New("command has trailing data after the JSON object")
	}
	a.kind = c.Type
	if c.Item != nil {
		if c.Type != "chapter" {
			return a, fmt.Errorf(`"item" goes only with "chapter", not %q`, c.Type)
		}
		if *c.Item == "" || len(*c.Item) > itemMax {
			return a, fmt.Errorf(`"item" needs a name of 1 to %d characters`, itemMax)
		}
		a.item = *c.Item
	}
	number := func(what string, lo, hi float64) error {
		if len(c.Value) == 0 {
			return fmt.Errorf("%q needs a numeric value", what)
		}
		if string(c.Value) == "null" {
			// What JSON.stringify makes of NaN and the infinities.
			return fmt.Errorf("%q needs a number from %g to %g, got null (NaN or an infinity in JavaScript)", what, lo, hi)
		}
		if err := json.Unmarshal(c.Value, &a.num); err != nil {
			return fmt.Errorf("%q needs a numeric value, got %s", what, c.Value)
		}
		if math.IsNaN(a.num) || a.num < lo || a.num > hi {
			return fmt.Errorf("%q value %v outside %g..%g", what, a.num, lo, hi)
		}
		return nil
	}
	switch c.Type {
	case "play", "pause", "toggle", "step", "reset", "help", "rewind", "cancel":
		return a, nil
	case "speed":
		return a, number("speed", SpeedMin, SpeedMax)
	case "seek":
		return a, number("seek", 0, math.MaxInt64)
	case "run":
		if err := number("run", 1, runTicksMax); err != nil {
			return a, err
		}
		if a.num != math.Trunc(a.num) {
			return a, fmt.Errorf("run needs a whole number of ticks, got %v", a.num)
		}
		return a, nil
	case "seed":
		if err := number("seed", 0, 1<<53); err != nil {
			return a, err
		}
		if a.num != math.Trunc(a.num) {
			return a, fmt.Errorf("seed must be a whole number, got %v", a.num)
		}
		return a, nil
	case "chapter":
		var s string
		if err := json.Unmarshal(c.Value, &s); err == nil && s != "" {
			a.chapter = s
			return a, nil
		}
		if err := number("chapter", 1, 1<<16); err != nil {
			return a, errors.New(`"chapter" needs a chapter id or its number from 1`)
		}
		a.chapter = strconv.Itoa(int(a.num))
		return a, nil
	case "select":
		var s string
		if err := json.Unmarshal(c.Value, &s); err != nil {
			return a, errors.New(`"select" needs a node name such as "n2", or "" for none`)
		}
		if item, ok, err := parseViewItem(s); ok || err != nil {
			a.kind, a.chapter = "selectitem", item
			return a, err
		}
		a.node = core.NoNode
		if s != "" {
			// "CP n2": a node of one of the clusters a chapter runs.
			if c, n, ok := strings.Cut(s, " "); ok {
				a.cluster, s = c, n
			}
			id, ok := ids.Parse(s)
			if !ok {
				return a, fmt.Errorf("%q is not a node name such as n2 (or CP n2 in a chapter with two clusters)", s)
			}
			a.node = id
		}
		return a, nil
	case "save":
		if err := json.Unmarshal(c.Value, &a.chapter); err != nil || !knownExport(a.chapter) {
			return a, fmt.Errorf(`"save" needs one of %v`, append(slices.Clone(ExportKinds), PageExportKinds...))
		}
		return a, nil
	case "press":
		if err := json.Unmarshal(c.Value, &a.chapter); err != nil || a.chapter == "" {
			return a, errors.New(`"press" needs the id of a button or a toggle, such as "play"`)
		}
		return a, nil
	case "view":
		if err := json.Unmarshal(c.Value, &a.chapter); err != nil {
			return a, fmt.Errorf(`"view" needs one of %s`, strings.Join(ViewNames, ", "))
		}
		if _, err := ParseView(a.chapter); err != nil {
			return a, err
		}
		return a, nil
	case "tab":
		if err := json.Unmarshal(c.Value, &a.chapter); err != nil || a.chapter == "" || len(a.chapter) > itemMax {
			return a, fmt.Errorf(`"tab" needs the name of a tab: one of %v, or one the page shows`, tabNames)
		}
		return a, nil
	case "config":
		if len(c.Value) == 0 {
			return a, errors.New(`"config" needs a configuration object`)
		}
		a.config = core.DefaultConfig()
		cdec := json.NewDecoder(bytes.NewReader(c.Value))
		cdec.DisallowUnknownFields()
		if err := cdec.Decode(&a.config); err != nil {
			return a, fmt.Errorf("config: %v", err)
		}
		if err := runfmt.ValidConfig(a.config); err != nil {
			return a, fmt.Errorf("config: %v", err)
		}
		return a, nil
	case "knob":
		return a, parseKnobCommand(&a, c)
	case "core":
		if c.Cmd == nil {
			return a, errors.New(`"core" needs "cmd": a core command`)
		}
		if c.Cmd.Kind == "" {
			return a, errors.New(`core command needs a "kind"`)
		}
		if err := runfmt.CheckCommand(*c.Cmd); err != nil {
			return a, fmt.Errorf("core command refused: %v", err)
		}
		a.cmd = *c.Cmd
		return a, nil
	case "":
		return a, errors.New(`command needs a "type"`)
	}
	return a, fmt.Errorf("unknown command type %q", c.Type)
}

// Command parses a JSON command and queues it for the next Update. It
// returns "" when accepted, or a one-line reason, and never touches the
// run itself: it is safe to call from any goroutine (a JS callback).
func (l *Lab) Command(text string) string {
	a, err := ParseCommand(text)
	if err != nil {
		return err.Error()
	}
	if a.kind == "tab" && !l.tabKnown(a.chapter) {
		return fmt.Sprintf(`no tab %q here: "tab" needs one of %v`, a.chapter, l.tabChoices())
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if a.kind == "core" {
		if err := l.checkNodesQueued(a.cmd); err != nil {
			return "core command refused: " + err.Error()
		}
	}
	if len(l.queue) >= 1024 {
		return "command queue full; try again after the next frame"
	}
	l.queue = append(l.queue, a)
	return ""
}

// checkNodesQueued refuses at once a core command that names a node the
// run does not have: the run as of the last Update, with the joins queued
// since. When a queued action or a job may replace the run, the command
// is checked when it is applied instead. l.mu is held.
func (l *Lab) checkNodesQueued(cmd core.Command) error {
	s := l.state.Load()
	if s == nil || s.st.Job != nil || len(l.sequence) > 0 || len(s.st.Nodes) == 0 {
		return nil
	}
	nodes := len(s.st.Nodes)
	for _, q := range l.queue {
		switch {
		case q.kind == "core" && q.cmd.Kind == core.CmdJoin:
			nodes++
		case q.kind != "core" && q.kind != "play" && q.kind != "pause" && q.kind != "step" && q.kind != "run" &&
			q.kind != "speed" && q.kind != "select" && q.kind != "view" && q.kind != "tab" && q.kind != "help":
			return nil // the run may change before cmd is applied
		}
	}
	return runfmt.Shape{Weights: make([]float64, nodes)}.CheckNode(cmd)
}

// enqueue adds an action for the next Update, from the frame loop itself.
func (l *Lab) enqueue(a action) {
	l.mu.Lock()
	l.queue = append(l.queue, a)
	l.mu.Unlock()
}

// CommandSequence queues JSON commands to be applied one per Update, in
// order, ahead of those Command queues: each then acts on what the ones
// before it changed, as a person's presses do (a button that an earlier
// press enabled, the frames the chapter needs to react). The desktop's -do
// flags use it. Every command is checked first; if one is refused, nothing
// is queued and the error names it.
func (l *Lab) CommandSequence(texts []string) error {
	seq := make([]action, 0, len(texts))
	for i, text := range texts {
		a, err := ParseCommand(text)
		if err != nil {
			return fmt.Errorf("command %d (%s): %v", i+1, runfmt.Clip(text), err)
		}
		seq = append(seq, a)
	}
	l.mu.Lock()
	l.sequence = append(l.sequence, seq...)
	l.mu.Unlock()
	return nil
}

// SequenceLeft is how many CommandSequence commands are still to apply.
func (l *Lab) SequenceLeft() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.sequence)
}

func (l *Lab) drainQueue() {
	l.mu.Lock()
	q := l.queue
	l.queue = nil
	if len(l.sequence) > 0 && l.job == nil {
		q = append([]action{l.sequence[0]}, q...)
		l.sequence = l.sequence[1:]
	}
	l.mu.Unlock()
	for i, a := range q {
		if l.job != nil {
			// A job started by the action before gets this frame's time
			// first: a short one is done at once.
			l.advanceJob()
		}
		if l.job != nil && a.kind != "cancel" {
			// What comes after a job waits for it to end, in order: a
			// change posted after a link must apply to the linked run.
			l.holdQueue(q[i:])
			return
		}
		l.perform(a)
	}
}

// holdQueue puts actions back at the head of the queue, in order, keeping
// the cancels among them for now: Cancel does not wait for the job.
func (l *Lab) holdQueue(rest []action) {
	held := make([]action, 0, len(rest))
	cancel := false
	for _, a := range rest {
		if a.kind == "cancel" {
			cancel = true
			continue
		}
		held = append(held, a)
	}
	if cancel {
		l.cancelJob()
	}
	l.mu.Lock()
	l.queue = append(held, l.queue...)
	l.mu.Unlock()
}

func (l *Lab) perform(a action) {
	switch a.kind {
	case "play":
		l.paused = false
	case "pause":
		l.paused = true
	case "toggle":
		l.paused = !l.paused
	case "step":
		l.paused = true
		l.step(1)
	case "reset":
		l.reset()
	case "rewind":
		l.rewind()
	case "help":
		l.help = !l.help
	case "speed":
		l.setSpeed(a.num)
	case "seek":
		l.seek(int64(a.num))
	case "seed":
		l.setSeed(uint64(a.num))
	case "chapter":
		i, err := l.chapterIndex(a.chapter)
		if err != nil {
			l.notify("Ignored chapter " + a.chapter + ": " + err.Error())
			return
		}
		if a.item != "" {
			if err := l.openItem(i, a.item); err != nil {
				l.notify("Ignored chapter " + a.chapter + ": " + err.Error())
				return
			}
		}
		l.setChapter(i)
	case "select":
		i := 0
		if a.cluster != "" {
			names := l.clusterNames()
			i = slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(n, a.cluster) })
			if i < 0 {
				l.notify(fmt.Sprintf("Ignored select: this chapter has no cluster %q.", a.cluster))
				return
			}
		}
		l.selectNode(i, a.node)
	case "tab":
		l.selectTab(a.chapter)
	case "view":
		l.setView(a.chapter)
	case "selectitem":
		l.selectViewItem(a.chapter)
	case "config":
		cfg := a.config
		l.override = &cfg
		if a.config.Seed != 0 {
			l.seed = a.config.Seed
		}
		l.reset()
	case "run":
		// Across frames, as much a frame as its time allows: the events
		// stream to the log and the trace frame by frame.
		l.paused = true
		n := int64(a.num)
		l.startJob(&job{title: "Running " + runfmt.Thousands(n) + " ticks", from: l.tl.Now(), to: l.tl.Now() + n})
	case "cancel":
		l.cancelJob()
	case "press":
		// Register this frame's controls (with their callbacks bound to
		// the current run, and their states computed from the cluster as
		// it is now, after what the chapter did in the last Update) before
		// looking for the button.
		l.refresh()
		l.mgr.Begin()
		l.addWidgets()
		// A toggle is pressed as a click would: it turns over.
		for _, w := range l.mgr.Widgets() {
			switch w := w.(type) {
			case *ui.Button:
				if w.ID() != a.chapter {
					continue
				}
				if w.Disabled || w.OnClick == nil {
					l.notify("Button " + a.chapter + " is disabled now.")
					return
				}
				w.OnClick()
				return
			case *ui.Toggle:
				if w.ID() != a.chapter {
					continue
				}
				if w.Disabled {
					l.notify("Toggle " + a.chapter + " is disabled now.")
					return
				}
				w.Flip()
				return
			}
		}
		l.notify("No button or toggle " + a.chapter + " on screen.")
	case "save":
		l.save(a.chapter)
	case "link":
		l.openLinkNow(a.link)
	case "replay":
		l.loadReplayNow(a.replay, a.quiet)
	case "knob":
		// The settings on screen, live changes (set commands) included:
		// the restart keeps them.
		cfg := l.tl.Cluster().Config()
		a.knob(&cfg)
		cfg.Faults = cfg.Faults.WithDefaultTiming() // faults chosen alone get the usual timing
		// Per-node lists follow a smaller node count (a longer one would
		// be refused); nodes past a list's end get its defaults.
		cfg.Weights = cfg.Weights[:min(len(cfg.Weights), cfg.Nodes)]
		cfg.SkewTicks = cfg.SkewTicks[:min(len(cfg.SkewTicks), cfg.Nodes)]
		if err := runfmt.ValidConfig(cfg); err != nil {
			l.notify("Setting refused: " + err.Error())
			return
		}
		l.override = &cfg
		l.reset()
	case "core":
		if _, err := l.apply(a.cmd); err != nil {
			l.notify("Command " + string(a.cmd.Kind) + " refused: " + err.Error())
		}
	}
}

// parseKnobCommand reads {"type":"knob","name":N,"value":V}: a live knob
// becomes a core set command, any other a restart with the knob changed.
func parseKnobCommand(a *action, c commandJSON) error {
	if c.Name == nil || *c.Name == "" {
		return errors.New(`"knob" needs "name": a setting such as "w" or "read_repair"`)
	}
	k, ok := core.LookupKnob(*c.Name)
	if !ok {
		names := make([]string, 0, len(core.Knobs()))
		for _, k := range core.Knobs() {
			names = append(names, k.Name)
		}
		return fmt.Errorf("knob %s is unknown; the knobs are %s", runfmt.Clip(*c.Name), strings.Join(names, ", "))
	}
	var text string
	if err := json.Unmarshal(c.Value, &text); err != nil {
		text = string(bytes.TrimSpace(c.Value)) // a number or a boolean
	}
	set, err := k.Parse(text)
	if err != nil {
		return fmt.Errorf("knob %s=%s: %v", k.Name, runfmt.Clip(text), err)
	}
	if k.Live {
		var probe core.Config
		set(&probe)
		num, _ := k.Num(&probe)
		a.kind, a.cmd = "core", core.Command{Kind: core.CmdSet, Param: k.Name, Num: num}
		return nil
	}
	a.knob = set
	return nil
}

// NodeState is one node in State.
type NodeState struct {
	ID     core.NodeID `json:"id"`
	Name   string      `json:"name"`
	Up     bool        `json:"up"`
	Status string      `json:"status"` // up, down, suspected, left
	Keys   int         `json:"keys"`
	Hints  int         `json:"hints"`
}

// State is what the page, scripts and tests read of the lab.
type State struct {
	Chapter      string        `json:"chapter"`
	ChapterIndex int           `json:"chapterIndex"` // 1-based
	Chapters     int           `json:"chapters"`
	Title        string        `json:"title"`
	Tick         int64         `json:"tick"`
	Head         int64         `json:"head"` // the furthest tick of the run
	Seed         uint64        `json:"seed"`
	Paused       bool          `json:"paused"`
	Speed        float64       `json:"speed"` // chosen, ticks per second
	Config       core.Config   `json:"config"`
	Nodes        []NodeState   `json:"nodes"`
	Counters     core.Counters `json:"counters"`
	Digest       string        `json:"digest"`
	FPS          float64       `json:"fps"`
	TPS          float64       `json:"tps"`         // updates per second
	TicksPerSec  float64       `json:"ticksPerSec"` // simulated ticks per second, measured
	// UpdateMsMax is the longest frame update of the last second, in
	// milliseconds (simulation, searches and checks included; drawing not).
	UpdateMsMax float64 `json:"updateMsMax"`
	// SearchMsMax is the longest time one update of the last second spent
	// stepping a schedule search ("Can this go wrong?"), in milliseconds.
	SearchMsMax float64 `json:"searchMsMax"`
	// SearchSlices tallies every update since the lab began that stepped a
	// schedule search: how many, how many spent more than 8 ms on it, and
	// the longest.
	SearchSlices SliceTally `json:"searchSlices"`
	// SearchUpdates tallies the same updates by their whole time, search
	// and all: where the search runs in a worker (SearchWhere "worker"),
	// how long the frames took while it ran.
	SearchUpdates SliceTally `json:"searchUpdates"`
	// Updates tallies every update since the lab began by its whole
	// time, searching or not: what the frames take anyway, for instance
	// while the machine is busy with other work, to read SearchUpdates
	// against.
	Updates SliceTally `json:"updates"`
	// SearchWhere is where the last schedule search ran: "worker" (a Web
	// Worker, apart from the page's thread), "frames" (stepped in the
	// updates), "" before any.
	SearchWhere string `json:"searchWhere,omitempty"`
	// SearchFallback is why the last search that was to run in a worker
	// ran in the updates instead (the worker's error), "" if none did.
	SearchFallback string `json:"searchFallback,omitempty"`
	Focus          string `json:"focus"`      // focused control id, or ""
	FocusFirst     bool   `json:"focusFirst"` // the focused control is the first in Tab order
	FocusLast      bool   `json:"focusLast"`  // ... the last: Tab should leave the canvas
	Help           bool   `json:"help"`       // the help overlay shows
	Notice         string `json:"notice"`     // the notice on screen, or ""
	Selected       string `json:"selected"`   // the inspected node, or ""
	View           string `json:"view"`       // "scene", "diagram" or "history"
	// ViewText is what the diagram or history view says of its selection
	// (or how to select), "" in the scene view.
	ViewText string   `json:"viewText,omitempty"`
	Recorded int      `json:"recorded"`      // commands recorded in the run
	Frame    int64    `json:"frame"`         // Update calls so far
	LogTail  []string `json:"log,omitempty"` // the last few event-log lines
	// Page is the current page's own status, for a page that reports one
	// (PageReporter): the experiments page's shown experiment and sweep,
	// {"id":"experiments","item":"movement","running":false,"progress":1,
	// "done":true}. Absent on the chapters.
	Page *PageState `json:"page,omitempty"`
	// Memory is the Go heap in use and the run's retained window.
	Memory Memory `json:"memory"`
	// Job is the work the lab is doing across frames (a link or replay
	// being rebuilt, a long run command), with its progress in ticks;
	// absent when there is none. Commands sent meanwhile wait for it, in
	// order; {"type":"cancel"} stops it.
	Job *JobState `json:"job,omitempty"`
}

// StateNow describes the lab as of the last Update.
func (l *Lab) StateNow() State {
	info := l.Chapter().Info()
	st := State{
		Chapter:        info.ID,
		ChapterIndex:   l.cur + 1,
		Chapters:       len(l.chapters),
		Title:          info.Title,
		Tick:           l.tl.Now(),
		Head:           l.tl.Head(),
		Seed:           l.seed,
		Paused:         l.paused,
		Speed:          l.speed,
		Config:         l.tl.Config(),
		FPS:            round2(l.fps),
		TPS:            round2(l.tps),
		TicksPerSec:    round2(l.ticksPerSec),
		UpdateMsMax:    round2(float64(l.updateMax) / float64(time.Millisecond)),
		SearchMsMax:    round2(float64(l.searchMax) / float64(time.Millisecond)),
		SearchSlices:   l.slices,
		SearchUpdates:  l.searchUpdates,
		Updates:        l.allUpdates,
		SearchWhere:    l.searchWhere,
		SearchFallback: l.searchFallback,
		Focus:          l.mgr.Focus(),
		Help:           l.help,
		Notice:         l.notice,
		Recorded:       len(l.tl.Recorded()),
		Frame:          l.frameCounter,
		Digest:         l.tl.Cluster().Digest(),
		Page:           l.pageState(),
		View:           l.viewName(),
		Memory:         l.memory,
		Job:            l.jobState(),
	}
	if l.timeViewShown() && l.tv.model != nil {
		st.ViewText = l.timeCaption()
	}
	st.FocusFirst, st.FocusLast = l.mgr.FocusEdge()
	if l.selected != core.NoNode {
		st.Selected = l.selected.String()
		if names := l.clusterNames(); l.selCluster < len(names) {
			st.Selected = names[l.selCluster] + " " + st.Selected
		}
	}
	if v := l.view; v != nil {
		st.Counters = v.Counters
		for i, n := range v.Nodes {
			st.Nodes = append(st.Nodes, NodeState{ID: n.ID, Name: n.ID.String(), Up: n.Up,
				Status: runfmt.NodeStatus(v, i), Keys: len(n.Keys), Hints: len(n.Hints)})
		}
	}
	for _, e := range l.log[max(0, len(l.log)-5):] {
		st.LogTail = append(st.LogTail, e.text)
	}
	return st
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// publishState stores this Update's state for State() callers on other
// goroutines. It is written as JSON only when asked for: most frames
// nobody reads it, and the first frame should not wait for it.
func (l *Lab) publishState() {
	l.publishLink()
	l.publishTabs()
	l.state.Store(&stateSnapshot{st: l.StateNow()})
}

// stateSnapshot is one Update's State, written as JSON on first request.
// The State holds copies and immutable values only, so it can be encoded
// on any goroutine while the frame loop goes on.
type stateSnapshot struct {
	st   State
	once sync.Once
	text string
}

func (s *stateSnapshot) json() string {
	s.once.Do(func() {
		b, err := json.Marshal(s.st)
		if err != nil {
			b = []byte(`{"error":` + strconv.Quote(err.Error()) + `}`)
		}
		s.text = string(b)
	})
	return s.text
}

// State returns the JSON of the lab as of the last Update. It is safe to
// call from any goroutine and never blocks on the frame loop.
func (l *Lab) State() string {
	if s := l.state.Load(); s != nil {
		return s.json()
	}
	return ""
}

// tabChoices are the tab names the "tab" command accepts as of the last
// Update: the side panel's, and the labels of the tab strips on screen,
// lower-cased.
func (l *Lab) tabChoices() []string {
	names := slices.Clone(tabNames)
	if shown := l.tabsShown.Load(); shown != nil {
		for _, s := range *shown {
			if !slices.Contains(names, s) {
				names = append(names, s)
			}
		}
	}
	return names
}

func (l *Lab) tabKnown(name string) bool {
	return slices.ContainsFunc(l.tabChoices(), func(s string) bool { return strings.EqualFold(s, name) })
}

// publishTabs stores the labels of this frame's tab strips for tabChoices,
// when they changed.
func (l *Lab) publishTabs() {
	var labels []string
	for _, w := range l.mgr.Widgets() {
		if t, ok := w.(*ui.Tabs); ok && t != l.w.tabs {
			for _, s := range t.Labels {
				labels = append(labels, strings.ToLower(s))
			}
		}
	}
	if old := l.tabsShown.Load(); old == nil || !slices.Equal(*old, labels) {
		l.tabsShown.Store(&labels)
	}
}

// selectTab performs a "tab" command: a side-panel tab by its name, else
// the tab of that label in a strip on screen (as a click on it would).
func (l *Lab) selectTab(name string) {
	for i, n := range tabNames {
		if strings.EqualFold(n, name) {
			l.tab = i
			return
		}
	}
	// Register this frame's controls (bound to the current page) first.
	l.mgr.Begin()
	l.addWidgets()
	for _, w := range l.mgr.Widgets() {
		t, ok := w.(*ui.Tabs)
		if !ok || t == l.w.tabs {
			continue
		}
		for i, label := range t.Labels {
			if !strings.EqualFold(label, name) {
				continue
			}
			if i != t.Selected {
				t.Selected = i
				if t.OnChange != nil {
					t.OnChange(i)
				}
			}
			return
		}
	}
	l.notify("No tab " + strconv.Quote(name) + " on screen.")
}
