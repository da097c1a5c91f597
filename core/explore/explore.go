// Package explore searches every schedule of a small scenario (a cluster, a
// client script and a fault budget) for one that breaks a property, breadth
// first, so that the first counterexample it finds is a shortest one; or it
// reports that none exists within the bound, and how much it searched.
//
// The cluster runs in scripted mode (core.Config.Scripted): every choice a
// real network, real timers, real failures and real clients would make is a
// command, and a schedule is the list of commands chosen, one per tick. A
// counterexample is therefore an ordinary run, Config + []core.Recorded,
// which core.Replay (and the lab) replays exactly.
//
// The choices, at each step: a client of the current script group issues
// its operation at any node (or the pinned one); a held message is
// delivered, or dropped (within the drop budget); a pending request's
// timeout fires, or in sloppy mode its half-timeout (once per request); a
// partition with any split starts (within the partition budget) or heals;
// a node crashes (within the crash budget) or restarts. Background rounds
// (gossip, hand-off, anti-entropy) do not run during the search; the
// lost-write property settles the cluster afterwards, when they do.
//
// Drops and partitions lose messages, which changes nothing a node sees
// until the schedule's end: for a property of the history a message lost
// is the same as one held to the end (Search.faultsSubsumed), and for the
// lost write the losses wait until every operation returned, where every
// set of held messages the budget could lose is settled (Search.losses).
//
// A delivery that would change nothing the run can still act on (a late
// reply to an answered request; a request whose reply would be one; a
// replica write for an answered request of what the replica holds already,
// or has seen superseded: core.Cluster.Inert) is not tried: held to the
// end, the message is the same.
//
// A state where every operation returned is never expanded, and under a
// property of the history it is told apart by its history alone
// (admitFinal, core.Cluster.HistoryHash): what its nodes hold and what is
// still in flight cannot change the answer.
//
// States are deduplicated by core.Cluster.StateHash together with the
// search's own progress (which operations were issued, budgets spent). The
// hash leaves out message ids and keeps of the history only the order of
// invocations against returns, so the orders of commuting steps (deliveries
// to different nodes, which do not interact) meet in one state and are
// expanded once: the search's graph has a state per distinct outcome, not
// per interleaving. Where the scenario cannot tell some nodes apart (strict
// quorums, vector clocks, the same keys replicated, the same skew, not
// pinned by the script: symmetry), states are deduplicated up to renaming
// those nodes (core.Cluster.SymmetricStateHash), and the report names them.
// Steps that commute (steps on different nodes: deliveries, timeouts,
// crashes and restarts) are not
// taken in both orders where the search can tell the other order covers
// it: sleep sets (sleep.go), which spare generating a state again, never a
// state, nor its depth.
//
// The search is deterministic and pure: no goroutines, no clocks. A caller
// bounds it by depth and states (Bounds) and by work, calling Step with as
// many expansions as fit its time slice.
package explore

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"runtime"
	"slices"

	"github.com/cespare/xxhash/v2"
	"github.com/ringlab/ringlab/core"
)

// Limits on budgets and bounds, so that a mistyped number fails clearly.
const (
	MaxBudget   = 3
	MaxDepth    = 200
	MaxStatesUp = 50_000_000
	// MaxSettleTicks bounds Scenario.SettleTicks: a settle runs its ticks
	// whole, without a look at any bound.
	MaxSettleTicks = 100_000
)

// Budget is how many faults a schedule may contain.
type Budget struct {
	Partitions int `json:"partitions"` // partitions started (each heals when the search chooses)
	Crashes    int `json:"crashes"`    // crashes (each node restarts when the search chooses)
	Drops      int `json:"drops"`      // messages dropped
}

// Bounds stop the search.
type Bounds struct {
	MaxDepth  int `json:"max_depth"`  // steps in a schedule; 0 means 60
	MaxStates int `json:"max_states"` // distinct states; 0 means 1,000,000
}

// Scenario is what is searched.
type Scenario struct {
	Config   core.Config // the cluster; the search sets Scripted
	Script   Script
	Budget   Budget
	Property core.Property
	K        int // siblings: more than K versions is a violation
	// Linearizable decides the PropLinearizable property (package check
	// runs porcupine, which core may not import): it returns "" when the
	// history is linearizable, or why not.
	Linearizable func([]core.Op) string
	// SettleTicks bounds the settle before lost writes are counted; 0
	// means 5,000.
	SettleTicks int64
}

// Validate reports the first thing wrong with a scenario, in one sentence.
func (s Scenario) Validate() error {
	cfg := s.Config
	cfg.Scripted = true
	if err := cfg.Validate(); err != nil {
		return err
	}
	if len(s.Script.Groups) == 0 {
		return fmt.Errorf("script: it is empty")
	}
	if s.SettleTicks < 0 || s.SettleTicks > MaxSettleTicks {
		return fmt.Errorf("settle ticks=%d must be between 0 (the default, 5,000) and %d", s.SettleTicks, MaxSettleTicks)
	}
	for _, op := range s.Script.Ops() {
		if op.Node != core.NoNode && int(op.Node) >= cfg.Nodes {
			return fmt.Errorf("script: %s pins %v, but the nodes are n0..n%d", op, op.Node, cfg.Nodes-1)
		}
	}
	b := s.Budget
	for _, x := range []struct {
		name string
		v    int
	}{{"partitions", b.Partitions}, {"crashes", b.Crashes}, {"drops", b.Drops}} {
		if x.v < 0 || x.v > MaxBudget {
			return fmt.Errorf("%s=%d must be between 0 and %d", x.name, x.v, MaxBudget)
		}
	}
	known := false
	for _, p := range core.Properties {
		known = known || p == s.Property
	}
	switch {
	case !known:
		return fmt.Errorf("property %q is unknown; allowed: stale, lost, linearizable, siblings:K, ryw, monotonic", s.Property)
	case s.Property == core.PropLinearizable && s.Linearizable == nil:
		return fmt.Errorf("property linearizable needs a checker")
	case s.Property == core.PropSiblings && s.K < 1:
		return fmt.Errorf("siblings:K needs K of at least 1")
	}
	return nil
}

// Counterexample is a schedule that breaks the property.
type Counterexample struct {
	// Config (Scripted set) and Schedule replay the run: core.Replay(Config,
	// Schedule, Tick) ends in the violating state.
	Config   core.Config     `json:"config"`
	Schedule []core.Recorded `json:"schedule"`
	Tick     int64           `json:"tick"`
	// Op is the violating operation's index in the history (-1 for a lost
	// write, which is a property of the settled state), and Violation says
	// what went wrong.
	Op        int    `json:"op"`
	Violation string `json:"violation"`
}

// Report is the outcome, so far, of a search.
type Report struct {
	Violated bool `json:"violated"`
	// Exhausted: every schedule within the depth bound was searched.
	Exhausted bool `json:"exhausted"`
	// Done: the search stopped (violated, exhausted, or cut by a bound).
	Done bool `json:"done"`
	// CutBy names the bound that stopped an unfinished search ("depth",
	// "states"), "" otherwise.
	CutBy string `json:"cut_by,omitempty"`
	// States counts the states generated (the initial one, each step
	// from a state expanded, and for the lost write each way to lose
	// what is in flight after the last return); DistinctStates the
	// distinct ones (those losses: the distinct states settled; under any
	// other property, states where every operation returned count once per
	// distinct history: admitFinal); Expanded the states
	// whose successors were generated; Depth the deepest level reached.
	// Steps counts the steps taken to generate them: a choice of several
	// steps (a crash or a restart with the step it is for, a quorum's
	// completion, a replica's step with its reply, a group's timeouts)
	// counts each.
	States         int             `json:"states"`
	Steps          int             `json:"steps"`
	DistinctStates int             `json:"distinct_states"`
	Expanded       int             `json:"expanded"`
	Depth          int             `json:"depth"`
	Counterexample *Counterexample `json:"counterexample"`
	// Subsumed is set when the budget allowed drops or partitions but the
	// property is one of the history: a message held to the end is then the
	// same as one lost, so the schedules that only hold messages cover them
	// (Search.faultsSubsumed), and no drop or partition was tried.
	Subsumed bool `json:"faults_subsumed,omitempty"`
	// Interchangeable lists the classes of nodes the scenario cannot tell
	// apart (the same keys replicated, the same skew, not pinned by the
	// script; strict quorums, vector clocks, a property of the history): a
	// state and its renamings within the classes are counted once, as one
	// distinct state. Written "{n1 n2 n3}", a class each; "" when no
	// renaming applies.
	Interchangeable string `json:"interchangeable,omitempty"`
	// AlikeClients lists the clients the scenario cannot tell apart once
	// their values are swapped with them (the same operations in the same
	// groups, "c1: put k v1 | c2: put k v2 ; c1: get k | c2: get k"), under
	// the same conditions: a state and its relabelings are counted once.
	// Written "{c1 c2}", a class each; "" when none.
	AlikeClients string `json:"alike_clients,omitempty"`
}

// choice is one step the search may take.
type choice struct {
	cmd   core.Command
	op    int // the script operation an issue starts; -1 otherwise
	split int // a partition's split (Search.splits)
	// to is the one node a delivery, a timeout, a crash or a restart acts
	// on (the message's destination, the request's coordinator, the node),
	// from and kind a delivery's sender and message kind; sl names a
	// delivery or a timeout in sleep sets.
	to, from core.NodeID
	kind     core.MsgKind
	sl       sleeper
	// pre is a step taken at the choice's node just before it, as one
	// choice: a crash before an issue (crashBeforeIssue), a restart
	// before an issue or a delivery (restartBeforeStep).
	pre pre
	// replica: a delivery of a request to a replica (a read or a write),
	// which the next step must follow up (stepsWait).
	replica bool
	// members, when not 0, makes the choice a quorum's completion
	// (talliesWait): the targets (by node bit) whose answers to request
	// cmd.Request, coordinated by to, complete its quorum, taken as one
	// choice of several steps: fresh are those whose replica's step is
	// taken in it first (the others' replies are held already), then
	// every member's reply is delivered (applyQuorum). kind is the
	// replies' kind. extra is how many steps it takes beyond one.
	members, fresh uint32
	extra          uint8
	// block: a replica's step that follows up one just taken (stepsWait):
	// the steps before it in their block (followUp.others) still wait.
	block bool
	// thenReply: a replica's step and then the delivery of the reply it
	// sends, as one choice of two steps (answersFollow).
	thenReply bool
	// tail: the timeouts of every request whose client waits, in the
	// order of their ids, as one choice of 1+extra steps (deferTimeouts).
	tail bool
}

