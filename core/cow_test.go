package core

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// randomCommand draws one command of any kind, valid or not (invalid ones
// are refused and change nothing), over keys k0..k(keys-1).
func randomCommand(rng *rand.Rand, c *Cluster, keys int, value *int) Command {
	node := NodeID(rng.IntN(len(c.nodes)))
	key := "k" + itoa(rng.IntN(keys))
	switch k := rng.IntN(20); {
	case k < 7:
		*value++
		return Command{Kind: CmdPut, Node: node, Client: rng.IntN(3), Key: key, Value: "v" + itoa(*value), WithContext: rng.IntN(2) == 0}
	case k < 11:
		return Command{Kind: CmdGet, Node: node, Client: rng.IntN(3), Key: key}
	case k < 13:
		return Command{Kind: CmdCrash, Node: node}
	case k < 15:
		return Command{Kind: CmdRestart, Node: node}
	case k == 15:
		var g []NodeID
		for i := range c.nodes {
			if rng.IntN(2) == 0 {
				g = append(g, NodeID(i))
			}
		}
		return Command{Kind: CmdPartition, Groups: [][]NodeID{g}}
	case k == 16:
		return Command{Kind: CmdHeal}
	case k == 17:
		return Command{Kind: CmdAntiEntropy, Node: node}
	case k == 18:
		if rng.IntN(2) == 0 {
			return Command{Kind: CmdJoin}
		}
		return Command{Kind: CmdLeave, Node: node}
	default:
		return Command{Kind: CmdSet, Param: "n", Num: float64(1 + rng.IntN(3))}
	}
}

// randomSteps applies count random commands, each after a random pause.
func randomSteps(rng *rand.Rand, c *Cluster, count int, value *int) {
	for range count {
		c.RunUntil(c.Now() + int64(rng.IntN(30)))
		c.Apply(randomCommand(rng, c, 12, value))
	}
}

// freshViewOf computes what View must show, from the cluster's state alone,
// with no cache: every key, hint and version formatted anew.
func freshViewOf(c *Cluster) View {
	fresh := func(vs []*version) []VersionView {
		out := make([]VersionView, len(vs))
		for i, v := range vs {
			out[i] = VersionView{Value: v.value, Clock: v.clock.String(), Dot: v.dot.String(), Timestamp: v.timestamp}
		}
		return out
	}
	v := View{Tick: c.now, Config: cloneConfig(*c.cfg), Ring: ringPoints(c.ring), Counters: c.Counters()}
	for _, n := range c.nodes {
		nv := NodeView{ID: n.id, Up: n.up, Weight: n.weight, InRing: n.inRing, SkewTicks: n.skew,
			Keys: []KeyView{}, Hints: []HintView{}, Membership: []MemberView{}}
		for _, k := range n.sortedKeys() {
			nv.Keys = append(nv.Keys, KeyView{Key: k, Hash: n.store[k].hash, Versions: fresh(n.store[k].versions)})
		}
		for _, hk := range n.sortedHints() {
			nv.Hints = append(nv.Hints, HintView{Key: hk.key, For: hk.owner, Versions: fresh(n.hints[hk].versions)})
		}
		for id, m := range n.members {
			if m.known {
				nv.Membership = append(nv.Membership, MemberView{Node: NodeID(id), Heartbeat: m.heartbeat, Status: m.status, HeardTick: m.heardTick})
			}
		}
		v.Nodes = append(v.Nodes, nv)
	}
	cached := c.View() // the parts View computes anew each time
	v.Groups, v.InFlight, v.Requests = cached.Groups, cached.InFlight, cached.Requests
	return v
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// View, served from its cache, is byte-identical to a View computed from
// scratch, after every step of random runs (every command kind, faults,
// joins and leaves, handoff and transfers); and a View taken earlier never
// changes as the cluster goes on.
func TestViewCacheMatchesFreshView(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			cfg := busyConfig(seed)
			cfg.Workload.Ops = 150
			c := mustNew(t, cfg)
			rng := rand.New(rand.NewPCG(seed, 77))
			value := 0
			var kept []View
			var keptJSON []string
			for step := range 120 {
				randomSteps(rng, c, 1, &value)
				if step%3 == 0 { // Views on some steps only, so that changes pile up between them
					got, want := mustJSON(t, c.View()), mustJSON(t, freshViewOf(c))
					if got != want {
						t.Fatalf("step %d (tick %d): cached View differs from a fresh one:\n%s", step, c.Now(), firstDiff(want, got))
					}
				}
				if step%20 == 0 {
					v := c.View()
					kept, keptJSON = append(kept, v), append(keptJSON, mustJSON(t, v))
				}
			}
			c.Settle(3000)
			if got, want := mustJSON(t, c.View()), mustJSON(t, freshViewOf(c)); got != want {
				t.Fatalf("after settling: cached View differs from a fresh one")
			}
			for i := range kept {
				if mustJSON(t, kept[i]) != keptJSON[i] {
					t.Errorf("View %d changed after the cluster went on", i)
				}
			}
		})
	}
}

