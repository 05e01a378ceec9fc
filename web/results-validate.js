// Checks the text of a results file (docs/results-format.md) before the page uses it, and says
// precisely what is wrong when it refuses. A plain ES module with no imports, so the page and
// Node (tests/browser/results-validate.test.mjs) run the same code.
//
//   const verdict = validateResults(text, { platform: 'native', scenarios: lab.scenarioNames() });
//   verdict.ok ? use(verdict.document) : show(verdict.message);
//
// The checks follow docs/results.schema.json rule for rule (the tests compare every verdict with
// ajv on that schema), then add what a JSON Schema cannot say but the page relies on: at least
// one run, samples numbered 0, 1, 2 … in order, an error message exactly for runs that did not
// complete (oom, bad_trace, failed), a host that fits the platform and resident figures that fit
// the host's way of reading them, "after" events in time order and, when asked, the platform and
// the scenarios. Versions 1 and 2 are read; version 1 has none of version 2's fields (host,
// after, resident_bytes, host_rss_bytes). The schema
// names no scenario, only the form of a name: the list is the engine's (the page has it from the
// module, lab.scenarioNames(), and so do the Node tests), so adding a scenario touches neither. A refusal names its stage: 'input', 'size', 'empty', 'depth',
// 'json', 'schema' or 'consistency'; only 'consistency' refusals are documents the schema accepts.
// 'depth' is a cheap scan before parsing: JSON.parse takes seconds over millions of nested
// brackets, and no results document nests deeper than MAX_DEPTH.

export const FORMAT = 'trimlab-results';
/** The version producers write; every version in VERSIONS is read. */
export const VERSION = 2;
export const VERSIONS = Object.freeze([1, 2]);
/** Files over this many bytes are refused before they are read or parsed (20 MB). */
export const MAX_INPUT_BYTES = 20_000_000;
/** The schema's bound on every byte count: 2^48, far above any real footprint. */
export const MAX_BYTES = 2 ** 48;
/** The deepest a results document nests: the document, runs, a run, its samples, a sample. */
export const MAX_DEPTH = 5;

// The schema's form of a scenario name; the names themselves are the engine's.
const SCENARIO_PATTERN = /^[a-z][a-z0-9_]{0,31}$/u;
const PHASES = ['baseline', 'allocate', 'fill', 'free', 'trim', 'final'];
const PLATFORMS = ['native', 'wasm'];
const ALLOCATORS = ['glibc', 'dlmalloc', 'emmalloc'];
const DOCUMENT_TRIM = ['enabled', 'disabled', 'unavailable', 'mixed'];
const RUN_TRIM = ['enabled', 'disabled', 'unavailable'];
const OUTCOMES = ['completed', 'oom', 'bad_trace', 'failed'];
const HOSTS = ['native', 'node', 'chromium', 'firefox'];
const RESIDENT_METHODS = ['rss_anon', 'smaps', 'none'];
const AFTER_EVENTS = ['run_end', 'dropped', 'collected', 'terminated', 'reloaded', 'run_again'];
// Fields a version 1 document cannot have.
const V2_RUN_FIELDS = ['host', 'after', 'maps'];
const V2_SAMPLE_FIELDS = ['resident_bytes', 'host_rss_bytes'];
const MAX_PARAMS = 8;
// The schema's pattern for a bucket model; 'u' as ajv compiles patterns.
const MODEL_PATTERN = /^[0-9]+[KM]?(\/[0-9]+[KM]?){0,7}$/u;

