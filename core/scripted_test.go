package core

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func scriptedConfig() Config {
	cfg := quietConfig()
	cfg.Scripted = true
	return cfg
}

// heldTo finds the held message of a kind to a node.
func heldTo(t *testing.T, c *Cluster, kind MsgKind, to NodeID) uint64 {
	t.Helper()
	for _, m := range c.Held() {
		if m.Kind == kind && m.To == to {
			return m.ID
		}
	}
	t.Fatalf("no held %v message to %v in %+v", kind, to, c.Held())
	return 0
}

// In a scripted run a message waits, whatever the time, until a command
// delivers it; the run replays from its recorded commands to the same
// digest.
func TestScriptedMessagesWaitForCommands(t *testing.T) {
	cfg := scriptedConfig()
	c := mustNew(t, cfg)
	key := keyOwnedBy(t, c, "k", 0, 1, 2)
	id := mustApply(t, c, Command{Kind: CmdPut, Client: 1, Node: 3, Key: key, Value: "a"})
	c.RunUntil(c.Now() + 500) // far past every latency and the timeout
	if op, _ := c.Op(id); op.ReturnTick >= 0 {
		t.Fatalf("the put returned without any delivery: %+v", op)
	}
	if got := len(c.Held()); got != 3 {
		t.Fatalf("%d messages held, want the 3 put requests", got)
	}
	if len(c.View().InFlight) != 3 {
		t.Errorf("the view shows %d messages in flight, want the 3 held", len(c.View().InFlight))
	}
	c.Tick()
	mustApply(t, c, Command{Kind: CmdDeliver, Msg: heldTo(t, c, MsgPutReq, 0)})
	c.Tick()
	mustApply(t, c, Command{Kind: CmdDrop, Msg: heldTo(t, c, MsgPutReq, 1)})
	c.Tick()
	mustApply(t, c, Command{Kind: CmdDeliver, Msg: heldTo(t, c, MsgPutAck, 3)})
	if op, _ := c.Op(id); op.OK {
		t.Fatalf("the put succeeded with 1 ack of W=2: %+v", op)
	}
	c.Tick()
	mustApply(t, c, Command{Kind: CmdTimeout, Request: id})
	op, _ := c.Op(id)
	if op.OK || !strings.Contains(op.Err, "timed out: 1 of 2 acks") {
		t.Errorf("after the timeout command: %+v", op)
	}
	r, err := Replay(cfg, c.Recorded(), c.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r.Digest() != c.Digest() {
		t.Errorf("the replay's digest differs")
	}
}

// Scripted commands are refused where they make no sense, with a message
// that says why.
func TestScriptedCommandsValidate(t *testing.T) {
	plain := mustNew(t, quietConfig())
	if _, err := plain.Apply(Command{Kind: CmdDeliver, Msg: 1}); err == nil || !strings.Contains(err.Error(), "only a scripted run") {
		t.Errorf("deliver in an ordinary run: %v", err)
	}
	c := mustNew(t, scriptedConfig())
	for _, tc := range []struct {
		cmd  Command
		want string
	}{
		{Command{Kind: CmdDeliver, Msg: 99}, "message 99 is not in flight"},
		{Command{Kind: CmdDrop, Msg: 0}, "not in flight"},
		{Command{Kind: CmdTimeout, Request: 5}, "request 5 is not pending"},
	} {
		if _, err := c.Apply(tc.cmd); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.cmd, err, tc.want)
		}
	}
	id := mustApply(t, c, Command{Kind: CmdGet, Node: 0, Key: "k"})
	cfgStrict := scriptedConfig()
	cfgStrict.Mode = Strict
	s := mustNew(t, cfgStrict)
	sid := mustApply(t, s, Command{Kind: CmdGet, Node: 0, Key: "k"})
	if _, err := s.Apply(Command{Kind: CmdTimeout, Request: sid, Param: "half"}); err == nil {
		t.Errorf("a half-timeout was accepted under strict quorums")
	}
	if _, err := c.Apply(Command{Kind: CmdTimeout, Request: id, Param: "quarter"}); err == nil {
		t.Errorf("an unknown timer was accepted")
	}
	bad := scriptedConfig()
	bad.Workload = Workload{Clients: 1, Keys: 1, ThinkTicksMax: 1}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "scripted") {
		t.Errorf("a scripted config with a workload: %v", err)
	}
	if _, err := c.Apply(Command{Kind: CmdSet, Param: "loss", Num: 0.5}); err == nil {
		t.Errorf("random loss was accepted in a scripted run")
	}
}

