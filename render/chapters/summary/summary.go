// Package summary is the last chapter: the whole store at once, with every
// knob, a random client workload and injected faults, the run's counters,
// the linearizability verdict on what the clients saw, and a map from each
// concern of the design to the chapter that shows its mechanism.
package summary

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ringlab/ringlab/check"
	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/chapters/internal/gowrong"
	"github.com/ringlab/ringlab/render/chapters/sandbox"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/scene"
	"github.com/ringlab/ringlab/render/ui"
)

// Chapters returns the summary chapter.
func Chapters() []lab.Chapter {
	return []lab.Chapter{New()}
}

// ID is the chapter's stable ID.
const ID = "summary"

// Row is one line of the summary table: a question the design answers, the
// mechanism that answers it, and the chapter that shows it.
type Row struct {
	Concern   string
	Mechanism string
	ChapterID string
}

// Rows is the summary table, in the order of the chapters.
var Rows = []Row{
	{"Why not hash(key) mod N?", "Changing N re-homes almost every key; on the circle a change moves only about 1/N of them.", "naive-hashing"},
	{"Which node holds a key?", "Keys and nodes hash onto one circle; a key belongs to the first node clockwise from it.", "consistent-hashing"},
	{"How is the load kept even?", "Each node takes many points (virtual nodes), so shares even out and a leaver's keys spread wide.", "virtual-nodes"},
	{"How does data survive a crash?", "Every key is copied to the next N distinct nodes clockwise: its preference list.", "replication"},
	{"What gives in a partition?", "A choice: CP refuses what it cannot make consistent, AP answers anyway and reconciles later.", "cap"},
	{"How is that trade-off tuned?", "N, W and R: with W + R > N every read meets the latest write; smaller W or R buys speed.", "quorums"},
	{"How are concurrent writes settled?", "Vector clocks keep both as siblings for the client to merge; last-write-wins keeps one by timestamp.", "versioning"},
	{"How do replicas catch up?", "Merkle trees find differing key ranges cheaply; read repair fixes a stale copy during a read.", "merkle"},
	{"Who is in, and what if a node blinks?", "Gossip spreads membership; a stand-in keeps writes for a down node and hands them back.", "failures"},
}

// checkSliceBudget is the time each frame gives the linearizability check
// (check.Sliced), which runs a slice per frame so that none waits more than
// about 8 ms for it.
const checkSliceBudget = 6 * time.Millisecond

// Views of the picture.
const (
	viewStore = iota // knobs, the ring, the verdict
	viewMap          // the summary table
	viewKnobs        // the knobs alone, a page at a time (compact layout only)
)

// viewLabels are the tabs' labels; the compact layout adds the Knobs tab.
var viewLabels = []string{"The store", "What each part does", "Knobs"}

// faultChoices are the fault injector settings offered, as Faults.Kinds.
var faultChoices = []struct {
	label string
	kinds []core.FaultKind
}{
	{"No faults", nil},
	{"Crashes", []core.FaultKind{core.FaultCrash}},
	{"Partitions", []core.FaultKind{core.FaultPartition}},
	{"Message loss", []core.FaultKind{core.FaultLoss}},
	{"Clock skew", []core.FaultKind{core.FaultSkew}},
	{"All four", []core.FaultKind{core.FaultCrash, core.FaultPartition, core.FaultLoss, core.FaultSkew}},
}

// vnodeChoices are the virtual-node counts offered.
var vnodeChoices = []int{1, 2, 4, 8, 16, 32, 64, 128, 256}

// Fault injector timing: a fault every faultEveryTicks, undone after
// faultTicks.
const (
	faultEveryTicks = core.FaultEveryDefault
	faultTicks      = core.FaultForDefault
	// antiEntropyEveryTicks is the background Merkle sync interval when on.
	antiEntropyEveryTicks = 100
)

// Chapter is the summary and sandbox.
type Chapter struct {
	sb   *sandbox.Sandbox
	view int

	tabs    *ui.Tabs
	check   *ui.Button
	nodes   *ui.Stepper
	vnodes  *ui.Dropdown
	n, w, r *ui.Stepper
	mode    *ui.Dropdown
	vers    *ui.Dropdown
	latency *ui.Slider
	loss    *ui.Slider
	skew    *ui.Slider
	repair  *ui.Toggle
	entropy *ui.Toggle
	clients *ui.Toggle
	faults  *ui.Dropdown
	links   []*ui.Button
	more    *ui.Button // the next page of knobs (compact layout)

	// knobPage is the page of knobs the compact layout shows, knobPages
	// how many it had last frame.
	knobPage, knobPages int
	// ring is the compact layout's store picture (the sandbox draws its
	// own in the wide layout); ringShown says it was drawn last frame.
	ring      scene.Ring
	ringShown bool

	// verdict is the last check's result, taken at verdictTick; checked is
	// false until the button is pressed in this run.
	verdict     check.Result
	verdictTick int64
	checked     bool
	// job is the check in progress (a slice per frame), nil when none;
	// verdictFrom is the first tick of the window it checked (the run's
	// retained window: 0 while the run is shorter than it), tooLong the
	// keys it could not decide within a slice.
	job         *check.Sliced
	verdictFrom int64
	tooLong     []string
	// verdictRec are the run's commands when it was checked: a fork before
	// verdictTick makes the verdict one of another run, and it is dropped.
	verdictRec []core.Recorded
	// goWrong is the "Can this go wrong?" search (canitgo.go).
	goWrong *gowrong.Control
}

