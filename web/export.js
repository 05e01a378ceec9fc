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

/** The canvas as a PNG blob. */
export function canvasPng(canvas) {
  return new Promise((resolve, reject) => {
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('the chart could not be encoded as PNG'))),
      'image/png',
    );
  });
}
