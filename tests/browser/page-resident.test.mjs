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

import { measureRun } from '../../tools/browser-results.mjs';
import { descendantsOf } from '../../tools/browser.mjs';
import {
  browserName,
  chartData,
  missingFiles,
  openPage,
  runScenario,
  startBrowser,
} from '../support/browser.mjs';
import { MiB } from '../support/helpers.mjs';

assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');

const PARAMS = { total_mib: 300 };
const KEPT = 280 * MiB; // of the 300 MiB freed, at least this stays resident
const NEAR_PEAK = 0.95;
const RETURNED_WITHIN = 16 * MiB;
// Firefox's mapping holds one page before the buffer (checked here with a pattern written at the
// buffer's start); Chromium's is the buffer exactly.
const EXTRA = { chromium: 0, firefox: 4096 }[browserName];

/** The Rss: of every rw-p mapping of exactly `bytes` in `pids`' smaps, in bytes. */
function residentOfMappings(pids, bytes) {
  const found = [];
  for (const pid of pids) {
    let smaps;
    try {
      smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
    } catch {
      continue; // a process that ended meanwhile
    }
    const entries = smaps.split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
    for (const entry of entries) {
      const [, from, to, perms] = /^([0-9a-f]+)-([0-9a-f]+) (\S+)/.exec(entry) ?? [];
      if (perms !== 'rw-p' || Number(BigInt(`0x${to}`) - BigInt(`0x${from}`)) !== bytes) continue;
      found.push(Number(/\nRss:\s+(\d+) kB/.exec(entry)[1]) * 1024);
    }
  }
  return found;
}

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
  const resident = residentOfMappings(descendantsOf(browser.pid), bytes + EXTRA);
  t.diagnostic(`${browserName}: linear memory ${mib(bytes)}, resident ${resident.map(mib)}`);
  assert.equal(resident.length, 1, `one mapping of ${bytes + EXTRA} bytes`);
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
