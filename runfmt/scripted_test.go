package runfmt

import (
	"reflect"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// A scripted run (a schedule the search found) round-trips through a link:
// the scripted flag and the deliver, drop and timeout actions with their
// message and request ids.
func TestScriptedRunLinkRoundTrips(t *testing.T) {
	base := core.DefaultConfig()
	cfg := base
	cfg.Scripted = true
	cfg.Workload, cfg.Faults = core.Workload{}, core.Faults{}
	acts := []core.Recorded{
		{Tick: 1, Cmd: core.Command{Kind: core.CmdPut, Node: 0, Client: 1, Key: "k", Value: "v1", WithContext: true}},
		{Tick: 2, Cmd: core.Command{Kind: core.CmdDeliver, Msg: 2}},
		{Tick: 3, Cmd: core.Command{Kind: core.CmdDrop, Msg: 3}},
		{Tick: 4, Cmd: core.Command{Kind: core.CmdTimeout, Request: 1, Param: "half"}},
	}
	link := EncodeLink(Run{Chapter: "sandbox", Seed: 1, Config: &cfg, Actions: acts, ScriptKept: -1}, Preset{Config: base})
	k := ParseLink(link)
	if len(k.Notices) > 0 {
		t.Fatalf("%s: %v", link, k.Notices)
	}
	got, _, notices := k.ResolveConfig(base)
	if len(notices) > 0 || !got.Scripted || !reflect.DeepEqual(got, cfg) {
		t.Errorf("%s: config %+v, notices %v", link, got, notices)
	}
	if !reflect.DeepEqual(k.Actions, acts) {
		t.Errorf("%s\n got %+v\nwant %+v", link, k.Actions, acts)
	}
}
