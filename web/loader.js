// Ringlab page loader.
//
// It downloads and compiles the wasm named in build.json with a progress bar while it checks
// that the browser can run the lab (WebAssembly, WebGL 2), starts the Go program, and exposes
// window.ringlab to scripts, tests and course pages:
//
//   ringlab.ready          a promise, resolved once the lab has drawn its first frame
//   ringlab.state()        the lab's state as an object (chapter, tick, seed, config, nodes,
//                          counters, digest, notice, fps, tps, ...); throws before ready
//   ringlab.command(obj)   sends a command such as {type: "pause"} or {type: "speed", value: 8};
//                          returns {ok: true} or {ok: false, error: "..."}; the lab applies it
//                          in its next update, never from inside this call
//   ringlab.link()         the current run as a URL fragment "#v=1&..."
//   ringlab.loadState(s)   opens a fragment like link()'s; returns "" or a notice of what was
//                          ignored (a fragment with nothing usable leaves the run as it is)
//   ringlab.exportFile(k)  a promise of {name, mime, data: Uint8Array} or {error}; k is one of
//                          "png", "events.csv", "history.csv", "shiviz.log", "replay.json"
//   ringlab.loadReplay(t)  opens a replay file's text; returns "" or the error (the run is
//                          untouched then)
//   ringlab.events         an EventTarget: "change" (detail: {chapter, chapterIndex, tick, seed,
//                          paused, link}) when what the user sees changes, and "log" (detail:
//                          an array of plain-language event-log lines)
//   ringlab.options        the page options read from the query string (see pageOptions)
//   ringlab.prefs          what the lab was started with (window.ringlabPrefs)
//   ringlab.reducedMotion  true when motion should be cut down; kept current
//   ringlab.timing         load figures in milliseconds since navigation, and byte counts
//
// The contract with the Go side (cmd/wasm, render/bridge_js.go): before Go starts, the page sets
// window.ringlabPrefs = {embed, reducedMotion, downloads, windowMB} and defines window.ringlabOnStart,
// ringlabOnReady, ringlabOnChange and ringlabOnLog; Go calls ringlabOnStart() as its main
// function begins, sets window.ringlabBridge = {state, command, link, loadState, loadReplay,
// exportFile} and calls ringlabOnReady() after its first frame. For "Can this go wrong?" Go
// calls window.ringlabSearch (searchHost below), which runs a schedule search in a worker
// (search-worker.js, the wasm build.json names "search") so that the page's thread never does.
// The course-page features (links, embed mode, the postMessage API, exports, the live region)
// are in page.js and use only window.ringlab.
//
// Query options (the fragment, #v=1&..., belongs to the lab's own state and is read by Go):
//   ?embed=1           embed mode for iframes; sets ringlab.options.embed and the "embed" class
//                      on <html>
//   ?motion=reduce     forces reduced motion; ?motion=full ignores the system preference
//   ?host=ORIGIN,...   origins besides the page's own whose postMessage commands are obeyed
//   ?downloads=0       says the frame may not download files (when the page cannot tell)
"use strict";

