package ring

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/ringlab/ringlab/core/ids"
)

// The lookup benchmarks compare Ring.Owner with the least work a lookup can
// do: a plain branch-free binary search over the same sorted []uint64
// ("floor"). The goal at 64 nodes x 256 vnodes is Owner within 1.5x of the
// floor with 0 allocs/op, and a preference list of 3 within 2x of Owner.
// Compare the ns/op of sub-benchmarks from one run:
//
//	go test -run '^$' -bench . -benchmem ./core/ring/

// benchSizes are the rings swept: nodes x vnodes.
var benchSizes = []struct{ nodes, vnodes int }{{8, 64}, {64, 256}, {256, 256}}

// probeCount is the number of precomputed probe hashes, a power of two so
// that the loop picks one with a mask.
const probeCount = 1 << 12

func benchRing(b *testing.B, nodes, vnodes int) (*Ring, []uint64) {
	b.Helper()
	r := New(vnodes)
	for n := range nodes {
		if err := r.Add(ids.NodeID(n), 1); err != nil {
			b.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	probes := make([]uint64, probeCount)
	for i := range probes {
		probes[i] = rng.Uint64()
	}
	return r, probes
}

// floorSearch is the reference floor: the textbook branch-free lower bound
// over a sorted []uint64 (the comparison becomes a mask, not a branch), with
// ordinary bounds-checked indexing and nothing else around it.
func floorSearch(hs []uint64, h uint64) int {
	base, n := 0, len(hs)
	for n > 1 {
		half := n / 2
		_, less := bits.Sub64(hs[base+half], h, 0)
		base += half & -int(less)
		n -= half
	}
	_, less := bits.Sub64(hs[base], h, 0)
	return base + int(less)
}

var benchSink uint64

func BenchmarkLookup(b *testing.B) {
	for _, size := range benchSizes {
		r, probes := benchRing(b, size.nodes, size.vnodes)
		hashes := r.hashes
		name := fmt.Sprintf("%dx%d", size.nodes, size.vnodes)
		b.Run(name+"/floor", func(b *testing.B) {
			var sum uint64
			for i := 0; b.Loop(); i++ {
				sum += uint64(floorSearch(hashes, probes[i&(probeCount-1)]))
			}
			benchSink = sum
		})
		b.Run(name+"/sort.Search", func(b *testing.B) {
			var sum uint64
			for i := 0; b.Loop(); i++ {
				h := probes[i&(probeCount-1)]
				sum += uint64(sort.Search(len(hashes), func(j int) bool { return hashes[j] >= h }))
			}
			benchSink = sum
		})
		b.Run(name+"/Search", func(b *testing.B) {
			var sum uint64
			for i := 0; b.Loop(); i++ {
				sum += uint64(r.Search(probes[i&(probeCount-1)]))
			}
			benchSink = sum
		})
		b.Run(name+"/Owner", func(b *testing.B) {
			var sum uint64
			for i := 0; b.Loop(); i++ {
				n, _ := r.Owner(probes[i&(probeCount-1)])
				sum += uint64(n)
			}
			benchSink = sum
		})
	}
}

func BenchmarkPreferenceList(b *testing.B) {
	for _, size := range benchSizes {
		r, probes := benchRing(b, size.nodes, size.vnodes)
		for _, replicas := range []int{1, 3, 5} {
			b.Run(fmt.Sprintf("%dx%d/N=%d", size.nodes, size.vnodes, replicas), func(b *testing.B) {
				dst := make([]ids.NodeID, 0, replicas)
				var sum uint64
				for i := 0; b.Loop(); i++ {
					dst = r.AppendPreferenceList(dst[:0], probes[i&(probeCount-1)], replicas)
					sum += uint64(dst[len(dst)-1])
				}
				benchSink = sum
			})
		}
	}
}

// BenchmarkMembershipChange compares the incremental Add and Remove of one
// node with building the whole ring again.
func BenchmarkMembershipChange(b *testing.B) {
	const nodes, vnodes = 64, 256
	base, _ := benchRing(b, nodes, vnodes)
	b.Run("Add+Remove", func(b *testing.B) {
		r := base.Clone()
		for b.Loop() {
			if err := r.Add(nodes, 1); err != nil {
				b.Fatal(err)
			}
			r.Remove(nodes)
		}
	})
	b.Run("rebuild", func(b *testing.B) {
		for b.Loop() {
			r := New(vnodes)
			for n := range nodes + 1 {
				if err := r.Add(ids.NodeID(n), 1); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
