// The demo server's live reading of the page's resident memory (docs/results-format.md's
// "resident_bytes", read from the browser's process by tools/resident.mjs):
//   GET /api/resident?bytes=N&tag=HEX32&at=ADDR
// answers 200 {host, resident_bytes, host_rss_bytes, mapping_bytes, matched}, 404 when no browser
// process of this user holds that memory, 403 when the kernel refuses or another site sent the
// request, 400 for a bad parameter, 429 above RATE_PER_SECOND requests. Only numbers and fixed
// words come back: never a pid, a path or a command line.
//   GET /api/resident-map?bytes=N&tag=HEX32&at=ADDR
// its sibling, under the same rules and the same rate limit (one bucket for both): which pages of
// that memory are resident, 200 {host, matched, page_bytes, runs} (runs alternate absent and
// present kernel pages from the memory's start: web/memory-map.js's Residency), for the page's
// memory map.
import { cleanLine, quote } from '../web/message.js';
import { ResidentDenied, TAG_BYTES, createResidentReader } from './resident.mjs';

export const RESIDENT_PATH = '/api/resident';
export const RESIDENT_MAP_PATH = '/api/resident-map';
export const RATE_PER_SECOND = 50;
const PAGE = 65536;
const MAX_BYTES = 2 ** 32;
const PARAMETERS = ['bytes', 'tag', 'at'];

/**
 * A token bucket: at most `perSecond` requests in any second, `perSecond` at once after a pause.
 * @param {number} perSecond
 * @param {() => number} now milliseconds
 * @returns {() => boolean} whether one more request may go through now
 */
export function rateLimiter(perSecond, now = () => performance.now()) {
  let tokens = perSecond;
  let last = now();
  return () => {
    const time = now();
    tokens = Math.min(perSecond, tokens + ((time - last) * perSecond) / 1000);
    last = time;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/** A whole number written in plain decimal digits, or NaN. */
const whole = (/** @type {string} */ text) => (/^\d{1,16}$/.test(text) ? Number(text) : NaN);

/**
 * The query of a request to RESIDENT_PATH: {query} or {error} (one line naming the value and
 * what is allowed).
 * @param {URLSearchParams} params
 * @returns {{query?: {bytes: number, tag: string, at: number}, error?: string}}
 */
export function parseResidentQuery(params) {
  for (const key of new Set(params.keys()))
    if (!PARAMETERS.includes(key))
      return { error: `unknown parameter '${quote(key)}' (allowed: bytes, tag, at)` };
  for (const key of PARAMETERS) {
    const count = params.getAll(key).length;
    if (count !== 1)
      return {
        error: `parameter ${key} ${count ? `given ${count} times` : 'missing'} (allowed: bytes, tag and at, once each)`,
      };
  }
  const [bytesText, tagText, atText] = PARAMETERS.map((key) => String(params.get(key)));
  const bytes = whole(bytesText);
  if (!(bytes >= PAGE && bytes <= MAX_BYTES && bytes % PAGE === 0))
    return {
      error: `bytes '${quote(bytesText)}' is not a memory size (allowed: a multiple of ${PAGE} from ${PAGE} to ${MAX_BYTES})`,
    };
  if (!/^[0-9a-fA-F]{32}$/.test(tagText))
    return { error: `tag '${quote(tagText)}' is not a tag (allowed: ${TAG_BYTES * 2} hex digits)` };
  const at = whole(atText);
  if (!(at <= bytes - TAG_BYTES))
    return {
      error: `at '${quote(atText)}' is not an address of the tag (allowed: 0 to ${bytes - TAG_BYTES})`,
    };
  return { query: { bytes, tag: tagText.toLowerCase(), at } };
}

// What a browser's Sec-Fetch-Site may say of a request this endpoint answers: the page's own
// (same-origin) or one typed in the address bar (none). Another site's requests (no-cors ones
// included) are refused before the rate limit, so they cannot use up the page's share; a request
// without the header (curl, Node) is not a browser's and goes through.
const OWN_SITE = ['same-origin', 'none'];

/** @typedef {{status: number, body: object, headers: Record<string, string>}} Answer */

/** @type {(status: number, body: object, headers?: Record<string, string>) => Answer} */
const answer = (status, body, headers = {}) => ({ status, body, headers });
/** @type {(status: number, text: string, headers?: Record<string, string>) => Answer} */
const refusal = (status, text, headers) => answer(status, { error: cleanLine(text) }, headers);

/**
 * The endpoints of one server: their one rate limit and their own reader (and the reader's
 * cache).
 * @param {{reader?: {read: typeof import('./resident.mjs').readResident,
 *   readMap?: ReturnType<typeof createResidentReader>['readMap']}, perSecond?: number,
 *   now?: () => number}} [options]
 * @returns {(search: string, fetchSite?: string, path?: string) => Answer} what to answer to a
 *   request with this query string and Sec-Fetch-Site header (undefined when absent), to
 *   RESIDENT_PATH (the default) or RESIDENT_MAP_PATH
 */
export function residentEndpoint({
  reader = createResidentReader(),
  perSecond = RATE_PER_SECOND,
  now,
} = {}) {
  const allow = rateLimiter(perSecond, now);
  return (search, fetchSite, path = RESIDENT_PATH) => {
    if (fetchSite !== undefined && !OWN_SITE.includes(fetchSite))
      return refusal(
        403,
        `request from another site refused: Sec-Fetch-Site '${quote(fetchSite)}' (allowed: same-origin, none)`,
      );
    if (!allow())
      return refusal(429, `too many requests (allowed: ${perSecond} per second)`, {
        'Retry-After': '1',
      });
    const { query, error } = parseResidentQuery(new URLSearchParams(search));
    if (!query) return refusal(400, String(error));
    let reading;
    try {
      reading = path === RESIDENT_MAP_PATH ? reader.readMap?.(query) : reader.read(query);
    } catch (failure) {
      if (failure instanceof ResidentDenied) return refusal(403, failure.message);
      return refusal(500, "reading the browser processes' memory failed");
    }
    if (!reading)
      return refusal(404, `no mapping of ${query.bytes} bytes in a browser process of this user`);
    if ('residency' in reading) {
      const { host, matched, residency } = reading;
      return answer(200, { host, matched, page_bytes: residency.page_bytes, runs: residency.runs });
    }
    const { host, resident_bytes, host_rss_bytes, mapping_bytes, matched } = reading;
    return answer(200, { host, resident_bytes, host_rss_bytes, mapping_bytes, matched });
  };
}
