// Integration tests of build/trimlab on this machine: the reference measurement's native table
// (docs/reference-measurement.md), the results format, refusal of bad input, and what signals,
// dying children and failed writes leave behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { validateResults } from '../../web/results-validate.js';
import {
  MiB,
  childrenOf,
  isGone,
  isRunning,
  listedScenarios,
  nativeCli,
  root,
  runNative,
  runNativeJson,
  runOf,
  schemaErrors,
  startNative,
  tempDir,
  waitFor,
} from '../support/helpers.mjs';

const all = runNativeJson(['--all', '--trim', 'both']);
const released = (run) => run.summary.released_by_trim_bytes;

test('--all --trim both exits 0 and writes results that validate against the schema', () => {
  assert.equal(all.code, 0, all.stderr);
  assert.equal(schemaErrors(all.document), '');
  assert.equal(all.document.platform, 'native');
  assert.equal(all.document.trim, 'mixed');
  assert.equal(all.document.runs.length, 2 * listedScenarios().length);
});

test('cycles: malloc_trim releases the 10 MiB block the heap kept (reference measurement, Test 3)', () => {
  const run = runOf(all.document, 'cycles', 'enabled');
  assert.ok(Math.abs(released(run) - 10 * MiB) <= MiB, `released ${released(run) / MiB} MiB`);
  assert.equal(run.summary.trim_called, true);
});

test('simple and vector: free() already returned the memory, trim releases about 0 (reference measurement, Tests 1, 2)', () => {
  for (const scenario of ['simple', 'vector']) {
    const run = runOf(all.document, scenario, 'enabled');
    assert.ok(
      Math.abs(released(run)) < 0.5 * MiB,
      `${scenario} released ${released(run) / MiB} MiB`,
    );
    const peakGrowth = run.summary.peak_footprint_bytes - run.summary.baseline_footprint_bytes;
    assert.ok(
      peakGrowth > 0.9 * run.summary.peak_in_use_bytes - MiB,
      `${scenario} touched its memory`,
    );
  }
});

test('fragmented: malloc_trim releases most of the freed chunks that free() kept', () => {
  const run = runOf(all.document, 'fragmented', 'enabled');
  const freedBytes = (run.params.chunks - 1) * run.params.chunk_kib * 1024;
  assert.ok(released(run) >= 0.8 * freedBytes, `released ${released(run)} of ${freedBytes}`);
});

/** The last sample of each batch of a highwater run with batch_mib, by its label "batch K/N: ...". */
function batchEnds(run) {
  const batchOf = (sample) => /^batch (\d+)\/\d+: /.exec(sample.label)?.[1];
  return run.samples.filter((s, i) => batchOf(s) && batchOf(s) !== batchOf(run.samples[i + 1]));
}

test('highwater batch_mib=30 of total_mib=300: ten batches, one held at a time; the RSS falls back after each, trim on and off', () => {
  const { code, stderr, document } = runNativeJson([
    '--scenario',
    'highwater',
    '--set',
    'total_mib=300',
    '--set',
    'batch_mib=30',
    '--trim',
    'both',
  ]);
  assert.equal(code, 0, stderr);
  assert.equal(schemaErrors(document), '');
  for (const run of document.runs) {
    assert.deepEqual(run.params, { total_mib: 300, chunk_kib: 64, batch_mib: 30 });
    const baseline = run.samples[0].footprint_bytes;
    const growth = run.summary.peak_footprint_bytes - baseline;
    assert.ok(growth >= 30 * MiB && growth <= 32 * MiB, `${run.trim}: peak +${growth / MiB} MiB`);
    const ends = batchEnds(run);
    assert.equal(ends.length, 10, run.trim);
    ends.forEach((sample, i) => {
      assert.equal(sample.label, `batch ${i + 1}/10: free chunks 449-480 of 480`);
      assert.ok(
        sample.footprint_bytes <= baseline + MiB,
        `${run.trim}, after batch ${i + 1}: ${sample.footprint_bytes / MiB} MiB, baseline ${baseline / MiB}`,
      );
    });
  }
  // The default is one batch: the whole total is held at the peak (all's default highwater).
  const whole = runOf(all.document, 'highwater', 'enabled');
  assert.equal(whole.params.batch_mib, 2048);
  const growth = whole.summary.peak_footprint_bytes - whole.samples[0].footprint_bytes;
  assert.ok(growth >= whole.params.total_mib * MiB, `default: peak +${growth / MiB} MiB`);
  assert.equal(batchEnds(whole).length, 0);
});

