// The page: wires the controls, the live chart, the native results, the summary, presenter
// mode and the exports together. Runs go through the run controller
// (run-controller.js), traces through the replay flow (replay-flow.js); the engine is reached
// only through trimlab-api.js: the runs' instances each in a Worker (remote-lab.js), the
// catalogue of scenarios and their parameters on this thread.
import { loadTrimlab } from './trimlab-api.js';
import { loadRemoteLab } from './remote-lab.js';
import { BatchComparison, comparisonText } from './batch-compare.js';
import { linkQuery, readLink } from './url-state.js';
import { isExportText, sizeRefusal, validateExport, validateResults } from './results-validate.js';
import { ChartView } from './chart-view.js';
import { SPEEDS, DEFAULT_SPEED } from './run-loop.js';
import { RunController } from './run-controller.js';
import { PaceMeter } from './pace.js';
import {
  isTrace,
  programName,
  replayFigures,
  replayNotice,
  replaySidebar,
  traceRun,
} from './replay-flow.js';
import { fillScenarioPicker, buildParamFields, describeScenario } from './controls.js';
import {
  failedRuns,
  nativeFor,
  nativeForTrace,
  paramDifferences,
  paramsLine,
} from './native-data.js';
import {
  residentOfRun,
  signedPercent,
  storyFigures,
  verdictNumbers,
  verdictSentence,
} from './story.js';
import { renderSummary, renderPlaceholder, renderVerdict, item } from './summary-view.js';
import { CaptionTracker, PRESENTED } from './captions.js';
import { SlideDeck, showSlide } from './presenter.js';
import { chartImage, download, exportCsv, exportName, exportText, nativeShown } from './export.js';
import { MapPanel } from './map-panel.js';
import { mib } from './units.js';
import { cleanLine, quote } from './message.js';
import {
  BROWSER_RESULTS_URL,
  ResidentLive,
  browserKind,
  browserLabel,
  measuredRun,
} from './resident-live.js';
import {
  MEMORY_CONTROL_URL,
  RemediesPanel,
  discardText,
  offersDiscard,
  showRemedyFigures,
} from './remedies.js';

const DEFAULT_SCENARIO = 'highwater';
const DEFAULT_NATIVE_URL = 'gen/data/native-results.json';
/** Said when Run is pressed with a field in error; it goes once every field is valid. */
const NOT_STARTED =
  'Not started: a parameter is not valid (the engine\u2019s message is next to it).';
/** How often the status line follows a run. */
const STATUS_EVERY_MS = 250;
/** Where the page stacks into one column (web/style.css's breakpoint). */
const NARROW_SCREEN = '(max-width: 900px)';

const $ = (id) => document.getElementById(id);
const ui = {
  form: $('run-form'),
  scenario: $('scenario'),
  description: $('scenario-description'),
  params: $('params'),
  replayParams: $('replay-params'),
  speed: $('speed'),
  instanceStatus: $('instance-status'),
  run: $('run'),
  stop: $('stop'),
  reset: $('reset'),
  present: $('present'),
  presenter: {
    box: $('presenter'),
    title: $('slide-title'),
    text: $('slide-text'),
    table: $('slide-table'),
    count: $('slide-count'),
    back: $('slide-back'),
    pause: $('slide-pause'),
    next: $('slide-next'),
    leave: $('slide-leave'),
  },
  status: $('status'),
  paramsNotice: $('params-notice'),
  linkNotice: $('link-notice'),
  copyLink: $('copy-link'),
  runError: $('run-error'),
  canvas: $('chart'),
  nativeSource: $('native-source'),
  importInput: $('import'),
  importError: $('import-error'),
  dropOverlay: $('drop-overlay'),
  exportPng: $('export-png'),
  exportJson: $('export-json'),
  exportCsv: $('export-csv'),
  residentNotice: $('resident-notice'),
  summaryHeading: $('summary-heading'),
  summary: { lead: $('summary-lead'), list: $('summary-figures'), note: $('summary-note') },
  stage: document.querySelector('.stage'),
  verdict: {
    box: $('verdict'),
    sentence: $('verdict-sentence'),
    native: $('verdict-native'),
    browser: $('verdict-browser'),
    plan: $('verdict-plan'),
  },
  remedies: {
    runAgain: $('run-again'),
    drop: $('drop-instance'),
    terminate: $('terminate-worker'),
    reload: $('reload-page'),
    result: $('remedy-result'),
  },
  discard: $('discard-check'),
  compareBatches: $('compare-batches'),
  batchChart: $('batch-chart'),
  batchResult: $('batch-result'),
  remedyFigures: $('remedy-figures'),
  remedyFiguresNote: $('remedy-figures-note'),
};

const state = {
  ready: false, // the controls are built and the default native results were tried
  catalog: null, // an instance used only for the scenario list and parameter checks
  native: null, // {document, source}
  fields: null, // the parameter fields of the chosen scenario
  presenting: null, // the SlideDeck while presenter mode is on
  runParams: null, // params of the run on the chart (null: none yet)
  last: null, // the last finished run and what it ran on
  slides: [], // the slides the last presentation showed, in order (for the debug hook)
  replay: null, // {name, trace: {program, event_count}} while a trace's replay is on the chart
  measured: null, // browser-results.json, loaded once live resident readings are unavailable
  batches: null, // the batch sizes compared (web/batch-compare.js), made at the first comparison
  batchOutcomes: null, // what the last comparison measured
  comparing: false, // the batch comparison is running
  onChart: null, // {scenario, allocator, params} of the run drawn live (finished or not)
  fresh: null, // {lab, resident}: the current instance's resident bytes before its first run
  copiedLink: null, // the last link Copy link made (for the debug hook)
};

let chart = null;
let controller = null; // the run controller: the instance runs use, the run in progress
let resident = null; // the live resident readings (web/resident-live.js)
let remedies = null; // what to do about it, after a run (web/remedies.js)
let mapPanel = null; // the memory map beside the chart (web/map-panel.js)

