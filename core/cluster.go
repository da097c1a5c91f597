// Package core simulates a Dynamo-style key-value store as deterministic
// nodes that exchange messages over a simulated network.
//
// The Cluster is a state machine in the manner of etcd's raft RawNode: it
// never does I/O and never reads a clock. Time advances only by Tick or
// RunUntil, outside actions enter only through Apply (and are recorded for
// replay), and what happened is read back with Events and View. The same
// Config (seed included) and the same recorded commands give a
// byte-identical event trace on every platform.
package core

import (
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core/ids"
	"github.com/ringlab/ringlab/core/ring"
)

// Cluster is the whole simulated store: logical time, the event queue, the
// network and the nodes. It is not safe for concurrent use.
type Cluster struct {
	// cfg is never changed in place (a change replaces it), so clones
	// share it.
	cfg    *Config
	now    int64
	seq    uint64 // queue order for items due at the same tick
	msgSeq uint64
	reqSeq RequestID
	// clientSeq orders client events (an operation invoked or returned)
	// across the run; see Op.invokeSeq.
	clientSeq uint64
	q         queue
	nodes     []*node
	// ring is the agreed ring: every node that joined and has not left. It
	// is replaced, never changed in place (see changeRing).
	ring *ring.Ring
	// rings are recently built node rings, for reuse (see ringFor).
	rings []*ring.Ring
	// shownRing caches ringPoints(ring) for View (shared by Views).
	shownRing []RingPoint

	// held are the messages a scripted run keeps until a command delivers
	// or drops them, in send order (see scripted.go).
	held []*message

	groups  [][]NodeID // the partition as applied; nil when whole
	groupOf []int      // partition group per node; nil when whole

	// rngs are the random streams, shared with clones until one draws
	// (rng).
	rngs *streams

	trace    trace
	counters Counters
	history  chunked[Op]
	// historyFrom: History holds every operation that returned at or after
	// it (see ForgetBefore).
	historyFrom int64
	recorded    []Recorded
	oracle      oracle

	clientCtx contexts // each client's causal context per key
	// own and clientCtxOwn share clientCtx copy-on-write with clones (see
	// cow.go and setClientCtx).
	own, clientCtxOwn cowOwner
	work              workloadState

	// rest is the digest of the clients' contexts and the history under
	// the identity naming (Cluster.restHash), kept until either changes;
	// 0: not known.
	rest uint64
	// hasher is StateHash's digest and scratch, shared with clones (which
	// the same goroutine uses: see Clone).
	hasher *stateHasher
	// scratch holds buffers shared with clones (one goroutine uses them:
	// see Clone).
	scratch *scratch
	// contextTruncated is set once a put's context was truncated
	// (VClockMax): sibling sets are merged one version at a time from
	// then on (see foldVC).
	contextTruncated bool
	// historyDiscarded: client operations are not kept (DiscardHistory).
	historyDiscarded bool
	noRecord         bool // SkipRecording
	// faults is the fault injector's state (one byte, kept with the flags
	// so that the struct fits its allocation class).
	faults faultState
	// workStopped: the workload's clients stop (beginSettle).
	workStopped bool
	// realTime is what the digests keep of the history's real-time order
	// (DigestRealTime).
	realTime RealTime
	// sessions counts session guarantees as operations complete
	// (TrackSessions); nil when not asked for.
	sessions *sessions
}

