package scene

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/ring"
	"github.com/ringlab/ringlab/render/frame"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// viewOf builds a snapshot by hand: nodes n0..n{nodes-1} with vnodes points
// each, and keys "k0".."k{keys-1}" stored on their owner only.
func viewOf(nodes, vnodes, keys int) *core.View {
	v := &core.View{Tick: 10}
	for n := range nodes {
		v.Nodes = append(v.Nodes, core.NodeView{ID: core.NodeID(n), Up: true, InRing: true, Weight: 1})
		for i := range vnodes {
			v.Ring = append(v.Ring, core.RingPoint{Hash: ring.VNodeHash(core.NodeID(n), i), Node: core.NodeID(n), Index: i})
		}
	}
	slices.SortFunc(v.Ring, func(a, b core.RingPoint) int {
		switch {
		case a.Hash < b.Hash:
			return -1
		case a.Hash > b.Hash:
			return 1
		}
		return 0
	})
	for k := range keys {
		name := "k" + strconv.Itoa(k)
		h := ring.HashKey(name)
		o := owner(v.Ring, h)
		v.Nodes[o].Keys = append(v.Nodes[o].Keys, core.KeyView{Key: name, Hash: h})
	}
	return v
}

func TestOwnerMatchesLinearScan(t *testing.T) {
	v := viewOf(5, 7, 0)
	linear := func(h uint64) core.NodeID {
		for _, p := range v.Ring {
			if p.Hash >= h {
				return p.Node
			}
		}
		return v.Ring[0].Node
	}
	probes := []uint64{0, 1, math.MaxUint64, v.Ring[0].Hash, v.Ring[3].Hash, v.Ring[3].Hash + 1, v.Ring[len(v.Ring)-1].Hash + 1}
	for i := range 200 {
		probes = append(probes, ring.HashKey(fmt.Sprint("probe", i)))
	}
	for _, h := range probes {
		if got, want := owner(v.Ring, h), linear(h); got != want {
			t.Errorf("owner(%#x) = %v, linear scan says %v", h, got, want)
		}
	}
}

func TestSmallRingGolden(t *testing.T) {
	v := viewOf(3, 2, 12)
	v.Nodes[1].Up = false
	// n0 believes n2 suspect while n2 is still running.
	v.Nodes[0].Membership = []core.MemberView{{Node: 0}, {Node: 1, Status: core.Dead}, {Node: 2, Status: core.Suspect}}
	v.InFlight = []core.Message{
		{ID: 1, Kind: core.MsgPutReq, From: 0, To: 2, SendTick: 9, DeliverTick: 13},
		{ID: 2, Kind: core.MsgPutAck, From: 2, To: 0, SendTick: 10, DeliverTick: 11},
	}
	var s Ring
	var l frame.Layer
	in := &Input{View: v, Phase: 0.5, Area: frame.Rect{X: 0, Y: 0, W: 600, H: 500}, Scale: 1, Selected: 0, Measure: &frame.GoRegular{}}
	s.Build(in, &l)
	var buf bytes.Buffer
	s.Describe(&buf)
	for _, tx := range l.Texts {
		fmt.Fprintf(&buf, "text %q at (%.0f,%.0f) size %.0f align %d colour %s\n", tx.S, tx.X, tx.Y, tx.Size, tx.Align, tx.C.Hex())
	}
	fmt.Fprintf(&buf, "batches %d vertices %d\n", len(l.Batches()), l.VertexCount())
	golden := "testdata/small_ring.golden"
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("small ring differs from %s:\n--- got\n%s--- want\n%s", golden, buf.Bytes(), want)
	}
}

func TestNodeStatesByShape(t *testing.T) {
	v := viewOf(3, 1, 0)
	v.Nodes[1].Up = false
	v.Nodes[0].Membership = []core.MemberView{{Node: 2, Status: core.Suspect}}
	want := []NodeState{StateUp, StateDown, StateSuspected}
	for i, w := range want {
		if got := StateOf(v, i); got != w {
			t.Errorf("node %d: state %v, want %v", i, got, w)
		}
	}
	// A suspicion held only by a crashed node does not count.
	v.Nodes[0].Up = false
	if got := StateOf(v, 2); got != StateUp {
		t.Errorf("suspected only by a down node: %v, want up", got)
	}
}

