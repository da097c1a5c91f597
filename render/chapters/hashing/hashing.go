// Package hashing holds the lab's placement chapters: naive hashing
// (hash % N), consistent hashing on a ring, and virtual nodes. Each one
// shows where a sample of keys lives, how many of them move when a server
// joins or leaves, and how evenly the keys spread.
//
// The servers are the simulated cluster's nodes: joins and leaves are core
// commands (recorded, so scrubbing and links replay them), and the current
// ring is the View's. Placements before the last join or leave are rebuilt
// with core/ring from the run's recorded membership changes.
package hashing

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/ring"
	"github.com/ringlab/ringlab/render/lab"
)

// Chapters returns this part's chapters, in order.
func Chapters() []lab.Chapter {
	return []lab.Chapter{NewNaive(), NewConsistent(), NewVirtualNodes()}
}

// member is one server on the ring at some moment of the run.
type member struct {
	id     core.NodeID
	weight float64
}

// memberHistory replays the joins and leaves of a run: the result's first
// entry is the initial membership and each later one follows one join or
// leave, each sorted by node. A join takes the next unused node id, as the
// cluster gives it; a weight of 0 means 1.
func memberHistory(cfg core.Config, rec []core.Recorded) [][]member {
	cur := make([]member, 0, cfg.Nodes)
	for i := range cfg.Nodes {
		w := 1.0
		if i < len(cfg.Weights) && cfg.Weights[i] > 0 {
			w = cfg.Weights[i]
		}
		cur = append(cur, member{id: core.NodeID(i), weight: w})
	}
	history := [][]member{cur}
	nextID := cfg.Nodes
	for _, r := range rec {
		switch r.Cmd.Kind {
		case core.CmdJoin:
			w := r.Cmd.Weight
			if w == 0 {
				w = 1
			}
			cur = append(slices.Clone(cur), member{id: core.NodeID(nextID), weight: w})
			nextID++
		case core.CmdLeave:
			cur = slices.DeleteFunc(slices.Clone(cur), func(m member) bool { return m.id == r.Cmd.Node })
		default:
			continue
		}
		history = append(history, cur)
	}
	return history
}

// change is the run's last join or leave: the membership just before and
// just after it. With no change yet, before and after are the same and Kind
// is "".
type change struct {
	Kind          core.CommandKind
	Node          core.NodeID // who joined or left
	Tick          int64
	Before, After []member
	Changes       int // joins and leaves so far
}

// lastChange finds the run's last join or leave.
func lastChange(cfg core.Config, rec []core.Recorded) change {
	h := memberHistory(cfg, rec)
	c := change{Node: core.NoNode, Before: h[len(h)-1], After: h[len(h)-1], Changes: len(h) - 1}
	if len(h) < 2 {
		return c
	}
	c.Before = h[len(h)-2]
	for i := len(rec) - 1; i >= 0; i-- {
		if k := rec[i].Cmd.Kind; k == core.CmdJoin || k == core.CmdLeave {
			c.Kind, c.Tick = k, rec[i].Tick
			c.Node = rec[i].Cmd.Node
			if k == core.CmdJoin {
				c.Node = joinedID(c.Before, c.After)
			}
			break
		}
	}
	return c
}

// joinedID is the node in after that is not in before.
func joinedID(before, after []member) core.NodeID {
	for _, m := range after {
		if !slices.ContainsFunc(before, func(b member) bool { return b.id == m.id }) {
			return m.id
		}
	}
	return core.NoNode
}

// key is a membership as text, to tell when cached placements are stale.
func membershipKey(ms []member) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.id.String())
		b.WriteByte('*')
		b.WriteString(strconv.FormatFloat(m.weight, 'g', -1, 64))
		b.WriteByte(' ')
	}
	return b.String()
}

func ids(ms []member) []core.NodeID {
	out := make([]core.NodeID, len(ms))
	for i, m := range ms {
		out[i] = m.id
	}
	return out
}

// moduloOf is the naive placement over the members, in node order.
func moduloOf(ms []member) ring.Modulo { return ring.Modulo{Nodes: ids(ms)} }

// ringOf builds the ring the cluster would hold for these members.
func ringOf(ms []member, vnodes int) *ring.Ring {
	r := ring.New(vnodes)
	for _, m := range ms {
		// The members came from commands the cluster accepted, so their
		// weights are valid.
		_ = r.Add(m.id, m.weight)
	}
	return r
}

// viewRing is the cluster's agreed ring as a Placement.
type viewRing []core.RingPoint

// Owner is the node of the first point at or after h, wrapping past the top.
func (p viewRing) Owner(h uint64) (core.NodeID, bool) {
	if len(p) == 0 {
		return core.NoNode, false
	}
	i, _ := slices.BinarySearchFunc(p, h, func(pt core.RingPoint, h uint64) int {
		switch {
		case pt.Hash < h:
			return -1
		case pt.Hash > h:
			return 1
		}
		return 0
	})
	if i == len(p) {
		i = 0
	}
	return p[i].Node, true
}

// predictedModuloMoved is the fraction of uniformly hashed keys whose owner
// differs between hash % len(before) and hash % len(after), with each list
// indexed in node order. Both owners depend only on h mod lcm(a, b), so
// counting over one period is exact. Going from N to N+1 servers it is
// N/(N+1).
func predictedModuloMoved(before, after []member) float64 {
	a, b := len(before), len(after)
	if a == 0 || b == 0 {
		return 0
	}
	period := a / gcd(a, b) * b
	const periodMax = 1 << 20
	if period > periodMax {
		// Too long to count; the owners then almost never agree.
		return 1 - 1/float64(max(a, b))
	}
	stay := 0
	for x := range period {
		if before[x%a].id == after[x%b].id {
			stay++
		}
	}
	return 1 - float64(stay)/float64(period)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// keySample caches the hashes of the sample keys ring.KeyName(0..n-1).
type keySample struct {
	hashes []uint64
}

func (s *keySample) get(n int) []uint64 {
	if len(s.hashes) != n {
		s.hashes = ring.KeyHashes(n)
	}
	return s.hashes
}

// owners fills dst with the owner of each hash under p.
func owners(dst []core.NodeID, p ring.Placement, hashes []uint64) []core.NodeID {
	dst = dst[:0]
	for _, h := range hashes {
		o, ok := p.Owner(h)
		if !ok {
			o = core.NoNode
		}
		dst = append(dst, o)
	}
	return dst
}

// countMoved counts the positions where two owner lists differ.
func countMoved(before, after []core.NodeID) int {
	n := 0
	for i := range before {
		if before[i] != after[i] {
			n++
		}
	}
	return n
}

// thousands writes n with comma separators: 10,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// percent writes a fraction as a percentage with one decimal.
func percent(f float64) string {
	if math.IsNaN(f) {
		return "-"
	}
	return strconv.FormatFloat(100*f, 'f', 1, 64) + "%"
}

// nodeList writes "n0 n1 n2".
func nodeList(ms []member) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = m.id.String()
	}
	return strings.Join(s, " ")
}

// upInRing lists the nodes on the agreed ring that are up, in node order.
func upInRing(v *core.View) []core.NodeID {
	var out []core.NodeID
	if v == nil {
		return out
	}
	for _, n := range v.Nodes {
		if n.InRing && n.Up {
			out = append(out, n.ID)
		}
	}
	return out
}
