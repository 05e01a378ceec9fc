#!/usr/bin/env node
// Capacity planning for a recorded program: replays its allocation trace natively (trim on and
// off) and in WebAssembly (dlmalloc and emmalloc, trim called), each run fresh, and prints one
// table; the four results documents go to a folder the page can import.
//
//   node tools/trace-report.mjs app.trace [more.trace ...] [--set events_per_step=N] [--out DIR]
//
// DIR defaults to build/trace-report; each trace gets DIR/<name>/ with native.json,
// wasm-dlmalloc.json, wasm-emmalloc.json (the results format) and report.json (the row), and
// DIR/<name>.png, a chart of the four runs step by step (Chart.js in headless Chromium, from a
// small page in a temporary folder; web/gen/vendor/chart.umd.min.js must exist: `make site`).
// The estimate and its error are the page's (web/story.js), so both say the same:
//   estimate  = native trim-off run: final RSS − RSS at its baseline (the "WASM-equivalent"
//               measurement of docs/reference-measurement.md; the replay's own map and buffer
//               are in both).
//   measured  = WebAssembly (dlmalloc) run in Node: the module's resident growth, its resident
//               bytes after the run − before it (the kernel's Rss of its linear-memory mapping).
//   error     = (estimate − measured) / measured; negative = the estimate is too small.
//   peak error: the same with the native trim-off peak RSS growth as the estimate.
// Linear memory is shown as it is (it starts at 64 MiB and grows in ~20 % steps, so it is no
// fit for a percentage); it is what a page pays.
// What-if limits (tools/planner/limits.mjs): for each allocator, whether the trace fits under
// 512 MiB, 1, 2 and 4 GiB of linear memory and at which event it stops fitting. 512 MiB is
// replayed (the demo module's ceiling); a trace that ends out of memory there is replayed again
// in the planner module (`make planner-wasm`, 4 GiB: run-wasm --planner), and the other limits
// are computed from the fullest replay's heap curve with the module's growth rule; the table
// says which is which. Then what Emscripten's growth settings make of the dlmalloc peak.
// Its own outputs (report.json, the PNG) are created before anything runs and replaced only when
// complete (tools/output-file.mjs); SIGINT, SIGTERM or SIGHUP stops the producer running, then
// trace-report exits 128+N. Exit codes: 0 done, 1 a producer or a chart failed, 2 bad input.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { cleanLine, quote } from '../web/message.js';
import { residentOfRun, storyFigures } from '../web/story.js';
import { MiB, mib } from '../web/units.js';
import { openOutput, OutputError, strerror } from './output-file.mjs';
import { moduleFacts } from './planner/growth.mjs';
import { growthWhatIf, limitsOf } from './planner/limits.mjs';
import { PLANNER_MODULES } from './run-wasm.mjs';
import { runChild } from './stop.mjs';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const nativeCli = join(root, 'build', 'trimlab');
const runWasm = join(root, 'tools', 'run-wasm.mjs');
const env = { ...process.env, DISABLE_MALLOC_TRIM: '' };
const percent = (value) => (value == null ? '–' : `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`);
const EXIT_FAILED = 1;
const EXIT_BAD_INPUT = 2;
const USAGE =
  'usage: node tools/trace-report.mjs TRACE [TRACE ...] [--set events_per_step=N] ' + '[--out DIR]';

/** Bad input: exit 2. */
export class BadInput extends Error {}
/** A producer refused its input and has said why on stderr: exit 2 without another line. */
class ProducerRefused extends BadInput {}

function parseArgs(args) {
  const options = { traces: [], sets: [], out: join(root, 'build', 'trace-report') };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--set' && i + 1 < args.length) options.sets.push('--set', args[++i]);
    else if (args[i] === '--out' && i + 1 < args.length) options.out = args[++i];
    else if (args[i].startsWith('-'))
      throw new BadInput(
        `unknown option '${quote(args[i])}' ` + '(allowed: --set events_per_step=N, --out DIR)',
      );
    else options.traces.push(args[i]);
  }
  if (options.traces.length === 0) throw new BadInput(USAGE);
  return options;
}

