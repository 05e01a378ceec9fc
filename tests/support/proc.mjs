// What the browser tests read of the browser's processes themselves, through /proc, as the
// figures the page's own must agree with (docs/toolchain.md, "Resident memory in browsers and
// Node"). The module's memory is one rw-p mapping of its size in the renderer (Chromium) or
// content process (Firefox: one page more, the buffer starts 4096 bytes in).
import { readFileSync } from 'node:fs';

import { descendantsOf } from '../../tools/browser.mjs';
import { browserName } from './browser.mjs';

/** What the module's mapping holds beyond its linear memory, in this browser. */
export const MAPPING_EXTRA = { chromium: 0, firefox: 4096 }[browserName];

/**
 * Every rw-p mapping of exactly `bytes` in `browser`'s processes, with its process and its
 * Rss: in bytes.
 * @param {{pid: number}} browser
 * @param {number} bytes the module's linear memory size (MAPPING_EXTRA is added)
 * @returns {{pid: number, rss: number}[]}
 */
export function moduleMappings(browser, bytes) {
  const found = [];
  for (const pid of descendantsOf(browser.pid)) {
    let smaps;
    try {
      smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
    } catch {
      continue; // a process that ended meanwhile
    }
    for (const entry of smaps.split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)) {
      const [, from, to, perms] = /^([0-9a-f]+)-([0-9a-f]+) (\S+)/.exec(entry) ?? [];
      const size = perms === 'rw-p' ? Number(BigInt(`0x${to}`) - BigInt(`0x${from}`)) : -1;
      if (size !== bytes + MAPPING_EXTRA) continue;
      found.push({ pid, rss: Number(/\nRss:\s+(\d+) kB/.exec(entry)[1]) * 1024 });
    }
  }
  return found;
}

/**
 * A process's resident set in bytes (VmRSS of /proc/PID/status); null once it has ended.
 * @param {number} pid
 * @returns {number|null}
 */
export function processRss(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/\nVmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
  } catch {
    return null;
  }
}
