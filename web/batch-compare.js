// Lower the peak: what a module keeps is its heap's high-water mark, so the same total work done
// in smaller batches keeps less. `highwater` runs the same total once in one batch and once in
// small batches, each on a fresh instance in its own Worker (ended after its run, so the first
// run's memory is gone before the second starts), and a small chart draws both side by side:
// the heap's end (sbrk, which never comes down: what the module keeps) and the bytes in use.
import { runLoop } from './run-loop.js';
import { MiB, mib } from './units.js';

export const SCENARIO = 'highwater';
export const TOTAL_MIB = 300;
/** One batch of the whole total, then batches of a tenth of it. */
export const BATCHES_MIB = [TOTAL_MIB, TOTAL_MIB / 10];

/** @param {number} batchMib */
export const paramsOf = (batchMib) => ({ total_mib: TOTAL_MIB, batch_mib: batchMib });

const COLORS = ['#1b4fa0', '#2e7d32'];

/** @param {number} batchMib */
const batchLabel = (batchMib) =>
  batchMib >= TOTAL_MIB ? `one batch of ${TOTAL_MIB} MiB` : `batches of ${batchMib} MiB`;

/**
 * What one run kept, from its samples and (when the page can read it) the kernel.
 * @typedef {{batchMib: number, steps: number, keptBytes: number, peakInUseBytes: number,
 *            residentBytes: number|null}} BatchOutcome
 */

/**
 * The line the page shows after the comparison.
 * @param {BatchOutcome[]} outcomes
 * @returns {string}
 */
export function comparisonText(outcomes) {
  const parts = outcomes.map(({ batchMib, keptBytes, residentBytes }) => {
    const resident = residentBytes === null ? '' : ` (${mib(residentBytes)} MiB resident after)`;
    return `${batchLabel(batchMib)} ${batchMib >= TOTAL_MIB ? 'keeps' : 'keep'} ${mib(keptBytes)} MiB${resident}`;
  });
  return `The same ${TOTAL_MIB} MiB of work: ${parts.join('; ')}.`;
}

function chartConfig(datasets) {
  return {
    type: 'line',
    data: { datasets },
    options: {
      parsing: false,
      normalized: true,
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: {
          type: 'linear',
          min: 0,
          title: { display: true, text: 'step (each run does the same work)' },
        },
        y: { type: 'linear', beginAtZero: true, title: { display: true, text: 'MiB' } },
      },
      plugins: { legend: { labels: { boxHeight: 2, font: { size: 11 } } } },
    },
  };
}

export class BatchComparison {
  /** @type {{stop: () => void}|null} the run in progress */
  #loop = null;
  #stopped = false;

  /**
   * @param {{canvas: HTMLCanvasElement,
   *          load: () => Promise<any>,
   *          readResident: (lab: any) => Promise<{resident_bytes: number}|null>,
   *          ChartClass?: any}} options load: a fresh instance (web/remote-lab.js's
   *   loadRemoteLab); readResident: the module's resident bytes now, or null where not read
   */
  constructor({ canvas, load, readResident, ChartClass = globalThis.Chart }) {
    Object.assign(this, { load, readResident });
    /** @type {{kept: {x: number, y: number}[], inUse: {x: number, y: number}[]}[]} */
    this.points = BATCHES_MIB.map(() => ({ kept: [], inUse: [] }));
    const datasets = BATCHES_MIB.flatMap((batchMib, i) => [
      {
        label: `${batchLabel(batchMib)}: heap end, kept`,
        data: this.points[i].kept,
        borderColor: COLORS[i],
        backgroundColor: COLORS[i],
        borderWidth: 3,
        pointRadius: 0,
      },
      {
        label: `${batchLabel(batchMib)}: in use`,
        data: this.points[i].inUse,
        borderColor: COLORS[i],
        backgroundColor: COLORS[i],
        borderWidth: 1.5,
        borderDash: [4, 3],
        pointRadius: 0,
      },
    ]);
    this.chart = new ChartClass(canvas, chartConfig(datasets));
  }

  /**
   * Runs every batch size in turn. Resolves with what each kept, or null when stopped.
   * @returns {Promise<BatchOutcome[]|null>}
   */
  async run() {
    this.#stopped = false;
    for (const series of this.points) series.kept.length = series.inUse.length = 0;
    this.chart.update('none');
    const outcomes = [];
    for (const [i, batchMib] of BATCHES_MIB.entries()) {
      const outcome = await this.#runOne(i, batchMib);
      if (outcome === null) return null;
      outcomes.push(outcome);
    }
    return outcomes;
  }

  /** Stops the comparison (its instance is ended). */
  stop() {
    this.#stopped = true;
    this.#loop?.stop();
  }

  async #runOne(i, batchMib) {
    const lab = await this.load();
    try {
      if (this.#stopped) return null;
      await lab.begin(SCENARIO, paramsOf(batchMib), { trim: true });
      if (this.#stopped) return null; // stopped while the run began
      const { kept, inUse } = this.points[i];
      this.#loop = runLoop(lab, {
        rate: () => Infinity,
        onBatch: (samples) => {
          for (const s of samples) {
            kept.push({ x: s.step, y: s.sbrk_bytes / MiB });
            inUse.push({ x: s.step, y: s.in_use_bytes / MiB });
          }
          this.chart.update('none');
        },
      });
      const run = await this.#loop.done;
      this.#loop = null;
      if (!run) return null;
      const { samples } = run;
      const resident = await this.readResident(lab);
      return {
        batchMib,
        steps: samples.length,
        keptBytes: samples.at(-1).sbrk_bytes,
        peakInUseBytes: Math.max(...samples.map((s) => s.in_use_bytes)),
        residentBytes: resident?.resident_bytes ?? null,
      };
    } finally {
      lab.close();
    }
  }
}
