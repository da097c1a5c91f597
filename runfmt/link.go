package runfmt

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
//	               experiment). Added within version 1: a lab that predates
//	               it ignores it as an unknown key
//	view=NAME      how the chapter shows the run (diagram, history,
//	               scene...), for chapters that offer views. Added within
//	               version 1, like item
//	select=ITEM    what that view selects and explains: op:N (the client
//	               operation of request N) or msg:N (message N). Added
//	               within version 1, like item
//	seed=S         the run's seed, 0..2^53
//	tick=T         the tick on screen, 0..Shared.Tick; absent, the run opens
//	               where the chapter opens by itself: after its scripted
//	               start (tick 0 for a chapter without one) and the
//	               link's actions. Written whenever the run is elsewhere
//	paused=1       start paused (1 or 0)
//	speed=F        ticks per second
//	script=K       apply only the first K commands of the chapter's scripted
//	               preset (absent: all); written when the run was forked
//	               inside its script
//	a=ACTIONS      the commands recorded after the script, see below
//
// Configuration keys are the knobs of core.Knobs, written by their name
// only where the run differs from the chapter's preset for that seed (so a
// link to an unchanged run carries none), and read by their name or any
// older spelling (rr=, latmin=, fevery=... from links shared before the
// knobs had one name each).
//
// ACTIONS is a "~"-separated list of actions in tick order; one action is
//
//	TICK:KIND[:FIELD=VALUE]...
//
// where KIND is one of core.CommandKinds and FIELD the JSON name of a
// core.Command field, written when it is not zero (node is written for
// every kind that takes one, n0 included). Values: node names (n2) for
// nodes; 1 for true; numbers; text percent-encoded; groups of nodes as
// names joined by "." within a group and groups joined by "-"
// (n0.n1-n2.n3.n4); any other field as its JSON, percent-encoded. So a
// field or kind added to core.Command travels in links without a change
// here, and a field this build does not know is refused by name.
//
// Reading never fails: a value that cannot be used keeps its default and
// the reader lists a notice naming it and why; a fragment longer than
// FragmentMax is ignored whole.

