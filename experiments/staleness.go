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
			trials := v.Int("model_trials")
			s.cells = append(s.cells, cell{cost: Work{Items: trials * warsTrialItems(q)}.Units(), start: func(*meter) stepFn {
				model := newWARS(q, lmin, lmax, int64(w), trials, modelSeed)
				return func(m *meter) bool {
					if !model.step(m) {
						return false
					}
					t.setValue(row, "p_model", model.staleFraction())
					return true
				}
			}})
			point++
		}
		for rep := 0; rep < v.Int("seeds"); rep++ {
			cfg := quietConfig(q.n+2, q.n, q.w, q.r, lmin, lmax, cellSeed(v.Seed(), point, rep))
			trials := v.Int("trials") * len(waits)
			// One trial starts per tick; the last ends a wait and two
			// round trips later.
			cost := Work{NodeTicks: cfg.Nodes * (trials + int(4*lmax) + waits[len(waits)-1])}.Units()
			s.cells = append(s.cells, cell{cost: cost, start: func(m *meter) stepFn {
				run := newStalenessRun(cfg, q.n, waits, trials)
				m.nodeTicks(cfg.Nodes)
				return func(m *meter) bool {
					if !run.step(m) {
						return false
					}
					for i, p := range run.result() {
						t.record(rows[i], "p_stale", p)
					}
					m.items(2 * trials) // the history scanned
					return true
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

// step simulates one tick at a time until m is full; it reports whether
// every trial's read has returned.
func (s *stalenessRun) step(m *meter) (finished bool) {
	nodes := s.n + 2
	for {
		if s.done == s.trials {
			return true
		}
		if m.full() {
			return false
		}
		s.c.Tick()
		m.nodeTicks(nodes)
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

// warsRun is the WARS model of PBS, drawn in pieces: every one-way message
// takes a latency drawn uniformly from [lmin, lmax] ticks. A write sent to
// N replicas at time 0 is acknowledged when the W-th acknowledgement
// returns; a read sent wait ticks later returns the R fastest replies, and
// is stale when none of those replicas had received the write by the time
// the read request reached it (a write and a read arriving in the same
// tick: the write first, as it was sent first).
type warsRun struct {
	q            quorum
	lmin, lmax   int64
	wait         int64
	trials, done int
	stale        int
	rng          *rand.Rand
	arrive, acks []int64
	replies      []warsReply
}

type warsReply struct {
	at, reach int64
	replica   int
	fresh     bool
}

// warsTrialItems is the work of one trial: four latencies drawn per
// replica, and the acknowledgements and replies sorted.
func warsTrialItems(q quorum) int { return 6 * q.n }

// warsChunkTrials is how many trials run between checks of the meter.
const warsChunkTrials = 64

func newWARS(q quorum, lmin, lmax, wait int64, trials int, seed uint64) *warsRun {
	return &warsRun{q: q, lmin: lmin, lmax: lmax, wait: wait, trials: trials,
		rng:    rand.New(rand.NewPCG(seed, 0x77617273)), // "wars"
		arrive: make([]int64, q.n), acks: make([]int64, q.n), replies: make([]warsReply, q.n)}
}

// step draws trials until m is full; it reports whether all are drawn.
func (w *warsRun) step(m *meter) bool {
	for !m.full() && w.done < w.trials {
		end := min(w.done+warsChunkTrials, w.trials)
		m.items((end - w.done) * warsTrialItems(w.q))
		for ; w.done < end; w.done++ {
			if w.trial() {
				w.stale++
			}
		}
	}
	return w.done == w.trials
}

func (w *warsRun) draw() int64 { return w.lmin + w.rng.Int64N(w.lmax-w.lmin+1) }

// trial draws one write and one read and reports whether the read is stale.
func (w *warsRun) trial() (stale bool) {
	q := w.q
	for i := range w.arrive {
		w.arrive[i] = w.draw()
		w.acks[i] = w.arrive[i] + w.draw()
	}
	slices.Sort(w.acks)
	readAt := w.acks[q.w-1] + w.wait
	for i := range w.replies {
		reach := readAt + w.draw()
		w.replies[i] = warsReply{at: reach + w.draw(), reach: reach, replica: i, fresh: w.arrive[i] <= reach}
	}
	// Replies due at the same tick are handled in the order they were
	// sent, as the simulator's queue does: by the tick the replica got
	// the read, then in the order the coordinator sent the requests.
	slices.SortFunc(w.replies, func(a, b warsReply) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.reach, b.reach), cmp.Compare(a.replica, b.replica))
	})
	for _, r := range w.replies[:q.r] {
		if r.fresh {
			return false
		}
	}
	return true
}

// staleFraction is the model's chance of a stale read.
func (w *warsRun) staleFraction() float64 { return float64(w.stale) / float64(w.trials) }
