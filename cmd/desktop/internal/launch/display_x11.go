//go:build (linux || freebsd || netbsd || openbsd || dragonfly) && !android

package launch

import (
	"errors"
	"os"
)

// displayMissing reports why no window can be opened, or nil. Ebitengine
// opens its windows through X11 here (under Wayland, through XWayland), so
// DISPLAY is what it needs.
func displayMissing() error {
	if os.Getenv("DISPLAY") != "" {
		return nil
	}
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		return errors.New("no X display: DISPLAY is unset (this build draws through X11; start XWayland, or run it under xvfb-run)")
	}
	return errors.New("no display: DISPLAY is unset; run it in a desktop session, or headless as: xvfb-run -a " + Program + " -screenshot out.png")
}