/** Runs a producer into `file`; out of memory (exit 3) still gives a document. */
async function produce(file, command, args) {
  const name = basename(command);
  const { status, signal } = await runChild(command, [...args, '--quiet', '--json', file], {
    env,
    stdio: 'inherit',
  });
  if (signal !== null) throw new Error(`${name} was killed by signal ${signal}`);
  if (status === EXIT_BAD_INPUT) throw new ProducerRefused(`${name} refused its input (exit 2)`);
  if (status !== 0 && status !== 3) throw new Error(`${name} exited ${status}`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

async function runsOf(trace, options, dir) {
  const replay = [trace, ...options.sets];
  const native = await produce(join(dir, 'native.json'), nativeCli, [
    'replay',
    ...replay,
    '--trim',
    'both',
  ]);
  const wasm = {};
  for (const allocator of ['dlmalloc', 'emmalloc'])
    wasm[allocator] = (
      await produce(join(dir, `wasm-${allocator}.json`), process.execPath, [
        runWasm,
        '--replay',
        ...replay,
        '--allocator',
        allocator,
      ])
    ).runs[0];
  // Past the demo module's ceiling: the same replay in the planner module, where it is built.
  const planner = {};
  for (const allocator of ['dlmalloc', 'emmalloc'])
    if (wasm[allocator].outcome === 'oom' && existsSync(glueOf(allocator, PLANNER_MODULES).wasm))
      planner[allocator] = (
        await produce(join(dir, `wasm-${allocator}-planner.json`), process.execPath, [
          runWasm,
          '--replay',
          ...replay,
          '--allocator',
          allocator,
          '--planner',
        ])
      ).runs[0];
  const by = (trim) => native.runs.find((run) => run.trim === trim) ?? null;
  return { on: by('enabled'), off: by('disabled'), ...wasm, planner };
}

/** A module's glue and binary in `folder` (web/gen/ or the planner's). */
function glueOf(allocator, folder) {
  const name = allocator === 'dlmalloc' ? 'trimlab' : `trimlab-${allocator}`;
  return {
    glue: fileURLToPath(new URL(`${name}.js`, folder)),
    wasm: fileURLToPath(new URL(`${name}.wasm`, folder)),
  };
}

/** The growth rule, initial memory, heap layout and ceiling of a built module. */
function factsOf(allocator, folder) {
  const { glue, wasm } = glueOf(allocator, folder);
  return moduleFacts(readFileSync(wasm), readFileSync(glue, 'utf8'));
}

/** The limits of each allocator's replays, and the growth settings' what-if on dlmalloc's. */
function whatIf(runs) {
  const demo = pathToFileURL(join(root, 'web', 'gen', '/'));
  const limits = {};
  let growth = null;
  for (const allocator of ['dlmalloc', 'emmalloc']) {
    const facts = factsOf(allocator, demo);
    const replayed = new Map([[facts.maximumBytes, runs[allocator]]]);
    const planner = runs.planner[allocator];
    if (planner) replayed.set(factsOf(allocator, PLANNER_MODULES).maximumBytes, planner);
    limits[allocator] = limitsOf(replayed);
    if (allocator === 'dlmalloc') {
      const fullest = planner ?? runs.dlmalloc;
      growth = {
        replayed: fullest.outcome === 'completed' ? fullest.samples.at(-1).footprint_bytes : null,
        variants: growthWhatIf(fullest, facts),
      };
    }
  }
  return { limits, growth };
}

function outcomeNote(run) {
  return run.outcome === 'completed'
    ? ''
    : ` (${run.outcome} at event ${run.trace.events_replayed})`;
}

/** One row of the report: every figure in bytes, plus the page's estimate and errors. */
function reportRow(trace, runs) {
  const native = { on: runs.on, off: runs.off, differs: [] };
  const resident = residentOfRun(runs.dlmalloc);
  const figures = storyFigures(runs.dlmalloc, native, resident && { ...resident, source: 'Node' });
  const wasmEnd = (run) => run.samples.at(-1).footprint_bytes;
  return {
    trace,
    program: runs.on.trace.program,
    events: runs.on.trace.events_replayed,
    peak_requested_bytes: runs.on.trace.peak_requested_bytes,
    native_trim_on: {
      peak: runs.on.summary.peak_footprint_bytes,
      end: runs.on.summary.final_footprint_bytes,
    },
    native_trim_off: {
      peak: runs.off.summary.peak_footprint_bytes,
      end: runs.off.summary.final_footprint_bytes,
    },
    wasm_dlmalloc_memory_bytes: wasmEnd(runs.dlmalloc),
    wasm_dlmalloc_outcome: runs.dlmalloc.outcome,
    wasm_emmalloc_memory_bytes: wasmEnd(runs.emmalloc),
    wasm_emmalloc_outcome: runs.emmalloc.outcome,
    wasm_heap_growth_bytes: figures.wasm.heapGrowth,
    wasm_resident_growth_bytes: figures.wasm.resident?.growth ?? null,
    estimate_bytes: figures.off?.finalGrowth ?? null,
    error_percent: figures.prediction?.errorPercent ?? null,
    peak_error_percent: figures.prediction?.peakErrorPercent ?? null,
    notes: { dlmalloc: outcomeNote(runs.dlmalloc), emmalloc: outcomeNote(runs.emmalloc) },
    ...whatIf(runs),
  };
}

const HEADER =
  '| trace | peak in use (requested) | native RSS, trim on: peak / end | native RSS, ' +
  'trim off: peak / end | WebAssembly memory, dlmalloc | WebAssembly memory, emmalloc | ' +
  'WebAssembly heap growth (dlmalloc) | its resident growth (Node) | ' +
  'estimate: native trim-off growth | its error | ' +
  'error of the native peak |';

function formatRow(row) {
  return (
    `| \`${cleanLine(row.program)}\` (${row.events} events) | ${mib(row.peak_requested_bytes)} | ` +
    `${mib(row.native_trim_on.peak)} / ${mib(row.native_trim_on.end)} | ` +
    `${mib(row.native_trim_off.peak)} / ${mib(row.native_trim_off.end)} | ` +
    `${mib(row.wasm_dlmalloc_memory_bytes)}${row.notes.dlmalloc} | ` +
    `${mib(row.wasm_emmalloc_memory_bytes)}${row.notes.emmalloc} | ` +
    `${mib(row.wasm_heap_growth_bytes)} | ` +
    `${row.wasm_resident_growth_bytes == null ? '–' : mib(row.wasm_resident_growth_bytes)} | ` +
    `${row.estimate_bytes == null ? '–' : mib(row.estimate_bytes)} | ` +
    `${percent(row.error_percent)} | ${percent(row.peak_error_percent)} |`
  );
}

const LIMIT_HEADER = (row) =>
  `| trace | allocator | ${row.limits.dlmalloc.map((l) => limitName(l.limit)).join(' | ')} |`;

const limitName = (bytes) =>
  bytes >= 1024 * MiB ? `${bytes / (1024 * MiB)} GiB` : `${bytes / MiB} MiB`;

const thousands = (n) => n.toLocaleString('en-US');

/** One limit's cell: fits (with the memory it ends at) or where it stops, and how it is known. */
function limitCell(figure) {
  if (figure.fits === null) return 'not known (no replay reached it)';
  const what = figure.fits
    ? `fits: ${mib(figure.memory)}`
    : figure.events[0] === figure.events[1]
      ? `fails at event ${thousands(figure.events[0])}`
      : `fails in events ${thousands(figure.events[0])}–${thousands(figure.events[1])}`;
  return `${what} (${figure.source})`;
}

function formatLimits(row) {
  return ['dlmalloc', 'emmalloc'].map(
    (allocator) =>
      `| \`${cleanLine(row.program)}\` | ${allocator} | ` +
      `${row.limits[allocator].map(limitCell).join(' | ')} |`,
  );
}

function formatGrowth(row) {
  const cells = [row.growth.replayed, ...row.growth.variants.map((g) => g.memory)];
  return `| \`${cleanLine(row.program)}\` | ${cells
    .map((memory) => (memory === null ? 'over 4 GiB' : mib(memory)))
    .join(' | ')} |`;
}

const NOTE = `
MiB. RSS and WebAssembly memory are absolute (linear memory starts at 64 MiB and never shrinks);
growth is over each run's baseline sample, which already holds the replay's own address map and
input buffer. Error = (estimate − resident growth) / resident growth, where resident growth is the
module's resident memory after the run minus before it (the kernel's count); negative when the
native "WASM-equivalent" figure is too small; "–" when WebAssembly ran out of memory or its
resident memory grew by less than 1 MiB (the page's rule, web/story.js).`;

// ---- the chart PNG ----

const CHART_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><script src="chart.umd.min.js"></script></head>
<body style="margin:0;background:#fff"><canvas id="chart" width="1200" height="640"></canvas></body></html>
`;

/** The chart's series (MiB by step): the four runs, and the trace's peak as a reference line. */
function chartSeries(runs, row) {
  const points = (run, from) => run.samples.map((s) => ({ x: s.step, y: from(s) / MiB }));
  const footprint = (s) => s.footprint_bytes;
  const steps = Math.max(
    ...[runs.on, runs.off, runs.dlmalloc, runs.emmalloc].map((run) => run.samples.at(-1).step),
  );
  const peak = row.peak_requested_bytes / MiB;
  return [
    { label: 'native RSS, trim on', color: '#e67e00', data: points(runs.on, footprint) },
    {
      label: 'native RSS, trim off',
      color: '#a31a1a',
      dash: [6, 4],
      data: points(runs.off, footprint),
    },
    {
      label: `WebAssembly linear memory, dlmalloc${row.notes.dlmalloc}`,
      color: '#1b4fa0',
      data: points(runs.dlmalloc, footprint),
    },
    {
      label: `WebAssembly linear memory, emmalloc${row.notes.emmalloc}`,
      color: '#3f9be0',
      dash: [3, 3],
      data: points(runs.emmalloc, footprint),
    },
    {
      label: 'peak requested bytes (the trace\u2019s, allocator-independent)',
      color: '#555555',
      dash: [2, 4],
      data: [
        { x: 0, y: peak },
        { x: steps, y: peak },
      ],
    },
  ];
}

/** Draws one chart per row in one page of headless Chromium and commits each to its output. */
async function writeCharts(charts) {
  const { launchBrowser } = await import('./browser.mjs'); // puppeteer only when charts are drawn
  const folder = mkdtempSync(join(tmpdir(), 'trimlab-trace-report-'));
  const browser = await launchBrowser('chromium');
  try {
    copyFileSync(
      join(root, 'web', 'gen', 'vendor', 'chart.umd.min.js'),
      join(folder, 'chart.umd.min.js'),
    );
    writeFileSync(join(folder, 'chart.html'), CHART_PAGE);
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(folder, 'chart.html')).href);
    for (const { png, title, series } of charts) {
      const dataUrl = await page.evaluate(
        ([text, list]) => {
          const canvas = document.getElementById('chart');
          window.current?.destroy();
          window.current = new window.Chart(canvas, {
            type: 'line',
            data: {
              datasets: list.map((s) => ({
                label: s.label,
                data: s.data,
                borderColor: s.color,
                backgroundColor: s.color,
                borderDash: s.dash ?? [],
                borderWidth: 2,
                pointRadius: 0,
                stepped: false,
              })),
            },
            options: {
              animation: false,
              responsive: false,
              devicePixelRatio: 1,
              parsing: false,
              scales: {
                x: { type: 'linear', title: { display: true, text: 'replay step' } },
                y: { beginAtZero: true, title: { display: true, text: 'MiB' } },
              },
              plugins: { title: { display: true, text }, legend: { position: 'bottom' } },
            },
            plugins: [
              {
                id: 'white',
                beforeDraw(chart) {
                  chart.ctx.save();
                  chart.ctx.fillStyle = '#ffffff';
                  chart.ctx.fillRect(0, 0, chart.width, chart.height);
                  chart.ctx.restore();
                },
              },
            ],
          });
          return canvas.toDataURL('image/png');
        },
        [title, series],
      );
      png.commit(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'));
    }
  } finally {
    await browser.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** report.json as text. */
const reportText = (row) => `${JSON.stringify(row, null, 2)}\n`;

/** An output of ours, opened before anything runs: a path that cannot be written is bad input. */
function output(path) {
  try {
    return openOutput(path);
  } catch (error) {
    if (!(error instanceof OutputError)) throw error;
    throw new BadInput(`'${quote(path)}' cannot be written: ${error.message}`);
  }
}

/** Each trace's folder and outputs, all opened before the first producer runs. */
function plan(options, opened) {
  return options.traces.map((trace) => {
    const name = basename(trace).replace(/[^\w.-]/g, '_');
    const dir = join(options.out, name);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new BadInput(`'${quote(dir)}' cannot be made: ${strerror(error)}`);
    }
    const file = join(options.out, `${name}.png`);
    const report = output(join(dir, 'report.json'));
    opened.push(report);
    const png = output(file);
    opened.push(png);
    return { trace, dir, file, report, png };
  });
}

/**
 * The report for `args` (the command line without node and the script): prints the table, writes
 * the documents, report.json and the charts, and returns the rows. Throws a BadInput for bad
 * input, an Error when a producer or the chart fails.
 * @param {string[]} args
 * @returns {Promise<object[]>}
 */
export async function main(args) {
  const options = parseArgs(args);
  const opened = [];
  try {
    return await report(plan(options, opened), options);
  } finally {
    for (const file of opened) file.discard(); // those not committed
  }
}

async function report(targets, options) {
  const rows = [];
  const charts = [];
  for (const { trace, dir, file, report: json, png } of targets) {
    const runs = await runsOf(trace, options, dir);
    const row = reportRow(trace, runs);
    json.commit(reportText(row));
    rows.push(row);
    charts.push({
      dir,
      row,
      file,
      png,
      series: chartSeries(runs, row),
      title: `${row.program} (${row.events} events): memory by replay step, MiB`,
    });
  }
  console.log(HEADER);
  console.log(`|${' --- |'.repeat(HEADER.split(' | ').length)}`);
  for (const row of rows) console.log(formatRow(row));
  console.log(NOTE);
  console.log(`\nWhat-if limits: linear memory at the end where it fits (MiB), else the event at which
the heap no longer fits; replayed in a module with that ceiling, or computed from the fullest
replay's heap curve with the module's growth rule.\n`);
  console.log(LIMIT_HEADER(rows[0]));
  console.log(`|${' --- |'.repeat(LIMIT_HEADER(rows[0]).split(' | ').length)}`);
  for (const row of rows) for (const line of formatLimits(row)) console.log(line);
  const growthHeader = `| trace | replayed (default settings) | ${rows[0].growth.variants
    .map((g) => `${g.name}, computed`)
    .join(' | ')} |`;
  console.log(`\nGrowth settings: linear memory at the end of the dlmalloc replay (MiB; initial memory
64 MiB, ceiling 4 GiB), as replayed and computed from its heap curve for each setting (one growth
a step: exact while 20 % of memory is under the cap, else within one step's 4 MiB).\n`);
  console.log(growthHeader);
  console.log(`|${' --- |'.repeat(growthHeader.split(' | ').length)}`);
  for (const row of rows) console.log(formatGrowth(row));
  console.log(
    `\n${cleanLine(
      `results documents: ${options.out}/<trace>/` + '{native,wasm-dlmalloc,wasm-emmalloc}.json',
    )}`,
  );
  // The table is out first: a chart that cannot be drawn (no Chromium) fails after it.
  await writeCharts(charts);
  for (const { dir, row, file } of charts) {
    row.chart = file;
    output(join(dir, 'report.json')).commit(reportText(row));
    console.log(cleanLine(`chart: ${row.chart}`));
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await main(process.argv.slice(2));
  } catch (error) {
    // One line, never a stack: bad input exits 2, anything else 1.
    if (!(error instanceof ProducerRefused))
      process.stderr.write(`trace-report: ${cleanLine(error?.message ?? error)}\n`);
    process.exitCode = error instanceof BadInput ? EXIT_BAD_INPUT : EXIT_FAILED;
  }
}
