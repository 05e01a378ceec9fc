// The replay flow: a trace given to the page (picked or dropped, recognised by its magic bytes,
// not its name) is checked whole, then replayed live in the module through the run controller
// (web/run-controller.js), beside the native replays of the same trace; and what the page says
// about a replay. No DOM here: app.js shows the texts.
import { mib } from './units.js';

/** The scenario name a replay's run carries (results format). */
const REPLAY = 'replay';
/** The native replay's default, so its steps line up with the page's on the chart. */
const EVENTS_PER_STEP = 1000;

/**
 * Whether a file starts with a trace's magic bytes (the engine's: `lab.traceMagic()`); its name
 * does not count.
 * @param {Blob} file
 * @param {ArrayLike<number>} magic
 * @returns {Promise<boolean>}
 */
export async function isTrace(file, magic) {
  const head = new Uint8Array(await file.slice(0, magic.length).arrayBuffer());
  return head.length === magic.length && Array.from(head).every((byte, i) => byte === magic[i]);
}

/**
 * The run of a trace for the run controller. Its begin checks the whole trace first, so a bad
 * one is refused before the chart changes, then begins the replay with what the check counted,
 * and resolves with what the page shows while the replay is on the chart.
 * @param {File} file
 * @returns {{scenario: string, params: {events_per_step: number},
 *            begin: (lab: object) => Promise<{name: string,
 *              trace: {program: string, event_count: number}}>}}
 */
export function traceRun(file) {
  const params = { events_per_step: EVENTS_PER_STEP };
  return {
    scenario: REPLAY,
    params,
    async begin(lab) {
      const info = await lab.checkTrace(file);
      await lab.beginReplay(file, {
        trim: true,
        eventsPerStep: params.events_per_step,
        liveBlocks: info.max_live_blocks,
        events: info.events,
      });
      return { name: file.name, trace: { program: info.program, event_count: info.events } };
    },
  };
}

/**
 * The notice above the chart while a replay is on it: none when the native results hold a replay
 * of the same trace, else what to import.
 * @param {{program: string, event_count: number}} trace
 * @param {{on: object|null, off: object|null}} match from nativeForTrace()
 * @returns {string}
 */
export function replayNotice(trace, match) {
  if (match.on || match.off) return '';
  return (
    'The native results hold no ' +
    `replay of this trace (${trace.program}, ${trace.event_count} events): only the WebAssembly ` +
    'series can be drawn. Import the results of `trimlab replay TRACE --trim both --json FILE`.'
  );
}

/**
 * The replay's own figures, for the top of the summary: the trace's peak, linear memory at the
 * end and, when the native replays of the same trace are loaded, theirs beside it.
 * @param {{trace: {program: string, event_count: number, events_replayed: number,
 *          peak_requested_bytes: number}, samples: {footprint_bytes: number}[]}} run
 * @param {{on: object|null, off: object|null}} match from nativeForTrace()
 * @returns {string[]}
 */
export function replayFigures(run, match) {
  const { program, event_count: events, events_replayed: replayed } = run.trace;
  const native = [
    ['trim on', match.on],
    ['trim off', match.off],
  ]
    .filter(([, r]) => r)
    .map(
      ([name, r]) =>
        `${name}: peak ${mib(r.summary.peak_footprint_bytes)}, end ` +
        `${mib(r.summary.final_footprint_bytes)} MiB`,
    );
  return [
    `Trace ${program}: ${replayed} of ${events} events replayed; peak requested ` +
      `bytes (live, allocator-independent) ${mib(run.trace.peak_requested_bytes)} MiB; ` +
      `WebAssembly linear memory at the end ${mib(run.samples.at(-1).footprint_bytes)} MiB.`,
    native.length
      ? `Native replay of the same trace, RSS ${native.join('; ')}.`
      : 'No native replay of this trace is loaded (import the results of ' +
        '`trimlab replay TRACE --trim both --json FILE`).',
  ];
}

/**
 * What the sidebar says in place of the parameter fields while a replay is on the chart.
 * @param {{name: string, trace: {program: string, event_count: number}}} replay
 * @param {{events_per_step: number}} params the replay's
 * @param {string} scenario the scenario chosen for the next run
 * @returns {string}
 */
export function replaySidebar({ name, trace }, params, scenario) {
  return (
    `On the chart: the replay of ${programName(trace.program)} (${name}), ` +
    `${trace.event_count} events, ${params.events_per_step} a step. Run or another ` +
    `scenario brings back the parameters of ${scenario}.`
  );
}

/**
 * A recorded program's name for a heading: the last part of the path it was recorded at.
 * @param {string} program
 * @returns {string}
 */
export const programName = (program) => program.split('/').filter(Boolean).at(-1) ?? program;
