// @ts-check
// A third-party WebAssembly module's memory, sampled phase by phase into a run of the results
// format (docs/results-format.md, "Program runs"): its linear memory and, under Node, the
// kernel's resident bytes of it. No Node import at the top: the page can import this module;
// the resident reading (web/resident-node.js) is loaded only when asked for.

/**
 * @typedef {{step: number, phase: string, label: string, footprint_bytes: number,
 *   resident_bytes?: number, host_rss_bytes?: number}} ProgramSample
 * @typedef {{read(): {resident_bytes: number|null, host_rss_bytes: number}}} ResidentSource
 */

/**
 * Catches the WebAssembly.Memory of every module instantiated until `stop()` (a package that
 * exposes none: sql.js, wasmoon), by wrapping WebAssembly.instantiate and
 * instantiateStreaming. The memory is the instance's export or, when the module imports it,
 * the one in its imports.
 * @returns {{memories: WebAssembly.Memory[], stop(): void}}
 */
export function captureMemories() {
  /** @type {WebAssembly.Memory[]} */
  const memories = [];
  const wasm = /** @type {any} */ (WebAssembly);
  const originals = { instantiate: wasm.instantiate, streaming: wasm.instantiateStreaming };
  /** @param {any} imports @param {any} result */
  const keep = (imports, result) => {
    const instance = result instanceof WebAssembly.Instance ? result : result.instance;
    const found = [
      ...Object.values(instance.exports),
      ...Object.values(imports ?? {}).flatMap((names) => Object.values(names ?? {})),
    ].find((value) => value instanceof WebAssembly.Memory);
    if (found && !memories.includes(found)) memories.push(found);
    return result;
  };
  wasm.instantiate = async (/** @type {any} */ source, /** @type {any} */ imports) =>
    keep(imports, await originals.instantiate.call(WebAssembly, source, imports));
  if (originals.streaming)
    wasm.instantiateStreaming = async (/** @type {any} */ source, /** @type {any} */ imports) =>
      keep(imports, await originals.streaming.call(WebAssembly, source, imports));
  return {
    memories,
    stop() {
      wasm.instantiate = originals.instantiate;
      if (originals.streaming) wasm.instantiateStreaming = originals.streaming;
    },
  };
}

/**
 * The module's memory, caught while `load` instantiates it (the package exposes none).
 * @template T
 * @param {() => Promise<T>} load
 * @returns {Promise<{loaded: T, memory: WebAssembly.Memory}>}
 */
export async function loadCapturing(load) {
  const capture = captureMemories();
  try {
    const loaded = await load();
    if (capture.memories.length !== 1)
      throw new Error(`expected one WebAssembly memory, caught ${capture.memories.length}`);
    return { loaded, memory: capture.memories[0] };
  } finally {
    capture.stop();
  }
}

/**
 * Calls `onGrow(byteLength)` each time the module's glue grows `memory` (Emscripten grows it
 * from JavaScript, through memory.grow), as it happens: inside a long statement too, which is
 * when the memory reaches its peak. Wraps that one object's grow.
 * @param {WebAssembly.Memory} memory
 * @param {(bytes: number) => void} onGrow
 */
export function watchGrowth(memory, onGrow) {
  const grow = memory.grow;
  memory.grow = (/** @type {number} */ pages) => {
    const previous = grow.call(memory, pages);
    onGrow(memory.buffer.byteLength);
    return previous;
  };
}

/**
 * What tells this module's memory apart from others of its size, for a resident reading: the
 * address and the 32 hex digits of 16 bytes of its own static data (see nodeResident).
 * @param {WebAssembly.Memory} memory
 * @returns {{tag: string, at: number}}
 */
export function memoryTag(memory) {
  const at = tagAddress(new Uint8Array(memory.buffer));
  const bytes = new Uint8Array(memory.buffer, at, 16);
  return { tag: Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''), at };
}

/**
 * Under Node: a reader of `memory`'s resident bytes (web/resident-node.js). The module is not
 * ours, so no tag of ours is in it: its own bytes are the tag, 16 non-zero bytes of its static
 * data copied at each lookup, which only its own mapping holds at that moment (another instance
 * of the same module could hold them too: then nothing is read, as resident-node.js does for
 * two mappings it cannot tell apart).
 * @param {WebAssembly.Memory} memory
 * @returns {Promise<ResidentSource>}
 */
