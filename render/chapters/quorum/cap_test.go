package quorum

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
)

// The chapter's key has no replica on the side the split button cuts off,
// by core's own preference list.
func TestCAPKeyHasNoReplicaOnTheMinority(t *testing.T) {
	l := newLab(t, "cap")
	c := l.Chapter().(*CAP)
	pref := l.Timeline().Cluster().PreferenceList(c.key, 3)
	for _, id := range pref {
		if contains(capMinority, id) {
			t.Fatalf("key %s has replica %v in the minority %v (replicas %v)", c.key, id, capMinority, pref)
		}
	}
}

// capSides are the CP and AP clusters of the chapter.
func capSides(l *lab.Lab) (cp, ap *core.Cluster) {
	c := l.Chapter().(*CAP)
	live := l.Timeline().Cluster()
	if l.View().Config.Mode == core.Strict {
		return live, c.twin.c
	}
	return c.twin.c, live
}

// The try-this: under a partition CP fails the cut-off side's requests
// while AP answers them (at the price of stale reads); after the heal AP's
// replicas converge on both sides' writes.
func TestCAPPartitionCPRefusesAPAnswersThenConverges(t *testing.T) {
	l := newLab(t, "cap")
	c := l.Chapter().(*CAP)
	run(t, l, 30) // the preset's write and reads finish
	click(t, l, c.split)
	if got := l.View().Groups; len(got) != 2 || !slices.Equal(got[0], capMinority) {
		t.Fatalf("split made groups %v", got)
	}
	click(t, l, c.write)
	run(t, l, 60)
	click(t, l, c.read)
	run(t, l, 60)

	cp, ap := capSides(l)
	if cp.Now() != ap.Now() {
		t.Fatalf("the clusters are at ticks %d and %d", cp.Now(), ap.Now())
	}
	for _, side := range []struct {
		name   string
		client int
		cpOK   bool
	}{
		{"left (cut off from every replica)", capClientLeft, false},
		{"right (holds every replica)", capClientRight, true},
	} {
		cpOps := opsOf(cp.History(), side.client)[1:] // skip the preset's read
		apOps := opsOf(ap.History(), side.client)[1:]
		if len(cpOps) != 2 || len(apOps) != 2 {
			t.Fatalf("%s: want a write and a read in each cluster, got CP %+v AP %+v", side.name, cpOps, apOps)
		}
		for i := range cpOps {
			if cpOps[i].Kind != apOps[i].Kind || cpOps[i].Value != apOps[i].Value || cpOps[i].InvokeTick != apOps[i].InvokeTick {
				t.Errorf("%s: the clusters got different requests: %+v vs %+v", side.name, cpOps[i], apOps[i])
			}
			if cpOps[i].OK != side.cpOK {
				t.Errorf("%s: CP %v ok=%v (%s), want ok=%v", side.name, cpOps[i].Kind, cpOps[i].OK, cpOps[i].Err, side.cpOK)
			}
			if !apOps[i].OK {
				t.Errorf("%s: AP %v failed (%s); AP answers on both sides", side.name, apOps[i].Kind, apOps[i].Err)
			}
		}
	}
	cpc, apc := cp.Counters(), ap.Counters()
	if cpc.OpsFailed != 2 || apc.OpsFailed != 0 {
		t.Errorf("failed requests: CP %d (want the left write and read), AP %d (want none)", cpc.OpsFailed, apc.OpsFailed)
	}
	if cpc.StaleReads != 0 || apc.StaleReads == 0 {
		t.Errorf("stale reads: CP %d (want none), AP %d (want some: each side missed the other's write)", cpc.StaleReads, apc.StaleReads)
	}
	if !hasText(l, "partition") {
		t.Error("the partition line's label is missing")
	}

	click(t, l, c.split) // heal
	if len(l.View().Groups) != 0 {
		t.Fatal("the heal button did not heal")
	}
	apSide := func() capTally {
		v := ap.View()
		return tallyOf(capSide{v: &v, pref: ap.PreferenceList(c.key, 3)}, c.key)
	}
	for ticks := 0; !apSide().agree; ticks += 20 {
		if ticks > 1200 {
			t.Fatalf("AP's replicas still disagree 1200 ticks after the heal: %s", apSide().replicaText)
		}
		run(t, l, 20)
	}
	v := ap.View()
	for _, id := range ap.PreferenceList(c.key, 3) {
		vals, _ := storedValues(&v, id, c.key)
		slices.Sort(vals)
		if !slices.Equal(vals, []string{"L1", "R1"}) {
			t.Errorf("AP replica %v holds %v after the heal, want both sides' writes as siblings", id, vals)
		}
	}
	cv := cp.View()
	if tc := tallyOf(capSide{v: &cv, pref: cp.PreferenceList(c.key, 3)}, c.key); !tc.agree {
		t.Errorf("CP's replicas disagree: %s", tc.replicaText)
	}
	if !hasText(l, "Replicas of "+c.key+" agree") {
		t.Errorf("convergence is not on screen: %q", texts(l, frame.LayerScene))
	}
}

