package core

// This file is the contract between the simulated store and everything that
// drives or draws it (render, cmd/sim, check). Change it with care: the front
// end, the headless runner and the replay format all depend on these names.

import "github.com/ringlab/ringlab/core/ids"

// NodeID re-exports ids.NodeID so callers need one import.
type NodeID = ids.NodeID

// NoNode stands for "no node".
const NoNode = ids.None

// RequestID names one client request (a put or a get) for its whole life:
// every message and event it causes carries it. Zero means "no request".
type RequestID uint64

// Mode is the CAP choice made when replicas cannot be reached.
type Mode uint8

const (
	// Strict (CP): only the key's own N replicas count; a request that
	// cannot gather W acks or R replies before its timeout fails.
	Strict Mode = iota
	// Sloppy (AP): unreachable replicas are replaced by the next healthy
	// nodes on the ring, which keep the write with a hint (hinted handoff).
	Sloppy
)

// Versioning selects how concurrent writes are told apart.
type Versioning uint8

const (
	// VectorClocks keeps concurrent versions as siblings.
	VectorClocks Versioning = iota
	// LWW keeps the version with the larger (skewed) wall-clock timestamp.
	LWW
)

// CommandKind names a user or script action. The string values are part of
// the replay and URL formats.
type CommandKind string

const (
	CmdPut         CommandKind = "put"         // Node coordinates a put of Key=Value for Client
	CmdGet         CommandKind = "get"         // Node coordinates a get of Key for Client
	CmdCrash       CommandKind = "crash"       // Node loses its in-memory state and stops
	CmdRestart     CommandKind = "restart"     // Node comes back with its durable storage (also a leaving node that crashed before it had handed everything over)
	CmdPartition   CommandKind = "partition"   // Groups: messages across groups are dropped
	CmdHeal        CommandKind = "heal"        // remove every partition
	CmdJoin        CommandKind = "join"        // a new node joins (Weight); it gets the next free NodeID
	CmdLeave       CommandKind = "leave"       // Node leaves the ring for good (announced by gossip), handing its keys to their new replicas before it stops
	CmdSet         CommandKind = "set"         // Param=Num: a live knob (knobs.go: "loss", "latency_min", "read_repair"...) or "skew:nK"
	CmdAntiEntropy CommandKind = "antientropy" // Node starts one Merkle exchange now, with Peer when PeerSet (any node, n0 included), else with Peer if it is not 0, else with a random replica
	// CmdSettle heals the partition, restarts every crashed node that has not
	// left, sets loss to 0 and stops the workload and the fault injector.
	// Cluster.Settle applies it (so a replay repeats it) and then runs until
	// the cluster is quiescent.
	CmdSettle CommandKind = "settle"

	// Scripted network (Config.Scripted): every choice a real network and
	// real timers would make is one of these commands.
	CmdDeliver CommandKind = "deliver" // the held message Msg arrives now (or is dropped if its destination is down or cut off)
	CmdDrop    CommandKind = "drop"    // the held message Msg is lost
	// CmdTimeout fires a timer of request Request at its coordinator:
	// Param "" (its timeout: it fails unless answered) or "half" (sloppy
	// quorums: unanswered replicas are replaced by stand-ins).
	CmdTimeout CommandKind = "timeout"
)

// Scripted reports whether the kind is one of a scripted network's choices
// (deliver, drop, timeout), which only a run with Config.Scripted takes.
func (k CommandKind) Scripted() bool {
	return k == CmdDeliver || k == CmdDrop || k == CmdTimeout
}

// CommandKinds are every kind Apply takes, in the order above: the kinds a
// link or replay file may name. A new kind is added here too.
var CommandKinds = []CommandKind{CmdPut, CmdGet, CmdCrash, CmdRestart, CmdPartition, CmdHeal, CmdJoin, CmdLeave,
	CmdSet, CmdAntiEntropy, CmdSettle, CmdDeliver, CmdDrop, CmdTimeout}

