package check

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// clusterHistory runs cfg's workload on the real simulated cluster until
// every operation has returned and gives the client history.
func clusterHistory(t *testing.T, cfg core.Config) []core.Op {
	t.Helper()
	c, err := core.New(cfg)
	if err != nil {
		t.Fatalf("core.New: %v", err)
	}
	c.DiscardEvents(true)
	const tickLimit = 200_000
	for {
		k := c.Counters()
		if k.OpsAttempted >= cfg.Workload.Ops && k.OpsSucceeded+k.OpsFailed >= k.OpsAttempted {
			break
		}
		if c.Now() > tickLimit {
			t.Fatalf("workload of %d ops not done after %d ticks: %+v", cfg.Workload.Ops, tickLimit, k)
		}
		c.Tick()
	}
	return c.History()
}

// workloadConfig is a five-node cluster, N=3, with a small workload.
func workloadConfig(seed uint64) core.Config {
	cfg := core.DefaultConfig()
	cfg.Seed = seed
	cfg.Workload = core.Workload{Clients: 4, Keys: 4, PutFraction: 0.5, Ops: 300, ThinkTicksMax: 8, KeyPrefix: "k"}
	cfg.Faults = core.Faults{EveryTicks: 120, DurationTicks: 60}
	return cfg
}

func TestClusterStrictQuorumsWithCrashesAreLinearizable(t *testing.T) {
	tests := []struct {
		name   string
		config func(seed uint64) core.Config
	}{
		{"last write wins without skew", func(seed uint64) core.Config {
			cfg := workloadConfig(seed)
			cfg.Mode, cfg.Versioning = core.Strict, core.LWW
			cfg.Faults.Kinds = []core.FaultKind{"crash"}
			return cfg
		}},
		{"vector clocks with one writer per key, no faults", func(seed uint64) core.Config {
			cfg := workloadConfig(seed)
			cfg.Mode, cfg.Versioning = core.Strict, core.VectorClocks
			cfg.Workload.SingleWriter = true
			return cfg
		}},
	}
	for _, tc := range tests {
		for seed := uint64(1); seed <= 4; seed++ {
			t.Run(fmt.Sprintf("%s/seed %d", tc.name, seed), func(t *testing.T) {
				history := clusterHistory(t, tc.config(seed))
				res := Linearizable(history, testTimeout)
				if !res.OK {
					t.Fatalf("%s, seed %d: W+R>N with only crashes should be linearizable:\n%s", tc.name, seed, res)
				}
				if res.Ops < 200 {
					t.Errorf("%s, seed %d: only %d operations checked", tc.name, seed, res.Ops)
				}
			})
		}
	}
}

// TestClusterSingleWriterSiblingsComeFromFailedPuts documents why vector
// clocks with one writer per key are not linearizable once nodes crash: a
// put that fails (its coordinator crashed after some replica stored it) is
// not in the context of the writer's next put, so the two become siblings,
// and a read that returns both is not a register read. Every violation must
// be of exactly that kind: a read of siblings all but one of which were
// written by failed puts.
func TestClusterSingleWriterSiblingsComeFromFailedPuts(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		cfg := workloadConfig(seed)
		cfg.Mode, cfg.Versioning = core.Strict, core.VectorClocks
		cfg.Workload.SingleWriter = true
		cfg.Faults.Kinds = []core.FaultKind{"crash"}
		history := clusterHistory(t, cfg)
		failedPut := map[string]bool{}
		for _, op := range history {
			if op.Kind == core.OpPut && !op.OK {
				failedPut[op.Value] = true
			}
		}
		res := Linearizable(history, testTimeout)
		if res.Unknown {
			t.Fatalf("seed %d: undecided", seed)
		}
		for _, v := range res.Violations {
			if len(v.Ops) != 1 || v.Ops[0].Kind != core.OpGet || len(v.Ops[0].Values) < 2 {
				t.Fatalf("seed %d: a violation other than a read of siblings:\n%s", seed, res)
			}
			fromFailed := 0
			for _, value := range v.Ops[0].Values {
				if failedPut[value] {
					fromFailed++
				}
			}
			if fromFailed < len(v.Ops[0].Values)-1 {
				t.Errorf("seed %d: siblings %v of %q are not explained by failed puts", seed, v.Ops[0].Values, v.Key)
			}
		}
	}
}

func TestClusterWeakQuorumsViolate(t *testing.T) {
	tests := []struct {
		name   string
		config func(seed uint64) core.Config
	}{
		{"W=R=1 of N=3 under partitions", func(seed uint64) core.Config {
			cfg := workloadConfig(seed)
			cfg.Mode, cfg.Versioning = core.Strict, core.LWW
			cfg.W, cfg.R = 1, 1
			cfg.Faults.Kinds = []core.FaultKind{"partition"}
			return cfg
		}},
		{"sloppy quorums under partitions", func(seed uint64) core.Config {
			cfg := workloadConfig(seed)
			cfg.Mode, cfg.Versioning = core.Sloppy, core.LWW
			cfg.Faults.Kinds = []core.FaultKind{"partition"}
			return cfg
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Over a few seeds at least one run must show a violation,
			// and every violation must name its operations.
			violated := 0
			for seed := uint64(1); seed <= 4; seed++ {
				res := Linearizable(clusterHistory(t, tc.config(seed)), testTimeout)
				if res.OK || len(res.Violations) == 0 {
					continue
				}
				violated++
				text := res.String()
				for _, v := range res.Violations {
					if len(v.Ops) == 0 || v.Explanation == "" {
						t.Fatalf("%s, seed %d: violation on %q names no operations:\n%s", tc.name, seed, v.Key, text)
					}
					for _, op := range v.Ops {
						if op.Key != v.Key {
							t.Errorf("%s, seed %d: violation on %q lists an operation on %q", tc.name, seed, v.Key, op.Key)
						}
						if !strings.Contains(text, fmt.Sprintf("(req %d)", op.Request)) {
							t.Errorf("%s, seed %d: verdict does not name req %d", tc.name, seed, op.Request)
						}
					}
					// The named operations are a violation on their own.
					if Linearizable(v.Ops, testTimeout).OK {
						t.Errorf("%s, seed %d: the operations named for %q are linearizable on their own", tc.name, seed, v.Key)
					}
				}
			}
			if violated == 0 {
				t.Fatalf("%s: no violation in 4 seeds", tc.name)
			}
		})
	}
}
