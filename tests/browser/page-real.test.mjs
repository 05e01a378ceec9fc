// The "Real programs" view: SQLite (sql.js) and Lua (wasmoon), vendored by `make site`, run live
// in this browser's real WebAssembly build, beside the native program's results of
// `make real-results`. For each program its smallest workload (by what make real-results
// measured) is run; the linear-memory peak the page drew is checked against the browser's own
// mapping of the module (the test's read of /proc: its size, and the bytes the page told it by),
// the native series against the JSON file; the lab chosen again must end the worker and its
// mapping. A bad or missing file must show one message and leave no other workload's native line;
// a dropped file is refused there; #real opens the view, and a module that failed to load is
// loaded again when the view is chosen again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

import { descendantsOf } from '../../tools/browser.mjs';
import { createResidentReader } from '../../tools/resident.mjs';
import { handler } from '../../tools/serve.mjs';
import { workloads } from '../../tools/real/workloads.mjs';
import { mibText } from '../../web/units.js';
import {
  browserName,
  missingFiles,
  openPage,
  screenshotPath,
  startBrowser,
  textOf,
  webRoot,
} from '../support/browser.mjs';
import { MAPPING_EXTRA, moduleMappings } from '../support/proc.mjs';

const dataFile = (name) => join(webRoot, 'gen', 'data', 'real', name);
assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');
for (const { name } of workloads())
  for (const side of ['native', 'wasm'])
    assert.ok(existsSync(dataFile(`${side}-${name}.json`)), 'run `make real-results` first');
assert.ok(existsSync(join(webRoot, 'gen', 'real', 'index.json')), 'run `make site` first');

const readRun = (file) => JSON.parse(readFileSync(dataFile(file), 'utf8')).runs[0];
/** Each program's workload whose WebAssembly run peaked lowest under Node: the quickest. */
const smallest = (kind) =>
  workloads()
    .filter((w) => w.kind === kind)
    .map((w) => ({ ...w, peak: readRun(`wasm-${w.name}.json`).summary.peak_footprint_bytes }))
    .sort((a, b) => a.peak - b.peak)[0];
const NEAR = 0.05; // the page's last resident reading against the test's own, moments apart

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

/** The resources the page asked for so far (performance entries: the page's, not the worker's). */
const requested = (page) =>
  page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));