// Command is one action applied to the cluster. Zero fields mean "default".
type Command struct {
	Kind CommandKind `json:"kind"`
	Node NodeID      `json:"node,omitempty"`
	Peer NodeID      `json:"peer,omitempty"`
	// PeerSet makes Peer explicit even when it is 0: CmdAntiEntropy with
	// Peer 0 alone means "a random replica" (zero is "not set" in every
	// Command field), with PeerSet it means n0.
	PeerSet bool   `json:"peer_set,omitempty"`
	Client  int    `json:"client,omitempty"`
	Key     string `json:"key,omitempty"`
	Value   string `json:"value,omitempty"`
	// WithContext makes a put carry the vector-clock context of the
	// client's last get of Key, so it supersedes the siblings it saw.
	WithContext bool       `json:"ctx,omitempty"`
	N           int        `json:"n,omitempty"` // per-request overrides of the cluster default
	W           int        `json:"w,omitempty"`
	R           int        `json:"r,omitempty"`
	Groups      [][]NodeID `json:"groups,omitempty"`
	Weight      float64    `json:"weight,omitempty"`
	Param       string     `json:"param,omitempty"`
	Num         float64    `json:"num,omitempty"`
	Msg         uint64     `json:"msg,omitempty"` // CmdDeliver, CmdDrop: the message's id
	Request     RequestID  `json:"req,omitempty"` // CmdTimeout: the request
}

// Recorded is a command with the tick it was applied at; a replay is
// Config + []Recorded.
type Recorded struct {
	Tick int64   `json:"tick"`
	Cmd  Command `json:"cmd"`
}

// Config is everything that shapes a run besides the seed and the commands.
// Ticks are the simulation's unit of time; the lab draws one tick as one
// step of the animation, and latencies are a few ticks.
type Config struct {
	Nodes   int       `json:"nodes"`             // initial nodes n0..n{Nodes-1}
	VNodes  int       `json:"vnodes"`            // ring points per unit of weight
	Weights []float64 `json:"weights,omitempty"` // optional capacity per initial node (default 1)

	N int `json:"n"` // replicas per key (preference-list length)
	W int `json:"w"` // acks a put waits for
	R int `json:"r"` // replies a get waits for

	Mode       Mode       `json:"mode"`       // Strict (CP) or Sloppy (AP)
	Versioning Versioning `json:"versioning"` // VectorClocks or LWW
	// VClockMax truncates a vector clock past this many entries, dropping
	// the least recently updated (Dynamo's threshold); 0 keeps every entry.
	VClockMax int `json:"vclock_max,omitempty"`

	LatencyMinTicks int64   `json:"latency_min"` // one-way message latency, uniform in [min, max]
	LatencyMaxTicks int64   `json:"latency_max"`
	Loss            float64 `json:"loss"` // probability that one message is dropped
	// SkewTicks is each node's wall-clock offset, used only for LWW
	// timestamps; missing entries are 0.
	SkewTicks []int64 `json:"skew,omitempty"`

	RequestTimeoutTicks int64 `json:"timeout"` // a request not answered by then fails
	// ReadRepair sends the newest version(s) to replicas that answered a get
	// with stale or missing data.
	ReadRepair bool `json:"read_repair"`

	GossipIntervalTicks int64 `json:"gossip_every"` // 0 turns gossip off
	SuspectAfterTicks   int64 `json:"suspect_after"`
	DeadAfterTicks      int64 `json:"dead_after"`

	HandoffIntervalTicks     int64 `json:"handoff_every"`     // how often hint holders try to hand off
	AntiEntropyIntervalTicks int64 `json:"antientropy_every"` // 0 turns background Merkle sync off
	MerkleDepth              int   `json:"merkle_depth"`      // a range's tree has 2^depth leaves

	// Workload generates client operations; Clients == 0 turns it off.
	Workload Workload `json:"workload"`
	// Faults injects crashes, partitions, loss and skew; no Kinds turns it off.
	Faults Faults `json:"faults"`

	// Scripted turns the network and the timers into explicit choices (see
	// scripted.go): a message between two nodes waits until CmdDeliver or
	// CmdDrop names it, a request's timers fire only by CmdTimeout, and the
	// background rounds (gossip, hand-off, anti-entropy) do not run.
	// Nothing random is drawn. It needs the workload, the fault injector
	// and loss off. CmdSettle ends it.
	Scripted bool `json:"scripted,omitempty"`

	Seed uint64 `json:"seed"`
}

