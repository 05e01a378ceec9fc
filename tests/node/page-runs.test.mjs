// The page's run code in Node, on the real module: the run controller (web/run-controller.js)
// with a chart that records what it is given, the replay flow (web/replay-flow.js) and the batch
// comparison (web/batch-compare.js), the run loop's frame timing (web/run-loop.js). The
// instances are HostedLabs (web/lab-host.js), the calls the page's Worker answers. Frames come
// from a timer here: requestAnimationFrame is the one browser function supplied.
// Build first: `make wasm` (make test-node does it).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { loadTrimlab } from '../../web/trimlab-api.js';
import { RunController } from '../../web/run-controller.js';
import { runLoop } from '../../web/run-loop.js';
import { HostedLab } from '../../web/lab-host.js';
import { isTrace, traceRun } from '../../web/replay-flow.js';
import { TraceBuilder } from '../replay/trace-encoder.mjs';
import { BATCHES_MIB, BatchComparison, comparisonText } from '../../web/batch-compare.js';
import { MiB } from '../../web/units.js';

globalThis.requestAnimationFrame = (callback) => setTimeout(() => callback(performance.now()), 1);
globalThis.cancelAnimationFrame = clearTimeout;

/** What the page's ChartView is asked to do, kept. */
class RecordingChart {
  updates = 0;
  live = [];
  cleared = 0;
  startLive() {
    this.cleared += 1;
    this.live = [];
  }
  appendLive(samples) {
    this.live.push(...samples);
  }
  refresh() {
    this.updates += 1;
  }
}

const HOOKS = ['refused', 'begun', 'progress', 'stopped', 'finished', 'failed', 'settled'];

/** Hooks that record their calls in order, with their arguments; `also` adds to some. */
function recordingHooks(also = {}) {
  const seen = { order: [] };
  const hooks = Object.fromEntries(
    HOOKS.map((name) => [
      name,
      (...args) => {
        if (seen.order.at(-1) !== name) seen.order.push(name);
        seen[name] = args;
        also[name]?.(...args);
      },
    ]),
  );
  return { seen, hooks };
}

/** A built-in scenario's begin, as the page gives it. */
const scenario = (name, params) => ({
  async begin(lab) {
    await lab.begin(name, params, { trim: true });
    return null;
  },
});

const hosted = async (options) => new HostedLab(await loadTrimlab(options));
const controllerAt = (rate, load = hosted) =>
  new RunController({ chart: new RecordingChart(), rate: () => rate, load });
const fast = () => controllerAt(Infinity);

/** A scenario's run on a fresh dlmalloc instance. */
const runFresh = (controller, name, params, hooks) =>
  controller.run({ allocator: 'dlmalloc', reuse: false, ...scenario(name, params), hooks });

test('the run controller draws every step of a run, then says it finished and settled', async () => {
  const controller = fast();
  const { seen, hooks } = recordingHooks();
  const run = await runFresh(controller, 'simple', { block_mib: 2 }, hooks);
  // A 2 MiB block: baseline, malloc, one 4 MiB touch step, free, trim, final.
  const phases = ['baseline', 'allocate', 'fill', 'free', 'trim', 'final'];
  assert.deepEqual(
    run.samples.map((s) => s.phase),
    phases,
  );
  assert.deepEqual(
    controller.chart.live.map((s) => s.phase),
    phases,
  );
  assert.deepEqual(seen.order, ['begun', 'progress', 'finished', 'settled']);
  assert.deepEqual(seen.begun, [null]);
  assert.equal(seen.progress[0].phase, 'final');
  assert.equal(seen.finished[0], run);
  assert.equal(seen.finished[1], controller.lab);
  assert.equal(controller.chart.cleared, 1);
  assert.deepEqual(
    [controller.labRuns, controller.settled, controller.running, controller.stats.steps],
    [1, 1, false, 6],
  );
});

test('a refused begin: nothing drawn, the chart not cleared, counted as settled', async () => {
  const controller = fast();
  const { seen, hooks } = recordingHooks();
  const run = await runFresh(controller, 'simple', { block_mib: 0 }, hooks);
  assert.equal(run, null);
  assert.deepEqual(seen.order, ['refused']);
  assert.equal(seen.refused[0].name, 'TrimlabError');
  assert.match(seen.refused[0].message, /block_mib/);
  assert.equal(controller.chart.cleared, 0);
  assert.deepEqual([controller.labRuns, controller.settled], [0, 1]);
});

