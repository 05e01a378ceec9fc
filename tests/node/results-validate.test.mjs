// web/results-validate.js in Node, called as the page's import calls it. Documents made here (a
// small valid one changed field by field, 2,000 random mutations of it) and the malformed corpus
// (tests/malformed/manifest.json) are accepted, or refused with their specific message; every
// verdict agrees with ajv on docs/results.schema.json wherever the schema can judge (the checks
// beyond the schema are marked stage 'consistency' and only ever refuse documents the schema
// accepts); a 50 MB file and a 5,000,000-deep one, generated here, are refused before parsing;
// and the files `make results` and `make wasm-results` write are accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

import {
  MAX_BYTES,
  MAX_INPUT_BYTES,
  sizeRefusal,
  validateResults,
} from '../../web/results-validate.js';
import {
  acceptedCases,
  casePath,
  corpusDir,
  manifest,
  refusedCases,
  writeDeep,
  writeOversize,
} from '../malformed/corpus.mjs';
import { root, schemaErrors, tempDir } from '../support/helpers.mjs';
import { loadTrimlab } from '../../web/trimlab-api.js';

// The scenarios a run can name are the engine's, as the page has them from the module.
const scenarios = (await loadTrimlab()).scenarioNames();

/** A small valid native document: one cycles-like run of four samples; version 2 (its host, the
 *  resident figures) unless `version` is 1. */
function baseDocument(version = 2) {
  const sample = (step, phase, footprint, inUse) => ({
    step,
    phase,
    label: `${phase} step`,
    footprint_bytes: footprint,
    rss_anon_bytes: 4096,
    ...(version === 2 ? { resident_bytes: 4096, host_rss_bytes: footprint } : {}),
    in_use_bytes: inUse,
    allocator_free_bytes: 1024,
  });
  const host = { name: 'native', version: '6.1.0-18-amd64', resident: 'rss_anon' };
  return {
    format: 'trimlab-results',
    version,
    generator: 'test',
    created: '2026-01-01T00:00:00Z',
    platform: 'native',
    allocator: 'glibc',
    page_bytes: 4096,
    trim: 'enabled',
    runs: [
      {
        scenario: 'cycles',
        params: { cycles: 1, block_mib: 10 },
        trim: 'enabled',
        outcome: 'completed',
        error: null,
        ...(version === 2 ? { host } : {}),
        elapsed_ms: 1.5,
        samples: [
          sample(0, 'baseline', 1_000_000, 10),
          sample(1, 'allocate', 11_000_000, 10_000_000),
          sample(2, 'free', 11_000_000, 10),
          sample(3, 'trim', 1_000_000, 10),
        ],
        summary: {
          baseline_footprint_bytes: 1_000_000,
          peak_footprint_bytes: 11_000_000,
          peak_in_use_bytes: 10_000_000,
          before_trim_bytes: 11_000_000,
          after_trim_bytes: 1_000_000,
          released_by_trim_bytes: 10_000_000,
          final_footprint_bytes: 1_000_000,
          trim_called: true,
          trim_returned: 1,
        },
      },
    ],
  };
}

/** The base document changed by `change(document)`, as text. */
function variant(change, version = 2) {
  const document = baseDocument(version);
  change(document);
  return JSON.stringify(document);
}

/** The base document as the Node runner writes a run: platform wasm, host node, the module's
 *  resident bytes, and "after" events down to its collection (resident null: the mapping is
 *  gone). */
function wasmDocument() {
  const document = baseDocument();
  Object.assign(document, { platform: 'wasm', allocator: 'dlmalloc', page_bytes: 65536 });
  const run = document.runs[0];
  run.host = { name: 'node', version: '20.20.2', resident: 'smaps' };
  for (const sample of run.samples) {
    delete sample.rss_anon_bytes;
    sample.sbrk_bytes = 5_287_936;
  }
  run.after = [
    { event: 'run_end', elapsed_ms: 7.25, resident_bytes: 10_514_432, host_rss_bytes: 65_753_088 },
    { event: 'dropped', elapsed_ms: 8.1, resident_bytes: 10_514_432, host_rss_bytes: 65_761_088 },
    { event: 'collected', elapsed_ms: 57.4, resident_bytes: null, host_rss_bytes: 55_361_536 },
  ];
  return document;
}

