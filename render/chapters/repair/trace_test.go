package repair

import (
	"testing"

	"github.com/ringlab/ringlab/render/lab"
)

// A link opens a run at a later tick with no event handed to the chapter:
// the history it draws must still be there, rebuilt from the run.
func TestLinkOpensWithHistory(t *testing.T) {
	cases := []struct {
		name, fragment string
		want           string // a label only the history can produce
	}{
		{"merkle exchange", "#v=1&chapter=merkle&seed=1&tick=570&paused=1&a=450:partition:groups=n1~450:put:node=n0:client=2:key=cold%3A0:value=new~450:put:node=n0:client=3:key=hot%3A3:value=new~455:heal~510:antientropy:node=n0:peer=n1", "Last exchange at tick"},
		{"version graph", "#v=1&chapter=versioning&seed=1&tick=40&paused=1&a=0:put:node=n0:client=1:key=cart:value=milk:ctx=1~0:put:node=n3:client=2:key=cart:value=eggs:ctx=1", "[n3:1]"},
		{"crash story", "#v=1&chapter=failures&seed=1&tick=70&paused=1&a=0:crash:node=n2", "n2 crashed at tick 0"},
	}
	for _, tc := range cases {
		l, err := lab.New(Chapters(), measure, lab.OptionsFromFragment(tc.fragment, lab.Options{}))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		update(t, l)
		update(t, l)
		if !hasText(l, tc.want) {
			t.Errorf("%s: no %q in the picture: %q", tc.name, tc.want, sceneTexts(l))
		}
	}
}

// A long run: the events a chapter keeps for its history stay within the
// run's retained window (give or take the quarter it waits before copying).
func TestTraceKeepsTheWindowOnly(t *testing.T) {
	ch := NewMerkle()
	l, err := lab.New([]lab.Chapter{ch}, measure, lab.Options{Seed: 1, Speed: lab.SpeedMax, WindowBytes: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	for l.Timeline().Start() < 20000 {
		update(t, l)
	}
	start, now := l.Timeline().Start(), l.Timeline().Now()
	if first := ch.trace.From(); first < start-(now-start)/2 {
		t.Errorf("the chapter keeps ticks from %d; the window starts at %d (now %d)", first, start, now)
	}
	for _, e := range ch.trace.Events {
		if e.Tick < start-(now-start)/2 {
			t.Fatalf("the chapter keeps an event of tick %d; the window starts at %d", e.Tick, start)
		}
	}
}
