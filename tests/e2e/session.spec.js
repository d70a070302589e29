// Running a session against whm-sim: start, follow the state, read item outcomes; abort and pause quirks.
const { test, expect } = require("./fixtures"); // with the leak sweep
const { base, openApp, resetSim, screenshot, setFault, queuePlan, queueAccountsOnly } = require("./helpers");
const { SESSIONS, TOKEN } = require("./scenarios");

const DEMO = SESSIONS.demo;

test.beforeEach(async ({ request }) => resetSim(request, "demo"));
test.afterEach(async ({ request }) => resetSim(request, "demo"));

/** Queues items the way the queue step will (the test drives WHM API 1 directly with the page's login). */
async function enqueue(page, user, localuser, scenario = "demo") {
  const r = await page.request.post(`${base(scenario)}${TOKEN}/json-api/enqueue_transfer_item`, {
    form: {
      "api.version": "1", transfer_session_id: DEMO, module: "AccountRemoteRoot",
      user, localuser, size: "1048576", skipres: "1",
    },
  });
  const body = await r.json();
  expect(String(body.metadata.result), body.metadata.reason).toBe("1");
}

test("start a session, follow it to the end and read each item's outcome", async ({ page }) => {
  await openApp(page, "demo", `#/check/${DEMO}`);
  await enqueue(page, "example", "example");
  await enqueue(page, "you", "you"); // exists here: its restore fails
  await page.getByTestId("open-session").click();
  await expect(page).toHaveURL(new RegExp(`#/session/${DEMO}$`));
  const state = page.getByTestId("session-state");
  await expect(state).toHaveAttribute("data-state", "PENDING");
  await page.getByTestId("session-start").click();
  await expect(state).toHaveAttribute("data-state", "COMPLETED", { timeout: 30_000 });
  const item = (queue, user) => page.locator(`[data-testid="session-item"][data-queue="${queue}"][data-item="${user}"]`);
  await expect(item("RESTORE", "example")).toHaveAttribute("data-outcome", /^(success|warning)$/);
  await expect(item("RESTORE", "you")).toHaveAttribute("data-outcome", "failed");
  await expect(item("RESTORE", "you")).toContainText("already exists");
  await expect(page.getByTestId("session-start")).toHaveCount(0);
  await screenshot(page, "session-completed");
});

test("a failed read of master.log is retried on request, and its error goes once the read works", async ({ page, request }) => {
  await openApp(page, "demo", `#/check/${DEMO}`);
  await enqueue(page, "example", "example");
  await setFault(request, "demo", { function: "fetch_transfer_session_log", kind: "http500", match: { logfile: "master.log" }, times: 1 });
  await page.getByTestId("open-session").click();
  await page.getByTestId("session-start").click();
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "COMPLETED", { timeout: 30_000 });
  const retry = page.getByTestId("session-log-retry");
  await expect(retry).toBeVisible();
  await expect(page.getByTestId("error-banner")).toContainText("master.log");
  await retry.click();
  const item = page.locator('[data-testid="session-item"][data-queue="RESTORE"][data-item="example"]');
  await expect(item).toHaveAttribute("data-outcome", /^(success|warning)$/);
  await expect(retry).toHaveCount(0);
  await expect(page.getByTestId("error-banner")).toHaveCount(0);
});

test("aborting a session that never started leaves it FAILED, as WHM does", async ({ page }) => {
  await openApp(page, "demo", `#/session/${DEMO}`);
  const state = page.getByTestId("session-state");
  await expect(state).toHaveAttribute("data-state", "PENDING");
  let question = "";
  page.once("dialog", async (d) => { question = d.message(); await d.accept(); });
  await page.getByTestId("session-abort").click();
  await expect(state).toHaveAttribute("data-state", "FAILED");
  expect(question).toContain("marks it Failed");
  await expect(page.getByText("Every item succeeded.")).toHaveCount(0);
});

test("a read refused for the login stops polling, and the page offers to read the state again", async ({ page, request }) => {
  await setFault(request, "demo", { function: "get_transfer_session_state", kind: "denied", times: 1 });
  await openApp(page, "demo", `#/session/${DEMO}`);
  const banner = page.getByTestId("error-banner");
  await expect(banner).toHaveAttribute("data-kind", "session-lost");
  await expect(banner).toContainText("Reading the session");
  const again = page.getByTestId("session-read-retry");
  await expect(again).toBeVisible();
  // (logged in again) read on request: the state shows, the error and the button go
  await again.click();
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "PENDING");
  await expect(banner).toHaveCount(0);
  await expect(again).toHaveCount(0);
});

