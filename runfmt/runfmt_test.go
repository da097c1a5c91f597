package runfmt

import (
	"bufio"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

var update = flag.Bool("update", false, "rewrite the golden file of the replay version written now")

// sandboxPreset is the lab's sandbox chapter's preset, which the golden
// links and replay files were made with.
func sandboxPreset(seed uint64) Preset {
	cfg := core.DefaultConfig()
	cfg.Seed = seed
	cfg.Workload.Clients = 2
	cfg.Workload.Keys = 24
	cfg.Workload.PutFraction = 0.5
	cfg.Workload.ThinkTicksMax = 12
	cfg.Workload.KeyPrefix = "cart:"
	return Preset{Config: cfg}
}

// TestLinksSharedBeforeStillOpen: links written by the lab before the
// knobs had one name each (rr=, latmin=, fevery=...) open headless at the
// tick and with the trace digest the lab showed for them then
// (testdata/links-v1.txt: link, tick, digest).
func TestLinksSharedBeforeStillOpen(t *testing.T) {
	f, err := os.Open("testdata/links-v1.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		link, tick, digest := fields[0], fields[1], fields[2]
		k := ParseLink(link)
		if len(k.Notices) > 0 {
			t.Errorf("%s: %v", link, k.Notices)
			continue
		}
		r, notices := k.Run("sandbox", 1, sandboxPreset(k.Seed))
		if len(notices) > 0 {
			t.Errorf("%s: %v", link, notices)
			continue
		}
		c, _, err := Rebuild{Until: -1}.Run(r, sandboxPreset(r.Seed))
		if err != nil {
			t.Errorf("%s: %v", link, err)
			continue
		}
		if got := strconv.FormatInt(c.Now(), 10); got != tick {
			t.Errorf("%s: opens at tick %s, want %s", link, got, tick)
		}
		if got := c.Digest(); got != digest {
			t.Errorf("%s: digest %s, want %s", link, got, digest)
		}
		// Written again, in today's spelling, it opens the same run.
		again := ParseLink(EncodeLink(r, sandboxPreset(r.Seed)))
		r2, _ := again.Run("sandbox", 1, sandboxPreset(again.Seed))
		if c2, _, err := (Rebuild{Until: -1}).Run(r2, sandboxPreset(r2.Seed)); err != nil || c2.Digest() != digest {
			t.Errorf("%s re-encoded as %s: %v", link, EncodeLink(r, sandboxPreset(r.Seed)), err)
		}
		n++
	}
	if n < 8 {
		t.Fatalf("read %d golden links", n)
	}
}

// TestNewLinksUseOneSpelling: a changed knob is written by its name only.
func TestNewLinksUseOneSpelling(t *testing.T) {
	p := sandboxPreset(3)
	cfg := p.Config
	cfg.ReadRepair, cfg.LatencyMinTicks, cfg.Faults = false, 1, core.Faults{Kinds: []core.FaultKind{"crash"}, EveryTicks: 50, DurationTicks: 20}
	link := EncodeLink(Run{Chapter: "sandbox", Seed: 3, Config: &cfg, ScriptKept: -1, Tick: -1}, p)
	want := "#v=1&chapter=sandbox&seed=3&latency_min=1&read_repair=0&faults=crash&fault_every=50&fault_for=20"
	if link != want {
		t.Errorf("got  %s\nwant %s", link, want)
	}
}

// TestEveryKnobTravelsInALink: every knob, changed, round-trips.
func TestEveryKnobTravelsInALink(t *testing.T) {
	base := core.DefaultConfig()
	changed := base
	changed.Nodes, changed.VNodes, changed.Weights, changed.N, changed.W, changed.R = 6, 9, []float64{1, 2.5}, 4, 3, 1
	changed.Mode, changed.Versioning, changed.VClockMax = core.Strict, core.LWW, 7
	changed.LatencyMinTicks, changed.LatencyMaxTicks, changed.Loss, changed.SkewTicks = 3, 8, 0.25, []int64{0, -4, 9}
	changed.RequestTimeoutTicks, changed.ReadRepair = 55, false
	changed.GossipIntervalTicks, changed.SuspectAfterTicks, changed.DeadAfterTicks = 7, 30, 90
	changed.HandoffIntervalTicks, changed.AntiEntropyIntervalTicks, changed.MerkleDepth = 11, 77, 5
	changed.Workload = core.Workload{Clients: 2, Keys: 3, PutFraction: 0.75, Ops: 40, ThinkTicksMax: 6, KeyPrefix: "a b&c", SingleWriter: true}
	changed.Faults = core.Faults{Kinds: []core.FaultKind{"partition", "skew"}, EveryTicks: 70, DurationTicks: 15}
	link := EncodeLink(Run{Chapter: "sandbox", Seed: 1, Config: &changed, ScriptKept: -1}, Preset{Config: base})
	k := ParseLink(link)
	if len(k.Notices) > 0 {
		t.Fatalf("%s: %v", link, k.Notices)
	}
	got, _, notices := k.ResolveConfig(base)
	if len(notices) > 0 || !reflect.DeepEqual(got, changed) {
		t.Errorf("%s\n got %+v\nwant %+v\nnotices %v", link, got, changed, notices)
	}
	// Every knob but scripted, which excludes a workload and faults
	// (TestScriptedRunLinkRoundTrips covers it).
	if n := strings.Count(link, "&"); n != len(core.Knobs())+1 {
		t.Errorf("%s has %d pairs, want chapter, seed and every knob", link, n+1)
	}
}

// TestTwoSpellingsOfOneKnobAreOneKey: rr= and read_repair= in one link
// are the same key given twice.
func TestTwoSpellingsOfOneKnobAreOneKey(t *testing.T) {
	k := ParseLink("#v=1&rr=0&read_repair=1")
	if len(k.Notices) != 1 || !strings.Contains(k.Notices[0], "a second") {
		t.Errorf("notices %v", k.Notices)
	}
}

// TestActionsCarryEveryCommandField: each field of core.Command, set,
// round-trips through an action, and an unknown field or kind is refused
// by name.
func TestActionsCarryEveryCommandField(t *testing.T) {
	cmd := core.Command{Kind: core.CmdPut, Node: 3, Peer: 2, PeerSet: true, Client: 4, Key: "a:b~c&d", Value: "v 1",
		WithContext: true, N: 3, W: 2, R: 1, Groups: [][]core.NodeID{{0, 1}, {2, 3, 4}}, Weight: 2.5, Param: "loss", Num: 0.25, Msg: 7, Request: 9}
	v := reflect.ValueOf(cmd)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("the test leaves Command.%s zero: set it", v.Type().Field(i).Name)
		}
	}
	text := EncodeAction(core.Recorded{Tick: 40, Cmd: cmd})
	got, err := ParseAction(text, Shared)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	if !reflect.DeepEqual(got.Cmd, cmd) || got.Tick != 40 {
		t.Errorf("%s read back as %+v", text, got)
	}
	for _, tc := range []struct{ text, want string }{
		{"5:explode", "unknown command"},
		{"5:put:node=n1:colour=red", "unknown field \"colour\""},
		{"5:put:node=x", "a node name"},
		{"5:put:client=99999", "client="},
		{"5:put:node=n1:node=n2", "twice"},
		{"200000000:heal", "tick"},
	} {
		if _, err := ParseAction(tc.text, Shared); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.text, err, tc.want)
		}
	}
}

