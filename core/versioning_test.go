package core

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core/vclock"
)

// Two clients write the same key without having read it: both versions
// survive as siblings; a get returns both, and a put carrying the get's
// context (the cart union) supersedes them on every replica.
func TestConcurrentPutsBecomeSiblingsAndAMergeSupersedesThem(t *testing.T) {
	c := mustNew(t, quietConfig())
	key := keyOwnedBy(t, c, "cart:", 0, 1, 2)
	a := mustApply(t, c, Command{Kind: CmdPut, Node: 0, Client: 1, Key: key, Value: "milk"})
	b := mustApply(t, c, Command{Kind: CmdPut, Node: 3, Client: 2, Key: key, Value: "eggs"})
	waitOp(t, c, a, 50)
	waitOp(t, c, b, 50)
	c.RunUntil(c.Now() + 20)
	v := c.View()
	for _, n := range []NodeID{0, 1, 2} {
		if got := storedValues(v, n, key); !slices.Equal(got, []string{"eggs", "milk"}) {
			t.Fatalf("n%d stores %v, want siblings [eggs milk]", n, got)
		}
	}
	if c.Counters().SiblingsMax != 2 {
		t.Errorf("SiblingsMax = %d, want 2", c.Counters().SiblingsMax)
	}

	get := waitOp(t, c, mustApply(t, c, Command{Kind: CmdGet, Node: 4, Client: 3, Key: key}), 50)
	slices.Sort(get.Values)
	if !get.OK || !slices.Equal(get.Values, []string{"eggs", "milk"}) {
		t.Fatalf("get = %+v, want both siblings", get)
	}
	c.Events()
	put := mustApply(t, c, Command{Kind: CmdPut, Node: 4, Client: 3, Key: key, Value: "eggs+milk", WithContext: true})
	waitOp(t, c, put, 50)
	c.RunUntil(c.Now() + 20)
	v = c.View()
	for _, n := range []NodeID{0, 1, 2} {
		if got := storedValues(v, n, key); !slices.Equal(got, []string{"eggs+milk"}) {
			t.Errorf("n%d stores %v after the merge, want [eggs+milk]", n, got)
		}
	}
	if got := countEvents(c.Events(), EvSuperseded); got != 6 {
		t.Errorf("%d superseded events, want 6 (two siblings on three replicas)", got)
	}
	if rep := c.Settle(2000); rep.LostWrites != 0 {
		t.Errorf("merged writes counted as lost: %v", rep.Lost)
	}
}

// Two blind writes coordinated by the same node get dots n0:1 and n0:2. A
// client that read only the second must not supersede the first: its
// context holds n0:2 but not n0:1.
func TestContextDoesNotCoverUnseenDotOfSameCoordinator(t *testing.T) {
	cfg := quietConfig()
	cfg.AntiEntropyIntervalTicks = 50 // settling needs it
	c := mustNew(t, cfg)
	key := keyOwnedBy(t, c, "k", 1, 2, 3)
	// The first write reaches only n3 (W=1, the others are cut off).
	mustApply(t, c, Command{Kind: CmdPartition, Groups: [][]NodeID{{0, 3}}})
	waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Node: 0, Client: 1, Key: key, Value: "first", W: 1}), 50)
	mustApply(t, c, Command{Kind: CmdHeal})
	mustApply(t, c, Command{Kind: CmdCrash, Node: 3})
	waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Node: 0, Client: 2, Key: key, Value: "second", W: 2}), 50)
	get := waitOp(t, c, mustApply(t, c, Command{Kind: CmdGet, Node: 0, Client: 2, Key: key}), 50)
	if !slices.Equal(get.Values, []string{"second"}) {
		t.Fatalf("get = %v, want [second]", get.Values)
	}
	waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Node: 0, Client: 2, Key: key, Value: "third", WithContext: true}), 50)
	mustApply(t, c, Command{Kind: CmdRestart, Node: 3})
	rep := c.Settle(3000)
	if rep.LostWrites != 0 || !rep.Converged {
		t.Fatalf("settle: %+v", rep)
	}
	if got := storedValues(c.View(), 1, key); !slices.Equal(got, []string{"first", "third"}) {
		t.Errorf("n1 stores %v, want the unseen first write kept beside third", got)
	}
}