test("a state read that fails after Start keeps Start disabled: its effect is not known yet", async ({ page }) => {
  await openApp(page, "demo", `#/session/${DEMO}`);
  const state = page.getByTestId("session-state");
  await expect(state).toHaveAttribute("data-state", "PENDING");
  // the read sent after start_transfer_session's reply is lost on the way
  let failNext = false;
  let failed = 0;
  page.on("response", (r) => { if (r.url().endsWith("/json-api/start_transfer_session")) failNext = true; });
  await page.route("**/json-api/get_transfer_session_state", (route) => {
    if (!failNext) return route.continue();
    failNext = false;
    failed += 1;
    return route.abort("connectionreset");
  });
  await page.getByTestId("session-start").click();
  await expect(page.getByTestId("error-banner")).toHaveAttribute("data-kind", "network");
  expect(failed).toBe(1);
  await expect(state).toHaveAttribute("data-state", "PENDING"); // what was last read
  await expect(page.getByTestId("session-start")).toBeDisabled();
  await expect(page.getByTestId("session-abort")).toBeDisabled();
  // the next read, by itself, shows the effect
  await expect(state).not.toHaveAttribute("data-state", "PENDING", { timeout: 20_000 });
  await expect(page.getByTestId("session-start")).toHaveCount(0);
});

test("declining the confirmation sends nothing", async ({ page }) => {
  await openApp(page, "demo", `#/session/${DEMO}`);
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "PENDING");
  const aborts = [];
  await page.route("**/json-api/abort_transfer_session", (route) => { aborts.push(route.request().url()); return route.abort(); });
  let asked = false;
  page.once("dialog", (d) => { asked = true; return d.dismiss(); });
  await page.getByTestId("session-abort").click();
  expect(asked).toBeTruthy();
  // the next state poll goes out after the click; by then a sent abort would have been caught
  await page.waitForRequest((r) => r.url().endsWith("/json-api/get_transfer_session_state"));
  await expect(page.getByTestId("session-abort")).toBeEnabled();
  expect(aborts).toEqual([]);
});

test("pausing a RUNNING session whose processor died marks it FAILED (WHM's quirk)", async ({ page }) => {
  await openApp(page, "demo", "#/session/staleservercopya20250102030405Stale1");
  const state = page.getByTestId("session-state");
  await expect(state).toHaveAttribute("data-state", "RUNNING");
  page.once("dialog", (d) => d.accept());
  await page.getByTestId("session-pause").click();
  await expect(state).toHaveAttribute("data-state", "FAILED");
});

test("queue from the check screen (checked before sending), then run the session", async ({ page }) => {
  await openApp(page, "demo", `#/check/${DEMO}`);
  await page.getByTestId("queue-text-toggle").click();
  const plan = page.getByTestId("queue-plan");
  await expect(plan).toHaveValue(/^example$/m);
  await expect(plan).toHaveValue(/^# you$/m); // accounts with errors start commented out
  // a target name that exists here is caught before anything is sent
  await queuePlan(page, "example\nipone down\n");
  await expect(page.locator('[data-testid="queue-problem"][data-kind="user-exists"][data-subject="ipone"]')).toBeVisible();
  await expect(page.getByTestId("queue-submit")).toBeDisabled();
  await queuePlan(page, "example\nipone ipone2\n");
  await queueAccountsOnly(page);
  await expect(page.getByTestId("queue-submit")).toHaveText("Queue 2 items");
  page.once("dialog", (d) => d.accept());
  await page.getByTestId("queue-submit").click();
  await expect(page.locator('[data-testid="queue-result"][data-ok="true"]')).toHaveCount(2);
  // what is queued is not offered again
  await expect(page.getByTestId("queue-submit")).toHaveText("Everything selected is queued");
  await expect(page.getByTestId("queue-submit")).toBeDisabled();
  await screenshot(page, "queue-results");

  await page.goto(`${base("demo")}${TOKEN}/cgi/transfer_console/#/session/${DEMO}`);
  await page.getByTestId("session-start").click();
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "COMPLETED", { timeout: 30_000 });
  const renamed = page.locator('[data-testid="session-item"][data-queue="RESTORE"][data-item="ipone"]');
  await expect(renamed).toContainText("“ipone” → “ipone2”");
  await expect(renamed).toHaveAttribute("data-outcome", /^(success|warning)$/);
  await expect(page.getByTestId("session-verdict")).toHaveAttribute("data-ok", "true");

  // once started, a session takes no more items: the queue step says so instead of sending
  await page.getByRole("link", { name: "Check its analysis" }).click();
  await queuePlan(page, "mailer\n");
  page.once("dialog", (d) => d.accept());
  const enqueues = [];
  page.on("request", (r) => { if (r.url().endsWith("/json-api/enqueue_transfer_item")) enqueues.push(r.url()); });
  await page.getByTestId("queue-submit").click();
  await expect(page.getByTestId("queue-blocked")).toContainText("The session is COMPLETED");
  expect(enqueues).toEqual([]);
});

