package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// smallRun keeps the runs of these tests short.
var smallRun = []string{"-ops", "120", "-clients", "3"}

func TestRunScenariosGiveSaneJSON(t *testing.T) {
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			obj := invokeJSON(t, append([]string{"run", "-scenario", s.name, "-seed", "2"}, smallRun...)...)
			if got := field(t, obj, "command"); got != "run" {
				t.Errorf("%s: command = %v", s.name, got)
			}
			if got := field(t, obj, "scenario"); got != s.name {
				t.Errorf("%s: scenario = %v", s.name, got)
			}
			attempted := number(t, obj, "counters", "ops_attempted")
			succeeded := number(t, obj, "counters", "ops_succeeded")
			failed := number(t, obj, "counters", "ops_failed")
			if attempted < 120 || succeeded+failed != attempted {
				t.Errorf("%s: %v attempted, %v succeeded, %v failed; want at least 120 attempted, all returned", s.name, attempted, succeeded, failed)
			}
			if succeeded == 0 {
				t.Errorf("%s: no operation succeeded", s.name)
			}
			if sent, dropped := number(t, obj, "counters", "messages_sent"), number(t, obj, "counters", "messages_dropped"); sent <= 0 || dropped > sent {
				t.Errorf("%s: %v messages sent, %v dropped", s.name, sent, dropped)
			}
			if lost := number(t, obj, "lost_writes"); lost < 0 || lost != number(t, obj, "settle", "lost_writes") {
				t.Errorf("%s: lost_writes %v disagrees with the settle report", s.name, lost)
			}
			if digest, _ := field(t, obj, "digest").(string); len(digest) != 64 {
				t.Errorf("%s: digest %q is not a hex sha256", s.name, digest)
			}
			if s.check {
				if _, ok := field(t, obj, "linearizability").(map[string]any); !ok {
					t.Errorf("%s: checked scenario has no linearizability verdict", s.name)
				}
			}
		})
	}
}

func TestRunScenarioOutcomes(t *testing.T) {
	strict := invokeJSON(t, "run", "-scenario", "quorum-strict", "-seed", "3")
	if field(t, strict, "linearizability", "ok") != true {
		t.Errorf("quorum-strict is not linearizable: %v", field(t, strict, "linearizability"))
	}
	if field(t, strict, "settle", "converged") != true {
		t.Errorf("quorum-strict did not converge after settling")
	}
	if lost := number(t, strict, "lost_writes"); lost != 0 {
		t.Errorf("quorum-strict lost %v acknowledged writes", lost)
	}
	if stale := number(t, strict, "counters", "stale_reads"); stale != 0 {
		t.Errorf("quorum-strict had %v stale reads", stale)
	}
	if failed := number(t, strict, "counters", "ops_failed"); failed == 0 {
		t.Errorf("quorum-strict: no operation failed, so the crashes did not bite")
	}

	stale := invokeJSON(t, "run", "-scenario", "stale-reads", "-seed", "3", "-ops", "600")
	if number(t, stale, "counters", "stale_reads") == 0 {
		t.Errorf("stale-reads saw no stale read")
	}
	if field(t, stale, "linearizability", "ok") != false {
		t.Errorf("stale-reads is linearizable")
	}
	violations, _ := field(t, stale, "linearizability", "violations").([]any)
	if len(violations) == 0 {
		t.Fatalf("stale-reads reports no violation")
	}
	if ops, _ := violations[0].(map[string]any)["ops"].([]any); len(ops) == 0 {
		t.Errorf("a violation names no operations: %v", violations[0])
	}

	skew := invokeJSON(t, "run", "-scenario", "lww-skew", "-seed", "3")
	if number(t, skew, "lost_writes") == 0 || number(t, skew, "counters", "lww_discards") == 0 {
		t.Errorf("lww-skew lost %v writes with %v discards; want some of both", number(t, skew, "lost_writes"), number(t, skew, "counters", "lww_discards"))
	}

	sloppy := invokeJSON(t, "run", "-scenario", "cap-partition", "-seed", "3")
	if number(t, sloppy, "counters", "hints_stored") == 0 || number(t, sloppy, "counters", "siblings_stored_max") < 2 {
		t.Errorf("cap-partition stored %v hints, at most %v siblings; want hints and siblings",
			number(t, sloppy, "counters", "hints_stored"), number(t, sloppy, "counters", "siblings_stored_max"))
	}
	if field(t, sloppy, "linearizability", "ok") != false || number(t, sloppy, "lost_writes") != 0 {
		t.Errorf("cap-partition: linearizable %v, %v writes lost; want a violation and nothing lost under vector clocks",
			field(t, sloppy, "linearizability", "ok"), number(t, sloppy, "lost_writes"))
	}

	handoff := invokeJSON(t, "run", "-scenario", "handoff", "-seed", "3")
	if number(t, handoff, "counters", "hints_stored") == 0 || number(t, handoff, "counters", "hints_handed_off") == 0 {
		t.Errorf("handoff stored %v hints and handed off %v", number(t, handoff, "counters", "hints_stored"), number(t, handoff, "counters", "hints_handed_off"))
	}

	ae := invokeJSON(t, "run", "-scenario", "anti-entropy", "-seed", "3")
	if number(t, ae, "counters", "merkle_hashes") == 0 {
		t.Errorf("anti-entropy exchanged no Merkle hashes")
	}
	if field(t, ae, "settle", "converged") != true {
		t.Errorf("anti-entropy did not converge after settling")
	}
}