const DOCUMENT_FIELDS = {
  required: ['format', 'version', 'platform', 'allocator', 'trim', 'runs'],
  optional: ['generator', 'created', 'page_bytes'],
};
const RUN_FIELDS = {
  required: ['scenario', 'params', 'trim', 'outcome', 'error', 'samples', 'summary'],
  optional: ['elapsed_ms', 'trace', 'program', ...V2_RUN_FIELDS],
};
/** A program run's program (`trimlab measure`, tools/real/run.mjs): its name and arguments. */
const PROGRAM_FIELDS = { required: ['name', 'args'], optional: [] };
const MAX_PROGRAM_ARGS = 64;
const MAP_FIELDS = {
  required: ['at', 'step', 'page_bytes', 'held_bytes', 'outside_bytes', 'classes'],
  optional: [],
};
const MAP_MOMENTS = ['work', 'free', 'trim'];
const MAX_MAPS = 3;
const MAX_MAP_TEXT = 4194304;
const MAX_MAP_PAGE = 1048576;
// The schema's pattern of a map's run-length text; 'u' as ajv compiles patterns.
const MAP_PATTERN = /^([1-9][0-9]{0,11}[lcfas])*$/u;
const HOST_FIELDS = { required: ['name', 'version', 'resident'], optional: [] };
const AFTER_FIELDS = {
  required: ['event', 'elapsed_ms', 'resident_bytes', 'host_rss_bytes'],
  optional: [],
};
const TRACE_FIELDS = {
  required: ['program', 'event_count', 'events_replayed', 'complete', 'peak_requested_bytes'],
  optional: ['replay_overhead_bytes'],
};
const SAMPLE_FIELDS = {
  required: ['step', 'phase', 'label', 'footprint_bytes', 'in_use_bytes', 'allocator_free_bytes'],
  optional: ['rss_anon_bytes', 'sbrk_bytes', ...V2_SAMPLE_FIELDS],
};
/** A program run's samples: the allocator is the program's, so its figures may be absent. */
const PROGRAM_SAMPLE_FIELDS = {
  required: SAMPLE_FIELDS.required.filter(
    (name) => !name.endsWith('_bytes') || name === 'footprint_bytes',
  ),
  optional: [
    ...SAMPLE_FIELDS.required.filter(
      (name) => name.endsWith('_bytes') && name !== 'footprint_bytes',
    ),
    ...SAMPLE_FIELDS.optional,
  ],
};
const SUMMARY_BYTES = [
  'baseline_footprint_bytes',
  'peak_footprint_bytes',
  'peak_in_use_bytes',
  'before_trim_bytes',
  'after_trim_bytes',
  'final_footprint_bytes',
];
const SUMMARY_FIELDS = {
  required: [...SUMMARY_BYTES, 'released_by_trim_bytes', 'trim_called', 'trim_returned'],
  optional: [],
};

/** A refusal is thrown inside the checks and turned into {ok: false} at the top. */
class Refusal extends Error {
  constructor(stage, message) {
    super(message);
    this.stage = stage;
  }
}

const refuse = (path, text) => {
  throw new Refusal('schema', `${path || 'document'}: ${text}`);
};