// Workload describes simulated clients. Each client has one operation in
// flight at a time, thinks for a uniform 1..ThinkTicksMax ticks between
// operations, picks one of Keys keys ("<KeyPrefix><i>") and writes it with
// probability PutFraction; written values are unique ("v<client>.<seq>").
// A put carries the client's context for the key (from its last get and its
// own acknowledged puts), so a client's writes supersede what it has seen.
// Workload clients are numbered 1..Clients; client 0 is left to commands.
type Workload struct {
	Clients       int     `json:"clients"`
	Keys          int     `json:"keys"`
	PutFraction   float64 `json:"put_fraction"`
	Ops           int     `json:"ops"` // total operations to issue; 0 means no limit
	ThinkTicksMax int64   `json:"think_max"`
	KeyPrefix     string  `json:"key_prefix"`
	// SingleWriter gives each key one writing client (key i is written only
	// by client 1 + i%Clients); the others only read it.
	SingleWriter bool `json:"single_writer,omitempty"`
}

// Faults describes the fault injector (faults.go): every EveryTicks it
// picks one of Kinds and undoes it DurationTicks later (a crashed node
// restarts, a partition heals, loss and skew return to what they were).
type Faults struct {
	Kinds         []FaultKind `json:"kinds,omitempty"`
	EveryTicks    int64       `json:"every"`
	DurationTicks int64       `json:"duration"`
}

// SettleReport is the outcome of Cluster.Settle.
type SettleReport struct {
	Ticks     int64 `json:"ticks"`     // ticks run
	Converged bool  `json:"converged"` // quiescent with every replica of every key identical
	// LostWrites counts acknowledged puts whose dot no surviving version on
	// the key's replicas covers; Lost names them ("cart:7=v2.3 (n1:4)"). A
	// put overwritten by a client that had never seen it counts as lost
	// (typical of last-write-wins) even when the history is linearizable;
	// oracle.go gives the exact definition.
	LostWrites int      `json:"lost_writes"`
	Lost       []string `json:"lost,omitempty"`
}

// EventKind names what happened. The trace is a sequence of events; the
// front end animates them and the digest hashes them.
type EventKind uint8

const (
	EvMsgSend        EventKind = iota + 1 // From sends Msg to To; arrives at DeliverTick unless dropped
	EvMsgDeliver                          // Msg reached To
	EvMsgDrop                             // Msg lost (loss, partition, or To down); Text says why
	EvRequestStart                        // a client put/get begins at coordinator From
	EvQuorumReached                       // Count of Need acks/replies arrived
	EvQuorumFailed                        // the request timed out with Count of Need; Text says why
	EvRequestDone                         // the client got its answer (OK, Values)
	EvVersionCreated                      // coordinator From minted Version for Key
	EvVersionStored                       // replica To stored Version of Key
	EvSiblingCreated                      // replica To now holds Count concurrent versions of Key
	EvSuperseded                          // replica To dropped Version of Key, superseded by a descendant
	EvLWWDiscard                          // replica To dropped a concurrent Version of Key by timestamp
	EvHintStored                          // stand-in To holds a hint for intended node Peer
	EvHintHandedOff                       // hint holder From delivered Key to Peer and dropped the hint
	EvReadRepair                          // coordinator From repaired stale replica To for Key
	EvMerkleCompare                       // From and To compared tree node (Level, Index) of Range: Equal or not
	EvMerkleKeys                          // From sent Count keys of differing leaves to To
	EvGossip                              // From exchanged membership views with To
	EvNodeState                           // node From changed to State (up, down)
	EvMembership                          // node From now believes node Peer is Status
	EvPartition                           // the partition changed (Text describes the groups)
	EvRingChange                          // node From learned that Peer joined or left the ring (From is NoNode for the agreed ring)
	EvConfigChange                        // a cluster parameter changed (Text: "loss=0.2")
	// EvTransfer: From, which no longer replicates Key (a join moved the key's
	// range, or From is leaving; Text says which), hands its Count versions
	// to replica To. From keeps its copy until every replica acknowledged.
	EvTransfer
	// EvTransferDone: every replica acknowledged (Text lists them), so From
	// dropped its copy of Key.
	EvTransferDone
)

