package core

import (
	"strings"
	"testing"
)

var debugFuzz = false

// fuzzInput hands out the fuzzer's bytes one at a time, then zeros.
type fuzzInput struct {
	data []byte
	pos  int
}

func (f *fuzzInput) next() int {
	if f.pos >= len(f.data) {
		return 0
	}
	f.pos++
	return int(f.data[f.pos-1])
}

func (f *fuzzInput) done() bool { return f.pos >= len(f.data) }

// FuzzCluster decodes bytes into a configuration and a run of commands and
// faults, then settles the cluster and checks the invariants: no panic, no
// replica ever forgets a write its versions had seen (vector clocks never
// regress), and under vector clocks every acknowledged write survives once
// the cluster is healed and anti-entropy has run, joins and leaves included
// (a node taken off a key's replicas hands the key over before dropping it).
func FuzzCluster(f *testing.F) {
	f.Add([]byte{0, 1, 1, 1, 7, 0, 3, 2, 0, 9, 4, 1, 1, 5, 2, 3, 1, 0})
	f.Add([]byte{1, 1, 0, 0, 3, 2, 2, 0, 4, 17, 9, 0, 5, 0, 1, 6, 0, 5, 1, 7, 3, 0})
	f.Add([]byte{1, 2, 2, 2, 1, 4, 3, 1, 0, 0, 0, 2, 0, 1, 7, 1, 1, 4, 13, 2, 2, 0, 9})
	f.Add([]byte{0, 3, 0, 1, 9, 8, 3, 1, 8, 1, 9, 6, 200, 2, 1, 0, 1, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 240 {
			data = data[:240]
		}
		in := &fuzzInput{data: data}
		cfg := DefaultConfig()
		cfg.Mode = Mode(in.next() % 2)
		if in.next()%4 == 3 {
			cfg.Versioning = LWW
		}
		cfg.W = 1 + in.next()%3
		cfg.R = 1 + in.next()%3
		cfg.Seed = uint64(in.next())
		cfg.AntiEntropyIntervalTicks = 60
		c, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c.oracle.check = true
		value := 0
		for !in.done() {
			kind, arg := in.next()%11, in.next()
			c.RunUntil(c.Now() + int64(in.next()%25))
			node := NodeID(arg % len(c.nodes))
			var cmd Command
			switch kind {
			case 0, 1:
				value++
				cmd = Command{Kind: CmdPut, Node: node, Client: arg % 3, Key: "k" + itoa(arg%4), Value: "v" + itoa(value), WithContext: arg&16 != 0}
			case 2, 3:
				cmd = Command{Kind: CmdGet, Node: node, Client: arg % 3, Key: "k" + itoa(arg%4)}
			case 4:
				cmd = Command{Kind: CmdCrash, Node: node}
			case 5:
				cmd = Command{Kind: CmdRestart, Node: node}
			case 6:
				var g []NodeID
				for i := range c.nodes {
					if arg&(1<<i) != 0 {
						g = append(g, NodeID(i))
					}
				}
				cmd = Command{Kind: CmdPartition, Groups: [][]NodeID{g}}
			case 7:
				cmd = Command{Kind: CmdHeal}
			case 8:
				cmd = Command{Kind: CmdSet, Param: "skew:" + node.String(), Num: float64(arg%41 - 20)}
			case 9:
				cmd = Command{Kind: CmdAntiEntropy, Node: node, Peer: NodeID(arg / 16 % len(c.nodes))}
			case 10:
				if arg%2 == 0 {
					cmd = Command{Kind: CmdJoin}
				} else {
					cmd = Command{Kind: CmdLeave, Node: node}
				}
			}
			c.Apply(cmd) // invalid commands (restart an up node...) are refused unchanged
		}
		c.RunUntil(c.Now() + 50)
		c.Events()
		rep := c.Settle(6000)
		if debugFuzz {
			for _, e := range c.Events() {
				if (e.Kind == EvMerkleCompare || e.Kind == EvMerkleKeys || e.Kind == EvNodeState || e.Kind == EvMembership || (e.Kind == EvMsgSend && e.Msg == MsgMerkleReq)) && e.Tick < 400+c.Now()-rep.Ticks {
					t.Log(e.Tick, e.String())
				}
			}
			t.Log(c.NodeRing(3)[:3], c.nodes[3].members)
		}
		if len(c.oracle.violations) > 0 {
			t.Fatalf("vector clocks regressed:\n%s", strings.Join(c.oracle.violations, "\n"))
		}
		if cfg.Versioning == VectorClocks {
			if !rep.Converged {
				v := c.View()
				var b strings.Builder
				for _, n := range v.Nodes {
					b.WriteString(n.ID.String() + ": ")
					for _, k := range n.Keys {
						b.WriteString(k.Key + "=")
						for _, ver := range k.Versions {
							b.WriteString(ver.Value + ver.Clock + " ")
						}
					}
					for _, h := range n.Hints {
						b.WriteString("hint " + h.Key + " for " + h.For.String() + " ")
					}
					b.WriteString("\n")
				}
				t.Fatalf("did not converge after healing: %+v, divergent %v, replicas %v\n%s", rep, c.divergentKeys(5), c.PreferenceList("k0", 3), b.String())
			}
			if rep.LostWrites > 0 {
				t.Fatalf("vector clocks lost acknowledged writes: %v", rep.Lost)
			}
		}
	})
}
