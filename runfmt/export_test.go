package runfmt

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// TestEveryEventKindHasAnExportName: each kind the core emits has its own
// name in events.csv (a new kind must get one).
func TestEveryEventKindHasAnExportName(t *testing.T) {
	seen := map[string]core.EventKind{}
	for k := core.EvMsgSend; k <= core.EvTransferDone; k++ {
		name := EventKindName(k)
		if strings.HasPrefix(name, "event") {
			t.Errorf("event kind %d has no export name", k)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("kinds %d and %d are both %q", other, k, name)
		}
		seen[name] = k
	}
}

// TestExportsOfARebuiltRun: the CSVs of a run rebuilt headless have a row
// per event and per operation, under their headers.
func TestExportsOfARebuiltRun(t *testing.T) {
	k := ParseLink("#v=1&chapter=sandbox&seed=9&tick=150&a=10:put:node=n1:key=cart:value=a~30:crash:node=n2")
	r, _ := k.Run("sandbox", 1, sandboxPreset(9))
	c, _, err := Rebuild{Until: -1, Events: true}.Run(r, sandboxPreset(9))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		data  []byte
		rows  int
		first string
	}{
		{"events.csv", EventsCSV(c.Events()), c.Counters().Events, "seq"},
		{"history.csv", HistoryCSV(c.History()), len(c.History()), "request"},
	} {
		rows, err := csv.NewReader(bytes.NewReader(tc.data)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(rows) != tc.rows+1 || rows[0][0] != tc.first || tc.rows == 0 {
			t.Errorf("%s: %d rows, header %v; want %d and a header starting %q", tc.name, len(rows), rows[0], tc.rows+1, tc.first)
		}
	}
}

// TestRebuildStrictOrLenient: a refused action fails a strict rebuild with
// its number, and is skipped with a notice by a lenient one (as the lab
// opens links).
func TestRebuildStrictOrLenient(t *testing.T) {
	k := ParseLink("#v=1&chapter=sandbox&seed=9&tick=40&a=5:crash:node=n1~9:antientropy:node=n2:peer=n2:peer_set=1~12:crash:node=n3")
	r, _ := k.Run("sandbox", 1, sandboxPreset(9))
	if _, _, err := (Rebuild{Until: -1}).Run(r, sandboxPreset(9)); err == nil || !strings.Contains(err.Error(), "action 2") {
		t.Errorf("strict: %v, want an error naming action 2", err)
	}
	c, notices, err := Rebuild{Until: -1, Lenient: true}.Run(r, sandboxPreset(9))
	if err != nil || len(notices) != 1 || !strings.Contains(notices[0], "action 2") {
		t.Fatalf("lenient: %v, notices %v", err, notices)
	}
	v := c.View()
	if v.Nodes[1].Up || v.Nodes[3].Up || c.Now() != 40 {
		t.Errorf("lenient: n1 up %v, n3 up %v, tick %d; want both crashed at tick 40", v.Nodes[1].Up, v.Nodes[3].Up, c.Now())
	}
}