// fingerprint writes down all of a cluster's state that copy-on-write
// shares: storage, hints, dot counters, the Merkle trees each node keeps,
// every ring, membership, the oracle, client contexts, history, recorded
// commands and the trace digest.
func fingerprint(c *Cluster) string {
	var b strings.Builder
	fmt.Fprintf(&b, "tick %d digest %s\n", c.now, c.Digest())
	ringText := func(pts []RingPoint) string {
		h := uint64(0)
		for _, p := range pts {
			h = h*31 + p.Hash ^ uint64(p.Node)<<7 ^ uint64(p.Index)
		}
		return fmt.Sprintf("%d points %x", len(pts), h)
	}
	fmt.Fprintf(&b, "ring %s\n", ringText(ringPoints(c.ring)))
	// The counters: a clone shares their sibling histogram.
	fmt.Fprintf(&b, "counters %+v\n", c.Counters())
	for _, f := range c.oracle.readFloor { // in id order
		fmt.Fprintf(&b, "read floor %d %d\n", f.id, f.floor)
	}
	for _, m := range c.held {
		fmt.Fprintf(&b, "held %d %v %v->%v req %d deliver %d drop %q key %s versions %d members %v\n",
			m.id, m.kind, m.from, m.to, m.req, m.deliverTick, m.drop, m.key, len(m.versions), m.members)
	}
	for _, n := range c.nodes {
		fmt.Fprintf(&b, "%v up=%v ring=%s members=%v ringMembers=%v\n", n.id, n.up, ringText(c.NodeRing(n.id)), n.members, n.ringMembers)
		fmt.Fprintf(&b, " weight=%v inRing=%v leaving=%v gone=%v handOverAt=%d leaveHeard=%v epoch=%d skew=%d heartbeat=%d\n",
			n.weight, n.inRing, n.leaving, n.gone, n.handOverAt, n.leaveHeard, n.epoch, n.skew, n.heartbeat)
		for _, id := range n.sortedRequestIDs() {
			r := n.requests.get(id)
			fmt.Fprintf(&b, " request %d done=%v reached=%v acks=%d replies=%d upToDate=%d targets=%d merged=%d\n",
				id, r.done, r.reached, r.acks, r.replies, r.upToDate, len(r.targets), len(r.merged))
		}
		for _, k := range sortedKeysOf(n.transfers) {
			fmt.Fprintf(&b, " transfer %s acked=%v\n", k, n.transfers[k].acked)
		}
		for _, k := range n.sortedKeys() {
			ks := n.store[k]
			fmt.Fprintf(&b, " key %s %x %x %s\n", k, ks.hash, ks.digest, describeSet(k, ks.versions))
		}
		for _, hk := range n.sortedHints() {
			fmt.Fprintf(&b, " hint %s for %v %s\n", hk.key, hk.owner, describeSet(hk.key, n.hints[hk].versions))
		}
		for _, k := range sortedKeysOf(n.counters) {
			fmt.Fprintf(&b, " counter %s %d\n", k, n.counters[k])
		}
		arcs := make([]arc, 0, len(n.trees))
		for a := range n.trees {
			arcs = append(arcs, a)
		}
		slices.SortFunc(arcs, func(x, y arc) int {
			if x.end != y.end {
				return cmpU64(x.end, y.end)
			}
			return cmpU64(x.start, y.start)
		})
		tree := func(name string, a arc, levels [][]uint64) {
			fmt.Fprintf(&b, " %s %x-%x %x\n", name, a.start, a.end, levels)
		}
		for _, a := range arcs {
			t := n.tree(a)
			tree("tree", a, treeLevels(t.Depth(), t.Hash))
		}
		for _, x := range n.extra {
			tree("extra", x.arc, treeLevels(x.tree.Depth(), x.tree.Hash))
		}
	}
	for _, k := range sortedKeysOf(c.oracle.keys) {
		a := c.oracle.keys[k]
		fmt.Fprintf(&b, "acked %s", k)
		for _, n := range a.nodes {
			fmt.Fprintf(&b, " %v%v", n, a.byNode[n])
		}
		b.WriteString("\n")
	}
	c.oracle.puts.all(func(p *ackedPut) bool { fmt.Fprintf(&b, "put %+v\n", *p); return true })
	for _, e := range c.clientCtx { // sorted by client and key
		fmt.Fprintf(&b, "ctx %v %s\n", e.k, e.ctx)
	}
	for _, op := range c.History() {
		// The versions an op wrote and read by what they are, not where.
		written, read := "", ""
		if op.written != nil {
			written = op.written.describe(op.Key)
		}
		for _, v := range op.read {
			read += v.describe(op.Key) + ";"
		}
		op.written, op.read = nil, nil
		fmt.Fprintf(&b, "op %+v wrote %s read %s\n", op, written, read)
	}
	fmt.Fprintf(&b, "recorded %+v\n", c.Recorded())
	return b.String()
}

