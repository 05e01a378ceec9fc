// The one wrapper around the WebAssembly build of the scenario engine, for the page (ES module
// import) and for Node (tools/run-wasm.mjs, tests/node/wasm*.test.mjs).
//
//   const lab = await loadTrimlab({ allocator: 'dlmalloc' });   // or 'emmalloc'
//   const run = await lab.runScenario('simple', { block_mib: 50 }, { trim: true, onSample });
//   lab.begin('highwater', 'total_mib=300'); let s; while ((s = lab.step())) draw(s);
//   const doc = lab.resultsDocument([run]);   // docs/results.schema.json
//
// Loading the Emscripten glue (web/trimlab.js, web/trimlab-emmalloc.js: CommonJS factories from
// -sMODULARIZE=1, since -sEXPORT_ES6 is broken in emscripten 3.1.6):
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

export const ALLOCATORS = Object.freeze(['dlmalloc', 'emmalloc']);
export const RESULTS_FORMAT = 'trimlab-results';
export const RESULTS_VERSION = 1;

const GLUE_NAMES = { dlmalloc: 'trimlab', emmalloc: 'trimlab-emmalloc' };
const HERE = new URL('./', import.meta.url);
const IS_NODE =
  typeof process === 'object' && process.versions != null && process.versions.node != null;

/** An error of the C API: `code` is the status name ("bad_value", "oom", ...), `status` its
 *  number, `message` the engine's message (the native CLI prints it after "trimlab: "). */
export class TrimlabError extends Error {
  constructor(code, status, message) {
    super(message);
    this.name = 'TrimlabError';
    this.code = code;
    this.status = status;
  }
}

// ---- loading the glue: once per allocator and folder; instances are created from it ----

const factories = new Map();
let browserLoads = Promise.resolve();

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
  const module = { exports: {} };
  body.call(module.exports, module.exports, createRequire(gluePath), module, gluePath,
    path.dirname(gluePath));
  const factory = module.exports;
  return (options) => factory({ ...options, wasmBinary });
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const previous = globalThis.createTrimlab;
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => {
      const factory = globalThis.createTrimlab;
      globalThis.createTrimlab = previous;
      script.remove();
      if (typeof factory === 'function') resolve(factory);
      else reject(new Error(`${src} did not define createTrimlab`));
    };
    script.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.appendChild(script);
  });
}

function browserFactory(glueUrl, wasmUrl) {
  const load = browserLoads.then(() => loadScript(glueUrl.href));
  browserLoads = load.catch(() => {});
  return load.then((factory) => (options) =>
    factory({ ...options, locateFile: () => wasmUrl.href }));
}

function factoryFor(allocator, baseUrl) {
  const name = GLUE_NAMES[allocator];
  const glueUrl = new URL(`${name}.js`, baseUrl);
  const wasmUrl = new URL(`${name}.wasm`, baseUrl);
  const key = glueUrl.href;
  if (!factories.has(key)) {
    const pending = IS_NODE ? nodeFactory(glueUrl, wasmUrl) : browserFactory(glueUrl, wasmUrl);
    factories.set(key, pending);
    pending.catch(() => factories.delete(key));
  }
  return factories.get(key);
}

/**
 * Creates a fresh module instance: its own linear memory (64 MiB at the start) and allocator.
 * @param {{allocator?: 'dlmalloc'|'emmalloc', baseUrl?: string|URL}} options baseUrl: the folder
 *   holding trimlab*.js and trimlab*.wasm (default: this file's folder).
 */
export async function loadTrimlab({ allocator = 'dlmalloc', baseUrl = HERE } = {}) {
  if (!Object.hasOwn(GLUE_NAMES, allocator))
    throw new TrimlabError('bad_value', 3,
      `allocator '${String(allocator).slice(0, 40)}' is not allowed ` +
      `(allowed: ${ALLOCATORS.join(', ')})`);
  const factory = await factoryFor(allocator, new URL(baseUrl, HERE));
  const module = await factory({
    print: (text) => console.log(text),
    printErr: (text) => console.error(text),
  });
  return new Trimlab(module);
}

// ---- params and documents ----

/** "k=v;k=v" from a string, an array of "k=v", or an object {k: v}. */
export function paramsText(params) {
  if (params == null) return '';
  if (typeof params === 'string') return params;
  if (Array.isArray(params)) return params.join(';');
  return Object.entries(params).map(([key, value]) => `${key}=${value}`).join(';');
}

function documentTrim(runs) {
  const enabled = runs.filter((run) => run.trim === 'enabled').length;
  if (enabled === 0) return 'disabled';
  return enabled === runs.length ? 'enabled' : 'mixed';
}

