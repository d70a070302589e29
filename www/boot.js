// Starts the app. A separate file (not an inline script) so a strict CSP holds: script-src 'self'.
// The version query defeats stale caches of these unhashed files after an upgrade.
import init from "./whm-transfer-console.js?v=0.1.0";
init({ module_or_path: "./whm-transfer-console_bg.wasm?v=0.1.0" }).catch((err) => {
  const p = document.createElement("p");
  p.className = "boot-error";
  p.textContent = "The console could not start in this browser: " + err;
  document.body.append(p);
});
