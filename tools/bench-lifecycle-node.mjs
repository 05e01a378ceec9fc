// The Node part of `make bench`'s lifecycle benchmark (tools/bench-lifecycle.mjs), in a fresh
// Node process started with --expose-gc, so that the first instance is a cold compile and the
// process's RSS starts clean:
//   node --expose-gc tools/bench-lifecycle-node.mjs SCENARIO PARAMS OUT.json
// OUT.json gets one engine's figures in the shape tools/bench-lifecycle.mjs saves: the time to a
// fresh instance (the first in the process, then CACHED more), ROUNDS rounds of a run on a fresh
// instance and the same run again on it, the module's resident bytes and the process's RSS
// after each, and the remedies: the instance dropped and collected (gc(), web/trimlab-api.js
// Lifecycle), and the same run in a worker_threads Worker that is then terminated.
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import { loadTrimlab } from '../web/trimlab-api.js';
import { ResidentReader } from '../web/resident-node.js';
import { median, round, settledRss } from './bench-lib.mjs';
import { writeOutput } from './output-file.mjs';

export const ROUNDS = 3;
export const CACHED = 5;
/** How long a remedy is given to return the memory. */
export const BOUND_MS = 60_000;
const POLL_MS = 10;

/** ms that `work` takes, and what it returned. */
async function timed(work) {
  const start = performance.now();
  const value = await work();
  return { ms: round(performance.now() - start), value };
}

const figuresOf = (/** @type {any} */ reading) => ({
  resident_bytes: reading.resident_bytes,
  host_rss_bytes: reading.host_rss_bytes,
});

/** A run on a fresh instance and the same run again on it, with the kernel's figures after
 *  each. The instance is not kept: only its Lifecycle, which follows it once dropped. */
async function round_(lab, scenario, params) {
  const fresh = await lab.runScenario(scenario, params);
  const atEnd = figuresOf(lab.resident());
  const again = await lab.runScenario(scenario, params);
  const afterAgain = figuresOf(lab.resident());
  return {
    fresh_ms: fresh.elapsed_ms,
    reused_ms: again.elapsed_ms,
    outcomes: [fresh.outcome, again.outcome],
    memory_bytes: [fresh.samples.at(-1).footprint_bytes, again.samples.at(-1).footprint_bytes],
    run_end: atEnd,
    run_again: afterAgain,
    lifecycle: lab.lifecycle(),
    run: again,
  };
}

/** Collects until the dropped instance's mapping is gone (Lifecycle.collected). */
async function dropAndCollect(measured) {
  const { lifecycle, run } = measured;
  const dropped = lifecycle.note(run, 'dropped');
  const collected = await lifecycle.collected(run, { gc: globalThis.gc, patience_ms: BOUND_MS });
  return {
    state: 'dropped',
    forced: true,
    returned: collected.resident_bytes === null,
    ms: round(collected.elapsed_ms - dropped.elapsed_ms),
    host_rss_before_bytes: measured.run_again.host_rss_bytes,
    resident_bytes: collected.resident_bytes,
    host_rss_bytes: collected.host_rss_bytes,
  };
}

/** The same run in a worker_threads Worker, which is then terminated: the time until the
 *  module's mapping is gone from this process, and the RSS then. */
async function terminated(scenario, params) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { scenario, params } });
  const { tag, tagAddress, memoryBytes } = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const reader = new ResidentReader(Buffer.from(tag, 'hex'), tagAddress);
  const before = reader.read(memoryBytes);
  if (before.resident_bytes === null) throw new Error('the worker\u2019s module was not found');
  const start = performance.now();
  await worker.terminate();
  let now = reader.readAgain();
  while (now.resident_bytes !== null && performance.now() - start < BOUND_MS) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    now = reader.readAgain();
  }
  return {
    state: 'terminated',
    returned: now.resident_bytes === null,
    ms: round(performance.now() - start),
    resident_before_bytes: before.resident_bytes,
    host_rss_before_bytes: before.host_rss_bytes,
    resident_bytes: now.resident_bytes,
    host_rss_bytes: await settledRss(process.pid),
  };
}

async function main([scenario, params = '', out]) {
  if (!scenario || !out || typeof globalThis.gc !== 'function') {
    console.error(
      'usage: node --expose-gc tools/bench-lifecycle-node.mjs SCENARIO PARAMS OUT.json',
    );
    return 2;
  }
  const cold = await timed(() => loadTrimlab());
  const cached = [];
  for (let i = 0; i < CACHED; i++) cached.push((await timed(() => loadTrimlab())).ms);
  globalThis.gc();
  const rounds = [await round_(cold.value, scenario, params)];
  cold.value = null; // the first round's instance is now held by nothing
  const drop = await dropAndCollect(rounds[0]);
  for (let i = 1; i < ROUNDS; i++) {
    rounds.push(await round_(await loadTrimlab(), scenario, params));
    await rounds[i].lifecycle.collected(rounds[i].run, { gc: globalThis.gc });
  }
  const figures = {
    engine: 'node',
    version: process.versions.node,
    scenario,
    params,
    instantiate: { cold_ms: cold.ms, cached_ms: cached, cached_ms_median: median(cached) },
    fresh_ms: rounds.map((r) => r.fresh_ms),
    reused_ms: rounds.map((r) => r.reused_ms),
    outcomes: rounds.flatMap((r) => r.outcomes),
    memory_bytes: rounds[0].memory_bytes,
    run_end: rounds[0].run_end,
    run_again: rounds[0].run_again,
    remedies: [
      drop,
      await terminated(scenario, params),
      { state: 'reloaded', skipped: 'Node has no page to reload' },
    ],
  };
  writeOutput(out, `${JSON.stringify(figures)}\n`);
  return 0;
}

if (!isMainThread) {
  const lab = await loadTrimlab();
  await lab.runScenario(workerData.scenario, workerData.params);
  // A listener keeps the worker, and its instance, alive until it is terminated: a worker whose
  // event loop is empty would end by itself.
  parentPort?.on('message', () => {});
  parentPort?.postMessage({
    tag: lab.tag,
    tagAddress: lab.tagAddress,
    memoryBytes: lab.memoryBytes(),
  });
} else if (process.argv[1] === fileURLToPath(import.meta.url))
  process.exitCode = await main(process.argv.slice(2));
