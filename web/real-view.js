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
  /** @type {any} the native run drawn (the chosen workload's, unless its file was refused) */
  native: null,
  /** @type {string|null} whose native run it is */
  nativeWorkload: null,
  /** @type {Worker|null} */
  worker: null,
  /** the controls are built and the first workload chosen */
  ready: false,
  running: false,
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

/** One message; what the view showed stays. @param {string} text */
const fail = (text) => show(ui.error, cleanLine(`${text}. The view keeps what it showed.`));

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

/** The series drawn, in bytes (the chart holds MiB). */
function series() {
  const native = state.native ? pointsOf(state.native.samples) : [];
  const linear = state.live ? pointsOf(state.live.samples) : [];
  return { native, linear, resident: state.live?.resident ?? [] };
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
    const kind = state.live?.kind ?? chosenKind();
    [native, linear, readings].forEach((points, i) => {
      chart.data.datasets[i].data = points.map(({ x, y }) => ({
        x,
        y: y === null ? null : y / MiB,
      }));
    });
    const nativeName = state.native?.program.name ?? programs[kind]?.native ?? '';
    chart.data.datasets[0].label = `${nativeName} native RSS (make real-results)`;
    chart.data.datasets[1].label = `${state.live?.name ?? 'WebAssembly'} linear memory (live)`;
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

/** Loads the chosen workload's text and native results; a failure is said, the chart kept. */
async function chooseWorkload() {
  const workload = chosenWorkload();
  show(ui.error, '');
  try {
    ui.text.textContent = await textAt(workload.text);
  } catch (error) {
    fail(`${workload.text} could not be loaded (${error.message})`);
  }
  const url = nativeUrl(workload.name);
  let verdict;
  try {
    verdict = nativeRunOf(await textAt(url, ' (run make real-results to write it)'), workload);
  } catch (error) {
    verdict = { ok: false, message: error.message };
  }
  if (workload !== chosenWorkload()) return; // another was chosen meanwhile
  if (!verdict.ok) return fail(`${url} was not loaded: ${verdict.message}`);
  state.native = verdict.run;
  state.nativeWorkload = workload.name;
  const { summary, samples } = verdict.run;
  ui.nativeSource.textContent =
    `Native: ${workload.native.join(' ')}, ${samples.length} samples from ${url}: RSS peak ` +
    `${mibText(summary.peak_footprint_bytes)}, ${mibText(summary.final_footprint_bytes)} at its last reading before exit.`;
  if (state.live?.workload !== workload.name) show(ui.summary, '');
  draw();
}

function showSummary() {
  const live = state.live;
  if (!live) return;
  // Only the same workload's native run is compared with the run drawn.
  if (state.nativeWorkload !== live.workload) {
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

/** Runs the chosen workload in a new Worker; the one before is ended first (its memory goes). */
async function run() {
  const workload = chosenWorkload();
  const program = state.index.programs[workload.kind];
  state.worker?.terminate();
  resident.stop();
  show(ui.error, '');
  state.running = true;
  ui.run.disabled = true;
  ui.status.textContent = `loading ${program.package} ${program.version} …`;
  try {
    const text = await textAt(workload.text);
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
    ui.status.textContent = `${workload.name} ran in ${state.live.name}: linear memory ${mibText(state.live.bytes)}; the worker holds it until the next run.`;
  } else if (data.type === 'error') ended(`The run failed: ${data.message}`);
  draw();
}

/** The run is over: Run again, and any failure said. @param {string} failure */
function ended(failure) {
  state.running = false;
  ui.run.disabled = false;
  if (failure) {
    resident.stop();
    state.worker?.terminate();
    state.worker = null;
    ui.status.textContent = '';
    fail(failure);
  } else showSummary();
}

/** Builds the view's controls from the index, then loads the first workload's native results. */
export async function openRealView() {
  makeChart();
  window.trimlabReal = Object.freeze({
    state: () => ({
      ready: state.ready,
      running: state.running,
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
