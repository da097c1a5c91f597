package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/ringlab/ringlab/check"
	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/core/ids"
	"github.com/ringlab/ringlab/internal/elapsed"
	"github.com/ringlab/ringlab/internal/memstat"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/runfmt"
)

// skewFlags collects repeated -skew NODE:TICKS flags.
type skewFlags []string

func (s *skewFlags) String() string     { return strings.Join(*s, ",") }
func (s *skewFlags) Set(v string) error { *s = append(*s, v); return nil }

// exploreReport is what `sim explore -json` prints.
type exploreReport struct {
	Command    string         `json:"command"`
	Script     string         `json:"script"`
	Property   string         `json:"property"`
	Definition string         `json:"definition"`
	Budget     explore.Budget `json:"budget"`
	// Down names the nodes down from the start (-down).
	Down           []string       `json:"down,omitempty"`
	Bounds         explore.Bounds `json:"bounds"`
	Config         core.Config    `json:"config"`
	Violated       bool           `json:"violated"`
	Exhausted      bool           `json:"exhausted"`
	CutBy          string         `json:"cut_by,omitempty"`
	States         int            `json:"states"`
	DistinctStates int            `json:"distinct_states"`
	Depth          int            `json:"depth"`
	// FaultsSubsumed: the budget allowed drops or partitions, but for this
	// property (one of the history) a message held to the end is the same
	// as one lost, so the schedules that hold messages cover them.
	FaultsSubsumed bool `json:"faults_subsumed,omitempty"`
	// Interchangeable: the classes of nodes the scenario cannot tell apart
	// ("{n1 n2 n3}"); distinct states are counted up to renaming them.
	Interchangeable string `json:"interchangeable,omitempty"`
	// AlikeClients: the classes of clients the scenario cannot tell apart
	// once their values go with them ("{c1 c2}"); distinct states are
	// counted up to relabeling them too.
	AlikeClients   string          `json:"alike_clients,omitempty"`
	Counterexample *exploreCounter `json:"counterexample"`
}

type exploreCounter struct {
	Schedule  []core.Recorded `json:"schedule"`
	Tick      int64           `json:"tick"`
	Op        int             `json:"violating_op"`
	Violation string          `json:"violation"`
	Narration []string        `json:"narration"`
	// Link opens the counterexample in the lab's quorums chapter: the
	// lab's address followed by it (sim replay -link reads it too).
	Link string `json:"link"`
}