/** A results document (docs/results-format.md) holding `runs` of one allocator. */
export function resultsDocument(runs, { allocator, pageBytes = 65536, generator, created } = {}) {
  return {
    format: RESULTS_FORMAT,
    version: RESULTS_VERSION,
    generator: generator ?? 'trimlab wasm (web/trimlab-api.js)',
    created: created ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    platform: 'wasm',
    allocator,
    page_bytes: pageBytes,
    trim: documentTrim(runs),
    runs,
  };
}

// ---- one module instance ----

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
};

/** The environment variables the native CLI reads. */
export const CLI_ENVIRONMENT = Object.freeze([
  'DISABLE_MALLOC_TRIM', 'BUCKET_MODEL', 'ENABLE_CUSTOM_BUCKETS',
]);

export class Trimlab {
  #c = {};
  #samples = [];
  #elapsed = 0;
  #scenarios = null;

  constructor(module) {
    for (const [name, [ret, args]] of Object.entries(SIGNATURES))
      this.#c[name] = module.cwrap(`tl_wasm_${name}`, ret, args);
    this.platform = this.#c.platform();
    this.allocator = this.#c.allocator();
    this.pageBytes = this.#c.page_bytes();
  }

  #error() {
    const c = this.#c;
    return new TrimlabError(c.error_name(), c.error_code(), c.error_message());
  }

  #check(status) {
    if (status !== 0) throw this.#error();
  }

  /** Linear memory size now, in bytes. */
  memoryBytes() {
    return this.#c.memory_bytes();
  }

  /** [{name, description, params: [{name, unit, description, kind, default, min, max}]}] */
  scenarios() {
    this.#scenarios ??= JSON.parse(this.#c.scenarios_json()).scenarios;
    return this.#scenarios;
  }

  /** The native CLI's --list text. */
  listText() {
    return this.#c.list_text();
  }

  /** The native CLI's --help text. */
  usageText() {
    return this.#c.usage_text();
  }

  /** null when "KEY=VALUE" is valid for the scenario, else a TrimlabError (not thrown). */
  checkParam(scenario, assignment) {
    return this.#c.check_param(scenario, assignment) === 0 ? null : this.#error();
  }

  /** The native CLI's parser on argv (without the program name) and `env` (only
     *  CLI_ENVIRONMENT is read). Returns {action, json, quiet, runs: [{scenario, params, trim}]}
     *  or throws a TrimlabError carrying the native message. */
  parseCommandLine(args, env = {}) {
    const c = this.#c;
    for (const name of CLI_ENVIRONMENT) this.#check(c.setenv(name, env[name] ?? null));
    c.cli_reset();
    for (const arg of args) this.#check(c.cli_arg(String(arg)));
    this.#check(c.cli_parse());
    return JSON.parse(c.cli_json());
  }

  /** Starts a run (ending one still in progress). Throws a TrimlabError on bad input. */
  begin(scenario, params = '', { trim = true } = {}) {
    const c = this.#c;
    c.end();
    this.#samples = [];
    const start = performance.now();
    const status = c.begin(String(scenario), paramsText(params), trim ? 1 : 0);
    this.#elapsed = performance.now() - start;
    this.#check(status);
  }

  /** One engine step: the new sample, or null once the run is over. */
  step() {
    const c = this.#c;
    const start = performance.now();
    const produced = c.step();
    this.#elapsed += performance.now() - start;
    if (!produced) return null;
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
    return sample;
  }

  /** Whether the run begun last is over. */
  get done() {
    return this.#c.done() === 1;
  }

  /** The finished run in the results format; elapsed_ms counts the engine's calls only. */
  result() {
    const text = this.#c.run_json();
    if (text === '') throw this.#error();
    const { scenario, params, trim, outcome, error, summary } = JSON.parse(text);
    const elapsed_ms = Math.round(this.#elapsed * 1000) / 1000;
    return { scenario, params, trim, outcome, error, elapsed_ms, samples: this.#samples,
      summary };
  }

  /** Frees whatever the run holds; the instance is ready for the next run. */
  end() {
    this.#c.end();
  }

  /** Runs a scenario to its end; onSample(sample) may return a promise to pace the run. */
  async runScenario(scenario, params = '', { trim = true, onSample } = {}) {
    this.begin(scenario, params, { trim });
    try {
      for (let sample; (sample = this.step()) !== null;) {
        const paced = onSample?.(sample);
        if (paced && typeof paced.then === 'function') await paced;
      }
      return this.result();
    } finally {
      this.end();
    }
  }

  /** A results document of this instance's platform and allocator. */
  resultsDocument(runs, options = {}) {
    return resultsDocument(runs, { allocator: this.allocator, pageBytes: this.pageBytes,
      ...options });
  }
}
