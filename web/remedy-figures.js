// What each remedy did and cost in each engine, as `make bench` measured it (its lifecycle part,
// tools/bench-lifecycle.mjs, written to docs/benchmarks.json and copied into the served tree by
// `make site`): the remedies panel's table, so that every figure the panel states comes from a
// measurement a reader can repeat. The file is served, so it is read defensively: anything not
// shaped as expected gives no table rather than a wrong one.
import { mib } from './units.js';

export const BENCHMARKS_URL = 'gen/data/benchmarks.json';

/** The scenario the panel shows (the benchmark also measures `buckets model=4M/4M/4M`). */
export const PANEL_SCENARIO = { scenario: 'highwater', params: 'total_mib=300' };

const ENGINE_NAMES = { node: 'Node', chromium: 'Chromium', firefox: 'Firefox ESR' };

/**
 * An engine's name with its version, e.g. "Chromium 156.0.8078.114".
 * @param {{engine: string, version: string}} measured
 * @returns {string}
 */
export const engineName = ({ engine, version }) => `${ENGINE_NAMES[engine] ?? engine} ${version}`;

/**
 * One remedy's measurement in an engine's lifecycle entry.
 * @param {{remedies: {state: string}[]}} measured
 * @param {'dropped'|'terminated'|'reloaded'} state
 */
export const remedyOf = (measured, state) => measured.remedies.find((r) => r.state === state);

/** @param {number[]} values */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const ms = (value) => `${Math.round(value).toLocaleString('en-US')} ms`;
const isBytes = (value) => Number.isSafeInteger(value) && value >= 0;
const isMs = (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isMsList = (list) => Array.isArray(list) && list.length > 0 && list.every(isMs);
const held = (h) => h !== null && typeof h === 'object' && isBytes(h.resident_bytes);

function isEntry(e) {
  return (
    e !== null &&
    typeof e === 'object' &&
    typeof e.engine === 'string' &&
    typeof e.version === 'string' &&
    isMs(e.instantiate?.cold_ms) &&
    isMs(e.instantiate?.cached_ms_median) &&
    isMsList(e.fresh_ms) &&
    isMsList(e.reused_ms) &&
    held(e.run_end) &&
    held(e.run_again) &&
    Array.isArray(e.remedies)
  );
}

/** What a remedy did, in a few words: when the memory went, and the process's RSS. */
function remedyCell(remedy) {
  if (!remedy || typeof remedy !== 'object') return 'not measured';
  if (typeof remedy.skipped === 'string') return `– (${remedy.skipped})`;
  if (!isMs(remedy.ms)) return 'not measured';
  const rss =
    isBytes(remedy.host_rss_before_bytes) && isBytes(remedy.host_rss_bytes)
      ? `; process ${mib(remedy.host_rss_before_bytes)} → ${mib(remedy.host_rss_bytes)} MiB`
      : '';
  if (!remedy.returned) return `still resident after ${Math.round(remedy.ms / 1000)} s${rss}`;
  return `returned in ${ms(remedy.ms)}${rss}`;
}

/** Running again: how much the module's resident memory grew, and the run's time. */
function againCell(e) {
  const grew = e.run_again.resident_bytes - e.run_end.resident_bytes;
  return (
    `grows ${mib(Math.max(0, grew))} MiB; the run takes ${ms(median(e.reused_ms))} ` +
    `instead of ${ms(median(e.fresh_ms))} on a fresh instance`
  );
}

/**
 * @typedef {{caption: string, engines: string[],
 *            rows: {remedy: string, cells: string[]}[]}} RemedyTable
 */

/**
 * The panel's table from the benchmark document: a row per remedy and one for a fresh instance's
 * cost, a column per engine, for PANEL_SCENARIO. Null when the document has no usable lifecycle
 * part for it.
 * @param {unknown} document docs/benchmarks.json, parsed
 * @returns {RemedyTable|null}
 */
export function remedyTable(document) {
  const lifecycle = /** @type {any} */ (document)?.lifecycle;
  if (!Array.isArray(lifecycle?.engines)) return null;
  const entries = lifecycle.engines.filter(
    (e) =>
      isEntry(e) && e.scenario === PANEL_SCENARIO.scenario && e.params === PANEL_SCENARIO.params,
  );
  if (entries.length === 0) return null;
  const date = /** @type {any} */ (document).date;
  const when = typeof date === 'string' && /^\d{4}-\d\d-\d\d/.test(date) ? date.slice(0, 10) : '';
  const collection = (e) =>
    remedyOf(e, 'dropped')?.forced ? ' (a collection forced)' : ' (the engine left to collect)';
  return {
    caption:
      `Measured by make bench${when ? ` on ${when}` : ''}, ` +
      `${PANEL_SCENARIO.scenario} ${PANEL_SCENARIO.params} (dlmalloc): ` +
      `${mib(entries[0].run_end.resident_bytes)} MiB of the module resident at the run's end`,
    engines: entries.map(engineName),
    rows: [
      { remedy: 'Run again on this instance', cells: entries.map(againCell) },
      {
        remedy: 'Drop the instance',
        cells: entries.map((e) => remedyCell(remedyOf(e, 'dropped')) + collection(e)),
      },
      {
        remedy: 'Terminate the worker',
        cells: entries.map((e) => remedyCell(remedyOf(e, 'terminated'))),
      },
      { remedy: 'Reload', cells: entries.map((e) => remedyCell(remedyOf(e, 'reloaded'))) },
      {
        remedy: 'Cost: a fresh instance',
        cells: entries.map(
          (e) =>
            `${ms(e.instantiate.cold_ms)} the first time, ` +
            `${ms(e.instantiate.cached_ms_median)} cached`,
        ),
      },
    ],
  };
}
