// State that never lies: each defect found by trying the page as a user, reproduced here first.
// The x axis ends at the run's last step; a message about a bad value goes when the value is
// fixed, and a field's error is not joined by a "parameters differ" warning; a refused file's
// message goes with the next run; Reset during a run leaves no line of it drawn; a replay's
// heading names the program, not its path, and the sidebar its parameters, not the last
// scenario's; the definitions open below the chart, not inside it; a reused instance's summary
// says what the instance keeps over its fresh start and computes no prediction; a run slower
// than the chosen speed says so, at the rate the test counts it drawing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  browserName,
  chartData,
  debugState,
  fill,
  isVisible,
  missingFiles,
  openPage,
  runScenario,
  setInputFile,
  startBrowser,
  textOf,
} from '../support/browser.mjs';
import { MiB } from '../support/helpers.mjs';
import { TraceBuilder } from '../replay/trace-encoder.mjs';
import { WINDOW_MS } from '../../web/pace.js';

assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

test(`${browserName}: the x axis ends at the run's last step (102 for highwater's 103 steps, not 120)`, async () => {
  const { page } = await openPage(browser);
  assert.equal((await chartData(page)).xScaleMax, 102, "before a run: the native runs' steps");
  const state = await runScenario(page, { scenario: 'highwater' });
  assert.equal(state.last.steps, 103);
  assert.equal((await chartData(page)).xScaleMax, 102);
  await page.close();
});

test(`${browserName}: a bad value's messages: the field's error alone, gone once the value is fixed`, async () => {
  const { page } = await openPage(browser);
  await fill(page, '#param-total_mib', '0');
  assert.equal(await isVisible(page, '#param-total_mib-error'), true);
  assert.equal(await isVisible(page, '#params-notice'), false, 'no "parameters differ" beside it');
  await page.click('#run');
  assert.equal(await isVisible(page, '#run-error'), true, '"Not started" is said');
  await fill(page, '#param-total_mib', '100');
  assert.equal(await isVisible(page, '#param-total_mib-error'), false);
  assert.equal(await isVisible(page, '#run-error'), false, '"Not started" went with the error');
  await page.close();
});

test(`${browserName}: a refused file's message goes when the next run starts`, async () => {
  const { page } = await openPage(browser);
  await setInputFile(page, '#import', { name: 'bad.json', buffer: Buffer.from('{') });
  await page.waitForFunction(() => !document.getElementById('import-error').hidden);
  await runScenario(page, { scenario: 'cycles' });
  assert.equal(await isVisible(page, '#import-error'), false);
  await page.close();
});

test(`${browserName}: Reset during a run: no line of it stays drawn, nothing to point at`, async () => {
  const { page } = await openPage(browser);
  await page.select('#speed', '15');
  await page.click('#run');
  await page.waitForFunction(() => window.trimlabDebug.chart().series.wasmLinear.points.length > 5);
  await page.click('#reset');
  await page.waitForFunction(() => !window.trimlabDebug.state().running);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { series, drawn } = await chartData(page);
  for (const key of ['wasmLinear', 'wasmHeap', 'wasmInUse'])
    assert.deepEqual(series[key].points, [], `${key} cleared`);
  assert.deepEqual(drawn, { wasmLinear: 0, wasmHeap: 0, wasmInUse: 0 }, 'nothing of it drawn');
  assert.equal((await debugState(page)).last, null);
  await page.close();
});

test(`${browserName}: a replay's heading names the program, not the path it was recorded at; the sidebar shows the replay's parameters`, async () => {
  const { page } = await openPage(browser);
  const trace = new TraceBuilder({ program: '/usr/local/bin/grow-and-free' });
  trace.malloc(0x5000, 100);
  for (let i = 1; i <= 8; i++) trace.malloc(0x1000_0000 + i * 0x40_0000, 2 * MiB);
  for (let i = 1; i <= 8; i++) trace.free(0x1000_0000 + i * 0x40_0000);
  const settled = (await debugState(page)).settled;
  await setInputFile(page, '#import', { name: 'grow.trace', buffer: Buffer.from(trace.bytes()) });
  await page.waitForFunction((n) => window.trimlabDebug.state().settled > n, {}, settled);
  assert.equal(await textOf(page, '#summary-heading'), 'What the replay of grow-and-free shows');
  // The sidebar shows the replay's parameters, not those of the scenario chosen before it.
  assert.equal(await isVisible(page, '#param-total_mib'), false, "highwater's field is not shown");
  assert.match(
    await textOf(page, '#replay-params'),
    new RegExp(
      `^On the chart: the replay of grow-and-free \\(grow\\.trace\\), ${trace.events} events, 1000 a step\\.`,
    ),
  );
  // A scenario chosen again brings its fields back.
  await page.select('#scenario', 'cycles');
  assert.equal(await isVisible(page, '#param-block_mib'), true);
  assert.equal(await isVisible(page, '#replay-params'), false);
  await page.close();
});

test(`${browserName}: "How these numbers are computed" opens below the chart, which keeps its height`, async () => {
  const { page } = await openPage(browser);
  await page.setViewport({ width: 1280, height: 800 });
  await runScenario(page, { scenario: 'highwater' });
  const height = () => page.$eval('.chart-box', (box) => box.getBoundingClientRect().height);
  const before = await height();
  await page.click('#summary details summary');
  assert.equal(await height(), before);
  assert.ok(before >= 300, `the chart is ${before} px tall`);
  await page.close();
});

