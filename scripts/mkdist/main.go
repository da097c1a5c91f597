// Command mkdist assembles the static site: the page from web/, wasm_exec.js from the Go
// toolchain that built the wasm, the wasm under a content-hashed name, build.json and .nojekyll.
// `make dist` runs it; the result is servable by any static host.
//
// build.json records the wasm's name and its uncompressed size in bytes: hosts that gzip on the
// fly send no usable Content-Length, so the page's progress bar counts against this size.
//
// The folder is assembled next to the output and renamed into place, so a server reading the
// old site never sees a half-written one.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// BuildInfo is the content of build.json. The page reads Wasm and Bytes.
type BuildInfo struct {
	Wasm      string `json:"wasm"`      // file name of the wasm, relative to the page
	Bytes     int64  `json:"bytes"`     // uncompressed size of the wasm
	GzipBytes int64  `json:"gzipBytes"` // size after gzip at the default level, as hosts send it
	SHA256    string `json:"sha256"`    // of the uncompressed wasm
	// Search is the schedule search's own wasm (cmd/searchworker), which
	// the page runs in a worker for "Can this go wrong?", and SearchBytes
	// its size; absent from a site built without it (the lab then
	// searches in its frames).
	Search      string `json:"search,omitempty"`
	SearchBytes int64  `json:"searchBytes,omitempty"`
}

// requiredPageFiles must be in the web folder: the page does not work without them, and the
// site promises the example course page.
var requiredPageFiles = []string{"index.html", "loader.js", "page.js", "webgl-warmup.js", "search-worker.js", "style.css", "embed-example.html"}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "mkdist: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("mkdist", flag.ContinueOnError)
	web := fl.String("web", "web", "`folder` of the page sources")
	wasm := fl.String("wasm", "", "the built wasm `file`")
	wasmExec := fl.String("wasm-exec", "", "wasm_exec.js of the Go toolchain that built the wasm (`file`)")
	out := fl.String("out", "dist", "output `folder`; replaced as a whole")
	maxGzip := fl.Int64("max-gzip-bytes", 0, "fail when the gzipped wasm is larger (0: no limit)")
	searchWasm := fl.String("search-wasm", "", "the schedule search's wasm `file` (cmd/searchworker); optional")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *wasm == "" || *wasmExec == "" {
		return errors.New("-wasm and -wasm-exec are required")
	}
	info, err := build(*web, *wasm, *wasmExec, *searchWasm, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "dist: %s/%s: %s raw, %s gzipped\n", *out, info.Wasm, megabytes(info.Bytes), megabytes(info.GzipBytes))
	if info.Search != "" {
		fmt.Fprintf(stdout, "dist: %s/%s: %s raw (the schedule search, fetched at the first search)\n", *out, info.Search, megabytes(info.SearchBytes))
	}
	if *maxGzip > 0 && info.GzipBytes > *maxGzip {
		return fmt.Errorf("the gzipped wasm is %s, over the budget of %s", megabytes(info.GzipBytes), megabytes(*maxGzip))
	}
	return nil
}

func megabytes(n int64) string {
	return fmt.Sprintf("%.2f MB (%d bytes)", float64(n)/1e6, n)
}

// build writes the site to out and returns what it wrote to build.json.
func build(web, wasmPath, wasmExecPath, searchPath, out string) (BuildInfo, error) {
	for _, name := range requiredPageFiles {
		if _, err := os.Stat(filepath.Join(web, name)); err != nil {
			return BuildInfo{}, fmt.Errorf("the page is incomplete: %w", err)
		}
	}
	wasm, err := readWasm(wasmPath)
	if err != nil {
		return BuildInfo{}, err
	}
	sum := sha256.Sum256(wasm)
	gz, err := gzipSize(wasm)
	if err != nil {
		return BuildInfo{}, err
	}
	info := BuildInfo{
		Wasm:      "ringlab." + hex.EncodeToString(sum[:8]) + ".wasm",
		Bytes:     int64(len(wasm)),
		GzipBytes: gz,
		SHA256:    hex.EncodeToString(sum[:]),
	}
	var search []byte
	if searchPath != "" {
		if search, err = readWasm(searchPath); err != nil {
			return BuildInfo{}, err
		}
		sum := sha256.Sum256(search)
		info.Search, info.SearchBytes = "search."+hex.EncodeToString(sum[:8])+".wasm", int64(len(search))
	}
	infoJSON, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return BuildInfo{}, err
	}

	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return BuildInfo{}, err
	}
	tmp, err := os.MkdirTemp(parent, ".mkdist-")
	if err != nil {
		return BuildInfo{}, err
	}
	defer os.RemoveAll(tmp) // after a successful rename it no longer exists

	if err := copyTree(web, tmp); err != nil {
		return BuildInfo{}, err
	}
	if err := copyFile(wasmExecPath, filepath.Join(tmp, "wasm_exec.js")); err != nil {
		return BuildInfo{}, err
	}
	files := map[string][]byte{
		info.Wasm:    wasm,
		"build.json": append(infoJSON, '\n'),
		// GitHub Pages would otherwise run Jekyll, which skips some files and slows publishing.
		".nojekyll": nil,
	}
	if search != nil {
		files[info.Search] = search
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
			return BuildInfo{}, err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return BuildInfo{}, err
	}
	if err := replaceDir(tmp, out); err != nil {
		return BuildInfo{}, err
	}
	return info, nil
}

// readWasm reads a WebAssembly module, refusing a file that is not one.
func readWasm(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(data, []byte("\x00asm")) {
		return nil, fmt.Errorf("%s is not a WebAssembly module", path)
	}
	return data, nil
}

// replaceDir moves the assembled folder to out. It refuses to delete an out folder that does
// not look like a site this program wrote, so a wrong -out never wipes unrelated files.
func replaceDir(tmp, out string) error {
	entries, err := os.ReadDir(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(out, "build.json")); err != nil {
			return fmt.Errorf("%s exists and is not a built site (no build.json); remove it or choose another -out", out)
		}
		if err := os.RemoveAll(out); err != nil {
			return err
		}
	default:
		if err := os.Remove(out); err != nil {
			return err
		}
	}
	return os.Rename(tmp, out)
}

func gzipSize(data []byte) (int64, error) {
	var n countingWriter
	zw := gzip.NewWriter(&n)
	if _, err := zw.Write(data); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int64(n), nil
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// copyTree copies the regular files under src to dst. Built artefacts that may lie around in
// the source folder (a wasm, wasm_exec.js) are skipped: the site gets the fresh ones.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !d.Type().IsRegular():
			return nil
		case strings.HasSuffix(d.Name(), ".wasm"), d.Name() == "wasm_exec.js", d.Name() == "build.json":
			return nil
		}
		return copyFile(p, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
