package core

import (
	"math/rand/v2"
	"testing"
)

// Once every operation began and what each still waiting would return is
// known (Decided), a run ends in one of the histories EndedHistoryHash
// digests: random runs, each of two or three operations begun at once and
// then driven by random deliveries, drops, timeouts, crashes and restarts
// to their end, end in the history of the mask of the operations that
// succeeded, digested in every state on the way that was Decided, as it
// is and renamed, with the real-time order read in full and in part.
func TestEndedHistoriesAreTheHistoriesRunsEndIn(t *testing.T) {
	sym, err := NewSymmetry([][]NodeID{{0, 1, 2, 3, 4}, {1, 0, 2, 3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	var decided, waitingGets, ended, succeeded, failed int
	eachQuorumMode(func(cfg Config) {
		rng := rand.New(rand.NewPCG(uint64(cfg.Mode), 7))
		if cfg.ReadRepair {
			rng = rand.New(rand.NewPCG(uint64(cfg.Mode), 8))
		}
		for run := range 150 {
			c := mustNew(t, cfg)
			c.DigestRealTime([]RealTime{RealTimeAsInvoked, RealTimeAll, RealTimePutsGets, RealTimeSameClient}[run%4])
			ops := 2 + rng.IntN(2)
			for i := range ops {
				cmd := Command{Kind: CmdGet, Node: NodeID(rng.IntN(3)), Client: 1 + rng.IntN(2), Key: "k"}
				if rng.IntN(2) == 0 {
					cmd.Kind, cmd.Value, cmd.WithContext = CmdPut, "v"+itoa(i), true
				}
				c.Tick()
				mustApply(t, c, cmd)
			}
			// Where a state was Decided: the digests of its ends, and
			// the operations that waited, in the order they began.
			type mark struct {
				ends    [2][]uint64 // as it is, renamed
				waiting []RequestID
			}
			var marks []mark
			for step := 0; len(c.Pending()) > 0; step++ {
				if k, ok := c.Decided(); ok {
					decided++
					m := mark{}
					for _, op := range c.History() {
						if op.ReturnTick < 0 {
							m.waiting = append(m.waiting, op.Request)
							if _, r := c.requestAt(op.Request); op.Kind == OpGet && r.reached {
								waitingGets++
							}
						}
					}
					if len(m.waiting) != k {
						t.Fatalf("Decided says %d wait, the history %d", k, len(m.waiting))
					}
					for mask := range uint64(1) << k {
						m.ends[0] = append(m.ends[0], c.EndedHistoryHash(nil, 0, mask))
						m.ends[1] = append(m.ends[1], c.EndedHistoryHash(sym, 1, mask))
					}
					marks = append(marks, m)
				}
				c.Tick()
				held, pending := c.Held(), c.Pending()
				switch x := rng.IntN(20); {
				case step > 300 || x == 0 || len(held) == 0:
					mustApply(t, c, Command{Kind: CmdTimeout, Request: pending[rng.IntN(len(pending))].ID})
				case x == 1:
					n := NodeID(rng.IntN(3))
					if c.nodes[n].up {
						mustApply(t, c, Command{Kind: CmdCrash, Node: n})
					} else {
						mustApply(t, c, Command{Kind: CmdRestart, Node: n})
					}
				case x == 2:
					mustApply(t, c, Command{Kind: CmdDrop, Msg: held[rng.IntN(len(held))].ID})
				default:
					mustApply(t, c, Command{Kind: CmdDeliver, Msg: held[rng.IntN(len(held))].ID})
				}
			}
			ended++
			got := [2]uint64{c.HistoryHash(), c.RenamedHistoryHash(sym, 1)}
			for _, m := range marks {
				mask := uint64(0)
				for j, id := range m.waiting {
					if op, _ := c.Op(id); op.OK {
						mask |= 1 << j
						succeeded++
					} else {
						failed++
					}
				}
				for i := range got {
					if m.ends[i][mask] != got[i] {
						t.Fatalf("%v read repair %v, run %d: a run that was Decided with %v waiting ended (mask %b, renamed %v) in a history not digested then:\n%+v",
							cfg.Mode, cfg.ReadRepair, run, m.waiting, mask, i == 1, c.History())
					}
				}
			}
		}
	})
	t.Logf("%d runs, %d states Decided, %d gets waiting past their R replies, %d ends of waiting operations met (%d succeeded, %d failed)",
		ended, decided, waitingGets, succeeded+failed, succeeded, failed)
	if waitingGets == 0 || succeeded == 0 || failed == 0 {
		t.Errorf("want gets decided while waiting (the write-back), and both ends of waiting operations met")
	}
}

// Where the tick is part of the state (last-write-wins), the history's
// digest keeps when each operation returned: nothing is Decided.
func TestNothingIsDecidedWhereTimeIsState(t *testing.T) {
	cfg := scriptedConfig()
	cfg.Versioning = LWW
	c := mustNew(t, cfg)
	mustApply(t, c, Command{Kind: CmdPut, Node: 0, Client: 1, Key: "k", Value: "v"})
	if _, ok := c.Decided(); ok {
		t.Fatal("a put waiting under last-write-wins is Decided")
	}
	cfg.Versioning = VectorClocks
	c = mustNew(t, cfg)
	mustApply(t, c, Command{Kind: CmdPut, Node: 0, Client: 1, Key: "k", Value: "v"})
	if k, ok := c.Decided(); !ok || k != 1 {
		t.Fatalf("a put waiting under vector clocks: Decided %d, %v; want 1, true", k, ok)
	}
}
