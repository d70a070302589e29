// The fault matrix (issue 13): every WHM call the console makes × every fault whm-sim can inject
// (sim/README.md, "Fault kinds"), one test per cell, all generated from the two tables below.
//
// Each cell installs one fault (`times: 1`: only the call under test meets it), makes the call the way an
// admin would, and checks:
//   - the banner (`error-banner` and its `data-kind`, src/ui/banner.rs) or, for the live view, its status;
//   - that what the admin entered is kept (the session id, the username, the create form's fields…);
//   - that nothing was retried by itself: the page clock is run 29 s ahead, then the call counts (the
//     page's own requests and the simulator's /__sim/calls) must be exactly what the admin caused. Only the
//     live tail, a read that is safe to repeat, reconnects by itself, with backoff;
//   - that the app is alive afterwards: a real user action that needs the wasm (load again, type another
//     name, create again, queue again, press the control again, Retry the live view) works.
//
// Time limits are the client's own (src/whm/request.rs, src/client/mod.rs): 15 s for validate_system_user,
// 30 s for enqueue and pause, 120 s for the analysis, start and abort, 600 s for create, 45 s of silence
// for the live tail. The "timeout" cells do not wait that long: the page's clock (Playwright's
// page.clock) is run past the limit while the simulator holds the reply. For reads that reply is a
// 600 s `delay`; for mutations it is a `stall` (headers, then nothing), so no delayed mutation lands on
// the simulator later.
const { test, expect } = require("./fixtures"); // with the leak sweep
const { openApp, resetSim, clearFaults, setFault, simCalls, simRequests, base, screenshot } = require("./helpers");
const { SESSIONS, TOKEN } = require("./scenarios");

const SIM = "faults";
const DEMO = SESSIONS.faults; // PENDING, nothing queued
const STALE = "staleservercopya20250102030405Stale1"; // RUNNING, its processor gone: pause → FAILED

/** After an error, how far the page clock is run ahead: an automatic retry would go out meanwhile. */
const RETRY_WINDOW_MS = 29_000;

/**
 * The columns: each fault, and what the console shows for a json-api call that meets it.
 * `ran`: the simulator carries the call out although the answer is bad (its side effects happen).
 * `unknown`: for a mutation, WHM may have done it (WhmError::outcome_unknown).
 */
const FAULTS = {
  delay: { what: "a slow answer, within the time limit", spec: { kind: "delay", delay_ms: 1500 }, ok: true, ran: true },
  timeout: { what: "no answer within the call's time limit", kind: "timeout", words: "did not answer within", unknown: true },
  http500: { what: "HTTP 500", spec: { kind: "http500" }, kind: "http", words: "HTTP error 500", unknown: true },
  http502: { what: "HTTP 502 (a proxy)", spec: { kind: "http502" }, kind: "http", words: "HTTP error 502", unknown: true },
  http504: { what: "HTTP 504 (a proxy's time limit)", spec: { kind: "http504" }, kind: "http", words: "HTTP error 504", unknown: true },
  html: { what: "WHM's HTML login page instead of JSON", spec: { kind: "html" }, kind: "session-lost", words: "Your WHM session ended" },
  denied: { what: "403 cpanelresult “Access denied”", spec: { kind: "denied" }, kind: "session-lost", words: "Your WHM session ended" },
  malformed: { what: "invalid JSON", spec: { kind: "malformed" }, kind: "malformed", words: "could not be read", unknown: true },
  truncated: { what: "JSON cut in half (the call ran)", spec: { kind: "truncated" }, kind: "malformed", words: "cut short", unknown: true, ran: true },
  drop: { what: "the connection closed without a reply", spec: { kind: "drop" }, kind: "network", words: "could not reach WHM", unknown: true },
  result0: { what: "metadata.result 0 (the call ran)", spec: { kind: "result0" }, kind: "api", words: "The simulator was told to fail this call.", ran: true },
  huge: { what: "a valid 100 MiB reply", spec: { kind: "huge" }, kind: "too-large", words: "larger than", unknown: true },
  deep: { what: "valid JSON nested 10,000 deep", spec: { kind: "deep" }, kind: "malformed", words: "could not be read", unknown: true },
  nonewline: { what: "a 100 MiB stream with no newline", spec: { kind: "nonewline" } },
  stall: { what: "headers, then nothing, never an end", spec: { kind: "stall" } },
};

const JSON_ONLY = "a live-tail fault: a json-api reply is read whole, capped (the huge cell) and timed (the timeout cell, made with a stall for mutations)";

