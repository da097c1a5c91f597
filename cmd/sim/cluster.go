package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ringlab/ringlab/check"
	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/spacetime"
)

// Limits of `sim run` beyond those core.Config.Validate enforces, so that a
// mistyped number fails at once instead of running for hours.
//
// Every node keeps its own copy of the ring and gossips with the others, so
// memory grows with nodes * nodes * vnodes and time with nodes * nodes: the
// limits keep the largest run within a few hundred megabytes and a minute
// or so per thousand operations.
const (
	maxRunNodes       = 256
	maxRunRingPoints  = 32_768 // nodes * vnodes
	maxRunOps         = 1_000_000
	maxSettleTicks    = 1_000_000
	defaultFaultEvery = 150
	defaultFaultFor   = 80
	// The linearizability check's memory bound, in megabytes (MiB).
	defaultCheckMemoryMB = 1024
	maxCheckMemoryMB     = 1 << 20
)

// scenario is a named preset: a configuration (workload and faults
// included) and whether the run is checked for linearizability. Flags
// given on the command line override it.
type scenario struct {
	name    string
	summary string
	check   bool
	config  func() core.Config
}

// baseRunConfig is the starting point of every run: the lab's default
// cluster with a small workload and no faults.
func baseRunConfig() core.Config {
	cfg := core.DefaultConfig()
	cfg.Workload = core.Workload{
		Clients:       4,
		Keys:          8,
		PutFraction:   0.5,
		Ops:           400,
		ThinkTicksMax: 10,
		KeyPrefix:     "k",
	}
	cfg.Faults = core.Faults{EveryTicks: defaultFaultEvery, DurationTicks: defaultFaultFor}
	return cfg
}

// scenarios are the presets, in the order -help lists them.
var scenarios = []scenario{
	{
		name:    "quorum-strict",
		summary: "N=3 W=2 R=2 strict quorums, last write wins without skew, one writer per key, node crashes: linearizable, nothing lost",
		check:   true,
		config: func() core.Config {
			cfg := baseRunConfig()
			cfg.Mode = core.Strict
			cfg.Versioning = core.LWW
			cfg.Workload.SingleWriter = true
			cfg.Faults.Kinds = []core.FaultKind{"crash"}
			return cfg
		},
	},
	{
		name:    "stale-reads",
		summary: "N=3 W=1 R=1 (W+R<=N) under partitions: stale reads, not linearizable",
		check:   true,
		config: func() core.Config {
			cfg := baseRunConfig()
			cfg.Mode = core.Strict
			cfg.W, cfg.R = 1, 1
			cfg.Versioning = core.LWW
			cfg.Faults.Kinds = []core.FaultKind{"partition"}
			return cfg
		},
	},
	{
		name:    "cap-partition",
		summary: "sloppy quorums (AP) under partitions: available, with hints and siblings, not linearizable",
		check:   true,
		config: func() core.Config {
			cfg := baseRunConfig()
			cfg.Mode = core.Sloppy
			cfg.Faults.Kinds = []core.FaultKind{"partition"}
			return cfg
		},
	},
	{
		name:    "lww-skew",
		summary: "last-write-wins with clock skew and concurrent writers: acknowledged writes lost",
		config: func() core.Config {
			cfg := baseRunConfig()
			cfg.Versioning = core.LWW
			cfg.Workload.Keys = 2
			cfg.Workload.PutFraction = 0.8
			cfg.Faults.Kinds = []core.FaultKind{"skew"}
			return cfg
		},
	},
	{
		name:    "handoff",
		summary: "sloppy quorums with node crashes: hints stored on stand-ins and handed off on recovery",
		config: func() core.Config {
			cfg := baseRunConfig()
			cfg.Mode = core.Sloppy
			cfg.Faults.Kinds = []core.FaultKind{"crash"}
			return cfg
		},
	},
	{
		name:    "anti-entropy",
		summary: "message loss without read repair: replicas diverge and Merkle sync repairs them",
		config: func() core.Config {
			cfg := baseRunConfig()
			cfg.Mode = core.Strict
			cfg.ReadRepair = false
			cfg.W = 1
			cfg.Faults.Kinds = []core.FaultKind{"loss"}
			return cfg
		},
	},
}

func scenarioNames() string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

func findScenario(name string) (scenario, bool) {
	for _, s := range scenarios {
		if s.name == name {
			return s, true
		}
	}
	return scenario{}, false
}

