// trimlab as a Unix tool: one version everywhere (`trimlab --version`, the Node runner, results
// documents, traces), the manual page made from --help and lint-clean, bash completion made from
// the program's own lists, and `make install` / `make uninstall` into a DESTDIR, with the
// installed binary run from there. Build first: `make test-node` builds the man page and the
// completion too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import {
  cleanEnv,
  make,
  nativeCli,
  root,
  runNative,
  runNativeJson,
  tempDir,
} from '../support/helpers.mjs';
import { realIndex } from '../../tools/real/vendor.mjs';
import { loadTrimlab } from '../../web/trimlab-api.js';

const manPage = join(root, 'build', 'trimlab.1');
const completion = join(root, 'build', 'bash-completion', 'trimlab');

/** The version as tools/version.sh makes it, the one place it comes from. */
const version = spawnSync(join(root, 'tools', 'version.sh'), { encoding: 'utf8' }).stdout.trim();

/** Every file and symbolic link under `dir`, as paths relative to it, sorted. */
function filesUnder(dir) {
  const found = [];
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.push(relative(dir, path));
    }
  };
  walk(dir);
  return found.sort();
}

// ---- one version ----

test("the version is package.json's, plus the commit in a checkout", () => {
  const { version: base } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const head = spawnSync('git', ['rev-parse', '--short=7', 'HEAD'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.match(version, /^[0-9A-Za-z.+-]+$/);
  if (head.status === 0) assert.ok(version.startsWith(`${base}+g${head.stdout.trim()}`), version);
  else assert.equal(version, readFileSync(join(root, '.tarball-version'), 'utf8').trim());
});

test('trimlab --version and node tools/run-wasm.mjs --version print the same version', () => {
  const native = runNative(['--version']);
  assert.deepEqual(native, { code: 0, stdout: `trimlab ${version}\n`, stderr: '' });
  const runner = spawnSync(process.execPath, [join(root, 'tools', 'run-wasm.mjs'), '--version'], {
    encoding: 'utf8',
  });
  assert.equal(runner.status, 0, runner.stderr);
  assert.equal(runner.stdout, native.stdout);
  assert.equal(runner.stderr, '');
});

test('results documents name the version that wrote them', async () => {
  const { document } = runNativeJson(['--scenario', 'simple', '--set', 'block_mib=1']);
  assert.equal(document.generator, `trimlab ${version} (native)`);
  const file = join(tempDir(), 'wasm.json');
  const runner = spawnSync(
    process.execPath,
    [join(root, 'tools', 'run-wasm.mjs'), '--scenario', 'simple', '--quiet', '--json', file],
    { encoding: 'utf8' },
  );
  assert.equal(runner.status, 0, runner.stderr);
  assert.equal(
    JSON.parse(readFileSync(file, 'utf8')).generator,
    `trimlab ${version} (wasm, Node runner)`,
  );
  // The page exports through the wrapper.
  const lab = await loadTrimlab({ allocator: 'dlmalloc' });
  assert.equal(lab.version, version);
  assert.equal(JSON.parse(lab.documentText([])).generator, `trimlab ${version} (wasm)`);
});

test('a trace records the version of the recorder that wrote it', () => {
  const trace = join(tempDir(), 'sort.trace');
  const record = runNative(['record', '-o', trace, '--', 'sort', '/dev/null']);
  assert.equal(record.code, 0, record.stderr);
  const bytes = readFileSync(trace);
  const field = bytes.subarray(48, 64);
  const expected = Buffer.alloc(16);
  expected.write(version.slice(0, 16), 'latin1');
  assert.deepEqual(field, expected, `${field.toString('latin1')} against ${version}`);
  const info = JSON.parse(runNative(['trace-info', trace, '--json']).stdout);
  assert.equal(info.recorder_version, version.slice(0, 16));
  assert.match(runNative(['trace-info', trace]).stdout, /^recorder {9}trimlab \S+\n/m);
  // A trace from before the field, its bytes 0: read, version unknown.
  const old = join(root, 'tests', 'replay', 'good.trace');
  assert.equal(JSON.parse(runNative(['trace-info', old, '--json']).stdout).recorder_version, null);
});

// ---- the manual page ----

test('man -l renders trimlab(1) without a warning; mandoc -T lint and groff -ww find nothing', () => {
  assert.ok(existsSync(manPage), 'build/trimlab.1 is missing: make man');
  const mandoc = spawnSync('mandoc', ['-T', 'lint', manPage], { encoding: 'utf8' });
  assert.equal(mandoc.stdout + mandoc.stderr, '');
  assert.equal(mandoc.status, 0);
  const groff = spawnSync('groff', ['-ww', '-z', '-man', manPage], { encoding: 'utf8' });
  assert.equal(groff.stderr, '');
  assert.equal(groff.status, 0);
  const man = spawnSync('man', ['--warnings', '-l', manPage], {
    encoding: 'utf8',
    env: { ...process.env, MANPAGER: 'cat', MANWIDTH: '80' },
  });
  assert.equal(man.stderr, '');
  assert.equal(man.status, 0);
  assert.match(man.stdout, new RegExp(`^trimlab ${version.replaceAll('+', '\\+')} `, 'm'));
});

test('trimlab(1) covers every command, option, environment variable and exit code', () => {
  const text = spawnSync('man', ['-l', manPage], {
    encoding: 'utf8',
    env: { ...process.env, MANPAGER: 'cat', MANWIDTH: '200' },
  }).stdout;
  const section = (name) => {
    const match = new RegExp(`^${name}\\n([\\s\\S]*?)(?=^\\S|(?![\\s\\S]))`, 'm').exec(text);
    assert.ok(match, `no section ${name}`);
    return match[1];
  };
  // Every option each parser accepts, as its own refusal of an unknown one lists them.
  const allowed = (args) => {
    const { stderr } = runNative(args);
    return /\(allowed: ([^)]*)\)/.exec(stderr)[1].split(', ');
  };
  for (const option of allowed(['--bogus'])) assert.match(section('OPTIONS'), flag(option));
  for (const option of allowed(['replay', 'x', '--bogus']))
    assert.match(section('REPLAY'), flag(option));
  for (const option of allowed(['trace-info', '--bogus']))
    assert.match(section('TRACE-INFO'), flag(option));
  for (const option of ['-o', '--']) assert.match(section('RECORD'), flag(option));
  for (const command of ['record', 'trace-info', 'replay'])
    assert.match(section('SYNOPSIS'), new RegExp(`trimlab ${command} `));
  for (const name of ['DISABLE_MALLOC_TRIM', 'ENABLE_CUSTOM_BUCKETS', 'BUCKET_MODEL'])
    assert.match(section('ENVIRONMENT'), new RegExp(`^ +${name}$`, 'm'));
  assert.match(section('RECORD'), /^ +TRIMLAB_RECORD_LIB$/m);
  // The agreed exit codes (README, "Exit codes").
  for (const code of ['0', '1', '2', '3', '128\\+N'])
    assert.match(section('EXIT STATUS'), new RegExp(`^ +${code} +\\S`, 'm'));
  for (const command of ['RECORD', 'TRACE-INFO', 'REPLAY'])
    assert.match(section(command), /^ +exit status$/m);
});

/** An option as a tag of its own in the rendered page (`-h, --help` holds both). */
function flag(option) {
  return new RegExp(`^ +(?:\\S+, )?${option}(?:[ ,]|$)`, 'm');
}

// ---- bash completion ----

/** What bash completes for the words of a command line, the last being completed. */
function complete(...words) {
  const script =
    `source ${JSON.stringify(completion)}\n` +
    `COMP_WORDS=(${words.map((word) => JSON.stringify(word)).join(' ')})\n` +
    `COMP_CWORD=${words.length - 1}\n` +
    'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}\n' +
    'complete -p trimlab >/dev/null\n' +
    '_trimlab\n' +
    'printf "%s\\n" "${COMPREPLY[@]}"\n';
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', script], {
    encoding: 'utf8',
    cwd: root,
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split('\n').filter(Boolean).sort();
}

test('bash completes --scenario h to highwater', () => {
  assert.ok(existsSync(completion), 'build/bash-completion/trimlab is missing: make completion');
  assert.deepEqual(complete('trimlab', '--scenario', 'h'), ['highwater']);
});

test("bash completion offers the engine's scenarios and parameters, and every command", async () => {
  // The module's registry (scenarios JSON), not the --list text the completion was made from.
  const lab = await loadTrimlab({ allocator: 'dlmalloc' });
  const scenarios = lab.scenarios();
  assert.deepEqual(complete('trimlab', '--scenario', ''), scenarios.map((s) => s.name).sort());
  for (const scenario of scenarios)
    assert.deepEqual(
      complete('trimlab', '--scenario', scenario.name, '--set', ''),
      scenario.params.map((p) => `${p.name}=`).sort(),
    );
  assert.deepEqual(complete('trimlab', ''), ['measure', 'record', 'replay', 'trace-info']);
  assert.deepEqual(complete('trimlab', 're'), ['record', 'replay']);
  assert.deepEqual(complete('trimlab', '--trim', ''), ['both', 'off', 'on']);
  assert.deepEqual(complete('trimlab', '--ver'), ['--version']);
  assert.deepEqual(complete('trimlab', 'replay', 't.trace', '--set', ''), ['events_per_step=']);
  assert.deepEqual(complete('trimlab', 'replay', 't.trace', '--q'), ['--quiet']);
  assert.deepEqual(complete('trimlab', 'trace-info', '--'), ['--help', '--json']);
  assert.deepEqual(complete('trimlab', 'replay', 'tests/replay/goo'), ['tests/replay/good.trace']);
  assert.deepEqual(complete('trimlab', 'record', '-o', 'x.trace', '--', 'trimlab-no-such-'), []);
});

// ---- make install, make uninstall ----

test('make install DESTDIR=… PREFIX=/usr: the installed trimlab runs; make uninstall empties the tree', () => {
  const destdir = tempDir();
  const prefix = join(destdir, 'usr');
  make(['install', `DESTDIR=${destdir}`, 'PREFIX=/usr']);
  const page = readdirSync(join(root, 'web')).filter((f) => /\.(js|html|css)$/.test(f));
  const docs = readdirSync(join(root, 'docs'));
  const real = realIndex();
  assert.deepEqual(
    filesUnder(prefix),
    [
      'bin/trimlab',
      'lib/trimlab/libtrimlab-record.so',
      'share/bash-completion/completions/trimlab',
      'share/doc/trimlab/README.md',
      ...docs.map((f) => `share/doc/trimlab/docs/${f}`),
      'share/man/man1/trimlab.1',
      ...page.map((f) => `share/trimlab/web/${f}`),
      'share/trimlab/web/gen/data/benchmarks.json',
      'share/trimlab/web/gen/data/native-results.json',
      ...['trimlab.js', 'trimlab.wasm', 'trimlab-emmalloc.js', 'trimlab-emmalloc.wasm'].map(
        (f) => `share/trimlab/web/gen/${f}`,
      ),
      'share/trimlab/web/gen/vendor/LICENSE.md',
      'share/trimlab/web/gen/vendor/chart.umd.min.js',
      // The Real programs view: its list, and each file the list names.
      'share/trimlab/web/gen/real/index.json',
      ...Object.values(real.programs).flatMap(({ glue, wasm }) =>
        [glue, wasm, glue.replace(/[^/]+$/, 'LICENSE')].map((f) => `share/trimlab/web/${f}`),
      ),
      ...real.workloads.map((w) => `share/trimlab/web/${w.text}`),
    ].sort(),
  );
  assert.equal(statSync(join(prefix, 'bin', 'trimlab')).mode & 0o777, 0o755);
  assert.deepEqual(
    readFileSync(join(prefix, 'share', 'trimlab', 'web', 'trimlab-api.js')),
    readFileSync(join(root, 'web', 'trimlab-api.js')),
  );

  const installed = join(prefix, 'bin', 'trimlab');
  const run = (args) => spawnSync(installed, args, { encoding: 'utf8', cwd: destdir });
  assert.equal(run(['--version']).stdout, `trimlab ${version}\n`);
  assert.equal(run(['--list']).stdout, runNative(['--list']).stdout);
  const json = join(destdir, 'simple.json');
  const scenario = run(['--scenario', 'simple', '--set', 'block_mib=2', '--quiet', '--json', json]);
  assert.equal(scenario.status, 0, scenario.stderr);
  assert.equal(JSON.parse(readFileSync(json, 'utf8')).runs[0].outcome, 'completed');
  // record finds the installed library in ../lib/trimlab/: nothing of build/ is beside it.
  const trace = join(destdir, 'sort.trace');
  const record = run(['record', '-o', trace, '--', 'sort', '/dev/null']);
  assert.equal(record.status, 0, record.stderr);
  assert.match(record.stderr, /^trimlab: recorded [1-9]\d* events \(complete\) from sort to /);
  const replay = run(['replay', trace, '--quiet', '--json', join(destdir, 'replay.json')]);
  assert.equal(replay.status, 0, replay.stderr);
  const replayed = JSON.parse(readFileSync(join(destdir, 'replay.json'), 'utf8')).runs[0];
  assert.equal(replayed.outcome, 'completed');
  assert.equal(replayed.trace.program, 'sort');
  assert.ok(replayed.trace.events_replayed > 0);

  make(['uninstall', `DESTDIR=${destdir}`, 'PREFIX=/usr']);
  const left = readdirSync(destdir).filter((f) => !/\.(json|trace)$/.test(f));
  assert.deepEqual(left, ['usr']);
  assert.deepEqual(readdirSync(prefix), []);
});

test('the installed trimlab record names both places when the recorder library is in neither', () => {
  // build/trimlab with no library beside it and none in ../lib/trimlab: copied alone.
  const lone = join(tempDir(), 'bin');
  spawnSync('install', ['-D', nativeCli, join(lone, 'trimlab')]);
  const result = spawnSync(join(lone, 'trimlab'), ['record', '-o', 'x.trace', '--', 'true'], {
    encoding: 'utf8',
    cwd: lone,
    env: cleanEnv({ TRIMLAB_RECORD_LIB: '' }),
  });
  assert.equal(result.status, 1);
  assert.equal(
    result.stderr,
    `trimlab: record: the recorder library is neither '${lone}/libtrimlab-record.so' nor ` +
      `'${lone}/../lib/trimlab/libtrimlab-record.so' (make native, or make install)\n`,
  );
});
