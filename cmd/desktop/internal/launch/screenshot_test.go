package launch

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestScreenshotRunIsRepeatable builds the desktop program and takes the
// same screenshot twice: a -screenshot run advances by frames, not by the
// clock, so the same flags give the same picture byte for byte (a chapter
// with messages in flight, where one tick more or less shows). It needs a
// display: DISPLAY, or xvfb-run to make one.
func TestScreenshotRunIsRepeatable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the desktop program")
	}
	if runtime.GOOS != "linux" {
		t.Skip("runs the program under X11")
	}
	var wrap []string
	if os.Getenv("DISPLAY") == "" {
		xvfb, err := exec.LookPath("xvfb-run")
		if err != nil {
			t.Skip("no display and no xvfb-run")
		}
		wrap = []string{xvfb, "-a", "-s", "-screen 0 1280x800x24"}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, Program)
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "github.com/ringlab/ringlab/cmd/desktop")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	// Both runs under one display, which is slow to start.
	run := []string{"/bin/sh", "-c", `"$0" "$@" -screenshot "$SHOT_DIR/first.png" && "$0" "$@" -screenshot "$SHOT_DIR/second.png"`,
		bin, "-chapter", "replication", "-seed", "3", "-width", "1000", "-height", "640", "-scale", "1", "-frames", "60"}
	args := append(wrap, run...)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "SHOT_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	var shots [2][]byte
	for i, name := range []string{"first.png", "second.png"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		shots[i] = b
	}
	if !bytes.Equal(shots[0], shots[1]) {
		t.Errorf("two runs with the same flags gave different pictures (%d and %d bytes of PNG)", len(shots[0]), len(shots[1]))
	}
}
