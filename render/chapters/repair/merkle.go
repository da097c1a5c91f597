package repair

import (
	"fmt"
	"github.com/ringlab/ringlab/render/chapters/internal/runtrace"
	"slices"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/merkle"
	"github.com/ringlab/ringlab/core/ring"
	"github.com/ringlab/ringlab/render/chapters/measureit"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// The Merkle chapter's pair of replicas and the one that misses writes.
const (
	merkleA    core.NodeID = 0 // starts the exchange
	merkleB    core.NodeID = 1 // misses the writes
	merkleHot              = "hot:"
	merkleCold             = "cold:"
)

// Merkle is chapter 8: two replicas compare their Merkle trees top-down and
// repair exactly the keys that differ; read repair fixes a hot key on the
// read path.
type Merkle struct {
	// measure links to the experiments that measure this chapter's claim.
	measure measureit.Links
	trace   runtrace.Trace

	diverge, read, sync *ui.Button
	hits                []hit
	ex                  exchange
	// readyAt is the tick the run was found ready for the chapter's
	// buttons (setupProgress.ready), or -1 while it is not known.
	readyAt int64
}

// NewMerkle makes chapter 8.
func NewMerkle() *Merkle { return &Merkle{trace: runtrace.New(merkleEventKinds), readyAt: -1} }

func merkleEventKinds(k core.EventKind) bool {
	switch k {
	case core.EvMerkleCompare, core.EvMerkleKeys, core.EvVersionStored, core.EvReadRepair, core.EvRequestDone, core.EvRequestStart:
		return true
	}
	return false
}

func (c *Merkle) Info() lab.ChapterInfo {
	return lab.ChapterInfo{
		ID:      "merkle",
		Title:   "Anti-entropy with Merkle trees, and read repair",
		Summary: "Two replicas' hash trees of one key range, side by side: grey subtrees matched at once, vermillion ones were followed down to the leaves.",
		TryThis: "Let n1 miss two writes, then compare trees: predict a handful of hashes, far fewer than the keys in the ranges, and only the two missed keys repaired. Or read the hot key first: read repair fixes it on the spot.",
	}
}

// Preset: five nodes with few ring points (so that a pair of replicas
// shares a few large ranges), strict quorums (a missed write is not kept as
// a hint), and background Merkle sync off, so that the learner starts every
// exchange. A workload writes a few hundred keys first (about 260 ticks);
// read repair is switched on at tick 300, after them, and a fresh lab opens
// there. A run shown from an earlier tick (a link without a tick, a scrub
// back) keeps the chapter's buttons off until both are done: see setup.
func (c *Merkle) Preset(seed uint64) lab.Preset {
	cfg := core.DefaultConfig()
	cfg.Seed = seed
	cfg.VNodes = 4
	cfg.Mode = core.Strict
	cfg.ReadRepair = false
	cfg.AntiEntropyIntervalTicks = 0
	cfg.MerkleDepth = 4
	cfg.LatencyMinTicks, cfg.LatencyMaxTicks = 1, 3
	cfg.RequestTimeoutTicks = 24
	cfg.Workload = core.Workload{Clients: 24, Keys: 600, PutFraction: 1, Ops: 1200, ThinkTicksMax: 2, KeyPrefix: "k"}
	// The script keeps the older spelling of read_repair: the command's
	// text is part of the trace, so links shared before stay the same run.
	return lab.Preset{Config: cfg, Script: []core.Recorded{
		{Tick: 300, Cmd: core.Command{Kind: core.CmdSet, Param: "readrepair", Num: 1}},
	}}
}

func (c *Merkle) Parts() lab.Parts { return lab.PartsAll }

// replicatedBy is the first key with the prefix whose replicas include both
// a and b.
func replicatedBy(cl *core.Cluster, prefix string, a, b core.NodeID, n int) string {
	for i := range 100000 {
		k := prefix + strconv.Itoa(i)
		pl := cl.PreferenceList(k, n)
		if slices.Contains(pl, a) && slices.Contains(pl, b) {
			return k
		}
	}
	return prefix + "0"
}

// chapterKeys are the cold and the hot key the chapter writes.
func chapterKeys(cl *core.Cluster) (cold, hot string) {
	n := cl.Config().N
	return replicatedBy(cl, merkleCold, merkleA, merkleB, n), replicatedBy(cl, merkleHot, merkleA, merkleB, n)
}

func (c *Merkle) Controls(x *lab.Context) []ui.Widget {
	if c.measure == nil {
		c.measure = measureit.NewLinks("merkle")
	}
	if c.diverge == nil {
		c.diverge = ui.NewButton("merkle-diverge", "n1 misses two writes", "Cut n1 off, write a cold and a hot key through n0, then reconnect n1", nil)
		c.read = ui.NewButton("merkle-read", "Read the hot key", "A get of the hot key through n0: the stale reply of n1 is repaired", nil)
		c.sync = ui.NewButton("merkle-sync", "Compare trees n0 ↔ n1", "n0 starts one Merkle exchange with n1", nil)
	}
	v := x.View
	ready := c.setup(x).ready
	_, waiting := divergePuts(x)
	c.diverge.OnClick = func() { c.startDiverge(x) }
	c.diverge.Disabled = !ready || waiting || v == nil || len(v.Groups) > 0
	c.read.OnClick = func() {
		_, hot := chapterKeys(x.Cluster())
		if _, err := x.Apply(core.Command{Kind: core.CmdGet, Node: merkleA, Client: 1, Key: hot}); err != nil {
			x.Notify("Read refused: " + err.Error())
		}
	}
	c.sync.OnClick = func() {
		if _, err := x.Apply(core.Command{Kind: core.CmdAntiEntropy, Node: merkleA, Peer: merkleB}); err != nil {
			x.Notify("Anti-entropy refused: " + err.Error())
		}
	}
	// While n1 is cut off an exchange could not reach it: compare once
	// the divergence step has healed the partition.
	c.sync.Disabled = !ready || waiting || v == nil || len(v.Groups) > 0
	missed := missedKeys(x.View)
	c.diverge.Primary = ready && missed == 0 && !waiting
	c.sync.Primary = ready && missed > 0
	return append([]ui.Widget{c.diverge, c.read, c.sync}, c.measure.Buttons(x)...)
}

// setupProgress is how far the preset's workload is: the chapter's
// experiment needs n0 and n1 to agree on every workload key first, or a
// comparison finds every bucket different.
type setupProgress struct {
	done, total int // workload writes answered, of the preset's total
	// written: every write was issued and answered, and no copy of one
	// is still on its way to a replica.
	written bool
	// ready: written, and read repair is on (the preset's script turns it
	// on after the writes), so that both of the chapter's claims hold.
	ready bool
}

// setup measures the workload's progress from the run. Once the workload
// is found settled at some tick, later ticks of the same run are ready
// without looking again (a scrub back before it looks again).
func (c *Merkle) setup(x *lab.Context) setupProgress {
	v := x.View
	if v == nil {
		return setupProgress{}
	}
	w := v.Config.Workload
	if c.readyAt >= 0 && v.Tick >= c.readyAt {
		return setupProgress{done: w.Ops, total: w.Ops, written: true, ready: true}
	}
	c.readyAt = -1
	p := workloadProgress(v, x.Cluster().History())
	p.ready = p.written && v.Config.ReadRepair
	if p.ready {
		c.readyAt = v.Tick
	}
	return p
}

// workloadProgress counts the workload's answered operations in history
// (its keys carry the workload's prefix) and checks that none is pending
// and no replica write of one is in flight.
func workloadProgress(v *core.View, history []core.Op) setupProgress {
	w := v.Config.Workload
	isWorkload := func(key string) bool { return strings.HasPrefix(key, w.KeyPrefix) }
	p := setupProgress{total: w.Ops}
	issued := 0
	for _, op := range history {
		if !isWorkload(op.Key) {
			continue
		}
		issued++
		if op.ReturnTick >= 0 {
			p.done++
		}
	}
	p.written = issued >= w.Ops && p.done == issued
	for _, r := range v.Requests {
		if isWorkload(r.Key) {
			p.written = false
		}
	}
	for _, m := range v.InFlight {
		if m.Kind == core.MsgPutReq && isWorkload(m.Key) {
			p.written = false
		}
	}
	return p
}

// missedKeys counts the chapter's keys that n0 stores and n1 does not hold
// in the same versions.
func missedKeys(v *core.View) int {
	if v == nil || int(merkleB) >= len(v.Nodes) {
		return 0
	}
	n := 0
	for _, ka := range v.Nodes[merkleA].Keys {
		if !isChapterKey(ka.Key) {
			continue
		}
		if kb, ok := keyOf(v.Nodes[merkleB].Keys, ka.Key); !ok || !sameVersions(ka.Versions, kb.Versions) {
			n++
		}
	}
	return n
}

func isChapterKey(k string) bool {
	return len(k) > len(merkleHot) && k[:len(merkleHot)] == merkleHot || len(k) > len(merkleCold) && k[:len(merkleCold)] == merkleCold
}

func keyOf(keys []core.KeyView, key string) (core.KeyView, bool) {
	i, ok := slices.BinarySearchFunc(keys, key, func(k core.KeyView, key string) int {
		switch {
		case k.Key < key:
			return -1
		case k.Key > key:
			return 1
		}
		return 0
	})
	if !ok {
		return core.KeyView{}, false
	}
	return keys[i], true
}

func sameVersions(a, b []core.VersionView) bool {
	return slices.EqualFunc(a, b, func(x, y core.VersionView) bool { return x.Dot == y.Dot })
}

// startDiverge cuts n1 off and writes the two keys through n0; Update heals
// the partition once both writes are answered.
func (c *Merkle) startDiverge(x *lab.Context) {
	cold, hot := chapterKeys(x.Cluster())
	if _, err := x.Apply(core.Command{Kind: core.CmdPartition, Groups: [][]core.NodeID{{merkleB}}}); err != nil {
		x.Notify("Refused: " + err.Error())
		return
	}
	for i, k := range []string{cold, hot} {
		if _, err := x.Apply(core.Command{Kind: core.CmdPut, Node: merkleA, Client: divergeClient + i, Key: k, Value: divergeValue}); err != nil {
			x.Notify("Write refused: " + err.Error())
		}
	}
}

// The divergence step's writes: clients divergeClient and divergeClient+1
// put divergeValue to the cold and the hot key through n0.
const (
	divergeClient = 2
	divergeValue  = "new"
)

// divergePuts finds the last divergence step's writes in the history:
// whether there are any, and whether one still waits for its answer.
func divergePuts(x *lab.Context) (sent int64, waiting bool) {
	cold, hot := chapterKeys(x.Cluster())
	sent = -1
	for op := range x.Cluster().Ops() {
		if op.Kind != core.OpPut || op.Coordinator != merkleA || op.Value != divergeValue ||
			op.Client != divergeClient && op.Client != divergeClient+1 || op.Key != cold && op.Key != hot {
			continue
		}
		if op.InvokeTick != sent {
			sent, waiting = op.InvokeTick, false
		}
		waiting = waiting || op.ReturnTick < 0
	}
	return sent, waiting
}

// partitionedSince is the tick of the last partition command of the run so
// far, or -1.
func partitionedSince(x *lab.Context) int64 {
	rec := x.Cluster().Recorded()
	for i := len(rec) - 1; i >= 0; i-- {
		if rec[i].Cmd.Kind == core.CmdPartition {
			return rec[i].Tick
		}
	}
	return -1
}

func (c *Merkle) Enter(x *lab.Context) {
	c.trace.Reset()
	c.ex = exchange{}
	c.readyAt = -1
}

func (c *Merkle) Update(x *lab.Context) {
	c.trace.Sync(x)
	if x.View == nil {
		return
	}
	// The partition of the divergence step heals once both of its writes
	// are answered, in the live run only: in a replayed past the heal is
	// already recorded.
	if sent, waiting := divergePuts(x); sent >= 0 && !waiting && len(x.View.Groups) > 0 && x.AtHead() && partitionedSince(x) <= sent {
		if _, err := x.Apply(core.Command{Kind: core.CmdHeal}); err != nil {
			x.Notify("Heal refused: " + err.Error())
		}
	}
	c.ex = lastExchange(c.trace.Events, merkleA, merkleB)
	for _, rv := range x.Cluster().MerkleRanges(merkleA) {
		if _, ok := c.ex.compares[rv.End]; ok {
			c.ex.KeysInRanges += rv.Keys
		}
	}
}

func (c *Merkle) NodeAt(x, y float64) (core.NodeID, bool) { return nodeAt(c.hits, x, y) }

// exchange is the latest Merkle exchange between two nodes, from the trace.
type exchange struct {
	started bool
	start   int64 // tick of the root comparisons
	// compares holds every comparison, per range (keyed by the range end).
	compares map[uint64][]core.Event
	ranges   []uint64 // compared ranges, in order of first comparison
	// Hashes is the number of hashes sent: one per comparison.
	Hashes int
	// KeysSent is what the two sides shipped of the differing buckets;
	// Repaired the distinct keys that changed on either side by it, and
	// repairs each key with the replica it changed on.
	KeysSent int
	Repaired []string
	repairs  []repairedKey
	// KeysInRanges is the number of keys n0 stores in the compared ranges
	// now (set by the chapter from the cluster).
	KeysInRanges int
	// Shown is the range drawn: the one with the most differing nodes.
	Shown uint64
}

// repairedKey is a key the exchange wrote to a replica that lacked it.
type repairedKey struct {
	key string
	on  core.NodeID
}

// lastExchange finds the last exchange between a and b: it starts at the
// last tick where they compared roots.
func lastExchange(events []core.Event, a, b core.NodeID) exchange {
	ex := exchange{compares: map[uint64][]core.Event{}}
	pair := func(e core.Event) bool {
		return e.From == a && e.To == b || e.From == b && e.To == a
	}
	first := -1
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if e.Kind == core.EvMerkleCompare && e.Level == 0 && pair(e) {
			first = i
			ex.start = e.Tick
			for first > 0 && events[first-1].Tick == e.Tick {
				first--
			}
			break
		}
	}
	if first < 0 {
		return ex
	}
	ex.started = true
	repaired := map[string]bool{}
	for _, e := range events[first:] {
		switch {
		case e.Kind == core.EvMerkleCompare && pair(e):
			if _, ok := ex.compares[e.Range]; !ok {
				ex.ranges = append(ex.ranges, e.Range)
			}
			ex.compares[e.Range] = append(ex.compares[e.Range], e)
			ex.Hashes++
		case e.Kind == core.EvMerkleKeys && pair(e):
			ex.KeysSent += e.Count
		case e.Kind == core.EvVersionStored && e.Request == 0 && (e.To == a || e.To == b):
			if !repaired[e.Key] {
				repaired[e.Key] = true
				ex.Repaired = append(ex.Repaired, e.Key)
				ex.repairs = append(ex.repairs, repairedKey{e.Key, e.To})
			}
		}
	}
	differ := -1
	for _, r := range ex.ranges {
		d := 0
		for _, e := range ex.compares[r] {
			if !e.Equal {
				d++
			}
		}
		if d > differ {
			differ, ex.Shown = d, r
		}
	}
	return ex
}

