// The queue table on the check page (issue 10): per-account options, "fix all conflicts", schema-driven
// calls, preview, and an enqueue run that never sends an item twice. What WHM received is read from the
// simulator's request capture (the form body), never from the URL.
const { test, expect } = require("./fixtures"); // with the leak sweep
const { base, openApp, resetSim, screenshot, setFault, clearFaults, queuePlan, queueAccountsOnly } = require("./helpers");

const DEMO = "exampleservercopya20140206192428NtyW";
const row = (page, user) => page.locator(`[data-testid="queue-row"][data-user="${user}"]`);
const verdict = (page, user) => row(page, user).getByTestId("queue-target-verdict");
const result = (page, user) => page.locator(`[data-testid="queue-result"][data-user="${user}"]`);

/** The bodies of the enqueue calls WHM received, oldest first. */
async function enqueued(request) {
  const r = await request.get(`${base("demo")}/__sim/requests?function=enqueue_transfer_item`);
  expect(r.ok()).toBeTruthy();
  return (await r.json()).requests.map((q) => {
    expect(Object.keys(q.query || {}).filter((k) => k !== "api.version"), "nothing but the API version in the URL").toEqual([]);
    return q.body || {};
  });
}

/** A screenshot of the queue step alone (the full page is too tall to read). */
async function shotOfQueue(page, name) {
  const dir = require("path").join(__dirname, "..", "..", "target", "screenshots");
  require("fs").mkdirSync(dir, { recursive: true });
  await page.locator("section.queue").screenshot({ path: require("path").join(dir, `${name}.png`) });
}

async function submit(page) {
  page.once("dialog", (d) => d.accept());
  await page.getByTestId("queue-submit").click();
}

/** Opens the demo session and starts queueing example and mailer, example's call held `ms` by WHM. */
async function startSlowRun(page, request, ms) {
  await openApp(page, "demo", `#/check/${DEMO}`);
  await setFault(request, "demo", { function: "enqueue_transfer_item", kind: "delay", delay_ms: ms, match: { user: "example" } });
  await queueAccountsOnly(page);
  await queuePlan(page, "example\nmailer\n");
  await submit(page);
  await expect(page.getByTestId("queue-submit")).toHaveText("Queueing…");
}

test.beforeEach(async ({ request }) => {
  await resetSim(request, "demo");
});

test("fix all conflicts in one action, then queue every account under the suggested names", async ({ page, request }) => {
  await openApp(page, "demo", `#/check/${DEMO}`);
  await expect(page.getByTestId("queue-row")).toHaveCount(11);
  // accounts with errors start unselected, and their verdicts say why
  await expect(row(page, "you")).toHaveAttribute("data-selected", "false");
  await expect(verdict(page, "you")).toHaveAttribute("data-valid", "false");
  await expect(verdict(page, "example")).toHaveAttribute("data-valid", "true");

  await page.getByTestId("queue-fix-all").click();
  const fixes = page.getByTestId("queue-fix");
  await expect(fixes.first()).toBeVisible();
  const proposed = {};
  for (const f of await fixes.all()) {
    proposed[await f.getAttribute("data-user")] = await f.getByTestId("queue-fix-name").inputValue();
  }
  for (const user of ["you", "testsite", "averyveryverylongname", "shopone"]) {
    expect(proposed[user], `a new name for ${user}`).toBeTruthy();
    expect(proposed[user]).not.toBe(user);
  }
  expect(new Set(Object.values(proposed)).size, "unique within the batch").toBe(Object.values(proposed).length);
  await shotOfQueue(page, "queue-fix-all");
  await page.getByTestId("queue-fix-accept").click();
  await expect(page.getByTestId("queue-fix-diff")).toHaveCount(0);

  await page.getByTestId("queue-select-shown").click();
  for (const [user, name] of Object.entries(proposed)) {
    await expect(row(page, user).getByTestId("queue-target")).toHaveValue(name);
    await expect(verdict(page, user)).toHaveAttribute("data-valid", "true");
  }
  await expect(page.locator('[data-testid="queue-row"][data-selected="false"]')).toHaveCount(0);
  await expect(page.locator('[data-testid="queue-problem"][data-severity="error"]')).toHaveCount(0);
  await queueAccountsOnly(page);
  await expect(page.getByTestId("queue-submit")).toHaveText("Queue 11 items");
  await screenshot(page, "queue-table");
  await submit(page);
  await expect(page.locator('[data-testid="queue-result"][data-outcome="queued"]')).toHaveCount(11);
  const bodies = await enqueued(request);
  expect(bodies).toHaveLength(11);
  for (const [user, name] of Object.entries(proposed)) {
    const b = bodies.find((x) => x.user === user);
    expect(b && b.localuser, `${user} queued as ${name}`).toBe(name);
  }
});