test('highwater batch_mib out of its range 1..2048 is refused with one line, exit 2', () => {
  for (const value of ['0', '2049']) {
    const { code, stdout, stderr } = runNative([
      '--scenario',
      'highwater',
      '--set',
      `batch_mib=${value}`,
    ]);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, `trimlab: batch_mib=${value} is out of range (allowed 1..2048 MiB)\n`);
  }
});

test("trim disabled: after the trim step the footprint is trim on's before it, in every scenario", () => {
  for (const off of all.document.runs.filter((r) => r.trim === 'disabled')) {
    assert.equal(off.summary.trim_called, false);
    assert.equal(off.summary.trim_returned, null);
    assert.match(off.samples.find((s) => s.phase === 'trim').label, /skipped/);
    // Another process, the same scenario: trim off keeps what trim on had before trimming.
    const on = runOf(all.document, off.scenario, 'enabled');
    const gap = off.summary.after_trim_bytes - on.summary.before_trim_bytes;
    assert.ok(Math.abs(gap) <= 256 * 1024, `${off.scenario}: ${gap} bytes apart`);
  }
  // Where trim releases something, trim off's footprint after the step is not trim on's.
  for (const scenario of ['cycles', 'fragmented']) {
    const kept =
      runOf(all.document, scenario, 'disabled').summary.after_trim_bytes -
      runOf(all.document, scenario, 'enabled').summary.after_trim_bytes;
    assert.ok(kept >= 8 * MiB, `${scenario}: trim off kept ${kept / MiB} MiB more than trim on`);
  }
});

test('every run steps baseline first, then its own phases, then trim and final', () => {
  for (const run of all.document.runs) {
    const phases = run.samples.map((s) => s.phase);
    assert.equal(phases[0], 'baseline');
    assert.deepEqual(phases.slice(-2), ['trim', 'final']);
    for (const phase of phases.slice(1, -2))
      assert.ok(['allocate', 'fill', 'free'].includes(phase));
    run.samples.forEach((sample, i) => assert.equal(sample.step, i));
  }
});

test('DISABLE_MALLOC_TRIM=1 works like --no-trim', () => {
  const { code, document } = runNativeJson(['--scenario', 'cycles'], { DISABLE_MALLOC_TRIM: '1' });
  assert.equal(code, 0);
  assert.equal(document.trim, 'disabled');
  assert.equal(document.runs[0].summary.trim_called, false);
});

test("the reference measurement's interface: BUCKET_MODEL=8M/8M/8M ENABLE_CUSTOM_BUCKETS=1 runs buckets with that model", () => {
  const { code, document } = runNativeJson(['--scenario', 'buckets'], {
    BUCKET_MODEL: '8M/8M/8M',
    ENABLE_CUSTOM_BUCKETS: '1',
  });
  assert.equal(code, 0);
  const run = document.runs[0];
  assert.equal(run.params.model, '8M/8M/8M');
  assert.equal(run.outcome, 'completed');
  // Three live sets of 8M 8-byte buckets: 192 MiB stay resident to the end.
  assert.ok(run.summary.final_footprint_bytes >= 192 * MiB);
});

test('BUCKET_MODEL without ENABLE_CUSTOM_BUCKETS=1 leaves the default model', () => {
  const { document } = runNativeJson(['--scenario', 'buckets', '--set', 'model=1K/1K'], {});
  assert.equal(document.runs[0].params.model, '1K/1K');
  const plain = runNativeJson(['--scenario', 'buckets', '--set', 'load_percent=10'], {
    BUCKET_MODEL: '2K',
  });
  assert.equal(plain.document.runs[0].params.model, '1M/1M/1M');
});