/** A short, safe rendering of a value for a message (values come from an untrusted file). */
function show(value) {
  if (typeof value === 'string') {
    const cut = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `'${cut}'`;
  }
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function typeName(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
// JSON Schema's "integer": a finite number without a fractional part (as ajv checks it).
const isInteger = (value) =>
  typeof value === 'number' && Number.isFinite(value) && Number.isInteger(value);
// maxLength counts code points, not UTF-16 units (ajv's default).
const codePoints = (text) => {
  let count = 0;
  for (const points = text[Symbol.iterator](); !points.next().done;) count++;
  return count;
};

function checkObject(value, path, fields) {
  if (!isObject(value)) refuse(path, `expected an object, got ${typeName(value)}`);
  for (const name of fields.required)
    if (!Object.hasOwn(value, name)) refuse(path, `missing field '${name}'`);
  const allowed = new Set([...fields.required, ...fields.optional]);
  for (const name of Object.keys(value))
    if (!allowed.has(name))
      refuse(path, `unknown field ${show(name)} (allowed: ${[...allowed].join(', ')})`);
}

function checkEnum(value, path, allowed, what) {
  if (!allowed.includes(value))
    refuse(path, `${show(value)} is not a known ${what} (allowed: ${allowed.join(', ')})`);
}

function checkString(value, path, maxLength) {
  if (typeof value !== 'string') refuse(path, `expected a string, got ${typeName(value)}`);
  if (codePoints(value) > maxLength) refuse(path, `longer than ${maxLength} characters`);
}

function checkInteger(value, path, what) {
  if (typeof value !== 'number') refuse(path, `expected ${what}, got ${typeName(value)}`);
  if (!Number.isFinite(value)) refuse(path, `${value} is not a finite number`);
  if (!Number.isInteger(value)) refuse(path, `${value} is not a whole number (expected ${what})`);
}

/** A byte count: an integer from `min` (0 unless signed) to 2^48. */
function checkBytes(value, path, { signed = false } = {}) {
  checkInteger(value, path, 'an integer number of bytes');
  const min = signed ? -MAX_BYTES : 0;
  if (value < min)
    refuse(path, signed ? `${value} is below -2^48` : `${value} is negative (bytes are 0 to 2^48)`);
  if (value > MAX_BYTES) refuse(path, `${value} is over 2^48 bytes: not a plausible size`);
}

function checkDocument(doc) {
  if (!isObject(doc)) refuse('', `expected an object, got ${typeName(doc)}`);
  // Format and version first: a file of another kind or version says so, not "missing field".
  if (Object.hasOwn(doc, 'format') && doc.format !== FORMAT)
    refuse('format', `${show(doc.format)} is not '${FORMAT}': not a trimlab results file`);
  if (Object.hasOwn(doc, 'version') && !VERSIONS.includes(doc.version))
    refuse(
      'version',
      `${show(doc.version)} is not supported (this page reads versions ${VERSIONS.join(' and ')})`,
    );
  checkObject(doc, '', DOCUMENT_FIELDS);
  if (Object.hasOwn(doc, 'generator')) checkString(doc.generator, 'generator', 200);
  if (Object.hasOwn(doc, 'created')) checkString(doc.created, 'created', 40);
  checkEnum(doc.platform, 'platform', PLATFORMS, 'platform');
  checkEnum(doc.allocator, 'allocator', ALLOCATORS, 'allocator');
  if (Object.hasOwn(doc, 'page_bytes')) {
    checkInteger(doc.page_bytes, 'page_bytes', 'an integer');
    if (doc.page_bytes < 1)
      refuse('page_bytes', `${doc.page_bytes} is not a page size (at least 1)`);
  }
  checkEnum(doc.trim, 'trim', DOCUMENT_TRIM, 'trim setting');
  if (!Array.isArray(doc.runs)) refuse('runs', `expected an array, got ${typeName(doc.runs)}`);
  doc.runs.forEach((run, index) => checkRun(run, `runs[${index}]`, doc.version));
}

function checkParams(params, path) {
  if (!isObject(params)) refuse(path, `expected an object, got ${typeName(params)}`);
  const names = Object.keys(params);
  if (names.length > MAX_PARAMS) refuse(path, `${names.length} parameters, at most ${MAX_PARAMS}`);
  for (const name of names) {
    const value = params[name];
    const where = `${path}.${name}`;
    if (typeof value === 'string') {
      if (!MODEL_PATTERN.test(value))
        refuse(where, `${show(value)} is not a bucket model such as 1M/1M/1M`);
    } else if (!isInteger(value) || value < 0) {
      refuse(where, `${show(value)} is neither a whole number from 0 nor a bucket model string`);
    }
  }
}

/** A version 1 document has none of version 2's fields; in version 2 every run has its host. */
function checkVersionFields(run, path, version) {
  if (version !== 1) {
    if (!Object.hasOwn(run, 'host')) refuse(path, "missing field 'host' (version 2)");
    return;
  }
  for (const name of V2_RUN_FIELDS)
    if (Object.hasOwn(run, name))
      refuse(`${path}.${name}`, 'a version 1 document has no such field (it came with version 2)');
  if (!Array.isArray(run.samples)) return;
  run.samples.forEach((sample, index) => {
    for (const name of V2_SAMPLE_FIELDS)
      if (isObject(sample) && Object.hasOwn(sample, name))
        refuse(
          `${path}.samples[${index}].${name}`,
          'a version 1 document has no such field (it came with version 2)',
        );
  });
}

function checkHost(host, path) {
  checkObject(host, path, HOST_FIELDS);
  checkEnum(host.name, `${path}.name`, HOSTS, 'host');
  checkString(host.version, `${path}.version`, 100);
  checkEnum(host.resident, `${path}.resident`, RESIDENT_METHODS, 'resident method');
}

function checkAfter(after, path) {
  if (!Array.isArray(after)) refuse(path, `expected an array, got ${typeName(after)}`);
  after.forEach((event, index) => {
    const where = `${path}[${index}]`;
    checkObject(event, where, AFTER_FIELDS);
    checkEnum(event.event, `${where}.event`, AFTER_EVENTS, 'event');
    checkElapsed(event.elapsed_ms, `${where}.elapsed_ms`);
    if (event.resident_bytes !== null) checkBytes(event.resident_bytes, `${where}.resident_bytes`);
    checkBytes(event.host_rss_bytes, `${where}.host_rss_bytes`);
  });
}

function checkMaps(maps, path) {
  if (!Array.isArray(maps)) refuse(path, `expected an array, got ${typeName(maps)}`);
  if (maps.length > MAX_MAPS) refuse(path, `${maps.length} maps, at most ${MAX_MAPS}`);
  maps.forEach((map, index) => {
    const where = `${path}[${index}]`;
    checkObject(map, where, MAP_FIELDS);
    checkEnum(map.at, `${where}.at`, MAP_MOMENTS, 'map moment');
    checkInteger(map.step, `${where}.step`, 'an integer');
    if (map.step < 0) refuse(`${where}.step`, `${map.step} is negative`);
    checkInteger(map.page_bytes, `${where}.page_bytes`, 'an integer');
    if (map.page_bytes < 1 || map.page_bytes > MAX_MAP_PAGE)
      refuse(`${where}.page_bytes`, `${map.page_bytes} is not from 1 to ${MAX_MAP_PAGE}`);
    checkBytes(map.held_bytes, `${where}.held_bytes`);
    checkBytes(map.outside_bytes, `${where}.outside_bytes`);
    checkString(map.classes, `${where}.classes`, MAX_MAP_TEXT);
    if (!MAP_PATTERN.test(map.classes))
      refuse(
        `${where}.classes`,
        'not a run-length text of page classes (a count from 1 and one of l, c, f, a, s per run)',
      );
  });
}

function checkElapsed(value, where) {
  if (typeof value !== 'number') refuse(where, `expected a number, got ${typeName(value)}`);
  if (!Number.isFinite(value)) refuse(where, `${value} is not a finite number`);
  if (value < 0) refuse(where, `${value} is negative`);
}

function checkRun(run, path, version) {
  checkObject(run, path, RUN_FIELDS);
  checkVersionFields(run, path, version);
  if (typeof run.scenario !== 'string')
    refuse(`${path}.scenario`, `expected a string, got ${typeName(run.scenario)}`);
  if (!SCENARIO_PATTERN.test(run.scenario))
    refuse(
      `${path}.scenario`,
      `${show(run.scenario)} is not a scenario name (a lowercase letter, then at most 31 ` +
        'lowercase letters, digits or _)',
    );
  checkParams(run.params, `${path}.params`);
  checkEnum(run.trim, `${path}.trim`, RUN_TRIM, 'trim setting');
  checkEnum(run.outcome, `${path}.outcome`, OUTCOMES, 'outcome');
  if (run.error !== null) checkString(run.error, `${path}.error`, 512);
  if (Object.hasOwn(run, 'host')) checkHost(run.host, `${path}.host`);
  if (Object.hasOwn(run, 'elapsed_ms')) checkElapsed(run.elapsed_ms, `${path}.elapsed_ms`);
  if (!Array.isArray(run.samples))
    refuse(`${path}.samples`, `expected an array, got ${typeName(run.samples)}`);
  // A failed run's process died: it may have none.
  if (run.samples.length === 0 && run.outcome !== 'failed')
    refuse(`${path}.samples`, 'empty: a run has at least one sample unless it failed');
  const program = run.scenario === 'program';
  run.samples.forEach((sample, index) =>
    checkSample(
      sample,
      `${path}.samples[${index}]`,
      program ? PROGRAM_SAMPLE_FIELDS : SAMPLE_FIELDS,
    ),
  );
  checkSummary(run.summary, `${path}.summary`);
  if (Object.hasOwn(run, 'trace')) checkTrace(run.trace, `${path}.trace`);
  else if (run.scenario === 'replay') refuse(path, 'a replay run carries its "trace"');
  if (Object.hasOwn(run, 'after')) checkAfter(run.after, `${path}.after`);
  if (Object.hasOwn(run, 'maps')) checkMaps(run.maps, `${path}.maps`);
  if (Object.hasOwn(run, 'program')) {
    if (!program) refuse(`${path}.program`, 'only a program run (scenario "program") has one');
    checkProgram(run.program, `${path}.program`);
  } else if (program) refuse(path, 'a program run carries its "program"');
}

function checkProgram(program, path) {
  checkObject(program, path, PROGRAM_FIELDS);
  checkString(program.name, `${path}.name`, 256);
  if (!Array.isArray(program.args))
    refuse(`${path}.args`, `expected an array, got ${typeName(program.args)}`);
  if (program.args.length > MAX_PROGRAM_ARGS)
    refuse(`${path}.args`, `${program.args.length} arguments, at most ${MAX_PROGRAM_ARGS}`);
  program.args.forEach((arg, index) => checkString(arg, `${path}.args[${index}]`, 4096));
}

function checkTrace(trace, path) {
  checkObject(trace, path, TRACE_FIELDS);
  checkString(trace.program, `${path}.program`, 256);
  for (const name of ['event_count', 'events_replayed']) {
    checkInteger(trace[name], `${path}.${name}`, 'a count');
    if (trace[name] < 0) refuse(`${path}.${name}`, `${trace[name]} is negative`);
  }
  if (typeof trace.complete !== 'boolean')
    refuse(`${path}.complete`, `expected true or false, got ${typeName(trace.complete)}`);
  for (const name of ['peak_requested_bytes', 'replay_overhead_bytes'])
    if (Object.hasOwn(trace, name)) checkBytes(trace[name], `${path}.${name}`);
}

function checkSample(sample, path, fields) {
  checkObject(sample, path, fields);
  checkInteger(sample.step, `${path}.step`, 'a step number');
  if (sample.step < 0) refuse(`${path}.step`, `${sample.step} is negative`);
  checkEnum(sample.phase, `${path}.phase`, PHASES, 'phase');
  checkString(sample.label, `${path}.label`, 80);
  for (const name of [
    'footprint_bytes',
    'rss_anon_bytes',
    'sbrk_bytes',
    'in_use_bytes',
    'allocator_free_bytes',
    ...V2_SAMPLE_FIELDS,
  ])
    if (Object.hasOwn(sample, name)) checkBytes(sample[name], `${path}.${name}`);
}

function checkSummary(summary, path) {
  checkObject(summary, path, SUMMARY_FIELDS);
  for (const name of SUMMARY_BYTES) checkBytes(summary[name], `${path}.${name}`);
  checkBytes(summary.released_by_trim_bytes, `${path}.released_by_trim_bytes`, { signed: true });
  if (typeof summary.trim_called !== 'boolean')
    refuse(`${path}.trim_called`, `expected true or false, got ${typeName(summary.trim_called)}`);
  if (summary.trim_returned !== null)
    checkInteger(summary.trim_returned, `${path}.trim_returned`, 'an integer or null');
}

// ---- beyond the schema: what the page relies on ----

function checkConsistency(doc, platform, scenarios) {
  const fail = (message) => {
    throw new Refusal('consistency', message);
  };
  if (platform && doc.platform !== platform)
    fail(
      `platform: this file holds ${doc.platform} results; ${platform} results are expected here`,
    );
  if (doc.runs.length === 0) fail('runs: the file holds no runs, so there is nothing to show');
  doc.runs.forEach((run, r) => {
    if (scenarios && !scenarios.includes(run.scenario))
      fail(
        `runs[${r}].scenario: ${show(run.scenario)} is not a known scenario ` +
          `(allowed: ${scenarios.join(', ')})`,
      );
    run.samples.forEach((sample, index) => {
      if (sample.step !== index)
        fail(
          `runs[${r}].samples[${index}]: samples out of order: step ${sample.step} where ` +
            `step ${index} belongs (steps count 0, 1, 2 … in order)`,
        );
    });
    if (run.outcome !== 'completed' && run.error === null)
      fail(
        `runs[${r}].error: ${run.outcome === 'oom' ? 'an' : 'a'} ${run.outcome} run carries its ` +
          'message, found null',
      );
    if (run.outcome === 'completed' && run.error !== null)
      fail(`runs[${r}].error: a completed run has no error, found ${show(run.error)}`);
    if (run.host) checkHostFits(doc.platform, run, `runs[${r}]`, fail);
    (run.maps ?? []).forEach((map, index) => {
      if (map.step >= run.samples.length)
        fail(
          `runs[${r}].maps[${index}].step: ${map.step} is not a sample of this run ` +
            `(it has ${run.samples.length})`,
        );
      if (map.outside_bytes > map.held_bytes)
        fail(
          `runs[${r}].maps[${index}].outside_bytes: ${map.outside_bytes} is more than the ` +
            `${map.held_bytes} held`,
        );
    });
    (run.after ?? []).forEach((event, index) => {
      const previous = run.after[index - 1];
      if (previous && event.elapsed_ms < previous.elapsed_ms)
        fail(
          `runs[${r}].after[${index}]: out of order: ${event.event} at ${event.elapsed_ms} ms ` +
            `comes after ${previous.event} at ${previous.elapsed_ms} ms (events are in time order)`,
        );
    });
  });
}

/** The host fits the platform (native runs ran natively, wasm runs in Node or a browser), its
 *  way of reading resident memory fits the host, and "none" comes with no resident figures. */
function checkHostFits(platform, run, path, fail) {
  const { name, resident } = run.host;
  if ((platform === 'native') !== (name === 'native'))
    fail(`${path}.host.name: ${show(name)} is not a host of ${platform} runs`);
  const methods = name === 'native' ? ['rss_anon', 'none'] : ['smaps', 'none'];
  if (!methods.includes(resident))
    fail(
      `${path}.host.resident: ${show(resident)} is not how ${name} reads resident memory ` +
        `(allowed: ${methods.join(', ')})`,
    );
  if (resident !== 'none') return;
  const read =
    run.samples.findIndex((sample) => Object.hasOwn(sample, 'resident_bytes')) >= 0 ||
    (run.after ?? []).some((event) => event.resident_bytes !== null);
  if (read) fail(`${path}.host.resident: 'none', yet the run carries resident_bytes figures`);
}

const RESULTS_LEVELS = `results file nests at most ${MAX_DEPTH}: document, runs, run, samples, sample`;
const EXPORT_LEVELS = `page's export nests at most ${MAX_DEPTH + 1}: the export, then a results file`;
const [QUOTE, BACKSLASH] = [0x22, 0x5c];
const [OPEN_ARRAY, OPEN_OBJECT, CLOSE_ARRAY, CLOSE_OBJECT] = [0x5b, 0x7b, 0x5d, 0x7d];

/** Refuses text whose brackets (outside strings) nest deeper than `limit`. One pass, no
 *  parsing; malformed text passes on to JSON.parse, which says what is wrong with it. */
function checkDepth(text, limit = MAX_DEPTH, levels = RESULTS_LEVELS) {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH)
        i++; // the escaped character cannot end the string
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limit)
        throw new Refusal(
          'depth',
          `nested deeper than ${limit} levels at character ` +
            `${(i + 1).toLocaleString('en')} (a ${levels}; refused before parsing)`,
        );
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
}

