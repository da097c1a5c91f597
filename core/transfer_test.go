package core

import (
	"slices"
	"testing"
)

// keysOn lists the keys node n stores, sorted (the View sorts them).
func keysOn(v View, n NodeID) []string {
	var out []string
	for _, k := range v.Nodes[n].Keys {
		out = append(out, k.Key)
	}
	return out
}

// checkPlacement fails unless every key is stored, with its one written
// value, by exactly the nodes of its preference list on the agreed ring.
func checkPlacement(t *testing.T, c *Cluster, when string, written map[string]string) {
	t.Helper()
	v := c.View()
	for _, key := range sortedKeysOf(written) {
		pref := c.PreferenceList(key, c.cfg.N)
		for _, n := range v.Nodes {
			got := storedValues(v, n.ID, key)
			if slices.Contains(pref, n.ID) {
				if !slices.Equal(got, []string{written[key]}) {
					t.Errorf("%s: replica %v of %s (replicas %v) stores %v, want [%s]", when, n.ID, key, pref, got, written[key])
				}
			} else if got != nil {
				t.Errorf("%s: %v stores %s although its replicas are %v", when, n.ID, key, pref)
			}
		}
	}
}

// A node that leaves hands every key to the key's new replicas before it
// stops, and a node that joins receives exactly the keys it now replicates
// from the nodes that no longer do. Anti-entropy and read repair are off,
// so only the transfers can have moved the data.
func TestLeaveAndJoinTransferKeys(t *testing.T) {
	cfg := quietConfig()
	c := mustNew(t, cfg)
	written := map[string]string{}
	for i := 0; i < 60; i++ {
		key := "k" + itoa(i)
		written[key] = "v" + itoa(i)
		if op := waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Node: NodeID(i % 5), Key: key, Value: written[key]}), 100); !op.OK {
			t.Fatalf("put %s: %s", key, op.Err)
		}
	}
	c.RunUntil(c.Now() + 20)
	checkPlacement(t, c, "before the leave", written)
	before := len(keysOn(c.View(), 2))

	c.Events()
	mustApply(t, c, Command{Kind: CmdLeave, Node: 2})
	rep := c.Settle(3000)
	if !rep.Converged || rep.LostWrites != 0 {
		t.Fatalf("settle after the leave: %+v", rep)
	}
	evs := c.Events()
	dropped := 0
	for _, e := range evs {
		if e.Kind == EvTransferDone && e.From == 2 {
			dropped++
		}
	}
	if got := dropped; got != before {
		t.Errorf("n2 dropped %d keys after acknowledged transfers, want all %d it stored", got, before)
	}
	if v := c.View(); v.Nodes[2].Up || len(v.Nodes[2].Keys) != 0 {
		t.Errorf("after leaving n2 is up=%v and stores %v", v.Nodes[2].Up, keysOn(v, 2))
	}
	checkPlacement(t, c, "after n2 left", written)

	mustApply(t, c, Command{Kind: CmdJoin})
	if rep := c.Settle(3000); !rep.Converged || rep.LostWrites != 0 {
		t.Fatalf("settle after the join: %+v", rep)
	}
	var want []string
	for _, key := range sortedKeysOf(written) {
		if slices.Contains(c.PreferenceList(key, cfg.N), 5) {
			want = append(want, key)
		}
	}
	if got := keysOn(c.View(), 5); len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("the new node n5 stores %v, want exactly the keys it replicates %v", got, want)
	}
	checkPlacement(t, c, "after n5 joined", written)
}

// A leaving node cut off from the other replicas keeps its keys (and keeps
// running) until they can acknowledge them: a transfer is never assumed.
func TestLeavingNodeKeepsKeysUntilAcknowledged(t *testing.T) {
	cfg := quietConfig()
	c := mustNew(t, cfg)
	key := keyOwnedBy(t, c, "k", 4, 0, 1)
	waitOp(t, c, mustApply(t, c, Command{Kind: CmdPut, Node: 0, Key: key, Value: "x"}), 100)
	c.RunUntil(c.Now() + 20)
	mustApply(t, c, Command{Kind: CmdPartition, Groups: [][]NodeID{{4}}})
	mustApply(t, c, Command{Kind: CmdLeave, Node: 4})
	c.RunUntil(c.Now() + 20*cfg.GossipIntervalTicks)
	v := c.View()
	if !v.Nodes[4].Up || !slices.Contains(keysOn(v, 4), key) {
		t.Fatalf("cut off, the leaving n4 is up=%v and stores %v; want it up and keeping %s", v.Nodes[4].Up, keysOn(v, 4), key)
	}
	mustApply(t, c, Command{Kind: CmdHeal})
	c.RunUntil(c.Now() + 20*cfg.GossipIntervalTicks)
	v = c.View()
	if v.Nodes[4].Up || len(v.Nodes[4].Keys) != 0 {
		t.Errorf("after the heal n4 is up=%v and stores %v; want it stopped and empty", v.Nodes[4].Up, keysOn(v, 4))
	}
	for _, r := range c.PreferenceList(key, 3) {
		if got := storedValues(v, r, key); !slices.Equal(got, []string{"x"}) {
			t.Errorf("replica %v stores %v, want [x]", r, got)
		}
	}
}

