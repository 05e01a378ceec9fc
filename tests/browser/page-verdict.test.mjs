// The verdict above the chart: after the default run (highwater, chosen because it shows the
// effect best: README), one sentence and three numbers, each checked against a figure the test
// finds itself: what native holds (the trim-on run of native-results.json, its last sample over
// its first), what the browser holds (the module's mapping in the browser's own /proc), and the
// plan's error computed from those two. No verdict where it would mislead: a reused instance's
// run left nothing new resident.
import { DEFAULT_SPEED } from '../../web/run-loop.js';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  browserName,
  chartData,
  debugState,
  isVisible,
  missingFiles,
  openPage,
  runScenario,
  screenshotPath,
  textOf,
  valueOf,
  startBrowser,
  webRoot,
} from '../support/browser.mjs';
import { MiB } from '../support/helpers.mjs';
import { moduleMappings } from '../support/proc.mjs';

assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');

const native = JSON.parse(readFileSync(join(webRoot, 'gen', 'data', 'native-results.json')));
const mibOf = (text) => Number(/^(\d+\.\d\d) MiB$/.exec(text)?.[1]);

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

test(`${browserName}: the default run's verdict: native holds, the browser holds, the plan's error`, async () => {
  const { page, problems } = await openPage(browser);
  await page.setViewport({ width: 1280, height: 960 });
  assert.equal(await valueOf(page, '#scenario'), 'highwater', 'the default scenario');
  assert.equal(await isVisible(page, '#verdict'), false, 'no verdict before a run');
  // At the page's default speed, as a presenter runs it: the resident readings keep up with the
  // run, so the screenshot's resident line is drawn whole, not in the pieces of a faster run.
  const state = await runScenario(page, { scenario: 'highwater', speed: DEFAULT_SPEED });
  assert.equal(state.last.outcome, 'completed');

  const on = native.runs.find((r) => r.scenario === 'highwater' && r.trim === 'enabled');
  const nativeHeld = on.samples.at(-1).footprint_bytes - on.samples[0].footprint_bytes;
  const linear = (await chartData(page)).series.wasmLinear.points.at(-1).y * MiB;
  const [mapping, ...others] = moduleMappings(browser, linear);
  assert.equal(others.length, 0, 'one mapping of the module');
  const browserHeld = mapping.rss;

  assert.equal(await isVisible(page, '#verdict'), true);
  const shown = {
    native: mibOf(await textOf(page, '#verdict-native')),
    browser: mibOf(await textOf(page, '#verdict-browser')),
    plan: Number((await textOf(page, '#verdict-plan')).replace('−', '-').replace(' %', '')),
  };
  assert.ok(Math.abs(shown.native * MiB - nativeHeld) < 0.01 * MiB, `native ${shown.native}`);
  // The page's figure is the resident growth: the mapping's Rss less the ~0.03 MiB it had fresh.
  assert.ok(
    Math.abs(shown.browser * MiB - browserHeld) < 0.01 * browserHeld,
    `browser ${shown.browser} MiB, the mapping's Rss ${(browserHeld / MiB).toFixed(2)} MiB`,
  );
  const plan = ((nativeHeld - browserHeld) / browserHeld) * 100;
  assert.ok(Math.abs(shown.plan - plan) < 0.5, `plan ${shown.plan} %, the test's ${plan} %`);
  assert.ok(shown.plan < -90, 'native figures underestimate the browser');
  const sentence = await textOf(page, '#verdict-sentence');
  assert.match(sentence, /underestimates the browser by 9\d\.\d %\.$/);
  assert.doesNotMatch(sentence, /\b(RSS|sbrk|trim|linear memory)\b/, 'no jargon');
  // The verdict over the chart and the map: the picture the README shows.
  const clip = await page.evaluate(() => {
    const top = document.getElementById('verdict').getBoundingClientRect();
    const bottom = document.querySelector('.chart-row').getBoundingClientRect();
    return { x: top.left, y: top.top, width: top.width, height: bottom.bottom - top.top };
  });
  await page.screenshot({ path: screenshotPath('page-verdict-highwater'), clip });

  // The same run again on this instance: the cache is reused, nothing new is resident.
  await runScenario(page, { scenario: 'highwater', instance: 'reuse' });
  assert.equal((await debugState(page)).last.instanceRun, 2);
  assert.equal(await isVisible(page, '#verdict'), false, 'no verdict for a reused instance');
  assert.deepEqual(problems, []);
  await page.close();
});
