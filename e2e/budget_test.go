package e2e

// Work budgets: input that passes every check must still not freeze or kill the tab. A long
// run command is spread across frames (the lab keeps drawing and answering), a link or replay
// too heavy to rebuild is refused at once, and a change posted right after a load applies to
// the loaded run.

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// jobState is ringlab.state().job.
type jobState struct {
	Title string `json:"title"`
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
}

func TestLongRunCommandKeepsTheTabAnswering(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "#v=1&chapter=summary&seed=2&paused=1")
	tb.mustCommand(t, `{type: "run", value: 1000000}`)
	waitFor(t, tb, `!!ringlab.state().job`, 20*time.Second, "the run command shows as work in progress")
	first := eval[struct {
		Frame int64     `json:"frame"`
		Job   *jobState `json:"job"`
	}](t, tb, `ringlab.state()`)
	// The lab goes on drawing frames while the run goes on: several frames pass with the job
	// still in progress and further along.
	waitFor(t, tb, fmt.Sprintf(`(() => { const s = ringlab.state(); return s.frame >= %d && s.job && s.job.done > %d; })()`,
		first.Frame+10, first.Job.Done), 60*time.Second, "ten more frames drawn while the run goes on")
	tb.screenshot(t, "budget-run-in-progress.png") // the job bar with its progress and Cancel
	if r := tb.command(t, `{type: "cancel"}`); !r.OK {
		t.Fatalf("cancel refused: %s", r.Error)
	}
	waitFor(t, tb, `!ringlab.state().job && ringlab.state().notice.includes("stopped at tick")`, 20*time.Second, "Cancel stops the run")
	if s := tb.state(t); s.Tick <= 0 || s.Tick >= 1_000_000 {
		t.Errorf("after cancel the run is at tick %d", s.Tick)
	}
}

func TestHeavyLinksAndReplaysAreRefusedAtOnce(t *testing.T) {
	requireE2E(t)
	tb := openLab(t, viewport1x, "#v=1&chapter=summary&seed=2&paused=1")
	requireBridge(t, tb, "window", "loadReplay")
	tb.mustCommand(t, `{type: "run", value: 50}`)
	waitFor(t, tb, `ringlab.state().tick === 50 && !ringlab.state().job`, 20*time.Second, "the run reaches tick 50")
	before := tb.state(t)

	// 24 joins of weight 64 at 1024 virtual nodes: once 22 s frozen, then out of memory.
	var acts []string
	for i := range 24 {
		acts = append(acts, fmt.Sprintf("%d:join:weight=64", i))
	}
	link := "#v=1&chapter=summary&nodes=1&vnodes=1024&n=1&w=1&r=1&clients=0&faults=none&a=" + strings.Join(acts, "~")
	eval[chromedp.Void](t, tb, `location.hash = `+strconv.Quote(link))
	waitFor(t, tb, `ringlab.state().notice.includes("Link not opened")`, 20*time.Second, "the growing link is refused")
	if s := tb.state(t); s.Digest != before.Digest || s.Tick != before.Tick {
		t.Errorf("the refused link changed the run: tick %d", s.Tick)
	}

	// Within every static limit, heavy to rebuild: refused by the call, with the estimate.
	replay := `{"format":"ringlab-replay","version":2,"chapter":"summary","seed":1,"tick":100000,` +
		`"config":{"nodes":128,"vnodes":64,"n":3,"w":2,"r":2,"latency_min":1,"latency_max":2,"timeout":40,"gossip_every":1,` +
		`"suspect_after":40,"dead_after":120,"handoff_every":1,"antientropy_every":1,"merkle_depth":2,"seed":1,` +
		`"workload":{"clients":256,"keys":65536,"put_fraction":0.5,"key_prefix":"k"}},"actions":[]}`
	msg := eval[string](t, tb, `ringlab.loadReplay(`+strconv.Quote(replay)+`)`)
	if !strings.Contains(msg, "work units") {
		t.Errorf("loadReplay of a heavy replay: %q, want a refusal with the estimate", msg)
	}
	// A crash of a node that does not exist is refused by the call.
	if r := tb.command(t, `{type: "core", cmd: {kind: "crash", node: 999}}`); r.OK || !strings.Contains(r.Error, "does not exist") {
		t.Errorf("crash n999: %+v", r)
	}
	if s := tb.state(t); s.Digest != before.Digest || s.Tick != before.Tick {
		t.Errorf("the refused inputs changed the run: tick %d", s.Tick)
	}
}

// A load and a set posted in one burst apply in order: the set changes the loaded run.
func TestPostedLoadThenSetApplyInOrder(t *testing.T) {
	requireE2E(t)
	tb := parentPage(t, "embed=1")
	eval[chromedp.Void](t, tb, `send({type: "ringlab:v1:load", state: "#v=1&chapter=quorums&seed=6&tick=2000&paused=1"}); `+
		`send({type: "ringlab:v1:set", param: "nodes", value: 7})`)
	waitFor(t, tb, `(() => { const s = labState(); return s.chapter === "quorums" && s.seed === 6 && s.config.nodes === 7; })()`,
		30*time.Second, "the set applies to the loaded run")
}
