#!/usr/bin/env node
// @ts-check
// One workload in its real WebAssembly build (tools/real/run.mjs, no idle phase) and where that
// build's heap ended: the highest non-zero byte of its linear memory after the run. Memory past
// the heap's end was never written (a grown page is zero), and neither allocator clears what it
// frees, so that byte is the heap's high-water mark to within the unwritten tail of its last
// block. Written as JSON for tools/planner/accuracy.mjs, which runs this in a process of its
// own so that each build's memory is the only one of its kind there.
//
//   node tools/planner/real-heap.mjs WORKLOAD OUT.json
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { writeOutput } from '../output-file.mjs';
import { runWorkload } from '../real/run.mjs';
import { PROGRAMS, workloads } from '../real/workloads.mjs';
import { moduleFacts } from './growth.mjs';

/** The offset just past the last non-zero byte of `buffer` (0 when all zero). */
export function writtenEnd(/** @type {ArrayBuffer} */ buffer) {
  const words = new BigUint64Array(buffer, 0, Math.floor(buffer.byteLength / 8));
  let i = words.length - 1;
  while (i >= 0 && words[i] === 0n) i--;
  if (i < 0) return 0;
  const bytes = new Uint8Array(buffer, i * 8, 8);
  let last = 7;
  while (bytes[last] === 0) last--;
  return i * 8 + last + 1;
}

/** The facts of a program's WebAssembly build, read from its installed package. */
export function buildFacts(/** @type {string} */ kind) {
  const program = PROGRAMS[kind];
  const glue = createRequire(import.meta.url).resolve(program.package);
  return moduleFacts(readFileSync(join(dirname(glue), program.wasm)), readFileSync(glue, 'utf8'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [name, out] = process.argv.slice(2);
  const workload = workloads().find((w) => w.name === name);
  if (!workload || !out) {
    process.stderr.write('usage: node tools/planner/real-heap.mjs WORKLOAD OUT.json\n');
    process.exit(2);
  }
  let heapEnd = 0;
  const run = await runWorkload({
    workload: workload.file,
    rows: null,
    idleMs: 0,
    onEnd: (memory) => (heapEnd = writtenEnd(memory.buffer)),
  });
  const facts = buildFacts(workload.kind);
  writeOutput(out, `${JSON.stringify({ run, facts, heap_end_bytes: heapEnd })}\n`);
}