// TestViewAndSelectTravel: view= and select= are read, written, and
// refused with a notice when they name no view, operation or message.
func TestViewAndSelectTravel(t *testing.T) {
	for _, tc := range []struct {
		pair, written string
		of            func(*Link) string
		bad           []string
	}{
		{"view=diagram", "&view=diagram&", func(k *Link) string { return k.View }, []string{"%3Cscript%3E", "", "Diagram"}},
		{"select=op:3", "&select=op%3A3&", func(k *Link) string { return k.Select }, []string{"op:0", "op:x", "msg:", "n2", "op:-1", "stale"}},
	} {
		key, value, _ := strings.Cut(tc.pair, "=")
		k := ParseLink("#v=1&chapter=quorums&" + tc.pair + "&seed=2")
		if tc.of(k) != value || len(k.Notices) > 0 {
			t.Fatalf("%s: read %q, notices %v", tc.pair, tc.of(k), k.Notices)
		}
		r, _ := k.Run("quorums", 1, sandboxPreset(2))
		if link := EncodeLink(r, sandboxPreset(2)); !strings.Contains(link, tc.written) {
			t.Errorf("%s lost %s", link, tc.pair)
		}
		for _, bad := range tc.bad {
			if k := ParseLink("#" + key + "=" + bad); tc.of(k) != "" || len(k.Notices) != 1 {
				t.Errorf("%s=%s: taken %q, notices %v", key, bad, tc.of(k), k.Notices)
			}
		}
	}
}

// TestEveryReplayVersionStillOpens opens every golden replay file, one or
// more for each version ever written, and checks the digest of the rebuilt
// run against the one the file was saved with.
func TestEveryReplayVersionStillOpens(t *testing.T) {
	files, _ := filepath.Glob("testdata/replay-v*.json")
	seen := map[int]bool{}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		r, digest, err := CheckReplay(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if r.Digest == "" || digest != r.Digest {
			t.Errorf("%s: rebuilt digest %s, saved %s", name, digest, r.Digest)
		}
		seen[r.Version] = true
	}
	for v := 1; v <= ReplayVersion; v++ {
		if !seen[v] {
			t.Errorf("no golden replay file of version %d in testdata", v)
		}
	}
}

