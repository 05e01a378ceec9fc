// The module's resident memory in the browser, read from /proc by the test (docs/toolchain.md,
// "Resident memory in browsers and Node"): what `highwater total_mib=300` leaves resident after
// free and trim, and what dropping the instance gives back. Through the page's Run button (the
// test's own read of the renderer's smaps) and through the harness of `make browser-results`
// (tools/browser-results.mjs: a reading at every step, then dropped, collected, reloaded).
// Chromium returns the memory when asked to collect; Firefox's collection is asked for and runs
// soon after: what it did is recorded, its timing is not asserted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { measureRun } from '../../tools/browser-results.mjs';
import {
  browserName,
  chartData,
  missingFiles,
  openPage,
  runScenario,
  screenshotPath,
  startBrowser,
  textOf,
  webRoot,
  withoutEndpoint,
} from '../support/browser.mjs';
import { MiB } from '../support/helpers.mjs';
import { MAPPING_EXTRA, moduleMappings } from '../support/proc.mjs';

assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');

const PARAMS = { total_mib: 300 };
const KEPT = 280 * MiB; // of the 300 MiB freed, at least this stays resident
const NEAR_PEAK = 0.95;
const RETURNED_WITHIN = 16 * MiB;
const mib = (bytes) => (bytes === null ? 'gone' : `${(bytes / MiB).toFixed(1)} MiB`);

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

test(`${browserName}: Run on highwater total_mib=300 leaves at least 280 MiB of the module resident (the renderer's smaps)`, async (t) => {
  const { page, problems } = await openPage(browser);
  const state = await runScenario(page, { scenario: 'highwater', params: PARAMS });
  assert.equal(state.last.outcome, 'completed');
  const { series } = await chartData(page);
  const bytes = series.wasmLinear.points.at(-1).y * MiB; // the memory's size the page drew
  const resident = moduleMappings(browser, bytes).map((m) => m.rss);
  t.diagnostic(`${browserName}: linear memory ${mib(bytes)}, resident ${resident.map(mib)}`);
  assert.equal(resident.length, 1, `one mapping of ${bytes + MAPPING_EXTRA} bytes`);
  assert.ok(resident[0] >= KEPT, `${mib(resident[0])} resident after free and trim`);
  assert.ok(resident[0] <= bytes, 'no more resident than the memory holds');
  assert.deepEqual(problems, []);
  await page.close();
});

test(`${browserName}: the harness reads it at every step; dropping the instance and collecting gives it back`, async (t) => {
  const run = await measureRun(browser, browser.baseUrl, 'highwater', 'total_mib=300');
  assert.equal(run.outcome, 'completed');
  assert.deepEqual(run.host, { name: browserName, version: browser.version, resident: 'smaps' });
  const resident = run.samples.map((s) => s.resident_bytes);
  const peak = Math.max(...resident);
  const afterTrim = run.samples.findLast((s) => s.phase === 'trim').resident_bytes;
  // A fresh 64 MiB memory has almost nothing resident: a reading of the memory's size would not.
  assert.ok(resident[0] < 16 * MiB, `${mib(resident[0])} resident at the baseline of 64 MiB`);
  assert.ok(afterTrim >= KEPT, `${mib(afterTrim)} resident after free and trim`);
  assert.ok(afterTrim >= NEAR_PEAK * peak, `${mib(afterTrim)} after trim, peak ${mib(peak)}`);

  const events = Object.fromEntries(run.after.map((e) => [e.event, e]));
  assert.deepEqual(Object.keys(events), ['run_end', 'dropped', 'collected', 'reloaded']);
  const before = run.samples[0].host_rss_bytes;
  t.diagnostic(
    `${browserName} ${browser.version}: process RSS ${mib(before)} before, ` +
      `${mib(run.samples.at(-1).host_rss_bytes)} after the run; ` +
      run.after
        .map(
          (e) =>
            `${e.event} at +${e.elapsed_ms.toFixed(0)} ms: module ${mib(e.resident_bytes)}, ` +
            `process ${mib(e.host_rss_bytes)}`,
        )
        .join('; '),
  );
  assert.ok(events.dropped.resident_bytes >= KEPT, 'dropping alone returns nothing');
  if (browserName === 'chromium') {
    assert.ok(
      !events.collected.resident_bytes,
      `collected: the module's memory is returned (${mib(events.collected.resident_bytes)})`,
    );
    assert.ok(
      events.collected.host_rss_bytes <= before + RETURNED_WITHIN,
      `the renderer's RSS ${mib(events.collected.host_rss_bytes)} after collection, ` +
        `${mib(before)} before the run`,
    );
  }
});

const NEAR = 0.05; // the page's last reading against the test's own, read moments apart
const near = (a, b) => Math.abs(a - b) <= NEAR * b;
const readJson = (file) => JSON.parse(readFileSync(join(webRoot, 'gen', 'data', file), 'utf8'));
/** A figure "N.NN" of the summary, in bytes. */
const figure = (text, pattern) => {
  const found = pattern.exec(text);
  assert.ok(found, `${pattern} in: ${text}`);
  return Number(found[1]) * MiB;
};

