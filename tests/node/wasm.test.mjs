// Tests of the WebAssembly build (web/gen/trimlab*.wasm through web/trimlab-api.js) and of its
// Node runner (tools/run-wasm.mjs), on the real modules: linear memory starts at 64 MiB, grows by
// Emscripten's formula, never shrinks, hits the 512 MiB ceiling cleanly, and the runner speaks
// exactly like build/trimlab. Build first: `make wasm native` (make test-node does it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadTrimlab, TrimlabError } from '../../web/trimlab-api.js';
import {
  MiB,
  listedScenarios,
  nativeCli,
  root,
  runNative,
  runNativeJson,
  schemaErrors,
  tempDir,
} from '../support/helpers.mjs';

const runner = join(root, 'tools', 'run-wasm.mjs');
const ALLOCATORS = ['dlmalloc', 'emmalloc'];
const INITIAL = 64 * MiB;
const MAXIMUM = 512 * MiB;
const WASM_PAGE = 64 * 1024;

for (const file of ['trimlab.wasm', 'trimlab-emmalloc.wasm'])
  assert.ok(
    existsSync(join(root, 'web', 'gen', file)),
    `web/gen/${file} is missing: run ./build_wasm.sh`,
  );
assert.ok(existsSync(nativeCli), 'build/trimlab is missing: run make native');

/** Emscripten 3.1.6's growth for small requests (docs/toolchain.md): min(max, alignUp(old x 1.2)). */
function growthSequence(initial = INITIAL, maximum = MAXIMUM) {
  const sizes = [initial];
  while (sizes.at(-1) < maximum) {
    const grown = Math.ceil((sizes.at(-1) * 1.2) / WASM_PAGE) * WASM_PAGE;
    sizes.push(Math.min(maximum, grown));
  }
  return sizes;
}

