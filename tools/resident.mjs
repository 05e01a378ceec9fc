// @ts-check
// The kernel's view of a page's WebAssembly memory: among this user's Chromium renderers and
// Firefox content processes, the one anonymous rw-p mapping that holds the module's linear memory,
// and its resident bytes (the `Rss:` of its entry in /proc/PID/smaps). Chromium maps exactly the
// memory's byteLength; Firefox one page more, a header page before the buffer (measured: the
// buffer starts 4096 bytes into the mapping). Two memories of one size are told apart by the
// 16-byte tag the page wrote at a known address, read back through /proc/PID/mem; where that file
// cannot be read, a single mapping of the size is taken on size alone (matched: "size").
// Used by the demo server's /api/resident (tools/serve.mjs) and by the browser harness.
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

import { presentRuns } from '../web/memory-map.js';

/** @typedef {'chromium' | 'firefox'} BrowserKind */

/**
 * What the page knows about its memory: the memory's byteLength, the tag it wrote (32 hex
 * digits) and the tag's address in linear memory. `kind` and `pids` narrow the search.
 * @typedef {{bytes: number, tag: string, at: number, kind?: BrowserKind, pids?: number[]}} ResidentQuery
 */

/**
 * One reading. `pid` and `range` are for callers in this repository (the harness follows the
 * mapping after the page lets the memory go); the server never sends them.
 * @typedef {{host: BrowserKind, pid: number, range: Range, resident_bytes: number,
 *   host_rss_bytes: number, mapping_bytes: number, matched: 'tag' | 'size'}} ResidentReading
 */

/** Bytes a browser's mapping holds beyond the memory, and where the memory starts in it. */
export const LAYOUT = {
  chromium: { extra: 0, offset: 0 },
  firefox: { extra: 4096, offset: 4096 },
};
const KINDS = /** @type {BrowserKind[]} */ (Object.keys(LAYOUT));

export const TAG_BYTES = 16;
// smaps is read this much at a time and no further than the mapping's entry: the kernel builds
// the text as it is read, walking each mapping's page tables, so stopping early is what is cheap.
const SMAPS_CHUNK = 16384;

// pagemap's entry: bit 63 present (the high 32-bit word's bit 31). Another process's pages are
// counted present whether or not it shares them, as smaps' Rss: counts them.
const PRESENT = 0x80000000;
const PAGEMAP_ENTRY = 8;

/**
 * The residency of the memory in `range` of process `pid` (the memory starts `offset` bytes into
 * the mapping and has `bytes`), run-length encoded (web/memory-map.js); null when the process is
 * gone. Throws ResidentDenied when the kernel refuses its pagemap.
 * @param {string} proc
 * @param {{pid: number, range: Range}} mapping
 * @param {number} offset
 * @param {number} bytes
 * @returns {import('../web/memory-map.js').Residency|null}
 */
function residencyOf(proc, { pid, range }, offset, bytes) {
  const page = 4096;
  let fd;
  try {
    fd = openSync(join(proc, String(pid), 'pagemap'), 'r');
  } catch (error) {
    if (isDenied(error))
      throw new ResidentDenied(
        `permission denied reading the page map of a browser process of this user`,
      );
    return null;
  }
  try {
    const pages = bytes / page;
    const entries = new Uint32Array(pages * 2);
    const first = (range.start + BigInt(offset)) / BigInt(page);
    const got = readSync(fd, entries, 0, pages * PAGEMAP_ENTRY, Number(first) * PAGEMAP_ENTRY);
    return { page_bytes: page, runs: presentRuns(entries, got / PAGEMAP_ENTRY, PRESENT) };
  } finally {
    closeSync(fd);
  }
}

/** Permission denied by the kernel: the processes exist but their /proc files cannot be read. */
export class ResidentDenied extends Error {}

/**
 * The kind of browser content process a /proc/PID/cmdline names, or null. Both browsers rewrite
 * their command line into one space-separated string, so it is split on NUL and space.
 * @param {string} cmdline
 * @returns {BrowserKind | null}
 */
export function browserKind(cmdline) {
  const words = cmdline.split(/[\0 ]/).filter(Boolean);
  const program = basename(words[0] ?? '');
  if ((program === 'chromium' || program === 'chrome') && words.includes('--type=renderer'))
    return 'chromium';
  // A content process ends with its process type: "tab" (not socket, rdd, utility, ...).
  if ((program === 'firefox-esr' || program === 'firefox') && words.includes('-contentproc'))
    return words.at(-1) === 'tab' ? 'firefox' : null;
  return null;
}

const isDenied = (/** @type {any} */ error) => error?.code === 'EACCES' || error?.code === 'EPERM';

