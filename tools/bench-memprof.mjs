// `make bench`, part 5 of 7: trimlab against Emscripten's own tool. The Makefile builds the same
// engine with the same flags twice into build/memprof/ (build_wasm.sh OUT.js [FLAGS]): with
// `--memoryprofiler` (trimlab-memprof.js) and without (trimlab.js), from the same sources at the
// same moment. emcc's .html output crashes at -O1+, so they are .js plus a host page written
// here. In headless Chromium:
//   A. the memory-profiler build, in a host page that runs the scenario through cwrap in one
//      synchronous loop (tl_wasm_begin, tl_wasm_step until 0, tl_wasm_end), timed in the page
//   B. trimlab's module (build/memprof/trimlab.js) in the same host page and loop
//   C. trimlab's page: the scenario run from the Run button at the fastest speed, a fresh
//      instance; its elapsed_ms (the engine's calls, as in A and B; drawing is between frames)
// interleaved A B C over RUNS rounds, a fresh page each time; medians and the median of the
// per-round ratios A/C and A/B. Also the added weight: the profiler build's glue and .wasm
// against ours, raw and gzip (what the server sends). Adds "memprof" to build/bench.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { openPage, startBrowser, textOf } from '../tests/support/browser.mjs';
import { SIGNATURES } from '../web/gen/wasm-api.js';
import { buildDir, median, round, saveFigures, serveFolder } from './bench-lib.mjs';

const RUNS = 5;
const SCENARIO = 'highwater';
const folder = join(buildDir, 'memprof');
const PROFILED = 'trimlab-memprof';
const OURS = 'trimlab';

const HOST_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>trimlab under --memoryprofiler</title></head>
<body><p>Host page for tools/bench-memprof.mjs: loads GLUE.js from ?glue=GLUE and runs a scenario.</p>
<script type="module" src="host.js"></script></body></html>
`;

// Runs in the host page: loads the glue named by ?glue=, makes an instance, exposes hostRun().
const HOST_JS = `const glue = new URLSearchParams(location.search).get('glue');
await new Promise((resolve, reject) => {
  const script = document.createElement('script');
  script.src = glue + '.js';
  script.onload = resolve;
  script.onerror = () => reject(new Error('cannot load ' + glue + '.js'));
  document.head.appendChild(script);
});
const Module = await createTrimlab({});
const SIGNATURES = ${JSON.stringify(SIGNATURES)};
const [begin, step, end, memory] = ['begin', 'step', 'end', 'memory_bytes'].map(
  (name) => Module.cwrap('tl_wasm_' + name, ...SIGNATURES[name]));
window.hostRun = (scenario, params) => {
  const start = performance.now();
  if (begin(scenario, params, 1) !== 0) throw new Error(scenario + ' did not begin');
  let steps = 0;
  while (step()) steps++;
  end();
  return { ms: performance.now() - start, steps, memory_bytes: memory() };
};
window.hostReady = true;
`;

function weight(name) {
  const file = (ext) => readFileSync(join(folder, `${name}.${ext}`));
  const sized = (bytes) => ({
    bytes: bytes.length,
    gzip_bytes: gzipSync(bytes, { level: 9 }).length,
  });
  return { glue: sized(file('js')), wasm: sized(file('wasm')) };
}

async function hostRun(browser, url, glue) {
  const page = await browser.newPage();
  await page.goto(`${url}host.html?glue=${glue}`);
  await page.waitForFunction(() => window.hostReady === true);
  const result = await page.evaluate((scenario) => window.hostRun(scenario, ''), SCENARIO);
  return { page, result };
}

async function pageRun(browser) {
  const { page } = await openPage(browser);
  const { settled } = await page.evaluate(() => window.trimlabDebug.state());
  await page.select('#scenario', SCENARIO);
  await page.select('#speed', 'max');
  await page.click('input[name="instance"][value="fresh"]');
  await page.click('#run');
  await page.waitForFunction((before) => window.trimlabDebug.state().settled > before, {}, settled);
  const state = await page.evaluate(() => window.trimlabDebug.state());
  await page.close();
  if (state.last?.outcome !== 'completed')
    throw new Error(`the page's ${SCENARIO} run did not complete`);
  return { ms: state.last.elapsed_ms, wall_ms: state.runStats.ms, steps: state.last.steps };
}

