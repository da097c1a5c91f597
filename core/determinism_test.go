package core

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// busyConfig is a run with every mechanism active: workload, all faults,
// gossip, handoff, read repair and anti-entropy.
func busyConfig(seed uint64) Config {
	cfg := DefaultConfig()
	cfg.Seed = seed
	cfg.Workload = Workload{Clients: 4, Keys: 12, PutFraction: 0.5, Ops: 300, ThinkTicksMax: 12, KeyPrefix: "cart:"}
	cfg.Faults = Faults{Kinds: FaultKinds, EveryTicks: 150, DurationTicks: 100}
	return cfg
}

// userCommands drives a cluster through every kind of command.
func userCommands(t *testing.T, c *Cluster) {
	t.Helper()
	script := []struct {
		at  int64
		cmd Command
	}{
		{40, Command{Kind: CmdPut, Node: 1, Client: 9, Key: "cart:x", Value: "a"}},
		{90, Command{Kind: CmdJoin}},
		{200, Command{Kind: CmdSet, Param: "skew:n2", Num: 7}},
		{260, Command{Kind: CmdAntiEntropy, Node: 3}},
		{400, Command{Kind: CmdGet, Node: 0, Client: 9, Key: "cart:x"}},
		{420, Command{Kind: CmdPut, Node: 2, Client: 9, Key: "cart:x", Value: "b", WithContext: true}},
	}
	for _, s := range script {
		c.RunUntil(s.at)
		if _, err := c.Apply(s.cmd); err != nil {
			t.Fatalf("tick %d: %v", s.at, err)
		}
	}
}

