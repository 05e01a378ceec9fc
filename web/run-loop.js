// Drives one run of the engine from requestAnimationFrame: each frame takes as many synchronous
// lab.step() calls as the speed allows (whole steps owed since the last frame), within a time
// budget so a frame never stalls the page, then hands the batch to the chart in one update.
// A replay's steps are asynchronous (lab.stepReplay() reads the trace first): pass it as `step`.

/** The speeds of the speed control, in engine steps per second (Infinity: as fast as the frame
 *  budget allows). */
export const SPEEDS = [
  { value: '5', label: '5 steps/s (presenting)', rate: 5 },
  { value: '15', label: '15 steps/s', rate: 15 },
  { value: '60', label: '60 steps/s', rate: 60 },
  { value: '240', label: '240 steps/s', rate: 240 },
  { value: 'max', label: 'as fast as possible', rate: Infinity },
];
export const DEFAULT_SPEED = '60';

/** Engine time per frame: leaves most of a 60 Hz frame (16.7 ms) for drawing. */
const FRAME_BUDGET_MS = 8;
/** Longest gap between frames counted (a hidden tab pauses frames; do not catch up in a burst). */
const MAX_FRAME_GAP_MS = 100;

/**
 * Runs the begun run on `lab` to its end. Resolves with the run (lab.result()) or null when
 * stopped; rejects with whatever the engine threw. The lab's run is ended in every case.
 * @param {object} lab a Trimlab on which begin() has just succeeded
 * @param {{rate: () => number, onBatch: (samples: object[]) => void,
 *          afterStep?: (sample: object) => number,
 *          step?: () => object|null|Promise<object|null>}} hooks rate: steps per second, read
 *   every frame; afterStep: milliseconds to hold before the next step (0 to go on); step: one
 *   step of the run (default lab.step(); lab.stepReplay() for a replay).
 * @returns {{done: Promise<object|null>, stop: () => void}}
 */
export function runLoop(lab, { rate, onBatch, afterStep, step = () => lab.step() }) {
  let stopped = false;
  let frame = 0;
  let owed = 1; // the first frame takes one step at once
  let last = null;
  let holdUntil = 0;
  let settle;
  const done = new Promise((resolve, reject) => {
    settle = { resolve, reject };
  });

  const finish = (outcome, value) => {
    stopped = true;
    cancelAnimationFrame(frame);
    try {
      lab.end();
    } catch {
      // ending cannot fail in the C API; a broken instance is reported by the first error
    }
    settle[outcome](value);
  };

  async function takeSteps(now) {
    const batch = [];
    const deadline = performance.now() + FRAME_BUDGET_MS;
    while (owed >= 1 && performance.now() < deadline) {
      const sample = await step();
      if (stopped) return batch; // stop() came while the step read its input: the run is ended
      if (sample === null) break;
      batch.push(sample);
      owed -= 1;
      const hold = afterStep?.(sample) ?? 0;
      if (hold > 0) {
        holdUntil = now + hold;
        owed = 0;
        break;
      }
      if (lab.done) break;
    }
    return batch;
  }

  async function tick(now) {
    if (stopped) return;
    try {
      const gap = last === null ? 0 : Math.min(now - last, MAX_FRAME_GAP_MS);
      last = now;
      if (now >= holdUntil) {
        const perSecond = rate();
        owed =
          perSecond === Infinity
            ? Infinity
            : Math.min(owed + (perSecond * gap) / 1000, 1 + perSecond);
        const batch = await takeSteps(now);
        if (stopped) return;
        if (batch.length > 0) onBatch(batch);
        if (lab.done) return finish('resolve', lab.result());
      }
      frame = requestAnimationFrame(tick);
    } catch (error) {
      if (!stopped) finish('reject', error);
    }
  }

  frame = requestAnimationFrame(tick);
  return {
    done,
    stop() {
      if (!stopped) finish('resolve', null);
    },
  };
}