func TestMessageAtHalfFlightIsMidwayOnItsCurve(t *testing.T) {
	v := viewOf(4, 1, 0)
	v.Tick = 11
	m := core.Message{ID: 7, Kind: core.MsgPutReq, From: 1, To: 3, SendTick: 10, DeliverTick: 13}
	v.InFlight = []core.Message{m}
	var s Ring
	var l frame.Layer
	s.Build(&Input{View: v, Phase: 0.5, Area: frame.Rect{W: 800, H: 800}, Scale: 1, Selected: core.NoNode}, &l)
	if len(s.Messages) != 1 {
		t.Fatalf("%d messages placed, want 1", len(s.Messages))
	}
	got := s.Messages[0]
	if got.Progress != 0.5 {
		t.Fatalf("progress at tick 11.5 of a 10->13 flight: %v, want 0.5", got.Progress)
	}
	from, _ := s.place(1)
	to, _ := s.place(3)
	// Midpoint of the quadratic curve: a quarter of each end plus half the
	// control point, which is pulled towards the centre.
	cx := s.Geom.CX + ((from.X+to.X)/2-s.Geom.CX)*0.35
	cy := s.Geom.CY + ((from.Y+to.Y)/2-s.Geom.CY)*0.35
	wx, wy := 0.25*from.X+0.5*cx+0.25*to.X, 0.25*from.Y+0.5*cy+0.25*to.Y
	if math.Hypot(got.X-wx, got.Y-wy) > 1e-9 {
		t.Errorf("message at (%v,%v), want (%v,%v)", got.X, got.Y, wx, wy)
	}
	for _, tc := range []struct {
		now  float64
		want float64
	}{{9, 0}, {10, 0}, {11.5, 0.5}, {13, 1}, {20, 1}} {
		if p := Progress(m, tc.now); p != tc.want {
			t.Errorf("Progress at %v = %v, want %v", tc.now, p, tc.want)
		}
	}
}

func TestNodesDoNotOverlap(t *testing.T) {
	for _, n := range []int{2, 5, 16, 64} {
		v := viewOf(n, 1, 0)
		var s Ring
		var l frame.Layer
		s.Build(&Input{View: v, Area: frame.Rect{W: 900, H: 800}, Scale: 1, Selected: core.NoNode}, &l)
		for i := range s.Nodes {
			for j := i + 1; j < len(s.Nodes); j++ {
				a, b := s.Nodes[i], s.Nodes[j]
				if d := math.Hypot(a.X-b.X, a.Y-b.Y); d < a.R+b.R {
					t.Errorf("%d nodes: %v and %v overlap (distance %.1f, radii %.1f+%.1f)", n, a.ID, b.ID, d, a.R, b.R)
				}
			}
		}
		if id, ok := s.NodeAt(s.Nodes[0].X, s.Nodes[0].Y); !ok || id != s.Nodes[0].ID {
			t.Errorf("%d nodes: NodeAt the first glyph = %v %v", n, id, ok)
		}
	}
}

func TestLargeRingIsAFewBatches(t *testing.T) {
	v := viewOf(64, 256, 10000)
	var s Ring
	var l frame.Layer
	s.Build(&Input{View: v, Area: frame.Rect{W: 1280, H: 800}, Scale: 2, Selected: core.NoNode}, &l)
	if s.Keys != 10000 {
		t.Errorf("drew %d keys, want 10000", s.Keys)
	}
	if b := len(l.Batches()); b > 4 {
		t.Errorf("64 nodes x 256 vnodes + 10,000 keys took %d batches (draw calls), want at most 4", b)
	}
	if len(l.Texts) > 64 {
		t.Errorf("%d text labels, want one per node", len(l.Texts))
	}
	// Building again must not allocate: memory is reused between frames.
	allocs := testing.AllocsPerRun(5, func() {
		l.Reset()
		s.Build(&Input{View: v, Area: frame.Rect{W: 1280, H: 800}, Scale: 2, Selected: core.NoNode}, &l)
	})
	if allocs > 80 { // the node labels' strings
		t.Errorf("rebuilding the frame allocated %.0f times, want a bounded few", allocs)
	}
}

