package core

// chunked is an append-only list kept in fixed-size chunks, so that an
// append never copies the entries already there: the history of a long run
// grows to millions of operations, and doubling one slice would copy (and
// make the collector rescan) all of it again and again.
type chunked[T any] struct {
	chunks [][]T
	n      int
}

const chunkLen = 1024

// add appends v and returns its index.
func (l *chunked[T]) add(v T) int {
	if l.n%chunkLen == 0 {
		l.chunks = append(l.chunks, make([]T, 0, chunkLen))
	}
	last := &l.chunks[len(l.chunks)-1]
	*last = append(*last, v)
	l.n++
	return l.n - 1
}

// at is the entry at index i, to read or update in place.
func (l *chunked[T]) at(i int) *T { return &l.chunks[i/chunkLen][i%chunkLen] }

func (l *chunked[T]) len() int { return l.n }

// all calls f with every entry in order, until f returns false.
func (l *chunked[T]) all(f func(*T) bool) {
	for _, ch := range l.chunks {
		for i := range ch {
			if !f(&ch[i]) {
				return
			}
		}
	}
}

// clone copies the entries (shallowly: T's own slices are shared).
func (l *chunked[T]) clone() chunked[T] {
	x := chunked[T]{chunks: make([][]T, len(l.chunks)), n: l.n}
	for i, ch := range l.chunks {
		x.chunks[i] = append(make([]T, 0, chunkLen), ch...)
	}
	return x
}