// MsgKind names the kind of a simulated network message.
type MsgKind uint8

const (
	MsgPutReq MsgKind = iota + 1
	MsgPutAck
	MsgGetReq
	MsgGetResp
	MsgRepair
	MsgRepairAck
	MsgHandoff
	MsgHandoffAck
	MsgGossip
	MsgGossipReply
	MsgMerkleReq
	MsgMerkleResp
	MsgKeysPush
	MsgKeysReply
	MsgTransfer    // a key handed to a new replica on a membership change
	MsgTransferAck // the new replica holds it
)

// Status is what one node believes about another.
type Status uint8

const (
	Alive Status = iota
	Suspect
	Dead
	Left
)

// Event is one entry of the trace. Fields that do not apply are zero (or
// NoNode for nodes).
type Event struct {
	Seq     uint64    `json:"seq"` // position in the trace, from 1
	Tick    int64     `json:"tick"`
	Kind    EventKind `json:"kind"`
	From    NodeID    `json:"from"`
	To      NodeID    `json:"to"`
	Peer    NodeID    `json:"peer"`
	Request RequestID `json:"req,omitempty"`
	Op      OpKind    `json:"op,omitempty"`     // request events: put or get
	Client  int       `json:"client,omitempty"` // EvRequestStart, EvRequestDone

	Msg         MsgKind `json:"msg,omitempty"`
	MsgID       uint64  `json:"msg_id,omitempty"`
	DeliverTick int64   `json:"deliver,omitempty"`

	Key     string   `json:"key,omitempty"`
	Version string   `json:"version,omitempty"` // e.g. "cart:7=a [n0:2 n1:1]"
	Values  []string `json:"values,omitempty"`
	OK      bool     `json:"ok,omitempty"`
	Count   int      `json:"count,omitempty"`
	Need    int      `json:"need,omitempty"`
	Range   uint64   `json:"range,omitempty"` // Merkle: the ring point that ends the key range
	Level   int      `json:"level,omitempty"`
	Index   int      `json:"index,omitempty"`
	Equal   bool     `json:"equal,omitempty"`
	// EvMerkleCompare: the two hashes compared, From's own node (Level,
	// Index) and the hash To sent of it (as To's tree was when it sent it).
	// They are not in the trace digest (see appendEvent).
	Hash     uint64 `json:"hash,omitempty"`
	PeerHash uint64 `json:"peer_hash,omitempty"`
	Status   Status `json:"status,omitempty"`
	Up       bool   `json:"up,omitempty"`
	Text     string `json:"text,omitempty"`
}

// OpKind is a client operation in the history.
type OpKind uint8

const (
	OpPut OpKind = iota + 1
	OpGet
)

