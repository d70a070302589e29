// WHM Transfer Console: the bridge between the console (Rust/Wasm, src/client/relay.rs) and Chromium's
// extension APIs. Loaded by the extension's index.html before the app starts; it defines
// `globalThis.whmRelay`. Outside the extension (WHM plugin, simulator) this file is not there, and the
// app talks to WHM with same-origin fetches instead.
//
// It lists the open tabs, never with their /cpsess token (the console keeps those that look like
// WHM), asks for access to exactly the
// WHM origin the admin picked (chrome.permissions.request, from their click), injects relay.js into
// that tab and hands each call to it over a port. It never sees the session cookie or the /cpsess
// token; the only thing it stores is the picked WHM origin, to reconnect next time.
//
// Every failure rejects with a plain object {kind, detail}; kind is one of "tab-closed",
// "session-lost", "permission-needed", "network", "relay", "aborted".
"use strict";

(() => {
  const chrome = globalThis.chrome;
  if (!chrome || !chrome.tabs || !chrome.scripting || !chrome.permissions || !chrome.runtime || !chrome.runtime.id) {
    return; // not an extension page: leave whmRelay undefined
  }
  const VERSION = 2; // relay.js protocol: 2, a POST reply in parts
  const TOKEN = /^\/cpsess\d{10}(?=\/|$)/;
  const fail = (kind, detail) => ({ kind, detail: String(detail || "") });
  const pattern = (origin) => `${origin}/*`;

  // ---- tab and permission changes, pushed to the console ------------------------------------------
  const watchers = new Map();
  let nextWatcher = 1;
  function emit(event) {
    for (const cb of watchers.values()) {
      try {
        cb(event);
      } catch (err) {
        console.error("WHM Transfer Console: a tab watcher failed:", err);
      }
    }
  }
  chrome.tabs.onRemoved.addListener((tabId) => emit({ event: "removed", tabId }));
  chrome.tabs.onUpdated.addListener((tabId, info) => {
    if (info.url !== undefined || info.status === "complete" || info.title !== undefined) emit({ event: "updated", tabId });
  });
  chrome.tabs.onCreated.addListener((tab) => emit({ event: "created", tabId: tab.id }));
  if (chrome.permissions.onAdded) chrome.permissions.onAdded.addListener(() => emit({ event: "permissions", tabId: -1 }));
  if (chrome.permissions.onRemoved) chrome.permissions.onRemoved.addListener(() => emit({ event: "permissions", tabId: -1 }));

  // ---- the relay in the picked tab -----------------------------------------------------------------
  async function tabState(tabId, origin) {
    let tab;
    try {
      tab = await chrome.tabs.get(tabId);
    } catch (_) {
      return fail("tab-closed", "the WHM tab was closed");
    }
    let url = null;
    try {
      url = new URL(tab.url || tab.pendingUrl || "");
    } catch (_) {
      url = null;
    }
    if (!url || url.origin !== origin) return fail("session-lost", `the tab no longer shows WHM at ${origin}`);
    if (!TOKEN.test(url.pathname)) {
      return fail("session-lost", "the tab's address has no /cpsess… security token (it shows WHM's login page?)");
    }
    return null;
  }

  /** Makes sure relay.js listens in the tab, which still shows WHM at `origin` with a token. */
  async function ensureRelay(tabId, origin) {
    const problem = await tabState(tabId, origin);
    if (problem) throw problem;
    if (!(await chrome.permissions.contains({ origins: [pattern(origin)] }))) {
      throw fail("permission-needed", `this extension may not yet use ${origin}`);
    }
    try {
      const pong = await chrome.tabs.sendMessage(tabId, { op: "ping" }, { frameId: 0 });
      if (pong && pong.relay === VERSION && pong.origin === origin) return;
    } catch (_) {
      // nobody listens yet: inject below
    }
    try {
      await chrome.scripting.executeScript({ target: { tabId, frameIds: [0] }, files: ["relay.js"] });
    } catch (err) {
      const again = await tabState(tabId, origin);
      if (again) throw again;
      const text = String((err && err.message) || err);
      if (/permission|cannot access/i.test(text)) throw fail("permission-needed", text);
      throw fail("relay", `the console could not start its relay in the WHM tab: ${text}`);
    }
  }

  /**
   * Why a port closed before its answer: the tab was closed, or it reloaded or navigated mid-call.
   * Either way the call may have reached WHM, so this is never reported as "session-lost" (which
   * says nothing was sent); the tab watcher tells the console when the tab left WHM.
   */
  async function lost(tabId, origin) {
    const state = await tabState(tabId, origin);
    if (state && state.kind === "tab-closed") return state;
    return fail("network", "the WHM tab reloaded or navigated while the call was in flight");
  }

  /**
   * One call over a fresh port. `onMessage(m, resolve, reject)` handles the relay's messages; the
   * promise rejects on abort, on a relay error, or when the port closes first.
   */
  async function call(tabId, origin, request, signal, onMessage) {
    if (signal && signal.aborted) throw fail("aborted", "");
    await ensureRelay(tabId, origin);
    if (signal && signal.aborted) throw fail("aborted", "");
    return new Promise((resolve, reject) => {
      let settled = false;
      const port = chrome.tabs.connect(tabId, { name: "whm-relay", frameId: 0 });
      const settle = (fn, value) => {
        if (settled) return;
        settled = true;
        if (signal) signal.removeEventListener("abort", onAbort);
        fn(value);
      };
      const finish = (value) => {
        settle(resolve, value);
        port.disconnect();
      };
      const onAbort = () => {
        port.disconnect();
        settle(reject, fail("aborted", ""));
      };
      if (signal) signal.addEventListener("abort", onAbort);
      port.onMessage.addListener((m) => {
        if (settled || !m) return;
        if (m.type === "error") {
          settle(reject, fail(m.kind, m.detail));
          port.disconnect();
          return;
        }
        onMessage(m, finish, (e) => {
          settle(reject, e);
          port.disconnect();
        });
      });
      port.onDisconnect.addListener(() => {
        void chrome.runtime.lastError; // read, so Chromium does not log it as unchecked
        if (settled) return;
        lost(tabId, origin).then((e) => settle(reject, e));
      });
      port.postMessage({ ...request, origin });
    });
  }

  /** A stream's chunks, handed out one `next()` at a time (the console pulls them at its own pace). */
  class Chunks {
    constructor() {
      this.queue = [];
      this.waiting = null;
      this.status = 0;
      this.contentType = null;
    }
    push(item) {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        if (item.error) w.reject(item.error);
        else w.resolve(item.text);
      } else {
        this.queue.push(item);
      }
    }
    /** The next decoded chunk, `null` at the end of the stream; rejects with {kind, detail}. */
    next() {
      const item = this.queue.shift();
      if (item) return item.error ? Promise.reject(item.error) : Promise.resolve(item.text);
      return new Promise((resolve, reject) => {
        this.waiting = { resolve, reject };
      });
    }
  }

  globalThis.whmRelay = Object.freeze({
    version: VERSION,

    /** Every open http(s) tab: {tabId, windowId, origin, path, hasToken, title, active}. For a tab whose
     *  address carries a /cpsess token, `path` is what follows the token; for another, `path` and
     *  `title` are empty. The token itself, a query and a fragment are never handed out. */
    async listTabs() {
      const tabs = await chrome.tabs.query({});
      const out = [];
      for (const t of tabs) {
        if (typeof t.id !== "number" || t.id < 0 || !t.url) continue;
        let url;
        try {
          url = new URL(t.url);
        } catch (_) {
          continue;
        }
        if (url.protocol !== "https:" && url.protocol !== "http:") continue;
        const token = TOKEN.exec(url.pathname);
        // A tab without a token is listed by its origin only (the console follows the picked tab
        // when it leaves WHM); its path and title are none of the console's business.
        const path = token ? url.pathname.slice(token[0].length) : "";
        const title = token ? t.title || "" : "";
        out.push({ tabId: t.id, windowId: t.windowId, origin: url.origin, path, hasToken: !!token, title, active: !!t.active });
      }
      return out;
    },

    /** Asks for access to exactly `origin`. Call it synchronously from the admin's click. */
    requestAccess(origin) {
      return chrome.permissions.request({ origins: [pattern(origin)] });
    },

    hasAccess(origin) {
      return chrome.permissions.contains({ origins: [pattern(origin)] });
    },

    /** Resolves when the relay runs in the tab and the tab shows WHM with a token; rejects {kind, detail}. */
    async probe(tabId, origin) {
      await ensureRelay(tabId, origin);
      // Chromium may discard a background tab to save memory, which would cut a call in flight
      // (its outcome then unknown): the picked WHM tab is kept. Best effort.
      try {
        await chrome.tabs.update(tabId, { autoDiscardable: false });
      } catch (_) {
        // an older Chromium, or the tab just went: the next call says so
      }
    },

    /** One form POST through the tab: {status, contentType, body}, body as UTF-8 bytes (a Uint8Array:
     *  the console copies it into wasm in one piece, where a string is copied character by character).
     *  The reply comes in parts; one larger than `limit` bytes rejects with kind "too-large". */
    post(tabId, origin, path, body, signal, limit) {
      let head = null;
      const parts = [];
      return call(tabId, origin, { op: "post", path, body, limit }, signal, (m, resolve, reject) => {
        if (m.type === "reply-head" && !head) head = m;
        else if (m.type === "reply-part" && head) parts.push(String(m.text ?? ""));
        else if (m.type === "reply-end" && head) {
          resolve({ status: head.status, contentType: head.contentType, body: new TextEncoder().encode(parts.join("")) });
        } else reject(fail("relay", `unexpected relay message ${m.type}`));
      });
    },

    /** One streamed GET through the tab; resolves with a Chunks handle once the headers are in. */
    stream(tabId, origin, path, signal) {
      const chunks = new Chunks();
      // The console may stop reading early (e.g. an error status): cancel() hangs up the port.
      const inner = new AbortController();
      if (signal) {
        if (signal.aborted) inner.abort();
        else signal.addEventListener("abort", () => inner.abort(), { once: true });
      }
      chunks.cancel = () => inner.abort();
      let started = false;
      return new Promise((resolve, reject) => {
        call(tabId, origin, { op: "stream", path }, inner.signal, (m, finish, failWith) => {
          if (m.type === "head") {
            chunks.status = m.status;
            chunks.contentType = m.contentType;
            started = true;
            resolve(chunks);
          } else if (m.type === "chunk" && started) {
            chunks.push({ text: m.text });
          } else if (m.type === "end") {
            chunks.push({ text: null });
            finish(null);
          } else {
            failWith(fail("relay", `unexpected relay message ${m.type}`));
          }
        }).then(
          () => {},
          (err) => {
            if (started) chunks.push({ error: err });
            else reject(err);
          },
        );
      });
    },

    /** Calls `cb({event, tabId})` on tab and permission changes; returns an id for `unwatch`. */
    watch(cb) {
      const id = nextWatcher++;
      watchers.set(id, cb);
      return id;
    },
    unwatch(id) {
      watchers.delete(id);
    },

    /** The console learned from a reply that the tab's login is gone (HTTP 401/403, a login page). */
    report(tabId, kind) {
      emit({ event: kind, tabId });
    },

    /** The WHM origin picked last time (a preference: no token, no cookie). */
    async remembered() {
      const got = await chrome.storage.local.get("whmOrigin");
      return typeof got.whmOrigin === "string" ? got.whmOrigin : null;
    },
    remember(origin) {
      return chrome.storage.local.set({ whmOrigin: origin });
    },
  });
})();
