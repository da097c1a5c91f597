package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/runfmt"
)

// W=R=1: the shortest stale read is two steps, and the JSON says so.
func TestExploreFindsWeakQuorumStaleRead(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "ce.json")
	obj := invokeJSON(t, "explore", "-script", "c1: put k v1 ; c2: get k", "-w", "1", "-r", "1", "-replay", file)
	if field(t, obj, "violated") != true || field(t, obj, "exhausted") != false {
		t.Errorf("violated/exhausted: %v %v", field(t, obj, "violated"), field(t, obj, "exhausted"))
	}
	if d := number(t, obj, "depth"); d != 2 {
		t.Errorf("depth %v, want 2", d)
	}
	for _, k := range []string{"states", "distinct_states"} {
		if number(t, obj, k) < 2 {
			t.Errorf("%s: %v", k, number(t, obj, k))
		}
	}
	if v, _ := field(t, obj, "counterexample", "violation").(string); !strings.Contains(v, "missing c1's put k=v1") {
		t.Errorf("violation %q", v)
	}
	// The replay file reopens the run: replayed, the read is stale.
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rf, _, err := runfmt.CheckReplay(data)
	if err != nil {
		t.Fatal(err)
	}
	c, err := core.Replay(rf.Config, rf.Actions, rf.Tick)
	if err != nil {
		t.Fatal(err)
	}
	if c.Digest() != rf.Digest || c.Counters().StaleReads != 1 || rf.Format != "ringlab-replay" {
		t.Errorf("replayed: digest %s (file %s), %d stale reads", c.Digest(), rf.Digest, c.Counters().StaleReads)
	}
	// It opens in the space-time diagram, as the lab's Show me does (the
	// chapter's own picture follows its key, not the script's).
	if rf.View != "diagram" || rf.Select != "op:2" {
		t.Errorf("the replay file opens view %q selecting %q, want the diagram and the stale read, op:2", rf.View, rf.Select)
	}
}

// Last-write-wins with n0's clock ahead loses the write whose timestamp is
// the smaller: the JSON and the link point at that put, the second.
func TestExploreLostWritePointsAtThePut(t *testing.T) {
	obj := invokeJSON(t, "explore", "-nodes", "3", "-versioning", "lww", "-skew", "n0:300",
		"-script", "c1@n0: put k left | c2@n2: put k right", "-property", "lost")
	if field(t, obj, "violated") != true {
		t.Fatal("no lost write found")
	}
	if v, _ := field(t, obj, "counterexample", "violation").(string); !strings.Contains(v, "k=right") {
		t.Errorf("violation %q: the put with the smaller timestamp is the one lost", v)
	}
	if op := number(t, obj, "counterexample", "violating_op"); op != 1 {
		t.Errorf("violating_op %v, want 1 (c2's put)", op)
	}
	if link, _ := field(t, obj, "counterexample", "link").(string); !strings.Contains(link, "select=op%3A2") {
		t.Errorf("the link does not select the lost put: %s", link)
	}
}

// N=3 W=2 R=2 with strict quorums and the read write-back: no schedule,
// even with a dropped message, gives a stale read or a history that is not
// linearizable, and the space is exhausted.
func TestExploreStrictQuorumIsSafe(t *testing.T) {
	if testing.Short() {
		t.Skip("searches the whole space")
	}
	for _, p := range []string{"stale", "linearizable"} {
		obj := invokeJSON(t, "explore", "-script", "c1: put k v1 ; c2: get k", "-property", p, "-drops", "1", "-timeout", "0")
		if field(t, obj, "violated") != false || field(t, obj, "exhausted") != true || field(t, obj, "counterexample") != nil {
			t.Errorf("%s: violated %v, exhausted %v, counterexample %v", p, field(t, obj, "violated"), field(t, obj, "exhausted"), field(t, obj, "counterexample"))
		}
		// n0 replicates no k; the three replicas are alike.
		if got := field(t, obj, "interchangeable"); got != "{n1 n2 n3}" {
			t.Errorf("%s: interchangeable %v", p, got)
		}
	}
}

// Two concurrent writers and a read that follows them, any coordinators:
// the whole space fits the default bounds (it did not before inert replies
// and interchangeable nodes were taken into account).
func TestExploreTwoWritersThenARead(t *testing.T) {
	if testing.Short() {
		t.Skip("searches the whole space")
	}
	obj := invokeJSON(t, "explore", "-script", "c1: put k v1 | c2: put k v2 ; c1: get k", "-timeout", "0")
	if field(t, obj, "violated") != false || field(t, obj, "exhausted") != true {
		t.Errorf("violated %v, exhausted %v, cut by %v", field(t, obj, "violated"), field(t, obj, "exhausted"), field(t, obj, "cut_by"))
	}
}

