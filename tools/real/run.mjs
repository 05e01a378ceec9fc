#!/usr/bin/env node
// Runs a workload of tools/real/workloads/ in a real third-party WebAssembly build under Node
// (sql.js for SQLite, wasmoon for Lua, both pinned in package.json) and writes one program run
// of the results format: the module's linear memory and its resident bytes after every
// statement of the work, after the free phase, and through an idle phase.
//
//   node tools/real/run.mjs --workload sqlite-bulk [--rows N] [--idle-ms MS] --json FILE
//
// The same workload text runs natively: `trimlab measure -- sqlite3 :memory: '.read FILE'`,
// `trimlab measure -- lua5.4 FILE` (tools/real/results.mjs, make real-results).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { cleanLine, quote } from '../../web/message.js';
import { mibText } from '../../web/units.js';
import { luaProgram, runPhases, sqliteProgram } from '../../web/real-programs.js';
import {
  loadCapturing,
  nodeResident,
  ProgramSampler,
  workloadPhases,
} from '../../web/real-sampler.js';
import { openOutput, OutputError } from '../output-file.mjs';
import { documentOf } from '../results-document.mjs';
import { WORKLOAD_DIR, WORKLOAD_PATH, workloads } from './workloads.mjs';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Each workload's program: its file's extension says which. */
const ADAPTERS = { sql: sqliteAdapter, lua: luaAdapter };
const MAX_ROWS = 100_000_000;
const MAX_IDLE_MS = 60_000;
/** How often the idle module is sampled. */
const IDLE_EVERY_MS = 50;
/** Who wrote the documents: their generator is "trimlab VERSION (wasm, real-program runner)". */
export const GENERATOR = 'wasm, real-program runner';

/** @typedef {import('../../web/real-programs.js').Program & {memory: WebAssembly.Memory}} Adapter */

/** The package's version, as installed. */
const packageVersion = (/** @type {string} */ name) =>
  JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8')).version;

/** sql.js, its module's memory caught as it loads. @param {number|null} rows
 *  @returns {Promise<Adapter>} */
async function sqliteAdapter(rows) {
  const initSqlJs = require('sql.js');
  const { loaded: SQL, memory } = await loadCapturing(() => initSqlJs());
  return { memory, ...sqliteProgram(SQL, packageVersion('sql.js'), rows) };
}

/** wasmoon, its module's memory caught as it loads. @param {number|null} rows
 *  @returns {Promise<Adapter>} */
async function luaAdapter(rows) {
  const { LuaFactory } = require('wasmoon');
  const { loaded: lua, memory } = await loadCapturing(() => new LuaFactory().createEngine());
  return { memory, ...luaProgram(lua, packageVersion('wasmoon'), rows) };
}

/**
 * Runs `workload` (its file name) and returns the program run. `onEnd` is given the module's
 * memory after the idle phase, before the program is closed.
 * @param {{workload: string, rows: number|null, idleMs: number, resident?: boolean,
 *   onEnd?: (memory: WebAssembly.Memory) => void}} options
 */
export async function runWorkload({ workload, rows, idleMs, resident = true, onEnd }) {
  const file = `${WORKLOAD_DIR}${workload}`;
  const extension = /** @type {'sql'|'lua'} */ (workload.split('.').pop());
  const adapter = await ADAPTERS[extension](rows);
  const sampler = new ProgramSampler(
    adapter.memory,
    resident ? await nodeResident(adapter.memory) : null,
  );
  sampler.sample('baseline', 'loaded');
  await runPhases(adapter, workloadPhases(readFileSync(file, 'utf8')), {
    sample: (phase, what) => sampler.sample(phase, what),
    idleMs,
    everyMs: IDLE_EVERY_MS,
  });
  const args = [`${WORKLOAD_PATH}${workload}`, ...(rows === null ? [] : [`rows=${rows}`])];
  const run = sampler.run(
    { name: adapter.name, args },
    { name: 'node', version: process.versions.node },
  );
  onEnd?.(adapter.memory);
  adapter.close();
  return run;
}

/** Parses the command line; throws a one-line message naming a bad value. */
function options(/** @type {string[]} */ argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      workload: { type: 'string' },
      rows: { type: 'string' },
      'idle-ms': { type: 'string', default: '300' },
      json: { type: 'string' },
    },
  });
  const known = workloads();
  const workload = known.find(({ name }) => name === values.workload)?.file;
  if (!workload)
    throw new Error(
      `--workload ${quote(values.workload ?? '')} is not a workload (allowed: ${known.map(({ name }) => name).join(', ')})`,
    );
  const whole = (
    /** @type {string} */ flag,
    /** @type {string} */ text,
    /** @type {number} */ min,
    /** @type {number} */ max,
  ) => {
    const n = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
    if (!(n >= min && n <= max))
      throw new Error(`${flag} ${quote(text)} is not a whole number from ${min} to ${max}`);
    return n;
  };
  if (!values.json) throw new Error('missing --json FILE');
  return {
    workload,
    rows: values.rows === undefined ? null : whole('--rows', values.rows, 1, MAX_ROWS),
    idleMs: whole('--idle-ms', values['idle-ms'], 0, MAX_IDLE_MS),
    json: values.json,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let chosen;
  try {
    chosen = options(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(
      `${cleanLine(`trimlab: real: ${/** @type {Error} */ (error).message}`)}\n`,
    );
    process.exit(2);
  }
  const output = (() => {
    try {
      return openOutput(chosen.json);
    } catch (error) {
      process.stderr.write(
        `${cleanLine(`trimlab: real: ${/** @type {Error} */ (error).message}`)}\n`,
      );
      process.exit(error instanceof OutputError ? 2 : 1);
    }
  })();
  const run = await runWorkload(chosen);
  output.commit(await documentOf([run], GENERATOR));
  const last = run.samples.at(-1);
  console.log(
    `${chosen.workload}: linear memory peak ${mibText(run.summary.peak_footprint_bytes)}, after free ${mibText(last?.footprint_bytes)}, ` +
      `resident after free ${mibText(last?.resident_bytes)}, Node RSS ${mibText(last?.host_rss_bytes)}`,
  );
}