func runExplore(args []string, stdout io.Writer) error {
	fs := newFlagSet("explore", "Searches every schedule of a small scenario (message order, loss, timeouts, faults,\n"+
		"client timing, coordinators) breadth first for the shortest one that breaks a property,\n"+
		"or reports that none exists within the bound.")
	var skews, down skewFlags
	nodes := fs.Int("nodes", 4, "nodes (1..16)")
	vnodes := fs.Int("vnodes", 8, "virtual nodes per node (1..64)")
	n := fs.Int("n", 3, "replicas per key (1..nodes)")
	w := fs.Int("w", 2, "acks a put waits for (1..N)")
	r := fs.Int("r", 2, "replies a get waits for (1..N)")
	mode := fs.String("mode", "cp", "cp (strict quorums) or ap (sloppy quorums)")
	versioning := fs.String("versioning", "vc", "vc (vector clocks) or lww (last write wins)")
	readRepair := fs.Bool("readrepair", true, "read repair (with cp, the write-back that makes reads linearizable)")
	fs.Var(&skews, "skew", "a node's clock offset in ticks, NODE:TICKS (repeatable), e.g. n0:20")
	fs.Var(&down, "down", "a node that is down from the start, e.g. n1 (repeatable); a schedule may restart it at any step, or never, and it is not one of -crashes")
	script := fs.String("script", "", "client script, e.g. \"c1: put k v1 ; c2: get k\" (; orders, | runs concurrently, c1@n2 pins the coordinator)")
	parts := fs.Int("partitions", 0, fmt.Sprintf("partitions a schedule may start (0..%d)", explore.MaxBudget))
	crashes := fs.Int("crashes", 0, fmt.Sprintf("crashes a schedule may contain (0..%d)", explore.MaxBudget))
	drops := fs.Int("drops", 0, fmt.Sprintf("messages a schedule may drop (0..%d)", explore.MaxBudget))
	property := fs.String("property", "stale", "stale, lost, linearizable, siblings:K, ryw or monotonic")
	maxDepth := fs.Int("max-depth", 60, fmt.Sprintf("most steps in a schedule (1..%d)", explore.MaxDepth))
	maxStates := fs.Int("max-states", 10_000_000, "most distinct states to visit (the time and memory bounds come first for most searches that large)")
	timeout := fs.Duration("timeout", time.Minute, "most time to search (0: no limit)")
	maxMemory := fs.Int("max-memory", 2048, "most megabytes of heap the search may hold (0: no limit): the collector keeps the heap under it, and the search stops when what it keeps passes four fifths of it; the states waiting to be searched hold copies of the cluster (a level's first 300,000, or 100,000 of a larger level or once what the collector keeps passes about half the bound) or a few hundred bytes each")
	replay := fs.String("replay", "", "write the counterexample to this file as a lab replay file")
	jsonOut := fs.Bool("json", false, "print one JSON object instead of text")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *script == "" {
		return usagef("-script is required, e.g. -script \"c1: put k v1 ; c2: get k\"")
	}
	switch {
	case *nodes < 1 || *nodes > 16:
		return usagef("-nodes=%d must be between 1 and 16 (the search is exhaustive)", *nodes)
	case *vnodes < 1 || *vnodes > 64:
		return usagef("-vnodes=%d must be between 1 and 64", *vnodes)
	case *timeout < 0:
		return usagef("-timeout=%v must not be negative (0 means no limit)", *timeout)
	case *maxMemory < 0:
		return usagef("-max-memory=%d must not be negative (0 means no limit)", *maxMemory)
	}
	cfg := core.DefaultConfig()
	cfg.Nodes, cfg.VNodes, cfg.N, cfg.W, cfg.R, cfg.ReadRepair = *nodes, *vnodes, *n, *w, *r, *readRepair
	// The mode and the versioning read as the knob table spells them
	// (cp|ap, vc|lww, and their older spellings), as sim run's flags do.
	for _, kv := range [][2]string{{"mode", *mode}, {"versioning", *versioning}} {
		k, _ := core.LookupKnob(kv[0])
		set, err := k.Parse(kv[1])
		if err != nil {
			return usagef("-%s=%q: %v", kv[0], kv[1], err)
		}
		set(&cfg)
	}
	for _, s := range skews {
		node, ticks, ok := strings.Cut(s, ":")
		id, okID := ids.Parse(node)
		v, err := strconv.ParseInt(ticks, 10, 64)
		if !ok || !okID || err != nil {
			return usagef("-skew=%q must be NODE:TICKS, e.g. n0:20", s)
		}
		if int(id) >= *nodes {
			return usagef("-skew=%q: the nodes are n0..n%d", s, *nodes-1)
		}
		for len(cfg.SkewTicks) <= int(id) {
			cfg.SkewTicks = append(cfg.SkewTicks, 0)
		}
		cfg.SkewTicks[id] = v
	}
	var downIDs []core.NodeID
	for _, d := range down {
		id, ok := ids.Parse(d)
		switch {
		case !ok:
			return usagef("-down=%q must name a node, e.g. n1", d)
		case int(id) >= *nodes:
			return usagef("-down=%q: the nodes are n0..n%d", d, *nodes-1)
		}
		downIDs = append(downIDs, id)
	}
	prop, k, err := core.ParseProperty(*property)
	if err != nil {
		return usagef("-property: %v", err)
	}
	sc, err := explore.ParseScript(*script)
	if err != nil {
		return usagef("-%v", err)
	}
	scenario := explore.Scenario{Config: cfg, Script: sc, Property: prop, K: k,
		Budget: explore.Budget{Partitions: *parts, Crashes: *crashes, Drops: *drops}, Down: downIDs}
	if prop == core.PropLinearizable {
		scenario.Linearizable = check.ForSearch(10 * time.Second)
	}
	bounds := explore.Bounds{MaxDepth: *maxDepth, MaxStates: *maxStates}
	search, err := explore.New(scenario, bounds)
	if err != nil {
		return usagef("%v", err)
	}
	bound := uint64(*maxMemory) << 20
	if bound > 0 {
		// A search keeps what it met, most of its heap, and collecting it
		// again and again is most of the collector's work: it runs when
		// the heap has grown by twice what the last collection kept (not
		// once), or nears the bound. Two writers then two readers took
		// 7.8 s instead of 9.1 to 9.6, at 1.3 GB instead of 1.0. The
		// search stops when what the collector keeps passes four fifths
		// of the bound, before collecting takes all its time.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(int64(bound)))
		defer debug.SetGCPercent(debug.SetGCPercent(200))
	}
	start := time.Now()
	cutBy := ""
	for !search.Step(256) {
		if *timeout > 0 && time.Since(start) > *timeout {
			cutBy = "time"
			break
		}
		if search.WatchMemory(memstat.Live(), bound/5*4) {
			cutBy = "memory"
			break
		}
	}
	res := search.Report()
	if !res.Done {
		res.CutBy = cutBy
	}
	rep := exploreReport{Command: "explore", Script: sc.String(), Property: *property, Definition: prop.Describe(),
		Budget: scenario.Budget, Bounds: bounds, Config: cfg, Violated: res.Violated, Exhausted: res.Exhausted,
		CutBy: res.CutBy, States: res.States, DistinctStates: res.DistinctStates, Depth: res.Depth, FaultsSubsumed: res.Subsumed,
		Interchangeable: res.Interchangeable, AlikeClients: res.AlikeClients}
	for _, id := range downIDs {
		rep.Down = append(rep.Down, id.String())
	}
	if ce := res.Counterexample; ce != nil {
		lines, err := explore.Narrate(ce)
		if err != nil {
			return err
		}
		link, err := counterexampleLink(ce)
		if err != nil {
			return err
		}
		rep.Counterexample = &exploreCounter{Schedule: ce.Schedule, Tick: ce.Tick, Op: ce.Op, Violation: ce.Violation, Narration: lines, Link: link}
		if *replay != "" {
			if err := writeReplayFile(*replay, ce); err != nil {
				return err
			}
		}
	}
	if *jsonOut {
		return writeJSON(stdout, rep)
	}
	return writeExploreText(stdout, rep, time.Since(start))
}