func treeLevels(depth int, hash func(level, index int) uint64) [][]uint64 {
	levels := make([][]uint64, depth+1)
	for l := range levels {
		for i := range 1 << l {
			levels[l] = append(levels[l], hash(l, i))
		}
	}
	return levels
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Clones share storage, trees and rings copy-on-write: whatever runs on a
// clone (other commands, faults, joins, leaves, anti-entropy) never shows
// in the original, nor the other way round, across generations of clones
// of clones; and a clone continued like its original gives the same trace.
func TestCloneIsolation(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			cfg := busyConfig(seed)
			cfg.AntiEntropyIntervalTicks = 40 // keep many trees alive and changing
			c := mustNew(t, cfg)
			rng := rand.New(rand.NewPCG(seed, 91))
			value := 0
			for round := range 6 {
				randomSteps(rng, c, 10, &value)
				d := c.Clone()
				before := fingerprint(c)
				if got := fingerprint(d); got != before {
					t.Fatalf("round %d: the clone's state differs from the original's at once", round)
				}
				// Run the clone on its own commands: the original is untouched.
				other := rand.New(rand.NewPCG(seed, uint64(round)+1000))
				otherValue := 1000000
				randomSteps(other, d, 15, &otherValue)
				d.Settle(500)
				if got := fingerprint(c); got != before {
					t.Fatalf("round %d: running the clone changed the original:\n%s", round, firstDiff(before, got))
				}
				// Run the original: the clone (and a clone of the clone) are untouched.
				e := d.Clone()
				afterD := fingerprint(d)
				randomSteps(rng, c, 10, &value)
				randomSteps(other, e, 10, &otherValue)
				if got := fingerprint(d); got != afterD {
					t.Fatalf("round %d: running the original or a clone of the clone changed the clone:\n%s", round, firstDiff(afterD, got))
				}
				// The same commands on a clone and its original give the same trace.
				twin := c.Clone()
				same1, same2 := rand.New(rand.NewPCG(seed, 5)), rand.New(rand.NewPCG(seed, 5))
				v1, v2 := value, value
				randomSteps(same1, c, 8, &v1)
				randomSteps(same2, twin, 8, &v2)
				if fc, ft := fingerprint(c), fingerprint(twin); fc != ft {
					t.Fatalf("round %d: a clone continued like its original diverged:\n%s", round, firstDiff(fc, ft))
				}
				value = v1
			}
		})
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n was: %.300s\n now: %.300s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines, now %d", len(al), len(bl))
}

// Nodes whose membership views agree share one ring, and so does the agreed
// ring, so a large cluster holds one copy of its points, not one per node.
func TestRingsShared(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes, cfg.VNodes = 16, 64
	c := mustNew(t, cfg)
	for _, n := range c.nodes {
		if n.ring != c.ring {
			t.Fatalf("%v has its own ring at start", n.id)
		}
	}
	mustApply(t, c, Command{Kind: CmdJoin})
	c.RunUntil(c.Now() + 400)
	for _, n := range c.nodes {
		if n.ring.NodeCount() != 17 {
			t.Fatalf("%v's ring has %d nodes after the join", n.id, n.ring.NodeCount())
		}
		if n.ring != c.nodes[0].ring {
			t.Errorf("%v's ring is a separate copy of the same membership", n.id)
		}
	}
}

