//go:build js && wasm

// Command wasm is the lab in the browser: it reads the page URL's fragment
// (#v=1&chapter=2&seed=7) and starts the lab in the page's canvas. Values it
// cannot use fall back to defaults with a notice on screen.
package main

import (
	"syscall/js"

	"github.com/ringlab/ringlab/render"
	"github.com/ringlab/ringlab/render/lab"
)

func main() {
	hash := js.Global().Get("location").Get("hash").String()
	o := lab.OptionsFromFragment(hash, lab.Options{Seed: 1})
	err := render.Run(render.Options{Chapter: o.Chapter, Seed: o.Seed, Speed: o.Speed, Paused: o.Paused, Notices: o.Notices})
	if err != nil {
		js.Global().Get("console").Call("error", "ringlab: "+err.Error())
	}
}
