// `make bench`, part 4 of 7: the allocation recorder and the replay (docs/replay.md).
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
//   3. replay with many blocks live: a generated trace (tests/replay/trace-encoder.mjs) that ends
//      with LIVE_BLOCKS blocks live, natively and in WebAssembly under dlmalloc and emmalloc,
//      each as in 2 (fresh instance, lab.runReplay), interleaved over LIVE_RUNS rounds after one
//      untimed run of each: medians of elapsed_ms, the per-round ratios to native, and the heap
//      walks a WebAssembly run made (dlmalloc's mallinfo visits every chunk: one per sample made
//      this replay quadratic, 78 s for a recorded trace of 356,000 live blocks)
// Adds "trace" to build/bench.json.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TraceBuilder } from '../tests/replay/trace-encoder.mjs';
import { loadTrimlab } from '../web/trimlab-api.js';
import { buildDir, median, root, round, saveFigures, timeCommand } from './bench-lib.mjs';

const PAIRS = 7;
const OVERHEAD_ROUNDS = 10_000_000; // about 20,000,000 events (a free and a malloc per round)
const REPLAY_ROUNDS = 500_000; // 1,000,001 events
const REPLAY_RUNS = 5;
const LIVE_BLOCKS = 360_000; // about the 356,000 of the recorded trace that took 78 s in dlmalloc
const LIVE_RUNS = 3;
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
  if (recorded.some((r) => r.events !== events))
    throw new Error('the recorded event counts differ');
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
    recorded_ns_per_event: round((recordedMs * 1e6) / events, 1),
    added_ns_per_event: round(((recordedMs - aloneMs) * 1e6) / events, 1),
  };
}

/** One replay in a fresh module instance: {ms: around runReplay, elapsed_ms, steps, heap_walks}.
 *  Without the kernel's resident readings, so that `ms` times the replay alone, as natively. */
async function wasmReplay(bytes, events, allocator = 'dlmalloc') {
  const lab = await loadTrimlab({ allocator, resident: false });
  const walks = lab.heapWalks();
  const start = performance.now();
  const run = await lab.runReplay(bytes);
  const ms = performance.now() - start;
  if (run.outcome !== 'completed' || run.trace.events_replayed !== events)
    throw new Error(
      `the WebAssembly replay ended ${run.outcome} after ${run.trace?.events_replayed} events`,
    );
  return {
    ms,
    elapsed_ms: run.elapsed_ms,
    steps: run.samples.length,
    heap_walks: lab.heapWalks() - walks,
  };
}

function nativeReplay(trace, json, events) {
  const { ms } = timeCommand(cli, ['replay', trace, '--quiet', '--json', json]);
  const run = JSON.parse(readFileSync(json, 'utf8')).runs[0];
  if (run.outcome !== 'completed' || run.trace.events_replayed !== events)
    throw new Error(
      `the native replay ended ${run.outcome} after ${run.trace.events_replayed} events`,
    );
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
    wasm_ns_per_event: round((wasmMs * 1e6) / events, 1),
    native_elapsed_ms_median: round(nativeMs, 1),
    native_wall_ms_median: round(median(native.map((r) => r.wall_ms)), 1),
    native_ns_per_event: round((nativeMs * 1e6) / events, 1),
    wasm_over_native_elapsed_median_ratio: round(
      median(wasm.map((w, i) => w.elapsed_ms / native[i].elapsed_ms)),
    ),
  };
}

/**
 * LIVE_BLOCKS blocks of 64 to 1,000 bytes that stay live, two short-lived ones after each:
 * {bytes, events, liveBlocks}. The builder (a chunk per event) is dropped before anything is
 * timed, so its garbage does not weigh on the runs.
 */
function liveBlocksTrace() {
  const t = new TraceBuilder({ program: 'live-blocks' });
  const temporary = 0x100000000000;
  for (let i = 1; i <= LIVE_BLOCKS; i++) {
    t.malloc(i * 0x400, 64 + ((i * 7919) % 937));
    t.malloc(temporary, 200)
      .malloc(temporary + 0x1000, 900)
      .free(temporary)
      .free(temporary + 0x1000);
  }
  return { bytes: t.bytes(), events: t.events, liveBlocks: t.maxLiveBlocks };
}

async function liveBlocks(trace, json) {
  const { bytes, events, liveBlocks } = liveBlocksTrace();
  writeFileSync(trace, bytes);
  globalThis.gc?.();
  const allocators = ['dlmalloc', 'emmalloc'];
  nativeReplay(trace, json, events); // untimed: warms the caches
  for (const allocator of allocators) await wasmReplay(bytes, events, allocator); // untimed: warm-up
  globalThis.gc?.();
  const native = [];
  const wasm = { dlmalloc: [], emmalloc: [] };
  for (let i = 0; i < LIVE_RUNS; i++) {
    native.push(nativeReplay(trace, json, events));
    for (const allocator of allocators) {
      wasm[allocator].push(await wasmReplay(bytes, events, allocator));
      globalThis.gc?.();
    }
  }
  const side = (runs) => ({
    ms_median: round(median(runs.map((r) => r.ms)), 1),
    elapsed_ms_median: round(median(runs.map((r) => r.elapsed_ms)), 1),
    heap_walks: runs[0].heap_walks,
    over_native_elapsed_median_ratio: round(
      median(runs.map((r, i) => r.elapsed_ms / native[i].elapsed_ms)),
    ),
  });
  return {
    events,
    live_blocks: liveBlocks,
    trace_bytes: bytes.length,
    steps: native[0].steps,
    runs: LIVE_RUNS,
    native_elapsed_ms_median: round(median(native.map((r) => r.elapsed_ms)), 1),
    native_wall_ms_median: round(median(native.map((r) => r.wall_ms)), 1),
    dlmalloc: side(wasm.dlmalloc),
    emmalloc: side(wasm.emmalloc),
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
    live: await liveBlocks(join(scratch, 'live.trace'), join(scratch, 'live.json')),
  };
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
saveFigures('trace', figures);

const { overhead: o, replay: r, live: l } = figures;
console.log(
  `\nrecording overhead, ${o.program} (${o.events} events), median of ${o.pairs} interleaved pairs:`,
);
console.log(
  `  alone ${o.alone_ms_median} ms, recorded ${o.recorded_ms_median} ms: ` +
    `×${o.recorded_over_alone_median_ratio} (${o.added_ns_per_event} ns added per event)`,
);
console.log(`replay of ${r.events} events (${r.program}), median of ${r.runs}:`);
console.log(
  `  WebAssembly (lab.runReplay, fresh instance) ${r.wasm_ms_median} ms; ` +
    `native elapsed ${r.native_elapsed_ms_median} ms (command ${r.native_wall_ms_median} ms)`,
);
console.log(
  `replay of ${l.events} events ending with ${l.live_blocks} blocks live, median of ${l.runs} (elapsed_ms):`,
);
console.log(
  `  native ${l.native_elapsed_ms_median} ms; ` +
    ['dlmalloc', 'emmalloc']
      .map(
        (a) =>
          `${a} ${l[a].elapsed_ms_median} ms (×${l[a].over_native_elapsed_median_ratio}, ${l[a].heap_walks} heap walks)`,
      )
      .join('; '),
);
