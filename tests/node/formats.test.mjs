// One source for each fact: the C API is listed once (src/wasm/wasm_api.h, from which the export
// list and the wrapper's signatures are generated), and the tables and results documents are
// written once (src/cli/, compiled into the module too). Checked against independent figures:
// the header as written, the built .wasm's real exports, the native CLI's own output, and a
// reference formatter here that spells out the table's layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadTrimlab, Trimlab } from '../../web/trimlab-api.js';
import { SIGNATURES } from '../../web/gen/wasm-api.js';
import { jsonLayout, listedScenarios, root, runNative, tempDir } from '../support/helpers.mjs';

const runner = join(root, 'tools', 'run-wasm.mjs');
const goodTrace = join(root, 'tests', 'replay', 'good.trace');

/** The tl_wasm_ functions the header declares, comments left out. */
function declared() {
  const header = readFileSync(join(root, 'src', 'wasm', 'wasm_api.h'), 'utf8');
  const code = header.replace(/\/\*[\s\S]*?\*\//g, '');
  return [...code.matchAll(/\b(tl_wasm_\w+)\s*\(/g)].map((match) => match[1]).sort();
}

/** The functions a built module exports, as its glue names them (`Module["_tl_wasm_x"]`), each
 *  checked against the .wasm's own export table (the glue refers to them by minified names). */
function exported(name) {
  const glue = readFileSync(join(root, 'web', 'gen', `${name}.js`), 'utf8');
  const wasm = new WebAssembly.Module(readFileSync(join(root, 'web', 'gen', `${name}.wasm`)));
  const functions = new Set(
    WebAssembly.Module.exports(wasm)
      .filter((entry) => entry.kind === 'function')
      .map((entry) => entry.name),
  );
  const names = [];
  for (const [, fn, minified] of glue.matchAll(
    /Module\["_(tl_wasm_\w+)"\]=Module\["asm"\]\["([^"]+)"\]/g,
  )) {
    assert.ok(functions.has(minified), `${name}.wasm does not export ${fn} (as ${minified})`);
    names.push(fn);
  }
  return names.sort();
}

/** The names the wrapper hands cwrap when it wraps an instance. */
function wrapped() {
  const names = [];
  const fake = {
    HEAPU8: new Uint8Array(16), // the instance's tag is written at construction
    cwrap: (fn) => {
      names.push(fn);
      return () => '';
    },
  };
  new Trimlab(fake);
  return names.sort();
}

test('every tl_wasm_ function the header declares is exported by both modules and wrapped', () => {
  const header = declared();
  assert.ok(header.length > 30, `only ${header.length} declarations found`);
  const list = JSON.parse(
    readFileSync(join(root, 'build', 'wasm', 'exported_functions.json'), 'utf8'),
  );
  assert.deepEqual(list.map((fn) => fn.replace(/^_/, '')).sort(), header, 'emcc export list');
  assert.deepEqual(
    Object.keys(SIGNATURES)
      .map((key) => `tl_wasm_${key}`)
      .sort(),
    header,
    'generated signatures',
  );
  assert.deepEqual(wrapped(), header, 'wrapped by web/trimlab-api.js');
  for (const module of ['trimlab', 'trimlab-emmalloc'])
    assert.deepEqual(exported(module), header, `exports of web/gen/${module}.wasm`);
});

test('the module reports the engine scenario names and trace constants the page relies on', async () => {
  const lab = await loadTrimlab();
  assert.deepEqual(lab.scenarioNames(), [...listedScenarios(), 'replay']);
  assert.deepEqual(
    lab.scenarios().map((scenario) => scenario.name),
    listedScenarios(),
  );
  const trace = readFileSync(goodTrace);
  assert.deepEqual([...lab.traceMagic()], [...trace.subarray(0, lab.traceMagic().length)]);
  assert.equal(Buffer.from(lab.traceMagic()).toString('latin1'), 'TLTRACE\0');
});

function runWasm(args) {
  const result = spawnSync(process.execPath, [runner, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** run-wasm's table and --json document for `args`. */
function wasmOutputs(args) {
  const file = join(tempDir(), 'wasm.json');
  const result = runWasm([...args, '--json', file]);
  return { ...result, text: readFileSync(file, 'utf8') };
}

// ---- the reference: the table's layout spelled out, rounded as C's printf rounds ----

/** MiB with two decimals as printf's %.2f gives them: a tie (exactly x.xx5) rounded to even, a
 *  negative figure signed even when it rounds to zero. */
function mib(bytes) {
  const hundredths = (Math.abs(bytes) / 1048576) * 100; // exact: a whole number over 2^20, x 100
  const floor = Math.floor(hundredths);
  const rounded = hundredths - floor === 0.5 ? floor + (floor % 2) : Math.round(hundredths);
  return `${bytes < 0 ? '-' : ''}${(rounded / 100).toFixed(2)}`;
}

function referenceTable(run, allocator, tracePath) {
  const params = Object.entries(run.params)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
  const lines = [
    '',
    `${run.scenario} (${params}), trim ${run.trim}, wasm ${allocator}`,
    ' step  phase    memory MiB  sbrk MiB    in use alloc free  resident  host RSS  label',
  ];
  // The host's figures, "-" where they were not read.
  const host = (bytes) => (bytes === undefined ? '-' : mib(bytes)).padStart(9);
  for (const s of run.samples)
    lines.push(
      `${String(s.step).padStart(5)}  ${s.phase.padEnd(8)} ${mib(s.footprint_bytes).padStart(10)} ` +
        `${mib(s.sbrk_bytes).padStart(9)} ${mib(s.in_use_bytes).padStart(9)} ` +
        `${mib(s.allocator_free_bytes).padStart(10)} ${host(s.resident_bytes)} ` +
        `${host(s.host_rss_bytes)}  ${s.label}`,
    );
  const sum = run.summary;
  let last =
    `peak ${mib(sum.peak_footprint_bytes)} MiB; before trim ${mib(sum.before_trim_bytes)} MiB; ` +
    `after trim ${mib(sum.after_trim_bytes)} MiB; released by trim ` +
    `${mib(sum.released_by_trim_bytes)} MiB`;
  if (sum.trim_called)
    last += `; malloc_trim returned ${sum.trim_returned} (its own account, not a memory figure)`;
  lines.push(`${last}; ${run.elapsed_ms.toFixed(1)} ms`);
  if (run.outcome !== 'completed') lines.push(`run ended early: ${run.error}`);
  if (run.trace) {
    const t = run.trace;
    lines.push(
      `trace ${tracePath}: program ${t.program}, ${t.events_replayed} of ${t.event_count} ` +
        `events replayed, ${t.complete ? 'complete' : 'cut short'}; peak ` +
        `${t.peak_requested_bytes} bytes (${mib(t.peak_requested_bytes)} MiB) requested and ` +
        `live; replay overhead ${mib(t.replay_overhead_bytes)} MiB (in the baseline)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

// The elapsed time is printed with one decimal from the document's three: a time ending in 5
// there could round either way, and is the one figure left out of the comparison.
const withoutElapsed = (table) => table.replace(/; \d+\.\d ms$/gm, '; T ms');

for (const [what, args, tracePath] of [
  ['every scenario', ['--all']],
  [
    'emmalloc, and a run that ends out of memory',
    ['--scenario', 'highwater', '--set', 'total_mib=600', '--allocator', 'emmalloc'],
  ],
  ['a replay', ['--replay', goodTrace, '--trim', 'both', '--set', 'events_per_step=7'], goodTrace],
]) {
  test(`run-wasm's table is the reference layout of its own results, byte for byte: ${what}`, () => {
    const { stdout, text } = wasmOutputs(args);
    const document = JSON.parse(text);
    const expected = document.runs
      .map((run) => referenceTable(run, document.allocator, tracePath))
      .join('');
    assert.equal(withoutElapsed(stdout), withoutElapsed(expected));
  });
}

test("run-wasm's results document has the native CLI's layout byte for byte", () => {
  const file = join(tempDir(), 'native.json');
  for (const args of [
    ['--scenario', 'cycles', '--set', 'cycles=2', '--trim', 'both'],
    ['replay', goodTrace, '--set', 'events_per_step=7'],
  ]) {
    assert.equal(runNative([...args, '--quiet', '--json', file]).code, 0);
    const native = readFileSync(file, 'utf8');
    const wasmArgs = args[0] === 'replay' ? ['--replay', ...args.slice(1)] : args;
    const { code, text } = wasmOutputs([...wasmArgs, '--quiet']);
    assert.equal(code, 0);
    // What followed each run (Node's lifecycle: none natively) is one line of its own.
    const after = /,\n {5}"after": \[\{"event": S.*\}\]\}/g;
    const layout = jsonLayout(text);
    assert.equal(
      layout.match(after)?.length,
      JSON.parse(text).runs.length,
      'one "after" line a run',
    );
    assert.equal(layout.replace(after, '}'), jsonLayout(native), args.join(' '));
  }
});

test('the document says trim enabled, disabled or mixed from its runs', async () => {
  const lab = await loadTrimlab();
  const on = await lab.runScenario('simple', { block_mib: 1 }, { trim: true });
  const off = await lab.runScenario('simple', { block_mib: 1 }, { trim: false });
  const trimOf = (runs) => JSON.parse(lab.documentText(runs)).trim;
  assert.equal(trimOf([on, on]), 'enabled');
  assert.equal(trimOf([off]), 'disabled');
  assert.equal(trimOf([]), 'disabled');
  assert.equal(trimOf([on, off]), 'mixed');
});
