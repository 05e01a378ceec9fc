// @ts-check
// The map panel's arithmetic, pure: a map's pages grouped into at most a few hundred cells (each
// cell N pages, its mix of classes kept), what a cell covers in words, the native map to show
// beside the module's at the moment the live run has reached, and the counts in MiB. No DOM: the
// drawing is web/map-view.js's.
import { CLASSES, countClasses, decodeClasses } from './memory-map.js';

/** Cells drawn at most: a 512 MiB module in 64 KiB pages is 8192 pages, 8 to a cell. */
export const MAX_CELLS = 1024;
const MIB = 1024 * 1024;

/**
 * A map as the panel draws it.
 * @typedef {{classes: Uint8Array, page_bytes: number, held_bytes: number}} PanelMap
 */

/**
 * The map's pages in cells of `perCell` pages: counts[cell * CLASSES.length + code].
 * @typedef {{perCell: number, cells: number, counts: Uint32Array}} Cells
 */

/**
 * Pages per cell so that `pages` fit in `maxCells` cells: 1, 2, 4, 8, ... (a power of two keeps
 * each cell's address range whole in the page size above).
 * @param {number} pages
 * @param {number} [maxCells]
 */
export function pagesPerCell(pages, maxCells = MAX_CELLS) {
  let per = 1;
  while (pages > per * maxCells) per *= 2;
  return per;
}

/**
 * Each cell's pages per class.
 * @param {Uint8Array} classes one code per page (web/memory-map.js)
 * @param {number} perCell pages a cell holds
 * @returns {Cells}
 */
export function cellsOf(classes, perCell) {
  const width = CLASSES.length;
  const cells = Math.ceil(classes.length / perCell);
  const counts = new Uint32Array(cells * width);
  for (let page = 0; page < classes.length; page++) {
    const code = classes[page] < width ? classes[page] : 2; // an unknown code reads as free
    counts[Math.floor(page / perCell) * width + code]++;
  }
  return { perCell, cells, counts };
}

/**
 * The pages of one cell per class name, the classes it holds only.
 * @param {Cells} cells
 * @param {number} cell
 * @returns {Record<string, number>}
 */
export function cellMix({ counts }, cell) {
  /** @type {Record<string, number>} */
  const mix = {};
  CLASSES.forEach((name, code) => {
    const count = counts[cell * CLASSES.length + code];
    if (count) mix[name] = count;
  });
  return mix;
}

/** An address in hex, as the kernel's maps write them. */
const hex = (/** @type {number} */ address) => `0x${address.toString(16).padStart(8, '0')}`;

/** A size in words: KiB below a MiB, else MiB. */
export function sizeText(/** @type {number} */ bytes) {
  if (bytes < MIB) return `${bytes / 1024} KiB`;
  const mib = bytes / MIB;
  return `${Number.isInteger(mib) ? mib : mib.toFixed(2)} MiB`;
}

/**
 * What a cell covers, in one line: its address range and its class (or its mix of classes).
 * @param {Cells} cells
 * @param {number} cell
 * @param {number} pageBytes
 * @param {number} pages the map's pages (the last cell may hold fewer)
 * @returns {string}
 */
export function cellText(cells, cell, pageBytes, pages) {
  const first = cell * cells.perCell;
  const count = Math.min(cells.perCell, pages - first);
  const from = first * pageBytes;
  const to = (first + count) * pageBytes;
  const mix = Object.entries(cellMix(cells, cell));
  const range = `${hex(from)}\u2013${hex(to - 1)} (${sizeText(to - from)})`;
  if (mix.length === 1) return `${range}: ${CLASS_WORDS[mix[0][0]]}`;
  const parts = mix.map(([name, n]) => `${n} ${n === 1 ? 'page' : 'pages'} ${name}`);
  return `${range}: ${parts.join(', ')}`;
}

/** Each class in plain words, as the legend says it. */
export const CLASS_WORDS = Object.freeze(
  /** @type {Record<string, string>} */ ({
    live: 'live',
    cached: 'cached: kept by the allocator, resident',
    free: 'free, not resident',
    above: 'above the heap: reserved',
    static: 'static',
  }),
);

/**
 * Each class in MiB, in the order of CLASSES.
 * @param {Uint8Array} classes
 * @param {number} pageBytes
 * @returns {{name: string, mib: number}[]}
 */
export function classMib(classes, pageBytes) {
  const pages = countClasses(classes);
  return CLASSES.map((name) => ({
    name,
    mib: (pages[/** @type {keyof typeof pages} */ (name)] * pageBytes) / MIB,
  }));
}

/**
 * The map moment a live run's phase has reached: the work until its memory is freed, then the
 * free, then the trim (docs/results-format.md, "Memory maps").
 * @param {string} phase a sample's phase
 * @returns {'work'|'free'|'trim'}
 */
export function momentOfPhase(phase) {
  if (phase === 'free') return 'free';
  if (phase === 'trim' || phase === 'final') return 'trim';
  return 'work';
}

/**
 * A native run's map at `moment`, decoded, or null when the run carries none.
 * @param {{maps?: {at: string, step: number, page_bytes: number, held_bytes: number,
 *   classes: string}[]}|null|undefined} run a results document's run
 * @param {string} moment
 * @returns {(PanelMap & {step: number})|null}
 */
export function nativeMapAt(run, moment) {
  const map = run?.maps?.find((m) => m.at === moment);
  const classes = map ? decodeClasses(map.classes) : null;
  if (!map || !classes) return null;
  return { classes, page_bytes: map.page_bytes, held_bytes: map.held_bytes, step: map.step };
}

/** What each moment means, in words. */
export const MOMENT_WORDS = Object.freeze(
  /** @type {Record<string, string>} */ ({
    work: 'after the work',
    free: 'after free',
    trim: 'after trim',
  }),
);