func TestSameSeedSameDigest(t *testing.T) {
	run := func(seed uint64) *Cluster {
		c := mustNew(t, busyConfig(seed))
		userCommands(t, c)
		c.RunUntil(1500)
		c.Settle(3000)
		return c
	}
	a, b, other := run(5), run(5), run(6)
	if a.Digest() != b.Digest() {
		t.Errorf("same seed, different digests: %s vs %s", a.Digest(), b.Digest())
	}
	if a.Digest() == other.Digest() {
		t.Errorf("seeds 5 and 6 gave the same digest")
	}
	if a.Counters().Events < 10000 {
		t.Errorf("only %d events: the run does too little to test determinism", a.Counters().Events)
	}
	// The digest is pinned in testdata, so a run on another platform (the
	// package's tests also run under js/wasm) must reproduce the native trace.
	path := filepath.Join("testdata", "busy-seed5.digest")
	if *update {
		if err := os.WriteFile(path, []byte(a.Digest()+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got := a.Digest(); got != strings.TrimSpace(string(want)) {
		t.Errorf("digest %s, pinned %s (%s/%s)", got, strings.TrimSpace(string(want)), runtime.GOOS, runtime.GOARCH)
	}
}

// A clone taken mid-run, continued the same way, produces the same trace as
// the original; the original is not disturbed by the clone.
func TestCloneContinuesIdentically(t *testing.T) {
	c := mustNew(t, busyConfig(11))
	userCommands(t, c)
	c.RunUntil(700)
	d := c.Clone()
	for _, x := range []*Cluster{c, d} {
		x.RunUntil(1200)
		x.Apply(Command{Kind: CmdCrash, Node: 1})
		x.RunUntil(1600)
	}
	if c.Digest() != d.Digest() {
		t.Errorf("clone diverged: %s vs %s", c.Digest(), d.Digest())
	}
	d.Apply(Command{Kind: CmdHeal})
	d.RunUntil(2000)
	if c.Now() != 1600 || c.Digest() == d.Digest() {
		t.Errorf("running the clone changed the original")
	}
}

// Replaying the config and the recorded commands reproduces the digest,
// settle included.
func TestReplayReproducesDigest(t *testing.T) {
	c := mustNew(t, busyConfig(21))
	userCommands(t, c)
	c.RunUntil(1200)
	c.Settle(3000)
	r, err := Replay(busyConfig(21), c.Recorded(), c.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r.Digest() != c.Digest() {
		t.Errorf("replay digest %s, original %s", r.Digest(), c.Digest())
	}
}

// The golden scenario: a short script whose event log is compared, line by
// line, with testdata/scenario.golden (go test -update rewrites it).
func TestGoldenScenario(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nodes, cfg.VNodes = 4, 8
	cfg.AntiEntropyIntervalTicks = 0
	c := mustNew(t, cfg)
	var log strings.Builder
	step := func(at int64, cmd Command) {
		c.RunUntil(at)
		if cmd.Kind != "" {
			mustApply(t, c, cmd)
		}
		for _, e := range c.Events() {
			if e.Kind == EvGossip || e.Msg == MsgGossip || e.Msg == MsgGossipReply {
				continue // gossip chatter would drown the story
			}
			log.WriteString(strconv.FormatInt(e.Tick, 10) + " " + e.String() + "\n")
		}
	}
	step(5, Command{Kind: CmdPut, Node: 0, Client: 1, Key: "cart:7", Value: "milk"})
	step(20, Command{Kind: CmdPut, Node: 3, Client: 2, Key: "cart:7", Value: "eggs"})
	step(40, Command{Kind: CmdGet, Node: 1, Client: 3, Key: "cart:7"})
	step(60, Command{Kind: CmdPut, Node: 1, Client: 3, Key: "cart:7", Value: "milk+eggs", WithContext: true})
	step(80, Command{Kind: CmdCrash, Node: 2})
	step(90, Command{Kind: CmdPartition, Groups: [][]NodeID{{0, 1}}})
	step(100, Command{Kind: CmdPut, Node: 0, Client: 1, Key: "cart:7", Value: "bread", WithContext: true})
	step(150, Command{Kind: CmdHeal})
	step(160, Command{Kind: CmdRestart, Node: 2})
	step(260, Command{})
	got := log.String()
	path := filepath.Join("testdata", "scenario.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("line %d differs:\n got: %s\nwant: %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("got %d lines, want %d", len(gl), len(wl))
	}
}

// DiscardHistory keeps no client operation and changes nothing else: the
// same trace digest, counters and settle report as a run that keeps them.
func TestDiscardHistoryChangesNothingButTheHistory(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Seed = 9
	cfg.Workload = Workload{Clients: 6, Keys: 4, PutFraction: 0.5, Ops: 1500, ThinkTicksMax: 6, KeyPrefix: "k"}
	cfg.Faults = Faults{Kinds: []FaultKind{"crash", "partition", "loss"}, EveryTicks: 60, DurationTicks: 40}
	runOnce := func(discard bool) (*Cluster, SettleReport) {
		c := mustNew(t, cfg)
		c.DiscardEvents(true)
		c.DiscardHistory(discard)
		for k := c.Counters(); k.OpsAttempted < cfg.Workload.Ops || k.OpsSucceeded+k.OpsFailed < k.OpsAttempted; k = c.Counters() {
			c.Tick()
		}
		return c, c.Settle(5000)
	}
	kept, keptRep := runOnce(false)
	gone, goneRep := runOnce(true)
	if kept.Digest() != gone.Digest() {
		t.Errorf("digests differ: %s kept, %s discarded", kept.Digest(), gone.Digest())
	}
	if !reflect.DeepEqual(kept.Counters(), gone.Counters()) || !reflect.DeepEqual(keptRep, goneRep) {
		t.Errorf("counters or settle report differ:\n%+v %+v\n%+v %+v", kept.Counters(), keptRep, gone.Counters(), goneRep)
	}
	if n := len(kept.History()); n < cfg.Workload.Ops {
		t.Errorf("the kept history has %d operations, want at least %d", n, cfg.Workload.Ops)
	}
	if n := len(gone.History()); n != 0 {
		t.Errorf("the discarded history has %d operations", n)
	}
}
