package lab

// The link format, version 1. A link is the page URL plus a fragment of
// "&"-separated key=value pairs, percent-encoded where needed:
//
//	#v=1&chapter=quorums&seed=7&w=1&r=1&tick=220&paused=1&a=40:crash:node=n2~52:put:node=n0:key=cart:value=red
//
// Keys (unknown keys are ignored, so later versions may add some):
//
//	v=1            the format version
//	chapter=ID     chapter id (or its 1-based number)
//	item=NAME      the item the chapter shows, for a page opened on one
//	               (the experiments page: item=movement opens the movement
//	               experiment); written only by such pages (lab.Opener that
//	               reports its item, PageReporter). Added within version 1:
//	               a lab that predates it ignores it as an unknown key and
//	               opens the page on its default item
//	seed=S         the run's seed, 0..2^53
//	tick=T         the tick on screen, 0..100000; absent, the run opens
//	               where the chapter opens by itself: after its scripted
//	               start (tick 0 for a chapter without one) and the
//	               link's actions. Written whenever the run is elsewhere
//	               (from this version on; older links without it opened
//	               at tick 0)
//	paused=1       start paused (1 or 0)
//	speed=F        ticks per second
//	script=K       apply only the first K commands of the chapter's scripted
//	               preset (absent: all); written when the run was forked
//	               inside its script
//	a=ACTIONS      the commands recorded after the script, see below
//
// Configuration keys, written only where the run differs from the chapter's
// preset for that seed (so a link to an unchanged run carries none):
//
//	nodes vnodes weights=1,2.5 n w r mode=cp|ap ver=vc|lww vcmax
//	latmin latmax loss skew=0,40,-5 timeout rr=0|1 gossip suspect dead
//	handoff ae merkle clients keys puts ops think prefix single=0|1
//	faults=crash,partition|none fevery fdur
//
// (latency, intervals and timeouts in ticks; puts is the workload's put
// fraction; an empty weights or skew means none.)
//
// ACTIONS is a "~"-separated list of actions in tick order; one action is
//
//	TICK:KIND[:FIELD=VALUE]...
//
// where KIND is a core.CommandKind ("put", "crash", "partition"...) and
// FIELD one of core.Command's JSON names: node and peer (node names: n2),
// peer_set=1, client, key, value and param (text, percent-encoded), ctx=1,
// n, w, r, weight, num, and groups (node names joined by "." within a
// group and groups joined by "-": n0.n1-n2.n3.n4).
//
// Reading never fails: a value that cannot be used keeps its default and
// the lab shows a notice naming it and why; a fragment longer than
// fragmentMax is ignored whole.

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/ids"
)

// FragmentVersion is the version of the URL fragment format this build reads.
const FragmentVersion = 1

// fragmentMax bounds the fragment text; a longer one is ignored whole.
const fragmentMax = 64 << 10

// Link is a fragment read into values, not yet checked against the chapters
// (their presets decide what the configuration keys change).
type Link struct {
	Chapter string
	// Item is the item=NAME value: what the chapter opens on (Opener).
	Item    string
	Seed    uint64
	SeedSet bool
	// Tick is the tick=N value, or -1 when the link names none: the run
	// then opens where the chapter opens by itself, after its scripted
	// start and the link's actions.
	Tick   int64
	Paused bool
	// PausedSet is true when the link says paused=1 or paused=0.
	PausedSet bool
	Speed     float64
	// ScriptKept is the script=K value, or -1 for all.
	ScriptKept int
	Actions    []core.Recorded
	// settings are the configuration keys, in the order of configFields.
	settings []setting
	// Notices say what was ignored while reading, and why.
	Notices []string
	// usable is false when nothing in the fragment could be used.
	usable bool
}

// setting is one configuration key of a link, parsed.
type setting struct {
	key, raw string
	set      func(*core.Config)
}

