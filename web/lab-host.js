// @ts-check
// The engine's instance as the run controller drives it: asynchronous, and in batches of steps.
// The page hosts it in a dedicated Worker (web/lab-worker.js wraps one HostedLab; the page holds a
// web/remote-lab.js with the same methods), so a step that costs more than a frame never holds the
// main thread; Node tests and tools use a HostedLab directly. Either way the controller sees the
// same calls, and the figures it draws come from the same wrapper (web/trimlab-api.js).

/** @typedef {import('./trimlab-api.js').Trimlab} Trimlab */

/**
 * What an instance says about itself after every call: what the page shows between runs and the
 * resident reading needs (the size it looks for), without asking the instance again.
 * @typedef {object} LabStatus
 * @property {number} memoryBytes linear memory size now
 * @property {string|null} untrusted why runs in it can no longer be trusted (null: they can)
 */

/**
 * What stays true of an instance for its life.
 * @typedef {object} LabIdentity
 * @property {string} allocator 'dlmalloc' or 'emmalloc'
 * @property {string} tag the random tag in its static data (32 hex digits)
 * @property {number} tagAddress the tag's address in linear memory
 */

/** The calls a hosted instance answers (a worker refuses any other name). */
export const LAB_CALLS = Object.freeze([
  'begin',
  'checkTrace',
  'beginReplay',
  'steps',
  'result',
  'end',
  'map',
]);

/**
 * What an answer hands over rather than copies (postMessage's transfer list): a map's classes,
 * which the wrapper copies out of linear memory into their own buffer.
 * @param {unknown} value
 * @returns {ArrayBuffer[]}
 */
export function transferables(value) {
  const classes = /** @type {{classes?: unknown}} */ (value ?? {}).classes;
  return classes instanceof Uint8Array ? [/** @type {ArrayBuffer} */ (classes.buffer)] : [];
}

export class HostedLab {
  #lab;
  #replaying = false;

  /** @param {Trimlab} lab */
  constructor(lab) {
    this.#lab = lab;
    /** @type {LabIdentity} */
    this.identity = { allocator: lab.allocator, tag: lab.tag, tagAddress: lab.tagAddress };
    this.allocator = lab.allocator;
    this.tag = lab.tag;
    this.tagAddress = lab.tagAddress;
  }

  /** @type {LabStatus|null} what it last said, once it let go of the instance */
  #dropped = null;

  /** @returns {LabStatus} */
  status() {
    const lab = this.#lab;
    return this.#dropped ?? { memoryBytes: lab.memoryBytes(), untrusted: lab.untrusted };
  }

  memoryBytes() {
    return this.status().memoryBytes;
  }

  get untrusted() {
    return this.status().untrusted;
  }

  /**
   * Begins a run of a built-in scenario (Trimlab.begin).
   * @param {string} scenario
   * @param {string|Record<string, string|number>} params
   * @param {{trim?: boolean}} [options]
   */
  async begin(scenario, params, options) {
    this.#replaying = false;
    this.#lab.begin(scenario, params, options);
  }

  /**
   * Checks a whole trace (Trimlab.checkTrace).
   * @param {Blob} trace
   */
  async checkTrace(trace) {
    return this.#lab.checkTrace(trace);
  }

  /**
   * Begins a replay of a trace (Trimlab.beginReplay).
   * @param {Blob} trace
   * @param {Parameters<Trimlab['beginReplay']>[1]} options
   */
  async beginReplay(trace, options) {
    const header = await this.#lab.beginReplay(trace, options);
    this.#replaying = true;
    return header;
  }

  /**
   * The next steps of the run begun last: at most `max`, for at most about `budgetMs` (a step
   * begun is finished), fewer when the run ends.
   * @param {{max: number, budgetMs: number}} limits
   * @returns {Promise<{samples: object[], done: boolean}>}
   */
  async steps({ max, budgetMs }) {
    const lab = this.#lab;
    const samples = [];
    const deadline = performance.now() + budgetMs;
    while (samples.length < max && !lab.done) {
      const sample = this.#replaying ? await lab.stepReplay() : lab.step();
      if (sample === null) break;
      samples.push(sample);
      if (performance.now() >= deadline) break;
    }
    return { samples, done: lab.done };
  }

  /** The finished run in the results format (Trimlab.result). */
  async result() {
    return this.#lab.result();
  }

  /**
   * The memory map now (Trimlab.map): the allocator's view of each page, with the kernel's
   * residency where the wrapper reads it itself (Node); the page asks the demo server for it.
   */
  async map() {
    return this.#lab.map();
  }

  /** Ends the run begun last, whatever its state (Trimlab.end). */
  end() {
    this.#lab.end();
  }

  /** Nothing to let go of here: the instance is collected once nothing holds it. */
  close() {}

  /** As a worker's drop: this object no longer holds the instance (its last status stays);
   *  any later call but status() fails. */
  async drop() {
    this.#dropped = this.status();
    this.#lab = /** @type {any} */ (null);
  }
}