// steps is how many steps a choice takes.
func (ch choice) steps() int {
	switch {
	case ch.members != 0 || ch.tail:
		return 1 + int(ch.extra)
	case ch.pre != preNone || ch.thenReply:
		return 2
	}
	return 1
}

// A followUp is what the step after a replica's step must be (stepsWait):
// a step at the same node that depends on it (node+1; 0: none, no
// replica's step was just taken), or the delivery of the reply it sent
// (reply: its digest; 0 if the reply is inert).
type followUp struct {
	reply uint64
	node  uint8
	// read: the replica's step was a read (a get's request), not a write;
	// which steps at its node depend on it follows (dependent).
	read bool
	// open: the step before was a replica's step of the same kind at the
	// same node, which depends neither on this one nor on its reply: so
	// the reply may not come next, and the run must end just before a
	// step that depends on both (stepsWait).
	open bool
	// tally: the reply it sent would only count toward its request's
	// quorum, which waits (talliesWait): so a step that depends on it
	// must come next.
	tally bool
	// others are the nodes (bits, all below node) of the replica's steps
	// taken before it in a block (talliesWait: widen) that still wait for
	// a step that depends on them, othersRead those of them that were
	// reads: the block's end must depend on them all.
	others, othersRead uint32
}

// A pre is the step a choice of two takes first: none, a crash or a
// restart of its node.
type pre uint8

const (
	preNone pre = iota
	preCrash
	preRestart
)

// preCommand is the command of the step a choice takes first.
func (ch choice) preCommand() core.Command {
	kind := core.CmdCrash
	if ch.pre == preRestart {
		kind = core.CmdRestart
	}
	return core.Command{Kind: kind, Node: ch.node()}
}

// node is the node a choice acts on: an issue's coordinator, or to.
func (ch choice) node() core.NodeID {
	if ch.op >= 0 {
		return ch.cmd.Node
	}
	return ch.to
}

// sleeper is a delivery or a timeout as a sleep set names it (sleep.go): a
// delivery by the message's content (core.HeldStep.Digest), which is the
// same in every state that holds it, whatever ids the messages got on the
// way there; a timeout by its operation (timeoutSleeper). A zero digest:
// never asleep.
type sleeper struct {
	digest uint64
	to     core.NodeID
	// ends: the step may answer a client (a put's ack, a get's reply, a
	// repair's ack, a timeout), and so may end the schedule.
	ends     bool
	delivery bool
}

// deliverySleeper names held message m in sleep sets.
func deliverySleeper(m core.HeldStep) sleeper {
	ends := m.Kind == core.MsgPutAck || m.Kind == core.MsgGetResp || m.Kind == core.MsgRepairAck
	return sleeper{digest: m.Digest, to: m.To, ends: ends, delivery: true}
}

// state is one node of the search tree, while it waits to be expanded
// and while it is: what rebuilds its schedule is kept apart, in the
// search's trail, so that nothing refers to it afterwards.
//
// (Its fields are in an order that leaves little padding: a level of a
// large search holds a million of them.)
type state struct {
	c *core.Cluster
	// at is the state's place in Search.trail once it is met (admit),
	// parent its parent's; mv is the step from the parent.
	at, parent            int32
	mv                    move
	depth                 int
	reqs                  [MaxOps]core.RequestID // per script op; 0 until issued
	half                  uint64                 // script ops whose half-timeout fired
	parts, crashes, drops int
	returned              int // script ops returned
	// after: a replica's step was just taken (stepsWait), which the next
	// step must follow up.
	after followUp
	// inert is which held messages are inert (core.Cluster.InertHeld),
	// weighed when the state was digested, if inertKnown.
	inert uint64
	// sleep lists the deliveries not to try from this state: each leads
	// where another order of the same steps, tried already, leads (see
	// Search.asleep). Dropped once the state is expanded.
	sleep      []sleeper
	answered   bool // mv answered a client (the history's results changed)
	inertKnown bool
	// spent: told as if its crash budget were spent (crashesSpent),
	// weighed once when the state is made.
	spent bool
	// tailed: its parent was offered the last group's tail, or was
	// tailed, and the step here answered no client: the tail here would
	// end in a history met already, by a shorter schedule (deferTimeouts).
	tailed bool
}

// Search is a breadth-first search in progress.
type Search struct {
	sc         Scenario
	cfg        core.Config
	ops        []Op
	groupStart []int // per op: the index of its group's first
	groupEnd   []int // per op: the index one past the end of its group
	bounds     Bounds

	level, next []*state
	// cur is the state whose steps are being tried, curChoices its
	// choices and curAt the next of them.
	cur        *state
	curChoices []choice
	curTail    bool     // cur was offered the last group's tail (state.tailed)
	choiceBuf  []choice // the backing of curChoices, reused
	curAt      int
	// visited holds the digests of the states met: by Search.hash, and
	// when states are deduplicated up to renamings (sym) also as they are,
	// not renamed (the digest under the identity), which tells a state met
	// again as itself for less. The two digests of one state are the
	// digests of two renamings of it, and a state whose digest as it is is
	// another's renamed digest is a renaming of it: one set holds both.
	visited map[uint64]struct{}
	// histories holds the digests of the final histories met (admitFinal);
	// wholeFinals tells final states apart whole instead, as any other
	// (tests whose histories tell apart more than the properties do).
	histories   map[uint64]struct{}
	wholeFinals bool
	// checks are the ways to lose what is in flight after the last return
	// still to be settled (losses), and found a counterexample among them
	// that waits for the levels before its length to be searched.
	checks  []loss
	waiting *Counterexample
	// spare is the cluster of the last state found already seen (or final,
	// admitFinal), or natively of the last state expanded
	// (recycleExpanded), which the next step clones into
	// (core.Cluster.CloneInto).
	spare *core.Cluster
	// settled is what settling a state found, by core.Cluster.SettleHash
	// (the lost-write property).
	settled map[uint64]string
	// settle settles a copy and says which write it lost (Search.settle;
	// tests replace it).
	settle func(*core.Cluster) string
	report Report
	nodes  int
	// sym is the group of renamings of interchangeable nodes states are
	// deduplicated under (symmetry); nil: none.
	sym *core.Symmetry
	// opMaps are the relabelings of sym as they rename the script's
	// operations (opMaps[r][i] is op i's image under relabeling r; the
	// first, nil, is none), and salts the scratch of their salts
	// (Search.salt).
	opMaps [][]int
	salts  []uint64
	// full turns the reductions off (faultsSubsumed and networkFaults,
	// losses, inert deliveries, the state hash's leaving out what can never
	// act again, sleep sets): tests compare the answers.
	full bool
	// por: sleep sets are on (not full, and the tick is not part of the
	// state, so that steps may commute). done lists the deliveries tried
	// so far from the state being expanded; nextOwn holds the states of the
	// next level by their own digest (with the search's), and nextCanon, when
	// states are deduplicated up to renamings, by the renamed one: the
	// sleep sets of states met again on that level meet there.
	por                bool
	timed              bool // the tick is part of the state (core.Cluster.TimeIsState)
	late               bool // a replica's steps wait for what they are for (stepsWait)
	done               []sleeper
	nextOwn, nextCanon map[uint64]*state
	heldBuf            []core.HeldStep
	keptBuf            []choice // withReplicaSteps' scratch
	splitList          []split  // splits, once made
	pendBuf            []core.PendingRequest
	spentBuf           []core.PendingRequest // crashesSpent's scratch
	quorumBuf          []quorumWait          // the pending requests' quorums (talliesWait)
	// talliesOff delivers tallies as any other reply, and tailAgain
	// offers the last group's tail after every step (tests compare).
	talliesOff, tailAgain bool
	// foreseeOff expands the states whose every end was met (foreseen;
	// tests compare), and foreseen counts those that were not.
	foreseeOff bool
	foreseen   int
	// arena is where sleep sets are cut from (sleepAfter): many small
	// slices, allocated a block at a time.
	arena []sleeper
	// later holds, by their depth, the states that choices of several
	// steps led to (crashBeforeIssue, talliesWait: postpone), and
	// promoting those of the next level's depth, to be met with its
	// first; deepCut: such a choice went past the depth bound.
	later     map[int][]pending // by the depth of their states
	laterHeld int               // how many of them keep their cluster
	bare      int               // states of the next level that came from later without one
	promoting []pending
	deepCut   bool
	// trail holds, for each distinct state met (state.at), its parent's
	// place and the step from it: the schedules. Nothing in it points
	// anywhere, so the collector never scans it, and a state expanded is
	// garbage (a million states keep 32 MB of trail, not 184 MB of states).
	trail []trailStep
	// root is the initial cluster, and rebuilt the clusters of the states
	// on the way to the last state rebuilt (rebuild): a state of the next
	// level that keeps no cluster (past the first holdMax of it) has it
	// rebuilt from the trail when expanded, so that a level of millions of
	// states holds a few hundred bytes each rather than a cluster each.
	root    *core.Cluster
	rebuilt []rebuiltState
	held    int // states of the next level that keep their cluster
	holdMax int // how many may (holdLevel, or holdFew once it outgrew that)
	// holdLevel is how many states of a level may keep their cluster
	// (holdStates, or holdFew once Shed), and holdFew how many do in a
	// level that outgrew that.
	holdLevel, holdFew int
	rebuilds           int // steps replayed to rebuild clusters (tests)
	// onNew, if set, is told each distinct state met, and onFinal each
	// whose history is final (tests).
	onNew   func(h uint64, depth int)
	onFinal func(c *core.Cluster, depth int)
}

