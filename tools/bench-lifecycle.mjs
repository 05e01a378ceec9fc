// `make bench`, part 6 of 7: what each remedy for the memory a module keeps returns, how fast, and
// what it costs, in Node, Chromium and Firefox ESR, for `highwater total_mib=300` and `buckets
// model=4M/4M/4M` (issue 13's lifecycle benchmark). For each engine and scenario:
//   - the time to a fresh instance: the first (a cold compile: a fresh Node process; in a
//     browser the first instance in a Worker of a freshly launched browser) and CACHED more
//   - ROUNDS rounds of a run on a fresh instance, then the same run again on it (each run's own
//     elapsed_ms: the engine's calls), and after the first round's runs the module's resident
//     bytes and the hosting process's RSS
//   - the remedies, one per round, each on its round's instance after its two runs: dropped with
//     a forced collection (Node: gc(); Chromium: the DevTools protocol in the worker's own
//     session; Firefox: every content process asked to collect, which reaches its workers), the
//     worker terminated, the page reloaded (browsers; Node runs in a worker_threads Worker
//     instead, which is terminated): the time until the memory is returned, at most BOUND_MS,
//     and the resident bytes and RSS then
// Node runs in a fresh process (tools/bench-lifecycle-node.mjs); each browser is launched afresh
// per scenario, and drives the page's own Worker-hosted instance (web/remote-lab.js) in the page.
// Adds its figures to build/bench.json under "lifecycle". `node tools/bench-lifecycle.mjs --only
// ENGINE` (node, chromium, firefox) measures one engine into the figures saved so far.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MiB } from '../web/units.js';
import { cleanLine, quote } from '../web/message.js';
import {
  median,
  readFigures,
  root,
  round,
  saveFigures,
  serveFolder,
  settledRss,
} from './bench-lib.mjs';
import { BOUND_MS, CACHED, ROUNDS } from './bench-lifecycle-node.mjs';
import { BROWSERS, launchBrowser } from './browser.mjs';
import { findMapping, openReadyPage, untilReturned } from './browser-results.mjs';
import { mappingResident } from './resident.mjs';
import { runChild } from './stop.mjs';

export const LIFECYCLE_SCENARIOS = Object.freeze([
  { scenario: 'highwater', params: 'total_mib=300' },
  { scenario: 'buckets', params: 'model=4M/4M/4M' },
]);
const POLL_MS = 10;

