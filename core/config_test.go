package core

import (
	"reflect"
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   string // substring of the error; "" means valid
	}{
		{"default", func(*Config) {}, ""},
		{"W above N", func(c *Config) { c.W = 4 }, "W=4 must be between 1 and N=3"},
		{"R zero", func(c *Config) { c.R = 0 }, "R=0 must be between 1 and N=3"},
		{"N above nodes", func(c *Config) { c.N = 6 }, "N=6 must be between 1 and the number of nodes (5)"},
		{"too many nodes", func(c *Config) { c.Nodes = 5000 }, "nodes=5000 must be between 1 and 4096"},
		{"negative nodes", func(c *Config) { c.Nodes = -1 }, "nodes=-1"},
		{"too many vnodes", func(c *Config) { c.VNodes = 5000 }, "vnodes=5000 must be between 1 and 4096"},
		{"loss above one", func(c *Config) { c.Loss = 1.5 }, "loss=1.5 must be a probability between 0 and 1"},
		{"latency inverted", func(c *Config) { c.LatencyMinTicks, c.LatencyMaxTicks = 5, 2 }, "latency_max=2 must be between latency_min=5"},
		{"negative timeout", func(c *Config) { c.RequestTimeoutTicks = -3 }, "timeout=-3"},
		{"dead before suspect", func(c *Config) { c.DeadAfterTicks = 10 }, "dead_after=10 must be between suspect_after=40"},
		{"unknown fault", func(c *Config) { c.Faults = Faults{Kinds: []FaultKind{"fire"}, EveryTicks: 10, DurationTicks: 5} }, `fault "fire" is unknown`},
		{"fault without period", func(c *Config) { c.Faults = Faults{Kinds: []FaultKind{"crash"}, DurationTicks: 5} }, "faults every=0"},
		{"workload without keys", func(c *Config) { c.Workload = Workload{Clients: 2} }, "workload keys=0"},
		{"zero weight", func(c *Config) { c.Weights = []float64{1, 0} }, "weight of n1=0"},
		{"merkle too deep", func(c *Config) { c.MerkleDepth = 30 }, "merkle_depth=30"},
		{"gossip off needs no timeouts", func(c *Config) { c.GossipIntervalTicks, c.SuspectAfterTicks, c.DeadAfterTicks = 0, 0, 0 }, ""},
	}
	for _, tt := range tests {
		cfg := DefaultConfig()
		tt.change(&cfg)
		err := cfg.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tt.name, err)
		case tt.want != "" && err == nil:
			t.Errorf("%s: accepted, want error containing %q", tt.name, tt.want)
		case tt.want != "" && !strings.Contains(err.Error(), tt.want):
			t.Errorf("%s: error %q does not contain %q", tt.name, err, tt.want)
		}
	}
}

func TestApplyRejectsWithoutChange(t *testing.T) {
	tests := []struct {
		name string
		cmd  Command
		want string
	}{
		{"unknown node", Command{Kind: CmdPut, Node: 9, Key: "k"}, "node n9 does not exist"},
		{"empty key", Command{Kind: CmdGet, Node: 1}, "key must not be empty"},
		{"W override above N", Command{Kind: CmdPut, Node: 1, Key: "k", W: 4}, "W=4 must be between 1 and N=3"},
		{"restart an up node", Command{Kind: CmdRestart, Node: 2}, "already up"},
		{"set unknown", Command{Kind: CmdSet, Param: "speed", Num: 2}, `unknown parameter "speed"`},
		{"set W above N", Command{Kind: CmdSet, Param: "w", Num: 5}, "W=5 must be between 1 and N=3"},
		{"set loss", Command{Kind: CmdSet, Param: "loss", Num: 2}, "loss=2"},
		{"skew of nobody", Command{Kind: CmdSet, Param: "skew:n9", Num: 2}, "no such node"},
		{"partition twice", Command{Kind: CmdPartition, Groups: [][]NodeID{{0, 1}, {1}}}, "n1 is in two groups"},
		{"unknown kind", Command{Kind: "explode"}, `unknown command "explode"`},
	}
	for _, tt := range tests {
		c := mustNew(t, DefaultConfig())
		c.RunUntil(5)
		before := c.Clone()
		_, err := c.Apply(tt.cmd)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
			continue
		}
		before.RunUntil(100)
		c.RunUntil(100)
		if before.Digest() != c.Digest() || len(c.Recorded()) != 0 {
			t.Errorf("%s: a rejected command changed the cluster", tt.name)
		}
	}
}

// TestCloneSharesNoSlice: every slice of a Config, at any depth, is copied
// by Clone (a new slice field would otherwise be shared silently between a
// cluster and the configs handed out of it).
func TestCloneSharesNoSlice(t *testing.T) {
	var c Config
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		for i := range v.NumField() {
			f := v.Field(i)
			switch f.Kind() {
			case reflect.Struct:
				fill(f)
			case reflect.Slice:
				f.Set(reflect.MakeSlice(f.Type(), 1, 1))
			}
		}
	}
	fill(reflect.ValueOf(&c).Elem())
	d := c.Clone()
	var check func(a, b reflect.Value, path string)
	check = func(a, b reflect.Value, path string) {
		for i := range a.NumField() {
			name := path + a.Type().Field(i).Name
			switch a.Field(i).Kind() {
			case reflect.Struct:
				check(a.Field(i), b.Field(i), name+".")
			case reflect.Slice:
				if a.Field(i).Pointer() == b.Field(i).Pointer() {
					t.Errorf("Clone shares Config.%s", name)
				}
			}
		}
	}
	check(reflect.ValueOf(c), reflect.ValueOf(d), "")
}
