//go:build !js

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ringlab/ringlab/render/chapters"
)

// simBinary builds cmd/sim once into a temporary directory.
var simBinary struct {
	once sync.Once
	path string
	err  error
}

func buildSim(t *testing.T) string {
	t.Helper()
	simBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "ringlab-sim-")
		if err != nil {
			simBinary.err = err
			return
		}
		simBinary.path = filepath.Join(dir, "sim")
		cmd := exec.Command("go", "build", "-o", simBinary.path, "./cmd/sim")
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			simBinary.err = fmt.Errorf("go build ./cmd/sim: %v\n%s", err, out)
		}
	})
	if simBinary.err != nil {
		t.Fatal(simBinary.err)
	}
	return simBinary.path
}

// TestSimReplayMatchesTheBrowser: for every chapter, a run acted on in the
// browser (played, a node crashed, played on) gives, through the link the
// page hands out (ringlab.link()), the same tick and trace digest in
// `sim replay` as ringlab.state() shows.
func TestSimReplayMatchesTheBrowser(t *testing.T) {
	requireE2E(t)
	sim := buildSim(t)
	tb := openLab(t, viewport1x, "#v=1&seed=4&paused=1")
	defer tb.close()
	requireBridge(t, tb, "window", "link")
	for _, ch := range chapters.All() {
		id := ch.Info().ID
		tb.mustCommand(t, fmt.Sprintf(`{type: "chapter", value: %q}`, id))
		waitFor(t, tb, fmt.Sprintf(`ringlab.state().chapter === %q`, id), 30*time.Second, "the lab opens "+id)
		tb.pause(t)
		start := tb.state(t)
		// n1, or n0 on a page whose run has one node (a node that does not
		// exist is refused by the call).
		crash := fmt.Sprintf(`{type: "core", cmd: {kind: "crash", node: %d}}`, min(1, max(len(start.Nodes)-1, 0)))
		tb.runCommands(t, `{type: "run", value: 50}`, crash, `{type: "run", value: 70}`)
		waitFor(t, tb, fmt.Sprintf(`ringlab.state().tick === %d`, start.Tick+120), 30*time.Second, id+": the commands are applied")
		st := tb.state(t)
		link := eval[string](t, tb, `ringlab.link()`)
		out, err := exec.Command(sim, "replay", "-json", "-link", link).Output()
		if err != nil {
			t.Fatalf("%s: sim replay -link %s: %v", id, link, err)
		}
		var got struct {
			Chapter string `json:"chapter"`
			Tick    int64  `json:"tick"`
			Digest  string `json:"digest"`
			Nodes   []struct {
				Status string `json:"status"`
			} `json:"nodes"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%s: %v\n%s", id, err, out)
		}
		if got.Chapter != st.Chapter || got.Tick != st.Tick || got.Digest != st.Digest {
			t.Errorf("%s: %s\n sim replay: %s tick %d digest %s\n browser:    %s tick %d digest %s",
				id, link, got.Chapter, got.Tick, got.Digest, st.Chapter, st.Tick, st.Digest)
			continue
		}
		for i, n := range got.Nodes {
			if i < len(st.Nodes) && n.Status != st.Nodes[i].Status {
				t.Errorf("%s: node %d is %s in sim replay, %s in the browser", id, i, n.Status, st.Nodes[i].Status)
			}
		}
		t.Logf("%s: tick %d digest %s", id, st.Tick, st.Digest)
	}
}
