// The live chart: Chart.js (the global `Chart` from gen/vendor/chart.umd.min.js) set up along its
// performance guide, because a run redraws it on every animation frame: data as {x, y} with
// parsing off and normalized (sorted, unique x), no animation, min-max decimation (keeps peaks)
// when points outnumber pixels, no point markers, and update('none').
//
// x is the scenario step, which native and WebAssembly share for the same scenario and
// parameters; y is MiB. Phase changes (free, trim) and an out-of-memory stop are drawn by a small
// plugin of our own.

import { MiB } from './units.js';

/** A fresh module's linear memory (Emscripten's INITIAL_MEMORY here). */
export const INITIAL_LINEAR_BYTES = 64 * MiB;

/** The module's ceiling (Emscripten's MAXIMUM_MEMORY here). */
export const CEILING_BYTES = 512 * MiB;

/** The series, in legend order. `from` picks the value out of a sample. The primary comparison is
 *  resident against resident: the module's resident memory (the kernel's count, live or measured
 *  in a browser) against native RSS. Linear memory is address space the engine reserved: thin. */
export const SERIES = [
  {
    key: 'wasmResident',
    label: 'WebAssembly resident (live, this browser)',
    color: '#1b4fa0',
    width: 3.5,
    from: (s) => s.resident_bytes,
    // The retained memory, resident minus in use, shaded down to the in-use line.
    fillTo: 'wasmInUse',
    fillColor: 'rgba(27, 79, 160, 0.16)',
    // Readings are a few a second, not one a step: each is marked. Drawn over native trim on (the
    // primary line), under the dashed lines, which stay visible where they coincide.
    pointRadius: 2.5,
    order: -0.5,
    // A reading that found nothing leaves a gap: the line does not pretend to know what happened.
    spanGaps: false,
  },
  {
    key: 'wasmHostRss',
    label: 'browser process RSS (whole tab)',
    color: '#7a8aa6',
    width: 1.5,
    dash: [1, 3],
    hidden: true,
    from: (s) => s.host_rss_bytes,
  },
  {
    key: 'wasmInUse',
    label: 'WebAssembly in use',
    color: '#8cc4ec',
    width: 3,
    from: (s) => s.in_use_bytes,
  },
  {
    key: 'wasmHeap',
    label: 'WebAssembly heap end (sbrk)',
    color: '#3f86d8',
    width: 1.5,
    dash: [7, 4],
    from: (s) => s.sbrk_bytes,
  },
  {
    key: 'wasmLinear',
    label: 'reserved address space (linear memory)',
    color: '#6f7f99',
    width: 1,
    dash: [12, 3, 2, 3],
    from: (s) => s.footprint_bytes,
  },
  {
    key: 'nativeTrim',
    label: 'native RSS, trim on',
    color: '#e67e00',
    width: 3.5,
    from: (s) => s.footprint_bytes,
  },
  // Drawn over "trim on" (lower order is drawn later), dashed, so both show where they coincide.
  {
    key: 'nativeNoTrim',
    label: 'native RSS, trim off',
    color: '#a31a1a',
    width: 2,
    dash: [5, 5],
    order: -1,
    from: (s) => s.footprint_bytes,
  },
  // Drawn over "WebAssembly in use", which it mostly matches.
  {
    key: 'nativeInUse',
    label: 'native in use',
    color: '#3c3c3c',
    width: 1.5,
    dash: [2, 3],
    order: -2,
    from: (s) => s.in_use_bytes,
  },
];
const seriesOf = (key) => SERIES.find((s) => s.key === key);
const indexOf = (key) => SERIES.findIndex((s) => s.key === key);
const WASM_KEYS = ['wasmLinear', 'wasmHeap', 'wasmInUse'];
const RESIDENT_KEYS = ['wasmResident', 'wasmHostRss'];
/** Live readings at most this many steps apart are joined by a line; farther apart they stand
 *  as points (60 steps/s polled every 100 ms puts about 6 steps between readings). */
