package core

// The table of knobs: every setting of a Config, declared once with its
// name, how its value is written, its range, its help sentence and the older
// spellings still read. The link format, the set command (CmdSet), the
// headless runner's flags and the help texts are all made from it, so a new
// Config field is one row here (a test checks that every field has one).

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// KnobKind is how a knob's value is written as text.
type KnobKind uint8

const (
	KnobInt      KnobKind = iota + 1 // a whole number
	KnobTicks                        // a whole number of ticks
	KnobNumber                       // a number (a fraction, a probability)
	KnobBool                         // 1 or 0 (true and false are read too)
	KnobChoice                       // one of Choices; the value is its index
	KnobNumbers                      // numbers separated by commas, one per node
	KnobTickList                     // whole numbers of ticks separated by commas, one per node
	KnobText                         // text
	KnobFaults                       // fault kinds separated by commas, or none
	// KnobJSON is any other value, written as its JSON: a field whose
	// shape the other kinds do not cover still travels in links and flags.
	KnobJSON
)

// Knob is one setting of a Config.
type Knob struct {
	// Name is the one spelling every output uses: link key, set parameter,
	// flag name (-name), help text.
	Name string
	// Aliases are older spellings, still read wherever a name is read.
	Aliases []string
	Kind    KnobKind
	// Min and Max bound a number, or each entry of a list. Rules that
	// relate knobs (W at most N...) are Config.Validate's.
	Min, Max float64
	// Choices are the words of a KnobChoice, in the order of its values.
	Choices []string
	// TextMax bounds a KnobText value's length.
	TextMax int
	// Help is one sentence saying what the knob does.
	Help string
	// Live knobs may change during a run (CmdSet); the others shape the
	// cluster when it starts.
	Live bool
	// field points into a Config.
	field func(*Config) any
}

