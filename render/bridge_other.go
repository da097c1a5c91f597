//go:build !js

package render

// installBridge has nothing to connect to outside a browser.
func installBridge(*Game) {}
