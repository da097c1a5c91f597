package explore

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// Random small scenarios with one or two crashes (randomCrashScenario,
// the history properties) get the same answer, with a counterexample of
// the same length, with every reduction as without any: sleep sets, inert
// replies, interchangeable nodes, crashes tried alone only where they
// matter and otherwise with an issue, no delivery to a node that is down.
// None of these scenarios needs a crash to break its property (the
// answers stay the same with no crash tried at all); that no crash that
// matters is left out, TestReductionsReachEveryHistory shows. (Not under
// js/wasm: the same search, four times slower.)
func TestRandomCrashScenariosKeepTheAnswer(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" {
		t.Skip("a search of twenty scenarios twice")
	}
	rng := rand.New(rand.NewPCG(7, 11))
	props := []core.Property{core.PropStale, core.PropRYW, core.PropMonotonic, core.PropSiblings}
	searched, violated := 0, 0
	for tries := 0; searched < 20 && tries < 200; tries++ {
		sc, name, ok := randomCrashScenario(rng, props[rng.IntN(len(props))])
		if !ok {
			continue
		}
		b := Bounds{MaxStates: 150_000}
		reduced, err := New(sc, b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		full, _ := New(sc, b)
		full.setFull()
		r, f := reduced.Run(), full.Run()
		if r.CutBy != "" || f.CutBy != "" {
			continue
		}
		searched++
		if r.Violated {
			violated++
		}
		if r.Violated != f.Violated || r.Exhausted != f.Exhausted {
			t.Errorf("%s: reduced violated %v exhausted %v, full %v %v", name, r.Violated, r.Exhausted, f.Violated, f.Exhausted)
		} else if r.Violated && len(r.Counterexample.Schedule) != len(f.Counterexample.Schedule) {
			t.Errorf("%s: counterexamples of %d and %d steps", name, len(r.Counterexample.Schedule), len(f.Counterexample.Schedule))
		}
	}
	t.Logf("%d scenarios searched whole both ways, %d of them violated", searched, violated)
	if searched < 20 || violated == 0 || violated == searched {
		t.Errorf("%d scenarios searched, %d violated: want 20, some of each", searched, violated)
	}
}

// randomCrashScenario is a small scenario with one or two crashes: strict
// or sloppy, W and R of 1 or 2, read repair on or off, two or three
// operations in turn or concurrent, coordinators pinned or not; and its
// name. Not ok: the script did not parse (a client twice in one group).
func randomCrashScenario(rng *rand.Rand, p core.Property) (Scenario, string, bool) {
	cfg := smallConfig()
	cfg.Nodes = 3
	cfg.W, cfg.R = 1+rng.IntN(2), 1+rng.IntN(2)
	if rng.IntN(3) == 0 {
		cfg.Mode, cfg.Nodes = core.Sloppy, 4
	}
	cfg.ReadRepair = rng.IntN(2) == 0
	script := randomScript(rng, 2+rng.IntN(2), func(int) string {
		if rng.IntN(2) == 0 {
			return fmt.Sprintf("@n%d", rng.IntN(cfg.Nodes))
		}
		return ""
	}, func(int) int { return 1 + rng.IntN(2) })
	parsed, err := ParseScript(script)
	if err != nil {
		return Scenario{}, "", false
	}
	sc := Scenario{Config: cfg, Script: parsed, Property: p, Budget: Budget{Crashes: 1 + rng.IntN(2)}, K: 1}
	name := fmt.Sprintf("%q %v, %v W=%d R=%d, read repair %v, %d crashes", script, p, cfg.Mode, cfg.W, cfg.R, cfg.ReadRepair, sc.Budget.Crashes)
	return sc, name, true
}