// New makes the chapter.
func New() *Chapter {
	c := &Chapter{sb: sandbox.New()}
	c.tabs = ui.NewTabs("summary-view", "Left and Right arrows switch", viewLabels[:2], 0, func(i int) { c.view = i })
	c.more = ui.NewButton("summary-knobs-more", "More knobs ►", "The next page of knobs", func() {
		c.knobPage = (c.knobPage + 1) % max(c.knobPages, 1)
	})
	c.check = ui.NewButton("summary-check", "Check linearizability", "Check the client operations of the run (of its retained window, in a long run) against a single-copy register", nil)
	c.check.Primary = true
	c.nodes = ui.NewStepper("summary-nodes", "Nodes*", "Nodes in the cluster (restarts the run)", 1, 64, 1, 5, nil)
	c.vnodes = ui.NewDropdown("summary-vnodes", "VNodes*", "Virtual nodes per node (restarts the run)", nil, 0, nil)
	for _, v := range vnodeChoices {
		c.vnodes.Options = append(c.vnodes.Options, strconv.Itoa(v))
	}
	c.n = ui.NewStepper("summary-n", "N", "Replicas per key", 1, 64, 1, 3, nil)
	c.w = ui.NewStepper("summary-w", "W", "Acks a write waits for", 1, 64, 1, 2, nil)
	c.r = ui.NewStepper("summary-r", "R", "Replies a read waits for", 1, 64, 1, 2, nil)
	c.mode = ui.NewDropdown("summary-mode", "", "CP: only the key's own replicas count; AP: stand-ins take writes with a hint",
		[]string{"CP: strict quorums", "AP: sloppy + hints"}, 0, nil)
	c.vers = ui.NewDropdown("summary-versioning", "", "How concurrent writes are told apart",
		[]string{"Vector clocks", "Last write wins"}, 0, nil)
	c.latency = ui.NewSlider("summary-latency", "Latency", "Slowest one-way message, in ticks", 1, 40, 1, 6, nil)
	c.latency.Format = func(v float64) string { return strconv.Itoa(int(v)) + " t" }
	c.loss = ui.NewSlider("summary-loss", "Loss", "Share of messages dropped", 0, 0.5, 0.05, 0, nil)
	c.loss.Format = func(v float64) string { return strconv.Itoa(int(v*100+0.5)) + "%" }
	c.skew = ui.NewSlider("summary-skew", "Skew n0", "How far n0's clock runs ahead (last-write-wins timestamps)", 0, 100, 5, 0, nil)
	c.skew.Format = func(v float64) string { return strconv.Itoa(int(v)) + " t" }
	c.repair = ui.NewToggle("summary-readrepair", "Read repair", "Fix stale replicas seen during a read", true, nil)
	c.entropy = ui.NewToggle("summary-antientropy", "Anti-entropy*", "Background Merkle sync between replicas (restarts the run)", true, nil)
	c.clients = ui.NewToggle("summary-clients", "Random clients*", "Four clients reading and writing eight keys (restarts the run)", true, nil)
	c.faults = ui.NewDropdown("summary-faults", "Faults*", "Inject one fault every 150 ticks, undone 60 ticks later (restarts the run)", nil, 0, nil)
	for _, f := range faultChoices {
		c.faults.Options = append(c.faults.Options, f.label)
	}
	for i := range Rows {
		c.links = append(c.links, ui.NewButton("summary-link-"+strconv.Itoa(i), "Open", "Go to the chapter that shows this", nil))
	}
	return c
}

func (c *Chapter) Info() lab.ChapterInfo {
	return lab.ChapterInfo{
		ID:      ID,
		Title:   "Summary: the whole store",
		Summary: "Every mechanism at once, with every knob. The checker says whether the clients could tell it from one single copy.",
		TryThis: "Choose Last write wins, CP: strict quorums and Faults: Partitions, then set W=1, R=1; play to tick 2000 and check: " +
			"reads missed acknowledged writes. Then Reset (the same run with W=2, R=2), play to 2000 and check: Linearizable. " +
			"One run proves little: at each half, ask Can this go wrong? (every schedule of a write and a read, with a partition).",
	}
}

// Preset is the default cluster with four random clients on eight keys, so
// that keys are contended and pressing Play shows traffic at once.
func (c *Chapter) Preset(seed uint64) lab.Preset {
	cfg := core.DefaultConfig()
	cfg.Seed = seed
	cfg.Workload = core.Workload{Clients: 4, Keys: 8, PutFraction: 0.5, ThinkTicksMax: 10, KeyPrefix: "cart:"}
	return lab.Preset{Config: cfg}
}

