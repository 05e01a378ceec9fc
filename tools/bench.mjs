// `make bench`, part 1 of 7 (then bench-page, bench-scale, bench-trace, bench-memprof,
// bench-lifecycle, bench-report): the engine's own speed and the cost of sampling, natively
// and in WebAssembly under Node. Starts a fresh build/bench.json; no test asserts any of these
// figures.
//   1. the cost of one memory sample natively (tests/bench/probe_bench.c: statm through a
//      descriptor kept open, with mallinfo2, and /proc/self/status for comparison) and in
//      WebAssembly (tl_wasm_probe_repeat, timed from JS), and the share of each scenario's run
//      time spent sampling; and in Node the cost of one resident reading of the module (its
//      mapping's resident pages and the process RSS, web/resident-node.js)
//   2. `build/trimlab --all`, whole command, median of WHOLE_RUNS
//   3. per scenario, native vs WebAssembly (dlmalloc, under Node) run time, each run in a fresh
//      process (build/trimlab, tools/bench-wasm-run.mjs), interleaved A B A B over PAIRS pairs
//      after one untimed pair: medians and the median of the per-pair ratios; each run's own
//      elapsed_ms (the engine's calls, sampling included)
//   4. the size of the modules, raw and gzip
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { loadTrimlab } from '../web/trimlab-api.js';
import {
  benchFile,
  buildDir,
  cfunction,
  median,
  rawModule,
  root,
  residentReadingCost,
  round,
  runFresh,
  timeCommand,
} from './bench-lib.mjs';
import { writeOutput } from './output-file.mjs';

const cli = join(buildDir, 'trimlab');
const PAIRS = 7;
const WHOLE_RUNS = 7;
const PROBE_ROUNDS = 7;
const PROBE_CALLS = 200_000;
/** Full probes timed after every step of a run, at that step's heap state: rounds of calls,
 *  the median round counts (one interrupted round does not). */
const STEP_ROUNDS = 5;
const STEP_CALLS = 20;
const startedAt = new Date();
const loadAtStart = loadavg();

const timeAllMs = () => timeCommand(cli, ['--all', '--quiet']).ms;

/** One run with default parameters in a fresh process: {ms: its elapsed_ms, samples}. */
function freshRun(platform, scenario, scratch) {
  const run = runFresh(platform, scenario, [], join(scratch, 'run.json'));
  return { ms: run.elapsed_ms, samples: run.samples };
}