/** Node's figures for one scenario, from a fresh process. */
async function nodeFigures({ scenario, params }) {
  const folder = mkdtempSync(join(tmpdir(), 'trimlab-lifecycle-'));
  try {
    const out = join(folder, 'node.json');
    const { status, signal } = await runChild(
      process.execPath,
      ['--expose-gc', join(root, 'tools', 'bench-lifecycle-node.mjs'), scenario, params, out],
      { stdio: 'inherit' },
    );
    if (status !== 0) throw new Error(`the Node part of ${scenario} ended ${status ?? signal}`);
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** A fresh instance in a new Worker of the page (window.benchLab); its tag and the ms it took. */
const loadLab = (page) =>
  page.evaluate(async () => {
    const { loadRemoteLab } = await import(new URL('remote-lab.js', document.baseURI).href);
    const start = performance.now();
    const lab = await loadRemoteLab({ allocator: 'dlmalloc' });
    const ms = performance.now() - start;
    /** @type {any} */ (window).benchLab = lab;
    return { ms, tag: lab.tag, at: lab.tagAddress };
  });

/** One run on window.benchLab to its end: its elapsed_ms, outcome and linear memory then. */
const runLab = (page, scenario, params) =>
  page.evaluate(
    async (name, text) => {
      const lab = /** @type {any} */ (window).benchLab;
      await lab.begin(name, text);
      while (!(await lab.steps({ max: 1_000_000, budgetMs: 1000 })).done);
      const run = await lab.result();
      lab.end();
      return { elapsed_ms: run.elapsed_ms, outcome: run.outcome, memoryBytes: lab.memoryBytes() };
    },
    scenario,
    params,
  );

/** The remedy of round `index` on the page's instance, whose memory is `mapping`. */
async function remedy(browser, page, index, mapping) {
  const before = { host_rss_before_bytes: mapping.host_rss_bytes };
  const after = async (state, waited, extra = {}) => ({
    state,
    ...extra,
    returned: waited.returned,
    ms: round(waited.ms),
    ...before,
    resident_bytes: mappingResident(mapping),
    host_rss_bytes: await settledRss(mapping.pid),
  });
  if (index === 0) {
    await page.evaluate(() => /** @type {any} */ (window).benchLab.drop());
    const waited = await untilReturned(mapping, {
      collect: () => browser.collectGarbage(page),
      boundMs: BOUND_MS,
      pollMs: POLL_MS,
    });
    const figures = await after('dropped', waited, { forced: true });
    await page.evaluate(() => /** @type {any} */ (window).benchLab.close());
    return figures;
  }
  if (index === 1) {
    await page.evaluate(() => /** @type {any} */ (window).benchLab.close());
    return after(
      'terminated',
      await untilReturned(mapping, { boundMs: BOUND_MS, pollMs: POLL_MS }),
    );
  }
  const start = performance.now();
  await page.reload();
  await page.waitForFunction(() => window.trimlabDebug?.state().ready === true);
  const waited = await untilReturned(mapping, { boundMs: BOUND_MS, pollMs: POLL_MS });
  return after('reloaded', { ...waited, ms: performance.now() - start });
}

/** One browser's figures for one scenario, in a freshly launched browser. */
async function browserFigures(name, url, { scenario, params }) {
  const browser = await launchBrowser(name);
  try {
    const page = await openReadyPage(browser, url);
    const cold = await loadLab(page);
    let loaded = cold;
    const cached = [];
    for (let i = 0; i < CACHED; i++) {
      await page.evaluate(() => /** @type {any} */ (window).benchLab.close());
      loaded = await loadLab(page);
      cached.push(round(loaded.ms));
    }
    const rounds = [];
    for (let index = 0; index < ROUNDS; index++) {
      const { tag, at } = index === 0 ? loaded : await loadLab(page);
      const fresh = await runLab(page, scenario, params);
      const atEnd = await findMapping(browser, { bytes: fresh.memoryBytes, tag, at });
      const again = await runLab(page, scenario, params);
      const mapping = await findMapping(browser, { bytes: again.memoryBytes, tag, at });
      if (atEnd === null || mapping === null)
        throw new Error(`${name}: no mapping of the module's memory after ${scenario}`);
      rounds.push({
        fresh,
        again,
        atEnd,
        mapping,
        remedy: await remedy(browser, page, index, mapping),
      });
    }
    await page.close();
    const figuresOf = (reading) => ({
      resident_bytes: reading.resident_bytes,
      host_rss_bytes: reading.host_rss_bytes,
    });
    return {
      engine: name,
      version: browser.version,
      scenario,
      params,
      instantiate: {
        cold_ms: round(cold.ms),
        cached_ms: cached,
        cached_ms_median: median(cached),
      },
      fresh_ms: rounds.map((r) => r.fresh.elapsed_ms),
      reused_ms: rounds.map((r) => r.again.elapsed_ms),
      outcomes: rounds.flatMap((r) => [r.fresh.outcome, r.again.outcome]),
      memory_bytes: [rounds[0].fresh.memoryBytes, rounds[0].again.memoryBytes],
      run_end: figuresOf(rounds[0].atEnd),
      run_again: figuresOf(rounds[0].mapping),
      remedies: rounds.map((r) => r.remedy),
    };
  } finally {
    await browser.close();
  }
}

const mib = (bytes) => (bytes === null ? 'unmapped' : `${(bytes / MiB).toFixed(1)} MiB`);

/** One line per engine and scenario. */
function print(e) {
  const ms = (values) => median(values).toFixed(1);
  console.log(
    `${e.engine} ${e.version} ${e.scenario} ${e.params}: instance ${e.instantiate.cold_ms} ms cold, ` +
      `${e.instantiate.cached_ms_median} ms cached; run ${ms(e.fresh_ms)} ms fresh, ` +
      `${ms(e.reused_ms)} ms reused; resident ${mib(e.run_end.resident_bytes)} ` +
      `(RSS ${mib(e.run_end.host_rss_bytes)}), after again ${mib(e.run_again.resident_bytes)}`,
  );
  for (const r of e.remedies)
    console.log(
      r.skipped
        ? `  ${r.state}: skipped (${r.skipped})`
        : `  ${r.state}: ${r.returned ? 'returned' : 'NOT returned'} after ${r.ms} ms: ` +
            `resident ${mib(r.resident_bytes)}, RSS ${mib(r.host_rss_before_bytes)} -> ${mib(r.host_rss_bytes)}`,
    );
}

const ENGINES = ['node', ...BROWSERS];
const only = process.argv[2] === '--only' ? process.argv[3] : undefined;
if (process.argv.length > 2 && (only === undefined || !ENGINES.includes(only))) {
  console.error(
    cleanLine(
      `bench-lifecycle: '${quote(process.argv.slice(2).join(' '))}' is not allowed ` +
        `(allowed: nothing, or --only ${ENGINES.join('|')})`,
    ),
  );
  process.exit(2);
}
/** The figures saved so far for the engines not measured now (with --only). */
const kept = only ? (readFigures().lifecycle?.engines ?? []).filter((e) => e.engine !== only) : [];
const engines = [];
if (!only || only === 'node')
  for (const chosen of LIFECYCLE_SCENARIOS) {
    engines.push(await nodeFigures(chosen));
    print(engines.at(-1));
  }
const server = await serveFolder(join(root, 'web'));
try {
  for (const name of BROWSERS.filter((b) => !only || b === only))
    for (const chosen of LIFECYCLE_SCENARIOS) {
      engines.push(await browserFigures(name, server.url, chosen));
      print(engines.at(-1));
    }
} finally {
  await server.close();
}
const order = (e) => ENGINES.indexOf(e.engine);
saveFigures('lifecycle', {
  rounds: ROUNDS,
  cached_loads: CACHED,
  bound_ms: BOUND_MS,
  engines: [...kept, ...engines].sort((a, b) => order(a) - order(b)),
});
