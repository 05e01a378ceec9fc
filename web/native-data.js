// Finding the native runs that match a WebAssembly run, and saying whether their parameters are
// the same. Pure functions (no DOM), shared by the page and the Node tests.

const UNITS = { K: 1024, M: 1024 * 1024 };

/** A bucket model as bucket counts ("1024K/1M" → "1048576/1048576"), or the text unchanged
 *  when it is not a model: two spellings of one model compare equal. */
export function canonicalModel(text) {
  const parts = String(text).split('/');
  const counts = [];
  for (const part of parts) {
    const match = /^([0-9]+)([KMkm]?)$/.exec(part);
    if (!match) return String(text);
    counts.push(Number(match[1]) * (UNITS[match[2].toUpperCase()] ?? 1));
  }
  return counts.join('/');
}

/** One parameter value in a comparable form: integers as numbers, models as bucket counts. */
function comparable(value) {
  if (typeof value === 'number') return value;
  const text = String(value).trim();
  return /^[0-9]+$/.test(text) ? Number(text) : canonicalModel(text);
}

/** The names whose values differ between two params objects (missing counts as different). */
export function paramDifferences(a, b) {
  const names = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  return [...names].filter(
    (name) =>
      !Object.hasOwn(a ?? {}, name) ||
      !Object.hasOwn(b ?? {}, name) ||
      comparable(a[name]) !== comparable(b[name]),
  );
}

/** "cycles=5, block_mib=10" for messages. */
export function paramsLine(params) {
  return Object.entries(params ?? {})
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
}

/** Whether a run has samples to draw: a failed run (its process died) has none. */
const drawable = (run) => run.outcome !== 'failed';

/** The first drawable run of `scenario` with trim `trim` ('enabled' or 'disabled'), or null. */
export function findRun(document, scenario, trim) {
  return (
    document?.runs?.find(
      (run) => drawable(run) && run.scenario === scenario && run.trim === trim,
    ) ?? null
  );
}

/** The failed runs of a document (outcome "failed"), as "cycles, trim disabled: killed by
 *  signal 9 (SIGKILL)" lines for a notice. */
export function failedRuns(document) {
  return (document?.runs ?? [])
    .filter((run) => !drawable(run))
    .map((run) => `${run.scenario}, trim ${run.trim}: ${run.error}`);
}

/**
 * The native runs to show beside a WebAssembly run of `scenario` with `params`.
 * @returns {{on: object|null, off: object|null, differs: string[], nativeParams: object|null}}
 *   differs: names of parameters whose native value is not the chosen one.
 */
export function nativeFor(document, scenario, params) {
  return matchRuns(
    findRun(document, scenario, 'enabled'),
    findRun(document, scenario, 'disabled'),
    params,
  );
}

/** Like nativeFor for a replay: the native replays (scenario "replay") of the same trace, the
 *  one with the same `trace.program` and `trace.event_count`. */
export function nativeForTrace(document, trace, params) {
  const find = (trim) =>
    document?.runs?.find(
      (run) =>
        drawable(run) &&
        run.scenario === 'replay' &&
        run.trim === trim &&
        run.trace?.program === trace.program &&
        run.trace?.event_count === trace.event_count,
    ) ?? null;
  return matchRuns(find('enabled'), find('disabled'), params);
}

function matchRuns(on, off, params) {
  const nativeParams = (on ?? off)?.params ?? null;
  const differs = nativeParams ? paramDifferences(nativeParams, params) : [];
  return { on, off, differs, nativeParams };
}