test('--list names every scenario with its parameters, defaults and bounds', () => {
  const { code, stdout } = runNative(['--list']);
  assert.equal(code, 0);
  for (const name of ['simple', 'vector', 'cycles', 'buckets', 'fragmented', 'highwater'])
    assert.match(stdout, new RegExp(`^${name} `, 'm'));
  assert.match(stdout, /block_mib +default 50 .*\(1\.\.1024 MiB\)/);
});

test('a run prints a readable table ending in the trim summary', () => {
  const { code, stdout } = runNative(['--scenario', 'simple', '--set', 'block_mib=8']);
  assert.equal(code, 0);
  assert.match(stdout, /^simple \(block_mib=8\), trim enabled$/m);
  assert.match(stdout, /released by trim -?\d+\.\d\d MiB; malloc_trim returned [01]/);
});

test('out of memory under a lowered address-space limit: exit 3, oom outcome, valid partial results', () => {
  const dir = tempDir();
  const file = join(dir, 'oom.json');
  const result = spawnSync(
    'sh',
    [
      '-c',
      `ulimit -v 262144; exec "${nativeCli}" --scenario highwater --set total_mib=1024 --quiet --json "${file}"`,
    ],
    { encoding: 'utf8', env: { ...process.env, DISABLE_MALLOC_TRIM: '' } },
  );
  assert.equal(result.status, 3, result.stderr);
  const document = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(schemaErrors(document), '');
  const run = document.runs[0];
  assert.equal(run.outcome, 'oom');
  assert.match(run.error, /out of memory/);
  assert.equal(run.samples.at(-1).phase, 'final');
  assert.ok(run.samples.at(-1).in_use_bytes < MiB, 'the run freed what it held');
});