// New builds a cluster of cfg.Nodes nodes that all know each other, at tick 0.
func New(cfg Config) (*Cluster, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cloneConfig(cfg)
	c := &Cluster{
		cfg:     &cfg,
		ring:    ring.New(cfg.VNodes),
		scratch: new(scratch),
		rngs: &streams{net: newStream(cfg.Seed, streamNetwork), work: newStream(cfg.Seed, streamWorkload),
			gossip: newStream(cfg.Seed, streamGossip), fault: newStream(cfg.Seed, streamFaults),
			ae: newStream(cfg.Seed, streamAntiEntropy)},
		trace:  newTrace(),
		oracle: newOracle(),
	}
	var all []ringMember
	for i := 0; i < cfg.Nodes; i++ {
		n := newNode(NodeID(i), c.initialWeight(i), c.initialSkew(i))
		c.nodes = append(c.nodes, n)
		if err := c.ring.Add(n.id, n.weight); err != nil {
			return nil, err
		}
		all = append(all, ringMember{n.id, n.weight})
	}
	for _, n := range c.nodes {
		c.freshView(n, all)
		c.scheduleTimers(n)
	}
	c.startWorkload()
	c.startFaults()
	return c, nil
}

func (c *Cluster) initialWeight(i int) float64 {
	if i < len(c.cfg.Weights) && c.cfg.Weights[i] > 0 {
		return c.cfg.Weights[i]
	}
	return 1
}

func (c *Cluster) initialSkew(i int) int64 {
	if i < len(c.cfg.SkewTicks) {
		return c.cfg.SkewTicks[i]
	}
	return 0
}

func cloneConfig(cfg Config) Config { return cfg.Clone() }

// Config returns the cluster's current configuration (CmdSet changes it).
func (c *Cluster) Config() Config { return cloneConfig(*c.cfg) }

// Now is the current tick.
func (c *Cluster) Now() int64 { return c.now }

// Tick advances time by one tick and runs everything due.
func (c *Cluster) Tick() {
	c.changing()
	c.now++
	c.processDue()
}

// changing forgets what was weighed of the state as it was (InertHeld):
// every change goes through Tick, Apply or CloneInto's target.
func (c *Cluster) changing() {
	if h := c.hasher; h != nil && h.inertFor == c {
		h.inertFor = nil
	}
}

// RunUntil ticks until Now() == t (nothing happens if t <= Now()).
func (c *Cluster) RunUntil(t int64) {
	for c.now < t {
		c.Tick()
	}
}

func (c *Cluster) schedule(it item) {
	c.seq++
	it.seq = c.seq
	if c.q.buckets == nil && it.tick-c.q.base < queueBuckets {
		c.q.buckets = takeFree(&c.scratch.buckets) // nil: push makes some
	}
	c.q.push(it)
}

func (c *Cluster) processDue() {
	for {
		it, ok := c.q.popDue(c.now)
		if !ok {
			break
		}
		c.run(it)
	}
	if c.q.count == 0 && c.q.buckets != nil && len(c.scratch.buckets) < scratchBucketsMax {
		// Empty, the queue lends its buckets to the next queue that needs
		// some: a scripted run's queue is empty between commands, and a
		// schedule search keeps its clusters by the million.
		c.scratch.buckets = append(c.scratch.buckets, c.q.release())
	}
}

// run carries out one due item.
func (c *Cluster) run(it item) {
	if it.kind == itemDeliver {
		c.deliver(it.msg)
		return
	}
	switch it.kind {
	case itemClient:
		c.tickClient(int(it.arg))
		return
	case itemFault:
		c.tickFaults()
		return
	case itemFaultUndo:
		c.undoFault(it.undo)
		return
	}
	if n := c.nodes[it.node]; !n.up || n.epoch != it.epoch {
		return // a timer of an earlier incarnation
	}
	n := c.w(it.node)
	switch it.kind {
	case itemGossip:
		c.tickGossip(n)
		c.schedule(item{tick: c.now + c.cfg.GossipIntervalTicks, kind: itemGossip, node: n.id, epoch: n.epoch})
	case itemHandoff:
		c.tickHandoff(n)
		c.schedule(item{tick: c.now + c.cfg.HandoffIntervalTicks, kind: itemHandoff, node: n.id, epoch: n.epoch})
	case itemAntiEntropy:
		c.tickAntiEntropy(n, NoNode)
		c.schedule(item{tick: c.now + c.cfg.AntiEntropyIntervalTicks, kind: itemAntiEntropy, node: n.id, epoch: n.epoch})
	case itemHalfTimeout:
		c.tickHalfTimeout(n, it.req)
	case itemTimeout:
		c.tickTimeout(n, it.req)
	case itemLeaveStop:
		c.checkLeave(n)
	}
}

