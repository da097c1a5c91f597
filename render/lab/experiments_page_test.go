package lab_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/chapters"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// TestExperimentsPageThroughCommands drives the real experiments page the
// way the browser test does, without a browser: open it on one experiment
// by command, run its sweep with the Run button, follow State.Page to the
// end, switch to the table and export it; and its link reopens it.
func TestExperimentsPageThroughCommands(t *testing.T) {
	size := lab.Size{W: 1280, H: 800, Scale: 1}
	idle := &ui.Input{MouseX: -1, MouseY: -1}
	l, err := lab.New(chapters.All(), &frame.GoRegular{}, lab.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	command := func(c string) {
		t.Helper()
		if msg := l.Command(c); msg != "" {
			t.Fatalf("%s refused: %s", c, msg)
		}
		l.Update(idle, size)
	}
	state := func() lab.State {
		t.Helper()
		var s lab.State
		if err := json.Unmarshal([]byte(l.State()), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	l.Update(idle, size)
	command(`{"type":"chapter","value":"experiments","item":"balance"}`)
	if s := state(); s.Chapter != "experiments" || s.Page == nil || s.Page.Item != "balance" || s.Page.Running || s.Page.Done {
		t.Fatalf("opened %q with page %+v; want the experiments page on balance, idle", s.Chapter, s.Page)
	}
	if _, err := l.Export(lab.ExportTableCSV); err == nil {
		t.Error("a table was exported before any sweep")
	}
	command(`{"type":"chapter","value":"experiments","item":"movement"}`)
	command(`{"type":"press","value":"exp-run"}`)
	frames := 0
	for s := state(); !s.Page.Done; s = state() {
		if !s.Page.Running || s.Page.Progress < 0 || s.Page.Progress > 1 {
			t.Fatalf("frame %d: page %+v; want a running sweep", frames, s.Page)
		}
		if frames++; frames > 10_000 {
			t.Fatalf("the movement sweep is not done after %d frames: %+v", frames, s.Page)
		}
		l.Update(idle, size)
	}
	if s := state(); s.Page.Item != "movement" || s.Page.Progress != 1 || s.Page.Running {
		t.Errorf("after the sweep: %+v", s.Page)
	}
	t.Logf("the movement sweep took %d frames", frames)

	command(`{"type":"tab","value":"table"}`)
	var texts strings.Builder
	for _, ly := range l.Frame().Layers {
		for _, tx := range ly.Texts {
			texts.WriteString(tx.S + "\n")
		}
	}
	if !strings.Contains(texts.String(), "sim sweep -experiment movement") {
		t.Errorf("tab table: the table view's command line is not on screen")
	}

	f, err := l.Export(lab.ExportTableCSV)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(f.Data)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("table.csv %s: %d rows, %v", f.Name, len(rows), err)
	}
	if h := strings.Join(rows[0], ","); !strings.HasPrefix(h, "nodes (nodes),modulo_moved (fraction of keys),") || !strings.Contains(h, "ring_moved (fraction of keys)") {
		t.Errorf("table.csv header %q", h)
	}
	j, err := l.Export(lab.ExportTableJSON)
	if err != nil || !json.Valid(j.Data) || !strings.HasSuffix(j.Name, ".json") {
		t.Errorf("table.json %q: valid %v, %v", j.Name, json.Valid(j.Data), err)
	}

	link := l.Link()
	if !strings.Contains(link, "&item=movement") {
		t.Fatalf("link %q does not name the experiment", link)
	}
	l2, err := lab.New(chapters.All(), &frame.GoRegular{}, lab.OptionsFromFragment(link, lab.Options{Seed: 1}))
	if err != nil {
		t.Fatal(err)
	}
	l2.Update(idle, size)
	var s2 lab.State
	if err := json.Unmarshal([]byte(l2.State()), &s2); err != nil {
		t.Fatal(err)
	}
	if s2.Chapter != "experiments" || s2.Page == nil || s2.Page.Item != "movement" || s2.Notice != "" {
		t.Errorf("the link opened %q with page %+v and notice %q", s2.Chapter, s2.Page, s2.Notice)
	}
}
