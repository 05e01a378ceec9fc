// Allocation traces: `trimlab trace-info`, `trimlab replay`, `node tools/run-wasm.mjs --replay`
// and the wrapper's replay API, on traces made here by a small encoder
// (tests/replay/trace-encoder.mjs), so nothing depends on the recorder. When the recorder is
// built (build/libtrimlab-record.so), one end-to-end test records `sort` and replays it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  linkSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import { loadTrimlab, TrimlabError } from '../../web/trimlab-api.js';
import { validateResults } from '../../web/results-validate.js';
import { TraceBuilder } from '../replay/trace-encoder.mjs';
import {
  MiB,
  childrenOf,
  isGone,
  nativeCli,
  root,
  runNative,
  schemaErrors,
  startNative,
  tempDir,
  waitFor,
} from '../support/helpers.mjs';

const runner = join(root, 'tools', 'run-wasm.mjs');
const dir = tempDir();
const env = { DISABLE_MALLOC_TRIM: '' };
let files = 0;
after(() => rmSync(dir, { recursive: true, force: true }));

assert.ok(existsSync(nativeCli), 'build/trimlab is missing: run make native');
assert.ok(
  existsSync(join(root, 'web', 'gen', 'trimlab.wasm')),
  'web/gen/trimlab.wasm is missing: make wasm',
);