// Last-write-wins with a skewed clock: a later write from a node whose
// clock runs behind loses to an earlier one, although it was acknowledged.
// The run reports the loss.
func TestLWWUnderSkewLosesAnAcknowledgedWrite(t *testing.T) {
	cfg := quietConfig()
	cfg.Versioning = LWW
	cfg.SkewTicks = []int64{0, 0, 0, 0, 500} // n4 runs 500 ticks ahead
	c := mustNew(t, cfg)
	key := keyOwnedBy(t, c, "k", 0, 1, 2)
	if op := waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Node: 4, Client: 1, Key: key, Value: "early"}), 50); !op.OK {
		t.Fatal(op.Err)
	}
	c.RunUntil(c.Now() + 20)
	c.Events()
	if op := waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Node: 3, Client: 2, Key: key, Value: "late"}), 50); !op.OK {
		t.Fatalf("the late write was not acknowledged: %s", op.Err)
	}
	c.RunUntil(c.Now() + 20)
	evs := c.Events()
	if countEvents(evs, EvLWWDiscard) == 0 {
		t.Errorf("no EvLWWDiscard event")
	}
	rep := c.Settle(2000)
	if rep.LostWrites != 1 || len(rep.Lost) != 1 || !strings.HasPrefix(rep.Lost[0], key+"=late (n3:") {
		t.Errorf("settle reports %+v, want the late write lost", rep)
	}
	if got := storedValues(c.View(), 0, key); !slices.Equal(got, []string{"early"}) {
		t.Errorf("n0 stores %v, want [early]", got)
	}
	if c.Counters().LWWDiscards == 0 {
		t.Errorf("LWWDiscards counter is 0")
	}
}

// Under vector clocks the same skew loses nothing: both writes stay.
func TestVectorClocksIgnoreSkew(t *testing.T) {
	cfg := quietConfig()
	cfg.SkewTicks = []int64{0, 0, 0, 0, 500}
	c := mustNew(t, cfg)
	key := keyOwnedBy(t, c, "k", 0, 1, 2)
	waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Node: 4, Client: 1, Key: key, Value: "early"}), 50)
	waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Node: 3, Client: 2, Key: key, Value: "late"}), 50)
	if rep := c.Settle(2000); rep.LostWrites != 0 {
		t.Errorf("lost %v", rep.Lost)
	}
}

// mergeVersion, checked against a reference that decides by the
// definition: under vector clocks a replica that has received any set of
// versions, in any order, keeps exactly those no other received version
// supersedes. Versions are made as clients make them: each context is the
// union of the causal pasts of some earlier versions, and each coordinator
// numbers its dots in order.
func TestMergeVersionMatchesReference(t *testing.T) {
	s := newStream(7, 1)
	for trial := 0; trial < 2000; trial++ {
		var all []*version
		counters := make([]uint64, 3)
		for i := 0; i < 1+s.intn(6); i++ {
			var ctx causal
			for j := range all {
				if s.intn(3) == 0 {
					ctx = ctx.merge(all[j].past)
				}
			}
			n := NodeID(s.intn(3))
			counters[n]++
			d := vclock.Dot{Node: n, Counter: counters[n]}
			all = append(all, &version{value: d.String(), dot: d, context: ctx, past: ctx.add(d, 0)})
		}
		order := s.r.Perm(len(all))
		var got []*version
		for _, i := range order {
			got, _ = mergeVersion(got, all[i], VectorClocks, nil)
		}
		var want, gotDots []string
		for i := range all {
			superseded := false
			for j := range all {
				superseded = superseded || all[j].supersedes(all[i])
			}
			if !superseded {
				want = append(want, all[i].dot.String())
			}
		}
		for _, v := range got {
			gotDots = append(gotDots, v.dot.String())
		}
		slices.Sort(want)
		slices.Sort(gotDots)
		if !slices.Equal(gotDots, want) {
			t.Fatalf("trial %d (arrival order %v): merge kept %v, reference %v", trial, order, gotDots, want)
		}
	}
}

