package lab

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/spacetime"
	"github.com/ringlab/ringlab/core/tracestore"
	"github.com/ringlab/ringlab/render/diagram"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/ui"
	"github.com/ringlab/ringlab/runfmt"
)

// Views of a run: the chapter's own picture, the space-time diagram, and
// the per-key client history. The names are those of the "view" command,
// the view= link key and the desktop's -view flag.
const (
	ViewScene   = "scene"
	ViewDiagram = "diagram"
	ViewHistory = "history"
)

// ViewNames lists the views in the order of the view menu.
var ViewNames = []string{ViewScene, ViewDiagram, ViewHistory}

var viewLabels = []string{"Scene", "Diagram", "History"}

// ParseView checks a view name: one of ViewNames, and for the diagram and
// the history optionally the cluster they draw in a chapter that runs
// several (Clusters), by its name after a dash: "diagram-cp".
func ParseView(s string) (string, error) {
	mode, cluster := splitView(s)
	if !slices.Contains(ViewNames, mode) {
		return "", fmt.Errorf("%s is not a view: use %s", runfmt.Clip(s), strings.Join(ViewNames, ", "))
	}
	if cluster != "" && (mode == ViewScene || !validClusterName(cluster)) {
		return "", fmt.Errorf("%s is not a view: a cluster goes after the diagram or the history (diagram-cp)", runfmt.Clip(s))
	}
	return s, nil
}

// splitView splits a view name into its view and its cluster ("" for the
// lab's run).
func splitView(s string) (mode, cluster string) {
	mode, cluster, _ = strings.Cut(s, "-")
	return mode, cluster
}