// configField is one configuration key of the link format.
type configField struct {
	key string
	get func(*core.Config) string
	// parse reads a value into a setter; errors say what is accepted.
	parse func(string) (func(*core.Config), error)
}

func intKey(key string, p func(*core.Config) *int) configField {
	return configField{key,
		func(c *core.Config) string { return strconv.Itoa(*p(c)) },
		func(s string) (func(*core.Config), error) {
			v, err := strconv.ParseInt(s, 10, 32)
			if err != nil {
				return nil, errors.New("a whole number is needed")
			}
			return func(c *core.Config) { *p(c) = int(v) }, nil
		}}
}

func int64Key(key string, p func(*core.Config) *int64) configField {
	return configField{key,
		func(c *core.Config) string { return strconv.FormatInt(*p(c), 10) },
		func(s string) (func(*core.Config), error) {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil || v > math.MaxInt32 || v < math.MinInt32 {
				return nil, errors.New("a whole number of ticks is needed")
			}
			return func(c *core.Config) { *p(c) = v }, nil
		}}
}

func floatKey(key string, p func(*core.Config) *float64) configField {
	return configField{key,
		func(c *core.Config) string { return formatFloat(*p(c)) },
		func(s string) (func(*core.Config), error) {
			v, err := parseFloat(s)
			if err != nil {
				return nil, err
			}
			return func(c *core.Config) { *p(c) = v }, nil
		}}
}

func boolKey(key string, p func(*core.Config) *bool) configField {
	return configField{key,
		func(c *core.Config) string { return boolText(*p(c)) },
		func(s string) (func(*core.Config), error) {
			v, ok := parseBool(s)
			if !ok {
				return nil, errors.New("1 or 0 is needed")
			}
			return func(c *core.Config) { *p(c) = v }, nil
		}}
}

// choiceKey is a two-valued field written as a word.
func choiceKey(key string, words [2]string, p func(*core.Config) *uint8) configField {
	return configField{key,
		func(c *core.Config) string {
			if v := *p(c); v < 2 {
				return words[v]
			}
			return strconv.Itoa(int(*p(c)))
		},
		func(s string) (func(*core.Config), error) {
			i := slices.Index(words[:], s)
			if i < 0 {
				return nil, fmt.Errorf("%s or %s is needed", words[0], words[1])
			}
			return func(c *core.Config) { *p(c) = uint8(i) }, nil
		}}
}

