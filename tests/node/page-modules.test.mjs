// The page's pure modules in Node: the summary's arithmetic (web/story.js), matching native runs
// by parameters (web/native-data.js), the CSV export (web/export.js), the phase marks
// (web/chart-view.js), presenter mode's captions and slides (web/captions.js, web/presenter.js), MiB (web/units.js) and
// what the page says about a replay (web/replay-flow.js), the remedies panel's measured figures
// (web/remedy-figures.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  storyFigures,
  verdict,
  verdictNumbers,
  verdictSentence,
  signedPercent,
} from '../../web/story.js';
import { MiB, mib, mibText } from '../../web/units.js';
import { failedRuns, nativeFor, paramDifferences } from '../../web/native-data.js';
import { loadTrimlab } from '../../web/trimlab-api.js';
import { csvField, exportCsv, exportText, nativeShown } from '../../web/export.js';
import { validateExport } from '../../web/results-validate.js';
import { ChartView, SERIES, phaseMarks, pointsOf } from '../../web/chart-view.js';
import { CaptionTracker } from '../../web/captions.js';
import { SlideDeck } from '../../web/presenter.js';
import { linkQuery, readLink } from '../../web/url-state.js';
import { replayFigures, replayNotice } from '../../web/replay-flow.js';
import { PaceMeter } from '../../web/pace.js';
import { discardText, offersDiscard } from '../../web/remedies.js';
import { PANEL_SCENARIO, remedyTable } from '../../web/remedy-figures.js';
import { readFileSync } from 'node:fs';

/** A run from [phase, footprint MiB, sbrk MiB, in use MiB] rows. */
function run(
  rows,
  { params = { cycles: 1 }, outcome = 'completed', trim = 'enabled', scenario = 'cycles' } = {},
) {
  const samples = rows.map(([phase, footprint, sbrk, inUse], step) => ({
    step,
    phase,
    label: `${phase} ${step}`,
    footprint_bytes: footprint * MiB,
    ...(sbrk === null ? {} : { sbrk_bytes: sbrk * MiB }),
    in_use_bytes: inUse * MiB,
    allocator_free_bytes: 0,
  }));
  const footprints = samples.map((s) => s.footprint_bytes);
  const trimIndex = samples.findIndex((s) => s.phase === 'trim');
  return {
    scenario,
    params,
    trim,
    outcome,
    error: outcome === 'oom' ? 'out of memory' : null,
    samples,
    summary: {
      baseline_footprint_bytes: footprints[0],
      peak_footprint_bytes: Math.max(...footprints),
      peak_in_use_bytes: Math.max(...samples.map((s) => s.in_use_bytes)),
      before_trim_bytes: footprints[trimIndex - 1],
      after_trim_bytes: footprints[trimIndex],
      released_by_trim_bytes: footprints[trimIndex - 1] - footprints[trimIndex],
      final_footprint_bytes: footprints.at(-1),
      trim_called: trim === 'enabled',
      trim_returned: trim === 'enabled' ? 0 : null,
    },
  };
}

// WebAssembly: heap end 5 → 15 MiB, 10 MiB in use then freed, linear memory stays at 64.
const wasm = run([
  ['baseline', 64, 5, 0],
  ['allocate', 64, 15, 10],
  ['free', 64, 15, 0],
  ['trim', 64, 15, 0],
  ['final', 64, 15, 0],
]);
// Native: 1 MiB at start, 11.5 MiB at the peak; trim on drops to 1.5, trim off stays at 11.5.
const nativeOn = run([
  ['baseline', 1, null, 0],
  ['allocate', 11.5, null, 10],
  ['free', 11.5, null, 0],
  ['trim', 1.5, null, 0],
  ['final', 1.5, null, 0],
]);
const nativeOff = run(
  [
    ['baseline', 1, null, 0],
    ['allocate', 11.5, null, 10],
    ['free', 11.5, null, 0],
    ['trim', 11.5, null, 0],
    ['final', 11.5, null, 0],
  ],
  { trim: 'disabled' },
);
const doc = { runs: [nativeOn, nativeOff] };
// The module's resident bytes before and after the run (the kernel's count): 0.25 → 10.25 MiB.
const resident = { start: 0.25 * MiB, end: 10.25 * MiB, source: 'live' };

