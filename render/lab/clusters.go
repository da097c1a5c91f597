package lab

import (
	"cmp"
	"slices"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/core/tracestore"
)

// NodeHinter is implemented by chapters that say how their picture's nodes
// are clicked ("Click a node in either cluster"): the inspector's hint
// starts with it; "" says the picture has no node to click. Without it the
// hint speaks of "the picture".
type NodeHinter interface {
	NodeHint() string
}

// Clusters is implemented by a chapter that runs further clusters beside
// the lab's run, driven by the same commands (the CAP chapter's second
// mode). The inspector then shows the nodes of every cluster, a click in
// the picture selects a node of the cluster drawn there, and the event
// log names the cluster of each line. Cluster 0 is always the lab's run.
type Clusters interface {
	// ClusterNames names the clusters, cluster 0 first ("AP", "CP").
	ClusterNames() []string
	// ClusterView is cluster i's view at the current tick, for i >= 1;
	// nil when the chapter has none now.
	ClusterView(i int) *core.View
	// ClusterEvents returns cluster i's events (i >= 1) that are news
	// since the last call, oldest first, and forgets them: what the
	// cluster did while the lab's run advanced, not what it replayed to
	// catch up after a scrub.
	ClusterEvents(i int) []core.Event
	// ClusterNodeAt is the node drawn at a point of the last picture,
	// with its cluster.
	ClusterNodeAt(x, y float64) (cluster int, id core.NodeID, ok bool)
}

// ClusterTracer is implemented by a Clusters chapter whose further clusters
// keep their traces, so that the time views (the diagram, the history) can
// draw any of its clusters, not only the lab's run.
type ClusterTracer interface {
	// ClusterRun is cluster i's run (i >= 1) at the current tick: the
	// cluster, the store of its recent events and operations, and its
	// revision, which changes whenever the cluster was rebuilt (a scrub,
	// a new configuration): its events then start over. ok is false when
	// the chapter has no such cluster now.
	ClusterRun(i int) (c *core.Cluster, trace *tracestore.Store, rev int, ok bool)
}

// clusterNames are the current chapter's cluster names, or nil when it
// shows one cluster.
func (l *Lab) clusterNames() []string {
	if cs, ok := l.Chapter().(Clusters); ok {
		if names := cs.ClusterNames(); len(names) > 1 {
			return names
		}
	}
	return nil
}

// clusterView is cluster i's view: the lab's own for 0.
func (l *Lab) clusterView(i int) *core.View {
	if i == 0 {
		return l.view
	}
	if cs, ok := l.Chapter().(Clusters); ok && i < len(cs.ClusterNames()) {
		return cs.ClusterView(i)
	}
	return nil
}

// SelectedCluster is the cluster of the node shown in the inspector: 0,
// the lab's run, unless the chapter runs several (Clusters).
func (l *Lab) SelectedCluster() int { return l.selCluster }

// selectNode shows node id of cluster i in the inspector.
func (l *Lab) selectNode(i int, id core.NodeID) {
	l.selCluster, l.selected = i, id
}

// nodeAt is the node under a point of the picture, with its cluster.
func (l *Lab) nodeAt(x, y float64) (int, core.NodeID, bool) {
	if cs, ok := l.Chapter().(Clusters); ok && len(cs.ClusterNames()) > 1 {
		return cs.ClusterNodeAt(x, y)
	}
	id, ok := l.Chapter().NodeAt(x, y)
	return 0, id, ok
}

// nodeHint is the inspector's text while no node is selected.
func (l *Lab) nodeHint() string {
	click := "Click a node in the picture"
	if h, ok := l.Chapter().(NodeHinter); ok {
		click = h.NodeHint()
	}
	if click == "" {
		return "Pick a node above to see what it stores and what it believes about the others."
	}
	return click + ", or pick one above, to see what it stores and what it believes about the others."
}

// nodeChoices are the node dropdown's entries: every node of every
// cluster, cluster by cluster, named with its cluster when there are
// several.
type nodeChoice struct {
	cluster int
	id      core.NodeID
	label   string
}

func (l *Lab) nodeChoices() []nodeChoice {
	names := l.clusterNames()
	var out []nodeChoice
	for i := range max(len(names), 1) {
		v := l.clusterView(i)
		if v == nil {
			continue
		}
		for _, n := range v.Nodes {
			label := n.ID.String()
			if names != nil {
				label += " · " + names[i]
			}
			out = append(out, nodeChoice{i, n.ID, label})
		}
	}
	return out
}

// collectClusterEvents adds the other clusters' news to the log, each
// line named by its cluster, and keeps the log in tick order: the news
// goes among the lab's own lines of the same ticks (after them, tick by
// tick).
func (l *Lab) collectClusterEvents() {
	names := l.clusterNames()
	if names == nil {
		return
	}
	cs := l.Chapter().(Clusters)
	var news []logLine
	for i := 1; i < len(names); i++ {
		for _, e := range cs.ClusterEvents(i) {
			if !l.showMsgs && noisy(e.Kind) {
				continue
			}
			news = append(news, logLine{tick: e.Tick, kind: e.Kind, text: names[i] + " · " + e.String()})
		}
	}
	if len(news) == 0 {
		return
	}
	from := news[0].tick
	for _, n := range news {
		from = min(from, n.tick)
	}
	// The log is in tick order: the lines of ticks from on are its tail.
	first := len(l.log)
	for first > 0 && l.log[first-1].tick >= from {
		first--
	}
	l.log = append(l.log, news...)
	slices.SortStableFunc(l.log[first:], func(a, b logLine) int { return cmp.Compare(a.tick, b.tick) })
	for _, n := range news {
		l.feedLine(n)
	}
	if n := len(l.log) - logLinesMax; n > 0 {
		l.log = append(l.log[:0], l.log[n:]...)
	}
}
