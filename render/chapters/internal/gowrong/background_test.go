package gowrong

import (
	"reflect"
	"testing"
	"time"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/explore"
	"github.com/ringlab/ringlab/core/explore/job"
)

// final polls r until its last message, failing after a minute (a search
// that never ends, not a slow one).
func final(t *testing.T, r Remote) job.Message {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if m, ok := r.Poll(); ok && m.Final() {
			return m
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the background search posted no outcome within a minute")
	return job.Message{}
}

func scenario(t *testing.T, nodes, w, r int, script string) explore.Scenario {
	t.Helper()
	cfg := core.DefaultConfig()
	cfg.Nodes, cfg.N, cfg.W, cfg.R, cfg.Mode = nodes, 3, w, r, core.Strict
	sc, err := explore.ParseScript(script)
	if err != nil {
		t.Fatal(err)
	}
	return explore.Scenario{Config: cfg, Script: sc, Property: core.PropStale}
}

// A search on its own goroutine ends with the report the search gives in
// process; cancelled, it stops, cut.
func TestBackgroundSearchesAsInProcessAndStopsWhenCancelled(t *testing.T) {
	sc := scenario(t, 3, 1, 1, "c1: put k v1 ; c2: get k")
	s, err := explore.New(sc, bounds)
	if err != nil {
		t.Fatal(err)
	}
	want := s.Run()
	r := Background(job.FromScenario(sc, bounds))
	if r.Where() != "background" {
		t.Errorf("Where() = %q", r.Where())
	}
	if got := final(t, r); got.Error != "" || !reflect.DeepEqual(got.Report, want) {
		t.Errorf("in the background: %+v\nin process: %+v", got, want)
	}

	big := Background(job.FromScenario(scenario(t, 4, 2, 2, "c1: put k v1 | c2: put k v2 ; c1: get k"), bounds))
	big.Cancel()
	if got := final(t, big); got.Report.CutBy != "cancel" || got.Report.Exhausted || got.Report.Violated {
		t.Errorf("cancelled: %+v", got.Report)
	}
}

// A search that panics on its goroutine ends with a message saying it
// stopped, and the program goes on.
func TestABackgroundPanicIsAMessage(t *testing.T) {
	r := inBackground(func(func() bool, func(job.Message)) { panic("explore: a choice was refused") })
	if got := final(t, r); !got.Stopped || got.Error != "explore: a choice was refused" {
		t.Errorf("after a panic: %+v", got)
	}
}