/**
 * Checks the text of a results file.
 * @param {string} text the whole file
 * @param {{platform?: 'native'|'wasm', scenarios?: string[]}} [options] platform: refuse
 *   documents of another platform; scenarios: the names a run can have (the engine's), else any
 *   name of the right form
 * @returns {{ok: true, document: object} | {ok: false, stage: string, message: string}}
 */
export function validateResults(text, { platform, scenarios } = {}) {
  try {
    if (typeof text !== 'string') throw new Refusal('input', 'expected the text of a results file');
    // Measured in UTF-16 units, each at least one byte in the file; the page also checks the
    // file's size in bytes before reading it.
    if (text.length > MAX_INPUT_BYTES)
      throw new Refusal(
        'size',
        `too large: ${text.length.toLocaleString('en')} characters, ` +
          `over the ${MAX_INPUT_BYTES / 1e6} MB limit (refused before parsing)`,
      );
    const body = text.startsWith('\uFEFF') ? text.slice(1) : text; // a byte-order mark
    if (body.trim() === '') throw new Refusal('empty', 'the file is empty');
    checkDepth(body);
    let document;
    try {
      document = JSON.parse(body);
    } catch (error) {
      throw new Refusal('json', `not JSON: ${error.message}`);
    }
    checkDocument(document);
    checkConsistency(document, platform, scenarios);
    return { ok: true, document };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return { ok: false, stage: error.stage, message: error.message };
  }
}

