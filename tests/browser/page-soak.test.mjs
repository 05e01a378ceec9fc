// Page soak: RUNS consecutive runs in one page, alternating scenarios (modest parameters),
// allocators, and fresh and reused instances, with no console error, every old module instance
// collectable, and no growing JS heap. In its own file, with its own browser: pages of one site
// may share a renderer process, and so a JS heap, and no other test's page may add to it here.
//
// The heap is read over the DevTools protocol after a full collection, after run BASELINE_RUN
// and after run RUNS. Runtime.getHeapUsage's used size includes V8's compiled code, which keeps
// growing for about a hundred runs here while the JIT optimises the hot paths (Chart.js updates,
// the run loop) and then levels off: measured here, +0.8 MB of code from run 5 to run 50 (+18 %
// of the used size) against +0.07 MB for everything else. So the code is measured in a heap
// snapshot taken at the same moment and left out: the used heap less compiled code (objects,
// strings, closures, shapes: where a leak of samples, chart points or module wrappers would
// show) may grow by at most HEAP_GROWTH.
//
// Each fresh instance has a 64 MiB+ WebAssembly.Memory outside the JS heap, which the used size
// does not show: an init script keeps a WeakRef to every memory a module exports, and after a
// collection only the page's two instances may still be alive (the catalog's and the current).
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
const PAGE_INSTANCES = 2; // the catalog's (scenario list, parameter checks) and the current run's
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

/** Bytes of compiled code (V8's 'code' nodes) in a heap snapshot. */
async function compiledCodeBytes(cdp) {
  const chunks = [];
  const collect = ({ chunk }) => chunks.push(chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', collect);
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', collect);
  const { snapshot, nodes } = JSON.parse(chunks.join(''));
  const fields = snapshot.meta.node_fields;
  const code = snapshot.meta.node_types[0].indexOf('code');
  const [type, size] = [fields.indexOf('type'), fields.indexOf('self_size')];
  let bytes = 0;
  for (let i = 0; i < nodes.length; i += fields.length)
    if (nodes[i + type] === code) bytes += nodes[i + size];
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
  if (cdp === null) return { memories };
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return { used: usedSize, code: await compiledCodeBytes(cdp), memories };
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

test(`${RUNS} runs in one page: no console error, old instances collected, no growing JS heap`, async (t) => {
  const started = performance.now();
  const { page, problems } = await openPage(browser, { initScript: trackMemories });
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
  assert.equal(end.memories.created, 1 + fresh, 'one memory for the catalog, one per new instance');
  for (const [when, figures] of [
    [`run ${BASELINE_RUN}`, baseline],
    [`run ${RUNS}`, end],
  ])
    assert.equal(figures.memories.alive, PAGE_INSTANCES, `memories alive after ${when}`);
  if (cdp === null) {
    t.diagnostic(
      `${RUNS} runs in ${seconds.toFixed(1)} s in ${browserName}; WebAssembly memories ` +
        `${end.memories.created} created, ${end.memories.alive} alive; the JS heap is not measured here`,
    );
    assert.deepEqual(problems, []);
    await page.close();
    return;
  }
  const data = (figures) => figures.used - figures.code;
  const allowed = data(baseline) * (1 + HEAP_GROWTH);
  t.diagnostic(
    `${RUNS} runs in ${seconds.toFixed(1)} s; used JS heap ${mb(baseline.used)} after run ` +
      `${BASELINE_RUN}, ${mb(end.used)} after run ${RUNS}; less compiled code (${mb(baseline.code)}, ` +
      `${mb(end.code)}): ${mb(data(baseline))}, ${mb(data(end))} (at most ${mb(allowed)}); ` +
      `WebAssembly memories ${end.memories.created} created, ${end.memories.alive} alive`,
  );
  assert.ok(
    data(end) <= allowed,
    `the JS heap less compiled code grew from ${mb(data(baseline))} ` +
      `to ${mb(data(end))}, over the ${mb(allowed)} allowed`,
  );
  assert.deepEqual(problems, []);
  await page.close();
});
