// How much of a WebAssembly module's linear memory the kernel holds, read from outside the browser
// (docs/toolchain.md, "Resident memory in browsers and Node"): the memory is one rw-p mapping in
// the page's renderer (Chromium: exactly the buffer's byteLength; Firefox's content process:
// byteLength + 4096, the buffer starting 4096 bytes in), and the Rss: line of that mapping in
// /proc/PID/smaps is its resident part. Candidates of the right size are confirmed by the
// module's 16-byte tag read through /proc/PID/mem when one is given ("tag"); otherwise a
// candidate must be the only one of its size ("size").
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

import { descendantsOf } from './browser.mjs';

/** Where the buffer starts in its mapping, and so how much larger the mapping is. */
export const BUFFER_OFFSET = Object.freeze({ chromium: 0, firefox: 4096 });

/** The processes of each kind that hold pages: their command line's marks (words: Chromium
 *  rewrites its processes' command lines into one string with spaces). */
const CONTENT_PROCESS = {
  chromium: (args) => args.includes('--type=renderer'),
  firefox: (args) => args.includes('-contentproc') && args.at(-1) === 'tab',
};

/** Thrown when the kernel will not let this process read a browser's /proc files (a sandboxed
 *  renderer on a desktop without root: non-dumpable, its files belong to root). */
export class ResidentDenied extends Error {
  constructor() {
    super("permission denied reading the browser's /proc files (run as the browser's user)");
    this.name = 'ResidentDenied';
  }
}

/** Runs `read`; a permission error becomes ResidentDenied, a vanished process null. */
function procRead(read) {
  try {
    return read();
  } catch (error) {
    if (error.code === 'EACCES' || error.code === 'EPERM') throw new ResidentDenied();
    if (error.code === 'ENOENT' || error.code === 'ESRCH') return null;
    throw error;
  }
}

/**
 * The content processes of `kind` among `under`'s descendants.
 * @param {'chromium'|'firefox'} kind
 * @param {number} under the browser's pid
 * @returns {number[]}
 */
export function contentPids(kind, under) {
  return descendantsOf(under).filter((pid) => {
    const cmdline = procRead(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    return cmdline !== null && CONTENT_PROCESS[kind](cmdline.split(/[\0 ]/).filter(Boolean));
  });
}

/** @typedef {{pid: number, start: bigint, mapping_bytes: number}} Mapping */

/** The rw-p anonymous mappings of `pid`, or only those `size` bytes long. */
function mappingsOf(pid, size) {
  const maps = procRead(() => readFileSync(`/proc/${pid}/maps`, 'utf8')) ?? '';
  const found = [];
  for (const line of maps.split('\n')) {
    const [range, perms, , , inode] = line.split(/\s+/);
    if (perms !== 'rw-p' || inode !== '0') continue;
    const [start, end] = range.split('-').map((hex) => BigInt(`0x${hex}`));
    const bytes = Number(end - start);
    if (size === undefined || bytes === size) found.push({ pid, start, mapping_bytes: bytes });
  }
  return found;
}

/** Whether the 16 bytes at `address` in `pid`'s memory are `tag` (32 hex digits). */
function holdsTag(pid, address, tag) {
  const bytes = Buffer.alloc(16);
  const read = procRead(() => {
    const fd = openSync(`/proc/${pid}/mem`, 'r');
    try {
      return readSync(fd, bytes, 0, 16, address);
    } finally {
      closeSync(fd);
    }
  });
  return read === 16 && bytes.toString('hex') === tag.toLowerCase();
}

/**
 * The mapping that holds a module's linear memory of `bytes` bytes, or null when none can be told
 * apart: with `tag` and `at` (its address in linear memory) the candidate holding the tag, else
 * the only candidate not in `exclude` (keys `${pid}:${start}`, e.g. the mappings that were there
 * before the module was made).
 * @param {{kind: 'chromium'|'firefox', bytes: number, pids: number[], tag?: string, at?: number,
 *   exclude?: Set<string>}} query
 * @returns {(Mapping & {matched: 'tag'|'size'})|null}
 */
export function findMapping({ kind, bytes, pids, tag, at, exclude = new Set() }) {
  const offset = BUFFER_OFFSET[kind];
  const candidates = pids
    .flatMap((pid) => mappingsOf(pid, bytes + offset))
    .filter((m) => !exclude.has(mappingKey(m)));
  if (tag !== undefined && at !== undefined) {
    const tagged = candidates.find((m) => holdsTag(m.pid, m.start + BigInt(offset + at), tag));
    return tagged ? { ...tagged, matched: 'tag' } : null;
  }
  return candidates.length === 1 ? { ...candidates[0], matched: 'size' } : null;
}

/** @param {{pid: number, start: bigint}} mapping */
export const mappingKey = ({ pid, start }) => `${pid}:${start}`;

/** Every rw-p anonymous mapping of `pids` of at least `minBytes`, as mappingKey()s. */
export function mappingKeys(pids, minBytes = 0) {
  return new Set(
    pids.flatMap((pid) =>
      mappingsOf(pid)
        .filter((m) => m.mapping_bytes >= minBytes)
        .map(mappingKey),
    ),
  );
}

/**
 * The resident bytes (smaps' Rss:) of `pid`'s mapping starting at `start`, null when it is gone.
 * @param {number} pid
 * @param {bigint} start
 * @returns {number|null}
 */
export function mappingResident(pid, start) {
  const smaps = procRead(() => readFileSync(`/proc/${pid}/smaps`, 'utf8')) ?? '';
  const head = smaps.indexOf(`\n${start.toString(16)}-`);
  const at = head < 0 && smaps.startsWith(`${start.toString(16)}-`) ? 0 : head;
  if (at < 0) return null;
  const rss = /\nRss:\s+(\d+) kB/.exec(smaps.slice(at, at + 2000));
  return rss ? Number(rss[1]) * 1024 : null;
}

/**
 * The whole process's resident set (VmRSS), in bytes; null when it is gone.
 * @param {number} pid
 * @returns {number|null}
 */
export function processRss(pid) {
  const status = procRead(() => readFileSync(`/proc/${pid}/status`, 'utf8'));
  const rss = status && /\nVmRSS:\s+(\d+) kB/.exec(status);
  return rss ? Number(rss[1]) * 1024 : null;
}

/**
 * The module's resident bytes and its process's RSS, or null when no mapping of `bytes` can be
 * told apart in the content processes of `kind` under the browser `under` (see findMapping).
 * Throws ResidentDenied when /proc cannot be read.
 * @param {{kind: 'chromium'|'firefox', bytes: number, under: number, tag?: string, at?: number,
 *   exclude?: Set<string>}} query
 * @returns {{resident_bytes: number, host_rss_bytes: number, mapping_bytes: number,
 *   matched: 'tag'|'size'}|null}
 */
export function readResident({ under, ...query }) {
  const mapping = findMapping({ ...query, pids: contentPids(query.kind, under) });
  if (mapping === null) return null;
  const resident = mappingResident(mapping.pid, mapping.start);
  const rss = processRss(mapping.pid);
  if (resident === null || rss === null) return null;
  return {
    resident_bytes: resident,
    host_rss_bytes: rss,
    mapping_bytes: mapping.mapping_bytes,
    matched: mapping.matched,
  };
}