func TestTransferEventsReadPlainly(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   Event
		want string
	}{
		{"leaving", Event{Kind: EvTransfer, From: 4, To: 1, Key: "cart:7", Count: 1, Text: "leaving the ring"},
			"n4 hands cart:7 (1 version) to replica n1: n4 is leaving the ring"},
		{"moved range", Event{Kind: EvTransfer, From: 0, To: 5, Key: "cart:7", Count: 2, Text: "no longer a replica"},
			"n0 hands cart:7 (2 versions) to replica n5: n0 is no longer a replica"},
		{"dropped", Event{Kind: EvTransferDone, From: 0, Key: "cart:7", Text: "n1 n3 n5"},
			"n0 drops its copy of cart:7: the replicas n1 n3 n5 have it"},
	} {
		if got := tc.ev.String(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// replicates, which looks the hash's arc up among the node's cached
// replicated arcs, agrees with walking the node's ring for the preference
// list, for rings of several shapes (one node, few and many points, uneven
// weights, a node off its own ring) and after the ring or N changes.
func TestReplicatesMatchesPreferenceList(t *testing.T) {
	for _, tc := range []struct {
		name          string
		nodes, vnodes int
		n             int
		weights       []float64
		leave         bool // node 1 leaves: it is off its own ring
	}{
		{"one node", 1, 4, 1, nil, false},
		{"one point each", 3, 1, 2, nil, false},
		{"five nodes N=3", 5, 32, 3, nil, false},
		{"uneven weights", 4, 8, 3, []float64{1, 3, 0.5, 2}, false},
		{"a leaving node", 5, 16, 3, nil, true},
	} {
		cfg := DefaultConfig()
		cfg.Nodes, cfg.VNodes, cfg.N, cfg.W, cfg.R, cfg.Weights = tc.nodes, tc.vnodes, tc.n, 1, 1, tc.weights
		c := mustNew(t, cfg)
		if tc.leave {
			mustApply(t, c, Command{Kind: CmdLeave, Node: 1})
		}
		check := func(when string) {
			rng := c.rngs.work.copied() // any fixed sequence of hashes
			for _, nd := range c.nodes {
				if nd.ring == nil || nd.ring.NodeCount() == 0 {
					continue
				}
				hashes := []uint64{0, ^uint64(0)}
				for i := 0; i < nd.ring.Len(); i++ {
					h := nd.ring.PointAt(i).Hash
					hashes = append(hashes, h, h-1, h+1)
				}
				for range 300 {
					hashes = append(hashes, rng.rnd().Uint64())
				}
				for _, h := range hashes {
					want := slices.Contains(nd.ring.PreferenceList(h, c.cfg.N), nd.id)
					if got := c.replicates(nd, h); got != want {
						t.Fatalf("%s, %s: %v replicates hash %#x: %v, its preference list %v says %v",
							tc.name, when, nd.id, h, got, nd.ring.PreferenceList(h, c.cfg.N), want)
					}
				}
			}
		}
		check("at the start")
		if tc.nodes > tc.n {
			mustApply(t, c, Command{Kind: CmdSet, Param: "n", Num: float64(tc.n + 1)})
			check("after N grows")
		}
		mustApply(t, c, Command{Kind: CmdJoin, Weight: 2})
		c.RunUntil(c.Now() + 200) // gossip spreads the join
		check("after a join")
	}
}

// The unreplicated keys a node keeps up to date as it stores and drops keys
// are, after every tick, what scanning its whole store against its ring's
// preference lists gives, through joins, a leave, a crash and restart and
// a change of N; and the transfers they drive still happen (keys leave the
// nodes that no longer replicate them).
func TestUnreplicatedKeysMatchFullScan(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Workload = Workload{Clients: 6, Keys: 40, PutFraction: 0.6, ThinkTicksMax: 4, KeyPrefix: "k"}
	c := mustNew(t, cfg)
	fullScan := func(n *node) []string {
		var out []string
		for k, ks := range n.store {
			if !slices.Contains(n.ring.PreferenceList(ks.hash, c.cfg.N), n.id) {
				out = append(out, k)
			}
		}
		slices.Sort(out)
		return out
	}
	steps := map[int64]Command{
		100: {Kind: CmdJoin, Weight: 1},
		300: {Kind: CmdCrash, Node: 2},
		350: {Kind: CmdLeave, Node: 1},
		450: {Kind: CmdRestart, Node: 2},
		600: {Kind: CmdSet, Param: "n", Num: 2},
		750: {Kind: CmdJoin, Weight: 2},
		900: {Kind: CmdSet, Param: "n", Num: 3},
	}
	nonEmpty, transfersDone := 0, 0
	for tick := int64(1); tick <= 1100; tick++ {
		if cmd, ok := steps[tick]; ok {
			mustApply(t, c, cmd)
		}
		c.Tick()
		for _, n := range c.nodes {
			if n.ring == nil || n.ring.NodeCount() == 0 {
				continue
			}
			got, want := c.unreplicatedKeys(n), fullScan(n)
			if !slices.Equal(got, want) {
				t.Fatalf("tick %d: %v's unreplicated keys are %v, a full scan of its store gives %v", tick, n.id, got, want)
			}
			if len(want) > 0 {
				nonEmpty++
			}
		}
	}
	for _, ev := range c.Events() {
		if ev.Kind == EvTransferDone {
			transfersDone++
		}
	}
	if nonEmpty == 0 || transfersDone == 0 {
		t.Fatalf("%d node-ticks had unreplicated keys and %d transfers finished: the scenario no longer exercises transfers", nonEmpty, transfersDone)
	}
}
