package core

import "slices"

// chunked is an append-only list kept in fixed-size chunks, so that an
// append never copies the entries already there: the history of a long run
// grows to millions of operations, and doubling one slice would copy (and
// make the collector rescan) all of it again and again.
//
// A clone shares the chunks copy-on-write (see cow.go): a chunk is changed
// in place, by add or at, only when tagged with the list's owner token.
// The first chunk kept is held in the list itself (head), the others in a
// list of their own (more), shared with clones too until either side changes
// it: a list of one chunk, as a schedule search's clusters hold, is taken
// over from a clone by copying that chunk alone.
//
// The oldest entries can be dropped a chunk at a time (dropFront): indexes
// stay absolute, so an index handed out by add keeps naming the same entry
// for as long as it is kept.
type chunked[T any] struct {
	head chunk[T]      // the first chunk kept; items nil: none
	more *chunkList[T] // the chunks after head; nil: none
	own  cowOwner
	n    int // entries ever added
	base int // entries dropped from the front (a multiple of chunkLen)
}

const chunkLen = 1024

// A chunk is up to chunkLen entries and the owner token that tags them.
type chunk[T any] struct {
	items []T
	owner cowOwner
}

// chunkList is a list of chunks and the owner token that tags the list.
type chunkList[T any] struct {
	chunks []chunk[T]
	owner  cowOwner
}

// chunkCount is the number of chunks kept.
func (l *chunked[T]) chunkCount() int {
	switch {
	case l.head.items == nil:
		return 0
	case l.more == nil:
		return 1
	}
	return 1 + len(l.more.chunks)
}

// chunk is chunk i, to read.
func (l *chunked[T]) chunk(i int) *chunk[T] {
	if i == 0 {
		return &l.head
	}
	return &l.more.chunks[i-1]
}

// add appends v and returns its index.
func (l *chunked[T]) add(v T) int {
	if l.own == 0 {
		l.own = newOwner()
	}
	if (l.n-l.base)%chunkLen == 0 {
		// The first chunk starts small and grows as appends need (to
		// chunkLen at most): a schedule search's clusters each hold a
		// list of a few entries, and a thousand-entry chunk apiece would
		// be most of their memory.
		if l.head.items == nil {
			room := chunkLen
			if l.n == 0 {
				room = 4
			}
			l.head = chunk[T]{items: make([]T, 0, room), owner: l.own}
		} else {
			l.ownMore()
			l.more.chunks = append(l.more.chunks, chunk[T]{items: make([]T, 0, chunkLen), owner: l.own})
		}
	}
	last := l.ownChunk(l.chunkCount()-1, true)
	*last = append(*last, v)
	l.n++
	return l.n - 1
}

// ownMore makes the list of chunks after head l's own before a
// change (made if there is none).
func (l *chunked[T]) ownMore() {
	switch {
	case l.more == nil:
		l.more = &chunkList[T]{owner: l.own}
	case l.more.owner != l.own:
		l.more = &chunkList[T]{chunks: slices.Clone(l.more.chunks), owner: l.own}
	}
}

// ownChunk is chunk i's entries, copied first if they are shared with a
// clone; grow says an entry is about to be appended to them.
func (l *chunked[T]) ownChunk(i int, grow bool) *[]T {
	if i > 0 {
		l.ownMore()
	}
	c := l.chunk(i)
	if c.owner != l.own {
		// A copy as long as the chunk, and a little room if it is to grow,
		// not a whole chunk's: a clone of a short history (the schedule
		// search makes millions, each taking one step) then copies a few
		// entries, not a thousand. Only the last chunk is ever short, and
		// appending to it copies at most chunkLen entries.
		n := len(c.items)
		room := n
		if grow {
			room = min(chunkLen, n+max(n, 4))
		}
		*c = chunk[T]{items: append(make([]T, 0, room), c.items...), owner: l.own}
	}
	return &c.items
}

// at is the entry at index i (at least first()), to read or update in place.
func (l *chunked[T]) at(i int) *T {
	i -= l.base
	return &(*l.ownChunk(i/chunkLen, false))[i%chunkLen]
}

// get is a copy of the entry at index i (at least first()), read without
// taking the chunk over from a clone.
func (l *chunked[T]) get(i int) T { return *l.peek(i) }

// peek is the entry at index i (at least first()), to read only: unlike
// at, it does not take the chunk over from a clone, and unlike get it
// copies nothing.
func (l *chunked[T]) peek(i int) *T {
	i -= l.base
	return &l.chunk(i / chunkLen).items[i%chunkLen]
}

// len is the number of entries ever added, dropped ones included.
func (l *chunked[T]) len() int { return l.n }

// first is the index of the oldest entry kept.
func (l *chunked[T]) first() int { return l.base }

// single is the entries kept when they are all in one chunk, to read only.
func (l *chunked[T]) single() ([]T, bool) {
	return l.head.items, l.chunkCount() <= 1
}

// dropFront drops whole chunks from the front while drop says so of every
// entry of the chunk (the last chunk, still being filled, is kept), and
// returns the last entry dropped, if any.
func (l *chunked[T]) dropFront(drop func(*T) bool) (last *T) {
	k, count := 0, l.chunkCount()
	for k < count-1 && len(l.chunk(k).items) == chunkLen {
		ch := l.chunk(k).items
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
	// The list of chunks made l's own, clearing its entries frees the
	// dropped chunks unless a clone still holds them.
	l.ownMore()
	l.head = l.more.chunks[k-1]
	clear(l.more.chunks[:k])
	l.more.chunks = l.more.chunks[k:]
	if len(l.more.chunks) == 0 {
		l.more = nil
	}
	l.base += k * chunkLen
	return last
}

// all calls f with every entry in order, until f returns false; f must not
// change the entries.
func (l *chunked[T]) all(f func(*T) bool) {
	for k := range l.chunkCount() {
		ch := l.chunk(k).items
		for i := range ch {
			if !f(&ch[i]) {
				return
			}
		}
	}
}

// clone copies the list, sharing every chunk, and the list of them, with l
// until either side changes it (T's own slices are shared for good).
func (l *chunked[T]) clone() chunked[T] {
	x := chunked[T]{head: l.head, more: l.more, n: l.n, base: l.base}
	l.own, x.own = newOwner(), newOwner()
	return x
}
