package core

import (
	"reflect"
	"strings"
	"testing"
)

// TestEveryConfigFieldHasOneKnob: a new Config field must get a row in the
// table, or links, flags and the set command would silently lose it.
func TestEveryConfigFieldHasOneKnob(t *testing.T) {
	var c Config
	base := reflect.ValueOf(&c).Pointer()
	covered := map[uintptr]string{}
	for _, k := range knobs {
		off := reflect.ValueOf(k.field(&c)).Pointer() - base
		if other, dup := covered[off]; dup {
			t.Errorf("knobs %s and %s point to the same field", other, k.Name)
		}
		covered[off] = k.Name
	}
	var walk func(ty reflect.Type, off uintptr, path string)
	walk = func(ty reflect.Type, off uintptr, path string) {
		for f := range ty.Fields() {
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, off+f.Offset, path+f.Name+".")
				continue
			}
			if f.Name == "Seed" && path == "" {
				continue // the seed is a run's own, not a knob
			}
			if _, ok := covered[off+f.Offset]; !ok {
				t.Errorf("Config.%s%s has no knob", path, f.Name)
			}
		}
	}
	walk(reflect.TypeFor[Config](), 0, "")
}

// TestKnobNamesAreUnambiguous: no spelling names two knobs, and every
// spelling is already folded (lower case, "_" not "-").
func TestKnobNamesAreUnambiguous(t *testing.T) {
	seen := map[string]string{}
	for _, k := range knobs {
		for _, n := range append([]string{k.Name}, k.Aliases...) {
			if KnobName(n) != n {
				t.Errorf("%s: spelling %q is not folded", k.Name, n)
			}
			if other, dup := seen[n]; dup {
				t.Errorf("%q names both %s and %s", n, other, k.Name)
			}
			seen[n] = k.Name
		}
		if k.Help == "" {
			t.Errorf("%s has no help", k.Name)
		}
	}
}

// TestKnobsRoundTrip: every knob writes a changed value that it reads back.
func TestKnobsRoundTrip(t *testing.T) {
	changed := DefaultConfig()
	changed.Nodes, changed.VNodes, changed.Weights, changed.N, changed.W, changed.R = 6, 9, []float64{1, 2.5}, 4, 3, 1
	changed.Mode, changed.Versioning, changed.VClockMax = Strict, LWW, 7
	changed.LatencyMinTicks, changed.LatencyMaxTicks, changed.Loss, changed.SkewTicks = 3, 8, 0.25, []int64{0, -4, 9}
	changed.RequestTimeoutTicks, changed.ReadRepair = 55, false
	changed.GossipIntervalTicks, changed.SuspectAfterTicks, changed.DeadAfterTicks = 7, 30, 90
	changed.HandoffIntervalTicks, changed.AntiEntropyIntervalTicks, changed.MerkleDepth = 11, 77, 5
	changed.Workload = Workload{Clients: 2, Keys: 3, PutFraction: 0.75, Ops: 40, ThinkTicksMax: 6, KeyPrefix: "a b&c", SingleWriter: true}
	changed.Faults = Faults{Kinds: []FaultKind{"partition", "skew"}, EveryTicks: 70, DurationTicks: 15}
	changed.Scripted = true // not a valid whole with a workload, but each knob is read on its own here
	got := DefaultConfig()
	def := DefaultConfig()
	for _, k := range knobs {
		text := k.Format(&changed)
		if text == k.Format(&def) {
			t.Errorf("%s: the test does not change it", k.Name)
		}
		set, err := k.Parse(text)
		if err != nil {
			t.Fatalf("%s=%s: %v", k.Name, text, err)
		}
		set(&got)
	}
	if !reflect.DeepEqual(got, changed) {
		t.Errorf("got %+v\nwant %+v", got, changed)
	}
}

// TestKnobsReadOlderSpellings: each older spelling reads as its knob, in
// links, flags and the set command alike.
func TestKnobsReadOlderSpellings(t *testing.T) {
	for _, tc := range []struct{ spelling, knob string }{
		{"rr", "read_repair"}, {"readrepair", "read_repair"}, {"read-repair", "read_repair"},
		{"fevery", "fault_every"}, {"fault-every", "fault_every"}, {"fdur", "fault_for"}, {"fault-for", "fault_for"},
		{"latmin", "latency_min"}, {"ver", "versioning"}, {"puts", "put_fraction"}, {"single-writer", "single_writer"},
		{"single", "single_writer"}, {"ae", "antientropy_every"}, {"N", "n"},
	} {
		k, ok := LookupKnob(tc.spelling)
		if !ok || k.Name != tc.knob {
			t.Errorf("%q reads as %q (found %v), want %s", tc.spelling, k.Name, ok, tc.knob)
		}
	}
	if _, ok := LookupKnob("colour"); ok {
		t.Error("an unknown name was found")
	}
	// The set command takes the old and the new spelling.
	for _, p := range []string{"readrepair", "read_repair"} {
		c, err := DefaultConfig().withParam(p, 0)
		if err != nil || c.ReadRepair {
			t.Errorf("set %s=0: %v, read repair %v", p, err, c.ReadRepair)
		}
	}
	if _, err := DefaultConfig().withParam("nodes", 3); err == nil || !strings.Contains(err.Error(), "read_repair") {
		t.Errorf("set nodes: %v, want a refusal listing the live knobs", err)
	}
}

func TestKnobParseRefusesWithWhatIsAccepted(t *testing.T) {
	for _, tc := range []struct{ knob, text, want string }{
		{"nodes", "-3", "a whole number from 1 to 4096"},
		{"mode", "maybe", "cp or ap"},
		{"loss", "7", "a number from 0 to 1"},
		{"faults", "crash,meteor", "fault kinds from crash,partition,loss,skew, or none"},
		{"read_repair", "yes", "1 or 0"},
		{"weights", "1,0", "numbers above 0"},
	} {
		k, _ := LookupKnob(tc.knob)
		if _, err := k.Parse(tc.text); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%s: %v, want %q", tc.knob, tc.text, err, tc.want)
		}
	}
}

// TestKnobJSONCarriesAnyShape: a field no other kind covers travels as JSON,
// and unknown fields inside it are refused.
func TestKnobJSONCarriesAnyShape(t *testing.T) {
	k := Knob{Name: "workload", Kind: KnobJSON, field: func(c *Config) any { return &c.Workload }}
	c := DefaultConfig()
	c.Workload = Workload{Clients: 3, Keys: 9, KeyPrefix: "k"}
	text := k.Format(&c)
	set, err := k.Parse(text)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	var got Config
	set(&got)
	if !reflect.DeepEqual(got.Workload, c.Workload) {
		t.Errorf("%s read back as %+v", text, got.Workload)
	}
	if _, err := k.Parse(`{"clients":1,"colour":"red"}`); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("unknown field: %v", err)
	}
}