// New starts a search of the scenario.
func New(sc Scenario, b Bounds) (*Search, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	if b.MaxDepth == 0 {
		b.MaxDepth = 60
	}
	if b.MaxStates == 0 {
		b.MaxStates = 1_000_000
	}
	switch {
	case b.MaxDepth < 1 || b.MaxDepth > MaxDepth:
		return nil, fmt.Errorf("max-depth=%d must be between 1 and %d", b.MaxDepth, MaxDepth)
	case b.MaxStates < 1 || b.MaxStates > MaxStatesUp:
		return nil, fmt.Errorf("max-states=%d must be between 1 and %d", b.MaxStates, MaxStatesUp)
	}
	if sc.SettleTicks == 0 {
		sc.SettleTicks = 5000
	}
	cfg := sc.Config
	cfg.Scripted = true
	c, err := core.New(cfg)
	if err != nil {
		return nil, err
	}
	c.DiscardEvents(true)
	c.SkipDigest()
	c.SkipRecording()
	// States that differ only in what the property does not read of real
	// time, or in the order concurrent operations were invoked, are one.
	c.DigestRealTime(sc.Property.RealTime())
	s := &Search{sc: sc, cfg: c.Config(), ops: sc.Script.Ops(), bounds: b,
		visited: map[uint64]struct{}{}, histories: map[uint64]struct{}{}, settled: map[uint64]string{}, nodes: cfg.Nodes}
	s.settle = s.settleLost
	s.sym, s.report.Interchangeable, s.report.AlikeClients, s.opMaps = symmetry(sc, c)
	s.salts = make([]uint64, max(1, len(s.opMaps)))
	if s.sym != nil {
		s.nextCanon = map[uint64]*state{}
	}
	s.timed = c.TimeIsState()
	s.por = !s.timed
	s.late = !s.timed && sc.Property != core.PropLost && cfg.Nodes <= 64
	s.nextOwn = map[uint64]*state{}
	for _, g := range sc.Script.Groups {
		start := len(s.groupEnd)
		end := start + len(g)
		for range g {
			s.groupStart = append(s.groupStart, start)
			s.groupEnd = append(s.groupEnd, end)
		}
	}
	s.holdMax, s.holdLevel, s.holdFew = holdStates, holdStates, holdFew
	root := &state{c: c, parent: -1}
	root.spent = s.crashesSpent(root)
	s.trail = []trailStep{{parent: -1}}
	s.visited[s.hash(root)] = struct{}{}
	// Cloned once hashed: the clusters rebuilt from it share its hasher
	// (and its buffers) rather than each making its own.
	s.root = c.Clone()
	if s.sym != nil {
		s.visited[s.with(root, c.RenamedStateHash(s.sym, 0)^s.salt(root, 0))] = struct{}{}
	}
	s.report.States, s.report.DistinctStates = 1, 1
	s.report.Subsumed = s.faultsSubsumed() && (sc.Budget.Drops > 0 || sc.Budget.Partitions > 0)
	s.level = []*state{root}
	return s, nil
}

// digestRealTime has the search's states digested keeping rt of the
// history's real-time order (core.Cluster.DigestRealTime), not what the
// property reads: for tests that compare what two searches reach, before
// the first step.
func (s *Search) digestRealTime(rt core.RealTime) {
	s.root.DigestRealTime(rt)
	for _, st := range s.level {
		st.c.DigestRealTime(rt)
	}
}

// setFull turns the reductions off (full), the digests' naming of the
// operations among them: for tests, before the first step.
func (s *Search) setFull() {
	s.full = true
	s.digestRealTime(core.RealTimeAsInvoked)
}

// Report is the outcome so far.
func (s *Search) Report() Report { return s.report }

// Step tries up to work states (one step from a state of the frontier
// each) and reports whether the search is done. A state's steps may span
// several calls, so that a caller slicing the search by time waits for at
// most work states, whatever a state's number of choices.
func (s *Search) Step(work int) bool {
	for work > 0 && !s.report.Done {
		if len(s.checks) > 0 {
			work--
			s.check(popFront(&s.checks))
			continue
		}
		if len(s.promoting) > 0 {
			work--
			s.promote(popFront(&s.promoting))
			continue
		}
		if s.cur == nil {
			if len(s.level) == 0 {
				if len(s.next) == 0 && len(s.later) == 0 {
					switch {
					case s.waiting != nil:
						s.finish(s.waiting)
					case s.deepCut:
						s.cut("depth")
					default:
						s.report.Done, s.report.Exhausted = true, true
					}
					return true
				}
				s.level, s.next, s.held, s.bare = s.next, nil, 0, 0
				s.holdMax = s.holdLevel
				clear(s.nextOwn)
				clear(s.nextCanon)
				s.report.Depth++
				s.promoting = s.later[s.report.Depth+1]
				delete(s.later, s.report.Depth+1)
				// Every schedule shorter than the next level's was tried.
				if s.waiting != nil && steps(s.waiting) <= s.report.Depth+1 {
					s.finish(s.waiting)
					return true
				}
			}
			if len(s.level) == 0 || len(s.promoting) > 0 {
				continue
			}
			st := popFront(&s.level)
			if st.c == nil {
				st.c = s.rebuild(st.at)
			}
			if s.endsMet(st) {
				// Met since it was admitted.
				s.foreseen++
				if recycleExpanded && s.spare == nil {
					s.spare = st.c
				}
				st.c, st.sleep = nil, nil
				work--
				continue
			}
			chs := s.choices(st)
			if st.depth >= s.bounds.MaxDepth {
				if len(chs) > 0 {
					s.cut("depth")
				}
				work--
				continue
			}
			s.report.Expanded++
			s.cur, s.curChoices, s.curAt = st, s.awake(st, chs), 0
			s.curTail = false
			for _, ch := range s.curChoices {
				s.curTail = s.curTail || ch.tail && st.reqs[len(s.ops)-1] != 0
			}
			s.done = s.done[:0]
		}
		if s.curAt == len(s.curChoices) {
			if recycleExpanded && s.spare == nil {
				s.spare = s.cur.c
			}
			s.cur.c, s.cur.sleep = nil, nil // every step from it was tried
			s.cur, s.curChoices = nil, nil
			continue
		}
		ch := s.curChoices[s.curAt]
		s.curAt++
		work--
		s.try(s.cur, ch)
		if ch.sl.digest != 0 {
			s.done = append(s.done, ch.sl)
		}
	}
	return s.report.Done
}

// recycleExpanded: the cluster of a state whose every step was tried
// serves the next step (Search.spare). Natively that makes an explored
// state a tenth cheaper (cmd/sim BenchmarkExplore, 9.0 to 9.3 simulator
// events against 9.97 to 10.29, alternating); under js/wasm it made the
// search 1 to 5% slower (the two writers and a read under Node.js, four
// pairs of runs; a fifth to two fifths in an earlier round), so there it
// does not.
const recycleExpanded = runtime.GOOS != "js"

// popFront takes the first of *q, keeping no reference to it in the
// backing array (for the collector).
func popFront[T any](q *[]T) T {
	x := (*q)[0]
	var zero T
	(*q)[0] = zero
	*q = (*q)[1:]
	return x
}

// Run steps until the search is done.
func (s *Search) Run() Report {
	for !s.Step(1 << 12) {
	}
	return s.report
}

// try takes one step from st: a new state joins the next level, unless it
// breaks the property (the search is done) or was seen before.
func (s *Search) try(st *state, ch choice) {
	if k := ch.steps(); k > 1 && st.depth+k > s.bounds.MaxDepth {
		s.deepCut = true // a choice of several steps, past the bound
		return
	}
	var next state // on the stack until it proves new
	s.step(st, ch, &next)
	s.report.States++
	s.report.Steps += next.depth - st.depth
	// (In the last group every final state is told by its history alone.)
	next.tailed = (s.curTail || st.tailed) && st == s.cur && ch.op < 0 && !next.answered && !s.tailAgain
	several := next.depth > st.depth+1 // (a replica's step and its reply may be one step: answersFollow)
	if next.returned == len(s.ops) && s.byHistory() {
		if several {
			// Steps on: met with the states of its level (promote).
			child := new(state)
			*child = next
			s.postpone(pending{st: child, final: true})
			return
		}
		s.admitFinal(&next)
		s.spare = next.c
		return
	}
	if s.endsMet(&next) {
		s.foreseen++ // nothing new ahead: neither digested nor kept
		s.spare = next.c
		return
	}
	var h, own, ownRaw uint64
	var salts []uint64 // next's salts, once taken (saltsOf)
	if s.sym != nil && !s.full && next.after.node == 0 {
		// A state met again as itself (most duplicates are) is told by its
		// own digest, cheaper than the least over the renamings.
		ownRaw, salts = next.c.RenamedStateHash(s.sym, 0), s.saltsOf(&next)
		own = s.with(&next, ownRaw^salts[0])
		if _, seen := s.visited[own]; seen {
			if several {
				// Met at this level or before: a shorter way.
			} else if p := s.nextOwn[own]; p != nil {
				s.meet(p, st, ch)
			} else if p := s.nextCanon[own]; p != nil {
				p.sleep = nil // met renamed (below)
			}
			s.spare = next.c
			return
		}
		if !several {
			s.visited[own] = struct{}{}
		}
	}
	switch {
	case next.after.node != 0 && s.sym != nil:
		// Told by its own digest: the node the next step must be on is
		// named (stepsWait).
		h = s.with(&next, next.c.RenamedStateHash(s.sym, 0)^s.salt(&next, 0))
	case s.sym != nil && !s.full:
		h = s.with(&next, next.c.SymmetricStateHashSalted(s.sym, ownRaw, true, salts))
	default:
		h = s.hash(&next)
	}
	if s.sym == nil || s.full || next.after.node != 0 {
		own = h
	}
	// (With renamings, own was just added: h == own is a state not seen.)
	if _, seen := s.visited[h]; seen && (s.sym == nil || s.full || h != own || next.after.node != 0) {
		if several {
			// Met at this level or before: a shorter way.
		} else if p := s.nextCanon[h]; p != nil {
			// Met again renamed: its sleep set names other messages.
			p.sleep = nil
			s.nextOwn[own] = p
		} else {
			s.meet(s.nextOwn[own], st, ch)
		}
		s.spare = next.c // seen before: its cluster is recycled (step)
		return
	}
	// The digests just taken weighed which held messages are inert:
	// kept, for the state's choices.
	next.inert, next.inertKnown = next.c.InertHeld()
	child := new(state)
	*child = next
	if several {
		// Steps on: met with the states of its level (promote).
		s.postpone(pending{st: child, own: own, h: h})
		return
	}
	child.sleep = s.sleepAfter(st, ch)
	s.admit(child, own, h)
}

// A trailStep is a state's entry in Search.trail.
type trailStep struct {
	parent int32 // -1: the root
	mv     move
}

// record gives st its place in the trail, after its parent's.
func (s *Search) record(st *state) {
	st.at = int32(len(s.trail))
	s.trail = append(s.trail, trailStep{parent: st.parent, mv: st.mv})
}

// A pending state is one a choice of several steps led to
// (crashBeforeIssue, talliesWait), with its digests, waiting for its level.
type pending struct {
	st     *state
	own, h uint64
	final  bool // told apart by its history (admitFinal): no digests
	held   bool // counted in Search.laterHeld
}

