package lab

import (
	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
)

// busyChapter is a chapter with no picture over a busy run (four clients on
// eight keys): for tests of what the lab does with many events a frame.
type busyChapter struct{}

func (busyChapter) Info() ChapterInfo {
	return ChapterInfo{ID: "busy", Title: "Busy", Summary: "A busy run.", TryThis: "Play at top speed."}
}

func (busyChapter) Preset(seed uint64) Preset {
	cfg := core.DefaultConfig()
	cfg.Seed = seed
	cfg.Workload = core.Workload{Clients: 4, Keys: 8, PutFraction: 0.5, ThinkTicksMax: 10, KeyPrefix: "cart:"}
	return Preset{Config: cfg}
}

func (busyChapter) Parts() Parts                                      { return PartsAll }
func (busyChapter) Controls(x *Context) []ui.Widget                   { return nil }
func (busyChapter) Enter(x *Context)                                  {}
func (busyChapter) Update(x *Context)                                 {}
func (busyChapter) Build(x *Context, area frame.Rect, l *frame.Layer) {}
func (busyChapter) NodeAt(x, y float64) (core.NodeID, bool)           { return core.NoNode, false }