func BenchmarkRingBuild(b *testing.B) {
	for _, size := range []struct{ nodes, vnodes, keys int }{{5, 8, 100}, {16, 64, 1000}, {64, 256, 10000}} {
		v := viewOf(size.nodes, size.vnodes, size.keys)
		b.Run(fmt.Sprintf("nodes=%d/vnodes=%d/keys=%d", size.nodes, size.vnodes, size.keys), func(b *testing.B) {
			var s Ring
			var l frame.Layer
			in := &Input{View: v, Area: frame.Rect{W: 1280, H: 800}, Scale: 1, Selected: core.NoNode}
			b.ReportAllocs()
			for b.Loop() {
				l.Reset()
				s.Build(in, &l)
			}
		})
	}
}

// TestReusedRingDrawsWhatAFreshOneDraws: the ring keeps the picture of the
// ring and the keys between frames; a new view with another key, another
// node or another area must redraw it exactly as a fresh Ring would.
func TestReusedRingDrawsWhatAFreshOneDraws(t *testing.T) {
	area := frame.Rect{W: 800, H: 600}
	moreKeys := viewOf(4, 8, 31)
	moreNodes := viewOf(5, 8, 30)
	cases := []struct {
		name string
		view *core.View
		area frame.Rect
	}{
		{"same view again", viewOf(4, 8, 30), area},
		{"one more key", moreKeys, area},
		{"one more node", moreNodes, area},
		{"a smaller area", moreNodes, frame.Rect{W: 500, H: 400}},
	}
	var reused Ring
	var first frame.Layer
	reused.Build(&Input{View: viewOf(4, 8, 30), Area: area, Scale: 1, Selected: core.NoNode}, &first)
	for _, c := range cases {
		var got, want frame.Layer
		reused.Build(&Input{View: c.view, Area: c.area, Scale: 1, Selected: core.NoNode}, &got)
		var fresh Ring
		fresh.Build(&Input{View: c.view, Area: c.area, Scale: 1, Selected: core.NoNode}, &want)
		if !slices.EqualFunc(got.Batches(), want.Batches(), func(a, b frame.Batch) bool {
			return slices.Equal(a.Verts, b.Verts) && slices.Equal(a.Idx, b.Idx)
		}) {
			t.Errorf("%s: the reused ring drew %d vertices, a fresh one %d (or the same count, differently)",
				c.name, got.VertexCount(), want.VertexCount())
		}
		if reused.Keys != fresh.Keys || !slices.Equal(reused.KeysByOwner, fresh.KeysByOwner) {
			t.Errorf("%s: reused counts %d %v, fresh %d %v", c.name, reused.Keys, reused.KeysByOwner, fresh.Keys, fresh.KeysByOwner)
		}
	}
}

// A suspicion says whose it is: how many of the running nodes hold it.
func TestSuspicionSaysWhose(t *testing.T) {
	v := viewOf(4, 1, 0)
	v.Nodes[1].Up = false
	v.Nodes[0].Membership = []core.MemberView{{Node: 2, Status: core.Suspect}}
	if by, of := Suspicion(v, 2); by != 1 || of != 2 {
		t.Errorf("n2 suspected by %d of %d, want 1 of 2 (n0 of n0 and n3; n1 is down)", by, of)
	}
	if got, want := StateText(v, 2), "suspected by 1 of 2"; got != want {
		t.Errorf("state text %q, want %q", got, want)
	}
	if got := StateText(v, 3); got != "up" {
		t.Errorf("n3: %q, want up", got)
	}
	var s Ring
	var l frame.Layer
	s.Build(&Input{View: v, Area: frame.Rect{W: 600, H: 600}, Scale: 1, Measure: &frame.GoRegular{}}, &l)
	found := false
	for _, tx := range l.Texts {
		found = found || tx.S == "n2 suspected by 1 of 2"
	}
	if !found {
		t.Error("the ring's label does not say whose suspicion it is")
	}
}
