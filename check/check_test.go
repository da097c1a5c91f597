package check

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/ringlab/ringlab/core"
)

// put and get build history entries: a client, a key, and [invoke, return].
func put(req core.RequestID, client int, key, value string, invoke, ret int64) core.Op {
	return core.Op{Request: req, Client: client, Kind: core.OpPut, Key: key, Value: value,
		InvokeTick: invoke, ReturnTick: ret, OK: true}
}

func get(req core.RequestID, client int, key string, invoke, ret int64, values ...string) core.Op {
	return core.Op{Request: req, Client: client, Kind: core.OpGet, Key: key, Values: values,
		InvokeTick: invoke, ReturnTick: ret, OK: true}
}

func failed(op core.Op) core.Op {
	op.OK = false
	op.Err = "quorum not reached"
	op.Values = nil
	return op
}

func pending(op core.Op) core.Op {
	op.ReturnTick = -1
	op.OK = false
	op.Values = nil
	return op
}

const testTimeout = 10 * time.Second

func TestLinearizableHandMadeHistories(t *testing.T) {
	tests := []struct {
		name    string
		history []core.Op
		ok      bool
		// for violations: the key and the requests of the smallest
		// failing set, and a phrase the explanation must contain
		key      string
		involved []core.RequestID
		because  string
	}{
		{
			name: "empty history",
			ok:   true,
		},
		{
			name: "sequential put then get",
			history: []core.Op{
				put(1, 0, "k", "a", 1, 3),
				get(2, 0, "k", 4, 6, "a"),
				put(3, 0, "k", "b", 7, 9),
				get(4, 0, "k", 10, 12, "b"),
			},
			ok: true,
		},
		{
			name: "get of a never written key returns nothing",
			history: []core.Op{
				get(1, 0, "k", 1, 2),
				put(2, 1, "other", "x", 3, 4),
				get(3, 0, "k", 5, 6),
			},
			ok: true,
		},
		{
			name: "stale read after an acknowledged write",
			history: []core.Op{
				put(1, 0, "k", "a", 1, 3),
				put(2, 0, "k", "b", 4, 6),
				get(3, 1, "k", 8, 9, "a"),
				put(4, 2, "unrelated", "z", 1, 2),
			},
			key: "k", involved: []core.RequestID{1, 2, 3}, because: "overwritten by",
		},
		{
			name: "read of nothing after an acknowledged write",
			history: []core.Op{
				get(1, 1, "k", 0, 1),
				put(2, 0, "k", "a", 1, 3),
				get(3, 1, "k", 5, 7),
				get(4, 1, "k", 8, 9, "a"),
			},
			key: "k", involved: []core.RequestID{2, 3}, because: "returned nothing although",
		},
		{
			name: "concurrent put and get may return the old value",
			history: []core.Op{
				put(1, 0, "k", "a", 1, 2),
				put(2, 0, "k", "b", 3, 10),
				get(3, 1, "k", 4, 6, "a"),
			},
			ok: true,
		},
		{
			name: "concurrent put and get may return the new value",
			history: []core.Op{
				put(1, 0, "k", "a", 1, 2),
				put(2, 0, "k", "b", 3, 10),
				get(3, 1, "k", 4, 6, "b"),
			},
			ok: true,
		},
		{
			name: "a get may not go back to the old value after another get saw the new one",
			history: []core.Op{
				put(1, 0, "k", "a", 1, 2),
				put(2, 0, "k", "b", 3, 20),
				get(3, 1, "k", 4, 6, "b"),
				get(4, 2, "k", 7, 9, "a"),
			},
			key: "k", involved: []core.RequestID{1, 2, 3, 4}, because: `went back to "a" after client 1 get "k" -> "b"`,
		},
		{
			name: "siblings returned",
			history: []core.Op{
				put(1, 0, "k", "a", 1, 3),
				put(2, 1, "k", "b", 1, 3),
				get(3, 2, "k", 5, 7, "a", "b"),
			},
			key: "k", involved: []core.RequestID{3}, because: "2 concurrent versions",
		},
		{
			name: "read of a value nobody wrote",
			history: []core.Op{
				put(1, 0, "k", "a", 1, 3),
				get(2, 1, "k", 5, 7, "ghost"),
			},
			key: "k", involved: []core.RequestID{2}, because: "which no put of this key wrote",
		},
		{
			name: "failed put that later appears",
			history: []core.Op{
				put(1, 0, "k", "a", 1, 3),
				failed(put(2, 0, "k", "b", 4, 30)),
				get(3, 1, "k", 40, 41, "b"),
				get(4, 1, "k", 42, 43, "b"),
			},
			ok: true,
		},
		{
			name: "failed put never seen",
			history: []core.Op{
				put(1, 0, "k", "a", 1, 3),
				failed(put(2, 0, "k", "b", 4, 30)),
				get(3, 1, "k", 40, 41, "a"),
			},
			ok: true,
		},
		{
			name: "pending put seen by one reader",
			history: []core.Op{
				put(1, 0, "k", "a", 1, 3),
				pending(put(2, 0, "k", "b", 4, 0)),
				get(3, 1, "k", 10, 11, "a"),
				get(4, 1, "k", 12, 13, "b"),
			},
			ok: true,
		},
		{
			name: "failed put flickers in and out",
			history: []core.Op{
				put(1, 0, "k", "a", 1, 3),
				failed(put(2, 0, "k", "b", 4, 30)),
				get(3, 1, "k", 40, 41, "b"),
				get(4, 1, "k", 42, 43, "a"),
			},
			key: "k", involved: []core.RequestID{1, 2, 3, 4}, because: "went back to",
		},
		{
			name: "reads go back to nothing",
			history: []core.Op{
				failed(put(1, 0, "k", "a", 1, 30)),
				get(2, 1, "k", 5, 6, "a"),
				get(3, 2, "k", 7, 8),
			},
			key: "k", involved: []core.RequestID{1, 2, 3}, because: "returned nothing after",
		},
		{
			name: "two writers, a reader sees both orders",
			history: []core.Op{
				put(1, 0, "k", "a", 1, 20),
				put(2, 1, "k", "b", 1, 20),
				get(3, 2, "k", 2, 3, "a"),
				get(4, 2, "k", 4, 5, "b"),
				get(5, 2, "k", 6, 7, "a"),
			},
			key: "k", involved: []core.RequestID{1, 2, 3, 4, 5}, because: "no order of these 5 operations",
		},
		{
			name: "failed and pending gets are ignored",
			history: []core.Op{
				put(1, 0, "k", "a", 1, 3),
				failed(get(2, 1, "k", 5, 7, "zzz")),
				pending(get(3, 1, "k", 8, 0)),
				get(4, 1, "k", 9, 10, "a"),
			},
			ok: true,
		},
		{
			name: "only the violating key is reported among many",
			history: []core.Op{
				put(1, 0, "a", "1", 1, 2), get(2, 1, "a", 3, 4, "1"),
				put(3, 0, "b", "1", 1, 2), get(4, 1, "b", 3, 4),
				put(5, 0, "c", "1", 1, 2), get(6, 1, "c", 3, 4, "1"),
			},
			key: "b", involved: []core.RequestID{3, 4}, because: "returned nothing although",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := Linearizable(tc.history, testTimeout)
			if res.Unknown {
				t.Fatalf("%s: undecided within %v", tc.name, testTimeout)
			}
			if res.OK != tc.ok {
				t.Fatalf("%s: OK = %v, want %v\n%s", tc.name, res.OK, tc.ok, res)
			}
			if tc.ok {
				if len(res.Violations) != 0 {
					t.Fatalf("%s: linearizable history reports violations:\n%s", tc.name, res)
				}
				return
			}
			if len(res.Violations) != 1 {
				t.Fatalf("%s: %d violations, want 1:\n%s", tc.name, len(res.Violations), res)
			}
			v := res.Violations[0]
			if v.Key != tc.key {
				t.Errorf("%s: violation on key %q, want %q", tc.name, v.Key, tc.key)
			}
			var got []core.RequestID
			for _, op := range v.Ops {
				got = append(got, op.Request)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.involved) {
				t.Errorf("%s: operations involved %v, want %v\n%s", tc.name, got, tc.involved, res)
			}
			if !strings.Contains(v.Explanation, tc.because) {
				t.Errorf("%s: explanation %q does not contain %q", tc.name, v.Explanation, tc.because)
			}
			// The reason is the kind of failure the explanation tells.
			reasons := map[string]Reason{"concurrent versions": ReasonSiblings, "which no put": ReasonPhantom,
				"returned nothing although": ReasonMissed, "overwritten by": ReasonMissed,
				"returned nothing after": ReasonWentBack, "went back to": ReasonWentBack, "no order of these": ReasonOther}
			for phrase, want := range reasons {
				if strings.Contains(v.Explanation, phrase) && v.Reason != want {
					t.Errorf("%s: reason %q for %q, want %q", tc.name, v.Reason, v.Explanation, want)
				}
			}
			text := res.String()
			for _, op := range v.Ops {
				if !strings.Contains(text, fmt.Sprintf("(req %d)", op.Request)) {
					t.Errorf("%s: verdict does not name req %d:\n%s", tc.name, op.Request, text)
				}
			}
		})
	}
}

