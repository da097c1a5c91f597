package experiments

import (
	"slices"
	"strings"
	"testing"

	expt "github.com/ringlab/ringlab/experiments"
	"github.com/ringlab/ringlab/render/lab"
)

// TestTableCellsInFull: in the table view of every figure of every
// experiment, in the desktop window, each cell is on screen whole (not
// cut to fit with "…"), and so is each column's header with its unit,
// wrapped over the header's lines if need be.
func TestTableCellsInFull(t *testing.T) {
	eachResultShown(t, showTable, func(name string, tab expt.Table, got string) {
		for _, c := range tableColumns(tab) {
			for _, cell := range c.cells[:min(len(c.cells), 10)] {
				if !strings.Contains(got, "\n"+cell+"\n") {
					t.Errorf("%s/%s: cell %q is not on screen whole", name, tab.Name, cell)
					break
				}
			}
		}
		headersWhole(t, name, tab, got, false)
	})
}

// In a smaller window (960 x 600) the table's cells and headers are whole
// too: the table takes the width (the knobs behind their button), and a
// group's label heads its rows where its column would take too much of it.
// In a course page's small frame (640 x 400) a number is never cut either
// (a cell takes two lines where one is too narrow, and a page has fewer
// rows), though a header may be.
func TestTableCellsInFullInSmallWindows(t *testing.T) {
	grouped := 0
	eachResultShownAt(t, showTable, lab.Size{W: 960, H: 600, Scale: 1}, func(name string, tab expt.Table, got string, p *Page) {
		joined := " " + strings.ReplaceAll(got, "\n", " ") + " "
		for _, c := range tableColumns(tab) {
			for _, cell := range c.cells[:min(len(c.cells), 4)] { // the first page's
				if !strings.Contains(joined, " "+cell+" ") {
					t.Errorf("960x600 %s/%s: cell %q is not on screen whole", name, tab.Name, cell)
					break
				}
			}
		}
		headersWhole(t, "960x600 "+name, tab, got, p.grouped)
		if p.grouped {
			grouped++
		}
	})
	if grouped == 0 {
		t.Error("no table has its groups as headings")
	}
	eachResultShownAt(t, showTable, lab.Size{W: 640, H: 400, Scale: 1}, func(name string, tab expt.Table, got string, p *Page) {
		lines := strings.Split(got, "\n")
		for _, c := range tableColumns(tab) {
			for _, cell := range c.cells {
				for _, line := range lines {
					if cut, ok := strings.CutSuffix(line, "…"); ok && cut != "" && strings.Contains(cell, cut) {
						t.Errorf("640x400 %s/%s: cell %q drawn cut, %q", name, tab.Name, cell, line)
					}
				}
			}
		}
	})
}

// Where the cells do not fit on one line, the rows take two, and the
// columns that gain most by it break their cells: a "mean ± sd" before the
// "±", a label between words.
func TestCellsTakeTwoLinesWhereOneIsTooNarrow(t *testing.T) {
	cols := []tableCol{
		{head: "n", cells: []string{"1", "200"}},
		{head: "spread", cells: []string{"0.4993 ± 0.0041", "0.51 ± 0.02"}},
		{head: "strategy", cells: []string{"strategy 1: T random tokens"}},
	}
	one, _ := columnWidths(measure, cols, 14, 2000, 18, 12, 190, 3)
	widths, lines := columnWidths(measure, cols, 14, one[0]+one[1]/2+one[2]/2+40, 18, 12, 190, 3)
	if lines != 2 {
		t.Fatalf("rows of %d lines at widths %v", lines, widths)
	}
	for i, c := range cols {
		for _, cell := range c.cells {
			got := cellLines(measure, cell, 14, widths[i]-12, lines)
			if strings.Join(got, " ") != cell || strings.Contains(strings.Join(got, ""), "…") {
				t.Errorf("column %q: %q drawn as %q", c.head, cell, got)
			}
		}
	}
	if got := cellLines(measure, "0.4993 ± 0.0041", 14, twoLineWidth(measure, "0.4993 ± 0.0041", 14)+1, 2); len(got) != 2 || got[0] != "0.4993" || got[1] != "± 0.0041" {
		t.Errorf("a measured cell breaks as %q", got)
	}
	if got := cellLines(measure, "0.4993 ± 0.0041", 14, 1000, 2); len(got) != 1 {
		t.Errorf("a cell that fits takes %d lines", len(got))
	}
}

// headersWhole reports each column's header (with its unit) not on screen
// whole, wrapped at spaces over the header's lines; but the group's where
// its labels head the rows.
func headersWhole(t *testing.T, name string, tab expt.Table, got string, grouped bool) {
	t.Helper()
	joined := strings.ReplaceAll(got, "\n", " ")
	for i, c := range tableColumns(tab) {
		if grouped && i == 0 {
			continue
		}
		head := c.head
		if c.unit != "" {
			head += " " + unitText(c.unit)
		}
		if !strings.Contains(joined, " "+head+" ") {
			t.Errorf("%s/%s: header %q is not on screen whole", name, tab.Name, head)
		}
	}
}

// A group's heading leads its rows, and again atop a page that begins
// within the group; a heading never ends a page.
func TestPagedEntriesHeadEachGroup(t *testing.T) {
	groups := []string{"a", "a", "a", "b", "b"}
	got := pagedEntries(groups, true, 3)
	var pages []string
	for _, page := range got {
		s := ""
		for _, e := range page {
			if e.row < 0 {
				s += "[" + e.group + "]"
			} else {
				s += string(rune('0' + e.row))
			}
		}
		pages = append(pages, s)
	}
	want := []string{"[a]01", "[a]2", "[b]34"}
	if !slices.Equal(pages, want) {
		t.Errorf("pages %q, want %q", pages, want)
	}
	if got := pagedEntries(groups, false, 2); len(got) != 3 || len(got[2]) != 1 || got[2][0].row != 4 {
		t.Errorf("ungrouped pages %v", got)
	}
}

// Where the cells cannot all be whole, the widest column gives way first
// and the narrow ones keep their width.
func TestNarrowestGivesWayFirst(t *testing.T) {
	got := narrowest([]float64{300, 60, 50, 110}, 400)
	want := []float64{180, 60, 50, 110}
	if !slices.Equal(got, want) {
		t.Errorf("narrowest = %v, want %v", got, want)
	}
	got = narrowest([]float64{100, 100}, 100)
	if !slices.Equal(got, []float64{50, 50}) {
		t.Errorf("two alike: %v, want [50 50]", got)
	}
	got = narrowest([]float64{10, 20}, 100)
	if !slices.Equal(got, []float64{10, 20}) {
		t.Errorf("room to spare: %v, want them as they are", got)
	}
}
