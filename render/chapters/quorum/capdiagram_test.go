package quorum

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/chapters/internal/chaptertest"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
)

// twinAsOwnRun opens, in a second lab, the CAP chapter's twin as that lab's
// own run: the same commands to the same tick, under the twin's
// configuration, shown as view.
func twinAsOwnRun(t *testing.T, l *lab.Lab, view string) *lab.Lab {
	t.Helper()
	r := l.CurrentRun()
	cfg := l.Chapter().(*CAP).twin.cfg
	r.Config, r.View = &cfg, view
	r.Actions = l.Timeline().Cluster().Recorded()
	r.ScriptKept = 0
	o := chaptertest.Open(t, Chapters(), "cap", 1)
	if err := o.LoadRun(r); err != nil {
		t.Fatal(err)
	}
	o.Update(idle(), desktop)
	return o
}

// sameGeometry reports whether two frames' scene layers hold the same
// shapes (the words differ: each names its cluster).
func sameGeometry(a, b *lab.Lab) bool {
	return reflect.DeepEqual(a.Frame().Layers[frame.LayerScene].Batches(), b.Frame().Layers[frame.LayerScene].Batches())
}

// capAfterPartition opens the CAP chapter and plays a partition, a write
// and a read on it.
func capAfterPartition(t *testing.T) (*lab.Lab, *CAP) {
	t.Helper()
	l := newLab(t, "cap")
	c := l.Chapter().(*CAP)
	run(t, l, 30)
	click(t, l, c.split)
	click(t, l, c.write)
	run(t, l, 20)
	click(t, l, c.read)
	run(t, l, 40)
	return l, c
}

