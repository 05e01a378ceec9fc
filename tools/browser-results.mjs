#!/usr/bin/env node
// `make browser-results`: every scenario with its defaults, each in a fresh module instance, in the
// real page (tools/serve.mjs on 127.0.0.1) in headless Chromium and Firefox ESR, with the module's
// resident bytes and its process's RSS read from /proc at every step (tools/resident.mjs), then
// what happens after the run: the instance dropped, collected, the page reloaded. Writes results
// format 2 (docs/results-format.md) whole or not at all.
//
//   node tools/browser-results.mjs [--browser chromium|firefox] [--json FILE]
//     (default: both browsers, web/gen/data/browser-results.json)
//
// Exit codes: 0 written, 1 a run did not complete or the file could not be written, 2 bad input
// (one line on stderr), 128+N stopped by signal N (the browsers ended, an existing file kept).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { cleanLine, quote } from '../web/message.js';
import { validateResults } from '../web/results-validate.js';
import { loadTrimlab } from '../web/trimlab-api.js';
import { mibText } from '../web/units.js';
import { BROWSERS, descendantsOf, launchBrowser } from './browser.mjs';
import { openOutput, OutputError } from './output-file.mjs';
import { mappingResident, processRss, readResident } from './resident.mjs';
import { documentOf } from './results-document.mjs';
import { serve } from './serve.mjs';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
export const DEFAULT_OUTPUT = join(ROOT, 'web', 'gen', 'data', 'browser-results.json');
/** Who wrote the document: its generator is "trimlab VERSION (wasm, browser harness)". */
const GENERATOR = 'wasm, browser harness';
/** How long the harness waits for the engine to return a dropped instance's memory. */
export const COLLECT_BOUND_MS = 60_000;
/** Firefox runs a requested collection soon after, not always one that frees the instance:
 *  the request is repeated this often until the memory is returned. */
const COLLECT_AGAIN_MS = 1000;
const POLL_MS = 50;
/** How long a grown memory's mapping is looked for before the run is called unreadable. */
const MAPPING_BOUND_MS = 3000;

/**
 * The real page in a new tab, ready (its controls built from the engine).
 * @param {import('./browser.mjs').LaunchedBrowser} browser
 * @param {string} baseUrl
 */
