// WHM Transfer Console: the relay. The console injects this file into the WHM tab the admin picked
// (chrome.scripting.executeScript, in the extension's isolated world: the page's own scripts cannot see
// it). It makes the console's WHM calls from inside that tab as same-origin fetches, so they carry the
// tab's session cookie and a Referer naming WHM itself, and pass WHM's referrer safety checks
// (whm-transfer-api.md §2.5, §2.7). The /cpsess security token is read from the tab's address on every
// call and never leaves the tab; nothing is stored.
//
// Protocol (one port per call, named "whm-relay", opened with chrome.tabs.connect by bridge.js):
//   console → relay  {op: "post", origin, path, body, limit}   one form POST; relay answers {type: "reply-head", status,
//                                                       contentType}, then {type: "reply-part", text} (at most PART characters
//                                                       each: one port message may not pass 64 MiB), then {type: "reply-end"};
//                                                       past `limit` bytes it stops reading and answers kind "too-large"
//                    {op: "stream", origin, path}       one streamed GET; relay answers {type: "head", status, contentType},
//                                                       then {type: "chunk", text} per decoded chunk, then {type: "end"}
//   relay → console  {type: "error", kind, detail}      kind: "session-lost" | "network" | "relay" | "too-large"
// Disconnecting the port aborts the fetch. A one-off message {op: "ping"} answers whether the relay is
// here and whether the tab still has a token (never the token itself).
"use strict";

(() => {
  const VERSION = 2; // 2: a POST reply comes in parts, capped

  // Like cPanel's own libraries: the first path segment, "/cpsess" and 10 digits (§2.6).
  const TOKEN = /^\/cpsess\d{10}(?=\/|$)/;

  class RelayError extends Error {
    constructor(kind, detail) {
      super(detail);
      this.kind = kind;
    }
  }

  /** The absolute URL of `path` under the tab's current token, on the tab's own origin only. */
  function target(origin, path) {
    if (location.origin !== origin) {
      throw new RelayError("session-lost", `the tab no longer shows WHM at ${origin}`);
    }
    const token = TOKEN.exec(location.pathname);
    if (!token) {
      throw new RelayError(
        "session-lost",
        "the WHM tab's address has no /cpsess… security token (it shows the login page, or left WHM)",
      );
    }
    if (typeof path !== "string" || !path.startsWith("/") || path.startsWith("//")) {
      throw new RelayError("relay", "the console asked for something that is not a WHM path");
    }
    const url = new URL(token[0] + path, location.origin);
    if (url.origin !== location.origin) {
      throw new RelayError("relay", "the console asked for an address on another server");
    }
    return url.href;
  }

  // Same-origin fetch options: the tab's cookie, and a Referer for WHM only (the page's own referrer
  // policy may be stricter, e.g. "no-referrer", which WHM's blank-referrer check refuses). A redirect
  // is never followed: the POST, secrets and all, would go again to wherever it points, and that
  // server's answer would be read as WHM's.
  const COMMON = {
    credentials: "same-origin",
    referrerPolicy: "same-origin",
    cache: "no-store",
    redirect: "manual",
  };

  // As the console says it when it fetches itself (src/client/same_origin.rs, REDIRECT_DETAIL).
  const REDIRECTED =
    "WHM answered with a redirect to another address, which the console does not follow; check the address WHM is reached at (a proxy in front of it?)";

  /** A redirect answer (opaque under redirect: "manual") is an error: whether WHM acted is not known. */
  function notRedirected(response) {
    if (response.type === "opaqueredirect") throw new RelayError("network", REDIRECTED);
  }

  // Characters per message of a POST reply: Chromium refuses a message over 64 MiB once serialised,
  // and a character may take 6 bytes there (a JSON reply inside JSON, escaped again).
  const PART = 4 * 1024 * 1024;

  async function post(msg, signal, send) {
    const url = target(msg.origin, msg.path);
    if (typeof msg.body !== "string") throw new RelayError("relay", "the call has no form body");
    const limit = Number.isFinite(msg.limit) && msg.limit > 0 ? msg.limit : Infinity;
    const response = await fetch(url, {
      ...COMMON,
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
        Accept: "application/json",
      },
      body: msg.body,
      signal,
    });
    notRedirected(response);
    send({ type: "reply-head", status: response.status, contentType: response.headers.get("content-type") });
    // The body in parts (one message could exceed what a port carries), read no further than the
    // console's cap on a reply.
    if (response.body) {
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let bytes = 0;
      let part = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        if (bytes > limit) {
          await reader.cancel();
          throw new RelayError("too-large", `the reply passed ${limit} bytes`);
        }
        part += decoder.decode(value, { stream: true });
        if (part.length >= PART) {
          send({ type: "reply-part", text: part });
          part = "";
        }
      }
      part += decoder.decode();
      if (part) send({ type: "reply-part", text: part });
    }
    send({ type: "reply-end" });
  }

  async function stream(msg, signal, send) {
    const url = target(msg.origin, msg.path);
    const response = await fetch(url, { ...COMMON, method: "GET", signal });
    notRedirected(response);
    send({ type: "head", status: response.status, contentType: response.headers.get("content-type") });
    if (response.body) {
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        if (text) send({ type: "chunk", text });
      }
      const rest = decoder.decode();
      if (rest) send({ type: "chunk", text: rest });
    }
    send({ type: "end" });
  }

  function onConnect(port) {
    if (port.name !== "whm-relay" || !port.sender || port.sender.id !== chrome.runtime.id) return;
    const controller = new AbortController();
    let open = true;
    let started = false;
    port.onDisconnect.addListener(() => {
      open = false;
      controller.abort();
    });
    const send = (m) => {
      if (open) port.postMessage(m);
    };
    port.onMessage.addListener((msg) => {
      if (started) return; // one call per port
      started = true;
      const run = msg && msg.op === "post" ? post : msg && msg.op === "stream" ? stream : null;
      const work = run
        ? run(msg, controller.signal, send)
        : Promise.reject(new RelayError("relay", "unknown relay operation"));
      work.then(
        () => {},
        (err) => {
          if (controller.signal.aborted) return; // the console hung up: nobody listens
          const kind = err instanceof RelayError ? err.kind : "network";
          send({ type: "error", kind, detail: String((err && err.message) || err) });
        },
      );
    });
  }

  function onMessage(msg, sender, reply) {
    if (!sender || sender.id !== chrome.runtime.id || !msg || msg.op !== "ping") return false;
    reply({ relay: VERSION, origin: location.origin, hasToken: TOKEN.test(location.pathname) });
    return false;
  }

  // Injected again (the console could not reach an earlier copy, e.g. after the extension was
  // reloaded): the newest copy replaces the listeners of an earlier one, so a call is never answered twice.
  const earlier = globalThis.__whmTransferConsoleRelay;
  if (earlier) {
    try {
      chrome.runtime.onConnect.removeListener(earlier.onConnect);
      chrome.runtime.onMessage.removeListener(earlier.onMessage);
    } catch (_) {
      // an orphaned copy's chrome.runtime is gone: its listeners are dead already
    }
  }
  globalThis.__whmTransferConsoleRelay = { onConnect, onMessage };
  chrome.runtime.onConnect.addListener(onConnect);
  chrome.runtime.onMessage.addListener(onMessage);
})();
