package lab_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/render/chapters"
	"github.com/ringlab/ringlab/render/frame"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/render/ui"
)

// truthScripts are, per chapter, a run a person could make: the chapter's
// preset, then presses of its buttons (and page commands for its knobs)
// with ticks run between them. Every step is one command.
var truthScripts = map[string][]string{
	"naive-hashing":      {"run 10", "press naive-add", "run 20", "press naive-add", "run 10", "press naive-remove", "run 10"},
	"consistent-hashing": {"run 10", "press ring-add", "run 20", "press ring-remove", "run 10"},
	"virtual-nodes":      {"run 10", "press vnodes-remove", "run 20"},
	"replication": {"run 20", "press replication-read", "run 15", "press replication-crash", "run 10",
		"press replication-read", "run 30", "press replication-restart", "run 10"},
	"cap": {"run 10", "press cap-split", "run 5", "press cap-write", "run 30", "press cap-read", "run 30",
		"press cap-split", "run 40", "press cap-read", "run 30"},
	"quorums": {`set w 1`, `set r 1`, "press quorum-split", "press quorum-write", "run 40", "press quorum-read", "run 40",
		"press quorum-split", `set w 2`, `set r 2`, "press quorum-split", "press quorum-write", "run 40",
		"press quorum-read", "run 40", "press quorum-crash", "run 20"},
	"versioning": {"press versioning-split", "press versioning-left", "run 20", "press versioning-right", "run 20",
		"press versioning-split", "run 30", "press versioning-merge", "run 40"},
	"merkle":   {"run 30", "press merkle-diverge", "run 60", "press merkle-sync", "run 60", "press merkle-read", "run 30"},
	"failures": {"press failures-crash", "run 80", "press failures-write", "run 30", "press failures-crash", "run 40", "press failures-join", "run 60"},
	"summary":  {"run 120", "press sandbox-split", "run 60", "press sandbox-write", "run 30", "press sandbox-split", "run 60", "press sandbox-read", "run 30"},
}

// command turns a script step into a page command.
func command(step string) string {
	f := strings.Fields(step)
	switch f[0] {
	case "run":
		return `{"type":"run","value":` + f[1] + `}`
	case "press":
		return `{"type":"press","value":"` + f[1] + `"}`
	case "set":
		return `{"type":"core","cmd":{"kind":"set","param":"` + f[1] + `","num":` + f[2] + `}}`
	}
	panic("unknown step " + step)
}

func truthIdle() *ui.Input { return &ui.Input{MouseX: -1, MouseY: -1} }

var truthSize = lab.Size{W: 1280, H: 800, Scale: 1}

// do queues one page command and runs the frame that performs it.
func do(t *testing.T, l *lab.Lab, cmd string) {
	t.Helper()
	if msg := l.Command(cmd); msg != "" {
		t.Fatalf("%s: %s", cmd, msg)
	}
	l.Update(truthIdle(), truthSize)
	if n := l.Notice(); strings.HasPrefix(n, "No button or toggle") || strings.Contains(n, "disabled") || strings.Contains(n, "refused") {
		t.Fatalf("%s: %s", cmd, n)
	}
}

// picture lets the chapter settle for two frames and describes its picture.
func picture(l *lab.Lab) string {
	for range 2 {
		l.Update(truthIdle(), truthSize)
	}
	return fmt.Sprintf("tick %d\n", l.Timeline().Now()) + lab.ChapterPicture(l)
}

func truthLab(t *testing.T, opts lab.Options) *lab.Lab {
	t.Helper()
	opts.Paused, opts.ReducedMotion = true, true
	if opts.Seed == 0 {
		opts.Seed = 3
	}
	l, err := lab.New(chapters.All(), &frame.GoRegular{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	l.Update(truthIdle(), truthSize)
	return l
}

// firstDiff names the first line where two pictures differ.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(la), len(lb)) {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n   %.300s\nvs %.300s", i+1, x, y)
		}
	}
	return ""
}

