// Starts the app. A separate file (not an inline script) so a strict CSP holds: script-src 'self'.
// A classic (deferred) script, not a module: a module script takes the Referrer-Policy of its own HTTP reply
// for what it imports, so a server sending `Referrer-Policy: no-referrer` on JS would make the app's import
// go out without a Referer, which WHM's "Blank referrer safety check" refuses. import() from a classic script
// follows the page's policy (same-origin).
// The version query defeats stale caches of these unhashed files in dist/; `make plugin` replaces both URLs
// with content-hashed names (scripts/package-plugin.sh), since cpsrvd lets browsers cache JS for 60 days.
//
// The wasm is fetched here and handed to wasm-bindgen as bytes: cpsrvd serves `.wasm` as
// application/octet-stream with `nosniff`, which `WebAssembly.instantiateStreaming` refuses (wasm-bindgen would
// then fall back with a console warning). Bytes work whatever type the server sends.
//
// If anything fails, the page says what and what to do instead of staying blank.
(() => {
  const APP_JS = "./whm-transfer-console.js?v=0.1.0";
  const APP_WASM = "./whm-transfer-console_bg.wasm?v=0.1.0";
  // The folder this script came from (the app's files sit beside it).
  const HERE = (document.currentScript && document.currentScript.src) || document.baseURI;

  class BootError extends Error {
    constructor(stage, message) {
      super(message);
      this.stage = stage;
    }
  }

  function fileName(url) {
    return new URL(url, HERE).pathname.split("/").pop();
  }

  async function loadWasm() {
    const url = new URL(APP_WASM, HERE);
    let res;
    try {
      res = await fetch(url, { credentials: "same-origin" });
    } catch (err) {
      throw new BootError("fetch", `${fileName(APP_WASM)} could not be downloaded (${err.message || err}).`);
    }
    if (!res.ok) {
      const hint =
        res.status === 401 || res.status === 403
          ? " Your WHM session may have ended: log in to WHM again."
          : res.status === 404
            ? " The installed files are incomplete: install the plugin again."
            : "";
      throw new BootError("fetch", `the server answered HTTP ${res.status} for ${fileName(APP_WASM)}.${hint}`);
    }
    const bytes = await res.arrayBuffer();
    // "\0asm": anything else (a login page, an error page, a truncated download) is not the module.
    const magic = new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength));
    if (magic.length < 4 || magic[0] !== 0 || magic[1] !== 0x61 || magic[2] !== 0x73 || magic[3] !== 0x6d) {
      throw new BootError(
        "compile",
        `${fileName(APP_WASM)} is not a WebAssembly module (${bytes.byteLength} bytes, ${res.headers.get("content-type") || "no type"}).` +
          " Your WHM session may have ended (log in again), or the installed files are damaged (install the plugin again).",
      );
    }
    return bytes;
  }

  async function start() {
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
      throw new BootError("browser", "this browser does not run WebAssembly. Use a current Chromium, Firefox or Safari.");
    }
    // Both downloads at once; the script through import() so that a failure is reported, not a blank page.
    const [mod, bytes] = await Promise.all([
      import(new URL(APP_JS, HERE).href).catch((err) => {
        throw new BootError("script", `${fileName(APP_JS)} could not be loaded (${err.message || err}). Reload the page; if it persists, install the plugin again.`);
      }),
      loadWasm(),
    ]);
    try {
      await mod.default({ module_or_path: bytes });
    } catch (err) {
      const stage = err instanceof WebAssembly.CompileError || err instanceof WebAssembly.LinkError ? "compile" : "start";
      throw new BootError(stage, `${err.message || err}. Reload the page; if it persists, install the plugin again.`);
    }
  }

  function showError(err) {
    const box = document.createElement("div");
    box.className = "boot-error";
    box.setAttribute("role", "alert");
    box.dataset.testid = "boot-error";
    box.dataset.stage = err instanceof BootError ? err.stage : "start";
    const title = document.createElement("h1");
    title.textContent = "The Transfer Console could not start";
    const why = document.createElement("p");
    why.textContent = "Reason: " + (err && err.message ? err.message : String(err));
    box.append(title, why);
    document.body.append(box);
    console.error("WHM Transfer Console: boot failed:", err);
  }

  start().catch(showError);
})();
