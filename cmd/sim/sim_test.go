package main

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core/ids"
)

// invoke runs the program with args and returns its exit status and outputs.
func invoke(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// invokeJSON runs a command with -json and decodes its single object.
func invokeJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, stdout, stderr := invoke(append(args, "-json")...)
	if code != exitOK {
		t.Fatalf("sim %v: exit %d, stderr %q", args, code, stderr)
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("sim %v: output is not JSON: %v\n%s", args, err, stdout)
	}
	if dec.More() {
		t.Fatalf("sim %v: more than one JSON value on stdout:\n%s", args, stdout)
	}
	return obj
}

// field walks nested JSON objects: field(obj, "ring", "moved_fraction").
func field(t *testing.T, obj map[string]any, path ...string) any {
	t.Helper()
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("JSON path %v: %q is not inside an object", path, p)
		}
		if cur, ok = m[p]; !ok {
			t.Fatalf("JSON path %v: no field %q", path, p)
		}
	}
	return cur
}

func number(t *testing.T, obj map[string]any, path ...string) float64 {
	t.Helper()
	f, ok := field(t, obj, path...).(float64)
	if !ok {
		t.Fatalf("JSON path %v is not a number", path)
	}
	return f
}

func TestMovementGrowingFourToFive(t *testing.T) {
	obj := invokeJSON(t, "movement", "-nodes", "4", "-add", "1", "-vnodes", "100", "-keys", "100000", "-seed", "3")
	if got := field(t, obj, "command"); got != "movement" {
		t.Errorf("command = %v, want movement", got)
	}
	modulo := number(t, obj, "modulo", "moved_fraction")
	ringMoved := number(t, obj, "ring", "moved_fraction")
	arc := number(t, obj, "ring_arc_fraction")
	if math.Abs(modulo-0.8) > 0.03 {
		t.Errorf("modulo moved %.3f of keys, want 0.80 +- 0.03 (N/(N+1))", modulo)
	}
	if expected := number(t, obj, "modulo_expected_fraction"); math.Abs(expected-0.8) > 1e-12 {
		t.Errorf("modulo expected fraction %.4f, want exactly 0.8", expected)
	}
	if ringMoved < 0.14 || ringMoved > 0.26 {
		t.Errorf("ring moved %.3f of keys, want about 0.2 (1/(N+1))", ringMoved)
	}
	if math.Abs(ringMoved-arc) > 0.01 {
		t.Errorf("ring moved %.4f of the sample but %.4f of the hash space changed owner", ringMoved, arc)
	}
	if field(t, obj, "ring", "only_changed_nodes") != true || number(t, obj, "ring", "stray_moves") != 0 {
		t.Errorf("ring moved keys between nodes that stayed: %v", field(t, obj, "ring"))
	}
	if field(t, obj, "modulo", "only_changed_nodes") != false {
		t.Errorf("modulo claims every move involves the new node: %v", field(t, obj, "modulo"))
	}
}

func TestMovementRemovingANode(t *testing.T) {
	obj := invokeJSON(t, "movement", "-nodes", "5", "-add", "0", "-remove", "1", "-keys", "50000")
	if ringMoved := number(t, obj, "ring", "moved_fraction"); ringMoved < 0.12 || ringMoved > 0.28 {
		t.Errorf("ring moved %.3f of keys when one of 5 nodes left, want about 0.2", ringMoved)
	}
	if field(t, obj, "ring", "only_changed_nodes") != true {
		t.Errorf("ring moved keys that the leaving node did not own")
	}
	measured := number(t, obj, "modulo", "moved_fraction")
	if expected := number(t, obj, "modulo_expected_fraction"); math.Abs(measured-expected) > 0.02 {
		t.Errorf("modulo moved %.3f, expected %.3f", measured, expected)
	}
}

func TestModuloMovedFraction(t *testing.T) {
	a, b, c, d, e := ids.NodeID(10), ids.NodeID(11), ids.NodeID(12), ids.NodeID(13), ids.NodeID(14)
	tests := []struct {
		name          string
		before, after []ids.NodeID
		want          float64
	}{
		{"grow 4 to 5 moves N/(N+1)", []ids.NodeID{a, b, c, d}, []ids.NodeID{a, b, c, d, e}, 4.0 / 5},
		{"grow 1 to 2 moves half", []ids.NodeID{a}, []ids.NodeID{a, b}, 0.5},
		// period 6: residues 2, 3, 4, 5 change owner (c->a, a->b, b->a, c->b)
		{"drop the last of 3", []ids.NodeID{a, b, c}, []ids.NodeID{a, b}, 4.0 / 6},
		{"no change moves nothing", []ids.NodeID{a, b}, []ids.NodeID{a, b}, 0},
		{"same size, one node replaced", []ids.NodeID{a, b, c}, []ids.NodeID{a, b, d}, 1.0 / 3},
	}
	for _, tc := range tests {
		if got := moduloMovedFraction(tc.before, tc.after); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: moved %.4f, want %.4f", tc.name, got, tc.want)
		}
	}
}

