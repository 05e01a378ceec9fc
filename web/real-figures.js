// @ts-check
// The "Real programs" view's figures, pure: the native run of a workload taken from its results
// file (make real-results' web/gen/data/real/native-WORKLOAD.json) only when it is that
// workload's run, the samples' times, and the one-line summary of what the native program gave
// back and what the browser kept. Drawing and running are web/real-view.js's.
import { validateResults } from './results-validate.js';
import { mibText } from './units.js';

/**
 * A workload as web/gen/real/index.json lists it (tools/real/vendor.mjs writes it).
 * @typedef {{name: string, kind: string, text: string, native: string[]}} RealWorkload
 */

/** @typedef {{step: number, phase: string, label: string, footprint_bytes: number}} Sample */

/** Where a workload's native results are served. @param {string} name */
export const nativeUrl = (name) => `gen/data/real/native-${name}.json`;

/**
 * The native run of `workload` in the text of its results file, or why not (one line): a valid
 * results document (web/results-validate.js) of the native platform, with one program run, of
 * the workload's own native command, completed, with samples.
 * @param {string} text
 * @param {RealWorkload} workload
 * @returns {{ok: true, run: any} | {ok: false, message: string}}
 */
export function nativeRunOf(text, workload) {
  const verdict = validateResults(text, { platform: 'native', scenarios: ['program'] });
  if (!verdict.ok) return { ok: false, message: verdict.message };
  const runs = /** @type {any} */ (verdict.document).runs;
  const [program, ...args] = workload.native;
  if (runs.length !== 1) return { ok: false, message: `${runs.length} runs, expected one` };
  const [run] = runs;
  const command = [run.program?.name, ...(run.program?.args ?? [])];
  if (run.scenario !== 'program' || command.join('\0') !== [program, ...args].join('\0'))
    return { ok: false, message: `not a run of ${workload.native.join(' ')}` };
  if (run.outcome !== 'completed' || run.samples.length === 0)
    return { ok: false, message: `the run did not complete (${run.outcome})` };
  return { ok: true, run };
}

/**
 * A sample's time in milliseconds since the run began: the "t=N ms" its label ends with (both
 * writers of program runs, trimlab measure and web/real-sampler.js, end their labels so); null
 * when it has none.
 * @param {{label: string}} sample
 * @returns {number|null}
 */
export function sampleMs(sample) {
  const found = /t=(\d+(?:\.\d+)?) ms$/.exec(sample.label);
  return found ? Number(found[1]) : null;
}

/**
 * Each sample's time in seconds since the run began (sampleMs); a sample without one takes the
 * time of the one before it.
 * @param {Sample[]} samples
 * @returns {number[]}
 */
export function sampleSeconds(samples) {
  let before = 0;
  return samples.map((sample) => {
    before = (sampleMs(sample) ?? before * 1000) / 1000;
    return before;
  });
}

/**
 * Points {x: seconds, y: bytes} of `samples`' `field`.
 * @param {Sample[]} samples
 * @param {string} [field]
 */
export function pointsOf(samples, field = 'footprint_bytes') {
  const seconds = sampleSeconds(samples);
  return samples.map((s, i) => ({ x: seconds[i], y: /** @type {any} */ (s)[field] }));
}

/**
 * The view's summary, one line: what the native program gave back (its RSS peak minus its last
 * reading before it exited) and what the browser kept (the module's linear memory after the free
 * phase, which is its peak: a WebAssembly memory never shrinks) and, when there is a resident
 * reading, how much of that is resident.
 * @param {{native: any, browser: {name: string, host: string, samples: Sample[],
 *   resident: number|null}}} figures `native`: the native program run; `browser.samples`: the
 *   live run's, its free phase done
 * @returns {string}
 */
export function summaryLine({ native, browser }) {
  const peak = native.summary.peak_footprint_bytes;
  const last = native.summary.final_footprint_bytes;
  const givenBack = Math.max(0, peak - last);
  const kept = browser.samples.at(-1)?.footprint_bytes ?? 0;
  const share = (/** @type {number} */ bytes) => (kept > 0 ? Math.round((bytes / kept) * 100) : 0);
  const resident =
    browser.resident === null
      ? ''
      : `, ${mibText(browser.resident)} of it resident (${share(browser.resident)} %)`;
  return (
    `Natively ${native.program.name} gave back ${mibText(givenBack)} of its ${mibText(peak)} RSS ` +
    `peak before it exited (${mibText(last)} at its last reading); in ${browser.host}, ` +
    `${browser.name} kept ${mibText(kept)} of linear memory after its free phase ` +
    `(a WebAssembly memory never shrinks)${resident}.`
  );
}
