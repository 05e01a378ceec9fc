// @ts-check
// The one wrapper around the WebAssembly build of the scenario engine, for the page (ES module
// import) and for Node (tools/run-wasm.mjs, tests/node/wasm*.test.mjs).
//
//   const lab = await loadTrimlab({ allocator: 'dlmalloc' });   // or 'emmalloc'
//   const run = await lab.runScenario('simple', { block_mib: 50 }, { trim: true, onSample });
//   lab.begin('highwater', 'total_mib=300'); let s; while ((s = lab.step())) draw(s);
//   const doc = lab.resultsDocument([run]);   // docs/results.schema.json
//   const r = await lab.runReplay(blobOrBytes, { trim: false, eventsPerStep: 1000, onSample });
//   (an allocation trace, fed to the module in chunks: docs/replay.md)
//
// Loading the Emscripten glue (web/gen/trimlab.js, web/gen/trimlab-emmalloc.js: CommonJS
// factories from -sMODULARIZE=1, since -sEXPORT_ES6 is broken in emscripten 3.1.6):
// - Node: the glue is read and run as a CommonJS module body through node:vm (require() cannot
//   load it: package.json says "type": "module", so Node would treat it as ESM), and the .wasm is
//   passed as wasmBinary because Node 20's global fetch breaks the glue's own loading.
// - Browser: dynamic import() cannot load CommonJS, and fetch + eval needs 'unsafe-eval'. The
//   wrapper appends a same-origin <script src=".../trimlab.js">, which a Content-Security-Policy
//   of script-src 'self' allows, and takes the factory from the global it defines (loads are
//   serialised because both glues define the same global). Compiling WebAssembly under a CSP
//   also needs 'wasm-unsafe-eval' in script-src; the glue itself uses no eval
//   (-sDYNAMIC_EXECUTION=0). The .wasm is fetched from the same folder as the glue.
// No Node module is imported unless the wrapper runs under Node.
//
// The types below are checked (// @ts-check, `make lint` runs tsc -p tools/tsconfig.json).

import { quote } from './message.js';

/**
 * @typedef {'dlmalloc'|'emmalloc'} Allocator
 * @typedef {{step: number, phase: string, label: string, footprint_bytes: number,
 *   sbrk_bytes: number, in_use_bytes: number, allocator_free_bytes: number}} Sample
 *   One engine step (docs/results-format.md; sbrk_bytes is the module's own figure).
 * @typedef {(sample: Sample) => unknown} OnSample Called with each sample; a promise it returns
 *   paces the run.
 * @typedef {{scenario: string, params: Record<string, number|string>, trim: string,
 *   outcome: string, error: string|null, elapsed_ms: number, samples: Sample[],
 *   summary: Record<string, number|boolean|null>, trace?: object}} Run
 *   A finished run in the results format.
 * @typedef {{format: string, version: number, generator: string, created: string,
 *   platform: string, allocator: string|undefined, page_bytes: number, trim: string,
 *   runs: Run[]}} ResultsDocument A results document (docs/results-format.md).
 * @typedef {{name: string, unit: string, description: string, kind: string,
 *   default: number|string, min: number, max: number}} ParamInfo
 * @typedef {{name: string, description: string, params: ParamInfo[]}} ScenarioInfo
 * @typedef {{action: string, json: string|null, quiet: boolean, trace: string|null,
 *   runs: {scenario: string, params: Record<string, number|string>, trim: boolean}[]}}
 *   CommandLine What the native parser decided.
 * @typedef {string|string[]|Record<string, string|number>|null} Params "k=v;k=v", ["k=v"] or
 *   {k: v}.
 * @typedef {{read: (max: number) => Uint8Array|Promise<Uint8Array>}} TraceSource
 * @typedef {Uint8Array|ArrayBuffer} Chunk
 * @typedef {ArrayBufferView|ArrayBuffer|Blob|Iterable<Chunk>|AsyncIterable<Chunk>|TraceSource}
 *   TraceInput An allocation trace's bytes, whole or in chunks (see traceSource).
 * @typedef {{cwrap: (name: string, returns: string|null, args: string[]) =>
 *   (...args: any[]) => any, HEAPU8: Uint8Array}} EmscriptenModule The parts of an instance
 *   used here.
 * @typedef {{print?: (text: string) => void, printErr?: (text: string) => void,
 *   wasmBinary?: Uint8Array, locateFile?: () => string}} ModuleOptions
 * @typedef {(options: ModuleOptions) => Promise<EmscriptenModule>} ModuleFactory
 * @typedef {{trim?: boolean, eventsPerStep?: number, liveBlocks?: number, events?: number}}
 *   ReplayOptions liveBlocks, events: what checkTrace() counted, else the header's.
 */