test('the summary figures follow their definitions', () => {
  const figures = storyFigures(wasm, nativeFor(doc, 'cycles', wasm.params), resident);
  assert.equal(figures.on.released, 10 * MiB, 'native released: RSS before trim − after');
  assert.equal(figures.wasm.resident.end, 10.25 * MiB, 'resident after the run');
  assert.equal(figures.wasm.resident.retained, 10.25 * MiB, 'retained: resident − in use (0)');
  assert.equal(figures.wasm.resident.growth, 10 * MiB, 'resident growth: after − before');
  assert.equal(figures.wasm.heapGrowth, 10 * MiB);
  assert.equal(figures.wasm.linearStart, 64 * MiB);
  assert.equal(figures.wasm.linearEnd, 64 * MiB);
  assert.equal(figures.prediction.predicted, 10.5 * MiB, 'trim-off final RSS − its start');
  assert.equal(figures.prediction.measured, 10 * MiB, 'against the resident growth');
  assert.equal(figures.prediction.errorPercent, 5);
  assert.equal(figures.prediction.peakErrorPercent, 5);
  assert.match(verdict(figures), /^A good prediction here/);
  assert.equal(signedPercent(5), '+5.0');
  assert.equal(signedPercent(-99.74), '−99.7');
  assert.equal(signedPercent(-0.01), '0.0');
});

test('an underestimate says how much native gave back before trim', () => {
  // glibc returned the memory at free(): trim-off RSS falls before the trim step.
  const off = run(
    [
      ['baseline', 1, null, 0],
      ['allocate', 11, null, 10],
      ['free', 1.5, null, 0],
      ['trim', 1.5, null, 0],
      ['final', 1.5, null, 0],
    ],
    { trim: 'disabled' },
  );
  const native = nativeFor({ runs: [nativeOn, off] }, 'cycles', wasm.params);
  const figures = storyFigures(wasm, native, resident);
  assert.equal(figures.prediction.errorPercent, -95);
  assert.equal(figures.prediction.peakErrorPercent, 0);
  assert.equal(
    verdict(figures),
    'It underestimates here: even without trim, glibc gave 9.50 MiB ' +
      'back before the trim step (free() unmapped large blocks or trimmed its heap top); ' +
      'WebAssembly memory only grows. The native peak comes closer (0.0 %).',
  );
});

test('no prediction when it would mean nothing', () => {
  const other = nativeFor(doc, 'cycles', { cycles: 2 });
  assert.deepEqual(other.differs, ['cycles']);
  assert.equal(storyFigures(wasm, other, resident).prediction, null, 'other parameters');
  const same = nativeFor(doc, 'cycles', wasm.params);
  assert.equal(storyFigures(wasm, same).prediction, null, 'no resident reading');
  // The heap grew by 10 MiB, but the error is judged against resident memory only.
  const flat = { start: 10 * MiB, end: 10.5 * MiB, source: 'live' };
  assert.equal(storyFigures(wasm, same, flat).prediction, null, 'resident grew under 1 MiB');
  const reused = run([
    ['baseline', 64, 15, 0],
    ['allocate', 64, 15, 10],
    ['free', 64, 15, 0],
    ['trim', 64, 15, 0],
    ['final', 64, 15, 0],
  ]);
  const figures = storyFigures(reused, nativeFor(doc, 'cycles', reused.params), flat);
  assert.equal(figures.wasm.heapGrowth, 0);
  assert.equal(figures.prediction, null, 'no resident growth to predict');
  // A reused instance whose run grew: what it keeps over its fresh start, and still no
  // prediction or verdict (it did not start fresh, as a native program does).
  const grew = { start: 10 * MiB, end: 30 * MiB, source: 'live', fresh: 0.5 * MiB };
  const again = storyFigures(wasm, same, grew, { instanceRun: 2 });
  assert.equal(again.wasm.resident.keptOverFresh, 29.5 * MiB);
  assert.equal(again.prediction, null, 'a reused instance');
  assert.equal(verdictNumbers(again), null);
  assert.notEqual(storyFigures(wasm, same, grew).prediction, null, 'the same run, fresh');
  const oom = { ...wasm, outcome: 'oom' };
  assert.equal(storyFigures(oom, same, resident).prediction, null, 'oom');
  assert.equal(storyFigures(wasm, nativeFor({ runs: [] }, 'cycles', wasm.params)).on, null);
});

