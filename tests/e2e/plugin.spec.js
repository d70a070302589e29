// The installable WHM plugin, served the way cpsrvd serves it. The archive (make plugin) is installed with its own
// install.sh into a temporary root (stand-in register_appconfig, scripts/plugin-test-root.sh); whm-sim serves that
// root's whostmgr/docroot/cgi/ (index.cgi run as a CGI, .wasm as application/octet-stream, nosniff and
// X-Frame-Options on every reply) with WHM's referrer and blank-referrer checks on. The console is opened through
// index.cgi, loads an analysis, checks a username, and the CSP holds. boot.js's error page is tested here too.
const { test, expect } = require("./fixtures"); // with the leak sweep
const { spawn, execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { ROOT, screenshot } = require("./helpers");
const { TOKEN, SESSIONS } = require("./scenarios");

const PORT = 28111;
const BASE = `http://127.0.0.1:${PORT}`;
const ENTRY = `${TOKEN}/cgi/transfer_console/index.cgi`;
const TARBALL = path.join(ROOT, "target", "whm-transfer-console-plugin.tar.gz");
const SIM = path.join(ROOT, "target", "release", "whm-sim");
const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";
const DEMO = SESSIONS.demo;
// With the referrer checks on, WHM's login lands on the entry with `?login=1&post_login=N` (whm-sim's README).
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const AT_ENTRY = new RegExp(`^${escape(BASE + ENTRY)}(\\?.*)?$`);

let tmp;
let sim;
let simStderr = "";

async function simulatorUp() {
  for (;;) {
    if (sim.exitCode !== null) throw new Error(`whm-sim exited with ${sim.exitCode}: ${simStderr}`);
    try {
      const r = await fetch(`${BASE}/__sim/health`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(60_000);
  if (!fs.existsSync(TARBALL)) throw new Error(`${TARBALL} is missing: run 'make plugin'`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plugin-e2e-"));
  execFileSync("tar", ["-xzf", TARBALL, "-C", tmp]);
  const fake = path.join(tmp, "fake");
  const root = path.join(fake, "root");
  execFileSync("bash", [path.join(ROOT, "scripts", "plugin-test-root.sh"), fake]);
  // As root (the fake `id` says 0), the way an admin runs it; the stand-in register_appconfig checks the keys.
  execFileSync("sh", [path.join(tmp, "whm-transfer-console-plugin", "install.sh")], {
    env: { ...process.env, PREFIX: root, PATH: `${path.join(fake, "bin")}:${process.env.PATH}` },
    stdio: "pipe",
  });
  expect(fs.readFileSync(path.join(fake, "calls.log"), "utf8")).toMatch(/^register .*transfer_console\.conf\n$/);
  fs.mkdirSync(path.join(ROOT, "target", "e2e"), { recursive: true });
  sim = spawn(
    SIM,
    ["--install-root", root, "--referrer-safety", "--blank-referrer-safety", "--scenario", "demo",
      "--token", "0123456789", "--port", String(PORT), "--access-log", path.join(ROOT, "target", "e2e", "access-plugin.log")],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  sim.stderr.on("data", (d) => { simStderr += d; });
  await simulatorUp();
});

test.afterAll(async () => {
  if (sim && sim.exitCode === null && sim.signalCode === null) {
    const exited = new Promise((resolve) => sim.once("exit", resolve));
    sim.kill("SIGTERM");
    await exited;
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Collects CSP violations from the first script on (an init script is not subject to the page's CSP). */
async function recordCspViolations(page) {
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
}

test("WHM's menu link opens the console through index.cgi; every call passes both referrer checks; the CSP holds", async ({ page }) => {
  await recordCspViolations(page);
  const consoleProblems = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") consoleProblems.push(`${m.type()}: ${m.text()}`); });
  page.on("pageerror", (e) => consoleProblems.push(`pageerror: ${e.message}`));
  const responses = [];
  page.on("response", (r) => responses.push(r));

  // Logging in lands on the plugin's entry, as WHM's menu link does.
  const entry = page.waitForResponse((r) => new URL(r.url()).pathname === ENTRY);
  await page.goto(`${BASE}/`);
  await expect(page).toHaveURL(AT_ENTRY);
  const headers = (await entry).headers();
  expect(headers["content-type"]).toBe("text/html; charset=utf-8");
  expect(headers["content-security-policy"]).toBe(CSP);
  expect(headers["referrer-policy"]).toBe("same-origin");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-connected", "true");

  // The module came the way cpsrvd sends it, under its hashed name, and still loaded (no console warning either).
  const wasm = responses.find((r) => r.url().endsWith(".wasm"));
  expect(wasm, "the wasm was fetched").toBeTruthy();
  expect(new URL(wasm.url()).pathname).toMatch(/^\/cpsess\d{10}\/cgi\/transfer_console\/whm-transfer-console_bg-[0-9a-f]{16}\.wasm$/);
  expect(wasm.headers()["content-type"]).toBe("application/octet-stream");
  expect(wasm.headers()["x-content-type-options"]).toBe("nosniff");

  // The check screen's contract holds.
  await page.evaluate((h) => { window.location.hash = h; }, `#/check/${DEMO}`);
  await expect(page.getByTestId("analysis-summary")).toContainText(DEMO);
  await expect(page.getByTestId("summary-accounts")).toHaveText("11");
  await expect(page.locator('[data-testid="finding"][data-kind="user-exists"][data-subject="you"]')).toHaveAttribute("data-severity", "error");
  await expect(page.getByTestId("account-row")).toHaveCount(11);
  await screenshot(page, "plugin-check");

  // A username, with the server's verdict (validate_system_user) beside the local one.
  await page.evaluate(() => { window.location.hash = "#/username"; });
  await page.getByTestId("username-input").fill("freshname");
  await expect(page.getByTestId("username-local-verdict")).toHaveAttribute("data-valid", "true");
  const server = page.getByTestId("username-server-verdict");
  await expect(server).toHaveAttribute("data-user", "freshname");
  await expect(server).toHaveAttribute("data-exists", "0");
  await expect(server).toHaveAttribute("data-valid-for-transfer", "1");

  // Every WHM call went to WHM itself with the page as its Referer, and none was refused.
  const calls = responses.filter((r) => r.url().includes("/json-api/"));
  expect(calls.map((r) => new URL(r.url()).pathname)).toEqual(
    expect.arrayContaining([`${TOKEN}/json-api/retrieve_transfer_session_remote_analysis`, `${TOKEN}/json-api/validate_system_user`]),
  );
  for (const r of calls) {
    const referer = (await r.request().allHeaders())["referer"] || "(none)";
    expect(`${r.status()} ${referer}`, r.url()).toMatch(new RegExp(`^200 ${AT_ENTRY.source.slice(1)}`));
  }

  expect(await page.evaluate(() => window.__cspViolations)).toEqual([]);
  expect(consoleProblems).toEqual([]);

  // The policy is enforced: an injected inline script does not run, and is reported as a violation.
  const ran = await page.evaluate(() => {
    const s = document.createElement("script");
    s.textContent = "window.__inlineRan = true;";
    document.body.append(s);
    return window.__inlineRan === true;
  });
  expect(ran).toBe(false);
  // Reported once per policy in force: the header's (index.cgi) and the page's meta tag.
  const inline = expect.stringMatching(/^script-src(-elem)? inline$/);
  await expect.poll(() => page.evaluate(() => window.__cspViolations)).toEqual([inline, inline]);
});

// boot.js: when the app cannot be loaded, the page says why instead of staying blank.
const BROKEN = [
  {
    what: "the wasm is missing (HTTP 404)",
    pattern: "**/whm-transfer-console_bg-*.wasm",
    reply: { status: 404, contentType: "text/plain", body: "Not Found" },
    stage: "fetch",
    text: /HTTP 404 for whm-transfer-console_bg-[0-9a-f]{16}\.wasm\. The installed files are incomplete: install the plugin again\./,
  },
  {
    what: "the session ended and WHM answers with its login page",
    pattern: "**/whm-transfer-console_bg-*.wasm",
    reply: { status: 200, contentType: "text/html", body: "<!doctype html><title>WHM Login</title>" },
    stage: "compile",
    text: /is not a WebAssembly module .*text\/html.*log in again/,
  },
  {
    what: "the wasm is damaged",
    pattern: "**/whm-transfer-console_bg-*.wasm",
    reply: { status: 200, contentType: "application/octet-stream", body: Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0xff, 0xff]) },
    stage: "compile",
    text: /install the plugin again/,
  },
  {
    what: "the app's script is missing",
    pattern: "**/whm-transfer-console-*.js",
    reply: { status: 404, contentType: "text/plain", body: "Not Found" },
    stage: "script",
    text: /whm-transfer-console-[0-9a-f]{16}\.js could not be loaded/,
  },
];

for (const c of BROKEN) {
  test(`boot: ${c.what} → a readable error, not a blank page`, async ({ page }) => {
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.route(c.pattern, (route) => route.fulfill(c.reply));
    await page.goto(`${BASE}/`);
    await expect(page).toHaveURL(AT_ENTRY);
    const error = page.getByTestId("boot-error");
    await expect(error).toBeVisible();
    await expect(error).toHaveAttribute("data-stage", c.stage);
    await expect(error).toHaveAttribute("role", "alert");
    await expect(error.getByRole("heading")).toHaveText("The Transfer Console could not start");
    await expect(error).toContainText(c.text);
    await expect(page.getByTestId("connection")).toHaveCount(0);
    expect(pageErrors).toEqual([]);
  });
}
