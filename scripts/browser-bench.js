#!/usr/bin/env node
// Browser benchmark (not a test): the release build in Debian's Chromium against whm-sim's `large`
// scenario. Measures what an admin waits for, as medians over several runs:
//   load   — from setting #/check/<id> to the 10,000-account summary on screen (fetch, decode, checks, render)
//   scroll — one scroll step of the windowed accounts table to the next painted frame
//   bulk   — pasting 10,000 names into the username bulk box until the verdict summary appears
// Usage: make bench-browser   (needs `make build sim`)
const { spawn } = require("child_process");
const { chromium } = require("playwright-core");

const PORT = 28190;
const RUNS = Number(process.env.RUNS || 5);
const SESSION = "largeservercopya20260101000000AAAAAA";

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function waitHealthy() {
  for (let i = 0; i < 100; i++) {
    try { const r = await fetch(`http://127.0.0.1:${PORT}/__sim/health`); if (r.ok) return; } catch (_) {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("whm-sim did not start");
}

(async () => {
  const sim = spawn("target/release/whm-sim", ["--dist", "dist", "--scenario", "large", "--port", String(PORT), "--token", "0123456789"], { stdio: "ignore" });
  try {
    await waitHealthy();
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(`http://127.0.0.1:${PORT}/`);
    await page.waitForSelector('[data-testid="connection"][data-connected="true"]');
    const names = Array.from({ length: 10000 }, (_, i) => (i % 97 === 0 ? `Shop${i}` : `user${String(i).padStart(5, "0")}`)).join("\n");
    const load = [], scroll = [], bulk = [];
    for (let run = 0; run < RUNS; run++) {
      await page.evaluate(() => { location.hash = "#/"; });
      await page.waitForSelector(".home");
      load.push(await page.evaluate(async (id) => {
        const t0 = performance.now();
        location.hash = `#/check/${id}`;
        await new Promise((resolve) => {
          const tick = () => {
            const el = document.querySelector('[data-testid="summary-accounts"]');
            if (el && el.textContent === "10,000") resolve(); else requestAnimationFrame(tick);
          };
          tick();
        });
        return performance.now() - t0;
      }, SESSION));
      scroll.push(await page.evaluate(async () => {
        const el = document.querySelector('[data-testid="account-scroll"]');
        const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        const steps = [];
        for (let i = 1; i <= 40; i++) {
          const t0 = performance.now();
          el.scrollTop = (el.scrollHeight * i) / 41;
          el.dispatchEvent(new Event("scroll"));
          await frame();
          steps.push(performance.now() - t0);
        }
        steps.sort((a, b) => a - b);
        return steps[Math.floor(steps.length / 2)];
      }));
      await page.evaluate(() => { location.hash = "#/username"; });
      await page.waitForSelector('[data-testid="username-bulk-input"]');
      bulk.push(await page.evaluate(async (text) => {
        const ta = document.querySelector('[data-testid="username-bulk-input"]');
        ta.value = "";
        ta.dispatchEvent(new InputEvent("input", { bubbles: true }));
        const t0 = performance.now();
        ta.value = text;
        ta.dispatchEvent(new InputEvent("input", { bubbles: true }));
        await new Promise((resolve) => {
          const tick = () => {
            const el = document.querySelector('[data-testid="username-bulk-summary"]');
            if (el && el.textContent.startsWith("10000 names")) resolve(); else requestAnimationFrame(tick);
          };
          tick();
        });
        return performance.now() - t0;
      }, names));
    }
    await browser.close();
    const row = (what, xs) => `| ${what} | ${median(xs).toFixed(1)} ms | ${xs.map((x) => x.toFixed(0)).join(", ")} |`;
    console.log(`release build in Debian Chromium, ${RUNS} runs (median, then every run):\n`);
    console.log("| measurement | median | runs (ms) |\n|---|---:|---|");
    console.log(row("load 10,000-account analysis → summary on screen", load));
    console.log(row("scroll step of the accounts table → painted frame", scroll));
    console.log(row("bulk-check 10,000 pasted names → summary on screen", bulk));
  } finally {
    sim.kill("SIGTERM");
  }
})().catch((e) => { console.error(e); process.exit(1); });
