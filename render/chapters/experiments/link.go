package experiments

import (
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// Link is a chapter's button to the experiment that measures the
// chapter's claim: "Measure it: Keys moved by a join ►". It opens the
// experiments page with that experiment chosen.
type Link struct {
	button     *ui.Button
	experiment string
}

// NewLink makes the link to the experiment called name; its button's ID is
// "measure-" + name. It panics on a name the page's menu does not have,
// which the chapters' tests catch.
func NewLink(name string) *Link {
	short, ok := ShortName(name)
	if !ok {
		panic("experiments: no experiment " + name + " to link to")
	}
	b := ui.NewButton("measure-"+name, "Measure it: "+short+" ►", "Open the experiments page on this measurement", nil)
	return &Link{button: b, experiment: name}
}

// Button is the link's button, bound to this frame's context: a chapter
// returns it among its Controls.
func (k *Link) Button(x *lab.Context) *ui.Button {
	k.button.OnClick = func() {
		if err := x.OpenChapter(ID, k.experiment); err != nil {
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
