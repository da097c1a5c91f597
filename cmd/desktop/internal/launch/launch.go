// Package launch reads the desktop program's command line and checks that
// there is a display, before anything opens a window.
//
// It exists because of an ordering problem: Ebitengine initialises its
// windowing library in a package init and panics there when there is no
// display, before main can run, so a bad flag or a missing display would
// otherwise end in a stack trace. Go initialises a package as soon as its
// own imports are (in import-path order among the ready ones), and this
// package imports nothing that depends on Ebitengine, so its init runs
// first: it parses os.Args, and on a bad flag or a missing display prints
// one line and exits. The desktop program's tests check the order.
package launch

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/ringlab/ringlab/core/tracestore"
	"github.com/ringlab/ringlab/render/chapters"
	"github.com/ringlab/ringlab/render/lab"
	"github.com/ringlab/ringlab/runfmt"
)

// Program is the name used in messages.
const Program = "ringlab-desktop"

// Exit codes.
const (
	ExitUsage     = 2 // a bad flag or argument
	ExitNoDisplay = 1 // nothing to open a window on
)

// Settings are the validated command line.
type Settings struct {
	Chapter    string
	Seed       uint64
	Speed      float64
	Paused     bool
	Width      int
	Height     int
	Scale      float64
	Screenshot string
	Frames     int
	Commands   []string // JSON commands, each accepted by lab.ParseCommand
	// State is a link's fragment ("#v=1&..."), read as the page reads its
	// URL: what cannot be used falls back with a notice.
	State string
	// Link is State read (nil without -state).
	Link    *runfmt.Link
	Notices []string
	// Replay is the content of the -replay file, checked.
	Replay        []byte
	ReplayPath    string
	ExportDir     string
	ReducedMotion bool
	Embed         bool
	View          string
	// WindowMB is the run's retained window in MB (0: the default);
	// Memory prints the heap and the window every second.
	WindowMB int
	Memory   bool
}

// Parsed is the command line of this process, read by init.
var Parsed Settings

// ErrHelp is returned by Parse for -h, -help and --help.
var ErrHelp = flag.ErrHelp

func newFlagSet(s *Settings) *flag.FlagSet {
	fs := flag.NewFlagSet(Program, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&s.Chapter, "chapter", "", "chapter id or number (1 is the first)")
	fs.Uint64Var(&s.Seed, "seed", 1, "seed of the run")
	fs.Float64Var(&s.Speed, "speed", 0, fmt.Sprintf("ticks per second, %d..%d (default %d)", lab.SpeedMin, lab.SpeedMax, lab.SpeedDefault))
	fs.BoolVar(&s.Paused, "paused", false, "start paused")
	fs.IntVar(&s.Width, "width", 1280, "window width in logical pixels, 200..16384")
	fs.IntVar(&s.Height, "height", 800, "window height in logical pixels, 200..16384")
	fs.Float64Var(&s.Scale, "scale", 0, "device scale factor, 0..8 (0: the monitor's)")
	fs.StringVar(&s.Screenshot, "screenshot", "", "write the last frame to this PNG file and exit")
	fs.IntVar(&s.Frames, "frames", 60, "frames to run before -screenshot")
	fs.StringVar(&s.State, "state", "", `open a run from a link's fragment, e.g. '#v=1&chapter=quorums&seed=7&tick=200'`)
	fs.StringVar(&s.ReplayPath, "replay", "", "open a replay file (JSON, as the Save menu writes it)")
	fs.StringVar(&s.ExportDir, "export-dir", ".", "directory the Save menu writes files into")
	fs.BoolVar(&s.ReducedMotion, "reduced-motion", false, "draw message flights as jump cuts (no animation)")
	fs.BoolVar(&s.Embed, "embed", false, "the compact layout of a small embedded frame")
	fs.Func("view", "the view to start in: scene (the chapter's picture), diagram (the run's space-time diagram) or history (the clients' history); in the CAP chapter diagram-cp, history-ap and the like draw that cluster", func(v string) error {
		if _, err := lab.ParseView(v); err != nil {
			return err
		}
		s.View = v
		return nil
	})
	fs.IntVar(&s.WindowMB, "window-mb", 0, fmt.Sprintf("the run's retained window of events and operations, in MB, %d..%d (0: %d)", lab.WindowMBMin, lab.WindowMBMax, tracestore.DefaultBudgetBytes>>20))
	fs.BoolVar(&s.Memory, "memory", false, "print the Go heap in use and the retained window (ticks, events, operations, bytes) every second")
	fs.Func("do", `a JSON command as the page sends it, e.g. {"type":"step"}; repeatable: applied one per frame, in order`, func(v string) error {
		if _, err := lab.ParseCommand(v); err != nil {
			return err
		}
		s.Commands = append(s.Commands, v)
		return nil
	})
	return fs
}

