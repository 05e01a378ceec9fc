// The memory map panel beside the chart (web/map-panel.js), in this browser (TRIMLAB_BROWSER):
// after `highwater total_mib=300` on a fresh instance the map's cached pages against the resident
// bytes the page's live reading shows and against the test's own read of the module's mapping in
// /proc; its live pages against the allocator's bytes in use; a cell's address range and class on
// hovering; after "Terminate the worker" no module. After `fragmented keep_every=16`, with native
// results of the same parameters imported, the native map beside it and the module's live pages
// within one page per block the run holds. Screenshots of the map beside the chart after both.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  browserName,
  chartData,
  missingFiles,
  openPage,
  runScenario,
  screenshotPath,
  setInputFile,
  startBrowser,
  textOf,
} from '../support/browser.mjs';
import { MiB, root } from '../support/helpers.mjs';
import { moduleMappings } from '../support/proc.mjs';

assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');

const PAGE = 65536;
const FRAGMENTED = { chunks: 2560, keep_every: 16 };

let browser;
before(async () => {
  browser = await startBrowser();
});
after(() => browser?.close());

/** The MiB per class the legend `selector` shows, by its words' first word. */
async function legendMib(page, selector) {
  const items = await page.$$eval(`${selector} li`, (list) => list.map((li) => li.textContent));
  return Object.fromEntries(
    items.map((text) => [/^\w+/.exec(text)[0], Number(/([\d.]+) MiB$/.exec(text)[1])]),
  );
}

/** Waits until the run's last map has been drawn again after the run, with the browser's
 *  residency, and returns what the panel shows. */
async function settledMap(page) {
  await page.waitForFunction(() => window.trimlabDebug.map().settled, { timeout: 10_000 });
  assert.match(
    await textOf(page, '#map-note'),
    /page tables/,
    'the residency is the browser\u2019s',
  );
  return page.evaluate(() => window.trimlabDebug.map());
}

/** Screenshots the chart and the map beside it. */
async function shoot(page, name) {
  const row = await page.$('.chart-row');
  await row.screenshot({ path: screenshotPath(name) });
}

test(`${browserName}: after highwater total_mib=300 the map shows the kept cache resident, then no module once the worker is terminated`, async (t) => {
  const { page, problems } = await openPage(browser);
  await page.setViewport({ width: 1600, height: 1300 });
  const state = await runScenario(page, { scenario: 'highwater', params: { total_mib: 300 } });
  assert.equal(state.last.outcome, 'completed');
  assert.equal(state.residentLive, true, 'the page reads its resident memory live');
  const snapshot = await settledMap(page);
  const shown = await legendMib(page, '#map-counts');
  const { series } = await chartData(page);
  const residentShown = series.wasmResident.points.at(-1).y * MiB;
  const inUse = series.wasmInUse.points.at(-1).y * MiB;
  const memoryBytes = snapshot.module.pages * PAGE;
  const [mapping, ...others] = moduleMappings(browser, memoryBytes);
  assert.equal(others.length, 0, 'one mapping of the module');
  const cached = shown.cached * MiB;
  t.diagnostic(
    `map: ${JSON.stringify(shown)} MiB; the page's resident reading ${(residentShown / MiB).toFixed(2)} MiB; ` +
      `smaps Rss ${(mapping.rss / MiB).toFixed(2)} MiB; in use ${(inUse / MiB).toFixed(3)} MiB`,
  );
  assert.ok(cached >= 280 * MiB, `cached ${shown.cached} MiB`);
  assert.ok(
    Math.abs(cached - residentShown) <= 0.02 * residentShown,
    `cached ${shown.cached} MiB against the page's resident reading ${residentShown / MiB} MiB`,
  );
  assert.ok(
    Math.abs(cached - mapping.rss) <= 0.02 * mapping.rss,
    `cached ${shown.cached} MiB against smaps Rss ${mapping.rss / MiB} MiB`,
  );
  // Every block is freed by the end: live is at most the page holding what is still in use.
  const live = shown.live * MiB;
  assert.ok(live <= Math.ceil(inUse / PAGE) * PAGE + PAGE, `live ${shown.live} MiB`);
  const total = Object.values(shown).reduce((a, b) => a + b);
  assert.ok(Math.abs(total - memoryBytes / MiB) <= 0.05, `${total} MiB in the classes`);

  // Hovering a cell in the middle of the heap says its address range and class.
  const box = await (await page.$('#map-canvas')).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 3);
  assert.match(
    await textOf(page, '#map-hover'),
    /^0x[0-9a-f]{8}–0x[0-9a-f]{8} \([\d.]+ (KiB|MiB)\): cached: kept by the allocator, resident$/,
  );
  await page.mouse.move(0, 0);
  await shoot(page, 'map-after-highwater');

  await page.click('#terminate-worker');
  await page.waitForFunction(() =>
    /^No module/.test(document.getElementById('map-caption').textContent),
  );
  assert.deepEqual(await legendMib(page, '#map-counts'), {}, 'no counts without a module');
  assert.equal((await page.evaluate(() => window.trimlabDebug.map())).module, null);
  assert.deepEqual(problems, []);
  await page.close();
});

test(`${browserName}: after fragmented keep_every=16 the module's live pages hold its blocks, beside the native map`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trimlab-map-'));
  const file = join(dir, 'fragmented-16.json');
  const set = Object.entries(FRAGMENTED).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  execFileSync(join(root, 'build', 'trimlab'), [
    ...['--scenario', 'fragmented', ...set, '--trim', 'both', '--map', '--quiet'],
    ...['--json', file],
  ]);
  const { page, problems } = await openPage(browser);
  await page.setViewport({ width: 1600, height: 1300 });
  await setInputFile(page, '#import', { path: file });
  await page.waitForFunction(() =>
    /fragmented-16\.json/.test(document.getElementById('native-source').textContent),
  );
  await runScenario(page, { scenario: 'fragmented', params: FRAGMENTED });
  const snapshot = await settledMap(page);
  const held = snapshot.module.held_bytes;
  const live = snapshot.module.mib.live * MiB;
  // The blocks the run holds at its end: every keep_every-th chunk and the one pinned above them.
  const blocks = FRAGMENTED.chunks / FRAGMENTED.keep_every + 1;
  t.diagnostic(`live ${live / MiB} MiB, held ${held} bytes, ${blocks} blocks`);
  assert.ok(held >= blocks * 4096, `held ${held} bytes`);
  assert.ok(live >= held && live - held <= blocks * PAGE, `live ${live} bytes`);
  const shown = await legendMib(page, '#map-counts');
  assert.equal(shown.live, Number((live / MiB).toFixed(2)), 'the legend says what the map holds');

  assert.equal(await page.$eval('#map-native', (box) => box.hidden), false);
  assert.match(await textOf(page, '#map-native-caption'), /^Natively: glibc’s heap after trim/);
  const native = await legendMib(page, '#map-native-counts');
  assert.ok(native.live > 0 && native.live < shown.live, JSON.stringify(native));
  await shoot(page, 'map-after-fragmented');
  // The native map sits under the module's, in the panel's scrolled part.
  await (
    await page.$('#map-native')
  ).screenshot({ path: screenshotPath('map-native-after-fragmented') });
  assert.deepEqual(problems, []);
  await page.close();
});
