package spacetime

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// shivizRun is a small seeded run with every kind of message and event:
// a workload, a partition, a crash, read repair and the background timers.
func shivizRun(t *testing.T, ticks int) []core.Event {
	t.Helper()
	cfg := core.DefaultConfig()
	cfg.Nodes = 4
	cfg.VNodes = 4
	cfg.Seed = 7
	cfg.GossipIntervalTicks = 25
	cfg.AntiEntropyIntervalTicks = 60
	cfg.Workload = core.Workload{Clients: 2, Keys: 2, PutFraction: 0.5, ThinkTicksMax: 8, KeyPrefix: "k", Ops: 12}
	cfg.Faults = core.Faults{Kinds: []core.FaultKind{"crash", "partition"}, EveryTicks: 40, DurationTicks: 25}
	c, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var evs []core.Event
	for i := 0; i < ticks; i++ {
		c.Tick()
		evs = append(evs, c.Events()...)
	}
	return evs
}

func TestShiVizGolden(t *testing.T) {
	evs := shivizRun(t, 120)
	var b bytes.Buffer
	s := NewShiViz(&b)
	// Written in pieces, as a long export is.
	for i := 0; i < len(evs); i += 50 {
		if err := s.Add(evs[i:min(i+50, len(evs))]); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join("testdata", "run.shiviz")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("the ShiViz log of the seeded run differs from %s (run with -update and read the diff)", path)
	}
}

// shivizEvent is one parsed entry of a ShiViz log.
type shivizEvent struct {
	text  string
	host  string
	clock map[string]int
}

// parseShiViz reads a log the way ShiViz's default expression does, and
// fails on anything ShiViz would reject.
func parseShiViz(t *testing.T, log string) []shivizEvent {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
	if len(lines) < 2 || lines[0] != ShiVizRegexp || lines[1] != "" {
		t.Fatalf("header: %q", lines[:min(2, len(lines))])
	}
	lines = lines[2:]
	if len(lines)%2 != 0 {
		t.Fatalf("%d lines after the header: not pairs", len(lines))
	}
	var out []shivizEvent
	for i := 0; i < len(lines); i += 2 {
		host, js, ok := strings.Cut(lines[i+1], " ")
		if !ok || host == "" || strings.ContainsAny(host, " \t") {
			t.Fatalf("line %d: %q is not HOST {clock}", i+4, lines[i+1])
		}
		var clock map[string]int
		if err := json.Unmarshal([]byte(js), &clock); err != nil {
			t.Fatalf("line %d: clock %q: %v", i+4, js, err)
		}
		out = append(out, shivizEvent{text: lines[i], host: host, clock: clock})
	}
	return out
}

// TestShiVizClocksAreConsistent checks the rules ShiViz enforces, and that
// every delivery's clock dominates its send's.
func TestShiVizClocksAreConsistent(t *testing.T) {
	evs := shivizRun(t, 400)
	var b bytes.Buffer
	if err := NewShiViz(&b).Add(evs); err != nil {
		t.Fatal(err)
	}
	parsed := parseShiViz(t, b.String())

	last := map[string]map[string]int{}
	for i, e := range parsed {
		own, ok := e.clock[e.host]
		if !ok {
			t.Fatalf("event %d (%s): its host is not in its clock %v", i, e.host, e.clock)
		}
		prev := last[e.host]
		if own != prev[e.host]+1 {
			t.Fatalf("event %d (%s): own entry %d after %d", i, e.host, own, prev[e.host])
		}
		for h, v := range prev {
			if e.clock[h] < v {
				t.Fatalf("event %d (%s): entry %s went back from %d to %d", i, e.host, h, v, e.clock[h])
			}
		}
		last[e.host] = e.clock
	}

	// Map each core event to its ShiViz entry: requests and answers are two
	// entries, every other event one.
	sendClock := map[uint64]map[string]int{}
	k := 0
	var sends, receives int
	for _, ev := range evs {
		switch ev.Kind {
		case core.EvRequestStart, core.EvRequestDone:
			call, start := parsed[k], parsed[k+1]
			if !dominates(start.clock, call.clock) {
				t.Fatalf("%s: the receiving side's clock %v does not dominate %v", ev, start.clock, call.clock)
			}
			k += 2
			continue
		case core.EvMsgSend:
			sendClock[ev.MsgID] = parsed[k].clock
			sends++
		case core.EvMsgDeliver:
			if !dominates(parsed[k].clock, sendClock[ev.MsgID]) {
				t.Fatalf("%s: delivery clock %v does not dominate the send's %v", ev, parsed[k].clock, sendClock[ev.MsgID])
			}
			receives++
		}
		if !strings.HasSuffix(parsed[k].text, ev.String()) {
			t.Fatalf("entry %d is %q, want the event %q", k, parsed[k].text, ev.String())
		}
		k++
	}
	if k != len(parsed) || sends == 0 || receives == 0 {
		t.Fatalf("%d entries for %d parsed (%d sends, %d receives)", k, len(parsed), sends, receives)
	}
}

func dominates(a, b map[string]int) bool {
	for h, v := range b {
		if a[h] < v {
			return false
		}
	}
	return true
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestShiVizStopsAtTheFirstWriteError(t *testing.T) {
	s := NewShiViz(failingWriter{})
	evs := shivizRun(t, 30)
	if err := s.Add(evs); err == nil {
		t.Fatal("no error from a failing writer")
	}
	if err := s.Add(evs); err == nil {
		t.Fatal("the second Add forgot the error")
	}
}
