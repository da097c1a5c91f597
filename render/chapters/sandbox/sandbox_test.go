package sandbox

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/chapters/internal/chaptertest"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
)

func TestWriteButtonSendsAPut(t *testing.T) {
	l := chaptertest.Open(t, []lab.Chapter{New()}, "sandbox", 2)
	sb := l.Chapter().(*Sandbox)
	sb.write.OnClick()
	if got := l.Timeline().Recorded(); len(got) != 1 || got[0].Cmd.Kind != core.CmdPut {
		t.Fatalf("recorded %+v, want one put", got)
	}
	l.Command(`{"type":"play"}`)
	for range 60 {
		l.Update(chaptertest.Idle(), chaptertest.Desktop)
	}
	var s lab.State
	if err := json.Unmarshal([]byte(l.State()), &s); err != nil {
		t.Fatal(err)
	}
	if c := s.Counters; c.PutsOK+c.PutsFailed == 0 {
		t.Errorf("the put never finished: %+v", c)
	}
}

// TestLegendWrapsRatherThanDrops: where the legend does not fit one row,
// the message kinds move to a second row instead of disappearing.
func TestLegendWrapsRatherThanDrops(t *testing.T) {
	for _, sz := range []lab.Size{chaptertest.Desktop, {W: 800, H: 700, Scale: 1}} {
		l := chaptertest.Open(t, []lab.Chapter{New()}, "sandbox", 1)
		l.Update(chaptertest.Idle(), sz)
		at := map[string]float32{}
		for _, tx := range l.Frame().Layers[frame.LayerScene].Texts {
			at[tx.S] = tx.Y
		}
		for _, s := range append(append([]string{}, legendNodes...), legendMessages...) {
			if _, ok := at[s]; !ok {
				t.Errorf("%vx%v: legend entry %q missing", sz.W, sz.H, s)
			}
		}
		twoRows := at[legendNodes[0]] != at[legendMessages[0]]
		if want := sz.W < 1000; twoRows != want {
			t.Errorf("%vx%v: legend in two rows %v, want %v", sz.W, sz.H, twoRows, want)
		}
	}
}

// TestStatusLinesSayWhatIsInFlight: the status line counts the nodes, keys
// and messages of the run on screen.
func TestStatusLinesSayWhatIsInFlight(t *testing.T) {
	l := chaptertest.Open(t, []lab.Chapter{New()}, "sandbox", 1)
	l.Command(`{"type":"run","value":40}`)
	l.Update(chaptertest.Idle(), chaptertest.Desktop)
	v := l.View()
	want := "Tick 40 · 5 nodes"
	found := false
	for _, tx := range l.Frame().Layers[frame.LayerScene].Texts {
		if len(tx.S) >= len(want) && tx.S[:len(want)] == want {
			found = true
		}
	}
	if !found || v.Tick != 40 {
		t.Errorf("no status line starting %q at tick %d", want, v.Tick)
	}
}

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestSmallFramePictureGolden: the sandbox's picture in a small window (the
// ring's labels, the status line and the legend), as text.
func TestSmallFramePictureGolden(t *testing.T) {
	l := chaptertest.Open(t, []lab.Chapter{New()}, "sandbox", 1)
	l.Update(chaptertest.Idle(), lab.Size{W: 1024, H: 700, Scale: 1})
	var buf bytes.Buffer
	sc := l.Frame().Layers[frame.LayerScene]
	fmt.Fprintf(&buf, "layer scene: %d batches\n", len(sc.Batches()))
	for _, tx := range sc.Texts {
		fmt.Fprintf(&buf, "  %q at (%.0f,%.0f) %.0fpx\n", tx.S, tx.X, tx.Y, tx.Size)
	}
	golden := "testdata/small_frame.golden"
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("picture differs from %s:\n--- got\n%s", golden, buf.Bytes())
	}
}
