package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer lets the test read what the server prints while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func noEnv(string) string { return "" }

func builtSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>lab</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunRefusesBadInput(t *testing.T) {
	site := builtSite(t)
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		wantStatus int
		wantErr    string
	}{
		{name: "port is not a number", args: []string{"-dir", site, "-port", "eighty"}, wantStatus: 2, wantErr: `port must be a number from 0 to 65535, got "eighty"`},
		{name: "port too large", args: []string{"-dir", site, "-port", "70000"}, wantStatus: 2, wantErr: "port must be a number from 0 to 65535"},
		{name: "negative port", args: []string{"-dir", site, "-port", "-1"}, wantStatus: 2, wantErr: "port must be a number"},
		{name: "bad PORT in the environment", args: []string{"-dir", site}, env: map[string]string{"PORT": "http"}, wantStatus: 2, wantErr: `got "http"`},
		{name: "unknown flag", args: []string{"-verbose"}, wantStatus: 2, wantErr: "flag provided but not defined: -verbose"},
		{name: "stray argument", args: []string{"dist"}, wantStatus: 2, wantErr: `unexpected argument "dist"`},
		{name: "folder without a built site", args: []string{"-dir", t.TempDir(), "-port", "0"}, wantStatus: 1, wantErr: "has no index.html: build the site first with `make dist`"},
		{name: "missing folder", args: []string{"-dir", filepath.Join(t.TempDir(), "nope"), "-port", "0"}, wantStatus: 1, wantErr: "has no index.html"},
		{name: "host that cannot be bound", args: []string{"-dir", site, "-host", "192.0.2.1", "-port", "0"}, wantStatus: 1, wantErr: "cannot listen on 192.0.2.1:0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			var stdout, stderr bytes.Buffer
			got := run(context.Background(), tt.args, getenv, &stdout, &stderr)
			if got != tt.wantStatus {
				t.Errorf("run(%q) = %d, want %d; stderr:\n%s", tt.args, got, tt.wantStatus, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("run(%q): stderr does not say %q:\n%s", tt.args, tt.wantErr, stderr.String())
			}
		})
	}
}

func TestRunReportsAPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	var stdout, stderr bytes.Buffer
	got := run(context.Background(), []string{"-dir", builtSite(t), "-port", strconv.Itoa(port)}, noEnv, &stdout, &stderr)
	if got != 1 {
		t.Fatalf("run on a busy port = %d, want 1", got)
	}
	if want := "another program uses port " + strconv.Itoa(port); !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-dir", builtSite(t), "-port", "0"}, noEnv, &stdout, &stderr)
	}()

	served := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+/)`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == ""; {
		if m := served.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("the server did not print its address; stdout %q, stderr %q", stdout.String(), stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "<title>lab</title>") {
		t.Errorf("GET %s: %d %q", url, res.StatusCode, body)
	}

	cancel()
	select {
	case got := <-done:
		if got != 0 {
			t.Errorf("run after cancel = %d, want 0; stderr %q", got, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop after its context ended")
	}
}
