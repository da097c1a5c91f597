package experiments

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Experiment is one named sweep. Start it with Start, then call Step on
// the returned Run until it reports done.
type Experiment struct {
	Name    string  // e.g. "movement"; what `sim sweep` and the lab's URLs use
	Title   string  // one line, for a menu
	Summary string  // a sentence: what is swept and what is predicted
	Params  []Knob  // the parameters Start accepts, with defaults and ranges
	build   builder // makes the sweep for a set of parameter values
}

// Knob is one parameter of an experiment.
type Knob struct {
	Name    string  `json:"name"`
	Help    string  `json:"help"`
	Default float64 `json:"default"`
	Min     float64 `json:"min"`
	Max     float64 `json:"max"`
}

// Values are an experiment's parameter values by name, with every knob set
// (Start fills in the defaults).
type Values map[string]float64

// Int is the value of an integer knob.
func (v Values) Int(name string) int { return int(v[name]) }

// Seed is the "seed" knob as a generator seed.
func (v Values) Seed() uint64 { return uint64(v["seed"]) }

// builder turns parameter values into the skeleton tables and the cells
// that fill them.
type builder func(v Values) (*sweep, error)

// Every experiment has these two knobs first.
func commonKnobs(seeds int) []Knob {
	return []Knob{
		{Name: "seed", Help: "the sweep's seed; every (point, repetition) derives its own from it", Default: 1, Min: 0, Max: 1 << 40},
		{Name: "seeds", Help: "independent repetitions per point (the bands span them)", Default: float64(seeds), Min: 1, Max: 1000},
	}
}

var registry []Experiment

func register(e Experiment) { registry = append(registry, e) }

// All lists the experiments in the order the lab shows them.
func All() []Experiment { return slices.Clone(registry) }

// Lookup finds an experiment by name.
func Lookup(name string) (Experiment, bool) {
	i := slices.IndexFunc(registry, func(e Experiment) bool { return e.Name == name })
	if i < 0 {
		return Experiment{}, false
	}
	return registry[i], true
}

// Names lists the experiments' names, comma-separated, for error messages.
func Names() string {
	names := make([]string, len(registry))
	for i, e := range registry {
		names[i] = e.Name
	}
	return strings.Join(names, ", ")
}

// Defaults are the experiment's default parameter values.
func (e Experiment) Defaults() Values {
	v := Values{}
	for _, k := range e.Params {
		v[k.Name] = k.Default
	}
	return v
}

// Start validates the parameters (missing ones take their defaults) and
// prepares the sweep; no measurement is taken until Step. The error, one
// line, names the parameter and what is allowed.
func (e Experiment) Start(set map[string]float64) (*Run, error) {
	v := e.Defaults()
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		i := slices.IndexFunc(e.Params, func(k Knob) bool { return k.Name == name })
		if i < 0 {
			allowed := make([]string, len(e.Params))
			for j, k := range e.Params {
				allowed[j] = k.Name
			}
			return nil, fmt.Errorf("%s: unknown parameter %q; allowed: %s", e.Name, name, strings.Join(allowed, ", "))
		}
		k, x := e.Params[i], set[name]
		if !(x >= k.Min && x <= k.Max) || x != math.Trunc(x) {
			return nil, fmt.Errorf("%s: %s=%s must be a whole number between %s and %s", e.Name, name,
				strconv.FormatFloat(x, 'f', -1, 64), strconv.FormatFloat(k.Min, 'f', -1, 64), strconv.FormatFloat(k.Max, 'f', -1, 64))
		}
		v[name] = x
	}
	s, err := e.build(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Name, err)
	}
	for _, c := range s.cells {
		s.total += c.cost
	}
	return &Run{experiment: e.Name, values: v, s: s}, nil
}

// Run is a sweep in progress. Step advances it by a bounded amount of work,
// so a caller that must stay responsive (the lab, one animation frame at a
// time) calls Step a little at a time; to cancel, stop calling it. The
// cells of the sweep run in a fixed order and each takes its randomness
// from its own seed, so the tables do not depend on how the work was cut
// into steps: Step(1) a thousand times and Step(math.MaxInt) once give
// identical tables.
//
// A Run is not safe for concurrent use.
type Run struct {
	experiment string
	values     Values
	s          *sweep
	next       int     // the next cell to start
	cur        stepFn  // the cell in progress, nil between cells
	curUsed    float64 // units spent on the current cell
	doneUnits  float64 // estimated cost of the cells finished
	last       Work    // the work of the latest Step
	total      Work    // the work of every Step so far
}