test('reuse: the current instance when asked and trusted; a new one for another allocator, after emmalloc trimmed, or after a throw', async () => {
  const controller = fast();
  const go = (allocator, reuse, run = scenario('simple', { block_mib: 1 })) =>
    controller.run({ allocator, reuse, ...run, hooks: recordingHooks().hooks });
  await go('dlmalloc', true);
  const first = controller.lab;
  await go('dlmalloc', true);
  assert.equal(controller.lab, first);
  assert.equal(controller.labRuns, 2);
  await go('dlmalloc', false);
  assert.notEqual(controller.lab, first);
  assert.equal(controller.labRuns, 1);
  await go('emmalloc', true);
  const trimmed = controller.lab;
  assert.equal(trimmed.allocator, 'emmalloc');
  assert.ok(trimmed.untrusted, 'emmalloc ran its trim');
  await go('emmalloc', true);
  assert.notEqual(controller.lab, trimmed);

  const { seen, hooks } = recordingHooks();
  class BrokenLab extends HostedLab {
    async steps() {
      throw new Error('the engine broke');
    }
  }
  controller.load = async (options) => new BrokenLab(await loadTrimlab(options));
  assert.equal(
    await controller.run({
      allocator: 'emmalloc',
      reuse: true,
      ...scenario('simple', { block_mib: 1 }),
      hooks,
    }),
    null,
  );
  assert.deepEqual(seen.order, ['begun', 'failed', 'settled']);
  assert.equal(seen.failed[0].message, 'the engine broke');
  assert.equal(controller.lab, null, 'an instance that threw is not reused');
});

test('stop() ends a run part-way: stopped with the last sample drawn, the instance kept', async () => {
  const controller = controllerAt(60);
  const { seen, hooks } = recordingHooks({ progress: () => controller.stop() });
  const run = await runFresh(controller, 'highwater', {}, hooks);
  assert.equal(run, null);
  assert.deepEqual(seen.order, ['begun', 'progress', 'stopped', 'settled']);
  const drawn = controller.chart.live;
  assert.ok(drawn.length >= 1 && drawn.length < 10, `${drawn.length} samples drawn`);
  assert.equal(seen.stopped[0], drawn.at(-1));
  assert.ok(controller.lab, 'a stopped run keeps its instance for reuse');
  assert.equal(controller.running, false);
});

test('the replay flow: a trace by its magic bytes, checked whole, replayed through the controller', async () => {
  const builder = new TraceBuilder({ program: 'flow' });
  for (let i = 1; i <= 5; i++) builder.malloc(0x1000 * i, 300_000);
  for (let i = 1; i <= 5; i++) builder.free(0x1000 * i);
  const bytes = builder.bytes();
  const magic = (await loadTrimlab()).traceMagic(); // the engine's
  assert.equal(await isTrace(new Blob([bytes]), magic), true);
  assert.equal(await isTrace(new Blob([bytes.subarray(0, 7)]), magic), false);
  assert.equal(await isTrace(new Blob(['TLTRACX\0 not a trace']), magic), false);

  const controller = fast();
  const { seen, hooks } = recordingHooks();
  const flow = traceRun(new File([bytes], 'flow.bin'));
  assert.equal(flow.scenario, 'replay');
  const run = await controller.run({ allocator: 'dlmalloc', reuse: false, ...flow, hooks });
  assert.deepEqual(seen.begun, [
    { name: 'flow.bin', trace: { program: 'flow', event_count: builder.events } },
  ]);
  assert.equal(run.outcome, 'completed');
  assert.equal(run.trace.events_replayed, builder.events);
  assert.equal(run.trace.peak_requested_bytes, Number(builder.peakBytes));
  assert.deepEqual(run.params, flow.params);

  // A bad trace is refused by the check, before the chart is cleared.
  const bad = new TraceBuilder({ program: 'bad' }).malloc(0x1000, 10).free(0x2000);
  const refused = recordingHooks();
  const before = controller.chart.cleared;
  const badRun = traceRun(new File([bad.bytes()], 'bad.trace'));
  assert.equal(
    await controller.run({ allocator: 'dlmalloc', reuse: true, ...badRun, hooks: refused.hooks }),
    null,
  );
  assert.deepEqual(refused.seen.order, ['refused']);
  assert.match(refused.seen.refused[0].message, /^event 2 at byte \d+: free of 0x2000/);
  assert.equal(controller.chart.cleared, before);
});

