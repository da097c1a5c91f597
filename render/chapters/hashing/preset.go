package hashing

import (
	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/ui"
)

// placementConfig is the cluster the placement chapters start from: four
// servers with vnodes points each and no traffic, since these chapters are
// about where keys go, not about requests (one replica per key, no
// background sync).
func placementConfig(seed uint64, vnodes int) core.Config {
	cfg := core.DefaultConfig()
	cfg.Seed = seed
	cfg.Nodes = 4
	cfg.VNodes = vnodes
	cfg.N, cfg.W, cfg.R = 1, 1, 1
	cfg.AntiEntropyIntervalTicks = 0
	return cfg
}

// keyCountDropdown picks how many sample keys a chapter shows, from keyCounts.
func keyCountDropdown(id, tip string) *ui.Dropdown {
	labels := make([]string, len(keyCounts))
	for i, n := range keyCounts {
		labels[i] = "Keys: " + thousands(n)
	}
	return ui.NewDropdown(id, "", tip, labels, 0, nil)
}
