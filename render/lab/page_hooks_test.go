package lab

import (
	"slices"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/ui"
)

// itemPage is a page in the manner of the experiments page: opened on one
// of its items (Opener), reporting its status (PageReporter), offering its
// table once it has one (Exporter), with a Plot/Table strip among its
// controls. It borrows the sandbox's run and picture.
type itemPage struct {
	*ringChapter
	items    []string
	item     string
	measured bool // the table exists: ExportFiles offers it
	view     *ui.Tabs
	shown    int // the strip's selected tab, as OnChange set it
	exports  int // ExportFiles calls
}

func newItemPage() *itemPage {
	p := &itemPage{ringChapter: newRingChapter(), items: []string{"alpha", "beta"}, item: "alpha"}
	p.view = ui.NewTabs("page-view", "Plot or table", []string{"Plot", "Table"}, 0, func(i int) { p.shown = i })
	return p
}

func (p *itemPage) Info() ChapterInfo {
	i := p.ringChapter.Info()
	i.ID, i.Title = "page", "A page with items"
	return i
}

func (p *itemPage) Open(item string) error {
	if !slices.Contains(p.items, item) {
		return errUnknownItem
	}
	p.item = item
	return nil
}

var errUnknownItem = errorString("no such item")

type errorString string

func (e errorString) Error() string { return string(e) }

func (p *itemPage) PageStatus() PageStatus {
	st := PageStatus{Item: p.item}
	if p.measured {
		st.Progress, st.Done = 1, true
	}
	return st
}

func (p *itemPage) ExportFiles() []File {
	p.exports++
	if !p.measured {
		return nil
	}
	return []File{
		{Name: p.item + ".csv", MIME: "text/csv", Data: []byte("x,y\n1,2\n")},
		{Name: p.item + ".json", MIME: "application/json", Data: []byte(`{"item":"` + p.item + `"}`)},
	}
}

func (p *itemPage) Controls(x *Context) []ui.Widget {
	return append(p.ringChapter.Controls(x), p.view)
}

// newPageLab is a lab on the sandbox, then the item page.
func newPageLab(t *testing.T, opts Options) (*Lab, *itemPage) {
	t.Helper()
	p := newItemPage()
	l, err := New([]Chapter{newRingChapter(), p}, measure, opts)
	if err != nil {
		t.Fatal(err)
	}
	l.Update(idle(), desktop)
	return l, p
}

func mustCommand(t *testing.T, l *Lab, cmd string) {
	t.Helper()
	if msg := l.Command(cmd); msg != "" {
		t.Fatalf("%s refused: %s", cmd, msg)
	}
	l.Update(idle(), desktop)
}

// TestPageTableExports: a page's table is exported as table.csv and
// table.json once the page offers it, is listed in the Save menu then
// (and only then), and is refused with a reason before.
func TestPageTableExports(t *testing.T) {
	l, p := newPageLab(t, Options{Seed: 1, Chapter: "page", Paused: true})
	h := &recordingHost{}
	l.SetHost(h)
	menu := func() []string {
		l.mgr.SetFocus(l.w.save.ID())
		l.Update(idle(), desktop)
		return slices.Clone(l.w.save.Options)
	}
	if _, err := l.Export(ExportTableCSV); err == nil || !strings.Contains(err.Error(), "offers no table.csv") {
		t.Errorf("table.csv before the page has a table: error %v", err)
	}
	if got := menu(); len(got) != len(ExportKinds) {
		t.Errorf("Save menu before the table: %q", got)
	}

	p.measured = true
	for _, tc := range []struct{ kind, name, mime string }{
		{ExportTableCSV, "alpha.csv", "text/csv"},
		{ExportTableJSON, "alpha.json", "application/json"},
	} {
		f, err := l.Export(tc.kind)
		if err != nil || f.Name != tc.name || f.MIME != tc.mime || len(f.Data) == 0 {
			t.Errorf("Export(%s) = %q %q %d bytes, %v; want %s as %s", tc.kind, f.Name, f.MIME, len(f.Data), err, tc.name, tc.mime)
		}
	}
	want := []string{"Picture (PNG)", "Event log (CSV)", "Client history (CSV)", "Space-time log (ShiViz)", "Replay file (JSON)", "Table (CSV)", "Table (JSON)"}
	if got := menu(); !slices.Equal(got, want) {
		t.Fatalf("Save menu with a table: %q, want %q", got, want)
	}
	// The keyboard picks the sixth row: the table as CSV.
	press := func(k ui.Key) { l.Update(&ui.Input{Keys: []ui.Key{k}, MouseX: -1, MouseY: -1}, desktop) }
	press(ui.KeyEnter)
	for range 5 {
		press(ui.KeyDown)
	}
	press(ui.KeyEnter)
	mustCommand(t, l, `{"type":"save","value":"table.json"}`)
	if !slices.Equal(h.saved, []string{ExportTableCSV, ExportTableJSON}) {
		t.Errorf("saved %q, want the table as CSV then JSON", h.saved)
	}

	// Away from the page the menu lists the run's files alone, and the
	// table kinds are refused.
	mustCommand(t, l, `{"type":"chapter","value":"sandbox"}`)
	if got := menu(); len(got) != len(ExportKinds) {
		t.Errorf("Save menu on the sandbox: %q", got)
	}
	if _, err := l.Export(ExportTableJSON); err == nil {
		t.Error("the sandbox exported a table")
	}
}

