// `trimlab record` and build/libtrimlab-record.so on real programs of this machine (sort, python3,
// gzip) and on the programs in tests/record/ (built here with gcc): every trace must decode,
// carry the right header (magic, version, COMPLETE only after a normal end, event_count and
// max_live_blocks equal to what its events give) and be one a replay can follow: no free of an
// unknown pointer, no allocation at an address still live. Build first: `make native`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { childrenOf, isRunning, nativeCli, root, tempDir, waitFor } from '../support/helpers.mjs';

const library = join(root, 'build', 'libtrimlab-record.so');
const work = tempDir();
const bin = (name) => join(work, name);
const OP = { MALLOC: 1, CALLOC: 2, REALLOC: 3, FREE: 4, MEMALIGN: 5, MMAP: 6, MUNMAP: 7 };
const COMPLETE = 1;
const MMAP_RECORDED = 2;
/** What every trace's header records as its recorder: `trimlab --version`'s, cut at 16 bytes. */
const recorderVersion = spawnSync(nativeCli, ['--version'], { encoding: 'utf8' })
  .stdout.replace(/^trimlab /, '')
  .trim()
  .slice(0, 16);

// ---- a tiny decoder of docs/trace-format.md ----

/** Decodes a trace file: header fields, name, the header's event_count events, and how many
 * bytes follow them. Values below 2^53 are Numbers, larger ones BigInts (failed huge requests). */
