package site

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
	"time"
)

func testSite() fstest.MapFS {
	mod := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	return fstest.MapFS{
		"index.html":                      {Data: []byte("<!doctype html><title>lab</title>"), ModTime: mod},
		"loader.js":                       {Data: []byte("console.log('loader')"), ModTime: mod},
		"build.json":                      {Data: []byte(`{"wasm":"ringlab.0123456789abcdef.wasm","bytes":8}`), ModTime: mod},
		"ringlab.0123456789abcdef.wasm":   {Data: []byte("\x00asm\x01\x00\x00\x00"), ModTime: mod},
		"sub/page.html":                   {Data: []byte("<p>sub</p>"), ModTime: mod},
		"picture.png":                     {Data: []byte("\x89PNG\r\n\x1a\n"), ModTime: mod},
		"folder.with.dots/readme.txt":     {Data: []byte("text"), ModTime: mod},
		"ringlab.notahash.wasm":           {Data: []byte("\x00asm\x01\x00\x00\x00"), ModTime: mod},
		"ringlab.0123456789abcdef.wasm.x": {Data: []byte("x"), ModTime: mod},
	}
}

func TestHandler(t *testing.T) {
	tests := []struct {
		name           string
		method         string
		path           string
		acceptEncoding string
		wantStatus     int
		wantType       string // Content-Type prefix; "" to skip
		wantEncoding   string
		wantCache      string // "" to skip
		wantBody       string // decoded body; "" to skip
	}{
		{name: "root serves index.html gzipped", path: "/", acceptEncoding: "gzip, deflate", wantStatus: 200,
			wantType: "text/html", wantEncoding: "gzip", wantCache: "no-cache", wantBody: "<!doctype html><title>lab</title>"},
		{name: "hashed wasm is application/wasm and immutable", path: "/ringlab.0123456789abcdef.wasm", acceptEncoding: "gzip",
			wantStatus: 200, wantType: "application/wasm", wantEncoding: "gzip", wantCache: "public, max-age=31536000, immutable", wantBody: "\x00asm\x01\x00\x00\x00"},
		{name: "wasm without gzip support is sent plain", path: "/ringlab.0123456789abcdef.wasm",
			wantStatus: 200, wantType: "application/wasm", wantEncoding: "", wantBody: "\x00asm\x01\x00\x00\x00"},
		{name: "gzip refused with q=0 is sent plain", path: "/loader.js", acceptEncoding: "gzip;q=0, br",
			wantStatus: 200, wantType: "text/javascript", wantEncoding: "", wantBody: "console.log('loader')"},
		{name: "a name that is not a hash is revalidated", path: "/ringlab.notahash.wasm", acceptEncoding: "gzip",
			wantStatus: 200, wantType: "application/wasm", wantEncoding: "gzip", wantCache: "no-cache"},
		{name: "only the last extension counts for the hash rule", path: "/ringlab.0123456789abcdef.wasm.x",
			wantStatus: 200, wantCache: "no-cache"},
		{name: "build.json is revalidated", path: "/build.json", acceptEncoding: "gzip", wantStatus: 200,
			wantType: "application/json", wantEncoding: "gzip", wantCache: "no-cache"},
		{name: "png is not compressed", path: "/picture.png", acceptEncoding: "gzip", wantStatus: 200,
			wantType: "image/png", wantEncoding: ""},
		{name: "page in a subfolder", path: "/sub/page.html", acceptEncoding: "gzip", wantStatus: 200,
			wantType: "text/html", wantEncoding: "gzip", wantBody: "<p>sub</p>"},
		{name: "folder with a dot in its name", path: "/folder.with.dots/readme.txt", acceptEncoding: "gzip", wantStatus: 200,
			wantEncoding: "gzip", wantBody: "text"},
		{name: "missing file", path: "/nothing.js", acceptEncoding: "gzip", wantStatus: 404},
		{name: "escape attempt stays inside the root", path: "/../../etc/passwd", acceptEncoding: "gzip", wantStatus: 404},
		{name: "index.html redirects to the folder", path: "/index.html", wantStatus: 301},
		{name: "POST is refused", method: "POST", path: "/", wantStatus: 405},
		{name: "HEAD answers without a body", method: "HEAD", path: "/loader.js", acceptEncoding: "gzip", wantStatus: 200,
			wantType: "text/javascript", wantEncoding: "gzip"},
	}
	h := Handler(testSite())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, tt.path, nil)
			// httptest.NewRequest cleans nothing; keep the raw escape attempt.
			req.URL.Path = tt.path
			if tt.acceptEncoding != "" {
				req.Header.Set("Accept-Encoding", tt.acceptEncoding)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("%s %s: status %d, want %d", method, tt.path, res.StatusCode, tt.wantStatus)
			}
			if tt.wantType != "" {
				if got := res.Header.Get("Content-Type"); len(got) < len(tt.wantType) || got[:len(tt.wantType)] != tt.wantType {
					t.Errorf("%s: Content-Type %q, want prefix %q", tt.path, got, tt.wantType)
				}
			}
			if got := res.Header.Get("Content-Encoding"); tt.wantStatus == 200 && got != tt.wantEncoding {
				t.Errorf("%s: Content-Encoding %q, want %q", tt.path, got, tt.wantEncoding)
			}
			if tt.wantCache != "" {
				if got := res.Header.Get("Cache-Control"); got != tt.wantCache {
					t.Errorf("%s: Cache-Control %q, want %q", tt.path, got, tt.wantCache)
				}
			}
			body := rec.Body.Bytes()
			if method == http.MethodHead && len(body) != 0 {
				t.Errorf("HEAD %s: got a %d-byte body", tt.path, len(body))
			}
			if tt.wantBody != "" {
				if res.Header.Get("Content-Encoding") == "gzip" {
					zr, err := gzip.NewReader(bytes.NewReader(body))
					if err != nil {
						t.Fatalf("%s: body is not gzip: %v", tt.path, err)
					}
					if body, err = io.ReadAll(zr); err != nil {
						t.Fatalf("%s: reading gzip body: %v", tt.path, err)
					}
				}
				if string(body) != tt.wantBody {
					t.Errorf("%s: body %q, want %q", tt.path, body, tt.wantBody)
				}
			}
		})
	}
}