test('parameters compare by value: typed text, numbers and bucket model spellings', async () => {
  // The spellings of one bucket model are made one by the engine's canonical form.
  const lab = await loadTrimlab();
  const canonical = (text) => lab.canonicalModel(text);
  assert.equal(canonical('1024K/1M/1m'), '1M/1M/1M');
  assert.equal(canonical('8M//8M'), '8M//8M', 'not a model: left as it is');
  assert.deepEqual(
    paramDifferences(
      { model: '1M/1M/1M', load_percent: 80 },
      { model: '1024K/1M/1M', load_percent: '80' },
      canonical,
    ),
    [],
  );
  assert.deepEqual(
    nativeFor(
      { runs: [{ ...nativeOn, params: { model: '1M' } }] },
      'cycles',
      { model: '1024K' },
      canonical,
    ).differs,
    [],
  );
  assert.deepEqual(
    paramDifferences({ model: '1M/1M/1M' }, { model: '1024K/1M/1M' }),
    ['model'],
    'without the engine, models compare as text',
  );
  assert.deepEqual(
    paramDifferences({ block_mib: 10, cycles: 5 }, { block_mib: '100', cycles: '5' }),
    ['block_mib'],
  );
  assert.deepEqual(paramDifferences({ a: 1 }, { a: 1, b: 2 }), ['b']);
  const found = nativeFor(doc, 'cycles', { cycles: '1' });
  assert.equal(found.on, nativeOn);
  assert.equal(found.off, nativeOff);
  assert.deepEqual(nativeFor(doc, 'highwater', {}), {
    on: null,
    off: null,
    differs: [],
    nativeParams: null,
  });
});

test('a failed native run (its process died, no samples) is never drawn, and is named', () => {
  const failed = {
    ...nativeOff,
    outcome: 'failed',
    error: 'killed by signal 9 (SIGKILL)',
    samples: [],
  };
  const match = nativeFor({ runs: [failed, nativeOn] }, 'cycles', wasm.params);
  assert.equal(match.on, nativeOn);
  assert.equal(match.off, null);
  assert.equal(storyFigures(wasm, match).prediction, null, 'no trim-off run to predict from');
  assert.deepEqual(failedRuns({ runs: [failed, nativeOn] }), [
    'cycles, trim disabled: killed by signal 9 (SIGKILL)',
  ]);
  assert.deepEqual(failedRuns(doc), []);
});

test('the export: one text of documents by role, read back by the import check; its CSV a row per sample of each', () => {
  assert.equal(csvField('a "b", c'), '"a ""b"", c"');
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField(undefined), '');
  const host = { name: 'chromium', version: '1', resident: 'none' };
  const wasmDocument = {
    format: 'trimlab-results',
    version: 2,
    platform: 'wasm',
    allocator: 'dlmalloc',
    page_bytes: 65536,
    trim: 'enabled',
    runs: [{ ...wasm, host, elapsed_ms: 1 }],
  };
  const nativeHost = { name: 'native', version: '6', resident: 'rss_anon' };
  const native = {
    format: 'trimlab-results',
    version: 2,
    platform: 'native',
    allocator: 'glibc',
    page_bytes: 4096,
    trim: 'mixed',
    runs: [nativeOn, nativeOff, { ...nativeOn, scenario: 'simple' }].map((r) => ({
      ...r,
      host: nativeHost,
      elapsed_ms: 1,
    })),
  };
  const shown = nativeShown(native, [native.runs[0]]);
  assert.equal(shown.trim, 'enabled', 'the trim of the runs it keeps');
  assert.equal(nativeShown(native, native.runs.slice(0, 2)).trim, 'mixed');
  const text = exportText({
    run: JSON.stringify(wasmDocument),
    instanceRun: 2,
    native: nativeShown(native, native.runs.slice(0, 2)),
    measured: null,
  });
  const verdict = validateExport(text);
  assert.equal(verdict.ok, true, verdict.message);
  assert.equal(verdict.instanceRun, 2);
  assert.deepEqual(verdict.exported.run, wasmDocument);
  assert.deepEqual(verdict.exported.native.runs, native.runs.slice(0, 2));
  assert.equal(verdict.exported.measured, null);
  // A member that is not its platform's document is refused by name.
  const swapped = validateExport(
    exportText({ run: JSON.stringify(native), instanceRun: 1, native: null, measured: null }),
  );
  assert.equal(swapped.ok, false);
  assert.match(swapped.message, /^run: platform: this file holds native results/);
  assert.match(
    validateExport('{"format": "trimlab-export", "version": 1}').message,
    /instance_run/,
  );

  const lines = exportCsv(verdict.exported).trimEnd().split('\r\n');
  assert.equal(
    lines[0],
    'source,host,allocator,scenario,trim,step,phase,label,footprint_bytes,rss_anon_bytes,' +
      'sbrk_bytes,in_use_bytes,allocator_free_bytes,resident_bytes,host_rss_bytes',
  );
  assert.equal(lines.length, 1 + 3 * wasm.samples.length, 'the run, native trim on and off');
  assert.equal(
    lines[2],
    `run,chromium,dlmalloc,cycles,enabled,1,allocate,allocate 1,${64 * MiB},,${15 * MiB},${10 * MiB},0,,`,
  );
  assert.equal(
    lines[1 + wasm.samples.length + 3].split(',').slice(0, 9).join(','),
    `native,native,glibc,cycles,enabled,3,trim,trim 3,${1.5 * MiB}`,
  );
  assert.ok(lines.at(-1).startsWith('native,native,glibc,cycles,disabled,4,final,'));
});