// Scrubbing back rebuilds the twin at the same tick, with the same history
// as a fresh replay of the run up to there.
func TestCAPTwinFollowsTheTimeline(t *testing.T) {
	l := newLab(t, "cap")
	c := l.Chapter().(*CAP)
	run(t, l, 30)
	click(t, l, c.split)
	click(t, l, c.write)
	run(t, l, 40)
	back := l.Timeline().Now() - 30
	if msg := l.Command(`{"type":"seek","value":` + strconv.FormatInt(back, 10) + `}`); msg != "" {
		t.Fatal(msg)
	}
	l.Update(idle(), desktop)
	if c.twin.c.Now() != back {
		t.Fatalf("twin at tick %d after seeking to %d", c.twin.c.Now(), back)
	}
	cfg := c.twin.cfg
	fresh, err := core.Replay(cfg, l.Timeline().Cluster().Recorded(), back)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.twin.c.Digest(), fresh.Digest(); got != want {
		t.Errorf("twin digest %s after the scrub, a fresh replay gives %s", got, want)
	}
}

// The signature: both modes, each with its counters, and the partition
// line once the network is split.
func TestCAPShowsBothModesAndTheirCounters(t *testing.T) {
	l := newLab(t, "cap")
	c := l.Chapter().(*CAP)
	if hasText(l, "partition") {
		t.Error("a partition line is drawn while the network is whole")
	}
	click(t, l, c.split)
	run(t, l, 4)
	all := texts(l, frame.LayerScene)
	count := func(s string) int {
		n := 0
		for _, t := range all {
			if t == s {
				n++
			}
		}
		return n
	}
	for _, want := range []struct {
		text string
		n    int
	}{
		{"CP · strict quorum", 1}, {"AP · sloppy quorum", 1}, {"partition", 2},
		{"failed requests", 2}, {"stale reads", 2}, {"most siblings", 2},
	} {
		if got := count(want.text); got != want.n {
			t.Errorf("%q appears %d times, want %d (once per cluster)", want.text, got, want.n)
		}
	}
	// Moving a node: select n2 and move it to the cut-off side.
	l.Command(`{"type":"select","value":"n2"}`)
	l.Update(idle(), desktop)
	click(t, l, c.move)
	if g := l.View().Groups; len(g) != 2 || !slices.Equal(g[0], []core.NodeID{0, 1, 2}) {
		t.Errorf("after moving n2 the groups are %v", g)
	}
}

// "Last requests" always shows the newest requests, in both panels: after
// a write and a read from both sides, the right side's read is listed; and
// after the heal the read that returns both sides' writes is listed too.
func TestCAPLastRequestsShowTheNewest(t *testing.T) {
	l := newLab(t, "cap")
	c := l.Chapter().(*CAP)
	run(t, l, 30)
	click(t, l, c.split)
	click(t, l, c.write)
	run(t, l, 60)
	click(t, l, c.read)
	run(t, l, 60)
	for _, want := range []string{"left read via n0", "right read via n2"} {
		if n := countText(l, want); n != 2 {
			t.Errorf("%q shown in %d panels, want both: %q", want, n, texts(l, frame.LayerScene))
		}
	}
	// In a smaller window fewer lines fit: the newest stays.
	l.Update(idle(), lab.Size{W: 1024, H: 640, Scale: 1})
	if n := countText(l, "right read via n2"); n != 2 {
		t.Errorf("1024x640: the newest request is shown in %d panels, want both: %q", n, texts(l, frame.LayerScene))
	}
	l.Update(idle(), desktop)
	click(t, l, c.split) // heal
	run(t, l, 300)
	click(t, l, c.read)
	run(t, l, 60)
	if !hasText(l, "left read via n0: L1 | R1") && !hasText(l, "left read via n0: R1 | L1") {
		t.Errorf("the read after the heal is not listed with both writes: %q", texts(l, frame.LayerScene))
	}
}