// scheduleTimers starts a node's periodic rounds, each at a random offset
// within its first interval so that nodes do not act in lockstep.
func (c *Cluster) scheduleTimers(n *node) {
	if c.cfg.Scripted {
		return // background rounds do not run in a scripted run
	}
	start := func(kind itemKind, every int64, s *stream) {
		if every > 0 {
			c.schedule(item{tick: c.now + 1 + s.between(0, every-1), kind: kind, node: n.id, epoch: n.epoch})
		}
	}
	start(itemGossip, c.cfg.GossipIntervalTicks, &c.rng().gossip)
	start(itemHandoff, c.cfg.HandoffIntervalTicks, &c.rng().gossip)
	start(itemAntiEntropy, c.cfg.AntiEntropyIntervalTicks, &c.rng().ae)
}

// Apply validates and carries out one command at the current tick, and
// records it for replay. On error nothing changes. For put and get it
// returns the id of the request.
func (c *Cluster) Apply(cmd Command) (RequestID, error) {
	if err := c.validate(cmd); err != nil {
		return 0, err
	}
	c.changing()
	if !c.noRecord {
		c.recorded = append(c.recorded, Recorded{Tick: c.now, Cmd: cloneCommand(cmd)})
	}
	id := c.apply(cmd)
	c.processDue()
	return id, nil
}

func cloneCommand(cmd Command) Command {
	if cmd.Groups != nil {
		g := make([][]NodeID, len(cmd.Groups))
		for i := range cmd.Groups {
			g[i] = slices.Clone(cmd.Groups[i])
		}
		cmd.Groups = g
	}
	return cmd
}

func (c *Cluster) validNode(n NodeID) error {
	if int(n) >= len(c.nodes) {
		return fmt.Errorf("node %v does not exist (nodes are n0..n%d)", n, len(c.nodes)-1)
	}
	return nil
}