export function readTrace(file) {
  const bytes = readFileSync(file);
  assert.ok(bytes.length >= 64, `${file}: ${bytes.length} bytes, no header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const header = {
    magic: bytes.subarray(0, 8).toString('latin1'),
    version: view.getUint32(8, true),
    pointerBytes: view.getUint32(12, true),
    flags: view.getUint32(16, true),
    nameLength: view.getUint32(20, true),
    eventCount: Number(view.getBigUint64(24, true)),
    maxLiveBlocks: Number(view.getBigUint64(32, true)),
    pid: Number(view.getBigUint64(40, true)),
    recorderVersion: bytes.subarray(48, 64).toString('latin1').replace(/\0+$/, ''),
  };
  let pos = 64 + header.nameLength;
  const name = bytes.subarray(64, pos).toString('utf8');
  // Numbers are exact up to 7 varint bytes (49 bits); longer ones are decoded again as BigInt.
  const varint = () => {
    const start = pos;
    let value = 0;
    let scale = 1;
    for (;;) {
      if (pos >= bytes.length) throw new Error('a varint runs past the end of the file');
      if (pos - start === 10) throw new Error('a varint longer than 10 bytes');
      const byte = bytes[pos++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) break;
    }
    if (pos - start <= 7) return value;
    let big = 0n;
    for (let at = pos - 1; at >= start; at--) big = (big << 7n) | BigInt(bytes[at] & 0x7f);
    return big < 2n ** 53n ? Number(big) : big;
  };
  const fieldsOf = { 1: 2, 2: 2, 3: 3, 4: 1, 5: 3, 6: 2, 7: 3 };
  const events = [];
  for (let i = 0; i < header.eventCount; i++) {
    const op = bytes[pos++];
    const count = fieldsOf[op];
    if (count === undefined) throw new Error(`event ${i}: unknown op ${op} at byte ${pos - 1}`);
    const event = [op];
    for (let f = 0; f < count; f++) event.push(varint());
    events.push(event);
  }
  return { header, name, events, trailingBytes: bytes.length - pos };
}

/** Follows the events as a replay would; returns the most blocks live at once and what a
 * replay could not follow. */
export function replayCheck(events) {
  const live = new Set();
  const problems = [];
  let maxLive = 0;
  const allocate = (address, i) => {
    if (address === 0) return;
    if (live.has(address)) problems.push(`event ${i}: ${address} allocated while live`);
    live.add(address);
  };
  const release = (address, i, what) => {
    if (!live.delete(address)) problems.push(`event ${i}: ${what} of unknown ${address}`);
  };
  events.forEach((event, i) => {
    const [op, a, b, c] = event;
    if (op === OP.MALLOC || op === OP.CALLOC || op === OP.MEMALIGN || op === OP.MMAP)
      allocate(a, i);
    else if (op === OP.FREE) release(a, i, 'free');
    else if (op === OP.MUNMAP) {
      release(a, i, 'munmap');
      allocate(b, i); // the mapping's new start, or 0 when it is gone
    } else if (op === OP.REALLOC) {
      if (a !== 0 && !live.has(a)) problems.push(`event ${i}: realloc of unknown ${a}`);
      if (b !== 0 || c === 0) live.delete(a); // moved, resized in place, or realloc(p, 0)
      allocate(b, i);
    }
    maxLive = Math.max(maxLive, live.size);
  });
  return { maxLive, problems: problems.slice(0, 5), liveAtEnd: live.size };
}

/** The checks every trace gets; `complete` says whether COMPLETE must be set, `recorder` which
 *  recorder version the header names. */
function checkTrace(file, { complete = true, recorder = recorderVersion } = {}) {
  const trace = readTrace(file);
  const { header } = trace;
  assert.equal(header.magic, 'TLTRACE\0');
  assert.equal(header.version, 1);
  assert.equal(header.pointerBytes, 8);
  assert.equal(header.flags & COMPLETE, complete ? COMPLETE : 0, `flags ${header.flags}`);
  assert.equal(header.flags & MMAP_RECORDED, MMAP_RECORDED, 'the recorder records mappings');
  assert.equal(header.recorderVersion, recorder);
  assert.equal(trace.trailingBytes, 0, 'bytes after the counted events');
  const replay = replayCheck(trace.events);
  assert.deepEqual(replay.problems, []);
  assert.equal(header.maxLiveBlocks, replay.maxLive, 'max_live_blocks');
  return trace;
}

// ---- running ----

function record(trace, command, options = {}) {
  const result = spawnSync(nativeCli, ['record', '-o', trace, '--', ...command], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...options,
    env: { ...cleanEnv(), ...(options.env ?? {}) },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function cleanEnv() {
  const env = { ...process.env };
  for (const key of ['LD_PRELOAD', 'TRIMLAB_TRACE', 'TRIMLAB_TRACE_PID', 'TRIMLAB_RECORD_LIB'])
    delete env[key];
  return env;
}

function compile(source, output, extra = []) {
  const result = spawnSync(
    'gcc',
    [
      '-std=c11',
      '-O2',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-D_GNU_SOURCE',
      '-pthread',
      source,
      '-o',
      output,
      ...extra,
    ],
    { encoding: 'utf8' },
  );
  return result.status === 0 ? '' : result.stderr || `gcc exited ${result.status}`;
}

const summary = (count, how, program, trace) =>
  `trimlab: recorded ${count} events (${how}) from ${program} to ${trace}\n`;

const linesOf = (text) => text.split('\n').filter(Boolean);

before(() => {
  assert.ok(existsSync(nativeCli) && existsSync(library), 'run `make native` first');
  for (const name of ['alloc_churn', 'threads', 'known_calls', 'crash', 'forker', 'hello']) {
    const error = compile(join(root, 'tests', 'record', `${name}.c`), bin(name));
    assert.equal(error, '', `${name}.c: ${error}`);
  }
  const example = compile(
    join(root, 'tests', 'record', 'encode_example.c'),
    bin('encode_example'),
    [`-I${join(root, 'src')}`, join(root, 'src', 'shared', 'trace_writer.c')],
  );
  assert.equal(example, '', example);
  const lines = Array.from(
    { length: 20000 },
    (_, i) => `line ${(i * 7919) % 20000} ${'x'.repeat(i % 50)}`,
  );
  writeFileSync(join(work, 'input.txt'), lines.join('\n') + '\n');
});

after(() => rmSync(work, { recursive: true, force: true }));

// ---- real programs ----

test('sort of a generated file: a complete trace a replay can follow', () => {
  const trace = join(work, 'sort.trace');
  const sorted = join(work, 'sorted.txt');
  const run = record(trace, ['sort', '-o', sorted, join(work, 'input.txt')]);
  assert.equal(run.code, 0, run.stderr);
  const { header, name, events } = checkTrace(trace);
  assert.equal(name, 'sort');
  assert.ok(header.eventCount > 10, `${header.eventCount} events`);
  assert.equal(events.length, header.eventCount);
  assert.equal(run.stderr, summary(header.eventCount, 'complete', 'sort', trace));
  const expected = spawnSync('sort', [join(work, 'input.txt')], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  assert.equal(readFileSync(sorted, 'utf8'), expected.stdout, 'sort still sorts');
});

test('python3 -c building a dict: complete and consistent (the last image of the pid is recorded)', (t) => {
  if (spawnSync('python3', ['-c', '1']).status !== 0) return t.skip('python3 is not installed');
  const trace = join(work, 'python.trace');
  const code = 'd = {i: str(i) * 3 for i in range(100000)}\nprint(len(d))';
  const run = record(trace, ['python3', '-c', code]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, '100000\n');
  const { header, name, events } = checkTrace(trace);
  assert.match(name, /python3/);
  assert.ok(events.length > 1000, `${events.length} events`);
  assert.ok(header.maxLiveBlocks > 100);
  assert.match(run.stderr, /^trimlab: recorded \d+ events \(complete\) from python3 to /);
});

// Peak RSS of a program: wait4's ru_maxrss for a child of this small C parent. The kernel folds
// the pre-exec image's high-water mark into the child's ru_maxrss, so the parent must be small
// (about 1 MiB here; a python3 or node parent would put its own 14 or 40 MiB into every figure).
const PEAK_RSS_C = `#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 2) return 2;
  pid_t pid = fork();
  if (pid == 0) { execvp(argv[1], argv + 1); _exit(127); }
  int status;
  struct rusage usage;
  if (pid < 0 || wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) return 1;
  printf("%ld\\n", usage.ru_maxrss);
  return 0;
}
`;

/** Peak RSS (VmHWM, bytes) of `argv` run as a child of the C parent above: the median of
 *  `runs` runs. */
function peakRss(argv, runs = 3) {
  if (!existsSync(bin('peak_rss'))) {
    writeFileSync(bin('peak_rss.c'), PEAK_RSS_C);
    const error = compile(bin('peak_rss.c'), bin('peak_rss'));
    assert.equal(error, '', error);
  }
  const figures = [];
  for (let i = 0; i < runs; i++) {
    const run = spawnSync(bin('peak_rss'), argv, { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    figures.push(Number(run.stdout.trim()) * 1024); // ru_maxrss is in KiB on Linux
  }
  return figures.sort((x, y) => x - y)[Math.floor(runs / 2)];
}

test('python3 building 200,000 strings: the replay\u2019s peak RSS growth is within 10 % of the program\u2019s', (t) => {
  if (spawnSync('python3', ['-c', '1']).status !== 0) return t.skip('python3 is not installed');
  // Strings of over 512 bytes, so Python takes them from malloc, not from its own arenas (which
  // a trace cannot see). The baseline is the same interpreter doing nothing: its start-up.
  const code = "x = ['a' * 600 + str(i) for i in range(200000)]";
  const baseline = peakRss(['python3', '-c', 'pass']);
  const real = peakRss(['python3', '-c', code]) - baseline;
  assert.ok(peakRss(['true']) < baseline / 2, 'the measuring parent is small beside the baseline');
  const trace = join(work, 'python-strings.trace');
  const recorded = record(trace, ['python3', '-c', code]);
  assert.equal(recorded.code, 0, recorded.stderr);
  const json = join(work, 'python-strings.json');
  const replay = spawnSync(
    nativeCli,
    ['replay', trace, '--trim', 'both', '--quiet', '--json', json],
    { encoding: 'utf8', env: { ...process.env, DISABLE_MALLOC_TRIM: '' } },
  );
  assert.equal(replay.status, 0, replay.stderr);
  const MiB = 1024 * 1024;
  for (const run of JSON.parse(readFileSync(json, 'utf8')).runs) {
    // The replay's growth over its own baseline sample, which holds its address map and buffer.
    const growth = run.summary.peak_footprint_bytes - run.summary.baseline_footprint_bytes;
    const error = ((growth - real) / real) * 100;
    console.log(
      `# python3 strings, trim ${run.trim}: program peak RSS growth ` +
        `${(real / MiB).toFixed(2)} MiB, replay ${(growth / MiB).toFixed(2)} MiB ` +
        `(${error >= 0 ? '+' : ''}${error.toFixed(1)} %), peak requested ` +
        `${(run.trace.peak_requested_bytes / MiB).toFixed(2)} MiB`,
    );
    assert.ok(real > 100 * MiB, `the program grew by ${real} bytes`);
    assert.ok(
      Math.abs(error) <= 10,
      `replay ${growth} bytes against the program's ${real}: ${error.toFixed(1)} %`,
    );
  }
});

