// Package site serves a built static site (the dist/ folder) the way a static host would: files
// only, gzip applied on the fly, the right MIME type for WebAssembly, and cache headers that
// never show a stale page after a rebuild.
//
// It exists so that `make serve` needs nothing but Go, and so that the browser tests serve the
// site exactly as `make serve` does.
package site

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"
)

func init() {
	// Browsers compile wasm while it downloads only when it is served as application/wasm.
	// Recent Go versions know the type; older MIME tables on the host may not.
	if err := mime.AddExtensionType(".wasm", "application/wasm"); err != nil {
		panic(err)
	}
}

// hashedName matches the content-hashed files of a build (ringlab.<hex>.wasm): their content
// never changes under the same name, so a browser may keep them for good.
var hashedName = regexp.MustCompile(`\.[0-9a-f]{12,64}\.[a-z0-9]+$`)

// gzipTypes are the extensions worth compressing. GitHub Pages and most static hosts compress
// these on the fly, so serving them compressed here exercises the same loader code path.
var gzipTypes = map[string]bool{
	".wasm": true, ".js": true, ".css": true, ".html": true, ".json": true, ".svg": true, ".txt": true,
}

// Handler returns a handler that serves the files under root. Only GET and HEAD are allowed.
//
// It compresses the site's files before it returns: compressing the wasm takes a good part of
// a second, and the first visitor should not wait for that before the first byte arrives.
func Handler(root fs.FS) http.Handler {
	h := &handler{
		root:  root,
		files: http.FileServerFS(root),
		gz:    make(map[string]gzipped),
	}
	h.warm()
	return h
}

// warm fills the compressed-copy cache. Files it cannot read are left for requests to report.
func (h *handler) warm() {
	_ = fs.WalkDir(h.root, ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !gzipTypes[path.Ext(rel)] {
			return nil
		}
		if info, err := d.Info(); err == nil && info.Mode().IsRegular() {
			_, _ = h.compressed(rel, info)
		}
		return nil
	})
}

type handler struct {
	root  fs.FS
	files http.Handler

	mu sync.Mutex
	gz map[string]gzipped // by path; valid while the file's size and time match
}

// gzipped is the compressed copy of one file.
type gzipped struct {
	size    int64
	modTime time.Time
	data    []byte
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := r.URL.Path
	if hashedName.MatchString(name) {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// Revalidate every time: after a rebuild the page, loader and build.json are new.
		w.Header().Set("Cache-Control", "no-cache")
	}
	if strings.HasSuffix(name, "/") {
		name += "index.html"
	}
	ext := path.Ext(name)
	if gzipTypes[ext] && acceptsGzip(r) && !strings.HasSuffix(r.URL.Path, "/index.html") {
		if h.serveGzip(w, r, name, ext) {
			return
		}
	}
	h.files.ServeHTTP(w, r)
}

// serveGzip serves the compressed copy of name and reports whether it did; when it did not
// (no such file, a directory), the caller falls back to the plain file server, which writes
// the right error.
func (h *handler) serveGzip(w http.ResponseWriter, r *http.Request, name, ext string) bool {
	rel := strings.TrimPrefix(path.Clean(name), "/")
	if rel == "" || !fs.ValidPath(rel) {
		return false
	}
	info, err := fs.Stat(h.root, rel)
	if err != nil || !info.Mode().IsRegular() {
		return false
	}
	data, err := h.compressed(rel, info)
	if err != nil {
		return false
	}
	hdr := w.Header()
	hdr.Set("Content-Encoding", "gzip")
	hdr.Add("Vary", "Accept-Encoding")
	// Set before ServeContent, which would otherwise sniff the compressed bytes.
	if ctype := mime.TypeByExtension(ext); ctype != "" {
		hdr.Set("Content-Type", ctype)
	} else {
		hdr.Set("Content-Type", "application/octet-stream")
	}
	http.ServeContent(w, r, rel, info.ModTime(), bytes.NewReader(data))
	return true
}

// compressed returns the gzip copy of the file, compressing it on first use and again
// whenever the file changes (a rebuild while serving).
func (h *handler) compressed(rel string, info fs.FileInfo) ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.gz[rel]; ok && c.size == info.Size() && c.modTime.Equal(info.ModTime()) {
		return c.data, nil
	}
	f, err := h.root.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := io.Copy(zw, f); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	h.gz[rel] = gzipped{size: info.Size(), modTime: info.ModTime(), data: buf.Bytes()}
	return buf.Bytes(), nil
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip (and does not refuse
// it with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// ErrNoIndex is returned by CheckRoot for a folder that is not a built site.
var ErrNoIndex = errors.New("no index.html")

// CheckRoot reports whether root looks like a built site, so that a server started on the
// wrong folder says so at once instead of answering 404 to the browser.
func CheckRoot(root fs.FS) error {
	info, err := fs.Stat(root, "index.html")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return ErrNoIndex
		}
		return err
	}
	if !info.Mode().IsRegular() {
		return ErrNoIndex
	}
	return nil
}