// validClusterName reports whether s can name a cluster in a view name: 1
// to 8 letters or digits.
func validClusterName(s string) bool {
	if len(s) == 0 || len(s) > 8 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// viewName is the view on screen as ParseView reads it: its cluster is
// named when the time views draw another than the lab's run.
func (l *Lab) viewName() string {
	if i := l.timeCluster(); i > 0 && l.tv.mode != ViewScene {
		return l.tv.mode + "-" + strings.ToLower(l.clusterNames()[i])
	}
	return l.tv.mode
}

// Limits of the time views.
const (
	// timeSpanDefault is how many ticks the diagram shows across at first;
	// zooming halves or doubles it within the bounds below.
	timeSpanDefault = 160
	timeSpanMin     = 16
	timeSpanMax     = 1 << 16
	// timeModelMsgsMax bounds the messages the diagram's model keeps: past
	// it, what ended long before the cursor is let go (the diagram then
	// starts later; scrubbing there rebuilds it).
	timeModelMsgsMax = 200_000
	// viewMenuCompactMinW is the narrowest compact frame (layout units)
	// whose title bar has room for the view menu beside the chapter list;
	// narrower frames switch views with the v key, the "view" command or
	// a link's view=.
	viewMenuCompactMinW = 600
)

// timeView is the lab's state for the diagram and history views. The
// model is derived from the run's trace only (never from what the lab drew
// before), so any scrub, fork or replay shows the run as it is.
type timeView struct {
	mode   string
	model  *spacetime.Model
	runRev int // the run the model was built for (Lab.runID)
	// cluster names the cluster drawn in a chapter that runs several
	// ("" or cluster 0's name: the lab's run); modelCluster and
	// clusterRev are the cluster and its revision the model was built
	// for (ClusterTracer).
	cluster      string
	modelCluster int
	clusterRev   int
	filter       diagram.Filter
	// gossipChosen is set once the user switched gossip on or off: from
	// then on a new run keeps that choice.
	gossipChosen bool
	span         int64
	follow       bool
	from         int64 // the left edge while not following
	sel          diagram.Item
	layout       diagram.Layout
	stale        map[core.RequestID]bool
	staleKey     [5]int                  // operations begun, reads succeeded, the run's revision, the cluster and its revision when stale was filled
	lost         map[core.RequestID]bool // puts lost (opLost), as found at lostKey
	lostKey      [4]int64                // the tick, the run's revision, the cluster and its revision

	// Widgets shown in the diagram's strip.
	groups  [diagram.GroupCount]*ui.Toggle
	followT *ui.Toggle
	zoomIn  *ui.Button
	zoomOut *ui.Button
	prevOp  *ui.Button
	nextOp  *ui.Button
	other   *ui.Button // draws the chapter's next cluster
	strip   frame.Rect
	plot    frame.Rect
	caption frame.Rect
	drag    struct {
		on   bool
		x    float64
		from int64
	}
}

func (l *Lab) buildTimeWidgets() {
	tv := &l.tv
	tv.mode = ViewScene
	tv.filter = diagram.DefaultFilter()
	tv.span = timeSpanDefault
	tv.follow = true
	short := [diagram.GroupCount]string{"Writes", "Reads", "Repair", "Gossip", "Merkle"}
	for g := range diagram.GroupCount {
		tv.groups[g] = ui.NewToggle("view-"+strings.ToLower(short[g]), short[g], "Show "+g.String()+" messages",
			!tv.filter.Hide[g], func(on bool) {
				tv.filter.Hide[g] = !on
				tv.gossipChosen = tv.gossipChosen || g == diagram.GroupGossip
			})
	}
	tv.followT = ui.NewToggle("view-follow", "Follow", "Keep the current tick in view as the run plays", true, func(on bool) {
		tv.follow = on
		if !on {
			tv.from, _ = diagram.Follow(l.tl.Now(), tv.span)
		}
	})
	tv.zoomIn = ui.NewButton("view-zoomin", "+", "Show fewer ticks across (mouse wheel)", func() { l.zoom(0.5) })
	tv.zoomOut = ui.NewButton("view-zoomout", "−", "Show more ticks across (mouse wheel)", func() { l.zoom(2) })
	tv.prevOp = ui.NewButton("view-prevop", "◄ Op", "Select the previous client operation ([)", func() { l.selectOp(-1) })
	tv.nextOp = ui.NewButton("view-nextop", "Op ►", "Select the next client operation (])", func() { l.selectOp(1) })
	tv.other = ui.NewButton("view-cluster", "", "Draw the other cluster's run", func() {
		names := l.clusterNames()
		if len(names) > 1 {
			l.setView(tv.mode + "-" + strings.ToLower(names[(l.timeCluster()+1)%len(names)]))
		}
	})
}

// timeClusters are the names of the clusters the time views can draw, or
// nil when they draw only the lab's run.
func (l *Lab) timeClusters() []string {
	if _, ok := l.Chapter().(ClusterTracer); ok {
		return l.clusterNames()
	}
	return nil
}

// timeCluster is the cluster the time views draw: 0, the lab's run, unless
// the view names another of the chapter's clusters.
func (l *Lab) timeCluster() int {
	if l.tv.cluster == "" {
		return 0
	}
	names := l.timeClusters()
	return max(slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(n, l.tv.cluster) }), 0)
}

// timeRun is the run the time views draw: the lab's, or another cluster's
// with the store of its trace and its revision.
func (l *Lab) timeRun() (c *core.Cluster, trace *tracestore.Store, rev int, ok bool) {
	if i := l.timeCluster(); i > 0 {
		return l.Chapter().(ClusterTracer).ClusterRun(i)
	}
	return l.tl.Cluster(), nil, 0, true
}

// timeViewsOffered reports whether the current chapter shows a run the
// time views can draw: one with a timeline.
func (l *Lab) timeViewsOffered() bool { return l.Chapter().Parts()&PartTimeline != 0 }

// timeViewShown reports whether the diagram or the history is on screen.
func (l *Lab) timeViewShown() bool { return l.tv.mode != ViewScene && l.timeViewsOffered() }

// switchMode shows view mode (one of ViewNames) of the cluster drawn now:
// the view menu and the v key keep the cluster.
func (l *Lab) switchMode(mode string) {
	if c := l.tv.cluster; c != "" && mode != ViewScene {
		mode += "-" + c
	}
	l.setView(mode)
}