export async function openReadyPage(browser, baseUrl) {
  const page = await browser.newPage();
  await page.goto(baseUrl);
  await page.waitForFunction(() => window.trimlabDebug?.state().ready === true);
  return page;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The mapping of a module's memory of `bytes` in `browser`'s content processes, told apart by its
 * tag; null when none holds it. Right after the memory grew, Firefox's content process may not
 * show the new mapping yet: it is looked for again, for a while, before giving up.
 * @param {import('./browser.mjs').LaunchedBrowser} browser
 * @param {{bytes: number, tag: string, at: number}} memory
 */
export async function findMapping(browser, { bytes, tag, at }) {
  const kind = /** @type {'chromium'|'firefox'} */ (browser.name);
  const bound = performance.now() + MAPPING_BOUND_MS;
  for (;;) {
    const reading = readResident({ kind, bytes, tag, at, pids: descendantsOf(browser.pid) });
    if (reading !== null || performance.now() >= bound) return reading;
    await sleep(POLL_MS);
  }
}

/**
 * Waits until the memory of `mapping` is returned: the mapping is gone (Firefox), or it is kept
 * with nothing resident (Chromium's V8 keeps the address range of a freed memory for a while);
 * at most `boundMs`. `collect`, when given, is called at once and again every COLLECT_AGAIN_MS
 * (Firefox runs a requested collection soon after, not always one that frees the memory).
 * Whether it was returned, and after how many ms.
 * @param {{pid: number, range: import('./resident.mjs').Range}} mapping
 * @param {{collect?: () => Promise<void>, boundMs?: number, pollMs?: number}} [options]
 */
export async function untilReturned(
  mapping,
  { collect, boundMs = COLLECT_BOUND_MS, pollMs = POLL_MS } = {},
) {
  const start = performance.now();
  await collect?.();
  for (
    let asked = performance.now();
    mappingResident(mapping) && performance.now() - start < boundMs;
  ) {
    await sleep(pollMs);
    if (collect && performance.now() - asked >= COLLECT_AGAIN_MS) {
      await collect();
      asked = performance.now();
    }
  }
  return { returned: !mappingResident(mapping), ms: performance.now() - start };
}

/**
 * Runs `scenario` with `params` in a fresh instance of the page's own wrapper (web/trimlab-api.js,
 * as the page loads it) in a new tab, reading the module's resident memory at every step, then
 * drops the instance, collects and reloads the page. The run in results format 2.
 * @param {import('./browser.mjs').LaunchedBrowser} browser
 * @param {string} baseUrl
 * @param {string} scenario
 * @param {string} [params] "k=v;k=v", '' for the defaults
 */
export async function measureRun(browser, baseUrl, scenario, params = '') {
  const kind = /** @type {'chromium'|'firefox'} */ (browser.name);
  const page = await openReadyPage(browser, baseUrl);
  // The page's own instance (the scenario catalog) has a mapping of the same 64 MiB: the new
  // instance's is told apart by the tag the wrapper wrote into it.
  const { tag, at } = await page.evaluate(
    async (scenarioName, paramText) => {
      const { loadTrimlab: load } = await import(new URL('trimlab-api.js', document.baseURI).href);
      const lab = await load({ allocator: 'dlmalloc' });
      lab.begin(scenarioName, paramText);
      /** @type {any} */ (window).trimlabHarness = lab;
      return { tag: lab.tag, at: lab.tagAddress };
    },
    scenario,
    params,
  );

  const read = (bytes) => findMapping(browser, { bytes, tag, at });
  const figures = [];
  let last = null;
  for (;;) {
    const stepped = await page.evaluate(() => {
      const lab = /** @type {any} */ (window).trimlabHarness;
      return lab.step() && lab.memoryBytes();
    });
    if (stepped === null) break;
    const reading = await read(stepped);
    if (reading === null)
      throw new Error(`${kind}: no mapping of ${stepped} bytes for the module's memory`);
    figures.push(reading);
    last = { reading, bytes: stepped, at: performance.now() };
  }
  const run = await page.evaluate(() => {
    const lab = /** @type {any} */ (window).trimlabHarness;
    const result = lab.result();
    lab.end();
    return result;
  });
  run.samples.forEach((sample, i) => {
    sample.resident_bytes = figures[i].resident_bytes;
    sample.host_rss_bytes = figures[i].host_rss_bytes;
  });
  if (last === null) throw new Error(`${kind}: ${scenario} made no step`);
  run.after = await afterRun(browser, page, last.reading, last.at);
  await page.close();
  return {
    ...run,
    host: { name: kind, version: browser.version, resident: 'smaps' },
  };
}

/**
 * What happens to the module's memory once the run is over: end() called, the instance dropped,
 * a collection asked for (again every COLLECT_AGAIN_MS until the memory is returned, at most
 * COLLECT_BOUND_MS), the page reloaded. resident_bytes null: the mapping no longer exists. An
 * event is left out once the content process is gone (a reload may end it): the format requires
 * the process's RSS (host_rss_bytes) in every event.
 * @param {{collectGarbage: import('./browser.mjs').LaunchedBrowser['collectGarbage']}} browser
 * @param {import('puppeteer-core').Page} page
 * @param {{pid: number, range: import('./resident.mjs').Range}} mapping
 * @param {number} lastStepAt performance.now() at the run's last step
 */
export async function afterRun(browser, page, mapping, lastStepAt) {
  /** @type {{event: string, elapsed_ms: number, resident_bytes: number | null,
   *   host_rss_bytes: number}[]} */
  const events = [];
  const event = (/** @type {string} */ name) => {
    const elapsed = Math.round((performance.now() - lastStepAt) * 1000) / 1000;
    const resident = mappingResident(mapping);
    const host = processRss(mapping.pid);
    if (host !== null)
      events.push({
        event: name,
        elapsed_ms: elapsed,
        resident_bytes: resident,
        host_rss_bytes: host,
      });
  };
  event('run_end');
  await page.evaluate(() => {
    /** @type {any} */ (window).trimlabHarness = null;
  });
  event('dropped');
  await untilReturned(mapping, { collect: () => browser.collectGarbage(page) });
  event('collected');
  await page.reload();
  await page.waitForFunction(() => window.trimlabDebug?.state().ready === true);
  event('reloaded');
  return events;
}

/**
 * The validator's verdict on `text`.
 * @param {string} text
 */
export function checkDocument(text) {
  return validateResults(text, { platform: 'wasm' });
}

class BadInput extends Error {}

function parseArgs(args) {
  const options = { browsers: [], json: DEFAULT_OUTPUT };
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    if ((flag === '--browser' || flag === '--json') && value === undefined)
      throw new BadInput(`${flag} needs a value`);
    if (flag === '--browser') {
      if (!BROWSERS.includes(value))
        throw new BadInput(
          `--browser '${quote(value)}' is not allowed (allowed: ${BROWSERS.join(', ')})`,
        );
      options.browsers.push(value);
      i++;
    } else if (flag === '--json') {
      options.json = value;
      i++;
    } else
      throw new BadInput(
        `unknown argument '${quote(flag)}' (allowed: --browser ${BROWSERS.join('|')}, --json FILE)`,
      );
  }
  if (options.browsers.length === 0) options.browsers = [...BROWSERS];
  return options;
}