// randomScript is a script of ops operations on k, each a put or a get
// at random, joined at random by ";" or "|": operation i pinned as pin(i)
// says ("" or "@nN") and issued by client client(i), each asked in turn.
func randomScript(rng *rand.Rand, ops int, pin func(i int) string, client func(i int) int) string {
	script := ""
	for i := range ops {
		if i > 0 {
			script += []string{" ; ", " | "}[rng.IntN(2)]
		}
		at := pin(i)
		if rng.IntN(2) == 0 {
			script += fmt.Sprintf("c%d%s: put k v%d", client(i), at, i)
		} else {
			script += fmt.Sprintf("c%d%s: get k", client(i), at)
		}
	}
	return script
}

// Every reduction keeps the histories: random small scenarios with crashes,
// searched whole with every reduction and without any, reach the same
// final histories, as the properties see them (each operation's client,
// kind, value written or values read, success and staleness, and which
// returned before which began; not the nodes' names, which the reduced
// search takes up to renamings), each first by a schedule of the same
// length. Unlike comparing verdicts, this shows that no history a crash
// gives is left out, whether or not a property breaks on it, and that
// the shortest schedule to each is still found. (The property asked for
// is one no such scenario breaks, so that both searches go to the end.)
// Random scenarios (a third with a drop, a third with a partition too),
// one that needs a restart taken with a delivery, and one whose writers are
// alike.
func TestReductionsReachEveryHistory(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" {
		t.Skip("a search of thirteen scenarios twice")
	}
	crashed := 0
	compare := func(sc Scenario, name string) bool {
		full, ok := sameFinalHistories(t, sc, name)
		for h := range full {
			if ok && strings.Contains(h, "failed at once") {
				crashed++
			}
		}
		return ok
	}
	// A history only a restart taken with a delivery gives: c2's get fails
	// at once at the crashed n0, and c3's put, issued after, needs n0's
	// answer (W=3).
	all := smallConfig()
	all.Nodes, all.W, all.R = 3, 3, 1
	if !compare(Scenario{Config: all, Script: mustScript(t, "c1@n0: put k v1 ; c2@n0: get k ; c3@n1: put k v2"), Budget: Budget{Crashes: 1}},
		"a restart for a delivery") {
		t.Fatal("the search was cut")
	}
	// Alike clients: the reduced search meets one of each pair of
	// histories that differ only in which writer is which, the full one
	// both (historiesUpTo).
	_, weak := threeNodes()
	if !compare(Scenario{Config: weak, Script: mustScript(t, "c1@n0: put k v1 | c2@n0: put k v2 ; c3@n1: get k"), Budget: Budget{Crashes: 1}},
		"alike writers") {
		t.Fatal("the search was cut")
	}
	rng := rand.New(rand.NewPCG(3, 5))
	searched := 0
	for tries := 0; searched < 12 && tries < 200; tries++ {
		sc, name, ok := randomCrashScenario(rng, core.PropSiblings)
		if !ok {
			continue
		}
		switch searched % 3 { // a third with a drop, a third with a partition
		case 1:
			sc.Budget.Drops = 1
			name += ", 1 drop"
		case 2:
			sc.Budget.Partitions = 1
			name += ", 1 partition"
		}
		if compare(sc, name) {
			searched++
		}
	}
	if searched < 12 || crashed == 0 {
		t.Errorf("%d random scenarios searched whole, %d histories with an operation failed at a crashed node: want 12, some", searched, crashed)
	}
}

// sameFinalHistories searches sc whole with every reduction and without
// any, for a property no such scenario breaks, and reports an error for
// each final history one reaches and the other does not, or first by a
// schedule of another length. It returns the full search's histories, and
// false if either search was cut.
func sameFinalHistories(t *testing.T, sc Scenario, name string) (map[string]int, bool) {
	t.Helper()
	return sameFinalHistoriesReading(t, sc, name, core.RealTimeAll.Reads)
}

