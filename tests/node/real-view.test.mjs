// The "Real programs" view's pure parts in Node: which native file it accepts for a workload
// (web/real-figures.js), the samples' times, its one-line summary, the memory's growth and tag
// (web/real-sampler.js), the phases' sampling (web/real-programs.js, the Node runner's too); and
// what `make site` serves for it (tools/real/vendor.mjs), through the demo server
// (tools/serve.mjs): the packages' own bytes, .wasm as application/wasm, nothing outside the
// served folder.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { request } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { after, before, test } from 'node:test';

import { vendor } from '../../tools/real/vendor.mjs';
import { serve } from '../../tools/serve.mjs';
import {
  nativeRunOf,
  pointsOf,
  sampleMs,
  sampleSeconds,
  summaryLine,
} from '../../web/real-figures.js';
import { runPhases } from '../../web/real-programs.js';
import { memoryTag, watchGrowth, workloadPhases } from '../../web/real-sampler.js';
import { MiB } from '../../web/units.js';
import { root, tempDir } from '../support/helpers.mjs';

const workload = {
  name: 'lua-table',
  kind: 'lua',
  text: 'gen/real/workloads/lua-table.lua',
  native: ['lua5.4', 'tools/real/workloads/lua-table.lua'],
};

/** A native program run of the results format, as trimlab measure writes one. */
function nativeDocument({ args = ['tools/real/workloads/lua-table.lua'], samples } = {}) {
  const footprints = samples ?? [16384, 200 * MiB, 120 * MiB];
  const run = {
    scenario: 'program',
    params: {},
    trim: 'disabled',
    outcome: 'completed',
    error: null,
    host: { name: 'native', version: '6.1', resident: 'rss_anon' },
    elapsed_ms: 12.5,
    samples: footprints.map((bytes, step) => ({
      step,
      phase: step === 0 ? 'baseline' : step === footprints.length - 1 ? 'final' : 'allocate',
      label: `t=${(step * 5.1).toFixed(1)} ms`,
      footprint_bytes: bytes,
      rss_anon_bytes: bytes,
      resident_bytes: bytes,
      host_rss_bytes: bytes,
    })),
    summary: {
      baseline_footprint_bytes: footprints[0],
      peak_footprint_bytes: Math.max(...footprints),
      peak_in_use_bytes: 0,
      before_trim_bytes: footprints.at(-1),
      after_trim_bytes: footprints.at(-1),
      released_by_trim_bytes: 0,
      final_footprint_bytes: footprints.at(-1),
      trim_called: false,
      trim_returned: null,
    },
    program: { name: 'lua5.4', args },
  };
  return {
    format: 'trimlab-results',
    version: 2,
    generator: 'trimlab 0.1.0 (native)',
    created: '2026-01-01T00:00:00Z',
    platform: 'native',
    allocator: 'glibc',
    page_bytes: 4096,
    trim: 'disabled',
    runs: [run],
  };
}

test("nativeRunOf takes the workload's own native run and refuses others in one line", () => {
  const good = nativeRunOf(JSON.stringify(nativeDocument()), workload);
  assert.ok(good.ok);
  assert.equal(good.run.summary.peak_footprint_bytes, 200 * MiB);

  const other = nativeDocument({ args: ['tools/real/workloads/lua-strings.lua'] });
  const refusals = [
    ['{"format": "x"', /^not JSON/],
    ['', /empty/],
    [JSON.stringify(other), /^not a run of lua5\.4 tools\/real\/workloads\/lua-table\.lua$/],
    [JSON.stringify({ ...nativeDocument(), platform: 'wasm' }), /platform/],
  ];
  for (const [text, pattern] of refusals) {
    const verdict = nativeRunOf(text, workload);
    assert.equal(verdict.ok, false);
    assert.match(verdict.message, pattern);
    assert.doesNotMatch(verdict.message, /\n/);
  }
});

test('the samples are placed by the time their labels end with', () => {
  assert.equal(sampleMs({ label: 'db.close() t=12.5 ms' }), 12.5);
  assert.equal(sampleMs({ label: 'loaded' }), null);
  const samples = [{ label: 't=0.0 ms' }, { label: 'no time' }, { label: 'x t=250.0 ms' }];
  assert.deepEqual(sampleSeconds(/** @type {any} */ (samples)), [0, 0, 0.25]);
  const run = nativeDocument().runs[0];
  assert.deepEqual(pointsOf(run.samples), [
    { x: 0, y: 16384 },
    { x: 5.1 / 1000, y: 200 * MiB },
    { x: 10.2 / 1000, y: 120 * MiB },
  ]);
});

test('the summary says what the native program gave back and what the browser kept', () => {
  const native = nativeDocument().runs[0];
  const browser = {
    name: 'wasmoon 1.16.0 (Lua 5.4)',
    host: 'Firefox 140',
    samples: [16, 190, 190].map((m, step) => ({
      step,
      phase: 'allocate',
      label: '',
      footprint_bytes: m * MiB,
    })),
    resident: 185 * MiB,
  };
  assert.equal(
    summaryLine({ native, browser }),
    'Natively lua5.4 gave back 80.00 MiB of its 200.00 MiB RSS peak before it exited ' +
      '(120.00 MiB at its last reading); in Firefox 140, wasmoon 1.16.0 (Lua 5.4) kept 190.00 MiB ' +
      'of linear memory after its free phase (a WebAssembly memory never shrinks), 185.00 MiB of it ' +
      'resident (97 %).',
  );
  assert.doesNotMatch(summaryLine({ native, browser: { ...browser, resident: null } }), /resident/);
});

