package summary

import (
	"slices"
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/render/chapters/internal/gowrong"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// The summary's "Can this go wrong?" asks of the knobs on screen (N, W, R,
// the mode, the versioning, read repair, the clocks' skew) and of its fault
// injector whether a read that begins after a write was acknowledged can
// miss it: a client writes a key via n0, then another reads it via n1, with
// every message order and timeout, and at most one of each fault the
// injector is set to inject (a partition, a crash, a dropped message); the
// nodes crashed on screen are down at the start, free to restart.

func newGoWrong() *gowrong.Control {
	return gowrong.New("summary-gowrong", "Search every schedule of a write via n0 then a read via n1, with the knobs and faults on screen, for a "+core.PropStale.Describe())
}

func goWrongProblem(x *lab.Context) (gowrong.Problem, bool) {
	if x.View == nil || len(x.View.Nodes) < 2 {
		return gowrong.Problem{}, false
	}
	cfg := x.View.KnobsNow()
	var budget explore.Budget
	var faults []string
	has := func(k core.FaultKind) bool { return slices.Contains(cfg.Faults.Kinds, k) }
	if has(core.FaultPartition) {
		budget.Partitions = 1
		faults = append(faults, "a partition")
	}
	if has(core.FaultCrash) {
		budget.Crashes = 1
		faults = append(faults, "a crash")
	}
	if has(core.FaultLoss) || cfg.Loss > 0 {
		budget.Drops = 1
		faults = append(faults, "a lost message")
	}
	if len(faults) == 0 {
		faults = []string{"no fault"}
	}
	cfg.Workload, cfg.Faults, cfg.Loss = core.Workload{}, core.Faults{}, 0
	n0, n1 := x.View.Nodes[0].ID, x.View.Nodes[1].ID
	script := explore.Script{Groups: [][]explore.Op{
		{{Client: 1, Node: n0, Kind: core.OpPut, Key: "k", Value: "v1"}},
		{{Client: 2, Node: n1, Kind: core.OpGet, Key: "k"}},
	}}
	down := x.View.DownNow()
	return gowrong.Problem{
		Scenario: explore.Scenario{Config: cfg, Script: script, Budget: budget, Property: core.PropStale, Down: down},
		Words:    gowrong.WithDown("a write via "+n0.String()+" then a read via "+n1.String()+" (any message order, any timeout, "+strings.Join(faults, ", ")+")", down),
		Noun:     "a stale read",
	}, true
}

// goWrongWidgets are the control's buttons for this frame.
func (c *Chapter) goWrongWidgets(x *lab.Context) []ui.Widget {
	if c.goWrong == nil {
		c.goWrong = newGoWrong()
	}
	p, ok := goWrongProblem(x)
	return c.goWrong.Widgets(x, p, ok)
}

func (c *Chapter) updateGoWrong(x *lab.Context) {
	if c.goWrong != nil {
		p, ok := goWrongProblem(x)
		c.goWrong.Update(x, p, ok)
	}
}