// knobs is the table, in the order links write them and help lists them.
var knobs = []Knob{
	{Name: "nodes", Kind: KnobInt, Min: 1, Max: MaxNodes, Help: "nodes the cluster starts with",
		field: func(c *Config) any { return &c.Nodes }},
	{Name: "vnodes", Kind: KnobInt, Min: 1, Max: MaxVNodes, Help: "ring points (virtual nodes) per unit of weight",
		field: func(c *Config) any { return &c.VNodes }},
	{Name: "weights", Kind: KnobNumbers, Min: 0, Max: MaxWeight, Help: "capacity of each initial node, comma-separated (empty: all 1)",
		field: func(c *Config) any { return &c.Weights }},
	{Name: "n", Kind: KnobInt, Min: 1, Max: MaxNodes, Live: true, Help: "replicas per key (N, at most the nodes)",
		field: func(c *Config) any { return &c.N }},
	{Name: "w", Kind: KnobInt, Min: 1, Max: MaxNodes, Live: true, Help: "acks a put waits for (W, at most N)",
		field: func(c *Config) any { return &c.W }},
	{Name: "r", Kind: KnobInt, Min: 1, Max: MaxNodes, Live: true, Help: "replies a get waits for (R, at most N)",
		field: func(c *Config) any { return &c.R }},
	{Name: "mode", Kind: KnobChoice, Choices: []string{"cp", "ap"}, Live: true,
		Help:  "cp: strict quorums; ap: sloppy quorums with hinted handoff",
		field: func(c *Config) any { return (*uint8)(&c.Mode) }},
	{Name: "versioning", Aliases: []string{"ver"}, Kind: KnobChoice, Choices: []string{"vc", "lww"}, Live: true,
		Help:  "vc: vector clocks keep concurrent writes as siblings; lww: last write wins",
		field: func(c *Config) any { return (*uint8)(&c.Versioning) }},
	{Name: "vclock_max", Aliases: []string{"vcmax"}, Kind: KnobInt, Min: 0, Max: MaxNodes, Live: true,
		Help:  "entries a vector clock keeps before dropping the oldest (0: all)",
		field: func(c *Config) any { return &c.VClockMax }},
	{Name: "latency_min", Aliases: []string{"latmin"}, Kind: KnobTicks, Min: 0, Max: MaxLatencyTicks, Live: true,
		Help:  "shortest one-way message latency, in ticks",
		field: func(c *Config) any { return &c.LatencyMinTicks }},
	{Name: "latency_max", Aliases: []string{"latmax"}, Kind: KnobTicks, Min: 0, Max: MaxLatencyTicks, Live: true,
		Help:  "longest one-way message latency, in ticks",
		field: func(c *Config) any { return &c.LatencyMaxTicks }},
	{Name: "loss", Kind: KnobNumber, Min: 0, Max: 1, Live: true, Help: "probability that a message is lost",
		field: func(c *Config) any { return &c.Loss }},
	{Name: "skew", Kind: KnobTickList, Min: -MaxSkewTicks, Max: MaxSkewTicks,
		Help:  "each initial node's wall-clock offset in ticks, comma-separated (last write wins only)",
		field: func(c *Config) any { return &c.SkewTicks }},
	{Name: "timeout", Kind: KnobTicks, Min: 1, Max: MaxIntervalTicks, Live: true, Help: "ticks a request waits before it fails",
		field: func(c *Config) any { return &c.RequestTimeoutTicks }},
	{Name: "read_repair", Aliases: []string{"rr", "readrepair"}, Kind: KnobBool, Live: true,
		Help:  "a get sends the newest version to replicas that answered with an older one",
		field: func(c *Config) any { return &c.ReadRepair }},
	{Name: "gossip_every", Aliases: []string{"gossip"}, Kind: KnobTicks, Min: 0, Max: MaxIntervalTicks,
		Help:  "ticks between a node's gossip rounds (0: no gossip)",
		field: func(c *Config) any { return &c.GossipIntervalTicks }},
	{Name: "suspect_after", Aliases: []string{"suspect"}, Kind: KnobTicks, Min: 0, Max: MaxIntervalTicks,
		Help:  "ticks without news before a node suspects another",
		field: func(c *Config) any { return &c.SuspectAfterTicks }},
	{Name: "dead_after", Aliases: []string{"dead"}, Kind: KnobTicks, Min: 0, Max: MaxIntervalTicks,
		Help:  "ticks without news before a node counts another as dead",
		field: func(c *Config) any { return &c.DeadAfterTicks }},
	{Name: "handoff_every", Aliases: []string{"handoff"}, Kind: KnobTicks, Min: 0, Max: MaxIntervalTicks,
		Help:  "ticks between a hint holder's attempts to hand its hints back",
		field: func(c *Config) any { return &c.HandoffIntervalTicks }},
	{Name: "antientropy_every", Aliases: []string{"ae"}, Kind: KnobTicks, Min: 0, Max: MaxIntervalTicks,
		Help:  "ticks between a node's Merkle anti-entropy rounds (0: none)",
		field: func(c *Config) any { return &c.AntiEntropyIntervalTicks }},
	{Name: "merkle_depth", Aliases: []string{"merkle"}, Kind: KnobInt, Min: 0, Max: MaxMerkleDepth,
		Help:  "depth of each key range's Merkle tree (2^depth leaves)",
		field: func(c *Config) any { return &c.MerkleDepth }},
	{Name: "clients", Kind: KnobInt, Min: 0, Max: MaxClients, Help: "simulated clients, each with one operation at a time (0: no workload)",
		field: func(c *Config) any { return &c.Workload.Clients }},
	{Name: "keys", Kind: KnobInt, Min: 0, Max: MaxKeys, Help: "distinct keys the clients use",
		field: func(c *Config) any { return &c.Workload.Keys }},
	{Name: "put_fraction", Aliases: []string{"puts"}, Kind: KnobNumber, Min: 0, Max: 1, Help: "fraction of client operations that are puts",
		field: func(c *Config) any { return &c.Workload.PutFraction }},
	{Name: "ops", Kind: KnobInt, Min: 0, Max: math.MaxInt32, Help: "client operations to issue in all (0: no limit)",
		field: func(c *Config) any { return &c.Workload.Ops }},
	{Name: "think_max", Aliases: []string{"think"}, Kind: KnobTicks, Min: 0, Max: MaxIntervalTicks,
		Help:  "longest pause of a client between two operations, in ticks",
		field: func(c *Config) any { return &c.Workload.ThinkTicksMax }},
	{Name: "key_prefix", Aliases: []string{"prefix"}, Kind: KnobText, TextMax: 64, Help: "text before each key's number",
		field: func(c *Config) any { return &c.Workload.KeyPrefix }},
	{Name: "single_writer", Aliases: []string{"single"}, Kind: KnobBool, Help: "each key is written by one client only",
		field: func(c *Config) any { return &c.Workload.SingleWriter }},
	{Name: "scripted", Kind: KnobBool, Help: "every message delivery, drop and timeout is a recorded command (the schedule search's runs); the workload, faults and loss must be off",
		field: func(c *Config) any { return &c.Scripted }},
	{Name: "faults", Kind: KnobFaults, Help: "faults to inject, comma-separated, or none",
		field: func(c *Config) any { return &c.Faults.Kinds }},
	{Name: "fault_every", Aliases: []string{"fevery"}, Kind: KnobTicks, Min: 0, Max: MaxIntervalTicks,
		Help:  "ticks between two injected faults",
		field: func(c *Config) any { return &c.Faults.EveryTicks }},
	{Name: "fault_for", Aliases: []string{"fdur", "fault_duration"}, Kind: KnobTicks, Min: 0, Max: MaxIntervalTicks,
		Help:  "ticks each injected fault lasts",
		field: func(c *Config) any { return &c.Faults.DurationTicks }},
}