// The try-this names only buttons that are on screen before the split.
func TestCAPTryThisNamesButtonsOnScreen(t *testing.T) {
	l := newLab(t, "cap")
	c := l.Chapter().(*CAP)
	l.Update(idle(), desktop)
	try := c.Info().TryThis
	for _, b := range []string{c.split.Label, c.write.Label, c.read.Label} {
		word := strings.Trim(strings.Fields(b)[0], ":")
		if !strings.Contains(try, word) {
			t.Errorf("the try-this does not name %q: %s", word, try)
		}
	}
	for _, gone := range []string{"from both sides\"", "\"Write from", "\"Read from"} {
		if strings.Contains(try, gone) {
			t.Errorf("the try-this names %s, a label shown only after Split: %s", gone, try)
		}
	}
}

func countText(l *lab.Lab, s string) int {
	n := 0
	for _, t := range texts(l, frame.LayerScene) {
		if strings.Contains(t, s) {
			n++
		}
	}
	return n
}

// The mode switched during the run (a live knob): the twin stays the other
// mode, so the panel that says CP draws a strict cluster and the one that
// says AP a sloppy one, before the switch (scrubbed back to), after it, and
// after leaving the chapter and coming back.
func TestCAPModeSwitchKeepsTheTwinTheOtherMode(t *testing.T) {
	l := newLab(t, "cap")
	c := l.Chapter().(*CAP)
	modes := func(when string, liveStrict bool) {
		t.Helper()
		l.Update(idle(), desktop)
		for frames := 0; l.StateNow().Job != nil; frames++ { // a seek may take frames
			if frames > 1000 {
				t.Fatalf("%s: the seek did not finish", when)
			}
			l.Update(idle(), desktop)
		}
		if got := l.View().Config.Mode == core.Strict; got != liveStrict {
			t.Fatalf("%s: the run is strict=%v", when, got)
		}
		cp, ap := capSides(l)
		if cp.Config().Mode != core.Strict || ap.Config().Mode != core.Sloppy {
			t.Errorf("%s: the CP panel's cluster is in mode %v, the AP panel's in %v", when, cp.Config().Mode, ap.Config().Mode)
		}
		names := c.ClusterNames()
		if want := map[bool]string{true: "CP", false: "AP"}[liveStrict]; names[0] != want {
			t.Errorf("%s: the run is named %q, want %q", when, names[0], want)
		}
	}
	l.Command(`{"type":"pause"}`)
	run(t, l, 20)
	modes("at first", false)
	if msg := l.Command(`{"type":"knob","name":"mode","value":"cp"}`); msg != "" {
		t.Fatal(msg)
	}
	run(t, l, 10)
	modes("after the switch to CP", true)
	rec := l.Timeline().Recorded()
	switched, head := rec[len(rec)-1].Tick, l.Timeline().Head()
	if msg := l.Command(`{"type":"seek","value":` + strconv.FormatInt(switched-5, 10) + `}`); msg != "" {
		t.Fatal(msg)
	}
	modes("scrubbed back before the switch", false)
	if msg := l.Command(`{"type":"seek","value":` + strconv.FormatInt(head, 10) + `}`); msg != "" {
		t.Fatal(msg)
	}
	modes("forward again", true)
	for _, ch := range []string{"quorums", "cap"} {
		if msg := l.Command(`{"type":"chapter","value":"` + ch + `"}`); msg != "" {
			t.Fatal(msg)
		}
		l.Update(idle(), desktop)
	}
	c = l.Chapter().(*CAP)
	if l.Timeline().Now() > 0 {
		modes("back in the chapter", l.View().Config.Mode == core.Strict)
	}
}
