package core

import (
	"slices"
	"strings"
	"testing"
)

func mustNew(t testing.TB, cfg Config) *Cluster {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.oracle.check = true
	return c
}

func mustApply(t testing.TB, c *Cluster, cmd Command) RequestID {
	t.Helper()
	id, err := c.Apply(cmd)
	if err != nil {
		t.Fatalf("Apply(%+v): %v", cmd, err)
	}
	return id
}

// waitOp runs the cluster until request id has returned (or maxTicks pass)
// and returns it as the client saw it.
func waitOp(t testing.TB, c *Cluster, id RequestID, maxTicks int64) Op {
	t.Helper()
	for end := c.Now() + maxTicks; ; c.Tick() {
		var found *Op
		c.history.all(func(op *Op) bool {
			if op.Request == id && op.ReturnTick >= 0 {
				found = op
			}
			return found == nil
		})
		if found != nil {
			return *found
		}
		if c.Now() >= end {
			t.Fatalf("request %d still pending after %d ticks", id, maxTicks)
		}
	}
}

// storedValues is what node n stores for key, as the View shows it, sorted.
func storedValues(v View, n NodeID, key string) []string {
	for _, k := range v.Nodes[n].Keys {
		if k.Key == key {
			var out []string
			for _, ver := range k.Versions {
				out = append(out, ver.Value)
			}
			slices.Sort(out)
			return out
		}
	}
	return nil
}

func countEvents(evs []Event, kind EventKind) int {
	n := 0
	for _, e := range evs {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// quietConfig is the default cluster with the background mechanisms slowed
// down or off, so that a test controls what happens.
func quietConfig() Config {
	cfg := DefaultConfig()
	cfg.AntiEntropyIntervalTicks = 0
	cfg.ReadRepair = false
	return cfg
}

// keyOwnedBy finds a key whose preference list (of length 3) starts with
// the given nodes, in order.
func keyOwnedBy(t testing.TB, c *Cluster, prefix string, want ...NodeID) string {
	t.Helper()
	for i := 0; i < 100000; i++ {
		k := prefix + itoa(i)
		if slices.Equal(c.PreferenceList(k, len(want)), want) {
			return k
		}
	}
	t.Fatalf("no key with preference list %v", want)
	return ""
}

func joinLines(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}