func TestResultCountsKeysAndKeptOps(t *testing.T) {
	history := []core.Op{
		put(1, 0, "a", "1", 1, 2),
		failed(get(2, 0, "a", 3, 4)),
		put(3, 0, "b", "1", 1, 2),
		failed(put(4, 0, "c", "1", 1, 2)),
	}
	res := Linearizable(history, testTimeout)
	if !res.OK || res.Keys != 3 || res.Ops != 3 {
		t.Fatalf("got OK=%v keys=%d ops=%d, want OK with 3 keys and 3 ops (the failed get dropped)", res.OK, res.Keys, res.Ops)
	}
	if want := "linearizable: 3 operations on 3 keys"; res.String() != want {
		t.Errorf("String() = %q, want %q", res.String(), want)
	}
}

func TestVerdictIndependentOfHistoryOrder(t *testing.T) {
	history := []core.Op{
		put(1, 0, "k", "a", 1, 3),
		put(2, 0, "k", "b", 4, 6),
		get(3, 1, "k", 8, 9, "a"),
	}
	want := Linearizable(history, testTimeout).String()
	reversed := slices.Clone(history)
	slices.Reverse(reversed)
	if got := Linearizable(reversed, testTimeout).String(); got != want {
		t.Errorf("reversed history gives\n%s\nwant\n%s", got, want)
	}
}

