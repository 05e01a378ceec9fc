// What to do about it, after a run: run again on the same instance (the cache is reused), drop
// the instance (its memory stays until the Worker's engine collects it), terminate its Worker
// (the memory goes at once), reload the page. Each is marked on the chart, and the live resident
// line shows what it did; the panel says what was measured. And whether this browser offers
// WebAssembly.Memory's discard (the memory-control proposal), which would let a page hand free
// pages back without losing the instance.
import { mib } from './units.js';

export const MEMORY_CONTROL_URL = 'https://github.com/WebAssembly/memory-control';

/**
 * Whether `proto` (by default this engine's WebAssembly.Memory.prototype) offers discard().
 * @param {object|undefined} [proto]
 * @returns {boolean}
 */
export function offersDiscard(proto = globalThis.WebAssembly?.Memory?.prototype) {
  return typeof proto?.discard === 'function';
}

/**
 * The panel's line on discard in this browser.
 * @param {string} browser e.g. "Chromium 156"
 * @param {boolean} offered
 * @returns {string}
 */
export function discardText(browser, offered) {
  return offered
    ? `${browser} offers WebAssembly.Memory.prototype.discard: free pages could be handed back ` +
        'without dropping the instance (the memory-control proposal).'
    : `${browser} offers no WebAssembly.Memory.prototype.discard (the memory-control proposal, ` +
        'phase 1): a page cannot hand free pages of a live instance back; only dropping the ' +
        'instance or ending its Worker does.';
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

export class RemediesPanel {
  /**
   * @param {{elements: {runAgain: HTMLButtonElement, drop: HTMLButtonElement,
   *            terminate: HTMLButtonElement, reload: HTMLButtonElement, result: HTMLElement},
   *          controller: import('./run-controller.js').RunController,
   *          chart: import('./chart-view.js').ChartView,
   *          resident: import('./resident-live.js').ResidentLive,
   *          runAgain: () => Promise<unknown>, canRunAgain: () => boolean,
   *          changed: () => void}} options runAgain: the last run once more on its instance;
   *   changed: after an action, for the rest of the page (the instance line)
   */
  constructor({ elements, controller, chart, resident, runAgain, canRunAgain, changed }) {
    Object.assign(this, { elements, controller, chart, resident, canRunAgain, changed });
    this.busy = false;
    elements.runAgain.addEventListener('click', () => this.#act(runAgain));
    elements.drop.addEventListener('click', () => this.#act(() => this.#drop()));
    elements.terminate.addEventListener('click', () => this.#act(() => this.#terminate()));
    elements.reload.addEventListener('click', () => location.reload());
    this.update();
  }

  /** Enables what can be done now. */
  update() {
    const { elements, controller } = this;
    const idle = !this.busy && !controller.running;
    elements.runAgain.disabled = !(idle && controller.lab && this.canRunAgain());
    elements.drop.disabled = !(idle && controller.lab);
    elements.terminate.disabled = !(idle && (controller.lab || controller.dropped));
  }

  /** @param {string} text */
  say(text) {
    this.elements.result.textContent = text;
  }

  async #act(action) {
    this.busy = true;
    this.update();
    try {
      await action();
    } finally {
      this.busy = false;
      this.update();
      this.changed();
    }
  }

  /** Marks `text` on the chart now. */
  #mark(text) {
    this.chart.markEvent(text);
    this.chart.refresh();
  }

  /** Follows `lab`'s memory until it is gone; what was measured, in words. */
  async #untilGone(lab, since) {
    const residentBefore = lab.memoryBytes();
    const gone = await this.resident.followUntilGone(lab, () => {
      this.chart.addResident({ resident_bytes: 0, host_rss_bytes: null });
      this.#mark('memory returned');
    });
    if (this.resident.available !== true)
      return 'resident memory is not read here (serve the page with make demo to see it).';
    if (gone)
      return `its memory (linear memory ${mib(residentBefore)} MiB) was returned ${seconds(performance.now() - since)} after.`;
    return 'its memory was still resident after 60 s: the engine had not collected it.';
  }

  async #drop() {
    const since = performance.now();
    const lab = await this.controller.drop();
    if (!lab) return;
    this.#mark('instance dropped');
    this.say('Instance dropped: waiting for the engine to collect it (at most 60 s) …');
    this.say(`Instance dropped: ${await this.#untilGone(lab, since)}`);
  }

  async #terminate() {
    const since = performance.now();
    const [lab] = this.controller.terminate();
    if (!lab) return;
    this.#mark('worker terminated');
    this.say('Worker terminated: waiting for its memory to go …');
    this.say(`Worker terminated: ${await this.#untilGone(lab, since)}`);
  }
}
