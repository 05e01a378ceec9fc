// Presenter mode, by keyboard only and from a link (?present): cycles then highwater, a slide per
// phase that stays (the run holds there) until the presenter moves on, Back to the slide before,
// Space to pause a run, each run's verdict, two remedies done live (run again, terminate the
// worker), and a closing slide comparing the scenarios with their numbers, checked against the
// native results file. Escape leaves at any point and stops the run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  browserName,
  chartData,
  debugState,
  missingFiles,
  openPage,
  screenshotPath,
  startBrowser,
  webRoot,
} from '../support/browser.mjs';
import { MiB } from '../support/helpers.mjs';

assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');

const native = JSON.parse(readFileSync(join(webRoot, 'gen', 'data', 'native-results.json')));
/** What the native trim-on run holds after the work, in MiB as the page writes it. */
function nativeHeld(scenario) {
  const on = native.runs.find((r) => r.scenario === scenario && r.trim === 'enabled');
  return `${((on.samples.at(-1).footprint_bytes - on.samples[0].footprint_bytes) / MiB).toFixed(2)} MiB`;
}

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

const slideOf = async (page) => (await debugState(page)).slide;
/** Waits until slide number `count` is shown (the presentation has reached it). */
async function reach(page, count) {
  await page.waitForFunction(
    (n) => window.trimlabDebug.state().slide?.count >= n,
    { timeout: 90_000 },
    count,
  );
  return slideOf(page);
}
const drawnSteps = async (page) => (await chartData(page)).series.wasmLinear.points.length;

test(`${browserName}: presenter mode from a link, by keyboard: a slide per phase, the verdicts, two remedies, the closing comparison`, async () => {
  const { page, problems } = await openPage(browser, { path: '?present' });
  let slide = await reach(page, 1);
  assert.equal((await debugState(page)).presenting, true, 'the link opened presenter mode');
  assert.equal(slide.title, 'cycles, step 0');
  // The run holds at the slide: nothing more is drawn until the presenter moves on.
  const held = await drawnSteps(page);
  await new Promise((resolve) => setTimeout(resolve, 800));
  assert.equal(await drawnSteps(page), held, 'the run held at the slide');

  await page.keyboard.press('ArrowRight');
  slide = await reach(page, 2);
  assert.equal(slide.title, 'cycles, step 1');
  // Back shows the slide before; Next returns to the newest, and only then the run goes on.
  await page.keyboard.press('ArrowLeft');
  assert.deepEqual(
    [(await slideOf(page)).index, (await slideOf(page)).title],
    [0, 'cycles, step 0'],
  );
  await page.keyboard.press('ArrowRight');
  assert.deepEqual([(await slideOf(page)).index, (await slideOf(page)).count], [1, 2]);

  // Onwards to the end, by keyboard only, noting every slide.
  const titles = [];
  let closingRows = [];
  for (let count = 3; ; count++) {
    await page.keyboard.press('ArrowRight');
    const state = await debugState(page);
    if (!state.presenting) break;
    slide = await reach(page, count);
    titles.push(slide.title);
    if (slide.title === 'The scenarios shown') {
      // What the room sees: the slide's table.
      closingRows = await page.$$eval('#slide-table tr', (rows) =>
        rows.map((row) => [...row.cells].map((cell) => cell.textContent)),
      );
      await page.screenshot({ path: screenshotPath('presenter-closing') });
      break;
    }
    if (slide.title.startsWith('What to do')) {
      // The remedy is done live: its outcome joins the slide.
      const outcome = slide.title.includes('terminate') ? 'Worker terminated: ' : 'Linear memory';
      await page.waitForFunction(
        (text) => window.trimlabDebug.state().slide.text.includes(text),
        { timeout: 90_000 },
        outcome,
      );
      if (slide.title.includes('terminate'))
        await page.screenshot({ path: screenshotPath('presenter-slide') });
    }
  }
  const phasesOf = (scenario) => titles.filter((t) => t.startsWith(`${scenario}, step`));
  // cycles: baseline (before this loop), allocate (before too), fill, the first free, the
  // second free, trim, final; highwater: baseline, allocate, free, trim, final.
  assert.equal(phasesOf('cycles').length, 5, titles.join('\n'));
  assert.equal(phasesOf('highwater').length, 5, titles.join('\n'));
  assert.ok(
    titles.includes('cycles: what it shows') && titles.includes('highwater: what it shows'),
  );
  const { slides } = await debugState(page);
  const again = slides.find((s) => s.title.includes('run again'));
  assert.match(again.text, /Linear memory stayed at \d+\.\d\d MiB\.$/);
  const terminated = slides.find((s) => s.title.includes('terminate'));
  assert.match(terminated.text, /Worker terminated: /);
  assert.deepEqual(closingRows[0], [
    'scenario',
    'native holds',
    'the browser holds',
    'a plan from native is off by',
  ]);
  assert.deepEqual(
    closingRows.slice(1).map((row) => row.slice(0, 2)),
    [
      ['cycles', nativeHeld('cycles')],
      ['highwater', nativeHeld('highwater')],
    ],
  );
  assert.ok(
    closingRows.slice(1).every((row) => /^−\d+\.\d %$/.test(row[3])),
    closingRows.join('\n'),
  );

  await page.keyboard.press('ArrowRight'); // past the last slide: presenter mode ends
  await page.waitForFunction(() => !window.trimlabDebug.state().presenting);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'present');
  assert.deepEqual(problems, []);
  await page.close();
});

test(`${browserName}: in presenter mode Space pauses the run and goes on, Escape leaves and stops it`, async () => {
  const { page, problems } = await openPage(browser);
  await page.select('#speed', '15');
  await page.focus('#present');
  await page.keyboard.press('Enter');
  // On to highwater's allocation, a long phase (50 steps at 15 steps/s) to pause in.
  for (let count = 1; (await reach(page, count)).title !== 'highwater, step 1'; count++)
    await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => window.trimlabDebug.chart().series.wasmLinear.points.length > 5);
  await page.keyboard.press(' ');
  const paused = await drawnSteps(page);
  await new Promise((resolve) => setTimeout(resolve, 800));
  assert.ok((await drawnSteps(page)) <= paused + 1, 'paused: at most the step on its way');
  assert.equal(await page.$eval('#slide-pause', (b) => b.getAttribute('aria-pressed')), 'true');
  await page.keyboard.press(' ');
  await page.waitForFunction(
    (n) => window.trimlabDebug.chart().series.wasmLinear.points.length > n,
    { timeout: 30_000 },
    paused + 1,
  );
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => {
    const state = window.trimlabDebug.state();
    return !state.presenting && !state.running;
  });
  assert.equal(await page.$eval('#presenter', (p) => p.hidden), true);
  assert.deepEqual(problems, []);
  await page.close();
});
