package explore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/ids"
)

// MaxOps bounds a script: the search is exhaustive, so a handful of
// operations is what it can cover.
const MaxOps = 8

// Op is one client operation of a script.
type Op struct {
	Client int
	// Node pins the coordinator ("c1@n2: ..."); NoNode lets the search
	// choose any node, as a client behind a load balancer would.
	Node  core.NodeID
	Kind  core.OpKind
	Key   string
	Value string // put only
}

func (o Op) String() string {
	s := "c" + strconv.Itoa(o.Client)
	if o.Node != core.NoNode {
		s += "@" + o.Node.String()
	}
	if o.Kind == core.OpPut {
		return s + ": put " + o.Key + " " + o.Value
	}
	return s + ": get " + o.Key
}

// Script is a client script: groups run one after another (";": every
// operation of a group has returned before any of the next begins), and the
// operations of one group run concurrently ("|"), each issued whenever the
// search chooses.
type Script struct {
	Groups [][]Op
}

// Ops lists the operations in script order.
func (s Script) Ops() []Op {
	var out []Op
	for _, g := range s.Groups {
		out = append(out, g...)
	}
	return out
}

func (s Script) String() string {
	var parts []string
	for _, g := range s.Groups {
		var ops []string
		for _, o := range g {
			ops = append(ops, o.String())
		}
		parts = append(parts, strings.Join(ops, " | "))
	}
	return strings.Join(parts, " ; ")
}

// ParseScript reads a script such as "c1: put k v1 | c2: put k v2 ; c1@n0:
// get k". Clients are c1..c9; a put's value must be new (values name the
// writes in the history); a client runs one operation at a time, so it
// appears at most once per group.
func ParseScript(text string) (Script, error) {
	var s Script
	total := 0
	written := map[string]bool{}
	if strings.TrimSpace(text) == "" {
		return s, fmt.Errorf("script: it is empty; write operations like \"c1: put k v1 ; c2: get k\"")
	}
	for _, group := range strings.Split(text, ";") {
		var ops []Op
		clients := map[int]bool{}
		for _, part := range strings.Split(group, "|") {
			op, err := parseOp(strings.TrimSpace(part))
			if err != nil {
				return Script{}, err
			}
			if clients[op.Client] {
				return Script{}, fmt.Errorf("script: c%d appears twice in one concurrent group (a client runs one operation at a time; use ; to order them)", op.Client)
			}
			clients[op.Client] = true
			if op.Kind == core.OpPut {
				if written[op.Key+"="+op.Value] {
					return Script{}, fmt.Errorf("script: %s=%s is written twice; give each put its own value", op.Key, op.Value)
				}
				written[op.Key+"="+op.Value] = true
			}
			ops = append(ops, op)
			total++
		}
		s.Groups = append(s.Groups, ops)
	}
	if total > MaxOps {
		return Script{}, fmt.Errorf("script: %d operations; at most %d can be searched exhaustively", total, MaxOps)
	}
	return s, nil
}

func parseOp(text string) (Op, error) {
	who, what, ok := strings.Cut(text, ":")
	if !ok {
		return Op{}, fmt.Errorf("script: %q: expected \"cN: put KEY VALUE\" or \"cN: get KEY\" (optionally cN@nM to pin the coordinator)", text)
	}
	who = strings.TrimSpace(who)
	op := Op{Node: core.NoNode}
	client, node, pinned := strings.Cut(who, "@")
	n, err := strconv.Atoi(strings.TrimPrefix(client, "c"))
	if !strings.HasPrefix(client, "c") || err != nil || n < 1 || n > 9 {
		return Op{}, fmt.Errorf("script: %q: clients are c1 to c9", who)
	}
	op.Client = n
	if pinned {
		id, ok := ids.Parse(node)
		if !ok {
			return Op{}, fmt.Errorf("script: %q: a coordinator is written n0, n1, ...", who)
		}
		op.Node = id
	}
	f := strings.Fields(what)
	switch {
	case len(f) == 3 && f[0] == "put":
		op.Kind, op.Key, op.Value = core.OpPut, f[1], f[2]
	case len(f) == 2 && f[0] == "get":
		op.Kind, op.Key = core.OpGet, f[1]
	default:
		return Op{}, fmt.Errorf("script: %q: expected \"put KEY VALUE\" or \"get KEY\"", strings.TrimSpace(what))
	}
	return op, nil
}
