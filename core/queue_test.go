package core

import (
	"math/rand/v2"
	"testing"
)

// The calendar queue gives items in the same order as a plain heap ordered
// by (tick, seq), for delays inside and beyond its window of buckets,
// items due at the current tick pushed while it is being drained, and
// clones taken midway.
func TestQueueMatchesHeap(t *testing.T) {
	for _, tc := range []struct {
		name      string
		delayMax  int64
		pushesMax int
	}{
		{"short delays", 8, 3},
		{"delays around the window", 2 * queueBuckets, 3},
		{"far delays only", 10 * queueBuckets, 2},
		{"bursts", 3, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.delayMax)))
			var q queue
			var ref heap
			var seq uint64
			push := func(now int64) {
				seq++
				it := item{tick: now + rng.Int64N(tc.delayMax+1), seq: seq}
				q.push(it)
				ref.push(it)
			}
			var clone *queue
			var cloneRef heap
			for now := int64(0); now < 2000; now++ {
				for range rng.IntN(tc.pushesMax + 1) {
					push(now)
				}
				for {
					got, ok := q.popDue(now)
					wantOK := len(ref) > 0 && ref[0].tick <= now
					if ok != wantOK {
						t.Fatalf("%s: tick %d: popDue ok=%v, heap has a due item: %v", tc.name, now, ok, wantOK)
					}
					if !ok {
						break
					}
					if want := ref.pop(); got != want {
						t.Fatalf("%s: tick %d: popped (tick %d, seq %d), heap gives (tick %d, seq %d)", tc.name, now, got.tick, got.seq, want.tick, want.seq)
					}
					if rng.IntN(4) == 0 { // an item due at once, while draining
						seq++
						it := item{tick: now, seq: seq}
						q.push(it)
						ref.push(it)
					}
				}
				if q.count != len(ref) {
					t.Fatalf("%s: tick %d: queue counts %d items, heap holds %d", tc.name, now, q.count, len(ref))
				}
				n := 0
				q.each(func(*item) { n++ })
				if n != len(ref) {
					t.Fatalf("%s: tick %d: each visits %d items, heap holds %d", tc.name, now, n, len(ref))
				}
				if now == 700 {
					c := q.clone()
					clone, cloneRef = &c, append(heap(nil), ref...)
				}
			}
			// The clone drains in heap order too, untouched by the original's
			// later pushes and pops.
			for now := int64(700); len(cloneRef) > 0; now++ {
				for len(cloneRef) > 0 && cloneRef[0].tick <= now {
					want := cloneRef.pop()
					got, ok := clone.popDue(now)
					if !ok || got != want {
						t.Fatalf("%s: clone at tick %d: popped (tick %d, seq %d, ok %v), heap gives (tick %d, seq %d)", tc.name, now, got.tick, got.seq, ok, want.tick, want.seq)
					}
				}
				if _, ok := clone.popDue(now); ok {
					t.Fatalf("%s: clone at tick %d: an item popped that the heap does not have due", tc.name, now)
				}
			}
		})
	}
}

// A scripted cluster's queue is empty between commands: it lends its
// buckets to the clusters sharing its scratch, so that the clusters a
// schedule search keeps hold none, and a clone's next message to itself
// reuses them rather than allocating its own. The original is untouched.
func TestEmptiedQueuesLendTheirBuckets(t *testing.T) {
	c := mustNew(t, scriptedConfig())
	coord := c.PreferenceList("k", 1)[0] // a replica: it sends the put to itself
	if _, err := c.Apply(Command{Kind: CmdPut, Node: coord, Key: "k", Value: "v1"}); err != nil {
		t.Fatal(err)
	}
	if c.q.buckets != nil {
		t.Fatal("between commands the scripted cluster keeps its queue's buckets")
	}
	pool := c.scratch.buckets
	if len(pool) != 1 {
		t.Fatalf("%d bucket arrays lent, want the one the put's message to itself used", len(pool))
	}
	lent := pool[0]
	before := fingerprint(c)
	d := c.Clone()
	if _, err := d.Apply(Command{Kind: CmdPut, Node: coord, Key: "k", Value: "v2"}); err != nil {
		t.Fatal(err)
	}
	if d.q.buckets != nil || len(d.scratch.buckets) != 1 || d.scratch.buckets[0] != lent {
		t.Errorf("the clone's put did not borrow and give back the lent buckets: %d in the pool", len(d.scratch.buckets))
	}
	if got := fingerprint(c); got != before {
		t.Fatalf("the clone's put changed the original:\n%s", firstDiff(before, got))
	}
}
