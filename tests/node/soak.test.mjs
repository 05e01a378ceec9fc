// Soak of the WebAssembly module through web/trimlab-api.js: RUNS consecutive runs of every
// scenario in ONE module instance. After every run the bytes in use are back to the baseline (no
// leak), and linear memory stops growing after the first run of each scenario (its high-water
// mark is a plateau): memory after run 1 == memory after every later run, run RUNS included.
// Checked for dlmalloc (trim on, the default; dlmalloc's malloc_trim does nothing) and for emmalloc
// with trim off. emmalloc with trim on (3.1.6's trim bug, docs/toolchain.md) is only recorded.
// Build first: `make wasm` (make test-node does it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { loadTrimlab } from '../../web/trimlab-api.js';
import { MiB, root } from '../support/helpers.mjs';

const RUNS = 200;
// Defaults, except buckets: its default model (1M/1M/1M) takes ~0.3-0.4 s a run here, 200 runs
// over a minute per allocator. 256K/256K/256K runs the same code (robin-hood sets, growing frontier
// vectors, batch buffer) at a quarter of the size. highwater keeps its 200 MiB: it is what grows
// linear memory past 64 MiB.
const SOAK_PARAMS = { buckets: 'model=256K/256K/256K' };
// emmalloc counts REGION_HEADER_SIZE per free region in its free-memory figure, so its in-use
// figure may move by a few bytes when the heap is first split; anything beyond this is a leak.
const BOOKKEEPING_SLACK = 64;

for (const file of ['trimlab.wasm', 'trimlab-emmalloc.wasm'])
  assert.ok(
    existsSync(join(root, 'web', 'gen', file)),
    `web/gen/${file} is missing: run ./build_wasm.sh`,
  );

const mib = (bytes) => (bytes / MiB).toFixed(2);

/** Bytes in use now: the baseline sample of a run that allocates nothing before it (simple). */
function inUseNow(lab) {
  lab.begin('simple', 'block_mib=1');
  const sample = lab.step();
  lab.end();
  return sample.in_use_bytes;
}

async function soak(t, allocator, trim) {
  const lab = await loadTrimlab({ allocator });
  const initialInUse = inUseNow(lab);
  const initialMemory = lab.memoryBytes();
  let baseline = null; // in use after the first run: the level every later run returns to
  const started = performance.now();
  for (const { name } of lab.scenarios()) {
    const params = SOAK_PARAMS[name] ?? '';
    const memory = [];
    const scenarioStarted = performance.now();
    let peakFootprint = 0;
    for (let i = 1; i <= RUNS; i++) {
      const run = await lab.runScenario(name, params, { trim });
      assert.equal(run.outcome, 'completed', `${name} run ${i}: ${run.error}`);
      for (const sample of run.samples)
        peakFootprint = Math.max(peakFootprint, sample.footprint_bytes);
      memory.push(lab.memoryBytes());
      const inUse = inUseNow(lab);
      baseline ??= inUse;
      if (inUse !== baseline)
        assert.fail(
          `${allocator} ${name} run ${i}: ${inUse} bytes in use after the run, ` +
            `baseline ${baseline}: a leak of ${inUse - baseline} bytes`,
        );
    }
    // The plateau: the first run reached the high-water mark, no later run moved it.
    assert.equal(memory[RUNS - 1], memory[0], `${name}: memory after run ${RUNS} vs run 1`);
    const moved = memory.findIndex((bytes) => bytes !== memory[0]);
    assert.equal(moved, -1, `${name}: memory changed at run ${moved + 1}`);
    assert.ok(memory[0] >= peakFootprint, `${name}: memory below a sample's footprint`);
    t.diagnostic(
      `${allocator} trim ${trim ? 'on' : 'off'} ${name}${params ? ` (${params})` : ''}: ` +
        `${RUNS} runs, memory ${mib(memory[0])} MiB after run 1 and ${mib(memory[RUNS - 1])} MiB ` +
        `after run ${RUNS}, in use after each run ${baseline} B, ` +
        `${((performance.now() - scenarioStarted) / 1000).toFixed(2)} s`,
    );
  }
  assert.ok(
    Math.abs(baseline - initialInUse) <= BOOKKEEPING_SLACK,
    `in use ${initialInUse} B before any run, ${baseline} B after the first`,
  );
  t.diagnostic(
    `${allocator}: in use ${initialInUse} B before any run, ${baseline} B after every ` +
      `run; memory ${mib(initialMemory)} -> ${mib(lab.memoryBytes())} MiB; ` +
      `${lab.scenarios().length * RUNS} runs in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

test(`dlmalloc, trim on: ${RUNS} runs of every scenario in one instance, no leak, memory plateaus`, async (t) => {
  await soak(t, 'dlmalloc', true);
});

test(`emmalloc, trim off: ${RUNS} runs of every scenario in one instance, no leak, memory plateaus`, async (t) => {
  await soak(t, 'emmalloc', false);
});

// emmalloc 3.1.6 with trim on: malloc_trim returns 1 but its sbrk(-n) fails, and the damaged
// bookkeeping makes later blocks grow memory instead of reusing it (emscripten#23343). No plateau
// is asserted; what happens is recorded. Only what WebAssembly guarantees is checked: memory never
// shrinks nor passes the 512 MiB ceiling, and a run either completes or ends in oom.
test('emmalloc, trim on: recorded, not asserted (emscripten 3.1.6 trim bug)', async (t) => {
  const lab = await loadTrimlab({ allocator: 'emmalloc' });
  let last = lab.memoryBytes();
  t.diagnostic(`start: memory ${mib(last)} MiB, in use ${inUseNow(lab)} B`);
  for (const [name, runs] of [
    ['simple', 5],
    ['highwater', 3],
  ]) {
    const rows = [];
    for (let i = 1; i <= runs; i++) {
      const run = await lab.runScenario(name, '', { trim: true });
      const memory = lab.memoryBytes();
      assert.ok(['completed', 'oom'].includes(run.outcome), `${name} run ${i}: ${run.outcome}`);
      assert.ok(memory >= last, `${name} run ${i}: memory shrank`);
      assert.ok(memory <= 512 * MiB, `${name} run ${i}: memory past the ceiling`);
      last = memory;
      rows.push(`${mib(memory)} MiB ${run.outcome} (in use after ${inUseNow(lab)} B)`);
    }
    t.diagnostic(`${name} x${runs}: ${rows.join('; ')}`);
  }
});