function wasmVariant(change) {
  const document = wasmDocument();
  change(document);
  return JSON.stringify(document);
}

const run0 = (d) => d.runs[0];
const sample1 = (d) => d.runs[0].samples[1];

// [what, text, expected stage (null: accepted), expected message (exact text or pattern)]
const CASES = [
  ['a good document', variant(() => {}), null],
  [
    'a byte count of exactly 2^48',
    variant((d) => {
      sample1(d).footprint_bytes = MAX_BYTES;
    }),
    null,
  ],
  [
    'a slightly negative release by trim',
    variant((d) => {
      run0(d).summary.released_by_trim_bytes = -4096;
    }),
    null,
  ],
  [
    'a bucket model parameter',
    variant((d) => {
      run0(d).params = { model: '8M/8M/1024K', load_percent: 80 };
    }),
    null,
  ],
  [
    'an 80-character label of emoji (code points, not UTF-16 units)',
    variant((d) => {
      sample1(d).label = '\u{1F600}'.repeat(80);
    }),
    null,
  ],
  [
    'an oom run with its message',
    variant((d) => {
      run0(d).outcome = 'oom';
      run0(d).error = 'malloc failed';
    }),
    null,
  ],
  [
    'a failed run (its process died): no samples, its message',
    variant((d) => {
      Object.assign(run0(d), {
        outcome: 'failed',
        error: 'killed by signal 9 (SIGKILL)',
        samples: [],
      });
    }),
    null,
  ],
  ['a byte-order mark before the document', `\uFEFF${variant(() => {})}`, null],
  [
    'brackets and escaped quotes in strings, which do not nest',
    variant((d) => {
      sample1(d).label = '[[[[[[{{{{{{ \\" [[[[ \\';
    }),
    null,
  ],

  ['empty text', '', 'empty', 'the file is empty'],
  ['only white space', ' \n\t ', 'empty', 'the file is empty'],
  ['not JSON', '{"format": "trimlab-results",', 'json', /^not JSON: /],
  [
    'one level deeper than a results document nests',
    variant((d) => {
      sample1(d).in_use_bytes = [1];
    }),
    'depth',
    /^nested deeper than 5 levels at character \d+ \(a results file nests at most 5: document, runs, run, samples, sample; refused before parsing\)$/,
  ],
  ['JSON null', 'null', 'schema', 'document: expected an object, got null'],
  ['a JSON array', '[]', 'schema', 'document: expected an object, got an array'],
  [
    'a wrong format name',
    variant((d) => {
      d.format = 'trimlab-result';
    }),
    'schema',
    "format: 'trimlab-result' is not 'trimlab-results': not a trimlab results file",
  ],
  [
    'a newer version',
    variant((d) => {
      d.version = 3;
    }),
    'schema',
    'version: 3 is not supported (this page reads versions 1 and 2)',
  ],
  [
    'a version as a string',
    variant((d) => {
      d.version = '1';
    }),
    'schema',
    "version: '1' is not supported (this page reads versions 1 and 2)",
  ],
  ['a version 1 document (no host, no resident figures)', variant(() => {}, 1), null],
  [
    'a version 1 document with a version 2 host',
    variant((d) => {
      run0(d).host = { name: 'native', version: '6.1', resident: 'rss_anon' };
    }, 1),
    'schema',
    'runs[0].host: a version 1 document has no such field (it came with version 2)',
  ],
  [
    'a version 1 sample with host_rss_bytes',
    variant((d) => {
      sample1(d).host_rss_bytes = 4096;
    }, 1),
    'schema',
    'runs[0].samples[1].host_rss_bytes: a version 1 document has no such field (it came with ' +
      'version 2)',
  ],
  [
    'a version 2 run without its host',
    variant((d) => {
      delete run0(d).host;
    }),
    'schema',
    "runs[0]: missing field 'host' (version 2)",
  ],
  ['a Node run with its "after" events, collected at the end', wasmVariant(() => {}), null],
  [
    'a Chromium run whose resident memory was not read',
    wasmVariant((d) => {
      run0(d).host = { name: 'chromium', version: '156.0.7339.80', resident: 'none' };
      for (const sample of run0(d).samples) delete sample.resident_bytes;
      for (const event of run0(d).after) event.resident_bytes = null;
    }),
    null,
  ],
  [
    'a resident_bytes of 2^48 + 1',
    wasmVariant((d) => {
      sample1(d).resident_bytes = MAX_BYTES + 1;
    }),
    'schema',
    'runs[0].samples[1].resident_bytes: 281474976710657 is over 2^48 bytes: not a plausible size',
  ],
  [
    'an "after" event whose resident is a string',
    wasmVariant((d) => {
      run0(d).after[0].resident_bytes = '10 MiB';
    }),
    'schema',
    'runs[0].after[0].resident_bytes: expected an integer number of bytes, got a string',
  ],
  [
    'an "after" event with an unknown field',
    wasmVariant((d) => {
      run0(d).after[2].pid = 4242;
    }),
    'schema',
    "runs[0].after[2]: unknown field 'pid' (allowed: event, elapsed_ms, resident_bytes, " +
      'host_rss_bytes)',
  ],
  [
    'a WebAssembly run that says it ran natively',
    wasmVariant((d) => {
      run0(d).host = { name: 'native', version: '6.1', resident: 'rss_anon' };
    }),
    'consistency',
    "runs[0].host.name: 'native' is not a host of wasm runs",
  ],
  [
    'a Node run whose resident memory is "rss_anon"',
    wasmVariant((d) => {
      run0(d).host.resident = 'rss_anon';
    }),
    'consistency',
    "runs[0].host.resident: 'rss_anon' is not how node reads resident memory (allowed: smaps, " +
      'none)',
  ],
  [
    'a Firefox run with resident "none" whose "after" event has a resident figure',
    wasmVariant((d) => {
      run0(d).host = { name: 'firefox', version: '153.8', resident: 'none' };
      for (const sample of run0(d).samples) delete sample.resident_bytes;
    }),
    'consistency',
    "runs[0].host.resident: 'none', yet the run carries resident_bytes figures",
  ],
  [
    '"after" events out of time order',
    wasmVariant((d) => {
      run0(d).after[2].elapsed_ms = 1;
    }),
    'consistency',
    'runs[0].after[2]: out of order: collected at 1 ms comes after dropped at 8.1 ms (events ' +
      'are in time order)',
  ],
  [
    'no runs field',
    variant((d) => {
      delete d.runs;
    }),
    'schema',
    "document: missing field 'runs'",
  ],
  [
    'an unknown field',
    variant((d) => {
      d.extra = 1;
    }),
    'schema',
    /^document: unknown field 'extra' \(allowed: /,
  ],
  [
    'an unknown platform',
    variant((d) => {
      d.platform = 'windows';
    }),
    'schema',
    /^platform: 'windows' is not a known platform/,
  ],
  [
    'runs as an object',
    variant((d) => {
      d.runs = {};
    }),
    'schema',
    'runs: expected an array, got an object',
  ],
  [
    'a run without summary',
    variant((d) => {
      delete run0(d).summary;
    }),
    'schema',
    "runs[0]: missing field 'summary'",
  ],
  [
    'an unknown scenario',
    variant((d) => {
      run0(d).scenario = 'sorting';
    }),
    'consistency',
    `runs[0].scenario: 'sorting' is not a known scenario (allowed: ${scenarios.join(', ')})`,
  ],
  [
    'a scenario name of the wrong form',
    variant((d) => {
      run0(d).scenario = 'Cycles';
    }),
    'schema',
    /^runs\[0\]\.scenario: 'Cycles' is not a scenario name/,
  ],
  [
    'an unknown phase',
    variant((d) => {
      sample1(d).phase = 'compact';
    }),
    'schema',
    /^runs\[0\]\.samples\[1\]\.phase: 'compact' is not a known phase/,
  ],
  [
    'a negative footprint',
    variant((d) => {
      sample1(d).footprint_bytes = -4096;
    }),
    'schema',
    'runs[0].samples[1].footprint_bytes: -4096 is negative (bytes are 0 to 2^48)',
  ],
  [
    'a footprint over 2^48',
    variant((d) => {
      sample1(d).footprint_bytes = MAX_BYTES + 1;
    }),
    'schema',
    `runs[0].samples[1].footprint_bytes: ${MAX_BYTES + 1} is over 2^48 bytes: not a plausible size`,
  ],
  [
    'a fractional byte count',
    variant((d) => {
      sample1(d).in_use_bytes = 1.5;
    }),
    'schema',
    'runs[0].samples[1].in_use_bytes: 1.5 is not a whole number (expected an integer number of bytes)',
  ],
  [
    '"NaN" as a byte count',
    variant((d) => {
      sample1(d).footprint_bytes = 'NaN';
    }),
    'schema',
    'runs[0].samples[1].footprint_bytes: expected an integer number of bytes, got a string',
  ],
  [
    'a number too large for a double (Infinity)',
    variant(() => {}).replace('"footprint_bytes":11000000', '"footprint_bytes":1e400'),
    'schema',
    'runs[0].samples[1].footprint_bytes: Infinity is not a finite number',
  ],
  [
    'a null byte count',
    variant((d) => {
      sample1(d).allocator_free_bytes = null;
    }),
    'schema',
    'runs[0].samples[1].allocator_free_bytes: expected an integer number of bytes, got null',
  ],
  [
    'an 81-character label',
    variant((d) => {
      sample1(d).label = 'x'.repeat(81);
    }),
    'schema',
    'runs[0].samples[1].label: longer than 80 characters',
  ],
  [
    'nine parameters',
    variant((d) => {
      run0(d).params = Object.fromEntries([...'abcdefghi'].map((k) => [k, 1]));
    }),
    'schema',
    'runs[0].params: 9 parameters, at most 8',
  ],
  [
    'a negative parameter',
    variant((d) => {
      run0(d).params.cycles = -1;
    }),
    'schema',
    /^runs\[0\]\.params\.cycles: -1 is neither/,
  ],
  [
    'a malformed bucket model',
    variant((d) => {
      run0(d).params.model = '8M//8M';
    }),
    'schema',
    /^runs\[0\]\.params\.model: '8M\/\/8M' is not a bucket model/,
  ],
  [
    'a release below -2^48',
    variant((d) => {
      run0(d).summary.released_by_trim_bytes = -MAX_BYTES - 1;
    }),
    'schema',
    `runs[0].summary.released_by_trim_bytes: ${-MAX_BYTES - 1} is below -2^48`,
  ],
  [
    'trim_called as text',
    variant((d) => {
      run0(d).summary.trim_called = 'yes';
    }),
    'schema',
    'runs[0].summary.trim_called: expected true or false, got a string',
  ],
  [
    'a fractional trim_returned',
    variant((d) => {
      run0(d).summary.trim_returned = 0.5;
    }),
    'schema',
    /^runs\[0\]\.summary\.trim_returned: 0\.5 is not a whole number/,
  ],
  [
    'a negative elapsed time',
    variant((d) => {
      run0(d).elapsed_ms = -1;
    }),
    'schema',
    'runs[0].elapsed_ms: -1 is negative',
  ],
  [
    'a 513-character error',
    variant((d) => {
      run0(d).error = 'e'.repeat(513);
    }),
    'schema',
    'runs[0].error: longer than 512 characters',
  ],
  [
    'a run without samples',
    variant((d) => {
      run0(d).samples = [];
    }),
    'schema',
    'runs[0].samples: empty: a run has at least one sample unless it failed',
  ],
  [
    'a negative step',
    variant((d) => {
      sample1(d).step = -1;
    }),
    'schema',
    'runs[0].samples[1].step: -1 is negative',
  ],
  [
    'an unknown sample field',
    variant((d) => {
      sample1(d).rss = 1;
    }),
    'schema',
    /^runs\[0\]\.samples\[1\]: unknown field 'rss'/,
  ],
  [
    'a page size of 0',
    variant((d) => {
      d.page_bytes = 0;
    }),
    'schema',
    'page_bytes: 0 is not a page size (at least 1)',
  ],

  [
    'samples out of order',
    variant((d) => {
      [run0(d).samples[1].step, run0(d).samples[2].step] = [2, 1];
    }),
    'consistency',
    'runs[0].samples[1]: samples out of order: step 2 where step 1 belongs (steps count 0, 1, 2 … in order)',
  ],
  [
    'a missing step',
    variant((d) => {
      run0(d).samples.splice(1, 1);
    }),
    'consistency',
    /^runs\[0\]\.samples\[1\]: samples out of order: step 2 where step 1/,
  ],
  [
    'no runs at all',
    variant((d) => {
      d.runs = [];
    }),
    'consistency',
    'runs: the file holds no runs, so there is nothing to show',
  ],
  [
    'an oom run without its message',
    variant((d) => {
      run0(d).outcome = 'oom';
    }),
    'consistency',
    'runs[0].error: an oom run carries its message, found null',
  ],
  [
    'a failed run without its message',
    variant((d) => {
      Object.assign(run0(d), { outcome: 'failed', samples: [] });
    }),
    'consistency',
    'runs[0].error: a failed run carries its message, found null',
  ],
  [
    'a completed run with an error',
    variant((d) => {
      run0(d).error = 'odd';
    }),
    'consistency',
    "runs[0].error: a completed run has no error, found 'odd'",
  ],
];

test('each document is accepted or refused with its specific message', () => {
  for (const [what, text, stage, message] of CASES) {
    const verdict = validateResults(text, { scenarios });
    if (stage === null) {
      assert.equal(verdict.ok, true, `${what}: ${verdict.message}`);
      assert.equal(typeof verdict.document, 'object');
      continue;
    }
    assert.equal(verdict.ok, false, `${what} was accepted`);
    assert.equal(verdict.stage, stage, `${what}: ${verdict.message}`);
    if (message instanceof RegExp) assert.match(verdict.message, message, what);
    else assert.equal(verdict.message, message, what);
  }
});

const judge = (text) => validateResults(text, { platform: manifest.platform, scenarios });
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
  const files = readdirSync(corpusDir).filter(
    (file) => !['manifest.json', 'corpus.mjs'].includes(file),
  );
  assert.deepEqual(files.sort(), [...named].sort());
});

