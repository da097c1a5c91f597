package lab

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/spacetime"
	"github.com/ringlab/ringlab/runfmt"
)

// busyLab is a lab with a few recorded actions, paused at tick 120.
func busyLab(t *testing.T) *Lab {
	t.Helper()
	l := newLinkLab(t, Options{Seed: 11, Paused: true})
	l.Update(idle(), desktop)
	run(t, l,
		`{"type":"run","value":10}`,
		`{"type":"core","cmd":{"kind":"put","node":1,"key":"cart","value":"a"}}`,
		`{"type":"run","value":30}`,
		`{"type":"core","cmd":{"kind":"crash","node":2}}`,
		`{"type":"core","cmd":{"kind":"get","node":0,"key":"cart"}}`,
		`{"type":"run","value":80}`,
	)
	return l
}

func export(t *testing.T, l *Lab, kind string) File {
	t.Helper()
	f, err := l.Export(kind)
	if err != nil {
		t.Fatalf("export %s: %v", kind, err)
	}
	return f
}

func TestReplayFileLoadsBackTheSameRun(t *testing.T) {
	l := busyLab(t)
	want := state(t, l)
	f := export(t, l, ExportReplay)
	if f.MIME != "application/json" || !strings.HasSuffix(f.Name, "-replay.json") {
		t.Errorf("file %s %s", f.Name, f.MIME)
	}
	other := newLinkLab(t, Options{Seed: 99, Chapter: "scripted"})
	other.Update(idle(), desktop)
	if msg := other.LoadReplay(f.Data); msg != "" {
		t.Fatalf("LoadReplay: %s\n%s", msg, f.Data)
	}
	other.Update(idle(), desktop)
	got := state(t, other)
	if got.Digest != want.Digest || got.Tick != want.Tick || got.Chapter != want.Chapter || got.Seed != want.Seed {
		t.Fatalf("replayed: %s seed %d tick %d digest %s; want %s seed %d tick %d digest %s",
			got.Chapter, got.Seed, got.Tick, got.Digest, want.Chapter, want.Seed, want.Tick, want.Digest)
	}
	if strings.Contains(got.Notice, "differs") {
		t.Errorf("notice: %s", got.Notice)
	}
	// The replayed run links like the original.
	if other.Link() != l.Link() {
		t.Errorf("links differ:\n%s\n%s", other.Link(), l.Link())
	}
}

