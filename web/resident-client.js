// @ts-check
// The page's client of the demo server's live reading (GET /api/resident, tools/resident-api.mjs):
// the resident bytes of the module's linear memory as the kernel counts them, and the RSS of the
// browser process that holds it. No in-page API sees this memory. Polls at most every
// MIN_INTERVAL_MS, one request at a time, until stopped; where the page is served by another
// server (a static server answers 404 without JSON, or nothing answers) or the endpoint refuses,
// it says why in one line. readResident() asks its sibling /api/resident-map the same way
// (web/map-live.js: the memory map's residency).
import { cleanLine, quote } from './message.js';

export const RESIDENT_URL = '/api/resident';
export const MIN_INTERVAL_MS = 100;
const HOSTS = ['chromium', 'firefox'];

/**
 * What the page knows about its memory: byteLength, the 32 hex digits of its tag, the tag's
 * address in linear memory.
 * @typedef {{bytes: number, tag: string, at: number}} ResidentTarget
 */

/** @typedef {{resident_bytes: number, host_rss_bytes: number, host: string}} ResidentSample */

/**
 * @typedef {object} ResidentPollOptions
 * @property {() => ResidentTarget | null} target read before every request (the memory grows);
 *   null: nothing to ask about now
 * @property {(sample: ResidentSample) => void} onSample
 * @property {(reason: string, stopped: boolean, missing: boolean) => void} onProblem one line;
 *   `stopped`: polling has ended (the endpoint is absent or refuses for good), otherwise it goes
 *   on (no mapping of this size yet, too many requests); `missing`: no mapping of the size
 * @property {number} [intervalMs] between the starts of two requests, at least MIN_INTERVAL_MS
 * @property {typeof fetch} [fetch]
 * @property {() => number} [now] milliseconds
 * @property {(ms: number, signal: AbortSignal) => Promise<void>} [wait] resolves after `ms` or
 *   once `signal` aborts
 */

/** @param {number} ms @param {AbortSignal} signal */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

/** The sample in `body` when it is exactly what RESIDENT_URL's 200 carries, else null. */
function readingOf(/** @type {any} */ body) {
  const count = (/** @type {unknown} */ v) => Number.isSafeInteger(v) && Number(v) >= 0;
  const reading =
    body !== null &&
    typeof body === 'object' &&
    HOSTS.includes(body.host) &&
    count(body.resident_bytes) &&
    count(body.host_rss_bytes);
  if (!reading) return null;
  const { resident_bytes, host_rss_bytes, host } = body;
  return { resident_bytes, host_rss_bytes, host };
}

/**
 * An endpoint of the demo server that takes a ResidentTarget: its path, and what a 200's JSON
 * body gives (null: not an answer of this endpoint).
 * @typedef {{url: string, sampleOf: (body: any, target?: ResidentTarget) => any}} Endpoint
 */

/** @type {Endpoint} */
export const RESIDENT_ENDPOINT = Object.freeze({ url: RESIDENT_URL, sampleOf: readingOf });

/** The JSON body of `response`, or undefined when it is not JSON. */
async function jsonOf(/** @type {Response} */ response) {
  if (!/^application\/json\b/.test(response.headers.get('content-type') ?? '')) return undefined;
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

const PREFIX = 'resident memory is not available';

/**
 * What one answer means: a sample, or a problem and whether to go on asking.
 * @param {Response} response
 * @param {Endpoint} [endpoint] the endpoint asked (RESIDENT_URL's by default)
 * @returns {Promise<{sample?: any, problem?: string, stop?: boolean,
 *   missing?: boolean}>} missing: the server found no mapping of the memory's size
 */
export async function interpret(response, { url, sampleOf } = RESIDENT_ENDPOINT) {
  const body = await jsonOf(response);
  const sample = response.status === 200 ? sampleOf(body) : null;
  if (sample) return { sample };
  if (body === undefined && response.status === 404)
    return {
      problem: `${PREFIX}: this page's server has no ${url} (HTTP 404); serve the page with tools/serve.mjs (make demo)`,
      stop: true,
    };
  const said = typeof body?.error === 'string' ? `: ${quote(body.error)}` : '';
  if (response.status === 200)
    return { problem: `${PREFIX}: an unexpected answer from ${url}`, stop: true };
  // No mapping of this size (yet: the memory may grow into one) or a burst: ask again later.
  const missing = response.status === 404 && said !== '';
  const transient = missing || response.status === 429;
  return { problem: `${PREFIX} (HTTP ${response.status})${said}`, stop: !transient, missing };
}

/**
 * One reading of `target`: a sample, or a problem (one clean line) and whether asking again
 * is pointless. A request aborted through `signal` resolves with neither.
 * @param {ResidentTarget} target
 * @param {{fetch?: typeof fetch, signal?: AbortSignal, endpoint?: Endpoint}} [options]
 * @returns {Promise<{sample?: any, problem?: string, stop?: boolean,
 *   missing?: boolean}>}
 */
export async function readResident(
  target,
  { fetch: fetchFn = globalThis.fetch, signal, endpoint = RESIDENT_ENDPOINT } = {},
) {
  const { bytes, tag, at } = target;
  const query = new URLSearchParams({ bytes: String(bytes), tag, at: String(at) });
  const { url, sampleOf } = endpoint;
  let outcome;
  try {
    const response = await fetchFn(`${url}?${query}`, { signal });
    outcome = await interpret(response, { url, sampleOf: (body) => sampleOf(body, target) });
  } catch (error) {
    if (signal?.aborted) return {};
    const reason = quote(/** @type {Error} */ (error)?.message ?? error);
    outcome = { problem: `${PREFIX}: ${url} cannot be reached (${reason})`, stop: true };
  }
  return outcome.sample ? outcome : { ...outcome, problem: cleanLine(String(outcome.problem)) };
}

/**
 * Starts polling; stop() ends it at once: no request is made and no callback runs after it.
 * @param {ResidentPollOptions} options
 * @returns {{stop: () => void, done: Promise<void>}} `done` settles when polling has ended
 */
export function pollResident({
  target,
  onSample,
  onProblem,
  intervalMs = MIN_INTERVAL_MS,
  fetch: fetchFn = globalThis.fetch,
  now = () => performance.now(),
  wait = sleep,
}) {
  const controller = new AbortController();
  const { signal } = controller;
  const interval = Math.max(MIN_INTERVAL_MS, intervalMs);

  /** One request; whether to go on. */
  async function ask(/** @type {ResidentTarget} */ current) {
    const outcome = await readResident(current, { fetch: fetchFn, signal });
    if (signal.aborted) return false;
    if (outcome.sample) onSample(outcome.sample);
    else onProblem(String(outcome.problem), Boolean(outcome.stop), Boolean(outcome.missing));
    return !outcome.stop;
  }

  async function loop() {
    while (!signal.aborted) {
      const started = now();
      const current = target();
      if (current && !(await ask(current))) break;
      if (signal.aborted) break;
      await wait(Math.max(0, interval - (now() - started)), signal);
    }
  }

  return { stop: () => controller.abort(), done: loop() };
}