const badInputs = [
  [['--scenario', 'nosuch'], /unknown scenario 'nosuch' \(allowed: simple, vector/],
  [
    ['--scenario', 'simple', '--set', 'size=5'],
    /unknown parameter 'size' for scenario simple \(allowed: block_mib\)/,
  ],
  [
    ['--scenario', 'simple', '--set', 'block_mib=abc'],
    /block_mib='abc' is not a whole number \(allowed 1\.\.1024 MiB\)/,
  ],
  [['--scenario', 'simple', '--set', 'block_mib=-5'], /block_mib='-5' is not a whole number/],
  [
    ['--scenario', 'simple', '--set', 'block_mib=0'],
    /block_mib=0 is out of range \(allowed 1\.\.1024 MiB\)/,
  ],
  [
    ['--scenario', 'cycles', '--set', 'cycles=101'],
    /cycles=101 is out of range \(allowed 1\.\.100 count\)/,
  ],
  [
    ['--scenario', 'simple', '--set', 'block_mib=99999999999999999999999'],
    /block_mib='99999999999999999999999' is not a whole number/,
  ],
  [['--scenario', 'simple', '--set', 'block_mib'], /'block_mib' is not KEY=VALUE/],
  [
    ['--scenario', 'buckets', '--set', 'model=8M//8M'],
    /model='8M\/\/8M' is not a bucket model: depth 2 is empty \(allowed: 1 to 8 powers of two/,
  ],
  [
    ['--scenario', 'buckets', '--set', 'model=3M'],
    /model='3M' is not a bucket model: depth 1 is not a power of two/,
  ],
  [
    ['--scenario', 'buckets', '--set', 'model=0/1M'],
    /model='0\/1M' is not a bucket model: depth 1 is not a power of two/,
  ],
  [
    ['--scenario', 'buckets', '--set', 'model=99999999999G'],
    /model='99999999999G' is not a bucket model/,
  ],
  [['--scenario', 'buckets', '--set', 'model=1K/1K/1K/1K/1K/1K/1K/1K/1K'], /more than 8 depths/],
  [
    ['--scenario', 'simple', '--trim', 'maybe'],
    /--trim 'maybe' is not allowed \(allowed: on, off, both\)/,
  ],
  [['--frobnicate'], /unknown option '--frobnicate' \(allowed: --list/],
  [['--all', '--set', 'cycles=2'], /--set 'cycles=2' needs --scenario/],
  [['--scenario'], /--scenario needs a value/],
  [[], /nothing to do/],
  // A single-valued option given twice is refused, naming both values (it once took the last).
  [
    ['--scenario', 'simple', '--trim', 'on', '--trim', 'off'],
    /--trim given twice \('on' and 'off'\)/,
  ],
  [
    ['--no-trim', '--scenario', 'simple', '--trim', 'on'],
    /--no-trim and --trim 'on' exclude each other/,
  ],
  [
    ['--scenario', 'simple', '--json', 'other.json'],
    /--json given twice \('[^']*never\.json' and 'other\.json'\)/,
  ],
  // --list takes nothing a run would (it once listed and exited 0).
  [['--list', '--scenario', 'nope'], /--list takes no other option/],
];

for (const [args, message] of badInputs) {
  test(`bad input ${JSON.stringify(args)} exits 2 with one line and runs nothing`, () => {
    const file = join(tempDir(), 'never.json');
    const { code, stdout, stderr } = runNative(['--json', file, ...args]);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^trimlab: [^\n]+\n$/);
    assert.match(stderr, message);
    assert.equal(existsSync(file), false, 'no results file is written');
  });
}

test('ENABLE_CUSTOM_BUCKETS and DISABLE_MALLOC_TRIM take true/yes/on in any case (true was ignored)', () => {
  for (const spelling of ['true', 'YES', 'On']) {
    const { code, document } = runNativeJson(['--scenario', 'buckets'], {
      BUCKET_MODEL: '2K/4K',
      ENABLE_CUSTOM_BUCKETS: spelling,
      DISABLE_MALLOC_TRIM: spelling,
    });
    assert.equal(code, 0);
    assert.equal(document.runs[0].params.model, '2K/4K', spelling);
    assert.equal(document.runs[0].trim, 'disabled', spelling);
  }
});

test('a switch variable that is neither on nor off exits 2 naming the variable and the spellings', () => {
  for (const name of ['ENABLE_CUSTOM_BUCKETS', 'DISABLE_MALLOC_TRIM']) {
    const { code, stdout, stderr } = runNative(['--scenario', 'simple', '--set', 'block_mib=1'], {
      [name]: 'maybe',
    });
    assert.equal(code, 2, name);
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      `trimlab: ${name}='maybe' is not allowed ` +
        '(allowed: 1, true, yes, on, 0, false, no, off or empty, any case)\n',
    );
  }
});

test('--help of the CLI and of each subcommand documents its exit codes', () => {
  const agreed = {
    '': [
      /\b0 +every run completed/,
      /\b1 +a run failed/,
      /\b2 +bad input/,
      /\b3 +a run ended out of memory/,
      /128\+N +stopped by\s+signal N/,
    ],
    replay: [
      /\b0 every replay completed/,
      /\b1 a replay failed/,
      /\b2 bad input or a bad trace/,
      /\b3 a replay ended out of memory/,
      /128\+N stopped by\s+signal N/,
    ],
    'trace-info': [
      /\b0 printed/,
      /\b2 bad input, or a trace that cannot be read/,
      /\b3 out of memory/,
    ],
    record: [
      /the program's own/,
      /128\+N when signal N killed it/,
      /\b2 bad\s+input/,
      /\b1 the\s+recorder library is missing/,
    ],
  };
  for (const [command, codes] of Object.entries(agreed)) {
    const { code, stdout, stderr } = runNative([...(command ? [command] : []), '--help']);
    assert.equal(code, 0, command);
    assert.equal(stderr, '');
    assert.match(stdout, /^Usage: trimlab/);
    for (const documented of codes)
      assert.match(stdout, documented, `${command || 'trimlab'} --help`);
  }
  // The main --help holds each command's own --help after its "Usage:" line: trimlab(1) is made
  // from it.
  const main = runNative(['--help']).stdout;
  for (const command of ['record', 'trace-info', 'replay']) {
    const own = runNative([command, '--help']).stdout;
    assert.ok(main.includes(own.slice(own.indexOf('\n') + 1)), `${command}'s section`);
  }
});

test('a bad BUCKET_MODEL in the environment exits 2 naming the variable', () => {
  const { code, stderr } = runNative(['--scenario', 'buckets'], {
    BUCKET_MODEL: '8M//8M',
    ENABLE_CUSTOM_BUCKETS: '1',
  });
  assert.equal(code, 2);
  assert.match(stderr, /^trimlab: BUCKET_MODEL: model='8M\/\/8M' is not a bucket model/);
});

// ---- one line means one line ----

/** Runs build/trimlab with bytes kept as bytes, in a scratch folder (a refused run writes
 * nothing; code before the fix could, and this keeps it out of the repository). */
function runBytes(args, env = {}) {
  const result = spawnSync(nativeCli, args, {
    cwd: scratch,
    env: {
      ...process.env,
      DISABLE_MALLOC_TRIM: '',
      BUCKET_MODEL: '',
      ENABLE_CUSTOM_BUCKETS: '',
      ...env,
    },
    maxBuffer: 16 * MiB,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Why `bytes` is not one clean line of at most `limit` bytes ('' when it is): exactly one
 * newline, at the end; no C0 control, DEL or C1 control (U+0080..U+009F in UTF-8) before it. */
function lineProblem(bytes, limit = 512) {
  if (bytes.length === 0 || bytes.at(-1) !== 0x0a) return 'no final newline';
  if (bytes.length > limit) return `${bytes.length} bytes, more than ${limit}`;
  for (let i = 0; i < bytes.length - 1; i++) {
    const b = bytes[i];
    if (b < 0x20 || b === 0x7f || (b === 0xc2 && bytes[i + 1] >= 0x80 && bytes[i + 1] <= 0x9f))
      return `byte 0x${b.toString(16)} at ${i}`;
  }
  return '';
}

const scratch = tempDir();
const goodTrace = join(root, 'tests', 'replay', 'good.trace');
// Newline, ESC, a CSI sequence, a C1 CSI (U+009B, bytes c2 9b), DEL, and 128 KiB (less a little,
// so that every argument and variable stays under the kernel's 128 KiB limit for one string).
const hostileValues = [
  'a\nb',
  'a\x1bb',
  '\x1b[2J',
  'x\u009b31m',
  'd\x7f',
  'h'.repeat(128 * 1024 - 64),
];
// Every place the native CLI echoes a value it was given: [argv, env] with V for the value.
const echoPlaces = [
  [['--scenario', 'V']],
  [['--scenario', 'simple', '--set', 'V']],
  [['--scenario', 'simple', '--set', 'block_mib=V']],
  [['--scenario', 'simple', '--set', 'V=1']],
  [['--scenario', 'buckets', '--set', 'model=V']],
  [['--scenario', 'simple', '--trim', 'V']],
  [['--all', '--scenario', 'V']],
  [['--all', '--set', 'V']],
  [['--scenario', 'V', '--scenario', 'simple']],
  [['--scenario', 'simple', '--set', 'block_mib=1', '--json', 'a.json', '--json', 'V']],
  [['--scenario', 'simple', '--set', 'block_mib=1', '--trim', 'V', '--no-trim']],
  [['V']],
  [['--V']],
  [['--scenario', 'simple', '--json', '/nonexistent/V']],
  [['--scenario', 'buckets'], { BUCKET_MODEL: 'V', ENABLE_CUSTOM_BUCKETS: '1' }],
  [['--scenario', 'simple', '--set', 'block_mib=1'], { ENABLE_CUSTOM_BUCKETS: 'V' }],
  [['--scenario', 'simple', '--set', 'block_mib=1'], { DISABLE_MALLOC_TRIM: 'V' }],
  [['replay', '/nonexistent/V']],
  [['replay', goodTrace, '--trim', 'V']],
  [['replay', goodTrace, '--V']],
  [['replay', goodTrace, 'V']],
  [['replay', goodTrace, '--set', 'V']],
  [['replay', goodTrace, '--json', '/nonexistent/V']],
  [['replay', goodTrace, '--json', 'a.json', '--json', 'V']],
  [['replay', goodTrace], { DISABLE_MALLOC_TRIM: 'V' }],
  [['trace-info', '/nonexistent/V']],
  [['trace-info', goodTrace, 'V']],
  [['trace-info', '-V']],
  [['record', '-o', '/nonexistent/V', '--', 'true']],
  [['record', '-V']],
  [['record', '-o', 'x.trace', 'V']],
  [['record', '-o', 'x.trace', '--', 'no-such-program-V']],
  [['record', '-o', 'a.trace', '-o', 'V', '--', 'true']],
  [['record', '-o', 'r.trace', '--', 'true'], { TRIMLAB_RECORD_LIB: '/nonexistent/V' }],
];

test('every echoed value, however hostile, gives exactly one clean line of bounded length, exit 2', () => {
  const problems = [];
  for (const value of hostileValues) {
    const put = (text) => text.replace('V', value);
    for (const [args, env = {}] of echoPlaces) {
      const withValue = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, put(v)]));
      const result = runBytes(args.map(put), withValue);
      const problem = result.code !== 2 ? `exit ${result.code}` : lineProblem(result.stderr);
      if (problem || result.stdout.length)
        problems.push(
          `${JSON.stringify([args, env])} with ${JSON.stringify(value.slice(0, 8))}: ` +
            `${problem || 'output on stdout'}: ${JSON.stringify(result.stderr.toString().slice(0, 200))}`,
        );
    }
  }
  assert.deepEqual(problems, []);
});

test('a long value is cut to 64 bytes and its length given', () => {
  const value = 'h'.repeat(100000);
  const { code, stderr } = runBytes(['--scenario', value]);
  assert.equal(code, 2);
  assert.equal(
    stderr.toString(),
    `trimlab: unknown scenario '${'h'.repeat(64)}... (100000 bytes)' ` +
      `(allowed: ${listedScenarios().join(', ')})\n`,
  );
});

// ---- output files, signals, children ----

// A run that takes many seconds (100 cycles of 64 MiB), so a test can act while its child runs.
const SLOW = ['--scenario', 'cycles', '--set', 'cycles=100', '--set', 'block_mib=64'];
const OLD = '{"old": "results a run must not destroy"}\n';

/** A fresh folder holding r.json with OLD in it. */
function folderWithOldResults() {
  const dir = tempDir();
  writeFileSync(join(dir, 'r.json'), OLD);
  return { dir, file: join(dir, 'r.json') };
}

/** The next child of `run` not in `seen` (its run's process), once it exists. */
const nextChild = (run, seen = []) =>
  waitFor(() => childrenOf(run.pid).find((pid) => !seen.includes(pid)), 'a child of trimlab');

for (const target of ['trimlab', 'its process group']) {
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    test(`${signal} to ${target} during a run: the child stopped and reaped, old results untouched, exit 128+${constants.signals[signal]}`, async () => {
      const { dir, file } = folderWithOldResults();
      const run = startNative([...SLOW, '--trim', 'both', '--quiet', '--json', file]);
      const child = await nextChild(run);
      process.kill(target === 'trimlab' ? run.pid : -run.pid, signal);
      const { code, stderr } = await run.closed;
      assert.equal(code, 128 + constants.signals[signal], `exit ${code}: ${stderr}`);
      assert.equal(
        isGone(child),
        true,
        `the child ${child} was left ${isRunning(child) ? 'running' : 'unreaped'}`,
      );
      assert.equal(readFileSync(file, 'utf8'), OLD);
      assert.deepEqual(readdirSync(dir), ['r.json'], 'the temporary file was removed');
      rmSync(dir, { recursive: true });
    });
  }
}