export const ALLOCATORS = Object.freeze(['dlmalloc', 'emmalloc']);
export const RESULTS_FORMAT = 'trimlab-results';
export const RESULTS_VERSION = 1;

const GLUE_NAMES = { dlmalloc: 'trimlab', emmalloc: 'trimlab-emmalloc' };
/** @type {string|null} The version of the modules loaded here (one build: every instance has
 *  the same), for the generator of a document resultsDocument makes without an instance. */
let loadedVersion = null;
const HERE = new URL('./', import.meta.url);
// Where the build puts the modules (web/gen/, make wasm).
const MODULES = new URL('./gen/', HERE);
const IS_NODE =
  typeof process === 'object' && process.versions != null && process.versions.node != null;

/** An error of the C API: `code` is the status name ("bad_value", "oom", ...), `status` its
 *  number, `message` the engine's message (the native CLI prints it after "trimlab: "). */
export class TrimlabError extends Error {
  /**
   * @param {string} code
   * @param {number} status
   * @param {string} message
   */
  constructor(code, status, message) {
    super(message);
    this.name = 'TrimlabError';
    this.code = code;
    this.status = status;
  }
}

// ---- loading the glue: once per allocator and folder; instances are created from it ----

/** @type {Map<string, Promise<ModuleFactory>>} */
const factories = new Map();
/** @type {Promise<unknown>} */
let browserLoads = Promise.resolve();

/**
 * @param {URL} glueUrl
 * @param {URL} wasmUrl
 * @returns {Promise<ModuleFactory>}
 */
