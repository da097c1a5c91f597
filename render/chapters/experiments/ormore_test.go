package experiments

import (
	"testing"

	expt "github.com/ringlab/ringlab/experiments"
)

// The table view writes the sibling histogram's open last bucket as the
// text output does: "5+".
func TestTableViewShowsOpenLastBucket(t *testing.T) {
	e, _ := expt.Lookup("conflicts")
	r, err := e.Start(map[string]float64{"seeds": 1, "clients_max": 1, "skew_max": 0, "ops": 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range r.Tables() {
		if tb.Name != "siblings" {
			continue
		}
		for _, c := range tableColumns(tb) {
			if c.col < 0 || tb.Columns[c.col].Name != "versions" {
				continue
			}
			if got := c.cells[len(c.cells)-1]; got != "5+" {
				t.Errorf("last bucket shows %q, want 5+", got)
			}
			if got := c.cells[0]; got != "1" {
				t.Errorf("first bucket shows %q, want 1", got)
			}
			return
		}
	}
	t.Fatal("no versions column in the siblings table")
}
