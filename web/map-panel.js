// The map panel beside the chart: the module's memory map live during a run and after it
// (web/map-live.js feeds it), the native map of the same scenario from the results on the page at
// the moment the live run has reached (work, free, trim: its `maps`, where it has them), and one
// line on where the residency comes from. Each map is a MapView (web/map-view.js). app.js tells
// it when a run begins, draws a batch and ends, and which instance the page holds.
import { MapLive } from './map-live.js';
import { MapView } from './map-view.js';
import { MOMENT_WORDS, classMib, momentOfPhase, nativeMapAt } from './map-cells.js';
import { mapSummary } from './memory-map.js';
import { cleanLine } from './message.js';

const NO_MODULE = 'No module: the page holds no instance now.';

/** How the kept memory splits, in one line (web/memory-map.js's mapSummary). */
function keptLine(/** @type {import('./map-cells.js').PanelMap} */ map) {
  const s = mapSummary(map.classes, map.page_bytes, map.held_bytes);
  const f = (/** @type {number} */ mib) => `${mib.toFixed(2)} MiB`;
  return (
    `Kept (live and cached) ${f(s.kept)}: in use ${f(s.in_use)}, fragmentation ` +
    `${f(s.fragmentation)} (free space on live pages), retention ${f(s.retention)} (cached pages).`
  );
}

export class MapPanel {
  /** @type {any} the native trim-on run shown beside (null: none) */
  #native = null;
  #moment = '';
  #allocator = '';

  /**
   * @param {{note: HTMLElement, module: {canvas: HTMLCanvasElement, caption: HTMLElement,
   *          counts: HTMLElement, hover: HTMLElement, kept: HTMLElement},
   *          native: {box: HTMLElement, canvas: HTMLCanvasElement, caption: HTMLElement,
   *          counts: HTMLElement, hover: HTMLElement, kept: HTMLElement}}} elements note: where
   *   the residency comes from, in one line
   */
  constructor(elements) {
    this.elements = elements;
    this.module = new MapView(elements.module, 'The module\u2019s memory map');
    this.native = new MapView(elements.native, 'The native heap\u2019s memory map');
    this.live = new MapLive({
      onMap: (map) => this.#showModule(map),
      onUnavailable: (reason) =>
        this.#say(
          `${reason.replace(/\.$/, '')}: the map shows the allocator\u2019s view alone ` +
            '(its free pages may be resident).',
        ),
    });
    this.module.clear(NO_MODULE);
    this.native.clear('');
    elements.native.box.hidden = true;
  }

  /** @param {string} text */
  #say(text) {
    this.elements.note.textContent = cleanLine(text);
  }

  /**
   * A run begins on `lab`; `nativeRun` (a native trim-on run of the same scenario and
   * parameters, or null) gives the native maps beside it.
   * @param {import('./map-live.js').MapLab & {allocator: string}} lab
   * @param {any} nativeRun
   */
  begin(lab, nativeRun) {
    this.#native = nativeRun?.maps?.length ? nativeRun : null;
    this.#allocator = lab.allocator;
    this.#moment = '';
    this.elements.native.box.hidden = this.#native === null;
    this.live.start(lab);
  }

  /** A batch was drawn on the chart, `sample` its last: the maps follow. @param {{phase: string}} sample */
  progress(sample) {
    this.live.update();
    this.#showNative(momentOfPhase(sample.phase));
  }

  /** The run ended (in any way). */
  settle() {
    this.live.settle();
  }

  /** The instance the page holds now: when it is not the one mapped, there is no module.
   *  @param {object|null} lab */
  instance(lab) {
    if (lab === this.live.lab || (lab === null && this.live.lab === null)) return;
    this.live.forget();
    this.module.clear(NO_MODULE);
    this.elements.module.kept.textContent = '';
  }

  /** @param {import('./map-live.js').LiveMap} map */
  #showModule(map) {
    this.module.show(map, `In the browser: the module\u2019s linear memory (${this.#allocator})`);
    this.elements.module.kept.textContent = keptLine(map);
    if (map.resident)
      this.#say('Resident or not: the browser\u2019s own page tables, read by the demo server.');
  }

  /** @param {string} moment */
  #showNative(moment) {
    if (!this.#native || moment === this.#moment) return;
    this.#moment = moment;
    const map = nativeMapAt(this.#native, moment);
    if (!map) {
      this.native.clear(`The native results hold no map ${MOMENT_WORDS[moment]}.`);
      this.elements.native.kept.textContent = '';
      return;
    }
    this.native.show(
      map,
      `Natively: glibc\u2019s heap ${MOMENT_WORDS[moment]} (step ${map.step}, trim on)`,
    );
    this.elements.native.kept.textContent = keptLine(map);
  }

  /** The maps shown, each as an image `width` device pixels wide, for the PNG export. */
  exportImages(/** @type {number} */ width) {
    return [this.module, this.native]
      .map((view) => view.exportImage(width))
      .filter((image) => image !== null);
  }

  /** What the panel shows, as numbers (the debug hook). */
  snapshot() {
    const of = (/** @type {MapView} */ view) =>
      view.map && {
        pages: view.map.classes.length,
        page_bytes: view.map.page_bytes,
        held_bytes: view.map.held_bytes,
        mib: Object.fromEntries(
          classMib(view.map.classes, view.map.page_bytes).map(({ name, mib }) => [name, mib]),
        ),
      };
    return {
      module: of(this.module),
      native: of(this.native),
      drawn: this.live.drawn,
      settled: this.live.settled,
    };
  }
}