/** Opens the page on the Real programs view, from the header's button, ready. */
async function openReal(target = browser) {
  const opened = await openPage(target);
  await opened.page.setViewport({ width: 1280, height: 900 });
  assert.equal(await opened.page.$eval('#real-view', (e) => e.hidden), true, 'the lab first');
  const first = await requested(opened.page);
  assert.deepEqual(
    first.filter((url) => /real-|vendor\/(sql\.js|wasmoon)|gen\/real\//.test(url)),
    [],
    'nothing of the real programs on first load',
  );
  await opened.page.click('#view-real');
  await opened.page.waitForFunction(() => window.trimlabReal?.state().ready === true);
  const all = await requested(opened.page);
  assert.deepEqual(
    all.filter((url) => !url.startsWith(target.baseUrl)),
    [],
    'nothing from another origin',
  );
  return opened;
}

/** Whether a run goes, and whether the program and workload choices are disabled. */
const choicesLocked = (page) =>
  page.evaluate(() => ({
    running: window.trimlabReal.state().running,
    programs: document.getElementById('real-programs').disabled,
    workload: document.getElementById('real-workload').disabled,
  }));

/** Chooses `kind`'s program and `workload`, waits for its native series. */
async function choose(page, kind, workload) {
  await page.click(`input[name="real-program"][value="${kind}"]`);
  await page.waitForFunction(
    (k) => document.querySelector('#real-workload').dataset.kind === k,
    {},
    kind,
  );
  await page.select('#real-workload', workload);
  await page.waitForFunction(
    (w) => document.querySelector('#real-native-source').textContent.includes(`native-${w}.json`),
    {},
    workload,
  );
}

for (const kind of ['sql', 'lua'])
  test(`${browserName}: ${kind === 'sql' ? 'SQLite' : 'Lua'} runs live; the drawn peak is the module's mapping, the native series the JSON's`, async (t) => {
    const workload = smallest(kind);
    const { page, problems } = await openReal();
    await choose(page, kind, workload.name);
    const native = readRun(`native-${workload.name}.json`);

    const started = performance.now();
    const before = await page.evaluate(() => window.trimlabReal.state().finished);
    await page.click('#real-run');
    // While it runs (its idle phase alone takes seconds) the program and workload stay chosen.
    assert.deepEqual(await choicesLocked(page), { running: true, programs: true, workload: true });
    await page.waitForFunction(
      (n) => window.trimlabReal.state().finished > n || window.trimlabReal.state().error,
      { timeout: 120_000 },
      before,
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const state = await page.evaluate(() => window.trimlabReal.state());
    assert.equal(state.error, null);
    assert.deepEqual(await choicesLocked(page), {
      running: false,
      programs: false,
      workload: false,
    });
    const series = await page.evaluate(() => window.trimlabReal.series());

    // The native series is the file's samples, at the times their labels give.
    assert.deepEqual(
      series.native.map((p) => p.y),
      native.samples.map((s) => s.footprint_bytes),
    );
    assert.deepEqual(
      series.native.map((p) => p.x),
      native.samples.map((s) => Number(/t=([\d.]+) ms$/.exec(s.label)[1]) / 1000),
    );

    // The drawn peak: the browser holds one mapping of exactly that size with the module's bytes.
    const peak = Math.max(...series.linear.map((p) => p.y));
    const mapped = moduleMappings(browser, peak);
    assert.ok(mapped.length >= 1, `a mapping of the drawn peak ${mibText(peak)}`);
    const reader = createResidentReader();
    const own = reader.read({
      bytes: peak,
      tag: state.live.tag,
      at: state.live.at,
      kind: browserName,
      pids: descendantsOf(browser.pid),
    });
    assert.ok(own, `the module's bytes at ${state.live.at} in a mapping of ${mibText(peak)}`);
    assert.equal(own.matched, 'tag');
    assert.ok(peak > series.linear[0].y, 'the memory grew during the work');

    // The live resident line, read while the run went and after it, against the test's reading.
    await page.waitForFunction(
      (n) => window.trimlabReal.series().resident.length > n,
      {},
      series.resident.length,
    );
    const readings = (await page.evaluate(() => window.trimlabReal.series())).resident;
    const drawn = readings.findLast((r) => r.y !== null).y;
    const again = reader.read({
      bytes: peak,
      tag: state.live.tag,
      at: state.live.at,
      kind: browserName,
    });
    t.diagnostic(
      `${browserName}: ${workload.name} ran live in ${seconds} s; linear memory ${mibText(series.linear[0].y)} -> ${mibText(peak)}, ` +
        `resident drawn ${mibText(drawn)}, read by the test ${mibText(again.resident_bytes)}; ` +
        `${series.resident.length} resident readings during the run`,
    );
    assert.ok(Math.abs(drawn - again.resident_bytes) <= NEAR * again.resident_bytes);

    // The summary: what the native program gave back, from the file; what the browser kept.
    const summary = await textOf(page, '#real-summary');
    const givenBack = native.summary.peak_footprint_bytes - native.summary.final_footprint_bytes;
    assert.match(
      summary,
      new RegExp(
        `gave back ${mibText(givenBack)} of its ${mibText(native.summary.peak_footprint_bytes)}`,
      ),
    );
    // What the browser kept: the size of the module's mapping the test found by its bytes.
    const kept = own.mapping_bytes - MAPPING_EXTRA;
    assert.match(summary, new RegExp(`kept ${mibText(kept)} of linear memory`));
    assert.doesNotMatch(summary, /\n/);
    await page.screenshot({ path: screenshotPath(`real-programs-${kind}`) });

    // The lab chosen again: the worker is ended, and the module's mapping leaves the browser.
    await page.click('#view-lab');
    assert.equal(await page.evaluate(() => window.trimlabReal.state().worker), false);
    const query = { bytes: peak, tag: state.live.tag, at: state.live.at, kind: browserName };
    const deadline = performance.now() + 30_000;
    while (reader.read(query) !== null && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(reader.read(query), null, "the module's mapping is gone with its worker");
    assert.deepEqual(problems, []);
    await page.close();
  });

/** The page served with some files replaced: `answers` by path, each the first `times` it is
 *  asked for (every time when not given); an answer {wait} serves the file itself once `wait`
 *  resolved. */
async function serveWith(answers) {
  const files = handler(realpathSync(webRoot));
  const asked = new Map();
  const server = createServer(async (request, response) => {
    const path = request.url.split('?')[0];
    const answer = answers[path];
    asked.set(path, (asked.get(path) ?? 0) + 1);
    if (answer?.wait) await answer.wait;
    if (answer === undefined || answer.wait || asked.get(path) > (answer.times ?? Infinity))
      return files(request, response);
    response.writeHead(answer.status, { 'Content-Type': answer.type });
    response.end(answer.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

test(`${browserName}: a bad or missing native file, or a program that cannot load, shows one message; no other workload's native line stays`, async () => {
  const [first, second] = workloads().filter((w) => w.kind === 'sql');
  const lua = workloads().find((w) => w.kind === 'lua');
  const server = await serveWith({
    [`/gen/data/real/native-${second.name}.json`]: {
      status: 200,
      type: 'application/json',
      body: '{"format": "x"',
    },
    [`/gen/data/real/native-${lua.name}.json`]: { status: 404, type: 'text/plain', body: 'gone' },
    '/gen/vendor/wasmoon/glue.wasm': { status: 404, type: 'text/plain', body: 'gone' },
  });
  try {
    const baseUrl = `http://127.0.0.1:${server.address().port}/`;
    const { page, problems } = await openReal({ ...browser, baseUrl });
    await choose(page, 'sql', first.name);
    const drawn = await page.evaluate(() => window.trimlabReal.series());
    assert.ok(drawn.native.length > 0, `${first.name}'s native line`);
    const none = { native: [], linear: [], resident: [] };
    const expectError = async (pattern, series) => {
      await page.waitForFunction(
        (p) => new RegExp(p).test(window.trimlabReal.state().error),
        {},
        pattern.source,
      );
      const message = await textOf(page, '#real-error');
      assert.match(message, pattern);
      assert.doesNotMatch(message, /\n/);
      assert.deepEqual(await page.evaluate(() => window.trimlabReal.series()), series);
    };
    // A refused file: no native line at all, not the workload's before it.
    await page.select('#real-workload', second.name);
    await expectError(
      new RegExp(
        `^gen/data/real/native-${second.name}\\.json was not loaded: .*\\. No native line is drawn for ${second.name}\\.$`,
      ),
      none,
    );
    assert.equal(await textOf(page, '#real-native-source'), '');
    await page.click('input[name="real-program"][value="lua"]');
    await expectError(
      new RegExp(
        `^gen/data/real/native-${lua.name}\\.json was not loaded: HTTP 404 .*\\. No native line is drawn for ${lua.name}\\.$`,
      ),
      none,
    );
    assert.equal(await page.$$eval('.error:not([hidden])', (shown) => shown.length), 1);
    // The browser's own log of the 404s served on purpose; nothing else.
    const logged = problems.filter((p) => !/the server responded with a status of 404/.test(p));
    assert.deepEqual(logged, []);
    // A program that cannot load (its glue logs why, in its own words): one message, Run offered
    // again, the chart as it was.
    await page.click('#real-run');
    await expectError(/^The run failed: .*\. The view keeps what it showed\.$/, none);
    assert.equal(await page.$eval('#real-run', (button) => button.disabled), false);
    // A file dropped on this view is refused here, not imported into the hidden lab.
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['these are not results'], 'notes.txt', { type: 'text/plain' }));
      document.body.dispatchEvent(
        new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }),
      );
    });
    await expectError(
      /^notes\.txt was not loaded: the Real programs view takes no file \(drop it on the lab\)\.$/,
      none,
    );
    // The lab is as it was, one click away, and took no file.
    await page.click('#view-lab');
    assert.equal(await page.$eval('#lab-view', (e) => e.hidden), false);
    assert.equal(await page.$eval('#real-view', (e) => e.hidden), true);
    assert.equal(await page.$eval('#import-error', (e) => e.hidden), true);
    await page.close();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test(`${browserName}: #real added to the address opens the view; a module that fails to load is said, and choosing the view again retries`, async () => {
  const server = await serveWith({
    '/real-view.js': { status: 404, type: 'text/plain', body: 'gone', times: 1 },
  });
  try {
    const { page, problems } = await openPage({
      ...browser,
      baseUrl: `http://127.0.0.1:${server.address().port}/`,
    });
    await page.evaluate(() => {
      location.hash = '#real';
    });
    await page.waitForFunction(() => !document.getElementById('real-error').hidden);
    assert.equal(await page.$eval('#real-view', (e) => e.hidden), false);
    assert.match(
      await textOf(page, '#real-error'),
      /^web\/real-view\.js could not be loaded \(.+\)\. Choose Real programs again to retry\.$/,
    );
    await page.click('#view-lab');
    await page.click('#view-real');
    await page.waitForFunction(() => window.trimlabReal?.state().ready === true);
    assert.equal(await page.evaluate(() => window.trimlabReal.state().error), null);
    assert.equal(await page.evaluate(() => location.hash), '#real');
    // The browser's own log of the module's 404, served on purpose; nothing else.
    assert.deepEqual(
      problems.filter((p) => !/404|real-view\.js/.test(p)),
      [],
    );
    await page.close();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test(`${browserName}: a workload's text that comes after another was chosen is not shown`, async () => {
  const [first, second] = workloads().filter((w) => w.kind === 'sql');
  const lua = workloads().find((w) => w.kind === 'lua');
  let release;
  const wait = new Promise((resolve) => (release = resolve));
  const server = await serveWith({ [`/gen/real/workloads/${second.file}`]: { wait } });
  try {
    const baseUrl = `http://127.0.0.1:${server.address().port}/`;
    const { page, problems } = await openReal({ ...browser, baseUrl });
    await choose(page, 'sql', first.name);
    await page.select('#real-workload', second.name); // its text held by the server
    await choose(page, 'lua', lua.name);
    release();
    // Its text arrived (the page's resource entry is made as the body ends); a task later the
    // page has done with it.
    await page.waitForFunction(
      (file) => performance.getEntriesByType('resource').some((e) => e.name.endsWith(file)),
      {},
      `/${second.file}`,
    );
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    assert.equal(await textOf(page, '#real-text'), readFileSync(lua.path, 'utf8'));
    assert.match(
      await textOf(page, '#real-native-source'),
      new RegExp(`native-${lua.name}\\.json`),
    );
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