func (c *Cluster) validate(cmd Command) error {
	switch cmd.Kind {
	case CmdPut, CmdGet:
		if err := c.validNode(cmd.Node); err != nil {
			return err
		}
		if cmd.Key == "" {
			return fmt.Errorf("%s: the key must not be empty", cmd.Kind)
		}
		if cmd.Client < 0 {
			return fmt.Errorf("%s: client=%d must not be negative", cmd.Kind, cmd.Client)
		}
		n, w, r := pick(cmd.N, c.cfg.N), pick(cmd.W, c.cfg.W), pick(cmd.R, c.cfg.R)
		switch {
		case cmd.N < 0 || cmd.W < 0 || cmd.R < 0:
			return fmt.Errorf("%s: N, W and R overrides must not be negative", cmd.Kind)
		case n > len(c.nodes):
			return fmt.Errorf("%s: N=%d must be between 1 and the number of nodes (%d)", cmd.Kind, n, len(c.nodes))
		case w > n:
			return fmt.Errorf("%s: W=%d must be between 1 and N=%d", cmd.Kind, w, n)
		case r > n:
			return fmt.Errorf("%s: R=%d must be between 1 and N=%d", cmd.Kind, r, n)
		}
	case CmdCrash:
		if err := c.validNode(cmd.Node); err != nil {
			return err
		}
		if !c.nodes[cmd.Node].up {
			return fmt.Errorf("crash: %v is already down", cmd.Node)
		}
	case CmdRestart:
		if err := c.validNode(cmd.Node); err != nil {
			return err
		}
		n := c.nodes[cmd.Node]
		if n.up {
			return fmt.Errorf("restart: %v is already up", cmd.Node)
		}
		if !n.restartable() {
			return fmt.Errorf("restart: %v has left the ring", cmd.Node)
		}
	case CmdPartition:
		seen := map[NodeID]bool{}
		for _, g := range cmd.Groups {
			for _, id := range g {
				if err := c.validNode(id); err != nil {
					return fmt.Errorf("partition: %w", err)
				}
				if seen[id] {
					return fmt.Errorf("partition: %v is in two groups", id)
				}
				seen[id] = true
			}
		}
		if len(cmd.Groups) == 0 {
			return fmt.Errorf("partition: give at least one group of nodes")
		}
	case CmdHeal, CmdSettle:
	case CmdDeliver, CmdDrop, CmdTimeout:
		return c.validateScripted(cmd)
	case CmdJoin:
		if len(c.nodes) >= MaxNodes {
			return fmt.Errorf("join: the cluster already has the maximum of %d nodes", MaxNodes)
		}
		if cmd.Weight < 0 || cmd.Weight > MaxWeight {
			return fmt.Errorf("join: weight=%v must be between 0 (meaning 1) and %v", cmd.Weight, MaxWeight)
		}
		if c.seedNode() == NoNode {
			return fmt.Errorf("join: no node is up to act as the seed")
		}
	case CmdLeave:
		if err := c.validNode(cmd.Node); err != nil {
			return err
		}
		if !c.nodes[cmd.Node].inRing || c.nodes[cmd.Node].leaving {
			return fmt.Errorf("leave: %v is not on the ring", cmd.Node)
		}
		if c.ring.NodeCount() <= 1 {
			return fmt.Errorf("leave: %v is the last node on the ring", cmd.Node)
		}
		if !c.nodes[cmd.Node].up {
			return fmt.Errorf("leave: %v is down; restart it first so it can announce its departure", cmd.Node)
		}
	case CmdSet:
		if node, ok := strings.CutPrefix(cmd.Param, "skew:"); ok {
			id, okID := ids.Parse(node)
			if !okID || int(id) >= len(c.nodes) {
				return fmt.Errorf("set %s: no such node", cmd.Param)
			}
			if cmd.Num != float64(int64(cmd.Num)) || cmd.Num < -MaxSkewTicks || cmd.Num > MaxSkewTicks {
				return fmt.Errorf("set %s=%v: skew must be a whole number of ticks between -%d and %d", cmd.Param, cmd.Num, MaxSkewTicks, MaxSkewTicks)
			}
			return nil
		}
		if _, err := c.cfg.withParam(cmd.Param, cmd.Num); err != nil {
			return err
		}
	case CmdAntiEntropy:
		if err := c.validNode(cmd.Node); err != nil {
			return err
		}
		if !c.nodes[cmd.Node].up {
			return fmt.Errorf("antientropy: %v is down", cmd.Node)
		}
		if peer := antiEntropyPeer(cmd); peer != NoNode || cmd.PeerSet {
			if err := c.validNode(peer); err != nil {
				return fmt.Errorf("antientropy: peer %w", err)
			}
			if peer == cmd.Node {
				return fmt.Errorf("antientropy: %v cannot compare with itself; name another peer", peer)
			}
		}
	default:
		return fmt.Errorf("unknown command %q", cmd.Kind)
	}
	return nil
}

