package lab

import "fmt"

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
	o, ok := l.chapters[i].(Opener)
	if !ok {
		return fmt.Errorf("chapter %q has no items to open", id)
	}
	if err := o.Open(item); err != nil {
		return err
	}
	l.enqueue(action{kind: "chapter", chapter: id})
	return nil
}

// ExportFile is a file a page offers for download: a result table as CSV
// or JSON.
type ExportFile struct {
	Name string // a file name without directories: "movement-movement.csv"
	MIME string // "text/csv", "application/json"
	Data []byte
}

// Exporter is implemented by pages that offer files. ExportFiles returns
// the files for what the page shows now (nil when it has none); the bytes
// are the page's own copy and are not changed afterwards.
type Exporter interface {
	ExportFiles() []ExportFile
}

// Exports are the files the current chapter offers (nil when it offers
// none): what a page's export button downloads. Call it from the frame
// loop, like the other methods of Lab. A PNG of the view is the lab's
// frame capture, not an export of the chapter.
func (l *Lab) Exports() []ExportFile {
	if e, ok := l.Chapter().(Exporter); ok {
		return e.ExportFiles()
	}
	return nil
}
