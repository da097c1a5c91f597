// Package memstat reads the size of the Go heap cheaply enough to do it
// every few hundred states of a search or every frame (runtime/metrics,
// not runtime.ReadMemStats, which stops the world): the programs bound
// their searches and checks by it.
package memstat

import "runtime/metrics"

// Live is the heap the last collection found live: what a program keeps,
// steady between two collections.
func Live() uint64 { return read("/gc/heap/live:bytes") }

// Objects is the heap held by objects now, live or not yet swept: it
// grows with every allocation and drops at each collection.
func Objects() uint64 { return read("/memory/classes/heap/objects:bytes") }

// Collections is how many garbage collections the runtime has finished.
func Collections() uint64 { return read("/gc/cycles/total:gc-cycles") }

func read(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