func TestRunFlagsOverrideTheScenario(t *testing.T) {
	obj := invokeJSON(t, append([]string{"run", "-scenario", "stale-reads", "-w", "2", "-r", "2", "-faults", "none"}, smallRun...)...)
	if mode, versioning := field(t, obj, "config", "mode"), field(t, obj, "config", "versioning"); mode != "cp" || versioning != "lww" {
		t.Errorf("mode %v, versioning %v; want the scenario's cp and lww", mode, versioning)
	}
	if w, r := number(t, obj, "config", "w"), number(t, obj, "config", "r"); w != 2 || r != 2 {
		t.Errorf("W=%v R=%v, want the flags' 2 and 2 over the scenario's 1 and 1", w, r)
	}
	if kinds := field(t, obj, "config", "faults"); kinds.(map[string]any)["kinds"] != nil {
		t.Errorf("-faults none left faults %v", kinds)
	}
}

func TestRunSameSeedSameDigest(t *testing.T) {
	args := append([]string{"run", "-faults", "crash,partition,loss,skew", "-seed", "11"}, smallRun...)
	first := invokeJSON(t, args...)
	second := invokeJSON(t, args...)
	other := invokeJSON(t, append([]string{"run", "-faults", "crash,partition,loss,skew", "-seed", "12"}, smallRun...)...)
	if field(t, first, "digest") != field(t, second, "digest") {
		t.Errorf("same seed, different digests: %v and %v", field(t, first, "digest"), field(t, second, "digest"))
	}
	if field(t, first, "digest") == field(t, other, "digest") {
		t.Errorf("seeds 11 and 12 give the same digest")
	}
}

func TestRunTextAndHTML(t *testing.T) {
	html := filepath.Join(t.TempDir(), "history.html")
	code, stdout, stderr := invoke(append([]string{"run", "-scenario", "stale-reads", "-check-html", html}, smallRun...)...)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"operations:", "lost writes:", "stale reads:", "siblings:", "hints:",
		"read repairs:", "anti-entropy:", "messages:", "linearizable:", "trace digest:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	page, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(page), "<html") {
		t.Errorf("-check-html wrote no HTML page (%v)", err)
	}
}