func TestBadReplayFilesLeaveTheRunUntouched(t *testing.T) {
	good := string(export(t, busyLab(t), ExportReplay).Data)
	replace := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("the replay has no %q", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	cases := []struct {
		name, file, errOf string
	}{
		{"empty", "", "empty or cut short"},
		{"truncated", good[:len(good)/2], "cut short"},
		{"not JSON", "hello", "not a replay file"},
		{"a JSON array", "[1,2,3]", "not a replay file"},
		{"wrong format", replace(`"ringlab-replay"`, `"something-else"`), "format"},
		{"unknown version", replace(`"version": 3`, `"version": 7`), "version 7"},
		{"seed as text", replace(`"seed": 11`, `"seed": "eleven"`), "not a replay file"},
		{"huge number", replace(`"seed": 11`, `"seed": 1e400`), "not a replay file"},
		{"seed above 2^53", replace(`"seed": 11`, `"seed": 18014398509481984`), "2^53"},
		{"W above N", replace(`"w": 2`, `"w": 9`), "W=9"},
		{"too many nodes", replace(`"nodes": 5`, `"nodes": 4000`), "nodes=4000"},
		{"negative tick", replace(`"tick": 120,`, `"tick": -5,`), "tick=-5"},
		{"absurd tick", replace(`"tick": 120,`, `"tick": 99999999999,`), "tick="},
		{"unknown field", replace(`"chapter"`, `"colour": "red", "chapter"`), "unknown field"},
		{"unknown chapter", replace(`"chapter": "sandbox"`, `"chapter": "atlantis"`), "atlantis"},
		{"unknown command", replace(`"kind":"crash"`, `"kind":"explode"`), "explode"},
		{"refused command", replace(`"kind":"crash","node":2`, `"kind":"crash","node":40`), "n40"},
		{"actions out of order", replace(`{"tick":10,`, `{"tick":100,`), "before"},
		{"deep nesting", `{"format":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, "not a replay file"},
		{"trailing data", good + "{}", "after the JSON"},
		{"oversized", good + strings.Repeat(" ", runfmt.ReplayBytesMax), "larger than"},
	}
	l := busyLab(t)
	before := state(t, l)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := l.LoadReplay([]byte(tc.file))
			if msg == "" || !strings.Contains(msg, tc.errOf) || strings.Contains(msg, "\n") {
				t.Errorf("LoadReplay: %q, want one line about %q", msg, tc.errOf)
			}
			l.Update(idle(), desktop)
			if s := state(t, l); s.Digest != before.Digest || s.Tick != before.Tick || s.Chapter != before.Chapter {
				t.Errorf("the run changed: tick %d digest %s", s.Tick, s.Digest)
			}
		})
	}
}

func FuzzLoadReplay(f *testing.F) {
	l, err := New([]Chapter{newRingChapter()}, measure, Options{Seed: 1, Paused: true})
	if err != nil {
		f.Fatal(err)
	}
	l.Update(idle(), desktop)
	good, _ := l.Export(ExportReplay)
	f.Add(good.Data)
	f.Add([]byte(`{"format":"ringlab-replay","version":1,"chapter":"sandbox","seed":1,"tick":5,"config":{"nodes":2,"vnodes":2,"n":2,"w":1,"r":1,"timeout":5},"actions":[{"tick":1,"cmd":{"kind":"partition","groups":[[0],[1]]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := runfmt.ParseReplay(data)
		if err != nil {
			return
		}
		if r.Tick > 3000 || len(r.Actions) > 0 && r.Actions[len(r.Actions)-1].Tick > 3000 {
			return // valid but slow to replay; the limits are tested elsewhere
		}
		if msg := l.LoadReplay(data); msg == "" {
			l.Update(idle(), desktop)
			if l.Timeline().Now() != r.Tick {
				t.Fatalf("loaded replay at tick %d, want %d", l.Timeline().Now(), r.Tick)
			}
		}
	})
}

func TestCSVExports(t *testing.T) {
	l := busyLab(t)
	ev := export(t, l, ExportEvents)
	rows, err := csv.NewReader(bytes.NewReader(ev.Data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	trace, _ := l.context().RunTrace()
	if len(rows) != len(trace)+1 || rows[0][0] != "seq" || rows[0][2] != "kind" {
		t.Fatalf("events.csv: %d rows with header %v, want %d events", len(rows), rows[0], len(trace))
	}
	kinds := map[string]bool{}
	for _, r := range rows[1:] {
		kinds[r[2]] = true
		if r[len(r)-1] == "" {
			t.Fatalf("row without text: %v", r)
		}
	}
	for _, k := range []string{"msg_send", "request_start", "node_state"} {
		if !kinds[k] {
			t.Errorf("events.csv has no %s event", k)
		}
	}
	h := export(t, l, ExportHistory)
	rows, err = csv.NewReader(bytes.NewReader(h.Data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	hist := l.Timeline().Cluster().History()
	if len(rows) != len(hist)+1 || rows[0][0] != "request" {
		t.Fatalf("history.csv: %d rows for %d operations", len(rows), len(hist))
	}
	found := false
	for _, r := range rows[1:] {
		found = found || r[2] == "put" && r[3] == "cart" && r[4] == "n1" && r[5] == "a" && r[7] == "10"
	}
	if !found {
		t.Errorf("history.csv has no row for the put of cart=a through n1 at tick 10:\n%s", h.Data)
	}
	if _, err := l.Export("gif"); err == nil {
		t.Error("an unknown kind was exported")
	}
	if f, err := l.Export(ExportPNG); err != ErrPNGFromHost || f.MIME != "image/png" {
		t.Errorf("png: %v %+v", err, f)
	}
}

// The Save menu's ShiViz log is the run's retained trace as ShiViz reads
// it: its expression, then a description and "HOST {clock}" per event,
// one entry of the sending node's for every message sent.
func TestShiVizExportIsTheRunsTrace(t *testing.T) {
	l := busyLab(t)
	f := export(t, l, ExportShiViz)
	if f.MIME != "text/plain" || !strings.HasSuffix(f.Name, "-shiviz.log") {
		t.Errorf("file %s %s", f.Name, f.MIME)
	}
	text, ok := strings.CutPrefix(string(f.Data), spacetime.ShiVizRegexp+"\n\n")
	if !ok {
		t.Fatalf("no ShiViz header: %.100q", f.Data)
	}
	evs, err := l.context().RunTrace()
	if err != nil {
		t.Fatal(err)
	}
	sends := 0
	for _, e := range evs {
		if e.Kind == core.EvMsgSend {
			sends++
		}
	}
	if got := strings.Count(text, "\n") / 2; sends == 0 || got < sends {
		t.Errorf("%d entries in the log for a trace with %d sends", got, sends)
	}
}