// ---- small helpers ----

const chosen = (name) => ui.form.querySelector(`input[name="${name}"]:checked`).value;
const rate = () => SPEEDS.find((s) => s.value === ui.speed.value)?.rate ?? 60;
/** The engine's canonical form of a bucket model, so two spellings of one compare equal. */
const canonicalModel = (text) => state.catalog.canonicalModel(text);
/** What the validator checks a results file with: its runs' scenarios are the engine's. */
const resultsRules = (rules = {}) => ({ ...rules, scenarios: state.catalog.scenarioNames() });

function show(element, text) {
  element.textContent = text;
  element.hidden = !text;
}

function showError(error, context = '') {
  const prefix = error?.name === 'TrimlabError' ? 'The engine refused: ' : 'Error: ';
  const message = String(error?.message ?? error).replace(/\.+$/, '');
  show(ui.runError, `${context}${prefix}${message}. The chart keeps what it showed.`);
  console.error(error);
}

function setBusy(busy) {
  for (const control of ui.form.querySelectorAll('input, select:not(#speed), #run, #present'))
    control.disabled = busy;
  ui.stop.disabled = !busy;
  ui.reset.disabled = false;
  ui.compareBatches.disabled = busy;
  ui.importInput.disabled = busy; // a file given during a run waits for the run to end
  remedies?.update(busy);
}

function updateExports() {
  ui.exportPng.disabled = chart === null;
  ui.exportJson.disabled = ui.exportCsv.disabled = !exportable();
  ui.copyLink.disabled = !state.ready;
}

function updateInstanceStatus() {
  remedies?.update();
  mapPanel?.instance(controller.lab);
  const reuse = chosen('instance') === 'reuse';
  const allocator = chosen('allocator');
  const { lab, labRuns } = controller;
  if (!reuse || !lab) {
    ui.instanceStatus.textContent =
      'The next run starts a new instance with 64 MiB of linear memory.';
    return;
  }
  if (lab.allocator !== allocator) {
    ui.instanceStatus.textContent = `The current instance runs ${lab.allocator}: the next run starts a new ${allocator} instance.`;
  } else if (lab.untrusted) {
    ui.instanceStatus.textContent =
      `The current ${allocator} instance cannot be reused: ` +
      `${lab.untrusted.replace(/\.$/, '')}. The next run starts a new instance.`;
  } else {
    ui.instanceStatus.textContent =
      `The next run reuses the current ${allocator} instance: ` +
      `${labRuns} run${labRuns === 1 ? '' : 's'} so far, linear memory ` +
      `${mib(lab.memoryBytes())} MiB.`;
  }
}

// ---- native results ----

/** The native runs for the chosen scenario, compared with `params` (the run's or the form's);
 *  while a replay is on the chart, the native replays of the same trace. */
function nativeMatch(params) {
  if (state.replay)
    return nativeForTrace(state.native?.document, state.replay.trace, params, canonicalModel);
  return nativeFor(state.native?.document, ui.scenario.value, params, canonicalModel);
}

function updateParamsNotice(match) {
  const scenario = ui.scenario.value;
  // A field with an error says what is wrong; no comparison with what is not a valid value.
  if (!state.native || !state.fields.valid()) return show(ui.paramsNotice, '');
  if (state.replay) return show(ui.paramsNotice, replayNotice(state.replay.trace, match));
  if (!match.on && !match.off)
    return show(
      ui.paramsNotice,
      `The native results hold no run of ${scenario}: only the ` +
        'WebAssembly series can be drawn.',
    );
  if (match.differs.length === 0) return show(ui.paramsNotice, '');
  show(
    ui.paramsNotice,
    `Parameters differ: the native lines are ${scenario} with ` +
      `${paramsLine(match.nativeParams)}; the chosen parameters are ` +
      `${paramsLine(state.runParams ?? state.fields.values())}. Compare with care, or import ` +
      'native results measured with these parameters.',
  );
}

/** Puts the native series of the chosen scenario on the chart and says if params differ. */
function showNative() {
  const match = nativeMatch(state.runParams ?? state.fields.values());
  chart.showNative(match.on, match.off, { sameSteps: match.differs.length === 0 });
  updateParamsNotice(match);
  if (!controller.running) chart.refresh();
}

function setNative(document, source) {
  state.native = { document, source };
  const runs = document.runs.length;
  const failed = failedRuns(document);
  ui.nativeSource.textContent =
    `${source}: ${runs} run${runs === 1 ? '' : 's'}, ` +
    `${document.allocator}${document.created ? `, ${document.created}` : ''}.` +
    (failed.length ? ` Not drawn, failed: ${failed.join('; ')}.` : '');
  showNative();
  if (state.last && (state.last.scenario === ui.scenario.value || state.replay)) renderStory();
}

async function loadDefaultNative() {
  try {
    const response = await fetch(DEFAULT_NATIVE_URL, { cache: 'no-cache' });
    if (!response.ok)
      throw new Error(
        `${DEFAULT_NATIVE_URL}: HTTP ${response.status} (run make results to write it)`,
      );
    const verdict = validateResults(await response.text(), resultsRules({ platform: 'native' }));
    if (!verdict.ok) throw new Error(`${DEFAULT_NATIVE_URL} was refused: ${verdict.message}`);
    setNative(verdict.document, DEFAULT_NATIVE_URL);
  } catch (error) {
    ui.nativeSource.textContent = `No native results: ${error.message}. Import a file instead.`;
  }
}

function refuseImport(name, message) {
  show(ui.importError, `${name} was not loaded: ${message}. The chart keeps what it showed.`);
}

