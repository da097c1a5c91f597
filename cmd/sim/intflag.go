package main

import (
	"errors"
	"flag"
	"strconv"
)

// parseInteger is the one parser of every integer flag of every command
// (the cluster's sizes, seeds, tick counts, the sweeps' knobs): a whole
// number in decimal, with an optional sign. The flag package alone would
// take 0x10, 0o20, 0b10000 and 1_000 for some flags and not others.
func parseInteger(s string) (int64, error) {
	if !isDecimal(s) {
		return 0, errNotDecimal
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errors.New("out of range")
	}
	return n, nil
}

var errNotDecimal = errors.New("not a whole number in decimal digits (such as 16)")

// isDecimal reports whether s is an optional sign and one or more decimal
// digits.
func isDecimal(s string) bool {
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decimalOnly wraps an integer flag's value so that it accepts only what
// parseInteger accepts before the flag package converts it.
type decimalOnly struct{ flag.Value }

// String is called by the flag package on a zero decimalOnly too (to tell
// whether a default is worth printing in the usage), whose Value is nil.
func (d decimalOnly) String() string {
	if d.Value == nil {
		return ""
	}
	return d.Value.String()
}

func (d decimalOnly) Set(s string) error {
	if _, err := parseInteger(s); err != nil {
		// A number beyond int64 (a seed near 2^64) is left to the flag's
		// own range check.
		if errors.Is(err, errNotDecimal) {
			return err
		}
	}
	return d.Value.Set(s)
}

// strictIntegers makes every integer flag of fs (int, int64, uint, uint64,
// however declared) go through parseInteger.
func strictIntegers(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		g, ok := f.Value.(flag.Getter)
		if !ok {
			return
		}
		switch g.Get().(type) {
		case int, int64, uint, uint64:
			f.Value = decimalOnly{f.Value}
		}
	})
}
