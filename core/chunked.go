package core

import "slices"

// chunked is an append-only list kept in fixed-size chunks, so that an
// append never copies the entries already there: the history of a long run
// grows to millions of operations, and doubling one slice would copy (and
// make the collector rescan) all of it again and again.
//
// A clone shares the chunks copy-on-write (see cow.go): a chunk is changed
// in place, by add or at, only when tagged with the list's owner token.
//
// The oldest entries can be dropped a chunk at a time (dropFront): indexes
// stay absolute, so an index handed out by add keeps naming the same entry
// for as long as it is kept.
type chunked[T any] struct {
	chunks []chunk[T]
	own    cowOwner
	// spineOwn tags the list of chunks itself: a clone shares it too
	// until either side changes it (ownSpine).
	spineOwn cowOwner
	n        int // entries ever added
	base     int // entries dropped from the front (a multiple of chunkLen)
}

const chunkLen = 1024

// A chunk is up to chunkLen entries and the owner token that tags them.
type chunk[T any] struct {
	items []T
	owner cowOwner
}

// add appends v and returns its index.
func (l *chunked[T]) add(v T) int {
	if l.own == 0 {
		l.own = newOwner()
		l.spineOwn = l.own
	}
	if (l.n-l.base)%chunkLen == 0 {
		l.ownSpine()
		// The first chunk starts small and grows as appends need (to
		// chunkLen at most): a schedule search's clusters each hold a
		// list of a few entries, and a thousand-entry chunk apiece would
		// be most of their memory.
		room := chunkLen
		if l.n == 0 {
			room = 4
		}
		l.chunks = append(l.chunks, chunk[T]{items: make([]T, 0, room), owner: l.own})
	}
	last := l.ownChunk(len(l.chunks)-1, true)
	*last = append(*last, v)
	l.n++
	return l.n - 1
}

// ownSpine makes the chunk list l's own before a change.
func (l *chunked[T]) ownSpine() {
	if l.spineOwn != l.own {
		l.chunks = slices.Clone(l.chunks)
		l.spineOwn = l.own
	}
}

// ownChunk is chunk i, copied first if it is shared with a clone; grow
// says an entry is about to be appended to it.
func (l *chunked[T]) ownChunk(i int, grow bool) *[]T {
	if l.chunks[i].owner != l.own {
		// A copy as long as the chunk, and a little room if it is to grow,
		// not a whole chunk's: a clone of a short history (the schedule
		// search makes millions, each taking one step) then copies a few
		// entries, not a thousand. Only the last chunk is ever short, and
		// appending to it copies at most chunkLen entries.
		l.ownSpine()
		n := len(l.chunks[i].items)
		room := n
		if grow {
			room = min(chunkLen, n+max(n, 4))
		}
		l.chunks[i] = chunk[T]{items: append(make([]T, 0, room), l.chunks[i].items...), owner: l.own}
	}
	return &l.chunks[i].items
}

// at is the entry at index i (at least first()), to read or update in place.
func (l *chunked[T]) at(i int) *T {
	i -= l.base
	return &(*l.ownChunk(i/chunkLen, false))[i%chunkLen]
}

// get is a copy of the entry at index i (at least first()), read without
// taking the chunk over from a clone.
func (l *chunked[T]) get(i int) T {
	i -= l.base
	return l.chunks[i/chunkLen].items[i%chunkLen]
}

// peek is the entry at index i (at least first()), to read only: unlike
// at, it does not take the chunk over from a clone, and unlike get it
// copies nothing.
func (l *chunked[T]) peek(i int) *T {
	i -= l.base
	return &l.chunks[i/chunkLen].items[i%chunkLen]
}

// len is the number of entries ever added, dropped ones included.
func (l *chunked[T]) len() int { return l.n }

// first is the index of the oldest entry kept.
func (l *chunked[T]) first() int { return l.base }

// dropFront drops whole chunks from the front while drop says so of every
// entry of the chunk (the last chunk, still being filled, is kept), and
// returns the last entry dropped, if any.
func (l *chunked[T]) dropFront(drop func(*T) bool) (last *T) {
	k := 0
	for k < len(l.chunks)-1 && len(l.chunks[k].items) == chunkLen {
		ch := l.chunks[k].items
		all := true
		for i := range ch {
			if !drop(&ch[i]) {
				all = false
				break
			}
		}
		if !all {
			break
		}
		last = &ch[chunkLen-1]
		k++
	}
	if k == 0 {
		return nil
	}
	// The chunk list made l's own, clearing its entries frees the dropped
	// chunks unless a clone still holds them.
	l.ownSpine()
	clear(l.chunks[:k])
	l.chunks = l.chunks[k:]
	l.base += k * chunkLen
	return last
}

// all calls f with every entry in order, until f returns false; f must not
// change the entries.
func (l *chunked[T]) all(f func(*T) bool) {
	for _, ch := range l.chunks {
		for i := range ch.items {
			if !f(&ch.items[i]) {
				return
			}
		}
	}
}

// clone copies the list, sharing every chunk, and the list of them, with l
// until either side changes it (T's own slices are shared for good).
func (l *chunked[T]) clone() chunked[T] {
	x := chunked[T]{chunks: l.chunks, n: l.n, base: l.base}
	l.own, x.own = newOwner(), newOwner()
	return x
}
