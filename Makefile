# Ringlab's build and test entry points. Every way to build, run or check the project is a
# target here; `make help` lists them.
#
#   make serve    build the web version and serve it on http://127.0.0.1:8080 (PORT=... to change)
#   make test     install what the tests need (where missing) and run every check
#
# Built files go to build/ (intermediate), dist/ (the static site) and bin/ (programs); none
# of them is committed.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help
MAKEFLAGS += --warn-undefined-variables --no-builtin-rules

GO ?= go
PORT ?= 8080

GOROOT := $(shell $(GO) env GOROOT)
# wasm_exec.js must come from the toolchain that compiles the wasm: the two are one ABI.
WASM_EXEC := $(GOROOT)/lib/wasm/wasm_exec.js
# Runs a js/wasm test binary under Node.js; used by `go test -exec`.
GO_JS_WASM_EXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec

# Reproducible (no local paths, no version-control stamp: the same source gives the same
# content-hashed wasm, so browsers keep their cache across commits that do not change it) and
# stripped of symbols and DWARF: the wasm is what every visitor downloads.
GO_BUILD_FLAGS := -trimpath -buildvcs=false -ldflags='-s -w'
WASM := build/ringlab.wasm
# The schedule search alone ("Can this go wrong?"), which the page runs in a Web Worker.
SEARCH_WASM := build/search.wasm
# The performance budget for the download, checked by `make test`: 6 MB gzipped.
WASM_GZIP_BUDGET_BYTES := 6000000

# The virtual screen for programs that open a window (the desktop build, ebiten tests).
XVFB_RUN := xvfb-run -a -s "-screen 0 1280x800x24"
# For targets a person runs: the real display when there is one, else Xvfb's.
DISPLAY ?=
WITH_DISPLAY := $(if $(DISPLAY),,$(XVFB_RUN))
# Where tests leave screenshots and measured figures to look at.
E2E_OUT := $(CURDIR)/e2e/out
DESKTOP_PNG := $(E2E_OUT)/desktop.png

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

# --- Building -------------------------------------------------------------------------------

.PHONY: wasm
wasm: ## compile the lab to WebAssembly (build/ringlab.wasm, and the search's worker build/search.wasm)
	mkdir -p build
	GOOS=js GOARCH=wasm $(GO) build $(GO_BUILD_FLAGS) -o $(WASM) ./cmd/wasm
	GOOS=js GOARCH=wasm $(GO) build $(GO_BUILD_FLAGS) -o $(SEARCH_WASM) ./cmd/searchworker

.PHONY: dist
dist: wasm ## assemble the static site in dist/ (any static host can serve it)
	$(GO) run ./scripts/mkdist -web web -wasm $(WASM) -search-wasm $(SEARCH_WASM) -wasm-exec $(WASM_EXEC) -out dist

.PHONY: serve
serve: dist ## build the site and serve it on http://127.0.0.1:$(PORT)
	mkdir -p bin
	$(GO) build -o bin/serve ./cmd/serve
	exec bin/serve -dir dist -port $(PORT)

.PHONY: desktop
desktop: ## build the desktop program (bin/ringlab-desktop; needs cgo and the X11/GL headers)
	mkdir -p bin
	CGO_ENABLED=1 $(GO) build -trimpath -buildvcs=false -o bin/ringlab-desktop ./cmd/desktop

.PHONY: sim
sim: ## build the headless runner (bin/sim), pure Go
	mkdir -p bin
	CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=false -o bin/sim ./cmd/sim

.PHONY: screenshot
screenshot: desktop ## regenerate docs/screenshot.png, the README's picture (under Xvfb)
	$(XVFB_RUN) bin/ringlab-desktop -chapter replication -screenshot docs/screenshot.png -frames 240

.PHONY: bench
bench: ## run every benchmark (speed goals are ratios measured in one run)
	$(WITH_DISPLAY) $(GO) test -run '^$$' -bench . -benchmem ./...

.PHONY: clean
clean: ## remove everything the build wrote
	rm -rf build dist bin e2e/out

# --- Testing --------------------------------------------------------------------------------

.PHONY: test
test: test-deps fmt-check vet unit-test wasm-unit-test dist-budget desktop desktop-screenshot e2e-test ## install test dependencies where missing, then run every check
	@echo "make test: all checks passed"

.PHONY: test-deps
test-deps: ## install the Debian packages the tests need, where missing (apt-get as root)
	scripts/install-test-deps.sh

