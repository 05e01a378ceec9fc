// The kernel's resident figures of the WebAssembly module in Node (web/resident-node.js through
// web/trimlab-api.js), checked against readings the test makes itself: /proc/self/smaps's Rss of
// the module's mapping, /proc/self/statm, /proc/self/mem at the instance's tag, and build/trimlab's
// own figures. A reading of linear memory's size instead of the resident pages fails them: a
// fresh 64 MiB instance has under 1 MiB resident, and highwater's 330.5 MiB memory holds 300 MiB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';

import { loadTrimlab } from '../../web/trimlab-api.js';
import { validateResults } from '../../web/results-validate.js';
import { MiB, root, runNativeJson, runOf, schemaErrors, tempDir } from '../support/helpers.mjs';

const PAGE = 4096;

/** The test's own reading: the Rss of every rw-p mapping of `bytes` in /proc/self/smaps, by
 *  start address. */
function smapsRss(bytes) {
  const found = new Map();
  const entries = readFileSync('/proc/self/smaps', 'latin1').split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/);
  for (const entry of entries) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) rw-p /.exec(entry);
    if (!head || parseInt(head[2], 16) - parseInt(head[1], 16) !== bytes) continue;
    found.set(parseInt(head[1], 16), Number(/^Rss:\s+(\d+) kB$/m.exec(entry)[1]) * 1024);
  }
  return found;
}

/** The test's own reading of 16 bytes of this process's memory at `address`, as hex. */
function memoryAt(address) {
  const fd = openSync('/proc/self/mem', 'r');
  try {
    const bytes = Buffer.alloc(16);
    readSync(fd, bytes, 0, 16, address);
    return bytes.toString('hex');
  } finally {
    closeSync(fd);
  }
}

const mib = (bytes) => (bytes / MiB).toFixed(2);

test('highwater 300 MiB keeps its resident pages after free and trim; the reading is smaps Rss', async () => {
  const lab = await loadTrimlab();
  const fresh = lab.resident();
  assert.equal(fresh.mapping.matched, 'tag');
  assert.equal(lab.memoryBytes(), 64 * MiB);
  // Linear memory is 64 MiB; the kernel holds only what the module touched.
  assert.ok(fresh.resident_bytes < 1 * MiB, `fresh instance: ${mib(fresh.resident_bytes)} MiB`);
  const run = await lab.runScenario('highwater', { total_mib: 300 });
  assert.equal(run.host.name, 'node');
  assert.equal(run.host.version, process.versions.node);
  assert.equal(run.host.resident, 'smaps');
  const peak = Math.max(...run.samples.map((sample) => sample.resident_bytes));
  const trimmed = run.samples.find((sample) => sample.phase === 'trim');
  const final = run.samples.at(-1);
  assert.ok(final.in_use_bytes < MiB, 'everything was freed');
  for (const sample of [trimmed, final]) {
    assert.ok(sample.resident_bytes >= 280 * MiB, `${sample.phase}: ${mib(sample.resident_bytes)}`);
    assert.ok(
      sample.resident_bytes >= 0.95 * peak,
      `${mib(sample.resident_bytes)} of ${mib(peak)}`,
    );
    // Not linear memory's size: the growth formula's rounding left pages untouched.
    assert.ok(sample.footprint_bytes - sample.resident_bytes > 16 * MiB);
  }
  // The same figure as smaps's Rss for the module's mapping, read here independently.
  const now = lab.resident();
  const rss = smapsRss(lab.memoryBytes());
  assert.equal(rss.size, 1, 'one mapping of that size');
  assert.ok(rss.has(now.mapping.start));
  assert.ok(
    Math.abs(rss.get(now.mapping.start) - now.resident_bytes) <= 4 * PAGE,
    `smaps ${rss.get(now.mapping.start)}, the wrapper ${now.resident_bytes}`,
  );
  assert.equal(memoryAt(now.mapping.start + lab.tagAddress), lab.tag);
});

