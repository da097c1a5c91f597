package core

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Properties: what can go wrong, defined once.
//
// These definitions are shared by the lab's counters (Counters.StaleReads,
// Op.Stale, kept incrementally by the oracle, see oracle.go), by `sim run`
// and by the schedule search (core/explore). Each is a function of the
// client history (Cluster.History) and, for lost writes, of the final state
// once the cluster has settled. The README's "What can go wrong" section
// says the same in prose.
//
// The store's order. Every property below compares versions in the order
// the store itself uses to decide which version replaces which:
//
//   - last-write-wins: the total order of (timestamp, coordinator, counter)
//     that replicas use to keep one version (version.lwwAfter). Version a
//     ranks at or above b when it is b, or when a would win against b.
//   - vector clocks: causal order. Version a ranks at or above b when b's
//     write (its dot) is in a's causal past: a is b or a descendant of it.
//     A version concurrent with b ranks below b. The reason: under vector
//     clocks the store never lets a concurrent version replace b (replicas
//     keep both as siblings), so a replica that had received b returns b or
//     a descendant of it; a read that returns only versions concurrent with
//     b can only have been served by replicas that had not received b.
//
// A read "misses" a version b when none of the versions it returned ranks at
// or above b (a read that returned nothing misses every version).
//
// "Before" is real time as the clients see it: operation a happened before
// operation b when a returned to its client before b was invoked. Within
// one tick the cluster keeps the order in which these client events
// happened, so a put acknowledged at tick t and a get invoked later in the
// same tick count as "before".
//
// The properties:
//
//   - stale read (PropStale): a successful get of key k that misses some
//     put of k acknowledged before the get began. Under last-write-wins, a
//     get that returns a concurrent write with a later timestamp is not
//     stale, since the store ranks it above; under vector clocks it is, as
//     the acknowledged write should have come back as its sibling.
//   - read-your-writes (PropRYW): a successful get by client c of key k that
//     misses a put of k by c itself, acknowledged before the get began.
//   - monotonic reads (PropMonotonic): a successful get by client c of key k
//     that misses a version returned by an earlier successful get of k by c
//     (one that returned before this get began).
//   - more than K siblings (PropSiblings): a successful get returned more
//     than K versions, which the client must then reconcile.
//   - lost write (PropLost): an acknowledged put whose write is in the causal
//     past of no version left on the key's replicas once the cluster has
//     healed and settled (Cluster.Settle, SettleReport.Lost). Causal here in
//     both versionings: a write that last-write-wins discarded without
//     anyone having read it is lost, even when the history is linearizable.
//   - not linearizable (PropLinearizable): porcupine finds no linearization
//     of the history as a set of registers (package check; it runs outside
//     core because porcupine starts goroutines).
type Property string

// The properties, by the names `sim explore -property` takes.
const (
	PropStale        Property = "stale"
	PropLost         Property = "lost"
	PropLinearizable Property = "linearizable"
	PropSiblings     Property = "siblings"
	PropRYW          Property = "ryw"
	PropMonotonic    Property = "monotonic"
)

// Properties lists every property, in the order they are documented.
var Properties = []Property{PropStale, PropLost, PropLinearizable, PropSiblings, PropRYW, PropMonotonic}

// Describe is the one-line definition of a property, as the lab's help and
// `sim explore` show it.
func (p Property) Describe() string {
	switch p {
	case PropStale:
		return "stale read: a get missed a put of its key acknowledged before it began"
	case PropLost:
		return "lost write: after healing and settling, no replica's version has seen an acknowledged put"
	case PropLinearizable:
		return "not linearizable: no single order of the operations respects real time and register semantics"
	case PropSiblings:
		return "siblings: a get returned more than K concurrent versions"
	case PropRYW:
		return "read-your-writes: a get missed its own client's earlier acknowledged put"
	case PropMonotonic:
		return "monotonic reads: a get missed a version its client's earlier get had returned"
	}
	return string(p)
}

