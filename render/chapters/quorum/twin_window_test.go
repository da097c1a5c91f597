package quorum

import (
	"testing"

	"github.com/ringlab/ringlab/core"
)

// The twin forgets its client history before the live run's window, as the
// live cluster does: a long CAP run stays bounded on both sides.
func TestTwinForgetsWithTheLiveRun(t *testing.T) {
	cfg := core.DefaultConfig()
	cfg.Workload = core.Workload{Clients: 4, Keys: 8, PutFraction: 0.5, ThinkTicksMax: 5, KeyPrefix: "k"}
	live, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	live.DiscardEvents(true)
	live.RunUntil(20000)
	live.ForgetBefore(15000)
	if live.HistoryFrom() == 0 {
		t.Fatal("the live run forgot nothing")
	}
	other := cfg
	other.Mode = core.Strict
	var tw twin
	tw.reset(other)
	tw.sync(live)
	if tw.c.HistoryFrom() != live.HistoryFrom() || tw.c.HistoryForgotten() == 0 {
		t.Errorf("twin's history from %d (%d forgotten), live's from %d", tw.c.HistoryFrom(), tw.c.HistoryForgotten(), live.HistoryFrom())
	}
}