// nodeState is how one tree node fared in the shown range's comparison.
type nodeState uint8

const (
	notCompared nodeState = iota // under an equal node: never looked at
	comparedEqual
	comparedDiffer
)

// states lays the shown range's comparisons out per level and index.
func (ex *exchange) states(depth int) [][]nodeState {
	out, _ := ex.compared(depth, merkleA, merkleB)
	return out
}

// compared lays the shown range's comparisons out per level and index:
// what each found, and the two hashes it compared, a's tree's in
// hashes[0] and b's in hashes[1], as the comparison's event recorded them
// (the trees as they were then, not as they are now). A node never
// compared has state notCompared and no hash.
func (ex *exchange) compared(depth int, a, b core.NodeID) ([][]nodeState, [2][][]uint64) {
	out := make([][]nodeState, depth+1)
	var hashes [2][][]uint64
	for lv := range out {
		out[lv] = make([]nodeState, 1<<lv)
		hashes[0] = append(hashes[0], make([]uint64, 1<<lv))
		hashes[1] = append(hashes[1], make([]uint64, 1<<lv))
	}
	for _, e := range ex.compares[ex.Shown] {
		if e.Level < 0 || e.Level > depth || e.Index < 0 || e.Index >= len(out[e.Level]) {
			continue
		}
		if e.Equal {
			out[e.Level][e.Index] = comparedEqual
		} else {
			out[e.Level][e.Index] = comparedDiffer
		}
		own, peer := e.Hash, e.PeerHash
		if e.From == b && e.To == a {
			own, peer = peer, own
		}
		hashes[0][e.Level][e.Index], hashes[1][e.Level][e.Index] = own, peer
	}
	return out, hashes
}