// Settle ends scripted mode: what was held is delivered and the cluster
// converges.
func TestScriptedSettleReleasesEverything(t *testing.T) {
	c := mustNew(t, scriptedConfig())
	key := keyOwnedBy(t, c, "k", 0, 1, 2)
	id := mustApply(t, c, Command{Kind: CmdPut, Client: 1, Node: 3, Key: key, Value: "a"})
	rep := c.Settle(2000)
	if !rep.Converged || len(c.Held()) != 0 || c.Config().Scripted {
		t.Errorf("settle: %+v, %d held, scripted=%v", rep, len(c.Held()), c.Config().Scripted)
	}
	if op, _ := c.Op(id); !op.OK {
		t.Errorf("the put did not complete once released: %+v", op)
	}
	for _, n := range []NodeID{0, 1, 2} {
		if got := storedValues(c.View(), n, key); len(got) != 1 {
			t.Errorf("%v stores %v", n, got)
		}
	}
}

// Deliveries to different nodes commute: both orders reach states with
// the same hash (though the messages they send get other ids), and a
// different outcome has another hash.
func TestStateHashMergesCommutingDeliveries(t *testing.T) {
	c := mustNew(t, scriptedConfig())
	key := keyOwnedBy(t, c, "k", 0, 1, 2)
	mustApply(t, c, Command{Kind: CmdPut, Client: 1, Node: 3, Key: key, Value: "a"})
	m0, m1 := heldTo(t, c, MsgPutReq, 0), heldTo(t, c, MsgPutReq, 1)
	a, b := c.Clone(), c.Clone()
	mustApply(t, a, Command{Kind: CmdDeliver, Msg: m0})
	mustApply(t, a, Command{Kind: CmdDeliver, Msg: m1})
	mustApply(t, b, Command{Kind: CmdDeliver, Msg: m1})
	mustApply(t, b, Command{Kind: CmdDeliver, Msg: m0})
	if a.StateHash() != b.StateHash() {
		t.Errorf("two orders of independent deliveries hash differently")
	}
	d := c.Clone()
	mustApply(t, d, Command{Kind: CmdDeliver, Msg: m0})
	mustApply(t, d, Command{Kind: CmdDrop, Msg: m1})
	if d.StateHash() == a.StateHash() {
		t.Errorf("a dropped message left the same hash as a delivered one")
	}
	if c.StateHash() == a.StateHash() {
		t.Errorf("deliveries did not change the hash")
	}
}

// A cluster that skips its digest and its record of commands (a search's)
// runs and clones as one that keeps them: the same state after the same
// commands, the same events counted; its Digest is "" and Recorded lists
// only the commands before SkipRecording.
func TestSkipDigestChangesNothingButTheDigest(t *testing.T) {
	cfg := scriptedConfig()
	with, without := mustNew(t, cfg), mustNew(t, cfg)
	without.SkipDigest()
	without.SkipRecording()
	key := keyOwnedBy(t, with, "k", 0, 1, 2)
	for _, c := range []*Cluster{with, without} {
		mustApply(t, c, Command{Kind: CmdPut, Client: 1, Node: 3, Key: key, Value: "a"})
		c.Tick()
		mustApply(t, c, Command{Kind: CmdDeliver, Msg: heldTo(t, c, MsgPutReq, 0)})
	}
	clone := without.Clone()
	for _, c := range []*Cluster{with, without, clone} {
		c.Tick()
		mustApply(t, c, Command{Kind: CmdDeliver, Msg: heldTo(t, c, MsgPutAck, 3)})
	}
	if with.StateHash() != without.StateHash() || with.StateHash() != clone.StateHash() {
		t.Error("skipping the digest changed the state")
	}
	if with.Counters().Events != without.Counters().Events || with.Counters().Events != clone.Counters().Events {
		t.Errorf("events counted: %d, %d, %d", with.Counters().Events, without.Counters().Events, clone.Counters().Events)
	}
	if without.Digest() != "" || clone.Digest() != "" || with.Digest() == "" {
		t.Errorf("digests %q, %q, %q", with.Digest(), without.Digest(), clone.Digest())
	}
	if len(with.Recorded()) != 3 || len(without.Recorded()) != 0 || len(clone.Recorded()) != 0 {
		t.Errorf("recorded %d, %d, %d commands", len(with.Recorded()), len(without.Recorded()), len(clone.Recorded()))
	}
}