// sameFinalHistoriesReading is sameFinalHistories with each history
// written keeping of real time what reads says (writeHistory).
func sameFinalHistoriesReading(t *testing.T, sc Scenario, name string, reads func(a, b *core.Op) bool) (map[string]int, bool) {
	t.Helper()
	sc.Property, sc.K = core.PropSiblings, MaxOps // never more siblings than writes
	write := historiesUpTo(sc.Script, reads)
	reduced, r := finalHistoriesAs(t, sc, false, write)
	full, f := finalHistoriesAs(t, sc, true, write)
	if r.CutBy != "" || f.CutBy != "" {
		return full, false
	}
	if r.Violated || f.Violated {
		t.Fatalf("%s: violated: %+v %+v", name, r, f)
	}
	sameHistories(t, name, reduced, full)
	t.Logf("%s: %d histories, %d states reduced, %d full", name, len(full), r.DistinctStates, f.DistinctStates)
	return full, true
}

// sameHistories reports an error (the first three) for each final history
// the full search reached and the reduced one did not, or first at another
// depth, and for each only the reduced one reached.
func sameHistories(t *testing.T, name string, reduced, full map[string]int) {
	t.Helper()
	wrong := 0
	for h, d := range full {
		if rd, ok := reduced[h]; !ok || rd != d {
			if wrong++; wrong <= 3 {
				t.Errorf("%s: a history the full search reaches in %d steps, the reduced one in %d (0: never):\n%s", name, d, rd, h)
			}
		}
	}
	for h, d := range reduced {
		if _, ok := full[h]; !ok {
			if wrong++; wrong <= 3 {
				t.Errorf("%s: a history only the reduced search reached, in %d steps:\n%s", name, d, h)
			}
		}
	}
}

// finalHistories searches sc, with or without the reductions, and returns
// the final histories it met, each written as the properties see it, up to
// the relabelings of alike clients (historiesUpTo), with the length of the
// shortest schedule to it.
func finalHistories(t *testing.T, sc Scenario, full bool) (map[string]int, Report) {
	t.Helper()
	return finalHistoriesAs(t, sc, full, historiesUpTo(sc.Script, core.RealTimeAll.Reads))
}

// historiesUpTo writes a history as writeHistory(reads) does, as the least of
// its relabelings by the script's alike clients (relabelings): the reduced
// search meets one of a history and its relabeled image (the same up to
// which client is which), the full one both.
func historiesUpTo(script Script, reads func(a, b *core.Op) bool) func([]core.Op) string {
	rels, _, _ := relabelings(script)
	return func(h []core.Op) string {
		least := writeHistory(h, reads)
		for _, r := range rels {
			least = min(least, writeHistory(relabeled(h, r), reads))
		}
		return least
	}
}

// finalHistoriesAs is finalHistories with each history written by write.
// The reduced search's digests keep every "returned before began", as
// historyAsSeen writes it, not only what the property reads
// (TestDigestsKeepWhatThePropertyReads).
func finalHistoriesAs(t *testing.T, sc Scenario, full bool, write func([]core.Op) string) (map[string]int, Report) {
	t.Helper()
	return finalHistoriesKeeping(t, sc, full, core.RealTimeAll, write)
}

// finalHistoriesKeeping is finalHistoriesAs with the reduced search's
// digests keeping rt of real time.
func finalHistoriesKeeping(t *testing.T, sc Scenario, full bool, rt core.RealTime, write func([]core.Op) string) (map[string]int, Report) {
	t.Helper()
	return finalHistoriesOf(t, sc, full, rt, write, nil)
}

// finalHistoriesOf is finalHistoriesKeeping with the search set by tweak
// (if not nil) before it starts.
func finalHistoriesOf(t *testing.T, sc Scenario, full bool, rt core.RealTime, write func([]core.Op) string, tweak func(*Search)) (map[string]int, Report) {
	t.Helper()
	s, err := New(sc, Bounds{MaxStates: 150_000})
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(s)
	}
	if full {
		s.setFull()
	} else {
		s.digestRealTime(rt)
	}
	// A failure at once and one by a timeout are one history to the
	// properties (admitFinal), not to historyAsSeen.
	s.wholeFinals = true
	out := map[string]int{}
	s.onFinal = func(c *core.Cluster, depth int) {
		h := write(c.History())
		if d, ok := out[h]; !ok || depth < d {
			out[h] = depth
		}
	}
	return out, s.Run()
}

