// Package job is a schedule search (core/explore) as data: a scenario and
// its bounds that encode to JSON and back, and a loop that runs one and
// reports its progress as messages. It lets a search run apart from the
// program that asked for it (the lab in the browser hands it to a Web
// Worker, cmd/searchworker, so that the page's thread never runs it) and
// come back as the same report an in-process search gives.
package job

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
)

// Job is a search to run: explore.Scenario with the script as text (the
// script's own syntax, explore.ParseScript), and the bounds.
type Job struct {
	Config      core.Config    `json:"config"`
	Script      string         `json:"script"`
	Budget      explore.Budget `json:"budget"`
	Property    core.Property  `json:"property"`
	K           int            `json:"k,omitempty"`
	SettleTicks int64          `json:"settle_ticks,omitempty"`
	Down        []core.NodeID  `json:"down,omitempty"` // by number
	Bounds      explore.Bounds `json:"bounds"`
	// MaxHeapMB bounds the heap the runner may grow to while searching
	// (the states waiting to be searched hold copies of the cluster); 0:
	// no bound. The runner measures it (Run's stop).
	MaxHeapMB int `json:"max_heap_mb,omitempty"`
}

// FromScenario is the job that searches sc within b.
func FromScenario(sc explore.Scenario, b explore.Bounds) Job {
	return Job{Config: sc.Config, Script: sc.Script.String(), Budget: sc.Budget, Property: sc.Property,
		K: sc.K, SettleTicks: sc.SettleTicks, Down: sc.Down, Bounds: b}
}

// Scenario is the job's scenario. The linearizability checker is not part
// of a job (core may not import it): the runner supplies it.
func (j Job) Scenario(linearizable func([]core.Op) string) (explore.Scenario, error) {
	script, err := explore.ParseScript(j.Script)
	if err != nil {
		return explore.Scenario{}, err
	}
	return explore.Scenario{Config: j.Config, Script: script, Budget: j.Budget, Property: j.Property,
		K: j.K, SettleTicks: j.SettleTicks, Down: j.Down, Linearizable: linearizable}, nil
}

// Decode reads a job, refusing fields it does not know and anything after
// the object, so that a message from elsewhere is taken whole or not at
// all.
func Decode(data []byte) (Job, error) {
	var j Job
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(&j); err != nil {
		return Job{}, fmt.Errorf("a search job must be one JSON object: %w", err)
	}
	if d.More() {
		return Job{}, errors.New("a search job must be one JSON object: more follows it")
	}
	if j.MaxHeapMB < 0 {
		return Job{}, fmt.Errorf("max_heap_mb=%d must not be negative", j.MaxHeapMB)
	}
	return j, nil
}

// Message is what a running job reports: its progress (Report.Done
// false), its outcome (Report.Done), or an error (Error; the report is
// then empty): one that kept it from starting, or (Stopped) a fault of the
// search itself, which would stop it again wherever it ran.
type Message struct {
	Report  explore.Report `json:"report"`
	Error   string         `json:"error,omitempty"`
	Stopped bool           `json:"stopped,omitempty"`
	// SearchMs is how long the runner spent on the job, from taking it to
	// its outcome, in milliseconds: set by a runner that keeps time (the
	// page's search worker) on the final message only; Run, which keeps
	// none, leaves it 0.
	SearchMs float64 `json:"search_ms,omitempty"`
}

// Final reports whether m is the job's last message.
func (m Message) Final() bool { return m.Error != "" || m.Report.Done }

// DecodeMessage reads a message.
func DecodeMessage(data []byte) (Message, error) {
	var m Message
	if err := json.Unmarshal(data, &m); err != nil {
		return Message{}, fmt.Errorf("a search message must be one JSON object: %w", err)
	}
	return m, nil
}

// Run searches the job's scenario, posting a progress message after every
// `every` states tried and the outcome at the end; between two batches it
// asks stop, which may tell the search to hold less (Search.WatchMemory),
// and whose answer, if not "", cuts the search there (the report says it
// was cut by that bound, e.g. "memory"). A job that cannot start
// (a script that does not parse, bounds out of range) posts one message
// with the error. Run is as deterministic as the search: the same job
// posts the same messages.
func Run(j Job, linearizable func([]core.Op) string, every int, stop func(*explore.Search) string, post func(Message)) {
	sc, err := j.Scenario(linearizable)
	if err != nil {
		post(Message{Error: err.Error()})
		return
	}
	s, err := explore.New(sc, j.Bounds)
	if err != nil {
		post(Message{Error: err.Error()})
		return
	}
	every = max(every, 1)
	for !s.Step(every) {
		if why := stop(s); why != "" {
			r := s.Report()
			r.Done, r.CutBy = true, why
			post(Message{Report: r})
			return
		}
		post(Message{Report: s.Report()})
	}
	post(Message{Report: s.Report()})
}
