package ring

import (
	"strconv"

	"github.com/cespare/xxhash/v2"
	"github.com/ringlab/ringlab/core/ids"
)

// HashKey places a key (or any label) on the ring: the 64-bit xxhash of its bytes.
func HashKey(key string) uint64 {
	return xxhash.Sum64String(key)
}

// VNodeLabel is the label hashed to place virtual node i of node n, for
// example "n3#17".
func VNodeLabel(n ids.NodeID, i int) string {
	return n.String() + "#" + strconv.Itoa(i)
}

// vnodeLabelMaxBytes bounds the label: "n" + 5 digits of a uint16, "#", and
// the 20 characters of the most negative int64.
const vnodeLabelMaxBytes = 1 + 5 + 1 + 20

// VNodeHash is the position of virtual node i of node n:
// HashKey(VNodeLabel(n, i)), computed in a stack buffer without allocating.
func VNodeHash(n ids.NodeID, i int) uint64 {
	if n == ids.None {
		return HashKey(VNodeLabel(n, i))
	}
	var buf [vnodeLabelMaxBytes]byte
	b := append(buf[:0], 'n')
	b = strconv.AppendUint(b, uint64(n), 10)
	b = append(b, '#')
	b = strconv.AppendInt(b, int64(i), 10)
	return xxhash.Sum64(b)
}
