package explore

import (
	"fmt"
	"strings"

	"github.com/ringlab/ringlab/core"
)

// Narrate replays a counterexample and tells it step by step, one line a
// step: "c1's put k=v1 starts at n3", "n3's put request for k reaches n0",
// "partition {n0} | {n1 n2 n3}", and after a step that ends an operation
// what its client got.
func Narrate(ce *Counterexample) ([]string, error) {
	c, err := core.New(ce.Config)
	if err != nil {
		return nil, err
	}
	c.DiscardEvents(true)
	var out []string
	step := 0
	for i, r := range ce.Schedule {
		if r.Tick < c.Now() {
			return nil, fmt.Errorf("narrate: step %d is at tick %d, before tick %d", i+1, r.Tick, c.Now())
		}
		c.RunUntil(r.Tick)
		line := describeStep(c, r.Cmd)
		before := returnedOps(c)
		dropped := c.Counters().MessagesDropped
		if _, err := c.Apply(r.Cmd); err != nil {
			return nil, fmt.Errorf("narrate: step %d (%s): %v", i+1, r.Cmd.Kind, err)
		}
		if r.Cmd.Kind == core.CmdDeliver && c.Counters().MessagesDropped > dropped {
			line += ", but it is dropped (its destination is down or cut off)"
		}
		if r.Cmd.Kind == core.CmdSettle {
			c.RunUntil(ce.Tick)
		}
		for _, op := range c.History() {
			if op.ReturnTick >= 0 && !before[op.Request] {
				line += "; " + describeReturn(op, ce.Config)
			}
		}
		if r.Tick == 0 && r.Cmd.Kind == core.CmdCrash {
			// Down from the start (Scenario.Down): before the first step.
			out = append(out, fmt.Sprintf("    %v is down from the start", r.Cmd.Node))
			continue
		}
		step++
		out = append(out, fmt.Sprintf("%2d. %s", step, line))
	}
	return out, nil
}

func returnedOps(c *core.Cluster) map[core.RequestID]bool {
	m := map[core.RequestID]bool{}
	for _, op := range c.History() {
		if op.ReturnTick >= 0 {
			m[op.Request] = true
		}
	}
	return m
}

// opName names a request by its client operation: "c1's put k=v1".
func opName(c *core.Cluster, id core.RequestID) string {
	op, ok := c.Op(id)
	if !ok {
		return fmt.Sprintf("request %d", id)
	}
	if op.Kind == core.OpPut {
		return fmt.Sprintf("c%d's put %s=%s", op.Client, op.Key, op.Value)
	}
	return fmt.Sprintf("c%d's get %s", op.Client, op.Key)
}

var messageWords = map[core.MsgKind]string{
	core.MsgPutReq:    "write",
	core.MsgPutAck:    "ack",
	core.MsgGetReq:    "read request",
	core.MsgGetResp:   "reply",
	core.MsgRepair:    "read repair",
	core.MsgRepairAck: "repair ack",
}

func describeMessage(c *core.Cluster, id uint64) string {
	for _, m := range c.Held() {
		if m.ID != id {
			continue
		}
		what, ok := messageWords[m.Kind]
		if !ok {
			what = m.Kind.String() + " message"
		}
		return fmt.Sprintf("%v's %s for %s (%v to %v)", m.From, what, opName(c, m.Request), m.From, m.To)
	}
	return fmt.Sprintf("message %d", id)
}

func describeStep(c *core.Cluster, cmd core.Command) string {
	switch cmd.Kind {
	case core.CmdPut:
		return fmt.Sprintf("c%d's put %s=%s starts at %v", cmd.Client, cmd.Key, cmd.Value, cmd.Node)
	case core.CmdGet:
		return fmt.Sprintf("c%d's get %s starts at %v", cmd.Client, cmd.Key, cmd.Node)
	case core.CmdDeliver:
		return describeMessage(c, cmd.Msg) + " arrives"
	case core.CmdDrop:
		return describeMessage(c, cmd.Msg) + " is lost"
	case core.CmdTimeout:
		if cmd.Param == "half" {
			return fmt.Sprintf("half of %s's timeout passes: its coordinator asks stand-ins in place of the replicas that have not answered", opName(c, cmd.Request))
		}
		return fmt.Sprintf("%s times out", opName(c, cmd.Request))
	case core.CmdPartition:
		var sides []string
		for _, g := range cmd.Groups {
			var ns []string
			for _, n := range g {
				ns = append(ns, n.String())
			}
			sides = append(sides, "{"+strings.Join(ns, " ")+"}")
		}
		return "partition " + strings.Join(sides, " | ")
	case core.CmdHeal:
		return "the partition heals"
	case core.CmdCrash:
		return fmt.Sprintf("%v crashes", cmd.Node)
	case core.CmdRestart:
		return fmt.Sprintf("%v restarts", cmd.Node)
	case core.CmdSettle:
		return "the network heals and the cluster settles (hand-off and anti-entropy run)"
	}
	return string(cmd.Kind)
}

// describeReturn tells what an operation's client got. A get under strict
// quorums with read repair answers with what its first R replies held,
// once W replicas hold that (written back where they did not): a reply
// that arrives later, even a newer one, completes the count without
// changing the answer, which the line says.
func describeReturn(op core.Op, cfg core.Config) string {
	name := fmt.Sprintf("c%d's get %s", op.Client, op.Key)
	if op.Kind == core.OpPut {
		name = fmt.Sprintf("c%d's put %s=%s", op.Client, op.Key, op.Value)
	}
	switch {
	case !op.OK:
		return name + " fails (" + op.Err + ")"
	case op.Kind == core.OpPut:
		return name + " is acknowledged"
	}
	got := "nothing"
	if len(op.Values) > 0 {
		got = strings.Join(op.Values, ", ")
	}
	if cfg.Mode == core.Strict && cfg.ReadRepair {
		return fmt.Sprintf("%s returns %s (what its first R=%d replies held, once W=%d replicas hold it)", name, got, cfg.R, cfg.W)
	}
	return name + " returns " + got
}