// repairedLeaves maps each leaf of the shown range to the keys the
// exchange repaired in it (the range's bounds come from n0's ring).
func (ex *exchange) repairedLeaves(cl *core.Cluster, depth int) map[int][]repairedKey {
	if !ex.started || len(ex.repairs) == 0 {
		return nil
	}
	var start uint64
	found := false
	for _, rv := range cl.MerkleRanges(merkleA) {
		if rv.End == ex.Shown {
			start, found = rv.Start, true
		}
	}
	out := map[int][]repairedKey{}
	for _, r := range ex.repairs {
		h := ring.HashKey(r.key)
		if found && !inRange(start, ex.Shown, h) {
			continue
		}
		leaf := merkle.LeafIndex(h, depth)
		out[leaf] = append(out[leaf], r)
	}
	return out
}

// inRange reports whether h lies in the ring range (start, end].
func inRange(start, end, h uint64) bool {
	if start < end {
		return h > start && h <= end
	}
	return h > start || h <= end // the range wraps past zero (or is the whole ring)
}

func (c *Merkle) Build(x *lab.Context, area frame.Rect, l *frame.Layer) {
	p := newPen(x, l)
	u := p.u
	th := x.Theme
	v := x.View
	c.hits = c.hits[:0]
	if v == nil {
		return
	}
	in, compact := compactFrame(p, area)
	ex := &c.ex
	missed := missedKeys(x.View)
	status := "n0 and n1 hold the same versions of the chapter's keys."
	if missed > 0 {
		status = fmt.Sprintf("n1 is behind on %s: press Compare trees (or read the hot key).", lab.Plural(missed, "key"))
	}
	if len(v.Groups) > 0 {
		status = "n1 is cut off: the writes reach n0 and one other replica only."
	}
	if sp := c.setup(x); !sp.written {
		status = fmt.Sprintf("Setting up: writing the chapter's keys… (%d of %d writes)", sp.done, sp.total)
	} else if !sp.ready {
		status = "Setting up: the keys are written; read repair is switched on next."
	}
	h := heading{title: "Merkle trees of n0 and n1", numW: 260, valueC: scene.Orange}
	h.lines = []headLine{{status, th.Text}}
	if ex.started {
		h.lines = append(h.lines, headLine{fmt.Sprintf("Last exchange at tick %d: %s compared, %s sent, repaired: %s", ex.start, lab.Plural(len(ex.ranges), "range"),
			lab.Plural(ex.KeysSent, "key"), listOrNone(ex.Repaired)), th.TextDim})
		h.value = fmt.Sprintf("%d hashes", ex.Hashes)
		h.caption = fmt.Sprintf("exchanged for %s in those ranges", lab.Plural(ex.KeysInRanges, "key"))
		h.shortCaption = "for " + lab.Plural(ex.KeysInRanges, "key")
	} else {
		h.lines = append(h.lines, headLine{"No exchange yet.", th.TextDim})
	}
	// The trees come first; in a short picture the state of the trees
	// now, the differing buckets, read repair and the legend follow, each
	// while the trees keep the height they need.
	treesMin := p.lh + u(14) + float64(v.Config.MerkleDepth+1)*u(16)
	keep := 0
	if compact {
		probe := in.H - frame.LineHeight(u(24)) - u(8)
		if probe-p.lh >= treesMin {
			keep = 1
		}
	}
	rest := h.draw(p, in, compact, keep)
	nowH, leafH, readH := p.lh+u(16), 2*p.lh+u(8), u(20)+3*p.lh
	lg := c.legend(p)
	if compact {
		nowH, leafH, readH = p.lh+u(10), p.lh+u(6), u(18)+2*p.lh
	}
	if !ex.started {
		nowH = 0
	}
	// Kept in order of importance, placed bottom up: legend, read repair,
	// the buckets' keys; the trees' state now sits above the trees.
	budget := rest.H - treesMin
	keepBlock := func(h float64) bool {
		if budget < h {
			return false
		}
		budget -= h
		return true
	}
	showNow := keepBlock(nowH)
	showLeaf, showRead := keepBlock(leafH), keepBlock(readH)
	// The legend whole, on as many rows as it takes; where those do not
	// fit, one row of what fits on it.
	legendRows := lg.fit(p, in.W, budget)
	var legendArea, readArea, leafArea, nowArea frame.Rect
	if legendRows > 0 {
		legendArea, rest = rest.CutBottom(lg.height(p, legendRows))
	}
	if showRead {
		readArea, rest = rest.CutBottom(readH)
	}
	if showLeaf {
		leafArea, rest = rest.CutBottom(leafH)
	}
	if showNow && nowH > 0 {
		nowArea, rest = rest.CutTop(nowH)
	}
	if nowArea.H > 0 {
		c.drawNow(p, nowArea, v)
	}
	if leafArea.H > 0 {
		c.drawLeafKeys(p, leafArea)
	}
	if readArea.H > 0 {
		c.drawReadRepair(p, readArea, v)
	}
	if legendArea.H > 0 {
		lg.draw(p, legendArea, legendRows)
	}
	c.drawTrees(p, rest, v)
}

