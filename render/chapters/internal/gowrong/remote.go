package gowrong

import (
	"encoding/json"
	"errors"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/core/explore/job"
)

// A Remote is a search running apart from the lab's thread: in the
// browser, a Web Worker running cmd/searchworker (remote_js.go). The
// control reads its last message each frame, which costs the frame next
// to nothing whatever the search's size.
type Remote interface {
	// Poll returns the last message the search posted, and false before
	// its first.
	Poll() (job.Message, bool)
	// Cancel stops the search, or lets it go once its outcome was read.
	Cancel()
	// Where names where it runs, for state().searchWhere: "worker",
	// "background".
	Where() string
}

// StartRemote starts a job apart from the lab's thread, or returns nil
// where it cannot; the frames then step the search themselves. Nil on the
// desktop (where a frame's slice of the native search is short) and in
// tests; the browser build sets it when the page offers workers.
var StartRemote func(job.Job) Remote

// PrepareRemote, where set, readies the host to start a remote search at
// once when asked (in the browser: a worker started ahead of its job, in
// the page's idle time). A control calls it when it is first shown, so a
// page that never shows one pays nothing for it.
var PrepareRemote func()

// WarmCodecs writes a job and reads back a message with every part a
// search's answer may have, once. The first use of encoding/json on a type
// works out how to read and write it, and in the browser compiles the code
// doing it: done as the program starts, that takes nothing from the frame
// that starts the first search or the one that reads its answer, where it
// took some milliseconds each.
func WarmCodecs() error {
	sc := explore.Scenario{Config: core.DefaultConfig(), Property: core.PropStale,
		Script: explore.Script{Groups: [][]explore.Op{{{Client: 1, Node: core.NoNode, Kind: core.OpPut, Key: "k", Value: "v"}}}}}
	if _, err := json.Marshal(job.FromScenario(sc, bounds)); err != nil {
		return err
	}
	m := job.Message{Report: explore.Report{Done: true, Counterexample: &explore.Counterexample{Config: sc.Config,
		Schedule: []core.Recorded{{Cmd: core.Command{Kind: core.CmdPartition, Groups: [][]core.NodeID{{0}}}}}}}}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	got, err := job.DecodeMessage(b)
	if err == nil && got.Report.Counterexample == nil {
		err = errors.New("the message read back has no counterexample")
	}
	return err
}
