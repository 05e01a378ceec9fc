// Page soak: RUNS consecutive runs in one page, alternating scenarios (modest parameters),
// allocators, and fresh and reused instances, with no console error, every old module instance
// gone, and no growing JS heap. In its own file, with its own browser: pages of one site
// may share a renderer process, and so a JS heap, and no other test's page may add to it here.
//
// The heap is read over the DevTools protocol after a full collection, after run BASELINE_RUN
// and after run RUNS, in a heap snapshot. Two parts of it grow without a leak, so they are
// counted apart: V8's compiled code keeps growing for about a hundred runs here while the JIT
// optimises the hot paths (Chart.js updates, the run loop) and then levels off (+0.8 MB from run
// 5 to run 50, measured before runs had workers); and Blink's C++ objects ('native' nodes) hold,
// among others, the browser's record of every resource the page and its workers loaded (the
// inspector's network log and the resource timing buffer, both bounded), about seven per new
// worker. The rest (JS objects, strings, closures, shapes: where a leak of samples, chart points
// or module wrappers would show) may grow by at most HEAP_GROWTH.
//
// Each fresh instance has a 64 MiB+ WebAssembly.Memory outside the JS heap, which the used size
// does not show. A run's instance lives in its own dedicated Worker (web/remote-lab.js): the
// browser's own list of the page's workers (puppeteer's workercreated/workerdestroyed, from the
// DevTools protocol or WebDriver BiDi) must hold the current instance's worker only, one worker
// having been created per new instance. The page itself keeps one instance (the catalogue of
// scenarios): an init script keeps a WeakRef to every memory a module of the page exports, and
// after a collection only that one may be alive.
//
// In Firefox the same runs, console and memories are checked; the JS heap is not: WebDriver BiDi
// has no heap usage or snapshot (the DevTools protocol is Chromium's). Firefox's collection is
// asked for through the browser's own window (tools/browser.mjs) and runs soon after, not at
// once: the memories are counted once it has (waited for, at most COLLECT_SECONDS).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  browserName,
  missingFiles,
  openPage,
  runScenario,
  startBrowser,
} from '../support/browser.mjs';

assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');

const RUNS = 50;
const BASELINE_RUN = 5;
const HEAP_GROWTH = 0.1;
const COLLECT_SECONDS = 30;
// Each 'reuse' follows a run of the same allocator, so it runs on that instance, except that an
// emmalloc instance is not reused after its trim (Emscripten 3.1.6, #23343: lab.untrusted), so
// the page starts a new one there; four runs in five start a new instance. highwater grows
// linear memory past 64 MiB on a reused instance.
const PLAN = [
  {
    scenario: 'cycles',
    params: { cycles: 2, block_mib: 4 },
    allocator: 'dlmalloc',
    instance: 'fresh',
  },
  {
    scenario: 'highwater',
    params: { total_mib: 80, chunk_kib: 256 },
    allocator: 'dlmalloc',
    instance: 'reuse',
  },
  { scenario: 'simple', params: { block_mib: 8 }, allocator: 'emmalloc', instance: 'fresh' },
  {
    scenario: 'fragmented',
    params: { chunks: 256, chunk_kib: 4 },
    allocator: 'emmalloc',
    instance: 'reuse',
  },
  { scenario: 'vector', params: { slots: 100000 }, allocator: 'dlmalloc', instance: 'fresh' },
];
const PAGE_INSTANCES = 1; // the catalog's (scenario list, parameter checks)
/** Whether the page runs `run` on a new instance. */
const isNew = (run) => run.instance === 'fresh' || run.allocator === 'emmalloc';

/** Runs in the page before its scripts: the glue instantiates through these two calls, which
 *  resolve with {module, instance}, or with an instance when given a compiled module. */
function trackMemories() {
  const memories = [];
  const track = (result) => {
    const instance = result instanceof WebAssembly.Instance ? result : result.instance;
    for (const value of Object.values(instance.exports))
      if (value instanceof WebAssembly.Memory) memories.push(new WeakRef(value));
    return result;
  };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    WebAssembly[name] = (...args) => original.apply(WebAssembly, args).then(track);
  }
  window.trimlabTestMemories = () => ({
    created: memories.length,
    alive: memories.filter((ref) => ref.deref() !== undefined).length,
  });
}

/** A heap snapshot's bytes: V8's compiled code ('code' nodes), Blink's C++ objects ('native')
 *  and everything else (JS objects, strings, closures, shapes). */
