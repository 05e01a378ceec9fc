// `make bench`: performance figures measured on this machine, ratios side by side in one run.
// Prints a report and writes build/bench.json. No test asserts any of these figures.
//   1. the cost of one native memory sample (tests/bench/probe_bench.c)
//   2. `build/trimlab --all`, whole command, median of 7
//   3. per scenario, native vs WebAssembly (dlmalloc, under Node) run time, interleaved
//      A B A B over 5 pairs: medians and the median of the per-pair ratios
//   4. the size of the modules, raw and gzip
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { loadTrimlab } from '../web/trimlab-api.js';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const build = join(root, 'build');
const cli = join(build, 'trimlab');
const PAIRS = 5;
const WHOLE_RUNS = 7;
const env = { ...process.env, DISABLE_MALLOC_TRIM: '', BUCKET_MODEL: '' };

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (value, digits = 2) => Number(value.toFixed(digits));

function timeAllMs() {
  const start = process.hrtime.bigint();
  execFileSync(cli, ['--all', '--quiet'], { env });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The scenario's own run time natively: elapsed_ms of a run in a fresh child process. */
function nativeRunMs(scenario, scratch) {
  const file = join(scratch, 'run.json');
  execFileSync(cli, ['--scenario', scenario, '--quiet', '--json', file], { env });
  return JSON.parse(readFileSync(file, 'utf8')).runs[0].elapsed_ms;
}

/** The same in WebAssembly: a fresh module instance, stepped to the end by the wrapper. */
async function wasmRunMs(scenario) {
  const lab = await loadTrimlab({ allocator: 'dlmalloc' });
  return (await lab.runScenario(scenario)).elapsed_ms;
}

async function speedRatios() {
  const scratch = mkdtempSync(join(tmpdir(), 'trimlab-bench-'));
  const names = (await loadTrimlab()).scenarios().map((s) => s.name);
  const rows = [];
  for (const scenario of names) {
    const native = [];
    const wasm = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      native.push(nativeRunMs(scenario, scratch));
      wasm.push(await wasmRunMs(scenario));
    }
    rows.push({
      scenario,
      native_ms_median: round(median(native)),
      wasm_ms_median: round(median(wasm)),
      wasm_over_native_median_ratio: round(median(wasm.map((w, i) => w / native[i]))),
    });
  }
  return rows;
}

function sizes() {
  return ['trimlab.wasm', 'trimlab.js', 'trimlab-emmalloc.wasm', 'trimlab-emmalloc.js'].map((name) => {
    const bytes = readFileSync(join(root, 'web', name));
    return { file: `web/${name}`, bytes: bytes.length, gzip_bytes: gzipSync(bytes, { level: 9 }).length };
  });
}

const probe = JSON.parse(execFileSync(join(build, 'probe-bench'), { encoding: 'utf8' }));
const allMs = Array.from({ length: WHOLE_RUNS }, timeAllMs);
const figures = {
  date: new Date().toISOString(),
  probe,
  all_scenarios_ms_median: round(median(allMs), 0),
  speed: await speedRatios(),
  sizes: sizes(),
};

console.log(`one footprint sample (statm, descriptor kept open): ${probe.statm_footprint_ns} ns`);
console.log(`one full sample (statm + mallinfo2):               ${probe.statm_plus_mallinfo2_ns} ns`);
console.log(`open + read of /proc/self/status, for comparison:   ${probe.proc_status_ns} ns`);
console.log(`build/trimlab --all, median of ${WHOLE_RUNS}:                   ${figures.all_scenarios_ms_median} ms`);
console.log(`\nrun time per scenario, median of ${PAIRS} interleaved pairs (WebAssembly: dlmalloc under Node)`);
console.log('scenario    native ms   wasm ms   wasm/native');
for (const row of figures.speed)
  console.log(`${row.scenario.padEnd(11)} ${String(row.native_ms_median).padStart(9)} ` +
    `${String(row.wasm_ms_median).padStart(9)}   ${row.wasm_over_native_median_ratio.toFixed(2)}`);
console.log('\nfile                          bytes    gzip');
for (const s of figures.sizes)
  console.log(`${s.file.padEnd(28)} ${String(s.bytes).padStart(7)} ${String(s.gzip_bytes).padStart(7)}`);
writeFileSync(join(build, 'bench.json'), `${JSON.stringify(figures, null, 2)}\n`);