// apply carries out a validated command.
func (c *Cluster) apply(cmd Command) RequestID {
	switch cmd.Kind {
	case CmdPut, CmdGet:
		kind := OpPut
		if cmd.Kind == CmdGet {
			kind = OpGet
		}
		return c.startRequest(clientOp{kind: kind, client: cmd.Client, coordinator: cmd.Node, key: cmd.Key,
			value: cmd.Value, withContext: cmd.WithContext, n: cmd.N, w: cmd.W, r: cmd.R})
	case CmdCrash:
		c.crashNode(c.w(cmd.Node))
	case CmdRestart:
		c.restartNode(c.w(cmd.Node))
	case CmdPartition:
		c.setPartition(cmd.Groups)
	case CmdHeal:
		c.setPartition(nil)
	case CmdJoin:
		c.joinNode(cmd.Weight)
	case CmdLeave:
		c.leaveNode(c.w(cmd.Node))
	case CmdSet:
		c.setParam(cmd.Param, cmd.Num)
	case CmdAntiEntropy:
		c.tickAntiEntropy(c.w(cmd.Node), antiEntropyPeer(cmd))
	case CmdSettle:
		c.endScripted()
		c.beginSettle()
	case CmdDeliver, CmdDrop, CmdTimeout:
		c.applyScripted(cmd)
	}
	return 0
}

// crashNode stops a node: its in-memory state is lost, and the requests it
// was coordinating fail at once (their clients see the connection drop).
func (c *Cluster) crashNode(n *node) {
	c.stopNode(n, "crashed")
}

func (c *Cluster) stopNode(n *node, why string) {
	n.up = false
	n.epoch++
	c.emit(&Event{Kind: EvNodeState, From: n.id, Up: false, Text: why})
	for _, r := range slices.Clone(n.requests) { // in id order
		if !r.done {
			c.failRequest(n, c.writableRequest(n, r.id), "coordinator "+why)
		}
	}
	n.requests = nil
	n.transfers = nil
	n.members = nil
	n.ring = nil
	n.forgetTrees()
}

// restartNode brings a node back with its durable storage and a fresh view.
func (c *Cluster) restartNode(n *node) {
	n.up = true
	n.epoch++
	c.emit(&Event{Kind: EvNodeState, From: n.id, Up: true, Text: "restarted"})
	c.freshView(n, slices.Clone(n.ringMembers))
	c.scheduleTimers(n)
	if n.leaving { // it had not finished handing its keys over
		c.schedule(item{tick: c.now + c.leaveRetryTicks(), kind: itemLeaveStop, node: n.id, epoch: n.epoch})
	}
}

// seedNode is the node a joining node first contacts: the lowest-ID up
// node on the ring.
func (c *Cluster) seedNode() NodeID {
	for _, n := range c.nodes {
		if n.up && n.inRing && !n.leaving {
			return n.id
		}
	}
	return NoNode
}

// joinNode adds a node that knows only itself and the seed; the others learn
// of it by gossip, each adding it to its own ring as it does.
func (c *Cluster) joinNode(weight float64) {
	if weight == 0 {
		weight = 1
	}
	seed := c.nodes[c.seedNode()]
	n := newNode(NodeID(len(c.nodes)), weight, c.initialSkew(len(c.nodes)))
	n.holder = c.own
	c.nodes = append(c.nodes, n)
	c.changeRing(func(r *ring.Ring) { _ = r.Add(n.id, weight) })
	c.emit(&Event{Kind: EvNodeState, From: n.id, Up: true, Text: "joined"})
	c.emit(&Event{Kind: EvRingChange, From: NoNode, Peer: n.id, Text: "joined"})
	c.freshView(n, []ringMember{{seed.id, seed.weight}})
	c.scheduleTimers(n)
	if c.groupOf != nil {
		c.groupOf = append(c.groupOf, 0)
	}
}

// leaveNode: the node announces its departure (a bumped heartbeat with the
// left mark, spread by gossip), hands every key it stores (hints included)
// to the key's replicas on its ring without itself, and stops once every
// transfer is acknowledged (see transfer.go). It starts handing over three
// gossip rounds after the leave, once gossip has spread the news: a replica
// that still had the leaving node on its ring would take itself for a
// non-replica of what it receives and send it straight back. It leaves the agreed ring at once; the others drop it from
// their own rings as the news reaches them.
func (c *Cluster) leaveNode(n *node) {
	n.leaving = true
	n.inRing = false
	c.changeRing(func(r *ring.Ring) { r.Remove(n.id) })
	n.heartbeat++
	self := n.learn(n.id)
	self.left, self.status, self.heartbeat = true, Left, n.heartbeat
	c.rebuildRing(n)
	c.emit(&Event{Kind: EvRingChange, From: NoNode, Peer: n.id, Text: "left"})
	c.foldHints(n)
	stopAfter := 3 * c.cfg.GossipIntervalTicks
	if stopAfter == 0 {
		stopAfter = 1
	}
	n.handOverAt = c.now + stopAfter
	c.schedule(item{tick: n.handOverAt, kind: itemLeaveStop, node: n.id, epoch: n.epoch})
}