// postpone keeps p, a state several steps on from the level being
// expanded, until the level before its own is (promote).
func (s *Search) postpone(p pending) {
	if s.later == nil {
		s.later = map[int][]pending{}
	}
	if st := p.st; !p.final && !st.answered && st.returned < len(s.ops) {
		// Nothing reads its cluster until it is expanded (admit checks
		// only a state that answered a client): past a third of holdFew
		// of them waiting, it is rebuilt then, as a level's (rebuild).
		// (Keeping none made the smaller searches a tenth slower; keeping
		// as many as a level, the larger ones nearer the memory bound.)
		if s.laterHeld < s.holdFew/3 {
			s.laterHeld++
			p.held = true
		} else {
			if s.spare == nil {
				s.spare = st.c
			}
			st.c = nil
		}
	}
	s.later[p.st.depth] = append(s.later[p.st.depth], p)
}

// promote meets a state several steps on with the states of its level,
// before any of theirs is expanded: every state shorter is known by now,
// and one met again among them is a shorter way there.
func (s *Search) promote(p pending) {
	if p.held {
		s.laterHeld--
	}
	if p.final {
		s.admitFinal(p.st)
		p.st.c = nil
		return
	}
	_, seenOwn := s.visited[p.own]
	_, seen := s.visited[p.h]
	if seenOwn || seen {
		// Met on its level: nothing is asleep on this way there.
		if q := s.nextOwn[p.own]; q != nil {
			q.sleep = nil
		} else if q := s.nextCanon[p.h]; q != nil {
			q.sleep = nil
		}
		return
	}
	s.visited[p.own] = struct{}{}
	s.admit(p.st, p.own, p.h)
}

// admit takes in child, a state not met before, with its digests: it is
// checked, and queued for the next level unless its history is final.
func (s *Search) admit(child *state, own, h uint64) {
	s.visited[h] = struct{}{}
	s.record(child)
	if s.onNew != nil {
		s.onNew(h, child.depth)
	}
	s.report.DistinctStates++
	if why, op := s.violated(child); why != "" {
		s.found(child, why, op)
		return
	}
	if child.returned == len(s.ops) {
		// Every operation returned: the history is final (and the
		// lost-write check settled a copy already); what is still in
		// flight may yet be lost.
		if s.onFinal != nil {
			s.onFinal(child.c, child.depth)
		}
		s.checks = append(s.checks, s.losses(child)...)
	} else {
		s.next = append(s.next, child)
		s.nextOwn[own] = child
		if s.nextCanon != nil {
			s.nextCanon[h] = child
		}
		switch {
		case child.c == nil:
			// Let go of while it waited for its level (postpone).
			s.bare++
		case s.held < s.holdMax:
			s.held++
		case s.held > s.holdFew:
			s.shed() // the level outgrew holdMax
		default:
			// Rebuilt when expanded (rebuild); its cluster serves the
			// next step.
			if s.spare == nil {
				s.spare = child.c
			}
			child.c = nil
		}
	}
	if s.report.DistinctStates >= s.bounds.MaxStates {
		s.cut("states")
	}
}

// Shed lets go of the clusters that the states waiting in the next level
// keep, but those of its first few (holdFew), and from then on no level
// keeps more: for a caller whose memory runs short (sim explore, nearing
// -max-memory), where a level of hundreds of thousands of clusters is
// most of what the search holds. The search goes on the same, rebuilding
// more clusters.
func (s *Search) Shed() {
	s.holdLevel = s.holdFew
	s.shed()
}

// WatchMemory is the rule of a caller that bounds the memory a search
// holds (used, by the measure it chooses, against bound) between two of
// its batches: past three fifths of the bound the states waiting let go
// of their clusters (Shed), and past the bound the search must stop, which
// it reports (cut). A bound of 0 is none.
func (s *Search) WatchMemory(used, bound uint64) (cut bool) {
	switch {
	case bound == 0:
		return false
	case used > bound:
		return true
	case used > bound/5*3:
		s.Shed()
	}
	return false
}

// shed keeps the clusters of the next level's first holdFew states only,
// nor will the level keep more.
func (s *Search) shed() {
	if s.held > s.holdFew {
		for _, st := range s.next[s.holdFew:] {
			st.c = nil
		}
		s.held = s.holdFew
	}
	s.holdMax = min(s.holdMax, s.holdFew)
}

// byHistory reports whether the states where every operation returned are
// told apart by their history alone (admitFinal): so for every property
// but the lost write, which settles the nodes, unless the reductions are
// off.
func (s *Search) byHistory() bool {
	return !s.full && !s.wholeFinals && s.sc.Property != core.PropLost
}

// admitFinal takes in a state where every operation returned, under a
// property of the history. Nothing after it is searched (the schedule ends
// at the last answer), and the property reads the history alone: a state
// counts as distinct, and is checked, only if its history is new
// (core.Cluster.HistoryHash), or, where nodes are interchangeable, new up
// to their renamings. What the nodes hold and what is still in flight no
// longer matter, so the states that differ only there, most of the last
// level's, are neither digested whole nor kept. Levels come in order, so a
// history's first state is at its shortest depth.
func (s *Search) admitFinal(child *state) {
	c := child.c
	// As visited holds states: the digest as it is tells a history met
	// again as itself; the least over the renamings, one met renamed.
	own := s.historyDigest(c, 0)
	if _, seen := s.histories[own]; seen {
		return
	}
	s.histories[own] = struct{}{}
	least := s.finalDigest(c, own)
	if _, seen := s.histories[least]; seen && least != own {
		return
	}
	s.histories[least] = struct{}{}
	s.report.DistinctStates++
	if s.onNew != nil {
		s.onNew(least^finalTag, child.depth)
	}
	if why, op := s.violated(child); why != "" {
		s.record(child)
		s.found(child, why, op)
		return
	}
	if s.onFinal != nil {
		s.onFinal(child.c, child.depth)
	}
	if s.report.DistinctStates >= s.bounds.MaxStates {
		s.cut("states")
	}
}

// historyDigest is c's history digest under the i-th renaming (none
// without interchangeable nodes).
func (s *Search) historyDigest(c *core.Cluster, i int) uint64 {
	if s.sym == nil {
		return c.HistoryHash()
	}
	return c.RenamedHistoryHash(s.sym, i)
}

// endsMet reports whether every history st can still end in was met
// already, so that nothing ahead of it is new: a state so is neither
// digested nor kept when it is met (try), and one kept whose ends were met
// since is not expanded (Step). (Kept, such states were a fifth of the
// distinct states of two writers then two readers on four nodes with a
// crash, each digested, held and, past a level's first clusters, rebuilt
// before it was let go: 12 s became 8.7.) Where every operation began and what each still waiting would
// return is known (core.Cluster.Decided: a put's version, a get's result
// once R replicas answered), each ends in success so or in failure, in
// any order, since all began: those histories, no more
// (core.Cluster.EndedHistoryHash), each met first no later than st's
// level, before any of st's ends. Under a property of the history alone,
// met is all a search asks of them (admitFinal checked each); the states
// on the way matter to nothing else. It spares the end of a strict get
// with read repair, whose result is known once R replicas answered and
// which then waits for W to hold it: the write-back's repairs and acks,
// interleaved with the other get's. Up to maxEnds operations waiting.
func (s *Search) endsMet(st *state) bool {
	if s.foreseeOff || !s.byHistory() || s.timed || st.c == nil || st.returned == len(s.ops) {
		return false
	}
	for _, r := range st.reqs[:len(s.ops)] {
		if r == 0 {
			return false // an operation that has not begun may begin after another returned
		}
	}
	k, ok := st.c.Decided()
	if !ok || k > maxEnds {
		return false
	}
	for mask := range uint64(1) << k {
		// (The digest admitFinal keeps of every history it meets.)
		if _, met := s.histories[st.c.EndedHistoryHash(s.sym, 0, mask)]; !met {
			return false
		}
	}
	return true
}

// maxEnds is the most operations waiting whose ends endsMet weighs (each
// of their 2^k ends is digested).
const maxEnds = 3

// finalDigest is a final history's digest, the least over the renamings
// where nodes are interchangeable, given its digest as it is (own).
func (s *Search) finalDigest(c *core.Cluster, own uint64) uint64 {
	least := own
	if s.sym != nil {
		for i := 1; i < s.sym.Size(); i++ {
			least = min(least, c.RenamedHistoryHash(s.sym, i))
		}
	}
	return least
}

// finalTag sets the digests of final histories apart from the states' in
// what tests are told (onNew).
const finalTag = 0x66696e616c // "final"

func (s *Search) cut(by string) {
	s.report.Done = true
	s.report.CutBy = by
}

