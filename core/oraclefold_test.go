package core

import (
	"slices"
	"strings"
	"testing"
)

// foldRunConfig is a contended run with every fault, under the given
// versioning: many stale reads, failed puts (gaps in the acknowledged
// dots) and, under last-write-wins, lost writes.
func foldRunConfig(v Versioning, seed uint64) Config {
	cfg := DefaultConfig()
	cfg.Seed = seed
	cfg.W, cfg.R = 1, 1
	cfg.Versioning = v
	cfg.Workload = Workload{Clients: 6, Keys: 4, PutFraction: 0.5, ThinkTicksMax: 6, KeyPrefix: "k"}
	cfg.Faults = Faults{Kinds: []FaultKind{"crash", "partition", "loss", "skew"}, EveryTicks: 150, DurationTicks: 60}
	return cfg
}

// TestOracleFoldIsExact runs the same faulty runs with the oracle folding
// and without: the stale reads, the per-operation verdicts and the lost
// writes at the end must be identical.
func TestOracleFoldIsExact(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    Versioning
		seed uint64
	}{{"vector clocks", VectorClocks, 3}, {"last write wins", LWW, 4}} {
		t.Run(tc.name, func(t *testing.T) {
			folded := mustNew(t, foldRunConfig(tc.v, tc.seed))
			whole := mustNew(t, foldRunConfig(tc.v, tc.seed))
			whole.oracle.noFold = true
			folded.RunUntil(8000)
			whole.RunUntil(8000)
			fr, wr := folded.Settle(5000), whole.Settle(5000)
			if folded.Counters().StaleReads == 0 {
				t.Fatal("the run has no stale reads: it tests nothing")
			}
			if tc.v == LWW && wr.LostWrites == 0 {
				t.Fatal("the run has no lost writes: it tests nothing")
			}
			if a, b := folded.Counters(), whole.Counters(); a.StaleReads != b.StaleReads {
				t.Errorf("stale reads: %d folded, %d whole", a.StaleReads, b.StaleReads)
			}
			if !slices.EqualFunc(folded.History(), whole.History(), func(a, b Op) bool { return a.Stale == b.Stale }) {
				t.Error("the operations marked stale differ")
			}
			if !slices.Equal(fr.Lost, wr.Lost) {
				t.Errorf("lost writes differ: %d folded, %d whole", len(fr.Lost), len(wr.Lost))
			}
			if folded.oracle.gapsFilled != 0 {
				t.Errorf("%d gaps filled: the comparison is not of exact sets", folded.oracle.gapsFilled)
			}
		})
	}
}

// unfoldedDots counts the acknowledged dots the oracle keeps one by one.
func unfoldedDots(o *oracle) (n int) {
	for _, a := range o.keys {
		for _, ds := range a.byNode {
			n += len(ds)
		}
	}
	return n
}

// TestOracleStaysSmall: the dots kept one by one stay a few per key and
// coordinator however long the run, and ForgetBefore drops the history and
// the put values before the window while the verdicts stay.
func TestOracleStaysSmall(t *testing.T) {
	c := mustNew(t, foldRunConfig(VectorClocks, 5))
	c.RunUntil(12000)
	keys, nodes := 4, c.cfg.Nodes
	if got, bound := unfoldedDots(&c.oracle), keys*nodes*(foldAfter+8); got > bound {
		t.Errorf("%d acknowledged dots kept one by one after 12,000 ticks, want at most %d", got, bound)
	}
	stale := c.Counters().StaleReads
	ops := c.history.len()
	c.ForgetBefore(c.Now() - 1000)
	if c.HistoryFrom() != c.Now()-1000 {
		t.Errorf("HistoryFrom = %d, want %d", c.HistoryFrom(), c.Now()-1000)
	}
	h := c.History()
	if len(h) == 0 || len(h) > ops/4 {
		t.Errorf("History keeps %d of %d operations after forgetting all but 1,000 of 12,000 ticks", len(h), ops)
	}
	if cap(h) != len(h) {
		// The copy is sized by what is kept, not by the whole run: sized
		// by the run, a long run's every copy grew with its length.
		t.Errorf("History's copy holds %d operations in room for %d", len(h), cap(h))
	}
	if c.HistoryForgotten()+len(h) != ops {
		t.Errorf("forgotten %d + kept %d != %d operations", c.HistoryForgotten(), len(h), ops)
	}
	if c.oracle.puts.first() == 0 {
		t.Error("no acknowledged put value was forgotten")
	}
	if c.Counters().StaleReads != stale {
		t.Error("forgetting changed the counters")
	}
	// The run goes on normally: requests pending across the cut complete.
	c.RunUntil(c.Now() + 2000)
	if c.Counters().OpsSucceeded == 0 {
		t.Fatal("no operation succeeded")
	}
}

