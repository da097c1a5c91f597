// Package measureit is the chapters' way to the experiments page: a
// chapter's "Measure it" buttons, each opening the page on the experiment
// that measures the chapter's claim. It knows the page by its ID and the
// experiments by name only, so the chapters do not import the page.
package measureit

import (
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// PageID is the experiments page's chapter ID.
const PageID = "experiments"

// shortNames are the links' wording for each experiment they may open, by
// the experiment's name in package experiments (the page's tests check
// that the page offers each).
var shortNames = map[string]string{
	"movement":     "Keys moved by a join",
	"balance":      "Load spread against vnodes",
	"dynamo":       "Dynamo's partitioning strategies",
	"availability": "Availability against vnodes",
	"staleness":    "Stale reads against time",
	"latency":      "Latency against W and R",
	"conflicts":    "LWW against vector clocks",
	"merkle":       "Merkle exchange cost",
	"gossip":       "Gossip spread against size",
}

// Experiments are the names links may open, for the page's tests.
func Experiments() []string {
	out := make([]string, 0, len(shortNames))
	for n := range shortNames {
		out = append(out, n)
	}
	return out
}

// ShortName is the wording a link uses for an experiment.
func ShortName(name string) (string, bool) {
	s, ok := shortNames[name]
	return s, ok
}

// Link is a chapter's button to the experiment that measures the
// chapter's claim: "Measure it: Keys moved by a join ►". It opens the
// experiments page with that experiment chosen.
type Link struct {
	button     *ui.Button
	experiment string
}

// NewLink makes the link to the experiment called name; its button's ID is
// "measure-" + name. It panics on a name it has no wording for, which the
// chapters' tests catch.
func NewLink(name string) *Link {
	short, ok := ShortName(name)
	if !ok {
		panic("measureit: no experiment " + name + " to link to")
	}
	// The tooltip names the measurement too: a narrow panel cuts the label.
	b := ui.NewButton("measure-"+name, "Measure it: "+short+" ►", "Open the experiments page on this measurement: "+short, nil)
	return &Link{button: b, experiment: name}
}

// Button is the link's button, bound to this frame's context: a chapter
// returns it among its Controls.
func (k *Link) Button(x *lab.Context) *ui.Button {
	k.button.OnClick = func() {
		if err := x.OpenChapter(PageID, k.experiment); err != nil {
			x.Notify("Cannot open the experiment: " + err.Error())
		}
	}
	return k.button
}

// Links are a chapter's links to the experiments that measure its claims.
type Links []*Link

// NewLinks makes a link to each experiment named, in order.
func NewLinks(names ...string) Links {
	ls := make(Links, len(names))
	for i, n := range names {
		ls[i] = NewLink(n)
	}
	return ls
}

// Buttons are the links' buttons bound to this frame's context, to append
// to a chapter's Controls.
func (ls Links) Buttons(x *lab.Context) []ui.Widget {
	ws := make([]ui.Widget, len(ls))
	for i, k := range ls {
		ws[i] = k.Button(x)
	}
	return ws
}
