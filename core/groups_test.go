package core

import (
	"reflect"
	"testing"
)

// TestParseGroupsReadsWhatThePartitionEventWrites checks ParseGroups against
// describeGroups, the text EvPartition carries, including the group of
// unlisted nodes it adds.
func TestParseGroupsReadsWhatThePartitionEventWrites(t *testing.T) {
	for _, tc := range []struct {
		name   string
		groups [][]NodeID
		nodes  int
		want   [][]NodeID
	}{
		{"two sides", [][]NodeID{{0, 1}, {2, 3, 4}}, 5, [][]NodeID{{0, 1}, {2, 3, 4}}},
		{"unlisted nodes form a side", [][]NodeID{{3, 1}}, 5, [][]NodeID{{1, 3}, {0, 2, 4}}},
		{"three sides", [][]NodeID{{0}, {1}, {2}}, 3, [][]NodeID{{0}, {1}, {2}}},
	} {
		text := describeGroups(tc.groups, tc.nodes)
		got, ok := ParseGroups(text)
		if !ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: ParseGroups(%q) = %v, %v; want %v", tc.name, text, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"", "healed", "{n0 n1", "{n0 x1}", "{n0} {n1}"} {
		if g, ok := ParseGroups(bad); ok {
			t.Errorf("ParseGroups(%q) = %v, true; want false", bad, g)
		}
	}
}
