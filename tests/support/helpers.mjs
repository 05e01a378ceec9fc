// Shared by the Node and browser tests: paths, running build/trimlab, the results schema
// validator, and following the processes trimlab starts (through /proc).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const nativeCli = join(root, 'build', 'trimlab');
export const MiB = 1024 * 1024;

const schema = JSON.parse(readFileSync(join(root, 'docs', 'results.schema.json'), 'utf8'));
const validator = new Ajv({ allErrors: true }).compile(schema);

/** Errors of a results document against docs/results.schema.json, as text ('' when valid). */
export function schemaErrors(document) {
  return validator(document) ? '' : JSON.stringify(validator.errors, null, 1);
}

const tempDirs = [];
// Removed when the test file's process ends, unless TRIMLAB_KEEP_TEMP=1 asks to keep them for a look.
process.on('exit', () => {
  if (process.env.TRIMLAB_KEEP_TEMP === '1') return;
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh scratch folder, removed when the process ends (kept with TRIMLAB_KEEP_TEMP=1). */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'trimlab-test-'));
  tempDirs.push(dir);
  return dir;
}

const nativeEnv = (env) => ({ ...process.env, DISABLE_MALLOC_TRIM: '', BUCKET_MODEL: '', ...env });

/** Runs build/trimlab with `args`; env entries are added to (not replacing) the environment. */
export function runNative(args, env = {}) {
  const result = spawnSync(nativeCli, args, { encoding: 'utf8', env: nativeEnv(env) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts build/trimlab in a process group of its own (so a test can signal the group) and
 *  returns it with `closed`: a promise of {code, signal, stderr} when it has ended. */
export function startNative(args, env = {}) {
  const child = spawn(nativeCli, args, {
    env: nativeEnv(env),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (data) => (stderr += data));
  child.closed = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  return child;
}

/** The pids of `pid`'s children, [] when it has none or is gone. */
export function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Whether `pid` still runs: a process that is gone or a zombie (dead, not reaped) does not. */
export function isRunning(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/** Whether `pid` is gone altogether: not even a zombie waiting to be reaped. */
export const isGone = (pid) => !existsSync(`/proc/${pid}`);

/** Resolves with the first truthy value of `probe`, polled every 20 ms; rejects naming `what`
 *  after `seconds` (a bound for a stuck test, not a measured time). */
export async function waitFor(probe, what, seconds = 60) {
  for (const end = Date.now() + seconds * 1000; Date.now() < end;) {
    const value = probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** The environment without what a make running the tests hands its children (a jobserver this
 *  process does not pass on, its command-line variables), plus `extra`. */
export function cleanEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const name of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES']) delete env[name];
  return env;
}

/** `make ARGS` (in the checkout unless options.cwd says otherwise); fails the test with make's
 *  output unless it exits 0, else returns its stdout. */
export function make(args, options = {}) {
  const result = spawnSync('make', ['--no-print-directory', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: cleanEnv(),
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  const where = options.cwd ?? root;
  assert.equal(
    result.status,
    0,
    `make ${args.join(' ')} in ${where}:\n${result.stdout}${result.stderr}`,
  );
  return result.stdout;
}

/** Runs build/trimlab with --json into a fresh file and returns the parsed document. */
export function runNativeJson(args, env = {}) {
  const file = join(tempDir(), 'results.json');
  const result = runNative([...args, '--quiet', '--json', file], env);
  return { ...result, document: JSON.parse(readFileSync(file, 'utf8')) };
}

export function runOf(document, scenario, trim) {
  return document.runs.find((run) => run.scenario === scenario && (!trim || run.trim === trim));
}

/** The scenarios `build/trimlab --list` names, in its order (a scenario's line is not indented,
 *  its parameters' lines are). */
export function listedScenarios() {
  return runNative(['--list'])
    .stdout.split('\n')
    .filter((line) => /^\S/.test(line))
    .map((line) => line.split(' ')[0]);
}

/** The layout of a results document's text: every value, string or number, replaced by S or N
 *  (the keys stay), and a sample's second figure (rss_anon_bytes natively, sbrk_bytes in
 *  WebAssembly) named alike. Two documents of the same runs and steps have the same layout when
 *  one writer wrote them. */
export function jsonLayout(text) {
  return text
    .replace(/"(?:[^"\\]|\\.)*"(\s*:)?|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g, (token, colon) =>
      colon ? token : token.startsWith('"') ? 'S' : 'N',
    )
    .replace(/"(rss_anon_bytes|sbrk_bytes)":/g, '"SECOND":');
}