func listOrNone(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	s := keys[0]
	for _, k := range keys[1:] {
		s += ", " + k
	}
	return s
}

// syncState is what the two trees of the shown range are now, at the
// tick on screen: a state of its own, drawn apart from the exchange.
type syncState struct {
	known        bool // both trees could be read (both nodes up)
	inSync       bool
	rootA, rootB uint64
	// running: a message of an exchange between the two is in flight.
	running bool
}

func (c *Merkle) syncNow(cl *core.Cluster, v *core.View) syncState {
	var s syncState
	for _, m := range v.InFlight {
		switch m.Kind {
		case core.MsgMerkleReq, core.MsgMerkleResp, core.MsgKeysPush, core.MsgKeysReply:
			if m.From == merkleA && m.To == merkleB || m.From == merkleB && m.To == merkleA {
				s.running = true
			}
		}
	}
	a, okA := cl.MerkleTree(merkleA, c.ex.Shown)
	b, okB := cl.MerkleTree(merkleB, c.ex.Shown)
	if !okA || !okB {
		return s
	}
	s.known, s.inSync, s.rootA, s.rootB = true, a[0][0] == b[0][0], a[0][0], b[0][0]
	return s
}

// nowText says how the shown range's trees compare at tick now.
func (s syncState) text(now int64) string {
	switch {
	case s.running:
		return fmt.Sprintf("Now, tick %d: the exchange is under way; the trees show the comparisons made so far.", now)
	case !s.known:
		return fmt.Sprintf("Now, tick %d: a tree cannot be read (a node is down).", now)
	case s.inSync:
		return fmt.Sprintf("Now, tick %d: in sync. Both trees of this range have root %04x.", now, s.rootA>>48)
	}
	return fmt.Sprintf("Now, tick %d: not in sync. Roots %04x (n0) and %04x (n1) differ: compare again.", now, s.rootA>>48, s.rootB>>48)
}

