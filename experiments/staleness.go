package experiments

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/ringlab/ringlab/core"
)

func init() {
	register(Experiment{
		Name:  "staleness",
		Title: "Probabilistically bounded staleness",
		Summary: "The chance that a read misses the latest acknowledged write falls with the time since the write, " +
			"and is 0 for strict quorums with W+R>N.",
		Params: append(commonKnobs(5),
			Knob{Name: "trials", Help: "write-then-read trials per time point and seed", Default: 100, Min: 1, Max: 10_000},
			Knob{Name: "latency_min", Help: "one-way message latency, smallest (ticks)", Default: 1, Min: 0, Max: 1000},
			Knob{Name: "latency_max", Help: "one-way message latency, largest (ticks)", Default: 10, Min: 0, Max: 1000},
			Knob{Name: "t_max", Help: "largest wait between the write's acknowledgement and the read (ticks)", Default: 16, Min: 0, Max: 10_000},
			Knob{Name: "model_trials", Help: "Monte Carlo draws of the WARS model per point", Default: 20_000, Min: 100, Max: 1_000_000},
		),
		build: buildStaleness,
	})
	register(Experiment{
		Name:    "latency",
		Title:   "Request latency against W and R",
		Summary: "A put waits for the W-th fastest of N acknowledgements, a get for the R-th fastest of N replies: latency percentiles grow with W and R.",
		Params: append(commonKnobs(5),
			Knob{Name: "n", Help: "replicas per key N", Default: 3, Min: 1, Max: 7},
			Knob{Name: "ops", Help: "puts and gets per quorum size and seed", Default: 100, Min: 1, Max: 100_000},
			Knob{Name: "latency_min", Help: "one-way message latency, smallest (ticks)", Default: 1, Min: 0, Max: 1000},
			Knob{Name: "latency_max", Help: "one-way message latency, largest (ticks)", Default: 10, Min: 0, Max: 1000},
		),
		build: buildLatency,
	})
}

// quorum is an N/W/R setting of the staleness sweep.
type quorum struct{ n, w, r int }

func (q quorum) String() string { return fmt.Sprintf("N=%d W=%d R=%d", q.n, q.w, q.r) }

var stalenessQuorums = []quorum{{3, 1, 1}, {3, 2, 1}, {3, 1, 2}, {3, 2, 2}}

// waitTicks lists 0, 1, 2, 4, ... up to limit.
func waitTicks(limit int) []int {
	out := []int{0}
	for t := 1; t <= limit; t *= 2 {
		out = append(out, t)
	}
	return out
}

func buildStaleness(v Values) (*sweep, error) {
	lmin, lmax := int64(v.Int("latency_min")), int64(v.Int("latency_max"))
	if lmax < lmin {
		return nil, fmt.Errorf("latency_max=%d must be at least latency_min=%d", lmax, lmin)
	}
	s := &sweep{}
	t := s.newTable(Table{
		Name:  "staleness",
		Title: "Chance of a stale read against the time since the write",
		Claim: "With W+R<=N a read may miss a write that was just acknowledged, less and less often as the write reaches the other replicas; " +
			"with W+R>N the write and read quorums overlap and no read is stale. The WARS model predicts the curve from the latency distribution.",
		Source: "Bailis et al., \"Probabilistically Bounded Staleness for Practical Partial Quorums\", VLDB 2012 (the WARS model); design guide, section 6",
		Group:  "quorum",
		X:      "wait",
		Columns: []Column{
			{Name: "wait", Label: "time from the write's acknowledgement to the read", Unit: "ticks", Role: Param},
			{Name: "p_stale", Label: "stale reads", Unit: "probability", Role: Measured},
			{Name: "p_model", Label: "WARS model", Unit: "probability", Role: Predicted, Predicts: "p_stale"},
		},
	})
	waits := waitTicks(v.Int("t_max"))
	point := 0
	for _, q := range stalenessQuorums {
		rows := make([]int, len(waits))
		for i, w := range waits {
			rows[i] = t.addRow(q.String(), map[string]float64{"wait": float64(w)})
			row, w, modelSeed := rows[i], w, cellSeed(v.Seed(), 1_000_000+point, 0)
			s.cells = append(s.cells, once(func() {
				t.setValue(row, "p_model", warsStaleness(q, lmin, lmax, int64(w), v.Int("model_trials"), modelSeed))
			}))
			point++
		}
		for rep := 0; rep < v.Int("seeds"); rep++ {
			cfg := quietConfig(q.n+2, q.n, q.w, q.r, lmin, lmax, cellSeed(v.Seed(), point, rep))
			trials := v.Int("trials") * len(waits)
			cost := max(1, (trials+int(4*lmax)+int(waits[len(waits)-1]))/ticksPerUnit)
			s.cells = append(s.cells, cell{cost: cost, start: func() stepFn {
				run := newStalenessRun(cfg, q.n, waits, trials)
				return func(budget int) (int, bool) {
					used, done := run.step(budget)
					if done {
						for i, p := range run.result() {
							t.record(rows[i], "p_stale", p)
						}
					}
					return used, done
				}
			}})
		}
		point++
	}
	return s, nil
}

