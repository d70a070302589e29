// Double actions (issue 13): every control that changes something on WHM, pressed twice in every way an
// admin (or a bouncing key, or a script) can, sends exactly ONE call; and leaving, coming back or
// reloading while its call is in flight never sends it again. One test per cell, generated from the
// tables below. The call under test is slowed with a `delay` fault, so the second event lands while
// the first call is still in flight (the case that matters). Calls are counted twice: the page's own
// requests, and what the simulator received (GET /__sim/calls).
//
// Already covered elsewhere, not repeated here: Start clicked again, double-clicked and clicked twice in
// one task (session.spec.js "a slow start_transfer_session is sent once…"); leaving #/new by its links
// while create runs (flows.spec.js "leaving #/new while the create call runs…").
const { test, expect } = require("./fixtures"); // with the leak sweep
const { openApp, resetSim, setFault, simCalls, simRequests, base } = require("./helpers");
const { SESSIONS, TOKEN } = require("./scenarios");

const SIM = "faults";
const DEMO = SESSIONS.faults;
const STALE = "staleservercopya20250102030405Stale1";
const state = (page) => page.getByTestId("session-state");

/** Logs the API request context in as the page does (GET / sets WHM's cookie), for calls made directly. */
async function login(request) {
  const r = await request.get(`${base(SIM)}/`);
  expect(r.ok()).toBeTruthy();
}

async function whm(request, fn, form) {
  await login(request);
  const r = await request.post(`${base(SIM)}${TOKEN}/json-api/${fn}`, { form: { "api.version": "1", ...form } });
  const body = await r.json();
  expect(String(body.metadata.result), `${fn}: ${body.metadata.reason}`).toBe("1");
  return body;
}

async function enqueueDirectly(request, users) {
  for (const user of users) {
    await whm(request, "enqueue_transfer_item", {
      transfer_session_id: DEMO, module: "AccountRemoteRoot", user, localuser: `${user}9`, size: "1048576", skipres: "1",
    });
  }
}

/** A session WHM has paused (four items, paused at once: it stops after the items in flight). */
async function pausedSession(request) {
  await enqueueDirectly(request, ["example", "mailer", "shopone", "bigshop"]);
  await whm(request, "start_transfer_session", { transfer_session_id: DEMO });
  await whm(request, "pause_transfer_session", { transfer_session_id: DEMO });
  await expect.poll(async () => {
    const r = await request.post(`${base(SIM)}${TOKEN}/json-api/get_transfer_session_state`, {
      form: { "api.version": "1", transfer_session_id: DEMO },
    });
    return (await r.json()).data?.state_name;
  }, { timeout: 30_000 }).toBe("PAUSED");
}

/** The simulator's sessions (GET /__sim/sessions): what WHM has done, whatever the page knows. */
async function simSessions(request) {
  const r = await request.get(`${base(SIM)}/__sim/sessions`);
  return (await r.json()).sessions;
}
const simState = async (request, id) => (await simSessions(request)).find((s) => s.transfer_session_id === id)?.state_name;

function sessionControl(name, fn, id, from, to, prepare = async () => {}) {
  return {
    /** WHM has carried the call out (the delayed call completed). */
    landed: async (request) => !new RegExp(`^${from}$`).test(await simState(request, id)),
    fn,
    async open(page, request) {
      await prepare(request);
      await openApp(page, SIM, `#/session/${id}`);
      await expect(state(page)).toHaveAttribute("data-state", from);
    },
    button: (page) => page.getByTestId(`session-${name}`),
    /** The call's effect, seen by the page (the call was sent and WHM did it). */
    done: (page) => expect(state(page)).toHaveAttribute("data-state", to, { timeout: 30_000 }),
    seen: (page) => expect(state(page)).toHaveAttribute("data-state", to, { timeout: 30_000 }),
    /** Ready again after a reload or coming back: the page shows the session. */
    ready: (page) => expect(state(page)).not.toHaveAttribute("data-state", ""),
  };
}

