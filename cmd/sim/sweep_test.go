package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/experiments"
)

// smallSweeps are parameters that make each experiment's sweep quick.
var smallSweeps = map[string][]string{
	"movement":     {"-nodes_max", "3", "-seeds", "2", "-keys", "500"},
	"balance":      {"-seeds", "2", "-vnodes_max", "20"},
	"dynamo":       {"-seeds", "2", "-tokens_max", "4", "-partitions", "256"},
	"merkle":       {"-seeds", "2", "-keys", "300", "-depth", "4"},
	"availability": {"-seeds", "2", "-vnodes_max", "4", "-trials", "20"},
	"staleness":    {"-seeds", "1", "-trials", "5", "-t_max", "4", "-model_trials", "100"},
	"latency":      {"-seeds", "1", "-ops", "10"},
	"conflicts":    {"-seeds", "1", "-clients_max", "2", "-skew_max", "2", "-ops", "20"},
	"gossip":       {"-seeds", "1", "-nodes_max", "8"},
}

// knobArgs turns "-name value" pairs into Start's parameter map.
func knobArgs(t *testing.T, args []string) map[string]float64 {
	t.Helper()
	set := map[string]float64{}
	for i := 0; i+1 < len(args); i += 2 {
		x, err := strconv.ParseFloat(args[i+1], 64)
		if err != nil {
			t.Fatalf("bad test parameter %s %s", args[i], args[i+1])
		}
		set[strings.TrimPrefix(args[i], "-")] = x
	}
	return set
}

// TestSweepEveryExperimentGivesParseableTables runs each experiment at small
// sizes through the command line and reads back its CSV and JSON.
func TestSweepEveryExperimentGivesParseableTables(t *testing.T) {
	for _, e := range experiments.All() {
		small, ok := smallSweeps[e.Name]
		if !ok {
			t.Errorf("%s: no small parameters in this test", e.Name)
			continue
		}
		args := append([]string{"sweep", "-experiment", e.Name, "-seed", "7"}, small...)

		obj := invokeJSON(t, args...)
		var report sweepReport
		raw, _ := json.Marshal(obj)
		if err := json.Unmarshal(raw, &report); err != nil {
			t.Fatalf("%s: JSON does not decode as a sweep report: %v", e.Name, err)
		}
		if report.Experiment != e.Name || report.Values["seed"] != 7 || len(report.Tables) == 0 {
			t.Errorf("%s: JSON report names %q, seed %v, %d tables", e.Name, report.Experiment, report.Values["seed"], len(report.Tables))
		}
		for _, tb := range report.Tables {
			if len(tb.Rows) == 0 {
				t.Errorf("%s: table %s has no rows", e.Name, tb.Name)
			}
		}

		code, stdout, stderr := invoke(append(args, "-csv")...)
		if code != exitOK {
			t.Fatalf("%s -csv: exit %d, stderr %q", e.Name, code, stderr)
		}
		blocks := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n\n")
		if len(blocks) != len(report.Tables) {
			t.Fatalf("%s -csv: %d blocks, want one per table (%d)", e.Name, len(blocks), len(report.Tables))
		}
		for i, block := range blocks {
			first, body, _ := strings.Cut(block, "\n")
			if want := "# table " + report.Tables[i].Name; first != want {
				t.Errorf("%s -csv block %d starts %q, want %q", e.Name, i, first, want)
			}
			records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil {
				t.Errorf("%s -csv table %s does not parse: %v", e.Name, report.Tables[i].Name, err)
				continue
			}
			if len(records) != 1+len(report.Tables[i].Rows) {
				t.Errorf("%s -csv table %s: %d records, want a header and %d rows", e.Name, report.Tables[i].Name, len(records), len(report.Tables[i].Rows))
			}
		}

		code, stdout, stderr = invoke(args...)
		if code != exitOK || stderr != "" || !strings.Contains(stdout, report.Tables[0].Title) {
			t.Errorf("%s text: exit %d, stderr %q, output without the first table's title:\n%s", e.Name, code, stderr, stdout)
		}
	}
}

// TestSweepMatchesIncrementalSteps wants the command line's numbers to be
// those of the same sweep run one Step(1) at a time, as the lab runs it.
func TestSweepMatchesIncrementalSteps(t *testing.T) {
	for _, e := range experiments.All() {
		small := smallSweeps[e.Name]
		args := append([]string{"sweep", "-experiment", e.Name, "-seed", "11"}, small...)
		set := knobArgs(t, append([]string{"-seed", "11"}, small...))
		r, err := e.Start(set)
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		for !r.Step(1) {
		}
		tables := r.Tables()

		var want bytes.Buffer
		if err := writeJSON(&want, sweepReport{Command: "sweep", Experiment: e.Name, Values: r.Values(), Tables: tables}); err != nil {
			t.Fatal(err)
		}
		if code, got, stderr := invoke(append(args, "-json")...); code != exitOK || got != want.String() {
			t.Errorf("%s -json: exit %d (stderr %q); output differs from stepping the sweep one unit at a time", e.Name, code, stderr)
		}
		want.Reset()
		if err := writeTablesCSV(&want, tables); err != nil {
			t.Fatal(err)
		}
		if code, got, stderr := invoke(append(args, "-csv")...); code != exitOK || got != want.String() {
			t.Errorf("%s -csv: exit %d (stderr %q); output differs from stepping the sweep one unit at a time", e.Name, code, stderr)
		}
	}
}

