// Following a running session as WHM's own page does: the logs of the items in progress come
// through a second live tail, so an open item log grows while its item runs and the bars move
// between an item's start and its end (WHM's `percentage` lines, size-weighted per queue, §6.4).
const { test, expect } = require("./fixtures"); // with the leak sweep
const { base, openApp, resetSim, screenshot, forbidDialogsAndErrors } = require("./helpers");
const { SESSIONS, TOKEN } = require("./scenarios");

const DEMO = SESSIONS.demo;
const SCENARIO = "demo-slow"; // workers at real-time speed
const GIB = 1 << 30;

test.beforeEach(async ({ request }) => resetSim(request, SCENARIO));
test.afterEach(async ({ request }) => resetSim(request, SCENARIO));

async function enqueue(page, user, size) {
  const r = await page.request.post(`${base(SCENARIO)}${TOKEN}/json-api/enqueue_transfer_item`, {
    form: {
      "api.version": "1", transfer_session_id: DEMO, module: "AccountRemoteRoot",
      user, localuser: user, size: String(size), skipres: "1",
    },
  });
  const body = await r.json();
  expect(String(body.metadata.result), body.metadata.reason).toBe("1");
}

/** One consistent look at the page: the open log, the item's row and the bars, read in one task. */
function snapshot(page, item) {
  return page.evaluate((item) => {
    const log = document.querySelector('[data-testid="item-log"]');
    const row = document.querySelector(`[data-testid="item-row"][data-item="${item}"]`);
    const pct = (sel) => [...document.querySelectorAll(sel)].map((e) => Number(e.dataset.percent));
    return {
      live: log?.dataset.live ?? null,
      lines: log ? log.querySelectorAll(".log-entries > li").length : 0,
      text: log?.textContent ?? "",
      outcome: row?.dataset.outcome ?? null,
      item: pct(`[data-testid="item-progress"][data-item="${item}"]`)[0] ?? null,
      transfer: pct('[data-testid="queue-progress"][data-queue="TRANSFER"]')[0] ?? null,
    };
  }, item);
}

test("a running item's log grows live and the bars move between its start and its end", async ({ page }) => {
  test.setTimeout(120_000);
  const problems = forbidDialogsAndErrors(page);
  const tails = [];
  const logReads = [];
  page.on("request", (r) => {
    if (r.url().includes("/cgi/live_tail_log.cgi")) tails.push(decodeURIComponent(r.url()));
    if (r.url().endsWith("/json-api/fetch_transfer_session_log")) logReads.push(r.postData() || "");
  });
  await openApp(page, SCENARIO, `#/session/${DEMO}`);
  await enqueue(page, "example", GIB); // the bigger one goes first and takes a few seconds
  await enqueue(page, "mailer", GIB / 4);
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "PENDING");
  await page.getByTestId("session-start").click();

  // open example's transfer log as soon as the workers name it, while it runs
  const open = page.locator('[data-testid="item-log-open"][data-item="example"][data-log="item-TRANSFER_AccountRemoteRoot_example"]');
  await expect(open).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('[data-testid="item-row"][data-item="example"]')).toHaveAttribute("data-outcome", "running");
  await open.click();
  const log = page.getByTestId("item-log");
  await expect(log).toHaveAttribute("data-live", "true");
  await expect(log.getByTestId("item-log-status")).toContainText("lines appear as WHM writes them");

  // lines arrive while the item still runs: the count grows with the panel live and the row running
  await expect.poll(async () => (await snapshot(page, "example")).lines, { timeout: 30_000, intervals: [100] }).toBeGreaterThan(0);
  const first = await snapshot(page, "example");
  expect(first.live).toBe("true");
  await expect
    .poll(async () => {
      const s = await snapshot(page, "example");
      return s.live === "true" && s.outcome === "running" && s.lines > first.lines;
    }, { timeout: 30_000, intervals: [100] })
    .toBe(true);

  // the bars move in between: values other than the 0 / 50 / 100 an item's step ends alone give
  const itemSeen = new Set();
  const transferSeen = new Set();
  let shot = false;
  await expect
    .poll(async () => {
      const s = await snapshot(page, "example");
      if (s.item > 0 && s.item < 100 && s.item !== 50) itemSeen.add(s.item);
      if (s.transfer > 0 && s.transfer < 100) transferSeen.add(s.transfer);
      if (!shot && itemSeen.size >= 2 && s.live === "true") {
        shot = true;
        await screenshot(page, "session-monitor-live");
      }
      return itemSeen.size >= 3 && transferSeen.size >= 3;
    }, { timeout: 60_000, intervals: [100] })
    .toBe(true);
  expect(shot).toBe(true);
  // the live lines came through the item tail, with the open log first
  expect(tails.some((u) => /log_file1=item-TRANSFER_AccountRemoteRoot_example&log_file_position1=0/.test(u))).toBe(true);

  // once the transfer ended, its whole log is read once and shown
  await expect(log).toHaveAttribute("data-live", "false", { timeout: 30_000 });
  await expect(log.getByTestId("log-success")).toBeVisible();
  await expect(log).toContainText("Archive downloaded");
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "COMPLETED", { timeout: 60_000 });
  expect(logReads.filter((b) => b.includes("logfile=item-TRANSFER_AccountRemoteRoot_example"))).toHaveLength(1);
  await expect(page.locator('[data-testid="item-progress"][data-item="example"]')).toHaveAttribute("data-percent", "100");
  await expect(page.locator('[data-testid="queue-progress"][data-queue="TRANSFER"]')).toHaveAttribute("data-percent", "100");
  expect(problems).toEqual([]);
});