// setView switches the view (a name ParseView accepts: "diagram" is the
// lab's run, "diagram-cp" a cluster of the chapter's by name).
func (l *Lab) setView(v string) {
	mode, cluster := splitView(v)
	if cluster != "" && !slices.ContainsFunc(l.timeClusters(), func(n string) bool { return strings.EqualFold(n, cluster) }) {
		l.notify(fmt.Sprintf("This chapter runs no cluster %q: the view shows its run.", cluster))
		cluster = ""
	}
	before := l.viewName()
	l.tv.cluster = cluster
	if l.tv.mode = mode; l.viewName() != before {
		l.runRev++ // the link carries the view
	}
	if l.timeCluster() != l.tv.modelCluster {
		l.tv.sel = diagram.Item{} // its ids are the other cluster's
	}
	l.w.view.Selected = slices.Index(ViewNames, mode)
	if mode != ViewScene {
		l.syncTimeModel(nil)
	}
}

func (l *Lab) zoom(f float64) {
	tv := &l.tv
	center := l.tl.Now()
	if !tv.follow {
		center = tv.from + tv.span/2
	}
	tv.span = min(max(int64(float64(tv.span)*f), timeSpanMin), timeSpanMax)
	if !tv.follow {
		tv.from = max(center-tv.span/2, 0)
	}
}

// timeRange is the ticks the diagram shows.
func (l *Lab) timeRange() (int64, int64) {
	tv := &l.tv
	if tv.follow {
		return diagram.Follow(l.tl.Now(), tv.span)
	}
	return tv.from, tv.from + tv.span
}

// syncTimeModel brings the diagram's model to the live run: the frame's new
// events when they follow on from what it has, else a rebuild from the
// run's trace (a new run, a scrub that rebuilt the cluster, a run opened at
// a later tick). evs are the events just collected.
func (l *Lab) syncTimeModel(evs []core.Event) {
	tv := &l.tv
	if !l.timeViewShown() {
		tv.model = nil
		return
	}
	if tv.runRev != l.runID && !tv.gossipChosen {
		// Gossip drowns client traffic, but is all there is to see in a
		// run without clients (membership and failure detection).
		cfg := l.tl.Config()
		tv.filter.Hide[diagram.GroupGossip] = cfg.Workload.Clients > 0 || cfg.GossipIntervalTicks == 0
		tv.groups[diagram.GroupGossip].On = !tv.filter.Hide[diagram.GroupGossip]
	}
	if i := l.timeCluster(); i > 0 || tv.modelCluster != 0 {
		l.syncClusterModel(i)
		return
	}
	if tv.model == nil || tv.runRev != l.runID {
		l.rebuildTimeModel()
		return
	}
	for i, e := range evs {
		if e.Seq <= tv.model.Seq() {
			continue
		}
		if e.Seq != tv.model.Seq()+1 {
			l.rebuildTimeModel()
			return
		}
		tv.model.Add(evs[i:])
		break
	}
	if len(tv.model.Msgs()) > timeModelMsgsMax {
		tv.model.Forget(l.tl.Now() - 4*tv.span)
	}
}

func (l *Lab) rebuildTimeModel() {
	tv := &l.tv
	tv.model = spacetime.New(l.tl.Config())
	tv.runRev, tv.modelCluster = l.runID, 0
	evs, err := l.context().RunTrace()
	if err != nil {
		l.notify("Could not rebuild the run's trace for the diagram: " + err.Error())
		return
	}
	tv.model.Add(evs)
}

// syncClusterModel is syncTimeModel for cluster i of a chapter that runs
// several (ClusterTracer), cluster 0 included when the model drew another:
// the model follows the cluster's trace, and is rebuilt from it when the
// cluster was rebuilt.
func (l *Lab) syncClusterModel(i int) {
	tv := &l.tv
	if i == 0 {
		tv.model, tv.modelCluster = nil, 0
		l.syncTimeModel(nil) // back to the lab's run, rebuilt from its trace
		return
	}
	c, trace, rev, ok := l.Chapter().(ClusterTracer).ClusterRun(i)
	if !ok {
		tv.model = nil
		return
	}
	rebuild := func() {
		tv.model = spacetime.New(c.Config())
		tv.runRev, tv.modelCluster, tv.clusterRev = l.runID, i, rev
		tv.model.Add(trace.Events(trace.Start(), c.Now()))
	}
	if tv.model == nil || tv.runRev != l.runID || tv.modelCluster != i || tv.clusterRev != rev {
		rebuild()
		return
	}
	var news []core.Event
	trace.EachEvent(tv.model.Tick(), c.Now(), func(e *core.Event) bool {
		if e.Seq > tv.model.Seq() {
			news = append(news, *e)
		}
		return true
	})
	if len(news) > 0 && news[0].Seq != tv.model.Seq()+1 {
		rebuild() // the trace's window moved past the model
		return
	}
	tv.model.Add(news)
	if len(tv.model.Msgs()) > timeModelMsgsMax {
		tv.model.Forget(c.Now() - 4*tv.span)
	}
}

