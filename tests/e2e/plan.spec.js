// The plan on #/new against whm-sim: the modules this server offers, in the order WHM runs them, and the
// guide's prerequisites; the two kinds of session (root, cPanel user); a cPanel-user session created
// with the account's own password, which travels only in the POST body, opens on the check page and is
// remembered in the history as a user session.
const { test, expect } = require("./fixtures"); // with the leak sweep
const { base, openApp, resetSim, setFault, screenshot, forbidDialogsAndErrors, accessLog } = require("./helpers");

// The demo scenario's documented cPanel account on remote.example.com (sim/README.md).
const CPANEL_USER = "example";
const CPANEL_PASSWORD = "suitcase12345";

test.beforeEach(async ({ request }) => resetSim(request, "demo"));
test.afterEach(async ({ request }) => resetSim(request, "demo"));

const rows = (page) => page.getByTestId("module-row");
const row = (page, name) => page.locator(`[data-testid="module-row"][data-module="${name}"]`);
const mode = (page, value) => page.locator(`[data-testid="create-mode"][value="${value}"]`);

async function calls(request, fn) {
  const r = await request.get(`${base("demo")}/__sim/calls`);
  return (await r.json())[fn] || 0;
}

test("#/new lists the modules this server offers in priority order, each explained, and the prerequisites", async ({ page }) => {
  const problems = forbidDialogsAndErrors(page);
  await openApp(page, "demo", "#/new");
  await expect(rows(page)).toHaveCount(19);
  const order = await rows(page).evaluateAll((trs) =>
    trs.map((tr) => ({ module: tr.dataset.module, priority: Number(tr.dataset.priority), text: tr.textContent })));
  expect(order[0].module).toBe("FeatureListRemoteRoot");
  const at = (m) => order.findIndex((r) => r.module === m);
  expect(at("PackageRemoteRoot")).toBeLessThan(at("AccountRemoteRoot"));
  expect(at("AccountRemoteRoot")).toBeLessThan(at("AccountRemoteUser"));
  for (let i = 1; i < order.length; i++) expect(order[i].priority).toBeGreaterThanOrEqual(order[i - 1].priority);
  await expect(row(page, "AccountRemoteUser")).toContainText("own cPanel password");
  await expect(row(page, "PackageRemoteRoot")).toContainText("before the accounts that use it");
  for (const r of order) expect(r.text).not.toContain("no description"); // every v120 module is explained
  await expect(page.getByTestId("plan").locator("summary")).toContainText("19 modules");

  const checklist = page.getByTestId("prerequisite");
  await expect(checklist).toHaveCount(3);
  await expect(page.locator('[data-testid="prerequisite"][data-id="ports"]')).toContainText("2087 (WHM) and 22 (SSH)");
  await expect(page.locator('[data-testid="prerequisite"][data-id="no-update"]')).toContainText("upcp");
  await expect(page.locator('[data-testid="prerequisite"][data-id="login"]')).toContainText("su or sudo");
  // the checklist follows the SSH port typed in the root form
  await page.getByTestId("create-port").fill("2222");
  await page.getByTestId("create-port").blur();
  await expect(page.locator('[data-testid="prerequisite"][data-id="ports"]')).toContainText("2087 (WHM) and 2222 (SSH)");
  await screenshot(page, "plan-new-root");
  expect(problems).toEqual([]);
});

test("a failed modules read shows the error banner and Try again reads them", async ({ page, request }) => {
  await setFault(request, "demo", { function: "available_transfer_modules", kind: "http502", times: 1 });
  await openApp(page, "demo", "#/new");
  const banner = page.getByTestId("plan").getByTestId("error-banner");
  await expect(banner).toContainText("Reading the transfer modules");
  await expect(rows(page)).toHaveCount(0);
  // the create form stays usable meanwhile
  await expect(page.getByTestId("create-submit")).toBeEnabled();
  await banner.getByRole("button", { name: "Try again" }).click();
  await expect(rows(page)).toHaveCount(19);
  await expect(banner).toHaveCount(0);
  expect(await calls(request, "available_transfer_modules")).toBe(2);
});

