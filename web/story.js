// The figures of the summary panel, computed from one WebAssembly run and the native runs of
// the same scenario (trim on, trim off). Pure: no DOM here, so the Node tests check the
// arithmetic; web/summary-view.js turns the result into text.
//
// Definitions (the page's "how these numbers are computed" note, the README and
// docs/results-format.md use the same words):
//   native released   = native trim-on run: RSS just before malloc_trim(0) − RSS just after
//                       (summary.released_by_trim_bytes).
//   resident after    = the kernel's resident bytes of the module's linear-memory mapping after
//                       the run's last step (its smaps Rss): read live from the demo server, or
//                       measured by `make browser-results` for the same scenario and parameters.
//   retained          = resident after − bytes in use at the last step: memory the module holds
//                       resident that the program no longer uses (the allocator cache).
//   resident growth   = resident after − resident before the run's first step.
//   predicted         = native trim-off run: final RSS − RSS at step 0 (the "WASM-equivalent"
//                       native measurement).
//   error             = (predicted − resident growth) / resident growth, in %; negative =
//                       underestimate. Not given when the growth is under 1 MiB.
//   peak predicted    = native trim-off run: peak RSS − RSS at step 0, with its own error.
//   native holds      = native trim-on run: final RSS − RSS at step 0 (what the program holds
//                       after the work, trim having handed the rest back).
//   browser holds     = resident growth (what the same work left resident in the module).
//   plan error        = (native holds − browser holds) / browser holds, in %: how far a memory
//                       plan made from the native figure is off; negative = underestimate.
//   kept over fresh   = a reused instance: resident after − the resident of the same instance,
//                       fresh, before its first run (what its runs have kept in it so far).
// A reused instance starts with what its earlier runs kept: a native program starts fresh, so
// neither the prediction error nor the verdict is computed for it.
// Linear memory is reserved address space, not memory: a fresh 64 MiB module has under 1 MiB
// resident, so it is reported (start → end) but never compared with RSS.
import { MiB, mib } from './units.js';

/** Below this resident growth an error in % says nothing (and would divide by ~0). */
export const MIN_MEASURED_BYTES = MiB;
/** An |error| up to this many % counts as a good prediction in the verdict. */
export const GOOD_ERROR_PERCENT = 10;

const percent = (predicted, measured) => ((predicted - measured) / measured) * 100;

/**
 * The module's resident bytes before and after a run that carries them (results format 2: a
 * run of the Node runner or of `make browser-results`): its first sample's, and its run_end
 * event's (its last sample's without one). Null when the run has no resident figures.
 * @param {object} run
 * @returns {{start: number, end: number}|null}
 */
export function residentOfRun(run) {
  const start = run.samples[0]?.resident_bytes;
  const ended = run.after?.find((e) => e.event === 'run_end')?.resident_bytes;
  const end = ended ?? run.samples.at(-1)?.resident_bytes;
  return typeof start === 'number' && typeof end === 'number' ? { start, end } : null;
}

/**
 * Figures of the WebAssembly run alone.
 * @param {object} run
 * @param {{start: number, end: number, source: string, fresh?: number|null}|null} resident the
 *   module's resident bytes before and after the run, where they were read ("live", "measured
 *   in …") and, on a reused instance, its resident bytes fresh, before its first run
 */
export function wasmFigures(run, resident = null) {
  const first = run.samples[0];
  const last = run.samples.at(-1);
  return {
    linearStart: first.footprint_bytes,
    linearEnd: last.footprint_bytes,
    linearPeak: Math.max(...run.samples.map((s) => s.footprint_bytes)),
    heapGrowth: (last.sbrk_bytes ?? 0) - (first.sbrk_bytes ?? 0),
    resident: resident && {
      ...resident,
      growth: resident.end - resident.start,
      retained: resident.end - last.in_use_bytes,
      keptOverFresh: typeof resident.fresh === 'number' ? resident.end - resident.fresh : null,
    },
    trimReturned: run.summary.trim_returned,
    outcome: run.outcome,
    error: run.error,
    lastStep: last.step,
  };
}

/** Figures of a native run alone (null when the run is missing). */
function nativeFigures(run) {
  if (!run) return null;
  const s = run.summary;
  return {
    baseline: s.baseline_footprint_bytes,
    peakGrowth: s.peak_footprint_bytes - s.baseline_footprint_bytes,
    beforeTrimGrowth: s.before_trim_bytes - s.baseline_footprint_bytes,
    finalGrowth: s.final_footprint_bytes - s.baseline_footprint_bytes,
    released: s.released_by_trim_bytes,
    outcome: run.outcome,
  };
}