// forkTimeModel is called before a command is applied: when the model knows
// ticks after the current one, the run is about to fork and the model
// forgets them.
func (l *Lab) forkTimeModel() {
	tv := &l.tv
	if tv.model == nil {
		return
	}
	if tv.modelCluster != 0 {
		return // another cluster's: it follows that cluster's rebuilds
	}
	if now := l.tl.Now(); tv.model.Tick() > now {
		tv.model.Truncate(uint64(l.tl.Cluster().Counters().Events), now)
	}
}

// layoutTimeView places the diagram's strip, plot and caption in the
// picture's area.
func (l *Lab) layoutTimeView(area frame.Rect) {
	tv := &l.tv
	th := &l.theme
	u := th.U
	gap := u(6)
	// A toggle is its switch and its label ("Gossip: off").
	toggleW := func(t *ui.Toggle) float64 { return l.measure.Width(t.Label+": off", th.Font()) + u(54) }
	nav := []ui.Widget{tv.prevOp, tv.nextOp, tv.zoomOut, tv.zoomIn, tv.followT}
	navW := []float64{u(64), u(64), u(32), u(32), toggleW(tv.followT)}
	tv.other.SetBounds(frame.Rect{})
	if names := l.timeClusters(); names != nil {
		tv.other.Label = "Cluster: " + names[l.timeCluster()]
		nav = append([]ui.Widget{tv.other}, nav...)
		navW = append([]float64{l.measure.Width(tv.other.Label, th.Font()) + u(20)}, navW...)
	}
	var filters []ui.Widget
	var filterW []float64
	for g := range diagram.GroupCount {
		tv.groups[g].SetBounds(frame.Rect{})
		if tv.mode == ViewDiagram {
			filters = append(filters, tv.groups[g])
			filterW = append(filterW, toggleW(tv.groups[g]))
		}
	}
	inner := area.Inset(u(8))
	width := func(ws []float64) float64 {
		sum := 0.0
		for _, w := range ws {
			sum += w + gap
		}
		return sum
	}
	// One row when everything fits, else the filters get a row of their own.
	rows := 1
	if width(navW)+width(filterW) > inner.W && len(filters) > 0 {
		rows = 2
	}
	tv.strip, inner = inner.CutTop(float64(rows)*th.ControlHeight() + float64(rows-1)*gap)
	_, inner = inner.CutTop(u(8))
	// The caption takes the lines its text needs, up to three, and never
	// more than a third of what is left.
	capLines := 2.0
	if tv.model != nil {
		capLines = float64(len(frame.Wrap(l.measure, l.timeCaption(), th.Font(), inner.W)))
	}
	capLines = max(1, min(capLines, 3, math.Floor(inner.H/3/frame.LineHeight(th.Font()))))
	tv.caption, tv.plot = inner.CutBottom(frame.LineHeight(th.Font())*capLines + u(6))
	// The time axis's labels sit under the plot.
	tv.plot, _ = tv.plot.CutTop(tv.plot.H - frame.LineHeight(th.Font()))
	row := frame.Rect{X: tv.strip.X, Y: tv.strip.Y, W: tv.strip.W, H: th.ControlHeight()}
	place := func(ws []ui.Widget, widths []float64) {
		for i, w := range ws {
			if row.W < widths[i] {
				w.SetBounds(frame.Rect{}) // no room: left out this frame
				continue
			}
			var r frame.Rect
			r, row = row.CutLeft(widths[i])
			w.SetBounds(r)
			_, row = row.CutLeft(gap)
		}
	}
	place(nav, navW)
	if rows == 2 {
		row = frame.Rect{X: tv.strip.X, Y: tv.strip.Y + th.ControlHeight() + gap, W: tv.strip.W, H: th.ControlHeight()}
	}
	place(filters, filterW)
}

