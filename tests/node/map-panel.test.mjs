// The map panel's pure parts (web/map-cells.js: cells, a cell's range in words, moments, the
// native maps of the results file) and its live feed (web/map-live.js) with a stand-in instance
// and server: the residency combined with the allocator's view, a server without the endpoint
// said once, answers about an instance let go of dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  cellMix,
  cellText,
  cellsOf,
  classMib,
  momentOfPhase,
  nativeMapAt,
  pagesPerCell,
} from '../../web/map-cells.js';
import { MapLive } from '../../web/map-live.js';
import { countClasses, decodeClasses } from '../../web/memory-map.js';
import { root } from '../support/helpers.mjs';

const PAGE = 65536;
const TAG = '00112233445566778899aabbccddeeff';

test('map cells: pages per cell, counts, a cell in words', () => {
  assert.equal(pagesPerCell(1024), 1, 'a fresh module: one page a cell');
  assert.equal(pagesPerCell(1025), 2);
  assert.equal(pagesPerCell(8192), 8, 'the 512 MiB ceiling');
  // 20 pages: 2 static, 5 live, 8 cached, 3 free, 2 above; 4 to a cell.
  const classes = decodeClasses('2s5l8c3f2a');
  const cells = cellsOf(classes, 4);
  assert.equal(cells.cells, 5);
  assert.deepEqual(cellMix(cells, 0), { static: 2, live: 2 });
  assert.deepEqual(cellMix(cells, 2), { cached: 4 });
  assert.equal(
    cellText(cells, 0, PAGE, classes.length),
    '0x00000000–0x0003ffff (256 KiB): 2 pages live, 2 pages static',
  );
  assert.equal(
    cellText(cells, 2, PAGE, classes.length),
    '0x00080000–0x000bffff (256 KiB): cached: kept by the allocator, resident',
  );
  assert.equal(
    cellText(cells, 4, PAGE, classes.length),
    '0x00100000–0x0013ffff (256 KiB): 2 pages free, 2 pages above',
  );
  assert.deepEqual(
    classMib(classes, PAGE).map(({ name, mib }) => [name, mib * 16]),
    [
      ['live', 5],
      ['cached', 8],
      ['free', 3],
      ['above', 2],
      ['static', 2],
    ],
  );
});

test('map moments: the phase a live run reached, and the native map of that moment', () => {
  assert.deepEqual(['baseline', 'allocate', 'fill', 'free', 'trim', 'final'].map(momentOfPhase), [
    'work',
    'work',
    'work',
    'free',
    'trim',
    'trim',
  ]);
  // make native-results writes the maps (--map): cycles with trim keeps under 1 MiB cached.
  const document = JSON.parse(
    readFileSync(join(root, 'web', 'gen', 'data', 'native-results.json'), 'utf8'),
  );
  const run = document.runs.find((r) => r.scenario === 'cycles' && r.trim === 'enabled');
  const stored = run.maps.find((m) => m.at === 'trim');
  const map = nativeMapAt(run, 'trim');
  assert.equal(map.step, stored.step);
  assert.equal(map.page_bytes, 4096);
  assert.deepEqual(countClasses(map.classes), countClasses(decodeClasses(stored.classes)));
  assert.ok(countClasses(map.classes).cached * 4096 < 1024 * 1024);
  assert.equal(nativeMapAt({ ...run, maps: undefined }, 'trim'), null);
  assert.equal(nativeMapAt(run, 'later'), null);
});

/** A stand-in instance: the allocator's view of four pages (free, free, live, above). */
function fakeLab() {
  return {
    calls: 0,
    async map() {
      this.calls += 1;
      return { classes: Uint8Array.of(2, 2, 0, 3), page_bytes: PAGE, held_bytes: 100 };
    },
    memoryBytes: () => 4 * PAGE,
    tag: TAG,
    tagAddress: 16,
  };
}

const json = (status, body) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

test('map live: the allocator view with the residency of /api/resident-map, the last map again after the run', async () => {
  const asked = [];
  const maps = [];
  const live = new MapLive({
    onMap: (map) => maps.push(map),
    onUnavailable: () => assert.fail('the endpoint answered'),
    // The first kernel page of page 0 present, none of page 1.
    fetch: async (url) => {
      asked.push(url);
      return json(200, { host: 'chromium', matched: 'tag', page_bytes: 4096, runs: [0, 1, 63] });
    },
    intervalMs: 10_000,
  });
  const lab = fakeLab();
  live.start(lab);
  await live.settle();
  assert.equal(asked.length >= 1, true);
  assert.match(asked[0], new RegExp(`^/api/resident-map\\?bytes=262144&tag=${TAG}&at=16$`));
  assert.equal(live.available, true);
  assert.equal(live.settled, true);
  const last = maps.at(-1);
  assert.deepEqual([...last.classes], [1, 2, 0, 3], 'the resident free page is cached');
  assert.equal(last.resident, true);
  assert.equal(lab.calls, 1, 'settle draws the last map again without asking the instance');
});

test('map live: a server without the endpoint is said once, and the allocator view is drawn alone', async () => {
  const reasons = [];
  const maps = [];
  const live = new MapLive({
    onMap: (map) => maps.push(map),
    onUnavailable: (reason) => reasons.push(reason),
    fetch: async () => new Response('not here', { status: 404 }),
    intervalMs: 10_000,
  });
  const lab = fakeLab();
  live.start(lab);
  await live.settle();
  live.start(lab);
  await live.settle();
  assert.equal(reasons.length, 1);
  assert.match(reasons[0], /no \/api\/resident-map \(HTTP 404\)/);
  assert.ok(!/\n/.test(reasons[0]), 'one line');
  assert.deepEqual([...maps.at(-1).classes], [2, 2, 0, 3]);
  assert.equal(maps.at(-1).resident, false);
});

test('map live: an answer about an instance let go of is not drawn', async () => {
  const maps = [];
  let release;
  const lab = {
    ...fakeLab(),
    map: () => new Promise((resolve) => (release = resolve)),
  };
  const live = new MapLive({
    onMap: (map) => maps.push(map),
    onUnavailable: () => {},
    fetch: async () => json(404, { error: 'no mapping' }),
    intervalMs: 10_000,
  });
  live.start(lab);
  live.forget();
  release({ classes: Uint8Array.of(0), page_bytes: PAGE, held_bytes: 1 });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(maps, []);
  assert.equal(live.lab, null);
});