// counterexampleLink is the lab's link to a counterexample, opened in the
// quorums chapter's space-time diagram with the violating operation
// selected and explained (as the lab's Show me opens one: the chapter's own
// picture follows its key, not the script's) at its last tick, paused,
// without the chapter's own opening script: the schedule is the whole run.
func counterexampleLink(ce *explore.Counterexample) (string, error) {
	ch, err := findChapter("quorums")
	if err != nil {
		return "", err
	}
	cfg := ce.Config
	r := runfmt.Run{Chapter: ch.Info().ID, View: lab.ViewDiagram, Select: violating(ce), Seed: cfg.Seed, Config: &cfg, Actions: ce.Schedule, Tick: ce.Tick, Paused: true}
	return runfmt.EncodeLink(r, ch.Preset(cfg.Seed)), nil
}

// violating names the counterexample's violating operation as a link
// selects it ("op:N", N its request: requests are numbered from 1 in the
// order they start, as the history is), or "" when it names none (a lost
// write).
func violating(ce *explore.Counterexample) string {
	if ce.Op < 0 {
		return ""
	}
	return "op:" + strconv.Itoa(ce.Op+1)
}

func writeReplayFile(path string, ce *explore.Counterexample) error {
	c, err := core.Replay(ce.Config, ce.Schedule, ce.Tick)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("-replay: %v", err)
	}
	r := runfmt.NewReplay("quorums", ce.Config, ce.Schedule, ce.Tick, c.Digest())
	r.View, r.Select = lab.ViewDiagram, violating(ce) // as counterexampleLink
	data, err := runfmt.EncodeReplay(r)
	if err != nil {
		f.Close()
		return fmt.Errorf("-replay: %v", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("-replay: writing %s: %v", path, err)
	}
	return f.Close()
}

