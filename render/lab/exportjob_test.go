package lab

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// chunkSink records the chunks of an export as they come.
type chunkSink struct {
	BytesSink
	chunks  int
	largest int
}

func (c *chunkSink) Write(chunk []byte) error {
	c.chunks++
	c.largest = max(c.largest, len(chunk))
	return c.BytesSink.Write(chunk)
}

// A long run's exports are written a chunk at a time across frames, and
// give the same bytes as the one-piece export.
func TestExportsStreamAcrossFrames(t *testing.T) {
	l := newLinkLab(t, Options{Seed: 6, Paused: true})
	l.Update(idle(), desktop)
	command(t, l, `{"type":"knob","name":"clients","value":6}`)
	l.Update(idle(), desktop)
	run(t, l, `{"type":"run","value":6000}`)
	frame := framed(l, 1)
	for _, kind := range []string{ExportEvents, ExportHistory, ExportShiViz} {
		want, err := l.Export(kind)
		if err != nil {
			t.Fatal(err)
		}
		sink := &chunkSink{}
		if err := l.ExportTo(kind, sink); err != nil {
			t.Fatal(err)
		}
		frames := 0
		for ; !sink.Closed && frames < 10000; frames++ {
			frame()
			if s := state(t, l); !sink.Closed && (s.Job == nil || !strings.HasPrefix(s.Job.Title, "Saving ")) {
				t.Fatalf("%s: frame %d: job %+v while the export is open", kind, frames, s.Job)
			}
		}
		if sink.Err != nil || sink.File.Name != want.Name || !bytes.Equal(sink.Data, want.Data) {
			t.Errorf("%s: streamed %d bytes as %q (err %v); in one piece %d bytes as %q", kind, len(sink.Data), sink.File.Name, sink.Err, len(want.Data), want.Name)
		}
		t.Logf("%s: %d bytes in %d chunks over %d frames", kind, len(sink.Data), sink.chunks, frames)
		if sink.chunks < 3 || frames < 3 || sink.largest > 2*exportChunkBytes {
			t.Errorf("%s: %d bytes in %d chunks over %d frames, the largest %d bytes; want several bounded chunks", kind, len(sink.Data), sink.chunks, frames, sink.largest)
		}
	}
}

func TestCancelledExportSavesNothing(t *testing.T) {
	l := newLinkLab(t, Options{Seed: 6, Paused: true})
	l.Update(idle(), desktop)
	run(t, l, `{"type":"run","value":3000}`)
	frame := framed(l, 1)
	sink := &chunkSink{}
	if err := l.ExportTo(ExportEvents, sink); err != nil {
		t.Fatal(err)
	}
	frame()
	command(t, l, `{"type":"cancel"}`)
	frame()
	if !sink.Closed || !errors.Is(sink.Err, ErrCancelled) {
		t.Fatalf("after cancel: closed %v, err %v", sink.Closed, sink.Err)
	}
	if s := state(t, l); s.Job != nil || !strings.Contains(s.Notice, "nothing was saved") {
		t.Errorf("after cancel: job %+v, notice %q", s.Job, s.Notice)
	}
}
