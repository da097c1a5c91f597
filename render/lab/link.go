package lab

import "github.com/ringlab/ringlab/runfmt"

// OptionsFromFragment reads a page URL fragment such as
// "#v=1&chapter=2&seed=7" (the link format of runfmt) into Options: the
// chapter, seed, speed and pause directly, and the whole link
// (configuration, actions, tick) in Link for New to resolve against the
// chapters. Unknown keys are ignored; a value that cannot be used leaves its
// default and adds a notice saying what was ignored and why, so the lab
// always starts.
func OptionsFromFragment(fragment string, defaults Options) Options {
	o := defaults
	k := runfmt.ParseLink(fragment)
	o.Notices = append(o.Notices, k.Notices...)
	if k.Chapter != "" {
		o.Chapter = k.Chapter // checked against the chapter list by New
	}
	if k.SeedSet {
		o.Seed = k.Seed
	}
	if k.Speed > 0 {
		o.Speed = k.Speed
	}
	if k.PausedSet {
		o.Paused = k.Paused
	}
	if k.Usable() {
		k.Notices = nil // reported through o.Notices
		o.Link = k
	}
	return o
}
