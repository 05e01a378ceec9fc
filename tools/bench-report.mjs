// `make bench`, part 7 of 7: writes docs/benchmarks.json (every figure of build/bench.json, the
// targets with met / not met, the machine and the date) and docs/BENCHMARKS.md (the same figures
// as tables, with what each one means and how it is measured). Measures nothing itself.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';

import { CHROMIUM } from './browser.mjs';
import { median, readFigures, root, round } from './bench-lib.mjs';
import { writeOutput } from './output-file.mjs';
import { engineName, remedyOf } from '../web/remedy-figures.js';

const figures = readFigures();
for (const part of ['probe', 'speed', 'page', 'scale', 'trace', 'memprof', 'lifecycle'])
  if (!figures[part]) throw new Error(`build/bench.json has no "${part}": run make bench`);

// ---- the machine ----

function firstLine(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')[0]
      .trim();
  } catch {
    return 'unknown';
  }
}

function osName() {
  try {
    return readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)"?/m)[1];
  } catch {
    return 'unknown';
  }
}

// The measuring ended when the last part was saved (this script measures nothing).
const now = new Date(figures.finished_at ?? Date.now());
const machine = {
  cpu_model: cpus()[0]?.model?.trim() ?? 'unknown',
  logical_cores: cpus().length,
  memory_gib: Number((totalmem() / 2 ** 30).toFixed(1)),
  os: osName(),
  kernel: `${type()} ${release()}`,
  glibc: firstLine('ldd', ['--version']).replace(/^ldd \((.*)\) (\S+)$/, '$2 ($1)'),
  node: process.version,
  chromium: firstLine(CHROMIUM, ['--version']),
  emcc:
    `emcc ${firstLine('emcc', ['--version']).match(/\d+\.\d+\.\d+/)?.[0] ?? 'unknown'}` +
    ` (Debian package ${firstLine('dpkg-query', ['-W', '-f=${Version}', 'emscripten'])})`,
  gcc: firstLine('gcc', ['--version']),
  load_average_at_start: figures.load_average_at_start ?? null,
  load_average_at_end:
    figures.load_average_at_end ?? loadavg().map((value) => Number(value.toFixed(2))),
};

// ---- targets ----

const LIMITS = {
  ratio: 1.5,
  probe_ns: 2000,
  share_percent: 2,
  tti_ms: 500,
  updates_per_s: 30,
  map_updates_per_s: 30,
  paced_updates_per_s: 50,
  long_frame_ms: 50,
  ceiling_mib: figures.scale.ceiling_mib,
  record_ratio: 2,
  replay_s: 2,
  live_ratio: 3,
};
const { probe, speed, page, scale, trace, memprof, lifecycle } = figures;
const chart10k = page.chart.at(-1);
const re = page.resident_endpoint;
const bucketsMax = scale.series.find((s) => s.scenario === 'buckets').rows.at(-1);
const worstRatio = speed.reduce((a, b) =>
  b.wasm_over_native_median_ratio > a.wasm_over_native_median_ratio ? b : a,
);
const shares = probe.share.flatMap((s) => [s.native_share_percent, s.wasm_share_percent]);
const targets = [
  {
    figure: 'WebAssembly / native run time, worst scenario',
    measured: worstRatio.wasm_over_native_median_ratio,
    unit: `× (${worstRatio.scenario})`,
    target: `≤ ${LIMITS.ratio}`,
    met: speed.every((r) => r.wasm_over_native_median_ratio <= LIMITS.ratio),
  },
  {
    figure: 'one footprint sample natively (statm, descriptor kept open)',
    measured: probe.native.statm_footprint_ns,
    unit: 'ns',
    target: `≤ ${LIMITS.probe_ns.toLocaleString('en-US')} ns`,
    met: probe.native.statm_footprint_ns <= LIMITS.probe_ns,
  },
  {
    figure: 'share of a run spent sampling, worst scenario (native and WebAssembly)',
    measured: Math.max(...shares),
    unit: '%',
    target: `< ${LIMITS.share_percent} %`,
    met: shares.every((s) => s < LIMITS.share_percent),
  },
  {
    figure: 'page: navigation to interactive (median)',
    measured: page.time_to_interactive.median_ms,
    unit: 'ms',
    target: `≤ ${LIMITS.tti_ms} ms`,
    met: page.time_to_interactive.median_ms <= LIMITS.tti_ms,
  },
  {
    figure: `page: chart updates per second during a live run at full speed with ${chart10k.points.toLocaleString('en-US')} points, polling`,
    measured: chart10k.live_updates_per_s,
    unit: '/s',
    target: `≥ ${LIMITS.updates_per_s}/s`,
    met: chart10k.live_updates_per_s >= LIMITS.updates_per_s,
  },
  {
    figure: `page: chart updates per second during a live run at ${chart10k.paced_speed} steps/s with ${chart10k.points.toLocaleString('en-US')} points, polling`,
    measured: chart10k.paced_updates_per_s,
    unit: '/s',
    target: `≥ ${LIMITS.paced_updates_per_s}/s`,
    met: chart10k.paced_updates_per_s >= LIMITS.paced_updates_per_s,
  },
  {
    figure: 'page: frames over 50 ms during highwater runs (default and fastest speed)',
    measured: page.frames.reduce((n, f) => n + f.frames_over_50ms, 0),
    unit: '',
    target: '0',
    met: page.frames.every((f) => f.frames_over_50ms === 0),
  },
  {
    figure: `page: memory map updates per second during a live run, ${page.map[0].pages.toLocaleString('en-US')} pages (512 MiB), slowest browser`,
    measured: Math.min(...page.map.map((m) => m.maps_per_s)),
    unit: '/s',
    target: `≥ ${LIMITS.map_updates_per_s}/s`,
    met: page.map.every((m) => m.maps_per_s >= LIMITS.map_updates_per_s),
  },
  {
    figure: `buckets ${bucketsMax.param} in WebAssembly: peak linear memory`,
    measured: bucketsMax.wasm.peak_footprint_mib,
    unit: 'MiB',
    target: `≤ ${LIMITS.ceiling_mib} MiB, completes`,
    met: bucketsMax.wasm.fits_under_ceiling,
  },
  {
    figure: `recording overhead: ${trace.overhead.program} under \`trimlab record\` / alone (median of pairs)`,
    measured: trace.overhead.recorded_over_alone_median_ratio,
    unit: '×',
    target: `≤ ${LIMITS.record_ratio}`,
    met: trace.overhead.recorded_over_alone_median_ratio <= LIMITS.record_ratio,
  },
  {
    figure: `replay of ${trace.replay.events.toLocaleString('en-US')} events in WebAssembly under Node (lab.runReplay, median)`,
    measured: round(trace.replay.wasm_ms_median / 1000, 3),
    unit: 's',
    target: `≤ ${LIMITS.replay_s} s`,
    met: trace.replay.wasm_ms_median <= LIMITS.replay_s * 1000,
  },
  {
    figure: `replay with ${trace.live.live_blocks.toLocaleString('en-US')} blocks live: WebAssembly / native elapsed_ms, worse allocator (median of rounds)`,
    measured: Math.max(
      trace.live.dlmalloc.over_native_elapsed_median_ratio,
      trace.live.emmalloc.over_native_elapsed_median_ratio,
    ),
    unit: '×',
    target: `≤ ${LIMITS.live_ratio}`,
    met: ['dlmalloc', 'emmalloc'].every(
      (a) => trace.live[a].over_native_elapsed_median_ratio <= LIMITS.live_ratio,
    ),
  },
];

