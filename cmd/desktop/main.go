//go:build !js

// Command ringlab-desktop runs the lab in a window. With -screenshot it runs
// -frames frames, writes the last one as a PNG and exits (it works under Xvfb).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ringlab/ringlab/render"
)

func main() {
	fs := flag.NewFlagSet("ringlab-desktop", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o render.Options
	fs.StringVar(&o.Chapter, "chapter", "", "chapter id or number (1 is the first)")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the run")
	fs.Float64Var(&o.Speed, "speed", 0, "ticks per second (default 8)")
	fs.BoolVar(&o.Paused, "paused", false, "start paused")
	fs.IntVar(&o.Width, "width", 1280, "window width in logical pixels")
	fs.IntVar(&o.Height, "height", 800, "window height in logical pixels")
	fs.Float64Var(&o.Scale, "scale", 0, "device scale factor (0: the monitor's)")
	fs.StringVar(&o.Screenshot, "screenshot", "", "write the last frame to this PNG file and exit")
	fs.IntVar(&o.Frames, "frames", 60, "frames to run before -screenshot")
	fs.Func("do", `a JSON command to apply at start, as the page sends it (repeatable), e.g. {"type":"step"}`, func(s string) error {
		o.Commands = append(o.Commands, s)
		return nil
	})
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			fs.SetOutput(os.Stdout)
			fs.PrintDefaults()
			return
		}
		fail(err)
	}
	switch {
	case fs.NArg() > 0:
		fail(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	case o.Width < 200 || o.Height < 200 || o.Width > 16384 || o.Height > 16384:
		fail(fmt.Errorf("-width and -height must be between 200 and 16384, got %dx%d", o.Width, o.Height))
	case o.Scale < 0 || o.Scale > 8:
		fail(fmt.Errorf("-scale must be between 0 and 8, got %v", o.Scale))
	case o.Frames < 1:
		fail(fmt.Errorf("-frames must be at least 1, got %d", o.Frames))
	}
	if err := render.Run(o); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "ringlab-desktop: %v (see -help)\n", err)
	os.Exit(2)
}