// The CAP chapter's diagram and history draw either cluster: the twin's
// picture is exactly the one its run draws when opened as the lab's own,
// after playing, a scrub back and a fork; its words name the cluster, and
// switching back shows the lab's run again.
func TestCAPTimeViewsDrawEitherCluster(t *testing.T) {
	l, c := capAfterPartition(t)
	if !c.twinStrict() {
		t.Fatal("the lab's run is not the AP cluster")
	}
	// Straight to the CP cluster's diagram, as a link's view= opens it.
	if msg := l.Command(`{"type":"view","value":"diagram-cp"}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
	cpFirst := append([]frame.Batch(nil), l.Frame().Layers[frame.LayerScene].Batches()...)
	if msg := l.Command(`{"type":"view","value":"diagram"}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
	ownAP := append([]frame.Batch(nil), l.Frame().Layers[frame.LayerScene].Batches()...)
	press := func() {
		t.Helper()
		if msg := l.Command(`{"type":"press","value":"view-cluster"}`); msg != "" {
			t.Fatal(msg)
		}
		l.Update(idle(), desktop)
	}
	press()
	if got := l.StateNow().View; got != "diagram-cp" {
		t.Fatalf("after pressing the cluster button the view is %q, want diagram-cp", got)
	}
	if !strings.HasPrefix(l.StateNow().ViewText, "The CP cluster's run.") {
		t.Errorf("the caption does not name the cluster drawn: %q", l.StateNow().ViewText)
	}
	if !reflect.DeepEqual(l.Frame().Layers[frame.LayerScene].Batches(), cpFirst) {
		t.Error("the CP diagram opened directly differs from the one the button shows")
	}
	check := func(when string) {
		t.Helper()
		o := twinAsOwnRun(t, l, "diagram")
		if o.Timeline().Now() != l.Timeline().Now() {
			t.Fatalf("%s: the twin's run opened at tick %d, the lab is at %d", when, o.Timeline().Now(), l.Timeline().Now())
		}
		if o.View().Config.Mode != core.Strict {
			t.Fatalf("%s: the reference run is not CP", when)
		}
		if !sameGeometry(l, o) {
			t.Errorf("%s (tick %d): the CP cluster's diagram differs from its run's own", when, l.Timeline().Now())
		}
		if reflect.DeepEqual(l.Frame().Layers[frame.LayerScene].Batches(), ownAP) && when == "after playing" {
			t.Errorf("%s: the CP diagram is the AP run's: the partition must make them differ", when)
		}
	}
	check("after playing")
	back := l.Timeline().Now() - 35
	if msg := l.Command(`{"type":"seek","value":` + strconv.FormatInt(back, 10) + `}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
	check("after a scrub back")
	click(t, l, c.read) // forks the run at the tick on screen
	run(t, l, 30)
	check("after a fork")

	// The history of the same cluster, and the view in links.
	if msg := l.Command(`{"type":"view","value":"history-cp"}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
	if o := twinAsOwnRun(t, l, "history"); !sameGeometry(l, o) {
		t.Error("the CP cluster's history differs from its run's own")
	}
	if r := l.CurrentRun(); r.View != "history-cp" {
		t.Errorf("the run's view is %q, want history-cp", r.View)
	}
	if !strings.Contains(l.Link(), "view=history-cp") {
		t.Errorf("the link does not carry the cluster drawn: %s", l.Link())
	}

	// Back to the lab's run: the AP cluster.
	press()
	if got := l.StateNow().View; got != "history" {
		t.Errorf("after pressing again the view is %q, want history (the lab's run)", got)
	}
	if msg := l.Command(`{"type":"view","value":"diagram-ap"}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
	if got := l.StateNow().View; got != "diagram" {
		t.Errorf("diagram-ap is the lab's run here: view %q, want diagram", got)
	}
	// A cluster the chapter does not run: a notice, the lab's run shown.
	l.Command(`{"type":"view","value":"diagram-xy"}`)
	l.Update(idle(), desktop)
	if s := l.StateNow(); s.View != "diagram" || !strings.Contains(s.Notice, `no cluster "xy"`) {
		t.Errorf("diagram-xy: view %q, notice %q", s.View, s.Notice)
	}

	// The explanation of a stale read is the drawn cluster's: the AP
	// cluster's latest stale read, selected where AP is the lab's run and
	// where it is the twin, is told in the same words.
	if msg := l.Command(`{"type":"select","value":"stale"}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
	own := l.StateNow().ViewText
	if !strings.Contains(own, "Stale: it missed") {
		t.Fatalf("the AP run's latest stale read is not explained: %q", own)
	}
	o := twinAsOwnRun(t, l, "diagram-ap")
	if o.View().Config.Mode != core.Strict || o.StateNow().View != "diagram-ap" {
		t.Fatalf("the second lab runs %v and shows %q, want CP with the AP twin drawn", o.View().Config.Mode, o.StateNow().View)
	}
	if msg := o.Command(`{"type":"select","value":"stale"}`); msg != "" {
		t.Fatal(msg)
	}
	o.Update(idle(), desktop)
	if got := o.StateNow().ViewText; got != own {
		t.Errorf("the AP twin's stale read is told as\n%q\nthe AP run's own as\n%q", got, own)
	}
	if !sameGeometry(l, o) {
		t.Error("the AP twin's diagram with its stale read selected differs from the AP run's own")
	}
}

// Saved while the diagram or the history shows the CP twin, the space-time
// log, the event log and the history are the twin's: the very files its
// run saves when opened as the lab's own, named for the cluster. In the
// scene they are the lab's run's.
func TestCAPExportsTheClusterShown(t *testing.T) {
	l, _ := capAfterPartition(t)
	export := func(l *lab.Lab, kind string) lab.File {
		t.Helper()
		f, err := l.Export(kind)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		return f
	}
	scene := map[string]lab.File{}
	for _, kind := range []string{lab.ExportShiViz, lab.ExportEvents, lab.ExportHistory} {
		scene[kind] = export(l, kind)
	}
	if msg := l.Command(`{"type":"view","value":"diagram-cp"}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
	o := twinAsOwnRun(t, l, "diagram")
	for _, kind := range []string{lab.ExportShiViz, lab.ExportEvents, lab.ExportHistory} {
		twin, own := export(l, kind), export(o, kind)
		if !strings.Contains(twin.Name, "-cp") || strings.Contains(scene[kind].Name, "-cp") {
			t.Errorf("%s: named %q for the CP cluster, %q for the run", kind, twin.Name, scene[kind].Name)
		}
		if string(twin.Data) != string(own.Data) {
			t.Errorf("%s: the CP cluster's file differs from its run's own (%d and %d bytes)", kind, len(twin.Data), len(own.Data))
		}
		if string(twin.Data) == string(scene[kind].Data) {
			t.Errorf("%s: the CP cluster's file is the AP run's", kind)
		}
	}
}
