// @ts-check
// The memory map, pure: every 64 KiB page of the module's linear memory in one class, from the
// module's view (tl_wasm_map: live, free, above, static by the run's own blocks and sbrk's
// high-water mark) and the kernel's residency (run-length encoded: GET /api/resident-map in the
// page, /proc/self/pagemap under Node). A free page the kernel holds is cached: the retained
// cache. Also the run-length text the results format carries maps in (src/engine/memory_map.h
// writes it; this reads it) and the counts a page draws. No DOM, no I/O.

/** The demo server's residency of the page's memory (tools/resident-api.mjs): ask it with the
 *  query /api/resident takes (bytes, tag, at), at most as often (one rate limit for both). */
export const RESIDENT_MAP_URL = '/api/resident-map';

/** The classes in the order of the module's codes (src/engine/memory_map.h). */
export const CLASSES = Object.freeze(['live', 'cached', 'free', 'above', 'static']);
/** Each class's letter in the run-length text, in the same order. */
export const LETTERS = 'lcfas';
/** The moments a run's maps are taken at, in the order of the module's bits
 *  (tl_wasm_map_moments), and those that show the sample before the one completing them. */
export const MAP_MOMENTS = Object.freeze(['work', 'free', 'trim']);
export const PREVIOUS_MOMENTS = Object.freeze(['work', 'free']);
/** Pages of a module's map at most: its 512 MiB ceiling in 64 KiB pages (TL_WASM_MAP_PAGES). */
export const MAP_PAGES = 8192;
const CACHED = 1;
const FREE = 2;
const MIB = 1024 * 1024;

/**
 * The kernel's residency of a memory: `page_bytes` pages (the kernel's, 4096 here) from the
 * memory's start, in runs that alternate absent, present, absent, ... starting with absent (a
 * first run of 0 when the first page is present).
 * @typedef {{page_bytes: number, runs: number[]}} Residency
 */

/**
 * @typedef {{live: number, cached: number, free: number, above: number, static: number}} ClassCounts
 *   pages per class
 */

/**
 * Runs of pagemap entries that have every bit of `mask` in their high 32-bit word: what
 * /proc/PID/pagemap gives as 64-bit entries, read as 32-bit halves (little-endian: high word
 * second).
 * @param {Uint32Array} entries
 * @param {number} count entries to read
 * @param {number} mask bits of the high word a present page has
 * @returns {number[]} runs, absent first (Residency.runs)
 */
export function presentRuns(entries, count, mask) {
  /** @type {number[]} */
  const runs = [];
  let present = false;
  let length = 0;
  for (let i = 0; i < count; i++) {
    // >>> 0: bitwise results are signed, and bit 31 is the present bit
    const now = (entries[2 * i + 1] & mask) >>> 0 === mask >>> 0;
    if (now !== present) {
      runs.push(length);
      present = now;
      length = 0;
    }
    length++;
  }
  runs.push(length);
  return runs;
}

/**
 * The residency in a 200 answer of RESIDENT_MAP_URL for a memory of `bytes`, or null when the
 * answer is not one (its runs must cover the memory exactly, in whole kernel pages).
 * @param {unknown} body the answer's JSON
 * @param {number} bytes the memory's byteLength asked about
 * @returns {Residency|null}
 */
export function residencyFromAnswer(body, bytes) {
  const answer = /** @type {{page_bytes?: unknown, runs?: unknown}} */ (body ?? {});
  const { page_bytes: pageBytes, runs } = answer;
  if (typeof pageBytes !== 'number' || !Number.isInteger(pageBytes) || pageBytes < 1) return null;
  if (!Array.isArray(runs) || !runs.every((n) => Number.isInteger(n) && n >= 0)) return null;
  const pages = runs.reduce((sum, n) => sum + n, 0);
  return pages * pageBytes === bytes ? { page_bytes: pageBytes, runs } : null;
}

/**
 * Whether any kernel page of each of `pages` map pages of `pageBytes` is present.
 * @param {Residency} residency
 * @param {number} pages
 * @param {number} pageBytes the map's page (65536)
 * @returns {Uint8Array} 1 where resident
 */
export function residentPages(residency, pages, pageBytes) {
  const resident = new Uint8Array(pages);
  const per = pageBytes / residency.page_bytes;
  let at = 0;
  residency.runs.forEach((length, i) => {
    if (i % 2 === 1)
      for (
        let page = Math.floor(at / per);
        page < Math.min(pages, Math.ceil((at + length) / per));
        page++
      )
        resident[page] = 1;
    at += length;
  });
  return resident;
}

/**
 * The page classes: the module's, with every free page the kernel holds made cached.
 * @param {Uint8Array} moduleClasses the module's codes (0 live, 2 free, 3 above, 4 static)
 * @param {Residency} residency of the module's memory
 * @param {number} pageBytes the module's page
 * @returns {Uint8Array}
 */
export function combine(moduleClasses, residency, pageBytes) {
  const resident = residentPages(residency, moduleClasses.length, pageBytes);
  return moduleClasses.map((code, page) => (code === FREE && resident[page] ? CACHED : code));
}

/**
 * Pages per class.
 * @param {Uint8Array} classes
 * @returns {ClassCounts}
 */
export function countClasses(classes) {
  const counts = [0, 0, 0, 0, 0];
  for (const code of classes) counts[code < counts.length ? code : FREE]++;
  return /** @type {ClassCounts} */ (
    Object.fromEntries(CLASSES.map((name, i) => [name, counts[i]]))
  );
}

/**
 * The classes of a map's run-length text ("5s12l300c"), or null when it is not one.
 * @param {string} text
 * @param {number} [maxPages] refused beyond this many pages
 * @returns {Uint8Array|null}
 */
export function decodeClasses(text, maxPages = 2 ** 24) {
  if (!/^(?:[1-9]\d{0,11}[lcfas])*$/.test(text)) return null;
  /** @type {[number, number][]} */
  const runs = [];
  let pages = 0;
  for (const [, digits, letter] of text.matchAll(/(\d+)([lcfas])/g)) {
    pages += Number(digits);
    if (pages > maxPages) return null;
    runs.push([Number(digits), LETTERS.indexOf(letter)]);
  }
  const classes = new Uint8Array(pages);
  let at = 0;
  for (const [length, code] of runs) {
    classes.fill(code, at, at + length);
    at += length;
  }
  return classes;
}

/**
 * What a map says in MiB: each class, and of the memory kept (live and cached pages) what is
 * in use (the bytes the run's blocks asked for), fragmentation (the rest of the live pages: free
 * space on pages that hold live data, which no allocator can give back) and retention (the
 * cached pages: whole free pages kept resident, which trim gives back natively).
 * @param {Uint8Array} classes
 * @param {number} pageBytes
 * @param {number} heldBytes inside the map
 * @returns {ClassCounts & {kept: number, in_use: number, fragmentation: number, retention: number}}
 */
export function mapSummary(classes, pageBytes, heldBytes) {
  const pages = countClasses(classes);
  const mib = (/** @type {number} */ bytes) => bytes / MIB;
  const live = pages.live * pageBytes;
  const inUse = Math.min(heldBytes, live);
  return {
    live: mib(live),
    cached: mib(pages.cached * pageBytes),
    free: mib(pages.free * pageBytes),
    above: mib(pages.above * pageBytes),
    static: mib(pages.static * pageBytes),
    kept: mib(live + pages.cached * pageBytes),
    in_use: mib(inUse),
    fragmentation: mib(live - inUse),
    retention: mib(pages.cached * pageBytes),
  };
}