test('gzip -9 of a generated file: complete (however few calls it makes), output intact', () => {
  const trace = join(work, 'gzip.trace');
  const run = record(trace, ['gzip', '-9', '-k', '-f', join(work, 'input.txt')]);
  assert.equal(run.code, 0, run.stderr);
  checkTrace(trace);
  const back = spawnSync('gzip', ['-dc', join(work, 'input.txt.gz')], { maxBuffer: 1 << 26 });
  assert.deepEqual(back.stdout, readFileSync(join(work, 'input.txt')));
});

// ---- programs built here ----

test('every function and edge case is encoded as docs/trace-format.md says', () => {
  const trace = join(work, 'known.trace');
  const run = record(trace, [bin('known_calls')]);
  assert.equal(run.code, 0, run.stderr);
  const { events } = checkTrace(trace);
  const expected = linesOf(run.stdout);
  const start = events.findIndex((e) => e[0] === OP.MALLOC && e[2] === 1234567);
  assert.ok(start >= 0, 'the marker malloc is in the trace');
  const got = events.slice(start, start + expected.length).map((e) => e.map(String).join(' '));
  assert.deepEqual(got, expected);
});

test('allocation-heavy program: every event, in order', () => {
  const trace = join(work, 'churn.trace');
  const rounds = 300000;
  const run = record(trace, [bin('alloc_churn'), String(rounds)]);
  assert.equal(run.code, 0, run.stderr);
  const { events, header } = checkTrace(trace);
  const mallocs = events.filter((e) => e[0] === OP.MALLOC && e[2] >= 16 && e[2] < 4096).length;
  assert.equal(mallocs, rounds);
  assert.ok(header.maxLiveBlocks >= 1024);
});

