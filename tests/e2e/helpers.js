const fs = require("fs");
const path = require("path");
const { expect } = require("@playwright/test");
const { SCENARIOS } = require("./scenarios");

const ROOT = path.resolve(__dirname, "..", "..");
const SHOTS = path.join(ROOT, "target", "screenshots");

function base(scenario) {
  return `http://127.0.0.1:${SCENARIOS[scenario]}`;
}

/** Logs in like an admin (GET / sets the WHM cookie and redirects to the app), then opens `hash`. */
async function openApp(page, scenario, hash = "#/") {
  await page.goto(`${base(scenario)}/`);
  await expect(page).toHaveURL(/\/cpsess\d{10}\/cgi\/transfer_console\//);
  if (hash && hash !== "#/") {
    await page.evaluate((h) => { window.location.hash = h; }, hash);
  }
  await expect(page.getByTestId("connection")).toHaveAttribute("data-connected", "true");
}

/** Controls the simulator's fault injection. */
async function setFault(request, scenario, fault) {
  const r = await request.post(`${base(scenario)}/__sim/faults`, { data: fault });
  expect(r.ok(), `fault ${JSON.stringify(fault)} accepted`).toBeTruthy();
}
async function clearFaults(request, scenario) {
  await request.delete(`${base(scenario)}/__sim/faults`);
}
async function resetSim(request, scenario) {
  await clearFaults(request, scenario);
  await request.post(`${base(scenario)}/__sim/reset`, { data: {} }); // JSON: the simulator refuses cross-site-able posts
}

async function screenshot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  // A full-page shot holds what is off screen too: the check page's panels skip rendering there
  // (content-visibility: auto), which would show them blank. For the picture only, they render (a
  // constructed style sheet: the page's CSP refuses inline styles).
  const show = (on) => page.evaluate((on) => {
    if (on) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(".panel { content-visibility: visible !important; }");
      window.__shotSheet = sheet;
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    } else {
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== window.__shotSheet);
    }
  }, on);
  await show(true);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  await show(false);
}

/** Fails the test on any JavaScript dialog or page error (e.g. an injected script running). */
function forbidDialogsAndErrors(page) {
  const problems = [];
  page.on("dialog", async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" && /panicked|RuntimeError|unreachable|Content Security Policy/.test(m.text())) problems.push(m.text()); });
  return problems;
}

/** The simulator's call counts per function (`GET /__sim/calls`): every request it received for each. */
async function simCalls(request, scenario) {
  const r = await request.get(`${base(scenario)}/__sim/calls`);
  expect(r.ok()).toBeTruthy();
  return r.json();
}

/** The captured requests of one json-api function, oldest first (`GET /__sim/requests`). */
async function simRequests(request, scenario, fn) {
  const r = await request.get(`${base(scenario)}/__sim/requests?function=${encodeURIComponent(fn)}`);
  expect(r.ok()).toBeTruthy();
  return (await r.json()).requests;
}

function accessLog(scenario) {
  const file = path.join(ROOT, "target", "e2e", `access-${scenario}.log`);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

/** Sets the queue selection through the queue table's text view (`user` or `user newname` per line). */
async function queuePlan(page, text) {
  const toggle = page.getByTestId("queue-text-toggle");
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  await page.getByTestId("queue-plan").fill(text);
  await page.getByTestId("queue-text-apply").click();
}

/** Leaves packages, feature lists and configuration modules out of the queue (accounts only). */
async function queueAccountsOnly(page) {
  await expect(page.getByTestId("queue-row").first()).toBeVisible(); // the analysis and its table are on screen
  for (const pick of await page.getByTestId("queue-pick").all()) {
    if (await pick.isChecked()) await pick.uncheck();
  }
}

module.exports = { queuePlan, queueAccountsOnly, base, openApp, setFault, clearFaults, resetSim, screenshot, forbidDialogsAndErrors, accessLog, simCalls, simRequests, ROOT };