/** The profiler's own count of malloc()s and free()s, from its UI (redrawn every 2 s). */
async function profilerCounts(page) {
  const pattern = /malloc\(\)s\/free\(\)s performed in app lifetime: (\d+)\/(\d+)/;
  await page.waitForFunction(
    (source) =>
      new RegExp(source).test(
        document.getElementById('memoryprofiler_summary')?.textContent ?? '',
      ) && !/lifetime: 0\//.test(document.getElementById('memoryprofiler_summary').textContent),
    { timeout: 10_000 },
    pattern.source,
  );
  const text = await textOf(page, '#memoryprofiler_summary');
  const [, mallocs, frees] = text.match(pattern);
  return { mallocs: Number(mallocs), frees: Number(frees) };
}

writeFileSync(join(folder, 'host.html'), HOST_HTML);
writeFileSync(join(folder, 'host.js'), HOST_JS);

const server = await serveFolder(folder);
const browser = await startBrowser();
const profiled = [];
const ours = [];
const page = [];
let counts;
try {
  await pageRun(browser); // untimed: warms the browser's caches
  for (let i = 0; i < RUNS; i++) {
    const a = await hostRun(browser, server.url, PROFILED);
    profiled.push(a.result);
    if (i === RUNS - 1) counts = await profilerCounts(a.page);
    await a.page.close();
    const b = await hostRun(browser, server.url, OURS);
    ours.push(b.result);
    await b.page.close();
    page.push(await pageRun(browser));
  }
} finally {
  await browser.close();
  await server.close();
}

const profiledWeight = weight(PROFILED);
const oursWeight = weight(OURS);
const figures = {
  scenario: SCENARIO,
  runs: RUNS,
  steps: profiled[0].steps,
  profiler_ms_median: round(median(profiled.map((r) => r.ms))),
  ours_same_host_ms_median: round(median(ours.map((r) => r.ms))),
  page_ms_median: round(median(page.map((r) => r.ms))),
  page_wall_ms_median: round(median(page.map((r) => r.wall_ms))),
  profiler_over_page_median_ratio: round(median(profiled.map((r, i) => r.ms / page[i].ms))),
  profiler_over_ours_same_host_median_ratio: round(
    median(profiled.map((r, i) => r.ms / ours[i].ms)),
  ),
  profiler_counted: counts,
  weight: {
    profiler: profiledWeight,
    ours: oursWeight,
    added_glue_bytes: profiledWeight.glue.bytes - oursWeight.glue.bytes,
    added_glue_gzip_bytes: profiledWeight.glue.gzip_bytes - oursWeight.glue.gzip_bytes,
    added_wasm_bytes: profiledWeight.wasm.bytes - oursWeight.wasm.bytes,
    added_wasm_gzip_bytes: profiledWeight.wasm.gzip_bytes - oursWeight.wasm.gzip_bytes,
  },
};
saveFigures('memprof', figures);
saveFigures(
  'load_average_at_end',
  loadavg().map((value) => round(value)),
);

console.log(
  `\n--memoryprofiler, ${SCENARIO} (${figures.steps} steps), median of ${RUNS} interleaved rounds in Chromium:`,
);
console.log(
  `  profiler build, host page loop:  ${figures.profiler_ms_median} ms ` +
    `(it counted ${counts.mallocs} mallocs / ${counts.frees} frees)`,
);
console.log(`  our module, same host page loop: ${figures.ours_same_host_ms_median} ms`);
console.log(
  `  trimlab's page run (engine ms):  ${figures.page_ms_median} ms (wall ${figures.page_wall_ms_median} ms)`,
);
console.log(
  `  profiler / page run: ${figures.profiler_over_page_median_ratio}; ` +
    `profiler / ours in the same loop: ${figures.profiler_over_ours_same_host_median_ratio}`,
);
console.log(
  `  glue: ${profiledWeight.glue.bytes} B (gzip ${profiledWeight.glue.gzip_bytes}) vs ours ` +
    `${oursWeight.glue.bytes} B (gzip ${oursWeight.glue.gzip_bytes}); .wasm ${profiledWeight.wasm.bytes} vs ` +
    `${oursWeight.wasm.bytes} B`,
);
