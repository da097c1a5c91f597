package core

import (
	"strings"
	"testing"
)

// With strict quorums, W+R>N and only crash faults, every read sees every
// write acknowledged before it began.
func TestStrictQuorumHasNoStaleReads(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		cfg := DefaultConfig()
		cfg.Mode = Strict
		cfg.Seed = seed
		cfg.Workload = Workload{Clients: 4, Keys: 5, PutFraction: 0.5, Ops: 400, ThinkTicksMax: 8, KeyPrefix: "k"}
		cfg.Faults = Faults{Kinds: []FaultKind{"crash"}, EveryTicks: 120, DurationTicks: 90}
		c := mustNew(t, cfg)
		c.RunUntil(4000)
		k := c.Counters()
		if k.GetsOK < 50 || k.PutsOK < 50 {
			t.Fatalf("seed %d: too little happened: %+v", seed, k)
		}
		if k.StaleReads != 0 {
			t.Errorf("seed %d: %d stale reads under strict W=2 R=2 N=3", seed, k.StaleReads)
		}
		if rep := c.Settle(5000); !rep.Converged || rep.LostWrites != 0 {
			t.Errorf("seed %d: settle %+v", seed, rep)
		}
	}
}

// W=N: one replica down blocks every write of its keys, with an error that
// says how many acks came.
func TestWriteAllBlocksWithOneReplicaDown(t *testing.T) {
	cfg := quietConfig()
	cfg.Mode = Strict
	cfg.W, cfg.R = 3, 1
	c := mustNew(t, cfg)
	key := keyOwnedBy(t, c, "k", 1, 2, 3)
	mustApply(t, c, Command{Kind: CmdCrash, Node: 3})
	op := waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Node: 0, Key: key, Value: "x"}), 100)
	if op.OK {
		t.Fatalf("put with W=N succeeded with a replica down")
	}
	if !strings.Contains(op.Err, "timed out: 2 of 3 acks (from n1 n2)") {
		t.Errorf("error %q does not say 2 of 3 acks came from n1 n2", op.Err)
	}
	mustApply(t, c, Command{Kind: CmdRestart, Node: 3})
	if op := waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Node: 0, Key: key, Value: "y"}), 100); !op.OK {
		t.Errorf("put after restart failed: %s", op.Err)
	}
}

// A down coordinator fails the client's operation at once.
func TestDownCoordinatorFailsAtOnce(t *testing.T) {
	c := mustNew(t, quietConfig())
	mustApply(t, c, Command{Kind: CmdCrash, Node: 2})
	op := waitOp(t, c, mustApply(t, c, Command{Kind: CmdGet, Node: 2, Key: "k"}), 0)
	if op.OK || op.ReturnTick != op.InvokeTick || !strings.Contains(op.Err, "coordinator n2 is down") {
		t.Errorf("get at a down coordinator: %+v", op)
	}
}

// W=R=1 under a partition: a write acknowledged on one side is not seen by a
// read served on the other.
func TestWeakQuorumReadsStaleUnderPartition(t *testing.T) {
	cfg := quietConfig()
	cfg.Mode = Strict
	cfg.W, cfg.R = 1, 1
	c := mustNew(t, cfg)
	key := keyOwnedBy(t, c, "k", 0, 1, 2)
	mustApply(t, c, Command{Kind: CmdPartition, Groups: [][]NodeID{{0}}})
	if op := waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Node: 0, Key: key, Value: "new"}), 50); !op.OK {
		t.Fatalf("put on the minority side failed: %s", op.Err)
	}
	op := waitOp(t, c, mustApply(t, c, Command{Kind: CmdGet, Node: 1, Key: key}), 50)
	if !op.OK || !op.Stale || len(op.Values) != 0 {
		t.Errorf("get across the partition: %+v, want a successful stale read of nothing", op)
	}
	if c.Counters().StaleReads != 1 {
		t.Errorf("StaleReads = %d, want 1", c.Counters().StaleReads)
	}
}

// The same as a workload: W=R=1 with partitions produces stale reads that
// W=R=2 under crashes never does.
func TestWeakQuorumWorkloadUnderPartitions(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Mode = Strict
	cfg.W, cfg.R = 1, 1
	cfg.Workload = Workload{Clients: 4, Keys: 5, PutFraction: 0.5, Ops: 500, ThinkTicksMax: 8, KeyPrefix: "k"}
	cfg.Faults = Faults{Kinds: []FaultKind{"partition"}, EveryTicks: 150, DurationTicks: 120}
	c := mustNew(t, cfg)
	c.RunUntil(5000)
	if c.Counters().StaleReads == 0 {
		t.Errorf("no stale reads with W=R=1 under partitions: %+v", c.Counters())
	}
}

// Per-request overrides of N, W and R take effect.
func TestRequestOverridesQuorum(t *testing.T) {
	c := mustNew(t, quietConfig())
	key := keyOwnedBy(t, c, "k", 0, 1, 2)
	id := mustApply(t, c, Command{Kind: CmdPut, Node: 3, Key: key, Value: "v", N: 2, W: 2})
	waitOp(t, c, id, 50)
	c.RunUntil(c.Now() + 20)
	v := c.View()
	for n, want := range map[NodeID]int{0: 1, 1: 1, 2: 0} {
		if got := len(storedValues(v, n, key)); got != want {
			t.Errorf("with N=2, n%d stores %d versions, want %d", n, got, want)
		}
	}
}