// drawNow draws the trees' state now in a box of its own, above the
// picture of the exchange (which shows the trees as they were compared).
func (c *Merkle) drawNow(p pen, r frame.Rect, v *core.View) {
	u := p.u
	th := p.x.Theme
	st := c.syncNow(p.x.Cluster(), v)
	col := scene.Orange
	switch {
	case st.running:
		col = scene.SkyBlue
	case st.known && st.inSync:
		col = scene.Green
	}
	box := frame.Rect{X: r.X, Y: r.Y + u(2), W: r.W, H: r.H - u(6)}
	p.l.Outline(box, u(1.5), col)
	p.l.Rect(frame.Rect{X: box.X, Y: box.Y, W: u(5), H: box.H}, col)
	p.text(box.X+u(14), box.Y+(box.H-p.lh)/2, p.fs, th.Text, frame.AlignStart, st.text(v.Tick), box.W-u(20))
}

// drawTrees draws the shown range's tree twice, n0's on the left and n1's
// on the right, as the last exchange compared them: each node coloured by
// what its comparison found and labelled with the hash it had then.
func (c *Merkle) drawTrees(p pen, r frame.Rect, v *core.View) {
	u := p.u
	th := p.x.Theme
	depth := v.Config.MerkleDepth
	states, hashes := c.ex.compared(depth, merkleA, merkleB)
	repaired := c.ex.repairedLeaves(p.x.Cluster(), depth)
	gap := u(24)
	left, right := r.CutLeft((r.W - gap) / 2)
	_, right = right.CutLeft(gap)
	ids := [2]core.NodeID{merkleA, merkleB}
	for side, box := range []frame.Rect{left, right} {
		id := ids[side]
		gr := u(8)
		p.nodeGlyph(box.X+gr, box.Y+p.lh/2, gr, id, nodeUp(v, id))
		c.hits = append(c.hits, hit{id, box.X + gr, box.Y + p.lh/2, gr + u(4)})
		title := id.String() + "'s tree"
		if c.ex.started {
			title += fmt.Sprintf(" as compared at tick %d", c.ex.start)
			if box.W >= u(400) {
				title += fmt.Sprintf(" · range to 0x%08x", c.ex.Shown>>32)
			}
		} else {
			title += " · no range compared yet"
		}
		p.text(box.X+2*gr+u(8), box.Y, p.fs, th.Text, frame.AlignStart, title, box.W-2*gr-u(8))
		tree := frame.Rect{X: box.X, Y: box.Y + p.lh + u(14), W: box.W, H: box.H - p.lh - u(14)}
		var marks map[int]bool
		for leaf, keys := range repaired {
			for _, k := range keys {
				if k.on == id {
					if marks == nil {
						marks = map[int]bool{}
					}
					marks[leaf] = true
				}
			}
		}
		c.drawTree(p, tree, states, depth, hashes[side], marks)
	}
}

