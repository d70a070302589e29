// The username validator against whm-sim: every rule from the UI, the server's verdict beside it,
// out-of-order answers, bulk mode.
const { test, expect } = require("./fixtures"); // with the leak sweep
const { openApp, resetSim, setFault, screenshot, forbidDialogsAndErrors } = require("./helpers");

test.beforeEach(async ({ request }) => resetSim(request, "demo"));

// name → a rule it must break (with the default context: transfer, DB prefixing on, 16 characters)
const RULES = [
  ["", "empty"],
  ["abcdefghijklmnopq", "too-long"],
  ["Bob", "uppercase"],
  ["bob smith", "bad-char"],
  ["ñandu", "bad-char"],
  ["1bob", "bad-first-char"],
  ["root", "reserved-name"],
  ["tester", "reserved-prefix"],
  ["mypassword", "reserved-suffix"],
  ["abc.lock", "reserved-suffix"],
  ["_1", "digits-and-punctuation-only"],
  ["-x", "bad-first-char"],
  ["123", "digits-and-punctuation-only"],
];

test("every username rule is reached from the UI", async ({ page }) => {
  const problems = forbidDialogsAndErrors(page); // no panic, no CSP violation
  await openApp(page, "demo", "#/username");
  const input = page.getByTestId("username-input");
  const local = page.getByTestId("username-local-verdict");
  for (const [name, rule] of RULES) {
    await input.fill(name === "" ? "x" : name);
    if (name === "") await input.fill("");
    if (name === "") {
      await expect(local).toContainText("Type a username");
      continue;
    }
    await expect(local).toHaveAttribute("data-valid", "false");
    await expect(page.locator(`[data-testid="username-reason"][data-rule="${rule}"]`)).toBeVisible();
  }
  // rules that depend on the context controls
  await page.getByTestId("username-purpose").selectOption("new");
  await input.fill("a_b");
  await expect(page.locator('[data-testid="username-reason"][data-rule="underscore-with-db-prefix"]')).toBeVisible();
  await page.getByTestId("username-db-prefixing").uncheck();
  await expect(page.locator('[data-testid="username-reason"][data-rule="underscore-with-db-prefix"]')).toHaveCount(0);
  await input.fill("a.b");
  await expect(page.locator('[data-testid="username-reason"][data-rule="dot-in-new-account"]')).toBeVisible();
  await page.getByTestId("username-purpose").selectOption("transfer");
  await expect(page.getByTestId("username-local-verdict")).toHaveAttribute("data-valid", "true");
  // prefix collisions come from the bulk list
  await page.getByTestId("username-prefix-length").selectOption("8");
  await page.getByTestId("username-bulk-input").fill("longusername1\nlongusername2\nshop_one shopone\nokname");
  await expect(page.locator('[data-testid="username-bulk-row"][data-user="longusername1"]')).toHaveAttribute("data-valid", "false");
  await expect(page.locator('[data-testid="username-bulk-row"][data-user="okname"]')).toHaveAttribute("data-valid", "true");
  await expect(page.getByTestId("username-bulk-collision")).toHaveCount(2);
  await screenshot(page, "username-bulk");
  expect(problems).toEqual([]);
});

test("a valid name passes locally and the server's verdict appears beside it", async ({ page }) => {
  await openApp(page, "demo", "#/username");
  await page.getByTestId("username-input").fill("freshname");
  await expect(page.getByTestId("username-local-verdict")).toHaveAttribute("data-valid", "true");
  const server = page.getByTestId("username-server-verdict");
  await expect(server).toHaveAttribute("data-user", "freshname");
  await expect(server).toHaveAttribute("data-exists", "0");
  await expect(server).toHaveAttribute("data-reserved", "0");
  await expect(server).toHaveAttribute("data-valid-for-transfer", "1");
  await expect(server).toHaveAttribute("data-valid-for-new", "1");
  await expect(page.getByTestId("username-reconcile")).toContainText("Both agree");
});

test("an existing user: the server says exists, and the sentence says what to do", async ({ page }) => {
  await openApp(page, "demo", "#/username");
  await page.getByTestId("username-input").fill("you");
  const server = page.getByTestId("username-server-verdict");
  await expect(server).toHaveAttribute("data-exists", "1");
  await expect(page.getByTestId("username-reconcile")).toContainText("already exists on the server");
  await screenshot(page, "username-exists");
});

test("a late answer for an older input never replaces the newer one", async ({ page, request }) => {
  await openApp(page, "demo", "#/username");
  await setFault(request, "demo", { function: "validate_system_user", kind: "delay", delay_ms: 2500, match: { user: "bo" } });
  const slowAnswer = page.waitForResponse((r) => r.url().includes("validate_system_user") && (r.request().postData() || "").endsWith("user=bo"));
  const slowSent = page.waitForRequest((r) => r.url().includes("validate_system_user") && (r.postData() || "").endsWith("user=bo"));
  const input = page.getByTestId("username-input");
  await input.fill("bo");
  await slowSent; // the server is now working on "bo"
  await input.fill("bob");
  const server = page.getByTestId("username-server-verdict");
  await expect(server).toHaveAttribute("data-user", "bob");
  await slowAnswer; // the stale answer for "bo" has arrived…
  await expect(page.getByTestId("username-server")).toHaveAttribute("data-dropped", "1"); // …was dropped…
  await expect(server).toHaveAttribute("data-user", "bob"); // …and was not shown
  await expect(page.getByTestId("username-input")).toHaveValue("bob");
});
