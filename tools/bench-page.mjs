// `make bench`, part 2 of 7: the page in headless Chromium against tools/serve.mjs on 127.0.0.1:
//   - time from navigation to interactive (the page's performance.mark('trimlab-ready'))
//   - with about 1,000 and 10,000 points per series, the page polling /api/resident and drawing
//     the module's resident memory (the readings drawn are counted): the chart updates per second
//     during a live run at full speed and at the fastest paced speed; the cost of one full chart
//     update
//   - requestAnimationFrame gaps (frames) during a default highwater run at the default speed and
//     at the fastest speed, recorded in the page from the Run click to the end of the run
//   - the bytes a fresh load transfers (the server gzips text and .wasm), with and without Chart.js
//   - the cost of one reading of the server's /api/resident (the page's memory found in the
//     renderer through /proc), over HTTP and in process, the first one (a scan) and the next ones
//   - the memory map's live rate (web/map-panel.js: maps drawn per second) during a run that grows
//     the module to its 512 MiB ceiling, in Chromium and in Firefox
// Prints a report and adds its figures to build/bench.json under "page".
// `node tools/bench-page.mjs --only NAME` measures one part (a key of PARTS) into the page
// figures saved so far.
import { get } from 'node:http';

import { openPage, runScenario, startBrowser, valueOf } from '../tests/support/browser.mjs';
import { BROWSERS } from './browser.mjs';
import { median, readFigures, round, saveFigures } from './bench-lib.mjs';
import { createResidentReader } from './resident.mjs';
import { cleanLine, quote } from '../web/message.js';
import { SPEEDS } from '../web/run-loop.js';

const LOADS = 5;
const UPDATES = 60;
/** The fastest paced speed of the page's speed control. */
const PACED = SPEEDS.filter((speed) => Number.isFinite(speed.rate)).at(-1);
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

const perSecond = ({ updates, ms }) => Math.round((updates / ms) * 1000);

/** `cycles` 400 MiB cycles (101 steps each), the page polling its resident memory throughout:
 *  a run at full speed on a fresh instance; UPDATES full redraws timed back to back; then the
 *  same run again on the same instance (its memory already resident: no step waits for
 *  the kernel's page faults) at PACED steps per second. */