const durationS = Math.round((now - new Date(figures.started_at)) / 1000);
const doc = {
  format: 'trimlab-benchmarks',
  version: 1,
  date: now.toISOString().replace(/\.\d+Z$/, 'Z'),
  command: 'make bench',
  measuring_seconds: durationS,
  machine,
  targets,
  ...Object.fromEntries(
    Object.entries(figures).filter(
      ([key]) =>
        !['started_at', 'finished_at', 'load_average_at_start', 'load_average_at_end'].includes(
          key,
        ),
    ),
  ),
};
writeOutput(join(root, 'docs', 'benchmarks.json'), `${JSON.stringify(doc, null, 2)}\n`);

// ---- Markdown ----

const n = (value, digits = 0) =>
  Number(value).toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
const met = (ok) => (ok ? 'met' : '**not met**');
const table = (head, rows) =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
/** The rows of Node's resident reading (tools/bench-lib.mjs residentReadingCost), in ns. */
const residentRows = (r) =>
  r === undefined
    ? []
    : [
        [
          `Node: one resident reading (\`pagemap\` over the module's mapping + \`statm\`), fresh ` +
            `instance, ${n(r.fresh_resident_mib, 2)} MiB resident of ${n(r.fresh_memory_mib)}`,
          n(r.fresh_reading_us * 1000),
          '–',
        ],
        [
          `the same, ${n(r.highwater_resident_mib, 2)} MiB resident of ` +
            `${n(r.highwater_memory_mib, 2)} (after \`highwater total_mib=300\`)`,
          n(r.highwater_reading_us * 1000),
          '–',
        ],
        [
          'Node, for comparison: a read of all of `/proc/self/smaps`, fresh / after highwater',
          `${n(r.fresh_smaps_us * 1000)} / ${n(r.highwater_smaps_us * 1000)}`,
          '–',
        ],
      ];
const pct = (value) => (value < 0.001 ? '< 0.001 %' : `${n(value, 3)} %`);
const kb = (bytes) => `${n(bytes)} B`;
const w = page.weight;
const WEIGHT_ORDER = [
  'page (HTML, CSS, JS)',
  'module',
  'data',
  'Chart.js',
  'total without Chart.js',
  'total',
];
const weightOrder = (kind) =>
  WEIGHT_ORDER.includes(kind) ? WEIGHT_ORDER.indexOf(kind) : WEIGHT_ORDER.length;
const growth = (rows, pick) => n(pick(rows.at(-1)) / pick(rows[0]), 1);
const spread = Math.max(
  ...scale.series.flatMap((s) =>
    s.rows.flatMap((r) => [r.native.ms_max / r.native.ms_min, r.wasm.ms_max / r.wasm.ms_min]),
  ),
);
const frameRow = (f) => [
  f.speed === 'max' ? 'fastest (`max`)' : `default (${f.speed} steps/s)`,
  n(f.steps),
  n(f.run_ms),
  n(f.frames),
  `${n(f.median_gap_ms, 1)} ms`,
  `${n(f.max_gap_ms, 1)} ms`,
  n(f.frames_over_50ms),
  f.longest_frame_work_ms === undefined ? '–' : `${n(f.longest_frame_work_ms, 1)} ms`,
  met(f.frames_over_50ms === 0),
];

