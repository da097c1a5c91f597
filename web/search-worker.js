// Ringlab's schedule search, run in a worker by loader.js (window.ringlabSearch) so that the
// lab's page never spends its own thread on one.
//
// The page posts {module, job}: the search's wasm, compiled (cmd/searchworker), and the job's
// JSON (core/explore/job). The Go program reads the job from globalThis.ringlabSearchJob and
// posts each message's JSON through globalThis.ringlabSearchPost: the search's progress, then
// its outcome. A worker that cannot start the program posts {error}; a program that stops with
// an error of its own (a fault in the search, which would stop it in the page too) posts
// {error, stopped: true}.
"use strict";

importScripts("wasm_exec.js");

self.onmessage = async (e) => {
  const { module, job } = e.data || {};
  self.ringlabSearchJob = job;
  self.ringlabSearchPost = (text) => self.postMessage(String(text));
  let instance;
  const go = new Go();
  try {
    instance = await WebAssembly.instantiate(module, go.importObject);
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
  } catch (err) {
    self.postMessage(JSON.stringify({ error: "the search stopped: " + err.message, stopped: true }));
    return;
  }
  if (code !== 0) {
    self.postMessage(JSON.stringify({ error: "the search stopped with exit code " + code + " (the console has the details)", stopped: true }));
  }
};
