package experiments

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/ringlab/ringlab/core"
)

func init() {
	register(Experiment{
		Name:  "conflicts",
		Title: "Last-write-wins against vector clocks",
		Summary: "Under last-write-wins, concurrent acknowledged writes (and, with clock skew, later ones) are silently lost; " +
			"vector clocks keep them as siblings and lose none.",
		Params: append(commonKnobs(5),
			Knob{Name: "clients_max", Help: "largest number of concurrent clients; the sweep doubles from 1", Default: 16, Min: 1, Max: 256},
			Knob{Name: "clients", Help: "clients in the clock-skew sweep (1: no concurrent writes, so every loss is the skew's doing)", Default: 1, Min: 1, Max: 256},
			Knob{Name: "skew", Help: "largest clock skew in the clients sweep (each node's clock is off by up to this many ticks)", Default: 10, Min: 0, Max: 100_000},
			Knob{Name: "skew_max", Help: "largest clock skew in the skew sweep (ticks); the sweep runs 0, 1, 2, 5, 10, ...", Default: 100, Min: 0, Max: 100_000},
			Knob{Name: "keys", Help: "keys the clients share", Default: 4, Min: 1, Max: 10_000},
			Knob{Name: "ops", Help: "client operations per run (half of them puts)", Default: 200, Min: 1, Max: 100_000},
		),
		build: buildConflicts,
	})
}

// siblingBuckets is the number of bars of the sibling histogram; the last
// counts that many versions or more.
const siblingBuckets = 5

// settleTicksMax bounds the settling of one conflicts run.
const settleTicksMax = 20_000

func conflictColumns(x Column) []Column {
	return []Column{
		x,
		{Name: "lww_lost", Label: "LWW: acknowledged writes lost", Unit: "fraction of acknowledged puts", Role: Measured},
		{Name: "vc_lost", Label: "vector clocks: writes lost", Unit: "fraction of acknowledged puts", Role: Measured},
		{Name: "vc_lost_theory", Label: "none lost", Unit: "fraction of acknowledged puts", Role: Predicted, Predicts: "vc_lost"},
		{Name: "vc_sibling_reads", Label: "vector clocks: reads with siblings", Unit: "fraction of reads", Role: Measured},
	}
}

func buildConflicts(v Values) (*sweep, error) {
	s := &sweep{}
	const claim = "Last-write-wins keeps one version by timestamp: a concurrent acknowledged write is dropped, and under clock skew even a later one. " +
		"Vector clocks detect the concurrency and keep both as siblings, so once the cluster settles no acknowledged write is lost."
	const source = "design guide, section 7; DeCandia et al. 2007, sections 4.4 and 6.3"
	byClients := s.newTable(Table{
		Name: "conflicts_clients", Title: "Writes lost or kept against concurrency", Claim: claim, Source: source,
		X: "clients", LogX: true,
		Columns: conflictColumns(Column{Name: "clients", Label: "concurrent clients", Unit: "clients", Role: Param}),
	})
	bySkew := s.newTable(Table{
		Name: "conflicts_skew", Title: "Writes lost or kept against clock skew", Claim: claim, Source: source,
		X:       "skew",
		Columns: conflictColumns(Column{Name: "skew", Label: "largest clock skew", Unit: "ticks", Role: Param}),
	})
	hist := s.newTable(Table{
		Name:   "siblings",
		Title:  "Versions seen per read under vector clocks",
		Claim:  "Most reads see one version; concurrent writes show up as siblings. Dynamo's shopping cart saw exactly one version in 99.94% of requests over 24 hours.",
		Source: "DeCandia et al. 2007, section 6.3 (production figure); here: the vector-clock runs of the clients sweep",
		Group:  "clients",
		X:      "versions",
		Columns: []Column{
			{Name: "versions", Label: "versions a read returned (" + strconv.Itoa(siblingBuckets) + "+: that many or more)", Unit: "versions", Role: Param,
				OrMore: siblingBuckets},
			{Name: "reads", Label: "reads (this workload)", Unit: "fraction of reads", Role: Measured},
			{Name: "dynamo_2007", Label: "Dynamo in production", Unit: "fraction of reads", Role: Reference, Predicts: "reads"},
		},
	})
	base := conflictSpec{keys: v.Int("keys"), ops: v.Int("ops")}
	point := 0
	for _, clients := range powersOfTwo(1, v.Int("clients_max")) {
		row := byClients.addRow("", map[string]float64{"clients": float64(clients), "vc_lost_theory": 0})
		histRows := make([]int, siblingBuckets)
		for k := range histRows {
			values := map[string]float64{"versions": float64(k + 1)}
			if k == 0 {
				values["dynamo_2007"] = 0.9994
			}
			histRows[k] = hist.addRow(clientsLabel(clients), values)
		}
		spec := base
		spec.clients, spec.skew = clients, v.Int("skew")
		s.addConflictCells(spec, v, point, func(o conflictOutcome) {
			o.record(byClients, row)
			for k, f := range o.versionShares {
				hist.record(histRows[k], "reads", f)
			}
		})
		point++
	}
	for _, skew := range append([]int{0}, oneTwoFive(v.Int("skew_max"))...) {
		row := bySkew.addRow("", map[string]float64{"skew": float64(skew), "vc_lost_theory": 0})
		spec := base
		spec.clients, spec.skew = v.Int("clients"), skew
		s.addConflictCells(spec, v, point, func(o conflictOutcome) { o.record(bySkew, row) })
		point++
	}
	return s, nil
}

// conflictSpec is one workload run twice, under each versioning scheme.
type conflictSpec struct {
	clients, skew, keys, ops int
}