// TestSaveMenuDoesNotEncodeEveryFrame: while the Save menu does not have
// the focus, the page is not asked for its files (that encodes them).
func TestSaveMenuDoesNotEncodeEveryFrame(t *testing.T) {
	l, p := newPageLab(t, Options{Seed: 1, Chapter: "page", Paused: true})
	l.mgr.SetFocus("")
	before := p.exports
	for range 30 {
		l.Update(idle(), desktop)
	}
	if n := p.exports - before; n != 0 {
		t.Errorf("30 frames asked the page for its files %d times", n)
	}
}

// TestChapterCommandOpensItem: "chapter" with "item" opens the page on that
// item; an unknown item, or an item for a chapter without any, changes
// nothing and says why; "item" belongs to "chapter" alone.
func TestChapterCommandOpensItem(t *testing.T) {
	l, p := newPageLab(t, Options{Seed: 1, Paused: true})
	mustCommand(t, l, `{"type":"chapter","value":"page","item":"beta"}`)
	if s := state(t, l); s.Chapter != "page" || p.item != "beta" || s.Page == nil || s.Page.Item != "beta" || s.Page.ID != "page" {
		t.Fatalf("after chapter page item beta: chapter %q, item %q, state page %+v", s.Chapter, p.item, s.Page)
	}
	for _, tc := range []struct{ name, cmd, notice string }{
		{"unknown item", `{"type":"chapter","value":"page","item":"gamma"}`, "no such item"},
		{"chapter without items", `{"type":"chapter","value":"sandbox","item":"beta"}`, "has no items"},
	} {
		mustCommand(t, l, tc.cmd)
		if s := state(t, l); s.Chapter != "page" || p.item != "beta" || !strings.Contains(s.Notice, tc.notice) {
			t.Errorf("%s: chapter %q, item %q, notice %q; want page, beta and a notice about %q", tc.name, s.Chapter, p.item, s.Notice, tc.notice)
		}
	}
	for _, bad := range []string{
		`{"type":"seed","value":3,"item":"beta"}`,
		`{"type":"chapter","value":"page","item":""}`,
	} {
		if msg := l.Command(bad); msg == "" {
			t.Errorf("%s was accepted", bad)
		}
	}
	// Lab.OpenChapter, the chapters' links, does the same from the frame loop.
	if err := l.OpenChapter("page", "alpha"); err != nil {
		t.Fatal(err)
	}
	l.Update(idle(), desktop)
	if p.item != "alpha" {
		t.Errorf("OpenChapter: item %q", p.item)
	}
}

// TestStateReportsThePage: State.Page is the page's status, rounded, and
// absent on a chapter that reports none.
func TestStateReportsThePage(t *testing.T) {
	l, p := newPageLab(t, Options{Seed: 1, Paused: true})
	if s := state(t, l); s.Page != nil {
		t.Errorf("the sandbox reports a page: %+v", s.Page)
	}
	if !strings.Contains(l.State(), `"chapter":"sandbox"`) || strings.Contains(l.State(), `"page"`) {
		t.Errorf("state JSON on the sandbox: %s", l.State())
	}
	mustCommand(t, l, `{"type":"chapter","value":"page"}`)
	if s := state(t, l); s.Page == nil || s.Page.Done || s.Page.Progress != 0 || s.Page.Item != "alpha" {
		t.Errorf("page before its work: %+v", s.Page)
	}
	p.measured = true
	l.Update(idle(), desktop)
	if s := state(t, l); s.Page == nil || !s.Page.Done || s.Page.Progress != 1 {
		t.Errorf("page after its work: %+v", s.Page)
	}
}

