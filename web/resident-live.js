// @ts-check
// The page's resident memory: live from the demo server's /api/resident (web/resident-client.js)
// while a run goes and for AFTER_RUN_MS after it, or, where the endpoint is absent or refuses,
// what `make browser-results` measured in this kind of browser (web/gen/data/browser-results.json).
// The choice between the two and the picking of a measured run are here; drawing is the chart's.
import { pollResident, readResident } from './resident-client.js';

/** How long the page goes on reading after a run ended: the memory stays, and this shows it. */
export const AFTER_RUN_MS = 10_000;
/** How long the page waits for a dropped or terminated instance's memory to go. */
export const GONE_WAIT_MS = 60_000;
export const BROWSER_RESULTS_URL = 'gen/data/browser-results.json';

/** @type {Record<string, string>} */
const NAMES = { chromium: 'Chromium', firefox: 'Firefox' };

/**
 * The browser this page runs in, as browser-results.json names it.
 * @param {string} userAgent
 * @returns {'chromium'|'firefox'}
 */
export function browserKind(userAgent) {
  return /\bFirefox\//.test(userAgent) ? 'firefox' : 'chromium';
}

/**
 * The browser this page runs in, in words ("Chromium 156", "Firefox 153").
 * @param {string} userAgent
 * @returns {string}
 */
export function browserLabel(userAgent) {
  const kind = browserKind(userAgent);
  const version = /(?:Firefox|Chrom(?:e|ium))\/(\d+)/.exec(userAgent)?.[1];
  return version ? `${NAMES[kind]} ${version}` : NAMES[kind];
}

/**
 * The measured run of `scenario` to show in `kind` of browser: that browser's if the document
 * holds one, else Chromium's; with the words naming where it was measured. Null: none.
 * @param {any} document a results document (version 2, platform wasm)
 * @param {string} scenario
 * @param {string} kind
 * @returns {{run: any, label: string} | null}
 */
export function measuredRun(document, scenario, kind) {
  const runs = (document?.runs ?? []).filter(
    (/** @type {any} */ run) =>
      run.scenario === scenario &&
      run.outcome === 'completed' &&
      run.samples.every((/** @type {any} */ s) => typeof s.resident_bytes === 'number'),
  );
  const run =
    runs.find((/** @type {any} */ r) => r.host?.name === kind) ??
    runs.find((/** @type {any} */ r) => r.host?.name === 'chromium');
  if (!run) return null;
  const major = String(run.host.version).split('.')[0];
  return { run, label: `measured in ${NAMES[run.host.name] ?? run.host.name} ${major}` };
}

/** @typedef {{memoryBytes: () => number, tag: string, tagAddress: number}} Lab */

const targetOf = (/** @type {Lab} */ lab) => ({
  bytes: lab.memoryBytes(),
  tag: lab.tag,
  at: lab.tagAddress,
});

/**
 * Live readings of one instance at a time. `available` is null until the first answer, then
 * true, or false for good once the endpoint is absent or refuses (onUnavailable says why).
 */
export class ResidentLive {
  /** @type {boolean|null} */
  available = null;
  /** @type {{stop: () => void}|null} */
  #poll = null;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  #timer;
  /** @type {((outcome: 'cancelled') => void)|null} ends a followUntilGone() in progress */
  #settleWait = null;

  /**
   * @param {{onSample: (sample: import('./resident-client.js').ResidentSample) => void,
   *          onMissed: () => void, onUnavailable: (reason: string) => void,
   *          fetch?: typeof fetch}} options onMissed: one reading found no mapping of the memory's
   *   size (yet: the memory just grew) or was refused for a burst; polling goes on
   */
  constructor({ onSample, onMissed, onUnavailable, fetch }) {
    this.onSample = onSample;
    this.onMissed = onMissed;
    this.onUnavailable = onUnavailable;
    this.fetch = fetch;
  }

  /** @param {string} reason */
  #refused(reason) {
    this.stop();
    if (this.available === false) return;
    this.available = false;
    this.onUnavailable(reason);
  }

  /**
   * One reading of `lab` now (null: none; a refusal for good is reported).
   * @param {Lab} lab
   * @returns {Promise<import('./resident-client.js').ResidentSample|null>}
   */
  async readNow(lab) {
    if (this.available === false) return null;
    const { sample, problem, stop } = await readResident(targetOf(lab), { fetch: this.fetch });
    if (sample) {
      this.available = true;
      return sample;
    }
    if (stop) this.#refused(String(problem));
    return null;
  }

  /** Polls `lab` until settle() and AFTER_RUN_MS more, or stop(). @param {Lab} lab */
  follow(lab) {
    this.#follow(
      lab,
      () => this.onMissed(),
      () => this.onMissed(),
    );
  }

  /**
   * Polls a dropped or terminated instance's memory (by the size and tag it last had) until no
   * mapping of it is left, at most GONE_WAIT_MS: then onGone() (its memory was returned) and
   * polling stops. Resolves with 'gone', 'there' (still mapped after GONE_WAIT_MS), 'unread' (no
   * readings here) or 'cancelled' (stop() came first: another run, Reset).
   * @param {Lab} lab
   * @param {() => void} onGone
   * @returns {Promise<'gone'|'there'|'unread'|'cancelled'>}
   */
  followUntilGone(lab, onGone) {
    return new Promise((resolve) => {
      const settle = (/** @type {'gone'|'there'|'unread'|'cancelled'} */ outcome) => {
        this.#settleWait = null;
        resolve(outcome);
      };
      const gone = () => {
        this.#settleWait = null;
        this.stop();
        onGone();
        settle('gone');
      };
      if (
        !this.#follow(
          lab,
          gone,
          () => {},
          () => settle('unread'),
        )
      )
        return settle('unread');
      this.#settleWait = settle;
      this.#timer = setTimeout(() => {
        this.#settleWait = null;
        this.stop();
        resolve('there');
      }, GONE_WAIT_MS);
    });
  }

  /**
   * @param {Lab} lab
   * @param {() => void} onMissing a reading found no mapping of the memory's size
   * @param {() => void} onBurst a reading was refused for a burst of requests (429)
   * @param {() => void} [onEnd] polling stopped for good
   * @returns {boolean} whether polling started
   */
  #follow(lab, onMissing, onBurst, onEnd = () => {}) {
    this.stop();
    if (this.available === false) return false;
    this.#poll = pollResident({
      target: () => targetOf(lab),
      onSample: (sample) => {
        this.available = true;
        this.onSample(sample);
      },
      onProblem: (reason, stopped, missing) => {
        if (stopped) {
          onEnd();
          this.#refused(reason);
        } else if (missing) onMissing();
        else onBurst();
      },
      fetch: this.fetch,
    });
    return true;
  }

  /** The run ended: go on reading for AFTER_RUN_MS, then stop. */
  settle() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.stop(), AFTER_RUN_MS);
  }

  stop() {
    clearTimeout(this.#timer);
    this.#poll?.stop();
    this.#poll = null;
    this.#settleWait?.('cancelled');
  }
}
