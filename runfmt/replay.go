package runfmt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/ringlab/ringlab/core"
)

// The replay file: one JSON object.
//
//	{
//	  "format":  "ringlab-replay",          // required, exactly this
//	  "version": 2,                         // required: 1 or 2
//	  "chapter": "quorums",                 // the chapter that shows the run
//	  "item":    "movement",                // version 2, optional: the chapter's item
//	  "view":    "diagram",                 // version 2, optional: how the chapter shows it
//	  "select":  "op:3",                    // version 3, optional: what that view selects
//	  "seed":    7,                         // 0..2^53
//	  "tick":    220,                       // the tick on screen, 0..Shared.Tick
//	  "config":  { ...core.Config... },     // the whole configuration (core's JSON names)
//	  "actions": [ {"tick": 40, "cmd": { ...core.Command... }}, ... ],
//	  "digest":  "9f2c..."                  // optional: the trace digest at tick
//	}
//
// Unlike a link, a replay is self-contained: config is complete and actions
// hold every command of the run, including those of the chapter's scripted
// preset, in tick order. config and each cmd are core's own JSON, so a
// field or command kind added to the core travels without a change here;
// unknown fields are refused by name (a file that is not this format, or
// is from a later build, should not half-load). Limits: the file at most
// ReplayBytesMax, at most Shared.Actions actions, ticks up to Shared.Tick,
// the configuration within the core's rules and Shared.
//
// Versions: 1 (the first) has no item and no view. 2 adds them, 3 the
// selection (a schedule search's counterexample opens on the operation
// that breaks the property). Every
// version ever written stays readable: testdata keeps a file of each, and
// a test opens every one and checks its digest.

// ReplayFormat and ReplayVersion identify the file; ReplayVersion is the
// version written.
const (
	ReplayFormat  = "ringlab-replay"
	ReplayVersion = 3
)

// ReplayBytesMax bounds a replay file.
const ReplayBytesMax = 4 << 20

// Replay is the replay file's content.
type Replay struct {
	Format  string          `json:"format"`
	Version int             `json:"version"`
	Chapter string          `json:"chapter"`
	Item    string          `json:"item,omitempty"`
	View    string          `json:"view,omitempty"`
	Select  string          `json:"select,omitempty"`
	Seed    uint64          `json:"seed"`
	Tick    int64           `json:"tick"`
	Config  core.Config     `json:"config"`
	Actions []core.Recorded `json:"actions"`
	Digest  string          `json:"digest,omitempty"`
}

// NewReplay is the replay file of a run at its tick: cfg is the whole
// configuration it started with, rec every command applied (script
// included), digest the trace digest at tick ("" for none).
func NewReplay(chapter string, cfg core.Config, rec []core.Recorded, tick int64, digest string) Replay {
	if rec == nil {
		rec = []core.Recorded{}
	}
	return Replay{Format: ReplayFormat, Version: ReplayVersion, Chapter: chapter,
		Seed: cfg.Seed, Tick: tick, Config: cfg, Actions: rec, Digest: digest}
}

// EncodeReplay writes a replay file (indented JSON, one action a line), as
// the version it names (fields that version lacks are left out).
func EncodeReplay(r Replay) ([]byte, error) {
	var b bytes.Buffer
	type head struct {
		Format  string      `json:"format"`
		Version int         `json:"version"`
		Chapter string      `json:"chapter"`
		Item    string      `json:"item,omitempty"`
		View    string      `json:"view,omitempty"`
		Select  string      `json:"select,omitempty"`
		Seed    uint64      `json:"seed"`
		Tick    int64       `json:"tick"`
		Config  core.Config `json:"config"`
		Digest  string      `json:"digest,omitempty"`
	}
	hd := head{r.Format, r.Version, r.Chapter, r.Item, r.View, r.Select, r.Seed, r.Tick, r.Config, r.Digest}
	if r.Version < 2 {
		hd.Item, hd.View = "", ""
	}
	if r.Version < 3 {
		hd.Select = ""
	}
	h, err := json.MarshalIndent(hd, "", "  ")
	if err != nil {
		return nil, err
	}
	// Insert "actions" before the closing brace, one action a line.
	b.Write(h[:len(h)-2])
	b.WriteString(",\n  \"actions\": [")
	for i, a := range r.Actions {
		line, err := json.Marshal(a)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		b.Write(line)
	}
	if len(r.Actions) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]\n}\n")
	return b.Bytes(), nil
}