test('phase marks: every start of a free phase and the trim step', () => {
  const samples = [
    'baseline',
    'allocate',
    'fill',
    'free',
    'allocate',
    'free',
    'free',
    'trim',
    'final',
  ].map((phase, step) => ({ step, phase }));
  assert.deepEqual(phaseMarks(samples), [
    { step: 3, text: 'free' },
    { step: 5, text: 'free' },
    { step: 7, text: 'trim' },
  ]);
  // Continuing from a batch boundary inside a free phase adds no second mark.
  assert.deepEqual(phaseMarks(samples, 6, 'free'), [{ step: 7, text: 'trim' }]);
  assert.deepEqual(
    pointsOf(wasm.samples.slice(0, 2), (s) => s.sbrk_bytes),
    [
      { x: 0, y: 5 },
      { x: 1, y: 15 },
    ],
  );
  assert.deepEqual(
    pointsOf(nativeOn.samples.slice(0, 2), (s) => s.sbrk_bytes),
    [],
    'native has no sbrk',
  );
});

test('presenter captions: one per phase start that has one, allocator-specific at trim', () => {
  const phases = [
    'baseline',
    'allocate',
    'fill',
    'fill',
    'free',
    'allocate',
    'fill',
    'free',
    'allocate',
    'fill',
    'free',
    'trim',
    'final',
  ];
  const captions = (allocator) => {
    const tracker = new CaptionTracker('cycles', allocator);
    return phases.map((phase, step) => tracker.next({ phase, step }));
  };
  const shown = captions('dlmalloc');
  assert.deepEqual(
    shown.map((c) => c !== null),
    [true, true, true, false, true, false, false, true, false, false, false, true, true],
  );
  assert.match(shown[11], /dlmalloc.*returns 0/);
  assert.match(captions('emmalloc')[11], /emmalloc.*returns 1/);
  assert.equal(
    new CaptionTracker('simple', 'dlmalloc').next({ phase: 'baseline' }),
    null,
    'no captions outside presenter mode',
  );
});

test('MiB: one definition, 2^20 bytes, written with two decimals', () => {
  assert.equal(MiB, 2 ** 20);
  assert.equal(mib(3 * 2 ** 19), '1.50');
  assert.equal(mib(240_543_744), '229.40');
  assert.equal(mib(0), '0.00');
  // The tools' lines: the unit, and "?" for a figure not read (never "NaN" or "undefined").
  assert.equal(mibText(52_428_800), '50.00 MiB');
  assert.equal(mibText(undefined), '?');
  assert.equal(mibText(null), '?');
});