// choices lists the steps possible in st, in a fixed order.
func (s *Search) choices(st *state) []choice {
	c := st.c
	out := s.choiceBuf[:0] // the last state's are all tried
	// Clients: the operations of the current group not yet issued.
	first := 0
	for first < len(s.ops) && st.reqs[first] != 0 {
		first++
	}
	if first < len(s.ops) && s.groupReturned(st, first) {
		for i := first; i < s.groupEnd[first]; i++ {
			if st.reqs[i] != 0 {
				continue
			}
			op := s.ops[i]
			for n := 0; n < s.nodes; n++ {
				if op.Node != core.NoNode && core.NodeID(n) != op.Node {
					continue
				}
				out = append(out, choice{cmd: s.issue(i, core.NodeID(n)), op: i})
			}
		}
	}
	issues := len(out)
	var held []core.HeldStep
	if st.inertKnown {
		held = c.HeldStepsInert(s.heldBuf[:0], st.inert)
	} else {
		held = c.HeldSteps(s.heldBuf[:0])
	}
	s.heldBuf = held
	tallies := s.talliesWait()
	if tallies {
		s.waitingQuorums(c)
	}
	for _, m := range held {
		if !s.full && m.Inert || s.stepsWait() && replicaStep(m.Kind) || tallies && s.tally(m) {
			continue // delivered, held or lost, all the same; or see stepsWait, talliesWait
		}
		if s.faultsSubsumed() && !c.NodeUp(m.To) {
			// To a node that is down, delivery loses the message, which
			// for a property of the history is the same as holding it to
			// the end (as with drops and partitions: faultsSubsumed); it
			// may be delivered after a restart, taken with it
			// (restartBeforeStep).
			out = append(out, choice{cmd: core.Command{Kind: core.CmdDeliver, Msg: m.ID}, op: -1, to: m.To, from: m.From, kind: m.Kind, pre: preRestart})
			continue
		}
		out = append(out, choice{cmd: core.Command{Kind: core.CmdDeliver, Msg: m.ID}, op: -1,
			to: m.To, from: m.From, kind: m.Kind, sl: deliverySleeper(m)})
	}
	if tallies {
		out = s.quorums(c, held, out) // (s.pendBuf is st's already: waitingQuorums)
	} else {
		s.pendBuf = c.AppendPending(s.pendBuf[:0])
	}
	deferred, tailed := s.deferTimeouts(), false
	for _, p := range s.pendBuf {
		i := s.opOf(st, p.ID)
		switch {
		case !deferred:
			out = append(out, choice{cmd: core.Command{Kind: core.CmdTimeout, Request: p.ID}, op: -1,
				to: p.Coordinator, sl: timeoutSleeper(i, false, p.Coordinator)})
		case !tailed && !st.tailed && (i < 0 || s.groupIssued(st, i)):
			// The group's tail, every waiting request's timeout, as one
			// choice (deferTimeouts). Never asleep: the order that would
			// cover it, the timeouts first, ends the group's other steps.
			tailed = true
			out = append(out, choice{cmd: core.Command{Kind: core.CmdTimeout, Request: p.ID}, op: -1, to: p.Coordinator,
				tail: true, extra: uint8(len(s.pendBuf) - 1)})
		}
		if s.cfg.Mode == core.Sloppy && i >= 0 && st.half&(1<<i) == 0 {
			out = append(out, choice{cmd: core.Command{Kind: core.CmdTimeout, Request: p.ID, Param: "half"}, op: -1,
				to: p.Coordinator, sl: timeoutSleeper(i, true, p.Coordinator)})
		}
	}
	if s.full {
		out = s.networkFaults(st, held, out)
	}
	// Otherwise drops and partitions add nothing to a property of the
	// history (faultsSubsumed), and the lost write's wait for the end
	// (losses).
	for n := 0; n < s.nodes; n++ {
		id := core.NodeID(n)
		switch {
		case !c.NodeUp(id):
			if !s.faultsSubsumed() { // else taken with a step on id (restartBeforeStep)
				out = append(out, choice{cmd: core.Command{Kind: core.CmdRestart, Node: id}, op: -1, to: id})
			}
		case st.crashes < s.sc.Budget.Crashes && s.crashMatters(st, id):
			out = append(out, choice{cmd: core.Command{Kind: core.CmdCrash, Node: id}, op: -1, to: id})
		}
	}
	if s.faultsSubsumed() {
		for _, ch := range out[:issues] {
			switch n := ch.cmd.Node; {
			case !c.NodeUp(n):
				ch.pre = preRestart
				out = append(out, ch)
			case st.crashes < s.sc.Budget.Crashes && s.waitingAt(n) == 0:
				ch.pre = preCrash
				out = append(out, ch)
			}
		}
	}
	if s.stepsWait() {
		out = s.withReplicaSteps(st, held, out)
	}
	s.choiceBuf = out
	return out
}

// withReplicaSteps adds to a state's choices (out, which has none of a
// replica's steps) those that may be taken now (stepsWait): every request
// to a replica that is not inert, but a straggler only to a node where a
// read may be taken. Right after a replica's step, the choices are only
// the steps at its node that may depend on it (a replica's step of the
// other kind, a crash, and the local steps that write there after a read,
// or read there after a write: dependent), a replica's step there of the
// same kind where one of those may close the run, and the delivery of the
// reply it sent (not in a run); unless there are none of those: then, in
// a run, none (it cannot be closed), and otherwise every step.
func (s *Search) withReplicaSteps(st *state, held []core.HeldStep, out []choice) []choice {
	readers, again := readersIn(out, held)
	offered := func(m core.HeldStep) bool {
		return replicaStep(m.Kind) && !m.Inert && !(m.Straggler && readers&(1<<m.To) == 0)
	}
	// add adds the replica's steps offered (to node only, if not NoNode;
	// there, reads only if reads, writes only if writes); with their
	// replies (answersFollow) if follow.
	var afterRead, afterWrite uint64
	deps, all := false, out // the state's choices but the replica's steps
	add := func(out []choice, only core.NodeID, reads, writes, follow bool) []choice {
		block := only != core.NoNode // following up one just taken
		follow = follow && s.talliesWait()
		if follow && !deps {
			afterRead, afterWrite, deps = dependents(all, held)
		}
		for _, m := range held {
			if !offered(m) || only != core.NoNode && (m.To != only || !reads && m.Kind == core.MsgGetReq || !writes && m.Kind != core.MsgGetReq) {
				continue
			}
			// Never asleep, nor anything after it (sleepAfter). To a node
			// that is down, taken with its restart (restartBeforeStep).
			ch := choice{cmd: core.Command{Kind: core.CmdDeliver, Msg: m.ID}, op: -1, to: m.To, from: m.From, kind: m.Kind, replica: true, block: block}
			up := st.c.NodeUp(m.To)
			if !up {
				ch.pre = preRestart
			}
			after := afterWrite
			if m.Kind == core.MsgGetReq {
				after = afterRead
			}
			if follow && up && after&(1<<m.To) == 0 {
				// Nothing there may depend on it (answersFollow).
				if s.leftFor(m) >= 2 {
					continue // a tally's: only in its quorum's completion
				}
				ch.replica, ch.thenReply = false, true
			}
			out = append(out, ch)
		}
		return out
	}
	if f := st.after; f.node != 0 {
		n := core.NodeID(f.node - 1)
		kept := s.keptBuf[:0]
		closes := false // a step there that depends on every replica's step of its kind
		for _, ch := range out {
			// A crash there too: after it the step could not be taken (a
			// replica that is down takes no request). (No scenario of the
			// tests reaches a history only through a replica's step just
			// before its node's crash; offering it costs a few states, a
			// fifth of a percent of the four in turn with a crash.)
			crash := ch.cmd.Kind == core.CmdCrash && ch.to == n
			l, ok := local(ch)
			dep := ok && l == n && dependent(f.read, ch) || crash || quorumDepends(ch, n, f.read)
			reply := f.reply != 0 && !f.open && ch.sl.delivery && ch.sl.digest == f.reply
			if (dep || reply) && dependsOnAll(ch, f.others, f.othersRead) {
				closes = closes || dep
				kept = append(kept, ch)
			}
		}
		for _, m := range held {
			// (A straggler closes a run of reads only if a read may still
			// follow once the run's next is taken: offered.)
			closes = closes || offered(m) && m.To == n && (m.Kind == core.MsgGetReq) != f.read &&
				!(m.Straggler && again&(1<<n) == 0)
		}
		// The replica's steps there of the other kind depend on it; those
		// of its kind do not, and come next only in a run that a step
		// depending on both closes (followUp.open).
		// (Of the other kind, with its reply if nothing depends on it,
		// unless a block waits: answersFollow.)
		kept = add(kept, n, !f.read, f.read, f.others == 0)
		if closes {
			kept = add(kept, n, f.read, !f.read, false)
		}
		if len(kept) == 0 && !f.open && !f.tally && f.others == 0 {
			return add(out, core.NoNode, true, true, true) // nothing depends on it
		}
		if s.talliesWait() {
			kept = s.widen(st, held, out, kept, offered)
		}
		s.keptBuf = kept
		return append(out[:0], kept...) // none: a run that no step can close
	}
	return add(out, core.NoNode, true, true, true)
}

// dependent reports whether a step local to a replica's node (local) may
// depend on the replica's step just taken there, a read (a get's request)
// or a write: a write there after a read, a read there after a write. A
// get issued there reads its node's store and writes nothing there; a
// get's reply delivered there reads none of it (its read repair may write
// it: a merge, alike in either order with another write); a put issued
// there writes its version there, and reads the node's counter, which a
// write moves on; a sloppy half-timeout may do either.
func dependent(read bool, ch choice) bool {
	switch {
	case ch.cmd.Kind == core.CmdGet:
		return !read
	case ch.cmd.Kind == core.CmdDeliver && ch.kind == core.MsgGetResp:
		return read
	}
	return true
}

// replicaStep reports whether a message is a request to a replica: a
// read (a get's) or a write (a put's, a read repair's).
func replicaStep(k core.MsgKind) bool {
	return k == core.MsgGetReq || k == core.MsgPutReq || k == core.MsgRepair
}

// local reports whether a choice that is not a replica's step may yet
// read or write a replica's store, and at which node: its own, through a
// request it sends itself, delivered at once. An operation issued there
// (the coordinator as one of its replicas), a sloppy half-timeout there
// (which may ask its own node to stand in), a get's reply delivered there
// (its read repair may write the coordinator's own store).
func local(ch choice) (core.NodeID, bool) {
	switch {
	case ch.cmd.Kind == core.CmdGet || ch.cmd.Kind == core.CmdPut:
		return ch.cmd.Node, true
	case ch.cmd.Kind == core.CmdTimeout && ch.cmd.Param == "half",
		ch.cmd.Kind == core.CmdDeliver && ch.kind == core.MsgGetResp:
		return ch.to, true
	}
	return 0, false
}

// crashMatters reports whether a crash of node n alone, as a step of its
// own, can give a history, or a schedule to it as short, that no other
// choice gives (s.pendBuf holds st's pending requests). For a property of
// the history (faultsSubsumed) only when n coordinates requests whose
// clients wait (the crash fails them): two or more (their timeouts would
// take a step each), or one while an operation not yet issued may still be
// issued at n (the crash makes it fail at once there, one step sooner than
// the timeout and then a crash with the issue). A crash that fails one
// request, with no operation left that may go to n, gives the history of
// that request's timeout, in as many steps: what n would have done after a
// timeout (repairs from late replies) or been sent can be held instead.
// The crash that makes a later operation issued at n fail at once is taken
// with that issue (crashBeforeIssue). Any other crash can go, with its
// restart, holding instead every message the schedule delivered to n while
// it was down (lost there) or after it came back to a request the crash
// had made it forget (ignored there): n's storage, hints, dot counters and
// view are the same either way (the background mechanisms do not run
// during the search), every other step is taken alike, and the history is
// the same, one step shorter. So a shortest counterexample never needs
// another crash. Sleep sets stay sound: whether it matters changes only by
// steps on n and by issues, and a crash never sleeps, while the deliveries
// and timeouts that do sleep, on other nodes, leave it as it was.
func (s *Search) crashMatters(st *state, n core.NodeID) bool {
	if s.full || !s.faultsSubsumed() {
		return true
	}
	switch waiting := s.waitingAt(n); {
	case waiting >= 2:
		return true
	case waiting == 0:
		return false
	}
	for i, op := range s.ops {
		if st.reqs[i] == 0 && (op.Node == core.NoNode || op.Node == n) {
			return true
		}
	}
	return false
}

