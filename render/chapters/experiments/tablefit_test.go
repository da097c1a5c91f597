package experiments

import (
	"slices"
	"strings"
	"testing"

	expt "github.com/ringlab/ringlab/experiments"
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
		// A column's header is drawn line by line, its label's then its
		// unit's, each wrapped at spaces.
		joined := strings.ReplaceAll(got, "\n", " ")
		for _, c := range tableColumns(tab) {
			head := c.head
			if c.unit != "" {
				head += " " + unitText(c.unit)
			}
			if !strings.Contains(joined, " "+head+" ") {
				t.Errorf("%s/%s: header %q is not on screen whole", name, tab.Name, head)
			}
		}
	})
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