// TestLinkCarriesTheItem: a link to the page holds its item and reopens
// it; links without an item (older ones) still open the page on its
// default; a bad item falls back with a notice; chapters without items
// write no item key.
func TestLinkCarriesTheItem(t *testing.T) {
	l, p := newPageLab(t, Options{Seed: 1, Paused: true})
	if link := l.Link(); strings.Contains(link, "item=") {
		t.Errorf("the sandbox's link has an item: %s", link)
	}
	mustCommand(t, l, `{"type":"chapter","value":"page","item":"beta"}`)
	link := l.Link()
	if !strings.HasPrefix(link, "#v=1&chapter=page&item=beta&") {
		t.Fatalf("link %q does not carry item=beta after the chapter", link)
	}
	// A pick in the page's own menu changes the link without a new run.
	p.item = "alpha"
	l.Update(idle(), desktop)
	if got := l.Link(); !strings.Contains(got, "&item=alpha&") {
		t.Errorf("after the page showed alpha, link %q", got)
	}

	for _, tc := range []struct {
		name, fragment, item, notice string
	}{
		{"item reopened", link, "beta", ""},
		{"no item: the page's default", "#v=1&chapter=page&seed=1", "alpha", ""},
		{"unknown item", "#v=1&chapter=page&item=gamma&seed=1", "alpha", "item=\"gamma\""},
		{"item too long", "#v=1&chapter=page&item=" + strings.Repeat("x", 65), "alpha", "item="},
	} {
		l2, p2 := newPageLab(t, OptionsFromFragment(tc.fragment, Options{Seed: 1}))
		s := state(t, l2)
		if s.Chapter != "page" || p2.item != tc.item {
			t.Errorf("%s: opened %q on item %q, want page on %q", tc.name, s.Chapter, p2.item, tc.item)
		}
		if (tc.notice == "") != (s.Notice == "") || !strings.Contains(s.Notice, tc.notice) {
			t.Errorf("%s: notice %q, want one naming %q", tc.name, s.Notice, tc.notice)
		}
	}

	// LoadState on a running lab does the same.
	l.LoadState("#v=1&chapter=page&item=beta&seed=4")
	l.Update(idle(), desktop)
	if s := state(t, l); p.item != "beta" || s.Seed != 4 {
		t.Errorf("LoadState: item %q, seed %d", p.item, s.Seed)
	}
}

// TestTabCommandSelectsAPageTab: "tab" picks a tab of a strip on screen by
// its label, as a click would; names that are neither the side panel's
// nor on screen are refused.
func TestTabCommandSelectsAPageTab(t *testing.T) {
	l, p := newPageLab(t, Options{Seed: 1, Chapter: "page", Paused: true})
	mustCommand(t, l, `{"type":"tab","value":"table"}`)
	if p.shown != 1 || p.view.Selected != 1 {
		t.Errorf("tab table: page shows %d, strip selected %d", p.shown, p.view.Selected)
	}
	mustCommand(t, l, `{"type":"tab","value":"Plot"}`)
	if p.shown != 0 {
		t.Errorf("tab Plot: page shows %d", p.shown)
	}
	mustCommand(t, l, `{"type":"tab","value":"events"}`)
	if l.tab != tabEvents {
		t.Errorf("tab events: side panel tab %d", l.tab)
	}
	if msg := l.Command(`{"type":"tab","value":"nowhere"}`); !strings.Contains(msg, "table") {
		t.Errorf("an unknown tab: %q, want a refusal listing the tabs on screen", msg)
	}
	mustCommand(t, l, `{"type":"chapter","value":"sandbox"}`)
	if msg := l.Command(`{"type":"tab","value":"table"}`); msg == "" {
		t.Error("tab table accepted where no strip has it")
	}
}
