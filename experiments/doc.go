// Package experiments measures the claims of the design guide and of the
// Dynamo paper, each beside its prediction: keys moved by a join (modulo
// against the ring), load spread against vnodes, Dynamo's partitioning
// strategies, Merkle anti-entropy cost, gossip spread, availability under
// failures, probabilistically bounded staleness, request latency against W
// and R, and last-write-wins losses against vector-clock siblings.
//
// An Experiment is a named sweep with parameters (Knob). Start returns a
// Run that measures nothing until Step is called; each Step does a bounded
// amount of work, so a browser frame loop can spread a sweep over frames
// and cancel it by no longer calling Step. Every cell of a sweep takes its
// randomness from its own seed and cells run in a fixed order, so a sweep
// gives the same numbers however its work is cut into steps.
//
// A Run's result is a list of Tables: long-format rows (group, x, values),
// per-seed samples for the measured columns (so that bands can be drawn),
// and prediction or reference columns beside them. Tables encode to CSV and
// JSON deterministically. Package plot lays a Table out as a figure.
//
// Everything here is pure and single-threaded, like core: no I/O, no
// clock, no global randomness, no goroutines. The lab runs it in the
// browser, so its tests are also run there, whole (about 10 s):
//
//	GOOS=js GOARCH=wasm go test -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./experiments/...
//
// With -short the default-size bound test (TestStepWorkIsBounded) is skipped.
package experiments