/** The lifecycle section (tools/bench-lifecycle.mjs). */
const mibOf = (bytes) => n(bytes / 2 ** 20, 1);
/** The module's resident MiB and the process's RSS, "resident / RSS". */
const heldCell = (held) => `${mibOf(held.resident_bytes)} / ${mibOf(held.host_rss_bytes)}`;
/** What a remedy did: how fast the memory was returned, and the process's RSS before and after. */
function remedyCell(remedy) {
  if (remedy === undefined) return '–';
  if (remedy.skipped) return `– (${remedy.skipped})`;
  const rss = `RSS ${mibOf(remedy.host_rss_before_bytes)} → ${remedy.host_rss_bytes === null ? 'process gone' : mibOf(remedy.host_rss_bytes)}`;
  if (!remedy.returned)
    return `**still ${mibOf(remedy.resident_bytes)} resident after ${n(remedy.ms / 1000, 0)} s**; ${rss}`;
  const gone = remedy.resident_bytes === null ? 'unmapped' : 'range kept, 0 resident';
  return `${gone} in ${n(remedy.ms)} ms; ${rss}`;
}
const lifecycleRow = (e) => [
  engineName(e),
  `\`${e.scenario} ${e.params}\``,
  heldCell(e.run_end),
  `${heldCell(e.run_again)}${e.memory_bytes[1] === e.memory_bytes[0] ? '' : ' (**memory grew**)'}`,
  remedyCell(remedyOf(e, 'dropped')),
  remedyCell(remedyOf(e, 'terminated')),
  remedyCell(remedyOf(e, 'reloaded')),
];
const costRow = (e) => {
  const fresh = median(e.fresh_ms);
  const reused = median(e.reused_ms);
  return [
    engineName(e),
    `\`${e.scenario} ${e.params}\``,
    n(e.instantiate.cold_ms),
    n(e.instantiate.cached_ms_median),
    n(fresh, 1),
    n(reused, 1),
    `${n(fresh - reused, 1)} (${n(fresh / reused, 1)}×)`,
  ];
};

const md = `# Benchmarks

Measured by \`make bench\` on the machine described below, ${doc.date.slice(0, 10)}
(${doc.date}); the measuring took ${durationS} s. Every figure is from one run of the command on
a shared, noisy machine with ${machine.logical_cores} cores: expect a few per cent of drift between runs, more on
short runs. No test asserts any of them. The same figures, machine-readable:
[benchmarks.json](benchmarks.json).

## Targets

${table(
  ['figure', 'measured', 'target', ''],
  targets.map((t) => [
    t.figure,
    `${typeof t.measured === 'number' && !Number.isInteger(t.measured) ? n(t.measured, 2) : n(t.measured)} ${t.unit}`.trim(),
    t.target,
    met(t.met),
  ]),
)}

## The machine

${table(
  ['', ''],
  [
    ['CPU', `${machine.cpu_model}, ${machine.logical_cores} logical cores`],
    ['memory', `${n(machine.memory_gib, 1)} GiB`],
    ['OS, kernel', `${machine.os}, ${machine.kernel}`],
    ['glibc', machine.glibc],
    ['Node', machine.node],
    ['Chromium', `${machine.chromium} (headless, through puppeteer-core)`],
    ['emcc', machine.emcc],
    ['gcc', machine.gcc],
    [
      'load average (1, 5, 15 min)',
      `${machine.load_average_at_start?.join(', ') ?? '?'} at the start, ` +
        `${machine.load_average_at_end.join(', ')} at the end (other work shares the machine)`,
    ],
  ],
)}

## 1. Native against WebAssembly, per scenario

Each scenario with its default parameters, natively (\`build/trimlab\`, gcc -O2) and in
WebAssembly (\`web/gen/trimlab.wasm\`, dlmalloc, -O3, under Node ${machine.node}), a fresh process
per run on both sides, interleaved native, WebAssembly, native, … over
${figures.pairs} pairs after one untimed pair. The time is each run's own \`elapsed_ms\`: the
engine's calls from the first step to the last, sampling included, process start and module
loading excluded. In WebAssembly (\`tools/bench-wasm-run.mjs\`) an untimed run with the
default parameters first compiles and warms up the code (V8 compiles WebAssembly functions on
first call and optimises hot ones later; without it a short run times the compiler: \`fragmented\`
took about twice as long here); that instance is collected and a fresh one makes the timed run.
The ratio is the median of the ${figures.pairs} per-pair ratios (target: at most ${LIMITS.ratio}).

${table(
  [
    'scenario',
    'steps',
    'native ms (median)',
    'WebAssembly ms (median)',
    'WebAssembly / native',
    'target ≤ 1.5',
  ],
  speed.map((r) => [
    `\`${r.scenario}\``,
    n(r.samples),
    n(r.native_ms_median, 2),
    n(r.wasm_ms_median, 2),
    n(r.wasm_over_native_median_ratio, 2),
    met(r.wasm_over_native_median_ratio <= LIMITS.ratio),
  ]),
)}

