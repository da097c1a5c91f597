package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type fixture struct {
	web, wasm, wasmExec, out string
}

func newFixture(t *testing.T, wasm []byte) fixture {
	t.Helper()
	dir := t.TempDir()
	f := fixture{
		web:      filepath.Join(dir, "web"),
		wasm:     filepath.Join(dir, "ringlab.wasm"),
		wasmExec: filepath.Join(dir, "wasm_exec.js"),
		out:      filepath.Join(dir, "dist"),
	}
	write := func(path, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(f.web, "index.html"), "<!doctype html>")
	write(filepath.Join(f.web, "loader.js"), "// loader")
	write(filepath.Join(f.web, "page.js"), "// page")
	write(filepath.Join(f.web, "webgl-warmup.js"), "// warm-up")
	write(filepath.Join(f.web, "search-worker.js"), "// search worker")
	write(filepath.Join(f.web, "style.css"), "/* style */")
	write(filepath.Join(f.web, "embed-example.html"), "<iframe>")
	write(filepath.Join(f.web, "examples", "embed.html"), "<iframe>")
	write(filepath.Join(f.web, "stale.wasm"), "old build")
	write(filepath.Join(f.web, "wasm_exec.js"), "old toolchain")
	write(f.wasmExec, "// wasm_exec of this toolchain")
	write(f.wasm, string(wasm))
	return f
}

// wasmBytes is a module header followed by compressible filler.
func wasmBytes(filler string) []byte {
	return append([]byte("\x00asm\x01\x00\x00\x00"), strings.Repeat(filler, 1000)...)
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

func readInfo(t *testing.T, out string) BuildInfo {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, "build.json"))
	if err != nil {
		t.Fatal(err)
	}
	var info BuildInfo
	if err := json.Unmarshal(data, &info); err != nil {
		t.Fatalf("build.json: %v", err)
	}
	return info
}

func TestBuildWritesASelfContainedSite(t *testing.T) {
	wasm := wasmBytes("ring")
	f := newFixture(t, wasm)
	var stdout bytes.Buffer
	if err := run([]string{"-web", f.web, "-wasm", f.wasm, "-wasm-exec", f.wasmExec, "-out", f.out}, &stdout); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(wasm)
	wantName := "ringlab." + hex.EncodeToString(sum[:8]) + ".wasm"
	want := []string{".nojekyll", "build.json", "embed-example.html", "examples/embed.html", "index.html", "loader.js", "page.js", "search-worker.js", wantName, "style.css", "wasm_exec.js", "webgl-warmup.js"}
	slices.Sort(want)
	if got := listFiles(t, f.out); !slices.Equal(got, want) {
		t.Errorf("dist holds %q, want %q", got, want)
	}

	info := readInfo(t, f.out)
	if info.Wasm != wantName || info.Bytes != int64(len(wasm)) || info.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("build.json = %+v, want wasm %s, %d bytes", info, wantName, len(wasm))
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(wasm)
	zw.Close()
	if info.GzipBytes != int64(gz.Len()) {
		t.Errorf("build.json gzipBytes = %d, gzip gives %d", info.GzipBytes, gz.Len())
	}
	copied, err := os.ReadFile(filepath.Join(f.out, wantName))
	if err != nil || !bytes.Equal(copied, wasm) {
		t.Errorf("the hashed wasm differs from the build (%v)", err)
	}
	exec, _ := os.ReadFile(filepath.Join(f.out, "wasm_exec.js"))
	if string(exec) != "// wasm_exec of this toolchain" {
		t.Errorf("wasm_exec.js came from the web folder, not the toolchain: %q", exec)
	}
	if !strings.Contains(stdout.String(), wantName) || !strings.Contains(stdout.String(), "gzipped") {
		t.Errorf("the summary does not give the name and sizes: %q", stdout.String())
	}
}

