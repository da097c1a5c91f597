package render

import (
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

func savedNotice(path string, err error) string {
	if err != nil {
		return "Could not save: " + err.Error()
	}
	if abs, e := filepath.Abs(path); e == nil {
		path = abs
	}
	return "Saved " + path
}
