package lab

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ringlab/ringlab/runfmt"
)

// Host is what the lab asks of the program around it for things outside
// its picture: the browser page or the desktop window. Both methods run on
// the frame loop and return the notice to show ("" for none).
type Host interface {
	// CopyLink hands the run's link to the user (the clipboard, or stdout).
	CopyLink(link string) string
	// Save hands an exported file to the user. For ExportPNG, f.Data is nil
	// and the host captures the next painted frame itself.
	Save(kind string, f File) string
}

// SetHost connects the lab to its host; nil disconnects it (the Copy link
// and Save controls then show the link or say that saving is unavailable).
func (l *Lab) SetHost(h Host) { l.host = h }

// Notify shows a notice; it must be called on the frame loop.
func (l *Lab) Notify(msg string) { l.notify(msg) }

// reopenable reports why the run on screen could not be reopened from a
// link or a replay file (the work of rebuilding it is over the budget every
// shared run is held to), or nil.
func (l *Lab) reopenable() error {
	r := l.CurrentRun()
	if _, err := l.limits.RunWork(r, l.Chapter().Preset(l.seed)); err != nil {
		return fmt.Errorf("this run is too long to reopen: %v", err)
	}
	return nil
}

// copyLink is the Copy link button.
func (l *Lab) copyLink() {
	if err := l.reopenable(); err != nil {
		l.notify("Link not copied: " + err.Error())
		return
	}
	link := l.Link()
	if l.host != nil {
		if msg := l.host.CopyLink(link); msg != "" {
			l.notify(msg)
		}
		return
	}
	l.notify("Link to this run: " + link)
}

// save is the Save menu: export kind through the host.
func (l *Lab) save(kind string) {
	if kind == ExportReplay {
		if err := l.reopenable(); err != nil {
			l.notify("Replay not saved: " + err.Error())
			return
		}
	}
	if sh, ok := l.host.(StreamHost); ok && Streamed(kind) {
		sink, msg := sh.Stream(kind)
		if sink == nil {
			l.notify(msg)
			return
		}
		if err := l.ExportTo(kind, sink); err != nil {
			l.notify("Could not export " + kind + ": " + err.Error())
		}
		return
	}
	f, err := l.Export(kind)
	if err != nil && err != ErrPNGFromHost {
		l.notify("Could not export " + kind + ": " + err.Error())
		return
	}
	if l.host == nil {
		l.notify("Saving files is not available here.")
		return
	}
	if msg := l.host.Save(kind, f); msg != "" {
		l.notify(msg)
	}
}

// linkSnapshot is what Link needs, published once a frame for callers on
// other goroutines. run.Actions is a private copy.
type linkSnapshot struct {
	run    Run
	preset Preset // the chapter's, for the run's seed
}

// publishLink refreshes the link snapshot; the run's commands are copied
// only when they changed.
func (l *Lab) publishLink() {
	if l.linkRev != l.runRev || l.linkBase == nil {
		r := l.CurrentRun()
		r.Actions = slices.Clone(r.Actions)
		if r.Config != nil {
			c := r.Config.Clone()
			r.Config = &c
		}
		p := l.Chapter().Preset(l.seed)
		p.Config.Seed = l.seed
		l.linkBase = &linkSnapshot{run: r, preset: p}
		l.linkRev = l.runRev
	}
	s := *l.linkBase
	s.run.Tick, s.run.Paused, s.run.Speed = l.tl.Now(), l.paused, l.speed
	// The page's item changes without a new run (a pick in its menu), and
	// so does the time view's selection.
	s.run.Item = l.pageItem()
	if l.timeViewShown() {
		s.run.Select = l.selectionName()
	}
	l.linkNow.Store(&s)
}

// Link is the current run as a URL fragment ("#v=1&..."), as of the last
// Update. Opening the page with it reproduces the run. Safe from any
// goroutine.
func (l *Lab) Link() string {
	s := l.linkNow.Load()
	if s == nil {
		return "#v=1"
	}
	return runfmt.EncodeLink(s.run, s.preset)
}

// LoadState opens a link's fragment in place of the current run, at the
// next Update. It returns "" or a one-line notice of what the fragment
// itself could not use (values that do not fit the chapter's configuration
// show on screen). A fragment with nothing usable changes nothing and
// returns why. Safe from any goroutine.
func (l *Lab) LoadState(fragment string) string {
	k := runfmt.ParseLink(fragment)
	if !k.Usable() {
		msg := "The link holds nothing this lab can use."
		if len(k.Notices) > 0 {
			msg = strings.Join(k.Notices, " ")
		}
		return msg
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) >= 1024 {
		return "command queue full; try again after the next frame"
	}
	l.queue = append(l.queue, action{kind: "link", link: k})
	return strings.Join(k.Notices, " ")
}