async function speed(names) {
  const scratch = mkdtempSync(join(tmpdir(), 'trimlab-bench-'));
  const rows = [];
  try {
    for (const scenario of names) {
      freshRun('native', scenario, scratch); // untimed: warms the caches
      freshRun('wasm', scenario, scratch);
      const native = [];
      const wasm = [];
      for (let pair = 0; pair < PAIRS; pair++) {
        native.push(freshRun('native', scenario, scratch));
        wasm.push(freshRun('wasm', scenario, scratch));
      }
      rows.push({
        scenario,
        samples: native[0].samples,
        native_ms_median: round(median(native.map((r) => r.ms))),
        wasm_ms_median: round(median(wasm.map((r) => r.ms))),
        wasm_over_native_median_ratio: round(median(wasm.map((w, i) => w.ms / native[i].ms))),
      });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return rows;
}

/** ns per call of the WebAssembly probe at a fresh instance: median of PROBE_ROUNDS rounds. */
function wasmProbeNs(repeat, full) {
  repeat(PROBE_CALLS / 10, full); // warm-up (tier-up of the loop)
  const rounds = [];
  for (let r = 0; r < PROBE_ROUNDS; r++) {
    const start = performance.now();
    repeat(PROBE_CALLS, full);
    rounds.push(((performance.now() - start) * 1e6) / PROBE_CALLS);
  }
  return median(rounds);
}

/**
 * Time a scenario spends sampling in WebAssembly: a fresh instance runs it step by step, and
 * after every step full probes are timed at that step's heap state (dlmalloc's
 * mallinfo walks every chunk, so the cost grows with the chunks held). Returns the sum over the
 * steps, in ms, and the largest cost of one sample, in ns.
 */
async function wasmSamplingMs(scenario) {
  const module = await rawModule();
  const [begin, step, end, repeat] = ['begin', 'step', 'end', 'probe_repeat'].map((name) =>
    cfunction(module, name),
  );
  if (begin(scenario, '', 1) !== 0) throw new Error(`${scenario} did not begin in WebAssembly`);
  let total = 0;
  let worst = 0;
  let steps = 0;
  while (step()) {
    const rounds = [];
    for (let r = 0; r < STEP_ROUNDS; r++) {
      const start = performance.now();
      repeat(STEP_CALLS, 1);
      rounds.push((performance.now() - start) / STEP_CALLS);
    }
    const cost = median(rounds);
    total += cost;
    worst = Math.max(worst, cost);
    steps++;
  }
  end();
  return { steps, ms: total, worst_ns: worst * 1e6 };
}

async function probe(speedRows) {
  const native = JSON.parse(execFileSync(join(buildDir, 'probe-bench'), { encoding: 'utf8' }));
  const module = await rawModule();
  const repeat = cfunction(module, 'probe_repeat');
  const wasm = {
    footprint_ns: round(wasmProbeNs(repeat, 0), 1),
    full_sample_ns: round(wasmProbeNs(repeat, 1), 1),
  };
  const share = [];
  for (const row of speedRows) {
    const sampling = await wasmSamplingMs(row.scenario);
    const nativeMs = (row.samples * native.statm_plus_mallinfo2_ns) / 1e6;
    share.push({
      scenario: row.scenario,
      samples: row.samples,
      native_sampling_us: round(nativeMs * 1000, 1),
      native_share_percent: round((100 * nativeMs) / row.native_ms_median, 4),
      wasm_sampling_us: round(sampling.ms * 1000, 1),
      wasm_worst_sample_ns: Math.round(sampling.worst_ns),
      wasm_share_percent: round((100 * sampling.ms) / row.wasm_ms_median, 4),
    });
  }
  return { native, wasm, share, node_resident: await residentReadingCost() };
}

function sizes() {
  return ['trimlab.wasm', 'trimlab.js', 'trimlab-emmalloc.wasm', 'trimlab-emmalloc.js'].map(
    (name) => {
      const bytes = readFileSync(join(root, 'web', 'gen', name));
      return {
        file: `web/gen/${name}`,
        bytes: bytes.length,
        gzip_bytes: gzipSync(bytes, { level: 9 }).length,
      };
    },
  );
}

const names = (await loadTrimlab()).scenarios().map((s) => s.name);
const allMs = Array.from({ length: WHOLE_RUNS }, timeAllMs);
const speedRows = await speed(names);
const figures = {
  started_at: startedAt.toISOString(),
  load_average_at_start: loadAtStart.map((value) => round(value)),
  pairs: PAIRS,
  whole_runs: WHOLE_RUNS,
  probe: await probe(speedRows),
  all_scenarios_ms_median: round(median(allMs), 0),
  speed: speedRows,
  sizes: sizes(),
};
writeOutput(benchFile, `${JSON.stringify(figures, null, 2)}\n`);

const { native, wasm, share, node_resident: resident } = figures.probe;
console.log(
  `one footprint sample natively (statm, descriptor kept open): ${native.statm_footprint_ns} ns`,
);
console.log(
  `one full sample natively (statm + mallinfo2):                ${native.statm_plus_mallinfo2_ns} ns`,
);
console.log(
  `open + read of /proc/self/status, for comparison:            ${native.proc_status_ns} ns`,
);
console.log(`one footprint sample in WebAssembly (memory size):          ${wasm.footprint_ns} ns`);
console.log(
  `one full sample in WebAssembly (+ sbrk, mallinfo), fresh:   ${wasm.full_sample_ns} ns`,
);
console.log(
  `one resident reading in Node (pagemap range + statm), fresh:  ${resident.fresh_reading_us} µs`,
);
console.log(
  `the same, ${resident.highwater_resident_mib} MiB resident (highwater 300):      ${resident.highwater_reading_us} µs`,
);
console.log(
  `read of all of /proc/self/smaps, fresh / highwater:        ${resident.fresh_smaps_us} / ${resident.highwater_smaps_us} µs`,
);
console.log(
  `build/trimlab --all, median of ${WHOLE_RUNS}:                            ${figures.all_scenarios_ms_median} ms`,
);
console.log(
  `\nrun time per scenario, median of ${PAIRS} interleaved pairs (WebAssembly: dlmalloc under Node)`,
);
console.log('scenario    native ms   wasm ms   wasm/native   sampling native   sampling wasm');
for (const [i, row] of figures.speed.entries())
  console.log(
    `${row.scenario.padEnd(11)} ${String(row.native_ms_median).padStart(9)} ` +
      `${String(row.wasm_ms_median).padStart(9)}   ${row.wasm_over_native_median_ratio.toFixed(2).padStart(11)}` +
      `   ${share[i].native_share_percent.toFixed(3).padStart(13)} %   ${share[i].wasm_share_percent.toFixed(3).padStart(11)} %`,
  );
console.log('\nfile                          bytes    gzip');
for (const s of figures.sizes)
  console.log(
    `${s.file.padEnd(28)} ${String(s.bytes).padStart(7)} ${String(s.gzip_bytes).padStart(7)}`,
  );