// RealTime is how much of the clients' real-time order something reads:
// which pairs of operations it asks "did a return before b began?" of.
type RealTime uint8

const (
	// RealTimeAsInvoked is the history as it happened: every pair, and
	// the order the operations were invoked in besides (which no
	// property reads).
	RealTimeAsInvoked  RealTime = iota
	RealTimeAll                 // every pair (linearizability)
	RealTimePutsGets            // a put and a get of its key (stale reads)
	RealTimeSameClient          // two operations of one client (session guarantees)
	RealTimeNone                // none (siblings, lost writes)
)

// RealTime is what the property reads of real time, by its definition
// above: a stale read is a get that began after a put of its key returned;
// read-your-writes and monotonic reads compare a client's operations with
// its own earlier ones; siblings and lost writes read no order at all.
// A schedule search keeps no more than that in its states' digests
// (Cluster.DigestRealTime).
func (p Property) RealTime() RealTime {
	switch p {
	case PropStale:
		return RealTimePutsGets
	case PropRYW, PropMonotonic:
		return RealTimeSameClient
	case PropSiblings, PropLost:
		return RealTimeNone
	}
	return RealTimeAll
}

// Reads reports whether rt reads whether a returned before b began.
func (rt RealTime) Reads(a, b *Op) bool {
	switch rt {
	case RealTimePutsGets:
		return a.Kind == OpPut && b.Kind == OpGet && a.Key == b.Key
	case RealTimeSameClient:
		return a.Client == b.Client
	case RealTimeNone:
		return false
	}
	return true
}

// ParseProperty reads a property name; "siblings:K" sets K (default 1).
func ParseProperty(s string) (Property, int, error) {
	name, arg, hasArg := strings.Cut(s, ":")
	p := Property(name)
	known := false
	for _, q := range Properties {
		known = known || q == p
	}
	if !known {
		return "", 0, fmt.Errorf("property %q is unknown; allowed: stale, lost, linearizable, siblings:K, ryw, monotonic", s)
	}
	k := 1
	if hasArg {
		if p != PropSiblings {
			return "", 0, fmt.Errorf("property %q takes no argument", name)
		}
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > 64 {
			return "", 0, fmt.Errorf("property %q: K must be a whole number from 1 to 64", s)
		}
		k = n
	}
	return p, k, nil
}

// Violation is one operation that breaks a property.
type Violation struct {
	Property Property `json:"property"`
	Op       int      `json:"op"` // index in the history
	Text     string   `json:"text"`
}

// atOrAbove reports whether version a ranks at or above b in the store's
// order (see the definitions above).
func atOrAbove(a, b *version, mode Versioning) bool {
	if a.dot == b.dot {
		return true
	}
	if mode == LWW {
		return a.lwwAfter(b)
	}
	return a.past.covers(b.dot)
}

// misses reports whether a read that returned read missed version b.
func misses(read []*version, b *version, mode Versioning) bool {
	for _, v := range read {
		if atOrAbove(v, b, mode) {
			return false
		}
	}
	return true
}

// before reports whether a returned to its client before b was invoked.
func before(a, b *Op) bool {
	if a.ReturnTick < 0 {
		return false
	}
	if a.returnSeq != 0 && b.invokeSeq != 0 {
		return a.returnSeq < b.invokeSeq
	}
	return a.ReturnTick < b.InvokeTick
}

func acked(op *Op) bool  { return op.Kind == OpPut && op.OK && op.ReturnTick >= 0 && op.written != nil }
func readOK(op *Op) bool { return op.Kind == OpGet && op.OK && op.ReturnTick >= 0 }
func opLabel(op *Op) string {
	if op.Kind == OpPut {
		return fmt.Sprintf("c%d's put %s=%s", op.Client, op.Key, op.Value)
	}
	return fmt.Sprintf("c%d's get %s", op.Client, op.Key)
}

func returnedText(op *Op) string {
	if len(op.Values) == 0 {
		return "nothing"
	}
	return strings.Join(op.Values, ",")
}