/**
 * Everything the summary panel says about one run.
 * @param {object} wasmRun the WebAssembly run (results format, with sbrk_bytes)
 * @param {{on: object|null, off: object|null, differs: string[]}} native from nativeFor()
 * @param {{start: number, end: number, source: string, fresh?: number|null}|null} [resident]
 *   see wasmFigures
 * @param {{instanceRun?: number}} [instance] which run of its instance this was (1: fresh)
 */
export function storyFigures(wasmRun, native, resident = null, { instanceRun = 1 } = {}) {
  const wasm = wasmFigures(wasmRun, resident);
  const on = nativeFigures(native.on);
  const off = nativeFigures(native.off);
  const reused = instanceRun > 1;
  const comparable =
    !reused &&
    native.differs.length === 0 &&
    wasm.outcome === 'completed' &&
    off?.outcome === 'completed';
  const figures = {
    wasm,
    on,
    off,
    comparable,
    reused,
    differs: native.differs,
    prediction: null,
  };
  const measured = wasm.resident?.growth ?? 0;
  if (!comparable || measured < MIN_MEASURED_BYTES) return figures;
  figures.prediction = {
    predicted: off.finalGrowth,
    measured,
    errorPercent: percent(off.finalGrowth, measured),
    peakPredicted: off.peakGrowth,
    peakErrorPercent: percent(off.peakGrowth, measured),
  };
  return figures;
}

function peakNote(p) {
  return Math.abs(p.peakErrorPercent) < Math.abs(p.errorPercent)
    ? ` The native peak comes closer (${signedPercent(p.peakErrorPercent)} %).`
    : '';
}

/** Why the no-trim prediction came out as it did, in one sentence (null without a prediction). */
export function verdict(figures) {
  const p = figures.prediction;
  if (!p) return null;
  if (Math.abs(p.errorPercent) <= GOOD_ERROR_PERCENT)
    return (
      'A good prediction here: glibc kept the freed memory in its heap, as WebAssembly ' +
      'keeps it in linear memory.'
    );
  if (p.errorPercent < 0) {
    const fell = figures.off.peakGrowth - figures.off.beforeTrimGrowth;
    return (
      `It underestimates here: even without trim, glibc gave ${mib(fell)} MiB back before ` +
      'the trim step (free() unmapped large blocks or trimmed its heap top); WebAssembly memory ' +
      'only grows.' +
      peakNote(p)
    );
  }
  return "It overestimates here: native RSS grew by more than the module's resident memory did.";
}

/**
 * The verdict's numbers (see the definitions above), or null where they would mislead: no
 * trim-on native run, no resident figure, other parameters natively, a run out of memory, a
 * reused instance, or under MIN_MEASURED_BYTES left resident by the work.
 * @param {ReturnType<typeof storyFigures>} figures
 * @returns {{nativeHeld: number, browserHeld: number, planErrorPercent: number}|null}
 */
export function verdictNumbers({ on, wasm, differs, reused }) {
  const browserHeld = wasm.resident?.growth;
  if (!on || on.outcome !== 'completed' || wasm.outcome !== 'completed' || reused) return null;
  if (differs.length > 0 || browserHeld === undefined || browserHeld < MIN_MEASURED_BYTES)
    return null;
  return {
    nativeHeld: on.finalGrowth,
    browserHeld,
    planErrorPercent: percent(on.finalGrowth, browserHeld),
  };
}

/**
 * The verdict in plain words (no RSS, sbrk, trim or linear memory).
 * @param {{nativeHeld: number, browserHeld: number, planErrorPercent: number}} numbers
 * @param {string} where where the browser's figure was read: "live" or "measured in …"
 * @returns {string}
 */
export function verdictSentence({ nativeHeld, browserHeld, planErrorPercent }, where) {
  const browser = where === 'live' ? 'In this browser' : `In the browser (${where})`;
  const off = Math.abs(planErrorPercent).toFixed(1);
  const plan =
    Math.abs(planErrorPercent) <= GOOD_ERROR_PERCENT
      ? `is close here, off by ${off} %`
      : `${planErrorPercent < 0 ? 'underestimates' : 'overestimates'} the browser by ${off} %`;
  return (
    `After the work the native program holds ${mib(nativeHeld)} MiB: its allocator handed ` +
    `the freed memory back. ${browser} the same code still holds ${mib(browserHeld)} MiB and ` +
    `cannot give it back while the module lives. A memory plan made from the native figures ${plan}.`
  );
}

/** A signed percentage with one decimal ("+4.2", "−99.7"). */
export function signedPercent(value) {
  const text = Math.abs(value).toFixed(1);
  if (text === '0.0') return '0.0';
  return value < 0 ? `−${text}` : `+${text}`;
}