// badRunInputs are invalid `sim run` command lines.
var badRunInputs = []struct {
	name string
	args []string
	want string
}{
	{"W greater than N", []string{"run", "-n", "3", "-w", "4"}, "-w=4 must be between 1 and -n=3"},
	{"R greater than N", []string{"run", "-n", "2", "-r", "3"}, "-r=3 must be between 1 and -n=2"},
	{"N greater than nodes", []string{"run", "-nodes", "3", "-n", "5"}, "-n=5 must be between 1 and -nodes=3"},
	{"zero W", []string{"run", "-w", "0"}, "-w=0"},
	{"too many nodes", []string{"run", "-nodes", "5000"}, "-nodes=5000 must be between 1 and 256"},
	{"ring too large", []string{"run", "-nodes", "200", "-vnodes", "1000"}, "ring points; sim run allows at most"},
	{"negative nodes", []string{"run", "-nodes", "-2"}, "-nodes=-2"},
	{"absurd ops", []string{"run", "-ops", "1000000000"}, "-ops=1000000000 must be between 1 and"},
	{"zero clients", []string{"run", "-clients", "0"}, "-clients=0"},
	{"absurd keys", []string{"run", "-keys", "100000000"}, "-keys=100000000"},
	{"put fraction above one", []string{"run", "-puts", "1.5"}, "-puts=1.5"},
	{"loss not a probability", []string{"run", "-loss", "-0.1"}, "-loss=-0.1"},
	{"unknown scenario", []string{"run", "-scenario", "chaos"}, `unknown scenario "chaos"; allowed: quorum-strict`},
	{"unknown fault", []string{"run", "-faults", "crash,meteor"}, `unknown fault "meteor"; allowed: crash,partition,loss,skew`},
	{"fault listed twice", []string{"run", "-faults", "crash,crash"}, "listed twice"},
	{"unknown mode", []string{"run", "-mode", "ca"}, `-mode="ca" is unknown; allowed: cp`},
	{"unknown versioning", []string{"run", "-versioning", "crdt"}, `-versioning="crdt" is unknown; allowed: vc`},
	{"zero fault interval", []string{"run", "-faults", "crash", "-fault-every", "0"}, "-fault-every=0"},
	{"negative fault duration", []string{"run", "-faults", "loss", "-fault-for", "-5"}, "-fault-for=-5"},
	{"zero settle ticks", []string{"run", "-settle-ticks", "0"}, "-settle-ticks=0"},
	{"negative check timeout", []string{"run", "-check-timeout", "-1s"}, "-check-timeout"},
	{"malformed duration", []string{"run", "-check-timeout", "soon"}, "-check-timeout"},
	{"non-numeric n", []string{"run", "-n", "three"}, "-n"},
}

func TestRunBadInputExitsTwoWithOneLine(t *testing.T) {
	for _, tc := range badRunInputs {
		code, stdout, stderr := invoke(tc.args...)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d (stderr %q)", tc.name, code, exitUsage, stderr)
		}
		if stdout != "" {
			t.Errorf("%s: printed on stdout: %q", tc.name, stdout)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
			t.Errorf("%s: stderr is not exactly one line: %q", tc.name, stderr)
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: stderr %q does not mention %q", tc.name, stderr, tc.want)
		}
	}
}

// TestRunOddButValidInputs runs corner cases that must work: exit 0 with
// every operation accounted for.
func TestRunOddButValidInputs(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"one node with every fault", []string{"-nodes", "1", "-n", "1", "-w", "1", "-r", "1", "-faults", "crash,partition,loss,skew"}},
		{"two nodes, all replicas", []string{"-nodes", "2", "-n", "2", "-w", "2", "-r", "2", "-faults", "partition", "-mode", "cp"}},
		{"one client, one key", []string{"-clients", "1", "-keys", "1"}},
		{"only gets", []string{"-puts", "0"}},
		{"only puts", []string{"-puts", "1", "-versioning", "lww", "-faults", "skew"}},
		{"every message lost", []string{"-loss", "1"}},
		{"faults every tick", []string{"-faults", "crash,partition", "-fault-every", "1", "-fault-for", "1"}},
		{"more clients than operations", []string{"-clients", "50", "-ops", "10"}},
		{"one vnode per node", []string{"-vnodes", "1", "-nodes", "3"}},
	}
	for _, tc := range tests {
		args := append([]string{"run", "-ops", "60", "-check"}, tc.args...)
		obj := invokeJSON(t, args...)
		attempted := number(t, obj, "counters", "ops_attempted")
		returned := number(t, obj, "counters", "ops_succeeded") + number(t, obj, "counters", "ops_failed")
		if attempted < 10 || returned != attempted {
			t.Errorf("%s: %v attempted, %v returned", tc.name, attempted, returned)
		}
	}
}

