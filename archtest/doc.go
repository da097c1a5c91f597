// Package archtest holds the tests that keep the project's layering true:
// the simulated store under core is pure (no graphics, no browser, no
// process clock or global randomness, no goroutines), and the layout,
// widget and chapter packages of the front end do not import Ebitengine, so
// they are tested without a display. It has no code of its own.
package archtest