test("create a session: field errors first, WHM's refusal keeps the form, success opens its analysis", async ({ page }) => {
  const { accessLog } = require("./helpers");
  await openApp(page, "demo", "#/new");
  const calls = [];
  page.on("request", (r) => { if (r.url().includes("create_remote_root_transfer_session")) calls.push(r.postData() || ""); });
  await page.getByTestId("create-submit").click();
  await expect(page.getByTestId("create-error-host")).toBeVisible();
  await expect(page.getByTestId("create-error-password")).toBeVisible();
  expect(calls).toEqual([]);

  await page.getByTestId("create-host").fill("remote.example.com");
  await page.getByTestId("create-password").fill("wrong-pass-123");
  await page.getByTestId("create-submit").click();
  await expect(page.getByTestId("error-banner")).toHaveAttribute("data-kind", "api");
  await expect(page.getByTestId("create-host")).toHaveValue("remote.example.com");
  await expect(page.getByTestId("create-password")).toHaveValue("wrong-pass-123");

  await page.getByTestId("create-password").fill("luggage12345");
  await page.getByTestId("create-submit").click();
  await expect(page).toHaveURL(/#\/check\/remoteexamplecopya\d{14}[0-9A-Za-z]+$/);
  await expect(page.getByTestId("analysis-summary")).toContainText("remote.example.com");
  expect(calls).toHaveLength(2);
  expect(calls[1]).toContain("password=luggage12345"); // in the POST body…
  const log = accessLog("demo");
  expect(log.some((l) => l.includes("/json-api/create_remote_root_transfer_session"))).toBeTruthy();
  for (const line of log) {
    expect(line).not.toContain("luggage"); // …and in no URL the server saw
    expect(line).not.toContain("wrong-pass");
  }
  await page.evaluate(() => { window.location.hash = "#/"; });
  await expect(page.getByTestId("recent-session").first()).toHaveAttribute("data-id", /^remoteexamplecopya/);
  await screenshot(page, "home-recent");
});

test("a running session shows its items live, from the live tail", async ({ page, request }) => {
  test.setTimeout(90_000);
  await resetSim(request, "demo-slow");
  await openApp(page, "demo-slow", `#/session/${DEMO}`);
  await enqueue(page, "example", "example", "demo-slow");
  await enqueue(page, "mailer", "mailer", "demo-slow");
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "PENDING");
  await page.getByTestId("session-start").click();
  // while it runs, rows come from cgi/live_tail_log.cgi (master.log itself is read only at the end)
  const results = page.getByTestId("session-results");
  await expect(results).toHaveAttribute("data-live", "true", { timeout: 30_000 });
  await expect(results.getByTestId("item-row").first()).toBeVisible();
  await screenshot(page, "session-live");
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "COMPLETED", { timeout: 60_000 });
  await expect(results).toHaveAttribute("data-live", "false");
  const outcomes = await results.locator('[data-testid="session-item"][data-queue="RESTORE"]').evaluateAll((rows) => rows.map((r) => r.dataset.outcome));
  expect(outcomes).toHaveLength(2);
  for (const outcome of outcomes) expect(outcome).toMatch(/^(success|warning)$/); // both accounts arrived
  await expect(page.getByTestId("session-verdict")).toBeVisible();
});

test("a slow start_transfer_session is sent once: Start stays disabled however often it is clicked", async ({ page, request }) => {
  await openApp(page, "demo", `#/session/${DEMO}`);
  await enqueue(page, "example", "example");
  // WHM takes 8 s to answer while the session stays PENDING; state polls go on meanwhile.
  await setFault(request, "demo", { function: "start_transfer_session", kind: "delay", delay_ms: 8000 });
  const starts = [];
  page.on("request", (r) => { if (r.url().endsWith("/json-api/start_transfer_session")) starts.push(r.url()); });
  const state = page.getByTestId("session-state");
  await expect(state).toHaveAttribute("data-state", "PENDING");
  const start = page.getByTestId("session-start");
  await start.click();
  await expect(start).toBeDisabled();
  await expect(start).toHaveText("Start…");
  // repeated clicks, a double click and two clicks in one task: none may send a second call
  await start.click({ force: true });
  await start.dblclick({ force: true });
  await page.evaluate(() => { const b = document.querySelector('[data-testid="session-start"]'); b?.click(); b?.click(); });
  // at least two state polls come back PENDING while start is in flight: Start must stay disabled
  for (let i = 0; i < 2; i++) {
    await page.waitForResponse((r) => r.url().endsWith("/json-api/get_transfer_session_state"));
    await expect(start).toBeDisabled();
    await expect(state).toHaveAttribute("data-state", "PENDING");
  }
  await expect(state).not.toHaveAttribute("data-state", "PENDING", { timeout: 20_000 });
  await expect(page.getByTestId("session-start")).toHaveCount(0);
  expect(starts).toHaveLength(1);
});