// configFields are the configuration keys, in the order they are written.
// Every field of core.Config except Seed has one (a test checks it).
var configFields = []configField{
	intKey("nodes", func(c *core.Config) *int { return &c.Nodes }),
	intKey("vnodes", func(c *core.Config) *int { return &c.VNodes }),
	{"weights",
		func(c *core.Config) string {
			s := make([]string, len(c.Weights))
			for i, w := range c.Weights {
				s[i] = formatFloat(w)
			}
			return strings.Join(s, ",")
		},
		func(s string) (func(*core.Config), error) {
			var ws []float64
			for _, part := range splitList(s) {
				w, err := parseFloat(part)
				if err != nil {
					return nil, errors.New("numbers separated by commas are needed")
				}
				ws = append(ws, w)
			}
			return func(c *core.Config) { c.Weights = ws }, nil
		}},
	intKey("n", func(c *core.Config) *int { return &c.N }),
	intKey("w", func(c *core.Config) *int { return &c.W }),
	intKey("r", func(c *core.Config) *int { return &c.R }),
	choiceKey("mode", [2]string{"cp", "ap"}, func(c *core.Config) *uint8 { return (*uint8)(&c.Mode) }),
	choiceKey("ver", [2]string{"vc", "lww"}, func(c *core.Config) *uint8 { return (*uint8)(&c.Versioning) }),
	intKey("vcmax", func(c *core.Config) *int { return &c.VClockMax }),
	int64Key("latmin", func(c *core.Config) *int64 { return &c.LatencyMinTicks }),
	int64Key("latmax", func(c *core.Config) *int64 { return &c.LatencyMaxTicks }),
	floatKey("loss", func(c *core.Config) *float64 { return &c.Loss }),
	{"skew",
		func(c *core.Config) string {
			s := make([]string, len(c.SkewTicks))
			for i, v := range c.SkewTicks {
				s[i] = strconv.FormatInt(v, 10)
			}
			return strings.Join(s, ",")
		},
		func(s string) (func(*core.Config), error) {
			var sk []int64
			parts := splitList(s)
			if len(parts) > runNodesMax {
				return nil, fmt.Errorf("at most %d entries are allowed", runNodesMax)
			}
			for _, part := range parts {
				v, err := strconv.ParseInt(part, 10, 32)
				if err != nil {
					return nil, errors.New("whole numbers of ticks separated by commas are needed")
				}
				sk = append(sk, v)
			}
			return func(c *core.Config) { c.SkewTicks = sk }, nil
		}},
	int64Key("timeout", func(c *core.Config) *int64 { return &c.RequestTimeoutTicks }),
	boolKey("rr", func(c *core.Config) *bool { return &c.ReadRepair }),
	int64Key("gossip", func(c *core.Config) *int64 { return &c.GossipIntervalTicks }),
	int64Key("suspect", func(c *core.Config) *int64 { return &c.SuspectAfterTicks }),
	int64Key("dead", func(c *core.Config) *int64 { return &c.DeadAfterTicks }),
	int64Key("handoff", func(c *core.Config) *int64 { return &c.HandoffIntervalTicks }),
	int64Key("ae", func(c *core.Config) *int64 { return &c.AntiEntropyIntervalTicks }),
	intKey("merkle", func(c *core.Config) *int { return &c.MerkleDepth }),
	intKey("clients", func(c *core.Config) *int { return &c.Workload.Clients }),
	intKey("keys", func(c *core.Config) *int { return &c.Workload.Keys }),
	floatKey("puts", func(c *core.Config) *float64 { return &c.Workload.PutFraction }),
	intKey("ops", func(c *core.Config) *int { return &c.Workload.Ops }),
	int64Key("think", func(c *core.Config) *int64 { return &c.Workload.ThinkTicksMax }),
	{"prefix",
		func(c *core.Config) string { return c.Workload.KeyPrefix },
		func(s string) (func(*core.Config), error) {
			if len(s) > 64 {
				return nil, errors.New("at most 64 characters are allowed")
			}
			return func(c *core.Config) { c.Workload.KeyPrefix = s }, nil
		}},
	boolKey("single", func(c *core.Config) *bool { return &c.Workload.SingleWriter }),
	boolKey("scripted", func(c *core.Config) *bool { return &c.Scripted }),
	{"faults",
		func(c *core.Config) string {
			if len(c.Faults.Kinds) == 0 {
				return "none"
			}
			return strings.Join(c.Faults.Kinds, ",")
		},
		func(s string) (func(*core.Config), error) {
			var kinds []string
			if s != "none" {
				for _, k := range splitList(s) {
					if !slices.Contains(core.FaultKinds, k) {
						return nil, fmt.Errorf("fault kinds from %s, or none, are needed", strings.Join(core.FaultKinds, ","))
					}
					if !slices.Contains(kinds, k) {
						kinds = append(kinds, k)
					}
				}
			}
			return func(c *core.Config) { c.Faults.Kinds = kinds }, nil
		}},
	int64Key("fevery", func(c *core.Config) *int64 { return &c.Faults.EveryTicks }),
	int64Key("fdur", func(c *core.Config) *int64 { return &c.Faults.DurationTicks }),
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func parseFloat(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e9 {
		return 0, errors.New("a number is needed")
	}
	return v, nil
}

func boolText(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func parseBool(s string) (v, ok bool) {
	switch s {
	case "1", "true":
		return true, true
	case "0", "false":
		return false, true
	}
	return false, false
}

// escapeText percent-encodes every byte of s but letters, digits and
// "._-", so that text can sit inside a value and inside an action without
// clashing with "&", "=", ":" or "~".
func escapeText(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// EncodeLink writes r as a fragment ("#v=1&..."). preset is r's chapter's
// preset for r.Seed: only the configuration keys where r.Config differs
// from it are written, and tick= only where the run is not at the tick a
// link without one opens at (see Run.opensAt).
func EncodeLink(r Run, preset Preset) string {
	var b strings.Builder
	b.WriteString("#v=1&chapter=")
	b.WriteString(escapeText(r.Chapter))
	if r.Item != "" {
		b.WriteString("&item=" + escapeText(r.Item))
	}
	b.WriteString("&seed=")
	b.WriteString(strconv.FormatUint(r.Seed, 10))
	if r.Tick >= 0 && r.Tick != r.opensAt(preset.Script) {
		b.WriteString("&tick=" + strconv.FormatInt(r.Tick, 10))
	}
	if r.Paused {
		b.WriteString("&paused=1")
	}
	if r.Speed > 0 && r.Speed != SpeedDefault {
		b.WriteString("&speed=" + formatFloat(r.Speed))
	}
	if r.Config != nil {
		for _, f := range configFields {
			if v := f.get(r.Config); v != f.get(&preset.Config) {
				b.WriteString("&" + f.key + "=" + escapeText(v))
			}
		}
	}
	if r.ScriptKept >= 0 {
		b.WriteString("&script=" + strconv.Itoa(r.ScriptKept))
	}
	if len(r.Actions) > 0 {
		b.WriteString("&a=")
		for i, a := range r.Actions {
			if i > 0 {
				b.WriteByte('~')
			}
			writeAction(&b, a)
		}
	}
	return b.String()
}

func writeAction(b *strings.Builder, a core.Recorded) {
	c := a.Cmd
	b.WriteString(strconv.FormatInt(a.Tick, 10))
	b.WriteByte(':')
	b.WriteString(escapeText(string(c.Kind)))
	field := func(name, v string) { b.WriteString(":" + name + "=" + v) }
	// Node 0 is a real node for the commands that name one; the JSON form
	// omits zero, so the link writes node whenever the command uses it.
	if c.Node != 0 || usesNode(c.Kind) {
		field("node", c.Node.String())
	}
	if c.Peer != 0 {
		field("peer", c.Peer.String())
	}
	if c.PeerSet {
		field("peer_set", "1")
	}
	if c.Client != 0 {
		field("client", strconv.Itoa(c.Client))
	}
	if c.Key != "" {
		field("key", escapeText(c.Key))
	}
	if c.Value != "" {
		field("value", escapeText(c.Value))
	}
	if c.WithContext {
		field("ctx", "1")
	}
	if c.N != 0 {
		field("n", strconv.Itoa(c.N))
	}
	if c.W != 0 {
		field("w", strconv.Itoa(c.W))
	}
	if c.R != 0 {
		field("r", strconv.Itoa(c.R))
	}
	if len(c.Groups) > 0 {
		gs := make([]string, len(c.Groups))
		for i, g := range c.Groups {
			ns := make([]string, len(g))
			for j, n := range g {
				ns[j] = n.String()
			}
			gs[i] = strings.Join(ns, ".")
		}
		field("groups", strings.Join(gs, "-"))
	}
	if c.Weight != 0 {
		field("weight", formatFloat(c.Weight))
	}
	if c.Param != "" {
		field("param", escapeText(c.Param))
	}
	if c.Num != 0 {
		field("num", formatFloat(c.Num))
	}
	if c.Msg != 0 {
		field("msg", strconv.FormatUint(c.Msg, 10))
	}
	if c.Request != 0 {
		field("req", strconv.FormatUint(uint64(c.Request), 10))
	}
}

func usesNode(k core.CommandKind) bool {
	switch k {
	case core.CmdPut, core.CmdGet, core.CmdCrash, core.CmdRestart, core.CmdLeave, core.CmdAntiEntropy:
		return true
	}
	return false
}

// commandKinds are the kinds an action may name.
var commandKinds = []core.CommandKind{core.CmdPut, core.CmdGet, core.CmdCrash, core.CmdRestart, core.CmdPartition,
	core.CmdHeal, core.CmdJoin, core.CmdLeave, core.CmdSet, core.CmdAntiEntropy, core.CmdSettle,
	core.CmdDeliver, core.CmdDrop, core.CmdTimeout}

// actionTextMax bounds one action's text and the texts inside it.
const actionTextMax = 1024

// parseAction reads one action of the "a" key.
func parseAction(s string) (core.Recorded, error) {
	var r core.Recorded
	if len(s) > actionTextMax {
		return r, fmt.Errorf("longer than %d characters", actionTextMax)
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 {
		return r, errors.New("TICK:KIND is needed")
	}
	tick, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || tick < 0 || tick > runTickMax {
		return r, fmt.Errorf("tick %s must be a whole number from 0 to %d", clip(parts[0]), runTickMax)
	}
	r.Tick = tick
	kind := core.CommandKind(parts[1])
	if !slices.Contains(commandKinds, kind) {
		return r, fmt.Errorf("unknown command %s", clip(parts[1]))
	}
	c := &r.Cmd
	c.Kind = kind
	seen := map[string]bool{}
	for _, p := range parts[2:] {
		name, raw, ok := strings.Cut(p, "=")
		if !ok {
			return r, fmt.Errorf("field %s needs NAME=VALUE", clip(p))
		}
		if seen[name] {
			return r, fmt.Errorf("field %s appears twice", clip(name))
		}
		seen[name] = true
		v, err := url.PathUnescape(raw)
		if err != nil {
			return r, fmt.Errorf("field %s: bad %%-escape", name)
		}
		bad := func(what string) error { return fmt.Errorf("%s=%s: %s is needed", name, clip(v), what) }
		node := func() (core.NodeID, error) {
			id, ok := ids.Parse(v)
			if !ok || int(id) >= core.MaxNodes {
				return 0, bad("a node name such as n2")
			}
			return id, nil
		}
		small := func() (int, error) {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > core.MaxNodes {
				return 0, bad(fmt.Sprintf("a whole number from 0 to %d", core.MaxNodes))
			}
			return n, nil
		}
		switch name {
		case "node":
			c.Node, err = node()
		case "peer":
			c.Peer, err = node()
		case "peer_set":
			c.PeerSet = v == "1"
			if v != "1" {
				err = bad("1")
			}
		case "ctx":
			c.WithContext = v == "1"
			if v != "1" {
				err = bad("1")
			}
		case "client":
			c.Client, err = small()
		case "n":
			c.N, err = small()
		case "w":
			c.W, err = small()
		case "r":
			c.R, err = small()
		case "key":
			c.Key = v
		case "value":
			c.Value = v
		case "param":
			c.Param = v
		case "weight":
			c.Weight, err = parseFloat(v)
		case "num":
			c.Num, err = parseFloat(v)
		case "msg":
			c.Msg, err = strconv.ParseUint(v, 10, 64)
		case "req":
			var id uint64
			id, err = strconv.ParseUint(v, 10, 64)
			c.Request = core.RequestID(id)
		case "groups":
			for g := range strings.SplitSeq(v, "-") {
				var group []core.NodeID
				for n := range strings.SplitSeq(g, ".") {
					id, ok := ids.Parse(n)
					if !ok || int(id) >= core.MaxNodes || len(group) >= core.MaxNodes {
						return r, bad("node names such as n0.n1-n2.n3")
					}
					group = append(group, id)
				}
				c.Groups = append(c.Groups, group)
			}
		default:
			return r, fmt.Errorf("unknown field %s", clip(name))
		}
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

// ParseLink reads a fragment ("#v=1&..." or without "#"). It never fails:
// what it cannot use is left out and named in Notices.
func ParseLink(fragment string) *Link {
	k := &Link{ScriptKept: -1, Tick: -1}
	fragment = strings.TrimPrefix(fragment, "#")
	if fragment == "" {
		return k
	}
	if len(fragment) > fragmentMax {
		k.Notices = append(k.Notices, fmt.Sprintf("Ignored the link's settings: longer than %d characters.", fragmentMax))
		return k
	}
	var ignored []string
	badEscape := false
	seen := map[string]bool{}
	for pair := range strings.SplitSeq(fragment, "&") {
		if pair == "" {
			continue
		}
		rawKey, raw, _ := strings.Cut(pair, "=")
		key, err1 := url.PathUnescape(rawKey)
		val, err2 := url.PathUnescape(raw)
		if err1 != nil || err2 != nil {
			badEscape = true
			continue
		}
		if seen[key] {
			ignored = append(ignored, fmt.Sprintf("a second %s=%s", clip(key), clip(val)))
			continue
		}
		seen[key] = true
		if k.readKey(key, raw, val, &ignored) {
			k.usable = true
		}
	}
	if badEscape {
		k.Notices = append(k.Notices, "Ignored part of the link's settings: a malformed %-escape.")
	}
	if len(ignored) > 0 {
		k.Notices = append(k.Notices, "Ignored from the link: "+strings.Join(ignored, "; ")+".")
	}
	return k
}

// readKey reads one pair into the link and reports whether it was used.
func (k *Link) readKey(key, raw, v string, ignored *[]string) bool {
	switch key {
	case "v":
		if v != strconv.Itoa(FragmentVersion) {
			*ignored = append(*ignored, fmt.Sprintf("v=%s (this lab reads version %d; reading what it can)", clip(v), FragmentVersion))
		}
		return false
	case "chapter":
		if v == "" || len(v) > 64 {
			*ignored = append(*ignored, fmt.Sprintf("chapter=%s (a chapter id is needed)", clip(v)))
			return false
		}
		k.Chapter = v
	case "item":
		if v == "" || len(v) > itemMax {
			*ignored = append(*ignored, fmt.Sprintf("item=%s (an item name of 1 to %d characters is needed)", clip(v), itemMax))
			return false
		}
		k.Item = v
	case "seed":
		n, err := strconv.ParseUint(v, 10, 53)
		if err != nil {
			*ignored = append(*ignored, fmt.Sprintf("seed=%s (a whole number from 0 to 2^53 is needed)", clip(v)))
			return false
		}
		k.Seed, k.SeedSet = n, true
	case "tick":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > runTickMax {
			*ignored = append(*ignored, fmt.Sprintf("tick=%s (a whole number from 0 to %d is needed)", clip(v), runTickMax))
			return false
		}
		k.Tick = n
	case "speed":
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= SpeedMin && f <= SpeedMax) {
			*ignored = append(*ignored, fmt.Sprintf("speed=%s (ticks per second from %d to %d)", clip(v), SpeedMin, SpeedMax))
			return false
		}
		k.Speed = f
	case "paused":
		b, ok := parseBool(v)
		if !ok {
			*ignored = append(*ignored, fmt.Sprintf("paused=%s (1 or 0)", clip(v)))
			return false
		}
		k.Paused, k.PausedSet = b, true
	case "script":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > runActionsMax {
			*ignored = append(*ignored, fmt.Sprintf("script=%s (a whole number of scripted commands is needed)", clip(v)))
			return false
		}
		k.ScriptKept = n
	case "a":
		k.readActions(raw, ignored)
	default:
		for _, f := range configFields {
			if f.key != key {
				continue
			}
			set, err := f.parse(v)
			if err != nil {
				*ignored = append(*ignored, fmt.Sprintf("%s=%s (%v)", key, clip(v), err))
				return false
			}
			k.settings = append(k.settings, setting{key: key, raw: v, set: set})
			return true
		}
		return false // unknown keys are for other versions or other pages
	}
	return true
}

// readActions reads the "a" key's raw (still escaped) value: escapes are
// undone per field, after the separators have been found.
func (k *Link) readActions(raw string, ignored *[]string) {
	if raw == "" {
		return
	}
	items := strings.Split(raw, "~")
	if len(items) > runActionsMax {
		*ignored = append(*ignored, fmt.Sprintf("actions after the first %d (a link holds at most that many)", runActionsMax))
		items = items[:runActionsMax]
	}
	skipped := 0
	var first string
	last := int64(0)
	for i, it := range items {
		r, err := parseAction(it)
		if err == nil && r.Tick < last {
			err = fmt.Errorf("tick %d comes before the previous action's %d", r.Tick, last)
		}
		if err != nil {
			if skipped == 0 {
				first = fmt.Sprintf("action %d (%v)", i+1, err)
			}
			skipped++
			continue
		}
		last = r.Tick
		k.Actions = append(k.Actions, r)
	}
	switch {
	case skipped == 1:
		*ignored = append(*ignored, first)
	case skipped > 1:
		*ignored = append(*ignored, fmt.Sprintf("%d malformed actions, the first: %s", skipped, first))
	}
}

// resolveConfig applies the link's configuration keys to base. A key whose
// value makes the configuration invalid (W above N, latency_min above
// latency_max...) keeps base's value and is named in the returned notices.
// Keys are applied until none more can be: so "nodes=2&n=2" works whatever
// the order, although nodes=2 alone is invalid while N is 3.
func (k *Link) resolveConfig(base core.Config) (cfg core.Config, changed bool, notices []string) {
	cfg = base
	pending := slices.Clone(k.settings)
	for progress := true; progress && len(pending) > 0; {
		progress = false
		left := pending[:0]
		for _, s := range pending {
			c := cfg
			s.set(&c)
			if validRunConfig(c) == nil {
				cfg, progress = c, true
			} else {
				left = append(left, s)
			}
		}
		pending = left
	}
	var ignored []string
	for _, s := range pending {
		c := cfg
		s.set(&c)
		ignored = append(ignored, fmt.Sprintf("%s=%s (%v)", s.key, clip(s.raw), validRunConfig(c)))
	}
	if len(ignored) > 0 {
		notices = append(notices, "Ignored from the link: "+strings.Join(ignored, "; ")+".")
	}
	return cfg, !reflect.DeepEqual(cfg, base), notices
}

// OptionsFromFragment reads a page URL fragment such as
// "#v=1&chapter=2&seed=7" into Options: the chapter, seed, speed and pause
// directly, and the whole link (configuration, actions, tick) in Link for
// New to resolve against the chapters. Unknown keys are ignored; a value
// that cannot be used leaves its default and adds a notice saying what was
// ignored and why, so the lab always starts.
func OptionsFromFragment(fragment string, defaults Options) Options {
	o := defaults
	k := ParseLink(fragment)
	o.Notices = append(o.Notices, k.Notices...)
	if k.Chapter != "" {
		o.Chapter = k.Chapter // checked against the chapter list by New
	}
	if k.SeedSet {
		o.Seed = k.Seed
	}
	if k.Speed > 0 {
		o.Speed = k.Speed
	}
	if k.PausedSet {
		o.Paused = k.Paused
	}
	if k.usable {
		k.Notices = nil // reported through o.Notices
		o.Link = k
	}
	return o
}

// clip shortens a value quoted back to the user.
func clip(s string) string {
	if len(s) > 24 {
		return strconv.Quote(s[:24]) + "…"
	}
	return strconv.Quote(s)
}