func TestBalanceSpreadFallsWithVNodes(t *testing.T) {
	few := invokeJSON(t, "balance", "-nodes", "10", "-vnodes", "4", "-keys", "20000", "-seeds", "20")
	many := invokeJSON(t, "balance", "-nodes", "10", "-vnodes", "100", "-keys", "20000", "-seeds", "20")
	for _, obj := range []map[string]any{few, many} {
		if got := field(t, obj, "command"); got != "balance" {
			t.Errorf("command = %v, want balance", got)
		}
		if mean := number(t, obj, "arc", "mean"); math.Abs(mean-0.1) > 1e-9 {
			t.Errorf("mean arc share %.6f, want 1/10", mean)
		}
		if mean := number(t, obj, "key", "mean"); math.Abs(mean-2000) > 1e-9 {
			t.Errorf("mean keys per node %.3f, want 2000", mean)
		}
		if seeds := len(field(t, obj, "per_seed").([]any)); seeds != 20 {
			t.Errorf("per_seed has %d entries, want 20", seeds)
		}
		if mm := number(t, obj, "arc", "max_over_mean"); mm < 1 {
			t.Errorf("max/mean %.3f below 1", mm)
		}
	}
	// std-dev/mean goes like 1/sqrt(vnodes): 25 times the vnodes, a fifth of the spread.
	ratio := number(t, few, "arc", "cv") / number(t, many, "arc", "cv")
	if ratio < 3.5 || ratio > 7 {
		t.Errorf("arc cv at 4 vnodes / at 100 vnodes = %.2f, want about sqrt(25) = 5", ratio)
	}
	if cv := number(t, many, "arc", "cv"); cv < 0.06 || cv > 0.13 {
		t.Errorf("arc cv at 100 vnodes = %.3f, want about 1/sqrt(100)", cv)
	}
}

func TestTextSummaries(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"movement", []string{"movement", "-keys", "1000"}, []string{"modulo:", "ring:", "keys moved", "changed node: yes"}},
		{"balance", []string{"balance", "-keys", "1000", "-seeds", "2"}, []string{"arc based:", "key based:", "std-dev/mean", "max/mean"}},
	}
	for _, tc := range tests {
		code, stdout, stderr := invoke(tc.args...)
		if code != exitOK || stderr != "" {
			t.Fatalf("%s: exit %d, stderr %q", tc.name, code, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%s: summary lacks %q:\n%s", tc.name, w, stdout)
			}
		}
	}
}

func TestSameSeedSameOutput(t *testing.T) {
	for _, args := range [][]string{
		{"movement", "-keys", "5000", "-seed", "9", "-json"},
		{"balance", "-keys", "5000", "-seeds", "3", "-seed", "9", "-json"},
	} {
		_, first, _ := invoke(args...)
		_, second, _ := invoke(args...)
		if first != second || first == "" {
			t.Errorf("sim %v printed different output for the same seed", args)
		}
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-help"}, {"help"}, {"movement", "-help"}, {"balance", "-h"}} {
		code, stdout, stderr := invoke(args...)
		if code != exitOK || stderr != "" || !strings.Contains(stdout, "usage: sim") {
			t.Errorf("sim %v: exit %d, stdout %q, stderr %q; want usage on stdout and exit 0", args, code, stdout, stderr)
		}
	}
	for _, c := range commands {
		// Every command's usage, whose integer flags are wrapped by
		// strictIntegers: the flag package formats each default.
		code, stdout, stderr := invoke(c.name, "-h")
		if code != exitOK || stderr != "" || strings.Contains(stdout, "panic") {
			t.Errorf("sim %s -h: exit %d, stderr %q, stdout %q; want its usage and exit 0", c.name, code, stderr, stdout)
		}
	}
	_, stdout, _ := invoke("-help")
	for _, c := range commands {
		if !strings.Contains(stdout, c.name) {
			t.Errorf("sim -help does not list %s", c.name)
		}
	}
}