// Knobs is the table of knobs, in the order links write them. The slice is
// a copy; the knobs' lists are shared and must not be changed.
func Knobs() []Knob { return slices.Clone(knobs) }

// KnobName folds a spelling to the form names are compared in: lower case,
// "-" read as "_" (so the flag -fault-every is the knob fault_every).
func KnobName(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "-", "_")
}

// LookupKnob finds the knob called name, by its name or an alias.
func LookupKnob(name string) (Knob, bool) {
	n := KnobName(name)
	for _, k := range knobs {
		if k.Name == n || slices.Contains(k.Aliases, n) {
			return k, true
		}
	}
	return Knob{}, false
}

// LiveKnobNames are the names the set command takes, in table order.
func LiveKnobNames() []string {
	var out []string
	for _, k := range knobs {
		if k.Live {
			out = append(out, k.Name)
		}
	}
	return out
}

// Format writes the knob's value in c.
func (k Knob) Format(c *Config) string {
	switch p := k.field(c).(type) {
	case *int:
		return strconv.Itoa(*p)
	case *int64:
		return strconv.FormatInt(*p, 10)
	case *float64:
		return formatNum(*p)
	case *bool:
		if *p {
			return "1"
		}
		return "0"
	case *uint8:
		if int(*p) < len(k.Choices) {
			return k.Choices[*p]
		}
		return strconv.Itoa(int(*p))
	case *string:
		return *p
	case *[]float64:
		s := make([]string, len(*p))
		for i, v := range *p {
			s[i] = formatNum(v)
		}
		return strings.Join(s, ",")
	case *[]int64:
		s := make([]string, len(*p))
		for i, v := range *p {
			s[i] = strconv.FormatInt(v, 10)
		}
		return strings.Join(s, ",")
	case *[]FaultKind:
		if len(*p) == 0 {
			return "none"
		}
		s := make([]string, len(*p))
		for i, k := range *p {
			s[i] = string(k)
		}
		return strings.Join(s, ",")
	}
	b, err := json.Marshal(k.field(c))
	if err != nil {
		panic("core: knob " + k.Name + ": " + err.Error())
	}
	return string(b)
}

// Default is the knob's value in DefaultConfig, as text.
func (k Knob) Default() string {
	c := DefaultConfig()
	return k.Format(&c)
}

// Accepted says in words what the knob accepts ("a whole number from 1 to
// 4096", "cp or ap").
func (k Knob) Accepted() string {
	switch k.Kind {
	case KnobInt:
		return fmt.Sprintf("a whole number from %s to %s", plainNum(k.Min), plainNum(k.Max))
	case KnobTicks:
		return fmt.Sprintf("a whole number of ticks from %s to %s", plainNum(k.Min), plainNum(k.Max))
	case KnobNumber:
		return fmt.Sprintf("a number from %s to %s", plainNum(k.Min), plainNum(k.Max))
	case KnobBool:
		return "1 or 0"
	case KnobChoice:
		return strings.Join(k.Choices, " or ")
	case KnobNumbers:
		return fmt.Sprintf("numbers above %s and at most %s, separated by commas", plainNum(k.Min), plainNum(k.Max))
	case KnobTickList:
		return fmt.Sprintf("whole numbers of ticks from %s to %s, separated by commas", plainNum(k.Min), plainNum(k.Max))
	case KnobText:
		return fmt.Sprintf("text of at most %d characters", k.TextMax)
	case KnobFaults:
		return "fault kinds from " + strings.Join(FaultKindNames(), ",") + ", or none"
	}
	return "a JSON value"
}

