// Whether a run keeps up with the chosen speed. The run loop never catches up on steps it owes
// (web/run-loop.js), so a heavy run at a high speed goes slower than chosen without a word; the
// status line says so from the rate measured over the last seconds. Pure: tested in Node.

/** Under this share of the chosen rate a run counts as slower than chosen. */
export const SLOW_SHARE = 0.8;
/** The rate is measured over the steps drawn in this last stretch of time … */
export const WINDOW_MS = 2000;
/** … once it spans at least this much (a run's first frames say nothing yet). */
const MIN_SPAN_MS = 1000;

/** Follows the steps a run draws against the chosen rate. */
export class PaceMeter {
  /** @type {{step: number, at: number}[]} the steps drawn in the window, oldest first */
  #marks = [];
  #rate = Infinity;

  /**
   * The run drew up to `step` at `at` (ms, performance.now()) at the chosen `rate` (steps per
   * second; Infinity: as fast as possible). A change of rate starts the measure again.
   * @param {number} step
   * @param {number} at
   * @param {number} rate
   */
  add(step, at, rate) {
    if (rate !== this.#rate) {
      this.#rate = rate;
      this.#marks = [];
    }
    this.#marks.push({ step, at });
    while (this.#marks.length > 2 && at - this.#marks[1].at >= WINDOW_MS) this.#marks.shift();
  }

  /** Steps per second over the window, or null while it spans under MIN_SPAN_MS. */
  measured() {
    const first = this.#marks[0];
    const last = this.#marks.at(-1);
    if (!first || last.at - first.at < MIN_SPAN_MS) return null;
    return ((last.step - first.step) * 1000) / (last.at - first.at);
  }

  /** What the status line adds when the run goes well under the chosen rate, else ''. */
  notice() {
    const measured = this.measured();
    if (measured === null || !Number.isFinite(this.#rate) || measured >= SLOW_SHARE * this.#rate)
      return '';
    return `running at ${Math.round(measured)} steps/s, slower than the chosen ${this.#rate}`;
  }
}
