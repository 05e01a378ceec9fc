// What to do about it, after a run: run again on the same instance (the cache is reused), drop
// the instance (its memory stays until the Worker's engine collects it), terminate its Worker
// (the memory goes at once), reload the page. Each is marked on the chart, and the live resident
// line shows what it did; the panel says what was measured. And whether this browser offers
// WebAssembly.Memory's discard (the memory-control proposal), which would let a page hand free
// pages back without losing the instance.
import { cleanLine } from './message.js';
import { BENCHMARKS_URL, remedyTable } from './remedy-figures.js';
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

/**
 * Fills `table` (caption, a head row, a body) with what `make bench` measured for each remedy in
 * each engine, or says in `note` why there is nothing to show. Keeps the table hidden then.
 * @param {HTMLTableElement} table
 * @param {HTMLElement} note
 * @param {typeof fetch} [fetchFile]
 */
export async function showRemedyFigures(table, note, fetchFile = fetch) {
  let figures = null;
  try {
    const response = await fetchFile(BENCHMARKS_URL, { cache: 'no-cache' });
    if (response.ok) figures = remedyTable(JSON.parse(await response.text()));
  } catch {
    figures = null; // unreadable or not JSON: said below
  }
  if (!figures) {
    note.textContent = 'No measured figures here: make bench measures each remedy in each engine.';
    return;
  }
  const cell = (tag, text) => {
    const element = document.createElement(tag);
    element.textContent = text;
    return element;
  };
  table.caption.textContent = figures.caption;
  const head = table.tHead.rows[0];
  head.replaceChildren(head.cells[0], ...figures.engines.map((name) => cell('th', name)));
  for (const th of head.cells) th.scope = 'col';
  table.tBodies[0].replaceChildren(
    ...figures.rows.map(({ remedy, cells }) => {
      const row = document.createElement('tr');
      const name = cell('th', remedy);
      name.scope = 'row';
      row.append(name, ...cells.map((text) => cell('td', text)));
      return row;
    }),
  );
  table.hidden = false;
  note.textContent =
    'Each figure: make bench (docs/BENCHMARKS.md, \u201cWhat to do about the kept memory\u201d).';
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

export class RemediesPanel {
  /** The page is busy (a run or presenter mode): nothing here can be done. */
  #pageBusy = false;
  /** An action of this panel is in progress. */
  #acting = false;
  /** Counts actions and runs: an outcome that comes after a newer one is not shown. */
  #generation = 0;

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
    elements.runAgain.addEventListener('click', () => this.#act(runAgain));
    elements.drop.addEventListener('click', () => this.#act(() => this.#drop()));
    elements.terminate.addEventListener('click', () => this.#act(() => this.#terminate()));
    elements.reload.addEventListener('click', () => location.reload());
    this.update();
  }

  /**
   * Enables what can be done now.
   * @param {boolean} [pageBusy] whether the page is busy now (default: as last told)
   */
  update(pageBusy = this.#pageBusy) {
    this.#pageBusy = pageBusy;
    const { elements, controller } = this;
    const idle = !this.#pageBusy && !this.#acting && !controller.busy;
    elements.runAgain.disabled = !(idle && controller.lab && this.canRunAgain());
    elements.drop.disabled = !(idle && controller.lab);
    elements.terminate.disabled = !(idle && (controller.lab || controller.dropped));
  }

  /**
   * Terminates the instance's Worker as the button does (presenter mode's remedy slide).
   * @returns {Promise<string>} the outcome the panel said
   */
  async terminate() {
    await this.#act(() => this.#terminate());
    return this.elements.result.textContent;
  }

  /** Shows `text` as the outcome (and forgets any outcome still to come). @param {string} text */
  say(text) {
    this.#generation += 1;
    this.elements.result.textContent = text;
  }

  async #act(action) {
    this.#acting = true;
    this.update();
    try {
      await action();
    } catch (error) {
      this.say(cleanLine(`That failed: ${error?.message ?? error}`));
    } finally {
      this.#acting = false;
      this.update();
      this.changed();
    }
  }

  /** Marks `text` on the chart now. */
  #mark(text) {
    this.chart.markEvent(text);
    this.chart.refresh();
  }

  /**
   * Does `act` to `lab` and follows its memory until it is gone; says what was measured. The
   * claim needs a reading of the memory before: without one nothing is claimed.
   * @param {object} lab
   * @param {{did: string, act: () => unknown, waiting: string, still: string}} what
   */
  async #remedy(lab, { did, act, waiting, still }) {
    const before = await this.resident.readNow(lab);
    const since = performance.now();
    await act();
    this.#mark(did.toLowerCase());
    if (before === null) {
      this.say(
        `${did}: resident memory is not read here (serve the page with make demo to see it).`,
      );
      return;
    }
    this.say(`${did}: ${mib(before.resident_bytes)} MiB of its memory resident; ${waiting} …`);
    const generation = this.#generation;
    const outcome = await this.resident.followUntilGone(lab, () => {
      this.chart.addResident({ resident_bytes: 0, host_rss_bytes: null });
      this.#mark('memory returned');
    });
    if (generation !== this.#generation || outcome === 'cancelled') return;
    if (outcome === 'gone')
      this.say(
        `${did}: its ${mib(before.resident_bytes)} MiB resident were returned ` +
          `${seconds(performance.now() - since)} after.`,
      );
    else if (outcome === 'there') this.say(`${did}: ${still}`);
    else this.say(`${did}: resident memory could no longer be read.`);
  }

  async #drop() {
    const { lab } = this.controller;
    if (!lab) return;
    await this.#remedy(lab, {
      did: 'Instance dropped',
      act: () => this.controller.drop(),
      waiting: 'waiting for the engine to collect it (at most 60 s)',
      still: 'its memory was still resident after 60 s: the engine had not collected it.',
    });
  }

  async #terminate() {
    const lab = this.controller.lab ?? this.controller.dropped;
    if (!lab) return;
    await this.#remedy(lab, {
      did: 'Worker terminated',
      act: () => this.controller.terminate(),
      waiting: 'waiting for its memory to go',
      still: 'its memory was still mapped 60 s after.',
    });
  }
}