async function importFile(file) {
  show(ui.importError, '');
  // Traces and results files are told apart, and checked, by what the engine says.
  if (!state.catalog) return refuseImport(file.name, 'the WebAssembly module is not loaded');
  let trace;
  try {
    trace = await isTrace(file, state.catalog.traceMagic());
  } catch (error) {
    return refuseImport(file.name, `it could not be read (${error.message})`);
  }
  if (trace) return replayFile(file);
  const tooBig = sizeRefusal(file.size);
  if (tooBig) return refuseImport(file.name, tooBig);
  let text;
  try {
    text = await file.text();
  } catch (error) {
    return refuseImport(file.name, `it could not be read (${error.message})`);
  }
  if (isExportText(text)) return importExport(file.name, text);
  const verdict = validateResults(text, resultsRules({ platform: 'native' }));
  if (!verdict.ok) return refuseImport(file.name, verdict.message);
  setNative(verdict.document, file.name);
}

/** The page's export given back: its native runs loaded, its run drawn as the page drew it
 *  (with its resident readings, or the browser measurement it was shown with). */
function importExport(name, text) {
  if (controller.busy || state.presenting || state.comparing)
    return refuseImport(name, 'a run is in progress (press Stop first)');
  const verdict = validateExport(text, resultsRules());
  if (!verdict.ok) return refuseImport(name, verdict.message);
  const { run: runDocument, native, measured } = verdict.exported;
  const [run] = runDocument.runs;
  resident.stop(); // the chart shows the file now, not this page's instance
  if (native) setNative(native, name);
  if (run.trace)
    setReplay(
      { name, trace: { program: run.trace.program, event_count: run.trace.event_count } },
      run.params,
    );
  else {
    selectScenario(run.scenario);
    setFieldValues(run.params);
  }
  state.runParams = run.params;
  state.onChart = { scenario: run.scenario, allocator: runDocument.allocator, params: run.params };
  chart.startLive();
  chart.appendLive(run.samples);
  chart.endLive();
  if (run.outcome === 'oom') chart.setOom(run.samples.at(-1).step, run.error);
  const ran = residentOfRun(run);
  // Without readings of its own the run was shown with a browser's measurement: the file's (of
  // the engine it names), kept with the run for its summary and for exporting again, never this
  // page's own measurement.
  const shown = ran ? null : measuredRun(measured, run.scenario, measured?.runs[0]?.host?.name);
  chart.showMeasured(ran ? run : (shown?.run ?? null), `imported from ${name}`);
  showNative();
  state.last = {
    run,
    allocator: runDocument.allocator,
    instanceRun: verdict.instanceRun,
    scenario: run.scenario,
    drawn: state.onChart,
    imported: true,
    residentLive: ran && { ...ran, source: `imported from ${name}` },
    measured: shown && {
      ...shown,
      label: `${shown.label}, imported from ${name}`,
      document: measured,
    },
  };
  chart.refresh();
  renderStory();
  updateExports();
  ui.status.textContent = `${name}: the run it holds is drawn (${run.samples.length} steps).`;
}

// ---- resident memory ----

/** The measured run of the chosen scenario in this kind of browser, when readings are not live. */
const measuredOfScenario = () =>
  measuredRun(state.measured, ui.scenario.value, browserKind(navigator.userAgent));

/** Draws what a browser measured for the chosen scenario, while live readings are unavailable. */
function showMeasured() {
  if (resident.available !== false) return;
  const measured = measuredOfScenario();
  chart.showMeasured(measured?.run ?? null, measured?.label);
  if (!controller.running) chart.refresh();
}