test("an invalid session id in the route says so and polls nothing", async ({ page }) => {
  const polls = [];
  page.on("request", (r) => { if (r.url().includes("/json-api/")) polls.push(r.url()); });
  await openApp(page, "demo", "#/session/not-a-session!");
  await expect(page.getByTestId("session-id-invalid")).toBeVisible();
  await expect(page.getByTestId("session-start")).toHaveCount(0);
  // a valid id is read the moment the page mounts; this one never is
  expect(polls).toEqual([]);
});

test("follow a run with a warning and a failure: bars, verdict, the failure's fix, the warning's log, the title", async ({ page, request }) => {
  test.setTimeout(120_000);
  await resetSim(request, "demo-slow");
  await openApp(page, "demo-slow", `#/session/${DEMO}`);
  await enqueue(page, "mailer", "mailer", "demo-slow"); // mail on a linked node: restored here, with a warning
  await enqueue(page, "you", "you", "demo-slow"); // exists here: its restore fails
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "PENDING");
  await page.getByTestId("session-start").click();
  const bar = (q) => page.locator(`[data-testid="queue-progress"][data-queue="${q}"]`);
  // the bars move while it runs
  await expect(bar("TRANSFER")).toHaveAttribute("data-percent", /^[1-9]\d*$/, { timeout: 60_000 });
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-state", "following");
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "COMPLETED", { timeout: 90_000 });
  await expect(bar("TRANSFER")).toHaveAttribute("data-percent", "100");
  await expect(bar("RESTORE")).toHaveAttribute("data-percent", "100");
  const verdict = page.getByTestId("session-verdict");
  await expect(verdict).toHaveAttribute("data-failed", "1");
  await expect(verdict).toContainText("completed, but 1 item failed");
  const row = (u) => page.locator(`[data-testid="item-row"][data-item="${u}"]`);
  await expect(row("you")).toHaveAttribute("data-outcome", "failed");
  await expect(row("you").getByTestId("item-advice")).toContainText("Pick another local name");
  await expect(row("mailer")).toHaveAttribute("data-outcome", "warning");
  await expect(page.locator('[data-testid="item-progress"][data-item="mailer"]')).toHaveAttribute("data-percent", "100");
  await row("mailer").locator('[data-testid="item-log-open"][data-log*="RESTORE"]').click();
  const log = page.getByTestId("item-log");
  await expect(log.getByTestId("log-warning").first()).toContainText("linked node");
  await expect(page).toHaveTitle(/^100% · Completed/);
  await screenshot(page, "session-verdict");

  // the report holds every item, in Markdown and CSV
  for (const format of ["md", "csv"]) {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator(`[data-testid="report-export"][data-format="${format}"]`).click(),
    ]);
    const text = require("fs").readFileSync(await download.path(), "utf8");
    expect(text, format).toContain("mailer");
    expect(text, format).toContain("already exists");
    expect(text, format).not.toContain("luggage");
  }
  // the history knows how it ended
  await page.evaluate(() => { window.location.hash = "#/sessions"; });
  await expect(page.locator(`[data-testid="history-row"][data-session="${DEMO}"]`)).toHaveAttribute("data-state", "COMPLETED");
  await page.evaluate((id) => { window.location.hash = `#/session/${id}`; }, DEMO);
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "COMPLETED");

  // the arrival check: the restored account is here; once the simulator "loses" it, it is flagged
  await page.getByTestId("arrival-check").click();
  const arrival = page.locator('[data-testid="arrival-row"][data-user="mailer"]');
  await expect(arrival).toHaveAttribute("data-arrived", "true");
  await expect(page.locator('[data-testid="arrival-row"][data-user="you"]')).toHaveCount(0); // its restore failed
  const lost = await request.post(`${base("demo-slow")}/__sim/lose-account`, { data: { user: "mailer" } });
  expect(lost.ok()).toBeTruthy();
  await page.getByTestId("arrival-check").click();
  await expect(arrival).toHaveAttribute("data-arrived", "false");
  await expect(arrival).toContainText("queue it again in a new session");
  await expect(page.getByTestId("arrival-summary")).toHaveAttribute("data-flagged", "1");
  await screenshot(page, "session-arrival");
});