// runConfig is the configuration as sim run reports it: the core's, with
// the mode ("cp" or "ap") and the versioning ("vc" or "lww") spelled as the
// flags spell them rather than as the core's numbers.
type runConfig struct {
	core.Config
	Mode       string `json:"mode"`
	Versioning string `json:"versioning"`
}

func newRunConfig(cfg core.Config) runConfig {
	rc := runConfig{Config: cfg, Mode: "cp", Versioning: cfg.Versioning.String()}
	if cfg.Mode == core.Sloppy {
		rc.Mode = "ap"
	}
	return rc
}

// runFlags are the flags of `sim run` as given, before they are applied to
// a configuration.
// The cluster's own settings are the knobs' flags (knobflags.go).
type runFlags struct {
	scenario      string
	knobs         *knobFlags
	seed          uint64
	settleTicks   int64
	check         bool
	checkTimeout  time.Duration
	checkMemoryMB int
	checkHTML     string
	shiviz        string
	json          bool
}

// runReport is the JSON of `sim run`.
type runReport struct {
	Command  string    `json:"command"`
	Scenario string    `json:"scenario,omitempty"`
	Config   runConfig `json:"config"`
	// WorkloadTicks is how long the workload ran; the settle report says
	// how long healing and settling took after it.
	WorkloadTicks int64             `json:"workload_ticks"`
	Settle        core.SettleReport `json:"settle"`
	Counters      core.Counters     `json:"counters"`
	// LostWrites repeats Settle.LostWrites: acknowledged puts that no
	// replica holds once the cluster is healed and settled.
	LostWrites int `json:"lost_writes"`
	// LostWritesProvisional is true when the cluster did not converge
	// within -settle-ticks: writes still on their way (in a hint, a repair
	// or an anti-entropy exchange) may yet arrive, so LostWrites counts
	// the writes missing so far, not the writes lost for good. sim run then
	// exits with status 3.
	LostWritesProvisional bool `json:"lost_writes_provisional"`
	// ReadYourWrites and MonotonicReads count the gets that break those
	// guarantees (core/properties.go defines them, as for the lab and
	// sim explore), counted as the operations complete
	// (core.Cluster.TrackSessions), with or without the history.
	ReadYourWrites *int `json:"read_your_writes,omitempty"`
	MonotonicReads *int `json:"monotonic_reads,omitempty"`
	// Linearizability is present when the run was checked.
	Linearizability *check.Result `json:"linearizability,omitempty"`
	// Digest is the hex sha256 of the event trace: the same configuration
	// and seed give the same digest.
	Digest string `json:"digest"`
}

func runCluster(args []string, stdout io.Writer) error {
	synopsis := "Runs a simulated cluster under a client workload and injected faults, then heals\n" +
		"every fault and lets the cluster settle (hints handed off, read repair and\n" +
		"anti-entropy done) before counting lost writes and convergence. If the cluster has not\n" +
		"converged when -settle-ticks runs out, the lost-write count is provisional and sim run\n" +
		"exits with status 3 after its report.\n\n" +
		"scenarios (-scenario NAME; other flags override the preset):\n" + scenarioHelp()
	fs := newFlagSet("run", synopsis)
	base := baseRunConfig()
	var f runFlags
	fs.StringVar(&f.scenario, "scenario", "", "named preset: "+scenarioNames())
	f.knobs = addKnobFlags(fs, base)
	fs.Uint64Var(&f.seed, "seed", 1, "seed of every random choice")
	fs.Int64Var(&f.settleTicks, "settle-ticks", 20_000, fmt.Sprintf("most ticks to settle after healing (1..%d)", maxSettleTicks))
	fs.BoolVar(&f.check, "check", false, "check the client history for linearizability")
	fs.DurationVar(&f.checkTimeout, "check-timeout", 30*time.Second, "time allowed to the linearizability check")
	fs.IntVar(&f.checkMemoryMB, "check-memory", defaultCheckMemoryMB, "megabytes the linearizability check may add to the heap before it gives up undecided (0: no limit)")
	fs.StringVar(&f.checkHTML, "check-html", "", "write the linearizability visualization to this HTML file (implies -check)")
	fs.StringVar(&f.shiviz, "shiviz", "", "write the run's events to this file as a ShiViz log (space-time diagram), streamed as the run goes")
	fs.BoolVar(&f.json, "json", false, "print one JSON object instead of text")
	fs.Usage = func() { writeRunUsage(fs, synopsis, base) }
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	cfg, checked, err := buildRunConfig(f, flagsSet(fs))
	if err != nil {
		return err
	}

	var trace *shivizFile
	if f.shiviz != "" {
		if trace, err = createShiViz(f.shiviz); err != nil {
			return err
		}
	}
	report, history, err := simulate(cfg, f.settleTicks, checked, trace.log())
	if cerr := trace.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	report.Scenario = f.scenario
	if checked {
		res := check.LinearizableWithin(history, check.Limits{Time: f.checkTimeout, MemoryBytes: uint64(f.checkMemoryMB) << 20})
		report.Linearizability = &res
		if f.checkHTML != "" {
			if err := writeHTMLFile(res, f.checkHTML); err != nil {
				return err
			}
		}
	}
	if f.json {
		err = writeJSON(stdout, report)
	} else {
		err = writeRunText(stdout, report)
	}
	if err == nil && report.LostWritesProvisional {
		err = notConverged{fmt.Sprintf("the cluster did not converge within -settle-ticks=%d: its lost-write count (%d) is provisional; allow more settle ticks",
			f.settleTicks, report.LostWrites)}
	}
	return err
}