async function residentUnavailable(reason) {
  try {
    const response = await fetch(BROWSER_RESULTS_URL, { cache: 'no-cache' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const verdict = validateResults(await response.text(), resultsRules({ platform: 'wasm' }));
    if (!verdict.ok) throw new Error(verdict.message);
    state.measured = verdict.document;
    show(
      ui.residentNotice,
      cleanLine(`${reason}. Drawn instead: what make browser-results measured.`),
    );
  } catch (error) {
    show(
      ui.residentNotice,
      cleanLine(`${reason}; ${BROWSER_RESULTS_URL} could not be loaded either (${error.message}).`),
    );
  }
  showMeasured();
  if (state.last) renderStory();
}

/** The browser measurement shown with the run on the chart in place of live readings, with its
 *  document: an imported run's from its file, else this page's of the chosen scenario; or null. */
function measuredOfLast() {
  if (state.last.imported) return state.last.measured;
  if (resident.available !== false) return null;
  const measured = measuredOfScenario();
  return measured && { ...measured, document: state.measured };
}

/** The module's resident bytes before and after the run on the chart, for the summary: read
 *  live, or measured in a browser for the same scenario and parameters; null when neither. */
function residentOfLast() {
  const { run, residentLive, instanceRun } = state.last;
  if (residentLive) return residentLive;
  // A browser's measurement is of a fresh instance's run.
  const measured = run.trace || instanceRun > 1 ? null : measuredOfLast();
  if (!measured || paramDifferences(run.params, measured.run.params, canonicalModel).length)
    return null;
  return { ...residentOfRun(measured.run), source: measured.label };
}

// ---- the summary ----

/** The native runs to compare with the last finished run: a replay's are of the same trace. */
function nativeOfLast() {
  const { run, scenario } = state.last;
  return run.trace
    ? nativeForTrace(state.native?.document, run.trace, run.params, canonicalModel)
    : nativeFor(state.native?.document, scenario, run.params, canonicalModel);
}

function renderStory() {
  const { run, allocator, instanceRun, scenario } = state.last;
  const match = nativeOfLast();
  const figures = lastFigures();
  ui.summaryHeading.textContent = run.trace
    ? `What the replay of ${programName(run.trace.program)} shows`
    : `What the ${scenario} run shows`;
  const last = run.samples.at(-1);
  renderSummary(ui.summary, figures, {
    scenario,
    allocator,
    instanceRun,
    params: run.params,
    nativeParams: match.nativeParams,
    oom: run.outcome === 'oom' ? { step: last.step, message: run.error } : null,
  });
  if (run.trace) ui.summary.list.prepend(...replayFigures(run, match).map(item));
  renderVerdict(ui.verdict, figures);
}

function placeholder(text) {
  ui.summaryHeading.textContent = 'What the run shows';
  renderPlaceholder(ui.summary, text);
  renderVerdict(ui.verdict, null);
}

// ---- a link that reproduces a run ----

/** The controls as they are, as a link's choices. */
function currentChoices(run = false) {
  const imported = state.native && state.native.source !== DEFAULT_NATIVE_URL;
  return {
    scenario: ui.scenario.value,
    params: state.fields.values(),
    allocator: chosen('allocator'),
    instance: chosen('instance'),
    speed: ui.speed.value,
    data: imported ? state.native.source : null,
    run,
  };
}

/** The address bar follows the run on the chart: a reload or a bookmark sets the same controls. */
function rememberRun() {
  if (!state.replay) history.replaceState(null, '', linkQuery(currentChoices()));
}

async function onCopyLink() {
  const link = new URL(linkQuery(currentChoices(true)), location.href).href;
  state.copiedLink = link;
  try {
    await navigator.clipboard.writeText(link);
    ui.status.textContent = `Link copied: ${link}`;
  } catch {
    show(ui.linkNotice, `Copy this link: ${link}`); // the status line is one line: this wraps
  }
}

/** Sets the controls a link asks for (see web/url-state.js) and says in one line each what it
 *  could not set. Returns whether to run now or to present. */
function applyLink() {
  const link = readLink(location.search, {
    scenarios: state.catalog.scenarios(),
    allocators: ['dlmalloc', 'emmalloc'],
    instances: ['fresh', 'reuse'],
    speeds: SPEEDS.map((speed) => speed.value),
  });
  if (!link) return { run: false, present: false };
  const { choices, problems } = link;
  if (choices.scenario) selectScenario(choices.scenario);
  for (const name of ['allocator', 'instance'])
    if (choices[name])
      ui.form.querySelector(`input[name="${name}"][value="${choices[name]}"]`).checked = true;
  if (choices.speed) ui.speed.value = choices.speed;
  const valid = setFieldValues(choices.params);
  if (choices.data && choices.data !== state.native?.source)
    problems.push(
      `This link was made with the imported results '${quote(choices.data)}': import that file to compare.`,
    );
  show(ui.linkNotice, cleanLine(problems.join(' ')));
  updateInstanceStatus();
  showNative();
  return { run: choices.run && valid && problems.length === 0, present: link.present };
}

/** The replay on the chart (null: none). While there is one, the sidebar shows its parameters in
 *  place of the chosen scenario's fields, which are for the next run. */
function setReplay(replay, params = null) {
  state.replay = replay;
  ui.params.hidden = replay !== null;
  show(ui.replayParams, replay ? replaySidebar(replay, params, ui.scenario.value) : '');
}

/** Types `values` into the parameter fields; whether every field is valid then. */
function setFieldValues(values) {
  for (const input of state.fields.fields)
    if (Object.hasOwn(values, input.name)) input.value = values[input.name];
  return state.fields.check();
}

// ---- running ----

function statusOf(sample) {
  const name = state.replay ? `replay of ${state.replay.name}` : ui.scenario.value;
  return (
    `${name} \u00b7 step ${sample.step} \u00b7 ${sample.phase}: ${sample.label} ` +
    `\u00b7 linear memory ${mib(sample.footprint_bytes)} MiB`
  );
}

/** The run of a built-in scenario, for startRun (a trace's is replay-flow.js's traceRun). */
function scenarioRun(scenario, params) {
  return {
    scenario,
    params,
    async begin(lab) {
      await lab.begin(scenario, params, { trim: true });
      return null; // no replay on the chart
    },
    refused: (error) => showError(error, 'The run did not start. '),
  };
}

/**
 * One run (a scenarioRun or a traceRun), drawn live by the run controller, and what the page
 * says about it. Resolves with the run, or null when it was refused, failed or stopped (the
 * reason is on the page). Nothing on the chart changes unless the run really starts.
 */
async function startRun({ scenario, params, begin, refused, allocator, reuse, deck = null }) {
  show(ui.runError, '');
  show(ui.importError, ''); // about a file refused before: this run is what the page shows now
  show(ui.linkNotice, ''); // about the link the page was opened with
  const tracker = deck ? new CaptionTracker(scenario, allocator) : null;
  let residentStart = null; // the reading before step 0
  let statusAt = -Infinity; // when the status line last changed
  // Slides and pauses hold a presented run on purpose: its pace is not measured.
  const pace = deck ? null : new PaceMeter();
  return controller.run({
    allocator,
    reuse,
    async begin(lab) {
      resident.stop();
      remedies.say('');
      residentStart = await resident.readNow(lab);
      // The instance fresh: what a reused instance's later runs are told against.
      if (controller.labRuns === 0)
        state.fresh = { lab, resident: residentStart?.resident_bytes ?? null };
      return begin(lab);
    },
    afterStep:
      tracker &&
      ((sample) => {
        const text = tracker.next(sample);
        if (!text) return 0;
        // A slide per phase: the run holds there until the presenter moves on.
        deck.push({ title: `${scenario}, step ${sample.step}`, text }, () => controller.release());
        return deck.closed ? 0 : Infinity;
      }),
    hooks: {
      refused,
      begun(replay) {
        state.runParams = params;
        setReplay(replay, params);
        state.onChart = { scenario, allocator, params }; // the run drawn from now on, however it ends
        updateExports();
        if (residentStart) chart.addResident(residentStart, performance.now(), true); // at step 0
        resident.follow(controller.lab);
        showNative();
        mapPanel.begin(controller.lab, nativeOfMap());
        placeholder('Running …');
      },
      progress(sample) {
        mapPanel.progress(sample);
        const now = performance.now();
        pace?.add(sample.step, now, rate());
        // A few times a second is enough to read, and spares the frames the text's layout.
        if (now - statusAt < STATUS_EVERY_MS) return;
        statusAt = now;
        const slower = pace?.notice();
        ui.status.textContent = slower ? `${statusOf(sample)} \u00b7 ${slower}` : statusOf(sample);
      },
      stopped(sample) {
        ui.status.textContent = `Stopped at step ${sample?.step ?? 0}; the chart keeps what it drew.`;
        placeholder('Stopped before the end: no summary.');
      },
      finished: (run, lab) => finishRun(run, lab, scenario, residentStart),
      failed: (error) => showError(error, 'The run failed. '),
      settled() {
        chart.endLive();
        chart.refresh();
        resident.settle();
        mapPanel.settle();
        updateInstanceStatus();
      },
    },
  });
}

async function finishRun(run, lab, scenario, before) {
  // The module's resident memory after the run: drawn at its last step, and the summary's.
  const after = before === null ? null : await resident.readNow(lab);
  if (after) chart.addResident(after, performance.now(), true);
  state.last = {
    run,
    allocator: lab.allocator,
    instanceRun: controller.labRuns,
    scenario,
    drawn: state.onChart, // what the chart shows while it shows this run
    residentLive: after && {
      start: before.resident_bytes,
      end: after.resident_bytes,
      source: 'live',
      fresh: controller.labRuns > 1 && state.fresh?.lab === lab ? state.fresh.resident : null,
    },
  };
  const last = run.samples.at(-1);
  if (run.outcome === 'oom') chart.setOom(last.step, run.error);
  chart.refresh();
  const name = state.replay ? `The replay of ${state.replay.name}` : scenario;
  ui.status.textContent =
    run.outcome === 'oom'
      ? `${name} ran out of memory at step ${last.step}: ${run.error}; it freed what it held.`
      : run.outcome === 'bad_trace'
        ? `${name} stopped at step ${last.step}: ${run.error}.`
        : `${name} finished: ${run.samples.length} steps, linear memory ${mib(last.footprint_bytes)} MiB.`;
  renderStory();
  updateExports();
  rememberRun();
}

/** Whether "Run again on this instance" can run the run on the chart: a scenario's, and its
 *  instance is still there and can be trusted. */
function canRunAgain() {
  const { lab } = controller;
  return Boolean(
    state.last &&
    !state.last.imported &&
    !state.replay &&
    chart.hasLive &&
    lab?.allocator === state.last.allocator &&
    !lab.untrusted,
  );
}

/** The last run once more, on the same instance: its allocator cache is reused. */
async function runAgain() {
  if (!canRunAgain()) return;
  const { scenario, run, allocator } = state.last;
  setBusy(true);
  await startRun({ ...scenarioRun(scenario, run.params), allocator, reuse: true });
  setBusy(false);
}

/** The panel's line on WebAssembly.Memory's discard in this browser, with the proposal linked. */
function showDiscardCheck() {
  const link = document.createElement('a');
  link.href = MEMORY_CONTROL_URL;
  link.textContent = 'the proposal';
  ui.discard.replaceChildren(
    discardText(browserLabel(navigator.userAgent), offersDiscard()) + ' ',
    link,
  );
}

/** A trace file given to the page: checked whole, then replayed live with the chosen allocator. */
async function replayFile(file) {
  if (!state.ready) return refuseImport(file.name, 'the page is still loading the module');
  if (controller.busy || state.presenting || state.comparing)
    return refuseImport(file.name, 'a run is in progress (press Stop first)');
  setBusy(true);
  try {
    await startRun({
      ...traceRun(file),
      refused: (error) =>
        refuseImport(file.name, String(error?.message ?? error).replace(/\.+$/, '')),
      allocator: chosen('allocator'),
      reuse: chosen('instance') === 'reuse',
    });
  } finally {
    setBusy(false);
  }
}

/** On a narrow screen the controls stand above the chart: a run brings the chart into view. */
function showStage() {
  if (matchMedia(NARROW_SCREEN).matches) ui.stage.scrollIntoView({ block: 'start' });
}

/** The Run button: refuse invalid parameters before anything starts. */
async function onRun(event) {
  event.preventDefault();
  if (controller.busy || state.comparing || !state.fields) return;
  if (!state.fields.check()) {
    show(ui.runError, NOT_STARTED);
    ui.params.querySelector('[aria-invalid="true"]')?.focus();
    return;
  }
  setBusy(true);
  setReplay(null);
  showStage();
  await startRun({
    ...scenarioRun(ui.scenario.value, state.fields.values()),
    allocator: chosen('allocator'),
    reuse: chosen('instance') === 'reuse',
  });
  setBusy(false);
}

/** The figures of the run on the chart (state.last), as the summary computes them. */
function lastFigures() {
  return storyFigures(state.last.run, nativeOfLast(), residentOfLast(), state.last);
}

/** A run's verdict as a slide, and the numbers the closing slide compares. */
function verdictSlide(scenario) {
  const figures = lastFigures();
  const numbers = verdictNumbers(figures);
  const text = numbers
    ? verdictSentence(numbers, figures.wasm.resident.source)
    : ui.summary.lead.textContent;
  return { slide: { title: `${scenario}: what it shows`, text }, numbers };
}

/** The closing slide: the scenarios shown, side by side. */
function closingSlide(shown) {
  const cell = (bytes) => `${mib(bytes)} MiB`;
  return {
    title: 'The scenarios shown',
    text:
      'What the native program holds after the work, what the browser still holds, and how ' +
      'far a memory plan made from the native figures is off.',
    rows: [
      ['scenario', 'native holds', 'the browser holds', 'a plan from native is off by'],
      ...shown.map(({ scenario, numbers }) =>
        numbers
          ? [
              scenario,
              cell(numbers.nativeHeld),
              cell(numbers.browserHeld),
              `${signedPercent(numbers.planErrorPercent)} %`,
            ]
          : [scenario, '–', '–', 'not measured here'],
      ),
    ],
  };
}

/** A remedy as a slide: shown, done on the chart, its outcome added to the slide. */
async function remedySlide(deck, title, text, act) {
  const waiting = deck.wait({ title, text });
  const outcome = await act();
  if (!deck.closed && outcome) deck.update({ title, text: `${text} ${outcome}` });
  return waiting;
}

/** Presenter mode: cycles, then highwater, a slide per phase (each run holds there until the
 *  presenter moves on), each run's verdict, two remedies done live, and a closing comparison. */
async function onPresent() {
  if (controller.busy || state.presenting || state.comparing) return;
  const deck = new SlideDeck((slide, position) => showSlide(ui.presenter, slide, position));
  state.presenting = deck;
  setBusy(true);
  document.body.classList.add('presenting');
  ui.presenter.box.hidden = false;
  ui.presenter.next.focus();
  const shown = [];
  try {
    for (const scenario of PRESENTED) {
      selectScenario(scenario);
      const run = await startRun({
        ...scenarioRun(scenario, state.fields.values()),
        allocator: chosen('allocator'),
        reuse: false,
        deck,
      });
      if (!run || deck.closed) break;
      const { slide, numbers } = verdictSlide(scenario);
      shown.push({ scenario, numbers });
      if ((await deck.wait(slide)) === 'closed') break;
    }
    if (!deck.closed && shown.length === PRESENTED.length) {
      const again = await remedySlide(
        deck,
        'What to do: run again on the same instance',
        'The same work again reuses the memory the module kept: nothing grows.',
        async () => {
          const { scenario, run, allocator } = state.last;
          const before = controller.lab?.memoryBytes();
          const again = await startRun({
            ...scenarioRun(scenario, run.params),
            allocator,
            reuse: true,
          });
          if (!again || before === undefined) return 'The run did not finish: nothing measured.';
          const after = controller.lab.memoryBytes();
          return after === before
            ? `Linear memory stayed at ${mib(after)} MiB.`
            : `Linear memory grew from ${mib(before)} to ${mib(after)} MiB.`;
        },
      );
      if (again !== 'closed')
        await remedySlide(
          deck,
          'What to do: terminate the worker',
          'Ending the Worker that holds the module hands its memory back at once.',
          () => remedies.terminate(),
        );
      if (!deck.closed) await deck.wait(closingSlide(shown));
    }
  } finally {
    state.slides = deck.slides();
    deck.close();
    controller.stop();
    state.presenting = null;
    document.body.classList.remove('presenting');
    ui.presenter.box.hidden = true;
    showPaused(false);
    setBusy(false);
    ui.present.focus();
  }
}

/** Presenter mode's keys: → next, ← back, space pause, Esc leave. */
function onPresenterKey(event) {
  const deck = state.presenting;
  if (!deck || event.altKey || event.ctrlKey || event.metaKey) return;
  // Space presses a focused button and the page keys scroll a focused panel, except the
  // presenter's own buttons, where Space pauses.
  const own = [' ', 'PageUp', 'PageDown'].includes(event.key);
  const focused = event.target instanceof Element ? event.target : null;
  if (own && focused?.closest('button, [tabindex]') && !focused.closest('#presenter')) return;
  const action = {
    ArrowRight: () => deck.next(),
    PageDown: () => deck.next(),
    ArrowLeft: () => deck.back(),
    PageUp: () => deck.back(),
    ' ': togglePause,
    Escape: onStop,
  }[event.key];
  if (!action) return;
  event.preventDefault();
  action();
}

/** Pauses the run in progress, or goes on (a run held at a slide goes on only with Next). */
function togglePause() {
  if (!state.presenting || !controller.running) return;
  const paused = ui.presenter.pause.getAttribute('aria-pressed') === 'true';
  if (paused) controller.resume();
  else controller.pause();
  showPaused(!paused);
}

/** The Pause button says whether the run is paused. */
function showPaused(paused) {
  ui.presenter.pause.setAttribute('aria-pressed', String(paused));
  ui.presenter.pause.textContent = paused ? 'Resume' : 'Pause';
}

function onStop() {
  // Presenter mode ends now, not after a remedy's wait for the memory to go.
  if (state.presenting) resident.stop();
  state.presenting?.close();
  controller.stop();
  state.batches?.stop();
}

/** Lower the peak: the same work in one batch and in small ones, side by side. */
async function onCompareBatches() {
  if (controller.busy || state.presenting || state.comparing) return;
  state.comparing = true;
  setBusy(true);
  ui.batchChart.parentElement.hidden = false;
  state.batches ??= new BatchComparison({
    canvas: ui.batchChart,
    load: () => loadRemoteLab({ allocator: 'dlmalloc' }),
    readResident: (lab) => resident.readNow(lab),
  });
  ui.batchResult.textContent = 'Running …';
  try {
    state.batchOutcomes = await state.batches.run();
    ui.batchResult.textContent = state.batchOutcomes
      ? comparisonText(state.batchOutcomes)
      : 'Stopped before the end.';
  } catch (error) {
    ui.batchResult.textContent = cleanLine(`The comparison failed: ${error?.message ?? error}`);
  } finally {
    state.comparing = false;
    setBusy(false);
  }
}

function onReset() {
  onStop();
  resident.stop();
  controller.terminate();
  remedies.say('');
  state.last = null;
  state.runParams = null;
  setReplay(null);
  chart.clearLive();
  showNative();
  show(ui.runError, '');
  placeholder('Run a scenario to compare.');
  ui.status.textContent = 'Reset: the next run starts a new instance.';
  updateExports();
  updateInstanceStatus();
}

function selectScenario(name) {
  ui.scenario.value = name;
  ui.description.textContent = describeScenario(state.catalog, name);
  state.fields = buildParamFields(ui.params, state.catalog, name, () => {
    if (state.fields.valid() && ui.runError.textContent === NOT_STARTED) show(ui.runError, '');
    if (controller.running) return;
    state.runParams = null; // from now on the notice compares native with what is typed
    showNative();
  });
  state.runParams = null;
  setReplay(null);
  chart.clearLive();
  showNative();
  showMeasured();
  placeholder(`Run ${name} to compare.`);
  updateInstanceStatus();
  updateExports();
}

// ---- the memory map ----

function createMapPanel() {
  const part = (prefix) => ({
    canvas: $(`${prefix}-canvas`),
    caption: $(`${prefix}-caption`),
    counts: $(`${prefix}-counts`),
    hover: $(`${prefix}-hover`),
    kept: $(`${prefix}-kept`),
  });
  return new MapPanel({
    note: $('map-note'),
    module: part('map'),
    native: { ...part('map-native'), box: $('map-native') },
  });
}

/** The native trim-on run whose maps stand beside the module's: same scenario and parameters. */
function nativeOfMap() {
  const match = nativeMatch(state.runParams ?? state.fields.values());
  return match.differs.length === 0 ? match.on : null;
}

// ---- exports ----

function exportBase() {
  return [state.last?.scenario ?? ui.scenario.value, state.last?.allocator ?? chosen('allocator')];
}

/** What the chart shows now: the live run's scenario, or (after another scenario was chosen,
 *  or before any run) the chosen scenario's native lines alone. */
function chartShows() {
  if (chart.hasLive && state.onChart) {
    const { scenario, allocator, params } = state.onChart;
    const name = state.replay ? `replay of ${state.replay.name}` : scenario;
    return { scenario, name, allocator, params };
  }
  const scenario = ui.scenario.value;
  return { scenario, name: scenario, allocator: 'native', params: state.fields.values() };
}

/** Between the memory maps under the chart in the PNG, in CSS pixels. */
const MAP_GAP = 16;

/** The PNG: the chart at twice its pixels under what it shows and the verdict's numbers, the
 *  memory maps under it. */
async function pngExport() {
  const shows = chartShows();
  const where =
    shows.allocator === 'native'
      ? 'native results only'
      : `${shows.allocator} in ${browserLabel(navigator.userAgent)}`;
  const lines = [];
  if (!ui.verdict.box.hidden)
    lines.push(
      `The native program holds ${ui.verdict.native.textContent}; the browser still holds ` +
        `${ui.verdict.browser.textContent}; a plan made from the native figures is off by ` +
        `${ui.verdict.plan.textContent}.`,
    );
  if (state.native) lines.push(`Native results: ${state.native.source}.`);
  const blob = await chartImage(chart.chart, {
    title: `trimlab: ${shows.name} (${paramsLine(shows.params)}), ${where}`,
    lines,
    // The memory maps, module and native side by side, under the chart.
    below: mapPanel.exportImages(Math.floor((ui.canvas.clientWidth - MAP_GAP) / 2)),
  });
  return { blob, name: exportName(shows.scenario, shows.allocator, 'png') };
}

async function onExportPng() {
  try {
    const { blob, name } = await pngExport();
    download(blob, name);
  } catch (error) {
    showError(error, 'PNG export failed. ');
  }
}

/** Whether the chart shows the last finished run (not one stopped since, nor another scenario's
 *  native lines alone): what the JSON and CSV exports hold. */
function exportable() {
  return Boolean(state.last && chart?.hasLive && state.onChart === state.last.drawn);
}

/** The run on the chart with the live resident readings drawn at its steps. */
function runWithReadings(run) {
  const readings = chart.residentAtSteps();
  if (readings.size === 0) return run;
  return {
    ...run,
    host: { ...run.host, resident: 'smaps' },
    samples: run.samples.map((sample) => ({ ...sample, ...readings.get(sample.step) })),
  };
}

/** The browser measurement the chart shows in place of live readings, as a document (or null). */
function measuredShown() {
  const measured = measuredOfLast();
  if (!measured) return null;
  const { allocator, generator } = measured.document;
  return state.catalog.documentText([measured.run], { allocator, generator });
}

/** What the chart shows, as the page's export (docs/results-format.md): its text, checked by the
 *  page's own import check, and the documents. */
function exportOfChart() {
  const { run, allocator, instanceRun } = state.last;
  const match = nativeOfLast();
  const nativeRuns = [match.on, match.off].filter(Boolean);
  const text = exportText({
    // Written by the engine's own writer, in the layout of the native CLI's results files.
    run: state.catalog.documentText([runWithReadings(run)], { allocator }),
    instanceRun,
    native: nativeRuns.length ? nativeShown(state.native.document, nativeRuns) : null,
    measured: measuredShown(),
  });
  // The page's own export must pass the page's own import check; if not, that is a bug to see.
  const verdict = validateExport(text, resultsRules());
  if (!verdict.ok) throw new Error(`the export does not match the format: ${verdict.message}`);
  return { text, exported: verdict.exported };
}

function onExportJson() {
  try {
    const { text } = exportOfChart();
    download(new Blob([text], { type: 'application/json' }), exportName(...exportBase(), 'json'));
  } catch (error) {
    showError(error, 'JSON export failed. ');
  }
}

function onExportCsv() {
  try {
    const { exported } = exportOfChart();
    download(
      new Blob([exportCsv(exported)], { type: 'text/csv' }),
      exportName(...exportBase(), 'csv'),
    );
  } catch (error) {
    showError(error, 'CSV export failed. ');
  }
}

// ---- dropping a file on the page ----

function hasFiles(event) {
  return [...(event.dataTransfer?.types ?? [])].includes('Files');
}

function wireDrop() {
  let depth = 0; // dragenter/dragleave fire for every child element crossed
  document.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    depth += 1;
    ui.dropOverlay.hidden = false;
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) ui.dropOverlay.hidden = true;
  });
  document.addEventListener('dragover', (event) => {
    if (hasFiles(event)) event.preventDefault(); // allows the drop
  });
  document.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault(); // the browser would otherwise open the file
    depth = 0;
    ui.dropOverlay.hidden = true;
    const files = event.dataTransfer.files;
    if (files.length !== 1) return refuseImport(`${files.length} files`, 'drop one file at a time');
    importFile(files[0]);
  });
}