// LoadReplay checks a replay file (its format, limits and the work of
// rebuilding it, runfmt.ParseReplay) and, if it is sound, rebuilds its run
// from the next Update on, across frames, switching to it when it is done;
// a command in it that the simulation refuses leaves the run on screen
// as it was, with a notice. It returns "" or a one-line error; on error
// nothing changes. Safe from any goroutine: it does no simulation.
func (l *Lab) LoadReplay(text []byte) string {
	r, err := runfmt.ParseReplay(text)
	if err != nil {
		return "Replay not loaded: " + err.Error()
	}
	if _, err := l.chapterIndex(r.Chapter); err != nil {
		return fmt.Sprintf("Replay not loaded: chapter %q: %v", r.Chapter, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) >= 1024 {
		return "command queue full; try again after the next frame"
	}
	l.queue = append(l.queue, action{kind: "replay", replay: &r})
	return ""
}

// openLinkNow performs a queued LoadState: it rebuilds the linked run
// across frames (a job) and switches to it when it is done.
func (l *Lab) openLinkNow(k *runfmt.Link) {
	notices := slices.Clone(k.Notices)
	idx := l.cur
	if k.Chapter != "" {
		i, err := l.chapterIndex(k.Chapter)
		if err != nil {
			notices = append(notices, fmt.Sprintf("Ignored chapter=%q: %v.", k.Chapter, err))
		} else {
			idx = i
		}
	}
	notices = append(notices, l.openLink(k, idx, true)...)
	if len(notices) > 0 {
		l.notify(strings.Join(notices, " "))
	}
}

// loadReplayNow performs a queued LoadReplay: the replay is rebuilt across
// frames (a job), strictly, and replaces the run on screen only if every
// command in it is taken. Quiet, it says nothing when it succeeds, and
// takes down the notice on screen.
func (l *Lab) loadReplayNow(r *runfmt.Replay, quiet bool) {
	run := r.Run()
	idx, err := l.chapterIndex(run.Chapter)
	if err == nil && run.View != "" {
		_, err = ParseView(run.View)
	}
	var rb *builder
	if err == nil {
		rb, err = l.newBuilder(idx, run, true)
	}
	if err != nil {
		l.notify("Replay not loaded: " + err.Error())
		return
	}
	l.startJob(&job{title: "Loading the replay", build: rb,
		fail: func(err error) { l.notify("Replay not loaded: " + err.Error() + " The run on screen is unchanged.") },
		done: func(b builtRun) {
			if err := l.installRun(run, b); err != nil {
				l.notify("Replay not loaded: " + err.Error())
				return
			}
			if quiet {
				l.notify("") // the verdict read, the run it named shows now
				return
			}
			msg := fmt.Sprintf("Loaded the replay: %s, seed %d, %d actions, tick %d.", l.Chapter().Info().Title, r.Seed, len(r.Actions), r.Tick)
			if r.Digest != "" && r.Digest != l.tl.Cluster().Digest() {
				msg += " This build's simulation differs from the one that saved it: the run may not match."
			}
			l.notify(msg)
		}})
}

// Page news: what the lab tells the page, at most once every newsEveryFrames.
const (
	newsEveryFrames = UpdatesPerSecond / 4
	newsLinesMax    = 5
	feedMax         = 1000
)

// changeKey is the user-visible state whose change the page hears about.
// The tick counts only while paused: a playing run changes every frame.
type changeKey struct {
	rev        int
	chapter    int
	item       string
	seed       uint64
	paused     bool
	speed      float64
	pausedTick int64
}

func (l *Lab) changeKeyNow() changeKey {
	k := changeKey{rev: l.runRev, chapter: l.cur, item: l.pageItem(), seed: l.seed, paused: l.paused, speed: l.speed, pausedTick: -1}
	if l.paused {
		k.pausedTick = l.tl.Now()
	}
	return k
}

// Change is the summary the page passes to its parent frame.
type Change struct {
	Chapter      string `json:"chapter"`
	ChapterIndex int    `json:"chapterIndex"`
	Tick         int64  `json:"tick"`
	Seed         uint64 `json:"seed"`
	Paused       bool   `json:"paused"`
	Link         string `json:"link"`
}

// feedLine queues one event-log line for the page's live region.
func (l *Lab) feedLine(line logLine) {
	if len(l.feed) >= feedMax {
		l.feedDropped++
		return
	}
	l.feed = append(l.feed, "tick "+strconv.FormatInt(line.tick, 10)+": "+line.text)
}

// TakePageNews returns what the page should hear after this Update: a
// Change summary as JSON when the user-visible state changed, and new
// event-log lines (at most newsLinesMax, the rest summed up as "and N more
// events"). Each comes at most once every newsEveryFrames frames; between
// them changes and lines accumulate. Call it on the frame loop.
func (l *Lab) TakePageNews() (change string, lines []string) {
	if l.frameCounter-l.newsAt < newsEveryFrames {
		return "", nil
	}
	key := l.changeKeyNow()
	if key != l.sentKey {
		l.sentKey = key
		info := l.Chapter().Info()
		b, _ := json.Marshal(Change{Chapter: info.ID, ChapterIndex: l.cur + 1, Tick: l.tl.Now(), Seed: l.seed,
			Paused: l.paused, Link: l.Link()})
		change = string(b)
	}
	if n := len(l.feed) + l.feedDropped; n > 0 {
		lines = slices.Clone(l.feed[:min(len(l.feed), newsLinesMax)])
		if rest := n - len(lines); rest > 0 {
			lines = append(lines, fmt.Sprintf("and %d more events", rest))
		}
		l.feed = l.feed[:0]
		l.feedDropped = 0
	}
	if change != "" || lines != nil {
		l.newsAt = l.frameCounter
	}
	return change, lines
}
