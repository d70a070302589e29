// The leak sweep (issue 13): every spec that imports `test` from here runs under an automatic fixture
// that watches each page of the test's browser context and fails the test if a password or passphrase
// the tests type shows up where it must never be: a request URL, a console message, localStorage,
// sessionStorage, IndexedDB, Cache Storage, a downloaded (exported) file, or the page's HTML (banner
// texts included). It also fails on a Referer sent to another origin. Passwords travel only in POST
// bodies, which are not looked at. (extension.spec.js runs its own persistent context and checks the
// extension's storage itself.)
const fs = require("fs");
const base = require("@playwright/test");

/** Every secret a spec types into the app (tests/e2e/*.spec.js). */
const SECRETS = ["luggage12345", "suitcase12345", "rootpass-e2e", "passphrase-e2e"];

function originOf(url) {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

const test = base.test.extend({
  leakSweep: [
    async ({ context }, use) => {
      const found = [];
      const look = (where, text) => {
        if (typeof text !== "string") return;
        for (const s of SECRETS) if (text.includes(s)) found.push(`${s} in ${where}`);
      };
      const watch = (page) => {
        page.on("request", (r) => {
          look(`a request URL (${r.method()} ${r.url().slice(0, 120)})`, r.url());
          const referer = r.headers()["referer"];
          const to = originOf(r.url());
          if (referer && to && to.startsWith("http") && originOf(referer) !== to) {
            found.push(`a Referer of ${originOf(referer)} sent to ${to}`);
          }
        });
        page.on("console", (m) => look("a console message", m.text()));
        page.on("download", async (d) => {
          try {
            const file = await d.path();
            if (file) look(`the exported file ${d.suggestedFilename()}`, fs.readFileSync(file, "utf8"));
          } catch {
            // a download cancelled by the test itself
          }
        });
      };
      context.pages().forEach(watch);
      context.on("page", watch);
      await use();
      for (const page of context.pages()) {
        if (page.isClosed()) continue;
        let dump = "";
        try {
          dump = await page.evaluate(async () => {
            const out = [document.documentElement.outerHTML];
            for (const s of [localStorage, sessionStorage]) {
              for (let i = 0; i < s.length; i++) out.push(s.key(i), s.getItem(s.key(i)));
            }
            if (indexedDB.databases) {
              for (const db of await indexedDB.databases()) out.push(`indexedDB ${db.name}`);
            }
            if (self.caches) {
              for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const req of await cache.keys()) {
                  out.push(req.url);
                  const res = await cache.match(req);
                  if (res) out.push(await res.text());
                }
              }
            }
            return out.join("\n");
          });
        } catch {
          continue; // a page that navigated away or closed while being read
        }
        look(`the page, its storage or caches (${page.url().slice(0, 120)})`, dump);
      }
      base.expect(found, "no secret leaked anywhere it must not be").toEqual([]);
    },
    { auto: true },
  ],
});

module.exports = { test, expect: base.expect, SECRETS };