// With the search's wasm, the site holds it under a name of its content,
// and build.json names it for the loader.
func TestBuildNamesTheSearchWasm(t *testing.T) {
	f := newFixture(t, wasmBytes("ring"))
	search := wasmBytes("search")
	path := filepath.Join(filepath.Dir(f.wasm), "search.wasm")
	if err := os.WriteFile(path, search, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	if err := run([]string{"-web", f.web, "-wasm", f.wasm, "-wasm-exec", f.wasmExec, "-search-wasm", path, "-out", f.out}, &stdout); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(search)
	want := "search." + hex.EncodeToString(sum[:8]) + ".wasm"
	info := readInfo(t, f.out)
	if info.Search != want || info.SearchBytes != int64(len(search)) {
		t.Errorf("build.json = %+v, want search %s of %d bytes", info, want, len(search))
	}
	if got, err := os.ReadFile(filepath.Join(f.out, want)); err != nil || !bytes.Equal(got, search) {
		t.Errorf("the site's %s differs from the build (%v)", want, err)
	}
	if !strings.Contains(stdout.String(), want) {
		t.Errorf("the summary does not name it: %q", stdout.String())
	}
	if err := os.WriteFile(path, []byte("not wasm"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run([]string{"-web", f.web, "-wasm", f.wasm, "-wasm-exec", f.wasmExec, "-search-wasm", path, "-out", f.out}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "is not a WebAssembly module") {
		t.Errorf("a search file that is not WebAssembly: %v", err)
	}
}

func TestRebuildLeavesNoStaleWasm(t *testing.T) {
	f := newFixture(t, wasmBytes("first"))
	args := []string{"-web", f.web, "-wasm", f.wasm, "-wasm-exec", f.wasmExec, "-out", f.out}
	if err := run(args, io.Discard); err != nil {
		t.Fatal(err)
	}
	first := readInfo(t, f.out).Wasm
	if err := os.WriteFile(f.wasm, wasmBytes("second"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(args, io.Discard); err != nil {
		t.Fatal(err)
	}
	second := readInfo(t, f.out).Wasm
	if first == second {
		t.Fatalf("a different wasm kept the name %s", first)
	}
	if _, err := os.Stat(filepath.Join(f.out, first)); err == nil {
		t.Errorf("the previous wasm %s is still in the site", first)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(f.out), ".mkdist-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary folders left behind: %q", leftovers)
	}
}

func TestRunRefuses(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, f *fixture) []string
		wantErr string
	}{
		{
			name: "an output folder that is not a site",
			prepare: func(t *testing.T, f *fixture) []string {
				os.MkdirAll(f.out, 0o755)
				os.WriteFile(filepath.Join(f.out, "notes.txt"), []byte("mine"), 0o644)
				return nil
			},
			wantErr: "is not a built site",
		},
		{
			name: "a file that is not WebAssembly",
			prepare: func(t *testing.T, f *fixture) []string {
				os.WriteFile(f.wasm, []byte("#!/bin/sh"), 0o644)
				return nil
			},
			wantErr: "is not a WebAssembly module",
		},
		{
			name: "a page without its loader",
			prepare: func(t *testing.T, f *fixture) []string {
				os.Remove(filepath.Join(f.web, "loader.js"))
				return nil
			},
			wantErr: "the page is incomplete",
		},
		{
			name: "a site without its example course page",
			prepare: func(t *testing.T, f *fixture) []string {
				os.Remove(filepath.Join(f.web, "embed-example.html"))
				return nil
			},
			wantErr: "the page is incomplete",
		},
		{
			name:    "a wasm over the gzip budget",
			prepare: func(t *testing.T, f *fixture) []string { return []string{"-max-gzip-bytes", "10"} },
			wantErr: "over the budget",
		},
		{
			name:    "no wasm named",
			prepare: func(t *testing.T, f *fixture) []string { f.wasm = ""; return nil },
			wantErr: "-wasm and -wasm-exec are required",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, wasmBytes("x"))
			extra := tt.prepare(t, &f)
			args := append([]string{"-web", f.web, "-wasm", f.wasm, "-wasm-exec", f.wasmExec, "-out", f.out}, extra...)
			err := run(args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("run: error %v, want one saying %q", err, tt.wantErr)
			}
		})
	}
	t.Run("the folder it refused is untouched", func(t *testing.T) {
		f := newFixture(t, wasmBytes("x"))
		os.MkdirAll(f.out, 0o755)
		os.WriteFile(filepath.Join(f.out, "notes.txt"), []byte("mine"), 0o644)
		run([]string{"-web", f.web, "-wasm", f.wasm, "-wasm-exec", f.wasmExec, "-out", f.out}, io.Discard)
		if got := listFiles(t, f.out); !slices.Equal(got, []string{"notes.txt"}) {
			t.Errorf("the refused folder now holds %q", got)
		}
	})
}