// Experiment is the name of the experiment being run.
func (r *Run) Experiment() string { return r.experiment }

// Values are the parameter values of the run, defaults filled in.
func (r *Run) Values() Values {
	v := Values{}
	for k, x := range r.values {
		v[k] = x
	}
	return v
}

// Step does about budget units of work (see Work) and reports whether the
// sweep is complete. Cells are cut into pieces (a chunk of keys hashed
// into a Merkle tree, one simulated tick or a few, a batch of model
// draws); a step ends after the piece that reaches its budget, so it
// overshoots by at most one piece. A few computations are one piece (one
// movement, balance or partitioning measurement): at the default sizes the
// largest, a movement measurement over 10,000 keys, is under 7 units. A
// unit is a fraction of a millisecond natively, so a frame loop can call
// Step(1) until its time slice is spent; LastStep tells what a step did.
func (r *Run) Step(budget int) (done bool) {
	m := meter{limit: float64(max(budget, 1))}
	for !r.Done() && !m.full() {
		if r.cur == nil {
			before := m.spent.Units()
			r.cur = r.s.cells[r.next].start(&m)
			r.curUsed = m.spent.Units() - before
			if m.full() {
				break
			}
		}
		before := m.spent
		finished := r.cur(&m)
		if !finished && m.spent == before {
			panic("experiments: " + r.experiment + ": a cell neither finished nor did any work")
		}
		r.curUsed += m.spent.Units() - before.Units()
		if finished {
			r.doneUnits += r.s.cells[r.next].cost
			r.next++
			r.cur = nil
		}
	}
	r.last = m.spent
	r.total = r.total.Add(m.spent)
	return r.Done()
}

// LastStep is the work the latest Step did.
func (r *Run) LastStep() Work { return r.last }

// TotalWork is the work of every Step so far.
func (r *Run) TotalWork() Work { return r.total }

// Done reports whether every cell has been measured.
func (r *Run) Done() bool { return r.next == len(r.s.cells) }

// Progress is the fraction of the estimated work done, from 0 to 1; it is 1
// exactly when Done.
func (r *Run) Progress() float64 {
	if r.Done() {
		return 1
	}
	done := r.doneUnits
	if r.cur != nil {
		c := r.s.cells[r.next].cost
		done += c * min(r.curUsed/c, 0.99)
	}
	return min(done/max(r.s.total, 1), 0.999)
}

// Runs is how many of the sweep's runs (its cells: in most experiments
// one point at one seed) are finished, of how many.
func (r *Run) Runs() (done, total int) { return r.next, len(r.s.cells) }

// Position is where the sweep is: the point being measured (from 1) of
// the points, and the seed (from 1) of that point's seeds. ok is false for
// a sweep whose runs are not one point at one seed each.
func (r *Run) Position() (point, points, seed, seeds int, ok bool) {
	seeds = r.values.Int("seeds")
	for _, c := range r.s.cells {
		if !c.tagged {
			return 0, 0, 0, 0, false
		}
		points = max(points, c.point+1)
	}
	if r.Done() {
		return points, points, seeds, seeds, true
	}
	c := r.s.cells[r.next]
	return c.point + 1, points, c.rep + 1, seeds, true
}

// Tables returns a copy of the tables measured so far: every row is there
// from the start, measured values are NaN until their first sample.
func (r *Run) Tables() []Table {
	out := make([]Table, len(r.s.tables))
	for i, t := range r.s.tables {
		out[i] = t.clone()
	}
	return out
}

// Complete runs the whole sweep at once (the headless runner's way).
func (r *Run) Complete() []Table {
	for !r.Step(math.MaxInt) {
	}
	return r.Tables()
}

// Work counts what a sweep computed, by kind. Each kind is counted where
// the work is done (a key hashed into a tree, a tick simulated), so a bound
// on the work of a step bounds its running time on any machine.
type Work struct {
	// Hashes are the hashes computed by the Merkle experiment: a key
	// added to or updated in a tree of depth d costs d+1, its salting and
	// digests one each.
	Hashes int `json:"hashes"`
	// NodeTicks are the simulated ticks of a cluster, each counted once per
	// node of the cluster (its creation counts as one tick).
	NodeTicks int `json:"node_ticks"`
	// Items are the elements of the computations that are not simulations
	// or trees: keys placed, ring points placed or walked, partitions
	// assigned, failure sets or model trials drawn, tree nodes copied or
	// compared.
	Items int `json:"items"`
}

