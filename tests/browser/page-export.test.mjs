// Exports worth sending: the PNG is drawn at twice the chart's pixels with a title (what is on the
// chart, its parameters, the allocator, the browser) and the verdict's numbers, and is named after
// what the chart shows, not after the last run (a run of cycles, then highwater selected: the
// chart shows highwater's native lines, so the file is highwater's; a run stopped part-way is
// the stopped run's). The image is decoded here
// (its PNG header) and written to build/screenshots/ to be looked at. Printed, the page is a
// report: the verdict, the chart, the figures, definitions and sources, no controls.
// JSON holds everything the chart shows, each a results document (docs/results-format.md, "The
// page's export"): the run with the resident readings drawn at its steps, the native runs from
// the native results file and, without live readings, the browser measurement drawn instead;
// every figure is compared with the chart and the source files, the CSV's too, and the file
// imported into a new page draws the same lines. An imported file's measurement is the file's:
// its figures give the verdict (not the importing page's own measurement) and are exported again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  browserName,
  chartData,
  downloadOf,
  missingFiles,
  openPage,
  runScenario,
  screenshotPath,
  setInputFile,
  startBrowser,
  textOf,
  webRoot,
  withoutEndpoint,
} from '../support/browser.mjs';
import { MiB, schemaErrors } from '../support/helpers.mjs';
import { validateResults } from '../../web/results-validate.js';

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

const dataFile = (name) => join(webRoot, 'gen', 'data', name);
const readData = (name) => JSON.parse(readFileSync(dataFile(name), 'utf8'));
/** A series' points as step → MiB, null points (gaps) left out. */
const byStep = (points) =>
  Object.fromEntries(points.filter((p) => p.y !== null).map((p) => [p.x, p.y]));
/** A sample field of each sample that has it, as step → MiB. */
const fieldByStep = (samples, field) =>
  Object.fromEntries(
    samples.filter((s) => typeof s[field] === 'number').map((s) => [s.step, s[field] / MiB]),
  );
const LINES = ['wasmLinear', 'wasmHeap', 'wasmInUse', 'nativeTrim', 'nativeNoTrim'];

/** What the exported documents say each line of the chart is. */
function linesOf(exported) {
  const [run] = exported.run.runs;
  const native = (trim) => exported.native.runs.find((r) => r.trim === trim).samples;
  return {
    wasmLinear: fieldByStep(run.samples, 'footprint_bytes'),
    wasmHeap: fieldByStep(run.samples, 'sbrk_bytes'),
    wasmInUse: fieldByStep(run.samples, 'in_use_bytes'),
    nativeTrim: fieldByStep(native('enabled'), 'footprint_bytes'),
    nativeNoTrim: fieldByStep(native('disabled'), 'footprint_bytes'),
  };
}

/** Export JSON and CSV after a highwater run; each document checked by the schema and the
 *  page's validator, the CSV's rows against the documents. */
async function exportAfterHighwater(page) {
  await runScenario(page, { scenario: 'highwater' });
  const json = await downloadOf(page, '#export-json');
  assert.match(json.name, /^trimlab-highwater-dlmalloc-.*\.json$/);
  const exported = JSON.parse(json.body.toString('utf8'));
  assert.equal(exported.format, 'trimlab-export');
  assert.equal(exported.instance_run, 1);
  for (const [member, platform] of [
    ['run', 'wasm'],
    ['native', 'native'],
    ['measured', 'wasm'],
  ]) {
    if (exported[member] === null) continue;
    assert.equal(schemaErrors(exported[member]), '', member);
    const verdict = validateResults(JSON.stringify(exported[member]), { platform });
    assert.equal(verdict.ok, true, `${member}: ${verdict.message}`);
  }
  // The native runs are the native results file's, as it holds them.
  const source = readData('native-results.json').runs.filter((r) => r.scenario === 'highwater');
  assert.deepEqual(exported.native.runs, source);

  // The CSV: a row per sample of each document, the same figures.
  const csv = (await downloadOf(page, '#export-csv')).body.toString('utf8').trimEnd().split('\r\n');
  const header = csv[0].split(',');
  const rows = csv
    .slice(1)
    .map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i], v])));
  const expected = [];
  for (const member of ['run', 'native', 'measured'])
    for (const run of exported[member]?.runs ?? [])
      for (const sample of run.samples) expected.push({ member, run, sample });
  assert.equal(rows.length, expected.length);
  expected.forEach(({ member, run, sample }, i) => {
    const row = rows[i];
    assert.deepEqual(
      [row.source, row.host, row.scenario, row.trim],
      [member, run.host.name, run.scenario, run.trim],
    );
    for (const field of [
      'step',
      'footprint_bytes',
      'in_use_bytes',
      'resident_bytes',
      'host_rss_bytes',
    ])
      assert.equal(row[field], String(sample[field] ?? ''), `row ${i + 1}: ${field}`);
  });
  return { exported, body: json.body, name: json.name };
}

/** The exported file given to a new page (the `browser` it is served by). */
async function importInto(browser, { name, body }) {
  const { page, problems } = await openPage(browser);
  await setInputFile(page, '#import', { name, buffer: body });
  await page.waitForFunction(() => window.trimlabDebug.state().last !== null);
  assert.equal(await textOf(page, '#import-error'), '');
  return { page, problems };
}