The whole command \`build/trimlab --all\` (every scenario, one child process each) takes
${n(figures.all_scenarios_ms_median)} ms (median of ${figures.whole_runs}).

## 2. The cost of sampling

Every engine step takes one sample: the footprint (natively \`VmRSS\` from \`/proc/self/statm\`
read with \`pread\` through a descriptor kept open; in WebAssembly the linear memory size) plus
the allocator's figures (\`mallinfo2\` natively; \`sbrk(0)\` and dlmalloc's \`mallinfo\` in
WebAssembly). Natively \`build/probe-bench\` (\`tests/bench/probe_bench.c\`) times 20,000 calls,
median of 5 rounds. In WebAssembly the export \`tl_wasm_probe_repeat(n, full)\` calls the same
platform probe n times inside the module, timed from JavaScript (200,000 calls, median of 7
rounds, a fresh instance).

${table(
  ['one sample', 'ns', 'target'],
  [
    [
      'native footprint: `statm`, descriptor kept open',
      n(probe.native.statm_footprint_ns),
      `≤ 2,000 ns: ${met(probe.native.statm_footprint_ns <= LIMITS.probe_ns)}`,
    ],
    [
      'native full sample: `statm` + `mallinfo2` (what a step takes)',
      n(probe.native.statm_plus_mallinfo2_ns),
      '–',
    ],
    [
      'native, for comparison: open + read + close of `/proc/self/status`',
      n(probe.native.proc_status_ns),
      '–',
    ],
    ['WebAssembly footprint: linear memory size', n(probe.wasm.footprint_ns, 1), '–'],
    [
      'WebAssembly full sample: + `sbrk(0)` + `mallinfo`, fresh heap',
      n(probe.wasm.full_sample_ns, 1),
      '–',
    ],
    ...residentRows(probe.node_resident),
  ],
)}

In Node the wrapper also reads, at every sample, the kernel's figures (\`web/resident-node.js\`):
the module's resident pages from \`/proc/self/pagemap\` over its mapping alone, and the process
RSS from \`statm\`. Its cost grows with the module's resident pages, which the kernel walks
(median of 7 rounds of 50 readings); reading all of \`/proc/self/smaps\` instead walks every
mapping of the process.

dlmalloc's \`mallinfo\` walks every chunk of the heap, so in WebAssembly a sample costs more the
more chunks a run holds. The share of a run spent sampling is therefore measured at each step's
own heap state: a fresh instance runs the scenario step by step and, after every step, times 5
rounds of 20 full samples (the median round counts); the sum over the steps of the cost of one
sample is the run's sampling time, divided by the median run time
of section 1. Natively it is samples × the full-sample cost above, divided by the native median
run time (glibc's \`mallinfo2\` walks only free lists). Target: under ${LIMITS.share_percent} %.

${table(
  [
    'scenario',
    'samples',
    'native: sampling µs',
    'native: share',
    'WebAssembly: sampling µs',
    'WebAssembly: costliest sample',
    'WebAssembly: share',
    'target < 2 %',
  ],
  probe.share.map((s) => [
    `\`${s.scenario}\``,
    n(s.samples),
    n(s.native_sampling_us, 1),
    pct(s.native_share_percent),
    n(s.wasm_sampling_us, 1),
    `${n(s.wasm_worst_sample_ns)} ns`,
    pct(s.wasm_share_percent),
    met(
      s.native_share_percent < LIMITS.share_percent && s.wasm_share_percent < LIMITS.share_percent,
    ),
  ]),
)}

## 3. The page

