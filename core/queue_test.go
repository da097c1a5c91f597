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

// cloneInto reuses the buckets of an emptied queue for the clone of a queue
// with none to copy, and the clone then gives its items in heap order; a
// spare still holding items, or a queue with items of its own, is copied as
// clone copies it.
func TestQueueCloneIntoReusesAnEmptySpare(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var spare queue
	var seq uint64
	for now := int64(0); now < 50; now++ {
		for range rng.IntN(4) {
			seq++
			spare.push(item{tick: now + rng.Int64N(5), seq: seq})
		}
		for {
			if _, ok := spare.popDue(now); !ok {
				break
			}
		}
	}
	for spare.count > 0 { // drain what is left, taken from the current bucket
		spare.popDue(spare.base + 1)
	}
	var src queue
	src.popDue(1000) // far from the spare's window
	x := src.cloneInto(&spare)
	if x.buckets == nil || x.buckets != spare.buckets {
		t.Fatal("the clone of an empty queue did not reuse the empty spare's buckets")
	}
	var ref heap
	for now := int64(1000); now < 1300; now++ {
		for range rng.IntN(3) {
			seq++
			it := item{tick: now + rng.Int64N(2*queueBuckets), seq: seq}
			x.push(it)
			ref.push(it)
		}
		for len(ref) > 0 && ref[0].tick <= now {
			want := ref.pop()
			if got, ok := x.popDue(now); !ok || got != want {
				t.Fatalf("tick %d: popped (tick %d, seq %d, ok %v), heap gives (tick %d, seq %d)", now, got.tick, got.seq, ok, want.tick, want.seq)
			}
		}
		if _, ok := x.popDue(now); ok {
			t.Fatalf("tick %d: an item popped that the heap does not have due", now)
		}
	}

	busy := queue{}
	busy.push(item{tick: 3, seq: 1})
	if y := src.cloneInto(&busy); y.buckets == busy.buckets {
		t.Error("a spare still holding an item was reused")
	}
	if y := busy.cloneInto(&x); y.buckets == x.buckets || y.count != 1 {
		t.Errorf("a queue with items was not copied: reused %v, %d items", y.buckets == x.buckets, y.count)
	}
}
