package experiments_test

import (
	"testing"

	"github.com/ringlab/ringlab/render/chapters"
	"github.com/ringlab/ringlab/render/chapters/experiments"
	"github.com/ringlab/ringlab/render/chapters/measureit"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// TestChapterLinksOpenTheirExperiment: with the lab's real chapter list,
// each chapter's "Measure it" button is among its controls on screen and
// opens the experiments page on the experiment that measures its claim.
func TestChapterLinksOpenTheirExperiment(t *testing.T) {
	size := lab.Size{W: 1280, H: 800, Scale: 1}
	idle := &ui.Input{MouseX: -1, MouseY: -1}
	for _, tc := range []struct{ chapter, experiment string }{
		{"naive-hashing", "movement"},
		{"consistent-hashing", "movement"},
		{"virtual-nodes", "balance"},
		{"virtual-nodes", "dynamo"},
		{"replication", "availability"},
		{"quorums", "staleness"},
		{"quorums", "latency"},
		{"versioning", "conflicts"},
		{"merkle", "merkle"},
		{"failures", "gossip"},
	} {
		l, err := lab.New(chapters.All(), &frame.GoRegular{}, lab.Options{Chapter: tc.chapter, Seed: 1, Paused: true})
		if err != nil {
			t.Fatal(err)
		}
		l.Update(idle, size)
		if got := l.Chapter().Info().ID; got != tc.chapter {
			t.Fatalf("%s: the lab opened %q", tc.chapter, got)
		}
		if msg := l.Command(`{"type":"press","value":"measure-` + tc.experiment + `"}`); msg != "" {
			t.Fatal(msg)
		}
		l.Update(idle, size)
		l.Update(idle, size)
		page, ok := l.Chapter().(*experiments.Page)
		if !ok {
			t.Errorf("%s: measure-%s opened %q (notice %q)", tc.chapter, tc.experiment, l.Chapter().Info().ID, l.Notice())
			continue
		}
		if got := page.Experiment(); got != tc.experiment {
			t.Errorf("%s: measure-%s shows experiment %q", tc.chapter, tc.experiment, got)
		}
	}
}

// TestExperimentsPageComesLast: the page follows the ten chapters.
func TestExperimentsPageComesLast(t *testing.T) {
	all := chapters.All()
	if got := all[len(all)-1].Info().ID; got != experiments.ID {
		t.Errorf("last page is %q, want %q", got, experiments.ID)
	}
}

// TestOpenChapterRefuses: an unknown experiment, or a chapter without
// items, is refused with a reason and the lab stays where it was.
func TestOpenChapterRefuses(t *testing.T) {
	size := lab.Size{W: 1280, H: 800, Scale: 1}
	l, err := lab.New(chapters.All(), &frame.GoRegular{}, lab.Options{Chapter: "naive-hashing", Seed: 1, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	l.Update(&ui.Input{MouseX: -1, MouseY: -1}, size)
	for _, tc := range []struct{ name, id, item string }{
		{"unknown experiment", experiments.ID, "warp-drive"},
		{"chapter without items", "quorums", "staleness"},
		{"unknown chapter", "chapter-99", "movement"},
	} {
		if err := l.OpenChapter(tc.id, tc.item); err == nil {
			t.Errorf("%s: OpenChapter(%q, %q) accepted", tc.name, tc.id, tc.item)
		}
	}
	l.Update(&ui.Input{MouseX: -1, MouseY: -1}, size)
	if got := l.Chapter().Info().ID; got != "naive-hashing" {
		t.Errorf("after refused opens the lab shows %q", got)
	}
}

// TestMeasureLinksNameThisPage: the chapters' links (package measureit)
// open this page by its ID, on experiments its menu has, with the menu's
// wording.
func TestMeasureLinksNameThisPage(t *testing.T) {
	if measureit.PageID != experiments.ID {
		t.Errorf("links open %q, the page is %q", measureit.PageID, experiments.ID)
	}
	for _, name := range measureit.Experiments() {
		menu, ok := experiments.ShortName(name)
		link, _ := measureit.ShortName(name)
		if !ok || menu != link {
			t.Errorf("experiment %q: the menu says %q (found %v), the links %q", name, menu, ok, link)
		}
	}
}