test("a log line too long to read live is passed over: the live view goes on, and the whole log has it", async ({ page }) => {
  test.setTimeout(120_000);
  const problems = forbidDialogsAndErrors(page);
  await openApp(page, SCENARIO, `#/session/${DEMO}`);
  await enqueue(page, "example", GIB);
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "PENDING");
  await page.getByTestId("session-start").click();
  const itemLog = "item-TRANSFER_AccountRemoteRoot_example";
  const open = page.locator(`[data-testid="item-log-open"][data-item="example"][data-log="${itemLog}"]`);
  await expect(open).toBeVisible({ timeout: 30_000 });
  await open.click();
  const log = page.getByTestId("item-log");
  await expect(log).toHaveAttribute("data-live", "true");
  await expect.poll(async () => (await snapshot(page, "example")).lines, { timeout: 30_000, intervals: [100] }).toBeGreaterThan(0);

  // a module prints a 3 MiB listing into the item's log and one into the master log, past the
  // console's 1 MiB line cap
  const long = async (logName) => {
    const r = await page.request.post(`${base(SCENARIO)}/__sim/long-log-line`, { data: { session_id: DEMO, log: logName, bytes: 3 << 20 } });
    expect(r.status(), await r.text()).toBe(200);
  };
  await long(itemLog);
  await long("master.log");
  const tooLong = log.getByTestId("log-too-long");
  await expect(tooLong).toHaveCount(1);
  await expect(tooLong).toContainText("A line of 3.0 MiB was too long to show live. The whole log is read when the item ends.");
  const status = page.getByTestId("live-status");
  await expect(status).toHaveAttribute("data-state", "following");
  await expect(status).toContainText("1 log line too long to show live was passed over");
  await screenshot(page, "session-log-too-long");
  // lines after it still arrive live, then the item ends and its whole log, long line included, is read
  const before = (await snapshot(page, "example")).lines;
  await expect.poll(async () => (await snapshot(page, "example")).lines, { timeout: 30_000, intervals: [100] }).toBeGreaterThan(before);
  await expect(log).toHaveAttribute("data-live", "false", { timeout: 30_000 });
  await expect(log.getByTestId("log-too-long")).toHaveCount(0);
  await expect(log.getByTestId("log-success")).toBeVisible();
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "COMPLETED", { timeout: 60_000 });
  await expect(page.locator('[data-testid="item-row"][data-item="example"]')).toHaveAttribute("data-outcome", "success");
  await expect(page.getByTestId("item-live-status")).toHaveCount(0); // never stopped
  expect(problems).toEqual([]);
});
