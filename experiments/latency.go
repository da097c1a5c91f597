package experiments

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/ringlab/ringlab/core"
)

// The latency table's groups.
const (
	latencyPuts = "put, against W"
	latencyGets = "get, against R"
)

// latencyPercentiles are the percentiles the latency table reports.
var latencyPercentiles = []struct {
	name string
	p    float64
}{{"p50", 0.50}, {"p99", 0.99}}

func buildLatency(v Values) (*sweep, error) {
	lmin, lmax := int64(v.Int("latency_min")), int64(v.Int("latency_max"))
	if lmax < lmin {
		return nil, fmt.Errorf("latency_max=%d must be at least latency_min=%d", lmax, lmin)
	}
	n, ops := v.Int("n"), v.Int("ops")
	s := &sweep{}
	columns := []Column{{Name: "quorum", Label: "W for puts, R for gets", Unit: "replicas", Role: Param}}
	for _, pc := range latencyPercentiles {
		columns = append(columns,
			Column{Name: pc.name, Label: pc.name + " latency", Unit: "ticks", Role: Measured},
			Column{Name: pc.name + "_model", Label: pc.name + ", order statistic", Unit: "ticks", Role: Predicted, Predicts: pc.name})
	}
	t := s.newTable(Table{
		Name:  "latency",
		Title: "Request latency percentiles against W and R",
		Claim: "A coordinator answers after the W-th (or R-th) fastest of N round trips, so its latency is that order statistic of the round-trip time; " +
			"raising W or R makes requests slower, most visibly in the tail.",
		Source:  "design guide, section 6; DeCandia et al. 2007, section 4.5",
		Group:   "operation",
		X:       "quorum",
		Columns: columns,
	})
	rows := map[string][]int{}
	for _, group := range []string{latencyPuts, latencyGets} {
		for k := 1; k <= n; k++ {
			values := map[string]float64{"quorum": float64(k)}
			for _, pc := range latencyPercentiles {
				values[pc.name+"_model"] = float64(orderStatisticPercentile(n, k, lmin, lmax, pc.p))
			}
			rows[group] = append(rows[group], t.addRow(group, values))
		}
	}
	total := 2 * n * ops
	for rep := 0; rep < v.Int("seeds"); rep++ {
		cfg := quietConfig(n+2, n, 1, 1, lmin, lmax, cellSeed(v.Seed(), 0, rep))
		// One op is issued per tick; the last finishes within a round trip.
		cost := Work{NodeTicks: (n + 2) * (total + int(4*lmax))}.Units()
		s.add(0, rep, cell{cost: cost, start: func(m *meter) stepFn {
			c, err := core.New(cfg)
			if err != nil {
				panic("experiments: latency: " + err.Error()) // the knobs keep the config valid
			}
			m.nodeTicks(n + 2)
			issued, finished := 0, 0
			return func(m *meter) bool {
				for {
					if finished == total {
						recordLatencies(t, rows, c.History(), n)
						m.items(total)
						return true
					}
					if m.full() {
						return false
					}
					c.Tick()
					m.nodeTicks(n + 2)
					for _, ev := range c.Events() {
						if ev.Kind == core.EvRequestDone {
							finished++
						}
					}
					if issued < total {
						// Op i is a put (even i) or a get (odd i) with
						// quorum 1 + (i/2) % n, through a coordinator that
						// is none of the key's replicas.
						key := "l" + strconv.Itoa(issued)
						k := 1 + (issued/2)%n
						cmd := core.Command{Kind: core.CmdPut, Node: outsiders(c, key, n, n+2)[0], Key: key, Value: "x", W: k}
						if issued%2 == 1 {
							cmd = core.Command{Kind: core.CmdGet, Node: cmd.Node, Key: key, R: k}
						}
						mustApply(c, cmd)
						issued++
					}
				}
			}
		}})
	}
	return s, nil
}

// recordLatencies adds one seed's percentiles to the latency table.
func recordLatencies(t *Table, rows map[string][]int, history []core.Op, n int) {
	lat := map[string][][]float64{latencyPuts: make([][]float64, n), latencyGets: make([][]float64, n)}
	for i, op := range history {
		if !op.OK {
			continue
		}
		group := latencyPuts
		if op.Kind == core.OpGet {
			group = latencyGets
		}
		k := (i / 2) % n
		lat[group][k] = append(lat[group][k], float64(op.ReturnTick-op.InvokeTick))
	}
	for _, group := range []string{latencyPuts, latencyGets} {
		for k, xs := range lat[group] {
			slices.Sort(xs)
			for _, pc := range latencyPercentiles {
				t.record(rows[group][k], pc.name, nearestRank(xs, pc.p))
			}
		}
	}
}

// nearestRank is the p-th percentile of sorted xs by the nearest-rank
// method; NaN for no data.
func nearestRank(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// orderStatisticPercentile is the p-th percentile of the k-th smallest of
// n independent round trips, each the sum of two one-way latencies uniform
// in [lmin, lmax] ticks: the smallest x with P(k-th smallest <= x) >= p.
func orderStatisticPercentile(n, k int, lmin, lmax int64, p float64) int64 {
	width := lmax - lmin + 1
	// P(round trip = 2*lmin + j) for j in [0, 2*width-2]: a triangle.
	pmf := make([]float64, 2*width-1)
	for a := int64(0); a < width; a++ {
		for b := int64(0); b < width; b++ {
			pmf[a+b] += 1 / float64(width*width)
		}
	}
	var cdf float64
	for j, pj := range pmf {
		cdf += pj
		var atLeastK float64
		for m := k; m <= n; m++ {
			atLeastK += binomial(n, m) * math.Pow(cdf, float64(m)) * math.Pow(1-cdf, float64(n-m))
		}
		if atLeastK >= p-1e-12 {
			return 2*lmin + int64(j)
		}
	}
	return 2 * lmax
}
