package core

// chunked is an append-only list kept in fixed-size chunks, so that an
// append never copies the entries already there: the history of a long run
// grows to millions of operations, and doubling one slice would copy (and
// make the collector rescan) all of it again and again.
//
// A clone shares the chunks copy-on-write (see cow.go): a chunk is changed
// in place, by add or at, only when tagged with the list's owner token.
type chunked[T any] struct {
	chunks [][]T
	owners []*cowOwner // owners[i] tags chunks[i]
	own    *cowOwner
	n      int
}

const chunkLen = 1024

// add appends v and returns its index.
func (l *chunked[T]) add(v T) int {
	if l.own == nil {
		l.own = new(cowOwner)
	}
	if l.n%chunkLen == 0 {
		l.chunks = append(l.chunks, make([]T, 0, chunkLen))
		l.owners = append(l.owners, l.own)
	}
	last := l.ownChunk(len(l.chunks) - 1)
	*last = append(*last, v)
	l.n++
	return l.n - 1
}

// ownChunk is chunk i, copied first if it is shared with a clone.
func (l *chunked[T]) ownChunk(i int) *[]T {
	if l.owners[i] != l.own {
		// A copy as long as the chunk and a little room, not a whole
		// chunk's: a clone of a short history (the schedule search makes
		// millions) then copies a few entries, not a thousand. Only the
		// last chunk is ever short, and appending to it copies at most
		// chunkLen entries.
		n := len(l.chunks[i])
		l.chunks[i] = append(make([]T, 0, min(chunkLen, n+max(n, 4))), l.chunks[i]...)
		l.owners[i] = l.own
	}
	return &l.chunks[i]
}

// at is the entry at index i, to read or update in place.
func (l *chunked[T]) at(i int) *T { return &(*l.ownChunk(i / chunkLen))[i%chunkLen] }

func (l *chunked[T]) len() int { return l.n }

// get is entry i, to read only (it copies no shared chunk).
func (l *chunked[T]) get(i int) *T { return &l.chunks[i/chunkLen][i%chunkLen] }

// all calls f with every entry in order, until f returns false; f must not
// change the entries.
func (l *chunked[T]) all(f func(*T) bool) {
	for _, ch := range l.chunks {
		for i := range ch {
			if !f(&ch[i]) {
				return
			}
		}
	}
}

// clone copies the list, sharing every chunk with l until either side
// changes it (T's own slices are shared for good).
func (l *chunked[T]) clone() chunked[T] {
	x := chunked[T]{chunks: append([][]T(nil), l.chunks...), owners: append([]*cowOwner(nil), l.owners...), n: l.n}
	l.own, x.own = new(cowOwner), new(cowOwner)
	return x
}