test('threads passing pointers to each other: the order of frees and mallocs is the real one', () => {
  const trace = join(work, 'threads.trace');
  const run = record(trace, [bin('threads'), '4', '30000']);
  assert.equal(run.code, 0, run.stderr);
  const { events } = checkTrace(trace);
  assert.ok(events.length > 4 * 30000 * 2 - 100, `${events.length} events`);
  assert.ok(events.some((e) => e[0] === OP.REALLOC) && events.some((e) => e[0] === OP.CALLOC));
});

for (const how of ['exit', '_exit']) {
  test(`the program's exit status (through ${how}) is trimlab record's, and the trace is complete`, () => {
    const trace = join(work, `${how}.trace`);
    const run = record(trace, [bin('crash'), how, '7']);
    assert.equal(run.code, 7);
    const { header, events } = checkTrace(trace);
    assert.equal(events.filter((e) => e[0] === OP.FREE).length, 5);
    assert.equal(run.stderr, summary(header.eventCount, 'complete', bin('crash'), trace));
  });
}

test('a shell that execs the program: the trace is of the program (the last image of the pid)', () => {
  const trace = join(work, 'exec.trace');
  const run = record(trace, ['sh', '-c', `exec '${bin('known_calls')}'`]);
  assert.equal(run.code, 0, run.stderr);
  const { name, events } = checkTrace(trace);
  assert.equal(name, bin('known_calls'));
  assert.equal(events.findIndex((e) => e[0] === OP.MALLOC && e[2] === 1234567) >= 0, true);
});