/** One run in a fresh instance. */
async function freshRun(allocator, scenario, params = '', trim = true) {
  const lab = await loadTrimlab({ allocator });
  return lab.runScenario(scenario, params, { trim });
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const footprints = (run) => run.samples.map((s) => s.footprint_bytes);
const trimIndex = (run) => run.samples.findIndex((s) => s.phase === 'trim');
/** A sample's measured figures: everything but its step, phase and label. */
// The module's figures of a sample: not its place, nor the whole Node process's RSS, which moves
// with the JavaScript heap whatever the module does.
const figures = (sample) =>
  Object.fromEntries(
    Object.entries(sample).filter(
      ([key]) => !['step', 'phase', 'label', 'host_rss_bytes'].includes(key),
    ),
  );

function runWasm(args, env = {}) {
  const result = spawnSync(process.execPath, [runner, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DISABLE_MALLOC_TRIM: '', BUCKET_MODEL: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function runWasmJson(args, env = {}) {
  const file = join(tempDir(), 'results.json');
  const result = runWasm([...args, '--quiet', '--json', file], env);
  return { ...result, document: JSON.parse(readFileSync(file, 'utf8')) };
}

// Every scenario with its defaults, trim on, each in a fresh instance, for both allocators.
const defaults = {};
for (const allocator of ALLOCATORS) {
  const lab = await loadTrimlab({ allocator });
  defaults[allocator] = [];
  for (const { name } of lab.scenarios()) defaults[allocator].push(await freshRun(allocator, name));
}

test('the growth formula gives the sizes docs/toolchain.md lists (64, 76.81, 92.19 ... 512 MiB)', () => {
  // toFixed rounds the exact ties 110.625 and 396.625 up; docs/toolchain.md shows .62 (printf).
  const mib = growthSequence().map((b) => (b / MiB).toFixed(2));
  assert.deepEqual(mib, [
    '64.00',
    '76.81',
    '92.19',
    '110.63',
    '132.75',
    '159.31',
    '191.19',
    '229.44',
    '275.38',
    '330.50',
    '396.63',
    '476.00',
    '512.00',
  ]);
});

test('a fresh instance has exactly 64 MiB of linear memory, and every run starts there', async () => {
  for (const allocator of ALLOCATORS) {
    const lab = await loadTrimlab({ allocator });
    assert.equal(lab.memoryBytes(), INITIAL);
    assert.equal(lab.allocator, allocator);
    assert.equal(lab.platform, 'wasm');
    for (const run of defaults[allocator])
      assert.equal(run.summary.baseline_footprint_bytes, INITIAL);
  }
});

test('linear memory never decreases during any scenario, and is whole 64 KiB pages', () => {
  for (const allocator of ALLOCATORS)
    for (const run of defaults[allocator]) {
      const sizes = footprints(run);
      sizes.forEach((size, i) => {
        assert.equal(size % WASM_PAGE, 0, `${allocator} ${run.scenario} step ${i}`);
        if (i) assert.ok(size >= sizes[i - 1], `${allocator} ${run.scenario} shrank at step ${i}`);
      });
      assert.equal(run.summary.final_footprint_bytes, run.summary.peak_footprint_bytes);
    }
});

test('highwater grows past 64 MiB exactly by the formula and keeps its high-water mark', () => {
  const expected = growthSequence();
  for (const allocator of ALLOCATORS) {
    const run = defaults[allocator].find((r) => r.scenario === 'highwater');
    const { summary } = run;
    assert.equal(run.outcome, 'completed');
    assert.ok(summary.peak_footprint_bytes > run.params.total_mib * MiB);
    const distinct = [...new Set(footprints(run))];
    assert.deepEqual(distinct, expected.slice(0, distinct.length), `${allocator} grew off-formula`);
    assert.equal(summary.after_trim_bytes, summary.before_trim_bytes);
    assert.equal(summary.final_footprint_bytes, summary.peak_footprint_bytes);
    const lastFree = run.samples[trimIndex(run) - 1];
    assert.equal(lastFree.phase, 'free');
    assert.equal(lastFree.in_use_bytes, run.samples[0].in_use_bytes, `${allocator} in use`);
    assert.ok(lastFree.allocator_free_bytes >= run.params.total_mib * MiB);
  }
  const dl = defaults.dlmalloc.find((r) => r.scenario === 'highwater');
  assert.equal(dl.samples.at(-1).in_use_bytes, dl.samples[0].in_use_bytes);
});

test('highwater total_mib=300 in batches keeps one batch: resident and linear memory against batch_mib, stepping like native', () => {
  // Each run in a runner process of its own: nothing else lives in the module or the process.
  const runOne = (allocator, batch) => {
    const set = batch ? ['--set', `batch_mib=${batch}`] : [];
    const args = ['--scenario', 'highwater', '--set', 'total_mib=300', ...set];
    const { code, stderr, document } = runWasmJson([...args, '--allocator', allocator]);
    assert.equal(code, 0, stderr);
    return document.runs[0];
  };
  const grown = (run) => run.samples.at(-1).resident_bytes - run.samples[0].resident_bytes;
  const native = runNativeJson([
    '--scenario',
    'highwater',
    '--set',
    'total_mib=300',
    '--set',
    'batch_mib=30',
  ]);
  assert.equal(native.code, 0, native.stderr);
  for (const allocator of ALLOCATORS) {
    const whole = runOne(allocator, null);
    const [small, medium] = [runOne(allocator, 30), runOne(allocator, 100)];
    // One batch (the default): 300 MiB stay resident, linear memory past 300 MiB.
    assert.ok(grown(whole) >= 300 * MiB, `${allocator} default: +${grown(whole) / MiB} MiB`);
    assert.ok(whole.summary.final_footprint_bytes > 300 * MiB);
    // Batches of 30 and 100 MiB: one batch stays resident, whatever the total.
    for (const [run, batch] of [
      [small, 30],
      [medium, 100],
    ]) {
      assert.equal(run.params.batch_mib, batch);
      assert.ok(
        grown(run) >= batch * MiB && grown(run) <= (batch + 1) * MiB,
        `${allocator} batch ${batch}: +${grown(run) / MiB} MiB resident`,
      );
    }
    // 30 MiB fit in the 64 MiB the module starts with: linear memory never grew. 100 MiB grew it
    // to the first size of the growth formula that holds them, or the next.
    assert.equal(small.summary.final_footprint_bytes, INITIAL, allocator);
    const fits = growthSequence().filter((size) => size > 100 * MiB);
    assert.ok(fits.slice(0, 2).includes(medium.summary.final_footprint_bytes), allocator);
    // The same steps as the native CLI's run of the same parameters.
    assert.deepEqual(
      small.samples.map((s) => [s.phase, s.label]),
      native.document.runs[0].samples.map((s) => [s.phase, s.label]),
    );
  }
});

test('dlmalloc: trim returns 0 and changes nothing, in every scenario', () => {
  for (const run of defaults.dlmalloc) {
    assert.equal(run.summary.trim_called, true);
    assert.equal(run.summary.trim_returned, 0, run.scenario);
    assert.equal(run.summary.released_by_trim_bytes, 0, run.scenario);
    const i = trimIndex(run);
    assert.deepEqual(figures(run.samples[i]), figures(run.samples[i - 1]), run.scenario);
  }
});

test('dlmalloc: cycles grows memory in the first cycle only, then reuses the freed block', async () => {
  const run = await freshRun('dlmalloc', 'cycles', 'cycles=4;block_mib=100');
  const second = run.samples.findIndex((s) => s.label.startsWith('cycle 2/4'));
  assert.ok(second > 0);
  const endOfFirst = run.samples[second - 1];
  assert.ok(endOfFirst.footprint_bytes > INITIAL + 30 * MiB, 'the first cycle grew memory');
  for (const sample of run.samples.slice(second)) {
    assert.equal(sample.footprint_bytes, endOfFirst.footprint_bytes, sample.label);
    assert.equal(sample.sbrk_bytes, endOfFirst.sbrk_bytes, sample.label);
  }
});

test('emmalloc: trim returns 1 and memory is not smaller (recorded as it is)', () => {
  for (const run of defaults.emmalloc) {
    assert.equal(run.summary.trim_called, true);
    assert.equal(run.summary.trim_returned, 1, run.scenario);
    assert.ok(run.summary.after_trim_bytes >= run.summary.before_trim_bytes, run.scenario);
    const i = trimIndex(run);
    assert.equal(run.samples[i].sbrk_bytes, run.samples[i - 1].sbrk_bytes, run.scenario);
  }
});

// Upstream behaviour, recorded as it is: Emscripten 3.1.6's emmalloc trim fails its sbrk(-n) but
// forgets the memory anyway (emscripten-core/emscripten#23343; trim disabled in 4.0.0, fixed in
// 4.0.15). If this test fails after a toolchain upgrade, the bug may be gone: check, then drop
// BROKEN_BY_TRIM in web/trimlab-api.js and the README's caveats about reusing emmalloc.
const UPGRADE_NOTE = 'emmalloc no longer behaves as Emscripten 3.1.6 (#23343) did: see the comment';

test('emmalloc 3.1.6 (#23343): one instance reused after trim grows every run and ends oom', async () => {
  const lab = await loadTrimlab({ allocator: 'emmalloc' });
  assert.equal(lab.untrusted, null, 'a fresh instance can be trusted');
  const runs = [];
  for (let i = 0; i < 12; i++) runs.push(await lab.runScenario('simple', 'block_mib=50'));
  const peaks = runs.map((run) => run.summary.peak_footprint_bytes);
  const outcomes = runs.map((run) => run.outcome);
  // 64 → 105.06 → 155.06 … MiB: each run grows memory by its 50 MiB block instead of reusing the
  // block the run before freed, until the 512 MiB ceiling; then the runs end out of memory.
  assert.equal(peaks[0], INITIAL, UPGRADE_NOTE);
  for (let i = 1; i < peaks.length; i++)
    assert.ok(
      peaks[i] > peaks[i - 1] || peaks[i] === MAXIMUM,
      `${UPGRADE_NOTE}: run ${i + 1} ` +
        `peaked at ${peaks[i] / MiB} MiB after ${peaks[i - 1] / MiB} MiB`,
    );
  assert.ok(
    peaks[1] >= INITIAL + 40 * MiB,
    `${UPGRADE_NOTE}: run 2 peaked at ${peaks[1] / MiB} MiB`,
  );
  assert.deepEqual(outcomes.slice(0, 8), Array(8).fill('completed'), UPGRADE_NOTE);
  assert.deepEqual(outcomes.slice(-2), ['oom', 'oom'], UPGRADE_NOTE);
  // The wrapper knows: from the first trim on, the instance is marked, and says why.
  assert.match(lab.untrusted, /^Emscripten 3\.1\.6.s emmalloc .*emscripten-core\/emscripten#23343/);

  // An oom run (trim is not reached) leaves it sound, and its first trim then breaks it.
  const afterOom = await loadTrimlab({ allocator: 'emmalloc' });
  const sequence = [];
  sequence.push((await afterOom.runScenario('highwater', 'total_mib=2048')).outcome);
  assert.equal(afterOom.untrusted, null, 'an oom without trim leaves the instance trusted');
  sequence.push((await afterOom.runScenario('simple', '', { trim: false })).outcome);
  sequence.push((await afterOom.runScenario('simple', '')).outcome);
  assert.notEqual(afterOom.untrusted, null);
  sequence.push((await afterOom.runScenario('simple', '')).outcome);
  assert.deepEqual(sequence, ['oom', 'completed', 'completed', 'oom'], UPGRADE_NOTE);
});

test('reuse that works: emmalloc without trim, and dlmalloc with it, keep reusing the first block', async () => {
  for (const [allocator, trim] of [
    ['emmalloc', false],
    ['dlmalloc', true],
  ]) {
    const lab = await loadTrimlab({ allocator });
    for (let i = 0; i < 12; i++) {
      const run = await lab.runScenario('simple', 'block_mib=50', { trim });
      assert.equal(run.outcome, 'completed', `${allocator} run ${i + 1}`);
      assert.equal(run.summary.peak_footprint_bytes, INITIAL, `${allocator} run ${i + 1}`);
    }
    assert.equal(lab.untrusted, null, allocator);
  }
});

test('past 512 MiB a run ends oom cleanly; the instance runs the next one; a new one starts at 64', async () => {
  const expected = new Set(growthSequence());
  for (const allocator of ALLOCATORS) {
    const lab = await loadTrimlab({ allocator });
    const run = await lab.runScenario('highwater', { total_mib: 600 });
    assert.equal(run.outcome, 'oom');
    assert.match(run.error, /^malloc of 65536 bytes failed at chunk \d+ of 9600 .*out of memory$/);
    assert.equal(run.summary.peak_footprint_bytes, MAXIMUM);
    assert.equal(run.summary.trim_called, false);
    const last = run.samples.at(-1);
    assert.equal(last.phase, 'final');
    assert.match(last.label, /out of memory/);
    // The engine released the run, pointer table included: less in use than at the baseline.
    assert.ok(last.in_use_bytes < run.samples[0].in_use_bytes, 'everything was freed');
    for (const size of footprints(run)) assert.ok(expected.has(size), `${allocator} ${size}`);

    const next = await lab.runScenario('simple', { block_mib: 100 }, { trim: false });
    assert.equal(next.outcome, 'completed');
    assert.equal(next.summary.baseline_footprint_bytes, MAXIMUM, 'memory never came back');
    assert.equal(next.summary.peak_footprint_bytes, MAXIMUM, 'the freed memory was reused');
    assert.equal((await loadTrimlab({ allocator })).memoryBytes(), INITIAL);
  }
  const cli = runWasm(['--scenario', 'highwater', '--set', 'total_mib=600', '--quiet']);
  assert.equal(cli.code, 3, cli.stderr);
});

test('the stepping interface: begin, step until null, result; misuse is an error, not an abort', async () => {
  const lab = await loadTrimlab();
  assert.throws(
    () => lab.result(),
    (e) => e instanceof TrimlabError && e.code === 'bad_state',
  );
  lab.begin('vector', 'slots=1000000', { trim: false });
  const first = lab.step();
  assert.deepEqual(Object.keys(first), [
    'step',
    'phase',
    'label',
    'footprint_bytes',
    'sbrk_bytes',
    'in_use_bytes',
    'allocator_free_bytes',
    // Under Node, the kernel's figures (tests/node/resident.test.mjs).
    'resident_bytes',
    'host_rss_bytes',
  ]);
  assert.equal(first.phase, 'baseline');
  assert.equal(lab.done, false);
  assert.throws(() => lab.result(), /no finished run/);
  let count = 1;
  while (lab.step() !== null) count++;
  assert.equal(lab.done, true);
  const run = lab.result();
  assert.equal(run.samples.length, count);
  assert.equal(run.trim, 'disabled');
  assert.equal(run.summary.trim_returned, null);
  assert.deepEqual(run.params, { slots: 1000000 });
  lab.end();
  assert.equal(lab.step(), null);
  lab.begin('simple', '');
  lab.step();
  lab.begin('simple', 'block_mib=2'); // a run in progress is ended first
  assert.equal(lab.step().step, 0);
  lab.end();
});

const badParams = [
  ['simple', 'block_mib=0'],
  ['simple', 'block_mib=2000'],
  ['simple', 'block_mib=ten'],
  ['simple', 'block_mib=-1'],
  ['simple', 'size=5'],
  ['simple', 'block_mib'],
  ['cycles', 'cycles=101'],
  ['buckets', 'model=3M/1M'],
  ['buckets', 'model=1M//1M'],
  ['buckets', 'model=1M/1M/1M/1M/1M/1M/1M/1M/1M'],
  ['buckets', 'load_percent=99'],
  ['fragmented', 'chunk_kib=128'],
  ['highwater', 'total_mib=99999999999999999999999'],
  ['nosuch', 'a=1'],
];

test("bad parameters are refused with the native CLI's messages (API and runner)", async () => {
  const lab = await loadTrimlab();
  for (const [scenario, assignment] of badParams) {
    const args = ['--scenario', scenario, '--set', assignment];
    const native = runNative(args);
    assert.equal(native.code, 2);
    const wasm = runWasm(args);
    assert.equal(wasm.code, 2, assignment);
    assert.equal(wasm.stderr, native.stderr);
    assert.equal(wasm.stdout, '');
    const message = native.stderr.replace(/^trimlab: /, '').trimEnd();
    assert.throws(
      () => lab.begin(scenario, assignment),
      (e) => e instanceof TrimlabError && e.message === message,
    );
    assert.equal(lab.checkParam(scenario, assignment).message, message);
  }
  assert.equal(lab.checkParam('simple', 'block_mib=7'), null);
});

const badCommandLines = [
  [[]],
  [['--bogus']],
  [['--scenario']],
  [['--scenario', 'simple', '--scenario', 'vector']],
  [['--all', '--scenario', 'simple']],
  [['--all', '--set', 'block_mib=1']],
  [['--set', 'block_mib=1']],
  [['--all', '--trim', 'sometimes']],
  [['--scenario', 'simple', '--json', join(tempDir(), 'no', 'such', 'dir.json')]],
  [['--scenario', 'buckets'], { BUCKET_MODEL: '3M', ENABLE_CUSTOM_BUCKETS: '1' }],
  [['--all', '--quiet'], { BUCKET_MODEL: 'x', ENABLE_CUSTOM_BUCKETS: '1' }],
  // The module's parser is the native one: repeats, --list with run options and switch
  // spellings are refused alike.
  [['--scenario', 'simple', '--trim', 'on', '--trim', 'off']],
  [['--all', '--json', 'a.json', '--json', 'b.json']],
  [['--list', '--scenario', 'nope']],
  [['--scenario', 'simple'], { ENABLE_CUSTOM_BUCKETS: 'maybe' }],
  [['--scenario', 'x\n\x1b[2J\u009b' + 'h'.repeat(100)]],
];

test('bad command lines: same exit code 2 and stderr line as build/trimlab', () => {
  for (const [args, env] of badCommandLines) {
    const native = runNative(args, env);
    const wasm = runWasm(args, env);
    assert.equal(native.code, 2, args.join(' '));
    assert.equal(wasm.code, 2, args.join(' '));
    assert.equal(wasm.stderr, native.stderr, args.join(' '));
    assert.match(wasm.stderr, /^trimlab: [^\n]+\n$/);
  }
  const allocator = runWasm(['--allocator', 'tcmalloc', '--all']);
  assert.equal(allocator.code, 2);
  assert.equal(
    allocator.stderr,
    "trimlab: --allocator 'tcmalloc' is not allowed (allowed: dlmalloc, emmalloc)\n",
  );
});

test('run-wasm.mjs --list prints exactly what build/trimlab --list prints', () => {
  const native = runNative(['--list']);
  const wasm = runWasm(['--list', '--allocator', 'emmalloc']);
  assert.equal(native.code, 0);
  assert.equal(wasm.code, 0);
  assert.equal(wasm.stdout, native.stdout);
});

test('the scenario registry as JSON names every scenario and default that --list shows', async () => {
  const lab = await loadTrimlab();
  const list = runNative(['--list']).stdout;
  const scenarios = lab.scenarios();
  assert.deepEqual(
    scenarios.map((s) => s.name),
    [...list.matchAll(/^(\w+) +\S/gm)].map((m) => m[1]),
  );
  for (const scenario of scenarios)
    for (const param of scenario.params) {
      const line = new RegExp(
        `^ {4}${param.name} +default ${param.default} +` + escapeRegExp(param.description),
        'm',
      );
      assert.match(list, line);
      if (param.kind === 'integer')
        assert.ok(param.min <= param.default && param.default <= param.max);
    }
});

test('--all --trim both: results validate, are wasm-only figures, and step like native', () => {
  const nativeDocument = runNativeDocument();
  for (const allocator of ALLOCATORS) {
    const { code, stderr, stdout, document } = runWasmJson([
      '--all',
      '--trim',
      'both',
      '--allocator',
      allocator,
    ]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '');
    assert.equal(schemaErrors(document), '');
    assert.equal(document.platform, 'wasm');
    assert.equal(document.allocator, allocator);
    assert.equal(document.page_bytes, WASM_PAGE);
    assert.equal(document.trim, 'mixed');
    assert.equal(document.runs.length, 2 * listedScenarios().length);
    document.runs.forEach((run, i) => {
      const twin = nativeDocument.runs[i];
      assert.equal(run.scenario, twin.scenario);
      assert.equal(run.trim, twin.trim);
      assert.deepEqual(run.params, twin.params);
      assert.deepEqual(
        run.samples.map((s) => [s.step, s.phase, s.label]),
        twin.samples.map((s) => [s.step, s.phase, s.label]),
      );
      for (const sample of run.samples) {
        assert.equal('rss_anon_bytes' in sample, false);
        assert.ok(sample.sbrk_bytes > 0);
      }
    });
  }
});

function runNativeDocument() {
  const file = join(tempDir(), 'native.json');
  const result = runNative(['--all', '--trim', 'both', '--quiet', '--json', file]);
  assert.equal(result.code, 0);
  return JSON.parse(readFileSync(file, 'utf8'));
}

test('environment: DISABLE_MALLOC_TRIM=1 and BUCKET_MODEL with ENABLE_CUSTOM_BUCKETS=1', () => {
  const { document } = runWasmJson(['--scenario', 'buckets'], {
    DISABLE_MALLOC_TRIM: '1',
    BUCKET_MODEL: '64K/32K',
    ENABLE_CUSTOM_BUCKETS: '1',
  });
  assert.equal(document.runs.length, 1);
  assert.equal(document.trim, 'disabled');
  assert.deepEqual(document.runs[0].params, { model: '64K/32K', load_percent: 80 });
  const ignored = runWasmJson(['--scenario', 'buckets'], { BUCKET_MODEL: '64K/32K' });
  assert.equal(ignored.document.runs[0].params.model, '1M/1M/1M');
});

test('the runner prints one table per run, like the native CLI', () => {
  const result = runWasm(['--scenario', 'simple', '--set', 'block_mib=8', '--trim', 'both']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  const headers = result.stdout.match(
    /^simple \(block_mib=8\), trim (enabled|disabled), wasm dlmalloc$/gm,
  );
  assert.equal(headers.length, 2);
  assert.match(result.stdout, /^ {4}1 {2}allocate +64\.00 +\d+\.\d\d +8\.00 .* malloc 8\.00 MiB$/m);
  assert.match(result.stdout, /malloc_trim returned 0 \(its own account, not a memory figure\)/);
});
