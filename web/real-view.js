// The "Real programs" view (web/views.js loads it when the view is first chosen): pick SQLite or
// Lua and a workload, run it live in the program's WebAssembly build from npm in a Worker
// (web/real-worker.js), its linear memory sampled after every statement and at every growth,
// its resident memory read live from the demo server (/api/resident, web/resident-live.js), next
// to the native program's results as make real-results measured them. The list of programs and
// workloads is web/gen/real/index.json (tools/real/vendor.mjs). An error shows one message and
// the view keeps what it showed.
import { cleanLine } from './message.js';
import { nativeRunOf, nativeUrl, pointsOf, sampleMs, summaryLine } from './real-figures.js';
import { ResidentLive, browserLabel } from './resident-live.js';
import { MiB, mibText } from './units.js';

/** @typedef {import('./real-figures.js').RealWorkload} RealWorkload */

const INDEX_URL = 'gen/real/index.json';
/** How long the worker samples the idle module after the free phase (the resident readings go
 *  on for resident-live.js's AFTER_RUN_MS). */
const IDLE_MS = 3000;
const IDLE_EVERY_MS = 250;

const $ = (id) => document.getElementById(id);
const ui = {
  form: $('real-form'),
  programs: $('real-programs'),
  workload: $('real-workload'),
  run: $('real-run'),
  status: $('real-status'),
  notice: $('real-notice'),
  error: $('real-error'),
  summary: $('real-summary'),
  canvas: $('real-chart'),
  nativeSource: $('real-native-source'),
  text: $('real-text'),
};

const state = {
  /** @type {any} web/gen/real/index.json */
  index: null,
  /** @type {any} the chosen workload's native run (null when its file was refused) */
  native: null,
  /** @type {string|null} whose native run it is */
  nativeWorkload: null,
  /** @type {Worker|null} */
  worker: null,
  /** the controls are built and the first workload chosen */
  ready: false,
  running: false,
  /** counts the runs started and ended from outside (leaveRealView): a run that finds it moved
   *  on while it loaded starts no worker */
  attempt: 0,
  finished: 0,
  /** @type {{name: string, workload: string, samples: any[], resident: {x: number, y: number|null}[],
   *   start: number, bytes: number, tag: string, at: number}|null} the run drawn */
  live: null,
};

/** @type {any} */
let chart = null;
/** A reading (null: one that found no mapping of the memory's size, while it grew: a gap). */
function addReading(/** @type {number|null} */ bytes) {
  if (!state.live) return;
  const x = (performance.now() - state.live.start) / 1000;
  state.live.resident.push({ x, y: bytes });
  if (!state.running) showSummary();
  draw();
}
const resident = new ResidentLive({
  onSample: ({ resident_bytes }) => addReading(resident_bytes),
  onMissed: () => addReading(null),
  onUnavailable: (reason) => show(ui.notice, cleanLine(`${reason}. Linear memory is still drawn.`)),
});

/** @param {HTMLElement} element @param {string} text shown when not empty */
function show(element, text) {
  element.textContent = text;
  element.hidden = text === '';
}

/** One message, and what became of the view (by default: it keeps what it showed).
 *  @param {string} text @param {string} [outcome] */
const fail = (text, outcome = 'The view keeps what it showed.') =>
  show(ui.error, cleanLine(`${text}. ${outcome}`.trim()));

const chosenKind = () =>
  /** @type {HTMLInputElement|null} */ (ui.programs.querySelector('input:checked'))?.value;
const chosenWorkload = () => state.index.workloads.find((w) => w.name === ui.workload.value);

const DATASETS = [
  { label: 'native RSS (measured)', color: '#e67e00', width: 3, stepped: false },
  { label: 'linear memory (this browser, live)', color: '#6f7f99', width: 2, stepped: 'before' },
  { label: 'resident (this browser, live)', color: '#1b4fa0', width: 3, stepped: false },
];

