package lab

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// TestKnobCommand: {"type":"knob"} takes any knob by any spelling; a live
// knob is a recorded set command (so a link carries it), another restarts
// the run with the knob changed.
func TestKnobCommand(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Paused: true})
	l.Update(idle(), desktop)
	run(t, l, `{"type":"run","value":10}`, `{"type":"knob","name":"rr","value":0}`, `{"type":"knob","name":"mode","value":"cp"}`)
	rec := l.Timeline().Recorded()
	if len(rec) != 2 || !reflect.DeepEqual(rec[0].Cmd, core.Command{Kind: core.CmdSet, Param: "read_repair", Num: 0}) ||
		!reflect.DeepEqual(rec[1].Cmd, core.Command{Kind: core.CmdSet, Param: "mode", Num: 0}) {
		t.Fatalf("recorded %+v, want set read_repair=0 and set mode=0", rec)
	}
	if c := l.Timeline().Cluster().Config(); c.ReadRepair || c.Mode != core.Strict {
		t.Errorf("config %+v", c)
	}
	if link := l.Link(); !strings.Contains(link, "10:set:param=read_repair~") {
		t.Errorf("the link lacks the set command: %s", link)
	}
	run(t, l, `{"type":"knob","name":"nodes","value":7}`)
	if s := state(t, l); len(s.Nodes) != 7 || s.Tick != 0 {
		t.Errorf("nodes=7: %d nodes at tick %d, want a restart with 7", len(s.Nodes), s.Tick)
	}
	for _, bad := range []string{`{"type":"knob","name":"colour","value":1}`, `{"type":"knob","name":"w","value":"lots"}`,
		`{"type":"knob","value":1}`, `{"type":"knob","name":"mode","value":"ca"}`} {
		if msg := l.Command(bad); msg == "" {
			t.Errorf("%s was accepted", bad)
		}
	}
}

// Faults chosen alone, on a run that injected none, get the injector's
// usual timing instead of being refused for want of one.
func TestKnobFaultsAloneGetTheUsualTiming(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Paused: true})
	l.Update(idle(), desktop)
	run(t, l, `{"type":"knob","name":"faults","value":"partition"}`)
	f := l.Timeline().Cluster().Config().Faults
	if len(f.Kinds) != 1 || f.Kinds[0] != core.FaultPartition || f.EveryTicks != core.FaultEveryDefault || f.DurationTicks != core.FaultForDefault {
		t.Errorf("faults %+v (notice %q), want partitions every %d ticks for %d", f, l.Notice(), core.FaultEveryDefault, core.FaultForDefault)
	}
}

// A knob that restarts the run keeps the live settings changed before it
// (as set commands): mode=cp, then faults, runs strict quorums with faults.
func TestKnobRestartKeepsLiveSettings(t *testing.T) {
	l := newLab(t, Options{Seed: 1, Paused: true})
	l.Update(idle(), desktop)
	run(t, l, `{"type":"knob","name":"mode","value":"cp"}`, `{"type":"knob","name":"w","value":1}`, `{"type":"knob","name":"faults","value":"crash"}`)
	c := l.Timeline().Cluster().Config()
	if c.Mode != core.Strict || c.W != 1 || len(c.Faults.Kinds) != 1 {
		t.Errorf("after mode=cp, w=1, faults=crash: mode %v, W=%d, faults %v", c.Mode, c.W, c.Faults.Kinds)
	}
}
