// @ts-check
// The real-program workloads: one text each in tools/real/workloads/, its extension naming the
// program. The same text runs natively (the command below, which `make real-results` runs:
// tools/real/results.mjs) and in the program's WebAssembly build from npm (tools/real/run.mjs).
// The one list of them is that folder.
import { readdirSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKLOAD_DIR = fileURLToPath(new URL('workloads/', import.meta.url));

/**
 * Each extension's program: the native one (Debian's) and its WebAssembly build (an npm package,
 * pinned in package.json, whose main file is its Emscripten glue), with the binary beside the
 * glue that the glue loads.
 * @type {Record<string, {native: string, package: string, wasm: string}>}
 */
export const PROGRAMS = {
  sql: { native: 'sqlite3', package: 'sql.js', wasm: 'sql-wasm.wasm' },
  lua: { native: 'lua5.4', package: 'wasmoon', wasm: 'glue.wasm' },
};

/** @typedef {{name: string, file: string, path: string, kind: string}} Workload */

/** The workloads, by name (the file name without its extension). @returns {Workload[]} */
export function workloads() {
  return readdirSync(WORKLOAD_DIR)
    .filter((file) => Object.hasOwn(PROGRAMS, file.split('.').pop() ?? ''))
    .sort()
    .map((file) => ({
      name: file.replace(/\.[^.]+$/, ''),
      file,
      path: `${WORKLOAD_DIR}${file}`,
      kind: /** @type {string} */ (file.split('.').pop()),
    }));
}

/** The workloads' folder from the checkout's root (tools/real/workloads/), as the native
 *  command lines name it. */
export const WORKLOAD_PATH = `${relative(fileURLToPath(new URL('../../', import.meta.url)), WORKLOAD_DIR)}/`;

/**
 * The native command line of a workload, run from the checkout's root (so the results record
 * the path as the README writes it, and the page checks it against web/gen/real/index.json):
 * `sqlite3 :memory: '.read FILE'` (an in-memory database; the script attaches another) or
 * `lua5.4 FILE`. `program` replaces the program's name (a 32-bit build, for one).
 * @param {Workload} workload @param {string} [program]
 */
export function nativeCommand(workload, program = PROGRAMS[workload.kind].native) {
  const file = `${WORKLOAD_PATH}${workload.file}`;
  return workload.kind === 'sql' ? [program, ':memory:', `.read ${file}`] : [program, file];
}