// Parse reads a value written as text (Format's form, or an older one)
// and returns the change it makes; the error says what is accepted.
// Only the knob's own range is checked: Config.Validate checks the rest.
func (k Knob) Parse(s string) (func(*Config), error) {
	bad := errors.New(k.Accepted() + " is needed")
	inRange := func(v float64) bool { return v >= k.Min && v <= k.Max }
	switch k.Kind {
	case KnobInt, KnobTicks:
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || !inRange(float64(v)) {
			return nil, bad
		}
		return func(c *Config) { k.setInt(c, v) }, nil
	case KnobNumber:
		v, err := parseNum(s)
		if err != nil || !inRange(v) {
			return nil, bad
		}
		return func(c *Config) { *k.field(c).(*float64) = v }, nil
	case KnobBool:
		var v bool
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "1", "true":
			v = true
		case "0", "false":
		default:
			return nil, bad
		}
		return func(c *Config) { *k.field(c).(*bool) = v }, nil
	case KnobChoice:
		s = strings.ToLower(strings.TrimSpace(s))
		i := slices.Index(k.Choices, s)
		if i < 0 {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n >= len(k.Choices) {
				return nil, bad
			}
			i = n
		}
		return func(c *Config) { *k.field(c).(*uint8) = uint8(i) }, nil
	case KnobNumbers:
		var vs []float64
		for _, part := range splitKnobList(s) {
			v, err := parseNum(part)
			if err != nil || !(v > k.Min && v <= k.Max) || len(vs) >= MaxNodes {
				return nil, bad
			}
			vs = append(vs, v)
		}
		return func(c *Config) { *k.field(c).(*[]float64) = slices.Clone(vs) }, nil
	case KnobTickList:
		var vs []int64
		for _, part := range splitKnobList(s) {
			v, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil || !inRange(float64(v)) || len(vs) >= MaxNodes {
				return nil, bad
			}
			vs = append(vs, v)
		}
		return func(c *Config) { *k.field(c).(*[]int64) = slices.Clone(vs) }, nil
	case KnobText:
		if len(s) > k.TextMax {
			return nil, bad
		}
		return func(c *Config) { *k.field(c).(*string) = s }, nil
	case KnobFaults:
		var kinds []FaultKind
		if strings.TrimSpace(s) != "none" {
			for _, part := range splitKnobList(s) {
				fk := FaultKind(strings.TrimSpace(part))
				if !slices.Contains(FaultKinds, fk) {
					return nil, bad
				}
				if !slices.Contains(kinds, fk) {
					kinds = append(kinds, fk)
				}
			}
		}
		return func(c *Config) { *k.field(c).(*[]FaultKind) = slices.Clone(kinds) }, nil
	}
	// KnobJSON: decode into a fresh value of the field's type.
	var probe Config
	v := reflect.New(reflect.TypeOf(k.field(&probe)).Elem())
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v.Interface()); err != nil || dec.More() {
		return nil, fmt.Errorf("%s: %v", k.Accepted(), err)
	}
	return func(c *Config) { reflect.ValueOf(k.field(c)).Elem().Set(v.Elem()) }, nil
}

// Num is the knob's value in c as CmdSet's number (a choice's index, 1 or
// 0 for a flag), and whether the knob has one (lists and text have none).
func (k Knob) Num(c *Config) (float64, bool) {
	switch p := k.field(c).(type) {
	case *int:
		return float64(*p), true
	case *int64:
		return float64(*p), true
	case *float64:
		return *p, true
	case *bool:
		if *p {
			return 1, true
		}
		return 0, true
	case *uint8:
		return float64(*p), true
	}
	return 0, false
}

// setNum sets a live knob from CmdSet's number.
func (k Knob) setNum(c *Config, num float64) error {
	switch k.Kind {
	case KnobInt, KnobTicks:
		if num != math.Trunc(num) || math.Abs(num) > 1e12 {
			return fmt.Errorf("set %s=%v: the value must be a whole number", k.Name, num)
		}
		k.setInt(c, int64(num))
	case KnobNumber:
		*k.field(c).(*float64) = num
	case KnobBool:
		if num != 0 && num != 1 {
			return fmt.Errorf("set %s=%v: the value must be 0 or 1", k.Name, num)
		}
		*k.field(c).(*bool) = num == 1
	case KnobChoice:
		if num != math.Trunc(num) || num < 0 || num >= float64(len(k.Choices)) {
			return fmt.Errorf("set %s=%v: the value must be a whole number from 0 to %d (%s)", k.Name, num, len(k.Choices)-1, strings.Join(k.Choices, ", "))
		}
		*k.field(c).(*uint8) = uint8(num)
	default:
		return fmt.Errorf("set %s: not a number", k.Name)
	}
	return nil
}

func (k Knob) setInt(c *Config, v int64) {
	switch p := k.field(c).(type) {
	case *int:
		*p = int(v)
	case *int64:
		*p = v
	}
}

func splitKnobList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func formatNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// plainNum writes a bound without an exponent (1000000, not 1e+06).
func plainNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func parseNum(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e12 {
		return 0, errors.New("a number is needed")
	}
	return v, nil
}

// KnobHelp is the table as help text, one knob a line: its name, what it
// accepts, its default, and what it does.
func KnobHelp() string {
	var b strings.Builder
	for _, k := range knobs {
		d := k.Default()
		if d == "" {
			d = "empty"
		}
		fmt.Fprintf(&b, "  %-18s %s (default %s): %s", k.Name, k.Accepted(), d, k.Help)
		if len(k.Aliases) > 0 {
			fmt.Fprintf(&b, "; also read as %s", strings.Join(k.Aliases, ", "))
		}
		b.WriteByte('\n')
	}
	return b.String()
}