test('a hold (a presenter slide) stops the drawing at its step; the steps already taken follow it, in order', async () => {
  const controller = fast();
  const batches = [];
  const { hooks } = recordingHooks({ progress: (sample) => batches.push(sample.step) });
  const held = [];
  const run = await controller.run({
    allocator: 'dlmalloc',
    reuse: false,
    ...scenario('simple', { block_mib: 2 }),
    afterStep(sample) {
      if (sample.phase !== 'fill') return 0;
      held.push(sample.step);
      return 30;
    },
    hooks,
  });
  // All six steps arrive in the first batch (as fast as possible); the drawing stops at the fill
  // step for 30 ms, then draws the rest.
  assert.deepEqual(
    controller.chart.live.map((s) => s.step),
    run.samples.map((s) => s.step),
  );
  assert.deepEqual(held, [2]);
  assert.deepEqual(batches, [2, 5]);
});

test('drop lets go of the instance and keeps it for terminate; terminate ends it and the current one; a run refuses while another is busy', async () => {
  const closed = [];
  class Tracked extends HostedLab {
    close() {
      closed.push(this);
    }
  }
  const controller = controllerAt(
    Infinity,
    async (options) => new Tracked(await loadTrimlab(options)),
  );
  const go = () =>
    controller.run({
      allocator: 'dlmalloc',
      reuse: true,
      ...scenario('highwater', { total_mib: 80 }),
      hooks: recordingHooks().hooks,
    });
  await go();
  const first = controller.lab;
  const grown = first.memoryBytes();
  assert.ok(grown > 64 * 1024 * 1024);
  assert.equal(await controller.drop(), first);
  assert.deepEqual([controller.lab, controller.dropped, closed], [null, first, []]);
  assert.equal(first.memoryBytes(), grown, 'a dropped instance says the size it had');
  await assert.rejects(first.steps({ max: 1, budgetMs: 1 }));

  await go(); // a new run closes the dropped instance
  assert.deepEqual(closed, [first]);
  const second = controller.lab;
  const { seen, hooks } = recordingHooks();
  const [running, refused] = [
    go(),
    controller.run({ allocator: 'dlmalloc', reuse: true, ...scenario('simple', {}), hooks }),
  ];
  assert.equal(await refused, null);
  assert.match(seen.refused[0].message, /a run is in progress/);
  await running;
  assert.deepEqual(controller.terminate(), [second]);
  assert.deepEqual([controller.lab, controller.dropped, closed], [null, null, [first, second]]);
});

test('a hold until released (a presenter slide, Infinity) keeps the run at its step, the last step too; a pause is apart from it', async () => {
  const controller = fast();
  const drawn = [];
  const { hooks } = recordingHooks({ progress: (sample) => drawn.push(sample.step) });
  let ended = false;
  const running = controller
    .run({
      allocator: 'dlmalloc',
      reuse: false,
      ...scenario('simple', { block_mib: 2 }),
      afterStep: (sample) => (sample.phase === 'fill' || sample.phase === 'final' ? Infinity : 0),
      hooks,
    })
    .then((run) => {
      ended = true;
      return run;
    });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
  await settle();
  assert.deepEqual([drawn.at(-1), ended], [2, false], 'held at the fill step');
  controller.pause();
  controller.release(); // Next on a paused run: the hold ends, the pause stays
  await settle();
  assert.deepEqual([drawn.at(-1), ended], [2, false], 'paused apart from the hold');
  controller.resume();
  await settle();
  assert.deepEqual([drawn.at(-1), ended], [5, false], 'held at the last step: the run stays open');
  controller.release();
  const run = await running;
  assert.equal(run.samples.length, 6);
});