// crashesSpent reports whether st is told as if its crash budget were
// spent: for a property of the history, once every operation was issued
// and no node coordinates two requests whose clients wait, no crash is
// ever a choice again (crashMatters: a crash alone only at a node with two
// waiting, or one while an operation may still be issued there; and
// crashBeforeIssue only with an issue), whatever the budget left, since
// waiting requests only end and nothing more is issued. A state that has
// a crash left is then the same to the search as one that used it, and
// the two are one state: a schedule whose crash failed a request early
// meets, in the next group, the schedules where it timed out instead.
func (s *Search) crashesSpent(st *state) bool {
	switch {
	case st.crashes >= s.sc.Budget.Crashes:
		return true
	case !s.faultsSubsumed():
		return false
	}
	for _, r := range st.reqs[:len(s.ops)] {
		if r == 0 {
			return false
		}
	}
	var coordinating uint64
	s.spentBuf = st.c.AppendPending(s.spentBuf[:0])
	for _, p := range s.spentBuf {
		if coordinating&(1<<p.Coordinator) != 0 {
			return false
		}
		coordinating |= 1 << p.Coordinator
	}
	return true
}

// waitingAt is how many of s.pendBuf, the requests whose clients wait,
// node n coordinates.
func (s *Search) waitingAt(n core.NodeID) int {
	k := 0
	for _, p := range s.pendBuf {
		if p.Coordinator == n {
			k++
		}
	}
	return k
}

// Choices of two steps.
//
// crashBeforeIssue: for a property of the history, a crash of a node n that
// coordinates no request whose client waits is tried only as one choice
// with an operation issued at n, just before it (the operation fails at
// once, having written nothing). A schedule with such a crash elsewhere
// gives the history of one with the crash moved there, no longer: until
// the first operation issued at n after it, n answers no client, so (as in
// crashMatters) what n would have lost or ignored can be held instead and
// the steps between are taken alike; if n restarts before any operation is
// issued there, or none is, the crash can go (crashMatters).
//
// restartBeforeStep: likewise a node that is down is restarted only as one
// choice with a step on it, just before it: a delivery to it or an
// operation issued there. Nothing else reads whether a node is up (a
// message is lost, or not, when it is delivered; the other nodes' views
// change only by gossip, which does not run during the search), so a
// restart moves to just before the next step on its node, and one with
// none after it can go.
//
// Moving a step keeps the schedule's length, so such a choice counts two
// steps: the state it leads to waits a level before it is met
// (Search.later), and the search stays breadth first. Nothing is asleep in
// it, and it never sleeps (so sleep sets stay sound, doing less).
// TestReductionsReachEveryHistory compares the final histories, and the
// shortest schedules to them, with the search without reductions.

// faultsSubsumed reports whether lost messages (drops, and the cross-cut
// deliveries a partition turns into losses) can be left out of the search
// without changing its answer. For a property of the history (every one but
// the lost write) they can: a message the schedule never delivers is held
// to the end, and to the history a message held to the end is the same as
// one lost, while one held may still be delivered later. So any schedule
// with a drop or a partition gives the same history as a shorter one
// without them, in which the messages lost stay held, and a shortest
// counterexample never contains one. The lost-write property is different:
// it settles the cluster, which delivers what is still held; its losses
// wait for the end instead (losses).
func (s *Search) faultsSubsumed() bool {
	return !s.full && s.sc.Property != core.PropLost
}

// A loss is a way to lose messages still in flight after the last return
// (the lost-write property): the steps that lose them, taken from the
// terminal state t.
type loss struct {
	t     *state
	steps []core.Command
}

// losses lists every way to lose what is in flight in t, a state where
// every operation returned, within the budget of drops and partitions left:
// each set of messages lost once, by its fewest steps. The search settles
// t after each (check) as it does t itself.
//
// Losing a message changes nothing a node sees, so it can wait: in scripted
// mode a partition's only effect is that deliveries across its cut become
// losses (core decides partitions at delivery), and until the schedule's
// end (the last return) a message lost is the same to every node, request
// and timer as one held. Any schedule with drops and partitions therefore
// reaches, with the same steps and as many of them, the state of one that
// holds the messages it lost and loses them after the last return: drops
// there, and each partition started then with the same cut, its losses,
// and its heal. So the search leaves faults out until the last return, and
// then tries every set of held messages they could lose. And since losses
// leave the nodes as they were, many of those states settle alike
// (Search.settled).
func (s *Search) losses(t *state) []loss {
	if s.sc.Property != core.PropLost || s.full {
		return nil
	}
	held := t.c.Held()
	if !s.full {
		// Losing an inert message is the same as holding it.
		held = slices.DeleteFunc(held, func(m core.Message) bool { return t.c.Inert(m.ID) })
	}
	if len(held) > 64 {
		panic("explore: more than 64 messages in flight") // scripts are a handful of operations
	}
	// The sets reachable, by the messages lost (a bit per held message)
	// and the partitions used: the fewest steps, and how.
	type key struct {
		lost  uint64
		parts int
	}
	type way struct {
		from  key
		steps []core.Command // from from to here
		cost  int            // steps from t to here
	}
	best := map[key]way{{}: {}}
	order := []key{{}} // the keys in the order first reached
	// add records a way to reach to from from, unless one as short is
	// known. Each stage extends only keys of the stage before, whose
	// costs are final by then.
	add := func(from, to key, steps []core.Command) {
		w, seen := best[to]
		if !seen {
			order = append(order, to)
		}
		if c := best[from].cost + len(steps); !seen || c < w.cost {
			best[to] = way{from: from, steps: steps, cost: c}
		}
	}
	// Drops first, then each partition: a drop loses one message in one
	// step, a partition any of those crossing its cut, in a step each
	// besides its start (and the heal of the one before it).
	for d := 0; d < s.sc.Budget.Drops-t.drops; d++ {
		for _, k := range slices.Clone(order) {
			if k.parts != 0 || bits.OnesCount64(k.lost) != d {
				continue
			}
			for i, m := range held {
				if k.lost&(1<<i) == 0 {
					add(k, key{lost: k.lost | 1<<i}, []core.Command{{Kind: core.CmdDrop, Msg: m.ID}})
				}
			}
		}
	}
	splits := s.splits()
	for p := 0; p < s.sc.Budget.Partitions-t.parts; p++ {
		for _, k := range slices.Clone(order) {
			if k.parts != p {
				continue
			}
			for _, sp := range splits {
				var cross []int
				for i, m := range held {
					if k.lost&(1<<i) == 0 && (sp.side>>m.From)&1 != (sp.side>>m.To)&1 {
						cross = append(cross, i)
					}
				}
				for sub := uint64(1); sub < 1<<len(cross); sub++ {
					var steps []core.Command
					if k.parts > 0 {
						steps = append(steps, core.Command{Kind: core.CmdHeal})
					}
					steps = append(steps, core.Command{Kind: core.CmdPartition, Groups: sp.groups})
					lost := k.lost
					for j, i := range cross {
						if sub&(1<<j) != 0 {
							lost |= 1 << i
							steps = append(steps, core.Command{Kind: core.CmdDeliver, Msg: held[i].ID})
						}
					}
					add(k, key{lost: lost, parts: k.parts + 1}, steps)
				}
			}
		}
	}
	// One way per set lost, the shortest (the first found among equals).
	chosen := map[uint64]key{}
	for _, k := range order[1:] {
		if c, ok := chosen[k.lost]; !ok || best[k].cost < best[c].cost {
			chosen[k.lost] = k
		}
	}
	var out []loss
	for _, k := range order[1:] {
		if chosen[k.lost] != k {
			continue
		}
		var chain [][]core.Command
		for x := k; x != (key{}); x = best[x].from {
			chain = append(chain, best[x].steps)
		}
		slices.Reverse(chain)
		out = append(out, loss{t: t, steps: slices.Concat(chain...)})
	}
	return out
}

// split is a partition into two sides: side has a bit per node on n0's.
type split struct {
	side   uint64
	groups [][]core.NodeID
}

// splits lists every split of the nodes into two sides, n0's side named by
// the other nodes it holds.
func (s *Search) splits() []split {
	if s.splitList != nil {
		return s.splitList
	}
	var out []split
	for mask := 0; mask < 1<<(s.nodes-1)-1; mask++ {
		a := []core.NodeID{0}
		var b []core.NodeID
		for n := 1; n < s.nodes; n++ {
			if mask&(1<<(n-1)) != 0 {
				a = append(a, core.NodeID(n))
			} else {
				b = append(b, core.NodeID(n))
			}
		}
		out = append(out, split{side: uint64(mask)<<1 | 1, groups: [][]core.NodeID{a, b}})
	}
	s.splitList = out
	return out
}

// networkFaults appends every drop, partition and heal possible in st: the
// search without reductions (full), which tests compare with.
func (s *Search) networkFaults(st *state, held []core.HeldStep, out []choice) []choice {
	if st.drops < s.sc.Budget.Drops {
		for _, m := range held {
			out = append(out, choice{cmd: core.Command{Kind: core.CmdDrop, Msg: m.ID}, op: -1})
		}
	}
	if _, cut := st.c.PartitionSide(); cut {
		out = append(out, choice{cmd: core.Command{Kind: core.CmdHeal}, op: -1})
	} else if st.parts < s.sc.Budget.Partitions {
		for i, split := range s.splits() {
			out = append(out, choice{cmd: core.Command{Kind: core.CmdPartition, Groups: split.groups}, op: -1, split: i})
		}
	}
	return out
}

// groupReturned reports whether every operation before op's group returned.
func (s *Search) groupReturned(st *state, op int) bool {
	for i := 0; i < op; i++ {
		if s.groupEnd[i] > op {
			break // op's own group
		}
		if !st.c.Returned(st.reqs[i]) {
			return false
		}
	}
	return true
}

// groupIssued reports whether every operation of op's group was issued.
func (s *Search) groupIssued(st *state, op int) bool {
	for i := s.groupStart[op]; i < s.groupEnd[op]; i++ {
		if st.reqs[i] == 0 {
			return false
		}
	}
	return true
}