// ---- start ----

function wire() {
  ui.form.addEventListener('submit', onRun);
  ui.stop.addEventListener('click', onStop);
  ui.reset.addEventListener('click', onReset);
  ui.present.addEventListener('click', onPresent);
  ui.copyLink.addEventListener('click', onCopyLink);
  ui.presenter.next.addEventListener('click', () => state.presenting?.next());
  ui.presenter.back.addEventListener('click', () => state.presenting?.back());
  ui.presenter.pause.addEventListener('click', togglePause);
  ui.presenter.leave.addEventListener('click', onStop);
  document.addEventListener('keydown', onPresenterKey);
  // A printed page is read later: the definitions are opened for it.
  window.addEventListener('beforeprint', () => {
    for (const details of document.querySelectorAll('details:not([open])')) {
      details.open = true;
      details.dataset.openedToPrint = '';
    }
  });
  window.addEventListener('afterprint', () => {
    for (const details of document.querySelectorAll('details[data-opened-to-print]')) {
      details.open = false;
      delete details.dataset.openedToPrint;
    }
  });
  ui.compareBatches.addEventListener('click', onCompareBatches);
  ui.scenario.addEventListener('change', () => selectScenario(ui.scenario.value));
  for (const radio of ui.form.querySelectorAll('input[type="radio"]'))
    radio.addEventListener('change', updateInstanceStatus);
  ui.importInput.addEventListener('change', () => {
    const [file] = ui.importInput.files;
    if (file) importFile(file);
    ui.importInput.value = ''; // the same file can be chosen again
  });
  ui.exportPng.addEventListener('click', onExportPng);
  ui.exportJson.addEventListener('click', onExportJson);
  ui.exportCsv.addEventListener('click', onExportCsv);
  wireDrop();
  window.addEventListener('error', (event) => {
    // Chromium reports a benign ResizeObserver notice as an error event when the chart box
    // changes size (a notice appears); it is not a failure of the page.
    if (String(event.message).startsWith('ResizeObserver loop')) return;
    showError(event.error ?? new Error(event.message));
  });
  window.addEventListener('unhandledrejection', (event) => showError(event.reason));
}

