// @ts-check
// The module's memory map, live: at the chart's pace (update() after each drawn batch, so at most
// one a frame) it asks the instance for the allocator's view of its pages (a Worker call, answered
// in turn after the steps asked before it: the last one of a run comes before the run's end frees
// its blocks), and the demo server for the kernel's residency of its memory (GET
// /api/resident-map, at most every RESIDENCY_INTERVAL_MS, one request at a time), and hands their
// combination (web/memory-map.js) to the panel. Where the server has no residency, the allocator's
// view alone, said once in one line. The residency drawn is the newest answer: it lags the
// allocator's view by at most about one interval (a page freed meanwhile reads as cached once the
// next answer says the kernel holds it). Once the run has ended, its last map is drawn again with
// a residency read then.
import { RESIDENT_MAP_URL, combine, residencyFromAnswer } from './memory-map.js';
import { readResident } from './resident-client.js';

/** Between the starts of two residency requests: with /api/resident's ten a second, well under
 *  the server's one limit of 50 requests a second for both. */
export const RESIDENCY_INTERVAL_MS = 200;

/** @typedef {import('./memory-map.js').Residency} Residency */
/**
 * What the panel draws: the module's classes combined with the residency (resident: whether
 * there was one).
 * @typedef {{classes: Uint8Array, page_bytes: number, held_bytes: number, resident: boolean}}
 *   LiveMap
 */
/** @typedef {{classes: Uint8Array, page_bytes: number, held_bytes: number}} ModuleMap */
/**
 * The instance as the map needs it (web/remote-lab.js, web/lab-host.js).
 * @typedef {{map: () => Promise<ModuleMap>, memoryBytes: () => number, tag: string, tagAddress: number}} MapLab
 */

/** @type {import('./resident-client.js').Endpoint} */
const RESIDENT_MAP_ENDPOINT = Object.freeze({
  url: RESIDENT_MAP_URL,
  sampleOf: (body, target) => residencyFromAnswer(body, Number(target?.bytes)),
});

export class MapLive {
  /** @type {MapLab|null} the instance followed */
  #lab = null;
  /** @type {ModuleMap|null} the newest map the instance gave */
  #last = null;
  /** @type {Residency|null} the newest residency of the followed instance's memory */
  #residency = null;
  /** @type {boolean|null} whether the server gives residency here; null until it answered */
  available = null;
  /** Maps drawn (for `make bench`: the map's live rate). */
  drawn = 0;
  /** Whether the map drawn last is the one settle() drew after the run. */
  settled = false;
  /** Bumped by forget(): answers about an instance let go of are dropped. */
  #generation = 0;
  /** Bumped by every start and end of polling: a loop whose number is not this one ends. */
  #pollNumber = 0;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  #timer;
  /** @type {(() => void)|null} ends the wait of the polling loop */
  #wake = null;

  /**
   * @param {{onMap: (map: LiveMap) => void, onUnavailable: (reason: string) => void,
   *          fetch?: typeof fetch, intervalMs?: number}} options onUnavailable: once, when the
   *   server has no residency here (one line)
   */
  constructor({ onMap, onUnavailable, fetch, intervalMs = RESIDENCY_INTERVAL_MS }) {
    this.onMap = onMap;
    this.onUnavailable = onUnavailable;
    this.fetch = fetch;
    this.intervalMs = intervalMs;
  }

  /** The instance followed (null: none). */
  get lab() {
    return this.#lab;
  }

  /** A run begins on `lab`: follow it (a new instance starts its residency afresh), read its
   *  residency until settle(), and draw its map now. @param {MapLab} lab */
  start(lab) {
    if (lab !== this.#lab) {
      this.forget();
      this.#lab = lab;
    }
    this.settled = false;
    this.#poll();
    this.update();
  }

  /** Asks the followed instance for its map now; drawn when it comes. */
  async update() {
    const lab = this.#lab;
    if (!lab) return;
    const generation = this.#generation;
    let map;
    try {
      map = await lab.map();
    } catch {
      return; // the instance went meanwhile (terminated, dropped): the page forgets it
    }
    if (generation !== this.#generation) return;
    this.#last = map;
    this.#draw();
  }

  #draw() {
    const map = /** @type {ModuleMap} */ (this.#last);
    const residency = this.#residency;
    const classes = residency ? combine(map.classes, residency, map.page_bytes) : map.classes;
    this.drawn += 1;
    this.onMap({ ...map, classes, resident: residency !== null });
  }

  /** Asks for the residency of the followed instance's memory until the polling ends. */
  async #poll() {
    const number = ++this.#pollNumber;
    while (number === this.#pollNumber && this.available !== false) {
      const started = performance.now();
      await this.#readResidency();
      const wait = Math.max(0, this.intervalMs - (performance.now() - started));
      await new Promise((resolve) => {
        this.#wake = () => resolve(undefined);
        this.#timer = setTimeout(this.#wake, wait);
      });
    }
  }

  #stopPolling() {
    this.#pollNumber += 1;
    clearTimeout(this.#timer);
    this.#wake?.();
  }

  /** One residency request now, kept when it comes and the instance is still followed. */
  async #readResidency() {
    const lab = this.#lab;
    if (!lab || this.available === false) return;
    const generation = this.#generation;
    const target = { bytes: lab.memoryBytes(), tag: lab.tag, at: lab.tagAddress };
    const { sample, problem, stop } = await readResident(target, {
      fetch: this.fetch,
      endpoint: RESIDENT_MAP_ENDPOINT,
    });
    if (generation !== this.#generation) return;
    if (sample) {
      this.available = true;
      this.#residency = sample;
    } else if (stop) this.#refused(String(problem));
  }

  /** The server has no residency here: said once. @param {string} reason */
  #refused(reason) {
    if (this.available === false) return;
    this.available = false;
    this.onUnavailable(reason);
  }

  /** The run ended: polling stops, and its last map is drawn again with a residency read now. */
  async settle() {
    this.#stopPolling();
    const generation = this.#generation;
    await this.#readResidency();
    if (generation !== this.#generation || !this.#last) return;
    this.#draw();
    this.settled = true;
  }

  /** Lets go of the instance followed: nothing more of it is asked or drawn. */
  forget() {
    this.#stopPolling();
    this.#generation += 1;
    this.#lab = null;
    this.#last = null;
    this.#residency = null;
  }
}