/** Counts what the page itself sends to one URL (a browser's silent resend on a reused connection is not a new request). */
function countSends(page, suffix, also = () => true) {
  const sent = [];
  page.on("request", (r) => { if (r.url().split("?")[0].endsWith(suffix) && also(r.url())) sent.push(r.url()); });
  return sent;
}

/** Logs the API request context in as the page does (GET / sets WHM's cookie), for calls made directly. */
async function login(request) {
  const r = await request.get(`${base(SIM)}/`);
  expect(r.ok()).toBeTruthy();
}

async function enqueueDirectly(request, users) {
  await login(request);
  for (const user of users) {
    const r = await request.post(`${base(SIM)}${TOKEN}/json-api/enqueue_transfer_item`, {
      form: { "api.version": "1", transfer_session_id: DEMO, module: "AccountRemoteRoot", user, localuser: `${user}9`, size: "1048576", skipres: "1" },
    });
    expect(String((await r.json()).metadata.result)).toBe("1");
  }
}

async function simCount(request, fn) {
  return (await simCalls(request, SIM))[fn] || 0;
}

const controlBanner = (page) => page.getByTestId("error-banner").filter({ hasText: "The control:" });
const state = (page) => page.getByTestId("session-state");

/** A session control row: `id` opened at `from`, `press`ed, ends in `to` once WHM has done it. */
function control(name, fn, limitMs, id, from, to, prepare = async () => {}) {
  return {
    fn,
    mutating: true,
    limitMs,
    async open(page, request) {
      await prepare(request);
      await openApp(page, SIM, `#/session/${id}`);
      await expect(state(page)).toHaveAttribute("data-state", from);
    },
    trigger: (page) => page.getByTestId(`session-${name}`).click(),
    banner: controlBanner,
    async kept(page) {
      await expect(page).toHaveURL(new RegExp(`#/session/${id}$`));
      await expect(page.locator("h1 code")).toHaveText(id);
    },
    async succeeded(page) {
      await expect(state(page)).toHaveAttribute("data-state", to);
    },
    /** After the fault: if WHM did it, the state read shows it; else pressing again does it. */
    async alive(page, cell) {
      if (cell.ran) {
        await expect(state(page)).toHaveAttribute("data-state", to);
        return 0;
      }
      await expect(page.getByTestId(`session-${name}`)).toBeEnabled();
      await page.getByTestId(`session-${name}`).click();
      await expect(state(page)).toHaveAttribute("data-state", to);
      await expect(controlBanner(page)).toHaveCount(0);
      return 1;
    },
  };
}

const queueRow = (page, user) => page.locator(`[data-testid="queue-result"][data-user="${user}"]`);

/**
 * The rows: each call, how to reach it, where its banner is, what must be kept, and the action that
 * proves the app alive afterwards (it returns how many more calls of `fn` that action sends).
 */