test('each malformed file is refused with its specific message', (t) => {
  for (const entry of refusedCases) {
    const verdict = judge(textOf(entry));
    assert.equal(verdict.ok, false, `${entry.file} (${entry.what}) was accepted`);
    assert.equal(verdict.stage, entry.stage, `${entry.file}: ${verdict.message}`);
    assert.ok(
      verdict.message.includes(entry.message),
      `${entry.file}: the message is "${verdict.message}", expected it to contain "${entry.message}"`,
    );
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

test('a program run is valid in the format, and refused by a reader of scenarios only', () => {
  const cases = manifest.cases.filter((entry) => entry.format_accepts);
  assert.ok(cases.some((entry) => entry.file === 'program-run.json'));
  for (const entry of cases) {
    const verdict = validateResults(textOf(entry), { platform: manifest.platform });
    assert.equal(verdict.ok, true, `${entry.file}: ${verdict.message}`);
    assert.equal(verdict.document.runs[0].scenario, 'program');
  }
});

test('every verdict agrees with ajv where the schema can judge, and only JSON is judged', () => {
  const documents = [
    ...CASES.map(([what, text]) => ({ what, text, verdict: validateResults(text, { scenarios }) })),
    ...manifest.cases.map((entry) => ({
      what: entry.file,
      text: textOf(entry),
      verdict: judge(textOf(entry)),
    })),
  ];
  for (const { what, text, verdict } of documents) {
    let document;
    try {
      document = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      // Not JSON, so nothing for a schema to judge: the validator refused it as empty or not JSON.
      assert.ok(
        ['empty', 'json'].includes(verdict.stage),
        `${what}: JSON.parse refused it, the validator said ${verdict.stage ?? 'ok'}`,
      );
      continue;
    }
    assert.ok(
      !['empty', 'json'].includes(verdict.stage),
      `${what}: JSON, refused as ${verdict.stage}`,
    );
    const errors = schemaErrors(document);
    // 'consistency' refusals are the checks beyond the schema: only documents it accepts.
    assert.equal(
      verdict.ok || verdict.stage === 'consistency',
      errors === '',
      `${what}: validator ${verdict.ok ? 'accepts' : `refuses (${verdict.message})`}, ` +
        `ajv ${errors ? `refuses: ${errors}` : 'accepts'}`,
    );
  }
});

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every [parent, key] in a value, objects and arrays alike. */
function slots(value, out = []) {
  if (value && typeof value === 'object')
    for (const key of Object.keys(value)) {
      out.push([value, key]);
      slots(value[key], out);
    }
  return out;
}

const REPLACEMENTS = [
  null,
  -1,
  0,
  1,
  1.5,
  -0.5,
  'x',
  '',
  '8M/8M',
  true,
  [],
  {},
  MAX_BYTES,
  MAX_BYTES + 1,
  -MAX_BYTES - 1,
  1e300,
  'completed',
  'free',
  'a'.repeat(600),
];

// Mutated: a version 1 document, a version 2 one and a version 2 Node run with "after" events.
const BASES = [() => baseDocument(1), () => baseDocument(2), wasmDocument];

test('on 2,000 random mutations of each good document, verdicts agree with ajv', () => {
  const next = random(20260101);
  const pick = (list) => list[Math.floor(next() * list.length)];
  let refused = 0;
  for (let i = 0; i < 2000 * BASES.length; i++) {
    const document = BASES[i % BASES.length]();
    const [parent, key] = pick(slots(document));
    const action = next();
    if (action < 0.15 && !Array.isArray(parent)) delete parent[key];
    else if (action < 0.25 && !Array.isArray(parent)) parent[`extra_${i}`] = pick(REPLACEMENTS);
    else parent[key] = pick(REPLACEMENTS);
    const text = JSON.stringify(document);
    const verdict = validateResults(text);
    const errors = schemaErrors(JSON.parse(text));
    assert.equal(
      verdict.ok || verdict.stage === 'consistency',
      errors === '',
      `mutation ${i} of ${key}: validator ${verdict.message ?? 'accepts'}; ajv ${errors || 'accepts'}`,
    );
    if (!verdict.ok) refused++;
  }
  assert.ok(
    refused > 1000 * BASES.length,
    `only ${refused} mutations were refused: the mutations test too little`,
  );
});

test('too large input is refused before parsing, by size', () => {
  // Valid JSON padded past the limit: refused for its size, so it was never parsed.
  const padded = variant(() => {}) + ' '.repeat(MAX_INPUT_BYTES);
  const verdict = validateResults(padded);
  assert.equal(verdict.stage, 'size');
  assert.equal(
    verdict.message,
    `too large: ${padded.length.toLocaleString('en')} characters, ` +
      'over the 20 MB limit (refused before parsing)',
  );
  // Exactly at the limit is still read.
  const atLimit = variant(() => {}).padEnd(MAX_INPUT_BYTES, ' ');
  assert.equal(validateResults(atLimit).ok, true);
  assert.equal(sizeRefusal(MAX_INPUT_BYTES), null);
  assert.equal(
    sizeRefusal(MAX_INPUT_BYTES + 1),
    'too large: 20,000,001 bytes, over the 20 MB limit (refused before reading)',
  );
  assert.equal(validateResults(Buffer.from('{}')).stage, 'input', 'text only');
});

test('the platform check refuses results of the other platform', () => {
  const wasm = wasmVariant(() => {});
  assert.equal(validateResults(wasm).ok, true);
  const verdict = validateResults(wasm, { platform: 'native' });
  assert.equal(
    verdict.message,
    'platform: this file holds wasm results; native results are expected here',
  );
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

test('the files make results and make wasm-results write are accepted', () => {
  const files = [
    ['native-results.json', 'native'],
    ['wasm-results.json', 'wasm'],
  ]
    .map(([name, platform]) => [join(root, 'web', 'gen', 'data', name), platform])
    .filter(([file]) => existsSync(file));
  assert.ok(files.length > 0, 'web/gen/data holds no results: run make results');
  for (const [file, platform] of files) {
    const text = readFileSync(file, 'utf8');
    const verdict = validateResults(text, { platform, scenarios });
    assert.equal(verdict.ok, true, `${file}: ${verdict.message}`);
    assert.equal(schemaErrors(JSON.parse(text)), '', file);
  }
});
