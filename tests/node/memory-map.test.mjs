// The memory map (src/engine/memory_map.h, web/memory-map.js): its pure functions, then the maps
// of real runs, natively (build/trimlab --map) and in the module under Node (the wrapper, the
// Node runner), checked against figures the map does not come from: the allocator's in-use
// bytes, the test's own read of the module mapping's Rss in /proc/self/smaps, and what native
// trim is known to release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadTrimlab } from '../../web/trimlab-api.js';
import {
  CLASSES,
  LETTERS,
  combine,
  countClasses,
  decodeClasses,
  mapSummary,
  presentRuns,
  residentPages,
} from '../../web/memory-map.js';
import { validateResults } from '../../web/results-validate.js';
import { MiB, root, runNative, runNativeJson, runOf, tempDir } from '../support/helpers.mjs';
import { TraceBuilder } from '../replay/trace-encoder.mjs';

const PAGE = 65536;
const runWasm = join(root, 'tools', 'run-wasm.mjs');

test('presentRuns: runs of present entries, absent first', () => {
  const high = [0, 0x80000000, 0x80000000, 0, 0x81000000];
  const entries = new Uint32Array(high.flatMap((word) => [0, word]));
  assert.deepEqual(presentRuns(entries, 5, 0x80000000), [1, 2, 1, 1]);
  assert.deepEqual(presentRuns(entries, 5, 0x81000000), [4, 1]);
  assert.deepEqual(presentRuns(entries, 0, 0x80000000), [0]);
  assert.deepEqual(presentRuns(new Uint32Array([0, 0x80000000]), 1, 0x80000000), [0, 1]);
});

test('combine: a free page with any resident kernel page is cached; others keep their class', () => {
  // 4 map pages of 64 KiB = 64 kernel pages: page 1 has one present kernel page, page 3 all.
  const residency = { page_bytes: 4096, runs: [16 + 7, 1, 8 + 16, 16] };
  assert.deepEqual([...residentPages(residency, 4, PAGE)], [0, 1, 0, 1]);
  const classes = combine(Uint8Array.from([2, 2, 2, 0]), residency, PAGE);
  assert.deepEqual([...classes], [2, 1, 2, 0]);
  assert.deepEqual(countClasses(classes), { live: 1, cached: 1, free: 2, above: 0, static: 0 });
});

test('the run-length text: decoded, refused when malformed, the letters in class order', () => {
  assert.equal(LETTERS.length, CLASSES.length);
  assert.deepEqual([...decodeClasses('2s1l3c')], [4, 4, 0, 1, 1, 1]);
  for (const bad of ['0c', 'c', '3x', '3', '01c', '3c-1f']) assert.equal(decodeClasses(bad), null);
  assert.equal(decodeClasses('9c', 8), null);
  const summary = mapSummary(decodeClasses('3l5c7f1s'), PAGE, 100000);
  assert.equal(summary.kept, (8 * PAGE) / MiB);
  assert.equal(summary.fragmentation, (3 * PAGE - 100000) / MiB);
  assert.equal(summary.retention, (5 * PAGE) / MiB);
});

/** The test's own reading: the Rss of the one rw-p mapping of `bytes` in /proc/self/smaps. */
function smapsRss(bytes) {
  const entries = readFileSync('/proc/self/smaps', 'latin1').split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
  const found = entries.filter((entry) => {
    const head = /^([0-9a-f]+)-([0-9a-f]+) rw-p /.exec(entry);
    return head && parseInt(head[2], 16) - parseInt(head[1], 16) === bytes;
  });
  assert.equal(found.length, 1, `one mapping of ${bytes} bytes`);
  return Number(/^Rss:\s+(\d+) kB$/m.exec(found[0])[1]) * 1024;
}

for (const allocator of ['dlmalloc', 'emmalloc']) {
  test(`module (${allocator}): highwater total_mib=300 keeps >= 280 MiB cached after free and trim`, async () => {
    const lab = await loadTrimlab({ allocator });
    const run = await lab.runScenario('highwater', { total_mib: 300 }, { map: true });
    assert.deepEqual(
      run.maps.map((map) => map.at),
      ['work', 'free', 'trim'],
    );
    const trimSample = run.samples.find((sample) => sample.phase === 'trim');
    for (const map of run.maps) {
      const sample = run.samples[map.step];
      const pages = countClasses(decodeClasses(map.classes));
      assert.equal(
        Object.values(pages).reduce((a, b) => a + b) * PAGE,
        sample.footprint_bytes,
        'every page of linear memory',
      );
      // What the engine holds against the allocator's own in-use figure: within one page of it
      // (the chunks lie side by side; the module's few own allocations are not the engine's).
      assert.ok(
        Math.abs(pages.live * PAGE - sample.in_use_bytes) <= 2 * PAGE,
        `${map.at}: live ${pages.live} pages against ${sample.in_use_bytes} bytes in use`,
      );
    }
    const after = decodeClasses(run.maps[2].classes);
    const cached = countClasses(after).cached * PAGE;
    assert.ok(cached >= 280 * MiB, `cached ${cached / MiB} MiB`);
    const resident = trimSample.resident_bytes;
    assert.ok(Math.abs(cached - resident) <= 0.02 * resident, `${cached} against ${resident}`);
    // And against the test's own read of the mapping, now that the run is over.
    const now = lab.map();
    const ownRss = smapsRss(lab.memoryBytes());
    const cachedNow = countClasses(now.classes).cached * PAGE;
    assert.ok(Math.abs(cachedNow - ownRss) <= 0.02 * ownRss, `${cachedNow} against ${ownRss}`);
  });
}

