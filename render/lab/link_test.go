package lab

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// scriptedChapter is the sandbox with a scripted preset (a put at tick 3
// and a crash at tick 9), to check that links keep the script out of the
// actions and that forks inside the script round-trip.
type scriptedChapter struct{ *Sandbox }

func (s scriptedChapter) Info() ChapterInfo {
	i := s.Sandbox.Info()
	i.ID, i.Title = "scripted", "Scripted"
	return i
}

func (s scriptedChapter) Preset(seed uint64) Preset {
	p := s.Sandbox.Preset(seed)
	p.Script = []core.Recorded{
		{Tick: 3, Cmd: core.Command{Kind: core.CmdPut, Node: 1, Key: "k", Value: "v"}},
		{Tick: 9, Cmd: core.Command{Kind: core.CmdCrash, Node: 2}},
	}
	return p
}

func newLinkLab(t *testing.T, opts Options) *Lab {
	t.Helper()
	l, err := New([]Chapter{NewSandbox(), scriptedChapter{NewSandbox()}}, measure, opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func run(t *testing.T, l *Lab, cmds ...string) {
	t.Helper()
	for _, c := range cmds {
		if msg := l.Command(c); msg != "" {
			t.Fatalf("%s: %s", c, msg)
		}
		l.Update(idle(), desktop)
	}
}

// reopen opens link in a fresh lab, as the page does at start.
func reopen(t *testing.T, link string) *Lab {
	t.Helper()
	o := OptionsFromFragment(link, Options{Seed: 1})
	l := newLinkLab(t, o)
	l.Update(idle(), desktop)
	return l
}

func TestLinkRoundTripReproducesTheRun(t *testing.T) {
	cases := []struct {
		name string
		cmds []string
	}{
		{"actions on the preset", []string{
			`{"type":"seed","value":42}`,
			`{"type":"run","value":30}`,
			`{"type":"core","cmd":{"kind":"put","node":0,"key":"cart:1","value":"red & blue=1~x:y"}}`,
			`{"type":"run","value":12}`,
			`{"type":"core","cmd":{"kind":"partition","groups":[[0,1],[2,3,4]]}}`,
			`{"type":"core","cmd":{"kind":"get","node":3,"key":"cart:1","r":1}}`,
			`{"type":"run","value":25}`,
			`{"type":"core","cmd":{"kind":"set","param":"skew:n2","num":-7}}`,
			`{"type":"core","cmd":{"kind":"crash","node":0}}`,
			`{"type":"run","value":40}`,
			`{"type":"core","cmd":{"kind":"heal"}}`,
			`{"type":"core","cmd":{"kind":"join","weight":1.5}}`,
			`{"type":"run","value":60}`,
		}},
		{"restarted with another configuration", []string{
			`{"type":"config","value":{"nodes":7,"vnodes":8,"weights":[1,2,1],"n":3,"w":1,"r":1,"mode":0,"versioning":1,"latency_min":1,"latency_max":9,"loss":0.1,"skew":[0,30],"timeout":30,"read_repair":false,"gossip_every":5,"suspect_after":20,"dead_after":60,"handoff_every":10,"antientropy_every":0,"merkle_depth":3,"workload":{"clients":3,"keys":5,"put_fraction":0.5,"think_max":4,"key_prefix":"k"},"faults":{"kinds":["crash","loss"],"every":50,"duration":20},"seed":9}}`,
			`{"type":"run","value":150}`,
			`{"type":"core","cmd":{"kind":"antientropy","node":1,"peer":0,"peer_set":true}}`,
			`{"type":"run","value":20}`,
		}},
		{"scrubbed back: the future comes along", []string{
			`{"type":"run","value":20}`,
			`{"type":"core","cmd":{"kind":"crash","node":1}}`,
			`{"type":"run","value":50}`,
			`{"type":"core","cmd":{"kind":"restart","node":1}}`,
			`{"type":"run","value":30}`,
			`{"type":"seek","value":35}`,
		}},
		{"scripted chapter, untouched", []string{
			`{"type":"chapter","value":"scripted"}`,
			`{"type":"run","value":40}`,
		}},
		{"scripted chapter forked inside its script", []string{
			`{"type":"chapter","value":"scripted"}`,
			`{"type":"run","value":20}`,
			`{"type":"seek","value":5}`,
			`{"type":"core","cmd":{"kind":"crash","node":3}}`,
			`{"type":"run","value":10}`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newLinkLab(t, Options{Seed: 1, Paused: true})
			l.Update(idle(), desktop)
			run(t, l, tc.cmds...)
			want := state(t, l)
			link := l.Link()
			if len(link) > 2000 {
				t.Errorf("link is %d characters long", len(link))
			}
			got := reopen(t, link)
			s := state(t, got)
			if s.Digest != want.Digest || s.Tick != want.Tick || s.Chapter != want.Chapter || s.Seed != want.Seed {
				t.Fatalf("reopened %s\n got chapter %s seed %d tick %d digest %s\nwant chapter %s seed %d tick %d digest %s",
					link, s.Chapter, s.Seed, s.Tick, s.Digest, want.Chapter, want.Seed, want.Tick, want.Digest)
			}
			if s.Notice != "" {
				t.Errorf("a link the lab wrote gave a notice: %q", s.Notice)
			}
			if !reflect.DeepEqual(s.Config, want.Config) {
				t.Errorf("config differs:\n got %+v\nwant %+v", s.Config, want.Config)
			}
			if got.Link() != link {
				t.Errorf("the reopened run's link differs:\n got %s\nwant %s", got.Link(), link)
			}
			// The future (after a scrub back) comes along: its recorded
			// commands are there, up to the last one.
			rec := l.Timeline().Recorded()
			if last := rec[len(rec)-1].Tick; last > want.Tick {
				run(t, l, fmt.Sprintf(`{"type":"seek","value":%d}`, last))
				run(t, got, fmt.Sprintf(`{"type":"seek","value":%d}`, last))
				if a, b := state(t, l).Digest, state(t, got).Digest; a != b {
					t.Errorf("at the head: digest %s, want %s", b, a)
				}
			}
		})
	}
}

func TestLinkOfAnUntouchedRunIsShort(t *testing.T) {
	l := newLinkLab(t, Options{Seed: 7, Paused: true})
	l.Update(idle(), desktop)
	if got, want := l.Link(), "#v=1&chapter=sandbox&seed=7&paused=1"; got != want {
		t.Errorf("link %q, want %q", got, want)
	}
	run(t, l, `{"type":"core","cmd":{"kind":"crash","node":2}}`)
	if got, want := l.Link(), "#v=1&chapter=sandbox&seed=7&paused=1&a=0:crash:node=n2"; got != want {
		t.Errorf("link %q, want %q", got, want)
	}
}

// A link without tick= opens a chapter where the chapter opens by itself:
// after its scripted start (and the link's actions), not at tick 0 before
// it. A run shown at another tick, tick 0 included, writes the tick.
func TestLinkWithoutTickOpensAfterTheScript(t *testing.T) {
	l := reopen(t, "#v=1&chapter=scripted&seed=7&paused=1")
	if got := l.View().Tick; got != 9 {
		t.Errorf("a link without a tick opened at tick %d, want 9 (the script's last command)", got)
	}
	if got, want := l.Link(), "#v=1&chapter=scripted&seed=7&paused=1"; got != want {
		t.Errorf("the untouched run's link is %q, want %q", got, want)
	}
	l = reopen(t, "#v=1&chapter=scripted&seed=7&paused=1&a=20:crash:node=n3")
	if got := l.View().Tick; got != 20 {
		t.Errorf("a link with an action at tick 20 and no tick opened at tick %d, want 20", got)
	}
	for _, tick := range []int64{0, 4, 15} {
		link := fmt.Sprintf("#v=1&chapter=scripted&seed=7&tick=%d&paused=1", tick)
		l = reopen(t, link)
		if got := l.View().Tick; got != tick {
			t.Errorf("%s opened at tick %d", link, got)
		}
		if got := l.Link(); got != link {
			t.Errorf("%s was copied back as %q", link, got)
		}
	}
}

func TestLinkWithBadValuesFallsBackWithNotice(t *testing.T) {
	cases := []struct {
		name     string
		frag     string
		check    func(s State) string
		noticeOf []string // words the notice must contain; nil for no notice
	}{
		{"W above N keeps the preset's W", "#v=1&chapter=sandbox&seed=3&w=9&r=1",
			func(s State) string {
				if s.Config.W != 2 || s.Config.R != 1 {
					return fmt.Sprintf("W=%d R=%d, want 2 and 1", s.Config.W, s.Config.R)
				}
				return ""
			}, []string{"w=", "W=9"}},
		{"order does not matter", "#v=1&chapter=sandbox&nodes=2&n=2&w=1&r=1",
			func(s State) string {
				if s.Config.Nodes != 2 || s.Config.N != 2 {
					return fmt.Sprintf("nodes=%d N=%d, want 2 and 2", s.Config.Nodes, s.Config.N)
				}
				return ""
			}, nil},
		{"negative, non-numeric and absurd", "#v=1&nodes=-3&vnodes=lots&loss=7&latmax=99999999999&tick=-1",
			func(s State) string {
				if s.Config.Nodes != 5 || s.Config.VNodes != 32 || s.Config.Loss != 0 || s.Tick != 0 {
					return fmt.Sprintf("config %+v tick %d, want the preset at tick 0", s.Config, s.Tick)
				}
				return ""
			}, []string{"nodes=", "vnodes=", "loss=", "latmax=", "tick="}},
		{"too big for a shared run", "#v=1&nodes=4000&vnodes=4000",
			func(s State) string {
				if s.Config.Nodes != 5 || s.Config.VNodes != 32 {
					return fmt.Sprintf("nodes=%d vnodes=%d", s.Config.Nodes, s.Config.VNodes)
				}
				return ""
			}, []string{"nodes=4000", "vnodes=4000"}},
		{"malformed and refused actions", "#v=1&tick=30&a=5:crash:node=n1~x:crash~7:explode~8:crash:node=n1~9:put:node=n0:key=k:colour=red",
			func(s State) string {
				if s.Nodes[1].Up || s.Tick != 30 || s.Recorded != 1 {
					return fmt.Sprintf("n1 up %v tick %d recorded %d, want the one good crash at tick 30", s.Nodes[1].Up, s.Tick, s.Recorded)
				}
				return ""
			}, []string{"malformed actions", "refused"}},
		{"unknown chapter", "#v=1&chapter=atlantis&seed=4",
			func(s State) string {
				if s.Chapter != "sandbox" || s.Seed != 4 {
					return fmt.Sprintf("chapter %s seed %d", s.Chapter, s.Seed)
				}
				return ""
			}, []string{"atlantis"}},
		{"over-long", "#v=1&a=" + strings.Repeat("1:heal~", fragmentMax/7+1),
			func(s State) string {
				if s.Recorded != 0 {
					return "actions were read from an over-long fragment"
				}
				return ""
			}, []string{"longer than"}},
		{"unknown keys are ignored silently", "#v=1&seed=5&utm_source=mail&theme=dark",
			func(s State) string {
				if s.Seed != 5 {
					return fmt.Sprintf("seed %d", s.Seed)
				}
				return ""
			}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := state(t, reopen(t, tc.frag))
			if msg := tc.check(s); msg != "" {
				t.Error(msg)
			}
			if tc.noticeOf == nil && s.Notice != "" {
				t.Errorf("unexpected notice %q", s.Notice)
			}
			for _, w := range tc.noticeOf {
				if !strings.Contains(s.Notice, w) {
					t.Errorf("notice %q does not mention %q", s.Notice, w)
				}
			}
		})
	}
}

// TestEveryConfigFieldHasALinkKey: a new Config field must get a link key,
// or links would silently lose it.
func TestEveryConfigFieldHasALinkKey(t *testing.T) {
	leaves := 0
	var count func(reflect.Type)
	count = func(ty reflect.Type) {
		for f := range ty.Fields() {
			if f.Type.Kind() == reflect.Struct {
				count(f.Type)
			} else if f.Name != "Seed" {
				leaves++
			}
		}
	}
	count(reflect.TypeFor[core.Config]())
	if leaves != len(configFields) {
		t.Errorf("core.Config has %d fields besides Seed, the link format has %d keys", leaves, len(configFields))
	}
	// Every key round-trips a changed value.
	base := core.DefaultConfig()
	changed := base
	changed.Nodes, changed.VNodes, changed.Weights, changed.N, changed.W, changed.R = 6, 9, []float64{1, 2.5}, 4, 3, 1
	changed.Mode, changed.Versioning, changed.VClockMax = core.Strict, core.LWW, 7
	changed.LatencyMinTicks, changed.LatencyMaxTicks, changed.Loss, changed.SkewTicks = 3, 8, 0.25, []int64{0, -4, 9}
	changed.RequestTimeoutTicks, changed.ReadRepair = 55, false
	changed.GossipIntervalTicks, changed.SuspectAfterTicks, changed.DeadAfterTicks = 7, 30, 90
	changed.HandoffIntervalTicks, changed.AntiEntropyIntervalTicks, changed.MerkleDepth = 11, 77, 5
	changed.Workload = core.Workload{Clients: 2, Keys: 3, PutFraction: 0.75, Ops: 40, ThinkTicksMax: 6, KeyPrefix: "a b&c", SingleWriter: true}
	changed.Faults = core.Faults{Kinds: []string{"partition", "skew"}, EveryTicks: 70, DurationTicks: 15}
	link := EncodeLink(Run{Chapter: "sandbox", Seed: 1, Config: &changed, ScriptKept: -1}, Preset{Config: base})
	k := ParseLink(link)
	if len(k.Notices) > 0 {
		t.Fatalf("%s: %v", link, k.Notices)
	}
	got, _, notices := k.resolveConfig(base)
	if len(notices) > 0 || !reflect.DeepEqual(got, changed) {
		t.Errorf("%s\n got %+v\nwant %+v\nnotices %v", link, got, changed, notices)
	}
	// Every key but scripted, which excludes a workload and faults
	// (TestScriptedRunLinkRoundTrips covers it).
	if n := strings.Count(link, "&"); n != len(configFields)+1 {
		t.Errorf("%s has %d pairs, want chapter, seed and every key", link, n+1)
	}
}

func TestLoadStateReplacesTheRunOrLeavesIt(t *testing.T) {
	l := newLinkLab(t, Options{Seed: 1, Paused: true})
	l.Update(idle(), desktop)
	run(t, l, `{"type":"run","value":25}`, `{"type":"core","cmd":{"kind":"crash","node":4}}`)
	before := state(t, l)
	for _, bad := range []string{"", "#", "#v=1", "#colour=blue", "#seed=x&tick=-4", "#" + strings.Repeat("x", fragmentMax+1)} {
		if msg := l.LoadState(bad); msg == "" {
			t.Errorf("LoadState(%.40q) accepted a state with nothing usable", bad)
		}
		l.Update(idle(), desktop)
		if s := state(t, l); s.Digest != before.Digest || s.Tick != before.Tick {
			t.Errorf("LoadState(%.40q) changed the run", bad)
		}
	}
	if msg := l.LoadState("#v=1&chapter=scripted&seed=8&tick=12&w=1"); msg != "" {
		t.Fatalf("a good state: %q", msg)
	}
	l.Update(idle(), desktop)
	if s := state(t, l); s.Chapter != "scripted" || s.Seed != 8 || s.Tick != 12 || s.Config.W != 1 {
		t.Errorf("after LoadState: %s seed %d tick %d W %d", s.Chapter, s.Seed, s.Tick, s.Config.W)
	}
}

// FuzzParseLink: no fragment panics the reader or stops the lab from
// starting in a usable state.
func FuzzParseLink(f *testing.F) {
	for _, s := range []string{"#v=1&chapter=sandbox&seed=7&w=1&tick=20&a=3:crash:node=n1~9:put:node=n0:key=k%3A1:value=x",
		"#nodes=2&n=2&weights=1,2&skew=,&faults=crash,nope&a=1:partition:groups=n0.n1-n2",
		"#a=~~:::=&&==%%", "#script=1&chapter=scripted&a=0:heal"} {
		f.Add(s)
	}
	chapters := []Chapter{NewSandbox(), scriptedChapter{NewSandbox()}}
	f.Fuzz(func(t *testing.T, frag string) {
		o := OptionsFromFragment(frag, Options{Seed: 1, Paused: true})
		if o.Link != nil && o.Link.Tick > 2000 {
			o.Link.Tick = 2000 // keep each case quick; the limits are tested elsewhere
		}
		if o.Link != nil {
			for i := range o.Link.Actions {
				o.Link.Actions[i].Tick = min(o.Link.Actions[i].Tick, 2000)
			}
		}
		l, err := New(chapters, measure, o)
		if err != nil {
			t.Fatalf("%q: the lab did not start: %v", frag, err)
		}
		l.Update(idle(), desktop)
		if l.View() == nil {
			t.Fatalf("%q: no view", frag)
		}
		_ = l.Link()
	})
}
