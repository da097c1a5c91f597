package render

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ringlab/ringlab/render/lab"
)

// fileHost is the desktop's lab.Host: Copy link prints the link on stdout
// (a terminal is the desktop's clipboard that works everywhere, including
// under Xvfb), and Save writes files into a directory.
type fileHost struct {
	g   *Game
	dir string
	out io.Writer
}

func (h *fileHost) CopyLink(link string) string {
	fmt.Fprintln(h.out, link)
	return "Link printed on the terminal: " + link
}

func (h *fileHost) Save(kind string, f lab.File) string {
	path := filepath.Join(h.dir, f.Name)
	if kind == lab.ExportPNG {
		h.g.CapturePNG(func(b []byte, err error) {
			if err == nil {
				err = os.WriteFile(path, b, 0o644)
			}
			h.g.lab.Notify(savedNotice(path, err))
		})
		return ""
	}
	return savedNotice(path, os.WriteFile(path, f.Data, 0o644))
}

// Stream saves an export a chunk at a time into a file beside the others,
// written under a temporary name and renamed when whole.
func (h *fileHost) Stream(kind string) (lab.FileSink, string) {
	f, err := os.CreateTemp(h.dir, ".ringlab-export-*")
	if err != nil {
		return nil, "Could not save: " + err.Error()
	}
	return &fileSink{h: h, f: f}, ""
}

// fileSink writes an export into a temporary file.
type fileSink struct {
	h   *fileHost
	f   *os.File
	err error
}

func (s *fileSink) Write(chunk []byte) error {
	if s.err == nil {
		_, s.err = s.f.Write(chunk)
	}
	return s.err
}

func (s *fileSink) Close(f lab.File, err error) string {
	if e := s.f.Close(); err == nil && s.err == nil {
		s.err = e
	}
	if err == nil {
		err = s.err
	}
	path := filepath.Join(s.h.dir, f.Name)
	if err != nil {
		os.Remove(s.f.Name())
		if errors.Is(err, lab.ErrCancelled) {
			return "Saving " + f.Name + ": cancelled; nothing was saved."
		}
		return savedNotice(path, err)
	}
	return savedNotice(path, os.Rename(s.f.Name(), path))
}

func savedNotice(path string, err error) string {
	if err != nil {
		return "Could not save: " + err.Error()
	}
	if abs, e := filepath.Abs(path); e == nil {
		path = abs
	}
	return "Saved " + path
}