export async function nodeResident(memory) {
  const { ResidentReader } = await import('./resident-node.js');
  /** @type {{reader: InstanceType<typeof ResidentReader>, bytes: number}|null} */
  let current = null;
  return {
    read() {
      const bytes = memory.buffer.byteLength;
      if (current === null || current.bytes !== bytes) {
        const address = tagAddress(new Uint8Array(memory.buffer));
        const tag = new Uint8Array(memory.buffer, address, 16).slice();
        current = { reader: new ResidentReader(tag, address), bytes };
      }
      const { resident_bytes, host_rss_bytes } = current.reader.read(bytes);
      return { resident_bytes, host_rss_bytes };
    },
  };
}

/** The first 16-byte run at or after 1024 (Emscripten's static data starts there) whose bytes
 *  are all non-zero: distinctive, unlike the zero pages every fresh mapping holds. */
function tagAddress(/** @type {Uint8Array} */ bytes) {
  for (let at = 1024; at + 16 <= Math.min(bytes.length, 1 << 20); at += 16)
    if (bytes.subarray(at, at + 16).every((byte) => byte !== 0)) return at;
  throw new Error('no 16 non-zero bytes in the first MiB of the module memory to tell it by');
}

/** Samples one module's memory, step by step, and makes the run. */
export class ProgramSampler {
  #memory;
  #resident;
  #start = performance.now();
  /** @type {ProgramSample[]} */
  samples = [];

  /**
   * @param {WebAssembly.Memory} memory the module's memory
   * @param {ResidentSource|null} resident where its resident bytes come from (null: not read)
   */
  constructor(memory, resident) {
    this.#memory = memory;
    this.#resident = resident;
  }

  /**
   * Reads the memory now, as a sample of `phase` ('baseline', 'allocate', 'free', 'final').
   * @param {string} phase
   * @param {string} what the label's words; the time since the start follows them
   * @returns {ProgramSample}
   */
  sample(phase, what) {
    const ms = performance.now() - this.#start;
    const label = `${what} t=${ms.toFixed(1)} ms`.slice(-79); // the C writer keeps 79 bytes (TL_LABEL_MAX)
    /** @type {ProgramSample} */
    const sample = {
      step: this.samples.length,
      phase,
      label,
      footprint_bytes: this.#memory.buffer.byteLength,
    };
    if (this.#resident) {
      const reading = this.#resident.read();
      if (reading.resident_bytes !== null) sample.resident_bytes = reading.resident_bytes;
      sample.host_rss_bytes = reading.host_rss_bytes;
    }
    this.samples.push(sample);
    return sample;
  }

  /**
   * The run of the results format: a program run (scenario "program", its program and its
   * arguments), no trim (WebAssembly has none), figures of its samples.
   * @param {{name: string, args: string[]}} program
   * @param {{name: string, version: string}} host
   */
  run(program, host) {
    const footprints = this.samples.map((s) => s.footprint_bytes);
    const final = footprints.at(-1) ?? 0;
    return {
      scenario: 'program',
      params: {},
      trim: 'unavailable',
      outcome: 'completed',
      error: null,
      host: { ...host, resident: this.#resident ? 'smaps' : 'none' },
      elapsed_ms: Math.round((performance.now() - this.#start) * 1000) / 1000,
      samples: this.samples,
      summary: {
        baseline_footprint_bytes: footprints[0] ?? 0,
        peak_footprint_bytes: Math.max(0, ...footprints),
        peak_in_use_bytes: 0,
        before_trim_bytes: final,
        after_trim_bytes: final,
        released_by_trim_bytes: 0,
        final_footprint_bytes: final,
        trim_called: false,
        trim_returned: null,
      },
      program,
    };
  }
}

/**
 * A workload's text cut at its '-- phase: NAME' lines (a comment to SQL and to Lua alike), so
 * the runner can sample between the phases.
 * @param {string} text
 * @returns {{phase: string, text: string}[]}
 */
export function workloadPhases(text) {
  /** @type {{phase: string, text: string}[]} */
  const phases = [];
  for (const line of text.split('\n')) {
    const marker = /^-- phase: ([a-z]+)/.exec(line);
    if (marker) phases.push({ phase: marker[1], text: '' });
    else if (phases.length > 0) phases[phases.length - 1].text += `${line}\n`;
  }
  if (phases.length === 0) throw new Error("a workload has '-- phase: NAME' lines");
  return phases;
}