// Four operations in turn on three nodes: the whole space fits the default
// bounds (562,232 distinct states, about half a gigabyte).
func TestExploreFourOperationsInTurn(t *testing.T) {
	if testing.Short() {
		t.Skip("searches the whole space")
	}
	obj := invokeJSON(t, "explore", "-nodes", "3", "-script", "c1: put k v1 ; c2: get k ; c1: put k v2 ; c2: get k", "-timeout", "0")
	if field(t, obj, "violated") != false || field(t, obj, "exhausted") != true {
		t.Errorf("violated %v, exhausted %v, cut by %v", field(t, obj, "violated"), field(t, obj, "exhausted"), field(t, obj, "cut_by"))
	}
}

// A search that would outgrow -max-memory stops there and says so, with
// what it had searched.
func TestExploreMemoryBound(t *testing.T) {
	limit, percent := debug.SetMemoryLimit(-1), debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	obj := invokeJSON(t, "explore", "-script", "c1: put k v1 | c2: put k v2", "-property", "lost", "-partitions", "1", "-max-memory", "1")
	// The collector's settings for the search are the search's alone.
	if l, p := debug.SetMemoryLimit(-1), debug.SetGCPercent(percent); l != limit || p != percent {
		t.Errorf("after the search: memory limit %d, GC percent %d; before it %d, %d", l, p, limit, percent)
	}
	if field(t, obj, "cut_by") != "memory" || field(t, obj, "exhausted") != false || field(t, obj, "violated") != false {
		t.Errorf("cut_by %v, exhausted %v, violated %v", field(t, obj, "cut_by"), field(t, obj, "exhausted"), field(t, obj, "violated"))
	}
	if n, _ := field(t, obj, "distinct_states").(float64); n < 1 {
		t.Errorf("distinct_states %v", field(t, obj, "distinct_states"))
	}
}

// The same scenario with W=R=1 is not linearizable either, and porcupine
// says why.
func TestExploreLinearizabilityViolation(t *testing.T) {
	obj := invokeJSON(t, "explore", "-script", "c1: put k v1 ; c2: get k", "-w", "1", "-r", "1", "-property", "linearizable")
	if field(t, obj, "violated") != true {
		t.Fatalf("not violated: %v", obj)
	}
	if v, _ := field(t, obj, "counterexample", "violation").(string); !strings.HasPrefix(v, "not linearizable: ") {
		t.Errorf("violation %q", v)
	}
}

func TestExploreText(t *testing.T) {
	code, out, errOut := invoke("explore", "-script", "c1: put k v1 ; c2: get k", "-w", "1", "-r", "1")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"VIOLATED in 2 steps", " 1. c1's put k=v1 starts at n", "c2's get k returns nothing",
		"faults:    up to 0 partitions, 0 crashes, 0 dropped messages"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	// A small search's time reads in milliseconds, not "0.0 s".
	if !regexp.MustCompile(`depth \d+, in \d+ ms\n`).MatchString(out) {
		t.Errorf("the search's time is not in milliseconds:\n%s", out)
	}
	// The fault budget reads as English, one or many.
	_, out, _ = invoke("explore", "-script", "c1: put k v1 ; c2: get k", "-w", "1", "-r", "1", "-crashes", "1", "-drops", "2")
	if want := "faults:    up to 0 partitions, 1 crash, 2 dropped messages"; !strings.Contains(out, want) {
		t.Errorf("text lacks %q:\n%s", want, out)
	}
	// A search cut short names the flag that raises its bound.
	_, out, _ = invoke("explore", "-script", "c1: put k v1 ; c2: get k", "-max-depth", "2")
	if want := "cut by the depth bound: not exhaustive.\nTo search further, raise -max-depth.\n"; !strings.Contains(out, want) {
		t.Errorf("text lacks %q:\n%s", want, out)
	}
}

