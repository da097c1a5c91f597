package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ringlab/ringlab/core"
)

// The cluster flags of `sim run` are the knobs of core.Knobs: one flag a
// knob, named as the knob (-read_repair, -fault_every), with its older
// spellings still read (-fault-every, -puts, -single-writer: "-" and "_"
// are the same in a name). Values are read as links read them and checked
// when the configuration is built, so that the message names the flag as
// it was typed.

// runLimits are `sim run`'s own bounds on some knobs, tighter than the
// core's: a mistyped number fails at once instead of running for hours.
var runLimits = map[string][2]float64{
	"nodes":   {1, maxRunNodes},
	"ops":     {1, maxRunOps},
	"clients": {1, core.MaxClients},
	"keys":    {1, core.MaxKeys},
}

// knobFlags are the knobs registered as flags of one flag set.
type knobFlags struct {
	base  core.Config
	given []*knobFlag // in the order they were given
}

// knobFlag is one spelling of one knob's flag.
type knobFlag struct {
	owner    *knobFlags
	knob     core.Knob
	spelling string // the flag's name as registered
	text     string
}

func (f *knobFlag) String() string { return f.text }

func (f *knobFlag) Set(s string) error {
	if k := f.knob.Kind; (k == core.KnobInt || k == core.KnobTicks) && !isDecimal(strings.TrimSpace(s)) {
		return errNotDecimal // the same words as every other integer flag
	}
	f.text = s
	f.owner.given = append(f.owner.given, f)
	return nil
}

// IsBoolFlag lets -read_repair stand for -read_repair=1.
func (f *knobFlag) IsBoolFlag() bool { return f.knob.Kind == core.KnobBool }

// spellings are the flag names of a knob: its name and its aliases, each
// also with "-" for "_".
func spellings(k core.Knob) []string {
	var out []string
	for _, n := range append([]string{k.Name}, k.Aliases...) {
		for _, s := range []string{n, strings.ReplaceAll(n, "_", "-")} {
			if !contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// addKnobFlags registers every knob under each of its spellings; base
// gives the defaults the help shows.
func addKnobFlags(fs *flag.FlagSet, base core.Config) *knobFlags {
	kf := &knobFlags{base: base}
	for _, k := range core.Knobs() {
		for _, s := range spellings(k) {
			fs.Var(&knobFlag{owner: kf, knob: k, spelling: s, text: k.Format(&base)}, s, k.Help)
		}
	}
	return kf
}

// isKnobFlag reports whether name is one of the knobs' flags.
func isKnobFlag(name string) bool {
	_, ok := core.LookupKnob(name)
	return ok
}

// givenKnob reports whether the knob called name was given, by any spelling.
func (kf *knobFlags) givenKnob(name string) bool {
	for _, f := range kf.given {
		if f.knob.Name == name {
			return true
		}
	}
	return false
}

// apply sets the given knobs in cfg, in the order given (a later one
// wins). A value out of `sim run`'s bounds or the knob's, or not of the
// knob's kind, is a usageError naming the flag as typed.
func (kf *knobFlags) apply(cfg *core.Config) error {
	for _, f := range kf.given {
		k, text := f.knob, strings.TrimSpace(f.text)
		if lim, ok := runLimits[k.Name]; ok {
			var v float64
			if _, err := fmt.Sscan(text, &v); err == nil && (v < lim[0] || v > lim[1]) {
				return usagef("-%s=%s must be between %g and %g", f.spelling, text, lim[0], lim[1])
			}
		}
		switch k.Kind {
		case core.KnobChoice:
			if !contains(k.Choices, strings.ToLower(text)) {
				return usagef("-%s=%q is unknown; allowed: %s", f.spelling, text, strings.Join(k.Choices, ", "))
			}
		case core.KnobFaults:
			if _, err := parseFaults(text); err != nil {
				return err
			}
		}
		set, err := k.Parse(text)
		if err != nil {
			return usagef("-%s=%s: %v", f.spelling, text, err)
		}
		set(cfg)
	}
	return nil
}

// writeKnobHelp lists the knobs' flags, one a line, with what each accepts,
// its default in base and its older spellings.
func writeKnobHelp(w io.Writer, base core.Config) {
	for _, k := range core.Knobs() {
		d := k.Format(&base)
		if d == "" {
			d = "none"
		}
		fmt.Fprintf(w, "  -%s\n    \t%s: %s (default %s)", k.Name, k.Help, k.Accepted(), d)
		if s := spellings(k)[1:]; len(s) > 0 {
			fmt.Fprintf(w, "; also -%s", strings.Join(s, ", -"))
		}
		fmt.Fprintln(w)
	}
}

// writeRunUsage is `sim run -help`: the synopsis, the runner's own flags,
// then the cluster's settings from the knob table, each once.
func writeRunUsage(fs *flag.FlagSet, synopsis string, base core.Config) {
	w := fs.Output()
	fmt.Fprintf(w, "usage: sim run [flags]\n\n%s\n\nflags:\n", synopsis)
	own := flag.NewFlagSet("run", flag.ContinueOnError)
	own.SetOutput(w)
	fs.VisitAll(func(f *flag.Flag) {
		if !isKnobFlag(f.Name) {
			own.Var(f.Value, f.Name, f.Usage)
		}
	})
	own.PrintDefaults()
	fmt.Fprintln(w, "\ncluster settings (the lab's knobs, as links and the set command name them):")
	writeKnobHelp(w, base)
}
