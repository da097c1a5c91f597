package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

// fakeTerminal makes stderr look like a terminal (or not) and the clock
// advance a second at every reading, for the duration of a test.
func fakeTerminal(t *testing.T, terminal bool) {
	savedTerminal, savedNow := isTerminal, now
	t.Cleanup(func() { isTerminal, now = savedTerminal, savedNow })
	isTerminal = func(io.Writer) bool { return terminal }
	clock := time.Unix(0, 0)
	now = func() time.Time { clock = clock.Add(time.Second); return clock }
}

var smallSweep = []string{"sweep", "-experiment", "movement", "-nodes_max", "4", "-seeds", "3", "-keys", "500", "-force"}

func TestSweepProgressOnATerminal(t *testing.T) {
	fakeTerminal(t, true)
	code, stdout, stderr := invoke(smallSweep...)
	if code != exitOK || !strings.Contains(stdout, "movement:") {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	if !strings.HasPrefix(stderr, "\rsweep movement: ") || !strings.HasSuffix(stderr, "\r\x1b[K") {
		t.Fatalf("progress is not one line redrawn and erased: %q", stderr)
	}
	for _, want := range []string{"% · point ", " of 4, seed ", " of 3 · about ", " left"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("progress lacks %q: %q", want, stderr)
		}
	}
	if strings.Contains(stderr, "\n") {
		t.Errorf("progress on a terminal wrote a newline: %q", stderr)
	}
	// With -json nothing, unless asked.
	if _, _, stderr := invoke(append(smallSweep, "-json")...); stderr != "" {
		t.Errorf("-json on a terminal: progress %q", stderr)
	}
	if _, _, stderr := invoke(append(smallSweep, "-json", "-progress")...); !strings.Contains(stderr, "sweep movement: ") {
		t.Errorf("-json -progress: no progress: %q", stderr)
	}
}

func TestSweepProgressWhenPiped(t *testing.T) {
	fakeTerminal(t, false)
	if _, _, stderr := invoke(smallSweep...); stderr != "" {
		t.Errorf("piped: progress %q", stderr)
	}
	_, _, stderr := invoke(append(smallSweep, "-progress")...)
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if len(lines) < 2 || strings.Contains(stderr, "\r") || !strings.HasPrefix(lines[0], "sweep movement: ") {
		t.Errorf("piped with -progress: want plain lines, got %q", stderr)
	}
}

// A sweep estimated past the budget is refused at once, with the estimate
// and what to do; -force would run it.
func TestSweepRefusesOverBudget(t *testing.T) {
	// Whether a given sweep passes the 10-minute budget depends on the
	// machine; against a budget of a second this one never fits.
	saved := sweepBudget
	sweepBudget = time.Second
	t.Cleanup(func() { sweepBudget = saved })
	start := time.Now()
	code, stdout, stderr := invoke("sweep", "-experiment", "gossip", "-nodes_max", "512", "-seeds", "1000")
	if code != exitUsage || stdout != "" || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("exit %d, stdout %q, stderr %q; want status 2 and one line", code, stdout, stderr)
	}
	for _, want := range []string{"the sweep is estimated to take about ", "more than the " + roughDuration(sweepBudget) + " budget", "-force"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("refusing took %v", d)
	}
}

func TestRoughDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		45 * time.Second:                "45s",
		190 * time.Second:               "3m10s",
		2*time.Hour + 14*time.Minute:    "2h14m",
		26 * time.Minute:                "26m",
		10 * 24 * time.Hour:             "10 days",
		1500 * time.Millisecond:         "2s",
		10*time.Minute + 29*time.Second: "10m",
	} {
		if got := roughDuration(d); got != want {
			t.Errorf("roughDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// A sweep whose runs are not one point at one seed each (staleness runs a
// model per point besides its seeds) counts runs instead.
func TestSweepProgressCountsRunsOtherwise(t *testing.T) {
	fakeTerminal(t, true)
	_, _, stderr := invoke("sweep", "-experiment", "staleness", "-seeds", "2", "-trials", "5", "-t_max", "4", "-model_trials", "100", "-force")
	if !strings.Contains(stderr, " runs (2 seeds per point)") {
		t.Errorf("progress %q does not count runs", stderr)
	}
}