// timeWidgets are the diagram strip's widgets with room on screen, in Tab
// order.
func (l *Lab) timeWidgets() []ui.Widget {
	tv := &l.tv
	ws := []ui.Widget{tv.other, tv.prevOp, tv.nextOp, tv.zoomOut, tv.zoomIn, tv.followT}
	if tv.mode == ViewDiagram {
		for g := range diagram.GroupCount {
			ws = append(ws, tv.groups[g])
		}
	}
	out := ws[:0]
	for _, w := range ws {
		if w.Bounds().W > 0 {
			out = append(out, w)
		}
	}
	return out
}

// timeInput is the diagram's input for the tick on screen.
func (l *Lab) timeInput() diagram.Input {
	tv := &l.tv
	from, to := l.timeRange()
	th := &l.theme
	size := th.Font() * 0.9
	if tv.plot.H < th.U(120) {
		size = 0 // no room for words: arrows only
	}
	f := tv.filter
	if tv.mode == ViewHistory && tv.sel.Kind == diagram.ItemOp {
		if o, ok := tv.model.Op(core.RequestID(tv.sel.ID)); ok {
			f.Key = o.Key
		}
	}
	in := diagram.Input{Area: tv.plot, Cursor: l.tl.Now(), From: from, To: to, Filter: f, Selected: tv.sel,
		Stale: l.opStale, Lost: l.opLost, History: tv.mode == ViewHistory, TextSize: size, Measure: l.measure}
	if v, ok := l.verdict(); ok && len(v.Unexplained) > 0 {
		in.Unexplained = func(id core.RequestID) bool { return slices.Contains(v.Unexplained, id) }
		if len(v.Linearized) > 0 {
			in.Linearized = func(id core.RequestID) bool { return slices.Contains(v.Linearized, id) }
		}
	}
	return in
}

// verdict is the chapter's linearizability verdict on the run on screen,
// if it has one (Verdicter): it checks the lab's run, cluster 0.
func (l *Lab) verdict() (Verdict, bool) {
	if vc, ok := l.Chapter().(Verdicter); ok && l.timeCluster() == 0 {
		return vc.Verdict(l.tl.Now())
	}
	return Verdict{}, false
}

// opStale reports whether the oracle counted read id as stale. The
// history is read again only when an operation began or a read succeeded
// since the last time (a read is judged when it succeeds).
func (l *Lab) opStale(id core.RequestID) bool {
	tv := &l.tv
	c, _, rev, ok := l.timeRun()
	if !ok {
		return false
	}
	cn := c.Counters()
	if key := [5]int{cn.OpsAttempted, cn.GetsOK, l.runRev, l.timeCluster(), rev}; key != tv.staleKey || tv.stale == nil {
		tv.staleKey = key
		clear(tv.stale)
		if tv.stale == nil {
			tv.stale = map[core.RequestID]bool{}
		}
		for _, op := range c.History() {
			if op.Stale {
				tv.stale[op.Request] = true
			}
		}
	}
	return tv.stale[id]
}

// opLost reports whether put id is lost at the tick on screen: no version
// on its key's replicas has seen it, nor does a stand-in's hint
// (core.Cluster.WriteLost; after settling, the lost write). Asked of the
// puts drawn, each found once a tick.
func (l *Lab) opLost(id core.RequestID) bool {
	tv := &l.tv
	c, _, rev, ok := l.timeRun()
	if !ok {
		return false
	}
	if key := [4]int64{c.Now(), int64(l.runRev), int64(l.timeCluster()), int64(rev)}; key != tv.lostKey || tv.lost == nil {
		tv.lostKey = key
		if tv.lost == nil {
			tv.lost = map[core.RequestID]bool{}
		}
		clear(tv.lost)
	}
	lost, known := tv.lost[id]
	if !known {
		lost = c.WriteLost(id)
		tv.lost[id] = lost
	}
	return lost
}