test(`${browserName}: a reused instance: what it keeps over the fresh module, and no prediction or verdict`, async () => {
  const { page, problems } = await openPage(browser);
  await runScenario(page, { scenario: 'simple', instance: 'reuse' });
  // highwater's default parameters are the native file's: on a fresh instance it is compared.
  const state = await runScenario(page, { scenario: 'highwater', instance: 'reuse' });
  assert.equal(state.last.instanceRun, 2);
  assert.equal(state.last.outcome, 'completed');
  assert.equal(state.residentLive, true, 'live resident readings (the demo server)');
  assert.equal(await isVisible(page, '#verdict'), false, 'no verdict for a reused instance');
  const note = await textOf(page, '#summary-note');
  assert.match(note, /^Not compared: this run reused an instance that held \d+\.\d\d MiB resident/);
  assert.doesNotMatch(await textOf(page, '#summary-figures'), /Predicted/);
  // What the two runs kept over the fresh module: highwater's 200 MiB were all touched and
  // freed, and stay cached; no more than the linear memory the chart shows at the end.
  const lead = await textOf(page, '#summary-lead');
  const kept = /(\d+\.\d\d) MiB more than this instance held fresh/.exec(lead);
  assert.ok(kept, lead);
  const linear = (await chartData(page)).series.wasmLinear.points.at(-1).y;
  assert.ok(Number(kept[1]) >= 0.95 * 200, `${kept[1]} MiB kept`);
  assert.ok(Number(kept[1]) <= linear, `${kept[1]} MiB kept, linear memory ${linear} MiB`);
  assert.deepEqual(problems, []);
  await page.close();
});

/** Collects in the page every text the status line shows from now on, each with when it was
 *  shown and how many steps the chart had drawn then, and the steps drawn every 50 ms. */
const followStatus = (page) =>
  page.evaluate(() => {
    const status = document.getElementById('status');
    const drawn = () => window.trimlabDebug.chart().series.wasmLinear.points.length;
    const record = { said: [], drawn: [] };
    window.trimlabTestStatus = record;
    setInterval(() => record.drawn.push({ at: performance.now(), steps: drawn() }), 50);
    new MutationObserver(() =>
      record.said.push({ at: performance.now(), text: status.textContent, steps: drawn() }),
    ).observe(status, { childList: true, characterData: true, subtree: true });
  });
const SLOWER = /running at (\d+) steps\/s, slower than the chosen (\d+)$/;

test(`${browserName}: a run slower than the chosen speed says so, at the rate it draws; one that keeps up does not`, async () => {
  // A slow instance, made so by the test: each request for steps asks for one, 100 ms late.
  const throttle = () => {
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message, ...rest) {
      if (message?.method !== 'steps') return post.call(this, message, ...rest);
      const args = [{ ...message.args[0], max: 1 }];
      setTimeout(() => post.call(this, { ...message, args }, ...rest), 100);
    };
  };
  const slow = await openPage(browser, { initScript: throttle });
  await slow.page.select('#speed', '240');
  await followStatus(slow.page);
  await slow.page.click('#run');
  await new Promise((resolve) => setTimeout(resolve, 3500));
  const { said, drawn } = await slow.page.evaluate(() => window.trimlabTestStatus);
  await slow.page.click('#stop');
  await slow.page.close();

  const slower = said.flatMap(({ text, ...when }) => {
    const match = SLOWER.exec(text);
    return match ? [{ rate: Number(match[1]), chosen: match[2], ...when }] : [];
  });
  assert.ok(slower.length > 0, 'the status line says the run is slower than chosen');
  for (const { chosen } of slower) assert.equal(chosen, '240');
  // The test's own measure wherever the page stated a rate over a whole window (web/pace.js: the
  // steps drawn in the last WINDOW_MS): the steps the chart held then against the test's last
  // count at least a window before, once the run had drawn a step by that count.
  const stated = slower.flatMap(({ rate, at, steps }) => {
    const start = drawn.findLast((d) => d.at <= at - WINDOW_MS);
    if (!start || start.steps === 0) return [];
    return [{ rate, measured: ((steps - start.steps) * 1000) / (at - start.at) }];
  });
  assert.ok(stated.length > 0, 'a rate stated over a whole window');
  for (const { rate, measured } of stated) {
    assert.ok(measured < 0.8 * 240, `the throttled run drew ${measured.toFixed(1)} steps/s`);
    // Within 25 %: the two windows may start a step apart (about 5 % of a window's steps here)
    // and the page rounds to whole steps/s (up to 5 % at the 10 or so drawn here).
    assert.ok(
      Math.abs(rate - measured) <= 0.25 * measured,
      `said ${rate} steps/s, drew ${measured.toFixed(1)} steps/s`,
    );
  }

  // At 5 steps/s the same page keeps up: nothing is said.
  const { page, problems } = await openPage(browser);
  await followStatus(page);
  await runScenario(page, { scenario: 'cycles', speed: '5' });
  const texts = (await page.evaluate(() => window.trimlabTestStatus)).said.map((s) => s.text);
  assert.ok(
    texts.some((text) => /step \d+/.test(text)),
    'the status line followed the run',
  );
  assert.deepEqual(
    texts.filter((text) => SLOWER.test(text)),
    [],
  );
  assert.deepEqual(problems, []);
  await page.close();
});