test("switching the kind of session to cPanel user shows the user form and hides the root one", async ({ page }) => {
  const problems = forbidDialogsAndErrors(page);
  await openApp(page, "demo", "#/new");
  await expect(mode(page, "root")).toBeChecked();
  await expect(mode(page, "user")).not.toBeChecked();
  await expect(page.getByTestId("create-root-form")).toBeVisible();
  await expect(page.getByTestId("create-user-form")).toHaveCount(0);
  await page.getByTestId("create-host").fill("remote.example.com");
  await page.getByTestId("create-host").blur();
  await expect(rows(page)).toHaveCount(19);

  await mode(page, "user").check();
  await expect(page.getByTestId("create-user-form")).toBeVisible();
  await expect(page.getByTestId("create-root-form")).toHaveCount(0);
  await expect(page.getByTestId("create-host")).toHaveCount(0);
  await expect(page.getByTestId("create-submit")).toHaveCount(0);
  await expect(page.getByTestId("create-cpanel_host")).toHaveValue("remote.example.com"); // one source host
  await expect(page.getByTestId("create-cpanel_user")).toBeVisible();
  await expect(page.getByTestId("create-cpanel_password")).toHaveAttribute("type", "password");
  // what a user session can queue, and what it needs
  await expect(row(page, "AccountRemoteUser")).toHaveAttribute("data-usable", "true");
  await expect(row(page, "AccountRemoteRoot")).toHaveAttribute("data-usable", "false");
  await expect(page.locator('[data-testid="prerequisite"][data-id="login"]')).toContainText("cPanel username and password");
  await screenshot(page, "plan-new-user");

  // at the extension's side-panel width nothing widens the page
  await page.setViewportSize({ width: 360, height: 800 });
  await expect(page.getByTestId("create-user-form")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await screenshot(page, "plan-new-user-narrow");
  await page.setViewportSize({ width: 1360, height: 900 });

  await mode(page, "root").check();
  await expect(page.getByTestId("create-root-form")).toBeVisible();
  await expect(page.getByTestId("create-user-form")).toHaveCount(0);
  await expect(page.getByTestId("create-host")).toHaveValue("remote.example.com");
  expect(problems).toEqual([]);
});

test("a cPanel-user session: checked first, the password only in the POST body, opens on the check page, listed as a user session", async ({ page, request }) => {
  const problems = forbidDialogsAndErrors(page);
  await openApp(page, "demo", "#/new");
  await page.evaluate(() => window.localStorage.clear());
  const sent = [];
  page.on("request", (r) => {
    if (r.url().includes("/json-api/create_remote_user_transfer_session")) sent.push({ url: r.url(), method: r.method(), body: r.postData() || "" });
  });
  await mode(page, "user").check();

  // nothing is sent while the form is incomplete
  await page.getByTestId("create-cpanel-submit").click();
  await expect(page.getByTestId("create-error-cpanel_host")).toBeVisible();
  await expect(page.getByTestId("create-error-cpanel_user")).toBeVisible();
  await expect(page.getByTestId("create-error-cpanel_password")).toBeVisible();
  await page.getByTestId("create-cpanel_user").fill("Example");
  await page.getByTestId("create-cpanel_user").blur();
  await page.getByTestId("create-cpanel-submit").click();
  await expect(page.getByTestId("create-error-cpanel_user")).toContainText("lower case");
  expect(await calls(request, "create_remote_user_transfer_session")).toBe(0);

  await page.getByTestId("create-cpanel_host").fill("remote.example.com");
  await page.getByTestId("create-cpanel_user").fill(CPANEL_USER);
  await page.getByTestId("create-cpanel_password").fill(CPANEL_PASSWORD);
  await page.getByTestId("create-cpanel-submit").click();
  await expect(page).toHaveURL(/#\/check\/remoteexamplenoroo\d{14}[0-9A-Za-z]+$/);
  const id = decodeURIComponent(new URL(page.url()).hash.replace("#/check/", ""));

  // exactly one call: a POST whose URL carries nothing, the password in its body only
  expect(sent).toHaveLength(1);
  expect(sent[0].method).toBe("POST");
  expect(sent[0].url).not.toContain("?");
  expect(sent[0].url).not.toContain(CPANEL_PASSWORD);
  const body = new URLSearchParams(sent[0].body);
  expect(body.get("password")).toBe(CPANEL_PASSWORD);
  expect(body.get("host")).toBe("remote.example.com");
  expect(body.get("unrestricted_restore")).toBe("1");
  expect(body.has("user")).toBe(false); // §3.3: the call has no user parameter
  // …and that is what WHM received
  const captured = (await (await request.get(`${base("demo")}/__sim/requests?function=create_remote_user_transfer_session`)).json()).requests;
  expect(captured).toHaveLength(1);
  expect(captured[0].method).toBe("POST");
  expect(captured[0].query).toEqual({});
  expect(captured[0].body.password).toBe("********"); // present in the body (redacted by the simulator)
  expect(captured[0].body.unrestricted_restore).toBe("1");
  const log = accessLog("demo").filter((l) => l.includes("create_remote_user_transfer_session") && !l.includes("/__sim/"));
  expect(log.length).toBeGreaterThan(0);
  for (const line of log) {
    expect(line).not.toContain(CPANEL_PASSWORD);
    expect(line).not.toContain("?");
  }
  // the session exists on WHM as a user session
  const sessions = (await (await request.get(`${base("demo")}/__sim/sessions`)).json()).sessions;
  expect(sessions.find((s) => s.transfer_session_id === id)?.initiator).toBe("norootcopy");

  // the history: a cPanel-user session for "example", never its password
  await page.evaluate(() => { window.location.hash = "#/sessions"; });
  const entry = page.locator(`[data-testid="history-row"][data-session="${id}"]`);
  await expect(entry).toHaveAttribute("data-kind", "user");
  await expect(entry.getByTestId("history-kind")).toContainText(`cPanel user session · ${CPANEL_USER}`);
  await expect(entry).toContainText("remote.example.com");
  const stored = await page.evaluate(() => JSON.stringify(window.localStorage));
  expect(stored).toContain(CPANEL_USER);
  expect(stored).not.toContain(CPANEL_PASSWORD);
  await screenshot(page, "plan-history-user");

  // back on #/new: a fresh user form, the password gone
  await page.evaluate(() => { window.location.hash = "#/new"; });
  await expect(mode(page, "user")).toBeChecked();
  await expect(page.getByTestId("create-cpanel_password")).toHaveValue("");
  expect(problems).toEqual([]);
});

test("a user-session create that may have succeeded says so, keeps the fields and offers no retry", async ({ page, request }) => {
  await openApp(page, "demo", "#/new");
  await setFault(request, "demo", { function: "create_remote_user_transfer_session", kind: "truncated", times: 1 });
  await mode(page, "user").check();
  await page.getByTestId("create-cpanel_host").fill("remote.example.com");
  await page.getByTestId("create-cpanel_user").fill(CPANEL_USER);
  await page.getByTestId("create-cpanel_password").fill(CPANEL_PASSWORD);
  await page.getByTestId("create-cpanel-submit").click();
  const banner = page.getByTestId("error-banner");
  await expect(banner).toHaveAttribute("data-kind", "malformed");
  await expect(banner).toContainText("may have been created anyway");
  await expect(banner.getByRole("button", { name: "Try again" })).toHaveCount(0);
  await expect(page.getByTestId("create-cpanel_user")).toHaveValue(CPANEL_USER);
  await expect(page.getByTestId("create-cpanel_password")).toHaveValue(CPANEL_PASSWORD);
  await expect(page.getByTestId("create-cpanel-submit")).toBeEnabled();
  expect(await calls(request, "create_remote_user_transfer_session")).toBe(1);
});