func TestHandlerRecompressesAChangedFile(t *testing.T) {
	fsys := testSite()
	h := Handler(fsys)
	get := func() string {
		req := httptest.NewRequest(http.MethodGet, "/loader.js", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatalf("body is not gzip: %v", err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := get(); got != "console.log('loader')" {
		t.Fatalf("first request: %q", got)
	}
	fsys["loader.js"] = &fstest.MapFile{Data: []byte("console.log('rebuilt')"), ModTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if got := get(); got != "console.log('rebuilt')" {
		t.Fatalf("after a rebuild the server still sends the old file: %q", got)
	}
}

// The handler compresses the site when it starts, so the first request for the wasm does
// not wait for a 20 MB compression before its first byte.
func TestHandlerCompressesAtStart(t *testing.T) {
	h := Handler(testSite()).(*handler)
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, name := range []string{"ringlab.0123456789abcdef.wasm", "loader.js", "build.json", "sub/page.html", "folder.with.dots/readme.txt"} {
		if _, ok := h.gz[name]; !ok {
			t.Errorf("%s was not compressed before any request", name)
		}
	}
	if _, ok := h.gz["picture.png"]; ok {
		t.Errorf("picture.png was compressed; PNG is not a compressible type")
	}
}

func TestCheckRoot(t *testing.T) {
	if err := CheckRoot(testSite()); err != nil {
		t.Errorf("a built site: %v", err)
	}
	if err := CheckRoot(fstest.MapFS{"loader.js": {Data: []byte("x")}}); err != ErrNoIndex {
		t.Errorf("a folder without index.html: got %v, want ErrNoIndex", err)
	}
	if err := CheckRoot(fstest.MapFS{"index.html/x": {Data: []byte("x")}}); err != ErrNoIndex {
		t.Errorf("index.html as a folder: got %v, want ErrNoIndex", err)
	}
}