// The work of one unit, by kind, each a fraction of a millisecond natively
// (BenchmarkWorstStep reports the milliseconds per unit of each
// experiment): a node-tick of the small clusters the experiments run costs
// a few microseconds, more in large gossiping clusters; a hash about 0.05,
// an item about 0.02.
const (
	hashesPerUnit    = 4096
	nodeTicksPerUnit = 64
	itemsPerUnit     = 16384
)

// Units is the work in units: the sum of each kind over its amount per unit.
func (w Work) Units() float64 {
	return float64(w.Hashes)/hashesPerUnit + float64(w.NodeTicks)/nodeTicksPerUnit + float64(w.Items)/itemsPerUnit
}

// Add is the sum of two amounts of work.
func (w Work) Add(o Work) Work {
	return Work{Hashes: w.Hashes + o.Hashes, NodeTicks: w.NodeTicks + o.NodeTicks, Items: w.Items + o.Items}
}

// meter is one Step's budget: cells charge their work to it as they go and
// stop at the end of a piece once it is full.
type meter struct {
	spent Work
	limit float64 // units
}

func (m *meter) full() bool { return m.spent.Units() >= m.limit }

func (m *meter) hashes(n int)    { m.spent.Hashes += n }
func (m *meter) nodeTicks(n int) { m.spent.NodeTicks += n }
func (m *meter) items(n int)     { m.spent.Items += n }

// sweep is an experiment's tables and the cells that fill them, in order.
type sweep struct {
	tables []*Table
	cells  []cell
	total  float64 // estimated units of all cells
}

// cell is one unit of scheduling: typically one (parameter value, seed)
// measurement. cost estimates its work in units, for Progress. start may
// charge work to the meter (building a cluster, say).
type cell struct {
	cost  float64
	start func(m *meter) stepFn
	// point and rep place the cell in the sweep, for progress: the index
	// of its point and its repetition (seed). Set by sweep.add; cells
	// appended otherwise have none (tagged false).
	point, rep int
	tagged     bool
}

// add appends c as the measurement of point at repetition rep.
func (s *sweep) add(point, rep int, c cell) {
	c.point, c.rep, c.tagged = point, rep, true
	s.cells = append(s.cells, c)
}

// stepFn advances a cell piece by piece, charging each piece's work to m,
// until m is full or the cell is finished; finished is true once the cell
// has recorded its samples. A call on a meter that is not full does at
// least one piece of work or finishes.
type stepFn func(m *meter) (finished bool)

// once makes a cell of a computation small enough to be one piece; items
// is its work.
func once(items int, f func()) cell {
	return cell{cost: float64(max(items, 1)) / itemsPerUnit, start: func(*meter) stepFn {
		return func(m *meter) bool { f(); m.items(max(items, 1)); return true }
	}}
}

// newTable adds a table to the sweep.
func (s *sweep) newTable(t Table) *Table {
	p := &t
	s.tables = append(s.tables, p)
	return p
}

// addRow appends a row with its Param and Predicted values given by name
// (missing ones are NaN) and returns its index.
func (t *Table) addRow(group string, values map[string]float64) int {
	r := Row{Group: group, Values: make([]float64, len(t.Columns)), Samples: make([][]float64, len(t.Columns))}
	for i, c := range t.Columns {
		v, ok := values[c.Name]
		if !ok {
			v = math.NaN()
		}
		r.Values[i] = v
		if c.Role == Measured {
			r.Samples[i] = []float64{}
		}
	}
	t.Rows = append(t.Rows, r)
	return len(t.Rows) - 1
}

// record adds one seed's sample to the measured column name of row row. A
// NaN sample (nothing to measure in this seed, e.g. no read succeeded) is
// not recorded.
func (t *Table) record(row int, name string, v float64) {
	col := t.Col(name)
	if col < 0 || t.Columns[col].Role != Measured {
		panic("experiments: " + t.Name + " has no measured column " + name)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	t.Rows[row].addSample(col, v)
}

// setValue sets a Param or Predicted value computed after the row was made.
func (t *Table) setValue(row int, name string, v float64) {
	col := t.Col(name)
	if col < 0 || t.Columns[col].Role == Measured {
		panic("experiments: " + t.Name + " has no param or predicted column " + name)
	}
	t.Rows[row].Values[col] = v
}

// cellSeed derives the seed of one cell from the run's seed, the point's
// index and the repetition, so that cells are independent of each other and
// of the order they run in.
func cellSeed(base uint64, point, rep int) uint64 {
	x := base*0x9E3779B97F4A7C15 + uint64(point)*0xBF58476D1CE4E5B9 + uint64(rep)*0x94D049BB133111EB
	x ^= x >> 31
	x *= 0xD6E8FEB86659FD93
	return x ^ x>>32
}
