package check

import (
	"slices"
	"testing"
	"time"

	"github.com/ringlab/ringlab/core"
)

// sliced runs a Sliced check to the end with a small budget per step, as
// the lab does, and counts the steps.
func sliced(h []core.Op, from, to int64, budget time.Duration) (Result, int) {
	s := NewSliced(h, from, to)
	// A whole second per call: the verdicts compared must not depend on
	// how busy the machine is.
	s.Cap = time.Second
	steps := 1
	for !s.Step(budget) {
		steps++
	}
	return s.Result(), steps
}

func violatingKeys(r Result) []string {
	var out []string
	for _, v := range r.Violations {
		out = append(out, v.Key)
	}
	return out
}

// TestSlicedAgreesWithLinearizable: from tick 0 the sliced check gives the
// whole check's verdict, key by key, on linearizable and violating runs.
func TestSlicedAgreesWithLinearizable(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config func(seed uint64) core.Config
	}{
		{"strict quorums, LWW, crashes", func(seed uint64) core.Config {
			cfg := workloadConfig(seed)
			cfg.Mode, cfg.Versioning = core.Strict, core.LWW
			cfg.Faults.Kinds = []core.FaultKind{"crash"}
			return cfg
		}},
		{"W=R=1 under partitions", func(seed uint64) core.Config {
			cfg := workloadConfig(seed)
			cfg.Mode, cfg.Versioning = core.Strict, core.LWW
			cfg.W, cfg.R = 1, 1
			cfg.Faults.Kinds = []core.FaultKind{"partition"}
			return cfg
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 3; seed++ {
				h := clusterHistory(t, tc.config(seed))
				whole := Linearizable(h, 0)
				got, steps := sliced(h, 0, 0, 0)
				if got.OK != whole.OK || got.Unknown || got.Ops != whole.Ops || got.Keys != whole.Keys ||
					!slices.Equal(violatingKeys(got), violatingKeys(whole)) {
					t.Fatalf("seed %d: sliced %v (ok %v, keys %v), whole %v (ok %v, keys %v)", seed,
						got.Ops, got.OK, violatingKeys(got), whole.Ops, whole.OK, violatingKeys(whole))
				}
				// With no time to spare, a step is one porcupine call
				// (of up to Cap): at least one per key.
				if steps <= got.Keys {
					t.Errorf("seed %d: %d keys checked in %d steps of no time: not sliced", seed, got.Keys, steps)
				}
				for _, v := range got.Violations {
					if Linearizable(v.Ops, 0).OK {
						t.Errorf("seed %d: the operations named for key %s are linearizable on their own", seed, v.Key)
					}
				}
			}
		})
	}
}

// TestSlicedWindow: a window of a linearizable run is linearizable (its
// keys start unknown), a stale read inside the window is caught, and the
// operations that returned before the window are not checked.
func TestSlicedWindow(t *testing.T) {
	cfg := workloadConfig(2)
	cfg.Mode, cfg.Versioning = core.Strict, core.LWW
	cfg.Faults.Kinds = []core.FaultKind{"crash"}
	h := clusterHistory(t, cfg)
	if !Linearizable(h, 0).OK {
		t.Fatal("the run is not linearizable: pick another")
	}
	mid := h[len(h)/2].InvokeTick
	got, _ := sliced(h, mid, h[len(h)-1].InvokeTick, time.Millisecond)
	if !got.OK || got.Ops >= len(h) || got.Ops == 0 {
		t.Fatalf("window from %d: ok %v, %d of %d operations", mid, got.OK, got.Ops, len(h))
	}
	// Whatever the first read in the window returns is fine, but a read
	// going back to an overwritten value is not.
	reg := []core.Op{
		{Request: 1, Client: 1, Kind: core.OpGet, Key: "k", Values: []string{"old"}, InvokeTick: 100, ReturnTick: 102, OK: true},
		{Request: 2, Client: 1, Kind: core.OpPut, Key: "k", Value: "new", InvokeTick: 103, ReturnTick: 105, OK: true},
		{Request: 3, Client: 2, Kind: core.OpGet, Key: "k", Values: []string{"old"}, InvokeTick: 106, ReturnTick: 108, OK: true},
	}
	if r, _ := sliced(reg[:2], 100, 110, time.Millisecond); !r.OK {
		t.Errorf("a window whose first read finds a value written before it: %s", r)
	}
	if r, _ := sliced(reg, 100, 110, time.Millisecond); r.OK || len(r.Violations) != 1 {
		t.Errorf("a read back to an overwritten value inside the window: %s", r)
	}
	// From tick 0 the same first read is a violation (nobody wrote "old").
	if r, _ := sliced(reg[:2], 0, 110, time.Millisecond); r.OK {
		t.Error("from tick 0, a read of a value never written passed")
	}
	// An operation that returned before the window is not checked.
	before := append([]core.Op{{Request: 9, Client: 3, Kind: core.OpGet, Key: "k", Values: []string{"a", "b"}, InvokeTick: 10, ReturnTick: 12, OK: true}}, reg[:2]...)
	if r, _ := sliced(before, 100, 110, time.Millisecond); !r.OK || r.Ops != 2 {
		t.Errorf("an operation before the window was checked: %s", r)
	}
}

// BenchmarkSlicedStep reports the longest Step of a Sliced check given a
// 2 ms budget, as a share of the 8 ms a frame may spend on it, over the
// history of a long run with violations to narrow down.
func BenchmarkSlicedStep(b *testing.B) {
	cfg := workloadConfig(1)
	cfg.Mode, cfg.Versioning = core.Strict, core.LWW
	cfg.W, cfg.R = 1, 1
	cfg.Faults.Kinds = []core.FaultKind{"partition"}
	cfg.Workload.Ops = 4000
	h := clusterHistoryB(b, cfg)
	var worst time.Duration
	for b.Loop() {
		s := NewSliced(h, 0, 0)
		for done := false; !done; {
			t0 := time.Now()
			done = s.Step(2 * time.Millisecond)
			worst = max(worst, time.Since(t0))
		}
	}
	b.ReportMetric(float64(worst)/float64(8*time.Millisecond), "worst/8ms")
}

func clusterHistoryB(b *testing.B, cfg core.Config) []core.Op {
	c, err := core.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	c.DiscardEvents(true)
	for k := c.Counters(); k.OpsAttempted < cfg.Workload.Ops || k.OpsSucceeded+k.OpsFailed < k.OpsAttempted; k = c.Counters() {
		c.Tick()
	}
	return c.History()
}
