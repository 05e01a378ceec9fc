// `make bench`, part 2 of 6: the page in headless Chromium against tools/serve.mjs on 127.0.0.1:
//   - time from navigation to interactive (the page's performance.mark('trimlab-ready'))
//   - the cost of one full chart update with about 1,000 and 10,000 points per series, and the
//     chart updates per second during the live run that drew them
//   - requestAnimationFrame gaps (frames) during a default highwater run at the default speed and
//     at the fastest speed, recorded in the page from the Run click to the end of the run
//   - the bytes a fresh load transfers (the server gzips text and .wasm), with and without Chart.js
// Prints a report and adds its figures to build/bench.json under "page".
import { get } from 'node:http';

import { openPage, runScenario, startBrowser, valueOf } from '../tests/support/browser.mjs';
import { median, round, saveFigures } from './bench-lib.mjs';

const LOADS = 5;
const UPDATES = 60;
const LONG_FRAME_MS = 50;

/** ms since navigation start at which the page marked itself ready, median of LOADS loads. */
async function timeToInteractive(browser) {
  const times = [];
  for (let i = 0; i < LOADS; i++) {
    const { page } = await openPage(browser);
    times.push(
      await page.evaluate(() => performance.getEntriesByName('trimlab-ready')[0].startTime),
    );
    await page.close();
  }
  return { median_ms: Math.round(median(times)), max_ms: Math.round(Math.max(...times)) };
}

/** Runs `cycles` 400 MiB cycles (101 steps each) at full speed, then times UPDATES full redraws. */
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
  return {
    points: steps,
    update_ms: round(perUpdateMs),
    possible_updates_per_s: Math.round(1000 / perUpdateMs),
    live_updates_per_s: Math.round((updates / ms) * 1000),
  };
}

/** The gaps between animation frames during one default highwater run at `speed` ('default':
 *  the page's own default). */
async function frameGaps(browser, speed) {
  const { page } = await openPage(browser);
  const chosen = speed === 'default' ? await valueOf(page, '#speed') : speed;
  const { settled } = await page.evaluate(() => window.trimlabDebug.state());
  await page.select('#scenario', 'highwater');
  await page.select('#speed', chosen);
  await page.evaluate(() => {
    const record = { gaps: [], last: null, on: true };
    window.benchFrames = record;
    const tick = (now) => {
      if (record.last !== null) record.gaps.push(now - record.last);
      record.last = now;
      if (record.on) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.click('#run');
  await page.waitForFunction(
    (before) => window.trimlabDebug.state().settled > before,
    { timeout: 120_000 },
    settled,
  );
  const gaps = await page.evaluate(() => {
    window.benchFrames.on = false;
    return window.benchFrames.gaps;
  });
  const state = await page.evaluate(() => window.trimlabDebug.state());
  await page.close();
  const sorted = [...gaps].sort((a, b) => a - b);
  return {
    speed: chosen,
    steps: state.runStats.steps,
    run_ms: Math.round(state.runStats.ms),
    frames: gaps.length,
    median_gap_ms: round(median(gaps), 1),
    p99_gap_ms: round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))], 1),
    max_gap_ms: round(sorted.at(-1), 1),
    frames_over_50ms: gaps.filter((gap) => gap > LONG_FRAME_MS).length,
  };
}

/** The body of `url` as it crosses the wire when gzip is accepted, as a browser asks for it. */
function wireBytes(url) {
  return new Promise((resolve, reject) =>
    get(url, { headers: { 'accept-encoding': 'gzip' } }, (response) => {
      let bytes = 0;
      response.on('data', (chunk) => (bytes += chunk.length));
      response.on('end', () => resolve(bytes));
    }).on('error', reject),
  );
}

/** Bytes of every response a fresh load of the page receives, by kind: the files' own size and
 *  what crosses the wire (the server gzips text and .wasm), the latter asked for again from Node
 *  as the browser asked for it. */
async function pageWeight(browser) {
  const page = await browser.newPage();
  const responses = [];
  page.on('requestfinished', (request) =>
    responses.push(
      Promise.all([request.response().buffer(), wireBytes(request.url())]).then(([body, wire]) => ({
        url: request.url(),
        bytes: body.length,
        wire,
      })),
    ),
  );
  await page.goto(browser.baseUrl);
  await page.waitForFunction(() => window.trimlabDebug?.state().ready === true);
  const files = await Promise.all(responses);
  await page.close();
  const kinds = {
    'Chart.js': /vendor\//,
    module: /trimlab(-emmalloc)?\.(js|wasm)$/,
    data: /\.json$/,
  };
  const byKind = {};
  const add = (key, bytes, wire) => {
    byKind[key] ??= { files: 0, bytes: 0, transferred_bytes: 0 };
    byKind[key].files += 1;
    byKind[key].bytes += bytes;
    byKind[key].transferred_bytes += wire;
  };
  for (const { url, bytes, wire } of files) {
    const kind =
      Object.entries(kinds).find(([, pattern]) => pattern.test(url))?.[0] ?? 'page (HTML, CSS, JS)';
    add(kind, bytes, wire);
    add('total', bytes, wire);
    if (kind !== 'Chart.js') add('total without Chart.js', bytes, wire);
  }
  return byKind;
}

const browser = await startBrowser();
let figures;
try {
  figures = {
    time_to_interactive: await timeToInteractive(browser),
    chart: [await chartCost(browser, 10), await chartCost(browser, 100)],
    frames: [await frameGaps(browser, 'default'), await frameGaps(browser, 'max')],
    weight: await pageWeight(browser),
  };
} finally {
  await browser.close();
}
saveFigures('page', figures);

console.log(
  `\npage: navigation to interactive, median of ${LOADS} loads: ${figures.time_to_interactive.median_ms} ms`,
);
for (const c of figures.chart)
  console.log(
    `page: ${c.points} points per series: ${c.update_ms} ms per chart update ` +
      `(${c.possible_updates_per_s} updates/s possible); ${c.live_updates_per_s} updates/s during the live run`,
  );
for (const f of figures.frames)
  console.log(
    `page: highwater at speed ${f.speed}: ${f.frames} frames in ${f.run_ms} ms, median gap ` +
      `${f.median_gap_ms} ms, longest ${f.max_gap_ms} ms, ${f.frames_over_50ms} over ${LONG_FRAME_MS} ms`,
  );
for (const [kind, t] of Object.entries(figures.weight))
  console.log(
    `page weight, ${kind}: ${t.files} file(s), ${t.bytes} bytes, ${t.transferred_bytes} transferred`,
  );