// -down starts every schedule with the node down (free to restart): the
// JSON names it, the schedule crashes it at tick 0, before the first of
// its steps (which the depth counts), the narration says so, and the link
// opens the run.
func TestExploreDownFromTheStart(t *testing.T) {
	args := []string{"explore", "-script", "c1@n1: put k v1 ; c2: get k", "-w", "1", "-r", "1", "-down", "n1"}
	obj := invokeJSON(t, args...)
	if d, _ := field(t, obj, "down").([]any); len(d) != 1 || d[0] != "n1" {
		t.Errorf("down: %v", field(t, obj, "down"))
	}
	sched, _ := field(t, obj, "counterexample", "schedule").([]any)
	if len(sched) < 2 {
		t.Fatalf("schedule %v", sched)
	}
	first, _ := sched[0].(map[string]any)
	if cmd, _ := first["cmd"].(map[string]any); first["tick"] != float64(0) || cmd["kind"] != "crash" || cmd["node"] != float64(1) {
		t.Errorf("the schedule begins %v, want n1's crash at tick 0", first)
	}
	if d := number(t, obj, "depth"); int(d) != len(sched)-1 {
		t.Errorf("depth %v for a schedule of %d entries, the first before the first step", d, len(sched))
	}
	code, out, errOut := invoke(args...)
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{"n1 down from the start (a schedule may restart it)", "    n1 is down from the start\n 1. ", "n1 restarts"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	link, _ := field(t, obj, "counterexample", "link").(string)
	fromLink := invokeJSON(t, "replay", "-json", "-link", link)
	if n := number(t, fromLink, "counters", "stale_reads"); n != 1 {
		t.Errorf("the linked run has %v stale reads, want 1", n)
	}
}

// sim run counts the session guarantees with the shared definitions: the
// weak-quorum scenario breaks them, the strict one does not.
func TestRunCountsSessionGuarantees(t *testing.T) {
	weak := invokeJSON(t, "run", "-scenario", "stale-reads")
	if number(t, weak, "read_your_writes") == 0 || number(t, weak, "monotonic_reads") == 0 {
		t.Errorf("W=R=1 under partitions: ryw %v, monotonic %v", number(t, weak, "read_your_writes"), number(t, weak, "monotonic_reads"))
	}
	strict := invokeJSON(t, "run", "-scenario", "quorum-strict")
	if number(t, strict, "read_your_writes") != 0 || number(t, strict, "monotonic_reads") != 0 {
		t.Errorf("strict quorums: ryw %v, monotonic %v", number(t, strict, "read_your_writes"), number(t, strict, "monotonic_reads"))
	}
}

// The counterexample's link opens in the lab (here in sim replay, which
// rebuilds a link as the lab does) as the same run: the digest of the
// search's schedule, with its stale read.
func TestExploreCounterexampleLinkOpensTheRun(t *testing.T) {
	obj := invokeJSON(t, "explore", "-script", "c1: put k v1 ; c2: get k", "-w", "1", "-r", "1")
	link, _ := field(t, obj, "counterexample", "link").(string)
	if !strings.HasPrefix(link, "#v=1&chapter=quorums&view=diagram&select=op%3A2&") {
		t.Fatalf("link %q", link)
	}
	file := filepath.Join(t.TempDir(), "ce.json")
	invokeJSON(t, "explore", "-script", "c1: put k v1 ; c2: get k", "-w", "1", "-r", "1", "-replay", file)
	fromFile := invokeJSON(t, "replay", "-json", "-file", file)
	fromLink := invokeJSON(t, "replay", "-json", "-link", link)
	if fromLink["digest"] != fromFile["digest"] || fromLink["tick"] != fromFile["tick"] {
		t.Errorf("the link opens tick %v digest %v; the replay file tick %v digest %v", fromLink["tick"], fromLink["digest"], fromFile["tick"], fromFile["digest"])
	}
	if n := number(t, fromLink, "counters", "stale_reads"); n != 1 {
		t.Errorf("the linked run has %v stale reads, want 1", n)
	}
	if notes, _ := fromLink["notices"].([]any); len(notes) > 0 {
		t.Errorf("the link was opened with notices: %v", notes)
	}
}

// Clients that do alike (the same operations in the same groups, their
// values swapped with them) are named in the JSON and the summary, and the
// counterexample is one of the script's own runs.
func TestExploreNamesAlikeClients(t *testing.T) {
	script := "c1: put k v1 | c2: put k v2 ; c1: get k | c2: get k"
	obj := invokeJSON(t, "explore", "-nodes", "3", "-w", "1", "-r", "1", "-script", script)
	if field(t, obj, "violated") != true || field(t, obj, "alike_clients") != "{c1 c2}" || field(t, obj, "interchangeable") != "{n0 n1 n2}" {
		t.Errorf("violated %v, alike clients %v, interchangeable %v", field(t, obj, "violated"), field(t, obj, "alike_clients"), field(t, obj, "interchangeable"))
	}
	code, out, errOut := invoke("explore", "-nodes", "3", "-w", "1", "-r", "1", "-script", script)
	if !strings.Contains(out, "clients {c1 c2} do alike here") || !strings.Contains(out, "VIOLATED") {
		t.Errorf("exit %d, %s, summary:\n%s", code, errOut, out)
	}
}
