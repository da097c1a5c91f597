package lab

import (
	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// ringChapter is the chapter the lab's own tests run: the ring of the
// store with messages in flight, on the sandbox's preset (the default
// cluster with two clients), under the sandbox's ID so that the tests'
// links read like the lab's. The real chapters live under render/chapters
// and are tested there.
// Its three buttons stand where the sandbox's are, for the shell's layout
// tests; only the first two are focusable (the second is disabled, as the
// sandbox's read is before a write).
type ringChapter struct {
	ring     scene.Ring
	controls []ui.Widget
}

func newRingChapter() *ringChapter {
	read := ui.NewButton("sandbox-read", "Read it back", "Send a get", nil)
	read.Disabled = true
	return &ringChapter{controls: []ui.Widget{
		ui.NewButton("sandbox-write", "Write a key", "Send a put", nil),
		read,
		ui.NewButton("sandbox-split", "Split the network", "Partition the nodes", nil),
	}}
}

func (c *ringChapter) Info() ChapterInfo {
	return ChapterInfo{ID: "sandbox", Title: "Ring", Summary: "The ring of the store.", TryThis: "Press Play."}
}

func (c *ringChapter) Preset(seed uint64) Preset {
	cfg := core.DefaultConfig()
	cfg.Seed = seed
	cfg.Workload.Clients = 2
	cfg.Workload.Keys = 24
	cfg.Workload.PutFraction = 0.5
	cfg.Workload.ThinkTicksMax = 12
	cfg.Workload.KeyPrefix = "cart:"
	return Preset{Config: cfg}
}

func (c *ringChapter) Parts() Parts { return PartsAll }
func (c *ringChapter) Controls(x *Context) []ui.Widget {
	// Write and Split act on the run as the sandbox's do: the fork and
	// focus tests press them.
	apply := func(cmd core.Command) {
		if _, err := x.Apply(cmd); err != nil {
			x.Notify(err.Error())
		}
	}
	c.controls[0].(*ui.Button).OnClick = func() {
		apply(core.Command{Kind: core.CmdPut, Node: 0, Key: "cart:1", Value: "v1"})
	}
	c.controls[2].(*ui.Button).OnClick = func() {
		apply(core.Command{Kind: core.CmdPartition, Groups: [][]core.NodeID{{0, 1}, {2, 3, 4}}})
	}
	return c.controls
}
func (c *ringChapter) Enter(x *Context)                        {}
func (c *ringChapter) Update(x *Context)                       {}
func (c *ringChapter) NodeAt(x, y float64) (core.NodeID, bool) { return c.ring.NodeAt(x, y) }

func (c *ringChapter) Build(x *Context, area frame.Rect, l *frame.Layer) {
	c.ring.Build(&scene.Input{
		View: x.View, Phase: x.Phase, Recent: x.Recent, Area: area,
		Scale: x.Theme.Scale, Selected: x.Selected, Measure: x.Measure,
	}, l)
}