// historyAsSeen writes a history without node names or ticks: each
// operation (by client, and a client's in turn), and which returned before
// which began, the real-time order the properties use (two invocations or
// two returns in either order are the same history to them, and a failed
// operation's return to none).
func historyAsSeen(h []core.Op) string { return historyRead(core.RealTimeAll)(h) }

// historyRead writes a history as historyAsSeen does, with only the pairs
// rt reads of which returned before which began.
func historyRead(rt core.RealTime) func([]core.Op) string {
	return func(h []core.Op) string { return writeHistory(h, rt.Reads) }
}

// writeHistory writes a history as historyAsSeen does, keeping of which
// returned before which began the pairs reads says (RealTime.Reads, or
// stricter or looser than any property).
func writeHistory(h []core.Op, reads func(a, b *core.Op) bool) string {
	// Whether a get is stale is a matter of real time too: of when the
	// puts of its key returned.
	stale := reads(&core.Op{Kind: core.OpPut, Key: "k"}, &core.Op{Client: 1, Kind: core.OpGet, Key: "k"})
	h = slices.Clone(h)
	slices.SortFunc(h, func(a, b core.Op) int {
		return cmp.Or(cmp.Compare(a.Client, b.Client), cmp.Compare(a.InvokeTick, b.InvokeTick))
	})
	var b strings.Builder
	for i, op := range h {
		vals := slices.Clone(op.Values)
		slices.Sort(vals)
		fmt.Fprintf(&b, "%d: c%d %v %s %s%v ok %v stale %v, after", i, op.Client, op.Kind, op.Key, op.Value, vals, op.OK, op.Stale && stale)
		for j, x := range h {
			// (A failure's time is read by no property: deferTimeouts.)
			if x.OK && x.ReturnTick >= 0 && x.ReturnTick < op.InvokeTick && reads(&x, &op) {
				fmt.Fprintf(&b, " %d", j)
			}
		}
		if !op.OK && op.InvokeTick == op.ReturnTick {
			b.WriteString(" (failed at once)")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Once every operation was issued and no node coordinates two waiting
// requests, a crash is never a choice again (crashesSpent): a state with
// its crash left is told as the one that used it. Before that, or with two
// requests waiting at one node (a crash there fails both in one step), or
// under the lost write (which tries every crash), the two stay apart.
func TestACrashThatCanNoLongerMatterIsNotTold(t *testing.T) {
	cfg := smallConfig()
	cfg.Nodes = 3
	digests := func(p core.Property, script string, at []core.NodeID) (left, used uint64) {
		t.Helper()
		sc := Scenario{Config: cfg, Script: mustScript(t, script), Property: p, Budget: Budget{Crashes: 1}}
		s, err := New(sc, Bounds{})
		if err != nil {
			t.Fatal(err)
		}
		st := &state{c: s.root.Clone()}
		for i, n := range at {
			st.reqs[i] = apply(st.c, choice{cmd: s.issue(i, n), op: i})
		}
		st.spent = s.crashesSpent(st)
		left = s.with(st, 1)
		st.crashes = 1
		st.spent = s.crashesSpent(st)
		return left, s.with(st, 1)
	}
	for _, tc := range []struct {
		name   string
		p      core.Property
		script string
		at     []core.NodeID
		one    bool
	}{
		{"both issued, at two nodes", core.PropStale, "c1: put k v1 | c2: get k", []core.NodeID{0, 1}, true},
		{"both issued, at one node", core.PropStale, "c1: put k v1 | c2: get k", []core.NodeID{0, 0}, false},
		{"one not issued", core.PropStale, "c1: put k v1 | c2: get k", []core.NodeID{0}, false},
		{"the lost write", core.PropLost, "c1: put k v1 | c2: put k v2", []core.NodeID{0, 1}, false},
	} {
		left, used := digests(tc.p, tc.script, tc.at)
		if (left == used) != tc.one {
			t.Errorf("%s: a crash left and one used told as one state: %v, want %v", tc.name, left == used, tc.one)
		}
	}
}