async function snapshotBytes(cdp) {
  const chunks = [];
  const collect = ({ chunk }) => chunks.push(chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', collect);
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', collect);
  const { snapshot, nodes } = JSON.parse(chunks.join(''));
  const fields = snapshot.meta.node_fields;
  const [code, native] = ['code', 'native'].map((name) =>
    snapshot.meta.node_types[0].indexOf(name),
  );
  const [type, size] = [fields.indexOf('type'), fields.indexOf('self_size')];
  const bytes = { code: 0, native: 0, js: 0 };
  for (let i = 0; i < nodes.length; i += fields.length) {
    const kind = nodes[i + type] === code ? 'code' : nodes[i + type] === native ? 'native' : 'js';
    bytes[kind] += nodes[i + size];
  }
  return bytes;
}

/** The live memories once collections have left only the page's own (or after COLLECT_SECONDS),
 *  a collection asked for every second (one of Firefox's may not reach everything). */
async function memoriesAfterCollection(page) {
  const memories = () => page.evaluate(() => window.trimlabTestMemories());
  for (const end = Date.now() + COLLECT_SECONDS * 1000; Date.now() < end;) {
    await browser.collectGarbage(page);
    const now = await memories();
    if (now.alive <= PAGE_INSTANCES) return now;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return memories();
}

/** After a full collection: the live memories and, in Chromium (cdp), the used JS heap and the
 *  compiled code in it. */
async function heapFigures(cdp, page) {
  const memories = await memoriesAfterCollection(page);
  const workers = page.workers().length;
  if (cdp === null) return { memories, workers };
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return { used: usedSize, ...(await snapshotBytes(cdp)), memories, workers };
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

test(`${RUNS} runs in one page: no console error, old instances gone, no growing JS heap`, async (t) => {
  const started = performance.now();
  const { page, problems } = await openPage(browser, { initScript: trackMemories });
  let workersCreated = 0;
  page.on('workercreated', () => (workersCreated += 1));
  const cdp = browserName === 'chromium' ? await page.createCDPSession() : null;
  await cdp?.send('HeapProfiler.enable');
  const runs = Array.from({ length: RUNS }, (_, index) => PLAN[index % PLAN.length]);
  let baseline;
  for (const [index, run] of runs.entries()) {
    const i = index + 1;
    const state = await runScenario(page, run);
    assert.equal(state.settled, i);
    assert.deepEqual(
      [state.last.scenario, state.last.allocator, state.last.outcome],
      [run.scenario, run.allocator, 'completed'],
      `run ${i}`,
    );
    assert.equal(state.last.instanceRun, isNew(run) ? 1 : 2, `run ${i}: ${run.instance}`);
    if (i === BASELINE_RUN) baseline = await heapFigures(cdp, page);
  }
  const end = await heapFigures(cdp, page);
  const seconds = (performance.now() - started) / 1000;

  const fresh = runs.filter(isNew).length;
  assert.equal(end.memories.created, PAGE_INSTANCES, 'the page itself made one instance');
  assert.equal(workersCreated, fresh, 'one worker per new instance');
  for (const [when, figures] of [
    [`run ${BASELINE_RUN}`, baseline],
    [`run ${RUNS}`, end],
  ]) {
    assert.equal(figures.memories.alive, PAGE_INSTANCES, `memories alive after ${when}`);
    assert.equal(figures.workers, 1, `workers alive after ${when}: the current instance's only`);
  }
  if (cdp === null) {
    t.diagnostic(
      `${RUNS} runs in ${seconds.toFixed(1)} s in ${browserName}; WebAssembly memories ` +
        `${end.memories.created} created, ${end.memories.alive} alive; ${workersCreated} workers ` +
        `created, ${end.workers} alive; the JS heap is not measured here`,
    );
    assert.deepEqual(problems, []);
    await page.close();
    return;
  }
  const allowed = baseline.js * (1 + HEAP_GROWTH);
  const parts = (f) => `${mb(f.js)} (code ${mb(f.code)}, Blink ${mb(f.native)})`;
  t.diagnostic(
    `${RUNS} runs in ${seconds.toFixed(1)} s; used JS heap ${mb(baseline.used)} after run ` +
      `${BASELINE_RUN}, ${mb(end.used)} after run ${RUNS}; in the snapshots, JS objects ` +
      `${parts(baseline)}, then ${parts(end)} (at most ${mb(allowed)}); ` +
      `WebAssembly memories in the page ${end.memories.created} created, ${end.memories.alive} ` +
      `alive; ${workersCreated} workers created, ${end.workers} alive`,
  );
  assert.ok(
    end.js <= allowed,
    `the JS objects grew from ${mb(baseline.js)} to ${mb(end.js)}, over the ${mb(allowed)} allowed`,
  );
  assert.deepEqual(problems, []);
  await page.close();
});