const say = (text) => process.stderr.write(`trimlab: ${cleanLine(text)}\n`);

/** Every scenario of the page's list with its defaults, in each of `browsers`, in order. */
async function measureAll(browsers) {
  const scenarios = (await loadTrimlab()).scenarios().map((scenario) => scenario.name);
  const server = await serve(join(ROOT, 'web'), 0);
  const baseUrl = `http://127.0.0.1:${/** @type {any} */ (server.address()).port}/`;
  const runs = [];
  try {
    for (const name of browsers) {
      const browser = await launchBrowser(name);
      try {
        for (const scenario of scenarios) {
          const run = await measureRun(browser, baseUrl, scenario);
          const collected = run.after.find((e) => e.event === 'collected');
          const after = !collected
            ? 'the content process was gone before the collection'
            : `collected after ${collected.elapsed_ms.toFixed(0)} ms: ` +
              (collected.resident_bytes === null
                ? 'mapping gone'
                : mibText(collected.resident_bytes));
          console.log(
            `${name} ${browser.version} ${scenario}: ${mibText(run.samples.at(-1).resident_bytes)} ` +
              `resident after the run; ${after}`,
          );
          runs.push(run);
        }
      } finally {
        await browser.close();
      }
    }
  } finally {
    server.close();
  }
  return runs;
}

/**
 * The command line; resolves with the exit code.
 * @param {string[]} args
 */
export async function main(args) {
  let options;
  let output;
  try {
    options = parseArgs(args);
    output = openOutput(options.json);
  } catch (error) {
    if (error instanceof BadInput) say(error.message);
    else if (error instanceof OutputError)
      say(`cannot write '${quote(error.path)}': ${error.message}`);
    else throw error;
    return 2;
  }
  let runs;
  try {
    runs = await measureAll(options.browsers);
  } catch (error) {
    output.discard();
    say(`a browser run failed: ${error.message.split('\n')[0]}`);
    return 1;
  }
  const text = await documentOf(runs, GENERATOR);
  const verdict = checkDocument(text);
  if (!verdict.ok) {
    output.discard();
    say(`the browser results are not valid: ${verdict.message}`);
    return 1;
  }
  try {
    output.commit(text);
  } catch (error) {
    say(`cannot write '${quote(error.path)}': ${error.message}`);
    return 1;
  }
  console.log(`wrote ${options.json}`);
  return runs.every((run) => run.outcome === 'completed') ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  main(process.argv.slice(2)).then((code) => process.exit(code));
