package lab

import (
	"fmt"
	"math"
)

// Opener is implemented by a page that can be opened on one of its items:
// the experiments page on one experiment ("movement").
type Opener interface {
	// Open makes item the page's current item. It is called before the
	// page becomes current, so the page's Enter sees it. An unknown item
	// is an error and changes nothing.
	Open(item string) error
}

// OpenChapter makes the chapter with this ID current at the start of the
// next frame, as GoToChapter does, showing item: the chapter must
// implement Opener and accept the item. A chapter's link to the
// experiment that measures its claim uses it. On an error nothing changes.
func (x *Context) OpenChapter(id, item string) error {
	return x.lab.OpenChapter(id, item)
}

// OpenChapter is Context.OpenChapter for the page: it makes the chapter
// with this ID current at the start of the next frame, on item. Call it
// from the frame loop (between Updates), like the other methods of Lab.
func (l *Lab) OpenChapter(id, item string) error {
	i, err := l.chapterIndex(id)
	if err != nil {
		return err
	}
	if err := l.openItem(i, item); err != nil {
		return err
	}
	l.enqueue(action{kind: "chapter", chapter: id})
	return nil
}

// Exporter is implemented by pages that offer files. ExportFiles returns
// the files for what the page shows now (nil when it has none): at most one
// CSV and one JSON file (told apart by the name's extension), the same
// table in both; the Save menu and exportFile offer them as ExportTableCSV
// and ExportTableJSON. Names have no directories ("movement-movement.csv");
// the bytes are the page's own copy and are not changed afterwards.
type Exporter interface {
	ExportFiles() []File
}

// Exports are the files the current chapter offers (nil when it offers
// none): what Export gives for ExportTableCSV and ExportTableJSON. Call it
// from the frame loop, like the other methods of Lab. A PNG of the view is
// the lab's frame capture, not an export of the chapter.
func (l *Lab) Exports() []File {
	if e, ok := l.Chapter().(Exporter); ok {
		return e.ExportFiles()
	}
	return nil
}

// PageReporter is implemented by a page with items and work of its own
// (the experiments page: the experiment shown and its sweep). The lab
// puts the status in State.Page, and, when the page is also an Opener,
// the item in the run's link (item=...), so that the link reopens it.
type PageReporter interface {
	PageStatus() PageStatus
}

// PageStatus is a page's report on the item it shows.
type PageStatus struct {
	// Item is the item shown, as Opener.Open takes it ("movement"); "" for
	// none.
	Item string `json:"item"`
	// Running is true while the shown item's work is in progress.
	Running bool `json:"running"`
	// Progress is the fraction of the shown item's work done, from 0 to 1
	// (0 before any; where a cancelled run stopped).
	Progress float64 `json:"progress"`
	// Done is true once the shown item's work has finished whole (not
	// cancelled): its result is complete.
	Done bool `json:"done"`
}

// PageState is State.Page: the current page's ID and status.
type PageState struct {
	ID string `json:"id"`
	PageStatus
}

// pageState is the current chapter's PageState, or nil when it reports
// none.
func (l *Lab) pageState() *PageState {
	r, ok := l.Chapter().(PageReporter)
	if !ok {
		return nil
	}
	st := r.PageStatus()
	st.Progress = math.Round(min(max(st.Progress, 0), 1)*1000) / 1000
	return &PageState{ID: l.Chapter().Info().ID, PageStatus: st}
}

// pageItem is the item a link to the current chapter carries: the item
// it shows, for a chapter that can be opened on one (Opener) and says
// which (PageReporter); "" otherwise.
func (l *Lab) pageItem() string {
	ch := l.Chapter()
	if _, ok := ch.(Opener); !ok {
		return ""
	}
	if r, ok := ch.(PageReporter); ok {
		return r.PageStatus().Item
	}
	return ""
}

// openItem opens chapter idx's item before the chapter becomes current.
func (l *Lab) openItem(idx int, item string) error {
	o, ok := l.chapters[idx].(Opener)
	if !ok {
		return fmt.Errorf("chapter %q has no items to open", l.chapters[idx].Info().ID)
	}
	return o.Open(item)
}
