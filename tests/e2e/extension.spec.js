// The Chromium extension (target/extension-test/, `make extension`) against its own whm-sim with WHM's
// referrer safety checks on: the console is the extension's page, a simulator tab is "the WHM tab",
// and every WHM call goes through the relay in that tab (whm-transfer-api.md §2.7).
const { test, expect, chromium } = require("@playwright/test");
const { spawn, execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { ROOT, screenshot, queuePlan, queueAccountsOnly } = require("./helpers");
const { SESSIONS } = require("./scenarios");

const PORT = 28112; // not in scenarios.js: Playwright does not start this one, beforeAll does
const SIM = `http://127.0.0.1:${PORT}`;
const EXT = path.join(ROOT, "target", "extension-test");
const SHIPPED = path.join(ROOT, "target", "extension");
const ZIP = path.join(ROOT, "target", "whm-transfer-console-extension.zip");
const ACCESS_LOG = path.join(ROOT, "target", "e2e", "access-extension.log");
const DEMO = SESSIONS.demo;

test.describe.configure({ mode: "serial" });

let sim;
let simErr = "";
let profile;
let context;
let extensionId;
let consolePage; // the extension page
let whmTab; // the simulator tab
const problems = [];

test.beforeAll(async () => {
  test.setTimeout(90_000);
  expect(fs.existsSync(path.join(EXT, "manifest.json")), "run `make extension` first").toBeTruthy();
  fs.mkdirSync(path.dirname(ACCESS_LOG), { recursive: true });
  fs.rmSync(ACCESS_LOG, { force: true });
  sim = spawn(
    path.join(ROOT, "target", "release", "whm-sim"),
    ["--dist", "dist", "--scenario", "demo", "--port", String(PORT), "--token", "0123456789", "--speed", "1",
      "--referrer-safety", "--blank-referrer-safety", "--access-log", ACCESS_LOG],
    { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] },
  );
  sim.stderr.on("data", (d) => { simErr += d; });
  await expect
    .poll(async () => {
      if (sim.exitCode !== null) return `whm-sim exited: ${simErr}`;
      try {
        return (await fetch(`${SIM}/__sim/health`)).status;
      } catch (_) {
        return "not up yet";
      }
    }, { timeout: 60_000 })
    .toBe(200);

  profile = fs.mkdtempSync(path.join(os.tmpdir(), "whm-ext-"));
  context = await chromium.launchPersistentContext(profile, {
    headless: true,
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    viewport: { width: 360, height: 800 },
    args: [`--disable-extensions-except=${EXT}`, `--load-extension=${EXT}`, "--no-sandbox",
      "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker"));
  extensionId = worker.url().split("/")[2];
});

test.afterAll(async () => {
  if (context) await context.close();
  if (sim && sim.exitCode === null) {
    const gone = new Promise((resolve) => sim.once("exit", resolve));
    sim.kill("SIGTERM");
    await gone;
  }
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

const connection = () => consolePage.getByTestId("whm-connection");

/** A control call to this spec's simulator (`faults`, `reset`; JSON, as the simulator requires). */
const simPost = (what, data) => fetch(`${SIM}/__sim/${what}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) });

async function openConsole() {
  consolePage = await context.newPage();
  consolePage.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  consolePage.on("console", (m) => {
    if (m.type() === "error" && /panicked|RuntimeError|unreachable|Content Security Policy/.test(m.text())) problems.push(m.text());
  });
  await consolePage.goto(`chrome-extension://${extensionId}/index.html`);
}

async function openWhmTab() {
  const tab = await context.newPage();
  await tab.goto(`${SIM}/`); // the simulator logs in like WHM and lands on a /cpsess… page
  await expect(tab).toHaveURL(/\/cpsess\d{10}\//);
  return tab;
}

async function route(hash) {
  await consolePage.evaluate((h) => { window.location.hash = h; }, hash);
}

/** The side panel is 360 px wide: nothing may widen the page beyond it (wide tables scroll inside). */
async function fitsTheSidePanel() {
  expect(await consolePage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
}

test("the shipped manifest grants no host at install; the test build differs only by 127.0.0.1", async () => {
  const shipped = JSON.parse(fs.readFileSync(path.join(SHIPPED, "manifest.json"), "utf8"));
  expect(shipped.manifest_version).toBe(3);
  expect(shipped.host_permissions).toBeUndefined();
  expect(shipped.content_scripts).toBeUndefined();
  expect(shipped.permissions).not.toContain("<all_urls>");
  expect(shipped.permissions.some((p) => p.includes("://"))).toBe(false);
  expect(shipped.optional_host_permissions).toEqual(["https://*/*", "http://*/*"]);
  // the page's own policy (its meta tag), and no framing
  const meta = /Content-Security-Policy" content="([^"]+)"/.exec(fs.readFileSync(path.join(SHIPPED, "index.html"), "utf8"));
  expect(meta).toBeTruthy();
  expect(shipped.content_security_policy.extension_pages).toBe(`${meta[1]}; frame-ancestors 'none'`);
  expect(shipped.side_panel.default_path).toBe("index.html");
  expect(fs.existsSync(path.join(SHIPPED, "index.html"))).toBe(true);

  const testBuild = JSON.parse(fs.readFileSync(path.join(EXT, "manifest.json"), "utf8"));
  expect(testBuild.host_permissions).toEqual(["http://127.0.0.1/*"]);
  const { host_permissions: _h, name: _n, ...rest } = testBuild;
  const { name: _m, ...shippedRest } = shipped;
  expect(rest).toEqual(shippedRest);

  // the zip holds the same extension, manifest at its root
  const listed = execFileSync("unzip", ["-Z1", ZIP], { encoding: "utf8" }).split("\n");
  for (const f of ["manifest.json", "index.html", "bridge.js", "relay.js", "sw.js", "boot.js", "whm-transfer-console_bg.wasm"]) {
    expect(listed).toContain(f);
  }
  expect(execFileSync("unzip", ["-p", ZIP, "manifest.json"], { encoding: "utf8" })).toBe(
    fs.readFileSync(path.join(SHIPPED, "manifest.json"), "utf8"),
  );
});

test("with no WHM tab open it says so; a WHM tab appears by itself and picking it connects", async () => {
  await openConsole();
  await expect(connection()).toHaveAttribute("data-state", "no-tab");
  await expect(connection()).toContainText("No WHM tab is open");
  await screenshot(consolePage, "extension-no-tab-360");

  whmTab = await openWhmTab();
  const tab = consolePage.locator(`[data-testid="whm-tab"][data-origin="${SIM}"]`);
  await expect(tab).toHaveCount(1);
  await expect(connection()).toHaveAttribute("data-state", "pick");
  await tab.click();
  await expect(connection()).toHaveAttribute("data-state", "connected");
  await expect(connection()).toContainText(`Connected to 127.0.0.1:${PORT}`);
  await screenshot(consolePage, "extension-connected-360");
  // the bridge lists tabs without their token: the console page does not hold it
  const listed = await consolePage.evaluate(() => globalThis.whmRelay.listTabs());
  expect(listed.some((t) => t.origin === SIM && t.hasToken)).toBe(true);
  expect(JSON.stringify(listed)).not.toMatch(/cpsess|0123456789/);
});

test("the analysis loads through the WHM tab, with its Referer, and the check screen's contract holds", async () => {
  const relayed = [];
  context.on("request", async (r) => {
    if (r.url().includes("/json-api/retrieve_transfer_session_remote_analysis")) {
      relayed.push({ url: r.url(), referer: (await r.allHeaders()).referer || "", fromExtension: (() => { try { return r.frame().url(); } catch (_) { return "service worker"; } })() });
    }
  });
  await route(`#/check/${DEMO}`);
  const summary = consolePage.getByTestId("analysis-summary");
  await expect(summary).toContainText(DEMO);
  await expect(summary).toContainText("remote.example.com");
  await expect(consolePage.getByTestId("summary-accounts")).toHaveText("11");
  const finding = (kind, subject) =>
    consolePage.locator(`[data-testid="finding"][data-kind="${kind}"][data-subject="${subject}"]`);
  await expect(finding("user-exists", "you")).toHaveAttribute("data-severity", "error");
  await expect(finding("reserved-username", "testsite")).toHaveAttribute("data-severity", "error");
  await expect(consolePage.getByTestId("account-row").first()).toBeVisible();
  await fitsTheSidePanel();
  await screenshot(consolePage, "extension-check-360");

  // the call went out from the WHM tab, same-origin, with a Referer naming WHM (the referrer checks pass)
  await expect.poll(() => relayed.length).toBeGreaterThan(0);
  expect(relayed[0].url.startsWith(`${SIM}/cpsess0123456789/json-api/`)).toBe(true);
  expect(relayed[0].referer.startsWith(`${SIM}/`)).toBe(true);
  expect(relayed[0].fromExtension.startsWith("chrome-extension:")).toBe(false);
});

test("a username is checked by the server through the relay", async () => {
  await route("#/username");
  await consolePage.getByTestId("username-input").fill("you");
  const server = consolePage.getByTestId("username-server-verdict");
  await expect(server).toHaveAttribute("data-exists", "1");
  await expect(consolePage.getByTestId("username-reconcile")).toContainText("already exists on the server");
  await consolePage.getByTestId("username-input").fill("freshname");
  await expect(server).toHaveAttribute("data-user", "freshname");
  await expect(server).toHaveAttribute("data-exists", "0");
  await fitsTheSidePanel();
});

test("a reply larger than one port message arrives whole, and one past the console's cap says it is too large", async () => {
  await route("#/username");
  const input = consolePage.getByTestId("username-input");
  try {
    // 9 MiB of valid JSON: more than one of the relay's parts; read whole, it decodes
    expect((await simPost("faults", { function: "validate_system_user", kind: "huge", size_bytes: 9 * 1024 * 1024, times: 1 })).ok).toBe(true);
    await input.fill("bigreply1");
    const server = consolePage.locator('[data-testid="username-server-verdict"][data-user="bigreply1"]');
    await expect(server).toBeVisible();
    await expect(consolePage.getByTestId("username-server").getByTestId("error-banner")).toHaveCount(0);
    // 100 MiB: past the console's 64 MiB cap; the relay stops reading and the console says so
    expect((await simPost("faults", { function: "validate_system_user", kind: "huge", times: 1 })).ok).toBe(true);
    await input.fill("bigreply2");
    const banner = consolePage.getByTestId("username-server").getByTestId("error-banner");
    await expect(banner).toHaveAttribute("data-kind", "too-large", { timeout: 30_000 });
    await expect(banner).toContainText("larger than");
  } finally {
    await fetch(`${SIM}/__sim/faults`, { method: "DELETE" });
  }
});

test("a redirect is not followed through the relay either", async () => {
  // (a request the browser really makes to the redirect's target is caught here and answered)
  const elsewhere = [];
  const catchIt = (route) => {
    elsewhere.push(route.request().url());
    return route.fulfill({ status: 200, contentType: "application/json", body: "{}" });
  };
  await context.route("http://127.0.0.1:9/**", catchIt);
  try {
    expect((await simPost("faults", { function: "validate_system_user", kind: "redirect", times: 1 })).ok).toBe(true);
    await route("#/username");
    await consolePage.getByTestId("username-input").fill("movedname");
    const banner = consolePage.getByTestId("username-server").getByTestId("error-banner");
    await expect(banner).toHaveAttribute("data-kind", "network");
    await expect(banner).toContainText("WHM answered with a redirect to another address, which the console does not follow");
    expect(elsewhere).toEqual([]);
  } finally {
    await context.unroute("http://127.0.0.1:9/**", catchIt);
    await fetch(`${SIM}/__sim/faults`, { method: "DELETE" });
  }
});

test("using another WHM tab while items are being queued asks first; declined, the run goes on through the same tab", async () => {
  expect((await simPost("faults", { function: "enqueue_transfer_item", kind: "delay", delay_ms: 3000, match: { user: "example" } })).ok).toBe(true);
  try {
    await route(`#/check/${DEMO}`);
    await queueAccountsOnly(consolePage);
    await queuePlan(consolePage, "example\nmailer\n");
    consolePage.once("dialog", (d) => d.accept()); // "Queue 2 items?"
    await consolePage.getByTestId("queue-submit").click();
    await expect(consolePage.getByTestId("queue-submit")).toHaveText("Queueing…");
    const questions = [];
    consolePage.once("dialog", async (d) => { questions.push(d.message()); await d.dismiss(); });
    await consolePage.getByTestId("whm-change").click();
    await expect.poll(() => questions.length).toBe(1);
    expect(questions[0]).toContain("still being queued");
    await expect(connection()).toHaveAttribute("data-state", "connected");
    await expect(consolePage.locator('[data-testid="queue-result"][data-ok="true"]')).toHaveCount(2);
    // once the run is over, nothing asks (an unexpected question would be dismissed and keep the tab)
    const unexpected = async (d) => { questions.push(d.message()); await d.dismiss(); };
    consolePage.on("dialog", unexpected);
    // something typed and not sent yet: picking the same WHM again keeps it, and the page
    await consolePage.getByTestId("session-id-input").fill("typednotloaded");
    await consolePage.getByTestId("whm-change").click();
    await expect(connection()).not.toHaveAttribute("data-state", "connected");
    consolePage.off("dialog", unexpected);
    expect(questions).toHaveLength(1);
    await consolePage.locator(`[data-testid="whm-tab"][data-origin="${SIM}"]`).click();
    await expect(connection()).toHaveAttribute("data-state", "connected");
    await expect(consolePage.getByTestId("session-id-input")).toHaveValue("typednotloaded");
    await expect(consolePage.locator('[data-testid="queue-result"][data-ok="true"]')).toHaveCount(2);
  } finally {
    // The next test queues the same accounts into a fresh session: the simulator's and this page's
    // memory of them both go (the page would otherwise show them queued).
    await simPost("reset", {});
    await route("#/");
    await consolePage.evaluate((key) => localStorage.removeItem(key), `whm-transfer-console.queue.${DEMO}`);
  }
});

test("queue from the check screen, start the session and follow its live tail through the relay", async () => {
  test.setTimeout(120_000);
  await route(`#/check/${DEMO}`);
  await consolePage.getByTestId("queue-text-toggle").click();
  const plan = consolePage.getByTestId("queue-plan");
  await expect(plan).toHaveValue(/^example$/m);
  await queuePlan(consolePage, "example\nmailer\n");
  await queueAccountsOnly(consolePage); // accounts only, no package items
  await expect(consolePage.getByTestId("queue-submit")).toHaveText("Queue 2 items");
  consolePage.once("dialog", (d) => d.accept());
  await consolePage.getByTestId("queue-submit").click();
  await expect(consolePage.locator('[data-testid="queue-result"][data-ok="true"]')).toHaveCount(2);

  const tails = [];
  context.on("request", (r) => { if (r.url().includes("/cgi/live_tail_log.cgi")) tails.push(r.url()); });
  await consolePage.getByTestId("open-session").click();
  await expect(consolePage).toHaveURL(new RegExp(`#/session/${DEMO}$`));
  const state = consolePage.getByTestId("session-state");
  await expect(state).toHaveAttribute("data-state", "PENDING");
  await consolePage.getByTestId("session-start").click();
  const results = consolePage.getByTestId("session-results");
  await expect(results).toHaveAttribute("data-live", "true", { timeout: 30_000 });
  await expect(results.getByTestId("item-row").first()).toBeVisible();
  await fitsTheSidePanel();
  await screenshot(consolePage, "extension-session-live-360");
  await expect(state).toHaveAttribute("data-state", "COMPLETED", { timeout: 60_000 });
  await expect(results).toHaveAttribute("data-live", "false");
  await expect(results.locator('[data-testid="session-item"][data-queue="RESTORE"]')).toHaveCount(2);
  expect(tails.length).toBeGreaterThan(0);
  expect(tails.every((u) => u.startsWith(`${SIM}/cpsess0123456789/cgi/live_tail_log.cgi?`))).toBe(true);
});

test("a WHM tab that leaves WHM is session-lost, and reconnects when it logs in again", async () => {
  await whmTab.goto(`${SIM}/__sim/health`);
  await expect(connection()).toHaveAttribute("data-state", "session-lost");
  await expect(connection()).toContainText("no longer logged in");
  // a call meanwhile: log in again in the WHM tab and try again; no reload (each call reads the tab's
  // token), and no login link (this page's own origin is the extension's)
  await route("#/");
  await route(`#/check/${DEMO}`);
  const banner = consolePage.getByTestId("error-banner");
  await expect(banner).toHaveAttribute("data-kind", "session-lost");
  await expect(banner).toContainText("in the WHM tab this console works through, then try again");
  await expect(banner).not.toContainText("reload");
  await expect(banner.getByRole("link", { name: "Open the WHM login" })).toHaveCount(0);
  await whmTab.goto(`${SIM}/`);
  await expect(whmTab).toHaveURL(/\/cpsess\d{10}\//);
  await expect(connection()).toHaveAttribute("data-state", "connected");
});

test("closing the WHM tab shows tab-closed, and a call then says so", async () => {
  await whmTab.close();
  await expect(connection()).toHaveAttribute("data-state", "tab-closed");
  await expect(connection()).toContainText("was closed");
  await expect(connection()).toContainText("Open WHM again");
  await route("#/");
  await route(`#/check/${DEMO}`);
  await expect(consolePage.getByTestId("error-banner")).toHaveAttribute("data-kind", "tab-closed");
  await screenshot(consolePage, "extension-tab-closed-360");
});

test("the extension stores no token, cookie or secret", async () => {
  const cookies = await context.cookies(SIM);
  const session = cookies.find((c) => c.name === "whostmgrsession");
  expect(session, "the simulator set WHM's session cookie").toBeTruthy();
  const stored = await consolePage.evaluate(async () => ({
    local: await chrome.storage.local.get(null),
    session: await chrome.storage.session.get(null),
    sync: await chrome.storage.sync.get(null),
    localStorage: { ...localStorage },
    sessionStorage: { ...sessionStorage },
  }));
  expect(stored.local.whmOrigin, "the picked WHM origin is kept as a preference").toBe(SIM);
  const text = JSON.stringify(stored);
  expect(text).toContain(DEMO); // session ids are remembered, and that is all
  for (const secret of ["cpsess", "0123456789", session.value, "whostmgrsession", "luggage", "password"]) {
    expect(text).not.toContain(secret);
  }
  expect(problems).toEqual([]);
});