test(`${browserName}: the page draws the module's resident memory live from /api/resident, and the summary's resident figures`, async (t) => {
  const { page, problems } = await openPage(browser);
  await page.setViewport({ width: 1280, height: 900 });
  // The chart's resident series while the run goes, sampled by the test itself.
  await page.evaluate(() => {
    window.trimlabTestSeen = [];
    const look = () => {
      const { state, chart } = window.trimlabDebug;
      if (state().running) window.trimlabTestSeen.push(chart().series.wasmResident.points.length);
      if (state().settled === 0) requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  });
  const state = await runScenario(page, { scenario: 'highwater', speed: '60' });
  assert.equal(state.last.outcome, 'completed');
  const seen = await page.evaluate(() => window.trimlabTestSeen);
  assert.ok(Math.max(...seen) >= 3, `resident points drawn while running: ${seen.at(-1)}`);

  const { series } = await chartData(page);
  const bytes = series.wasmLinear.points.at(-1).y * MiB;
  const [own] = moduleMappings(browser, bytes).map((m) => m.rss);
  // The reading at the run's last step (readings after the run follow it, in seconds).
  const atEnd = series.wasmResident.points.find((p) => p.x === state.last.steps - 1);
  assert.ok(atEnd, 'a reading at the last step');
  const drawn = atEnd.y * MiB;
  t.diagnostic(`${browserName}: drawn ${mib(drawn)}, the renderer's smaps ${mib(own)}`);
  assert.equal(series.wasmResident.label, 'WebAssembly resident (live, this browser)');
  assert.ok(near(drawn, own), `drawn ${mib(drawn)}, read ${mib(own)}`);
  assert.ok(series.wasmResident.points.length >= 3);
  assert.equal(series.wasmHostRss.hidden, true, 'the process RSS is hidden until asked for');

  // The summary's figures against the test's own: its read of smaps, the run's in-use bytes and
  // the native results file.
  const lead = await textOf(page, '#summary-lead');
  const items = await textOf(page, '#summary-figures');
  const held = figure(lead, /held (\d+\.\d\d) MiB resident after the run/);
  assert.ok(near(held, own), `summary ${mib(held)}, read ${mib(own)}`);
  const inUse = series.wasmInUse.points.at(-1).y * MiB;
  const retained = figure(lead, /(\d+\.\d\d) MiB of it retained/);
  assert.ok(near(retained, own - inUse), `retained ${mib(retained)}, ${mib(own - inUse)}`);
  const start = figure(items, /resident (\d+\.\d\d) → /);
  assert.ok(start < 2 * MiB, `a fresh module has almost nothing resident: ${mib(start)}`);
  const off = readJson('native-results.json').runs.find(
    (r) => r.scenario === 'highwater' && r.trim === 'disabled',
  ).summary;
  const predicted = off.final_footprint_bytes - off.baseline_footprint_bytes;
  const expected = ((predicted - (own - start)) / (own - start)) * 100;
  const error = Number(/error of ([−+]\d+\.\d) %/.exec(lead)[1].replace('−', '-'));
  assert.ok(
    Math.abs(error - expected) <= 5,
    `error ${error} %, from the test's figures ${expected} %`,
  );
  await page.screenshot({ path: screenshotPath('page-resident-live') });
  assert.deepEqual(problems, []);
  await page.close();
});

test(`${browserName}: without /api/resident the page says so in one line and draws what the browser suite measured`, async () => {
  await withoutEndpoint(browser, async (served) => {
    const { page, problems } = await openPage(served);
    await page.setViewport({ width: 1280, height: 900 });
    await page.waitForFunction(() => !document.querySelector('#resident-notice').hidden);
    const notice = await textOf(page, '#resident-notice');
    assert.match(
      notice,
      /^resident memory is not available: this page's server has no \/api\/resident \(HTTP 404\).*Drawn instead: what make browser-results measured\.$/,
    );
    assert.doesNotMatch(notice, /\n/);
    await page.select('#scenario', 'highwater');
    const measured = readJson('browser-results.json').runs;
    const own = measured.find((r) => r.scenario === 'highwater' && r.host.name === browserName);
    const { series } = await chartData(page);
    const name = { chromium: 'Chromium', firefox: 'Firefox' }[browserName];
    const major = own.host.version.split('.')[0];
    assert.equal(series.wasmResident.label, `WebAssembly resident (measured in ${name} ${major})`);
    assert.deepEqual(
      series.wasmResident.points.map((p) => p.y * MiB),
      own.samples.map((s) => s.resident_bytes),
    );
    // A run with the measured parameters: the summary's resident figures are the measurement's.
    const state = await runScenario(page, { scenario: 'highwater' });
    assert.equal(state.residentLive, false);
    const lead = await textOf(page, '#summary-lead');
    const end = own.after.find((e) => e.event === 'run_end').resident_bytes;
    assert.equal(
      figure(lead, /held (\d+\.\d\d) MiB resident/),
      Number((end / MiB).toFixed(2)) * MiB,
    );
    assert.match(
      await textOf(page, '#summary-figures'),
      new RegExp(`measured in ${name} ${major}`),
    );
    await page.screenshot({ path: screenshotPath('page-resident-measured') });
    assert.deepEqual(problems, []);
    await page.close();
  });
});
