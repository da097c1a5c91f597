// Ringlab's schedule search, run in a worker by loader.js (window.ringlabSearch) so that the
// lab's page never spends its own thread on one.
//
// The page posts {module}, the search's wasm compiled (cmd/searchworker), and {job}, the job's
// JSON (core/explore/job), in either order or together. The Go program starts as soon as the
// module comes, defines globalThis.ringlabSearchRun and calls globalThis.ringlabSearchReady;
// it is handed the job through ringlabSearchRun once both are there, and posts each message's
// JSON through globalThis.ringlabSearchPost: the search's progress, then its outcome. So the
// page can start a worker ahead of its search, and the search starts at once when asked. A
// worker that cannot start the program posts {error}; a program that stops with an error of
// its own (a fault in the search, which would stop it in the page too) posts
// {error, stopped: true}.
"use strict";

importScripts("wasm_exec.js");

let job = null; // the job's JSON, once posted
let run = null; // the program's ringlabSearchRun, once it waits for the job
let started = false;
let exited = false; // the program returned: it posted its outcome, or an error

// A timer the Go runtime set before the program returned (a sleep of the warm-up, cut short by the
// job) may still fire, into a program that has exited, which wasm_exec.js reports by throwing
// ("Go program has already exited"). The outcome is posted by then; the error is kept from the
// page, whose worker.onerror would take it for the search's.
self.addEventListener("error", (e) => {
  if (exited) {
    e.preventDefault();
  }
});

const handOver = () => {
  if (job !== null && run !== null) {
    const r = run;
    run = null;
    r(job);
  }
};

self.ringlabSearchPost = (text) => self.postMessage(String(text));
// The program warmed up (cmd/searchworker warmUp) and waits for its job: the page is told with
// a message that is not JSON, so that it is never taken for the search's.
self.ringlabSearchWarmed = () => self.postMessage("warmed");
self.ringlabSearchReady = () => {
  run = self.ringlabSearchRun;
  handOver();
};

self.onmessage = async (e) => {
  const data = e.data || {};
  if (typeof data.job === "string" && job === null) {
    job = data.job;
    handOver();
  }
  if (!data.module || started) {
    return;
  }
  started = true;
  let instance;
  const go = new Go();
  try {
    instance = await WebAssembly.instantiate(data.module, go.importObject);
  } catch (err) {
    self.postMessage(JSON.stringify({ error: "the search could not start: " + err.message }));
    return;
  }
  let code = 0;
  const exit = go.exit.bind(go);
  go.exit = (c) => {
    code = c;
    exit(c);
  };
  try {
    await go.run(instance);
    exited = true;
  } catch (err) {
    exited = true;
    self.postMessage(JSON.stringify({ error: "the search stopped: " + err.message, stopped: true }));
    return;
  }
  if (code !== 0) {
    self.postMessage(JSON.stringify({ error: "the search stopped with exit code " + code + " (the console has the details)", stopped: true }));
  }
};
