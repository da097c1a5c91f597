package lab

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/spacetime"
	"github.com/ringlab/ringlab/core/tracestore"
	"github.com/ringlab/ringlab/runfmt"
)

// FileSink receives an exported file a chunk at a time (ExportTo): the
// long exports of a long run are written across frames, and neither the
// lab nor the page holds the whole file in the simulation's memory.
type FileSink interface {
	// Write takes the next chunk; the lab reuses chunk after it returns,
	// so the sink copies what it keeps.
	Write(chunk []byte) error
	// Close ends the file: err nil when it is whole (f names it, its Data
	// nil), else why it was abandoned (cancelled, failed). It returns the
	// notice to show, "" for none.
	Close(f File, err error) string
}

// StreamHost is a Host that saves files a chunk at a time; the lab's Save
// menu uses it for the exports that can be long.
type StreamHost interface {
	Host
	// Stream opens a sink for an export of kind; nil and a notice when it
	// cannot save now.
	Stream(kind string) (FileSink, string)
}

// Streamed reports whether kind is exported a chunk at a time by ExportTo:
// the exports whose size grows with the run (the event log, the client
// history, the space-time log).
func Streamed(kind string) bool {
	return kind == ExportEvents || kind == ExportHistory || kind == ExportShiViz
}

// exportChunkBytes is about how large a chunk is.
const exportChunkBytes = 256 << 10

// ErrCancelled is the error a sink's Close gets when the export was
// cancelled.
var ErrCancelled = errors.New("cancelled")

// exporter writes one export a chunk at a time.
type exporter struct {
	file        File // name and type
	done, total int64
	unit        string // what done and total count: "ticks", "operations"
	next        func(stop func() bool) (chunk []byte, last bool, err error)
}

// newExporter prepares a streamed export of the run as it is now: the
// retained window's events (by ranges of ticks, never copied whole) or its
// client history.
func (l *Lab) newExporter(kind string) (*exporter, error) {
	tl := l.tl
	base := l.exportBase()
	store, ops, tag := l.exportRun()
	base += tag
	var buf bytes.Buffer
	switch kind {
	case ExportHistory:
		w := runfmt.NewHistoryWriter(&buf)
		i := 0
		ex := &exporter{file: File{Name: base + "-history" + fromTick(tl.Start()) + ".csv", MIME: "text/csv"}, total: int64(len(ops)), unit: "operations"}
		ex.next = func(stop func() bool) ([]byte, bool, error) {
			buf.Reset()
			for first := true; first || (i < len(ops) && buf.Len() < exportChunkBytes && (stop == nil || !stop())); first = false {
				j := min(i+256, len(ops))
				if err := w.Write(ops[i:j]); err != nil {
					return nil, false, err
				}
				i = j
				if err := w.Flush(); err != nil {
					return nil, false, err
				}
			}
			ex.done = int64(i)
			return buf.Bytes(), i == len(ops), nil
		}
		return ex, nil
	case ExportEvents, ExportShiViz:
		// The window's events, by ranges of ticks.
		from, to := store.Start(), tl.Now()
		var write func([]core.Event) error
		var flush func() error
		ex := &exporter{total: to - from + 1, unit: "ticks"}
		if kind == ExportEvents {
			w := runfmt.NewEventsWriter(&buf)
			write, flush = w.Write, w.Flush
			ex.file = File{Name: base + "-events" + fromTick(from) + ".csv", MIME: "text/csv"}
		} else {
			w := spacetime.NewShiViz(&buf)
			write, flush = w.Add, func() error { return nil }
			ex.file = File{Name: base + "-shiviz" + fromTick(from) + ".log", MIME: "text/plain"}
		}
		at := from
		var evs []core.Event
		ex.next = func(stop func() bool) ([]byte, bool, error) {
			buf.Reset()
			for first := true; first || (at <= to && buf.Len() < exportChunkBytes && (stop == nil || !stop())); first = false {
				end := min(at+63, to)
				evs = evs[:0]
				store.EachEvent(at, end, func(e *core.Event) bool {
					evs = append(evs, *e)
					return true
				})
				if err := write(evs); err != nil {
					return nil, false, err
				}
				at = end + 1
			}
			if err := flush(); err != nil {
				return nil, false, err
			}
			clear(evs) // the strings they hold
			ex.done = at - from
			return buf.Bytes(), at > to, nil
		}
		return ex, nil
	}
	return nil, fmt.Errorf("%s is not exported in chunks", kind)
}

// exportRun is the run the streamed exports write: the one the diagram or
// the history shows, the lab's own or (in the CAP chapter) the twin's, as
// the store of its retained events and its client history; tag names a
// twin in the file name ("-cp"), "" for the lab's run.
func (l *Lab) exportRun() (store *tracestore.Store, ops []core.Op, tag string) {
	if l.timeViewShown() && l.timeCluster() > 0 {
		if c, tr, _, ok := l.timeRun(); ok && c != nil && tr != nil {
			ops := c.History()
			if tr.Start() > 0 {
				ops = tr.History()
			}
			return tr, ops, "-" + strings.ToLower(l.timeClusters()[l.timeCluster()])
		}
	}
	l.tl.windowEvents() // the held events join the window first
	return l.tl.store, l.tl.windowHistory(), ""
}

// ExportTo writes an export of the run to sink: a streamed kind (Streamed)
// a chunk at a time, across frames as a job with progress and Cancel
// (commands wait for it, and the run does not move meanwhile); any other
// kind at once, in one chunk. It must run on the frame loop; PNG, which
// the host captures, is refused.
func (l *Lab) ExportTo(kind string, sink FileSink) error {
	if !Streamed(kind) {
		f, err := l.Export(kind)
		if err != nil {
			return err
		}
		data := f.Data
		f.Data = nil
		if err := sink.Write(data); err != nil {
			sink.Close(f, err)
			return err
		}
		if msg := sink.Close(f, nil); msg != "" {
			l.notify(msg)
		}
		return nil
	}
	if l.job != nil {
		return errors.New("the lab is busy: " + l.job.title)
	}
	ex, err := l.newExporter(kind)
	if err != nil {
		return err
	}
	l.startJob(&job{title: "Saving " + ex.file.Name, export: ex, sink: sink})
	return nil
}

// advanceExport writes the next chunks of the job's export in this frame's
// time, and closes the sink when the file is whole or has failed.
func (l *Lab) advanceExport(j *job) {
	for {
		chunk, last, err := j.export.next(l.Overrun)
		if err == nil && len(chunk) > 0 {
			err = j.sink.Write(chunk)
		}
		if err != nil {
			l.job = nil
			if msg := j.sink.Close(j.export.file, err); msg != "" {
				l.notify(msg)
			}
			return
		}
		if last {
			l.job = nil
			if msg := j.sink.Close(j.export.file, nil); msg != "" {
				l.notify(msg)
			}
			return
		}
		if l.Overrun != nil && l.Overrun() {
			return
		}
	}
}

// BytesSink collects an export in memory (the desktop's tests, and hosts
// that want the whole file).
type BytesSink struct {
	Data   []byte
	File   File
	Err    error
	Closed bool
}

func (b *BytesSink) Write(chunk []byte) error {
	b.Data = append(b.Data, chunk...)
	return nil
}

func (b *BytesSink) Close(f File, err error) string {
	b.File, b.Err, b.Closed = f, err, true
	b.File.Data = slices.Clip(b.Data)
	return ""
}