for (const [mode, signal, code] of [
  ['segv', 11, 139],
  ['abort', 6, 134],
]) {
  test(`a program dying of signal ${signal} (${mode}) leaves a cut-short trace with every event`, () => {
    const trace = join(work, `${mode}.trace`);
    const run = record(trace, [bin('crash'), mode, '20000']);
    assert.equal(run.code, code, run.stderr);
    const { events, header } = checkTrace(trace, { complete: false });
    assert.equal(
      events.filter((e) => e[0] === OP.MALLOC && e[2] >= 16 && e[2] < 216).length,
      20000,
    );
    assert.equal(events.filter((e) => e[0] === OP.FREE).length, 10000);
    assert.equal(header.maxLiveBlocks, 20001); // the pointer array and every block
    assert.equal(
      run.stderr,
      summary(header.eventCount, `cut short: killed by signal ${signal}`, bin('crash'), trace),
    );
  });
}

/** Starts `trimlab record` on crash MODE ARG, waits for "ready", calls kill(child, program)
 * (trimlab's process and the program's pid) and resolves with the exit code and stderr. */
function recordUntilKilled(trace, mode, arg, kill) {
  return new Promise((resolve, reject) => {
    const child = spawn(nativeCli, ['record', '-o', trace, '--', bin('crash'), mode, arg], {
      env: cleanEnv(),
    });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      if (!killed && String(d).includes('ready')) {
        killed = true;
        kill(child, childrenOf(child.pid)[0]);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('SIGTERM to the recorded program: cut short, and the header counts every event', async () => {
  const trace = join(work, 'term.trace');
  writeFileSync(trace, 'an older trace');
  let during;
  const run = await recordUntilKilled(trace, 'wait', '20000', (child, program) => {
    during = readFileSync(trace, 'utf8');
    process.kill(program, 'SIGTERM');
  });
  assert.equal(run.code, 143, run.stderr);
  assert.equal(during, 'an older trace', 'the trace goes in place only when the program ended');
  const { events, header } = checkTrace(trace, { complete: false });
  assert.equal(
    run.stderr,
    summary(header.eventCount, 'cut short: killed by signal 15', bin('crash'), trace),
  );
  assert.equal(events.filter((e) => e[0] === OP.FREE).length, 10000);
  assert.match(run.stderr, /\(cut short: killed by signal 15\)/);
});

test('SIGTERM to trimlab record while threads allocate: forwarded, trace cut short but whole', async () => {
  const trace = join(work, 'churn-term.trace');
  const run = await recordUntilKilled(trace, 'churn', '3', (child) =>
    setTimeout(() => child.kill('SIGTERM'), 30),
  );
  assert.equal(run.code, 143, run.stderr);
  const { events } = checkTrace(trace, { complete: false });
  assert.ok(events.length > 1000, `${events.length} events`);
});

test('SIGKILL to trimlab record: the program dies with it, the older trace stays', async (t) => {
  const trace = join(work, 'killed.trace');
  writeFileSync(trace, 'an older trace');
  const child = spawn(nativeCli, ['record', '-o', trace, '--', 'sleep', '600'], {
    env: cleanEnv(),
  });
  const closed = new Promise((resolve) => child.on('exit', resolve)); // not 'close': an orphan would hold stdio
  // The program itself, after exec: its own name, not trimlab's.
  const nameOf = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  };
  const program = await waitFor(
    () => childrenOf(child.pid).find((pid) => nameOf(pid) === 'sleep'),
    'sleep under trimlab record',
  );
  t.after(() => isRunning(program) && process.kill(program, 'SIGKILL'));
  child.kill('SIGKILL');
  await closed;
  await waitFor(() => !isRunning(program), 'the program to end with trimlab', 10).catch(() => {});
  assert.equal(isRunning(program), false, 'the recorded program outlived trimlab record');
  assert.equal(readFileSync(trace, 'utf8'), 'an older trace');
  // What trimlab could not remove when it was killed: the temporary trace beside it, named so.
  const left = readdirSync(work).filter((name) => name.startsWith('.killed.trace.trimlab-'));
  assert.equal(left.length, 1, left.join(', '));
  rmSync(join(work, left[0]));
});

test("fork without exec and exec'd children do not reach the trace", () => {
  const trace = join(work, 'fork.trace');
  const run = record(trace, [bin('forker')]);
  assert.equal(run.code, 0, run.stderr);
  const { events, name } = checkTrace(trace);
  assert.equal(name, bin('forker'));
  const sized = (size) => events.filter((e) => e[0] === OP.MALLOC && e[2] === size).length;
  assert.equal(sized(111), 400, 'the parent: 200 blocks before the children, 200 after');
  assert.equal(sized(4242), 0, 'the forked child recorded nothing');
  assert.equal(sized(4343), 0, "the exec'd children recorded nothing");
});

// ---- LD_PRELOAD by hand ----

test('LD_PRELOAD with TRIMLAB_TRACE: the first process records, its children do not', () => {
  const trace = join(work, 'direct.trace');
  const result = spawnSync(bin('forker'), [], {
    encoding: 'utf8',
    env: { ...cleanEnv(), LD_PRELOAD: library, TRIMLAB_TRACE: trace },
  });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, '');
  const { events, header } = checkTrace(trace);
  assert.equal(header.pid, result.pid);
  assert.equal(events.filter((e) => e[0] === OP.MALLOC && e[2] === 111).length, 400);
  assert.equal(events.filter((e) => e[2] === 4242 || e[2] === 4343).length, 0);
});

test('LD_PRELOAD: TRIMLAB_TRACE_PID of another process, or no TRIMLAB_TRACE, records nothing', () => {
  for (const env of [{ TRIMLAB_TRACE: join(work, 'other.trace'), TRIMLAB_TRACE_PID: '1' }, {}]) {
    const result = spawnSync(bin('known_calls'), [], {
      encoding: 'utf8',
      env: { ...cleanEnv(), LD_PRELOAD: library, ...env },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
  }
  assert.equal(existsSync(join(work, 'other.trace')), false);
});

test('LD_PRELOAD: a trace that cannot be written is said in one line, and the program runs', () => {
  const result = spawnSync(bin('known_calls'), [], {
    encoding: 'utf8',
    env: { ...cleanEnv(), LD_PRELOAD: library, TRIMLAB_TRACE: '/nonexistent/dir/x.trace' },
  });
  assert.equal(result.status, 0);
  assert.match(
    result.stderr,
    /^trimlab-record: cannot write the trace '\/nonexistent\/dir\/x.trace'; not recording\n$/,
  );
});

test('LD_PRELOAD: a trace path with control characters is quoted clean and cut in that line', () => {
  const path = `/nonexistent/a\nb\x1b[2J\u009b${'p'.repeat(300)}`;
  const result = spawnSync(bin('known_calls'), [], {
    env: { ...cleanEnv(), LD_PRELOAD: library, TRIMLAB_TRACE: path },
  });
  assert.equal(result.status, 0);
  assert.equal(
    result.stderr.toString(),
    `trimlab-record: cannot write the trace '/nonexistent/a?b?[2J??` +
      `${'p'.repeat(42)}... (${Buffer.byteLength(path)} bytes)'; not recording\n`,
  );
});

// ---- refusals ----

test('a static binary is refused with one line, exit 2, before it runs', (t) => {
  const error = compile(join(root, 'tests', 'record', 'hello.c'), bin('hello-static'), ['-static']);
  if (error) return t.skip(`gcc -static does not link here: ${linesOf(error)[0]}`);
  const trace = join(work, 'static.trace');
  const run = record(trace, [bin('hello-static')]);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '', 'it did not run');
  assert.match(
    run.stderr,
    /^trimlab: record: '[^']+hello-static' is statically linked \(no PT_INTERP\)[^\n]*\n$/,
  );
});

test('a 32-bit program: refused by the 64-bit recorder before it runs, recorded by the -m32 one', (t) => {
  const error = compile(join(root, 'tests', 'record', 'known_calls.c'), bin('known32'), ['-m32']);
  if (error) return t.skip(`gcc -m32 does not link here: ${linesOf(error)[0]}`);
  const trace = join(work, 'known32.trace');
  const refused = record(trace, [bin('known32')]);
  assert.equal(refused.code, 2);
  assert.equal(refused.stdout, '', 'it did not run');
  assert.match(
    refused.stderr,
    /^trimlab: record: '[^']+known32' is built for another machine or word size than libtrimlab-record\.so\n$/,
  );
  const library32 = join(root, 'build', 'record32', 'libtrimlab-record.so');
  if (!existsSync(library32))
    return t.skip('no -m32 recorder: make build/record32/libtrimlab-record.so');
  const run = record(trace, [bin('known32')], { env: { TRIMLAB_RECORD_LIB: library32 } });
  assert.equal(run.code, 0, run.stderr);
  const { header, events } = readTrace(trace);
  assert.equal(header.pointerBytes, 4);
  assert.equal(header.flags, COMPLETE | MMAP_RECORDED);
  assert.deepEqual(replayCheck(events).problems, []);
  // The program's own account of its calls, in the 4-byte trace too.
  const expected = linesOf(run.stdout);
  const start = events.findIndex((e) => e[0] === OP.MALLOC && e[2] === 1234567);
  assert.deepEqual(
    events.slice(start, start + expected.length).map((e) => e.map(String).join(' ')),
    expected,
  );
});

test('a set-user-ID program of another user is refused, exit 2', (t) => {
  if (process.getuid() !== 0) return t.skip('needs root to give the program another owner');
  const program = bin('hello-setuid');
  copyFileSync(bin('hello'), program);
  chownSync(program, 65534, 65534);
  chmodSync(program, 0o4755);
  const run = record(join(work, 'setuid.trace'), [program]);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /^trimlab: record: '[^']+' is set-user-ID or set-group-ID: the loader ignores LD_PRELOAD for it\n$/,
  );
});

