// Exports of the page: the chart as PNG, the run as JSON (the shared results format) and as CSV.
// runCsv() is pure (tested in Node); the rest needs a DOM.
import { wrap } from './chart-view.js';

/** The PNG has this many pixels for each of the chart's CSS pixels. */
export const PNG_SCALE = 2;
const TITLE_FONT = '600 16px system-ui, sans-serif';
const LINE_FONT = '13px system-ui, sans-serif';
const LINE_HEIGHT = 20;
const MARGIN = 12;

const WASM_COLUMNS = ['footprint_bytes', 'sbrk_bytes', 'in_use_bytes', 'allocator_free_bytes'];

/** One CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
export function csvField(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The run as CSV, one row per step. The native RSS columns (trim on, trim off) are added only
 * when `native` holds runs with the same parameters, so every row compares like with like.
 * @param {object} run a WebAssembly run (results format)
 * @param {{on: object|null, off: object|null}|null} native
 */
export function runCsv(run, native = null) {
  const nativeRuns = [
    ['native_rss_trim_on_bytes', native?.on],
    ['native_rss_trim_off_bytes', native?.off],
  ].filter(([, nativeRun]) => nativeRun);
  const header = [
    'step',
    'phase',
    'label',
    ...WASM_COLUMNS.map((c) => `wasm_${c}`),
    ...nativeRuns.map(([name]) => name),
  ];
  const rows = [header];
  for (const sample of run.samples) {
    rows.push([
      sample.step,
      sample.phase,
      sample.label,
      ...WASM_COLUMNS.map((c) => sample[c]),
      ...nativeRuns.map(([, nativeRun]) => nativeRun.samples[sample.step]?.footprint_bytes),
    ]);
  }
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** A file name such as trimlab-highwater-dlmalloc-2026-11-29T11-25-19Z.png. */
export function exportName(scenario, allocator, extension, date = new Date()) {
  const stamp = date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
  return `trimlab-${scenario}-${allocator}-${stamp}.${extension}`;
}

/** Offers `blob` as a download named `name`. */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken its own reference by now; a minute is generous.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The canvas as a PNG blob. */
export function canvasPng(canvas) {
  return new Promise((resolve, reject) => {
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('the chart could not be encoded as PNG'))),
      'image/png',
    );
  });
}

/**
 * The chart as an image worth sending: drawn again at PNG_SCALE times its pixels, under a title
 * and a few lines (what is on the chart, the verdict's numbers), each wrapped to the width, and
 * over `below` (canvases sized in CSS pixels, side by side: the memory maps).
 * @param {any} chart the Chart.js chart (ChartView's `chart`)
 * @param {{title: string, lines: string[], below?: HTMLCanvasElement[]}} parts
 * @returns {Promise<Blob>}
 */
export async function chartImage(chart, { title, lines, below = [] }) {
  const { canvas } = chart;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  const image = document.createElement('canvas');
  const ctx = image.getContext('2d');
  ctx.font = TITLE_FONT;
  const titleLines = wrap(ctx, title, width - 2 * MARGIN);
  ctx.font = LINE_FONT;
  const textLines = lines.flatMap((line) => wrap(ctx, line, width - 2 * MARGIN));
  const top = MARGIN + (titleLines.length + textLines.length) * LINE_HEIGHT + MARGIN;
  const under = below.length ? MARGIN + Math.max(...below.map((part) => part.height)) : 0;
  image.width = width * PNG_SCALE;
  image.height = (top + height + under) * PNG_SCALE;
  ctx.scale(PNG_SCALE, PNG_SCALE);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, top + height + under);
  let x = 0;
  for (const part of below) {
    ctx.drawImage(part, x, top + height + MARGIN);
    x += part.width + MARGIN;
  }
  ctx.fillStyle = '#1d2430';
  ctx.textBaseline = 'top';
  ctx.font = TITLE_FONT;
  titleLines.forEach((line, i) => ctx.fillText(line, MARGIN, MARGIN + i * LINE_HEIGHT));
  ctx.font = LINE_FONT;
  textLines.forEach((line, i) =>
    ctx.fillText(line, MARGIN, MARGIN + (titleLines.length + i) * LINE_HEIGHT),
  );
  // The chart itself drawn again at the image's scale, not a blurred copy of the screen's.
  const shown = chart.options.devicePixelRatio;
  chart.options.devicePixelRatio = PNG_SCALE;
  chart.resize();
  try {
    ctx.drawImage(canvas, 0, top, width, height);
  } finally {
    chart.options.devicePixelRatio = shown;
    chart.resize();
  }
  return canvasPng(image);
}
