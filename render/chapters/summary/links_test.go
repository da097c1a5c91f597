package summary_test

import (
	"testing"

	"github.com/ringlab/ringlab/render/chapters"
	"github.com/ringlab/ringlab/render/chapters/summary"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// TestEveryRowLeadsToItsChapter: with the lab's real chapter list, each row
// of the summary table names an existing chapter, and its button opens it.
func TestEveryRowLeadsToItsChapter(t *testing.T) {
	size := lab.Size{W: 1280, H: 800, Scale: 1}
	idle := &ui.Input{MouseX: -1, MouseY: -1}
	for i, row := range summary.Rows {
		l, err := lab.New(chapters.All(), &frame.GoRegular{}, lab.Options{Chapter: summary.ID, Seed: 1, Paused: true})
		if err != nil {
			t.Fatal(err)
		}
		l.Update(idle, size)
		ch, ok := l.Chapter().(*summary.Chapter)
		if !ok {
			t.Fatalf("chapter %q is a %T", summary.ID, l.Chapter())
		}
		ch.ShowTable()
		l.Update(idle, size)
		if msg := l.Command(`{"type":"press","value":"summary-link-` + itoa(i) + `"}`); msg != "" {
			t.Fatal(msg)
		}
		l.Update(idle, size)
		l.Update(idle, size)
		if got := l.Chapter().Info().ID; got != row.ChapterID {
			t.Errorf("row %d %q opened %q, want %q (notice: %q)", i, row.Concern, got, row.ChapterID, l.Notice())
		}
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

// TestRowsFollowTheChapterOrder: the table reads in the order of the
// lab's chapters (the chapter list and the numbers the rows show).
func TestRowsFollowTheChapterOrder(t *testing.T) {
	index := map[string]int{}
	for i, ch := range chapters.All() {
		index[ch.Info().ID] = i
	}
	for i := 1; i < len(summary.Rows); i++ {
		a, b := summary.Rows[i-1], summary.Rows[i]
		if index[a.ChapterID] >= index[b.ChapterID] {
			t.Errorf("row %d (chapter %d, %s) comes after row %d (chapter %d, %s)",
				i+1, index[b.ChapterID]+1, b.ChapterID, i, index[a.ChapterID]+1, a.ChapterID)
		}
	}
}
