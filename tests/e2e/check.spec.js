// The check screen against whm-sim: demo findings, the guide's empty analysis, 10,000 accounts,
// hostile strings, offline inspection and every error banner.
const { test, expect } = require("./fixtures"); // with the leak sweep
const path = require("path");
const { openApp, setFault, resetSim, screenshot, forbidDialogsAndErrors, accessLog, simCalls, ROOT } = require("./helpers");
const { SESSIONS } = require("./scenarios");

const DEMO = SESSIONS.demo;

test.describe("demo scenario", () => {
  test.beforeEach(async ({ request }) => resetSim(request, "demo"));

  test("a session id in the route loads its analysis with every finding", async ({ page }) => {
    const problems = forbidDialogsAndErrors(page);
    await openApp(page, "demo", `#/check/${DEMO}`);
    const summary = page.getByTestId("analysis-summary");
    await expect(summary).toContainText(DEMO);
    await expect(summary).toContainText("remote.example.com");
    await expect(page.getByTestId("summary-accounts")).toHaveText("11");

    const finding = (kind, subject) =>
      page.locator(`[data-testid="finding"][data-kind="${kind}"]${subject ? `[data-subject="${subject}"]` : ""}`);
    await expect(finding("user-exists", "you")).toHaveAttribute("data-severity", "error");
    await expect(finding("group-exists", "you")).toHaveAttribute("data-severity", "error");
    await expect(finding("reserved-username", "testsite")).toHaveAttribute("data-severity", "error");
    await expect(finding("invalid-username", "averyveryverylongname")).toHaveAttribute("data-severity", "error");
    await expect(finding("prefix-collision", "shop_one")).toBeVisible();
    await expect(finding("prefix-collision", "shopone")).toBeVisible();
    await expect(finding("prefix-collision", "big_shop")).toBeVisible();
    await expect(finding("db-conflict").first()).toBeVisible();
    await expect(finding("dedicated-ip-shortage")).toHaveCount(1);
    // errors are listed first
    const severities = await page.getByTestId("finding").evaluateAll((els) => els.map((e) => e.dataset.severity));
    const order = { error: 0, warning: 1, info: 2 };
    expect([...severities].sort((a, b) => order[a] - order[b])).toEqual(severities);

    // the accounts table, and a finding's subject link filters it
    await expect(page.getByTestId("account-row")).toHaveCount(11);
    await finding("user-exists", "you").getByRole("button", { name: "you" }).click();
    await expect(page.getByTestId("account-row")).toHaveCount(1);
    await expect(page.getByTestId("account-row").first()).toHaveAttribute("data-user", "you");
    await screenshot(page, "check-demo");
    await page.emulateMedia({ colorScheme: "dark" });
    await screenshot(page, "check-demo-dark");
    expect(problems).toEqual([]);
  });

  test("typing an id and pressing Load puts it in the route; reload keeps the view", async ({ page }) => {
    await openApp(page, "demo", "#/check");
    await page.getByTestId("session-id-input").fill(DEMO);
    await page.getByTestId("analysis-load").click();
    await expect(page).toHaveURL(new RegExp(`#/check/${DEMO}$`));
    await expect(page.getByTestId("analysis-summary")).toBeVisible();
    await page.reload();
    await expect(page.getByTestId("analysis-summary")).toContainText(DEMO);
  });

  test("an invalid id is refused in the browser before any call", async ({ page }) => {
    await openApp(page, "demo", "#/check");
    const before = accessLog("demo").filter((l) => l.includes("retrieve_transfer_session_remote_analysis")).length;
    await page.getByTestId("session-id-input").fill("bad id; drop");
    await page.getByTestId("analysis-load").click();
    await expect(page.getByTestId("session-id-error")).toContainText("may only contain alphanumeric characters and underscores");
    await expect(page.getByTestId("session-id-input")).toHaveValue("bad id; drop");
    const after = accessLog("demo").filter((l) => l.includes("retrieve_transfer_session_remote_analysis")).length;
    expect(after).toBe(before);
  });

  test("an unknown session shows WHM's reason in the API banner", async ({ page }) => {
    await openApp(page, "demo", "#/check/nosuchsession");
    const banner = page.getByTestId("error-banner");
    await expect(banner).toHaveAttribute("data-kind", "api");
    await expect(banner).toContainText("The session ID “nosuchsession” does not exist.");
  });

  test("sorting and filtering the accounts table", async ({ page }) => {
    await openApp(page, "demo", `#/check/${DEMO}`);
    await page.getByTestId("sort-disk").click(); // largest first
    await expect(page.getByTestId("account-row").first()).toHaveAttribute("data-user", "big_shop");
    await page.getByTestId("sort-disk").click(); // smallest first
    await expect(page.getByTestId("account-row").first()).toHaveAttribute("data-user", "averyveryverylongname");
    await page.getByTestId("account-finding-filter").selectOption("user-exists");
    await expect(page.getByTestId("account-row")).toHaveCount(1);
    await page.getByTestId("account-finding-filter").selectOption("");
    await page.getByTestId("account-owner-filter").selectOption("res1");
    const owners = await page.locator('[data-testid="account-row"] .col-owner').allTextContents();
    expect(owners.length).toBeGreaterThan(0);
    expect(new Set(owners)).toEqual(new Set(["res1"]));
  });

  test("Refresh re-runs the remote analysis, then reloads it", async ({ page }) => {
    await openApp(page, "demo", `#/check/${DEMO}`);
    await expect(page.getByTestId("analysis-summary")).toBeVisible();
    const analyzed = page.waitForResponse((r) => r.url().endsWith("/json-api/analyze_transfer_session_remote"));
    const reloaded = page.waitForResponse((r) => r.url().endsWith("/json-api/retrieve_transfer_session_remote_analysis"));
    await page.getByTestId("analysis-refresh").click();
    expect((await analyzed).status()).toBe(200);
    await reloaded;
    await expect(page.getByTestId("analysis-refresh")).toBeEnabled();
    await expect(page.getByTestId("finding").first()).toBeVisible();
  });

  test("a Refresh outlives its page: back during it, the page shows it running, and only one analysis is sent", async ({ page, request }) => {
    await openApp(page, "demo", `#/check/${DEMO}`);
    await expect(page.getByTestId("analysis-summary")).toBeVisible();
    // WHM takes a while to analyse; the admin looks at the start page meanwhile, then comes back
    await setFault(request, "demo", { function: "analyze_transfer_session_remote", kind: "delay", delay_ms: 5000, times: 1 });
    const sent = page.waitForRequest((r) => r.url().endsWith("/json-api/analyze_transfer_session_remote"));
    await page.getByTestId("analysis-refresh").click();
    await sent;
    await page.evaluate(() => { window.location.hash = "#/"; });
    await expect(page.getByTestId("home")).toBeVisible();
    const analyzed = page.waitForResponse((r) => r.url().endsWith("/json-api/analyze_transfer_session_remote"));
    await page.evaluate((id) => { window.location.hash = `#/check/${id}`; }, DEMO);
    await expect(page.getByTestId("analysis-summary")).toBeVisible();
    const refresh = page.getByTestId("analysis-refresh");
    await expect(refresh).toBeDisabled();
    await expect(refresh).toHaveText("Refreshing…");
    await expect(page.getByTestId("analysis-load")).toBeDisabled();
    // its answer still comes to the app, which then reads the new analysis (the load on coming back
    // has been answered: its summary is on screen)
    const reread = page.waitForResponse((r) => r.url().endsWith("/json-api/retrieve_transfer_session_remote_analysis"));
    expect((await analyzed).status()).toBe(200);
    expect((await reread).status()).toBe(200);
    await expect(refresh).toBeEnabled();
    await expect(refresh).toHaveText("Refresh");
    const calls = await simCalls(request, "demo");
    expect(calls.analyze_transfer_session_remote).toBe(1);
    // the first load, the load on coming back, and the read after the analysis
    expect(calls.retrieve_transfer_session_remote_analysis).toBe(3);
    await expect(page.getByTestId("error-banner")).toHaveCount(0);
  });

  test("a Refresh that fails says so on the page", async ({ page, request }) => {
    await openApp(page, "demo", `#/check/${DEMO}`);
    await expect(page.getByTestId("analysis-summary")).toBeVisible();
    await setFault(request, "demo", { function: "analyze_transfer_session_remote", kind: "result0", reason: "The remote server refused the analysis.", times: 1 });
    await page.getByTestId("analysis-refresh").click();
    const banner = page.getByTestId("error-banner");
    await expect(banner).toHaveAttribute("data-kind", "api");
    await expect(banner).toContainText("The remote server refused the analysis.");
    // the analysis from before stays on screen, and Refresh can be asked for again
    await expect(page.getByTestId("analysis-summary")).toContainText(DEMO);
    await expect(page.getByTestId("analysis-refresh")).toBeEnabled();
  });

  test("a redirect is never followed: WHM's call is not sent on elsewhere, and the page says why", async ({ page, request }) => {
    // (a request the browser really makes to the redirect's target is caught here and answered)
    const elsewhere = [];
    await page.route("http://127.0.0.1:9/**", (route) => {
      elsewhere.push(route.request().url());
      return route.fulfill({ status: 200, contentType: "application/json", body: "{}" });
    });
    await setFault(request, "demo", { function: "retrieve_transfer_session_remote_analysis", kind: "redirect", times: 1 });
    await openApp(page, "demo", `#/check/${DEMO}`);
    const banner = page.getByTestId("error-banner");
    await expect(banner).toHaveAttribute("data-kind", "network");
    await expect(banner).toContainText("WHM answered with a redirect to another address, which the console does not follow");
    expect(elsewhere).toEqual([]);
  });

  test("findings and accounts export as files", async ({ page }) => {
    await openApp(page, "demo", `#/check/${DEMO}`);
    await expect(page.getByTestId("analysis-summary")).toBeVisible();
    const read = async (testid) => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testid).click()]);
      const stream = await download.createReadStream();
      let text = "";
      for await (const chunk of stream) text += chunk;
      return { name: download.suggestedFilename(), text };
    };
    const csv = await read("export-findings-csv");
    expect(csv.name).toBe(`${DEMO}-findings.csv`);
    expect(csv.text.split("\r\n")[0]).toBe("severity,kind,subject_type,subject,message,fix");
    expect(csv.text).toContain("error,user-exists,account,you,");
    const accounts = await read("export-accounts-csv");
    expect(accounts.text.trim().split("\r\n")).toHaveLength(12);
    const json = JSON.parse((await read("export-json")).text);
    expect(json.totals.accounts).toBe(11);
    expect(json.findings.some((f) => f.kind === "group-exists" && f.subject.name === "you")).toBeTruthy();
    const md = await read("export-markdown");
    expect(md.text).toContain(`# Transfer check: ${DEMO}`);
  });

  test("no WHM call ever carries parameters in its URL", async ({ page }) => {
    await openApp(page, "demo", `#/check/${DEMO}`);
    await expect(page.getByTestId("analysis-summary")).toBeVisible();
    const api = accessLog("demo").filter((l) => l.includes("/json-api/"));
    expect(api.length).toBeGreaterThan(0);
    for (const line of api) expect(line).not.toMatch(/\?/);
  });
});

