// `make compare`: every scenario with default parameters natively (trim on and off) and in
// WebAssembly (dlmalloc and emmalloc, trim called), one table in MiB. Each run is fresh: a child
// process natively, a new module instance in WebAssembly. Prints Markdown; writes the three
// results documents under build/compare/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { mib } from '../web/units.js';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const out = join(root, 'build', 'compare');
// BUCKET_MODEL with ENABLE_CUSTOM_BUCKETS=1 passes through (the reference measurement's interface,
// docs/reference-measurement.md); trim is set per run.
const env = { ...process.env, DISABLE_MALLOC_TRIM: '' };

function produce(file, command, args) {
  const path = join(out, file);
  execFileSync(command, [...args, '--all', '--quiet', '--json', path], { env, stdio: 'inherit' });
  return JSON.parse(readFileSync(path, 'utf8'));
}

mkdirSync(out, { recursive: true });
const native = produce('native.json', join(root, 'build', 'trimlab'), ['--trim', 'both']);
const runWasm = join(root, 'tools', 'run-wasm.mjs');
const dlmalloc = produce('wasm-dlmalloc.json', process.execPath, [
  runWasm,
  '--allocator',
  'dlmalloc',
]);
const emmalloc = produce('wasm-emmalloc.json', process.execPath, [
  runWasm,
  '--allocator',
  'emmalloc',
]);

const find = (doc, scenario, trim = 'enabled') =>
  doc.runs.find((run) => run.scenario === scenario && run.trim === trim);
const last = (run) => run.samples.at(-1);

console.log(
  '| scenario | native RSS after trim | native RSS without trim | WebAssembly memory, dlmalloc | ' +
    'WebAssembly memory, emmalloc | in use at the end (dlmalloc) | cache WebAssembly keeps (dlmalloc) |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const { scenario } of native.runs.filter((run) => run.trim === 'enabled')) {
  const wasm = find(dlmalloc, scenario);
  console.log(
    `| \`${scenario}\` | ${mib(find(native, scenario).summary.final_footprint_bytes)} | ` +
      `${mib(find(native, scenario, 'disabled').summary.final_footprint_bytes)} | ` +
      `${mib(wasm.summary.final_footprint_bytes)} | ${mib(find(emmalloc, scenario).summary.final_footprint_bytes)} | ` +
      `${mib(last(wasm).in_use_bytes)} | ${mib(last(wasm).allocator_free_bytes)} |`,
  );
}
