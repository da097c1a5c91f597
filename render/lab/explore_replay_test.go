package lab

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/runfmt"
)

// A counterexample of the schedule search is an ordinary run: as a replay
// file (what `sim explore -replay` writes) the lab opens it, and at its end
// the read is stale, as the search said.
func TestSearchCounterexampleOpensAsAReplay(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.Nodes, cfg.VNodes, cfg.Mode, cfg.W, cfg.R = 4, 8, core.Strict, 1, 1
	script, err := explore.ParseScript("c1: put k v1 ; c2: get k")
	if err != nil {
		t.Fatal(err)
	}
	s, err := explore.New(explore.Scenario{Config: cfg, Script: script, Property: core.PropStale}, explore.Bounds{})
	if err != nil {
		t.Fatal(err)
	}
	ce := s.Run().Counterexample
	if ce == nil {
		t.Fatal("no counterexample")
	}
	c, err := core.Replay(ce.Config, ce.Schedule, ce.Tick)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(runfmt.Replay{Format: runfmt.ReplayFormat, Version: runfmt.ReplayVersion, Chapter: "sandbox", Seed: ce.Config.Seed,
		Tick: ce.Tick, Config: ce.Config, Actions: ce.Schedule, Digest: c.Digest()})
	if err != nil {
		t.Fatal(err)
	}
	l := newLinkLab(t, Options{Seed: 3, Chapter: "scripted"})
	l.Update(idle(), desktop)
	if msg := l.LoadReplay(data); msg != "" {
		t.Fatalf("LoadReplay: %s\n%s", msg, data)
	}
	l.Update(idle(), desktop)
	got := state(t, l)
	if got.Digest != c.Digest() || got.Tick != ce.Tick || got.Counters.StaleReads != 1 {
		t.Errorf("opened: tick %d digest %s, %d stale reads; want tick %d digest %s, 1", got.Tick, got.Digest, got.Counters.StaleReads, ce.Tick, c.Digest())
	}
	if strings.Contains(got.Notice, "differs") {
		t.Errorf("notice: %s", got.Notice)
	}
}
