// The page (web/index.html) in the browser TRIMLAB_BROWSER names (Debian's Chromium or Firefox
// ESR; `make test-browser` runs this file in each): loading, live runs, the native comparison,
// reuse of an instance, refused input, imports (every file of the malformed corpus in
// tests/malformed/ among them), exports, errors, and a
// screenshot at 1280 x 800 under build/screenshots/. Run with `make test-browser` (it builds
// the site and the native results first). No assertion depends on how fast anything ran.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadTrimlab } from '../../web/trimlab-api.js';
import { validateResults } from '../../web/results-validate.js';
import {
  attributeOf,
  browserName,
  chartData,
  debugState,
  downloadOf,
  fill,
  isDisabled,
  isVisible,
  missingFiles,
  openPage,
  runScenario,
  screenshotPath,
  setInputFile,
  startBrowser,
  textOf,
  webRoot,
} from '../support/browser.mjs';
import {
  MiB,
  jsonLayout,
  root,
  runNative,
  runNativeJson,
  runOf,
  schemaErrors,
  tempDir,
} from '../support/helpers.mjs';
import { TraceBuilder } from '../replay/trace-encoder.mjs';
import { main as traceReport } from '../../tools/trace-report.mjs';
import {
  acceptedCases,
  casePath,
  manifest,
  refusedCases,
  writeDeep,
  writeOversize,
} from '../malformed/corpus.mjs';

assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');

const INITIAL = 64; // MiB of linear memory in a fresh instance
const nativeDoc = JSON.parse(
  readFileSync(join(webRoot, 'gen', 'data', 'native-results.json'), 'utf8'),
);
const nativeRun = (scenario, trim) =>
  nativeDoc.runs.find((run) => run.scenario === scenario && run.trim === trim);
const engine = await loadTrimlab({ allocator: 'dlmalloc' }); // the engine's own list, in Node

/** The first step of each start of `phase` in a native run. */
function phaseStarts(run, phase) {
  return run.samples
    .filter((s, i) => s.phase === phase && run.samples[i - 1]?.phase !== phase)
    .map((s) => s.step);
}

const ys = (series) => series.points.map((p) => p.y);
const xs = (series) => series.points.map((p) => p.x);

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buffer) {
  assert.equal(buffer.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'not a PNG');
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}

/** What must not change when something is refused: the series and the marks. */
async function chartContent(page) {
  const { series, marks, oom } = await chartData(page);
  // The module's resident memory is read for a while after a run (web/resident-live.js): the
  // kernel's figure at the last step may still move. Everything else must stay as it was.
  return { series: { ...series, wasmResident: null, wasmHostRss: null }, marks, oom };
}

/** Drops a file named `name` on the page, as a user would: `source` is its content (text or
 *  bytes) or {path} of a file, which reaches the browser as a file however large it is (through
 *  a hidden file input of the test's own, outside the page's form). */
async function dropFile(page, name, source) {
  await page.evaluate(() => {
    if (document.getElementById('test-drop-source')) return;
    document.body.append(
      Object.assign(document.createElement('input'), {
        type: 'file',
        id: 'test-drop-source',
        hidden: true,
      }),
    );
  });
  await setInputFile(page, '#test-drop-source', source?.path ? source : { name, buffer: source });
  await page.evaluate((fileName) => {
    const [file] = document.getElementById('test-drop-source').files;
    const data = new DataTransfer();
    data.items.add(new File([file], fileName, { type: 'application/json' }));
    document.body.dispatchEvent(
      new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }),
    );
  }, name);
}

/** Gives the page a file through its file picker (or by a drop) and waits for its verdict:
 *  the file's refusal in the import error area, or the file as the native results. */
async function importFile(page, { name, path, body, dropped = false }) {
  if (dropped) await dropFile(page, name, body ?? { path });
  else await setInputFile(page, '#import', path ? { path } : { name, buffer: body });
  await page.waitForFunction(
    (fileName) =>
      document
        .getElementById('import-error')
        .textContent.startsWith(`${fileName} was not loaded: `) ||
      window.trimlabDebug.state().nativeSource === fileName,
    {},
    name,
  );
}

/** The validator's message in the page's import error area, which must be about `name`. */
async function importRefusal(page, name) {
  assert.equal(await isVisible(page, '#import-error'), true, `${name} was not refused`);
  const text = await textOf(page, '#import-error');
  const [start, end] = [`${name} was not loaded: `, '. The chart keeps what it showed.'];
  assert.ok(text.startsWith(start) && text.endsWith(end), text);
  return text.slice(start.length, -end.length);
}

/** Gives the page a trace (picker or drop) and waits until its replay ended or it was refused. */
async function importTrace(page, { name, body, dropped = false }) {
  const { settled } = await debugState(page);
  if (dropped) await dropFile(page, name, body);
  else await setInputFile(page, '#import', { name, buffer: Buffer.from(body) });
  await page.waitForFunction(
    (fileName, before) =>
      document
        .getElementById('import-error')
        .textContent.startsWith(`${fileName} was not loaded: `) ||
      window.trimlabDebug.state().settled > before,
    { timeout: 120_000 },
    name,
    settled,
  );
  return debugState(page);
}

/** A trace that takes 96 MiB in 2 MiB blocks, frees them, and keeps one small block. */
function growingTrace() {
  const t = new TraceBuilder({ program: 'grow-and-free' });
  t.malloc(0x5000, 100);
  for (let i = 1; i <= 48; i++) t.malloc(0x1000_0000 + i * 0x40_0000, 2 * MiB);
  for (let i = 1; i <= 48; i++) t.free(0x1000_0000 + i * 0x40_0000);
  return t;
}

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