test("options reach the body of the right call: dedicated IPs kept, skip flags per account", async ({ page, request }) => {
  await openApp(page, "demo", `#/check/${DEMO}`);
  await queueAccountsOnly(page);
  await queuePlan(page, "example\nmailer\niptwo\n");
  // iptwo has a dedicated IP on the source: pre-ticked
  await expect(row(page, "iptwo").locator('[data-testid="queue-option"][data-key="ip"]')).toBeChecked();
  await expect(row(page, "example").locator('[data-testid="queue-option"][data-key="ip"]')).not.toBeChecked();
  // example: no home directory, no email
  await row(page, "example").getByTestId("queue-row-more").click();
  const more = page.locator('[data-testid="queue-row-options"][data-user="example"]');
  await more.locator('[data-testid="queue-option"][data-key="skiphomedir"]').uncheck();
  await more.locator('[data-testid="queue-option"][data-key="skipemail"]').uncheck();
  // the preview lists every call before anything is sent
  await page.getByTestId("queue-preview").click();
  await expect(page.getByTestId("queue-call")).toHaveCount(3);
  await expect(page.locator('[data-testid="queue-call"][data-user="example"]')).toContainText("skiphomedir=1");
  await expect(page.locator('[data-testid="queue-call"][data-user="mailer"]')).toContainText("skiphomedir=0");
  await shotOfQueue(page, "queue-preview");
  await submit(page);
  await expect(page.locator('[data-testid="queue-result"][data-outcome="queued"]')).toHaveCount(3);
  const bodies = await enqueued(request);
  const of = (u) => bodies.find((b) => b.user === u) || {};
  expect(of("iptwo").ip).toBe("1");
  expect(of("example").ip).toBe("0");
  expect(of("example").skiphomedir).toBe("1");
  expect(of("example").skipemail).toBe("1");
  expect(of("mailer").skiphomedir).toBe("0");
  expect(of("mailer").skipemail).toBe("0");
  expect(of("iptwo").size).toBe("41943040"); // from bytesused
});

test("Refresh: the table is checked against the new analysis and keeps the admin's edits", async ({ page, request }) => {
  await openApp(page, "demo", `#/check/${DEMO}`);
  await expect(page.getByTestId("queue-row")).toHaveCount(11);
  await expect(row(page, "example")).toHaveAttribute("data-selected", "true");
  await expect(verdict(page, "example")).toHaveAttribute("data-valid", "true");
  // the admin renames one account and turns off another's email
  await row(page, "mailer").getByTestId("queue-target").fill("mailer2");
  await row(page, "example").getByTestId("queue-row-more").click();
  const email = page.locator('[data-testid="queue-row-options"][data-user="example"] [data-testid="queue-option"][data-key="skipemail"]');
  await email.uncheck();
  // meanwhile a user `example` is created on this server; the admin refreshes the analysis
  const added = await request.post(`${base("demo")}/__sim/add-local-user`, { data: { user: "example" } });
  expect(added.ok()).toBeTruthy();
  const reloaded = page.waitForResponse((r) => r.url().endsWith("/json-api/retrieve_transfer_session_remote_analysis"));
  await page.getByTestId("analysis-refresh").click();
  await reloaded;
  await expect(page.getByTestId("analysis-refresh")).toBeEnabled();
  await expect(verdict(page, "example")).toHaveAttribute("data-valid", "false");
  await expect(verdict(page, "example")).toContainText("already has an account named “example”");
  await expect(row(page, "mailer").getByTestId("queue-target")).toHaveValue("mailer2");
  await expect(email).not.toBeChecked();
  await expect(page.getByTestId("queue-row")).toHaveCount(11);
  // a new error unselects the account, and the page says why
  await expect(row(page, "example")).toHaveAttribute("data-selected", "false");
  const notes = page.getByTestId("queue-refresh-notes");
  await expect(notes).toContainText("Unselected 1 account");
  await expect(notes).toContainText("example");
  await shotOfQueue(page, "queue-after-refresh");
  await page.getByTestId("queue-refresh-notes-dismiss").click();
  await expect(notes).toHaveCount(0);
});