func TestSweepOutWritesOneCSVAndJSONPerTable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tables")
	code, stdout, stderr := invoke(append([]string{"sweep", "-experiment", "merkle", "-out", dir}, smallSweeps["merkle"]...)...)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	e, _ := experiments.Lookup("merkle")
	r, _ := e.Start(knobArgs(t, smallSweeps["merkle"]))
	var listed []string
	for _, tb := range r.Complete() {
		for _, f := range []struct {
			ext  string
			want []byte
		}{{".csv", tb.CSV()}, {".json", tb.JSON()}} {
			path := filepath.Join(dir, "merkle-"+tb.Name+f.ext)
			listed = append(listed, path)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("table %s: %v", tb.Name, err)
			} else if !bytes.Equal(got, f.want) {
				t.Errorf("%s differs from the table's %s encoding", path, f.ext)
			}
		}
	}
	if got := strings.Fields(stdout); !slices.Equal(got, listed) {
		t.Errorf("listed %v, want the files written %v", got, listed)
	}
}

func TestSweepCSVTableSelectsOnePlainTable(t *testing.T) {
	args := append([]string{"sweep", "-experiment", "merkle", "-csv", "-table", "merkle_bytes"}, smallSweeps["merkle"]...)
	code, stdout, stderr := invoke(args...)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	records, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil || len(records) < 2 || records[0][0] != "divergent (keys)" || records[0][1] != "bytes (bytes)" {
		t.Errorf("-table merkle_bytes: %v, records %v", err, records)
	}
}

func TestSweepListShowsEveryExperimentAndKnob(t *testing.T) {
	code, stdout, stderr := invoke("sweep", "-list")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, e := range experiments.All() {
		if !strings.Contains(stdout, e.Name+"  "+e.Title) {
			t.Errorf("-list lacks %s and its title", e.Name)
		}
		for _, k := range e.Params {
			if !strings.Contains(stdout, "-"+k.Name+" ") {
				t.Errorf("-list lacks %s's knob %s", e.Name, k.Name)
			}
		}
	}
	if !regexp.MustCompile(`\n {4}-keys +default 10000 +10\.\.1000000 +keys in the range`).MatchString(stdout) {
		t.Errorf("-list does not show merkle's keys knob with its default and range:\n%s", stdout)
	}
	var list []experiments.Experiment
	if code, out, _ := invoke("sweep", "-list", "-json"); code != exitOK || json.Unmarshal([]byte(out), &list) != nil || len(list) != len(experiments.All()) {
		t.Errorf("-list -json: exit %d, %d experiments decoded, want %d", code, len(list), len(experiments.All()))
	}
}

func TestSweepBadInputIsOneLineAndStatusTwo(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // part of the one line on stderr
	}{
		{"unknown experiment lists the valid ones", []string{"-experiment", "nope"},
			`unknown experiment "nope"; use one of: ` + experiments.Names()},
		{"missing experiment", nil, "missing -experiment; use one of:"},
		{"knob above its range", []string{"-experiment", "merkle", "-keys", "5000000"},
			"merkle: keys=5000000 must be a whole number between 10 and 1000000"},
		{"knob below its range", []string{"-experiment", "gossip", "-nodes_max", "2"},
			"gossip: nodes_max=2 must be a whole number between 4 and 512"},
		{"fractional knob", []string{"-experiment", "movement", "-seeds", "1.5"}, `invalid value "1.5" for flag -seeds: not a whole number in decimal digits`},
		{"not a number", []string{"-experiment", "balance", "-nodes", "ten"}, `invalid value "ten" for flag -nodes: not a whole number in decimal digits`},
		{"knob of another experiment", []string{"-experiment", "balance", "-keys", "10"}, "flag provided but not defined: -keys"},
		{"parameters that contradict each other", []string{"-experiment", "availability", "-n", "3", "-w", "4"}, "w=4 must be at most n=3"},
		{"two output formats", []string{"-experiment", "merkle", "-json", "-csv"}, "choose one of -json, -csv and -out"},
		{"table without csv", []string{"-experiment", "merkle", "-table", "merkle"}, "-table selects a table for -csv only"},
		{"unknown table", []string{"-experiment", "merkle", "-keys", "100", "-seeds", "1", "-csv", "-table", "nope"},
			`experiment merkle has no table "nope"; it has: merkle, merkle_bytes`},
		{"list with an experiment", []string{"-list", "-experiment", "merkle"}, "-list takes no -experiment"},
		{"stray argument", []string{"-experiment", "merkle", "extra"}, `unexpected argument "extra"`},
	}
	for _, tc := range tests {
		code, stdout, stderr := invoke(append([]string{"sweep"}, tc.args...)...)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d", tc.name, code, exitUsage)
		}
		if stdout != "" {
			t.Errorf("%s: wrote to stdout: %q", tc.name, stdout)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") || !strings.HasPrefix(stderr, "sim sweep: ") {
			t.Errorf("%s: stderr is not one line starting with \"sim sweep: \": %q", tc.name, stderr)
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: stderr %q, want it to say %q", tc.name, stderr, tc.want)
		}
	}
}

func TestSweepHelpListsTheExperimentsKnobs(t *testing.T) {
	code, stdout, _ := invoke("sweep", "-experiment", "merkle", "-help")
	if code != exitOK || !strings.Contains(stdout, "-depth") || !strings.Contains(stdout, "tree depth: 2^depth leaves (0..16) (default 10)") {
		t.Errorf("sweep -experiment merkle -help: exit %d, output lacks the depth knob:\n%s", code, stdout)
	}
}