test('lower the peak: each batch size on its own instance, ended after; what each kept, from its own run', async () => {
  const labs = [];
  const load = async () => {
    const lab = await hosted({ allocator: 'dlmalloc' });
    lab.closed = false;
    lab.close = () => (lab.closed = true);
    labs.push(lab);
    return lab;
  };
  const charts = [];
  class Chart {
    constructor(canvas, config) {
      this.config = config;
      this.updates = 0;
      charts.push(this);
    }
    update() {
      this.updates += 1;
    }
  }
  const comparison = new BatchComparison({
    canvas: null,
    load,
    readResident: async (lab) => ({ resident_bytes: lab.memoryBytes() }),
    ChartClass: Chart,
  });
  const outcomes = await comparison.run();
  assert.equal(labs.length, BATCHES_MIB.length);
  assert.ok(
    labs.every((lab) => lab.closed),
    'every instance ended after its run',
  );
  assert.deepEqual(
    outcomes.map((o) => o.batchMib),
    BATCHES_MIB,
  );
  // The chart's kept line ends where the run's heap ended; the in-use line comes back to ~0.
  const datasets = charts[0].config.data.datasets;
  outcomes.forEach((outcome, i) => {
    assert.equal(datasets[2 * i].data.at(-1).y * MiB, outcome.keptBytes);
    assert.equal(datasets[2 * i].data.length, outcome.steps);
    assert.ok(datasets[2 * i + 1].data.at(-1).y < 1);
  });
  const [whole, batched] = outcomes;
  assert.ok(whole.keptBytes >= 300 * MiB && batched.keptBytes < 2 * 30 * MiB);
  assert.ok(whole.peakInUseBytes >= 300 * MiB && batched.peakInUseBytes < 31 * MiB);
  assert.match(comparisonText(outcomes), /^The same 300 MiB of work: one batch of 300 MiB keeps /);
});

test('Stop while the instance loads ends the run at its first frame, not at its end', async () => {
  const slow = async (options) => {
    const lab = await hosted(options);
    await new Promise((resolve) => setTimeout(resolve, 30));
    return lab;
  };
  const controller = new RunController({ chart: new RecordingChart(), rate: () => 5, load: slow });
  const { seen, hooks } = recordingHooks();
  const running = runFresh(controller, 'highwater', { total_mib: 50 }, hooks);
  controller.stop(); // the instance is still loading
  assert.equal(await running, null);
  assert.ok(seen.order.includes('stopped'), seen.order.join(', '));
  assert.ok(controller.chart.live.length <= 1, `${controller.chart.live.length} steps drawn`);
});

test('a frame is timed to its rendered message, or to the next frame when that begins first', async () => {
  const frames = [];
  const timerFrames = globalThis.requestAnimationFrame;
  globalThis.requestAnimationFrame = (callback) => frames.push(callback);
  const nextFrame = () => {
    const now = performance.now();
    for (const callback of frames.splice(0)) callback(now);
  };
  const macrotask = () => new Promise((resolve) => setTimeout(resolve, 5));
  try {
    let step = 0;
    const lab = {
      // Answers as a Worker does, in a later task.
      steps: () =>
        new Promise((resolve) =>
          setTimeout(() => resolve({ samples: [{ step: step++ }], done: false }), 1),
        ),
      result: async () => ({}),
      end() {},
    };
    const loop = runLoop(lab, { rate: () => Infinity, onBatch() {} });
    nextFrame(); // asks for steps; nothing to draw yet
    await macrotask();
    const drewAt = performance.now();
    nextFrame(); // draws and posts its message, which cannot be handled before this code yields
    while (performance.now() - drewAt < 30);
    nextFrame(); // begins first, as a late frame does in Firefox: it ends the one that drew
    assert.equal(loop.frames().drawn, 1);
    const late = loop.frames().longestMs;
    assert.ok(late >= 30, `${late} ms`);
    await macrotask(); // the late message is not counted again
    assert.deepEqual(loop.frames(), { drawn: 1, longestMs: late });
    nextFrame(); // draws the steps that came in; no frame after it: its message ends it
    await macrotask();
    assert.equal(loop.frames().drawn, 2);
    loop.stop();
  } finally {
    globalThis.requestAnimationFrame = timerFrames;
  }
});
