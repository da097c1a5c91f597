package lab

import "github.com/ringlab/ringlab/core"

// RestartWith starts the current chapter's run again from tick 0 with cfg in
// place of its preset's configuration, as the page's "config" command does:
// the seed is kept (cfg.Seed is overwritten with it), the preset's script is
// replayed, and cfg stays in force across resets until another chapter is
// chosen. It is for settings that shape a run from its start (virtual nodes,
// weights) and so cannot be a recorded command. The restart happens at the
// start of the next Update; an invalid cfg is refused with the reason and
// nothing changes.
func (x *Context) RestartWith(cfg core.Config) error {
	cfg.Seed = x.lab.seed
	if err := cfg.Validate(); err != nil {
		return err
	}
	l := x.lab
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queue = append(l.queue, action{kind: "config", config: cfg})
	return nil
}
