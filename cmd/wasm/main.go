//go:build js && wasm

// Command wasm is the lab in the browser. It reads the page URL's fragment
// (#v=1&chapter=2&seed=7&..., the format of runfmt.ParseLink) and the page's
// preferences (window.ringlabPrefs = {embed, reducedMotion, downloads,
// windowMB}), and
// starts the lab in the page's canvas. Values it cannot use fall back to
// defaults with a notice on screen: a URL never stops the lab from starting.
package main

import (
	"syscall/js"

	"github.com/ringlab/ringlab/render"
	"github.com/ringlab/ringlab/render/lab"
)

// prefs are the page's preferences; a missing or malformed value keeps its
// default.
type prefs struct {
	embed, reducedMotion, downloads bool
	windowMB                        int // ?window=: the retained window, in MB (0: the default)
}

func readPrefs(v js.Value) prefs {
	p := prefs{downloads: true}
	if v.Type() != js.TypeObject {
		return p
	}
	flag := func(name string, def bool) bool {
		f := v.Get(name)
		if f.Type() != js.TypeBoolean {
			return def
		}
		return f.Bool()
	}
	p.embed = flag("embed", false)
	p.reducedMotion = flag("reducedMotion", false)
	p.downloads = flag("downloads", true)
	if w := v.Get("windowMB"); w.Type() == js.TypeNumber {
		p.windowMB = w.Int()
	}
	return p
}

func main() {
	win := js.Global()
	// The page's load figures (ringlab.timing) split start-up here: what came before is Go's
	// runtime and package initialisation.
	if f := win.Get("ringlabOnStart"); f.Type() == js.TypeFunction {
		f.Invoke()
	}
	hash := win.Get("location").Get("hash")
	fragment := ""
	if hash.Type() == js.TypeString {
		fragment = hash.String()
	}
	o := lab.OptionsFromFragment(fragment, lab.Options{Seed: 1})
	p := readPrefs(win.Get("ringlabPrefs"))
	windowBytes, notice := lab.WindowBytesFromMB(p.windowMB)
	if notice != "" {
		o.Notices = append(o.Notices, notice)
	}
	err := render.Run(render.Options{Chapter: o.Chapter, Seed: o.Seed, Speed: o.Speed, Paused: o.Paused, Notices: o.Notices,
		Link: o.Link, Embed: p.embed, ReducedMotion: p.reducedMotion, Downloads: p.downloads, WindowBytes: windowBytes})
	if err != nil {
		win.Get("console").Call("error", "ringlab: "+err.Error())
	}
}