\`tools/bench-page.mjs\` serves \`web/\` with \`tools/serve.mjs\` on 127.0.0.1 (gzip for text and
\`.wasm\`) and drives headless Chromium. Navigation to interactive is the page's own
\`performance.mark('trimlab-ready')\` (controls built from the engine's list, native results
loaded), median of 5 fresh loads (the slowest: ${n(page.time_to_interactive.max_ms)} ms).

${table(
  ['figure', 'measured', 'target', ''],
  [
    [
      'navigation to interactive, median of 5',
      `${n(page.time_to_interactive.median_ms)} ms`,
      '≤ 500 ms',
      met(page.time_to_interactive.median_ms <= LIMITS.tti_ms),
    ],
  ],
)}

Chart updates: a \`cycles\` run of 400 MiB cycles fills the chart with about 1,000 or 10,000
points per series at full speed on a fresh instance, the page polling \`/api/resident\` and
drawing the module's resident memory throughout. The engine steps in a Worker; the page's main
thread only draws, once per animation frame (so at most the display's 60/s). "Full speed" counts
the chart updates per second of that run: there the Worker steps without pause on one of the
machine's cores, and the first cycle's steps each wait for the kernel to fault in 4 MiB of fresh
memory. Then 60 full redraws (\`chart.update('none')\`, the page's own call, with the retained
area shaded) are timed back to back: "possible" is 1,000 / that time. "Paced" is the same run
again on the same instance (its memory already resident) at the page's fastest paced speed.

${table(
  [
    'points per series',
    'one chart update',
    'updates/s possible',
    'updates/s live, full speed (≥ 30/s)',
    'updates/s live, paced (≥ 50/s)',
  ],
  page.chart.map((c) => [
    n(c.points),
    `${n(c.update_ms, 2)} ms`,
    n(c.possible_updates_per_s),
    `${n(c.live_updates_per_s)}${c.points > 5000 ? ` ${met(c.live_updates_per_s >= LIMITS.updates_per_s)}` : ''}`,
    `${n(c.paced_updates_per_s)} at ${n(c.paced_speed)} steps/s${c.points > 5000 ? ` ${met(c.paced_updates_per_s >= LIMITS.paced_updates_per_s)}` : ''}`,
  ]),
)}

Frames: during a default \`highwater\` run (200 MiB in 64 KiB chunks, a fresh instance) the page
records the gap between consecutive \`requestAnimationFrame\` callbacks from the Run click to the
end of the run (module instantiation and chart updates included; the engine steps in its Worker).
"Longest drawing frame" is the longest a frame that drew held the main thread, timed by the page
from the frame's callback to the end of its rendering (web/run-loop.js; the bound
\`tests/browser/page-frames.test.mjs\` asserts in both browsers on a \`total_mib=500\` run at full
speed). Target: no frame over 50 ms.

${table(
  [
    'speed',
    'steps',
    'run ms',
    'frames',
    'median gap',
    'longest gap',
    'frames over 50 ms',
    'longest drawing frame',
    'target 0',
  ],
  page.frames.map(frameRow),
)}

Bytes of a fresh load, as files and as transferred (gzip level 9 from the server):

${table(
  ['what', 'files', 'bytes', 'transferred'],
  Object.entries(w)
    .sort(([a], [b]) => weightOrder(a) - weightOrder(b))
    .map(([kind, t]) => [
      kind.startsWith('total') ? `**${kind}**` : kind,
      n(t.files),
      n(t.bytes),
      n(t.transferred_bytes),
    ]),
)}

The memory map (the panel beside the chart, web/map-panel.js): \`highwater total_mib=480\` at
full speed on a fresh instance grows the module to its 512 MiB ceiling (8,192 pages of 64 KiB);
after every batch the chart draws, the panel asks the Worker for the allocator's view of each page
(transferred, answered after the steps asked before it) and draws it combined with the newest
residency from \`/api/resident-map\` (asked at most five times a second). Counted: maps drawn
during the run per second of it, in each browser, beside the chart's updates of the same run
(the map follows the chart, so it cannot be faster). Target ≥ 30/s.

${table(
  [
    'browser',
    'pages',
    'run ms',
    'maps drawn',
    'maps/s (≥ 30/s)',
    'chart updates/s',
    'cached after',
  ],
  page.map.map((m) => [
    m.browser,
    n(m.pages),
    n(m.run_ms),
    n(m.maps_drawn),
    `${n(m.maps_per_s)} ${met(m.maps_per_s >= LIMITS.map_updates_per_s)}`,
    n(m.chart_updates_per_s),
    `${n(m.cached_mib, 2)} MiB`,
  ]),
)}

The live resident reading: the page holds a memory of ${n(re.memory_bytes)} bytes with
${n(re.resident_bytes)} of them written (what \`highwater total_mib=300\` leaves), and the
server's \`/api/resident\` finds its mapping in the renderer (matched by ${re.matched}) and reads
its \`Rss:\`: the first request scans \`/proc\` for it, the next ones (${n(re.readings)},
${n(re.gap_ms)} ms apart) read the cached renderer's smaps up to that mapping, 16 bytes of its memory and its
status. The same reader of \`tools/resident.mjs\` is also timed in process. Reading smaps walks
the mapping's page tables, so the cost grows with the resident size.

${table(
  ['reading', 'median', '90th percentile'],
  [
    ['first request over HTTP (a scan of /proc)', `${n(re.first_http_ms, 2)} ms`, '–'],
    ['next requests over HTTP', `${n(re.http.median_ms, 2)} ms`, `${n(re.http.p90_ms, 2)} ms`],
    [
      'in process, a fresh reader (a scan)',
      `${n(re.in_process_scan.median_ms, 2)} ms`,
      `${n(re.in_process_scan.p90_ms, 2)} ms`,
    ],
    [
      'in process, cached',
      `${n(re.in_process_cached.median_ms, 2)} ms`,
      `${n(re.in_process_cached.p90_ms, 2)} ms`,
    ],
  ],
)}

## 4. Scale

\`tools/bench-scale.mjs\` runs \`buckets\` with the bucket models N/N/N and \`highwater\` with
growing \`total_mib\` up to what WebAssembly's 512 MiB ceiling allows (506 completes, 508 runs out
of memory), natively (peak RSS) and in WebAssembly (dlmalloc under Node: peak linear memory), a
fresh process per run on both sides, warmed up as in section 1 (in one long-lived Node process
that had already run the large \`buckets\` instances, \`highwater\` from 256 MiB up ran about
twice as slow here),
interleaved over ${scale.pairs} pairs; times are medians with the fastest run in brackets, peaks
the largest seen. The runs of one row vary on this shared machine (in this run the slowest run
of a row took up to ${n(spread, 1)}× its fastest; up to 5× in other runs here), so the plot draws
the fastest of the ${scale.pairs} runs.

${scale.series
  .map(
    (s) => `**\`${s.scenario}\`** (${s.unit})

${table(
  [
    'size',
    'native ms',
    'WebAssembly ms',
    'WebAssembly / native (median of pairs)',
    'native peak RSS MiB',
    'WebAssembly peak MiB',
    'WebAssembly / native peak',
    `WebAssembly fits under ${scale.ceiling_mib} MiB`,
  ],
  s.rows.map((r) => [
    `\`${s.key}=${r.param}\``,
    `${n(r.native.ms_median, 1)} (${n(r.native.ms_min, 1)})`,
    `${n(r.wasm.ms_median, 1)} (${n(r.wasm.ms_min, 1)})`,
    n(r.wasm_over_native_median_ratio, 2),
    n(r.native.peak_footprint_mib, 2),
    n(r.wasm.peak_footprint_mib, 2),
    n(r.wasm.peak_footprint_mib / r.native.peak_footprint_mib, 2),
    r.wasm.fits_under_ceiling ? 'yes' : '**no**',
  ]),
)}`,
  )
  .join('\n\n')}

From the smallest to the largest size:

${scale.series
  .map(
    (s) =>
      `- \`${s.scenario}\`, ${n(s.rows.at(-1).size / s.rows[0].size)}× the size: run time (fastest runs) ` +
      `×${growth(s.rows, (r) => r.native.ms_min)} natively and ×${growth(s.rows, (r) => r.wasm.ms_min)} in WebAssembly; ` +
      `peak ×${growth(s.rows, (r) => r.native.peak_footprint_mib)} natively and ` +
      `×${growth(s.rows, (r) => r.wasm.peak_footprint_mib)} in WebAssembly.`,
  )
  .join('\n')}

