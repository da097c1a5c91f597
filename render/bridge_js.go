//go:build js && wasm

package render

import (
	"encoding/json"
	"errors"
	"strings"
	"syscall/js"

	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// installBridge connects the lab to the page (version 2 of the bridge). It
// sets window.ringlabBridge at once and calls window.ringlabOnReady() after
// the first frame is painted. Every bridge function only reads published
// state or queues work for the frame loop: none blocks, and none touches
// the simulation from the JS side.
//
//	state(): string                   the lab's State as JSON
//	command(json): string             queue a command; "" or why it was refused
//	link(): string                    the run as a fragment "#v=1&..."
//	loadState(fragment): string       open a link's state; "" or what was ignored
//	loadReplay(text): string          open a replay file; "" or the error (nothing changes then)
//	exportFile(kind): Promise         resolves to {name, mime, data: Uint8Array} or {error};
//	                                  kinds: png, events.csv, history.csv, shiviz.log, replay.json,
//	                                  and table.csv, table.json where the page offers
//	                                  its table (the experiments page, once a sweep
//	                                  has run; else {error}). png is the view as
//	                                  painted: there, the plot. Files are made on the
//	                                  frame loop, so the answer is a Promise: await it.
//
// The lab calls, when the page defines them: ringlabOnChange(summaryJSON)
// and ringlabOnLog(linesJSON), at most four times a second each (see
// lab.Lab.TakePageNews); and ringlabCopyLink(fragment) for Copy link.
func installBridge(g *Game) {
	win := js.Global()
	str := func(args []js.Value) (string, bool) {
		if len(args) == 0 || args[0].Type() != js.TypeString {
			return "", false
		}
		return args[0].String(), true
	}
	funcs := map[string]func(js.Value, []js.Value) any{
		"state": func(js.Value, []js.Value) any { return g.State() },
		"command": func(_ js.Value, args []js.Value) any {
			if len(args) == 0 {
				return "command needs one argument: a JSON string or an object"
			}
			a := args[0]
			switch a.Type() {
			case js.TypeString:
				return g.Command(a.String())
			case js.TypeObject:
				return g.Command(win.Get("JSON").Call("stringify", a).String())
			}
			return "command needs a JSON string or an object, got " + a.Type().String()
		},
		"link": func(js.Value, []js.Value) any { return g.lab.Link() },
		"loadState": func(_ js.Value, args []js.Value) any {
			s, ok := str(args)
			if !ok {
				return "loadState needs the fragment as a string"
			}
			return g.lab.LoadState(s)
		},
		"loadReplay": func(_ js.Value, args []js.Value) any {
			s, ok := str(args)
			if !ok {
				return "Replay not loaded: loadReplay needs the file's text as a string"
			}
			return g.lab.LoadReplay([]byte(s))
		},
		"exportFile": func(_ js.Value, args []js.Value) any {
			kind, _ := str(args)
			return newPromise(func(resolve js.Value) {
				g.addJob(func() {
					if lab.Streamed(kind) {
						// A chunk at a time into JavaScript's memory; the
						// promise resolves when the file is whole.
						sink := &jsSink{done: func(data js.Value, f lab.File, err error) { resolve.Invoke(fileObjectJS(data, f, err)) }}
						if err := g.lab.ExportTo(kind, sink); err != nil {
							resolve.Invoke(fileObject(lab.File{}, err))
						}
						return
					}
					g.exportTo(kind, func(f lab.File, err error) { resolve.Invoke(fileObject(f, err)) })
				})
			})
		},
	}
	bridge := win.Get("Object").New()
	for name, f := range funcs {
		bridge.Set(name, js.FuncOf(f))
	}
	win.Set("ringlabBridge", bridge)
	g.lab.SetHost(&pageHost{g: g, downloads: g.opts.Downloads})
	g.news = func(change string, lines []string) {
		onChange, onLog := win.Get("ringlabOnChange"), win.Get("ringlabOnLog")
		var linesJSON string
		if lines != nil {
			b, _ := json.Marshal(lines)
			linesJSON = string(b)
		}
		// From a goroutine, so that the page's handlers cannot stall the frame.
		go func() {
			if change != "" && onChange.Type() == js.TypeFunction {
				onChange.Invoke(change)
			}
			if linesJSON != "" && onLog.Type() == js.TypeFunction {
				onLog.Invoke(linesJSON)
			}
		}()
	}
	// The lab has the keyboard when its canvas is the page's focused
	// element and the page has the focus (ebiten.IsFocused only tells the
	// page's): after Tab leaves the canvas the lab drops its focus ring.
	doc := win.Get("document")
	var canvas js.Value
	g.focused = func() bool {
		if canvas.IsUndefined() || canvas.IsNull() {
			canvas = doc.Call("querySelector", "body > canvas")
			if canvas.IsNull() {
				return true // no canvas yet: nothing to tell
			}
		}
		return doc.Call("hasFocus").Bool() && doc.Get("activeElement").Equal(canvas)
	}
	queueInput(g, doc)
	g.firstDraw = func() {
		if f := win.Get("ringlabOnReady"); f.Type() == js.TypeFunction {
			go f.Invoke()
		}
	}
}

// newPromise returns a JS Promise whose executor hands its resolve function
// to start.
func newPromise(start func(resolve js.Value)) js.Value {
	var exec js.Func
	exec = js.FuncOf(func(_ js.Value, args []js.Value) any {
		exec.Release()
		start(args[0])
		return nil
	})
	return js.Global().Get("Promise").New(exec)
}

// fileObject is {name, mime, data} or {error}.
func fileObject(f lab.File, err error) js.Value {
	o := js.Global().Get("Object").New()
	if err != nil {
		o.Set("error", err.Error())
		return o
	}
	data := js.Global().Get("Uint8Array").New(len(f.Data))
	js.CopyBytesToJS(data, f.Data)
	o.Set("name", f.Name)
	o.Set("mime", f.MIME)
	o.Set("data", data)
	return o
}

// jsSink collects an export's chunks as JavaScript Uint8Arrays, outside
// the wasm memory, and joins them when the file is whole.
type jsSink struct {
	parts []js.Value
	size  int
	done  func(data js.Value, f lab.File, err error)
	// download: the file goes to the user as a download (Save menu).
	download bool
}

func (s *jsSink) Write(chunk []byte) error {
	part := js.Global().Get("Uint8Array").New(len(chunk))
	js.CopyBytesToJS(part, chunk)
	s.parts = append(s.parts, part)
	s.size += len(chunk)
	return nil
}

func (s *jsSink) Close(f lab.File, err error) string {
	if err != nil {
		s.parts = nil
		s.done(js.Undefined(), f, err)
		if errors.Is(err, lab.ErrCancelled) {
			return "Saving " + f.Name + ": cancelled; nothing was saved."
		}
		return "Could not export: " + err.Error()
	}
	data := js.Global().Get("Uint8Array").New(s.size)
	at := 0
	for _, p := range s.parts {
		data.Call("set", p, at)
		at += p.Get("length").Int()
	}
	s.parts = nil
	s.done(data, f, nil)
	if s.download {
		return "Downloading " + f.Name
	}
	return ""
}

// fileObjectJS is {name, mime, data} with data already a Uint8Array, or
// {error}.
func fileObjectJS(data js.Value, f lab.File, err error) js.Value {
	o := js.Global().Get("Object").New()
	if err != nil {
		o.Set("error", err.Error())
		return o
	}
	o.Set("name", f.Name)
	o.Set("mime", f.MIME)
	o.Set("data", data)
	return o
}

// Stream saves a long export as a download built from its chunks, which
// stay in JavaScript's memory (a Blob) rather than the wasm heap.
func (h *pageHost) Stream(kind string) (lab.FileSink, string) {
	if !h.downloads {
		return nil, "This frame may not download files: open the lab in a new tab with the link beside it, and save from there."
	}
	return &jsSink{download: true, done: func(data js.Value, f lab.File, err error) {
		if err == nil {
			downloadJS(data, f)
		}
	}}, ""
}

// pageHost is the browser's lab.Host.
type pageHost struct {
	g         *Game
	downloads bool
}

// pageURL is the page's address with fragment.
func pageURL(fragment string) string {
	href := js.Global().Get("location").Get("href").String()
	if i := strings.IndexByte(href, '#'); i >= 0 {
		href = href[:i]
	}
	return href + fragment
}

func (h *pageHost) CopyLink(link string) string {
	if f := js.Global().Get("ringlabCopyLink"); f.Type() == js.TypeFunction {
		go f.Invoke(link)
		return "Link copied."
	}
	return "Link to this run: " + pageURL(link)
}

func (h *pageHost) Save(kind string, f lab.File) string {
	if !h.downloads {
		return "This frame may not download files: open the lab in a new tab with the link beside it, and save from there."
	}
	h.g.exportTo(kind, func(f lab.File, err error) {
		if err != nil {
			h.g.lab.Notify("Could not export: " + err.Error())
			return
		}
		download(f)
		h.g.lab.Notify("Downloading " + f.Name)
	})
	return ""
}

// download hands bytes to the browser as a file download.
func download(f lab.File) {
	data := js.Global().Get("Uint8Array").New(len(f.Data))
	js.CopyBytesToJS(data, f.Data)
	downloadJS(data, f)
}

// downloadJS hands a Uint8Array to the browser as a file download.
func downloadJS(data js.Value, f lab.File) {
	win := js.Global()
	opts := win.Get("Object").New()
	opts.Set("type", f.MIME)
	blob := win.Get("Blob").New(win.Get("Array").Call("of", data), opts)
	url := win.Get("URL").Call("createObjectURL", blob)
	a := win.Get("document").Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", f.Name)
	a.Get("style").Set("display", "none")
	win.Get("document").Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	var revoke js.Func
	revoke = js.FuncOf(func(js.Value, []js.Value) any {
		revoke.Release()
		win.Get("URL").Call("revokeObjectURL", url)
		return nil
	})
	win.Call("setTimeout", revoke, 10_000)
}

// queueInput queues the canvas's button and key presses as the page
// reports them (see inputReader): the listeners only push to the queue,
// never touch the lab. They watch the events Ebitengine itself handles (on
// the canvas, which they reach by bubbling up to the document); a release
// counts wherever it happens.
func queueInput(g *Game, doc js.Value) {
	q := &ui.InputQueue{}
	g.input.queue = q
	onCanvas := func(e js.Value) bool {
		t := e.Get("target")
		return !t.IsUndefined() && !t.IsNull() && t.Get("tagName").String() == "CANVAS"
	}
	doc.Call("addEventListener", "mousedown", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if e := args[0]; e.Get("button").Int() == 0 && onCanvas(e) {
			q.Push(ui.QueuedEvent{Kind: ui.QueuedPress})
		}
		return nil
	}))
	js.Global().Call("addEventListener", "mouseup", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if args[0].Get("button").Int() == 0 {
			q.Push(ui.QueuedEvent{Kind: ui.QueuedRelease})
		}
		return nil
	}), true)
	doc.Call("addEventListener", "keydown", js.FuncOf(func(_ js.Value, args []js.Value) any {
		e := args[0]
		if !onCanvas(e) {
			return nil
		}
		if k, repeat, ok := queuedKey(e.Get("code").String()); ok && (repeat || !e.Get("repeat").Bool()) {
			q.Push(ui.QueuedEvent{Kind: ui.QueuedKey, Key: k})
		}
		return nil
	}))
}
