package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core/spacetime"
)

// checkShiVizLog reads a ShiViz log: the parsing expression, an empty
// line, then pairs of a description and "HOST {clock}" with the clock
// JSON; it returns the number of events.
func checkShiVizLog(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text, ok := strings.CutPrefix(string(data), spacetime.ShiVizRegexp+"\n\n")
	if !ok {
		t.Fatalf("%s does not start with ShiViz's expression: %.80q", path, data)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 2 || len(lines)%2 != 0 {
		t.Fatalf("%s: %d lines after the header, want pairs", path, len(lines))
	}
	for i := 1; i < len(lines); i += 2 {
		host, clock, ok := strings.Cut(lines[i], " ")
		var vc map[string]int
		if !ok || host == "" || json.Unmarshal([]byte(clock), &vc) != nil || vc[host] < 1 {
			t.Fatalf("%s line %d: %q is not HOST {clock} with the host's own entry", path, i+3, lines[i])
		}
	}
	return len(lines) / 2
}

// sim run -shiviz streams the run's space-time diagram without changing
// the run (the same digest as without it).
func TestRunWritesAShiVizLog(t *testing.T) {
	file := filepath.Join(t.TempDir(), "run.shiviz")
	args := []string{"run", "-seed", "3", "-ops", "60", "-clients", "2", "-json"}
	plain := invokeJSON(t, args...)
	with := invokeJSON(t, append(args, "-shiviz", file)...)
	if plain["digest"] != with["digest"] {
		t.Errorf("-shiviz changed the run: digest %v, want %v", with["digest"], plain["digest"])
	}
	if n := checkShiVizLog(t, file); n < 60 {
		t.Errorf("%d events in the log of a run of 60 operations", n)
	}
}

// sim replay -shiviz writes the lab's run as ShiViz reads it.
func TestReplayWritesAShiVizLog(t *testing.T) {
	file := filepath.Join(t.TempDir(), "replay.shiviz")
	invokeJSON(t, "replay", "-json", "-link", "#v=1&chapter=quorums&seed=5&tick=145&a=60:crash:node=n2", "-shiviz", file)
	if n := checkShiVizLog(t, file); n < 10 {
		t.Errorf("%d events in the log of 145 ticks of the quorums chapter", n)
	}
}