.PHONY: fmt-check
fmt-check: ## fail, listing the files, when gofmt would change any Go file
	@echo "gofmt -l ."
	unformatted=$$(gofmt -l .)
	if [[ -n $$unformatted ]]; then
		echo "gofmt would change these files (run gofmt -w on them):" >&2
		echo "$$unformatted" >&2
		exit 1
	fi

.PHONY: vet
vet: ## go vet natively, and for js/wasm on every package that builds there
	$(GO) vet ./...
	js_packages=$$(GOOS=js GOARCH=wasm $(GO) list -e -f '{{if and (not .Error) .GoFiles}}{{.ImportPath}}{{end}}' ./...)
	GOOS=js GOARCH=wasm $(GO) vet $$js_packages

# Unit tests, the architecture test and the e2e package's own checks (its browser tests skip
# without RINGLAB_E2E). Under Xvfb, so that packages importing ebiten can start.
.PHONY: unit-test
unit-test: ## go test -shuffle=on ./... (with a virtual display)
	$(XVFB_RUN) $(GO) test -shuffle=on ./...

# The pure core under js/wasm: the same code the browser runs, on Node.js; and the search
# worker's program, which only builds there. One package at a time: with two Node.js processes
# sharing the two cores, the core package's heap ran to the 4 GB of wasm32 (twice in a row),
# where alone it peaks under 2 GB: on the program's one thread a collection can take a second of
# the clock and a millisecond of marking while the tests allocate a gigabyte, all of it kept
# until the next (GODEBUG=gctrace=1).
.PHONY: wasm-unit-test
wasm-unit-test: ## the core's and the search worker's tests compiled to js/wasm, run with Node.js
	GOOS=js GOARCH=wasm $(GO) test -p 1 -exec="$(GO_JS_WASM_EXEC)" ./core/... ./cmd/searchworker

.PHONY: dist-budget
dist-budget: wasm ## build dist/ and fail when the gzipped wasm is over its 6 MB budget
	$(GO) run ./scripts/mkdist -web web -wasm $(WASM) -search-wasm $(SEARCH_WASM) -wasm-exec $(WASM_EXEC) -out dist \
		-max-gzip-bytes $(WASM_GZIP_BUDGET_BYTES)

.PHONY: desktop-screenshot
desktop-screenshot: desktop ## run the desktop program under Xvfb for 60 frames and save the last
	mkdir -p $(E2E_OUT)
	rm -f $(DESKTOP_PNG)
	$(XVFB_RUN) bin/ringlab-desktop -screenshot $(DESKTOP_PNG) -frames 60
	rm -f $(E2E_OUT)/desktop-diagram-*.png
	$(XVFB_RUN) bin/ringlab-desktop -chapter quorums -paused -view diagram -frames 20 -screenshot $(E2E_OUT)/desktop-diagram-quorums.png \
		-do '{"type":"press","value":"quorum-write"}' -do '{"type":"run","value":30}' -do '{"type":"press","value":"quorum-read"}' -do '{"type":"run","value":30}'
	$(XVFB_RUN) bin/ringlab-desktop -chapter failures -paused -view diagram -frames 20 -screenshot $(E2E_OUT)/desktop-diagram-failures.png \
		-do '{"type":"press","value":"failures-write"}' -do '{"type":"run","value":60}'
	$(XVFB_RUN) bin/ringlab-desktop -chapter summary -paused -view diagram -frames 20 -screenshot $(E2E_OUT)/desktop-diagram-summary.png \
		-do '{"type":"run","value":120}'
	rm -f $(E2E_OUT)/desktop-gowrong.png
	$(XVFB_RUN) bin/ringlab-desktop -chapter quorums -paused -frames 240 -screenshot $(E2E_OUT)/desktop-gowrong.png \
		-do '{"type":"press","value":"quorum-gowrong"}'

# The browser tests serve dist/ themselves; the desktop check reads the screenshot above.
.PHONY: e2e-test
e2e-test: dist-budget desktop-screenshot ## browser tests in headless Chromium, and the desktop screenshot check
	RINGLAB_E2E=1 RINGLAB_DIST=$(CURDIR)/dist RINGLAB_DESKTOP_PNG=$(DESKTOP_PNG) RINGLAB_E2E_OUT=$(E2E_OUT) \
		RINGLAB_DESKTOP_DIAGRAMS=$(E2E_OUT)/desktop-diagram RINGLAB_DESKTOP_GOWRONG=$(E2E_OUT)/desktop-gowrong.png \
		$(GO) test -count=1 -v -timeout 20m ./e2e/
