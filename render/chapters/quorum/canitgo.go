package quorum

import (
	"fmt"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/render/chapters/internal/gowrong"
	"github.com/ringlab/ringlab/render/lab"
)

// The quorums chapter's "Can this go wrong?" searches every schedule of
// the chapter's scenario (a write of the key via the writer, then a read of
// it via the reader, on the chapter's cluster and quorums: any order of the
// messages, any timeout firing early, no crash or partition but the nodes
// crashed on screen, down at the start and free to restart) for a stale
// read.

func newGoWrong() *gowrong.Control {
	return gowrong.New("quorum-gowrong", "Search every schedule of a write via the writer then a read via the reader (any message order, any timeout) for a "+core.PropStale.Describe())
}

// goWrongProblem is the scenario for the configuration on screen.
func goWrongProblem(x *lab.Context) (gowrong.Problem, bool) {
	if x.View == nil {
		return gowrong.Problem{}, false
	}
	_, writer, reader := roles(x)
	sc := goWrongScenario(x.View.KnobsNow(), writer, reader)
	sc.Down = x.View.DownNow()
	return gowrong.Problem{
		Scenario: sc,
		Words:    gowrong.WithDown(fmt.Sprintf("a write via %v then a read via %v (any message order, any timeout)", writer, reader), sc.Down),
		Noun:     "a stale read",
	}, true
}

// goWrongScenario is the chapter's write of its key via writer, then a read
// via reader, for a stale read.
func goWrongScenario(cfg core.Config, writer, reader core.NodeID) explore.Scenario {
	cfg.Workload, cfg.Faults, cfg.Loss = core.Workload{}, core.Faults{}, 0
	script := explore.Script{Groups: [][]explore.Op{
		{{Client: quorumWriter, Node: writer, Kind: core.OpPut, Key: quorumKey, Value: "v1"}},
		{{Client: quorumReader, Node: reader, Kind: core.OpGet, Key: quorumKey}},
	}}
	return explore.Scenario{Config: cfg, Script: script, Property: core.PropStale}
}