// conflictOutcome is what one pair of runs measured.
type conflictOutcome struct {
	lwwLost, vcLost, vcSiblingReads float64
	versionShares                   []float64 // [k]: share of reads that saw k+1 versions (the last bucket: or more)
}

func (o conflictOutcome) record(t *Table, row int) {
	t.record(row, "lww_lost", o.lwwLost)
	t.record(row, "vc_lost", o.vcLost)
	t.record(row, "vc_sibling_reads", o.vcSiblingReads)
}

func (s *sweep) addConflictCells(spec conflictSpec, v Values, point int, done func(conflictOutcome)) {
	for rep := 0; rep < v.Int("seeds"); rep++ {
		seed := cellSeed(v.Seed(), point, rep)
		// Estimated for Progress: two runs of about a tick per op plus
		// the skew, then settling.
		cost := Work{NodeTicks: 2 * core.DefaultConfig().Nodes * (spec.ops + spec.skew + 200)}.Units()
		s.add(point, rep, cell{cost: cost, start: func(m *meter) stepFn {
			runs := []*conflictRun{newConflictRun(spec, core.LWW, seed), newConflictRun(spec, core.VectorClocks, seed)}
			m.nodeTicks(2 * runs[0].nodes)
			return func(m *meter) bool {
				// The LWW run to its end, then the vector-clock run.
				for _, r := range runs {
					if !r.finished && !r.step(m) {
						return false
					}
				}
				done(conflictOutcome{
					lwwLost:        runs[0].lostFraction(),
					vcLost:         runs[1].lostFraction(),
					vcSiblingReads: runs[1].siblingReadFraction(),
					versionShares:  runs[1].versionShares(),
				})
				return true
			}
		}})
	}
}

// conflictRun is one cluster under a shared-key workload, then settled.
type conflictRun struct {
	c        *core.Cluster
	nodes    int
	ops      int
	settled  int64 // ticks spent settling
	report   core.SettleReport
	counters core.Counters
	finished bool
}

func newConflictRun(spec conflictSpec, versioning core.Versioning, seed uint64) *conflictRun {
	cfg := core.DefaultConfig()
	cfg.Versioning = versioning
	cfg.Seed = seed
	cfg.Workload = core.Workload{Clients: spec.clients, Keys: spec.keys, PutFraction: 0.5, Ops: spec.ops, ThinkTicksMax: 5, KeyPrefix: "k"}
	// The same seed gives both runs the same skews, workload and network.
	rng := rand.New(rand.NewPCG(seed, 0x736b6577)) // "skew"
	cfg.SkewTicks = make([]int64, cfg.Nodes)
	for i := range cfg.SkewTicks {
		cfg.SkewTicks[i] = int64(rng.IntN(2*spec.skew+1) - spec.skew)
	}
	c, err := core.New(cfg)
	if err != nil {
		panic("experiments: conflicts: " + err.Error()) // the knobs keep the config valid
	}
	c.DiscardEvents(true)
	return &conflictRun{c: c, nodes: cfg.Nodes, ops: spec.ops}
}

// conflictPieceTicks is how many ticks the workload or the settling runs
// between checks: the run's outcome depends on it (settling starts at the
// first check after the last operation), not on how steps cut the work.
const conflictPieceTicks = 10

// step runs the workload to its end, then settles the cluster, in pieces
// of conflictPieceTicks, until m is full; it reports whether the run is
// settled (or gave up settling).
func (r *conflictRun) step(m *meter) (finished bool) {
	for !m.full() {
		k := r.c.Counters()
		if k.OpsSucceeded+k.OpsFailed < r.ops {
			r.c.RunUntil(r.c.Now() + conflictPieceTicks)
			m.nodeTicks(conflictPieceTicks * r.nodes)
			continue
		}
		rep := r.c.Settle(conflictPieceTicks)
		r.settled += rep.Ticks
		// Settling also checks every acknowledged put for loss.
		m.nodeTicks(int(rep.Ticks) * r.nodes)
		m.items(1 + k.PutsOK)
		if rep.Converged || r.settled >= settleTicksMax {
			r.report, r.counters, r.finished = rep, r.c.Counters(), true
			return true
		}
	}
	return false
}

// lostFraction is the share of acknowledged puts lost for good.
func (r *conflictRun) lostFraction() float64 {
	if r.counters.PutsOK == 0 {
		return math.NaN()
	}
	return float64(r.report.LostWrites) / float64(r.counters.PutsOK)
}

// versionReads counts the successful reads that returned at least one version.
func (r *conflictRun) versionReads() int {
	total := 0
	for k, n := range r.counters.SiblingReads {
		if k > 0 {
			total += n
		}
	}
	return total
}

// siblingReadFraction is the share of reads (of written keys) that saw
// more than one version.
func (r *conflictRun) siblingReadFraction() float64 {
	total := r.versionReads()
	if total == 0 {
		return math.NaN()
	}
	single := 0
	if len(r.counters.SiblingReads) > 1 {
		single = r.counters.SiblingReads[1]
	}
	return float64(total-single) / float64(total)
}

// versionShares is the histogram of versions per read, as shares.
func (r *conflictRun) versionShares() []float64 {
	out := make([]float64, siblingBuckets)
	total := r.versionReads()
	for k, n := range r.counters.SiblingReads {
		if k > 0 && total > 0 {
			out[min(k, siblingBuckets)-1] += float64(n) / float64(total)
		}
	}
	if total == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
	}
	return out
}

// clientsLabel names a group of the sibling histogram: "1 client", "4 clients".
func clientsLabel(n int) string {
	if n == 1 {
		return "1 client"
	}
	return strconv.Itoa(n) + " clients"
}
