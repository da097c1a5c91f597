package core

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

// The hasher's integers are written as binary's varints are, with the
// one-byte ones taken on a short path: the same bytes for every value.
func TestHasherWritesVarints(t *testing.T) {
	var h stateHasher
	for _, x := range []int64{0, 1, -1, 63, -64, 64, -65, 127, 128, 300, -300, 1 << 40, math.MaxInt64, math.MinInt64} {
		h.out = h.out[:0]
		h.i(x)
		if want := binary.AppendVarint(nil, x); !bytes.Equal(h.out, want) {
			t.Errorf("i(%d) wrote %x, want %x", x, h.out, want)
		}
		h.out = h.out[:0]
		h.u(uint64(x))
		if want := binary.AppendUvarint(nil, uint64(x)); !bytes.Equal(h.out, want) {
			t.Errorf("u(%d) wrote %x, want %x", uint64(x), h.out, want)
		}
	}
}