import (
	"encoding/json"
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

// FragmentMax bounds the fragment text; a longer one is ignored whole.
const FragmentMax = 64 << 10

// actionTextMax bounds one action's text and the texts inside it.
const actionTextMax = 1024

// Link is a fragment read into values, not yet checked against the chapters
// (their presets decide what the configuration keys change).
type Link struct {
	Chapter string
	// Item is the item=NAME value: what the chapter opens on.
	Item string
	// View is the view=NAME value, Select the select=ITEM value.
	View, Select string
	Seed         uint64
	SeedSet      bool
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
	// settings are the configuration keys, in the order read.
	settings []setting
	// Notices say what was ignored while reading, and why.
	Notices []string
	// usable is false when nothing in the fragment could be used.
	usable bool
}

// Usable reports whether anything in the fragment could be used.
func (k *Link) Usable() bool { return k.usable }

// setting is one configuration key of a link, parsed.
type setting struct {
	key, raw string
	set      func(*core.Config)
}

// EscapeText percent-encodes every byte of s but letters, digits and
// "._-", so that text can sit inside a value and inside an action without
// clashing with "&", "=", ":" or "~".
func EscapeText(s string) string {
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
// link without one opens at (Run.OpensAt).
func EncodeLink(r Run, preset Preset) string {
	var b strings.Builder
	b.WriteString("#v=1&chapter=")
	b.WriteString(EscapeText(r.Chapter))
	if r.Item != "" {
		b.WriteString("&item=" + EscapeText(r.Item))
	}
	if r.View != "" {
		b.WriteString("&view=" + EscapeText(r.View))
	}
	if r.Select != "" {
		b.WriteString("&select=" + EscapeText(r.Select))
	}
	b.WriteString("&seed=")
	b.WriteString(strconv.FormatUint(r.Seed, 10))
	if r.Tick >= 0 && r.Tick != r.OpensAt(preset) {
		b.WriteString("&tick=" + strconv.FormatInt(r.Tick, 10))
	}
	if r.Paused {
		b.WriteString("&paused=1")
	}
	if r.Speed > 0 && r.Speed != SpeedDefault {
		b.WriteString("&speed=" + formatFloat(r.Speed))
	}
	if r.Config != nil {
		for _, k := range core.Knobs() {
			if v := k.Format(r.Config); v != k.Format(&preset.Config) {
				b.WriteString("&" + k.Name + "=" + EscapeText(v))
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
			b.WriteString(EncodeAction(a))
		}
	}
	return b.String()
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func parseFloat(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e9 {
		return 0, errors.New("a number is needed")
	}
	return v, nil
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

// commandField is one field of core.Command as actions write it.
type commandField struct {
	name  string // its JSON name
	index int    // in core.Command
}

// commandFields are core.Command's fields but Kind, in declaration order,
// found once by reflection: the action codec follows core.Command.
var commandFields = func() []commandField {
	var out []commandField
	ty := reflect.TypeFor[core.Command]()
	for i := range ty.NumField() {
		f := ty.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Name == "Kind" || name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, commandField{name, i})
	}
	return out
}()

// smallFields are the integer fields whose values are bounded by the
// number of nodes (a client number, per-request N, W and R).
var smallFields = []string{"client", "n", "w", "r"}

var (
	nodeIDType = reflect.TypeFor[core.NodeID]()
	groupsType = reflect.TypeFor[[][]core.NodeID]()
	nodesType  = reflect.TypeFor[[]core.NodeID]()
)

// UsesNode reports whether a command of kind k names a node (so node=n0 is
// written although n0 is the zero value).
func UsesNode(k core.CommandKind) bool {
	switch k {
	case core.CmdPut, core.CmdGet, core.CmdCrash, core.CmdRestart, core.CmdLeave, core.CmdAntiEntropy:
		return true
	}
	return false
}

func joinNodes(ns []core.NodeID) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = n.String()
	}
	return strings.Join(s, ".")
}

// EncodeAction writes one recorded command as TICK:KIND[:FIELD=VALUE]...
func EncodeAction(a core.Recorded) string {
	var b strings.Builder
	b.WriteString(strconv.FormatInt(a.Tick, 10))
	b.WriteByte(':')
	b.WriteString(EscapeText(string(a.Cmd.Kind)))
	v := reflect.ValueOf(a.Cmd)
	for _, f := range commandFields {
		fv := v.Field(f.index)
		if fv.IsZero() && !(f.name == "node" && UsesNode(a.Cmd.Kind)) {
			continue
		}
		b.WriteString(":" + f.name + "=")
		switch {
		case fv.Type() == nodeIDType:
			b.WriteString(core.NodeID(fv.Uint()).String())
		case fv.Type() == groupsType:
			groups := fv.Interface().([][]core.NodeID)
			gs := make([]string, len(groups))
			for i, g := range groups {
				gs[i] = joinNodes(g)
			}
			b.WriteString(strings.Join(gs, "-"))
		case fv.Type() == nodesType:
			b.WriteString(joinNodes(fv.Interface().([]core.NodeID)))
		case fv.Kind() == reflect.Bool:
			b.WriteString("1")
		case fv.CanInt():
			b.WriteString(strconv.FormatInt(fv.Int(), 10))
		case fv.CanUint():
			b.WriteString(strconv.FormatUint(fv.Uint(), 10))
		case fv.CanFloat():
			b.WriteString(formatFloat(fv.Float()))
		case fv.Kind() == reflect.String:
			b.WriteString(EscapeText(fv.String()))
		default:
			j, err := json.Marshal(fv.Interface())
			if err != nil {
				panic("runfmt: command field " + f.name + ": " + err.Error())
			}
			b.WriteString(EscapeText(string(j)))
		}
	}
	return b.String()
}

// ParseAction reads one action of the "a" key (escapes are undone per
// field). Its tick must be within lim.Tick.
func ParseAction(s string, lim Limits) (core.Recorded, error) {
	var r core.Recorded
	if len(s) > actionTextMax {
		return r, fmt.Errorf("longer than %d characters", actionTextMax)
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 {
		return r, errors.New("TICK:KIND is needed")
	}
	tick, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || tick < 0 || tick > lim.Tick {
		return r, fmt.Errorf("tick %s must be a whole number from 0 to %d", Clip(parts[0]), lim.Tick)
	}
	r.Tick = tick
	kind := core.CommandKind(parts[1])
	if !slices.Contains(core.CommandKinds, kind) {
		return r, fmt.Errorf("unknown command %s", Clip(parts[1]))
	}
	r.Cmd.Kind = kind
	cmd := reflect.ValueOf(&r.Cmd).Elem()
	seen := map[string]bool{}
	for _, p := range parts[2:] {
		name, raw, ok := strings.Cut(p, "=")
		if !ok {
			return r, fmt.Errorf("field %s needs NAME=VALUE", Clip(p))
		}
		if seen[name] {
			return r, fmt.Errorf("field %s appears twice", Clip(name))
		}
		seen[name] = true
		v, err := url.PathUnescape(raw)
		if err != nil {
			return r, fmt.Errorf("field %s: bad %%-escape", name)
		}
		i := slices.IndexFunc(commandFields, func(f commandField) bool { return f.name == name })
		if i < 0 {
			return r, fmt.Errorf("unknown field %s", Clip(name))
		}
		if err := setField(cmd.Field(commandFields[i].index), name, v); err != nil {
			return r, err
		}
	}
	return r, nil
}

func parseNode(v string) (core.NodeID, bool) {
	id, ok := ids.Parse(v)
	return id, ok && int(id) < core.MaxNodes
}

func parseNodes(v string) ([]core.NodeID, bool) {
	var out []core.NodeID
	for n := range strings.SplitSeq(v, ".") {
		id, ok := parseNode(n)
		if !ok || len(out) >= core.MaxNodes {
			return nil, false
		}
		out = append(out, id)
	}
	return out, true
}

// setField reads one action field's value v into fv.
func setField(fv reflect.Value, name, v string) error {
	bad := func(what string) error { return fmt.Errorf("%s=%s: %s is needed", name, Clip(v), what) }
	switch {
	case fv.Type() == nodeIDType:
		id, ok := parseNode(v)
		if !ok {
			return bad("a node name such as n2")
		}
		fv.SetUint(uint64(id))
	case fv.Type() == groupsType:
		var groups [][]core.NodeID
		for g := range strings.SplitSeq(v, "-") {
			ns, ok := parseNodes(g)
			if !ok {
				return bad("node names such as n0.n1-n2.n3")
			}
			groups = append(groups, ns)
		}
		fv.Set(reflect.ValueOf(groups))
	case fv.Type() == nodesType:
		ns, ok := parseNodes(v)
		if !ok {
			return bad("node names such as n0.n1.n2")
		}
		fv.Set(reflect.ValueOf(ns))
	case fv.Kind() == reflect.Bool:
		if v != "1" {
			return bad("1")
		}
		fv.SetBool(true)
	case fv.CanInt():
		hi := int64(1) << 53
		if slices.Contains(smallFields, name) {
			hi = core.MaxNodes
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > hi || fv.OverflowInt(n) {
			return bad(fmt.Sprintf("a whole number from 0 to %d", hi))
		}
		fv.SetInt(n)
	case fv.CanUint():
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || fv.OverflowUint(n) {
			return bad("a whole number")
		}
		fv.SetUint(n)
	case fv.CanFloat():
		f, err := parseFloat(v)
		if err != nil {
			return err
		}
		fv.SetFloat(f)
	case fv.Kind() == reflect.String:
		fv.SetString(v)
	default:
		p := reflect.New(fv.Type())
		dec := json.NewDecoder(strings.NewReader(v))
		dec.DisallowUnknownFields()
		if err := dec.Decode(p.Interface()); err != nil || dec.More() {
			return bad("its JSON")
		}
		fv.Set(p.Elem())
	}
	return nil
}

// ParseLink reads a fragment ("#v=1&..." or without "#"). It never fails:
// what it cannot use is left out and named in Notices.
func ParseLink(fragment string) *Link {
	k := &Link{ScriptKept: -1, Tick: -1}
	fragment = strings.TrimPrefix(fragment, "#")
	if fragment == "" {
		return k
	}
	if len(fragment) > FragmentMax {
		k.Notices = append(k.Notices, fmt.Sprintf("Ignored the link's settings: longer than %d characters.", FragmentMax))
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
		// Two spellings of one knob count as the same key.
		id := key
		if kn, ok := core.LookupKnob(key); ok && !isRunKey(key) {
			id = kn.Name
		}
		if seen[id] {
			ignored = append(ignored, fmt.Sprintf("a second %s=%s", Clip(key), Clip(val)))
			continue
		}
		seen[id] = true
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

// isRunKey reports whether key is one of the link's own keys rather than
// a knob.
func isRunKey(key string) bool {
	switch key {
	case "v", "chapter", "item", "view", "select", "seed", "tick", "speed", "paused", "script", "a":
		return true
	}
	return false
}

// CheckSelect reports whether s names an item a view can select: "op:N"
// or "msg:N", N a positive whole number.
func CheckSelect(s string) error {
	for _, prefix := range []string{"op:", "msg:"} {
		if num, ok := strings.CutPrefix(s, prefix); ok {
			if n, err := strconv.ParseUint(num, 10, 64); err != nil || n == 0 {
				return fmt.Errorf("%s (a positive number is needed after %q)", Clip(s), prefix)
			}
			return nil
		}
	}
	return fmt.Errorf("%s (op:N or msg:N is needed)", Clip(s))
}

// validName reports whether s is a view name: 1 to ViewMax letters, digits
// or "-".
func validName(s string, most int) bool {
	if s == "" || len(s) > most {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// readKey reads one pair into the link and reports whether it was used.
func (k *Link) readKey(key, raw, v string, ignored *[]string) bool {
	switch key {
	case "v":
		if v != strconv.Itoa(FragmentVersion) {
			*ignored = append(*ignored, fmt.Sprintf("v=%s (this lab reads version %d; reading what it can)", Clip(v), FragmentVersion))
		}
		return false
	case "chapter":
		if v == "" || len(v) > 64 {
			*ignored = append(*ignored, fmt.Sprintf("chapter=%s (a chapter id is needed)", Clip(v)))
			return false
		}
		k.Chapter = v
	case "item":
		if v == "" || len(v) > ItemMax {
			*ignored = append(*ignored, fmt.Sprintf("item=%s (an item name of 1 to %d characters is needed)", Clip(v), ItemMax))
			return false
		}
		k.Item = v
	case "view":
		if !validName(v, ViewMax) {
			*ignored = append(*ignored, fmt.Sprintf("view=%s (a view name of 1 to %d letters, digits or dashes is needed)", Clip(v), ViewMax))
			return false
		}
		k.View = v
	case "select":
		if err := CheckSelect(v); err != nil {
			*ignored = append(*ignored, "select="+err.Error())
			return false
		}
		k.Select = v
	case "seed":
		n, err := strconv.ParseUint(v, 10, 53)
		if err != nil {
			*ignored = append(*ignored, fmt.Sprintf("seed=%s (a whole number from 0 to 2^53 is needed)", Clip(v)))
			return false
		}
		k.Seed, k.SeedSet = n, true
	case "tick":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > Shared.Tick {
			*ignored = append(*ignored, fmt.Sprintf("tick=%s (a whole number from 0 to %d is needed)", Clip(v), Shared.Tick))
			return false
		}
		k.Tick = n
	case "speed":
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= SpeedMin && f <= SpeedMax) {
			*ignored = append(*ignored, fmt.Sprintf("speed=%s (ticks per second from %d to %d)", Clip(v), SpeedMin, SpeedMax))
			return false
		}
		k.Speed = f
	case "paused":
		b, ok := parseBool(v)
		if !ok {
			*ignored = append(*ignored, fmt.Sprintf("paused=%s (1 or 0)", Clip(v)))
			return false
		}
		k.Paused, k.PausedSet = b, true
	case "script":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > Shared.Actions {
			*ignored = append(*ignored, fmt.Sprintf("script=%s (a whole number of scripted commands is needed)", Clip(v)))
			return false
		}
		k.ScriptKept = n
	case "a":
		k.readActions(raw, ignored)
	default:
		kn, ok := core.LookupKnob(key)
		if !ok {
			return false // unknown keys are for other versions or other pages
		}
		set, err := kn.Parse(v)
		if err != nil {
			*ignored = append(*ignored, fmt.Sprintf("%s=%s (%v)", key, Clip(v), err))
			return false
		}
		k.settings = append(k.settings, setting{key: key, raw: v, set: set})
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
	if len(items) > Shared.Actions {
		*ignored = append(*ignored, fmt.Sprintf("actions after the first %d (a link holds at most that many)", Shared.Actions))
		items = items[:Shared.Actions]
	}
	skipped := 0
	var first string
	last := int64(0)
	for i, it := range items {
		r, err := ParseAction(it, Shared)
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

// ResolveConfig applies the link's configuration keys to base. A key whose
// value makes the configuration invalid (W above N, latency_min above
// latency_max...) keeps base's value and is named in the returned notices.
// Keys are applied until none more can be: so "nodes=2&n=2" works whatever
// the order, although nodes=2 alone is invalid while N is 3.
func (k *Link) ResolveConfig(base core.Config) (cfg core.Config, changed bool, notices []string) {
	cfg = base
	pending := slices.Clone(k.settings)
	for progress := true; progress && len(pending) > 0; {
		progress = false
		left := pending[:0]
		for _, s := range pending {
			c := cfg
			s.set(&c)
			if ValidConfig(c) == nil {
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
		ignored = append(ignored, fmt.Sprintf("%s=%s (%v)", s.key, Clip(s.raw), ValidConfig(c)))
	}
	if len(ignored) > 0 {
		notices = append(notices, "Ignored from the link: "+strings.Join(ignored, "; ")+".")
	}
	return cfg, !reflect.DeepEqual(cfg, base), notices
}

// Run is the link as a run of the chapter whose preset for the link's seed
// is p: the configuration keys resolved against p (notices name those that
// could not be used), the link's actions and tick. seed is the run's seed
// when the link names none.
func (k *Link) Run(chapter string, seed uint64, p Preset) (Run, []string) {
	if k.SeedSet {
		seed = k.Seed
	}
	base := p.Config
	base.Seed = seed
	cfg, changed, notices := k.ResolveConfig(base)
	r := Run{Chapter: chapter, Item: k.Item, View: k.View, Select: k.Select, Seed: seed, ScriptKept: k.ScriptKept,
		Actions: k.Actions, Tick: k.Tick, Paused: k.Paused, Speed: k.Speed}
	if changed {
		r.Config = &cfg
	}
	return r, notices
}

// CheckCommand reports whether cmd is a command a link or replay file can
// carry as an action (a known kind, every field within the action's
// limits) and reads back the same: the lab refuses at once a command it
// could record but not reopen.
func CheckCommand(cmd core.Command) error {
	if !slices.Contains(core.CommandKinds, cmd.Kind) {
		kinds := make([]string, len(core.CommandKinds))
		for i, k := range core.CommandKinds {
			kinds[i] = string(k)
		}
		return fmt.Errorf("unknown kind %s; one of %s", Clip(string(cmd.Kind)), strings.Join(kinds, ", "))
	}
	text := EncodeAction(core.Recorded{Cmd: cmd})
	back, err := ParseAction(text, Limits{})
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(back.Cmd, cmd) {
		return errors.New("it does not read back the same from a link (a field out of range?)")
	}
	return nil
}