// buildRunConfig applies the flags to the scenario's configuration (or the
// base one): flags given explicitly override the preset. It returns whether
// to check linearizability, and a usageError naming the flag for any
// invalid value or combination.
func buildRunConfig(f runFlags, given map[string]bool) (core.Config, bool, error) {
	cfg := baseRunConfig()
	checked := false
	if f.scenario != "" {
		s, ok := findScenario(f.scenario)
		if !ok {
			return cfg, false, usagef("unknown scenario %q; allowed: %s", f.scenario, scenarioNames())
		}
		cfg = s.config()
		checked = s.check
	}
	if given["check"] {
		checked = f.check
	}
	if f.checkHTML != "" {
		checked = true
	}

	// Range checks on the flags themselves, named as the user typed them.
	switch {
	case f.settleTicks < 1 || f.settleTicks > maxSettleTicks:
		return cfg, false, usagef("-settle-ticks=%d must be between 1 and %d", f.settleTicks, maxSettleTicks)
	case f.checkTimeout < 0:
		return cfg, false, usagef("-check-timeout=%v must not be negative (0 means no limit)", f.checkTimeout)
	case f.checkMemoryMB < 0 || f.checkMemoryMB > maxCheckMemoryMB:
		return cfg, false, usagef("-check-memory=%d must be between 0 (no limit) and %d megabytes", f.checkMemoryMB, maxCheckMemoryMB)
	}

	if err := f.knobs.apply(&cfg); err != nil {
		return cfg, false, err
	}
	cfg.Seed = f.seed

	// Combinations, checked in the order a reader would fix them.
	switch {
	case cfg.Nodes*cfg.VNodes > maxRunRingPoints:
		return cfg, false, usagef("-nodes=%d times -vnodes=%d is %d ring points; sim run allows at most %d (every node keeps a copy of the ring)",
			cfg.Nodes, cfg.VNodes, cfg.Nodes*cfg.VNodes, maxRunRingPoints)
	case cfg.N < 1 || cfg.N > cfg.Nodes:
		return cfg, false, usagef("-n=%d must be between 1 and -nodes=%d: a key cannot have more replicas than there are nodes", cfg.N, cfg.Nodes)
	case cfg.W < 1 || cfg.W > cfg.N:
		return cfg, false, usagef("-w=%d must be between 1 and -n=%d: a put cannot wait for more acks than there are replicas", cfg.W, cfg.N)
	case cfg.R < 1 || cfg.R > cfg.N:
		return cfg, false, usagef("-r=%d must be between 1 and -n=%d: a get cannot wait for more replies than there are replicas", cfg.R, cfg.N)
	case len(cfg.Faults.Kinds) > 0 && (cfg.Faults.EveryTicks < 1 || cfg.Faults.EveryTicks > core.MaxIntervalTicks):
		return cfg, false, usagef("-fault-every=%d must be between 1 and %d ticks", cfg.Faults.EveryTicks, core.MaxIntervalTicks)
	case len(cfg.Faults.Kinds) > 0 && (cfg.Faults.DurationTicks < 1 || cfg.Faults.DurationTicks > core.MaxIntervalTicks):
		return cfg, false, usagef("-fault-for=%d must be between 1 and %d ticks", cfg.Faults.DurationTicks, core.MaxIntervalTicks)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, false, usagef("invalid configuration: %v", err)
	}
	return cfg, checked, nil
}