// The state hash keeps each node's digest until the node next changes:
// after every step of random scripted runs (strict and sloppy, vector
// clocks and last-write-wins, clones taking steps of their own) it equals
// the hash computed afresh.
func TestStateHashKeptNodeDigestsAreCurrent(t *testing.T) {
	for _, v := range []Versioning{VectorClocks, LWW} {
		for _, mode := range []Mode{Strict, Sloppy} {
			cfg := scriptedConfig()
			cfg.Mode, cfg.Versioning = mode, v
			randomClonedRun(t, cfg, uint64(mode)+2*uint64(v), 9, 300, func(step int, c *Cluster) {
				if got, want := c.StateHash(), afresh(c.StateHash); got != want {
					t.Fatalf("%v %v, step %d: kept %x, afresh %x", v, mode, step, got, want)
				}
			})
		}
	}
}

// afresh is f with no digest kept on nodes: every one computed anew.
func afresh(f func() uint64) uint64 {
	keepNodeHashes = false
	defer func() { keepNodeHashes = true }()
	return f()
}

// randomClonedRun takes steps random scripted commands on a cluster of
// cfg (seeded by a and b), going on from a clone of the cluster one step
// in three, and calls check after each.
func randomClonedRun(t *testing.T, cfg Config, a, b uint64, steps int, check func(step int, c *Cluster)) {
	t.Helper()
	c := mustNew(t, cfg)
	rng := rand.New(rand.NewPCG(a, b))
	value := 0
	for step := range steps {
		if rng.IntN(3) == 0 {
			c = c.Clone()
		}
		c.Tick()
		c.Apply(randomScriptedCommand(rng, c, &value))
		check(step, c)
	}
}

// dataOf describes what a scripted run can still act on, leaving out the
// bookkeeping of answered requests: the history, each node's data and
// counters, the requests still pending, and the held messages but the
// inert ones (an inert message's delivery may send another: a dead write
// its ack).
func dataOf(c *Cluster, without uint64) string {
	var b strings.Builder
	for _, op := range c.History() {
		fmt.Fprintf(&b, "op %d %v %s %s ok=%v returned=%v read=%s\n", op.Client, op.Kind, op.Key, op.Value, op.OK, op.ReturnTick >= 0, describeSet(op.Key, op.read))
	}
	for _, n := range c.nodes {
		fmt.Fprintf(&b, "%v up=%v\n", n.id, n.up)
		for _, k := range n.sortedKeys() {
			fmt.Fprintf(&b, " key %s %s\n", k, describeSet(k, n.store[k].versions))
		}
		for _, hk := range n.sortedHints() {
			fmt.Fprintf(&b, " hint %s for %v %s\n", hk.key, hk.owner, describeSet(hk.key, n.hints[hk].versions))
		}
		for _, k := range sortedKeysOf(n.counters) {
			fmt.Fprintf(&b, " counter %s %d\n", k, n.counters[k])
		}
		for _, id := range n.sortedRequestIDs() {
			if r := n.requests.get(id); !r.done {
				fmt.Fprintf(&b, " request %d reached=%v acks=%d replies=%d upToDate=%d targets=%+v\n", id, r.reached, r.acks, r.replies, r.upToDate, r.targets)
			}
		}
	}
	for i, m := range c.held {
		if m.id != without && !c.inertAt(i) {
			fmt.Fprintf(&b, "held %d %v %v->%v req %d %s\n", m.id, m.kind, m.from, m.to, m.req, describeSet(m.key, m.versions))
		}
	}
	return b.String()
}

