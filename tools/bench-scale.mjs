// `make bench`, part 3 of 7: how run time and peak footprint grow with size, natively
// (build/trimlab: peak RSS) and in WebAssembly (tools/bench-wasm-run.mjs, dlmalloc under Node: peak
// linear memory), a fresh process per run on both sides, for `buckets` (bucket model N/N/N) and
// `highwater` (total_mib up to what the 512 MiB ceiling allows: 506 fits, 508 runs out).
// Interleaved native/WebAssembly over PAIRS pairs; medians, and the fastest run (runs that touch
// hundreds of MiB are sometimes several times slower here, so the plot draws the fastest of the
// PAIRS runs, the cost without that interference). Adds "scale" to build/bench.json and
// draws docs/scale.png with the page's own Chart.js in headless Chromium (a small page served
// by tools/serve.mjs from a temporary folder).
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MiB } from '../web/units.js';
import { launchBrowser } from './browser.mjs';
import { median, root, round, runFresh, saveFigures, serveFolder } from './bench-lib.mjs';
import { writeOutput } from './output-file.mjs';

const PAIRS = 5;
export const CEILING_MIB = 512;
const SERIES = [
  {
    scenario: 'buckets',
    key: 'model',
    unit: 'M buckets per depth (model N/N/N)',
    sizes: [1, 2, 4, 8],
    value: (n) => `${n}M/${n}M/${n}M`,
  },
  {
    scenario: 'highwater',
    key: 'total_mib',
    unit: 'MiB allocated (total_mib)',
    sizes: [64, 128, 256, 448, 504],
    value: (n) => String(n),
  },
];

function summarise(runs) {
  return {
    ms_median: round(median(runs.map((r) => r.elapsed_ms))),
    ms_min: round(Math.min(...runs.map((r) => r.elapsed_ms))),
    ms_max: round(Math.max(...runs.map((r) => r.elapsed_ms))),
    peak_footprint_mib: round(Math.max(...runs.map((r) => r.summary.peak_footprint_bytes)) / MiB),
    peak_in_use_mib: round(Math.max(...runs.map((r) => r.summary.peak_in_use_bytes)) / MiB),
    outcomes: [...new Set(runs.map((r) => r.outcome))],
  };
}