The peak natively is the resident set the run needs at once (glibc unmaps large blocks at
\`free()\`); in WebAssembly it is linear memory, which grows in Emscripten's steps of about ×1.2
(64 → 76.81 → 92.19 … MiB, capped at 512 MiB) and keeps every freed byte in dlmalloc's cache.
\`buckets\` ${bucketsMax.param} peaks at
${n(bucketsMax.wasm.peak_footprint_mib, 2)} MiB in WebAssembly: ${
  bucketsMax.wasm.fits_under_ceiling
    ? `it fits under ${scale.ceiling_mib} MiB`
    : `it does **not** fit under ${scale.ceiling_mib} MiB`
}.

![Run time and peak footprint against size, native and WebAssembly](scale.png)

The plot is drawn by \`tools/bench-scale.mjs\` with the page's own Chart.js
(\`web/gen/vendor/chart.umd.min.js\`) in headless Chromium.

## 5. Against Emscripten's \`--memoryprofiler\`

The Makefile builds the same engine with the same flags twice into \`build/memprof/\`, from the
same sources at the same moment: with \`--memoryprofiler\`
(\`./build_wasm.sh build/memprof/trimlab-memprof.js --memoryprofiler\`) and without
(\`./build_wasm.sh build/memprof/trimlab.js\`); \`.js\` output, since emcc's \`.html\` output
crashes at -O1 and above. The profiler hooks every
\`malloc\` and \`free\` (it links dlmalloc's tracing build and records a JavaScript stack trace per
allocation) and redraws a heap map every 2 s. \`tools/bench-memprof.mjs\` runs \`${memprof.scenario}\`
with its defaults (${n(memprof.steps)} steps) in Chromium, interleaved over ${memprof.runs} rounds, a
fresh page each time: the profiler build in a small host page (one synchronous loop of
\`tl_wasm_step\` through \`cwrap\`), the build without it in the same host page and loop, and trimlab's own
page (Run at the fastest speed; its \`elapsed_ms\` counts the engine's calls only, as the loops
do). The profiler counted ${n(memprof.profiler_counted.mallocs)} \`malloc\`s and
${n(memprof.profiler_counted.frees)} \`free\`s in its last run.

${table(
  ['run of ' + memprof.scenario, 'ms (median)'],
  [
    ['Emscripten `--memoryprofiler` build, host page', n(memprof.profiler_ms_median, 1)],
    ['the same build without the profiler, same host page', n(memprof.ours_same_host_ms_median, 1)],
    ['trimlab page run, engine time', n(memprof.page_ms_median, 1)],
    [
      'trimlab page run, wall time including drawing every frame',
      n(memprof.page_wall_ms_median, 1),
    ],
  ],
)}

Slow-down: the memory profiler's run takes **${n(memprof.profiler_over_page_median_ratio, 2)}×** the
engine time of trimlab's page run (${n(memprof.profiler_over_ours_same_host_median_ratio, 2)}× the
build without it in the same host page and loop); medians of the per-round ratios.

${table(
  ['file', 'with the profiler', 'gzip', 'without', 'gzip', 'added', 'added gzip'],
  [
    [
      'glue (`.js`)',
      n(memprof.weight.profiler.glue.bytes),
      n(memprof.weight.profiler.glue.gzip_bytes),
      n(memprof.weight.ours.glue.bytes),
      n(memprof.weight.ours.glue.gzip_bytes),
      n(memprof.weight.added_glue_bytes),
      n(memprof.weight.added_glue_gzip_bytes),
    ],
    [
      '`.wasm`',
      n(memprof.weight.profiler.wasm.bytes),
      n(memprof.weight.profiler.wasm.gzip_bytes),
      n(memprof.weight.ours.wasm.bytes),
      n(memprof.weight.ours.wasm.gzip_bytes),
      n(memprof.weight.added_wasm_bytes),
      n(memprof.weight.added_wasm_gzip_bytes),
    ],
  ],
)}

The profiler adds its UI to the glue; trimlab's page instead loads Chart.js
(${kb(w['Chart.js'].transferred_bytes)} transferred) and its own code, and draws the native
comparison, history and trim that the profiler does not have.

## 6. Recording and replaying a program's allocations

Recording overhead: \`tools/bench-trace.mjs\` builds \`tests/record/alloc_churn.c\` (gcc -O2; it
frees one of 1024 live blocks and allocates another, 16 to 4095 bytes, per round) and runs
\`${trace.overhead.program}\` alone and under \`build/trimlab record -o T -- PROGRAM\`, each a fresh
process timed from spawn to exit (process start, the recorder's start and the trace's last
flush to a temporary folder included), interleaved alone, recorded, … over ${trace.overhead.pairs} pairs
after one untimed pair, as \`tests/record/overhead.sh\` does. The ratio is the median of the
per-pair ratios (target: at most ${LIMITS.record_ratio}×); the events are the recorder's own count.

${table(
  [
    'program',
    'events recorded',
    'trace bytes',
    'alone ms (median)',
    'recorded ms (median)',
    'recorded / alone',
    'ns per event recorded',
    'ns added per event',
    `target ≤ ${LIMITS.record_ratio}×`,
  ],
  [
    [
      `\`${trace.overhead.program}\``,
      n(trace.overhead.events),
      n(trace.overhead.trace_bytes),
      n(trace.overhead.alone_ms_median, 1),
      n(trace.overhead.recorded_ms_median, 1),
      n(trace.overhead.recorded_over_alone_median_ratio, 2),
      n(trace.overhead.recorded_ns_per_event, 1),
      n(trace.overhead.added_ns_per_event, 1),
      met(trace.overhead.recorded_over_alone_median_ratio <= LIMITS.record_ratio),
    ],
  ],
)}

