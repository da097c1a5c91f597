package core

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// A chunked list and its clones share chunks and the list of them
// copy-on-write: appends, updates in place and drops from the front on
// any of them, in any order, leave every other exactly as a plain slice
// given the same operations would be.
func TestChunkedClonesAreIndependent(t *testing.T) {
	type pair struct {
		l    chunked[int]
		want []int // entries from l.first() on
	}
	rng := rand.New(rand.NewPCG(3, 4))
	lists := []*pair{{}}
	for step := range 200_000 {
		p := lists[rng.IntN(len(lists))]
		switch k := rng.IntN(100); {
		case k < 90:
			v := step
			p.l.add(v)
			p.want = append(p.want, v)
			if p.l.len()%chunkLen == 0 {
				// A clone at a chunk's end: both next add a chunk.
				lists = append(lists, &pair{l: p.l.clone(), want: slices.Clone(p.want)})
			}
		case k < 97 && len(p.want) > 0:
			i := rng.IntN(len(p.want))
			*p.l.at(p.l.first() + i) = -step
			p.want[i] = -step
		case k < 99:
			lists = append(lists, &pair{l: p.l.clone(), want: slices.Clone(p.want)})
		default:
			before := p.l.first()
			p.l.dropFront(func(*int) bool { return true })
			p.want = p.want[p.l.first()-before:]
		}
		if len(lists) > 8 {
			lists = lists[1:]
		}
		if step%100 != 0 {
			continue
		}
		for j, q := range lists {
			var got []int
			q.l.all(func(v *int) bool { got = append(got, *v); return true })
			if !slices.Equal(got, q.want) {
				t.Fatalf("step %d: list %d holds %d entries, want %d (first difference at %d)", step, j, len(got), len(q.want), firstMismatch(got, q.want))
			}
		}
	}
}

func firstMismatch(a, b []int) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// A clone taken at a chunk's end: the list and the clone each add a chunk
// of their own, and neither sees the other's; the same two chunks on, the
// list of chunks after the first having room to grow.
func TestChunkedCloneAtAChunkEnd(t *testing.T) {
	var l chunked[int]
	for i := range chunkLen {
		l.add(i)
	}
	x := l.clone()
	l.add(-1)
	x.add(-2)
	if got := l.get(chunkLen); got != -1 {
		t.Errorf("the list's new entry reads %d, want -1", got)
	}
	if got := x.get(chunkLen); got != -2 {
		t.Errorf("the clone's new entry reads %d, want -2", got)
	}
	for i := range chunkLen - 1 {
		l.add(i)
		x.add(i)
	}
	l.more.chunks = slices.Grow(l.more.chunks, 4) // room past the end
	y := l.clone()
	l.add(-3)
	y.add(-4)
	if got := l.get(2 * chunkLen); got != -3 {
		t.Errorf("the list's third chunk reads %d, want -3", got)
	}
	if got := y.get(2 * chunkLen); got != -4 {
		t.Errorf("the second clone's third chunk reads %d, want -4", got)
	}
	if got := x.get(chunkLen); got != -2 {
		t.Errorf("the clone's new entry reads %d after the others' adds, want -2", got)
	}
}