// TestReplayWrittenNow: the version written now has a golden file, kept
// for ever once written: it is made from the golden link with actions and
// compared byte for byte (-update writes it, for a new version only).
func TestReplayWrittenNow(t *testing.T) {
	link := "#v=1&chapter=sandbox&view=diagram&select=op:1&seed=9&tick=150&a=10:put:node=n1:key=cart:value=a~30:crash:node=n2~40:partition:groups=n0.n1-n2.n3.n4~60:heal~61:set:param=read_repair:num=0"
	k := ParseLink(link)
	r, _ := k.Run("sandbox", 1, sandboxPreset(k.Seed))
	p := sandboxPreset(r.Seed)
	c, _, err := Rebuild{Until: -1}.Run(r, p)
	if err != nil {
		t.Fatal(err)
	}
	rp := NewReplay("sandbox", r.ConfigFor(p), append(r.Script(p), r.Actions...), c.Now(), c.Digest())
	rp.View, rp.Select = r.View, r.Select
	data, err := EncodeReplay(rp)
	if err != nil {
		t.Fatal(err)
	}
	name := "testdata/replay-v" + strconv.Itoa(ReplayVersion) + "-view.json"
	if *update {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("%v (run with -update once for a new version)", err)
	}
	if string(want) != string(data) {
		t.Errorf("the replay written now differs from %s:\n%s", name, data)
	}
	back, err := ParseReplay(data)
	if err != nil || back.View != "diagram" || back.Select != "op:1" {
		t.Errorf("read back: view %q, select %q, %v", back.View, back.Select, err)
	}
}

func TestReplayRefusesWithOneLine(t *testing.T) {
	good, err := os.ReadFile("testdata/replay-v1-actions.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ old, new, want string }{
		{`"version": 1`, `"version": 4`, "versions 1 to 3"},
		{`"chapter"`, `"view": "diagram", "chapter"`, "version 1 has no item or view"},
		{`"version": 1`, `"version": 2, "select": "op:1"`, "version 2 has no selection"},
		{`"version": 1`, `"version": 3, "select": "node:1"`, "op:N or msg:N"},
		{`"version": 1`, `"version": 3, "select": "op:0"`, "a positive number"},
		{`"kind":"crash"`, `"kind":"explode"`, "unknown command"},
		{`"kind":"crash"`, `"kind":"crash","colour":1`, "unknown field \"colour\""},
		{`"nodes": 5`, `"nodes": 5, "colour": 1`, "unknown field \"colour\""},
	} {
		text := strings.Replace(string(good), tc.old, tc.new, 1)
		if text == string(good) {
			t.Fatalf("no %s in the file", tc.old)
		}
		_, _, err := CheckReplay([]byte(text))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line about %q", tc.new, err, tc.want)
		}
	}
}

func FuzzParseLink(f *testing.F) {
	for _, s := range []string{"#v=1&chapter=sandbox&seed=7&w=1&tick=20&a=3:crash:node=n1~9:put:node=n0:key=k%3A1:value=x",
		"#nodes=2&n=2&weights=1,2&skew=,&faults=crash,nope&a=1:partition:groups=n0.n1-n2",
		"#a=~~:::=&&==%%", "#script=1&chapter=scripted&a=0:heal&view=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, frag string) {
		k := ParseLink(frag)
		r, _ := k.Run("sandbox", 1, sandboxPreset(k.Seed))
		again := ParseLink(EncodeLink(r, sandboxPreset(r.Seed)))
		if len(again.Notices) > 0 {
			t.Fatalf("%q: the link written from it does not read back: %v", frag, again.Notices)
		}
	})
}

// FuzzParseReplay: no file panics the reader, and a file it accepts
// writes back to one it accepts with the same content.
func FuzzParseReplay(f *testing.F) {
	files, _ := filepath.Glob("testdata/replay-v*.json")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseReplay(data)
		if err != nil {
			return
		}
		out, err := EncodeReplay(r)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseReplay(out)
		if err != nil || !reflect.DeepEqual(normalize(back), normalize(r)) {
			t.Fatalf("written back: %v\n%s", err, out)
		}
	})
}

// normalize makes empty and missing lists alike, as JSON does.
func normalize(r Replay) Replay {
	if len(r.Actions) == 0 {
		r.Actions = nil
	}
	for i := range r.Actions {
		if len(r.Actions[i].Cmd.Groups) == 0 {
			r.Actions[i].Cmd.Groups = nil
		}
	}
	if len(r.Config.Weights) == 0 {
		r.Config.Weights = nil
	}
	if len(r.Config.SkewTicks) == 0 {
		r.Config.SkewTicks = nil
	}
	if len(r.Config.Faults.Kinds) == 0 {
		r.Config.Faults.Kinds = nil
	}
	return r
}
