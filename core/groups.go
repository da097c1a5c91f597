package core

import (
	"slices"
	"strings"

	"github.com/ringlab/ringlab/core/ids"
)

// ParseGroups reads the partition an EvPartition event describes ("{n0 n1}
// | {n2 n3 n4}", as the cluster writes it): the groups in order, each
// sorted. It reports false for text it does not recognise, such as
// "healed".
func ParseGroups(text string) ([][]NodeID, bool) {
	var groups [][]NodeID
	for _, part := range strings.Split(text, " | ") {
		inner, ok := strings.CutPrefix(part, "{")
		if !ok {
			return nil, false
		}
		if inner, ok = strings.CutSuffix(inner, "}"); !ok {
			return nil, false
		}
		var g []NodeID
		for _, f := range strings.Fields(inner) {
			id, ok := ids.Parse(f)
			if !ok {
				return nil, false
			}
			g = append(g, id)
		}
		slices.Sort(g)
		groups = append(groups, g)
	}
	return groups, len(groups) > 0
}