test('a replay: the notice names the trace until its native replay is loaded; its own figures', () => {
  const trace = { program: 'python3', event_count: 606379 };
  const none = { on: null, off: null };
  assert.equal(
    replayNotice(trace, none),
    'The native results hold no replay of this trace (python3, 606379 events): only the ' +
      'WebAssembly series can be drawn. Import the results of ' +
      '`trimlab replay TRACE --trim both --json FILE`.',
  );
  const on = { summary: { peak_footprint_bytes: 215 * MiB, final_footprint_bytes: 12 * MiB } };
  assert.equal(replayNotice(trace, { on, off: null }), '');
  const replayRun = {
    trace: { ...trace, events_replayed: 606379, peak_requested_bytes: 199.5 * MiB },
    samples: [{ footprint_bytes: 64 * MiB }, { footprint_bytes: 229.4375 * MiB }],
  };
  assert.deepEqual(replayFigures(replayRun, none), [
    'Trace python3: 606379 of 606379 events replayed; peak requested bytes (live, ' +
      'allocator-independent) 199.50 MiB; WebAssembly linear memory at the end 229.44 MiB.',
    'No native replay of this trace is loaded (import the results of ' +
      '`trimlab replay TRACE --trim both --json FILE`).',
  ]);
  assert.equal(
    replayFigures(replayRun, { on, off: null })[1],
    'Native replay of the same trace, RSS trim on: peak 215.00, end 12.00 MiB.',
  );
});

/** Chart.js's surface ChartView touches, without a canvas: it keeps what it is given. */
class FakeChart {
  constructor(canvas, { data, options }) {
    this.data = data;
    this.options = options;
  }
  update() {}
  isDatasetVisible(index) {
    return !this.data.datasets[index].hidden;
  }
}

test('live readings replace a measured run: both resident series lose the "measured in" label', () => {
  const view = new ChartView(null, FakeChart);
  const sample = { step: 0, resident_bytes: 2 * MiB, host_rss_bytes: 90 * MiB };
  view.showMeasured({ samples: [sample] }, 'measured in Firefox 153');
  const labels = () => {
    const { series } = view.snapshot();
    return [series.wasmResident.label, series.wasmHostRss.label];
  };
  assert.deepEqual(labels(), [
    'WebAssembly resident (measured in Firefox 153)',
    'browser process RSS (measured in Firefox 153)',
  ]);
  view.addResident({ resident_bytes: 3 * MiB, host_rss_bytes: 100 * MiB });
  const { series } = view.snapshot();
  assert.deepEqual(labels(), [
    SERIES.find((s) => s.key === 'wasmResident').label,
    SERIES.find((s) => s.key === 'wasmHostRss').label,
  ]);
  assert.deepEqual(series.wasmHostRss.points, [{ x: 0, y: 100 }]);
});

test('WebAssembly.Memory discard: not in this Node (pinned: an engine that ships it is noticed), and the page words both cases', () => {
  assert.equal(offersDiscard(), false, 'Node now ships WebAssembly.Memory discard');
  assert.equal(offersDiscard({ discard() {} }), true);
  assert.match(discardText('Chromium 156', false), /^Chromium 156 offers no WebAssembly/);
  assert.match(discardText('Firefox 160', true), /^Firefox 160 offers WebAssembly/);
});

test('after a run the chart goes on in seconds: readings and marked events at the time they came', () => {
  const view = new ChartView(null, FakeChart);
  view.startLive();
  const steps = Array.from({ length: 90 }, (_, step) => ({
    step,
    phase: 'fill',
    label: 'l',
    footprint_bytes: 64 * MiB,
    sbrk_bytes: 0,
    in_use_bytes: 0,
  }));
  view.appendLive(steps);
  const held = { resident_bytes: 300 * MiB, host_rss_bytes: 400 * MiB };
  view.addResident(held, 900);
  view.endLive(1000); // 90 steps: 3 x units per second after the run
  for (const at of [1500, 2300, 3000]) view.addResident(held, at);
  view.markEvent('worker terminated', 3000);
  view.addResident({ resident_bytes: 0, host_rss_bytes: null }, 3100);
  view.addResident({ resident_bytes: 0, host_rss_bytes: null }, 9000); // after a pause
  const { series, marks, xMax } = view.snapshot();
  assert.deepEqual(series.wasmResident.points, [
    { x: 89, y: 300 },
    { x: 91, y: 300 },
    { x: 93, y: 300 },
    { x: 95, y: 0 }, // +2 s and +2.1 s fall on the same x: the later reading stands
    { x: 96, y: null }, // polling paused: not joined
    { x: 113, y: 0 },
  ]);
  assert.deepEqual(series.wasmHostRss.points.slice(2, 4), [
    { x: 93, y: 400 },
    { x: 95, y: null },
  ]);
  assert.deepEqual(marks, [{ step: 95, text: 'worker terminated' }]);
  assert.equal(view.secondsAfterRun(89), null);
  assert.equal(view.secondsAfterRun(95), 2);
  assert.equal(xMax, null, 'the axis extends past the run');
});

