// End-to-end tests: Debian's Chromium (never a browser download) against whm-sim, one simulator per
// scenario. Playwright starts the simulators before the tests and stops them afterwards.
const { defineConfig } = require("@playwright/test");
const { SCENARIOS, SIM_SCENARIO, SPEED } = require("./tests/e2e/scenarios");

const simulator = (name, port) => ({
  command:
    `target/release/whm-sim --dist dist --scenario ${SIM_SCENARIO[name] || name} --port ${port} --token 0123456789` +
    ` --speed ${SPEED[name] || 50} --access-log target/e2e/access-${name}.log`,
  url: `http://127.0.0.1:${port}/__sim/health`,
  reuseExistingServer: false,
  timeout: 60_000,
  stdout: "ignore",
  stderr: "pipe",
});

module.exports = defineConfig({
  testDir: "tests/e2e",
  testMatch: /.*\.spec\.js/,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: "target/e2e/results",
  use: {
    headless: true,
    viewport: { width: 1360, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: Object.entries(SCENARIOS).map(([name, port]) => simulator(name, port)),
});