test("loading another session while items are being queued asks first; declining keeps the run going", async ({ page, request }) => {
  await startSlowRun(page, request, 1500);
  let question = "";
  page.once("dialog", async (d) => { question = d.message(); await d.dismiss(); });
  await page.getByTestId("session-id-input").fill("othersession_1");
  await page.getByTestId("analysis-load").click();
  await expect.poll(() => question).toContain("still being queued");
  await expect(page.locator('[data-testid="queue-result"][data-outcome="queued"]')).toHaveCount(2);
  await expect(page).toHaveURL(new RegExp(`#/check/${DEMO}$`));
  expect(await enqueued(request)).toHaveLength(2);
});

test("leaving the page while items are being queued asks first: a link, back and an edited address each keep the page and the run when declined", async ({ page, request }) => {
  await startSlowRun(page, request, 5000);
  const questions = [];
  const decline = () => page.once("dialog", async (d) => { questions.push(d.message()); await d.dismiss(); });
  const here = new RegExp(`#/check/${DEMO}$`);
  decline();
  await page.goBack();
  await expect.poll(() => questions.length).toBe(1);
  await expect(page).toHaveURL(here);
  decline();
  await page.getByRole("link", { name: "Usernames" }).click();
  await expect.poll(() => questions.length).toBe(2);
  await expect(page).toHaveURL(here);
  decline();
  await page.evaluate(() => { window.location.hash = "#/sessions"; });
  await expect.poll(() => questions.length).toBe(3);
  for (const q of questions) expect(q).toContain("still being queued");
  await expect(page).toHaveURL(here);
  await expect(page.getByTestId("queue-table")).toBeVisible();
  // the run went on and finished on this page
  await expect(page.locator('[data-testid="queue-result"][data-outcome="queued"]')).toHaveCount(2);
  expect(await enqueued(request)).toHaveLength(2);
  // once it is over, leaving asks nothing (an unexpected dialog would be dismissed and keep the page)
  page.on("dialog", (d) => { questions.push(d.message()); d.dismiss(); });
  await page.getByRole("link", { name: "Usernames" }).click();
  await expect(page).toHaveURL(/#\/username$/);
  expect(questions).toHaveLength(3);
  // the declined changes left the history as it was: Back goes to the check page, then to the start page
  // (each declined change used to leave a second entry for the check page, so Back stayed on it)
  await page.goBack();
  await expect(page).toHaveURL(here);
  await expect(page.getByTestId("queue-table")).toBeVisible();
  await page.goBack();
  await expect(page.getByTestId("home")).toBeVisible();
  expect(questions).toHaveLength(3);
});

test("closing or reloading the tab while items are being queued has the browser ask first", async ({ page, request }) => {
  await startSlowRun(page, request, 5000);
  let kind = "";
  page.once("dialog", async (d) => { kind = d.type(); await d.accept(); });
  await page.reload();
  expect(kind, "the browser's own leave-page dialog").toBe("beforeunload");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-connected", "true");
});

test("bulk: select by the table's filters and apply an option to the selection", async ({ page, request }) => {
  await openApp(page, "demo", `#/check/${DEMO}`);
  await queueAccountsOnly(page);
  await page.getByTestId("queue-unselect-shown").click();
  await expect(page.locator('[data-testid="queue-row"][data-selected="true"]')).toHaveCount(0);
  await page.getByTestId("queue-filter-text").fill("shop");
  await expect(page.getByTestId("queue-row")).toHaveCount(3); // shop_one, shopone, big_shop
  await page.getByTestId("queue-select-shown").click();
  await page.getByTestId("queue-filter-text").fill("");
  await expect(page.locator('[data-testid="queue-row"][data-selected="true"]')).toHaveCount(3);
  await page.getByTestId("queue-bulk-key").selectOption("skipbwdata");
  await page.getByTestId("queue-bulk-value").selectOption("off");
  await page.getByTestId("queue-bulk-apply").click();
  // shop_one and shopone clash by their first characters: fixed in one action
  await page.getByTestId("queue-fix-all").click();
  await page.getByTestId("queue-fix-accept").click();
  await expect(page.locator('[data-testid="queue-problem"][data-severity="error"]')).toHaveCount(0);
  await submit(page);
  await expect(page.locator('[data-testid="queue-result"][data-outcome="queued"]')).toHaveCount(3);
  const bodies = await enqueued(request);
  expect(bodies.map((b) => b.user).sort()).toEqual(["big_shop", "shop_one", "shopone"]);
  for (const b of bodies) expect(b.skipbwdata, b.user).toBe("1");
});

test("a dropped connection leaves the item unknown across a reload, and it is not resent", async ({ page, request }) => {
  await openApp(page, "demo", `#/check/${DEMO}`);
  // Every attempt for mailer is dropped (Chromium itself retries a request whose reused connection
  // closes without an answer, so one dropped attempt alone would be retried below the app).
  await setFault(request, "demo", { function: "enqueue_transfer_item", kind: "drop", match: { user: "mailer" } });
  await queueAccountsOnly(page);
  await queuePlan(page, "example\nmailer mailer2\niptwo\n");
  await submit(page);
  await expect(result(page, "mailer")).toHaveAttribute("data-outcome", "unknown");
  await expect(result(page, "example")).toHaveAttribute("data-outcome", "queued");
  await expect(result(page, "iptwo")).toHaveAttribute("data-outcome", "not-sent");
  await expect(page.getByTestId("queue-summary")).toContainText("Unknown, WHM may have them: 1");
  const before = (await enqueued(request)).length;
  const mailerAttempts = (await enqueued(request)).filter((b) => b.user === "mailer").length;

  await page.reload();
  await expect(result(page, "mailer")).toHaveAttribute("data-outcome", "unknown");
  await expect(row(page, "mailer")).toHaveAttribute("data-outcome", "unknown");
  await queueAccountsOnly(page);
  await queuePlan(page, "example\nmailer\niptwo\n");
  await expect(page.getByTestId("queue-submit")).toHaveText("Queue 1 item"); // only iptwo
  await submit(page);
  await expect(result(page, "iptwo")).toHaveAttribute("data-outcome", "queued");
  const after = await enqueued(request);
  expect(after.length - before).toBe(1);
  expect(after[after.length - 1].user).toBe("iptwo");
  expect(after.filter((b) => b.user === "mailer").length, "mailer never resent by the app").toBe(mailerAttempts);

  // The admin's explicit "Send again…" sends mailer exactly as it was first sent (as mailer2), though
  // the table rebuilt after the reload says mailer.
  await clearFaults(request, "demo");
  await expect(row(page, "mailer").getByTestId("queue-target")).toHaveValue("mailer");
  page.once("dialog", (d) => d.accept());
  await result(page, "mailer").getByTestId("queue-retry-unknown").click();
  await expect(result(page, "mailer")).toHaveAttribute("data-outcome", "queued");
  const last = (await enqueued(request)).at(-1);
  expect(last.user).toBe("mailer");
  expect(last.localuser, "the first call's target name").toBe("mailer2");
});

test("a cPanel-user session: created, its one account queued (AccountRemoteUser) and run", async ({ page, request }) => {
  test.setTimeout(90_000);
  await openApp(page, "demo", "#/new");
  await page.locator('[data-testid="create-mode"][value="user"]').check();
  await page.getByTestId("create-cpanel_host").fill("remote.example.com");
  await page.getByTestId("create-cpanel_user").fill("example");
  await page.getByTestId("create-cpanel_password").fill("suitcase12345");
  await page.getByTestId("create-cpanel-submit").click();
  await expect(page).toHaveURL(/#\/check\/[A-Za-z0-9_]+$/);
  // WHM has no analysis for user sessions: the check page says so and offers the one account
  await expect(page.getByTestId("user-session-note")).toBeVisible();
  await expect(page.getByTestId("queue-row")).toHaveCount(1);
  await expect(page.getByTestId("queue-target")).toHaveValue("example"); // remembered from the create form
  await expect(page.getByTestId("queue-target-verdict")).toHaveAttribute("data-valid", "true");
  await row(page, "example").getByTestId("queue-row-more").click();
  await page.locator('[data-testid="queue-row-options"] [data-testid="queue-option"][data-key="skipbwdata"]').uncheck();
  await screenshot(page, "queue-user-session");
  await submit(page);
  await expect(result(page, "example")).toHaveAttribute("data-outcome", "queued");
  const bodies = await enqueued(request);
  const body = bodies[bodies.length - 1];
  expect(body.module).toBe("AccountRemoteUser");
  expect(body.user).toBe("example");
  expect(body.localuser).toBe("example");
  expect(body.skipbwdata).toBe("1");
  expect(body.detected_remote_user).toBeUndefined();
  expect(JSON.stringify(body)).not.toContain("suitcase");

  await page.getByTestId("queue-run-link").click();
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "PENDING");
  await page.getByTestId("session-start").click();
  await expect(page.getByTestId("session-state")).toHaveAttribute("data-state", "COMPLETED", { timeout: 60_000 });
  await expect(page.locator('[data-testid="item-row"][data-item="example"]').first()).toHaveAttribute("data-outcome", /^(success|warning)$/);
});

test("an option the module's schema lacks is not offered and never sent", async ({ page, request }) => {
  const r = await request.post(`${base("demo")}/__sim/schema`, { data: { module: "AccountRemoteRoot", drop: ["live_transfer", "skipbwdata"] } });
  expect(r.ok()).toBeTruthy();
  await openApp(page, "demo", `#/check/${DEMO}`);
  await queueAccountsOnly(page);
  await queuePlan(page, "example\nmailer\n");
  await expect(row(page, "example").getByTestId("queue-row-more")).toBeVisible();
  await row(page, "example").getByTestId("queue-row-more").click();
  const more = page.locator('[data-testid="queue-row-options"][data-user="example"]');
  await expect(more.locator('[data-testid="queue-option"][data-key="skiphomedir"]')).toBeVisible();
  await expect(more.locator('[data-testid="queue-option"][data-key="skipbwdata"]')).toHaveCount(0);
  await expect(page.locator('[data-testid="queue-option"][data-key="live_transfer"]')).toHaveCount(0);
  await expect(page.locator('#queue-bulk-key option[value="live_transfer"]')).toHaveCount(0);
  await submit(page);
  await expect(page.locator('[data-testid="queue-result"][data-outcome="queued"]')).toHaveCount(2);
  for (const b of await enqueued(request)) {
    expect(b).not.toHaveProperty("live_transfer");
    expect(b).not.toHaveProperty("skipbwdata");
  }
});

// The queue table is built after the page above it has painted: on the next animation frame, or,
// where the browser runs none (a background tab), at once or after a short wait, never not at all.
for (const [what, script] of [
  ["a hidden tab (no animation frames, document.hidden)", () => {
    Object.defineProperty(Document.prototype, "hidden", { get: () => true, configurable: true });
    window.requestAnimationFrame = () => 1;
  }],
  ["a tab hidden after the page asked for a frame (the frame never comes)", () => {
    window.requestAnimationFrame = () => 1;
  }],
]) {
  test(`the queue table is still built in ${what}`, async ({ page }) => {
    await page.addInitScript(script);
    await openApp(page, "demo", `#/check/${DEMO}`);
    await expect(page.getByTestId("queue-row")).toHaveCount(11);
  });
}

test("while items are being queued the table's tools and Refresh wait: what is sent was fixed when Queue was pressed", async ({ page, request }) => {
  await startSlowRun(page, request, 3000);
  const tools = ["queue-select-shown", "queue-unselect-shown", "queue-bulk-apply", "queue-fix-all", "analysis-refresh"];
  for (const id of tools) await expect(page.getByTestId(id), id).toBeDisabled();
  await expect(page.getByTestId("analysis-refresh")).toHaveAttribute("title", /Wait until the items are queued/);
  await expect(result(page, "example")).toHaveAttribute("data-ok", "true");
  await expect(result(page, "mailer")).toHaveAttribute("data-ok", "true");
  await expect(page.getByTestId("queue-submit")).not.toHaveText("Queueing…");
  for (const id of tools) await expect(page.getByTestId(id), id).toBeEnabled();
});

test("fix all keeps the name of an account already queued and renames the one that clashes with it", async ({ page }) => {
  await openApp(page, "demo", `#/check/${DEMO}`);
  await queueAccountsOnly(page);
  await queuePlan(page, "shopone\n"); // shop_one, whose first letters clash with it, is left out
  await submit(page);
  await expect(result(page, "shopone")).toHaveAttribute("data-ok", "true");
  // now shop_one too: the clash is an error, and "fix all" must rename shop_one, as WHM has shopone
  await queuePlan(page, "shop_one\n");
  await page.getByTestId("queue-fix-all").click();
  await expect(page.getByTestId("queue-fix-diff")).toBeVisible();
  await expect(page.locator('[data-testid="queue-fix"][data-user="shop_one"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="queue-fix"][data-user="shopone"]')).toHaveCount(0);
  await page.getByTestId("queue-fix-accept").click();
  await expect(row(page, "shopone").getByTestId("queue-target")).toHaveValue("shopone");
  await expect(row(page, "shop_one").getByTestId("queue-target")).not.toHaveValue("shop_one");
});

test("changes to the table not queued yet are asked about before leaving the page; declined, they stay", async ({ page }) => {
  await openApp(page, "demo", `#/check/${DEMO}`);
  await expect(page.getByTestId("queue-row")).toHaveCount(11);
  // nothing changed yet: leaving asks nothing (an unexpected question would be dismissed and fail below)
  const questions = [];
  const answer = { accept: false };
  page.on("dialog", async (d) => { questions.push(d.message()); await (answer.accept ? d.accept() : d.dismiss()); });
  await page.evaluate(() => { window.location.hash = "#/username"; });
  await expect(page.getByTestId("username-input")).toBeVisible();
  expect(questions).toEqual([]);
  await page.evaluate((id) => { window.location.hash = `#/check/${id}`; }, DEMO);
  await expect(row(page, "example")).toBeVisible();

  await row(page, "example").getByTestId("queue-target").fill("example9");
  await page.evaluate(() => { window.location.hash = "#/username"; });
  await expect.poll(() => questions.length).toBe(1);
  expect(questions[0]).toContain("changes that are not queued yet");
  await expect(page).toHaveURL(new RegExp(`#/check/${DEMO}$`));
  await expect(row(page, "example").getByTestId("queue-target")).toHaveValue("example9");
  // agreed: the page is left, and its changes with it
  answer.accept = true;
  await page.evaluate(() => { window.location.hash = "#/username"; });
  await expect(page.getByTestId("username-input")).toBeVisible();
  expect(questions).toHaveLength(2);
});

test("when the browser cannot remember what was queued, the page says what that means", async ({ page }) => {
  // a full (or disabled) storage for the queue memory only
  await page.addInitScript(() => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (String(key).startsWith("whm-transfer-console.queue.")) throw new DOMException("full", "QuotaExceededError");
      return setItem.call(this, key, value);
    };
  });
  await openApp(page, "demo", `#/check/${DEMO}`);
  await queueAccountsOnly(page);
  await queuePlan(page, "example\n");
  await submit(page);
  await expect(result(page, "example")).toHaveAttribute("data-ok", "true");
  await expect(page.getByTestId("queue-memory-failed")).toContainText("could not remember which items are queued");
});
