// Package check decides whether a client history of the simulated store is
// linearizable, with the porcupine checker, and when it is not, names the
// operations that prove it.
//
// Each key is an independent register (the history is partitioned per key):
// its initial value is the empty string, a put sets it, and a get must return
// exactly the current value, or nothing while the register still holds its
// initial value. A get that returns several siblings is therefore never a
// linearizable register read. A put that failed or never returned may or may
// not have taken effect, so it is checked as an operation that returns after
// everything else; failed and pending gets told the client nothing and are
// dropped.
//
// This package lives outside core because porcupine runs each partition in
// its own goroutine, which the deterministic core may not do.
package check

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/ringlab/ringlab/core"
)

// Result is the verdict on a history.
type Result struct {
	// OK is true when the whole history is linearizable.
	OK bool `json:"ok"`
	// Unknown is true when the checker ran out of time (or, with
	// MemoryBound, of memory) before it could decide; OK is then false and
	// Violations may be empty.
	Unknown bool `json:"unknown"`
	// MemoryBound is true when the search was stopped because the heap
	// grew past Limits.MemoryBytes (Unknown is then true too).
	MemoryBound bool `json:"memory_bound,omitempty"`
	// MemoryBytes is the bound that stopped it, for the verdict's text.
	MemoryBytes uint64 `json:"memory_bytes,omitempty"`
	// Keys is the number of keys (registers) checked; Ops the number of
	// operations checked, after dropping failed and pending gets.
	Keys int `json:"keys"`
	Ops  int `json:"ops"`
	// Violations has one entry per key whose history is not linearizable,
	// sorted by key.
	Violations []Violation `json:"violations,omitempty"`

	model porcupine.Model
	info  porcupine.LinearizationInfo
}

// Violation is one key whose history is not linearizable.
type Violation struct {
	Key string `json:"key"`
	// Reason is the kind of failure Explanation describes.
	Reason Reason `json:"reason"`
	// Ops is a smallest set of this key's operations found that is already
	// not linearizable on its own: removing any one of them (without
	// removing a put whose value a remaining get returned) would make the
	// rest linearizable. Sorted by invoke tick.
	Ops []core.Op `json:"ops"`
	// Explanation says in one sentence why no order of Ops works.
	Explanation string `json:"explanation"`
	// Linearized is the longest linearizable prefix the check found: the
	// longest sequence of this key's operations that one order explains,
	// in that order (every get in it returns what the puts before it in
	// the sequence left). KeyOps is how many of the key's operations were
	// checked; those not in Linearized are what no order could add.
	Linearized []core.Op `json:"linearized,omitempty"`
	KeyOps     int       `json:"key_ops"`
}

// PrefixWords says in one sentence how far the check got on the key: how
// many of its operations one order explains, ending with which.
func (v Violation) PrefixWords() string {
	n := len(v.Linearized)
	if n == 0 {
		return fmt.Sprintf("No order explains even the first of key %s's %d operations.", strconv.Quote(v.Key), v.KeyOps)
	}
	last := v.Linearized[n-1]
	return fmt.Sprintf("The longest order the check found explains %d of key %s's %d operations, up to %s; no order adds the other %d.",
		n, strconv.Quote(v.Key), v.KeyOps, describeOp(last), v.KeyOps-n)
}

// longestPrefix is the longest of porcupine's partial linearizations of
// ops (one partition), as the operations in their order.
func longestPrefix(partials [][]int, ops []porcupine.Operation) []core.Op {
	var best []int
	for _, lin := range partials {
		if len(lin) > len(best) {
			best = lin
		}
	}
	out := make([]core.Op, 0, len(best))
	for _, id := range best {
		if id >= 0 && id < len(ops) {
			out = append(out, ops[id].Metadata.(core.Op))
		}
	}
	return out
}

// regInput is what a client asked of one register.
type regInput struct {
	key   string
	put   bool
	value string // put only
}

// regOutput is what a get returned; puts have no output.
type regOutput struct {
	values []string
}