test.describe("fault banners", () => {
  test.beforeEach(async ({ request }) => resetSim(request, "demo"));
  test.afterEach(async ({ request }) => resetSim(request, "demo"));

  const cases = [
    ["http500", "http", "HTTP error 500"],
    ["html", "session-lost", "Your WHM session ended"],
    ["malformed", "malformed", "could not be read"],
    ["truncated", "malformed", "cut short"],
    ["drop", "network", "could not reach WHM"],
  ];
  for (const [fault, kind, words] of cases) {
    test(`${fault} → ${kind} banner, input kept`, async ({ page, request }) => {
      await setFault(request, "demo", { function: "retrieve_transfer_session_remote_analysis", kind: fault });
      await openApp(page, "demo", `#/check/${DEMO}`);
      const banner = page.getByTestId("error-banner");
      await expect(banner).toHaveAttribute("data-kind", kind);
      await expect(banner).toContainText(words);
      await expect(banner.locator(".next")).not.toBeEmpty();
      await expect(page.getByTestId("session-id-input")).toHaveValue(DEMO);
      if (fault === "http500") await screenshot(page, "banner-http");
    });
  }

  test("an expired WHM session → session-lost banner telling the admin to log in again", async ({ page, request }) => {
    await setFault(request, "demo", { function: "retrieve_transfer_session_remote_analysis", kind: "expire", after_calls: 0 });
    await openApp(page, "demo", `#/check/${DEMO}`);
    const banner = page.getByTestId("error-banner");
    await expect(banner).toHaveAttribute("data-kind", "session-lost");
    await expect(banner).toContainText("Log in to WHM again");
    // the page holds the old token, so it must be reloaded, and the banner says what that loses
    await expect(banner).toContainText("reload this page");
    await expect(banner).toContainText("has not sent yet");
    await expect(banner.getByRole("link", { name: "Open the WHM login" })).toBeVisible();
    await screenshot(page, "banner-session-lost");
  });

  test("a reply slower than the call's time limit → timeout banner", async ({ page, request }) => {
    test.setTimeout(60_000);
    await openApp(page, "demo", "#/username");
    await setFault(request, "demo", { function: "validate_system_user", kind: "delay", delay_ms: 17_000 });
    await page.getByTestId("username-input").fill("slowpoke");
    await expect(page.getByTestId("error-banner")).toHaveAttribute("data-kind", "timeout", { timeout: 25_000 });
  });
});