"ns per event recorded" is the recorded run's median time over its events; "ns added per event"
is (recorded − alone) over the events.

Replay: \`${trace.replay.program}\`, recorded, gives a trace of ${n(trace.replay.events)} events
(${n(trace.replay.trace_bytes)} bytes; ${n(trace.replay.steps)} steps of at most 1,000 events). In WebAssembly
(dlmalloc, under Node ${machine.node}) the wrapper replays it from its bytes in memory
(\`lab.runReplay(bytes)\`, trim called, fed to the module in chunks), a fresh instance per run
after one untimed warm-up replay on an instance then dropped; the time is taken around
\`runReplay\` (feeding, every step and sample, the trim step and the result; module loading
excluded). Natively \`build/trimlab replay TRACE --quiet --json FILE\` (trim on): the run's own
\`elapsed_ms\` (the engine's calls), and the whole command, which first checks the trace in a
child process and replays in another. Interleaved native, WebAssembly over ${trace.replay.runs} rounds
after one untimed native run; medians (target: the WebAssembly replay in at most ${LIMITS.replay_s} s).

${table(
  [
    'replay of ' + n(trace.replay.events) + ' events',
    'ms (median)',
    'ns per event',
    `target ≤ ${LIMITS.replay_s} s`,
  ],
  [
    [
      'WebAssembly: `lab.runReplay`, fresh instance',
      n(trace.replay.wasm_ms_median, 1),
      n(trace.replay.wasm_ns_per_event, 1),
      met(trace.replay.wasm_ms_median <= LIMITS.replay_s * 1000),
    ],
    ["WebAssembly: the run's `elapsed_ms`", n(trace.replay.wasm_elapsed_ms_median, 1), '–', '–'],
    [
      "native: the run's `elapsed_ms`",
      n(trace.replay.native_elapsed_ms_median, 1),
      n(trace.replay.native_ns_per_event, 1),
      '–',
    ],
    [
      'native: the whole `trimlab replay` command',
      n(trace.replay.native_wall_ms_median, 1),
      '–',
      '–',
    ],
  ],
)}

The slowest WebAssembly replay took ${n(trace.replay.wasm_ms_max, 1)} ms; WebAssembly / native \`elapsed_ms\`:
${n(trace.replay.wasm_over_native_elapsed_median_ratio, 2)} (median of the per-round ratios).

Replay with many blocks live: \`tools/bench-trace.mjs\` generates a trace
(\`tests/replay/trace-encoder.mjs\`) of ${n(trace.live.events)} events with up to
${n(trace.live.live_blocks)} blocks live (blocks of 64 to 1,000 bytes that stay live, two short-lived
ones made and freed after each; ${n(trace.live.trace_bytes)} bytes, ${n(trace.live.steps)} samples) and replays it natively
(\`build/trimlab replay\`, trim on) and in WebAssembly under dlmalloc and emmalloc
(\`lab.runReplay\`, a fresh instance per run), interleaved over ${trace.live.runs} rounds after one
untimed run of each; medians of the runs' \`elapsed_ms\`, and the median of the per-round ratios
to native (target: at most ${LIMITS.live_ratio}×). dlmalloc's \`mallinfo\` visits every chunk, so reading
it at every sample made such a replay quadratic in the blocks live (a recorded trace of 356,000
took 78 s); a dlmalloc replay reads it at its baseline, trim and final samples only and follows
the figure in between ([results-format.md](results-format.md)). The heap walks are the module's
own count.

${table(
  [
    'replay',
    'elapsed_ms (median)',
    '/ native (median of rounds)',
    'heap walks per run',
    `target ≤ ${LIMITS.live_ratio}×`,
  ],
  [
    [
      'native (glibc)',
      n(trace.live.native_elapsed_ms_median, 1),
      '–',
      'every sample (`mallinfo2`)',
      '–',
    ],
    ...['dlmalloc', 'emmalloc'].map((a) => [
      `WebAssembly, ${a}`,
      n(trace.live[a].elapsed_ms_median, 1),
      n(trace.live[a].over_native_elapsed_median_ratio, 2),
      `${n(trace.live[a].heap_walks)}${a === 'emmalloc' ? ' (its free lists)' : ''}`,
      met(trace.live[a].over_native_elapsed_median_ratio <= LIMITS.live_ratio),
    ]),
  ],
)}

## 7. What to do about the kept memory: the remedies, measured

\`tools/bench-lifecycle.mjs\` measures what each remedy for the allocator cache a module keeps
returns, how fast, and what it costs, in Node, Chromium and Firefox ESR, for
${lifecycle.engines
  .filter((e) => e.engine === 'node')
  .map((e) => `\`${e.scenario} ${e.params}\``)
  .join(' and ')} (dlmalloc). In the browsers it drives the page's own instance, hosted in a