/** The controls: how to reach each, its button, and how its effect shows. */
const CONTROLS = {
  "create-submit": {
    fn: "create_remote_root_transfer_session",
    async open(page) {
      await openApp(page, SIM, "#/new");
      await page.getByTestId("create-host").fill("remote.example.com");
      await page.getByTestId("create-password").fill("luggage12345");
    },
    button: (page) => page.getByTestId("create-submit"),
    form: true,
    done: (page) => expect(page).toHaveURL(/#\/check\/remoteexamplecopya\d{14}[0-9A-Za-z]+$/),
    ready: (page) => expect(page.getByTestId("connection")).toHaveAttribute("data-connected", "true"),
    landed: async (request) => (await simSessions(request)).some((s) => s.transfer_session_id.startsWith("remoteexamplecopya")),
    // coming back, the app-level store still waits for the answer, then opens the new session; after a
    // reload nothing in the page knows of the call (WHM still created the session)
    seen: async (page, how) => {
      if (how === "reload") await expect(page.getByTestId("create-host")).toHaveValue("");
      else await expect(page).toHaveURL(/#\/check\/remoteexamplecopya\d{14}[0-9A-Za-z]+$/);
    },
  },
  // The queue panel is being rebuilt (src/ui/queue.rs): only `queue-submit` and `queue-result` are used,
  // with what the panel offers by default. One press queues every offered item, each exactly once.
  "queue-submit": {
    fn: "enqueue_transfer_item",
    async open(page) {
      await openApp(page, SIM, `#/check/${DEMO}`);
      await expect(page.getByTestId("queue-submit")).toBeEnabled();
    },
    button: (page) => page.getByTestId("queue-submit"),
    perItem: true,
    async done(page) {
      await expect(page.locator('[data-testid="queue-result"][data-outcome="queued"]').first()).toBeVisible();
      await expect(page.locator('[data-testid="queue-result"]:not([data-outcome="queued"])')).toHaveCount(0);
    },
    ready: (page) => expect(page.getByTestId("queue-submit")).toBeVisible(),
    landed: async (request) => ((await simSessions(request)).find((s) => s.transfer_session_id === DEMO)?.items.length || 0) > 0,
    // the item in flight when the page went away may be on WHM: it is remembered as unknown, not resent
    seen: (page) => expect(page.locator('[data-testid="queue-result"][data-outcome="unknown"]')).toHaveCount(1),
  },
  "session-start": sessionControl("start", "start_transfer_session", DEMO, "PENDING", /^(RUNNING|COMPLETED)$/, (r) => enqueueDirectly(r, ["example"])),
  "session-pause": sessionControl("pause", "pause_transfer_session", STALE, "RUNNING", "FAILED"),
  "session-resume": sessionControl("resume", "start_transfer_session", DEMO, "PAUSED", /^(RUNNING|COMPLETED)$/, pausedSession),
  "session-abort": sessionControl("abort", "abort_transfer_session", DEMO, "PENDING", "FAILED"),
};

/** Ways to press twice. Each gets the control and the page; dialogs are accepted. */
const PRESSES = {
  "double-click": (page, c) => c.button(page).dblclick(),
  "Enter pressed twice": async (page, c) => {
    await c.button(page).focus();
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
  },
  "Enter held (key repeat)": async (page, c) => {
    await c.button(page).focus();
    await page.keyboard.down("Enter");
    await page.keyboard.down("Enter"); // a second keydown without keyup: repeat = true
    await page.keyboard.down("Enter");
    await page.keyboard.up("Enter");
  },
  "two events in one task": (page, c) => page.evaluate(({ testid, form }) => {
    const b = document.querySelector(`[data-testid="${testid}"]`);
    if (form) { b.form.requestSubmit(); b.form.requestSubmit(); } else { b.click(); b.click(); }
  }, { testid: c.testid, form: !!c.form }),
};

const COVERED = "covered by session.spec.js “a slow start_transfer_session is sent once…”";
const SKIP = {
  "session-start × double-click": COVERED,
  "session-start × two events in one task": COVERED,
};

/** Counts what the page itself sends to one json-api function. */
function countSends(page, fn) {
  const sent = [];
  page.on("request", (r) => { if (r.url().endsWith(`/json-api/${fn}`)) sent.push(r.postData() || ""); });
  return sent;
}

/** Every item the queue sent reached WHM once: as many calls as items, no item twice. */
async function expectOncePerItem(page, request, before) {
  const rows = await page.getByTestId("queue-result").count();
  const reqs = (await simRequests(request, SIM, "enqueue_transfer_item")).slice(before);
  const items = reqs.map((r) => { const p = r.body || r.query; return `${p.module}:${p.user || p.package}→${p.localuser || ""}`; });
  expect(items.length, "one call per item").toBe(rows);
  expect(new Set(items).size, `no item twice: ${items.join(", ")}`).toBe(items.length);
}

test.describe("double actions send one call", () => {
  test.beforeEach(async ({ request }) => resetSim(request, SIM));
  test.afterEach(async ({ request }) => resetSim(request, SIM));

  for (const [testid, control] of Object.entries(CONTROLS)) {
    control.testid = testid;
    for (const [how, press] of Object.entries(PRESSES)) {
      const title = `${testid} × ${how}`;
      if (SKIP[title]) {
        test.skip(`${title} — ${SKIP[title]}`, () => {});
        continue;
      }
      test(title, async ({ page, request }) => {
        page.on("dialog", (d) => d.accept());
        await control.open(page, request);
        const before = (await simCalls(request, SIM))[control.fn] || 0;
        const sent = countSends(page, control.fn);
        await setFault(request, SIM, { function: control.fn, kind: "delay", delay_ms: 1200, times: 1 });
        await press(page, control);
        await control.done(page);
        const atSim = ((await simCalls(request, SIM))[control.fn] || 0) - before;
        if (control.perItem) {
          await expectOncePerItem(page, request, before);
          expect(sent).toHaveLength(atSim);
        } else {
          expect(sent, "calls the page sent").toHaveLength(1);
          expect(atSim, "calls the simulator received").toBe(1);
        }
      });
    }
  }
});

/** Leaving and coming back, or reloading, while the call is in flight. */
const NAVIGATIONS = {
  "back and forward": async (page) => {
    await page.goBack();
    // Every control's page was opened from the start page. Forward only once the app shows it: a page
    // that asks before leaving (the queue step while it sends) has had its question answered by then.
    // Going forward while the question is still open would make Chromium dismiss it, and the page stay.
    await expect(page.getByTestId("home")).toBeVisible();
    await page.goForward();
  },
  reload: (page) => page.reload(),
};

test.describe("navigating during a mutation never resends it", () => {
  test.beforeEach(async ({ request }) => resetSim(request, SIM));
  test.afterEach(async ({ request }) => resetSim(request, SIM));

  for (const [testid, control] of Object.entries(CONTROLS)) {
    for (const [how, navigate] of Object.entries(NAVIGATIONS)) {
      test(`${testid} × ${how} while its call is in flight`, async ({ page, request }) => {
        page.on("dialog", (d) => d.accept());
        await control.open(page, request);
        const before = (await simCalls(request, SIM))[control.fn] || 0;
        const sent = countSends(page, control.fn);
        // Held long enough that the navigation is over before WHM answers, even on a loaded machine: with
        // 2.5 s a slow back-and-forward (CI, 2026-12-03) let the answer arrive while the page was still
        // there, so the run went on normally and the test measured nothing of a navigation.
        await setFault(request, SIM, { function: control.fn, kind: "delay", delay_ms: 6000, times: 1 });
        await control.button(page).click();
        // in flight: WHM has it and has not answered
        await expect.poll(async () => ((await simCalls(request, SIM))[control.fn] || 0) - before).toBe(1);
        await navigate(page);
        await control.ready(page);
        // the premise: the page went away and came back while WHM still held the call
        expect(await control.landed(request), "the call had not completed before the navigation was over").toBe(false);
        // the delayed call completes on WHM meanwhile (it runs whatever the browser does)…
        await expect.poll(() => control.landed(request), { timeout: 15_000 }).toBe(true);
        // …and the page, back or reloaded, shows what it knows of it without sending it again
        await control.seen(page, how);
        const atSim = ((await simCalls(request, SIM))[control.fn] || 0) - before;
        expect(atSim, "calls the simulator received").toBe(1);
        expect(sent, "calls the page sent").toHaveLength(1);
      });
    }
  }
});