// drawTimeView draws the diagram or the history in the picture's area.
func (l *Lab) drawTimeView(layer *frame.Layer) {
	tv := &l.tv
	th := &l.theme
	if i := l.timeCluster(); i > 0 {
		// Another cluster advances in its chapter's Update, after the
		// lab's run: its model catches up here, for the tick on screen.
		l.syncClusterModel(i)
	}
	if tv.model == nil {
		l.paragraph(layer, tv.plot, "The run's trace could not be rebuilt for this view.", th.TextDim)
		return
	}
	tv.layout.Build(tv.model, l.timeInput())
	tv.layout.Draw(layer)
	l.paragraph(layer, tv.caption, l.timeCaption(), th.Text)
}

// timeCaption says what is selected, or how to select; with a
// linearizability verdict on the run, it says that first.
func (l *Lab) timeCaption() string {
	s := l.selectionCaption()
	if names := l.timeClusters(); names != nil {
		s = "The " + names[l.timeCluster()] + " cluster's run. " + s
	}
	v, ok := l.verdict()
	if !ok {
		return s
	}
	tv := &l.tv
	if tv.sel.Kind == diagram.ItemOp && slices.Contains(v.Unexplained, core.RequestID(tv.sel.ID)) {
		return s + " It is one of the operations no single order explains (outlined): " + v.Words
	}
	if tv.sel.Kind == diagram.ItemOp && slices.Contains(v.Linearized, core.RequestID(tv.sel.ID)) {
		return s + " It is in the longest order the check found (underlined in blue). " + v.Words
	}
	if tv.sel.Kind != diagram.ItemNone || tv.mode == ViewHistory {
		return v.Words + " " + s
	}
	// The verdict takes the room of the legend.
	if len(v.Unexplained) > 0 && len(v.Linearized) > 0 {
		return v.Words + " Outlined: the operations no single order explains; underlined in blue: the longest order found. Click a bar or an arrow to explain it."
	}
	if len(v.Unexplained) > 0 {
		return v.Words + " Outlined: the operations no single order explains. Click a bar or an arrow to explain it."
	}
	return v.Words + " Click a bar or an arrow to explain it."
}

// selectionCaption says what is selected, or how to select.
func (l *Lab) selectionCaption() string {
	tv := &l.tv
	now := l.tl.Now()
	switch tv.sel.Kind {
	case diagram.ItemOp:
		o, ok := tv.model.Op(core.RequestID(tv.sel.ID))
		if !ok || o.Start > now {
			break
		}
		who := "client " + strconv.Itoa(o.Client)
		if o.Client == 0 {
			who = "you"
		}
		s := fmt.Sprintf("%s by %s via %s, tick %d", o.Label(now), who, o.Coordinator, o.Start)
		if !o.Answered(now) {
			return s + ": still waiting for its answer."
		}
		s += fmt.Sprintf(" to %d", o.End)
		r := tv.layout.Request
		if r.Op != nil && r.Op.Need > 0 {
			answers := "replies" // a get's
			if o.Kind == core.OpPut {
				answers = "acks"
			}
			s += fmt.Sprintf("; %d of %d %s counted", len(r.Counted), r.Op.Need, answers)
			if len(r.Late) > 0 {
				s += fmt.Sprintf(", %d came too late", len(r.Late))
			}
		}
		if len(r.Repairs) > 0 {
			s += fmt.Sprintf("; it caused %d read repairs", len(r.Repairs))
		}
		if tv.layout.Missed != nil {
			s += ". Stale: it missed " + tv.layout.Missed.Value + ", acknowledged at tick " +
				strconv.FormatInt(tv.layout.Missed.End, 10) + ": " + tv.layout.Why + "."
		} else if !o.OK {
			s += ". Failed: " + o.Err + "."
		} else if o.Kind == core.OpPut && l.opLost(o.Request) {
			s += ". Lost: no replica of " + o.Key + " holds it now, nor a version that has seen it."
		}
		return s
	case diagram.ItemMsg:
		if g, ok := tv.model.Msg(tv.sel.ID); ok && g.Send <= now {
			return "Message: " + g.Describe(now) + "."
		}
	}
	if tv.mode == ViewHistory {
		return "One row per client; pick an operation (click, or ◄ Op / Op ►) to see only its key's history."
	}
	if l.layout.compact {
		return "Time runs left to right; a cross is a lost message. Click a bar or an arrow to explain it."
	}
	return "Time runs left to right, a lane per node and client. Arrows are messages: orange writes, green reads, blue replies, vermillion repairs, purple gossip, yellow Merkle; a cross is a lost message. Bands are partition sides, grey is a node down, a yellow strip a node whose clock is skewed. Click a bar or an arrow to explain it."
}

