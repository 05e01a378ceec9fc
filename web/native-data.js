// Finding the native runs that match a WebAssembly run, and saying whether their parameters are
// the same. Pure functions (no DOM), shared by the page and the Node tests. A bucket model's
// spellings ("1024K/1M" and "1M/1M") are made one by the engine's canonical form, which the page
// passes in (lab.canonicalModel); without it models compare as text.

const asText = (text) => text;

/** One parameter value in a comparable form: integers as numbers, models in canonical form. */
function comparable(value, canonicalModel) {
  if (typeof value === 'number') return value;
  const text = String(value).trim();
  return /^[0-9]+$/.test(text) ? Number(text) : canonicalModel(text);
}

/** The names whose values differ between two params objects (missing counts as different).
 *  canonicalModel(text): a bucket model in canonical form, or the text when it is not one. */
export function paramDifferences(a, b, canonicalModel = asText) {
  const names = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  return [...names].filter(
    (name) =>
      !Object.hasOwn(a ?? {}, name) ||
      !Object.hasOwn(b ?? {}, name) ||
      comparable(a[name], canonicalModel) !== comparable(b[name], canonicalModel),
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
 *   differs: names of parameters whose native value is not the chosen one (paramDifferences,
 *   with `canonicalModel`).
 */
export function nativeFor(document, scenario, params, canonicalModel = asText) {
  return matchRuns(
    findRun(document, scenario, 'enabled'),
    findRun(document, scenario, 'disabled'),
    params,
    canonicalModel,
  );
}

/** Like nativeFor for a replay: the native replays (scenario "replay") of the same trace, the
 *  one with the same `trace.program` and `trace.event_count`. */
export function nativeForTrace(document, trace, params, canonicalModel = asText) {
  const find = (trim) =>
    document?.runs?.find(
      (run) =>
        drawable(run) &&
        run.scenario === 'replay' &&
        run.trim === trim &&
        run.trace?.program === trace.program &&
        run.trace?.event_count === trace.event_count,
    ) ?? null;
  return matchRuns(find('enabled'), find('disabled'), params, canonicalModel);
}

function matchRuns(on, off, params, canonicalModel) {
  const nativeParams = (on ?? off)?.params ?? null;
  const differs = nativeParams ? paramDifferences(nativeParams, params, canonicalModel) : [];
  return { on, off, differs, nativeParams };
}