// TestEveryChapterDrawsTheRunAtTheTick is the lab's first rule as a test:
// what a chapter draws and says is a function of the run at the tick on
// screen, never of what the chapter saw before. For a scripted run of each
// chapter, the picture at the end of every step, reached by playing
// straight there, must equal the picture after scrubbing there from the
// run's end, after forking the run at the step's last press and replaying
// the same presses, and after reopening the run's link in a fresh lab.
func TestEveryChapterDrawsTheRunAtTheTick(t *testing.T) {
	for _, ch := range chapters.All() {
		id := ch.Info().ID
		script, ok := truthScripts[id]
		if !ok {
			if ch.Parts()&lab.PartTimeline != 0 {
				t.Errorf("chapter %q has a run but no script here", id)
			}
			continue
		}
		t.Run(id, func(t *testing.T) {
			// Playing straight: the picture and the link after every step.
			// A picture is compared only where the next step runs ticks:
			// the commands of one tick all belong to that tick's picture.
			l := truthLab(t, lab.Options{Chapter: id})
			t0 := l.Timeline().Now()
			ticks := make([]int64, len(script))
			straight := make([]string, len(script))
			links := make([]string, len(script))
			for i, step := range script {
				do(t, l, command(step))
				straight[i] = picture(l)
				ticks[i] = l.Timeline().Now()
				links[i] = l.Link()
			}
			checked := func(i int) bool { return i == len(script)-1 || strings.HasPrefix(script[i+1], "run") }

			// Scrubbing back from the end, step by step.
			for i := len(script) - 1; i >= 0; i-- {
				if !checked(i) {
					continue
				}
				do(t, l, `{"type":"seek","value":`+strconv.FormatInt(ticks[i], 10)+`}`)
				if d := firstDiff(straight[i], picture(l)); d != "" {
					t.Errorf("after step %d (%s, tick %d), scrubbed back from tick %d, the picture differs from playing straight there: %s",
						i+1, script[i], ticks[i], ticks[len(ticks)-1], d)
				}
			}

			// Forking: the run goes on differently after the last press
			// before step i (the same press later), is scrubbed back there,
			// and the press and the steps up to i are made again.
			for i := range script {
				p := i
				for p >= 0 && strings.HasPrefix(script[p], "run") {
					p--
				}
				if p < 0 || !checked(i) {
					continue
				}
				l := truthLab(t, lab.Options{Chapter: id})
				for _, step := range script[:p] {
					do(t, l, command(step))
				}
				back := l.Timeline().Now()
				for _, step := range []string{"run 25", script[p], "run 25"} {
					do(t, l, command(step))
				}
				do(t, l, `{"type":"seek","value":`+strconv.FormatInt(back, 10)+`}`)
				for _, step := range script[p : i+1] {
					do(t, l, command(step))
				}
				if d := firstDiff(straight[i], picture(l)); d != "" {
					t.Errorf("after step %d (%s, tick %d), forked at step %d, the picture differs from playing straight there: %s",
						i+1, script[i], ticks[i], p+1, d)
				}
			}

			// Reopening the run's link in a fresh lab.
			for i := range script {
				if !checked(i) {
					continue
				}
				o := lab.OptionsFromFragment(links[i], lab.Options{})
				fresh := truthLab(t, o)
				if d := firstDiff(straight[i], picture(fresh)); d != "" {
					t.Errorf("after step %d (%s, tick %d), the run's link %s reopened shows another picture: %s",
						i+1, script[i], ticks[i], links[i], d)
				}
			}
			_ = t0
		})
	}
}

// TestEmbedsKeepPrimaryButtonsAndTryThis: in embedded frames of 560x350
// CSS pixels and up (the course page's sizes among them), with the side
// panel closed, every chapter's primary buttons are on the canvas and can
// be pressed, its try-this is drawn, and its picture keeps room beside
// them.
func TestEmbedsKeepPrimaryButtonsAndTryThis(t *testing.T) {
	sizes := []lab.Size{{W: 560, H: 350, Scale: 1}, {W: 560, H: 420, Scale: 1}, {W: 736, H: 460, Scale: 1}, {W: 736, H: 480, Scale: 1}, {W: 1472, H: 960, Scale: 2}}
	for _, ch := range chapters.All() {
		id := ch.Info().ID
		if ch.Parts() == 0 {
			continue // the experiments page has its own layout
		}
		for _, sz := range sizes {
			name := fmt.Sprintf("%s at %gx%g@%g", id, sz.W, sz.H, sz.Scale)
			l, err := lab.New(chapters.All(), &frame.GoRegular{}, lab.Options{Chapter: id, Seed: 1, Paused: true, Embed: true})
			if err != nil {
				t.Fatal(err)
			}
			l.Update(truthIdle(), sz)
			l.Update(truthIdle(), sz)
			primary, try, scene := lab.StripShown(l)
			if len(primary) == 0 {
				t.Errorf("%s: no button of the chapter on the canvas", name)
			}
			for _, b := range primary {
				if msg := l.Command(`{"type":"press","value":"` + b + `"}`); msg != "" {
					t.Fatal(msg)
				}
				l.Update(truthIdle(), sz)
				if n := l.Notice(); strings.HasPrefix(n, "No button or toggle") {
					t.Errorf("%s: %s", name, n)
				}
			}
			if !try {
				t.Errorf("%s: the try-this is not on the canvas", name)
			}
			if min := 130 * sz.Scale; scene.H < min {
				t.Errorf("%s: the picture keeps %+v, under %g px tall", name, scene, min)
			}
		}
	}
}
