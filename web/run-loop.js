// Drives one run of the engine: the instance steps in batches (lab.steps(), in the page a Worker's
// work: web/remote-lab.js), and every animation frame draws whatever samples have come in, in one
// chart update. Stepping and drawing overlap: the next batch is asked for before the frame draws,
// so a step that costs more than a frame (touching fresh memory) never holds a frame back.
// The speed paces the steps asked for: the whole steps owed since the last frame, or as many as the
// instance can take at "as fast as possible".
// Each frame that draws is timed on the main thread from its callback to the end of its rendering:
// a message posted from the callback is handled only after the frame's style, layout, paint and
// commit, which belong to the same task in Chromium and Firefox. Firefox may run the next frame
// before that message (its frames go ahead of other tasks when they are late), so a frame also
// ends where the next one's callbacks begin: they run only after the previous frame rendered.

/** The speeds of the speed control, in engine steps per second (Infinity: as fast as the
 *  instance can step). */
export const SPEEDS = [
  { value: '5', label: '5 steps/s (presenting)', rate: 5 },
  { value: '15', label: '15 steps/s', rate: 15 },
  { value: '60', label: '60 steps/s', rate: 60 },
  { value: '240', label: '240 steps/s', rate: 240 },
  { value: 'max', label: 'as fast as possible', rate: Infinity },
];
export const DEFAULT_SPEED = '60';

/** Engine time per batch: about a 60 Hz frame, so each frame has a batch to draw. */
const BATCH_MS = 12;
/** Longest gap between frames counted (a hidden tab pauses frames; do not catch up in a burst). */
const MAX_FRAME_GAP_MS = 100;

/**
 * @typedef {{drawn: number, longestMs: number}} FrameStats the frames that drew samples, and the
 *   longest of them on the main thread (callback to the end of its rendering), in ms
 */

/** Times frames on the main thread (see above). close() when done; stats() at any time. */
function frameTimer() {
  const stats = { drawn: 0, longestMs: 0 };
  /** The start of the frame that drew and is not seen rendered yet, or null. */
  let pending = null;
  const rendered = (at) => {
    if (pending === null) return;
    stats.drawn += 1;
    stats.longestMs = Math.max(stats.longestMs, at - pending);
    pending = null;
  };
  const channel = new MessageChannel();
  channel.port1.onmessage = ({ data: start }) => {
    if (start === null) return channel.port1.close();
    if (start === pending) rendered(performance.now());
  };
  return {
    /** The frame that began at `start` (performance.now()) has drawn. */
    drew(start) {
      pending = start;
      channel.port2.postMessage(start);
      requestAnimationFrame(() => rendered(performance.now()));
    },
    stats: () => ({ ...stats }),
    /** Closes the timer after the frames already posted are counted. */
    close() {
      channel.port2.postMessage(null);
    },
  };
}

/**
 * Runs the begun run on `lab` to its end. Resolves with the run (lab.result()) or null when
 * stopped; rejects with whatever the engine threw. The lab's run is ended in every case.
 * @param {{steps: (limits: {max: number, budgetMs: number}) =>
 *            Promise<{samples: object[], done: boolean}>,
 *          result: () => Promise<object>, end: () => void}} lab an instance on which a run has
 *   just begun (web/lab-host.js, web/remote-lab.js)
 * @param {{rate: () => number, onBatch: (samples: object[]) => void,
 *          afterStep?: ((sample: object) => number)|null}} hooks rate: steps per second, read
 *   every frame; afterStep: milliseconds to hold before drawing the next step (0 to go on,
 *   Infinity until release()).
 * @returns {{done: Promise<object|null>, stop: () => void, frames: () => FrameStats,
 *            pause: () => void, resume: () => void, release: () => void}}
 */
export function runLoop(lab, { rate, onBatch, afterStep }) {
  let stopped = false;
  let frame = 0;
  let owed = 1; // the first frame asks for one step at once
  let last = null;
  let holdUntil = 0;
  let paused = false; // pause(): apart from holds, so that neither ends the other
  let asking = false; // a batch is on its way
  let engineDone = false;
  const timer = frameTimer();
  /** @type {object[]} samples come in, not drawn yet */
  const arrived = [];
  let settle;
  const done = new Promise((resolve, reject) => {
    settle = { resolve, reject };
  });

  const finish = (outcome, value) => {
    if (stopped) return;
    stopped = true;
    cancelAnimationFrame(frame);
    timer.close();
    lab.end();
    settle[outcome](value);
  };

  /** Asks for the steps owed, unless a batch is on its way, the run is over or holding. */
  function ask() {
    if (asking || engineDone || stopped || paused || performance.now() < holdUntil) return;
    const max = Math.floor(owed);
    if (max < 1) return;
    asking = true;
    lab.steps({ max, budgetMs: BATCH_MS }).then(
      ({ samples, done: over }) => {
        asking = false;
        if (stopped) return;
        owed = Math.max(0, owed - samples.length);
        arrived.push(...samples);
        engineDone = over;
        // At full speed the instance keeps stepping while the page draws; with holds (captions)
        // it waits for the next frame, so that it is at most one batch ahead of a hold.
        if (!afterStep) ask();
      },
      (error) => finish('reject', error),
    );
  }

  /** The arrived samples up to the first that asks for a hold (the rest wait for it). */
  function takeArrived(now) {
    const batch = [];
    while (arrived.length > 0) {
      const sample = arrived.shift();
      batch.push(sample);
      const hold = afterStep?.(sample) ?? 0;
      if (hold > 0) {
        holdUntil = now + hold;
        owed = 0;
        break;
      }
    }
    return batch;
  }

  async function tick(now) {
    if (stopped) return;
    const tickStart = performance.now();
    try {
      const gap = last === null ? 0 : Math.min(now - last, MAX_FRAME_GAP_MS);
      last = now;
      if (!paused && now >= holdUntil) {
        const perSecond = rate();
        owed =
          perSecond === Infinity
            ? Infinity
            : Math.min(owed + (perSecond * gap) / 1000, 1 + perSecond);
        const batch = takeArrived(now);
        ask();
        if (batch.length > 0) {
          onBatch(batch);
          timer.drew(tickStart);
        }
        // A hold at the last step (a slide) keeps the run open until it ends.
        if (engineDone && !asking && arrived.length === 0 && now >= holdUntil)
          return finish('resolve', await lab.result());
      }
      frame = requestAnimationFrame(tick);
    } catch (error) {
      finish('reject', error);
    }
  }

  frame = requestAnimationFrame(tick);
  return {
    done,
    stop() {
      finish('resolve', null);
    },
    frames: timer.stats,
    /** Holds the run at the step it has drawn until resume(), whatever holds afterStep asks. */
    pause() {
      paused = true;
      owed = 0;
    },
    resume() {
      paused = false;
    },
    /** Ends a hold that afterStep asked for (Infinity: until released). */
    release() {
      holdUntil = 0;
    },
  };
}
