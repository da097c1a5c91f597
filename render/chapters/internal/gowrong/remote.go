package gowrong

import "github.com/ringlab/ringlab/core/explore/job"

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
