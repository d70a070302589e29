// The create and queue flows against whm-sim: a create call outlives leaving #/new; a failure that may
// have created the session says so; the enqueue loop stops at a refusal and never resends an item whose
// outcome is unknown, even after a reload. (Unknown outcomes use the `truncated` fault, not `drop`: the
// browser itself may silently resend a request whose reused connection closed without a reply.)
const { test, expect } = require("./fixtures"); // with the leak sweep
const { base, openApp, resetSim, setFault, queuePlan, queueAccountsOnly } = require("./helpers");
const { SESSIONS, TOKEN } = require("./scenarios");

const DEMO = SESSIONS.demo;

test.beforeEach(async ({ request }) => resetSim(request, "demo"));
test.afterEach(async ({ request }) => resetSim(request, "demo"));

/** Records the bodies of every call to `fn`. */
function capture(page, fn) {
  const bodies = [];
  page.on("request", (r) => { if (r.url().endsWith(`/json-api/${fn}`)) bodies.push(r.postData() || ""); });
  return bodies;
}

async function fillCreate(page) {
  await page.getByTestId("create-host").fill("remote.example.com");
  await page.getByTestId("create-password").fill("luggage12345");
}

/** Submits a root session on #/new whose create call WHM holds for `ms`; the bodies of the calls sent. */
async function startSlowCreate(page, request, ms) {
  await openApp(page, "demo", "#/new");
  await setFault(request, "demo", { function: "create_remote_root_transfer_session", kind: "delay", delay_ms: ms, times: 1 });
  const calls = capture(page, "create_remote_root_transfer_session");
  await fillCreate(page);
  await page.getByTestId("create-submit").click();
  return calls;
}

