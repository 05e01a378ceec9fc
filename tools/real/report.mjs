#!/usr/bin/env node
// One line per workload from its two documents (make real-results): natively the program's RSS at
// its peak and at its last reading before exit; in WebAssembly the module's linear memory at its
// peak and after the free phase, its resident bytes and Node's RSS after it.
//
//   node tools/real/report.mjs NATIVE.json WASM.json
import { readFileSync } from 'node:fs';

import { mibText } from '../../web/units.js';
const [native, wasm] = process.argv
  .slice(2)
  .map((path) => JSON.parse(readFileSync(path, 'utf8')).runs[0]);
const freed = wasm.samples.findLast((/** @type {{phase: string}} */ s) => s.phase === 'free');
const last = wasm.samples.at(-1);
console.log(
  `${wasm.program.args[0]}: native ${native.program.name} RSS peak ${mibText(native.summary.peak_footprint_bytes)}, ` +
    `last before exit ${mibText(native.summary.final_footprint_bytes)}; ${wasm.program.name}: linear memory ` +
    `peak ${mibText(wasm.summary.peak_footprint_bytes)}, after free ${mibText(freed.footprint_bytes)}, ` +
    `resident after free ${mibText(freed.resident_bytes)}, after idle ${mibText(last.resident_bytes)}, ` +
    `Node RSS ${mibText(last.host_rss_bytes)}`,
);
