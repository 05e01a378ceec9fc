// Shared by the Node tests: paths, running build/trimlab, and the results schema validator.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
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

export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'trimlab-test-'));
}

/** Runs build/trimlab with `args`; env entries are added to (not replacing) the environment. */
export function runNative(args, env = {}) {
  const result = spawnSync(nativeCli, args, {
    encoding: 'utf8',
    env: { ...process.env, DISABLE_MALLOC_TRIM: '', BUCKET_MODEL: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
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
