package runfmt

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
)

// Work budgets. A run that comes from outside (a link, a replay file, a
// page's command) is a small text that can ask for a great deal of work: a
// cluster that grows by recorded joins until every node's copy of the ring
// fills the memory, or a heavy configuration rebuilt to a late tick. Two
// checks bound it before anything runs:
//
//   - the cluster's size, after every command that changes it (Shape), is
//     held to the Limits (nodes, and the memory of one copy of the cluster);
//   - the work of rebuilding it to its tick, estimated from its
//     configuration tick by tick (WorkPerTick), is held to WorkBudget.
//
// The estimate is in work units of about a microsecond of one desktop core
// (BenchmarkWorkEstimate in work_test.go measures the ratio); a browser tab
// runs the same work two to three times slower.

// WorkBudget is the most work a run from outside may need to be rebuilt:
// about half a minute of a desktop core, a minute or so in a browser tab,
// which the lab spreads across frames with a progress bar and Cancel.
const WorkBudget = 30e6

// WorkPerTickMax bounds the work of one tick, so that the lab can keep
// drawing while it plays: about 10 ms of a desktop core.
const WorkPerTickMax = 10_000

// Shape is what bounds a cluster's memory and work as its run goes on: its
// configuration (live settings included) and the capacity of every node it
// has had (a node that left keeps its place; its ring copy is gone, but the
// estimate stays an upper bound).
type Shape struct {
	Cfg     core.Config
	Weights []float64 // one per node, joined ones included
}

// ShapeOf is the shape of a cluster started with cfg.
func ShapeOf(cfg core.Config) Shape {
	s := Shape{Cfg: cfg.Clone(), Weights: make([]float64, cfg.Nodes)}
	for i := range s.Weights {
		s.Weights[i] = 1
		if i < len(cfg.Weights) && cfg.Weights[i] > 0 {
			s.Weights[i] = cfg.Weights[i]
		}
	}
	return s
}

// Nodes is how many nodes the cluster has had.
func (s Shape) Nodes() int { return len(s.Weights) }

// Points is the number of points on the ring with every node on it.
func (s Shape) Points() int64 {
	var p int64
	for _, w := range s.Weights {
		p += int64(math.Round(w * float64(s.Cfg.VNodes)))
	}
	return p
}

// Apply follows cmd's effect on the shape: a join adds a node, a set
// changes a live setting. Other commands do not change it.
func (s *Shape) Apply(cmd core.Command) {
	switch cmd.Kind {
	case core.CmdJoin:
		w := cmd.Weight
		if w <= 0 {
			w = 1
		}
		s.Weights = append(s.Weights, w)
	case core.CmdSet:
		if cfg, err := s.Cfg.WithParam(cmd.Param, cmd.Num); err == nil {
			s.Cfg = cfg
		}
	}
}

// CheckpointBytes estimates the memory of one copy (a Clone) of the
// cluster, from the two structures that dominate it in a large cluster:
// every node's own copy of the ring (16 bytes a point), and the Merkle
// trees (one per key range a node replicates, 2^(depth+1) hashes each).
// At 64 nodes x 256 virtual nodes it gives 29 MB; 28 MB was measured.
func (s Shape) CheckpointBytes() int64 {
	nodes, points := int64(s.Nodes()), s.Points()
	rings := 16 * nodes * points
	trees := 8 * points * int64(s.Cfg.N) << (s.Cfg.MerkleDepth + 1)
	return 64<<10 + rings + trees
}

// CheckShape reports why a cluster of this shape is too large for a run
// from outside (its nodes, the memory of one copy, the work of one tick),
// or nil. The lab holds every change it records to it, so that whatever it
// records reopens.
func (lim Limits) CheckShape(s Shape) error {
	if s.Nodes() > lim.Nodes {
		return fmt.Errorf("the cluster would have %d nodes; a shared run may have %d", s.Nodes(), lim.Nodes)
	}
	if b := s.CheckpointBytes(); b > lim.CheckpointBytes {
		return fmt.Errorf("%d nodes with %s ring points would take about %d MB for one copy of the cluster; a shared run may use %d MB",
			s.Nodes(), Thousands(s.Points()), b>>20, lim.CheckpointBytes>>20)
	}
	if w := s.WorkPerTick(); w > WorkPerTickMax {
		return fmt.Errorf("one tick would take about %s work units (some %d ms); a shared run's tick may take %s",
			Thousands(int64(w)), int64(w)/1000, Thousands(WorkPerTickMax))
	}
	return nil
}

// ShapeAt is the shape of a run started with cfg after the commands of rec
// up to and including tick (rec ordered by tick).
func ShapeAt(cfg core.Config, rec []core.Recorded, tick int64) Shape {
	s := ShapeOf(cfg)
	for _, a := range rec {
		if a.Tick > tick {
			break
		}
		s.Apply(a.Cmd)
	}
	return s
}

