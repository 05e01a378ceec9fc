// The malformed results corpus (tests/malformed/manifest.json) through web/results-validate.js,
// called as the page's import calls it: every file is refused with the manifest's message, or
// accepted where only its text is hostile; each verdict agrees with ajv on
// docs/results.schema.json wherever the schema can judge (the text is JSON: a schema says
// nothing about syntax or size); and a 50 MB file, generated here, is refused for its size alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';

import { sizeRefusal, validateResults } from '../../web/results-validate.js';
import {
  acceptedCases, casePath, corpusDir, manifest, refusedCases, writeDeep, writeOversize,
} from '../malformed/corpus.mjs';
import { schemaErrors, tempDir } from './helpers.mjs';

const judge = (text) => validateResults(text, { platform: manifest.platform });
const textOf = (entry) => readFileSync(casePath(entry), 'utf8');

/** Every string in a parsed document, names included: where a hostile text could sit. */
function strings(value, out = []) {
  if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object')
    for (const [name, item] of Object.entries(value)) {
      out.push(name);
      strings(item, out);
    }
  return out;
}

test('the manifest names every file of the corpus exactly once', () => {
  const named = manifest.cases.map((entry) => entry.file);
  assert.equal(new Set(named).size, named.length, 'a file is named twice');
  const files = readdirSync(corpusDir).filter((file) => !['manifest.json', 'corpus.mjs'].includes(file));
  assert.deepEqual(files.sort(), [...named].sort());
});

test('each malformed file is refused with its specific message', (t) => {
  for (const entry of refusedCases) {
    const verdict = judge(textOf(entry));
    assert.equal(verdict.ok, false, `${entry.file} (${entry.what}) was accepted`);
    assert.equal(verdict.stage, entry.stage, `${entry.file}: ${verdict.message}`);
    assert.ok(verdict.message.includes(entry.message),
      `${entry.file}: the message is "${verdict.message}", expected it to contain "${entry.message}"`);
  }
  t.diagnostic(`${refusedCases.length} malformed files refused`);
});

test('valid files with hostile text are accepted, and carry that text unchanged', () => {
  for (const entry of acceptedCases) {
    const verdict = judge(textOf(entry));
    assert.equal(verdict.ok, true, `${entry.file}: ${verdict.message}`);
    if (entry.text) assert.ok(strings(verdict.document).includes(entry.text), entry.file);
  }
});

test('every verdict agrees with ajv where the schema can judge', () => {
  let judged = 0;
  for (const entry of manifest.cases) {
    const text = textOf(entry);
    let document;
    try {
      document = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      continue; // not JSON: nothing for a schema to judge
    }
    const verdict = judge(text);
    const errors = schemaErrors(document);
    // 'consistency' refusals are the checks beyond the schema: only documents it accepts.
    assert.equal(verdict.ok || verdict.stage === 'consistency', errors === '',
      `${entry.file}: validator ${verdict.ok ? 'accepts' : `refuses (${verdict.message})`}, ` +
      `ajv ${errors ? `refuses: ${errors}` : 'accepts'}`);
    judged++;
  }
  // What JSON.parse refused here is exactly what the validator refused as empty or not JSON.
  const notJson = refusedCases.filter((entry) => ['empty', 'json'].includes(entry.stage));
  assert.equal(judged, manifest.cases.length - notJson.length);
});

test('a 50 MB file is refused for its size, before the page reads it and before it is parsed', () => {
  const dir = tempDir();
  try {
    const path = writeOversize(dir);
    const { bytes, stage, message } = manifest.oversize;
    assert.equal(statSync(path).size, bytes);
    // The page checks the File's size first and never reads it ...
    const early = sizeRefusal(bytes);
    assert.ok(early?.includes(message), early);
    // ... and the validator checks the text's length before parsing it.
    const text = readFileSync(path, 'utf8');
    const verdict = judge(text);
    assert.equal(verdict.stage, stage, verdict.message);
    assert.ok(verdict.message.includes(message), verdict.message);
    // Only the size is wrong: without the padding it is a valid document.
    assert.equal(judge(text.trimEnd()).ok, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a document nested 5,000,000 deep is refused by a scan of its brackets, before parsing', () => {
  const dir = tempDir();
  try {
    const text = readFileSync(writeDeep(dir), 'utf8');
    const { depth, stage, message } = manifest.deep;
    assert.ok(text.length > 2 * depth);
    const verdict = judge(text);
    assert.equal(verdict.stage, stage, verdict.message);
    assert.ok(verdict.message.includes(message), verdict.message);
    // Only the nesting is wrong: with the runs of valid.json it is valid again.
    const runs = JSON.parse(textOf({ file: manifest.deep.from })).runs;
    const fixed = text.replace(/"runs":\[+\]+/, `"runs":${JSON.stringify(runs)}`);
    assert.equal(judge(fixed).ok, true, judge(fixed).message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