test('a program the loader did not preload into: no header after the run, one line, exit 2', () => {
  // A library that records nothing stands in for the loader's refusal (file capabilities...).
  const inert = join(work, 'inert.so');
  writeFileSync(join(work, 'inert.c'), 'int trimlab_inert;\n');
  assert.equal(compile(join(work, 'inert.c'), inert, ['-shared', '-fPIC']), '');
  const run = record(join(work, 'inert.trace'), [bin('hello')], {
    env: { TRIMLAB_RECORD_LIB: inert },
  });
  assert.equal(run.code, 2);
  assert.equal(run.stdout, 'hello\n');
  assert.match(
    run.stderr,
    /^trimlab: record: nothing was recorded from '[^']+hello': the loader did not preload [^\n]+\n$/,
  );
});

const usage = /\(usage: trimlab record -o TRACE -- PROGRAM \[ARGS\.\.\.\]\)\n$/;
for (const [args, message] of [
  [[], /missing -o TRACE/],
  [['--', 'true'], /missing -o TRACE/],
  [['-o'], /-o needs a trace file name/],
  [['-o', 'x.trace'], /missing '--' before the program/],
  [['-o', 'x.trace', 'true'], /missing '--' before true/],
  [['-o', 'x.trace', '--'], /missing the program after '--'/],
  [['-x', '-o', 'x.trace', '--', 'true'], /unknown option -x/],
  [['-o', 'a', '-o', 'b', '--', 'true'], /-o given twice/],
]) {
  test(`bad usage ${JSON.stringify(args)}: exit 2, one line with the usage`, () => {
    const result = spawnSync(nativeCli, ['record', ...args], { encoding: 'utf8', cwd: work });
    assert.equal(result.status, 2);
    assert.equal(linesOf(result.stderr).length, 1, result.stderr);
    assert.match(result.stderr, message);
    assert.match(result.stderr, usage);
  });
}

