// The summary panel after a run: one sentence with the three figures, the supporting figures,
// and a verdict, written from storyFigures() (web/story.js, where each figure is defined).
// Everything is set as textContent.
import {
  signedPercent,
  verdict,
  verdictNumbers,
  verdictSentence,
  MIN_MEASURED_BYTES,
} from './story.js';
import { mib } from './units.js';
import { paramsLine } from './native-data.js';

/** A list item holding `text` (as text). */
export function item(text) {
  const li = document.createElement('li');
  li.textContent = text;
  return li;
}

/** The lead sentence: "native released X MiB at trim; the module held Y MiB resident …". */
export function leadSentence(figures) {
  const { on, wasm, prediction } = figures;
  const released = on
    ? `Native released ${mib(on.released)} MiB at trim`
    : 'No native trim-on run is loaded';
  const { resident } = wasm;
  const overFresh =
    resident?.keptOverFresh === null || resident?.keptOverFresh === undefined
      ? ''
      : ` (${mib(resident.keptOverFresh)} MiB more than this instance held fresh)`;
  const kept = resident
    ? `the WebAssembly module held ${mib(resident.end)} MiB resident after the run${overFresh}, ` +
      `${mib(resident.retained)} MiB of it retained (resident − in use)`
    : "the WebAssembly module's resident memory is not known here";
  const predicted = prediction
    ? 'the WASM-equivalent native measurement (trim disabled) predicted its resident growth ' +
      `with an error of ${signedPercent(prediction.errorPercent)} %`
    : 'no prediction error is given (see below)';
  return `${released}; ${kept}; ${predicted}.`;
}

/** Why there is no prediction (every reason that applies), or null when there is one. */
function missingPrediction(figures, context) {
  if (figures.prediction) return null;
  if (!figures.on && !figures.off)
    return `No native results for ${context.scenario} are loaded: import a file that holds them.`;
  const reasons = [];
  const { resident } = figures.wasm;
  const earlier = context.instanceRun - 1;
  if (figures.reused)
    reasons.push(
      `this run reused an instance that held ${resident ? `${mib(resident.start)} MiB resident and ` : ''}` +
        `the cache of its earlier ${earlier} run${earlier > 1 ? 's' : ''}, while a native ` +
        'program starts fresh: a prediction for a fresh program means nothing here',
    );
  else if (!resident)
    reasons.push(
      "the module's resident memory was not read (no live reading, and no browser " +
        'measurement of these parameters)',
    );
  else if (resident.growth < MIN_MEASURED_BYTES)
    reasons.push(`its resident memory grew by only ${mib(resident.growth)} MiB`);
  if (figures.differs.length > 0)
    reasons.push(
      `the native results were measured with ${paramsLine(context.nativeParams)}, ` +
        `this run used ${paramsLine(context.params)}`,
    );
  if (figures.wasm.outcome !== 'completed') reasons.push('the WebAssembly run ran out of memory');
  if (!figures.off) reasons.push('the native results hold no trim-disabled run of this scenario');
  else if (figures.off.outcome !== 'completed') reasons.push('the native run ran out of memory');
  return `Not compared: ${reasons.join('; ')}.`;
}

function figureItems(figures, context) {
  const { wasm, on, off, prediction } = figures;
  const items = [];
  const grew = wasm.linearEnd > wasm.linearStart ? 'grew' : 'did not grow';
  const resident = wasm.resident
    ? `resident ${mib(wasm.resident.start)} → ${mib(wasm.resident.end)} MiB ` +
      `(${wasm.resident.source}); `
    : '';
  items.push(
    `WebAssembly (${context.allocator}, run ${context.instanceRun} of this instance): ` +
      `${resident}reserved address space (linear memory) ${grew}, ${mib(wasm.linearStart)} → ` +
      `${mib(wasm.linearEnd)} MiB, and never shrinks; heap end +${mib(wasm.heapGrowth)} MiB; ` +
      `malloc_trim returned ${wasm.trimReturned ?? 'nothing (not called)'}.`,
  );
  const nativeParts = [];
  if (on) nativeParts.push(`trim on: peak +${mib(on.peakGrowth)}, end +${mib(on.finalGrowth)} MiB`);
  if (off)
    nativeParts.push(`trim off: peak +${mib(off.peakGrowth)}, end +${mib(off.finalGrowth)} MiB`);
  if (nativeParts.length) items.push(`Native RSS over its start, ${nativeParts.join('; ')}.`);
  if (prediction)
    items.push(
      `Predicted +${mib(prediction.predicted)} MiB, resident growth +${mib(prediction.measured)} ` +
        `MiB (${signedPercent(prediction.errorPercent)} %); from the native peak: ` +
        `+${mib(prediction.peakPredicted)} MiB (${signedPercent(prediction.peakErrorPercent)} %).`,
    );
  return items;
}

/**
 * Writes the panel.
 * @param {{lead: Element, list: Element, note: Element}} parts
 * @param {object} figures from storyFigures()
 * @param {{scenario: string, allocator: string, instanceRun: number, params: object,
 *          nativeParams: object|null, oom: {step: number, message: string}|null}} context
 */
export function renderSummary(parts, figures, context) {
  parts.lead.textContent = leadSentence(figures);
  parts.list.replaceChildren(...figureItems(figures, context).map(item));
  const notes = [];
  if (context.oom) notes.push(`Out of memory at step ${context.oom.step}: ${context.oom.message}.`);
  notes.push(missingPrediction(figures, context) ?? verdict(figures));
  parts.note.textContent = notes.filter(Boolean).join(' ');
}

/** The panel before any finished run, or after a stop: one line, no figures. */
export function renderPlaceholder(parts, text) {
  parts.lead.textContent = text;
  parts.list.replaceChildren();
  parts.note.textContent = '';
}

/**
 * The verdict above the chart: one sentence and its three numbers, or hidden when they would
 * mislead (verdictNumbers()).
 * @param {{box: HTMLElement, sentence: HTMLElement, native: HTMLElement, browser: HTMLElement,
 *          plan: HTMLElement}} parts
 * @param {object|null} figures from storyFigures(); null hides it
 */
export function renderVerdict(parts, figures) {
  const numbers = figures && verdictNumbers(figures);
  parts.box.hidden = !numbers;
  if (!numbers) return;
  parts.sentence.textContent = verdictSentence(numbers, figures.wasm.resident.source);
  parts.native.textContent = `${mib(numbers.nativeHeld)} MiB`;
  parts.browser.textContent = `${mib(numbers.browserHeld)} MiB`;
  parts.plan.textContent = `${signedPercent(numbers.planErrorPercent)} %`;
}