func TestRunHelpListsScenarios(t *testing.T) {
	code, stdout, _ := invoke("run", "-help")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, s := range scenarios {
		if !strings.Contains(stdout, s.name) {
			t.Errorf("run -help does not list scenario %s", s.name)
		}
	}
}

// TestRunSiblingsPerReadIsWhatReadsReturned: the "per read" figure is the
// largest set a get returned (the top of the histogram), which can exceed
// the largest set any one replica stored, since a get merges R replicas.
func TestRunSiblingsPerReadIsWhatReadsReturned(t *testing.T) {
	args := []string{"run", "-clients", "128", "-keys", "1", "-ops", "600", "-seed", "5"}
	obj := invokeJSON(t, args...)
	hist, _ := field(t, obj, "counters", "sibling_histogram").([]any)
	top := 0
	for k, n := range hist {
		if n.(float64) > 0 {
			top = k
		}
	}
	readMax := int(number(t, obj, "counters", "siblings_read_max"))
	storedMax := int(number(t, obj, "counters", "siblings_stored_max"))
	if top < 2 || readMax != top {
		t.Fatalf("siblings_read_max %d, largest histogram bucket %d; want them equal and siblings present", readMax, top)
	}
	_, text, _ := invoke(args...)
	want := fmt.Sprintf("siblings:       at most %d per read (largest set stored on one replica: %d);", readMax, storedMax)
	if !strings.Contains(text, want) {
		t.Errorf("text lacks %q:\n%s", want, text)
	}
}

// TestRunSiblingsWithoutASuccessfulRead: with every get failing there is
// no read to speak of, and the histogram is an empty JSON array.
func TestRunSiblingsWithoutASuccessfulRead(t *testing.T) {
	args := []string{"run", "-faults", "crash", "-fault-for", "100000", "-fault-every", "1", "-ops", "200", "-nodes", "3", "-w", "1", "-r", "3"}
	code, stdout, stderr := invoke(append(args, "-json")...)
	if code != exitOK && code != exitNotConverged {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, `"sibling_histogram": []`) {
		t.Errorf("JSON histogram is not []:\n%s", stdout)
	}
	if !strings.Contains(stdout, `"siblings_read_max": 0`) {
		t.Errorf("JSON siblings_read_max is not 0:\n%s", stdout)
	}
	_, text, _ := invoke(args...)
	if !strings.Contains(text, "siblings:       no get succeeded (largest set stored on one replica: ") {
		t.Errorf("text does not say that no get succeeded:\n%s", text)
	}
}

// TestRunSpellsModeOnce: the JSON names the mode and the versioning once,
// as the flags spell them, inside config.
func TestRunSpellsModeOnce(t *testing.T) {
	obj := invokeJSON(t, append([]string{"run", "-mode", "ap", "-versioning", "lww"}, smallRun...)...)
	if mode, versioning := field(t, obj, "config", "mode"), field(t, obj, "config", "versioning"); mode != "ap" || versioning != "lww" {
		t.Errorf("config.mode %v, config.versioning %v; want \"ap\" and \"lww\"", mode, versioning)
	}
	for _, dup := range []string{"mode", "versioning"} {
		if _, ok := obj[dup]; ok {
			t.Errorf("top-level %q repeats config.%s", dup, dup)
		}
	}
}

