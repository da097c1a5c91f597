//go:build !js

// Command ringlab-desktop runs the lab in a window. With -screenshot it runs
// -frames frames, writes the last one as a PNG and exits (it works under Xvfb).
//
// The command line is read and checked by package launch, whose init runs
// before Ebitengine's: a bad flag or a missing display ends in one line on
// stderr (exit 2 and 1), never in a panic.
package main

import (
	"github.com/ringlab/ringlab/cmd/desktop/internal/launch"
	"github.com/ringlab/ringlab/render"
)

// memoryEvery is how often -memory prints: once a second at 60 frames per
// second.
func memoryEvery(on bool) int {
	if on {
		return 60
	}
	return 0
}

func main() {
	s := launch.Parsed
	err := render.Run(render.Options{
		Chapter: s.Chapter, Seed: s.Seed, Speed: s.Speed, Paused: s.Paused,
		Width: s.Width, Height: s.Height, Scale: s.Scale,
		Screenshot: s.Screenshot, Frames: s.Frames, Commands: s.Commands,
		Link: s.Link, Notices: s.Notices, Replay: s.Replay, ExportDir: s.ExportDir,
		ReducedMotion: s.ReducedMotion, Embed: s.Embed, View: s.View, Downloads: true,
		WindowBytes: int64(s.WindowMB) << 20, MemoryEvery: memoryEvery(s.Memory), BackgroundSearch: true,
	})
	if err != nil {
		launch.Fail(err, 1)
	}
}