func (c *Chapter) Parts() lab.Parts { return lab.PartsAll }

// Controls are the check button and the sandbox's hand-made actions.
func (c *Chapter) Controls(x *lab.Context) []ui.Widget {
	c.check.OnClick = func() { c.runCheck(x) }
	ws := append([]ui.Widget{c.check}, c.goWrongWidgets(x)...)
	return append(ws, c.sb.Controls(x)...)
}

// ShowTable switches the picture to the summary table (as its tab does).
func (c *Chapter) ShowTable() { c.view = viewMap }

// runCheck starts checking the client history of the retained window; the
// check goes on a slice per frame (Update).
func (c *Chapter) runCheck(x *lab.Context) {
	from, now := x.Trace().Start(), x.Cluster().Now()
	hist := x.Cluster().History()
	if from > 0 {
		hist = x.Trace().History()
	}
	c.job = check.NewSliced(hist, from, now)
	c.verdictTick, c.verdictFrom = now, from
	c.verdictRec = x.Cluster().Recorded()
	c.checked = false
	c.stepCheck()
}

// stepCheck gives the check in progress its slice of this frame.
func (c *Chapter) stepCheck() {
	if c.job == nil || !c.job.Step(checkSliceBudget) {
		return
	}
	c.verdict, c.tooLong = c.job.Result(), c.job.TooLong()
	c.checked, c.job = true, nil
}

func (c *Chapter) Enter(x *lab.Context) {
	c.sb.Enter(x)
	c.checked = false
	c.verdict = check.Result{}
	c.job = nil
}

// Update gives the check in progress its slice of this frame, and drops the
// verdict (or the check) when the run on screen is no longer the one it was
// taken of (forked before the tick it checked).
func (c *Chapter) Update(x *lab.Context) {
	c.stepCheck()
	c.updateGoWrong(x)
	if (!c.checked && c.job == nil) || x.View == nil {
		return
	}
	upTo := min(x.View.Tick, c.verdictTick)
	prefix := func(rec []core.Recorded) []core.Recorded {
		n := 0
		for n < len(rec) && rec[n].Tick <= upTo {
			n++
		}
		return rec[:n]
	}
	if !reflect.DeepEqual(prefix(x.Cluster().Recorded()), prefix(c.verdictRec)) {
		c.checked, c.job, c.verdict, c.verdictRec, c.tooLong = false, nil, check.Result{}, nil, nil
	}
}

func (c *Chapter) NodeAt(px, py float64) (core.NodeID, bool) {
	if c.view != viewStore {
		return core.NoNode, false
	}
	if c.ringShown {
		return c.ring.NodeAt(px, py)
	}
	return c.sb.NodeAt(px, py)
}

// set applies a live parameter change, recorded in the run.
func set(x *lab.Context, param string, num float64) bool {
	if _, err := x.Apply(core.Command{Kind: core.CmdSet, Param: param, Num: num}); err != nil {
		x.Notify("Not changed: " + err.Error())
		return false
	}
	return true
}

// restart starts the run again with the current configuration changed by edit.
func restart(x *lab.Context, edit func(cfg *core.Config)) {
	if x.View == nil {
		return
	}
	cfg := x.View.Config
	edit(&cfg)
	cfg.N = min(cfg.N, cfg.Nodes)
	cfg.W, cfg.R = min(cfg.W, cfg.N), min(cfg.R, cfg.N)
	if err := x.Restart(cfg); err != nil {
		x.Notify("Not restarted: " + err.Error())
	}
}

