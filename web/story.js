// The figures of the summary panel, computed from one WebAssembly run and the native runs of
// the same scenario (trim on, trim off). Pure: no DOM here, so the Node tests check the
// arithmetic; web/summary-view.js turns the result into text.
//
// Definitions (the page's "how these numbers are computed" note repeats them):
//   native released  = native trim-on run: RSS just before malloc_trim(0) − RSS just after
//                      (summary.released_by_trim_bytes).
//   WebAssembly kept = growth, from step 0 to the trim step, of (heap end − bytes in use): the
//                      free memory the allocator holds inside the module because of this run,
//                      still there after its malloc_trim(0). Heap end is sbrk(0). A run that
//                      ran out of memory has no trim step: its last step is used.
//   predicted        = native trim-off run: final RSS − RSS at step 0 (the "WASM-equivalent"
//                      native measurement).
//   measured         = WebAssembly run: final heap end − heap end at step 0 (what the module's
//                      allocator claimed and holds; it never goes down).
//   error            = (predicted − measured) / measured, in %; negative = underestimate.
//                      Not given when measured is under 1 MiB (nothing to predict).
//   peak predicted   = native trim-off run: peak RSS − RSS at step 0, with its own error.
// Linear memory itself is reported (start → end) but not used as "measured": it starts at
// 64 MiB whatever the program does and grows in steps of about 20 %, so its growth is 0 for any
// heap under ~59 MiB and overshoots above that; the heap end is the figure RSS growth mirrors.
import { MiB, mib } from './units.js';

/** Below this WebAssembly heap growth an error in % says nothing (and would divide by ~0). */
export const MIN_MEASURED_BYTES = MiB;
/** An |error| up to this many % counts as a good prediction in the verdict. */
export const GOOD_ERROR_PERCENT = 10;

const trimSample = (run) => run.samples.find((s) => s.phase === 'trim') ?? run.samples.at(-1);
const cacheBytes = (sample) => (sample.sbrk_bytes ?? 0) - sample.in_use_bytes;
const percent = (predicted, measured) => ((predicted - measured) / measured) * 100;

/** Figures of the WebAssembly run alone. */
export function wasmFigures(run) {
  const first = run.samples[0];
  const last = run.samples.at(-1);
  return {
    linearStart: first.footprint_bytes,
    linearEnd: last.footprint_bytes,
    linearPeak: Math.max(...run.samples.map((s) => s.footprint_bytes)),
    heapGrowth: (last.sbrk_bytes ?? 0) - (first.sbrk_bytes ?? 0),
    kept: cacheBytes(trimSample(run)) - cacheBytes(first),
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
 */
export function storyFigures(wasmRun, native) {
  const wasm = wasmFigures(wasmRun);
  const on = nativeFigures(native.on);
  const off = nativeFigures(native.off);
  const comparable =
    native.differs.length === 0 && wasm.outcome === 'completed' && off?.outcome === 'completed';
  const figures = { wasm, on, off, comparable, differs: native.differs, prediction: null };
  if (!comparable || wasm.heapGrowth < MIN_MEASURED_BYTES) return figures;
  figures.prediction = {
    predicted: off.finalGrowth,
    measured: wasm.heapGrowth,
    errorPercent: percent(off.finalGrowth, wasm.heapGrowth),
    peakPredicted: off.peakGrowth,
    peakErrorPercent: percent(off.peakGrowth, wasm.heapGrowth),
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
  return 'It overestimates here: native RSS grew by more than the WebAssembly heap did.';
}

/** A signed percentage with one decimal ("+4.2", "−99.7"). */
export function signedPercent(value) {
  const text = Math.abs(value).toFixed(1);
  if (text === '0.0') return '0.0';
  return value < 0 ? `−${text}` : `+${text}`;
}
