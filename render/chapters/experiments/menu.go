package experiments

import (
	"fmt"

	expt "github.com/ringlab/ringlab/experiments"
)

// entry is one experiment of the page's menu.
type entry struct {
	name  string // the experiment's name in package experiments
	short string // the menu's and the chapter links' wording
	// tryThis is the page's prompt for this experiment: what to run and
	// what to predict before looking.
	tryThis string
}

// menu is the page's list, in the order the chapters teach the ideas:
// placement (movement, balance, Dynamo's strategies), replication
// (availability, staleness, latency), versioning, anti-entropy, gossip.
var menu = []entry{
	{"movement", "Keys moved by a join",
		"Predict first: going from 4 to 5 servers, what share of the keys does hash % N move? And the ring? Press Run and read both at N = 4."},
	{"balance", "Load spread against vnodes",
		"Guess the spread at 100 vnodes per node before running: the prediction says about 1/sqrt(100) = 10%. Then set nodes to 50 and run again."},
	{"dynamo", "Dynamo's partitioning strategies",
		"At equal metadata, which strategy balances best? Run, compare the lines at one point on the x axis, then switch to the second figure: metadata counted as the paper counts it."},
	{"availability", "Availability against vnodes",
		"More vnodes: does a failure hurt more or fewer key ranges? Run, then switch to the second table: the share of keys lost stays flat."},
	{"staleness", "Stale reads against time",
		"Which N/W/R settings can read stale data, and for how long after a write? Run and find where each line reaches zero."},
	{"latency", "Latency against W and R",
		"Predict: does p99 grow faster than p50 as W or R rises? Run and compare the two percentiles."},
	{"conflicts", "LWW against vector clocks",
		"With more concurrent clients, how many acknowledged writes does last-write-wins lose? Run, then look at the skew and sibling tables."},
	{"merkle", "Merkle exchange cost",
		"One divergent key among 10,000: how much does a Merkle comparison send? Run and compare with the full exchange line."},
	{"gossip", "Gossip spread against size",
		"Doubling the cluster adds how many gossip rounds? Run and compare the measurement with log2(n)."},
}

// menuIndex is the position of the experiment called name, or -1.
func menuIndex(name string) int {
	for i, e := range menu {
		if e.name == name {
			return i
		}
	}
	return -1
}

// ShortName is the wording a chapter's link uses for an experiment.
func ShortName(name string) (string, bool) {
	if i := menuIndex(name); i >= 0 {
		return menu[i].short, true
	}
	return "", false
}

// lookupAll resolves every menu entry in package experiments, so that a
// renamed experiment fails loudly at start rather than as a blank page.
func lookupAll() ([]expt.Experiment, error) {
	out := make([]expt.Experiment, len(menu))
	for i, e := range menu {
		x, ok := expt.Lookup(e.name)
		if !ok {
			return nil, fmt.Errorf("experiments page: no experiment %q (have %s)", e.name, expt.Names())
		}
		out[i] = x
	}
	return out, nil
}