// TestShrinkFindsTheStaleReadInALongHistory buries one stale read among
// hundreds of correct operations and expects exactly the three operations
// that prove it.
func TestShrinkFindsTheStaleReadInALongHistory(t *testing.T) {
	var history []core.Op
	req := core.RequestID(0)
	tick := int64(0)
	next := func() core.RequestID { req++; return req }
	for i := range 200 {
		v := fmt.Sprint("v", i)
		history = append(history, put(next(), i%3, "k", v, tick, tick+2))
		history = append(history, get(next(), (i+1)%3, "k", tick+3, tick+4, v))
		tick += 5
	}
	// v199 was acknowledged; now v200 is acknowledged and a later get
	// still returns v199.
	p := put(next(), 0, "k", "v200", tick, tick+2)
	g := get(next(), 1, "k", tick+4, tick+5, "v199")
	history = append(history, p, g)
	res := Linearizable(history, testTimeout)
	if res.OK || len(res.Violations) != 1 {
		t.Fatalf("want one violation, got:\n%s", res)
	}
	var got []core.RequestID
	for _, op := range res.Violations[0].Ops {
		got = append(got, op.Request)
	}
	want := []core.RequestID{399, p.Request, g.Request} // 399 is the put of v199
	if !slices.Equal(got, want) {
		t.Errorf("operations involved %v, want %v\n%s", got, want, res)
	}
}

func TestWriteHTML(t *testing.T) {
	res := Linearizable([]core.Op{
		put(1, 0, "k", "a", 1, 3),
		get(2, 1, "k", 5, 7),
	}, testTimeout)
	var buf bytes.Buffer
	if err := res.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<html") {
		t.Errorf("visualization is not an HTML page: %.200s", buf.String())
	}
	if err := (Result{}).WriteHTML(&buf); err == nil {
		t.Error("a zero Result should refuse to visualize")
	}
}

