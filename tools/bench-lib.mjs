// Shared by the `make bench` scripts (tools/bench*.mjs): statistics, the figures file
// build/bench.json that each script adds its part to, the raw Emscripten module for figures the
// wrapper does not expose, and a folder served on 127.0.0.1 next to the page.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { loadTrimlab, nodeFactory } from '../web/trimlab-api.js';
import { SIGNATURES } from '../web/gen/wasm-api.js';
import { MiB } from '../web/units.js';
// The page's remedies panel reports make bench's medians: one definition for both.
import { median } from '../web/remedy-figures.js';
import { writeOutput } from './output-file.mjs';
import { processRss } from './resident.mjs';
import { serve } from './serve.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const buildDir = join(root, 'build');

/** A C API function of a raw module (rawModule), typed as its header declares it
 *  (web/gen/wasm-api.js): cfunction(module, 'step') wraps tl_wasm_step. */
export const cfunction = (module, name) => module.cwrap(`tl_wasm_${name}`, ...SIGNATURES[name]);
export const benchFile = join(buildDir, 'bench.json');

export { median };

export const round = (value, digits = 2) => Number(value.toFixed(digits));

/** The figures so far (an empty object before tools/bench.mjs has run). */
export function readFigures() {
  return existsSync(benchFile) ? JSON.parse(readFileSync(benchFile, 'utf8')) : {};
}

/** Adds or replaces one part of build/bench.json. */
export function saveFigures(key, value) {
  const all = readFigures();
  all[key] = value;
  all.finished_at = new Date().toISOString();
  writeOutput(benchFile, `${JSON.stringify(all, null, 2)}\n`);
}

/**
 * A fresh instance of an Emscripten glue (web/gen/trimlab.js or a build of it) in Node, as the raw
 * Module with ccall/cwrap, loaded by web/trimlab-api.js's nodeFactory, for exports the wrapper
 * does not expose.
 */
export async function rawModule(gluePath = join(root, 'web', 'gen', 'trimlab.js')) {
  const factory = await nodeFactory(
    pathToFileURL(gluePath),
    pathToFileURL(gluePath.replace(/\.js$/, '.wasm')),
  );
  return factory({ print: () => {}, printErr: (text) => console.error(text) });
}

/** The variables the native CLI and tools/run-wasm.mjs read, cleared: every run gets the defaults. */
export const benchEnv = {
  ...process.env,
  DISABLE_MALLOC_TRIM: '',
  BUCKET_MODEL: '',
  ENABLE_CUSTOM_BUCKETS: '',
};

/**
 * One run in a fresh process, natively (build/trimlab) or in WebAssembly
 * (tools/bench-wasm-run.mjs: a fresh Node process, dlmalloc, its code warmed up by an untimed run
 * first), written through `file`: the run object of the results format, whose elapsed_ms counts
 * the engine's calls only, and `samples`, the number of samples. A fresh process on both sides:
 * a long-lived Node process that had already run large instances ran the big highwater runs
 * about twice as slow here.
 */
export function runFresh(platform, scenario, assignments, file) {
  if (platform === 'native') {
    execFileSync(
      join(buildDir, 'trimlab'),
      [
        '--scenario',
        scenario,
        ...assignments.flatMap((a) => ['--set', a]),
        '--quiet',
        '--json',
        file,
      ],
      { env: benchEnv },
    );
    const run = JSON.parse(readFileSync(file, 'utf8')).runs[0];
    return { ...run, samples: run.samples.length };
  }
  execFileSync(
    process.execPath,
    [
      '--expose-gc',
      join(root, 'tools', 'bench-wasm-run.mjs'),
      scenario,
      assignments.join(';'),
      file,
    ],
    { env: benchEnv },
  );
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * One command in a fresh process with benchEnv, timed from spawn to exit (wall clock, in ms);
 * throws unless it exits 0. Returns {ms, stdout, stderr}.
 */
export function timeCommand(file, args) {
  const start = process.hrtime.bigint();
  const child = spawnSync(file, args, { env: benchEnv, encoding: 'utf8', maxBuffer: 64 * MiB });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.error) throw child.error;
  if (child.status !== 0)
    throw new Error(
      `${file} ${args.join(' ')} exited ${child.status ?? child.signal}: ${child.stderr.trim()}`,
    );
  return { ms, stdout: child.stdout, stderr: child.stderr };
}

/** Serves `folder` on 127.0.0.1 (any free port) with the demo server; close with close(). */
export async function serveFolder(folder) {
  const server = await serve(folder, 0);
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const SETTLE_MS = 100;
const SETTLED_BYTES = MiB;
const SETTLE_BOUND_MS = 5000;

/** The RSS of process `pid` once it stops falling: the kernel frees an unmapped memory's pages
 *  after the mapping is gone, and Firefox decommits some of a worker's memory later still. Two
 *  readings in a row SETTLE_MS apart that fell by less than SETTLED_BYTES, at most SETTLE_BOUND_MS;
 *  null when the process is gone. */
export async function settledRss(pid) {
  const bound = performance.now() + SETTLE_BOUND_MS;
  let previous = processRss(pid);
  for (let steady = 0; steady < 2 && previous !== null && performance.now() < bound;) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const now = processRss(pid);
    steady = now !== null && previous - now < SETTLED_BYTES ? steady + 1 : 0;
    previous = now;
  }
  return previous;
}

/** µs per call of `read`: the median of `rounds` rounds of `calls` calls. */
function microseconds(read, rounds = 7, calls = 50) {
  read(); // warm-up
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < calls; i++) read();
    times.push(((performance.now() - start) * 1000) / calls);
  }
  return median(times);
}

/**
 * The cost of one resident reading in Node (web/resident-node.js through lab.resident(): the
 * module's resident pages from /proc/self/pagemap over its mapping, and statm), at a fresh
 * instance (64 MiB, little resident) and after highwater total_mib=300 (300 MiB resident), with a
 * read of the whole /proc/self/smaps (what the reading replaces) for comparison; µs.
 */
export async function residentReadingCost() {
  const lab = await loadTrimlab();
  const smaps = () => readFileSync('/proc/self/smaps', 'latin1');
  const figures = {
    fresh_memory_mib: lab.memoryBytes() / MiB,
    fresh_resident_mib: round(lab.resident().resident_bytes / MiB),
    fresh_reading_us: round(microseconds(() => lab.resident())),
    fresh_smaps_us: round(microseconds(smaps)),
  };
  await lab.runScenario('highwater', 'total_mib=300');
  return {
    ...figures,
    highwater_memory_mib: round(lab.memoryBytes() / MiB),
    highwater_resident_mib: round(lab.resident().resident_bytes / MiB),
    highwater_reading_us: round(microseconds(() => lab.resident())),
    highwater_smaps_us: round(microseconds(smaps)),
  };
}
