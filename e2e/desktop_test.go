//go:build !js

package e2e

import (
	"os"
	"testing"
)

// The desktop binary's -screenshot output (written under Xvfb by `make test`) shows a drawn
// frame of the window's size, not a blank or black image.
func TestDesktopScreenshot(t *testing.T) {
	requireE2E(t)
	path := os.Getenv("RINGLAB_DESKTOP_PNG")
	if path == "" {
		t.Skip("RINGLAB_DESKTOP_PNG names no screenshot; make test writes one with bin/ringlab-desktop -screenshot")
	}
	s := measureImage(readPNG(t, path))
	t.Logf("%s: %v", path, s)
	if reason := blankReason(s); reason != "" {
		t.Errorf("the desktop screenshot looks blank: %s (%s)", reason, path)
	}
	if s.width < 640 || s.height < 400 {
		t.Errorf("the desktop screenshot is %dx%d; want at least 640x400", s.width, s.height)
	}
}