/** Read-only view of the page for tests and curious engineers (copies only). */
function exposeDebugHook() {
  window.trimlabDebug = Object.freeze({
    chart: () => chart.snapshot(),
    /** What Export PNG would offer: its name and the image as base64. */
    async exportPng() {
      const { blob, name } = await pngExport();
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = '';
      for (const byte of bytes) binary += String.fromCharCode(byte);
      return { name, base64: btoa(binary) };
    },
    state: () => ({
      ready: state.ready,
      running: controller.running,
      presenting: state.presenting !== null,
      link: state.copiedLink ?? null,
      slide: state.presenting?.current
        ? { ...state.presenting.current, ...state.presenting.position }
        : null,
      batches: state.batchOutcomes && state.batchOutcomes.map((outcome) => ({ ...outcome })),
      scenario: ui.scenario.value,
      instanceRuns: controller.labRuns,
      nativeSource: state.native?.source ?? null,
      replay: state.replay && { name: state.replay.name, ...state.replay.trace },
      last: state.last && {
        scenario: state.last.scenario,
        allocator: state.last.allocator,
        outcome: state.last.run.outcome,
        steps: state.last.run.samples.length,
        instanceRun: state.last.instanceRun,
        params: { ...state.last.run.params },
        elapsed_ms: state.last.run.elapsed_ms,
        error: state.last.run.error ?? null,
        trace: state.last.run.trace ? { ...state.last.run.trace } : null,
      },
      runStats: controller.stats && { ...controller.stats },
      settled: controller.settled,
      slides: state.presenting?.slides() ?? state.slides,
      residentLive: resident.available,
    }),
    map: () => mapPanel.snapshot(),
  });
}

