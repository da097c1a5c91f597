package repair

import (
	"fmt"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/render/chapters/internal/gowrong"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// The versioning chapter's "Can this go wrong?" searches every schedule of
// the chapter's story cut to its core: the left and the right client write
// the cart at the same time through different coordinators, on a cluster of
// just the key's replicas with the chapter's versioning, for an
// acknowledged write that no replica keeps once the messages have settled.
// Vector clocks keep both writes (as siblings); last-write-wins keeps one.

// goWrongRight is the right client's coordinator in the search's smaller
// cluster (the chapter's n3 is not in it).
const goWrongRight core.NodeID = 2

func newGoWrong() *gowrong.Control {
	return gowrong.New("versioning-gowrong", "Search every schedule of two concurrent writes of the cart on its replicas alone (any message order, any timeout) for a "+core.PropLost.Describe())
}

// goWrongProblem is the scenario for the versioning on screen.
func goWrongProblem(x *lab.Context) (gowrong.Problem, bool) {
	if x.View == nil {
		return gowrong.Problem{}, false
	}
	cfg := x.View.KnobsNow()
	key := currentKey(x.View)
	sc := goWrongScenario(cfg, key)
	mode := "vector clocks"
	if cfg.Versioning == core.LWW {
		mode = "last-write-wins"
	}
	return gowrong.Problem{
		Scenario: sc,
		Words: fmt.Sprintf("two concurrent writes of %s via n0 and %v on its %d replicas with %s (any message order, any timeout)",
			key, goWrongRight, sc.Config.Nodes, mode),
		Noun: "a lost acknowledged write",
	}, true
}

// goWrongScenario is the left and right clients' concurrent writes of key,
// on a cluster of the key's N replicas and nothing else (the other nodes
// only multiply the schedules), for a lost write.
func goWrongScenario(cfg core.Config, key string) explore.Scenario {
	cfg.Workload, cfg.Faults, cfg.Loss = core.Workload{}, core.Faults{}, 0
	cfg.Nodes = cfg.N
	cfg.Weights = cfg.Weights[:min(len(cfg.Weights), cfg.Nodes)]
	cfg.SkewTicks = cfg.SkewTicks[:min(len(cfg.SkewTicks), cfg.Nodes)]
	script := explore.Script{Groups: [][]explore.Op{{
		{Client: leftClient, Node: leftCoord, Kind: core.OpPut, Key: key, Value: "left"},
		{Client: rightClient, Node: goWrongRight, Kind: core.OpPut, Key: key, Value: "right"},
	}}}
	return explore.Scenario{Config: cfg, Script: script, Property: core.PropLost}
}

// goWrongWidgets are the control's buttons.
func (c *Versioning) goWrongWidgets(x *lab.Context) []ui.Widget {
	if c.goWrong == nil {
		c.goWrong = newGoWrong()
	}
	p, ok := goWrongProblem(x)
	return c.goWrong.Widgets(x, p, ok)
}