// referenceLinearizable is a brute-force reference for one key: it tries
// every order of the operations that respects real time (a before b when a
// returned before b was invoked) and every choice of which failed or
// pending puts took effect. Only for tiny histories.
func referenceLinearizable(ops []core.Op) bool {
	var kept []core.Op
	var maybe []core.Op
	for _, op := range ops {
		switch {
		case op.Kind == core.OpGet && (!op.OK || op.ReturnTick < 0):
		case op.Kind == core.OpPut && (!op.OK || op.ReturnTick < 0):
			maybe = append(maybe, op)
		default:
			kept = append(kept, op)
		}
	}
	for mask := 0; mask < 1<<len(maybe); mask++ {
		set := slices.Clone(kept)
		for i, op := range maybe {
			if mask&(1<<i) != 0 {
				op.ReturnTick = 1 << 40 // took effect at some time after its invoke
				set = append(set, op)
			}
		}
		if referenceOrder(set, make([]bool, len(set)), "", 0) {
			return true
		}
	}
	return false
}

func referenceOrder(ops []core.Op, done []bool, state string, count int) bool {
	if count == len(ops) {
		return true
	}
	for i, op := range ops {
		if done[i] {
			continue
		}
		// op may go next only if no other remaining op returned before it began.
		minimal := true
		for j, other := range ops {
			if j != i && !done[j] && other.ReturnTick < op.InvokeTick {
				minimal = false
				break
			}
		}
		if !minimal {
			continue
		}
		next := state
		if op.Kind == core.OpPut {
			next = op.Value
		} else if !readLegal(state, op.Values) {
			continue
		}
		done[i] = true
		ok := referenceOrder(ops, done, next, count+1)
		done[i] = false
		if ok {
			return true
		}
	}
	return false
}

// randomHistory is a small one-key history of overlapping puts and gets
// whose gets return a recent value, sometimes a stale one or siblings.
func randomHistory(r *rand.Rand, size int) []core.Op {
	var ops []core.Op
	values := []string{""}
	for i := range size {
		invoke := r.Int64N(12)
		ret := invoke + r.Int64N(6)
		req := core.RequestID(i + 1)
		client := r.IntN(3)
		if r.IntN(2) == 0 {
			v := fmt.Sprint("v", i)
			values = append(values, v)
			op := put(req, client, "k", v, invoke, ret)
			switch r.IntN(6) {
			case 0:
				op = failed(op)
			case 1:
				op = pending(op)
			}
			ops = append(ops, op)
			continue
		}
		var read []string
		switch r.IntN(10) {
		case 0:
			read = []string{values[r.IntN(len(values))], values[r.IntN(len(values))]}
		default:
			if v := values[max(0, len(values)-1-r.IntN(2))]; v != "" {
				read = []string{v}
			}
		}
		op := get(req, client, "k", invoke, ret, read...)
		if r.IntN(8) == 0 {
			op = failed(op)
		}
		ops = append(ops, op)
	}
	return ops
}

// TestAgainstBruteForceReference checks the porcupine model, the treatment
// of failed and pending operations, and the shrinking on random tiny
// histories: the verdict matches the reference; a reported set of
// operations is itself not linearizable, and removing any one of them that
// may be removed makes it linearizable.
func TestAgainstBruteForceReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var legal, illegal int
	for trial := range 400 {
		history := randomHistory(r, 2+r.IntN(5))
		want := referenceLinearizable(history)
		res := Linearizable(history, testTimeout)
		if res.Unknown || res.OK != want {
			t.Fatalf("trial %d: OK = %v (unknown %v), reference says %v; history %+v", trial, res.OK, res.Unknown, want, history)
		}
		if want {
			legal++
			continue
		}
		illegal++
		minimal := res.Violations[0].Ops
		if referenceLinearizable(minimal) {
			t.Fatalf("trial %d: the reported operations are linearizable on their own: %+v", trial, minimal)
		}
		for i, op := range minimal {
			rest := slices.Delete(slices.Clone(minimal), i, i+1)
			if op.Kind == core.OpPut && readBySingleValue(rest, op.Value) {
				continue // removing it would invent a read of an unwritten value
			}
			if !referenceLinearizable(rest) {
				t.Fatalf("trial %d: req %d is not needed in the reported set %+v", trial, op.Request, minimal)
			}
		}
	}
	if legal < 50 || illegal < 50 {
		t.Fatalf("random histories are lopsided: %d linearizable, %d not", legal, illegal)
	}
}

