// @ts-check
// Node only (web/trimlab-api.js imports it lazily, never in the page): the kernel's figures for
// a module instance's linear memory, which no JavaScript API gives.
//
// - The module's memory is one rw-p mapping of exactly its byteLength in this process
//   (/proc/self/maps); a growth replaces it, so it is found again whenever the size changes.
//   Two instances of one size are told apart by the instance's random 16-byte tag, read through
//   /proc/self/mem at the mapping's start + the tag's address; where /proc/self/mem cannot be
//   read, a mapping of that size is taken only when it is the only one ("size").
// - Its resident bytes are the Rss: that /proc/self/smaps gives the mapping, counted from
//   /proc/self/pagemap over the mapping's range alone: pages present and mapped by this process
//   only (smaps leaves out the shared zero page that pages only read map to, and so does this;
//   only pages shared copy-on-write after a fork() would count there and not here, and Node
//   does not fork).
//   Reading smaps whole costs the page walk of every mapping of the process; the pagemap range
//   costs that of the module's own pages (tests/node/resident.test.mjs checks both agree).
// - The process's RSS comes from /proc/self/statm, through a descriptor kept open.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

import { presentRuns } from './memory-map.js';

const TAG_BYTES = 16;
// pagemap's entry: bit 63 present, bit 56 mapped exclusively (the high 32-bit word's bits 31, 24).
const PRESENT_AND_EXCLUSIVE = 0x80000000 | 0x01000000;

/**
 * @typedef {{start: number, bytes: number, matched: 'tag'|'size'}} Mapping
 * @typedef {{resident_bytes: number|null, host_rss_bytes: number, mapping: Mapping|null}}
 *   Reading resident_bytes null: no mapping of the module was found (it is gone, or ambiguous).
 */

/** The kernel's page size, from the first entry of /proc/self/smaps (Node has no sysconf). */
function pageSize() {
  const head = Buffer.alloc(4096);
  const fd = openSync('/proc/self/smaps', 'r');
  try {
    const text = head.toString('latin1', 0, readSync(fd, head, 0, head.length, 0));
    const kib = /^KernelPageSize:\s+(\d+) kB$/m.exec(text);
    return kib ? Number(kib[1]) * 1024 : 4096;
  } finally {
    closeSync(fd);
  }
}

/** /proc/self/mem for reading, or null where it cannot be opened. */
function openMem() {
  try {
    return openSync('/proc/self/mem', 'r');
  } catch {
    return null;
  }
}

/** What every reader of the process shares, opened once: the descriptors stay open, so that a
 *  reading is a pread, and however many instances there are, they take three. */
const proc = {
  page: pageSize(),
  statm: openSync('/proc/self/statm', 'r'),
  pagemap: openSync('/proc/self/pagemap', 'r'),
  /** @type {number|null} null: /proc/self/mem cannot be read here */
  mem: openMem(),
  small: Buffer.alloc(128),
  /** @type {Uint32Array} pagemap entries, as 32-bit halves; grown to the largest mapping read */
  entries: new Uint32Array(0),
};

/** The process's RSS in bytes (/proc/self/statm's second field, in pages). */
export function processRss() {
  const count = readSync(proc.statm, proc.small, 0, proc.small.length, 0);
  return Number(proc.small.toString('latin1', 0, count).split(' ')[1]) * proc.page;
}

export class ResidentReader {
  #tag;
  #tagAddress;
  /** @type {Mapping|null} */
  #mapping = null;

  /**
   * @param {Uint8Array} tag the instance's 16 random bytes
   * @param {number} tagAddress where they are in its linear memory
   */
  constructor(tag, tagAddress) {
    if (tag.length !== TAG_BYTES) throw new RangeError(`a tag has ${TAG_BYTES} bytes`);
    this.#tag = Uint8Array.from(tag);
    this.#tagAddress = tagAddress;
  }

