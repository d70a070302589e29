// The history of sessions (#/sessions) against whm-sim: kept across reloads, refreshed from WHM a few
// at a time, purged sessions marked as gone; the older list of ids is migrated.
const { test, expect } = require("./fixtures"); // with the leak sweep
const { base, openApp, resetSim, screenshot, setFault, forbidDialogsAndErrors } = require("./helpers");
const { SESSIONS, TOKEN } = require("./scenarios");

const DEMO = SESSIONS.demo;

test.beforeEach(async ({ request }) => resetSim(request, "demo"));
test.afterEach(async ({ request }) => resetSim(request, "demo"));

/** Creates a session from #/new the way an admin does; returns its id. */
async function createSession(page) {
  await page.evaluate(() => { window.location.hash = "#/new"; });
  await page.getByTestId("create-host").fill("remote.example.com");
  await page.getByTestId("create-password").fill("luggage12345");
  await page.getByTestId("create-submit").click();
  await expect(page).toHaveURL(/#\/check\/remoteexamplecopya\d{14}[0-9A-Za-z]+$/);
  await expect(page.getByTestId("analysis-summary")).toBeVisible();
  return decodeURIComponent(new URL(page.url()).hash.replace("#/check/", ""));
}

/** Counts the state reads the page sends, and the most in flight at once. */
function watchStateReads(page) {
  const seen = { total: 0, inFlight: 0, maxInFlight: 0, ids: [] };
  const isRead = (r) => r.url().includes("/json-api/get_transfer_session_state");
  page.on("request", (r) => {
    if (!isRead(r)) return;
    seen.total += 1;
    seen.inFlight += 1;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    seen.ids.push(new URLSearchParams(r.postData() || "").get("transfer_session_id"));
  });
  // Counted as answered at its response headers: "requestfinished" can reach the test after the page
  // has already sent the next read in answer to it, which would count one read too many in flight.
  const answered = new Set();
  const done = (r) => { if (isRead(r) && !answered.has(r)) { answered.add(r); seen.inFlight -= 1; } };
  page.on("response", (res) => done(res.request()));
  page.on("requestfinished", done);
  page.on("requestfailed", done);
  return seen;
}

test("the history lists the sessions created and opened here, with their states, after a reload", async ({ page }) => {
  const problems = forbidDialogsAndErrors(page);
  await openApp(page, "demo", "#/");
  await page.evaluate(() => window.localStorage.clear());
  const first = await createSession(page);
  const second = await createSession(page);
  expect(second).not.toBe(first);
  await page.evaluate((id) => { window.location.hash = `#/check/${id}`; }, DEMO);
  // this session's own analysis, not the previous one still on screen while it loads
  await expect(page.getByTestId("analysis-summary").locator("h2 code")).toHaveText(DEMO);

  // Aborting a never-started session leaves it FAILED (§3.12): a state the history must pick up.
  const r = await page.request.post(`${base("demo")}${TOKEN}/json-api/abort_transfer_session`, {
    form: { "api.version": "1", transfer_session_id: second },
  });
  expect(String((await r.json()).metadata.result)).toBe("1");

  await page.reload();
  await page.evaluate(() => { window.location.hash = "#/sessions"; });
  const rows = page.getByTestId("history-row");
  await expect(rows).toHaveCount(3);
  // newest first, nothing read yet
  await expect(rows.nth(0)).toHaveAttribute("data-session", DEMO);
  await expect(rows.nth(1)).toHaveAttribute("data-session", second);
  await expect(rows.nth(2)).toHaveAttribute("data-session", first);
  await expect(rows.nth(0)).toContainText("2014-02-06 19:24:28"); // created, read from the id

  const reads = watchStateReads(page);
  await page.getByTestId("history-refresh").click();
  await expect(page.locator(`[data-testid=history-row][data-session="${DEMO}"]`)).toHaveAttribute("data-state", "PENDING");
  await expect(page.locator(`[data-testid=history-row][data-session="${second}"]`)).toHaveAttribute("data-state", "FAILED");
  await expect(page.locator(`[data-testid=history-row][data-session="${first}"]`)).toHaveAttribute("data-state", "PENDING");
  await expect(page.getByTestId("history-refresh")).toBeEnabled();
  expect(reads.total).toBe(3);
  expect([...reads.ids].sort()).toEqual([DEMO, first, second].sort());

  // What was read is kept: after another reload the states are there before any call.
  await page.reload();
  await expect(page.getByTestId("history-row")).toHaveCount(3);
  await expect(page.locator(`[data-testid=history-row][data-session="${second}"]`)).toHaveAttribute("data-state", "FAILED");
  await expect(page.locator(`[data-testid=history-row][data-session="${second}"]`)).toContainText("seen");
  const stored = await page.evaluate(() => window.localStorage.getItem("whm-transfer-console.history"));
  expect(stored).not.toContain("luggage"); // nothing secret is stored
  expect(JSON.parse(stored).version).toBe(1);

  // Forget one; it stays forgotten after a reload.
  await page.locator(`[data-testid=history-row][data-session="${first}"] [data-testid=history-forget]`).click();
  await expect(page.getByTestId("history-row")).toHaveCount(2);
  await page.reload();
  await expect(page.getByTestId("history-row")).toHaveCount(2);
  // The start page's recent list points to the history.
  await page.evaluate(() => { window.location.hash = "#/"; });
  await expect(page.getByTestId("recent-session").first()).toHaveAttribute("data-id", DEMO);
  await page.getByTestId("history-link").click();
  await expect(page).toHaveURL(/#\/sessions$/);
  await screenshot(page, "history");
  expect(problems).toEqual([]);
});

test("sessions WHM no longer has are marked gone, not errors; the older id list is migrated; three reads at a time", async ({ page, request }) => {
  const problems = forbidDialogsAndErrors(page);
  const missing = [
    "purgedhostcopya20200101000000AAAA",
    "purgedhostcopya20200102000000BBBB",
    "purgedhostnoroo20200103000000CCCC",
    "neverhere_1",
  ];
  await openApp(page, "demo", "#/");
  // What an older console stored: one id per line.
  await page.evaluate(([ids]) => {
    window.localStorage.clear();
    window.localStorage.setItem("whm-transfer-console.sessions", ids.join("\n"));
  }, [[...missing, DEMO]]);
  await page.reload();
  await page.evaluate(() => { window.location.hash = "#/sessions"; });
  const rows = page.getByTestId("history-row");
  await expect(rows).toHaveCount(5);
  await expect(rows.nth(0)).toHaveAttribute("data-state", "UNKNOWN");

  // Slow answers, so that more than three in flight would show.
  await setFault(request, "demo", { function: "get_transfer_session_state", kind: "delay", delay_ms: 700 });
  const reads = watchStateReads(page);
  await page.getByTestId("history-refresh").click();
  for (const id of missing) {
    await expect(page.locator(`[data-testid=history-row][data-session="${id}"]`)).toHaveAttribute("data-state", "GONE");
  }
  await expect(page.locator(`[data-testid=history-row][data-session="${DEMO}"]`)).toHaveAttribute("data-state", "PENDING");
  await expect(page.getByTestId("history-refresh")).toBeEnabled();
  expect(reads.total).toBe(5);
  expect(reads.maxInFlight).toBeLessThanOrEqual(3);
  expect(reads.maxInFlight).toBeGreaterThan(1); // a few at a time, not one by one
  await expect(page.getByTestId("error-banner")).toHaveCount(0);
  await expect(page.getByTestId("history-row-error")).toHaveCount(0);
  await expect(page.getByTestId("history-status")).toContainText("4 sessions are no longer on this server");
  // a gone session offers no check/run links
  await expect(page.locator(`[data-testid=history-row][data-session="${missing[0]}"] a`)).toHaveCount(0);

  // Migrated: the new document holds what was learned, the older list is gone.
  const [doc, legacy] = await page.evaluate(() => [
    window.localStorage.getItem("whm-transfer-console.history"),
    window.localStorage.getItem("whm-transfer-console.sessions"),
  ]);
  expect(legacy).toBeNull();
  const sessions = JSON.parse(doc).sessions;
  expect(sessions.map((s) => s.id)).toEqual([...missing, DEMO]);
  expect(sessions.filter((s) => s.state === "GONE")).toHaveLength(4);
  await page.reload();
  await expect(page.locator(`[data-testid=history-row][data-session="${missing[0]}"]`)).toHaveAttribute("data-state", "GONE");

  // Export: a JSON file with every session.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("history-export").click()]);
  expect(download.suggestedFilename()).toBe("transfer-sessions.json");
  const fs = require("fs");
  const exported = JSON.parse(fs.readFileSync(await download.path(), "utf8"));
  expect(exported.sessions).toHaveLength(5);
  expect(exported.sessions.find((s) => s.id === DEMO).created).toBe("2014-02-06 19:24:28");
  expect(problems).toEqual([]);
});

test("a stored history that does not parse is kept aside before the page writes over it", async ({ page }) => {
  await openApp(page, "demo", "#/");
  const damaged = `{"version":1,"sessions":[{"id":"${DEMO}","host":"remote.example.com","state":"COMPLETED"},{"id":"other_1"`;
  await page.evaluate((text) => {
    window.localStorage.clear();
    window.localStorage.setItem("whm-transfer-console.history", text);
  }, damaged);
  await page.reload();
  await expect(page.getByTestId("connection")).toHaveAttribute("data-connected", "true");
  // opening a session writes the history: the damaged text is kept, once, under its own key
  await page.evaluate((id) => { window.location.hash = `#/check/${id}`; }, DEMO);
  await expect(page.getByTestId("analysis-summary")).toBeVisible();
  const [doc, kept] = await page.evaluate(() => [
    window.localStorage.getItem("whm-transfer-console.history"),
    window.localStorage.getItem("whm-transfer-console.history.damaged"),
  ]);
  expect(kept).toBe(damaged);
  expect(JSON.parse(doc).sessions.map((s) => s.id)).toEqual([DEMO]);
});