// randomScriptedCommand draws one step a schedule search could take in a
// scripted run: a client's operation, a delivery or drop of a held
// message, a request's timeout (or half-timeout), a crash or restart, a
// partition or heal.
func randomScriptedCommand(rng *rand.Rand, c *Cluster, value *int) Command {
	node := NodeID(rng.IntN(len(c.nodes)))
	held, pending := c.Held(), c.Pending()
	switch k := rng.IntN(12); {
	case k < 5 && len(held) > 0:
		m := held[rng.IntN(len(held))]
		if rng.IntN(5) == 0 {
			return Command{Kind: CmdDrop, Msg: m.ID}
		}
		return Command{Kind: CmdDeliver, Msg: m.ID}
	case k < 7 && len(pending) > 0:
		cmd := Command{Kind: CmdTimeout, Request: pending[rng.IntN(len(pending))].ID}
		if c.cfg.Mode == Sloppy && rng.IntN(2) == 0 {
			cmd.Param = "half"
		}
		return cmd
	case k < 9:
		*value++
		if rng.IntN(2) == 0 {
			return Command{Kind: CmdGet, Node: node, Client: rng.IntN(3), Key: "k" + itoa(rng.IntN(3))}
		}
		return Command{Kind: CmdPut, Node: node, Client: rng.IntN(3), Key: "k" + itoa(rng.IntN(3)), Value: "v" + itoa(*value), WithContext: true}
	case k == 9:
		if c.nodes[node].up {
			return Command{Kind: CmdCrash, Node: node}
		}
		return Command{Kind: CmdRestart, Node: node}
	case k == 10:
		return Command{Kind: CmdPartition, Groups: [][]NodeID{{0, node}}}
	default:
		return Command{Kind: CmdHeal}
	}
}

// A schedule search's clusters share nodes copy-on-write: every step taken
// from a clone of a scripted run (any delivery, drop, timeout, operation or
// fault) leaves the cluster it was cloned from as it was, in strict and
// sloppy mode.
func TestCloneIsolationScripted(t *testing.T) {
	for _, mode := range []Mode{Strict, Sloppy} {
		cfg := scriptedConfig()
		cfg.Mode = mode
		c := mustNew(t, cfg)
		rng := rand.New(rand.NewPCG(uint64(mode), 7))
		value := 0
		for step := range 400 {
			before := fingerprint(c)
			for range 3 {
				d := c.Clone()
				for range 1 + rng.IntN(3) {
					d.Tick()
					d.Apply(randomScriptedCommand(rng, d, &value))
				}
			}
			if got := fingerprint(c); got != before {
				t.Fatalf("%v, step %d: a clone's steps changed the original:\n%s", mode, step, firstDiff(before, got))
			}
			c.Tick()
			c.Apply(randomScriptedCommand(rng, c, &value))
		}
	}
}

// ranApart runs a scripted cluster 40 random steps, then a clone of it 20
// more, and returns both.
func ranApart(t *testing.T, rng *rand.Rand, value *int) (c, used *Cluster) {
	t.Helper()
	c = mustNew(t, scriptedConfig())
	for range 40 {
		c.Tick()
		c.Apply(randomScriptedCommand(rng, c, value))
	}
	used = c.Clone()
	for range 20 {
		used.Tick()
		used.Apply(randomScriptedCommand(rng, used, value))
	}
	return c, used
}

// CloneInto over a cluster its caller is done with (here, a clone that ran
// on its own) gives the same clone as Clone: the same state, the same run
// when continued alike, and the original untouched by it.
func TestCloneIntoReusesAClusterDoneWith(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	value := 0
	c, used := ranApart(t, rng, &value)
	before := fingerprint(c)
	x, y := c.CloneInto(used), c.Clone()
	if x != used {
		t.Fatal("CloneInto did not reuse the cluster it was given")
	}
	if fingerprint(x) != before || x.StateHash() != c.StateHash() {
		t.Fatalf("the recycled clone differs from its original:\n%s", firstDiff(before, fingerprint(x)))
	}
	r1, r2 := rand.New(rand.NewPCG(8, 9)), rand.New(rand.NewPCG(8, 9))
	v1, v2 := value, value
	for range 30 {
		x.Tick()
		x.Apply(randomScriptedCommand(r1, x, &v1))
		y.Tick()
		y.Apply(randomScriptedCommand(r2, y, &v2))
	}
	if fx, fy := fingerprint(x), fingerprint(y); fx != fy {
		t.Fatalf("continued alike, the recycled clone and a new one diverged:\n%s", firstDiff(fy, fx))
	}
	if got := fingerprint(c); got != before {
		t.Fatalf("the recycled clone's steps changed the original:\n%s", firstDiff(before, got))
	}
}