test(`${browserName}: JSON and CSV hold every line the chart shows (live readings); the file imported draws the same lines`, async () => {
  const { page, problems } = await openPage(browser);
  const { exported, body, name } = await exportAfterHighwater(page);
  assert.equal(exported.measured, null, 'live readings: no measurement is drawn');
  const { series } = await chartData(page);
  const expected = linesOf(exported);
  for (const key of LINES) assert.deepEqual(byStep(series[key].points), expected[key], key);
  // The resident readings drawn at the run's steps (those after its end are in seconds).
  const [run] = exported.run.runs;
  assert.equal(run.host.resident, 'smaps');
  const lastStep = run.samples.at(-1).step;
  const drawn = series.wasmResident.points.filter((p) => p.y !== null && p.x <= lastStep);
  assert.ok(drawn.length >= 2, `${drawn.length} readings at the run's steps`);
  assert.deepEqual(fieldByStep(run.samples, 'resident_bytes'), byStep(drawn));
  const verdict = await page.$eval('#verdict', (v) => v.innerText);
  assert.deepEqual(problems, []);
  await page.close();

  const again = await importInto(browser, { name, body });
  const shown = (await chartData(again.page)).series;
  for (const key of LINES) assert.deepEqual(shown[key].points, series[key].points, key);
  assert.deepEqual(byStep(shown.wasmResident.points), byStep(drawn));
  // The verdict's numbers again (the sentence says where the figures come from).
  const numbers = (text) => text.match(/[−+]?\d+\.\d+ (MiB|%)/g);
  assert.deepEqual(
    numbers(await again.page.$eval('#verdict', (v) => v.innerText)),
    numbers(verdict),
  );
  assert.deepEqual(again.problems, []);
  await again.page.close();
});

test(`${browserName}: without live readings the export holds the browser measurement drawn instead`, async (t) => {
  if (!existsSync(dataFile('browser-results.json')))
    return t.skip('no web/gen/data/browser-results.json (make browser-results)');
  await withoutEndpoint(browser, async (served) => {
    const { page, problems } = await openPage(served);
    const { exported, body, name } = await exportAfterHighwater(page);
    const [run] = exported.run.runs;
    assert.equal(run.host.resident, 'none', 'no live reading');
    // The measurement drawn is the file's, for this browser (else Chromium's), as it holds it.
    const measured = readData('browser-results.json').runs.filter(
      (r) => r.scenario === 'highwater',
    );
    const own =
      measured.find((r) => r.host.name === browserName) ??
      measured.find((r) => r.host.name === 'chromium');
    assert.deepEqual(exported.measured.runs, [own]);
    const { series } = await chartData(page);
    assert.deepEqual(
      byStep(series.wasmResident.points),
      fieldByStep(own.samples, 'resident_bytes'),
    );
    assert.deepEqual(problems, []);
    await page.close();

    const again = await importInto(served, { name, body });
    const shown = (await chartData(again.page)).series;
    for (const key of LINES) assert.deepEqual(shown[key].points, series[key].points, key);
    assert.deepEqual(shown.wasmResident.points, series.wasmResident.points);
    assert.deepEqual(again.problems, []);
    await again.page.close();
  });
});

/** `run` as if measured in the other engine, its module keeping three quarters of the resident
 *  growth over its start (whole pages): another browser's figures, still a valid run. */
function otherMeasurement(run) {
  const start = run.samples[0].resident_bytes;
  const kept = (bytes) =>
    typeof bytes === 'number' ? start + Math.round((0.75 * (bytes - start)) / 4096) * 4096 : bytes;
  return {
    ...run,
    host: {
      ...run.host,
      name: run.host.name === 'firefox' ? 'chromium' : 'firefox',
      version: '99.1',
    },
    samples: run.samples.map((s) => ({ ...s, resident_bytes: kept(s.resident_bytes) })),
    after: run.after?.map((e) => ({ ...e, resident_bytes: kept(e.resident_bytes) })),
  };
}

test(`${browserName}: an imported export's measurement, not this page's, gives the verdict and is exported again`, async (t) => {
  if (!existsSync(dataFile('browser-results.json')))
    return t.skip('no web/gen/data/browser-results.json (make browser-results)');
  // Served without the endpoint, the importing page has a measurement of its own to draw.
  await withoutEndpoint(browser, async (served) => {
    const { page, problems } = await openPage(served);
    const { exported, name } = await exportAfterHighwater(page);
    const ownHeld = await textOf(page, '#verdict-browser');
    assert.deepEqual(problems, []);
    await page.close();

    const run = otherMeasurement(exported.measured.runs[0]);
    const measured = { ...exported.measured, runs: [run] };
    assert.equal(schemaErrors(measured), '');
    const valid = validateResults(JSON.stringify(measured), { platform: 'wasm' });
    assert.equal(valid.ok, true, valid.message);
    // What the file's module holds after the run: its reading at the run's end over the first.
    const end =
      run.after?.find((e) => e.event === 'run_end')?.resident_bytes ??
      run.samples.at(-1).resident_bytes;
    const held = `${((end - run.samples[0].resident_bytes) / MiB).toFixed(2)} MiB`;
    assert.notEqual(held, ownHeld, "the file's figure is not this page's");

    const body = Buffer.from(JSON.stringify({ ...exported, measured }));
    const again = await importInto(served, { name, body });
    assert.equal(await textOf(again.page, '#verdict-browser'), held);
    const engine = run.host.name === 'firefox' ? 'Firefox' : 'Chromium';
    assert.match(
      await textOf(again.page, '#verdict-sentence'),
      new RegExp(`measured in ${engine} 99`),
    );
    const json = await downloadOf(again.page, '#export-json');
    assert.deepEqual(JSON.parse(json.body.toString('utf8')).measured.runs, [run]);
    assert.deepEqual(again.problems, []);
    await again.page.close();
  });
});