// badInputs are invalid command lines; each must exit 2 with one line on
// stderr that mentions want, and print nothing on stdout.
var badInputs = []struct {
	name string
	args []string
	want string
}{
	{"no command", nil, "use one of: movement, balance"},
	{"unknown command", []string{"simulate"}, `unknown command "simulate"`},
	{"unknown flag", []string{"movement", "-colour"}, "-colour"},
	{"stray argument", []string{"balance", "extra"}, `unexpected argument "extra"`},
	{"non-numeric count", []string{"movement", "-nodes", "four"}, "-nodes"},
	{"negative seed", []string{"movement", "-seed", "-1"}, "-seed"},
	{"overflowing count", []string{"balance", "-keys", "99999999999999999999"}, "-keys"},
	{"movement zero nodes", []string{"movement", "-nodes", "0"}, "nodes must be between 1 and"},
	{"movement negative add", []string{"movement", "-add", "-1"}, "add must be between"},
	{"movement removing every node", []string{"movement", "-nodes", "3", "-add", "0", "-remove", "3"}, "remove must be between 0 and nodes-1"},
	{"movement no change", []string{"movement", "-add", "0"}, "add or remove must be at least 1"},
	{"movement absurd keys", []string{"movement", "-keys", "1000000000000"}, "keys must be between 1 and"},
	{"movement absurd vnodes", []string{"movement", "-nodes", "1000", "-vnodes", "100000"}, "vnodes must be between 1 and"},
	{"balance zero seeds", []string{"balance", "-seeds", "0"}, "seeds must be between 1 and"},
	{"balance negative vnodes", []string{"balance", "-vnodes", "-5"}, "vnodes must be between 1 and"},
	{"balance too many nodes", []string{"balance", "-nodes", "100000"}, "nodes must be between 1 and"},
	{"explore without script", []string{"explore"}, "-script is required"},
	{"explore bad script", []string{"explore", "-script", "c1 put k"}, "expected \"cN: put KEY VALUE\""},
	{"explore unknown property", []string{"explore", "-script", "c1: get k", "-property", "fresh"}, `property "fresh" is unknown`},
	{"explore W>N", []string{"explore", "-script", "c1: get k", "-w", "4"}, "W=4 must be between 1 and N=3"},
	{"explore budget", []string{"explore", "-script", "c1: get k", "-partitions", "9"}, "partitions=9 must be between 0 and 3"},
	{"explore memory", []string{"explore", "-script", "c1: get k", "-max-memory", "-1"}, "-max-memory=-1 must not be negative"},
	{"explore bad skew", []string{"explore", "-script", "c1: get k", "-skew", "n9:5"}, "the nodes are n0..n3"},
	{"explore down not a node", []string{"explore", "-script", "c1: get k", "-down", "n9"}, `-down="n9": the nodes are n0..n3`},
	{"explore down not a name", []string{"explore", "-script", "c1: get k", "-down", "one"}, `-down="one" must name a node, e.g. n1`},
	{"explore down twice", []string{"explore", "-script", "c1: get k", "-down", "n1", "-down", "n1"}, "down: n1 is named twice"},
	{"explore siblings K", []string{"explore", "-script", "c1: get k", "-property", "siblings:0"}, "K must be"},
}

func TestBadInputExitsTwoWithOneLine(t *testing.T) {
	for _, tc := range badInputs {
		code, stdout, stderr := invoke(tc.args...)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d (stderr %q)", tc.name, code, exitUsage, stderr)
		}
		if stdout != "" {
			t.Errorf("%s: printed on stdout: %q", tc.name, stdout)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
			t.Errorf("%s: stderr is not exactly one line: %q", tc.name, stderr)
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: stderr %q does not mention %q", tc.name, stderr, tc.want)
		}
	}
}

// FuzzArgs feeds arbitrary command lines (arguments separated by spaces) to
// the program: it must never panic, must exit 0, 1 or 2, and on exit 2 must
// print exactly one line on stderr and nothing on stdout. Inputs with
// numbers of three digits or more are skipped so that each run stays short
// (a valid run of 200 nodes takes tens of seconds).
func FuzzArgs(f *testing.F) {
	for _, tc := range badInputs {
		f.Add(strings.Join(tc.args, " "))
	}
	for _, tc := range badRunInputs {
		f.Add(strings.Join(tc.args, " "))
	}
	f.Add("movement -keys 100 -json")
	f.Add("balance -keys 100 -seeds 2")
	f.Add("run -ops 20 -faults crash,loss -check")
	f.Add("run -scenario cap-partition -ops 20 -json")
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		for _, a := range args {
			if digits := strings.TrimLeft(a, "-+0"); len(digits) > 2 && strings.Trim(digits, "0123456789._eE") == "" {
				t.Skip("large number")
			}
		}
		code, stdout, stderr := invoke(args...)
		switch code {
		case exitOK, exitFailure:
		case exitUsage:
			if stdout != "" || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("sim %q: exit 2 with stdout %q and stderr %q", line, stdout, stderr)
			}
		default:
			t.Fatalf("sim %q: exit %d", line, code)
		}
	})
}