async function start() {
  ui.speed.replaceChildren(...SPEEDS.map(({ value, label }) => new Option(label, value)));
  ui.speed.value = DEFAULT_SPEED;
  chart = new ChartView(ui.canvas);
  controller = new RunController({ chart, rate, load: loadRemoteLab });
  resident = new ResidentLive({
    onSample(sample) {
      chart.addResident(sample);
      if (!controller.running) chart.refresh();
    },
    onMissed() {
      chart.missResident();
    },
    onUnavailable: residentUnavailable,
  });
  mapPanel = createMapPanel();
  remedies = new RemediesPanel({
    elements: ui.remedies,
    controller,
    chart,
    resident,
    runAgain,
    canRunAgain,
    changed: updateInstanceStatus,
  });
  showDiscardCheck();
  showRemedyFigures(ui.remedyFigures, ui.remedyFiguresNote);
  wire();
  exposeDebugHook();
  updateExports();
  try {
    state.catalog = await loadTrimlab({ allocator: 'dlmalloc' });
  } catch (error) {
    ui.status.textContent = 'The WebAssembly module could not be loaded (run make site).';
    showError(error);
    return;
  }
  resident.readNow(state.catalog); // whether live readings exist here: else, say so at once
  fillScenarioPicker(ui.scenario, state.catalog.scenarios(), DEFAULT_SCENARIO);
  selectScenario(DEFAULT_SCENARIO);
  await loadDefaultNative();
  updateInstanceStatus();
  setBusy(false);
  state.ready = true;
  updateExports();
  ui.status.textContent = 'Ready: choose a scenario and press Run.';
  // Time to interactive for `make bench` (ms since navigation start).
  performance.mark('trimlab-ready');
  // A link sets the controls; with `run` it runs, with `present` it opens presenter mode.
  const link = applyLink();
  if (link.present) onPresent();
  else if (link.run) ui.form.requestSubmit();
}

start();