// deferTimeouts reports whether timeouts wait for the end of their group.
//
// For a property of the history, when an operation times out changes
// nothing the properties read: they read only the puts acknowledged and
// the gets answered (a failed get is left out, a failed put may take
// effect at any time after it began: core.HistoryViolations,
// check.ForSearch), and a failure's time only orders it against what
// begins after it, which for a failed operation no property reads. And a
// request that timed out is as one that waits while its coordinator hears
// nothing more of it: the replies and acks that come after are ignored,
// its requests to replicas answer nothing (core.Cluster.Inert), while its
// writes already sent still land. So a schedule with a timeout before a
// step of another kind, in the timeout's group, gives the history, as the
// properties read it, of the same schedule with the timeout moved to just
// before the group's end (holding what would have reached the request
// meanwhile), and no longer: the timeouts of a group are tried only once
// each of its operations was issued, and then all at once, as one choice
// (the group's tail: every waiting request's timeout, in the order of
// their ids; failures in either order are one history to the properties),
// after which the group has ended. That cuts the states where a failed
// operation's messages interleave with everything else. A crash that
// fails a waiting request is a step of its own (crashMatters). In the last
// group, whose tail ends the schedule in a state told by its history
// alone, the tail is not offered again after a step that answered no
// client (state.tailed): the history it would end in was met already, a
// step sooner.
// (The lost write settles the nodes, and the full search tries all.
// Where the tick is part of the state, under last-write-wins or truncated
// clocks, moving a timeout moves the ticks of the steps after it, and with
// them the timestamps of the writes they issue: not there either.)
func (s *Search) deferTimeouts() bool {
	return !s.full && !s.timed && s.sc.Property != core.PropLost
}

// stepsWait reports whether a replica's steps wait for what they are for.
//
// A replica's step is the delivery of a request to a replica: a read (a
// get's request: it answers with what the replica holds) or a write (a
// put's request, a read repair: it merges what it carries into the store,
// and acknowledges). It changes the replica's store (a write) and sends
// one reply; nothing else. So, in a schedule, it can be moved later past
// every step but those that depend on it: under vector clocks writes to
// a store merge alike in either order and reads change nothing, so only a
// read of the same store depends on a write there, and only a write on a
// read there (the replica's steps of the other kind, and the steps at its
// node that may read or write their own node's store at once, local: an
// operation issued there, a sloppy half-timeout there, a get's reply
// there, whose read repair may write the coordinator's own replica; of
// these a get issued there only reads, and a get's reply there only
// writes: dependent), and the delivery of the reply it sent. The steps in between are taken alike: none of them reads or
// writes what it does, a step it would have made dead or inert (a write
// it supersedes, a late reply it seals) is only offered more, not less,
// before it, and a request that stops waiting meanwhile (answered, timed
// out) makes the step a straggler (below) or dead. Moved so, each replica's
// step ends just before one that depends on it, in a run of such steps at
// its node, or is left out, held, when none follows: the same history, as
// the properties read it, and no longer schedule. So the search takes a
// replica's step only as the step just before another at its node that
// may depend on it or the delivery of its reply (state.after): after one,
// the choices are only the steps at its node that depend on it (the
// replica's steps of the other kind among them) and that reply. Replica's
// steps of its kind there depend on it no more than on their own: they
// come next only where a step that depends on both may follow, in a run
// of them that must end just before such a step, so the reply of a step
// in such a run does not come next (followUp.open). A straggler, a write whose
// request's client has its answer (core.HeldStep.Straggler; its ack is
// inert), is offered only where a read may follow it. Such steps never
// sleep and nothing sleeps after them: the coordinators' steps (replies,
// acks, timeouts) and the issues, offered as before, are all that sleep
// sets see. With crashes, a crash of its node is such a step too: a
// replica that is down takes no request, so moved past the crash the step
// would be lost instead (or, if the node restarts, taken after, with the
// restart: a replica's step to a node that is down is offered so,
// restartBeforeStep). Not where the tick is part of the state, nor for
// the lost write, which settles the nodes; and with renamings a
// state right after a replica's step is told by its own digest (the node
// the next step must be on has no name up to them). Where tallies wait
// (talliesWait), a replica's step whose reply is a tally is followed only
// by a step that depends on it, and several of them, at several nodes,
// may come in a block just before a quorum's completion that depends on
// them all (widen).
func (s *Search) stepsWait() bool { return s.late && !s.full }

func (s *Search) opOf(st *state, id core.RequestID) int {
	for i, r := range st.reqs[:len(s.ops)] {
		if r == id {
			return i
		}
	}
	return -1
}

// step makes the child of st by one choice, in child: a tick, then the command.
func (s *Search) step(st *state, ch choice, child *state) {
	c := st.c.CloneInto(s.spare)
	s.spare = nil
	id, steps := applyTold(c, ch, nil)
	depth := st.depth + steps
	*child = state{c: c, parent: st.at, mv: s.moveOf(ch), depth: depth, reqs: st.reqs,
		half: st.half, parts: st.parts, crashes: st.crashes, drops: st.drops}
	if ch.pre == preCrash {
		child.crashes++
	}
	switch ch.cmd.Kind {
	case core.CmdPut, core.CmdGet:
		child.reqs[ch.op] = id
	case core.CmdTimeout:
		if ch.cmd.Param == "half" {
			child.half |= 1 << s.opOf(st, ch.cmd.Request)
		}
	case core.CmdDrop:
		child.drops++
	case core.CmdPartition:
		child.parts++
	case core.CmdCrash:
		child.crashes++
	}
	for _, r := range child.reqs[:len(s.ops)] {
		if r != 0 {
			if c.Returned(r) {
				child.returned++
			}
		}
	}
	child.answered = child.returned != st.returned
	if ch.replica || ch.thenReply && steps == 1 {
		read := ch.kind == core.MsgGetReq
		child.after = followUp{node: uint8(ch.to) + 1, read: read,
			open: st.after.node == uint8(ch.to)+1 && st.after.read == read}
		if f := st.after; f.node != 0 && ch.block {
			// In a block: what waits still does, and so does the step
			// before, unless it was at the same node (widen).
			child.after.others, child.after.othersRead = f.others, f.othersRead
			if prev := f.node - 1; prev != uint8(ch.to) {
				child.after.others |= 1 << prev
				if f.read {
					child.after.othersRead |= 1 << prev
				}
			}
		}
		// The reply it sent, if it sent one, is the newest held.
		if c.HeldCount() == st.c.HeldCount() {
			if m, ok := c.LastHeld(); ok && m.From == ch.to && m.To == ch.from && !m.Inert {
				if s.talliesWait() && answer(m.Kind) && c.QuorumLeft(m.Req) >= 2 {
					child.after.tally = true // (talliesWait)
				} else {
					child.after.reply = m.Digest
				}
			}
		}
	}
	child.spent = s.crashesSpent(child)
}

// apply takes a choice's steps on c: a tick, then the command (after a
// tick and the step it takes first, if it has one). It returns the id of a
// request the command started.
func apply(c *core.Cluster, ch choice) core.RequestID {
	id, _ := applyTold(c, ch, nil)
	return id
}

// applyTold is apply, telling rec each command it takes (if rec is not
// nil), and how many steps it took.
func applyTold(c *core.Cluster, ch choice, rec func(core.Command)) (core.RequestID, int) {
	if ch.members != 0 {
		applyQuorum(c, ch, rec)
		return 0, ch.steps()
	}
	if ch.thenReply {
		if applyThenReply(c, ch, rec) {
			return 0, 2
		}
		return 0, 1
	}
	if ch.tail {
		var buf [MaxOps]core.PendingRequest
		pending := c.AppendPending(buf[:0])
		for _, p := range pending {
			cmd := core.Command{Kind: core.CmdTimeout, Request: p.ID}
			c.Tick()
			if _, err := c.Apply(cmd); err != nil {
				panic("explore: a timeout was refused: " + err.Error())
			}
			if rec != nil {
				rec(cmd)
			}
		}
		return 0, len(pending)
	}
	if ch.pre != preNone {
		c.Tick()
		if _, err := c.Apply(ch.preCommand()); err != nil {
			panic("explore: a step before a choice was refused: " + err.Error())
		}
		if rec != nil {
			rec(ch.preCommand())
		}
	}
	c.Tick()
	id, err := c.Apply(ch.cmd)
	if err != nil {
		panic("explore: a choice was refused: " + err.Error()) // choices are built valid
	}
	if rec != nil {
		rec(ch.cmd)
	}
	return id, ch.steps()
}

// holdStates is how many states of a level keep their cluster until
// they are expanded (Search.holdMax), and holdFew how many do in a level
// that has more: the others are rebuilt then. A level of a few hundred
// thousand states keeps them all, its clusters sharing most of what they
// hold with one another (a few hundred bytes each, against a step replayed
// for each state rebuilt, a tenth of the search's time), and a level of
// millions, most of whose memory they would be, keeps the first. Variables
// so that tests can make every state rebuilt.
var holdStates, holdFew = 300_000, 100_000

// A rebuiltState is a cluster rebuilt (Search.rebuild): the state's place
// in the trail, and its cluster.
type rebuiltState struct {
	at int32
	c  *core.Cluster
}

// rebuild is the cluster of the state at place at in the trail, replayed
// from the root along the steps the trail keeps. The clusters of the
// states on the way are kept (Search.rebuilt), and the next rebuild starts
// from the last of them on its own way: the states of a level are expanded
// in the order they were met, which is their parents' order, so siblings
// and cousins follow each other and most rebuilds replay a step or two.
func (s *Search) rebuild(at int32) *core.Cluster {
	var path []int32
	for i := at; s.trail[i].parent >= 0; i = s.trail[i].parent {
		path = append(path, i)
	}
	if len(path) == 0 {
		return s.root.Clone()
	}
	slices.Reverse(path)
	// The longest start of the way already rebuilt.
	k := 0
	for k < len(path) && k < len(s.rebuilt) && s.rebuilt[k].at == path[k] {
		k++
	}
	s.rebuilt = s.rebuilt[:k]
	c := s.root
	if k > 0 {
		c = s.rebuilt[k-1].c
	}
	for _, i := range path[k:] {
		mv := s.trail[i].mv
		next := c.Clone()
		apply(next, s.choiceOf(mv))
		s.rebuilds++
		c = next
		s.rebuilt = append(s.rebuilt, rebuiltState{at: i, c: c})
	}
	// The state's own cluster is its expansion's, not kept here: the
	// states it leads to are met on the next level, after this one's.
	s.rebuilt = s.rebuilt[:len(s.rebuilt)-1]
	return c
}

