package lab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/ringlab/ringlab/core"
)

// The replay file, version 1: one JSON object.
//
//	{
//	  "format":  "ringlab-replay",          // required, exactly this
//	  "version": 1,                         // required; other versions are refused
//	  "chapter": "quorums",                 // the chapter that shows the run
//	  "seed":    7,                         // 0..2^53
//	  "tick":    220,                       // the tick on screen, 0..100000
//	  "config":  { ...core.Config... },     // the whole configuration (core's JSON names)
//	  "actions": [ {"tick": 40, "cmd": { ...core.Command... }}, ... ],
//	  "digest":  "9f2c..."                  // optional: the trace digest at tick
//	}
//
// Unlike a link, a replay is self-contained: config is complete and actions
// hold every command of the run, including those of the chapter's scripted
// preset, in tick order. Unknown fields are refused (a file that is not
// this format should not half-load). Limits: the file at most
// replayBytesMax, at most runActionsMax actions, ticks up to runTickMax, the
// configuration within the core's rules and the limits of checkRunLimits.
// If digest is present and the rebuilt run's differs (a build whose
// simulation changed), the run still loads, with a notice.

// ReplayFormat and ReplayVersion identify the file.
const (
	ReplayFormat  = "ringlab-replay"
	ReplayVersion = 1
)

// replayBytesMax bounds a replay file.
const replayBytesMax = 4 << 20

// Replay is the replay file's content.
type Replay struct {
	Format  string          `json:"format"`
	Version int             `json:"version"`
	Chapter string          `json:"chapter"`
	Seed    uint64          `json:"seed"`
	Tick    int64           `json:"tick"`
	Config  core.Config     `json:"config"`
	Actions []core.Recorded `json:"actions"`
	Digest  string          `json:"digest,omitempty"`
}

// replayOf is the current run as a replay file.
func (l *Lab) replayOf() Replay {
	cfg := l.tl.Config()
	cfg.Seed = l.seed
	acts := l.tl.Recorded()
	if acts == nil {
		acts = []core.Recorded{}
	}
	return Replay{Format: ReplayFormat, Version: ReplayVersion, Chapter: l.Chapter().Info().ID,
		Seed: l.seed, Tick: l.tl.Now(), Config: cfg, Actions: acts, Digest: l.tl.Cluster().Digest()}
}

// EncodeReplay writes a replay file (indented JSON, one action a line).
func EncodeReplay(r Replay) ([]byte, error) {
	var b bytes.Buffer
	head := r
	head.Actions = nil
	h, err := json.MarshalIndent(struct {
		Format  string      `json:"format"`
		Version int         `json:"version"`
		Chapter string      `json:"chapter"`
		Seed    uint64      `json:"seed"`
		Tick    int64       `json:"tick"`
		Config  core.Config `json:"config"`
		Digest  string      `json:"digest,omitempty"`
	}{r.Format, r.Version, r.Chapter, r.Seed, r.Tick, r.Config, r.Digest}, "", "  ")
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

// ParseReplay reads and checks a replay file without running it. The
// error is one line saying what is wrong.
func ParseReplay(data []byte) (Replay, error) {
	var r Replay
	if len(data) > replayBytesMax {
		return r, fmt.Errorf("the file is larger than %d MiB; a replay is much smaller", replayBytesMax>>20)
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
	switch {
	case r.Format != ReplayFormat:
		return r, fmt.Errorf("not a replay file: format is %s, want %q", clip(r.Format), ReplayFormat)
	case r.Version != ReplayVersion:
		return r, fmt.Errorf("replay version %d; this lab reads version %d", r.Version, ReplayVersion)
	case r.Chapter == "" || len(r.Chapter) > 64:
		return r, errors.New("the replay names no chapter")
	case r.Seed > 1<<53:
		return r, errors.New("seed is larger than 2^53")
	case r.Tick < 0 || r.Tick > runTickMax:
		return r, fmt.Errorf("tick=%d must be between 0 and %d", r.Tick, runTickMax)
	case len(r.Actions) > runActionsMax:
		return r, fmt.Errorf("%d actions; a replay holds at most %d", len(r.Actions), runActionsMax)
	}
	if err := validRunConfig(r.Config); err != nil {
		return r, fmt.Errorf("config: %v", err)
	}
	last := int64(0)
	for i, a := range r.Actions {
		if err := checkAction(a); err != nil {
			return r, fmt.Errorf("action %d: %v", i+1, err)
		}
		if a.Tick < last {
			return r, fmt.Errorf("action %d is at tick %d, before the previous one (%d)", i+1, a.Tick, last)
		}
		last = a.Tick
	}
	return r, nil
}

// checkAction bounds what the core's own validation does not: the sizes
// of texts and groups, and ticks.
func checkAction(a core.Recorded) error {
	c := a.Cmd
	switch {
	case a.Tick < 0 || a.Tick > runTickMax:
		return fmt.Errorf("tick=%d must be between 0 and %d", a.Tick, runTickMax)
	case !slices.Contains(commandKinds, c.Kind):
		return fmt.Errorf("unknown command %s", clip(string(c.Kind)))
	case len(c.Key) > actionTextMax || len(c.Value) > actionTextMax || len(c.Param) > actionTextMax:
		return fmt.Errorf("a text longer than %d characters", actionTextMax)
	case len(c.Groups) > runNodesMax:
		return fmt.Errorf("%d groups; at most %d", len(c.Groups), runNodesMax)
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
	return Run{Chapter: r.Chapter, Seed: r.Seed, Config: &cfg, ScriptKept: 0, Actions: r.Actions, Tick: r.Tick, Paused: true}
}

// CheckReplay parses a replay file and replays it off to the side, so that
// a file whose commands the simulation refuses is reported before anything
// changes. It is pure and may run on any goroutine.
func CheckReplay(data []byte) (Replay, error) {
	r, err := ParseReplay(data)
	if err != nil {
		return r, err
	}
	cfg := r.Config
	cfg.Seed = r.Seed
	if _, err := core.Replay(cfg, r.Actions, r.Tick); err != nil {
		return r, err
	}
	return r, nil
}