function makeChart() {
  chart = new /** @type {any} */ (window).Chart(ui.canvas, {
    type: 'line',
    data: {
      datasets: DATASETS.map(({ label, color, width, stepped }) => ({
        label,
        data: [],
        borderColor: color,
        backgroundColor: color,
        borderWidth: width,
        pointRadius: 1.5,
        stepped,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      scales: {
        x: { type: 'linear', min: 0, title: { display: true, text: 'seconds since the start' } },
        y: { min: 0, title: { display: true, text: 'MiB' } },
      },
    },
  });
}

/** The workload the chart is of: the chosen one (the choices are locked while a run goes). */
const chartWorkload = () => ui.workload.value;

/** The series drawn, in bytes (the chart holds MiB): only the chosen workload's, so a native
 *  run or a live one of another workload is never drawn beside it. */
function series() {
  const name = chartWorkload();
  const native = state.native && state.nativeWorkload === name ? state.native : null;
  const live = state.live?.workload === name ? state.live : null;
  return {
    native: native ? pointsOf(native.samples) : [],
    linear: live ? pointsOf(live.samples) : [],
    resident: live?.resident ?? [],
  };
}

let drawPending = false;
/** Redraws at the next frame, once however many samples came in meanwhile. */
function draw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    const { native, linear, resident: readings } = series();
    const programs = state.index?.programs ?? {};
    const kind = chosenKind();
    const live = state.live?.workload === chartWorkload() ? state.live : null;
    [native, linear, readings].forEach((points, i) => {
      chart.data.datasets[i].data = points.map(({ x, y }) => ({
        x,
        y: y === null ? null : y / MiB,
      }));
    });
    chart.data.datasets[0].label = `${programs[kind]?.native ?? ''} native RSS (make real-results)`;
    chart.data.datasets[1].label = `${live?.name ?? 'WebAssembly'} linear memory (live)`;
    chart.update('none');
  });
}

/** Fills the workload list with the chosen program's workloads. */
function fillWorkloads() {
  const kind = chosenKind();
  ui.workload.dataset.kind = kind;
  ui.workload.replaceChildren(
    ...state.index.workloads.filter((w) => w.kind === kind).map((w) => new Option(w.name, w.name)),
  );
  return chooseWorkload();
}

/** The text served at `url`; throws a one-line Error naming what went wrong. */
async function textAt(/** @type {string} */ url, hint = '') {
  const response = await fetch(url, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`HTTP ${response.status}${hint}`);
  return response.text();
}

/** `promise`'s value, or the one-line message it failed with. @template T
 *  @param {Promise<T>} promise @returns {Promise<{ok: true, value: T}|{ok: false, message: string}>} */
const settled = (promise) =>
  promise.then(
    (value) => ({ ok: true, value }),
    (error) => ({ ok: false, message: error.message }),
  );

/** Loads the chosen workload's text and native results; what fails is said, and nothing of
 *  another workload stays shown in its place. */
async function chooseWorkload() {
  const workload = chosenWorkload();
  const url = nativeUrl(workload.name);
  const [text, file] = await Promise.all([
    settled(textAt(workload.text)),
    settled(textAt(url, ' (run make real-results to write it)')),
  ]);
  if (workload !== chosenWorkload()) return; // another was chosen meanwhile: its own call shows it
  show(ui.error, '');
  ui.text.textContent = text.ok ? text.value : '';
  if (!text.ok) fail(`${workload.text} could not be loaded (${text.message})`, '');
  const verdict = file.ok ? nativeRunOf(file.value, workload) : file;
  state.native = verdict.ok ? verdict.run : null;
  state.nativeWorkload = verdict.ok ? workload.name : null;
  ui.nativeSource.textContent = verdict.ok ? nativeSource(workload, url, verdict.run) : '';
  if (!verdict.ok)
    fail(
      `${url} was not loaded: ${verdict.message}`,
      `No native line is drawn for ${workload.name}.`,
    );
  if (state.live?.workload === workload.name && !state.running) showSummary();
  else show(ui.summary, '');
  draw();
}

/** Where the native line comes from, and its figures. */
function nativeSource(/** @type {RealWorkload} */ workload, /** @type {string} */ url, run) {
  const { summary, samples } = run;
  return (
    `Native: ${workload.native.join(' ')}, ${samples.length} samples from ${url}: RSS peak ` +
    `${mibText(summary.peak_footprint_bytes)}, ${mibText(summary.final_footprint_bytes)} at its last reading before exit.`
  );
}

function showSummary() {
  const live = state.live;
  if (!live) return;
  // Only the run of the workload on the chart, beside that workload's native run.
  if (live.workload !== chartWorkload() || state.nativeWorkload !== live.workload) {
    show(ui.summary, '');
    return;
  }
  const reading = live.resident.findLast((r) => r.y !== null)?.y ?? null;
  show(
    ui.summary,
    summaryLine({
      native: state.native,
      browser: {
        name: live.name,
        host: browserLabel(navigator.userAgent),
        samples: live.samples,
        resident: reading,
      },
    }),
  );
}

/** A run locks Run and the choices: the chart stays the running workload's. */
function setRunning(/** @type {boolean} */ running) {
  state.running = running;
  ui.run.disabled = running;
  ui.programs.disabled = running;
  ui.workload.disabled = running;
}