const CALLS = {
  analysis: {
    fn: "retrieve_transfer_session_remote_analysis",
    limitMs: 120_000,
    async open() {},
    trigger: (page) => openApp(page, SIM, `#/check/${DEMO}`),
    banner: (page) => page.getByTestId("error-banner"),
    kept: (page) => expect(page.getByTestId("session-id-input")).toHaveValue(DEMO),
    succeeded: (page) => expect(page.getByTestId("analysis-summary")).toContainText("remote.example.com"),
    async alive(page) {
      await page.getByTestId("analysis-load").click();
      await expect(page.getByTestId("analysis-summary")).toContainText("remote.example.com");
      await expect(page.getByTestId("error-banner")).toHaveCount(0);
      return 1;
    },
  },
  username: {
    fn: "validate_system_user",
    limitMs: 15_000,
    open: (page) => openApp(page, SIM, "#/username"),
    trigger: (page) => page.getByTestId("username-input").fill("newname1"),
    banner: (page) => page.getByTestId("username-server").getByTestId("error-banner"),
    kept: (page) => expect(page.getByTestId("username-input")).toHaveValue("newname1"),
    succeeded: (page) => expect(page.locator('[data-testid="username-server-verdict"][data-user="newname1"]')).toHaveAttribute("data-exists", "0"),
    async alive(page) {
      await page.getByTestId("username-input").fill("newname2");
      await expect(page.locator('[data-testid="username-server-verdict"][data-user="newname2"]')).toHaveAttribute("data-exists", "0");
      return 1;
    },
  },
  create: {
    fn: "create_remote_root_transfer_session",
    mutating: true,
    limitMs: 600_000,
    async open(page) {
      await openApp(page, SIM, "#/new");
      await page.getByTestId("create-host").fill("remote.example.com");
      await page.getByTestId("create-password").fill("luggage12345");
    },
    trigger: (page) => page.getByTestId("create-submit").click(),
    banner: (page) => page.getByTestId("error-banner"),
    async kept(page, cell) {
      await expect(page.getByTestId("create-host")).toHaveValue("remote.example.com");
      await expect(page.getByTestId("create-password")).toHaveValue("luggage12345");
      // a failure after which WHM may have created it never invites a plain retry
      const maybe = page.getByTestId("error-banner").getByText("may have been created anyway");
      await expect(maybe).toHaveCount(cell.unknown ? 1 : 0);
      await expect(page.getByTestId("error-banner").getByRole("button", { name: "Try again" })).toHaveCount(0);
    },
    succeeded: (page) => expect(page).toHaveURL(/#\/check\/remoteexamplecopya\d{14}[0-9A-Za-z]+$/),
    async alive(page) {
      await page.getByTestId("create-submit").click();
      await expect(page).toHaveURL(/#\/check\/remoteexamplecopya\d{14}[0-9A-Za-z]+$/);
      await expect(page.getByTestId("analysis-summary")).toContainText("remote.example.com");
      return 1;
    },
  },
  // The queue panel is being rebuilt (src/ui/queue.rs): these cells use only `queue-submit` and
  // `queue-result` (data-user, data-outcome) and queue what the panel offers by default.
  enqueue: {
    fn: "enqueue_transfer_item",
    mutating: true,
    perItem: true,
    limitMs: 30_000,
    async open(page) {
      await openApp(page, SIM, `#/check/${DEMO}`);
      await expect(page.getByTestId("queue-submit")).toBeEnabled();
    },
    trigger: (page) => page.getByTestId("queue-submit").click(),
    // WHM's own refusal (result 0) is a refused row, not a banner
    banner: (page) => page.getByTestId("error-banner").filter({ hasText: "Queueing stopped" }),
    async kept(page, cell, request) {
      // a cell without a banner to wait for gets here as soon as Queue is clicked: wait for the call
      await expect.poll(async () => (await simRequests(request, SIM, "enqueue_transfer_item")).length).toBeGreaterThan(0);
      const [first] = await simRequests(request, SIM, "enqueue_transfer_item");
      const params = first.body || first.query;
      cell.faultedUser = params.user || params.package || params.featurelist || params.name; // the item's primary key: feature lists and packages are queued first
      // the item that met the fault: refused by WHM, not sent (the login was refused) or unknown
      await expect(queueRow(page, cell.faultedUser)).toHaveAttribute("data-outcome", cell.queueOutcome);
      // the rest is still there, not sent, and offered again
      cell.rows = await page.getByTestId("queue-result").count();
      expect(cell.rows).toBeGreaterThan(1);
      await expect(page.locator('[data-testid="queue-result"][data-outcome="not-sent"]')).toHaveCount(cell.rows - (cell.queueOutcome === "not-sent" ? 0 : 1));
      await expect(page.getByTestId("queue-submit")).toBeEnabled();
    },
    async succeeded(page) {
      await expect(page.locator('[data-testid="queue-result"][data-outcome="queued"]').first()).toBeVisible();
      await expect(page.locator('[data-testid="queue-result"]:not([data-outcome="queued"])')).toHaveCount(0);
    },
    async alive(page, cell) {
      await page.getByTestId("queue-submit").click();
      const others = page.locator(`[data-testid="queue-result"]:not([data-user="${cell.faultedUser}"])`);
      if (cell.queueOutcome === "refused") {
        // result 0 came after WHM had queued it (the simulator runs the call): sent again, WHM says so
        await expect(queueRow(page, cell.faultedUser)).toContainText("already exists in the queue");
        await expect(others.and(page.locator('[data-outcome="not-sent"]'))).toHaveCount(cell.rows - 1);
        return 1;
      }
      await expect(others.and(page.locator('[data-outcome="queued"]'))).toHaveCount(cell.rows - 1);
      // an unknown item is never sent again by itself; one WHM never got is
      const again = cell.queueOutcome === "not-sent";
      await expect(queueRow(page, cell.faultedUser)).toHaveAttribute("data-outcome", again ? "queued" : "unknown");
      return cell.rows - 1 + (again ? 1 : 0);
    },
  },
  start: control("start", "start_transfer_session", 120_000, DEMO, "PENDING", /^(RUNNING|COMPLETED)$/, (request) => enqueueDirectly(request, ["example"])),
  pause: control("pause", "pause_transfer_session", 30_000, STALE, "RUNNING", "FAILED"),
  abort: control("abort", "abort_transfer_session", 120_000, DEMO, "PENDING", "FAILED"),
};

/** Per-cell differences from the FAULTS column, and cells that do not apply (with the reason). */
const CELLS = {
  "enqueue × result0": { kind: null }, // WHM's refusal of an item is its row ("refused"), not a banner
  // A function that answers metadata only (no data) reads a success envelope as success whatever its
  // data holds: the reply said result 1. The simulator did not carry the call out, so the state read
  // that follows shows it did not happen and the control is offered again.
  "pause × deep": { kind: null },
  "abort × deep": { kind: null },
  // …and an enqueue answered so is queued: the run goes on with the next item
  "enqueue × deep": { ok: true },
};
for (const call of Object.keys(CALLS)) {
  CELLS[`${call} × nonewline`] = { na: JSON_ONLY };
  CELLS[`${call} × stall`] = { na: JSON_ONLY };
}

function cellOf(callName, faultName) {
  const call = CALLS[callName];
  const cell = { ...FAULTS[faultName], ...(CELLS[`${callName} × ${faultName}`] || {}) };
  if (faultName === "timeout") {
    cell.spec = call.mutating ? { kind: "stall" } : { kind: "delay", delay_ms: 600_000 };
  }
  // for the queue: what the item that met the fault shows
  const kind = FAULTS[faultName].kind;
  cell.queueOutcome = kind === "api" ? "refused" : kind === "session-lost" ? "not-sent" : "unknown";
  return cell;
}

test.describe("fault matrix: json-api calls", () => {
  test.beforeEach(async ({ request }) => resetSim(request, SIM));
  test.afterEach(async ({ request }) => resetSim(request, SIM));

  for (const [callName, call] of Object.entries(CALLS)) {
    for (const faultName of Object.keys(FAULTS)) {
      const cell = cellOf(callName, faultName);
      const title = `${callName} (${call.fn}) × ${faultName}: ${cell.what}`;
      if (cell.na) {
        test.skip(`${title} — does not apply: ${cell.na}`, () => {});
        continue;
      }
      test(title, async ({ page, request }) => {
        await page.clock.install();
        page.on("dialog", (d) => d.accept());
        const sent = countSends(page, `/json-api/${call.fn}`);
        await call.open(page, request);
        const before = await simCount(request, call.fn);
        expect(sent).toHaveLength(0);
        // `drop` fires on every call: the browser may resend a request whose reused connection closed
        // without a reply (a network-level resend, not the app's), and that resend must meet it too.
        await setFault(request, SIM, { function: call.fn, ...cell.spec, ...(faultName === "drop" ? {} : { times: 1 }) });
        await call.trigger(page);
        if (faultName === "timeout") {
          await expect.poll(() => simCount(request, call.fn)).toBe(before + 1);
          await page.clock.fastForward(call.limitMs + 1_000);
        }
        if (cell.ok) {
          await call.succeeded(page);
          const calls = call.perItem ? await page.getByTestId("queue-result").count() : 1; // the queue: one call per item
          expect(sent).toHaveLength(calls);
          expect(await simCount(request, call.fn)).toBe(before + calls);
          return;
        }
        if (cell.kind) {
          const banner = call.banner(page);
          await expect(banner).toHaveAttribute("data-kind", cell.kind);
          await expect(banner).toContainText(cell.words);
          await expect(banner.locator(".next")).not.toBeEmpty();
        }
        await call.kept(page, cell, request);
        // nothing goes out again by itself, however long the admin waits
        await page.clock.fastForward(RETRY_WINDOW_MS);
        await clearFaults(request, SIM);
        const more = await call.alive(page, cell);
        expect(sent, "calls the page sent").toHaveLength(1 + more);
        const atSim = (await simCount(request, call.fn)) - before;
        // Chromium resends a request whose reused keep-alive connection closed without a reply, once
        // per idle connection it tries (a network-level resend the page never sees: SECURITY.md)
        if (faultName === "drop") expect(atSim).toBeGreaterThanOrEqual(1 + more);
        else expect(atSim, "calls the simulator received").toBe(1 + more);
        if (faultName === "http502" && callName === "create") await screenshot(page, "fault-create-after-502");
      });
    }
  }
});

// The live view: cgi/live_tail_log.cgi on a session that runs for several seconds (four items at
// --speed 2). A read that is safe to repeat: it reconnects by itself from the last byte, with backoff,
// except when the WHM login is gone (then "Retry").
const LIVE_FAULTS = {
  delay: { reconnects: false },
  timeout: { na: "the live tail has no time limit of its own, only an idle watchdog: the stall cell" },
  http500: { reconnects: true, failed: true },
  http502: { reconnects: true, failed: true },
  http504: { reconnects: true, failed: true },
  html: { stopped: true },
  denied: { stopped: true },
  // a cut line (dropped: it is not JSON) and a terminator with another connection's number (not this
  // connection's end): the stream just ended, so it reconnects after the clean-end pause. A terminator
  // that matches while WHM still reports the session running is a failure with backoff: a native test
  // (store::session, a_terminator_while_whm_says_running_backs_off_instead_of_reconnecting_at_once).
  malformed: { reconnects: true, closed: true },
  truncated: { reconnects: true, closed: true }, // the stream ends mid-line without its terminator
  drop: { reconnects: true, failed: true },
  result0: { na: "a json-api envelope fault: the live tail has no envelope" },
  huge: { reconnects: true, failed: true }, // one 100 MiB line: past the 1 MiB line cap
  deep: { reconnects: true, closed: true }, // one line of 10,000 nested arrays, read as text, then the end
  nonewline: { reconnects: true, failed: true }, // past the 1 MiB line cap
  stall: { reconnects: true, failed: true, idle: true }, // the idle watchdog (45 s without a byte)
};

test.describe("fault matrix: the live view (live_tail_log.cgi)", () => {
  test.beforeEach(async ({ request }) => resetSim(request, SIM));
  test.afterEach(async ({ request }) => resetSim(request, SIM));
  const TAIL = "live_tail_log.cgi";

  for (const [faultName, cell] of Object.entries(LIVE_FAULTS)) {
    const title = `live (${TAIL}) × ${faultName}: ${FAULTS[faultName].what}`;
    if (cell.na) {
      test.skip(`${title} — does not apply: ${cell.na}`, () => {});
      continue;
    }
    test(title, async ({ page, request }) => {
      await page.clock.install();
      // the master log's tail (a second tail follows the logs of the items in progress)
      const sent = countSends(page, `/cgi/${TAIL}`, (url) => url.includes("log_file1=master.log&"));
      await enqueueDirectly(request, ["example", "mailer", "shopone", "bigshop"]);
      const started = await request.post(`${base(SIM)}${TOKEN}/json-api/start_transfer_session`, {
        form: { "api.version": "1", transfer_session_id: DEMO },
      });
      expect(String((await started.json()).metadata.result)).toBe("1");
      const spec = faultName === "delay" ? { kind: "delay", delay_ms: 1500 } : FAULTS[faultName].spec;
      await setFault(request, SIM, { function: TAIL, match: { log_file1: "master.log" }, ...spec, ...(faultName === "drop" ? {} : { times: 1 }) });
      await openApp(page, SIM, `#/session/${DEMO}`);
      const status = page.getByTestId("live-status");
      const rows = page.getByTestId("session-results").getByTestId("item-row");
      if (cell.idle) {
        await expect.poll(() => simCount(request, TAIL)).toBe(1);
        await page.clock.fastForward(46_000); // past TAIL_IDLE_MS without a byte
      }
      if (cell.stopped) {
        await expect(status).toHaveAttribute("data-state", "stopped");
        await expect(status).toContainText("your WHM login ended");
        await expect(state(page)).toHaveAttribute("data-state", /^(RUNNING|COMPLETED)$/); // the session page goes on
        await page.clock.fastForward(RETRY_WINDOW_MS);
        await expect(page.getByTestId("live-retry")).toBeVisible();
        expect(sent, "no reconnect by itself after a lost login").toHaveLength(1);
        await page.getByTestId("live-retry").click();
        await expect(status).toHaveAttribute("data-state", "following");
        await expect(rows.first()).toBeVisible();
        expect(sent).toHaveLength(2);
        return;
      }
      if (cell.reconnects) {
        await expect(status).toHaveAttribute("data-state", "reconnecting");
        await expect(status).toContainText(cell.failed ? "failed (1 in a row)" : "closed");
        await expect(status).toContainText("reconnecting in 1 s"); // the first step of the backoff
        if (faultName === "drop") {
          await clearFaults(request, SIM);
          await page.clock.fastForward(5_000); // skip the backoff of the failures meanwhile
        }
        await expect(status).toHaveAttribute("data-state", "following");
        await expect(rows.first()).toBeVisible();
        expect(sent.length).toBeGreaterThanOrEqual(2);
        return;
      }
      // delay: the stream just starts late
      await expect(status).toHaveAttribute("data-state", "following");
      await expect(rows.first()).toBeVisible();
      expect(sent).toHaveLength(1);
    });
  }
});