func (c *Cluster) setPartition(groups [][]NodeID) {
	if len(groups) == 0 {
		c.groups, c.groupOf = nil, nil
		c.emit(&Event{Kind: EvPartition, Text: "healed"})
		return
	}
	c.groups = make([][]NodeID, len(groups))
	c.groupOf = make([]int, len(c.nodes))
	for i, g := range groups {
		c.groups[i] = slices.Clone(g)
		slices.Sort(c.groups[i])
		for _, id := range g {
			c.groupOf[id] = i + 1
		}
	}
	c.emit(&Event{Kind: EvPartition, Text: describeGroups(c.groups, len(c.nodes))})
}

// describeGroups renders a partition, with the nodes no group lists as a
// group of their own: "{n0 n1} | {n2 n3 n4}".
func describeGroups(groups [][]NodeID, count int) string {
	listed := map[NodeID]bool{}
	var parts []string
	for _, g := range groups {
		for _, id := range g {
			listed[id] = true
		}
		parts = append(parts, "{"+joinNodes(g)+"}")
	}
	var rest []NodeID
	for i := 0; i < count; i++ {
		if !listed[NodeID(i)] {
			rest = append(rest, NodeID(i))
		}
	}
	if len(rest) > 0 {
		parts = append(parts, "{"+joinNodes(rest)+"}")
	}
	return strings.Join(parts, " | ")
}

func (c *Cluster) setParam(param string, num float64) {
	if node, ok := strings.CutPrefix(param, "skew:"); ok {
		id, _ := ids.Parse(node)
		c.w(id).skew = int64(num)
	} else {
		old := c.cfg
		cfg, _ := cloneConfig(*c.cfg).withParam(param, num) // a new one: clones share the old
		c.cfg = &cfg
		if c.cfg.N != old.N {
			for i := range c.nodes { // which ranges a node replicates changed
				c.w(NodeID(i)).forgetTrees()
			}
		}
	}
	c.emit(&Event{Kind: EvConfigChange, Text: param + "=" + strconv.FormatFloat(num, 'g', -1, 64)})
}

// History is every client operation so far, in invocation order, except
// those ForgetBefore let go (see HistoryFrom). The operations are copies;
// their Values, never changed once set, are shared with the cluster and
// must not be changed (chapters read the history every frame, and a copy
// of each operation's values made it allocate by the window's length).
func (c *Cluster) History() []Op {
	// Only the operations kept (ForgetBefore): HistoryLen counts the run's
	// whole history, which a long run's copy must not be sized by.
	out := make([]Op, 0, c.history.len()-c.history.first())
	c.history.all(func(op *Op) bool {
		out = append(out, *op)
		return true
	})
	return out
}

// Ops yields what History returns, one operation at a time, without
// copying the history first: chapters that count or look up operations
// every frame read a long run's window in place. Each is a copy, its
// Values shared (read only); the cluster must not change while it yields.
func (c *Cluster) Ops() iter.Seq[Op] {
	return func(yield func(Op) bool) {
		c.history.all(func(op *Op) bool { return yield(*op) })
	}
}