// An inert message (Inert) is one whose delivery changes nothing the run
// can still act on: delivered, the history, the nodes' data, the pending
// requests and the other held messages are as they were; it stays inert
// whatever happens next; and the state hash does not see it.
func TestInertMessagesChangeNothing(t *testing.T) {
	kinds := map[MsgKind]int{}
	eachQuorumMode(func(cfg Config) {
		mode, repair := cfg.Mode, cfg.ReadRepair
		c := mustNew(t, cfg)
		rng := rand.New(rand.NewPCG(uint64(mode), 11))
		value := 0
		inert := map[uint64]bool{}
		for step := range 600 {
			for _, m := range c.Held() {
				if inert[m.ID] && !c.Inert(m.ID) {
					t.Fatalf("%v repair=%v, step %d: message %+v was inert and is not any more", mode, repair, step, m)
				}
				if !c.Inert(m.ID) {
					continue
				}
				inert[m.ID] = true
				kinds[m.Kind]++
				before := dataOf(c, m.ID)
				d, e := c.Clone(), c.Clone()
				d.Tick()
				e.Tick()
				d.Apply(Command{Kind: CmdDeliver, Msg: m.ID})
				if got := dataOf(d, 0); got != before {
					t.Fatalf("%v repair=%v, step %d: delivering inert %+v changed:\n%s", mode, repair, step, m, firstDiff(before, got))
				}
				if m.Kind != MsgGetResp && d.StateHash() != e.StateHash() {
					t.Fatalf("%v repair=%v, step %d: delivering inert %+v changed the state hash", mode, repair, step, m)
				}
			}
			c.Tick()
			c.Apply(randomScriptedCommand(rng, c, &value))
		}
	})
	// (A put's dead straggler is rare in these runs: TestDeadWritesChangeNothing.)
	for _, k := range []MsgKind{MsgPutAck, MsgGetResp, MsgRepairAck, MsgGetReq, MsgRepair} {
		if kinds[k] == 0 {
			t.Errorf("no inert %v message was tried: %v", k, kinds)
		}
	}
	t.Logf("inert messages tried: %v", kinds)
}

// HistoryHash reads what the properties read and nothing else: states
// with one history that differ in what a node holds share it; a put whose
// version has another dot (the same value, written via another replica)
// does not, nor a get that read something else.
func TestHistoryHashIsTheHistorys(t *testing.T) {
	cfg := scriptedConfig()
	// run issues the commands in turn, each delivered (the newest held
	// message first) until it returns.
	run := func(key string, cmds ...Command) *Cluster {
		c := mustNew(t, cfg)
		for _, cmd := range cmds {
			cmd.Key = key
			id := mustApply(t, c, cmd)
			for op, _ := c.Op(id); op.ReturnTick < 0; op, _ = c.Op(id) {
				c.Tick()
				held := c.Held()
				mustApply(t, c, Command{Kind: CmdDeliver, Msg: held[len(held)-1].ID})
			}
			c.Tick()
		}
		return c
	}
	key := keyOwnedBy(t, mustNew(t, cfg), "k", 0, 1, 2)
	putVia := func(n NodeID) Command { return Command{Kind: CmdPut, Client: 1, Node: n, Value: "a"} }
	get := Command{Kind: CmdGet, Client: 2, Node: 0}

	a := run(key, putVia(0))
	if len(a.Held()) == 0 {
		t.Fatal("nothing left in flight to deliver")
	}
	b := a.Clone()
	b.Tick()
	mustApply(t, b, Command{Kind: CmdDeliver, Msg: heldTo(t, b, MsgPutReq, 1)})
	if a.StateHash() == b.StateHash() {
		t.Fatal("a delivery after the return changed nothing")
	}
	if a.HistoryHash() != b.HistoryHash() {
		t.Errorf("one history, two digests (a delivery after the last return)")
	}
	if x := run(key, putVia(1)); x.HistoryHash() == a.HistoryHash() {
		t.Errorf("a put written via n1 has the digest of one via n0: %+v %+v", x.History(), a.History())
	}
	g0, g1 := run(key, get, putVia(0)), run(key, putVia(0), get)
	if g0.HistoryHash() == g1.HistoryHash() {
		t.Errorf("a get before the put and one after it share a digest")
	}
}

// Returned tells, without copying the operation, what Op's ReturnTick does.
func TestReturnedIsOpsReturn(t *testing.T) {
	c := mustNew(t, scriptedConfig())
	key := keyOwnedBy(t, c, "k", 0, 1, 2)
	id := mustApply(t, c, Command{Kind: CmdPut, Client: 1, Node: 0, Key: key, Value: "a"})
	for step := 0; ; step++ {
		op, ok := c.Op(id)
		if got := c.Returned(id); !ok || got != (op.ReturnTick >= 0) {
			t.Fatalf("step %d: Returned %v, Op %+v (kept %v)", step, got, op, ok)
		}
		if op.ReturnTick >= 0 {
			break
		}
		held := c.Held()
		c.Tick()
		mustApply(t, c, Command{Kind: CmdDeliver, Msg: held[len(held)-1].ID})
	}
	if c.Returned(0) || c.Returned(id+1) {
		t.Errorf("Returned of a request never made")
	}
}

