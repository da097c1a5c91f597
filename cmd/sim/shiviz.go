package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/spacetime"
)

// shivizFile is a ShiViz log being written to a file (-shiviz): the run's
// space-time diagram, for ShiViz or any tool that reads its format.
type shivizFile struct {
	f  *os.File
	w  *bufio.Writer
	sv *spacetime.ShiViz
}

func createShiViz(path string) (*shivizFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-shiviz: %v", err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	return &shivizFile{f: f, w: w, sv: spacetime.NewShiViz(w)}, nil
}

// log is the writer to feed, nil for no file.
func (s *shivizFile) log() *spacetime.ShiViz {
	if s == nil {
		return nil
	}
	return s.sv
}

// close flushes and closes the file; nil does nothing.
func (s *shivizFile) close() error {
	if s == nil {
		return nil
	}
	err := s.w.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("-shiviz: %v", err)
	}
	return nil
}

// writeShiViz writes events as a whole ShiViz log to path.
func writeShiViz(path string, events []core.Event) error {
	s, err := createShiViz(path)
	if err != nil {
		return err
	}
	if err := s.sv.Add(events); err != nil {
		s.close()
		return fmt.Errorf("-shiviz: %v", err)
	}
	return s.close()
}