async function chartCost(browser, cycles) {
  const { page } = await openPage(browser);
  const params = { cycles, block_mib: 400 };
  const full = await runScenario(page, { scenario: 'cycles', params });
  if (!full.residentLive) throw new Error('the page did not read its resident memory live');
  const readings = await page.evaluate(
    () => window.trimlabDebug.chart().series.wasmResident.points.length,
  );
  const perUpdateMs = await page.evaluate((count) => {
    const chart = Chart.getChart(document.getElementById('chart'));
    const start = performance.now();
    for (let i = 0; i < count; i++) chart.update('none');
    return (performance.now() - start) / count;
  }, UPDATES);
  const paced = await runScenario(page, {
    scenario: 'cycles',
    params,
    speed: PACED.value,
    instance: 'reuse',
  });
  await page.close();
  return {
    points: full.runStats.steps,
    resident_readings: readings,
    update_ms: round(perUpdateMs),
    possible_updates_per_s: Math.round(1000 / perUpdateMs),
    live_updates_per_s: perSecond(full.runStats),
    paced_speed: PACED.rate,
    paced_updates_per_s: perSecond(paced.runStats),
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
    frames_drawn: state.runStats.frames.drawn,
    longest_frame_work_ms: round(state.runStats.frames.longestMs, 1),
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

const RESIDENT_PAGES = 5288; // 330.5 MiB: the memory after highwater total_mib=300
const RESIDENT_TOUCHED_MIB = 300;
const RESIDENT_READINGS = 40;
const RESIDENT_GAP_MS = 25; // under the endpoint's 50 requests per second

/** ms that `work` takes, and what it returned. */
async function timed(work) {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

/** Median and 90th percentile of `values`, rounded. */
function spread(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median_ms: round(median(sorted)),
    p90_ms: round(sorted[Math.floor(sorted.length * 0.9)]),
  };
}

/**
 * The cost of one reading of the page's resident memory: a page holds a memory of
 * RESIDENT_PAGES pages with RESIDENT_TOUCHED_MIB written and a tag at 0; the server's endpoint
 * is asked over HTTP (its first answer scans /proc, the next ones use its cache), and a reader
 * of tools/resident.mjs is timed in this process, fresh (a scan) and cached.
 */
async function residentEndpointCost(browser) {
  const page = await browser.newPage();
  const tag = crypto.getRandomValues(Buffer.alloc(16)).toString('hex');
  await page.evaluate(
    ({ pages, touched, tag }) => {
      window.benchMemory = new WebAssembly.Memory({ initial: pages });
      const bytes = new Uint8Array(window.benchMemory.buffer);
      bytes.fill(1, 0, touched * 1024 * 1024);
      for (let i = 0; i < 16; i++) bytes[i] = parseInt(tag.slice(2 * i, 2 * i + 2), 16);
    },
    { pages: RESIDENT_PAGES, touched: RESIDENT_TOUCHED_MIB, tag },
  );
  const query = { bytes: RESIDENT_PAGES * 65536, tag, at: 0 };
  const ask = async () => {
    const response = await fetch(`${browser.baseUrl}api/resident?${new URLSearchParams(query)}`);
    if (response.status !== 200) throw new Error(`/api/resident: ${await response.text()}`);
    return response.json();
  };
  const first = await timed(ask);
  const http = [];
  for (let i = 0; i < RESIDENT_READINGS; i++) {
    await new Promise((resolve) => setTimeout(resolve, RESIDENT_GAP_MS));
    http.push((await timed(ask)).ms);
  }
  const scans = [];
  const cached = [];
  for (let i = 0; i < 5; i++) {
    const reader = createResidentReader();
    scans.push((await timed(() => reader.read(query))).ms);
    for (let j = 0; j < RESIDENT_READINGS / 5; j++)
      cached.push((await timed(() => reader.read(query))).ms);
  }
  await page.close();
  return {
    memory_bytes: query.bytes,
    readings: http.length,
    gap_ms: RESIDENT_GAP_MS,
    resident_bytes: first.value.resident_bytes,
    matched: first.value.matched,
    first_http_ms: round(first.ms),
    http: spread(http),
    in_process_scan: spread(scans),
    in_process_cached: spread(cached),
  };
}

/** The run that grows the module to its ceiling: 480 MiB in 64 KiB chunks, 8192 pages mapped. */
const MAP_RUN = { scenario: 'highwater', params: { total_mib: 480 } };

/**
 * The memory map's live rate in one browser: maps drawn per second during MAP_RUN at full speed
 * on a fresh instance (the panel asks the Worker once per drawn batch and reads the residency from
 * /api/resident-map meanwhile), against the chart's updates of the same run.
 * @param {string} name a browser of BROWSERS
 */
async function mapRate(name) {
  const browser = await startBrowser(name);
  try {
    const { page } = await openPage(browser);
    const before = await page.evaluate(() => window.trimlabDebug.map().drawn);
    const state = await runScenario(page, MAP_RUN);
    await page.waitForFunction(() => window.trimlabDebug.map().settled, { timeout: 10_000 });
    const map = await page.evaluate(() => window.trimlabDebug.map());
    await page.close();
    if (!state.residentLive) throw new Error(`${name}: the page did not read its memory live`);
    const drawn = map.drawn - before - 1; // the redraw after the run is not live
    return {
      browser: name,
      pages: map.module.pages,
      steps: state.runStats.steps,
      run_ms: Math.round(state.runStats.ms),
      maps_drawn: drawn,
      maps_per_s: perSecond({ updates: drawn, ms: state.runStats.ms }),
      chart_updates_per_s: perSecond(state.runStats),
      cached_mib: round(map.module.mib.cached),
    };
  } finally {
    await browser.close();
  }
}

/** What each part measures and how it prints. */
const PARTS = {
  time_to_interactive: {
    measure: timeToInteractive,
    print: (t) =>
      console.log(`page: navigation to interactive, median of ${LOADS} loads: ${t.median_ms} ms`),
  },
  chart: {
    measure: async (browser) => [await chartCost(browser, 10), await chartCost(browser, 100)],
    print: (chart) => {
      for (const c of chart)
        console.log(
          `page: ${c.points} points per series, polling /api/resident: ${c.update_ms} ms per ` +
            `chart update (${c.possible_updates_per_s}/s back to back); during live runs ` +
            `${c.live_updates_per_s}/s at full ` +
            `speed, ${c.paced_updates_per_s}/s at ${c.paced_speed} steps/s ` +
            `(${c.resident_readings} readings drawn)`,
        );
    },
  },
  frames: {
    measure: async (browser) => [
      await frameGaps(browser, 'default'),
      await frameGaps(browser, 'max'),
    ],
    print: (frames) => {
      for (const f of frames)
        console.log(
          `page: highwater at speed ${f.speed}: ${f.frames} frames in ${f.run_ms} ms, median gap ` +
            `${f.median_gap_ms} ms, longest ${f.max_gap_ms} ms, ${f.frames_over_50ms} over ${LONG_FRAME_MS} ms; ` +
            `the run loop's longest frame of work on the main thread ${f.longest_frame_work_ms} ms`,
        );
    },
  },
  weight: {
    measure: pageWeight,
    print: (weight) => {
      for (const [kind, t] of Object.entries(weight))
        console.log(
          `page weight, ${kind}: ${t.files} file(s), ${t.bytes} bytes, ${t.transferred_bytes} transferred`,
        );
    },
  },
  map: {
    // Its own browsers, one after the other: the one given to the other parts is closed first.
    own: true,
    measure: async () => {
      const rates = [];
      for (const name of BROWSERS) rates.push(await mapRate(name));
      return rates;
    },
    print: (rates) => {
      for (const r of rates)
        console.log(
          `page: memory map of a ${r.pages}-page module (${MAP_RUN.scenario} total_mib=` +
            `${MAP_RUN.params.total_mib}, full speed) in ${r.browser}: ${r.maps_per_s} maps/s ` +
            `(${r.maps_drawn} in ${r.run_ms} ms; chart ${r.chart_updates_per_s} updates/s), ` +
            `${r.cached_mib} MiB cached after the run`,
        );
    },
  },
  resident_endpoint: {
    measure: residentEndpointCost,
    print: (r) =>
      console.log(
        `page: one /api/resident reading of a ${r.memory_bytes}-byte memory (${r.resident_bytes} resident): ` +
          `first ${r.first_http_ms} ms, then median ${r.http.median_ms} ms (p90 ${r.http.p90_ms}) over HTTP; ` +
          `in process ${r.in_process_cached.median_ms} ms cached, ${r.in_process_scan.median_ms} ms with a scan of /proc`,
      ),
  },
};

const only = process.argv[2] === '--only' ? process.argv[3] : undefined;
if (only !== undefined && !Object.hasOwn(PARTS, only)) {
  console.error(
    cleanLine(
      `bench-page: --only '${quote(only)}' is not a part (allowed: ${Object.keys(PARTS).join(', ')})`,
    ),
  );
  process.exit(2);
}
const names = only ? [only] : Object.keys(PARTS);
const figures = only ? { ...readFigures().page } : {};
const shared = names.filter((name) => !PARTS[name].own);
if (shared.length) {
  const browser = await startBrowser();
  try {
    for (const name of shared) figures[name] = await PARTS[name].measure(browser);
  } finally {
    await browser.close();
  }
}
for (const name of names.filter((n) => PARTS[n].own)) figures[name] = await PARTS[name].measure();
saveFigures('page', figures);

console.log('');
for (const name of names) PARTS[name].print(figures[name]);