// registerModel is the sequential specification of one key: the state is
// the register's current value, a string.
var registerModel = newRegisterModel(nil)

// newRegisterModel is registerModel, stopped by stop: once stop is set,
// every step fails, so that porcupine's search winds down without growing
// its cache any further (see LinearizableWithin).
func newRegisterModel(stop *atomic.Bool) porcupine.Model {
	m := registerModelBase
	m.Step = func(state, input, output interface{}) (bool, interface{}) {
		if stop != nil && stop.Load() {
			return false, state
		}
		in := input.(regInput)
		if in.put {
			return true, in.value
		}
		return readLegal(state.(string), output.(regOutput).values), state
	}
	return m
}

// registerModelBase is registerModel without its Step.
var registerModelBase = porcupine.Model{
	Partition: partitionByKey,
	Init:      func() interface{} { return "" },
	DescribeOperation: func(input, output interface{}) string {
		in := input.(regInput)
		if in.put {
			return "put(" + strconv.Quote(in.value) + ")"
		}
		return "get() -> " + describeValues(output.(regOutput).values)
	},
	DescribeState: func(state interface{}) string {
		return strconv.Quote(state.(string))
	},
	DescribeOperationMetadata: func(info interface{}) string {
		if op, ok := info.(core.Op); ok {
			return describeOp(op)
		}
		return ""
	},
}

// readLegal reports whether a get that returned values is a correct read of
// a register holding state: exactly the state, or nothing while the state is
// still the initial empty value.
func readLegal(state string, values []string) bool {
	switch len(values) {
	case 0:
		return state == ""
	case 1:
		return values[0] == state
	default:
		return false
	}
}

