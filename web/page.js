// Ringlab course-page features, on top of window.ringlab (loader.js):
//
//   - links: the URL fragment holds the run (Go reads it at start); a later change of the
//     fragment (hashchange) opens the new state; "Copy link" (window.ringlabCopyLink, called by
//     the lab's own button too) puts page address + fragment on the clipboard;
//   - embed mode (?embed=1): an "Open in new tab" link with the same run, no focus taken on load,
//     the canvas following the frame's size;
//   - the postMessage API for a parent page (see PROTOCOL below and the README);
//   - exports (PNG, event log CSV, client history CSV, replay JSON) and opening a replay file
//     from a file picker or by dropping it on the page;
//   - the notice element, and an aria-live region that mirrors the event log for screen readers.
//
// Nothing here reaches into Go: it uses only ringlab.ready, state(), command(), link(),
// loadState(), exportFile(), loadReplay() and ringlab.events.
"use strict";

(() => {
  const ringlab = window.ringlab;
  if (!ringlab) {
    console.error("Ringlab: page.js needs loader.js to run first");
    return;
  }
  const el = (id) => document.getElementById(id);
  let isReady = false;

  // --- The notice ---------------------------------------------------------------------------

  let noticeTimer = 0;

  // showNotice puts a message in the page's notice element (role="status", so screen readers
  // announce it). Options: link (a URL shown in a text field, selected, for copying by hand),
  // openTab (offer the "Open in new tab" link), transientMs (hide after that long).
  function showNotice(text, opts = {}) {
    clearTimeout(noticeTimer);
    el("notice-text").textContent = text;
    const field = el("notice-link");
    field.hidden = !opts.link;
    field.value = opts.link || "";
    const openTab = el("notice-open-tab");
    openTab.hidden = !opts.openTab;
    openTab.href = fullPageURL(currentLink());
    el("notice").hidden = false;
    if (opts.link) {
      field.focus();
      field.select();
    }
    if (opts.transientMs) {
      noticeTimer = setTimeout(hideNotice, opts.transientMs);
    }
  }

  function hideNotice() {
    clearTimeout(noticeTimer);
    el("notice").hidden = true;
  }

  el("notice-dismiss").addEventListener("click", hideNotice);

  // --- Links --------------------------------------------------------------------------------

  function currentLink() {
    if (!isReady) {
      return window.location.hash;
    }
    try {
      return ringlab.link();
    } catch (err) {
      return window.location.hash;
    }
  }

  // fullPageURL is this page's address, without its query (embed mode and the other page options
  // belong to the frame, not to the run), with the run's fragment.
  function fullPageURL(fragment) {
    return window.location.origin + window.location.pathname + (fragment || "");
  }

  // copyText puts text on the clipboard: the Clipboard API where the page may use it, else the
  // old select-and-copy through a text field; it resolves to true when either worked.
  async function copyText(text) {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        return true;
      }
    } catch (err) {
      // Forbidden (an iframe without clipboard-write, no focus, denied): try the old way.
    }
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    const focused = document.activeElement;
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (err) {
      ok = false;
    }
    area.remove();
    if (focused && typeof focused.focus === "function") {
      focused.focus();
    }
    return ok;
  }

  // window.ringlabCopyLink(fragment) is the Copy link action, for the lab's own button (Go calls
  // it) and the page's. It resolves to true when the link reached the clipboard; otherwise the
  // notice shows the link, selected, to copy by hand.
  window.ringlabCopyLink = async (fragment) => {
    const url = fullPageURL(typeof fragment === "string" ? fragment : currentLink());
    if (await copyText(url)) {
      showNotice("Link copied: " + url, { transientMs: 6000 });
      return true;
    }
    showNotice("The browser did not let the page copy. Copy this link by hand:", { link: url });
    return false;
  };

  el("copy-link").addEventListener("click", () => window.ringlabCopyLink(currentLink()));

  // Opening a new fragment in the same page (a link followed inside the page, the address bar
  // edited) loads it without a reload.
  window.addEventListener("hashchange", () => {
    if (!isReady) {
      return; // Go reads the fragment itself when it starts
    }
    let notice;
    try {
      notice = ringlab.loadState(window.location.hash);
    } catch (err) {
      notice = err.message;
    }
    if (notice) {
      showNotice(notice);
    }
  });

  // --- Embed mode ---------------------------------------------------------------------------

  const openTab = el("open-tab");

  function refreshOpenTab(link) {
    openTab.href = fullPageURL(link !== undefined ? link : currentLink());
  }

  if (ringlab.options.embed) {
    // A shorter cue for a small frame.
    const cue = el("cue");
    const key = document.createElement("kbd");
    key.textContent = "?";
    cue.replaceChildren("Click to start · ", key, " for shortcuts");
    openTab.hidden = false;
    refreshOpenTab(window.location.hash);
    // The link follows the run; refresh it at the last moment too, so it is exact.
    openTab.addEventListener("pointerdown", () => refreshOpenTab());
    openTab.addEventListener("focus", () => refreshOpenTab());
    // Ebitengine resizes its canvas on the window's resize event. A frame whose element is
    // resized by its page gets one too, but not everywhere and not for every layout change:
    // watching the document's own box catches the rest.
    if (window.ResizeObserver) {
      let last = "";
      new ResizeObserver(() => {
        const size = window.innerWidth + "x" + window.innerHeight;
        if (size !== last) {
          last = size;
          window.dispatchEvent(new Event("resize"));
        }
      }).observe(document.documentElement);
    }
  }

  // --- Exports and replay files -------------------------------------------------------------

  // downloadsAllowed is read once the lab has its preferences; before that, nothing exports.
  function downloadsAllowed() {
    return !ringlab.prefs || ringlab.prefs.downloads !== false;
  }

  // saveExport downloads one export of the current run. It resolves to the file's name, or ""
  // when it could not (the notice says why).
  async function saveExport(kind) {
    if (!isReady) {
      showNotice("The lab is still loading.");
      return "";
    }
    if (!downloadsAllowed()) {
      showNotice("This frame may not download files. Open the lab in a new tab, with the same run, and save from there.", { openTab: true });
      return "";
    }
    const file = await ringlab.exportFile(kind);
    if (file.error) {
      showNotice("Could not export " + kind + ": " + file.error);
      return "";
    }
    const blob = new Blob([file.data], { type: file.mime || "application/octet-stream" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = file.name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    // The download has started by then; the object URL only holds memory.
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    showNotice("Saved " + file.name + " (" + blob.size.toLocaleString("en") + " bytes).", { transientMs: 6000 });
    return file.name;
  }

  for (const button of document.querySelectorAll("button[data-export]")) {
    button.addEventListener("click", () => saveExport(button.dataset.export));
  }

  // A replay file is a few kilobytes of JSON; anything this big is not one.
  const replayBytesMax = 4 << 20;

  // openReplayFile reads a file and hands it to the lab. On any error the notice says what,
  // and the run on screen is left as it was. Resolves to "" on success or the error.
  async function openReplayFile(file) {
    let error = "";
    if (!isReady) {
      error = "The lab is still loading; open the replay once it runs.";
    } else if (!file) {
      error = "No file was given.";
    } else if (file.size > replayBytesMax) {
      error = "Replay not loaded: " + file.name + " is " + (file.size / 1e6).toFixed(1) + " MB, too large for a replay file.";
    } else {
      try {
        const text = await file.text();
        error = ringlab.loadReplay(text);
      } catch (err) {
        error = "Replay not loaded: " + err.message;
      }
    }
    if (error) {
      showNotice(error);
    } else {
      showNotice("Opening the replay " + file.name + "…", { transientMs: 6000 });
    }
    return error;
  }

  const picker = el("replay-file");
  el("open-replay").addEventListener("click", () => picker.click());
  picker.addEventListener("change", () => {
    const file = picker.files && picker.files[0];
    picker.value = ""; // choosing the same file again is a new choice
    if (file) {
      openReplayFile(file);
    }
  });
  // For the lab's own controls: open the file picker (it needs a recent user action).
  window.ringlabOpenReplay = () => picker.click();

  // Drag and drop anywhere on the page.
  const dropZone = el("drop-zone");
  const carriesFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes("Files");
  let dragDepth = 0;
  window.addEventListener("dragenter", (e) => {
    if (carriesFiles(e)) {
      dragDepth++;
      dropZone.hidden = false;
    }
  });
  window.addEventListener("dragleave", (e) => {
    if (carriesFiles(e) && --dragDepth <= 0) {
      dragDepth = 0;
      dropZone.hidden = true;
    }
  });
  window.addEventListener("dragover", (e) => {
    if (carriesFiles(e)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    }
  });
  window.addEventListener("drop", (e) => {
    dragDepth = 0;
    dropZone.hidden = true;
    if (!carriesFiles(e)) {
      return;
    }
    e.preventDefault(); // the browser would open the file in place of the lab
    const files = e.dataTransfer.files;
    if (files.length !== 1) {
      showNotice("Drop one replay file (JSON) at a time.");
      return;
    }
    openReplayFile(files[0]);
  });

  // --- The event log for screen readers -----------------------------------------------------

  const logLive = el("log-live");
  const liveLinesMax = 30;

  ringlab.events.addEventListener("log", (e) => {
    const lines = Array.isArray(e.detail) ? e.detail : [];
    for (const line of lines) {
      announce(String(line));
    }
  });

  function announce(text) {
    const p = document.createElement("p");
    p.textContent = text;
    logLive.appendChild(p);
    while (logLive.childElementCount > liveLinesMax) {
      logLive.firstElementChild.remove();
    }
  }

  // The lab draws its own notices in the canvas. The ones it starts with (values the link could
  // not use) are repeated in the page's notice element; later ones go to the live region.
  let labNotice = "";
  function mirrorLabNotice(atStart) {
    let notice = "";
    try {
      notice = ringlab.state().notice || "";
    } catch (err) {
      return; // not ready, or stopped
    }
    if (notice && notice !== labNotice) {
      if (atStart) {
        showNotice(notice);
      } else {
        announce(notice);
      }
    }
    labNotice = notice;
  }

  // --- postMessage API ----------------------------------------------------------------------
  //
  // PROTOCOL (version 1). Every message is an object whose type is "ringlab:v1:<verb>".
  //   parent -> lab: load {state: "#v=1&..."}, play, pause, step, chapter {value: id or number},
  //                  set {param, value}
  //   lab -> parent: ready {state}, state {state} (debounced), error {verb, error} (a command
  //                  that was refused, or a notice from load)
  // where state is {chapter, chapterIndex, tick, seed, paused, link}. Only messages from this
  // page's own origin and those listed in ?host= are obeyed; anything malformed is ignored
  // with a console warning.

  const namespace = "ringlab:v1:";
  const allowedOrigins = new Set([window.location.origin, ...ringlab.options.hosts]);
  const parentWindow = window.parent !== window ? window.parent : null;

  // parentOrigin is the embedding page's origin where the browser tells it, else "".
  function parentOrigin() {
    try {
      if (window.location.ancestorOrigins && window.location.ancestorOrigins.length > 0) {
        return window.location.ancestorOrigins[0];
      }
    } catch (err) {
      // Not offered.
    }
    try {
      return document.referrer ? new URL(document.referrer).origin : "";
    } catch (err) {
      return "";
    }
  }

  // tellParent posts a message to the embedding page, only where that page's origin is allowed:
  // the state carries the run's link, which a foreign page has no business reading.
  function tellParent(verb, fields) {
    if (!parentWindow) {
      return;
    }
    const message = Object.assign({ type: namespace + verb }, fields);
    const known = parentOrigin();
    const targets = known ? (allowedOrigins.has(known) ? [known] : []) : Array.from(allowedOrigins);
    for (const origin of targets) {
      try {
        parentWindow.postMessage(message, origin);
      } catch (err) {
        // The parent went away or its origin does not match: nothing to tell.
      }
    }
  }

  function summaryNow() {
    const s = ringlab.state();
    return { chapter: s.chapter, chapterIndex: s.chapterIndex, tick: s.tick, seed: s.seed, paused: s.paused, link: currentLink() };
  }

  // Parameters a parent may set: core's "set" parameters, and the two that rebuild the cluster.
  const coreParams = new Set(["n", "w", "r", "mode", "versioning", "latency_min", "latency_max", "loss", "readrepair"]);
  const namedValues = {
    mode: { cp: 0, strict: 0, ap: 1, sloppy: 1 },
    versioning: { vc: 0, vclock: 0, lww: 1 },
    readrepair: { off: 0, on: 1 },
  };

  // setCommand maps a "set" message onto a lab command, or throws why it cannot. Every
  // parameter becomes a knob command that the lab applies in order with the others, to the
  // run as it is then: a "set" posted right after a "load" changes the loaded run, however
  // long that takes to rebuild.
  function setCommand(param, value) {
    if (typeof param !== "string") {
      throw new Error('"set" needs "param", a string');
    }
    if (typeof value === "boolean") {
      value = value ? 1 : 0;
    } else if (typeof value === "string" && namedValues[param] && value.toLowerCase() in namedValues[param]) {
      value = namedValues[param][value.toLowerCase()];
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new Error('"set" ' + param + " needs a finite number" + (namedValues[param] ? " or one of " + Object.keys(namedValues[param]).join(", ") : ""));
    }
    if (/^skew:n[0-9]{1,4}$/.test(param)) {
      return { type: "core", cmd: { kind: "set", param, num: value } };
    }
    if (coreParams.has(param) || param === "nodes" || param === "vnodes") {
      // Nodes and vnodes restart the run with the settings on screen; per-node lists follow.
      return { type: "knob", name: param, value };
    }
    throw new Error('"set" does not know the parameter ' + JSON.stringify(param) + "; one of nodes, vnodes, " + Array.from(coreParams).join(", ") + ", skew:nK");
  }

  // obey performs one parent message; it returns "" or why it was refused.
  function obey(verb, data) {
    let reply;
    switch (verb) {
      case "play":
      case "pause":
      case "step":
        reply = ringlab.command({ type: verb });
        break;
      case "chapter":
        if (typeof data.value !== "string" && typeof data.value !== "number") {
          return '"chapter" needs "value": a chapter id or its number from 1';
        }
        reply = ringlab.command({ type: "chapter", value: data.value });
        break;
      case "set":
        try {
          reply = ringlab.command(setCommand(data.param, data.value));
        } catch (err) {
          return err.message;
        }
        break;
      case "load": {
        if (typeof data.state !== "string") {
          return '"load" needs "state": a fragment such as #v=1&chapter=2';
        }
        const notice = ringlab.loadState(data.state);
        if (notice) {
          showNotice(notice);
        }
        return notice;
      }
      default:
        return "unknown verb " + JSON.stringify(verb);
    }
    return reply.ok ? "" : reply.error;
  }

  const verbs = new Set(["load", "play", "pause", "step", "chapter", "set"]);
  // Commands that arrive before the lab runs wait for it, up to a bound.
  const waiting = [];
  const waitingMax = 32;

  function receive(event) {
    if (!allowedOrigins.has(event.origin)) {
      console.warn("Ringlab: ignored a message from " + event.origin + ", which is not allowed to control the lab (allowed: " + Array.from(allowedOrigins).join(", ") + "; add origins with ?host=)");
      return;
    }
    const data = event.data;
    if (event.source === window) {
      return; // the lab's own messages, if any
    }
    if (data === null || typeof data !== "object" || Array.isArray(data) || typeof data.type !== "string") {
      console.warn("Ringlab: ignored a malformed message (want an object with type \"" + namespace + "<verb>\"):", data);
      return;
    }
    if (!data.type.startsWith(namespace)) {
      console.warn("Ringlab: ignored a message of type " + JSON.stringify(data.type.slice(0, 80)) + " (this lab speaks \"" + namespace + "<verb>\")");
      return;
    }
    const verb = data.type.slice(namespace.length);
    if (!verbs.has(verb)) {
      console.warn("Ringlab: ignored a message with the unknown verb " + JSON.stringify(verb.slice(0, 80)) + " (known: " + Array.from(verbs).join(", ") + ")");
      return;
    }
    if (!isReady) {
      if (waiting.length >= waitingMax) {
        console.warn("Ringlab: ignored " + data.type + ": too many messages before the lab is ready");
        return;
      }
      waiting.push({ verb, data });
      return;
    }
    const error = obey(verb, data);
    if (error) {
      console.warn("Ringlab: " + data.type + ": " + error);
      tellParent("error", { verb, error });
    }
  }

  window.addEventListener("message", (event) => {
    // Nothing a page sends may stop the lab: every failure ends here.
    try {
      receive(event);
    } catch (err) {
      console.warn("Ringlab: ignored a message that could not be handled: " + err.message);
    }
  });

  // State news to the parent, at most every stateDebounceMs, always ending with the latest.
  const stateDebounceMs = 250;
  let stateTimer = 0;
  let latest = null;
  ringlab.events.addEventListener("change", (e) => {
    latest = e.detail;
    if (ringlab.options.embed && latest && typeof latest.link === "string") {
      refreshOpenTab(latest.link);
    }
    mirrorLabNotice(false);
    if (!parentWindow || stateTimer) {
      return;
    }
    stateTimer = setTimeout(() => {
      stateTimer = 0;
      tellParent("state", { state: latest });
    }, stateDebounceMs);
  });

  // --- Start --------------------------------------------------------------------------------

  ringlab.ready.then(
    () => {
      isReady = true;
      if (ringlab.options.embed) {
        refreshOpenTab();
      }
      mirrorLabNotice(true);
      let state = null;
      try {
        state = summaryNow();
      } catch (err) {
        console.warn("Ringlab: " + err.message);
      }
      tellParent("ready", { state });
      for (const { verb, data } of waiting.splice(0)) {
        const error = obey(verb, data);
        if (error) {
          tellParent("error", { verb, error });
        }
      }
    },
    () => {
      // The failure message replaces the lab; the page's controls go with it.
      el("open-tab").hidden = true;
      hideNotice();
    },
  );
})();