(() => {
  const el = (id) => document.getElementById(id);

  // pageOptions reads the options this page understands from its query string. Unknown
  // parameters are ignored; a value it does not understand leaves the default in place.
  function pageOptions(search) {
    const q = new URLSearchParams(search);
    const options = { embed: q.get("embed") === "1", motion: "system", hosts: [], downloads: null, windowMB: 0 };
    const motion = q.get("motion");
    if (motion === "reduce" || motion === "full") {
      options.motion = motion;
    }
    for (const part of (q.get("host") || "").split(",")) {
      const origin = originOf(part.trim());
      if (origin) {
        options.hosts.push(origin);
      } else if (part.trim() !== "") {
        console.warn("Ringlab: ignored ?host= entry " + JSON.stringify(part) + ": not an http(s) origin such as https://course.example.org");
      }
    }
    if (q.get("downloads") === "0") {
      options.downloads = false;
    }
    // ?window=MB: the retained window of the run's trace (the lab checks the range).
    const windowMB = Number(q.get("window"));
    if (q.has("window") && Number.isInteger(windowMB) && windowMB > 0) {
      options.windowMB = windowMB;
    } else if (q.has("window")) {
      console.warn("Ringlab: ignored ?window=" + JSON.stringify(q.get("window")) + ": give a whole number of megabytes");
    }
    return options;
  }

  // originOf returns the origin of an http(s) URL ("https://a.example:8443"), or "" when the
  // text is not one.
  function originOf(text) {
    if (!text) {
      return "";
    }
    try {
      const u = new URL(text);
      return u.protocol === "http:" || u.protocol === "https:" ? u.origin : "";
    } catch (err) {
      return "";
    }
  }

  // downloadsAllowed tells whether this page may download files. A frame sandboxed without
  // allow-downloads may not; the page can see its own sandbox only when its parent is of the
  // same origin (window.frameElement), otherwise ?downloads=0 says so.
  function downloadsAllowed() {
    if (options.downloads === false) {
      return false;
    }
    try {
      const frame = window.frameElement;
      if (frame && frame.hasAttribute("sandbox")) {
        return frame.sandbox.contains("allow-downloads");
      }
    } catch (err) {
      // A cross-origin parent: the frame element is out of reach.
    }
    return true;
  }

  const options = pageOptions(window.location.search);
  document.documentElement.classList.toggle("embed", options.embed);

  let resolveReady;
  let rejectReady;
  const ready = new Promise((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  // A page that never awaits ready must not see an "unhandled rejection" when loading fails.
  ready.catch(() => {});

  let failed = false;
  let isReady = false;

  function bridge() {
    const b = window.ringlabBridge;
    if (!isReady || !b) {
      throw new Error("Ringlab is not ready yet: await ringlab.ready first");
    }
    if (failed) {
      throw new Error("Ringlab has stopped");
    }
    return b;
  }

  // commandReply turns the bridge's answer into {ok, error}. The bridge answers "" when it
  // queued the command and a one-line reason when it refused it; a JSON reply {ok, error} is
  // accepted too.
  function commandReply(reply) {
    if (reply === "" || reply === undefined || reply === null) {
      return { ok: true };
    }
    const text = String(reply);
    if (text.startsWith("{")) {
      try {
        const parsed = JSON.parse(text);
        if (parsed && typeof parsed.ok === "boolean") {
          return parsed.ok ? { ok: true } : { ok: false, error: String(parsed.error || "refused") };
        }
      } catch (err) {
        // Not JSON: a reason in words that starts with a brace.
      }
    }
    return { ok: false, error: text };
  }

  // callBridge calls a bridge function that a newer lab offers, saying clearly when this lab
  // does not have it.
  function callBridge(name, ...args) {
    const b = bridge();
    if (typeof b[name] !== "function") {
      throw new Error("this build of the lab has no bridge function " + name + "()");
    }
    return b[name](...args);
  }

  const events = new EventTarget();

  // emit hands news from the lab to the page's listeners; a listener that throws must not
  // reach back into Go.
  function emit(type, json) {
    let detail;
    try {
      detail = JSON.parse(String(json));
    } catch (err) {
      console.warn("Ringlab: the lab sent " + type + " news that is not JSON: " + err.message);
      return;
    }
    try {
      events.dispatchEvent(new CustomEvent(type, { detail }));
    } catch (err) {
      console.error("Ringlab: a " + type + " listener failed: " + err.message);
    }
  }

  const ringlab = {
    version: 2,
    ready,
    options,
    events,
    prefs: null,
    reducedMotion: false,
    timing: {
      // Milliseconds since navigation start:
      loaderStartMs: Math.round(performance.now()), // this script runs
      wasmRequestedMs: null, // the wasm is requested (after build.json)
      wasmLoadedMs: null, // the wasm is downloaded and compiled; Go starts
      goStartedMs: null, // Go's runtime and package initialisation are done; its main begins
      firstFrameMs: null, // the lab has drawn its first frame
      wasmBytes: null, // uncompressed wasm bytes received
      wasmBytesExpected: null, // uncompressed size recorded at build time (build.json)
    },

    state() {
      return JSON.parse(bridge().state());
    },

    command(cmd) {
      if (cmd === null || typeof cmd !== "object" || Array.isArray(cmd) || typeof cmd.type !== "string") {
        return { ok: false, error: 'a command is an object with a string field "type", such as {type: "pause"}' };
      }
      let json;
      try {
        json = JSON.stringify(cmd);
      } catch (err) {
        return { ok: false, error: "the command cannot be written as JSON: " + err.message };
      }
      let reply;
      try {
        reply = bridge().command(json);
      } catch (err) {
        return { ok: false, error: err.message };
      }
      return commandReply(reply);
    },

    link() {
      return String(callBridge("link"));
    },

    loadState(fragment) {
      if (typeof fragment !== "string") {
        return "a state is a fragment string such as #v=1&chapter=2";
      }
      return String(callBridge("loadState", fragment) || "");
    },

    loadReplay(text) {
      if (typeof text !== "string") {
        return "Replay not loaded: the file's text must be a string";
      }
      return String(callBridge("loadReplay", text) || "");
    },

    async exportFile(kind) {
      try {
        const file = await callBridge("exportFile", String(kind));
        if (!file || typeof file !== "object") {
          return { error: "the lab returned no file" };
        }
        if (file.error) {
          return { error: String(file.error) };
        }
        return file;
      } catch (err) {
        return { error: err.message };
      }
    },
  };
  window.ringlab = ringlab;

  // Called by the Go program when what the user sees changes, and with new event-log lines.
  window.ringlabOnChange = (json) => emit("change", json);
  window.ringlabOnLog = (json) => emit("log", json);

  // Called by the Go program as its main function begins.
  window.ringlabOnStart = () => {
    ringlab.timing.goStartedMs = Math.round(performance.now());
  };

  // Called by the Go program once its first frame is drawn. Calls after the first do nothing.
  window.ringlabOnReady = () => {
    if (isReady || failed) {
      return;
    }
    isReady = true;
    ringlab.timing.firstFrameMs = Math.round(performance.now());
    el("loading").hidden = true;
    watchCanvasFocus();
    resolveReady(ringlab);
  };

  // --- Failure messages -------------------------------------------------------------------

  function fail(reason, advice) {
    if (failed) {
      return;
    }
    failed = true;
    el("loading").hidden = true;
    el("cue").hidden = true;
    el("after-lab").hidden = true;
    el("failure-reason").textContent = reason;
    el("failure-advice").textContent = advice;
    el("failure").hidden = false;
    console.error("Ringlab could not start: " + reason);
    rejectReady(new Error(reason));
  }

  const adviceReload = "Reload the page to try again. If it keeps failing, the desktop version of Ringlab runs without a browser (see the README).";

  // --- Reduced motion -----------------------------------------------------------------------

  function followMotionPreference() {
    if (options.motion !== "system") {
      ringlab.reducedMotion = options.motion === "reduce";
      return;
    }
    const query = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
    ringlab.reducedMotion = query ? query.matches : false;
    if (query && query.addEventListener) {
      query.addEventListener("change", (e) => {
        ringlab.reducedMotion = e.matches;
      });
    }
  }

  // --- Keyboard and focus -----------------------------------------------------------------

  // Ebitengine 2.8 calls preventDefault on every keydown that reaches its canvas, which traps
  // Tab. The lab moves its own focus between its controls with Tab and Shift+Tab, and reports
  // in its state when the focus is on its last control (focusLast) or its first (focusFirst).
  // From there, or when the lab cannot say, the Tab is stopped in the capture phase, before it
  // reaches the canvas, so the browser's default action moves the focus out of the canvas.
  function labKeepsTab(shift) {
    if (!isReady || failed || !window.ringlabBridge) {
      return false;
    }
    try {
      const s = JSON.parse(window.ringlabBridge.state());
      return shift ? s.focusFirst === false : s.focusLast === false;
    } catch (err) {
      return false;
    }
  }

  window.addEventListener(
    "keydown",
    (e) => {
      if (e.key === "Tab" && e.target === labCanvas() && !labKeepsTab(e.shiftKey)) {
        e.stopPropagation();
      }
    },
    true,
  );

  function labCanvas() {
    return document.querySelector("body > canvas");
  }

  // watchCanvasFocus shows the click-to-start cue whenever the lab does not have the keyboard:
  // in an iframe Ebitengine does not take the focus on load (and must not steal it), and after
  // Tab leaves the canvas the keys go elsewhere.
  function watchCanvasFocus() {
    const canvas = labCanvas();
    if (!canvas) {
      return;
    }
    canvas.setAttribute("aria-label", "Ringlab simulation. Press question mark for keyboard shortcuts.");
    canvas.setAttribute("role", "application");
    const update = () => {
      el("cue").hidden = failed || (document.activeElement === canvas && document.hasFocus());
    };
    document.addEventListener("focusin", update);
    document.addEventListener("focusout", () => setTimeout(update, 0));
    window.addEventListener("focus", update);
    window.addEventListener("blur", update);
    update();
    el("back-to-lab").addEventListener("click", () => canvas.focus());
  }

  // --- Loading ------------------------------------------------------------------------------

  function megabytes(n) {
    return (n / 1e6).toFixed(1) + " MB";
  }

  function showProgress(loaded, total) {
    const bar = el("progress");
    bar.max = total;
    bar.value = Math.min(loaded, total);
    el("loading-text").textContent = "Loading the lab… " + megabytes(Math.min(loaded, total)) + " of " + megabytes(total);
  }

  function hasWebGL2() {
    try {
      const gl = document.createElement("canvas").getContext("webgl2");
      if (!gl) {
        return false;
      }
      // Browsers limit live contexts; give this probe's back at once.
      const lose = gl.getExtension("WEBGL_lose_context");
      if (lose) {
        lose.loseContext();
      }
      return true;
    } catch (err) {
      return false;
    }
  }

  // warmUpWebGL has a worker (webgl-warmup.js) make the page's first WebGL context, the slow
  // one, off the main thread while the wasm downloads. It resolves when the worker is done, or
  // at once where there are no workers, and never rejects: hasWebGL2 decides.
  function warmUpWebGL() {
    return new Promise((resolve) => {
      let worker;
      try {
        worker = new Worker("webgl-warmup.js");
      } catch (err) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        worker.terminate();
        resolve();
      };
      const timer = setTimeout(done, 5000);
      worker.onmessage = done;
      worker.onerror = (e) => {
        e.preventDefault();
        done();
      };
    });
  }

  // searchHost is window.ringlabSearch, the schedule searches run apart from the page's thread
  // (cmd/searchworker in search-worker.js), one worker each:
  //   available()    true when this page can run them (workers, and build.json names the wasm)
  //   start(job)     starts one from its job's JSON (core/explore/job); returns its id
  //   poll(id)       the last message it posted (JSON: {report} or {error}), "" before the first
  //   cancel(id)     stops it and forgets it (also once its outcome was read)
  //   warm()         makes ready, in the page's idle time, the worker the next search takes
  //   lastSearchMs() how long the last search that answered took in its worker, from its job
  //                  handed over to its answer posted, in ms (-1 before any): its speed, without
  //                  the frames the lab takes to ask and to read the answer
  //   spareWarmed()  true once the worker the next search takes has warmed up and waits
  // The search's wasm is fetched and compiled once, and handed to each worker compiled. One
  // worker is kept started ahead of its search (warm: called by the lab when it first shows a
  // chapter's "Can this go wrong?", and again after each search), so that a search begins at
  // once and the lab's frame that asks for it neither creates a worker nor waits for one; a
  // page that never shows the control starts none. A worker that cannot start or fails reports
  // {error}, and the lab then searches in its own frames instead.
  function searchHost(wasmName) {
    let compiled = null;
    let nextID = 1;
    let spare = null;
    let lastMs = -1;
    const searches = new Map();
    const compile = () => {
      if (!compiled) {
        compiled = (async () => {
          const resp = await fetch(wasmName);
          if (!resp.ok) {
            throw new Error(wasmName + ": the server answered " + resp.status + " " + resp.statusText);
          }
          return WebAssembly.compile(await resp.arrayBuffer());
        })();
        compiled.catch(() => {
          compiled = null; // the next search tries again
        });
      }
      return compiled;
    };
    const fail = (s, why) => {
      s.error = JSON.stringify({ error: why });
      if (s.worker) {
        s.worker.terminate();
      }
    };
    // prepare starts a worker on the search's program, which then waits for its job.
    const prepare = () => {
      const s = { worker: null, last: "", error: "", postedAt: 0, answered: false, warmed: false };
      try {
        s.worker = new Worker("search-worker.js");
      } catch (err) {
        fail(s, "no worker for the search: " + err.message);
        return s;
      }
      s.worker.onmessage = (e) => {
        if (e.data === "warmed") {
          s.warmed = true; // (search-worker.js: not one of the search's messages)
          return;
        }
        s.last = String(e.data);
        if (!s.answered && s.postedAt > 0 && s.last.includes('"done":true')) {
          s.answered = true;
          lastMs = performance.now() - s.postedAt;
        }
      };
      s.worker.onerror = (e) => {
        e.preventDefault();
        if (!s.answered) {
          // (An error after the search's outcome changes nothing of it.)
          fail(s, "the search worker failed: " + (e.message || "no reason given"));
        }
      };
      compile().then(
        (module) => s.worker && !s.error && s.worker.postMessage({ module }),
        (err) => fail(s, "the search could not be loaded: " + err.message),
      );
      return s;
    };
    const available = () => typeof Worker === "function" && typeof wasmName === "string" && wasmName !== "";
    const warm = () => {
      if (available() && !spare) {
        spare = prepare();
      }
    };
    const whenIdle = (f) => (typeof requestIdleCallback === "function" ? requestIdleCallback(f, { timeout: 2000 }) : setTimeout(f, 500));
    return Object.freeze({
      available,
      warm() {
        whenIdle(warm);
      },
      lastSearchMs() {
        return lastMs;
      },
      spareWarmed() {
        return spare !== null && spare.warmed && !spare.error;
      },
      start(jobJSON) {
        const id = nextID++;
        // A spare that failed while it waited is used all the same: its error is this search's,
        // and the lab searches in its frames; the next spare tries again.
        const s = spare || prepare();
        spare = null;
        searches.set(id, s);
        if (s.worker && !s.error) {
          s.postedAt = performance.now();
          s.worker.postMessage({ job: String(jobJSON) });
        }
        return id;
      },
      poll(id) {
        const s = searches.get(id);
        if (!s) {
          return JSON.stringify({ error: "no search " + id });
        }
        return s.error || s.last;
      },
      cancel(id) {
        const s = searches.get(id);
        if (s) {
          searches.delete(id);
          if (s.worker) {
            s.worker.terminate();
          }
          whenIdle(warm);
        }
      },
    });
  }

  async function fetchBuildInfo() {
    // build.json keeps its name from build to build, so it must not come from a cache.
    const resp = await fetch("build.json", { cache: "no-cache" });
    if (!resp.ok) {
      throw new Error("build.json: the server answered " + resp.status + " " + resp.statusText);
    }
    const info = await resp.json();
    if (typeof info.wasm !== "string" || !Number.isFinite(info.bytes) || info.bytes <= 0) {
      throw new Error("build.json does not name a wasm file and its size");
    }
    return info;
  }

  // instantiateWithProgress downloads and compiles the wasm while counting the bytes. The total
  // comes from build.json: hosts that gzip on the fly send no usable Content-Length, and the
  // body seen here is already decompressed, so it adds up to the uncompressed size.
  async function instantiateWithProgress(info, importObject, signal) {
    ringlab.timing.wasmRequestedMs = Math.round(performance.now());
    const resp = await fetch(info.wasm, { signal });
    if (!resp.ok) {
      throw new Error(info.wasm + ": the server answered " + resp.status + " " + resp.statusText);
    }
    let loaded = 0;
    const count = (chunk) => {
      loaded += chunk.byteLength;
      showProgress(loaded, info.bytes);
    };
    let result;
    if (WebAssembly.instantiateStreaming && resp.body && resp.clone) {
      // The browser compiles one copy of the body as it arrives, reading it natively (the
      // main thread stays free); this script reads the other copy only to count its bytes.
      const counting = (async () => {
        const reader = resp.clone().body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            return;
          }
          count(value);
        }
      })();
      // The response itself when it says it is wasm: the browser then keeps the compiled code
      // with the cached file (a response made here has no URL to keep it under), and a second
      // visit skips most of the compiling. Where the host sends another Content-Type, a fresh
      // Response with the right one, so that compilation still streams.
      const type = (resp.headers.get("Content-Type") || "").split(";")[0].trim().toLowerCase();
      const source = type === "application/wasm" ? resp : new Response(resp.body, { headers: { "Content-Type": "application/wasm" } });
      [result] = await Promise.all([WebAssembly.instantiateStreaming(source, importObject), counting]);
    } else {
      const bytes = await resp.arrayBuffer();
      count(bytes);
      result = await WebAssembly.instantiate(bytes, importObject);
    }
    ringlab.timing.wasmBytes = loaded;
    if (loaded !== info.bytes) {
      console.warn("Ringlab: received " + loaded + " wasm bytes, build.json recorded " + info.bytes);
    }
    return result.instance;
  }

  async function start() {
    followMotionPreference();

    if (typeof WebAssembly !== "object") {
      fail("This browser cannot run WebAssembly, which the lab is built as.", "Use a current version of Firefox, Chrome, Edge or Safari.");
      return;
    }
    if (typeof Go !== "function") {
      fail("wasm_exec.js did not load.", adviceReload);
      return;
    }

    // The download, the compilation and the WebGL 2 check run side by side.
    const go = new Go();
    const download = new AbortController();
    const loading = (async () => {
      const info = await fetchBuildInfo();
      window.ringlabSearch = searchHost(info.search);
      ringlab.timing.wasmBytesExpected = info.bytes;
      showProgress(0, info.bytes);
      return instantiateWithProgress(info, go.importObject, download.signal);
    })();
    loading.catch(() => {}); // reported below, unless WebGL 2 is missing

    await warmUpWebGL();
    if (!hasWebGL2()) {
      download.abort();
      fail(
        "This browser has WebGL 2 turned off or does not support it, and the lab draws with WebGL 2.",
        "Turn on hardware acceleration (or WebGL) in the browser settings, or use a current version of Firefox, Chrome, Edge or Safari.",
      );
      return;
    }
    let instance;
    try {
      instance = await loading;
    } catch (err) {
      fail("The lab could not be loaded: " + err.message, adviceReload);
      return;
    }
    ringlab.timing.wasmLoadedMs = Math.round(performance.now());
    el("loading-text").textContent = "Starting the lab…";

    // Read by Go once, at start (render/bridge_js.go, cmd/wasm).
    ringlab.prefs = Object.freeze({
      embed: options.embed,
      reducedMotion: ringlab.reducedMotion,
      downloads: downloadsAllowed(),
      windowMB: options.windowMB,
    });
    window.ringlabPrefs = ringlab.prefs;

    // The Go program exits only when something went wrong: the lab runs until the page closes.
    const defaultExit = go.exit;
    go.exit = (code) => {
      defaultExit.call(go, code);
      if (code !== 0) {
        fail("The lab stopped with exit code " + code + ". The browser console has the details.", adviceReload);
      }
    };
    go.run(instance).then(
      () => fail("The lab stopped unexpectedly. The browser console has the details.", adviceReload),
      (err) => fail("The lab crashed: " + err.message, adviceReload),
    );
  }

  start();
})();