test('SIGKILL to trimlab during a run: its child dies with it, the old results stay', async (t) => {
  const { dir, file } = folderWithOldResults();
  const run = startNative([...SLOW, '--quiet', '--json', file]);
  const child = await nextChild(run);
  t.after(() => {
    if (isRunning(child)) process.kill(child, 'SIGKILL');
    rmSync(dir, { recursive: true });
  });
  run.kill('SIGKILL');
  await run.closed;
  await waitFor(() => !isRunning(child), `the child ${child} to end with its parent`, 10).catch(
    () => {},
  );
  assert.equal(isRunning(child), false, 'the child outlived trimlab');
  assert.equal(readFileSync(file, 'utf8'), OLD);
});

test('each child killed by SIGKILL (as the OOM killer does): failed runs naming the signal, valid results, exit 1', async () => {
  const { dir, file } = folderWithOldResults();
  const run = startNative([...SLOW, '--trim', 'both', '--quiet', '--json', file]);
  const killed = [];
  for (let i = 0; i < 2; i++) {
    const child = await nextChild(run, killed);
    process.kill(child, 'SIGKILL');
    killed.push(child);
  }
  const { code, stderr } = await run.closed;
  assert.equal(code, 1, stderr);
  assert.deepEqual(stderr.split('\n').filter(Boolean), [
    'trimlab: scenario cycles, trim enabled: killed by signal 9 (SIGKILL)',
    'trimlab: scenario cycles, trim disabled: killed by signal 9 (SIGKILL)',
  ]);
  const text = readFileSync(file, 'utf8');
  const document = JSON.parse(text);
  assert.equal(schemaErrors(document), '');
  const verdict = validateResults(text, { platform: 'native' });
  assert.equal(verdict.ok, true, verdict.message);
  assert.deepEqual(
    document.runs.map((r) => r.trim),
    ['enabled', 'disabled'],
  );
  for (const failed of document.runs) {
    assert.equal(failed.scenario, 'cycles');
    assert.deepEqual(failed.params, { cycles: 100, block_mib: 64 });
    assert.equal(failed.outcome, 'failed');
    assert.equal(failed.error, 'killed by signal 9 (SIGKILL)');
    assert.deepEqual(failed.samples, []);
    assert.equal(failed.summary.trim_called, false);
    for (const [name, value] of Object.entries(failed.summary))
      if (name !== 'trim_called') assert.ok(value === 0 || value === null, `${name} is ${value}`);
  }
  rmSync(dir, { recursive: true });
});