// Usage is the -help text.
func Usage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s [flags]\n\nRuns the Ringlab lab in a window. With -screenshot it runs -frames frames,\nwrites the last one as a PNG and exits (it works under xvfb-run).\n\n", Program)
	fs := newFlagSet(&Settings{})
	fs.SetOutput(&b)
	fs.PrintDefaults()
	return b.String()
}

// Parse validates a command line (without the program name). The error is
// one line, naming the flag and what it accepts; ErrHelp asks for Usage.
func Parse(args []string) (Settings, error) {
	var s Settings
	fs := newFlagSet(&s)
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	switch {
	case fs.NArg() > 0:
		return s, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case s.Width < 200 || s.Height < 200 || s.Width > 16384 || s.Height > 16384:
		return s, fmt.Errorf("-width and -height must be between 200 and 16384, got %dx%d", s.Width, s.Height)
	case !(s.Scale >= 0 && s.Scale <= 8):
		return s, fmt.Errorf("-scale must be between 0 and 8, got %v", s.Scale)
	case s.Frames < 1:
		return s, fmt.Errorf("-frames must be at least 1, got %d", s.Frames)
	case s.WindowMB != 0 && (s.WindowMB < lab.WindowMBMin || s.WindowMB > lab.WindowMBMax):
		return s, fmt.Errorf("-window-mb must be between %d and %d, got %d", lab.WindowMBMin, lab.WindowMBMax, s.WindowMB)
	case s.Speed != 0 && !(s.Speed >= lab.SpeedMin && s.Speed <= lab.SpeedMax):
		return s, fmt.Errorf("-speed must be between %d and %d ticks per second, got %v", lab.SpeedMin, lab.SpeedMax, s.Speed)
	}
	if s.Chapter != "" && !knownChapter(s.Chapter) {
		return s, fmt.Errorf("-chapter %q is neither a chapter id nor a number from 1 to %d", s.Chapter, len(chapters.All()))
	}
	if s.State != "" {
		// Like the page: the link's chapter, seed, speed and pause win over
		// the flags', and its unusable values become notices, not errors.
		o := lab.OptionsFromFragment(s.State, lab.Options{Chapter: s.Chapter, Seed: s.Seed, Speed: s.Speed, Paused: s.Paused})
		s.Chapter, s.Seed, s.Speed, s.Paused, s.Notices, s.Link = o.Chapter, o.Seed, o.Speed, o.Paused, o.Notices, o.Link
	}
	if s.ReplayPath != "" {
		b, err := readLimited(s.ReplayPath)
		if err != nil {
			return s, fmt.Errorf("-replay: %v", err)
		}
		if _, _, err := runfmt.CheckReplay(b); err != nil {
			return s, fmt.Errorf("-replay %s: %v", s.ReplayPath, err)
		}
		s.Replay = b
	}
	if st, err := os.Stat(s.ExportDir); err != nil || !st.IsDir() {
		return s, fmt.Errorf("-export-dir %q is not a directory", s.ExportDir)
	}
	return s, nil
}

// readLimited reads a file of at most replayFileMax bytes.
func readLimited(path string) ([]byte, error) {
	const replayFileMax = 4 << 20
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, replayFileMax+1))
	if err != nil {
		return nil, err
	}
	if len(b) > replayFileMax {
		return nil, fmt.Errorf("%s is larger than %d MiB; a replay is much smaller", path, replayFileMax>>20)
	}
	return b, nil
}

func knownChapter(want string) bool {
	all := chapters.All()
	for i, c := range all {
		if c.Info().ID == want || fmt.Sprint(i+1) == want {
			return true
		}
	}
	return false
}

// Fail prints err as the program's one-line message and exits with code.
func Fail(err error, code int) {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	if code == ExitUsage {
		msg += " (see -help)"
	}
	fmt.Fprintf(os.Stderr, "%s: %s\n", Program, msg)
	os.Exit(code)
}

func init() {
	if testing.Testing() {
		return // a test binary's arguments are the test runner's
	}
	s, err := Parse(os.Args[1:])
	if errors.Is(err, ErrHelp) {
		fmt.Print(Usage())
		os.Exit(0)
	}
	if err != nil {
		Fail(err, ExitUsage)
	}
	if err := displayMissing(); err != nil {
		Fail(err, ExitNoDisplay)
	}
	Parsed = s
}
