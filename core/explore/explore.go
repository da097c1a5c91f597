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
	"fmt"
	"runtime"
	"slices"

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
	// Down are the nodes that are down when the run begins (crashed at
	// tick 0, before the first step): as a crash of the schedule's, each
	// may restart at any step the search chooses, or never. They are not
	// part of the crash budget.
	Down []core.NodeID
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
	for i, n := range s.Down {
		if int(n) >= cfg.Nodes {
			return fmt.Errorf("down: %v is not a node (the nodes are n0..n%d)", n, cfg.Nodes-1)
		}
		if slices.Contains(s.Down[:i], n) {
			return fmt.Errorf("down: %v is named twice", n)
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
	// Op is the violating operation's index in the history (for a lost
	// write, the acknowledged put the settled state lost, the one
	// Violation names), and Violation says what went wrong.
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
	settled map[uint64]settledAs
	// settle settles a copy and says which write it lost and the put's
	// index in the history (Search.settleLost; tests replace it).
	settle func(*core.Cluster) (why string, op int)
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
	for _, n := range sc.Down {
		if _, err := c.Apply(core.Command{Kind: core.CmdCrash, Node: n}); err != nil {
			return nil, fmt.Errorf("down: %v", err)
		}
	}
	s := &Search{sc: sc, cfg: c.Config(), ops: sc.Script.Ops(), bounds: b,
		visited: map[uint64]struct{}{}, histories: map[uint64]struct{}{}, settled: map[uint64]settledAs{}, nodes: cfg.Nodes}
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

// settledAs is what settling a state found: the lost write (why, "" for
// none) and the put that wrote it (op, its index in the history).
type settledAs struct {
	why string
	op  int
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

func (s *Search) cut(by string) {
	s.report.Done = true
	s.report.CutBy = by
}