// bindKnobs shows the run's configuration on the knobs and binds their
// actions to this frame's context. Knobs marked * restart the run with the
// new setting; the others change the running cluster, as a recorded command.
func (c *Chapter) bindKnobs(x *lab.Context) {
	v := x.View
	if v == nil {
		return
	}
	cfg := v.Config
	if !c.nodes.Editing() {
		c.nodes.Value = int64(cfg.Nodes)
	}
	c.vnodes.Selected = -1
	for i, n := range vnodeChoices {
		if n == cfg.VNodes {
			c.vnodes.Selected = i
		}
	}
	c.vnodes.Placeholder = strconv.Itoa(cfg.VNodes)
	for _, s := range []*ui.Stepper{c.n, c.w, c.r} {
		s.Max = int64(max(len(v.Nodes), 1))
	}
	if !c.n.Editing() {
		c.n.Value = int64(cfg.N)
	}
	if !c.w.Editing() {
		c.w.Value = int64(cfg.W)
	}
	if !c.r.Editing() {
		c.r.Value = int64(cfg.R)
	}
	c.mode.Selected = int(cfg.Mode)
	c.vers.Selected = int(cfg.Versioning)
	c.latency.Value = float64(cfg.LatencyMaxTicks)
	c.loss.Value = cfg.Loss
	if len(v.Nodes) > 0 {
		c.skew.Value = float64(v.Nodes[0].SkewTicks)
	}
	c.repair.On = cfg.ReadRepair
	c.entropy.On = cfg.AntiEntropyIntervalTicks > 0
	c.clients.On = cfg.Workload.Clients > 0
	c.faults.Selected = 0
	for i, f := range faultChoices {
		if slices.Equal(f.kinds, cfg.Faults.Kinds) {
			c.faults.Selected = i
		}
	}

	c.nodes.OnChange = func(n int64) {
		restart(x, func(cfg *core.Config) { cfg.Nodes = int(n); cfg.Weights, cfg.SkewTicks = nil, nil })
	}
	c.vnodes.OnChange = func(i int) { restart(x, func(cfg *core.Config) { cfg.VNodes = vnodeChoices[i] }) }
	c.n.OnChange = func(n int64) {
		// Lower W and R first so that the cluster accepts the smaller N.
		if int64(cfg.W) > n && !set(x, "w", float64(n)) {
			return
		}
		if int64(cfg.R) > n && !set(x, "r", float64(n)) {
			return
		}
		set(x, "n", float64(n))
	}
	c.w.OnChange = func(n int64) { set(x, "w", float64(n)) }
	c.r.OnChange = func(n int64) { set(x, "r", float64(n)) }
	c.mode.OnChange = func(i int) { set(x, "mode", float64(i)) }
	c.vers.OnChange = func(i int) { set(x, "versioning", float64(i)) }
	c.latency.OnChange = func(f float64) {
		t := int64(f)
		if t == cfg.LatencyMaxTicks {
			return
		}
		if t < cfg.LatencyMinTicks && !set(x, "latency_min", float64(t)) {
			return
		}
		set(x, "latency_max", float64(t))
	}
	c.loss.OnChange = func(f float64) {
		if f != cfg.Loss {
			set(x, "loss", f)
		}
	}
	c.skew.OnChange = func(f float64) {
		if len(v.Nodes) > 0 && int64(f) != v.Nodes[0].SkewTicks {
			set(x, "skew:"+v.Nodes[0].ID.String(), f)
		}
	}
	c.repair.OnChange = func(on bool) { set(x, "read_repair", b2f(on)) }
	c.entropy.OnChange = func(on bool) {
		restart(x, func(cfg *core.Config) {
			cfg.AntiEntropyIntervalTicks = 0
			if on {
				cfg.AntiEntropyIntervalTicks = antiEntropyEveryTicks
			}
		})
	}
	c.clients.OnChange = func(on bool) {
		restart(x, func(cfg *core.Config) {
			cfg.Workload = core.Workload{}
			if on {
				cfg.Workload = c.Preset(0).Config.Workload
			}
		})
	}
	c.faults.OnChange = func(i int) {
		restart(x, func(cfg *core.Config) {
			cfg.Faults = core.Faults{}
			if kinds := faultChoices[i].kinds; kinds != nil {
				cfg.Faults = core.Faults{Kinds: kinds, EveryTicks: faultEveryTicks, DurationTicks: faultTicks}
			}
		})
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// knobs are the store view's controls, in Tab order.
func (c *Chapter) knobs() []ui.Widget {
	return []ui.Widget{c.nodes, c.vnodes, c.n, c.w, c.r, c.mode, c.vers, c.latency, c.loss, c.skew,
		c.repair, c.entropy, c.clients, c.faults}
}

// layout is where the picture's parts go this frame.
type layout struct {
	// compact is the layout of a small picture: the knobs on a tab of
	// their own, a page at a time; the verdict one line at the bottom;
	// the ring over the picture's width, or a list of the nodes when it
	// has no room.
	compact  bool
	status   frame.Rect // compact: the store's one-line status
	more     frame.Rect // compact: the next page of knobs
	tabs     frame.Rect
	caption  frame.Rect // "* restarts the run"
	knobs    []frame.Rect
	ring     frame.Rect
	verdict  frame.Rect
	table    frame.Rect
	rowRects []frame.Rect
}

// verdictRowsMax is the most detail lines the verdict box shows.
const verdictRowsMax = 8

// verdictText is the verdict's detail lines wrapped to a box width.
func (c *Chapter) verdictText(x *lab.Context, boxW float64) []string {
	var now int64
	if x.View != nil {
		now = x.View.Tick
	}
	_, details := c.VerdictLines(now)
	var out []string
	for _, d := range details {
		out = append(out, frame.Wrap(x.Measure, d, x.Theme.Font(), boxW-x.Theme.U(56))...)
	}
	if len(out) > verdictRowsMax {
		out = out[:verdictRowsMax]
	}
	return out
}

// compactLayout reports whether a picture of inner size w x h (device
// pixels) takes the compact layout: the knobs column, the sandbox's ring
// with its status and legend, and the verdict box need about 760 x 520 px
// at 1x.
func compactLayout(th *ui.Theme, w, h float64) bool {
	return w < th.U(760) || h < th.U(520)
}

// ringSideMin is the least side (at 1x) the ring needs for its node
// labels to stay inside its area.
const ringSideMin = 180

func (c *Chapter) layout(x *lab.Context, area frame.Rect) layout {
	th := x.Theme
	u := th.U
	var lay layout
	pad := u(12)
	inner := area.Inset(pad)
	lay.compact = compactLayout(th, inner.W, inner.H)
	lay.tabs, inner = inner.CutTop(th.ControlHeight())
	if !lay.compact {
		lay.tabs.W = min(lay.tabs.W, u(360))
	}
	_, inner = inner.CutTop(u(10))
	if c.view == viewMap {
		lay.table = inner
		return lay
	}
	lh := frame.LineHeight(th.Font())
	if lay.compact {
		c.compactBody(x, inner, &lay)
		return lay
	}
	// The knobs: one column if it fits, else two.
	rowH := th.ControlHeight() + u(6)
	count := len(c.knobs())
	cols := 1
	if float64(count)*rowH+lh+u(6) > inner.H {
		cols = 2
	}
	colW := u(220)
	if cols == 2 {
		colW = u(190)
	}
	var knobArea frame.Rect
	knobArea, lay.ring = inner.CutLeft(float64(cols)*colW + float64(cols-1)*u(8))
	lay.caption, knobArea = knobArea.CutTop(lh + u(6))
	perCol := (count + cols - 1) / cols
	for i := range count {
		col, row := i/perCol, i%perCol
		lay.knobs = append(lay.knobs, frame.Rect{
			X: knobArea.X + float64(col)*(colW+u(8)), Y: knobArea.Y + float64(row)*rowH,
			W: colW, H: th.ControlHeight(),
		})
	}
	_, lay.ring = lay.ring.CutLeft(u(12))
	rows := len(c.verdictText(x, lay.ring.W))
	lay.verdict, lay.ring = lay.ring.CutBottom(float64(rows)*lh + frame.LineHeight(th.Font()*1.3) + u(22))
	_, lay.verdict = lay.verdict.CutTop(u(6))
	return lay
}

// compactBody lays out the store or the knobs tab of the compact layout
// in r.
func (c *Chapter) compactBody(x *lab.Context, r frame.Rect, lay *layout) {
	th := x.Theme
	u := th.U
	lh := frame.LineHeight(th.Font())
	lay.knobs = make([]frame.Rect, len(c.knobs()))
	if c.view == viewKnobs {
		lay.caption, r = r.CutTop(lh + u(6))
		gap := u(8)
		cols := max(int((r.W+gap)/(u(190)+gap)), 1)
		colW := (r.W - float64(cols-1)*gap) / float64(cols)
		rowH := th.ControlHeight() + u(6)
		rows := max(int((r.H+u(6))/rowH), 1)
		count := len(lay.knobs)
		shown := count
		if count > cols*rows {
			shown = max(cols*rows-1, 1) // one slot for More
		}
		c.knobPages = (count + shown - 1) / shown
		c.knobPage = min(c.knobPage, c.knobPages-1)
		slot := func(i int) frame.Rect {
			col, row := i/rows, i%rows
			return frame.Rect{X: r.X + float64(col)*(colW+gap), Y: r.Y + float64(row)*rowH, W: colW, H: th.ControlHeight()}
		}
		from := c.knobPage * shown
		for i := from; i < min(from+shown, count); i++ {
			lay.knobs[i] = slot(i - from)
		}
		if shown < count {
			lay.more = slot(shown)
		}
		return
	}
	lay.verdict, r = r.CutBottom(frame.LineHeight(th.Font()*1.3) + u(8))
	_, r = r.CutBottom(u(6))
	lay.status, lay.ring = r.CutTop(lh)
	_, lay.ring = lay.ring.CutTop(u(4))
}

// SceneControls lays out the view tabs, the knobs (store view) and the
// chapter links (table view) inside the picture.
func (c *Chapter) SceneControls(x *lab.Context, area frame.Rect) []ui.Widget {
	c.bindKnobs(x)
	if th := x.Theme; !compactLayout(th, area.W-2*th.U(12), area.H-2*th.U(12)) && c.view == viewKnobs {
		c.view = viewStore // the wide layout shows the knobs beside the store
	}
	lay := c.layout(x, area)
	c.tabs.Labels = viewLabels[:2]
	if lay.compact {
		c.tabs.Labels = viewLabels
	}
	c.tabs.SetBounds(lay.tabs)
	c.tabs.Selected = c.view
	ws := []ui.Widget{c.tabs}
	hide := func(w ui.Widget) { w.SetBounds(frame.Rect{}) }
	hide(c.more)
	for _, l := range c.links {
		hide(l)
	}
	for _, k := range c.knobs() {
		hide(k)
	}
	switch c.view {
	case viewStore, viewKnobs:
		for i, k := range c.knobs() {
			if lay.knobs[i].W > 0 {
				k.SetBounds(lay.knobs[i])
				ws = append(ws, k)
			}
		}
		if lay.more.W > 0 {
			c.more.Label = fmt.Sprintf("More knobs (%d/%d) ►", c.knobPage+1, c.knobPages)
			c.more.SetBounds(lay.more)
			ws = append(ws, c.more)
		}
	case viewMap:
		rows := c.tableRows(x, lay.table)
		for i, l := range c.links {
			id := Rows[i].ChapterID
			l.OnClick = func() {
				if err := x.GoToChapter(id); err != nil {
					x.Notify("No chapter to open: " + err.Error())
				}
			}
			if num, title, ok := x.ChapterTitle(id); ok {
				l.Label = fmt.Sprintf("Chapter %d ►", num)
				l.SetTooltip("Open " + title)
				l.Disabled = false
			} else {
				l.Label, l.Disabled = "not in this build", true
			}
			if i < len(rows) {
				l.SetBounds(rows[i].link)
				ws = append(ws, l)
			}
		}
	}
	return ws
}

// tableRow is where one summary row is drawn.
type tableRow struct {
	row, text, link frame.Rect
	mechanism       []string
}

// tableRows lays out the summary table in area: the concern and the
// mechanism on the left, the link to the chapter on the right. Mechanisms
// wrap to two lines where the table then fits, else they are cut to one.
func (c *Chapter) tableRows(x *lab.Context, area frame.Rect) []tableRow {
	if rows := c.tableRowsWrapped(x, area, 2); len(rows) == len(Rows) {
		return rows
	}
	return c.tableRowsWrapped(x, area, 1)
}

func (c *Chapter) tableRowsWrapped(x *lab.Context, area frame.Rect, linesMax int) []tableRow {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	linkW := min(u(130), area.W*0.3)
	var out []tableRow
	y := area.Y + lh + u(8) // under the heading
	for _, r := range Rows {
		textW := area.W - linkW - u(16)
		mech := frame.Wrap(x.Measure, r.Mechanism, size, textW-u(12))
		if len(mech) > linesMax {
			rest := frame.Fit(x.Measure, strings.Join(mech[linesMax-1:], " "), size, textW-u(12))
			mech = append(mech[:linesMax-1], rest)
		}
		h := max(lh*float64(1+len(mech))+u(8), th.ControlHeight()+u(8))
		if y+h > area.Bottom() {
			break
		}
		row := frame.Rect{X: area.X, Y: y, W: area.W, H: h}
		link, text := row.CutRight(linkW)
		link = frame.Rect{X: link.X, Y: link.Y + (h-th.ControlHeight())/2, W: link.W, H: th.ControlHeight()}
		out = append(out, tableRow{row: row, text: text, link: link, mechanism: mech})
		y += h + u(2)
	}
	return out
}

// Build draws the store (knob caption, ring, verdict) or the summary table.
func (c *Chapter) Build(x *lab.Context, area frame.Rect, l *frame.Layer) {
	lay := c.layout(x, area)
	th := x.Theme
	c.ringShown = false
	switch {
	case c.view == viewMap:
		c.drawTable(x, lay.table, l)
		return
	case lay.compact && c.view == viewStore:
		c.drawCompactStore(x, lay, l)
		return
	}
	l.Label(lay.caption.X, lay.caption.Y, th.Font(), th.TextDim, frame.AlignStart,
		frame.Fit(x.Measure, "* restarts the run", th.Font(), lay.caption.W))
	if lay.compact {
		return // the knobs tab
	}
	c.sb.Build(x, lay.ring, l)
	c.drawVerdict(x, lay.verdict, l)
}

// drawCompactStore draws the compact layout's store: a status line, the
// ring (or, with no room for it, each node's state as text) and the
// verdict in one line.
func (c *Chapter) drawCompactStore(x *lab.Context, lay layout, l *frame.Layer) {
	th := x.Theme
	u := th.U
	size := th.Font()
	v := x.View
	if v == nil {
		return
	}
	l.Label(lay.status.X, lay.status.Y, size, th.TextDim, frame.AlignStart, frame.Fit(x.Measure,
		fmt.Sprintf("Tick %d · %d nodes · %d in flight · N=%d W=%d R=%d", v.Tick, len(v.Nodes), len(v.InFlight),
			v.Config.N, v.Config.W, v.Config.R), size, lay.status.W))
	// The ring's node labels reach a little past its square: keep a
	// margin above and below.
	ringArea := lay.ring.Inset(u(6))
	if min(ringArea.W, ringArea.H) >= u(ringSideMin) {
		c.ring.Build(&scene.Input{View: v, Phase: x.Phase, Recent: x.Recent, Area: ringArea,
			Scale: th.Scale, Selected: x.Selected, Measure: x.Measure}, l)
		c.ringShown = true
	} else {
		// Each node's state, as many lines as fit.
		lh := frame.LineHeight(size)
		var words []string
		for i, n := range v.Nodes {
			words = append(words, n.ID.String()+" "+scene.StateText(v, i))
		}
		y := lay.ring.Y
		for _, line := range frame.Wrap(x.Measure, strings.Join(words, " · "), size, lay.ring.W) {
			if y+lh > lay.ring.Bottom() {
				break
			}
			l.Label(lay.ring.X, y, size, th.Text, frame.AlignStart, line)
			y += lh
		}
	}
	c.drawVerdictLine(x, lay.verdict, l)
}

// drawVerdictLine is the verdict box collapsed to one line: its shape, its
// headline and the first detail, cut to fit.
func (c *Chapter) drawVerdictLine(x *lab.Context, r frame.Rect, l *frame.Layer) {
	th := x.Theme
	u := th.U
	size := th.Font()
	l.Rect(r, th.Panel)
	l.Outline(r, u(1), th.Border)
	headline, details := c.VerdictLines(x.View.Tick)
	big := size * 1.2
	cx, cy := r.X+u(16), r.Y+r.H/2
	col := c.drawVerdictMark(x, headline, cx, cy, l)
	headCol := th.Text
	if col != th.TextDim {
		headCol = textOn(col)
	}
	tx := r.X + u(30)
	ty := r.Y + (r.H-frame.LineHeight(big))/2
	l.Label(tx, ty, big, headCol, frame.AlignStart, frame.Fit(x.Measure, headline, big, r.Right()-tx-u(8)))
	tx += x.Measure.Width(headline, big) + u(12)
	detail := "press Check linearizability"
	if c.checked && len(details) > 0 {
		detail = details[0]
	}
	if r := c.verdict; c.checked && c.job == nil && !r.OK && len(r.Violations) > 0 {
		// One line has room for the operations, not for their story.
		v := r.Violations[0]
		reqs := make([]string, len(v.Ops))
		for i, op := range v.Ops {
			reqs[i] = strconv.FormatUint(uint64(op.Request), 10)
		}
		detail = fmt.Sprintf("Key %s (req %s): %s. %d of %d keys.", v.Key, strings.Join(reqs, ", "), v.Reason.Words(), len(r.Violations), r.Keys)
	}
	if room := r.Right() - tx - u(8); room > x.Measure.Width("…", size)*3 {
		l.Label(tx, r.Y+(r.H-frame.LineHeight(size))/2, size, th.TextDim, frame.AlignStart, frame.Fit(x.Measure, detail, size, room))
	}
}

// drawVerdictMark draws the verdict's shape at (cx, cy), which repeats its
// colour: a disc for linearizable, a cross for a violation, a ring for not
// checked or undecided. It returns the colour.
func (c *Chapter) drawVerdictMark(x *lab.Context, headline string, cx, cy float64, l *frame.Layer) frame.Color {
	th := x.Theme
	u := th.U
	col := th.TextDim
	switch headline {
	case "Linearizable":
		col = scene.Green
		l.Disc(cx, cy, u(7), 20, col)
	case "Not linearizable":
		col = scene.Vermillion
		l.Line(cx-u(6), cy-u(6), cx+u(6), cy+u(6), u(3), col)
		l.Line(cx-u(6), cy+u(6), cx+u(6), cy-u(6), u(3), col)
	default:
		l.Annulus(cx, cy, u(6), u(2), 20, col)
	}
	return col
}

// checkedTicks names the window a check covers: "ticks 52000 to 61000"
// ("ticks 0 to 61000" for a run still shorter than its window).
func (c *Chapter) checkedTicks() string {
	return fmt.Sprintf("ticks %d to %d", c.verdictFrom, c.verdictTick)
}

// VerdictLines is the verdict as shown: a headline, then details.
func (c *Chapter) VerdictLines(now int64) (headline string, details []string) {
	if c.job != nil {
		done, keys := c.job.Progress()
		return "Checking", []string{fmt.Sprintf("%d of %d keys checked so far, %s, a slice per frame.", done, keys, c.checkedTicks())}
	}
	if !c.checked {
		return "Not checked yet", []string{
			"Press Check linearizability: it asks whether some single order of all " +
				"the client operations so far explains every answer the clients got.",
		}
	}
	r := c.verdict
	when := fmt.Sprintf("as of tick %d", c.verdictTick)
	if c.verdictFrom > 0 {
		when = c.checkedTicks()
	}
	switch {
	case now > c.verdictTick:
		when += " (the run has moved on: check again)"
	case now < c.verdictTick:
		when += ", later than the tick on screen (check again for this one)"
	}
	defer func() {
		if c.verdictFrom > 0 {
			// Second, so that a long list of operations cannot push it off.
			details = slices.Insert(details, min(1, len(details)), fmt.Sprintf("Not checked past the window: ticks before %d are summarised, not kept.", c.verdictFrom))
		}
	}()
	switch {
	case r.OK:
		return "Linearizable", []string{
			fmt.Sprintf("%d operations on %d keys, %s.", r.Ops, r.Keys, when),
			"Every answer fits one order of the operations, as if there were one copy.",
		}
	case r.Unknown:
		return "Undecided", []string{fmt.Sprintf("The checker ran out of time on %d operations, %s.", r.Ops, when),
			fmt.Sprintf("Too long to check in a frame's slice: key %s.", strings.Join(c.tooLong, ", key "))}
	}
	details = []string{fmt.Sprintf("%d of %d keys violate, %s: %s.", len(r.Violations), r.Keys, when, reasonCounts(r.Violations))}
	if len(r.Violations) > 0 {
		v := r.Violations[0]
		details = append(details, fmt.Sprintf("Key %s: %s", v.Key, v.Explanation))
		// The operations that prove it, as the checker names them.
		for _, line := range strings.Split(r.String(), "\n") {
			if strings.HasPrefix(line, "  ") && len(details) < 2+len(v.Ops) {
				details = append(details, strings.TrimSpace(line))
			}
		}
	}
	return "Not linearizable", details
}

func (c *Chapter) drawVerdict(x *lab.Context, r frame.Rect, l *frame.Layer) {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	l.Rect(r, th.Panel)
	l.Outline(r, u(1), th.Border)
	headline, _ := c.VerdictLines(x.View.Tick)
	details := c.verdictText(x, r.W)
	big := size * 1.3
	cx, cy := r.X+u(20), r.Y+u(10)+big*0.6
	col := c.drawVerdictMark(x, headline, cx, cy, l)
	tx := r.X + u(36)
	headCol := th.Text
	if col != th.TextDim {
		headCol = textOn(col)
	}
	l.Label(tx, r.Y+u(8), big, headCol, frame.AlignStart, headline)
	y := r.Y + u(10) + frame.LineHeight(big)
	for _, d := range details {
		if y+lh > r.Bottom()-u(4) {
			break
		}
		l.Label(tx, y, size, th.Text, frame.AlignStart, frame.Fit(x.Measure, d, size, r.Right()-tx-u(10)))
		y += lh
	}
}

// textOn brightens a palette colour used as text on the dark panel, so that
// it keeps a contrast of at least 4.5:1 (vermillion alone is about 4:1).
func textOn(c frame.Color) frame.Color { return c.Mix(frame.RGB(0xffffff), 0.25) }

func (c *Chapter) drawTable(x *lab.Context, area frame.Rect, l *frame.Layer) {
	th := x.Theme
	u := th.U
	size := th.Font()
	lh := frame.LineHeight(size)
	l.Label(area.X, area.Y, size, th.TextDim, frame.AlignStart,
		frame.Fit(x.Measure, "Each part of the store answers one question. Open its chapter to see it work.", size, area.W))
	for i, row := range c.tableRows(x, area) {
		if i%2 == 0 {
			l.Rect(row.row, th.Panel)
		}
		tx, ty := row.text.X+u(10), row.text.Y+u(4)
		l.Label(tx, ty, size, th.Text, frame.AlignStart, frame.Fit(x.Measure, Rows[i].Concern, size, row.text.W-u(12)))
		for j, m := range row.mechanism {
			l.Label(tx, ty+lh*float64(j+1), size, th.TextDim, frame.AlignStart, m)
		}
	}
}

// Verdict is the last check's verdict for the time views (lab.Verdicter):
// the operations of each violation are the ones no single order explains.
func (c *Chapter) Verdict(now int64) (lab.Verdict, bool) {
	if !c.checked {
		return lab.Verdict{}, false
	}
	r := c.verdict
	when := fmt.Sprintf("as of tick %d", c.verdictTick)
	switch {
	case r.OK:
		return lab.Verdict{OK: true, Words: fmt.Sprintf("Linearizable %s: one order of the %d operations explains every answer.", when, r.Ops)}, true
	case r.Unknown || len(r.Violations) == 0:
		return lab.Verdict{Words: fmt.Sprintf("Linearizability undecided %s: the checker ran out of time.", when)}, true
	}
	first := r.Violations[0]
	v := lab.Verdict{Words: fmt.Sprintf("Not linearizable %s (%d of %d keys). Key %s: %s", when, len(r.Violations), r.Keys, first.Key, first.Explanation)}
	for _, viol := range r.Violations {
		for _, op := range viol.Ops {
			v.Unexplained = append(v.Unexplained, op.Request)
		}
	}
	if !strings.HasSuffix(v.Words, ".") {
		v.Words += "."
	}
	for _, op := range first.Linearized {
		v.Linearized = append(v.Linearized, op.Request)
	}
	if first.KeyOps > 0 {
		v.Words += " " + first.PrefixWords()
	}
	return v, true
}

// reasonCounts says how many keys fail for each reason, most common first:
// "6 keys: siblings returned (concurrent writes kept); 2 keys: a read
// missed an acknowledged write".
func reasonCounts(vs []check.Violation) string {
	n := map[check.Reason]int{}
	for _, v := range vs {
		n[v.Reason]++
	}
	reasons := slices.Clone(check.Reasons)
	slices.SortStableFunc(reasons, func(a, b check.Reason) int { return n[b] - n[a] })
	var parts []string
	for _, r := range reasons {
		if n[r] > 0 {
			parts = append(parts, lab.Plural(n[r], "key")+": "+r.Words())
		}
	}
	return strings.Join(parts, "; ")
}