test('a dropped and collected instance gives its memory back to the process (statm, own reading)', () => {
  // A child of its own: only it has the instance, and gc is exposed there.
  const script = `
    import { readFileSync } from 'node:fs';
    import { loadTrimlab } from ${JSON.stringify(join(root, 'web', 'trimlab-api.js'))};
    const statm = () => Number(readFileSync('/proc/self/statm', 'latin1').split(' ')[1]) * 4096;
    const before = statm();
    const { run, life } = await (async () => {
      const lab = await loadTrimlab();
      const run = await lab.runScenario('highwater', 'total_mib=300');
      const life = lab.lifecycle();
      life.note(run, 'run_end');
      return { run, life };
    })();
    const held = statm();
    life.note(run, 'dropped');
    await life.collected(run, { gc });
    console.log(JSON.stringify({ before, held, after: statm(), events: run.after }));`;
  const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  const { before, held, after, events } = JSON.parse(child.stdout);
  assert.deepEqual(
    events.map((event) => event.event),
    ['run_end', 'dropped', 'collected'],
  );
  assert.ok(held - before >= 280 * MiB, `held ${mib(held)} MiB over ${mib(before)} MiB`);
  assert.ok(events[0].resident_bytes >= 280 * MiB, 'resident at the end of the run');
  assert.ok(events[1].resident_bytes >= 280 * MiB, 'still resident once dropped');
  assert.equal(events[2].resident_bytes, null, 'the mapping is gone once collected');
  assert.ok(
    Math.abs(after - before) <= 16 * MiB,
    `process RSS ${mib(before)} MiB before the run, ${mib(after)} MiB after collection`,
  );
  assert.ok(Math.abs(events[2].host_rss_bytes - after) <= 16 * MiB);
});

test('cycles: the module keeps the 10 MiB resident that the native trim releases', async () => {
  const native = runOf(runNativeJson(['--scenario', 'cycles']).document, 'cycles', 'enabled');
  const released = native.summary.released_by_trim_bytes;
  assert.ok(Math.abs(released - 10 * MiB) < 0.5 * MiB, `native trim released ${mib(released)}`);
  const run = await (await loadTrimlab()).runScenario('cycles', '', { trim: true });
  const [baseline, trimmed] = [run.samples[0], run.samples.find((s) => s.phase === 'trim')];
  const before = run.samples[run.samples.indexOf(trimmed) - 1];
  assert.equal(before.resident_bytes, trimmed.resident_bytes, 'trim released nothing');
  const kept = trimmed.resident_bytes - baseline.resident_bytes;
  assert.ok(
    Math.abs(kept - released) < 0.5 * MiB,
    `the module keeps ${mib(kept)} MiB; native trim released ${mib(released)} MiB`,
  );
});

test('two instances of 64 MiB are told apart by their tags', async () => {
  const [small, large] = await Promise.all([loadTrimlab(), loadTrimlab()]);
  assert.notEqual(small.tag, large.tag);
  assert.match(small.tag, /^[0-9a-f]{32}$/);
  await small.runScenario('cycles', { cycles: 1, block_mib: 4 });
  await large.runScenario('cycles', { cycles: 1, block_mib: 24 });
  const [a, b] = [small.resident(), large.resident()];
  assert.equal(small.memoryBytes(), 64 * MiB);
  assert.equal(large.memoryBytes(), 64 * MiB);
  assert.equal(a.mapping.matched, 'tag');
  assert.equal(b.mapping.matched, 'tag');
  assert.notEqual(a.mapping.start, b.mapping.start);
  assert.ok(a.resident_bytes > 4 * MiB && a.resident_bytes < 5 * MiB, mib(a.resident_bytes));
  assert.ok(b.resident_bytes > 24 * MiB && b.resident_bytes < 25 * MiB, mib(b.resident_bytes));
  // Each is its own mapping's Rss, and that mapping holds its own tag.
  const rss = smapsRss(64 * MiB);
  for (const [lab, reading] of [
    [small, a],
    [large, b],
  ]) {
    assert.ok(Math.abs(rss.get(reading.mapping.start) - reading.resident_bytes) <= 4 * PAGE);
    assert.equal(memoryAt(reading.mapping.start + lab.tagAddress), lab.tag);
  }
});

