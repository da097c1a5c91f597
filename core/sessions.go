package core

import (
	"math"
	"slices"
)

// Session guarantees counted as operations complete (TrackSessions), with
// the definitions of ReadYourWrites and MonotonicReads but without the
// history: a run of any length can count them. Per client and key it keeps
// only the versions that matter to a later get: the client's acknowledged
// puts and the versions its gets returned, each with the moment it became
// known (its return's sequence number), pruned to those no other kept
// version ranks at or above. The store's order is transitive (a causal
// past, or timestamps), so a read that covers a version covers everything
// it ranks above; a version is dropped only when no get of the session that
// began before the dominating version became known is still pending.

// sessions is the counting state; nil when the cluster does not track it.
type sessions struct {
	m         map[clientKey]*session
	ryw, mono int
}

type session struct {
	puts, reads []knownVersion
	pending     []uint64 // invoke sequence numbers of this session's gets not yet returned
}

// knownVersion is a version and the return sequence number at which the
// session came to know it.
type knownVersion struct {
	v  *version
	at uint64
}

// TrackSessions makes the cluster count read-your-writes and monotonic-read
// violations as its operations complete (SessionViolations), without
// keeping its history. Call it before the first operation.
func (c *Cluster) TrackSessions() {
	if c.sessions == nil {
		c.sessions = &sessions{m: map[clientKey]*session{}}
	}
}

// SessionViolations are the gets so far that missed their own client's
// earlier acknowledged put (read your writes) and that missed a version
// their client's earlier get had returned (monotonic reads): the counts
// ReadYourWrites and MonotonicReads give on the whole history. Both are 0
// unless TrackSessions was called.
func (c *Cluster) SessionViolations() (readYourWrites, monotonic int) {
	if c.sessions == nil {
		return 0, 0
	}
	return c.sessions.ryw, c.sessions.mono
}

func (s *sessions) of(ck clientKey) *session {
	x := s.m[ck]
	if x == nil {
		x = &session{}
		s.m[ck] = x
	}
	return x
}

// getStarted notes a get that began with invoke sequence number seq.
func (s *sessions) getStarted(ck clientKey, seq uint64) {
	x := s.of(ck)
	x.pending = append(x.pending, seq)
}

// putAcked notes an acknowledged put of v, returned at seq.
func (s *sessions) putAcked(ck clientKey, v *version, seq uint64, mode Versioning) {
	x := s.of(ck)
	x.puts = x.add(x.puts, v, seq, mode)
}

// getDone notes a get invoked at invoked and returned at seq: ok with the
// versions read, or failed.
func (s *sessions) getDone(ck clientKey, invoked, seq uint64, ok bool, read []*version, mode Versioning) {
	x := s.of(ck)
	if i := slices.Index(x.pending, invoked); i >= 0 {
		x.pending = slices.Delete(x.pending, i, i+1)
	}
	if !ok {
		return
	}
	missed := func(known []knownVersion) bool {
		for _, k := range known {
			if k.at < invoked && misses(read, k.v, mode) {
				return true
			}
		}
		return false
	}
	if missed(x.puts) {
		s.ryw++
	}
	if missed(x.reads) {
		s.mono++
	}
	for _, v := range read {
		x.reads = x.add(x.reads, v, seq, mode)
	}
}

// add keeps v, known from seq on, in known unless a version known already
// ranks at or above it (every later get then sees that one before it), and
// drops the versions v ranks at or above once no get of the session that
// began before seq is pending (such a get does not count v).
func (x *session) add(known []knownVersion, v *version, seq uint64, mode Versioning) []knownVersion {
	for _, k := range known {
		if atOrAbove(k.v, v, mode) {
			return known
		}
	}
	oldest := uint64(math.MaxUint64)
	for _, p := range x.pending {
		oldest = min(oldest, p)
	}
	if oldest > seq {
		known = slices.DeleteFunc(known, func(k knownVersion) bool { return atOrAbove(v, k.v, mode) })
	}
	return append(known, knownVersion{v: v, at: seq})
}

// clone copies the counting state for a clone of the cluster.
func (s *sessions) clone() *sessions {
	if s == nil {
		return nil
	}
	x := &sessions{m: make(map[clientKey]*session, len(s.m)), ryw: s.ryw, mono: s.mono}
	for k, v := range s.m {
		x.m[k] = &session{puts: slices.Clone(v.puts), reads: slices.Clone(v.reads), pending: slices.Clone(v.pending)}
	}
	return x
}