// A replica write whose request is answered is dead (Inert) once the
// replica holds what it carries: a put's straggler after a read repair
// brought the same version, and the repair after the straggler arrived.
// Until then it is not. Delivered, a dead write changes nothing the run
// can still act on, nor the state hash.
func TestDeadWritesChangeNothing(t *testing.T) {
	cfg := scriptedConfig()
	cfg.Versioning, cfg.Mode, cfg.ReadRepair = VectorClocks, Strict, true
	cfg.W, cfg.R = 2, 2
	c := mustNew(t, cfg)
	key := keyOwnedBy(t, c, "k", 0, 1, 2)
	deliver := func(c *Cluster, id uint64) {
		t.Helper()
		c.Tick()
		mustApply(t, c, Command{Kind: CmdDeliver, Msg: id})
	}
	put := mustApply(t, c, Command{Kind: CmdPut, Client: 1, Node: 0, Key: key, Value: "v1"})
	deliver(c, heldTo(t, c, MsgPutReq, 1))
	deliver(c, heldTo(t, c, MsgPutAck, 0))
	if op, _ := c.Op(put); !op.OK {
		t.Fatalf("the put did not return with two acks: %+v", op)
	}
	straggler := heldTo(t, c, MsgPutReq, 2)
	if c.Inert(straggler) {
		t.Fatal("the put's straggler to n2, which holds nothing, is taken to be dead")
	}
	c.Tick()
	get := mustApply(t, c, Command{Kind: CmdGet, Client: 2, Node: 0, Key: key})
	deliver(c, heldTo(t, c, MsgGetReq, 2))
	deliver(c, heldTo(t, c, MsgGetResp, 0))
	deliver(c, heldTo(t, c, MsgGetReq, 1))
	deliver(c, heldTo(t, c, MsgGetResp, 0))
	if op, _ := c.Op(get); op.ReturnTick < 0 {
		t.Fatalf("the get did not return: %+v", op)
	}
	repair := heldTo(t, c, MsgRepair, 2)
	if c.Inert(repair) || c.Inert(straggler) {
		t.Fatalf("with n2 still empty, the repair (inert %v) or the straggler (inert %v) is taken to be dead", c.Inert(repair), c.Inert(straggler))
	}
	for _, tc := range []struct {
		name        string
		first, dead uint64
	}{{"repair first", repair, straggler}, {"straggler first", straggler, repair}} {
		d := c.Clone()
		deliver(d, tc.first)
		if !d.Inert(tc.dead) {
			t.Errorf("%s: the other write, of what n2 now holds, is not dead", tc.name)
			continue
		}
		before, hash := dataOf(d, tc.dead), d.StateHash()
		e := d.Clone()
		deliver(e, tc.dead)
		if got := dataOf(e, 0); got != before {
			t.Errorf("%s: delivering the dead write changed:\n%s", tc.name, firstDiff(before, got))
		}
		if e.StateHash() != hash {
			t.Errorf("%s: delivering the dead write changed the state hash", tc.name)
		}
	}
}

// absorbs says what a merge would: on random runs, for every write held
// and every node, that storing its versions there would change nothing
// exactly when the merge leaves the node's versions as they were.
func TestAbsorbsIsWhatTheMergeSays(t *testing.T) {
	cfg := scriptedConfig()
	cfg.Versioning, cfg.Mode, cfg.ReadRepair = VectorClocks, Strict, true
	cfg.W, cfg.R = 2, 2
	c := mustNew(t, cfg)
	rng := rand.New(rand.NewPCG(4, 9))
	value := 0
	tried, absorbed := 0, 0
	for range 800 {
		for _, m := range c.held {
			if m.kind != MsgPutReq && m.kind != MsgRepair && m.kind != MsgGetResp {
				continue
			}
			for _, n := range c.nodes {
				var held []*version
				if ks := n.store[m.key]; ks != nil {
					held = ks.versions
				}
				merged, _ := c.mergeInto(held, m.versions, nil, false)
				want := sameDots(held, merged)
				if got := c.absorbs(n.id, m.key, m.versions); got != want {
					t.Fatalf("%v holding %s, given %s: absorbs %v, the merge says %v", n.id, describeSet(m.key, held), describeSet(m.key, m.versions), got, want)
				}
				tried++
				if want {
					absorbed++
				}
			}
		}
		c.Tick()
		c.Apply(randomScriptedCommand(rng, c, &value))
	}
	if absorbed == 0 || absorbed == tried {
		t.Errorf("%d of %d writes absorbed: want some of each", absorbed, tried)
	}
}

