//go:build !js

package render

import "os"

// installBridge connects the lab to the desktop: Copy link prints on
// stdout, Save writes files into Options.ExportDir.
func installBridge(g *Game) {
	g.lab.SetHost(&fileHost{g: g, dir: g.opts.ExportDir, out: os.Stdout})
}