dedicated Worker, through \`web/remote-lab.js\` (a freshly launched browser per scenario); in Node
a fresh process (\`tools/bench-lifecycle-node.mjs\`, \`--expose-gc\`) uses the wrapper directly.
The module's resident bytes are the kernel's count of its linear-memory mapping (Node: its own
\`pagemap\`; browsers: the \`Rss:\` of the mapping in the renderer's or content process's
\`smaps\`, found by size and the instance's tag), beside the hosting process's RSS. Each of
${lifecycle.rounds} rounds runs the scenario on a fresh instance, then again on the same instance, and ends
with one remedy: round 1 drops the instance and forces a collection (Node: \`gc()\`; Chromium:
\`HeapProfiler.collectGarbage\` in the page's and in the worker's own DevTools session; Firefox:
every content process asked to collect garbage and cycles, which its workers obey too), round 2
terminates the worker (Node: the same run in a \`worker_threads\` Worker, then terminated), round 3
reloads the page with the instance alive. "Returned" is when the mapping is gone or holds nothing
resident, looked for every 10 ms for at most ${n(lifecycle.bound_ms / 1000)} s; the RSS after is read
once it stops falling (two readings 100 ms apart within 1 MiB). Figures in MiB, the module's
resident / the process's RSS; the first round's instance.

${table(
  [
    'engine',
    'scenario',
    'end of run',
    'after running again on the same instance',
    'instance dropped, collection forced',
    'worker terminated',
    'page reloaded',
  ],
  lifecycle.engines.map(lifecycleRow),
)}

What each costs. An instance: the time to a fresh, ready instance (Node: \`loadTrimlab()\`; browsers:
\`loadRemoteLab()\`, a new Worker that loads the glue and instantiates the module), the first in a
fresh Node process or a freshly launched browser ("cold": the page had compiled the module once for
its list of scenarios, on its main thread) and the median of the next ${lifecycle.cached_loads}
(the engine's and the HTTP caches warm). A run: each run's own \`elapsed_ms\` (the engine's calls),
median of the ${lifecycle.rounds} rounds, on a fresh instance against the same run again on it, where the
allocator's cache is reused: what dropping or terminating loses for the next run.

${table(
  [
    'engine',
    'scenario',
    'fresh instance, cold ms',
    'cached ms (median)',
    'run on a fresh instance ms',
    'run again on the same instance ms',
    'reuse saves ms',
  ],
  lifecycle.engines.map(costRow),
)}

## Module sizes

${table(
  ['file', 'bytes', 'gzip'],
  figures.sizes.map((s) => [`\`${s.file}\``, n(s.bytes), n(s.gzip_bytes)]),
)}

## Reproduce

\`\`\`sh
make bench   # builds what is missing, measures (a few minutes), rewrites this file,
             # docs/benchmarks.json and docs/scale.png
\`\`\`

The steps, each adding to \`build/bench.json\`: \`tools/bench.mjs\` (sections 1, 2 and the module
sizes), \`tools/bench-page.mjs\` (3), \`tools/bench-scale.mjs\` (4), \`tools/bench-trace.mjs\` (6),
\`tools/bench-memprof.mjs\` (5), \`tools/bench-lifecycle.mjs\` (7); \`tools/bench-report.mjs\` writes the
documents.
`;
writeOutput(join(root, 'docs', 'BENCHMARKS.md'), md);
console.log(`\nwrote docs/BENCHMARKS.md and docs/benchmarks.json (measuring took ${durationS} s)`);
for (const t of targets)
  console.log(
    `  ${t.met ? 'met    ' : 'NOT MET'}  ${t.figure}: ${t.measured} ${t.unit} (target ${t.target})`,
  );