// TestForgetKeepsWhatTheWindowNeeds: every operation that returned at or
// after HistoryFrom, or is pending, is still in History, with the same
// content as in a run that forgot nothing.
func TestForgetKeepsWhatTheWindowNeeds(t *testing.T) {
	a := mustNew(t, foldRunConfig(LWW, 6))
	b := mustNew(t, foldRunConfig(LWW, 6))
	for tick := int64(2000); tick <= 12000; tick += 2000 {
		a.RunUntil(tick)
		b.RunUntil(tick)
		a.ForgetBefore(tick - 1500)
	}
	if a.Digest() != b.Digest() {
		t.Fatal("forgetting changed the run")
	}
	kept := map[RequestID]Op{}
	for _, op := range a.History() {
		kept[op.Request] = op
	}
	for _, op := range b.History() {
		if op.ReturnTick >= 0 && op.ReturnTick < a.HistoryFrom() {
			continue
		}
		got, ok := kept[op.Request]
		if !ok {
			t.Fatalf("operation %d (returned at %d) is missing from the window from %d", op.Request, op.ReturnTick, a.HistoryFrom())
		}
		if got.ReturnTick != op.ReturnTick || got.OK != op.OK || !slices.Equal(got.Values, op.Values) {
			t.Fatalf("operation %d differs: %+v, want %+v", op.Request, got, op)
		}
	}
	ra, rb := a.Settle(5000), b.Settle(5000)
	if ra.LostWrites != rb.LostWrites || ra.LostWrites == 0 {
		t.Fatalf("lost writes %d with forgetting, %d without (want equal and some)", ra.LostWrites, rb.LostWrites)
	}
}

// TestLostWriteOpsAreTheLostPuts: in a run that loses writes, LostWriteOps
// names each lost write Settle counts, at the put in the history that
// wrote it, in history order.
func TestLostWriteOpsAreTheLostPuts(t *testing.T) {
	c := mustNew(t, foldRunConfig(LWW, 4))
	c.RunUntil(8000)
	rep := c.Settle(5000)
	if rep.LostWrites == 0 {
		t.Fatal("the run has no lost writes: it tests nothing")
	}
	lws := c.LostWriteOps()
	var names []string
	h := c.History()
	for i, lw := range lws {
		op := h[lw.Op]
		if op.Kind != OpPut || !op.OK {
			t.Fatalf("lost write %s points at %+v, not an acknowledged put", lw.Name, op)
		}
		if want := op.Key + "=" + op.Value + " ("; !strings.HasPrefix(lw.Name, want) {
			t.Errorf("lost write %s points at the put %s=%s", lw.Name, op.Key, op.Value)
		}
		if i > 0 && lw.Op <= lws[i-1].Op {
			t.Errorf("not in history order: %d after %d", lw.Op, lws[i-1].Op)
		}
		names = append(names, lw.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, rep.Lost) {
		t.Errorf("LostWriteOps names %v, Settle %v", names, rep.Lost)
	}
	// WriteLost says the same of each operation, one at a time.
	lost := map[RequestID]bool{}
	for _, lw := range lws {
		lost[lw.Request] = true
	}
	for _, op := range h {
		if got := c.WriteLost(op.Request); got != lost[op.Request] {
			t.Fatalf("WriteLost(%d) = %v, LostWriteOps says %v (%+v)", op.Request, got, lost[op.Request], op)
		}
	}
}

// Mid-run, under sloppy quorums and partitions, a put that reached only
// stand-ins is not lost while a hint keeps it: WriteLost is LostWriteOps
// less the puts a hint still holds, and there are some.
func TestWriteLostSparesWhatHintsHold(t *testing.T) {
	cfg := foldRunConfig(VectorClocks, 7)
	cfg.Mode = Sloppy
	cfg.W, cfg.R = 2, 2
	cfg.Faults.Kinds = []FaultKind{"partition"}
	c := mustNew(t, cfg)
	spared := 0
	for tick := int64(500); tick <= 8000; tick += 250 {
		c.RunUntil(tick)
		lost := map[RequestID]bool{}
		for _, lw := range c.LostWriteOps() {
			lost[lw.Request] = true
			if !c.WriteLost(lw.Request) {
				spared++
			}
		}
		for _, op := range c.History() {
			if c.WriteLost(op.Request) && !lost[op.Request] {
				t.Fatalf("tick %d: WriteLost(%d) but LostWriteOps does not have it", tick, op.Request)
			}
		}
	}
	if spared == 0 {
		t.Fatal("no put was on stand-ins alone at any tick looked at: the test tests nothing")
	}
	t.Logf("%d times a put was on no replica but in a hint", spared)
}
