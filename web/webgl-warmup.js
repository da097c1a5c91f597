// Ringlab's WebGL warm-up, run in a worker by loader.js while the wasm downloads.
//
// The first WebGL context a page makes is slow to create: the browser starts its graphics
// stack (well over half a second with a software renderer). Made here, that costs the page's
// main thread nothing, and the loader's own check and the lab's context are quick afterwards.
// The answer (true when a context was made) is only a courtesy: the loader decides on the main
// thread, where the lab draws.
"use strict";

let ok = false;
try {
  if (typeof OffscreenCanvas === "function") {
    const gl = new OffscreenCanvas(1, 1).getContext("webgl2");
    if (gl) {
      ok = true;
      const lose = gl.getExtension("WEBGL_lose_context");
      if (lose) {
        lose.loseContext();
      }
    }
  }
} catch (err) {
  ok = false;
}
postMessage(ok);