// parseViewItem reads a "select" value that names an item of the time
// views: "op:N", "msg:N" or "stale". ok is false for anything else (a node
// name); err says what is wrong with a value that looks like one.
func parseViewItem(s string) (item string, ok bool, err error) {
	if s == "stale" {
		return s, true, nil
	}
	for _, prefix := range []string{"op:", "msg:"} {
		if num, found := strings.CutPrefix(s, prefix); found {
			if n, e := strconv.ParseUint(num, 10, 64); e != nil || n == 0 {
				return "", true, fmt.Errorf("%s needs a positive number after %q", runfmt.Clip(s), prefix)
			}
			return s, true, nil
		}
	}
	return "", false, nil
}

// selectionName names the time view's selection as a link and a replay
// file carry it ("op:N", "msg:N"): "" for none, for an item of another
// cluster than the lab's run, or for one that has not begun at the tick on
// screen.
func (l *Lab) selectionName() string {
	tv := &l.tv
	if tv.model == nil || tv.modelCluster != 0 {
		return ""
	}
	switch tv.sel.Kind {
	case diagram.ItemOp:
		if o, ok := tv.model.Op(core.RequestID(tv.sel.ID)); ok && o.Start <= l.tl.Now() {
			return "op:" + strconv.FormatUint(tv.sel.ID, 10)
		}
	case diagram.ItemMsg:
		if g, ok := tv.model.Msg(tv.sel.ID); ok && g.Send <= l.tl.Now() {
			return "msg:" + strconv.FormatUint(tv.sel.ID, 10)
		}
	}
	return ""
}

// selectViewItem selects an item named by parseViewItem, switching to the
// diagram when the scene is shown.
func (l *Lab) selectViewItem(s string) {
	if !l.timeViewsOffered() {
		l.notify("This page has no run to select in.")
		return
	}
	if l.tv.mode == ViewScene {
		l.setView(ViewDiagram)
	}
	tv := &l.tv
	if tv.model == nil {
		return
	}
	switch {
	case s == "stale":
		var h []core.Op
		if c, _, _, ok := l.timeRun(); ok {
			h = c.History()
		}
		for i := len(h) - 1; i >= 0; i-- {
			if h[i].Stale {
				tv.sel = diagram.Item{Kind: diagram.ItemOp, ID: uint64(h[i].Request)}
				if o, ok := tv.model.Op(h[i].Request); ok {
					l.bringIntoView(o.Start, o.End)
				}
				return
			}
		}
		l.notify("No read of this run is stale (yet).")
	case strings.HasPrefix(s, "op:"):
		n, _ := strconv.ParseUint(s[3:], 10, 64)
		o, ok := tv.model.Op(core.RequestID(n))
		if !ok || o.Start > l.tl.Now() {
			l.notify(fmt.Sprintf("There is no operation %d in this run at tick %d.", n, l.tl.Now()))
			return
		}
		tv.sel = diagram.Item{Kind: diagram.ItemOp, ID: n}
		l.bringIntoView(o.Start, o.End)
	default:
		n, _ := strconv.ParseUint(s[4:], 10, 64)
		g, ok := tv.model.Msg(n)
		if !ok || g.Send > l.tl.Now() {
			l.notify(fmt.Sprintf("There is no message %d in this run at tick %d.", n, l.tl.Now()))
			return
		}
		tv.sel = diagram.Item{Kind: diagram.ItemMsg, ID: n}
		l.bringIntoView(g.Send, g.End)
	}
}

