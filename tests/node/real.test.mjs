// Real programs nobody here wrote (tools/real/): `trimlab measure` natively, and the Emscripten
// builds from npm (sql.js, wasmoon) under Node, with modest workload sizes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { GENERATOR, runWorkload } from '../../tools/real/run.mjs';
import { documentOf } from '../../tools/results-document.mjs';
import { loadTrimlab } from '../../web/trimlab-api.js';
import { validateResults } from '../../web/results-validate.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'build/trimlab');
const dir = mkdtempSync(join(tmpdir(), 'trimlab-real-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const MIB = 2 ** 20;

/** Checks the module kept what it freed: its linear memory after the free phase (the database
 *  closed, the table dropped and collected) holds at least 90 % of its peak, the peak being
 *  what the work grew it to (at least `grewMib` over the loaded module, so a memory that never
 *  grew, or the wrong one caught, cannot pass). */
async function assertKept(run, grewMib) {
  const work = run.samples.filter((s) => s.phase === 'allocate');
  const freed = run.samples.filter((s) => s.phase === 'free').at(-1);
  const peak = Math.max(...work.map((s) => s.footprint_bytes));
  assert.ok(
    peak - run.samples[0].footprint_bytes >= grewMib * MIB,
    `the work grew the memory by ${(peak - run.samples[0].footprint_bytes) / MIB} MiB only`,
  );
  assert.ok(freed.footprint_bytes >= 0.9 * peak, `${freed.footprint_bytes} < 90 % of ${peak}`);
  assert.ok(freed.resident_bytes > 0, 'the resident bytes of the module were read');
  const checked = validateResults(await documentOf([run], GENERATOR), { platform: 'wasm' });
  assert.ok(checked.ok, checked.message);
}

test('sql.js: closing the database keeps at least 90 % of the peak in linear memory', async () => {
  const run = await runWorkload({ workload: 'sqlite-bulk.sql', rows: 150000, idleMs: 0 });
  assert.match(run.program.name, /^sql\.js \d/);
  assert.ok(run.samples.some((s) => /db\.close\(\)/.test(s.label)));
  await assertKept(run, 4);
});

test('wasmoon: dropping a large table keeps at least 90 % of the peak in linear memory', async () => {
  const run = await runWorkload({ workload: 'lua-table.lua', rows: 200000, idleMs: 0 });
  assert.match(run.program.name, /^wasmoon \d/);
  await assertKept(run, 8);
});

function measure(...args) {
  return spawnSync(cli, ['measure', ...args], { encoding: 'utf8', cwd: root });
}

test('trimlab measure samples a real program into a valid results document', () => {
  const out = join(dir, 'lua.json');
  const result = measure(
    '-o',
    out,
    '--',
    'lua5.4',
    '-e',
    'ROWS=200000',
    'tools/real/workloads/lua-table.lua',
  );
  assert.equal(result.status, 0, result.stderr);
  const checked = validateResults(readFileSync(out, 'utf8'), { platform: 'native' });
  assert.ok(checked.ok, checked.message);
  const [run] = checked.document.runs;
  assert.equal(run.scenario, 'program');
  assert.deepEqual(run.program, {
    name: 'lua5.4',
    args: ['-e', 'ROWS=200000', 'tools/real/workloads/lua-table.lua'],
  });
  // 200,000 small tables take tens of MiB: the peak is well above the program at its start.
  assert.ok(run.summary.peak_footprint_bytes - run.summary.baseline_footprint_bytes > 16 * MIB);
  assert.equal(run.samples.at(-1).phase, 'final');
});

test("a program run written through the module's writer is the native writer's run", async () => {
  // One writer of the format: the native document of `trimlab measure`, its run given back to
  // the WebAssembly module's writer (the C writer compiled in), comes out field for field the
  // same and, its one platform-specific figure left out, in the same layout byte for byte.
  const out = join(dir, 'writers.json');
  const result = measure('-o', out, '--', 'sh', '-c', 'sleep 0.02', 'arg "quoted"', 'two');
  assert.equal(result.status, 0, result.stderr);
  // (and its host made one a WebAssembly document can have)
  const nativeText = readFileSync(out, 'utf8')
    .replace(/, "rss_anon_bytes": \d+/g, '')
    .replace(/"host": \{[^}]*\}/, '"host": {"name": "node", "version": "20", "resident": "smaps"}');
  const [run] = JSON.parse(nativeText).runs;
  const lab = await loadTrimlab({ allocator: 'dlmalloc' });
  const text = lab.documentText([run], { allocator: 'glibc' });
  const checked = validateResults(text, { platform: 'wasm' });
  assert.ok(checked.ok, checked.message);
  assert.deepEqual(checked.document.runs[0], run);
  const runsOf = (/** @type {string} */ t) => t.slice(t.indexOf('"runs"'));
  assert.equal(runsOf(text), runsOf(nativeText));
  // The allocator's figures may be left out in a program run only.
  const scenario = await lab.runScenario('simple', 'block_mib=1');
  delete scenario.samples[0].in_use_bytes;
  assert.throws(() => lab.documentText([scenario]), /is not a count/);
  const tooMany = { ...run, program: { name: 'sh', args: Array(65).fill('x') } };
  assert.throws(() => lab.documentText([tooMany]), /more than 64 program arguments/);
});

test('trimlab measure refuses a bad program with one line and exit 2, the results file kept', () => {
  const out = join(dir, 'kept.json');
  writeFileSync(out, 'old');
  const plain = join(dir, 'not-executable');
  writeFileSync(plain, '#!/bin/sh\n');
  chmodSync(plain, 0o644);
  const cases = [
    [['--', 'no-such-program-here'], /program 'no-such-program-here': not found in PATH/],
    [['--', plain], /not an executable file \(permission denied\)/],
    [['--', dir], /a folder, not a program/],
    [['--'], /missing the program after '--'/],
    [['--bogus', '--', 'true'], /unknown option --bogus/],
    // more than the results format holds (docs/results.schema.json: 64 arguments of 4096 bytes)
    [['--', 'true', ...Array(65).fill('x')], /65 arguments after the program: at most 64/],
    [['--', 'true', 'x'.repeat(4097)], /argument 1 of the program is longer than 4096 bytes/],
  ];
  for (const [args, message] of cases) {
    const result = measure('-o', out, ...args);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
    assert.equal(readFileSync(out, 'utf8'), 'old');
  }
});

test('trimlab measure keeps the readings of a killed program and exits 1', () => {
  const out = join(dir, 'killed.json');
  const result = measure('-o', out, '--', 'sh', '-c', 'sleep 0.05; kill -9 $$');
  assert.equal(result.status, 1, result.stderr);
  const checked = validateResults(readFileSync(out, 'utf8'), { platform: 'native' });
  assert.ok(checked.ok, checked.message);
  const [run] = checked.document.runs;
  assert.equal(run.outcome, 'failed');
  assert.equal(run.error, 'killed by signal 9 (SIGKILL)');
  assert.ok(run.samples.length >= 2);
});

test('trimlab measure: a program it cannot follow once started fails its run (exit 1), readings kept', () => {
  // SIGCHLD ignored by trimlab's parent is inherited: the kernel reaps the program itself, so
  // trimlab cannot wait for it. That is not bad input (2) but a failed run. Before, trimlab
  // followed it forever (killed here after 20 s).
  const out = join(dir, 'unfollowed.json');
  const result = spawnSync(
    'perl',
    [
      '-e',
      '$SIG{CHLD} = "IGNORE"; exec @ARGV or die',
      cli,
      'measure',
      '-o',
      out,
      '--',
      'sh',
      '-c',
      'sleep 0.1',
    ],
    { encoding: 'utf8', cwd: root, timeout: 20000, killSignal: 'SIGKILL' },
  );
  assert.equal(result.status, 1, `${result.signal ?? ''} ${result.stderr}`);
  assert.equal(result.stderr, "trimlab: measure: 'sh' could not be followed: No child processes\n");
  const checked = validateResults(readFileSync(out, 'utf8'), { platform: 'native' });
  assert.ok(checked.ok, checked.message);
  const [run] = checked.document.runs;
  assert.equal(run.outcome, 'failed');
  assert.equal(run.error, 'could not be followed: No child processes');
  // 100 ms at a reading every 5 ms: the readings before it ended are kept.
  assert.ok(run.samples.length >= 2, `${run.samples.length} readings`);
});