// parseFaults reads -faults: a comma-separated list of core.FaultKinds,
// each at most once, or "none" (or nothing) for no faults.
func parseFaults(s string) ([]core.FaultKind, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return nil, nil
	}
	all := strings.Join(core.FaultKindNames(), ",")
	var kinds []core.FaultKind
	for _, part := range strings.Split(s, ",") {
		k := core.FaultKind(strings.TrimSpace(part))
		switch {
		case !slices.Contains(core.FaultKinds, k):
			return nil, usagef("-faults: unknown fault %q; allowed: %s (comma-separated), or none", k, all)
		case slices.Contains(kinds, k):
			return nil, usagef("-faults: %q is listed twice; list each of %s at most once", k, all)
		}
		kinds = append(kinds, k)
	}
	return kinds, nil
}

func scenarioHelp() string {
	var b strings.Builder
	for _, s := range scenarios {
		checked := ""
		if s.check {
			checked = " [turns -check on]"
		}
		fmt.Fprintf(&b, "  %-14s %s%s\n", s.name, s.summary, checked)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// simulate runs cfg until its workload has issued and finished every
// operation, then settles the cluster. It returns the report (without the
// linearizability verdict) and, when keepHistory is set, the client
// history; otherwise the cluster keeps no operation, and the run needs
// memory for the cluster's state and the oracle's record of acknowledged
// writes only (see the README's performance section).
//
// With a ShiViz log (sv, or nil), every event is written to it as the run
// goes, a tick at a time; without, the cluster keeps no event (the digest
// still covers them all).
func simulate(cfg core.Config, settleTicks int64, keepHistory bool, sv *spacetime.ShiViz) (runReport, []core.Op, error) {
	c, err := core.New(cfg)
	if err != nil {
		return runReport{}, nil, fmt.Errorf("cannot build the cluster: %v", err)
	}
	c.DiscardEvents(sv == nil)
	drain := func() error {
		if sv == nil {
			return nil
		}
		if err := sv.Add(c.Events()); err != nil {
			return fmt.Errorf("-shiviz: %v", err)
		}
		return nil
	}
	if err := drain(); err != nil {
		return runReport{}, nil, err
	}
	c.DiscardHistory(!keepHistory)
	c.TrackSessions()
	// Every operation ends within the request timeout after it starts, and
	// a client thinks at most ThinkTicksMax between two, so this bounds a
	// correct run generously; passing it means the workload is stuck.
	w := cfg.Workload
	perOp := cfg.RequestTimeoutTicks + w.ThinkTicksMax + 2*cfg.LatencyMaxTicks + 1
	limit := c.Now() + (int64(w.Ops)/int64(max(w.Clients, 1))+1)*perOp*2 + 1000
	for !workloadDone(c.Counters(), w.Ops) {
		if c.Now() >= limit {
			return runReport{}, nil, fmt.Errorf("the workload did not finish %d operations within %d ticks", w.Ops, limit)
		}
		c.Tick()
		if err := drain(); err != nil {
			return runReport{}, nil, err
		}
	}
	report := runReport{Command: "run", Config: newRunConfig(cfg), WorkloadTicks: c.Now()}
	report.Settle = c.Settle(settleTicks)
	if err := drain(); err != nil {
		return runReport{}, nil, err
	}
	report.Counters = c.Counters()
	if report.Counters.SiblingReads == nil {
		report.Counters.SiblingReads = []int{} // [] rather than null in JSON
	}
	report.LostWrites = report.Settle.LostWrites
	report.LostWritesProvisional = !report.Settle.Converged
	report.Digest = c.Digest()
	ryw, mono := c.SessionViolations()
	report.ReadYourWrites, report.MonotonicReads = &ryw, &mono
	if !keepHistory {
		return report, nil, nil
	}
	return report, c.History(), nil
}

// workloadDone reports whether ops operations were issued and all of them
// have returned.
func workloadDone(k core.Counters, ops int) bool {
	return k.OpsAttempted >= ops && k.OpsSucceeded+k.OpsFailed >= k.OpsAttempted
}

func writeHTMLFile(res check.Result, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("-check-html: %v", err)
	}
	if err := res.WriteHTML(f); err != nil {
		f.Close()
		return fmt.Errorf("-check-html: writing %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("-check-html: writing %s: %v", path, err)
	}
	return nil
}

func writeRunText(w io.Writer, r runReport) error {
	c := r.Config.Config
	k := r.Counters
	var b strings.Builder
	name := "custom"
	if r.Scenario != "" {
		name = r.Scenario
	}
	mode := "strict quorums (CP)"
	if c.Mode == core.Sloppy {
		mode = "sloppy quorums (AP)"
	}
	versioning := "vector clocks"
	if c.Versioning == core.LWW {
		versioning = "last write wins"
	}
	faults := "no faults"
	if len(c.Faults.Kinds) > 0 {
		kinds, _ := core.LookupKnob("faults")
		faults = fmt.Sprintf("faults %s every %d ticks for %d", kinds.Format(&c), c.Faults.EveryTicks, c.Faults.DurationTicks)
	}
	fmt.Fprintf(&b, "run %s: %d nodes x %d vnodes; N=%d W=%d R=%d, %s, %s; %d clients, %d keys, %d ops; %s; seed %d\n",
		name, c.Nodes, c.VNodes, c.N, c.W, c.R, mode, versioning,
		c.Workload.Clients, c.Workload.Keys, c.Workload.Ops, faults, c.Seed)
	fmt.Fprintf(&b, "  operations:     %d attempted, %d succeeded, %d failed (puts %d ok, %d failed; gets %d ok, %d failed)\n",
		k.OpsAttempted, k.OpsSucceeded, k.OpsFailed, k.PutsOK, k.PutsFailed, k.GetsOK, k.GetsFailed)
	if r.LostWritesProvisional {
		fmt.Fprintf(&b, "  lost writes:    %d acknowledged writes missing so far (provisional: the cluster did not converge while settling)\n", r.LostWrites)
	} else {
		fmt.Fprintf(&b, "  lost writes:    %d acknowledged writes lost for good after healing and settling\n", r.LostWrites)
	}
	fmt.Fprintf(&b, "  stale reads:    %d\n", k.StaleReads)
	if r.ReadYourWrites != nil {
		fmt.Fprintf(&b, "  sessions:       %d reads missed the client's own write, %d went back in time (monotonic reads)\n", *r.ReadYourWrites, *r.MonotonicReads)
	}
	fmt.Fprintf(&b, "  siblings:       %s\n", siblingsText(k))
	fmt.Fprintf(&b, "  lww discards:   %d\n", k.LWWDiscards)
	fmt.Fprintf(&b, "  hints:          %d stored, %d handed off\n", k.HintsStored, k.HintsHandedOff)
	fmt.Fprintf(&b, "  read repairs:   %d\n", k.ReadRepairs)
	fmt.Fprintf(&b, "  anti-entropy:   %d Merkle hashes and %d keys exchanged\n", k.MerkleHashes, k.MerkleKeys)
	fmt.Fprintf(&b, "  messages:       %d sent, %d dropped; %d gossip exchanges\n", k.MessagesSent, k.MessagesDropped, k.GossipExchanges)
	fmt.Fprintf(&b, "  settled:        %s after %d ticks of workload and %d of settling\n",
		convergedText(r.Settle.Converged), r.WorkloadTicks, r.Settle.Ticks)
	if r.Linearizability != nil {
		fmt.Fprintf(&b, "  linearizable:   %s\n", strings.ReplaceAll(r.Linearizability.String(), "\n", "\n    "))
	}
	fmt.Fprintf(&b, "  trace digest:   sha256 %s (%d events)\n", r.Digest, k.Events)
	_, err := io.WriteString(w, b.String())
	return err
}

func convergedText(ok bool) string {
	if ok {
		return "every replica of every key identical"
	}
	return "NOT converged: replicas still differ"
}

// siblingsText is the siblings line: the largest set a read returned, the
// largest set a replica stored (a read merges R replicas' sets, so it can
// return more than any one of them held) and the reads by size.
func siblingsText(k core.Counters) string {
	stored := fmt.Sprintf("largest set stored on one replica: %d", k.SiblingsMax)
	if k.GetsOK == 0 {
		return "no get succeeded (" + stored + ")"
	}
	return fmt.Sprintf("at most %d per read (%s); reads by versions returned: %s", k.SiblingsReadMax, stored, histogram(k.SiblingReads))
}

// histogram renders [k] = count as "1:380 2:12", skipping zero counts.
func histogram(h []int) string {
	var parts []string
	for versions, count := range h {
		if count > 0 {
			parts = append(parts, fmt.Sprintf("%d:%d", versions, count))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}
