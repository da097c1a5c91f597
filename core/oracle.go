package core

import (
	"cmp"
	"maps"
	"slices"
	"sort"

	"github.com/ringlab/ringlab/core/vclock"
)

// oracle watches the run from outside the nodes, only to count what went
// wrong: it never influences a node.
//
// Stale read (Counters.StaleReads, Op.Stale): properties.go defines it
// (PropStale), for both versionings; the oracle keeps the count as the run
// goes, and TestOracleMatchesPropertyDefinitions checks it against the
// definition applied to the whole history. Under vector clocks a get is
// stale when the union of the causal pasts of what it returned misses the
// dot of some put acknowledged before it began; under last-write-wins when
// what it returned ranks below the greatest (by timestamp) of those puts.
//
// Lost write (SettleReport.LostWrites, Lost): an acknowledged put whose dot
// is in the causal past of no version left on the key's replicas (on the
// agreed ring) once the cluster has settled. A write superseded by a later
// put whose client had read it is not lost: that client saw it and chose
// to replace it. A write overwritten by a client that never saw it is lost,
// even though the history may still be linearizable: under last-write-wins
// two concurrent puts can both be acknowledged and the later timestamp
// silently discards the other, which a linearizability checker accepts as
// "the other one took effect first and was overwritten", but no client ever
// read it and no replica keeps it. Under vector clocks such writes survive
// as siblings, so a lost write there is a bug.
//
// The two counts can disagree with the verdict in both directions: a
// linearizable LWW run can report lost writes, and a run with no stale reads
// can still fail the check: for instance, one get returns a put that is
// still in flight and a later get does not (neither is stale, since the put
// had not been acknowledged when either began).
type oracle struct {
	// keys is shared copy-on-write with clones (see cow.go): the map, and
	// each ackedKey, may be changed in place only when tagged with own.
	own       cowOwner
	keysOwn   cowOwner
	keys      map[string]*ackedKey
	puts      chunked[ackedPut]
	ackSeq    uint64
	readFloor floors   // per pending get: what had been acknowledged when it began
	floorOwn  cowOwner // readFloor is shared with clones until changed (ownFloor)

	// gapsFilled counts the never-acknowledged dots folding counted as
	// acknowledged; noFold turns folding off (tests). See oraclefold.go.
	gapsFilled uint64
	noFold     bool

	// Invariant checking (tests and fuzzing): when check is set, every
	// storage change is checked and violations are recorded.
	check      bool
	violations []string
}

// ackedKey indexes the acknowledged dots of one key per coordinator, sorted
// by counter, so that coverage by a causal set is checked from the top of
// each node's counters down to what the set's vector already covers.
type ackedKey struct {
	byNode map[NodeID][]ackedDot
	nodes  []NodeID // sorted keys of byNode
	own    cowOwner // see oracle.keys
	// folded holds the dots whose order of acknowledgement no longer
	// matters, as spans of counters per node (oraclefold.go).
	folded map[NodeID][]span
	// lwwTop is the greatest acknowledged version by last-write-wins order.
	lwwTop *version
}

// readStart is what the oracle notes when a get begins: how many puts had
// been acknowledged (ackSeq), and under last-write-wins the greatest of
// them by timestamp order.
type readStart struct {
	floor uint64
	top   *version
}

type ackedDot struct {
	counter uint64
	seq     uint64 // order of acknowledgement
}

type ackedPut struct {
	key     string
	value   string
	dot     vclock.Dot
	ackTick int64
}

func newOracle() oracle {
	own := newOwner()
	return oracle{own: own, keysOwn: own, floorOwn: own, keys: map[string]*ackedKey{}}
}

// clone copies the oracle; the acknowledged dots per key are shared with o
// until either side next acknowledges a put of that key (ownKey).
func (o *oracle) clone() oracle {
	x := *o
	o.own, x.own = newOwner(), newOwner()
	x.puts = o.puts.clone()
	x.violations = slices.Clone(o.violations)
	return x
}

// ownKey is the oracle's ackedKey of key, created, or copied first if it is
// shared with a clone, so that the caller may change it.
func (o *oracle) ownKey(key string) *ackedKey {
	if o.keysOwn != o.own {
		o.keys = maps.Clone(o.keys)
		o.keysOwn = o.own
	}
	a := o.keys[key]
	switch {
	case a == nil:
		a = &ackedKey{byNode: map[NodeID][]ackedDot{}, own: o.own}
		o.keys[key] = a
	case a.own != o.own:
		cp := &ackedKey{byNode: make(map[NodeID][]ackedDot, len(a.byNode)), nodes: slices.Clone(a.nodes), own: o.own, folded: a.cloneFolded(), lwwTop: a.lwwTop}
		for n, ds := range a.byNode {
			cp.byNode[n] = slices.Clone(ds)
		}
		a = cp
		o.keys[key] = a
	}
	return a
}