// TestRunNotConvergedIsProvisional: a run cut short while settling says its
// lost-write count is provisional and exits with status 3 after its report.
func TestRunNotConvergedIsProvisional(t *testing.T) {
	args := []string{"run", "-settle-ticks", "1", "-faults", "crash", "-ops", "60"}
	code, stdout, stderr := invoke(args...)
	if code != exitNotConverged {
		t.Fatalf("exit %d, want %d (stderr %q)", code, exitNotConverged, stderr)
	}
	for _, want := range []string{"NOT converged", "missing so far (provisional"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "lost for good") {
		t.Errorf("report calls the count final:\n%s", stdout)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "provisional") {
		t.Errorf("stderr is not one line about the provisional count: %q", stderr)
	}
	code, stdout, _ = invoke(append(args, "-json")...)
	if code != exitNotConverged || !strings.Contains(stdout, `"lost_writes_provisional": true`) {
		t.Errorf("-json: exit %d, output lacks lost_writes_provisional true:\n%s", code, stdout)
	}
	code, stdout, _ = invoke("run", "-faults", "crash", "-ops", "60", "-json")
	if code != exitOK || !strings.Contains(stdout, `"lost_writes_provisional": false`) {
		t.Errorf("a settled run: exit %d, lost_writes_provisional not false", code)
	}
}

// A check that outgrows -check-memory gives up undecided, at once.
func TestRunCheckMemoryBound(t *testing.T) {
	args := []string{"run", "-scenario", "quorum-strict", "-ops", "3000", "-clients", "32", "-keys", "1", "-check-memory", "1"}
	obj := invokeJSON(t, args...)
	if field(t, obj, "linearizability", "memory_bound") != true || field(t, obj, "linearizability", "unknown") != true {
		t.Fatalf("verdict %v, want undecided by the memory bound", field(t, obj, "linearizability"))
	}
	_, text, _ := invoke(args...)
	if !strings.Contains(text, "linearizable:   undecided: memory bound: the check of") {
		t.Errorf("text verdict:\n%s", text)
	}
	if code, _, stderr := invoke("run", "-check-memory", "-5"); code != exitUsage || !strings.Contains(stderr, "-check-memory=-5 must be between 0") {
		t.Errorf("-check-memory -5: exit %d, %q", code, stderr)
	}
}

// Without -check the run keeps no client history, and reports the same.
func TestRunWithoutCheckKeepsNoHistory(t *testing.T) {
	cfg := baseRunConfig()
	cfg.Faults.Kinds = []core.FaultKind{"crash", "partition"}
	kept, history, err := simulate(cfg, 20_000, true, nil)
	if err != nil || len(history) < cfg.Workload.Ops {
		t.Fatalf("with the history: %d operations, %v", len(history), err)
	}
	folded, none, err := simulate(cfg, 20_000, false, nil)
	if err != nil || none != nil {
		t.Fatalf("without the history: %d operations kept, %v", len(none), err)
	}
	// The session guarantees are counted as operations complete: the same
	// with the history or without, and as the definitions count them on
	// the history.
	if kept.ReadYourWrites == nil || folded.ReadYourWrites == nil || folded.MonotonicReads == nil {
		t.Fatalf("read-your-writes counted %v with the history, %v without", kept.ReadYourWrites, folded.ReadYourWrites)
	}
	if ryw, mono := len(core.ReadYourWrites(history, cfg.Versioning)), len(core.MonotonicReads(history, cfg.Versioning)); *kept.ReadYourWrites != ryw || *kept.MonotonicReads != mono {
		t.Errorf("counted %d and %d; the history's definitions give %d and %d", *kept.ReadYourWrites, *kept.MonotonicReads, ryw, mono)
	}
	if !reflect.DeepEqual(kept, folded) {
		t.Errorf("reports differ:\n%+v\n%+v", kept, folded)
	}
}