/**
 * The real uid and the RSS in bytes (VmRSS) of a process, from its status file (readable even
 * where the kernel hides the rest); throws when the process is gone.
 * @param {string} proc
 * @param {number} pid
 */
function processStatus(proc, pid) {
  const text = readFileSync(join(proc, String(pid), 'status'), 'latin1');
  const owner = /^Uid:\s+(\d+)/m.exec(text);
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(text);
  return { uid: owner ? Number(owner[1]) : -1, rss: rss ? Number(rss[1]) * 1024 : 0 };
}

/**
 * @typedef {{start: bigint, end: bigint}} Range
 * @typedef {{pid: number, kind: BrowserKind, range: Range}} Candidate
 */

/**
 * The anonymous rw-p mappings of exactly `size` bytes in a /proc/PID/maps text.
 * @param {string} maps
 * @param {number} size
 * @returns {Range[]}
 */
export function mappingsOfSize(maps, size) {
  const found = [];
  for (const line of maps.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) rw-p \S+ \S+ 0\s*(\S*)/.exec(line);
    if (!m || (m[3] !== '' && !m[3].startsWith('[anon:'))) continue;
    const start = BigInt(`0x${m[1]}`);
    const end = BigInt(`0x${m[2]}`);
    if (end - start === BigInt(size)) found.push({ start, end });
  }
  return found;
}

/**
 * The `Rss:` of `range` in the process's smaps in bytes, read up to its entry only; null when
 * the process has no such mapping any more. Throws when the process is gone.
 * @param {string} proc
 */