// causal sets, checked against an explicit set of dots.
func TestCausalMatchesExplicitSet(t *testing.T) {
	s := newStream(3, 2)
	for trial := 0; trial < 500; trial++ {
		var a, b causal
		ra, rb := map[vclock.Dot]bool{}, map[vclock.Dot]bool{}
		for i := 0; i < s.intn(8); i++ {
			d := vclock.Dot{Node: NodeID(s.intn(3)), Counter: uint64(1 + s.intn(5))}
			a = a.add(d, 0)
			ra[d] = true
		}
		for i := 0; i < s.intn(8); i++ {
			d := vclock.Dot{Node: NodeID(s.intn(3)), Counter: uint64(1 + s.intn(5))}
			b = b.add(d, 0)
			rb[d] = true
		}
		m := a.merge(b)
		for n := NodeID(0); n < 3; n++ {
			for k := uint64(1); k <= 6; k++ {
				d := vclock.Dot{Node: n, Counter: k}
				if a.covers(d) != ra[d] {
					t.Fatalf("trial %d: %v covers %v = %v, reference %v", trial, a, d, a.covers(d), ra[d])
				}
				if m.covers(d) != (ra[d] || rb[d]) {
					t.Fatalf("trial %d: merge %v covers %v = %v", trial, m, d, m.covers(d))
				}
			}
		}
	}
}

// mergeSets' shortcuts (merging into an empty set, merging a set with
// itself) give the same set as merging one version at a time, under both
// versioning modes, for sibling sets built from random related versions.
func TestMergeSetsMatchesOneByOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	oneByOne := func(a, b []*version, mode Versioning) []*version {
		for _, v := range b {
			a, _ = mergeVersion(a, v, mode, nil)
		}
		return a
	}
	for _, mode := range []Versioning{VectorClocks, LWW} {
		for round := range 300 {
			// Versions whose contexts hold random earlier dots.
			var pool []*version
			for i := range 12 {
				var ctx causal
				for _, p := range pool {
					if rng.IntN(3) == 0 {
						ctx = ctx.add(p.dot, 0)
					}
				}
				dot := vclock.Dot{Node: NodeID(rng.IntN(3)), Counter: uint64(i + 1)}
				pool = append(pool, &version{value: "v", dot: dot, context: ctx, past: ctx.add(dot, 0), timestamp: rng.Int64N(5)})
			}
			set := func(mode Versioning) []*version {
				var s []*version
				for _, v := range pool {
					if rng.IntN(2) == 0 {
						s, _ = mergeVersion(s, v, mode, nil)
					}
				}
				return s
			}
			a, b := set(mode), set(mode)
			kept := set(VectorClocks) // siblings kept before a switch to LWW
			for _, tc := range []struct {
				name string
				x, y []*version
			}{
				{"into nothing", nil, b},
				{"with itself", a, a},
				{"two sets", a, b},
				{"nothing into a set", a, nil},
				{"siblings kept from vector clocks into nothing", nil, kept},
			} {
				got, want := mergeSets(tc.x, tc.y, mode), oneByOne(tc.x, tc.y, mode)
				if !sameDots(got, want) {
					t.Fatalf("%v round %d, %s: mergeSets gives %v, one by one %v", mode, round, tc.name, dotsOf(got), dotsOf(want))
				}
			}
		}
	}
}

func dotsOf(vs []*version) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.dot.String())
	}
	return out
}