// Op is one client operation as the client saw it, for linearizability
// checking and CSV export. A failed put may still have taken effect.
type Op struct {
	Request     RequestID `json:"req"`
	Client      int       `json:"client"`
	Kind        OpKind    `json:"kind"`
	Key         string    `json:"key"`
	Coordinator NodeID    `json:"coordinator"`
	Value       string    `json:"value,omitempty"`  // put input
	Values      []string  `json:"values,omitempty"` // get output: one per sibling
	InvokeTick  int64     `json:"invoke"`
	ReturnTick  int64     `json:"return"` // -1 while pending
	OK          bool      `json:"ok"`
	Err         string    `json:"err,omitempty"`
	Stale       bool      `json:"stale,omitempty"` // a stale read (properties.go gives the definition)

	// What the properties need and the exported fields do not say (see
	// properties.go): the version a put wrote, the versions a get returned
	// (both shared and immutable), and the order of the client events
	// (invocation, return) across the whole run, which ticks alone do not
	// give within one tick. A history read back from a file has none of
	// them.
	written              *version
	read                 []*version
	invokeSeq, returnSeq uint64
}

// Counters are the run's running totals, shown by the lab and printed by
// cmd/sim.
type Counters struct {
	OpsAttempted int `json:"ops_attempted"`
	OpsSucceeded int `json:"ops_succeeded"`
	OpsFailed    int `json:"ops_failed"`
	PutsOK       int `json:"puts_ok"`
	PutsFailed   int `json:"puts_failed"`
	GetsOK       int `json:"gets_ok"`
	GetsFailed   int `json:"gets_failed"`
	// StaleReads counts successful gets that missed a put of their key
	// acknowledged before they began: none of the versions returned ranks
	// at or above it in the store's own order (timestamps under
	// last-write-wins, causality under vector clocks; properties.go gives
	// the exact definition). It is not the linearizability verdict.
	StaleReads int `json:"stale_reads"`
	// SiblingsMax is the largest sibling set any replica stored: the lab's "most siblings seen". A get merges the sets of R
	// replicas, so a read can return more versions than any one replica
	// held: SiblingsReadMax counts those.
	SiblingsMax int `json:"siblings_stored_max"`
	// SiblingsReadMax is the largest number of versions a successful get
	// returned (0 while no get has succeeded): the largest k with
	// SiblingReads[k] > 0.
	SiblingsReadMax int   `json:"siblings_read_max"`
	SiblingReads    []int `json:"sibling_histogram"` // [k] = successful gets that returned k versions
	// LWWDiscards counts versions a replica dropped by timestamp although the
	// winner had not seen them (EvLWWDiscard); several replicas may each
	// discard the same write, so this is not the number of lost writes.
	LWWDiscards     int `json:"lww_discards"`
	HintsStored     int `json:"hints_stored"`
	HintsHandedOff  int `json:"hints_handed_off"`
	ReadRepairs     int `json:"read_repairs"`
	MerkleHashes    int `json:"merkle_hashes"`
	MerkleKeys      int `json:"merkle_keys"`
	MessagesSent    int `json:"messages_sent"`
	MessagesDropped int `json:"messages_dropped"`
	GossipExchanges int `json:"gossip_exchanges"`
	Events          int `json:"events"`
}

// VersionView is one stored version of a key.
type VersionView struct {
	Value     string `json:"value"`
	Clock     string `json:"clock"`     // the vector clock, e.g. "[n0:2 n1:1]"
	Dot       string `json:"dot"`       // the write that made it, e.g. "n0:2"
	Timestamp int64  `json:"timestamp"` // coordinator wall clock (LWW)
}

// KeyView is a key as one node stores it.
type KeyView struct {
	Key      string        `json:"key"`
	Hash     uint64        `json:"hash"`
	Versions []VersionView `json:"versions"` // more than one: siblings
}

// HintView is a write a stand-in keeps for an unreachable owner.
type HintView struct {
	Key      string        `json:"key"`
	For      NodeID        `json:"for"`
	Versions []VersionView `json:"versions"`
}

