package main

import (
	"strings"
	"testing"
)

// TestIntegerFlagsOneParser: every command reads its integer flags alike,
// decimal digits only, and says so in the same words.
func TestIntegerFlagsOneParser(t *testing.T) {
	const want = "not a whole number in decimal digits (such as 16)"
	bad := [][]string{
		{"run", "-nodes", "0x10"},
		{"run", "-ops", "1_000"},
		{"run", "-seed", "0b101"},
		{"run", "-settle-ticks", "0o20"},
		{"run", "-fault-every", "1e3"},
		{"sweep", "-experiment", "movement", "-keys", "0x64"},
		{"sweep", "-experiment", "movement", "-seed", "1e3"},
		{"movement", "-nodes", "0x4"},
		{"balance", "-seeds", "+0x2"},
	}
	for _, args := range bad {
		code, stdout, stderr := invoke(args...)
		if code != exitUsage || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
			t.Errorf("sim %v: exit %d, stdout %q, stderr %q; want status 2 and one line saying %q", args, code, stdout, stderr, want)
		}
	}
	good := [][]string{
		{"run", "-nodes", "4", "-ops", "+20", "-seed", "18446744073709551615"},
		{"sweep", "-experiment", "movement", "-keys", "100", "-nodes_max", "6", "-seeds", "2"},
		{"movement", "-nodes", "4", "-keys", "100"},
	}
	for _, args := range good {
		if code, _, stderr := invoke(args...); code != exitOK {
			t.Errorf("sim %v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

func TestParseInteger(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "16": 16, "-3": -3, "+7": 7, "0010": 10} {
		if got, err := parseInteger(s); err != nil || got != want {
			t.Errorf("parseInteger(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-", "0x10", "1_000", "1e3", "1.0", " 1", "1 ", "ten", "99999999999999999999"} {
		if _, err := parseInteger(s); err == nil {
			t.Errorf("parseInteger(%q) accepted", s)
		}
	}
}
