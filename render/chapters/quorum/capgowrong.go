package quorum

import (
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/render/chapters/internal/gowrong"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// The CAP chapter asks "Can CP go wrong?" and "Can AP go wrong?": each
// searches every schedule of a write of the chapter's key via a node of the
// majority, then a read of it via a node the split button cuts off, on that
// cluster's configuration, with any message order, any timeout and one
// partition of any split, for a stale read. CP's answer is an exhaustive
// no (its reads fail rather than go stale); AP's is yes, and Show me opens
// the schedule as the chapter's run.

// capWriter and capReader are the nodes the searched write and read go to:
// one of the key's replicas, and a node the split cuts off.
const (
	capWriter core.NodeID = 2
	capReader core.NodeID = 0
)

// capPanelNames name the panels' clusters: 0 CP, 1 AP.
var capPanelNames = [2]string{"CP", "AP"}

func newCAPGoWrong(panel int) *gowrong.Control {
	name := capPanelNames[panel]
	return gowrong.NewAsking("cap-gowrong-"+strings.ToLower(name), "Can "+name+" go wrong?",
		"Search every schedule of a write via "+capWriter.String()+" then a read via "+capReader.String()+
			" on the "+name+" cluster (any message order, any timeout, one partition) for a "+core.PropStale.Describe())
}

// goWrongProblem is the search for panel p's cluster as it is configured
// now.
func (c *CAP) goWrongProblem(x *lab.Context, p int) (gowrong.Problem, bool) {
	if x.View == nil {
		return gowrong.Problem{}, false
	}
	cfg := x.View.Config
	if c.clusterOfPanel(p) == 1 {
		if c.twin.c == nil {
			return gowrong.Problem{}, false
		}
		cfg = c.twin.c.Config()
	}
	if nodeOf(x.View, capWriter) == nil || nodeOf(x.View, capReader) == nil {
		return gowrong.Problem{}, false
	}
	cfg.Workload, cfg.Faults, cfg.Loss = core.Workload{}, core.Faults{}, 0
	script := explore.Script{Groups: [][]explore.Op{
		{{Client: capClientRight, Node: capWriter, Kind: core.OpPut, Key: c.key, Value: "v1"}},
		{{Client: capClientLeft, Node: capReader, Kind: core.OpGet, Key: c.key}},
	}}
	// The twin replays the run's commands: its nodes are down where the
	// run's are.
	down := x.View.DownNow()
	return gowrong.Problem{
		Scenario: explore.Scenario{Config: cfg, Script: script, Budget: explore.Budget{Partitions: 1}, Property: core.PropStale, Down: down},
		Words: gowrong.WithDown("a write of "+c.key+" via "+capWriter.String()+" then a read via "+capReader.String()+
			" on the "+capPanelNames[p]+" cluster (any message order, any timeout, one partition)", down),
		Noun: "a stale read",
	}, true
}

// goWrongWidgets are both questions' buttons for this frame, CP's first.
func (c *CAP) goWrongWidgets(x *lab.Context) []ui.Widget {
	var out []ui.Widget
	for p := range c.goWrong {
		if c.goWrong[p] == nil {
			c.goWrong[p] = newCAPGoWrong(p)
		}
		prob, ok := c.goWrongProblem(x, p)
		out = append(out, c.goWrong[p].Widgets(x, prob, ok)...)
	}
	return out
}

// updateGoWrong advances a search under way by one slice: CP's first when
// both were asked, so that a frame gives the searches one slice of time in
// all (AP's waits, its button showing no progress yet).
func (c *CAP) updateGoWrong(x *lab.Context) {
	for p, g := range c.goWrong {
		if g != nil && g.Searching() {
			prob, ok := c.goWrongProblem(x, p)
			g.Update(x, prob, ok)
			return
		}
	}
}