// ParseReplay reads and checks a replay file of any version without
// running it. The error is one line saying what is wrong.
func ParseReplay(data []byte) (Replay, error) {
	var r Replay
	if len(data) > ReplayBytesMax {
		return r, fmt.Errorf("the file is larger than %d MiB; a replay is much smaller", ReplayBytesMax>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return r, errors.New("the file is empty or cut short: not a whole replay")
		}
		return r, fmt.Errorf("not a replay file: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return r, errors.New("not a replay file: data after the JSON object")
	}
	lim := Shared
	switch {
	case r.Format != ReplayFormat:
		return r, fmt.Errorf("not a replay file: format is %s, want %q", Clip(r.Format), ReplayFormat)
	case r.Version < 1 || r.Version > ReplayVersion:
		return r, fmt.Errorf("replay version %d; this lab reads versions 1 to %d", r.Version, ReplayVersion)
	case r.Version < 2 && (r.Item != "" || r.View != ""):
		return r, fmt.Errorf("replay version %d has no item or view; version 2 has", r.Version)
	case r.Version < 3 && r.Select != "":
		return r, fmt.Errorf("replay version %d has no selection; version 3 has", r.Version)
	case r.Chapter == "" || len(r.Chapter) > 64:
		return r, errors.New("the replay names no chapter")
	case r.Item != "" && len(r.Item) > ItemMax:
		return r, fmt.Errorf("item is longer than %d characters", ItemMax)
	case r.View != "" && !validName(r.View, ViewMax):
		return r, fmt.Errorf("view %s is not a view name (1 to %d letters, digits or dashes)", Clip(r.View), ViewMax)
	case r.Select != "" && CheckSelect(r.Select) != nil:
		return r, fmt.Errorf("select=%v", CheckSelect(r.Select))
	case r.Seed > 1<<53:
		return r, errors.New("seed is larger than 2^53")
	case r.Tick < 0 || r.Tick > lim.Tick:
		return r, fmt.Errorf("tick=%d must be between 0 and %d", r.Tick, lim.Tick)
	case len(r.Actions) > lim.Actions:
		return r, fmt.Errorf("%d actions; a replay holds at most %d", len(r.Actions), lim.Actions)
	}
	if err := lim.Valid(r.Config); err != nil {
		return r, fmt.Errorf("config: %v", err)
	}
	last := int64(0)
	for i, a := range r.Actions {
		if err := CheckAction(a, lim); err != nil {
			return r, fmt.Errorf("action %d: %v", i+1, err)
		}
		if a.Tick < last {
			return r, fmt.Errorf("action %d is at tick %d, before the previous one (%d)", i+1, a.Tick, last)
		}
		last = a.Tick
	}
	if err := CheckNodes(r.Config, r.Actions); err != nil {
		return r, err
	}
	if _, err := lim.Work(r.Config, r.Actions, r.Tick); err != nil {
		return r, err
	}
	return r, nil
}

// CheckAction bounds what the core's own validation does not: the sizes
// of texts and groups, and ticks.
func CheckAction(a core.Recorded, lim Limits) error {
	c := a.Cmd
	switch {
	case a.Tick < 0 || a.Tick > lim.Tick:
		return fmt.Errorf("tick=%d must be between 0 and %d", a.Tick, lim.Tick)
	case !slices.Contains(core.CommandKinds, c.Kind):
		return fmt.Errorf("unknown command %s", Clip(string(c.Kind)))
	case len(c.Key) > actionTextMax || len(c.Value) > actionTextMax || len(c.Param) > actionTextMax:
		return fmt.Errorf("a text longer than %d characters", actionTextMax)
	case len(c.Groups) > lim.Nodes:
		return fmt.Errorf("%d groups; at most %d", len(c.Groups), lim.Nodes)
	}
	members := 0
	for _, g := range c.Groups {
		members += len(g)
	}
	if members > core.MaxNodes {
		return fmt.Errorf("groups name %d nodes; at most %d", members, core.MaxNodes)
	}
	return nil
}

// Run is the replay as a run to load: every command is an action (the
// chapter's scripted preset is not applied again).
func (r Replay) Run() Run {
	cfg := r.Config
	return Run{Chapter: r.Chapter, Item: r.Item, View: r.View, Select: r.Select, Seed: r.Seed, Config: &cfg, ScriptKept: 0,
		Actions: r.Actions, Tick: r.Tick, Paused: true}
}

// CheckReplay parses a replay file and replays it off to the side, so that
// a file whose commands the simulation refuses is reported before anything
// changes. It also returns the digest of the rebuilt run at its tick.
func CheckReplay(data []byte) (Replay, string, error) {
	r, err := ParseReplay(data)
	if err != nil {
		return r, "", err
	}
	c, _, err := Rebuild{Until: -1}.Replay(r)
	if err != nil {
		return r, "", err
	}
	return r, c.Digest(), nil
}