// WorkPerTick estimates the work of one tick of a cluster of this shape,
// in work units (about a microsecond of a desktop core). Each term is one
// mechanism's rate times its cost, fitted to measurements over 5 to 128
// nodes with every timer from 1 to 100 ticks:
//
//   - gossip: every node sends a digest of every node it knows each
//     interval;
//   - anti-entropy: every node compares trees with a replica each interval,
//     a cost that grows with the key ranges it holds and the tree depth;
//   - hand-off: every node looks at its hints each interval;
//   - clients: each issues an operation after its think time and a round
//     trip, and an operation sends N requests and takes N replies;
//   - faults: each injection changes membership or the network.
func (s Shape) WorkPerTick() float64 {
	c := &s.Cfg
	n := float64(s.Nodes())
	perNode := float64(s.Points()) / max(n, 1) // key ranges a node owns
	rate := func(every int64) float64 {
		if every <= 0 {
			return 0
		}
		return 1 / float64(every)
	}
	w := 2 + 0.1*n
	w += n * (1.5 + 0.03*n) * rate(c.GossipIntervalTicks)
	w += n * (2 + 0.15*perNode*float64(c.N) + 0.05*float64(int64(1)<<c.MerkleDepth)) * rate(c.AntiEntropyIntervalTicks)
	w += n * 2 * rate(c.HandoffIntervalTicks)
	if c.Workload.Clients > 0 {
		roundTrip := float64(c.Workload.ThinkTicksMax)/2 + 2*float64(c.LatencyMinTicks) + 1
		w += float64(c.Workload.Clients) / roundTrip * (4 + 3*float64(c.N))
	}
	if len(c.Faults.Kinds) > 0 {
		w += (20 + 2*n) * rate(c.Faults.EveryTicks)
	}
	return w
}

// WorkError is a run refused for the work or memory it would take.
type WorkError struct{ Reason string }

func (e *WorkError) Error() string { return e.Reason }

// Work follows a run's commands (rec, ordered by tick) from cfg to tick
// until (or the last command, if later), holding the cluster's shape to lim
// after every command, and returns the estimated work of rebuilding it.
// The error, a *WorkError, says which command makes the cluster too large,
// or how far over lim.Budget the run is and the furthest tick within it.
func (lim Limits) Work(cfg core.Config, rec []core.Recorded, until int64) (float64, error) {
	s := ShapeOf(cfg)
	if err := lim.CheckShape(s); err != nil {
		return 0, &WorkError{err.Error()}
	}
	var work float64
	var at int64
	span := func(to int64) {
		if to > at {
			work += float64(to-at) * s.WorkPerTick()
			at = to
		}
	}
	for i, a := range rec {
		span(a.Tick)
		s.Apply(a.Cmd)
		if err := lim.CheckShape(s); err != nil {
			return work, &WorkError{fmt.Sprintf("command %d (%s at tick %d): %v", i+1, a.Cmd.Kind, a.Tick, err)}
		}
	}
	span(until)
	if work > lim.Budget {
		// The furthest tick within the budget, at the final shape's rate
		// past the last command.
		last := at - int64(math.Ceil((work-lim.Budget)/s.WorkPerTick()))
		return work, &WorkError{fmt.Sprintf("rebuilding it to tick %s would take about %s work units, more than the %s a shared run may take (about %s ticks of this configuration)",
			Thousands(at), Thousands(int64(work)), Thousands(int64(lim.Budget)), Thousands(max(last, 0)))}
	}
	return work, nil
}

// RunWork is Work for a run of a chapter whose preset is p.
func (lim Limits) RunWork(r Run, p Preset) (float64, error) {
	script := r.Script(p)
	rec := make([]core.Recorded, 0, len(script)+len(r.Actions))
	rec = append(append(rec, script...), r.Actions...)
	until := r.Tick
	if until < 0 {
		until = r.OpensAt(p)
	}
	return lim.Work(r.ConfigFor(p), rec, until)
}

// Thousands writes n with commas between groups of three digits.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// CheckNode reports whether the nodes cmd names exist in a cluster of this
// shape, in the core's words; other reasons the core may refuse cmd (a
// node already down, the last node leaving) depend on the run and are
// found when it is rebuilt.
func (s Shape) CheckNode(cmd core.Command) error {
	exists := func(id core.NodeID) error {
		if int(id) >= s.Nodes() {
			return fmt.Errorf("node %v does not exist (nodes are n0..n%d)", id, s.Nodes()-1)
		}
		return nil
	}
	switch cmd.Kind {
	case core.CmdPut, core.CmdGet, core.CmdCrash, core.CmdRestart, core.CmdLeave:
		return exists(cmd.Node)
	case core.CmdAntiEntropy:
		if err := exists(cmd.Node); err != nil {
			return err
		}
		if cmd.PeerSet || cmd.Peer != 0 {
			return exists(cmd.Peer)
		}
	case core.CmdPartition:
		for _, g := range cmd.Groups {
			for _, id := range g {
				if err := exists(id); err != nil {
					return fmt.Errorf("partition: %w", err)
				}
			}
		}
	case core.CmdSet:
		if name, ok := strings.CutPrefix(cmd.Param, "skew:"); ok {
			if n, err := strconv.Atoi(strings.TrimPrefix(name, "n")); err == nil && n >= s.Nodes() {
				return fmt.Errorf("set %s: no such node (nodes are n0..n%d)", cmd.Param, s.Nodes()-1)
			}
		}
	}
	return nil
}

// CheckNodes follows rec from cfg and reports the first command that names
// a node the cluster does not have at its tick (CheckNode).
func CheckNodes(cfg core.Config, rec []core.Recorded) error {
	s := ShapeOf(cfg)
	for i, a := range rec {
		if err := s.CheckNode(a.Cmd); err != nil {
			return fmt.Errorf("action %d (%s at tick %d): %v", i+1, a.Cmd.Kind, a.Tick, err)
		}
		s.Apply(a.Cmd)
	}
	return nil
}