// Violations is HistoryViolations of the history kept, in the cluster's
// versioning. A short history (one chunk, as a schedule search's) is read
// in place, not copied: the search asks after every return.
func (c *Cluster) Violations(p Property, k int) []Violation {
	h := []Op(nil)
	if ops, ok := c.history.single(); ok {
		h = ops // read only: HistoryViolations keeps nothing of it
	} else {
		h = c.History()
	}
	return HistoryViolations(p, k, h, c.cfg.Versioning)
}

// DiscardHistory stops (or resumes) keeping client operations for History,
// as DiscardEvents does for events: a long headless run that checks
// nothing then needs no memory per operation for them. Counters, the
// oracle's counts and the trace digest are the same either way. While it
// is on, History leaves out the operations invoked meanwhile.
func (c *Cluster) DiscardHistory(discard bool) { c.historyDiscarded = discard }

// Counters are the running totals.
func (c *Cluster) Counters() Counters {
	k := c.counters
	k.SiblingReads = slices.Clone(k.SiblingReads)
	return k
}

// SkipRecording stops keeping the commands applied, for good: a schedule
// search's clusters each take one step from their parent's copy, which
// appended to a copy of the whole log, and the search keeps its schedules
// itself. Recorded then returns the commands applied before.
func (c *Cluster) SkipRecording() { c.noRecord = true }

// Recorded is every command applied so far with its tick: with the Config,
// enough to replay the run.
func (c *Cluster) Recorded() []Recorded {
	out := make([]Recorded, len(c.recorded))
	for i, r := range c.recorded {
		out[i] = Recorded{Tick: r.Tick, Cmd: cloneCommand(r.Cmd)}
	}
	return out
}

// Replay rebuilds a run from its config and recorded commands, up to tick
// until (or the last command's tick, if later).
func Replay(cfg Config, rec []Recorded, until int64) (*Cluster, error) {
	c, err := New(cfg)
	if err != nil {
		return nil, err
	}
	for i, r := range rec {
		if r.Tick < c.now {
			return nil, fmt.Errorf("replay: command %d (%s) is at tick %d, before tick %d", i, r.Cmd.Kind, r.Tick, c.now)
		}
		c.RunUntil(r.Tick)
		if _, err := c.Apply(r.Cmd); err != nil {
			return nil, fmt.Errorf("replay: command %d (%s at tick %d): %w", i, r.Cmd.Kind, r.Tick, err)
		}
	}
	c.RunUntil(until)
	return c, nil
}

// PreferenceList is the key's first n distinct nodes on the agreed ring.
func (c *Cluster) PreferenceList(key string, n int) []NodeID {
	return c.ring.PreferenceList(ring.HashKey(key), n)
}

// NodeRing is node n's own ring, built from its membership view; it can
// differ from View().Ring until gossip converges. It is empty for a node
// that is down.
func (c *Cluster) NodeRing(n NodeID) []RingPoint {
	if int(n) >= len(c.nodes) || c.nodes[n].ring == nil {
		return nil
	}
	return ringPoints(c.nodes[n].ring)
}

func ringPoints(r *ring.Ring) []RingPoint {
	pts := r.Points()
	out := make([]RingPoint, len(pts))
	for i, p := range pts {
		out[i] = RingPoint{Hash: p.Hash, Node: p.Node, Index: p.Index}
	}
	return out
}

// sortedRequestIDs lists a node's pending requests in order.
func (n *node) sortedRequestIDs() []RequestID {
	out := make([]RequestID, 0, len(n.requests))
	for _, r := range n.requests {
		out = append(out, r.id)
	}
	return out
}

// antiEntropyPeer is the peer a CmdAntiEntropy names: Peer when PeerSet;
// otherwise none (a random replica) when Peer is zero, NoNode or the node
// itself, since zero means "not set", as for every Command field.
func antiEntropyPeer(cmd Command) NodeID {
	if cmd.PeerSet {
		return cmd.Peer
	}
	if cmd.Peer == 0 || cmd.Peer == NoNode || cmd.Peer == cmd.Node {
		return NoNode
	}
	return cmd.Peer
}