for (const target of ['/dev/full', '/proc/version']) {
  test(`--json ${target}: refused with one line before anything runs, exit 2`, () => {
    const { code, stdout, stderr } = runNative([
      '--scenario',
      'simple',
      '--set',
      'block_mib=1',
      '--json',
      target,
    ]);
    assert.equal(code, 2, stderr);
    assert.equal(stdout, '', 'a run printed its table');
    assert.match(stderr, new RegExp(`^trimlab: --json '${target}' cannot be written: [^\n]+\n$`));
  });
}

test('--json /dev/full stays a device (never renamed over)', () => {
  runNative(['--scenario', 'simple', '--set', 'block_mib=1', '--json', '/dev/full']);
  assert.equal(statSync('/dev/full').isCharacterDevice(), true);
});

test('a write error at the end (a file size limit): exit 1, one line, old results untouched, nothing left', () => {
  const { dir, file } = folderWithOldResults();
  // 16 blocks of 512 bytes: far less than --all's results. XFSZ ignored: write() fails instead.
  const result = spawnSync(
    'sh',
    ['-c', `ulimit -f 16; trap '' XFSZ; exec "${nativeCli}" --all --quiet --json "${file}"`],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 1, result.stderr);
  assert.equal(result.stderr, `trimlab: writing --json '${file}' failed: File too large\n`);
  assert.equal(readFileSync(file, 'utf8'), OLD);
  assert.deepEqual(readdirSync(dir), ['r.json']);
  rmSync(dir, { recursive: true });
});
