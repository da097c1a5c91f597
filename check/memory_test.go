package check

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ringlab/ringlab/core"
)

// A check whose heap outgrows its bound stops at once and says so, rather
// than reporting what the stopped search happened to find.
func TestMemoryBoundGivesUndecided(t *testing.T) {
	var reads atomic.Int64
	saved := heapBytes
	heapBytes = func() uint64 { // the heap grows by 1 GB between two reads
		return uint64(reads.Add(1)) << 30
	}
	defer func() { heapBytes = saved }()

	stale := []core.Op{
		{Request: 1, Client: 1, Kind: core.OpPut, Key: "k", Value: "a", InvokeTick: 0, ReturnTick: 2, OK: true},
		{Request: 2, Client: 2, Kind: core.OpGet, Key: "k", InvokeTick: 5, ReturnTick: 7, OK: true},
	}
	res := LinearizableWithin(stale, Limits{MemoryBytes: 64 << 20})
	if !res.Unknown || !res.MemoryBound || res.OK || len(res.Violations) > 0 {
		t.Fatalf("result %+v, want undecided by the memory bound", res)
	}
	if got := res.String(); !strings.HasPrefix(got, "undecided: memory bound:") || !strings.Contains(got, "64 MB") {
		t.Errorf("verdict %q", got)
	}

	// Without a bound, or with room to spare, the same history is decided.
	if res := LinearizableWithin(stale, Limits{}); res.OK || res.Unknown || len(res.Violations) != 1 {
		t.Errorf("unbounded: %+v, want one violation", res)
	}
	heapBytes = saved
	if res := LinearizableWithin(stale, Limits{MemoryBytes: 1 << 40}); res.Unknown || len(res.Violations) != 1 {
		t.Errorf("with room: %+v, want one violation", res)
	}
}

// Once the guard has tripped every step fails, so the search adds nothing
// to its cache and a step taken by a narrowing pass proves nothing.
func TestStoppedModelRefusesEveryStep(t *testing.T) {
	var stop atomic.Bool
	m := newRegisterModel(&stop)
	if ok, _ := m.Step("", regInput{key: "k", put: true, value: "a"}, regOutput{}); !ok {
		t.Fatalf("a put is refused before the stop")
	}
	stop.Store(true)
	if ok, _ := m.Step("", regInput{key: "k", put: true, value: "a"}, regOutput{}); ok {
		t.Errorf("a put is accepted after the stop")
	}
}