test('module: fragmented keep_every=16 keeps its free space on live pages (fragmentation)', async () => {
  const lab = await loadTrimlab({ allocator: 'dlmalloc' });
  const run = await lab.runScenario('fragmented', { keep_every: 16 }, { map: true });
  const map = run.maps.find((m) => m.at === 'trim');
  const summary = mapSummary(decodeClasses(map.classes), map.page_bytes, map.held_bytes);
  // 2560 chunks of 4 KiB, every 16th kept: each 64 KiB page holds one, so no page is cached.
  assert.ok(summary.fragmentation > 9, `fragmentation ${summary.fragmentation} MiB`);
  assert.ok(summary.retention < 0.5, `retention ${summary.retention} MiB`);
});

/** A native run's map at `at`, with its counts in bytes. */
function nativeMap(args, at) {
  const { code, document } = runNativeJson([...args, '--map']);
  assert.equal(code, 0);
  assert.equal(validateResults(JSON.stringify(document), { platform: 'native' }).ok, true);
  const map = document.runs[0].maps.find((m) => m.at === at);
  const pages = countClasses(decodeClasses(map.classes));
  return { map, bytes: (name) => pages[name] * map.page_bytes, run: document.runs[0] };
}

test('native: cycles leaves nothing cached after trim, its 10 MiB block with trim off', () => {
  const on = nativeMap(['--scenario', 'cycles'], 'trim');
  assert.ok(on.bytes('cached') < 1 * MiB, `trim on: cached ${on.bytes('cached') / MiB} MiB`);
  const off = nativeMap(['--scenario', 'cycles', '--no-trim'], 'trim');
  const cached = off.bytes('cached') / MiB;
  assert.ok(cached > 9.5 && cached < 10.5, `trim off: cached ${cached} MiB`);
  // The same run's RssAnon falls by what trim releases: the cached class is that memory.
  const before = on.run.summary.before_trim_bytes - on.run.summary.after_trim_bytes;
  assert.ok(Math.abs(before - off.bytes('cached')) < 1 * MiB);
});

test('native: fragmented keep_every=16 after trim: the free runs go back, the live pages stay', () => {
  const { bytes, map } = nativeMap(['--scenario', 'fragmented', '--set', 'keep_every=16'], 'trim');
  assert.ok(bytes('free') > 8 * MiB, `free ${bytes('free') / MiB} MiB`);
  assert.ok(bytes('cached') < 1 * MiB, `cached ${bytes('cached') / MiB} MiB`);
  // 160 kept chunks of 4 KiB, each on two 4 KiB pages at most.
  assert.ok(bytes('live') >= map.held_bytes - map.outside_bytes);
  assert.ok(bytes('live') <= 2 * 161 * 4096 + map.held_bytes);
});

test('--map: the lines under the table, natively and from the Node runner alike', () => {
  const native = runNative(['--scenario', 'cycles', '--map']);
  assert.equal(native.code, 0);
  const lines = native.stdout.split('\n').filter((line) => line.startsWith('map after '));
  assert.deepEqual(
    lines.map((line) => /^map after (\w+)/.exec(line)[1]),
    ['work', 'free', 'trim'],
  );
  const wasm = spawnSync(process.execPath, [runWasm, '--scenario', 'cycles', '--map'], {
    encoding: 'utf8',
  });
  assert.equal(wasm.status, 0, wasm.stderr);
  assert.match(wasm.stdout, /^map after trim \(step 26\): live 0\.00, cached 10\.\d\d, /m);
});

test('--map refused with --quiet and no --json: one line, exit 2, natively and in Node', () => {
  const expected =
    'trimlab: --map with --quiet and no --json shows nothing: give --json FILE or leave out --quiet\n';
  const native = runNative(['--scenario', 'cycles', '--map', '--quiet']);
  assert.equal(native.code, 2);
  assert.equal(native.stderr, expected);
  const wasm = spawnSync(process.execPath, [runWasm, '--scenario', 'cycles', '--map', '--quiet'], {
    encoding: 'utf8',
  });
  assert.equal(wasm.status, 2);
  assert.equal(wasm.stderr, expected);
  assert.equal(runNative(['--list', '--map']).code, 2);
});

test('the Node runner writes the maps the native writer writes, valid and readable back', () => {
  const file = join(tempDir(), 'w.json');
  const result = spawnSync(
    process.execPath,
    [runWasm, '--scenario', 'simple', '--set', 'block_mib=20', '--map', '--quiet', '--json', file],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  const text = readFileSync(file, 'utf8');
  const verdict = validateResults(text, { platform: 'wasm' });
  assert.equal(verdict.ok, true, verdict.message);
  const run = runOf(verdict.document, 'simple');
  const trim = run.maps.find((m) => m.at === 'trim');
  const cached = countClasses(decodeClasses(trim.classes)).cached * trim.page_bytes;
  assert.ok(cached >= 20 * MiB && cached <= 21 * MiB, `cached ${cached / MiB} MiB`);
});

test("module: a replay's mappings (the program's own mmap) are live on the map, as its allocations are", async () => {
  const lab = await loadTrimlab({ allocator: 'dlmalloc' });
  const t = new TraceBuilder({ program: 'mapper' });
  t.mmap(0x7f0000000000, 4 * MiB);
  t.malloc(0x100000, 4 * MiB);
  await lab.beginReplay(t.bytes());
  while (await lab.stepReplay());
  const map = lab.map();
  const live = countClasses(map.classes).live * map.page_bytes;
  // Both 4 MiB blocks are held at the end, besides the replay's own tables (about 1 MiB): with
  // the mapping left out, live would be about 5 MiB.
  assert.ok(live >= 8 * MiB && live < 12 * MiB, `live ${live / MiB} MiB`);
  lab.end();
});
