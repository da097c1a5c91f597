package explore

import "github.com/ringlab/ringlab/core"

// byHistory reports whether the states where every operation returned are
// told apart by their history alone (admitFinal): so for every property
// but the lost write, which settles the nodes, unless the reductions are
// off.
func (s *Search) byHistory() bool {
	return !s.full && !s.wholeFinals && s.sc.Property != core.PropLost
}

// admitFinal takes in a state where every operation returned, under a
// property of the history. Nothing after it is searched (the schedule ends
// at the last answer), and the property reads the history alone: a state
// counts as distinct, and is checked, only if its history is new
// (core.Cluster.HistoryHash), or, where nodes are interchangeable, new up
// to their renamings. What the nodes hold and what is still in flight no
// longer matter, so the states that differ only there, most of the last
// level's, are neither digested whole nor kept. Levels come in order, so a
// history's first state is at its shortest depth.
func (s *Search) admitFinal(child *state) {
	c := child.c
	// As visited holds states: the digest as it is tells a history met
	// again as itself; the least over the renamings, one met renamed.
	own := s.historyDigest(c, 0)
	if _, seen := s.histories[own]; seen {
		return
	}
	s.histories[own] = struct{}{}
	least := s.finalDigest(c, own)
	if _, seen := s.histories[least]; seen && least != own {
		return
	}
	s.histories[least] = struct{}{}
	s.report.DistinctStates++
	if s.onNew != nil {
		s.onNew(least^finalTag, child.depth)
	}
	if why, op := s.violated(child); why != "" {
		s.record(child)
		s.found(child, why, op)
		return
	}
	if s.onFinal != nil {
		s.onFinal(child.c, child.depth)
	}
	if s.report.DistinctStates >= s.bounds.MaxStates {
		s.cut("states")
	}
}

// historyDigest is c's history digest under the i-th renaming (none
// without interchangeable nodes).
func (s *Search) historyDigest(c *core.Cluster, i int) uint64 {
	if s.sym == nil {
		return c.HistoryHash()
	}
	return c.RenamedHistoryHash(s.sym, i)
}

// endsMet reports whether every history st can still end in was met
// already, so that nothing ahead of it is new: a state so is neither
// digested nor kept when it is met (try), and one kept whose ends were met
// since is not expanded (Step). (Kept, such states were a fifth of the
// distinct states of two writers then two readers on four nodes with a
// crash, each digested, held and, past a level's first clusters, rebuilt
// before it was let go: 12 s became 8.7.) Where every operation began and what each still waiting would
// return is known (core.Cluster.Decided: a put's version, a get's result
// once R replicas answered), each ends in success so or in failure, in
// any order, since all began: those histories, no more
// (core.Cluster.EndedHistoryHash), each met first no later than st's
// level, before any of st's ends. Under a property of the history alone,
// met is all a search asks of them (admitFinal checked each); the states
// on the way matter to nothing else. It spares the end of a strict get
// with read repair, whose result is known once R replicas answered and
// which then waits for W to hold it: the write-back's repairs and acks,
// interleaved with the other get's. Up to maxEnds operations waiting.
func (s *Search) endsMet(st *state) bool {
	if s.foreseeOff || !s.byHistory() || s.timed || st.c == nil || st.returned == len(s.ops) {
		return false
	}
	for _, r := range st.reqs[:len(s.ops)] {
		if r == 0 {
			return false // an operation that has not begun may begin after another returned
		}
	}
	k, ok := st.c.Decided()
	if !ok || k > maxEnds {
		return false
	}
	for mask := range uint64(1) << k {
		// (The digest admitFinal keeps of every history it meets.)
		if _, met := s.histories[st.c.EndedHistoryHash(s.sym, 0, mask)]; !met {
			return false
		}
	}
	return true
}

// maxEnds is the most operations waiting whose ends endsMet weighs (each
// of their 2^k ends is digested).
const maxEnds = 3

// finalDigest is a final history's digest, the least over the renamings
// where nodes are interchangeable, given its digest as it is (own).
func (s *Search) finalDigest(c *core.Cluster, own uint64) uint64 {
	least := own
	if s.sym != nil {
		for i := 1; i < s.sym.Size(); i++ {
			least = min(least, c.RenamedHistoryHash(s.sym, i))
		}
	}
	return least
}

// finalTag sets the digests of final histories apart from the states' in
// what tests are told (onNew).
const finalTag = 0x66696e616c // "final"
