// Ringlab's schedule search, run in a worker by loader.js (window.ringlabSearch) so that the
// lab's page never spends its own thread on one.
//
// The page posts {module, job}: the search's wasm, compiled (cmd/searchworker), and the job's
// JSON (core/explore/job). The Go program reads the job from globalThis.ringlabSearchJob and
// posts each message's JSON through globalThis.ringlabSearchPost: the search's progress, then
// its outcome. Anything that stops it early is posted as {error}.
"use strict";

importScripts("wasm_exec.js");

self.onmessage = async (e) => {
  const { module, job } = e.data || {};
  self.ringlabSearchJob = job;
  self.ringlabSearchPost = (text) => self.postMessage(String(text));
  try {
    const go = new Go();
    const instance = await WebAssembly.instantiate(module, go.importObject);
    await go.run(instance);
  } catch (err) {
    self.postMessage(JSON.stringify({ error: "the search stopped: " + err.message }));
  }
};
