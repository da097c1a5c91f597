//go:build !((linux || freebsd || netbsd || openbsd || dragonfly) && !android)

package launch

// displayMissing is nil where the window system needs no variable to be
// found (Windows, macOS).
func displayMissing() error { return nil }
