package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/chapters"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

func replayJSON(t *testing.T, args ...string) replayReport {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(append([]string{"replay", "-json"}, args...), &out, &errOut); code != exitOK {
		t.Fatalf("sim replay %v: status %d: %s", args, code, errOut.String())
	}
	var r replayReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("sim replay %v: %v\n%s", args, err, out.String())
	}
	return r
}

// TestReplayMatchesTheLabOnEveryChapter: for every chapter, a run acted on
// in the lab (played, a node crashed, played on, scrubbed back) gives the
// same tick, digest, counters and node states through its link in sim
// replay as the lab shows, and the lab's replay file gives the same too.
func TestReplayMatchesTheLabOnEveryChapter(t *testing.T) {
	idle := &ui.Input{MouseX: -1, MouseY: -1}
	size := lab.Size{W: 1280, H: 800, Scale: 1}
	dir := t.TempDir()
	for _, ch := range chapters.All() {
		id := ch.Info().ID
		l, err := lab.New(chapters.All(), &frame.GoRegular{}, lab.Options{Chapter: id, Seed: 5, Paused: true})
		if err != nil {
			t.Fatal(err)
		}
		l.Update(idle, size)
		var first lab.State
		if err := json.Unmarshal([]byte(l.State()), &first); err != nil {
			t.Fatal(err)
		}
		// n1, or n0 on a page whose run has one node (a node that does
		// not exist is refused by the call).
		crash := fmt.Sprintf(`{"type":"core","cmd":{"kind":"crash","node":%d}}`, min(1, max(len(first.Nodes)-1, 0)))
		for _, c := range []string{`{"type":"run","value":60}`, crash,
			`{"type":"run","value":90}`, `{"type":"seek","value":120}`} {
			if msg := l.Command(c); msg != "" {
				t.Fatalf("%s: %s: %s", id, c, msg)
			}
			l.Update(idle, size)
		}
		var st lab.State
		if err := json.Unmarshal([]byte(l.State()), &st); err != nil {
			t.Fatal(err)
		}
		link := l.Link()
		got := replayJSON(t, "-link", link)
		if got.Digest != st.Digest || got.Tick != st.Tick || got.Chapter != st.Chapter || got.Seed != st.Seed {
			t.Errorf("%s: %s\n sim replay: %s seed %d tick %d digest %s\n the lab:    %s seed %d tick %d digest %s",
				id, link, got.Chapter, got.Seed, got.Tick, got.Digest, st.Chapter, st.Seed, st.Tick, st.Digest)
			continue
		}
		if len(got.Nodes) != len(st.Nodes) || got.Counters.MessagesSent != st.Counters.MessagesSent {
			t.Errorf("%s: %d nodes, %d messages; the lab %d nodes, %d messages", id, len(got.Nodes), got.Counters.MessagesSent, len(st.Nodes), st.Counters.MessagesSent)
		}
		for i, n := range got.Nodes {
			if i < len(st.Nodes) && (n.Status != st.Nodes[i].Status || n.Keys != st.Nodes[i].Keys || n.Hints != st.Nodes[i].Hints) {
				t.Errorf("%s: %s is %s with %d keys; the lab shows %s with %d", id, n.Name, n.Status, n.Keys, st.Nodes[i].Status, st.Nodes[i].Keys)
			}
		}
		f, err := l.Export(lab.ExportReplay)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, id+".json")
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		if fr := replayJSON(t, "-file", path); fr.Digest != st.Digest || fr.Tick != st.Tick || len(fr.Notices) > 0 {
			t.Errorf("%s: the replay file gives tick %d digest %s (notes %v), the lab tick %d digest %s", id, fr.Tick, fr.Digest, fr.Notices, st.Tick, st.Digest)
		}
	}
}

// TestReplayWritesTheLabsExports: -events and -history write the bytes the
// lab's Save menu writes for the same run.
func TestReplayWritesTheLabsExports(t *testing.T) {
	idle := &ui.Input{MouseX: -1, MouseY: -1}
	size := lab.Size{W: 1280, H: 800, Scale: 1}
	l, err := lab.New(chapters.All(), &frame.GoRegular{}, lab.Options{Chapter: "summary", Seed: 2, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	l.Update(idle, size)
	l.Command(`{"type":"run","value":200}`)
	l.Update(idle, size)
	dir := t.TempDir()
	ev, hist := filepath.Join(dir, "events.csv"), filepath.Join(dir, "history.csv")
	replayJSON(t, "-link", l.Link(), "-events", ev, "-history", hist)
	for kind, path := range map[string]string{lab.ExportEvents: ev, lab.ExportHistory: hist} {
		want, err := l.Export(kind)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
		if err != nil || len(rows) < 10 {
			t.Fatalf("%s: %d rows, %v", kind, len(rows), err)
		}
		if !bytes.Equal(got, want.Data) {
			t.Errorf("%s differs from the lab's (%d bytes, the lab %d)", kind, len(got), len(want.Data))
		}
	}
}

func TestReplayUntilAndBadInput(t *testing.T) {
	link := "#v=1&chapter=quorums&seed=7&tick=220"
	early := replayJSON(t, "-link", link, "-until", "100")
	if early.Tick != 100 {
		t.Errorf("-until 100: tick %d", early.Tick)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "exactly one of -link"},
		{[]string{"-link", link, "-file", "x.json"}, "exactly one of -link"},
		{[]string{"-link", "#v=1&chapter=atlantis"}, `no chapter "atlantis"`},
		{[]string{"-link", "#colour=blue"}, "nothing a lab can use"},
		{[]string{"-link", link, "-until", "-5"}, "-until=-5"},
		{[]string{"-file", "/nonexistent/run.json"}, "-file"},
	} {
		var out, errOut bytes.Buffer
		code := run(append([]string{"replay"}, tc.args...), &out, &errOut)
		if code != exitUsage || !strings.Contains(errOut.String(), tc.want) || strings.Count(errOut.String(), "\n") != 1 {
			t.Errorf("%v: status %d, stderr %q; want status 2 and one line about %q", tc.args, code, errOut.String(), tc.want)
		}
	}
	// A link shared before the knobs had one name each still opens, notes
	// nothing, and equals the same link in today's spelling.
	old := replayJSON(t, "-link", "#v=1&chapter=summary&seed=3&tick=300&rr=0&latmin=1&fevery=50")
	now := replayJSON(t, "-link", "#v=1&chapter=summary&seed=3&tick=300&read_repair=0&latency_min=1&fault_every=50")
	if old.Digest != now.Digest || len(old.Notices) > 0 || old.Config.ReadRepair || old.Config.LatencyMinTicks != 1 {
		t.Errorf("old spelling: digest %s notes %v config %+v; new spelling: digest %s", old.Digest, old.Notices, old.Config, now.Digest)
	}
}