/** Runs the chosen workload in a new Worker; the one before is ended first (its memory goes). */
async function run() {
  const workload = chosenWorkload();
  const program = state.index.programs[workload.kind];
  state.worker?.terminate();
  resident.stop();
  show(ui.error, '');
  setRunning(true);
  const attempt = ++state.attempt;
  ui.status.textContent = `loading ${program.package} ${program.version} …`;
  try {
    const text = await textAt(workload.text);
    if (attempt !== state.attempt) return; // the lab was shown meanwhile (leaveRealView)
    const worker = new Worker('real-worker.js');
    state.worker = worker;
    worker.onerror = (event) => {
      event.preventDefault();
      ended(`The run failed: ${event.message || 'the worker could not run'}`);
    };
    worker.onmessage = ({ data }) => {
      if (worker === state.worker) answer(data, workload);
    };
    const { glue, wasm, version } = program;
    const idle = { idleMs: IDLE_MS, idleEveryMs: IDLE_EVERY_MS };
    worker.postMessage({ glue, wasm, kind: workload.kind, version, text, ...idle });
  } catch (error) {
    ended(`The run did not start: ${error.message}`);
  }
}

/** What the worker says about the run of `workload` (web/real-worker.js lists its messages). */
function answer(/** @type {any} */ data, /** @type {RealWorkload} */ workload) {
  if (data.type === 'loaded') {
    const { name, tag, at, sample } = data;
    // The worker's clock starts at its first sample: the page's runs from that moment too.
    const start = performance.now() - (sampleMs(sample) ?? 0);
    const bytes = sample.footprint_bytes;
    const { kind } = workload;
    state.live = {
      name,
      kind,
      workload: workload.name,
      samples: [sample],
      resident: [],
      start,
      tag,
      at,
      bytes,
    };
    show(ui.summary, '');
    resident.follow({ memoryBytes: () => state.live.bytes, tag, tagAddress: at });
    ui.status.textContent = `running ${workload.name} in ${name} …`;
  } else if (data.type === 'sample') {
    state.live.samples.push(data.sample);
    state.live.bytes = data.sample.footprint_bytes;
  } else if (data.type === 'done') {
    resident.settle();
    state.finished++;
    ended('');
    ui.status.textContent = `${workload.name} ran in ${state.live.name}: linear memory ${mibText(state.live.bytes)}; the worker holds it until the next run or until the lab is shown.`;
  } else if (data.type === 'error') ended(`The run failed: ${data.message}`);
  draw();
}

/** The run is over: Run again, and any failure said. @param {string} failure */
function ended(failure) {
  setRunning(false);
  if (failure) {
    resident.stop();
    state.worker?.terminate();
    state.worker = null;
    ui.status.textContent = '';
    fail(failure);
  } else showSummary();
}

/**
 * The lab is shown again: the worker is ended, its memory with it, so that the lab's resident
 * figures are not the real program's (a run going is ended too; its lines stay drawn).
 */
export function leaveRealView() {
  if (!state.worker && !state.running) return;
  state.attempt++;
  resident.stop();
  state.worker?.terminate();
  state.worker = null;
  setRunning(false);
  ui.status.textContent = 'The worker was ended when the lab was shown: Run to run again.';
}

/** Builds the view's controls from the index, then loads the first workload's native results. */
export async function openRealView() {
  makeChart();
  window.trimlabReal = Object.freeze({
    state: () => ({
      ready: state.ready,
      running: state.running,
      worker: state.worker !== null,
      finished: state.finished,
      error: ui.error.hidden ? null : ui.error.textContent,
      live: state.live && { name: state.live.name, tag: state.live.tag, at: state.live.at },
    }),
    series,
  });
  try {
    const response = await fetch(INDEX_URL, { cache: 'no-cache' });
    if (!response.ok) throw new Error(`HTTP ${response.status} (run make site to write it)`);
    state.index = await response.json();
  } catch (error) {
    ui.status.textContent = '';
    return fail(`${INDEX_URL} could not be loaded (${error.message})`);
  }
  ui.programs.append(
    ...Object.entries(state.index.programs).map(([kind, program], i) => {
      const label = document.createElement('label');
      const input = Object.assign(document.createElement('input'), {
        type: 'radio',
        name: 'real-program',
        value: kind,
        checked: i === 0,
      });
      input.addEventListener('change', fillWorkloads);
      label.append(input, ` ${program.native} / ${program.package} ${program.version}`);
      return label;
    }),
  );
  ui.workload.addEventListener('change', chooseWorkload);
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!state.running) run();
  });
  ui.workload.disabled = false;
  ui.run.disabled = false;
  ui.status.textContent = 'Choose a program and a workload, then Run.';
  await fillWorkloads();
  state.ready = true;
}