// MemberView is one entry of a node's membership view.
type MemberView struct {
	Node      NodeID `json:"node"`
	Heartbeat uint64 `json:"heartbeat"`
	Status    Status `json:"status"`
	HeardTick int64  `json:"heard"` // when the heartbeat last grew, in the viewer's time
}

// NodeView is one node as a snapshot.
type NodeView struct {
	ID         NodeID       `json:"id"`
	Up         bool         `json:"up"`
	Weight     float64      `json:"weight"`
	InRing     bool         `json:"in_ring"` // false once it left
	SkewTicks  int64        `json:"skew"`
	Keys       []KeyView    `json:"keys"` // sorted by key
	Hints      []HintView   `json:"hints"`
	Membership []MemberView `json:"membership"` // sorted by node
}

// Message is one message in flight, for drawing.
type Message struct {
	ID          uint64    `json:"id"`
	Kind        MsgKind   `json:"kind"`
	From        NodeID    `json:"from"`
	To          NodeID    `json:"to"`
	Request     RequestID `json:"req,omitempty"`
	Key         string    `json:"key,omitempty"`
	SendTick    int64     `json:"send"`
	DeliverTick int64     `json:"deliver"`
}

// RingPoint is one virtual node on the (agreed) ring.
type RingPoint struct {
	Hash  uint64 `json:"hash"`
	Node  NodeID `json:"node"`
	Index int    `json:"index"` // which of the node's virtual nodes
}

// RequestView is a client request still in progress.
type RequestView struct {
	ID          RequestID `json:"id"`
	Kind        OpKind    `json:"kind"`
	Key         string    `json:"key"`
	Coordinator NodeID    `json:"coordinator"`
	Replicas    []NodeID  `json:"replicas"` // whom it was sent to, in preference order
	Answered    []NodeID  `json:"answered"` // who acked / replied so far
	Need        int       `json:"need"`
	StartTick   int64     `json:"start"`
}

// View is a snapshot of the whole cluster: later changes to the cluster
// never show in it, so a renderer may keep it across frames. Its slices may
// be shared with other Views of the same cluster (and of its clones), so
// they must be treated as read-only (see Cluster.View).
type View struct {
	Tick     int64         `json:"tick"`
	Config   Config        `json:"config"`
	Nodes    []NodeView    `json:"nodes"`     // sorted by ID, including nodes that left
	Ring     []RingPoint   `json:"ring"`      // the ring of joined, not-left nodes, sorted by hash
	Groups   [][]NodeID    `json:"groups"`    // the partition; nil when the network is whole
	InFlight []Message     `json:"in_flight"` // sorted by ID
	Requests []RequestView `json:"requests"`  // sorted by ID
	Counters Counters      `json:"counters"`
}

// DownNow is the nodes that are down now and still in the ring (crashed,
// not left), of the configuration's nodes: what a schedule search of the
// cluster on screen starts with down (explore.Scenario.Down), as it starts
// with KnobsNow. In order of their ids; nil when every node is up.
func (v *View) DownNow() []NodeID {
	var down []NodeID
	for _, n := range v.Nodes {
		if !n.Up && n.InRing && int(n.ID) < v.Config.Nodes {
			down = append(down, n.ID)
		}
	}
	return down
}

// KnobsNow is the view's configuration with each node's clock skew as it
// is now: a skew set while the run goes ("skew:nK") is the node's state,
// not a Config field. A cluster started with it has the knobs of this one,
// as a schedule search of the cluster on screen needs.
func (v *View) KnobsNow() Config {
	cfg := v.Config.Clone()
	for _, n := range v.Nodes {
		if int(n.ID) >= len(cfg.SkewTicks) {
			if n.SkewTicks == 0 {
				continue
			}
			cfg.SkewTicks = append(cfg.SkewTicks, make([]int64, int(n.ID)+1-len(cfg.SkewTicks))...)
		}
		cfg.SkewTicks[n.ID] = n.SkewTicks
	}
	return cfg
}
