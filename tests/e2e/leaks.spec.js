// The leak sweep itself (tests/e2e/fixtures.js) can fail: each test below plants a secret where it
// must never be and is marked as expected to fail, so it passes only if the sweep catches it.
const { test, expect } = require("./fixtures");
const { openApp, base } = require("./helpers");

test("the sweep catches a password kept in localStorage", async ({ page }) => {
  test.fail();
  await openApp(page, "demo", "#/");
  await page.evaluate(() => localStorage.setItem("planted", "luggage12345"));
});

test("the sweep catches a password in a request URL", async ({ page }) => {
  test.fail();
  await openApp(page, "demo", "#/");
  await page.evaluate(async (url) => { await fetch(url); }, `${base("demo")}/__sim/health?p=suitcase12345`);
});

test("the sweep catches a password shown in the page", async ({ page }) => {
  test.fail();
  await openApp(page, "demo", "#/");
  await page.evaluate(() => { document.body.append(document.createTextNode("luggage12345")); });
  await expect(page.locator("body")).toContainText("luggage12345");
});
