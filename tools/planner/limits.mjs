// @ts-check
// What-if limits for a replayed trace: whether its heap fits under a ceiling of linear memory and
// at which event it stops fitting (from one replay's heap end and memory at every step), and what
// Emscripten's growth settings make of its peak (its heap curve under another growth rule,
// tools/planner/growth.mjs); tools/trace-report.mjs prints them beside what was replayed.
import { memoryCurve } from './growth.mjs';

const MiB = 1024 * 1024;
/** The ceilings the report asks about: the demo module's 512 MiB, then 1, 2 and 4 GiB (wasm32's
 *  most). */
export const LIMITS = [512 * MiB, 1024 * MiB, 2048 * MiB, 4096 * MiB];

/**
 * Growth settings worth comparing, as Emscripten's link flags set them: the default geometric
 * step and cap, steeper or uncapped geometric steps, and linear steps.
 * @type {{name: string, rule: import('./growth.mjs').GrowthRule}[]}
 */
export const GROWTH_VARIANTS = [
  {
    name: 'default: MEMORY_GROWTH_GEOMETRIC_STEP=0.2, GEOMETRIC_CAP=96MB',
    rule: { geometricStep: 0.2, geometricCapBytes: 96 * MiB, linearStepBytes: 0 },
  },
  {
    name: 'MEMORY_GROWTH_GEOMETRIC_STEP=0.5',
    rule: { geometricStep: 0.5, geometricCapBytes: 96 * MiB, linearStepBytes: 0 },
  },
  {
    name: 'MEMORY_GROWTH_GEOMETRIC_STEP=1.0, GEOMETRIC_CAP=0 (doubling, no cap)',
    rule: { geometricStep: 1, geometricCapBytes: 0, linearStepBytes: 0 },
  },
  {
    name: 'MEMORY_GROWTH_GEOMETRIC_CAP=16MB',
    rule: { geometricStep: 0.2, geometricCapBytes: 16 * MiB, linearStepBytes: 0 },
  },
  {
    name: 'MEMORY_GROWTH_LINEAR_STEP=16MB',
    rule: { geometricStep: 0, geometricCapBytes: 0, linearStepBytes: 16 * MiB },
  },
  {
    name: 'MEMORY_GROWTH_LINEAR_STEP=64MB',
    rule: { geometricStep: 0, geometricCapBytes: 0, linearStepBytes: 64 * MiB },
  },
];

/**
 * @typedef {{samples: {label: string, sbrk_bytes: number, footprint_bytes: number}[],
 *   outcome: string, trace: {events_replayed: number, event_count: number}}} ReplayRun
 * @typedef {{limit: number, fits: boolean|null, memory: number|null,
 *   events: [number, number]|null, source: 'replayed'|'computed'}} LimitFigure
 *   `fits` null: not known (the run it is computed from ended out of memory below this limit);
 *   `memory`: linear memory at the end when it fits; `events`: the events of the step in which
 *   it stopped fitting (replayed: the exact event, twice).
 */

/** The events a replay step took, from its label ("events 1–1000 of 123456"): null for the
 *  samples that are no step of the trace (before it, trim, final). */
export function stepEvents(/** @type {string} */ label) {
  const found = /^events (\d+)\u2013(\d+) of \d+$/.exec(label);
  return found ? /** @type {[number, number]} */ ([Number(found[1]), Number(found[2])]) : null;
}

/**
 * Whether `run`, replayed under `ceiling`, fits under a lower `limit`, and where it stops
 * fitting. A module that differs only in its ceiling grows exactly as the run's did until a
 * request passes its ceiling (growth is clamped to the ceiling, and a request at or below it
 * needs no more), so: it fails in the first step whose heap end is above `limit`, and where none
 * is, its memory is the run's capped at `limit`. Past the end of a run that ended out of memory
 * only a lower limit is known: the request that failed fails there too.
 * @param {ReplayRun} run @param {number} ceiling
 * @param {number} limit
 * @returns {LimitFigure}
 */
export function computedLimit(run, ceiling, limit) {
  const failedAt = run.samples.findIndex((s) => s.sbrk_bytes > limit);
  if (failedAt >= 0)
    return {
      limit,
      fits: false,
      memory: null,
      events: stepEvents(run.samples[failedAt].label),
      source: 'computed',
    };
  if (run.outcome === 'completed') {
    const memory = Math.min(limit, run.samples.at(-1)?.footprint_bytes ?? 0);
    return { limit, fits: true, memory, events: null, source: 'computed' };
  }
  const last = run.trace.events_replayed;
  return limit > ceiling
    ? { limit, fits: null, memory: null, events: null, source: 'computed' }
    : { limit, fits: false, memory: null, events: [last, last], source: 'computed' };
}

/**
 * What a run replayed under its own module's ceiling says for that limit.
 * @param {ReplayRun} run @param {number} limit
 * @returns {LimitFigure}
 */
export function replayedLimit(run, limit) {
  const fits = run.outcome === 'completed';
  const last = run.trace.events_replayed; // an oom run counts the event that failed
  return {
    limit,
    fits,
    memory: fits ? (run.samples.at(-1)?.footprint_bytes ?? null) : null,
    events: fits ? null : [last, last],
    source: 'replayed',
  };
}

/**
 * Every limit of LIMITS for a trace: replayed where a run ran under that ceiling (`replayed`:
 * ceiling → run), computed from the fullest run elsewhere (the modules that ran differ only in
 * their ceiling).
 * @param {Map<number, ReplayRun>} replayed
 * @returns {LimitFigure[]}
 */
export function limitsOf(replayed) {
  const [ceiling, fullest] = [...replayed.entries()].sort(([a], [b]) => b - a)[0];
  return LIMITS.map((limit) =>
    replayed.has(limit)
      ? replayedLimit(/** @type {ReplayRun} */ (replayed.get(limit)), limit)
      : computedLimit(fullest, ceiling, limit),
  );
}

/**
 * Linear memory at the end of the run's heap curve under each growth setting, with the
 * module's initial memory and a 4 GiB ceiling (null: it does not fit).
 * @param {ReplayRun} run @param {import('./growth.mjs').ModuleFacts} facts
 */
export function growthWhatIf(run, facts) {
  const ends = run.samples.map((s) => s.sbrk_bytes);
  return GROWTH_VARIANTS.map(({ name, rule }) => {
    const { sizes, failedAt } = memoryCurve(ends, {
      ...facts,
      maximumBytes: LIMITS.at(-1) ?? 0,
      rule,
    });
    return { name, memory: failedAt === null ? (sizes.at(-1) ?? null) : null };
  });
}
