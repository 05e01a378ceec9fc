// Exports of the page: the chart as PNG; what it shows as JSON (results documents, by role: the
// page's export) and as CSV. exportText(), exportCsv() and nativeShown() are pure (tested in
// Node); the rest needs a DOM.
import { wrap } from './chart-view.js';
import { EXPORT_FORMAT, EXPORT_VERSION } from './results-validate.js';

/** The PNG has this many pixels for each of the chart's CSS pixels. */
export const PNG_SCALE = 2;
const TITLE_FONT = '600 16px system-ui, sans-serif';
const LINE_FONT = '13px system-ui, sans-serif';
const LINE_HEIGHT = 20;
const MARGIN = 12;

/** The CSV's columns: where each row's run comes from, then a sample's fields (results format). */
const RUN_COLUMNS = ['source', 'host', 'allocator', 'scenario', 'trim'];
const SAMPLE_COLUMNS = [
  'step',
  'phase',
  'label',
  'footprint_bytes',
  'rss_anon_bytes',
  'sbrk_bytes',
  'in_use_bytes',
  'allocator_free_bytes',
  'resident_bytes',
  'host_rss_bytes',
];

/** One CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
export function csvField(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The native document's runs drawn on the chart (trim on, trim off), as a document of its own.
 * @param {object} document a native results document
 * @param {object[]} runs its runs on the chart
 * @returns {object}
 */
export function nativeShown(document, runs) {
  const trims = new Set(runs.map((run) => run.trim));
  return { ...document, trim: trims.size > 1 ? 'mixed' : [...trims][0], runs };
}

/**
 * The page's export (docs/results-format.md, "The page's export"): the run on the chart and, by
 * role, what the chart shows beside it, each a results document.
 * @param {{run: string, instanceRun: number, native: object|null, measured: string|null}} parts
 *   run, measured: documents as the engine's writer wrote them; native: a document object
 * @returns {string}
 */
export function exportText({ run, instanceRun, native, measured }) {
  return (
    `{"format": "${EXPORT_FORMAT}", "version": ${EXPORT_VERSION}, "instance_run": ${instanceRun},\n` +
    `"run": ${run.trimEnd()},\n` +
    `"native": ${native ? JSON.stringify(native) : 'null'},\n` +
    `"measured": ${measured ? measured.trimEnd() : 'null'}}\n`
  );
}

/**
 * The export as CSV: one row per sample of every run in it, each row saying whose (the member:
 * run, native or measured; the host, allocator, scenario and trim). A field a run does not have
 * is empty.
 * @param {{run: object, native: object|null, measured: object|null}} exported documents by role
 * @returns {string}
 */
export function exportCsv(exported) {
  const rows = [[...RUN_COLUMNS, ...SAMPLE_COLUMNS]];
  for (const [source, document] of Object.entries(exported)) {
    for (const run of document?.runs ?? []) {
      const head = [source, run.host?.name ?? '', document.allocator, run.scenario, run.trim];
      for (const sample of run.samples)
        rows.push([...head, ...SAMPLE_COLUMNS.map((c) => sample[c])]);
    }
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