// bringIntoView shows ticks [from, to] (to may be spacetime.Pending): when
// they are outside the range on screen, following stops and the range is
// centred on them.
func (l *Lab) bringIntoView(from, to int64) {
	tv := &l.tv
	if to == spacetime.Pending || to > l.tl.Now() {
		to = l.tl.Now()
	}
	lo, hi := l.timeRange()
	if from >= lo && to <= hi {
		return
	}
	tv.follow, tv.followT.On = false, false
	tv.span = min(max(tv.span, (to-from)*2), timeSpanMax)
	tv.from = max((from+to)/2-tv.span/2, 0)
}

// selectOp moves the selection to the previous or next operation in view.
func (l *Lab) selectOp(dir int) {
	tv := &l.tv
	if tv.model == nil {
		return
	}
	var ids []core.RequestID
	from, to := l.timeRange()
	tv.model.OpsBetween(from, min(to, l.tl.Now()), func(o *spacetime.Op) bool {
		ids = append(ids, o.Request)
		return true
	})
	if len(ids) == 0 {
		return
	}
	i := 0
	if tv.sel.Kind == diagram.ItemOp {
		if k := slices.Index(ids, core.RequestID(tv.sel.ID)); k >= 0 {
			i = min(max(k+dir, 0), len(ids)-1)
		} else if dir < 0 {
			i = len(ids) - 1
		}
	} else if dir < 0 {
		i = len(ids) - 1
	}
	tv.sel = diagram.Item{Kind: diagram.ItemOp, ID: uint64(ids[i])}
}

// handleTimeInput takes the pointer and keys the diagram answers: a click
// selects (and moves the timeline to the tick clicked), a drag pans, the
// wheel zooms, [ and ] step through the operations.
func (l *Lab) handleTimeInput(in *ui.Input) {
	tv := &l.tv
	if tv.model == nil {
		return
	}
	for _, r := range l.mgr.UnhandledChars {
		switch r {
		case '[':
			l.selectOp(-1)
		case ']':
			l.selectOp(1)
		}
	}
	over := tv.plot.Contains(in.MouseX, in.MouseY) && !l.mgr.PointerOverUI
	if over && in.WheelY != 0 {
		if in.WheelY > 0 {
			l.zoom(0.5)
		} else {
			l.zoom(2)
		}
	}
	switch {
	case in.MousePressed && over:
		tv.drag.on, tv.drag.x = true, in.MouseX
		tv.drag.from, _ = l.timeRange()
	case in.MouseDown && tv.drag.on:
		dx := in.MouseX - tv.drag.x
		if abs(dx) > l.theme.U(4) {
			ticks := int64(dx / max(tv.plot.W, 1) * float64(tv.span))
			tv.follow = false
			tv.followT.On = false
			tv.from = max(tv.drag.from-ticks, 0)
		}
	case in.MouseReleased && tv.drag.on:
		tv.drag.on = false
		if abs(in.MouseX-tv.drag.x) <= l.theme.U(4) {
			if h, ok := tv.layout.HitTest(in.MouseX, in.MouseY, l.theme.U(4)); ok {
				tv.sel = h.Item
				l.seekToItem(h.Item)
			} else {
				tv.sel = diagram.Item{}
			}
		}
	}
}

// seekToItem moves the timeline to the end of the item clicked (an
// operation's answer, a message's delivery), where what it did is visible.
func (l *Lab) seekToItem(it diagram.Item) {
	tv := &l.tv
	var t int64 = -1
	switch it.Kind {
	case diagram.ItemOp:
		if o, ok := tv.model.Op(core.RequestID(it.ID)); ok && o.End != spacetime.Pending {
			t = o.End
		}
	case diagram.ItemMsg:
		if g, ok := tv.model.Msg(it.ID); ok && g.End != spacetime.Pending {
			t = g.End
		}
	}
	if t >= 0 && t != l.tl.Now() && t <= l.tl.Head() {
		l.seek(t)
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