// foldVC gives the same set and the same changes, in the same order, as
// merging one version at a time, for sibling sets of versions made as
// clients make them (each context a union of earlier causal pasts).
func TestFoldVCMatchesOneByOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var pm pastMerger
	for round := range 3000 {
		var pool []*version
		counters := make([]uint64, 4)
		for range 2 + rng.IntN(14) {
			var ctx causal
			for _, p := range pool {
				if rng.IntN(4) == 0 {
					ctx = ctx.merge(p.past)
				}
			}
			n := NodeID(rng.IntN(4))
			counters[n] = max(counters[n], ctx.maxCounter(n)) + 1
			d := vclock.Dot{Node: n, Counter: counters[n]}
			pool = append(pool, &version{value: d.String(), dot: d, context: ctx, past: ctx.add(d, 0)})
		}
		set := func() []*version {
			var s []*version
			for _, v := range pool {
				if rng.IntN(2) == 0 {
					s, _ = mergeVersion(s, v, VectorClocks, nil)
				}
			}
			return s
		}
		a, b := set(), set()
		want, wantChanges := a, []change(nil)
		for _, v := range b {
			want, wantChanges = mergeVersion(want, v, VectorClocks, wantChanges)
		}
		got, gotChanges, ok := foldVC(a, b, &pm, nil, true)
		describe := func(cs []change) []string {
			var out []string
			for _, c := range cs {
				out = append(out, itoa(int(c.kind))+" "+c.v.dot.String())
			}
			return out
		}
		if !ok || !sameDots(got, want) || !slices.Equal(describe(gotChanges), describe(wantChanges)) {
			t.Fatalf("round %d: %v into %v: foldVC gives %v with %v (ok %v), one by one %v with %v", round,
				dotsOf(b), dotsOf(a), dotsOf(got), describe(gotChanges), ok, dotsOf(want), describe(wantChanges))
		}
		if unchanged, _, _ := foldVC(a, b, &pm, nil, false); !sameDots(unchanged, want) {
			t.Fatalf("round %d: without reporting, foldVC gives %v, want %v", round, dotsOf(unchanged), dotsOf(want))
		}
	}
	if _, _, ok := foldVC(nil, []*version{{dot: vclock.Dot{Node: 1, Counter: 2}}, {dot: vclock.Dot{Node: 1, Counter: 1}}}, &pm, nil, false); ok {
		t.Errorf("foldVC accepted an incoming set out of dot order")
	}
}

// Many writers on one key pile up hundreds of siblings; every merge the
// run makes by foldVC agrees with merging one version at a time (checked
// by the invariant checking mustNew turns on), with and without truncated
// contexts.
func TestManyWritersMergeLikeOneByOne(t *testing.T) {
	for _, vclockMax := range []int{0, 2} {
		cfg := DefaultConfig()
		cfg.Seed = 5
		cfg.VClockMax = vclockMax
		cfg.Workload = Workload{Clients: 256, Keys: 1, PutFraction: 0.5, Ops: 1500, ThinkTicksMax: 10, KeyPrefix: "k"}
		cfg.Faults = Faults{Kinds: []FaultKind{"crash", "partition"}, EveryTicks: 20, DurationTicks: 15}
		c := mustNew(t, cfg)
		c.DiscardEvents(true)
		for k := c.Counters(); k.OpsAttempted < cfg.Workload.Ops || k.OpsSucceeded+k.OpsFailed < k.OpsAttempted; k = c.Counters() {
			c.Tick()
		}
		rep := c.Settle(20000)
		if k := c.Counters(); k.SiblingsMax < 20 {
			t.Errorf("vclock_max %d: at most %d siblings; the test wants many", vclockMax, k.SiblingsMax)
		}
		if len(c.oracle.violations) > 0 {
			t.Fatalf("vclock_max %d: %d violations, first: %s", vclockMax, len(c.oracle.violations), c.oracle.violations[0])
		}
		if vclockMax == 0 && (rep.LostWrites != 0 || c.contextTruncated) {
			t.Errorf("vclock_max 0: %d writes lost, contexts truncated %v", rep.LostWrites, c.contextTruncated)
		}
		if vclockMax > 0 && !c.contextTruncated {
			t.Errorf("vclock_max %d: no context was truncated, so the fold was not exercised", vclockMax)
		}
	}
}