  /**
   * Whether the mapping at `start` holds this instance's tag (null: cannot be read).
   * @param {number} start
   * @returns {boolean|null}
   */
  #holdsTag(start) {
    if (proc.mem === null) return null;
    const found = Buffer.alloc(TAG_BYTES);
    try {
      readSync(proc.mem, found, 0, TAG_BYTES, start + this.#tagAddress);
    } catch {
      return null;
    }
    return Buffer.compare(found, this.#tag) === 0;
  }

  /**
   * The module's mapping for a memory of `bytes`, or null when none (or no single one) is found.
   * @param {number} bytes
   * @returns {Mapping|null}
   */
  locate(bytes) {
    const starts = [];
    for (const line of readFileSync('/proc/self/maps', 'latin1').split('\n')) {
      const match = /^([0-9a-f]+)-([0-9a-f]+) rw-p /.exec(line);
      if (!match) continue;
      const start = parseInt(match[1], 16);
      if (parseInt(match[2], 16) - start === bytes) starts.push(start);
    }
    const verdicts = starts.map((start) => this.#holdsTag(start));
    const tagged = starts.filter((_, i) => verdicts[i] === true);
    if (tagged.length === 1) return { start: tagged[0], bytes, matched: 'tag' };
    const unread = verdicts.every((verdict) => verdict === null);
    if (unread && starts.length === 1) return { start: starts[0], bytes, matched: 'size' };
    return null;
  }

  /**
   * The pagemap entries of `mapping` into proc.entries; returns how many were read.
   * @param {Mapping} mapping
   */
  #entriesOf(mapping) {
    const pages = mapping.bytes / proc.page;
    if (proc.entries.length < pages * 2) proc.entries = new Uint32Array(pages * 2);
    return readSync(proc.pagemap, proc.entries, 0, pages * 8, (mapping.start / proc.page) * 8) / 8;
  }

  /**
   * Pages of `mapping` present and mapped by this process alone, in bytes.
   * @param {Mapping} mapping
   */
  #residentOf(mapping) {
    const count = this.#entriesOf(mapping);
    const entries = proc.entries;
    let resident = 0;
    for (let high = 1; high < count * 2; high += 2)
      if ((entries[high] & PRESENT_AND_EXCLUSIVE) === PRESENT_AND_EXCLUSIVE) resident++;
    return resident * proc.page;
  }

  /**
   * Which pages of the module's memory (of `bytes` now) are resident, by the same count as
   * read(): run-length encoded (web/memory-map.js); null when its mapping is not found.
   * @param {number} bytes
   * @returns {import('./memory-map.js').Residency|null}
   */
  residency(bytes) {
    if (this.#mapping === null || this.#mapping.bytes !== bytes) this.#mapping = this.locate(bytes);
    if (this.#mapping === null) return null;
    const count = this.#entriesOf(this.#mapping);
    return { page_bytes: proc.page, runs: presentRuns(proc.entries, count, PRESENT_AND_EXCLUSIVE) };
  }

  /**
   * The module's resident bytes and the process's RSS now, for a memory of `bytes` (its mapping
   * is looked up again when the size changed since the last reading).
   * @param {number} bytes the module's memory size now
   * @returns {Reading}
   */
  read(bytes) {
    if (this.#mapping === null || this.#mapping.bytes !== bytes) this.#mapping = this.locate(bytes);
    return this.#reading();
  }

  /**
   * The same after the instance may be gone: the last mapping is looked up again (null when it
   * no longer exists), the memory size being unknown by now.
   * @returns {Reading}
   */
  readAgain() {
    if (this.#mapping !== null) this.#mapping = this.locate(this.#mapping.bytes);
    return this.#reading();
  }

  /** @returns {Reading} */
  #reading() {
    const mapping = this.#mapping;
    return {
      resident_bytes: mapping === null ? null : this.#residentOf(mapping),
      host_rss_bytes: processRss(),
      mapping,
    };
  }
}
