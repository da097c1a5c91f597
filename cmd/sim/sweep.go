package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ringlab/ringlab/experiments"
)

// sweepReport is the JSON of `sim sweep -json`: the experiment, every
// parameter value (defaults filled in) and all of its tables.
type sweepReport struct {
	Command    string              `json:"command"`
	Experiment string              `json:"experiment"`
	Values     experiments.Values  `json:"values"`
	Tables     []experiments.Table `json:"tables"`
}

// knobValue is a flag holding one knob of an experiment: every knob is a
// whole number, read by parseInteger as every integer flag is, and
// Experiment.Start checks it against the knob's range.
type knobValue struct {
	knob experiments.Knob
	set  map[string]float64
}

func (k knobValue) String() string {
	if x, ok := k.set[k.knob.Name]; ok {
		return formatKnob(x)
	}
	return formatKnob(k.knob.Default)
}

func (k knobValue) Set(s string) error {
	x, err := parseInteger(s)
	if err != nil {
		return err
	}
	k.set[k.knob.Name] = float64(x)
	return nil
}

func formatKnob(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// experimentArg finds the value of -experiment in args before the flags are
// parsed, because the knob flags depend on it. It returns "" when the flag
// is absent (or has no value; the parse then reports it).
func experimentArg(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "experiment" {
			continue
		}
		if hasValue {
			return value
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func runSweep(args []string, stdout io.Writer) error {
	name := experimentArg(args)
	e, known := experiments.Lookup(name)
	if name != "" && !known {
		return usagef("unknown experiment %q; use one of: %s", name, experiments.Names())
	}
	fs := newFlagSet("sweep", "Runs an experiment's sweep to completion and prints its tables: each measurement\n"+
		"beside its prediction, with the spread across seeds. The knob flags depend on the\n"+
		"experiment: sim sweep -experiment NAME -help lists them, sim sweep -list lists all.")
	fs.Usage = func() {
		synopsis := "[knob flags]"
		if known {
			synopsis = "[" + knobSynopsis(e) + "]"
		}
		fmt.Fprintf(fs.Output(), "usage: sim sweep -experiment NAME %s [-json | -csv [-table T] | -out DIR]\n       sim sweep -list [-json]\n\n", synopsis)
		fmt.Fprintf(fs.Output(), "Runs an experiment's sweep to completion and prints its tables: each measurement\n"+
			"beside its prediction, with the spread across seeds (sd, min, max, n).\n"+
			"Experiments: %s.\n\nflags:\n", experiments.Names())
		fs.PrintDefaults()
	}
	fs.String("experiment", "", "the experiment to run: "+experiments.Names())
	list := fs.Bool("list", false, "list the experiments with their knobs, defaults and ranges")
	asJSON := fs.Bool("json", false, "print one JSON object with every table")
	asCSV := fs.Bool("csv", false, "print the tables as CSV, each after a line \"# table NAME\" and separated by a blank line")
	only := fs.String("table", "", "with -csv: print only this table, as plain CSV")
	outDir := fs.String("out", "", "write EXPERIMENT-TABLE.csv and EXPERIMENT-TABLE.json for every table into this directory")
	force := fs.Bool("force", false, "run a sweep estimated to take longer than the "+roughDuration(sweepBudget)+" budget")
	showProgress := fs.Bool("progress", false, "write progress to standard error even when it is not a terminal or with -json (on a terminal, text output shows it anyway)")
	set := map[string]float64{}
	if known {
		for _, k := range e.Params {
			fs.Var(knobValue{knob: k, set: set}, k.Name, fmt.Sprintf("%s (%s..%s)", k.Help, formatKnob(k.Min), formatKnob(k.Max)))
		}
	}
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	switch {
	case *list && name != "":
		return usagef("-list takes no -experiment")
	case *list && (*asCSV || *outDir != "" || *only != ""):
		return usagef("-list prints text or, with -json, JSON; not -csv, -table or -out")
	case *list && *asJSON:
		return writeJSON(stdout, experiments.All())
	case *list:
		return writeExperimentList(stdout)
	case name == "":
		return usagef("missing -experiment; use one of: %s (sim sweep -list describes them)", experiments.Names())
	case countTrue(*asJSON, *asCSV, *outDir != "") > 1:
		return usagef("choose one of -json, -csv and -out")
	case *only != "" && !*asCSV:
		return usagef("-table selects a table for -csv only")
	}
	r, err := e.Start(set)
	if err != nil {
		return usagef("%v", err)
	}
	if !*force {
		if estimate, ok := estimateSweep(e, r); ok && estimate > sweepBudget {
			return usagef("the sweep is estimated to take about %s, more than the %s budget: "+
				"lower -seeds or the sizes, or pass -force to run it anyway", roughDuration(estimate), roughDuration(sweepBudget))
		}
	}
	terminal := isTerminal(stderrOut)
	if *showProgress || terminal && !*asJSON {
		p := newProgressMeter(stderrOut, terminal, e.Name, r.Values().Int("seeds"), r)
		for !r.Step(1) { // a unit is under a millisecond or so: fine enough for a display
			p.update(r)
		}
		p.finish()
	}
	tables := r.Complete()
	if *only != "" {
		i := tableIndex(tables, *only)
		if i < 0 {
			return usagef("experiment %s has no table %q; it has: %s", e.Name, *only, tableNames(tables))
		}
		tables = tables[i : i+1]
	}
	switch {
	case *asJSON:
		return writeJSON(stdout, sweepReport{Command: "sweep", Experiment: e.Name, Values: r.Values(), Tables: tables})
	case *asCSV && *only != "":
		_, err := stdout.Write(tables[0].CSV())
		return err
	case *asCSV:
		return writeTablesCSV(stdout, tables)
	case *outDir != "":
		return writeTableFiles(stdout, *outDir, e.Name, tables)
	}
	return writeTablesText(stdout, e, r.Values(), tables)
}

func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func tableIndex(tables []experiments.Table, name string) int {
	for i, t := range tables {
		if t.Name == name {
			return i
		}
	}
	return -1
}

func tableNames(tables []experiments.Table) string {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// knobSynopsis is "-seed S -seeds S -keys K ..." for the usage line.
func knobSynopsis(e experiments.Experiment) string {
	parts := make([]string, len(e.Params))
	for i, k := range e.Params {
		parts[i] = "-" + k.Name + " " + formatKnob(k.Default)
	}
	return strings.Join(parts, " ")
}

// writeExperimentList prints every experiment with its knobs.
func writeExperimentList(w io.Writer) error {
	for i, e := range experiments.All() {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s  %s\n    %s\n", e.Name, e.Title, e.Summary)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, k := range e.Params {
			fmt.Fprintf(tw, "    -%s\tdefault %s\t%s..%s\t%s\n", k.Name, formatKnob(k.Default), formatKnob(k.Min), formatKnob(k.Max), k.Help)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// writeTablesCSV prints every table's CSV after a "# table NAME" line,
// with a blank line between tables.
func writeTablesCSV(w io.Writer, tables []experiments.Table) error {
	var b bytes.Buffer
	for i, t := range tables {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "# table %s\n", t.Name)
		b.Write(t.CSV())
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeTableFiles writes EXPERIMENT-TABLE.csv and .json per table into dir
// (created if needed) and lists the files written.
func writeTableFiles(w io.Writer, dir, experiment string, tables []experiments.Table) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, t := range tables {
		base := filepath.Join(dir, experiment+"-"+t.Name)
		for _, f := range []struct {
			path string
			data []byte
		}{{base + ".csv", t.CSV()}, {base + ".json", t.JSON()}} {
			if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
				return err
			}
			fmt.Fprintln(w, f.path)
		}
	}
	return nil
}

// writeTablesText prints each table as aligned columns: parameters and
// predictions as numbers, measurements as "mean ± sd" over the seeds.
func writeTablesText(w io.Writer, e experiments.Experiment, values experiments.Values, tables []experiments.Table) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "%s: %s\n", e.Name, e.Title)
	var knobs []string
	for _, k := range e.Params {
		knobs = append(knobs, k.Name+"="+formatKnob(values[k.Name]))
	}
	fmt.Fprintf(w, "parameters: %s\n", strings.Join(knobs, " "))
	for _, t := range tables {
		fmt.Fprintf(w, "\n%s (table %s)\n", t.Title, t.Name)
		fmt.Fprintf(w, "prediction: %s\n", t.Claim)
		fmt.Fprintf(w, "source: %s\n\n", t.Source)
		var head []string
		if t.Group != "" {
			head = append(head, t.Group)
		}
		for _, c := range t.Columns {
			h := c.Name
			if c.Role == experiments.Measured {
				h += " (mean ± sd)"
			}
			head = append(head, h)
		}
		fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
		for _, r := range t.Rows {
			var cells []string
			if t.Group != "" {
				cells = append(cells, r.Group)
			}
			for i, c := range t.Columns {
				if c.Role != experiments.Measured {
					cells = append(cells, c.ShowValue(r.Values[i], textNumber))
					continue
				}
				s := r.Summary(i)
				cell := textNumber(s.Mean)
				if s.N > 1 {
					mean, sd := s.Rounded()
					cell = mean + " ± " + sd
				}
				cells = append(cells, cell)
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		units := unitsLine(t)
		if units != "" {
			fmt.Fprintf(w, "units: %s\n", units)
		}
	}
	return nil
}

// unitsLine names each column's unit, for the text output's footer.
func unitsLine(t experiments.Table) string {
	var parts []string
	for _, c := range t.Columns {
		if c.Unit != "" {
			parts = append(parts, c.Name+" in "+c.Unit)
		}
	}
	return strings.Join(parts, "; ")
}

// textNumber is a number for reading: four significant digits, "-" for no
// measurement.
func textNumber(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

var _ flag.Value = knobValue{}
