package launch

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		wantErr string // "" for success
	}{
		{"no flags", nil, ""},
		{"screenshot run", []string{"-chapter", "1", "-screenshot", "x.png", "-frames", "5", "-scale", "2"}, ""},
		{"command", []string{"-do", `{"type":"step"}`}, ""},
		{"unknown flag", []string{"-bogus"}, "not defined: -bogus"},
		{"stray argument", []string{"extra"}, `unexpected argument "extra"`},
		{"tiny window", []string{"-width", "5"}, "-width and -height"},
		{"negative scale", []string{"-scale", "-1"}, "-scale"},
		{"NaN scale", []string{"-scale", "NaN"}, "-scale"},
		{"window too small", []string{"-window-mb", "2"}, "-window-mb"},
		{"window and memory", []string{"-window-mb", "128", "-memory"}, ""},
		{"no frames", []string{"-frames", "0"}, "-frames"},
		{"speed too high", []string{"-speed", "1e9"}, "-speed"},
		{"unknown chapter", []string{"-chapter", "nope"}, `-chapter "nope"`},
		{"chapter zero", []string{"-chapter", "0"}, `-chapter "0"`},
		{"bad command", []string{"-do", `{"type":"explode"}`}, "unknown command type"},
		{"seed not a number", []string{"-seed", "x"}, "-seed"},
		{"state with bad values starts anyway", []string{"-state", "#v=1&w=99&seed=zz&tick=-1"}, ""},
		{"missing replay file", []string{"-replay", "/nonexistent/replay.json"}, "-replay"},
		{"damaged replay file", []string{"-replay", "testdata/damaged-replay.json"}, "cut short"},
		{"export dir missing", []string{"-export-dir", "/nonexistent/dir"}, "-export-dir"},
		{"diagram view", []string{"-view", "diagram"}, ""},
		{"unknown view", []string{"-view", "radar"}, `"radar" is not a view`},
	}
	for _, c := range cases {
		_, err := Parse(c.args)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.wantErr != "" && err == nil:
			t.Errorf("%s: accepted, want an error about %s", c.name, c.wantErr)
		case err != nil && !strings.Contains(err.Error(), c.wantErr):
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.wantErr)
		case err != nil && strings.Contains(err.Error(), "\n"):
			t.Errorf("%s: error spans lines: %q", c.name, err)
		}
	}
	s, err := Parse([]string{"-state", "#v=1&chapter=2&seed=7&w=99&tick=40"})
	if err != nil || s.Chapter != "2" || s.Seed != 7 || s.Link == nil || s.Link.Tick != 40 || len(s.Notices) != 0 {
		t.Errorf("-state: %+v, %v", s, err)
	}
	if _, err := Parse([]string{"-help"}); !errors.Is(err, ErrHelp) {
		t.Errorf("-help: %v, want ErrHelp", err)
	}
}

// TestProgramFailsCleanlyWithoutDisplay builds the desktop program and runs
// it with no display. Ebitengine panics in a package init when there is
// none, so this checks that this package's init still runs first: a bad
// flag ends in one line and exit 2, a good command line in one line about
// the display and exit 1.
func TestProgramFailsCleanlyWithoutDisplay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the desktop program")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the display check is about X11")
	}
	bin := filepath.Join(t.TempDir(), Program)
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "github.com/ringlab/ringlab/cmd/desktop")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
			env = append(env, kv)
		}
	}
	cases := []struct {
		name     string
		args     []string
		wantCode int
		wantText string
	}{
		{"unknown flag", []string{"-bogus"}, ExitUsage, "flag provided but not defined: -bogus"},
		{"bad value", []string{"-frames", "0"}, ExitUsage, "-frames must be at least 1"},
		{"no display", []string{"-chapter", "1"}, ExitNoDisplay, "no display: DISPLAY is unset"},
	}
	for _, c := range cases {
		cmd := exec.Command(bin, c.args...)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		}
		out := stderr.String()
		if code != c.wantCode || !strings.Contains(out, c.wantText) ||
			strings.Count(out, "\n") != 1 || strings.Contains(out, "panic") {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and one line with %q", c.name, code, out, c.wantCode, c.wantText)
		}
	}
}
