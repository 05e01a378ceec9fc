#!/usr/bin/env node
// @ts-check
// The real Lua build's own allocations as a trace: a Lua workload run in wasmoon with its
// `traceAllocations` allocator, a JavaScript one that passes each of Lua's calls on to the
// module's own `realloc` and `free` with Lua's sizes (what the default C allocator does), and
// every call the module's allocator gets from there or from wasmoon's glue (`malloc`, `realloc`,
// `free`) written as an event (4-byte pointers). Replaying it in our module tells the planner's
// error apart from the native program's: the same calls, in the real build and in the replay.
//
//   node tools/planner/real-trace.mjs WORKLOAD OUT.trace [ROWS]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { TraceBuilder } from '../../tests/replay/trace-encoder.mjs';
import { loadCapturing, workloadPhases } from '../../web/real-sampler.js';
import { writeOutput } from '../output-file.mjs';
import { workloads } from '../real/workloads.mjs';
import { writtenEnd } from './real-heap.mjs';

/** The module's allocator entry points wasmoon calls, each wrapped to record its calls. */
function recordCalls(/** @type {any} */ module, /** @type {TraceBuilder} */ trace) {
  const { _malloc: malloc, _realloc: realloc, _free: free } = module;
  module._malloc = (/** @type {number} */ size) => {
    const result = malloc(size) >>> 0;
    trace.malloc(result, size);
    return result;
  };
  module._realloc = (/** @type {number} */ pointer, /** @type {number} */ size) => {
    const result = realloc(pointer, size) >>> 0;
    trace.realloc(pointer >>> 0, result, size);
    return result;
  };
  module._free = (/** @type {number} */ pointer) => {
    free(pointer);
    if (pointer) trace.free(pointer >>> 0);
  };
}

/**
 * Runs a Lua workload (its path) in wasmoon recording its allocations; `rows` sets ROWS.
 * @param {string} path @param {number|null} rows
 * @returns {Promise<{trace: Uint8Array, heapEnd: number}>}
 */
export async function recordWasmoon(path, rows) {
  const { LuaFactory } = createRequire(import.meta.url)('wasmoon');
  const factory = new LuaFactory();
  const { loaded, memory } = await loadCapturing(() => factory.getLuaModule());
  const trace = new TraceBuilder({ program: 'wasmoon', pointerBytes: 4 });
  recordCalls(loaded.module, trace);
  const lua = await factory.createEngine({ traceAllocations: true });
  try {
    if (rows !== null) lua.global.set('ROWS', rows);
    for (const { text } of workloadPhases(readFileSync(path, 'utf8'))) lua.doStringSync(text);
    return { trace: trace.bytes({ pid: 0 }), heapEnd: writtenEnd(memory.buffer) };
  } finally {
    lua.global.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [name, out, rowsText] = process.argv.slice(2);
  const workload = workloads().find((w) => w.name === name && w.kind === 'lua');
  if (!workload || !out || (rowsText !== undefined && !/^[1-9][0-9]{0,8}$/.test(rowsText))) {
    process.stderr.write(
      'usage: node tools/planner/real-trace.mjs LUA-WORKLOAD OUT.trace [ROWS]\n',
    );
    process.exit(2);
  }
  const { trace } = await recordWasmoon(
    workload.path,
    rowsText === undefined ? null : Number(rowsText),
  );
  writeOutput(out, trace);
}
