// Exports worth sending: the PNG is drawn at twice the chart's pixels with a title (what is on the
// chart, its parameters, the allocator, the browser) and the verdict's numbers, and is named after
// what the chart shows, not after the last run (a run of cycles, then highwater selected: the
// chart shows highwater's native lines, so the file is highwater's; a run stopped part-way is
// the stopped run's). The image is decoded here
// (its PNG header) and written to build/screenshots/ to be looked at. Printed, the page is a
// report: the verdict, the chart, the figures, definitions and sources, no controls.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';

import {
  browserName,
  missingFiles,
  openPage,
  runScenario,
  screenshotPath,
  startBrowser,
} from '../support/browser.mjs';

assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

/** The PNG Export PNG would offer: its name, and the image's width and height from its header. */
async function exportedPng(page) {
  const { name, base64, chart } = await page.evaluate(async () => {
    const png = await window.trimlabDebug.exportPng();
    const canvas = document.getElementById('chart');
    return { ...png, chart: { width: canvas.clientWidth, height: canvas.clientHeight } };
  });
  const bytes = Buffer.from(base64, 'base64');
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
  return { name, bytes, width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), chart };
}

test(`${browserName}: the PNG: twice the chart's pixels, a title and the verdict drawn in, named after what is on the chart`, async () => {
  const { page, problems } = await openPage(browser);
  await runScenario(page, { scenario: 'highwater' });
  const png = await exportedPng(page);
  assert.match(png.name, /^trimlab-highwater-dlmalloc-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.png$/);
  assert.equal(png.width, 2 * png.chart.width);
  assert.ok(png.height > 2 * png.chart.height, 'room for the title and the verdict above it');
  writeFileSync(screenshotPath('export-highwater'), png.bytes);

  // Another scenario chosen after the run: the chart shows its native lines, and so does the file.
  await runScenario(page, { scenario: 'cycles' });
  await page.select('#scenario', 'highwater');
  assert.match((await exportedPng(page)).name, /^trimlab-highwater-native-/);
  // A run stopped part-way is what the chart shows, not the last run that finished.
  await page.select('#scenario', 'simple');
  await page.select('#speed', '5');
  const { settled } = await page.evaluate(() => window.trimlabDebug.state());
  await page.click('#run');
  await page.waitForFunction(() => window.trimlabDebug.chart().series.wasmLinear.points.length > 1);
  await page.click('#stop');
  await page.waitForFunction((n) => window.trimlabDebug.state().settled > n, {}, settled);
  assert.match((await exportedPng(page)).name, /^trimlab-simple-dlmalloc-/);
  assert.deepEqual(problems, []);
  await page.close();
});

test(`${browserName}: printed, the page is a report: the verdict, the chart and the figures, no controls`, async () => {
  const { page, problems } = await openPage(browser);
  await runScenario(page, { scenario: 'highwater' });
  // The stylesheet's print rules applied on screen (the same rules, in this engine), then read.
  const shown = await page.evaluate(() => {
    const sheet = [...document.styleSheets].find((s) => s.href?.endsWith('style.css'));
    const print = [...sheet.cssRules].find((rule) => rule.media?.mediaText === 'print');
    for (const rule of print.cssRules) sheet.insertRule(rule.cssText, sheet.cssRules.length);
    return Object.fromEntries(
      ['.controls', '.status-row', '#verdict', '.chart-box', '#summary', '#why'].map((selector) => [
        selector,
        document.querySelector(selector).checkVisibility(),
      ]),
    );
  });
  assert.deepEqual(shown, {
    '.controls': false,
    '.status-row': false,
    '#verdict': true,
    '.chart-box': true,
    '#summary': true,
    '#why': true,
  });
  const pdf = Buffer.from(await page.pdf({ format: 'A4' }));
  assert.equal(pdf.subarray(0, 4).toString('latin1'), '%PDF');
  assert.deepEqual(problems, []);
  await page.close();
});