// drawTree draws a complete binary tree, level 0 (the root) at the top.
//
// Colours say what the exchange's comparisons found and the numbers are
// the hashes compared (their top 16 bits), both from the trace: a node the
// exchange never looked at has no number. A level is labelled where its
// boxes are wide enough for a hash and the rows far enough apart for labels
// on every level; when they are not, only the root's hash is written, the
// one the exchange starts from. repaired marks the leaves where the
// exchange wrote a key to this tree.
func (c *Merkle) drawTree(p pen, r frame.Rect, states [][]nodeState, depth int, hashes [][]uint64, repaired map[int]bool) {
	u := p.u
	th := p.x.Theme
	l := p.l
	levels := depth + 1
	rowH := r.H / float64(levels)
	boxH := min(rowH*0.6, u(26))
	center := func(lv, i int) (float64, float64) {
		w := r.W / float64(int(1)<<lv)
		return r.X + w*(float64(i)+0.5), r.Y + rowH*float64(lv) + boxH/2
	}
	for lv := 1; lv < levels; lv++ {
		for i := range 1 << lv {
			px, py := center(lv-1, i/2)
			cx, cy := center(lv, i)
			col := th.Border
			if states[lv][i] == comparedDiffer {
				col = scene.Vermillion
			}
			l.Line(px, py+boxH/2, cx, cy-boxH/2, u(1.5), col)
		}
	}
	everyLevel := rowH >= p.lh+u(2)
	for lv := range levels {
		w := r.W / float64(int(1)<<lv)
		bw := min(w-u(4), u(90))
		for i := range 1 << lv {
			cx, cy := center(lv, i)
			b := frame.Rect{X: cx - bw/2, Y: cy - boxH/2, W: bw, H: boxH}
			txt := th.TextDim
			switch states[lv][i] {
			case comparedEqual:
				l.Rect(b, th.ControlHover)
				l.Outline(b, u(1), th.TextDim)
			case comparedDiffer:
				l.Rect(b, scene.Vermillion)
				txt = scene.Black
			default:
				p.dashedBox(b, u(1), th.Border)
			}
			if states[lv][i] != notCompared && bw > p.width("0000", p.fs)+u(6) && (everyLevel || lv == 0) {
				l.Label(cx, cy-p.lh/2, p.fs, txt, frame.AlignCenter, fmt.Sprintf("%04x", hashes[lv][i]>>48))
			}
			if lv == depth && repaired[i] {
				drawRepairMark(p, cx, b.Bottom()+u(8), u(5))
			}
		}
	}
}

