package core

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ringlab/ringlab/core/vclock"
)

// sameCausal reports whether two sets are identical, vector ticks included
// (ticks decide what truncation drops later).
func sameCausal(a, b causal) bool {
	return slices.Equal(a.vv.Entries(), b.vv.Entries()) && slices.Equal(a.cloud, b.cloud)
}

// randomCausal builds a set as the store does: dots added at random ticks,
// merged with another such set, sometimes truncated.
func randomCausal(rng *rand.Rand) causal {
	var c causal
	for range rng.IntN(8) {
		d := vclock.Dot{Node: NodeID(rng.IntN(4)), Counter: uint64(1 + rng.IntN(5))}
		c = c.add(d, rng.Int64N(30))
	}
	if rng.IntN(4) == 0 {
		c = c.truncate(1 + rng.IntN(3))
	}
	return c
}

// merge's shortcuts (an empty side, one side holding the other) give the
// same set as the general merge, ticks included, and so the same set once
// truncated; pairs where one set grew from the other exercise them.
func TestCausalMergeShortcutsMatchGeneralMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	shortcuts := 0
	for trial := range 5000 {
		a := randomCausal(rng)
		var b causal
		switch rng.IntN(4) {
		case 0:
			b = randomCausal(rng)
		case 1: // b grew from a
			b = a.add(vclock.Dot{Node: NodeID(rng.IntN(4)), Counter: uint64(1 + rng.IntN(6))}, rng.Int64N(30))
		case 2: // b holds a and more
			b = a.mergeAll(randomCausal(rng))
		case 3: // b is a itself, or nothing
			if rng.IntN(2) == 0 {
				b = a
			}
		}
		if rng.IntN(2) == 0 {
			a, b = b, a
		}
		got, want := a.merge(b), a.mergeAll(b)
		if !sameCausal(got, want) {
			t.Fatalf("trial %d: %v merge %v = %v %v, general merge %v %v",
				trial, a, b, got, got.vv.Entries(), want, want.vv.Entries())
		}
		for k := 1; k <= 3; k++ {
			if g, w := got.truncate(k), want.truncate(k); !sameCausal(g, w) {
				t.Fatalf("trial %d: truncated to %d, %v vs general %v", trial, k, g, w)
			}
		}
		if a.empty() || b.empty() || a.holds(b) || b.holds(a) {
			shortcuts++
		}
	}
	if shortcuts < 1000 {
		t.Fatalf("only %d of 5000 merges took a shortcut: the test no longer exercises them", shortcuts)
	}
}

// Merging a set with one it holds, or with nothing, allocates nothing.
func TestCausalMergeOfHeldSetDoesNotAllocate(t *testing.T) {
	var small causal
	small = small.add(vclock.Dot{Node: 0, Counter: 1}, 3)
	big := small.add(vclock.Dot{Node: 1, Counter: 1}, 4).add(vclock.Dot{Node: 1, Counter: 3}, 5)
	if allocs := testing.AllocsPerRun(100, func() {
		_ = big.merge(small)
		_ = small.merge(big)
		_ = big.merge(causal{})
		_ = causal{}.merge(big)
	}); allocs != 0 {
		t.Errorf("merging %v and %v allocated %v times, want 0", big, small, allocs)
	}
}

// maxCounter is the node's counter in the displayed clock.
func TestCausalMaxCounterMatchesClock(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for trial := range 2000 {
		c := randomCausal(rng)
		for n := range NodeID(5) {
			if got, want := c.maxCounter(n), c.clock(0).Get(n); got != want {
				t.Fatalf("trial %d: %v maxCounter(%v) = %d, clock has %d", trial, c, n, got, want)
			}
		}
	}
}

// pastMerger gives what folding merge over the versions' causal pasts
// gives, ticks included, with or without dot clouds, reused from one merge
// to the next.
func TestPastMergerMatchesFold(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	var m pastMerger
	withoutClouds, withClouds := 0, 0
	for trial := range 3000 {
		var vs []*version
		for range rng.IntN(5) {
			p := randomCausal(rng)
			if rng.IntN(2) == 0 { // the usual case: a plain vector
				p.cloud = nil
			}
			vs = append(vs, &version{past: p})
		}
		got, want := m.merge(vs), mergedPast(vs)
		if !sameCausal(got, want) {
			t.Fatalf("trial %d: pastMerger gives %v %v, the fold %v %v", trial, got, got.vv.Entries(), want, want.vv.Entries())
		}
		if len(vs) > 1 {
			if len(got.cloud) == 0 {
				withoutClouds++
			} else {
				withClouds++
			}
		}
	}
	if withoutClouds < 300 || withClouds < 300 {
		t.Fatalf("%d trials merged into a plain vector and %d kept a dot cloud: want at least 300 of each", withoutClouds, withClouds)
	}
}
