package spacetime

import (
	"io"
	"slices"
	"strconv"

	"github.com/ringlab/ringlab/core"
)

// ShiVizRegexp is the line ShiViz parses each event with: a description
// line, then the host and its vector clock as JSON. It is ShiViz's default.
const ShiVizRegexp = `(?<event>.*)\n(?<host>\S*) (?<clock>{.*})`

// ShiViz writes a run's trace as a log ShiViz reads: a first line with the
// parsing expression, an empty second line (one execution, no delimiter),
// then for every event its description and "HOST {clock}".
//
// Hosts are the nodes ("n0") and the clients ("c1"; c0 is the lab's own
// commands), plus "network" for partitions and settings, which belong to no
// node. A host's own clock entry starts at 1 and grows by exactly one per
// event of that host; a delivery merges the clock its message was sent with,
// so every receive happens after its send. A client's request is two events
// (the client calls, the coordinator starts) and so is its answer (the
// coordinator answers, the client receives), which links the client's lane
// to the coordinator's. A lost message is an event of its sender's.
//
// It is fed incrementally (Add), so a long run is written in pieces and
// holds only the clocks of messages and requests still open.
type ShiViz struct {
	w      io.Writer
	err    error
	clocks map[string]clock
	sent   map[uint64]clock         // clocks of messages in flight
	calls  map[core.RequestID]clock // clocks of client calls not yet started
	buf    []byte
	header bool
}

// clock is a vector clock by host name.
type clock map[string]int

// NewShiViz starts a ShiViz log written to w.
func NewShiViz(w io.Writer) *ShiViz {
	return &ShiViz{w: w, clocks: map[string]clock{}, sent: map[uint64]clock{}, calls: map[core.RequestID]clock{}}
}

// Add writes events, oldest first. It returns the first write error, after
// which it writes nothing more.
func (s *ShiViz) Add(events []core.Event) error {
	if s.err != nil {
		return s.err
	}
	s.buf = s.buf[:0]
	if !s.header {
		s.buf = append(s.buf, ShiVizRegexp...)
		s.buf = append(s.buf, "\n\n"...)
		s.header = true
	}
	for i := range events {
		s.add(&events[i])
	}
	if _, err := s.w.Write(s.buf); err != nil {
		s.err = err
	}
	return s.err
}

func (s *ShiViz) add(e *core.Event) {
	text := "t=" + strconv.FormatInt(e.Tick, 10) + " " + e.String()
	switch e.Kind {
	case core.EvMsgSend:
		s.sent[e.MsgID] = s.event(e.From.String(), text, nil)
	case core.EvMsgDeliver:
		s.event(e.To.String(), text, s.sent[e.MsgID])
		delete(s.sent, e.MsgID)
	case core.EvMsgDrop:
		s.event(e.From.String(), text, nil)
		delete(s.sent, e.MsgID)
	case core.EvRequestStart:
		client := clientHost(e.Client)
		call := s.event(client, "t="+strconv.FormatInt(e.Tick, 10)+" client "+strconv.Itoa(e.Client)+" calls "+
			e.From.String()+": "+e.Op.String()+"("+e.Key+")", nil)
		s.event(e.From.String(), text, call)
	case core.EvRequestDone:
		answer := s.event(e.From.String(), "t="+strconv.FormatInt(e.Tick, 10)+" "+e.From.String()+" answers client "+
			strconv.Itoa(e.Client)+": "+e.Op.String()+"("+e.Key+")", nil)
		s.event(clientHost(e.Client), text, answer)
	default:
		host := "network"
		switch {
		case e.From != core.NoNode:
			host = e.From.String()
		case e.To != core.NoNode:
			host = e.To.String()
		}
		s.event(host, text, nil)
	}
}

func clientHost(c int) string { return "c" + strconv.Itoa(c) }

// event records one event of host, after merging the clock of the message
// it receives (nil for none), and returns a copy of host's new clock.
func (s *ShiViz) event(host, text string, merge clock) clock {
	c := s.clocks[host]
	if c == nil {
		c = clock{}
		s.clocks[host] = c
	}
	for h, v := range merge {
		if v > c[h] {
			c[h] = v
		}
	}
	c[host]++
	s.buf = append(s.buf, text...)
	s.buf = append(s.buf, '\n')
	s.buf = append(s.buf, host...)
	s.buf = append(s.buf, ' ')
	s.buf = appendClock(s.buf, c)
	s.buf = append(s.buf, '\n')
	out := make(clock, len(c))
	for h, v := range c {
		out[h] = v
	}
	return out
}

// appendClock writes c as JSON with its hosts sorted.
func appendClock(b []byte, c clock) []byte {
	hosts := make([]string, 0, len(c))
	for h := range c {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	b = append(b, '{')
	for i, h := range hosts {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendQuote(b, h)
		b = append(b, ": "...)
		b = strconv.AppendInt(b, int64(c[h]), 10)
	}
	return append(b, '}')
}
