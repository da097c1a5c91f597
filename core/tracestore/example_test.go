package tracestore_test

import (
	"fmt"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/tracestore"
)

// A space-time diagram of ticks 100 to 110: the messages (arrows between
// node lines, delivered or dropped) and the client operations (bars).
func Example() {
	cfg := core.DefaultConfig()
	cfg.Workload = core.Workload{Clients: 2, Keys: 2, PutFraction: 0.5, ThinkTicksMax: 5, KeyPrefix: "k"}
	c, _ := core.New(cfg)
	s := tracestore.New(0)
	for c.Now() < 120 {
		c.Tick()
		s.Add(c.Events())
		s.Sync(c, c.Now())
	}
	fates := map[tracestore.Fate]int{}
	for _, m := range s.Messages(100, 110) {
		fates[m.Fate]++
	}
	ops := s.Ops(100, 110)
	fmt.Println("window from tick", s.Start(), "to", s.End())
	fmt.Println("messages delivered:", fates[tracestore.Delivered] > 0, "operations:", len(ops) > 0)
	// Output:
	// window from tick 0 to 120
	// messages delivered: true operations: true
}