test("the guide's empty analysis renders", async ({ page }) => {
  await openApp(page, "guide-empty", `#/check/${SESSIONS["guide-empty"]}`);
  await expect(page.getByTestId("analysis-summary")).toContainText("exampleservercopya20140206192428NtyW");
  await expect(page.getByTestId("summary-accounts")).toHaveText("0");
  await expect(page.locator('[data-testid="finding"][data-kind="no-items"]')).toHaveAttribute("data-severity", "info");
  await expect(page.getByTestId("account-row")).toHaveCount(0);
  await screenshot(page, "check-guide-empty");
});

test("a 10,000-account analysis loads and scrolls with only a window of rows in the DOM", async ({ page }) => {
  test.setTimeout(90_000);
  const problems = forbidDialogsAndErrors(page);
  await page.goto("http://127.0.0.1:28103/");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-connected", "true");
  await page.evaluate((h) => { window.location.hash = h; }, `#/check/${SESSIONS.large}`);
  await expect(page.getByTestId("summary-accounts")).toHaveText("10,000", { timeout: 30_000 });
  await expect(page.getByTestId("account-count")).toContainText("10,000 accounts");
  const rendered = await page.getByTestId("account-row").count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(100);
  const scroller = page.getByTestId("account-scroll");
  const firstUser = await page.getByTestId("account-row").first().getAttribute("data-user");
  await scroller.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await expect(page.getByTestId("account-row").first()).not.toHaveAttribute("data-user", firstUser);
  const lastRows = await page.getByTestId("account-row").count();
  expect(lastRows).toBeLessThan(100);
  await screenshot(page, "check-large");
  expect(problems).toEqual([]);
});