test('the page loads with no console error, under its CSP, with controls from the engine list', async () => {
  const response = await fetch(browser.baseUrl);
  assert.match(
    response.headers.get('content-security-policy'),
    /script-src 'self' 'wasm-unsafe-eval'/,
  );
  const { page, problems } = await openPage(browser);
  const meta = await attributeOf(page, 'meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.equal(
    meta,
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
      "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'",
  );
  assert.match(await textOf(page, '#status'), /^Ready/);

  // Scenarios and parameter fields are the engine's, defaults included.
  const names = await page.$$eval('#scenario option', (options) => options.map((o) => o.value));
  assert.deepEqual(
    names,
    engine.scenarios().map((s) => s.name),
  );
  for (const scenario of engine.scenarios()) {
    await page.select('#scenario', scenario.name);
    const fields = await page.$$eval('#params input', (inputs) =>
      inputs.map((i) => [i.name, i.value]),
    );
    assert.deepEqual(
      fields,
      scenario.params.map((p) => [p.name, String(p.default)]),
      scenario.name,
    );
  }
  await page.select('#scenario', 'cycles');

  // Before any run: the native series of the default results, no WebAssembly series.
  const { series, marks } = await chartData(page);
  const on = nativeRun('cycles', 'enabled');
  assert.deepEqual(
    ys(series.nativeTrim),
    on.samples.map((s) => s.footprint_bytes / MiB),
  );
  assert.equal(series.nativeNoTrim.points.length, nativeRun('cycles', 'disabled').samples.length);
  assert.equal(series.nativeInUse.points.length, on.samples.length);
  assert.equal(series.wasmLinear.points.length, 0);
  assert.deepEqual(
    marks.map((m) => m.step),
    [...phaseStarts(on, 'free'), ...phaseStarts(on, 'trim')].sort((a, b) => a - b),
  );
  assert.equal(await isVisible(page, '#params-notice'), false);
  assert.deepEqual(problems, []);
  await page.close();
});

