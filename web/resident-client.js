// @ts-check
// The page's client of the demo server's live reading (GET /api/resident, tools/resident-api.mjs):
// the resident bytes of the module's linear memory as the kernel counts them, and the RSS of the
// browser process that holds it. No in-page API sees this memory. Polls at most every
// MIN_INTERVAL_MS, one request at a time, until stopped; where the page is served by another
// server (a static server answers 404 without JSON, or nothing answers) or the endpoint refuses,
// it says why in one line.
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

/** Whether `body` is exactly what the endpoint's 200 carries. */
function isReading(/** @type {any} */ body) {
  const count = (/** @type {unknown} */ v) => Number.isSafeInteger(v) && Number(v) >= 0;
  return (
    body !== null &&
    typeof body === 'object' &&
    HOSTS.includes(body.host) &&
    count(body.resident_bytes) &&
    count(body.host_rss_bytes)
  );
}

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
 * @returns {Promise<{sample?: ResidentSample, problem?: string, stop?: boolean,
 *   missing?: boolean}>} missing: the server found no mapping of the memory's size
 */
export async function interpret(response) {
  const body = await jsonOf(response);
  if (response.status === 200 && isReading(body)) {
    const { resident_bytes, host_rss_bytes, host } = body;
    return { sample: { resident_bytes, host_rss_bytes, host } };
  }
  if (body === undefined && response.status === 404)
    return {
      problem: `${PREFIX}: this page's server has no ${RESIDENT_URL} (HTTP 404); serve the page with tools/serve.mjs (make demo)`,
      stop: true,
    };
  const said = typeof body?.error === 'string' ? `: ${quote(body.error)}` : '';
  if (response.status === 200)
    return { problem: `${PREFIX}: an unexpected answer from ${RESIDENT_URL}`, stop: true };
  // No mapping of this size (yet: the memory may grow into one) or a burst: ask again later.
  const missing = response.status === 404 && said !== '';
  const transient = missing || response.status === 429;
  return { problem: `${PREFIX} (HTTP ${response.status})${said}`, stop: !transient, missing };
}

/**
 * One reading of `target`: a sample, or a problem (one clean line) and whether asking again
 * is pointless. A request aborted through `signal` resolves with neither.
 * @param {ResidentTarget} target
 * @param {{fetch?: typeof fetch, signal?: AbortSignal}} [options]
 * @returns {Promise<{sample?: ResidentSample, problem?: string, stop?: boolean,
 *   missing?: boolean}>}
 */
export async function readResident(
  { bytes, tag, at },
  { fetch: fetchFn = globalThis.fetch, signal } = {},
) {
  const query = new URLSearchParams({ bytes: String(bytes), tag, at: String(at) });
  let outcome;
  try {
    outcome = await interpret(await fetchFn(`${RESIDENT_URL}?${query}`, { signal }));
  } catch (error) {
    if (signal?.aborted) return {};
    const reason = quote(/** @type {Error} */ (error)?.message ?? error);
    outcome = { problem: `${PREFIX}: ${RESIDENT_URL} cannot be reached (${reason})`, stop: true };
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
