//go:build js && wasm

package gowrong

import (
	"encoding/json"
	"syscall/js"

	"github.com/ringlab/ringlab/core/explore/job"
)

func init() {
	StartRemote = startWorker
	PrepareRemote = prepareWorker
	if err := WarmCodecs(); err != nil {
		println("gowrong: warming the search's codecs:", err.Error())
	}
}

// startWorker hands the job to the page's window.ringlabSearch (loader.js),
// which runs it in a Web Worker; nil where the page has none.
func startWorker(j job.Job) Remote {
	host := js.Global().Get("ringlabSearch")
	if host.Type() != js.TypeObject || !host.Call("available").Truthy() {
		return nil
	}
	b, err := json.Marshal(j)
	if err != nil {
		return nil
	}
	return &worker{host: host, id: host.Call("start", string(b))}
}

// prepareWorker has the page's window.ringlabSearch start the next search's
// worker in its idle time (loader.js warm).
func prepareWorker() {
	host := js.Global().Get("ringlabSearch")
	if host.Type() == js.TypeObject && host.Get("warm").Type() == js.TypeFunction {
		host.Call("warm")
	}
}

// worker is a search in a Web Worker; last is the text of the message
// decoded last, so that a frame decodes only what is new.
type worker struct {
	host, id js.Value
	last     string
	msg      job.Message
}

func (w *worker) Poll() (job.Message, bool) {
	text := w.host.Call("poll", w.id).String()
	if text == "" {
		return job.Message{}, false
	}
	if text != w.last {
		m, err := job.DecodeMessage([]byte(text))
		if err != nil {
			m = job.Message{Error: err.Error()}
		}
		w.last, w.msg = text, m
	}
	return w.msg, true
}

func (w *worker) Cancel() { w.host.Call("cancel", w.id) }

func (w *worker) Where() string { return "worker" }