// CloneInto reuses the nodes and requests the cluster written over changed
// since it was made, which no one else holds; when that cluster was itself
// cloned since, they are shared with its clone and must not be reused.
func TestCloneIntoRecyclesOnlyWhatNoOneElseHolds(t *testing.T) {
	for _, cloned := range []bool{false, true} {
		rng := rand.New(rand.NewPCG(11, 12))
		value := 0
		c, used := ranApart(t, rng, &value)
		var usedNodes []*node
		for _, n := range used.nodes {
			if n.holder == used.own {
				usedNodes = append(usedNodes, n)
			}
		}
		if len(usedNodes) == 0 {
			t.Fatal("the used cluster changed no node: nothing to recycle")
		}
		var kept *Cluster
		keptBefore := ""
		if cloned {
			kept = used.Clone()
			keptBefore = fingerprint(kept)
		}
		x := c.CloneInto(used)
		for range 30 {
			x.Tick()
			x.Apply(randomScriptedCommand(rng, x, &value))
		}
		reused := 0
		for _, n := range x.nodes {
			if slices.Contains(usedNodes, n) {
				reused++
			}
		}
		switch {
		case cloned && reused > 0:
			t.Errorf("%d nodes shared with a clone of the cluster written over were reused", reused)
		case cloned && fingerprint(kept) != keptBefore:
			t.Errorf("the clone of the cluster written over changed:\n%s", firstDiff(keptBefore, fingerprint(kept)))
		case !cloned && reused == 0:
			t.Errorf("none of the %d nodes the cluster written over held alone was reused", len(usedNodes))
		}
	}
}

// A delivery that changes nothing of its destination (a replica answering
// a read, or given versions it holds already) leaves the node shared with
// the cluster it was cloned from; one that changes it copies it, and the
// original stays as it was.
func TestDeliveriesThatChangeNothingShareTheNode(t *testing.T) {
	cfg := scriptedConfig()
	cfg.ReadRepair = true
	c := mustNew(t, cfg)
	key := keyOwnedBy(t, c, "k", 0, 1, 2)
	mustApply(t, c, Command{Kind: CmdPut, Client: 1, Node: 3, Key: key, Value: "a"})
	mustApply(t, c, Command{Kind: CmdDeliver, Msg: heldTo(t, c, MsgPutReq, 0)})
	mustApply(t, c, Command{Kind: CmdGet, Client: 2, Node: 3, Key: key})
	before := fingerprint(c)

	read := c.Clone()
	mustApply(t, read, Command{Kind: CmdDeliver, Msg: heldTo(t, read, MsgGetReq, 0)})
	if read.nodes[0] != c.nodes[0] {
		t.Error("a replica answering a read was copied")
	}
	if len(read.Held()) != len(c.Held()) { // the get-req went, its reply came
		t.Errorf("%d messages held after the read, want %d", len(read.Held()), len(c.Held()))
	}
	write := c.Clone()
	mustApply(t, write, Command{Kind: CmdDeliver, Msg: heldTo(t, write, MsgPutReq, 1)})
	if write.nodes[1] == c.nodes[1] {
		t.Error("a replica storing a version it did not hold was not copied")
	}
	if got := fingerprint(c); got != before {
		t.Fatalf("the clones' deliveries changed the original:\n%s", firstDiff(before, got))
	}

	// n2 gets the version by a read repair before the put's own message:
	// that one then changes nothing.
	for _, to := range []NodeID{0, 1, 2} {
		mustApply(t, c, Command{Kind: CmdDeliver, Msg: heldTo(t, c, MsgGetReq, to)})
	}
	for _, from := range []NodeID{0, 1, 2} {
		for _, m := range c.Held() {
			if m.Kind == MsgGetResp && m.From == from {
				mustApply(t, c, Command{Kind: CmdDeliver, Msg: m.ID})
			}
		}
	}
	mustApply(t, c, Command{Kind: CmdDeliver, Msg: heldTo(t, c, MsgRepair, 2)})
	late := c.Clone()
	mustApply(t, late, Command{Kind: CmdDeliver, Msg: heldTo(t, late, MsgPutReq, 2)})
	if late.nodes[2] != c.nodes[2] {
		t.Error("a replica given a version it holds already was copied")
	}
}
