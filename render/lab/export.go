package lab

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/ringlab/ringlab/runfmt"
)

// File is an exported file: its suggested name, MIME type and bytes.
type File struct {
	Name string
	MIME string
	Data []byte
}

// Export kinds, as the page's exportFile and the shell's Save menu name them.
const (
	ExportPNG     = "png"
	ExportEvents  = "events.csv"
	ExportHistory = "history.csv"
	ExportReplay  = "replay.json"
	// ExportShiViz is the run's space-time diagram as a ShiViz log.
	ExportShiViz = "shiviz.log"
	// ExportTableCSV and ExportTableJSON are the current page's table (see
	// Exporter): on the experiments page, the table of the shown result.
	// They exist only while the page offers them.
	ExportTableCSV  = "table.csv"
	ExportTableJSON = "table.json"
)

// ExportKinds lists the kinds every chapter offers, in the order the Save
// menu shows them.
var ExportKinds = []string{ExportPNG, ExportEvents, ExportHistory, ExportShiViz, ExportReplay}

// PageExportKinds lists the kinds a page may offer besides (Exporter), in
// the order the Save menu shows them after ExportKinds.
var PageExportKinds = []string{ExportTableCSV, ExportTableJSON}

// exportLabels are the Save menu's rows for each kind.
var exportLabels = map[string]string{
	ExportPNG:       "Picture (PNG)",
	ExportEvents:    "Event log (CSV)",
	ExportHistory:   "Client history (CSV)",
	ExportReplay:    "Replay file (JSON)",
	ExportShiViz:    "Space-time log (ShiViz)",
	ExportTableCSV:  "Table (CSV)",
	ExportTableJSON: "Table (JSON)",
}

// knownExport reports whether kind is one of ExportKinds or PageExportKinds.
func knownExport(kind string) bool {
	return slices.Contains(ExportKinds, kind) || slices.Contains(PageExportKinds, kind)
}

// ErrPNGFromHost is returned by Export for ExportPNG: the picture is read
// from the painted screen, which only the host (package render) has.
var ErrPNGFromHost = errors.New("the picture is captured by the window, not the lab model")

// exportBase is the file name stem: "ringlab-<chapter>-seed<seed>-t<tick>".
func (l *Lab) exportBase() string {
	return fmt.Sprintf("ringlab-%s-seed%d-t%d", l.Chapter().Info().ID, l.seed, l.tl.Now())
}

// Export builds an exported file of the current run, or for
// ExportTableCSV and ExportTableJSON the current page's table (an error
// when the page offers none now). It must run on the frame loop. For
// ExportPNG it returns ErrPNGFromHost with the file's name and type filled
// in: the picture is the view as painted, which on the experiments page is
// the plot with its title, axes and legend.
func (l *Lab) Export(kind string) (File, error) {
	base := l.exportBase()
	switch kind {
	case ExportPNG:
		return File{Name: base + ".png", MIME: "image/png"}, ErrPNGFromHost
	case ExportEvents, ExportShiViz, ExportHistory:
		// The same file ExportTo streams, written at once.
		ex, err := l.newExporter(kind)
		if err != nil {
			return File{}, err
		}
		var b bytes.Buffer
		for last := false; !last; {
			var chunk []byte
			if chunk, last, err = ex.next(nil); err != nil {
				return File{}, err
			}
			b.Write(chunk)
		}
		f := ex.file
		f.Data = b.Bytes()
		return f, nil
	case ExportReplay:
		b, err := runfmt.EncodeReplay(l.replayOf())
		if err != nil {
			return File{}, err
		}
		return File{Name: base + "-replay.json", MIME: "application/json", Data: b}, nil
	case ExportTableCSV, ExportTableJSON:
		for _, f := range l.Exports() {
			if pageExportKind(f) == kind {
				return f, nil
			}
		}
		return File{}, fmt.Errorf("%q offers no %s now (on the experiments page, run a sweep first)", l.Chapter().Info().ID, kind)
	}
	return File{}, fmt.Errorf("unknown export %q; one of %s", kind, strings.Join(append(slices.Clone(ExportKinds), PageExportKinds...), ", "))
}

// pageExportKind is the kind a page's file is offered as: its table as
// CSV or JSON, told by the file name's extension; "" for any other file.
func pageExportKind(f File) string {
	switch path.Ext(f.Name) {
	case ".csv":
		return ExportTableCSV
	case ".json":
		return ExportTableJSON
	}
	return ""
}

// exportKindsNow are the kinds the Save menu offers on the current page:
// ExportKinds, then those of PageExportKinds the page offers now.
func (l *Lab) exportKindsNow() []string {
	kinds := append(l.saveKinds[:0], ExportKinds...)
	files := l.Exports()
	for _, k := range PageExportKinds {
		if slices.ContainsFunc(files, func(f File) bool { return pageExportKind(f) == k }) {
			kinds = append(kinds, k)
		}
	}
	l.saveKinds = kinds
	return kinds
}

// replayOf is the current run as a replay file.
func (l *Lab) replayOf() runfmt.Replay {
	cfg := l.tl.Config()
	cfg.Seed = l.seed
	r := runfmt.NewReplay(l.Chapter().Info().ID, cfg, l.tl.Recorded(), l.tl.Now(), l.tl.Cluster().Digest())
	r.Item = l.pageItem()
	if l.timeViewShown() {
		r.View, r.Select = l.viewName(), l.selectionName()
	}
	return r
}