// partitionByKey splits a history into one register history per key, in
// key order, so that partition i of the verbose result is the i-th key.
func partitionByKey(history []porcupine.Operation) [][]porcupine.Operation {
	byKey := map[string][]porcupine.Operation{}
	for _, op := range history {
		k := op.Input.(regInput).key
		byKey[k] = append(byKey[k], op)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([][]porcupine.Operation, len(keys))
	for i, k := range keys {
		parts[i] = byKey[k]
	}
	return parts
}

// prepared is a history in porcupine's form, with the original operations
// alongside (same order, same length).
type prepared struct {
	ops      []porcupine.Operation
	original []core.Op
}

// prepare converts a client history: failed and pending gets are dropped,
// failed and pending puts return after every other operation. The order is
// by invoke tick, then request id, so the result is independent of the
// order of history.
func prepare(history []core.Op) prepared {
	kept := make([]core.Op, 0, len(history))
	var lastTick int64
	for _, op := range history {
		switch {
		case op.Kind == core.OpGet && (!op.OK || op.ReturnTick < 0):
			continue
		case op.Kind != core.OpGet && op.Kind != core.OpPut:
			continue
		}
		kept = append(kept, op)
		lastTick = max(lastTick, op.InvokeTick, op.ReturnTick)
	}
	slices.SortStableFunc(kept, func(a, b core.Op) int {
		return cmp.Or(cmp.Compare(a.InvokeTick, b.InvokeTick), cmp.Compare(a.Request, b.Request))
	})
	p := prepared{ops: make([]porcupine.Operation, len(kept)), original: kept}
	for i, op := range kept {
		ret := op.ReturnTick
		var in regInput
		var out regOutput
		if op.Kind == core.OpPut {
			in = regInput{key: op.Key, put: true, value: op.Value}
			if !op.OK || ret < 0 {
				ret = lastTick + 1 // indeterminate: it may take effect at any later time
			}
		} else {
			in = regInput{key: op.Key}
			out = regOutput{values: op.Values}
		}
		p.ops[i] = porcupine.Operation{
			ClientId: max(op.Client, 0),
			Input:    in,
			Call:     op.InvokeTick,
			Output:   out,
			Return:   ret,
			Metadata: op,
		}
	}
	return p
}

// Linearizable checks history, key by key. timeout bounds the search for a
// verdict (0 means no bound); narrowing each violation down to a smallest
// set of operations gets the same budget again per violating key. When the
// budget runs out the verdict is Unknown, or a violation is reported with a
// set of operations that fails but may not be the smallest.
func Linearizable(history []core.Op, timeout time.Duration) Result {
	return LinearizableWithin(history, Limits{Time: timeout})
}

// ForSearch is Linearizable as the schedule search asks it
// (explore.Scenario.Linearizable): "" when the history is linearizable, or
// when the check cannot tell within timeout (the search then goes on, as it
// does for any history it cannot fault), else the first violation's
// explanation.
func ForSearch(timeout time.Duration) func([]core.Op) string {
	return func(h []core.Op) string {
		res := Linearizable(h, timeout)
		if res.OK || res.Unknown || len(res.Violations) == 0 {
			return ""
		}
		return res.Violations[0].Explanation
	}
}

// Limits bound a check.
type Limits struct {
	// Time bounds the search for a verdict, and again the narrowing of
	// each violation; 0 means no bound.
	Time time.Duration
	// MemoryBytes bounds how far the heap may grow above what it held when
	// the check began (porcupine's search caches every state it visits,
	// so a hard history can take gigabytes); 0 means no bound. The heap is
	// sampled every few milliseconds, so it may overshoot by what a few
	// milliseconds of search allocate.
	MemoryBytes uint64
}

// LinearizableWithin is Linearizable with a memory bound beside the time
// bound. Each key is its own register, checked apart from the others (in
// parallel, by porcupine). When the heap outgrows the bound the verdict is
// at once Unknown with MemoryBound set; the abandoned search, whose every
// step now fails, allocates nothing more and winds down in the background.
func LinearizableWithin(history []core.Op, lim Limits) Result {
	guard := watchMemory(lim.MemoryBytes)
	defer guard.stop()
	model := newRegisterModel(&guard.tripped)
	p := prepare(history)
	res := Result{Ops: len(p.ops), model: model}
	parts := partitionByKey(p.ops)
	res.Keys = len(parts)
	memoryBound := func() Result {
		return Result{Ops: res.Ops, Keys: res.Keys, Unknown: true, MemoryBound: true, MemoryBytes: lim.MemoryBytes}
	}

	start := time.Now()
	type outcome struct {
		verdict porcupine.CheckResult
		info    porcupine.LinearizationInfo
	}
	done := make(chan outcome, 1)
	go func() {
		verdict, info := porcupine.CheckOperationsVerbose(model, p.ops, lim.Time)
		done <- outcome{verdict, info}
	}()
	var out outcome
	select {
	case out = <-done:
	case <-guard.trip:
		return memoryBound()
	}
	if guard.tripped.Load() { // a search stopped by the bound proves nothing
		return memoryBound()
	}
	verdict, info := out.verdict, out.info
	timeout := lim.Time
	timedOut := timeout > 0 && time.Since(start) >= timeout
	res.info = info

	switch verdict {
	case porcupine.Ok:
		res.OK = true
		return res
	case porcupine.Unknown:
		res.Unknown = true
		return res
	}

	// A partition that was fully linearized has a partial linearization
	// covering all its operations; the others are the violating keys (or,
	// if time ran out, keys whose search was cut short).
	partials := info.PartialLinearizations()
	for i, part := range parts {
		complete := false
		if i < len(partials) {
			for _, lin := range partials[i] {
				if len(lin) == len(part) {
					complete = true
					break
				}
			}
		}
		if complete {
			continue
		}
		if timedOut && checkOneWith(model, &guard.tripped, part, timeout) != porcupine.Illegal {
			res.Unknown = true
			continue
		}
		minimal := shrinkWith(model, &guard.tripped, part, timeout)
		v := Violation{Key: part[0].Input.(regInput).key, KeyOps: len(part)}
		if i < len(partials) {
			v.Linearized = longestPrefix(partials[i], part)
		}
		for _, op := range minimal {
			v.Ops = append(v.Ops, op.Metadata.(core.Op))
		}
		v.Reason, v.Explanation = explain(v.Ops)
		res.Violations = append(res.Violations, v)
	}
	if len(res.Violations) > 0 {
		res.Unknown = false // a proven violation decides the verdict
	}
	return res
}

// checkOne runs porcupine on one register's history.
func checkOne(ops []porcupine.Operation, timeout time.Duration) porcupine.CheckResult {
	return checkOneWith(registerModel, nil, ops, timeout)
}

// checkOneWith is checkOne with a model made by newRegisterModel(stop); a
// search stopped by stop is Unknown.
func checkOneWith(model porcupine.Model, stop *atomic.Bool, ops []porcupine.Operation, timeout time.Duration) porcupine.CheckResult {
	single := model
	single.Partition = nil
	verdict := porcupine.CheckOperationsTimeout(single, ops, timeout)
	if stop != nil && stop.Load() {
		return porcupine.Unknown
	}
	return verdict
}

// shrink narrows a non-linearizable register history down to a subset that
// is still not linearizable and from which no single operation can be
// removed without making it linearizable (or losing a put whose value a
// remaining get returned: removing such a put would manufacture a read of a
// value never written, a different and spurious violation). It removes
// chunks of halving size, keeping a removal only when porcupine proves the
// rest illegal, so the result is always a genuine violation even when the
// budget runs out first.
func shrink(ops []porcupine.Operation, budget time.Duration) []porcupine.Operation {
	return shrinkWith(registerModel, nil, ops, budget)
}

// shrinkWith is shrink with a model made by newRegisterModel(stop): it
// stops, as when the budget runs out, once stop is set.
func shrinkWith(model porcupine.Model, stop *atomic.Bool, ops []porcupine.Operation, budget time.Duration) []porcupine.Operation {
	start := time.Now()
	outOfTime := func() bool { return budget > 0 && time.Since(start) >= budget || stop != nil && stop.Load() }
	remaining := func() time.Duration {
		if budget <= 0 {
			return 0
		}
		return max(budget-time.Since(start), time.Millisecond)
	}
	current := slices.Clone(ops)
	chunk := max(len(current)/2, 1)
	for {
		removed := false
		for at := 0; at < len(current) && !outOfTime(); {
			end := min(at+chunk, len(current))
			candidate := withoutRemovable(current, at, end)
			if len(candidate) < len(current) && len(candidate) > 0 &&
				checkOneWith(model, stop, candidate, remaining()) == porcupine.Illegal {
				current = candidate
				removed = true
				continue // the ops now at [at, ...) are new; try them too
			}
			at = end
		}
		switch {
		case outOfTime():
			return current
		case chunk > 1:
			chunk /= 2
		case !removed:
			// A full pass removing single operations changed nothing:
			// every remaining operation is needed.
			return current
		}
	}
}

// withoutRemovable returns ops without those in [from, to) that may be
// removed: gets always, puts only when no get outside the range returned
// their value as its single value (or nothing, for a put of "").
func withoutRemovable(ops []porcupine.Operation, from, to int) []porcupine.Operation {
	read := map[string]bool{}
	for i, op := range ops {
		if i >= from && i < to {
			continue
		}
		in := op.Input.(regInput)
		if in.put {
			continue
		}
		// A read of siblings is illegal whatever was written, so it
		// protects no put.
		switch values := op.Output.(regOutput).values; len(values) {
		case 0:
			read[""] = true
		case 1:
			read[values[0]] = true
		}
	}
	out := make([]porcupine.Operation, 0, len(ops))
	for i, op := range ops {
		in := op.Input.(regInput)
		removable := i >= from && i < to && (!in.put || !read[in.value])
		if !removable {
			out = append(out, op)
		}
	}
	return out
}

// explain says why ops (sorted by invoke tick) have no linearization,
// recognising the common shapes and falling back to a general statement.
func explain(ops []core.Op) (Reason, string) {
	written := map[string][]core.Op{}
	for _, op := range ops {
		if op.Kind == core.OpPut {
			written[op.Value] = append(written[op.Value], op)
		}
	}
	for _, g := range ops {
		if g.Kind == core.OpGet && len(g.Values) > 1 {
			return ReasonSiblings, fmt.Sprintf("%s returned %d concurrent versions; a register read returns exactly one value",
				describeOp(g), len(g.Values))
		}
	}
	for _, g := range ops {
		if g.Kind == core.OpGet && len(g.Values) == 1 && g.Values[0] != "" && len(written[g.Values[0]]) == 0 {
			return ReasonPhantom, fmt.Sprintf("%s returned %s, which no put of this key wrote", describeOp(g), strconv.Quote(g.Values[0]))
		}
	}
	// A stale read: the get began after put p was acknowledged, yet
	// returned a value that was already overwritten by p (the value of a
	// put acknowledged before p began, or the initial empty value).
	for _, g := range ops {
		if g.Kind != core.OpGet || len(g.Values) > 1 {
			continue
		}
		read := ""
		if len(g.Values) == 1 {
			read = g.Values[0]
		}
		sources := written[read]
		if read != "" && len(sources) != 1 {
			continue
		}
		for _, p := range ops {
			if p.Kind != core.OpPut || !acknowledged(p) || p.Value == read || p.ReturnTick >= g.InvokeTick {
				continue
			}
			if read == "" {
				return ReasonMissed, fmt.Sprintf("%s returned nothing although %s was acknowledged at tick %d, before the get began",
					describeOp(g), describeOp(p), p.ReturnTick)
			}
			src := sources[0]
			if acknowledged(src) && src.ReturnTick < p.InvokeTick {
				return ReasonMissed, fmt.Sprintf("%s returned %s, overwritten by %s, acknowledged at tick %d before the get began",
					describeOp(g), strconv.Quote(read), describeOp(p), p.ReturnTick)
			}
		}
	}
	// Reads that went back in time: g1 returned x, then g2, begun after g1
	// returned, returned y, although y was written (or was the initial
	// value) before g1 began, so x must have been written after y.
	for _, g1 := range ops {
		x, ok := singleRead(g1)
		if !ok {
			continue
		}
		for _, g2 := range ops {
			y, ok := singleRead(g2)
			if !ok || x == y || g1.ReturnTick >= g2.InvokeTick {
				continue
			}
			if y == "" {
				return ReasonWentBack, fmt.Sprintf("%s returned nothing after %s had returned %s", describeOp(g2), describeOp(g1), strconv.Quote(x))
			}
			if src := written[y]; len(src) == 1 && acknowledged(src[0]) && src[0].ReturnTick < g1.InvokeTick {
				return ReasonWentBack, fmt.Sprintf("%s went back to %s after %s had returned the newer %s",
					describeOp(g2), strconv.Quote(y), describeOp(g1), strconv.Quote(x))
			}
		}
	}
	return ReasonOther, fmt.Sprintf("no order of these %d operations that respects their invoke and return ticks lets every get return the value of the put before it",
		len(ops))
}

// Reason is why a key's history has no linearization, as a reader would
// put it.
type Reason string

const (
	// ReasonSiblings: a get returned several concurrent versions (the store
	// kept concurrent writes), which a single register never does.
	ReasonSiblings Reason = "siblings"
	// ReasonPhantom: a get returned a value no put of the key wrote.
	ReasonPhantom Reason = "phantom"
	// ReasonMissed: a get missed a put acknowledged before it began.
	ReasonMissed Reason = "missed"
	// ReasonWentBack: a get returned a value older than one an earlier
	// get (returned before it began) had seen.
	ReasonWentBack Reason = "went back"
	// ReasonOther: only the whole set of operations tells.
	ReasonOther Reason = "other"
)

// Reasons lists every reason, in the order explain tries them.
var Reasons = []Reason{ReasonSiblings, ReasonPhantom, ReasonMissed, ReasonWentBack, ReasonOther}

// Words is the reason as the lab counts it ("2 keys: siblings returned").
func (r Reason) Words() string {
	switch r {
	case ReasonSiblings:
		return "siblings returned (concurrent writes kept)"
	case ReasonPhantom:
		return "a value no put wrote"
	case ReasonMissed:
		return "a read missed an acknowledged write"
	case ReasonWentBack:
		return "a read saw a value, then an older one"
	}
	return "no order fits (no simpler reason)"
}

// singleRead is the value a get returned ("" for nothing); ok is false for
// a put or a read of siblings.
func singleRead(op core.Op) (string, bool) {
	if op.Kind != core.OpGet || len(op.Values) > 1 {
		return "", false
	}
	if len(op.Values) == 1 {
		return op.Values[0], true
	}
	return "", true
}

func acknowledged(op core.Op) bool { return op.OK && op.ReturnTick >= 0 }

// describeOp renders one operation for people, e.g.
// `client 2 get "k" -> "v" [t14, t19] via n1 (req 7)`.
func describeOp(op core.Op) string {
	var b strings.Builder
	fmt.Fprintf(&b, "client %d ", op.Client)
	switch op.Kind {
	case core.OpPut:
		fmt.Fprintf(&b, "put %s=%s", strconv.Quote(op.Key), strconv.Quote(op.Value))
	case core.OpGet:
		fmt.Fprintf(&b, "get %s -> %s", strconv.Quote(op.Key), describeValues(op.Values))
	default:
		fmt.Fprintf(&b, "op(%d) %s", op.Kind, strconv.Quote(op.Key))
	}
	switch {
	case op.ReturnTick < 0:
		fmt.Fprintf(&b, " [t%d, pending]", op.InvokeTick)
	default:
		fmt.Fprintf(&b, " [t%d, t%d]", op.InvokeTick, op.ReturnTick)
	}
	if op.Coordinator != core.NoNode {
		fmt.Fprintf(&b, " via %s", op.Coordinator)
	}
	if op.Request != 0 {
		fmt.Fprintf(&b, " (req %d)", op.Request)
	}
	if !op.OK || op.ReturnTick < 0 {
		b.WriteString(" failed")
		if op.Err != "" {
			b.WriteString(": " + op.Err)
		}
		if op.Kind == core.OpPut {
			b.WriteString(", may have taken effect")
		}
	}
	return b.String()
}

func describeValues(values []string) string {
	switch len(values) {
	case 0:
		return "nothing"
	case 1:
		return strconv.Quote(values[0])
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(quoted, " ") + "]"
}

// String is a readable verdict: one line when the history is linearizable
// or undecided, otherwise one paragraph per violating key naming its
// operations.
func (r Result) String() string {
	switch {
	case r.OK:
		return fmt.Sprintf("linearizable: %d operations on %d keys", r.Ops, r.Keys)
	case r.MemoryBound:
		return fmt.Sprintf("undecided: memory bound: the check of %d operations on %d keys outgrew its %s of memory", r.Ops, r.Keys, megabytes(r.MemoryBytes))
	case r.Unknown:
		return fmt.Sprintf("undecided: the check of %d operations on %d keys ran out of time", r.Ops, r.Keys)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "not linearizable: %d of %d keys violate (%d operations checked)", len(r.Violations), r.Keys, r.Ops)
	for _, v := range r.Violations {
		fmt.Fprintf(&b, "\nkey %s: %s", strconv.Quote(v.Key), v.Explanation)
		for _, op := range v.Ops {
			b.WriteString("\n  " + describeOp(op))
		}
	}
	return b.String()
}

// WriteHTML writes porcupine's interactive visualization of the checked
// history (one row per client, the longest linearizable prefixes found per
// key) to w.
func (r Result) WriteHTML(w io.Writer) error {
	if r.MemoryBound {
		return fmt.Errorf("check: the check stopped at its memory bound, so there is no search to visualize")
	}
	if r.model.Step == nil {
		return fmt.Errorf("check: no checked history to visualize")
	}
	return porcupine.Visualize(r.model, r.info, w)
}
