package core

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/ringlab/ringlab/core/vclock"
)

// The contexts list answers as a map would, stays sorted by client and
// key, and a clone's write leaves the list it was cloned from as it was.
func TestContextsAreAMapInOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	model := map[clientKey]causal{}
	c := &Cluster{own: newOwner()}
	for i := range 500 {
		k := clientKey{rng.IntN(6), "k" + strconv.Itoa(rng.IntN(5))}
		ctx := causal{cloud: []vclock.Dot{{Node: NodeID(rng.IntN(4)), Counter: uint64(i)}}}
		before := slices.Clone(c.clientCtx)
		d := c.Clone()
		d.setClientCtx(k, ctx) // the clone's: c's list must not change
		if !slices.EqualFunc(before, c.clientCtx, func(a, b clientContext) bool { return a.k == b.k && sameCausal(a.ctx, b.ctx) }) {
			t.Fatalf("step %d: a clone's write changed the list it came from", i)
		}
		c.setClientCtx(k, ctx)
		model[k] = ctx
		for mk, mc := range model {
			if !sameCausal(c.clientCtx.get(mk), mc) {
				t.Fatalf("step %d: %v is %v, want %v", i, mk, c.clientCtx.get(mk), mc)
			}
		}
		if len(c.clientCtx) != len(model) || !slices.IsSortedFunc(c.clientCtx, func(a, b clientContext) int { return compareClientKeys(a.k, b.k) }) {
			t.Fatalf("step %d: %d entries for %d keys, or out of order", i, len(c.clientCtx), len(model))
		}
	}
	if got := c.clientCtx.get(clientKey{99, "k"}); !got.empty() {
		t.Errorf("a key never set has context %v", got)
	}
}
