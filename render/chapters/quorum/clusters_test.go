package quorum

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/chapters/internal/chaptertest"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
)

// inspectorText is the side panel's text under the node dropdown.
func inspectorText(l *lab.Lab) string {
	var b strings.Builder
	for _, tx := range l.Frame().Layers[frame.LayerUI].Texts {
		b.WriteString(tx.S + "\n")
	}
	return b.String()
}

// hint is the inspector's text with no node selected; it must not send
// the student to a ring these chapters do not draw.
func checkHint(t *testing.T, l *lab.Lab, name string) {
	t.Helper()
	if msg := l.Command(`{"type":"select","value":""}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
	txt := inspectorText(l)
	if !strings.Contains(txt, "or pick one") || strings.Contains(txt, "on the ring") {
		t.Errorf("%s: the inspector's hint does not speak of this picture: %q", name, txt)
	}
}

// In the quorums chapter every node drawn selects itself when clicked.
func TestQuorumsNodesAreClickable(t *testing.T) {
	l := newLab(t, "quorums")
	run(t, l, 10)
	checkHint(t, l, "quorums")
	glyphs := chaptertest.NodeGlyphs(&l.Frame().Layers[frame.LayerScene])
	if len(glyphs) == 0 {
		t.Fatal("no node glyph in the picture")
	}
	for _, g := range glyphs {
		id := chaptertest.NodeOfColour(l.View(), g.C)
		chaptertest.Click(l, g.X, g.Y)
		if got := l.Selected(); got != id {
			t.Errorf("a click on %v's glyph at (%.0f,%.0f) selects %v", id, g.X, g.Y, got)
		}
	}
}

// In the CAP chapter a click on a node selects that node of the cluster it
// is drawn in: the inspector names the cluster and shows that cluster's
// node (under the partition the two clusters store different things), and
// the node wears a ring in its own panel only. The event log names the
// cluster of every line, and both clusters' requests are in it.
func TestCAPBothClustersInspectableAndLogged(t *testing.T) {
	l := newLab(t, "cap")
	c := l.Chapter().(*CAP)
	checkHint(t, l, "cap")
	run(t, l, 30)
	click(t, l, c.split)
	click(t, l, c.write)
	run(t, l, 60)
	cp, ap := capSides(l)
	names := c.ClusterNames()
	cpIndex := 0
	if names[1] == "CP" {
		cpIndex = 1
	}
	glyphs := chaptertest.NodeGlyphs(&l.Frame().Layers[frame.LayerScene])
	if len(glyphs) != 2*capNodes {
		t.Fatalf("%d node glyphs, want %d (both clusters)", len(glyphs), 2*capNodes)
	}
	mid := (glyphs[0].X + glyphs[len(glyphs)-1].X) / 2
	for _, g := range glyphs {
		id := chaptertest.NodeOfColour(l.View(), g.C)
		chaptertest.Click(l, g.X, g.Y)
		want, cl, wantName := cpIndex, cp, "CP"
		if g.X > mid { // the AP panel is on the right
			want, cl, wantName = 1-cpIndex, ap, "AP"
		}
		if l.Selected() != id || l.SelectedCluster() != want {
			t.Errorf("a click on %s's %v selects %v of cluster %d, want cluster %d", wantName, id, l.Selected(), l.SelectedCluster(), want)
			continue
		}
		txt := inspectorText(l)
		v := cl.View()
		keys := 0
		for _, n := range v.Nodes {
			if n.ID == id {
				keys = len(n.Keys)
			}
		}
		head := wantName + " cluster: " + id.String() + " is"
		if !strings.Contains(txt, head) {
			t.Errorf("inspecting %s's %v: no line starting %q in\n%s", wantName, id, head, txt)
		}
		if !strings.Contains(txt, "Stores "+itoa(keys)+" keys") {
			t.Errorf("inspecting %s's %v: want its %d keys, got\n%s", wantName, id, keys, txt)
		}
	}
	// The log: both clusters, each line named.
	if msg := l.Command(`{"type":"tab","value":"events"}`); msg != "" {
		t.Fatal(msg)
	}
	click(t, l, c.write)
	run(t, l, 12)
	checkLog(t, l, "frame by frame")
	// A run of many ticks in one frame (the page's "run" command, a fast
	// speed) interleaves both clusters' lines by tick too.
	click(t, l, c.read)
	if msg := l.Command(`{"type":"run","value":40}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
	checkLog(t, l, "after a run of 40 ticks")
	// Scrubbing back and forward again brings no replayed line as news.
	if msg := l.Command(`{"type":"seek","value":5}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
	for _, tx := range l.Frame().Layers[frame.LayerUI].Texts {
		if strings.Contains(tx.S, "CP · ") || strings.Contains(tx.S, "AP · ") {
			t.Errorf("after going back the log shows %q", tx.S)
		}
	}
}

// checkLog wants the visible event log to name a cluster on every line,
// to show both clusters' lines, and to keep them in tick order.
func checkLog(t *testing.T, l *lab.Lab, when string) {
	t.Helper()
	var cpLines, apLines int
	last := -1
	for _, tx := range l.Frame().Layers[frame.LayerUI].Texts {
		m := logLine.FindStringSubmatch(tx.S)
		if m == nil {
			continue // not a log line, or a wrapped line's continuation
		}
		line := m[2]
		tick, _ := strconv.Atoi(m[1])
		if tick < last {
			t.Errorf("%s: log line %q after a line of tick %d", when, tx.S, last)
		}
		last = tick
		switch {
		case strings.HasPrefix(line, "CP · "):
			cpLines++
		case strings.HasPrefix(line, "AP · "):
			apLines++
		default:
			t.Errorf("%s: log line %q names no cluster", when, tx.S)
		}
	}
	if cpLines == 0 || apLines == 0 {
		t.Errorf("%s: the log shows %d CP lines and %d AP lines, want both clusters'", when, cpLines, apLines)
	}
}

// logLine is the start of an event-log line: its tick, then its text.
var logLine = regexp.MustCompile(`^t([0-9]+) +(.*)$`)

func itoa(n int) string { return strconv.Itoa(n) }

// The page's "select" command names a cluster as "CP n1"; an unknown one
// is refused with a notice and changes nothing.
func TestCAPSelectCommandNamesTheCluster(t *testing.T) {
	l := newLab(t, "cap")
	c := l.Chapter().(*CAP)
	for _, name := range c.ClusterNames() {
		if msg := l.Command(`{"type":"select","value":"` + name + ` n1"}`); msg != "" {
			t.Fatal(msg)
		}
		l.Update(idle(), desktop)
		if got := c.ClusterNames()[l.SelectedCluster()]; got != name || l.Selected() != 1 {
			t.Errorf("select %s n1 selected %v of %s", name, l.Selected(), got)
		}
		if !strings.Contains(inspectorText(l), name+" cluster: n1 is") {
			t.Errorf("select %s n1: the inspector says\n%s", name, inspectorText(l))
		}
		if !strings.Contains(l.State(), `"selected":"`+name+` n1"`) {
			t.Errorf("select %s n1: state %s", name, l.State())
		}
	}
	before := l.SelectedCluster()
	if msg := l.Command(`{"type":"select","value":"XY n2"}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
	if l.SelectedCluster() != before || l.Selected() != 1 || !strings.Contains(l.Notice(), "no cluster") {
		t.Errorf("select XY n2: selected %v of cluster %d, notice %q", l.Selected(), l.SelectedCluster(), l.Notice())
	}
}