function write(name, bytes) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function runWasm(args) {
  const result = spawnSync(process.execPath, [runner, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return {
    code: result.status,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

/** Runs a producer with --quiet --json and returns the document too (null when none). */
function withJson(run, args) {
  const file = join(dir, `results-${files++}.json`);
  const result = run([...args, '--quiet', '--json', file], env);
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return { ...result, document: text ? JSON.parse(text) : null };
}

const traceInfoJson = (path) => JSON.parse(runNative(['trace-info', path, '--json']).stdout);

/** A small program's life: many small blocks, a large calloc'd one, realloc, memalign, frees,
 *  a failed malloc, and blocks live at the end. */
function programTrace() {
  const t = new TraceBuilder({ program: 'demo' });
  for (let i = 1; i <= 300; i++) t.malloc(0x100000 + i * 0x1000, 1000 + i * 37);
  t.calloc(0x9000000, 6 * MiB);
  t.malloc(0, 1n << 45n); // failed: not replayed
  t.realloc(0x101000, 0x8000000, 3 * MiB);
  for (let i = 2; i <= 300; i += 2) t.free(0x100000 + i * 0x1000);
  t.memalign(0x7000000, 65536, 4096);
  t.free(0x9000000);
  t.free(0x8000000);
  return t;
}

const program = programTrace();
const programPath = write('program.trace', program.bytes());
// docs/replay.md: a 1 MiB input buffer and an address map of 24-byte slots, blocks + blocks / 4
// + 16 of them for the most blocks live at once, and the mappings' map, sized for 16.
const slots = (blocks) => blocks + Math.floor(blocks / 4) + 16;
const overheadFor = (blocks) => MiB + 24 * (slots(blocks) + slots(16));

// ---- trace-info ----

test('trace-info prints the header, counts per op and the peak, largest block and live blocks', () => {
  const { code, stdout, stderr } = runNative(['trace-info', programPath]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^program +demo$/m);
  assert.match(stdout, /^format +version 1, 8-byte pointers, recorder pid 1234$/m);
  assert.match(stdout, /^recorded +complete/m);
  assert.match(stdout, new RegExp(`^events +${program.events}$`, 'm'));
  assert.match(stdout, /^ {2}malloc +301 \(1 returned NULL, not replayed\)$/m);
  assert.match(stdout, /^ {2}free +152$/m);
  assert.match(stdout, new RegExp(`^peak in use +${program.peakBytes} bytes`, 'm'));
  assert.match(stdout, new RegExp(`^largest +${6 * MiB} bytes`, 'm'));
  assert.match(stdout, new RegExp(`^max live blocks +${program.maxLiveBlocks}$`, 'm'));
  const info = traceInfoJson(programPath);
  assert.equal(info.peak_requested_bytes, Number(program.peakBytes));
  assert.equal(info.max_live_blocks, program.maxLiveBlocks);
  assert.deepEqual(info.calls, {
    malloc: 301,
    calloc: 1,
    realloc: 1,
    free: 152,
    memalign: 1,
    mmap: 0,
    munmap: 0,
  });
  assert.equal(info.live_blocks_at_end, 150);
});

// ---- native replay ----

const native = withJson(runNative, [
  'replay',
  programPath,
  '--trim',
  'both',
  '--set',
  'events_per_step=50',
]);

test('native replay --trim both: results validate against the schema, one run per trim', () => {
  assert.equal(native.code, 0, native.stderr);
  assert.equal(schemaErrors(native.document), '');
  assert.equal(native.document.trim, 'mixed');
  assert.deepEqual(
    native.document.runs.map((run) => run.trim),
    ['enabled', 'disabled'],
  );
  for (const run of native.document.runs) {
    assert.equal(run.scenario, 'replay');
    assert.deepEqual(run.params, { events_per_step: 50 });
    assert.equal(run.outcome, 'completed');
    // The peak as the encoder counted it while building the trace, not as the replay did.
    assert.deepEqual(run.trace, {
      program: 'demo',
      event_count: program.events,
      events_replayed: program.events,
      complete: true,
      peak_requested_bytes: Number(program.peakBytes),
      replay_overhead_bytes: overheadFor(program.maxLiveBlocks),
    });
  }
});

test("trace-info's peak, live blocks and overhead are the trace's, as the encoder counted them", () => {
  const info = traceInfoJson(programPath);
  assert.equal(info.peak_requested_bytes, Number(program.peakBytes));
  assert.equal(info.max_live_blocks, program.maxLiveBlocks);
  assert.equal(
    info.address_map_bytes + info.input_buffer_bytes,
    overheadFor(program.maxLiveBlocks),
  );
});

test('native replay: steps of up to N events, labelled, phased by what they mostly did', () => {
  const run = native.document.runs[0];
  const steps = run.samples.slice(1, -2);
  assert.equal(steps[0].label, `events 1–50 of ${program.events}`);
  assert.equal(steps.at(-1).label.endsWith(`–${program.events} of ${program.events}`), true);
  assert.deepEqual(run.samples.map((s) => s.phase).slice(-2), ['trim', 'final']);
  assert.ok(steps.every((s) => s.phase === 'allocate' || s.phase === 'free'));
  assert.ok(
    steps.some((s) => s.phase === 'free'),
    'the frees made free steps',
  );
  // The 6 MiB calloc is touched: the footprint holds it at some sample.
  const growth = run.summary.peak_footprint_bytes - run.summary.baseline_footprint_bytes;
  assert.ok(growth >= 6 * MiB, `peak growth ${growth / MiB} MiB`);
});

test("native replay --no-trim: after the trim step the footprint is trim on's before it", () => {
  // The `cycles` scenario as a trace: 5 blocks of 10 MiB, each allocated, touched and freed. The
  // first free raises glibc's mmap threshold, so the later blocks come from the heap, whose
  // 10 MiB stay resident after free() until malloc_trim.
  const t = new TraceBuilder({ program: 'cycles' });
  for (let i = 0; i < 5; i++) t.malloc(0x1000, 10 * MiB).free(0x1000);
  const cycles = withJson(runNative, [
    'replay',
    write('cycles.trace', t.bytes()),
    '--trim',
    'both',
  ]);
  assert.equal(cycles.code, 0, cycles.stderr);
  const pair = (document) =>
    ['enabled', 'disabled'].map((trim) => document.runs.find((r) => r.trim === trim));
  for (const [on, off] of [pair(native.document), pair(cycles.document)]) {
    assert.equal(off.summary.trim_called, false);
    assert.match(off.samples.find((s) => s.phase === 'trim').label, /skipped/);
    // Another process, the same replay: what trim off keeps is what trim on had before trimming.
    const gap = off.summary.after_trim_bytes - on.summary.before_trim_bytes;
    assert.ok(Math.abs(gap) <= 256 * 1024, `${off.trace.program}: ${gap} bytes apart`);
  }
  const [on, off] = pair(cycles.document);
  const kept = off.summary.after_trim_bytes - on.summary.after_trim_bytes;
  assert.ok(kept >= 8 * MiB, `trim off kept ${kept / MiB} MiB more than trim on`);
  const single = withJson(runNative, ['replay', programPath, '--no-trim']);
  assert.equal(single.code, 0, single.stderr);
  assert.equal(single.document.trim, 'disabled');
  assert.deepEqual(
    single.document.runs.map((r) => r.summary.trim_called),
    [false],
  );
});

test('native replay prints a table and the trace line unless --quiet', () => {
  const { code, stdout } = runNative(['replay', programPath]);
  assert.equal(code, 0);
  assert.match(stdout, /^replay \(events_per_step=1000\), trim enabled$/m);
  assert.match(
    stdout,
    new RegExp(
      `^trace .*program demo, ${program.events} of ` +
        `${program.events} events replayed, complete; peak ${program.peakBytes} bytes`,
      'm',
    ),
  );
});

test('a trace named with a newline, ESC and a C1 CSI: every line trace-info and replay print is clean', () => {
  // The name was printed as it is: two lines, and escape sequences the terminal obeyed.
  const t = new TraceBuilder({ program: 'demo' });
  t.malloc(0x1000, 100).malloc(0x2000, 200).free(0x1000);
  const whole = t.bytes({ complete: false, eventCount: 3, maxLiveBlocks: 2 });
  const plain = write('plain.trace', whole);
  const hostile = write('a\nb\x1b[2J\u009b31m.trace', whole);
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const clean = (text) => !/[\x00-\x09\x0b-\x1f\x7f-\x9f]/.test(text);
  for (const args of [
    ['trace-info'],
    ['replay'],
    ['replay', '--quiet', '--json', join(dir, 'h.json')],
  ]) {
    const [before, after] = [plain, hostile].map((path) => runNative([...args, path]));
    assert.equal(after.code, 0, after.stderr);
    for (const stream of ['stdout', 'stderr']) {
      assert.ok(clean(after[stream]), `${args[0]} ${stream}: ${JSON.stringify(after[stream])}`);
      assert.equal(
        after[stream].split('\n').length,
        before[stream].split('\n').length,
        `${args[0]} ${stream}`,
      );
    }
  }
  assert.match(runNative(['trace-info', hostile]).stdout, /^trace +.*a\?b\?\[2J\?\?31m\.trace$/m);
});

// ---- the trace and the output file, signals, children ----

test('replay T --json T, or the same file by another name: refused with one line, exit 2, the trace intact', () => {
  const path = write('self.trace', program.bytes());
  const hard = join(dir, 'self-hard.trace');
  const soft = join(dir, 'self-soft.trace');
  linkSync(path, hard);
  symlinkSync(path, soft);
  for (const [trace, output] of [
    [path, path],
    [path, hard],
    [soft, path],
  ]) {
    const result = runNative(['replay', trace, '--quiet', '--json', output]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr,
      `trimlab: --json '${output}' cannot be written: it is the input ` +
        'file, which the output would replace\n',
    );
    assert.deepEqual(readFileSync(path), Buffer.from(program.bytes()));
  }
});

test('a FIFO as the trace: refused at once with one line, exit 2 (a replay reads its trace twice)', (t) => {
  const fifo = join(dir, 'trace.fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  // Had a check been left waiting for a writer, this writer lets it end.
  t.after(() => {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // no check was left waiting for a writer: nothing to release
    }
  });
  // The timeout bounds a stuck test (the check would wait for a writer for ever); no time is asserted.
  const result = spawnSync(nativeCli, ['replay', fifo], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 2, `${result.signal ?? ''} ${result.stderr}`);
  assert.equal(
    result.stderr,
    `trimlab: ${fifo}: not a regular file: a replay reads its trace twice ` +
      '(to check it, then to replay it)\n',
  );
});

/** A trace that replays for many seconds: 200 blocks of 64 MiB, each touched, then freed. */
function slowTrace() {
  const t = new TraceBuilder({ program: 'slow' });
  for (let i = 0; i < 200; i++) t.malloc(0x10000000, 64 * MiB).free(0x10000000);
  return write('slow.trace', t.bytes());
}

/** Resident bytes of a process (0 once it is gone). */
function residentBytes(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
  } catch {
    return 0;
  }
}

/** The replay's child, not the check's: it holds a 64 MiB block once it replays. */
const replayChild = (run) =>
  waitFor(
    () => childrenOf(run.pid).find((pid) => residentBytes(pid) > 32 * MiB),
    'the replay child',
  );

test('a replay child killed by SIGKILL: a failed run with its trace, valid results, exit 1', async () => {
  const path = slowTrace();
  const out = join(dir, 'killed-replay.json');
  const run = startNative(['replay', path, '--quiet', '--json', out]);
  process.kill(await replayChild(run), 'SIGKILL');
  const { code, stderr } = await run.closed;
  assert.equal(code, 1, stderr);
  assert.equal(
    stderr,
    `trimlab: ${path}: the replay with trim enabled: killed by signal 9 (SIGKILL)\n`,
  );
  const text = readFileSync(out, 'utf8');
  const document = JSON.parse(text);
  assert.equal(schemaErrors(document), '');
  assert.equal(validateResults(text, { platform: 'native' }).ok, true);
  const [failed] = document.runs;
  assert.equal(failed.scenario, 'replay');
  assert.equal(failed.outcome, 'failed');
  assert.equal(failed.error, 'killed by signal 9 (SIGKILL)');
  assert.deepEqual(failed.samples, []);
  // The trace as trace-info reads it; nothing replayed is reported.
  assert.deepEqual(failed.trace, {
    program: 'slow',
    event_count: 400,
    events_replayed: 0,
    complete: true,
    peak_requested_bytes: 0,
    replay_overhead_bytes: 0,
  });
});

test('SIGTERM to trimlab replay: the replay child stopped and reaped, old results untouched, exit 143', async () => {
  const path = slowTrace();
  const out = write('old-replay.json', 'old results\n');
  const before = readdirSync(dir).length;
  const run = startNative(['replay', path, '--quiet', '--json', out]);
  const child = await replayChild(run);
  run.kill('SIGTERM');
  const { code, stderr } = await run.closed;
  assert.equal(code, 143, stderr);
  assert.equal(isGone(child), true, `the replay child ${child} was left behind`);
  assert.equal(readFileSync(out, 'utf8'), 'old results\n');
  assert.equal(readdirSync(dir).length, before, 'the temporary file was removed');
});

// ---- WebAssembly replay ----

const wasm = withJson(runWasm, ['--replay', programPath, '--set', 'events_per_step=50']);

test('run-wasm --replay: results validate, the same steps as native, the same peak', () => {
  assert.equal(wasm.code, 0, wasm.stderr);
  assert.equal(schemaErrors(wasm.document), '');
  const run = wasm.document.runs[0];
  const nativeRun = native.document.runs[0];
  assert.equal(wasm.document.platform, 'wasm');
  assert.equal(run.outcome, 'completed');
  assert.deepEqual(
    run.samples.map((s) => [s.phase, s.label]),
    nativeRun.samples.map((s) => [s.phase, s.label]),
  );
  assert.equal(run.trace.peak_requested_bytes, nativeRun.trace.peak_requested_bytes);
  // The heap end grew by at least the trace's peak.
  const sbrkGrowth = Math.max(...run.samples.map((s) => s.sbrk_bytes)) - run.samples[0].sbrk_bytes;
  assert.ok(sbrkGrowth >= Number(program.peakBytes), `heap grew ${sbrkGrowth}`);
});

test('run-wasm --replay with emmalloc completes too', () => {
  const result = withJson(runWasm, ['--replay', programPath, '--allocator', 'emmalloc']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.document.allocator, 'emmalloc');
  assert.equal(result.document.runs[0].outcome, 'completed');
});

test('a trace past the 512 MiB ceiling ends in oom at its event, in the module', () => {
  const t = new TraceBuilder({ program: 'big' });
  for (let i = 1; i <= 600; i++) t.malloc(i * 0x200000, MiB);
  for (let i = 1; i <= 600; i++) t.free(i * 0x200000);
  const path = write('big.trace', t.bytes());
  const result = withJson(runWasm, ['--replay', path]);
  assert.equal(result.code, 3, result.stderr);
  const line = result.stderr.trim();
  assert.equal(line.split('\n').length, 1, line);
  const match = line.match(
    /^trimlab: .*big\.trace: event (\d+) at byte \d+: malloc of 1048576 bytes \(1\.00 MiB\) failed: out of memory/,
  );
  assert.ok(match, line);
  const event = Number(match[1]);
  assert.ok(event > 400 && event <= 512, `event ${event}`);
  const run = result.document.runs[0];
  assert.equal(run.outcome, 'oom');
  assert.match(run.error, new RegExp(`^event ${event} at byte`));
  assert.equal(run.trace.events_replayed, event);
  assert.equal(run.samples.at(-1).phase, 'final');
  assert.equal(schemaErrors(result.document), '');
});

// ---- bad traces: one line, exit 2, nothing crashes, native and wasm alike ----

const ok = () => new TraceBuilder().malloc(0x1000, 10).free(0x1000);
const withEvents = (build) => {
  const t = new TraceBuilder();
  build(t);
  return t.bytes();
};
const BAD = [
  [
    'wrong magic',
    new TextEncoder().encode('#!/bin/sh\necho this is not a trace at all\n'),
    'not a trimlab trace: it does not start with the magic "TLTRACE"',
  ],
  ['an empty file', new Uint8Array(0), 'empty file: not a trimlab trace'],
  [
    'a truncated header',
    ok().bytes().subarray(0, 40),
    'truncated header: the file has 40 bytes, a header has 64',
  ],
  [
    'a truncated name',
    ok().bytes({ nameLength: 200 }),
    'truncated header: the program name has 200 bytes',
  ],
  [
    'a newer version',
    ok().bytes({ version: 7 }),
    'this trace was written by a newer trimlab (version 7; this one reads 1)',
  ],
  ['a bad pointer size', ok().bytes({ pointerBytes: 2 }), 'pointer size 2 is not valid'],
  ['a too long name', ok().bytes({ nameLength: 5000 }), 'program name length 5000 is above'],
  ['unknown flags', ok().bytes({ flags: 5 }), 'unknown header flags 0x4'],
  [
    'a truncated event',
    ok().bytes().subarray(0, 74),
    'event 2 at byte 72: truncated: the trace ends 2 bytes into this free',
  ],
  [
    'a varint too long',
    withEvents((t) => t.rawBytes([1, ...Array(10).fill(0x80), 1]).raw(4, 1)),
    'event 1 at byte 68: the result varint of this malloc is longer than 64 bits',
  ],
  [
    'an unknown op',
    withEvents((t) => t.malloc(0x1000, 10).raw(9, 1)),
    'event 2 at byte 72: unknown op 9',
  ],
  [
    'fewer events than the header says',
    ok().bytes({ eventCount: 5 }),
    'the trace ends after 2 events; its header says 5',
  ],
  [
    'more events than the header says',
    ok().bytes({ eventCount: 1, maxLiveBlocks: 1 }),
    'the trace holds more events than its header says (1)',
  ],
  [
    'a free never allocated',
    withEvents((t) => t.malloc(0x1000, 10).free(0x2000)),
    'event 2 at byte 72: free of 0x2000, which is not live',
  ],
  [
    'a double free',
    withEvents((t) => t.malloc(0x1000, 10).free(0x1000).free(0x1000)),
    'event 3 at byte 75: free of 0x1000, which is not live',
  ],
  [
    'a realloc never allocated',
    withEvents((t) => t.realloc(0x5000, 0x6000, 10)),
    'event 1 at byte 68: realloc of 0x5000, which is not live',
  ],
  [
    'an address still live',
    withEvents((t) => t.malloc(0x1000, 10).raw(2, 0x1000, 10)),
    'event 2 at byte 72: calloc returned 0x1000, which is still live',
  ],
  [
    'an absurd size',
    withEvents((t) => t.malloc(0x1000, 1n << 41n)),
    'event 1 at byte 68: malloc of 2199023255552 bytes succeeded: an absurd size (above 1 TiB)',
  ],
  [
    'a size beyond 4-byte pointers',
    (() => {
      const t = new TraceBuilder({ pointerBytes: 4 });
      t.malloc(0x1000, 1n << 33n);
      return t.bytes();
    })(),
    'event 1 at byte 68: malloc of 8589934592 bytes succeeded: an absurd size (above ' +
      "4-byte pointers' 4 GiB)",
  ],
];

for (const [index, [what, bytes, message]] of BAD.entries()) {
  test(`bad trace, ${what}: exit 2 with one line, native and wasm alike`, () => {
    // A short name: a path over 64 bytes would be cut in the message (tested elsewhere).
    const path = write(`bad-${index}.trace`, bytes);
    const expected = `trimlab: ${path}: ${message}`;
    const runs = {
      'trace-info': runNative(['trace-info', path]),
      replay: withJson(runNative, ['replay', path]),
      'run-wasm --replay': withJson(runWasm, ['--replay', path]),
    };
    for (const [name, result] of Object.entries(runs)) {
      assert.equal(result.code, 2, `${name}: ${result.stderr}`);
      const lines = result.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, `${name}: ${result.stderr}`);
      assert.ok(lines[0].startsWith(expected), `${name}: ${lines[0]}\nwanted ${expected}`);
    }
    // Refused before anything ran: no results document at all.
    assert.equal(runs.replay.document, null);
    assert.equal(runs['run-wasm --replay'].document, null);
  });
}

test('bad replay arguments exit 2 with one line, as the native CLI does', () => {
  const cases = [
    [[], 'replay needs a trace: trimlab replay TRACE'],
    [[programPath, programPath], 'replay takes one trace'],
    [[programPath, '--bogus'], "unknown option '--bogus' for replay"],
    [
      [programPath, '--set', 'nope=1'],
      "unknown parameter 'nope' for scenario replay (allowed: events_per_step)",
    ],
    [
      [programPath, '--set', 'events_per_step=0'],
      'events_per_step=0 is out of range (allowed 1..32768 count)',
    ],
    [[programPath, '--trim', 'maybe'], "--trim 'maybe' is not allowed (allowed: on, off, both)"],
    [[join(dir, 'missing.trace')], 'missing.trace: cannot open: No such file or directory'],
    [[dir], 'cannot read: Is a directory'],
  ];
  for (const [args, message] of cases) {
    const nativeResult = runNative(['replay', ...args]);
    const wasmArgs = args.length ? ['--replay', ...args] : ['--replay'];
    const wasmResult = runWasm(wasmArgs);
    for (const [name, result] of [
      ['native', nativeResult],
      ['wasm', wasmResult],
    ]) {
      if (name === 'wasm' && args.length === 0) continue; // "--replay needs a trace" there
      assert.equal(result.code, 2, `${name} ${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
      assert.ok(result.stderr.includes(message), `${name}: ${result.stderr}`);
    }
  }
});

test('events_per_step that makes more than 100,000 steps is refused before running', () => {
  const t = new TraceBuilder();
  for (let i = 1; i <= 50001; i++) t.malloc(0x1000, 8).free(0x1000);
  const path = write('many.trace', t.bytes());
  const message = 'events_per_step=1 makes 100002 steps for 100002 events (allowed up to 100000)';
  for (const result of [
    runNative(['replay', path, '--set', 'events_per_step=1']),
    runWasm(['--replay', path, '--set', 'events_per_step=1']),
  ]) {
    assert.equal(result.code, 2, result.stderr);
    assert.ok(result.stderr.includes(message), result.stderr);
  }
});

// ---- the steps of a run: the sizes in a trace cannot raise their number ----

test('native replay: 1,000 mallocs of 1 TiB get room for 2,004 samples, not 524 million', () => {
  const t = new TraceBuilder({ program: 'huge' });
  for (let i = 0; i < 1000; i++) t.malloc(0x1000, 1n << 40n).free(0x1000);
  const path = write('huge.trace', t.bytes());
  const file = join(dir, 'huge.json');
  // Under a 1 GiB address-space limit malloc(1 TiB) fails on any machine, overcommit or not;
  // the sample storage for the events' 2,001 steps fits easily.
  const result = spawnSync(
    'sh',
    [
      '-c',
      'ulimit -v 1048576 && exec "$0" "$@"',
      nativeCli,
      'replay',
      path,
      '--quiet',
      '--json',
      file,
    ],
    { encoding: 'utf8', env: { ...process.env, ...env } },
  );
  assert.equal(result.status, 3, result.stderr);
  assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
  assert.match(
    result.stderr,
    /huge\.trace: event 1 at byte 68: malloc of 1099511627776 bytes \(1048576\.00 MiB\) failed: out of memory/,
  );
  const run = JSON.parse(readFileSync(file, 'utf8')).runs[0];
  assert.equal(run.outcome, 'oom');
  assert.equal(run.trace.events_replayed, 1);
  assert.deepEqual(
    run.samples.map((s) => s.phase),
    ['baseline', 'final'],
  );
});

test('WebAssembly replay: a 4 MiB event ends a step, yet a run never passes 100,000 steps', async () => {
  const t = new TraceBuilder({ program: 'big-steps' });
  for (let i = 0; i < 50001; i++) t.malloc(0x1000, 4 * MiB).free(0x1000);
  const lab = await loadTrimlab();
  const run = await lab.runReplay(t.bytes(), { trim: false });
  assert.equal(run.outcome, 'completed');
  assert.equal(run.trace.events_replayed, 100002);
  const steps = run.samples.length - 3; // baseline, trim, final
  assert.ok(steps <= 100000, `${steps} steps`);
  // Each event had a step of its own until the last 1,000-event steps needed what was left.
  assert.ok(steps >= 100000 - 101, `${steps} steps`);
  assert.equal(run.samples[1].label, 'events 1–1 of 100002');
  assert.equal(run.samples.at(-3).label.endsWith('–100002 of 100002'), true);
});

// ---- bytes in use at a replay's steps, without a heap walk per step (dlmalloc) ----

/** A program's life with every kind of event, many blocks live, and the requested bytes live
 *  after each event, counted here (not by the engine). */
function churnTrace(events) {
  const t = new TraceBuilder({ program: 'churn' });
  const live = new Map();
  const liveAfter = [];
  let bytes = 0;
  const add = (address, size) => {
    live.set(address, size);
    bytes += size;
  };
  const drop = (address) => {
    bytes -= live.get(address);
    live.delete(address);
  };
  for (let i = 1; t.events < events; i++) {
    const address = 0x100000 + i * 0x40;
    const size = (i * 7919) % 3000;
    const old = 0x100000 + (i - 97) * 0x40;
    if (i % 5 === 0) {
      t.calloc(address, size);
      add(address, size);
    } else if (i % 7 === 0) {
      t.memalign(address, size, 16 << (i % 9));
      add(address, size);
    } else if (i % 11 === 0)
      t.malloc(0, 1n << 45n); // failed: nothing replayed
    else {
      t.malloc(address, size);
      add(address, size);
    }
    liveAfter.push(bytes);
    if (i % 3 !== 0 && live.has(old)) {
      // most blocks die 97 allocations later, some live on
      if (i % 4 === 0) {
        t.realloc(old, old, (i * 31) % 5000);
        drop(old);
        add(old, (i * 31) % 5000);
      } else if (i % 13 === 0) {
        t.realloc(old, 0, 0);
        drop(old);
      } else {
        t.free(old);
        drop(old);
      }
      liveAfter.push(bytes);
    }
  }
  return { t, liveAfter };
}

test('WebAssembly replay under dlmalloc walks the heap 3 times a run, not once per step', async () => {
  const { t } = churnTrace(20000);
  for (const allocator of ['dlmalloc', 'emmalloc']) {
    const lab = await loadTrimlab({ allocator });
    const before = lab.heapWalks();
    const run = await lab.runReplay(t.bytes(), { eventsPerStep: 50 });
    assert.equal(run.outcome, 'completed');
    assert.equal(run.samples.length, 400 + 3);
    const walks = lab.heapWalks() - before;
    // dlmalloc: baseline, trim, final. emmalloc's figure cannot be followed: it walks its free
    // lists at every sample (no chunk walk; emmalloc has none).
    assert.equal(
      walks,
      allocator === 'dlmalloc' ? 3 : run.samples.length,
      `${allocator}: ${walks}`,
    );
  }
});

test("WebAssembly replay under dlmalloc: each step's bytes in use equal mallinfo's at a walk", async () => {
  const lab = await loadTrimlab();
  // Cut at a few points, the trace's last step is sampled without a walk and its trim step with
  // one (dlmalloc's trim changes nothing): the two figures must be the same, to the byte.
  for (const events of [1, 777, 5000, 12345]) {
    const { t } = churnTrace(events);
    const run = await lab.runReplay(t.bytes(), { eventsPerStep: 64 });
    const [last, trim] = run.samples.slice(-3, -1);
    assert.equal(trim.phase, 'trim');
    assert.equal(last.in_use_bytes, trim.in_use_bytes, `${events} events`);
    assert.equal(last.allocator_free_bytes, trim.allocator_free_bytes, `${events} events`);
  }
});

test('WebAssembly replay under dlmalloc: in use over the baseline is the live requested bytes plus headers', async () => {
  const { t, liveAfter } = churnTrace(12345);
  const lab = await loadTrimlab();
  const run = await lab.runReplay(t.bytes(), { eventsPerStep: 100 });
  const base = run.samples[0].in_use_bytes;
  for (const sample of run.samples.slice(1, -2)) {
    const lastEvent = Number(sample.label.match(/–(\d+) of/)[1]);
    const requested = liveAfter[lastEvent - 1];
    const blocks = t.maxLiveBlocks;
    const grown = sample.in_use_bytes - base;
    // dlmalloc rounds a request up to 8 bytes plus a 4-byte header (16 at least); an aligned
    // block may keep up to a minimum chunk of slack. Never less than what the program asked.
    assert.ok(
      grown >= requested && grown <= requested + 32 * blocks,
      `${sample.label}: ${grown} bytes over the baseline for ${requested} requested`,
    );
  }
});

// ---- the program's own mappings ----

/** Anonymous mappings as the recorder writes them (docs/trace-format.md): 24 MiB mapped, its
 *  head and then the rest unmapped; 8 MiB mapped, moved larger by mremap to 12 MiB, unmapped;
 *  40 MiB mapped and left live. Mallocs between them. */
function mappingTrace() {
  const t = new TraceBuilder({ program: 'mapper' });
  t.malloc(0x1000, 100);
  t.mmap(0x7f0000000000, 24 * MiB);
  t.munmap(0x7f0000000000, 0x7f0000000000 + 4 * MiB, 20 * MiB);
  t.munmap(0x7f0000000000 + 4 * MiB, 0, 0);
  t.mmap(0x7f1000000000, 8 * MiB);
  t.munmap(0x7f1000000000, 0x7f2000000000, 12 * MiB);
  t.munmap(0x7f2000000000, 0, 0);
  t.mmap(0x7f3000000000, 40 * MiB);
  t.free(0x1000);
  return t;
}

test('recorded mmap and munmap events replay: counted, followed to their new start, their memory held in the module', async () => {
  const t = mappingTrace();
  const path = write('mapper.trace', t.bytes({ flags: 3 }));
  const info = traceInfoJson(path);
  assert.equal(info.calls.mmap, 3);
  assert.equal(info.calls.munmap, 4);
  assert.equal(info.peak_requested_bytes, Number(t.peakBytes));
  assert.equal(info.live_bytes_at_end, 40 * MiB);
  const nativeRun = withJson(runNative, ['replay', path, '--set', 'events_per_step=1']);
  assert.equal(nativeRun.code, 0, nativeRun.stderr);
  assert.equal(nativeRun.document.runs[0].outcome, 'completed');
  const lab = await loadTrimlab();
  const run = await lab.runReplay(t.bytes({ flags: 3 }), { eventsPerStep: 1 });
  assert.equal(run.outcome, 'completed', run.error);
  const growth = run.samples.map((s) => s.sbrk_bytes - run.samples[0].sbrk_bytes);
  const afterEvent = (n) => growth[run.samples.findIndex((s) => s.label.startsWith(`events ${n}`))];
  // Emscripten's mmap is memalign(64 KiB, length + its record): the heap holds each mapping.
  assert.ok(afterEvent(2) >= 24 * MiB, `24 MiB mapped: the heap grew ${afterEvent(2)}`);
  // A partial munmap is refused by Emscripten: nothing changes until the whole mapping goes.
  assert.equal(afterEvent(3), afterEvent(2));
  // Moved larger by mremap: 12 MiB fits in the 24 MiB freed, the heap does not grow again.
  assert.equal(afterEvent(6), afterEvent(2));
  // 40 MiB more than the free 24 MiB: the heap grows to hold it, and it stays live to the end.
  assert.ok(afterEvent(8) >= 40 * MiB, `40 MiB mapped: the heap grew ${afterEvent(8)}`);
  assert.ok(run.samples.at(-1).in_use_bytes - run.samples[0].in_use_bytes >= 40 * MiB);
});

test('an munmap of an address no mapping starts at: a bad trace, one line', () => {
  const t = new TraceBuilder({ program: 'mapper' });
  t.mmap(0x7f0000000000, MiB);
  t.munmap(0x7f0000001000, 0, 0);
  const path = write('bad-munmap.trace', t.bytes({ flags: 3 }));
  const { code, stderr } = runNative(['trace-info', path]);
  assert.equal(code, 2);
  assert.match(stderr, /event 2 at byte \d+: munmap of 0x7f0000001000, which is not live/);
  assert.equal(stderr.split('\n').length, 2);
});

// ---- traces cut short ----

test("a trace cut short replays its header's events, skips an unfinished flush and says so", () => {
  const t = new TraceBuilder({ program: 'killed' });
  t.malloc(0x1000, 100).malloc(0x2000, 200).free(0x1000).malloc(0x3000, 5000);
  // The header counts the first 2 events (the last flush whose header was rewritten); the
  // other 2, the second half written, are a flush the recorder did not finish.
  const whole = t.bytes({ complete: false, eventCount: 2, maxLiveBlocks: 2 });
  const path = write('cut.trace', whole.subarray(0, whole.length - 1));
  const note =
    `trimlab: ${path}: cut short (no COMPLETE flag): replaying its 2 events; 7 bytes ` +
    'after them ignored (a flush the recorder did not finish)';
  const info = runNative(['trace-info', path]);
  assert.equal(info.code, 0, info.stderr);
  assert.match(
    info.stdout,
    /^recorded +cut short \(no COMPLETE flag\): the 2 events of its last complete flush; 7 bytes after them ignored/m,
  );
  for (const result of [
    withJson(runNative, ['replay', path]),
    withJson(runWasm, ['--replay', path]),
  ]) {
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr.trim(), note);
    const run = result.document.runs[0];
    assert.equal(run.outcome, 'completed');
    assert.equal(run.trace.complete, false);
    assert.equal(run.trace.events_replayed, 2);
    assert.equal(run.trace.peak_requested_bytes, 300);
    assert.equal(run.samples[1].label, 'events 1–2 of 2');
    assert.equal(schemaErrors(result.document), '');
  }
  // Fewer events than its header counts is a damaged trace, cut short or not.
  const damaged = write(
    'cut-damaged.trace',
    t.bytes({ complete: false, eventCount: 6, maxLiveBlocks: 2 }),
  );
  const refused = runNative(['replay', damaged]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /the trace ends after 4 events; its header says 6\n$/);
});

// ---- the wrapper's replay API in one module instance ----

test('mid-trace problems end the run with bad_trace, samples kept, the module stays usable', async () => {
  const lab = await loadTrimlab();
  const t = new TraceBuilder();
  t.malloc(0x1000, 2 * MiB)
    .malloc(0x2000, 10)
    .free(0x1000)
    .free(0x1000)
    .free(0x2000);
  // No check first: the header is fine, the double free is found while replaying.
  const run = await lab.runReplay(t.bytes(), { eventsPerStep: 2 });
  assert.equal(run.outcome, 'bad_trace');
  assert.match(run.error, /^event 4 at byte \d+: free of 0x1000, which is not live/);
  assert.deepEqual(
    run.samples.map((s) => s.phase),
    ['baseline', 'allocate', 'final'],
  );
  assert.equal(run.samples.at(-1).label, 'failed: freed what the run held');
  assert.equal(run.trace.events_replayed, 4);
  // The same instance: a good replay, then a built-in scenario.
  const again = await lab.runReplay(program.bytes(), { eventsPerStep: 100 });
  assert.equal(again.outcome, 'completed');
  assert.equal(again.trace.peak_requested_bytes, Number(program.peakBytes));
  const scenario = await lab.runScenario('simple', { block_mib: 4 });
  assert.equal(scenario.outcome, 'completed');
  // Only a run given a trace as its input describes one.
  assert.equal('trace' in scenario, false);
});

test('a bad header throws a TrimlabError at beginReplay; the instance runs the next replay', async () => {
  const lab = await loadTrimlab({ allocator: 'emmalloc' });
  await assert.rejects(
    lab.beginReplay(ok().bytes({ version: 2 })),
    (error) =>
      error instanceof TrimlabError &&
      error.code === 'bad_trace' &&
      error.message === 'this trace was written by a newer trimlab (version 2; this one reads 1)',
  );
  await assert.rejects(
    lab.checkTrace(withEvents((t) => t.free(0x10))),
    (error) => error.code === 'bad_trace' && /event 1 at byte 68: free of 0x10/.test(error.message),
  );
  const run = await lab.runReplay(ok().bytes());
  assert.equal(run.outcome, 'completed');
});

test('chunk sources: bytes, a Blob, uneven chunks and a read(max) source give the same run', async () => {
  const lab = await loadTrimlab();
  const bytes = program.bytes();
  const labels = async (source) =>
    (await lab.runReplay(source, { eventsPerStep: 40 })).samples.map(
      (s) => `${s.phase} ${s.label}`,
    );
  const expected = await labels(bytes);
  async function* uneven() {
    for (let at = 0, n = 1; at < bytes.length; at += n, n = ((n * 7) % 23) + 1)
      yield bytes.slice(at, at + n);
  }
  let at = 0;
  const reader = {
    read: (max) => {
      const n = Math.min(max, 3);
      const out = bytes.slice(at, at + n);
      at += out.length;
      return out;
    },
  };
  assert.deepEqual(await labels(new Blob([bytes])), expected);
  assert.deepEqual(await labels(uneven()), expected);
  assert.deepEqual(await labels(reader), expected);
  assert.deepEqual(await labels(bytes.buffer.slice(0)), expected);
  const check = await lab.checkTrace(uneven());
  assert.equal(check.peak_requested_bytes, Number(program.peakBytes));
});

test('replays leave nothing behind in the module: bytes in use return to the same baseline', async () => {
  const lab = await loadTrimlab();
  const baselines = [];
  for (let i = 0; i < 4; i++) {
    const run = await lab.runReplay(program.bytes(), { eventsPerStep: 100 });
    baselines.push(run.samples[0].in_use_bytes);
  }
  const bad = await lab.runReplay(withEvents((t) => t.malloc(0x10, 1).free(0x20)));
  assert.equal(bad.outcome, 'bad_trace');
  const after = await lab.runReplay(program.bytes(), { eventsPerStep: 100 });
  // The first run's baseline may differ (the wrapper's first strings); later ones must not.
  assert.deepEqual(
    new Set([...baselines.slice(1), after.samples[0].in_use_bytes]).size,
    1,
    `baselines ${baselines} then ${after.samples[0].in_use_bytes}`,
  );
});

// ---- end to end with the recorder, when it is built ----

const recorder = join(root, 'build', 'libtrimlab-record.so');
test(
  'end to end: record sort, replay it natively and in WebAssembly',
  { skip: !existsSync(recorder) && 'build/libtrimlab-record.so is not built' },
  () => {
    const input = join(dir, 'numbers.txt');
    writeFileSync(
      input,
      Array.from({ length: 50000 }, (_, i) => `${(i * 7919) % 50000}\n`).join(''),
    );
    const tracePath = join(dir, 'sort.trace');
    const recorded = runNative(['record', '-o', tracePath, '--', 'sort', input]);
    assert.equal(recorded.code, 0, recorded.stderr);
    const info = traceInfoJson(tracePath);
    assert.equal(info.program, 'sort');
    assert.equal(info.complete, true);
    const replayed = withJson(runNative, ['replay', tracePath]);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.equal(schemaErrors(replayed.document), '');
    assert.equal(replayed.document.runs[0].trace.peak_requested_bytes, info.peak_requested_bytes);
    const inWasm = withJson(runWasm, ['--replay', tracePath]);
    assert.ok(inWasm.code === 0 || inWasm.code === 3, inWasm.stderr);
    assert.ok(['completed', 'oom'].includes(inWasm.document.runs[0].outcome));
    if (inWasm.code === 0)
      assert.equal(inWasm.document.runs[0].trace.peak_requested_bytes, info.peak_requested_bytes);
  },
);
