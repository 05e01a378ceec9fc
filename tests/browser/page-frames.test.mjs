// The module runs in a Worker so that the page's main thread only draws: during a
// `highwater total_mib=500` run at the fastest speed (every step faults in 2 MiB of fresh memory
// in the Worker), every frame that draws stays under FRAME_BOUND_MS on the main thread, timed by
// the page's run loop from the frame's callback to the end of its rendering (web/run-loop.js).
// The test counts the frames itself too, so that a run drawn in a handful of frames cannot pass
// the bound by drawing little. Other processes on the machine can preempt the main thread, and
// Firefox's frames vary: on an idle machine here 2 of 36 Firefox runs had one frame of 53 and
// 57 ms (a callback of 35 to 39 ms, where a chart update alone measured 10 to 25 ms, then its
// painting), none of 11 Chromium runs. So the bound must hold for every frame of one of up to three runs; each run's
// longest frame is reported. The run's own duration is not asserted: that is `make bench`'s.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  browserName,
  missingFiles,
  openPage,
  runScenario,
  startBrowser,
} from '../support/browser.mjs';

assert.deepEqual(missingFiles(), [], 'web/gen/ is incomplete: run `make site results` first');

const FRAME_BOUND_MS = 50;
/** highwater total_mib=500 takes 253 steps: drawn in fewer frames than this, a frame would hold
 *  tens of steps' samples and the bound would say little. */
const MIN_FRAMES = 20;
/** Runs tried before the bound is called broken (see the test). */
const ATTEMPTS = 3;

let browser;
before(async () => {
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
});

/** One run in a fresh tab: the page's frame figures, and the test's own count of frames. */
async function timedRun() {
  const { page, problems } = await openPage(browser);
  // The test's own count of animation frames while the run is on.
  await page.evaluate(() => {
    const counted = { frames: 0, on: true };
    window.framesCounted = counted;
    const tick = () => {
      counted.frames += 1;
      if (counted.on) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const state = await runScenario(page, {
    scenario: 'highwater',
    params: { total_mib: 500 },
    speed: 'max',
  });
  const counted = await page.evaluate(() => {
    window.framesCounted.on = false;
    return window.framesCounted.frames;
  });
  assert.equal(state.last.outcome, 'completed');
  assert.equal(state.last.steps, 253);
  const { drawn, longestMs } = state.runStats.frames;
  assert.ok(drawn >= MIN_FRAMES, `the run drew in ${drawn} frames`);
  assert.ok(drawn <= counted, `${drawn} frames drew, but only ${counted} animation frames ran`);
  assert.deepEqual(problems, []);
  await page.close();
  return { drawn, longestMs };
}

test(`${browserName}: a highwater 500 MiB run at full speed keeps every frame under ${FRAME_BOUND_MS} ms on the main thread`, async (t) => {
  const runs = [];
  // Up to ATTEMPTS runs, each in a fresh tab: the bound must hold for every frame of one of them.
  while (runs.length < ATTEMPTS) {
    runs.push(await timedRun());
    if (runs.at(-1).longestMs < FRAME_BOUND_MS) break;
  }
  const said = runs.map((r) => `${r.longestMs.toFixed(1)} ms of ${r.drawn} frames`).join('; ');
  t.diagnostic(`${browserName}: the longest frame per run: ${said}`);
  assert.ok(runs.at(-1).longestMs < FRAME_BOUND_MS, `the longest frame in each run: ${said}`);
});
