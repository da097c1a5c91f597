package spacetime

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
)

// Request is what one client operation did, as far as the run had got at
// some tick: what the diagram highlights when the operation is selected.
type Request struct {
	Op *Op
	// Msgs are all of the request's messages sent by then.
	Msgs []*Msg
	// Asked are the nodes the coordinator sent the put or get to, in the
	// order it sent them (the preference list, or stand-ins in a sloppy
	// quorum).
	Asked []core.NodeID
	// Counted are the replies (acks of a put, replies to a get) that reached
	// the coordinator by the time it had its quorum; Late those that came
	// after it, or after the request had failed.
	Counted, Late []*Msg
	// Repairs are the read repairs the request caused.
	Repairs []*Msg
}

// Explain gathers request id as it stood at tick t.
func (m *Model) Explain(id core.RequestID, t int64) (Request, bool) {
	o, ok := m.Op(id)
	if !ok || o.Start > t {
		return Request{}, false
	}
	r := Request{Op: o}
	quorum := o.Quorum != Pending && o.Quorum <= t
	for _, g := range m.RequestMsgs(id) {
		if g.Send > t {
			break
		}
		r.Msgs = append(r.Msgs, g)
		switch g.Kind {
		case core.MsgPutReq, core.MsgGetReq:
			if g.From == o.Coordinator && !slices.Contains(r.Asked, g.To) {
				r.Asked = append(r.Asked, g.To)
			}
		case core.MsgPutAck, core.MsgGetResp:
			if !g.Arrived(t) || g.To != o.Coordinator {
				continue
			}
			if quorum && g.EndSeq <= o.QuorumSeq {
				r.Counted = append(r.Counted, g)
			} else if quorum || o.Answered(t) {
				r.Late = append(r.Late, g)
			}
		case core.MsgRepair:
			r.Repairs = append(r.Repairs, g)
		}
	}
	return r, true
}

// Missed is, for a get, the put of the same key it should have seen and
// did not return: of the puts acknowledged before the get began, the most
// recently acknowledged one after the last whose value the get returned.
// It is how the diagram points at the write a stale read missed; whether
// the read counts as stale is the oracle's verdict (core.Op.Stale).
func (m *Model) Missed(get *Op) (*Op, bool) {
	if get.Kind != core.OpGet || get.End == Pending || !get.OK {
		return nil, false
	}
	var missed *Op
	for i := range m.ops {
		p := &m.ops[i]
		if p.StartSeq >= get.StartSeq {
			break
		}
		if p.Kind != core.OpPut || p.Key != get.Key || !p.OK || p.End == Pending || p.EndSeq >= get.StartSeq {
			continue
		}
		if slices.Contains(get.Values, p.Value) {
			if missed == nil || p.EndSeq > missed.EndSeq {
				missed = nil
			}
			continue
		}
		if missed == nil || p.EndSeq > missed.EndSeq {
			missed = p
		}
	}
	// A returned put acknowledged after the candidate supersedes it.
	if missed != nil {
		for i := range m.ops {
			p := &m.ops[i]
			if p.Kind == core.OpPut && p.Key == get.Key && p.OK && p.End != Pending && p.EndSeq < get.StartSeq &&
				p.EndSeq > missed.EndSeq && slices.Contains(get.Values, p.Value) {
				return nil, false
			}
		}
	}
	return missed, missed != nil
}

// WhyStale says in one sentence why get did not return put: which replicas
// answered it, and where the put's version was when the get had its
// quorum. For example "n3 and n1 answered; the write of v2 had reached
// only n4".
func (m *Model) WhyStale(get, put *Op) string {
	r, _ := m.Explain(get.Request, get.End)
	var answered []core.NodeID
	for _, g := range r.Counted {
		answered = append(answered, g.From)
	}
	when := get.QuorumSeq
	if get.Quorum == Pending {
		when = get.EndSeq
	}
	var replicas []string
	var hints []string
	for _, s := range put.Stored {
		if s.Seq > when {
			break
		}
		if s.Hint {
			hints = append(hints, "a hint on "+s.Node.String()+" (for "+s.For.String()+")")
			continue
		}
		name := s.Node.String()
		if !slices.Contains(replicas, name) {
			replicas = append(replicas, name)
		}
	}
	var b strings.Builder
	if len(answered) == 0 {
		b.WriteString("no replica answered")
	} else {
		b.WriteString(joinNames(answered))
		b.WriteString(" answered")
	}
	b.WriteString("; the write of ")
	b.WriteString(put.Value)
	where := append(replicas, hints...)
	overlap := false
	for _, n := range answered {
		overlap = overlap || slices.Contains(replicas, n.String())
	}
	switch {
	case len(where) == 0:
		b.WriteString(" had reached no node yet")
	case !overlap:
		b.WriteString(" had reached only ")
		b.WriteString(joinWords(where))
	default:
		b.WriteString(" had reached ")
		b.WriteString(joinWords(where))
	}
	return b.String()
}

func joinNames(ns []core.NodeID) string {
	words := make([]string, len(ns))
	for i, n := range ns {
		words[i] = n.String()
	}
	return joinWords(words)
}

// joinWords lists words as prose: "a", "a and b", "a, b and c".
func joinWords(w []string) string {
	switch len(w) {
	case 0:
		return ""
	case 1:
		return w[0]
	}
	return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
}

// Label is the short text an operation's interval carries: "put k=v1",
// "get k -> [v1 v2]", "get k failed".
func (o *Op) Label(t int64) string {
	var b strings.Builder
	b.WriteString(o.Kind.String())
	b.WriteByte(' ')
	b.WriteString(o.Key)
	if o.Kind == core.OpPut && o.Value != "" {
		b.WriteByte('=')
		b.WriteString(o.Value)
	}
	switch {
	case !o.Answered(t):
	case !o.OK:
		b.WriteString(" failed")
	case o.Kind == core.OpGet:
		b.WriteString(" -> [")
		b.WriteString(strings.Join(o.Values, " "))
		b.WriteByte(']')
	}
	return b.String()
}

// Describe is a message's contents in words, for the inspector.
func (g *Msg) Describe(t int64) string {
	var b strings.Builder
	b.WriteString(g.Kind.String())
	if g.Key != "" {
		b.WriteString("(" + g.Key + ")")
	}
	b.WriteString(" from " + g.From.String() + " to " + g.To.String())
	b.WriteString(", sent at tick " + strconv.FormatInt(g.Send, 10))
	switch {
	case g.Arrived(t):
		b.WriteString(", delivered at tick " + strconv.FormatInt(g.End, 10))
	case g.LostBy(t):
		b.WriteString(", lost at tick " + strconv.FormatInt(g.End, 10) + ": " + g.Reason)
	default:
		b.WriteString(", in flight (due at tick " + strconv.FormatInt(g.Due, 10) + ")")
	}
	if g.Request != 0 {
		b.WriteString("; request " + strconv.FormatUint(uint64(g.Request), 10))
	}
	return b.String()
}
