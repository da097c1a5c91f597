package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one subcommand of sim. run parses args (everything after the
// command's name) and writes its report to stdout; it returns a usageError
// for invalid input, errHelpShown after printing its help, and any other
// error for a failure while running.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout io.Writer) error
}

// commands lists the subcommands in the order the help shows them.
var commands = []command{
	{"movement", "keys moved by a membership change: hash-modulo placement against the ring", runMovement},
	{"balance", "per-node load spread of the ring (arc and key based), averaged over seeds", runBalance},
	{"run", "a simulated cluster under a workload and faults, healed and settled at the end", runCluster},
	{"sweep", "an experiment's sweep (measurements beside predictions) as text, CSV or JSON tables", runSweep},
	{"replay", "a run the lab shared (link or replay file), with the lab's state, counters and digest", runReplay},
	{"explore", "every schedule of a small scenario searched for the shortest one that breaks a property", runExplore},
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the command was valid but failed while running
	exitUsage   = 2 // invalid command, flags or combination of flags
	// exitNotConverged: sim run printed its report, but the cluster had not
	// converged when -settle-ticks ran out, so its lost-write count is
	// provisional.
	exitNotConverged = 3
)

// notConverged is the outcome of a run whose report was printed but whose
// cluster did not converge: exit status exitNotConverged.
type notConverged struct{ msg string }

func (e notConverged) Error() string { return e.msg }

// usageError is invalid input: the message says what is wrong and what is
// allowed, on one line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{msg: fmt.Sprintf(format, args...)}
}

// errHelpShown reports that -help was asked for and printed.
var errHelpShown = errors.New("help shown")

// run is the whole program: it dispatches args[0] to a command and turns
// the outcome into an exit status, with at most one line on stderr.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "sim: missing command; use one of: %s (sim -help describes them)\n", commandNames())
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		writeUsage(stdout)
		return exitOK
	}
	var cmd *command
	for i := range commands {
		if commands[i].name == name {
			cmd = &commands[i]
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "sim: unknown command %q; use one of: %s\n", name, commandNames())
		return exitUsage
	}
	stderrOut = stderr
	err := cmd.run(args[1:], stdout)
	var usage usageError
	var unsettled notConverged
	switch {
	case err == nil, errors.Is(err, errHelpShown):
		return exitOK
	case errors.As(err, &unsettled):
		fmt.Fprintf(stderr, "sim %s: %s\n", name, oneLine(err.Error()))
		return exitNotConverged
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "sim %s: %s\n", name, oneLine(err.Error()))
		return exitUsage
	default:
		fmt.Fprintf(stderr, "sim %s: %s\n", name, oneLine(err.Error()))
		return exitFailure
	}
}

func commandNames() string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

func writeUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: sim <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Each command prints a readable summary, or with -json one JSON object.")
	fmt.Fprintln(w, "sim <command> -help lists the command's flags. Invalid input exits with status 2;")
	fmt.Fprintln(w, "sim run exits with status 3 when the cluster did not converge while settling.")
}

// oneLine folds a message onto a single line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// newFlagSet makes a command's flag set; synopsis is the first line of its
// help, and the flag package itself prints nothing.
func newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: sim %s [flags]\n\n%s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs, every integer flag with parseInteger.
// It prints the help to stdout for -help (returning errHelpShown) and
// turns every other problem, including a stray positional argument, into a
// one-line usageError.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	strictIntegers(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return errHelpShown
		}
		return usagef("%v (sim %s -help lists the flags)", err, fs.Name())
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: %s takes flags only (sim %s -help lists them)", fs.Arg(0), fs.Name(), fs.Name())
	}
	return nil
}

// flagsSet reports which flags were given on the command line.
func flagsSet(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// writeJSON writes v as one indented JSON object followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// percent renders a fraction as a percentage with two decimals.
func percent(f float64) string {
	return fmt.Sprintf("%.2f%%", 100*f)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