async function measure() {
  const scratch = mkdtempSync(join(tmpdir(), 'trimlab-scale-'));
  const out = [];
  try {
    for (const series of SERIES) {
      const rows = [];
      for (const size of series.sizes) {
        const assignment = `${series.key}=${series.value(size)}`;
        const native = [];
        const wasm = [];
        for (let pair = 0; pair < PAIRS; pair++) {
          native.push(runFresh('native', series.scenario, [assignment], join(scratch, 'run.json')));
          wasm.push(runFresh('wasm', series.scenario, [assignment], join(scratch, 'run.json')));
        }
        const row = {
          size,
          param: series.value(size),
          native: summarise(native),
          wasm: summarise(wasm),
          wasm_over_native_median_ratio: round(
            median(wasm.map((w, i) => w.elapsed_ms / native[i].elapsed_ms)),
          ),
        };
        row.wasm.fits_under_ceiling =
          row.wasm.outcomes.every((o) => o === 'completed') &&
          row.wasm.peak_footprint_mib <= CEILING_MIB;
        rows.push(row);
        console.log(
          `${series.scenario} ${row.param}: native ${row.native.ms_median} ms, ` +
            `${row.native.peak_footprint_mib} MiB peak RSS; wasm ${row.wasm.ms_median} ms, ` +
            `${row.wasm.peak_footprint_mib} MiB peak linear memory (${row.wasm.outcomes.join(', ')})`,
        );
      }
      out.push({ scenario: series.scenario, key: series.key, unit: series.unit, rows });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return out;
}

const PLOT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>trimlab scale</title>
<link rel="stylesheet" href="plot.css"></head>
<body><div id="plots">
<h1 id="title"></h1>
<div class="grid"><div class="cell"><canvas id="c0"></canvas></div><div class="cell"><canvas id="c1"></canvas></div>
<div class="cell"><canvas id="c2"></canvas></div><div class="cell"><canvas id="c3"></canvas></div></div>
</div>
<script src="chart.umd.min.js"></script><script type="module" src="plot.js"></script></body></html>
`;

const PLOT_CSS = `body { margin: 0; background: #fff; font-family: system-ui, sans-serif; }
#plots { width: 1200px; padding: 12px 16px; box-sizing: border-box; background: #fff; }
h1 { font-size: 16px; font-weight: 600; margin: 0 0 8px; color: #222; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 12px 20px; }
.cell { position: relative; height: 330px; }
`;

// Runs in the page: four Chart.js line charts from data.json, then sets window.plotted.
const PLOT_JS = `const data = await (await fetch('data.json')).json();
const colors = { native: '#e67e00', wasm: '#1b4fa0', ceiling: '#9aa4b2' };
const charts = [];
data.series.forEach((series, s) => {
  const xs = series.rows.map((r) => r.size);
  const line = (label, color, ys, extra = {}) => ({ label, borderColor: color, backgroundColor: color,
    data: xs.map((x, i) => ({ x, y: ys[i] })), borderWidth: 2.5, pointRadius: 4, ...extra });
  const panels = [
    { title: series.scenario + ': run time (fastest of ' + data.pairs + ' runs)', y: 'ms', sets: [
      line('native (gcc, glibc)', colors.native, series.rows.map((r) => r.native.ms_min)),
      line('WebAssembly (dlmalloc, Node)', colors.wasm, series.rows.map((r) => r.wasm.ms_min))] },
    { title: series.scenario + ': peak footprint', y: 'MiB', sets: [
      line('native peak RSS', colors.native, series.rows.map((r) => r.native.peak_footprint_mib)),
      line('WebAssembly peak linear memory', colors.wasm, series.rows.map((r) => r.wasm.peak_footprint_mib)),
      line(data.ceiling + ' MiB ceiling (MAXIMUM_MEMORY)', colors.ceiling, xs.map(() => data.ceiling),
        { borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5 })] },
  ];
  panels.forEach((panel, p) => {
    charts.push(new Chart(document.getElementById('c' + (2 * s + p)), {
      type: 'line', data: { datasets: panel.sets },
      options: { animation: false, responsive: true, maintainAspectRatio: false, parsing: true,
        plugins: { title: { display: true, text: panel.title, font: { size: 14 } },
          legend: { position: 'bottom', labels: { usePointStyle: true, pointStyle: 'line' } } },
        scales: { x: { type: 'linear', min: 0, title: { display: true, text: series.unit } },
          y: { beginAtZero: true, title: { display: true, text: panel.y } } } },
    }));
  });
});
document.getElementById('title').textContent = data.title;
window.plotted = charts.length;
`;

async function plot(series, date) {
  const folder = mkdtempSync(join(tmpdir(), 'trimlab-plot-'));
  const target = join(root, 'docs', 'scale.png');
  let server;
  let browser;
  try {
    copyFileSync(
      join(root, 'web', 'gen', 'vendor', 'chart.umd.min.js'),
      join(folder, 'chart.umd.min.js'),
    );
    writeFileSync(join(folder, 'index.html'), PLOT_HTML);
    writeFileSync(join(folder, 'plot.css'), PLOT_CSS);
    writeFileSync(join(folder, 'plot.js'), PLOT_JS);
    writeFileSync(
      join(folder, 'data.json'),
      JSON.stringify({
        ceiling: CEILING_MIB,
        pairs: PAIRS,
        series,
        title: `trimlab: time and peak footprint against size, native vs WebAssembly (make bench, ${date})`,
      }),
    );
    server = await serveFolder(folder);
    browser = await launchBrowser('chromium');
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => window.plotted === 4);
    writeOutput(target, await (await page.$('#plots')).screenshot());
    await page.close();
  } finally {
    await browser?.close();
    await server?.close();
    rmSync(folder, { recursive: true, force: true });
  }
  return 'docs/scale.png';
}

const series = await measure();
const png = await plot(series, new Date().toISOString().slice(0, 10));
saveFigures('scale', { pairs: PAIRS, ceiling_mib: CEILING_MIB, series, plot: png });
console.log(`wrote ${png}`);