test("the remedies panel's table: make bench's figures for each remedy in each engine, nothing from a malformed file", () => {
  const document = JSON.parse(readFileSync(new URL('../../docs/benchmarks.json', import.meta.url)));
  const measured = document.lifecycle.engines.filter(
    (e) => e.scenario === PANEL_SCENARIO.scenario && e.params === PANEL_SCENARIO.params,
  );
  const table = remedyTable(document);
  assert.equal(table.engines.length, measured.length);
  assert.ok(table.caption.includes(document.date.slice(0, 10)));
  const row = (name) => table.rows.find((r) => r.remedy === name).cells;
  measured.forEach((e, i) => {
    assert.ok(table.engines[i].includes(e.version));
    const terminated = e.remedies.find((r) => r.state === 'terminated');
    const toMiB = (bytes) => (bytes / 2 ** 20).toFixed(2);
    assert.ok(
      row('Terminate the worker')[i].includes(
        `returned in ${Math.round(terminated.ms)} ms; process ${toMiB(terminated.host_rss_before_bytes)} → ${toMiB(terminated.host_rss_bytes)} MiB`,
      ),
      row('Terminate the worker')[i],
    );
    const sorted = [...e.reused_ms].sort((a, b) => a - b);
    assert.ok(row('Run again on this instance')[i].includes(`${Math.round(sorted[1])} ms`));
    assert.ok(
      row('Cost: a fresh instance')[i].startsWith(`${Math.round(e.instantiate.cold_ms)} ms`),
    );
  });

  // A remedy that did not return the memory says so; a skipped one says why.
  const kept = structuredClone(document);
  const dropped = kept.lifecycle.engines[0].remedies.find((r) => r.state === 'dropped');
  Object.assign(dropped, { returned: false, ms: 60_000, forced: false });
  assert.match(
    remedyTable(kept).rows[1].cells[0],
    /^still resident after 60 s; .*\(the engine left to collect\)$/,
  );

  // The file is served: anything not shaped as measured gives no table.
  for (const bad of [
    null,
    7,
    {},
    { lifecycle: {} },
    { lifecycle: { engines: 'all' } },
    { lifecycle: { engines: [{ ...measured[0], fresh_ms: ['1'] }] } },
    { lifecycle: { engines: [{ ...measured[0], run_end: null }] } },
    { lifecycle: { engines: [{ ...measured[0], params: 'total_mib=1' }] } },
  ])
    assert.equal(remedyTable(bad), null, JSON.stringify(bad)?.slice(0, 80));
});

test('the verdict: native (trim on) holds its final growth, the browser its resident growth; none where it would mislead', () => {
  const figures = storyFigures(wasm, nativeFor(doc, 'cycles', wasm.params), resident);
  // Native trim on: 1.5 − 1 MiB; the browser: 10.25 − 0.25 MiB; (0.5 − 10) / 10.
  assert.deepEqual(verdictNumbers(figures), {
    nativeHeld: 0.5 * MiB,
    browserHeld: 10 * MiB,
    planErrorPercent: -95,
  });
  const sentence = verdictSentence(verdictNumbers(figures), 'live');
  assert.match(
    sentence,
    /holds 0\.50 MiB.*In this browser .* holds 10\.00 MiB.*underestimates the browser by 95\.0 %\.$/,
  );
  assert.match(
    verdictSentence(
      { nativeHeld: 9.5 * MiB, browserHeld: 10 * MiB, planErrorPercent: -5 },
      'measured in Firefox 153',
    ),
    /In the browser \(measured in Firefox 153\).* is close here, off by 5\.0 %\.$/,
  );
  // Nothing grew (a reused instance), other parameters, no resident figure, no trim-on run.
  const none = [
    storyFigures(wasm, nativeFor(doc, 'cycles', wasm.params), { ...resident, end: resident.start }),
    storyFigures(wasm, { ...nativeFor(doc, 'cycles', wasm.params), differs: ['cycles'] }, resident),
    storyFigures(wasm, nativeFor(doc, 'cycles', wasm.params), null),
    storyFigures(wasm, { on: null, off: nativeOff, differs: [] }, resident),
  ];
  for (const f of none) assert.equal(verdictNumbers(f), null);
});

