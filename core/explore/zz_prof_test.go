package explore

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/internal/memstat"
)

func TestZZProf2w2r(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	cfg := smallConfig()
	cfg.Nodes = 3
	cfg.W, cfg.R = 2, 2
	script := "c1: put k v1 | c2: put k v2 ; c1: get k | c2: get k"
	if v := os.Getenv("ZZS"); v != "" {
		script = v
	}
	sc := Scenario{Config: cfg, Script: mustScript(t, script), Property: core.PropStale}
	s, err := New(sc, Bounds{MaxStates: 50000000})
	if err != nil {
		t.Fatal(err)
	}
	perDepth := map[int]int{}
	s.onNew = func(h uint64, d int) { perDepth[d]++ }
	t0 := time.Now()
	dumped := false
	maxLive := uint64(0)
	for !s.Step(256) {
		if l := memstat.Live(); l > maxLive {
			maxLive = l
			if !dumped && os.Getenv("ZZH") != "" && l > 700<<20 {
				dumped = true
				runtime.GC()
				f, _ := os.Create("/tmp/heap.prof")
				pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
	}
	t.Logf("per depth %v", perDepth)
	t.Logf("%v maxLive %d MB %+v", time.Since(t0), maxLive>>20, s.Report())
}