// drawRepairMark is the mark under a leaf where the exchange repaired a
// key: a bluish green diamond (the legend names it).
func drawRepairMark(p pen, cx, cy, r float64) {
	p.l.Quad(float32(cx), float32(cy-r), float32(cx+r), float32(cy), float32(cx), float32(cy+r), float32(cx-r), float32(cy), scene.Green)
}

// drawLeafKeys names the buckets that differed in the shown range and the
// keys the exchange repaired in each, from the trace: what the exchange
// shipped, of which only the missed keys changed anything.
func (c *Merkle) drawLeafKeys(p pen, r frame.Rect) {
	th := p.x.Theme
	if !c.ex.started {
		return
	}
	depth := p.x.View.Config.MerkleDepth
	states := c.ex.states(depth)
	repaired := c.ex.repairedLeaves(p.x.Cluster(), depth)
	var parts []string
	for i, st := range states[depth] {
		if st != comparedDiffer {
			continue
		}
		part := fmt.Sprintf("bucket %d", i)
		if keys := repaired[i]; len(keys) > 0 {
			for j, k := range keys {
				if j > 0 {
					part += ","
				}
				part += fmt.Sprintf(" %s repaired on %v", k.key, k.on)
			}
		} else {
			part += " (no key changed)"
		}
		parts = append(parts, part)
	}
	line := "No bucket differed: no key had to be sent."
	if len(parts) > 0 {
		line = fmt.Sprintf("Buckets that differed: %s. Their keys were sent (%s in all); only the missed ones changed anything.",
			strings.Join(parts, "; "), lab.Plural(c.ex.KeysSent, "key"))
	}
	p.para(r, th.TextDim, line)
}