async function nodeFactory(glueUrl, wasmUrl) {
  const [{ readFile }, vm, { createRequire }, { fileURLToPath }, path] = await Promise.all([
    import('node:fs/promises'),
    import('node:vm'),
    import('node:module'),
    import('node:url'),
    import('node:path'),
  ]);
  const gluePath = fileURLToPath(glueUrl);
  const [source, wasmBinary] = await Promise.all([
    readFile(gluePath, 'utf8'),
    readFile(fileURLToPath(wasmUrl)),
  ]);
  const body = vm.runInThisContext(
    `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
    { filename: gluePath },
  );
  /** @type {{exports: any}} */
  const module = { exports: {} };
  body.call(
    module.exports,
    module.exports,
    createRequire(gluePath),
    module,
    gluePath,
    path.dirname(gluePath),
  );
  const factory = module.exports;
  return (options) => factory({ ...options, wasmBinary });
}

/**
 * @param {string} src
 * @returns {Promise<ModuleFactory>}
 */
function loadScript(src) {
  // The glue defines the global createTrimlab, which no type declares.
  const scope = /** @type {any} */ (globalThis);
  return new Promise((resolve, reject) => {
    const previous = scope.createTrimlab;
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => {
      const factory = scope.createTrimlab;
      scope.createTrimlab = previous;
      script.remove();
      if (typeof factory === 'function') resolve(factory);
      else reject(new Error(`${src} did not define createTrimlab`));
    };
    script.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.appendChild(script);
  });
}

/**
 * @param {URL} glueUrl
 * @param {URL} wasmUrl
 * @returns {Promise<ModuleFactory>}
 */
function browserFactory(glueUrl, wasmUrl) {
  const load = browserLoads.then(() => loadScript(glueUrl.href));
  browserLoads = load.catch(() => {});
  return load.then(
    (factory) => (options) => factory({ ...options, locateFile: () => wasmUrl.href }),
  );
}

/**
 * @param {Allocator} allocator
 * @param {URL} baseUrl
 * @returns {Promise<ModuleFactory>}
 */
function factoryFor(allocator, baseUrl) {
  const name = GLUE_NAMES[allocator];
  const glueUrl = new URL(`${name}.js`, baseUrl);
  const wasmUrl = new URL(`${name}.wasm`, baseUrl);
  const key = glueUrl.href;
  let pending = factories.get(key);
  if (pending === undefined) {
    pending = IS_NODE ? nodeFactory(glueUrl, wasmUrl) : browserFactory(glueUrl, wasmUrl);
    factories.set(key, pending);
    pending.catch(() => factories.delete(key));
  }
  return pending;
}

/**
 * Creates a fresh module instance: its own linear memory (64 MiB at the start) and allocator.
 * @param {{allocator?: Allocator, baseUrl?: string|URL,
 *          printErr?: (text: string) => void}} [options] baseUrl: the folder holding trimlab*.js
 *   and trimlab*.wasm (default: gen/ beside this file); printErr: where the Emscripten glue's own
 *   diagnostics go (default console.error; the C API itself never prints).
 * @returns {Promise<Trimlab>}
 */
export async function loadTrimlab({
  allocator = 'dlmalloc',
  baseUrl = MODULES,
  printErr = (text) => console.error(text),
} = {}) {
  if (!Object.hasOwn(GLUE_NAMES, allocator))
    throw new TrimlabError(
      'bad_value',
      3,
      `allocator '${quote(allocator)}' is not allowed ` + `(allowed: ${ALLOCATORS.join(', ')})`,
    );
  const factory = await factoryFor(allocator, new URL(baseUrl, HERE));
  const module = await factory({ print: (text) => console.log(text), printErr });
  return new Trimlab(module);
}

// ---- params and documents ----

/**
 * "k=v;k=v" from a string, an array of "k=v", or an object {k: v}.
 * @param {Params} [params]
 * @returns {string}
 */
export function paramsText(params) {
  if (params == null) return '';
  if (typeof params === 'string') return params;
  if (Array.isArray(params)) return params.join(';');
  return Object.entries(params)
    .map(([key, value]) => `${key}=${value}`)
    .join(';');
}

/**
 * @param {Run[]} runs
 * @returns {'enabled'|'disabled'|'mixed'}
 */
function documentTrim(runs) {
  const enabled = runs.filter((run) => run.trim === 'enabled').length;
  if (enabled === 0) return 'disabled';
  return enabled === runs.length ? 'enabled' : 'mixed';
}

/**
 * A results document (docs/results-format.md) holding `runs` of one allocator.
 * @param {Run[]} runs
 * @param {{allocator?: string, pageBytes?: number, generator?: string, created?: string}}
 *   [options]
 * @returns {ResultsDocument}
 */
export function resultsDocument(runs, { allocator, pageBytes = 65536, generator, created } = {}) {
  return {
    format: RESULTS_FORMAT,
    version: RESULTS_VERSION,
    generator: generator ?? `trimlab ${loadedVersion ?? '(version unknown)'} (wasm)`,
    created: created ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    platform: 'wasm',
    allocator,
    page_bytes: pageBytes,
    trim: documentTrim(runs),
    runs,
  };
}

// ---- one module instance ----

/** @type {Record<string, [string|null, string[]]>} return and argument types for cwrap */
const SIGNATURES = {
  error_code: ['number', []],
  error_name: ['string', []],
  error_message: ['string', []],
  platform: ['string', []],
  allocator: ['string', []],
  page_bytes: ['number', []],
  memory_bytes: ['number', []],
  scenarios_json: ['string', []],
  list_text: ['string', []],
  usage_text: ['string', []],
  check_param: ['number', ['string', 'string']],
  cli_reset: [null, []],
  cli_arg: ['number', ['string']],
  setenv: ['number', ['string', 'string']],
  cli_parse: ['number', []],
  cli_json: ['string', []],
  cli_json_path: ['string', []],
  cli_trace_path: ['string', []],
  begin: ['number', ['string', 'string', 'number']],
  step: ['number', []],
  done: ['number', []],
  end: [null, []],
  sample_step: ['number', []],
  sample_phase: ['string', []],
  sample_label: ['string', []],
  sample_footprint_bytes: ['number', []],
  sample_sbrk_bytes: ['number', []],
  sample_in_use_bytes: ['number', []],
  sample_allocator_free_bytes: ['number', []],
  run_json: ['string', []],
  version: ['string', []],
  replay_begin: ['number', ['array', 'number', 'number', 'string', 'number', 'number', 'number']],
  replay_room: ['number', []],
  replay_input_ptr: ['number', []],
  replay_input: ['number', ['number']],
  check_begin: ['number', ['array', 'number', 'number']],
  check: ['number', []],
  trace_json: ['string', []],
  replay_cli_parse: ['number', []],
  replay_usage_text: ['string', []],
  replay_check_steps: ['number', ['number', 'number']],
  heap_walks: ['number', []],
};

// ---- allocation traces (src/shared/trace_format.h), read in chunks ----

/** The header and program name take at most this many bytes: the first chunk a replay gets. */
export const TRACE_HEADER_MAX = 64 + 256;

/**
 * @param {Iterable<Chunk>|AsyncIterable<Chunk>} iterable
 * @returns {TraceSource}
 */
function chunkSource(iterable) {
  const either = /** @type {any} */ (iterable); // whichever of the two protocols it has
  /** @type {Iterator<Chunk>|AsyncIterator<Chunk>} */
  const iterator = (either[Symbol.asyncIterator] ?? either[Symbol.iterator]).call(iterable);
  /** @type {Uint8Array} */
  let pending = new Uint8Array(0);
  return {
    async read(max) {
      while (pending.length === 0) {
        const { value, done } = await iterator.next();
        if (done) return pending;
        pending = value instanceof Uint8Array ? value : new Uint8Array(value);
      }
      const out = pending.subarray(0, max);
      pending = pending.subarray(out.length);
      return out;
    },
  };
}

/**
 * A reader of a trace's bytes: read(max) gives at most `max` next bytes (a Uint8Array, or a
 * promise of one), empty at the end. From a Uint8Array or ArrayBuffer, a Blob (a file the page
 * was given), an (async) iterable of chunks of any size, or an object that has read(max) already.
 * @param {TraceInput} input
 * @returns {TraceSource}
 */
export function traceSource(input) {
  if (input instanceof ArrayBuffer) input = new Uint8Array(input);
  if (ArrayBuffer.isView(input)) {
    const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let at = 0;
    return {
      read: (max) => {
        const out = bytes.subarray(at, at + max);
        at += out.length;
        return out;
      },
    };
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    let at = 0;
    return {
      async read(max) {
        const out = new Uint8Array(await input.slice(at, at + max).arrayBuffer());
        at += out.length;
        return out;
      },
    };
  }
  const duck = /** @type {any} */ (input); // what it can do decides, not what it is
  if (duck && typeof duck.read === 'function') return duck;
  if (duck && (duck[Symbol.asyncIterator] || duck[Symbol.iterator])) return chunkSource(duck);
  throw new TrimlabError(
    'bad_value',
    3,
    'a trace is a Uint8Array, an ArrayBuffer, a Blob, an iterable of chunks or {read(max)}',
  );
}

/**
 * The first TRACE_HEADER_MAX bytes (fewer: the whole trace) and whether the trace ends there.
 * @param {TraceSource} source
 * @returns {Promise<{bytes: Uint8Array, atEnd: boolean}>}
 */
async function readFirst(source) {
  const first = new Uint8Array(TRACE_HEADER_MAX);
  let length = 0;
  while (length < first.length) {
    const chunk = await source.read(first.length - length);
    if (chunk.length === 0) return { bytes: first.subarray(0, length), atEnd: true };
    first.set(chunk, length);
    length += chunk.length;
  }
  return { bytes: first, atEnd: false };
}

/**
 * Whether `value` is a promise or another thenable: what an onSample callback returns to pace a
 * run.
 * @param {unknown} value
 * @returns {value is PromiseLike<unknown>}
 */
const isThenable = (value) => typeof (/** @type {any} */ (value)?.then) === 'function';

/** The environment variables the native CLI reads. */
export const CLI_ENVIRONMENT = Object.freeze([
  'DISABLE_MALLOC_TRIM',
  'BUCKET_MODEL',
  'ENABLE_CUSTOM_BUCKETS',
]);

/**
 * Why an instance of these allocators is not to be trusted once its malloc_trim ran.
 * @type {Readonly<Record<string, string>>}
 */
const BROKEN_BY_TRIM = Object.freeze({
  emmalloc:
    'Emscripten 3.1.6\u2019s emmalloc loses track of its free memory when malloc_trim ' +
    'runs (emscripten-core/emscripten#23343): later runs in this instance grow memory instead of ' +
    'reusing it, and end out of memory',
});

export class Trimlab {
  /** @type {Record<string, (...args: any[]) => any>} the C API by name (SIGNATURES) */
  #c = {};
  /** @type {Sample[]} */
  #samples = [];
  #elapsed = 0;
  /** @type {ScenarioInfo[]|null} */
  #scenarios = null;
  /** @type {EmscriptenModule} */
  #module;
  /** @type {TraceSource|null} */
  #source = null;
  #trim = false;
  /** @type {string|null} */
  #untrusted = null;

  /** @param {EmscriptenModule} module an instance from the glue's factory (loadTrimlab) */
  constructor(module) {
    this.#module = module;
    for (const [name, [ret, args]] of Object.entries(SIGNATURES))
      this.#c[name] = module.cwrap(`tl_wasm_${name}`, ret, args);
    /** @type {string} what `trimlab --version` prints after "trimlab " */
    this.version = loadedVersion = this.#c.version();
    /** @type {string} always 'wasm' */
    this.platform = this.#c.platform();
    /** @type {Allocator} */
    this.allocator = this.#c.allocator();
    /** @type {number} */
    this.pageBytes = this.#c.page_bytes();
  }

  #error() {
    const c = this.#c;
    return new TrimlabError(c.error_name(), c.error_code(), c.error_message());
  }

  /** @param {number} status */
  #check(status) {
    if (status !== 0) throw this.#error();
  }

  /**
   * A JSON text the module returned; "" means it could not make it, and says why.
   * @param {string} text
   * @returns {any}
   */
  #json(text) {
    if (text === '') throw this.#error();
    return JSON.parse(text);
  }

  /**
   * null while runs in this instance can be trusted; once they cannot, one line saying why
   * (emmalloc after its malloc_trim ran: a fresh instance is needed for honest figures).
   * @returns {string|null}
   */
  get untrusted() {
    return this.#untrusted;
  }

  /**
   * Linear memory size now, in bytes.
   * @returns {number}
   */
  memoryBytes() {
    return this.#c.memory_bytes();
  }

  /** Heap walks this instance made for the allocator's figures (mallinfo): a replay under
   *  dlmalloc makes them at its baseline, trim and final samples only, however many steps.
   * @returns {number}
   */
  heapWalks() {
    return this.#c.heap_walks();
  }

  /**
   * [{name, description, params: [{name, unit, description, kind, default, min, max}]}]
   * @returns {ScenarioInfo[]}
   */
  scenarios() {
    return (this.#scenarios ??= this.#json(this.#c.scenarios_json()).scenarios);
  }

  /**
   * The native CLI's --list text.
   * @returns {string}
   */
  listText() {
    return this.#c.list_text();
  }

  /**
   * The native CLI's --help text.
   * @returns {string}
   */
  usageText() {
    return this.#c.usage_text();
  }

  /**
   * null when "KEY=VALUE" is valid for the scenario, else a TrimlabError (not thrown).
   * @param {string} scenario
   * @param {string} assignment
   * @returns {TrimlabError|null}
   */
  checkParam(scenario, assignment) {
    return this.#c.check_param(scenario, assignment) === 0 ? null : this.#error();
  }

  /** The native CLI's parser on argv (without the program name) and `env` (only
   *  CLI_ENVIRONMENT is read). Returns {action, json, quiet, runs: [{scenario, params, trim}]}
   *  or throws a TrimlabError carrying the native message.
   * @param {string[]} args
   * @param {Record<string, string|undefined>} [env]
   * @returns {CommandLine}
   */
  parseCommandLine(args, env = {}) {
    const c = this.#c;
    for (const name of CLI_ENVIRONMENT) this.#check(c.setenv(name, env[name] ?? null));
    c.cli_reset();
    for (const arg of args) this.#check(c.cli_arg(String(arg)));
    this.#check(c.cli_parse());
    return this.#parsed();
  }

  /**
   * What the native parser decided; the paths are read on their own, whatever their length.
   * @returns {CommandLine}
   */
  #parsed() {
    const c = this.#c;
    const parsed = this.#json(c.cli_json());
    return {
      ...parsed,
      trace: parsed.trace ? c.cli_trace_path() : null,
      json: parsed.json ? c.cli_json_path() : null,
    };
  }

  /**
   * Starts a run (ending one still in progress). Throws a TrimlabError on bad input.
   * @param {string} scenario
   * @param {Params} [params]
   * @param {{trim?: boolean}} [options]
   */
  begin(scenario, params = '', { trim = true } = {}) {
    const c = this.#c;
    c.end();
    this.#samples = [];
    this.#trim = Boolean(trim);
    const start = performance.now();
    const status = c.begin(String(scenario), paramsText(params), trim ? 1 : 0);
    this.#elapsed = performance.now() - start;
    this.#check(status);
  }

  /**
   * One engine step: the new sample, or null once the run is over.
   * @returns {Sample|null}
   */
  step() {
    const c = this.#c;
    const start = performance.now();
    const produced = c.step();
    this.#elapsed += performance.now() - start;
    if (!produced) return null;
    /** @type {Sample} */
    const sample = {
      step: c.sample_step(),
      phase: c.sample_phase(),
      label: c.sample_label(),
      footprint_bytes: c.sample_footprint_bytes(),
      sbrk_bytes: c.sample_sbrk_bytes(),
      in_use_bytes: c.sample_in_use_bytes(),
      allocator_free_bytes: c.sample_allocator_free_bytes(),
    };
    this.#samples.push(sample);
    if (this.#trim && sample.phase === 'trim')
      this.#untrusted ??= BROKEN_BY_TRIM[this.allocator] ?? null;
    return sample;
  }

  /**
   * Whether the run begun last is over.
   * @returns {boolean}
   */
  get done() {
    return this.#c.done() === 1;
  }

  /**
   * The finished run in the results format; elapsed_ms counts the engine's calls only.
   * @returns {Run}
   */
  result() {
    const { scenario, params, trim, outcome, error, summary, trace } = this.#json(
      this.#c.run_json(),
    );
    const elapsed_ms = Math.round(this.#elapsed * 1000) / 1000;
    return {
      scenario,
      params,
      trim,
      outcome,
      error,
      elapsed_ms,
      samples: this.#samples,
      summary,
      ...(trace ? { trace } : {}),
    };
  }

  /** Frees whatever the run holds; the instance is ready for the next run. */
  end() {
    this.#c.end();
    this.#source = null;
  }

  /**
   * Runs a scenario to its end; onSample(sample) may return a promise to pace the run.
   * @param {string} scenario
   * @param {Params} [params]
   * @param {{trim?: boolean, onSample?: OnSample}} [options]
   * @returns {Promise<Run>}
   */
  async runScenario(scenario, params = '', { trim = true, onSample } = {}) {
    this.begin(scenario, params, { trim });
    try {
      for (let sample; (sample = this.step()) !== null;) {
        const paced = onSample?.(sample);
        if (isThenable(paced)) await paced;
      }
      return this.result();
    } finally {
      this.end();
    }
  }

  // ---- allocation traces: trace can be anything traceSource() takes ----

  /**
   * Gives the module the bytes it asks for (at most 1 MiB buffered), straight into its memory.
   * @param {TraceSource} source
   */
  async #feed(source) {
    const c = this.#c;
    for (let room; (room = c.replay_room()) > 0;) {
      const chunk = await source.read(room);
      if (chunk.length > room)
        throw new TrimlabError(
          'bad_value',
          3,
          `the trace source gave ${chunk.length} bytes ` + `where ${room} were asked for`,
        );
      // HEAPU8 read afresh: a view from before a memory growth is detached.
      if (chunk.length > 0) this.#module.HEAPU8.set(chunk, c.replay_input_ptr());
      this.#check(c.replay_input(chunk.length));
    }
  }

  /** Reads a whole trace without allocating for it and returns what `trimlab trace-info --json`
   *  prints, or throws a TrimlabError (code "bad_trace") with the native message.
   * @param {TraceInput} trace
   * @returns {Promise<object>}
   */
  async checkTrace(trace) {
    const c = this.#c;
    c.end();
    const source = traceSource(trace);
    const { bytes, atEnd } = await readFirst(source);
    this.#check(c.check_begin(bytes, bytes.length, atEnd ? 1 : 0));
    try {
      for (;;) {
        await this.#feed(source);
        const status = c.check();
        if (status === 0) return this.#json(c.trace_json());
        if (status !== -1) throw this.#error();
      }
    } finally {
      c.end();
    }
  }

  /** Starts a replay (ending a run in progress); then stepReplay() until null, result(), end().
   *  liveBlocks, events: what checkTrace() counted (max_live_blocks, events), else the header's.
   *  Returns the trace's header figures; throws a TrimlabError for a bad header or options.
   * @param {TraceInput} trace
   * @param {ReplayOptions} [options]
   * @returns {Promise<object>}
   */
  async beginReplay(trace, { trim = true, eventsPerStep, liveBlocks = 0, events = 0 } = {}) {
    const c = this.#c;
    c.end();
    this.#samples = [];
    this.#trim = Boolean(trim);
    this.#source = traceSource(trace);
    const { bytes, atEnd } = await readFirst(this.#source);
    const params = eventsPerStep == null ? '' : `events_per_step=${eventsPerStep}`;
    const start = performance.now();
    const status = c.replay_begin(
      bytes,
      bytes.length,
      atEnd ? 1 : 0,
      params,
      trim ? 1 : 0,
      liveBlocks,
      events,
    );
    this.#elapsed = performance.now() - start;
    this.#check(status);
    return this.#json(c.trace_json());
  }

  /**
   * Feeds the replay, then one engine step (step()): the sample, or null once it is over.
   * @returns {Promise<Sample|null>}
   */
  async stepReplay() {
    if (this.#source !== null) await this.#feed(this.#source);
    return this.step();
  }

  /**
   * A replay to its end, like runScenario; the result's run has a `trace` object.
   * @param {TraceInput} trace
   * @param {ReplayOptions & {onSample?: OnSample}} [options]
   * @returns {Promise<Run>}
   */
  async runReplay(trace, { onSample, ...options } = {}) {
    await this.beginReplay(trace, options);
    try {
      for (let sample; (sample = await this.stepReplay()) !== null;) {
        const paced = onSample?.(sample);
        if (isThenable(paced)) await paced;
      }
      return this.result();
    } finally {
      this.end();
    }
  }

  /** The native `trimlab replay` parser on args (the trace and its options): {action, trace,
   *  json, quiet, runs}, or a thrown TrimlabError with the native message.
   * @param {string[]} args
   * @param {Record<string, string|undefined>} [env]
   * @returns {CommandLine}
   */
  parseReplayCommandLine(args, env = {}) {
    const c = this.#c;
    this.#check(c.setenv('DISABLE_MALLOC_TRIM', env.DISABLE_MALLOC_TRIM ?? null));
    c.cli_reset();
    for (const arg of args) this.#check(c.cli_arg(String(arg)));
    this.#check(c.replay_cli_parse());
    return this.#parsed();
  }

  /** null when events_per_step gives few enough steps for `events` events, else a TrimlabError
   *  (not thrown) with the native message.
   * @param {number} events
   * @param {number} eventsPerStep
   * @returns {TrimlabError|null}
   */
  checkReplaySteps(events, eventsPerStep) {
    return this.#c.replay_check_steps(events, eventsPerStep) === 0 ? null : this.#error();
  }

  /**
   * The native `trimlab replay --help` text.
   * @returns {string}
   */
  replayUsageText() {
    return this.#c.replay_usage_text();
  }

  /**
   * A results document of this instance's platform and allocator.
   * @param {Run[]} runs
   * @param {{generator?: string, created?: string}} [options]
   * @returns {ResultsDocument}
   */
  resultsDocument(runs, options = {}) {
    return resultsDocument(runs, {
      allocator: this.allocator,
      pageBytes: this.pageBytes,
      ...options,
    });
  }
}