test('presenter slides: a slide stays until the presenter moves past the newest; Back and Next over those shown only change what is shown', async () => {
  const shown = [];
  const deck = new SlideDeck((slide, { index, count }) =>
    shown.push(`${slide.title} ${index + 1}/${count}`),
  );
  const left = [];
  deck.push({ title: 'a', text: '' }, (how) => left.push(`a ${how}`));
  assert.equal(deck.waiting, true);
  deck.back(); // nothing before the first
  const second = deck.wait({ title: 'b', text: '' });
  assert.deepEqual(left, ['a next'], 'a newer slide leaves a frontier nobody waited on');
  deck.back();
  assert.equal(deck.current.title, 'a');
  deck.next(); // back to the newest: only what is shown changes
  assert.equal(deck.waiting, true);
  deck.update({ title: 'b', text: 'with its outcome' });
  assert.equal(deck.current.text, 'with its outcome');
  deck.next(); // past the newest: the presentation goes on
  assert.equal(await second, 'next');
  assert.equal(deck.waiting, false);
  assert.deepEqual(shown, ['a 1/1', 'b 2/2', 'a 1/2', 'b 2/2', 'b 2/2']);
  const third = deck.wait({ title: 'c', text: '' });
  deck.close();
  assert.equal(await third, 'closed');
  assert.equal(await deck.wait({ title: 'd', text: '' }), 'closed', 'nothing waits once closed');
  assert.deepEqual(
    deck.slides().map((s) => s.title),
    ['a', 'b', 'c'],
  );
});

test('a link: its query round-trips the controls; hostile values are quoted and cut, one line each', () => {
  const offered = {
    scenarios: [{ name: 'cycles', params: [{ name: 'cycles' }, { name: 'block_mib' }] }],
    allocators: ['dlmalloc', 'emmalloc'],
    instances: ['fresh', 'reuse'],
    speeds: ['60', 'max'],
  };
  const choices = {
    scenario: 'cycles',
    params: { cycles: '3', block_mib: '4' },
    allocator: 'emmalloc',
    instance: 'reuse',
    speed: 'max',
    data: 'my results.json',
    run: true,
  };
  const query = linkQuery(choices);
  assert.match(query, /&run$/);
  assert.deepEqual(readLink(query, offered), { choices, problems: [], present: false });
  assert.equal(readLink('', offered), null);
  const hostile = readLink(`?allocator=a%0Ab&${'x'.repeat(100)}=1&present`, offered);
  assert.equal(hostile.present, true);
  assert.deepEqual(hostile.problems, [
    "The link's allocator 'a?b' is not one of dlmalloc, emmalloc.",
    `The link's '${'x'.repeat(64)}... (100 bytes)' is not a parameter of the scenario.`,
  ]);
  assert.ok(hostile.problems.every((line) => !line.includes('\n')));
});

test('the pace: said only when the steps drawn over the last seconds fall well under the chosen rate', () => {
  const meter = new PaceMeter();
  // 40 steps/s against 240 chosen, drawn every 100 ms.
  for (let i = 0; i <= 5; i++) meter.add(4 * i, 100 * i, 240);
  assert.equal(meter.notice(), '', 'half a second says nothing yet');
  for (let i = 6; i <= 30; i++) meter.add(4 * i, 100 * i, 240);
  assert.equal(meter.measured(), 40);
  assert.equal(meter.notice(), 'running at 40 steps/s, slower than the chosen 240');
  // The speed changed to 15: measured again from there; 40 steps/s keeps up with it.
  for (let i = 31; i <= 60; i++) meter.add(4 * i, 100 * i, 15);
  assert.equal(meter.notice(), '');
  // A run that keeps up (within 80 %), and one at full speed, say nothing.
  const even = new PaceMeter();
  for (let i = 0; i <= 30; i++) even.add(5 * i, 100 * i, 60);
  assert.equal(even.measured(), 50);
  assert.equal(even.notice(), '');
  const max = new PaceMeter();
  for (let i = 0; i <= 30; i++) max.add(i, 100 * i, Infinity);
  assert.equal(max.notice(), '');
  // Only the last two seconds count: a slow start is forgotten once the run keeps up.
  const late = new PaceMeter();
  for (let i = 0; i <= 30; i++) late.add(i, 100 * i, 60);
  for (let i = 31; i <= 60; i++) late.add(30 + 6 * (i - 30), 100 * i, 60);
  assert.equal(late.notice(), '');
});