test('a program that does not exist, or a trace that cannot be written: exit 2, one line', () => {
  for (const [args, message] of [
    [
      ['-o', join(work, 'n.trace'), '--', 'no-such-program-here'],
      /program 'no-such-program-here': not found in PATH/,
    ],
    [
      ['-o', '/nonexistent/dir/n.trace', '--', 'true'],
      /-o '\/nonexistent\/dir\/n.trace' cannot be written/,
    ],
    [
      ['-o', '/dev/full', '--', 'true'],
      /-o '\/dev\/full' cannot be written: it exists and is not a regular file/,
    ],
  ]) {
    const result = spawnSync(nativeCli, ['record', ...args], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.equal(linesOf(result.stderr).length, 1, result.stderr);
    assert.match(result.stderr, message);
  }
});

test('TRIMLAB_RECORD_LIB naming no readable library: exit 2, one line saying so and why', () => {
  // It once said "libtrimlab-record.so not found next to trimlab (run make native)", exit 1.
  for (const [chosen, why] of [
    ['/nonexistent/lib.so', 'No such file or directory'],
    [work, 'Is a directory'],
  ]) {
    const trace = join(work, 'lib.trace');
    const run = record(trace, [bin('hello')], { env: { TRIMLAB_RECORD_LIB: chosen } });
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, '', 'the program did not run');
    assert.equal(
      run.stderr,
      `trimlab: record: the library TRIMLAB_RECORD_LIB names, '${chosen}', cannot be read: ${why}\n`,
    );
  }
});