test('Run on highwater: WebAssembly linear memory rises past 64 MiB and stays flat after free and trim', async () => {
  const { page, problems } = await openPage(browser);
  const state = await runScenario(page, { scenario: 'highwater' });
  assert.equal(state.last.outcome, 'completed');
  const { series, marks } = await chartData(page);
  const on = nativeRun('highwater', 'enabled');
  const linear = ys(series.wasmLinear);

  assert.deepEqual(
    xs(series.wasmLinear),
    on.samples.map((s) => s.step),
    'the steps native and wasm share',
  );
  assert.equal(linear[0], INITIAL);
  const peak = Math.max(...linear);
  assert.ok(peak > INITIAL, `linear memory peaked at ${peak} MiB`);
  const [freeStep] = phaseStarts(on, 'free');
  const [trimStep] = phaseStarts(on, 'trim');
  assert.deepEqual(marks, [
    { step: freeStep, text: 'free' },
    { step: trimStep, text: 'trim' },
  ]);
  for (const point of series.wasmLinear.points.filter((p) => p.x >= freeStep))
    assert.equal(point.y, peak, `linear memory at step ${point.x} after free`);
  const heap = ys(series.wasmHeap);
  assert.equal(heap.at(-1), Math.max(...heap), 'the heap end never comes down');
  assert.ok(ys(series.wasmInUse).at(-1) < 1, 'everything was freed');

  // The imported native series sit beside it, and they did come down.
  assert.deepEqual(
    ys(series.nativeTrim),
    on.samples.map((s) => s.footprint_bytes / MiB),
  );
  assert.equal(series.nativeNoTrim.points.length, on.samples.length);
  assert.ok(ys(series.nativeTrim).at(-1) < 10);

  const lead = await textOf(page, '#summary-lead');
  const match =
    /^Native released (\d+\.\d\d) MiB at trim; the WebAssembly module held (\d+\.\d\d) MiB resident after the run, (\d+\.\d\d) MiB of it retained \(resident − in use\); the WASM-equivalent native measurement \(trim disabled\) predicted its resident growth with an error of ([−+]\d+\.\d) %\.$/.exec(
      lead,
    );
  assert.ok(match, lead);
  assert.equal(Number(match[1]), Number((on.summary.released_by_trim_bytes / MiB).toFixed(2)));
  assert.ok(Number(match[2]) > 190, `${match[2]} MiB of the 200 MiB freed still resident`);
  assert.ok(Number(match[3]) > 190, `${match[3]} MiB retained`);
  assert.ok(match[4].startsWith('−'), 'trim-disabled native underestimates highwater');
  const linearText = `${INITIAL.toFixed(2)} → ${peak.toFixed(2)} MiB`;
  assert.ok((await textOf(page, '#summary-figures')).includes(linearText));
  console.log(
    `# highwater (dlmalloc): linear memory ${linear[0]} -> ${peak.toFixed(2)} MiB; ${lead}`,
  );

  for (const name of ['page-after-run', 'page-after-highwater']) {
    const file = screenshotPath(name);
    await page.screenshot({ path: file });
    assert.deepEqual(pngSize(readFileSync(file)), { width: 1280, height: 800 });
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('Run on cycles: a mark at every free and at trim, native without trim predicts within 10 %', async () => {
  const { page, problems } = await openPage(browser);
  await runScenario(page, { scenario: 'cycles' });
  const { series, marks } = await chartData(page);
  const on = nativeRun('cycles', 'enabled');
  assert.deepEqual(
    marks.filter((m) => m.text === 'free').map((m) => m.step),
    phaseStarts(on, 'free'),
  );
  assert.deepEqual(
    marks.filter((m) => m.text === 'trim').map((m) => m.step),
    phaseStarts(on, 'trim'),
  );
  assert.equal(series.wasmLinear.points.length, on.samples.length);
  const lead = await textOf(page, '#summary-lead');
  const error = Number(/error of ([−+]?\d+\.\d) %/.exec(lead)[1].replace('−', '-'));
  assert.ok(Math.abs(error) <= 10, lead);
  assert.match(
    lead,
    /^Native released 10\.\d\d MiB at trim; the WebAssembly module held (9|10)\.\d\d MiB resident after the run, (9|10)\.\d\d MiB of it retained/,
  );
  await page.screenshot({ path: screenshotPath('page-after-cycles') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('reusing the instance: the second cycles run needs no growth; a fresh instance grows again', async () => {
  const { page } = await openPage(browser);
  const params = { cycles: 2, block_mib: 100 }; // past 64 MiB, so the first run must grow
  await runScenario(page, { scenario: 'cycles', params, instance: 'reuse' });
  const first = await chartData(page);
  const firstLinear = ys(first.series.wasmLinear);
  assert.equal(firstLinear[0], INITIAL);
  assert.ok(firstLinear.at(-1) > INITIAL, 'the first run grew linear memory');
  // The native results are for other parameters: the page says so.
  assert.match(
    await textOf(page, '#params-notice'),
    /Parameters differ: .*block_mib=10.*block_mib=100/,
  );

  const state = await runScenario(page, { scenario: 'cycles', params, instance: 'reuse' });
  assert.equal(state.last.instanceRun, 2);
  const second = await chartData(page);
  assert.deepEqual(
    new Set(ys(second.series.wasmLinear)),
    new Set([firstLinear.at(-1)]),
    'the reused instance ran at the size the first run left, without growing',
  );
  assert.deepEqual(
    new Set(ys(second.series.wasmHeap)),
    new Set([ys(first.series.wasmHeap).at(-1)]),
    'the heap end did not move: the kept cache was reused',
  );
  assert.match(
    await textOf(page, '#summary-note'),
    /^Not compared: this run reused an instance that held \d+\.\d\d MiB resident and the cache of its earlier 1 run, while a native program starts fresh: a prediction for a fresh program means nothing here; the native results were measured with/,
  );
  // What the first run freed stays resident, retained as the cache the second run reused.
  const held =
    /held (\d+\.\d\d) MiB resident after the run[^,]*, (\d+\.\d\d) MiB of it retained/.exec(
      await textOf(page, '#summary-lead'),
    );
  assert.ok(held && Number(held[2]) > 95, await textOf(page, '#summary-lead'));

  await runScenario(page, { scenario: 'cycles', params, instance: 'fresh' });
  const fresh = await chartData(page);
  assert.equal(ys(fresh.series.wasmLinear)[0], INITIAL, 'a fresh instance starts at 64 MiB again');
  assert.ok(ys(fresh.series.wasmLinear).at(-1) > INITIAL);
  await page.close();
});

test('reusing an emmalloc instance after its trim: the page says why not and runs a new one', async () => {
  const { page, problems } = await openPage(browser);
  const run = () =>
    runScenario(page, { scenario: 'simple', allocator: 'emmalloc', instance: 'reuse' });
  assert.equal((await run()).last.instanceRun, 1);
  assert.match(
    await textOf(page, '#instance-status'),
    new RegExp(
      '^The current emmalloc ' +
        'instance cannot be reused: Emscripten 3\\.1\\.6.s emmalloc [^.]*\\(emscripten-core/emscripten' +
        '#23343\\)[^.]*\\. The next run starts a new instance\\.$',
    ),
  );
  // Reused, this instance would grow to about 105 MiB for the same 50 MiB block (#23343).
  for (let i = 0; i < 2; i++) {
    assert.equal((await run()).last.instanceRun, 1, 'a new instance ran');
    const { series } = await chartData(page);
    assert.equal(Math.max(...ys(series.wasmLinear)), INITIAL, 'the block fitted in a fresh 64 MiB');
  }
  // Without trim nothing is wrong with it: a dlmalloc instance is reused as before.
  await runScenario(page, { scenario: 'simple', allocator: 'dlmalloc', instance: 'reuse' });
  assert.equal(
    (await runScenario(page, { scenario: 'simple', allocator: 'dlmalloc', instance: 'reuse' })).last
      .instanceRun,
    2,
  );
  assert.match(
    await textOf(page, '#instance-status'),
    /reuses the current dlmalloc instance: 2 runs/,
  );
  assert.deepEqual(problems, []);
  await page.close();
});

test('invalid parameters are refused before the run with the engine\u2019s message by the field', async () => {
  const { page } = await openPage(browser);
  await runScenario(page, { scenario: 'cycles' });
  const drawn = await chartContent(page);
  const { settled } = await debugState(page);
  for (const [value, expected] of [
    ['0', engine.checkParam('cycles', 'cycles=0')],
    ['abc', engine.checkParam('cycles', 'cycles=abc')],
  ]) {
    await fill(page, '#param-cycles', value);
    assert.equal(await textOf(page, '#param-cycles-error'), expected.message);
    assert.equal(await attributeOf(page, '#param-cycles', 'aria-invalid'), 'true');
    await page.click('#run');
    assert.match(await textOf(page, '#run-error'), /Not started: a parameter is not valid/);
  }
  assert.equal((await debugState(page)).settled, settled, 'no run began');
  assert.deepEqual(await chartContent(page), drawn, 'the chart kept what it had');
  await fill(page, '#param-cycles', '3');
  assert.equal(await isVisible(page, '#param-cycles-error'), false);
  await page.close();
});

test('a malformed import shows its message and the chart keeps what it had; a good one replaces the native series', async () => {
  const { page } = await openPage(browser);
  await runScenario(page, { scenario: 'highwater' });
  const drawn = await chartContent(page);
  const source = (await debugState(page)).nativeSource;

  await setInputFile(page, '#import', {
    name: 'bad.json',
    buffer: Buffer.from('{"format": "trimlab-results", "version": 3}'),
  });
  await page.waitForSelector('#import-error:not([hidden])');
  assert.equal(
    await textOf(page, '#import-error'),
    'bad.json was not loaded: version: 3 is not supported (this page reads versions 1 and 2). ' +
      'The chart keeps what it showed.',
  );
  assert.deepEqual(await chartContent(page), drawn);

  // Dropped on the page: not JSON, then a WebAssembly results file where native ones belong.
  await dropFile(page, 'notes.txt', 'these are not results');
  await page.waitForFunction(() =>
    document.getElementById('import-error').textContent.startsWith('notes.txt'),
  );
  assert.match(await textOf(page, '#import-error'), /^notes\.txt was not loaded: not JSON: /);
  const wasmDoc = structuredClone(nativeDoc);
  wasmDoc.platform = 'wasm';
  wasmDoc.allocator = 'dlmalloc';
  await dropFile(page, 'wasm.json', JSON.stringify(wasmDoc));
  await page.waitForFunction(() =>
    document.getElementById('import-error').textContent.startsWith('wasm.json'),
  );
  assert.match(
    await textOf(page, '#import-error'),
    /holds wasm results; native results are expected/,
  );
  assert.deepEqual(await chartContent(page), drawn);
  assert.equal((await debugState(page)).nativeSource, source);

  // A valid file that holds only cycles: accepted; highwater now has no native series, and says so.
  const onlyCycles = {
    ...nativeDoc,
    runs: nativeDoc.runs.filter((run) => run.scenario === 'cycles'),
  };
  await setInputFile(page, '#import', {
    name: 'cycles-only.json',
    buffer: Buffer.from(JSON.stringify(onlyCycles)),
  });
  await page.waitForFunction(() => window.trimlabDebug.state().nativeSource === 'cycles-only.json');
  assert.equal(await isVisible(page, '#import-error'), false);
  const now = await chartData(page);
  assert.equal(now.series.nativeTrim.points.length, 0);
  assert.deepEqual(now.series.wasmLinear, drawn.series.wasmLinear, 'the live run stays');
  assert.match(await textOf(page, '#params-notice'), /hold no run of highwater/);
  assert.match(await textOf(page, '#summary-note'), /No native results for highwater/);
  await page.close();
});

test('native results with a failed run (its process was killed): the others drawn, the failure named', async () => {
  const { page, problems } = await openPage(browser);
  const entry = acceptedCases.find((c) => c.file === 'failed-run.json');
  const { runs } = JSON.parse(readFileSync(casePath(entry), 'utf8'));
  await page.select('#scenario', 'cycles');
  await importFile(page, { name: entry.file, path: casePath(entry) });
  assert.equal(await isVisible(page, '#import-error'), false);
  assert.match(
    await textOf(page, '#native-source'),
    /Not drawn, failed: cycles, trim disabled: killed by signal 9 \(SIGKILL\)\.$/,
  );
  const { series } = await chartData(page);
  assert.deepEqual(
    ys(series.nativeTrim),
    runs[0].samples.map((s) => s.footprint_bytes / MiB),
  );
  assert.deepEqual(series.nativeNoTrim.points, [], 'the failed trim-off run has nothing to draw');
  await runScenario(page, { scenario: 'cycles', params: runs[0].params });
  assert.equal(
    await textOf(page, '#summary-note'),
    'Not compared: the native results hold no trim-disabled run of this scenario.',
  );
  assert.deepEqual(problems, []);
  await page.close();
});

/** The message the page must give a refused corpus file: the manifest's, written from V8 (Node,
 *  Chromium), except that a file that is not JSON is named by the browser's own JSON.parse, whose
 *  words differ between engines (Firefox: "JSON.parse: unexpected keyword at line 1 column 1 of
 *  the JSON data"): asked of the page's engine for the file's text, byte-order mark removed. */
async function expectedMessage(page, entry) {
  if (browserName === 'chromium' || !entry.message.startsWith('not JSON: ')) return entry.message;
  const text = readFileSync(entry.path, 'utf8').replace(/^\uFEFF/, '');
  const parsed = await page.evaluate((body) => {
    try {
      JSON.parse(body);
      return 'parsed';
    } catch (error) {
      return error.message;
    }
  }, text);
  return `not JSON: ${parsed}`;
}

// Elements through which a file's text could run or load something, were it ever parsed as HTML.
const ACTIVE = 'img, script, iframe, object, embed, svg, [onerror], [onload]';

test('every file of the malformed corpus is refused with its message; nothing in a file runs or becomes HTML', async () => {
  const { page, problems } = await openPage(browser);
  await runScenario(page, { scenario: 'cycles' });
  const drawn = await chartContent(page);
  const { nativeSource } = await debugState(page);
  // From here on, record every element added anywhere in the document that could run script.
  // (The page's CSP would also block inline handlers and scripts; this shows none is even made.)
  await page.evaluate((active) => {
    window.trimlabTestInserted = [];
    new MutationObserver((records) => {
      for (const { addedNodes } of records)
        for (const node of addedNodes)
          if (
            node.nodeType === Node.ELEMENT_NODE &&
            (node.matches(active) || node.querySelector(active))
          )
            window.trimlabTestInserted.push(node.outerHTML.slice(0, 200));
    }).observe(document, { childList: true, subtree: true });
  }, ACTIVE);

  // The chart as it is now, kept in the page: each refusal is checked against it exactly,
  // without sending the whole chart back every time.
  await page.evaluate(() => {
    const content = () => {
      const { series, marks, oom } = window.trimlabDebug.chart();
      // Without the resident series, as chartContent() leaves them out.
      const kept = { ...series, wasmResident: null, wasmHostRss: null };
      return JSON.stringify({ series: kept, marks, oom });
    };
    const drawnNow = content();
    window.trimlabTestUnchanged = () => content() === drawnNow;
  });
  /** The verdict on the file named `name` once there is one, in one round trip: the refusal's
   *  message (null if none is shown), whether the chart is unchanged, the native source. */
  const verdict = (name) =>
    page
      .waitForFunction(
        (fileName) => {
          const error = document.getElementById('import-error');
          const { nativeSource: source } = window.trimlabDebug.state();
          const [start, end] = [
            `${fileName} was not loaded: `,
            '. The chart keeps what it showed.',
          ];
          if (!error.textContent.startsWith(start) && source !== fileName) return false;
          const text = error.textContent;
          return {
            message:
              !error.hidden && text.endsWith(end) ? text.slice(start.length, -end.length) : null,
            chart: window.trimlabTestUnchanged(),
            nativeSource: source,
          };
        },
        {},
        name,
      )
      .then((handle) => handle.jsonValue());

  // Every refused case, and the two generated ones (over the size limit; nested 5,000,000 deep),
  // through the file picker and dropped on the page, the drop under another name so that its
  // verdict cannot be mistaken for the picker's.
  const dir = tempDir();
  const cases = [
    ...refusedCases.map((entry) => ({ ...entry, path: casePath(entry) })),
    { ...manifest.oversize, path: writeOversize(dir) },
    { ...manifest.deep, path: writeDeep(dir) },
  ];
  let refusals = 0;
  try {
    for (const entry of cases)
      for (const [name, dropped] of [
        [entry.file, false],
        [`dropped-${entry.file}`, true],
      ]) {
        if (dropped) await dropFile(page, name, { path: entry.path });
        else await setInputFile(page, '#import', { path: entry.path }); // named as the file is
        const { message, chart, nativeSource: source } = await verdict(name);
        const expected = await expectedMessage(page, entry);
        assert.ok(
          message?.includes(expected),
          `${name}: the page says "${message}", ` + `expected it to contain "${expected}"`,
        );
        assert.equal(chart, true, `${name}: the chart changed`);
        assert.equal(source, nativeSource, name);
        refusals += 1;
      }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(refusals, 2 * (refusedCases.length + 2));

  // A file name is text from outside too.
  const hostileName = '<img src=x onerror="window.__pwned=1">.json';
  await importFile(page, { name: hostileName, body: readFileSync(casePath(refusedCases[0])) });
  assert.ok((await importRefusal(page, hostileName)).includes(refusedCases[0].message));
  assert.deepEqual(await chartContent(page), drawn);

  // Valid files whose text is hostile are loaded, and their text is shown as text.
  for (const entry of acceptedCases) {
    await importFile(page, { name: entry.file, path: casePath(entry) });
    assert.equal(await isVisible(page, '#import-error'), false, entry.file);
    assert.equal((await debugState(page)).nativeSource, entry.file);
    const on = JSON.parse(readFileSync(casePath(entry), 'utf8')).runs.find(
      (run) => run.scenario === 'cycles' && run.trim === 'enabled',
    );
    const { series } = await chartData(page);
    assert.deepEqual(
      ys(series.nativeTrim),
      on.samples.map((s) => s.footprint_bytes / MiB),
      entry.file,
    );
    if (entry.shown_in?.startsWith('#'))
      assert.ok(
        (await textOf(page, entry.shown_in)).includes(entry.text),
        `${entry.file} in ${entry.shown_in}`,
      );
    if (entry.shown_in === 'chart tooltip') {
      // Native labels are the tooltip's titles (canvas text) when no run is on the chart.
      await page.click('#reset');
      const box = await (await page.$('#chart')).boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.waitForFunction(() => Chart.getChart('chart').tooltip.title?.length > 0);
      const [title] = await page.evaluate(() => Chart.getChart('chart').tooltip.title);
      assert.ok(title.endsWith(`: ${entry.text}`), title);
    }
  }

  assert.deepEqual(await page.evaluate(() => window.trimlabTestInserted), [], 'elements inserted');
  assert.equal(await page.evaluate(() => typeof window.__pwned), 'undefined', 'a file ran script');
  assert.equal(
    await page.evaluate(() => Object.prototype.polluted),
    undefined,
    '__proto__ was followed',
  );
  assert.deepEqual(problems, []);
  console.log(
    `# corpus in the page: ${refusedCases.length} malformed files, the ` +
      `${manifest.oversize.bytes / 1e6} MB file and the ${manifest.deep.depth.toLocaleString('en')}-deep ` +
      `file refused through the file picker and again by a drop (${refusals} refusals), a hostile ` +
      `file name refused; ${acceptedCases.length} valid files with hostile text loaded as text`,
  );
  await page.close();
});

test('exports: the chart as PNG, the run as JSON in the shared format and as CSV', async () => {
  const { page } = await openPage(browser);
  await runScenario(page, { scenario: 'highwater' });
  const save = (button) => downloadOf(page, button);

  const png = await save('#export-png');
  assert.match(png.name, /^trimlab-highwater-dlmalloc-.*\.png$/);
  // Twice the chart's pixels, with a title and the verdict above the chart (page-export.test.mjs).
  const canvas = await page.$eval('#chart', (c) => ({ width: c.width, height: c.height }));
  const size = pngSize(png.body);
  assert.equal(size.width, 2 * canvas.width);
  assert.ok(size.height > 2 * canvas.height, `${size.height} px tall`);

  const json = await save('#export-json');
  assert.match(json.name, /\.json$/);
  const text = json.body.toString('utf8');
  // The page's export: the run on the chart and the native runs beside it, each a results
  // document (page-export.test.mjs compares every figure with the chart).
  const exported = JSON.parse(text);
  assert.equal(exported.format, 'trimlab-export');
  const document = exported.run;
  assert.equal(schemaErrors(document), '');
  assert.equal(schemaErrors(exported.native), '');
  assert.equal(validateResults(JSON.stringify(document), { platform: 'wasm' }).ok, true);
  assert.equal(document.allocator, 'dlmalloc');
  assert.equal(document.version, 2);
  assert.equal(document.runs.length, 1);
  assert.equal(document.runs[0].scenario, 'highwater');
  assert.equal(document.runs[0].host.name, browserName);
  const { series } = await chartData(page);
  assert.deepEqual(
    document.runs[0].samples.map((s) => s.footprint_bytes / MiB),
    ys(series.wasmLinear),
  );
  // The run is written by the engine's writer: the layout of the native CLI's file of the same
  // run, less the kernel's figures (natively at every sample, here where a reading was drawn).
  const runText = text.slice(text.indexOf('"run": ') + 7, text.indexOf(',\n"native": '));
  const nativeFile = join(tempDir(), 'highwater.json');
  runNative(['--scenario', 'highwater', '--quiet', '--json', nativeFile]);
  const kernelFigures = /, "resident_bytes": N, "host_rss_bytes": N/g;
  assert.equal(
    jsonLayout(runText).replace(kernelFigures, ''),
    jsonLayout(readFileSync(nativeFile, 'utf8').trimEnd()).replace(kernelFigures, ''),
  );

  const csv = await save('#export-csv');
  const lines = csv.body.toString('utf8').trimEnd().split('\r\n');
  assert.equal(
    lines[0],
    'source,host,allocator,scenario,trim,step,phase,label,footprint_bytes,rss_anon_bytes,' +
      'sbrk_bytes,in_use_bytes,allocator_free_bytes,resident_bytes,host_rss_bytes',
  );
  const on = nativeRun('highwater', 'enabled');
  const off = nativeRun('highwater', 'disabled');
  assert.equal(
    lines.length,
    1 + document.runs[0].samples.length + on.samples.length + off.samples.length,
  );
  const firstNative = lines.find((line) =>
    line.startsWith('native,native,glibc,highwater,enabled,0,'),
  );
  assert.equal(firstNative.split(',')[8], String(on.samples[0].footprint_bytes));
  await page.close();
});

test('an oom outcome is shown on the chart at the step where it happened', async () => {
  const { page } = await openPage(browser);
  const state = await runScenario(page, { scenario: 'highwater', params: { total_mib: 2048 } });
  assert.equal(state.last.outcome, 'oom');
  const { series, oom } = await chartData(page);
  assert.equal(oom.step, series.wasmLinear.points.at(-1).x);
  assert.match(oom.message, /out of memory/);
  assert.equal(Math.max(...ys(series.wasmLinear)), 512, 'the module reached its 512 MiB ceiling');
  assert.match(await textOf(page, '#status'), new RegExp(`ran out of memory at step ${oom.step}`));
  assert.match(
    await textOf(page, '#summary-note'),
    new RegExp(`^Out of memory at step ${oom.step}: `),
  );
  await page.close();
});

test('a thrown error is shown and the chart keeps what it had', async () => {
  const { page } = await openPage(browser);
  await runScenario(page, { scenario: 'cycles' });
  const drawn = await chartContent(page);
  // The emmalloc module cannot be fetched: loading the instance throws.
  await page.setRequestInterception(true);
  page.on('request', (request) =>
    request.url().endsWith('/trimlab-emmalloc.wasm')
      ? request.respond({ status: 404, body: 'gone' })
      : request.continue(),
  );
  const state = await runScenario(page, { scenario: 'cycles', allocator: 'emmalloc' });
  assert.match(
    await textOf(page, '#run-error'),
    /^The run did not start\. Error: .*The chart keeps what it showed\.$/,
  );
  assert.deepEqual(await chartContent(page), drawn);
  assert.equal(state.last.allocator, 'dlmalloc', 'the last finished run is still the one drawn');
  assert.equal(await isDisabled(page, '#run'), false, 'the page can run again');
  await page.close();
});

test('Stop ends a run part-way; the chart keeps what it drew', async () => {
  const { page } = await openPage(browser);
  await page.select('#scenario', 'highwater');
  await page.select('#speed', '5');
  await page.click('#run');
  await page.waitForFunction(
    () => window.trimlabDebug.chart().series.wasmLinear.points.length >= 2,
  );
  await page.click('#stop');
  await page.waitForFunction(() => !window.trimlabDebug.state().running);
  const { series } = await chartData(page);
  const total = nativeRun('highwater', 'enabled').samples.length;
  assert.ok(series.wasmLinear.points.length >= 2 && series.wasmLinear.points.length < total);
  assert.match(await textOf(page, '#status'), /^Stopped at step \d+/);
  assert.equal(await textOf(page, '#summary-lead'), 'Stopped before the end: no summary.');
  assert.equal(await isDisabled(page, '#export-json'), true, 'no finished run to export');
  await page.close();
});

test('Reset clears the run and the next run starts a new instance', async () => {
  const { page } = await openPage(browser);
  await runScenario(page, { scenario: 'cycles', instance: 'reuse' });
  assert.match(
    await textOf(page, '#instance-status'),
    /reuses the current dlmalloc instance: 1 run so far/,
  );
  await page.click('#reset');
  const { series, marks } = await chartData(page);
  assert.equal(series.wasmLinear.points.length, 0);
  assert.equal(series.nativeTrim.points.length, nativeRun('cycles', 'enabled').samples.length);
  assert.equal(marks.length, phaseStarts(nativeRun('cycles', 'enabled'), 'free').length + 1);
  assert.equal(await textOf(page, '#summary-lead'), 'Run a scenario to compare.');
  assert.equal(await isDisabled(page, '#export-json'), true);
  assert.match(await textOf(page, '#instance-status'), /next run starts a new instance/);
  const state = await runScenario(page, { scenario: 'cycles', instance: 'reuse' });
  assert.equal(state.last.instanceRun, 1);
  await page.close();
});

test('a run at 60 steps/s draws in batches: at most one chart update per step', async () => {
  const { page } = await openPage(browser);
  const state = await runScenario(page, { scenario: 'highwater', speed: '60' });
  const { updates, ms, steps } = state.runStats;
  assert.equal(steps, nativeRun('highwater', 'enabled').samples.length);
  assert.ok(updates >= 1 && updates <= steps, `${updates} updates for ${steps} steps`);
  // Reported, not asserted: these machines are shared and noisy.
  console.log(
    `# 60 steps/s: ${steps} steps, ${updates} chart updates in ${ms.toFixed(0)} ms ` +
      `= ${((updates * 1000) / ms).toFixed(1)} updates/s`,
  );
  await page.close();
});

test('a trace given to the page replays live in WebAssembly beside the native replay of the same trace', async () => {
  const { page, problems } = await openPage(browser);
  const builder = growingTrace();
  const bytes = builder.bytes();
  const dir = tempDir();
  const tracePath = join(dir, 'grow.trace');
  writeFileSync(tracePath, bytes);
  // The native replay of the same trace, imported as the native results.
  const native = runNativeJson(['replay', tracePath, '--trim', 'both']);
  assert.equal(native.code, 0, native.stderr);
  await importFile(page, {
    name: 'grow-native.json',
    body: Buffer.from(JSON.stringify(native.document)),
  });
  assert.equal(await isVisible(page, '#import-error'), false);

  // Recognised by its magic bytes, not its name (".bin"); replayed with emmalloc, as chosen.
  await page.click('input[name="allocator"][value="emmalloc"]');
  await page.select('#speed', 'max');
  const state = await importTrace(page, { name: 'grow.bin', body: bytes, dropped: true });
  assert.equal(await isVisible(page, '#import-error'), false, await textOf(page, '#import-error'));
  assert.equal(state.last.scenario, 'replay');
  assert.equal(state.last.allocator, 'emmalloc');
  assert.equal(state.last.outcome, 'completed');
  assert.equal(state.last.trace.program, 'grow-and-free');
  assert.equal(state.last.trace.events_replayed, builder.events);
  assert.equal(BigInt(state.last.trace.peak_requested_bytes), builder.peakBytes);
  assert.equal(state.nativeSource, 'grow-native.json', 'the native results stay loaded');

  const { series } = await chartData(page);
  const on = runOf(native.document, 'replay', 'enabled');
  assert.equal(series.wasmLinear.points.length, state.last.steps);
  assert.equal(ys(series.wasmLinear)[0], INITIAL);
  const peak = Math.max(...ys(series.wasmLinear));
  assert.ok(peak > INITIAL, `96 MiB of blocks grew linear memory (peak ${peak} MiB)`);
  assert.equal(ys(series.wasmLinear).at(-1), peak, 'linear memory does not shrink after the frees');
  assert.deepEqual(
    ys(series.nativeTrim),
    on.samples.map((s) => s.footprint_bytes / MiB),
  );
  assert.deepEqual(xs(series.nativeTrim), xs(series.wasmLinear), 'native and wasm share the steps');

  const figures = await textOf(page, '#summary-figures');
  const requested = (Number(builder.peakBytes) / MiB).toFixed(2);
  assert.ok(
    figures.includes(`peak requested bytes (live, allocator-independent) ${requested} MiB`),
    figures,
  );
  assert.ok(
    figures.includes(`WebAssembly linear memory at the end ${peak.toFixed(2)} MiB`),
    figures,
  );
  assert.ok(
    figures.includes(
      'Native replay of the same trace, RSS trim on: peak ' +
        `${(on.summary.peak_footprint_bytes / MiB).toFixed(2)}`,
    ),
    figures,
  );
  assert.match(await textOf(page, '#summary-heading'), /^What the replay of grow-and-free shows$/);
  await page.screenshot({ path: screenshotPath('page-after-trace-replay') });

  // The replay exports like a run: JSON in the shared format with its trace; CSV with the
  // native replay of the same trace beside it.
  const save = async (button) => (await downloadOf(page, button)).body.toString('utf8');
  const exported = JSON.parse(await save('#export-json'));
  assert.equal(validateResults(JSON.stringify(exported.run), { platform: 'wasm' }).ok, true);
  assert.equal(schemaErrors(exported.run), '');
  assert.equal(exported.run.allocator, 'emmalloc');
  assert.equal(exported.run.runs[0].scenario, 'replay');
  assert.equal(exported.run.runs[0].trace.program, 'grow-and-free');
  assert.deepEqual(exported.native.runs, [on, runOf(native.document, 'replay', 'disabled')]);
  const rows = (await save('#export-csv')).trimEnd().split('\r\n');
  assert.equal(
    rows.length,
    1 + 3 * state.last.steps,
    'the replay and the native replays beside it',
  );
  assert.equal(
    rows.find((r) => r.startsWith('native,native,glibc,replay,enabled,0,')).split(',')[8],
    String(on.samples[0].footprint_bytes),
  );

  // The picker takes the same trace; the native series stay beside it.
  const again = await importTrace(page, { name: 'grow.trace', body: bytes });
  assert.equal(again.last.outcome, 'completed');
  assert.equal(again.settled, state.settled + 1);
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('Stop ends a replay part-way; the chart keeps what it drew and the page runs again', async () => {
  const { page } = await openPage(browser);
  const t = new TraceBuilder({ program: 'slow' });
  for (let i = 1; i <= 400; i++)
    t.malloc(0x1000_0000 + i * 0x40_0000, 4 * MiB).free(0x1000_0000 + i * 0x40_0000);
  await page.select('#speed', '5');
  const { settled } = await debugState(page);
  await setInputFile(page, '#import', { name: 'slow.trace', buffer: Buffer.from(t.bytes()) });
  await page.waitForFunction(
    () => window.trimlabDebug.chart().series.wasmLinear.points.length >= 3,
  );
  assert.equal((await debugState(page)).running, true);
  await page.click('#stop');
  await page.waitForFunction((before) => window.trimlabDebug.state().settled > before, {}, settled);
  const drawn = (await chartData(page)).series.wasmLinear.points.length;
  assert.ok(drawn >= 3 && drawn < 200, `${drawn} steps drawn of about 400`);
  assert.match(await textOf(page, '#status'), /^Stopped at step \d+/);
  assert.equal(await isDisabled(page, '#run'), false);
  const state = await runScenario(page, { scenario: 'cycles' });
  assert.equal(state.last.outcome, 'completed', 'the page runs again after a stopped replay');
  await page.close();
});

test('a bad trace is refused with the reader\u2019s message and the chart keeps what it had', async () => {
  const { page } = await openPage(browser);
  await runScenario(page, { scenario: 'cycles' });
  const drawn = await chartContent(page);
  const before = await debugState(page);
  const small = () => new TraceBuilder({ program: 'bad' }).malloc(0x1000, 10);
  const cases = [
    [
      'newer.trace',
      small().free(0x1000).bytes({ version: 2 }),
      'this trace was written by a newer trimlab (version 2; this one reads 1)',
    ],
    [
      'unknown-free.trace',
      small().free(0x2000).bytes(),
      'event 2 at byte 71: free of 0x2000, which is not live (never allocated, or freed)',
    ],
    [
      'truncated.trace',
      small().free(0x1000).bytes().subarray(0, 73),
      'event 2 at byte 71: truncated: the trace ends 2 bytes into this free',
    ],
  ];
  for (const [name, body, message] of cases) {
    await importTrace(page, { name, body });
    assert.equal(await importRefusal(page, name), message);
    assert.deepEqual(await chartContent(page), drawn, name);
    const state = await debugState(page);
    assert.deepEqual(state.last, before.last, 'the last run is still the one drawn');
    assert.equal(state.replay, null);
  }
  // Wrong magic: not a trace, so it is read as a results file (and refused as one).
  await importTrace(page, { name: 'no-magic.trace', body: Buffer.from('TLTRACX\0 not a trace') });
  assert.match(await importRefusal(page, 'no-magic.trace'), /^not JSON: /);
  assert.deepEqual(await chartContent(page), drawn);
  await page.close();
});

test('a trace whose live bytes pass 512 MiB shows oom at the event where it happened', async () => {
  const { page } = await openPage(browser);
  const t = new TraceBuilder({ program: 'too-much' });
  for (let i = 1; i <= 160; i++) t.malloc(0x1_0000_0000 + i * 0x40_0000, 4 * MiB);
  await page.select('#speed', 'max');
  const state = await importTrace(page, { name: 'too-much.trace', body: t.bytes() });
  assert.equal(state.last.outcome, 'oom');
  const match =
    /^event (\d+) at byte \d+: malloc of 4194304 bytes \(4\.00 MiB\) failed: out of memory/.exec(
      state.last.error,
    );
  assert.ok(match, state.last.error);
  const event = Number(match[1]);
  assert.ok(event > 100 && event <= 128, `out of memory at event ${event}, near 512 MiB`);
  const { series, oom } = await chartData(page);
  assert.ok(
    Math.max(...ys(series.wasmLinear)) > 448,
    'linear memory came near its 512 MiB ceiling',
  );
  assert.equal(oom.step, series.wasmLinear.points.at(-1).x);
  assert.equal(oom.message, state.last.error);
  assert.match(
    await textOf(page, '#status'),
    new RegExp(`ran out of memory at step ${oom.step}: event ${event} `),
  );
  await page.close();
});

// trace-report draws with Chromium whichever browser the suite runs in: tested once, there.
test(
  'tools/trace-report.mjs draws its chart PNG with Chart.js in Chromium beside its table',
  {
    skip: browserName !== 'chromium' && 'trace-report draws in Chromium whatever the suite runs in',
  },
  async () => {
    const out = tempDir();
    const trace = join(root, 'tests', 'replay', 'good.trace');
    const [row] = await traceReport([trace, '--out', out]);
    assert.equal(row.chart, join(out, 'good.trace.png'));
    const png = readFileSync(row.chart);
    assert.deepEqual(pngSize(png), { width: 1200, height: 640 });
    assert.ok(png.length > 20_000, `${png.length} bytes: the chart has content`);
    assert.equal(row.program, 'fixture');
    const report = JSON.parse(readFileSync(join(out, 'good.trace', 'report.json'), 'utf8'));
    assert.equal(report.chart, row.chart);
    rmSync(out, { recursive: true, force: true });
  },
);

test('the screenshots were written', () => {
  for (const name of ['page-after-run', 'page-after-highwater', 'page-after-cycles'])
    assert.ok(statSync(screenshotPath(name)).size > 10_000, name);
});