test("watchGrowth reports each growth as it happens; memoryTag finds the memory's own bytes", () => {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 10 });
  const seen = [];
  watchGrowth(memory, (bytes) => seen.push(bytes));
  assert.equal(memory.grow(1), 2, 'grow still answers the previous size');
  memory.grow(3);
  assert.deepEqual(seen, [3 * 65536, 6 * 65536]);

  new Uint8Array(memory.buffer).fill(7, 2048, 2048 + 16);
  assert.deepEqual(memoryTag(memory), { tag: '07'.repeat(16), at: 2048 });
});

test('runPhases samples each step as its phase, the work as allocate, then the idle module', async () => {
  /** A program whose steps are the words of a phase's text. */
  const program = {
    name: 'words',
    run(phase, text, step) {
      for (const word of text.trim().split(' ')) step(`${phase} ${word}`);
    },
    close() {},
  };
  const sampled = [];
  const entered = [];
  await runPhases(program, workloadPhases('-- phase: work\na b\n-- phase: free\nc\n'), {
    sample: (phase, what) => sampled.push(`${phase}: ${what}`),
    enter: (phase) => entered.push(phase),
    idleMs: 0,
    everyMs: 50,
  });
  assert.deepEqual(sampled, [
    'allocate: work a',
    'allocate: work b',
    'free: free c',
    'final: idle',
  ]);
  assert.deepEqual(entered, ['allocate', 'free', 'final']);
});

// ---- what make site serves ----

// Served as web/ is: the generated tree in its gen/ folder.
const web = tempDir();
const gen = join(web, 'gen');
let server;
before(async () => {
  vendor(gen);
  server = await serve(realpathSync(web), 0);
});
after(() => new Promise((resolve) => server.close(resolve)));

/** GET `path` (a raw request-target) from the server: {status, type, body}. */
function get(path) {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.address().port, path, method: 'GET' },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode,
            type: response.headers['content-type'],
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test("the index lists every workload and program of tools/real/, and each served file is the package's own", async () => {
  const index = JSON.parse(readFileSync(join(gen, 'real', 'index.json'), 'utf8'));
  // The workloads: the folder's files, each with its program's native command as the README
  // writes it, from the checkout's root.
  const folder = readdirSync(join(root, 'tools', 'real', 'workloads')).sort();
  assert.deepEqual(
    index.workloads.map((w) => `${w.name}.${w.kind}`),
    folder,
  );
  for (const w of index.workloads) {
    const file = `tools/real/workloads/${w.name}.${w.kind}`;
    assert.equal(w.text, `gen/real/workloads/${w.name}.${w.kind}`);
    assert.deepEqual(
      w.native,
      w.kind === 'sql' ? ['sqlite3', ':memory:', `.read ${file}`] : ['lua5.4', file],
    );
  }
  // The programs: the two packages, at the versions package.json pins, their served files
  // beside each other in the package's own folder.
  const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies;
  assert.deepEqual(
    Object.entries(index.programs).map(([kind, p]) => [kind, p.native, p.package, p.version]),
    [
      ['sql', 'sqlite3', 'sql.js', pinned['sql.js']],
      ['lua', 'lua5.4', 'wasmoon', pinned.wasmoon],
    ],
  );
  for (const [kind, program] of Object.entries(index.programs)) {
    const from = join(root, 'node_modules', program.package);
    const main = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')).main;
    assert.equal(program.glue, `gen/vendor/${program.package}/${basename(main)}`, kind);
    assert.equal(dirname(program.wasm), dirname(program.glue), kind);
    const files = [
      [program.glue, join(from, main), 'text/javascript; charset=utf-8'],
      [program.wasm, join(from, dirname(main), basename(program.wasm)), 'application/wasm'],
      [program.glue.replace(/[^/]+$/, 'LICENSE'), join(from, 'LICENSE'), undefined],
    ];
    for (const [served, source, type] of files) {
      const answer = await get(`/${served}`);
      assert.equal(answer.status, 200, served);
      if (type) assert.equal(answer.type, type, served);
      assert.ok(answer.body.equals(readFileSync(source)), `${served} is ${source}`);
    }
  }
  for (const w of index.workloads) {
    const answer = await get(`/${w.text}`);
    assert.equal(answer.status, 200);
    assert.equal(
      answer.body.toString(),
      readFileSync(join(root, w.native.at(-1).replace(/^\.read /, ''))).toString(),
    );
  }
  // Through the vendored folders, nothing outside the served one.
  for (const path of [
    '/gen/vendor/sql.js/../../../../package.json',
    '/gen/vendor/sql.js/%2e%2e/%2e%2e/%2e%2e/%2e%2e/package.json',
  ])
    assert.equal((await get(path)).status, 403, path);
});
