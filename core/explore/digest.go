package explore

import (
	"encoding/binary"

	"github.com/cespare/xxhash/v2"
)

// hash is the state's identity: the cluster's and the search's own.
func (s *Search) hash(st *state) uint64 {
	switch {
	case s.full:
		return s.with(st, st.c.ExactStateHash()^s.salt(st, 0))
	case s.sym != nil:
		return s.with(st, st.c.SymmetricStateHashSalted(s.sym, 0, false, s.saltsOf(st)))
	}
	return s.with(st, st.c.StateHash()^s.salt(st, 0))
}

// salt is the digest of the search's own state of each operation (issued,
// its half-timeout fired) with the operations renamed by relabeling r
// (opMaps): the cluster's digest under a renaming is taken xor the salt
// of the renaming's relabeling (core.Cluster.SymmetricStateHashSalted), so
// that a state and its relabeling, whose operations are one another's,
// have the same least digest.
func (s *Search) salt(st *state, r int) uint64 {
	var issued, half uint64
	for i, req := range st.reqs[:len(s.ops)] {
		j := i
		if r > 0 {
			j = s.opMaps[r][i]
		}
		if req != 0 {
			issued |= 1 << j
		}
		half |= (st.half >> i & 1) << j
	}
	var b [2 * 8]byte
	p := binary.LittleEndian.AppendUint64(b[:0], issued)
	p = binary.LittleEndian.AppendUint64(p, half)
	return xxhash.Sum64(p)
}

// saltsOf is st's salts under every relabeling, in s.salts.
func (s *Search) saltsOf(st *state) []uint64 {
	for r := range s.salts {
		s.salts[r] = s.salt(st, r)
	}
	return s.salts
}

// with is the digest of a cluster's digest h (salted: Search.salt) and the
// rest of the search's own state, which no relabeling changes.
func (s *Search) with(st *state, h uint64) uint64 {
	var b [4 * 8]byte
	p := binary.LittleEndian.AppendUint64(b[:0], h)
	tail := uint64(st.after.node) << 49
	if st.after.read {
		tail |= 1 << 63
	}
	if st.after.open {
		tail |= 1 << 62
	}
	if st.after.tally {
		tail |= 1 << 61
	}
	crashes := st.crashes
	if st.spent {
		crashes = s.sc.Budget.Crashes // (crashesSpent)
	}
	p = binary.LittleEndian.AppendUint64(p, uint64(st.parts)|uint64(crashes)<<16|uint64(st.drops)<<32|tail)
	p = binary.LittleEndian.AppendUint64(p, st.after.reply)
	if st.after.others != 0 {
		p = binary.LittleEndian.AppendUint64(p, uint64(st.after.others)|uint64(st.after.othersRead)<<32)
	}
	return xxhash.Sum64(p)
}
