// What to do about it, on the page (web/remedies.js), in each browser: after a
// `highwater total_mib=300` run, "Terminate the worker" makes the module's memory go (the test
// reads the browser's processes itself: the mapping no longer exists, the process that held it
// falls by at least RETURNED); "Run again on this instance" grows nothing; the page says whether
// this engine offers WebAssembly.Memory's discard (none does today: pinned, so that an engine
// that ships it is noticed); the panel shows make bench's figures per remedy and engine. The
// page's frames during a run: page-frames.test.mjs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  browserName,
  chartData,
  debugState,
  missingFiles,
  openPage,
  runScenario,
  screenshotPath,
  startBrowser,
  textOf,
} from '../support/browser.mjs';
import { MiB } from '../support/helpers.mjs';
import { moduleMappings, processRss } from '../support/proc.mjs';

assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');

const PARAMS = { total_mib: 300 };
const RETURNED = 250 * MiB;
const GONE_TEXT = /returned|still|not read here|no longer be read/;

const mib = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`;

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

/** Presses a remedy and waits for its outcome line. */
async function remedy(page, id) {
  await page.click(`#${id}`);
  await page.waitForFunction(
    (pattern) => new RegExp(pattern).test(document.getElementById('remedy-result').textContent),
    { timeout: 90_000 },
    GONE_TEXT.source,
  );
  return textOf(page, '#remedy-result');
}

test(`${browserName}: Run again on the same instance grows nothing; Terminate the worker returns the module's memory`, async (t) => {
  const { page, problems } = await openPage(browser);
  const first = await runScenario(page, { scenario: 'highwater', params: PARAMS });
  assert.equal(first.last.outcome, 'completed');
  const grown = (await chartData(page)).series.wasmLinear.points.at(-1).y * MiB;
  assert.ok(grown > 300 * MiB, `linear memory grew to ${mib(grown)}`);

  await page.click('#run-again');
  await page.waitForFunction((n) => window.trimlabDebug.state().settled > n, {}, first.settled);
  const again = await debugState(page);
  assert.equal(again.last.instanceRun, 2, 'the same instance ran it');
  const linear = (await chartData(page)).series.wasmLinear.points.map((p) => p.y * MiB);
  assert.deepEqual(new Set(linear), new Set([grown]), 'linear memory never grew in the run again');

  const [held, ...others] = moduleMappings(browser, grown);
  assert.equal(others.length, 0, 'one mapping of the module');
  assert.ok(held.rss >= 280 * MiB, `resident before terminating: ${mib(held.rss)}`);
  const rssBefore = processRss(held.pid);
  const said = await remedy(page, 'terminate-worker');
  const rssAfter = processRss(held.pid);
  t.diagnostic(
    `${browserName}: "${said}"; process ${held.pid} RSS ${mib(rssBefore)} → ${mib(rssAfter)}`,
  );
  assert.deepEqual(moduleMappings(browser, grown), [], 'the mapping is gone');
  assert.ok(rssBefore - rssAfter >= RETURNED, `the process fell by ${mib(rssBefore - rssAfter)}`);
  assert.match(
    said,
    /^Worker terminated: its \d+\.\d\d MiB resident were returned \d+\.\d s after\.$/,
  );
  const { marks, series } = await chartData(page);
  assert.ok(marks.some((m) => m.text === 'worker terminated'));
  assert.equal(series.wasmResident.points.at(-1).y, 0, 'the resident line ends at 0');
  await page.screenshot({ path: screenshotPath('remedies-terminated'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test(`${browserName}: the page says this engine offers no WebAssembly.Memory discard`, async () => {
  const { page } = await openPage(browser);
  const offered = await page.evaluate(
    () => typeof WebAssembly.Memory.prototype.discard === 'function',
  );
  assert.equal(offered, false, 'an engine here now ships discard: offer it on the page');
  assert.match(
    await textOf(page, '#discard-check'),
    /^(Chromium|Firefox) \d+ offers no WebAssembly\.Memory\.prototype\.discard/,
  );
  await page.close();
});

test(`${browserName}: the panel shows make bench's figures for each remedy in each engine`, async () => {
  const { page, problems } = await openPage(browser);
  await page.waitForFunction(() => !document.getElementById('remedy-figures').hidden);
  const table = await page.$eval('#remedy-figures', (t) => ({
    engines: [...t.tHead.rows[0].cells].slice(1).map((c) => c.textContent),
    remedies: [...t.tBodies[0].rows].map((r) => r.cells[0].textContent),
    cells: [...t.tBodies[0].rows].map((r) => r.cells.length),
  }));
  assert.deepEqual(
    table.engines.map((name) => name.split(' ')[0]),
    ['Node', 'Chromium', 'Firefox'],
  );
  assert.deepEqual(table.remedies, [
    'Run again on this instance',
    'Drop the instance',
    'Terminate the worker',
    'Reload',
    'Cost: a fresh instance',
  ]);
  assert.ok(table.cells.every((n) => n === 4));
  assert.deepEqual(problems, []);
  await page.close();
});

test(`${browserName}: lower the peak: the same 300 MiB in batches of 30 MiB keeps a batch, in one batch all of it`, async () => {
  const { page, problems } = await openPage(browser);
  await page.click('#compare-batches');
  await page.waitForFunction(() => window.trimlabDebug.state().batches !== null, {
    timeout: 120_000,
  });
  const [whole, batched] = (await debugState(page)).batches;
  assert.deepEqual(
    [whole.batchMib, batched.batchMib],
    [300, 30],
    'one batch of the total, then batches of a tenth',
  );
  // What the module keeps is its heap's end: the total in one batch, about one batch otherwise.
  assert.ok(whole.keptBytes >= 300 * MiB, `one batch keeps ${mib(whole.keptBytes)}`);
  assert.ok(
    batched.keptBytes >= 30 * MiB && batched.keptBytes < 60 * MiB,
    `batches of 30 MiB keep ${mib(batched.keptBytes)}`,
  );
  // The kernel agrees (the test's server reads the browser's /proc): resident after each run.
  assert.ok(
    whole.residentBytes >= 280 * MiB,
    `resident after one batch ${mib(whole.residentBytes)}`,
  );
  assert.ok(
    batched.residentBytes < 60 * MiB,
    `resident after batches ${mib(batched.residentBytes)}`,
  );
  assert.match(
    await textOf(page, '#batch-result'),
    /^The same 300 MiB of work: one batch of 300 MiB keeps 30\d\.\d\d MiB \(\d+\.\d\d MiB resident after\); batches of 30 MiB keeps? \d+\.\d\d MiB/,
  );
  await page.screenshot({ path: screenshotPath('page-lower-peak'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
