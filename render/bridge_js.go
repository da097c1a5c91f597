//go:build js && wasm

package render

import "syscall/js"

// installBridge connects the lab to the page. It sets
// window.ringlabBridge = {state, command} at once, and calls
// window.ringlabOnReady() after the first frame is painted. Both callbacks
// only read the published state or queue a command: they never block and
// never touch the simulation from the JS side.
func installBridge(g *Game) {
	win := js.Global()
	state := js.FuncOf(func(js.Value, []js.Value) any { return g.State() })
	command := js.FuncOf(func(_ js.Value, args []js.Value) any {
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
	})
	bridge := win.Get("Object").New()
	bridge.Set("state", state)
	bridge.Set("command", command)
	win.Set("ringlabBridge", bridge)
	g.firstDraw = func() {
		if f := win.Get("ringlabOnReady"); f.Type() == js.TypeFunction {
			// Called from a goroutine so that the page's handler, whatever it
			// does, cannot stall the frame.
			go f.Invoke()
		}
	}
}