// StaleReads lists the stale reads of a history (see PropStale), which must
// come from Cluster.History: the versions the operations wrote and read are
// not in their exported fields.
func StaleReads(h []Op, mode Versioning) []Violation {
	return missedPuts(h, mode, PropStale, false)
}

// ReadYourWrites lists the gets that missed their own client's earlier
// acknowledged put (see PropRYW).
func ReadYourWrites(h []Op, mode Versioning) []Violation {
	return missedPuts(h, mode, PropRYW, true)
}

// groups lists the history's indices by key, or by client and key.
func groups(h []Op, byClient bool) [][]int {
	type gk struct {
		client int
		key    string
	}
	// A short history (a schedule search checks one at every answer) is
	// grouped by looking through the groups so far; a long one by a map.
	var at map[gk]int
	var seen []gk
	if len(h) > 16 {
		at = map[gk]int{}
	}
	var out [][]int
	for i := range h {
		k := gk{key: h[i].Key}
		if byClient {
			k.client = h[i].Client
		}
		g, ok := 0, false
		if at != nil {
			g, ok = at[k]
		} else if j := slices.Index(seen, k); j >= 0 {
			g, ok = j, true
		}
		if !ok {
			g = len(out)
			if at != nil {
				at[k] = g
			} else {
				seen = append(seen, k)
			}
			out = append(out, nil)
		}
		out[g] = append(out[g], i)
	}
	return out
}

func missedPuts(h []Op, mode Versioning, p Property, byClient bool) []Violation {
	var out []Violation
	for _, g := range groups(h, byClient) {
		for _, i := range g {
			get := &h[i]
			if !readOK(get) {
				continue
			}
			for _, j := range g {
				w := &h[j]
				if acked(w) && before(w, get) && misses(get.read, w.written, mode) {
					out = append(out, Violation{Property: p, Op: i,
						Text: fmt.Sprintf("%s returned %s, missing %s acknowledged at tick %d", opLabel(get), returnedText(get), opLabel(w), w.ReturnTick)})
					break
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Violation) int { return a.Op - b.Op })
	return out
}

// MonotonicReads lists the gets that missed a version their client's
// earlier get of the key had returned (see PropMonotonic).
func MonotonicReads(h []Op, mode Versioning) []Violation {
	var out []Violation
	for _, g := range groups(h, true) {
		for _, i := range g {
			get := &h[i]
			if !readOK(get) {
				continue
			}
		earlier:
			for _, j := range g {
				e := &h[j]
				if j == i || !readOK(e) || !before(e, get) {
					continue
				}
				for k, v := range e.read {
					if misses(get.read, v, mode) {
						out = append(out, Violation{Property: PropMonotonic, Op: i,
							Text: fmt.Sprintf("%s returned %s after its earlier get had returned %s", opLabel(get), returnedText(get), e.Values[k])})
						break earlier
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Violation) int { return a.Op - b.Op })
	return out
}

// Siblings lists the gets that returned more than k versions (see
// PropSiblings).
func Siblings(h []Op, k int) []Violation {
	var out []Violation
	for i := range h {
		if g := &h[i]; readOK(g) && len(g.Values) > k {
			out = append(out, Violation{Property: PropSiblings, Op: i,
				Text: fmt.Sprintf("%s returned %d siblings: %s", opLabel(g), len(g.Values), returnedText(g))})
		}
	}
	return out
}

// HistoryViolations evaluates one of the history properties (stale, ryw,
// monotonic, siblings with k); lost and linearizable need more than the
// history and return nil here.
func HistoryViolations(p Property, k int, h []Op, mode Versioning) []Violation {
	switch p {
	case PropStale:
		return StaleReads(h, mode)
	case PropRYW:
		return ReadYourWrites(h, mode)
	case PropMonotonic:
		return MonotonicReads(h, mode)
	case PropSiblings:
		return Siblings(h, k)
	}
	return nil
}
