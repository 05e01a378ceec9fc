// The page's figures for `make bench`, in headless Chromium against tools/serve.mjs on
// 127.0.0.1: time from navigation to interactive, the cost of one chart update with 1,000 and
// 10,000 points per series, updates per second during a live run, and the bytes the page loads
// (as files and as transferred).
// Prints a report and merges its figures into build/bench.json under "page".
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { openPage, root, runScenario, startBrowser } from './browser.mjs';

const LOADS = 5;
const UPDATES = 60;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** ms since navigation start at which the page marked itself ready, median of LOADS loads. */
async function timeToInteractive(browser) {
  const times = [];
  for (let i = 0; i < LOADS; i++) {
    const { page } = await openPage(browser);
    times.push(await page.evaluate(() => performance.getEntriesByName('trimlab-ready')[0].startTime));
    await page.close();
  }
  return median(times);
}

/** Runs cycles to `steps` points, then times UPDATES full redraws of the chart. */
async function chartCost(browser, cycles) {
  const { page } = await openPage(browser);
  const state = await runScenario(page, { scenario: 'cycles', params: { cycles, block_mib: 400 } });
  const perUpdateMs = await page.evaluate((count) => {
    const chart = Chart.getChart(document.getElementById('chart'));
    const start = performance.now();
    for (let i = 0; i < count; i++) chart.update('none');
    return (performance.now() - start) / count;
  }, UPDATES);
  await page.close();
  const { updates, ms, steps } = state.runStats;
  return { points: steps, update_ms: Number(perUpdateMs.toFixed(2)), live_updates_per_s: Math.round((updates / ms) * 1000) };
}

/** Bytes of every response a fresh load of the page receives, by kind: the files' own size and
 *  what crossed the wire (the server gzips text and .wasm). */
async function pageWeight(browser) {
  const page = await browser.context.newPage();
  const responses = [];
  page.on('requestfinished', (request) => responses.push(
    Promise.all([request.response().then((r) => r.body()), request.sizes()])
      .then(([body, sizes]) => ({ url: request.url(), bytes: body.length, wire: sizes.responseBodySize }))));
  await page.goto(browser.baseUrl);
  await page.waitForFunction(() => window.trimlabDebug?.state().ready === true);
  const files = await Promise.all(responses);
  await page.close();
  const kinds = { 'Chart.js': /vendor\//, module: /trimlab(-emmalloc)?\.(js|wasm)$/, data: /\.json$/ };
  const totals = {};
  for (const { url, bytes, wire } of files) {
    const kind = Object.entries(kinds).find(([, pattern]) => pattern.test(url))?.[0] ?? 'page (HTML, CSS, JS)';
    totals[kind] ??= { files: 0, bytes: 0, transferred_bytes: 0 };
    totals[kind].files += 1;
    totals[kind].bytes += bytes;
    totals[kind].transferred_bytes += wire;
  }
  return totals;
}

const browser = await startBrowser();
let figures;
try {
  figures = {
    time_to_interactive_ms: Math.round(await timeToInteractive(browser)),
    chart: [await chartCost(browser, 10), await chartCost(browser, 100)],
    weight: await pageWeight(browser),
  };
} finally {
  await browser.close();
}

console.log(`\npage: navigation to interactive, median of ${LOADS} loads: ${figures.time_to_interactive_ms} ms`);
for (const c of figures.chart)
  console.log(`page: ${c.points} points per series: ${c.update_ms} ms per chart update ` +
    `(${Math.round(1000 / c.update_ms)} updates/s possible); ${c.live_updates_per_s} updates/s during the live run`);
for (const [kind, t] of Object.entries(figures.weight))
  console.log(`page weight, ${kind}: ${t.files} file(s), ${t.bytes} bytes, ${t.transferred_bytes} transferred`);

const benchFile = join(root, 'build', 'bench.json');
const all = existsSync(benchFile) ? JSON.parse(readFileSync(benchFile, 'utf8')) : {};
writeFileSync(benchFile, `${JSON.stringify({ ...all, page: figures }, null, 2)}\n`);
