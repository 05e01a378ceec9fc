// `make compare`: every scenario with default parameters natively (trim on and off) and in
// WebAssembly (dlmalloc and emmalloc, trim called), one table in MiB. Each run is fresh: a child
// process natively, a new module instance in WebAssembly. Prints Markdown; writes the three
// results documents under build/compare/.
//
// The module's resident memory (the kernel's Rss of its linear-memory mapping) comes from the Node
// runner, run with --expose-gc: after the run (its "run_end" event) and once the instance was
// dropped and collected ("collected"). The same two columns for Chromium and Firefox come from
// web/gen/data/browser-results.json (`make browser-results`: runs with host chromium and firefox
// and their "after" events) when that file exists; "–" where there is no figure, "unmapped" where
// the mapping was gone.
//
// A second table runs `highwater total_mib=300` with batch_mib 300, 100 and 30 (issue 13, "lower
// the peak"): the same total in smaller batches keeps one batch, natively at the peak only, in
// WebAssembly to the end.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { cleanLine, quote } from '../web/message.js';
import { validateResults } from '../web/results-validate.js';
import { mib } from '../web/units.js';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const out = join(root, 'build', 'compare');
export const BROWSER_RESULTS = join(root, 'web', 'gen', 'data', 'browser-results.json');
export const BROWSERS = ['chromium', 'firefox'];
// BUCKET_MODEL with ENABLE_CUSTOM_BUCKETS=1 passes through (the reference measurement's interface,
// docs/reference-measurement.md); trim is set per run.
const env = { ...process.env, DISABLE_MALLOC_TRIM: '' };

function produce(file, command, args, what = ['--all']) {
  const path = join(out, file);
  execFileSync(command, [...args, ...what, '--quiet', '--json', path], { env, stdio: 'inherit' });
  return JSON.parse(readFileSync(path, 'utf8'));
}

const find = (doc, scenario, trim = 'enabled') =>
  doc.runs.find((run) => run.scenario === scenario && run.trim === trim);
const last = (run) => run.samples.at(-1);

/**
 * A run's module resident memory in MiB after its last step (its run_end event, else its last
 * sample) and once collected: "unmapped" when the mapping was gone, "–" without a figure.
 * @param {object|undefined} run
 * @returns {[string, string]}
 */
export function residentAfter(run) {
  const event = (name) => run?.after?.find((entry) => entry.event === name);
  const shown = (bytes) => (bytes === undefined ? '–' : bytes === null ? 'unmapped' : mib(bytes));
  const ended = event('run_end')?.resident_bytes ?? run?.samples?.at(-1)?.resident_bytes;
  return [shown(ended), shown(event('collected')?.resident_bytes)];
}

/**
 * The browser columns of `scenario`: after the run and after collection, Chromium then Firefox,
 * from a browser results document (null: none), its trim-enabled runs first.
 * @param {object|null} doc
 * @param {string} scenario
 * @returns {string[]}
 */
export function browserColumns(doc, scenario) {
  return BROWSERS.flatMap((browser) => {
    const runs = (doc?.runs ?? []).filter(
      (run) => run.scenario === scenario && run.host?.name === browser,
    );
    return residentAfter(runs.find((run) => run.trim === 'enabled') ?? runs[0]);
  });
}

/**
 * web/gen/data/browser-results.json when it exists and is a valid wasm results document; else
 * null (an invalid one is named in one line on stderr).
 * @param {string} path
 * @returns {object|null}
 */
export function readBrowserResults(path = BROWSER_RESULTS) {
  if (!existsSync(path)) return null;
  const verdict = validateResults(readFileSync(path, 'utf8'), { platform: 'wasm' });
  if (verdict.ok) return verdict.document;
  process.stderr.write(
    `compare: ${cleanLine(`'${quote(path)}' is not used: ${verdict.message}`)}\n`,
  );
  return null;
}

const BATCH_TOTAL_MIB = 300;
const BATCHES_MIB = [300, 100, 30];

/** Prints a Markdown table's head. */
function printHead(head) {
  console.log(`| ${head.join(' | ')} |`);
  console.log(`| ${head.map(() => '---').join(' | ')} |`);
}

/** `highwater total_mib=300` at each of BATCHES_MIB: native (trim on and off) and the Node
 *  runner (dlmalloc, a process per run, so that its RSS is this run's). */
function batchTable(runWasm) {
  console.log('');
  printHead([
    `highwater total_mib=${BATCH_TOTAL_MIB}`,
    'native RSS peak',
    'native RSS after trim',
    'native RSS without trim',
    'WebAssembly memory, dlmalloc',
    'module resident after the run, Node',
    'Node process RSS after the run',
  ]);
  for (const batch of BATCHES_MIB) {
    const what = ['--scenario', 'highwater', '--set', `total_mib=${BATCH_TOTAL_MIB}`];
    what.push('--set', `batch_mib=${batch}`);
    const native = produce(
      `batch-${batch}-native.json`,
      join(root, 'build', 'trimlab'),
      ['--trim', 'both'],
      what,
    );
    const wasm = produce(`batch-${batch}-wasm.json`, process.execPath, [runWasm], what).runs[0];
    const row = [
      `\`batch_mib=${batch}\``,
      mib(find(native, 'highwater').summary.peak_footprint_bytes),
      mib(find(native, 'highwater').summary.final_footprint_bytes),
      mib(find(native, 'highwater', 'disabled').summary.final_footprint_bytes),
      mib(wasm.summary.final_footprint_bytes),
      mib(last(wasm).resident_bytes),
      mib(last(wasm).host_rss_bytes),
    ];
    console.log(`| ${row.join(' | ')} |`);
  }
}

function main() {
  mkdirSync(out, { recursive: true });
  const native = produce('native.json', join(root, 'build', 'trimlab'), ['--trim', 'both']);
  const runWasm = join(root, 'tools', 'run-wasm.mjs');
  // --expose-gc: each run's instance is collected after it, and its "collected" event says what
  // the process got back.
  const wasm = (allocator) =>
    produce(`wasm-${allocator}.json`, process.execPath, [
      '--expose-gc',
      runWasm,
      '--allocator',
      allocator,
    ]);
  const dlmalloc = wasm('dlmalloc');
  const emmalloc = wasm('emmalloc');
  const browsers = readBrowserResults();

  const head = [
    'scenario',
    'native RSS after trim',
    'native RSS without trim',
    'WebAssembly memory, dlmalloc',
    'WebAssembly memory, emmalloc',
    'in use at the end (dlmalloc)',
    'cache WebAssembly keeps (dlmalloc)',
    'module resident after the run, Node',
    'module resident after drop and collection, Node',
    ...BROWSERS.flatMap((browser) => [
      `module resident after the run, ${browser}`,
      `after drop and collection, ${browser}`,
    ]),
  ];
  printHead(head);
  for (const { scenario } of native.runs.filter((run) => run.trim === 'enabled')) {
    const run = find(dlmalloc, scenario);
    const row = [
      `\`${scenario}\``,
      mib(find(native, scenario).summary.final_footprint_bytes),
      mib(find(native, scenario, 'disabled').summary.final_footprint_bytes),
      mib(run.summary.final_footprint_bytes),
      mib(find(emmalloc, scenario).summary.final_footprint_bytes),
      mib(last(run).in_use_bytes),
      mib(last(run).allocator_free_bytes),
      ...residentAfter(run),
      ...browserColumns(browsers, scenario),
    ];
    console.log(`| ${row.join(' | ')} |`);
  }
  batchTable(runWasm);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