test("hostile strings render as text: no script runs, no dialog opens", async ({ page }) => {
  const problems = forbidDialogsAndErrors(page);
  await page.goto("http://127.0.0.1:28104/");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-connected", "true");
  await page.evaluate((h) => { window.location.hash = h; }, `#/check/${SESSIONS.hostile}`);
  await expect(page.getByTestId("analysis-summary")).toBeVisible();
  await expect(page.locator("body")).toContainText("<script>alert(1)</script>");
  // a bidi override in a remote name shows as an escape, in the accounts table as everywhere else
  const rtl = page.locator('[data-testid="account-row"][data-user="rtl\u202eresu"]');
  await expect(rtl.locator(".col-user")).toHaveText("rtl\\u{202e}resu");
  await expect(rtl.locator(".col-domain")).toHaveText("\\u{202e}moc.elpmaxe");
  await expect(page.getByTestId("package-row").filter({ hasText: "tluafed" })).toContainText("\\u{202e}tluafed");
  await expect(page.locator(".nodes")).toContainText("\\u{202e}evil.example");
  expect(await page.locator("main").evaluate((m) => m.innerText.includes("\u202e")), "no bidi override is shown unescaped").toBe(false);
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.locator("main script").count()).toBe(0);
  // very long remote strings wrap or are cut: the page never scrolls sideways
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await screenshot(page, "check-hostile");
  expect(problems).toEqual([]);
});

test.describe("offline inspection", () => {
  const fixture = path.join(ROOT, "tests", "fixtures", "guide", "retrieve_transfer_session_remote_analysis.json");

  test("pick a saved analysis file", async ({ page }) => {
    await openApp(page, "demo", "#/check");
    await page.getByTestId("analysis-file").setInputFiles(fixture);
    await expect(page.getByTestId("analysis-summary")).toContainText("the file “retrieve_transfer_session_remote_analysis.json”");
    await expect(page.locator('[data-testid="finding"][data-kind="no-items"]')).toBeVisible();
  });

  test("paste a saved analysis without its envelope", async ({ page }) => {
    await openApp(page, "demo", "#/check");
    const populated = require(path.join(ROOT, "tests", "fixtures", "populated-analysis.json"));
    await page.getByTestId("analysis-paste").fill(JSON.stringify(populated.data));
    await page.getByTestId("analysis-paste-load").click();
    await expect(page.getByTestId("analysis-summary")).toContainText("pasted text");
    await expect(page.getByTestId("account-row")).toHaveCount(1);
    await expect(page.getByTestId("account-row")).toHaveAttribute("data-user", "bob");
    await screenshot(page, "check-offline-paste");
  });

  test("garbage paste → malformed banner, text kept", async ({ page }) => {
    await openApp(page, "demo", "#/check");
    await page.getByTestId("analysis-paste").fill('{"data": {"local": ');
    await page.getByTestId("analysis-paste-load").click();
    await expect(page.getByTestId("error-banner")).toHaveAttribute("data-kind", "malformed");
    await expect(page.getByTestId("analysis-paste")).toHaveValue('{"data": {"local": ');
  });
});
