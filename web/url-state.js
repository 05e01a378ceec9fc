// A link reproduces a run: the page's address carries the scenario, its parameters, the
// allocator, the instance mode, the speed and, when a results file was imported, that file's
// name; opening it sets the controls, and with `run` it runs. Presenter mode has its own key,
// `present`. Pure: app.js reads the address and writes it after each run.
import { quote } from './message.js';

/** The keys that are not a scenario's parameters. */
export const LINK_KEYS = Object.freeze([
  'scenario',
  'allocator',
  'instance',
  'speed',
  'data',
  'run',
  'present',
]);

/**
 * @typedef {object} LinkChoices
 * @property {string} scenario
 * @property {Record<string, string>} params as typed
 * @property {string} allocator
 * @property {string} instance 'fresh' or 'reuse'
 * @property {string} speed a value of the speed control
 * @property {string|null} [data] the imported results file's name
 * @property {boolean} [run] run on opening
 */

/**
 * The query of a link to these choices ("?scenario=highwater&total_mib=300&…&run").
 * @param {LinkChoices} choices
 * @returns {string}
 */
export function linkQuery({ scenario, params, allocator, instance, speed, data, run }) {
  const query = new URLSearchParams({ scenario, ...params, allocator, instance, speed });
  if (data) query.set('data', data);
  // `run` stands alone: a key without a value.
  return `?${query}${run ? '&run' : ''}`;
}

/**
 * What a link asks for, checked against what the page offers; each value that is not offered
 * gives one line (quoted through the one sanitiser) and is left out.
 * @param {string} search location.search
 * @param {{scenarios: {name: string, params: {name: string}[]}[], allocators: string[],
 *          instances: string[], speeds: string[]}} offered
 * @returns {{choices: Partial<LinkChoices>, problems: string[], present: boolean}|null} null: the
 *   address asks for nothing
 */
export function readLink(search, { scenarios, allocators, instances, speeds }) {
  const query = new URLSearchParams(search);
  if ([...query.keys()].length === 0) return null;
  const problems = [];
  /** @type {Partial<LinkChoices>} */
  const choices = {};
  const pick = (key, allowed) => {
    const value = query.get(key);
    if (value === null) return undefined;
    if (allowed.includes(value)) return value;
    problems.push(`The link's ${key} '${quote(value)}' is not one of ${allowed.join(', ')}.`);
    return undefined;
  };
  const scenario = scenarios.find(
    (s) =>
      s.name ===
      pick(
        'scenario',
        scenarios.map((s) => s.name),
      ),
  );
  if (scenario) choices.scenario = scenario.name;
  for (const [key, allowed] of [
    ['allocator', allocators],
    ['instance', instances],
    ['speed', speeds],
  ]) {
    const value = pick(key, allowed);
    if (value !== undefined) choices[key] = value;
  }
  const names = scenario?.params.map((p) => p.name) ?? [];
  choices.params = {};
  for (const [key, value] of query) {
    if (LINK_KEYS.includes(key)) continue;
    if (names.includes(key)) choices.params[key] = value;
    else
      problems.push(
        `The link's '${quote(key)}' is not a parameter of ${choices.scenario ?? 'the scenario'}.`,
      );
  }
  if (query.has('data')) choices.data = query.get('data');
  choices.run = query.has('run');
  return { choices, problems, present: query.has('present') };
}
