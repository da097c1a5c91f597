package main

import (
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// TestRunHasAFlagForEveryKnob: every knob of the table is a flag of sim
// run, listed once in its help under its name.
func TestRunHasAFlagForEveryKnob(t *testing.T) {
	_, stdout, _ := invoke("run", "-help")
	for _, k := range core.Knobs() {
		if n := strings.Count(stdout, "\n  -"+k.Name+"\n"); n != 1 {
			t.Errorf("run -help lists -%s %d times", k.Name, n)
		}
	}
}

// TestRunFlagsReadEverySpelling: a knob's older spellings (the flags sim
// run had before the table, and the lab's link keys) set the same value
// as its name.
func TestRunFlagsReadEverySpelling(t *testing.T) {
	small := []string{"run", "-json", "-ops", "40", "-faults", "crash"}
	digest := func(args ...string) string {
		t.Helper()
		obj := invokeJSON(t, append(append([]string{}, small...), args...)...)
		d, _ := obj["digest"].(string)
		return d
	}
	for _, tc := range [][2][]string{
		{{"-fault_every", "50", "-fault_for", "20"}, {"-fault-every", "50", "-fault-for", "20"}},
		{{"-put_fraction", "0.9"}, {"-puts", "0.9"}},
		{{"-single_writer"}, {"-single-writer"}},
		{{"-read_repair=0"}, {"-rr=0"}},
		{{"-latency_max", "9"}, {"-latmax", "9"}},
	} {
		if a, b := digest(tc[0]...), digest(tc[1]...); a != b || a == "" {
			t.Errorf("%v gives digest %s, %v gives %s", tc[0], a, tc[1], b)
		}
	}
	// A knob the runner had no flag for before is one now.
	obj := invokeJSON(t, append(append([]string{}, small...), "-gossip_every", "7", "-merkle_depth", "3")...)
	cfg := obj["config"].(map[string]any)
	if cfg["gossip_every"] != 7.0 || cfg["merkle_depth"] != 3.0 {
		t.Errorf("config %v", cfg)
	}
}
