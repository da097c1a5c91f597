package archtest

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// pkg is the part of `go list -json` these tests read.
type pkg struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
	Deps       []string
}

// list runs `go list -json -deps=false` on patterns for one target platform.
func list(t *testing.T, goos, goarch string, patterns ...string) []pkg {
	t.Helper()
	if runtime.GOOS == "js" {
		t.Skip("go list is not available under js/wasm")
	}
	args := append([]string{"list", "-json"}, patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s (GOOS=%s GOARCH=%s): %v", strings.Join(args, " "), goos, goarch, err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatalf("go list %v found no packages", patterns)
	}
	return pkgs
}

// platforms are the targets the pure packages must stay pure on: the
// desktop and the browser build different files.
var platforms = []struct{ goos, goarch string }{
	{"linux", "amd64"},
	{"js", "wasm"},
}

// TestCoreDependsOnNoGraphics checks every transitive dependency: the
// simulation must run unchanged in cmd/sim, in tests and in the page.
// (syscall/js is checked as a direct import below: under js/wasm the
// standard library itself reaches it through os.)
func TestCoreDependsOnNoGraphics(t *testing.T) {
	for _, pl := range platforms {
		for _, p := range list(t, pl.goos, pl.goarch, "./core/...") {
			for _, dep := range p.Deps {
				if strings.Contains(dep, "hajimehoshi/ebiten") {
					t.Errorf("%s/%s: %s depends on %s", pl.goos, pl.goarch, p.ImportPath, dep)
				}
			}
		}
	}
}

// TestCoreTakesTimeAndChanceFromTheSimulation checks direct imports: time
// and randomness come from the cluster's tick and seeded streams, and the
// core does no I/O. (os is a transitive dependency of fmt, so the rule is
// about what core's own files import.)
func TestCoreTakesTimeAndChanceFromTheSimulation(t *testing.T) {
	forbidden := map[string]string{
		"os":         "the core does no I/O",
		"time":       "time is the simulation's tick",
		"math/rand":  "randomness comes from the seeded streams",
		"net":        "the network is simulated",
		"sync":       "the core is single-threaded",
		"syscall/js": "the page is the front end's business",
	}
	for _, pl := range platforms {
		for _, p := range list(t, pl.goos, pl.goarch, "./core/...") {
			for _, imp := range p.Imports {
				if why, bad := forbidden[imp]; bad {
					t.Errorf("%s/%s: %s imports %s: %s", pl.goos, pl.goarch, p.ImportPath, imp, why)
				}
			}
		}
	}
}

// TestCoreStartsNoGoroutines parses the core's non-test files for go
// statements: a deterministic simulation must not depend on the scheduler.
func TestCoreStartsNoGoroutines(t *testing.T) {
	for _, p := range list(t, runtime.GOOS, runtime.GOARCH, "./core/...") {
		for _, name := range p.GoFiles {
			path := filepath.Join(p.Dir, name)
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				t.Fatalf("parsing %s: %v", path, err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if _, ok := n.(*ast.GoStmt); ok {
					t.Errorf("%s starts a goroutine", path)
				}
				return true
			})
		}
	}
}

// TestPureFrontEndPackagesAvoidEbitengine keeps layout, widgets, chapters and
// experiments testable without a display: only package render itself (and
// the two main packages) may import Ebitengine.
func TestPureFrontEndPackagesAvoidEbitengine(t *testing.T) {
	for _, pl := range platforms {
		for _, p := range list(t, pl.goos, pl.goarch, "./render/...", "./experiments/...", "./check/...", "./runfmt/...") {
			if p.ImportPath == "github.com/ringlab/ringlab/render" {
				continue
			}
			for _, dep := range p.Deps {
				if strings.Contains(dep, "hajimehoshi/ebiten") {
					t.Errorf("%s/%s: %s depends on %s", pl.goos, pl.goarch, p.ImportPath, dep)
					break
				}
			}
		}
	}
}

// TestRunFormatDependsOnTheCoreOnly keeps the run format (links, replay
// files, exports) usable by every tool: within the project it depends on
// core alone (never on the front end), it does no I/O of its own, and it
// draws nothing.
func TestRunFormatDependsOnTheCoreOnly(t *testing.T) {
	const module = "github.com/ringlab/ringlab/"
	forbidden := map[string]string{
		"os":         "files are the caller's business",
		"time":       "the run's time is its tick",
		"syscall/js": "the page is the front end's business",
	}
	for _, pl := range platforms {
		for _, p := range list(t, pl.goos, pl.goarch, "./runfmt/...") {
			for _, dep := range p.Deps {
				if strings.HasPrefix(dep, module) && !strings.HasPrefix(dep, module+"core") {
					t.Errorf("%s/%s: %s depends on %s: the run format may use only core", pl.goos, pl.goarch, p.ImportPath, dep)
				}
				if strings.Contains(dep, "hajimehoshi/ebiten") {
					t.Errorf("%s/%s: %s depends on %s", pl.goos, pl.goarch, p.ImportPath, dep)
				}
			}
			for _, imp := range p.Imports {
				if why, bad := forbidden[imp]; bad {
					t.Errorf("%s/%s: %s imports %s: %s", pl.goos, pl.goarch, p.ImportPath, imp, why)
				}
			}
		}
	}
}

// TestChaptersDoNotImportTheExperimentsPage: the chapters link to the
// experiments page through render/chapters/measureit, so that a chapter does
// not pull in the page's code (and the page can change without them).
func TestChaptersDoNotImportTheExperimentsPage(t *testing.T) {
	const page = "github.com/ringlab/ringlab/render/chapters/experiments"
	for _, p := range list(t, runtime.GOOS, runtime.GOARCH, "./render/chapters/...") {
		if p.ImportPath == page || p.ImportPath == "github.com/ringlab/ringlab/render/chapters" {
			continue // the page itself, and the list of every page
		}
		for _, dep := range p.Deps {
			if dep == page {
				t.Errorf("%s depends on the experiments page", p.ImportPath)
			}
		}
	}
}