const MAX_JOINED_STEPS = 10;
const MARKED_PHASES = { free: 'free', trim: 'trim' };
/** After a run the x axis goes on in time: 30 s take about as much room as the run's steps. */
const AFTER_RUN_SPAN_S = 30;
/** Readings after a run further apart than this are not joined (polling paused in between). */
const MAX_JOINED_MS = 1000;
/** The colours of the marks: phases, and what was done after a run. */
const MARK_COLORS = { trim: '#6a1b9a', free: '#37474f' };
const EVENT_COLOR = '#00695c';

/** Points {x: step, y: MiB} of one series from samples (skipping samples without the field). */
export function pointsOf(samples, from) {
  const points = [];
  for (const sample of samples) {
    const bytes = from(sample);
    if (typeof bytes === 'number') points.push({ x: sample.step, y: bytes / MiB });
  }
  return points;
}

/** The phase changes worth a vertical line: each start of a free phase, and the trim step. */
export function phaseMarks(samples, from = 0, previous = null) {
  const marks = [];
  let last = previous;
  for (let i = from; i < samples.length; i++) {
    const { phase, step } = samples[i];
    if (phase !== last && MARKED_PHASES[phase]) marks.push({ step, text: MARKED_PHASES[phase] });
    last = phase;
  }
  return marks;
}

// ---- the plugins ----

