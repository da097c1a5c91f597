//go:build !js

// Package e2e holds Ringlab's end-to-end tests: the built site (dist/) served as a static
// host would serve it and driven in headless Chromium through the page API (window.ringlab),
// the keyboard and screenshots; and a check of the desktop binary's screenshot.
//
// They need a built site, Chromium and a desktop screenshot, so they run only with
// RINGLAB_E2E=1; `make test` builds everything and sets it. Without it every test skips and
// says why. Other variables:
//
//	RINGLAB_DIST         the built site (default ../dist)
//	RINGLAB_DESKTOP_PNG  the screenshot written by ringlab-desktop -screenshot
//	RINGLAB_CHROMIUM     the browser binary (default /usr/bin/chromium, else a search)
//	RINGLAB_E2E_OUT      where screenshots and measured figures go (default out/)
//
// The tests drive a browser and programs from the host, so the package does not build for
// js/wasm.
package e2e
