// `make bench`, part 4 of 6: the allocation recorder and the replay (docs/replay.md).
//   1. recording overhead: tests/record/alloc_churn.c (gcc -O2, into a temporary folder) with
//      OVERHEAD_ROUNDS rounds, alone and under `build/trimlab record -o T -- PROGRAM`, each a fresh
//      process timed from spawn to exit, interleaved alone, recorded, alone, … over PAIRS pairs
//      after one untimed pair (tests/record/overhead.sh's approach): medians, the median of the
//      per-pair ratios, the events recorded (the recorder's own line), ns per event
//   2. replay of a trace of about 1,000,000 events (alloc_churn REPLAY_ROUNDS, recorded): in
//      WebAssembly under Node through the wrapper (lab.runReplay on the trace's bytes, dlmalloc, a
//      fresh instance per run, after one untimed warm-up replay on an instance then dropped),
//      timed around runReplay; natively `build/trimlab replay --quiet --json`, the run's own
//      elapsed_ms and the command's wall time (its check of the trace in a child process
//      included); interleaved native, WebAssembly over REPLAY_RUNS rounds after one untimed
//      native run: medians, and the median of the per-round ratios of the two runs' elapsed_ms
// Adds "trace" to build/bench.json.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadTrimlab } from '../web/trimlab-api.js';
import { buildDir, median, root, round, saveFigures, timeCommand } from './bench-lib.mjs';

const PAIRS = 7;
const OVERHEAD_ROUNDS = 10_000_000; // about 20,000,000 events (a free and a malloc per round)
const REPLAY_ROUNDS = 500_000; // 1,000,001 events
const REPLAY_RUNS = 5;
const cli = join(buildDir, 'trimlab');

/** `trimlab record` of `program args`: {ms, events} (from "trimlab: recorded N events ..."). */
function record(trace, program, args) {
  const { ms, stderr } = timeCommand(cli, ['record', '-o', trace, '--', program, ...args]);
  const events = stderr.match(/^trimlab: recorded (\d+) events \(complete\)/m);
  if (!events) throw new Error(`trimlab record printed no complete event count: ${stderr.trim()}`);
  return { ms, events: Number(events[1]) };
}

function overhead(program, trace) {
  const args = [String(OVERHEAD_ROUNDS)];
  timeCommand(program, args); // untimed pair: warms the caches
  record(trace, program, args);
  const alone = [];
  const recorded = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    alone.push(timeCommand(program, args).ms);
    recorded.push(record(trace, program, args));
  }
  const events = recorded.at(-1).events;
  if (recorded.some((r) => r.events !== events)) throw new Error('the recorded event counts differ');
  const aloneMs = median(alone);
  const recordedMs = median(recorded.map((r) => r.ms));
  return {
    program: `alloc_churn ${OVERHEAD_ROUNDS}`,
    pairs: PAIRS,
    events,
    trace_bytes: statSync(trace).size,
    alone_ms_median: round(aloneMs, 1),
    recorded_ms_median: round(recordedMs, 1),
    recorded_over_alone_median_ratio: round(median(recorded.map((r, i) => r.ms / alone[i]))),
    recorded_ns_per_event: round(recordedMs * 1e6 / events, 1),
    added_ns_per_event: round((recordedMs - aloneMs) * 1e6 / events, 1),
  };
}

/** One replay in a fresh module instance: {ms: around runReplay, elapsed_ms, steps}. */
async function wasmReplay(bytes, events) {
  const lab = await loadTrimlab({ allocator: 'dlmalloc' });
  const start = performance.now();
  const run = await lab.runReplay(bytes);
  const ms = performance.now() - start;
  if (run.outcome !== 'completed' || run.trace.events_replayed !== events)
    throw new Error(`the WebAssembly replay ended ${run.outcome} after ${run.trace?.events_replayed} events`);
  return { ms, elapsed_ms: run.elapsed_ms, steps: run.samples.length };
}

function nativeReplay(trace, json, events) {
  const { ms } = timeCommand(cli, ['replay', trace, '--quiet', '--json', json]);
  const run = JSON.parse(readFileSync(json, 'utf8')).runs[0];
  if (run.outcome !== 'completed' || run.trace.events_replayed !== events)
    throw new Error(`the native replay ended ${run.outcome} after ${run.trace.events_replayed} events`);
  return { wall_ms: ms, elapsed_ms: run.elapsed_ms, steps: run.samples.length };
}

async function replay(program, trace, json) {
  const { events } = record(trace, program, [String(REPLAY_ROUNDS)]);
  const bytes = readFileSync(trace);
  nativeReplay(trace, json, events); // untimed: warms the caches
  await wasmReplay(bytes, events); // untimed: compiles and warms up the module's code
  globalThis.gc?.();
  const native = [];
  const wasm = [];
  for (let i = 0; i < REPLAY_RUNS; i++) {
    native.push(nativeReplay(trace, json, events));
    wasm.push(await wasmReplay(bytes, events));
    globalThis.gc?.();
  }
  const wasmMs = median(wasm.map((r) => r.ms));
  const nativeMs = median(native.map((r) => r.elapsed_ms));
  return {
    program: `alloc_churn ${REPLAY_ROUNDS}`,
    events,
    trace_bytes: bytes.length,
    steps: wasm[0].steps,
    runs: REPLAY_RUNS,
    wasm_ms_median: round(wasmMs, 1),
    wasm_ms_max: round(Math.max(...wasm.map((r) => r.ms)), 1),
    wasm_elapsed_ms_median: round(median(wasm.map((r) => r.elapsed_ms)), 1),
    wasm_ns_per_event: round(wasmMs * 1e6 / events, 1),
    native_elapsed_ms_median: round(nativeMs, 1),
    native_wall_ms_median: round(median(native.map((r) => r.wall_ms)), 1),
    native_ns_per_event: round(nativeMs * 1e6 / events, 1),
    wasm_over_native_elapsed_median_ratio:
      round(median(wasm.map((w, i) => w.elapsed_ms / native[i].elapsed_ms))),
  };
}

const scratch = mkdtempSync(join(tmpdir(), 'trimlab-bench-trace-'));
let figures;
try {
  const program = join(scratch, 'alloc_churn');
  execFileSync('gcc', ['-O2', join(root, 'tests', 'record', 'alloc_churn.c'), '-o', program]);
  figures = {
    overhead: overhead(program, join(scratch, 'overhead.trace')),
    replay: await replay(program, join(scratch, 'replay.trace'), join(scratch, 'replay.json')),
  };
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
saveFigures('trace', figures);

const { overhead: o, replay: r } = figures;
console.log(`\nrecording overhead, ${o.program} (${o.events} events), median of ${o.pairs} interleaved pairs:`);
console.log(`  alone ${o.alone_ms_median} ms, recorded ${o.recorded_ms_median} ms: ` +
  `×${o.recorded_over_alone_median_ratio} (${o.added_ns_per_event} ns added per event)`);
console.log(`replay of ${r.events} events (${r.program}), median of ${r.runs}:`);
console.log(`  WebAssembly (lab.runReplay, fresh instance) ${r.wasm_ms_median} ms; ` +
  `native elapsed ${r.native_elapsed_ms_median} ms (command ${r.native_wall_ms_median} ms)`);