func writeExploreText(w io.Writer, r exploreReport, took time.Duration) error {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario:  %s\n", r.Script)
	mode := "strict quorums (cp)"
	if r.Config.Mode == core.Sloppy {
		mode = "sloppy quorums (ap)"
	}
	fmt.Fprintf(&b, "cluster:   %d nodes, N=%d W=%d R=%d, %s, %s, read repair %s\n", r.Config.Nodes, r.Config.N, r.Config.W, r.Config.R,
		mode, r.Config.Versioning, yesNo(r.Config.ReadRepair))
	fmt.Fprintf(&b, "faults:    up to %s, %s, %s\n", count(r.Budget.Partitions, "partition", "partitions"),
		count(r.Budget.Crashes, "crash", "crashes"), count(r.Budget.Drops, "dropped message", "dropped messages"))
	if len(r.Down) > 0 {
		fmt.Fprintf(&b, "           %s down from the start (a schedule may restart %s)\n", strings.Join(r.Down, " "), itOrThem(len(r.Down)))
	}
	if r.FaultsSubsumed {
		fmt.Fprintf(&b, "           (for this property a message held to the end is the same as one lost, so the\n"+
			"           schedules that hold messages cover every drop and partition: none is tried apart)\n")
	}
	fmt.Fprintf(&b, "property:  %s\n", r.Definition)
	fmt.Fprintf(&b, "searched:  %d states (%d distinct), depth %d, in %s\n", r.States, r.DistinctStates, r.Depth, elapsed.Brief(took))
	if r.Interchangeable != "" {
		fmt.Fprintf(&b, "           (nodes %s are interchangeable here: the same keys, any client may call\n"+
			"           them, so a state and its renamings are counted once)\n", r.Interchangeable)
	}
	if r.AlikeClients != "" {
		fmt.Fprintf(&b, "           (clients %s do alike here: a state and the one with those clients,\n"+
			"           and the values they write, swapped are counted once)\n", r.AlikeClients)
	}
	switch {
	case r.Violated:
		fmt.Fprintf(&b, "\nVIOLATED in %d steps: %s\n\n", r.Depth, r.Counterexample.Violation)
		for _, l := range r.Counterexample.Narration {
			fmt.Fprintln(&b, l)
		}
		fmt.Fprintf(&b, "\nIn the lab (its address, then this): %s\n", r.Counterexample.Link)
	case r.Exhausted:
		fmt.Fprintf(&b, "\nNo schedule of this scenario breaks it: the whole space was searched (%d distinct states).\n", r.DistinctStates)
	default:
		fmt.Fprintf(&b, "\nNo schedule found that breaks it, but the search was cut by the %s bound: not exhaustive.\n", r.CutBy)
		if flag := boundFlags[r.CutBy]; flag != "" {
			fmt.Fprintf(&b, "To search further, raise %s.\n", flag)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// boundFlags name the flag that raises each bound a search can be cut by.
var boundFlags = map[string]string{
	"depth":  "-max-depth",
	"states": "-max-states",
	"time":   "-timeout (0: no limit)",
	"memory": "-max-memory (0: no limit)",
}

// count is n with its noun, one or many.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// itOrThem is the pronoun for n nodes.
func itOrThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
