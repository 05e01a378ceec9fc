// @ts-check
// The page's end of an engine instance hosted in a dedicated Worker (web/lab-worker.js): the same
// calls as a HostedLab (web/lab-host.js), each a message answered in order. What the page reads
// between calls (linear memory size, whether runs can be trusted) is the status the worker sent
// with its last answer. close() terminates the worker: its memory goes
// with it at once.
import { cleanLine } from './message.js';
import { TrimlabError } from './trimlab-api.js';

/** @typedef {import('./lab-host.js').LabStatus} LabStatus */
/** @typedef {import('./lab-host.js').LabIdentity} LabIdentity */

const WORKER_URL = new URL('./lab-worker.js', import.meta.url);

/**
 * The error a worker sent, as what was thrown there (a TrimlabError keeps its code and status).
 * @param {{name?: string, code?: string, status?: number, message: string}} sent
 * @returns {Error}
 */
function errorOf({ name, code, status, message }) {
  if (name === 'TrimlabError' && typeof code === 'string' && typeof status === 'number')
    return new TrimlabError(code, status, cleanLine(message));
  return new Error(cleanLine(message));
}

export class RemoteLab {
  #worker;
  #nextId = 1;
  /** @type {Map<number, {resolve: (value: any) => void, reject: (error: Error) => void}>} */
  #pending = new Map();
  /** @type {LabStatus} */
  #status = { memoryBytes: 0, untrusted: null };
  /** @type {Error|null} once the worker itself failed, every call fails with this */
  #broken = null;
  allocator = '';
  tag = '';
  tagAddress = 0;

  /** @param {Worker} worker */
  constructor(worker) {
    this.#worker = worker;
    worker.onmessage = ({ data }) => this.#answered(data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#fail(
        new Error(
          cleanLine(`the module's worker failed: ${event.message || 'it could not start'}`),
        ),
      );
    };
  }

  /** @param {{id: number, value?: any, error?: any, status: LabStatus|null}} data */
  #answered({ id, value, error, status }) {
    if (status) this.#status = status;
    const call = this.#pending.get(id);
    if (!call) return;
    this.#pending.delete(id);
    if (error) call.reject(errorOf(error));
    else call.resolve(value);
  }

  /** @param {Error} error */
  #fail(error) {
    this.#broken ??= error;
    for (const call of this.#pending.values()) call.reject(error);
    this.#pending.clear();
  }

  /**
   * @param {string} method
   * @param {unknown[]} args
   * @returns {Promise<any>}
   */
  call(method, ...args) {
    if (this.#broken) return Promise.reject(this.#broken);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, method, args });
    });
  }

  /** Linear memory size as of the worker's last answer. */
  memoryBytes() {
    return this.#status.memoryBytes;
  }

  get untrusted() {
    return this.#status.untrusted;
  }

  /**
   * @param {string} scenario
   * @param {string|Record<string, string|number>} params
   * @param {{trim?: boolean}} [options]
   * @returns {Promise<void>}
   */
  begin(scenario, params, options) {
    return this.call('begin', scenario, params, options);
  }

  /** @param {Blob} trace @returns {Promise<any>} */
  checkTrace(trace) {
    return this.call('checkTrace', trace);
  }

  /** @param {Blob} trace @param {object} options @returns {Promise<any>} */
  beginReplay(trace, options) {
    return this.call('beginReplay', trace, options);
  }

  /**
   * @param {{max: number, budgetMs: number}} limits
   * @returns {Promise<{samples: object[], done: boolean}>}
   */
  steps(limits) {
    return this.call('steps', limits);
  }

  /** @returns {Promise<any>} */
  result() {
    return this.call('result');
  }

  /**
   * The allocator's view of each page of the instance's memory now (HostedLab.map; no page is
   * cached: the kernel's residency is the demo server's).
   * @returns {Promise<{page_bytes: number, held_bytes: number, classes: Uint8Array,
   *   resident: boolean}>}
   */
  map() {
    return this.call('map');
  }

  /** Ends the run begun last (answered in turn; nothing waits for it). */
  end() {
    this.call('end').catch(() => {}); // a worker already gone has nothing left to end
  }

  /** Lets go of the instance in the worker, which stays: the instance's memory is returned once
   *  the worker's engine collects it. The status stays the last one known (the resident reading
   *  still looks for a memory of that size). Every later call but close() fails.
   * @returns {Promise<void>} */
  async drop() {
    await this.call('drop');
    this.#broken ??= new Error('the module\u2019s instance was dropped');
  }

  /** Terminates the worker, and the instance with it. */
  close() {
    this.#worker.terminate();
    this.#fail(new Error('the module\u2019s worker was closed'));
  }
}

/**
 * A fresh instance in a new dedicated Worker.
 * @param {{allocator: string}} options
 * @returns {Promise<RemoteLab>}
 */
export async function loadRemoteLab({ allocator }) {
  const lab = new RemoteLab(new Worker(WORKER_URL));
  try {
    /** @type {LabIdentity} */
    const identity = await lab.call('load', { allocator });
    Object.assign(lab, identity);
    return lab;
  } catch (error) {
    lab.close();
    throw error;
  }
}