test('the Node runner prints and writes resident figures, its host and the after events', () => {
  const file = join(tempDir(), 'cycles.json');
  const args = ['--expose-gc', join(root, 'tools', 'run-wasm.mjs'), '--scenario', 'cycles'];
  const child = spawnSync(process.execPath, [...args, '--json', file], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.match(
    child.stdout,
    /^ step {2}phase +memory MiB +sbrk MiB +in use alloc free +resident +host RSS {2}label$/m,
  );
  const text = readFileSync(file, 'utf8');
  assert.equal(validateResults(text, { platform: 'wasm' }).ok, true);
  const document = JSON.parse(text);
  assert.equal(schemaErrors(document), '');
  assert.equal(document.version, 2);
  const [run] = document.runs;
  assert.deepEqual(run.host, { name: 'node', version: process.versions.node, resident: 'smaps' });
  const trimmed = run.samples.find((sample) => sample.phase === 'trim');
  assert.ok(trimmed.resident_bytes > 10 * MiB && trimmed.resident_bytes < 11 * MiB);
  // The table's row shows the same figure, in MiB.
  const row = child.stdout.split('\n').find((line) => /^ +\d+ +trim /.test(line));
  assert.equal(row.trim().split(/ +/)[6], mib(trimmed.resident_bytes));
  assert.deepEqual(
    run.after.map((event) => event.event),
    ['run_end', 'dropped', 'collected'],
  );
  assert.equal(run.after[2].resident_bytes, null);
});

test('the native CLI writes version 2: its host, and resident and host RSS from its one reading', () => {
  const { document } = runNativeJson(['--scenario', 'fragmented']);
  assert.equal(document.version, 2);
  const run = runOf(document, 'fragmented', 'enabled');
  assert.deepEqual(run.host, { name: 'native', version: release(), resident: 'rss_anon' });
  for (const sample of run.samples) {
    assert.equal(sample.resident_bytes, sample.rss_anon_bytes);
    assert.equal(sample.host_rss_bytes, sample.footprint_bytes);
  }
  assert.equal(schemaErrors(document), '');
});

test('make compare takes the browser columns from browser-results.json, and "–" without it', async () => {
  const { browserColumns, readBrowserResults } = await import('../../tools/compare.mjs');
  const dir = tempDir();
  assert.equal(readBrowserResults(join(dir, 'none.json')), null);
  assert.deepEqual(browserColumns(null, 'cycles'), ['–', '–', '–', '–']);
  // A document as the browser harness writes it: a Chromium run collected (its mapping gone), a
  // Firefox run only dropped, 300 MiB still resident.
  const lab = await loadTrimlab();
  const run = await lab.runScenario('cycles', { cycles: 1, block_mib: 1 });
  const browserRun = (name, after) => ({
    ...run,
    host: { name, version: '1.0', resident: 'smaps' },
    after: after.map(([event, elapsed_ms, resident_bytes]) => ({
      event,
      elapsed_ms,
      resident_bytes,
      host_rss_bytes: 400 * MiB,
    })),
  });
  const runs = [
    browserRun('chromium', [
      ['run_end', 1, 10 * MiB],
      ['dropped', 2, 10 * MiB],
      ['collected', 30, null],
    ]),
    browserRun('firefox', [
      ['run_end', 1, 314_677_248],
      ['dropped', 12000, 314_677_248],
    ]),
  ];
  const file = join(dir, 'browser-results.json');
  writeFileSync(file, lab.documentText(runs));
  const document = readBrowserResults(file);
  assert.notEqual(document, null);
  assert.deepEqual(browserColumns(document, 'cycles'), ['10.00', 'unmapped', '300.10', '–']);
  assert.deepEqual(browserColumns(document, 'highwater'), ['–', '–', '–', '–']);
});

test('resident: false reads nothing, and the run says so ("none")', async () => {
  const lab = await loadTrimlab({ resident: false });
  const run = await lab.runScenario('cycles', { cycles: 1, block_mib: 1 });
  assert.deepEqual(run.host, { name: 'node', version: process.versions.node, resident: 'none' });
  assert.ok(run.samples.every((sample) => !('resident_bytes' in sample)));
  assert.equal(lab.resident(), null);
  assert.equal(lab.lifecycle(), null);
  const text = lab.documentText([run]);
  assert.equal(validateResults(text, { platform: 'wasm' }).ok, true);
  assert.equal(schemaErrors(JSON.parse(text)), '');
});