/** The page's export (docs/results-format.md, "The page's export"): results documents by role. */
export const EXPORT_FORMAT = 'trimlab-export';
export const EXPORT_VERSION = 1;
/** Each member: its platform, and whether it may be null (the run on the chart may not). */
const EXPORT_MEMBERS = {
  run: { platform: 'wasm', optional: false },
  native: { platform: 'native', optional: true },
  measured: { platform: 'wasm', optional: true },
};
const EXPORT_HEAD = /^\uFEFF?\s*\{\s*"format"\s*:\s*"trimlab-export"/u;

/** Whether a file's text is the page's export (its format named first, as the page writes it). */
export const isExportText = (text) => EXPORT_HEAD.test(text.slice(0, 200));

/**
 * Checks the text of the page's export: an object of format EXPORT_FORMAT whose members are
 * results documents, each checked as validateResults checks a file (its refusal named after the
 * member). The run on the chart and the measured run hold one run each.
 * @param {string} text
 * @param {{scenarios?: string[]}} [options]
 * @returns {{ok: true, exported: {run: object, native: object|null, measured: object|null},
 *   instanceRun: number} |
 *   {ok: false, stage: string, message: string}}
 */
export function validateExport(text, { scenarios } = {}) {
  const refused = (stage, message) => ({ ok: false, stage, message });
  if (typeof text !== 'string') return refused('input', 'expected the text of an export');
  if (text.length > MAX_INPUT_BYTES) return validateResults(text); // its size refusal
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let exported;
  try {
    checkDepth(body, MAX_DEPTH + 1, EXPORT_LEVELS);
    exported = JSON.parse(body);
  } catch (error) {
    if (error instanceof Refusal) return refused(error.stage, error.message);
    return refused('json', `not JSON: ${error.message}`);
  }
  if (!isObject(exported))
    return refused('schema', `expected an object, got ${typeName(exported)}`);
  const names = ['format', 'version', 'instance_run', ...Object.keys(EXPORT_MEMBERS)];
  const odd = Object.keys(exported).find((key) => !names.includes(key));
  if (odd !== undefined) return refused('schema', `${show(odd)} is not a member of an export`);
  if (exported.format !== EXPORT_FORMAT || exported.version !== EXPORT_VERSION)
    return refused('schema', `not a ${EXPORT_FORMAT} of version ${EXPORT_VERSION}`);
  const instanceRun = exported.instance_run;
  if (!isInteger(instanceRun) || instanceRun < 1)
    return refused('schema', `instance_run: ${show(instanceRun)} is not a run number (1, 2 …)`);
  const members = {};
  for (const [name, { platform, optional }] of Object.entries(EXPORT_MEMBERS)) {
    const member = exported[name] ?? null;
    if (member === null && optional) {
      members[name] = null;
      continue;
    }
    const verdict = validateResults(JSON.stringify(member), { platform, scenarios });
    if (!verdict.ok) return refused(verdict.stage, `${name}: ${verdict.message}`);
    if (platform === 'wasm' && verdict.document.runs.length !== 1)
      return refused('consistency', `${name}: holds ${verdict.document.runs.length} runs, not one`);
    members[name] = verdict.document;
  }
  return { ok: true, exported: members, instanceRun };
}

/** The size check the page makes on a File before reading it: a message, or null. */
export function sizeRefusal(bytes) {
  return bytes > MAX_INPUT_BYTES
    ? `too large: ${bytes.toLocaleString('en')} bytes, over the ${MAX_INPUT_BYTES / 1e6} MB limit ` +
        '(refused before reading)'
    : null;
}
