// The run controller: one engine run at a time, drawn live on the chart. It chooses the module
// instance (the current one when reusing it and it can be trusted, else a new one, the old one
// closed), begins the run through the `begin` it is given, steps it with runLoop at the chosen
// speed and tells the page how it went through the run's hooks. It knows nothing of what runs: a
// scenario and a replay (web/replay-flow.js) differ only in their begin. Instances come from
// `load`: in the page each in its own Worker (web/remote-lab.js), in Node tests a HostedLab.
import { runLoop } from './run-loop.js';

/**
 * @typedef {object} RunHooks what the page does as the run goes; each is called at most once
 *   except progress
 * @property {(error: unknown) => void} refused the instance could not be had or begin threw:
 *   nothing was drawn
 * @property {(begun: unknown) => void} begun the run began (with what begin resolved to); the
 *   chart has just been cleared for it
 * @property {(sample: object) => void} progress after each batch of samples drawn, the last one
 * @property {(sample: object|null) => void} stopped stop() ended it (the last sample drawn)
 * @property {(run: object, lab: object) => void|Promise<void>} finished it ran to its end
 *   (lab.result()); settled waits for it
 * @property {(error: unknown) => void} failed the engine threw mid-run
 * @property {() => void} settled after stopped, finished or failed
 */

export class RunController {
  /** The instance runs use; kept for "reuse current" (null: none). */
  lab = null;
  /** Runs begun on `lab`. */
  labRuns = 0;
  /** @type {ReturnType<typeof import('./run-loop.js').runLoop>|null} the run in progress */
  loop = null;
  /** @type {{updates: number, ms: number, steps: number,
   *    frames: import('./run-loop.js').FrameStats}|null}
   *  of the last run (debug hook): chart updates, its time, steps drawn, and its frames that drew
   *  (how many, the longest on the main thread) */
  stats = null;
  /** Stop was pressed before the run's loop existed. */
  #stopAsked = false;
  /** Runs that ended in any way: finished, stopped, failed, or refused at begin. */
  settled = 0;
  /** An instance let go of by drop() (in the page its Worker stays) until terminate(). */
  dropped = null;

  /**
   * @param {{chart: import('./chart-view.js').ChartView, rate: () => number,
   *          load: (options: {allocator: string}) => Promise<object>}} options rate: steps per
   *   second, read every frame; load: a fresh instance (web/lab-host.js's calls)
   */
  constructor({ chart, rate, load }) {
    this.chart = chart;
    this.rate = rate;
    this.load = load;
  }

  get running() {
    return this.loop !== null;
  }

  /** From run() until it settles: loading the instance, beginning, running, finishing. */
  busy = false;

  /** An instance for the next run: the current one when reusing it (and it can be trusted),
   *  else a new one. */
  async #instanceFor(allocator, reuse) {
    if (reuse && this.lab?.allocator === allocator && !this.lab.untrusted) return this.lab;
    this.forget();
    const lab = await this.load({ allocator });
    this.lab = lab;
    this.labRuns = 0;
    return lab;
  }

  /**
   * One run, drawn live. Resolves with the run, or null when it was refused, failed or stopped
   * (the hooks said why). Nothing on the chart changes unless the run really begins.
   * @param {{allocator: string, reuse: boolean, begin: (lab: object) => unknown,
   *          afterStep?: ((sample: object) => number)|null, hooks: RunHooks}} run begin: starts
   *   the run on the instance (it may be async and may throw); afterStep: milliseconds to hold
   *   before drawing the next step
   * @returns {Promise<object|null>}
   */
  async run({ allocator, reuse, begin, afterStep, hooks }) {
    if (this.busy) {
      hooks.refused(new Error('a run is in progress'));
      return null;
    }
    this.busy = true;
    this.#stopAsked = false;
    try {
      return await this.#run({ allocator, reuse, begin, afterStep, hooks });
    } finally {
      this.busy = false;
    }
  }

  async #run({ allocator, reuse, begin, afterStep, hooks }) {
    let lab;
    let begun;
    this.#closeDropped();
    try {
      lab = await this.#instanceFor(allocator, reuse);
      begun = await begin(lab);
    } catch (error) {
      hooks.refused(error);
      this.settled += 1;
      return null;
    }
    this.labRuns += 1;
    const { chart } = this;
    chart.startLive();
    hooks.begun(begun);
    const started = { at: performance.now(), updates: chart.updates };
    let lastSample = null;
    this.loop = runLoop(lab, {
      rate: this.rate,
      onBatch(samples) {
        lastSample = samples.at(-1);
        chart.appendLive(samples);
        chart.refresh();
        hooks.progress(lastSample);
      },
      afterStep,
    });
    // Stop pressed while the instance loaded or the run began: it ends at its first frame.
    if (this.#stopAsked) this.loop.stop();
    try {
      const run = await this.loop.done;
      this.stats = {
        updates: chart.updates - started.updates,
        ms: performance.now() - started.at,
        steps: lastSample ? lastSample.step + 1 : 0,
        frames: this.loop.frames(),
      };
      if (!run) {
        hooks.stopped(lastSample);
        return null;
      }
      await hooks.finished(run, lab);
      return run;
    } catch (error) {
      this.forget(); // an instance that threw mid-run is not trusted for reuse
      hooks.failed(error);
      return null;
    } finally {
      this.loop = null;
      this.busy = false; // what settled() updates sees the controller free
      this.settled += 1;
      hooks.settled();
    }
  }

  /** Ends the run in progress, if any (its hooks' stopped says so), also one still loading its
   *  instance or beginning. */
  stop() {
    this.#stopAsked = this.busy;
    this.loop?.stop();
  }

  /** Holds the run in progress where it is (presenter mode's Pause), until resume(). */
  pause() {
    this.loop?.pause();
  }

  resume() {
    this.loop?.resume();
  }

  /** Ends a hold that the run's afterStep asked for (presenter mode's Next). */
  release() {
    this.loop?.release();
  }

  /** Lets go of the current instance without ending its Worker (its memory stays until the
   *  Worker's engine collects the instance). Resolves with it (null: none, or a run is going). */
  async drop() {
    const { lab } = this;
    if (!lab || this.busy) return null;
    this.#closeDropped();
    this.lab = null;
    this.labRuns = 0;
    this.dropped = lab;
    await lab.drop();
    return lab;
  }

  /** Ends the current instance and a dropped one, Workers and all. Returns those it ended. */
  terminate() {
    const ended = [this.lab, this.dropped].filter(Boolean);
    this.forget();
    this.#closeDropped();
    return ended;
  }

  #closeDropped() {
    this.dropped?.close();
    this.dropped = null;
  }

  /** Forgets the current instance (closed: in the page its Worker ends, and its memory with it):
   *  the next run starts a new one. */
  forget() {
    this.lab?.close();
    this.lab = null;
    this.labRuns = 0;
  }
}
