// The Node tools as a user meets them (tools/run-wasm.mjs, tools/trace-report.mjs, and the
// arguments of tools/bench-lifecycle.mjs; and how tools/browser.mjs collects in Chromium): the same
// answer as build/trimlab for any argument list, one clean line for every message whatever the
// value in it, no stack trace ever, and output files that are written whole or not at all (an
// existing file survives SIGINT, SIGTERM and SIGHUP; a target that cannot be written is refused
// before anything runs). Build first: `make wasm native` (make test-node does it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

import { root, runNative, tempDir } from '../support/helpers.mjs';
import { collectChromium } from '../../tools/browser.mjs';

const runner = join(root, 'tools', 'run-wasm.mjs');
const traceReport = join(root, 'tools', 'trace-report.mjs');
const goodTrace = join(root, 'tests', 'replay', 'good.trace');
const OLD = 'the results of an earlier run\n';
const env = {
  ...process.env,
  DISABLE_MALLOC_TRIM: '',
  BUCKET_MODEL: '',
  ENABLE_CUSTOM_BUCKETS: '',
};
/** Linux's longest single argument (MAX_ARG_STRLEN, 128 KiB with its NUL) less a little. */
const HUGE = 131_000;

function run(script, args, options = {}) {
  const result = spawnSync(process.execPath, [script, ...args], {
    encoding: 'utf8',
    env,
    ...options,
  });
  return {
    code: result.status,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

const runWasm = (args) => run(runner, args);

/** Exactly one line on stderr: no control character but its final newline, no C1 control, and
 *  bounded however long the values in it were. */
function assertOneCleanLine(stderr, what) {
  assert.match(
    stderr,
    /^[^\n]*\n$/,
    `${what}: not one line: ${JSON.stringify(stderr.slice(0, 300))}`,
  );
  assert.doesNotMatch(
    stderr.slice(0, -1),
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    /[\u0000-\u001f\u007f-\u009f]/,
    `${what}: a control character`,
  );
  assert.ok(Buffer.byteLength(stderr) < 400, `${what}: ${Buffer.byteLength(stderr)} bytes`);
  assert.doesNotMatch(stderr, /^\s+at /m, `${what}: a stack trace`);
}

// ---- the same answer as build/trimlab ----

const sets = (count) => Array.from({ length: count }, () => ['--set', 'block_mib=1']).flat();
const PARITY = [
  ['32 × --set (the native limit)', ['--scenario', 'simple', ...sets(32), '--quiet']],
  ['33 × --set', ['--scenario', 'simple', ...sets(33), '--quiet']],
  ['70 × --quiet', ['--scenario', 'simple', '--set', 'block_mib=1', ...Array(70).fill('--quiet')]],
  [
    '300 arguments, the last one bad',
    ['--scenario', 'simple', '--set', 'block_mib=1', ...Array(296).fill('--quiet'), '--bogus'],
  ],
  [
    '--trim both, 40 × --quiet',
    [
      '--scenario',
      'cycles',
      '--set',
      'cycles=1',
      '--set',
      'block_mib=1',
      '--trim',
      'both',
      ...Array(40).fill('--quiet'),
    ],
  ],
  ['an unknown option', ['--bogus']],
  ['a newline and ESC in a scenario name', ['--scenario', 'x\ny\u001b[2J']],
  ['a 16,400-character scenario name', ['--scenario', 'a'.repeat(16_400)]],
  ['a value out of bounds', ['--scenario', 'simple', '--set', 'block_mib=0']],
  ['no arguments', []],
];

test('any argument list: the same exit code and stderr as build/trimlab', () => {
  for (const [what, args] of PARITY) {
    const native = runNative(args);
    const wasm = runWasm(args);
    assert.equal(wasm.code, native.code, `${what}: ${wasm.stderr}`);
    assert.equal(wasm.stderr, native.stderr, what);
  }
});

test('an output file that cannot be written: the same refusal as build/trimlab', () => {
  // The Node runner once worded these its own way ("not a regular file", "Is a directory").
  const trace = join(tempDir(), 'self.trace');
  copyFileSync(goodTrace, trace);
  const simple = ['--scenario', 'simple', '--set', 'block_mib=1', '--quiet', '--json'];
  const cases = [
    [
      [...simple, '/dev/full'],
      [...simple, '/dev/full'],
    ],
    [
      [...simple, '/proc/version'],
      [...simple, '/proc/version'],
    ],
    [
      [...simple, tmpdir()],
      [...simple, tmpdir()],
    ],
    [
      [...simple, `${join(tmpdir(), 'no-such-folder')}/`],
      [...simple, `${join(tmpdir(), 'no-such-folder')}/`],
    ],
    [
      [...simple, '/nonexistent/r.json'],
      [...simple, '/nonexistent/r.json'],
    ],
    [
      ['replay', trace, '--json', trace],
      ['--replay', trace, '--json', trace],
    ],
  ];
  for (const [nativeArgs, wasmArgs] of cases) {
    const native = runNative(nativeArgs);
    const wasm = runWasm(wasmArgs);
    assert.equal(native.code, 2, native.stderr);
    assert.equal(wasm.code, 2, wasm.stderr);
    assert.equal(wasm.stderr, native.stderr);
  }
  assert.deepEqual(readFileSync(trace), readFileSync(goodTrace));
});

test('a --json path of any length or content: exit 2 with one line, nothing run', () => {
  const dir = tempDir();
  const paths = {
    '16,400 characters': join(dir, 'a'.repeat(16_400)),
    '2,700 control characters': join(dir, '\u0001'.repeat(2_700)),
    '16,400 characters of folders': join(dir, ...Array(1_640).fill('abcdefghi'), 'r.json'),
  };
  for (const [what, path] of Object.entries(paths)) {
    const wasm = runWasm(['--scenario', 'simple', '--set', 'block_mib=1', '--json', path]);
    assert.equal(wasm.code, 2, `${what}: ${wasm.stderr}`);
    assertOneCleanLine(wasm.stderr, what);
    assert.match(
      wasm.stderr,
      /^trimlab: --json '.*\.\.\. \(\d+ bytes\)' cannot be written: /,
      what,
    );
    assert.equal(wasm.stdout, '', `${what}: something ran`);
    assert.equal(runNative(['--scenario', 'simple', '--json', path]).code, 2, what);
  }
  assert.deepEqual(readdirSync(dir), []);
  rmSync(dir, { recursive: true, force: true });
});

// ---- one line means one line ----

const HOSTILE = {
  newline: 'a\nb',
  ESC: 'a\u001bb',
  CSI: 'a\u001b[2Jb',
  C1: 'a\u009bb',
  DEL: 'a\u007fb',
  '128 KiB': 'x'.repeat(HUGE),
};

test('hostile values in --json, --allocator, --replay and trace-report options: one clean line', () => {
  const dir = tempDir();
  for (const [name, value] of Object.entries(HOSTILE)) {
    const places = {
      '--json': runWasm(['--scenario', 'simple', '--json', join(dir, 'none', value)]),
      '--allocator': runWasm(['--allocator', value, '--scenario', 'simple']),
      '--replay': runWasm(['--replay', join(dir, value)]),
      '--replay --json': runWasm(['--replay', goodTrace, '--json', join(dir, 'none', value)]),
      'trace-report option': run(traceReport, [`--${value}`]),
      'trace-report --out': run(traceReport, [goodTrace, '--out', join('/dev/null', value)]),
    };
    for (const [place, result] of Object.entries(places)) {
      assert.equal(result.code, 2, `${place} ${name}: ${result.stderr}`);
      assertOneCleanLine(result.stderr, `${place} ${name}`);
      assert.equal(result.stdout, '', `${place} ${name}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

test('a module that cannot be loaded: one line, exit 1, no stack trace', () => {
  // A copy of the runner beside a truncated module: what a broken build looks like.
  const dir = tempDir();
  mkdirSync(join(dir, 'tools'));
  mkdirSync(join(dir, 'web', 'gen'), { recursive: true });
  for (const file of ['run-wasm.mjs', 'output-file.mjs', 'stop.mjs'])
    copyFileSync(join(root, 'tools', file), join(dir, 'tools', file));
  for (const file of [
    'message.js',
    'memory-map.js',
    'trimlab-api.js',
    'units.js',
    'gen/trimlab.js',
    'gen/wasm-api.js',
  ])
    copyFileSync(join(root, 'web', file), join(dir, 'web', file));
  writeFileSync(
    join(dir, 'web', 'gen', 'trimlab.wasm'),
    readFileSync(join(root, 'web', 'gen', 'trimlab.wasm')).subarray(0, 1000),
  );
  const result = run(join(dir, 'tools', 'run-wasm.mjs'), ['--scenario', 'simple']);
  assert.equal(result.code, 1, result.stderr);
  assertOneCleanLine(result.stderr, 'broken module');
  assert.match(result.stderr, /^trimlab: internal error: .*CompileError/);
  rmSync(dir, { recursive: true, force: true });
});

// ---- output files: whole or not at all ----

/** Starts `script` with `args`, waits until ready(child), sends `signal` and resolves with how it
 *  ended. */
async function interrupted(script, args, signal, ready, extraEnv = {}) {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) =>
    child.once('exit', (code, sig) => resolve({ code, sig })),
  );
  let ended = null;
  exited.then((how) => (ended = how));
  while (!ready(child) && ended === null) await sleep(10);
  assert.equal(ended, null, `it ended before the signal: ${stderr}`);
  child.kill(signal);
  const { code, sig } = await exited;
  return { code, signal: sig, stderr, pid: child.pid };
}

const tempFiles = (dir) => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  test(`run-wasm --json, stopped by ${signal}: exit 128+N, the old file intact, no temporary file`, async () => {
    const dir = tempDir();
    const file = join(dir, 'r.json');
    writeFileSync(file, OLD);
    // About 5 s of runs; the signal comes as soon as the temporary file exists (it is made
    // before the first run).
    const result = await interrupted(
      runner,
      [
        '--scenario',
        'cycles',
        '--set',
        'cycles=100',
        '--set',
        'block_mib=400',
        '--trim',
        'both',
        '--quiet',
        '--json',
        file,
      ],
      signal,
      () => tempFiles(dir).length > 0,
    );
    assert.equal(result.code, 128 + constants.signals[signal], result.stderr);
    assert.equal(readFileSync(file, 'utf8'), OLD);
    assert.deepEqual(readdirSync(dir), ['r.json']);
    rmSync(dir, { recursive: true, force: true });
  });
}

test('the stop handlers are in place before the temporary file exists', () => {
  // The tests above send their signal as soon as the temporary file appears. In a child whose
  // openSync reports, once it has made a file, how many handlers each stop signal has: a signal
  // at that moment must be handled (removing the file), not end the process as by default.
  const dir = tempDir();
  const outputFile = pathToFileURL(join(root, 'tools', 'output-file.mjs')).href;
  const script = `
    import fs from 'node:fs';
    import { syncBuiltinESMExports } from 'node:module';
    const open = fs.openSync;
    fs.openSync = (...args) => {
      const fd = open(...args);
      const handled = ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s));
      console.log(JSON.stringify({ path: String(args[0]), handled }));
      return fd;
    };
    syncBuiltinESMExports();
    const { openOutput } = await import(${JSON.stringify(outputFile)});
    openOutput(process.argv[1]).discard();
  `;
  const result = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', script, join(dir, 'r.json')],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  const opened = result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const temporary = opened.filter(({ path }) => path.endsWith('.tmp'));
  assert.equal(temporary.length, 1, result.stdout);
  assert.deepEqual(temporary[0].handled, [1, 1, 1], 'SIGINT, SIGTERM, SIGHUP handlers');
  assert.deepEqual(readdirSync(dir), [], 'discard() left a file');
});

test('run-wasm --json: an existing target that is not a regular file is refused before anything runs', () => {
  const dir = tempDir();
  for (const [target, reason] of [
    ['/dev/full', 'it exists and is not a regular file'],
    [dir, 'it exists and is not a regular file'],
    [`${join(dir, 'r.json')}/`, 'it names a folder, not a file'],
  ]) {
    for (const args of [
      ['--scenario', 'simple', '--set', 'block_mib=1'],
      ['--replay', goodTrace],
    ]) {
      const result = runWasm([...args, '--json', target]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stderr, `trimlab: --json '${target}' cannot be written: ${reason}\n`);
      assert.equal(result.stdout, '', 'something ran');
    }
  }
  assert.deepEqual(readdirSync(dir), []);
  rmSync(dir, { recursive: true, force: true });
});

test('run-wasm --json: complete results replace the old file, also through a symlink', () => {
  const dir = tempDir();
  const file = join(dir, 'r.json');
  writeFileSync(file, OLD);
  symlinkSync('r.json', join(dir, 'link.json'));
  for (const target of [file, join(dir, 'link.json')]) {
    const result = runWasm([
      '--scenario',
      'simple',
      '--set',
      'block_mib=1',
      '--quiet',
      '--json',
      target,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).runs[0].params.block_mib, 1);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['link.json', 'r.json']);
  rmSync(dir, { recursive: true, force: true });
});

test('run-wasm --replay T --json T is refused: the results would replace the trace', () => {
  const dir = tempDir();
  const trace = join(dir, 'copy.trace');
  copyFileSync(goodTrace, trace);
  symlinkSync('copy.trace', join(dir, 'other-name.json'));
  for (const json of [trace, join(dir, 'other-name.json')]) {
    const result = runWasm(['--replay', trace, '--json', json]);
    assert.equal(result.code, 2, result.stderr);
    assertOneCleanLine(result.stderr, json);
    assert.match(result.stderr, /it is the input file, which the output would replace/);
  }
  assert.deepEqual(readFileSync(trace), readFileSync(goodTrace));
  rmSync(dir, { recursive: true, force: true });
});

/** The children of a process (Linux: /proc/PID/task/PID/children). */
function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

const commandOf = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
};

test('trace-report stopped by SIGTERM passes it to its producer, waits for it, keeps old files', async () => {
  const out = tempDir();
  const dir = join(out, 'good.trace');
  mkdirSync(dir);
  for (const name of ['report.json', 'wasm-dlmalloc.json']) writeFileSync(join(dir, name), OLD);
  // The WebAssembly producer is held before it starts (a module preloaded into the Node
  // processes trace-report starts), so the signal finds trace-report waiting for it.
  const holdDir = mkdtempSync(join(tmpdir(), 'trimlab-hold-'));
  const hold = join(holdDir, 'hold.mjs');
  writeFileSync(
    hold,
    "if (process.argv[1]?.endsWith('run-wasm.mjs')) {\n" +
      '  setInterval(() => {}, 1 << 30);\n  await new Promise(() => {});\n}\n',
  );
  let producer = null;
  const result = await interrupted(
    traceReport,
    [goodTrace, '--out', out],
    'SIGTERM',
    (child) => {
      producer =
        childrenOf(child.pid).find((pid) => commandOf(pid).includes('run-wasm.mjs')) ?? null;
      return producer !== null;
    },
    { NODE_OPTIONS: `--import ${hold}` },
  );
  rmSync(holdDir, { recursive: true, force: true });
  assert.equal(result.code, 128 + constants.signals.SIGTERM, result.stderr);
  assert.equal(result.stderr, '');
  assert.equal(commandOf(producer), '', `the producer ${producer} still runs`);
  assert.equal(readFileSync(join(dir, 'report.json'), 'utf8'), OLD);
  assert.equal(readFileSync(join(dir, 'wasm-dlmalloc.json'), 'utf8'), OLD);
  assert.deepEqual(tempFiles(dir), []);
  assert.deepEqual(readdirSync(out).sort(), ['good.trace']);
  rmSync(out, { recursive: true, force: true });
});

test('trace-report refuses outputs it cannot write before any producer runs', () => {
  const out = tempDir();
  mkdirSync(join(out, 'good.trace', 'report.json'), { recursive: true });
  const result = run(traceReport, [goodTrace, '--out', out]);
  assert.equal(result.code, 2, result.stderr);
  assert.equal(
    result.stderr,
    `trace-report: '${join(out, 'good.trace', 'report.json')}' cannot ` +
      'be written: it exists and is not a regular file\n',
  );
  assert.deepEqual(readdirSync(join(out, 'good.trace')), ['report.json'], 'a producer ran');
  rmSync(out, { recursive: true, force: true });
});

test("collecting garbage in Chromium reaches each of the page's dedicated workers, not only the page", async () => {
  // The page's engine instance lives in a Worker (web/lab-worker.js), whose heap only its own
  // DevTools session can collect: a dropped instance would otherwise wait for the worker's own
  // collection (about 8 s here against 0.1 s).
  const sent = [];
  const session = (who) => ({
    send: async (method) => sent.push(`${who}: ${method}`),
    detach: async () => {},
  });
  const page = {
    createCDPSession: async () => session('page'),
    workers: () => [{ client: session('worker 1') }, { client: session('worker 2') }],
  };
  await collectChromium(page);
  assert.deepEqual(sent, [
    'page: HeapProfiler.collectGarbage',
    'worker 1: HeapProfiler.collectGarbage',
    'worker 2: HeapProfiler.collectGarbage',
  ]);
});

test('bench-lifecycle refuses anything but --only ENGINE with one line, exit 2, before measuring', () => {
  const script = join(root, 'tools', 'bench-lifecycle.mjs');
  for (const args of [['--only', 'safari\n\x1b[2J'], ['--only'], ['--rounds', '9']]) {
    const result = run(script, args);
    assert.equal(result.code, 2, args.join(' '));
    assert.equal(result.stdout, '');
    assertOneCleanLine(result.stderr, args.join(' '));
    assert.match(
      result.stderr,
      /^bench-lifecycle: '.*' is not allowed \(allowed: nothing, or --only node\|chromium\|firefox\)\n$/,
    );
  }
});