function rssOf(proc, /** @type {{pid: number, range: Range}} */ { pid, range }) {
  const header = `\n${range.start.toString(16).padStart(8, '0')}-${range.end.toString(16).padStart(8, '0')} rw-p `;
  const fd = openSync(join(proc, String(pid), 'smaps'), 'r');
  try {
    const chunk = Buffer.alloc(SMAPS_CHUNK);
    let text = '\n';
    let entry = -1;
    for (;;) {
      const count = readSync(fd, chunk, 0, chunk.length, null);
      if (count === 0) return null;
      text += chunk.toString('latin1', 0, count);
      if (entry < 0) entry = text.indexOf(header);
      if (entry >= 0) {
        const rss = /\nRss:\s+(\d+) kB/.exec(text.slice(entry + 1));
        if (rss) return Number(rss[1]) * 1024;
      } else text = text.slice(-header.length); // what a header cut in two needs
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A reader with a cache of the last mapping found: a reading of the same memory reads that
 * process's smaps up to the mapping's entry, 16 bytes of its memory and its status, and scans
 * /proc again only when the mapping is gone.
 * @param {{proc?: string, uid?: number}} [options] `proc`: where procfs is (tests); `uid`: whose
 *   processes count (this process's by default)
 */
export function createResidentReader({ proc = '/proc', uid = process.getuid?.() ?? 0 } = {}) {
  /** @type {{key: string, candidate: Candidate, matched: 'tag' | 'size'} | null} */
  let last = null;

  /** This user's browser content processes of `kinds`, among `pids` when given. */
  function processes(/** @type {BrowserKind[]} */ kinds, /** @type {number[] | undefined} */ pids) {
    const list =
      pids ??
      readdirSync(proc)
        .filter((n) => /^\d+$/.test(n))
        .map(Number);
    const found = [];
    for (const pid of list) {
      try {
        const kind = browserKind(readFileSync(join(proc, String(pid), 'cmdline'), 'latin1'));
        if (kind && kinds.includes(kind) && processStatus(proc, pid).uid === uid)
          found.push({ pid, kind });
      } catch {
        // gone since the listing
      }
    }
    return found;
  }

  /** Whether the 16 bytes at the memory's `at` in `candidate` are `tag`; null when unreadable. */
  function tagMatches(/** @type {Candidate} */ candidate, /** @type {Buffer} */ tag, at = 0) {
    let fd;
    try {
      fd = openSync(join(proc, String(candidate.pid), 'mem'), 'r');
    } catch (error) {
      if (isDenied(error)) return null;
      throw error;
    }
    try {
      const bytes = Buffer.alloc(TAG_BYTES);
      const where = candidate.range.start + BigInt(LAYOUT[candidate.kind].offset + at);
      readSync(fd, bytes, 0, TAG_BYTES, where);
      return bytes.equals(tag);
    } catch (error) {
      if (isDenied(error)) return null;
      return false; // not mapped there (EIO): not this memory
    } finally {
      closeSync(fd);
    }
  }

  /** The candidates: mappings of the size each kind uses, in this user's processes. */
  function candidates(/** @type {ResidentQuery} */ query) {
    const kinds = query.kind ? [query.kind] : KINDS;
    /** @type {Candidate[]} */
    const found = [];
    let denied = 0;
    for (const { pid, kind } of processes(kinds, query.pids)) {
      let maps;
      try {
        maps = readFileSync(join(proc, String(pid), 'maps'), 'latin1');
      } catch (error) {
        if (isDenied(error)) denied++;
        continue;
      }
      for (const range of mappingsOfSize(maps, query.bytes + LAYOUT[kind].extra))
        found.push({ pid, kind, range });
    }
    return { found, denied };
  }

  /** The page's mapping by tag, or by size when alone and unreadable; null when none. */
  function find(/** @type {ResidentQuery} */ query, /** @type {Buffer} */ tag) {
    const { found, denied } = candidates(query);
    const unreadable = [];
    for (const candidate of found) {
      const matches = tagMatches(candidate, tag, query.at);
      if (matches) return { candidate, matched: /** @type {const} */ ('tag') };
      if (matches === null) unreadable.push(candidate);
    }
    if (unreadable.length === 1)
      return { candidate: unreadable[0], matched: /** @type {const} */ ('size') };
    if (unreadable.length > 1)
      throw new ResidentDenied(
        `permission denied reading the memory of browser processes of this user: ${unreadable.length} mappings of ${query.bytes} bytes cannot be told apart`,
      );
    if (denied > 0)
      throw new ResidentDenied(
        `permission denied reading the memory maps of ${denied} browser process(es) of this user`,
      );
    return null;
  }

  /** The reading of a found mapping, or null when it vanished meanwhile. */
  function reading(/** @type {Candidate} */ candidate, /** @type {'tag' | 'size'} */ matched) {
    const residentBytes = rssOf(proc, candidate);
    const host = processStatus(proc, candidate.pid);
    if (residentBytes === null || host.uid !== uid) return null;
    return {
      host: candidate.kind,
      pid: candidate.pid,
      range: candidate.range,
      resident_bytes: residentBytes,
      host_rss_bytes: host.rss,
      mapping_bytes: Number(candidate.range.end - candidate.range.start),
      matched,
    };
  }

  /** The cached mapping's reading when it still holds the page's memory, or null. */
  function again(/** @type {string} */ key, /** @type {Buffer} */ tag, /** @type {number} */ at) {
    if (last?.key !== key) return null;
    const { candidate, matched } = last;
    try {
      if (matched === 'tag' && !tagMatches(candidate, tag, at)) return null;
      return reading(candidate, matched);
    } catch {
      return null; // the process is gone
    }
  }

  return {
    /**
     * Which pages of the page's memory are resident (the memory alone: Firefox's header page
     * left out), found as read() finds it; null when no browser process of this user holds it.
     * @param {ResidentQuery} query
     * @returns {{host: BrowserKind, matched: 'tag' | 'size',
     *   residency: import('../web/memory-map.js').Residency} | null}
     */
    readMap(query) {
      const found = this.read(query);
      if (!found) return null;
      const residency = residencyOf(proc, found, LAYOUT[found.host].offset, query.bytes);
      return residency && { host: found.host, matched: found.matched, residency };
    },

    /**
     * The page's mapping and its reading; null when no browser process of this user holds a
     * mapping of that memory. Throws ResidentDenied when the kernel refuses what would decide.
     * @param {ResidentQuery} query
     * @returns {ResidentReading | null}
     */
    read(query) {
      const tag = Buffer.from(query.tag, 'hex');
      const key = JSON.stringify([query.bytes, query.tag, query.at, query.kind, query.pids]);
      const cached = again(key, tag, query.at);
      if (cached) return cached;
      last = null;
      const found = find(query, tag);
      if (!found) return null;
      const result = reading(found.candidate, found.matched);
      if (result) last = { key, ...found };
      return result;
    },
  };
}

const shared = createResidentReader();

/**
 * One reading through a reader shared by this process (its cache included).
 * @param {ResidentQuery} query
 * @returns {ResidentReading | null}
 */
export const readResident = (query) => shared.read(query);

/**
 * A process's RSS in bytes (VmRSS of /proc/PID/status), or null when it is gone: what a harness
 * records once the mapping itself no longer exists.
 * @param {number} pid
 * @returns {number | null}
 */
export function processRss(pid) {
  try {
    return processStatus('/proc', pid).rss;
  } catch {
    return null;
  }
}

/**
 * The resident bytes of a mapping a reading found, read again: null once the mapping (or its
 * process) is gone.
 * @param {{pid: number, range: Range}} mapping
 * @returns {number | null}
 */
export function mappingResident(mapping) {
  try {
    return rssOf('/proc', mapping);
  } catch {
    return null;
  }
}