// A replica's step (a request delivered to a replica: a read, or a write)
// changes nothing but its replica's store, and sends its reply: on random
// runs without faults, it commutes with every other step but one that
// reads or writes the same store in the other way (a read against a
// write: a request of the other kind delivered there, an operation of the
// other kind issued there, which reads or writes its own node at once):
// both orders leave the same state hash. Two reads of a store commute, and
// so do two writes (merges under vector clocks). A straggler
// (HeldStep.Straggler: a write whose client has its answer) answers no
// client. The schedule search takes a replica's step only just before a
// step that depends on it (explore's stepsWait).
func TestReplicaStepsCommuteWithAllButTheirStores(t *testing.T) {
	tried := map[MsgKind]int{}
	stragglers := 0
	isRead := func(k MsgKind) bool { return k == MsgGetReq }
	eachQuorumMode(func(cfg Config) {
		mode, repair := cfg.Mode, cfg.ReadRepair
		c := mustNew(t, cfg)
		rng := rand.New(rand.NewPCG(uint64(mode)+3, 5))
		value := 0
		seen := map[[2]uint64]bool{} // each step once, and once more as a straggler
		for step := 0; step < 400; {
			held := c.HeldSteps(nil)
			for _, w := range held {
				key := [2]uint64{w.ID}
				if w.Straggler {
					key[1] = 1
				}
				if w.Kind != MsgGetReq && w.Kind != MsgPutReq && w.Kind != MsgRepair || w.Inert || seen[key] {
					continue
				}
				seen[key] = true
				tried[w.Kind]++
				deliverW := Command{Kind: CmdDeliver, Msg: w.ID}
				if w.Straggler {
					stragglers++
					d := c.Clone()
					d.Tick()
					before := len(d.History())
					mustApply(t, d, deliverW)
					if h := d.History(); len(h) != before || h[len(h)-1].ReturnTick != c.History()[len(h)-1].ReturnTick {
						t.Fatalf("%v repair=%v: straggler %+v answered a client", mode, repair, w)
					}
				}
				var others []Command
				// An operation issued at another node, or at its node one
				// of the same kind (a write where it writes, a read where
				// it reads).
				n := NodeID(rng.IntN(len(c.nodes)))
				if n != w.To || !isRead(w.Kind) {
					others = append(others, Command{Kind: CmdPut, Node: n, Client: 1, Key: "k0", Value: "x", WithContext: true})
				}
				if n != w.To || isRead(w.Kind) {
					others = append(others, Command{Kind: CmdGet, Node: n, Client: 2, Key: "k0"})
				}
				for _, x := range held {
					replica := x.Kind == MsgGetReq || x.Kind == MsgPutReq || x.Kind == MsgRepair
					// A get's reply where w reads: its read repair may
					// write the coordinator's own replica at once.
					writes := replica && !isRead(x.Kind) || x.Kind == MsgGetResp
					if x.ID != w.ID && !(x.To == w.To && (isRead(w.Kind) && writes || !isRead(w.Kind) && isRead(x.Kind))) {
						others = append(others, Command{Kind: CmdDeliver, Msg: x.ID})
					}
				}
				for _, p := range c.Pending() {
					others = append(others, Command{Kind: CmdTimeout, Request: p.ID})
				}
				rng.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
				for _, x := range others[:min(len(others), 8)] {
					a, b := c.Clone(), c.Clone()
					for _, cmd := range []Command{deliverW, x} {
						a.Tick()
						mustApply(t, a, cmd)
					}
					for _, cmd := range []Command{x, deliverW} {
						b.Tick()
						mustApply(t, b, cmd)
					}
					if a.StateHash() != b.StateHash() {
						t.Fatalf("%v repair=%v: %+v and %+v do not commute", mode, repair, w, x)
					}
				}
			}
			cmd := randomScriptedCommand(rng, c, &value)
			switch cmd.Kind {
			case CmdCrash, CmdRestart, CmdPartition, CmdHeal, CmdDrop:
				continue // faults lose messages (the search takes none with these steps)
			}
			c.Tick()
			c.Apply(cmd)
			step++
		}
	})
	if tried[MsgGetReq] == 0 || tried[MsgPutReq] == 0 || tried[MsgRepair] == 0 || stragglers == 0 {
		t.Errorf("replica's steps tried: %v, %d stragglers; want some of each", tried, stragglers)
	}
	t.Logf("replica's steps tried: %v, %d of them stragglers", tried, stragglers)
}