/** Paints the canvas white first: exported PNGs are then readable on any viewer. */
const whiteBackground = {
  id: 'trimlabBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

const LABEL_FONT = '12px system-ui, sans-serif';
const ROW_HEIGHT = 16;

/** Splits `text` into lines no wider than `width` on the canvas. */
export function wrap(ctx, text, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(candidate).width > width) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** A horizontal guide at `bytes` with its words under it, at the right (the linear memory
 *  series often runs along the line itself); one above the scale is named at the top. */
function drawGuide(ctx, area, y, bytes, text) {
  const py = y.getPixelForValue(bytes / MiB);
  ctx.fillStyle = '#5b6573';
  // Above the scale: named at the top left, under the rows of the phase marks' labels (the lines
  // start near 0 there), on a white box as those labels are.
  if (py < area.top) {
    if (!text.above) return;
    const top = area.top + 2 + MAX_LABEL_ROWS * ROW_HEIGHT;
    const width = ctx.measureText(text.above).width + 6;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(area.left + 2, top, width, ROW_HEIGHT - 2);
    ctx.fillStyle = '#5b6573';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(text.above, area.left + 5, top + 1);
    return;
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  if (py > area.bottom) return;
  ctx.strokeStyle = '#9aa4b2';
  ctx.setLineDash([2, 4]);
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(area.left, py);
  ctx.lineTo(area.right, py);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillText(text.at, area.right - 4, py + 4);
}

function drawGuides(ctx, area, y) {
  drawGuide(ctx, area, y, INITIAL_LINEAR_BYTES, {
    at: '64 MiB: a fresh module\u2019s linear memory',
  });
  drawGuide(ctx, area, y, CEILING_BYTES, {
    at: '512 MiB: the module\u2019s ceiling (MAXIMUM_MEMORY)',
    above: '\u2191 the module\u2019s ceiling, 512 MiB, is above this scale',
  });
}

const MAX_LABEL_ROWS = 2;

/** Vertical lines with short labels. A label that would overlap another goes one row down;
 *  past MAX_LABEL_ROWS its line stays unlabelled (a run of 100 cycles has 100 frees). trim and
 *  out of memory are placed first, so they always keep their labels. */
function drawMarks(ctx, area, x, marks) {
  const placed = [];
  for (const mark of marks) {
    const px = x.getPixelForValue(mark.step);
    if (px < area.left - 1 || px > area.right + 1) continue;
    ctx.strokeStyle = mark.color;
    ctx.lineWidth = mark.oom ? 2 : 1;
    ctx.setLineDash(mark.oom ? [] : [5, 4]);
    ctx.beginPath();
    ctx.moveTo(px, area.top);
    ctx.lineTo(px, area.bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    placed.push({ mark, px, priority: mark.text === 'free' ? 1 : 0 });
  }
  placed.sort((a, b) => a.priority - b.priority || a.px - b.px);
  const rows = Array.from({ length: MAX_LABEL_ROWS }, () => []); // [left, right] taken per row
  for (const { mark, px } of placed) {
    const width = ctx.measureText(mark.text).width + 6;
    const left = Math.min(px + 2, area.right - width);
    const row = rows.findIndex((taken) => taken.every(([l, r]) => left + width < l || left > r));
    if (row === -1) continue;
    rows[row].push([left, left + width]);
    const top = area.top + 2 + row * ROW_HEIGHT;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(left, top, width, ROW_HEIGHT - 2);
    ctx.fillStyle = mark.color;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(mark.text, left + 3, top + 1);
  }
}

/** The out-of-memory message in a box beside its line. */
function drawOom(ctx, area, x, oom) {
  const px = x.getPixelForValue(oom.step);
  const width = Math.min(360, area.right - area.left - 16);
  const lines = wrap(ctx, `Out of memory at step ${oom.step}: ${oom.message}`, width - 12);
  const height = lines.length * ROW_HEIGHT + 8;
  const left = px - area.left > width + 8 ? px - width - 6 : Math.min(px + 6, area.right - width);
  const top = area.top + (area.bottom - area.top) / 2 - height / 2;
  ctx.fillStyle = 'rgba(255, 240, 240, 0.95)';
  ctx.strokeStyle = '#b00020';
  ctx.lineWidth = 1;
  ctx.fillRect(left, top, width, height);
  ctx.strokeRect(left, top, width, height);
  ctx.fillStyle = '#8a0018';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  lines.forEach((line, i) => ctx.fillText(line, left + 6, top + 4 + i * ROW_HEIGHT));
}

function annotationsPlugin(view) {
  return {
    id: 'trimlabAnnotations',
    afterDatasetsDraw(chart) {
      const { ctx, chartArea: area, scales } = chart;
      ctx.save();
      ctx.font = LABEL_FONT;
      drawGuides(ctx, area, scales.y);
      const marks = view.marks.map((m) => ({ ...m, color: MARK_COLORS[m.text] ?? EVENT_COLOR }));
      if (view.oom)
        marks.push({ step: view.oom.step, text: 'out of memory', color: '#b00020', oom: true });
      drawMarks(ctx, area, scales.x, marks);
      if (view.oom) drawOom(ctx, area, scales.x, view.oom);
      ctx.restore();
    },
  };
}

// ---- the view ----

/** Chart.js's fill of a series: down to its `fillTo` series, only where it lies above it. */
function fillOf(series) {
  if (!series.fillTo) return false;
  return { target: indexOf(series.fillTo), above: series.fillColor, below: 'rgba(0, 0, 0, 0)' };
}

function datasetOf(series, data) {
  return {
    label: series.label,
    data,
    borderColor: series.color,
    backgroundColor: series.color,
    borderWidth: series.width,
    borderDash: series.dash ?? [],
    pointRadius: series.pointRadius ?? 0,
    pointHoverRadius: 3,
    pointStyle: 'line',
    fill: fillOf(series),
    hidden: series.hidden ?? false,
    spanGaps: series.spanGaps ?? true,
    order: series.order ?? 0,
  };
}

function tooltipTitle(view, items) {
  const step = items[0]?.parsed.x;
  const after = view.secondsAfterRun(step);
  if (after !== null) return `after the run, +${after.toFixed(1)} s`;
  const info = view.stepInfo.get(step);
  return info ? `step ${step} \u00b7 ${info.phase}: ${info.label}` : `step ${step}`;
}

/** A tick of the x axis: a step, or past the run's end the seconds since (after a run). */
function tickLabel(view, scale, value, index, ticks) {
  const after = view.secondsAfterRun(value);
  if (after !== null) return `+${Math.round(after)} s`;
  return globalThis.Chart.Ticks.formatters.numeric.call(scale, value, index, ticks);
}

function options(view) {
  return {
    parsing: false,
    normalized: true,
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    scales: {
      x: {
        type: 'linear',
        min: 0,
        title: {
          display: true,
          text: 'scenario step (the same steps natively and in WebAssembly); after a run, seconds',
        },
        ticks: {
          precision: 0,
          callback(value, index, ticks) {
            return tickLabel(view, this, value, index, ticks);
          },
        },
      },
      y: {
        type: 'linear',
        beginAtZero: true,
        suggestedMax: 72,
        title: { display: true, text: 'MiB' },
      },
    },
    plugins: {
      decimation: { enabled: true, algorithm: 'min-max' },
      // Legend and tooltip in SERIES order: `order` only changes which line is drawn on top.
      legend: {
        position: 'top',
        labels: {
          usePointStyle: true,
          pointStyleWidth: 24,
          boxHeight: 8,
          padding: 10,
          font: { size: 12 },
          sort: (a, b) => a.datasetIndex - b.datasetIndex,
        },
      },
      tooltip: {
        itemSort: (a, b) => a.datasetIndex - b.datasetIndex,
        callbacks: {
          title: (items) => tooltipTitle(view, items),
          label: (item) => `${item.dataset.label}: ${item.parsed.y.toFixed(2)} MiB`,
        },
      },
    },
  };
}

/**
 * The chart on `canvas`. Series arrays are owned here and only ever appended to or replaced:
 * with decimation on, Chart.js swaps dataset.data for a decimated copy, so the view never
 * reads dataset.data back.
 */
export class ChartView {
  marks = [];
  oom = null;
  stepInfo = new Map();
  updates = 0;
  #points = {};
  #live = false;
  #liveSamples = [];
  #nativeSamples = [];
  #expectedLast = null;
  #measured = false;
  /** performance.now() when the run stopped drawing (null: none, or still drawing) */
  #endedAt = null;
  /** x units per second after the run */
  #afterPerSecond = 1;
  /** the last step on the chart (live or native) when the run ended: after it, seconds */
  #afterFrom = 0;
  /** when the last resident reading was drawn */
  #lastReadingAt = null;
  /** the steps whose reading the summary uses (before the run, at its end): kept there */
  #pinned = new Set();

  constructor(canvas, ChartClass = globalThis.Chart) {
    for (const series of SERIES) this.#points[series.key] = [];
    this.chart = new ChartClass(canvas, {
      type: 'line',
      data: { datasets: SERIES.map((series) => datasetOf(series, this.#points[series.key])) },
      options: options(this),
      plugins: [whiteBackground, annotationsPlugin(this)],
    });
  }

  #setSeries(key, points) {
    this.#points[key] = points;
    this.chart.data.datasets[indexOf(key)].data = points;
  }

  #indexSteps(samples) {
    for (const { step, phase, label } of samples) this.stepInfo.set(step, { phase, label });
  }

  #applyXMax() {
    const liveLast = this.#liveSamples.at(-1)?.step ?? 0;
    const expected = this.#expectedLast;
    // A fixed x range while the run fills it, so the chart does not rescale every frame.
    // After a run, the readings and events that follow it extend the axis.
    this.chart.options.scales.x.max =
      expected !== null && expected >= liveLast && this.#endedAt === null ? expected : undefined;
  }

  /** Native series from the trim-on and trim-off runs (either may be null). `sameSteps`: the
   *  native run has the chosen parameters, so its last step is where the live run will end. */
  showNative(on, off, { sameSteps = false } = {}) {
    const byKey = {
      nativeTrim: [on, seriesOf('nativeTrim')],
      nativeNoTrim: [off, seriesOf('nativeNoTrim')],
      nativeInUse: [on ?? off, seriesOf('nativeInUse')],
    };
    for (const [key, [run, series]] of Object.entries(byKey))
      this.#setSeries(key, run ? pointsOf(run.samples, series.from) : []);
    this.#nativeSamples = (on ?? off)?.samples ?? [];
    this.#expectedLast = sameSteps ? (this.#nativeSamples.at(-1)?.step ?? null) : null;
    if (!this.#live) {
      this.stepInfo.clear();
      this.#indexSteps(this.#nativeSamples);
      this.marks = phaseMarks(this.#nativeSamples);
    }
    this.#applyXMax();
  }

  /** Starts a live run: clears the WebAssembly series (the resident ones unless they show a
   *  measurement, see showMeasured), marks and any oom message. */
  startLive() {
    this.#shade(false);
    for (const key of WASM_KEYS) this.#setSeries(key, []);
    if (!this.#measured) this.#clearResident();
    this.#live = true;
    this.#liveSamples = [];
    this.#endedAt = null;
    this.#lastReadingAt = null;
    this.#pinned.clear();
    this.marks = [];
    this.oom = null;
    this.stepInfo.clear();
    this.#applyXMax();
  }

  /** Adds the samples of one batch of engine steps (call refresh() after). */
  appendLive(samples) {
    const from = this.#liveSamples.length;
    const previous = this.#liveSamples.at(-1)?.phase ?? null;
    for (const sample of samples) this.#liveSamples.push(sample);
    for (const key of WASM_KEYS) {
      const { from: pick } = seriesOf(key);
      const target = this.#points[key];
      for (const sample of samples) target.push({ x: sample.step, y: pick(sample) / MiB });
    }
    this.marks.push(...phaseMarks(this.#liveSamples, from, previous));
    this.#indexSteps(samples);
    if ((this.#liveSamples.at(-1)?.step ?? 0) > (this.#expectedLast ?? Infinity)) this.#applyXMax();
  }

  /** The shading of the retained area (resident − in use) on or off. Off while a run draws: the
   *  fill between two series is recomputed on every update and would halve the live rate. */
  #shade(on) {
    SERIES.forEach((series, i) => {
      if (series.fillTo) this.chart.data.datasets[i].fill = on && fillOf(series);
    });
  }

  /** The run stopped drawing (it ended in any way): the retained area is shaded from now on, and
   *  what is drawn later (readings, marked events) goes on the x axis in seconds after `at`. */
  endLive(at = performance.now()) {
    this.#shade(true);
    this.#endedAt = at;
    // After every step on the chart: the native runs may go further than a stopped run.
    this.#afterFrom = Math.max(
      this.#lastStep,
      this.#nativeSamples.at(-1)?.step ?? 0,
      this.#expectedLast ?? 0,
    );
    this.#afterPerSecond = Math.max(1, Math.round((this.#afterFrom + 1) / AFTER_RUN_SPAN_S));
  }

  get #lastStep() {
    return this.#liveSamples.at(-1)?.step ?? 0;
  }

  /** Where `at` (performance.now()) goes on the x axis: the step the run has reached, or after
   *  it, the seconds since it ended. */
  #xAt(at) {
    if (this.#endedAt === null) return this.#lastStep;
    const x = this.#afterFrom + Math.round(((at - this.#endedAt) / 1000) * this.#afterPerSecond);
    if (x <= this.#afterFrom) return this.#lastStep; // at the run's end
    this.chart.options.scales.x.max = undefined; // room for it
    return x;
  }

  /** Seconds after the run's end at x (null: x is a step, or no run has ended). */
  secondsAfterRun(x) {
    if (this.#endedAt === null || x <= this.#afterFrom) return null;
    return (x - this.#afterFrom) / this.#afterPerSecond;
  }

  /** Marks what was done after the run (e.g. "worker terminated") at the time it was done. */
  markEvent(text, at = performance.now()) {
    this.marks.push({ step: this.#xAt(at), text });
  }

  /** Removes the live run: back to the native series alone. */
  clearLive() {
    this.startLive();
    this.#shade(true);
    this.#live = false;
    this.stepInfo.clear();
    this.#indexSteps(this.#nativeSamples);
    this.marks = phaseMarks(this.#nativeSamples);
  }

  #clearResident() {
    for (const key of RESIDENT_KEYS) this.#setSeries(key, []);
  }

  #setLabel(key, label) {
    this.chart.data.datasets[indexOf(key)].label = label;
  }

  /** A live reading of the module's resident memory and its process's RSS (null: not known),
   *  drawn at the step the run has reached, or after the run at the seconds since it ended (the
   *  reading at its end replaces the last step's value). A `pin`ned reading (the summary's,
   *  before the run and at its end) is not replaced by a later one at the same step, so the
   *  line shows the figures the summary uses. */
  addResident({ resident_bytes, host_rss_bytes }, at = performance.now(), pin = false) {
    if (this.#measured) {
      this.#measured = false;
      this.#clearResident();
      for (const key of RESIDENT_KEYS) this.#setLabel(key, seriesOf(key).label);
    }
    const x = this.#xAt(at);
    if (this.#pinned.has(x) && !pin) return;
    if (pin) this.#pinned.add(x);
    const pausedBefore = this.#lastReadingAt !== null && at - this.#lastReadingAt > MAX_JOINED_MS;
    this.#lastReadingAt = at;
    for (const [key, bytes] of [
      ['wasmResident', resident_bytes],
      ['wasmHostRss', host_rss_bytes],
    ]) {
      const points = this.#points[key];
      if (points.at(-1)?.x === x) points.pop();
      const last = points.at(-1);
      // Readings far apart (a fast run outpaces the polling, or polling paused after a run) are
      // not joined: a straight line between them would draw a change nobody measured.
      const apart = this.#endedAt === null ? x - (last?.x ?? x) > MAX_JOINED_STEPS : pausedBefore;
      if (last && last.y !== null && apart && x - last.x >= 2)
        points.push({ x: last.x + 1, y: null });
      points.push({ x, y: bytes === null ? null : bytes / MiB });
    }
  }

  /** A live reading found nothing: the resident line breaks at the step the run has reached. */
  missResident(at = performance.now()) {
    const x = this.#xAt(at);
    for (const key of RESIDENT_KEYS) {
      const points = this.#points[key];
      const last = points.at(-1);
      if (last && last.y !== null && last.x < x) points.push({ x, y: null });
    }
  }

  /** The resident memory a browser measured for this scenario (a run of browser-results.json),
   *  labelled with where (`source`, e.g. "measured in Chromium 156"); null clears it. */
  showMeasured(run, source) {
    this.#measured = run !== null;
    this.#setSeries(
      'wasmResident',
      run ? pointsOf(run.samples, seriesOf('wasmResident').from) : [],
    );
    this.#setSeries('wasmHostRss', run ? pointsOf(run.samples, seriesOf('wasmHostRss').from) : []);
    this.#setLabel(
      'wasmResident',
      run ? `WebAssembly resident (${source})` : seriesOf('wasmResident').label,
    );
    this.#setLabel(
      'wasmHostRss',
      run ? `browser process RSS (${source})` : seriesOf('wasmHostRss').label,
    );
  }

  /** The live readings drawn at the run's steps (not those after its end, nor a measurement),
   *  by step: what the export gives each sample. */
  residentAtSteps() {
    const readings = new Map();
    if (this.#measured) return readings;
    for (const [key, field] of [
      ['wasmResident', 'resident_bytes'],
      ['wasmHostRss', 'host_rss_bytes'],
    ])
      for (const { x, y } of this.#points[key])
        if (y !== null && x <= this.#lastStep && this.secondsAfterRun(x) === null)
          readings.set(x, { ...readings.get(x), [field]: y * MiB });
    return readings;
  }

  /** Marks an out-of-memory stop at `step` with the engine's message. */
  setOom(step, message) {
    this.oom = { step, message };
  }

  get hasLive() {
    return this.#liveSamples.length > 0;
  }

  refresh() {
    this.chart.update('none');
    this.updates++;
  }

  /** A copy of what is on the chart, for the debug hook and the tests. */
  snapshot() {
    const series = {};
    SERIES.forEach(({ key }, i) => {
      const { label } = this.chart.data.datasets[i];
      const hidden = !this.chart.isDatasetVisible(i);
      series[key] = { label, hidden, points: this.#points[key].map(({ x, y }) => ({ x, y })) };
    });
    return {
      series,
      marks: this.marks.map((m) => ({ ...m })),
      oom: this.oom && { ...this.oom },
      xMax: this.chart.options.scales.x.max ?? null,
      // What Chart.js last drew: the x scale's end, and the points laid out per WebAssembly series.
      xScaleMax: this.chart.scales?.x?.max ?? null,
      drawn: Object.fromEntries(
        WASM_KEYS.map((key) => [key, this.chart.getDatasetMeta?.(indexOf(key)).data.length ?? 0]),
      ),
      updates: this.updates,
    };
  }
}