func readBySingleValue(ops []core.Op, value string) bool {
	for _, op := range ops {
		if op.Kind != core.OpGet {
			continue
		}
		if (len(op.Values) == 1 && op.Values[0] == value) || (len(op.Values) == 0 && value == "") {
			return true
		}
	}
	return false
}

// legalInOrder reports whether ops, taken one after another in this order
// from an empty register, is a legal sequential history: every get returns
// what the puts before it left.
func legalInOrder(t *testing.T, ops []core.Op) bool {
	t.Helper()
	p := prepare(ops)
	// prepare sorts by invoke tick; put the operations back in ops' order.
	byReq := map[core.RequestID]porcupine.Operation{}
	for _, o := range p.ops {
		byReq[o.Metadata.(core.Op).Request] = o
	}
	state := registerModel.Init()
	for _, op := range ops {
		o, ok := byReq[op.Request]
		if !ok {
			return false
		}
		var legal bool
		if legal, state = registerModel.Step(state, o.Input, o.Output); !legal {
			return false
		}
	}
	return true
}

// TestLongestLinearizablePrefix: a violation carries the longest order the
// check found of its key's operations, which is a legal sequential history,
// leaves out what no order can add, and is said in words.
func TestLongestLinearizablePrefix(t *testing.T) {
	var history []core.Op
	req := core.RequestID(0)
	next := func() core.RequestID { req++; return req }
	tick := int64(0)
	for i := range 30 {
		v := fmt.Sprint("v", i)
		history = append(history, put(next(), i%3, "k", v, tick, tick+2), get(next(), (i+1)%3, "k", tick+3, tick+4, v))
		tick += 5
	}
	p := put(next(), 0, "k", "v30", tick, tick+2)
	g := get(next(), 1, "k", tick+4, tick+5, "v29") // misses the acknowledged v30
	history = append(history, p, g)
	for name, res := range map[string]Result{"whole": Linearizable(history, testTimeout), "sliced": func() Result { r, _ := sliced(history, 0, 0, 0); return r }()} {
		if res.OK || len(res.Violations) != 1 {
			t.Fatalf("%s: want one violation, got:\n%s", name, res)
		}
		v := res.Violations[0]
		if v.KeyOps != len(history) || len(v.Linearized) != len(history)-1 {
			t.Errorf("%s: linearized %d of %d operations, want all but the stale get (%d of %d)", name, len(v.Linearized), v.KeyOps, len(history)-1, len(history))
		}
		if slices.ContainsFunc(v.Linearized, func(o core.Op) bool { return o.Request == g.Request }) {
			t.Errorf("%s: the stale get is in the linearized prefix", name)
		}
		if !legalInOrder(t, v.Linearized) {
			t.Errorf("%s: the linearized prefix is not a legal order", name)
		}
		if w := v.PrefixWords(); !strings.Contains(w, fmt.Sprintf("explains %d of key \"k\"'s %d operations", len(history)-1, len(history))) || !strings.Contains(w, "other 1") {
			t.Errorf("%s: words %q", name, w)
		}
	}
}

// ForSearch answers as the schedule search needs: nothing for a
// linearizable history, the violation's explanation for a stale read.
func TestForSearchExplainsAViolationOnly(t *testing.T) {
	why := ForSearch(testTimeout)
	ok := []core.Op{put(1, 0, "k", "a", 1, 3), get(2, 1, "k", 4, 6, "a")}
	if got := why(ok); got != "" {
		t.Errorf("a read of the acknowledged write: %q", got)
	}
	stale := []core.Op{put(1, 0, "k", "a", 1, 3), get(2, 1, "k", 4, 6)}
	got := why(stale)
	if want := Linearizable(stale, testTimeout).Violations[0].Explanation; got == "" || got != want {
		t.Errorf("a read that misses the acknowledged write: %q, want %q", got, want)
	}
}