// eachQuorumMode calls f with the configuration of a scripted cluster
// under vector clocks, W = R = 2, in strict and in sloppy mode, each with
// read repair on and off.
func eachQuorumMode(f func(cfg Config)) {
	for _, mode := range []Mode{Strict, Sloppy} {
		for _, repair := range []bool{true, false} {
			cfg := scriptedConfig()
			cfg.Versioning, cfg.Mode, cfg.ReadRepair = VectorClocks, mode, repair
			cfg.W, cfg.R = 2, 2
			f(cfg)
		}
	}
}

// Once an operation returned, which node coordinated it is read by no
// property and no step: two runs whose only difference is where a get
// that timed out was coordinated have one state digest, and the exact
// digest, which keeps everything, tells them apart.
func TestStateHashForgetsAReturnedOperationsCoordinator(t *testing.T) {
	failedGetAt := func(n NodeID) *Cluster {
		c := mustNew(t, scriptedConfig())
		mustApply(t, c, Command{Kind: CmdGet, Client: 1, Node: n, Key: "k"})
		if len(c.History()) != 1 {
			t.Fatalf("history %+v", c.History())
		}
		mustApply(t, c, Command{Kind: CmdTimeout, Request: c.History()[0].Request})
		for _, m := range c.Held() {
			mustApply(t, c, Command{Kind: CmdDrop, Msg: m.ID})
		}
		if op := c.History()[0]; op.OK || op.ReturnTick < 0 || op.Coordinator != n {
			t.Fatalf("at %v: %+v, want a failed get coordinated there", n, op)
		}
		return c
	}
	a, b := failedGetAt(1), failedGetAt(2)
	if a.StateHash() != b.StateHash() {
		t.Error("a get that failed at n1 and one that failed at n2 leave two states")
	}
	if a.ExactStateHash() == b.ExactStateHash() {
		t.Error("the exact digest does not tell the coordinators apart")
	}
	// While it waits, its coordinator counts.
	c, d := mustNew(t, scriptedConfig()), mustNew(t, scriptedConfig())
	mustApply(t, c, Command{Kind: CmdGet, Client: 1, Node: 1, Key: "k"})
	mustApply(t, d, Command{Kind: CmdGet, Client: 1, Node: 2, Key: "k"})
	if c.StateHash() == d.StateHash() {
		t.Error("gets waiting at n1 and at n2 have one digest")
	}
}

// A failed operation's return is no part of the state unless the digest
// is exact: the properties read nothing of when it failed, so a put that
// timed out before a get began and one that timed out after are one
// state. An acknowledged put's return stays: a get that began after it
// must see it.
func TestStateHashForgetsWhenAFailedOperationReturned(t *testing.T) {
	run := func(putFirst, fail bool) *Cluster {
		c := mustNew(t, scriptedConfig())
		mustApply(t, c, Command{Kind: CmdPut, Client: 1, Node: 1, Key: "k", Value: "v1"})
		put := c.History()[0].Request
		end := func() {
			if fail {
				mustApply(t, c, Command{Kind: CmdTimeout, Request: put})
				return
			}
			// Acknowledged: the replies from the other replicas.
			for _, m := range c.Held() {
				if m.Kind == MsgPutReq {
					mustApply(t, c, Command{Kind: CmdDeliver, Msg: m.ID})
				}
			}
			for _, m := range c.Held() {
				if m.Kind == MsgPutAck {
					mustApply(t, c, Command{Kind: CmdDeliver, Msg: m.ID})
				}
			}
		}
		if putFirst {
			end()
		}
		mustApply(t, c, Command{Kind: CmdGet, Client: 2, Node: 2, Key: "k"})
		if !putFirst {
			end()
		}
		if op := c.History()[0]; op.ReturnTick < 0 || op.OK == fail {
			t.Fatalf("put %+v, want it returned, ok=%v", op, !fail)
		}
		return c
	}
	a, b := run(true, true), run(false, true)
	if a.StateHash() != b.StateHash() {
		t.Error("a put that failed before a get began and one that failed after leave two states")
	}
	if a.HistoryHash() != b.HistoryHash() {
		t.Error("... and two histories")
	}
	if a.ExactStateHash() == b.ExactStateHash() {
		t.Error("the exact digest does not tell them apart")
	}
	if c, d := run(true, false), run(false, false); c.HistoryHash() == d.HistoryHash() {
		t.Error("a put acknowledged before a get began and one acknowledged after have one history")
	}
}

