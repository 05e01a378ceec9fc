// Native benchmark figures: the cost of one memory sample and the time of `trimlab --all`.
// Run by `make bench`; prints a small table and writes build/bench-native.json.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const build = join(root, 'build');
const RUNS = 7;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeAllMs() {
  const start = process.hrtime.bigint();
  execFileSync(join(build, 'trimlab'), ['--all', '--quiet'], { env: { ...process.env, DISABLE_MALLOC_TRIM: '' } });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const probe = JSON.parse(execFileSync(join(build, 'probe-bench'), { encoding: 'utf8' }));
const allMs = Array.from({ length: RUNS }, timeAllMs);
const figures = { ...probe, all_scenarios_ms_median: Math.round(median(allMs)), all_scenarios_runs: RUNS };

console.log(`one footprint sample (statm, descriptor kept open): ${probe.statm_footprint_ns} ns`);
console.log(`one full sample (statm + mallinfo2):               ${probe.statm_plus_mallinfo2_ns} ns`);
console.log(`open + read of /proc/self/status, for comparison:   ${probe.proc_status_ns} ns`);
console.log(`build/trimlab --all, median of ${RUNS}:                   ${figures.all_scenarios_ms_median} ms`);
writeFileSync(join(build, 'bench-native.json'), `${JSON.stringify(figures, null, 2)}\n`);