// hash is the state's identity: the cluster's and the search's own.
func (s *Search) hash(st *state) uint64 {
	switch {
	case s.full:
		return s.with(st, st.c.ExactStateHash()^s.salt(st, 0))
	case s.sym != nil:
		return s.with(st, st.c.SymmetricStateHashSalted(s.sym, 0, false, s.saltsOf(st)))
	}
	return s.with(st, st.c.StateHash()^s.salt(st, 0))
}

// salt is the digest of the search's own state of each operation (issued,
// its half-timeout fired) with the operations renamed by relabeling r
// (opMaps): the cluster's digest under a renaming is taken xor the salt
// of the renaming's relabeling (core.Cluster.SymmetricStateHashSalted), so
// that a state and its relabeling, whose operations are one another's,
// have the same least digest.
func (s *Search) salt(st *state, r int) uint64 {
	var issued, half uint64
	for i, req := range st.reqs[:len(s.ops)] {
		j := i
		if r > 0 {
			j = s.opMaps[r][i]
		}
		if req != 0 {
			issued |= 1 << j
		}
		half |= (st.half >> i & 1) << j
	}
	var b [2 * 8]byte
	p := binary.LittleEndian.AppendUint64(b[:0], issued)
	p = binary.LittleEndian.AppendUint64(p, half)
	return xxhash.Sum64(p)
}

// saltsOf is st's salts under every relabeling, in s.salts.
func (s *Search) saltsOf(st *state) []uint64 {
	for r := range s.salts {
		s.salts[r] = s.salt(st, r)
	}
	return s.salts
}

// with is the digest of a cluster's digest h (salted: Search.salt) and the
// rest of the search's own state, which no relabeling changes.
func (s *Search) with(st *state, h uint64) uint64 {
	var b [4 * 8]byte
	p := binary.LittleEndian.AppendUint64(b[:0], h)
	tail := uint64(st.after.node) << 49
	if st.after.read {
		tail |= 1 << 63
	}
	if st.after.open {
		tail |= 1 << 62
	}
	if st.after.tally {
		tail |= 1 << 61
	}
	crashes := st.crashes
	if st.spent {
		crashes = s.sc.Budget.Crashes // (crashesSpent)
	}
	p = binary.LittleEndian.AppendUint64(p, uint64(st.parts)|uint64(crashes)<<16|uint64(st.drops)<<32|tail)
	p = binary.LittleEndian.AppendUint64(p, st.after.reply)
	if st.after.others != 0 {
		p = binary.LittleEndian.AppendUint64(p, uint64(st.after.others)|uint64(st.after.othersRead)<<32)
	}
	return xxhash.Sum64(p)
}

// violated checks the property in a new state; it returns why (or "") and
// the violating operation.
func (s *Search) violated(child *state) (string, int) {
	switch s.sc.Property {
	case core.PropLost:
		if child.returned < len(s.ops) {
			return "", -1
		}
		// Losses after the last return leave the nodes as they were, so
		// many of those states settle alike: each is settled once.
		key := child.c.SettleHash()
		why, ok := s.settled[key]
		if !ok {
			why = s.settle(child.c.Clone())
			s.settled[key] = why
		}
		return why, -1
	}
	if !child.answered {
		return "", -1 // the history's results did not change
	}
	if s.sc.Property == core.PropLinearizable {
		h := child.c.History()
		if why := s.sc.Linearizable(h); why != "" {
			return "not linearizable: " + why, len(h) - 1
		}
		return "", -1
	}
	vs := child.c.Violations(s.sc.Property, s.sc.K)
	if len(vs) == 0 {
		return "", -1
	}
	return vs[0].Text, vs[0].Op
}

// found ends the search with the schedule to st, which breaks the
// property.
func (s *Search) found(st *state, why string, op int) {
	s.finish(s.counterexample(st, nil, why, op))
}

// counterexample is the schedule to st and then the steps after it: the
// moves to st replayed from the root, each step's command as taken.
func (s *Search) counterexample(st *state, after []core.Command, why string, op int) *Counterexample {
	var moves []move
	for i := st.at; s.trail[i].parent >= 0; i = s.trail[i].parent {
		moves = append(moves, s.trail[i].mv)
	}
	slices.Reverse(moves)
	var path []core.Command
	c := s.root.Clone()
	for _, mv := range moves {
		applyTold(c, s.choiceOf(mv), func(cmd core.Command) { path = append(path, cmd) })
	}
	path = append(path, after...)
	ce := &Counterexample{Config: s.cfg, Op: op, Violation: why, Tick: int64(len(path))}
	for i, cmd := range path {
		ce.Schedule = append(ce.Schedule, core.Recorded{Tick: int64(i + 1), Cmd: cmd})
	}
	if s.sc.Property == core.PropLost {
		ce.Schedule = append(ce.Schedule, core.Recorded{Tick: ce.Tick, Cmd: core.Command{Kind: core.CmdSettle}})
		ce.Tick += s.sc.SettleTicks
	}
	return ce
}

func (s *Search) finish(ce *Counterexample) {
	s.report.Violated, s.report.Done = true, true
	s.report.Depth = steps(ce)
	s.report.Counterexample = ce
}

// steps is a counterexample's length in steps (a lost write's settle is
// not one).
func steps(ce *Counterexample) int {
	n := len(ce.Schedule)
	if n > 0 && ce.Schedule[n-1].Cmd.Kind == core.CmdSettle {
		n--
	}
	return n
}

// check settles the terminal state after a loss (losses); a lost write
// found waits until no shorter schedule can be (Step).
func (s *Search) check(l loss) {
	c := l.t.c.Clone()
	for _, cmd := range l.steps {
		c.Tick()
		if _, err := c.Apply(cmd); err != nil {
			panic("explore: a loss was refused: " + err.Error()) // losses are built valid
		}
	}
	s.report.States++
	s.report.Steps += len(l.steps)
	key := c.SettleHash()
	why, seen := s.settled[key]
	if !seen {
		s.report.DistinctStates++
		why = s.settle(c)
		s.settled[key] = why
	}
	if why != "" && (s.waiting == nil || l.t.depth+len(l.steps) < steps(s.waiting)) {
		s.waiting = s.counterexample(l.t, l.steps, why, -1)
	}
	if s.report.DistinctStates >= s.bounds.MaxStates {
		s.cut("states")
	}
}

// settleLost settles c and says which acknowledged write it lost, or "".
func (s *Search) settleLost(c *core.Cluster) string {
	if rep := c.Settle(s.sc.SettleTicks); rep.LostWrites > 0 {
		return "lost write after settling: " + rep.Lost[0]
	}
	return ""
}

// move is a step as a state keeps it, small: the command is rebuilt from
// it (Search.command) only for a counterexample, and the states of a
// search are many.
type move struct {
	id      uint64 // the message (deliver, drop) or the request (timeout)
	kind    uint8  // in moveKinds
	half    bool   // a half-timeout
	pre     pre    // a step before it (choice.pre), at preNode
	op      int8   // the script operation an issue starts
	node    core.NodeID
	preNode core.NodeID
	split   int16 // a partition's split
}

var moveKinds = []core.CommandKind{core.CmdPut, core.CmdGet, core.CmdDeliver, core.CmdDrop,
	core.CmdTimeout, core.CmdCrash, core.CmdRestart, core.CmdHeal, core.CmdPartition}

// quorumMove is a move's kind for a quorum's completion (talliesWait):
// its id is the request's and its members' bits above them, its node
// the coordinator.
const quorumMove = 255

// thenReplyMove is a move's kind for a replica's step and its reply
// (answersFollow): its id is the request's message.
const thenReplyMove = 254

// tailMove is a move's kind for a group's tail (deferTimeouts).
const tailMove = 253

// moveOf is the move of a choice.
func (s *Search) moveOf(ch choice) move {
	if ch.members != 0 {
		return move{kind: quorumMove, id: uint64(ch.cmd.Request) | uint64(ch.members)<<32, node: ch.to, op: -1}
	}
	if ch.thenReply {
		return move{kind: thenReplyMove, id: ch.cmd.Msg, op: -1}
	}
	if ch.tail {
		return move{kind: tailMove, op: -1}
	}
	m := move{kind: uint8(slices.Index(moveKinds, ch.cmd.Kind)), node: ch.cmd.Node,
		op: int8(ch.op), split: int16(ch.split), half: ch.cmd.Param == "half", pre: ch.pre}
	if ch.pre != preNone {
		m.preNode = ch.node()
	}
	switch ch.cmd.Kind {
	case core.CmdDeliver, core.CmdDrop:
		m.id = ch.cmd.Msg
	case core.CmdTimeout:
		m.id = uint64(ch.cmd.Request)
	}
	return m
}

// choiceOf is the choice a move took.
func (s *Search) choiceOf(m move) choice {
	switch m.kind {
	case quorumMove:
		return choice{cmd: core.Command{Kind: core.CmdDeliver, Request: core.RequestID(m.id & (1<<32 - 1))},
			op: -1, to: m.node, members: uint32(m.id >> 32)}
	case thenReplyMove:
		return choice{cmd: core.Command{Kind: core.CmdDeliver, Msg: m.id}, op: -1, thenReply: true}
	case tailMove:
		return choice{cmd: core.Command{Kind: core.CmdTimeout}, op: -1, tail: true}
	}
	return choice{cmd: s.command(m), op: int(m.op), to: m.preNode, pre: m.pre}
}

// command is the command a move applied (one of one step).
func (s *Search) command(m move) core.Command {
	cmd := core.Command{Kind: moveKinds[m.kind]}
	switch cmd.Kind {
	case core.CmdPut, core.CmdGet:
		return s.issue(int(m.op), m.node)
	case core.CmdDeliver, core.CmdDrop:
		cmd.Msg = m.id
	case core.CmdTimeout:
		cmd.Request = core.RequestID(m.id)
		if m.half {
			cmd.Param = "half"
		}
	case core.CmdCrash, core.CmdRestart:
		cmd.Node = m.node
	case core.CmdPartition:
		cmd.Groups = s.splits()[m.split].groups
	}
	return cmd
}

// issue is the command that issues script operation i at node n.
func (s *Search) issue(i int, n core.NodeID) core.Command {
	op := s.ops[i]
	cmd := core.Command{Kind: core.CmdGet, Client: op.Client, Node: n, Key: op.Key}
	if op.Kind == core.OpPut {
		cmd.Kind, cmd.Value, cmd.WithContext = core.CmdPut, op.Value, true
	}
	return cmd
}