// stalenessRun writes a fresh key per trial, one trial per tick, through a
// coordinator outside the key's replicas; when the write is acknowledged
// it waits waits[trial % len(waits)] ticks and reads the key through
// another such coordinator.
type stalenessRun struct {
	c       *core.Cluster
	n       int
	waits   []int
	trials  int
	started int
	puts    map[core.RequestID]int // put request -> trial
	gets    map[core.RequestID]int // get request -> trial
	due     []pendingGet           // gets waiting for their tick, by tick
	done    int                    // trials whose get returned
}

type pendingGet struct {
	tick  int64
	trial int
	node  core.NodeID
}

func newStalenessRun(cfg core.Config, n int, waits []int, trials int) *stalenessRun {
	c, err := core.New(cfg)
	if err != nil {
		panic("experiments: staleness: " + err.Error()) // the knobs keep the config valid
	}
	return &stalenessRun{c: c, n: n, waits: waits, trials: trials, puts: map[core.RequestID]int{}, gets: map[core.RequestID]int{}}
}

func trialKey(i int) string { return "t" + strconv.Itoa(i) }

func (s *stalenessRun) step(budget int) (used int, finished bool) {
	nodes := s.n + 2
	for ticks := 0; ticks < budget*ticksPerUnit; ticks++ {
		if s.done == s.trials {
			return max(1, ticks/ticksPerUnit), true
		}
		s.c.Tick()
		for _, ev := range s.c.Events() {
			if ev.Kind != core.EvRequestDone {
				continue
			}
			if trial, ok := s.puts[ev.Request]; ok {
				// Writes never fail here: no faults, and a long timeout.
				key := trialKey(trial)
				s.due = append(s.due, pendingGet{tick: ev.Tick + int64(s.waits[trial%len(s.waits)]), trial: trial,
					node: outsiders(s.c, key, s.n, nodes)[1]})
			} else if _, ok := s.gets[ev.Request]; ok {
				s.done++
			}
		}
		slices.SortStableFunc(s.due, func(a, b pendingGet) int { return int(a.tick - b.tick) })
		for len(s.due) > 0 && s.due[0].tick <= s.c.Now() {
			g := s.due[0]
			s.due = s.due[1:]
			id := mustApply(s.c, core.Command{Kind: core.CmdGet, Node: g.node, Key: trialKey(g.trial)})
			s.gets[id] = g.trial
		}
		if s.started < s.trials {
			key := trialKey(s.started)
			id := mustApply(s.c, core.Command{Kind: core.CmdPut, Node: outsiders(s.c, key, s.n, nodes)[0], Key: key, Value: "x"})
			s.puts[id] = s.started
			s.started++
		}
	}
	return budget, false
}

// result is the fraction of stale reads per wait.
func (s *stalenessRun) result() []float64 {
	stale := make([]int, len(s.waits))
	reads := make([]int, len(s.waits))
	for _, op := range s.c.History() {
		trial, ok := s.gets[op.Request]
		if !ok || !op.OK {
			continue
		}
		i := trial % len(s.waits)
		reads[i]++
		if op.Stale {
			stale[i]++
		}
	}
	out := make([]float64, len(s.waits))
	for i := range out {
		out[i] = math.NaN()
		if reads[i] > 0 {
			out[i] = float64(stale[i]) / float64(reads[i])
		}
	}
	return out
}

// warsStaleness is the WARS model of PBS: every one-way message takes a
// latency drawn uniformly from [lmin, lmax] ticks. A write sent to N
// replicas at time 0 is acknowledged when the W-th acknowledgement returns;
// a read sent wait ticks later returns the R fastest replies, and is stale
// when none of those replicas had received the write by the time the read
// request reached it (a write and a read arriving in the same tick: the
// write first, as it was sent first).
func warsStaleness(q quorum, lmin, lmax, wait int64, trials int, seed uint64) float64 {
	rng := rand.New(rand.NewPCG(seed, 0x77617273)) // "wars"
	draw := func() int64 { return lmin + rng.Int64N(lmax-lmin+1) }
	arrive := make([]int64, q.n)
	acks := make([]int64, q.n)
	type reply struct {
		at, reach int64
		replica   int
		fresh     bool
	}
	replies := make([]reply, q.n)
	stale := 0
	for trial := 0; trial < trials; trial++ {
		for i := range arrive {
			arrive[i] = draw()
			acks[i] = arrive[i] + draw()
		}
		slices.Sort(acks)
		readAt := acks[q.w-1] + wait
		for i := range replies {
			reach := readAt + draw()
			replies[i] = reply{at: reach + draw(), reach: reach, replica: i, fresh: arrive[i] <= reach}
		}
		// Replies due at the same tick are handled in the order they were
		// sent, as the simulator's queue does: by the tick the replica got
		// the read, then in the order the coordinator sent the requests.
		slices.SortFunc(replies, func(a, b reply) int {
			return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.reach, b.reach), cmp.Compare(a.replica, b.replica))
		})
		fresh := false
		for _, r := range replies[:q.r] {
			fresh = fresh || r.fresh
		}
		if !fresh {
			stale++
		}
	}
	return float64(stale) / float64(trials)
}