test('a trace path with control characters and a C1 CSI: the summary is one clean, bounded line', () => {
  const name = `a\nb\x1b[2J\u009b31m${'n'.repeat(200)}.trace`;
  const run = spawnSync(nativeCli, ['record', '-o', name, '--', bin('hello')], {
    cwd: work,
    env: cleanEnv(),
  });
  assert.equal(run.status, 0, String(run.stderr));
  assert.equal(
    run.stderr.toString(),
    `trimlab: recorded ${readTrace(join(work, name)).header.eventCount} events (complete) from ` +
      `${bin('hello')} to a?b?[2J??31m${'n'.repeat(52)}... (${Buffer.byteLength(name)} bytes)\n`,
  );
});

test('docs/trace-format.md shows the bytes the encoder writes for its example', () => {
  const doc = readFileSync(join(root, 'docs', 'trace-format.md'), 'utf8');
  const block = doc.match(
    /<!-- example: tests\/record\/encode_example\.c -->\s*```text\n([\s\S]*?)```/,
  );
  assert.ok(block, 'the example block is in the document');
  const printed = spawnSync(bin('encode_example'), [], { encoding: 'utf8' }).stdout;
  assert.equal(block[1], printed);
  const file = join(work, 'example.trace');
  writeFileSync(file, Buffer.from(printed.replace(/^\w+:/gm, '').replace(/\s+/g, ''), 'hex'));
  const { events, header, name } = checkTrace(file, { recorder: '0.1.0' });
  assert.equal(name, 'demo');
  assert.equal(header.pid, 4242);
  assert.deepEqual(
    events.map((e) => e.map(String).join(' ')),
    [
      '1 94355073274528 100',
      '3 94355073274528 94355073274640 300',
      '4 94355073274640',
      '2 0 18446744073709551615',
      '5 94355073274880 64 64',
    ],
  );
});