// drawReadRepair shows the hot key on its replicas and the last repair.
func (c *Merkle) drawReadRepair(p pen, r frame.Rect, v *core.View) {
	u := p.u
	th := p.x.Theme
	l := p.l
	l.Rect(frame.Rect{X: r.X, Y: r.Y + u(6), W: r.W, H: u(1)}, th.Border)
	y := r.Y + u(14)
	_, hot := chapterKeys(p.x.Cluster())
	var last *core.Event
	for i := len(c.trace.Events) - 1; i >= 0; i-- {
		if e := c.trace.Events[i]; e.Kind == core.EvReadRepair && e.Key == hot {
			last = &c.trace.Events[i]
			break
		}
	}
	line := "Read repair: a get of " + hot + " compares the replicas' replies and writes the newest back to a stale one."
	if last != nil {
		line = fmt.Sprintf("Read repair at tick %d: %v's get of %s found %v stale and sent it the newest version.", last.Tick, last.From, hot, last.To)
	}
	p.text(r.X, y, p.fs, th.Text, frame.AlignStart, line, r.W)
	y += p.lh + u(4)
	if y+p.lh > r.Bottom()+u(1) {
		return // no room for the replicas' values
	}
	x := r.X
	for _, id := range p.x.Cluster().PreferenceList(hot, v.Config.N) {
		val := "—"
		if k, ok := keyOf(v.Nodes[id].Keys, hot); ok {
			val = ""
			for i, ver := range k.Versions {
				if i > 0 {
					val += " | "
				}
				val += ver.Value
			}
		}
		gr := u(7)
		p.nodeGlyph(x+gr, y+p.lh/2, gr, id, v.Nodes[id].Up)
		c.hits = append(c.hits, hit{id, x + gr, y + p.lh/2, gr + u(4)})
		txt := id.String() + ": " + val
		p.text(x+2*gr+u(6), y, p.fs, th.Text, frame.AlignStart, txt, r.W/3-2*gr-u(12))
		x += r.W / 3
	}
}

// legend is the trees' legend: how a subtree was compared, and a key
// repaired.
func (c *Merkle) legend(p pen) legend {
	u := p.u
	th := p.x.Theme
	box := func(x0, cy float64) frame.Rect { return frame.Rect{X: x0, Y: cy - u(7), W: u(26), H: u(14)} }
	return legend{top: u(8), gap: u(6), space: u(20), entries: []legendEntry{
		{u(26), func(x0, cy float64) { p.l.Rect(box(x0, cy), scene.Vermillion) }, "hashes differed: both children compared"},
		{u(26), func(x0, cy float64) {
			p.l.Rect(box(x0, cy), th.ControlHover)
			p.l.Outline(box(x0, cy), u(1), th.TextDim)
		}, "hashes equal: subtree skipped"},
		{u(26), func(x0, cy float64) { p.dashedBox(box(x0, cy), u(1), th.Border) }, "never compared"},
		{u(26), func(x0, cy float64) { drawRepairMark(p, x0+u(13), cy, u(6)) }, "key repaired"},
	}}
}

// NodeHint says where the picture's nodes are (lab.NodeHinter).
func (c *Merkle) NodeHint() string {
	return "Click n0 or n1 beside its tree, or a replica under read repair"
}