// InertHeld gives, right after a digest, the inert flags HeldSteps
// weighs, and HeldStepsInert with them lists the same steps; after a
// change (a tick, a command, the cluster cloned over) they are not known.
func TestInertHeldIsWhatTheDigestWeighed(t *testing.T) {
	c := mustNew(t, scriptedConfig())
	mustApply(t, c, Command{Kind: CmdPut, Client: 1, Node: 1, Key: "k", Value: "v1"})
	for _, m := range c.Held() {
		if m.Kind == MsgPutReq {
			mustApply(t, c, Command{Kind: CmdDeliver, Msg: m.ID})
			break
		}
	}
	mustApply(t, c, Command{Kind: CmdTimeout, Request: c.History()[0].Request})
	want := c.HeldSteps(nil)
	inert := 0
	for _, m := range want {
		if m.Inert {
			inert++
		}
	}
	if inert == 0 || inert == len(want) {
		t.Fatalf("%d of %d held messages inert: want some, not all", inert, len(want))
	}
	if _, ok := c.InertHeld(); ok {
		t.Fatal("inert flags known before any digest")
	}
	c.StateHash()
	mask, ok := c.InertHeld()
	if !ok {
		t.Fatal("inert flags not known right after a digest")
	}
	if got := c.HeldStepsInert(nil, mask); !reflect.DeepEqual(got, want) {
		t.Errorf("HeldStepsInert %+v\nHeldSteps %+v", got, want)
	}
	if _, ok := c.InertHeld(); !ok {
		t.Error("listing the steps forgot the flags")
	}
	d := c.Clone()
	if _, ok := d.InertHeld(); ok {
		t.Error("a clone has the flags of the cluster it was cloned from")
	}
	d.StateHash()
	if _, ok := c.InertHeld(); ok {
		t.Error("c has the flags after its clone was digested")
	}
	c.StateHash()
	c.Tick()
	if _, ok := c.InertHeld(); ok {
		t.Error("flags known after a tick")
	}
	c.StateHash()
	d.CloneInto(c)
	if _, ok := c.InertHeld(); ok {
		t.Error("flags known after the cluster was cloned over")
	}
}

// Where the digests name the operations (DigestRealTime), two runs that
// differ only in the order two concurrent operations were invoked in have
// one digest: their requests and messages are named by client, not by the
// ids that order gave them, and a node's requests are a set. Kept as
// invoked (the default), they differ; so do two runs where something
// else differs (the get asked at another node).
func TestDigestsNameOperationsNotTheirOrder(t *testing.T) {
	cfg := scriptedConfig()
	key := keyOwnedBy(t, mustNew(t, cfg), "k", 1, 2, 3) // n0 coordinates, holds nothing
	put := Command{Kind: CmdPut, Client: 1, Node: 0, Key: key, Value: "a"}
	get := Command{Kind: CmdGet, Client: 2, Node: 0, Key: key}
	run := func(rt RealTime, first, second Command) *Cluster {
		c := mustNew(t, cfg)
		c.DigestRealTime(rt)
		mustApply(t, c, first)
		mustApply(t, c, second)
		// Both asked n1; n1 takes the put, then the get, whose reply
		// reaches its coordinator.
		mustApply(t, c, Command{Kind: CmdDeliver, Msg: heldTo(t, c, MsgPutReq, 1)})
		mustApply(t, c, Command{Kind: CmdDeliver, Msg: heldTo(t, c, MsgGetReq, 1)})
		at := first.Node
		if second.Kind == CmdGet {
			at = second.Node
		}
		mustApply(t, c, Command{Kind: CmdDeliver, Msg: heldTo(t, c, MsgGetResp, at)})
		return c
	}
	elsewhere := get
	elsewhere.Node = 4
	for _, rt := range []RealTime{RealTimeAll, RealTimePutsGets, RealTimeNone} {
		a, b := run(rt, put, get), run(rt, get, put)
		if a.StateHash() != b.StateHash() || a.HistoryHash() != b.HistoryHash() {
			t.Errorf("real time %d: a put then a get, and the get then the put, have two digests", rt)
		}
		if run(rt, put, elsewhere).StateHash() == a.StateHash() {
			t.Errorf("real time %d: a get asked at n4 has the digest of one asked at n0", rt)
		}
	}
	if a, b := run(RealTimeAsInvoked, put, get), run(RealTimeAsInvoked, get, put); a.StateHash() == b.StateHash() {
		t.Error("kept as invoked, the two orders have one digest")
	}
}