// beginOp notes, for a get, which writes had been acknowledged when it began.
func (o *oracle) beginOp(c *Cluster, req *request) {
	if req.kind == OpGet {
		st := readStart{floor: o.ackSeq}
		if a := o.keys[req.key]; a != nil {
			st.top = a.lwwTop
		}
		o.ownFloor()
		o.readFloor.set(req.id, st)
	}
}

func (o *oracle) ackPut(c *Cluster, req *request) {
	d := req.version.dot
	o.ackSeq++
	a := o.ownKey(req.key)
	if a.lwwTop == nil || req.version.lwwAfter(a.lwwTop) {
		a.lwwTop = req.version
	}
	ds, ok := a.byNode[d.Node]
	if !ok {
		i, _ := slices.BinarySearch(a.nodes, d.Node)
		a.nodes = slices.Insert(a.nodes, i, d.Node)
	}
	if k := len(ds); k == 0 || ds[k-1].counter <= d.Counter {
		// The usual case: a node's counters for a key only grow.
		a.byNode[d.Node] = append(ds, ackedDot{d.Counter, o.ackSeq})
	} else {
		i := sort.Search(len(ds), func(i int) bool { return ds[i].counter > d.Counter })
		a.byNode[d.Node] = slices.Insert(ds, i, ackedDot{d.Counter, o.ackSeq})
	}
	o.fold(a, d.Node)
	o.puts.add(ackedPut{key: req.key, value: req.version.value, dot: d, ackTick: c.now})
}

// missed reports whether some write of key acknowledged at or before floor
// is not in seen.
func (o *oracle) missed(key string, seen causal, floor uint64) bool {
	a := o.keys[key]
	if a == nil {
		return false
	}
	for _, n := range a.nodes {
		ds := a.byNode[n]
		covered := seen.vv.Get(n)
		for i := len(ds) - 1; i >= 0 && ds[i].counter > covered; i-- {
			if ds[i].seq <= floor && !seen.covers(vclock.Dot{Node: n, Counter: ds[i].counter}) {
				return true
			}
		}
		if a.missedFolded(n, seen) {
			return true
		}
	}
	return false
}

// staleRead reports whether a successful get that returned result is a
// stale read (PropStale). seen is the union of the causal pasts of result.
func (o *oracle) staleRead(req *request, seen causal, result []*version, mode Versioning) bool {
	st, _ := o.readFloor.get(req.id)
	o.dropFloor(req.id)
	if mode == LWW {
		// The order is total: missing the greatest acknowledged put is
		// missing some acknowledged put.
		return st.top != nil && misses(result, st.top, LWW)
	}
	return o.missed(req.key, seen, st.floor)
}

// forget drops the bookkeeping of a get that failed.
func (o *oracle) forget(id RequestID) { o.dropFloor(id) }

// dropFloor drops the readStart of get id, if any.
func (o *oracle) dropFloor(id RequestID) {
	i, ok := o.readFloor.find(id)
	switch {
	case !ok:
	case len(o.readFloor) == 1:
		// The last: nothing to copy from a list a clone shares.
		o.readFloor, o.floorOwn = nil, o.own
	default:
		o.ownFloor()
		o.readFloor = slices.Delete(o.readFloor, i, i+1)
	}
}

// ownFloor makes readFloor the oracle's own before a change (Clone
// shares it).
func (o *oracle) ownFloor() {
	if o.floorOwn != o.own {
		o.readFloor = slices.Clone(o.readFloor)
		o.floorOwn = o.own
	}
}

// floors are the pending gets' readStarts, by request id: a list, since
// there are as many as gets in flight, cheaper than a map to copy.
type floors []floor

type floor struct {
	id RequestID
	readStart
}

func (f floors) find(id RequestID) (int, bool) {
	return slices.BinarySearchFunc(f, id, func(x floor, id RequestID) int { return cmp.Compare(x.id, id) })
}

func (f floors) get(id RequestID) (readStart, bool) {
	if i, ok := f.find(id); ok {
		return f[i].readStart, true
	}
	return readStart{}, false
}

func (f *floors) set(id RequestID, st readStart) {
	if i, ok := f.find(id); ok {
		(*f)[i].readStart = st
	} else {
		*f = slices.Insert(*f, i, floor{id, st})
	}
}

// checkNoRegress records a violation when a replica's stored versions of a
// key stop covering a write they covered before: causal pasts never go
// backwards on a replica. Under last-write-wins dropping a concurrent write
// is the documented behaviour, and truncation may forget history, so only
// untruncated vector clocks are checked.
func (c *Cluster) checkNoRegress(n *node, key string, old, set []*version) {
	if !c.oracle.check || c.cfg.Versioning != VectorClocks || c.cfg.VClockMax > 0 {
		return
	}
	now := mergedPast(set)
	for i := range old {
		if !now.covers(old[i].dot) {
			c.oracle.violations = append(c.oracle.violations,
				n.id.String()+": "+key+" lost "+old[i].dot.String()+" (now "+now.String()+")")
		}
	}
}