test("leaving #/new while the create call runs: back on the page it is still running, then its outcome", async ({ page, request }) => {
  const calls = await startSlowCreate(page, request, 4000);
  await expect(page.getByTestId("create-running")).toBeVisible();
  await page.getByRole("link", { name: "Usernames" }).click();
  await expect(page.getByTestId("username-input")).toBeVisible();
  await page.getByRole("link", { name: "New session" }).click();
  // the call is still shown running, and cannot be sent a second time
  await expect(page.getByTestId("create-running")).toBeVisible();
  await expect(page.getByTestId("create-submit")).toBeDisabled();
  await expect(page.getByTestId("create-host")).toHaveValue("remote.example.com");
  // …then its outcome: the new session opens
  await expect(page).toHaveURL(/#\/check\/remoteexamplecopya\d{14}[0-9A-Za-z]+$/);
  await expect(page.getByTestId("analysis-summary")).toContainText("remote.example.com");
  expect(calls).toHaveLength(1);
});

test("closing or reloading the tab while a session is being created has the browser ask first; once it exists, nothing asks", async ({ page, request }) => {
  const calls = await startSlowCreate(page, request, 4000);
  await expect(page.getByTestId("create-running")).toContainText("Keep this tab open");
  // declined: the page stays, and the answer (the new session's id) still arrives
  const kinds = [];
  page.once("dialog", async (d) => { kinds.push(d.type()); await d.dismiss(); });
  // (from the page: Playwright's page.reload() would wait for a navigation that a declined reload never makes)
  const reloading = page.evaluate(() => location.reload());
  await expect.poll(() => kinds).toEqual(["beforeunload"]);
  await reloading;
  await expect(page).toHaveURL(/#\/check\/remoteexamplecopya\d{14}[0-9A-Za-z]+$/);
  await expect(page.getByTestId("analysis-summary")).toContainText("remote.example.com");
  expect(calls).toHaveLength(1);
  // the session exists and its id is kept: leaving asks nothing now
  page.on("dialog", (d) => { kinds.push(d.type()); d.dismiss(); });
  await page.reload();
  await expect(page.getByTestId("connection")).toHaveAttribute("data-connected", "true");
  expect(kinds).toEqual(["beforeunload"]);
});

test("an outcome that arrives while the admin is elsewhere is kept for #/new", async ({ page, request }) => {
  await openApp(page, "demo", "#/new");
  await setFault(request, "demo", { function: "create_remote_root_transfer_session", kind: "delay", delay_ms: 2000, times: 1 });
  await fillCreate(page);
  const answered = page.waitForResponse((r) => r.url().endsWith("/json-api/create_remote_root_transfer_session"));
  await page.getByTestId("create-submit").click();
  await page.getByRole("link", { name: "Usernames" }).click();
  await answered;
  await expect(page).toHaveURL(/#\/username$/); // not pulled away from what the admin is doing
  await page.getByRole("link", { name: "New session" }).click();
  const done = page.getByTestId("create-done");
  await expect(done).toHaveAttribute("data-id", /^remoteexamplecopya\d{14}/);
  await expect(page.getByTestId("create-password")).toHaveValue(""); // secrets cleared after success
  await page.getByTestId("create-open").click();
  await expect(page).toHaveURL(/#\/check\/remoteexamplecopya/);
});

test("a server error on create says the session may have been created, keeps the fields and offers no retry", async ({ page, request }) => {
  await openApp(page, "demo", "#/new");
  await setFault(request, "demo", { function: "create_remote_root_transfer_session", kind: "truncated", times: 1 });
  await fillCreate(page);
  await page.getByTestId("create-submit").click();
  const banner = page.getByTestId("error-banner");
  await expect(banner).toHaveAttribute("data-kind", "malformed");
  await expect(banner).toContainText("may have been created anyway");
  await expect(banner).not.toContainText("Try again");
  await expect(banner.getByRole("button", { name: "Try again" })).toHaveCount(0);
  await expect(page.getByTestId("create-host")).toHaveValue("remote.example.com");
  await expect(page.getByTestId("create-password")).toHaveValue("luggage12345");
});

/** Queues an item with WHM API 1 directly (the page's login), as another admin or tab would. */
async function enqueueDirectly(page, user) {
  const r = await page.request.post(`${base("demo")}${TOKEN}/json-api/enqueue_transfer_item`, {
    form: { "api.version": "1", transfer_session_id: DEMO, module: "AccountRemoteRoot", user, localuser: user, size: "1", skipres: "1" },
  });
  expect(String((await r.json()).metadata.result)).toBe("1");
}

const result = (page, user) => page.locator(`[data-testid="queue-result"][data-user="${user}"]`);

test("a refusal mid-way stops the loop and says what was and was not queued", async ({ page }) => {
  await openApp(page, "demo", `#/check/${DEMO}`);
  await enqueueDirectly(page, "mailer"); // WHM will refuse a second "mailer"
  const sent = capture(page, "enqueue_transfer_item");
  await queueAccountsOnly(page);
  await queuePlan(page, "example\nmailer\nipone ipone2\n");
  await expect(page.getByTestId("queue-submit")).toHaveText("Queue 3 items");
  page.once("dialog", (d) => d.accept());
  await page.getByTestId("queue-submit").click();
  await expect(result(page, "mailer")).toHaveAttribute("data-outcome", "refused");
  await expect(result(page, "example")).toHaveAttribute("data-outcome", "queued");
  await expect(result(page, "ipone")).toHaveAttribute("data-outcome", "not-sent");
  await expect(page.getByTestId("queue-summary")).toContainText("Stopped: WHM refused Account “mailer”. Queued: 1 (Account “example”). Refused: 1 (Account “mailer”). Not sent: 1 (Account “ipone” → “ipone2”).");
  expect(sent).toHaveLength(2);
});

test("an item whose answer was lost is unknown, survives a reload and is never resent without a decision", async ({ page, request }) => {
  await openApp(page, "demo", `#/check/${DEMO}`);
  // WHM queues it, but its reply is cut short: the console cannot know that it was queued
  await setFault(request, "demo", { function: "enqueue_transfer_item", kind: "truncated", match: { user: "mailer" }, times: 1 });
  await queueAccountsOnly(page);
  const plan = "example\nmailer\nipone ipone2\n";
  await queuePlan(page, plan);
  await expect(page.getByTestId("queue-submit")).toHaveText("Queue 3 items");
  page.once("dialog", (d) => d.accept());
  await page.getByTestId("queue-submit").click();
  await expect(result(page, "mailer")).toHaveAttribute("data-outcome", "unknown");
  await expect(result(page, "example")).toHaveAttribute("data-outcome", "queued");
  await expect(page.getByTestId("error-banner")).toHaveAttribute("data-kind", "malformed");
  await expect(result(page, "ipone")).toHaveAttribute("data-outcome", "not-sent");

  await page.reload();
  await expect(result(page, "mailer")).toHaveAttribute("data-outcome", "unknown");
  await expect(result(page, "example")).toHaveAttribute("data-outcome", "queued");
  const stored = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
  expect(stored).not.toContain("luggage");
  const sent = capture(page, "enqueue_transfer_item");
  await queueAccountsOnly(page);
  await queuePlan(page, plan);
  await expect(page.getByTestId("queue-submit")).toHaveText("Queue 1 item");
  page.once("dialog", (d) => d.accept());
  await page.getByTestId("queue-submit").click();
  await expect(result(page, "ipone")).toHaveAttribute("data-outcome", "queued");
  expect(sent).toHaveLength(1);
  expect(sent[0]).toContain("user=ipone&");

  // only the admin's decision, after a warning that WHM may have it, sends it again — and WHM did have it
  let question = "";
  page.once("dialog", async (d) => { question = d.message(); await d.accept(); });
  await result(page, "mailer").getByTestId("queue-retry-unknown").click();
  // WHM refuses the second as a duplicate: that proves the first reached it, so the item is queued
  await expect(result(page, "mailer")).toHaveAttribute("data-outcome", "queued");
  expect(question).toContain("WHM may already have it");
  expect(sent).toHaveLength(2);
});
