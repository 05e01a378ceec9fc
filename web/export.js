// Exports of the page: the chart as PNG, the run as JSON (the shared results format) and as CSV.
// runCsv() is pure (tested in Node); the rest needs a DOM.

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

/**
 * One image of the chart with `parts` side by side under it (the memory maps), on white.
 * @param {HTMLCanvasElement} chart
 * @param {HTMLCanvasElement[]} parts
 * @param {number} gap device pixels between them
 */
export function stackedImage(chart, parts, gap = 16) {
  if (parts.length === 0) return chart;
  const below = Math.max(...parts.map((part) => part.height));
  const image = document.createElement('canvas');
  image.width = Math.max(
    chart.width,
    parts.reduce((sum, part) => sum + part.width + gap, -gap),
  );
  image.height = chart.height + gap + below;
  const ctx = image.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, image.width, image.height);
  ctx.drawImage(chart, 0, 0);
  let x = 0;
  for (const part of parts) {
    ctx.drawImage(part, x, chart.height + gap);
    x += part.width + gap;
  }
  return image;
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
